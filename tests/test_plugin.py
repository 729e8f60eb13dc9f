"""The MkDocs plugin: a strict build of a tiny project, inert hostile text, located failures."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from kbfactory import write_entry
from sitefactory import write_project


def run_mkdocs(project: Path) -> Path:
    site = project / "site"
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_mkdocs(write_project(tmp_path_factory.mktemp("plain")))


def test_strict_build_makes_every_page(built: Path) -> None:
    for page in [
        "index.html",
        "browse/strategies.html",
        "entries/strategies/fec-additive.html",
        "agenda.html",
        "graph.html",
        "contributing.html",
        "about.html",
        "assets/limkb/graph-data.js",
        "assets/limkb/explorer.js",
        "downloads/kb.sqlite",
        "downloads/graph.graphml",
        "downloads/graph.json",
        "downloads/kb.jsonld",
        "downloads/datasets/thickness-ce.csv",
        "assets/limkb/search-index.js",
    ]:
        assert (built / page).is_file(), page


def test_entry_pages_stay_out_of_the_navigation(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    assert "browse/strategies.html" in home
    assert "entries/strategies/fec-additive/" not in home
    entry = (built / "entries/strategies/fec-additive.html").read_text(encoding="utf-8")
    assert "<h1>FEC additive</h1>" in entry


def test_internal_links_resolve(built: Path) -> None:
    for page in built.rglob("*.html"):
        if page.name == "404.html":  # served at any depth, so MkDocs writes root-absolute links there
            continue
        html = page.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"#?]+)', html):
            if re.match(r"^[a-z]+:", target) or target.startswith("//"):
                continue
            resolved = (page.parent / target).resolve()
            assert resolved.exists() or (resolved / "index.html").exists(), f"{page}: {target}"


def test_nothing_is_loaded_from_another_host(built: Path) -> None:
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(
            r"<(script|img)\b[^>]*src=\"(https?:)?//|<link\b(?![^>]*rel=\"canonical\")[^>]*href=\"(https?:)?//",
            html,
        ), page


def test_contributing_page_links(built: Path) -> None:
    html = (built / "contributing.html").read_text(encoding="utf-8")
    # a page of the site stays a link; a repository file links to it in the repo_url of mkdocs.yml
    assert '<a href="common-errors.html">the errors</a>' in html
    assert '<a href="https://github.com/limkb/limkb/blob/main/kb/strategies/x.yaml">a file</a>' in html


def test_hostile_entry_text_is_inert_in_the_site(tmp_path: Path) -> None:
    site = run_mkdocs(write_project(tmp_path, hostile=True))
    html = (site / "entries/strategies/fec-additive.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="limkb-entry') :]
    assert "<script>alert" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", body)
    assert not re.search(r"(href|src)=\"?(javascript|data):", html)
    assert "<table" not in body.split("## Relations")[0].split('class="limkb-prose')[1].split("</div>")[0]
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and "<" not in title.group(1) and "&lt;" not in title.group(1)
    assert "{{" not in html and "{%" not in html
    for page in site.rglob("*.html"):
        assert "<script>alert" not in page.read_text(encoding="utf-8"), page


def test_validation_errors_fail_the_build_with_locations(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = write_project(tmp_path)
    write_entry(
        project / "kb",
        "species/bad",
        {"name": "Bad", "species_class": "inorganic", "sources": ["nosuchref"], "confers": ["nothing"]},
    )
    with pytest.raises(Abort):  # MkDocs logs the PluginError's message, then aborts
        run_mkdocs(project)
    message = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert re.search(r"kb/species/bad\.yaml:\d+:\d+: error\[unknown-ref\]", message)
    assert message.count("error[") >= 2  # every problem, not just the first


def test_serving_keeps_pages_on_disk_and_rewrites_only_changes(tmp_path: Path) -> None:
    from limkb.plugin import CACHE_DIR, LimkbPlugin

    project = write_project(tmp_path)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    plugin = config.plugins["limkb"]
    assert isinstance(plugin, LimkbPlugin)
    config.plugins.on_startup(command="serve", dirty=True)
    from mkdocs.structure.files import Files

    files = config.plugins.on_files(Files([]), config=config)
    page = project / CACHE_DIR / "entries/species/lif.md"
    other = project / CACHE_DIR / "entries/materials/fec.md"
    assert page.is_file() and files.get_file_from_path("entries/species/lif.md") is not None
    before = other.stat().st_mtime_ns, page.read_text(encoding="utf-8")
    (project / "kb/species/lif.yaml").write_text(
        (project / "kb/species/lif.yaml").read_text(encoding="utf-8").replace("Lithium fluoride", "LiF salt"),
        encoding="utf-8",
    )
    config.plugins.on_files(Files([]), config=config)
    assert "LiF salt" in page.read_text(encoding="utf-8") != before[1]
    assert other.stat().st_mtime_ns != before[0]  # fec links to lif: its page changed too
    unrelated = project / CACHE_DIR / "entries/properties/ce.md"
    stamp = unrelated.stat().st_mtime_ns
    config.plugins.on_files(Files([]), config=config)
    assert unrelated.stat().st_mtime_ns == stamp
