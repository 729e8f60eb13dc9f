"""``limkb render --out DIR --urls …`` gives pages any engine builds with no broken link.

The rendered pages are built by plain MkDocs, without the limkb plugin or theme (as another
engine would see them), with ``use_directory_urls`` on and off; every ``href`` and ``src`` of
every page must reach a file of the built site.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from limkb.cli import cli
from limkb.site.render import heading_anchor
from limkb.site.urls import built_url, relative_url, resolve_links
from sitefactory import write_project

_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def _broken(site: Path) -> list[str]:
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            target = unquote(target.split("#")[0].split("?")[0])
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
                continue
            resolved = (page.parent / target).resolve()
            if not (resolved.is_file() or (resolved / "index.html").is_file()):
                broken.append(f"{page.relative_to(site)} -> {target}")
    return broken


@pytest.mark.slow
@pytest.mark.parametrize(("urls", "directory_urls"), [("directory", True), ("file", False)])
def test_rendered_pages_build_with_plain_mkdocs_and_no_broken_link(
    tmp_path: Path, urls: str, directory_urls: bool
) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    project = write_project(tmp_path / "project")
    docs = tmp_path / "engine" / "docs"
    run = CliRunner().invoke(cli, ["render", "--kb", str(project / "kb"), "--out", str(docs), "--urls", urls])
    assert run.exit_code == 0, run.output
    (tmp_path / "engine" / "mkdocs.yml").write_text(
        f"site_name: t\nuse_directory_urls: {str(directory_urls).lower()}\n", encoding="utf-8"
    )
    config = load_config(str(tmp_path / "engine" / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    mkdocs_build(config)
    site = tmp_path / "site"
    entry = site / (
        "entries/strategies/fec-additive/index.html"
        if directory_urls
        else "entries/strategies/fec-additive.html"
    )
    assert entry.is_file()
    assert "limkb-entry" in entry.read_text(encoding="utf-8")
    assert _broken(site) == []


def test_the_link_checker_sees_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<a href="b.html">b</a><img src="c.svg">', encoding="utf-8")
    (tmp_path / "c.svg").write_text("<svg/>", encoding="utf-8")
    assert _broken(tmp_path) == ["a.html -> b.html"]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (
            "directory",
            '<a href="../../strategies/fec/">x</a><img src="../../../plots/a.svg"><a href="../../../#top">',
        ),
        (
            "file",
            '<a href="../strategies/fec.html">x</a><img src="../../plots/a.svg"><a href="../../index.html#top">',
        ),
        (
            "md",
            '<a href="../strategies/fec.md">x</a><img src="../../plots/a.svg"><a href="../../index.md#top">',
        ),
    ],
)
def test_links_are_resolved_for_each_url_form(style: str, expected: str) -> None:
    html = '<a href="../strategies/fec.md">x</a><img src="../../plots/a.svg"><a href="../../index.md#top">'
    assert resolve_links(html, "entries/species/lif.md", style) == expected  # type: ignore[arg-type]


def test_absolute_links_fragments_and_links_leaving_the_site_stay() -> None:
    html = '<a href="https://doi.org/10.1/x">d</a><a href="#here">h</a><a href="../../../up.md">u</a>'
    assert resolve_links(html, "entries/species/lif.md", "directory") == html


def test_urls_of_each_form() -> None:
    assert built_url("browse/index.md", "directory") == "browse/"
    assert built_url("entries/species/lif.md", "file") == "entries/species/lif.html"
    assert relative_url("", "entries/species/lif/") == "../../../"
    assert relative_url("index.html", "index.html") == "index.html"


@pytest.mark.slow
def test_rendered_pages_build_with_materials_offline_plugin_and_no_broken_link(tmp_path: Path) -> None:
    """Material's offline plugin builds pages as files (it turns use_directory_urls off)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    project = write_project(tmp_path / "project")
    docs = tmp_path / "engine" / "docs"
    run = CliRunner().invoke(
        cli, ["render", "--kb", str(project / "kb"), "--out", str(docs), "--urls", "file"]
    )
    assert run.exit_code == 0, run.output
    (tmp_path / "engine" / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  font: false\nplugins:\n  - offline\n", encoding="utf-8"
    )
    config = load_config(str(tmp_path / "engine" / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    assert "material/offline" in config.plugins  # it turns use_directory_urls off when the build starts
    mkdocs_build(config)
    site = tmp_path / "site"
    assert "limkb-entry" in (site / "entries/strategies/fec-additive.html").read_text(encoding="utf-8")
    assert _broken(site) == []


@pytest.mark.slow
def test_rendered_pages_build_with_zensical_and_no_broken_link(tmp_path: Path) -> None:
    """Zensical converts the links in HTML blocks itself, so the pages keep them as .md paths."""
    import shutil
    import subprocess
    import sys

    zensical = shutil.which("zensical", path=str(Path(sys.executable).parent))
    assert zensical, "zensical is in the test extras"
    project = write_project(tmp_path / "project")
    docs = tmp_path / "engine" / "docs"
    run = CliRunner().invoke(cli, ["render", "--kb", str(project / "kb"), "--out", str(docs), "--urls", "md"])
    assert run.exit_code == 0, run.output
    (tmp_path / "engine" / "mkdocs.yml").write_text(
        "site_name: t\nuse_directory_urls: true\n", encoding="utf-8"
    )
    done = subprocess.run(
        [zensical, "build"], cwd=tmp_path / "engine", capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = tmp_path / "engine" / "site"
    entry = site / "entries/strategies/fec-additive/index.html"
    assert "limkb-entry" in entry.read_text(encoding="utf-8")
    assert _broken(site) == []


_MD_LINK = re.compile(r'(?:href="|\]\()([^"()\s]*\.md)#([^"()\s]+)')
_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_ID = re.compile(r'\bid="([^"]+)"|\{:?\s*#([\w-]+)')


def _anchors(page: Path) -> set[str]:
    """The anchors a page holds: its headings' (as the engines make them) and its elements' ids."""
    text = page.read_text(encoding="utf-8")
    found = {heading_anchor(title) for title in _HEADING_LINE.findall(text)}
    return found | {one or other for one, other in _ID.findall(text)}


def _unresolved(tree: Path) -> list[str]:
    """Every ``.md#anchor`` link of a rendered tree whose page lacks the anchor (or is missing)."""
    anchors: dict[Path, set[str]] = {}
    missing = []
    for page in sorted(tree.rglob("*.md")):
        for target, anchor in _MD_LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue
            path = (page.parent / unquote(target)).resolve()
            if path not in anchors:
                anchors[path] = _anchors(path) if path.is_file() else set()
            if unquote(anchor) not in anchors[path]:
                missing.append(f"{page.relative_to(tree)} -> {target}#{anchor}")
    return sorted(set(missing))


@pytest.mark.parametrize("guide", ["project's", "none"])
def test_every_anchor_a_rendered_tree_links_to_is_a_heading_or_id_in_it(tmp_path: Path, guide: str) -> None:
    """The entries' "none recorded ... (how)" hints link to CONTRIBUTING's sections: the
    contributing page of ``limkb render --out`` has each of them, with the project's guide
    (here a short one) or without any."""
    project = write_project(tmp_path / "project")
    if guide == "none":
        (project / "CONTRIBUTING.md").unlink()
    out = tmp_path / "docs"
    run = CliRunner().invoke(cli, ["render", "--kb", str(project / "kb"), "--out", str(out), "--urls", "md"])
    assert run.exit_code == 0, run.output
    contributing = (out / "contributing.md").read_text(encoding="utf-8")
    assert ("Read [the errors]" in contributing) == (guide != "none")
    linked = [line for line in _MD_LINK.findall((out / "entries/strategies/fec-additive.md").read_text())]
    assert ("contributing.md", "add-a-strategy") in [(t.rsplit("/", 1)[-1], a) for t, a in linked]
    assert _unresolved(out) == []


def test_the_anchor_checker_sees_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        '[x](b.md#here) <a href="b.md#there">y</a> [z](b.md#gone) [w](c.md#top)', encoding="utf-8"
    )
    (tmp_path / "b.md").write_text('## Here\n\n<p id="there">t</p>\n', encoding="utf-8")
    assert _unresolved(tmp_path) == ["a.md -> b.md#gone", "a.md -> c.md#top"]
