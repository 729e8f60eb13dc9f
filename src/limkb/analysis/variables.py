"""An analysis's variables: names resolved in datasets, expressions evaluated over records.

A name in ``x`` or ``y`` means, in each dataset, in this order:

1. ``dataset-id.column``: that column of that dataset (the dataset alone can give it);
2. a column of that name;
3. a property id: the one column that holds the property (two such columns are ambiguous);
4. a property derived from another (``defined_as``): computed from the column that holds the
   other one, by the definition or by its inverse (LCE from a CE column, CE from an LCE column);
5. a descriptor (:data:`~limkb.analysis.descriptors.DESCRIPTORS`), computed from each
   record's electrolyte;
6. a constant (``pi``, ``e``).

``where:`` keeps records by their conditions and, for any other key, by the value of a name
read the same way (``ce: ">= 90"``, ``frac_o_solvent: "0.05..0.2"``; see
:mod:`limkb.schema.filters`); a name there must resolve like one in ``x`` or ``y``.

A dataset takes part when every name, filters' included, resolves in it (and, if the
analysis lists datasets, when it is listed). Values of a property are converted to the
property's unit; values of a plain column to its unit in the first dataset that takes part.
:func:`plan` finds every mistake (syntax, unknown or ambiguous names, units, an expression
with a log of a length) as :class:`VariableError` at its place in ``x``, ``y`` or ``where``;
:func:`evaluate_plan` computes the points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from limkb._lazy import lazy_module
from limkb.analysis import expressions as ex
from limkb.analysis.descriptors import DESCRIPTORS
from limkb.report import close_matches
from limkb.schema.filters import Bounds, read_value_filter
from limkb.schema.kinds import Analysis, Column, ColumnType, Conditions, Dataset, Filters, Property, Record
from limkb.schema.units import UnitError, convert

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported when first used: a rebuild may need none of it

__all__ = [
    "Plan",
    "VariableError",
    "apply_binding",
    "bind_derived",
    "conditions_of",
    "definition_of",
    "matches",
    "plan",
]


@dataclass(frozen=True)
class VariableError:
    """A mistake in an analysis's variables: the axis (``x``, ``y``, ``where`` or ``datasets``),
    where in its text (for ``where``, the filter's ``key``), what and how to fix it."""

    axis: str
    start: int
    end: int
    code: str
    message: str
    hint: str
    key: str | None = None


@dataclass(frozen=True)
class Binding:
    """How a name is read in one dataset: a column (converted from ``from_unit`` to ``to_unit``,
    which :func:`plan` sets once the units are known) or a descriptor."""

    column: str | None
    descriptor: str | None = None
    from_unit: str | None = None
    to_unit: str | None = None
    formula: ex.Expression | None = None
    """For a derived property: the formula applied to the column's values (named ``formula_of``)."""
    formula_of: str | None = None


@dataclass
class Plan:
    """What computing an analysis needs: the parsed axes, and each taking-part dataset's bindings."""

    x: ex.Expression
    y: ex.Expression
    units: dict[str, str]
    """Each name's unit after conversion."""
    datasets: list[tuple[Dataset, dict[str, Binding]]] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    """Name -> property id, for names that stand for a property (or a column of one)."""
    composition: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    """(dataset id, its composition group) for every group a variable uses a part of."""
    filters: dict[str, Bounds] = field(default_factory=dict)
    """The value filters of ``where:``, by the name they filter (resolved like the axes' names)."""

    @property
    def names(self) -> list[str]:
        return list(self.units)


def _bind(
    name: str, dataset: Dataset, properties: Mapping[str, Property]
) -> tuple[Binding | None, list[str]]:
    """The binding of ``name`` in ``dataset`` (None if it does not resolve), and, if ambiguous,
    the candidates."""
    columns = {c.name: c for c in dataset.columns}
    if "." in name:
        dataset_id, column_name = name.split(".", 1)
        if dataset_id != dataset.id or column_name not in columns:
            return None, []
        column = columns[column_name]
        return Binding(column.name), []
    named = columns.get(name)
    if named is not None and named.type is not ColumnType.TEXT:
        return Binding(named.name), []
    holding = [c for c in dataset.columns if c.property == name and c.type is not ColumnType.TEXT]
    if len(holding) > 1:
        return None, [f"{dataset.id}.{c.name}" for c in holding]
    if holding:
        return Binding(holding[0].name), []
    derived = bind_derived(name, dataset, properties)
    if derived is not None:
        return derived, []
    if name in DESCRIPTORS:
        return Binding(None, descriptor=name), []
    return None, []


def _holding(dataset: Dataset, property_id: str) -> Column | None:
    """The one numeric column of ``dataset`` that holds ``property_id``, if exactly one does."""
    found = [c for c in dataset.columns if c.property == property_id and c.type is not ColumnType.TEXT]
    return found[0] if len(found) == 1 else None


def bind_derived(name: str, dataset: Dataset, properties: Mapping[str, Property]) -> Binding | None:
    """``name`` computed from a column of the property it is defined from, or that is defined from it.

    Linear in the number of properties; each definition is parsed once per text
    (:func:`definition_of`). A definition that does not parse or invert binds nothing (the
    validator reports it on the property).
    """
    candidates: list[tuple[Property, bool]] = []
    own = properties.get(name)
    if own is not None and own.defined_as is not None:
        candidates.append((own, True))
    candidates += [(p, False) for p in properties.values() if p.defined_as is not None and p.id != name]
    for prop, forward in candidates:
        assert prop.defined_as is not None
        parsed = definition_of(prop.defined_as.expression)
        if parsed is None:
            continue
        formula, base = parsed
        if not forward and base != name:
            continue
        column = _holding(dataset, base if forward else prop.id)
        base_prop = properties.get(base)
        if column is None or base_prop is None:
            continue
        if forward:
            return Binding(column.name, None, column.unit, base_prop.unit, formula, base)
        inverse = _inverse_of(prop.defined_as.expression, base, prop.id)
        if inverse is not None:
            return Binding(column.name, None, column.unit, prop.unit, inverse, prop.id)
    return None


@lru_cache(maxsize=4096)
def definition_of(text: str) -> tuple[ex.Expression, str] | None:
    """A ``defined_as`` expression parsed, with the one name it uses; None when it does not
    parse or uses more or fewer names than one. Kept per text (expressions are immutable):
    a KB has few distinct definitions, read for every property of every dataset."""
    try:
        formula = ex.parse(text)
    except ex.ExpressionError:
        return None
    used = {n.name for n in ex.names(formula)}
    return (formula, used.pop()) if len(used) == 1 else None


@lru_cache(maxsize=4096)
def _inverse_of(text: str, variable: str, result: str) -> ex.Expression | None:
    """The definition ``text`` solved for ``variable`` (:func:`~limkb.analysis.expressions.invert`),
    once per text; None when it does not parse or invert."""
    parsed = definition_of(text)
    if parsed is None:
        return None
    try:
        return ex.invert(parsed[0], variable, result)
    except ex.ExpressionError:
        return None


def plan(
    analysis: Analysis, datasets: Iterable[Dataset], properties: Mapping[str, Property]
) -> tuple[Plan | None, list[VariableError]]:
    """Resolve an analysis's variables; the plan, or None with every mistake found."""
    parsed, errors = _parse_axes(analysis)
    if errors:
        return None, errors
    where, on_axes = _places(analysis, parsed)
    pool = _pool(analysis, datasets)
    filters = analysis.where.values if analysis.where is not None else {}
    result = Plan(parsed["x"], parsed["y"], {}, filters=filters)
    ambiguous, resolved = _bind_pool(result, pool, where, properties)
    errors = _ambiguity_errors(ambiguous, where)
    missing = [n for n in where if n not in resolved and n not in ambiguous]
    if not result.datasets:  # a name missing everywhere leaves no dataset taking part
        return None, errors + _missing_errors(analysis, pool, properties, where, missing, errors=bool(errors))
    if errors:
        return None, errors
    _set_units(result, where, properties)
    errors = _convert_bindings(result, where, on_axes) + _check_axis_units(parsed, result.units)
    return (None, errors) if errors else (result, [])


def _parse_axes(analysis: Analysis) -> tuple[dict[str, ex.Expression], list[VariableError]]:
    """``x`` and ``y`` parsed, or the syntax error of each that does not parse."""
    errors: list[VariableError] = []
    parsed: dict[str, ex.Expression] = {}
    for axis in ("x", "y"):
        text = getattr(analysis, axis)
        try:
            parsed[axis] = ex.parse(text)
        except ex.ExpressionError as error:
            errors.append(
                VariableError(axis, error.start, error.end, "bad-expression", error.message, error.hint)
            )
    return parsed, errors


def _places(
    analysis: Analysis, parsed: Mapping[str, ex.Expression]
) -> tuple[dict[str, tuple[str, int, int]], set[str]]:
    """Every name the analysis uses -> where it is first written (axis, start, end), and the
    names on the axes (a name only in ``where:`` is placed over its key)."""
    where: dict[str, tuple[str, int, int]] = {}
    for axis in ("x", "y"):
        for node in ex.names(parsed[axis]):
            where.setdefault(node.name, (axis, node.start, node.end))
    on_axes = set(where)
    filters = analysis.where.values if analysis.where is not None else {}
    for name in filters:
        where.setdefault(name, ("where", 0, len(name)))
    return where, on_axes


def _pool(analysis: Analysis, datasets: Iterable[Dataset]) -> list[Dataset]:
    """The datasets the analysis may read, by id: those it lists, or all."""
    pool = sorted(datasets, key=lambda d: d.id)
    if analysis.datasets is not None:
        wanted = set(analysis.datasets)
        pool = [d for d in pool if d.id in wanted]
    return pool


def _bind_pool(
    result: Plan,
    pool: list[Dataset],
    where: Mapping[str, tuple[str, int, int]],
    properties: Mapping[str, Property],
) -> tuple[dict[str, list[str]], set[str]]:
    """Add to ``result`` every dataset of the pool in which each name resolves; the candidates
    of each ambiguous name, and the names resolved in some dataset."""
    ambiguous: dict[str, list[str]] = {}
    resolved: set[str] = set()
    for dataset in pool:
        bindings: dict[str, Binding] = {}
        for name in where:
            binding, candidates = _bind(name, dataset, properties)
            if candidates:
                ambiguous.setdefault(name, []).extend(candidates)
            if binding is not None:
                bindings[name] = binding
                resolved.add(name)
        if len(bindings) == len(where):
            result.datasets.append((dataset, bindings))
    return ambiguous, resolved


def _ambiguity_errors(
    ambiguous: Mapping[str, list[str]], where: Mapping[str, tuple[str, int, int]]
) -> list[VariableError]:
    """One error per name that stands for several columns, with the columns it could be."""
    return [
        _error(
            name,
            where[name],
            "ambiguous-variable",
            f"{name!r} could be any of {', '.join(candidates)}",
            f"name the column itself, e.g. `{candidates[0]}`",
        )
        for name, candidates in ambiguous.items()
    ]


def _missing_errors(
    analysis: Analysis,
    pool: list[Dataset],
    properties: Mapping[str, Property],
    where: Mapping[str, tuple[str, int, int]],
    missing: list[str],
    *,
    errors: bool,
) -> list[VariableError]:
    """An error for each name that resolves in no dataset (with the closest names); when all
    resolve somewhere (and no other error was found), one for each name that no dataset
    holds together with the others."""
    pool_columns = sorted(
        {c.name for d in pool for c in d.columns} | {f"{d.id}.{c.name}" for d in pool for c in d.columns}
    )
    candidates = [*pool_columns, *properties, *DESCRIPTORS]
    scope = ("the datasets " + ", ".join(analysis.datasets)) if analysis.datasets else "any dataset"
    found: list[VariableError] = []
    for name in missing or ([] if errors else list(where)):
        axis = where[name][0]
        if name in missing and name in properties:
            found.append(
                _error(
                    name,
                    where[name],
                    "missing-variable",
                    f"no column of {scope} holds the property {name!r}",
                    f"add a column with `property: {name}` to a dataset, or name another variable",
                )
            )
            continue
        message = _missing_message(name, axis, scope, candidates, missing=name in missing)
        found.append(_error(name, where[name], "missing-variable", message, _missing_hint(name, axis)))
    return found


def _missing_message(name: str, axis: str, scope: str, candidates: list[str], *, missing: bool) -> str:
    """What is wrong with a name that resolves nowhere (``missing``) or in no dataset with the others."""
    if not missing:
        return f"no dataset of {scope} holds every variable together (here {name!r})"
    in_where = [*CONDITIONS, *candidates] if axis == "where" else candidates
    close = close_matches(name, in_where, n=3, cutoff=0.6)
    what = (
        "a condition, column, property or descriptor"
        if axis == "where"
        else "a column, property or descriptor"
    )
    return f"{name!r} is not {what} of {scope}" + (f"; did you mean {close[0]!r}?" if close else "")


def _missing_hint(name: str, axis: str) -> str:
    """How to name a variable: subtraction written with blanks, or the kinds of names there are."""
    hint = (
        "write subtraction with blanks around the minus (`ce - 1`)"
        if "-" in name and name.rsplit("-", 1)[-1].isdigit() and axis != "where"
        else "name a column (`ce`, or `dataset-id.ce`), a property, or a descriptor (`frac_f`); "
        "to add a property see CONTRIBUTING.md, 'Add a property'"
    )
    if axis == "where":
        hint = f"filter on a condition ({', '.join(CONDITIONS)}) or a variable: " + hint.removeprefix("name ")
    return hint


def _set_units(
    result: Plan, where: Mapping[str, tuple[str, int, int]], properties: Mapping[str, Property]
) -> None:
    """Each name's unit (a property's unit, else its column's in the first dataset taking part)
    and the property it stands for."""
    first, first_bindings = result.datasets[0]
    first_columns = {c.name: c for c in first.columns}
    for name in where:
        binding = first_bindings[name]
        if binding.descriptor is not None:
            result.units[name] = "1"
            continue
        if binding.formula is not None:
            result.units[name] = properties[name].unit
            result.properties[name] = name
            continue
        column = first_columns[binding.column or ""]
        prop = properties.get(column.property or "")
        by_property = prop is not None and name == prop.id and name != column.name
        result.units[name] = prop.unit if by_property and prop is not None else (column.unit or "1")
        if column.property:
            result.properties[name] = column.property


def _convert_bindings(
    result: Plan, where: Mapping[str, tuple[str, int, int]], on_axes: set[str]
) -> list[VariableError]:
    """Set each column binding's conversion to the name's unit, and note the composition groups
    the axes use a part of; an error for each column whose unit does not convert."""
    errors: list[VariableError] = []
    for dataset, bindings in result.datasets:
        columns = {c.name: c for c in dataset.columns}
        for name, binding in list(bindings.items()):
            if binding.column is None or binding.formula is not None:
                continue
            unit = columns[binding.column].unit or "1"
            try:
                convert(1.0, unit, result.units[name])
            except UnitError:
                errors.append(
                    _error(
                        name,
                        where[name],
                        "unit-mismatch",
                        f"{name!r} is in {unit!r} in {dataset.id!r} but in {result.units[name]!r} elsewhere",
                        "state the column in one unit across datasets, or name one dataset's column (`dataset-id.column`)",
                    )
                )
                continue
            bindings[name] = Binding(binding.column, None, unit, result.units[name])
        for group in dataset.composition:
            used = tuple(bindings[n].column for n in on_axes if bindings[n].column in group)
            if used:
                result.composition.append((dataset.id, tuple(group)))
    return errors


def _check_axis_units(parsed: Mapping[str, ex.Expression], units: Mapping[str, str]) -> list[VariableError]:
    """An error for each axis whose expression combines units that do not fit (``ce + thickness``)."""
    errors: list[VariableError] = []
    for axis in ("x", "y"):
        try:
            ex.check_units(parsed[axis], units)
        except ex.ExpressionError as error:
            errors.append(
                VariableError(axis, error.start, error.end, "unit-mismatch", error.message, error.hint)
            )
    return errors


CONDITIONS = ("cell", "protocol", "current_density", "areal_capacity", "temperature", "cycles", "source")
"""The conditions ``where:`` filters on; every other key of it names a variable."""


def _error(name: str, place: tuple[str, int, int], code: str, message: str, hint: str) -> VariableError:
    """A mistake about ``name`` at its place: in ``x``/``y`` its span, in ``where`` its key."""
    axis, start, end = place
    return VariableError(axis, start, end, code, message, hint, key=name if axis == "where" else None)


# --- conditions ---------------------------------------------------------------------------


def conditions_of(dataset: Dataset, record: Record) -> dict[str, Any]:
    """The record's conditions: the dataset's, with each field the record states overriding."""
    merged: dict[str, Any] = {}
    for conditions in (dataset.conditions, record.conditions):
        if conditions is not None:
            merged.update(
                {
                    k: getattr(conditions, k)
                    for k in Conditions.model_fields
                    if getattr(conditions, k) is not None
                }
            )
    return merged


def matches(filters: Filters | None, conditions: Mapping[str, Any], source: str | None = None) -> bool:
    """Whether conditions satisfy every filter; an unknown condition never matches a filter.

    Cell and protocol compare case-insensitively (surrounding blanks ignored); quantities
    compare after conversion to the filter's unit, to a relative 1e-6; the cycle number by
    its value filter (``>= 50``).
    """
    if filters is None:
        return True
    for name in ("cell", "protocol"):
        wanted = getattr(filters, name)
        if wanted is None:
            continue
        have = conditions.get(name)
        if have is None or str(have).strip().casefold() != wanted.strip().casefold():
            return False
    for name in ("current_density", "areal_capacity", "temperature"):
        wanted = getattr(filters, name)
        if wanted is None:
            continue
        have = conditions.get(name)
        if have is None:
            return False
        try:
            value = convert(have.value, have.unit, wanted.unit)
        except UnitError:
            return False
        if not math.isclose(value, wanted.value, rel_tol=1e-6, abs_tol=1e-9):
            return False
    if filters.cycles is not None:
        have = conditions.get("cycles")
        if have is None or not read_value_filter(filters.cycles).keeps(float(have)):
            return False
    return filters.source is None or filters.source == source


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Rows:
    """The records that passed the filters, with their x and y (NaN where undefined)."""

    labels: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    refs: list[str | None] = field(default_factory=list)
    own_source: list[bool] = field(default_factory=list)
    """Whether each record names its own source (else ``refs`` holds its dataset's first)."""
    groups: list[str | None] = field(default_factory=list)
    x: np.ndarray = field(default_factory=lambda: np.empty(0))
    y: np.ndarray = field(default_factory=lambda: np.empty(0))
    raw: dict[str, np.ndarray] = field(default_factory=dict)
    """Each name's values (for caveats)."""
    composition_sums: list[np.ndarray] = field(default_factory=list)
    undefined: list[tuple[str, ex.Undefined]] = field(default_factory=list)
    """(axis, where and why) for every part of ``x`` or ``y`` without a value for some records
    whose inputs are numbers (see :func:`limkb.analysis.expressions.evaluate_checked`)."""

    def undefined_labels(self, item: ex.Undefined) -> list[str]:
        """The labels of the records ``item`` left without a value."""
        mask = np.broadcast_to(item.mask, (len(self.labels),))
        return [self.labels[i] for i in np.flatnonzero(mask)]


def evaluate_plan(
    the_plan: Plan,
    analysis: Analysis,
    descriptors: Callable[[Dataset, Record], Mapping[str, float] | None],
    group_of: Callable[[Dataset, Record, Mapping[str, Any], str | None], str | None] | None = None,
) -> Rows:
    """Every record of the plan's datasets that passes ``analysis.where``, evaluated.

    A record passes when its conditions match and each value filter keeps its value; a record
    without a value for a filtered name (or whose descriptors cannot be computed) is dropped.
    """
    rows = Rows()
    columns: dict[str, list[float]] = {name: [] for name in the_plan.units}
    sums: list[list[float]] = []
    for dataset, bindings in the_plan.datasets:
        default_ref = dataset.sources[0].ref  # an entry has at least one source
        factors = {}
        for name, binding in bindings.items():
            if binding.column is not None and binding.from_unit and binding.to_unit:
                try:
                    a = convert(0.0, binding.from_unit, binding.to_unit)
                    b = convert(1.0, binding.from_unit, binding.to_unit) - a
                except UnitError:
                    a, b = math.nan, math.nan
                factors[name] = (b, a)
            else:
                factors[name] = (1.0, 0.0)
        groups = [g for d, g in the_plan.composition if d == dataset.id]
        for record in dataset.records:
            ref = record.source.ref if record.source is not None else default_ref
            conditions = conditions_of(dataset, record)
            if not matches(analysis.where, conditions, ref):
                continue
            values = record.values
            read = _read_record(record, bindings, factors, partial(descriptors, dataset, record))
            if not all(bounds.keeps(read[name]) for name, bounds in the_plan.filters.items()):
                continue
            for name, value in read.items():
                columns[name].append(value)
            if groups:
                sums.append(
                    [sum(float(v) for n in g if isinstance(v := values.get(n), (int, float))) for g in groups]
                )
            rows.labels.append(record.label)
            rows.datasets.append(dataset.id)
            rows.refs.append(ref)
            rows.own_source.append(record.source is not None)
            rows.groups.append(group_of(dataset, record, conditions, ref) if group_of else None)
    arrays = {name: np.asarray(v, dtype=float) for name, v in columns.items()}
    size = len(rows.labels)
    rows.raw = arrays
    x, x_undefined = ex.evaluate_checked(the_plan.x, arrays)
    y, y_undefined = ex.evaluate_checked(the_plan.y, arrays)
    rows.undefined = [("x", item) for item in x_undefined] + [("y", item) for item in y_undefined]
    rows.x = np.broadcast_to(np.asarray(x, dtype=float), (size,)).copy()
    rows.y = np.broadcast_to(np.asarray(y, dtype=float), (size,)).copy()
    if sums:
        rows.composition_sums = [np.asarray(column, dtype=float) for column in zip(*sums, strict=True)]
    return rows


def _read_record(
    record: Record,
    bindings: Mapping[str, Binding],
    factors: Mapping[str, tuple[float, float]],
    descriptors: Callable[[], Mapping[str, float] | None],
) -> dict[str, float]:
    """Each bound name's value in ``record``, converted (NaN where missing or not a number).

    Descriptors are computed once, and only when a name needs one.
    """
    read: dict[str, float] = {}
    found: Mapping[str, float] | None = None
    for name, binding in bindings.items():
        if binding.descriptor is not None:
            if found is None:
                found = descriptors() or {}
            read[name] = found.get(binding.descriptor, math.nan)
            continue
        raw = record.values.get(binding.column or "")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            read[name] = math.nan
        else:
            b, a = factors[name]
            read[name] = apply_binding(binding, raw * b + a)
    return read


def apply_binding(binding: Binding, value: float) -> float:
    """A column's value (in the unit of the property it holds) through the binding's formula, if any."""
    if binding.formula is None or binding.formula_of is None:
        return value
    found = ex.evaluate(binding.formula, {binding.formula_of: np.asarray([value], dtype=float)})
    return float(np.asarray(found, dtype=float).reshape(-1)[0])


def describe_bindings(the_plan: Plan) -> dict[str, list[str]]:
    """For pages: each name and what it was read from in each dataset."""
    shown: dict[str, list[str]] = {}
    for dataset, bindings in the_plan.datasets:
        for name, binding in bindings.items():
            what = f"{dataset.id}.{binding.column}" if binding.column else f"descriptor {binding.descriptor}"
            if binding.formula is not None:
                what = f"{name} computed from {what}"
            shown.setdefault(name, []).append(what)
    return shown


def columns_used(the_plan: Plan) -> Sequence[tuple[str, Column]]:
    """(dataset id, column) of every column the plan reads."""
    found = []
    for dataset, bindings in the_plan.datasets:
        columns = {c.name: c for c in dataset.columns}
        for binding in bindings.values():
            if binding.column is not None:
                found.append((dataset.id, columns[binding.column]))
    return found
