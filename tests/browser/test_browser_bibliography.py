"""The bibliography in Chromium: a long "Cited by" list is a count that opens from the keyboard,
its entries loaded only then, with nothing axe-core calls critical or serious once open."""

from __future__ import annotations

from typing import Any

import pytest
from sitekit import Site, Tab
from test_browser_a11y import _axe_script, _violations

pytestmark = pytest.mark.browser

MOST_CITED = "oyakhire2024interfacial"
"""A reference of the real kb/ cited by far more entries than the page writes out."""


def _open_most_cited(tab: Tab, site: Site) -> Any:
    """The bibliography filtered to the most cited reference, its list opened with Tab and Enter."""
    page = tab.open(site.base_url + "bibliography.html")
    page.wait_for_selector("div.limkb-bibliography[data-own-script='1']", state="attached")
    assert not any("cited-by-data.js" in url for url in tab.requests), "the lists load only when opened"
    page.locator("input.limkb-filter[data-table]").first.click()
    page.keyboard.type("Oyakhire and Bent", delay=10)
    summary = page.locator(f"tr#{MOST_CITED} details.limkb-cited > summary")
    for _ in range(12):  # past the sortable headers and the reference's links
        page.keyboard.press("Tab")
        if summary.evaluate("e => e === document.activeElement"):
            break
    assert summary.evaluate("e => e === document.activeElement"), "Tab never reaches the count"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"tr#{MOST_CITED} details.limkb-cited[data-filled='1']")
    return page


def test_a_long_list_opens_from_the_keyboard_with_every_citing_entry(tab: Tab, site: Site) -> None:
    page = _open_most_cited(tab, site)
    cell = page.locator(f"tr#{MOST_CITED} td").nth(1)
    count = int(cell.get_attribute("data-sort") or 0)
    assert count > 100 and cell.locator("summary").inner_text().strip() == f"{count} entries"
    links = cell.locator("details a")
    assert links.count() == count, links.all_inner_texts()[:5]
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith("entries/") and href.endswith(".html") for href in hrefs), hrefs[:5]
    response = page.request.get(site.base_url + hrefs[0])
    assert response.ok, hrefs[0]  # the links of the script are the built site's URLs
    page.keyboard.press("Enter")  # and closes again
    assert cell.locator("details").evaluate("d => !d.open")


def test_an_open_list_has_no_critical_or_serious_axe_violation(tab: Tab, site: Site) -> None:
    page = _open_most_cited(tab, site)
    found = _violations(page, _axe_script())
    assert not found, found
