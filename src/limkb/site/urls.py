"""Links between pages, written once and resolved for whichever URL form the site is built with.

Rendered pages link to each other by the path of the target's Markdown file, relative to the
linking file (``../strategies/fec-additive.md``), the form every static-site engine reads. Most
of a page is HTML blocks, whose links Markdown engines leave as they are, so
:func:`resolve_links` turns them into the built site's URLs: with MkDocs'
``use_directory_urls`` (``../../strategies/fec-additive/``) or without it
(``../strategies/fec-additive.html``, what ``file://`` needs). The plugin calls it on every
page; ``limkb render --out DIR --urls …`` calls it for other engines.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Literal

__all__ = ["UrlStyle", "built_url", "relative_url", "resolve_links", "source_link"]

UrlStyle = Literal["md", "directory", "file"]
"""``md``: links stay paths of Markdown files; ``directory``: ``a/b/``; ``file``: ``a/b.html``."""

_ATTRIBUTE = re.compile(r'(\s(?:href|src|data-src|data-href)=")([^"#?:<>]*?)((?:[?#][^"]*)?)"')


def source_link(target: str, page: str) -> str:
    """The link from the file ``page`` to the site path ``target`` (both relative to the root)."""
    base = posixpath.dirname(page) or "."
    return posixpath.relpath(target, base)


def built_url(path: str, style: UrlStyle) -> str:
    """The URL (relative to the site root) of a site path once built in ``style``.

    >>> built_url("entries/species/lif.md", "directory"), built_url("index.md", "directory")
    ('entries/species/lif/', '')
    >>> built_url("browse/index.md", "file"), built_url("plots/a.svg", "file")
    ('browse/index.html', 'plots/a.svg')
    """
    if not path.endswith(".md") or style == "md":
        return path
    stem = path[:-3]
    if style == "file":
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(target: str, own: str) -> str:
    """The URL of ``target`` as seen from the page at ``own`` (both site URLs from the root).

    >>> relative_url("entries/strategies/fec/", "entries/species/lif/")
    '../../strategies/fec/'
    >>> relative_url("", "browse/strategies.html"), relative_url("agenda/", "")
    ('../', 'agenda/')
    """
    return _relative(target, own.rsplit("/", 1)[0] if "/" in own else "")


def _relative(target: str, base: str) -> str:
    """``target`` (a site URL) relative to the folder ``base`` of the page looking at it."""
    rel = _relpath(target or ".", base or ".")
    if rel == ".":
        return "./"
    if (target == "" or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    return rel


def _relpath(path: str, start: str) -> str:
    """:func:`posixpath.relpath` of two site paths, without asking the system for the working
    folder (``relpath`` makes both absolute first: one ``getcwd`` call each, 40,000 of them in
    a rebuild); the same answer whenever neither path has a ``..`` segment, else ``relpath``'s."""
    parts = [part for part in path.split("/") if part and part != "."]
    folders = [part for part in start.split("/") if part and part != "."]
    if ".." in parts or ".." in folders:
        return posixpath.relpath(path, start)
    common = 0
    for mine, theirs in zip(parts, folders, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(folders) - common) + parts[common:]) or "."


def resolve_links(html: str, page: str, style: UrlStyle) -> str:
    """Rewrite the relative ``href``/``src`` attributes of ``html`` (the page made from the file
    ``page``) from file paths to the URLs of a site built in ``style``.

    Absolute URLs, fragments and links leaving the site are left alone.
    """
    if style == "md":
        return html
    folder = posixpath.dirname(page)
    own = built_url(page, style)
    base = own.rsplit("/", 1)[0] if "/" in own else ""

    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if not target or target.startswith("/"):
            return match.group(0)
        url = _resolved(folder, base, target, style)
        return match.group(0) if url is None else f'{match.group(1)}{url}{match.group(3)}"'

    return _ATTRIBUTE.sub(fix, html)


@functools.lru_cache(maxsize=65536)
def _resolved(folder: str, base: str, target: str, style: UrlStyle) -> str | None:
    """The URL of the link ``target`` written in a file of ``folder``, seen from a page whose
    URL lies in ``base``; None when it leaves the site. Pages of one folder share most links."""
    path = posixpath.normpath(posixpath.join(folder, target))
    if path == ".." or path.startswith("../"):
        return None
    return _relative(built_url(path, style), base)
