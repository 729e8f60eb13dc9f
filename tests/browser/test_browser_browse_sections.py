"""A browse table split by initial (a KB too large for one search section), in Chromium: each
letter's table sorts on its own and the one filter box filters every letter, hiding a letter's
table left empty. The page is limkb's rendering with ``tables.js``, shown without MkDocs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitekit import fragment_page

import limkb.site.sections as sections
from kbfactory import minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render

pytestmark = pytest.mark.browser

NAMES = ["Artificial SEI", "Alumina coating", "Ionic liquid", "LiF-rich SEI", "Lithiophilic host"]


@pytest.fixture
def split_page(browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The strategies' browse page, split by initial, loaded with tables.js."""
    monkeypatch.setattr(sections, "SECTION_BUDGET", 25)
    entries = {f"strategies/s{n:03d}": minimal("strategy", name) for n, name in enumerate(NAMES)}
    pages = render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))
    text = str(pages["browse/strategies.md"])
    with fragment_page(browser, text[text.index("<nav ") :], assets=("tables.js",)) as page:
        yield page


def test_one_filter_covers_every_letter_and_hides_empty_tables(split_page: Any) -> None:
    page = split_page
    tables = page.locator("table.limkb-sortable")
    assert tables.count() >= 3
    page.locator("input.limkb-filter").fill("host")
    page.locator("input.limkb-filter").dispatch_event("input")
    shown = page.locator("tbody tr:not([hidden])")
    assert shown.all_inner_texts() and all("host" in t for t in shown.all_inner_texts())
    assert page.locator("#limkb-strategies-a").is_hidden()  # no A strategy is a host
    assert "1 of 5 rows" in page.locator("[data-count-for]").inner_text()


def test_each_letters_table_sorts_on_its_own(split_page: Any) -> None:
    page = split_page
    table = page.locator("#limkb-strategies-a")
    first = table.locator("tbody tr td:first-child")
    assert first.all_inner_texts() == ["Artificial SEI", "Alumina coating"]  # by id
    table.locator("th").first.click()
    assert first.all_inner_texts() == ["Alumina coating", "Artificial SEI"]
    assert page.locator("#limkb-strategies-l tbody tr td:first-child").all_inner_texts() == [
        "LiF-rich SEI",
        "Lithiophilic host",
    ]
