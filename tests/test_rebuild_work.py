"""What a rebuild after one edit does not do any more: walk the build cache for the data files,
import matplotlib when every plot is cached, or write through a hard link it replaces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from limkb import incremental
from limkb.outputs import download_files


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
