"""The store stage: the knowledge base as a SQLite database (``build/kb.sqlite``).

The tables are SQLModel models, so analysts get typed rows from ``kb.session()`` and plain
SQL from ``sqlite3`` or Datasette alike. Every table is written in a fixed order (by id, then
position), values keep their units in a column beside them, and the schema version sits in
the ``meta`` table and in ``PRAGMA user_version``. Every column has a description in its
model (the Datasette metadata is made from them, see :mod:`limkb.outputs.datasette`).

Tables: ``entries`` (one row per entry, the full entry as JSON in ``data``), ``relations``
(one row per graph edge, with its sources as JSON), ``bibliography`` (one row per reference
entry; named so because ``references`` is an SQL keyword), ``citations`` (every source of
every entry, with where in the entry it is cited), ``dataset_columns``, ``dataset_records``,
``dataset_values`` (one row per cell, numeric values in ``value_num``), ``computed_values``
(each record's properties that no column holds, computed from one that does by the defining
expression, e.g. CE from LCE, with that expression), ``components`` (each
record's electrolyte resolved to materials, roles and amounts), ``descriptors`` (the
atomic-fraction descriptors computed from each record's electrolyte), ``analysis_results``,
``findings`` (every finding, stored once: value, unit, electrolyte and its components,
each condition, source, and the reference's reading status and address), ``finding_informs``
(the other entries each finding bears on), ``claim_evidence`` (what each claim weighs, with its
stance and grade), ``meta`` (schema version, licence) and ``entries_fts`` (SQLite FTS5 full-text search over the
entries' ids, names, aliases and summaries).

Foreign keys are declared (``REFERENCES``) and enforced while the file is written: every
citation, record source and reported value names a row of ``bibliography``, every cell, component
and descriptor its record, every component its material, every column its property, every
analysis result its analysis entry, every finding its entry, property and reference.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, ForeignKeyConstraint, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateTable
from sqlmodel import Field, SQLModel

from limkb.outputs.rows import entry_rows, fts_row, meta_values, result_row, row_source

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = [
    "FTS_COLUMNS",
    "FTS_TABLE",
    "SCHEMA_VERSION",
    "TABLES",
    "AnalysisResultRow",
    "CitationRow",
    "ClaimEvidenceRow",
    "ComponentRow",
    "DatasetColumnRow",
    "DatasetRecordRow",
    "DatasetValueRow",
    "DescriptorRow",
    "EntryRow",
    "FindingInformsRow",
    "FindingRow",
    "MetaRow",
    "ReferenceRow",
    "RelationRow",
    "memory_engine",
    "table_counts",
    "write_sqlite",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 6
"""Bumped whenever a table or column changes meaning; stored in ``meta`` and ``user_version``.

3: ``references`` renamed ``bibliography``; foreign keys declared; ``entries_fts``; the
licence in ``meta``. 4: ``components`` and ``descriptors`` of each record; ``analysis_results``
gains ``method``, ``coefficient``, rho's interval and ``group_spread``, and its leave-one-out
range is of the method's coefficient. 5: ``findings``, ``finding_informs`` and ``claim_evidence``.
6: ``computed_values``, each record's properties computed from another column by their defining
expression (CE from a dataset that reports LCE).
"""

_REF = "bibliography.id"


class EntryRow(SQLModel, table=True):
    """One entry: its id, kind, name, summary, file and the whole entry as JSON."""

    __tablename__ = "entries"

    id: str = Field(
        primary_key=True, description="The entry's id: the stem of its YAML file, unique in the KB."
    )
    kind: str = Field(index=True, description="The entry's kind: `strategy`, `material`, `reference`, ...")
    name: str = Field(description="The entry's name as shown (a reference's short label).")
    summary: str | None = Field(default=None, description="One-paragraph summary, Markdown.")
    file: str = Field(description="Path of the YAML file, relative to the project folder.")
    data: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False),
        description="The whole entry as JSON, fields at their defaults left out (query with `json_extract`).",
    )


class RelationRow(SQLModel, table=True):
    """One relation (graph edge): ``source relation target``, read back as ``inverse``."""

    __tablename__ = "relations"

    id: int | None = Field(
        default=None, primary_key=True, description="Row number (edges sorted by source, relation, target)."
    )
    source: str = Field(
        index=True, foreign_key="entries.id", description="The entry the relation starts from."
    )
    relation: str = Field(
        index=True, description="The relation, as its field is named: `forms`, `uses`, `fails_by`, ..."
    )
    target: str = Field(index=True, foreign_key="entries.id", description="The entry the relation points to.")
    inverse: str = Field(description="How the relation reads from the target back: `formed by`, ...")
    note: str | None = Field(default=None, description="The relation's note, Markdown.")
    evidence: str | None = Field(default=None, description="How well the relation is supported, when stated.")
    sources: list[dict[str, Any]] = Field(
        sa_column=Column(JSON, nullable=False),
        description="The relation's own sources as JSON: a list of `{ref, locator}`.",
    )


class ReferenceRow(SQLModel, table=True):
    """One publication, with its bibliographic fields."""

    __tablename__ = "bibliography"

    id: str = Field(primary_key=True, foreign_key="entries.id", description="The reference's entry id.")
    label: str = Field(description="Short label, e.g. `Oyakhire and Bent (2024)`.")
    type: str = Field(description="Publication type: `article`, `review`, `book`, `chapter`, ...")
    title: str = Field(description="Title of the publication.")
    authors: list[str] = Field(
        sa_column=Column(JSON, nullable=False), description="Authors as JSON, each `Family, Given`."
    )
    journal: str | None = Field(default=None, description="Journal, book or publisher.")
    year: int = Field(index=True, description="Year of publication.")
    volume: str | None = Field(default=None, description="Volume.")
    issue: str | None = Field(default=None, description="Issue.")
    pages: str | None = Field(default=None, description="Pages or article number.")
    doi: str | None = Field(default=None, index=True, description="DOI, without `https://doi.org/`.")
    url: str | None = Field(default=None, description="URL, when there is no DOI or beside it.")


class CitationRow(SQLModel, table=True):
    """One citation: entry ``entry`` cites reference ``ref`` at ``locator``, from field ``at``."""

    __tablename__ = "citations"

    id: int | None = Field(default=None, primary_key=True, description="Row number.")
    entry: str = Field(index=True, foreign_key="entries.id", description="The citing entry.")
    ref: str = Field(
        index=True, foreign_key=_REF, description="The cited reference (a row of `bibliography`)."
    )
    locator: str | None = Field(default=None, description="Where in the reference: `Table 1`, `Fig. 3b`, ...")
    at: str = Field(description="Where in the entry the citation sits, e.g. `forms[0].sources[0]`.")


class DatasetColumnRow(SQLModel, table=True):
    """One column of a dataset: the property it holds and its unit."""

    __tablename__ = "dataset_columns"

    dataset: str = Field(primary_key=True, foreign_key="entries.id", description="The dataset entry.")
    name: str = Field(
        primary_key=True, description="The column's name, the key of its values in the records."
    )
    position: int = Field(description="Position of the column in the dataset, from 0.")
    property: str | None = Field(
        default=None, index=True, foreign_key="entries.id", description="The property entry the column holds."
    )
    unit: str | None = Field(
        default=None, description="Unit of the values (`%`, `nm`, `1` when dimensionless)."
    )
    type: str = Field(description="Value type: `number`, `integer` or `text`.")
    description: str | None = Field(default=None, description="What the column holds, Markdown.")


class DatasetRecordRow(SQLModel, table=True):
    """One row of a dataset: its label and the source it comes from."""

    __tablename__ = "dataset_records"

    dataset: str = Field(primary_key=True, foreign_key="entries.id", description="The dataset entry.")
    row: int = Field(primary_key=True, description="Position of the record in the dataset, from 0.")
    label: str = Field(description="How the record is named on plots, e.g. its electrolyte.")
    ref: str | None = Field(
        default=None,
        index=True,
        foreign_key=_REF,
        description="The record's source (else the dataset's first).",
    )
    locator: str | None = Field(default=None, description="Where in that source.")
    note: str | None = Field(default=None, description="Remarks on the record, Markdown.")
    conditions: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="The record's conditions over the dataset's, as JSON (each field the record states wins).",
    )
    electrolyte: str | None = Field(
        default=None,
        index=True,
        description="The record's electrolyte (else the dataset's) as written: the shorthand, or the components as JSON.",
    )


class DatasetValueRow(SQLModel, table=True):
    """One cell of a dataset: numbers in ``value_num``, text in ``value_text``, with the unit."""

    __tablename__ = "dataset_values"
    __table_args__ = (
        ForeignKeyConstraint(["dataset", "row"], ["dataset_records.dataset", "dataset_records.row"]),
        ForeignKeyConstraint(["dataset", "column"], ["dataset_columns.dataset", "dataset_columns.name"]),
    )

    dataset: str = Field(primary_key=True, description="The dataset entry.")
    row: int = Field(primary_key=True, description="The record (`dataset_records.row`).")
    column: str = Field(primary_key=True, description="The column (`dataset_columns.name`).")
    property: str | None = Field(
        default=None, index=True, foreign_key="entries.id", description="The property the column holds."
    )
    value_num: float | None = Field(default=None, description="The value, when a number, in `unit`.")
    value_text: str | None = Field(default=None, description="The value, when text.")
    unit: str | None = Field(default=None, description="Unit of `value_num`.")


class ComputedValueRow(SQLModel, table=True):
    """A property's value computed for a record from another column by its defining expression."""

    __tablename__ = "computed_values"
    __table_args__ = (
        ForeignKeyConstraint(["dataset", "row"], ["dataset_records.dataset", "dataset_records.row"]),
        ForeignKeyConstraint(["dataset", "column"], ["dataset_columns.dataset", "dataset_columns.name"]),
    )

    dataset: str = Field(primary_key=True, description="The dataset entry.")
    row: int = Field(primary_key=True, description="The record (`dataset_records.row`).")
    property: str = Field(
        primary_key=True,
        index=True,
        foreign_key="entries.id",
        description="The property computed (e.g. `coulombic-efficiency` from an LCE column).",
    )
    value: float = Field(description="The computed value, in `unit`.")
    unit: str = Field(description="The property's unit.")
    column: str = Field(description="The column it is computed from (`dataset_columns.name`).")
    from_property: str = Field(
        foreign_key="entries.id",
        description="The property that column holds (e.g. `log-coulombic-inefficiency`).",
    )
    expression: str = Field(
        description="The defining expression (`defined_as`) linking the two, as the property states it."
    )


class ComponentRow(SQLModel, table=True):
    """One component of a record's electrolyte: the material, its role and its amount."""

    __tablename__ = "components"
    __table_args__ = (
        ForeignKeyConstraint(["dataset", "row"], ["dataset_records.dataset", "dataset_records.row"]),
    )

    dataset: str = Field(primary_key=True, description="The dataset entry.")
    row: int = Field(primary_key=True, description="The record (`dataset_records.row`).")
    position: int = Field(
        primary_key=True, description="Position of the component in the electrolyte, from 0."
    )
    material: str = Field(index=True, foreign_key="entries.id", description="The material entry.")
    role: str = Field(
        index=True, description="What it is in the electrolyte: `salt`, `solvent`, `diluent`, `additive`."
    )
    amount: float | None = Field(default=None, description="How much, in `unit` (none when not stated).")
    unit: str | None = Field(
        default=None,
        description="The amount's unit: `M`, `mol/kg`, `mol ratio`, `vol ratio`, `wt ratio`, `wt%`, `vol%`, `mol%`.",
    )


class DescriptorRow(SQLModel, table=True):
    """One descriptor of a record's electrolyte (an atomic fraction or ratio, dimensionless)."""

    __tablename__ = "descriptors"
    __table_args__ = (
        ForeignKeyConstraint(["dataset", "row"], ["dataset_records.dataset", "dataset_records.row"]),
    )

    dataset: str = Field(primary_key=True, description="The dataset entry.")
    row: int = Field(primary_key=True, description="The record (`dataset_records.row`).")
    name: str = Field(
        primary_key=True,
        index=True,
        description="The descriptor: `frac_f`, `frac_o_solvent`, `ratio_f_c`, ...",
    )
    value: float = Field(description="Its value (dimensionless).")


class FindingRow(SQLModel, table=True):
    """One finding, stored once: its value, electrolyte, each condition, and its source as read."""

    __tablename__ = "findings"

    entry: str = Field(
        primary_key=True, foreign_key="entries.id", description="The entry the finding is recorded on."
    )
    position: int = Field(primary_key=True, description="Its position in that entry's `findings`, from 0.")
    id: str | None = Field(
        default=None,
        unique=True,
        description="The finding's own id (a slug), when it has one; claims cite it.",
    )
    quantity: str | None = Field(
        default=None, index=True, foreign_key="entries.id", description="The property measured (an entry)."
    )
    what: str | None = Field(default=None, description="What was measured, when no property fits.")
    value: float = Field(description="The value (the lower end of a range), in `unit`.")
    high: float | None = Field(default=None, description="The upper end of a range, in `unit`.")
    bound: str = Field(description="`=`, `>` (at least), `<` (at most) or `~` (about).")
    unit: str = Field(description="The unit of `value`, `high` and `uncertainty`.")
    uncertainty: float | None = Field(default=None, description="The ± the source gives, in `unit`.")
    electrolyte: str | None = Field(
        default=None, index=True, description="The electrolyte as written (the list form as JSON)."
    )
    electrolyte_note: str | None = Field(
        default=None,
        description='What the source says of the electrolyte when no formulation is given ("not stated ...").',
    )
    components: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The electrolyte resolved to materials, as JSON: a list of `{material, role, amount, unit}` "
        "(empty when it does not resolve).",
    )
    cell: str | None = Field(
        default=None, index=True, description="The cell: `Li||Cu`, `Li||Li`, `anode-free` ..."
    )
    cathode: str | None = Field(default=None, description="The cathode of a full cell.")
    protocol: str | None = Field(default=None, description="How CE was measured.")
    current_density: float | None = Field(default=None, description="Current density, in mA cm-2.")
    areal_capacity: float | None = Field(default=None, description="Areal capacity cycled, in mAh cm-2.")
    cycles: int | None = Field(default=None, description="The cycle number the value refers to.")
    temperature: float | None = Field(default=None, description="Temperature, in °C.")
    conditions_note: str | None = Field(default=None, description="Other conditions, Markdown.")
    ref: str = Field(index=True, foreign_key=_REF, description="The reference the finding comes from.")
    locator: str | None = Field(default=None, description="Where in it: `Abstract`, `Fig. 2b`, `Table 1`.")
    read_status: str | None = Field(
        default=None, description="How far that reference was read here: `full`, `abstract` or `none`."
    )
    read_url: str | None = Field(default=None, description="The address the reference was read at.")
    statement: str = Field(description="The finding in our own words, Markdown.")


class FindingInformsRow(SQLModel, table=True):
    """A finding bearing on an entry other than the one it is recorded on (``informs:``)."""

    __tablename__ = "finding_informs"
    __table_args__ = (ForeignKeyConstraint(["entry", "position"], ["findings.entry", "findings.position"]),)

    entry: str = Field(primary_key=True, description="The entry the finding is recorded on.")
    position: int = Field(primary_key=True, description="The finding (`findings.position`).")
    informs: str = Field(
        primary_key=True, index=True, foreign_key="entries.id", description="The entry it also bears on."
    )


class ClaimEvidenceRow(SQLModel, table=True):
    """One piece of evidence a claim weighs: a finding or an analysis, with its stance and grade."""

    __tablename__ = "claim_evidence"
    __table_args__ = (
        ForeignKeyConstraint(["finding_entry", "finding_position"], ["findings.entry", "findings.position"]),
    )

    claim: str = Field(primary_key=True, foreign_key="entries.id", description="The claim entry.")
    position: int = Field(
        primary_key=True, description="Position of the item in the claim's `evidence`, from 0."
    )
    finding: str | None = Field(default=None, index=True, description="The finding's id (`findings.id`).")
    finding_entry: str | None = Field(default=None, description="The entry that finding is recorded on.")
    finding_position: int | None = Field(
        default=None, description="Its position there (`findings.position`)."
    )
    analysis: str | None = Field(
        default=None, foreign_key="entries.id", description="The analysis weighed, when the item is one."
    )
    stance: str = Field(index=True, description="`supports`, `contradicts` or `qualifies`.")
    grade: str = Field(description="How directly it bears on the claim: `strong`, `moderate` or `weak`.")
    reason: str = Field(description="Why, in one line.")


class AnalysisResultRow(SQLModel, table=True):
    """One computed correlation, beside the value a paper reported."""

    __tablename__ = "analysis_results"

    id: str = Field(primary_key=True, foreign_key="entries.id", description="The analysis entry.")
    name: str | None = Field(default=None, description="The analysis's name.")
    x: str = Field(description="The explanatory variable, as declared.")
    y: str = Field(description="The response variable, as declared.")
    x_unit: str | None = Field(default=None, description="Unit of x.")
    y_unit: str | None = Field(default=None, description="Unit of y.")
    datasets: list[str] = Field(
        sa_column=Column(JSON, nullable=False), description="The datasets read, as a JSON list of ids."
    )
    n: int = Field(description="Number of records with both x and y.")
    excluded: int = Field(
        description="Records left out: a value missing, or the expression undefined (a zero denominator)."
    )
    r: float | None = Field(default=None, description="Pearson's r.")
    ci_low: float | None = Field(default=None, description="Lower bound of r's 95 % confidence interval.")
    ci_high: float | None = Field(default=None, description="Upper bound of r's 95 % confidence interval.")
    p: float | None = Field(default=None, description="Two-sided p-value of r.")
    spearman: float | None = Field(default=None, description="Spearman's rank correlation.")
    spearman_p: float | None = Field(default=None, description="Two-sided p-value of Spearman's rho.")
    slope: float | None = Field(
        default=None, description="Least-squares slope of y on x, in y_unit per x_unit."
    )
    intercept: float | None = Field(default=None, description="Least-squares intercept, in y_unit.")
    method: str = Field(
        default="pearson",
        description="The coefficient the analysis reports: `pearson` (r) or `spearman` (rho).",
    )
    coefficient: float | None = Field(default=None, description="That coefficient: `r` or `spearman`.")
    spearman_ci_low: float | None = Field(default=None, description="Lower bound of rho's 95 % interval.")
    spearman_ci_high: float | None = Field(default=None, description="Upper bound of rho's 95 % interval.")
    loo_min: float | None = Field(
        default=None, description="Smallest coefficient (of `method`) when one record is left out."
    )
    loo_max: float | None = Field(
        default=None, description="Largest coefficient (of `method`) when one record is left out."
    )
    loo_most_influential: str | None = Field(
        default=None, description="Label of the record whose removal moves the coefficient most."
    )
    reported_value: float | None = Field(default=None, description="The coefficient the paper reported.")
    reported_ref: str | None = Field(
        default=None, foreign_key=_REF, description="The reference that reported it."
    )
    reported_locator: str | None = Field(default=None, description="Where in that reference.")
    difference: float | None = Field(default=None, description="Our coefficient minus the reported one.")
    flags: list[str] = Field(
        sa_column=Column(JSON, nullable=False),
        description="Warnings about the result as a JSON list (`few-points`, ...).",
    )
    caveats: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Caveats in words, as a JSON list (clustering, a dominant record, ...).",
    )
    groups: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="With `by:`, each group's key with its n, r, Spearman and coefficient (of `method`), as JSON.",
    )
    group_spread: float | None = Field(
        default=None,
        description="With `by:`, the highest group coefficient (of `method`) less the lowest.",
    )


class MetaRow(SQLModel, table=True):
    """Facts about the database itself: schema and limkb versions, counts, title and licence."""

    __tablename__ = "meta"

    key: str = Field(
        primary_key=True,
        description="`schema_version`, `limkb_version`, `entries`, `relations`, `title`, `license`, "
        "`license_title`, `license_url`, `source_url`.",
    )
    value: str = Field(description="The value, as text.")


TABLES: tuple[type[SQLModel], ...] = (
    EntryRow,
    RelationRow,
    ReferenceRow,
    CitationRow,
    DatasetColumnRow,
    DatasetRecordRow,
    DatasetValueRow,
    ComputedValueRow,
    ComponentRow,
    DescriptorRow,
    FindingRow,
    FindingInformsRow,
    ClaimEvidenceRow,
    AnalysisResultRow,
    MetaRow,
)
"""Every table of the store, in creation order."""

FTS_TABLE = "entries_fts"
"""The full-text index of the entries (SQLite FTS5); its rowid is the entry's rowid in ``entries``."""

FTS_COLUMNS: dict[str, str] = {
    "id": "The entry's id (`entries.id`).",
    "kind": "The entry's kind (not indexed: filter with `kind = 'species'`).",
    "name": "The entry's name.",
    "aliases": "The entry's other names and formulas, one per line.",
    "summary": "The entry's summary.",
}
"""The columns of :data:`FTS_TABLE`, with what each holds."""

_FTS_SQL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "id, kind UNINDEXED, name, aliases, summary, tokenize = 'unicode61 remove_diacritics 2')"
)


def _rows(kb: KnowledgeBase, results: dict[str, AnalysisResult] | None) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain dicts, in a deterministic order."""
    source = row_source(kb)
    rows: dict[str, list[dict[str, Any]]] = {str(t.__tablename__): [] for t in TABLES}
    for entry_id in sorted(kb):
        for table, found in entry_rows(source, entry_id).items():
            rows[table].extend(found)
    for result_id in sorted(results or {}):
        rows["analysis_results"].append(result_row((results or {})[result_id]))
    rows["meta"] = [{"key": k, "value": v} for k, v in sorted(meta_values(kb, SCHEMA_VERSION).items())]
    return rows


def _fts_rows(kb: KnowledgeBase) -> list[tuple[int, str, str, str, str, str]]:
    """The rows of :data:`FTS_TABLE`, numbered as ``entries`` is filled (by id, from 1)."""
    source = row_source(kb)
    return [fts_row(source, rowid, entry_id) for rowid, entry_id in enumerate(sorted(kb), start=1)]


def _create(connection: Any) -> None:
    """Create the tables, their indexes and the full-text table on ``connection``."""
    tables = [t.__table__ for t in TABLES]  # type: ignore[attr-defined]
    # Tables first, then indexes sorted by name: SQLAlchemy keeps indexes in a set, whose
    # order (and so the file's bytes) would change with the hash seed.
    for table in tables:
        connection.execute(CreateTable(table))
    for table in tables:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            index.create(connection)
    connection.exec_driver_sql(_FTS_SQL)


def schema_statements() -> tuple[list[str], int, str]:
    """The statements that create the database (as SQLite keeps them, in order), the schema
    version and the full-text table's name: what :mod:`limkb.outputs.sqlfile` replays."""
    engine = _sqlite_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as connection:
            _create(connection)
            found = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            ).fetchall()
    finally:
        engine.dispose()
    shadows = f"{FTS_TABLE}_"
    return [str(sql) for name, sql in found if not str(name).startswith(shadows)], SCHEMA_VERSION, FTS_TABLE


def _fill(engine: Engine, kb: KnowledgeBase, results: dict[str, AnalysisResult] | None) -> dict[str, int]:
    """Create the tables on ``engine`` and insert every row; returns the row count per table."""
    tables = [t.__table__ for t in TABLES]  # type: ignore[attr-defined]
    with engine.begin() as connection:
        _create(connection)
    rows = _rows(kb, results)
    with engine.begin() as connection:
        for table in tables:
            batch = rows[table.name]
            if batch:
                connection.execute(table.insert(), batch)
        connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE} (rowid, id, kind, name, aliases, summary) VALUES (?, ?, ?, ?, ?, ?)",
            _fts_rows(kb),
        )
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


def write_sqlite(kb: KnowledgeBase, path: Path, *, results: dict[str, AnalysisResult] | None = None) -> Path:
    """Write the KB (and analysis ``results``, if given) to a new SQLite file at ``path``.

    The file is written beside ``path`` and renamed over it, so readers never see half a
    database and a failed write leaves the previous one intact.
    """
    from limkb.outputs.sqlfile import assemble, schema_of_code

    path = Path(path)
    assemble(path, row_source(kb), results or {}, meta_values(kb, SCHEMA_VERSION), schema=schema_of_code())
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
