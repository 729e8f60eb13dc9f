"""The chemistry a material entry carries: its identifiers and its physical properties.

A molecular material is written as a SMILES (salts as dot-disconnected ions,
``[Li+].F[P-](F)(F)(F)(F)F``), optionally with its CAS number (checked by its check digit)
and its PubChem compound id; ``identifiers_source`` says where they were taken from. Its
density and other physical properties are values with a unit and a source each, at a stated
temperature where the value depends on it. A density that was looked for and not found is
said so (``density: {status: not found, note: ...}``), so a reader knows it was not forgotten.

The checks that need RDKit (the SMILES is readable, the formula agrees with it) run in
:mod:`limkb.check.rules`; this module only describes the fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, Strict, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from limkb.schema.fields import (
    ClosedModel,
    Markdown,
    Number,
    Quantity,
    Source,
    Temperature,
    Text,
    _no_controls,
    unit_bounds,
)
from limkb.schema.units import UnitError, convert, parse_unit

__all__ = [
    "PROPERTY_LABELS",
    "PROPERTY_UNITS",
    "Cas",
    "MaterialDensity",
    "MaterialProperty",
    "PhysicalProperty",
    "Smiles",
    "cas_check_digit",
    "property_label",
    "property_value",
]

_CAS = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def cas_check_digit(digits: str) -> int:
    """The check digit of a CAS number's first two parts (``"11071"`` for 110-71-4 gives 4):
    the sum of each digit times its place counted from the right, modulo 10."""
    return sum(int(d) * place for place, d in enumerate(reversed(digits), start=1)) % 10


def _cas(text: str) -> str:
    found = _CAS.match(text)
    if found is None:
        raise PydanticCustomError(
            "bad-cas",
            "'{text}' is not a CAS registry number",
            {"text": text, "hint": "write it as three groups of digits joined by hyphens, e.g. `110-71-4`"},
        )
    expected = cas_check_digit(found.group(1) + found.group(2))
    if expected != int(found.group(3)):
        raise PydanticCustomError(
            "bad-cas",
            "CAS number {text} fails its check digit: the last digit should be {expected}",
            {
                "text": text,
                "expected": expected,
                "hint": "copy the number again from its source (a digit is mistyped or two are swapped)",
            },
        )
    return text


Cas = Annotated[str, Strict(), StringConstraints(max_length=12), AfterValidator(_cas)]
"""A CAS registry number whose check digit agrees."""


def _one_word(text: str) -> str:
    if not text or any(c.isspace() for c in text):
        raise PydanticCustomError(
            "bad-smiles",
            "'{text}' is not a SMILES: a SMILES has no blanks",
            {"text": text, "hint": "write the SMILES alone, e.g. `COCCOC`; ions of a salt are joined by `.`"},
        )
    return text


Smiles = Annotated[
    str, Strict(), StringConstraints(max_length=400), AfterValidator(_no_controls), AfterValidator(_one_word)
]
"""A SMILES string (read by RDKit in the checks)."""

PhysicalProperty = Literal[
    "dielectric-constant",
    "viscosity",
    "donor-number",
    "oxidation-limit",
    "reduction-limit",
    "homo-energy",
    "lumo-energy",
    "melting-point",
    "boiling-point",
    "flash-point",
    "density",
]

PROPERTY_UNITS: dict[str, tuple[str, str]] = {
    "density": ("density", "g/cm3"),
    "dielectric-constant": ("dimensionless", "1"),
    "viscosity": ("viscosity", "mPa s"),
    "donor-number": ("molar-energy", "kcal/mol"),
    "oxidation-limit": ("potential", "V"),
    "reduction-limit": ("potential", "V"),
    "homo-energy": ("energy", "eV"),
    "lumo-energy": ("energy", "eV"),
    "melting-point": ("temperature", "°C"),
    "boiling-point": ("temperature", "°C"),
    "flash-point": ("temperature", "°C"),
}
"""Each physical property, the dimension its unit must measure and an example unit, in the
order a material's page lists them."""

PROPERTY_LABELS: dict[str, str] = {
    "oxidation-limit": "oxidation limit (vs Li/Li⁺)",
    "reduction-limit": "reduction limit (vs Li/Li⁺)",
    "homo-energy": "HOMO energy (computed)",
    "lumo-energy": "LUMO energy (computed)",
}
"""How a property is named on a page where its id alone would mislead (a potential's reference
electrode, an orbital energy that is a computation, not a measurement)."""

_NEEDS_TEMPERATURE = frozenset({"density", "dielectric-constant", "viscosity"})

_NEEDS_NOTE: dict[str, str] = {
    "oxidation-limit": "how it was measured: e.g. `LSV at 1 mV/s on Pt, 1 M LiFSI in X, cut-off 10 µA cm-2`",
    "reduction-limit": "how it was measured: e.g. `LSV at 1 mV/s on Cu, 1 M LiFSI in X`",
    "homo-energy": "how it was computed: e.g. `DFT, B3LYP/6-311+G(d,p), isolated molecule`",
    "lumo-energy": "how it was computed: e.g. `DFT, B3LYP/6-311+G(d,p), isolated molecule`",
    "donor-number": "how it was determined: e.g. `calorimetric (Gutmann), SbCl5 in 1,2-dichloroethane`",
}
"""Properties whose value means little without its conditions: the ends of a stability window
depend on the electrode, salt, scan rate and current cut-off; an orbital energy on the level of
theory; a donor number on the method. Their ``note`` is required and says which."""


def property_label(name: str) -> str:
    """The name a page shows for the property ``name`` (``oxidation limit (vs Li/Li⁺)``)."""
    return PROPERTY_LABELS.get(name, name.replace("-", " "))


class MaterialProperty(ClosedModel):
    """A physical property of the pure material: its value and unit, the temperature it holds
    at, and its source (a property library's table, or a paper)."""

    property: PhysicalProperty = Field(
        description="Which property: `dielectric-constant`, `viscosity`, `donor-number` (Gutmann, "
        "kcal/mol), `oxidation-limit` and `reduction-limit` (measured ends of the electrochemical "
        "stability window, V vs Li/Li+), `homo-energy` and `lumo-energy` (computed orbital energies, "
        "eV; never a measured limit), `melting-point`, `boiling-point`, `flash-point`, or `density` "
        "(at another temperature than `density:`)."
    )
    value: Number = Field(description="The value, in `unit`.")
    unit: Text = Field(
        description="Its unit: `1` (dielectric constant), `mPa s`, `kcal/mol` (donor number), `V` "
        "(vs Li/Li+), `eV`, `°C` or `K`, `g/cm3`."
    )
    temperature: Temperature | None = Field(
        default=None,
        description="The temperature it holds at (needed for density, dielectric constant and viscosity).",
    )
    source: Source = Field(description="Where the value is stated: the table and its publication.")
    note: Markdown | None = Field(
        default=None,
        description="How the value was read or computed; required for the stability-window limits "
        "(electrode, salt, scan rate, cut-off), orbital energies (level of theory) and donor numbers (method).",
    )

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return Quantity._known_unit(unit)

    @model_validator(mode="after")
    def _fits_property(self) -> MaterialProperty:
        dimension, example = PROPERTY_UNITS[self.property]
        try:
            found = parse_unit(self.unit).dimension
        except UnitError:  # reported by the unit's own check
            return self
        low, high = unit_bounds(self.unit)
        if (low is not None and self.value < low) or (high is not None and self.value > high):
            raise PydanticCustomError(
                "out_of_range",
                "{value} {unit} is impossible for a {property}",
                {"value": f"{self.value:g}", "unit": self.unit, "property": self.property.replace("-", " ")},
            )
        if found != dimension:
            raise PydanticCustomError(
                "wrong-dimension",
                "'{unit}' is not a unit of {property}",
                {
                    "unit": self.unit,
                    "property": self.property.replace("-", " "),
                    "hint": f"state it in a unit of {dimension}, e.g. `{example}`",
                },
            )
        if self.property == "density":
            _plausible_density(self.value, self.unit)
        if self.property in _NEEDS_TEMPERATURE and self.temperature is None:
            raise PydanticCustomError(
                "missing-temperature",
                "a {property} needs the temperature it holds at",
                {"property": self.property.replace("-", " "), "hint": "add `temperature: 25 °C`"},
            )
        _states_conditions(self.property, self.note)
        return self


def _states_conditions(name: str, note: str | None) -> None:
    """Refuse a property whose value needs its conditions (:data:`_NEEDS_NOTE`) without a note."""
    what = _NEEDS_NOTE.get(name)
    if what is not None and note is None:
        raise PydanticCustomError(
            "missing-conditions",
            "a {property} needs a `note` saying {what}",
            {
                "property": property_label(name),
                "what": what.split(":", 1)[0],
                "hint": f"add `note:` with {what}",
            },
        )


ROOM_TEMPERATURE_K = 298.15
"""The temperature :func:`property_value` prefers a value at, in kelvin."""


def property_value(properties: Sequence[MaterialProperty], name: str, unit: str) -> float | None:
    """The value of the property ``name`` converted to ``unit``, or ``None`` when none is given.

    For a descriptor that weighs a material's property (a blend's dielectric constant or donor
    number): among several values of the property, the one stated closest to 25 °C is taken (a
    value without a temperature counts as at 25 °C); ties keep the order of the entry. Raises
    :class:`~limkb.schema.units.UnitError` when ``unit`` is not of the property's dimension."""
    found = [item for item in properties if item.property == name]
    if not found:
        return None

    def distance(item: MaterialProperty) -> float:
        if item.temperature is None:
            return 0.0
        kelvin = convert(item.temperature.value, item.temperature.unit, "K")
        return abs(kelvin - ROOM_TEMPERATURE_K)

    best = min(found, key=distance)
    return convert(best.value, best.unit, unit)


MAX_DENSITY = 30.0
"""No material is denser than this, in g/cm3 (osmium, the densest element, is 22.6)."""


def _plausible_density(value: float, unit: str) -> None:
    """Refuse a density no material has: zero or less, or above :data:`MAX_DENSITY` (often
    kg/m3 written as g/cm3)."""
    try:
        grams = convert(value, unit, "g/cm3")
    except UnitError:  # a unit of another kind: reported by the density-unit check
        return
    if grams <= 0 or grams > MAX_DENSITY:
        raise PydanticCustomError(
            "out_of_range",
            "a density of {value} {unit} is impossible: no material is denser than {limit:g} g/cm3",
            {"value": f"{value:g}", "unit": unit, "limit": MAX_DENSITY},
        )


class MaterialDensity(ClosedModel):
    """The density of the pure material with its source, or a statement that none was found."""

    value: Number | None = Field(default=None, description="The density, in `unit`.")
    unit: Text | None = Field(default=None, description="Its unit: `g/cm3` (= g/mL) or `kg/m3`.")
    temperature: Temperature | None = Field(default=None, description="Temperature it holds at.")
    source: Source | None = Field(default=None, description="Where the density is stated.")
    status: Literal["not found"] | None = Field(
        default=None,
        description="`not found` when no maintained table or paper read gives it (then `note` says where "
        "it was looked for); leave out when a value is given.",
    )
    note: Markdown | None = Field(default=None, description="Where it was looked for, or how it was read.")

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str | None) -> str | None:
        return None if unit is None else Quantity._known_unit(unit)

    @model_validator(mode="after")
    def _value_or_status(self) -> MaterialDensity:
        if self.status is not None:
            if self.value is not None or self.unit is not None or self.source is not None:
                raise PydanticCustomError(
                    "density-statement",
                    "a density marked `not found` cannot also give a value, unit or source",
                    {"hint": "remove `status:` and `note:` when a value is given, or remove the value"},
                )
            if self.note is None:
                raise PydanticCustomError(
                    "density-statement",
                    "a density marked `not found` needs a `note` saying where it was looked for",
                    {
                        "hint": "add e.g. `note: not in the density tables of chemicals 1.5.2 nor in the papers read`"
                    },
                )
            return self
        missing = [name for name in ("value", "unit", "source") if getattr(self, name) is None]
        if missing:
            raise PydanticCustomError(
                "density-statement",
                "a density needs {missing}",
                {
                    "missing": ", ".join(f"`{m}`" for m in missing),
                    "hint": "write `{value: 0.868, unit: g/cm3, temperature: 25 °C, source: {ref: ..., "
                    "locator: ...}}`, or `{status: not found, note: ...}`",
                },
            )
        if self.value is not None and self.unit is not None:
            _plausible_density(self.value, self.unit)
        return self

    @property
    def found(self) -> bool:
        """Whether a value is given (rather than a statement that none was found)."""
        return self.status is None and self.value is not None
