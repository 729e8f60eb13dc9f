"""Append the rows of a CSV file to a dataset entry as records.

The CSV's first line names its columns. Each header is matched to a column of the dataset by
the column's ``name`` (``ce``), the id of its property (``coulombic-efficiency``) or either
followed by the unit in parentheses (``ce (%)``); the unit, when given, must be the column's.
A ``label`` column is required (how the row is named on plots); optional ``ref`` (a reference
id), ``doi`` (looked up among the references) and ``locator`` columns give the row's own
source, ``strategies`` the strategies it exemplifies (ids separated by ``;``) and ``note`` a
remark; ``electrolyte_components`` (written by limkb's own CSV export) is computed, so it is
read past.

Numbers are read strictly: an empty cell is a missing value; ``1,5`` (decimal comma), ``97 %``
(a unit in the cell) or ``n/a`` are errors, each reported once with its row, column, value and
a cure; ``1,000`` is refused as a thousand, a decimal comma or ambiguous, as the column's other
numbers tell. A column whose values fall outside its property's possible or plausible range is
refused with their count and a guess at what they are. A row equal to a record of the dataset
in all but its label is refused as a likely duplicate. Nothing is written unless every row is
good and the dataset with them passes the validator; then the records are appended and the
file rewritten in canonical form (``limkb fmt``), its comments kept.

A spreadsheet workbook (xlsx, xls, ods) or a zip archive is recognised by its first bytes,
whatever its name, and refused with the advice to save it as CSV.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from limkb.check.reader import MAX_BYTES, Document, iter_entry_files, load_file, load_text
from limkb.check.schema_errors import validate_schema
from limkb.check.validate import validate_documents
from limkb.check.writer import read_comments, render
from limkb.commands.table_rows import CONDITIONS, Row, TableContext, read_table
from limkb.errors import LimkbError
from limkb.files import write_atomic
from limkb.report import Problem, Report, Severity
from limkb.schema.ids import is_slug
from limkb.schema.kinds import FOLDERS, Column, Dataset, Property, Reference, record_identity

__all__ = ["TableImport", "import_table", "read_table"]

log = logging.getLogger(__name__)

_MAX_CSV_BYTES = 16 * 1024 * 1024
_SNIFF = 4096
"""How many first bytes are looked at to tell a workbook or an archive from text."""


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


def _not_text(raw: bytes) -> str | None:
    """The kind of file ``raw`` is when its first bytes say it is no CSV: ``xlsx``, ``ods``, ``xls`` ..."""
    head = raw[:_SNIFF]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            return "ods"
        if b"[Content_Types].xml" in head or b"xl/" in head:
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf")):
        return "compressed"
    return None


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


def _properties(kb: Path) -> dict[str, Property]:
    """The KB's property entries that pass their schema, by id (their ranges and definitions)."""
    found: dict[str, Property] = {}
    for path in sorted((kb / Property.folder).glob("*.yaml")):
        document, _ = load_file(path)
        if document is None:
            continue
        entry, complete = validate_schema(Property, path.stem, document, Report())
        if complete and isinstance(entry, Property):
            found[path.stem] = entry
    return found


def _references(kb: Path) -> dict[str, str | None]:
    """Every reference id with its DOI (None when it has none or the file does not read)."""
    found: dict[str, str | None] = {}
    for path in sorted((kb / Reference.folder).glob("*.yaml")):
        document, _ = load_file(path)
        doi = document.data.get("doi") if document is not None and isinstance(document.data, dict) else None
        found[path.stem] = doi if isinstance(doi, str) else None
    return found


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


def _conventions(data: Any) -> Any:
    """The dataset's declared ``conventions:`` for its formulations; a word that is none of
    the choices is left undeclared here (validation reports it)."""
    from limkb.analysis.formulations import PERCENT_BASES, RATIO_BASES, Conventions

    declared = data.get("conventions") if isinstance(data, dict) else None
    if not isinstance(declared, dict):
        return Conventions()
    ratio, percent = declared.get("ratio"), declared.get("percent")
    return Conventions.of(
        ratio=ratio if isinstance(ratio, str) and ratio in RATIO_BASES else None,
        percent=percent if isinstance(percent, str) and percent in PERCENT_BASES else None,
    )


def _context(kb: Path, data: Any, columns: list[Column], *, replace: bool) -> TableContext:
    """What the rows are read against: the KB's properties, references and materials, the dataset."""
    conditions = data.get("conditions")
    electrolyte = data.get("electrolyte")
    records = data.get("records")
    return TableContext(
        columns,
        properties=_properties(kb),
        references=_references(kb),
        materials=_materials(kb),
        conventions=_conventions(data),
        default_source=_default_source(data),
        conditions=conditions if isinstance(conditions, dict) else {},
        electrolyte=electrolyte if isinstance(electrolyte, (str, list)) else None,
        existing=records if isinstance(records, list) else [],
        replace=replace,
    )


def _updated(old: dict[str, Any], row: Row, *, clear_empty: bool) -> dict[str, Any]:
    """A stored record updated by a row: the row's cells win, its empty cells keep what is stored.

    With ``clear_empty`` an empty cell deletes the stored value instead. Fields the CSV has no
    column for (``strategies`` of a table without that column) are kept either way.
    """
    new = dict(old)
    for key, value in row.record.items():
        if key in ("conditions", "source") and isinstance(old.get(key), dict):
            new[key] = {**old[key], **value}
        else:
            new[key] = value
    conditions = dict(new.get("conditions") or {})
    for name in row.defaults | (row.empty if clear_empty else set()):
        if name in (*CONDITIONS, "conditions_note"):
            conditions.pop("note" if name == "conditions_note" else name, None)
        elif name == "locator" and isinstance(new.get("source"), dict):
            new["source"] = {k: v for k, v in new["source"].items() if k != "locator"}
        elif name not in ("ref", "doi", "label"):
            new.pop(name, None)
    if conditions:
        new["conditions"] = conditions
    else:
        new.pop("conditions", None)
    return new


def _merge(
    old: Any,
    rows: list[Row],
    existing: dict[tuple[str, str | None], int],
    *,
    own: str | None,
    clear_empty: bool,
) -> tuple[list[Any], dict[int, int]]:
    """The dataset's records with the rows appended or put in place of those they update,
    and the CSV line of each record a row wrote (by position)."""
    kept = list(old) if isinstance(old, list) else []
    lines: dict[int, int] = {}
    for row in rows:
        record = row.record
        at = existing.get(record_identity(record["label"], (record.get("source") or {}).get("ref"), own=own))
        if at is None:
            lines[len(kept)] = row.line
            kept.append(record)
        else:
            lines[at] = row.line
            kept[at] = _updated(kept[at], row, clear_empty=clear_empty)
    return kept, lines


def _identities(records: Any, own: str | None) -> dict[tuple[str, str | None], int]:
    """Identity -> position of the dataset's records as they are in the file (first wins;
    ``own``: the dataset's first source, see :func:`~limkb.schema.kinds.record_identity`)."""
    found: dict[tuple[str, str | None], int] = {}
    for i, item in enumerate(records if isinstance(records, list) else []):
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            source = item.get("source")
            ref = source.get("ref") if isinstance(source, dict) else None
            found.setdefault(
                record_identity(item["label"], ref if isinstance(ref, str) else None, own=own), i
            )
    return found


def _size_floor(value: Any, indent: int = 4) -> int:
    """Fewer bytes than ``value`` takes as YAML records: keys, indents, line ends and text.

    Rendering 100,000 rows to learn that they are too many takes a minute; this bound, linear
    and cheap, refuses them first. Numbers are not counted (their text may be shorter).
    """
    if isinstance(value, dict):
        return sum(len(str(k)) + indent + 3 + _size_floor(v, indent + 2) for k, v in value.items())
    if isinstance(value, list):
        return sum(2 + _size_floor(v, indent + 2) for v in value)
    return len(value) if isinstance(value, str) else 0


def _validate_result(
    kb: Path, path: Path, text: str, lines: dict[int, int], shown: str, report: Report
) -> None:
    """Validate the KB as it would be with the dataset's new ``text``; its new errors go to ``report``.

    An error inside a record a row wrote is reported at that row's CSV line; one elsewhere in
    the dataset (a rule over a whole column) at the CSV's first line. Errors the dataset
    already had are not the import's doing and are left out.
    """
    document, problems = load_text(text, str(path))
    if document is None:
        report.extend(problems)
        return
    after = _dataset_errors(kb, path, document)
    if not after:
        return
    before_document, _ = load_file(path, display=str(path))
    before = {(p.code, p.message) for p in _dataset_errors(kb, path, before_document)}
    starts = _record_lines(document)
    for problem in after:
        if (problem.code, problem.message) in before:
            continue
        at = _record_at(starts, problem.line)
        line = lines.get(at) if at is not None else None
        report.add(
            Problem(
                shown,
                line or 1,
                1,
                Severity.ERROR,
                problem.code,
                f"{problem.message} (the dataset with this row would not validate)"
                if line
                else f"{problem.message} once these rows are added",
                problem.hint,
            )
        )


def _dataset_errors(kb: Path, path: Path, document: Document | None) -> list[Problem]:
    """The validator's errors in the dataset file at ``path`` when it holds ``document``."""
    pairs: list[tuple[Path, Document | None]] = []
    for entry_path in iter_entry_files(kb):
        relative = entry_path.relative_to(kb)
        if (
            len(relative.parts) != 2
            or relative.parts[0] not in FOLDERS
            or entry_path.suffix != ".yaml"
            or entry_path.is_symlink()  # refused by the validator, never followed
        ):
            continue
        if entry_path == path:
            pairs.append((relative, document))
            continue
        loaded, _ = load_file(entry_path, display=str(entry_path))
        pairs.append((relative, loaded))
    result = validate_documents(pairs, root=kb)
    return [p for p in result.report.errors if p.path == str(path)]


def _record_lines(document: Document) -> list[tuple[int, int]]:
    """(first line, position) of every record of a dataset document, in order."""
    records = document.data.get("records")
    found = []
    for i in range(len(records) if isinstance(records, list) else 0):
        found.append((document.mark(("records", i)).line, i))
    return found


def _record_at(starts: list[tuple[int, int]], line: int) -> int | None:
    """The position of the record whose text holds ``line``, if any (``starts`` in order)."""
    import bisect

    at = bisect.bisect_right(starts, (line, 1 << 62)) - 1
    return starts[at][1] if at >= 0 else None


def _too_large(shown: str, size: int, *, at_least: bool) -> Problem:
    return Problem(
        shown,
        1,
        1,
        Severity.ERROR,
        "file-too-large",
        f"with these rows the dataset would be {'at least ' if at_least else ''}{size:,} bytes, "
        f"more than the {MAX_BYTES:,} an entry may hold",
        "split the rows into several datasets (e.g. one per source study)",
    )


def import_table(
    csv_path: Path | str,
    dataset_id: str,
    kb: Path | str,
    *,
    replace: bool = False,
    clear_empty: bool = False,
    mapping: dict[str, str] | list[tuple[str, str]] | None = None,
    skip: set[str] | None = None,
) -> TableImport:
    """Append the rows of ``csv_path`` to the dataset ``dataset_id``; all rows or none.

    A row with the label and source of a record the dataset already has is refused (importing a
    file twice would double the data); with ``replace`` it updates that record in place instead:
    its cells win, and an empty cell keeps the stored value unless ``clear_empty``. Nothing is
    written unless the dataset with the new rows passes the validator.
    """
    from limkb.check.result import display_path

    csv_path, kb = Path(csv_path), Path(kb)
    path = _dataset_path(kb, dataset_id)
    if not csv_path.is_file():
        raise LimkbError(f"{csv_path}: no such file")
    document, columns = _dataset_columns(path)
    shown = display_path(csv_path)
    text = _csv_text(csv_path, shown)
    context = _context(kb, document.data, columns, replace=replace)
    rows, report = read_table(text, context, path=shown, mapping=mapping, skip=skip)
    result = TableImport(dataset_id, path, [row.record for row in rows], report)
    if report.errors:
        return result
    floor = _size_floor([row.record for row in rows])
    if floor > MAX_BYTES:
        report.add(_too_large(shown, floor, at_least=True))
        return result
    own = context.own_ref
    existing = _identities(document.data.get("records"), own)
    merged, lines = _merge(document.data.get("records"), rows, existing, own=own, clear_empty=clear_empty)
    text_out = _rendered(path, document.data, merged, shown, report)
    if text_out is None:
        return result
    _validate_result(kb, path, text_out, lines, shown, report)
    if report.errors:
        return result
    write_atomic(path, text_out)
    result.written = True
    result.replaced = sum(
        1
        for r in result.records
        if record_identity(r["label"], (r.get("source") or {}).get("ref"), own=own) in existing
    )
    log.info("wrote %d records to %s (%d replaced)", len(rows), path, result.replaced)
    return result


def _dataset_path(kb: Path, dataset_id: str) -> Path:
    """The file of the dataset ``dataset_id``; raises when the id is no slug or the file is missing."""
    if not is_slug(dataset_id):
        raise LimkbError(f"{dataset_id!r} is not a valid id")
    path = kb / Dataset.folder / f"{dataset_id}.yaml"
    if not path.is_file():
        raise LimkbError(
            f"there is no dataset {dataset_id!r} ({path}); create it with `limkb new dataset {dataset_id}`"
        )
    return path


def _csv_text(csv_path: Path, shown: str) -> str:
    """The text of the CSV file; raises when it is too large, a workbook or archive, or not UTF-8."""
    if csv_path.stat().st_size > _MAX_CSV_BYTES:
        raise LimkbError(
            f"{shown} is {csv_path.stat().st_size:,} bytes; import at most {_MAX_CSV_BYTES:,} "
            "at a time (a dataset holds at most 1 MiB)"
        )
    raw = csv_path.read_bytes()
    kind = _not_text(raw)
    if kind is not None:
        raise LimkbError(
            f"{shown} is {'an' if kind[0] in 'aeiox' else 'a'} {kind} file by its content, whatever its name: "
            f"{kind} is not read; save the sheet as CSV (File > Save as > CSV UTF-8) and import that"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LimkbError(f"{shown} is not UTF-8 text (byte {error.start}); save it as 'CSV UTF-8'") from None


def _rendered(path: Path, data: Any, records: list[Any], shown: str, report: Report) -> str | None:
    """The dataset file's new text with ``records``, its comments kept; None when reported: a
    comment rewriting would lose, or a text over the size an entry may have."""
    from limkb.check.result import display_path

    comments = read_comments(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
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
        return None
    text = render({**data, "records": records}, Dataset.kind, comments=comments)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        report.add(_too_large(shown, size, at_least=False))
        return None
    return text
