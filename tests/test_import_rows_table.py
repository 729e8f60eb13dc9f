"""How the body of an imported CSV is read, table by table (:func:`limkb.commands.table_rows.read_table`).

Every row is a CSV read in memory against a small dataset (no file, no validator run), and the
exact problems (line, column, code, message, hint) or records it must give: the decimal mark of
a ``1,000`` cell as its column's other numbers tell it, the delimiters, rows of the wrong width,
a CSV Python cannot read, ``--map`` given twice, and each check of a row's identity (a row
repeated, a record imported again, a copy under another label, a row with no value).
"""

from __future__ import annotations

from typing import Any

import pytest

from kbfactory import minimal
from limkb.commands.table_headers import RESERVED
from limkb.commands.table_rows import TableContext, read_table
from limkb.schema.kinds import Column, Property

Found = tuple[int, int, str, str, str]

_COLUMNS = [
    Column.model_validate({"name": "ce", "property": "coulombic-efficiency", "unit": "%"}),
    Column.model_validate({"name": "q", "unit": "mAh g-1"}),
    Column.model_validate({"name": "cycles", "unit": "1", "type": "integer"}),
    Column.model_validate({"name": "salt", "type": "text"}),
    Column.model_validate({"name": "t", "unit": "nm"}),
]
_PROPERTIES = {
    "coulombic-efficiency": Property.model_validate(
        {
            **minimal("property", "Coulombic efficiency", unit="%", minimum=0, maximum=100),
            "id": "coulombic-efficiency",
        }
    )
}
_EXISTING = [
    {"label": "old", "ce": 99.0},
    {"label": "cited", "ce": 98.0, "source": {"ref": "ref2021b"}},
]


def _context(*, replace: bool = False, existing: list[dict[str, Any]] | None = None) -> TableContext:
    """The dataset: the four columns, one property with its range, two references, two records."""
    return TableContext(
        list(_COLUMNS),
        properties=_PROPERTIES,
        references={"ref2020a": "10.1000/a", "ref2021b": None, "ref2022c": None},
        default_source={"ref": "ref2020a"},
        existing=_EXISTING if existing is None else existing,
        replace=replace,
    )


def _problems(text: str, **options: Any) -> list[Found]:
    """The problems of reading ``text`` against :func:`_context` (``replace`` and ``mapping`` passed on)."""
    replace = options.pop("replace", False)
    _, report = read_table(text, _context(replace=replace), path="t.csv", **options)
    return [(p.line, p.col, p.code, p.message, p.hint) for p in report]


def _records(text: str, **options: Any) -> list[dict[str, Any]]:
    """The records read from ``text``, asserting that it has no problem."""
    rows, report = read_table(text, _context(), path="t.csv", **options)
    assert not report.errors, report.format("text")
    return [row.record for row in rows]


_POINT = "has a thousands separator (the column's other values use a decimal point)"
_AMBIGUOUS = "could be a thousands separator or a decimal comma"

# (id, CSV, the problems of its 1,000-like cells)
_MARKS: list[tuple[str, str, list[Found]]] = [
    (
        "alone-it-is-ambiguous",
        'label,q\nA,"1,000"\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_AMBIGUOUS}", "write 1000 if it is 1000, or 1.000 if it is 1")],
    ),
    (
        "beside-integers-it-is-ambiguous",
        'label,q\nA,"1,000"\nB,7\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_AMBIGUOUS}", "write 1000 if it is 1000, or 1.000 if it is 1")],
    ),
    (
        "beside-a-decimal-point-it-is-a-thousand",
        'label,q\nA,"1,000"\nB,0.5\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_POINT}", "write 1000")],
    ),
    (
        "a-decimal-point-on-a-later-line-counts",
        'label,q\nA,"12,500"\nB,7\nC,.5\n',
        [(2, 2, "bad-cell", f"q = '12,500' {_POINT}", "write 12500")],
    ),
    (
        "a-point-with-an-exponent-counts",
        'label,q\nA,"1,000"\nB,1.5e3\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_POINT}", "write 1000")],
    ),
    (
        "a-point-with-a-capital-exponent-counts",
        'label,q\nA,"1,000"\nB,1.5E3\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_POINT}", "write 1000")],
    ),
    (
        "a-thousands-separator-with-decimals-shows-a-point",
        'label,q\nA,"1,000"\nB,"2,000.5"\n',
        [
            (2, 2, "bad-cell", f"q = '1,000' {_POINT}", "write 1000"),
            (3, 2, "bad-cell", "q = '2,000.5' has a thousands separator", "write 2000.5"),
        ],
    ),
    (
        "beside-a-decimal-comma-it-is-one",
        'label,q\nA,"1,000"\nB,"0,5"\n',
        [
            (2, 2, "bad-cell", "q = '1,000' uses a decimal comma", "write 1.000"),
            (3, 2, "bad-cell", "q = '0,5' uses a decimal comma", "write 0.5"),
        ],
    ),
    (
        "a-column-with-both-marks-is-ambiguous",
        'label,q\nA,"-1,000"\nB,"0,5"\nC,0.25\n',
        [
            (
                2,
                2,
                "bad-cell",
                f"q = '-1,000' {_AMBIGUOUS}",
                "write -1000 if it is -1000, or -1.000 if it is -1",
            ),
            (3, 2, "bad-cell", "q = '0,5' uses a decimal comma", "write 0.5"),
        ],
    ),
    (
        "another-column's-point-does-not-count",
        'label,q,ce\nA,"1,000",99.5\n',
        [(2, 2, "bad-cell", f"q = '1,000' {_AMBIGUOUS}", "write 1000 if it is 1000, or 1.000 if it is 1")],
    ),
    (
        "in-a-whole-number-column-it-is-a-thousand",
        'label,cycles\nA,"1,000"\n',
        [(2, 2, "bad-cell", "cycles = '1,000' has a thousands separator", "write 1000")],
    ),
    (
        "two-groups-are-a-thousands-separator",
        'label,q\nA,"1,000,000"\n',
        [(2, 2, "bad-cell", "q = '1,000,000' has a thousands separator", "write 1000000")],
    ),
    (
        "four-decimals-are-a-decimal-comma",
        'label,q\nA,"1,0005"\n',
        [(2, 2, "bad-cell", "q = '1,0005' uses a decimal comma", "write 1.0005")],
    ),
    (
        "a-text-column-keeps-it",
        'label,salt\nA,"1,000"\n',
        [],
    ),
]


@pytest.mark.parametrize(("csv", "expected"), [r[1:] for r in _MARKS], ids=[r[0] for r in _MARKS])
def test_a_1_000_cell_is_read_by_the_decimal_mark_of_its_column(csv: str, expected: list[Found]) -> None:
    """``1,000`` is a thousand beside decimal points, one beside decimal commas, else refused as
    ambiguous; every such cell is refused with the number to write."""
    assert _problems(csv) == expected


def test_a_1_000_cell_makes_its_row_incomplete() -> None:
    """A row whose only value is a ``1,000`` cell is not also reported as a row with no value."""
    assert [p[3] for p in _problems('label,q\nA,"1,000"\n')] == [f"q = '1,000' {_AMBIGUOUS}"]


@pytest.mark.parametrize(
    ("csv", "records"),
    [
        ("label,ce\nA,99.5\n", [{"label": "A", "ce": 99.5}]),
        ("label;ce\nA;99.5\n", [{"label": "A", "ce": 99.5}]),
        ("label\tce\nA\t99.5\n", [{"label": "A", "ce": 99.5}]),
        ("label;salt\r\nA;LiPF6, LiNO3\r\n", [{"label": "A", "salt": "LiPF6, LiNO3"}]),
        ("label,ce\rA,99.5\rB,97\r", [{"label": "A", "ce": 99.5}, {"label": "B", "ce": 97.0}]),
        (
            "label,cycles,salt\nA,30,LiFSI\n\n , \nB,+7,\n",
            [{"label": "A", "cycles": 30, "salt": "LiFSI"}, {"label": "B", "cycles": 7}],
        ),
    ],
    ids=[
        "comma",
        "semicolon",
        "tab",
        "semicolon-and-crlf-keep-commas-in-cells",
        "old-mac-line-ends",
        "blank-rows-skipped",
    ],
)
def test_rows_are_read_with_the_delimiter_and_line_ends_of_the_file(
    csv: str, records: list[dict[str, Any]]
) -> None:
    """The delimiter is sniffed from the header line; CR and CRLF line ends read as LF."""
    assert _records(csv) == records


_BODY_REFUSALS: list[tuple[str, str, dict[str, Any], list[Found]]] = [
    (
        "more-cells-than-headers",
        "label,ce\nA,99,1\n",
        {},
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
        "empty-extra-cells-are-read-past",
        "label,ce\nA,95,,\n",
        {},
        [],
    ),
    (
        "fewer-cells-than-headers",
        "label,ce,q\nA,99\n",
        {},
        [
            (
                2,
                3,
                "bad-cell",
                "row has 2 cells but the header has 3",
                "give every column a cell (an empty one for a missing value: `a,,c`)",
            )
        ],
    ),
    (
        "the-line-of-a-row-after-a-quoted-line-break",
        'label,salt\nA,"two\nlines"\nB,x,y\n',
        {},
        [
            (
                4,
                3,
                "bad-cell",
                "row has 3 cells but the header has 2",
                "remove the extra cells, or quote a value that holds the delimiter",
            )
        ],
    ),
    (
        "an-unclosed-quote",
        'label,ce\nA,95\nB,"98\n',
        {},
        [
            (
                3,
                1,
                "csv-syntax",
                "the CSV cannot be read here: unexpected end of data",
                "check the quotes on this line: a quoted cell must end with a quote",
            )
        ],
    ),
    (
        "a-header-and-no-rows",
        "label,ce\n",
        {},
        [(1, 1, "bad-cell", "the file has a header but no rows", "add one row per measurement")],
    ),
    (
        "a-map-given-twice",
        "label,eff\nA,99\n",
        {"mapping": [("eff", "ce"), (" EFF ", "q")]},
        [
            (
                1,
                1,
                "csv-header",
                "--map gives the header 'EFF' twice ('ce' and 'q')",
                "keep one --map per header: a header is read into one column",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("csv", "options", "expected"), [r[1:] for r in _BODY_REFUSALS], ids=[r[0] for r in _BODY_REFUSALS]
)
def test_every_refusal_of_the_body_is_located(
    csv: str, options: dict[str, Any], expected: list[Found]
) -> None:
    """Rows of the wrong width, an unreadable CSV, no rows, a header mapped twice."""
    assert _problems(csv, **options) == expected


def test_a_map_given_as_pairs_or_a_mapping_reads_the_same() -> None:
    """``mapping`` may be a dict or (header, target) pairs; headers compare without case or blanks."""
    assert _records("label,Eff\nA,95\n", mapping={" eff": "ce"}) == [{"label": "A", "ce": 95.0}]
    assert _records("label,Eff\nA,95\n", mapping=[("EFF ", "ce")]) == [{"label": "A", "ce": 95.0}]


def test_a_skipped_header_compares_without_case_or_blanks() -> None:
    """``skip`` names a header as written, in any case, with blanks around it."""
    assert _records("label,ce,Comment\nA,95,x\n", skip={" COMMENT "}) == [{"label": "A", "ce": 95.0}]


_CITED = "give the record's source in a `ref` column (ref2021b) to update it, or another label if it is another measurement"

# (id, CSV, replace, problems)
_IDENTITY: list[tuple[str, str, bool, list[Found]]] = [
    (
        "a-row-repeated-in-the-file",
        "label,ce\nA,90\nA,91\n",
        False,
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
        "a-row-repeated-with-its-source-is-the-same-row",
        "label,ce,ref\nA,90,ref2021b\nA,91,ref2021b\n",
        False,
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
    ("one-label-under-two-sources-is-two-rows", "label,ce,ref\nA,90,ref2021b\nA,91,\n", False, []),
    (
        "a-record-of-the-dataset",
        "label,ce\nold,90\n",
        False,
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
    ("a-record-of-the-dataset-with-replace", "label,ce\nold,90\n", True, []),
    (
        "a-record-of-the-dataset-by-its-source",
        "label,ce,ref\ncited,90,ref2021b\n",
        False,
        [
            (
                2,
                1,
                "duplicate-record",
                "row 'cited' is already record 2 of the dataset",
                "leave the row out, or pass --replace to update the existing records with these rows",
            )
        ],
    ),
    (
        "replace-without-the-source-of-a-cited-record",
        "label,ce\ncited,90\n",
        True,
        [
            (
                2,
                1,
                "duplicate-record",
                "row 'cited' has the label of record 2, which cites 'ref2021b', but names no source: "
                "with --replace it would be added beside that record, not update it",
                _CITED,
            )
        ],
    ),
    ("without-replace-an-unsourced-label-of-a-cited-record-is-new", "label,ce\ncited,90\n", False, []),
    ("replace-with-another-source-is-a-new-record", "label,ce,ref\ncited,90,ref2022c\n", True, []),
    (
        "a-row-with-no-value",
        "label,ce,salt\nA,,\n",
        False,
        [
            (
                2,
                1,
                "bad-cell",
                "row 'A' has no value in any column of the dataset",
                "fill in its values; to update a record with --replace, give its label and its source (`ref`)",
            )
        ],
    ),
    (
        "a-row-with-no-value-with-replace",
        "label,ce\nA,\n",
        True,
        [
            (
                2,
                1,
                "bad-cell",
                "row 'A' has no value in any column of the dataset and names no record of it to update",
                "fill in its values; to update a record with --replace, give its label and its source (`ref`)",
            )
        ],
    ),
    ("an-empty-row-of-a-record-with-replace-keeps-it", "label,ce\nold,\n", True, []),
    ("a-text-value-is-a-value", "label,salt\nA,LiFSI\n", False, []),
    (
        "a-record-again-under-another-label",
        "label,ce\nnew,99\n",
        False,
        [
            (
                2,
                1,
                "likely-duplicate",
                "row 'new' equals record 1 of the dataset, 'old', in everything but its label",
                "if it is that measurement, correct the label in the dataset's file instead of importing it "
                "again; if it is another one, say what differs (electrolyte, conditions or a note)",
            )
        ],
    ),
    ("a-record-again-with-a-note-is-another", "label,ce,note\nnew,99,second cell\n", False, []),
    ("a-record-replaced-by-its-own-values-is-no-copy", "label,ce\nold,99\n", True, []),
    (
        "a-row-again-under-another-label",
        "label,ce\nA,90\nB,90\n",
        False,
        [
            (
                3,
                1,
                "likely-duplicate",
                "row 'B' equals the row on line 2, 'A', in everything but its label",
                "keep one of them, or say what differs (electrolyte, conditions or a note)",
            )
        ],
    ),
    (
        "a-row-again-with-a-unit-spelt-another-way",
        "label,ce,current_density\nA,90,0.5 mA cm-2\nB,90,0.5 mA/cm2\nC,90,0.6 mA/cm2\n",
        False,
        [
            (
                3,
                1,
                "likely-duplicate",
                "row 'B' equals the row on line 2, 'A', in everything but its label",
                "keep one of them, or say what differs (electrolyte, conditions or a note)",
            )
        ],
    ),
    (
        "each-copy-of-a-record-is-named-as-that-record",
        "label,ce\nnew,99\nnewer,99\n",
        False,
        [
            (
                line,
                1,
                "likely-duplicate",
                f"row {label!r} equals record 1 of the dataset, 'old', in everything but its label",
                "if it is that measurement, correct the label in the dataset's file instead of importing it "
                "again; if it is another one, say what differs (electrolyte, conditions or a note)",
            )
            for line, label in ((2, "new"), (3, "newer"))
        ],
    ),
    (
        "each-copy-of-a-row-names-the-first",
        "label,ce\nA,90\nB,90\nC,90\n",
        False,
        [
            (
                line,
                1,
                "likely-duplicate",
                f"row {label!r} equals the row on line 2, 'A', in everything but its label",
                "keep one of them, or say what differs (electrolyte, conditions or a note)",
            )
            for line, label in ((3, "B"), (4, "C"))
        ],
    ),
    (
        "each-repeat-of-a-row-names-the-first",
        "label,ce\nA,90\nA,91\nA,92\n",
        False,
        [
            (
                line,
                1,
                "duplicate-record",
                "row 'A' repeats the row on line 2",
                "keep one of them, or give each measurement its own label",
            )
            for line in (3, 4)
        ],
    ),
    (
        "a-refused-record-is-not-compared-with-later-rows",
        "label,ce\nold,90\nB,90\n",
        False,
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
        "a-refused-replacement-is-not-compared-with-later-rows",
        "label,ce\ncited,90\nB,90\n",
        True,
        [
            (
                2,
                1,
                "duplicate-record",
                "row 'cited' has the label of record 2, which cites 'ref2021b', but names no source: "
                "with --replace it would be added beside that record, not update it",
                _CITED,
            )
        ],
    ),
    (
        "a-row-with-no-value-is-refused-for-that-alone",
        "label,ce\ncited,\n",
        True,
        [
            (
                2,
                1,
                "bad-cell",
                "row 'cited' has no value in any column of the dataset and names no record of it to update",
                "fill in its values; to update a record with --replace, give its label and its source (`ref`)",
            )
        ],
    ),
    ("rows-with-only-text-are-never-copies", "label,salt\nA,x\nB,x\n", False, []),
    (
        "a-row-with-a-bad-cell-is-not-compared",
        "label,ce,q\nA,90,1\nB,90,x\n",
        False,
        [(3, 3, "bad-cell", "q = 'x' is not a number", "write digits with a decimal point, e.g. 99.1")],
    ),
]


@pytest.mark.parametrize(
    ("csv", "replace", "expected"), [r[1:] for r in _IDENTITY], ids=[r[0] for r in _IDENTITY]
)
def test_each_check_of_a_row_identity(csv: str, replace: bool, expected: list[Found]) -> None:
    """A row is refused when it repeats a row, is a record already (unless replacing), would not
    update the record it names, has no value, or copies a record or a row under another label."""
    assert _problems(csv, replace=replace) == expected


def test_rows_without_label_are_not_compared() -> None:
    """Two rows with empty labels and equal values: each refused for its label alone."""
    found = _problems("label,ce\n,90\n,90\n")
    assert [(p[0], p[3]) for p in found] == [(2, "label is empty"), (3, "label is empty")]


def _unmatched(message: str, example: str, col: int = 1) -> Found:
    """The one problem of headers that name no column (at the first, ``col``), with its hint for ``example``."""
    return (
        1,
        col,
        "csv-header",
        message,
        f'map a header to a column with --map "{example}=COLUMN", or leave it out with --skip "{example}" '
        f"(one flag per header); the dataset's columns: ce, q, cycles, salt, t; fields: {', '.join(RESERVED)}",
    )


# (id, CSV, flags, problems): a refused header before good ones stops nothing after it
_HEADERS: list[tuple[str, str, dict[str, Any], list[Found]]] = [
    (
        "an-empty-header-cell-first",
        " ,label,ce\nx,A,95\n",
        {},
        [(1, 1, "csv-header", "header cell 1 is empty", "name the column, delete it, or skip it")],
    ),
    (
        "a-header-with-another-unit-first",
        "t (mm),label,ce\n1,A,95\n",
        {},
        [
            (
                1,
                1,
                "csv-header",
                "header 't (mm)' does not fit its column",
                "the column 't' is in 'nm', but the header says 'mm'; "
                "convert the values to nm and write the header as `t (nm)`",
            )
        ],
    ),
    (
        "a-map-to-no-column-first",
        "x,label,ce\n1,A,95\n",
        {"mapping": {"x": "nope"}},
        [
            (
                1,
                1,
                "csv-header",
                "--map x=nope: the dataset has no column 'nope'",
                f"map it to one of: ce, q, cycles, salt, t, {', '.join(RESERVED)}",
            )
        ],
    ),
    (
        "a-map-to-a-unit-alone-names-no-column",
        "x,label\n1,A\n",
        {"mapping": {"x": "(nm)"}},
        [
            (
                1,
                1,
                "csv-header",
                "--map x=(nm): the dataset has no column '(nm)'",
                f"map it to one of: ce, q, cycles, salt, t, {', '.join(RESERVED)}",
            )
        ],
    ),
    (
        "a-map-whose-target-unit-differs",
        "x,label\n1,A\n",
        {"mapping": {"x": "t [µm]"}},
        [
            (
                1,
                1,
                "csv-header",
                "the header says 'µm' but the column 't' is in 'nm'",
                "convert the values to nm",
            )
        ],
    ),
    (
        "a-mapped-header-whose-unit-differs",
        "x (µm),label\n1,A\n",
        {"mapping": {"x (µm)": "t"}},
        [
            (
                1,
                1,
                "csv-header",
                "the header says 'µm' but the column 't' is in 'nm'",
                "convert the values to nm",
            )
        ],
    ),
    ("a-mapped-header-that-is-a-unit-alone-has-no-unit", "(µm),label\n1,A\n", {"mapping": {"(µm)": "t"}}, []),
    (
        "a-column-read-twice-before-the-label",
        "ce,CE,label\n95,95,A\n",
        {},
        [
            (
                1,
                2,
                "csv-header",
                "header 'CE' maps to 'ce' a second time",
                "keep one column per dataset column, or skip one with --skip",
            )
        ],
    ),
    ("a-skipped-header-first", "Comment,label,ce\nx,A,95\n", {"skip": {"comment"}}, []),
    (
        "an-unknown-header-first",
        "x,label,ce\n1,A,95\n",
        {},
        [_unmatched("1 header names no column of the dataset: 'x'", "x")],
    ),
    (
        "a-look-alike-is-found-without-the-unit",
        "label,cycle [1]\nA,3\n",
        {},
        [
            _unmatched(
                "1 header names no column of the dataset: 'cycle [1]'; for 'cycle [1]', did you mean 'cycles'?",
                "cycle [1]",
                2,
            )
        ],
    ),
    (
        "two-look-alikes-are-named-one-after-the-other",
        "label,cycle,sat\nA,3,x\n",
        {},
        [
            _unmatched(
                "2 headers name no column of the dataset: 'cycle', 'sat'; "
                "for 'cycle', did you mean 'cycles'? for 'sat', did you mean 'salt'?",
                "cycle",
                2,
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("csv", "options", "expected"), [r[1:] for r in _HEADERS], ids=[r[0] for r in _HEADERS]
)
def test_a_refused_header_is_reported_and_the_headers_after_it_are_still_read(
    csv: str, options: dict[str, Any], expected: list[Found]
) -> None:
    """Each header refusal alone: no `label` problem when the label comes after the refused header."""
    assert _problems(csv, **options) == expected


def test_a_csv_that_cannot_be_read_is_reported_in_its_file() -> None:
    """The syntax problem names the file it was read from, as every other problem does."""
    _, report = read_table('label,ce\nB,"98\n', _context(), path="kb/rows.csv")
    assert [(p.path, p.line, p.code) for p in report] == [("kb/rows.csv", 2, "csv-syntax")]


_UNIT = "the column's unit is '%'"

# (id, the ce cell or the cycles cell, the message after the cell, the fix)
_NUMBERS: list[tuple[str, str, str, str, str]] = [
    ("a-decimal-comma", "ce", "97,5", "uses a decimal comma", "write 97.5"),
    ("a-thousands-separator-with-decimals", "ce", "1,000.5", "has a thousands separator", "write 1000.5"),
    (
        "a-unit-after-the-number",
        "ce",
        "97 %",
        "has '%' after the number",
        f"write the number alone (97); {_UNIT}",
    ),
    (
        "a-capital-exponent-and-a-unit",
        "ce",
        "1E1 %",
        "has '%' after the number",
        f"write the number alone (1E1); {_UNIT}",
    ),
    (
        "a-signed-fraction-and-a-word",
        "ce",
        "-.5 pct",
        "has 'pct' after the number",
        f"write the number alone (-.5); {_UNIT}",
    ),
    ("not-a-number-nan", "ce", "nan", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-NaN", "ce", "NaN", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-n/a", "ce", "n/a", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-na", "ce", "na", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-NA", "ce", "NA", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number--", "ce", "-", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number---", "ce", "--", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-?", "ce", "?", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-none", "ce", "none", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-null", "ce", "null", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number-INF", "ce", "INF", "is not a number", "leave the cell empty when the value is unknown"),
    ("not-a-number--inf", "ce", "-inf", "is not a number", "leave the cell empty when the value is unknown"),
    (
        "a-small-exponent-and-a-unit",
        "ce",
        "1e1 %",
        "has '%' after the number",
        f"write the number alone (1e1); {_UNIT}",
    ),
    ("words", "ce", "high", "is not a number", "write digits with a decimal point, e.g. 99.1"),
    (
        "a-fraction-in-a-whole-number-column",
        "cycles",
        "2.5",
        "is not a whole number",
        "this column holds integers; round the value or fix the column's type",
    ),
]


@pytest.mark.parametrize(
    ("column", "cell", "what", "fix"), [r[1:] for r in _NUMBERS], ids=[r[0] for r in _NUMBERS]
)
def test_every_number_refusal_says_what_to_write(column: str, cell: str, what: str, fix: str) -> None:
    """A number cell that does not read gets what is wrong and the number to write."""
    assert _problems(f'label,{column}\nA,"{cell}"\n') == [
        (2, 2, "bad-cell", f"{column} = {cell!r} {what}", fix)
    ]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("+.5e-1", 0.05), ("5.", 5.0), (" 42 ", 42.0), ("1e+1", 10.0)],
    ids=["signed-exponent", "trailing-point", "blanks-around", "plus-exponent"],
)
def test_numbers_in_every_plain_spelling_are_read(cell: str, value: float) -> None:
    """Signs, exponents, a trailing point and blanks around the number read as the number."""
    assert _records(f"label,q\nA,{cell}\n") == [{"label": "A", "q": value}]


def test_a_text_cell_holds_at_most_500_characters() -> None:
    """500 characters are kept; 501 are refused with the length and where longer remarks go."""
    assert _records(f"label,salt\nA,{'x' * 500}\n") == [{"label": "A", "salt": "x" * 500}]
    assert _problems(f"label,salt\nA,{'x' * 501}\n") == [
        (
            2,
            2,
            "bad-cell",
            "salt is 501 characters long, more than 500",
            "shorten the text; longer remarks go in the `note` column",
        )
    ]


@pytest.mark.parametrize(
    "cell", ["1e301", "-1e301", "1e400"], ids=["over-1e300", "under-minus-1e300", "infinite"]
)
def test_a_number_beyond_1e300_is_refused_as_too_large(cell: str) -> None:
    """Finite numbers past 1e300 and those that overflow to infinity: check the exponent."""
    assert _problems(f"label,q\nA,{cell}\n") == [
        (2, 2, "bad-cell", f"q = {cell!r} is too large to be a measured value", "check the exponent")
    ]


@pytest.mark.parametrize(
    "csv",
    ['label,ce,q\nA,x,\nB,99,"1,000"\n', 'label,ce,q,cycles\nB,99,"1,000",2.5\n'],
    ids=["after-an-earlier-bad-row", "beside-another-bad-cell"],
)
def test_a_row_with_a_1_000_cell_is_never_compared_with_the_records(csv: str) -> None:
    """The ``1,000`` cell counts as a bad cell of its row whatever came before or beside it, so
    the rest of the row (equal to record 'old') is not reported as a copy."""
    assert "likely-duplicate" not in [p[2] for p in _problems(csv)]


@pytest.mark.parametrize("text", ["label,ce,ref\nexplicit,90,ref2020a\n", "label,ce\nexplicit,90\n"])
def test_a_record_that_writes_out_the_datasets_own_source_is_that_record(text: str) -> None:
    """A stored record whose `source.ref` is the dataset's first source is the same record as a
    row citing that source or none: refused without --replace, updated with it."""
    existing = [{"label": "explicit", "ce": 97.0, "source": {"ref": "ref2020a"}}]
    _, report = read_table(text, _context(existing=existing), path="t.csv")
    assert [p.message for p in report] == ["row 'explicit' is already record 1 of the dataset"]
    _, report = read_table(text, _context(replace=True, existing=existing), path="t.csv")
    assert list(report) == []


def test_crlf_line_ends_keep_the_line_numbers_of_the_file() -> None:
    """A CRLF file is read as LF, not as a blank line after each row: a bad cell on line 3 is on line 3."""
    assert _problems("label,ce\r\nA,98\r\nB,x\r\n") == [
        (3, 2, "bad-cell", "ce = 'x' is not a number", "write digits with a decimal point, e.g. 99.1")
    ]


def test_the_delimiter_is_sniffed_from_the_header_line_alone() -> None:
    """Semicolons in the rows below a comma header are cell text, not delimiters."""
    assert _records("label,ce\nA;b;c;d,1\n") == [{"label": "A;b;c;d", "ce": 1}]


def test_every_problem_names_the_csv_file() -> None:
    """The file shown is the CSV's: problems of its header and of its rows."""
    _, report = read_table("label,ce,zz\nA,x,1\n", _context(), path="shown.csv")
    assert [p.path for p in report] and {p.path for p in report} == {"shown.csv"}


def test_whole_numbers_are_kept_as_integers_and_decimals_as_floats() -> None:
    """`97` is stored as 97 (written `97` in the YAML), `96.0` as 96.0."""
    records = _records("label,q\nA,97\nB,96.0\n")
    assert [(r["q"], type(r["q"])) for r in records] == [(97, int), (96.0, float)]


def test_a_number_of_1e300_is_still_read() -> None:
    """The limit is past 1e300: 1e300 itself is a value."""
    assert _records("label,q\nA,1e300\nB,-1e300\n") == [
        {"label": "A", "q": 1e300},
        {"label": "B", "q": -1e300},
    ]


def test_a_value_outside_its_property_range_is_reported_at_its_cell() -> None:
    """The out-of-range problem is placed at the first such cell's line and column."""
    assert _problems("label,ce\nB,98\nA,500\n") == [
        (
            3,
            2,
            "out-of-range",
            "1 of 2 values of `ce` lies outside coulombic-efficiency's range, 0-100 %: value 500 (line 3)",
            "check the values and the column's unit",
        )
    ]


def test_a_row_citing_the_datasets_own_source_with_another_locator_is_that_record() -> None:
    """The dataset's first source has a locator the row does not give: the row keeps its `ref`,
    and is still the stored record without a source (refused without --replace)."""
    context = TableContext(
        list(_COLUMNS),
        properties=_PROPERTIES,
        references={"ref2020a": None},
        default_source={"ref": "ref2020a", "locator": "Table 1"},
        existing=[{"label": "old", "ce": 99.0}],
    )
    rows, report = read_table("label,ref,ce\nold,ref2020a,98\n", context, path="t.csv")
    assert [row.record for row in rows] == [{"label": "old", "source": {"ref": "ref2020a"}, "ce": 98}]
    assert [(p.line, p.code, p.message) for p in report] == [
        (2, "duplicate-record", "row 'old' is already record 1 of the dataset")
    ]


def _cells_context() -> TableContext:
    """:func:`_context` with two materials, the dataset's electrolyte and cell, and no records."""
    from limkb.analysis.components import Conventions
    from limkb.analysis.formulations import MaterialIndex

    return TableContext(
        list(_COLUMNS),
        properties=_PROPERTIES,
        references={"ref2020a": "10.1000/a", "ref2021b": None, "ref2022c": None},
        default_source={"ref": "ref2020a"},
        materials=MaterialIndex.of([("lifsi", ["LiFSI"], ["salt"]), ("dme", ["DME"], ["solvent"])]),
        conventions=Conventions(),
        electrolyte="2 M LiFSI in DME",
        conditions={"cell": "Li||Li"},
    )


# (id, CSV, the records read, the problems): a row's source (ref, doi, locator), its strategies,
# its conditions and its electrolyte
_CELLS: list[tuple[str, str, list[dict[str, Any]], list[Found]]] = [
    (
        "ref-of-the-dataset-is-stored-without-source",
        "label,ce,ref\nA,90,ref2020a\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
    (
        "ref-of-another-reference",
        "label,ce,ref\nA,90,ref2021b\n",
        [{"label": "A", "source": {"ref": "ref2021b"}, "ce": 90}],
        [],
    ),
    (
        "ref-unknown-with-a-close-id",
        "label,ce,ref\nA,90,ref2021c\n",
        [{"label": "A", "source": {"ref": "ref2021c"}, "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "ref 'ref2021c' is not a reference entry; did you mean 'ref2022c'?",
                "add the reference first with `limkb import-bib FILE.bib`",
            )
        ],
    ),
    (
        "ref-unknown-far-from-all",
        "label,ce,ref\nA,90,zzz\n",
        [{"label": "A", "source": {"ref": "zzz"}, "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "ref 'zzz' is not a reference entry",
                "add the reference first with `limkb import-bib FILE.bib`",
            )
        ],
    ),
    (
        "locator-alone-has-no-ref",
        "label,ce,locator\nA,90,Fig. 2\n",
        [{"label": "A", "source": {"locator": "Fig. 2"}, "ce": 90}],
        [
            (
                2,
                1,
                "bad-cell",
                "the row has a locator but no ref",
                "give the reference id in the `ref` column (or its DOI in a `doi` column)",
            )
        ],
    ),
    (
        "ref-and-locator",
        "label,ce,ref,locator\nA,90,ref2021b,Fig. 2\n",
        [{"label": "A", "source": {"ref": "ref2021b", "locator": "Fig. 2"}, "ce": 90}],
        [],
    ),
    (
        "doi-finds-its-reference",
        "label,ce,doi\nA,90,https://doi.org/10.1000/A\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
    (
        "doi-unknown",
        "label,ce,doi,locator\nA,90,10.9/x,T1\n",
        [{"label": "A", "source": {"ref": "", "locator": "T1"}, "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "no reference entry has the DOI '10.9/x'",
                "add the paper first with `limkb import-bib FILE.bib`, or give its id in a `ref` column",
            )
        ],
    ),
    (
        "doi-and-ref-agree",
        "label,ce,ref,doi\nA,90,ref2020a,10.1000/a\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
    (
        "doi-and-ref-differ",
        "label,ce,ref,doi\nA,90,ref2021b,10.1000/a\n",
        [{"label": "A", "source": {"ref": "ref2021b"}, "ce": 90}],
        [
            (
                2,
                4,
                "bad-cell",
                "the DOI '10.1000/a' is the reference 'ref2020a', but the row's ref is 'ref2021b'",
                "correct one of the two cells",
            )
        ],
    ),
    (
        "ref-after-doi-differs",
        "label,ce,doi,ref\nA,90,10.1000/a,ref2021b\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                4,
                "bad-cell",
                "the row's DOI is the reference 'ref2020a', but its ref is 'ref2021b'",
                "correct one of the two cells",
            )
        ],
    ),
    (
        "strategies-split-on-semicolons-and-commas",
        'label,ce,strategies\nA,90,"fec-additive; lhce , x"\n',
        [{"label": "A", "strategies": ["fec-additive", "lhce", "x"], "ce": 90}],
        [],
    ),
    (
        "one-strategy-not-an-id",
        "label,ce,strategies\nA,90,FEC additive;ok\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "strategies 'FEC additive' is not an id",
                "give strategy ids separated by `;`, e.g. `fec-additive; localized-high-concentration-electrolytes`",
            )
        ],
    ),
    (
        "two-strategies-not-ids",
        "label,ce,strategies\nA,90,A B;C D\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "strategies 'A B', 'C D' are not ids",
                "give strategy ids separated by `;`, e.g. `fec-additive; localized-high-concentration-electrolytes`",
            )
        ],
    ),
    (
        "cell-as-text",
        "label,ce,cell\nA,90,Li||Cu\n",
        [{"label": "A", "conditions": {"cell": "Li||Cu"}, "ce": 90}],
        [],
    ),
    (
        "current-density-with-the-unit-in-the-header",
        "label,ce,current_density [mA cm-2]\nA,90,0.5\n",
        [{"label": "A", "conditions": {"current_density": "0.5 mA cm-2"}, "ce": 90}],
        [],
    ),
    (
        "current-density-without-unit",
        "label,ce,current_density\nA,90,0.5\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "current_density = '0.5' has no unit",
                "give the unit in the header, `current_density [mA cm-2]`, or in the cell, `0.5 mA cm-2`",
            )
        ],
    ),
    (
        "current-density-with-the-unit-in-the-cell",
        "label,ce,current_density\nA,90,0.5 mA cm-2\n",
        [{"label": "A", "conditions": {"current_density": "0.5 mA cm-2"}, "ce": 90}],
        [],
    ),
    (
        "current-density-not-a-number",
        "label,ce,current_density\nA,90,high\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "current_density = 'high' is not a number with a unit",
                "write e.g. `0.5 mA cm-2`",
            )
        ],
    ),
    (
        "current-density-in-another-dimension",
        "label,ce,current_density\nA,90,0.5 mAh\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "current_density = '0.5 mAh' is not in a unit of current density",
                "write e.g. `0.5 mA cm-2`",
            )
        ],
    ),
    (
        "temperature-in-kelvin",
        "label,ce,temperature\nA,90,298 K\n",
        [{"label": "A", "conditions": {"temperature": "298 K"}, "ce": 90}],
        [],
    ),
    (
        "electrolyte-shorthand",
        "label,ce,electrolyte\nA,90,1 M LiFSI in DME\n",
        [{"label": "A", "electrolyte": "1 M LiFSI in DME", "ce": 90}],
        [],
    ),
    (
        "electrolyte-unknown-material",
        "label,ce,electrolyte\nA,90,1 M LiXYZ in DME\n",
        [{"label": "A", "electrolyte": "1 M LiXYZ in DME", "ce": 90}],
        [
            (
                2,
                3,
                "bad-formulation",
                "electrolyte '1 M LiXYZ in DME': 'LiXYZ' is not a material",
                "add it as a material entry (`limkb new material <id>`) with this name as an alias (CONTRIBUTING.md, 'Electrolyte formulations')",
            )
        ],
    ),
    (
        "electrolyte-bad-shorthand",
        "label,ce,electrolyte\nA,90,1 M in\n",
        [{"label": "A", "electrolyte": "1 M in", "ce": 90}],
        [
            (
                2,
                3,
                "bad-formulation",
                "electrolyte '1 M in': expected the name of a salt, found 'in' (at character 5)",
                "name a material by its id, name, abbreviation or formula, e.g. '1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC'",
            )
        ],
    ),
    (
        "electrolyte-as-json",
        'label,ce,electrolyte\nA,90,"[{""material"": ""lifsi"", ""role"": ""salt""}]"\n',
        [{"label": "A", "electrolyte": [{"material": "lifsi", "role": "salt"}], "ce": 90}],
        [],
    ),
    (
        "electrolyte-json-broken",
        'label,ce,electrolyte\nA,90,"[{""material"""\n',
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-formulation",
                "electrolyte starts with '[' but is not a JSON list of components (Expecting ':' delimiter)",
                'write the shorthand (`4 M LiFSI in DME`) or a list such as `[{"material": "lifsi", "role": "salt", "amount": 4, "unit": "M"}]`',
            )
        ],
    ),
    (
        "electrolyte-of-the-dataset",
        "label,ce,electrolyte\nA,90,2 M LiFSI in DME\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
    (
        "electrolyte-repeated",
        "label,ce,electrolyte\nA,90,1 M LiXYZ in DME\nB,91,1 M LiXYZ in DME\n",
        [
            {"label": "A", "electrolyte": "1 M LiXYZ in DME", "ce": 90},
            {"label": "B", "electrolyte": "1 M LiXYZ in DME", "ce": 91},
        ],
        [
            (
                2,
                3,
                "bad-formulation",
                "electrolyte '1 M LiXYZ in DME': 'LiXYZ' is not a material",
                "add it as a material entry (`limkb new material <id>`) with this name as an alias (CONTRIBUTING.md, 'Electrolyte formulations')",
            ),
            (
                3,
                3,
                "bad-formulation",
                "electrolyte '1 M LiXYZ in DME': 'LiXYZ' is not a material",
                "add it as a material entry (`limkb new material <id>`) with this name as an alias (CONTRIBUTING.md, 'Electrolyte formulations')",
            ),
        ],
    ),
    (
        "cell-of-the-dataset",
        "label,ce,cell\nA,90,Li||Cu\nB,91,Li||Li\n",
        [{"label": "A", "conditions": {"cell": "Li||Cu"}, "ce": 90}, {"label": "B", "ce": 91}],
        [],
    ),
    (
        "an-apostrophe-before-formula-text-is-dropped",
        "label,ce,salt,note\nA,90,'=LiFSI,'+ 2 % FEC\n",
        [{"label": "A", "note": "+ 2 % FEC", "ce": 90, "salt": "=LiFSI"}],
        [],
    ),
    (
        "an-apostrophe-before-other-text-is-kept",
        "label,ce,salt\nA,90,'tis\n",
        [{"label": "A", "ce": 90, "salt": "'tis"}],
        [],
    ),
    (
        "a-note-is-stored",
        "label,ce,note\nA,90,  cycled twice  \n",
        [{"label": "A", "note": "cycled twice", "ce": 90}],
        [],
    ),
    (
        "a-conditions-note-is-a-condition",
        "label,ce,conditions_note\nA,90,after formation\n",
        [{"label": "A", "conditions": {"note": "after formation"}, "ce": 90}],
        [],
    ),
    (
        "a-control-character-is-refused",
        "label,ce,salt\nA,90,Li\x07PF6\n",
        [{"label": "A", "ce": 90}],
        [
            (
                2,
                3,
                "bad-cell",
                "salt holds the invisible control character U+0007 at character 3",
                "delete it (it often comes from a PDF or another program's export); only tabs are allowed",
            )
        ],
    ),
    (
        "an-empty-label",
        "label,ce\n ,90\n",
        [{"label": "", "ce": 90}],
        [(2, 1, "bad-cell", "label is empty", "name every row; the label is shown on plots")],
    ),
    (
        "a-label-over-500-characters",
        "label,ce\n" + "x" * 501 + ",90\n",
        [{"label": "x" * 501, "ce": 90}],
        [(2, 1, "bad-cell", "label is longer than 500 characters", "shorten it")],
    ),
    (
        "a-computed-column-is-read-past",
        "label,ce,electrolyte_components\nA,90,whatever\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
    (
        "empty-cells-are-no-values",
        "label,ce,salt,note,ref\nA,90,,,\n",
        [{"label": "A", "ce": 90}],
        [],
    ),
]


@pytest.mark.parametrize(("csv", "records", "expected"), [r[1:] for r in _CELLS], ids=[r[0] for r in _CELLS])
def test_each_source_strategy_condition_and_electrolyte_cell(
    csv: str, records: list[dict[str, Any]], expected: list[Found]
) -> None:
    """What each such cell stores in the record, or the exact problem it gets."""
    rows, report = read_table(csv, _cells_context(), path="t.csv")
    assert [row.record for row in rows] == records
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in report] == expected


def _ranges_context() -> TableContext:
    """:func:`_context`'s columns and a thickness column whose property has a range, no records."""
    from kbfactory import minimal as entry

    thickness = {
        **entry("property", "SEI thickness", unit="nm", minimum=0, maximum=1000),
        "id": "sei-thickness",
    }
    return TableContext(
        [*_COLUMNS, Column.model_validate({"name": "th", "property": "sei-thickness", "unit": "nm"})],
        properties={**_PROPERTIES, "sei-thickness": Property.model_validate(thickness)},
        existing=[],
    )


# (id, CSV, its problems): one out-of-range problem per column, with the count, the values or
# their span, the lines (five at most) and a guess at what they are
_RANGES: list[tuple[str, str, list[Found]]] = [
    (
        "one-value-out-of-one",
        "label,ce\nA,500\n",
        [
            (
                2,
                2,
                "out-of-range",
                "1 of 1 value of `ce` lies outside coulombic-efficiency's range, 0-100 %: value 500 (line 2)",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "two-equal-values",
        "label,ce\nA,500\nB,500\nC,90\n",
        [
            (
                2,
                2,
                "out-of-range",
                "2 of 3 values of `ce` lie outside coulombic-efficiency's range, 0-100 %: values 500 (lines 2, 3)",
                "check the values and the column's unit",
            ),
            (
                3,
                1,
                "likely-duplicate",
                "row 'B' equals the row on line 2, 'A', in everything but its label",
                "keep one of them, or say what differs (electrolyte, conditions or a note)",
            ),
        ],
    ),
    (
        "a-span-of-values",
        "label,ce\nA,101\nB,150\nC,90\n",
        [
            (
                2,
                2,
                "out-of-range",
                "2 of 3 values of `ce` lie outside coulombic-efficiency's range, 0-100 %: values 101 to 150 (lines 2, 3)",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "more-than-the-lines-shown",
        "label,ce\nr0,200\nr1,201\nr2,202\nr3,203\nr4,204\nr5,205\nr6,206\nr7,207\n",
        [
            (
                2,
                2,
                "out-of-range",
                "8 of 8 values of `ce` lie outside coulombic-efficiency's range, 0-100 %: these would fit multiplied by 0.01 (200 to 207) (lines 2, 3, 4, 5, 6 and 3 more)",
                "check the unit of the column (values of `coulombic-efficiency` are in %)",
            )
        ],
    ),
    (
        "a-second-property",
        "label,th\nA,-5\n",
        [
            (
                2,
                2,
                "out-of-range",
                "1 of 1 value of `th` lies outside sei-thickness's range, 0-1000 nm: value -5 (line 2)",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "two-columns",
        "label,ce,th\nA,500,-1\n",
        [
            (
                2,
                2,
                "out-of-range",
                "1 of 1 value of `ce` lies outside coulombic-efficiency's range, 0-100 %: value 500 (line 2)",
                "check the values and the column's unit",
            ),
            (
                2,
                3,
                "out-of-range",
                "1 of 1 value of `th` lies outside sei-thickness's range, 0-1000 nm: value -1 (line 2)",
                "check the values and the column's unit",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("csv", "expected"), [r[1:] for r in _RANGES], ids=[r[0] for r in _RANGES])
def test_values_outside_their_property_range_are_reported_per_column(csv: str, expected: list[Found]) -> None:
    """How many values, which (one, a span), on which lines, and the guess of `likely_cause`."""
    _, report = read_table(csv, _ranges_context(), path="t.csv")
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in report] == expected


def _copies_context(existing: list[dict[str, Any]]) -> TableContext:
    """A dataset with its own electrolyte and cell, and the records ``existing``."""
    return TableContext(
        list(_COLUMNS),
        properties=_PROPERTIES,
        references={"ref2020a": "10.1000/a", "ref2021b": None},
        default_source={"ref": "ref2020a"},
        electrolyte="3 M LiFSI in DME",
        conditions={"cell": "Li||Li"},
        existing=existing,
    )


# (id, CSV, the dataset's records, the problems): what makes a row a copy of another row or of a
# record under another label (its conditions, the dataset's own conditions and electrolyte, its
# electrolyte, note and source, stored values of another type)
_COPIES: list[tuple[str, str, list[dict[str, Any]], list[tuple[int, str, str]]]] = [
    (
        "same-cell-is-a-copy",
        "label,ce,cell\nA,90,Li||Cu\nB,90,Li||Cu\nC,90,Li||Li\n",
        [],
        [(3, "likely-duplicate", "row 'B' equals the row on line 2, 'A', in everything but its label")],
    ),
    (
        "the-datasets-cell-written-out-is-a-copy",
        "label,ce,cell\nA,90,\nB,90,Li||Li\n",
        [],
        [(3, "likely-duplicate", "row 'B' equals the row on line 2, 'A', in everything but its label")],
    ),
    (
        "another-electrolyte-is-no-copy",
        "label,ce,electrolyte\nA,90,1 M LiFSI in DME\nB,90,2 M LiFSI in DME\nC,90,1 M LiFSI in DME\n",
        [],
        [(4, "likely-duplicate", "row 'C' equals the row on line 2, 'A', in everything but its label")],
    ),
    (
        "the-datasets-electrolyte-written-out-is-a-copy",
        "label,ce,electrolyte\nA,90,\nB,90,3 M LiFSI in DME\n",
        [],
        [(3, "likely-duplicate", "row 'B' equals the row on line 2, 'A', in everything but its label")],
    ),
    (
        "another-note-is-no-copy",
        "label,ce,note\nA,90,first\nB,90,second\n",
        [],
        [],
    ),
    (
        "a-stored-record-with-its-conditions",
        "label,ce,cell\nnew,90,Li||Cu\n",
        [{"label": "old", "ce": 90, "conditions": {"cell": "Li||Cu"}}],
        [
            (
                2,
                "likely-duplicate",
                "row 'new' equals record 1 of the dataset, 'old', in everything but its label",
            )
        ],
    ),
    (
        "a-stored-record-with-other-conditions",
        "label,ce,cell\nnew,90,Li||Cu\n",
        [{"label": "old", "ce": 90, "conditions": {"cell": "Li||Cu", "cycles": 50}}],
        [],
    ),
    (
        "a-stored-record-with-its-electrolyte",
        "label,ce,electrolyte\nnew,90,1 M LiFSI in DME\n",
        [{"label": "old", "ce": 90, "electrolyte": "1 M LiFSI in DME"}],
        [
            (
                2,
                "likely-duplicate",
                "row 'new' equals record 1 of the dataset, 'old', in everything but its label",
            )
        ],
    ),
    (
        "a-stored-record-with-an-electrolyte-list",
        "label,ce\nnew,90\n",
        [{"label": "old", "ce": 90, "electrolyte": [{"material": "lifsi"}]}],
        [],
    ),
    (
        "a-stored-text-of-another-type",
        "label,ce,salt\nnew,90,3\n",
        [{"label": "old", "ce": 90, "salt": 3}],
        [],
    ),
    (
        "a-stored-list-in-a-text-column",
        "label,ce,salt\nnew,90,LiFSI\n",
        [{"label": "old", "ce": 90, "salt": ["LiFSI"]}],
        [],
    ),
    (
        "a-stored-record-citing-the-datasets-source",
        "label,ce\nnew,90\n",
        [{"label": "old", "ce": 90, "source": {"ref": "ref2020a"}}],
        [
            (
                2,
                "likely-duplicate",
                "row 'new' equals record 1 of the dataset, 'old', in everything but its label",
            )
        ],
    ),
    (
        "a-stored-record-citing-another-source",
        "label,ce\nnew,90\n",
        [{"label": "old", "ce": 90, "source": {"ref": "ref2021b"}}],
        [],
    ),
    (
        "a-stored-unreadable-condition-is-left-out",
        "label,ce\nnew,90\n",
        [{"label": "old", "ce": 90, "conditions": {"current_density": "fast"}}],
        [
            (
                2,
                "likely-duplicate",
                "row 'new' equals record 1 of the dataset, 'old', in everything but its label",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("csv", "existing", "expected"), [r[1:] for r in _COPIES], ids=[r[0] for r in _COPIES]
)
def test_what_makes_a_row_a_copy_under_another_label(
    csv: str, existing: list[dict[str, Any]], expected: list[tuple[int, str, str]]
) -> None:
    """Rows and records equal in all but the label are reported; any difference keeps them apart."""
    _, report = read_table(csv, _copies_context(existing), path="t.csv")
    assert [(p.line, p.code, p.message) for p in report] == expected
