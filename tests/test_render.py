"""The render function: which pages it makes, what they hold, and that entry text stays inert."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kbfactory import minimal
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.schema.kinds import Strategy
from limkb.site.gaps import CONTRIBUTING_HEADINGS
from limkb.site.markup import prose, text_title
from limkb.site.render import Download, RenderOptions, render
from sitefactory import HOSTILE_NAME, site_kb


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return load(site_kb(tmp_path), cache=False)


@pytest.fixture
def pages(kb: KnowledgeBase) -> dict[str, str | bytes]:
    return render(kb, options=RenderOptions(date="2024-01-02", repo_url="https://example.org/limkb"))


def text(pages: dict[str, str | bytes], path: str) -> str:
    content = pages[path]
    assert isinstance(content, str)
    return content


def test_every_page_is_made(pages: dict[str, str | bytes]) -> None:
    for path in [
        "index.md",
        "agenda.md",
        "correlations.md",
        "compatibility.md",
        "coverage.md",
        "bibliography.md",
        "downloads.md",
        "graph.md",
        "contributing.md",
        "browse/strategies.md",
        "browse/references.md",
        "browse/failure-modes.md",
        "entries/strategies/fec-additive.md",
        "entries/references/smith2020test.md",
        "entries/analyses/ce-vs-thickness.md",
        "plots/ce-vs-thickness.svg",
        "assets/limkb/graph-data.js",
    ]:
        assert path in pages, path
    assert list(pages) == sorted(pages)


def test_assets_are_copied_from_the_package(pages: dict[str, str | bytes]) -> None:
    package = Path(__file__).resolve().parent.parent / "src" / "limkb" / "site" / "assets"
    expected = {
        f"assets/limkb/{p.relative_to(package).as_posix()}"
        for p in package.rglob("*")
        if p.is_file() and not p.name.endswith(".md") and "__pycache__" not in p.parts
    }
    assert expected and expected <= set(pages)
    shrunk: list[int] = []
    for path in expected:
        source = (package / path.removeprefix("assets/limkb/")).read_bytes()
        shipped = pages[path]
        assert isinstance(shipped, bytes)
        if path.endswith((".js", ".css")) and not path.endswith(".min.js"):
            # limkb's own scripts and styles lose their lines' indentation, nothing else
            lines = source.split(b"\n")
            assert shipped.split(b"\n") == [line.strip(b" \t") for line in lines]
            shrunk.append(len(source) - len(shipped))
        else:
            assert shipped == source, path
    assert len(shrunk) >= 5 and min(shrunk) > 0, shrunk  # every one of them is indented


def test_graph_data_is_a_sorted_script(pages: dict[str, str | bytes], kb: KnowledgeBase) -> None:
    script = text(pages, "assets/limkb/graph-data.js")
    assert script.startswith("window.LIMKB_GRAPH = ") and script.endswith(";\n")
    data = json.loads(script.removeprefix("window.LIMKB_GRAPH = ").rstrip(";\n"))
    ids = [n["id"] for n in data["nodes"]]
    assert ids == sorted(kb)
    node = next(n for n in data["nodes"] if n["id"] == "fec-additive")
    position = (node.pop("x"), node.pop("y"))
    assert all(isinstance(v, int) and 0 <= v <= 1000 for v in position)  # a small KB: the 1000 px box
    assert node == {
        "id": "fec-additive",
        "name": "FEC additive",
        "kind": "strategy",
        "url": "entries/strategies/fec-additive.md",
        "names": ["fec-additive"],
    }
    edges = [(e["source"], e["target"], e["relation"]) for e in data["edges"]]
    assert edges == sorted(edges)
    assert ("fec-additive", "fec", "uses") in edges


def test_entry_page_shows_relations_both_ways_with_sources(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "entries/strategies/fec-additive.md")
    assert "<h1>FEC additive</h1>" in page
    assert '<a class="limkb-link limkb-kind-material" href="../materials/fec.md">' in page
    assert "at 5 vol%" in page  # the relation's note
    assert "Table 1" in page and "https://doi.org/10.1000/test.2020" in page
    assert "https://example.org/limkb/edit/main/kb/strategies/fec-additive.yaml" in page
    assert "version" in page and "2024-01-02" in page  # cite this entry
    assert "<svg" in page and 'href="../species/lif.md"' in page
    lif = text(pages, "entries/species/lif.md")
    assert "formed by" in lif and 'href="../strategies/fec-additive.md"' in lif


def test_edit_link_without_repository_shows_the_path(kb: KnowledgeBase) -> None:
    page = render(kb, options=RenderOptions())["entries/species/lif.md"]
    assert isinstance(page, str)
    assert "<code>kb/species/lif.yaml</code>" in page and "/edit/" not in page


def test_index_tables_sort_and_filter(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "browse/strategies.md")
    assert '<table class="limkb-sortable limkb-index" id="limkb-strategies">' in page
    assert '<input class="limkb-filter" data-table="limkb-strategies"' in page
    assert len(re.findall(r"<tr[^>]*><td><a href=", page)) == 4
    # rows carry the short names and aliases of what they link to, for the filter
    assert re.search(
        r'<tr data-terms="[^"]*\bLiF\b[^"]*"><td><a href="\.\./entries/strategies/fec-additive\.md"', page
    )


def test_graph_page_has_the_explorer_div(pages: dict[str, str | bytes]) -> None:
    assert '<div id="limkb-graph">' in text(pages, "graph.md")


def test_agenda_groups_by_interface_and_family(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "agenda.md")
    # "|" is written as a character reference, so no Markdown engine reads a table cell in it
    assert "## Lithium &#124; electrolyte interface" in page and "### Electrolyte engineering" in page
    assert "Does LiF itself passivate" in page


def test_compatibility_matrix_and_pairs(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "compatibility.md")
    assert 'class="limkb-cell-compatible"' in page and 'class="limkb-cell-unknown"' in page
    rows = re.findall(r"<tr><th><a[^>]*>([^<]*)</a></th>(.*?)</tr>", page)
    assert [name for name, _ in rows] == ["Alumina coating", "FEC additive", "Lithiophilic Cu"]
    assert "✓" in rows[0][1] and "?" in rows[0][1]


def test_coverage_marks_measured_and_data(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "coverage.md")
    row = re.search(r"<tr[^>]*><td[^>]*><a[^>]*fec-additive.md\">FEC additive</a></td>(.*?)</tr>", page)
    assert row is not None and "data + measured" in row.group(1)
    assert "Coulombic efficiency" in page  # every scope has a column, the cell's too


def test_bibliography_has_back_links(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "bibliography.md")
    assert '<tr id="smith2020test">' in page
    # cited by many entries: counted on the page, listed in the script it loads when opened
    assert "entries/references/smith2020test.md#cited-by" in page
    assert "entries/strategies/fec-additive/" in text(pages, "assets/limkb/cited-by-data.js")


def test_downloads_list_given_files(kb: KnowledgeBase) -> None:
    without = render(kb, options=RenderOptions())["downloads.md"]
    assert isinstance(without, str) and "limkb build" in without
    page = render(kb, options=RenderOptions(downloads=(Download("downloads/kb.sqlite", 2048),)))[
        "downloads.md"
    ]
    assert isinstance(page, str)
    assert '<a href="downloads/kb.sqlite" download>kb.sqlite</a>' in page and "2.0 kB" in page


def test_contributing_links_are_made_to_work(kb: KnowledgeBase) -> None:
    source = "See [errors](docs/common-errors.md), [a file](kb/x.yaml), [web](https://a.org), [top](#top)."
    page = render(
        kb,
        options=RenderOptions(
            contributing=source, repo_url="https://r.org/x", docs_pages=frozenset({"common-errors.md"})
        ),
    )
    body = str(page["contributing.md"])
    first, _, added = body.partition("\n\n")
    assert first == (
        "See [errors](common-errors.md), [a file](https://r.org/x/blob/main/kb/x.yaml), "
        "[web](https://a.org), [top](#top)."
    )
    # the sections the entry pages' hints link to, which this text lacks, follow as pointers
    assert added.startswith("## Common cases\n") and "## Add a strategy\n" in added


def test_a_contributing_text_with_the_linked_sections_is_left_as_it_is(kb: KnowledgeBase) -> None:
    source = "".join(f"### {title}\n\nHow.\n\n" for title in CONTRIBUTING_HEADINGS.values())
    page = render(kb, options=RenderOptions(contributing=source))
    assert page["contributing.md"] == source


def test_render_is_deterministic(kb: KnowledgeBase) -> None:
    options = RenderOptions(date="2024-01-02")
    assert render(kb, options=options) == render(kb, options=options)


def test_hostile_text_stays_inert(tmp_path: Path) -> None:
    pages = render(load(site_kb(tmp_path, hostile=True), cache=False), options=RenderOptions())
    for path, content in pages.items():
        if not path.endswith(".md"):
            continue
        assert isinstance(content, str)
        assert "<script" not in content.lower(), path
        assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data):", content, re.I), path
        assert not re.search(r"<[^>]+\son\w+=", content), path
        assert "{{" not in content and "{%" not in content, path
    page = pages["entries/strategies/fec-additive.md"]
    assert isinstance(page, str)
    title = page.split("\n")[1]
    assert title.startswith("title: ") and not re.search(r"[<>&{}]", title)
    assert '<a href="https://example.org/ok" rel="noopener noreferrer">fine</a>' in page


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>x()</script>", r"<script"),
        ("[a](javascript:alert(1))", r"href=\"?javascript:"),
        ("[a](data:text/html,x)", r"href=\"?data:"),
        ("![i](x.png){: onerror=alert(1)}", r"<[^>]*\bon\w+="),
        ("*x*\n{: onclick=alert(1) }", r"<[^>]*\bon\w+="),
        ('<a href="x" onclick="y">z</a>', r"<a href"),
        ("| a | b |\n|---|---|\n| <i onclick=x>c</i> | d |", r"<[^>]*\bon\w+=|<table"),
        ("{{ config }}", r"\{\{"),
        ("{% include 'x' %}", r"\{%"),
    ],
)
def test_prose_is_sanitised(source: str, forbidden: str) -> None:
    assert not re.search(forbidden, prose(source))


def test_prose_keeps_plain_markdown() -> None:
    # one line: line breaks between blocks are character references (no blank line can end
    # the HTML block the fragment sits in)
    assert prose("*a* **b** `c`\n\n- d") == (
        "<p><em>a</em> <strong>b</strong> <code>c</code></p>&#10;<ul>&#10;<li>d</li>&#10;</ul>"
    )


def test_prose_text_holds_no_markdown_syntax_or_line_break() -> None:
    html = prose("[a](https://example.org/x_y) *b* `c|d`\n\n    code\n\n    more\n\n[e](javascript:f)")
    assert "\n" not in html
    assert 'href="https://example.org/x_y"' in html  # tags are left as nh3 wrote them
    text = re.sub(r"<[^>]*>", "", html)
    assert not re.search(r"[\[\]`*_|{}]", text), text
    assert "code&#10;&#10;more" in html  # preformatted line breaks survive as references


def test_titles_have_no_markup_characters() -> None:
    assert not re.search(r"[<>&{}\"`]", text_title(HOSTILE_NAME))


def test_ids_that_are_not_slugs_never_become_paths(kb: KnowledgeBase) -> None:
    from limkb.site import context as site_module

    bad = Strategy.model_construct(
        id="../../etc", name="x", family="artificial-sei", interface="li-electrolyte", sources=[]
    )
    with pytest.raises(ValueError, match="not a slug"):
        site_module.entry_path(bad)


def test_every_kind_has_one_display_row_and_the_explorer_reads_its_order() -> None:
    """A new kind gets its title, colour, columns and order from one table (limkb.site.kinds)."""
    from limkb.schema.kinds import KINDS
    from limkb.site.kinds import DISPLAY, KIND_ORDER

    assert set(DISPLAY) == set(KINDS), "add a row for each kind to limkb.site.kinds.DISPLAY"
    for kind, shown in DISPLAY.items():
        fields = KINDS[kind].model_fields
        assert all(attr in fields for _, attr in shown.columns), kind
    assert len({shown.colour for shown in DISPLAY.values()}) == len(DISPLAY)
    explorer = (Path(__file__).resolve().parent.parent / "src/limkb/site/assets/explorer.js").read_text()
    assert "data.order" in explorer and '"strategy", "material"' not in explorer
    assert KIND_ORDER[0] == "strategy"


def test_entry_pages_carry_their_short_name_and_a_search_boost_by_kind(real_kb: Any) -> None:
    from limkb.site.kinds import SEARCH_BOOST
    from limkb.site.render import RenderOptions, render

    pages = render(real_kb, options=RenderOptions(date="2024-01-01"))
    lif = str(pages["entries/species/lif.md"])
    assert 'title: "Lithium fluoride (LiF)"' in lif or "title: Lithium fluoride (LiF)" in lif
    assert f"search:\n  boost: {SEARCH_BOOST['species']}\n" in lif
    assert '<span class="limkb-short">(LiF)</span>' in lif
    xps = str(pages["entries/techniques/xps.md"])
    assert "(XPS)" in xps.split("\n", 3)[1]
    question = str(pages["entries/questions/lif-presence-and-ce.md"])
    assert "boost:" not in question  # questions, analyses and datasets keep the default weight


def test_material_pages_list_the_recorded_electrolytes_holding_them_each_parsed_once(tmp_path: Path) -> None:
    """A material's page lists each distinct recorded electrolyte that holds it, with the other
    components; the pages of both materials read each written electrolyte, parsed once."""
    extra = {
        "materials/lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
        "materials/dme": minimal("material", "DME", formula="C4H10O2", roles=["solvent"]),
        "datasets/ce-by-electrolyte": minimal(
            "dataset",
            "CE by electrolyte",
            columns=[{"name": "ce", "property": "ce", "unit": "%"}],
            records=[
                {"label": "a", "ce": 99.0, "electrolyte": "1 M LiFSI in DME"},
                {"label": "b", "ce": 98.0, "electrolyte": "1 M LiFSI in DME"},
                {"label": "c", "ce": 97.0, "electrolyte": "2 M LiFSI in DME"},
            ],
        ),
    }
    kb = load(site_kb(tmp_path, extra=extra), cache=False)
    pages = render(kb, options=RenderOptions(date="2024-01-02"))
    for material, other in (("dme", "lifsi"), ("lifsi", "dme")):
        page = text(pages, f"entries/materials/{material}.md")
        listed = page.split("In the recorded electrolytes", 1)[1]
        assert (
            listed.count("<td>1 M LiFSI in DME</td>") == 1 and listed.count("<td>2 M LiFSI in DME</td>") == 1
        )
        assert f"{other}.md" in listed
    assert sorted(text for text, _ in kb.inputs._resolved) == ["1 M LiFSI in DME", "2 M LiFSI in DME"]


def test_a_browse_page_counts_its_entries_in_words(pages: dict[str, str | bytes]) -> None:
    assert "<p>1 entry.</p>" in text(pages, "browse/materials.md")
    assert "<p>4 entries.</p>" in text(pages, "browse/strategies.md")
    assert "<p>0 entries.</p>" in text(pages, "browse/mechanisms.md")
