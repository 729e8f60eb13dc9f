"""Narrow a validation report to what a change touched: its files and every entry naming them.

The changed files are those of ``git diff --name-only BASE...HEAD`` (what a branch changed
since it left BASE), plus files under the KB that are staged, modified or untracked in the
working tree. Their ids are the changed ids; entries that link to them or cite them are
checked too, because renaming or deleting an entry breaks its referrers, and the problems
of all those files are kept.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from limkb.check.validate import Validated
from limkb.errors import LimkbError
from limkb.report import Report
from limkb.schema.kinds import FOLDERS, iter_links, iter_sources

__all__ = ["DEFAULT_BASES", "Changes", "affected", "changed_files", "changed_report"]

log = logging.getLogger(__name__)

DEFAULT_BASES = ("origin/HEAD", "origin/main", "main", "master")
"""Revisions tried, in order, when no base is given."""


@dataclass
class Changes:
    """The changed entry files and ids, and the entries that refer to them."""

    base: str
    files: set[Path] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    referrers: set[str] = field(default_factory=set)


def _git(top: Path, *args: str) -> list[str]:
    """git's output as lines; with ``-z`` among ``args``, as the NUL-separated names git wrote.

    Paths are always read with ``-z``: without it git quotes names with unusual characters
    (``"kb/materials/l\\321\\226f.yaml"``, a newline as ``\\n``), which would name no file.
    """
    try:
        done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise LimkbError("--changed needs git, which is not installed") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip()
        raise LimkbError(f"git {' '.join(args)} failed: {error or done.returncode}")
    out = done.stdout.decode("utf-8", "surrogateescape")
    if "-z" in args:
        return [name for name in out.split("\0") if name]
    return [line for line in out.splitlines() if line.strip()]


def _resolve_base(top: Path, base: str | None) -> str:
    candidates = (base,) if base else DEFAULT_BASES
    for candidate in candidates:
        ok = subprocess.run(
            ["git", "-C", str(top), "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
            capture_output=True,
            check=False,
        )
        if ok.returncode == 0:
            return candidate
    if base:
        raise LimkbError(f"{base!r} is not a git revision here; fetch it (git fetch origin) or name another")
    raise LimkbError(f"none of {', '.join(DEFAULT_BASES)} exists; give the base: --changed <revision>")


def changed_files(kb: Path | str, base: str | None = None) -> tuple[str, set[Path]]:
    """(the base used, absolute paths of entry files under ``kb`` changed since ``base``)."""
    kb = Path(kb).resolve()
    if not kb.is_dir():
        raise LimkbError(f"{kb} is not a folder")
    top_lines = _git(kb, "rev-parse", "--show-toplevel")
    top = Path(top_lines[0]).resolve()
    used = _resolve_base(top, base)
    names = set(_git(top, "diff", "-z", "--name-only", f"{used}...HEAD"))
    names.update(_git(top, "diff", "-z", "--name-only", "--cached"))
    names.update(
        _git(
            top,
            "ls-files",
            "-z",
            "--modified",
            "--others",
            "--exclude-standard",
            "--full-name",
            "--",
            str(kb),
        )
    )
    files = set()
    for name in names:
        path = (top / name).resolve()
        if kb in path.parents:  # any file: a badly named one is a problem a full run reports too
            files.add(path)
    log.info("%d entry files changed since %s", len(files), used)
    return used, files


def affected(result: Validated, files: set[Path]) -> tuple[set[str], set[str]]:
    """(ids of the changed files, ids of entries that link to or cite any of them)."""
    kb = result.root.resolve()
    ids = {p.stem for p in files if p.parent.parent == kb and p.parent.name in FOLDERS}
    referrers: set[str] = set()
    for entry_id, entry in result.entries.items():
        targets = {link.target for link in iter_links(entry)}
        targets.update(source.ref for _, source in iter_sources(entry))
        if targets & ids and entry_id not in ids:
            referrers.add(entry_id)
    return ids, referrers


def changed_report(result: Validated, base: str | None = None) -> tuple[Report, Changes]:
    """The problems of the files changed since ``base`` and of the entries that refer to them."""
    used, files = changed_files(result.root, base)
    ids, referrers = affected(result, files)
    changes = Changes(used, files, ids, referrers)
    kb = result.root.resolve()
    wanted = set(files)
    for entry_id in referrers:
        document = result.documents.get(entry_id)
        entry = result.entries.get(entry_id)
        if document is not None and entry is not None:
            wanted.add((kb / entry.folder / f"{entry_id}.yaml").resolve())
    kept = [p for p in result.report.problems if Path(p.path).resolve() in wanted]
    return Report(kept), changes
