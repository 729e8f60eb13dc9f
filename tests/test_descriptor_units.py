"""Every unit a formulation's amount can have, turned into moles as the descriptor module says.

Each row of :data:`MOLES` is one convention of :mod:`limkb.analysis.descriptors`, with the
moles of every component worked out by hand in the row (M per litre of the solvent blend,
mol/kg per kg of it, blends by volume, weight or moles, wt% and mol% of the whole, vol% per
litre of blend, amounts added to a molar ratio). Then the descriptors themselves: the
documented worked example to the last digit, salt additives counted as anion and never as
solvent, ratios undefined without carbon, and every refusal with the material it names.
"""

from __future__ import annotations

import math

import pytest

from limkb.analysis.descriptors import (
    ATOMIC_WEIGHTS,
    DESCRIPTORS,
    DescriptorError,
    MaterialData,
    _descriptor_names,
    atoms,
    compute_descriptors,
    molar_mass,
    moles,
)
from limkb.analysis.formulations import (
    Amount,
    Component,
    Formulation,
    MaterialIndex,
    Role,
    components_of,
    parse,
    resolve,
)

FORMULAS = {
    "lifsi": ("LiN(SO2F)2", None, True),
    "lipf6": ("LiPF6", None, True),
    "lino3": ("LiNO3", None, True),
    "dme": ("C4H10O2", 0.868, False),
    "tte": ("C5H4F8O", 1.5323, False),
    "ec": ("C3H4O3", 1.32, False),
    "dmc": ("C3H6O3", 1.07, False),
    "vc": ("C3H2O3", 1.35, False),
    "water": ("H2O", 1.0, False),
}
DATA = {key: MaterialData(formula, density, salt) for key, (formula, density, salt) in FORMULAS.items()}
INDEX = MaterialIndex.of((key, [key.upper() if key != "water" else "W"], []) for key in FORMULAS)
W = {key: molar_mass(formula) for key, (formula, _, _) in FORMULAS.items()}
D = {key: density for key, (_, density, _) in FORMULAS.items()}


def resolved(text: str) -> Formulation:
    formulation, errors = resolve(parse(text), INDEX)
    assert not errors, [e.message for e in errors]
    return formulation


def _ec_dmc_by_weight_per_litre() -> list[float]:
    litres = 300 / (1000 * D["ec"]) + 700 / (1000 * D["dmc"])
    return [1.0, 300 / litres / W["ec"], 700 / litres / W["dmc"]]


def _ec_dmc_by_moles_per_litre() -> list[float]:
    litres_per_mol = (1 / 3) * W["ec"] / (1000 * D["ec"]) + (2 / 3) * W["dmc"] / (1000 * D["dmc"])
    return [1.0, (1 / 3) / litres_per_mol, (2 / 3) / litres_per_mol]


def _dme_plus_wt_percent() -> list[float]:
    dme = 868 / W["dme"]
    rest = 1.0 * W["lifsi"] + dme * W["dme"]
    return [1.0, dme, 2 / 98 * rest / W["vc"]]


# (formulation, moles of each component in the order written)
MOLES = [
    # a molarity: per litre of the blend; one solvent fills the litre with its density
    ("1 M LIFSI in DME", [1.0, 868 / W["dme"]]),
    ("2 M LIFSI in DME", [2.0, 868 / W["dme"]]),
    # a molality: per kg of the blend
    ("1 mol/kg LIFSI in DME", [1.0, 1000 / W["dme"]]),
    # a blend by volume, weight or moles, per litre
    ("1 M LIPF6 in EC:DMC (1:1 v/v)", [1.0, 500 * D["ec"] / W["ec"], 500 * D["dmc"] / W["dmc"]]),
    ("1 M LIPF6 in EC:DMC (1:3 v/v)", [1.0, 250 * D["ec"] / W["ec"], 750 * D["dmc"] / W["dmc"]]),
    ("1 M LIPF6 in EC:DMC (3:7 w/w)", _ec_dmc_by_weight_per_litre()),
    ("1 M LIPF6 in EC:DMC (1:2 mol)", _ec_dmc_by_moles_per_litre()),
    # ... and per kg
    ("1 m LIPF6 in EC:DMC (1:1 w/w)", [1.0, 500 / W["ec"], 500 / W["dmc"]]),
    (
        "1 m LIPF6 in EC:DMC (1:2 mol)",
        [
            1.0,
            (1 / 3) * 1000 / ((W["ec"] + 2 * W["dmc"]) / 3),
            (2 / 3) * 1000 / ((W["ec"] + 2 * W["dmc"]) / 3),
        ],
    ),
    # shares: wt% and mol% of the whole, vol% litres per 100 L of blend, M per litre of blend
    ("1 M LIFSI in DME + 2 wt% VC", _dme_plus_wt_percent()),
    ("1 M LIFSI in DME + 2 mol% VC", [1.0, 868 / W["dme"], 2 / 98 * (1.0 + 868 / W["dme"])]),
    ("1 M LIFSI in DME + 5 vol% VC", [1.0, 868 / W["dme"], 0.05 * 1000 * D["vc"] / W["vc"]]),
    ("1 M LIFSI in DME + 0.1 M LINO3", [1.0, 868 / W["dme"], 0.1]),
    # a molar ratio is its coefficients; what is added to it is reckoned on the blend it makes
    ("LIFSI-1.2DME-3TTE", [1.0, 1.2, 3.0]),
    ("LIFSI-2DME + 0.5 M LINO3", [1.0, 2.0, 0.5 * 2 * W["dme"] / (1000 * D["dme"])]),
    ("LIFSI-2DME + 0.5 mol/kg LINO3", [1.0, 2.0, 0.5 * 2 * W["dme"] / 1000]),
    (
        "LIFSI-2DME + 5 vol% VC",
        [1.0, 2.0, 0.05 * 2 * W["dme"] / (1000 * D["dme"]) * 1000 * D["vc"] / W["vc"]],
    ),
    ("LIFSI-2DME + 2 mol% VC", [1.0, 2.0, 2 / 98 * 3.0]),
]


@pytest.mark.parametrize(("text", "expected"), MOLES, ids=[row[0] for row in MOLES])
def test_every_unit_becomes_moles_as_documented(text: str, expected: list[float]) -> None:
    found = moles(resolved(text), DATA)
    assert sorted(found) == list(range(len(expected)))
    assert [found[i] for i in range(len(expected))] == pytest.approx(expected, rel=1e-12)


def test_a_molality_beside_a_volume_blend_reckons_the_blend_per_kg() -> None:
    formulation = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "mol/kg"},
            {"material": "ec", "role": "solvent", "amount": 1, "unit": "v/v"},
            {"material": "dmc", "role": "solvent", "amount": 1, "unit": "v/v"},
        ]
    )
    grams = {"ec": 500 * D["ec"], "dmc": 500 * D["dmc"]}
    scale = 1000 / sum(grams.values())
    found = moles(formulation, DATA)
    assert [found[0], found[1], found[2]] == pytest.approx(
        [1.0, grams["ec"] * scale / W["ec"], grams["dmc"] * scale / W["dmc"]], rel=1e-12
    )


# --- descriptors --------------------------------------------------------------------------------


def test_the_worked_example_of_the_module_docstring() -> None:
    found = compute_descriptors(resolved("LIFSI-1DME-3TTE"), DATA)
    atoms_total = 10 + 16 + 3 * 18
    assert atoms_total == 80
    expected = {
        "frac_f": 26 / 80,
        "frac_f_solvent": 24 / 80,
        "frac_f_anion": 2 / 80,
        "frac_o": 9 / 80,
        "frac_o_solvent": 5 / 80,
        "frac_o_anion": 4 / 80,
        "frac_c": 19 / 80,
        "frac_c_solvent": 19 / 80,
        "frac_c_anion": 0.0,
        "frac_n": 1 / 80,
        "frac_n_solvent": 0.0,
        "frac_n_anion": 1 / 80,
        "frac_s": 2 / 80,
        "frac_s_solvent": 0.0,
        "frac_s_anion": 2 / 80,
        "ratio_f_c": 26 / 19,
        "ratio_o_c": 9 / 19,
    }
    assert set(found) == set(DESCRIPTORS) == set(expected)
    assert found == pytest.approx(expected, rel=1e-12)


def test_salt_additives_count_as_anion_and_other_additives_as_solvent() -> None:
    text = "LIFSI-1DME + 10 mol% LINO3"
    salted = compute_descriptors(resolved(text), DATA)
    n_lino3 = 10 / 90 * 2.0
    total = 10 + 16 + 5 * n_lino3
    assert salted["frac_n_anion"] == pytest.approx((1 + n_lino3) / total)
    assert salted["frac_o_solvent"] == pytest.approx(2 / total)
    assert salted["frac_o_anion"] == pytest.approx((4 + 3 * n_lino3) / total)
    plain = {**DATA, "lino3": MaterialData("LiNO3", None, False)}
    unsalted = compute_descriptors(resolved(text), plain)
    assert unsalted["frac_n_anion"] == pytest.approx(1 / total)
    assert unsalted["frac_n_solvent"] == pytest.approx(n_lino3 / total)
    assert unsalted["frac_o_solvent"] == pytest.approx((2 + 3 * n_lino3) / total)
    with_vc = compute_descriptors(resolved("LIFSI-1DME + 10 mol% VC"), DATA)
    n_vc = 10 / 90 * 2.0
    assert with_vc["frac_o_solvent"] == pytest.approx((2 + 3 * n_vc) / (26 + 8 * n_vc))


def test_the_lithium_of_a_salt_is_neither_anion_nor_solvent() -> None:
    found = compute_descriptors(resolved("LIFSI-1DME"), DATA)
    fractions = sum(found[f"frac_{e}"] for e in "focns")
    by_origin = sum(found[f"frac_{e}_solvent"] + found[f"frac_{e}_anion"] for e in "focns")
    assert fractions == pytest.approx(by_origin)
    assert fractions == pytest.approx(1 - (1 + 10) / 26)  # Li and H are counted in the whole only


def test_ratios_are_undefined_without_carbon() -> None:
    found = compute_descriptors(resolved("LIFSI-2W"), DATA)
    assert math.isnan(found["ratio_f_c"]) and math.isnan(found["ratio_o_c"])
    assert found["frac_o"] == pytest.approx((4 + 2) / (10 + 6))


# --- formulas -----------------------------------------------------------------------------------

FORMULA_ATOMS = [
    ("LiN(SO2F)2", {"Li": 1, "N": 1, "S": 2, "O": 4, "F": 2}),
    ("Li[B(C2O4)2]", {"Li": 1, "B": 1, "C": 4, "O": 8}),
    ("C4H10O2", {"C": 4, "H": 10, "O": 2}),
    ("(C2H4O)n", {"C": 2, "H": 4, "O": 1}),
    ("(C2H4O)x", {"C": 2, "H": 4, "O": 1}),
    ("(CH2)2", {"C": 2, "H": 4}),
    ("Li₂S₅", {"Li": 2, "S": 5}),
    ("Li0.5Co", {"Li": 0.5, "Co": 1}),
    ("Li F", {"Li": 1, "F": 1}),
    ("CuSO4·H2O", {"Cu": 1, "S": 1, "O": 5, "H": 2}),
]


@pytest.mark.parametrize(("formula", "expected"), FORMULA_ATOMS, ids=[row[0] for row in FORMULA_ATOMS])
def test_formulas_count_their_atoms(formula: str, expected: dict[str, float]) -> None:
    assert atoms(formula) == expected
    assert molar_mass(formula) == pytest.approx(sum(ATOMIC_WEIGHTS[e] * n for e, n in expected.items()))


@pytest.mark.parametrize(
    ("formula", "message", "hint"),
    [
        (
            "Li$F",
            "cannot read the formula 'Li$F' at '$F'",
            "write the formula in plain ASCII with element symbols, digits and brackets, e.g. LiN(SO2F)2",
        ),
        (
            "LiXq",
            "'Xq' in the formula 'LiXq' is not an element limkb knows",
            "check the formula's capitals (e.g. 'Co' is cobalt, 'CO' carbon and oxygen)",
        ),
        ("LiF)2", "unbalanced bracket in the formula 'LiF)2'", "balance the brackets"),
        ("Li(F", "unbalanced bracket in the formula 'Li(F'", "balance the brackets"),
    ],
)
def test_unreadable_formulas_are_refused_with_a_fix(formula: str, message: str, hint: str) -> None:
    with pytest.raises(DescriptorError) as caught:
        atoms(formula)
    assert (caught.value.message, caught.value.hint, str(caught.value)) == (message, hint, message)


# --- what cannot be computed --------------------------------------------------------------------


def test_a_material_without_formula_is_named() -> None:
    data = {**DATA, "dme": MaterialData(None, 0.868)}
    with pytest.raises(DescriptorError) as caught:
        compute_descriptors(resolved("LIFSI-1DME"), data)
    assert caught.value.material == "dme"
    assert caught.value.message == "material 'dme' has no formula"
    assert caught.value.hint == "add `formula:` to kb/materials/dme.yaml (plain ASCII, e.g. C4H10O2)"


def test_a_missing_density_names_the_material_and_why_it_is_needed() -> None:
    data = {**DATA, "dme": MaterialData("C4H10O2")}
    with pytest.raises(DescriptorError) as caught:
        moles(resolved("1 M LIFSI in DME"), data)
    assert caught.value.material == "dme"
    assert (
        caught.value.message
        == "material 'dme' has no density, which a molarity (mol per litre of solvent) needs"
    )
    assert caught.value.hint == (
        "add `density: {value: ..., unit: g/cm3, source: {ref: ..., locator: ...}}` to "
        "kb/materials/dme.yaml, or write the formulation as a molar ratio"
    )
    with pytest.raises(DescriptorError) as caught:
        moles(resolved("LIFSI-1DME + 1 M LINO3"), data)
    assert caught.value.message.endswith("which an amount per litre added to a molar ratio needs")
    noted = {**DATA, "vc": MaterialData("C3H2O3", density_not_found=True)}
    with pytest.raises(DescriptorError) as caught:
        moles(resolved("1 M LIFSI in DME + 5 vol% VC"), noted)
    assert caught.value.message == (
        "material 'vc' has no density (kb/materials/vc.yaml records that none was found), "
        "which a vol% amount needs"
    )
    assert caught.value.material == "vc"
    assert caught.value.hint == (
        "write the formulation as a molar ratio (`LiFSI-1.2DME-3TTE`), or add the density with its "
        "source if you find one"
    )
    # a molality of one solvent needs no density
    assert moles(resolved("1 mol/kg LIFSI in DME"), data)[1] == pytest.approx(1000 / W["dme"])


def test_shares_of_the_whole_at_100_percent_are_refused() -> None:
    formulation = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "M"},
            {"material": "dme", "role": "solvent", "amount": 1, "unit": "v/v"},
            {"material": "vc", "role": "additive", "amount": 60, "unit": "wt%"},
            {"material": "ec", "role": "additive", "amount": 40, "unit": "wt%"},
        ]
    )
    with pytest.raises(DescriptorError) as caught:
        moles(formulation, DATA)
    assert caught.value.message == "the wt% additives add up to 100 %, the whole electrolyte or more"
    assert caught.value.hint == "check the amounts"


def test_a_formulation_of_no_atoms_is_refused() -> None:
    data = {"a": MaterialData("()"), "b": MaterialData("()")}
    formulation, _ = resolve(parse("A-1B"), MaterialIndex.of([("a", ["A"], []), ("b", ["B"], [])]))
    with pytest.raises(DescriptorError) as caught:
        compute_descriptors(formulation, data)
    assert (caught.value.message, caught.value.hint) == ("the formulation has no atoms", "check the amounts")


def test_a_formulation_of_less_than_one_atom_in_all_is_still_computed() -> None:
    """Coefficients are relative: 0.01 of each is the same electrolyte as 1 of each."""
    small = compute_descriptors(resolved("0.01LIFSI-0.01W"), DATA)
    assert small == pytest.approx(compute_descriptors(resolved("LIFSI-1W"), DATA), nan_ok=True)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1 M LIPF6 in EC:DMC (3:7 w/w)", "a molarity (mol per litre of solvent)"),
        ("1 M LIPF6 in EC:DMC (1:2 mol)", "a molarity (mol per litre of solvent)"),
        ("1 m LIPF6 in EC:DMC (1:1 mol)", None),
    ],
)
def test_a_blend_needs_densities_only_to_reach_litres(text: str, why: str | None) -> None:
    data = {**DATA, "ec": MaterialData("C3H4O3")}
    if why is None:
        assert moles(resolved(text), data)[1] > 0
        return
    with pytest.raises(DescriptorError) as caught:
        moles(resolved(text), data)
    assert caught.value.message == f"material 'ec' has no density, which {why} needs"


def test_a_molality_beside_a_volume_blend_needs_densities_for_the_volume_ratio() -> None:
    formulation = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "mol/kg"},
            {"material": "ec", "role": "solvent", "amount": 1, "unit": "v/v"},
            {"material": "dmc", "role": "solvent", "amount": 1, "unit": "v/v"},
        ]
    )
    with pytest.raises(DescriptorError) as caught:
        moles(formulation, {**DATA, "ec": MaterialData("C3H4O3")})
    assert caught.value.message == "material 'ec' has no density, which a volume ratio needs"


def test_a_molality_beside_a_vol_percent_is_reckoned_on_the_litre_of_blend() -> None:
    found = moles(resolved("1 m LIFSI in DME + 5 vol% VC"), DATA)
    dme = 868 / W["dme"]
    expected = [dme * W["dme"] / 1000, dme, 0.05 * 1000 * D["vc"] / W["vc"]]
    assert [found[0], found[1], found[2]] == pytest.approx(expected, rel=1e-12)


def test_components_without_an_amount_add_nothing() -> None:
    formulation = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "M"},
            {"material": "dme", "role": "solvent", "amount": 1, "unit": "v/v"},
            {"material": "ec", "role": "solvent", "unit": "v/v"},
            {"material": "lino3", "role": "additive", "unit": "M"},
            {"material": "vc", "role": "additive", "unit": "wt%"},
            {"material": "water", "role": "additive", "unit": "mol%"},
        ]
    )
    found = moles(formulation, DATA)
    assert [found[i] for i in range(6)] == pytest.approx([1.0, 868 / W["dme"], 0.0, 0.0, 0.0, 0.0])
    counted = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "mol"},
            {"material": "dme", "role": "solvent", "amount": 2, "unit": "mol"},
            {"material": "ec", "role": "solvent", "unit": "mol"},
        ]
    )
    assert moles(counted, DATA) == {0: 1.0, 1: 2.0, 2: 0.0}


def test_a_lone_solvent_without_an_amount_is_the_whole_blend() -> None:
    """A listed electrolyte whose one solvent has no amount is 1 M salt in that solvent."""
    lone = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "M"},
            {"material": "dme", "role": "solvent"},
        ]
    )
    assert moles(lone, DATA) == pytest.approx({0: 1.0, 1: 868 / W["dme"]})


def test_several_solvents_without_amounts_are_named_not_divided_by_zero() -> None:
    blend = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "M"},
            {"material": "dme", "role": "solvent"},
            {"material": "tte", "role": "diluent"},
        ]
    )
    with pytest.raises(DescriptorError) as raised:
        moles(blend, DATA)
    assert (
        raised.value.message
        == "the solvents dme, tte have no amounts, so their shares of the blend are unknown"
    )
    assert raised.value.hint == (
        "give each solvent its part of the blend (e.g. `amount: 1` and `unit: vol` for a 1:1 volume ratio)"
    )


def test_solvents_without_amounts_are_named_by_material_else_as_written() -> None:
    """A resolved solvent is named by its material id, one not resolved by its name in the text."""
    blend = Formulation(
        "1 M LiFSI in DME/TTE",
        (
            Component("LiFSI", Role.SALT, 1.0, Amount.MOLAR, 0, 5, "lifsi"),
            Component("DME", Role.SOLVENT, None, None, 12, 15, "dme"),
            Component("TTE", Role.DILUENT, None, None, 16, 19, None),
        ),
    )
    with pytest.raises(DescriptorError, match=r"^the solvents dme, TTE have no amounts"):
        moles(blend, DATA)


def test_a_wt_percent_additive_without_an_amount_leaves_the_others_share_exact() -> None:
    """An amount-less wt% additive adds nothing, to the molecules or to the shares' sum: 5 wt%
    VC beside it is still 5 % of the whole mass."""
    formulation = components_of(
        [
            {"material": "lifsi", "role": "salt", "amount": 1, "unit": "M"},
            {"material": "dme", "role": "solvent"},
            {"material": "vc", "role": "additive", "amount": 5, "unit": "wt%"},
            {"material": "ec", "role": "additive", "unit": "wt%"},
        ]
    )
    found = moles(formulation, DATA)
    grams = [found[i] * W[material] for i, material in enumerate(["lifsi", "dme", "vc", "ec"])]
    assert found[3] == 0.0
    assert grams[2] / sum(grams) == pytest.approx(0.05, rel=1e-12)


def test_every_descriptor_says_what_it_is() -> None:
    expected = {"ratio_f_c": "F atoms per C atom", "ratio_o_c": "O atoms per C atom"}
    for element in ("F", "O", "C", "N", "S"):
        e = element.lower()
        expected[f"frac_{e}"] = f"atomic fraction of {element} in the electrolyte (all atoms counted)"
        expected[f"frac_{e}_solvent"] = f"atomic fraction of {element} from solvents and diluents"
        expected[f"frac_{e}_anion"] = f"atomic fraction of {element} from salt anions"
    assert expected == DESCRIPTORS == _descriptor_names()
