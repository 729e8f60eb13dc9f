"""Helpers of the browser tests: build a site, serve it on 127.0.0.1, record what pages do.

The site is built with ``limkb build`` from a copy of this checkout's ``kb/``, ``mkdocs.yml``,
``docs/`` and ``CONTRIBUTING.md`` in a temporary folder, so the tests never touch the checkout's
own ``site/`` or ``build/``. It is served by :mod:`http.server` in a thread on a free port.

Chromium is Debian's (``/usr/bin/chromium``, or ``$LIMKB_CHROMIUM``), launched by Playwright:
Playwright's own browser downloads are not used. Without chromium the browser tests are skipped,
unless ``CI`` is set: CI must run them, so there they fail instead.

Every page a test opens as a :class:`Tab` records console errors, uncaught
exceptions, failed responses and every request; at teardown the test fails if a page logged an
error or asked any host but 127.0.0.1 for anything (requests to other hosts are also blocked).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))  # kbfactory, shared with the unit tests

CHROMIUM = Path(os.environ.get("LIMKB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces for "nothing leaves the machine": no name but the loopback resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PROJECT_FILES = ("kb", "mkdocs.yml", "docs", "CONTRIBUTING.md", "README.md", "CITATION.cff")
SCREENSHOTS = REPO / "build" / "screenshots"
TIMEOUT_MS = 20_000
BUILD_ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def require_chromium() -> None:
    """Skip (locally) or fail (with ``CI`` set) when chromium or Playwright is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright is not installed (pip install -e '.[test]')")
    if not missing:
        return
    reason = "browser tests need chromium: " + "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + " -- CI is set, so they must run", pytrace=False)
    pytest.skip(reason)


# ---- building -----------------------------------------------------------------------------------


def copy_project(dest: Path, *, kb: Path | None = None) -> Path:
    """Copy the checkout's project files (or ``kb`` instead of its kb/) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = kb if (name == "kb" and kb is not None) else REPO / name
        if source is None or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, dest / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, dest / name)
    return dest


@functools.cache
def _build_options() -> frozenset[str]:
    """The long options ``limkb build`` accepts (read from its --help)."""
    done = subprocess.run(
        [sys.executable, "-m", "limkb", "build", "--help"], capture_output=True, text=True, check=False
    )
    return frozenset(re.findall(r"--[a-z][a-z-]+", done.stdout))


def build_site(project: Path) -> Path:
    """Run ``limkb build`` in ``project``; return the site folder (fails the test on error)."""
    site, out = project / "site", project / "build"
    command = [sys.executable, "-m", "limkb", "build"]
    options = _build_options()
    if "--site-dir" in options:
        command += ["--site-dir", str(site)]
    if "--build-dir" in options:
        command += ["--build-dir", str(out)]
    env = {**os.environ, **BUILD_ENV}
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not (site / "index.html").exists():
        pytest.fail(
            f"`{' '.join(command[2:])}` in {project} exited {done.returncode}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}",
            pytrace=False,
        )
    return site


@dataclass(frozen=True)
class Site:
    """A built site: its folder, the graph data it ships and the URL it is served at."""

    root: Path
    project: Path
    base_url: str = ""

    @functools.cached_property
    def graph(self) -> dict[str, Any]:
        """``window.LIMKB_GRAPH`` as written into ``assets/limkb/graph-data.js``."""
        text = (self.root / "assets" / "limkb" / "graph-data.js").read_text(encoding="utf-8")
        start, end = text.index("{"), text.rindex("}")
        data: dict[str, Any] = json.loads(text[start : end + 1])
        return data

    @functools.cached_property
    def nodes(self) -> dict[str, dict[str, Any]]:
        return {node["id"]: node for node in self.graph["nodes"]}

    def url_of(self, entry_id: str) -> str:
        """The page URL of an entry (served)."""
        return self.base_url + built(self.nodes[entry_id]["url"])

    def file_of(self, entry_id: str) -> Path:
        """The built HTML file of an entry."""
        return page_file(self.root, built(self.nodes[entry_id]["url"]))

    def pages(self) -> list[Path]:
        """Every HTML page of the site, sorted."""
        return sorted(self.root.rglob("*.html"))

    def url_of_file(self, path: Path) -> str:
        rel = path.relative_to(self.root).as_posix()
        return self.base_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)

    def first_id(self, kind: str, preferred: tuple[str, ...] = ()) -> str:
        """``preferred[0]`` if the site has it (else the next one ...), else the first id of ``kind``."""
        for entry_id in preferred:
            if entry_id in self.nodes:
                return entry_id
        ids = sorted(i for i, n in self.nodes.items() if n["kind"] == kind)
        if not ids:
            pytest.fail(f"the site has no entry of kind {kind!r}", pytrace=False)
        return ids[0]


def built(path: str) -> str:
    """The site URL of a page path as the graph and search data give it (``entries/x/y.md``):
    the site is built with ``use_directory_urls: false``, so pages are ``.html`` files."""
    from limkb.site.urls import built_url

    return built_url(path, "file")


def page_file(root: Path, url: str) -> Path:
    """The file a site-relative URL is served from."""
    path = root / url.split("#")[0].split("?")[0]
    return path / "index.html" if url.endswith("/") or url == "" or path.is_dir() else path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection it no longer needs is not an error."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 on a free port in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---- pages ---------------------------------------------------------------------------------------


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (the test server, a file, inline data)."""
    parts = urlsplit(url)
    if parts.scheme in {"file", "data", "blob", "about"}:
        return True
    return parts.scheme in {"http", "https", "ws"} and parts.hostname == "127.0.0.1"


@dataclass
class Tab:
    """A browser page that records what could go wrong on it."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    allowed_errors: list[re.Pattern[str]] = field(default_factory=list)

    def open(self, url: str) -> Any:
        """Go to ``url`` and wait until it has loaded; fails on an HTTP error status."""
        self.visited.append(url)
        response = self.page.goto(url, wait_until="load")
        if response is not None and response.status >= 400:
            pytest.fail(f"{url} answered {response.status}", pytrace=False)
        return self.page

    def problems(self) -> list[str]:
        found = [f"request to another host: {url}" for url in self.requests if not is_local(url)]
        found += [
            f"console error: {text}"
            for text in self.errors
            if not any(pattern.search(text) for pattern in self.allowed_errors)
        ]
        return found


def search(page: Any, text: str) -> Any:
    """Type ``text`` into the header's search box; returns the locator of the result links.

    Keys are typed one by one, as a reader would; the results are read once they show ``text``'s
    ranking (the list is redrawn shortly after the last key).
    """
    box = page.locator("input.limkb-search-input")
    box.click()
    box.fill("")
    page.keyboard.type(text, delay=10)
    page.wait_for_function(
        "t => { const l = document.querySelector('.limkb-search-results');"
        " return l && !l.hidden && l.dataset.query === t; }",
        arg=text,
    )
    return page.locator(".limkb-search-results a.limkb-search-hit")


ASSETS = REPO / "src" / "limkb" / "site" / "assets"
"""limkb's own scripts and styles, as the site ships them."""


@contextlib.contextmanager
def fragment_page(
    browser: Any, html: str, *, assets: tuple[str, ...] = (), screenshot: str | None = None
) -> Iterator[Any]:
    """A page holding ``html`` alone (a rendered page's body, without MkDocs), with limkb's
    ``assets`` (styles and scripts by file name); the test fails if a script raised, and the
    page is saved as ``screenshot`` at the end when named."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content(f"<!doctype html><html lang=en><body>{html}</body></html>")
    for name in assets:
        text = (ASSETS / name).read_text(encoding="utf-8")
        if name.endswith(".css"):
            page.add_style_tag(content=text)
        else:
            page.add_script_tag(content=text)
    try:
        yield page
    finally:
        if screenshot is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=True)
        context.close()
    assert errors == []
