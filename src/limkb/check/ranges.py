"""Plausible ranges of properties, and the likely cause of values that fall outside them.

A property states what is possible (``minimum``/``maximum``) and, narrower, what a reported
value plausibly is (``range``). ``limkb import-table`` refuses a column with values outside, with
their count and a guess at what they are; ``limkb validate`` reports each stored value outside
at its place. Both use :func:`bounds` and :func:`likely_cause`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from limkb.analysis import expressions as ex
from limkb.schema.kinds import Property

__all__ = ["bounds", "bounds_text", "derived_from", "likely_cause", "outside"]

_SCALES = (100.0, 0.01, 1000.0, 0.001)
"""Factors tried when values would fit after a change of unit (percent/fraction, milli)."""
_SYSTEMATIC = 3
"""Out-of-range values it takes to guess at a wrong unit (one value is more likely a typo)."""


def bounds(prop: Property) -> tuple[float | None, float | None]:
    """(lowest, highest) acceptable value of ``prop`` in its unit: the possible and the plausible range."""
    low, high = prop.minimum, prop.maximum
    if prop.range is not None:
        if prop.range.min is not None:
            low = prop.range.min if low is None else max(low, prop.range.min)
        if prop.range.max is not None:
            high = prop.range.max if high is None else min(high, prop.range.max)
    return low, high


def bounds_text(prop: Property) -> str:
    """The acceptable values as text: ``10-100 %``, ``at least 0 nm``, ``at most 5``."""
    low, high = bounds(prop)
    unit = "" if prop.unit == "1" else f" {prop.unit}"
    if low is not None and high is not None:
        return f"{low:g}-{high:g}{unit}"
    if low is not None:
        return f"at least {low:g}{unit}"
    return f"at most {high:g}{unit}" if high is not None else f"any value{unit}"


def outside(value: float, prop: Property) -> bool:
    """Whether ``value`` (in ``prop``'s unit) lies outside what ``prop`` accepts."""
    low, high = bounds(prop)
    return (low is not None and value < low) or (high is not None and value > high)


def derived_from(prop_id: str, properties: Mapping[str, Property]) -> list[Property]:
    """The properties whose ``defined_as`` formula is over ``prop_id`` (LCE for CE)."""
    found = []
    for other in properties.values():
        if other.defined_as is None:
            continue
        try:
            used = {n.name for n in ex.names(ex.parse(other.defined_as.expression))}
        except ex.ExpressionError:
            continue
        if used == {prop_id}:
            found.append(other)
    return found


def likely_cause(
    values: Sequence[float], prop: Property, properties: Mapping[str, Property]
) -> tuple[str, str]:
    """(what out-of-range ``values`` of ``prop`` probably are, what to do): a guess, as advice.

    The first is empty when nothing better than "check them" can be said.

    Tried in turn: values of a property derived from this one (log-inefficiencies in a CE
    column) or of the one this one is derived from, fractions in a percentage column, values
    in a unit 100 or 1000 times off (three values or more).
    """
    if not values:
        return "", "check the values and the column's unit"
    shown = f"{min(values):g}" if min(values) == max(values) else f"{min(values):g} to {max(values):g}"
    related = derived_from(prop.id, properties)
    if prop.defined_as is not None:
        related += [p for p in properties.values() if derived_from(p.id, {prop.id: prop}) == [prop]]
    for other in related:
        if bounds(other) != (None, None) and not any(outside(v, other) for v in values):
            return (
                f"these look like {other.name} values ({shown})",
                f"map them to a column holding `{other.id}` (the dataset needs one: add it to "
                f"`columns:` with `property: {other.id}`); the other is computed from it, never typed twice",
            )
    if prop.unit == "%" and all(0 <= v <= 1 for v in values):
        return f"these look like fractions ({shown})", "multiply them by 100"
    for factor in _SCALES if len(values) >= _SYSTEMATIC else ():
        if not any(outside(v * factor, prop) for v in values):
            return (
                f"these would fit multiplied by {factor:g} ({shown})",
                f"check the unit of the column (values of `{prop.id}` are in {prop.unit})",
            )
    note = f" ({prop.range.note})" if prop.range is not None and prop.range.note else ""
    return "", f"check the values and the column's unit{note}"
