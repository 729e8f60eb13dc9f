"""What computing analyses needs of a knowledge base, gathered once: properties, datasets,
the materials' names (for formulations) and data (for descriptors), and descriptors per
electrolyte, computed once each."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from limkb.analysis.descriptors import DescriptorError, MaterialData, compute_descriptors
from limkb.analysis.formulations import (
    Conventions,
    Formulation,
    FormulationError,
    MaterialIndex,
    components_of,
    resolve,
)
from limkb.analysis.formulations import parse as parse_formulation
from limkb.schema.kinds import Dataset, Entry, Material, Property, Record

__all__ = ["Inputs", "conventions_of", "formulation_of", "material_index"]

log = logging.getLogger(__name__)


class _KB(Protocol):
    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]: ...


def material_index(materials: Sequence[Material]) -> MaterialIndex:
    """Every name of every material: id, name, aliases, formula."""
    return MaterialIndex.of(
        (m.id, [m.name, *m.aliases, *([m.formula] if m.formula else [])], [r.value for r in m.roles])
        for m in materials
    )


def conventions_of(dataset: Dataset) -> Conventions:
    """The conventions a dataset declares for its formulations (none declared: none assumed)."""
    declared = dataset.conventions
    if declared is None:
        return Conventions()
    return Conventions.of(ratio=declared.ratio, percent=declared.percent)


class Inputs:
    """What computing analyses needs of a knowledge base, gathered once for all of them."""

    def __init__(self, kb: _KB) -> None:
        self.properties = {e.id: e for e in kb.entries(kind="property") if isinstance(e, Property)}
        self.datasets = [d for d in kb.entries(kind="dataset") if isinstance(d, Dataset)]
        materials = [m for m in kb.entries(kind="material") if isinstance(m, Material)]
        self.index = material_index(materials)
        self.material_data = {
            m.id: MaterialData(
                m.formula,
                m.grams_per_cm3,
                any(r.value == "salt" for r in m.roles),
                m.density is not None and m.density.status is not None,
            )
            for m in materials
        }
        self._formulations: dict[str, dict[str, float] | None] = {}
        self._descriptor_errors: dict[tuple[str, str], DescriptorError | None] = {}
        self._resolved: dict[tuple[str, Conventions], Formulation | FormulationError] = {}

    def formulation(self, written: str | Sequence[Any], conventions: Conventions) -> Formulation:
        """:func:`formulation_of` ``written`` with this KB's materials, parsed and resolved once per
        text and conventions (the pages of the materials an electrolyte holds each read it);
        raises :class:`FormulationError`."""
        if not isinstance(written, str):
            return formulation_of(written, self.index, conventions=conventions)
        key = (written, conventions)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = formulation_of(written, self.index, conventions=conventions)
            except FormulationError as error:
                found = error
            self._resolved[key] = found
        if isinstance(found, FormulationError):
            raise found
        return found

    def descriptor_error(self, written: str, conventions: Conventions) -> DescriptorError | None:
        """Why the electrolyte ``written`` (read with ``conventions``) gives no descriptors, or None
        when it gives them or its formulation fails (a formulation problem is reported where it
        is); computed once per electrolyte and conventions."""
        key = (written, str(conventions))
        if key not in self._descriptor_errors:
            self._descriptor_errors[key] = None
            try:
                compute_descriptors(self.formulation(written, conventions), self.material_data)
            except FormulationError:
                pass
            except DescriptorError as error:
                self._descriptor_errors[key] = error
        return self._descriptor_errors[key]

    def descriptors(self, dataset: Dataset, record: Record) -> dict[str, float] | None:
        """The record's descriptors (its electrolyte's, else its dataset's); None when not computable."""
        written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
        if written is None:
            return None
        conventions = conventions_of(dataset)
        key = f"{written}\x00{conventions}" if isinstance(written, str) else repr(written)
        if key not in self._formulations:
            try:
                formulation = self.formulation(written, conventions)
                self._formulations[key] = compute_descriptors(formulation, self.material_data)
            except (FormulationError, DescriptorError) as error:
                log.debug("no descriptors for %r: %s", key, error)
                self._formulations[key] = None
        return self._formulations[key]


def formulation_of(
    written: str | Sequence[Any], index: MaterialIndex, *, conventions: Conventions | None = None
) -> Formulation:
    """The resolved formulation of an ``electrolyte`` value, read with its dataset's
    ``conventions``; raises :class:`FormulationError`."""
    if isinstance(written, str):
        formulation, errors = resolve(
            parse_formulation(written, conventions=conventions, known=index.knows), index
        )
        if errors:
            raise errors[0]
        return formulation
    items: list[dict[str, Any]] = [
        item.model_dump() if hasattr(item, "model_dump") else dict(item)  # type: ignore[arg-type]
        for item in written
    ]
    return components_of(items)
