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
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from limkb.files import BuildCache, read_pickle, write_atomic, write_pickle
from limkb.schema.kinds import Entry, content_digest, iter_links, iter_sources

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase
    from limkb.site.context import RenderOptions, Site
    from limkb.site.overview import PlotCache

__all__ = ["KEYED", "Bounded", "Pieces", "Reads", "RenderMemo", "digest", "mentions"]

T = TypeVar("T")
_FORMAT = 4


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


KEYED = frozenset({"compare-files"})
"""The groups of :meth:`Pieces.keyed`, whose items stand for no one entry (each is kept by a hash
of what it is made from besides entries)."""


def still_exact(
    site: Site,
    kept: Mapping[str, tuple[Any, frozenset[str]]],
    changed: set[str],
    stale: set[str],
    *,
    keyed: bool = False,
) -> set[str]:
    """The ids of ``kept`` items that no change touches (:meth:`RenderMemo.stale`); with
    ``keyed``, the keys of items of a :data:`KEYED` group that read no changed entry."""
    if keyed:
        return {key for key, (_, needs) in kept.items() if needs.isdisjoint(changed)}
    return {
        i
        for i, (_, needs) in kept.items()
        if i not in stale and needs.isdisjoint(changed) and dict.__contains__(site.by_id, i)
    }


def digest(entry: Entry, history: object = None) -> str:
    """A hash of everything an entry holds and of its dates on the site."""
    return hashlib.sha256(f"{content_digest(entry)}\0{history!r}".encode()).hexdigest()


def file_key(document: object) -> str | None:
    """The path of an entry's file and the file cache's digest of its bytes
    (:meth:`~limkb.check.cache.FileCache.load`); None when the file cache did not read it. The
    same key, the same entry (an entry is validated from its file alone)."""
    found = getattr(document, "digest", None)
    return None if found is None else f"{getattr(document, 'path', '')}\0{found}"


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
        self.files: dict[str, str] = {}
        """id -> :func:`file_key` of the entry's file rendered last time (those the file cache read)."""
        self.history: dict[str, object] = {}
        """id -> the dates of the entry rendered last time (those that have any)."""
        self.next_files: dict[str, str] = {}
        self.next_history: dict[str, object] = {}
        """What :meth:`digests_of` found this time, made :attr:`files` and :attr:`history` by
        :meth:`remember`."""
        self.mentions: dict[str, frozenset[str]] = {}
        """id -> the ids the entry named last time (:func:`mentions`)."""
        self.results: dict[str, AnalysisResult] = {}
        self.pages: dict[str, tuple[str | Path, frozenset[str]]] = {}
        """id -> (page text, or the file it was written to, and the ids it depends on)."""
        self.fragments: dict[str, dict[str, tuple[Any, frozenset[str]]]] = {}
        """group -> id -> (the entry's piece of a page listing many entries: a browse row, a
        bibliography row, a search record ..., and the ids it depends on); see :class:`Pieces`."""
        self.rendered = 0
        """How many entry pages the last rendering made anew (the rest were reused)."""
        self.fresh: set[str] = set()
        """The ids of those pages."""
        self.changed: set[str] = set()
        """The ids of the entries (and results) that changed since the memo's last rendering."""
        self.unchanged: set[str] = set()
        """The groups of :attr:`fragments` that the last rendering kept exactly as it read them
        (:meth:`Pieces.keep`): :meth:`write` links their files from the last build's."""
        self.joined: dict[str, tuple[str, str]] = {}
        """page -> (the key of what it was joined from, its text): the pages joined from pieces
        (:meth:`Pieces.joined`)."""
        self.rejoined: set[str] = set()
        """The pages of :attr:`joined` the last rendering joined anew (the others were kept)."""
        self.wholes: dict[str, tuple[str, str, frozenset[str]]] = {}
        """page -> (the key of the entries it lists, its text, the ids it read): the pages kept
        whole (:meth:`Pieces.whole`)."""
        self._shards: dict[str, tuple[str, Path]] = {}
        """group -> (the token of the file its pieces were read from, that file)."""

    def digests_of(self, site: Site) -> dict[str, str]:
        """Every entry's :func:`digest`, by id. An entry read from the same file bytes as last
        time (the file cache's digest of its file, :func:`file_key`) with the same dates keeps
        the digest the memo holds: only the entries of changed files are serialised and hashed.
        Notes each entry's file key for the next rendering (:attr:`files`)."""
        history = site.options.history or {}
        documents = getattr(site.kb, "_documents", {})
        old_files, old_digests, old_history = self.files, self.digests, self.history
        files: dict[str, str] = {}
        found: dict[str, str] = {}
        for i, e in dict.items(site.by_id):
            key = file_key(documents.get(i))
            dates = history.get(i)
            kept = old_digests.get(i)
            if key is not None:
                files[i] = key
                if kept is not None and old_files.get(i) == key and old_history.get(i) == dates:
                    found[i] = kept
                    continue
            found[i] = digest(e, dates)
        self.next_files, self.next_history = files, {i: history[i] for i in found if i in history}
        return found

    def reusable(
        self,
        site: Site,
        digests: dict[str, str],
        kept: Mapping[str, tuple[Any, frozenset[str]]] | None = None,
    ) -> set[str]:
        """Ids whose entry page (or, with ``kept``, whose item there: a browse row) from the last
        rendering is still exact (``digests``: :meth:`digests_of`)."""
        kept = self.pages if kept is None else kept
        found = self.stale(site, digests)
        return set() if found is None else still_exact(site, kept, *found)

    def stale(self, site: Site, digests: dict[str, str]) -> tuple[set[str], set[str]] | None:
        """What changed since the memo's rendering (entries and results) and the ids an item of
        is stale for whatever it read (the changed ones and those they name, before or after);
        None when the options differ, which makes everything anew. Call it before
        :meth:`remember` replaces what it compares with."""
        if self.options is None or self.options != _comparable(site.options):
            return None
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
        return changed, stale

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
        self.files, self.history = self.next_files, self.next_history
        self.results = dict(site.results)
        self.pages = pages

    # -- kept between builds -------------------------------------------------------------

    @classmethod
    def read(cls, path: Path | None) -> RenderMemo:
        """The memo a build wrote to ``path`` (its hub pages' pieces in the files beside it,
        :attr:`~limkb.files.BuildCache.render_pieces`); a new one when there is none or it does
        not load. A group whose file is missing or is not the one ``path`` names is left out
        (its pieces are made again)."""
        memo = cls()
        found = read_pickle(path)
        if not isinstance(found, dict) or found.get("format") != _FORMAT or found.get("code") != _code():
            return memo
        assert path is not None
        memo.options, memo.digests, memo.mentions = found["options"], found["digests"], found["mentions"]
        memo.results, memo.pages, memo.joined = found["results"], found["pages"], found["joined"]
        memo.files, memo.history, memo.wholes = found["files"], found["history"], found["wholes"]
        folder = BuildCache(path.parent).render_pieces
        for group, token in found["groups"].items():
            shard = folder / _shard_name(group)
            kept = read_pickle(shard)
            if isinstance(kept, dict) and kept.get("token") == token and kept.get("group") == group:
                memo.fragments[group] = kept["items"]
                memo._shards[group] = (token, shard)
        return memo

    def write(self, path: Path) -> None:
        """Keep what the next build can reuse (not the plots: they have a cache of their own):
        the memo at ``path``, each group of pieces in a file of its own beside it, written only
        when the group changed and otherwise linked from the file it was read from."""
        folder = BuildCache(path.parent).render_pieces
        folder.mkdir(parents=True, exist_ok=True)
        groups = {group: self._write_shard(folder, group, items) for group, items in self.fragments.items()}
        wanted = {_shard_name(group) for group in groups}
        for stale in os.listdir(folder):
            if stale not in wanted:
                (folder / stale).unlink(missing_ok=True)
        state = {
            "format": _FORMAT,
            "code": _code(),
            "options": self.options,
            "digests": self.digests,
            "files": self.files,
            "history": self.history,
            "mentions": self.mentions,
            "results": self.results,
            "pages": self.pages,
            "joined": self.joined,
            "wholes": self.wholes,
            "groups": groups,
        }
        write_pickle(path, state)

    def _write_shard(self, folder: Path, group: str, items: dict[str, tuple[Any, frozenset[str]]]) -> str:
        """The token of ``group``'s file in ``folder``: the one read, linked, when the group is
        unchanged; else a new one, written. Never written through a link another build shares."""
        target = folder / _shard_name(group)
        kept = self._shards.get(group)
        if kept is not None and group in self.unchanged:
            token, source = kept
            with contextlib.suppress(OSError):
                if not (target.exists() and os.path.samefile(source, target)):
                    target.unlink(missing_ok=True)
                    os.link(source, target)
                return token
        token = secrets.token_hex(16)
        target.unlink(missing_ok=True)
        write_pickle(target, {"token": token, "group": group, "items": items})
        return token


def _shard_name(group: str) -> str:
    """The file of a group of pieces (group names hold slashes and colons)."""
    return hashlib.sha256(group.encode()).hexdigest()[:32] + ".pickle"


class Pieces:
    """The per-entry pieces of the pages that list many entries, for one rendering.

    A hub page (a browse table, the bibliography, the agenda, the search index ...) is joined
    from one piece per entry. :meth:`piece` takes a piece from the memo when it is still exact
    by the same rule as entry pages (:meth:`RenderMemo.reusable`: its entry did not change, no
    entry it read changed, no changed entry names it), and otherwise makes it, noting the ids
    it reads. A group names one list of pieces (one page's rows) and whatever the pieces share
    besides entries (the columns of a matrix): a group whose name changes is made anew. Without
    a memo every piece is made. :meth:`keep` hands this rendering's pieces to the memo.
    """

    def __init__(self, site: Site, memo: RenderMemo | None, digests: dict[str, str]) -> None:
        self.site = site
        self.memo = memo
        self.digests = digests
        self.made: dict[str, dict[str, tuple[Any, frozenset[str]]]] = {}
        self._reusable: dict[str, set[str]] = {}
        self._stale = memo.stale(site, digests) if memo is not None else None
        self.counts: dict[str, int] = {}
        """group -> how many pieces this rendering made anew (the rest were reused)."""
        self._remade: dict[str, list[str]] = {}
        """group -> the ids (or keys) of the pieces made anew, in order."""
        self.joined_pages: dict[str, tuple[str, str]] = {}
        """page -> (key, text) of the pages :meth:`joined` gave in this rendering."""
        self.rejoined: set[str] = set()
        """The pages :meth:`joined` (or :meth:`whole`) made anew (the others were the memo's text)."""
        self.whole_pages: dict[str, tuple[str, str, frozenset[str]]] = {}
        """page -> (key, text, ids read) of the pages :meth:`whole` gave in this rendering."""

    def piece(self, group: str, entry_id: str, make: Callable[[], T]) -> T:
        """The piece of ``entry_id`` in ``group``: kept from the memo, or ``make()``."""
        recording = self.site.by_id
        if self.memo is None or not isinstance(recording, Reads):
            return make()
        made = self.made.setdefault(group, {})
        kept = self.memo.fragments.get(group, {})
        if group not in self._reusable:
            found = self._stale
            self._reusable[group] = (
                set() if found is None or not kept else still_exact(self.site, kept, *found)
            )
        if entry_id in self._reusable[group]:
            made[entry_id] = kept[entry_id]
            value: T = kept[entry_id][0]
            return value
        value, reads = self._recorded({entry_id}, make)
        entry = dict.get(recording, entry_id)
        needs = reads | (mentions(entry, self.site.kb) if entry is not None else set())
        made[entry_id] = (value, frozenset(needs))
        self._remade.setdefault(group, []).append(entry_id)
        self.counts[group] = self.counts.get(group, 0) + 1
        return value

    def keyed(self, group: str, key: str, make: Callable[[], T]) -> T:
        """A piece that stands for no one entry (a compare family's files), kept in ``group`` by
        ``key``, a hash of everything it is made from besides entries: taken from the memo when
        the last rendering made the same key and no entry it looked up changed since (the
        options unchanged), otherwise ``make()``, noting the ids it reads."""
        if group not in KEYED:
            raise ValueError(f"{group!r} is not a keyed group (memo.KEYED)")
        recording = self.site.by_id
        if self.memo is None or not isinstance(recording, Reads):
            return make()
        made = self.made.setdefault(group, {})
        kept = self.memo.fragments.get(group, {}).get(key)
        if kept is not None and self._stale is not None and kept[1].isdisjoint(self._stale[0]):
            made[key] = kept
            value: T = kept[0]
            return value
        value, reads = self._recorded(set(), make)
        made[key] = (value, frozenset(reads))
        self._remade.setdefault(group, []).append(key)
        self.counts[group] = self.counts.get(group, 0) + 1
        return value

    def joined(self, page: str, group: str, inputs: str, join: Callable[[], str]) -> str:
        """The text of ``page``, joined by ``join()`` from the pieces this rendering took so far
        for ``group`` (in that order) and ``inputs``: everything else the page shows, as text.
        The memo's text of the page is given instead when the last rendering joined it from the
        same pieces in the same order and the same ``inputs``: every piece of the group reused
        or made equal to the one it replaces (:meth:`_same`), the options unchanged."""
        if self.memo is None or not isinstance(self.site.by_id, Reads):
            return join()
        items = self.made.get(group, {})
        order = hashlib.sha256()
        order.update(f"{page}\0{group}\0{inputs}\0".encode())
        order.update("\0".join(items).encode())
        key = order.hexdigest()
        kept = self.memo.joined.get(page)
        if (
            kept is not None
            and kept[0] == key
            and self._stale is not None
            and (
                self._same(group, items, self.memo.fragments) or not (items or self.memo.fragments.get(group))
            )
        ):
            text = kept[1]
        else:
            text = join()
            self.rejoined.add(page)
        self.joined_pages[page] = (key, text)
        return text

    def whole(self, page: str, listed: list[str], make: Callable[[], str]) -> str:
        """The text of ``page``, made by ``make()`` from the entries ``listed`` (all it iterates
        over, in order) and whatever ids it looks up. The memo's text is given instead when the
        last rendering made the page from the same listed ids and no entry among them or among
        those it looked up (found or not) changed since, the options unchanged."""
        if self.memo is None or not isinstance(self.site.by_id, Reads):
            return make()
        key = hashlib.sha256("\0".join([page, *listed]).encode()).hexdigest()
        kept = self.memo.wholes.get(page)
        if (
            kept is not None
            and kept[0] == key
            and self._stale is not None
            and kept[2].isdisjoint(self._stale[0])
        ):
            self.whole_pages[page] = kept
            return kept[1]
        text, reads = self._recorded(set(listed), make)
        self.whole_pages[page] = (key, text, frozenset(reads))
        self.rejoined.add(page)
        return text

    def _recorded(self, start: set[str], make: Callable[[], T]) -> tuple[T, set[str]]:
        """``make()``, and the ids it looked up (from ``start``); those ids count as read by the
        piece being made around it too, if any."""
        recording = self.site.by_id
        assert isinstance(recording, Reads)
        outer = recording.reads
        recording.reads = start
        try:
            value = make()
            reads = recording.reads
        finally:
            recording.reads = outer
        if outer is not None:
            outer |= reads
        return value, reads

    def keep(self) -> None:
        """Make this rendering's pieces the memo's (groups not made this time are forgotten),
        noting the groups that came out exactly as the memo held them."""
        if self.memo is not None and isinstance(self.site.by_id, Reads):
            kept = self.memo.fragments
            self.memo.unchanged = {
                group for group, items in self.made.items() if self._same(group, items, kept)
            }
            self.memo.fragments = self.made
            self.memo.joined, self.memo.rejoined = self.joined_pages, self.rejoined
            self.memo.wholes = self.whole_pages

    def _same(
        self, group: str, items: dict[str, tuple[Any, frozenset[str]]], kept: dict[str, dict[str, Any]]
    ) -> bool:
        """Whether ``group``'s pieces equal the memo's: the same ids, and each piece made anew
        equal to the one it replaces (what it shows and what it read). Linear in the pieces
        made, not in the group."""
        old = kept.get(group)
        if old is None or len(old) != len(items):
            return False
        return all(key in old and old[key] == items[key] for key in self._remade.get(group, ()))


def _code() -> str:
    from limkb._version import code_digest

    return code_digest()
