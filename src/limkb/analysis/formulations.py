"""Electrolyte formulations: the shorthand papers write, parsed into components.

A formulation is written as papers write it, and parsed into the same components whatever
the spelling::

    1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC
    1 M LiTFSI in DOL/DME (1:1 vol) + 2 wt% LiNO3
    4 M LiFSI in DME
    0.6 M LiTFSI + 0.4 M LiBOB in EC:EMC (3:7 w/w)
    LiFSI-1.2DME-3TTE                      (molar ratios: salt, then solvents and diluents)
    1 mol/kg LiFSI in DME

The grammar (spaces are free; names are material ids, names, aliases or formulas)::

    formulation := ratios | salts [ "in" blend ] { "+" additive } | blend { "+" additive }
    ratios      := [number] name { "-" number name }          LiFSI-1.2DME-3TTE
    salts       := salt { "+" salt }                          salt := amount ("M" | "mol/kg") name
    blend       := name { (":" | "/") name } [ "(" ratio [basis] ")" ]
    ratio       := number { (":" | "/") number }              basis := v/v | vol | w/w | wt | mol
    additive    := amount ("wt%" | "vol%" | "mol%" | "M" | "mol/kg") name

A blend of two or more solvents needs its ratio, with as many numbers as solvents; a ratio
without a basis is a volume ratio. :func:`parse` checks the form only; :func:`resolve`
turns names into material ids, roles from the form (salts before ``in``, the blend's
members solvents or, when the material is a diluent only, diluents; what follows ``+``
additives). Every mistake is a :class:`FormulationError` with its place in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from limkb.errors import TextError
from limkb.report import close_matches

__all__ = [
    "Amount",
    "Component",
    "Formulation",
    "FormulationError",
    "MaterialIndex",
    "Role",
    "normalise_name",
    "parse",
    "resolve",
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


class FormulationError(TextError):
    """A mistake in a formulation, at ``start``..``end`` of its text, with a fix."""


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


_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_RATIO_NAME = r"[A-Za-z][A-Za-z0-9]*"
_RATIO_FORM = re.compile(
    rf"^\s*(?:({_NUMBER})\s*)?({_RATIO_NAME})((?:\s*-\s*(?:{_NUMBER})\s*{_RATIO_NAME})+)\s*$"
)
_RATIO_PART = re.compile(rf"-\s*({_NUMBER})\s*({_RATIO_NAME})")
_AMOUNT = re.compile(
    rf"({_NUMBER})\s*(mol\s*/\s*kg|mol\s+kg-1|mol\s*/\s*l|mol\s+l-1|wt\s*\.?\s*%|vol\s*\.?\s*%|v\s*%|"
    r"w\s*%|mol\s*\.?\s*%|m(?![a-z0-9])|%)",
    re.IGNORECASE,
)
_GROUP = re.compile(
    rf"\(\s*((?:{_NUMBER})(?:\s*[:/]\s*(?:{_NUMBER}))*)\s*"
    r"(v\s*/\s*v|vol\.?|by\s+vol(?:ume)?|volume|w\s*/\s*w|wt\.?|by\s+w(?:eigh)?t|by\s+mass|weight|mass|"
    r"m\s*/\s*m|mol\.?|by\s+mol(?:es)?|molar)?\s*\)",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^\s:/+()]+(?:\([^\s:/+()]*\)[^\s:/+()]*)*")
"""A name: no blanks or separators, though balanced brackets are allowed (``LiN(SO2F)2``)."""
_IN = re.compile(r"in(?![^\s:/+()])", re.IGNORECASE)

_BASIS = {"v": Amount.RATIO_VOL, "w": Amount.RATIO_WT, "m": Amount.RATIO_MOL}

EXAMPLES = (
    "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",
    "4 M LiFSI in DME",
    "LiFSI-1.2DME-3TTE",
)


def _amount_unit(text: str) -> Amount:
    word = re.sub(r"[\s.]", "", text).lower()
    if word in ("m", "mol/l", "moll-1"):
        return Amount.MOLAR
    if word in ("mol/kg", "molkg-1"):
        return Amount.MOLAL
    if word in ("wt%", "w%", "%"):
        return Amount.WT_PERCENT
    if word in ("vol%", "v%"):
        return Amount.VOL_PERCENT
    return Amount.MOL_PERCENT


def _basis(text: str | None) -> Amount:
    if not text:
        return Amount.RATIO_VOL
    word = re.sub(r"\s", "", text).lower().removeprefix("by")
    if word.startswith("mol"):
        return Amount.RATIO_MOL
    if word.startswith(("w", "mass")) or word == "m/m":
        return Amount.RATIO_WT
    return Amount.RATIO_VOL


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def done(self) -> bool:
        self.skip()
        return self.at >= len(self.text)

    def peek(self, char: str) -> bool:
        self.skip()
        return self.text.startswith(char, self.at)

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self.skip()
        found = pattern.match(self.text, self.at)
        if found is not None:
            self.at = found.end()
        return found

    def fail(self, message: str, hint: str, width: int = 1) -> FormulationError:
        self.skip()
        return FormulationError(message, self.at, min(len(self.text), self.at + width), hint)

    def name(self, what: str) -> tuple[str, int, int]:
        self.skip()
        found = _NAME.match(self.text, self.at)
        if found is None or _IN.fullmatch(found.group(0)):
            shown = self.text[self.at : self.at + 12] or "the end"
            raise self.fail(
                f"expected the name of {what}, found {shown!r}",
                f"name a material by its id, name, abbreviation or formula, e.g. {EXAMPLES[0]!r}",
            )
        self.at = found.end()
        return found.group(0), found.start(), found.end()


def parse(text: str) -> Formulation:
    """Parse a formulation's text (see the module's grammar); raises :class:`FormulationError`."""
    if not text.strip():
        raise FormulationError(
            "the formulation is empty", 0, len(text), f"write it as papers do, e.g. {EXAMPLES[0]!r}"
        )
    ratio = _RATIO_FORM.match(text)
    if ratio is not None:
        return _parse_ratios(text, ratio)
    scan = _Scanner(text)
    components: list[Component] = []
    amount = scan.match(_AMOUNT)
    if amount is not None:
        while True:
            name, start, end = scan.name("a salt")
            unit = _amount_unit(amount.group(2))
            if unit not in (Amount.MOLAR, Amount.MOLAL):
                raise FormulationError(
                    f"{name!r} comes first with {amount.group(0)!r}: a salt's amount is a concentration",
                    amount.start(),
                    end,
                    "give the salt in M (mol/L) or mol/kg, e.g. '1 M LiPF6 in ...'; "
                    "additives follow the solvents after '+'",
                )
            components.append(Component(name, Role.SALT, float(amount.group(1)), unit, amount.start(), end))
            if not scan.peek("+"):
                break
            mark = scan.at
            scan.at += 1
            amount = scan.match(_AMOUNT)
            if amount is None or _amount_unit(amount.group(2)) not in (Amount.MOLAR, Amount.MOLAL):
                scan.at = mark  # an additive: the salts had no solvent named
                break
        if scan.match(_IN) is not None:
            components.extend(_parse_blend(scan))
        elif not scan.done() and not scan.peek("+"):
            raise scan.fail(
                f"expected 'in' and the solvents, or '+' and an additive, found {text[scan.at :]!r}",
                f"write e.g. {EXAMPLES[0]!r}",
                width=len(text) - scan.at,
            )
    else:
        components.extend(_parse_blend(scan))
    while not scan.done():
        if not scan.peek("+"):
            raise scan.fail(
                f"expected '+' and an additive, found {text[scan.at :]!r}",
                "join further components with '+', each with its amount, e.g. '+ 2 wt% VC'",
                width=len(text) - scan.at,
            )
        scan.at += 1
        amount = scan.match(_AMOUNT)
        if amount is None:
            name, start, end = scan.name("an additive")
            raise FormulationError(
                f"additive {name!r} has no amount",
                start,
                end,
                f"write its amount with a unit before it: '2 wt% {name}', '5 vol% {name}', '0.1 M {name}'",
            )
        name, _, end = scan.name("an additive")
        components.append(
            Component(
                name,
                Role.ADDITIVE,
                float(amount.group(1)),
                _amount_unit(amount.group(2)),
                amount.start(),
                end,
            )
        )
    return Formulation(text, tuple(components))


def _parse_blend(scan: _Scanner) -> list[Component]:
    names = [scan.name("a solvent")]
    while scan.peek(":") or scan.peek("/"):
        scan.at += 1
        names.append(scan.name("a solvent"))
    group = scan.match(_GROUP)
    if group is None:
        if scan.peek("("):
            raise scan.fail(
                f"cannot read the ratio {scan.text[scan.at :].split(')')[0] + ')'!r}",
                "write the ratio as numbers with its basis, e.g. '(1:1 v/v)', '(3:7 w/w)', '(1:2 mol)'",
            )
        if len(names) > 1:
            first, last = names[0][1], names[-1][2]
            raise FormulationError(
                f"the solvents {':'.join(n for n, _, _ in names)} have no ratio",
                first,
                last,
                f"give their ratio after them, e.g. '{':'.join(n for n, _, _ in names)} "
                f"({':'.join('1' for _ in names)} v/v)'",
            )
        name, start, end = names[0]
        return [Component(name, Role.SOLVENT, 1.0, Amount.RATIO_VOL, start, end)]
    parts = [float(p) for p in re.split(r"\s*[:/]\s*", group.group(1).strip())]
    if len(parts) != len(names):
        raise FormulationError(
            f"{len(names)} solvent{'s' if len(names) > 1 else ''} but a ratio of {len(parts)} "
            f"number{'s' if len(parts) > 1 else ''} ({group.group(1)})",
            group.start(),
            group.end(),
            "give one number per solvent, in the order the solvents are named",
        )
    if any(p <= 0 for p in parts):
        raise FormulationError(
            "a ratio's parts must be positive",
            group.start(),
            group.end(),
            "leave out a solvent with no share",
        )
    basis = _basis(group.group(2))
    return [
        Component(name, Role.SOLVENT, part, basis, start, end)
        for (name, start, end), part in zip(names, parts, strict=True)
    ]


def _parse_ratios(text: str, found: re.Match[str]) -> Formulation:
    first = float(found.group(1)) if found.group(1) else 1.0
    components = [Component(found.group(2), Role.SALT, first, Amount.RATIO_MOL, found.start(2), found.end(2))]
    base = found.start(3)
    for part in _RATIO_PART.finditer(found.group(3)):
        coefficient = float(part.group(1))
        if coefficient <= 0:
            raise FormulationError(
                "a molar ratio's parts must be positive",
                base + part.start(1),
                base + part.end(1),
                "leave out a component with no share",
            )
        components.append(
            Component(
                part.group(2),
                Role.SOLVENT,
                coefficient,
                Amount.RATIO_MOL,
                base + part.start(2),
                base + part.end(2),
            )
        )
    return Formulation(text, tuple(components))


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
                FormulationError(
                    f"{component.name!r} is not a material"
                    + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""),
                    component.end - len(component.name),
                    component.end,
                    (
                        f"write {close[0]!r}, or add the material"
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
