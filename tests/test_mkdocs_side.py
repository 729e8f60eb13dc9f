"""The shortcuts a rebuild takes around MkDocs give MkDocs' own answers.

Each shortcut replaces a general function with string work for the common case; these tests
compare the two over many inputs, so a shortcut that drifts from what it replaces fails.
"""

from __future__ import annotations

import itertools
import os
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mkdocs.structure.files import File

from limkb.commands.build import _count_pages
from limkb.incremental import CachedFile, HtmlCache
from limkb.site.urls import _relpath

_SEGMENTS = ["a", "b", "entries", ".", "", "x.html", "index.html", "..", "é"]


def _paths(length: int) -> list[str]:
    """Every site path of up to ``length`` segments drawn from :data:`_SEGMENTS`."""
    found = {"."}
    for size in range(1, length + 1):
        for parts in itertools.product(_SEGMENTS, repeat=size):
            path = "/".join(parts)
            if path and not path.startswith("/"):
                found.add(path)
    return sorted(found)


def test_relpath_is_posixpaths_without_the_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _paths(3)
    expected = {(p, s): posixpath.relpath(p, s) for p in paths for s in paths[::7]}

    def no_cwd() -> str:
        raise AssertionError("the working folder was asked for")

    for (path, start), rel in expected.items():
        if ".." in path.split("/") or ".." in start.split("/"):
            continue  # relpath's own answer, which asks for the working folder
        with monkeypatch.context() as patch:
            patch.setattr("os.getcwd", no_cwd)
            assert _relpath(path, start) == rel, (path, start)
    assert _relpath("../a", "b") == posixpath.relpath("../a", "b")


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize(
    "src",
    [
        "a.md",
        "entries/strategies/fec.md",
        "index.md",
        "x/index.md",
        "README.md",
        "x/README.md",
        "x/.md",
        "a b.md",
        "q/é.md",
        "%41.md",
        "x/~y.md",
        "x/y.markdown",
        "data/x.csv",
        "x/y.html",
    ],
)
def test_cached_files_have_mkdocs_destinations_and_urls(src: str, directory_urls: bool) -> None:
    for dest_uri in (None, "z/q.html", "z/index.html"):
        ours = CachedFile(src, "/docs", "/site", directory_urls, dest_uri=dest_uri)
        theirs = File(src, "/docs", "/site", directory_urls, dest_uri=dest_uri)
        assert (ours.dest_uri, ours.url, ours.abs_dest_path) == (
            theirs.dest_uri,
            theirs.url,
            theirs.abs_dest_path,
        )


def test_pages_are_counted_without_the_404_page_and_forwarders() -> None:
    files = [
        "index.html",
        "404.html",
        "id/fec.html",
        "id/fec/index.html",
        "x/id/y.html",
        "entries/fec/index.html",
        "data/kb.sqlite",
        "a.html.gz",
    ]
    assert _count_pages(files) == 3  # index.html, id/fec/index.html, entries/fec/index.html


def test_a_build_imports_numpy_only_when_it_computes() -> None:
    code = (
        "import sys, limkb.cli, limkb.commands.build, limkb.plugin, limkb.access, limkb.outputs, "
        "limkb.site.overview, limkb.analysis.correlations\n"
        "assert 'numpy' not in sys.modules, 'imported at start'\n"
        "from limkb.analysis import expressions as ex\n"
        "assert ex.FUNCTIONS['log10'](100.0) == 2.0 and 'numpy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "path", ["a.md", "x/y.md", "./x.md", "x//y.md", "x/./y.md", "x/.", "x/", "/abs/x.md", "x/../y.md", "."]
)
def test_cached_files_normalise_their_source_path_as_mkdocs(path: str) -> None:
    ours = CachedFile(path, "/docs", "/site", True)
    theirs = File(path, "/docs", "/site", True)
    assert (ours.src_uri, ours.src_path) == (theirs.src_uri, theirs.src_path)


def test_installed_theme_folders_are_listed_from_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import material
    from jinja2 import Environment, FileSystemLoader

    installed = str(Path(material.__file__).parent / "templates")
    own = tmp_path / "overrides"
    (own / "partials").mkdir(parents=True)
    (own / "partials" / "mine.html").write_text("x", encoding="utf-8")
    folders = [str(own), installed]
    expected = FileSystemLoader(folders).list_templates()

    first = HtmlCache(None, tmp_path / "new")
    env = Environment(loader=FileSystemLoader(folders))
    first.theme_files(env)
    assert env.list_templates() == expected
    assert len(first._themes) == 1  # the installed folder only: the user's is walked each time

    walked: list[str] = []
    real_walk = os.walk

    def walk(top: str, *args: Any, **kwargs: Any) -> Any:
        walked.append(str(top))
        return real_walk(top, *args, **kwargs)

    monkeypatch.setattr(os, "walk", walk)
    second = HtmlCache(None, tmp_path / "newer")
    second._previous = {"themes": first._themes}
    env = Environment(loader=FileSystemLoader(folders))
    second.theme_files(env)
    assert env.list_templates() == expected
    assert walked == [str(own)]
    assert second._themes == first._themes  # kept for the build after

    (own / "partials" / "new.html").write_text("y", encoding="utf-8")  # the user's folder changed
    stale = {key: [*names, "gone.css"] for key, names in first._themes.items()}
    third = HtmlCache(None, tmp_path / "newest")
    third._previous = {
        "themes": {key.replace(installed, installed + "-moved"): v for key, v in stale.items()}
    }
    env = Environment(loader=FileSystemLoader(folders))
    third.theme_files(env)
    assert env.list_templates() == sorted([*expected, "partials/new.html"])
