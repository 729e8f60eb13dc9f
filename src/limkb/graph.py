"""The link stage: typed entries by id plus a graph of their relations, readable both ways.

:func:`link` turns validated entries into a :class:`KnowledgeBase`. Its ``graph`` is a
``networkx.MultiDiGraph`` with one node per entry (attributes ``kind`` and ``name``) and one
edge per relation, pointing from the entry that states it to the entry it names, keyed by
the relation field (``forms``) and carrying the inverse reading (``formed by``), the
relation's own ``sources`` as a list of ``{"ref", "locator"}`` mappings, and its ``note``
and ``evidence``. Everything on the graph is plain JSON-friendly data, so node-link and
GraphML exports need no conversion beyond scalars.

Citations (``sources``) are not relations; :meth:`KnowledgeBase.citing` indexes them.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from limkb.check.reader import Document, load_file
from limkb.check.result import EntryLinks, entry_links
from limkb.errors import UnknownEntryError
from limkb.report import Report, close_matches
from limkb.schema.fields import Component, Finding
from limkb.schema.kinds import (
    FOLDERS,
    KINDS,
    Claim,
    Column,
    Dataset,
    Entry,
    Evidence,
    Link,
    Material,
    Record,
    Source,
    Strategy,
    relation_fields,
)
from limkb.search import SearchIndex

if TYPE_CHECKING:
    import networkx as nx
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from limkb.analysis.correlations import AnalysisResult
    from limkb.analysis.findings import FindingTable
    from limkb.analysis.inputs import Inputs
    from limkb.check.validate import Validated

__all__ = ["RELATION_NAMES", "DatasetTable", "KnowledgeBase", "Relation", "link", "use_sql_view"]

log = logging.getLogger(__name__)

Direction = Literal["out", "in", "both"]

SqlView = Callable[["KnowledgeBase"], "Engine"]
"""Builds the SQL engine of a KB (:attr:`KnowledgeBase.engine`); see :func:`use_sql_view`."""

_SQL_VIEW: list[SqlView] = []


def use_sql_view(view: SqlView) -> None:
    """Make ``view`` what builds :attr:`KnowledgeBase.engine` (set by ``limkb/__init__.py``).

    The SQLite tables live in :mod:`limkb.outputs`, a layer above this one, so the engine's
    builder is handed down rather than imported (:mod:`limkb.sqlview`).
    """
    _SQL_VIEW[:] = [view]


def _relation_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for model in KINDS.values():
        for name, rel in relation_fields(model).items():
            names[name] = rel.inverse
    names["column_of"] = relation_fields(Column)["property"].inverse
    names["component"] = relation_fields(Component)["material"].inverse
    names["x_variable"] = names["y_variable"] = "variable of"
    names["finding_about"] = relation_fields(Finding)["quantity"].inverse
    names["exemplifies"] = relation_fields(Record)["strategies"].inverse
    names["informs"] = relation_fields(Finding)["informs"].inverse
    names["evidence"] = relation_fields(Evidence)["analysis"].inverse
    return names


RELATION_NAMES: dict[str, str] = _relation_names()
"""Every relation name an edge can carry, with its inverse reading."""


@dataclass(frozen=True)
class Relation:
    """One edge of the graph, readable both ways: ``source relation target``."""

    source: str
    target: str
    relation: str
    inverse: str
    sources: tuple[Source, ...] = ()
    note: str | None = None
    evidence: str | None = None
    editorial: str | None = None
    """Why the relation needs no source, when it has none and says so."""

    def reading(self, entry_id: str) -> tuple[str, str]:
        """The relation as seen from ``entry_id``: (verb, other id), e.g. ``("formed by", "fec-additive")``."""
        if entry_id == self.source:
            return self.relation.replace("_", " "), self.target
        return self.inverse, self.source


@dataclass
class DatasetTable:
    """A dataset's rows as plain records, ready for analysis or a data frame.

    Each record maps ``label``, every column name to its value (in the column's unit, see
    ``units``), ``ref`` and ``locator`` (the row's own source, else the dataset's first), then
    ``electrolyte`` (as written, the record's or else the dataset's), ``components`` (a list
    of ``{"material", "role", "amount", "unit"}``), ``conditions`` (the dataset's merged with
    the record's; quantities as ``{"value", "unit"}``), ``descriptors`` (``frac_f`` ...,
    computed from the electrolyte; empty when they cannot be), ``strategies`` and ``computed``
    (each property no column holds but one column's property defines or is defined by, by id,
    computed by the defining expression in the property's unit: CE where the dataset reports LCE).
    """

    id: str
    columns: list[Column]
    records: list[dict[str, Any]]

    @property
    def units(self) -> dict[str, str | None]:
        """The unit of every column, by column name."""
        return {column.name: column.unit for column in self.columns}

    @property
    def fieldnames(self) -> list[str]:
        """The first keys of every record, in order: label, the columns, ref, locator."""
        return ["label", *(c.name for c in self.columns), "ref", "locator"]

    def column_of(self, property_id: str) -> str | None:
        """The name of the first column that holds ``property_id`` (None if no column does)."""
        return next((c.name for c in self.columns if c.property == property_id), None)

    def to_pandas(self) -> Any:
        """The records as a ``pandas.DataFrame``, one row per record (needs ``pip install limkb[pandas]``).

        Columns: label, the dataset's columns, ref, locator, electrolyte, components (a list per
        row), one column per condition (quantities as numbers in :data:`QUANTITY_UNITS`: mA cm-2,
        mAh cm-2, °C) and one per descriptor. A condition or descriptor named like a column of
        the dataset is prefixed ``condition_`` or ``descriptor_``.
        """
        try:
            pd = importlib.import_module("pandas")
        except ImportError as error:
            raise ImportError(
                "DatasetTable.to_pandas() needs pandas, an optional extra of limkb: "
                "pip install limkb[pandas] (or pip install pandas)"
            ) from error
        return pd.DataFrame.from_records(_flat_rows(self), columns=_flat_names(self))

    def __len__(self) -> int:
        return len(self.records)


def _flat_names(table: DatasetTable) -> list[str]:
    """The data frame's columns: the records' fields, every property computed from a column
    (named by its id), then every condition and descriptor met."""
    from limkb.analysis.descriptors import DESCRIPTORS

    taken = set(table.fieldnames) | {"electrolyte", "components"}
    conditions = sorted({k for r in table.records for k in r["conditions"] if k != "note"})
    descriptors = [d for d in DESCRIPTORS if any(d in r["descriptors"] for r in table.records)]
    return [
        *table.fieldnames,
        *_computed_names(table),
        "electrolyte",
        "components",
        *(f"condition_{k}" if k in taken else k for k in conditions),
        *(f"descriptor_{k}" if k in taken else k for k in descriptors),
    ]


def _computed_names(table: DatasetTable) -> list[str]:
    """The properties computed for some record (CE from an LCE column), by id, sorted."""
    return sorted({name for record in table.records for name in record.get("computed", {})})


def _flat_rows(table: DatasetTable) -> list[dict[str, Any]]:
    """Each record with its conditions and descriptors spread into columns of their own."""
    from limkb.analysis.records import QUANTITY_UNITS
    from limkb.schema.units import UnitError, convert

    taken = set(table.fieldnames) | {"electrolyte", "components"}
    rows = []
    for record in table.records:
        row = {name: record[name] for name in (*table.fieldnames, "electrolyte", "components")}
        row.update(record.get("computed", {}))
        for name, value in record["conditions"].items():
            if name == "note":
                continue
            if isinstance(value, dict):
                try:
                    value = convert(value["value"], value["unit"], QUANTITY_UNITS[name])
                except (UnitError, KeyError):
                    value = None
            row[f"condition_{name}" if name in taken else name] = value
        for name, value in record["descriptors"].items():
            row[f"descriptor_{name}" if name in taken else name] = value
        rows.append(row)
    return rows


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_matches(item, wanted) for item in value)
    if isinstance(value, Link):
        return bool(value.id == wanted)
    if isinstance(value, Source):
        return bool(value.ref == wanted)
    return bool(value == wanted)


def _source_dicts(sources: tuple[Source, ...]) -> list[dict[str, str | None]]:
    return [{"ref": s.ref, "locator": s.locator} for s in sources]


@dataclass
class KnowledgeBase:
    """The linked knowledge base: entries by id, their relation graph, and queries over both.

    Build one with :func:`limkb.load` (or :func:`link` from a validation result)::

        kb = limkb.load()
        kb["lif"].name                                   # 'Lithium fluoride (LiF)'
        [e.id for e in kb.related("lif", "forms", direction="in")]
    """

    root: Path
    graph: nx.MultiDiGraph[str]
    report: Report
    _entries: dict[str, Entry]
    _documents: dict[str, Document] = field(default_factory=dict, repr=False)
    _citing: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # --- pickling (the load cache): documents are re-read on demand -------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_documents"] = {}
        state["_cache"] = {}
        state.pop("_search_index", None)
        return state

    # --- mapping protocol ------------------------------------------------------------------

    def __getitem__(self, entry_id: str) -> Entry:
        """The entry with this id; :class:`~limkb.errors.UnknownEntryError` names close ids."""
        try:
            return self._entries[entry_id]
        except (KeyError, TypeError):
            raise UnknownEntryError(str(entry_id), self.suggest(str(entry_id))) from None

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __repr__(self) -> str:
        return f"<KnowledgeBase {self.root} ({len(self)} entries, {self.graph.number_of_edges()} relations)>"

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._entries.get(entry_id)

    def suggest(self, text: str, *, n: int = 3) -> list[str]:
        """Ids close to ``text``: spelling neighbours first, then entries that ``find`` it."""
        close = close_matches(text, list(self._entries), n=n, cutoff=0.6)
        for entry in self.find(text):
            if len(close) >= n:
                break
            if entry.id not in close:
                close.append(entry.id)
        return close

    # --- entries ---------------------------------------------------------------------------

    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]:
        """Entries of one kind (all when None), sorted by id, whose fields match ``filters``.

        A filter matches a field equal to the value (enums by their value), a list holding
        it, or a relation naming it: ``kb.entries("strategy", family="artificial-sei")``,
        ``kb.entries("material", roles="salt")``, ``kb.entries("strategy", forms="lif")``.
        Kinds may be given by folder name too (``"strategies"``).
        """
        model: type[Entry] | None = None
        if kind is not None:
            model = KINDS.get(kind) or FOLDERS.get(kind)
            if model is None:
                close = close_matches(kind, [*KINDS, *FOLDERS], n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ValueError(f"unknown kind {kind!r}{hint} (kinds: {', '.join(KINDS)})")
        models = [model] if model else list(KINDS.values())
        for name in filters:
            if not any(name in m.model_fields for m in models):
                fields = sorted({f for m in models for f in m.model_fields})
                close = close_matches(name, fields, n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ValueError(f"no entry of kind {kind or 'any'!r} has a field {name!r}{hint}")
        found = []
        for entry_id in sorted(self._entries):
            entry = self._entries[entry_id]
            if model is not None and type(entry) is not model:
                continue
            if all(
                name in type(entry).model_fields and _matches(getattr(entry, name), wanted)
                for name, wanted in filters.items()
            ):
                found.append(entry)
        return found

    def kinds(self) -> dict[str, int]:
        """How many entries of each kind the KB holds, in the order of :data:`~limkb.schema.kinds.KINDS`."""
        counts = dict.fromkeys(KINDS, 0)
        for entry in self._entries.values():
            counts[entry.kind] += 1
        return counts

    # --- relations -------------------------------------------------------------------------

    def _check(self, entry_id: str) -> None:
        if entry_id not in self._entries:
            raise UnknownEntryError(str(entry_id), self.suggest(str(entry_id)))

    def _check_relation(self, relation: str | None) -> None:
        if relation is None or relation in RELATION_NAMES or relation in RELATION_NAMES.values():
            return
        names = [*RELATION_NAMES, *set(RELATION_NAMES.values())]
        close = close_matches(relation, names, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"unknown relation {relation!r}{hint}")

    def relations(self, entry_id: str, *, direction: Direction = "both") -> list[Relation]:
        """The relations of an entry: those it states (``out``), those naming it (``in``), or both."""
        self._check(entry_id)
        found: list[Relation] = []
        if direction in ("out", "both"):
            for _, target, key, data in self.graph.out_edges(entry_id, keys=True, data=True):
                found.append(self._relation(entry_id, target, key, data))
        if direction in ("in", "both"):
            for source, _, key, data in self.graph.in_edges(entry_id, keys=True, data=True):
                found.append(self._relation(source, entry_id, key, data))
        return found

    @staticmethod
    def _relation(source: str, target: str, key: str, data: dict[str, Any]) -> Relation:
        return Relation(
            source=source,
            target=target,
            relation=key,
            inverse=data.get("inverse", ""),
            sources=tuple(Source(ref=s["ref"], locator=s.get("locator")) for s in data.get("sources", [])),
            note=data.get("note"),
            evidence=data.get("evidence"),
            editorial=data.get("editorial"),
        )

    def related(
        self, entry_id: str, relation: str | None = None, *, direction: Direction = "out"
    ) -> list[Entry]:
        """Entries linked to ``entry_id``, sorted by id.

        ``direction="out"`` follows relations the entry states, ``"in"`` those stated about
        it, ``"both"`` either. ``relation`` limits the edges by name; an inverse reading
        works too and flips the direction: ``kb.related("lif", "formed by")`` equals
        ``kb.related("lif", "forms", direction="in")``.
        """
        self._check(entry_id)
        self._check_relation(relation)
        ids: set[str] = set()
        want_out = direction in ("out", "both")
        want_in = direction in ("in", "both")
        for _, target, key, data in self.graph.out_edges(entry_id, keys=True, data=True):
            if (relation is None and want_out) or (
                relation is not None
                and ((want_out and key == relation) or (want_in and data.get("inverse") == relation))
            ):
                ids.add(target)
        for source, _, key, data in self.graph.in_edges(entry_id, keys=True, data=True):
            if (relation is None and want_in) or (
                relation is not None
                and ((want_in and key == relation) or (want_out and data.get("inverse") == relation))
            ):
                ids.add(source)
        return [self._entries[i] for i in sorted(ids)]

    def path(self, a: str, b: str) -> list[str]:
        """The shortest chain of ids from ``a`` to ``b``, ignoring edge direction ([] if none).

        Among equally short chains the one that sorts first is returned, so the answer
        depends only on the entries, not on the order files were read in.
        """
        self._check(a)
        self._check(b)
        graph = self.graph
        previous: dict[str, str | None] = {a: None}
        level = [a]
        while level and b not in previous:
            following: list[str] = []
            for node in level:
                for neighbour in sorted(set(graph.successors(node)) | set(graph.predecessors(node))):
                    if neighbour not in previous:
                        previous[neighbour] = node
                        following.append(neighbour)
            level = following
        if b not in previous:
            return []
        chain: list[str] = []
        step: str | None = b
        while step is not None:
            chain.append(step)
            step = previous[step]
        return chain[::-1]

    def neighborhood(self, entry_id: str, radius: int = 1) -> nx.MultiDiGraph[str]:
        """The subgraph of entries within ``radius`` relations of ``entry_id`` (either direction)."""
        import networkx as nx

        self._check(entry_id)
        sub: nx.MultiDiGraph[str] = nx.ego_graph(self.graph, entry_id, radius=radius, undirected=True)
        return sub

    def subtree(self, strategy_id: str) -> list[str]:
        """The strategy and all its subtypes, transitively, breadth first and sorted per level."""
        self._check(strategy_id)
        found = [strategy_id]
        level = [strategy_id]
        seen = {strategy_id}
        while level:
            children = sorted(
                {
                    source
                    for parent in level
                    for source, _, key in self.graph.in_edges(parent, keys=True)
                    if key == "subtype_of" and source not in seen
                }
            )
            seen.update(children)
            found.extend(children)
            level = children
        return found

    def ancestors(self, strategy_id: str) -> list[str]:
        """The broader strategies of a strategy, nearest first (its ``subtype_of`` chain)."""
        chain: list[str] = []
        seen = {strategy_id}
        entry = self[strategy_id]
        while isinstance(entry, Strategy) and entry.subtype_of and entry.subtype_of not in seen:
            chain.append(entry.subtype_of)
            seen.add(entry.subtype_of)
            if entry.subtype_of not in self._entries:
                break
            entry = self._entries[entry.subtype_of]
        return chain

    def citing(self, reference_id: str) -> list[str]:
        """Ids of the entries that cite a reference, in any of their sources, sorted."""
        self._check(reference_id)
        return list(self._citing.get(reference_id, []))

    # --- text search -----------------------------------------------------------------------

    @cached_property
    def _search(self) -> SearchIndex:
        return SearchIndex(self._entries)

    def find(self, text: str) -> list[Entry]:
        """Entries whose id, name, aliases or formula match ``text``, best first (see :mod:`limkb.search`)."""
        return [self._entries[entry_id] for entry_id in self._search.find(text)]

    # --- files -----------------------------------------------------------------------------

    def file_of(self, entry_id: str) -> Path:
        """The YAML file of an entry (for "edit this entry" links and messages)."""
        entry = self[entry_id]
        return self.root / entry.folder / f"{entry.id}.yaml"

    def document(self, entry_id: str) -> Document | None:
        """The entry's parsed file with the position of every value (re-read when not in memory)."""
        self._check(entry_id)
        document = self._documents.get(entry_id)
        if document is None:
            path = self.file_of(entry_id)
            if path.is_file():
                document, _ = load_file(path)
                if document is not None:
                    self._documents[entry_id] = document
        return document

    def line_of(self, entry_id: str, loc: tuple[str | int, ...] = ()) -> int:
        """The line of a field (``("forms", 0)``) in the entry's file; 1 for the whole entry."""
        document = self.document(entry_id)
        if document is None:
            return 1
        return document.mark(tuple(loc)).line if loc else 1

    # --- data and derived views ------------------------------------------------------------

    def dataset(self, dataset_id: str) -> DatasetTable:
        """A dataset's records as dicts: column values (in the column units), source, electrolyte
        and its components, merged conditions and computed descriptors (see :class:`DatasetTable`)."""
        entry = self[dataset_id]
        if not isinstance(entry, Dataset):
            raise TypeError(f"{dataset_id!r} is a {entry.kind}, not a dataset")
        from limkb.analysis.records import measured_records

        records = [record.to_dict() for record in measured_records(entry, self.inputs)]
        return DatasetTable(entry.id, list(entry.columns), records)

    def findings(
        self, *, quantity: str | None = None, entry: str | None = None, ref: str | None = None
    ) -> FindingTable:
        """The findings, each stored once, as typed records (see :class:`~limkb.analysis.findings.FindingRecord`).

        ``quantity`` keeps the findings of one property, ``entry`` those recorded on an entry
        or informing it, ``ref`` those from one reference:
        ``kb.findings(quantity="coulombic-efficiency").to_pandas()``.
        """
        for wanted in (quantity, entry, ref):
            if wanted is not None:
                self._check(wanted)
        if "findings" not in self._cache:
            from limkb.analysis.findings import finding_records

            self._cache["findings"] = finding_records(self._entries, self.inputs.index)
        every: FindingTable = self._cache["findings"]
        return type(every)(
            r
            for r in every
            if (quantity is None or r.quantity == quantity)
            and (ref is None or r.ref == ref)
            and (entry is None or r.entry == entry or entry in r.informs)
        )

    @property
    def inputs(self) -> Inputs:
        """What analyses read of this KB (materials' names and data, descriptors per electrolyte), gathered once."""
        if "inputs" not in self._cache:
            from limkb.analysis.inputs import Inputs

            self._cache["inputs"] = Inputs(self)
        inputs: Inputs = self._cache["inputs"]
        return inputs

    @property
    def analyses(self) -> dict[str, AnalysisResult]:
        """Every declared analysis, computed on first access (see :mod:`limkb.analysis.correlations`)."""
        if "analyses" not in self._cache:
            from limkb.analysis.correlations import compute_all

            self._cache["analyses"] = compute_all(self)
        results: dict[str, AnalysisResult] = self._cache["analyses"]
        return results

    def reuse_analyses(
        self, keys: Mapping[str, str], kept: object
    ) -> tuple[dict[str, str], dict[str, AnalysisResult]]:
        """The analyses' results: each taken from ``kept`` (the keys and results of an earlier
        run) when its key in ``keys`` (:func:`~limkb.analysis.correlations.analysis_keys` of
        this KB) is the one kept there, the others computed; returns what to keep for next time.
        Anything else in ``kept`` (None, an older layout) reuses nothing."""
        if "analyses" not in self._cache:
            from limkb.analysis.correlations import compute_all

            old_keys, old_results = _kept_analyses(kept)
            known = {
                i: old_results[i] for i, key in keys.items() if old_keys.get(i) == key and i in old_results
            }
            self._cache["analyses"] = compute_all(self, known)
        return dict(keys), self.analyses

    @property
    def engine(self) -> Engine:
        """A SQLAlchemy engine over an in-memory database like ``build/kb.sqlite`` (built on first use).

        It holds the same tables, analysis results included; see :mod:`limkb.outputs.sqlite` and
        :mod:`limkb.sqlview`.
        """
        if "engine" not in self._cache:
            if not _SQL_VIEW:
                raise RuntimeError("no SQL view: import limkb (its __init__ sets limkb.sqlview.memory_view)")
            self._cache["engine"] = _SQL_VIEW[0](self)
        engine: Engine = self._cache["engine"]
        return engine

    def session(self) -> Session:
        """A SQLModel session on :attr:`engine`: ``with kb.session() as s: s.exec(select(...))``."""
        from sqlmodel import Session

        return Session(self.engine)


def _kept_analyses(kept: object) -> tuple[dict[str, str], dict[str, AnalysisResult]]:
    """The keys and results an earlier run kept (:meth:`KnowledgeBase.reuse_analyses`), or
    nothing when ``kept`` is not of that shape."""
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], dict) and isinstance(kept[1], dict):
        return kept[0], kept[1]
    return {}, {}


def link(validated: Validated) -> KnowledgeBase:
    """Build the :class:`KnowledgeBase` of the entries that passed validation.

    Relations to ids that are not entries (already reported by validation) are left out.
    networkx is imported here, not with the module, so that ``limkb validate`` never loads it.
    """
    import networkx as nx

    entries = {entry_id: validated.entries[entry_id] for entry_id in sorted(validated.entries)}
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for entry_id, entry in entries.items():
        graph.add_node(entry_id, kind=entry.kind, name=entry.label)
    citing: dict[str, set[str]] = defaultdict(set)
    for entry_id, entry in entries.items():
        edges, cited = _linked(validated, entry_id, entry)
        for target, relation, inverse, sources, note, evidence, editorial in edges:
            if target in entries:
                sourced = [{"ref": ref, "locator": locator} for ref, locator in sources]
                _add_edge(
                    graph,
                    entry_id,
                    target,
                    relation,
                    inverse,
                    sourced,
                    note=note,
                    evidence=evidence,
                    editorial=editorial,
                )
        for ref in cited:
            citing[ref].add(entry_id)
    _link_electrolytes(graph, entries)
    _link_claims(graph, entries)
    return KnowledgeBase(
        root=Path(validated.root),
        graph=graph,
        report=validated.report,
        _entries=entries,
        _documents=dict(validated.documents),
        _citing={ref: sorted(ids) for ref, ids in sorted(citing.items())},
    )


def _linked(validated: Validated, entry_id: str, entry: Entry) -> EntryLinks:
    """What the graph reads of an entry: as validation's rules found or reused it, else walked now."""
    found = validated.linked.get(entry_id)
    if found is None:
        found = entry_links(entry_id, entry, validated.links_of(entry_id, entry))
    return found


def _link_claims(graph: nx.MultiDiGraph[str], entries: dict[str, Entry]) -> None:
    """Edges ``evidence`` from each claim to the entries holding the findings it weighs (its
    analyses are linked like any relation), sourced by the findings. O(findings + evidence)."""
    claims = [e for e in entries.values() if isinstance(e, Claim)]
    if not claims:
        return
    holders: dict[str, tuple[str, Source]] = {}
    for entry_id, entry in entries.items():
        for finding in getattr(entry, "findings", None) or []:
            if finding.id is not None:
                holders.setdefault(finding.id, (entry_id, finding.source))
    inverse = RELATION_NAMES["evidence"]
    for claim in claims:
        for item in claim.evidence:
            if item.finding is None or item.finding not in holders:
                continue
            holder, source = holders[item.finding]
            _add_edge(graph, claim.id, holder, "evidence", inverse, _source_dicts((source,)))


def _add_edge(
    graph: nx.MultiDiGraph[str],
    start: str,
    end: str,
    relation: str,
    inverse: str,
    sources: list[dict[str, Any]],
    *,
    note: str | None = None,
    evidence: Any = None,
    editorial: Any = None,
) -> None:
    """The edge ``start -relation-> end``; when it is there already, the new sources join its own
    (its note, evidence grade and editorial mark stay those it was made with)."""
    existing = graph.get_edge_data(start, end, key=relation)
    if existing is not None:
        existing["sources"].extend(s for s in sources if s not in existing["sources"])
        return
    graph.add_edge(
        start,
        end,
        key=relation,
        inverse=inverse,
        sources=sources,
        note=note,
        evidence=evidence,
        editorial=editorial,
    )


def _link_electrolytes(graph: nx.MultiDiGraph[str], entries: dict[str, Entry]) -> None:
    """Edges ``component`` from each dataset to the materials its electrolytes written as
    shorthand resolve to (the list form is linked like any relation), sourced by the records.

    A shorthand that does not resolve adds nothing (validation reports it). Each distinct
    text is resolved once: O(records + distinct electrolytes).
    """
    from limkb.analysis.formulations import FormulationError
    from limkb.analysis.inputs import formulation_of, material_index

    datasets = [e for e in entries.values() if isinstance(e, Dataset)]
    if not any(_shorthands(d) for d in datasets):
        return
    index = material_index([e for e in entries.values() if isinstance(e, Material)])
    inverse = RELATION_NAMES["component"]
    resolved: dict[str, list[str]] = {}
    for dataset in datasets:
        for written, source in _shorthands(dataset):
            if written not in resolved:
                try:
                    components = formulation_of(written, index).components
                except FormulationError:
                    components = ()
                resolved[written] = sorted({c.material for c in components if c.material in entries})
            for material in resolved[written]:
                sources = [] if source is None else _source_dicts((source,))
                _add_edge(graph, dataset.id, material, "component", inverse, sources)


def _shorthands(dataset: Dataset) -> list[tuple[str, Source | None]]:
    """Each electrolyte of ``dataset`` written as text, with the source of the record using it."""
    default = dataset.sources[0] if dataset.sources else None
    found: list[tuple[str, Source | None]] = []
    if isinstance(dataset.electrolyte, str) and not dataset.records:
        found.append((dataset.electrolyte, default))
    for record in dataset.records:
        written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
        if isinstance(written, str):
            found.append((written, record.source or default))
    return found
