"""``limkb build``: outputs in place, byte-identical twice, and atomic when a step fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbfactory import write_entry
from limkb.cli import cli
from limkb.commands.build import build
from limkb.errors import BuildError, ValidationError
from sitefactory import write_project


def snapshot(folder: Path, *, cache: bool = False) -> dict[str, bytes]:
    """Every file below ``folder``; without ``cache``, not build/cache/, which keeps this
    machine's state for the next build (paths, file times) and is never published."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (cache or p.relative_to(folder).parts[0] != "cache")
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


def test_build_writes_site_and_build(project: Path) -> None:
    summary = build(project)
    assert (project / "site/index.html").is_file()
    assert (project / "site/entries/strategies/fec-additive.html").is_file()
    for page in ("index.html", "coulombic-efficiency.html", "coulombic-efficiency-data.js", "ce.csv"):
        assert (project / "site/compare" / page).is_file(), page
    assert (project / "build/kb.sqlite").is_file() and (project / "build/analyses.json").is_file()
    assert (project / "site/downloads/kb.sqlite").read_bytes() == (project / "build/kb.sqlite").read_bytes()
    assert summary.entries == 12 and summary.analyses == 1 and summary.pages > 20
    assert _versions(project) == 1


def test_two_builds_are_byte_identical(project: Path) -> None:
    build(project)
    first = snapshot(project / "site"), snapshot(project / "build")
    build(project)
    second = snapshot(project / "site"), snapshot(project / "build")
    for before, after in zip(first, second, strict=True):
        assert sorted(before) == sorted(after)
        differing = [path for path in before if before[path] != after[path]]
        assert differing == []
    assert b"2023-11-14" in first[0]["index.html"]


def test_output_holds_no_path_of_the_build_machine(project: Path) -> None:
    build(project)
    marker = str(project.parent).encode()
    for name, data in {**snapshot(project / "site"), **snapshot(project / "build")}.items():
        assert marker not in data, name


def test_failed_validation_leaves_previous_build_untouched(project: Path) -> None:
    build(project)
    before = snapshot(project / "site"), snapshot(project / "build", cache=True)
    write_entry(project / "kb", "species/bad", {"name": "Bad", "species_class": "nonsense", "sources": ["x"]})
    with pytest.raises(ValidationError):
        build(project)
    assert (snapshot(project / "site"), snapshot(project / "build", cache=True)) == before


def test_failed_mkdocs_step_leaves_previous_build_untouched(project: Path) -> None:
    build(project)
    before = snapshot(project / "site")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - About: about.md", "  - About: missing.md"),
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        build(project)
    assert "missing.md" in str(caught.value)
    assert snapshot(project / "site") == before
    assert _versions(project) == 1


def test_cli_build_reports_located_problems(project: Path) -> None:
    write_entry(project / "kb", "species/bad", {"name": "Bad", "species_class": "nonsense", "sources": ["x"]})
    result = CliRunner().invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 1
    assert "kb/species/bad.yaml:" in result.output and "failed:" in result.output
    assert not (project / "site").exists()


def test_cli_build_prints_a_summary(project: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output and "12 entries" in result.output


def test_cli_render_writes_pages(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    result = CliRunner().invoke(cli, ["render", "--kb", str(project / "kb"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "entries/strategies/fec-additive.md").is_file() and (
        out / "assets/limkb/graph-data.js"
    ).is_file()


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, bytes]]:
    """Build the same project in two folders, in processes that hash strings differently.

    The folders differ in name and depth, as two machines' checkouts would: nothing of where a
    project lies may reach its outputs.
    """
    import os
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("processes")
    snapshots = []
    for seed, folder in (("1", base / "one"), ("2", base / "another" / "checkout")):
        folder.mkdir(parents=True)
        project = write_project(folder)
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1700000000"}
        subprocess.run(
            [sys.executable, "-m", "limkb", "build", "--project", str(project)],
            check=True,
            env=env,
            capture_output=True,
            cwd=project,
        )
        built = {f"site/{k}": v for k, v in snapshot(project / "site").items()}
        built.update({f"build/{k}": v for k, v in snapshot(project / "build").items()})
        snapshots.append(built)
    return snapshots


@pytest.mark.slow
def test_builds_in_separate_processes_are_byte_identical(two_processes: list[dict[str, bytes]]) -> None:
    first, second = two_processes
    assert sorted(first) == sorted(second)
    differing = sorted(p for p in first if first[p] != second[p] and not p.endswith("kb.sqlite"))
    assert differing == []


@pytest.mark.slow
def test_sqlite_of_separate_processes_is_byte_identical(two_processes: list[dict[str, bytes]]) -> None:
    first, second = two_processes
    assert first["build/kb.sqlite"] == second["build/kb.sqlite"]


def _versions(project: Path) -> int:
    """How many version folders the out store holds besides the one ``previous`` names (the
    next build's folder): only the current one after a build."""
    store = project / ".limkb-out"
    current, previous = (store / "current").resolve(), (store / "previous").resolve()
    folders = [f.resolve() for f in sorted(store.glob("v-*"))]
    assert current in folders
    return len([f for f in folders if f != previous or f == current])


def _names(project: Path) -> tuple[str, str]:
    """The strategy name the site shows and the one kb.sqlite holds: from one build, or not."""
    import sqlite3

    page = (project / "site/entries/strategies/fec-additive.html").read_text(encoding="utf-8")
    shown = "renamed" if "Renamed additive" in page else "original"
    with sqlite3.connect(project / "build/kb.sqlite") as db:
        (name,) = db.execute("select name from entries where id = 'fec-additive'").fetchone()
    return shown, "renamed" if name == "Renamed additive" else "original"


class _Killed(BaseException):
    """Stands for a kill: nothing of the build's own clean-up may depend on catching it."""


class _KillAfter:
    """``os.replace`` that lets ``limit`` renames through, then kills the build."""

    def __init__(self, limit: int, real: Any) -> None:
        self.limit, self.real, self.calls = limit, real, 0

    def __call__(self, a: Any, b: Any) -> None:
        self.calls += 1
        if self.calls > self.limit:
            raise _Killed
        self.real(a, b)


def test_a_build_killed_at_any_step_of_publishing_leaves_an_old_or_a_new_pair(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import limkb.commands.build as build_module
    from kbfactory import minimal

    build(project)
    write_entry(
        project / "kb",
        "strategies/fec-additive",
        minimal("strategy", "Renamed additive", forms=[{"id": "lif", "editorial": "A test link."}]),
    )
    real_replace = os.replace
    for steps in range(80):  # every rename of a build: the compiled templates kept are among them
        kill = _KillAfter(steps, real_replace)
        monkeypatch.setattr(build_module.os, "replace", kill)
        try:
            build(project)
            finished = True
        except (_Killed, BuildError):  # a kill in the process writing the data files fails the build
            finished = False
        monkeypatch.setattr(build_module.os, "replace", real_replace)
        shown, stored = _names(project)
        assert shown == stored, f"killed after {steps} renames: site shows {shown}, build holds {stored}"
        if finished:
            assert shown == "renamed" and steps > 2
            break
    else:
        pytest.fail("the build never finished")
    build(project)  # the next build cleans what the killed ones left
    assert _versions(project) == 1


def test_real_folders_of_an_older_layout_are_adopted_once_with_their_content(project: Path) -> None:
    (project / "site").mkdir()
    (project / "site" / "old.html").write_text("old")
    (project / "build").mkdir()
    (project / "build" / "old.txt").write_text("old")
    build(project)
    assert (project / "site").is_symlink() and (project / "build").is_symlink()
    assert (project / "site/index.html").is_file() and not (project / "site/old.html").exists()
    assert _versions(project) == 1


def test_a_site_folder_that_cannot_be_moved_fails_before_anything_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    import limkb.commands.build as build_module

    (project / "site").mkdir()
    (project / "site" / "old.html").write_text("old")
    (project / "build").mkdir()
    (project / "build" / "old.txt").write_text("old")
    real_replace = os.replace

    def busy(a: object, b: object) -> None:
        if Path(str(a)).name == "build" and Path(str(a)).parent == project:
            raise OSError(errno.EBUSY, "Device or resource busy")
        real_replace(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module.os, "replace", busy)
    with pytest.raises(BuildError, match="nothing was changed"):
        build(project)
    assert (project / "site" / "old.html").read_text() == "old" and not (project / "site").is_symlink()
    assert (project / "build" / "old.txt").read_text() == "old"


def test_version_folders_left_by_killed_builds_are_removed_but_not_running_ones(project: Path) -> None:
    import fcntl
    import os

    build(project)
    store = project / ".limkb-out"
    stale, running = store / "v-stale", store / "v-running"
    from limkb.commands.build import _MARKER, _marked
    from limkb.files import seal

    for folder in (stale, running):  # as a build makes them: marked, locked while it runs
        (folder / "site").mkdir(parents=True)
        (folder / ".lock").touch()
        (folder / _MARKER).write_bytes(seal(_marked(folder)))
    fd = os.open(running / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        build(project)
        assert not stale.exists() and running.is_dir()
    finally:
        os.close(fd)
    build(project)
    assert _versions(project) == 1


def test_data_files_that_cannot_be_written_fail_the_build_and_leave_the_previous_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data files are written by a second process while the pages render: its failure is
    the build's, with the message, and nothing of the previous build changes."""
    import limkb.commands.build as build_module

    build(project)
    before = snapshot(project / "site"), snapshot(project / "build", cache=True)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "write_outputs", broken)
    from kbfactory import minimal

    write_entry(project / "kb", "species/li2o", minimal("species", "Lithium oxide", formula="Li2O"))
    with pytest.raises(BuildError, match=r"store.*No space left on device"):
        build(project)
    assert (snapshot(project / "site"), snapshot(project / "build", cache=True)) == before
    assert _versions(project) == 1


def test_a_failure_after_the_switch_never_deletes_the_version_shown(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third build updates the first one's folder in place; when naming the version shown
    before as `previous` fails after `current` has switched, the build fails, but the folder
    `current` names is kept (before, the failed in-place version was retired: `site/` dangled)."""
    import limkb.commands.build as build_module
    from kbfactory import minimal

    build(project)
    build(project)
    write_entry(project / "kb", "strategies/fec-additive", minimal("strategy", "Renamed additive"))
    real_point = build_module._point

    def failing(store: Path, version: Path, link: str = "current") -> None:
        if link == build_module.PREVIOUS:
            raise OSError(28, "No space left on device")
        real_point(store, version, link)

    monkeypatch.setattr(build_module, "_point", failing)
    with pytest.raises(BuildError, match="No space left on device"):
        build(project)
    monkeypatch.setattr(build_module, "_point", real_point)
    assert _names(project) == ("renamed", "renamed")
    build(project)
    assert _names(project) == ("renamed", "renamed") and _versions(project) == 1
