"""A browse table longer than a search section holds is split by the initial of the entries'
names: a heading per letter, a bar of links to them, each letter's table sortable on its own,
one filter over all of them. A table that fits stays one table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import limkb.site.sections as sections
from kbfactory import minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render
from limkb.site.sections import SECTION_LIMIT, Row, by_letter, rows_within, token_positions

NAMES = ["Alumina coating", "Artificial SEI", "Ionic liquid", "Lithiophilic host", "LiF-rich SEI", "3D host"]


def _browse(tmp_path: Path, names: list[str]) -> str:
    """The strategies' browse page of a KB holding one strategy per name."""
    entries = {f"strategies/s{n:03d}": minimal("strategy", name) for n, name in enumerate(names)}
    pages = render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))
    page = pages["browse/strategies.md"]
    assert isinstance(page, str)
    return page


def test_a_table_that_fits_a_section_stays_one_table(tmp_path: Path) -> None:
    page = _browse(tmp_path, NAMES)
    assert (
        page.count("<table ") == 1
        and '<table class="limkb-sortable limkb-index" id="limkb-strategies">' in page
    )
    assert "<h2" not in page and "limkb-letters" not in page
    assert 'data-table="limkb-strategies"' in page


def test_a_long_table_is_split_by_initial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sections, "SECTION_BUDGET", 25)  # two or three rows a section
    page = _browse(tmp_path, NAMES)
    heads = re.findall(r'<h2 class="limkb-letter" id="([^"]+)">([^<]+)</h2>', page)
    assert heads == [("letter-a", "A"), ("letter-i", "I"), ("letter-l", "L"), ("letter-other", "#")]
    bar = re.search(
        r'<nav class="limkb-letters" aria-label="Strategies by initial"><ul>(.*?)</ul></nav>', page
    )
    assert bar is not None and re.findall(r'href="#([^"]+)"', bar.group(1)) == [h[0] for h in heads]
    tables = re.findall(r'<table class="limkb-sortable limkb-index" id="([^"]+)">(.*?)</table>', page, re.S)
    assert sum(body.count("<tr>") + body.count("<tr ") - 1 for _, body in tables) == len(NAMES)
    assert all(t.startswith("limkb-strategies-") for t, _ in tables)
    assert 'data-table="limkb-strategies-all"' in page and 'id="limkb-strategies-all"' in page
    ionic = page.index('id="letter-i"')
    assert page.index('id="letter-a"') < page.index(">Artificial SEI<") < ionic < page.index(">Ionic liquid<")


def test_rows_within_keeps_each_part_inside_the_budget() -> None:
    """Rows of real browse-table size (about 30 token positions) at 10,000-entry scale: every
    part of every letter stays within the budget, far below Zensical's limit."""
    row = (
        '<tr><td><a href="x.md">{name}</a></td><td>electrolyte engineering, Li | electrolyte, SEI</td></tr>\n'
    )
    rows = [Row(f"{'ALSZ'[n % 4]}-{n:04d}", row.format(name=f"Name {n}")) for n in range(4000)]
    most = rows_within(rows)
    assert most is not None and most < len(rows)
    for letter in by_letter(rows, most, "t"):
        for part in letter["parts"]:
            assert token_positions(str(part["rows"])) <= sections.SECTION_BUDGET <= SECTION_LIMIT // 2
    assert rows_within(rows[:10]) is None
