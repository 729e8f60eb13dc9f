"""Names are plain text everywhere: a Markdown link or raw HTML in any short field stays text.

Every kind's ``name``, a dataset's column description, its record labels and the locators of
sources carry a Markdown link to ``javascript:`` and a raw-HTML payload. Templates place these
values in Markdown context (headings, table cells, list items, link texts), where HTML escaping
alone does not neutralise Markdown syntax. The site is built, every page is opened in
chromium, and every link whose text holds the payload is clicked: none may run anything, and
the payload must still be shown as the text it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sitekit import Site, Tab, build_site, copy_project, serve
from test_browser_xss import PWNED_CHECK, live_payloads

from kbfactory import REF, REFERENCE, minimal, write_kb

pytestmark = pytest.mark.browser

LINK = "[Open the planted details](javascript:window.__pwned=1)"
IMAGE = "![x](javascript:window.__pwned=1)"
HTML = '<img src=x onerror="window.__pwned=1">'
MARK = "Open the planted details"


def _name(what: str) -> str:
    return f"{what} {LINK} {HTML}"


def _source(locator: str = "Table 1") -> list[dict[str, str]]:
    return [{"ref": REF, "locator": f"{locator} {LINK}"}]


def _kb_entries() -> dict[str, dict[str, Any]]:
    records = [
        {
            "label": f"{LINK} row {i}",
            "source": {"ref": REF, "locator": f"Row {i} {LINK}"},
            "x": x,
            "y": y,
            "cell": f"{LINK} {HTML}",
        }
        for i, (x, y) in enumerate([(1.0, 2.0), (2.0, 3.9), (3.0, 6.2), (4.0, 8.1), (5.0, 9.7)], start=1)
    ]
    entries: dict[str, dict[str, Any]] = {
        f"references/{REF}": {**REFERENCE, "title": _name("Reference title")},
        "strategies/evil-strategy": minimal(
            "strategy", name=_name("Strategy"), uses=["evil-material"], sources=_source()
        ),
        "materials/evil-material": minimal("material", name=_name("Material"), sources=_source()),
        "mechanisms/evil-mechanism": minimal("mechanism", name=_name("Mechanism"), sources=_source()),
        "species/evil-species": minimal("species", name=_name("Species"), sources=_source()),
        "properties/evil-x": minimal(
            "property", name=_name("Property x"), unit="nm", scope="sei", sources=_source()
        ),
        "properties/evil-y": minimal(
            "property", name=_name("Property y"), unit="nm", scope="sei", sources=_source()
        ),
        "techniques/evil-technique": minimal("technique", name=_name("Technique"), sources=_source()),
        "failure-modes/evil-failure": minimal("failure-mode", name=_name("Failure mode"), sources=_source()),
        "questions/evil-question": minimal(
            "question", name=_name("Question"), about=["evil-strategy"], sources=_source()
        ),
        "datasets/evil-dataset": minimal(
            "dataset",
            name=_name("Dataset"),
            sources=_source(),
            columns=[
                {"name": "cell", "type": "text", "description": f"Cell column {LINK} {HTML}"},
                {"name": "x", "property": "evil-x", "unit": "nm", "description": f"x column {LINK}"},
                {"name": "y", "property": "evil-y", "unit": "nm", "description": f"y column {LINK}"},
            ],
            records=records,
        ),
        "analyses/evil-analysis": minimal(
            "analysis",
            name=_name("Analysis"),
            x="evil-x",
            y="evil-y",
            datasets=["evil-dataset"],
            sources=_source("Fig. 1"),
            reported={"value": 0.99, "ref": REF, "locator": f"Fig. 1 {LINK}"},
        ),
    }
    return entries


@pytest.fixture(scope="module")
def markdown_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("markdown-injection")
    kb = write_kb(tmp / "source", _kb_entries())
    project = copy_project(tmp / "project", kb=kb)
    root = build_site(project)
    with serve(root) as base_url:
        yield Site(root=root, project=project, base_url=base_url)


ANCHORS = """(mark) => Array.from(document.querySelectorAll('a')).map((a, index) => ({
  index, text: a.textContent, href: a.getAttribute('href'), resolved: a.href,
  visible: a.getClientRects().length > 0 && getComputedStyle(a).visibility !== 'hidden',
})).filter(a => a.text.includes(mark))"""


def _pages_with_payload(site: Site) -> list[str]:
    urls = []
    for path in site.pages():
        # id/ holds forwarding pages (a meta refresh to the entry page): the entry pages are checked
        if path.parent.name in {"search", "assets", "id"} or path.name == "404.html":
            continue
        if MARK in path.read_text(encoding="utf-8"):
            urls.append(site.url_of_file(path))
    return urls


def test_payloads_reach_many_pages(markdown_site: Site) -> None:
    """The fixture is meaningful: the payload is shown on every entry page and the overviews."""
    urls = _pages_with_payload(markdown_site)
    joined = "\n".join(urls)
    for where in ("/correlations.html", "/bibliography.html", "/agenda.html", "/entries/", "/browse/"):
        assert where in joined, f"no page under {where} shows the payload:\n{joined}"
    assert len(urls) >= 15, joined


def test_no_payload_becomes_markup_and_every_payload_link_is_safe_to_click(
    tab: Tab, markdown_site: Site
) -> None:
    clicked: set[tuple[str, str]] = set()
    for url in _pages_with_payload(markdown_site):
        page = tab.open(url)
        found = page.evaluate(PWNED_CHECK)
        assert found == {"pwned": False, "scripts": 0, "handlers": 0, "javascript": 0}, f"{url}: {found}"
        assert page.locator("img[src='x']").count() == 0, url
        article = page.locator("article").inner_text()
        assert LINK in article, f"{url}: the name is not shown as written"
        for anchor in page.evaluate(ANCHORS, MARK):
            href = anchor["href"] or ""
            assert href and not href.strip().lower().startswith(("javascript:", "data:")), (url, anchor)
            key = (url.split("/")[3] if url.count("/") > 3 else "", href)
            if key in clicked or not anchor["visible"]:
                continue
            clicked.add(key)
            page = tab.open(url)
            page.locator("a").nth(anchor["index"]).click()
            page.wait_for_load_state("load")
            assert page.evaluate("() => typeof window.__pwned") == "undefined", (url, anchor)
            assert page.url.startswith(markdown_site.base_url), (url, anchor, page.url)
    assert clicked, "no link holding the payload was found to click"


def test_no_built_page_carries_a_payload_as_markup(markdown_site: Site) -> None:
    """Checked without a browser, by the same parser as the prose payload test."""
    offenders = live_payloads(markdown_site)
    assert not offenders, "\n".join(offenders)
