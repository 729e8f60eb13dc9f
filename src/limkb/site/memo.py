"""What renderings keep between them, so that an edit re-renders only what it changes.

A :class:`RenderMemo` belongs to whoever renders repeatedly: the MkDocs plugin while it
serves, and ``limkb build``, which keeps it in ``build/cache/`` for the next build
(:meth:`RenderMemo.read`, :meth:`RenderMemo.write`). One-off renderings take none and keep
nothing. It holds the entry pages of the last rendering with the ids each one read, a digest
of every entry, the texts of pages by a hash of their input, and the plots drawn, each
bounded in size.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from limkb.files import read_pickle, write_atomic, write_pickle
from limkb.schema.kinds import Entry, content_digest, iter_links, iter_sources

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase
    from limkb.site.context import RenderOptions, Site
    from limkb.site.overview import PlotCache

__all__ = ["Bounded", "Reads", "RenderMemo", "digest", "mentions"]

T = TypeVar("T")
_FORMAT = 1


class Bounded(Generic[T]):
    """A mapping of hashes to values that forgets everything once it holds ``limit`` of them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: dict[str, T] = {}

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def put(self, key: str, value: T) -> None:
        if len(self._items) >= self.limit:
            self._items.clear()
        self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


class SvgStore:
    """Drawings (SVG text) by a hash of what they are drawn from: in memory (bounded), else in a
    folder (across processes), else drawn, and then kept in both. Plots and structure drawings
    share it."""

    def __init__(self, limit: int) -> None:
        self._svgs: Bounded[str] = Bounded(limit)

    def svg(self, key: str, draw: Callable[[], str], folder: Path | None) -> str:
        """The SVG of ``key`` from memory, else from ``folder``, else ``draw()`` it (and keep it)."""
        svg = self._svgs.get(key)
        if svg is None and folder is not None:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                svg = (folder / f"{key}.svg").read_text(encoding="utf-8")
        if svg is None:
            svg = draw()
            if folder is not None:
                try:
                    write_atomic(folder / f"{key}.svg", svg)
                except OSError as error:  # a read-only checkout only loses the shortcut
                    logging.getLogger(__name__).info("could not keep a drawing in %s: %s", folder, error)
        self._svgs.put(key, svg)
        return svg


class Reads(dict[str, Entry]):
    """The entries of a site, noting every id looked up (found or not) while ``reads`` is a set."""

    reads: set[str] | None = None

    def get(self, key: str, default: Any = None) -> Any:
        if self.reads is not None:
            self.reads.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Entry:
        if self.reads is not None:
            self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if self.reads is not None and isinstance(key, str):
            self.reads.add(key)
        return super().__contains__(key)


def mentions(entry: Entry, kb: KnowledgeBase | None = None) -> set[str]:
    """Every id an entry names: its relations' targets and the references it cites; with ``kb``,
    also the ends of the edges the graph adds for it (the materials a dataset's shorthand
    electrolytes resolve to, the entries holding the findings a claim weighs)."""
    found = {link.target for link in iter_links(entry)} | {source.ref for _, source in iter_sources(entry)}
    if kb is not None and entry.id in kb:
        found |= {r.target for r in kb.relations(entry.id, direction="out")}
    return found


def digest(entry: Entry, history: object = None) -> str:
    """A hash of everything an entry holds and of its dates on the site."""
    return hashlib.sha256(f"{content_digest(entry)}\0{history!r}".encode()).hexdigest()


def _comparable(options: RenderOptions) -> RenderOptions:
    """The options as far as entry pages show them (the dates of each entry go into its digest)."""
    return dataclasses.replace(options, history=None, downloads=None, contributing=None, plot_cache=None)


class RenderMemo:
    """Entry pages of the last rendering and what each one read, kept between renderings.

    An entry page shows its entry, its relations (stated by it or by the entry at the other
    end) and the labels, kinds and DOIs of the entries it looks up. So after an edit, a page
    is rendered again when its entry changed, when it looked up an entry that changed, or
    when a changed entry names it (before or after the change); an analysis page also when
    its computed result changed. Every other entry page is reused as it was. An entry counts
    as changed when its :func:`digest` did (its content, or its dates), and options that
    entry pages show, when different, render everything.
    """

    def __init__(self) -> None:
        from limkb.site.overview import PlotCache

        self.texts: Bounded[str] = Bounded(50_000)
        """Entry page texts by a hash of everything the page shows."""
        self.plots: PlotCache = PlotCache()
        """Plots drawn, by a hash of their results."""
        self.options: RenderOptions | None = None
        self.digests: dict[str, str] = {}
        """id -> :func:`digest` of the entry rendered last time."""
        self.mentions: dict[str, frozenset[str]] = {}
        """id -> the ids the entry named last time (:func:`mentions`)."""
        self.results: dict[str, AnalysisResult] = {}
        self.pages: dict[str, tuple[str | Path, frozenset[str]]] = {}
        """id -> (page text, or the file it was written to, and the ids it depends on)."""
        self.rows: dict[str, tuple[dict[str, Any], frozenset[str]]] = {}
        """id -> (the entry's row in its browse table, and the ids it depends on)."""
        self.rendered = 0
        """How many entry pages the last rendering made anew (the rest were reused)."""
        self.fresh: set[str] = set()
        """The ids of those pages."""
        self.changed: set[str] = set()
        """The ids of the entries (and results) that changed since the memo's last rendering."""

    @staticmethod
    def digests_of(site: Site) -> dict[str, str]:
        history = site.options.history or {}
        return {i: digest(e, history.get(i)) for i, e in dict.items(site.by_id)}

    def reusable(
        self,
        site: Site,
        digests: dict[str, str],
        kept: Mapping[str, tuple[Any, frozenset[str]]] | None = None,
    ) -> set[str]:
        """Ids whose entry page (or, with ``kept``, whose item there: a browse row) from the last
        rendering is still exact (``digests``: :meth:`digests_of`)."""
        kept = self.pages if kept is None else kept
        if self.options is None or self.options != _comparable(site.options):
            return set()
        ids = set(self.digests) | set(digests)
        changed = {i for i in ids if self.digests.get(i) != digests.get(i)}
        changed |= {
            i for i in set(self.results) | set(site.results) if self.results.get(i) != site.results.get(i)
        }
        self.changed = changed
        stale = set(changed)
        for entry_id in changed:
            stale |= self.mentions.get(entry_id, frozenset())
            entry = dict.get(site.by_id, entry_id)
            if entry is not None:
                stale |= mentions(entry, site.kb)
        stale |= {i for i, (_, needs) in kept.items() if not needs.isdisjoint(changed)}
        return {i for i in kept if i not in stale and dict.__contains__(site.by_id, i)}

    def remember(
        self, site: Site, pages: dict[str, tuple[str | Path, frozenset[str]]], digests: dict[str, str]
    ) -> None:
        self.options = _comparable(site.options)
        old = self.digests
        self.mentions = {
            i: self.mentions[i]
            if i in self.mentions and old.get(i) == digests[i]
            else frozenset(mentions(e, site.kb))
            for i, e in dict.items(site.by_id)
        }
        self.digests = digests
        self.results = dict(site.results)
        self.pages = pages

    # -- kept between builds -------------------------------------------------------------

    @classmethod
    def read(cls, path: Path | None) -> RenderMemo:
        """The memo a build wrote to ``path``; a new one when there is none or it does not load."""
        memo = cls()
        found = read_pickle(path)
        if not isinstance(found, dict) or found.get("format") != _FORMAT or found.get("code") != _code():
            return memo
        memo.options, memo.digests, memo.mentions = found["options"], found["digests"], found["mentions"]
        memo.results, memo.pages, memo.rows = found["results"], found["pages"], found.get("rows", {})
        return memo

    def write(self, path: Path) -> None:
        """Keep what the next build can reuse (not the plots: they have a cache of their own)."""
        state = {
            "format": _FORMAT,
            "code": _code(),
            "options": self.options,
            "digests": self.digests,
            "mentions": self.mentions,
            "results": self.results,
            "pages": self.pages,
            "rows": self.rows,
        }
        write_pickle(path, state)


def _code() -> str:
    from limkb._version import code_digest

    return code_digest()
