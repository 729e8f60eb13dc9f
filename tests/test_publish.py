"""Publishing a build: the next build updates the version the last one replaced, in place and
only where it differs, so publishing deletes nothing after an edit; a version that is no
longer needed is renamed out of the way at once and deleted by a process of its own. A build
killed while it updates or publishes, or one that fails, leaves a state the next build repairs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from kbfactory import tree_digest
from limkb.commands import build as build_module
from limkb.commands.build import OUT_DIR, PREVIOUS, build
from limkb.errors import BuildError
from sitefactory import write_project
from test_incremental import EDITS, assert_same_as_clean, snapshot


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


_POPEN = subprocess.Popen


class _Recorded:
    """Stands for subprocess.Popen: keeps the deleter's command instead of starting it (any
    other process starts as usual)."""

    calls: ClassVar[list[list[str]]] = []

    def __new__(cls, command: list[str], **options: Any) -> Any:
        if command[1:3] != ["-c", build_module._DELETE]:
            return _POPEN(command, **options)
        assert options["start_new_session"] is True  # not a child the build would wait for
        cls.calls.append(command)
        return None


def _links(project: Path) -> tuple[str, str]:
    """The versions ``current`` and ``previous`` name."""
    store = project / OUT_DIR
    return os.readlink(store / "current"), os.readlink(store / PREVIOUS)


def _versions(project: Path) -> set[str]:
    return {path.name for path in (project / OUT_DIR).glob("v-*")}


def test_the_next_build_updates_the_previous_version_in_place_and_deletes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    build(project)
    shown, replaced = _links(project)
    assert _versions(project) == {shown, replaced}
    _Recorded.calls = []
    monkeypatch.setattr(subprocess, "Popen", _Recorded)
    for name, edit in list(EDITS.items())[:2]:
        edit(project / "kb")
        build(project)
        assert _links(project) == (replaced, shown), name  # the two versions take turns
        assert _versions(project) == {shown, replaced}
        assert _Recorded.calls == []  # nothing to delete
        shown, replaced = replaced, shown
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert_same_as_clean(project)


def test_the_previous_version_is_renamed_aside_and_handed_to_a_deleter_when_it_cannot_be_reused(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    build(project)
    store = project / OUT_DIR
    _, first = _links(project)
    _Recorded.calls = []
    monkeypatch.setattr(subprocess, "Popen", _Recorded)
    build(project, clean=True)  # a clean build never goes into an earlier version
    assert first not in _versions(project) and len(_versions(project)) == 2
    gone = store / f".gone-{first}"
    assert gone.is_dir()  # renamed, not yet deleted: the build did not wait for it
    handed = [path for command in _Recorded.calls for path in command[3:]]
    assert str(gone) in handed  # (with, maybe, what an earlier deleter has not finished yet)
    assert all(Path(path).name.startswith(".gone-v-") for path in handed)


def test_a_previous_version_whose_cache_was_damaged_is_not_updated_but_pages_still_come_from_the_cache(
    project: Path,
) -> None:
    """A previous version whose cache lists no files cannot be updated in place: the build takes a
    fresh folder, and its pages still come from the current version's cache."""
    build(project)
    (project / "build" / "cache" / "html" / "manifest.pickle").unlink()  # current's, soon previous
    build(project, clean=True)
    _, damaged = _links(project)
    EDITS["prose"](project / "kb")
    summary = build(project)
    assert summary.reused > 0  # before, the damaged folder was taken and every page built again
    assert damaged not in _links(project)  # not reused in place
    assert_same_as_clean(project)


def test_the_deleter_removes_the_retired_version(project: Path) -> None:
    build(project)
    build(project, clean=True)
    store = project / OUT_DIR
    deadline = time.monotonic() + 30
    while list(store.glob(".gone-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(store.glob(".gone-*")) == []
    assert _versions(project) == set(_links(project))


def test_what_a_stopped_deleter_left_is_deleted_by_the_next_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    build(project)
    monkeypatch.setattr(build_module, "_delete_in_background", lambda folders: None)  # a killed deleter
    build(project, clean=True)
    store = project / OUT_DIR
    (left,) = store.glob(".gone-v-*")
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _Recorded.calls = []
    monkeypatch.setattr(subprocess, "Popen", _Recorded)
    build(project)
    assert any(str(left) in command for command in _Recorded.calls)


def test_a_folder_named_like_a_retired_version_but_not_limkb_s_is_never_deleted(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    planted = project / OUT_DIR / ".gone-v-planted"
    planted.mkdir()
    (planted / "keep.txt").write_text("not limkb's", encoding="utf-8")
    _Recorded.calls = []
    monkeypatch.setattr(subprocess, "Popen", _Recorded)
    build(project)
    assert all(str(planted) not in command for command in _Recorded.calls)
    assert (planted / "keep.txt").is_file()


_KILLED = """
import os, signal, sys
from pathlib import Path
from limkb import incremental
from limkb.commands import build as b

def kill(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] == "update":  # after the reused folder's stale files are gone, before MkDocs writes
    place = incremental.HtmlCache.place
    incremental.HtmlCache.place = lambda self, nav, files: (place(self, nav, files), kill())
else:  # after `current` names the new version, before `previous` names the old one
    point = b._point
    b._point = lambda store, version, link="current": kill() if link == b.PREVIOUS else point(store, version, link)
b.build(Path(sys.argv[1]))
"""


def _killed_build(project: Path, where: str) -> None:
    """Run a build in a process of its own that is killed (SIGKILL: no cleanup runs) at ``where``."""
    done = subprocess.run(
        [sys.executable, "-c", _KILLED, str(project), where], capture_output=True, check=False
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def test_a_build_killed_while_it_updates_the_previous_version_leaves_the_site_as_it_was(
    project: Path,
) -> None:
    build(project)
    build(project)
    shown, replaced = _links(project)
    before = snapshot(project / "site")
    EDITS["prose"](project / "kb")
    _killed_build(project, "update")
    assert _links(project) == (shown, replaced) and snapshot(project / "site") == before
    build(project)  # the half-updated folder is never reused: retired, and a fresh one made
    assert replaced not in _versions(project) and _links(project)[1] == shown
    assert_same_as_clean(project)


def test_a_build_killed_while_it_publishes_shows_the_new_version_and_the_next_build_repairs(
    project: Path,
) -> None:
    build(project)
    build(project)
    shown, replaced = _links(project)
    EDITS["prose"](project / "kb")
    _killed_build(project, "publish")
    assert _links(project) == (replaced, replaced)  # the new pair is shown; `previous` not moved yet
    assert_same_as_clean(project)
    build(project)
    assert shown not in _versions(project) and _links(project)[1] == replaced
    assert_same_as_clean(project)


def test_a_failed_build_in_a_reused_version_leaves_every_file_as_it_was(project: Path) -> None:
    build(project)
    build(project)
    site, output = tree_digest(project / "site"), tree_digest(project / "build")
    shown, replaced = _links(project)
    EDITS["prose"](project / "kb")
    about = project / "docs/about.md"
    kept = about.read_text(encoding="utf-8")
    about.write_text("# About\n\n[gone](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(project)
    assert tree_digest(project / "site") == site and tree_digest(project / "build") == output
    assert _links(project)[0] == shown and replaced not in _versions(project)  # retired, half-updated
    about.write_text(kept, encoding="utf-8")
    build(project)
    assert_same_as_clean(project)
