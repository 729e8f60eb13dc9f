"""The comparison tables and honest gaps in Chromium: filter, address, reload, CSV, phone.

Screenshots of each view at 1280 and 390 px go to build/screenshots/compare-*.png.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sitekit import SCREENSHOTS, Site, Tab

pytestmark = pytest.mark.browser

CE = "compare/coulombic-efficiency.html"


def _ready(page: Any) -> None:
    page.wait_for_selector("#limkb-compare[data-ready='1']")


def _visible_rows(page: Any) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('#limkb-compare-table tbody tr'))
             .map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))"""
    )
    return rows


def _shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"compare-{name}.png"), full_page=False)


def test_filter_lives_in_the_address_and_survives_a_reload(site: Site, tab: Tab) -> None:
    page = tab.open(site.base_url + CE)
    _ready(page)
    everything = _visible_rows(page)
    assert len(everything) > 20
    page.select_option("#limkb-compare-cell", "Li||Cu")
    page.select_option("#limkb-compare-family", "electrolyte-engineering")
    page.click("th[data-key='value'] button")
    page.click("th[data-key='value'] button")  # descending
    filtered = _visible_rows(page)
    assert 0 < len(filtered) < len(everything)
    assert all(row[3].startswith("Li||Cu") for row in filtered)
    url = page.url
    assert "cell=Li%7C%7CCu" in url and "family=electrolyte-engineering" in url and "sort=value-desc" in url
    _shoot(page, "ce-filtered-1280")
    page.reload()
    _ready(page)
    assert _visible_rows(page) == filtered
    assert page.input_value("#limkb-compare-cell") == "Li||Cu"
    assert page.get_attribute("th[data-key='value']", "aria-sort") == "descending"


def test_download_gives_exactly_the_rows_shown(site: Site, tab: Tab) -> None:
    page = tab.open(site.base_url + CE + "?strategy=localized-high-concentration-electrolytes")
    _ready(page)
    shown = _visible_rows(page)
    assert shown and all("LHCE" in r[0] or "high-concentration" in r[0].lower() for r in shown)
    with page.expect_download() as info:
        page.click("a.limkb-compare-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["value"] for r in rows] == [r[1].splitlines()[0] for r in shown]
    assert [r["strategy"] for r in rows] == [r[0] for r in shown]
    assert all(r["source"] for r in rows)


def test_strategy_page_links_its_rows_and_lhce_improves_ce(site: Site, tab: Tab) -> None:
    page = tab.open(site.url_of("localized-high-concentration-electrolytes"))
    link = page.locator(".limkb-compare-links a", has_text="Coulombic efficiency").first
    link.click()
    _ready(page)
    assert "strategy=localized-high-concentration-electrolytes" in page.url
    values = [r[1] for r in _visible_rows(page)]
    assert any(v.startswith("99.") for v in values), values
    page = tab.open(site.base_url + "browse/strategies.html")
    for name in ("LHCE", "eakly"):
        row = page.locator("table#limkb-strategies tbody tr", has_text=name).first
        assert "Coulombic efficiency" in row.inner_text()


def test_gaps_say_none_recorded(site: Site, tab: Tab) -> None:
    page = tab.open(site.url_of("3d-copper-hosts"))
    gap = page.locator(".limkb-gaps dt", has_text="characterised by").first
    assert gap.is_visible()
    text = page.locator(".limkb-gaps").inner_text()
    assert "none recorded" in text and "characterised_by" in text
    _shoot(page, "gaps-1280")


def test_coverage_counts_findings_and_follows_the_filter(site: Site, tab: Tab) -> None:
    page = tab.open(site.base_url + "coverage.html")
    row = page.locator("#limkb-coverage tbody tr", has_text="TiO").filter(has_text="copper").first
    assert int(row.locator("td").last.inner_text()) > 0
    total = page.locator("tfoot td[data-summary-column]").evaluate_all("c => c.map(x => +x.textContent)")
    page.fill("input.limkb-filter[data-table='limkb-coverage']", "ALD TiO2")
    after = page.locator("tfoot td[data-summary-column]").evaluate_all("c => c.map(x => +x.textContent)")
    assert sum(after) < sum(total) and sum(after) > 0
    _shoot(page, "coverage-1280")


@pytest.mark.parametrize("path", [CE, "coverage.html"])
def test_phone_width_reads(site: Site, browser: Any, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(site.base_url + path, wait_until="load")
        if path == CE:
            _ready(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 400
        else:
            assert page.locator("#limkb-coverage-list").is_visible()
            assert not page.locator(".limkb-coverage-wrap").is_visible()
        _shoot(page, path.replace("/", "-").replace(".html", "") + "-390")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(
    "path",
    [
        "compare/index.html",
        CE + "?cell=Li%7C%7CCu",
        "coverage.html",
        "entries/strategies/3d-copper-hosts.html",
    ],
)
def test_no_serious_axe_violation_in_what_these_pages_add(
    site: Site, browser: Any, path: str, width: int
) -> None:
    """axe-core on the comparison, coverage and gap parts of the pages; the header's search box,
    the footer and the rest of an entry page are checked by the site-wide accessibility tests."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(site.base_url + path, wait_until="load")
        if path.startswith(CE):
            _ready(page)
        include = [
            [s]
            for s in (
                ".limkb-compare-page",
                "#limkb-compare-families",
                ".limkb-gaps",
                ".limkb-compare-links",
                "#limkb-coverage",
                "#limkb-coverage-list",
            )
            if page.locator(s).count()
        ]
        assert include, path
        found = axe_module.Axe().run(page, context={"include": include})
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in found.response["violations"]
            if v["impact"] in ("critical", "serious")
        ]
        assert serious == [], serious
    finally:
        context.close()
