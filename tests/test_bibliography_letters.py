"""The bibliography by first letter: a heading per initial, a bar of links to the letters, a
long letter in parts, and every search section under Zensical's limit of token positions."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from kbfactory import REF, REFERENCE, write_kb
from limkb.access import load
from limkb.site.overview import BIBLIOGRAPHY_PART
from limkb.site.render import RenderOptions, render

ZENSICAL_SECTION_LIMIT = 16_384
"""Zensical refuses to index a search section (the text between two headings with an id) of
more token positions than this."""


def _reference(surname: str, n: int) -> dict[str, Any]:
    """A reference by ``surname`` with a title of some length, as real ones have."""
    return {
        **REFERENCE,
        "title": f"Study {n} of the solid electrolyte interphase grown on lithium metal anodes in carbonate electrolytes",
        "authors": [f"{surname}, A.", "Other, B.", "Third, C."],
        "year": 2000 + n % 25,
        "doi": f"10.1000/test.{n}",
    }


def _page(tmp_path: Path, surnames: list[str]) -> str:
    """The bibliography of a KB holding one reference per surname (and the default one)."""
    entries: dict[str, dict[str, Any] | str] = {
        f"references/r{n:04d}{re.sub('[^a-z]', '', s.lower())[:6]}": _reference(s, n)
        for n, s in enumerate(surnames)
    }
    pages = render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))
    page = pages["bibliography.md"]
    assert isinstance(page, str)
    return page


def _sections(page: str) -> list[str]:
    """The page cut at its headings with an id, as Zensical cuts its search index."""
    return re.split(r"<h[1-6][^>]*\sid=", page)


def _tokens(section: str) -> int:
    """Token positions of a section's text, counted generously: every word and every mark."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", section))
    return len(re.findall(r"\w+|[^\w\s]", text))


def test_each_initial_is_a_heading_and_the_bar_links_the_letters_present(tmp_path: Path) -> None:
    page = _page(tmp_path, ["Adams", "Zheng", "Ōsaka", "1st-Group"])
    assert '<h2 class="limkb-letter" id="letter-a">A</h2>' in page
    assert '<h2 class="limkb-letter" id="letter-o">O</h2>' in page  # accent dropped
    assert '<h2 class="limkb-letter" id="letter-other">#</h2>' in page
    bar = re.search(r'<nav class="limkb-letters" aria-label="[^"]+"><ul>(.*?)</ul></nav>', page)
    assert bar is not None
    assert re.findall(r'href="#([^"]+)"', bar.group(1)) == [
        "letter-a",
        "letter-o",
        "letter-s",  # the default reference, Smith
        "letter-z",
        "letter-other",
    ]
    assert 'id="letter-b"' not in page  # no letter without references


def test_reference_rows_keep_their_ids_for_links_to_the_bibliography(tmp_path: Path) -> None:
    page = _page(tmp_path, ["Adams", "Zheng"])
    assert f'<tr id="{REF}">' in page and '<tr id="r0000adams">' in page
    smith = page.index('id="letter-s"')
    assert smith < page.index(f'<tr id="{REF}">') < page.index('id="letter-z"')


def test_a_long_letter_is_in_parts_named_by_their_first_and_last_authors(tmp_path: Path) -> None:
    names = [f"Li{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(BIBLIOGRAPHY_PART + 10)]
    page = _page(tmp_path, names)
    parts = re.findall(r'<h3 class="limkb-letter-part" id="(letter-l-\d)">([^<]*)</h3>', page)
    assert [p[0] for p in parts] == ["letter-l-1", "letter-l-2"]
    assert parts[0][1] == "Liaa – Lidb" and parts[1][1].endswith(" – " + names[-1])
    tables = re.findall(r'<table [^>]*id="(limkb-bibliography-l-\d)">(.*?)</table>', page, re.S)
    sizes = [body.count("<tr id=") for _, body in tables]
    assert sizes == [80, 80] and max(sizes) <= BIBLIOGRAPHY_PART
    assert '<h3 class="limkb-letter-part"' not in page.split('id="letter-s"')[1]  # short: no parts


def test_every_section_stays_under_zensicals_limit(tmp_path: Path) -> None:
    """Three long letters of references: no section between headings holds more token
    positions than Zensical indexes, and without the parts one would."""
    names = [f"{first}{n:03d}" for first in ("Wang", "Zhang", "Li") for n in range(2 * BIBLIOGRAPHY_PART)]
    page = _page(tmp_path, names)
    counts = [_tokens(s) for s in _sections(page)]
    per_row = sum(counts) / len(names)
    assert max(counts) <= ZENSICAL_SECTION_LIMIT
    assert per_row * BIBLIOGRAPHY_PART <= ZENSICAL_SECTION_LIMIT * 2 / 3  # room for longer references
    assert per_row * len(names) > ZENSICAL_SECTION_LIMIT  # one section would not do
