"""Tables that fit, in Chromium at 1280 px and 390 px: wide tables scroll in their box with a hint
and a first column that stays, the bibliography reads as cards on a phone, the agenda filter
hides empty sections and lives in the URL, measurements are labelled by their property's name,
and the graph opens on a readable neighbourhood."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sitekit import Site, Tab

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_wide_dataset_table_scrolls_in_its_box_with_a_hint_and_a_sticky_first_column(
    tab: Tab, site: Site, screenshots: Callable[[Any, str], Path]
) -> None:
    page = tab.open(site.url_of("kim2023-li-cu-ce"))
    box = page.locator(".limkb-scroll:has(table.limkb-data)")
    page.wait_for_function("() => document.querySelector('.limkb-scroll.limkb-overflows')")
    assert "limkb-overflows" in (box.get_attribute("class") or "")
    hint = box.evaluate("b => getComputedStyle(b, '::before').content")
    assert "Scroll sideways" in hint
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 1280, "the page itself does not scroll sideways"
    first = box.locator("tbody tr").first.locator("td").first
    before = first.bounding_box()
    box.evaluate("b => { b.scrollLeft = 400; }")
    after = first.bounding_box()
    assert before and after and abs(before["x"] - after["x"]) < 2, "the first column stays in view"
    screenshots(page, "tables-dataset-1280")


def test_the_bibliography_is_cards_on_a_phone(
    phone: Any, site: Site, screenshots: Callable[[Any, str], Path]
) -> None:
    phone.goto(site.base_url + "bibliography.html", wait_until="load")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    row = phone.locator("table.limkb-bibliography-table tbody tr").first
    cells = row.locator("td")
    a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert a and b and b["y"] >= a["y"] + a["height"] - 1, "the cited-by cell sits below the reference"
    assert a["width"] > 300
    screenshots(phone, "tables-bibliography-390")


def test_the_agenda_filter_hides_empty_sections_and_lives_in_the_url(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "agenda.html")
    headings = page.locator(".md-content h3:visible").count()
    page.locator("button.limkb-chip[data-facet=techniques][data-value=cryo-tem]").click()
    assert "techniques=cryo-tem" in page.url
    questions = page.locator(".limkb-question:visible")
    assert questions.count() > 0
    for block in page.locator(".limkb-agenda").all():
        if block.is_visible():
            assert block.locator(".limkb-question:visible").count() > 0
    assert page.locator(".md-content h3:visible").count() < headings
    shown = questions.count()
    tab.open(page.url)
    assert page.locator("button.limkb-chip[aria-pressed=true]").count() == 1
    assert page.locator(".limkb-question:visible").count() == shown
    page.locator("button.limkb-chip-clear").click()
    assert "techniques=" not in page.url
    assert page.locator(".md-content h3:visible").count() == headings


def test_measurements_are_labelled_by_their_property(tab: Tab, site: Site) -> None:
    records = [
        node
        for node, data in site.nodes.items()
        if data["kind"] == "strategy"
        and (site.file_of(node).read_text(encoding="utf-8").count("limkb-records") > 0)
    ]
    assert records, "no strategy page lists measurements"
    page = tab.open(site.url_of(records[0]))
    text = page.locator(".limkb-records").inner_text()
    assert "_pct" not in text and "f_pct" not in text, text[:300]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_graph_opens_on_a_labelled_neighbourhood(
    browser: Any, site: Site, width: int, screenshots: Callable[[Any, str], Path]
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(site.base_url + "graph.html", wait_until="load")
        page.wait_for_function(
            "() => window.limkbExplorer && window.limkbExplorer.cy.nodes('.hub').length > 0"
        )
        hubs = page.evaluate("() => window.limkbExplorer.cy.nodes('.hub').length")
        assert 1 <= hubs <= 12
        zoom = page.evaluate("() => window.limkbExplorer.cy.zoom()")
        page.locator("#limkb-graph").scroll_into_view_if_needed()
        screenshots(page, f"tables-graph-{width}")
        page.locator(".limkb-graph-reset").click()
        whole = page.evaluate("() => window.limkbExplorer.cy.zoom()")
        assert zoom > whole, "the graph opens closer than the whole of it"
        assert "neighbours" in page.locator(".limkb-graph-status").inner_text()
    finally:
        context.close()


def test_the_correlations_table_scrolls_in_its_box_on_a_phone(
    phone: Any, site: Site, screenshots: Callable[[Any, str], Path]
) -> None:
    phone.goto(site.base_url + "correlations.html", wait_until="load")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390, (
        "the page does not scroll sideways"
    )
    table = phone.locator("#limkb-correlations-table")
    phone.wait_for_function("() => document.querySelector('#limkb-correlations-table.limkb-overflows')")
    assert table.get_attribute("tabindex") == "0", "the scrolling table can be scrolled from the keyboard"
    first = table.locator("tbody tr").first.locator("td, th").first
    before = first.bounding_box()
    table.evaluate("t => { t.scrollLeft = 300; }")
    after = first.bounding_box()
    assert before and after and abs(before["x"] - after["x"]) < 2, "the analysis column stays in view"
    table.scroll_into_view_if_needed()
    screenshots(phone, "tables-correlations-390")
