"""A preview of a project built before starts warm: the last build's site is served at once,
the preview's own build runs in the background, and its pages take over when it is done."""

from __future__ import annotations

import gc
import http.server
import logging
import threading
import weakref
from pathlib import Path
from typing import Any

import pytest
from mkdocs.structure.pages import Page

from limkb.commands.build import build
from limkb.commands.preview import Preview
from previewkit import WAIT, Running, free_port
from sitefactory import write_project

PAGE = "/limkb/entries/strategies/fec-additive.html"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


def _serve(preview: Preview) -> tuple[http.server.ThreadingHTTPServer, Running]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), preview.handler())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, Running(preview, f"http://127.0.0.1:{server.server_address[1]}")


def test_the_last_build_is_served_while_the_preview_builds(project: Path, tmp_path: Path) -> None:
    build(project)
    preview = Preview(project, tmp_path / "out")
    warm = preview.warm_site()
    assert warm == project / "site"
    own_build, release = preview.build, threading.Event()

    def slow_build(*, dirty: bool = False) -> None:
        assert release.wait(WAIT)  # the build cannot finish before the first page is served
        own_build(dirty=dirty)

    preview.build = slow_build  # type: ignore[method-assign]
    watching = threading.Event()
    server, running = _serve(preview)
    try:
        thread = preview.start_warm(warm, watching.set)
        status, html = running.get(PAGE)
        assert status == 200 and "FEC additive" in html  # from the last build, at once
        assert '<script src="/__limkb__/live.js"></script>' in html
        assert running.state()["busy"] is True and not watching.is_set()
        version = running.state()["version"]
        release.set()
        thread.join(WAIT)
        assert preview.root == preview.out and watching.is_set()
        assert running.state()["version"] != version  # open pages reload onto the preview's own
        assert (preview.out / "entries/strategies/fec-additive.html").is_file()
        assert running.get(PAGE)[0] == 200
    finally:
        server.shutdown()
        server.server_close()
        preview.close()


def test_without_a_build_the_preview_builds_first(project: Path, tmp_path: Path) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        assert preview.warm_site() is None  # nothing built: the first page waits for the build
    finally:
        preview.close()


def test_a_site_without_limkb_s_build_cache_is_not_served(project: Path, tmp_path: Path) -> None:
    build(project)
    (project / "build" / "cache" / "seal").unlink()  # not made by limkb on this machine
    preview = Preview(project, tmp_path / "out")
    try:
        assert preview.warm_site() is None
    finally:
        preview.close()


def _count_built_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages MkDocs converts from here on (their sources), in order."""
    import mkdocs.commands.build as mkdocs_build

    built: list[str] = []
    original = mkdocs_build._build_page

    def counting(page: Any, *args: Any, **kwargs: Any) -> None:
        dirty = args[4] if len(args) > 4 else kwargs.get("dirty", False)
        if not dirty or page.file.is_modified():  # MkDocs skips the others in dirty mode
            built.append(page.file.src_uri)
        original(page, *args, **kwargs)

    monkeypatch.setattr(mkdocs_build, "_build_page", counting)
    return built


def _site_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_warm_start_takes_unchanged_pages_from_the_build_cache(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = Preview(project, tmp_path / "clean")
    try:
        clean.build()  # the preview's own site, every page built
    finally:
        clean.close()
    build(project)
    built = _count_built_pages(monkeypatch)
    preview = Preview(project, tmp_path / "out")
    try:
        preview.plugin.warm = preview.warm_start()
        assert preview.plugin.warm is not None
        preview.build()
        entry_pages = [p for p in built if p.startswith("entries/")]
        # only what the preview shows otherwise than the published site (no data downloads: the
        # dataset pages and the Downloads page) is built; every other page comes from the cache
        assert entry_pages and all(p.startswith("entries/datasets/") for p in entry_pages), entry_pages
        assert "entries/strategies/fec-additive.md" not in built and "downloads.md" in built
        assert _site_files(preview.out) == _site_files(clean.out)
        # an edit then rebuilds what it changes, and the site equals a fresh preview's of the same sources
        kb = project / "kb" / "strategies" / "fec-additive.yaml"
        kb.write_text(
            kb.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, warm"), encoding="utf-8"
        )
        built.clear()
        preview.refresh()
        assert "entries/strategies/fec-additive.md" in built and len(built) < 20, built
        fresh = Preview(project, tmp_path / "fresh")
        try:
            fresh.build()
        finally:
            fresh.close()
        assert "FEC additive, warm" in (preview.out / "entries/strategies/fec-additive.html").read_text(
            "utf-8"
        )
        assert _site_files(preview.out) == _site_files(fresh.out)
    finally:
        preview.close()


def test_a_warm_start_renders_only_the_dataset_pages_again(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build(project)
    preview = Preview(project, tmp_path / "out")
    try:
        preview.plugin.warm = preview.warm_start()
        with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.limkb"):
            preview.build()
        # the build's pages and pieces are reused: only the dataset page, which the build links
        # to its CSV download and the preview does not, is made again
        assert "rendered 1 entry pages anew, reused the others" in caplog.messages
        assert "Thickness and CE" in (preview.out / "entries/datasets/thickness-ce.html").read_text("utf-8")
    finally:
        preview.close()


def _pages_holding_text() -> list[str]:
    """The MkDocs pages alive in this process that still hold their Markdown or HTML."""
    gc.collect()
    return [o.file.src_uri for o in gc.get_objects() if isinstance(o, Page) and (o.markdown or o.content)]


def test_the_preview_lets_go_of_the_page_cache_and_of_converted_pages(project: Path, tmp_path: Path) -> None:
    build(project)
    preview = Preview(project, tmp_path / "out")
    try:
        warm = preview.warm_start()
        assert warm is not None
        cache = weakref.ref(warm.html_cache)
        preview.plugin.warm, warm = warm, None
        preview.build()
        gc.collect()
        assert cache() is None  # the last build's manifest and this build's keys are not kept
        assert _pages_holding_text() == []  # the pages converted (the dataset pages) hold no text
        kb = project / "kb" / "strategies" / "fec-additive.yaml"
        kb.write_text(kb.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, kept"), "utf-8")
        preview.refresh(edited=[kb])
        assert "FEC additive, kept" in (preview.out / "browse/strategies.html").read_text("utf-8")
        assert _pages_holding_text() == []  # nor do the edited page and the pages listing it
    finally:
        preview.close()
