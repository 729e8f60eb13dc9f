"""What ``limkb serve`` keeps between renderings, so that an edit re-renders only what it changes.

A :class:`RenderMemo` belongs to whoever renders repeatedly (the MkDocs plugin while it
serves); one-off renderings take none and keep nothing. It holds the entry pages of the last
rendering with the ids each one read, the texts of pages by a hash of their input, and the
plots drawn, each bounded in size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from limkb.schema.kinds import Entry, iter_links, iter_sources

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.site.context import RenderOptions, Site
    from limkb.site.overview import PlotCache

__all__ = ["Bounded", "Reads", "RenderMemo", "mentions"]

T = TypeVar("T")


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


def mentions(entry: Entry) -> set[str]:
    """Every id an entry names: its relations' targets and the references it cites."""
    return {link.target for link in iter_links(entry)} | {source.ref for _, source in iter_sources(entry)}


class RenderMemo:
    """Entry pages of the last rendering and what each one read, kept between renderings (``limkb serve``).

    An entry page shows its entry, its relations (stated by it or by the entry at the other
    end) and the labels, kinds and DOIs of the entries it looks up. So after an edit, a page
    is rendered again when its entry changed, when it looked up an entry that changed, or
    when a changed entry names it (before or after the change); an analysis page also when
    its computed result changed. Every other entry page is reused as it was. Entries count
    as unchanged only while they are the very same objects (see
    :class:`limkb.check.validate.FileCache`), and different options render everything.
    """

    def __init__(self) -> None:
        from limkb.site.overview import PlotCache

        self.texts: Bounded[str] = Bounded(50_000)
        """Entry page texts by a hash of everything the page shows."""
        self.plots: PlotCache = PlotCache()
        """Plots drawn, by a hash of their results."""
        self.options: RenderOptions | None = None
        self.entries: dict[str, Entry] = {}
        self.results: dict[str, AnalysisResult] = {}
        self.pages: dict[str, tuple[str, frozenset[str]]] = {}
        """id -> (page text, ids it depends on)."""
        self.rendered = 0
        """How many entry pages the last rendering made anew (the rest were reused)."""

    def reusable(self, site: Site) -> set[str]:
        """Ids whose entry page from the last rendering is still exact."""
        if self.options != site.options:
            return set()
        ids = set(self.entries) | set(site.by_id)
        changed = {i for i in ids if self.entries.get(i) is not dict.get(site.by_id, i)}
        changed |= {
            i for i in set(self.results) | set(site.results) if self.results.get(i) != site.results.get(i)
        }
        stale = set(changed)
        for entry_id in changed:
            for entry in (self.entries.get(entry_id), dict.get(site.by_id, entry_id)):
                if entry is not None:
                    stale |= mentions(entry)
        stale |= {i for i, (_, needs) in self.pages.items() if not needs.isdisjoint(changed)}
        return {i for i in self.pages if i not in stale and dict.__contains__(site.by_id, i)}

    def remember(self, site: Site, pages: dict[str, tuple[str, frozenset[str]]]) -> None:
        self.options = site.options
        self.entries = dict(site.by_id)
        self.results = dict(site.results)
        self.pages = pages
