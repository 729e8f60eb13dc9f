"""Writes this case's knowledge base at test time (git would store the link as a file on some systems)."""

from __future__ import annotations

from pathlib import Path


def generate(kb: Path) -> None:
    """A kind folder that is a symbolic link to a folder outside kb/."""
    elsewhere = kb.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    (elsewhere / "fec.yaml").write_text(
        "name: FEC\nroles: [additive]\nsources: [{ref: smith2020test, locator: Table 1}]\n", encoding="utf-8"
    )
    (kb / "materials").symlink_to(Path("..") / "elsewhere", target_is_directory=True)
