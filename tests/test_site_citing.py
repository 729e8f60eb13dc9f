"""Citing from the site, short labels that tell papers apart, what search finds beyond names and
what a material is combined with: rendered from tiny knowledge bases, without a browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy

from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.outputs.bibliography import Work, short_labels, work_bibtex, work_csl, work_ris
from limkb.site.memo import RenderMemo
from limkb.site.render import RenderOptions, render

OPTIONS = RenderOptions(date="2024-01-02", site_url="https://example.org/limkb/", urls="file")


def _reference(family: str, year: int, title: str) -> dict[str, Any]:
    return {"title": title, "authors": [f"{family}, A.", "Other, B.", "Third, C."], "year": year}


def _kb(tmp_path: Path, extra: dict[str, Any] | None = None) -> KnowledgeBase:
    entries: dict[str, Any] = {
        "references/chen2017lithium": _reference("Chen", 2017, "Lithium one"),
        "references/chen2017probing": _reference("Chen", 2017, "Probing two"),
        "references/chen2018other": _reference("Chen", 2018, "Another year"),
        "materials/lino3": minimal("material", "Lithium nitrate", formula="LiNO3", roles=["additive"]),
        "materials/dme": minimal("material", "1,2-Dimethoxyethane", roles=["solvent"]),
        "strategies/lino3-additive": minimal(
            "strategy",
            "LiNO3 additive",
            family="electrolyte-engineering",
            interface="li-electrolyte",
            uses=["lino3", "dme"],
            sources=[*SOURCE, {"ref": "chen2017probing", "locator": "Fig. 2"}],
        ),
        **(extra or {}),
    }
    return load(write_kb(tmp_path, entries), cache=False)


def test_short_labels_give_papers_read_alike_a_letter_in_the_order_of_their_ids(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    labels = short_labels(kb.entries("reference"))
    assert labels == {"chen2017lithium": "Chen et al. (2017a)", "chen2017probing": "Chen et al. (2017b)"}


def test_the_site_shows_the_lettered_labels_everywhere(tmp_path: Path) -> None:
    pages = render(_kb(tmp_path), options=OPTIONS)
    strategy = str(pages["entries/strategies/lino3-additive.md"])
    assert "Chen et al. (2017b)" in strategy and "Chen et al. (2017)<" not in strategy
    assert "Chen et al. (2017a)" in str(pages["bibliography.md"])
    assert "Chen et al. (2018)" in str(pages["bibliography.md"])
    assert "Chen et al. (2017b)" in str(pages["assets/limkb/search-index.js"])


def test_a_new_paper_of_the_same_author_and_year_renders_the_pages_citing_the_first_again(
    tmp_path: Path,
) -> None:
    entries = {"references/chen2019alone": _reference("Chen", 2019, "Alone")}
    strategy = minimal(
        "strategy",
        "Cites Chen",
        family="electrolyte-engineering",
        interface="li-electrolyte",
        sources=[*SOURCE, {"ref": "chen2019alone", "locator": "Fig. 1"}],
    )
    memo = RenderMemo()
    first = render(_kb(tmp_path / "a", {**entries, "strategies/cites": strategy}), options=OPTIONS, memo=memo)
    assert "Chen et al. (2019)" in str(first["entries/strategies/cites.md"])
    entries["references/chen2019another"] = _reference("Chen", 2019, "Another")
    kb = _kb(tmp_path / "b", {**entries, "strategies/cites": strategy})
    again = render(kb, options=OPTIONS, memo=memo)
    assert "Chen et al. (2019a)" in str(again["entries/strategies/cites.md"])
    assert again == render(kb, options=OPTIONS)


def test_every_entry_and_the_release_have_bibtex_ris_and_csl_json(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    pages = render(kb, options=OPTIONS)
    for entry in kb.entries():
        for ext in ("bib", "ris", "json"):
            assert f"cite/{entry.id}.{ext}" in pages, (entry.id, ext)
    bib = bibtexparser.parse_string(str(pages["cite/lino3-additive.bib"]))  # type: ignore[attr-defined]
    (record,) = bib.entries
    assert record.key == "limkb-lino3-additive"
    assert record["url"] == "https://example.org/limkb/entries/strategies/lino3-additive.html"
    assert record["author"] == "{limkb contributors}"
    (ris,) = rispy.loads(str(pages["cite/limkb.ris"]))
    assert ris["type_of_reference"] == "DATA" and ris["year"] == "2024"
    (csl,) = json.loads(str(pages["cite/limkb.json"]))
    assert csl["type"] == "dataset" and csl["author"] == [{"literal": "limkb contributors"}]
    paper = bibtexparser.parse_string(str(pages["cite/paper/chen2017lithium.bib"]))  # type: ignore[attr-defined]
    assert paper.entries[0]["title"] == "Lithium one"
    assert "cite/paper/chen2017lithium.ris" in pages
    assert "CITATION.cff" not in pages  # the options carry none


def test_pages_link_their_citations_and_citation_cff_is_served(tmp_path: Path) -> None:
    cff = "cff-version: 1.2.0\ntitle: limkb\n"
    pages = render(_kb(tmp_path), options=RenderOptions(date="2024-01-02", citation_cff=cff))
    assert pages["CITATION.cff"] == cff
    entry = str(pages["entries/strategies/lino3-additive.md"])
    assert 'href="../../cite/lino3-additive.bib" download' in entry
    assert 'href="../../cite/limkb.ris" download' in entry
    assert 'href="../../CITATION.cff"' in entry
    assert 'class="limkb-copy"' in entry
    reference = str(pages["entries/references/chen2017lithium.md"])
    assert 'href="../../cite/paper/chen2017lithium.bib" download' in reference
    for page in ("index.md", "downloads.md"):
        assert 'href="cite/limkb.bib" download' in str(pages[page]), page


def test_the_work_formats_keep_a_group_author_whole() -> None:
    work = Work(key="limkb-x", title="X {odd} & co", year=2024, version="1.0", url="https://e.org/x.html")
    assert "author = {{limkb contributors}}" in work_bibtex(work)
    assert "AU  - limkb contributors" in work_ris(work)
    assert json.loads(work_csl(work))[0]["URL"] == "https://e.org/x.html"
    assert work_bibtex(work) == work_bibtex(work)


def test_search_finds_entries_by_the_names_of_what_they_link_to(tmp_path: Path) -> None:
    pages = render(_kb(tmp_path), options=OPTIONS)
    text = str(pages["assets/limkb/search-index.js"])
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    items = {i["path"]: i for i in data["pages"]}
    assert "Lithium nitrate" in items["entries/strategies/lino3-additive.md"]["about"]
    assert "LiNO3" in items["entries/strategies/lino3-additive.md"]["about"]
    assert not any("Chen" in n for n in items["entries/strategies/lino3-additive.md"]["about"])
    assert "BibTeX" in items["downloads.md"]["names"]


def test_a_material_page_says_what_it_is_combined_with(tmp_path: Path) -> None:
    pages = render(_kb(tmp_path), options=OPTIONS)
    page = str(pages["entries/materials/lino3.md"])
    block = page[page.index("limkb-combinations") :]
    assert "LiNO3 additive" in block and "1,2-Dimethoxyethane" in block
    assert "limkb-combinations" not in str(pages["entries/materials/dme.md"]) or "LiNO3 additive" in str(
        pages["entries/materials/dme.md"]
    )


@pytest.mark.parametrize(
    "page", ["cite/limkb.bib", "cite/lino3-additive.json", "cite/paper/chen2017lithium.ris"]
)
def test_citation_files_are_the_same_bytes_on_every_rendering(tmp_path: Path, page: str) -> None:
    kb = _kb(tmp_path)
    assert render(kb, options=OPTIONS)[page] == render(kb, options=OPTIONS)[page]


def _evidence_kb(tmp_path: Path) -> KnowledgeBase:
    review = {**_reference("Oyakhire", 2024, "The review"), "read": {"status": "full"}}
    primary = {
        **_reference("Zhang", 2017, "The paper"),
        "cited_in": [{"ref": "oyakhire2024review", "locator": "ref. 20"}],
    }
    parent = minimal("strategy", "Parent", family="electrolyte-engineering", interface="li-electrolyte")
    child = minimal(
        "strategy",
        "Child",
        family="electrolyte-engineering",
        interface="li-electrolyte",
        subtype_of="parent",
        forms=[
            {
                "id": "lif",
                "sources": [
                    {"ref": "oyakhire2024review", "locator": "Section 2"},
                    {
                        "ref": "zhang2017paper",
                        "locator": "as cited in Oyakhire & Bent 2024, Section 2 (ref. 20)",
                    },
                ],
            }
        ],
    )
    return load(
        write_kb(
            tmp_path,
            {
                "references/oyakhire2024review": review,
                "references/zhang2017paper": primary,
                "species/lif": minimal("species", "Lithium fluoride", formula="LiF"),
                "strategies/parent": parent,
                "strategies/child": child,
            },
        ),
        cache=False,
    )


def test_a_chain_through_the_review_shows_the_paper_with_the_review_as_a_note(tmp_path: Path) -> None:
    page = str(render(_evidence_kb(tmp_path), options=OPTIONS)["entries/strategies/child.md"])
    relations = page[page.index('class="limkb-relation-list"') :]
    forms = relations[relations.index("<dt>forms") : relations.index("</dd>", relations.index("<dt>forms"))]
    assert "Zhang et al. (2017)" in forms and 'class="limkb-via"' in forms and "ref. 20" in forms
    assert "as cited in" not in forms
    assert forms.count("Oyakhire et al. (2024)") == 1, "the review appears once, as the note"


def test_structural_links_carry_no_badge_and_the_page_sums_up_its_grades(tmp_path: Path) -> None:
    page = str(render(_evidence_kb(tmp_path), options=OPTIONS)["entries/strategies/child.md"])
    relations = page[page.index('class="limkb-relation-list"') :]
    subtype = relations[
        relations.index("<dt>subtype of") : relations.index("</dd>", relations.index("<dt>subtype of"))
    ]
    assert "limkb-grade" not in subtype
    assert 'class="limkb-grade-summary"' in page and "1 primary-text" in page
    assert page.count('class="limkb-grade-legend"') == 1
    legend = page[page.index('class="limkb-grade-legend"') :]
    assert "primary text (the paper" in legend[: legend.index("</details>")]
