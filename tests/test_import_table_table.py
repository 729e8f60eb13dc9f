"""What `limkb import-table` does around the reading of rows (:mod:`limkb.commands.import_table`), table by table.

Each step is pinned on its own with inputs built in memory (the kind of file a CSV's first bytes
say it is, the dataset's first source, its conventions, a record updated by a row, the size floor,
the record a line falls in), and the whole import on a tiny KB in ``tmp_path``: which dataset file
is written, its exact text, what the result tells the contributor (records, replaced), the
refusals with their message, and that a refused import leaves every file with its bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, minimal, tree_digest, write_entry, write_kb
from limkb.analysis.components import Amount, Conventions
from limkb.check.reader import MAX_BYTES, load_text
from limkb.commands import import_table as imp
from limkb.commands.import_table import import_table
from limkb.commands.table_rows import Row
from limkb.errors import LimkbError
from limkb.report import Report, Severity

# -- the kind of file its first bytes say it is --------------------------------------------------

_ZIP = b"PK\x03\x04"
_KINDS: list[tuple[str, bytes, str | None]] = [
    ("plain-text", b"label,ce\nA,1\n", None),
    ("empty", b"", None),
    ("ods", _ZIP + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet", "ods"),
    ("xlsx-by-content-types", _ZIP + b"\x00" * 26 + b"[Content_Types].xml", "xlsx"),
    ("xlsx-by-its-folder", _ZIP + b"\x00" * 26 + b"xl/workbook.xml", "xlsx"),
    ("any-other-zip", _ZIP + b"\x00" * 26 + b"word/document.xml", "zip"),
    ("empty-zip", b"PK\x05\x06" + b"\x00" * 18, "zip"),
    ("spanned-zip", b"PK\x07\x08" + b"\x00" * 18, "zip"),
    ("a-zip-whose-xl-folder-starts-past-the-first-4096-bytes", _ZIP + b"\x00" * 4090 + b"xl/", "zip"),
    ("a-zip-whose-xl-folder-ends-at-byte-4096", _ZIP + b"\x00" * 4089 + b"xl/", "xlsx"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "xls"),
    ("pdf", b"%PDF-1.7\n", "pdf"),
    ("gzip", b"\x1f\x8b\x08\x00", "compressed"),
    ("bzip2", b"BZh91AY", "compressed"),
    ("xz", b"\xfd7zXZ\x00", "compressed"),
    ("7z", b"7z\xbc\xaf\x27\x1c", "compressed"),
    ("a-pk-inside-the-text-is-no-zip", b"label\nPK\x03\x04\n", None),
]


@pytest.mark.parametrize(("raw", "kind"), [row[1:] for row in _KINDS], ids=[row[0] for row in _KINDS])
def test_the_first_bytes_tell_a_workbook_archive_or_pdf_from_text(raw: bytes, kind: str | None) -> None:
    assert imp._not_text(raw) == kind


def _refusal(kind: str) -> str:
    return (
        f"x.csv is {kind} file by its content, whatever its name: {kind.split()[-1]} is not read; "
        "save the sheet as CSV (File > Save as > CSV UTF-8) and import that"
    )


_NOT_TEXT: list[tuple[str, bytes, str]] = [
    ("xlsx", _ZIP + b"xl/", _refusal("an xlsx")),
    ("ods", _ZIP + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet", _refusal("an ods")),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _refusal("an xls")),
    ("zip", _ZIP, _refusal("a zip")),
    ("pdf", b"%PDF-", _refusal("a pdf")),
    ("compressed", b"BZh9", _refusal("a compressed")),
]


@pytest.mark.parametrize(
    ("raw", "message"), [row[1:] for row in _NOT_TEXT], ids=[row[0] for row in _NOT_TEXT]
)
def test_a_file_that_is_no_text_is_refused_by_its_kind(tmp_path: Path, raw: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(raw)
    with pytest.raises(LimkbError) as caught:
        imp._csv_text(path, "x.csv")
    assert str(caught.value) == message


def test_the_csv_text_is_read_as_utf8_without_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("\ufefflabel,t (°C)\n".encode())
    assert imp._csv_text(path, "x.csv") == "label,t (°C)\n"


def test_a_csv_that_is_not_utf8_is_refused_with_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"label\nA\xe9\n")
    with pytest.raises(LimkbError) as caught:
        imp._csv_text(path, "shown.csv")
    assert str(caught.value) == "shown.csv is not UTF-8 text (byte 7); save it as 'CSV UTF-8'"


def test_a_csv_of_16_mib_is_read_and_one_byte_more_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024)
    assert len(imp._csv_text(path, "big.csv")) == 16 * 1024 * 1024
    with path.open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(LimkbError) as caught:
        imp._csv_text(path, "big.csv")
    assert str(caught.value) == (
        "big.csv is 16,777,217 bytes; import at most 16,777,216 at a time (a dataset holds at most 1 MiB)"
    )


# -- the dataset's context, in memory --------------------------------------------------------------

_SOURCES: list[tuple[str, Any, dict[str, Any] | None]] = [
    ("an-id", {"sources": ["r1", "r2"]}, {"ref": "r1"}),
    (
        "a-mapping-keeps-ref-and-locator",
        {"sources": [{"ref": "r1", "locator": "Fig. 2", "note": "x"}]},
        {"ref": "r1", "locator": "Fig. 2"},
    ),
    ("a-mapping-without-locator", {"sources": [{"ref": "r1"}]}, {"ref": "r1"}),
    ("no-sources", {}, None),
    ("empty-sources", {"sources": []}, None),
    ("sources-not-a-list", {"sources": "r1"}, None),
    ("a-source-of-another-type", {"sources": [3]}, None),
    ("no-mapping", ["r1"], None),
]


@pytest.mark.parametrize(
    ("data", "expected"), [row[1:] for row in _SOURCES], ids=[row[0] for row in _SOURCES]
)
def test_the_default_source_is_the_datasets_first(data: Any, expected: dict[str, Any] | None) -> None:
    assert imp._default_source(data) == expected


_CONVENTIONS: list[tuple[str, Any, Conventions]] = [
    (
        "both",
        {"conventions": {"ratio": "vol", "percent": "wt"}},
        Conventions(Amount.RATIO_VOL, Amount.WT_PERCENT),
    ),
    ("ratio-only", {"conventions": {"ratio": "mol"}}, Conventions(Amount.RATIO_MOL, None)),
    ("percent-only", {"conventions": {"percent": "vol"}}, Conventions(None, Amount.VOL_PERCENT)),
    (
        "unknown-words-are-left-undeclared",
        {"conventions": {"ratio": "mass", "percent": "m/m"}},
        Conventions(),
    ),
    ("words-that-are-no-text", {"conventions": {"ratio": 1, "percent": ["wt"]}}, Conventions()),
    (
        "a-percent-word-as-ratio",
        {"conventions": {"ratio": "wt", "percent": "mol"}},
        Conventions(Amount.RATIO_WT, Amount.MOL_PERCENT),
    ),
    ("none", {}, Conventions()),
    ("not-a-mapping", {"conventions": "vol"}, Conventions()),
    ("no-dataset-mapping", ["x"], Conventions()),
]


@pytest.mark.parametrize(
    ("data", "expected"), [row[1:] for row in _CONVENTIONS], ids=[row[0] for row in _CONVENTIONS]
)
def test_the_declared_conventions_are_read_and_unknown_words_left_out(
    data: Any, expected: Conventions
) -> None:
    assert imp._conventions(data) == expected


def test_the_context_holds_the_datasets_conditions_electrolyte_and_records(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {})
    data = {
        "conditions": {"cell": "Li||Cu"},
        "electrolyte": "1 M LiFSI in DME",
        "records": [{"label": "a"}],
        "sources": ["r1"],
    }
    write_entry(kb, "materials/dme", {"name": "1,2-dimethoxyethane", "roles": ["solvent"]})
    write_entry(kb, "properties/ce", minimal("property", "Coulombic efficiency", unit="%"))
    data["conventions"] = {"ratio": "vol", "percent": "wt"}
    context = imp._context(kb, data, [], replace=True)
    assert context.materials.find("dme") == "dme" and list(context.properties) == ["ce"]
    assert context.conventions == Conventions(Amount.RATIO_VOL, Amount.WT_PERCENT)
    assert (context.conditions, context.electrolyte, context.existing) == (
        {"cell": "Li||Cu"},
        "1 M LiFSI in DME",
        [{"label": "a"}],
    )
    assert (context.default_source, context.replace, context.references) == (
        {"ref": "r1"},
        True,
        {REF: "10.1000/test.2020"},
    )
    listed = imp._context(kb, {"electrolyte": ["LiFSI", "DME"]}, [], replace=False)
    assert (listed.electrolyte, listed.replace, listed.conditions, listed.existing) == (
        ["LiFSI", "DME"],
        False,
        {},
        [],
    )
    odd = imp._context(kb, {"conditions": ["x"], "electrolyte": 3, "records": {"a": 1}}, [], replace=False)
    assert (odd.conditions, odd.electrolyte, odd.existing) == ({}, None, [])


def test_the_kbs_properties_references_and_materials_are_read_from_their_files(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/ce": minimal("property", "Coulombic efficiency", unit="%"),
            "properties/broken": "name: [",
            "properties/incomplete": {"name": "No unit"},
            "references/nodoi": {"title": "T"},
            "references/numeric": {"title": "T", "doi": 10.1},
            "references/unreadable": "title: [",
            "materials/dme": {
                "name": "1,2-dimethoxyethane",
                "aliases": ["glyme", 3],
                "formula": "C4H10O2",
                "roles": ["solvent", 1],
            },
            "materials/odd": {"name": "Odd", "aliases": "not-a-list", "roles": "solvent"},
            "materials/unreadable": "name: [",
            "materials/listed": "- a\n- b\n",
        },
    )
    properties = imp._properties(kb)
    assert list(properties) == ["ce"] and properties["ce"].unit == "%"
    assert imp._references(kb) == {
        "nodoi": None,
        "numeric": None,
        REF: "10.1000/test.2020",
        "unreadable": None,
    }
    index = imp._materials(kb)
    assert (
        index.find("Glyme"),
        index.find("c4h10o2"),
        index.find("1,2-Dimethoxyethane"),
        index.find("odd"),
    ) == (
        "dme",
        "dme",
        "dme",
        "odd",
    )
    assert index.roles == {"dme": frozenset({"solvent"}), "odd": frozenset()}
    assert [index.find(name) for name in ("not-a-list", "n", "t")] == [None, None, None]  # no alias


# -- a stored record updated by a row ---------------------------------------------------------------

_UPDATES: list[tuple[str, dict[str, Any], Row, bool, dict[str, Any]]] = [
    (
        "the-rows-cells-win-and-its-empty-cells-keep",
        {"label": "a", "ce": 1, "q": 2},
        Row({"label": "a", "ce": 5}, 2, empty={"q"}),
        False,
        {"label": "a", "ce": 5, "q": 2},
    ),
    (
        "clear-empty-deletes-an-empty-cells-value",
        {"label": "a", "ce": 1, "q": 2},
        Row({"label": "a", "ce": 5}, 2, empty={"q"}),
        True,
        {"label": "a", "ce": 5},
    ),
    (
        "conditions-and-source-are-merged-key-by-key",
        {"label": "a", "conditions": {"cell": "x", "cycles": 3}, "source": {"ref": "r", "locator": "T1"}},
        Row({"label": "a", "conditions": {"cycles": 9}, "source": {"locator": "T2"}}, 2),
        False,
        {"label": "a", "conditions": {"cell": "x", "cycles": 9}, "source": {"ref": "r", "locator": "T2"}},
    ),
    (
        "a-stored-value-that-is-no-mapping-is-replaced",
        {"label": "a", "conditions": "x"},
        Row({"label": "a", "conditions": {"cycles": 9}}, 2),
        False,
        {"label": "a", "conditions": {"cycles": 9}},
    ),
    (
        "a-condition-equal-to-the-datasets-is-dropped",
        {"label": "a", "conditions": {"cell": "x", "cycles": 3}},
        Row({"label": "a"}, 2, defaults={"cell"}),
        False,
        {"label": "a", "conditions": {"cycles": 3}},
    ),
    (
        "the-last-condition-dropped-drops-the-mapping",
        {"label": "a", "conditions": {"cell": "x"}},
        Row({"label": "a"}, 2, defaults={"cell"}),
        False,
        {"label": "a"},
    ),
    (
        "an-empty-conditions-note-deletes-the-note",
        {"label": "a", "conditions": {"note": "n", "cycles": 3}},
        Row({"label": "a"}, 2, empty={"conditions_note"}),
        True,
        {"label": "a", "conditions": {"cycles": 3}},
    ),
    (
        "an-empty-condition-the-record-never-had-is-no-error",
        {"label": "a", "conditions": {"cycles": 3}},
        Row({"label": "a"}, 2, empty={"cell", "conditions_note"}),
        True,
        {"label": "a", "conditions": {"cycles": 3}},
    ),
    (
        "an-empty-locator-deletes-the-locator-only",
        {"label": "a", "source": {"ref": "r", "locator": "T1"}},
        Row({"label": "a"}, 2, empty={"locator"}),
        True,
        {"label": "a", "source": {"ref": "r"}},
    ),
    (
        "an-empty-locator-without-a-source-mapping-changes-nothing",
        {"label": "a", "source": "r"},
        Row({"label": "a"}, 2, empty={"locator"}),
        True,
        {"label": "a", "source": "r"},
    ),
    (
        "empty-ref-doi-and-label-never-delete",
        {"label": "a", "source": {"ref": "r"}, "ref": 1, "doi": 2},
        Row({"label": "a"}, 2, empty={"ref", "doi", "label"}),
        True,
        {"label": "a", "source": {"ref": "r"}, "ref": 1, "doi": 2},
    ),
    (
        "an-electrolyte-equal-to-the-datasets-is-dropped",
        {"label": "a", "electrolyte": "x"},
        Row({"label": "a"}, 2, defaults={"electrolyte"}),
        False,
        {"label": "a"},
    ),
    (
        "fields-the-csv-has-no-column-for-are-kept",
        {"label": "a", "strategies": ["s"], "note": "n"},
        Row({"label": "a", "ce": 1}, 2),
        True,
        {"label": "a", "strategies": ["s"], "note": "n", "ce": 1},
    ),
]


@pytest.mark.parametrize(
    ("old", "row", "clear_empty", "expected"), [row[1:] for row in _UPDATES], ids=[row[0] for row in _UPDATES]
)
def test_a_stored_record_is_updated_by_a_row(
    old: dict[str, Any], row: Row, clear_empty: bool, expected: dict[str, Any]
) -> None:
    before = repr(old)
    assert imp._updated(old, row, clear_empty=clear_empty) == expected
    assert repr(old) == before  # the stored record itself is not changed


def test_rows_are_appended_or_put_in_place_of_the_record_they_update() -> None:
    old = [
        {"label": "A", "ce": 1},
        {"label": "b", "source": {"ref": "r2"}, "ce": 2},
        {"label": "c", "source": {"ref": "own"}},
    ]
    existing = imp._identities(old, "own")
    assert existing == {("a", None): 0, ("b", "r2"): 1, ("c", None): 2}
    rows = [
        Row({"label": "new", "ce": 3}, 2),
        Row({"label": " a ", "ce": 4}, 3),
        Row({"label": "b", "source": {"ref": "r2"}, "ce": 5}, 4),
        Row({"label": "b", "ce": 6}, 5),
    ]
    merged, lines = imp._merge(old, rows, existing, own="own", clear_empty=False)
    assert merged == [
        {"label": " a ", "ce": 4},
        {"label": "b", "source": {"ref": "r2"}, "ce": 5},
        {"label": "c", "source": {"ref": "own"}},
        {"label": "new", "ce": 3},
        {"label": "b", "ce": 6},
    ]
    assert lines == {3: 2, 0: 3, 1: 4, 4: 5}
    assert imp._merge(None, rows[:1], {}, own=None, clear_empty=False) == (
        [{"label": "new", "ce": 3}],
        {0: 2},
    )


def test_the_identities_of_stored_records_skip_what_has_no_label_and_keep_the_first() -> None:
    records = [
        "text",
        {"label": 3},
        {"label": "A", "source": {"ref": 5}},
        {"label": "a"},
        {"label": "b", "source": "r"},
        {"label": "c", "source": {"ref": "r"}},
    ]
    assert imp._identities(records, None) == {("a", None): 2, ("b", None): 4, ("c", "r"): 5}
    assert imp._identities({"label": "a"}, None) == {}
    assert imp._identities(None, None) == {}


_FLOORS: list[tuple[str, Any, int]] = [
    ("a-string-counts-its-characters", "abc", 3),
    ("a-number-counts-nothing", 123.5, 0),
    ("a-list-item-counts-its-dash-and-blank", ["ab", 1], 2 + 2 + 2),
    ("a-key-counts-itself-its-indent-colon-blank-and-line-end", {"ab": "x"}, 2 + 4 + 3 + 1),
    ("nested-keys-are-indented-two-more", {"a": {"b": "c"}}, (1 + 4 + 3) + (1 + 6 + 3 + 1)),
    (
        "records",
        [{"label": "A"}, {"label": "B", "ce": 1}],
        (2 + 5 + 6 + 3 + 1) + (2 + 5 + 6 + 3 + 1 + 2 + 6 + 3),
    ),
]


@pytest.mark.parametrize(("value", "floor"), [row[1:] for row in _FLOORS], ids=[row[0] for row in _FLOORS])
def test_the_size_floor_counts_keys_indents_and_text(value: Any, floor: int) -> None:
    assert imp._size_floor(value) == floor


def test_a_csv_line_is_placed_in_the_record_whose_text_holds_it() -> None:
    document, _ = load_text("name: d\nrecords:\n  - label: a\n    ce: 1\n  - label: b\n", "d.yaml")
    assert document is not None
    starts = imp._record_lines(document)
    assert starts == [(3, 0), (5, 1)]
    assert [imp._record_at(starts, line) for line in (1, 2, 3, 4, 5, 9)] == [None, None, 0, 0, 1, 1]
    empty, _ = load_text("name: d\n", "d.yaml")
    assert empty is not None and imp._record_lines(empty) == []


def test_a_dataset_too_large_is_refused_with_its_size() -> None:
    problem = imp._too_large("t.csv", 2_000_000, at_least=True)
    assert (problem.path, problem.line, problem.col, problem.severity, problem.code) == (
        "t.csv",
        1,
        1,
        Severity.ERROR,
        "file-too-large",
    )
    assert problem.message == (
        "with these rows the dataset would be at least 2,000,000 bytes, more than the 1,048,576 an entry may hold"
    )
    assert problem.hint == "split the rows into several datasets (e.g. one per source study)"
    assert imp._too_large("t.csv", 5, at_least=False).message.startswith(
        "with these rows the dataset would be 5 bytes"
    )


# -- the whole import on a tiny KB --------------------------------------------------------------------

_DATASET = minimal(
    "dataset",
    columns=[
        {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        {"name": "salt", "type": "text"},
    ],
    records=[{"label": "old", "ce": 99.0, "salt": "LiPF6"}],
)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A dataset ``d`` (a percent and a text column, one record ``old``) and its property."""
    return write_kb(
        tmp_path,
        {
            "properties/coulombic-efficiency": minimal(
                "property", "Coulombic efficiency", unit="%", minimum=0, maximum=100
            ),
            "datasets/d": _DATASET,
        },
    )


def _csv(kb: Path, text: str) -> Path:
    """``text`` as ``rows.csv`` beside the KB, shown as ``rows.csv`` (the tests run in its folder)."""
    path = kb.parent / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in ``tmp_path``, so a file beside the KB is shown by its name."""
    monkeypatch.chdir(tmp_path)


_HEAD = """\
# yaml-language-server: $schema=../../schema/dataset.schema.json
name: A dataset
sources:
  - ref: smith2020test
    locator: Table 1
columns:
  - name: ce
    property: coulombic-efficiency
    unit: "%"
  - name: salt
    type: text
records:
"""


def test_the_rows_are_appended_to_the_datasets_file_in_canonical_form(kb: Path) -> None:
    result = import_table(_csv(kb, "label,ce,salt\nA,98.5,LiFSI\nB,97,\n"), "d", kb)
    path = kb / "datasets" / "d.yaml"
    assert (result.dataset, result.path, result.written, result.replaced) == ("d", path, True, 0)
    assert result.records == [{"label": "A", "ce": 98.5, "salt": "LiFSI"}, {"label": "B", "ce": 97}]
    assert not result.report.errors
    assert path.read_text(encoding="utf-8") == _HEAD + (
        "  - label: old\n    ce: 99.0\n    salt: LiPF6\n"
        "  - label: A\n    ce: 98.5\n    salt: LiFSI\n"
        "  - label: B\n    ce: 97\n"
    )


def test_replace_updates_the_record_in_place_and_counts_it(kb: Path) -> None:
    result = import_table(_csv(kb, "label,ce,salt\nold,97,\nnew,96,\n"), "d", kb, replace=True)
    assert (result.written, result.replaced) == (True, 1)
    assert (kb / "datasets" / "d.yaml").read_text(encoding="utf-8") == _HEAD + (
        "  - label: old\n    ce: 97\n    salt: LiPF6\n  - label: new\n    ce: 96\n"
    )


def test_replace_with_clear_empty_deletes_the_stored_value_of_an_empty_cell(kb: Path) -> None:
    result = import_table(_csv(kb, "label,ce,salt\nold,97,\n"), "d", kb, replace=True, clear_empty=True)
    assert (result.written, result.replaced) == (True, 1)
    assert (kb / "datasets" / "d.yaml").read_text(encoding="utf-8") == _HEAD + "  - label: old\n    ce: 97\n"


def test_a_row_citing_the_datasets_own_source_replaces_the_record_without_one_and_writes_it(kb: Path) -> None:
    result = import_table(_csv(kb, f"label,ref,ce\nOLD,{REF},90\n"), "d", kb, replace=True)
    assert (result.written, result.replaced) == (True, 1)
    assert (kb / "datasets" / "d.yaml").read_text(encoding="utf-8") == _HEAD + (
        "  - label: OLD\n    source:\n      ref: smith2020test\n    ce: 90\n    salt: LiPF6\n"
    )


def test_map_and_skip_read_a_spreadsheets_own_headers(kb: Path) -> None:
    csv = _csv(kb, "label,Efficiency,Reference\nA,98,Smith\n")
    result = import_table(csv, "d", kb, mapping={"Efficiency": "ce"}, skip={"Reference"})
    assert (result.written, result.records) == (True, [{"label": "A", "ce": 98}])
    pairs = import_table(
        _csv(kb, "label,Efficiency,Reference\nB,97,Smith\n"),
        "d",
        kb,
        mapping=[("Efficiency", "ce")],
        skip={"Reference"},
    )
    assert (pairs.written, pairs.records) == (True, [{"label": "B", "ce": 97}])


def _found(result: imp.TableImport) -> list[tuple[str, int, int, str, str, str | None]]:
    return [(p.path, p.line, p.col, p.code, p.message, p.hint) for p in result.report]


def test_a_bad_row_is_reported_and_nothing_is_written(kb: Path) -> None:
    csv = _csv(kb, "label,ce\nA,1,5\n")
    before = tree_digest(kb.parent)
    result = import_table(csv, "d", kb)
    assert not result.written and result.report.errors
    assert {p.path for p in result.report} == {"rows.csv"}
    assert result.records == []
    assert tree_digest(kb.parent) == before


def test_a_row_the_validator_refuses_is_reported_at_its_csv_line(kb: Path) -> None:
    write_entry(kb, "properties/coulombic-efficiency", minimal("property", "Coulombic efficiency", unit="%"))
    csv = _csv(kb, "label,ce\nA,98\nB,500\n")
    before = tree_digest(kb.parent)
    result = import_table(csv, "d", kb)
    assert not result.written
    assert tree_digest(kb.parent) == before
    assert [(p.line, p.col, p.severity) for p in result.report] == [(3, 1, Severity.ERROR)]
    (problem,) = result.report
    assert problem.path.endswith("rows.csv")
    assert problem.message.endswith(" (the dataset with this row would not validate)")


def test_an_error_of_the_whole_dataset_is_reported_at_line_1_and_old_errors_left_out(kb: Path) -> None:
    report = Report()
    path = kb / "datasets" / "d.yaml"
    text = _HEAD.replace("name: A dataset\n", "") + "  - label: old\n    ce: 99.0\n"
    imp._validate_result(kb, path, text, {}, "rows.csv", report)
    found = [(p.path, p.line, p.col, p.severity) for p in report]
    assert found and all(item == ("rows.csv", 1, 1, Severity.ERROR) for item in found)
    assert all(p.message.endswith(" once these rows are added") for p in report)
    again = Report()
    imp._validate_result(kb, path, path.read_text(encoding="utf-8"), {}, "rows.csv", again)
    assert list(again) == []


def test_a_dataset_text_that_does_not_read_is_reported_as_read(kb: Path) -> None:
    report = Report()
    imp._validate_result(kb, kb / "datasets" / "d.yaml", "name: [\n", {}, "rows.csv", report)
    assert [p.code for p in report] and all(p.path.endswith("d.yaml") for p in report)


_MISSING: list[tuple[str, str, str]] = [
    ("not-a-slug", "D x", "'D x' is not a valid id"),
    (
        "no-such-dataset",
        "nope",
        "there is no dataset 'nope' ({kb}/datasets/nope.yaml); create it with `limkb new dataset nope`",
    ),
]


@pytest.mark.parametrize(
    ("dataset", "message"), [row[1:] for row in _MISSING], ids=[row[0] for row in _MISSING]
)
def test_a_dataset_that_is_not_there_is_refused(kb: Path, dataset: str, message: str) -> None:
    with pytest.raises(LimkbError) as caught:
        import_table(_csv(kb, "label\nA\n"), dataset, kb)
    assert str(caught.value) == message.format(kb=kb)


def test_a_csv_that_is_not_there_is_refused(kb: Path) -> None:
    with pytest.raises(LimkbError) as caught:
        import_table(kb / "none.csv", "d", kb)
    assert str(caught.value) == f"{kb / 'none.csv'}: no such file"


_BAD_DATASETS: list[tuple[str, str, str]] = [
    ("unreadable", "name: [\n", "{path} cannot be read ({path}:2:1: error[yaml-syntax]: "),
    ("no-columns", "name: d\n", "{path} declares no `columns:`; declare them before importing rows"),
    (
        "empty-columns",
        "name: d\ncolumns: []\n",
        "{path} declares no `columns:`; declare them before importing rows",
    ),
    (
        "a-bad-column",
        "name: d\ncolumns:\n  - name: ce\n    type: colour\n",
        "{path}: column {{'name': 'ce', 'type': 'colour'}} is not valid (",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [row[1:] for row in _BAD_DATASETS], ids=[row[0] for row in _BAD_DATASETS]
)
def test_a_dataset_whose_columns_cannot_be_read_is_refused(kb: Path, text: str, message: str) -> None:
    path = write_entry(kb, "datasets/d", text)
    with pytest.raises(LimkbError) as caught:
        import_table(_csv(kb, "label\nA\n"), "d", kb)
    assert str(caught.value).startswith(message.format(path=path))
    if "column {" in message:
        assert str(caught.value).endswith(f"); run `limkb validate {path}` and fix the columns first")


def test_a_comment_rewriting_would_lose_refuses_the_import(kb: Path) -> None:
    path = kb / "datasets" / "d.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: A dataset", "name: A dataset  # kept?"),
        encoding="utf-8",
    )
    csv = _csv(kb, "label,ce\nA,98\n")
    before = tree_digest(kb.parent)
    result = import_table(csv, "d", kb)
    assert not result.written and tree_digest(kb.parent) == before
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in result.report] == [
        (
            1,
            18,
            "misplaced-comment",
            "the dataset file has a comment at the end of a line, which rewriting would lose",
            "move it onto its own line above a top-level field, then import again",
        )
    ]
    (problem,) = result.report
    assert problem.path.endswith("d.yaml") and problem.severity is Severity.ERROR


def test_comments_on_their_own_line_are_kept(kb: Path) -> None:
    path = kb / "datasets" / "d.yaml"
    path.write_text("\ufeff# measured at 25 °C\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = import_table(_csv(kb, "label,ce\nA,98\n"), "d", kb)
    assert result.written
    assert "# measured at 25 °C\n" in path.read_text(encoding="utf-8")


def test_rows_over_the_size_of_an_entry_are_refused_before_rendering(kb: Path) -> None:
    rows = "".join(f"row-{i},{'x' * 400}\n" for i in range(2700))
    csv = _csv(kb, "label,salt\n" + rows)
    before = tree_digest(kb.parent)
    result = import_table(csv, "d", kb)
    assert not result.written and tree_digest(kb.parent) == before
    (problem,) = result.report
    assert (problem.path, problem.line, problem.col, problem.code) == ("rows.csv", 1, 1, "file-too-large")
    assert problem.message.startswith("with these rows the dataset would be at least 1,")


def test_a_rendered_dataset_over_the_size_of_an_entry_is_refused(kb: Path) -> None:
    report = Report()
    path = kb / "datasets" / "d.yaml"
    records = [{"label": "r0", "salt": "x" * 400}, {"label": "r1", "salt": "é" * 600_000}]
    assert imp._size_floor(records) <= MAX_BYTES  # the floor counts characters, the limit bytes
    assert imp._rendered(path, {"name": "d"}, records, "rows.csv", report) is None
    (problem,) = report
    assert (problem.path, problem.code) == ("rows.csv", "file-too-large")
    assert problem.message.startswith("with these rows the dataset would be 1,")
    small = imp._rendered(path, {"name": "d"}, [{"label": "r0", "salt": "LiFSI"}], "rows.csv", Report())
    assert small == (
        "# yaml-language-server: $schema=../../schema/dataset.schema.json\n"
        "name: d\nrecords:\n  - label: r0\n    salt: LiFSI\n"
    )


def _records_of_size(path: Path, size: int) -> list[dict[str, str]]:
    """Records whose dataset text, rendered as :func:`imp._rendered` does, is ``size`` bytes."""
    comments = imp.read_comments(path.read_text(encoding="utf-8"))

    def measured(records: list[dict[str, str]]) -> int:
        return len(imp.render({"name": "d", "records": records}, "dataset", comments=comments).encode())

    records = [{"label": "r", "salt": "x" * 1000}]  # one folded line: no blank to break at
    records[0]["salt"] += "x" * (size - measured(records))
    assert measured(records) == size
    return records


def test_a_rendered_dataset_of_exactly_the_limit_is_kept(kb: Path) -> None:
    """The limit is inclusive: a dataset text of 1,048,576 bytes is kept, one byte more refused."""
    path = kb / "datasets" / "d.yaml"
    records = _records_of_size(path, MAX_BYTES)
    text = imp._rendered(path, {"name": "d"}, records, "rows.csv", Report())
    assert text is not None and len(text.encode()) == MAX_BYTES
    records[-1]["salt"] += "x"
    report = Report()
    assert imp._rendered(path, {"name": "d"}, records, "rows.csv", report) is None
    assert [p.message for p in report] == [
        "with these rows the dataset would be 1,048,577 bytes, more than the 1,048,576 an entry may hold"
    ]


def test_errors_the_dataset_already_had_are_left_out_and_new_ones_kept(tmp_path: Path) -> None:
    """A stored record already impossible is not the import's doing: a good row is written beside
    it, a bad row still refused at its line. Every entry file is read, whatever sorts before it
    (a README) or after the dataset (the strategy a row names)."""
    kb = write_kb(
        tmp_path,
        {
            "properties/coulombic-efficiency": minimal("property", "Coulombic efficiency", unit="%"),
            "strategies/s": minimal("strategy"),
            "datasets/d": minimal(
                "dataset",
                columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}],
                records=[{"label": "old", "ce": 600}],
            ),
        },
    )
    (kb / "README.md").write_text("# the KB\n", encoding="utf-8")
    csv = _csv(kb, "label,ce,strategies\nA,98,s\nB,500,\n")
    before = tree_digest(kb.parent)
    refused = import_table(csv, "d", kb)
    assert not refused.written and tree_digest(kb.parent) == before
    assert [(p.line, p.col, p.code, p.message, p.hint) for p in refused.report] == [
        (
            3,
            1,
            "out-of-range",
            "ce = 500 % for 'B' is impossible: values in % are 0 to 100 (the dataset with this row would not validate)",
            "check the value and the column's unit (percentages are 0-100)",
        )
    ]
    good = import_table(_csv(kb, "label,ce,strategies\nA,98,s\n"), "d", kb)
    assert (good.written, list(good.report)) == (True, [])
    unknown = import_table(_csv(kb, "label,ce,strategies\nC,97,zz\n"), "d", kb)
    assert [(p.line, p.code, p.message, p.hint) for p in unknown.report] == [
        (
            2,
            "unknown-ref",
            "'zz' is not an entry (the dataset with this row would not validate)",
            "create it with `limkb new strategy zz`, or fix the id",
        )
    ]


def test_a_row_with_a_stored_label_is_refused_without_replace(kb: Path) -> None:
    """Importing a record again doubles nothing: without --replace the row is refused."""
    csv = _csv(kb, "label,ce\nold,97\n")
    before = tree_digest(kb.parent)
    result = import_table(csv, "d", kb)
    assert not result.written and tree_digest(kb.parent) == before
    assert [(p.path, p.line, p.code) for p in result.report] == [("rows.csv", 2, "duplicate-record")]


def test_a_workbook_is_refused_under_the_name_it_is_shown_by(kb: Path) -> None:
    path = kb.parent / "rows.csv"
    path.write_bytes(b"PK\x03\x04xl/")
    with pytest.raises(LimkbError) as caught:
        import_table(path, "d", kb)
    assert str(caught.value).startswith("rows.csv is an xlsx file by its content")


def test_replace_finds_records_by_their_source_and_counts_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A record citing the dataset's own source is the row without one; a record citing another
    reference is the row with that `ref`; both are replaced in place and counted, and the log says so."""
    kb = write_kb(
        tmp_path,
        {
            "properties/coulombic-efficiency": minimal("property", "Coulombic efficiency", unit="%"),
            "references/other2021": {"title": "Other", "authors": ["Doe, J."], "journal": "J", "year": 2021},
            "datasets/d": minimal(
                "dataset",
                columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}],
                records=[
                    {"label": "own", "ce": 99, "source": {"ref": REF}},
                    {"label": "cited", "ce": 98, "source": {"ref": "other2021", "locator": "Fig. 1"}},
                ],
            ),
        },
    )
    csv = _csv(kb, "label,ref,ce\nown,,90\ncited,other2021,91\nnew,other2021,92\n")
    with caplog.at_level("INFO", logger="limkb.commands.import_table"):
        result = import_table(csv, "d", kb, replace=True)
    assert (result.written, result.replaced, len(result.records)) == (True, 2, 3)
    path = kb / "datasets" / "d.yaml"
    assert caplog.messages == [f"wrote 3 records to {path} (2 replaced)"]
    assert path.read_text(encoding="utf-8").split("records:\n")[1] == (
        "  - label: own\n    source:\n      ref: smith2020test\n    ce: 90\n"
        "  - label: cited\n    source:\n      ref: other2021\n      locator: Fig. 1\n    ce: 91\n"
        "  - label: new\n    source:\n      ref: other2021\n    ce: 92\n"
    )


def test_rows_whose_size_floor_is_exactly_the_limit_are_rendered_and_measured(kb: Path) -> None:
    """The floor refuses only what is surely over the limit: at exactly 1,048,576 it renders the
    text and refuses it by its real size (not "at least")."""
    count = 2100
    room = MAX_BYTES - count * (2 + (5 + 6 + 3 + 5) + (4 + 6 + 3))  # the floor of the keys and labels
    sizes = [room // count + (1 if i < room % count else 0) for i in range(count)]
    rows = "".join(f"r{i:04},{'x' * size}\n" for i, size in enumerate(sizes))
    records = [{"label": f"r{i:04}", "salt": "x" * size} for i, size in enumerate(sizes)]
    assert imp._size_floor(records) == MAX_BYTES
    result = import_table(_csv(kb, "label,salt\n" + rows), "d", kb)
    (problem,) = result.report
    assert (problem.path, problem.code) == ("rows.csv", "file-too-large")
    assert problem.message.startswith("with these rows the dataset would be 1,")


def test_the_command_tells_the_contributor_what_was_written_or_why_not(kb: Path) -> None:
    """`limkb import-table` prints the count appended and replaced, or every problem and that
    nothing was written (exit 1); --map takes HEADER=COLUMN pairs."""
    from click.testing import CliRunner

    from limkb.cli import cli

    _csv(kb, "label,Efficiency\nA,98\nold,97\n")
    done = CliRunner().invoke(
        cli,
        [
            "import-table",
            "rows.csv",
            "--dataset",
            "d",
            "--kb",
            str(kb),
            "--replace",
            "--map",
            "Efficiency=ce",
        ],
    )
    assert (done.exit_code, done.output) == (
        0,
        f"appended 1 records, replaced 1 to {kb / 'datasets' / 'd.yaml'}\n",
    )
    _csv(kb, "label,ce\nB,x\n")
    before = tree_digest(kb.parent)
    refused = CliRunner().invoke(cli, ["import-table", "rows.csv", "--dataset", "d", "--kb", str(kb)])
    assert refused.exit_code == 1 and tree_digest(kb.parent) == before
    assert refused.output.startswith("rows.csv:2:2: error[bad-cell]: ce = 'x' is not a number\n")
    assert refused.output.endswith("failed: 1 error, 0 warnings; nothing was written\n")
