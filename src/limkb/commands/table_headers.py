"""The header of a CSV table matched to a dataset's columns, ``--map`` and ``--skip`` applied.

Each header names a column of the dataset by the column's ``name`` (``ce``), the id of its
property (``coulombic-efficiency``) or either followed by the unit in brackets (``ce (%)``,
``ce [%]``); or one of the fields a record has besides its values (:data:`RESERVED`). Headers
that match nothing are reported together, with the flags that map or skip them, and a header
that is a property's symbol or alias (``LCE``) is named as that property.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from limkb.report import Report, close_matches
from limkb.schema.kinds import Column, Property
from limkb.schema.units import UnitError, convert

__all__ = ["CONDITIONS", "QUANTITIES", "RESERVED", "WITH_UNIT", "read_header", "sniff_delimiter"]

CONDITIONS = ("cell", "cathode", "protocol", "current_density", "areal_capacity", "cycles", "temperature")
"""Header names that fill a row's ``conditions``."""
QUANTITIES = {"current_density": "mA cm-2", "areal_capacity": "mAh cm-2", "temperature": "°C"}
COMPUTED = ("electrolyte_components",)
"""Headers of limkb's CSV export that hold computed values: read past on import."""
RESERVED = (
    "label",
    "ref",
    "doi",
    "locator",
    "note",
    "electrolyte",
    "strategies",
    *COMPUTED,
    *CONDITIONS,
    "conditions_note",
)
"""Header names of what a record holds besides its values (``conditions_note`` is its conditions' note)."""
WITH_UNIT = re.compile(r"^(.*?)\s*[(\[](.*)[)\]]\s*$")
"""A header or ``--map`` target with a unit in brackets: ``ce (%)``, ``current_density [mA cm-2]``."""


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _match_header(header: str, columns: list[Column]) -> tuple[str | None, str | None, str | None]:
    """(reserved field or column name, unit given in the header, error) for one header cell; the
    error is set only for a column whose unit the header contradicts (None when nothing matches:
    :func:`read_header` reports unmatched headers together)."""
    text = header.strip()
    unit = None
    match = WITH_UNIT.match(text)
    if match and match.group(1):
        text, unit = match.group(1), match.group(2).strip()
    is_column = any(c.name == _norm(text) for c in columns)
    if _norm(text) in RESERVED and not is_column and (unit is None or _norm(text) in QUANTITIES):
        return _norm(text), unit, None
    for column in columns:
        if _norm(text) == column.name or (column.property and text.strip().lower() == column.property):
            if (
                unit is not None
                and column.unit is not None
                and unit.replace(" ", "") != column.unit.replace(" ", "")
            ):
                return (
                    column.name,
                    unit,
                    (
                        f"the column {column.name!r} is in {column.unit!r}, but the header says {unit!r}; "
                        f"convert the values to {column.unit} and write the header as `{column.name} ({column.unit})`"
                    ),
                )
            return column.name, unit, None
    return None, unit, None


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV from its first line: a tab if any, else `;` when it outnumbers `,`."""
    if "\t" in first_line:
        return "\t"
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _property_hints(
    headers: list[str], columns: list[Column], properties: Mapping[str, Property]
) -> list[tuple[str, str]]:
    """(header, advice) for headers that are a property's symbol or alias (``LCE``): which
    property, and what to do. Such a header is never offered a look-alike column instead."""
    held = {c.property: c.name for c in columns if c.property}
    names: dict[str, Property] = {}
    for prop in properties.values():
        for name in (prop.symbol, prop.name, *prop.aliases):
            if name:
                names.setdefault(name.casefold(), prop)
    hints: list[tuple[str, str]] = []
    for header in headers:
        found = names.get(WITH_UNIT.sub(lambda m: m.group(1), header).strip().casefold())
        if found is None:
            continue
        if found.id in held:
            hints.append((header, f'{header!r} is {found.name}: --map "{header}={held[found.id]}"'))
        else:
            hints.append(
                (
                    header,
                    f"{header!r} is {found.name} (`{found.id}`), which no column of the dataset holds: "
                    f"add a column with `property: {found.id}` to map it to, or --skip it",
                )
            )
    return hints


_Bad = Callable[[int, int, str, str, str], None]
"""How a header problem is reported: (line, column, code, message, hint)."""


def read_header(
    reader: Any,
    columns: list[Column],
    properties: Mapping[str, Property],
    *,
    mapping: dict[str, str],
    skip: set[str],
    bad: _Bad,
    report: Report,
) -> tuple[list[str], dict[int, str], dict[int, str | None]] | None:
    """(header cells, column index -> target field, index -> unit in the header), or None on errors."""
    try:
        header = next(reader)
    except StopIteration:
        bad(
            1, 1, "csv-header", "the file is empty", "the first line names the columns, e.g. `label,ce,f_pct`"
        )
        return None
    targets, header_units, unmatched, used_maps = _place(header, columns, mapping, skip, bad)
    _unused_flags(header, set(mapping) - used_maps, skip, bad)
    if unmatched:
        _report_unmatched(unmatched, columns, properties, bad)
    if "label" not in targets.values():
        bad(
            1,
            1,
            "csv-header",
            "there is no `label` column",
            "add a first column `label` naming each row (e.g. the electrolyte)",
        )
    if report.errors:
        return None
    return header, targets, header_units


def _place(
    header: list[str], columns: list[Column], mapping: Mapping[str, str], skip: set[str], bad: _Bad
) -> tuple[dict[int, str], dict[int, str | None], list[tuple[int, str]], set[str]]:
    """Each header cell's field (column index -> field) and unit, the cells that name nothing
    (index, text), and the ``--map`` keys used; empty, contradicting and repeated cells reported."""
    by_name = {c.name: c for c in columns}
    targets: dict[int, str] = {}
    header_units: dict[int, str | None] = {}
    unmatched: list[tuple[int, str]] = []
    used_maps: set[str] = set()
    for i, cell in enumerate(header):
        name = cell.strip()
        if name.casefold() in skip:
            continue
        if not name:
            bad(
                1,
                i + 1,
                "csv-header",
                f"header cell {i + 1} is empty",
                "name the column, delete it, or skip it",
            )
            continue
        if name.casefold() in mapping:
            used_maps.add(name.casefold())
            found = _mapped(name, mapping[name.casefold()], by_name, i + 1, bad)
        else:
            matched, unit, error = _match_header(cell, columns)
            if matched is None:
                unmatched.append((i, name))
                continue
            if error:
                bad(1, i + 1, "csv-header", f"header {name!r} does not fit its column", error)
                continue
            found = (matched, unit)
        if found is None:
            continue
        target, unit = found
        if target in targets.values():
            bad(
                1,
                i + 1,
                "csv-header",
                f"header {name!r} maps to {target!r} a second time",
                "keep one column per dataset column, or skip one with --skip",
            )
            continue
        targets[i] = target
        header_units[i] = unit
    return targets, header_units, unmatched, used_maps


def _mapped(
    name: str, target: str, by_name: Mapping[str, Column], col: int, bad: _Bad
) -> tuple[str, str | None] | None:
    """(field, unit) a ``--map`` gives the header ``name``, or None when reported: the target
    is no column or field, or its unit (in the target or the header) contradicts the column's."""
    given = WITH_UNIT.match(target)
    target_unit = None
    if given and given.group(1):  # --map "current=current_density [mA cm-2]"
        target, target_unit = given.group(1).strip(), given.group(2).strip()
    if target not in by_name and target not in RESERVED:
        bad(
            1,
            col,
            "csv-header",
            f"--map {name}={target}: the dataset has no column {target!r}",
            f"map it to one of: {', '.join([*by_name, *RESERVED])}",
        )
        return None
    unit = target_unit
    match = WITH_UNIT.match(name)
    if unit is None and match and match.group(1):
        unit = match.group(2).strip()
    column = by_name.get(target)
    if (
        unit is not None
        and column is not None
        and column.unit is not None
        and not _same_unit(unit, column.unit)
    ):
        bad(
            1,
            col,
            "csv-header",
            f"the header says {unit!r} but the column {target!r} is in {column.unit!r}",
            f"convert the values to {column.unit}",
        )
        return None
    return target, unit


def _same_unit(unit: str, column_unit: str) -> bool:
    """Whether a mapped header's unit is the column's (one converts to the other with factor 1);
    a unit limkb does not know is trusted, as the mapping says."""
    try:
        return convert(1.0, unit, column_unit) == 1.0
    except UnitError:
        return True


def _unused_flags(header: list[str], maps: set[str], skip: set[str], bad: _Bad) -> None:
    """A problem for each ``--map`` or ``--skip`` that names a header the CSV does not have."""
    headers = ", ".join(h.strip() for h in header)
    for key in sorted(maps):
        bad(
            1,
            1,
            "csv-header",
            f"--map names the header {key!r}, which the CSV does not have",
            f"the headers are: {headers}",
        )
    for key in sorted(skip - {h.strip().casefold() for h in header}):
        bad(
            1,
            1,
            "csv-header",
            f"--skip names the header {key!r}, which the CSV does not have",
            f"the headers are: {headers}",
        )


def _report_unmatched(
    unmatched: list[tuple[int, str]], columns: list[Column], properties: Mapping[str, Property], bad: _Bad
) -> None:
    """One problem for every header that names no column: each named, with a look-alike column
    or the property it is a symbol of, and the flags that map or skip it."""
    by_name = [c.name for c in columns]
    names = ", ".join(repr(n) for _, n in unmatched)
    known = _property_hints([n for _, n in unmatched], columns, properties)
    named = {header for header, _ in known}
    close = [
        f"for {n!r}, did you mean {c[0]!r}?"
        for _, n in unmatched
        if n not in named
        and (c := close_matches(_norm(WITH_UNIT.sub(lambda m: m.group(1), n)), by_name, n=1, cutoff=0.6))
    ]
    close += [hint for _, hint in known]
    count = len(unmatched)
    example = unmatched[0][1]
    bad(
        1,
        unmatched[0][0] + 1,
        "csv-header",
        f"{count} header{'s' if count > 1 else ''} name{'' if count > 1 else 's'} "
        f"no column of the dataset: {names}" + (f"; {' '.join(close)}" if close else ""),
        f'map a header to a column with --map "{example}=COLUMN", or leave it out with '
        f'--skip "{example}" (one flag per header); the dataset\'s columns: {", ".join(by_name)}; '
        f"fields: {', '.join(RESERVED)}",
    )
