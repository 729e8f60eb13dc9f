"""``kb.sqlite`` after an edit: the rows of the entries whose inputs changed are made again, the
others copied from the last build's database, and the file equals one written from scratch,
byte for byte; what a row reads beyond its entry (a property's definition, a material, a cited
reference's reading status) makes it again; a database changed since is not copied from."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml

from kbfactory import REF, REFERENCE, ce_finding, minimal, write_data_files, write_entry
from limkb.outputs import sqlfile
from test_computed_values import lce_kb

FILES = ("kb.sqlite", "graph.json", "graph.graphml", "kb.jsonld", "findings.csv", "datapackage.json")


def project(tmp_path: Path) -> Path:
    """The LCE dataset's KB with a strategy holding a finding (with an electrolyte) of :data:`REF`."""
    kb = lce_kb(tmp_path)
    read = {"status": "abstract", "url": "https://example.org/paper"}
    write_entry(kb, f"references/{REF}", {**REFERENCE, "read": read})
    finding = ce_finding(electrolyte="LiFSI-8DME", conditions={"cell": "Li||Cu"})
    write_entry(kb, "strategies/hce", minimal("strategy", "HCE", findings=[finding]))
    return kb


def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids whose rows the next writes make (the others are copied)."""
    seen: list[str] = []
    original = sqlfile.entry_rows

    def noting(source: Any, entry_id: str) -> Any:
        seen.append(entry_id)
        return original(source, entry_id)

    monkeypatch.setattr(sqlfile, "entry_rows", noting)
    return seen


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def assert_same_as_scratch(kb_dir: Path, out: Path, tmp_path: Path) -> None:
    scratch = write_data_files(kb_dir, tmp_path / "scratch")
    assert [name for name in FILES if (out / name).read_bytes() != (scratch / name).read_bytes()] == []


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def _definition(data: dict[str, Any]) -> None:
    data["defined_as"]["expression"] = "-log10(1 - coulombic-efficiency/100)"


def _formula(data: dict[str, Any]) -> None:
    data["formula"] = "C4H10O3"


def _read(data: dict[str, Any]) -> None:
    data["read"] = {"status": "full", "url": "https://example.org/paper"}


Edit = tuple[str, Callable[[dict[str, Any]], Any], set[str]]
"""A file below kb/ (without ``.yaml``), a change of its data, and the ids whose rows it remakes."""

_EDITS: list[Edit] = [
    ("properties/log-coulombic-inefficiency", _definition, {"log-coulombic-inefficiency", "compiled"}),
    ("materials/dme", _formula, {"dme", "compiled", "hce"}),
    (f"references/{REF}", _read, {REF, "hce"}),
]


def _each_edit_remakes_its_rows(
    kb: Path, tmp_path: Path, seen: list[str], edits: list[Edit], write: Callable[..., Path]
) -> Path:
    """Make the edits one by one, writing the data files after each from the last ones: each
    makes again exactly the rows of the ids it names, and the files equal a clean write. The last
    folder written is returned."""
    last = write(kb, tmp_path / "b0")
    for number, (name, change, expected) in enumerate(edits, start=1):
        edit(kb / f"{name}.yaml", change)
        seen.clear()
        last = write(kb, tmp_path / f"b{number}", previous=last)
        assert set(seen) == expected, name
        assert_same_as_scratch(kb, last, tmp_path)
    database = last / "kb.sqlite"  # the database holds every edit of _EDITS
    expressions = _rows(database, "SELECT DISTINCT expression FROM computed_values")
    assert expressions == [("-log10(1 - coulombic-efficiency/100)",)]
    assert _rows(database, "SELECT read_status FROM findings WHERE entry = 'hce'") == [("full",)]
    return last


def test_an_edit_makes_again_the_rows_that_read_what_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = project(tmp_path)
    _each_edit_remakes_its_rows(kb, tmp_path, made(monkeypatch), _EDITS, write_data_files)


def test_a_summary_edit_makes_one_entry_s_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = project(tmp_path)
    first = write_data_files(kb, tmp_path / "b0")
    edit(kb / "strategies/hce.yaml", lambda d: d.update(summary="Edited."))
    seen = made(monkeypatch)
    second = write_data_files(kb, tmp_path / "b1", previous=first)
    assert seen == ["hce"]
    assert _rows(second / "kb.sqlite", "SELECT summary FROM entries WHERE id = 'hce'") == [("Edited.",)]
    assert_same_as_scratch(kb, second, tmp_path)


def test_entries_added_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = project(tmp_path)
    last = write_data_files(kb, tmp_path / "b0")
    write_entry(kb, "materials/aaa-first", minimal("material", "A first", formula="LiF", roles=["additive"]))
    write_entry(kb, "materials/lif-mid", minimal("material", "LiF", formula="LiF", roles=["additive"]))
    write_entry(kb, "strategies/zz-last", minimal("strategy", "Last", forms=[]))
    last = write_data_files(kb, tmp_path / "b1", previous=last)
    assert_same_as_scratch(kb, last, tmp_path)
    (kb / "materials/lif-mid.yaml").unlink()  # its rows, between others', go
    (kb / "strategies/zz-last.yaml").unlink()
    seen = made(monkeypatch)
    last = write_data_files(kb, tmp_path / "b2", previous=last)
    assert "lif-mid" not in seen and "zz-last" not in seen
    gone = "SELECT count(*) FROM entries WHERE id IN ('lif-mid', 'zz-last')"
    assert _rows(last / "kb.sqlite", gone) == [(0,)]
    assert_same_as_scratch(kb, last, tmp_path)


def test_a_database_changed_since_its_build_is_not_copied_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = project(tmp_path)
    first = write_data_files(kb, tmp_path / "b0")
    database = first / "kb.sqlite"
    with closing(sqlite3.connect(database)) as db:
        db.execute("UPDATE entries SET summary = 'Tampered.' WHERE id = 'dme'")
        db.commit()
    edit(kb / "strategies/hce.yaml", lambda d: d.update(summary="Edited."))
    seen = made(monkeypatch)
    second = write_data_files(kb, tmp_path / "b1", previous=first)
    assert "dme" in seen  # every row made again
    assert _rows(second / "kb.sqlite", "SELECT summary FROM entries WHERE id = 'dme'") != [("Tampered.",)]
    assert_same_as_scratch(kb, second, tmp_path)


def test_the_file_holds_what_kb_engine_holds(real_kb: Any, tmp_path: Path) -> None:
    """The rows go in without SQLAlchemy: the same values, of the same types, as its models bind."""
    from limkb.outputs.sqlite import TABLES, write_sqlite

    path = write_sqlite(real_kb, tmp_path / "kb.sqlite", results=real_kb.analyses)
    with closing(sqlite3.connect(path)) as db, real_kb.engine.connect() as engine:
        for table in [str(t.__tablename__) for t in TABLES]:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
            sql = f'SELECT {typed} FROM "{table}" ORDER BY rowid'
            assert db.execute(sql).fetchall() == [tuple(r) for r in engine.exec_driver_sql(sql)], table


def test_datapackage_json_is_joined_from_the_resources_of_the_datasets_an_edit_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataset value makes that dataset's resource again (its CSV's size and hash change; a
    stale resource would fail the comparison); the package equals one serialised whole."""
    import limkb
    from limkb.outputs import datapackage
    from limkb.outputs.formats import dataset_csv, findings_csv

    kb = project(tmp_path)
    write_entry(
        kb,
        "datasets/other",
        minimal(
            "dataset",
            "Other LCE",
            columns=[{"name": "lce", "property": "log-coulombic-inefficiency", "unit": "1"}],
            conditions={"cell": "Li||Cu"},
            records=[{"label": "a", "lce": 1.5}, {"label": "b", "lce": 2.0}],
        ),
    )
    last = write_data_files(kb, tmp_path / "b0")
    resources: list[str] = []
    original = datapackage.dataset_resource
    monkeypatch.setattr(
        datapackage,
        "dataset_resource",
        lambda kb_, dataset_id, *rest: resources.append(dataset_id) or original(kb_, dataset_id, *rest),
    )
    edit(kb / "strategies/hce.yaml", lambda d: d.update(summary="Edited."))
    last = write_data_files(kb, tmp_path / "b1", previous=last)
    assert resources == []  # linked
    edit(kb / "datasets/other.yaml", lambda d: d["records"][0].update(lce=1.75))
    text = (last / "datapackage.json").read_text(encoding="utf-8")
    last = write_data_files(kb, tmp_path / "b2", previous=last)
    assert resources == ["other"]
    assert (last / "datapackage.json").read_text(encoding="utf-8") != text
    loaded = limkb.load(kb, cache=False)
    tables = {i: dataset_csv(loaded, i) for i in ("compiled", "other")}
    whole = datapackage.datapackage_json(loaded, tables, findings=findings_csv(loaded))
    assert (last / "datapackage.json").read_text(encoding="utf-8") == whole
    assert_same_as_scratch(kb, last, tmp_path)


def write_cached(kb_dir: Path, out: Path, files: Any, previous: Path | None = None) -> Path:
    """:func:`write_data_files` of a KB loaded through the file cache ``files`` (as a build loads)."""
    import limkb
    from limkb.outputs import write_outputs

    kb = limkb.load(kb_dir, cache=False, files=files)
    write_outputs(kb, kb.analyses, out, previous=previous, keep=True)
    return out


def test_entries_read_through_the_file_cache_are_named_by_their_file_s_hash(tmp_path: Path) -> None:
    import limkb
    from limkb.check.cache import FileCache
    from limkb.outputs.rows import entry_digests
    from limkb.schema.kinds import content_digest

    kb_dir = project(tmp_path)
    files = FileCache()
    before = entry_digests(limkb.load(kb_dir, cache=False, files=files))
    plain = limkb.load(kb_dir, cache=False)
    assert all(d.startswith("f") for d in before.values())
    assert entry_digests(plain) == {i: content_digest(plain[i]) for i in sorted(plain)}
    edit(kb_dir / "strategies/hce.yaml", lambda d: d.update(summary="Edited."))
    after = entry_digests(limkb.load(kb_dir, cache=False, files=files))
    assert [i for i in before if before[i] != after[i]] == ["hce"]


def test_the_same_bytes_under_another_id_or_code_are_named_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import limkb
    from limkb.check import cache
    from limkb.outputs.rows import entry_digests

    kb_dir = project(tmp_path)
    data = minimal("material", "Twin", formula="LiF", roles=["additive"])
    write_entry(kb_dir, "materials/twin-a", data)
    write_entry(kb_dir, "materials/twin-b", data)
    found = entry_digests(limkb.load(kb_dir, cache=False, files=cache.FileCache()))
    assert found["twin-a"] != found["twin-b"]
    monkeypatch.setattr(cache, "_versions", lambda: "another limkb")
    again = entry_digests(limkb.load(kb_dir, cache=False, files=cache.FileCache()))
    assert again["twin-a"] != found["twin-a"]


def test_edits_through_the_file_cache_make_again_the_rows_that_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from limkb.check.cache import FileCache

    kb = project(tmp_path)
    files = FileCache()
    summary: Edit = ("strategies/hce", lambda d: d.update(summary="Edited."), {"hce"})

    def write(kb_dir: Path, out: Path, previous: Path | None = None) -> Path:
        return write_cached(kb_dir, out, files, previous=previous)

    last = _each_edit_remakes_its_rows(kb, tmp_path, made(monkeypatch), [summary, *_EDITS], write)
    database = last / "kb.sqlite"
    assert _rows(database, "SELECT summary FROM entries WHERE id = 'hce'") == [("Edited.",)]
