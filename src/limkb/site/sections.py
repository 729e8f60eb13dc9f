"""Long hub pages as sections a reader can jump to: rows grouped by initial letter, a long
letter in parts, so that a search engine splitting a page at its headings (Zensical, which
refuses a section of more than :data:`SECTION_LIMIT` token positions) indexes every section."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

from markupsafe import Markup

T = TypeVar("T")

SECTION_LIMIT = 16_384
"""Zensical's limit of token positions in one search section (the text under one heading)."""

SECTION_BUDGET = SECTION_LIMIT // 2
"""The token positions a section is given at most, counted generously by :func:`token_positions`
(every mark a token): half the limit, room for rows longer than the average."""

_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Row:
    """A row of a long table: the name it is listed under, and its HTML."""

    name: str
    html: str


def token_positions(text: str) -> int:
    """The token positions of an HTML fragment's text, counted generously: every word and
    every punctuation mark (Zensical counts fewer)."""
    return len(_TOKEN.findall(html.unescape(_TAG.sub(" ", text))))


def initial(name: str) -> str:
    """The letter a name is listed under: its first character without accents, upper case, or
    ``#`` when that is no letter from A to Z."""
    first = unicodedata.normalize("NFKD", name.strip()[:1]).upper()[:1]
    return first if "A" <= first <= "Z" else "#"


def _slug(letter: str) -> str:
    """A letter's part of heading and table ids: ``a`` ... ``z``, ``other`` for ``#``."""
    return "other" if letter == "#" else letter.lower()


def chunks(items: list[T], most: int) -> list[list[T]]:
    """``items`` in order, in parts of at most ``most`` and of near equal size."""
    count = -(-len(items) // most)
    size = -(-len(items) // count) if items else 1
    return [items[start : start + size] for start in range(0, len(items), size)]


def _parts(letter: str, rows: list[Row], most: int, table: str) -> list[dict[str, Any]]:
    """A letter's rows as parts of at most ``most`` rows and near equal size (:func:`chunks`);
    the parts of a split letter have a heading id and a title naming the first and last row's
    names."""
    held_parts = chunks(rows, most)
    split = len(held_parts) > 1
    parts = []
    for n, held in enumerate(held_parts, start=1):
        suffix = f"{_slug(letter)}-{n}" if split else _slug(letter)
        parts.append(
            {
                "id": f"letter-{suffix}" if split else None,
                "title": f"{held[0].name} – {held[-1].name}",
                "table": f"{table}-{suffix}",
                "rows": Markup("".join(row.html for row in held)),
                "held": held,
            }
        )
    return parts


def by_letter(rows: list[Row], most: int, table: str) -> list[dict[str, Any]]:
    """``rows`` grouped by the initial of their names, A to Z then ``#``, keeping their order
    within a letter: each letter a section (``id`` ``letter-a`` ...), its ``parts`` tables of at
    most ``most`` rows (ids ``<table>-a``, ``<table>-s-2`` ...)."""
    letters: dict[str, list[Row]] = {}
    for row in rows:
        letters.setdefault(initial(row.name), []).append(row)
    return [
        {
            "letter": letter,
            "id": f"letter-{_slug(letter)}",
            "parts": _parts(letter, letters[letter], most, table),
        }
        for letter in sorted(letters, key=lambda x: (x == "#", x))
    ]


def rows_within(rows: list[Row], budget: int | None = None) -> int | None:
    """How many rows a section may hold so that it stays within ``budget`` token positions
    (:data:`SECTION_BUDGET` unless given; by the rows' average), or None when all of them fit
    in one."""
    budget = SECTION_BUDGET if budget is None else budget
    total = sum(token_positions(row.html) for row in rows)
    if total <= budget:
        return None
    return max(1, budget * len(rows) // total)
