"""What a parsed electrolyte is: its components, their roles and amounts, the conventions that
settle what a printed formulation leaves unsaid, and the mistakes reading one can find.

:mod:`limkb.analysis.notation` parses the printed text into these; :mod:`limkb.analysis.formulations`
resolves their names to materials and is where callers import them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from limkb.errors import TextError

__all__ = [
    "NO_CONVENTIONS",
    "PERCENT_BASES",
    "RATIO_BASES",
    "Amount",
    "Component",
    "Conventions",
    "Formulation",
    "FormulationError",
    "Role",
    "UnknownMaterialError",
]


class Role(StrEnum):
    """What a component is in an electrolyte."""

    SALT = "salt"
    SOLVENT = "solvent"
    DILUENT = "diluent"
    ADDITIVE = "additive"


class Amount(StrEnum):
    """How a component's amount is stated."""

    MOLAR = "M"  # mol per litre (of solvent, by the descriptor convention)
    MOLAL = "mol/kg"  # mol per kg of solvent
    RATIO_MOL = "mol ratio"  # parts by moles within the blend, or coefficients of a ratio form
    RATIO_VOL = "vol ratio"  # parts by volume within the blend
    RATIO_WT = "wt ratio"  # parts by weight within the blend
    WT_PERCENT = "wt%"  # share of the whole electrolyte's mass
    VOL_PERCENT = "vol%"  # litres per 100 L of the solvent blend
    MOL_PERCENT = "mol%"  # share of all molecules


RATIO_BASES = {"vol": Amount.RATIO_VOL, "wt": Amount.RATIO_WT, "mol": Amount.RATIO_MOL}
"""The words a dataset (or ``limkb descriptors --ratio``) declares a ratio's basis with."""
PERCENT_BASES = {"wt": Amount.WT_PERCENT, "vol": Amount.VOL_PERCENT, "mol": Amount.MOL_PERCENT}
"""The words a dataset (or ``limkb descriptors --percent``) declares a bare ``%`` with."""


class FormulationError(TextError):
    """A mistake in a formulation, at ``start``..``end`` of its text, with a fix."""

    code = "bad-formulation"


class UnknownMaterialError(FormulationError):
    """A name in a formulation that is no material of the knowledge base."""

    code = "unknown-material"

    def __init__(self, name: str, message: str, start: int, end: int, hint: str) -> None:
        super().__init__(message, start, end, hint)
        self.name = name


@dataclass(frozen=True)
class Conventions:
    """What a dataset declares once for its formulations: the basis of a ratio written
    without one, and what a bare ``%`` is. ``None`` leaves it undeclared (an error)."""

    ratio: Amount | None = None
    percent: Amount | None = None

    @classmethod
    def of(cls, ratio: str | None = None, percent: str | None = None) -> Conventions:
        """From the declared words: ``Conventions.of(ratio="vol", percent="wt")``."""
        return cls(RATIO_BASES[ratio] if ratio else None, PERCENT_BASES[percent] if percent else None)


NO_CONVENTIONS = Conventions()


@dataclass(frozen=True)
class Component:
    """One component as written: its name, role, amount and where it sits in the text."""

    name: str
    role: Role
    amount: float | None
    unit: Amount | None
    start: int
    end: int
    material: str | None = None
    """The material id, once :func:`resolve` has looked the name up."""


@dataclass(frozen=True)
class Formulation:
    """A parsed electrolyte: its text as written and its components."""

    text: str
    components: tuple[Component, ...]

    @property
    def salts(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.role is Role.SALT)

    def describe(self) -> str:
        """One line per component, for messages and pages: ``LiFSI (salt, 4 M)``."""
        parts = []
        for c in self.components:
            amount = "" if c.amount is None else f", {c.amount:g} {c.unit.value if c.unit else ''}".rstrip()
            parts.append(f"{c.material or c.name} ({c.role.value}{amount})")
        return "; ".join(parts)
