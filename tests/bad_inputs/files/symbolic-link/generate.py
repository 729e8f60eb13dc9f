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

    (kb / "species").mkdir(exist_ok=True)
    (kb / "species" / "lif.yaml").symlink_to("/etc/hostname")
