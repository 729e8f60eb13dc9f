"""The store stage: the knowledge base as a SQLite database (``build/kb.sqlite``).

The tables are SQLModel models, so analysts get typed rows from ``kb.session()`` and plain
SQL from ``sqlite3`` or Datasette alike. Every table is written in a fixed order (by id, then
position), values keep their units in a column beside them, and the schema version sits in
the ``meta`` table and in ``PRAGMA user_version``.

Tables: ``entries`` (one row per entry, the full entry as JSON in ``data``), ``relations``
(one row per graph edge, with its sources as JSON), ``references``, ``citations`` (every
source of every entry, with where in the entry it is cited), ``dataset_columns``,
``dataset_records``, ``dataset_values`` (one row per cell, numeric values in ``value_num``),
``analysis_results`` and ``meta``.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateTable
from sqlmodel import Field, SQLModel

from limkb.files import default_mode
from limkb.schema.kinds import Dataset, Reference, iter_sources

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "AnalysisResultRow",
    "CitationRow",
    "DatasetColumnRow",
    "DatasetRecordRow",
    "DatasetValueRow",
    "EntryRow",
    "MetaRow",
    "ReferenceRow",
    "RelationRow",
    "memory_engine",
    "table_counts",
    "write_sqlite",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
"""Bumped whenever a table or column changes meaning; stored in ``meta`` and ``user_version``."""


class EntryRow(SQLModel, table=True):
    """One entry: its id, kind, name, summary, file and the whole entry as JSON."""

    __tablename__ = "entries"

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    name: str
    summary: str | None = None
    file: str = Field(description="Path of the YAML file, relative to the project folder.")
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class RelationRow(SQLModel, table=True):
    """One relation (graph edge): ``source relation target``, read back as ``inverse``."""

    __tablename__ = "relations"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True, foreign_key="entries.id")
    relation: str = Field(index=True)
    target: str = Field(index=True, foreign_key="entries.id")
    inverse: str
    note: str | None = None
    evidence: str | None = None
    sources: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))


class ReferenceRow(SQLModel, table=True):
    """One publication, with its bibliographic fields."""

    __tablename__ = "references"

    id: str = Field(primary_key=True, foreign_key="entries.id")
    label: str
    type: str
    title: str
    authors: list[str] = Field(sa_column=Column(JSON, nullable=False))
    journal: str | None = None
    year: int = Field(index=True)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = Field(default=None, index=True)
    url: str | None = None


class CitationRow(SQLModel, table=True):
    """One citation: entry ``entry`` cites reference ``ref`` at ``locator``, from field ``at``."""

    __tablename__ = "citations"

    id: int | None = Field(default=None, primary_key=True)
    entry: str = Field(index=True, foreign_key="entries.id")
    ref: str = Field(index=True)
    locator: str | None = None
    at: str = Field(description="Where in the entry the citation sits, e.g. `forms[0].sources[0]`.")


class DatasetColumnRow(SQLModel, table=True):
    """One column of a dataset: the property it holds and its unit."""

    __tablename__ = "dataset_columns"

    dataset: str = Field(primary_key=True, foreign_key="entries.id")
    name: str = Field(primary_key=True)
    position: int
    property: str | None = Field(default=None, index=True)
    unit: str | None = None
    type: str
    description: str | None = None


class DatasetRecordRow(SQLModel, table=True):
    """One row of a dataset: its label and the source it comes from."""

    __tablename__ = "dataset_records"

    dataset: str = Field(primary_key=True, foreign_key="entries.id")
    row: int = Field(primary_key=True)
    label: str
    ref: str | None = Field(default=None, index=True)
    locator: str | None = None
    note: str | None = None
    conditions: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The record's conditions over the dataset's (each field the record states wins)."""
    electrolyte: str | None = Field(default=None, index=True)
    """The record's electrolyte (else the dataset's) as written: the shorthand, or the components as JSON."""


class DatasetValueRow(SQLModel, table=True):
    """One cell of a dataset: numbers in ``value_num``, text in ``value_text``, with the unit."""

    __tablename__ = "dataset_values"

    dataset: str = Field(primary_key=True)
    row: int = Field(primary_key=True)
    column: str = Field(primary_key=True)
    property: str | None = Field(default=None, index=True)
    value_num: float | None = None
    value_text: str | None = None
    unit: str | None = None


class AnalysisResultRow(SQLModel, table=True):
    """One computed correlation, beside the value a paper reported."""

    __tablename__ = "analysis_results"

    id: str = Field(primary_key=True)
    name: str | None = None
    x: str
    y: str
    x_unit: str | None = None
    y_unit: str | None = None
    datasets: list[str] = Field(sa_column=Column(JSON, nullable=False))
    n: int
    excluded: int
    r: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p: float | None = None
    spearman: float | None = None
    spearman_p: float | None = None
    slope: float | None = None
    intercept: float | None = None
    loo_min: float | None = None
    loo_max: float | None = None
    loo_most_influential: str | None = None
    reported_value: float | None = None
    reported_ref: str | None = None
    reported_locator: str | None = None
    difference: float | None = None
    flags: list[str] = Field(sa_column=Column(JSON, nullable=False))
    caveats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    groups: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """With ``by:``, each group's key with its n, r and Spearman."""


class MetaRow(SQLModel, table=True):
    """Facts about the database itself: ``schema_version``, ``limkb_version``, counts."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


TABLES: tuple[type[SQLModel], ...] = (
    EntryRow,
    RelationRow,
    ReferenceRow,
    CitationRow,
    DatasetColumnRow,
    DatasetRecordRow,
    DatasetValueRow,
    AnalysisResultRow,
    MetaRow,
)
"""Every table of the store, in creation order."""


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _rows(kb: KnowledgeBase, results: dict[str, AnalysisResult] | None) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain dicts, in a deterministic order."""
    project = kb.root.parent
    rows: dict[str, list[dict[str, Any]]] = {str(t.__tablename__): [] for t in TABLES}
    for entry_id in sorted(kb):
        entry = kb[entry_id]
        file = kb.file_of(entry_id)
        try:
            shown = file.relative_to(project).as_posix()
        except ValueError:
            shown = file.as_posix()
        rows["entries"].append(
            {
                "id": entry_id,
                "kind": entry.kind,
                "name": entry.label,
                "summary": entry.summary,
                "file": shown,
                "data": entry.model_dump(mode="json", exclude_defaults=True),
            }
        )
        for loc, source in iter_sources(entry):
            rows["citations"].append(
                {"entry": entry_id, "ref": source.ref, "locator": source.locator, "at": _dotted(loc)}
            )
        if isinstance(entry, Reference):
            rows["references"].append(
                {
                    "id": entry_id,
                    "label": entry.label,
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
            )
        if isinstance(entry, Dataset):
            _dataset_rows(entry, rows)
    edges = sorted(kb.graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    for start, target, key, data in edges:
        rows["relations"].append(
            {
                "source": start,
                "relation": key,
                "target": target,
                "inverse": data.get("inverse", ""),
                "note": data.get("note"),
                "evidence": data.get("evidence"),
                "sources": list(data.get("sources", [])),
            }
        )
    for result_id in sorted(results or {}):
        rows["analysis_results"].append(_result_row((results or {})[result_id]))
    from limkb._version import __version__

    meta = {
        "schema_version": str(SCHEMA_VERSION),
        "limkb_version": __version__,
        "entries": str(len(rows["entries"])),
        "relations": str(len(rows["relations"])),
    }
    rows["meta"] = [{"key": k, "value": v} for k, v in sorted(meta.items())]
    return rows


def _dataset_rows(entry: Dataset, rows: dict[str, list[dict[str, Any]]]) -> None:
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
    default = entry.sources[0] if entry.sources else None
    for index, record in enumerate(entry.records):
        source = record.source or default
        rows["dataset_records"].append(
            {
                "dataset": entry.id,
                "row": index,
                "label": record.label,
                "ref": source.ref if source else None,
                "locator": source.locator if source else None,
                "note": record.note,
                "conditions": _merged_conditions(entry, record),
                "electrolyte": _electrolyte(
                    record.electrolyte if record.electrolyte is not None else entry.electrolyte
                ),
            }
        )
        values = record.values
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


def _result_row(result: AnalysisResult) -> dict[str, Any]:
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
            {"key": g.key, "n": g.stats.n, "r": g.stats.r, "spearman": g.stats.spearman}
            for g in result.groups
        ],
    }


def _fill(engine: Engine, kb: KnowledgeBase, results: dict[str, AnalysisResult] | None) -> dict[str, int]:
    """Create the tables on ``engine`` and insert every row; returns the row count per table."""
    tables = [t.__table__ for t in TABLES]  # type: ignore[attr-defined]
    with engine.begin() as connection:
        # Tables first, then indexes sorted by name: SQLAlchemy keeps indexes in a set, whose
        # order (and so the file's bytes) would change with the hash seed.
        for table in tables:
            connection.execute(CreateTable(table))
        for table in tables:
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                index.create(connection)
    rows = _rows(kb, results)
    with engine.begin() as connection:
        for table in tables:
            batch = rows[table.name]
            if batch:
                connection.execute(table.insert(), batch)
        connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return {name: len(batch) for name, batch in rows.items()}


def _sqlite_engine(url: str, **options: Any) -> Engine:
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return engine


def _merged_conditions(entry: Any, record: Any) -> dict[str, Any] | None:
    """The record's conditions over its dataset's (:func:`~limkb.analysis.variables.conditions_of`), as JSON data."""
    from limkb.analysis.variables import conditions_of

    merged = conditions_of(entry, record)
    return {
        k: v.model_dump(mode="json") if hasattr(v, "model_dump") else v for k, v in merged.items()
    } or None


def _electrolyte(written: Any) -> str | None:
    if written is None or isinstance(written, str):
        return written
    return json.dumps([c.model_dump(mode="json", exclude_none=True) for c in written], sort_keys=True)


def write_sqlite(kb: KnowledgeBase, path: Path, *, results: dict[str, AnalysisResult] | None = None) -> Path:
    """Write the KB (and analysis ``results``, if given) to a new SQLite file at ``path``.

    The file is written beside ``path`` and renamed over it, so readers never see half a
    database and a failed write leaves the previous one intact.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    os.close(handle)
    try:
        engine = _sqlite_engine(f"sqlite:///{temporary}")
        try:
            counts = _fill(engine, kb, results)
            with engine.connect() as connection:
                connection.exec_driver_sql("VACUUM")
        finally:
            engine.dispose()
        os.chmod(temporary, default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("wrote %s: %s", path, ", ".join(f"{n} {t}" for t, n in counts.items()))
    return path


def memory_engine(kb: KnowledgeBase, *, results: dict[str, AnalysisResult] | None = None) -> Engine:
    """An engine over an in-memory database holding the KB, for ``kb.engine``."""
    engine = _sqlite_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    _fill(engine, kb, results)
    return engine


def table_counts(engine: Engine, tables: Iterable[str] | None = None) -> dict[str, int]:
    """Rows per table, for summaries and tests."""
    names = list(tables) if tables is not None else [str(t.__tablename__) for t in TABLES]
    counts = {}
    with engine.connect() as connection:
        for name in names:
            counts[name] = int(connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one())
    return counts
