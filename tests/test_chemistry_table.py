"""What a SMILES says of a compound, case by case: each test names the behaviour of
``limkb.analysis.chemistry`` it protects."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from limkb.analysis import chemistry as module
from limkb.analysis.chemistry import ChemistryError, draw_svg, look_up, rdkit_version, same_atoms, structure

pytest.importorskip("rdkit")


@pytest.mark.parametrize(
    ("smiles", "canonical", "formula", "mass", "key", "charge"),
    [
        ("COCCOC", "COCCOC", "C4H10O2", 90.122, "XTHFKEDIFFGKHM-UHFFFAOYSA-N", 0),
        (
            "[Li+].F[P-](F)(F)(F)(F)F",
            "F[P-](F)(F)(F)(F)F.[Li+]",
            "F6LiP",
            151.903,
            "AXPLOJNSKRXQPA-UHFFFAOYSA-N",
            0,
        ),
        ("[Li+]", "[Li+]", "Li+", 6.941, "HBBGRARXTFLTSG-UHFFFAOYSA-N", 1),
        ("F[P-](F)(F)(F)(F)F", "F[P-](F)(F)(F)(F)F", "F6P-", 144.962, None, -1),
    ],
    ids=["solvent", "salt-as-ions", "cation", "anion"],
)
def test_a_structure_is_computed_from_its_smiles(
    smiles: str, canonical: str, formula: str, mass: float, key: str | None, charge: int
) -> None:
    found = structure(smiles)
    assert (found.smiles, found.formula, found.charge) == (canonical, formula, charge)
    assert found.molar_mass == pytest.approx(mass, abs=1e-3)
    assert found.molar_mass == round(found.molar_mass, 3)
    if key is not None:
        assert found.inchikey == key


@pytest.mark.parametrize(
    ("smiles", "message", "hint"),
    [
        ("C1CC", "RDKit cannot read the SMILES 'C1CC'", "check it for an unclosed ring number"),
        (
            "C(C)(C)(C)(C)C",
            "the SMILES 'C(C)(C)(C)(C)C' is not a possible molecule: Explicit valence for atom # 0 C, 5",
            "check the bonds and charges around the atom named (write an ion's charge in brackets: [Li+])",
        ),
    ],
    ids=["unreadable", "impossible"],
)
def test_a_bad_smiles_is_refused_with_what_and_how_to_fix(smiles: str, message: str, hint: str) -> None:
    with pytest.raises(ChemistryError) as raised:
        structure(smiles)
    assert str(raised.value).startswith(message)
    assert raised.value.message == str(raised.value)
    assert raised.value.hint.startswith(hint)


def test_an_unreadable_smiles_hint_names_the_usual_mistakes() -> None:
    with pytest.raises(ChemistryError) as raised:
        structure("C1CC")
    assert raised.value.hint == (
        "check it for an unclosed ring number, an unbalanced bracket or parenthesis, or an "
        "element symbol in the wrong case (aromatic atoms are lowercase: c, n, o, s)"
    )


def test_at_most_three_problems_are_named() -> None:
    with pytest.raises(ChemistryError) as raised:
        structure("C(C)(C)(C)(C)C.C(C)(C)(C)(C)C.C(C)(C)(C)(C)C.C(C)(C)(C)(C)C")
    named = str(raised.value).split(": ", 1)[1].split("; ")
    assert len(named) == 3
    assert all(problem.startswith("Explicit valence for atom # ") for problem in named)


def test_a_key_rdkit_cannot_make_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    chem, rdbase = module._rdkit()

    class NoInchi:
        def __getattr__(self, name: str) -> Any:
            return getattr(chem, name)

        def MolToInchiKey(self, mol: Any) -> str:
            raise RuntimeError("no InChI")

    monkeypatch.setattr(module, "_rdkit", lambda: (NoInchi(), rdbase))
    assert module.structure.__wrapped__("CCO").inchikey == ""


@pytest.mark.parametrize(
    ("declared", "computed", "same"),
    [
        ("C4H10O2", "C4H10O2", True),
        ("LiPF6", "F6LiP", True),
        ("PF6", "F6P-", True),
        ("PF6", "F6P+", True),
        ("PF6", "F6P-2", True),
        ("LiPF6", "F6P", False),
        ("PF6", "F6LiP", False),
        ("C4H10O2", "C4H10O", False),
        ("C4H10O2", "C4H10O2.0000001", False),
        ("C4H10O2", "C4H10O2.0000000001", True),
        ("Xx2", "C2", False),
        ("C2", "((", False),
    ],
    ids=[
        "equal",
        "any-order",
        "minus-ignored",
        "plus-ignored",
        "charge-number-ignored",
        "atom-missing",
        "atom-only-computed",
        "count-differs",
        "beyond-tolerance",
        "within-tolerance",
        "unknown-element",
        "unreadable",
    ],
)
def test_same_atoms_compares_atoms_and_counts(declared: str, computed: str, same: bool) -> None:
    assert same_atoms(declared, computed) is same


def test_the_rdkit_version_is_rdkit_s() -> None:
    import rdkit

    assert rdkit_version() == rdkit.__version__


def test_a_drawing_is_an_svg_of_the_size_asked_with_text_labels() -> None:
    svg = draw_svg("COCCOC", width=300, height=150)
    assert svg.startswith("<?xml") and "</svg>" in svg
    assert "width='300px'" in svg and "height='150px'" in svg
    assert "<text" in svg
    assert "<rect" not in svg  # no background
    assert draw_svg("COCCOC", width=300, height=150) == svg


def test_a_drawing_has_its_default_size() -> None:
    svg = draw_svg("CCO")
    assert "width='260px'" in svg and "height='200px'" in svg


def test_a_drawing_of_a_stereocentre_has_no_annotation() -> None:
    assert "(R)" not in draw_svg("C[C@H](O)CC") and "(S)" not in draw_svg("C[C@H](O)CC")


def test_look_up_finds_a_compound_and_says_where() -> None:
    pytest.importorskip("chemicals")
    import chemicals

    found = look_up("dimethoxyethane")
    assert found is not None
    assert (found.query, found.smiles, found.formula, found.cas, found.pubchem, found.name) == (
        "dimethoxyethane",
        "COCCOC",
        "C4H10O2",
        "110-71-4",
        8071,
        "1,2-dimethoxyethane",
    )
    assert found.locator == (
        f"chemicals {chemicals.__version__}, chemicals.identifiers.search_chemical('dimethoxyethane'), "
        "its PubChem-derived identifier table (CID 8071)"
    )


def test_look_up_of_an_unknown_name_is_none() -> None:
    pytest.importorskip("chemicals")
    assert look_up("notacompoundxyz") is None


def test_a_drawing_is_byte_for_byte_the_one_of_the_pinned_rdkit() -> None:
    """Canonical orientation, coordinates rounded to 0.001, panel and options: any change shows
    here (the digest is RDKit 2026.09.1's, the version requirements-test.lock pins)."""
    if rdkit_version() != "2026.09.1":
        pytest.skip("the digest is that of RDKit 2026.09.1")
    svg = draw_svg("CC(=O)Oc1ccccc1C(=O)O")
    assert hashlib.sha256(svg.encode()).hexdigest() == (
        "c1e66641626af25c8c66615b0653ab98dd21437adc4aa9d19a80c85565d93f39"
    )
