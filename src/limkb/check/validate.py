"""Turn loaded documents into typed entries, and find every problem in one pass.

Checks, in order: the file's place and name (kind folder, slug stem), the schema of its kind
(types, required and unknown fields, vocabularies, ranges, units), and then the rules that
span entries (unique ids and DOIs, relations that resolve to the right kind, no cycles in
``subtype_of``, dataset records that match their columns and their properties' ranges,
analyses over variables that exist). Every problem is located and carries a fix hint; the
caller decides what to do with the :class:`~limkb.report.Report`.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from limkb.check.cache import FileCache
from limkb.check.reader import Document, entry_file_parts, load_file
from limkb.check.result import Validated, display_path
from limkb.check.result import problem as _problem
from limkb.check.rules import FRACTION_HINT, check_rules, fraction_columns
from limkb.check.schema_errors import validate_schema
from limkb.report import Problem, Report, Severity, close_matches
from limkb.schema.ids import is_slug
from limkb.schema.kinds import FOLDERS

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


def _check_root(root: Path) -> Problem | None:
    """Why ``root`` cannot be read as a ``kb/`` folder at all (one problem), or None."""
    shown = display_path(root)
    if root.is_symlink():
        return _problem(
            shown,
            1,
            1,
            "bad-filename",
            f"{shown} is a symbolic link, not the kb/ folder itself",
            "point limkb at the real folder; a link could show another folder's files",
        )
    if not root.is_dir():
        return _problem(
            shown, 1, 1, "unknown-folder", f"{shown} is not a folder", "give the kb/ folder, e.g. `--kb kb`"
        )
    if (root / "kb").is_dir() and not any((root / folder).is_dir() for folder in FOLDERS):
        return _problem(
            shown,
            1,
            1,
            "unknown-folder",
            f"{shown} is a project folder, not its kb/ folder",
            f"give {display_path(root / 'kb')} instead",
        )
    return None


def check_docs(folder: Path) -> Report:
    """The hand-written pages' folder read like ``kb/``: a symbolic link or a special file (a
    pipe, a device) is an error, never followed, so a page of the site can only ever be a file
    of the project (a link to ``/proc/self/environ`` or to a secret beside the checkout would
    otherwise be published)."""
    import stat

    report = Report()
    for top, folders, names in os.walk(folder, followlinks=False):
        for name in sorted([*folders, *names]):
            path = Path(top) / name
            shown = display_path(path)
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                report.add(
                    _problem(
                        shown,
                        1,
                        1,
                        "bad-filename",
                        f"{shown} is a symbolic link (to {os.readlink(path)}); the site publishes only "
                        "the project's own files",
                        "replace the link with the file or folder itself (`cp --remove-destination` the target)",
                    )
                )
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                report.add(
                    _problem(
                        shown,
                        1,
                        1,
                        "bad-filename",
                        f"{shown} is not a regular file (a pipe, socket or device)",
                        "remove it; docs/ holds pages and the files they show",
                    )
                )
        folders[:] = [name for name in folders if not (Path(top) / name).is_symlink()]
    return report


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the duration, and resumed as it was.

    Validation allocates millions of objects and keeps nearly all of them (nodes, documents,
    entries); every full collection walks them all to find almost nothing (some 15,000 cyclic
    objects at 10,000 entries), which cost a third of a run. Memory is unchanged: what little
    cyclic garbage a run leaves is collected in the normal course once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate_kb(root: Path | str, *, cache: FileCache | None = None) -> Validated:
    """Load and validate every entry file below ``root`` (a ``kb/`` folder).

    With ``cache``, files whose bytes did not change since the last call with the same cache
    are not parsed or schema-checked again (the result is the same as without it).
    """
    with _without_cycle_collection():
        return _validate_kb(Path(root), cache)


def _validate_kb(root: Path, cache: FileCache | None) -> Validated:
    """:func:`validate_kb`, with the collector paused. Each file is handled as strings (its
    path's parts below ``root``): no path object is made for a file that is read from the cache."""
    named: list[_Named] = []
    report = Report()
    seen: set[tuple[str, str]] = set()
    refused = _check_root(root)
    if refused is not None:
        report.add(refused)
        return Validated(report=report, root=root)
    base, shown_below = str(root), _shower(root)
    for parts, link in entry_file_parts(root):
        relative = os.path.join(*parts)
        path = os.path.join(base, relative)
        shown = shown_below(path, relative)
        if parts[-1].lower() in ("readme.md", "readme"):
            continue
        if link and os.path.isdir(path):
            report.add(
                _problem(
                    shown,
                    1,
                    1,
                    "bad-filename",
                    "folders in kb/ may not be symbolic links",
                    "replace the link with the folder itself",
                )
            )
            continue
        problem = _check_place(parts, shown)
        if problem is not None:
            report.add(problem)
            if problem.severity is Severity.ERROR:
                continue
        if link:
            report.add(
                _problem(
                    shown,
                    1,
                    1,
                    "bad-filename",
                    "entry files may not be symbolic links",
                    "replace the link with the file itself",
                )
            )
            continue
        if cache is not None:
            seen.add((path, shown))
            document, problems = cache.load(path, shown)
        else:
            document, problems = load_file(path, display=shown)
        report.extend(problems)
        named.append((parts[0], parts[1][: -len(".yaml")], document, relative))
    result = _validate_named(named, root, cache)
    result.report.extend(report.problems)
    if cache is not None:
        cache.keep_only(seen, {(folder, stem) for folder, stem, _, _ in named})
    return result


def _shower(root: Path) -> Callable[[str, str], str]:
    """How a file below ``root`` is shown in messages: :func:`display_path` of it, given the
    file's path and its path relative to ``root``. When ``root`` is the working directory or below
    it, that is ``root``'s shown path joined with the relative one, without asking the
    operating system for the working directory again for every file."""
    base = display_path(root)
    if os.path.isabs(base) or os.pardir in Path(base).parts:
        return lambda path, relative: os.path.relpath(path)
    if base == os.curdir:
        return lambda path, relative: relative
    return lambda path, relative: os.path.join(base, relative)


def _check_place(parts: tuple[str, ...], shown: str) -> Problem | None:
    """Why the file of ``parts`` (below kb/) is not where an entry's file can be, or None."""
    folders = ", ".join(sorted(FOLDERS))
    if len(parts) != 2 or parts[0] not in FOLDERS:
        close = close_matches(parts[0], list(FOLDERS), n=1) if len(parts) > 1 else []
        hint = (
            f"move it to kb/{close[0]}/"
            if close
            else f"entries live in kb/<folder>/<id>.yaml with <folder> one of: {folders}"
        )
        return _problem(shown, 1, 1, "unknown-folder", f"{'/'.join(parts)} is not in a kind folder", hint)
    name = parts[1]
    if not name.endswith(".yaml"):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return _problem(
            shown, 1, 1, "bad-filename", f"{name!r} does not end in '.yaml'", f"rename it to {stem}.yaml"
        )
    stem = name[: -len(".yaml")]
    if not is_slug(stem):
        from limkb.schema.ids import lookalikes, reserved_reason, slugify

        reserved = reserved_reason(stem)
        if reserved is not None:
            return _problem(
                shown,
                1,
                1,
                "bad-filename",
                f"{stem!r} cannot be an id: {reserved}",
                f"rename the file, e.g. to {stem}-{FOLDERS[parts[0]].kind}.yaml",
            )
        odd = lookalikes(stem)
        return _problem(
            shown,
            1,
            1,
            "bad-filename",
            f"{stem!r} is not a valid id" + (f": it holds {', '.join(odd)}" if odd else ""),
            f"rename the file to {slugify(stem) or 'a-lowercase-slug'}.yaml "
            "(lowercase letters, digits and single hyphens)",
        )
    return None


def validate_documents(
    pairs: Sequence[tuple[Path, Document | None]], *, root: Path | str = "kb", cache: FileCache | None = None
) -> Validated:
    """Validate parsed documents, given with their paths relative to the KB root.

    With ``cache``, the schema outcome of a document seen before (the same object) is reused.
    """
    named = [(r.parts[0], r.stem, document, str(r)) for r, document in pairs]
    return _validate_named(named, Path(root), cache)


_Named = tuple[str, str, "Document | None", str]
"""A parsed file: its kind folder, its stem, its document (None when it could not be read) and
its path relative to the KB root."""


def _validate_named(named: Sequence[_Named], root: Path, cache: FileCache | None) -> Validated:
    """:func:`validate_documents` of files given by folder, stem and relative path."""
    result = Validated(root)
    report = result.report
    seen: dict[str, str] = {}
    for folder, stem, document, relative in named:
        shown = document.path if document is not None else display_path(root / relative)
        if stem in seen:
            report.add(
                _problem(
                    shown,
                    1,
                    1,
                    "duplicate-id",
                    f"id {stem!r} is already used by {seen[stem]}",
                    f"ids are unique across all kinds: rename {shown} or {seen[stem]} (and the ids that name it)",
                )
            )
            continue
        seen[stem] = shown
        if document is None:
            result.invalid.add(stem)
            continue
        if cache is not None:
            entry, complete = cache.schema(folder, stem, document, report)
        else:
            entry, complete = validate_schema(FOLDERS[folder], stem, document, report)
        result.documents[stem] = document
        if complete:
            result.entries[stem] = entry
        else:
            result.partial[stem] = entry
            result.invalid.add(stem)
    if cache is None:
        check_rules(result)
    else:
        with cache.checking():  # what RDKit made of each SMILES is kept in the cache
            check_rules(result, cache.rules, cache.entries)
    return result
