"""When each entry was added and last changed, from the repository's history (``git log``).

Dates are commit dates, never the clock, so the same commit builds the same pages and the same
feed on any machine with the full history. Outside a git checkout, or without git, there is no
history and the pages simply show no dates. A shallow clone knows only its last commits: CI and
releases fetch the whole history (``fetch-depth: 0``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Change", "entry_history"]


@dataclass(frozen=True)
class Change:
    """An entry file's first and latest commit: dates (YYYY-MM-DD) and the latest one's time."""

    added: str
    changed: str
    changed_at: str
    """The latest commit's date and time, ISO 8601 with its offset (for the feed)."""


def entry_history(kb_dir: Path) -> Mapping[str, Change]:
    """``{entry id: Change}`` for every committed file below ``kb_dir``; empty without git."""
    git = shutil.which("git")
    if git is None:
        return {}
    kb_dir = Path(kb_dir).resolve()
    try:
        top = subprocess.run(
            [git, "-C", str(kb_dir), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        log = subprocess.run(
            [git, "-C", top, "log", "--format=@%cI", "--name-only", "--no-renames", "--", str(kb_dir)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    relative = kb_dir.relative_to(Path(top).resolve()).as_posix()
    prefix = "" if relative == "." else relative + "/"
    latest: dict[str, str] = {}
    first: dict[str, str] = {}
    when = ""
    for line in log.splitlines():
        if line.startswith("@"):
            when = line[1:]
            continue
        if not line.startswith(prefix) or not line.endswith(".yaml"):
            continue
        entry_id = line.rsplit("/", 1)[-1][: -len(".yaml")]
        latest.setdefault(entry_id, when)  # the log runs newest first
        first[entry_id] = when
    return {i: Change(first[i][:10], latest[i][:10], latest[i]) for i in sorted(latest)}
