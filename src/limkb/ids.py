"""Entry ids: the slug rule every id obeys, and the conventional id of a reference."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["SLUG_PATTERN", "is_slug", "reference_id", "slugify"]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
_MAX_LENGTH = 80

# Words skipped when choosing the first word of a title for a reference id.
_STOPWORDS = frozenset(
    ["a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "at", "by", "from", "via", "into", "toward", "towards", "is", "are"]
)


def is_slug(text: object) -> bool:
    """True when ``text`` is a lowercase slug usable as an id and as a file name."""
    return isinstance(text, str) and len(text) <= _MAX_LENGTH and bool(_SLUG.match(text))


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("ascii", "ignore").decode("ascii").lower()


def slugify(text: str) -> str:
    """Turn free text into a slug: ASCII, lowercase, words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", _ascii(text))
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
