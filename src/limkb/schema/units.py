"""Units that quantities and dataset columns may carry, and conversion between them.

A unit is written as contributors write it in papers (``nm``, ``mA cm-2``, ``mS/cm``); every
spelling maps to a dimension and a factor to that dimension's base unit. Only units of the
same dimension convert into each other; nothing is guessed. Energy per mass (``Wh kg-1``)
and energy per volume (``Wh L-1``) are two dimensions, as a cell's two energy densities are
two quantities. A charge (``mAh``) is not an areal capacity (``mAh cm-2``), nor a current
(``mA``) a current density: a paper that gives the one does not give the other. The amount of
electrolyte per capacity of a lean cell is by mass (``g Ah-1``) or by volume (``µL mAh-1``,
the same as ``mL Ah-1``), again two quantities.
"""

from __future__ import annotations

from dataclasses import dataclass

from limkb.report import close_matches

__all__ = ["PERCENTAGES", "UNITS", "Unit", "UnitError", "convert", "describe", "parse_unit", "suggest_unit"]

PERCENTAGES: dict[str, str] = {
    "percent": "percent",
    "atomic-percent": "atomic percent",
    "mass-percent": "mass (weight) percent",
    "volume-percent": "volume percent",
    "molar-percent": "molar percent",
}
"""The percentage dimensions and their names. Each is its own quantity: 50 at% of an element is
not 50 wt% of it, so none converts into another, and a bare ``%`` (a share whose basis the
property's description states) converts only into ``%``. All of them lie within 0-100."""


class UnitError(ValueError):
    """Raised for a unit limkb does not know, or for a conversion across dimensions."""


@dataclass(frozen=True)
class Unit:
    """A known unit: its canonical spelling, dimension and factor to the dimension's base."""

    symbol: str
    dimension: str
    factor: float
    offset: float = 0.0
    """Added after the factor on the way to the base unit (°C: 273.15 to kelvin)."""


def _table() -> dict[str, Unit]:
    rows: list[tuple[tuple[str, ...], str, float] | tuple[tuple[str, ...], str, float, float]] = [
        (("%", "percent"), "percent", 1.0),
        (("at%", "at.%", "at %"), "atomic-percent", 1.0),
        (("wt%", "wt.%", "wt %", "mass%"), "mass-percent", 1.0),
        (("vol%", "vol.%", "vol %", "v/v%"), "volume-percent", 1.0),
        (("mol%", "mol.%", "mol %"), "molar-percent", 1.0),
        (("1", "dimensionless", "ratio", "-"), "dimensionless", 1.0),
        (("m",), "length", 1.0),
        (("cm",), "length", 1e-2),
        (("mm",), "length", 1e-3),
        (("µm", "um", "μm", "micron"), "length", 1e-6),
        (("nm",), "length", 1e-9),
        (("Å", "angstrom", "A°"), "length", 1e-10),
        (("pm",), "length", 1e-12),
        (("S/cm", "S cm-1"), "conductivity", 100.0),
        (("mS/cm", "mS cm-1"), "conductivity", 0.1),
        (("µS/cm", "uS/cm", "µS cm-1", "uS cm-1"), "conductivity", 1e-4),
        (("S/m", "S m-1"), "conductivity", 1.0),
        (("Pa",), "pressure", 1.0),
        (("kPa",), "pressure", 1e3),
        (("MPa",), "pressure", 1e6),
        (("GPa",), "pressure", 1e9),
        (("ohm", "Ω", "Ohm"), "resistance", 1.0),
        (("kohm", "kΩ", "kOhm"), "resistance", 1e3),
        (("Mohm", "MΩ", "MOhm"), "resistance", 1e6),
        (("ohm cm2", "Ω cm2", "Ω cm^2", "ohm cm^2"), "area-resistance", 1.0),
        (("ohm cm", "Ω cm"), "resistivity", 1.0),
        (("V",), "potential", 1.0),
        (("mV",), "potential", 1e-3),
        (("A/m2", "A m-2"), "current-density", 1.0),
        (("A/cm2", "A cm-2"), "current-density", 1e4),
        (("mA/cm2", "mA cm-2", "mA/cm^2", "mA cm^-2"), "current-density", 10.0),
        (("µA/cm2", "uA/cm2", "µA cm-2", "uA cm-2"), "current-density", 1e-2),
        (("mAh/cm2", "mA h cm-2", "mAh cm-2", "mA h/cm2"), "areal-capacity", 1.0),
        (("mAh/g", "mA h g-1", "mAh g-1"), "specific-capacity", 1.0),
        (("Wh/kg", "Wh kg-1", "W h kg-1", "Wh kg^-1"), "specific-energy", 1.0),
        (("Wh/L", "Wh L-1", "W h L-1", "Wh L^-1", "Wh/l"), "energy-density", 1.0),
        (("mAh", "mA h"), "charge", 1.0),
        (("Ah", "A h"), "charge", 1e3),
        (("µAh", "uAh", "µA h"), "charge", 1e-3),
        (("mA",), "current", 1.0),
        (("A",), "current", 1e3),
        (("µA", "uA"), "current", 1e-3),
        (("g/Ah", "g Ah-1", "g Ah^-1"), "electrolyte-per-capacity", 1.0),
        (("µL/mAh", "uL/mAh", "µL mAh-1", "uL mAh-1"), "electrolyte-volume-per-capacity", 1.0),
        (("mL/Ah", "mL Ah-1"), "electrolyte-volume-per-capacity", 1.0),
        (("mg/cm2", "mg cm-2", "mg cm^-2"), "areal-mass", 1.0),
        (("g/m2", "g m-2"), "areal-mass", 0.1),
        (("M", "mol/L", "mol L-1"), "concentration", 1.0),
        (("mM",), "concentration", 1e-3),
        (("mol/kg", "mol kg-1"), "molality", 1.0),
        (("K",), "temperature", 1.0),
        (("°C", "degC", "C°", "ºC"), "temperature", 1.0, 273.15),
        (("s",), "time", 1.0),
        (("min",), "time", 60.0),
        (("h",), "time", 3600.0),
        (("cycles", "cycle"), "count", 1.0),
        (("eV",), "energy", 1.0),
        (("kJ/mol", "kJ mol-1"), "molar-energy", 1.0),
        (("kcal/mol", "kcal mol-1"), "molar-energy", 4.184),
        (("nm/cycle",), "growth-per-cycle", 1.0),
        (("Å/cycle",), "growth-per-cycle", 0.1),
        (("cm2/s", "cm2 s-1"), "diffusivity", 1.0),
        (("µF/cm2", "uF/cm2", "µF cm-2"), "area-capacitance", 1.0),
        (("g/cm3", "g cm-3", "g/mL", "g mL-1", "g/ml"), "density", 1.0),
        (("kg/m3", "kg m-3"), "density", 1e-3),
        (("g/mol", "g mol-1"), "molar-mass", 1.0),
        (("mPa s", "mPa·s", "cP"), "viscosity", 1e-3),
        (("Pa s", "Pa·s"), "viscosity", 1.0),
        (("°", "deg", "degree"), "angle", 1.0),
    ]
    table: dict[str, Unit] = {}
    for spellings, dimension, factor, *offset in rows:
        canonical = spellings[0]
        for spelling in spellings:
            table[spelling] = Unit(canonical, dimension, factor, *offset)
    return table


UNITS: dict[str, Unit] = _table()


def parse_unit(text: str) -> Unit:
    """The :class:`Unit` for ``text``; raises :class:`UnitError` naming close spellings."""
    unit = UNITS.get(text.strip())
    if unit is None:
        raise UnitError(f"unknown unit {text!r}" + _did_you_mean(text))
    return unit


def suggest_unit(text: str) -> list[str]:
    """Known unit spellings close to ``text``, best first."""
    return close_matches(text.strip(), list(UNITS), n=3, cutoff=0.5)


def _did_you_mean(text: str) -> str:
    close = suggest_unit(text)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def describe(unit: str) -> str:
    """``unit`` with the name of what it measures when that is not obvious (``'wt%' (mass (weight) percent)``)."""
    try:
        dimension = parse_unit(unit).dimension
    except UnitError:
        return repr(unit)
    return f"{unit!r} ({PERCENTAGES.get(dimension, dimension)})"


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between two units of one dimension."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimension != target.dimension:
        raise UnitError(f"cannot convert {describe(from_unit)} to {describe(to_unit)}")
    if source.factor == target.factor and source.offset == target.offset:
        return value
    return (value * source.factor + source.offset - target.offset) / target.factor
