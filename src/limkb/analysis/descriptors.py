"""Atomic-fraction descriptors of an electrolyte, computed from its formulation.

The data-driven electrolyte literature (e.g. Kim et al., PNAS 2023, the review's ref. 41)
describes an electrolyte by the share of each element among all its atoms: every atom of
every molecule counted, H and Li included. Each element is also split by origin: atoms of
the solvents and diluents (and of additives that are not salts) against atoms of the salt
anions (a salt's atoms less its one Li). From these come ratios such as F/C and O/C.

Amounts become moles per basis:

- a molar-ratio formulation (``LiFSI-1.2DME-3TTE``) is its coefficients;
- a molarity ``c M`` means c mol of salt per litre of the solvent blend (the convention of
  the descriptor literature: the salt's own volume is ignored), so the blend's moles per
  litre need each solvent's density and molar mass;
- a molality ``b mol/kg`` means b mol per kg of the blend (molar masses only);
- a blend's ratio is by volume (densities needed to reach moles), weight or moles;
- an additive in ``wt%`` is that share of the whole electrolyte's mass, in ``vol%`` that
  many litres per 100 L of the solvent blend (5 vol% FEC: 0.05 L per litre; the additive's
  density needed), in ``mol%`` that share of all molecules, in ``M`` mol per litre of blend.
  The molarity and vol% conventions are those of Kim et al.'s descriptor dataset, whose
  published fractions the tests reproduce.

A density that a computation needs and the material lacks is a :class:`DescriptorError`
naming the material. Worked example (checked by the tests): ``LiFSI-1DME-3TTE`` has
10 + 16 + 3 x 18 = 80 atoms per LiFSI, so F = (2 + 24)/80 = 0.325, solvent O =
(2 + 3)/80 = 0.0625 and anion F = 2/80 = 0.025.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from limkb.analysis.formulations import Amount, Component, Formulation, Role

__all__ = [
    "ATOMIC_WEIGHTS",
    "DESCRIPTORS",
    "DescriptorError",
    "MaterialData",
    "atoms",
    "compute_descriptors",
    "molar_mass",
]

ATOMIC_WEIGHTS: dict[str, float] = {
    "H": 1.008,
    "Li": 6.94,
    "Be": 9.0122,
    "B": 10.81,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "F": 18.998,
    "Na": 22.99,
    "Mg": 24.305,
    "Al": 26.982,
    "Si": 28.085,
    "P": 30.974,
    "S": 32.06,
    "Cl": 35.45,
    "K": 39.098,
    "Ca": 40.078,
    "Sc": 44.956,
    "Ti": 47.867,
    "V": 50.942,
    "Cr": 51.996,
    "Mn": 54.938,
    "Fe": 55.845,
    "Co": 58.933,
    "Ni": 58.693,
    "Cu": 63.546,
    "Zn": 65.38,
    "Ga": 69.723,
    "Ge": 72.63,
    "As": 74.922,
    "Se": 78.971,
    "Br": 79.904,
    "Rb": 85.468,
    "Sr": 87.62,
    "Y": 88.906,
    "Zr": 91.224,
    "Nb": 92.906,
    "Mo": 95.95,
    "Pd": 106.42,
    "Ag": 107.87,
    "Cd": 112.41,
    "In": 114.82,
    "Sn": 118.71,
    "Sb": 121.76,
    "Te": 127.6,
    "I": 126.9,
    "Cs": 132.91,
    "Ba": 137.33,
    "La": 138.91,
    "Ce": 140.12,
    "Gd": 157.25,
    "Hf": 178.49,
    "Ta": 180.95,
    "W": 183.84,
    "Pt": 195.08,
    "Au": 196.97,
    "Hg": 200.59,
    "Tl": 204.38,
    "Pb": 207.2,
    "Bi": 208.98,
}
"""Standard atomic weights (IUPAC, abridged to five significant figures), in g/mol."""

ELEMENTS = ("F", "O", "C", "N", "S")
"""The elements whose fractions are descriptors."""


def _descriptor_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for element in ELEMENTS:
        e = element.lower()
        names[f"frac_{e}"] = f"atomic fraction of {element} in the electrolyte (all atoms counted)"
        names[f"frac_{e}_solvent"] = f"atomic fraction of {element} from solvents and diluents"
        names[f"frac_{e}_anion"] = f"atomic fraction of {element} from salt anions"
    names["ratio_f_c"] = "F atoms per C atom"
    names["ratio_o_c"] = "O atoms per C atom"
    return names


DESCRIPTORS: dict[str, str] = _descriptor_names()
"""Every descriptor an analysis may name, with what it is (all dimensionless)."""


class DescriptorError(ValueError):
    """A descriptor that cannot be computed, and what would make it computable."""

    def __init__(self, message: str, hint: str, material: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.material = material


@dataclass(frozen=True)
class MaterialData:
    """What descriptors need of a material: its formula and, for volumes, its density (g/cm3)."""

    formula: str | None
    density: float | None = None
    salt: bool = False
    density_not_found: bool = False
    """The material records that no density was found (rather than leaving it out)."""


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)|([(\[])|([)\]])([nx](?![a-z])|\d*\.?\d*)|(\s+|·)")


def atoms(formula: str) -> dict[str, float]:
    """The atoms of a formula in plain ASCII (``LiN(SO2F)2``, ``C4H10O2``, ``Li[B(C2O4)2]``;
    a polymer's ``(C2H4O)n`` is one repeat unit)."""
    formula = formula.translate(_SUBSCRIPTS)
    stack: list[dict[str, float]] = [{}]
    at = 0
    while at < len(formula):
        found = _TOKEN.match(formula, at)
        if found is None:
            raise DescriptorError(
                f"cannot read the formula {formula!r} at {formula[at:]!r}",
                "write the formula in plain ASCII with element symbols, digits and brackets, e.g. LiN(SO2F)2",
            )
        element, count, opening, closing, group_count, _blank = found.groups()
        if element:
            if element not in ATOMIC_WEIGHTS:
                raise DescriptorError(
                    f"{element!r} in the formula {formula!r} is not an element limkb knows",
                    "check the formula's capitals (e.g. 'Co' is cobalt, 'CO' carbon and oxygen)",
                )
            stack[-1][element] = stack[-1].get(element, 0.0) + (float(count) if count else 1.0)
        elif opening:
            stack.append({})
        elif closing:
            if len(stack) == 1:
                raise DescriptorError(
                    f"unbalanced bracket in the formula {formula!r}", "balance the brackets"
                )
            group = stack.pop()
            # a polymer's repeat unit, ``(C2H4O)n``, counts once: fractions are per unit
            times = float(group_count) if group_count and group_count not in "nx" else 1
            for key, value in group.items():
                stack[-1][key] = stack[-1].get(key, 0.0) + value * times
        at = found.end()
    if len(stack) != 1:
        raise DescriptorError(f"unbalanced bracket in the formula {formula!r}", "balance the brackets")
    return stack[0]


def molar_mass(formula: str) -> float:
    """Molar mass in g/mol from a formula."""
    return sum(ATOMIC_WEIGHTS[element] * count for element, count in atoms(formula).items())


class _Materials:
    def __init__(self, data: Mapping[str, MaterialData]) -> None:
        self.data = data

    def get(self, material: str) -> MaterialData:
        found = self.data.get(material)
        if found is None or not found.formula:
            raise DescriptorError(
                f"material {material!r} has no formula",
                f"add `formula:` to kb/materials/{material}.yaml (plain ASCII, e.g. C4H10O2)",
                material,
            )
        return found

    def mass(self, material: str) -> float:
        return molar_mass(self.get(material).formula or "")

    def density(self, material: str, why: str) -> float:
        found = self.get(material)
        if found.density is None and found.density_not_found:
            raise DescriptorError(
                f"material {material!r} has no density (kb/materials/{material}.yaml records that none "
                f"was found), which {why} needs",
                "write the formulation as a molar ratio (`LiFSI-1.2DME-3TTE`), or add the density with its "
                "source if you find one",
                material,
            )
        if found.density is None:
            raise DescriptorError(
                f"material {material!r} has no density, which {why} needs",
                f"add `density: {{value: ..., unit: g/cm3, source: {{ref: ..., locator: ...}}}}` to "
                f"kb/materials/{material}.yaml, or write the formulation as a molar ratio",
                material,
            )
        return found.density


def _blend_shares(members: list[tuple[int, Component]]) -> dict[int, float]:
    """Each blend member's share of the blend: one member is all of it; several need amounts."""
    if len(members) == 1:
        return {members[0][0]: 1.0}
    total = sum(c.amount or 0.0 for _, c in members)
    if total <= 0:
        names = ", ".join(c.material or c.name for _, c in members)  # a parsed name is never empty
        raise DescriptorError(
            f"the solvents {names} have no amounts, so their shares of the blend are unknown",
            "give each solvent its part of the blend (e.g. `amount: 1` and `unit: vol` for a 1:1 "
            "volume ratio)",
        )
    return {i: (c.amount or 0.0) / total for i, c in members}


def _blend_moles(formulation: Formulation, materials: _Materials, basis: str) -> dict[int, float]:
    """Moles of each blend member (by component index) in 1 L (``basis='L'``) or 1 kg of blend."""
    members = [(i, c) for i, c in enumerate(formulation.components) if c.role in (Role.SOLVENT, Role.DILUENT)]
    if not members:
        return {}
    kind = members[0][1].unit
    shares = _blend_shares(members)
    ids = {i: c.material or c.name for i, c in members}
    why = "a molarity (mol per litre of solvent)" if basis == "L" else "a volume ratio"
    if len(members) == 1:
        kind = Amount.RATIO_WT if basis == "kg" else Amount.RATIO_VOL
    if kind is Amount.RATIO_VOL:
        grams = {i: shares[i] * 1000 * materials.density(ids[i], why) for i in shares}  # per litre
        if basis == "kg":
            scale = 1000 / sum(grams.values())
            grams = {i: g * scale for i, g in grams.items()}
        return {i: g / materials.mass(ids[i]) for i, g in grams.items()}
    if kind is Amount.RATIO_WT:
        grams = {i: shares[i] * 1000 for i in shares}  # per kg
        if basis == "L":
            litres = sum(g / (1000 * materials.density(ids[i], why)) for i, g in grams.items())
            grams = {i: g / litres for i, g in grams.items()}
        return {i: g / materials.mass(ids[i]) for i, g in grams.items()}
    # molar ratio within the blend
    grams_per_mol = sum(shares[i] * materials.mass(ids[i]) for i in shares)
    if basis == "kg":
        moles = 1000 / grams_per_mol
    else:
        litres_per_mol = sum(
            shares[i] * materials.mass(ids[i]) / (1000 * materials.density(ids[i], why)) for i in shares
        )
        moles = 1 / litres_per_mol
    return {i: shares[i] * moles for i in shares}


def moles(formulation: Formulation, data: Mapping[str, MaterialData]) -> dict[int, float]:
    """Moles of each component, by its index, on one consistent basis.

    A formulation whose salts are counted in a molar ratio (``LiFSI-1.2DME-3TTE``,
    ``LiFSI DME-TTE (1:1.2:3)``) is its coefficients; a concentration or a vol% added to it
    is reckoned on the litres (or kilograms) that those moles of solvent fill.
    """
    materials = _Materials(data)
    components = formulation.components
    blend = [i for i, c in enumerate(components) if c.role in (Role.SOLVENT, Role.DILUENT)]

    def ident(i: int) -> str:
        return components[i].material or components[i].name

    def kilograms() -> float:
        return sum(found[j] * materials.mass(ident(j)) for j in blend if j in found) / 1000

    def litres() -> float:
        why = "an amount per litre added to a molar ratio"
        return sum(
            found[j] * materials.mass(ident(j)) / (1000 * materials.density(ident(j), why))
            for j in blend
            if j in found
        )

    counted = any(c.role is Role.SALT and c.unit is Amount.RATIO_MOL for c in components)
    if counted:
        found = {i: c.amount or 0.0 for i, c in enumerate(components) if c.unit is Amount.RATIO_MOL}
        per_litre = litres if any(c.unit in (Amount.MOLAR, Amount.VOL_PERCENT) for c in components) else None
        per_kg = kilograms
    else:
        units = {c.unit for c in components}
        basis = "L" if units & {Amount.MOLAR, Amount.VOL_PERCENT} else "kg"
        found = _blend_moles(formulation, materials, basis)
        per_litre = (lambda: 1.0) if basis == "L" else None
        per_kg = kilograms if basis == "L" else (lambda: 1.0)
    litre = per_litre() if per_litre is not None else 1.0
    kilogram = per_kg() if any(c.unit is Amount.MOLAL for c in components) else 1.0
    for i, c in enumerate(components):
        if i in found or c.role in (Role.SOLVENT, Role.DILUENT):
            continue
        amount = c.amount or 0.0
        if c.unit is Amount.MOLAR:
            found[i] = amount * litre  # per litre of blend
        elif c.unit is Amount.MOLAL:
            found[i] = amount * kilogram  # per kg of blend
        elif c.unit is Amount.VOL_PERCENT:
            material = ident(i)
            volume = amount / 100 * litre  # x vol% adds x/100 L per litre of blend, as Kim et al. count it
            found[i] = volume * 1000 * materials.density(material, "a vol% amount") / materials.mass(material)
    # shares of the whole come last, once everything else is known
    percent = [(i, c) for i, c in enumerate(components) if c.unit in (Amount.WT_PERCENT, Amount.MOL_PERCENT)]
    for unit in (Amount.WT_PERCENT, Amount.MOL_PERCENT):
        group = [(i, c) for i, c in percent if c.unit is unit]
        share = sum(c.amount or 0.0 for _, c in group)
        if not group:
            continue
        if share >= 100:
            raise DescriptorError(
                f"the {unit.value} additives add up to {share:g} %, the whole electrolyte or more",
                "check the amounts",
            )
        if unit is Amount.WT_PERCENT:
            rest = sum(
                n * materials.mass(components[j].material or components[j].name) for j, n in found.items()
            )
            for i, c in group:
                grams = (c.amount or 0.0) / (100 - share) * rest
                found[i] = grams / materials.mass(c.material or c.name)
        else:
            rest = sum(found.values())
            for i, c in group:
                found[i] = (c.amount or 0.0) / (100 - share) * rest
    return found


def compute_descriptors(formulation: Formulation, data: Mapping[str, MaterialData]) -> dict[str, float]:
    """Every :data:`DESCRIPTORS` value of a resolved formulation."""
    counts = moles(formulation, data)
    materials = _Materials(data)
    total: defaultdict[str, float] = defaultdict(float)
    solvent: defaultdict[str, float] = defaultdict(float)
    anion: defaultdict[str, float] = defaultdict(float)
    for i, n in counts.items():
        component = formulation.components[i]
        material = component.material or component.name
        found = materials.get(material)
        its_atoms = atoms(found.formula or "")
        salt = component.role is Role.SALT or (component.role is Role.ADDITIVE and found.salt)
        for element, count in its_atoms.items():
            total[element] += n * count
            if salt:
                if element == "Li":
                    continue  # the cation (one Li per lithium salt) is neither anion nor solvent
                anion[element] += n * count
            else:
                solvent[element] += n * count
    everything = sum(total.values())
    if everything <= 0:
        raise DescriptorError("the formulation has no atoms", "check the amounts")
    values: dict[str, float] = {}
    for element in ELEMENTS:
        e = element.lower()
        values[f"frac_{e}"] = total[element] / everything
        values[f"frac_{e}_solvent"] = solvent[element] / everything
        values[f"frac_{e}_anion"] = anion[element] / everything
    carbon = total["C"]
    values["ratio_f_c"] = total["F"] / carbon if carbon else float("nan")
    values["ratio_o_c"] = total["O"] / carbon if carbon else float("nan")
    return values
