"""The twelve reader questions of issue #29, each answered in Chromium at 1280 px and at 390 px.

The site is the one built from this checkout's real ``kb/`` (once per session, see conftest).
Each question is driven as a reader would: the header's search box, links, filters and selects,
the keyboard where it is natural. Each test asserts the answer the page gives, not only that a
page loads, and saves ``build/screenshots/question-NN-<topic>-<width>.png`` of the answer. The
expected answers are read from the KB (its YAML) where they can change with it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import REPO, Site, Tab, search

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
Shoot = Callable[[Any, str], Path]


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def reader(tab: Tab, request: pytest.FixtureRequest) -> Iterator[tuple[Tab, int]]:
    """A fresh tab at the width of the parameter (a desktop or a phone)."""
    width: int = request.param
    tab.page.set_viewport_size({"width": width, "height": 900})
    yield tab, width


def _shot(page: Any, screenshots: Shoot, name: str, width: int, focus: Any = None) -> None:
    """Scroll ``focus`` (the answer) into view, save the screenshot, and check nothing scrolls
    the whole page sideways."""
    if focus is not None:
        focus.first.scroll_into_view_if_needed()
    path = screenshots(page, f"{name}-{width}")
    assert path.stat().st_size > 5000
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {width} px scrolls sideways by {overflow} px"


def _go(page: Any, query: str, target: str) -> None:
    """Type ``query`` in the header's search box, pick the hit for ``target`` with the arrow
    keys (Enter opens the selected hit), and wait for its page."""
    hits = search(page, query)
    hrefs: list[str] = hits.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    index = next((i for i, href in enumerate(hrefs) if href.split("#")[0].endswith(target)), None)
    assert index is not None, f"{query!r} does not offer {target}: {hrefs}"
    target_hit = hits.nth(index)
    for _ in range(len(hrefs) + 1):
        if target_hit.get_attribute("aria-selected") == "true":
            break
        page.keyboard.press("ArrowDown")
    assert target_hit.get_attribute("aria-selected") == "true", f"ArrowDown never selects {target}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0].endswith(target), page.url


def _kb_dir(site: Site) -> Path:
    """The kb/ the site was built from (this checkout's, when the site was built elsewhere)."""
    built_from = site.project / "kb"
    return built_from if built_from.is_dir() else REPO / "kb"


def _kb(site: Site, folder: str, entry_id: str) -> dict[str, Any]:
    """An entry's YAML as the KB holds it."""
    data: dict[str, Any] = yaml.safe_load(
        (_kb_dir(site) / folder / f"{entry_id}.yaml").read_text(encoding="utf-8")
    )
    return data


def _compare_ready(page: Any) -> None:
    page.wait_for_selector("#limkb-compare[data-ready='1']", state="attached")


def _compare_rows(page: Any) -> list[list[str]]:
    """The cells of the comparison table's rows, as shown."""
    rows: list[list[str]] = page.eval_on_selector_all(
        "#limkb-compare-table tbody tr", "trs => trs.map(tr => [...tr.cells].map(td => td.innerText))"
    )
    return rows


def _column(page: Any, table: str, name: str) -> int:
    """The index of the column of ``table`` headed ``name``."""
    heads: list[str] = page.eval_on_selector_all(f"{table} thead th", "ths => ths.map(th => th.innerText)")
    return next(i for i, head in enumerate(heads) if head.strip().startswith(name))


# ---- 1. LiF-forming additives and their evidence ---------------------------------------------------


def test_q01_which_additives_form_lif_and_on_what_evidence(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "LiF", "entries/species/lif.html")
    formed = page.locator(".limkb-key-list dt", has_text="formed by").locator(
        "xpath=following-sibling::dd[1]"
    )
    items = formed.locator(".limkb-key-item")
    names = [items.nth(i).locator("a").inner_text() for i in range(items.count())]
    assert "Fluoroethylene carbonate (FEC) additive" in names, names
    assert all(items.nth(i).locator(".limkb-grade").count() == 1 for i in range(items.count()))
    relation = (
        page.locator("dt", has_text="formed by")
        .locator("xpath=following-sibling::dd[1]//li")
        .filter(has_text="Fluoroethylene carbonate (FEC) additive")
    )
    assert relation.locator(".limkb-grade").inner_text() == "review"
    sources = relation.locator(".limkb-source")
    assert sources.count() >= 1 and relation.locator("a.limkb-doi").count() >= 1
    _shot(page, screenshots, "question-01-lif-formers", width, formed)
    relation.locator("a.limkb-link").first.click()
    page.wait_for_url(re.compile(r".*/entries/strategies/fec-additive\.html$"))
    forms = page.locator(".limkb-key-list dt", has_text="forms").locator("xpath=following-sibling::dd[1]")
    assert "Lithium fluoride" in forms.inner_text()


# ---- 2. LHCE CE with cell and protocol -------------------------------------------------------------


def test_q02_lhce_coulombic_efficiency_with_cell_and_protocol(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "LHCE", "entries/strategies/localized-high-concentration-electrolytes.html")
    page.locator(".limkb-compare-links a", has_text="Coulombic efficiency").first.click()
    page.wait_for_url(
        re.compile(r".*/compare/coulombic-efficiency\.html\?strategy=localized-high-concentration")
    )
    _compare_ready(page)
    assert (
        page.locator("#limkb-compare-strategy").input_value() == "localized-high-concentration-electrolytes"
    )
    rows = _compare_rows(page)
    strategy, value, cell, protocol = (
        _column(page, "#limkb-compare-table", name) for name in ("Strategy", "Value", "Cell", "Protocol")
    )
    assert len(rows) >= 3
    assert all("Localized high-concentration electrolytes" in row[strategy] for row in rows)
    numbers = [float(re.findall(r"\d+(?:\.\d+)?", row[value])[0]) for row in rows]
    assert max(numbers) > 99, numbers
    assert all(row[cell] == "Li||Cu" for row in rows), [row[cell] for row in rows]
    assert sum(row[protocol] != "not stated" for row in rows) >= len(rows) - 1
    assert "modified Aurbach" in " ".join(row[protocol] for row in rows)
    status = page.locator(".limkb-compare-shown").inner_text()
    assert status.startswith(f"{len(rows)} of "), status
    with page.expect_download() as download:
        page.locator("a.limkb-compare-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(rows) and all(r["cell"] == "Li||Cu" for r in table)
    _shot(page, screenshots, "question-02-lhce-ce", width, page.locator("#limkb-compare-table"))


# ---- 3. the cryo-EM questions --------------------------------------------------------------------


def test_q03_the_open_questions_cryo_tem_could_answer(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    folder = _kb_dir(site) / "questions"
    expected = {
        path.stem
        for path in folder.glob("*.yaml")
        if any(
            link.get("id") == "cryo-tem"
            for link in _kb(site, "questions", path.stem).get("answerable_by") or []
        )
    }
    assert len(expected) >= 3, expected
    page = tab.open(site.base_url)
    hits = search(page, "cryo-TEM questions")
    found = hits.evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.querySelector('.limkb-search-kind').textContent])"
    )
    assert found and all(kind == "question" for _, kind in found), found
    named = {href.split("#")[0].rsplit("/", 1)[-1].removesuffix(".html") for href, _ in found}
    assert named <= expected and len(named) >= min(3, len(expected)), (named, expected)
    _shot(page, screenshots, "question-03-cryo-tem-search", width)
    page.keyboard.press("Escape")
    page = tab.open(site.base_url + "agenda.html")
    page.locator("button.limkb-chip[data-facet=techniques][data-value=cryo-tem]").click()
    assert "cryo-tem" in page.url
    shown = page.locator(".limkb-question:not([hidden])")
    ids = {
        (shown.nth(i).get_attribute("id") or shown.nth(i).locator("a").first.get_attribute("href") or "")
        for i in range(shown.count())
    }
    assert shown.count() == len(expected), (ids, expected)
    assert all(
        "cryo-tem" in (shown.nth(i).get_attribute("data-techniques") or "").split()
        for i in range(shown.count())
    )
    _shot(page, screenshots, "question-03-cryo-tem-agenda", width, shown)


# ---- 4. how robust is F vs CE ---------------------------------------------------------------------


def test_q04_how_robust_the_fluorine_ce_correlation_is(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "fluorine CE correlation", "entries/analyses/ce-vs-sei-fluorine.html")
    result = page.locator("table.limkb-facts, dl, table").filter(has_text="Leave one out").first
    text = result.inner_text()
    ci = re.search(
        r"Pearson r\s*([−-]?\d\.\d+) \(95 % CI ([−-]?\d\.\d+) to ([−-]?\d\.\d+)\)",
        text.replace("%", " %").replace("  ", " "),
    )
    assert ci, text
    r, low, high = (float(x.replace("−", "-")) for x in ci.groups())
    assert low < 0 < r < high, "the 95 % interval of a weak r over 10 points straddles zero"
    loo = re.search(r"Leave one out\s*r from ([−-]?\d\.\d+) to ([−-]?\d\.\d+)", text)
    assert loo, text
    assert float(loo.group(1)) <= r <= float(loo.group(2))
    assert "most influential" in text and re.search(r"\bn\s*10\b", text)
    _shot(page, screenshots, "question-04-f-vs-ce-robustness", width, page.locator("text=Leave one out"))


# ---- 5. the CE protocol -----------------------------------------------------------------------------


def test_q05_how_ce_is_measured(reader: tuple[Tab, int], site: Site, screenshots: Shoot) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "CE protocol", "entries/techniques/coulometry.html")
    article = page.locator("article").inner_text()
    assert "modified Aurbach protocol" in article and "Li||Cu" in article and "0.5 mA cm-2" in article
    measures = page.locator(".limkb-key-list dt", has_text="measures").locator(
        "xpath=following-sibling::dd[1]"
    )
    assert "Coulombic efficiency" in measures.inner_text()
    reference = page.locator("article a", has_text="Adams et al.")
    if reference.count():  # the protocol's own paper, when the page links it
        assert reference.first.get_attribute("href")
    _shot(page, screenshots, "question-05-ce-protocol", width, page.locator(".limkb-prose").first)


# ---- 6. how 3D hosts fail ---------------------------------------------------------------------------


def test_q06_what_3d_hosts_fail_by(reader: tuple[Tab, int], site: Site, screenshots: Shoot) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "3D copper", "entries/strategies/3d-copper-hosts.html")
    recorded = [link.get("id") for link in _kb(site, "strategies", "3d-copper-hosts").get("fails_by") or []]
    section = page.locator("dt", has_text=re.compile(r"^fails by")).locator("xpath=following-sibling::dd[1]")
    assert section.count() >= 1, "the 3D-hosts page has no 'fails by' section"
    text = section.last.inner_text()
    if recorded:
        for failure in recorded:
            assert section.last.locator(f"a[href$='{failure}.html']").count() >= 1, failure
    else:
        assert "none recorded" in text and "fails_by" in text, text
        assert section.last.locator("a").count() >= 1, "no link saying how to add one"
    _shot(page, screenshots, "question-06-3d-host-failures", width, section.last)


# ---- 7. ALD artificial SEIs and their thickness -----------------------------------------------------


def test_q07_ald_coatings_and_their_thickness(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    made = {
        path.stem
        for path in (_kb_dir(site) / "strategies").glob("*.yaml")
        if any(
            link.get("id") == "atomic-layer-deposition"
            for link in _kb(site, "strategies", path.stem).get("made_by") or []
        )
    }
    page = tab.open(site.base_url)
    _go(page, "ALD", "entries/strategies/atomic-layer-deposition.html")
    makes = page.locator("dt", has_text=re.compile(r"^makes")).locator("xpath=following-sibling::dd[1]").last
    listed = {
        href.rsplit("/", 1)[-1].removesuffix(".html")
        for href in makes.locator("li > a.limkb-link").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
    }
    assert listed == made, (listed, made)
    page = tab.open(site.base_url + "compare/thickness.html")
    _compare_ready(page)
    if width < 600:
        page.locator("details.limkb-compare-filters > summary").click()
    box = page.locator("#limkb-compare-q")
    box.click()
    page.keyboard.type("ALD", delay=20)
    page.wait_for_url(re.compile(r".*q=ALD"))
    rows = _compare_rows(page)
    strategy, value = (_column(page, "#limkb-compare-table", name) for name in ("Strategy", "Value"))
    shown = {row[strategy].split("\n")[0]: row[value] for row in rows}
    assert shown.get("ALD TiO2 on copper") == "5 nm", shown
    assert shown.get("Al2O3 artificial SEI") == "14 nm", f"a coating made by ALD is missing: {shown}"
    assert all(re.search(r"\d", v) and v.endswith("nm") for v in shown.values()), shown
    _shot(page, screenshots, "question-07-ald-thickness", width, page.locator("#limkb-compare-table"))


# ---- 8. what combines with LiNO3 ------------------------------------------------------------------


def test_q08_what_lino3_is_combined_with(reader: tuple[Tab, int], site: Site, screenshots: Shoot) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    search(page, "LiNO3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/entries/materials/lino3.html")
    block = page.locator(".limkb-combinations")
    text = block.inner_text()
    assert "Lithium nitrate (LiNO3) additive" in text
    for partner in ("Lithium bis(trifluoromethanesulfonyl)imide", "1,3-Dioxolane", "1,2-Dimethoxyethane"):
        assert partner in text, partner
    assert "Imide salts (LiFSI, LiTFSI)" in text and "compatible" in text
    assert block.locator("table tbody tr").count() >= 5, "the recorded electrolytes holding LiNO3"
    _shot(page, screenshots, "question-08-lino3-combinations", width, block)


# ---- 9. BibTeX for an entry and for the KB --------------------------------------------------------


def _bibtex(page: Any, link: Any) -> dict[str, Any]:
    """Download what ``link`` offers and parse it as BibTeX: the one entry's key, type and fields."""
    import bibtexparser

    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, text
    assert len(library.entries) == 1, text
    entry = library.entries[0]
    fields = {field.key.lower(): str(field.value) for field in entry.fields}
    return {
        "key": entry.key,
        "type": entry.entry_type.lower(),
        "file": download.value.suggested_filename,
        **fields,
    }


def test_q09_bibtex_for_an_entry_and_for_the_kb(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "Oyakhire Bent 2024", "entries/references/oyakhire2024interfacial.html")
    cite = page.locator(".limkb-cite")
    paper = _bibtex(page, cite.locator("p", has_text="paper itself").locator("a", has_text="BibTeX"))
    assert paper["key"] == "oyakhire2024interfacial" and paper["type"] == "article", paper
    assert paper["doi"].lower() == "10.1039/d3ya00470h", paper
    entry = _bibtex(page, cite.locator("p", has_text="This entry").locator("a", has_text="BibTeX"))
    assert entry["key"] == "limkb-oyakhire2024interfacial", entry
    assert entry["url"].endswith("/entries/references/oyakhire2024interfacial.html"), entry
    kb = _bibtex(page, cite.locator("p", has_text="knowledge base").locator("a", has_text="BibTeX"))
    assert kb["key"].startswith("limkb-") and kb["version"] and "limkb" in kb["title"], kb
    _shot(page, screenshots, "question-09-bibtex", width, cite)
    home = tab.open(site.base_url)
    again = _bibtex(home, home.locator(".limkb-cite a", has_text="BibTeX"))
    assert again["key"] == kb["key"]


# ---- 10. the CE dataset with its conditions --------------------------------------------------------


def test_q10_the_ce_dataset_with_its_conditions(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url)
    _go(page, "SEI composition CE dataset", "entries/datasets/sei-composition-vs-ce.html")
    conditions = page.locator("p", has_text=re.compile(r"^Conditions:")).first
    text = conditions.inner_text()
    assert "Li||Cu" in text and "modified Aurbach" in text and "0.5 mA cm-2" in text, text
    link = page.locator("article a[href$='.csv']").first
    href = link.get_attribute("href")
    assert href and href.endswith("sei-composition-vs-ce.csv"), href
    body = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href).text()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == page.locator("table.limkb-data tbody tr").count() == 10
    for row in rows:
        assert row["cell"] == "Li||Cu" and row["current_density"] == "0.5 mA cm-2", row
        assert "Aurbach" in row["protocol"] and row["doi"], row
    assert any("localized-high-concentration-electrolytes" in row["strategies"] for row in rows)
    _shot(page, screenshots, "question-10-ce-dataset", width, conditions)


# ---- 11. the entries that cite one author -----------------------------------------------------------


def test_q11_entries_citing_one_author(reader: tuple[Tab, int], site: Site, screenshots: Shoot) -> None:
    tab, width = reader
    author = "Kozen"
    page = tab.open(site.base_url + "bibliography.html")
    box = page.locator("input.limkb-filter[data-table]").first
    box.click()
    page.keyboard.type(author, delay=20)
    rows = page.locator("table.limkb-bibliography-table tbody tr:not([hidden])")
    papers = sorted(p.stem for p in (_kb_dir(site) / "references").glob("kozen*.yaml"))
    assert rows.count() == len(papers) >= 2, rows.all_inner_texts()
    hidden = page.locator("table.limkb-bibliography-table tbody tr[hidden]")
    assert hidden.count() > 0 and not hidden.first.is_visible(), "a filtered-out reference still shows"
    citing = set()
    for i in range(rows.count()):
        assert author in rows.nth(i).locator("td").first.inner_text()
        links = rows.nth(i).locator("td").nth(1).locator("a")
        assert links.count() >= 1, "a reference with no entry citing it"
        citing |= set(links.all_inner_texts())
    assert "Al2O3 artificial SEI" in citing, citing
    _shot(page, screenshots, "question-11-author", width, rows)
    page = tab.open(site.base_url)
    hits = search(page, author)
    hrefs = hits.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(f"references/{paper}.html" in href for href in hrefs for paper in papers), hrefs


# ---- 12. descriptors never measured for ALD coatings ----------------------------------------------


def test_q12_descriptors_never_measured_for_ald_coatings(
    reader: tuple[Tab, int], site: Site, screenshots: Shoot
) -> None:
    tab, width = reader
    page = tab.open(site.base_url + "coverage.html")
    box = page.locator("input.limkb-filter[data-table=limkb-coverage]")
    box.click()
    page.keyboard.type("ALD", delay=20)
    table = "#limkb-coverage"
    shown = page.locator(f"{table} tbody tr:not([hidden])")
    names = [shown.nth(i).locator("td").first.inner_text() for i in range(shown.count())]
    for coating in (
        "ALD TiO2 on copper",
        "Al2O3 artificial SEI",
        "Electrically resistive ALD Al2O3 on copper",
    ):
        assert coating in names, f"{coating} is not among the ALD rows: {names}"
    heads: list[str] = page.eval_on_selector_all(
        f"{table} thead th", "ths => ths.map(th => th.innerText.trim())"
    )
    summary: list[str] = page.eval_on_selector_all(
        f"{table} tfoot tr.limkb-summary > *", "cells => cells.map(c => c.innerText.trim())"
    )
    known: list[list[bool]] = shown.evaluate_all(
        "trs => trs.map(tr => [...tr.cells].map(td => td.classList.contains('limkb-cell-known')))"
    )
    never = []
    for index in range(2, len(heads) - 1):
        count = sum(row[index] for row in known)
        assert summary[index] == str(count), f"{heads[index]}: summary {summary[index]}, rows {count}"
        if count == 0:
            never.append(heads[index])
    assert "Crystallinity of the SEI" in never and "Grain size of SEI components" in never, never
    for measured in ("Coulombic efficiency", "Ionic conductivity", "Thickness (named in findings)"):
        assert measured not in never, never
    assert 0 < len(never) < len(heads) - 3
    gaps = page.locator(".limkb-coverage-gaps")
    assert gaps.is_visible(), "the answer is not on the screen"
    assert gaps.locator("span").inner_text().split("; ") == never
    if width < 600:  # a phone reads the list of the strategies shown, not the matrix
        listed = page.locator("#limkb-coverage-list li:not([hidden])").all_inner_texts()
        assert len(listed) == len(names) and all(any(n in item for item in listed) for n in names)
    _shot(page, screenshots, "question-12-ald-never-measured", width, gaps)
