"""The built site in a real browser: pages, search, plots, graph explorer, tables, offline use.

Each test opens pages through the ``tab`` fixture, which fails the test if any page logs a
console error or requests anything from a host other than 127.0.0.1.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import Site, Tab, is_local, search

pytestmark = pytest.mark.browser

PAGES = {
    "agenda": "agenda.html",
    "correlations": "correlations.html",
    "compatibility": "compatibility.html",
    "graph": "graph.html",
}

CANVAS_INK = """() => {
  const canvases = Array.from(document.querySelectorAll('#limkb-graph canvas'));
  let ink = 0;
  for (const c of canvases) {
    if (!c.width || !c.height) continue;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) ink++;
  }
  return {canvases: canvases.length, ink: ink};
}"""

VISIBLE_NODES = "() => window.limkbExplorer.cy.nodes().filter(n => n.visible()).length"


def _page(site: Site, key: str) -> str:
    path = site.root / PAGES[key]
    assert path.is_file(), f"the site has no {PAGES[key]} page"
    return site.base_url + PAGES[key]


def _wait_for_graph(page: Any) -> int:
    page.wait_for_function("() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0")
    count: int = page.evaluate("() => window.limkbExplorer.cy.nodes().length")
    return count


def _show_every_kind(page: Any) -> int:
    """Tick every kind (references start hidden and join the drawing when ticked)."""
    for box in page.locator(".limkb-graph-legend input[type=checkbox]").all():
        box.check()
    page.wait_for_function("() => window.limkbExplorer.waiting() === 0")
    count: int = page.evaluate("() => window.limkbExplorer.cy.nodes().length")
    return count


def _kind_counts(site: Site) -> Counter[str]:
    return Counter(node["kind"] for node in site.graph["nodes"])


# ---- pages ----------------------------------------------------------------------------------------


def test_home_page_shows_title_and_counts_by_kind(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    assert "limkb" in page.title().lower()
    assert page.locator("h1").first.is_visible()
    text = page.locator("article").inner_text()
    for kind, count in _kind_counts(site).items():
        assert re.search(rf"\b{count}\b", text), f"home page does not show the {count} entries of kind {kind}"


def test_entry_page_shows_summary_relations_and_sources(tab: Tab, site: Site) -> None:
    entry_id = site.first_id("species", ("lif",))
    page = tab.open(site.url_of(entry_id))
    name = site.nodes[entry_id]["name"]
    assert name in page.locator("h1").first.inner_text()
    article = page.locator("article")
    assert article.locator(".limkb-prose").first.inner_text().strip(), "no summary prose"
    neighbours = {e["target"] for e in site.graph["edges"] if e["source"] == entry_id}
    neighbours |= {e["source"] for e in site.graph["edges"] if e["target"] == entry_id}
    assert neighbours, f"{entry_id} has no relation in the graph data"
    hrefs = page.eval_on_selector_all("article a[href]", "as => as.map(a => a.href)")
    linked = {n for n in neighbours if site.url_of(n) in hrefs}
    assert linked, f"the page of {entry_id} links none of its neighbours {sorted(neighbours)[:5]}"
    references = [url for url in hrefs if "/entries/references/" in url]
    assert references, "the entry page cites no reference"
    sources = article.locator(".limkb-sources")
    assert sources.count() and sources.first.is_visible()


def test_search_finds_lif(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    results = search(page, "LiF")
    assert results.count() > 0
    assert results.first.get_attribute("href").endswith("entries/species/lif.html")


def test_correlation_page_shows_its_plot(tab: Tab, site: Site) -> None:
    analysis_id = site.first_id("analysis", ("ce-vs-sei-fluorine",))
    page = tab.open(site.url_of(analysis_id))
    plot = page.locator("article img.limkb-plot, article .limkb-plot svg, article .limkb-plot img").first
    plot.wait_for(state="visible")
    page.wait_for_function(
        "img => img.tagName !== 'IMG' || (img.complete && img.naturalWidth > 0)", arg=plot.element_handle()
    )
    box = plot.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box


def test_correlations_overview_loads_every_plot(tab: Tab, site: Site) -> None:
    page = tab.open(_page(site, "correlations"))
    lazy = page.locator("article img[loading='lazy']")
    assert lazy.count() > 0, "the plots below the table load only when scrolled near"
    for i in range(lazy.count()):  # scrolling brings each lazy plot in
        lazy.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('article img')].every(i => i.complete)", timeout=10_000
    )
    broken = page.eval_on_selector_all(
        "article img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken}"


# ---- graph explorer ---------------------------------------------------------------------------------


def test_graph_explorer_draws_every_node(tab: Tab, site: Site) -> None:
    page = tab.open(_page(site, "graph"))
    hidden = sum(1 for node in site.nodes.values() if node["kind"] == "reference")
    assert _wait_for_graph(page) == len(site.nodes) - hidden  # references start hidden, not yet drawn
    assert _show_every_kind(page) == len(site.nodes)
    edges = page.evaluate("() => window.limkbExplorer.cy.edges().length")
    assert edges == len(site.graph["edges"])
    ink = page.evaluate(CANVAS_INK)
    assert ink["canvases"] > 0 and ink["ink"] > 1000, f"the graph canvas looks blank: {ink}"
    legend = page.locator(".limkb-graph-legend input[type=checkbox]")
    assert legend.count() == len(_kind_counts(site))


def test_graph_kind_filter_hides_and_restores_a_kind(tab: Tab, site: Site) -> None:
    page = tab.open(_page(site, "graph"))
    _wait_for_graph(page)
    total = _show_every_kind(page)
    kind, count = _kind_counts(site).most_common(1)[0]
    box = page.locator(f".limkb-graph-legend input[data-kind='{kind}']")
    box.uncheck()
    # The explorer applies a filter on the change event; wait for it rather than sampling once.
    page.wait_for_function(f"() => ({VISIBLE_NODES})() === {total - count}", timeout=5000)
    assert page.evaluate(VISIBLE_NODES) == total - count
    hidden_kinds = page.evaluate(
        "() => window.limkbExplorer.cy.nodes().filter(n => !n.visible()).map(n => n.data('kind'))"
    )
    assert set(hidden_kinds) == {kind}
    box.check()
    page.wait_for_function(f"() => ({VISIBLE_NODES})() === {total}", timeout=5000)
    assert page.evaluate(VISIBLE_NODES) == total


def test_graph_search_highlights_centres_and_links_an_entry(tab: Tab, site: Site) -> None:
    entry_id = site.first_id("species", ("lif",))
    name = site.nodes[entry_id]["name"]
    page = tab.open(_page(site, "graph"))
    _wait_for_graph(page)
    search = page.locator(".limkb-graph-search")
    search.fill(name)
    search.press("Enter")
    matches = page.evaluate("() => window.limkbExplorer.cy.nodes('.match').map(n => n.id())")
    assert entry_id in matches
    page.wait_for_function(
        """id => { const cy = window.limkbExplorer.cy; const p = cy.$id(id).renderedPosition();
                   return !cy.animated() && p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height(); }""",
        arg=entry_id,
    )
    info = page.locator(".limkb-graph-info")
    assert name in info.inner_text()
    assert site.nodes[entry_id]["kind"].replace("-", " ") in info.inner_text()
    link = info.locator("a.limkb-graph-link")
    assert link.get_attribute("href") == site.url_of(entry_id)
    link.click()
    page.wait_for_url(site.url_of(entry_id))
    assert name in page.locator("h1").first.inner_text()


PICK_EDGE = """() => {
  // The edge whose midpoint lies farthest from every node, centred at zoom 1: a mouse put on
  // that midpoint can only hit the edge.
  const cy = window.limkbExplorer.cy;
  const clearance = e => { const m = e.midpoint();
    return Math.min(...cy.nodes().map(n => Math.hypot(n.position('x') - m.x, n.position('y') - m.y))); };
  // references start hidden: only edges between shown nodes have a midpoint on the canvas
  const edge = cy.edges().filter(e => !e.isLoop() && e.parallelEdges().length === 1 && e.visible()
                                  && Number.isFinite(e.midpoint().x))
                 .sort((a, b) => clearance(b) - clearance(a))[0];
  cy.zoom(1);
  cy.center(edge);
  return {id: edge.id(), source: edge.source().id(), relation: edge.data('relation')};
}"""


def test_graph_click_on_a_node_and_hover_on_an_edge(tab: Tab, site: Site) -> None:
    page = tab.open(_page(site, "graph"))
    _wait_for_graph(page)
    page.locator(".limkb-graph-canvas").evaluate("e => e.scrollIntoView({block: 'end'})")
    canvas = page.locator(".limkb-graph-canvas").bounding_box()
    assert canvas is not None and canvas["y"] >= 0 and canvas["y"] + canvas["height"] <= 902, canvas
    # edge midpoints are computed with the edges' extent (the layout comes from the build)
    page.evaluate("() => window.limkbExplorer.cy.edges(':visible').boundingBox()")
    edge = page.evaluate(PICK_EDGE)
    midpoint = page.evaluate("id => window.limkbExplorer.cy.$id(id).renderedMidpoint()", edge["id"])
    page.mouse.move(canvas["x"] + midpoint["x"], canvas["y"] + midpoint["y"], steps=4)
    page.wait_for_function("() => document.querySelector('.limkb-graph-canvas').title !== ''")
    title = page.locator(".limkb-graph-canvas").get_attribute("title") or ""
    assert f" {edge['relation']} " in title, title
    assert page.evaluate("id => window.limkbExplorer.cy.$id(id).hasClass('hover')", edge["id"])

    point = page.evaluate("id => window.limkbExplorer.cy.$id(id).renderedPosition()", edge["source"])
    page.mouse.click(canvas["x"] + point["x"], canvas["y"] + point["y"])
    assert site.nodes[edge["source"]]["name"] in page.locator(".limkb-graph-info").inner_text()


def test_graph_page_works_from_a_file_url(tab: Tab, site: Site) -> None:
    page = tab.open((site.root / "graph.html").as_uri())
    _wait_for_graph(page)
    assert _show_every_kind(page) == len(site.nodes)
    assert page.evaluate(CANVAS_INK)["ink"] > 1000
    entry_id = site.first_id("species", ("lif",))
    url = page.evaluate("url => window.limkbExplorer.pageUrl(url)", site.nodes[entry_id]["url"])
    assert url.startswith("file://") and url.endswith(f"/{entry_id}.html")
    assert Path(url.removeprefix("file://")) == site.file_of(entry_id)
    assert not tab.failed, tab.failed


# ---- tables ---------------------------------------------------------------------------------------------


def _column(page: Any, table: str, index: int) -> list[str]:
    values: list[str] = page.eval_on_selector_all(
        f"{table} tbody tr",
        f"rows => rows.map(r => (r.cells[{index}] || {{}}).textContent || '').map(t => t.trim())",
    )
    return values


def _find_page_with(site: Site, marker: str) -> Path:
    for path in site.pages():
        if marker in path.read_text(encoding="utf-8"):
            return path
    pytest.fail(f"no page of the site contains {marker!r}", pytrace=False)


def test_sortable_index_table_sorts_and_filters(tab: Tab, site: Site) -> None:
    path = site.root / "browse" / "species.html"
    if not path.is_file():
        path = _find_page_with(site, 'class="limkb-sortable')
    page = tab.open(site.url_of_file(path))
    table = page.locator("table.limkb-sortable").first
    table_id = table.get_attribute("id")
    assert table_id, "a sortable table needs an id for its filter"
    selector = f"table#{table_id}"
    before = _column(page, selector, 0)
    assert len(before) > 2
    header = table.locator("thead th").first
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = _column(page, selector, 0)
    assert sorted(ascending) == sorted(before)
    assert ascending[0].casefold() <= ascending[-1].casefold()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    descending = _column(page, selector, 0)
    assert sorted(descending) == sorted(before)
    assert descending[0] == ascending[-1] and descending[-1] == ascending[0]

    box = page.locator(f"input.limkb-filter[data-table='{table_id}']")
    assert box.count() == 1, "the sortable table has no filter input"
    word = ascending[len(ascending) // 2].split()[0]
    box.fill(word)
    shown = page.eval_on_selector_all(
        f"{selector} tbody tr:not([hidden])",
        "rows => rows.map(r => r.textContent + ' ' + (r.getAttribute('data-terms') || ''))",
    )
    assert 0 < len(shown) < len(before)
    assert all(word.casefold() in row.casefold() for row in shown)
    box.fill("zzz-no-such-text-qq")
    assert page.locator(f"{selector} tbody tr:not([hidden])").count() == 0
    box.fill("")
    assert page.locator(f"{selector} tbody tr:not([hidden])").count() == len(before)


SORT_PAGE = """<!doctype html><meta charset="utf-8"><title>t</title>
<input class="limkb-filter" data-table="t"><span data-count-for="t"></span>
<table id="t" class="limkb-sortable"><thead><tr><th>name</th><th>value</th><th>note</th></tr></thead><tbody>
<tr><td>Li10</td><td>100</td><td></td></tr><tr><td>li2o</td><td>99.1 %</td><td></td></tr>
<tr><td>LiF</td><td>\u22125</td><td></td></tr><tr><td>Abc</td><td></td><td>Li₂O-rich</td></tr>
<tr><td>Li3N</td><td>1,200</td><td></td></tr><tr><td>Zn</td><td>12</td><td></td></tr>
</tbody></table><script src="ASSETS/tables.js"></script>"""


def test_table_sorting_is_numeric_aware_and_keeps_empty_cells_last(
    tab: Tab, site: Site, tmp_path: Path
) -> None:
    html = tmp_path / "sort.html"
    html.write_text(SORT_PAGE.replace("ASSETS", (site.root / "assets" / "limkb").as_uri()), encoding="utf-8")
    page = tab.open(html.as_uri())
    page.locator("th", has_text="value").click()
    assert _column(page, "#t", 1) == ["\u22125", "12", "99.1 %", "100", "1,200", ""]
    page.locator("th", has_text="value").click()
    assert _column(page, "#t", 1) == ["1,200", "100", "99.1 %", "12", "\u22125", ""]
    page.locator("th", has_text="name").click()
    assert _column(page, "#t", 0) == ["Abc", "li2o", "Li3N", "Li10", "LiF", "Zn"]
    page.locator("input.limkb-filter").fill("LI2O")
    shown = page.eval_on_selector_all(
        "#t tbody tr:not([hidden])", "rs => rs.map(r => r.cells[0].textContent)"
    )
    assert shown == ["Abc", "li2o"]  # "Li₂O-rich" matches too: subscripts are folded
    assert page.locator("[data-count-for=t]").inner_text() == "2 of 6 rows"


# ---- every page: errors, requests, links ---------------------------------------------------------------


def _sample(site: Site) -> list[str]:
    """Home, every top-level page, every index page and one entry of each kind."""
    urls = [site.base_url]
    for path in sorted(site.root.glob("*.html")) + sorted(site.root.glob("browse/*.html")):
        if path.name not in {"index.html", "404.html"}:
            urls.append(site.url_of_file(path))
    for kind in sorted(_kind_counts(site)):
        urls.append(site.url_of(site.first_id(kind)))
    return urls


def test_sample_pages_load_cleanly_and_their_links_answer(tab: Tab, site: Site) -> None:
    seen: set[str] = set()
    broken: list[str] = []
    for url in _sample(site):
        page = tab.open(url)
        targets = page.eval_on_selector_all(
            "[href], [src]",
            "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)",
        )
        for target in targets:
            target = target.split("#")[0]
            if not target.startswith(site.base_url) or target in seen:
                continue
            seen.add(target)
            try:
                with urllib.request.urlopen(target, timeout=10) as response:
                    ok = response.status == 200
            except OSError as error:
                ok = False
                target = f"{target} ({error})"
            if not ok:
                broken.append(f"{url} -> {target}")
    assert len(tab.visited) > 10
    assert len(seen) > 20
    assert not broken, "\n".join(broken)
    assert all(is_local(r) for r in tab.requests)


def test_pages_without_widgets_stay_quiet(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    assert page.evaluate("() => typeof window.cytoscape") == "undefined"  # loaded on the graph page only
    assert page.evaluate("() => window.LIMKB_GRAPH === undefined")
    assert page.evaluate("() => window.limkbExplorer === undefined")
    assert not any("cytoscape" in r or "graph-data" in r for r in tab.requests)
    assert page.locator("#limkb-graph").count() == 0


# ---- screenshots ----------------------------------------------------------------------------------------


def test_screenshots(tab: Tab, site: Site, screenshots: Callable[[Any, str], Path]) -> None:
    shots = {
        "home": site.base_url,
        "entry": site.url_of(site.first_id("strategy", ("fec-additive",))),
        "agenda": _page(site, "agenda"),
        "correlations": _page(site, "correlations"),
        "compatibility": _page(site, "compatibility"),
        "graph": _page(site, "graph"),
    }
    for name, url in shots.items():
        page = tab.open(url)
        if name == "graph":
            _wait_for_graph(page)
            page.locator("#limkb-graph").scroll_into_view_if_needed()
        path = screenshots(page, name)
        assert path.stat().st_size > 5000
