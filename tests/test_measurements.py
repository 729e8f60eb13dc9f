"""Measurements as the literature records them: formulations, descriptors, expressions, analyses.

The formulation grammar is checked on every example the docs give; descriptors against hand
counts and against fractions Kim et al. (PNAS 2023) published for their electrolytes; the
expression grammar against numpy on random expressions; analyses for where/by, caveats,
ambiguity and located errors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbfactory import SOURCE, minimal, write_kb
from limkb.analysis import expressions as ex
from limkb.analysis.correlations import compute
from limkb.analysis.descriptors import DescriptorError, MaterialData, atoms, compute_descriptors, molar_mass
from limkb.analysis.formulations import Amount, FormulationError, MaterialIndex, Role, parse, resolve
from limkb.check.validate import validate_kb
from limkb.cli import cli

ROOT = Path(__file__).resolve().parent.parent

MATERIALS = {
    "lifsi": ("LiFSI", "LiN(SO2F)2", ["salt"], None),
    "lipf6": ("LiPF6", "LiPF6", ["salt"], None),
    "dme": ("DME", "C4H10O2", ["solvent"], 0.868),
    "tte": ("TTE", "C5H4F8O", ["diluent"], 1.5323),
    "ec": ("EC", "C3H4O3", ["solvent"], 1.32),
    "dmc": ("DMC", "C3H6O3", ["solvent"], 1.07),
    "vc": ("VC", "C3H2O3", ["additive"], 1.35),
}
INDEX = MaterialIndex.of((i, [abbr, formula], roles) for i, (abbr, formula, roles, _) in MATERIALS.items())
DATA = {i: MaterialData(f, d, "salt" in r) for i, (_, f, r, d) in MATERIALS.items()}


def descriptors_of(
    text: str, index: MaterialIndex = INDEX, data: dict[str, MaterialData] = DATA
) -> dict[str, float]:
    formulation, errors = resolve(parse(text), index)
    assert not errors, errors
    return compute_descriptors(formulation, data)


# --- formulations -------------------------------------------------------------------------


def test_the_five_shorthands_of_the_issue_parse_into_components() -> None:
    f = parse("1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC")
    assert [(c.name, c.role, c.amount, c.unit) for c in f.components] == [
        ("LiPF6", Role.SALT, 1.0, Amount.MOLAR),
        ("EC", Role.SOLVENT, 1.0, Amount.RATIO_VOL),
        ("DMC", Role.SOLVENT, 1.0, Amount.RATIO_VOL),
        ("VC", Role.ADDITIVE, 2.0, Amount.WT_PERCENT),
    ]
    f = parse("1 M LiTFSI in DOL/DME (1:1 vol) + 2 wt% LiNO3")
    assert [c.name for c in f.components] == ["LiTFSI", "DOL", "DME", "LiNO3"]
    assert parse("4 M LiFSI in DME").components[1].unit is Amount.RATIO_VOL
    ratio = parse("LiFSI-1.2DME-3TTE").components
    assert [(c.name, c.amount, c.unit) for c in ratio] == [
        ("LiFSI", 1.0, Amount.RATIO_MOL),
        ("DME", 1.2, Amount.RATIO_MOL),
        ("TTE", 3.0, Amount.RATIO_MOL),
    ]
    two_salts = parse("0.6 M LiTFSI + 0.4 M LiBOB in EC:EMC (3:7 w/w)").components
    assert [(c.name, c.role, c.amount, c.unit) for c in two_salts] == [
        ("LiTFSI", Role.SALT, 0.6, Amount.MOLAR),
        ("LiBOB", Role.SALT, 0.4, Amount.MOLAR),
        ("EC", Role.SOLVENT, 3.0, Amount.RATIO_WT),
        ("EMC", Role.SOLVENT, 7.0, Amount.RATIO_WT),
    ]


def _documented_formulations() -> list[str]:
    """Every formulation CONTRIBUTING.md shows in a `descriptors` call or an `electrolyte:` line."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    found = re.findall(r'limkb descriptors "([^"]+)"', text)
    found += re.findall(r'electrolyte: "([^"]+)"', text)
    return sorted(set(found))


def test_contributing_documents_formulations_and_every_example_parses_and_resolves() -> None:
    from limkb.access import load
    from limkb.analysis.inputs import Inputs

    examples = _documented_formulations()
    assert len(examples) >= 6, examples
    inputs = Inputs(load(ROOT / "kb"))
    for text in examples:
        formulation, errors = resolve(parse(text), inputs.index)
        assert not errors, (text, [e.message for e in errors])
        compute_descriptors(formulation, inputs.material_data)


@pytest.mark.parametrize(
    ("text", "message", "at"),
    [
        ("1 M LiPF6 in EC:DMC", "have no ratio", "EC:DMC"),
        ("1 M LiPF6 in EC:DMC (1:1:1 v/v)", "2 solvents but a ratio of 3 numbers", "(1:1:1 v/v)"),
        ("1 M LiPF6 in EC + VC", "has no amount", "VC"),
        ("2 wt% VC in EC", "a salt's amount is a concentration", "2 wt% VC"),
        ("1 M LiPF6 in EC:DMC (1:1 v/v) : x", "expected '+' and an additive", ": x"),
        ("", "empty", ""),
    ],
)
def test_formulation_mistakes_are_located_in_the_text(text: str, message: str, at: str) -> None:
    with pytest.raises(FormulationError) as caught:
        parse(text)
    assert message in caught.value.message
    assert text[caught.value.start : caught.value.end] == at
    assert caught.value.hint


def test_unknown_names_get_close_matches_and_diluents_their_role() -> None:
    formulation, errors = resolve(parse("1 M LiFSI in DMEE:TTE (1:3 mol)"), INDEX)
    assert len(errors) == 1 and "'DMEE' is not a material; did you mean 'DME'" in errors[0].message
    assert "1 M LiFSI in DMEE:TTE"[errors[0].start : errors[0].end] == "DMEE"
    roles = {c.material: c.role for c in formulation.components if c.material}
    assert roles == {"lifsi": Role.SALT, "tte": Role.DILUENT}
    # subscripts, case and hyphens do not matter
    formulation, errors = resolve(parse("1 M lifsi in c₄h₁₀o₂"), INDEX)
    assert not errors and formulation.components[1].material == "dme"


# --- descriptors --------------------------------------------------------------------------


def test_worked_example_lifsi_1dme_3tte_by_hand() -> None:
    # LiFSI: Li N S2 O4 F2 = 10 atoms; DME C4H10O2 = 16; TTE C5H4F8O = 18, three of them: 80 in all
    assert (
        sum(atoms("LiN(SO2F)2").values())
        + sum(atoms("C4H10O2").values())
        + 3 * sum(atoms("C5H4F8O").values())
        == 80
    )
    d = descriptors_of("LiFSI-1DME-3TTE")
    assert d["frac_f"] == pytest.approx(26 / 80)  # 2 from FSI, 24 from TTE
    assert d["frac_o_solvent"] == pytest.approx(5 / 80)  # 2 from DME, 3 from TTE
    assert d["frac_f_anion"] == pytest.approx(2 / 80)
    assert d["frac_f_solvent"] == pytest.approx(24 / 80)
    assert d["frac_o_anion"] == pytest.approx(4 / 80)
    assert d["ratio_f_c"] == pytest.approx(26 / 19)  # C: 4 + 15


def test_molar_masses_and_formulas() -> None:
    assert molar_mass("C4H10O2") == pytest.approx(90.12, abs=0.01)
    assert molar_mass("LiN(SO2F)2") == pytest.approx(187.07, abs=0.02)
    assert atoms("Li[B(C2O4)2]") == {"Li": 1, "B": 1, "C": 4, "O": 8}
    assert atoms("(C2H4O)n") == {"C": 2, "H": 4, "O": 1}  # one repeat unit
    with pytest.raises(DescriptorError, match="not an element"):
        atoms("Xq2")


def test_a_molarity_needs_densities_and_the_error_names_the_material() -> None:
    data = {**DATA, "dme": MaterialData("C4H10O2", None)}
    with pytest.raises(DescriptorError) as caught:
        descriptors_of("4 M LiFSI in DME", data=data)
    assert caught.value.material == "dme" and "density" in caught.value.message
    assert "kb/materials/dme.yaml" in caught.value.hint
    descriptors_of("LiFSI-1.2DME", data=data)  # a molar ratio needs none


def test_a_molarity_is_moles_per_litre_of_solvent_by_hand() -> None:
    d = descriptors_of("4 M LiFSI in DME")
    dme = 868 / molar_mass("C4H10O2")  # mol of DME in a litre
    total = 4 * 10 + dme * 16
    assert d["frac_f"] == pytest.approx(4 * 2 / total)
    assert d["frac_o_solvent"] == pytest.approx(dme * 2 / total)


# Published atomic fractions (F, O, C) of electrolytes in Kim et al., PNAS 2023, Dataset S01,
# with their formulations written in limkb's shorthand; computed from the KB's own materials.
KIM_2023 = [
    ("1 M LiClO4 in PC + 5 vol% FEC", 0.0041378, 0.2494212, 0.2962301),
    ("3.57 M LiTFSI in DME", 0.101408, 0.158802, 0.216197),
    ("3.2 M LiFSI in TEP", 0.034591, 0.196420, 0.190855),
    ("7 M LiFSI in FEC", 0.133800, 0.333800, 0.198599),
    ("1 M LiFSI in DOL:DME (1:1 v/v)", 0.012066, 0.168568, 0.245708),
    ("1.2 M LiFSI in TEP:BTFE (1:3 mol)", 0.248901, 0.124608, 0.231637),
    ("LiFSI-1.2DME-3BTFE", 0.269541, 0.126684, 0.226415),
    ("LiFSI-1.2DME-3TFEO", 0.270522, 0.143656, 0.240671),
]


@pytest.mark.parametrize(("text", "f", "o", "c"), KIM_2023)
def test_descriptors_reproduce_kim_2023(real_kb: Any, text: str, f: float, o: float, c: float) -> None:
    from limkb.analysis.inputs import Inputs

    inputs = Inputs(real_kb)
    formulation, errors = resolve(parse(text), inputs.index)
    assert not errors
    d = compute_descriptors(formulation, inputs.material_data)
    assert (d["frac_f"], d["frac_o"], d["frac_c"]) == pytest.approx((f, o, c), abs=3e-6)


def test_cli_descriptors_prints_the_worked_example_and_locates_mistakes() -> None:
    done = CliRunner().invoke(cli, ["descriptors", "LiFSI-1DME-3TTE", "--json", "--kb", str(ROOT / "kb")])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["descriptors"]["frac_f"] == pytest.approx(0.325)
    assert data["descriptors"]["frac_o_solvent"] == pytest.approx(0.0625)
    assert data["descriptors"]["frac_f_anion"] == pytest.approx(0.025)
    assert [c["role"] for c in data["components"]] == ["salt", "solvent", "diluent"]
    bad = CliRunner().invoke(cli, ["descriptors", "1 M LiPF6 in EC:DMCC (1:1 v/v)", "--kb", str(ROOT / "kb")])
    assert bad.exit_code == 1
    assert "'DMCC' is not a material; did you mean 'DMC'" in bad.stderr
    assert "\n  " + " " * len("1 M LiPF6 in EC:") + "^^^^\n" in bad.stderr  # under DMCC
    assert "Traceback" not in bad.output


# --- expressions --------------------------------------------------------------------------

NAMES = ("a", "b", "c")


def _tree(draw: Any, depth: int) -> tuple[str, Any]:
    """A random expression: its text and a numpy function computing it."""
    if depth == 0 or (draw(st.booleans()) and depth < 3):
        if draw(st.booleans()):
            number = draw(st.floats(0.1, 9.0).map(lambda v: round(v, 2)))
            return repr(number), lambda v, n=number: np.full_like(v["a"], n)
        name = draw(st.sampled_from(NAMES))
        return name, lambda v, n=name: v[n]
    kind = draw(st.sampled_from(["+", "-", "*", "/", "^", "neg", "log10", "ln", "exp", "paren"]))
    left_text, left = _tree(draw, depth - 1)
    if kind in ("log10", "ln", "exp"):
        fn = {"log10": np.log10, "ln": np.log, "exp": np.exp}[kind]
        return f"{kind}({left_text})", lambda v, f=fn, g=left: f(g(v))
    if kind == "neg":
        return f"-({left_text})", lambda v, g=left: -g(v)
    if kind == "paren":
        return f"({left_text})", left
    right_text, right = _tree(draw, depth - 1)
    ops = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}
    return f"({left_text}) {kind} ({right_text})", lambda v, o=ops[kind], g=left, h=right: o(g(v), h(v))


@st.composite
def expressions(draw: Any) -> tuple[str, Any]:
    return _tree(draw, draw(st.integers(1, 4)))


@settings(max_examples=400, deadline=None)
@given(expressions(), st.lists(st.floats(0.05, 5.0), min_size=3, max_size=3))
def test_expressions_evaluate_as_numpy_does(case: tuple[str, Any], values: list[float]) -> None:
    text, reference = case
    arrays = {n: np.array([v, v * 1.5, v * 0.5]) for n, v in zip(NAMES, values, strict=True)}
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(reference(arrays), (3,))
    try:
        node = ex.parse(text)
    except ex.ExpressionError as error:  # a constant part with no finite value, or a huge exponent
        assert any(w in error.message for w in ("out of range", "too large", "undefined", "division by zero"))
        return
    value, undefined = ex.evaluate_checked(node, arrays)
    got = np.broadcast_to(value, (3,))
    defined = np.isfinite(got)
    np.testing.assert_allclose(got[defined], expected[defined], rtol=1e-12)
    # where it gives no value, numpy's value is no number either, or a power that vanished
    assert np.all(~np.isfinite(expected[~defined]) | (expected[~defined] == 0))
    reported = np.zeros(3, dtype=bool)
    for item in undefined:
        reported |= np.broadcast_to(item.mask, (3,))
    assert np.array_equal(reported, ~defined)  # every record without a value is explained


def test_precedence_and_the_hyphen_rule() -> None:
    values = {"x": np.array([2.0]), "ce": np.array([99.0]), "sei-c": np.array([3.0])}
    assert ex.evaluate(ex.parse("-x^2"), values)[0] == -4
    assert ex.evaluate(ex.parse("2^3^2"), values) == 512
    assert ex.evaluate(ex.parse("-log10(1 - ce / 100)"), values)[0] == pytest.approx(2.0)
    assert [n.name for n in ex.names(ex.parse("sei-c / x"))] == ["sei-c", "x"]
    assert [n.name for n in ex.names(ex.parse("ce-1"))] == ["ce-1"]  # a name: subtraction needs blanks


@pytest.mark.parametrize(
    ("text", "units", "message"),
    [
        ("log10(t)", {"t": "nm"}, "log10() of a quantity"),
        ("t + ce", {"t": "nm", "ce": "%"}, "'+' joins length and a plain number"),
        ("t ^ ce", {"t": "nm", "ce": "%"}, "a quantity with a unit raised to a computed power"),
    ],
)
def test_unit_mistakes(text: str, units: dict[str, str], message: str) -> None:
    with pytest.raises(ex.ExpressionError, match=re.escape(message)):
        ex.check_units(ex.parse(text), units)
    assert ex.check_units(ex.parse("1 - ce / 100"), {"ce": "%"}) == ()


@pytest.mark.parametrize("text", ["__import__('os')", "(" * 60 + "a" + ")" * 60, "a; b", "a[0]"])
def test_expressions_are_parsed_never_run(text: str) -> None:
    with pytest.raises(ex.ExpressionError):
        ex.parse(text)


# --- analyses over a small KB ---------------------------------------------------------------


def _kb(tmp_path: Path, analyses: dict[str, dict[str, Any]], **dataset: Any) -> Path:
    records = [
        {
            "label": f"R{i}",
            "ce": ce,
            "t": t,
            "source": {"ref": ref, "locator": "Table 1"},
            "conditions": {"protocol": protocol, "current_density": "0.5 mA cm-2"},
        }
        for i, (ce, t, ref, protocol) in enumerate(
            [
                (98.0, 10.0, "smith2020test", "modified Aurbach"),
                (99.0, 12.0, "smith2020test", "modified Aurbach"),
                (99.5, 15.0, "jones2021another", "modified Aurbach"),
                (99.8, 18.0, "jones2021another", "average"),
                (97.0, 8.0, "jones2021another", "average"),
                (99.9, 20.0, "smith2020test", "average"),
            ]
        )
    ]
    entries: dict[str, Any] = {
        "references/jones2021another": {"title": "Another test", "authors": ["Jones, B."], "year": 2021},
        "properties/coulombic-efficiency": minimal(
            "property", "Coulombic efficiency", unit="%", symbol="CE", scope="cell", maximum=100
        ),
        "properties/sei-thickness": minimal("property", "SEI thickness", unit="nm", desired="lower"),
        "datasets/ce-t": minimal(
            "dataset",
            "CE and thickness",
            columns=[
                {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                {"name": "t", "property": "sei-thickness", "unit": "nm"},
                *dataset.pop("columns", []),
            ],
            records=records,
            **dataset,
        ),
    }
    for analysis_id, fields in analyses.items():
        entries[f"analyses/{analysis_id}"] = minimal("analysis", analysis_id, **fields)
    return write_kb(tmp_path, entries)


def test_lce_expression_where_by_and_caveats(tmp_path: Path) -> None:
    import limkb

    kb_dir = _kb(
        tmp_path,
        {
            "lce-vs-t": {"x": "t", "y": "-log10(1 - ce / 100)", "y_label": "LCE", "by": "source"},
            "ce-vs-t-aurbach": {"x": "sei-thickness", "y": "ce", "where": {"protocol": "Modified Aurbach"}},
        },
    )
    kb = limkb.load(kb_dir)
    lce = compute(kb, "lce-vs-t")
    assert lce.n == 6 and lce.y_label == "LCE" and lce.y_unit == "1"
    ce = np.array([98.0, 99.0, 99.5, 99.8, 97.0, 99.9])
    assert sorted(p.y for p in lce.points) == pytest.approx(sorted(-np.log10(1 - ce / 100)))
    assert [g.key for g in lce.groups] == ["jones2021another", "smith2020test"]
    assert [g.stats.n for g in lce.groups] == [3, 3]
    assert any(c.startswith("clustering: the 6 records come from 2 studies") for c in lce.caveats)
    aurbach = compute(kb, "ce-vs-t-aurbach")
    assert aurbach.n == 3 and aurbach.x_label == "SEI thickness"
    assert any(c.startswith("ceiling: 2 of 3 CE values") for c in aurbach.caveats)


def test_compositional_closure_is_a_caveat(tmp_path: Path) -> None:
    import limkb

    rows = [
        (10.0, 30.0, 60.0, 98.0),
        (20.0, 30.0, 50.0, 99.0),
        (15.0, 40.0, 45.0, 97.0),
        (5.0, 35.0, 60.0, 96.0),
    ]
    entries: dict[str, Any] = {
        "properties/coulombic-efficiency": minimal("property", "CE", unit="%"),
        "datasets/parts": minimal(
            "dataset",
            "Parts",
            columns=[{"name": n, "unit": "%"} for n in ("f", "c", "o", "ce")],
            composition=[["f", "c", "o"]],
            records=[
                {"label": f"P{i}", "f": f, "c": c, "o": o, "ce": ce} for i, (f, c, o, ce) in enumerate(rows)
            ],
        ),
        "analyses/f-vs-o": minimal("analysis", "F vs O", x="f", y="o"),
    }
    kb = limkb.load(write_kb(tmp_path, entries))
    result = compute(kb, "f-vs-o")
    assert any(
        c.startswith("compositional closure: f + c + o of parts sum to about 100") for c in result.caveats
    )


def test_two_columns_of_one_property_are_ambiguous_and_named(tmp_path: Path) -> None:
    kb_dir = _kb(
        tmp_path,
        {"ce-vs-t": {"x": "sei-thickness", "y": "ce"}},
        columns=[{"name": "t_cryo", "property": "sei-thickness", "unit": "nm"}],
    )
    report = validate_kb(kb_dir).report
    [problem] = [p for p in report.errors if p.code == "ambiguous-variable"]
    assert "ce-t.t" in problem.message and "ce-t.t_cryo" in problem.message
    assert (problem.line, problem.col) == (2, 4)
    # naming the column resolves it
    fixed = _kb(
        tmp_path / "b",
        {"ce-vs-t": {"x": "ce-t.t_cryo", "y": "ce"}},
        columns=[{"name": "t_cryo", "property": "sei-thickness", "unit": "nm"}],
    )
    assert validate_kb(fixed).report.ok(strict=False)


@pytest.mark.parametrize(
    ("x", "code", "col", "says"),
    [
        ("f", "missing-variable", 4, "'f' is not a column, property or descriptor"),
        ("log10(t)", "unit-mismatch", 4, "log10() of a quantity in length"),
        ("t -", "bad-expression", 7, "the expression ends"),
        ("ce-1", "missing-variable", 4, "'ce-1' is not a column"),
    ],
)
def test_analysis_mistakes_are_located_in_x(tmp_path: Path, x: str, code: str, col: int, says: str) -> None:
    kb_dir = _kb(tmp_path, {"bad": {"x": x, "y": "ce"}})
    problems = [p for p in validate_kb(kb_dir).report.errors if p.path.endswith("bad.yaml")]
    assert [(p.code, p.line, p.col) for p in problems] == [(code, 2, col)], [p.message for p in problems]
    assert says in problems[0].message
    if x == "ce-1":
        assert "blanks around the minus" in problems[0].hint


def test_electrolytes_in_datasets_are_checked_where_they_are_written(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, {}, electrolyte="1 M LiPF6 in EC:DMX (1:1 v/v)")
    for abbr in ("lipf6", "ec", "dmc"):
        abbr_name, formula, roles, density = {
            "lipf6": ("LiPF6", "LiPF6", ["salt"], None),
            "ec": ("EC", "C3H4O3", ["solvent"], 1.32),
            "dmc": ("DMC", "C3H6O3", ["solvent"], 1.07),
        }[abbr]
        fields: dict[str, Any] = {"aliases": [abbr_name], "formula": formula, "roles": roles}
        if density:
            fields["density"] = {"value": density, "unit": "g/cm3", "source": SOURCE[0]}
        (kb_dir / "materials").mkdir(exist_ok=True)
        from kbfactory import write_entry

        write_entry(kb_dir, f"materials/{abbr}", minimal("material", abbr_name, **fields))
    problems = [p for p in validate_kb(kb_dir).report.errors]
    [problem] = problems
    assert (
        problem.code == "bad-formulation" and "'DMX' is not a material; did you mean 'DMC'" in problem.message
    )
    line = (kb_dir / "datasets" / "ce-t.yaml").read_text().splitlines()[problem.line - 1]
    assert line[problem.col - 1 :].startswith("DMX"), line


def test_a_descriptor_analysis_names_the_missing_density_at_the_electrolyte(tmp_path: Path) -> None:
    kb_dir = _kb(tmp_path, {"ce-vs-f": {"x": "frac_f", "y": "ce"}}, electrolyte="4 M LiFSI in DME")
    from kbfactory import write_entry

    write_entry(kb_dir, "materials/lifsi", minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]))
    write_entry(kb_dir, "materials/dme", minimal("material", "DME", formula="C4H10O2", roles=["solvent"]))
    [problem] = validate_kb(kb_dir).report.errors
    assert problem.code == "no-descriptor" and "'dme' has no density" in problem.message
    assert "frac_f" in problem.message


@pytest.mark.parametrize(
    ("y", "says", "col"),
    [
        ("10**10**10", "the exponent 1e+10 is out of range", 8),
        ("ce ^ 10 ^ 10", "the exponent 1e+10 is out of range", 9),
        ("ce / 0", "a division by zero", 4),
        ("1e999 * ce", "the number 1e999 is too large", 4),
    ],
)
def test_numbers_that_cannot_be_numbers_are_located_errors(
    tmp_path: Path, y: str, says: str, col: int
) -> None:
    kb_dir = _kb(tmp_path, {"bad": {"x": "t", "y": y}})
    problems = [p for p in validate_kb(kb_dir).report.errors if p.path.endswith("bad.yaml")]
    assert [(p.line, p.col) for p in problems] == [(3, col)], [p.format_text() for p in problems]
    assert says in problems[0].message


def test_an_expression_undefined_for_some_records_names_them(tmp_path: Path) -> None:
    # ln(100 - ce): ce = 99.9 and 99.8 are fine, but a record at 100 % has no logarithm
    kb_dir = _kb(
        tmp_path, {"partial": {"x": "t", "y": "ln(99.5 - ce)"}, "none": {"x": "t", "y": "ln(0 - ce)"}}
    )
    warnings = {
        p.path.rsplit("/", 1)[-1]: p
        for p in validate_kb(kb_dir).report.warnings
        if p.code == "undefined-value"
    }
    assert set(warnings) == {"partial.yaml", "none.yaml"}
    partial = warnings["partial.yaml"]
    assert (partial.line, partial.col) == (3, 4)
    assert (
        "3 of 6 records (R2, R3, R5)" in partial.message and "logarithm of a number <= 0" in partial.message
    )
    assert "every record (6): the analysis has no points" in warnings["none.yaml"].message
