"""``limkb fmt``: rewrite entry files in the canonical form of :mod:`limkb.check.writer`.

The writer (what the canonical form is, and the text-level :func:`format_text`) lives beside
the reader in :mod:`limkb.check`; this module walks the files, reads each safely and writes
back only what changed. Its names are re-exported here for existing callers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from limkb.check.reader import iter_entry_files, load_file, read_entry_bytes
from limkb.check.writer import (
    WIDTH,
    Comments,
    format_text,
    read_comments,
    render,
    render_value,
    schema_comment,
)
from limkb.files import write_atomic
from limkb.report import Problem, Report, Severity
from limkb.schema.kinds import FOLDERS

__all__ = [
    "WIDTH",
    "Comments",
    "FmtResult",
    "format_paths",
    "format_text",
    "read_comments",
    "render",
    "render_value",
    "schema_comment",
]

log = logging.getLogger(__name__)


@dataclass
class FmtResult:
    """What :func:`format_paths` did: files rewritten (or stale, with ``check``) and problems."""

    changed: list[Path] = field(default_factory=list)
    checked: int = 0
    report: Report = field(default_factory=Report)


def _entry_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in iter_entry_files(path) if p.suffix == ".yaml")
        else:
            files.append(path)
    return files


def format_paths(paths: Iterable[Path | str], *, check: bool = False) -> FmtResult:
    """Rewrite entry files (or folders of them) in canonical form.

    With ``check`` nothing is written; ``changed`` lists the files that are not canonical.
    Files that cannot be read, or hold comments fmt cannot keep, are reported and untouched.
    """
    from limkb.check.result import display_path

    result = FmtResult()
    for path in _entry_files(Path(p) for p in paths):
        shown = display_path(path)
        model = FOLDERS.get(path.parent.name)
        if model is None:
            result.report.add(
                Problem(
                    shown,
                    1,
                    1,
                    Severity.ERROR,
                    "unknown-folder",
                    f"{shown} is not in a kind folder, so its kind is unknown",
                    f"entry files live in kb/<folder>/<id>.yaml, <folder> one of: {', '.join(sorted(FOLDERS))}",
                )
            )
            continue
        document, problems = load_file(path, display=shown)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if document is None or errors:
            result.report.extend(errors)
            continue
        read, refused = read_entry_bytes(path, shown)
        if read is None:  # changed since it was parsed
            result.report.extend([refused] if refused else [])
            continue
        raw = read.removeprefix(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
        formatted, problems = format_text(text, model.kind, path=shown)
        result.checked += 1
        if formatted is None:
            result.report.extend(problems)
            continue
        if raw != formatted.encode("utf-8"):
            result.changed.append(path)
            if not check:
                write_atomic(path, formatted)
                log.info("formatted %s", shown)
    return result
