"""The site search's index: ``assets/limkb/search-index.js``, read by ``assets/limkb/search.js``.

The index also carries the order of kinds for results of equal match
(:data:`~limkb.site.kinds.SEARCH_ORDER`) and the words of a query that keep one kind only
(:data:`~limkb.site.kinds.KIND_WORDS`): ``search.js`` names no kind. One item per page: its Markdown path, title, kind, the names it is found by (those of
:func:`limkb.search.names_of`, plus the short name of its title), a plain-text snippet of its
summary and the names of the entries it links to (``about``: a question about cryo-TEM is found
by "cryo-TEM questions"). Prose, diagrams and metadata tables stay out: a reader who types "LiF"
wants the entries named so, ranked as ``search.js`` describes, not every page whose diagram
mentions it. Pages that are not entries are also found by the words a reader would use for what
they offer ("cite", "BibTeX", "download"), as :data:`limkb.site.pages.PAGES` gives them. The
index loads on first use of the box, so no page pays for it before that.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from limkb.schema.kinds import Reference
from limkb.search import names_of
from limkb.site.context import entry_path
from limkb.site.kinds import KIND_WORDS, SEARCH_ORDER
from limkb.site.pages import searched_pages

if TYPE_CHECKING:
    from limkb.site.context import Site
    from limkb.site.memo import Pieces

__all__ = ["SNIPPET_CHARS", "search_data", "snippet"]

SNIPPET_CHARS = 150
"""How much of a summary a result shows."""

_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]+|<[^>]*>")

ABOUT_LIMIT = 40
"""At most this many names of linked entries are kept per item."""

SHORT_NAME = 12
"""An alias this short (cryo-TEM, LiNO3, a-SEI) finds the entries linked to its entry."""


def snippet(text: str | None, limit: int = SNIPPET_CHARS) -> str:
    """Markdown as one line of plain text, cut at a word boundary near ``limit`` characters."""
    if not text:
        return ""
    plain = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", text).split())
    if len(plain) <= limit:
        return plain
    cut = plain[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _about(site: Site, entry_id: str) -> list[str]:
    """The names of the entries ``entry_id`` links to, references left out: each one's label and
    its short names (aliases, formula, abbreviation of :data:`SHORT_NAME` characters at most);
    at most :data:`ABOUT_LIMIT` strings, in the order of the relations."""
    names: list[str] = []
    for relation in site.kb.relations(entry_id, direction="out"):
        other = site.by_id.get(relation.target)
        if other is None or isinstance(other, Reference):
            continue
        label, *others = names_of(other)[1:]
        for name in [label, *(n for n in others if len(n) <= SHORT_NAME)]:
            if name and name not in names and len(names) < ABOUT_LIMIT:
                names.append(name)
    return names


def _record(site: Site, titled: Any, entry_id: str) -> str:
    """One entry's item of the index, as JSON (sorted keys, as the whole index is written)."""
    entry = site.by_id[entry_id]
    title = titled(entry)
    names = [n for n in dict.fromkeys([*names_of(entry), title]) if n]
    text = entry.title if isinstance(entry, Reference) else getattr(entry, "summary", None)
    item = {
        "path": entry_path(entry),
        "title": title,
        "kind": entry.kind,
        "names": names,
        "text": snippet(text),
        "about": _about(site, entry_id),
    }
    return _json(item)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def search_data(site: Site, titled: Any, pages: set[str], pieces: Pieces | None = None) -> str:
    """``window.LIMKB_SEARCH = {...};`` for the pages of the site (entries and the others in
    ``pages``); ``titled(entry)`` gives an entry page's title. Each entry's item is a piece
    (:class:`~limkb.site.memo.Pieces`): an edit makes again the items of the entries it
    touches, and the index is joined from them."""
    records: list[str] = []
    for entry_id in site.ids:
        make = functools.partial(_record, site, titled, entry_id)
        records.append(make() if pieces is None else pieces.piece("search-index", entry_id, make))
    items: list[dict[str, Any]] = []
    for page in searched_pages():
        if page.path in pages:
            items.append(
                {
                    "path": page.path,
                    "title": page.title,
                    "kind": "page",
                    "names": [page.title, *page.words],
                    "text": page.text,
                }
            )
    # the keys sorted as json.dumps(sort_keys=True) wrote the whole object: "order", "pages", "words"
    joined = ",".join([*records, *(_json(item) for item in items)])
    order, words = _json(list(SEARCH_ORDER)), _json(KIND_WORDS)
    return f'window.LIMKB_SEARCH = {{"order":{order},"pages":[{joined}],"words":{words}}};\n'
