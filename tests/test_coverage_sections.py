"""The coverage matrix longer than a search section holds is split by strategy family: a heading
per family, a bar of links to them, each family's table(s) sortable on their own with their own
counts and phone list, one filter over all of them. A matrix that fits stays one table. Every
section of every hub page then stays within the search engine's limit (scaled down here)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import limkb.site.sections as sections
from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render
from limkb.site.sections import token_positions

FAMILIES = ("electrolyte-engineering", "artificial-sei", "current-collector-modification")
BUDGET = 200
"""A section budget for the test KB: half the scaled limit, as the real one is half Zensical's."""

_HEADING = re.compile(r"^#{1,6} .*$|<h[1-6][^>]*\bid=", re.M)


def _pages(tmp_path: Path, strategies: int = 24) -> dict[str, str]:
    """The Markdown pages of a KB of ``strategies`` strategies (families in turn), each measuring
    the Coulombic efficiency, and one more measuring nothing."""
    entries = {
        f"strategies/s{n:02d}": minimal(
            "strategy",
            f"{'ABCL'[n % 4]} strategy {n}",
            family=FAMILIES[n % 3],
            measured=[{"id": "ce", "sources": SOURCE}],
        )
        for n in range(strategies)
    }
    entries["properties/ce"] = minimal("property", "Coulombic efficiency")
    entries["properties/thickness"] = minimal("property", "SEI thickness")
    pages = render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))
    return {path: text for path, text in pages.items() if isinstance(text, str) and path.endswith(".md")}


def largest_section(page: str) -> int:
    """The token positions of a page's longest search section: the text between two headings
    (a Markdown heading, or an HTML heading with an id, where search engines split a page)."""
    cuts = [0, *(m.start() for m in _HEADING.finditer(page)), len(page)]
    return max(token_positions(page[a:b]) for a, b in itertools.pairwise(cuts))


def test_a_matrix_that_fits_a_section_stays_one_table(tmp_path: Path) -> None:
    page = _pages(tmp_path)["coverage.md"]
    assert page.count("<table ") == 1 and 'id="limkb-coverage"' in page
    assert "<h2" not in page and "limkb-letters" not in page
    assert largest_section(page) > 2 * BUDGET  # the fixture is long enough to be split below


def test_a_long_matrix_is_split_by_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sections, "SECTION_BUDGET", BUDGET)
    page = _pages(tmp_path)["coverage.md"]
    heads = re.findall(r'<h2 class="limkb-letter" id="([^"]+)">([^<]+)</h2>', page)
    assert heads == [
        ("family-artificial-sei", "Artificial SEI"),
        ("family-current-collector-modification", "Current-collector modification"),
        ("family-electrolyte-engineering", "Electrolyte engineering"),
    ]
    bar = re.search(
        r'<nav class="limkb-letters" aria-label="Coverage by strategy family"><ul>(.*?)</ul>', page
    )
    assert bar is not None and re.findall(r'href="#([^"]+)"', bar.group(1)) == [h[0] for h in heads]
    tables = re.findall(
        r'<table [^>]*id="(limkb-coverage-[^"]+)" data-list="([^"]+)">(.*?)</table>', page, re.S
    )
    assert len(tables) >= 3 and 'data-table="limkb-coverage-all"' in page
    # every strategy is in one table and in that table's list; each table counts its own rows
    for table, listed, body in tables:
        rows = re.findall(r'<tr data-row="(\d+)"', body)
        items = re.search(rf'<ul class="limkb-coverage-list" id="{listed}">(.*?)</ul>', page, re.S)
        assert items is not None and re.findall(r'data-filter-row="(\d+)"', items.group(1)) == rows
        assert f'data-summary-of="{table}"' in body and f'data-summary-column="2">{len(rows)}<' in body
    assert sum(len(re.findall(r"<tr data-row=", body)) for _, _, body in tables) == 24
    assert 'data-gaps-of="limkb-coverage-all"' in page and "<span>SEI thickness</span>" in page
    s01 = page.index(">B strategy 1<")  # an artificial SEI
    assert (
        page.index('id="family-artificial-sei"')
        < s01
        < page.index('id="family-current-collector-modification"')
    )


def test_a_long_family_is_split_in_parts_with_their_own_headings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sections, "SECTION_BUDGET", BUDGET // 3)
    page = _pages(tmp_path)["coverage.md"]
    parts = re.findall(r'<h3 class="limkb-letter-part" id="(family-artificial-sei-\d+)">', page)
    assert parts[:2] == ["family-artificial-sei-1", "family-artificial-sei-2"]
    assert 'id="limkb-coverage-artificial-sei-1" data-list="limkb-coverage-list-artificial-sei-1"' in page


def test_every_section_of_every_hub_page_stays_within_the_scaled_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sections, "SECTION_BUDGET", BUDGET)
    pages = _pages(tmp_path)
    hubs = {path: page for path, page in pages.items() if not path.startswith("entries/")}
    assert "coverage.md" in hubs and "browse/strategies.md" in hubs
    too_long = {
        path: largest_section(page) for path, page in hubs.items() if largest_section(page) > 2 * BUDGET
    }
    assert too_long == {}


def test_a_long_kind_on_the_all_entries_page_is_split_by_initial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sections, "SECTION_BUDGET", 40)
    page = _pages(tmp_path)["entries/index.md"]
    heads = re.findall(r'<h3 id="(strategy-[^"]+)">([^<]+)</h3>', page)
    assert heads == [("strategy-a", "A"), ("strategy-b", "B"), ("strategy-c", "C"), ("strategy-l", "L")]
    assert page.count(">A strategy 0<") == 1
    assert page.index('id="strategy-a"') < page.index(">A strategy 0<") < page.index('id="strategy-b"')
    assert largest_section(page) <= 2 * 40


def test_the_all_entries_page_that_fits_keeps_one_paragraph_a_kind(tmp_path: Path) -> None:
    page = _pages(tmp_path)["entries/index.md"]
    assert "<h3" not in page
