"""Turn loaded documents into typed entries, and find every problem in one pass.

Checks, in order: the file's place and name (kind folder, slug stem), the schema of its kind
(types, required and unknown fields, vocabularies, ranges, units), and then the rules that
span entries (unique ids and DOIs, relations that resolve to the right kind, no cycles in
``subtype_of``, dataset records that match their columns and their properties' ranges,
analyses over variables that exist). Every problem is located and carries a fix hint; the
caller decides what to do with the :class:`~limkb.report.Report`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel

from limkb.check.reader import MAX_BYTES, Document, Mark, iter_entry_files, load_file
from limkb.report import Problem, Report, Severity, close_matches
from limkb.schema.fields import OWN_ERRORS, inner_type
from limkb.schema.ids import is_slug, reference_id
from limkb.schema.kinds import (
    FOLDERS,
    Analysis,
    Column,
    ColumnType,
    Dataset,
    Entry,
    Property,
    Record,
    Reference,
    Strategy,
    iter_links,
    iter_sources,
    unit_bounds,
)
from limkb.schema.units import UnitError, convert, describe

__all__ = [
    "FRACTION_HINT",
    "FileCache",
    "Validated",
    "display_path",
    "fraction_columns",
    "validate_documents",
    "validate_kb",
]

log = logging.getLogger(__name__)

COMPOSITION_TOLERANCE = 0.5
"""Rounding slack, in percentage points, allowed when parts of a whole are summed."""


@dataclass
class Validated:
    """The outcome of validation: the entries that passed their schema, and the report."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    invalid: set[str] = field(default_factory=set)
    """Ids of files that exist but failed their schema (so links to them are not dangling)."""
    partial: dict[str, Entry] = field(default_factory=dict)
    """Entries of ``invalid`` built from their valid fields only, for cross-entry checks."""

    def checked(self) -> dict[str, Entry]:
        """Complete and partial entries: everything whose relations can be checked."""
        return {**self.entries, **self.partial}


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when below it, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


@dataclass
class FileCache:
    """What validation found for each file, kept between runs of one process (``limkb serve``).

    A file's document and load problems are reused only while its bytes hash the same, and
    its schema outcome only while it is the very same document; the checks that span entries
    always run again. Files that disappeared are dropped at the next run.
    """

    files: dict[tuple[str, str], tuple[str, Document | None, list[Problem]]] = field(default_factory=dict)
    """(path, shown path) -> (sha256 of the bytes, document, load problems)."""
    schemas: dict[tuple[str, str], tuple[Document, Entry, bool, list[Problem]]] = field(default_factory=dict)
    """(folder, id) -> (document, entry, complete, schema problems)."""
    stats: dict[tuple[str, str], tuple[tuple[int, int, int, int], int]] = field(default_factory=dict)
    """(path, shown path) -> (size, mtime, ctime, inode) when hashed, and the time it was hashed."""
    hits: int = 0
    misses: int = 0

    def _digest(self, key: tuple[str, str], path: Path) -> str | None:
        """The file's hash; when its status is what it was at an earlier hash (older than a second), that one."""
        status = path.stat()
        signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        known, cached = self.stats.get(key), self.files.get(key)
        # Like git's index: a file changed again within the timestamp's resolution could keep its
        # status, so the status is trusted only when the file was older than a second when hashed.
        if known is not None and cached is not None and known[0] == signature \
                and max(status.st_mtime_ns, status.st_ctime_ns) + 1_000_000_000 < known[1]:  # fmt: skip
            return cached[0]
        if status.st_size > MAX_BYTES:
            return None
        hashed_at = time.time_ns()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.stats[key] = (signature, hashed_at)
        return digest

    def load(self, path: Path, shown: str) -> tuple[Document | None, list[Problem]]:
        """:func:`limkb.check.reader.load_file`, unless the file's bytes are those loaded last time."""
        key = (str(path), shown)
        try:
            digest = self._digest(key, path)
        except OSError:
            digest = None
        if digest is None:
            self.stats.pop(key, None)
            return load_file(path, display=shown)
        cached = self.files.get(key)
        if cached is not None and cached[0] == digest:
            self.hits += 1
            return cached[1], list(cached[2])
        self.misses += 1
        document, problems = load_file(path, display=shown)
        try:  # keep it only if the file did not change while it was read
            if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                self.files[key] = (digest, document, list(problems))
            else:
                self.stats.pop(key, None)
        except OSError:
            self.stats.pop(key, None)
        return document, problems

    def schema(self, folder: str, stem: str, document: Document, report: Report) -> tuple[Entry, bool]:
        """:func:`_validate_schema` of ``document``, reused while the document is the same object."""
        cached = self.schemas.get((folder, stem))
        if cached is not None and cached[0] is document:
            report.extend(cached[3])
            return cached[1], cached[2]
        found = Report()
        entry, complete = _validate_schema(FOLDERS[folder], stem, document, found)
        self.schemas[(folder, stem)] = (document, entry, complete, list(found.problems))
        report.extend(found.problems)
        return entry, complete

    def keep_only(self, files: set[tuple[str, str]], schemas: set[tuple[str, str]]) -> None:
        """Forget what belongs to files and entries that are gone."""
        self.files = {k: v for k, v in self.files.items() if k in files}
        self.stats = {k: v for k, v in self.stats.items() if k in files}
        self.schemas = {k: v for k, v in self.schemas.items() if k in schemas}


def _check_root(root: Path) -> Problem | None:
    """Why ``root`` cannot be read as a ``kb/`` folder at all (one problem), or None."""
    shown = display_path(root)
    if root.is_symlink():
        return _problem(shown, 1, 1, "bad-filename", f"{shown} is a symbolic link, not the kb/ folder itself",
                        "point limkb at the real folder; a link could show another folder's files")  # fmt: skip
    if not root.is_dir():
        return _problem(shown, 1, 1, "unknown-folder", f"{shown} is not a folder",
                        "give the kb/ folder, e.g. `--kb kb`")  # fmt: skip
    if (root / "kb").is_dir() and not any((root / folder).is_dir() for folder in FOLDERS):
        return _problem(shown, 1, 1, "unknown-folder", f"{shown} is a project folder, not its kb/ folder",
                        f"give {display_path(root / 'kb')} instead")  # fmt: skip
    return None


def validate_kb(root: Path | str, *, cache: FileCache | None = None) -> Validated:
    """Load and validate every entry file below ``root`` (a ``kb/`` folder).

    With ``cache``, files whose bytes did not change since the last call with the same cache
    are not parsed or schema-checked again (the result is the same as without it).
    """
    root = Path(root)
    pairs: list[tuple[Path, Document | None]] = []
    report = Report()
    seen: set[tuple[str, str]] = set()
    refused = _check_root(root)
    if refused is not None:
        report.add(refused)
        return Validated(report=report, root=root)
    for path in iter_entry_files(root):
        shown = display_path(path)
        relative = path.relative_to(root)
        if path.suffix not in (".yaml", ".yml") and path.name.lower() in ("readme.md", "readme"):
            continue
        if path.is_symlink() and path.is_dir():
            report.add(_problem(shown, 1, 1, "bad-filename", "folders in kb/ may not be symbolic links",
                                "replace the link with the folder itself"))  # fmt: skip
            continue
        problem = _check_place(relative, shown)
        if problem is not None:
            report.add(problem)
            if problem.severity is Severity.ERROR:
                continue
        if path.is_symlink():
            report.add(_problem(shown, 1, 1, "bad-filename", "entry files may not be symbolic links",
                                "replace the link with the file itself"))  # fmt: skip
            continue
        if cache is not None:
            seen.add((str(path), shown))
            document, problems = cache.load(path, shown)
        else:
            document, problems = load_file(path, display=shown)
        report.extend(problems)
        pairs.append((relative, document))
    result = validate_documents(pairs, root=root, cache=cache)
    result.report.extend(report.problems)
    if cache is not None:
        cache.keep_only(seen, {(r.parts[0], r.stem) for r, _ in pairs})
    return result


def _problem(path: str, line: int, col: int, code: str, message: str, hint: str,
             *, severity: Severity = Severity.ERROR, entry: str | None = None) -> Problem:  # fmt: skip
    return Problem(path, line, col, severity, code, message, hint, entry)


def _check_place(relative: Path, shown: str) -> Problem | None:
    parts = relative.parts
    folders = ", ".join(sorted(FOLDERS))
    if len(parts) != 2 or parts[0] not in FOLDERS:
        close = close_matches(parts[0], list(FOLDERS), n=1) if len(parts) > 1 else []
        hint = (f"move it to kb/{close[0]}/" if close else
                f"entries live in kb/<folder>/<id>.yaml with <folder> one of: {folders}")  # fmt: skip
        return _problem(shown, 1, 1, "unknown-folder", f"{'/'.join(parts)} is not in a kind folder", hint)
    name = parts[1]
    if not name.endswith(".yaml"):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return _problem(shown, 1, 1, "bad-filename", f"{name!r} does not end in '.yaml'",
                        f"rename it to {stem}.yaml")  # fmt: skip
    stem = name[: -len(".yaml")]
    if not is_slug(stem):
        from limkb.schema.ids import lookalikes, reserved_reason, slugify

        reserved = reserved_reason(stem)
        if reserved is not None:
            return _problem(shown, 1, 1, "bad-filename", f"{stem!r} cannot be an id: {reserved}",
                            f"rename the file, e.g. to {stem}-{FOLDERS[parts[0]].kind}.yaml")  # fmt: skip
        odd = lookalikes(stem)
        return _problem(
            shown, 1, 1, "bad-filename",
            f"{stem!r} is not a valid id" + (f": it holds {', '.join(odd)}" if odd else ""),
            f"rename the file to {slugify(stem) or 'a-lowercase-slug'}.yaml "
            "(lowercase letters, digits and single hyphens)",
        )  # fmt: skip
    return None


def validate_documents(
    pairs: Sequence[tuple[Path, Document | None]], *, root: Path | str = "kb", cache: FileCache | None = None
) -> Validated:
    """Validate parsed documents, given with their paths relative to the KB root.

    With ``cache``, the schema outcome of a document seen before (the same object) is reused.
    """
    result = Validated(Path(root))
    report = result.report
    seen: dict[str, str] = {}
    for relative, document in pairs:
        stem, folder = relative.stem, relative.parts[0]
        shown = document.path if document is not None else display_path(Path(root) / relative)
        if stem in seen:
            report.add(_problem(
                shown, 1, 1, "duplicate-id", f"id {stem!r} is already used by {seen[stem]}",
                f"ids are unique across all kinds: rename {shown} or {seen[stem]} (and the ids that name it)",
            ))  # fmt: skip
            continue
        seen[stem] = shown
        if document is None:
            result.invalid.add(stem)
            continue
        if cache is not None:
            entry, complete = cache.schema(folder, stem, document, report)
        else:
            entry, complete = _validate_schema(FOLDERS[folder], stem, document, report)
        result.documents[stem] = document
        if complete:
            result.entries[stem] = entry
        else:
            result.partial[stem] = entry
            result.invalid.add(stem)
    _check_links(result)
    _check_strategies(result)
    _check_references(result)
    _check_datasets(result)
    _check_analyses(result)
    _check_locators(result)
    return result


# --- schema -------------------------------------------------------------------------------

_TYPE_NAMES = {
    "string_type": "text", "int_type": "a whole number", "float_type": "a number",
    "bool_type": "true or false", "list_type": "a list", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "int_from_float": "a whole number",
    "int_parsing": "a whole number", "float_parsing": "a number",
}  # fmt: skip


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(entry)"


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class of the mapping at ``loc`` inside ``model``, if there is one."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = inner_type(info.annotation, BaseModel)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_hint(model: type[BaseModel] | None, name: str) -> str:
    if model is None or name not in model.model_fields:
        return ""
    description = model.model_fields[name].description or ""
    return description


def _validate_schema(model: type[Entry], stem: str, document: Document, report: Report) -> tuple[Entry, bool]:
    """The typed entry and whether it is complete (False: a partial one, for cross-checks)."""
    data = document.data
    if "id" in data:
        m = document.mark(("id",), key=True)
        report.add(_problem(
            document.path, m.line, m.col, "id-in-file", "the id is the file name; do not set `id`",
            f"delete the `id:` line (this entry's id is {stem!r})", entry=stem,
        ))  # fmt: skip
        data = {k: v for k, v in data.items() if k != "id"}
    try:
        return model.model_validate({**data, "id": stem}), True
    except pydantic.ValidationError as error:
        found: dict[tuple[int, int, str], Problem] = {}
        bad: set[str] = set()
        for item in error.errors(include_url=False):
            if item["loc"]:
                bad.add(str(item["loc"][0]))
            problem = _schema_problem(model, stem, document, item)
            found.setdefault((problem.line, problem.col, problem.code), problem)
        # A value that fails every branch of a union (number, or whole number, or text) gives
        # one error per branch; the specific one (NaN, out of range ...) says what is wrong.
        specific = {(line, col) for (line, col, code) in found if code != "wrong-type"}
        report.extend(p for (line, col, code), p in found.items()
                      if code != "wrong-type" or (line, col) not in specific)  # fmt: skip
        return _partial(model, stem, data, bad), False


_ADAPTERS: dict[tuple[type[BaseModel], str], pydantic.TypeAdapter[Any]] = {}


def _partial(model: type[Entry], stem: str, data: dict[str, Any], bad: set[str]) -> Entry:
    """An entry built from the fields that did validate, so that its relations can still be
    checked in the same run. It is never handed to later stages."""
    fields: dict[str, Any] = {"id": stem}
    for name, value in data.items():
        info = model.model_fields.get(name)
        if info is None or name in bad:
            continue
        adapter = _ADAPTERS.get((model, name))
        if adapter is None:
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            adapter = _ADAPTERS[(model, name)] = pydantic.TypeAdapter(annotation)
        try:
            fields[name] = adapter.validate_python(value)
        except pydantic.ValidationError:
            continue
    return model.model_construct(**fields)


def _schema_problem(model: type[Entry], stem: str, document: Document, item: Any) -> Problem:
    kind = item["type"]
    loc = tuple(item["loc"])
    if kind not in ("missing", "extra_forbidden"):
        # Drop what pydantic appends past the value itself (union branch labels and the like).
        while loc and loc not in document.marks:
            loc = loc[:-1]
    where = _dotted(loc)
    value = item.get("input")
    path = document.path
    if kind == "missing":
        parent = loc[:-1]
        name = str(loc[-1])
        m = document.mark(parent)
        owner = _model_at(model, parent)
        about = _field_hint(owner, name)
        hint = f"add `{name}:`" + (f" — {about}" if about else "")
        if name == "sources" and not parent:
            return _problem(path, m.line, m.col, "missing-sources", "the entry cites no source",
                            "add `sources: [{ref: <reference-id>, locator: \"Table 1\"}]`", entry=stem)  # fmt: skip
        return _problem(path, m.line, m.col, "missing-field",
                        f"missing required field {name!r}" + (f" in {_dotted(parent)}" if parent else ""),
                        hint, entry=stem)  # fmt: skip
    if kind == "extra_forbidden":
        name = str(loc[-1])
        m = document.mark(loc, key=True)
        owner = _model_at(model, loc[:-1])
        fields = [f for f in (owner.model_fields if owner else {}) if f != "id"]
        close = close_matches(name, fields, n=1, cutoff=0.6)
        message = f"unknown field {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
        hint = (f"rename it to `{close[0]}`" if close else
                f"remove it; the fields here are: {', '.join(fields)}")  # fmt: skip
        return _problem(path, m.line, m.col, "unknown-field", message, hint, entry=stem)
    m = document.mark(loc)
    if kind in OWN_ERRORS:
        return _problem(
            path, m.line, m.col, OWN_ERRORS[kind], f"{where}: {item['msg']}", item["ctx"]["hint"], entry=stem
        )
    if kind in _TYPE_NAMES:
        expected = _TYPE_NAMES[kind]
        hint = "use the right type"
        if (expected == "text" and isinstance(value, (bool, int, float))) or value is None:
            hint = "put the value in double quotes to keep it as text" if expected == "text" else (
                "give a value, or remove the field")  # fmt: skip
        elif expected in ("a number", "a whole number") and isinstance(value, str):
            hint = "write the number without quotes or units (units go in the `unit` field)"
        elif expected == "a list":
            hint = "write a list: `[a, b]` or one `- item` per line"
        return _problem(path, m.line, m.col, "wrong-type",
                        f"{where} should be {expected}, not {_describe(value)}", hint, entry=stem)  # fmt: skip
    if kind == "finite_number":
        return _problem(path, m.line, m.col, "not-finite", f"{where} is {value!r}; numbers must be finite",
                        "give a real number, or leave the value out when unknown", entry=stem)  # fmt: skip
    if kind == "out_of_range":
        return _problem(path, m.line, m.col, "out-of-range", f"{where}: {item['msg']}",
                        "check the value and its unit", entry=stem)  # fmt: skip
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _problem(path, m.line, m.col, "out-of-range", f"{where}: {item['msg'].lower()}",
                        "check the value and its unit", entry=stem)  # fmt: skip
    if kind == "too_short" and loc == ("sources",):
        return _problem(path, m.line, m.col, "missing-sources", "the entry cites no source",
                        "add at least one `{ref: <reference-id>, locator: ...}`", entry=stem)  # fmt: skip
    if kind == "enum":
        allowed = item.get("ctx", {}).get("expected", "")
        close = close_matches(
            str(value), [a.strip(" '") for a in allowed.replace(" or ", ",").split(",")], n=1
        )
        message = f"{where}: {value!r} is not allowed" + (f"; did you mean {close[0]!r}?" if close else "")
        return _problem(path, m.line, m.col, "bad-value", message, f"use one of {allowed}", entry=stem)
    msg = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        hint = "ids are lowercase slugs such as `lif` or `fec-additive`"
        if loc and loc[-1] == "doi":
            hint = "write the DOI alone, e.g. 10.1039/d3ya00470h (no https://doi.org/ prefix)"
        elif loc and loc[-1] == "url":
            hint = "use a full https:// address"
        return _problem(path, m.line, m.col, "bad-value", f"{where}: {_describe(value)} has the wrong form",
                        hint, entry=stem)  # fmt: skip
    return _problem(path, m.line, m.col, "bad-value", f"{where}: {msg}", "fix the value as described",
                    entry=stem)  # fmt: skip


# --- across entries -----------------------------------------------------------------------


class _Where:
    """The position of the first of ``locs`` that is located in the file (else of the last),
    looked up only when a problem is reported: positions cost a second parse of the file."""

    __slots__ = ("_document", "_locs", "_mark")

    def __init__(self, document: Document, *locs: tuple[Any, ...]) -> None:
        self._document = document
        self._locs = locs
        self._mark: Mark | None = None

    def _get(self) -> Mark:
        if self._mark is None:
            marks = self._document.marks
            here = next((loc for loc in self._locs[:-1] if loc in marks), self._locs[-1])
            self._mark = self._document.mark(here)
        return self._mark

    @property
    def line(self) -> int:
        return self._get().line

    @property
    def col(self) -> int:
        return self._get().col


def _suggest(target: str, candidates: Iterable[str]) -> list[str]:
    return close_matches(target, list(candidates), n=3, cutoff=0.6)


def _check_links(result: Validated) -> None:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for entry_id, entry in result.entries.items():
        by_kind[entry.kind].append(entry_id)
    known = set(result.entries)
    for entry_id, entry in result.checked().items():
        document = result.documents[entry_id]
        for link in iter_links(entry):
            m = _Where(document, link.loc)
            target = result.entries.get(link.target)
            kinds = " or ".join(link.rel.targets)
            if target is None and link.target in result.invalid:
                continue
            if target is None:
                pool = [i for k in link.rel.targets for i in by_kind.get(k, [])] or list(known)
                close = _suggest(link.target, pool)
                message = f"{link.target!r} is not an entry" + (
                    f"; did you mean {close[0]!r}?" if close else "")  # fmt: skip
                hint = (f"replace it with {close[0]!r}" if close else
                        f"create it with `limkb new {link.rel.targets[0]} {link.target}`, or fix the id")  # fmt: skip
                result.report.add(
                    _problem(document.path, m.line, m.col, "unknown-ref", message, hint, entry=entry_id)
                )
            elif target.kind not in link.rel.targets:
                result.report.add(_problem(
                    document.path, m.line, m.col, "wrong-kind",
                    f"{_dotted(link.loc)} must name a {kinds}, but {link.target!r} is a {target.kind}",
                    f"name a {kinds} here, e.g. one of {', '.join(sorted(by_kind.get(link.rel.targets[0], []))[:3]) or '(none yet)'}",
                    entry=entry_id,
                ))  # fmt: skip
            elif link.target == entry_id:
                result.report.add(_problem(document.path, m.line, m.col, "self-link",
                                           f"{_dotted(link.loc)} names the entry itself",
                                           "remove this item", entry=entry_id))  # fmt: skip
        for loc, source in iter_sources(entry):
            _check_source(result, entry_id, document, loc, source.ref, by_kind.get("reference", []))


def _check_source(result: Validated, entry_id: str, document: Document, loc: tuple[Any, ...],
                  ref: str, references: list[str]) -> None:  # fmt: skip
    target = result.entries.get(ref)
    if target is None and ref in result.invalid:
        return
    m = _Where(document, (*loc, "ref"), loc)
    if target is None:
        close = _suggest(ref, references)
        message = f"source {ref!r} is not a reference entry" + (
            f"; did you mean {close[0]!r}?" if close else "")  # fmt: skip
        hint = (f"replace it with {close[0]!r}" if close else
                "add the reference first: `limkb import-bib FILE.bib` or `limkb new reference <id>`")  # fmt: skip
        result.report.add(
            _problem(document.path, m.line, m.col, "unknown-ref", message, hint, entry=entry_id)
        )
    elif not isinstance(target, Reference):
        result.report.add(_problem(document.path, m.line, m.col, "wrong-kind",
                                   f"source {ref!r} is a {target.kind}, not a reference",
                                   "sources name reference entries (kb/references/)", entry=entry_id))  # fmt: skip


def _subtype_cycles(parent: dict[str, str | None]) -> list[list[str]]:
    """Every circle of ``subtype_of``, each once, in linear time.

    Each strategy has at most one parent, so one walk up from every strategy not yet seen
    finds each circle (colouring: on the current path, or done). A circle is given from its
    member that comes first in ``parent``'s order.
    """
    order = {node: i for i, node in enumerate(parent)}
    done: set[str] = set()
    cycles = []
    for start in parent:
        path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in parent and current not in done and current not in path:
            path[current] = len(path)
            current = parent[current]
        if current is not None and current in path:
            members = list(path)[path[current] :]
            first = min(range(len(members)), key=lambda i: order[members[i]])
            cycles.append(members[first:] + members[:first])
        done.update(path)
    return cycles


def _check_strategies(result: Validated) -> None:
    strategies = {i: e for i, e in result.checked().items() if isinstance(e, Strategy)}
    for cycle in _subtype_cycles({i: s.subtype_of for i, s in strategies.items()}):
        if len(cycle) > 1:  # an entry that names itself is reported as self-link
            start = cycle[0]
            document = result.documents[start]
            m = document.mark(("subtype_of",))
            shown = (
                [*cycle, start]
                if len(cycle) <= 12
                else [*cycle[:5], f"... ({len(cycle) - 10} more) ...", *cycle[-5:], start]
            )
            result.report.add(_problem(
                document.path, m.line, m.col, "cycle",
                f"`subtype_of` goes round in a circle: {' -> '.join(shown)}"
                + (f" ({len(cycle)} strategies)" if len(cycle) > 12 else ""),
                "one strategy in the circle must be the broader one: remove its `subtype_of`",
                entry=start,
            ))  # fmt: skip
    for entry_id, entry in strategies.items():
        parent = strategies.get(getattr(entry, "subtype_of", None) or "")
        family = getattr(entry, "family", None)
        if parent is not None and family is not None and getattr(parent, "family", family) != family:
            document = result.documents[entry_id]
            m = document.mark(("family",))
            result.report.add(_problem(
                document.path, m.line, m.col, "family-mismatch",
                f"family {family.value!r} differs from {parent.id!r}'s {parent.family.value!r}",
                f"set `family: {parent.family.value}` or choose another `subtype_of`", entry=entry_id,
            ))  # fmt: skip


def _check_references(result: Validated) -> None:
    dois: dict[str, str] = {}
    for entry_id, entry in result.entries.items():
        if not isinstance(entry, Reference):
            continue
        document = result.documents[entry_id]
        if entry.doi:
            key = entry.doi.lower()
            if key in dois:
                m = document.mark(("doi",))
                result.report.add(_problem(
                    document.path, m.line, m.col, "duplicate-doi",
                    f"DOI {entry.doi} is already the reference {dois[key]!r}",
                    f"cite {dois[key]!r} instead and delete this file", entry=entry_id,
                ))  # fmt: skip
            else:
                dois[key] = entry_id
        family = entry.authors[0].split(",")[0]
        expected = reference_id(family, entry.year, entry.title)
        if not entry_id.startswith(expected):
            result.report.add(_problem(
                document.path, 1, 1, "ref-id-convention",
                f"reference id {entry_id!r} does not follow <surname><year><first-title-word>",
                f"rename the file to {expected}.yaml (add a letter for a second paper: {expected}b)",
                severity=Severity.WARNING, entry=entry_id,
            ))  # fmt: skip


def _check_datasets(result: Validated) -> None:
    for entry_id, entry in result.entries.items():
        if isinstance(entry, Dataset):
            _check_dataset(result, entry_id, entry)
        elif isinstance(entry, Property):
            _check_property(result, entry_id, entry)


def _check_property(result: Validated, entry_id: str, prop: Property) -> None:
    document = result.documents[entry_id]
    if prop.minimum is not None and prop.maximum is not None and prop.minimum > prop.maximum:
        m = document.mark(("minimum",))
        result.report.add(_problem(
            document.path, m.line, m.col, "out-of-range",
            f"minimum {prop.minimum:g} is larger than maximum {prop.maximum:g}",
            "swap the two values", entry=entry_id,
        ))  # fmt: skip
    low, high = unit_bounds(prop.unit)
    for name, value in (("minimum", prop.minimum), ("maximum", prop.maximum)):
        if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
            m = document.mark((name,))
            result.report.add(_problem(
                document.path, m.line, m.col, "out-of-range",
                f"{name} {value:g} {prop.unit} is impossible for a value in {prop.unit}",
                "check the bound" + (" (percentages are 0-100)" if high == 100 else ""), entry=entry_id,
            ))  # fmt: skip


def _check_dataset(result: Validated, entry_id: str, dataset: Dataset) -> None:
    document = result.documents[entry_id]
    report = result.report
    columns: dict[str, Column] = {}
    for i, column in enumerate(dataset.columns):
        if column.name in columns:
            m = document.mark(("columns", i, "name"))
            report.add(_problem(document.path, m.line, m.col, "duplicate-column",
                                f"column {column.name!r} is declared twice", "rename or remove one",
                                entry=entry_id))  # fmt: skip
            continue
        columns[column.name] = column
        if column.name in Record.model_fields:
            m = document.mark(("columns", i, "name"))
            report.add(_problem(
                document.path, m.line, m.col, "bad-value",
                f"column name {column.name!r} is reserved: records use `{column.name}:` for their own field",
                f"rename the column, e.g. to `{column.name}_value`", entry=entry_id,
            ))  # fmt: skip
        prop = result.entries.get(column.property or "")
        if isinstance(prop, Property) and column.unit is not None:
            try:
                convert(1.0, column.unit, prop.unit)
            except UnitError:
                m = document.mark(("columns", i, "unit"))
                report.add(_problem(
                    document.path, m.line, m.col, "unit-mismatch",
                    f"column {column.name!r} is in {describe(column.unit)}, which cannot be converted to "
                    f"{prop.id!r}'s unit {describe(prop.unit)}",
                    f"state the values in {prop.unit!r} (or a unit of the same dimension); atomic, mass, "
                    "volume and molar percentages are different quantities", entry=entry_id,
                ))  # fmt: skip
    for g, group in enumerate(dataset.composition):
        for j, name in enumerate(group):
            if name not in columns:
                m = document.mark(("composition", g, j))
                report.add(_problem(document.path, m.line, m.col, "unknown-column",
                                    f"composition names {name!r}, which is not a column",
                                    f"use one of: {', '.join(columns)}", entry=entry_id))  # fmt: skip
            elif unit_bounds(columns[name].unit or "") != (0.0, 100.0):
                m = document.mark(("composition", g, j))
                report.add(_problem(
                    document.path, m.line, m.col, "composition-unit",
                    f"composition names {name!r}, whose unit is {columns[name].unit!r}, not a percentage",
                    "list only columns in `%` (or `at%`, `wt%`, `vol%`, `mol%`) as parts of one whole", entry=entry_id,
                ))  # fmt: skip
    _check_duplicate_records(report, entry_id, document, dataset)
    _check_fractions(result, entry_id, document, dataset)
    for r, record in enumerate(dataset.records):
        values = record.values
        for name, value in values.items():
            found = columns.get(name)
            cell = _Where(document, ("records", r, name))
            if found is None:
                close = _suggest(name, columns)
                report.add(_problem(
                    document.path, cell.line, cell.col, "unknown-column",
                    f"record {record.label!r} has a value for {name!r}, which is not a column"
                    + (f"; did you mean {close[0]!r}?" if close else ""),
                    f"use one of the declared columns: {', '.join(columns)}", entry=entry_id,
                ))  # fmt: skip
                continue
            column = found
            if value is None:
                continue
            if column.type is ColumnType.TEXT:
                if not isinstance(value, str):
                    report.add(_problem(document.path, cell.line, cell.col, "column-type",
                                        f"{name!r} is a text column, but {record.label!r} has {_describe(value)}",
                                        "put the value in double quotes", entry=entry_id))  # fmt: skip
                continue
            if isinstance(value, str) or (column.type is ColumnType.INTEGER and not isinstance(value, int)):
                report.add(_problem(
                    document.path, cell.line, cell.col, "column-type",
                    f"{name!r} holds {column.type.value}s, but {record.label!r} has {_describe(value)}",
                    "write a bare number (no quotes, no unit); leave the cell out when unknown",
                    entry=entry_id,
                ))  # fmt: skip
                continue
            _check_range(result, entry_id, document, cell, record.label, column, float(value))
        for group in dataset.composition:
            if any(n not in columns or unit_bounds(columns[n].unit or "") != (0.0, 100.0) for n in group):
                continue
            parts = [values.get(n) for n in group]
            numbers = [float(p) for p in parts if isinstance(p, (int, float))]
            if numbers and sum(numbers) > 100 + COMPOSITION_TOLERANCE:
                m = document.mark(("records", r))
                report.add(_problem(
                    document.path, m.line, m.col, "composition-sum",
                    f"{' + '.join(group)} of {record.label!r} add up to {sum(numbers):g} %, more than 100 %",
                    "check the values: parts of one composition cannot exceed the whole", entry=entry_id,
                ))  # fmt: skip


def _check_duplicate_records(report: Report, entry_id: str, document: Document, dataset: Dataset) -> None:
    """The same label from the same source twice is one measurement recorded twice."""
    first: dict[tuple[str, str | None], int] = {}
    for r, record in enumerate(dataset.records):
        earlier = first.setdefault(record.identity, r)
        if earlier == r:
            continue
        m = document.mark(("records", r, "label"))
        then = document.mark(("records", earlier, "label"))
        source = f" from {record.source.ref!r}" if record.source else ""
        report.add(_problem(
            document.path, m.line, m.col, "duplicate-record",
            f"record {record.label!r}{source} is already record {earlier + 1} (line {then.line})",
            "delete one of them; if they are two measurements, give each its own label "
            "(e.g. the current density); `limkb import-table --replace` updates rows instead of adding them",
            entry=entry_id,
        ))  # fmt: skip


_FRACTION_MIN_RECORDS = 4
"""A percentage column is judged to hold fractions only with more records than this minus one."""


def fraction_columns(
    columns: list[Column], records: list[dict[str, Any]], maxima: dict[str, float | None]
) -> list[tuple[int, str]]:
    """(column index, message) for each percentage column whose values look like 0-1 fractions.

    Four or more values, all within 0-1 and not all zero, in a column whose unit is a
    percentage; a column whose property declares ``maximum`` of 1 or less is left alone.
    ``maxima`` maps a column's name to its property's maximum.
    """
    found = []
    for i, column in enumerate(columns):
        if column.type is ColumnType.TEXT or column.unit is None or unit_bounds(column.unit) != (0.0, 100.0):
            continue
        top = maxima.get(column.name)
        if top is not None and top <= 1:
            continue  # the property itself says its percentages stay below 1
        numbers = [
            float(v) for record in records
            if isinstance(v := record.get(column.name), (int, float)) and not isinstance(v, bool)
        ]  # fmt: skip
        if len(numbers) >= _FRACTION_MIN_RECORDS and max(numbers) > 0 and all(0 <= n <= 1 for n in numbers):
            shown = ", ".join(f"{n:g}" for n in numbers[:3])
            found.append((i, f"column {column.name!r} is in {column.unit!r}, but all its {len(numbers)} "
                             f"values lie within 0-1 ({shown}, ...)"))  # fmt: skip
    return found


FRACTION_HINT = (
    "these look like fractions: multiply by 100, or set the unit to 1 (if the percentages really "
    "are all below 1, give the property `maximum: 1`)"
)


def _check_fractions(result: Validated, entry_id: str, document: Document, dataset: Dataset) -> None:
    maxima = {}
    for column in dataset.columns:
        prop = result.entries.get(column.property or "")
        maxima[column.name] = prop.maximum if isinstance(prop, Property) else None
    records = [record.values for record in dataset.records]
    for i, message in fraction_columns(dataset.columns, records, maxima):
        m = document.mark(("columns", i, "unit"))
        result.report.add(_problem(document.path, m.line, m.col, "fraction-as-percent", message,
                                   FRACTION_HINT, entry=entry_id))  # fmt: skip


def _check_range(result: Validated, entry_id: str, document: Document, m: Any, label: str,
                 column: Any, value: float) -> None:  # fmt: skip
    """The property's declared range first (it names the property), then the unit's own range."""
    if column.unit is None:
        return
    prop = result.entries.get(column.property or "")
    if isinstance(prop, Property):
        try:
            in_prop_unit = convert(value, column.unit, prop.unit)
        except UnitError:
            in_prop_unit = None
        low, high = prop.minimum, prop.maximum
        if in_prop_unit is not None and (
            (low is not None and in_prop_unit < low) or (high is not None and in_prop_unit > high)
        ):
            bounds = (
                f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}] {prop.unit}"
            )
            result.report.add(_problem(
                document.path, m.line, m.col, "out-of-range",
                f"{column.name} = {value:g} {column.unit} for {label!r} is outside {prop.id!r}'s range {bounds}",
                "check the value and the column's unit" + (" (percentages are 0-100)" if prop.unit == "%" else ""),
                entry=entry_id,
            ))  # fmt: skip
            return
    low, high = unit_bounds(column.unit)
    if (low is not None and value < low) or (high is not None and value > high):
        limits = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        result.report.add(_problem(
            document.path, m.line, m.col, "out-of-range",
            f"{column.name} = {value:g} {column.unit} for {label!r} is impossible: values in "
            f"{column.unit} are {limits}",
            "check the value and the column's unit" + (" (percentages are 0-100)" if high == 100 else ""),
            entry=entry_id,
        ))  # fmt: skip


def _dataset_properties(dataset: Dataset) -> set[str]:
    return {c.property for c in dataset.columns if c.property}


def _check_analyses(result: Validated) -> None:
    datasets = {i: e for i, e in result.entries.items() if isinstance(e, Dataset)}
    for entry_id, entry in result.entries.items():
        if not isinstance(entry, Analysis):
            continue
        document = result.documents[entry_id]
        for axis in ("x", "y"):
            terms = Analysis.terms(getattr(entry, axis))
            if not all(isinstance(result.entries.get(t), Property) for t in terms):
                continue  # reported by _check_links
            pool = (
                [datasets[d] for d in entry.datasets or [] if d in datasets]
                if entry.datasets
                else list(datasets.values())
            )
            missing = [t for t in terms if not any(t in _dataset_properties(d) for d in pool)]
            if missing:
                m = document.mark((axis,))
                where = ("the datasets " + ", ".join(entry.datasets)) if entry.datasets else "any dataset"
                result.report.add(_problem(
                    document.path, m.line, m.col, "missing-variable",
                    f"{axis} uses {', '.join(repr(t) for t in missing)}, which no column of {where} holds",
                    "add a column with that `property:` to a dataset, or fix the variable", entry=entry_id,
                ))  # fmt: skip


def _check_locators(result: Validated) -> None:
    for entry_id, entry in result.checked().items():
        document = result.documents[entry_id]
        for loc, source in iter_sources(entry):
            if source.locator is None:
                m = document.mark(loc)
                result.report.add(_problem(
                    document.path, m.line, m.col, "missing-locator",
                    f"source {source.ref!r} has no locator",
                    f'write `{{ref: {source.ref}, locator: "Table 1"}}` with the section, table or figure',
                    severity=Severity.WARNING, entry=entry_id,
                ))  # fmt: skip
