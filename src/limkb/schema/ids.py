"""Entry ids: the slug rule every id obeys, and the conventional id of a reference."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "RESERVED_IDS",
    "SLUG_PATTERN",
    "is_slug",
    "lookalikes",
    "odd_characters",
    "reference_id",
    "reserved_reason",
    "slugify",
    "untitled_reference_id",
]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
_MAX_LENGTH = 80

# Words skipped when choosing the first word of a title for a reference id.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "and",
        "to",
        "with",
        "at",
        "by",
        "from",
        "via",
        "into",
        "toward",
        "towards",
        "is",
        "are",
    ]
)


RESERVED_IDS: frozenset[str] = frozenset(
    {"index", "con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)}
)
"""Slugs no entry may have: ``index`` is each folder's own page on the site; the others are
device names that Windows refuses as file names, which would make the repository
impossible to check out there."""


def reserved_reason(text: str) -> str | None:
    """Why a slug cannot be an id, if it is reserved (else None)."""
    if text == "index":
        return "'index' is the name of each folder's own page on the site"
    if text in RESERVED_IDS:
        return f"{text!r} is a device name that Windows refuses as a file name"
    return None


def is_slug(text: object) -> bool:
    """True when ``text`` is a lowercase slug usable as an id and as a file name.

    The whole text must match (a trailing newline is not allowed), and reserved names
    (:data:`RESERVED_IDS`) are refused.
    """
    return (
        isinstance(text, str)
        and len(text) <= _MAX_LENGTH
        and _SLUG.fullmatch(text) is not None
        and text not in RESERVED_IDS
    )


_LOOKALIKES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ӏ": "l",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ν": "v",
        "ι": "i",
        "κ": "k",
        "τ": "t",
        "υ": "u",
        "ε": "e",
        "χ": "x",
        "ɡ": "g",
        "ı": "i",
        "ℓ": "l",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "−": "-",
    }
)
"""Letters from other scripts that look like Latin ones, and dashes that look like hyphens."""


def lookalikes(text: str) -> list[str]:
    """The characters of ``text`` that only look like ASCII letters, digits or hyphens, described."""
    found = []
    for char in dict.fromkeys(text):
        latin = char.translate(_LOOKALIKES)
        if latin != char:
            found.append(f"{char!r} ({unicodedata.name(char, 'unnamed')}, which looks like {latin!r})")
    return found


def odd_characters(text: str) -> list[str]:
    """Each character of ``text`` outside ASCII, named with its code point and column (1-based):
    ``U+0435 CYRILLIC SMALL LETTER IE at column 2, which looks like 'e'`` — what an id typed or
    pasted with a lookalike letter gets told."""
    found = []
    for column, char in enumerate(text, start=1):
        if ord(char) < 128:
            continue
        latin = char.translate(_LOOKALIKES)
        looks = f", which looks like {latin!r}" if latin != char else ""
        found.append(f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')} at column {column}{looks}")
    return found


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("ascii", "ignore").decode("ascii").lower()


def slugify(text: str) -> str:
    """Turn free text into a slug: ASCII, lowercase, words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", _ascii(text.translate(_LOOKALIKES)))
    return "-".join(words)[:_MAX_LENGTH].strip("-")


def reference_id(first_author_family: str, year: int | str, title: str) -> str:
    """The conventional reference id ``<surname><year><first-title-word>``.

    The surname is folded to ASCII letters (``Müller-Buschbaum`` -> ``mullerbuschbaum``);
    the title word is the first one that holds a letter and is not a stopword.

    >>> reference_id("Li", 2018, "30 Years of Lithium-Ion Batteries")
    'li2018years'
    """
    surname = re.sub(r"[^a-z]", "", _ascii(first_author_family))
    word = ""
    for token in re.findall(r"[a-z0-9]+", _ascii(title)):
        if re.search(r"[a-z]", token) and token not in _STOPWORDS:
            word = token
            break
    return f"{surname}{year}{word}"


def untitled_reference_id(year: int | str, title: str) -> str:
    """The id of a reference whose authors no text read shows: ``<first-title-word><year>``.

    >>> untitled_reference_id(1980, "The Structure of Lithium Deposits")
    'structure1980'
    """
    word = reference_id("", year, title)[len(str(year)) :]
    return f"{word}{year}"
