"""A property a dataset does not hold but can compute (CE from an LCE column, by the LCE
property's ``defined_as``) reaches the analyst: in each record of the Python API, in the data
frame and in kb.sqlite's ``computed_values``, flagged with the expression that gives it."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_kb

DEFINITION = "-log10(1 - coulombic-efficiency / 100)"

# label, LCE as a compiled table reports it, electrolyte
RECORDS = [
    ("Dilute ether", 1.8, "LiFSI-8DME"),
    ("LHCE", 2.3, "LiFSI-1.2DME-3TTE"),
    ("No value", None, "LiFSI-2DME"),
]


def lce_kb(tmp_path: Path, *, definition: str | None = DEFINITION) -> Path:
    """A KB whose one dataset reports LCE only, as Kim et al.'s compilation does."""
    lce: dict[str, Any] = {"unit": "1", "scope": "cell", "symbol": "LCE"}
    if definition is not None:
        lce["defined_as"] = {"expression": definition, "source": SOURCE[0]}
    entries: dict[str, Any] = {
        "properties/coulombic-efficiency": minimal(
            "property", "Coulombic efficiency", unit="%", scope="cell", maximum=100
        ),
        "properties/log-coulombic-inefficiency": minimal("property", "Log Coulombic inefficiency", **lce),
        "materials/lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
        "materials/dme": minimal("material", "DME", formula="C4H10O2", roles=["solvent"]),
        "materials/tte": minimal("material", "TTE", formula="C5H4F8O", roles=["diluent"]),
        "datasets/compiled": minimal(
            "dataset",
            "Compiled LCE",
            columns=[{"name": "lce", "property": "log-coulombic-inefficiency", "unit": "1"}],
            conditions={"cell": "Li||Cu"},
            records=[
                {"label": label, "electrolyte": e, **({"lce": lce} if lce is not None else {})}
                for label, lce, e in RECORDS
            ],
        ),
    }
    return write_kb(tmp_path, entries)


def _ce(lce: float) -> float:
    return (1 - 10**-lce) * 100


def load(path: Path) -> Any:
    import limkb

    return limkb.load(path, cache=False)


def test_records_carry_ce_computed_from_lce(tmp_path: Path) -> None:
    table = load(lce_kb(tmp_path)).dataset("compiled")
    first, second, empty = table.records
    assert table.column_of("coulombic-efficiency") is None
    assert first["computed"] == {"coulombic-efficiency": pytest.approx(_ce(1.8))}
    assert second["computed"]["coulombic-efficiency"] == pytest.approx(99.4988, abs=1e-4)
    assert empty["computed"] == {}  # no LCE, nothing computed
    assert first["lce"] == 1.8  # the stored value is kept as reported


def test_nothing_is_computed_without_a_definition(tmp_path: Path) -> None:
    table = load(lce_kb(tmp_path, definition=None)).dataset("compiled")
    assert all(record["computed"] == {} for record in table.records)


def test_the_data_frame_has_a_column_of_the_computed_property(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    frame = load(lce_kb(tmp_path)).dataset("compiled").to_pandas()
    assert list(frame.columns[:6]) == [
        "label",
        "lce",
        "ref",
        "locator",
        "coulombic-efficiency",
        "electrolyte",
    ]
    values = frame["coulombic-efficiency"].tolist()
    assert values[:2] == pytest.approx([_ce(1.8), _ce(2.3)]) and math.isnan(values[2])
    assert frame[frame["coulombic-efficiency"] > 99]["label"].tolist() == ["LHCE"]


def test_sqlite_holds_the_computed_values_with_their_expression(tmp_path: Path) -> None:
    from limkb.outputs.sqlite import SCHEMA_VERSION, write_sqlite

    kb = load(lce_kb(tmp_path))
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT row, property, value, unit, column, from_property, expression FROM computed_values "
            "WHERE dataset = 'compiled' ORDER BY row"
        ).fetchall()
        assert [r[:2] for r in rows] == [(0, "coulombic-efficiency"), (1, "coulombic-efficiency")]
        assert [r[2] for r in rows] == pytest.approx([_ce(1.8), _ce(2.3)])
        assert {r[3:] for r in rows} == {("%", "lce", "log-coulombic-inefficiency", DEFINITION)}
        # the measured cells stay as reported: no CE among them
        assert db.execute("SELECT DISTINCT property FROM dataset_values").fetchall() == [
            ("log-coulombic-inefficiency",)
        ]
        high = db.execute(
            "SELECT r.label, group_concat(c.material, ' ') FROM computed_values v "
            "JOIN dataset_records r ON r.dataset = v.dataset AND r.row = v.row "
            "JOIN components c ON c.dataset = r.dataset AND c.row = r.row AND c.role = 'solvent' "
            "WHERE v.property = 'coulombic-efficiency' AND v.value > 99 GROUP BY r.dataset, r.row"
        ).fetchall()
        assert high == [("LHCE", "dme")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (6,)
    finally:
        db.close()


def test_a_dataset_with_a_ce_column_computes_lce_but_not_ce(tmp_path: Path) -> None:
    path = lce_kb(tmp_path)
    text = (path / "datasets" / "compiled.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "name: lce\n  property: log-coulombic-inefficiency\n  unit: '1'",
        "name: ce\n  property: coulombic-efficiency\n  unit: '%'",
    )
    text = text.replace("lce: 1.8", "ce: 98.4").replace("lce: 2.3", "ce: 99.5")
    (path / "datasets" / "compiled.yaml").write_text(text, encoding="utf-8")
    first = load(path).dataset("compiled").records[0]
    assert first["ce"] == 98.4
    assert first["computed"] == {"log-coulombic-inefficiency": pytest.approx(-math.log10(1 - 0.984))}


def test_each_definition_is_parsed_once_however_many_datasets_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from limkb.analysis import expressions, variables

    path = lce_kb(tmp_path)
    text = (path / "datasets" / "compiled.yaml").read_text(encoding="utf-8")
    for copy in range(5):  # five more datasets holding LCE, and properties no definition names
        (path / "datasets" / f"compiled-{copy}.yaml").write_text(
            text.replace("id: compiled", f"id: compiled-{copy}"), encoding="utf-8"
        )
        write_kb(path.parent, {f"properties/plain-{copy}": minimal("property", f"Plain {copy}", unit="1")})
    kb = load(path)  # (validation parses the definition to check it, apart)
    variables.definition_of.cache_clear()
    variables._inverse_of.cache_clear()
    parsed: list[str] = []
    original = expressions.parse
    monkeypatch.setattr(expressions, "parse", lambda t: parsed.append(t) or original(t))
    tables = [kb.dataset(f"compiled-{copy}") for copy in range(5)]
    assert all(t.records[0]["computed"] == {"coulombic-efficiency": pytest.approx(_ce(1.8))} for t in tables)
    assert parsed == [DEFINITION]
