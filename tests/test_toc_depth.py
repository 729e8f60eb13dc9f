"""A page's ``toc_depth`` front matter: its contents list headings down to that level only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitefactory import write_project
from test_plugin import run_mkdocs

SECTIONS = "## Part one\n\nText.\n\n### A case\n\nText.\n\n## Part two\n\nText.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("toc"))
    (project / "docs" / "shallow.md").write_text("---\ntoc_depth: 2\n---\n\n# Shallow\n\n" + SECTIONS)
    (project / "docs" / "deep.md").write_text("# Deep\n\n" + SECTIONS)
    return run_mkdocs(project)


def _contents(html: str) -> str:
    """The right-hand table of contents of a built page."""
    found = re.search(r'<nav class="md-nav md-nav--secondary".*?</nav>\s*</div>', html, re.S)
    assert found is not None
    return found.group(0)


def test_toc_depth_2_lists_the_sections_only(built: Path) -> None:
    html = (built / "shallow.html").read_text(encoding="utf-8")
    contents = _contents(html)
    assert "Part one" in contents and "Part two" in contents
    assert "A case" not in contents
    assert html.count('href="#a-case"') == 1  # the heading's own permalink stays


def test_without_it_every_level_is_listed(built: Path) -> None:
    contents = _contents((built / "deep.html").read_text(encoding="utf-8"))
    assert "Part one" in contents and "A case" in contents


def test_the_common_errors_page_lists_its_sections_not_each_case(built: Path) -> None:
    html = (built / "common-errors.html").read_text(encoding="utf-8")
    contents = _contents(html)
    assert "Reading the YAML" in contents and "A billion-laughs alias bomb" not in contents
    assert 'href="#a-billion-laughs-alias-bomb"' in html
