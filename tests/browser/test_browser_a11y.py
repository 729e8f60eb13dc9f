"""Accessibility in Chromium: axe-core on one page of each type, and a keyboard-only walk.

axe-core is the copy bundled by the PyPI package ``axe-playwright-python`` (its ``axe.min.js``),
injected into each page after it loaded; no other host is asked for anything. Every page type is
checked in the light scheme at 1280 px and at 390 px (a phone): a critical or serious violation
fails the test, with the rule, the impact, how many nodes and the first few selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import Site, Tab, search

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
FAILING_IMPACTS = ("critical", "serious")

ENTRY_PAGES = {
    "species": ("lif",),
    "strategy": ("atomic-layer-deposition", "fec-additive"),
    "material": ("lino3",),
    "mechanism": (),
    "property": ("coulombic-efficiency",),
    "technique": ("cryo-tem", "xps"),
    "failure-mode": ("delamination",),
    "question": (),
    "dataset": (),
    "analysis": ("ce-vs-sei-c-to-f",),
    "reference": ("oyakhire2024interfacial",),
}
OTHER_PAGES = (
    "index.html",
    "agenda.html",
    "correlations.html",
    "coverage.html",
    "compatibility.html",
    "bibliography.html",
    "graph.html",
    "downloads.html",
    "browse/index.html",
    "browse/strategies.html",
    "compare/index.html",
    "compare/coulombic-efficiency.html",
)


def _axe_script() -> str:
    """The axe-core script that ``axe-playwright-python`` ships."""
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _violations(page: Any, script: str) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the page as loaded, summarised."""
    page.evaluate(script)
    found: list[dict[str, Any]] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,"
        " targets: v.nodes.slice(0, 4).map(n => n.target.join(' '))})))"
    )
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def _page_urls(site: Site) -> dict[str, str]:
    """One URL per page type: the home page, one entry of each kind, and the overview pages."""
    urls = {path: site.base_url + path for path in OTHER_PAGES if (site.root / path).is_file()}
    for kind, preferred in ENTRY_PAGES.items():
        urls[kind] = site.url_of(site.first_id(kind, preferred))
    return urls


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_has_no_critical_or_serious_axe_violation(
    browser: Any, site: Site, width: int, screenshots: Callable[[Any, str], Path]
) -> None:
    script = _axe_script()
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme="light", service_workers="block"
    )
    try:
        page = context.new_page()
        report: dict[str, list[dict[str, Any]]] = {}
        for name, url in _page_urls(site).items():
            page.goto(url, wait_until="load")
            if name == "graph.html":
                page.wait_for_selector("#limkb-graph.limkb-graph-ready")
            screenshots(page, f"a11y-{name.replace('/', '-').removesuffix('.html')}-{width}")
            found = _violations(page, script)
            if name == "index.html":  # the search box, open on its list of hits
                search(page, "LiF")
                found += _violations(page, script)
            if found:
                report[name] = found
    finally:
        context.close()
    assert not report, "\n".join(
        f"{name}: {v['impact']} {v['id']} x{v['count']} ({v['help']}): {v['targets']}"
        for name, found in report.items()
        for v in found
    )


# ---- keyboard only -------------------------------------------------------------------------------


def _focused(page: Any) -> dict[str, Any]:
    """What has the focus: its tag, class, role and text."""
    found: dict[str, Any] = page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),"
        " cls: e.className || '', type: e.getAttribute('type') || '', role: e.getAttribute('role') || '', text: (e.textContent || '').trim(),"
        " id: e.id || ''}; }"
    )
    return found


def test_search_is_a_combobox_that_the_keyboard_drives(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    box = page.locator("input.limkb-search-input")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    results = search(page, "LiF")
    assert box.get_attribute("aria-expanded") == "true"
    options = page.locator("#limkb-search-results [role=option]")
    assert options.count() >= 3
    first_id = options.nth(0).get_attribute("id")
    assert first_id and box.get_attribute("aria-activedescendant") == first_id
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    third = options.nth(2)
    assert third.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == third.get_attribute("id")
    page.keyboard.press("ArrowUp")
    second = options.nth(1)
    assert second.get_attribute("aria-selected") == "true"
    target = results.nth(1).get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == target, "Enter opens the selected hit, not the first"
    results = search(page, "XPS")
    page.keyboard.press("Escape")
    assert page.locator("#limkb-search-results").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") in (None, "")


def test_tab_reaches_the_search_box_and_the_agenda_filters(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "agenda.html")
    for _ in range(40):
        page.keyboard.press("Tab")
        if "limkb-search-input" in _focused(page)["cls"]:
            break
    else:
        pytest.fail("Tab never reached the search box")
    for _ in range(200):
        page.keyboard.press("Tab")
        if "limkb-chip" in _focused(page)["cls"]:
            break
    else:
        pytest.fail("Tab never reached an agenda filter chip")
    shown_before = page.locator(".limkb-question:visible").count()
    page.keyboard.press("Enter")
    chip = page.locator("button.limkb-chip[aria-pressed=true]")
    assert chip.count() == 1
    assert page.locator(".limkb-question:visible").count() < shown_before
    page.keyboard.press("Space")
    assert page.locator("button.limkb-chip[aria-pressed=true]").count() == 0
    assert page.locator(".limkb-question:visible").count() == shown_before


def test_the_graph_page_is_usable_from_the_keyboard(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "graph.html")
    page.wait_for_selector("#limkb-graph.limkb-graph-ready")
    reached: list[dict[str, Any]] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = _focused(page)
        if page.evaluate("() => !!document.activeElement.closest('#limkb-graph')"):
            reached.append(focus)
        elif reached:
            break
    classes = " ".join(f["cls"] for f in reached)
    assert "limkb-graph-search" in classes, reached
    assert "limkb-graph-reset" in classes, reached
    assert any(f["type"] == "checkbox" for f in reached), "the kinds can be shown or hidden"
    box = page.locator(".limkb-graph-search")
    box.focus()
    page.keyboard.type("LiF", delay=10)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => /Lithium fluoride|LiF/.test(document.querySelector('.limkb-graph-info').textContent)"
    )
    link = page.locator(".limkb-graph-info a").first
    link.focus()
    assert _focused(page)["tag"] == "a"
