"""Append the rows of a CSV file to a dataset entry as records.

The CSV's first line names its columns. Each header is matched to a column of the dataset by
the column's ``name`` (``ce``), the id of its property (``coulombic-efficiency``) or either
followed by the unit in parentheses (``ce (%)``); the unit, when given, must be the column's.
A ``label`` column is required (how the row is named on plots); optional ``ref`` and
``locator`` columns give the row's own source, and ``note`` a remark.

Numbers are read strictly: an empty cell is a missing value; ``1,5`` (decimal comma), ``97 %``
(a unit in the cell) or ``n/a`` are errors, each reported once with its row, column, value and
a cure. Values outside the range of the column's property are errors too. Nothing is written
unless every row is good; then the records are appended and the file rewritten in canonical
form (``limkb fmt``), its comments kept.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from limkb.check.reader import MAX_BYTES, load_file, load_text
from limkb.commands.fmt import read_comments, render
from limkb.errors import LimkbError
from limkb.files import write_atomic
from limkb.report import Problem, Report, Severity, close_matches
from limkb.schema.ids import is_slug
from limkb.schema.kinds import Column, ColumnType, Dataset, Property, Reference, record_identity
from limkb.schema.units import UnitError, convert

__all__ = ["TableImport", "import_table", "read_table"]

log = logging.getLogger(__name__)

CONDITIONS = ("cell", "cathode", "protocol", "current_density", "areal_capacity", "cycles", "temperature")
"""Header names that fill a row's ``conditions``."""
_QUANTITIES = {"current_density": "mA cm-2", "areal_capacity": "mAh cm-2", "temperature": "°C"}
_RESERVED = ("label", "ref", "locator", "note", "electrolyte", *CONDITIONS)
_MAX_CSV_BYTES = 16 * 1024 * 1024
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_INTEGER = re.compile(r"^[-+]?\d+$")
_WITH_UNIT = re.compile(r"^(.*?)\s*[(\[](.*)[)\]]\s*$")


@dataclass
class TableImport:
    """What :func:`import_table` did: records read (and appended when the report is clean)."""

    dataset: str
    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    written: bool = False
    replaced: int = 0
    """How many of ``records`` replaced an existing record (``replace=True``) instead of being appended."""


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _match_header(header: str, columns: list[Column]) -> tuple[str | None, str | None, str | None]:
    """(reserved field or column name, unit given in the header, error) for one header cell."""
    text = header.strip()
    unit = None
    match = _WITH_UNIT.match(text)
    if match and match.group(1):
        text, unit = match.group(1), match.group(2).strip()
    is_column = any(c.name == _norm(text) for c in columns)
    if _norm(text) in _RESERVED and not is_column and (unit is None or _norm(text) in _QUANTITIES):
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
    names = [c.name for c in columns] + [c.property for c in columns if c.property] + list(_RESERVED)
    close = close_matches(_norm(text), names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        None,
        unit,
        (
            f"{hint}headers are a column name, its property id or `name (unit)`; "
            f"this dataset's columns: {', '.join(c.name for c in columns)}; plus label, ref, locator, note"
        ),
    )


def _number_error(value: str, column: Column) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a cell that is not a number of the column's type."""
    text = value.strip()
    integer = column.type is ColumnType.INTEGER
    if (_INTEGER if integer else _NUMBER).match(text):
        return None
    if integer and _NUMBER.match(text):
        return "is not a whole number", "this column holds integers; round the value or fix the column's type"
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return "uses a decimal comma", f"write {text.replace(',', '.')}"
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        return "has a thousands separator", f"write {text.replace(',', '')}"
    number = re.match(r"^\s*([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*(\S.*)$", text)
    if number:
        return (
            f"has {number.group(5)!r} after the number",
            f"write the number alone ({number.group(1)}); the column's unit is {column.unit!r}",
        )
    if text.lower() in ("nan", "n/a", "na", "-", "--", "?", "none", "null", "inf", "-inf"):
        return "is not a number", "leave the cell empty when the value is unknown"
    return "is not a number", "write digits with a decimal point, e.g. 99.1"


def _sniff_delimiter(first_line: str) -> str:
    if "\t" in first_line:
        return "\t"
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _dataset_columns(path: Path) -> tuple[Any, list[Column]]:
    document, problems = load_file(path)
    if document is None:
        where = "; ".join(p.format_text().splitlines()[0] for p in problems)
        raise LimkbError(f"{path} cannot be read ({where}); fix it first")
    columns: list[Column] = []
    raw = document.data.get("columns")
    if not isinstance(raw, list) or not raw:
        raise LimkbError(f"{path} declares no `columns:`; declare them before importing rows")
    for item in raw:
        try:
            columns.append(Column.model_validate(item))
        except pydantic.ValidationError as error:
            raise LimkbError(
                f"{path}: column {item!r} is not valid ({error.errors()[0]['msg']}); "
                f"run `limkb validate {path}` and fix the columns first"
            ) from None
    return document, columns


def _ranges(kb: Path, columns: list[Column]) -> dict[str, tuple[float | None, float | None, str]]:
    """(minimum, maximum, unit) of each column's property, where the property says."""
    found: dict[str, tuple[float | None, float | None, str]] = {}
    for column in columns:
        if not column.property:
            continue
        path = kb / Property.folder / f"{column.property}.yaml"
        if not path.is_file():
            continue
        document, _ = load_file(path)
        if document is None:
            continue
        data = document.data
        low, high, unit = data.get("minimum"), data.get("maximum"), data.get("unit")
        if isinstance(unit, str):
            found[column.name] = (
                float(low) if isinstance(low, (int, float)) else None,
                float(high) if isinstance(high, (int, float)) else None,
                unit,
            )
    return found


def _formulation_error(value: str, materials: Any) -> tuple[str, str] | None:
    """(what, fix) when a formulation cell cannot be read or names an unknown material."""
    from limkb.analysis.formulations import FormulationError, parse, resolve

    try:
        formulation = parse(value)
    except FormulationError as error:
        return f"{error.message} (at character {error.start + 1})", error.hint
    if materials is not None:
        _, errors = resolve(formulation, materials)
        if errors:
            return errors[0].message, errors[0].hint
    return None


def _condition(name: str, value: str, unit: str | None) -> Any:
    """A condition's value from a cell, or (what is wrong, fix)."""
    if name == "cycles":
        whole = re.fullmatch(r"\+?(\d+)(?:\.0*)?", value)  # spreadsheets write 30 as 30.0
        if whole is None:
            return "is not a whole number", "write the cycle number, e.g. 100"
        return int(whole.group(1))
    if name not in _QUANTITIES:
        return value
    if _NUMBER.match(value):
        if unit is None:
            return (
                "has no unit",
                f"give the unit in the header, `{name} [{_QUANTITIES[name]}]`, or in the cell, "
                f"`{value} {_QUANTITIES[name]}`",
            )
        return f"{value} {unit}"
    number = re.match(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*)$", value)
    if number is None:
        return "is not a number with a unit", f"write e.g. `0.5 {_QUANTITIES[name]}`"
    try:
        convert(1.0, number.group(2), _QUANTITIES[name])
    except UnitError:
        return f"is not in a unit of {name.replace('_', ' ')}", f"write e.g. `0.5 {_QUANTITIES[name]}`"
    return value


def read_table(
    text: str,
    columns: list[Column],
    *,
    path: str,
    references: set[str],
    ranges: dict[str, tuple[float | None, float | None, str]] | None = None,
    existing: dict[tuple[str, str | None], int] | None = None,
    replace: bool = False,
    mapping: dict[str, str] | None = None,
    skip: set[str] | None = None,
    materials: Any = None,
    default_source: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], Report]:
    """Records from CSV text for a dataset with ``columns``; every bad cell is a problem.

    ``mapping`` maps CSV headers to a column name (or a field such as ``label``); headers in
    ``skip`` are ignored; every other header must name a column, else one problem lists them
    all with the flags that map or skip them. An ``electrolyte`` cell is parsed as the
    formulation shorthand, its names looked up in ``materials`` (a
    :class:`~limkb.analysis.formulations.MaterialIndex`). A row whose source is
    ``default_source`` (the dataset's first) is stored without its own.

    ``existing`` maps the identity (:func:`~limkb.schema.kinds.record_identity`) of the dataset's
    records to their position: a row with one of them is refused, unless ``replace``. A row
    that repeats an earlier row of the same file is refused either way.
    """
    report = Report()
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line endings
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(first_line), strict=True)
    try:
        return _read_rows(
            reader,
            columns,
            path=path,
            references=references,
            ranges=ranges or {},
            existing=existing or {},
            replace=replace,
            report=report,
            mapping={k.strip().casefold(): v for k, v in (mapping or {}).items()},
            skip={k.strip().casefold() for k in (skip or set())},
            materials=materials,
            default_source=default_source,
        )
    except csv.Error as error:
        report.add(
            Problem(
                path,
                reader.line_num or 1,
                1,
                Severity.ERROR,
                "csv-syntax",
                f"the CSV cannot be read here: {error}",
                "check the quotes on this line: a quoted cell must end with a quote",
            )
        )
        return [], report


def _read_rows(
    reader: Any,
    columns: list[Column],
    *,
    path: str,
    references: set[str],
    ranges: dict[str, tuple[float | None, float | None, str]],
    existing: dict[tuple[str, str | None], int],
    replace: bool,
    report: Report,
    mapping: dict[str, str],
    skip: set[str],
    materials: Any,
    default_source: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], Report]:
    by_name = {c.name: c for c in columns}
    seen: dict[tuple[str, str | None], int] = {}

    def bad(line: int, col: int, code: str, message: str, hint: str) -> None:
        report.add(Problem(path, line, col, Severity.ERROR, code, message, hint))

    try:
        header = next(reader)
    except StopIteration:
        bad(
            1, 1, "csv-header", "the file is empty", "the first line names the columns, e.g. `label,ce,f_pct`"
        )
        return [], report
    targets: dict[int, str] = {}
    header_units: dict[int, str | None] = {}
    unmatched: list[tuple[int, str, str]] = []
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
            target = mapping[name.casefold()]
            given = _WITH_UNIT.match(target)
            target_unit = None
            if given and given.group(1):  # --map "current=current_density [mA cm-2]"
                target, target_unit = given.group(1).strip(), given.group(2).strip()
            if target not in by_name and target not in _RESERVED:
                bad(
                    1,
                    i + 1,
                    "csv-header",
                    f"--map {name}={target}: the dataset has no column {target!r}",
                    f"map it to one of: {', '.join([*by_name, *_RESERVED])}",
                )
                continue
            unit = target_unit
            match = _WITH_UNIT.match(name)
            if unit is None and match and match.group(1):
                unit = match.group(2).strip()
            error = None
            column = by_name.get(target)
            if unit is not None and column is not None and column.unit is not None:
                try:
                    if convert(1.0, unit, column.unit) != 1.0:
                        error = f"the header says {unit!r} but the column {target!r} is in {column.unit!r}"
                except UnitError:
                    error = None  # a header unit limkb does not know: trust the mapping
            if error:
                bad(1, i + 1, "csv-header", error, f"convert the values to {column.unit if column else ''}")
                continue
        else:
            matched, unit, error = _match_header(cell, columns)
            if matched is None:
                unmatched.append((i, name, error or ""))
                continue
            if error:
                bad(1, i + 1, "csv-header", f"header {name!r} does not fit its column", error)
                continue
            target = matched
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
    for key in sorted(set(mapping) - used_maps):
        bad(
            1,
            1,
            "csv-header",
            f"--map names the header {key!r}, which the CSV does not have",
            f"the headers are: {', '.join(h.strip() for h in header)}",
        )
    for key in sorted(skip - {h.strip().casefold() for h in header}):
        bad(
            1,
            1,
            "csv-header",
            f"--skip names the header {key!r}, which the CSV does not have",
            f"the headers are: {', '.join(h.strip() for h in header)}",
        )
    if unmatched:
        first = unmatched[0]
        names = ", ".join(repr(n) for _, n, _ in unmatched)
        close = [
            f"for {n!r}, did you mean {c[0]!r}?"
            for _, n, _ in unmatched
            if (
                c := close_matches(
                    _norm(_WITH_UNIT.sub(lambda m: m.group(1), n)), list(by_name), n=1, cutoff=0.6
                )
            )
        ]
        example = unmatched[0][1]
        bad(
            1,
            first[0] + 1,
            "csv-header",
            f"{len(unmatched)} header{'s' if len(unmatched) > 1 else ''} name{'' if len(unmatched) > 1 else 's'} "
            f"no column of the dataset: {names}" + (f"; {' '.join(close)}" if close else ""),
            f'map a header to a column with --map "{example}=COLUMN", or leave it out with '
            f'--skip "{example}" (one flag per header); the dataset\'s columns: {", ".join(by_name)}; '
            f"fields: {', '.join(_RESERVED)}",
        )
    mapping_by_index = targets
    if "label" not in mapping_by_index.values():
        bad(
            1,
            1,
            "csv-header",
            "there is no `label` column",
            "add a first column `label` naming each row (e.g. the electrolyte)",
        )
    if report.errors:
        return [], report

    records: list[dict[str, Any]] = []
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            bad(
                start,
                len(header) + 1,
                "bad-cell",
                f"row has {len(row)} cells but the header has {len(header)}",
                "remove the extra cells, or quote a value that holds the delimiter",
            )
            continue
        if len(row) < len(header):
            bad(
                start,
                len(row) + 1,
                "bad-cell",
                f"row has {len(row)} cells but the header has {len(header)}",
                "give every column a cell (an empty one for a missing value: `a,,c`)",
            )
            continue
        record: dict[str, Any] = {}
        values: dict[str, Any] = {}
        conditions: dict[str, Any] = {}
        for i, target in mapping_by_index.items():
            raw = row[i] if i < len(row) else ""
            value = raw.strip()
            if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
                value = value[1:]  # the apostrophe limkb's own CSV export puts before formula-like text
            where = (start, i + 1)
            if target == "label":
                if not value:
                    bad(*where, "bad-cell", "label is empty", "name every row; the label is shown on plots")
                elif len(value) > 500:
                    bad(*where, "bad-cell", "label is longer than 500 characters", "shorten it")
                record["label"] = value
                continue
            if not value:
                continue
            if target == "ref":
                if value not in references:
                    close = close_matches(value, sorted(references), n=1, cutoff=0.6)
                    bad(
                        *where,
                        "bad-cell",
                        f"ref {value!r} is not a reference entry"
                        + (f"; did you mean {close[0]!r}?" if close else ""),
                        "add the reference first with `limkb import-bib FILE.bib`",
                    )
                record.setdefault("source", {})["ref"] = value
                continue
            if target in ("locator", "note"):
                if target == "locator":
                    record.setdefault("source", {})["locator"] = value
                else:
                    record["note"] = value
                continue
            if target == "electrolyte" and target not in by_name:
                problem = _formulation_error(value, materials)
                if problem:
                    bad(*where, "bad-formulation", f"electrolyte {value!r}: {problem[0]}", problem[1])
                record["electrolyte"] = value
                continue
            if target in CONDITIONS and target not in by_name:
                found = _condition(target, value, header_units.get(i))
                if isinstance(found, tuple):
                    bad(*where, "bad-cell", f"{target} = {raw!r} {found[0]}", found[1])
                else:
                    conditions[target] = found
                continue
            column = by_name[target]
            if column.type is ColumnType.TEXT:
                if len(value) > 500:
                    bad(
                        *where,
                        "bad-cell",
                        f"{column.name} is {len(value)} characters long, more than 500",
                        "shorten the text; longer remarks go in the `note` column",
                    )
                values[target] = value
                continue
            wrong = _number_error(value, column)
            if wrong:
                bad(*where, "bad-cell", f"{column.name} = {raw!r} {wrong[0]}", wrong[1])
                continue
            number: int | float = int(value) if _INTEGER.match(value) else float(value)
            if not math.isfinite(number) or abs(number) > 1e300:
                bad(
                    *where,
                    "bad-cell",
                    f"{column.name} = {raw!r} is too large to be a measured value",
                    "check the exponent",
                )
                continue
            values[target] = number
            if target in ranges and column.unit is not None:
                low, high, unit = ranges[target]
                try:
                    converted = convert(float(number), column.unit, unit)
                except UnitError:
                    continue
                if (low is not None and converted < low) or (high is not None and converted > high):
                    bounds = (
                        f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}] {unit}"
                    )
                    bad(
                        *where,
                        "bad-cell",
                        f"{column.name} = {raw!r} is outside {column.property!r}'s range {bounds}",
                        "check the value and its unit" + (" (percentages are 0-100)" if unit == "%" else ""),
                    )
        if conditions:
            record["conditions"] = conditions
        source = record.get("source")
        if source is not None and default_source is not None and source == default_source:
            del record["source"]  # the dataset's own source: rows that do not name one have it
            source = None
        if source is not None and "ref" not in source:
            bad(
                start,
                1,
                "bad-cell",
                "the row has a locator but no ref",
                "give the reference id in the `ref` column",
            )
        if isinstance(record.get("label"), str) and record["label"]:
            identity = record_identity(record["label"], (source or {}).get("ref"))
            if identity in seen:
                bad(
                    start,
                    1,
                    "duplicate-record",
                    f"row {record['label']!r} repeats the row on line {seen[identity]}",
                    "keep one of them, or give each measurement its own label",
                )
            elif identity in existing and not replace:
                bad(
                    start,
                    1,
                    "duplicate-record",
                    f"row {record['label']!r} is already record {existing[identity] + 1} of the dataset",
                    "leave the row out, or pass --replace to update the existing records with these rows",
                )
            seen.setdefault(identity, start)
        records.append({**record, **values})
    if not records and not report.errors:
        bad(1, 1, "bad-cell", "the file has a header but no rows", "add one row per measurement")
    return records, report


def _materials(kb: Path) -> Any:
    """The names of the KB's materials, read from their files (ids, names, aliases, formulas)."""
    from limkb.analysis.formulations import MaterialIndex

    found = []
    for path in sorted((kb / "materials").glob("*.yaml")):
        document, _ = load_file(path)
        if document is None or not isinstance(document.data, dict):
            continue
        data = document.data
        aliases = data.get("aliases")
        names = [data.get("name"), *(aliases if isinstance(aliases, list) else []), data.get("formula")]
        listed = data.get("roles")
        roles: list[Any] = listed if isinstance(listed, list) else []
        found.append(
            (path.stem, [n for n in names if isinstance(n, str)], [r for r in roles if isinstance(r, str)])
        )
    return MaterialIndex.of(found)


def _default_source(data: Any) -> dict[str, Any] | None:
    sources = data.get("sources") if isinstance(data, dict) else None
    if isinstance(sources, list) and sources:
        first = sources[0]
        if isinstance(first, str):
            return {"ref": first}
        if isinstance(first, dict):
            return {k: v for k, v in first.items() if k in ("ref", "locator")}
    return None


def _merge(old: Any, records: list[dict[str, Any]], existing: dict[tuple[str, str | None], int]) -> list[Any]:
    """The dataset's records with ``records`` appended, or put in place of those they replace."""
    kept = list(old) if isinstance(old, list) else []
    for record in records:
        at = existing.get(record_identity(record["label"], (record.get("source") or {}).get("ref")))
        if at is None:
            kept.append(record)
        else:
            kept[at] = record
    return kept


def _identities(records: Any) -> dict[tuple[str, str | None], int]:
    """Identity -> position of the dataset's records as they are in the file (first wins)."""
    found: dict[tuple[str, str | None], int] = {}
    for i, item in enumerate(records if isinstance(records, list) else []):
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            source = item.get("source")
            ref = source.get("ref") if isinstance(source, dict) else None
            found.setdefault(record_identity(item["label"], ref if isinstance(ref, str) else None), i)
    return found


def import_table(
    csv_path: Path | str,
    dataset_id: str,
    kb: Path | str,
    *,
    replace: bool = False,
    mapping: dict[str, str] | None = None,
    skip: set[str] | None = None,
) -> TableImport:
    """Append the rows of ``csv_path`` to the dataset ``dataset_id``; all rows or none.

    A row with the label and source of a record the dataset already has is refused (importing a
    file twice would double the data); with ``replace`` it updates that record in place instead.
    """
    from limkb.check.result import display_path
    from limkb.check.rules import FRACTION_HINT, fraction_columns

    csv_path, kb = Path(csv_path), Path(kb)
    if not is_slug(dataset_id):
        raise LimkbError(f"{dataset_id!r} is not a valid id")
    path = kb / Dataset.folder / f"{dataset_id}.yaml"
    if not path.is_file():
        raise LimkbError(
            f"there is no dataset {dataset_id!r} ({path}); create it with `limkb new dataset {dataset_id}`"
        )
    if not csv_path.is_file():
        raise LimkbError(f"{csv_path}: no such file")
    document, columns = _dataset_columns(path)
    references = {p.stem for p in (kb / Reference.folder).glob("*.yaml")}
    shown = display_path(csv_path)
    if csv_path.stat().st_size > _MAX_CSV_BYTES:
        raise LimkbError(
            f"{shown} is {csv_path.stat().st_size:,} bytes; import at most {_MAX_CSV_BYTES:,} "
            "at a time (a dataset holds at most 1 MiB)"
        )
    raw = csv_path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LimkbError(f"{shown} is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from None
    ranges = _ranges(kb, columns)
    existing = _identities(document.data.get("records"))
    records, report = read_table(
        text,
        columns,
        path=shown,
        references=references,
        ranges=ranges,
        existing=existing,
        replace=replace,
        mapping=mapping,
        skip=skip,
        materials=_materials(kb),
        default_source=_default_source(document.data),
    )
    result = TableImport(dataset_id, path, records, report)
    if report.errors:
        return result
    merged = _merge(document.data.get("records"), records, existing)
    maxima = {name: high for name, (_low, high, _unit) in ranges.items()}
    for _i, message in fraction_columns(columns, [r for r in merged if isinstance(r, dict)], maxima):
        report.add(
            Problem(
                shown,
                1,
                1,
                Severity.ERROR,
                "fraction-as-percent",
                message + " once these rows are added",
                FRACTION_HINT,
            )
        )
    if report.errors:
        return result
    original = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    comments = read_comments(original)
    if comments.misplaced:
        line, col, why = comments.misplaced[0]
        report.add(
            Problem(
                display_path(path),
                line,
                col,
                Severity.ERROR,
                "misplaced-comment",
                f"the dataset file has a comment {why}, which rewriting would lose",
                "move it onto its own line above a top-level field, then import again",
            )
        )
        return result
    data = dict(document.data)
    data["records"] = merged
    text_out = render(data, Dataset.kind, comments=comments)
    size = len(text_out.encode("utf-8"))
    if size > MAX_BYTES:
        report.add(
            Problem(
                shown,
                1,
                1,
                Severity.ERROR,
                "file-too-large",
                f"with these rows the dataset would be {size:,} bytes, more than the {MAX_BYTES:,} "
                "an entry may hold",
                "split the rows into several datasets (e.g. one per source study)",
            )
        )
        return result
    check, _ = load_text(text_out, str(path))
    assert check is not None
    write_atomic(path, text_out)
    result.written = True
    result.replaced = sum(
        1 for r in records if record_identity(r["label"], (r.get("source") or {}).get("ref")) in existing
    )
    log.info("wrote %d records to %s (%d replaced)", len(records), path, result.replaced)
    return result
