"""Every page of the site that is not an entry: the one table to extend when a page is added.

One :class:`Page` row per page gives its path, its title (heading, navigation, search result),
the template it is rendered from (``None`` for a hand-written page under ``docs/`` or one made
without a template), the maker that renders it (a name in :data:`limkb.site.render.MAKERS`; none
for a page that is its template filled with the common context), what the site search shows for
it and the words that find it, and its place in the navigation. :func:`limkb.site.render.render`
renders every row, in this order, and no other page that is not an entry: a row whose ``path``
holds ``*`` is a family of pages its maker makes one per item (the compare page of each quantity). The order of the rows is the order of ``nav:`` in ``mkdocs.yml``, which
:func:`nav` gives and :func:`nav_yaml` writes out to paste there; MkDocs reads its navigation before
any plugin runs, so the file cannot be generated at build time, and ``tests/test_pages_registry.py``
fails when the two disagree or a row is incomplete. The browse page of each kind comes from :data:`limkb.site.kinds.DISPLAY`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Literal

from limkb.schema.kinds import KINDS
from limkb.site.kinds import KIND_TITLES

__all__ = [
    "DOCS_TITLES",
    "PAGES",
    "PAGE_TITLES",
    "Origin",
    "Page",
    "families",
    "nav",
    "nav_yaml",
    "registered",
    "searched_pages",
    "title_of",
]

Origin = Literal["overview", "landing", "kind", "docs"]
"""Where a page comes from: an overview page of :mod:`limkb.site.overview` or render.py,
a landing page (home, browse, all entries, compare), a kind's browse table, or a hand-written
page under ``docs/``."""


@dataclass(frozen=True)
class Page:
    """One page of the site that is not an entry."""

    path: str
    """Its Markdown path in the site (``agenda.md``)."""
    title: str
    origin: Origin
    template: str | None = None
    """The template under ``site/templates/`` it is rendered from, if any."""
    text: str = ""
    """The line the site search shows under its title."""
    words: tuple[str, ...] = ()
    """Words, besides its title, that find it in the site search."""
    section: str | None = None
    """The top-level navigation section it is listed under; ``None``: a top-level item."""
    section_index: bool = False
    """Listed as the section's own page (its bare path, no title, in ``mkdocs.yml``)."""
    in_nav: bool = True
    searched: bool = True
    """Whether the site search finds it."""
    maker: str | None = None
    """The name of what renders it in :data:`limkb.site.render.MAKERS` (``None``: its template,
    filled with the common context, or nothing for a page under ``docs/``)."""
    kind: str | None = None
    """The kind of entry a browse table lists."""

    @property
    def family(self) -> bool:
        """Whether the row stands for a family of pages, one per item (its path holds ``*``)."""
        return "*" in self.path


def _kind_pages() -> list[Page]:
    """The browse table of each kind, in browsing order, under Browse."""
    return [
        Page(
            f"browse/{KINDS[kind].folder}.md",
            title,
            "kind",
            "browse.md",
            section="Browse",
            maker="browse",
            kind=kind,
        )
        for kind, title in KIND_TITLES.items()
    ]


PAGES: tuple[Page, ...] = (
    Page(
        "index.md",
        "Home",
        "landing",
        "index.md",
        "What limkb holds, counts of entries and evidence, where to start.",
        ("cite limkb", "citation", "BibTeX", "RIS", "CSL-JSON", "CITATION.cff"),
        maker="home",
    ),
    Page(
        "browse/index.md",
        "Browse",
        "landing",
        "landing.md",
        "Tables of every kind of entry.",
        section="Browse",
        section_index=True,
        maker="landing",
    ),
    *_kind_pages(),
    Page(
        "entries/index.md",
        "All entries",
        "landing",
        "landing.md",
        "Every entry, by kind.",
        in_nav=False,
        maker="entries",
    ),
    Page(
        "agenda.md",
        "Open questions",
        "overview",
        "agenda.md",
        "The open questions of the field, by status, theme, interface and technique.",
        ("open questions", "research agenda"),
        maker="agenda",
    ),
    Page("compare/index.md", "Compare", "landing", "compare_index.md", searched=False, maker="compare-index"),
    Page(
        "compare/*.md",
        "Compare: <quantity>",
        "landing",
        "compare.md",
        in_nav=False,
        searched=False,
        maker="compare",
    ),
    Page(
        "correlations.md",
        "Correlations",
        "overview",
        "correlations.md",
        "Correlations recomputed from the datasets, with robustness checks.",
        ("correlation", "analyses"),
        section="Correlations",
        maker="correlations",
    ),
    Page(
        "compatibility.md",
        "Strategy compatibility",
        "overview",
        "compatibility.md",
        "Which strategies have been combined, with what result.",
        section="Correlations",
        maker="compatibility",
    ),
    Page(
        "coverage.md",
        "Descriptor coverage",
        "overview",
        "coverage.md",
        "Which descriptors are known for which strategy.",
        section="Correlations",
        maker="coverage",
    ),
    Page("graph.md", "Graph", "overview", "graph.md", "Every entry and relation, to explore.", maker="graph"),
    Page(
        "bibliography.md",
        "Bibliography",
        "overview",
        "bibliography.md",
        "Every reference, with the entries that cite it.",
        ("references", "papers", "BibTeX", "cite"),
        maker="bibliography",
    ),
    Page(
        "downloads.md",
        "Downloads",
        "overview",
        "downloads.md",
        "SQLite, graph, CSV and bibliography files of this version.",
        (
            "download",
            "data",
            "BibTeX",
            "RIS",
            "CSL-JSON",
            "cite",
            "citation",
            "CITATION.cff",
            "SQLite",
            "CSV",
            "GraphML",
            "JSON-LD",
        ),
        section="Downloads",
        maker="downloads",
    ),
    Page(
        "tutorial.md",
        "Querying from Python",
        "docs",
        text="Querying the knowledge base from Python: networkx and SQL.",
        section="Downloads",
    ),
    Page(
        "contributing.md",
        "Contributing",
        "overview",
        text="How to add or correct an entry.",
        section="Contributing",
        maker="contributing",
    ),
    Page(
        "common-errors.md",
        "Common errors",
        "docs",
        text="What each validation message means and how to fix it.",
        section="Contributing",
    ),
    Page(
        "about.md",
        "About",
        "docs",
        text="What limkb is, its licences and how to cite it.",
        words=("cite", "citation", "licence"),
    ),
    Page("developing.md", "Developing limkb", "docs", in_nav=False, searched=False),
)
"""Every page that is not an entry, in navigation order."""

PAGE_TITLES: dict[str, str] = {p.path: p.title for p in PAGES if p.origin == "overview" and not p.family}
"""Titles of the overview pages (generated, top level, linked to from CONTRIBUTING.md)."""

DOCS_TITLES: dict[str, str] = {p.path: p.title for p in PAGES if p.origin == "docs"}
"""Titles of the hand-written pages under ``docs/``."""


def title_of(path: str) -> str:
    """The registered title of the page at ``path``."""
    return next(p.title for p in PAGES if p.path == path)


def families() -> list[Page]:
    """The rows that stand for a family of pages (see :attr:`Page.family`)."""
    return [p for p in PAGES if p.family]


def registered(path: str) -> bool:
    """Whether the page at ``path`` is registered: a row's path, or a page of a family's."""
    return any(p.path == path for p in PAGES) or any(
        fnmatch.fnmatchcase(path, p.path) and path.count("/") == p.path.count("/") for p in families()
    )


def searched_pages() -> list[Page]:
    """The pages the site search finds, by path."""
    return sorted((p for p in PAGES if p.searched), key=lambda p: p.path)


def nav() -> list[Any]:
    """The ``nav:`` of ``mkdocs.yml`` as the registry gives it (YAML's lists and mappings)."""
    items: list[Any] = []
    sections: dict[str, list[Any]] = {}
    for page in PAGES:
        if not page.in_nav:
            continue
        item: Any = page.path if page.section_index else {page.title: page.path}
        if page.section is None:
            items.append(item)
        elif page.section in sections:
            sections[page.section].append(item)
        else:
            sections[page.section] = [item]
            items.append({page.section: sections[page.section]})
    return items


def _nav_line(item: Any, indent: str) -> list[str]:
    """One item of the nav as ``mkdocs.yml`` writes it, a section with its items below."""
    if isinstance(item, str):
        return [f"{indent}- {item}"]
    ((title, value),) = item.items()
    if isinstance(value, str):
        return [f"{indent}- {title}: {value}"]
    return [f"{indent}- {title}:", *(line for sub in value for line in _nav_line(sub, indent + "    "))]


def nav_yaml() -> str:
    """The ``nav:`` block to paste at the end of ``mkdocs.yml`` (its layout kept)."""
    return "\n".join(["nav:", *(line for item in nav() for line in _nav_line(item, "  "))]) + "\n"
