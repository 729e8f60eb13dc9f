"""What validation hands on: the :class:`Validated` outcome, and the one way a check reports.

Every check in :mod:`limkb.check` states its problem through :func:`report_at`, which finds
the line and column of a place in the entry's file only when there is something to report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from limkb.check.reader import Document, Mark
from limkb.report import Problem, Report, Severity
from limkb.schema.kinds import Entry, LinkRef, iter_links, iter_sources

__all__ = ["Edge", "EntryLinks", "Validated", "Where", "display_path", "entry_links", "problem", "report_at"]

Edge = tuple[str, str, str, tuple[tuple[str, str | None], ...], str | None, str | None, str | None]
"""One relation an entry states, as the graph links it: (target, relation, inverse relation,
its sources as (ref, locator), note, evidence, editorial)."""

EntryLinks = tuple[tuple[Edge, ...], tuple[str, ...]]
"""What the graph reads of one entry: its relations to other ids (:data:`Edge`), and the
references it cites (every source, :func:`~limkb.schema.kinds.iter_sources`)."""


@dataclass
class Validated:
    """The outcome of validation: the entries that passed their schema, and the report."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    invalid: set[str] = field(default_factory=set)
    """Ids of files that exist but failed their schema (so links to them are not dangling)."""
    partial: dict[str, Entry] = field(default_factory=dict)
    """Entries of ``invalid`` built from their valid fields only, for cross-entry checks."""
    _links: dict[str, tuple[Entry, list[LinkRef]]] = field(default_factory=dict, repr=False, compare=False)
    """What :meth:`links_of` found, with the entry it was found in."""
    linked: dict[str, EntryLinks] = field(default_factory=dict, repr=False, compare=False)
    """:func:`entry_links` of the checked entries, by id, as the rules found or reused them."""

    def checked(self) -> dict[str, Entry]:
        """Complete and partial entries: everything whose relations can be checked."""
        return {**self.entries, **self.partial}

    def links_of(self, entry_id: str, entry: Entry) -> list[LinkRef]:
        """:func:`~limkb.schema.kinds.iter_links` of ``entry`` (the entry of ``entry_id``), walked
        once however many rules read it; the list is shared, so callers do not change it."""
        kept = self._links.get(entry_id)
        if kept is None or kept[0] is not entry:
            kept = self._links[entry_id] = (entry, iter_links(entry))
        return kept[1]


def entry_links(entry_id: str, entry: Entry, links: list[LinkRef]) -> EntryLinks:
    """What the graph reads of ``entry``: its relations to other ids and the references it
    cites; ``links`` is :func:`~limkb.schema.kinds.iter_links` of it."""
    edges = tuple(
        (
            link.target,
            link.relation,
            link.rel.inverse,
            tuple((source.ref, source.locator) for source in link.sources),
            link.note if link.relation != "cited_in" else None,
            link.evidence,
            link.editorial,
        )
        for link in links
        if link.target != entry_id
    )
    return edges, tuple(source.ref for _, source in iter_sources(entry, links))


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when below it, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def problem(
    path: str,
    line: int,
    col: int,
    code: str,
    message: str,
    hint: str,
    *,
    severity: Severity = Severity.ERROR,
    entry: str | None = None,
) -> Problem:
    """A :class:`~limkb.report.Problem` (errors unless told otherwise)."""
    return Problem(path, line, col, severity, code, message, hint, entry)


class Where:
    """The position of the first of ``locs`` that is located in the file (else of the last),
    looked up only when a problem is reported: positions cost a second parse of the file."""

    __slots__ = ("_document", "_locs", "_mark")

    def __init__(self, document: Document, *locs: tuple[Any, ...]) -> None:
        self._document = document
        self._locs = locs
        self._mark: Mark | None = None

    def _get(self) -> Mark:
        if self._mark is None:
            marks = self._document.marks
            here = next((loc for loc in self._locs[:-1] if loc in marks), self._locs[-1])
            self._mark = self._document.mark(here)
        return self._mark

    @property
    def line(self) -> int:
        return self._get().line

    @property
    def col(self) -> int:
        return self._get().col


def report_at(
    report: Report,
    document: Document,
    at: tuple[Any, ...] | Where | Mark,
    code: str,
    message: str,
    hint: str,
    *,
    entry: str | None = None,
    severity: Severity = Severity.ERROR,
) -> None:
    """Add to ``report`` a problem at ``at`` in ``document``: a path of keys and indices
    into the entry (its value's position), or a position already found."""
    m = document.mark(at) if isinstance(at, tuple) else at
    report.add(problem(document.path, m.line, m.col, code, message, hint, severity=severity, entry=entry))
