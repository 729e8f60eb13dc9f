"""The SQLite store: every entry, relation, citation and record, typed, indexed and atomic."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import select

import limkb.outputs.sqlite as store
from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.outputs.sqlite import SCHEMA_VERSION, EntryRow, RelationRow, write_sqlite
from limkb.schema.kinds import iter_sources


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    root = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "LiF", formula="LiF"),
            "strategies/s": minimal("strategy", "S", forms=[{"id": "lif", "sources": SOURCE}]),
            "properties/ce": minimal("property", "CE", unit="%"),
            "properties/thick": minimal("property", "Thickness", unit="nm", scope="sei", desired="lower"),
            "datasets/t": minimal(
                "dataset",
                "T",
                about=["s"],
                columns=[
                    {"name": "ce", "property": "ce", "unit": "%"},
                    {"name": "d", "property": "thick", "unit": "nm"},
                    {"name": "salt", "type": "text"},
                ],
                records=[{"label": "A", "ce": 99.0, "d": 20, "salt": "LiFSI"}, {"label": "B", "ce": 97.5}],
            ),
        },
    )
    return load(root, cache=False)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_counts_equal_the_kb(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(kb, tmp_path / "build" / "kb.sqlite")
    count = lambda table: _rows(path, f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: E731
    assert count("entries") == len(kb) == 6
    assert count("relations") == kb.graph.number_of_edges() == 4  # forms, about, 2 x column_of
    assert count("references") == 1
    assert count("citations") == sum(len(iter_sources(kb[i])) for i in kb)
    assert count("dataset_columns") == 3
    assert count("dataset_records") == 2
    assert count("dataset_values") == 4  # A: ce, d, salt; B: ce only
    assert count("analysis_results") == 0


def test_values_are_typed_with_units_and_sources(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    values = _rows(
        path,
        'SELECT row, "column", property, value_num, value_text, unit FROM dataset_values '
        "WHERE dataset = 't' ORDER BY row, \"column\"",
    )
    assert values == [
        (0, "ce", "ce", 99.0, None, "%"),
        (0, "d", "thick", 20.0, None, "nm"),
        (0, "salt", None, None, "LiFSI", None),
        (1, "ce", "ce", 97.5, None, "%"),
    ]
    assert _rows(path, "SELECT label, ref, locator FROM dataset_records ORDER BY row") == [
        ("A", REF, "Table 1"),
        ("B", REF, "Table 1"),
    ]
    (relation,) = _rows(
        path, "SELECT relation, inverse, sources FROM relations WHERE source='s' AND target='lif'"
    )
    assert relation[:2] == ("forms", "formed by")
    assert '"locator": "Table 1"' in str(relation[2])
    (entry,) = _rows(
        path, "SELECT kind, name, file, json_extract(data, '$.formula') FROM entries WHERE id='lif'"
    )
    assert entry == ("species", "LiF", "kb/species/lif.yaml", "LiF")


def test_schema_version_and_indexes(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    assert _rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert ("schema_version", str(SCHEMA_VERSION)) in _rows(path, "SELECT key, value FROM meta")
    indexed = {
        (t, c)
        for t, c in _rows(
            path,
            "SELECT m.name, i.name FROM sqlite_master m, pragma_index_list(m.name) l, "
            "pragma_index_info(l.name) i WHERE m.type = 'table'",
        )
    }
    for wanted in [
        ("entries", "kind"),
        ("relations", "relation"),
        ("relations", "target"),
        ("relations", "source"),
        ("dataset_values", "property"),
        ("dataset_columns", "property"),
        ("citations", "ref"),
    ]:
        assert wanted in indexed, f"no index on {wanted}"


def test_analysis_results_are_stored(kb: KnowledgeBase, tmp_path: Path) -> None:
    result = SimpleNamespace(
        id="ce-vs-d",
        name="CE vs d",
        x="thick",
        y="ce",
        x_unit="nm",
        y_unit="%",
        datasets=("t",),
        n=2,
        excluded=0,
        r=-1.0,
        ci=None,
        p=None,
        spearman=-1.0,
        spearman_p=None,
        slope=-0.1,
        intercept=101.0,
        loo=SimpleNamespace(min=-1.0, max=-1.0, most_influential="A"),
        reported=SimpleNamespace(value=-0.9, ref=REF, locator="Fig. 1"),
        difference=-0.1,
        flags=("few-points",),
        caveats=("clustering: ...",),
        groups=(SimpleNamespace(key=REF, stats=SimpleNamespace(n=2, r=-1.0, spearman=-1.0)),),
        points=(),
    )
    path = write_sqlite(kb, tmp_path / "kb.sqlite", results={"ce-vs-d": result})  # type: ignore[dict-item]
    rows = _rows(
        path,
        "SELECT id, n, r, ci_low, loo_most_influential, reported_value, flags, caveats, groups FROM analysis_results",
    )
    assert rows == [
        (
            "ce-vs-d",
            2,
            -1.0,
            None,
            "A",
            -0.9,
            '["few-points"]',
            '["clustering: ..."]',
            f'[{{"key": "{REF}", "n": 2, "r": -1.0, "spearman": -1.0}}]',
        ),
    ]


def test_writes_are_deterministic_and_atomic(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kb.sqlite"
    first = write_sqlite(kb, path).read_bytes()
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # like any plainly written file, not private
    assert write_sqlite(kb, path).read_bytes() == first

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_fill", broken)
    with pytest.raises(RuntimeError):
        write_sqlite(kb, path)
    assert path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_engine_and_session_give_typed_sql_access(kb: KnowledgeBase) -> None:
    with kb.session() as session:
        species = session.exec(select(EntryRow).where(EntryRow.kind == "species")).all()
        assert [row.id for row in species] == ["lif"]
        forming = session.exec(select(RelationRow.source).where(RelationRow.target == "lif")).all()
        assert forming == ["s"]
    with kb.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM entries").scalar_one() == len(kb)
