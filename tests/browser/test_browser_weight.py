"""No page of the site built from the real kb/ transfers more than 500 KB, apart from the graph.

A page's weight is what a cold load in Chromium transfers: its HTML and every local file it
loads — scripts, stylesheets, images, and on a comparison page the script that draws the table
and its data script (``data-script``), both added by the page's scripts. The sum over files is checked against Chromium's own network events on a
few pages, so the cheap measure over every page stays honest. Files a page asks for only on
demand (the search index, on the first key typed; an ``<img loading="lazy">``, fetched only
when scrolled near, like the correlation plots below their table) do not count. The weights of the heaviest
pages are written to ``build/page-weights.json``.
"""

from __future__ import annotations

import functools
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sitekit import REPO, Site, Tab

pytestmark = pytest.mark.browser

BUDGET = 500_000
"""Bytes a page may transfer (uncompressed), everything it loads on opening included."""
EXEMPT = frozenset({"graph.html"})
"""The graph explorer carries the whole graph and its drawing library; it has its own budget."""
CHECKED_IN_CHROMIUM = (
    "index.html",
    "compare/coulombic-efficiency.html",
    "coverage.html",
    "correlations.html",
)


class _Loads(HTMLParser):
    """The local files an HTML page loads when it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()
        self.lazy: set[str] = set()
        self.table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.found.add(found["src"] or "")
        elif tag == "link" and "stylesheet" in (found.get("rel") or "").split() and found.get("href"):
            self.found.add(found["href"] or "")
        elif tag == "img" and found.get("src"):
            (self.lazy if found.get("loading") == "lazy" else self.found).add(found["src"] or "")
        if found.get("data-script"):
            self.found.add(found["data-script"] or "")
        if found.get("id") == "limkb-compare":  # compare.js then loads the table's own script
            self.table = True


@functools.cache
def _size(path: Path) -> int:
    return path.stat().st_size


def _weight(site: Site, page: Path) -> tuple[int, dict[str, int]]:
    """The bytes ``page`` transfers when it opens: its own and each local file it loads."""
    parser = _Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    parts = {page.relative_to(site.root).as_posix(): _size(page)}
    if parser.table:
        parser.found |= {
            url[: -len("compare.js")] + "compare-table.js"
            for url in parser.found
            if url.endswith("/compare.js")
        }
    for url in parser.found:
        if "://" in url or url.startswith(("data:", "//")):
            continue
        target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
        if target.is_file():
            parts[url] = _size(target)
    return sum(parts.values()), parts


def _weights(site: Site) -> dict[str, int]:
    return {page.relative_to(site.root).as_posix(): _weight(site, page)[0] for page in site.pages()}


def test_no_page_but_the_graph_transfers_more_than_500_kb(site: Site) -> None:
    weights = _weights(site)
    heaviest = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:15])
    out = REPO / "build" / "page-weights.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(heaviest, indent=2) + "\n", encoding="utf-8")
    over = {path: weight for path, weight in weights.items() if weight > BUDGET and path not in EXEMPT}
    assert not over, f"pages over {BUDGET} bytes: {over}"
    compare = {path: weight for path, weight in weights.items() if path.startswith("compare/")}
    assert compare and max(compare.values()) <= BUDGET, compare


@pytest.mark.parametrize("path", CHECKED_IN_CHROMIUM)
def test_the_sum_over_files_is_what_chromium_transfers(browser: Any, site: Site, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    sizes: dict[str, int] = {}
    try:
        page = context.new_page()
        page.on(
            "requestfinished",
            lambda request: sizes.__setitem__(request.url, request.sizes()["responseBodySize"]),
        )
        page.goto(site.base_url + path, wait_until="networkidle")
    finally:
        context.close()
    # A lazy image the browser fetches because it lies near the first screen (a plot with its
    # width and height set, just below its table) is not part of the page's opening weight.
    parser = _Loads()
    parser.feed((site.root / path).read_text(encoding="utf-8"))
    lazy = {(site.root / path).parent.joinpath(src).resolve().as_uri() for src in parser.lazy}
    fetched_lazily = {url for url in sizes if "file://" not in url and _local_uri(site, url) in lazy}
    transferred = sum(
        size for url, size in sizes.items() if not url.endswith("favicon.png") and url not in fetched_lazily
    )
    counted, parts = _weight(site, site.root / path)
    assert abs(transferred - counted) <= 0.02 * counted, (transferred, counted, sorted(sizes), sorted(parts))


def _local_uri(site: Site, url: str) -> str:
    """The file:// URI of a URL the test server serves from the site folder."""
    relative = url[len(site.base_url) :].split("#")[0].split("?")[0] if url.startswith(site.base_url) else ""
    return (site.root / relative).resolve().as_uri()


def test_a_tab_records_no_problem_on_a_compare_page(tab: Tab, site: Site) -> None:
    """The comparison page loads its data script without an error (the weight above counts it)."""
    page = tab.open(site.base_url + "compare/coulombic-efficiency.html")
    page.wait_for_selector("#limkb-compare[data-ready='1']", state="attached")
    assert any(url.endswith("coulombic-efficiency-data.js") for url in tab.requests)
