"""Electrolyte formulations: the shorthand papers print, parsed and resolved to materials.

:func:`parse` reads the text as papers print it (the grammar, the conventions and the amounts
refused are in :mod:`limkb.analysis.notation`); :func:`resolve` turns its names into material
ids, with roles from the form (a blend member whose material is a diluent only becomes a
diluent); :func:`components_of` reads the list form. The types live in
:mod:`limkb.analysis.components` and are imported from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from limkb.analysis.components import (
    PERCENT_BASES,
    RATIO_BASES,
    Amount,
    Component,
    Conventions,
    Formulation,
    FormulationError,
    Role,
    UnknownMaterialError,
)
from limkb.analysis.notation import EXAMPLES, parse
from limkb.report import close_matches

__all__ = [
    "EXAMPLES",
    "PERCENT_BASES",
    "RATIO_BASES",
    "Amount",
    "Component",
    "Conventions",
    "Formulation",
    "FormulationError",
    "MaterialIndex",
    "Role",
    "UnknownMaterialError",
    "components_of",
    "normalise_name",
    "parse",
    "resolve",
]


# --- names to materials -------------------------------------------------------------------

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁺⁻", "0123456789+-")


def normalise_name(name: str) -> str:
    """A name as it is looked up: subscripts as digits, case, blanks and hyphens ignored."""
    return re.sub(r"[\s\-_–]", "", name.translate(_SUBSCRIPTS)).casefold()


@dataclass
class MaterialIndex:
    """Every way a material may be named (id, name, aliases, formula), for :func:`resolve`."""

    names: dict[str, str] = field(default_factory=dict)
    """Normalised name -> material id."""
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    """Material id -> its roles."""
    shown: dict[str, str] = field(default_factory=dict)
    """Normalised name -> the name as the entry writes it (for suggestions)."""

    @classmethod
    def of(cls, materials: Iterable[tuple[str, Sequence[str], Iterable[str]]]) -> MaterialIndex:
        """From (id, [name, aliases..., formula], roles) of each material; the first to claim a name keeps it."""
        index = cls()
        for material_id, names, roles in materials:
            index.roles[material_id] = frozenset(roles)
            for name in (material_id, *names):
                key = normalise_name(name)
                if key and key not in index.names:
                    index.names[key] = material_id
                    index.shown[key] = name
                elif key and index.names.get(key) == material_id and index.shown.get(key) == material_id:
                    index.shown[key] = name  # show the name as written (DME), not the id (dme)
        return index

    def find(self, name: str) -> str | None:
        return self.names.get(normalise_name(name))

    def knows(self, name: str) -> bool:
        """Whether ``name`` names a material: what :func:`parse` asks of a hyphenated name."""
        return normalise_name(name) in self.names

    def suggest(self, name: str) -> list[str]:
        keys = close_matches(normalise_name(name), list(self.names), n=3, cutoff=0.6)
        return [f"{self.shown[k]}" for k in keys]


def resolve(formulation: Formulation, index: MaterialIndex) -> tuple[Formulation, list[FormulationError]]:
    """The formulation with each component's material id, and an error for each unknown name.

    A member of the blend whose material is a diluent and not a solvent becomes a diluent.
    """
    errors: list[FormulationError] = []
    components = []
    for component in formulation.components:
        material = index.find(component.name)
        if material is None:
            close = index.suggest(component.name)
            errors.append(
                UnknownMaterialError(
                    component.name,
                    f"{component.name!r} is not a material"
                    + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""),
                    component.end - len(component.name),
                    component.end,
                    (
                        f"write {close[0]!r} if that is the compound meant; otherwise add the material "
                        "(`limkb new material <id>`) or this name to an existing material's `aliases:`"
                        if close
                        else "add it as a material entry (`limkb new material <id>`) with this name as an alias"
                    )
                    + " (CONTRIBUTING.md, 'Electrolyte formulations')",
                )
            )
            components.append(component)
            continue
        role = component.role
        roles = index.roles.get(material, frozenset())
        if role is Role.SOLVENT and "diluent" in roles and "solvent" not in roles:
            role = Role.DILUENT
        components.append(
            Component(
                component.name,
                role,
                component.amount,
                component.unit,
                component.start,
                component.end,
                material,
            )
        )
    return Formulation(formulation.text, tuple(components)), errors


def components_of(data: Sequence[Mapping[str, object]]) -> Formulation:
    """A formulation written as a list of components (``{material, role, amount, unit}``)."""
    units = {a.value: a for a in Amount} | {
        "mol/L": Amount.MOLAR,
        "v/v": Amount.RATIO_VOL,
        "w/w": Amount.RATIO_WT,
        "mol": Amount.RATIO_MOL,
    }
    components = []
    for item in data:
        role = Role(str(item["role"]))
        amount = item.get("amount")
        unit = item.get("unit")
        components.append(
            Component(
                str(item["material"]),
                role,
                None if amount is None else float(str(amount)),
                None if unit is None else units[str(unit)],
                0,
                0,
                str(item["material"]),
            )
        )
    return Formulation("", tuple(components))
