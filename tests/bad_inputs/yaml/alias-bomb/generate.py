"""Writes this case's knowledge base at test time, so that the repository stays small."""

from __future__ import annotations

from pathlib import Path

REFERENCE = """title: Test of a tiny knowledge base
authors:
  - "Smith, A."
journal: J. Tests
year: 2020
doi: 10.1000/test.2020
"""


def generate(kb: Path) -> None:
    """Write the case into ``kb`` (an empty folder)."""
    (kb / "references").mkdir(parents=True, exist_ok=True)
    (kb / "references" / "smith2020test.yaml").write_text(REFERENCE, encoding="utf-8")
    (kb / "materials").mkdir(exist_ok=True)

    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    (kb / "materials" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
