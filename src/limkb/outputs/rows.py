"""The rows of ``kb.sqlite``, entry by entry, without SQLAlchemy.

Every row of the database belongs to one entry (its ``entries`` row, its citations, its
out-going relations, a reference's ``bibliography`` row, a dataset's columns, records and
cells, the findings recorded on it, a claim's evidence) or to the whole KB (the analyses'
results and ``meta``). :func:`entry_rows` makes one entry's rows and :func:`entry_key` names
everything they are made from, so that a build makes again only the rows of the entries whose
key changed and copies the others from the last build's database
(:mod:`limkb.outputs.sqlfile`). Each table's rows go in by entry id, then as the entry lists
them: the order a whole build writes.

The values are those SQLAlchemy binds for the models of :mod:`limkb.outputs.sqlite` (a JSON
column's value is ``json.dumps`` of it, ``None`` included); ``tests/test_sqlfile.py`` checks
that the file holds what ``kb.engine`` holds.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from limkb.schema.kinds import Claim, Dataset, Reference, iter_sources

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.analysis.findings import FindingRecord
    from limkb.graph import KnowledgeBase

__all__ = [
    "ENTRY_TABLES",
    "JSON_COLUMNS",
    "KEY_COLUMNS",
    "RowSource",
    "Rows",
    "entry_digests",
    "entry_key",
    "entry_rows",
    "fts_row",
    "meta_values",
    "result_row",
    "row_source",
    "row_values",
    "shown_files",
]

Rows = dict[str, list[dict[str, Any]]]
"""Rows by table name, each a dict of column -> value, in insertion order."""

KEY_COLUMNS: dict[str, str] = {
    "entries": "id",
    "relations": "source",
    "bibliography": "id",
    "citations": "entry",
    "dataset_columns": "dataset",
    "dataset_records": "dataset",
    "dataset_values": "dataset",
    "computed_values": "dataset",
    "components": "dataset",
    "descriptors": "dataset",
    "findings": "entry",
    "finding_informs": "entry",
    "claim_evidence": "claim",
}
"""Each table whose rows belong to one entry, with the column naming that entry."""

ENTRY_TABLES = tuple(KEY_COLUMNS)
"""The tables of :data:`KEY_COLUMNS` (the others, ``analysis_results`` and ``meta``, are the KB's)."""

JSON_COLUMNS: dict[str, frozenset[str]] = {
    "entries": frozenset({"data"}),
    "relations": frozenset({"sources"}),
    "bibliography": frozenset({"authors"}),
    "dataset_records": frozenset({"conditions"}),
    "findings": frozenset({"components"}),
    "analysis_results": frozenset({"datasets", "flags", "caveats", "groups"}),
}
"""The JSON columns of each table (SQLAlchemy stores ``json.dumps`` of the value, ``null`` for None)."""


def row_values(table: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The values of ``row`` as the database holds them, in the order of its keys."""
    json_columns = JSON_COLUMNS.get(table, frozenset())
    return tuple(json.dumps(v) if k in json_columns else v for k, v in row.items())


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class RowSource:
    """What the rows of one KB read beyond each entry: labels, files, findings, inputs."""

    kb: KnowledgeBase
    labels: Mapping[str, str]
    """Each entry's display label (:func:`~limkb.outputs.bibliography.display_labels`)."""
    shown: Mapping[str, str]
    """Each entry's file, relative to the project folder where it lies below it."""
    digests: Mapping[str, str]
    """Each entry's content digest."""
    code: str = ""
    """What else every key holds (limkb's code digest)."""
    _edges: dict[str, str] = field(default_factory=dict, repr=False)

    def edges(self, entry_id: str) -> str:
        """The out-going edges of ``entry_id`` with their data, as text (for keys)."""
        found = self._edges.get(entry_id)
        if found is None:
            found = repr(self.kb.graph.succ[entry_id])  # targets -> relations -> data, as linked
            self._edges[entry_id] = found
        return found

    def findings_of(self, entry_id: str) -> list[FindingRecord]:
        """The findings recorded on ``entry_id``, by position (resolved for this entry alone:
        its electrolytes against the materials, its references' reading status)."""
        from limkb.analysis.findings import finding_records

        entry = self.kb[entry_id]
        findings = getattr(entry, "findings", None) or []
        if not findings:
            return []
        cited = {f.source.ref: self.kb[f.source.ref] for f in findings if f.source.ref in self.kb}
        records = finding_records({**cited, entry_id: entry}, self.kb.inputs.index)
        return [record for record in records if record.entry == entry_id]

    @cached_property
    def where(self) -> dict[str, tuple[str, int]]:
        """Each finding id -> the entry and position holding it (the last, should two share one)."""
        found: dict[str, tuple[str, int]] = {}
        for entry_id in sorted(self.kb):
            for position, finding in enumerate(getattr(self.kb[entry_id], "findings", None) or []):
                if finding.id is not None:
                    found[finding.id] = (entry_id, position)
        return found

    def kind_digest(self, *kinds: str) -> str:
        """One digest of the entries of ``kinds`` (ids and content)."""
        digest = hashlib.sha256()
        for kind in kinds:
            for entry in self.kb.entries(kind):
                digest.update(f"{entry.id}\0{self.digests[entry.id]}\0".encode())
        return digest.hexdigest()

    @cached_property
    def materials_digest(self) -> str:
        """What a finding's components read besides their entry (the materials' names)."""
        return self.kind_digest("material")

    @cached_property
    def inputs_digest(self) -> str:
        """What a dataset's records read besides their entry: the materials (components,
        descriptors) and the properties (values computed by a definition)."""
        return self.kind_digest("material", "property")


def entry_key(source: RowSource, entry_id: str) -> str:
    """A hash of everything :func:`entry_rows` reads for ``entry_id``: its content, label and
    file, its out-going edges, the materials and properties (a dataset's records, a finding's
    components), the references its findings cite (their reading status) and where the findings
    a claim weighs sit."""
    kb = source.kb
    entry = kb[entry_id]
    parts: list[str] = [source.code, entry_id, source.digests[entry_id], source.labels[entry_id]]
    parts.append(source.shown[entry_id])
    parts.append(source.edges(entry_id))
    findings = getattr(entry, "findings", None)
    if isinstance(entry, Dataset):
        parts.append(source.inputs_digest)
    if findings:
        parts.append(source.materials_digest)
    for finding in findings or []:
        ref = finding.source.ref
        parts.append(f"{ref}\0{source.digests.get(ref, '')}")
    if isinstance(entry, Claim):
        parts.extend(repr(source.where.get(item.finding or "")) for item in entry.evidence)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def entry_rows(source: RowSource, entry_id: str) -> Rows:
    """The rows of every table of :data:`ENTRY_TABLES` that belong to ``entry_id``."""
    kb = source.kb
    entry = kb[entry_id]
    label = source.labels[entry_id]
    rows: Rows = {name: [] for name in ENTRY_TABLES}
    rows["entries"].append(
        {
            "id": entry_id,
            "kind": entry.kind,
            "name": label,
            "summary": entry.summary,
            "file": source.shown[entry_id],
            "data": entry.model_dump(mode="json", exclude_defaults=True),
        }
    )
    for loc, cited in iter_sources(entry):
        rows["citations"].append(
            {"entry": entry_id, "ref": cited.ref, "locator": cited.locator, "at": _dotted(loc)}
        )
    if isinstance(entry, Reference):
        rows["bibliography"].append(_reference_row(entry, label))
    if isinstance(entry, Dataset):
        _dataset_rows(entry, kb, rows)
    edges = sorted(
        (
            (key, target, data)
            for target, keyed in kb.graph.succ[entry_id].items()
            for key, data in keyed.items()
        ),
        key=lambda e: (e[0], e[1]),
    )
    for key, target, data in edges:
        rows["relations"].append(
            {
                "source": entry_id,
                "relation": key,
                "target": target,
                "inverse": data.get("inverse", ""),
                "note": data.get("note"),
                "evidence": data.get("evidence"),
                "sources": list(data.get("sources", [])),
            }
        )
    _finding_rows(source, entry_id, rows)
    return rows


def _reference_row(entry: Reference, label: str) -> dict[str, Any]:
    """A reference's row of ``bibliography``."""
    return {
        "id": entry.id,
        "label": label,
        "type": str(entry.type),
        "title": entry.title,
        "authors": list(entry.authors),
        "journal": entry.journal,
        "year": entry.year,
        "volume": entry.volume,
        "issue": entry.issue,
        "pages": entry.pages,
        "doi": entry.doi,
        "url": entry.url,
    }


def _dataset_rows(entry: Dataset, kb: KnowledgeBase, rows: Rows) -> None:
    """The rows of one dataset: its columns, records, cells, components and descriptors."""
    from limkb.analysis.records import measured_records

    for position, column in enumerate(entry.columns):
        rows["dataset_columns"].append(
            {
                "dataset": entry.id,
                "name": column.name,
                "position": position,
                "property": column.property,
                "unit": column.unit,
                "type": str(column.type),
                "description": column.description,
            }
        )
    for index, measured in enumerate(measured_records(entry, kb.inputs)):
        rows["dataset_records"].append(
            {
                "dataset": entry.id,
                "row": index,
                "label": measured.label,
                "ref": measured.ref,
                "locator": measured.locator,
                "note": measured.note,
                "conditions": measured.conditions or None,
                "electrolyte": measured.electrolyte,
            }
        )
        rows["components"].extend(
            {"dataset": entry.id, "row": index, "position": position, **component.to_dict()}
            for position, component in enumerate(measured.components)
        )
        rows["descriptors"].extend(
            {"dataset": entry.id, "row": index, "name": name, "value": value}
            for name, value in sorted(measured.descriptors.items())
            if math.isfinite(value)
        )
        rows["computed_values"].extend(
            {
                "dataset": entry.id,
                "row": index,
                "property": c.property,
                "value": c.value,
                "unit": c.unit,
                "column": c.column,
                "from_property": c.from_property,
                "expression": c.expression,
            }
            for c in sorted(measured.computed, key=lambda c: c.property)
        )
        values = measured.values
        for column in entry.columns:
            value = values.get(column.name)
            if value is None:
                continue
            number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            rows["dataset_values"].append(
                {
                    "dataset": entry.id,
                    "row": index,
                    "column": column.name,
                    "property": column.property,
                    "value_num": number,
                    "value_text": None if number is not None else str(value),
                    "unit": column.unit,
                }
            )


def _finding_rows(source: RowSource, entry_id: str, rows: Rows) -> None:
    """The rows of ``findings`` and ``finding_informs`` recorded on ``entry_id``, and a claim's
    ``claim_evidence``, by position."""
    entry = source.kb[entry_id]
    if isinstance(entry, Claim):
        for position, item in enumerate(getattr(entry, "evidence", [])):
            holder, at = source.where.get(item.finding or "", (None, None))
            rows["claim_evidence"].append(
                {
                    "claim": entry_id,
                    "position": position,
                    "finding": item.finding,
                    "finding_entry": holder,
                    "finding_position": at,
                    "analysis": item.analysis,
                    "stance": item.stance.value,
                    "grade": item.grade.value,
                    "reason": item.reason,
                }
            )
    for record in source.findings_of(entry_id):
        data = record.to_dict()
        informs = data.pop("informs")
        rows["findings"].append(data)
        rows["finding_informs"].extend(
            {"entry": record.entry, "position": record.position, "informs": other} for other in informs
        )


def fts_row(source: RowSource, rowid: int, entry_id: str) -> tuple[int, str, str, str, str, str]:
    """The full-text row of ``entry_id``, numbered as ``entries`` is filled (by id, from 1)."""
    entry = source.kb[entry_id]
    aliases = list(entry.aliases)
    formula = getattr(entry, "formula", None)
    if isinstance(formula, str) and formula not in aliases:
        aliases.append(formula)
    return (rowid, entry_id, entry.kind, source.labels[entry_id], "\n".join(aliases), entry.summary or "")


def result_row(result: AnalysisResult) -> dict[str, Any]:
    """One analysis's row of ``analysis_results``."""
    ci = result.ci
    loo = result.loo
    reported = result.reported
    return {
        "id": result.id,
        "name": result.name,
        "x": result.x,
        "y": result.y,
        "x_unit": result.x_unit,
        "y_unit": result.y_unit,
        "datasets": list(result.datasets),
        "n": result.n,
        "excluded": result.excluded,
        "r": result.r,
        "ci_low": ci[0] if ci else None,
        "ci_high": ci[1] if ci else None,
        "p": result.p,
        "spearman": result.spearman,
        "spearman_p": result.spearman_p,
        "slope": result.slope,
        "intercept": result.intercept,
        "method": result.method,
        "coefficient": result.coefficient,
        "spearman_ci_low": result.spearman_ci[0] if result.spearman_ci else None,
        "spearman_ci_high": result.spearman_ci[1] if result.spearman_ci else None,
        "loo_min": loo.min if loo else None,
        "loo_max": loo.max if loo else None,
        "loo_most_influential": loo.most_influential if loo else None,
        "reported_value": reported.value if reported else None,
        "reported_ref": reported.ref if reported else None,
        "reported_locator": reported.locator if reported else None,
        "difference": result.difference,
        "flags": list(result.flags),
        "caveats": list(result.caveats),
        "groups": [
            {
                "key": g.key,
                "n": g.stats.n,
                "r": g.stats.r,
                "spearman": g.stats.spearman,
                "coefficient": g.stats.coefficient,
            }
            for g in result.groups
        ],
        "group_spread": result.group_spread,
    }


def entry_digests(kb: KnowledgeBase) -> dict[str, str]:
    """Each entry's digest, by id, in id order: equal digests, equal entries.

    An entry made from a document the file cache read (:meth:`~limkb.check.cache.FileCache.load`
    sets the document's ``digest``, the SHA-256 of the file's bytes) is named by that hash with
    its id, kind and :func:`~limkb.check.cache.versions`: the cache itself reuses a document
    while the bytes hash the same and the entry while it is the same document
    (:meth:`~limkb.check.cache.FileCache.schema`), so the entry is a function of these, and
    naming it costs no serialisation. Any other entry (no file cache, or a KB from the load
    cache, which keeps no documents) is named by its content
    (:func:`~limkb.schema.kinds.content_digest`).
    """
    from limkb.check.cache import versions
    from limkb.schema.kinds import content_digest

    documents = kb._documents  # the documents the entries were made from, as validated
    made_by = versions()
    found: dict[str, str] = {}
    for entry_id in sorted(kb):
        entry = kb[entry_id]
        document = documents.get(entry_id)
        file_hash = getattr(document, "digest", None)
        if file_hash is None:
            found[entry_id] = content_digest(entry)
        else:
            text = f"file\0{made_by}\0{entry.kind}\0{entry_id}\0{file_hash}"
            found[entry_id] = "f" + hashlib.sha256(text.encode()).hexdigest()
    return found


def row_source(kb: KnowledgeBase, *, digests: Mapping[str, str] | None = None, code: str = "") -> RowSource:
    """What the rows of ``kb`` read besides each entry (labels, files, digests)."""
    from limkb.outputs.bibliography import display_labels

    ids = sorted(kb)
    if digests is None:
        digests = entry_digests(kb)
    return RowSource(
        kb, labels=display_labels(kb[i] for i in kb), shown=shown_files(kb, ids), digests=digests, code=code
    )


def meta_values(kb: KnowledgeBase, version: int) -> dict[str, str]:
    """The rows of ``meta``: the schema ``version``, limkb's, counts, title and licence."""
    from limkb._version import __version__
    from limkb.outputs.provenance import DATA_LICENSE, HOMEPAGE, TITLE

    return {
        "schema_version": str(version),
        "limkb_version": __version__,
        "entries": str(len(kb)),
        "relations": str(kb.graph.number_of_edges()),
        "title": TITLE,
        "license": DATA_LICENSE["name"],
        "license_title": DATA_LICENSE["title"],
        "license_url": DATA_LICENSE["path"],
        "source_url": HOMEPAGE,
    }


def shown_files(kb: KnowledgeBase, ids: Iterable[str]) -> dict[str, str]:
    """Each entry's file as the ``entries`` table shows it: relative to the project folder
    (the parent of ``kb/``), where :meth:`~limkb.graph.KnowledgeBase.file_of` puts it."""
    base = kb.root.relative_to(kb.root.parent).as_posix()
    prefix = "" if base in ("", ".") else base + "/"
    return {entry_id: f"{prefix}{kb[entry_id].folder}/{entry_id}.yaml" for entry_id in ids}
