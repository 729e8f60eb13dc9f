"""Every internal link and asset reference of the built site resolves to a file (no browser).

Reads every HTML page under the built site, resolves each ``href``/``src`` that points inside
the site against the page's own URL, and checks that the file exists and, for a ``#fragment``
into an HTML page, that the page has an element with that id. Also fails on ``javascript:``
URLs and on any script, style, image or frame loaded from another host (the site is offline).
"""

from __future__ import annotations

import functools
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitekit import Site

BASE = "http://site.invalid/"
LINK_ATTRIBUTES = {"href", "src", "xlink:href", "poster", "action"}
LOADING_TAGS = {"script", "img", "iframe", "source", "video", "audio", "embed", "image", "use", "input"}
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}
SKIPPED_SCHEMES = {"mailto", "tel", "data"}


class _Page(HTMLParser):
    """Collects the links and the ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, bool]] = []  # (tag, value, loads a resource)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        loads = tag in LOADING_TAGS or (
            tag == "link" and bool(LOADING_RELS & set(values.get("rel", "").lower().split()))
        )
        for name, value in values.items():
            if name in LINK_ATTRIBUTES:
                self.links.append((tag, value.strip(), loads))

    handle_startendtag = handle_starttag


@functools.cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _target(root: Path, url_path: str) -> Path:
    path = root / unquote(url_path).lstrip("/")
    if url_path.endswith("/") or path.is_dir():
        return path / "index.html"
    return path


def _climbs_out(page: str, path: str) -> bool:
    """Whether a relative ``path`` on ``page`` climbs above the site root (a server clamps it,
    a file:// URL does not)."""
    if not path or path.startswith("/"):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    return joined == ".." or joined.startswith("../")


def check_links(root: Path) -> tuple[int, list[str]]:
    """Check every page under ``root``; returns (links checked, problems)."""
    problems: list[str] = []
    checked = 0
    for page_path in sorted(root.rglob("*.html")):
        rel = page_path.relative_to(root).as_posix()
        if rel == "404.html":
            # a server shows it at any depth, so MkDocs links it root-absolute from site_url's path
            continue
        page_url = BASE + rel
        for tag, value, loads in _parse(page_path).links:
            where = f"{rel}: <{tag}> {value!r}"
            parts = urlsplit(value)
            scheme = parts.scheme.lower()
            if scheme == "javascript":
                problems.append(f"{where}: javascript: URL")
                continue
            if scheme in SKIPPED_SCHEMES:
                continue
            resolved = urlsplit(urljoin(page_url, value))
            if f"{resolved.scheme}://{resolved.netloc}/" != BASE:
                if loads:
                    problems.append(f"{where}: loads a resource from another host")
                continue
            checked += 1
            if _climbs_out(rel, parts.path):
                problems.append(f"{where}: points outside the site (breaks under file://)")
                continue
            target = _target(root, resolved.path)
            if not target.is_file():
                problems.append(f"{where}: {target.relative_to(root).as_posix()} does not exist")
                continue
            fragment = unquote(resolved.fragment)
            if fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                problems.append(f"{where}: no element with id {fragment!r} in {target.relative_to(root)}")
    return checked, problems


def test_every_internal_link_of_the_site_resolves(site: Site) -> None:
    pages = site.pages()
    assert len(pages) > len(site.nodes) // 2, "the site has fewer pages than expected"
    checked, problems = check_links(site.root)
    assert checked > len(pages), "too few internal links were found to trust the crawl"
    assert not problems, f"{len(problems)} broken links in {len(pages)} pages:\n" + "\n".join(problems[:60])


def test_every_entry_of_the_graph_has_its_page(site: Site) -> None:
    missing = [entry_id for entry_id in site.nodes if not site.file_of(entry_id).is_file()]
    assert not missing, "graph nodes without a page: " + ", ".join(missing[:40])


def test_the_crawler_reports_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="a/#here">ok</a><a href="b/">broken</a><a href="a/#gone">frag</a>'
        '<a href="javascript:alert(1)">js</a><script src="https://cdn.example.org/x.js"></script>'
        '<a href="https://example.org/">external links are fine</a><a href="../../etc/passwd">out</a>',
        encoding="utf-8",
    )
    checked, problems = check_links(tmp_path)
    assert checked == 5
    assert len(problems) == 5, problems
    assert any("b/index.html does not exist" in p for p in problems)
    assert any("'gone'" in p for p in problems)
    assert any("javascript:" in p for p in problems)
    assert any("another host" in p for p in problems)
    assert any("outside the site" in p for p in problems)
