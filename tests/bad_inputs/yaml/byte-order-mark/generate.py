"""Writes this case's knowledge base at test time, so that the repository stays small."""

from __future__ import annotations

from pathlib import Path


def generate(kb: Path) -> None:
    """Write the case into ``kb`` (which already holds the standard reference)."""
    (kb / "materials").mkdir(exist_ok=True)

    text = 'name: FEC\nroles: [additive]\nsources:\n  - {ref: smith2020test, locator: "Table 1"}\n'
    (kb / "materials" / "fec.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
