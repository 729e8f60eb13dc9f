"""Dataset records as an analyst reads them: values, electrolyte, conditions and descriptors.

A record in YAML states what differs from its dataset; :func:`measured_records` gives each
one whole: its column values, its source (the record's, else the dataset's first), its
electrolyte as written (the record's, else the dataset's) with the components it resolves
to, its conditions (the dataset's, each field the record states overriding), and the
descriptors computed from the electrolyte, and the values of every property that a column's
property defines or is defined by (``defined_as``: CE from an LCE column), computed, never
typed twice, with the expression that gives them. The Python API (``kb.dataset(id).records``), the
data frame (``to_pandas()``) and the SQLite tables ``components`` and ``descriptors`` are
all made from it, so they agree.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from limkb.analysis.formulations import FormulationError, MaterialIndex
from limkb.analysis.inputs import Inputs, formulation_of
from limkb.analysis.variables import Binding, apply_binding, bind_derived, conditions_of, definition_of
from limkb.schema.kinds import Dataset, Property, Record
from limkb.schema.units import UnitError, convert

__all__ = [
    "QUANTITY_UNITS",
    "ComputedValue",
    "MeasuredComponent",
    "MeasuredRecord",
    "computed_values",
    "measured_components",
    "measured_records",
    "written_text",
]

log = logging.getLogger(__name__)

QUANTITY_UNITS = {"current_density": "mA cm-2", "areal_capacity": "mAh cm-2", "temperature": "°C"}
"""The unit each quantity condition is given in where conditions become plain numbers (a data frame)."""


@dataclass(frozen=True)
class MeasuredComponent:
    """One component of a record's electrolyte: the material, its role and its amount."""

    material: str
    role: str
    amount: float | None
    unit: str | None

    def to_dict(self) -> dict[str, Any]:
        """The component as plain data: ``{"material", "role", "amount", "unit"}``."""
        return {"material": self.material, "role": self.role, "amount": self.amount, "unit": self.unit}


@dataclass(frozen=True)
class ComputedValue:
    """A property's value computed from a column by its defining expression (CE from LCE)."""

    property: str
    value: float
    unit: str
    column: str
    """The column it is computed from."""
    from_property: str
    """The property that column holds."""
    expression: str
    """The defining expression (``defined_as``) linking the two, as the property states it."""


@dataclass(frozen=True)
class MeasuredRecord:
    """A dataset record made whole: what it states, and what its dataset and materials add."""

    dataset: str
    row: int
    """Position of the record in its dataset, from 0."""
    label: str
    values: dict[str, Any]
    """Every column's value (None where the record has none), in the column's unit."""
    ref: str | None
    locator: str | None
    electrolyte: str | None
    """The electrolyte as written (the list form as JSON), the record's or else its dataset's."""
    components: tuple[MeasuredComponent, ...] = ()
    """The electrolyte's components (none when it is missing or does not resolve)."""
    conditions: dict[str, Any] = field(default_factory=dict)
    """The conditions, the dataset's merged with the record's; quantities as ``{"value", "unit"}``."""
    descriptors: dict[str, float] = field(default_factory=dict)
    """The atomic-fraction descriptors of the electrolyte (none when they cannot be computed)."""
    strategies: tuple[str, ...] = ()
    note: str | None = None
    computed: tuple[ComputedValue, ...] = ()
    """Properties no column holds, computed from one that does (see :func:`computed_values`)."""

    def to_dict(self) -> dict[str, Any]:
        """The record as the Python API gives it: label, the column values, ref, locator, then
        ``electrolyte``, ``components``, ``conditions``, ``descriptors``, ``strategies`` and
        ``computed`` (property id -> value computed from its defining expression, in the
        property's unit)."""
        return {
            "label": self.label,
            **self.values,
            "ref": self.ref,
            "locator": self.locator,
            "electrolyte": self.electrolyte,
            "components": [c.to_dict() for c in self.components],
            "conditions": dict(self.conditions),
            "descriptors": dict(self.descriptors),
            "strategies": list(self.strategies),
            "computed": {c.property: c.value for c in self.computed},
        }


def measured_records(dataset: Dataset, inputs: Inputs) -> list[MeasuredRecord]:
    """Every record of ``dataset``, whole (see the module's docstring), in the dataset's order.

    An electrolyte is resolved once however many records share it: O(records + electrolytes).
    """
    default = dataset.sources[0] if dataset.sources else None
    derived = derived_bindings(dataset, inputs.properties)
    resolved: dict[str, tuple[MeasuredComponent, ...]] = {}
    found = []
    for row, record in enumerate(dataset.records):
        source = record.source or default
        written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
        text = written_text(written)
        if written is not None and text is not None and text not in resolved:
            resolved[text] = _components(written, inputs)
        values = record.values
        found.append(
            MeasuredRecord(
                dataset=dataset.id,
                row=row,
                label=record.label,
                values={column.name: values.get(column.name) for column in dataset.columns},
                ref=source.ref if source else None,
                locator=source.locator if source else None,
                electrolyte=text,
                components=resolved.get(text, ()) if text is not None else (),
                conditions=plain_conditions(dataset, record),
                descriptors=dict(inputs.descriptors(dataset, record) or {}),
                strategies=tuple(record.strategies),
                note=record.note,
                computed=computed_values(record, derived, inputs.properties),
            )
        )
    return found


def derived_bindings(dataset: Dataset, properties: dict[str, Property]) -> dict[str, Binding]:
    """Each property no column of ``dataset`` holds but a column's property defines or is
    defined by, with how it is computed (as an analysis naming it would), by property id.
    Only the properties a definition links to a column's property are tried: linear in the
    number of definitions, each parsed once per text."""
    held = {c.property for c in dataset.columns if c.property}
    found = {}
    for prop_id in sorted(_linked(held, properties) - held):
        binding = bind_derived(prop_id, dataset, properties)
        if binding is not None and binding.column is not None:
            found[prop_id] = binding
    return found


def _linked(held: set[str], properties: dict[str, Property]) -> set[str]:
    """The properties a one-name definition links to one of ``held``: those defined from a
    held property, and those a held property is defined from (the only ones
    :func:`~limkb.analysis.variables.bind_derived` can bind in a dataset holding ``held``)."""
    linked: set[str] = set()
    for prop in properties.values():
        parsed = definition_of(prop.defined_as.expression) if prop.defined_as is not None else None
        if parsed is None:
            continue
        if parsed[1] in held:
            linked.add(prop.id)
        if prop.id in held:
            linked.add(parsed[1])
    return linked


def computed_values(
    record: Record, derived: dict[str, Binding], properties: dict[str, Property]
) -> tuple[ComputedValue, ...]:
    """The values of ``derived`` for one record; none where its column is empty or not a number."""
    found = []
    for prop_id, binding in derived.items():
        raw = record.values.get(binding.column or "")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or binding.formula is None:
            continue
        try:
            value = apply_binding(
                binding, convert(float(raw), binding.from_unit or "1", binding.to_unit or "1")
            )
        except UnitError:
            continue
        if math.isfinite(value):
            found.append(
                ComputedValue(
                    property=prop_id,
                    value=value,
                    unit=properties[prop_id].unit or "1",
                    column=binding.column or "",
                    from_property=binding.formula_of or "",
                    expression=_definition(prop_id, binding.formula_of or "", properties),
                )
            )
    return tuple(found)


def _definition(prop_id: str, other: str, properties: dict[str, Property]) -> str:
    """The ``defined_as`` expression linking two properties, whichever of them states it."""
    for candidate in (prop_id, other):
        definition = properties[candidate].defined_as if candidate in properties else None
        if definition is not None:
            return definition.expression
    return ""


def plain_conditions(dataset: Dataset, record: Record) -> dict[str, Any]:
    """The record's merged conditions as JSON data: quantities as ``{"value", "unit"}``."""
    return {
        name: value.model_dump(mode="json") if hasattr(value, "model_dump") else value
        for name, value in conditions_of(dataset, record).items()
    }


def written_text(written: Any) -> str | None:
    """An ``electrolyte`` value as text: the shorthand as written, the list form as JSON."""
    if written is None or isinstance(written, str):
        return written
    return json.dumps([c.model_dump(mode="json", exclude_none=True) for c in written], sort_keys=True)


def _components(written: str | Sequence[Any], inputs: Inputs) -> tuple[MeasuredComponent, ...]:
    """The resolved components of a record's electrolyte (see :func:`measured_components`)."""
    return measured_components(written, inputs.index)


def measured_components(written: str | Sequence[Any], index: MaterialIndex) -> tuple[MeasuredComponent, ...]:
    """The resolved components of an electrolyte; none when it does not resolve (validation says why)."""
    try:
        formulation = formulation_of(written, index)
    except FormulationError as error:
        log.debug("electrolyte %r does not resolve: %s", written, error)
        return ()
    return tuple(
        MeasuredComponent(
            material=c.material or c.name,
            role=str(c.role.value),
            amount=c.amount,
            unit=None if c.unit is None else str(c.unit.value),
        )
        for c in formulation.components
    )
