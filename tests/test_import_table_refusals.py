"""Every refusal of `limkb import-table`, table by table: the CSV, the flags, the exact problems.

Each row is a CSV (with ``--map``/``--skip`` flags) imported into a fresh tiny dataset, and the
exact line, column, code, message and hint of every problem it must get. A refused import
writes nothing: the dataset file keeps its bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import minimal, write_kb
from limkb.check.reader import load_file
from limkb.commands.import_table import import_table
from limkb.commands.table_headers import RESERVED, sniff_delimiter

Found = tuple[int, int, str, str, str]

_COLUMNS = "ce, thickness, cycles, salt"
_FIELDS = ", ".join(RESERVED)


def _unmatched_hint(example: str) -> str:
    return (
        f'map a header to a column with --map "{example}=COLUMN", or leave it out with '
        f'--skip "{example}" (one flag per header); the dataset\'s columns: {_COLUMNS}; fields: {_FIELDS}'
    )


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A dataset ``d`` with a percent, a length, a whole-number and a text column, one record."""
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
    return write_kb(
        tmp_path / "project",
        {
            "properties/coulombic-efficiency": minimal(
                "property",
                "Coulombic efficiency",
                unit="%",
                minimum=0,
                maximum=100,
                symbol="CE",
                aliases=["LCE"],
            ),
            "properties/sei-thickness": minimal("property", unit="nm", minimum=0),
            "properties/capacity-retention": minimal("property", "Capacity retention", unit="%", symbol="CR"),
            "datasets/d": dataset,
        },
    )


_REFUSALS: list[tuple[str, str, Any, set[str], list[Found]]] = [
    (
        "empty-file",
        "",
        {},
        set(),
        [
            (
                1,
                1,
                "csv-header",
                "the file is empty",
                "the first line names the columns, e.g. `label,ce,f_pct`",
            )
        ],
    ),
    (
        "empty-header-cell",
        "label,,ce\nA,,1\n",
        {},
        set(),
        [(1, 2, "csv-header", "header cell 2 is empty", "name the column, delete it, or skip it")],
    ),
    (
        "map-of-a-missing-header",
        "label,ce\nA,1\n",
        {"zz": "ce"},
        set(),
        [
            (
                1,
                1,
                "csv-header",
                "--map names the header 'zz', which the CSV does not have",
                "the headers are: label, ce",
            )
        ],
    ),
    (
        "skip-of-a-missing-header",
        "label,ce\nA,1\n",
        {},
        {"zz"},
        [
            (
                1,
                1,
                "csv-header",
                "--skip names the header 'zz', which the CSV does not have",
                "the headers are: label, ce",
            )
        ],
    ),
    (
        "map-to-no-column",
        "label,x\nA,1\n",
        {"x": "nope"},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "--map x=nope: the dataset has no column 'nope'",
                f"map it to one of: {_COLUMNS}, {_FIELDS}",
            )
        ],
    ),
    (
        "map-with-another-unit",
        "label,x\nA,1\n",
        {"x": "thickness [um]"},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "the header says 'um' but the column 'thickness' is in 'nm'",
                "convert the values to nm",
            )
        ],
    ),
    (
        "mapped-header-with-another-unit",
        "label,x (um)\nA,1\n",
        {"x (um)": "thickness"},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "the header says 'um' but the column 'thickness' is in 'nm'",
                "convert the values to nm",
            )
        ],
    ),
    (
        "two-maps-of-one-header",
        "label,ce\nA,1\n",
        [("ce", "ce"), ("ce", "salt")],
        set(),
        [
            (
                1,
                1,
                "csv-header",
                "--map gives the header 'ce' twice ('ce' and 'salt')",
                "keep one --map per header: a header is read into one column",
            )
        ],
    ),
    (
        "header-with-another-unit",
        "label,ce (fraction)\nA,1\n",
        {},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "header 'ce (fraction)' does not fit its column",
                "the column 'ce' is in '%', but the header says 'fraction'; "
                "convert the values to % and write the header as `ce (%)`",
            )
        ],
    ),
    (
        "one-unknown-header",
        "label,zork\nA,1\n",
        {},
        set(),
        [(1, 2, "csv-header", "1 header names no column of the dataset: 'zork'", _unmatched_hint("zork"))],
    ),
    (
        "unknown-headers-with-a-look-alike",
        "label,cee,CE,zork\nA,1,2,3\n",
        {},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "2 headers name no column of the dataset: 'cee', 'zork'; for 'cee', did you mean 'ce'?",
                _unmatched_hint("cee"),
            )
        ],
    ),
    (
        "a-property-alias-held-by-a-column",
        "label,LCE (%)\nA,1\n",
        {},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "1 header names no column of the dataset: 'LCE (%)'; "
                "'LCE (%)' is Coulombic efficiency: --map \"LCE (%)=ce\"",
                _unmatched_hint("LCE (%)"),
            )
        ],
    ),
    (
        "a-property-symbol-no-column-holds",
        "label,CR\nA,1\n",
        {},
        set(),
        [
            (
                1,
                2,
                "csv-header",
                "1 header names no column of the dataset: 'CR'; 'CR' is Capacity retention "
                "(`capacity-retention`), which no column of the dataset holds: "
                "add a column with `property: capacity-retention` to map it to, or --skip it",
                _unmatched_hint("CR"),
            )
        ],
    ),
    (
        "no-label-column",
        "ce\n1\n",
        {},
        set(),
        [
            (
                1,
                1,
                "csv-header",
                "there is no `label` column",
                "add a first column `label` naming each row (e.g. the electrolyte)",
            )
        ],
    ),
    (
        "a-column-and-its-property",
        "label,ce,coulombic-efficiency\nA,1,2\n",
        {},
        set(),
        [
            (
                1,
                3,
                "csv-header",
                "header 'coulombic-efficiency' maps to 'ce' a second time",
                "keep one column per dataset column, or skip one with --skip",
            )
        ],
    ),
    (
        "a-map-onto-a-column-already-read",
        "label,ce,x\nA,1,2\n",
        {"x": "ce"},
        set(),
        [
            (
                1,
                3,
                "csv-header",
                "header 'x' maps to 'ce' a second time",
                "keep one column per dataset column, or skip one with --skip",
            )
        ],
    ),
    (
        "a-label-twice-in-the-file",
        "label,ce\nA,1\nA,2\n",
        {},
        set(),
        [
            (
                3,
                1,
                "duplicate-record",
                "row 'A' repeats the row on line 2",
                "keep one of them, or give each measurement its own label",
            )
        ],
    ),
    (
        "a-label-the-dataset-has",
        "label,ce\nold,1\n",
        {},
        set(),
        [
            (
                2,
                1,
                "duplicate-record",
                "row 'old' is already record 1 of the dataset",
                "leave the row out, or pass --replace to update the existing records with these rows",
            )
        ],
    ),
    (
        "a-value-out-of-range",
        "label,ce\nA,101\n",
        {},
        set(),
        [
            (
                2,
                2,
                "out-of-range",
                "1 of 1 value of `ce` lies outside coulombic-efficiency's range, 0-100 %: value 101 (line 2)",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "more-cells-than-headers",
        "label,ce\nA,1,3\n",
        {},
        set(),
        [
            (
                2,
                3,
                "bad-cell",
                "row has 3 cells but the header has 2",
                "remove the extra cells, or quote a value that holds the delimiter",
            )
        ],
    ),
    (
        "an-empty-label",
        "label,ce\n,1\n",
        {},
        set(),
        [(2, 1, "bad-cell", "label is empty", "name every row; the label is shown on plots")],
    ),
]


@pytest.mark.parametrize(
    ("csv", "mapping", "skip", "expected"),
    [row[1:] for row in _REFUSALS],
    ids=[row[0] for row in _REFUSALS],
)
def test_every_import_refusal_is_located_and_writes_nothing(
    kb: Path, tmp_path: Path, csv: str, mapping: Any, skip: set[str], expected: list[Found]
) -> None:
    """The import gets exactly its row's problems and leaves the dataset file as it was."""
    rows = tmp_path / "rows.csv"
    rows.write_text(csv, encoding="utf-8")
    dataset = kb / "datasets" / "d.yaml"
    before = dataset.read_bytes()
    result = import_table(rows, "d", kb, mapping=mapping, skip=skip)
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in result.report] == expected
    assert not result.written
    assert dataset.read_bytes() == before


_ACCEPTED: list[tuple[str, str, Any, set[str], dict[str, Any]]] = [
    (
        "the-header-unit-of-the-column",
        "label,thickness (nm)\nA,1\n",
        {},
        set(),
        {"label": "A", "thickness": 1.0},
    ),
    ("a-spaced-unit", "label,Thickness ( n m )\nA,1\n", {}, set(), {"label": "A", "thickness": 1.0}),
    ("a-property-id-header", "label,sei-thickness\nA,2\n", {}, set(), {"label": "A", "thickness": 2.0}),
    (
        "a-unit-limkb-does-not-know-is-trusted",
        "label,x (furlong)\nA,1\n",
        {"x (furlong)": "thickness"},
        set(),
        {
            "label": "A",
            "thickness": 1.0,
        },
    ),
    ("a-skipped-header", "label,ce,Comment\nA,1,x\n", {}, {"comment"}, {"label": "A", "ce": 1.0}),
    ("a-mapped-header", "label,Efficiency\nA,98\n", {"efficiency": "ce"}, set(), {"label": "A", "ce": 98.0}),
]


@pytest.mark.parametrize(
    ("csv", "mapping", "skip", "record"),
    [row[1:] for row in _ACCEPTED],
    ids=[row[0] for row in _ACCEPTED],
)
def test_headers_that_name_a_column_are_read_into_it(
    kb: Path, tmp_path: Path, csv: str, mapping: Any, skip: set[str], record: dict[str, Any]
) -> None:
    """The header forms that are accepted: the record lands in the column."""
    rows = tmp_path / "rows.csv"
    rows.write_text(csv, encoding="utf-8")
    result = import_table(rows, "d", kb, mapping=mapping, skip=skip)
    assert not result.report.errors, result.report.format("text")
    assert result.written
    assert [{k: v for k, v in r.items() if k != "source"} for r in result.records] == [record]


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [("a,b", ","), ("a;b", ";"), ("a\tb;c;d", "\t"), ("a;b,c", ","), ("a;b;c,d", ";"), ("ab", ",")],
    ids=["comma", "semicolon", "tab-wins", "tie-is-comma", "more-semicolons", "one-cell"],
)
def test_the_delimiter_is_the_one_the_header_uses_most(line: str, delimiter: str) -> None:
    """A tab anywhere wins; otherwise semicolons only when they outnumber commas."""
    assert sniff_delimiter(line) == delimiter


def _rows_kb(tmp_path: Path) -> Path:
    """A dataset ``d`` (from REF) with one record without a source of its own and one citing
    another paper."""
    dataset = minimal(
        "dataset",
        columns=[
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            {"name": "cycles", "unit": "1", "type": "integer"},
            {"name": "salt", "type": "text"},
        ],
        records=[
            {"label": "old", "ce": 99.0},
            {"label": "src", "ce": 98.0, "source": {"ref": "jones2021another", "locator": "T2"}},
        ],
    )
    return write_kb(
        tmp_path / "project",
        {
            "properties/coulombic-efficiency": minimal("property", unit="%", minimum=0, maximum=100),
            "references/jones2021another": {"title": "Another", "authors": ["Jones, B."], "year": 2021},
            "datasets/d": dataset,
        },
    )


_NO_VALUE_HINT = (
    "fill in its values; to update a record with --replace, give its label and its source (`ref`)"
)
_ROW_REFUSALS: list[tuple[str, str, bool, list[Found]]] = [
    (
        "an-empty-row-with-replace",
        "label,ce\nnew,\n",
        True,
        [
            (
                2,
                1,
                "bad-cell",
                "row 'new' has no value in any column of the dataset and names no record of it to update",
                _NO_VALUE_HINT,
            )
        ],
    ),
    (
        "an-empty-row",
        "label,ce\nnew,\n",
        False,
        [(2, 1, "bad-cell", "row 'new' has no value in any column of the dataset", _NO_VALUE_HINT)],
    ),
    (
        "replace-without-the-source-of-the-record",
        "label,ce\nsrc,97\n",
        True,
        [
            (
                2,
                1,
                "duplicate-record",
                "row 'src' has the label of record 2, which cites 'jones2021another', but names no source: "
                "with --replace it would be added beside that record, not update it",
                "give the record's source in a `ref` column (jones2021another) to update it, "
                "or another label if it is another measurement",
            )
        ],
    ),
    (
        "a-record-again-under-another-label",
        "label,ce\nB,99.0\n",
        False,
        [
            (
                2,
                1,
                "likely-duplicate",
                "row 'B' equals record 1 of the dataset, 'old', in everything but its label",
                "if it is that measurement, correct the label in the dataset's file instead of importing it "
                "again; if it is another one, say what differs (electrolyte, conditions or a note)",
            )
        ],
    ),
    (
        "a-row-again-under-another-label",
        "label,ce,salt\nB,97,x\nC,97,x\n",
        False,
        [
            (
                3,
                1,
                "likely-duplicate",
                "row 'C' equals the row on line 2, 'B', in everything but its label",
                "keep one of them, or say what differs (electrolyte, conditions or a note)",
            )
        ],
    ),
    (
        "a-decimal-comma",
        'label,ce\nB,"97,5"\n',
        False,
        [(2, 2, "bad-cell", "ce = '97,5' uses a decimal comma", "write 97.5")],
    ),
    (
        "a-thousands-separator",
        'label,cycles\nB,"1,000,000"\n',
        False,
        [(2, 2, "bad-cell", "cycles = '1,000,000' has a thousands separator", "write 1000000")],
    ),
    (
        "a-thousands-separator-and-decimals",
        'label,ce\nB,"1,000.5"\n',
        False,
        [(2, 2, "bad-cell", "ce = '1,000.5' has a thousands separator", "write 1000.5")],
    ),
    (
        "not-available",
        "label,ce\nB,n/a\n",
        False,
        [(2, 2, "bad-cell", "ce = 'n/a' is not a number", "leave the cell empty when the value is unknown")],
    ),
    (
        "words",
        "label,ce\nB,abc\n",
        False,
        [(2, 2, "bad-cell", "ce = 'abc' is not a number", "write digits with a decimal point, e.g. 99.1")],
    ),
    (
        "a-fraction-in-a-whole-number-column",
        "label,cycles\nB,3.5\n",
        False,
        [
            (
                2,
                2,
                "bad-cell",
                "cycles = '3.5' is not a whole number",
                "this column holds integers; round the value or fix the column's type",
            )
        ],
    ),
    (
        "a-unit-after-the-number",
        "label,ce\nB,97 %\n",
        False,
        [
            (
                2,
                2,
                "bad-cell",
                "ce = '97 %' has '%' after the number",
                "write the number alone (97); the column's unit is '%'",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("csv", "replace", "expected"),
    [row[1:] for row in _ROW_REFUSALS],
    ids=[row[0] for row in _ROW_REFUSALS],
)
def test_every_row_refusal_is_located_and_writes_nothing(
    tmp_path: Path, csv: str, replace: bool, expected: list[Found]
) -> None:
    """Rows that are empty, repeat a record or hold no number: their problems, nothing written."""
    kb = _rows_kb(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text(csv, encoding="utf-8")
    dataset = kb / "datasets" / "d.yaml"
    before = dataset.read_bytes()
    result = import_table(rows, "d", kb, replace=replace)
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in result.report] == expected
    assert not result.written
    assert dataset.read_bytes() == before


def test_an_empty_cell_with_replace_keeps_the_stored_value(tmp_path: Path) -> None:
    """``--replace`` with an empty cell updates the record and keeps what it held."""
    kb = _rows_kb(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text("label,ce,salt\nold,,LiPF6\n", encoding="utf-8")
    result = import_table(rows, "d", kb, replace=True)
    assert result.written and result.replaced == 1
    records = load_file(kb / "datasets" / "d.yaml")[0]
    assert records is not None
    assert records.data["records"][0] == {"label": "old", "ce": 99.0, "salt": "LiPF6"}
