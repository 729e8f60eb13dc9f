"""``kb.sqlite`` written with the standard library's ``sqlite3``, copying the rows of unchanged
entries from the last build's database.

Each entry's rows (:mod:`limkb.outputs.rows`) are made under a key of what they read
(:func:`~limkb.outputs.rows.entry_key`); the keys, the database's schema statements and the
last file's size and time are kept in the build cache (``exports/sqlite.json``). The next build
makes the rows of the entries whose key changed (and of new ones), and copies every other
entry's rows from the last ``kb.sqlite`` with ``INSERT ... SELECT``, table by table, in the
order a whole build inserts them; the full-text index, the analyses' results and ``meta`` are
filled anew. The database is assembled in memory and written with ``VACUUM INTO``, so its bytes
depend only on the rows, in order: a rebuild's file equals a clean build's
(``tests/test_incremental.py``). The schema statements are SQLAlchemy's for the models of
:mod:`limkb.outputs.sqlite`, made once per limkb code (SQLAlchemy is not imported otherwise).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from limkb.files import default_mode, write_atomic
from limkb.outputs.rows import (
    ENTRY_TABLES,
    KEY_COLUMNS,
    Rows,
    RowSource,
    entry_key,
    entry_rows,
    fts_row,
    result_row,
    row_values,
)

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult

__all__ = ["Schema", "SqliteCache", "assemble", "schema_of_code"]

log = logging.getLogger(__name__)

_TABLE_ORDER = (
    "entries",
    "relations",
    "bibliography",
    "citations",
    "dataset_columns",
    "dataset_records",
    "dataset_values",
    "computed_values",
    "components",
    "descriptors",
    "findings",
    "finding_informs",
    "claim_evidence",
    "analysis_results",
    "meta",
)
"""The tables in the order they are filled (:data:`limkb.outputs.sqlite.TABLES`)."""

_GENERATED = {"relations": "id", "citations": "id"}
"""Tables whose ``id`` numbers the rows as they are inserted (never copied)."""

_MOST_CHANGED = 0.5
"""Above this share of entries changed, every row is made anew rather than copied."""


@dataclass(frozen=True)
class Schema:
    """The statements creating the database (tables, their indexes, the full-text table),
    as SQLAlchemy makes them, with the schema version and the full-text table's name."""

    statements: list[str]
    version: int
    fts: str
    versions: str
    """The SQLAlchemy and SQLModel versions that made the statements."""


def _library_versions() -> str:
    """The versions of SQLAlchemy and SQLModel (the schema statements are theirs)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("sqlalchemy", "sqlmodel"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} none")
    return ", ".join(found)


def schema_of_code() -> Schema:
    """The schema statements, made by SQLAlchemy from the models (imports it)."""
    from limkb.outputs.sqlite import schema_statements

    statements, version, fts = schema_statements()
    return Schema(statements, version, fts, _library_versions())


@dataclass
class SqliteCache:
    """What a build keeps for the next one's database: the schema, each entry's key, the file."""

    code: str
    schema: Schema
    keys: dict[str, str]
    file: list[int]
    """The database's size and modification time (ns) as written: another file is not copied from."""

    def dump(self) -> str:
        """As JSON."""
        data = {
            "code": self.code,
            "schema": {
                "statements": self.schema.statements,
                "version": self.schema.version,
                "fts": self.schema.fts,
                "versions": self.schema.versions,
            },
            "keys": self.keys,
            "file": self.file,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def read(cls, path: Path, code: str) -> SqliteCache | None:
        """The cache at ``path`` when made by this ``code`` with these libraries, else None."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            schema = data["schema"]
            found = cls(
                code=str(data["code"]),
                schema=Schema(
                    [str(s) for s in schema["statements"]],
                    int(schema["version"]),
                    str(schema["fts"]),
                    str(schema["versions"]),
                ),
                keys={str(k): str(v) for k, v in data["keys"].items()},
                file=[int(n) for n in data["file"]],
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if found.code != code or found.schema.versions != _library_versions():
            return None
        return found


def _signature(path: Path) -> list[int]:
    """The size and modification time of ``path`` (ns)."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _runs(
    order: Sequence[str], old: Mapping[str, str], new: Mapping[str, str]
) -> Iterator[tuple[str, list[str]]]:
    """The entries in the order written, in runs: ``("copy", [first, last])`` for a stretch of
    entries whose rows are the last database's (no changed, new or removed entry in between),
    ``("make", ids)`` for entries whose rows are made."""
    every = sorted(set(order) | set(old))
    copy: list[str] = []
    make: list[str] = []
    for entry_id in every:
        same = entry_id in new and old.get(entry_id) == new[entry_id]
        if same:
            if make:
                yield "make", make
                make = []
            copy.append(entry_id)
            continue
        if copy:
            yield "copy", [copy[0], copy[-1]]
            copy = []
        if entry_id in new:
            make.append(entry_id)
    if copy:
        yield "copy", [copy[0], copy[-1]]
    if make:
        yield "make", make


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """The columns of ``table`` that rows give (not a generated row number)."""
    names = [str(row[1]) for row in connection.execute(f'PRAGMA main.table_info("{table}")')]
    return [name for name in names if name != _GENERATED.get(table)]


def _insert(connection: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same columns) into ``table``."""
    if not rows:
        return
    columns = ", ".join(f'"{name}"' for name in rows[0])
    marks = ", ".join("?" * len(rows[0]))
    connection.executemany(
        f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', [row_values(table, row) for row in rows]
    )


def _copy(connection: sqlite3.Connection, table: str, first: str, last: str) -> None:
    """Copy the rows of the entries from ``first`` to ``last`` from the last database."""
    columns = ", ".join(f'"{name}"' for name in _columns(connection, table))
    key = KEY_COLUMNS[table]
    connection.execute(
        f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM old."{table}" '
        f'WHERE "{key}" BETWEEN ? AND ? ORDER BY rowid',
        (first, last),
    )


def assemble(
    path: Path,
    source: RowSource,
    results: Mapping[str, AnalysisResult],
    meta: Mapping[str, str],
    *,
    schema: Schema,
    previous: tuple[Path, SqliteCache] | None = None,
) -> dict[str, str]:
    """Write the database to ``path`` (atomically); the key of each entry's rows, to keep.

    With ``previous`` (the last database and what was kept of it), the rows of each entry
    whose key is unchanged are copied from there; the others are made.
    """
    order = sorted(source.kb)
    keys = {entry_id: entry_key(source, entry_id) for entry_id in order}
    old: Mapping[str, str] = {}
    old_file: Path | None = None
    if previous is not None and _usable(previous[0], previous[1], schema):
        old, old_file = previous[1].keys, previous[0]
        changed = sum(1 for entry_id in order if old.get(entry_id) != keys[entry_id])
        if changed > _MOST_CHANGED * max(len(order), 1):
            old, old_file = {}, None
    runs = list(_runs(order, old, keys))
    made = {
        entry_id: entry_rows(source, entry_id) for kind, ids in runs if kind == "make" for entry_id in ids
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    os.close(handle)
    # (VACUUM INTO writes into an empty file)
    try:
        _write(Path(temporary), schema, runs, made, source, results, meta, old_file=old_file)
        os.chmod(temporary, default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    copied = sum(1 for kind, _ in runs if kind == "copy")
    log.info("wrote %s: %d entries' rows made, %d stretches copied", path, len(made), copied)
    return keys


def _usable(file: Path, cache: SqliteCache, schema: Schema) -> bool:
    """Whether the last database may be copied from: the file kept, with the same schema."""
    try:
        return _signature(file) == cache.file and cache.schema == schema
    except OSError:
        return False


def _write(
    temporary: Path,
    schema: Schema,
    runs: list[tuple[str, list[str]]],
    made: Mapping[str, Rows],
    source: RowSource,
    results: Mapping[str, AnalysisResult],
    meta: Mapping[str, str],
    *,
    old_file: Path | None,
) -> None:
    """Fill a database in memory and write it to ``temporary`` with ``VACUUM INTO``."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        for statement in schema.statements:
            connection.execute(statement)
        if old_file is not None:
            uri = "file:" + old_file.resolve().as_posix().replace("?", "%3f").replace("#", "%23")
            connection.execute("ATTACH DATABASE ? AS old", (f"{uri}?mode=ro&immutable=1",))
        connection.execute("BEGIN")
        for table in _TABLE_ORDER:
            _fill_table(connection, table, runs, made, results, meta)
        order = sorted(source.kb)
        connection.executemany(
            f"INSERT INTO {schema.fts} (rowid, id, kind, name, aliases, summary) VALUES (?, ?, ?, ?, ?, ?)",
            [fts_row(source, rowid, entry_id) for rowid, entry_id in enumerate(order, start=1)],
        )
        connection.execute(f"PRAGMA user_version = {int(schema.version)}")
        connection.execute("COMMIT")
        if old_file is not None:
            connection.execute("DETACH DATABASE old")
        connection.execute("VACUUM INTO ?", (str(temporary),))
    finally:
        connection.close()


def _fill_table(
    connection: sqlite3.Connection,
    table: str,
    runs: list[tuple[str, list[str]]],
    made: Mapping[str, Rows],
    results: Mapping[str, AnalysisResult],
    meta: Mapping[str, str],
) -> None:
    """One table's rows: copied and made by entry, or (the analyses' results, ``meta``) the KB's."""
    if table == "analysis_results":
        _insert(connection, table, [result_row(results[i]) for i in sorted(results)])
    elif table == "meta":
        _insert(connection, table, [{"key": k, "value": v} for k, v in sorted(meta.items())])
    elif table in ENTRY_TABLES:
        for kind, ids in runs:
            if kind == "copy":
                _copy(connection, table, ids[0], ids[-1])
            else:
                _insert(connection, table, [row for entry_id in ids for row in made[entry_id][table]])


def keep(cache_file: Path, code: str, schema: Schema, keys: dict[str, str], database: Path) -> None:
    """Keep what the next build's database copies from (:class:`SqliteCache`)."""
    write_atomic(cache_file, SqliteCache(code, schema, keys, _signature(database)).dump())
