"""Writes this case's knowledge base at test time, so that the repository stays small."""

from __future__ import annotations

from pathlib import Path


def generate(kb: Path) -> None:
    """Write the case into ``kb`` (which already holds the standard reference)."""
    (kb / "materials").mkdir(exist_ok=True)

    with (kb / "materials" / "huge.yaml").open("wb") as out:
        out.write(b"name: ")
        chunk = b"x" * 1_048_576
        for _ in range(50):
            out.write(chunk)
        out.write(b"\n")
