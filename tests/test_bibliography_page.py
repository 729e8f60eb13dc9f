"""The bibliography page: short "Cited by" lists inline, long ones counted and loaded when opened."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kbfactory import REF, minimal, write_kb
from limkb.access import load
from limkb.site.overview import LONG_CITING
from limkb.site.render import RenderOptions, render


def _pages(tmp_path: Path, citing: int) -> dict[str, str | bytes]:
    """A KB whose one reference is cited by ``citing`` strategies, rendered."""
    entries = {f"strategies/s{i:02d}": minimal("strategy", f"Strategy {i:02d}") for i in range(citing)}
    return render(load(write_kb(tmp_path, entries), cache=False), options=RenderOptions(urls="file"))


def _row(pages: dict[str, str | bytes]) -> str:
    page = pages["bibliography.md"]
    assert isinstance(page, str)
    found = re.search(rf'<tr id="{REF}">(.*?)</tr>', page, re.S)
    assert found is not None, page
    return found.group(1)


def _cited(pages: dict[str, str | bytes]) -> dict[str, list[list[str]]]:
    script = pages["assets/limkb/cited-by-data.js"]
    assert isinstance(script, str) and script.startswith("window.LIMKB_CITED = ")
    data = json.loads(script.removeprefix("window.LIMKB_CITED = ").rstrip().rstrip(";"))
    return {ref: [data["entries"][n] for n in numbers] for ref, numbers in data["lists"].items()}


def test_a_short_list_is_written_out_and_not_in_the_data(tmp_path: Path) -> None:
    pages = _pages(tmp_path, LONG_CITING)
    row = _row(pages)
    assert "<details" not in row
    assert row.count('<a href="entries/strategies/s') == LONG_CITING
    assert "Strategy 00</a>, <a" in row and f'data-sort="{LONG_CITING}"' in row
    assert _cited(pages) == {}


def test_a_long_list_is_counted_and_loaded_on_demand(tmp_path: Path) -> None:
    pages = _pages(tmp_path, LONG_CITING + 1)
    row = _row(pages)
    assert f'data-sort="{LONG_CITING + 1}"' in row
    assert f'<details class="limkb-cited"><summary>{LONG_CITING + 1} entries</summary>' in row
    assert "entries/strategies/s" not in row  # the list itself is not on the page
    assert f'href="entries/references/{REF}.md#cited-by"' in row  # without JavaScript: its page
    listed = _cited(pages)[REF]
    assert [label for label, _ in listed] == [f"Strategy {i:02d}" for i in range(LONG_CITING + 1)]
    assert listed[0][1] == "entries/strategies/s00.html"  # as built: scripts' links are not rewritten


def test_the_page_names_the_script_and_its_data_as_built(tmp_path: Path) -> None:
    page = _pages(tmp_path, 1)["bibliography.md"]
    assert isinstance(page, str)
    assert 'data-cited-script="assets/limkb/cited-by-data.js"' in page
    assert 'data-script="assets/limkb/bibliography.js"' in page  # compare.js loads it
    assert "<script" not in page
