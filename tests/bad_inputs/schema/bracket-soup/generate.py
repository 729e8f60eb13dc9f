"""Writes this case's knowledge base at test time, so that the repository stays small."""

from __future__ import annotations

from pathlib import Path

FORMS = {
    "open-brackets": "[" * 20_000,
    "image-openers": "![" * 10_000,
    "unclosed-links": "[a](" * 5_000,
    "nested-parentheses": "(" * 17 + "x" + ")" * 17,
}


def generate(kb: Path) -> None:
    """Write the case into ``kb`` (which already holds the standard reference)."""
    (kb / "mechanisms").mkdir(exist_ok=True)
    for name, text in FORMS.items():
        (kb / "mechanisms" / f"{name}.yaml").write_text(
            f"name: {name}\nsummary: '{text}'\nsources:\n  - {{ref: smith2020test, locator: Table 1}}\n",
            encoding="utf-8",
        )
