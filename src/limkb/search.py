"""Text search over entries: what names an entry, and how a query is matched and ranked.

Matching ignores case, spaces, hyphens and Unicode sub/superscripts, so ``"LiNO3"`` finds
``LiNO₃``. Exact matches come first, then names that start with the text, then names (or
reference titles) that contain it; ties go to the shorter name, then the id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from limkb.schema.kinds import Entry, Material, Property, Reference, Species, Technique

__all__ = ["SearchIndex", "names_of", "normalise"]

_DASHES = re.compile(r"[\s\-‐‑‒–—―_·.,'’()]+")


def normalise(text: str) -> str:
    """Fold text for matching: Unicode sub/superscripts to plain, case, spaces and hyphens away.

    >>> normalise("LiNO₃") == normalise("lino3") == normalise("Li NO3")
    True
    """
    return _DASHES.sub("", unicodedata.normalize("NFKC", text).casefold())


def names_of(entry: Entry) -> list[str]:
    """The strings that name an entry exactly: id, name, aliases, formula, abbreviation ..."""
    names = [entry.id, entry.label, *entry.aliases]
    if isinstance(entry, (Material, Species)) and entry.formula:
        names.append(entry.formula)
    if isinstance(entry, Technique) and entry.abbreviation:
        names.append(entry.abbreviation)
    if isinstance(entry, Property) and entry.symbol:
        names.append(entry.symbol)
    if isinstance(entry, Reference) and entry.doi:
        names.append(entry.doi)
    return names


class SearchIndex:
    """The normalised names of every entry, built once, queried by :meth:`find`."""

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._index: list[tuple[str, tuple[str, ...], str]] = []
        for entry_id in sorted(entries):
            entry = entries[entry_id]
            names = tuple(dict.fromkeys(normalise(n) for n in names_of(entry) if n))
            extra = normalise(entry.title) if isinstance(entry, Reference) else ""
            self._index.append((entry_id, names, extra))

    def find(self, text: str) -> list[str]:
        """Ids of the entries matching ``text``, best first."""
        query = normalise(text)
        if not query:
            return []
        ranked: list[tuple[int, int, str]] = []
        for entry_id, names, extra in self._index:
            rank = None
            if query in names:
                rank = 0
            elif any(n.startswith(query) for n in names):
                rank = 1
            elif any(query in n for n in names):
                rank = 2
            elif query in extra:
                rank = 3
            if rank is not None:
                ranked.append((rank, len(names[1] if len(names) > 1 else names[0]), entry_id))
        ranked.sort()
        return [entry_id for _, _, entry_id in ranked]
