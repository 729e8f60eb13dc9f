"""The validator: every rule has a fixture that breaks it and the exact located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.check.validate import validate_kb
from limkb.report import CODES, Severity


def problems(kb: Path, *, warnings: bool = False) -> list[str]:
    report = validate_kb(kb).report
    return [
        f"{Path(p.path).resolve().relative_to(kb.resolve()).as_posix()}:{p.line}:{p.col}:{p.code}"
        for p in report
        if warnings or p.severity is Severity.ERROR
    ]


def test_a_clean_kb_has_no_problems(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "strategies/parent": minimal("strategy"),
            "strategies/child": minimal(
                "strategy", subtype_of="parent", uses=[{"id": "fec", "sources": SOURCE}]
            ),
            "materials/fec": minimal("material", formula="C3H3FO3"),
        },
    )
    result = validate_kb(kb)
    assert not result.report.problems
    assert set(result.entries) == {"parent", "child", "fec", REF}
    assert result.entries["child"].uses[0].id == "fec"


# Twenty problems of different kinds planted in one KB; each line says where it must be found.
PLANTED = {
    "strategies/fec-additive": """\
name: FEC additive
family: electrolyte-engineering
interface: li-electrolyte
subtype_of: additives
uses: [fec, lif2]
colour: red
works_via: [thickness]
sources:
  - {ref: smith2020test, locator: Fig. 1}
  - {ref: smith2020tset, locator: Fig. 2}
""",
    "strategies/additives": """\
name: Additives
family: artificial-sei
interface: li-electrolyte
subtype_of: additives-b
sources: [{ref: smith2020test, locator: x}]
""",
    "strategies/additives-b": """\
name: Additives b
family: artificial-sei
interface: li-electrolyte
subtype_of: additives
made_by: [additives-b]
sources: [{ref: smith2020test, locator: x}]
""",
    "materials/fec": """\
name: 3
roles: [additiv]
formula: FEC
""",
    "properties/ce": """\
name: Coulombic efficiency
unit: "%%"
scope: cell
desired: higher
minimum: .nan
sources: [{ref: smith2020test, locator: x}]
""",
    "properties/thickness": """\
name: Thickness
unit: nm
scope: sei
desired: lower
minimum: 0
sources: [{ref: smith2020test, locator: x}]
""",
    "datasets/t2": """\
name: T2
columns:
  - {name: thick, property: thickness, unit: nm}
  - {name: ce, property: thickness, unit: "%"}
records:
  - {label: r1, thick: -3}
  - {label: r2, thick: "12"}
  - {label: r3, thik: 4}
sources: [{ref: smith2020test, locator: x}]
""",
    "analyses/a1": """\
name: A1
x: thickness / porosity
y: thickness
sources: [{ref: smith2020test, locator: x}]
""",
    "references/smith2021dup": """\
title: Duplicate
authors: ["Smith, A."]
year: 2021
doi: 10.1000/TEST.2020
""",
    "references/Bad_Name": """\
title: Bad
authors: ["Smith, A."]
year: 2021
""",
    "questions/q1": """\
name: Q1
text: Why?
status: open
theme: mechanism
about: [fec-additive]
answerable_by: [thickness]
sources: [{ref: smith2020test, locator: x}]
id: q1
""",
    "mechanisms/m1": """\
name: M1
sources: []
""",
    "techniques/t1": """\
name: T1
category: spectroscopy
name: T2
""",
    "failure-modes/f1": """\
name: F1
sources: [{ref: smith2020test, locator: x}]
""",
}

EXPECTED = [
    "analyses/a1.yaml:2:4:ambiguous-variable",  # two columns of t2 hold thickness
    "analyses/a1.yaml:2:16:missing-variable",  # porosity is nothing
    "datasets/t2.yaml:4:43:unit-mismatch",
    "failure-modes/f1.yaml:1:1:missing-field",  # category
    "techniques/t1.yaml:3:1:duplicate-key",  # % cannot be thickness
    "datasets/t2.yaml:6:24:out-of-range",  # negative thickness
    "datasets/t2.yaml:7:24:column-type",  # text in a number column
    "datasets/t2.yaml:8:23:unknown-column",  # thik
    "materials/fec.yaml:1:7:wrong-type",  # name is a number
    "materials/fec.yaml:1:1:missing-sources",
    "materials/fec.yaml:2:9:bad-value",  # additiv
    "mechanisms/m1.yaml:2:10:missing-sources",
    "properties/ce.yaml:2:7:unknown-unit",
    "properties/ce.yaml:5:10:not-finite",
    "questions/q1.yaml:6:17:wrong-kind",  # a property where a technique belongs
    "questions/q1.yaml:8:1:id-in-file",
    "references/Bad_Name.yaml:1:1:bad-filename",
    "references/smith2021dup.yaml:4:6:duplicate-doi",
    "strategies/additives-b.yaml:5:11:self-link",
    "strategies/additives-b.yaml:4:13:cycle",
    "strategies/fec-additive.yaml:2:9:family-mismatch",
    "strategies/fec-additive.yaml:5:13:unknown-ref",  # lif2
    "strategies/fec-additive.yaml:6:1:unknown-field",
    "strategies/fec-additive.yaml:7:13:wrong-kind",  # a property where a mechanism belongs
    "strategies/fec-additive.yaml:10:11:unknown-ref",  # smith2020tset
]


def test_twenty_planted_problems_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, PLANTED)
    found = problems(kb)
    assert sorted(found) == sorted(EXPECTED)
    assert len({f.rsplit(":", 1)[1] for f in found}) >= 20


def test_messages_name_the_cure(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, PLANTED)
    text = validate_kb(kb).report.format()
    assert "'lif2' is not an entry" in text
    assert "unknown field 'colour'" in text
    assert "source 'smith2020tset' is not a reference entry; did you mean 'smith2020test'?" in text
    assert "'additiv' is not allowed; did you mean 'additive'?" in text
    assert "record 'r3' has a value for 'thik', which is not a column; did you mean 'thick'?" in text
    assert "`subtype_of` goes round in a circle: additives-b -> additives -> additives-b" in text
    for problem in validate_kb(kb).report:
        assert problem.hint, problem
        assert problem.code in CODES


@pytest.mark.parametrize(
    ("value", "message"),
    [("no", "the text 'no'"), ("2024-01-01", "the text '2024-01-01'"), ("1e3", "the number 1000.0")],
)
def test_yaml_1_1_surprises_in_number_fields_are_errors(tmp_path: Path, value: str, message: str) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/p": f"name: P\nunit: nm\nscope: sei\ndesired: lower\nminimum: {value}\n"
            "sources: [{ref: smith2020test, locator: x}]\n"
        },
    )
    report = validate_kb(kb).report
    if value == "1e3":
        assert not report.errors  # 1e3 is a YAML 1.2 float, a fine minimum
        return
    (problem,) = report.errors
    assert (problem.code, problem.line) == ("wrong-type", 5)
    assert message in problem.message


@pytest.mark.parametrize("value", ["no", "on", "0o17", "2024-01-01"])
def test_yaml_1_1_surprises_in_text_fields_stay_literal_text(tmp_path: Path, value: str) -> None:
    kb = write_kb(
        tmp_path, {"materials/m": f"name: {value}\nroles: [salt]\nsources: [{{ref: {REF}, locator: x}}]\n"}
    )
    result = validate_kb(kb)
    assert not result.report.problems
    assert result.entries["m"].name == value


def test_a_number_in_a_text_field_is_an_error_with_a_quoting_hint(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {"references/smith2021test": 'title: Test\nauthors: ["Smith, A."]\nyear: 2021\nvolume: 1e3\n'},
    )
    (problem,) = validate_kb(kb).report.errors
    assert (problem.code, problem.line, problem.col) == ("wrong-type", 4, 9)
    assert "double quotes" in problem.hint


def test_the_same_id_in_two_folders(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"materials/lif": minimal("material"), "species/lif": minimal("species")})
    assert problems(kb) == ["species/lif.yaml:1:1:duplicate-id"]


def test_files_outside_kind_folders_and_non_yaml_files(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"strategy/x": minimal("strategy")})
    (kb / "materials").mkdir()
    (kb / "materials" / "fec.yml").write_text("name: x\n")
    assert problems(kb) == ["materials/fec.yml:1:1:bad-filename", "strategy/x.yaml:1:1:unknown-folder"]
    assert "move it to kb/strategies/" in validate_kb(kb).report.format()


def test_composition_that_cannot_be(tmp_path: Path) -> None:
    cols = [{"name": n, "property": "pct", "unit": "%"} for n in ("f", "c", "o")]
    kb = write_kb(
        tmp_path,
        {
            "properties/pct": minimal("property", minimum=0, maximum=100),
            "datasets/d": minimal(
                "dataset",
                columns=cols,
                composition=[["f", "c", "o"]],
                records=[
                    {"label": "ok", "f": 10, "c": 20, "o": 70.2},
                    {"label": "bad", "f": 50, "c": 40, "o": 30},
                ],
            ),
        },
    )
    assert [p.split(":")[-1] for p in problems(kb)] == ["composition-sum"]


def test_ce_of_150_percent_is_out_of_range(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/ce": minimal("property", minimum=0, maximum=100),
            "datasets/d": minimal(
                "dataset",
                columns=[{"name": "ce", "property": "ce", "unit": "%"}],
                records=[{"label": "r", "ce": 150}],
            ),
        },
    )
    (problem,) = validate_kb(kb).report.errors
    assert problem.code == "out-of-range"
    assert "ce = 150 % for 'r' is outside 'ce''s range 0-100 %" in problem.message


def test_units_convert_before_range_checks(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/t": minimal("property", unit="nm", minimum=0, maximum=100),
            "datasets/d": minimal(
                "dataset",
                columns=[{"name": "t", "property": "t", "unit": "µm"}],
                records=[{"label": "thin", "t": 0.05}, {"label": "thick", "t": 0.5}],
            ),
        },
    )
    assert [(p.code, p.line) for p in validate_kb(kb).report.errors] == [
        ("out-of-range", validate_kb(kb).report.errors[0].line)
    ]
    assert "thick" in validate_kb(kb).report.errors[0].message


def test_numeric_columns_need_units(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"datasets/d": minimal("dataset", columns=[{"name": "ce"}])})
    (problem,) = validate_kb(kb).report.errors
    assert problem.code == "bad-value"
    assert "numeric column 'ce' needs a unit" in problem.message


def test_analysis_over_a_property_no_dataset_holds(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "properties/a": minimal("property"),
            "properties/b": minimal("property"),
            "datasets/d": minimal("dataset", columns=[{"name": "a", "property": "a", "unit": "%"}]),
            "analyses/an": minimal("analysis", x="a", y="b"),
        },
    )
    assert problems(kb) == ["analyses/an.yaml:3:4:missing-variable"]


def test_missing_locator_and_reference_id_convention_are_warnings(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/m": minimal("material", sources=[REF]),
            "references/foo": {"title": "A title", "authors": ["Smith, A."], "year": 2020},
        },
    )
    report = validate_kb(kb).report
    assert not report.errors
    assert sorted(p.code for p in report.warnings) == ["missing-locator", "ref-id-convention"]
    assert report.ok() and not report.ok(strict=True)
    assert "rename the file to smith2020title.yaml" in report.format()


def test_links_to_an_entry_with_schema_errors_are_not_reported_as_dangling(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/fec": {"name": "FEC", "roles": ["nope"], "sources": SOURCE},
            "strategies/s": minimal("strategy", uses=["fec"]),
        },
    )
    assert [p.split(":")[-1] for p in problems(kb)] == ["bad-value"]


@pytest.mark.parametrize(
    ("source", "target"), [("at%", "wt%"), ("wt%", "vol%"), ("mol%", "at%"), ("%", "wt%"), ("at%", "%")]
)
def test_percentages_of_different_bases_never_convert(source: str, target: str) -> None:
    from limkb.schema.units import UnitError, convert

    with pytest.raises(UnitError, match="percent"):
        convert(50, source, target)
    assert convert(50, source, source) == 50


def test_every_percentage_lies_within_0_and_100() -> None:
    from limkb.schema.fields import unit_bounds

    for unit in ("%", "at%", "wt%", "vol%", "mol%"):
        assert unit_bounds(unit) == (0.0, 100.0), unit


def test_a_lookalike_letter_in_an_id_is_named(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "strategies/parent": minimal("strategy"),
            "strategies/child": minimal("strategy", subtype_of="par\u0435nt"),
            "properties/sei-thickness": minimal("property", "SEI thickness", unit="nm"),
            "analyses/a": minimal("analysis", "A", x="s\u0435i-thickness", y="sei-thickness"),
        },
    )
    report = validate_kb(kb).report
    messages = {Path(p.path).stem: p for p in report.errors}
    assert "U+0435 CYRILLIC SMALL LETTER IE at column 4, which looks like 'e'" in messages["child"].message
    assert "U+0435 CYRILLIC SMALL LETTER IE at column 2, which looks like 'e'" in messages["a"].message
    assert (messages["a"].code, messages["a"].col) == ("bad-expression", 5)
    assert not any("is not an entry" in p.message for p in report.errors)
