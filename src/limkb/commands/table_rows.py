"""CSV rows read into dataset records: headers matched to columns, every cell checked.

:func:`read_table` is the reading half of ``limkb import-table``: it knows the dataset's
columns and what the KB holds (properties with their ranges, references with their DOIs,
materials, the dataset's records), and returns the records with the CSV line of each, or
every problem it found. It is linear in the number of rows: each row is looked up in
dictionaries built once (identities and fingerprints of the dataset's records).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydantic

from limkb.check.ranges import bounds_text, likely_cause, outside
from limkb.commands.table_headers import (
    COMPUTED,
    CONDITIONS,
    QUANTITIES,
    read_header,
    sniff_delimiter,
)
from limkb.report import Problem, Report, Severity, close_matches
from limkb.schema.fields import _CONTROL, Conditions  # the validator's own set of control characters
from limkb.schema.ids import is_slug
from limkb.schema.kinds import Column, ColumnType, Property, record_identity
from limkb.schema.units import UNITS, UnitError, convert

__all__ = ["CONDITIONS", "Row", "TableContext", "normalize_doi", "read_table"]

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_INTEGER = re.compile(r"^[-+]?\d+$")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_GROUPED = re.compile(r"^[-+]?\d{1,3},\d{3}$")
"""``1,000``: a thousands separator or a decimal comma, as the column's other cells tell."""
_SHOWN_LINES = 5
"""How many lines an error about a whole column lists."""


def normalize_doi(text: str) -> str:
    """A DOI as compared: without ``https://doi.org/`` or ``doi:``, in lower case (DOIs ignore case)."""
    return _DOI_PREFIX.sub("", text).strip().casefold()


@dataclass
class TableContext:
    """What the rows of a table are read against: the dataset and what the KB around it holds."""

    columns: list[Column]
    properties: Mapping[str, Property] = field(default_factory=dict)
    """Property entries by id (their ranges and definitions)."""
    references: Mapping[str, str | None] = field(default_factory=dict)
    """Reference ids and their DOIs."""
    materials: Any = None
    """A :class:`~limkb.analysis.formulations.MaterialIndex` for electrolyte cells, or None."""
    conventions: Any = None
    """The dataset's :class:`~limkb.analysis.formulations.Conventions`: what its bare ratios
    and percentages mean, as ``limkb validate`` reads them (None: none declared)."""
    default_source: dict[str, Any] | None = None
    """The dataset's first source: a row citing it is stored without a source of its own."""
    conditions: Mapping[str, Any] = field(default_factory=dict)
    """The dataset's conditions as written: a row's condition equal to one is not stored again."""
    electrolyte: str | list[Any] | None = None
    """The dataset's electrolyte as written: a row's equal to it is not stored again."""
    existing: Sequence[Any] = ()
    """The dataset's records as in its file."""
    replace: bool = False

    @property
    def own_ref(self) -> str | None:
        """The reference of the dataset's first source: a record citing it is the same as one
        citing none (see :func:`~limkb.schema.kinds.record_identity`)."""
        return _source_ref({}, self.default_source)


@dataclass
class Row:
    """A record read from one CSV line, and which of its cells were empty."""

    record: dict[str, Any]
    line: int
    empty: set[str] = field(default_factory=set)
    """Fields (column names, conditions, ``note`` ...) whose cells were empty."""
    defaults: set[str] = field(default_factory=set)
    """Conditions (and ``electrolyte``) given equal to the dataset's: in force, not stored."""


def _number_error(value: str, column: Column) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a cell that is not a number of the column's type."""
    text = value.strip()
    integer = column.type is ColumnType.INTEGER
    if (_INTEGER if integer else _NUMBER).match(text):
        return None
    if integer and _NUMBER.match(text):
        return "is not a whole number", "this column holds integers; round the value or fix the column's type"
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", text):  # whole numbers read 1,000 as a thousand
        return "has a thousands separator", f"write {text.replace(',', '')}"
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return "uses a decimal comma", f"write {text.replace(',', '.')}"
    number = re.match(r"^\s*([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*(\S.*)$", text)
    if number:
        return (
            f"has {number.group(5)!r} after the number",
            f"write the number alone ({number.group(1)}); the column's unit is {column.unit!r}",
        )
    if text.lower() in ("nan", "n/a", "na", "-", "--", "?", "none", "null", "inf", "-inf"):
        return "is not a number", "leave the cell empty when the value is unknown"
    return "is not a number", "write digits with a decimal point, e.g. 99.1"


def _formulation_error(value: str, materials: Any, conventions: Any = None) -> tuple[str, str] | None:
    """(what, fix) when a formulation cell cannot be read, under the dataset's conventions, or
    names an unknown material."""
    from limkb.analysis.formulations import FormulationError, parse, resolve

    known = materials.knows if materials is not None else None
    try:
        formulation = parse(value, conventions=conventions, known=known)
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
    if name not in QUANTITIES:
        return value
    if _NUMBER.match(value):
        if unit is None:
            return (
                "has no unit",
                f"give the unit in the header, `{name} [{QUANTITIES[name]}]`, or in the cell, "
                f"`{value} {QUANTITIES[name]}`",
            )
        return f"{value} {unit}"
    number = re.match(r"^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*)$", value)
    if number is None:
        return "is not a number with a unit", f"write e.g. `0.5 {QUANTITIES[name]}`"
    try:
        convert(1.0, number.group(2), QUANTITIES[name])
    except UnitError:
        return f"is not in a unit of {name.replace('_', ' ')}", f"write e.g. `0.5 {QUANTITIES[name]}`"
    return value


def read_table(
    text: str,
    context: TableContext,
    *,
    path: str,
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    skip: set[str] | None = None,
) -> tuple[list[Row], Report]:
    """Rows of CSV ``text`` as records of the dataset of ``context``; every bad cell is a problem.

    ``mapping`` maps CSV headers to a column name (or a field such as ``label``), given as a
    mapping or as pairs (a header given twice is an error); headers in ``skip`` are ignored;
    every other header must name a column, else one problem lists them all with the flags that
    map or skip them. An ``electrolyte`` cell is parsed as the formulation shorthand, its names
    looked up in the context's materials. A row whose source is the dataset's first is stored
    without its own.

    A row with the identity (:func:`~limkb.schema.kinds.record_identity`) of a record of the
    dataset is refused, unless ``context.replace``; a row that repeats an earlier row of the same
    file is refused either way, and so is a row equal to a record (or an earlier row) in all but
    its label.
    """
    report = Report()
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line endings
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(first_line), strict=True)

    def bad(line: int, col: int, code: str, message: str, hint: str) -> None:
        report.add(Problem(path, line, col, Severity.ERROR, code, message, hint))

    maps = _header_maps(mapping, bad)
    if report.errors:
        return [], report
    try:
        found = read_header(
            reader,
            context.columns,
            context.properties,
            mapping=maps,
            skip={k.strip().casefold() for k in (skip or set())},
            bad=bad,
            report=report,
        )
        if found is None:
            return [], report
        rows = _RowReader(context, bad, found).read(reader)
    except csv.Error as error:
        report.add(_syntax_problem(path, reader.line_num, error))  # >= 1: an error comes from a line read
        return [], report
    if not rows and not report.errors:
        bad(1, 1, "bad-cell", "the file has a header but no rows", "add one row per measurement")
    return rows, report


def _header_maps(
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None,
    bad: Callable[[int, int, str, str, str], None],
) -> dict[str, str]:
    """``--map`` as header (as compared) -> target; a header mapped twice is reported (the first
    target kept)."""
    pairs = list(mapping.items()) if isinstance(mapping, Mapping) else list(mapping or [])
    maps: dict[str, str] = {}
    for header_text, target in pairs:
        key = header_text.strip().casefold()
        if key in maps:
            bad(
                1,
                1,
                "csv-header",
                f"--map gives the header {header_text.strip()!r} twice ({maps[key]!r} and {target!r})",
                "keep one --map per header: a header is read into one column",
            )
        maps.setdefault(key, target)
    return maps


def _syntax_problem(path: str, line: int, error: csv.Error) -> Problem:
    """The problem of a CSV that Python's reader cannot read at ``line`` (an unclosed quote)."""
    return Problem(
        path,
        line,
        1,
        Severity.ERROR,
        "csv-syntax",
        f"the CSV cannot be read here: {error}",
        "check the quotes on this line: a quoted cell must end with a quote",
    )


def _control_error(value: str) -> tuple[str, str] | None:
    """(what, fix) when text holds a control character that the validator refuses."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return (
        f"holds the invisible control character U+{ord(found.group()):04X} at character {found.start() + 1}",
        "delete it (it often comes from a PDF or another program's export); only tabs are allowed",
    )


def _in_force(
    conditions: Mapping[str, Any], memo: dict[tuple[str, str], Any] | None = None
) -> dict[str, Any]:
    """Conditions as comparable values (quantities as value and unit), those that do not read left out.

    ``memo`` keeps the value of each (name, text) read before: a table repeats its conditions.
    """
    found: dict[str, Any] = {}
    for name, value in conditions.items():
        key = (name, value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str))
        if memo is not None and key in memo:
            item = memo[key]
        else:
            try:
                model = Conditions.model_validate({name: value})
            except pydantic.ValidationError:
                item = _UNREADABLE
            else:
                read = getattr(model, name, None)
                item = _comparable(read.model_dump()) if isinstance(read, pydantic.BaseModel) else read
            if memo is not None:
                memo[key] = item
        if item is not _UNREADABLE:
            found[name] = item
    return found


_UNREADABLE = object()


def _comparable(fields: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A read condition's fields in a fixed order, a unit by its canonical spelling: `0.5 mA/cm2`
    and `0.5 mA cm-2` are one condition."""
    unit = fields.get("unit")
    if isinstance(unit, str) and unit.strip() in UNITS:
        fields = {**fields, "unit": UNITS[unit.strip()].symbol}
    return tuple(sorted(fields.items()))


def _source_ref(record: Mapping[str, Any], default: Mapping[str, Any] | None) -> str | None:
    source = record.get("source")
    if isinstance(source, Mapping) and isinstance(source.get("ref"), str):
        return str(source["ref"])
    return str(default["ref"]) if default and isinstance(default.get("ref"), str) else None


def fingerprint(
    record: Mapping[str, Any],
    columns: Sequence[Column],
    context: TableContext,
    memo: dict[tuple[str, str], Any] | None = None,
) -> tuple[Any, ...] | None:
    """Everything a record says but its label; None when it holds no number to compare.

    Two records with one fingerprint and different labels are one measurement named twice.
    """
    values = []
    numbers = 0
    for column in columns:
        value = record.get(column.name)
        if value is None or value == "":
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers += 1
            value = float(value)
        elif not isinstance(value, str):
            value = json.dumps(value, sort_keys=True, default=str)  # a stored value of the wrong type
        values.append((column.name, value))
    if not numbers:
        return None
    conditions = dict(context.conditions)
    own = record.get("conditions")
    if isinstance(own, Mapping):
        conditions.update(own)
    electrolyte = record.get("electrolyte", context.electrolyte)
    return (
        _source_ref(record, context.default_source),
        tuple(values),
        tuple(sorted(_in_force(conditions, memo).items())),
        electrolyte if isinstance(electrolyte, str) else json.dumps(electrolyte, sort_keys=True, default=str),
        record.get("note"),
    )


class _RowReader:
    """Reads the body of a CSV, row by row, against a :class:`TableContext`."""

    def __init__(
        self,
        context: TableContext,
        bad: Callable[[int, int, str, str, str], None],
        header: tuple[list[str], dict[int, str], dict[int, str | None]],
    ) -> None:
        self.context = context
        self.problems = 0

        def counted(line: int, col: int, code: str, message: str, hint: str) -> None:
            self.problems += 1
            bad(line, col, code, message, hint)

        self.bad = counted
        self.header, self.targets, self.units = header
        self.by_name = {c.name: c for c in context.columns}
        self.dois = {normalize_doi(d): r for r, d in context.references.items() if d}
        self.existing: dict[tuple[str, str | None], int] = {}
        self.labels: dict[str, list[tuple[int, str | None]]] = {}
        """Label (as compared) -> (position, own ref) of the dataset's records that have it."""
        self.memo: dict[tuple[str, str], Any] = {}
        self.formulations: dict[str, tuple[str, str] | None] = {}
        self.prints: dict[tuple[Any, ...], int] = {}
        for i, item in enumerate(context.existing):
            if isinstance(item, Mapping) and isinstance(item.get("label"), str):
                ref = item.get("source", {}).get("ref") if isinstance(item.get("source"), Mapping) else None
                ref = None if ref == context.own_ref else ref  # the dataset's own source
                self.existing.setdefault(record_identity(item["label"], ref), i)
                self.labels.setdefault(record_identity(item["label"], None)[0], []).append((i, ref))
                key = fingerprint(item, context.columns, context, self.memo)
                if key is not None:
                    self.prints.setdefault(key, i)
        self.seen: dict[tuple[str, str | None], int] = {}
        self.seen_prints: dict[tuple[Any, ...], tuple[int, str]] = {}
        self.outside: dict[str, list[tuple[float, int, int]]] = {}
        self.counts: dict[str, int] = {}
        self.grouped: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        """Column -> its ``1,000`` cells (raw text, place), judged once the column is read."""
        self.marks: dict[str, set[str]] = {}
        """Column -> the decimal marks (``.``, ``,``) its other number cells use."""
        self.condition_defaults = _in_force(context.conditions, self.memo)

    def read(self, reader: Any) -> list[Row]:
        """Every row of ``reader`` after the header; problems go to ``bad``."""
        rows: list[Row] = []
        line = 1
        width = len(self.header)
        for cells in reader:
            start = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                self.bad(
                    start,
                    width + 1,
                    "bad-cell",
                    f"row has {len(cells)} cells but the header has {width}",
                    "remove the extra cells, or quote a value that holds the delimiter",
                )
                continue
            if len(cells) < width:
                self.bad(
                    start,
                    len(cells) + 1,
                    "bad-cell",
                    f"row has {len(cells)} cells but the header has {width}",
                    "give every column a cell (an empty one for a missing value: `a,,c`)",
                )
                continue
            before = self.problems
            row = self._row(cells, start)
            self._check_identity(row, complete=self.problems == before)
            rows.append(row)
        self._report_grouped()
        self._report_ranges()
        return rows

    def _row(self, cells: list[str], start: int) -> Row:
        """One CSV row as a record (the problems of its cells reported)."""
        row = Row({}, start)
        record = row.record
        values: dict[str, Any] = {}
        conditions: dict[str, Any] = {}
        for i, target in self.targets.items():
            raw = cells[i]
            value = raw.strip()
            if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
                value = value[1:]  # the apostrophe limkb's own CSV export puts before formula-like text
            where = (start, i + 1)
            if target in COMPUTED:
                continue
            if value and (problem := _control_error(value)) is not None:
                self.bad(*where, "bad-cell", f"{target} {problem[0]}", problem[1])
                continue
            if target == "label":
                if not value:
                    self.bad(
                        *where, "bad-cell", "label is empty", "name every row; the label is shown on plots"
                    )
                elif len(value) > 500:
                    self.bad(*where, "bad-cell", "label is longer than 500 characters", "shorten it")
                record["label"] = value
                continue
            if not value:
                row.empty.add(target)
                continue
            if target in ("ref", "doi", "locator"):
                self._source_cell(record, target, value, where)
            elif target == "note":
                record["note"] = value
            elif target == "strategies":
                self._strategies_cell(record, value, where)
            elif target == "electrolyte" and target not in self.by_name:
                self._electrolyte_cell(row, value, where)
            elif target in CONDITIONS and target not in self.by_name:
                self._condition_cell(row, conditions, target, raw, value, i, where)
            elif target == "conditions_note" and target not in self.by_name:
                self._condition_cell(row, conditions, "note", raw, value, i, where)
            else:
                self._value_cell(values, target, raw, value, where)
        if conditions:
            record["conditions"] = conditions
        self._settle_source(record, start)
        record.update(values)
        return row

    def _source_cell(self, record: dict[str, Any], target: str, value: str, where: tuple[int, int]) -> None:
        source = record.setdefault("source", {})
        if target == "locator":
            source["locator"] = value
            return
        if target == "doi":
            ref = self.dois.get(normalize_doi(value))
            if ref is None:
                self.bad(
                    *where,
                    "bad-cell",
                    f"no reference entry has the DOI {value!r}",
                    "add the paper first with `limkb import-bib FILE.bib`, or give its id in a `ref` column",
                )
                source.setdefault("ref", "")  # reported: no second problem for a locator without a ref
                return
            if "ref" in source and source["ref"] != ref:
                self.bad(
                    *where,
                    "bad-cell",
                    f"the DOI {value!r} is the reference {ref!r}, but the row's ref is {source['ref']!r}",
                    "correct one of the two cells",
                )
                return
            source["ref"] = ref
            return
        if value not in self.context.references:
            close = close_matches(value, sorted(self.context.references), n=1, cutoff=0.6)
            self.bad(
                *where,
                "bad-cell",
                f"ref {value!r} is not a reference entry"
                + (f"; did you mean {close[0]!r}?" if close else ""),
                "add the reference first with `limkb import-bib FILE.bib`",
            )
        if "ref" in source and source["ref"] != value:
            self.bad(
                *where,
                "bad-cell",
                f"the row's DOI is the reference {source['ref']!r}, but its ref is {value!r}",
                "correct one of the two cells",
            )
            return
        source["ref"] = value

    def _strategies_cell(self, record: dict[str, Any], value: str, where: tuple[int, int]) -> None:
        ids = [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
        wrong = [i for i in ids if not is_slug(i)]
        if wrong:
            self.bad(
                *where,
                "bad-cell",
                f"strategies {', '.join(repr(w) for w in wrong)} {'is not an id' if len(wrong) == 1 else 'are not ids'}",
                "give strategy ids separated by `;`, e.g. `fec-additive; localized-high-concentration-electrolytes`",
            )
            return
        record["strategies"] = ids

    def _electrolyte_cell(self, row: Row, value: str, where: tuple[int, int]) -> None:
        if value.startswith("["):  # a list of components, as limkb's CSV export writes one
            try:
                components = json.loads(value)
            except json.JSONDecodeError as error:
                self.bad(
                    *where,
                    "bad-formulation",
                    f"electrolyte starts with '[' but is not a JSON list of components ({error.msg})",
                    'write the shorthand (`4 M LiFSI in DME`) or a list such as `[{"material": "lifsi", '
                    '"role": "salt", "amount": 4, "unit": "M"}]`',
                )
                return
            if components == self.context.electrolyte:
                row.defaults.add("electrolyte")
            else:
                row.record["electrolyte"] = components
            return
        if value == self.context.electrolyte:
            row.defaults.add("electrolyte")  # the dataset's own: in force without being stored again
            return
        if value not in self.formulations:  # a table repeats its electrolytes: each is read once
            self.formulations[value] = _formulation_error(
                value, self.context.materials, self.context.conventions
            )
        problem = self.formulations[value]
        if problem:
            self.bad(*where, "bad-formulation", f"electrolyte {value!r}: {problem[0]}", problem[1])
        row.record["electrolyte"] = value

    def _condition_cell(
        self,
        row: Row,
        conditions: dict[str, Any],
        target: str,
        raw: str,
        value: str,
        index: int,
        where: tuple[int, int],
    ) -> None:
        found = _condition(target, value, self.units.get(index))
        if isinstance(found, tuple):
            self.bad(*where, "bad-cell", f"{target} = {raw!r} {found[0]}", found[1])
            return
        if target in self.condition_defaults and _in_force({target: found}, self.memo) == {
            target: self.condition_defaults[target]
        }:
            row.defaults.add("conditions_note" if target == "note" else target)  # in force, not stored again
            return
        conditions[target] = found

    def _value_cell(
        self, values: dict[str, Any], target: str, raw: str, value: str, where: tuple[int, int]
    ) -> None:
        column = self.by_name[target]
        if column.type is ColumnType.TEXT:
            if len(value) > 500:
                self.bad(
                    *where,
                    "bad-cell",
                    f"{column.name} is {len(value)} characters long, more than 500",
                    "shorten the text; longer remarks go in the `note` column",
                )
            values[target] = value
            return
        if column.type is not ColumnType.INTEGER and _GROUPED.match(value):
            self.problems += 1  # a bad cell, reported once the column's decimal mark is known
            self.grouped.setdefault(target, []).append((raw, where))
            return
        self._note_mark(target, value)
        wrong = _number_error(value, column)
        if wrong:
            self.bad(*where, "bad-cell", f"{column.name} = {raw!r} {wrong[0]}", wrong[1])
            return
        number: int | float = int(value) if _INTEGER.match(value) else float(value)
        if not math.isfinite(number) or abs(number) > 1e300:
            self.bad(
                *where,
                "bad-cell",
                f"{column.name} = {raw!r} is too large to be a measured value",
                "check the exponent",
            )
            return
        values[target] = number
        self._note_range(column, float(number), where)

    def _note_mark(self, name: str, value: str) -> None:
        """Note the decimal mark a number cell of column ``name`` uses, if it shows one."""
        if re.fullmatch(r"[-+]?[\d,]*\.\d*([eE][-+]?\d+)?", value) and any(c.isdigit() for c in value):
            self.marks.setdefault(name, set()).add(".")
        elif re.fullmatch(r"[-+]?\d+,\d+", value):
            self.marks.setdefault(name, set()).add(",")

    def _report_grouped(self) -> None:
        """A problem for each ``1,000`` cell: a thousands separator when the column's other
        numbers use a decimal point, a decimal comma when they use commas, else ambiguous."""
        for name, cells in self.grouped.items():
            marks = self.marks.get(name, set())
            for raw, where in cells:
                text = raw.strip()
                whole, decimal = text.replace(",", ""), text.replace(",", ".")
                if marks == {"."}:
                    what = "has a thousands separator (the column's other values use a decimal point)"
                    fix = f"write {whole}"
                elif marks == {","}:
                    what, fix = "uses a decimal comma", f"write {decimal}"
                else:
                    what = "could be a thousands separator or a decimal comma"
                    fix = f"write {whole} if it is {whole}, or {decimal} if it is {float(decimal):g}"
                self.bad(*where, "bad-cell", f"{name} = {raw!r} {what}", fix)

    def _note_range(self, column: Column, number: float, where: tuple[int, int]) -> None:
        prop = self.context.properties.get(column.property or "")
        if prop is None or column.unit is None:
            return
        try:
            converted = convert(number, column.unit, prop.unit)
        except UnitError:
            return
        self.counts[column.name] = self.counts.get(column.name, 0) + 1
        if outside(converted, prop):
            self.outside.setdefault(column.name, []).append((converted, *where))

    def _report_ranges(self) -> None:
        """One problem per column with values outside its property's range: how many, and why."""
        for name, found in self.outside.items():
            column = self.by_name[name]
            prop = self.context.properties[column.property or ""]
            numbers = [v for v, _, _ in found]
            what, fix = likely_cause(numbers, prop, self.context.properties)
            if not what:
                span = (
                    f"{min(numbers):g}" if len(set(numbers)) == 1 else f"{min(numbers):g} to {max(numbers):g}"
                )
                what = f"{'values' if len(found) > 1 else 'value'} {span}"
            lines = ", ".join(str(line) for _, line, _ in found[:_SHOWN_LINES])
            more = f" and {len(found) - _SHOWN_LINES} more" if len(found) > _SHOWN_LINES else ""
            total = self.counts[name]
            self.bad(
                found[0][1],
                found[0][2],
                "out-of-range",
                f"{len(found)} of {total} value{'s' if total > 1 else ''} of `{name}` "
                f"{'lie' if len(found) > 1 else 'lies'} outside {prop.id}'s range, {bounds_text(prop)}: "
                f"{what} (line{'s' if len(found) > 1 else ''} {lines}{more})",
                fix + (" (percentages are 0-100)" if prop.unit == "%" and "fraction" in what else ""),
            )

    def _settle_source(self, record: dict[str, Any], start: int) -> None:
        source = record.get("source")
        default = self.context.default_source
        if source is not None and default is not None and source == default:
            del record["source"]  # the dataset's own source: rows that do not name one have it
        elif source is not None and "ref" not in source:
            self.bad(
                start,
                1,
                "bad-cell",
                "the row has a locator but no ref",
                "give the reference id in the `ref` column (or its DOI in a `doi` column)",
            )

    def _check_identity(self, row: Row, *, complete: bool) -> None:
        """The row is not a record of the dataset (unless replacing), nor a copy under another label.

        A row with a bad cell (``complete`` false) is not compared value by value: a value left
        out would make it look like another record.
        """
        record = row.record
        if not isinstance(record.get("label"), str) or not record["label"]:
            return
        identity = record_identity(
            record["label"], (record.get("source") or {}).get("ref"), own=self.context.own_ref
        )
        if self._repeats_row(row, identity):
            return
        self.seen[identity] = row.line
        if identity not in self.existing and complete and self._holds_no_value(row):
            return
        if self._replaces_without_source(row, identity) or self._already_recorded(row, identity):
            return
        key = fingerprint(record, self.context.columns, self.context, self.memo) if complete else None
        if key is None or self._copies_record(row, identity, key) or self._copies_row(row, key):
            return
        self.seen_prints[key] = (row.line, record["label"])

    def _repeats_row(self, row: Row, identity: tuple[str, str | None]) -> bool:
        """Whether the row has the label and source of an earlier row of the file (reported)."""
        if identity not in self.seen:
            return False
        self.bad(
            row.line,
            1,
            "duplicate-record",
            f"row {row.record['label']!r} repeats the row on line {self.seen[identity]}",
            "keep one of them, or give each measurement its own label",
        )
        return True

    def _holds_no_value(self, row: Row) -> bool:
        """Whether a new row fills no column of the dataset (reported)."""
        if any(c.name in row.record for c in self.context.columns):
            return False
        self.bad(
            row.line,
            1,
            "bad-cell",
            f"row {row.record['label']!r} has no value in any column of the dataset"
            + (" and names no record of it to update" if self.context.replace else ""),
            "fill in its values; to update a record with --replace, give its label and its source (`ref`)",
        )
        return True

    def _replaces_without_source(self, row: Row, identity: tuple[str, str | None]) -> bool:
        """Whether, with --replace, a row naming no source has the label of a sourced record
        (reported: it would be added beside that record, not update it)."""
        named = (row.record.get("source") or {}).get("ref")
        if not self.context.replace or identity in self.existing or named is not None:
            return False
        sourced = [(i, r) for i, r in self.labels.get(identity[0], []) if r is not None]
        if not sourced:
            return False
        position, ref = sourced[0]
        self.bad(
            row.line,
            1,
            "duplicate-record",
            f"row {row.record['label']!r} has the label of record {position + 1}, which cites {ref!r}, but "
            "names no source: with --replace it would be added beside that record, not update it",
            f"give the record's source in a `ref` column ({ref}) to update it, or another label if it "
            "is another measurement",
        )
        return True

    def _already_recorded(self, row: Row, identity: tuple[str, str | None]) -> bool:
        """Whether, without --replace, the row is a record the dataset already has (reported)."""
        if identity not in self.existing or self.context.replace:
            return False
        self.bad(
            row.line,
            1,
            "duplicate-record",
            f"row {row.record['label']!r} is already record {self.existing[identity] + 1} of the dataset",
            "leave the row out, or pass --replace to update the existing records with these rows",
        )
        return True

    def _copies_record(self, row: Row, identity: tuple[str, str | None], key: tuple[Any, ...]) -> bool:
        """Whether a new row equals a record of the dataset in all but its label (reported)."""
        at = self.prints.get(key)
        if at is None or identity in self.existing:
            return False
        old = self.context.existing[at]
        self.bad(
            row.line,
            1,
            "likely-duplicate",
            f"row {row.record['label']!r} equals record {at + 1} of the dataset, {old.get('label')!r}, "
            "in everything but its label",
            "if it is that measurement, correct the label in the dataset's file instead of importing "
            "it again; if it is another one, say what differs (electrolyte, conditions or a note)",
        )
        return True

    def _copies_row(self, row: Row, key: tuple[Any, ...]) -> bool:
        """Whether the row equals an earlier row of the file in all but its label (reported)."""
        earlier = self.seen_prints.get(key)
        if earlier is None:
            return False
        self.bad(
            row.line,
            1,
            "likely-duplicate",
            f"row {row.record['label']!r} equals the row on line {earlier[0]}, {earlier[1]!r}, in everything "
            "but its label",
            "keep one of them, or say what differs (electrolyte, conditions or a note)",
        )
        return True
