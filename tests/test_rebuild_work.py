"""What a rebuild after one edit does not do any more: walk the build cache for the data files,
import matplotlib when every plot is cached, compile the page templates again, or write through
a hard link it replaces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest

from limkb import incremental
from limkb.commands.build import build
from limkb.files import unseal
from limkb.outputs import download_files
from limkb.site import context
from sitefactory import write_project


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_data_files_are_found_without_walking_the_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("kb.sqlite", "datasets/b.csv", "datasets/a.csv", ".hidden", "datasets/.partial"):
        _write(tmp_path / name, name)
    for name in ("cache/html/ab/ab.html", "cache/markdown/entries/x.md", "cache/render.pickle"):
        _write(tmp_path / name, name)
    listed: list[str] = []
    original = os.scandir

    def noting(path: str | os.PathLike[str] = ".") -> object:
        listed.append(Path(path).relative_to(tmp_path).as_posix())
        return original(path)

    monkeypatch.setattr(os, "scandir", noting)  # what a walk of the folders lists
    found = download_files(tmp_path, keep=True)
    assert list(found) == ["downloads/datasets/a.csv", "downloads/datasets/b.csv", "downloads/kb.sqlite"]
    assert found["downloads/kb.sqlite"] == tmp_path / "kb.sqlite"
    assert "." in listed and "datasets" in listed
    assert not [folder for folder in listed if folder.startswith("cache")]
    read = download_files(tmp_path)
    assert read["downloads/datasets/a.csv"] == b"datasets/a.csv"


def test_a_file_named_cache_beside_the_data_files_is_not_a_download(tmp_path: Path) -> None:
    _write(tmp_path / "cache", "not a folder")
    _write(tmp_path / "graph.json", "{}")
    assert list(download_files(tmp_path, keep=True)) == ["downloads/graph.json"]


def test_a_replaced_link_leaves_the_file_it_shared_data_with_as_it_was(tmp_path: Path) -> None:
    old, new, target = tmp_path / "old.html", tmp_path / "new.html", tmp_path / "site/a/b/page.html"
    old.write_text("old page", encoding="utf-8")
    new.write_text("new page", encoding="utf-8")
    incremental._link(old, target)  # the folders are made
    assert target.read_text(encoding="utf-8") == "old page"
    assert os.path.samefile(old, target)
    incremental._link(str(new), str(target))  # a file already there is replaced, not written through
    assert target.read_text(encoding="utf-8") == "new page"
    assert old.read_text(encoding="utf-8") == "old page"
    assert os.path.samefile(new, target)


def test_the_plots_cache_key_does_not_import_matplotlib() -> None:
    program = (
        "import sys\n"
        "from limkb.site.overview import _plot_key\n"
        "_plot_key('scatter', [])\n"
        "print('matplotlib' in sys.modules)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True
    )
    assert ran.stdout.strip() == "False"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Note the name of every template Jinja2 compiles from its source from now on, in a fresh
    environment of limkb's page templates (as a new process has)."""
    monkeypatch.setattr(context, "_ENV", None)
    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def noting(
        self: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", noting)
    return compiled


def _site(project: Path) -> dict[str, bytes]:
    site = project / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_rebuild_compiles_no_template_the_last_build_compiled(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _compiles(monkeypatch)
    build(project)
    assert "entry.md" in first and "main.html" in first  # limkb's templates and the theme's
    before = _site(project)
    again = _compiles(monkeypatch)
    build(project)
    assert again == []
    assert _site(project) == before
    assert any((project / "build/cache/templates").iterdir())  # carried into this build's cache


def test_compiled_templates_not_sealed_here_are_never_loaded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    before = _site(project)
    for path in (project / "build/cache/templates").iterdir():
        code = unseal(path.read_bytes())
        assert code is not None and code.startswith(b"j2")
        path.unlink()  # planted in the tree: valid compiled code, but not sealed by limkb
        path.write_bytes(code)
    compiled = _compiles(monkeypatch)
    build(project)
    assert "index.md" in compiled and "main.html" in compiled  # compiled anew, not loaded
    assert _site(project) == before
