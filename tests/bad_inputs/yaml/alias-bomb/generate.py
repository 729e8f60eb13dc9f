"""Writes this case's knowledge base at test time, so that the repository stays small."""

from __future__ import annotations

from pathlib import Path


def generate(kb: Path) -> None:
    """Write the case into ``kb`` (which already holds the standard reference)."""
    (kb / "materials").mkdir(exist_ok=True)

    lines = ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    (kb / "materials" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
