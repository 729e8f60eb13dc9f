"""`limkb import-table` against the attacks and defects found by a contributor and a red team.

Each test fails on the importer before this file was written: log-inefficiencies stored as CE,
an empty cell that deleted a stored value, a corrected label that copied a measurement, a
doubled ``--map``, a label with a NUL that only ``validate`` refused, a workbook named ``.csv``
answered with ``--skip "PK..."``, and 100,000 rows rendered before being refused. Beside them:
plausible ranges in ``validate``, and a derived property (LCE) stored as a paper reports it,
with CE computed from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import limkb
from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.analysis import expressions as ex
from limkb.check.reader import load_file
from limkb.check.validate import validate_kb
from limkb.cli import cli, main
from limkb.commands.import_table import import_table
from limkb.errors import LimkbError

OTHER = "jones2021another"
OTHER_DOI = "10.1000/another.2021"
LCE = {
    "unit": "1",
    "scope": "cell",
    "desired": "higher",
    "minimum": 0,
    "range": {"min": 0.04, "max": 5},
    "symbol": "LCE",
    "defined_as": {"expression": "-log10(1 - coulombic-efficiency / 100)", "source": SOURCE[0]},
}


def _kb(tmp_path: Path, **datasets: dict[str, Any]) -> Path:
    entries: dict[str, Any] = {
        "properties/coulombic-efficiency": minimal(
            "property",
            "Coulombic efficiency",
            unit="%",
            scope="cell",
            minimum=0,
            maximum=100,
            range={"min": 10, "max": 100},
            symbol="CE",
        ),
        "properties/log-coulombic-inefficiency": minimal("property", "Log Coulombic inefficiency", **LCE),
        "properties/sei-fluorine-content": minimal("property", "SEI F", unit="%", minimum=0, maximum=100),
        "references/" + OTHER: {"title": "Another", "authors": ["Jones, B."], "year": 2021, "doi": OTHER_DOI},
        "strategies/fec-additive": minimal("strategy", "FEC additive"),
    }
    for dataset_id, data in datasets.items():
        entries[f"datasets/{dataset_id}"] = data
    return write_kb(tmp_path, entries)


def _ce_dataset(**fields: Any) -> dict[str, Any]:
    columns = [
        {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        {"name": "f_pct", "property": "sei-fluorine-content", "unit": "%"},
    ]
    return minimal("dataset", "CE table", columns=columns, **fields)


def _csv(tmp_path: Path, text: str, name: str = "rows.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _records(kb: Path, dataset_id: str = "d") -> list[dict[str, Any]]:
    document, _ = load_file(kb / "datasets" / f"{dataset_id}.yaml")
    assert document is not None
    return list(document.data.get("records", []))


# --- 1. plausible ranges -------------------------------------------------------------------


def test_log_inefficiencies_mapped_to_ce_are_refused_with_their_likely_cause(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    before = (kb / "datasets" / "d.yaml").read_bytes()
    csv = _csv(tmp_path, "label,LCE\nA,0.7\nB,2.3\nC,1.52\nD,1.1\n")
    result = import_table(csv, "d", kb, mapping={"LCE": "ce"})
    assert not result.written and (kb / "datasets" / "d.yaml").read_bytes() == before
    [problem] = result.report.errors
    assert (problem.code, problem.line, problem.col) == ("out-of-range", 2, 2)
    assert "4 of 4 values of `ce` lie outside coulombic-efficiency's range, 10-100 %" in problem.message
    assert "these look like Log Coulombic inefficiency values (0.7 to 2.3)" in problem.message
    assert "log-coulombic-inefficiency" in problem.hint


def test_an_lce_header_is_named_as_the_property_it_is(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    result = import_table(_csv(tmp_path, "label,LCE\nA,0.7\n"), "d", kb)
    [problem] = result.report.errors
    assert "'LCE' is Log Coulombic inefficiency (`log-coulombic-inefficiency`)" in problem.message
    assert "did you mean 'ce'" not in problem.message  # the look-alike that led to --map "LCE=ce"


def test_validate_locates_each_stored_value_outside_the_plausible_range(tmp_path: Path) -> None:
    records = [{"label": "a", "ce": 99.1}, {"label": "b", "ce": 1.9}, {"label": "c", "ce": 2.2}]
    kb = _kb(tmp_path, d=_ce_dataset(records=records))
    problems = [p for p in validate_kb(kb).report.errors if p.code == "out-of-range"]
    assert [p.line for p in problems] == sorted({p.line for p in problems}) and len(problems) == 2
    assert all(p.path.endswith("d.yaml") and p.col > 1 for p in problems)
    assert "for 'b' is outside 'coulombic-efficiency''s range 10-100 %" in problems[0].message
    assert "Log Coulombic inefficiency" in problems[0].hint


def test_a_plausible_range_must_lie_within_the_possible_one(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path, {"properties/p": minimal("property", unit="%", maximum=100, range={"min": 5, "max": 120})}
    )
    [problem] = validate_kb(kb).report.errors
    assert problem.code == "out-of-range" and "range max 120" in problem.message


# --- 2. a derived property stored as reported ----------------------------------------------


def test_the_lce_definition_inverts_to_ce() -> None:
    formula = ex.parse(LCE["defined_as"]["expression"])
    inverse = ex.invert(formula, "coulombic-efficiency", "lce")
    ce = np.array([80.0, 99.0, 99.9])
    lce = ex.evaluate(formula, {"coulombic-efficiency": ce})
    assert np.allclose(lce, [0.69897, 2.0, 3.0], atol=1e-5)
    assert np.allclose(ex.evaluate(inverse, {"lce": lce}), ce)


def test_a_table_of_lce_is_stored_as_reported_and_ce_computed_from_it(tmp_path: Path) -> None:
    columns = [
        {"name": "lce", "property": "log-coulombic-inefficiency", "unit": "1"},
        {"name": "f_pct", "property": "sei-fluorine-content", "unit": "%"},
    ]
    kb = _kb(tmp_path, d=minimal("dataset", "LCE table", columns=columns))
    result = import_table(_csv(tmp_path, "label,LCE,f_pct\nA,2,10\nB,3,20\nC,2.5,15\nD,1.5,5\n"), "d", kb)
    assert result.written, result.report.format("text")
    assert [r["lce"] for r in _records(kb)] == [2, 3, 2.5, 1.5]
    (kb / "analyses").mkdir()
    (kb / "analyses" / "ce-vs-f.yaml").write_text(
        yaml.safe_dump(minimal("analysis", "CE vs F", x="sei-fluorine-content", y="coulombic-efficiency")),
        encoding="utf-8",
    )
    assert not validate_kb(kb).report.errors, validate_kb(kb).report.format("text")
    points = limkb.load(kb, cache=False).analyses["ce-vs-f"].points
    assert np.allclose([p.y for p in points], [99.0, 99.9, 100 - 10**-0.5, 100 - 10**-0.5 * 10])


def test_an_analysis_of_lce_over_a_ce_dataset_computes_it_by_the_definition(tmp_path: Path) -> None:
    records = [
        {"label": f"r{i}", "ce": ce, "f_pct": 5.0 + i} for i, ce in enumerate([90.0, 99.0, 99.9, 95.0])
    ]
    kb = _kb(tmp_path, d=_ce_dataset(records=records))
    (kb / "analyses").mkdir()
    (kb / "analyses" / "lce-vs-f.yaml").write_text(
        yaml.safe_dump(
            minimal("analysis", "LCE vs F", x="sei-fluorine-content", y="log-coulombic-inefficiency")
        ),
        encoding="utf-8",
    )
    result = limkb.load(kb, cache=False).analyses["lce-vs-f"]
    assert np.allclose([p.y for p in result.points], [1.0, 2.0, 3.0, -np.log10(0.05)])
    assert result.y_unit == "1"


def test_a_dataset_holding_ce_and_lce_types_one_measurement_twice(tmp_path: Path) -> None:
    columns = [
        {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        {"name": "lce", "property": "log-coulombic-inefficiency", "unit": "1"},
    ]
    kb = _kb(tmp_path, d=minimal("dataset", "Both", columns=columns))
    [problem] = validate_kb(kb).report.errors
    assert problem.code == "typed-twice" and "computed from coulombic-efficiency" in problem.message


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("-log10(1 - ce / 100)", "'ce' is not another property"),
        ("abs(coulombic-efficiency)", "abs() cannot be inverted"),
        ("coulombic-efficiency - sei-fluorine-content", "names 2 quantities"),
    ],
)
def test_a_definition_that_cannot_be_used_is_located(tmp_path: Path, expression: str, message: str) -> None:
    kb = _kb(tmp_path)
    path = kb / "properties" / "log-coulombic-inefficiency.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["defined_as"]["expression"] = expression
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    [problem] = validate_kb(kb).report.errors
    assert problem.code == "bad-definition" and message in problem.message
    assert problem.line > 1


# --- 3. --replace, relabelled copies, --map, row sources ----------------------------------


def test_replace_keeps_a_stored_value_when_its_cell_is_empty(tmp_path: Path) -> None:
    record = {"label": "A", "ce": 99.0, "f_pct": 12.0, "strategies": ["fec-additive"], "note": "kept"}
    kb = _kb(tmp_path, d=_ce_dataset(records=[record]))
    result = import_table(_csv(tmp_path, "label,ce,f_pct,note\nA,99.2,,\n"), "d", kb, replace=True)
    assert result.written and result.replaced == 1, result.report.format("text")
    assert _records(kb) == [dict(record, ce=99.2)]


def test_a_row_without_values_that_names_no_record_is_refused(tmp_path: Path) -> None:
    record = {"label": "A", "ce": 99.0, "source": {"ref": OTHER}}
    kb = _kb(tmp_path, d=_ce_dataset(records=[record]))
    result = import_table(_csv(tmp_path, "label,ce,f_pct\nA,,\n"), "d", kb, replace=True)
    [problem] = result.report.errors
    assert "has no value in any column of the dataset and names no record of it to update" in problem.message
    assert _records(kb) == [record]


def test_replace_without_the_records_source_is_refused_instead_of_adding_a_copy(tmp_path: Path) -> None:
    record = {"label": "A", "ce": 99.0, "f_pct": 12.0, "source": {"ref": OTHER, "locator": "Table 2"}}
    kb = _kb(tmp_path, d=_ce_dataset(records=[record]))
    result = import_table(_csv(tmp_path, "label,ce\nA,99.4\n"), "d", kb, replace=True)
    [problem] = result.report.errors
    assert (
        problem.code == "duplicate-record"
        and f"has the label of record 1, which cites {OTHER!r}" in problem.message
    )
    result = import_table(_csv(tmp_path, f"label,ce,ref\nA,99.4,{OTHER}\n"), "d", kb, replace=True)
    assert result.written and _records(kb) == [dict(record, ce=99.4)]
    # the same label from another paper is another measurement: added beside it
    result = import_table(_csv(tmp_path, f"label,ce,ref\nA,97.0,{REF}\n"), "d", kb, replace=True)
    assert result.written and [r["ce"] for r in _records(kb)] == [99.4, 97.0]


def test_clear_empty_lets_an_empty_cell_delete_the_stored_value(tmp_path: Path) -> None:
    record = {"label": "A", "ce": 99.0, "f_pct": 12.0, "strategies": ["fec-additive"]}
    kb = _kb(tmp_path, d=_ce_dataset(records=[record]))
    csv = _csv(tmp_path, "label,ce,f_pct\nA,99.2,\n")
    result = import_table(csv, "d", kb, replace=True, clear_empty=True)
    assert result.written
    assert _records(kb) == [{"label": "A", "ce": 99.2, "strategies": ["fec-additive"]}]


def test_the_cli_clears_empty_cells_only_when_asked(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset(records=[{"label": "A", "ce": 99.0, "f_pct": 12.0}]))
    csv = _csv(tmp_path, "label,ce,f_pct\nA,99.3,\n")
    base = ["import-table", str(csv), "--dataset", "d", "--kb", str(kb), "--replace"]
    done = CliRunner().invoke(cli, base)
    assert done.exit_code == 0 and "replaced 1" in done.output, done.output
    assert _records(kb) == [{"label": "A", "ce": 99.3, "f_pct": 12.0}]
    done = CliRunner().invoke(cli, [*base, "--clear-empty"])
    assert done.exit_code == 0, done.output
    assert _records(kb) == [{"label": "A", "ce": 99.3}]
    assert "--clear-empty" in CliRunner().invoke(cli, ["import-table", "--help"]).output


def test_a_relabelled_copy_of_a_record_is_refused_naming_it(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset(records=[{"label": "LiFSI DME", "ce": 99.1, "f_pct": 12.0}]))
    for replace in (False, True):
        result = import_table(_csv(tmp_path, "label,ce,f_pct\nLiFSI-DME,99.1,12\n"), "d", kb, replace=replace)
        [problem] = result.report.errors
        assert (problem.code, problem.line) == ("likely-duplicate", 2)
        assert "equals record 1 of the dataset, 'LiFSI DME', in everything but its label" in problem.message
    assert len(_records(kb)) == 1


def test_two_rows_of_one_measurement_under_two_labels_are_refused(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    result = import_table(_csv(tmp_path, "label,ce,f_pct\nA,99.1,12\nA',99.1,12\n"), "d", kb)
    [problem] = result.report.errors
    assert problem.code == "likely-duplicate" and "the row on line 2, 'A'" in problem.message


def test_two_map_flags_for_one_header_are_an_error(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    csv = _csv(tmp_path, "label,CE\nA,99.1\n")
    args = [
        "import-table",
        str(csv),
        "--dataset",
        "d",
        "--kb",
        str(kb),
        "--map",
        "CE=ce",
        "--map",
        "CE=f_pct",
    ]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 1
    assert "--map gives the header 'CE' twice ('ce' and 'f_pct')" in done.output
    assert _records(kb) == []


def test_a_doi_column_gives_each_row_its_own_source(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    csv = _csv(
        tmp_path,
        f"label,ce,f_pct,doi,locator\nA,99.1,12,https://doi.org/{OTHER_DOI.upper()},Table 2\n"
        "B,98.2,10,10.1000/test.2020,Table 1\nC,97.0,8,10.9/none,\n",
    )
    result = import_table(csv, "d", kb)
    [problem] = result.report.errors
    assert (problem.line, problem.col) == (
        4,
        4,
    ) and "no reference entry has the DOI '10.9/none'" in problem.message
    result = import_table(_csv(tmp_path, "\n".join(csv.read_text().splitlines()[:3]) + "\n"), "d", kb)
    assert result.written, result.report.format("text")
    # B cites the dataset's own source (REF, Table 1): stored without a source of its own
    assert [r.get("source") for r in _records(kb)] == [{"ref": OTHER, "locator": "Table 2"}, None]


def _clustered(tmp_path: Path, *, own: bool) -> tuple[str, ...]:
    records = [
        {"label": f"r{i}", "ce": 95.0 + i / 2, "f_pct": 5.0 + i, **({"source": {"ref": REF}} if own else {})}
        for i in range(8)
    ]
    kb = _kb(tmp_path, d=_ce_dataset(records=records))
    (kb / "analyses").mkdir()
    (kb / "analyses" / "a.yaml").write_text(
        yaml.safe_dump(minimal("analysis", "CE vs F", x="sei-fluorine-content", y="coulombic-efficiency")),
        encoding="utf-8",
    )
    return limkb.load(kb, cache=False).analyses["a"].caveats


def test_the_clustering_caveat_says_which_records_borrow_their_datasets_source(tmp_path: Path) -> None:
    [borrowed] = [c for c in _clustered(tmp_path / "a", own=False) if c.startswith("clustering")]
    assert (
        "8 of them name no source of their own and are counted under their dataset's (smith2020test)"
        in borrowed
    )
    [own] = [c for c in _clustered(tmp_path / "b", own=True) if c.startswith("clustering")]
    assert "no source of their own" not in own


# --- 4. what validate would refuse, workbooks, size -----------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x85"])
def test_a_control_character_in_a_label_is_refused_before_writing(tmp_path: Path, bad: str) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    before = (kb / "datasets" / "d.yaml").read_bytes()
    result = import_table(_csv(tmp_path, f"label,ce\nA{bad}b,99.1\n"), "d", kb)
    [problem] = result.report.errors
    assert (problem.code, problem.line, problem.col) == ("bad-cell", 2, 1)
    assert "invisible control character" in problem.message
    assert (kb / "datasets" / "d.yaml").read_bytes() == before
    assert not validate_kb(kb).report.errors


def test_a_row_the_validator_would_refuse_is_reported_at_its_line(tmp_path: Path) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    before = (kb / "datasets" / "d.yaml").read_bytes()
    result = import_table(
        _csv(tmp_path, "label,ce,strategies\nA,99.1,fec-additive\nB,98,no-such-strategy\n"), "d", kb
    )
    [problem] = result.report.errors
    assert (problem.code, problem.line) == ("unknown-ref", 3)
    assert "no-such-strategy" in problem.message and "would not validate" in problem.message
    assert (kb / "datasets" / "d.yaml").read_bytes() == before


WORKBOOKS = {
    "xlsx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml junk",
    "ods": b"PK\x03\x04\x14\x00\x00\x08\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00readme.txt",
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,
}


@pytest.mark.parametrize("kind", sorted(WORKBOOKS))
def test_a_workbook_is_recognised_by_its_content_whatever_its_name(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = _kb(tmp_path, d=_ce_dataset())
    path = tmp_path / "table.csv"
    path.write_bytes(WORKBOOKS[kind])
    with pytest.raises(LimkbError, match=rf"{kind} is not read; save the sheet as CSV"):
        import_table(path, "d", kb)
    monkeypatch.setattr("sys.argv", ["limkb", "import-table", str(path), "--dataset", "d", "--kb", str(kb)])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 1 and "save the sheet as CSV" in err and "--skip" not in err


def test_rows_too_many_for_a_dataset_are_refused_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import limkb.commands.import_table as module

    def never(*args: object, **kwargs: object) -> str:
        raise AssertionError("the rows were rendered")

    monkeypatch.setattr(module, "render", never)
    kb = _kb(tmp_path, d=_ce_dataset())
    rows = "".join(f"row {i},{90 + i / 100_000:.5f},{i % 90}\n" for i in range(30_000))
    result = import_table(_csv(tmp_path, "label,ce,f_pct\n" + rows), "d", kb)
    [problem] = result.report.errors
    assert problem.code == "file-too-large" and "at least" in problem.message
