"""The reader's site in Chromium: search that finds, answers first, facets, light pages, offline.

The queries are those readers type; each must bring its intended entry into the first three
results of the header's search box, and the graph explorer's search must rank the same way.
What a page weighs and how soon it is ready are recorded in build/reader-metrics.json (the
weights, which do not depend on the machine, are also checked against the targets).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import REPO, Site, Tab, search

pytestmark = pytest.mark.browser

QUERIES = {
    "LiF": "entries/species/lif.html",
    "lithium fluoride": "entries/species/lif.html",
    "Li₂O": "entries/species/li2o.html",
    "Li2O": "entries/species/li2o.html",
    "FEC": "entries/strategies/fec-additive.html",
    "LiNO3": "entries/materials/lino3.html",
    "ALD": "entries/strategies/atomic-layer-deposition.html",
    "Al2O3": "entries/materials/al2o3.html",
    "XPS": "entries/techniques/xps.html",
    "cryo-TEM": "entries/techniques/cryo-tem.html",
    "LHCE": "entries/strategies/localized-high-concentration-electrolytes.html",
    "Coulombic efficiency": "entries/properties/coulombic-efficiency.html",
    "dendrite": "entries/failure-modes/dendrite-growth.html",
    "delamination": "entries/failure-modes/delamination.html",
    "3D copper": "entries/strategies/3d-copper-hosts.html",
    "TiO2": "entries/materials/tio2.html",
    "C/F": "entries/analyses/ce-vs-sei-c-to-f.html",
    "SEI thickness": "entries/properties/sei-thickness.html",
}

METRICS = REPO / "build" / "reader-metrics.json"

HOME_BUDGET = 500_000
"""Bytes the home page may transfer (uncompressed), everything it loads included."""


def _record(key: str, value: Any) -> None:
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    found = json.loads(METRICS.read_text(encoding="utf-8")) if METRICS.is_file() else {}
    found[key] = value
    METRICS.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _top(results: Any, n: int = 3) -> list[str]:
    hrefs: list[str] = results.evaluate_all(f"links => links.slice(0, {n}).map(a => a.href)")
    return hrefs


# ---- search ------------------------------------------------------------------------------------


def test_the_queries_readers_type_find_the_intended_entry_in_the_first_three(tab: Tab, site: Site) -> None:
    missing = [target for target in QUERIES.values() if not (site.root / target).is_file()]
    assert not missing, f"the site lacks pages the queries aim at: {missing}"
    page = tab.open(site.base_url)
    ranks: dict[str, int | None] = {}
    for query, target in QUERIES.items():
        top = _top(search(page, query))
        ranks[query] = next((i + 1 for i, href in enumerate(top) if href.endswith("/" + target)), None)
    _record("search_ranks", ranks)
    assert all(ranks.values()), {q: r for q, r in ranks.items() if r is None}
    assert ranks["LiF"] == 1 and ranks["XPS"] == 1 and ranks["ALD"] == 1


def test_search_results_are_readable_and_enter_opens_the_first(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    results = search(page, "LiF")
    first = results.first
    assert first.locator(".limkb-search-title").inner_text() == "Lithium fluoride (LiF)"
    assert first.locator(".limkb-search-kind").inner_text() == "species"
    snippet = first.locator(".limkb-search-snippet").inner_text()
    assert 20 < len(snippet) <= 160 and "review" not in snippet.split()[0].lower()
    page.locator("input.limkb-search-input").press("Enter")
    page.wait_for_url(re.compile(r".*/entries/species/lif\.html$"))


def test_the_index_holds_names_not_diagram_labels(site: Site) -> None:
    text = (site.root / "assets" / "limkb" / "search-index.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    by_path = {item["path"]: item for item in data["pages"]}
    lif = by_path["entries/species/lif.md"]
    assert "LiF" in lif["names"] and lif["kind"] == "species"
    assert "conferred by" not in text and "confersconfers" not in text
    # names and a short snippet per page, never page bodies: about 355 bytes a page today
    assert len(text) < 400 * len(data["pages"])


def test_the_graph_search_ranks_like_the_header(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "graph.html")
    page.wait_for_function("() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0")
    box = page.locator(".limkb-graph-search")
    # "LiF species": a word naming a kind keeps that kind, with the words the graph data carries
    for query, node in (
        ("LiF", "lif"),
        ("XPS", "xps"),
        ("dendrite", "dendrite-growth"),
        ("LiF species", "lif"),
    ):
        box.fill(query)
        box.press("Enter")
        page.wait_for_function("() => window.limkbExplorer.cy.$(':selected').length === 1")
        assert page.evaluate("() => window.limkbExplorer.cy.$(':selected').id()") == node, query


# ---- answers first -------------------------------------------------------------------------------


def test_an_entry_page_answers_before_its_prose_and_diagram(tab: Tab, site: Site) -> None:
    page = tab.open(site.url_of("fec-additive"))
    key = page.locator(".limkb-key")
    assert key.is_visible()
    text = key.inner_text()
    assert "forms" in text and "Lithium fluoride" in text and "improves" in text
    assert key.locator(".limkb-grade").count() >= 3
    top_of = "el => el.getBoundingClientRect().top + window.scrollY"
    key_top = key.evaluate(top_of)
    assert key_top < 700, "the key facts start below the first screen"
    assert key_top < page.locator(".limkb-prose").first.evaluate(top_of)
    pictures = page.locator("figure.limkb-picture")
    if pictures.count():
        assert key_top < pictures.first.evaluate(top_of)
        assert pictures.first.locator(".limkb-legend .limkb-swatch").count() >= 2


def test_a_crowded_entry_lists_its_neighbours_instead_of_drawing_them(tab: Tab, site: Site) -> None:
    page = tab.open(site.url_of("lif"))
    assert page.locator("figure.limkb-picture").count() == 0
    assert page.locator("dl.limkb-relation-list dt").count() >= 3


# ---- facets ----------------------------------------------------------------------------------------


def test_browse_tables_filter_by_what_rows_link_to(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "browse/strategies.html?q=LiF")
    shown = page.eval_on_selector_all(
        "#limkb-strategies tbody tr:not([hidden]) td:first-child a", "as => as.map(a => a.textContent)"
    )
    assert "Fluoroethylene carbonate (FEC) additive" in shown and "Fluorinated ether solvents" in shown
    page = tab.open(site.base_url + "browse/questions.html?q=xps")
    assert page.locator("#limkb-questions tbody tr:not([hidden])").count() >= 10


def test_agenda_chips_filter_the_questions(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "agenda.html")
    questions = page.locator(".limkb-question")
    total = questions.count()
    page.locator("button.limkb-chip[data-facet=techniques][data-value=xps]").click()
    visible = page.locator(".limkb-question:not([hidden])")
    with_xps = visible.count()
    assert 0 < with_xps < total
    assert all(
        "xps" in (visible.nth(i).get_attribute("data-techniques") or "").split() for i in range(with_xps)
    )
    page.locator("button.limkb-chip[data-facet=interface]").first.click()
    assert page.locator(".limkb-question:not([hidden])").count() <= with_xps
    page.locator("button.limkb-chip-clear").click()
    assert page.locator(".limkb-question:not([hidden])").count() == total


def test_landing_pages_exist_for_browse_and_entries(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "browse/index.html")
    assert page.locator(
        "article a[href$='browse/strategies.html'], article a[href='strategies.html']"
    ).count()
    page = tab.open(site.base_url + "entries/index.html")
    assert page.locator("article a.limkb-link").count() == len(site.nodes)


# ---- weight and speed ---------------------------------------------------------------------------


def test_the_home_page_is_light(tab: Tab, site: Site) -> None:
    sizes: dict[str, int] = {}
    tab.page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
    page = tab.open(site.base_url)
    page.wait_for_load_state("load")
    timing = page.evaluate(
        "() => { const t = performance.getEntriesByType('navigation')[0];"
        " return {dcl: t.domContentLoadedEventEnd - t.startTime, load: t.loadEventEnd - t.startTime}; }"
    )
    total = sum(sizes.values())
    _record("home", {"bytes": total, "requests": len(sizes), "ms": timing})
    assert total <= HOME_BUDGET, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert not any("search-index" in url or "cytoscape" in url or "graph-data" in url for url in sizes)


def test_the_graph_explorer_is_ready_soon(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "graph.html")
    page.wait_for_function("() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0")
    ready = page.evaluate("() => performance.now()")
    _record("graph_ready_ms", round(ready))
    placed = page.evaluate("() => window.limkbExplorer.cy.nodes().every(n => n.data('placed'))")
    assert placed, "the graph is not laid out at build time"


# ---- offline --------------------------------------------------------------------------------------


def test_search_and_links_work_from_file_urls(tab: Tab, site: Site) -> None:
    page = tab.open((site.root / "index.html").as_uri())
    results = search(page, "XPS")
    assert results.first.get_attribute("href").startswith("file://")
    results.first.click()
    page.wait_for_url(re.compile(r"^file://.*/entries/techniques/xps\.html$"))
    assert "X-ray photoelectron spectroscopy" in page.locator("h1").first.inner_text()
    page.locator("article a[href*='browse/']").first.click()
    # The click starts a navigation; wait for the browse page itself, not the page being left.
    page.wait_for_url(re.compile(r"^file://.*/browse/[a-z0-9-]+\.html$"))
    page.locator("table.limkb-sortable").first.wait_for()
    assert page.locator("table.limkb-sortable").count() == 1
    assert not tab.failed, tab.failed


# ---- citing -----------------------------------------------------------------------------------------


def test_pages_say_how_to_cite_and_where_to_edit(tab: Tab, site: Site) -> None:
    page = tab.open(site.url_of("fec-additive"))
    citation = page.locator(".limkb-citation").inner_text()
    assert "https://" in citation and "version" in citation and "accessed" in citation
    assert re.search(r"accessed \d{4}-\d{2}-\d{2}", citation), citation
    edit = page.locator("a.md-content__button[href*='/edit/']").first.get_attribute("href")
    assert edit.endswith("/kb/strategies/fec-additive.yaml")
    description = page.locator("meta[name=description]").get_attribute("content")
    assert description and description != page.evaluate("() => document.title")
    assert "CC BY 4.0" in page.locator(".md-footer").inner_text()


def test_the_dark_palette_toggles(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "correlations.html")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    before = page.evaluate(scheme)
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = page.evaluate(scheme)
    assert {before, after} == {"default", "slate"}
    if after == "slate":
        assert "invert" in page.locator("img.limkb-plot").first.evaluate("el => getComputedStyle(el).filter")


# ---- screenshots -------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_desktop_and_phone(
    tab: Tab, site: Site, screenshots: Callable[[Any, str], Path], width: int
) -> None:
    shots = {
        "home": site.base_url,
        "entry": site.url_of("fec-additive"),
        "agenda": site.base_url + "agenda.html",
        "correlations": site.base_url + "correlations.html",
        "dataset": site.url_of(site.first_id("dataset", ("sei-composition-vs-ce",))),
        "graph": site.base_url + "graph.html",
        "search": site.base_url,
    }
    tab.page.set_viewport_size({"width": width, "height": 900})
    for name, url in shots.items():
        page = tab.open(url)
        if name == "graph":
            page.wait_for_function("() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0")
        if name == "search":
            search(page, "LiF")
        path = screenshots(page, f"{name}-{width}")
        assert path.stat().st_size > 5000
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} at {width} px scrolls sideways by {overflow} px"


def test_a_dataset_header_sorts_and_its_property_link_sits_beside_it(tab: Tab, site: Site) -> None:
    page = tab.open(site.url_of(site.first_id("dataset", ("sei-composition-vs-ce",))))
    header = page.locator("table.limkb-data thead th").nth(1)
    link = header.locator("a.limkb-column-link")
    assert link.count() == 1 and link.get_attribute("href")
    url = page.url
    header.click(position={"x": 8, "y": 8})
    assert page.url == url, "clicking the header navigated"
    assert header.get_attribute("aria-sort") == "ascending"
