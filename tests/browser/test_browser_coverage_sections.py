"""The coverage matrix split by strategy family (a KB too large for one search section), in
Chromium: the one filter box filters every family's table and hides a table left empty, each
table counts the strategies it shows, and the line of descriptors known for none of the
strategies shown follows the filter across the tables. The page is limkb's rendering with
``tables.js`` and the site's styles, shown without MkDocs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitekit import fragment_page

import limkb.site.sections as sections
from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render

pytestmark = pytest.mark.browser

FAMILIES = ("electrolyte-engineering", "artificial-sei", "current-collector-modification")


@pytest.fixture
def split_page(browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The coverage page of nine strategies (three a family), split by family and each family
    in two parts; the last one alone measures the SEI thickness."""
    monkeypatch.setattr(sections, "SECTION_BUDGET", 60)
    entries: dict[str, Any] = {
        f"strategies/s{n}": minimal(
            "strategy",
            f"Strategy {n}",
            family=FAMILIES[n % 3],
            measured=[{"id": "ce" if n < 8 else "thickness", "sources": SOURCE}],
        )
        for n in range(9)
    }
    entries["properties/ce"] = minimal("property", "Coulombic efficiency")
    entries["properties/thickness"] = minimal("property", "SEI thickness")
    pages = render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))
    text = str(pages["coverage.md"])
    body = text[text.index("<nav ") :]
    with fragment_page(
        browser,
        f"<div class=md-typeset>{body}</div>",
        assets=("limkb.css", "compare.css", "tables.js"),
        screenshot="coverage-sections",
    ) as page:
        yield page


def _filter(page: Any, text: str) -> None:
    page.locator("input.limkb-filter").fill(text)
    page.locator("input.limkb-filter").dispatch_event("input")


def test_one_filter_covers_every_family_and_the_gaps_follow_it(split_page: Any) -> None:
    page = split_page
    assert page.locator("table.limkb-coverage").count() >= 3
    gaps = page.locator("[data-gaps-of] span")
    assert "every descriptor is known" in gaps.inner_text()
    _filter(page, "strategy 4")
    assert page.locator("tbody tr:not([hidden])").all_inner_texts()[0].startswith("Strategy 4")
    assert page.locator("tbody tr:not([hidden])").count() == 1
    # strategy 4 is an artificial SEI, in the first of its family's two parts (1 and 4, then 7):
    # the other tables and their headings hide, and its gaps are shown
    assert page.locator("#limkb-coverage-electrolyte-engineering-1").is_hidden()
    assert page.locator("#family-electrolyte-engineering").is_hidden()
    assert page.locator("#limkb-coverage-artificial-sei-2").is_hidden()
    assert page.locator("#family-artificial-sei-2").is_hidden()
    assert page.locator("#limkb-coverage-artificial-sei-1").is_visible()
    assert page.locator("#family-artificial-sei-1").is_visible()
    assert gaps.inner_text() == "SEI thickness"
    summary = page.locator('#limkb-coverage-artificial-sei-1 tfoot [data-summary-column="2"]')
    assert summary.inner_text() == "1"
    _filter(page, "strategy 8")
    assert gaps.inner_text() == "Coulombic efficiency"
    _filter(page, "")
    assert "every descriptor is known" in gaps.inner_text()
