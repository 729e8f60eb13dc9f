"""Plausible ranges of properties, and the likely cause of values that fall outside them.

A property states what is possible (``minimum``/``maximum``) and, narrower, what a reported
value plausibly is (``range``). ``limkb import-table`` refuses a column with values outside, with
their count and a guess at what they are; ``limkb validate`` reports each stored value outside
at its place. Both use :func:`bounds` and :func:`likely_cause`. The rules on properties that
the validator runs are here too: a plausible range within the possible one, a definition
(``defined_as``) that names one other property and can be inverted, and no dataset that holds
a derived property beside the one it is computed from.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from limkb.analysis import expressions as ex
from limkb.check.result import Validated, report_at
from limkb.report import close_matches
from limkb.schema.kinds import ColumnType, Dataset, Property
from limkb.schema.units import UnitError, convert

__all__ = [
    "bounds",
    "bounds_text",
    "check_definition",
    "check_plausible",
    "check_typed_twice",
    "derived_from",
    "likely_cause",
    "outside",
    "properties_of",
    "range_causes",
]

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


@functools.lru_cache(maxsize=1024)
def _names_in(expression: str) -> frozenset[str] | None:
    """The names a ``defined_as`` expression reads, or None when it does not parse; an
    expression is parsed once however many columns ask (replicated KBs repeat them)."""
    try:
        return frozenset(n.name for n in ex.names(ex.parse(expression)))
    except ex.ExpressionError:
        return None


def derived_from(prop_id: str, properties: Mapping[str, Property]) -> list[Property]:
    """The properties whose ``defined_as`` formula is over ``prop_id`` (LCE for CE)."""
    return [
        other
        for other in properties.values()
        if other.defined_as is not None and _names_in(other.defined_as.expression) == frozenset((prop_id,))
    ]


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


# --- rules for the validator ----------------------------------------------------------


def properties_of(result: Validated) -> dict[str, Property]:
    """The property entries of ``result`` by id."""
    return {i: e for i, e in result.entries.items() if isinstance(e, Property)}


def check_plausible(result: Validated, entry_id: str, prop: Property) -> None:
    """A plausible range lies within the possible one and runs from low to high."""
    if prop.range is None:
        return
    document = result.documents[entry_id]
    low, high = prop.range.min, prop.range.max
    if low is not None and high is not None and low > high:
        report_at(
            result.report,
            document,
            ("range", "min"),
            "out-of-range",
            f"range min {low:g} is larger than range max {high:g}",
            "swap the two values",
            entry=entry_id,
        )
    for name, value in (("min", low), ("max", high)):
        if value is None:
            continue
        if (prop.minimum is not None and value < prop.minimum) or (
            prop.maximum is not None and value > prop.maximum
        ):
            report_at(
                result.report,
                document,
                ("range", name),
                "out-of-range",
                f"range {name} {value:g} lies outside the possible values (minimum/maximum)",
                "the plausible range is a part of the possible one: narrow it",
                entry=entry_id,
            )


def check_definition(result: Validated, entry_id: str, prop: Property) -> None:
    """A derived property's formula parses, names one other property once and can be inverted."""
    if prop.defined_as is None:
        return
    document = result.documents[entry_id]
    where = ("defined_as", "expression")
    text = prop.defined_as.expression
    try:
        formula = ex.parse(text)
        used = [n.name for n in ex.names(formula)]
        if len(set(used)) != 1:
            raise ex.ExpressionError(
                f"the formula names {len(set(used))} quantities ({', '.join(sorted(set(used))) or 'none'})",
                0,
                len(text),
                "a derived property is a formula over exactly one other property id",
            )
        base = used[0]
        other = result.entries.get(base)
        if not isinstance(other, Property) or base == entry_id:
            close = close_matches(
                base, [i for i, e in result.entries.items() if isinstance(e, Property) and i != entry_id], n=1
            )
            raise ex.ExpressionError(
                f"{base!r} is not another property" + (f"; did you mean {close[0]!r}?" if close else ""),
                0,
                len(text),
                "name the property it is computed from by its id, e.g. `coulombic-efficiency`",
            )
        ex.invert(formula, base, entry_id)
        dimension = ex.check_units(formula, {base: other.unit})
        if dimension != ex.dimension_of(prop.unit):
            raise ex.ExpressionError(
                f"the formula gives a value in another dimension than {prop.unit!r}",
                0,
                len(text),
                f"check the formula and the units of {entry_id!r} and {base!r}",
            )
    except ex.ExpressionError as error:
        report_at(result.report, document, where, "bad-definition", error.message, error.hint, entry=entry_id)


def check_typed_twice(
    result: Validated, entry_id: str, dataset: Dataset, properties: dict[str, Property] | None = None
) -> None:
    """A dataset holds a derived property or the one it is computed from, never both.

    ``properties`` (the KB's property entries by id) is found in ``result`` when not given;
    a caller checking every dataset finds them once (:func:`properties_of`)."""
    document = result.documents[entry_id]
    properties = properties_of(result) if properties is None else properties
    held = {c.property: i for i, c in enumerate(dataset.columns) if c.property}
    for base, i in held.items():
        for derived in derived_from(base, properties):
            if derived.id in held:
                j = held[derived.id]
                report_at(
                    result.report,
                    document,
                    ("columns", max(i, j), "property"),
                    "typed-twice",
                    f"columns {dataset.columns[i].name!r} ({base}) and {dataset.columns[j].name!r} "
                    f"({derived.id}) hold one measurement twice: {derived.id} is computed from {base}",
                    "keep the column the source reports and delete the other; analyses compute it",
                    entry=entry_id,
                )


def range_causes(
    result: Validated, dataset: Dataset, properties: dict[str, Property] | None = None
) -> dict[str, str]:
    """Each column's likely cause of its values outside its property's range (see :mod:`limkb.check.ranges`);
    ``properties`` as for :func:`check_typed_twice`."""
    properties = properties_of(result) if properties is None else properties
    causes: dict[str, str] = {}
    for column in dataset.columns:
        prop = properties.get(column.property or "")
        if prop is None or column.unit is None or column.type is ColumnType.TEXT:
            continue
        found = []
        for record in dataset.records:
            value = record.values.get(column.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            try:
                converted = convert(float(value), column.unit, prop.unit)
            except UnitError:
                break
            if outside(converted, prop):
                found.append(converted)
        if found:
            what, fix = likely_cause(found, prop, properties)
            causes[column.name] = f"{what}: {fix}" if what else fix
    return causes
