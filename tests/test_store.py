"""The SQLite store: every entry, relation, citation and record, typed, indexed, linked by
foreign keys, searchable (FTS5) and atomic."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import select

import limkb.outputs.sqlfile as sqlfile
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
            "analyses/ce-vs-d": minimal("analysis", "CE vs d", x="thick", y="ce"),
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
    assert count("entries") == len(kb) == 7
    assert count("relations") == kb.graph.number_of_edges() == 4  # forms, about, 2 x column_of
    assert count("bibliography") == 1  # not "references", an SQL keyword that needs quoting
    assert count("citations") == sum(len(iter_sources(kb[i])) for i in kb)
    assert count("dataset_columns") == 3
    assert count("dataset_records") == 2
    assert count("dataset_values") == 4  # A: ce, d, salt; B: ce only
    assert count("analysis_results") == 0
    assert _rows(path, "select count(*) from bibliography") == [(1,)]  # unquoted, as analysts type it
    assert not _rows(path, "SELECT name FROM sqlite_master WHERE name = 'references'")


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
        spearman_ci=None,
        method="pearson",
        coefficient=-1.0,
        group_spread=None,
        slope=-0.1,
        intercept=101.0,
        loo=SimpleNamespace(min=-1.0, max=-1.0, most_influential="A"),
        reported=SimpleNamespace(value=-0.9, ref=REF, locator="Fig. 1"),
        difference=-0.1,
        flags=("few-points",),
        caveats=("clustering: ...",),
        groups=(
            SimpleNamespace(key=REF, stats=SimpleNamespace(n=2, r=-1.0, spearman=-1.0, coefficient=-1.0)),
        ),
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
            f'[{{"key": "{REF}", "n": 2, "r": -1.0, "spearman": -1.0, "coefficient": -1.0}}]',
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

    monkeypatch.setattr(sqlfile, "_fill_table", broken)
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


FOREIGN_KEYS = {
    ("relations", ("source",), "entries", ("id",)),
    ("relations", ("target",), "entries", ("id",)),
    ("bibliography", ("id",), "entries", ("id",)),
    ("citations", ("entry",), "entries", ("id",)),
    ("citations", ("ref",), "bibliography", ("id",)),
    ("dataset_columns", ("dataset",), "entries", ("id",)),
    ("dataset_columns", ("property",), "entries", ("id",)),
    ("dataset_records", ("dataset",), "entries", ("id",)),
    ("dataset_records", ("ref",), "bibliography", ("id",)),
    ("dataset_values", ("dataset", "row"), "dataset_records", ("dataset", "row")),
    ("dataset_values", ("dataset", "column"), "dataset_columns", ("dataset", "name")),
    ("dataset_values", ("property",), "entries", ("id",)),
    ("computed_values", ("dataset", "row"), "dataset_records", ("dataset", "row")),
    ("computed_values", ("dataset", "column"), "dataset_columns", ("dataset", "name")),
    ("computed_values", ("property",), "entries", ("id",)),
    ("computed_values", ("from_property",), "entries", ("id",)),
    ("components", ("dataset", "row"), "dataset_records", ("dataset", "row")),
    ("components", ("material",), "entries", ("id",)),
    ("descriptors", ("dataset", "row"), "dataset_records", ("dataset", "row")),
    ("analysis_results", ("id",), "entries", ("id",)),
    ("analysis_results", ("reported_ref",), "bibliography", ("id",)),
    ("findings", ("entry",), "entries", ("id",)),
    ("findings", ("quantity",), "entries", ("id",)),
    ("findings", ("ref",), "bibliography", ("id",)),
    ("finding_informs", ("entry", "position"), "findings", ("entry", "position")),
    ("finding_informs", ("informs",), "entries", ("id",)),
    ("claim_evidence", ("claim",), "entries", ("id",)),
    ("claim_evidence", ("analysis",), "entries", ("id",)),
    ("claim_evidence", ("finding_entry", "finding_position"), "findings", ("entry", "position")),
}


def _foreign_keys(path: Path) -> set[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    found: dict[tuple[str, int], tuple[str, list[str], list[str]]] = {}
    tables = [name for (name,) in _rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for fk_id, _seq, parent, child, parent_column, *_ in _rows(
            path, f'PRAGMA foreign_key_list("{table}")'
        ):
            _, children, parents = found.setdefault((table, fk_id), (parent, [], []))
            children.append(child)
            parents.append(parent_column)
    return {(table, tuple(c), parent, tuple(p)) for (table, _), (parent, c, p) in found.items()}


def test_foreign_keys_are_declared_and_hold(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(kb, tmp_path / "kb.sqlite", results=kb.analyses)
    assert _foreign_keys(path) == FOREIGN_KEYS
    assert _rows(path, "SELECT count(*) FROM analysis_results") == [(1,)]
    assert _rows(path, "PRAGMA foreign_key_check") == []


def test_foreign_keys_hold_in_the_real_kb(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(real_kb, tmp_path / "kb.sqlite", results=real_kb.analyses)
    assert _foreign_keys(path) == FOREIGN_KEYS
    assert _rows(path, "PRAGMA foreign_key_check") == []
    assert _rows(path, "SELECT count(*) FROM citations")[0][0] > 0


def test_a_dangling_reference_is_refused_while_writing(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys are enforced as the rows go in: a citation of a missing reference fails the write."""
    rows = sqlfile.entry_rows

    def dangling(source: object, entry_id: str) -> dict[str, list[dict[str, object]]]:
        found: dict[str, list[dict[str, object]]] = rows(source, entry_id)  # type: ignore[arg-type,assignment]
        if entry_id == "s":
            found["citations"].append(
                {"entry": "s", "ref": "nobody2000missing", "locator": None, "at": "sources[9]"}
            )
        return found

    monkeypatch.setattr(sqlfile, "entry_rows", dangling)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        write_sqlite(kb, tmp_path / "kb.sqlite")
    assert not (tmp_path / "kb.sqlite").exists()


def test_full_text_search_finds_entries_by_name_alias_and_summary(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride", formula="LiF"),
            "strategies/lif-asei": minimal(
                "strategy", "LiF artificial SEI", summary="A coating of lithium fluoride made before cycling."
            ),
            "materials/fec": minimal("material", "Fluoroethylene carbonate", aliases=["FEC"]),
            "species/li2o": minimal("species", "Lithium oxide", formula="Li2O"),
        },
    )
    path = write_sqlite(load(root, cache=False), tmp_path / "kb.sqlite")
    match = "SELECT id FROM entries_fts WHERE entries_fts MATCH ? ORDER BY id"
    with sqlite3.connect(path) as connection:
        search = lambda text: [i for (i,) in connection.execute(match, (text,))]  # noqa: E731
        assert search("fluoride") == ["lif", "lif-asei"]  # a name, and a summary
        assert search("FEC") == ["fec"]  # an alias
        assert search("li2o") == ["li2o"]  # a formula, case aside
        assert search("oxide") == ["li2o"]
        assert search("fluoride NOT coating") == ["lif"]
        # the FTS rowid is the entry's rowid, so the index joins back to `entries` (as Datasette does)
        joined = connection.execute(
            "SELECT e.id, e.kind FROM entries e WHERE e.rowid IN "
            "(SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'fluoride') ORDER BY e.id"
        ).fetchall()
        assert joined == [("lif", "species"), ("lif-asei", "strategy")]
        assert connection.execute(
            "SELECT count(*) FROM entries e JOIN entries_fts f ON f.rowid = e.rowid AND f.id = e.id"
        ).fetchone() == (len(load(root, cache=False)),)


def test_meta_names_the_data_licence(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    meta = dict(_rows(path, "SELECT key, value FROM meta"))
    assert meta["license"] == "CC-BY-4.0"
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "Attribution 4.0" in meta["license_title"]
    assert "lithium-metal anodes" in meta["title"]
