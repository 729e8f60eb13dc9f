"""Entry text is data: markup, script, links and template syntax in it never run in the browser.

A tiny knowledge base whose names and prose carry the usual injection attempts is built into a
site; its pages are opened in chromium and must neither run any of it nor lose the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from sitekit import Site, Tab, build_site, copy_project, search, serve

from kbfactory import SOURCE, minimal, write_kb

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
PAYLOAD = "\n\n".join(
    [
        f"Plain words {SCRIPT} and {IMG} inline.",
        SCRIPT,
        IMG,
        "A [harmless-looking link](javascript:window.__pwned=1) here.",
        'An attribute list {: onclick="window.__pwned=1"}',
        "Template braces {{ 7*7 }} and {% raw %} stay text.",
    ]
)
NAME = f"Evil strategy {SCRIPT} {{{{ 7*7 }}}}"

PWNED_CHECK = """() => ({
  pwned: typeof window.__pwned !== 'undefined',
  scripts: Array.from(document.scripts).filter(s => s.textContent.includes('__pwned')).length,
  handlers: Array.from(document.querySelectorAll('*')).filter(
      e => Array.from(e.attributes).some(a => a.name.startsWith('on') && a.value.includes('__pwned'))).length,
  javascript: Array.from(document.querySelectorAll('[href],[src]')).filter(
      e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
})"""


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A site built from a KB whose prose and names try to inject markup."""
    tmp = tmp_path_factory.mktemp("evil")
    kb = write_kb(
        tmp / "source",
        {
            "strategies/evil-strategy": minimal(
                "strategy", name=NAME, summary=PAYLOAD, aliases=[IMG], uses=["evil-material"]
            ),
            "materials/evil-material": minimal("material", name=f"Material {IMG}", summary=PAYLOAD),
            "questions/evil-question": minimal(
                "question", name=f"Question {SCRIPT}", text=PAYLOAD, about=["evil-strategy"], sources=SOURCE
            ),
        },
    )
    project = copy_project(tmp / "project", kb=kb)
    root = build_site(project)
    with serve(root) as base_url:
        yield Site(root=root, project=project, base_url=base_url)


def _assert_inert(page: Any, where: str) -> None:
    found = page.evaluate(PWNED_CHECK)
    assert found == {"pwned": False, "scripts": 0, "handlers": 0, "javascript": 0}, f"{where}: {found}"


def test_entry_page_shows_injection_attempts_as_text(tab: Tab, evil_site: Site) -> None:
    page = tab.open(evil_site.url_of("evil-strategy"))
    _assert_inert(page, "entry page")
    text = page.locator("article").inner_text()
    assert "{{ 7*7 }}" in text
    assert "{% raw %}" in text
    assert "Evil strategy" in page.locator("h1").first.inner_text()
    assert "Template braces 49" not in text
    assert "window.__pwned=1" in text, "the injected text should be shown, not dropped"
    assert "harmless-looking link" in text
    assert page.locator("article img[src='x']").count() == 0


@pytest.mark.parametrize("entry_id", ["evil-material", "evil-question"])
def test_other_entry_pages_are_inert(tab: Tab, evil_site: Site, entry_id: str) -> None:
    page = tab.open(evil_site.url_of(entry_id))
    _assert_inert(page, entry_id)
    assert "{{ 7*7 }}" in page.locator("article").inner_text()


def test_listing_pages_are_inert(tab: Tab, evil_site: Site) -> None:
    urls = [evil_site.base_url]
    for path in sorted(evil_site.root.glob("*/index.html")) + sorted(
        evil_site.root.glob("browse/*/index.html")
    ):
        if path.parent.name not in {"search", "assets"}:
            urls.append(evil_site.url_of_file(path))
    for url in urls:
        page = tab.open(url)
        if "/graph/" in url:
            page.wait_for_function("() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0")
            page.locator(".limkb-graph-search").fill("evil strategy")
            page.locator(".limkb-graph-search").press("Enter")
            assert "Evil strategy" in page.locator(".limkb-graph-info").inner_text()
        _assert_inert(page, url)


def test_search_results_are_inert(tab: Tab, evil_site: Site) -> None:
    page = tab.open(evil_site.base_url)
    results = search(page, "Evil")
    assert "Evil strategy" in results.first.inner_text()
    _assert_inert(page, "search results")


class _Markup(HTMLParser):
    """Finds payload that became markup: scripts, event handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "__pwned" in value:
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "xlink:href"} and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "__pwned" in data:
            self.found.append("<script> with the payload")


def live_payloads(site: Site) -> list[str]:
    """Every place in the built pages where a payload became markup, as ``page: what``."""
    offenders = []
    for path in site.pages():
        parser = _Markup()
        parser.feed(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(site.root)}: {found}" for found in parser.found]
    return offenders


def test_built_files_hold_no_live_payload(evil_site: Site) -> None:
    """No page of the built site carries the payload as markup (checked without a browser)."""
    offenders = live_payloads(evil_site)
    assert not offenders, "\n".join(offenders)
