"""Publishing a build: the previous version is renamed out of the way at once and deleted by a
process of its own, so no build waits for the removal of a whole site."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from limkb.commands import build as build_module
from limkb.commands.build import OUT_DIR, build
from sitefactory import write_project


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


def test_the_previous_version_is_renamed_aside_and_handed_to_a_deleter(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    store = project / OUT_DIR
    (first,) = store.glob("v-*")
    _Recorded.calls = []
    monkeypatch.setattr(subprocess, "Popen", _Recorded)
    build(project)
    (second,) = store.glob("v-*")  # only the new version keeps a version name
    assert second != first and (project / "site" / "index.html").is_file()
    gone = store / f".gone-{first.name}"
    assert gone.is_dir()  # renamed, not yet deleted: the build did not wait for it
    handed = [path for command in _Recorded.calls for path in command[3:]]
    assert str(gone) in handed  # (with, maybe, what an earlier deleter has not finished yet)
    assert all(Path(path).name.startswith(".gone-v-") for path in handed)


def test_the_deleter_removes_the_retired_version(project: Path) -> None:
    build(project)
    build(project)
    store = project / OUT_DIR
    deadline = time.monotonic() + 30
    while list(store.glob(".gone-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(store.glob(".gone-*")) == []
    assert len(list(store.glob("v-*"))) == 1


def test_what_a_stopped_deleter_left_is_deleted_by_the_next_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    monkeypatch.setattr(build_module, "_delete_in_background", lambda folders: None)  # a killed deleter
    build(project)
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
