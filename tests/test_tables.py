"""`limkb import-table`: CSV rows become dataset records, every bad cell reported once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kbfactory import REF, minimal, write_kb
from limkb.check.reader import load_file
from limkb.check.validate import validate_kb
from limkb.check.writer import format_text
from limkb.cli import cli
from limkb.commands.import_table import import_table

DATASET = "ce-data"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    dataset = minimal(
        "dataset",
        columns=[
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            {"name": "thickness", "property": "sei-thickness", "unit": "nm"},
            {"name": "cycles", "unit": "1", "type": "integer"},
            {"name": "salt", "type": "text"},
        ],
        records=[{"label": "old", "ce": 99.0}],
    )
    text = "# about this dataset\n\n# the rows\n" + __import__("yaml").safe_dump(dataset, sort_keys=False)
    return write_kb(
        tmp_path,
        {
            "properties/coulombic-efficiency": minimal("property", unit="%", minimum=0, maximum=100),
            "properties/sei-thickness": minimal("property", unit="nm", minimum=0),
            f"datasets/{DATASET}": text,
        },
    )


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_are_appended_in_canonical_form(kb: Path, tmp_path: Path) -> None:
    csv = _csv(
        tmp_path,
        f"Label,CE (%),sei-thickness,cycles,salt,ref,locator,note\n"
        f"A,99.1,20,100,LiFSI,{REF},Fig. 2,first\nB,98.5,,,,,,\n\n",
    )
    result = import_table(csv, DATASET, kb)
    assert result.written and not result.report.errors
    path = kb / "datasets" / f"{DATASET}.yaml"
    document, _ = load_file(path)
    assert document is not None
    assert document.data["records"] == [
        {"label": "old", "ce": 99.0},
        {
            "label": "A",
            "source": {"ref": REF, "locator": "Fig. 2"},
            "note": "first",
            "ce": 99.1,
            "thickness": 20,
            "cycles": 100,
            "salt": "LiFSI",
        },
        {"label": "B", "ce": 98.5},
    ]
    text = path.read_text(encoding="utf-8")
    assert "# about this dataset\n" in text and "# the rows\n" in text
    assert format_text(text, "dataset")[0] == text
    assert not validate_kb(kb).report.errors


def test_every_bad_cell_is_reported_once_and_nothing_written(kb: Path, tmp_path: Path) -> None:
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_text(encoding="utf-8")
    csv = _csv(
        tmp_path, 'label,ce,thickness,cycles,ref\nA,"99,1",20,3.5,nosuchref\n,97 %,n/a,1,\nC,120,-1,2,\n'
    )
    result = import_table(csv, DATASET, kb)
    assert not result.written
    found = [(p.line, p.col, p.code) for p in result.report]
    assert found == [
        (2, 2, "bad-cell"),
        (2, 4, "bad-cell"),
        (2, 5, "bad-cell"),
        (3, 1, "bad-cell"),
        (3, 2, "bad-cell"),
        (3, 3, "bad-cell"),
        (4, 2, "out-of-range"),
        (4, 3, "out-of-range"),
    ]
    text = result.report.format("text")
    assert "rows.csv:2:2: error[bad-cell]: ce = '99,1' uses a decimal comma" in text
    assert "hint: write 99.1" in text
    assert "ce = '97 %' has '%' after the number" in text
    assert "cycles = '3.5' is not a whole number" in text
    assert "ref 'nosuchref' is not a reference entry" in text
    assert "1 of 1 value of `ce` lies outside coulombic-efficiency's range, 0-100 %" in text
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("ce,thickness", "there is no `label` column"),
        ("label,cee", "did you mean 'ce'?"),
        ("label,ce (fraction)", "the column 'ce' is in '%'"),
        ("label,ce,coulombic-efficiency", "maps to 'ce' a second time"),
    ],
)
def test_header_problems(kb: Path, tmp_path: Path, header: str, message: str) -> None:
    result = import_table(_csv(tmp_path, header + "\nA,1,2\n"), DATASET, kb)
    assert not result.written
    assert all(p.code == "csv-header" and p.line == 1 for p in result.report)
    assert message in result.report.format("text")


def test_semicolon_csv_from_a_spreadsheet(kb: Path, tmp_path: Path) -> None:
    result = import_table(_csv(tmp_path, "\ufefflabel;ce\nA;99.5\n"), DATASET, kb)
    assert result.written and result.records == [{"label": "A", "ce": 99.5}]


def test_cli(kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _csv(tmp_path, "label,ce\nA,99.5\nB,1,5\n")
    runner = CliRunner()
    bad = runner.invoke(cli, ["import-table", "rows.csv", "--dataset", DATASET])
    assert (
        bad.exit_code == 1
        and "rows.csv:3:3: error[bad-cell]" in bad.output
        and "nothing was written" in bad.output
    )
    _csv(tmp_path, "label,ce\nA,99.5\n")
    good = runner.invoke(cli, ["import-table", "rows.csv", "--dataset", DATASET])
    assert good.exit_code == 0 and f"appended 1 records to kb/datasets/{DATASET}.yaml" in good.output
    missing = runner.invoke(cli, ["import-table", "rows.csv", "--dataset", "nope"])
    assert missing.exit_code != 0


def _records(kb: Path) -> list[dict[str, object]]:
    document, _ = load_file(kb / "datasets" / f"{DATASET}.yaml")
    assert document is not None
    return list(document.data["records"])


def test_the_same_file_imported_twice_is_refused_and_changes_nothing(kb: Path, tmp_path: Path) -> None:
    csv = _csv(tmp_path, f"label,ce,ref\nA,99.1,{REF}\nB,98.5,{REF}\nC,97.0,\n")
    assert import_table(csv, DATASET, kb).written
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_bytes()
    again = import_table(csv, DATASET, kb)
    assert not again.written and path.read_bytes() == before
    assert [(p.code, p.line, p.col) for p in again.report.errors] == [
        ("duplicate-record", 2, 1),
        ("duplicate-record", 3, 1),
        ("duplicate-record", 4, 1),
    ]
    assert "already record 2 of the dataset" in again.report.errors[0].message
    assert "--replace" in again.report.errors[0].hint
    assert len(_records(kb)) == 4
    assert validate_kb(kb).report.ok()


def test_replace_updates_existing_records_and_appends_the_rest(kb: Path, tmp_path: Path) -> None:
    assert import_table(_csv(tmp_path, f"label,ce,ref\nA,99.1,{REF}\n"), DATASET, kb).written
    result = import_table(
        _csv(tmp_path, f"label,ce,ref\na ,99.4,{REF}\nD,96.0,{REF}\n"), DATASET, kb, replace=True
    )
    assert result.written and result.replaced == 1
    assert [(r["label"], r["ce"]) for r in _records(kb)] == [("old", 99.0), ("a", 99.4), ("D", 96.0)]
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "import-table",
            str(_csv(tmp_path, f"label,ce,ref\nD,96.5,{REF}\n")),
            "--dataset",
            DATASET,
            "--kb",
            str(kb),
            "--replace",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "appended 0 records, replaced 1" in out.output


def test_a_row_repeated_within_one_file_is_refused(kb: Path, tmp_path: Path) -> None:
    result = import_table(_csv(tmp_path, f"label,ce,ref\nA,99.1,{REF}\nB,98,\nA,99.1,{REF}\n"), DATASET, kb)
    assert not result.written
    assert [(p.code, p.line) for p in result.report.errors] == [("duplicate-record", 4)]
    assert "repeats the row on line 2" in result.report.errors[0].message


def test_fractions_imported_into_a_percent_column_are_refused(kb: Path, tmp_path: Path) -> None:
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_bytes()
    result = import_table(_csv(tmp_path, "label,ce\nA,0.991\nB,0.985\nC,0.97\nD,0.99\n"), DATASET, kb)
    # with the dataset's own 99.0 the column is not all fractions: check a fresh dataset too
    assert result.written
    path.write_bytes(before.replace(b"ce: 99.0", b"ce: 0.99"))
    refused = import_table(_csv(tmp_path, "label,ce\nE,0.991\nF,0.985\nG,0.97\n"), DATASET, kb)
    assert not refused.written
    (problem,) = refused.report.errors
    assert problem.code == "fraction-as-percent" and "multiply by 100" in problem.hint


def test_a_single_small_percentage_is_only_range_checked(kb: Path, tmp_path: Path) -> None:
    path = kb / "datasets" / f"{DATASET}.yaml"
    path.write_bytes(path.read_bytes().replace(b"ce: 99.0", b"ce: 0.5"))
    assert validate_kb(kb).report.ok()
    assert import_table(_csv(tmp_path, "label,ce\nE,0.7\nF,0.6\n"), DATASET, kb).written
    assert [p.code for p in validate_kb(kb).report.errors] == []
    assert not import_table(_csv(tmp_path, "label,ce\nG,0.9\n"), DATASET, kb).written


@pytest.mark.parametrize(
    ("csv_text", "code", "line", "col"),
    [
        ("label,ce\nA,1e309\n", "bad-cell", 2, 2),
        ("label,ce\nA,-1e400\n", "bad-cell", 2, 2),
        ("label,ce,salt\nA,99.3,\nB,98\n", "bad-cell", 3, 3),
        ("label,salt\nA," + "x" * 501 + "\n", "bad-cell", 2, 2),
        ('label,salt\nA,"unclosed\n', "csv-syntax", 2, 1),
    ],
    ids=["overflow-to-inf", "overflow-to-minus-inf", "short-row", "text-over-500", "unclosed-quote"],
)
def test_bad_rows_are_refused_before_writing_with_row_and_column(
    kb: Path, tmp_path: Path, csv_text: str, code: str, line: int, col: int
) -> None:
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_bytes()
    result = import_table(_csv(tmp_path, csv_text), DATASET, kb)
    assert not result.written and path.read_bytes() == before
    assert [(p.code, p.line, p.col) for p in result.report.errors] == [(code, line, col)]


def test_old_mac_line_endings_are_read_as_lines(kb: Path, tmp_path: Path) -> None:
    result = import_table(_csv(tmp_path, "label,ce\rA,99.1\rB,98.2\r"), DATASET, kb)
    assert result.written, result.report.format("text")
    assert [r["label"] for r in _records(kb)] == ["old", "A", "B"]


def test_rows_that_would_make_the_dataset_too_large_are_refused(kb: Path, tmp_path: Path) -> None:
    from limkb.check.reader import MAX_BYTES

    rows = "".join(f"row {i},{90 + i / 10_000:g}\n" for i in range(40_000))
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_bytes()
    result = import_table(_csv(tmp_path, "label,ce\n" + rows), DATASET, kb)
    assert not result.written and path.read_bytes() == before
    (problem,) = result.report.errors
    assert problem.code == "file-too-large" and f"{MAX_BYTES:,}" in problem.message


# --- a published table: --map, --skip, formulations, conditions, round trip ------------------

PUBLISHED = (
    "Electrolyte,CE (%),LCE,Method,Current (mA/cm2),Capacity (mAh/cm2),Cycle,Reference\n"
    '"4 M LiFSI in DME",99.2,2.097,modified Aurbach,0.5,1,,Qian 2015\n'
    '"LiFSI-1.2DME-3TTE",99.5,2.301,modified Aurbach,0.5,1,,Ren 2019\n'
    '"1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",96.0,1.398,average,0.5,1,50,Zhang 2017\n'
)
MAPS = {
    "Electrolyte": "label",
    "CE (%)": "ce",
    "Method": "protocol",
    "Current (mA/cm2)": "current_density [mA cm-2]",
    "Capacity (mAh/cm2)": "areal_capacity [mAh cm-2]",
    "Cycle": "cycles",
}


def _materials(kb: Path) -> None:
    from kbfactory import write_entry

    for mid, abbr, formula, roles in [
        ("lifsi", "LiFSI", "LiN(SO2F)2", ["salt"]),
        ("dme", "DME", "C4H10O2", ["solvent"]),
        ("tte", "TTE", "C5H4F8O", ["diluent"]),
        ("lipf6", "LiPF6", "LiPF6", ["salt"]),
        ("ec", "EC", "C3H4O3", ["solvent"]),
        ("dmc", "DMC", "C3H6O3", ["solvent"]),
        ("vc", "VC", "C3H2O3", ["additive"]),
    ]:
        write_entry(kb, f"materials/{mid}", minimal("material", abbr, formula=formula, roles=roles))


def test_unknown_headers_are_named_in_one_error_with_the_flags_that_fix_them(
    kb: Path, tmp_path: Path
) -> None:
    result = import_table(_csv(tmp_path, PUBLISHED), DATASET, kb)
    headers = [p for p in result.report.errors if "name no column" in p.message]
    assert len(headers) == 1, [p.message for p in result.report.errors]
    for name in ("'LCE'", "'Method'", "'Current (mA/cm2)'", "'Reference'"):
        assert name in headers[0].message
    assert "for 'CE (%)'" not in headers[0].message  # `ce (%)` is read as the column ce
    assert "--map" in headers[0].hint and "--skip" in headers[0].hint
    assert not result.written


def test_a_published_table_goes_in_with_map_and_skip_and_a_second_import_is_refused(
    kb: Path, tmp_path: Path
) -> None:
    _materials(kb)
    # the electrolyte text twice: as the label, and as the formulation limkb parses
    csv = _csv(
        tmp_path,
        "Formulation,"
        + PUBLISHED.split("\n", 1)[0]
        + "\n"
        + "".join(f"{line.split(',', 1)[0]},{line}\n" for line in PUBLISHED.splitlines()[1:]),
    )
    maps = {**MAPS, "Formulation": "electrolyte"}
    arguments = [
        "import-table",
        str(csv),
        "--dataset",
        DATASET,
        "--kb",
        str(kb),
        "--skip",
        "LCE",
        "--skip",
        "Reference",
    ]
    arguments += [a for k, v in maps.items() for a in ("--map", f"{k}={v}")]
    done = CliRunner().invoke(cli, arguments)
    assert done.exit_code == 0, done.output
    assert "appended 3 records" in done.output
    records = load_file(kb / "datasets" / f"{DATASET}.yaml")[0].data["records"]  # type: ignore[union-attr]
    lhce = records[2]
    assert lhce["label"] == "LiFSI-1.2DME-3TTE" and lhce["electrolyte"] == "LiFSI-1.2DME-3TTE"
    assert lhce["conditions"] == {
        "protocol": "modified Aurbach",
        "current_density": "0.5 mA cm-2",
        "areal_capacity": "1 mAh cm-2",
    }
    assert records[3]["cycles"] == 50  # the dataset has a column `cycles`: it wins over the condition
    assert validate_kb(kb).report.ok(strict=False), validate_kb(kb).report.format()
    again = CliRunner().invoke(cli, arguments)
    assert again.exit_code == 1 and again.stderr.count("duplicate-record") == 3


def test_a_bad_formulation_cell_is_located(kb: Path, tmp_path: Path) -> None:
    _materials(kb)
    csv = _csv(tmp_path, 'label,electrolyte,ce\nA,"1 M LiPF6 in EC:DMX (1:1 v/v)",99\nB,1 M LiPF6 in EC,98\n')
    result = import_table(csv, DATASET, kb)
    [problem] = result.report.errors
    assert (problem.line, problem.col, problem.code) == (2, 2, "bad-formulation")
    assert "'DMX' is not a material; did you mean 'DME' or 'DMC'" in problem.message


def test_a_bare_number_for_a_quantity_needs_its_unit(kb: Path, tmp_path: Path) -> None:
    result = import_table(_csv(tmp_path, "label,current_density,ce\nA,0.5,99\n"), DATASET, kb)
    [problem] = result.report.errors
    assert "has no unit" in problem.message and "current_density [mA cm-2]" in problem.hint


def test_the_published_csv_reimports_into_an_empty_copy_unchanged(tmp_path: Path) -> None:
    import yaml

    import limkb
    from limkb.outputs.formats import dataset_csv

    _materials_kb = write_kb(
        tmp_path / "a",
        {
            "properties/coulombic-efficiency": minimal("property", unit="%", maximum=100),
            "references/jones2021another": {"title": "Another", "authors": ["Jones, B."], "year": 2021},
            "datasets/d": minimal(
                "dataset",
                "D",
                columns=[
                    {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                    {"name": "what", "type": "text"},
                ],
                conditions={"cell": "Li||Cu"},
                records=[
                    {"label": "a", "ce": 99.12, "what": "=HYPERLINK()", "note": "first"},
                    {
                        "label": "b",
                        "ce": 98.0,
                        "source": {"ref": "jones2021another", "locator": "Fig. 2"},
                        "electrolyte": "4 M LiFSI in DME",
                        "conditions": {"current_density": "0.5 mA cm-2", "cycles": 10},
                    },
                    {
                        "label": "c",
                        "ce": 97.5,
                        "conditions": {"protocol": "modified Aurbach", "temperature": "-20 °C"},
                    },
                ],
            ),
        },
    )
    _materials(_materials_kb)
    kb = limkb.load(_materials_kb)
    original = yaml.safe_load((_materials_kb / "datasets" / "d.yaml").read_text())
    csv = _csv(tmp_path, dataset_csv(kb, "d"))
    emptied = dict(original, records=[])
    (_materials_kb / "datasets" / "d.yaml").write_text(
        yaml.safe_dump(emptied, sort_keys=False, allow_unicode=True)
    )
    result = import_table(csv, "d", _materials_kb)
    assert result.written, result.report.format()
    assert yaml.safe_load((_materials_kb / "datasets" / "d.yaml").read_text()) == original


def test_a_row_citing_the_datasets_own_source_is_the_record_that_cites_none(kb: Path, tmp_path: Path) -> None:
    """Record 'old' has no source of its own, so it comes from the dataset's first source: a row
    citing that source is the same measurement, refused as such and updated in place with --replace."""
    csv = _csv(tmp_path, f"label,ce,ref\nold,98.0,{REF}\n")
    path = kb / "datasets" / f"{DATASET}.yaml"
    before = path.read_bytes()
    refused = import_table(csv, DATASET, kb)
    assert not refused.written and path.read_bytes() == before
    assert [(p.code, p.message) for p in refused.report.errors] == [
        ("duplicate-record", "row 'old' is already record 1 of the dataset")
    ]
    replaced = import_table(csv, DATASET, kb, replace=True)
    assert replaced.written and replaced.replaced == 1
    assert [(r["label"], r["ce"]) for r in _records(kb)] == [("old", 98.0)]
    assert validate_kb(kb).report.ok()
