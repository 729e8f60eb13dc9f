"""The pages registry (site/pages.py): every page that is not an entry has its title, template,
search text and navigation place in one row, ``mkdocs.yml``'s nav is the one the registry gives,
and every page the site renders or ``docs/`` holds is registered."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from limkb.site.pages import PAGES, Page, families, nav, nav_yaml, registered
from limkb.site.render import MAKERS

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src/limkb/site/templates"
DOCS = ROOT / "docs"


def incomplete(page: Page) -> list[str]:
    """What a page lacks in the registry."""
    missing = []
    if not page.title:
        missing.append("a title")
    if page.template is not None and not (TEMPLATES / page.template).is_file():
        missing.append(f"its template {page.template}")
    if page.origin == "docs" and not (DOCS / page.path).is_file():
        missing.append(f"its file docs/{page.path}")
    if page.searched and not page.text and page.origin != "kind":  # a browse table: its title
        missing.append("a search text (or searched=False)")
    if page.section_index and page.section is None:
        missing.append("a section to be the index of")
    if page.section is not None and not page.in_nav:
        missing.append("in_nav (it has a section)")
    if page.origin != "docs" and page.maker is None and page.template is None:
        missing.append("a maker or a template")
    if page.maker is not None and page.maker not in MAKERS:
        missing.append(f"a maker {page.maker!r} in limkb.site.render.MAKERS")
    if page.origin == "docs" and page.maker is not None:
        missing.append("no maker (docs/ holds the page)")
    if page.family and (page.in_nav or page.searched):
        missing.append("in_nav=False and searched=False (a family of pages)")
    if page.origin == "kind" and page.kind is None:
        missing.append("the kind it lists")
    return missing


def mkdocs_nav() -> Any:
    """The ``nav:`` written in ``mkdocs.yml``."""
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]


def test_every_page_is_registered_whole() -> None:
    assert {p.path: incomplete(p) for p in PAGES if incomplete(p)} == {}
    assert len({p.path for p in PAGES}) == len(PAGES)


def test_mkdocs_nav_is_the_registry_nav() -> None:
    assert mkdocs_nav() == nav(), "paste limkb.site.pages.nav_yaml() over mkdocs.yml's nav:"


def test_the_nav_block_to_paste_is_the_one_mkdocs_yml_ends_with() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert text.endswith("\n" + nav_yaml())
    assert yaml.safe_load(nav_yaml())["nav"] == nav()


def test_the_browse_nav_lists_every_kind_with_claims() -> None:
    browse = next(item["Browse"] for item in nav() if isinstance(item, dict) and "Browse" in item)
    assert {"Claims": "browse/claims.md"} in browse
    assert browse[0] == "browse/index.md"


def test_every_hand_written_page_is_registered() -> None:
    registered = {p.path for p in PAGES if p.origin == "docs"}
    assert {p.name for p in DOCS.glob("*.md")} == registered


def test_every_maker_is_used_by_a_row() -> None:
    assert set(MAKERS) - {p.maker for p in PAGES} == set(), "a maker no page names"


def rendered(tmp_path: Path) -> dict[str, str | bytes]:
    """The site of a one-entry KB."""
    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.render import render

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    return render(kb)


def test_every_rendered_page_is_registered(tmp_path: Path) -> None:
    made = {p for p in rendered(tmp_path) if p.endswith(".md")}
    entry_pages = {p for p in made if p.startswith("entries/") and p.count("/") == 2}
    assert {p for p in made - entry_pages if not registered(p)} == set(), (
        "register these pages in limkb.site.pages.PAGES"
    )
    exact = {p.path for p in PAGES if p.origin != "docs" and not p.family}
    assert exact - made == set(), "registered but never rendered"
    for family in families():  # one page per quantity: the named quantities have a page even empty
        assert [p for p in made - exact if fnmatch.fnmatchcase(p, family.path)], f"no page of {family.path}"
    assert "compare/coulombic-efficiency.md" in made


def test_a_family_matches_its_own_pages_only() -> None:
    assert registered("compare/coulombic-efficiency.md")
    assert not registered("compare/deeper/page.md")
    assert not registered("comparisons.md")
    assert not registered("new-page.md")


def test_render_refuses_a_page_its_maker_did_not_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site import render as render_module

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    monkeypatch.setitem(
        render_module.MAKERS, "graph", lambda run, page: {page.path: "# Graph", "graph-extra.md": "# Stray"}
    )
    with pytest.raises(ValueError, match=r"graph-extra\.md"):
        render_module.render(kb)


def test_render_names_a_maker_that_is_not_there(tmp_path: Path) -> None:
    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.memo import Pieces
    from limkb.site.render import PageRun, RenderOptions, render_page

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    site = Site(kb, RenderOptions(), {})
    page = Page("new.md", "New", "overview", "graph.md", "t", maker="glossary")
    with pytest.raises(ValueError, match="names the maker 'glossary', which MAKERS does not hold"):
        render_page(PageRun(site, Pieces(site, None, {})), page)


def test_a_row_with_a_template_alone_is_its_template_filled(tmp_path: Path) -> None:
    """The page recipe's shortest form: a template and a row, no maker."""
    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.memo import Pieces
    from limkb.site.render import PageRun, RenderOptions, render_page

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    site = Site(kb, RenderOptions(), {})
    page = Page("graph.md", "Every relation", "overview", "graph.md", "t")
    text = render_page(PageRun(site, Pieces(site, None, {})), page)["graph.md"]
    assert 'title: "Every relation"' in text and f"Every entry ({len(site.ids)})" in text
    assert render_page(PageRun(site, Pieces(site, None, {})), Page("about.md", "About", "docs")) == {}


@pytest.mark.parametrize(
    ("page", "lacks"),
    [
        (Page("new.md", "", "overview", "new.md", "text"), "a title"),
        (Page("new.md", "New", "overview", "no-such.md", "text"), "its template no-such.md"),
        (Page("new.md", "New", "docs", text="text"), "its file docs/new.md"),
        (Page("new.md", "New", "overview", "graph.md"), "a search text (or searched=False)"),
        (
            Page("new.md", "New", "landing", "graph.md", "t", section_index=True),
            "a section to be the index of",
        ),
        (
            Page("new.md", "New", "overview", "graph.md", "t", section="X", in_nav=False),
            "in_nav (it has a section)",
        ),
        (Page("new.md", "New", "overview", text="t"), "a maker or a template"),
        (
            Page("new.md", "New", "overview", "graph.md", "t", maker="nope"),
            "a maker 'nope' in limkb.site.render.MAKERS",
        ),
        (
            Page("new/*.md", "New", "landing", "graph.md", "t"),
            "in_nav=False and searched=False (a family of pages)",
        ),
        (Page("browse/x.md", "X", "kind", "browse.md", maker="browse"), "the kind it lists"),
    ],
)
def test_the_completeness_check_catches_a_half_registered_page(page: Page, lacks: str) -> None:
    assert lacks in incomplete(page)


def test_the_search_finds_registered_pages_by_their_words(tmp_path: Path) -> None:
    import json

    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.finder import search_data
    from limkb.site.render import RenderOptions

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    text = search_data(Site(kb, RenderOptions(), {}), lambda e: e.label, {"downloads.md", "compare/index.md"})
    items = json.loads(text.removeprefix("window.LIMKB_SEARCH = ").removesuffix(";\n"))["pages"]
    pages = [item for item in items if item["kind"] == "page"]
    assert [p["path"] for p in pages] == ["downloads.md"]
    assert "GraphML" in pages[0]["names"] and pages[0]["text"].startswith("SQLite, graph")
