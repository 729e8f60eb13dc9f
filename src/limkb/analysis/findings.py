"""Findings as an analyst reads them: one flat, typed record per finding stored in the KB.

A finding is written once, in the ``findings:`` of one entry, and may ``informs:`` others.
:func:`finding_records` gives each one whole: its value and unit, the electrolyte as written
with the components it resolves to, every condition in a column of its own (quantities as
numbers in :data:`~limkb.analysis.records.QUANTITY_UNITS`), its source with the reference's
reading status and the address it was read at. The Python API (``kb.findings()``), its data
frame and the SQLite table ``findings`` are all made from it, so they agree.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from limkb.analysis.formulations import MaterialIndex
from limkb.analysis.records import QUANTITY_UNITS, MeasuredComponent, measured_components, written_text
from limkb.schema.fields import Finding
from limkb.schema.kinds import Entry, Reference
from limkb.schema.units import UnitError, convert

__all__ = [
    "FindingRecord",
    "FindingTable",
    "finding_key",
    "finding_records",
    "iter_findings",
    "with_findings",
]


@dataclass(frozen=True)
class FindingRecord:
    """One finding, flat: what was measured, its value, electrolyte, conditions and source."""

    entry: str
    """The entry the finding is recorded on."""
    position: int
    """Its position in that entry's ``findings``, from 0."""
    id: str | None
    quantity: str | None
    """The property measured (an entry id), when the KB has one."""
    what: str | None
    """What was measured, when no property fits."""
    value: float
    high: float | None
    """The upper end of a range."""
    bound: str
    """``=``, ``>`` (at least), ``<`` (at most) or ``~`` (about)."""
    unit: str
    uncertainty: float | None
    electrolyte: str | None
    """As written: the shorthand, or the components as JSON."""
    electrolyte_note: str | None
    components: tuple[MeasuredComponent, ...]
    """The electrolyte resolved to materials (none when it is missing or does not resolve)."""
    cell: str | None
    cathode: str | None
    protocol: str | None
    current_density: float | None
    """In mA cm-2."""
    areal_capacity: float | None
    """In mAh cm-2."""
    cycles: int | None
    temperature: float | None
    """In °C."""
    conditions_note: str | None
    ref: str
    locator: str | None
    read_status: str | None
    """How far the cited reference was read: ``full``, ``abstract``, ``none`` (None: unrecorded)."""
    read_url: str | None
    """The address it was read at."""
    statement: str
    informs: tuple[str, ...] = ()
    """Other entries the finding bears on."""

    def to_dict(self) -> dict[str, Any]:
        """The record as plain data; components as a list of ``{material, role, amount, unit}``."""
        data = {name: getattr(self, name) for name in _FIELDS}  # every field is flat but these two:
        data["components"] = [c.to_dict() for c in self.components]
        data["informs"] = list(self.informs)
        return data


_FIELDS = tuple(f.name for f in fields(FindingRecord))
"""The fields of :class:`FindingRecord`, in order (its dict form's keys)."""


class FindingTable(list[FindingRecord]):
    """A list of :class:`FindingRecord` with a data frame view."""

    def to_pandas(self) -> Any:
        """The findings as a ``pandas.DataFrame``, one row each (needs ``pip install limkb[pandas]``)."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError as error:
            raise ImportError(
                "FindingTable.to_pandas() needs pandas, an optional extra of limkb: "
                "pip install limkb[pandas] (or pip install pandas)"
            ) from error
        names = [f.name for f in fields(FindingRecord)]
        return pd.DataFrame.from_records([r.to_dict() for r in self], columns=names)


def iter_findings(entries: Mapping[str, Entry]) -> Iterator[tuple[str, int, Finding]]:
    """Every finding stored in ``entries``: (entry id, position, finding), by entry id."""
    for entry_id in sorted(entries):
        for position, finding in enumerate(getattr(entries[entry_id], "findings", None) or []):
            yield entry_id, position, finding


def with_findings(entries: Mapping[str, Entry]) -> set[str]:
    """The ids of the entries that have findings: those recorded on them and those recorded
    on another entry that names them in ``informs:``."""
    found: set[str] = set()
    for entry_id, _, finding in iter_findings(entries):
        found.add(entry_id)
        found.update(finding.informs)
    return found


def finding_key(finding: Finding) -> str:
    """What makes two findings the same fact: source, quantity, value, unit and conditions.

    Not the entry, the locator, the statement or the wording of ``what`` (two curators name
    one measurement differently: "bending radius without cracking" and "bending radius
    survived without cracking" of one Li3N film)."""
    conditions = finding.conditions.model_dump(mode="json", exclude_none=True) if finding.conditions else {}
    conditions.pop("note", None)
    return json.dumps(
        [
            finding.source.ref,
            finding.quantity,
            finding.value,
            finding.high,
            finding.bound,
            finding.unit,
            conditions,
        ],
        sort_keys=True,
    )


def finding_records(entries: Mapping[str, Entry], index: MaterialIndex) -> FindingTable:
    """Every finding of ``entries`` as a :class:`FindingRecord`, by entry id then position.

    An electrolyte is resolved once however many findings share it: O(findings + electrolytes).
    """
    resolved: dict[str, tuple[MeasuredComponent, ...]] = {}
    found = FindingTable()
    for entry_id, position, finding in iter_findings(entries):
        reference = entries.get(finding.source.ref)
        read = reference.read if isinstance(reference, Reference) else None
        written = finding.electrolyte
        text = written_text(written)
        if written is not None and text is not None and text not in resolved:
            resolved[text] = measured_components(written, index)
        conditions = finding.conditions
        found.append(
            FindingRecord(
                entry=entry_id,
                position=position,
                id=finding.id,
                quantity=finding.quantity,
                what=finding.what,
                value=finding.value,
                high=finding.high,
                bound=finding.bound,
                unit=finding.unit,
                uncertainty=finding.uncertainty,
                electrolyte=text,
                electrolyte_note=finding.electrolyte_note,
                components=resolved.get(text, ()) if text is not None else (),
                cell=conditions.cell if conditions else None,
                cathode=conditions.cathode if conditions else None,
                protocol=conditions.protocol if conditions else None,
                current_density=_number(conditions, "current_density"),
                areal_capacity=_number(conditions, "areal_capacity"),
                cycles=conditions.cycles if conditions else None,
                temperature=_number(conditions, "temperature"),
                conditions_note=conditions.note if conditions else None,
                ref=finding.source.ref,
                locator=finding.source.locator,
                read_status=read.status if read is not None else None,
                read_url=read.url if read is not None else None,
                statement=finding.statement,
                informs=tuple(finding.informs),
            )
        )
    return found


def _number(conditions: Any, name: str) -> float | None:
    """A quantity condition as a number in its unit of :data:`QUANTITY_UNITS` (None if absent)."""
    quantity = getattr(conditions, name, None) if conditions is not None else None
    if quantity is None:
        return None
    try:
        return float(convert(quantity.value, quantity.unit, QUANTITY_UNITS[name]))
    except UnitError:
        return None
