"""Pages that list many entries (browse tables, bibliography, agenda, coverage, the all-entries
list, the search index, id pages and cite files) are joined from per-entry pieces that a
:class:`~limkb.site.memo.RenderMemo` keeps: after an edit only the pieces of the entries it
touches are made again, and every file equals a rendering without the memo."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import limkb
from kbfactory import REF, SOURCE, minimal, write_entry
from limkb.check.cache import FileCache
from limkb.check.stats import count_evidence
from limkb.files import BuildCache
from limkb.site import compare, comparison_pages, finder, overview, sections
from limkb.site import memo as memo_module
from limkb.site import render as render_module
from limkb.site.context import RenderOptions, Site
from limkb.site.memo import Pieces, Reads, RenderMemo, _comparable
from limkb.site.render import render, render_cached
from sitefactory import site_kb
from test_incremental import EDITS as INCREMENTAL_EDITS

OPTIONS = RenderOptions(date="2024-01-02")

HUBS = (
    "browse/strategies.md",
    "browse/questions.md",
    "entries/index.md",
    "bibliography.md",
    "agenda.md",
    "coverage.md",
    "assets/limkb/search-index.js",
    "assets/limkb/graph-data.js",
    "id/fec-additive.html",
    "cite/fec-additive.bib",
)


def _rendered(kb: Path, memo: RenderMemo | None = None) -> dict[str, str | bytes]:
    return render(limkb.load(kb, cache=False), options=OPTIONS, memo=memo)


def _prose(kb: Path) -> None:
    path = kb / "strategies/fec-additive.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Adds **FEC**", "Adds a little **FEC**"), encoding="utf-8")


def _renamed(kb: Path) -> None:
    """A label every hub page shows: the lists naming FEC additive must show the new one."""
    path = kb / "strategies/fec-additive.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: FEC additive", "name: FEC as an additive"), encoding="utf-8")


def _question(kb: Path) -> None:
    path = kb / "questions/why-lif.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("itself passivate", "by itself passivate"), encoding="utf-8")


def _relation(kb: Path) -> None:
    """A strategy newly measuring a descriptor: its coverage row and its browse row change."""
    write_entry(
        kb,
        "strategies/alumina-coating",
        minimal(
            "strategy",
            "Alumina coating",
            family="artificial-sei",
            measured=[{"id": "ce", "sources": SOURCE}],
            combines_with=[{"id": "lithiophilic-cu", "evidence": "unknown", "editorial": "Test link."}],
        ),
    )


def _new_question(kb: Path) -> None:
    write_entry(
        kb,
        "questions/why-fec",
        minimal(
            "question",
            "Why FEC?",
            text="Why does FEC help?",
            theme="mechanism",
            about=[{"id": "fec", "editorial": "Test link."}],
        ),
    )


def _deletion(kb: Path) -> None:
    (kb / "questions/why-lif.yaml").unlink()


def _relation_removed(kb: Path) -> None:
    """FEC additive no longer measures the SEI thickness: its coverage row loses the cell."""
    path = kb / "strategies/fec-additive.yaml"
    text = path.read_text(encoding="utf-8")
    measured = "measured:\n- id: sei-thickness\n  editorial: A link of the test KB, which no source needs to state.\n"
    assert measured in text
    path.write_text(text.replace(measured, ""), encoding="utf-8")


def _reference_title(kb: Path) -> None:
    """Only the reference's title: the bibliography's row shows it."""
    path = kb / "references/smith2020test.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Test of a tiny", "title: A test of a tiny"), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "prose": _prose,
    "label": _renamed,
    "question": _question,
    "dataset record": INCREMENTAL_EDITS["dataset record"],
    "relation": _relation,
    "relation removed": _relation_removed,
    "reference edited": _reference_title,
    "new entry": _new_question,
    "deletion": _deletion,
    "rename": INCREMENTAL_EDITS["rename"],
    "finding and reading status": INCREMENTAL_EDITS["finding"],
}


@pytest.mark.parametrize("name", list(EDITS))
def test_after_an_edit_every_hub_page_equals_a_rendering_without_the_memo(tmp_path: Path, name: str) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    EDITS[name](kb)
    again = _rendered(kb, memo)
    fresh = _rendered(kb)
    assert sorted(again) == sorted(fresh)
    assert [path for path in fresh if again[path] != fresh[path]] == []
    for page in HUBS:
        if name != "deletion" or "why-lif" not in page:
            assert page in fresh, page


def test_a_label_edit_reaches_every_hub_page_listing_the_entry(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    before = _rendered(kb, memo)
    _renamed(kb)
    after = _rendered(kb, memo)
    for page in ("browse/strategies.md", "entries/index.md", "agenda.md", "assets/limkb/search-index.js"):
        assert "FEC as an additive" not in str(before[page]), page
        assert "FEC as an additive" in str(after[page]), page


def _noting(monkeypatch: pytest.MonkeyPatch, module: object, name: str, key: Callable[..., str]) -> set[str]:
    """Wrap ``module.name``, noting ``key(*arguments)`` of every call."""
    seen: set[str] = set()
    original = getattr(module, name)

    def wrapper(*args: object) -> object:
        seen.add(key(*args))
        return original(*args)

    monkeypatch.setattr(module, name, wrapper)
    return seen


def test_an_edit_makes_again_only_the_pieces_of_the_entries_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    search = _noting(monkeypatch, finder, "_record", lambda site, titled, i: i)
    rows = _noting(monkeypatch, render_module, "_browse_html", lambda site, entry, links: entry.id)
    questions = _noting(monkeypatch, overview, "_question_html", lambda site, q, links: q.id)
    references = _noting(monkeypatch, overview, "_bibliography_row", lambda site, r, links: r.id)
    _question(kb)
    _rendered(kb, memo)
    assert questions == {"why-lif"}
    # the question names lif and fec-additive: their items list it (search's "about" reads it)
    assert "why-lif" in search and "lithiophilic-cu" not in search and "ce" not in search
    assert "why-lif" in rows and "alumina-coating" not in rows
    assert references <= {"smith2020test"}  # cited by the question: its "Cited by" may list it


def test_the_memo_keeps_a_piece_of_every_entry_for_each_hub(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    assert {"agenda.md", "bibliography.md", "search-index", "cite", "id"} <= set(memo.fragments)
    assert set(memo.fragments["search-index"]) == set(limkb.load(kb, cache=False).graph.nodes)


def test_each_agenda_question_is_a_search_section_of_its_own(tmp_path: Path) -> None:
    """Zensical splits a page's search index at headings with an id, and refuses a section of
    more than 16,384 token positions: a question's head is such a heading."""
    page = str(_rendered(site_kb(tmp_path))["agenda.md"])
    assert '<h4 class="limkb-question-head" id="why-lif-head">' in page
    assert page.count("<h4 ") == page.count('class="limkb-question ')


def test_a_compare_family_is_made_again_only_when_its_rows_or_the_entries_they_name_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    first = _rendered(kb, memo)
    families = {path.removeprefix("compare/").removesuffix(".csv") for path in first if path.endswith(".csv")}
    made = _noting(monkeypatch, comparison_pages, "_family", lambda site, slug, table: slug)
    _question(kb)
    _rendered(kb, memo)
    assert made == set()  # the question is in no family's rows
    INCREMENTAL_EDITS["dataset record"](kb)
    again = _rendered(kb, memo)
    assert made and made < families
    fresh = _rendered(kb)
    assert [path for path in fresh if path.startswith("compare/") and again[path] != fresh[path]] == []


@pytest.mark.parametrize("name", ["relation", "label", "deletion"])
def test_split_hub_pages_after_an_edit_equal_a_rendering_without_the_memo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """With a section budget small enough to split the coverage matrix and the browse tables."""
    monkeypatch.setattr(sections, "SECTION_BUDGET", 20)
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    before = _rendered(kb, memo)
    assert 'id="limkb-coverage-all"' in str(before["coverage.md"])
    EDITS[name](kb)
    again = _rendered(kb, memo)
    fresh = _rendered(kb)
    assert [path for path in fresh if again.get(path) != fresh[path]] == []


def test_compare_rows_are_made_again_only_for_the_entries_an_edit_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    findings = _noting(monkeypatch, compare, "_finding_rows", lambda site, entry: entry.id)
    records = _noting(monkeypatch, compare, "_record_rows", lambda site, dataset: dataset.id)
    _question(kb)
    _rendered(kb, memo)
    assert (findings, records) == (set(), set())
    INCREMENTAL_EDITS["dataset record"](kb)
    again = _rendered(kb, memo)
    assert (findings, records) == (set(), {"thickness-ce"})
    fresh = _rendered(kb)
    assert [path for path in fresh if path.startswith("compare/") and again[path] != fresh[path]] == []


def _cached(kb: Path, old: Path | None, new: Path) -> dict[str, str | bytes | Path]:
    return render_cached(limkb.load(kb, cache=False), (old, new), options=OPTIONS)


def _text(value: str | bytes | Path) -> str | bytes:
    return value.read_text(encoding="utf-8") if isinstance(value, Path) else value


def test_the_memo_rewrites_only_the_groups_of_pieces_an_edit_changes(tmp_path: Path) -> None:
    """Each hub page's pieces are a file of their own: one the edit leaves as it was is linked
    from the last build's cache, and what is read back is what was kept."""
    kb = site_kb(tmp_path)
    first, second = tmp_path / "one/cache/render.pickle", tmp_path / "two/cache/render.pickle"
    _cached(kb, None, first)
    _question(kb)
    again = _cached(kb, first, second)
    before, after = BuildCache(first.parent).render_pieces, BuildCache(second.parent).render_pieces
    names = sorted(os.listdir(after))
    assert names == sorted(os.listdir(before))
    linked = [name for name in names if os.path.samefile(before / name, after / name)]
    assert linked and len(linked) < len(names)  # the agenda's question changed, not every page
    memo = RenderMemo.read(second)
    fresh = _rendered(kb)
    assert set(memo.fragments) >= {"agenda.md", "cite", "id"}
    assert [path for path in fresh if _text(again[path]) != fresh[path]] == []


def test_a_group_file_that_is_not_the_one_the_memo_names_is_made_again(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    first, second = tmp_path / "one/cache/render.pickle", tmp_path / "two/cache/render.pickle"
    _cached(kb, None, first)
    _cached(kb, first, second)
    folder = BuildCache(first.parent).render_pieces
    names = sorted(os.listdir(folder))
    (folder / names[0]).unlink()
    shutil.copyfile(folder / names[1], folder / names[0])  # another group's file, sealed all the same
    memo = RenderMemo.read(first)
    assert len(memo.fragments) == len(names) - 1
    _question(kb)
    again = _cached(kb, first, second)
    fresh = _rendered(kb)
    assert [path for path in fresh if _text(again[path]) != fresh[path]] == []


JOINED = ("browse/strategies.md", "browse/questions.md", "entries/index.md", "bibliography.md", "coverage.md")
WHOLE = ("compatibility.md",)
"""Pages :meth:`~limkb.site.memo.Pieces.joined` keeps whole when their pieces are the same."""


@pytest.mark.parametrize("name", list(EDITS))
def test_a_page_kept_whole_is_the_one_made_without_the_memo_after_each_edit(
    tmp_path: Path, name: str
) -> None:
    """Each page kept through an edit, whether joined from pieces (:data:`JOINED`) or kept whole
    under what it read (:data:`WHOLE`), is the one a rendering without the memo makes, and a
    page is made again whenever the edit changes it."""
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    before = _rendered(kb, memo)
    assert set(JOINED) <= set(memo.joined)
    assert set(WHOLE) <= set(memo.wholes)
    EDITS[name](kb)
    again = _rendered(kb, memo)
    fresh = _rendered(kb)
    for page in (*JOINED, *WHOLE):
        assert again[page] == fresh[page], (name, page)
        if fresh[page] != before[page]:
            assert page in memo.rejoined, (name, page)


def test_an_edit_elsewhere_leaves_the_joined_pages_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    _rendered(kb, memo)
    assert memo.rejoined == set()  # nothing changed: no page joined again
    _question(kb)  # the question's text: its agenda block, not a table's row
    _rendered(kb, memo)
    assert memo.rejoined.isdisjoint(JOINED)
    _renamed(kb)  # a strategy's name: its table and the all-entries list
    _rendered(kb, memo)
    assert {"browse/strategies.md", "entries/index.md"} <= memo.rejoined


def test_a_reference_title_reaches_the_bibliography(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    _reference_title(kb)
    after = _rendered(kb, memo)
    assert "A test of a tiny knowledge base" in str(after["bibliography.md"])
    assert "bibliography.md" in memo.rejoined


def test_a_joined_page_is_joined_again_when_any_of_its_inputs_changes(tmp_path: Path) -> None:
    """The same pieces, but another order or other inputs besides them (a count, the labels
    a table's letters are taken from), join the page again."""
    site = Site(limkb.load(site_kb(tmp_path), cache=False), OPTIONS, {})
    site.by_id = Reads(site.by_id)
    memo = RenderMemo()
    memo.options = _comparable(OPTIONS)
    memo.digests = memo.digests_of(site)
    ids = site.ids[:3]

    def rendering(order: list[str], inputs: str) -> int:
        joins = []
        pieces = Pieces(site, memo, memo.digests)
        for entry_id in order:
            pieces.piece("group", entry_id, lambda entry_id=entry_id: f"<{entry_id}>")
        pieces.joined("page.md", "group", inputs, lambda: joins.append(1) or "text")
        pieces.keep()
        return len(joins)

    assert rendering(ids, "3 entries") == 1
    assert rendering(ids, "3 entries") == 0  # the same pieces, in the same order, the same inputs
    assert rendering(ids, "4 entries") == 1
    assert rendering(ids[::-1], "4 entries") == 1
    assert rendering(ids[:2], "4 entries") == 1
    memo.options = None  # options that changed: nothing is taken from the memo
    assert rendering(ids[:2], "4 entries") == 1


def test_the_home_page_evidence_counts_are_those_of_the_whole_kb(tmp_path: Path) -> None:
    """Summed from each entry's share, they are what ``count_evidence`` counts over the KB."""
    kb = site_kb(tmp_path)
    INCREMENTAL_EDITS["finding"](kb)  # a finding citing a reference read in its abstract
    site = Site(limkb.load(kb, cache=False), OPTIONS, {})
    shown = render_module._evidence_counts(site, Pieces(site, None, {}))
    counts = count_evidence({i: site.by_id[i] for i in site.ids})
    assert shown["findings"] == counts.findings == 1
    assert [(value, n) for _, value, n in shown["grades"]] == [(g, n) for g, n in counts.grades.items() if n]
    assert shown["reading"]["abstract"] == counts.reading["abstract"] == 1


def test_a_reading_status_reaches_the_home_page_counts(tmp_path: Path) -> None:
    """The reference's status is read by the share of every entry with a finding citing it."""
    kb = site_kb(tmp_path)
    INCREMENTAL_EDITS["finding"](kb)
    memo = RenderMemo()
    _rendered(kb, memo)
    path = kb / "references/smith2020test.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: abstract", "status: full"), encoding="utf-8"
    )
    again = _rendered(kb, memo)
    assert again["index.md"] == _rendered(kb)["index.md"]


def test_a_kept_entry_page_whose_file_is_gone_is_made_again(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    first, second = tmp_path / "one/cache/render.pickle", tmp_path / "two/cache/render.pickle"
    _cached(kb, None, first)
    gone = BuildCache(first.parent).markdown / "entries/strategies/fec-additive.md"
    assert gone.is_file()
    gone.unlink()
    again = _cached(kb, first, second)
    fresh = _rendered(kb)
    page = again["entries/strategies/fec-additive.md"]
    assert isinstance(page, Path) and page.is_file() and not page.is_relative_to(first.parent)
    assert [path for path in fresh if _text(again[path]) != fresh[path]] == []
    assert RenderMemo.read(second).pages["fec-additive"][0] == page


def _loaded(kb: Path, files: FileCache) -> limkb.KnowledgeBase:
    return limkb.load(kb, cache=False, files=files)


@pytest.mark.parametrize("name", list(EDITS))
def test_entries_read_from_unchanged_files_keep_their_digest_and_the_output_is_exact(
    tmp_path: Path, name: str
) -> None:
    """With the file cache's digests, only the entries of changed files are hashed again; every
    page still equals a rendering without the memo, and the changed entries are found."""
    kb = site_kb(tmp_path)
    files = FileCache()
    memo = RenderMemo()
    render(_loaded(kb, files), options=OPTIONS, memo=memo)
    assert memo.files and set(memo.files) <= set(memo.digests)
    hashed: list[str] = []
    real = memo_module.digest

    def noting(entry: Any, history: object = None) -> str:
        hashed.append(entry.id)
        return real(entry, history)

    EDITS[name](kb)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memo_module, "digest", noting)
        again = render(_loaded(kb, files), options=OPTIONS, memo=memo)
    assert len(hashed) < len(memo.digests) / 2  # not every entry
    fresh = _rendered(kb)
    assert [path for path in fresh if again[path] != fresh[path]] == []


def test_an_entry_whose_file_changed_is_not_given_its_kept_digest(tmp_path: Path) -> None:
    """A file key that changed makes the entry's digest anew (a kept one would leave its page stale)."""
    kb = site_kb(tmp_path)
    files = FileCache()
    memo = RenderMemo()
    render(_loaded(kb, files), options=OPTIONS, memo=memo)
    before = memo.files["fec-additive"]
    _prose(kb)
    again = render(_loaded(kb, files), options=OPTIONS, memo=memo)
    assert memo.files["fec-additive"] != before
    assert "fec-additive" in memo.changed
    page = _text(again["entries/strategies/fec-additive.md"])
    assert isinstance(page, str) and "Adds a little" in page


def test_a_page_kept_whole_is_made_again_when_an_entry_it_shows_changes(tmp_path: Path) -> None:
    """The compatibility page depends on the references it cites (looked up, not listed) and
    shows the label of a strategy another one combines with: renaming it makes the page again,
    an edit to an entry it does not show keeps it."""
    kb = site_kb(tmp_path)
    memo = RenderMemo()
    _rendered(kb, memo)
    assert {REF, "alumina-coating", "lithiophilic-cu"} <= memo.wholes["compatibility.md"][2]
    _rendered(kb, memo)
    assert "compatibility.md" not in memo.rejoined  # nothing changed: kept
    _question(kb)
    _rendered(kb, memo)
    assert "compatibility.md" not in memo.rejoined  # a question: not on the page
    path = kb / "strategies/alumina-coating.yaml"
    text = path.read_text(encoding="utf-8")
    assert "name: " in text
    path.write_text(text.replace("name: ", "name: Thin ", 1), encoding="utf-8")
    again = _rendered(kb, memo)
    assert "compatibility.md" in memo.rejoined
    assert again["compatibility.md"] == _rendered(kb)["compatibility.md"]
    assert "Thin " in str(again["compatibility.md"])
