"""Materials as chemistry: SMILES read by RDKit, formulas checked against them, CAS check
digits, densities and properties with sources, the structure drawing on the material's page
(deterministic, sanitised, cached), and every material of the real kb/ consistent."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.access import load
from limkb.analysis import chemistry
from limkb.analysis.descriptors import DescriptorError, compute_descriptors
from limkb.analysis.inputs import Inputs, formulation_of
from limkb.check.validate import validate_kb
from limkb.schema.kinds import Material
from limkb.schema.materials import cas_check_digit
from limkb.site import structures
from limkb.site.render import RenderOptions, render

REPO = Path(__file__).resolve().parent.parent
LIPF6 = "[Li+].F[P-](F)(F)(F)(F)F"
DENSITY = {"value": 0.868, "unit": "g/cm3", "temperature": "25 °C", "source": SOURCE[0]}


def material(name: str, **fields: Any) -> dict[str, Any]:
    """A material citing the test reference for its identifiers."""
    return minimal("material", name, identifiers_source=SOURCE[0], **fields)


def problems(kb: Path) -> list[str]:
    """Every problem as ``file:line:col:code``, file relative to the kb."""
    found = []
    for p in validate_kb(kb).report.problems:
        found.append(f"{Path(p.path).as_posix().split('kb/', 1)[-1]}:{p.line}:{p.col}:{p.code}")
    return found


# --- computed from the SMILES ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("smiles", "formula", "mass", "inchikey"),
    [
        ("COCCOC", "C4H10O2", 90.122, "XTHFKEDIFFGKHM-UHFFFAOYSA-N"),  # DME
        ("O=C1OCCO1", "C3H4O3", 88.062, "KMTRUDSVKNLOMY-UHFFFAOYSA-N"),  # EC
        (LIPF6, "F6LiP", 151.903, "AXPLOJNSKRXQPA-UHFFFAOYSA-N"),  # a salt as two ions
        ("[Li+].O=S(=O)(F)[N-]S(=O)(=O)F", "F2LiNO4S2", 187.074, "VDVLPSWVDYJFRW-UHFFFAOYSA-N"),  # LiFSI
    ],
)
def test_smiles_gives_formula_mass_and_inchikey(
    smiles: str, formula: str, mass: float, inchikey: str
) -> None:
    found = chemistry.structure(smiles)
    assert (found.formula, found.molar_mass, found.inchikey, found.charge) == (formula, mass, inchikey, 0)


def test_a_lone_ion_keeps_its_charge() -> None:
    found = chemistry.structure("F[P-](F)(F)(F)(F)F")
    assert (found.formula, found.charge) == ("F6P-", -1)
    assert chemistry.same_atoms("PF6", found.formula)


@pytest.mark.parametrize(
    ("declared", "computed", "same"),
    [
        ("LiN(SO2F)2", "F2LiNO4S2", True),
        ("LiPF6", "F6LiP", True),
        ("C4H10O2", "C4H10O", False),
        ("LiBF4", "BF4Li", True),
        ("Li2S8", "Li2S6", False),
    ],
)
def test_formulas_compare_by_atoms_not_by_order(declared: str, computed: str, same: bool) -> None:
    assert chemistry.same_atoms(declared, computed) is same


@pytest.mark.parametrize("smiles", ["C1CC", "CC(C)(C)(C)(C)C", "Xx"])
def test_unreadable_smiles_raise_with_a_hint(smiles: str) -> None:
    with pytest.raises(chemistry.ChemistryError) as caught:
        chemistry.structure(smiles)
    assert smiles in caught.value.message and caught.value.hint


def test_look_up_finds_identifiers_in_the_chemicals_table_or_says_none() -> None:
    found = chemistry.look_up("110-71-4")
    assert found is not None
    assert (found.smiles, found.formula, found.cas, found.pubchem) == ("COCCOC", "C4H10O2", "110-71-4", 8071)
    assert "search_chemical('110-71-4')" in found.locator and "CID 8071" in found.locator
    assert chemistry.structure(found.smiles).inchikey == "XTHFKEDIFFGKHM-UHFFFAOYSA-N"
    assert chemistry.look_up("FEC") is None  # abbreviations are mostly not in the table


# --- validation --------------------------------------------------------------------------------------


def test_formula_that_disagrees_with_the_smiles_is_a_located_error(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path, {"materials/dme": material("DME", smiles="COCCOC", formula="C4H10O", density=DENSITY)}
    )
    report = validate_kb(kb).report
    (problem,) = report.errors
    text = (kb / "materials/dme.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.code == "formula-mismatch"
    assert text[problem.line - 1][problem.col - 1 :].startswith("C4H10O")  # at the formula's value
    assert "C4H10O2" in problem.message and "`formula: C4H10O2`" in problem.hint


def test_salt_written_as_ions_agrees_with_its_formula(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/lipf6": material(
                "LiPF6",
                smiles=LIPF6,
                formula="LiPF6",
                roles=["salt"],
                density={"status": "not found", "note": "x"},
            )
        },
    )
    assert problems(kb) == []


def test_unreadable_smiles_is_located_at_the_smiles(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"materials/bad": material("Bad", smiles="C1CC", density=DENSITY)})
    (found,) = problems(kb)
    assert found.startswith("materials/bad.yaml:") and found.endswith(":bad-smiles")
    line = int(found.split(":")[1])
    assert "smiles: C1CC" in (kb / "materials/bad.yaml").read_text(encoding="utf-8").splitlines()[line - 1]


def test_all_problems_of_several_materials_in_one_run(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/a": material("A", smiles="CCO", formula="C2H6", density=DENSITY),
            "materials/b": material("B", smiles="C1CC", density=DENSITY),
            "materials/c": material("C", smiles="CCO", cas="64-17-6", density=DENSITY),
        },
    )
    codes = sorted(p.split(":")[0] + ":" + p.split(":")[-1] for p in problems(kb))
    assert codes == [
        "materials/a.yaml:formula-mismatch",
        "materials/b.yaml:bad-smiles",
        "materials/c.yaml:bad-value",
    ]


@pytest.mark.parametrize(
    ("cas", "ok"), [("110-71-4", True), ("7732-18-5", True), ("110-71-5", False), ("11071-4", False)]
)
def test_cas_numbers_are_checked_by_their_check_digit(tmp_path: Path, cas: str, ok: bool) -> None:
    kb = write_kb(tmp_path, {"materials/m": material("M", smiles="COCCOC", cas=cas, density=DENSITY)})
    found = validate_kb(kb).report.errors
    assert (not found) is ok
    if not ok:
        assert found[0].code == "bad-value" and "CAS" in found[0].message
        line = (kb / "materials/m.yaml").read_text(encoding="utf-8").splitlines()[found[0].line - 1]
        assert cas in line


def test_cas_check_digit() -> None:
    assert cas_check_digit("11071") == 4  # DME, 110-71-4
    assert cas_check_digit("773218") == 5  # water, 7732-18-5


def test_smiles_without_source_or_density_statement_is_reported(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"materials/m": minimal("material", "M", smiles="COCCOC")})
    report = validate_kb(kb).report
    assert sorted(p.code for p in report.problems) == ["missing-density", "missing-field"]
    assert [p.code for p in report.warnings] == ["missing-density"]


@pytest.mark.parametrize(
    ("density", "code"),
    [
        ({"status": "not found"}, "bad-value"),  # no note
        ({"status": "not found", "note": "x", "value": 1.0}, "bad-value"),
        ({"value": 1.0, "unit": "g/cm3"}, "bad-value"),  # no source
        ({"value": 1.0, "unit": "nm", "source": SOURCE[0]}, "unit-mismatch"),
        ({"value": 849.9, "unit": "g/cm3", "source": SOURCE[0]}, "out-of-range"),  # kg/m3 as g/cm3
        ({"value": 849.9, "unit": "kg/m3", "source": SOURCE[0]}, None),
        ({"value": 0, "unit": "g/cm3", "source": SOURCE[0]}, "out-of-range"),
    ],
)
def test_density_statements_must_be_whole_and_possible(
    tmp_path: Path, density: dict[str, Any], code: str | None
) -> None:
    kb = write_kb(tmp_path, {"materials/m": material("M", smiles="COCCOC", density=density)})
    assert [p.code for p in validate_kb(kb).report.errors] == ([code] if code else [])


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"property": "viscosity", "value": 0.46, "unit": "mPa s", "temperature": "25 °C"}, None),
        ({"property": "boiling-point", "value": 85, "unit": "°C"}, None),
        ({"property": "viscosity", "value": 0.46, "unit": "nm", "temperature": "25 °C"}, "unit-mismatch"),
        ({"property": "dielectric-constant", "value": 7.2, "unit": "1"}, "missing-field"),  # no temperature
        ({"property": "colour", "value": 1, "unit": "1"}, "bad-value"),
    ],
)
def test_properties_carry_units_of_their_kind(tmp_path: Path, item: dict[str, Any], code: str | None) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/m": material(
                "M", smiles="COCCOC", density=DENSITY, properties=[{**item, "source": SOURCE[0]}]
            )
        },
    )
    assert [p.code for p in validate_kb(kb).report.errors] == ([code] if code else [])


# --- density for descriptors ---------------------------------------------------------------------


def test_descriptor_that_needs_a_missing_density_names_the_material(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/lifsi": material("LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
            "materials/dme": material(
                "DME",
                smiles="COCCOC",
                formula="C4H10O2",
                roles=["solvent"],
                density={"status": "not found", "note": "not in the tables searched"},
            ),
        },
    )
    loaded = load(kb, cache=False)
    inputs = Inputs(loaded)
    with pytest.raises(DescriptorError) as caught:
        compute_descriptors(formulation_of("1 M LiFSI in DME", inputs.index), inputs.material_data)
    assert caught.value.material == "dme" and "'dme' has no density" in str(caught.value)
    assert "records that none was found" in str(caught.value) and "molar ratio" in caught.value.hint
    assert compute_descriptors(formulation_of("LiFSI-2DME", inputs.index), inputs.material_data)


def test_a_given_density_reaches_the_descriptors_in_g_per_cm3(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path,
        {
            "materials/dme": material(
                "DME", smiles="COCCOC", density={**DENSITY, "value": 868, "unit": "kg/m3"}
            )
        },
    )
    entry = load(kb, cache=False)["dme"]
    assert isinstance(entry, Material) and entry.grams_per_cm3 == pytest.approx(0.868)


# --- the drawing on the page ---------------------------------------------------------------------


def _site(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "materials/lipf6": material(
                "Lithium hexafluorophosphate",
                smiles=LIPF6,
                formula="LiPF6",
                cas="21324-40-3",
                roles=["salt"],
                density={"status": "not found", "note": "no table holds it"},
            ),
            "materials/dme": material(
                "DME <b>",
                smiles="COCCOC",
                formula="C4H10O2",
                density=DENSITY,
                properties=[{"property": "boiling-point", "value": 85, "unit": "°C", "source": SOURCE[0]}],
            ),
            "mechanisms/other": minimal("mechanism", "Something else"),
        },
    )


def _page(pages: dict[str, str | bytes], path: str) -> str:
    page = pages[path]
    assert isinstance(page, str)
    return page


def test_material_page_shows_the_drawing_identifiers_and_properties(tmp_path: Path) -> None:
    pages = render(load(_site(tmp_path), cache=False), options=RenderOptions(date="2024-01-02"))
    page = _page(pages, "entries/materials/lipf6.md")
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None and "<title>Structure of Lithium hexafluorophosphate</title>" in svg.group()
    assert "<text" in svg.group() and ">P<" in svg.group()  # the atom labels are text
    for forbidden in ("<script", "<?xml", "<!--", "xlink", "rdkit"):
        assert forbidden not in svg.group()
    assert not re.search(r"\son\w+=", svg.group())
    assert "F6LiP" in page and "151.903 g/mol" in page and "AXPLOJNSKRXQPA-UHFFFAOYSA-N" in page
    assert "21324-40-3" in page and "not found: no table holds it" in page
    dme = _page(pages, "entries/materials/dme.md")
    assert "DME &lt;b&gt;" in dme and "<title>Structure of DME &lt;b&gt;</title>" in dme
    assert re.search(r"<td>density</td><td class=\"limkb-number\">0.868 g/cm3</td><td>25 °C</td>", dme)
    assert "boiling point" in dme and "85 °C" in dme


def test_drawing_is_deterministic_and_independent_of_how_the_smiles_is_written() -> None:
    first = chemistry.draw_svg("COCCOC")
    assert chemistry.draw_svg("COCCOC") == first
    assert chemistry.draw_svg("C(OC)COC") == first  # drawn from the canonical SMILES
    assert (
        hashlib.sha256(structures.clean_svg(first, label="x").encode()).hexdigest()
        == hashlib.sha256(structures.clean_svg(chemistry.draw_svg("COCCOC"), label="x").encode()).hexdigest()
    )


def test_render_is_byte_identical_twice(tmp_path: Path) -> None:
    kb = load(_site(tmp_path), cache=False)
    assert render(kb, options=RenderOptions(date="2024-01-02")) == render(
        kb, options=RenderOptions(date="2024-01-02")
    )


def test_tampered_drawing_in_the_cache_is_neutralised() -> None:
    hostile = (
        "<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)' viewBox='0 0 10 10'>"
        "<script>alert(2)</script><path d='M 0,0 L 1,1' style='fill:url(javascript:x)'/>"
        "<a href='javascript:x'><text x='1' y='2'>&lt;b&gt;</text></a>"
        "<foreignObject><div>x</div></foreignObject><text x='1' y='1' onclick='y'>C</text></svg>"
    )
    cleaned = structures.clean_svg(hostile, label="t")
    assert "script" not in cleaned and "onload" not in cleaned and "onclick" not in cleaned
    assert "javascript" not in cleaned and "foreignObject" not in cleaned and "<a" not in cleaned
    assert '<path d="M 0,0 L 1,1">' in cleaned and ">C</text>" in cleaned
    with pytest.raises(ValueError):
        structures.clean_svg("<!DOCTYPE x [<!ENTITY a 'b'>]><svg/>", label="t")


def test_drawings_come_from_the_disk_cache_after_an_unrelated_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb_dir = _site(tmp_path)
    options = RenderOptions(date="2024-01-02", plot_cache=tmp_path / "cache" / "plots")
    monkeypatch.setattr(structures, "CACHE", structures.StructureCache())
    first = render(load(kb_dir, cache=False), options=options)
    assert structures.CACHE.drawn == 2
    assert len(list((tmp_path / "cache" / "plots" / "structures").glob("*.svg"))) == 2

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("RDKit drew a structure that was cached")

    monkeypatch.setattr(structures, "CACHE", structures.StructureCache())  # as in a new process
    monkeypatch.setattr(chemistry, "draw_svg", refuse)
    write_entry(kb_dir, "mechanisms/other", minimal("mechanism", "Something else, edited"))
    second = render(load(kb_dir, cache=False), options=options)
    assert second["entries/materials/lipf6.md"] == first["entries/materials/lipf6.md"]
    assert structures.CACHE.drawn == 0


# --- the real kb/ ---------------------------------------------------------------------------------


def _real_materials() -> list[Material]:
    kb = load(REPO / "kb", cache=False)
    return [m for m in kb.entries(kind="material") if isinstance(m, Material)]


REAL = _real_materials()


@pytest.mark.parametrize("entry", [m for m in REAL if m.smiles], ids=lambda m: m.id)
def test_every_smiles_in_kb_agrees_with_its_formula(entry: Material) -> None:
    found = chemistry.structure(entry.smiles or "")
    assert entry.formula, f"kb/materials/{entry.id}.yaml: add `formula: {found.formula}`"
    assert chemistry.same_atoms(entry.formula, found.formula), (
        f"kb/materials/{entry.id}.yaml: formula {entry.formula} but the SMILES gives {found.formula}"
    )
    assert entry.identifiers_source is not None and entry.density is not None


def test_the_kb_holds_the_electrolyte_materials_of_the_field() -> None:
    with_smiles = [m for m in REAL if m.smiles]
    assert len(REAL) >= 150 and len(with_smiles) >= 100
    names = {a.lower() for m in REAL for a in [m.name, *m.aliases]}
    for wanted in ("dme", "fec", "lifsi", "ttE", "12-crown-4", "li2s8", "methf", "csPF6"):
        assert wanted.lower() in names, f"no material named {wanted}"


def test_the_contributing_example_of_a_material_validates(tmp_path: Path) -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text[text.index("### Add a material") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    kb = tmp_path / "kb"
    for ref in ("bell2026chemicals", "kim2023data", "haynes2014crc"):
        target = kb / "references" / f"{ref}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (REPO / "kb" / "references" / f"{ref}.yaml").read_text(encoding="utf-8")
        target.write_text(re.sub(r"\ncited_in:.*", "\n", text, flags=re.S), encoding="utf-8")
    write_entry(kb, "materials/dme", block.group(1))
    report = validate_kb(kb).report
    assert report.ok(strict=True), report.format()


# --- through limkb build (MkDocs) ---------------------------------------------------------------


@pytest.mark.slow
def test_built_material_page_holds_the_drawing_and_a_rebuild_redraws_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from limkb.commands.build import build
    from sitefactory import write_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    salt = material(
        "Lithium hexafluorophosphate",
        smiles=LIPF6,
        formula="LiPF6",
        roles=["salt"],
        density={"status": "not found", "note": "none"},
    )
    project = write_project(tmp_path / "project", extra={"materials/lipf6": salt})
    monkeypatch.setattr(structures, "CACHE", structures.StructureCache())
    build(project)
    page = (project / "site/entries/materials/lipf6.html").read_bytes()
    assert b"<title>Structure of Lithium hexafluorophosphate</title>" in page and b"<svg viewBox=" in page
    assert b"F6LiP" in page and b"AXPLOJNSKRXQPA-UHFFFAOYSA-N" in page

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("RDKit drew a structure that was cached")

    monkeypatch.setattr(structures, "CACHE", structures.StructureCache())  # as in a new process
    monkeypatch.setattr(chemistry, "draw_svg", refuse)
    write_entry(project / "kb", "mechanisms/unrelated", minimal("mechanism", "Unrelated"))
    build(project)
    assert (project / "site/entries/materials/lipf6.html").read_bytes() == page
    assert structures.CACHE.drawn == 0
