"""Search as a reader words it: kinds in the query, several words, citing and downloading.

Each query must bring what it asks for into the list of the header's search box; the material
page of LiNO3 must say what LiNO3 is combined with.
"""

from __future__ import annotations

from typing import Any

import pytest
from sitekit import Site, Tab, search

pytestmark = pytest.mark.browser


def _hits(page: Any, query: str) -> list[dict[str, str]]:
    """The hits shown for ``query``: title, kind and href of each."""
    results = search(page, query)
    found: list[dict[str, str]] = results.evaluate_all(
        "links => links.map(a => ({href: a.href,"
        " title: a.querySelector('.limkb-search-title').textContent,"
        " kind: a.querySelector('.limkb-search-kind').textContent}))"
    )
    return found


def _count(page: Any) -> str:
    text: str = page.locator(".limkb-search-count").text_content() or ""
    return text


def test_correlation_finds_the_analyses(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    analyses = sum(1 for node in site.nodes.values() if node["kind"] == "analysis")
    hits = _hits(page, "correlation")
    assert hits[0]["href"].endswith("/correlations.html")
    shown = [h for h in hits if h["kind"] == "analysis"]
    assert len(shown) == min(analyses, 9), hits
    assert f"{analyses + 1} matches" in _count(page)


def test_several_words_rank_the_entries_holding_all_of_them_first(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    hits = _hits(page, "fluorine CE correlation")
    assert hits[0]["title"] == "CE vs SEI fluorine content", hits
    assert all(h["kind"] == "analysis" for h in hits)


def test_a_kind_word_keeps_that_kind_only(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url)
    hits = _hits(page, "cryo-TEM questions")
    assert len(hits) >= 3, hits
    assert all(h["kind"] == "question" for h in hits), hits
    linked = {h["href"].rsplit("/", 1)[-1] for h in hits}
    assert "linking-descriptors-to-sei-chemistry.html" in linked
    techniques = _hits(page, "techniques")
    assert techniques[0]["href"].endswith("/browse/techniques.html")
    assert sum(h["kind"] == "technique" for h in techniques) >= 5


@pytest.mark.parametrize("query", ["cite", "BibTeX", "download"])
def test_citing_and_downloading_are_found(tab: Tab, site: Site, query: str) -> None:
    page = tab.open(site.base_url)
    top = [h["href"].rsplit("/", 1)[-1] for h in _hits(page, query)[:4]]
    assert "downloads.html" in top, top


def test_a_material_page_says_what_it_is_combined_with(tab: Tab, site: Site, screenshots: Any) -> None:
    page = tab.open(site.base_url)
    search(page, "LiNO3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/entries/materials/lino3.html")
    block = page.locator(".limkb-combinations")
    text = block.inner_text()
    assert "Lithium nitrate (LiNO3) additive" in text
    assert "1,3-Dioxolane" in text and "1,2-Dimethoxyethane" in text
    assert "LiTFSI" in text
    block.scroll_into_view_if_needed()
    screenshots(page, "search-lino3-1280")
