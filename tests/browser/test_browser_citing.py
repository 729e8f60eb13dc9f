"""Citing in Chromium: the "Cite" block of an entry, of a reference and of the home page, its
downloads, its copy button, and CITATION.cff served; the citation wraps on a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import Site, Tab

pytestmark = pytest.mark.browser


def _downloads(page: Any) -> dict[str, str]:
    """The Cite block's download links: label -> absolute href."""
    found: dict[str, str] = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.limkb-cite a[download]')]"
        ".map(a => [a.closest('p').textContent.split(':')[0].trim() + ' ' + a.textContent, a.href]))"
    )
    return found


def test_an_entry_offers_bibtex_ris_and_csl_json_for_itself_and_the_release(
    tab: Tab, site: Site, screenshots: Callable[[Any, str], Path]
) -> None:
    page = tab.open(site.url_of("fec-additive"))
    links = _downloads(page)
    for label in ("BibTeX", "RIS", "CSL-JSON"):
        assert f"This entry {label}" in links, links
        assert f"The knowledge base, this version {label}" in links, links
    bib = page.request.get(links["This entry BibTeX"]).text()
    assert bib.startswith("@misc{limkb-fec-additive,") and "fec-additive.html" in bib
    csl = page.request.get(links["This entry CSL-JSON"]).json()
    assert csl[0]["type"] == "dataset"
    with page.expect_download() as download:
        page.locator(".limkb-cite a[download]").first.click()
    assert download.value.suggested_filename == "fec-additive.bib"
    cff = page.locator(".limkb-cite a", has_text="CITATION.cff").get_attribute("href")
    assert cff is not None
    served = page.request.get(page.url.rsplit("/", 3)[0] + "/CITATION.cff")
    assert served.ok and "cff-version" in served.text()
    page.locator(".limkb-cite").scroll_into_view_if_needed()
    screenshots(page, "cite-entry-1280")


def test_the_copy_button_copies_the_citation(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url.rstrip("/"))
        page = context.new_page()
        page.goto(site.url_of("lif"), wait_until="load")
        page.locator("button.limkb-copy").click()
        page.wait_for_function("() => document.querySelector('button.limkb-copy').textContent !== 'Copy'")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.startswith("Lithium fluoride") and "limkb" in copied and "accessed 20" in copied
    finally:
        context.close()


def test_a_reference_offers_the_papers_own_record(tab: Tab, site: Site) -> None:
    page = tab.open(site.url_of("oyakhire2024interfacial"))
    links = _downloads(page)
    assert "The paper itself BibTeX" in links and "The paper itself RIS" in links, links
    bib = page.request.get(links["The paper itself BibTeX"]).text()
    assert "@article{oyakhire2024interfacial," in bib and "10.1039/d3ya00470h" in bib
    ris = page.request.get(links["The paper itself RIS"]).text()
    assert ris.startswith("TY  - JOUR") and "DO  - 10.1039/d3ya00470h" in ris


def test_papers_of_the_same_first_author_and_year_are_told_apart(tab: Tab, site: Site) -> None:
    page = tab.open(site.base_url + "bibliography.html")
    labels = page.locator(
        "table.limkb-bibliography-table tbody tr td:first-child a:first-child"
    ).all_inner_texts()
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_home_page_cites_the_release_and_nothing_is_cut(
    browser: Any, site: Site, width: int, screenshots: Callable[[Any, str], Path]
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(site.base_url, wait_until="load")
        block = page.locator(".limkb-cite")
        assert block.count() == 1
        assert "BibTeX" in block.inner_text() and "CITATION.cff" in block.inner_text()
        citation = page.locator("#limkb-citation-text")
        fits = citation.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        assert fits, "the citation is cut at the column edge"
        block.scroll_into_view_if_needed()
        screenshots(page, f"cite-home-{width}")
    finally:
        context.close()
