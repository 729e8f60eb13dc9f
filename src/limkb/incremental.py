"""The HTML cache of ``limkb build``: pages whose inputs are unchanged are not built again.

MkDocs turns every page's Markdown into HTML and puts it into the theme's template on every
build. Most of a rebuild after one edit is therefore spent on pages that come out as they
were. :class:`HtmlCache` keeps the HTML of each page under ``build/cache/html/``, named by a
hash of everything the page's HTML is made of:

- the page's path and its Markdown, and for each relative link in the Markdown whether its
  target exists (MkDocs' link conversion depends on nothing else of the other files). Which
  files a page links to is kept in the manifest under the digest of its path and Markdown,
  so a rebuild searches only new texts for links; and the digest of a page limkb wrote to a
  file is kept under that file's identity (device, inode, size, modification time: limkb
  never writes such a file in place, it replaces it), so a rebuild reads only the pages
  whose files are new;
- the navigation: the titles and URLs of the pages in it (see :meth:`HtmlCache.nav_key`);
- the configuration file, ``SOURCE_DATE_EPOCH``, the versions of MkDocs, the theme and the
  Markdown packages, custom theme folders, and limkb's own code digest.

A page whose key is in the cache is hard-linked from it into the new site and MkDocs skips it
(its files answer :meth:`CachedFile.is_modified` with False, and MkDocs runs in its "dirty"
mode, into a fresh folder); every other page is built as usual and its HTML added to the
cache. What MkDocs would have learnt from reading a cached page is kept with it and given
back: its title and metadata (the other pages' menus show them), the anchors it defines and
the anchors it links to (MkDocs checks anchor links across all pages, as in a clean build).
The output is the same, byte for byte, as a clean build's.

The other files limkb generates (data files, plots, the forwarding page of each entry's
persistent address) are kept the same way, by a hash of their bytes, so that a rebuild links
them instead of writing thousands of small files again. The files of every entry that MkDocs
needs nothing of (its forwarding page and citation files, under :data:`OUTSIDE`) are not even
given to MkDocs: the cache places them itself, which spares a MkDocs object per file.

The cache a build writes holds exactly the pages and files of that build, so it is bounded by the site
itself (and takes no extra room: the site's files are links to the same data). A failed
build writes only into its own version folder, so the previous cache stays as it was.

The manifest also lists every file of the site with what it holds (``files``: its path in the
site and a key: a page's or data file's cache key, a copied file's source and its size and
modification time, or nothing for a file MkDocs writes on every build). That lets a build go
into a version folder that still holds an earlier build (``reuse``; see
:mod:`limkb.commands.build`) and change only what differs: files whose key is the same stay as
they are, every other listed file is deleted before MkDocs writes (so no write ever goes
through a hard link into another version), cached pages are linked in, and the cache's
pages and files that the new build no longer uses are deleted. A page or file the folder
already holds under its key is taken on the manifest's word: it is neither looked at nor
linked again. That is work in proportion to
what changed since the folder's build, not to the size of the site.
Incremental building is switched off when a plugin other than limkb is enabled, since
MkDocs plugins (a search index, say) may need to see every page.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import posixpath
import re
import shutil
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from limkb.files import read_pickle, write_pickle

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation

__all__ = [
    "OUTSIDE",
    "CachedFile",
    "HtmlCache",
    "ListedPage",
    "StaleCache",
    "dirty_warning_filter",
    "lists_files",
    "markdown_targets",
]

log = logging.getLogger("mkdocs.plugins.limkb")

FORMAT = 3
MANIFEST = "manifest.pickle"
"""The cache's manifest: a sealed pickle (:func:`~limkb.files.write_pickle`), read in a tenth of
the time a JSON file of the same 10,000 pages' records takes."""
_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "pygments", "babel")
"""Whose versions shape a page's HTML (a package that is not installed counts as absent)."""

_INLINE_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")
_DEFINED_TARGET = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.MULTILINE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_H1 = re.compile(r"^#[ \t]+.*$", re.MULTILINE)

OUTSIDE = ("id/", "cite/")
"""Where the generated files are that ``limkb build`` places itself, outside MkDocs' ``Files``
(:meth:`HtmlCache.add_outside`): an entry's forwarding page and its citation files, three or
four per entry. MkDocs needs nothing of them: they are not pages (no sitemap entry, no search
index), and limkb's pages link to them in HTML only, which MkDocs does not check. A file a
page of ``docs/`` links to in Markdown stays with MkDocs (see :func:`markdown_targets`), so
that MkDocs finds the link's target as in any other build."""


def markdown_targets(src_uri: str, markdown: str) -> set[str]:
    """The files of the site that a page's Markdown links to (relative links, as paths from
    the site's root; a link's ``#anchor`` and ``?query`` left out)."""
    folder = posixpath.dirname(src_uri)
    found: set[str] = set()
    for target in {*_INLINE_TARGET.findall(markdown), *_DEFINED_TARGET.findall(markdown)}:
        if _SCHEME.match(target) or target.startswith(("#", "/")):
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        found.add(posixpath.normpath(posixpath.join(folder, path)))
    return found


_UNQUOTED = re.compile(r"[A-Za-z0-9_.~/-]*")
"""A path :func:`urllib.parse.quote` leaves as it is (with ``/`` safe, as MkDocs quotes URLs)."""
_PLAIN_URL = re.compile(
    r"[A-Za-z0-9_~%-]+(?:\.[A-Za-z0-9_~%-]+)*(?:/[A-Za-z0-9_~%-]+(?:\.[A-Za-z0-9_~%-]+)*)*/?"
)
"""A page URL that :func:`urllib.parse.urljoin` appends to a base as it is: relative, no
scheme, no query or fragment, no empty, ``.`` or ``..`` segment, no leading dot of a segment."""


@functools.lru_cache(maxsize=8)
def _plain_base(base: str) -> tuple[str, str] | None:
    """``site_url`` with its trailing slash and its path, when joining a plain URL to it (see
    :data:`_PLAIN_URL`) is appending; None when :func:`urllib.parse.urljoin` must do it."""
    from urllib.parse import urljoin, urlsplit

    if not base.endswith("/"):
        base += "/"
    parts = urlsplit(base)
    if not parts.scheme or not parts.netloc or parts.query or parts.fragment or "//" in parts.path:
        return None
    if ";" in base or urljoin(base, "a/b.c/") != base + "a/b.c/":
        return None
    return base, parts.path


class ListedPage(Page):
    """MkDocs' page of a file outside the navigation (an entry's page), made before MkDocs makes
    it (:meth:`HtmlCache.prepare`): the same object, except that its canonical URL is the site's
    URL and its own joined by a string concatenation where that is what
    :func:`~urllib.parse.urljoin` would give (MkDocs' own join took 0.6 s of a rebuild for
    10,000 pages it does not build; the sitemap still lists every page's URL)."""

    def _set_canonical_url(self, base: str | None) -> None:
        plain = _plain_base(base) if base else None
        url = self.url
        if plain is None or (url and _PLAIN_URL.fullmatch(url) is None):
            super()._set_canonical_url(base)
            return
        self.canonical_url = plain[0] + url
        self.abs_url = plain[1] + url


class StaleCache(Exception):
    """The navigation's titles differ from what the cache expected: build again without it."""


class CachedFile(File):
    """A documentation page whose HTML may come from the cache: a hit is not modified, so
    MkDocs neither reads nor builds it (``cache`` is None until the cache decided)."""

    cache: HtmlCache | None = None

    def _fast_dest_uri(self) -> str:
        """MkDocs' destination of the file, by string operations for a plain page (``x/y.md``
        -> ``x/y/index.html``): a rebuild asks it of 10,000 pages it does not build."""
        src = self.src_uri
        stem = posixpath.basename(src)[:-3]
        if not src.endswith(".md") or stem in ("index", "README", ""):
            return File._get_dest_path(self)
        return f"{src[:-3]}/index.html" if self.use_directory_urls else f"{src[:-3]}.html"

    def _fast_url(self) -> str:
        """MkDocs' URL of the file: the same string without :func:`urllib.parse.quote` when
        there is nothing to quote."""
        dest = self.dest_uri
        if _UNQUOTED.fullmatch(dest) is None:
            return File._get_url(self)
        if self.use_directory_urls and (dest == "index.html" or dest.endswith("/index.html")):
            return dest[: -len("index.html")] or "./"
        return dest

    dest_uri = functools.cached_property(_fast_dest_uri)
    url = functools.cached_property(_fast_url)

    @property
    def src_path(self) -> str:
        """As MkDocs' (its setter's :class:`~pathlib.PurePath` is made only for a path that is
        not already plain: 11,000 of them in a rebuild)."""
        return os.path.normpath(self.src_uri)

    @src_path.setter
    def src_path(self, value: str) -> None:
        plain = (
            value not in ("", ".")
            and "//" not in value
            and "/./" not in value
            and not value.startswith(("./", "/"))
            and not value.endswith(("/", "/."))
        )
        self.src_uri = value if plain else PurePath(value).as_posix()

    def is_modified(self) -> bool:
        cache = self.cache
        return cache is None or (self.src_uri not in cache.hits and self.src_uri not in cache.static_hits)


def dirty_warning_filter(record: logging.LogRecord) -> bool:
    """Drops MkDocs' warning about "dirty" builds, which the cache makes exact."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")


@dataclass
class HtmlCache:
    """Page HTML by a hash of its inputs: read from ``old`` (a previous build's), written to ``new``."""

    old: Path | None
    new: Path
    keys: dict[str, str] = field(default_factory=dict)
    """src_uri -> the page's key (without the navigation)."""
    final: dict[str, str] = field(default_factory=dict)
    """src_uri -> the key the HTML is stored under (with the navigation)."""
    hits: set[str] = field(default_factory=set)
    static: dict[str, str] = field(default_factory=dict)
    """src_uri -> key (a hash of its bytes) of the other files limkb generates (data, forwarding pages)."""
    static_hits: set[str] = field(default_factory=set)
    built: dict[str, dict[str, Any]] = field(default_factory=dict)
    """src_uri -> the anchors of a page built in this run."""
    reuse: bool = False
    """Whether ``new`` holds the cache of an earlier, complete build whose site is being updated
    in place (its manifest says what the site holds); otherwise the site folder starts empty."""
    listing: dict[str, str] | None = None
    """After :meth:`finish`: every file of the site (its path in the site) with its key."""
    _global: str = ""
    _nav_key: str = ""
    _previous: dict[str, Any] = field(default_factory=dict)
    _present: dict[str, Any] = field(default_factory=dict)
    _site: Path = Path()
    _always: frozenset[str] = frozenset()
    _copied: dict[str, str] = field(default_factory=dict)
    _dropped: set[str] = field(default_factory=set)
    _outside: dict[str, bytes | None] = field(default_factory=dict)
    _records: dict[str, Any] = field(default_factory=dict)
    """Key -> the manifest's record of each page or data file :meth:`decide` found cached."""
    _from: set[str] = field(default_factory=set)
    """Which manifests the hits came from: "old" (the last build's), "present" (the reused folder's)."""
    _targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A page's digest (its path and Markdown) -> the files its relative links point to (see
    :meth:`page_key`), for the manifest: the next build looks them up instead of searching the text."""
    _known_targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The same, of the last build's pages (from its manifest; dropped once the keys are made)."""
    _texts: dict[str, str] = field(default_factory=dict)
    """The identity of the file a generated page is read from (see :func:`_identity`) -> the
    page's digest (its path and Markdown), for the manifest."""
    _known_texts: dict[str, str] = field(default_factory=dict)
    """The same, of the last build's pages (from its manifest; dropped once the keys are made)."""
    _themes: dict[str, list[str]] = field(default_factory=dict)
    """An installed theme folder's signature (see :meth:`theme_files`) -> the files in it."""

    def __post_init__(self) -> None:
        if self.old is not None:
            self._previous = _read_manifest(self.old)
        known = self._previous.get("targets")
        self._known_targets = known if isinstance(known, dict) else {}
        texts = self._previous.get("texts")
        self._known_texts = texts if isinstance(texts, dict) else {}
        if self.reuse:
            self._present = _read_manifest(self.new)
            if not isinstance(self._present.get("files"), dict):
                raise StaleCache(f"{self.new} lists no files: the folder cannot be updated in place")

    @staticmethod
    def applies(config: MkDocsConfig) -> bool:
        """Whether pages may be skipped: only limkb's own plugin sees the pages."""
        return set(config.plugins) <= {"limkb"}

    # -- keys ---------------------------------------------------------------------------

    @staticmethod
    def global_key(config: MkDocsConfig) -> str:
        """What every page's HTML depends on besides its own Markdown and the navigation."""
        from limkb._version import code_digest

        digest = hashlib.sha256(f"format {FORMAT}\0limkb {code_digest()}\0".encode())
        for name in _PACKAGES:
            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "-"
            digest.update(f"{name} {version}\0".encode())
        digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
        if config.config_file_path:
            digest.update(Path(config.config_file_path).read_bytes())
        for name in ("site_url", "copyright", "use_directory_urls", "repo_url", "edit_uri"):
            digest.update(f"\0{name}={config.get(name)!r}".encode())
        installed = _installed_roots()
        for folder in config.theme.dirs:
            path = Path(folder).resolve()
            if any(path == root or root in path.parents for root in installed):
                continue  # an installed theme: its version is hashed above
            digest.update(f"\0theme dir {folder}\0".encode())
            for item in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(item.relative_to(path).as_posix().encode() + b"\0" + item.read_bytes())
        return digest.hexdigest()

    def theme_files(self, env: Any) -> None:
        """Let the theme's template loader list the files of an installed theme folder from the
        last build's manifest rather than walk it (Material's holds thousands of icons: the walk
        took 0.16 s of every rebuild). A folder is known by its path, its time and the versions
        of the packages that make pages (:data:`_PACKAGES`); other folders are walked."""
        from jinja2 import FileSystemLoader

        loader = env.loader
        if type(loader) is not FileSystemLoader:
            return
        known = self._previous.get("themes")
        known = known if isinstance(known, dict) else {}
        installed = _installed_roots()

        def listing(folder: str) -> list[str]:
            signature = _theme_signature(folder, installed)
            names = known.get(signature) if signature is not None else None
            if not isinstance(names, list):
                names = FileSystemLoader([folder], followlinks=loader.followlinks).list_templates()
            if signature is not None:
                self._themes[signature] = names
            return names

        def list_templates() -> list[str]:  # FileSystemLoader's: the union of its folders'
            return sorted({name for folder in loader.searchpath for name in listing(folder)})

        loader.list_templates = list_templates  # type: ignore[method-assign]

    def page_key(self, file: File, present: Mapping[str, File]) -> str:
        """The key of one page without the navigation (see the module's description): a hash of
        the page's path and Markdown, and of whether each file its relative links point to is
        among ``present`` (the site's files by path). The files a text links to are taken from
        the last build's manifest when it saw the same text, else found in it; the text is read
        only when the manifest does not know its file (:meth:`_page_digest`)."""
        src_uri = file.src_uri
        page, markdown = self._page_digest(file)
        targets = self._known_targets.get(page)
        if targets is None:
            targets = tuple(
                sorted(markdown_targets(src_uri, _read_text(file) if markdown is None else markdown))
            )
        self._targets[page] = targets
        digest = hashlib.sha256(f"{self._global}\0{page}".encode())
        for path in targets:
            digest.update(f"\0{path}={int(path in present)}".encode())
        return digest.hexdigest()

    def _page_digest(self, file: File) -> tuple[str, str | None]:
        """The digest of a page's path and Markdown, and the Markdown when it was read for it:
        a page limkb wrote to a file the last build's manifest knows (the same file, unchanged:
        see :func:`_identity`) is not read."""
        identity = _identity(file)
        if identity is not None:
            known = self._known_texts.get(identity)
            if known is not None:
                self._texts[identity] = known
                return known, None
        markdown = _read_text(file)
        text = hashlib.sha256(f"{file.src_uri}\0".encode())
        text.update(markdown.encode("utf-8", "surrogatepass"))
        page = text.hexdigest()
        if identity is not None:
            self._texts[identity] = page
        return page, markdown

    @staticmethod
    def nav_key(nav: Navigation) -> str:
        """A hash of what decides the menus: the navigation's structure and its pages' titles.

        The titles themselves are known only once the pages are converted, so the key takes
        what makes them: a section's title, and a page's title from the configuration, its
        metadata and its first ``#`` heading. :meth:`check_titles` verifies it afterwards.
        """
        from mkdocs.utils import meta

        digest = hashlib.sha256()

        def walk(items: Any, depth: int) -> None:
            for item in items:
                digest.update(f"\0{depth}:{type(item).__name__}".encode())
                if getattr(item, "is_page", False):
                    file = item.file
                    try:
                        text = file.content_string
                    except (OSError, ValueError):
                        text = ""
                    body, data = meta.get_data(text)
                    heading = _H1.search(body)
                    configured = item.__dict__.get("title")  # a title given in mkdocs.yml
                    digest.update(f"{file.src_uri}\0{configured or ''}".encode())
                    digest.update(json.dumps(data, sort_keys=True, default=str).encode())
                    digest.update((heading.group(0) if heading else body).encode("utf-8", "surrogatepass"))
                else:
                    digest.update(f"{getattr(item, 'title', '')}\0{getattr(item, 'url', '')}".encode())
                walk(getattr(item, "children", None) or (), depth + 1)

        walk(nav.items, 0)
        return digest.hexdigest()

    @staticmethod
    def titles(nav: Navigation) -> list[list[str]]:
        """The menu as the reader sees it: each page's URL and title."""
        return [[page.url, page.title or ""] for page in nav.pages]

    # -- the build's steps --------------------------------------------------------------

    def add_outside(self, files: Mapping[str, bytes]) -> None:
        """Files of the site that limkb places itself, outside MkDocs' ``Files`` (see
        :data:`OUTSIDE`): kept and linked like the other generated files, by a hash of their
        bytes, but with no MkDocs object each."""
        for path, data in files.items():
            self.static[path] = hashlib.sha256(data).hexdigest()
            self._outside[path] = data

    def prepare(self, files: Files, config: MkDocsConfig) -> Files:
        """Make every documentation page and generated file a :class:`CachedFile` (those the
        plugin did not make so already) and compute the keys."""
        self._global = self.global_key(config)
        self._site = Path(config.site_dir)
        self._always = frozenset([*config.theme.static_templates, "sitemap.xml.gz", *config.extra_templates])
        wrapped: list[File] = []
        for file in files:
            if isinstance(file, CachedFile):  # made so by the plugin
                if not file.is_documentation_page() and file.abs_src_path is None:
                    self.static[file.src_uri] = hashlib.sha256(file.content_bytes).hexdigest()
            elif (
                file.generated_by == "limkb"
                and not file.is_documentation_page()
                and file.abs_src_path is None
            ):
                data = file.content_bytes
                copy = CachedFile.generated(config, file.src_uri, content=data, inclusion=file.inclusion)
                copy.generated_by = file.generated_by
                self.static[file.src_uri] = hashlib.sha256(data).hexdigest()
                file = copy
            elif file.is_documentation_page():
                copy = CachedFile(
                    file.src_uri,
                    src_dir=file.src_dir,
                    dest_dir=file.dest_dir,
                    use_directory_urls=file.use_directory_urls,
                    dest_uri=file.dest_uri,
                    inclusion=file.inclusion,
                )
                copy.generated_by = file.generated_by
                if file.abs_src_path is not None:
                    copy.abs_src_path = file.abs_src_path
                else:
                    copy.content_string = file.content_string
                file = copy
            wrapped.append(file)
        result = Files(wrapped)
        present = result.src_uris
        for file in result.documentation_pages():
            self.keys[file.src_uri] = self.page_key(file, present)
            if file.page is None and file.inclusion is InclusionLevel.NOT_IN_NAV:
                ListedPage(None, file, config)  # what MkDocs' navigation would make, sooner
        self._known_targets, self._known_texts = {}, {}
        return result

    def decide(self, nav: Navigation, files: Files) -> None:
        """With the navigation known: the final keys, and which pages the cache has."""
        self._nav_key = self.nav_key(nav)
        have = self._previous.get("pages", {}) if self._previous.get("nav") == self._nav_key else {}
        by_uri = files.src_uris
        for src_uri, key in self.keys.items():
            final = hashlib.sha256(f"{self._nav_key}\0{key}".encode()).hexdigest()
            self.final[src_uri] = final
            file = by_uri.get(src_uri)
            if file is not None and self._hit(file.dest_uri, final, have, "p"):
                self.hits.add(src_uri)
        known = self._previous.get("static", {})
        for src_uri, key in self.static.items():
            dest = self._static_dest(src_uri, by_uri)
            if dest is not None and self._hit(dest[0], key, known, "s", ".data"):
                self.static_hits.add(src_uri)
        for file in files:
            if isinstance(file, CachedFile):
                file.cache = self
        log.debug("html cache: %d of %d pages unchanged", len(self.hits), len(self.keys))

    @staticmethod
    def _path(folder: Path, key: str, suffix: str = ".html") -> str:
        """Where the cache in ``folder`` keeps the file of ``key`` (a string: a rebuild makes
        tens of thousands of these, and :class:`~pathlib.Path` objects cost ten times more)."""
        return f"{folder}{os.sep}{key[:2]}{os.sep}{key}{suffix}"

    def _hit(self, dest_uri: str, key: str, known: dict[str, Any], tag: str, suffix: str = ".html") -> bool:
        """Whether the file of ``key`` is cached: already in place in a reused folder (its
        manifest says so: nothing is looked at on disk), or in the last build's cache (one
        ``stat``). Its record is kept for :meth:`place` and :meth:`finish`."""
        held = self._present.get("pages" if tag == "p" else "static", {})
        if key in held and self._present["files"].get(dest_uri) == f"{tag}{key}":
            self._records[key] = held[key]
            self._from.add("present")
            return True
        if key in known and self.old is not None and self._cached(self.old, key, known[key], suffix):
            self._records[key] = known[key]
            self._from.add("old")
            return True
        return False

    def _cached(self, folder: Path, key: str, record: Any, suffix: str = ".html") -> bool:
        size = _size(record)
        try:
            return bool(os.stat(self._path(folder, key, suffix)).st_size == size)
        except OSError:
            return False

    def place(self, nav: Navigation, files: Files) -> None:
        """Before MkDocs writes pages: put cached pages into the site, with what they told MkDocs.

        In a reused folder, first delete every file the folder holds that this build does not
        keep as it is (see the module's description)."""
        kept = self._keep(files)
        present: dict[str, str] = self._present.get("files", {})
        for path, key in present.items():
            if kept.get(path) != key:
                _unlink(self._site / path)
                self._dropped.add(path)
        in_cache = {*self._present.get("pages", {}), *self._present.get("static", {})}
        by_uri = files.src_uris  # src_uris are POSIX paths already: no need to parse them again
        for src_uri in sorted(self.hits):
            file = by_uri.get(src_uri)
            key = self.final[src_uri]
            if file is None or file.page is None or (key not in in_cache and self.old is None):
                raise StaleCache(f"{src_uri} has no page")
            record = self._records[key]
            if key not in in_cache and self.old is not None:
                _link(self._path(self.old, key), self._path(self.new, key))
            if present.get(file.dest_uri) != f"p{key}":
                _link(self._path(self.new, key), file.abs_dest_path)
            page = file.page
            page.title = record.get("title")
            page.meta = dict(record.get("meta", {}))
            page.present_anchor_ids = set(record.get("anchors", ()))
            links: dict[File, dict[str, str]] = {}
            for target, anchors in record.get("links", {}).items():
                to = by_uri.get(target)
                if to is not None:
                    links[to] = dict(anchors)
            page.links_to_anchors = links
            self.built[src_uri] = record
        for src_uri in sorted(self.static_hits):
            dest = self._static_dest(src_uri, by_uri)
            key = self.static[src_uri]
            if dest is None or (key not in in_cache and self.old is None):
                raise StaleCache(f"{src_uri} is not a file of this build")
            cache_file = self._path(self.new, key, ".data")
            # two files of the same bytes share one
            if key not in in_cache and self.old is not None and not os.path.exists(cache_file):
                _link(self._path(self.old, key, ".data"), cache_file)
            if present.get(dest[0]) != f"s{key}":
                _link(cache_file, dest[1])
        self._write_outside()
        titles = self.titles(nav)
        manifests = {"old": self._previous, "present": self._present}
        if self.hits and any(manifests[name].get("titles") != titles for name in self._from):
            raise StaleCache("the navigation's titles are not those the cache was made with")

    def _static_dest(self, src_uri: str, by_uri: Mapping[str, File]) -> tuple[str, str] | None:
        """Where a generated file goes: its path in the site and its path on disk (None: it is
        not a file of this build)."""
        if src_uri in self._outside:
            return src_uri, f"{self._site}{os.sep}{src_uri}"
        file = by_uri.get(src_uri)
        return None if file is None else (file.dest_uri, file.abs_dest_path)

    def _write_outside(self) -> None:
        """Write the files of :meth:`add_outside` the cache did not have (a reused folder no
        longer holds an earlier version of them: :meth:`place` deleted it), then let go of
        every one's bytes."""
        for path, data in self._outside.items():
            if data is not None and path not in self.static_hits:
                target = f"{self._site}{os.sep}{path}"
                _unlink(target)  # never written through a link another version shares
                try:
                    with open(target, "xb") as stream:
                        stream.write(data)
                except FileNotFoundError:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "xb") as stream:
                        stream.write(data)
            self._outside[path] = None

    def _keep(self, files: Files) -> dict[str, str]:
        """The files of this build that a reused folder may keep (their path in the site ->
        key): cached pages and data files, and copied files whose source is unchanged (MkDocs
        copies those only when the source is newer than the copy). Everything MkDocs writes on
        every build (its theme's templates, the sitemap, pages it renders, files limkb gives it
        by content or from ``build/``) has no key and is deleted from a reused folder first."""
        kept: dict[str, str] = {}
        for file in files:
            if not _included(file):
                continue
            if file.src_uri in self.hits:
                kept[file.dest_uri] = f"p{self.final[file.src_uri]}"
            elif file.src_uri in self.static_hits:
                kept[file.dest_uri] = f"s{self.static[file.src_uri]}"
            elif self._copies(file):
                assert file.abs_src_path is not None
                try:
                    status = os.stat(file.abs_src_path)
                except OSError:
                    continue
                key = f"a{file.abs_src_path}\0{status.st_size}\0{status.st_mtime_ns}"
                kept[file.dest_uri] = self._copied[file.dest_uri] = key
        for path in self._outside:
            if path in self.static_hits:
                kept[path] = f"s{self.static[path]}"
        return kept

    def _copies(self, file: File) -> bool:
        """Whether MkDocs copies ``file`` from its source only when the source is newer (a
        theme's or docs/'s static file), rather than on every build."""
        return (
            type(file) is File
            and file.abs_src_path is not None
            and not file.is_documentation_page()
            and not file.is_static_page()
            and file.dest_uri not in self._always
            and file.src_uri not in self._always
        )

    def record(self, page: Page) -> None:
        """After MkDocs made a page's HTML: what the cache keeps beside it."""
        self.built[page.file.src_uri] = {
            "title": page.title,
            "meta": json.loads(json.dumps(page.meta, default=str)),
            "anchors": sorted(a for a in page.present_anchor_ids or () if isinstance(a, str)),
            "links": {
                to.src_uri: dict(sorted(anchors.items()))
                for to, anchors in sorted((page.links_to_anchors or {}).items(), key=lambda i: i[0].src_uri)
            },
        }

    def finish(self, nav: Navigation, files: Files) -> None:
        """After a successful build: keep the pages built now, and the manifest."""
        pages: dict[str, Any] = {}
        for src_uri, record in sorted(self.built.items()):
            key = self.final.get(src_uri)
            if key is not None and src_uri in self.hits:  # in place, of the size decide() saw
                kept_record = self._records[key]
                # place() handed the manifest's own record on: it is kept as it is, not copied
                pages[key] = kept_record if record is kept_record else {**record, "size": _size(kept_record)}
                continue
            file = files.get_file_from_path(src_uri)
            if file is None or key is None or not os.path.isfile(file.abs_dest_path):
                continue
            kept = self._path(self.new, key)
            _link(file.abs_dest_path, kept)
            pages[key] = {**record, "size": os.stat(kept).st_size}
        static: dict[str, int] = {}
        hits = {self.static[src_uri] for src_uri in self.static_hits}
        for src_uri, key in sorted(self.static.items()):
            if key in hits:
                static[key] = _size(self._records[key])
                continue
            dest = self._static_dest(src_uri, files.src_uris)
            if dest is None or not os.path.isfile(dest[1]):
                continue
            kept = self._path(self.new, key, ".data")
            if not os.path.exists(kept):
                _link(dest[1], kept)
            static[key] = os.stat(kept).st_size
        self.listing = self._list(files)
        self._prune(pages, static)
        manifest = {
            "format": FORMAT,
            "nav": self._nav_key,
            "titles": self.titles(nav),
            "pages": pages,
            "static": static,
            "files": self.listing,
            "targets": self._targets,
            "texts": self._texts,
            "themes": self._themes,
        }
        write_pickle(self.new / MANIFEST, manifest)

    def _list(self, files: Files) -> dict[str, str]:
        """Every file of the site as MkDocs left it: its path -> key ("" for what is written anew
        on every build). Only files this build wrote are looked for on disk."""
        listing: dict[str, str] = {}
        for file in files:
            uri = file.dest_uri
            if not _included(file):
                continue
            if file.src_uri in self.hits:
                listing[uri] = f"p{self.final[file.src_uri]}"
            elif file.src_uri in self.static_hits:
                listing[uri] = f"s{self.static[file.src_uri]}"
            elif os.path.isfile(file.abs_dest_path):
                if file.src_uri in self.final and file.src_uri in self.built:
                    listing[uri] = f"p{self.final[file.src_uri]}"
                elif file.src_uri in self.static:
                    listing[uri] = f"s{self.static[file.src_uri]}"
                else:
                    listing[uri] = self._copied.get(uri, "")
        for path in self._outside:  # written by place() or kept from the cache
            listing[path] = f"s{self.static[path]}"
        for name in sorted(self._always):
            if name not in listing and (self._site / name).is_file():
                listing[name] = ""
        for path in sorted(self._dropped - set(listing), key=lambda p: -p.count("/")):
            _remove_empty_folders(self._site, path)
        return listing

    def _prune(self, pages: dict[str, Any], static: dict[str, int]) -> None:
        """In a reused folder: delete the cached pages and files the new build does not use."""
        for key in set(self._present.get("pages", {})) - set(pages):
            _unlink(self._path(self.new, key))
        for key in set(self._present.get("static", {})) - set(static):
            _unlink(self._path(self.new, key, ".data"))


@functools.lru_cache(maxsize=1)
def _installed_roots() -> frozenset[Path]:
    """Where installed packages live (a theme there changes only with its package's version)."""
    return frozenset(Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib"))


@functools.lru_cache(maxsize=1)
def _versions() -> str:
    """The versions of the packages that make pages (see :data:`_PACKAGES`)."""
    found = []
    for name in _PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return "\0".join(found)


def _theme_signature(folder: str, installed: frozenset[Path]) -> str | None:
    """What a theme folder's list of files is kept under: its path, time and the packages'
    versions; None for a folder that is not installed (the user's or limkb's own: walked)."""
    path = Path(folder).resolve()
    if not any(path == root or root in path.parents for root in installed):
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return f"{path}\0{status.st_mtime_ns}\0{_versions()}"


def _read_text(file: File) -> str:
    """A page's Markdown, read from its file or taken from memory."""
    return file.content_string


def _identity(file: File) -> str | None:
    """What identifies the file a page limkb generated is read from, as long as it is unchanged:
    its path in the site, device, inode, size and modification time. limkb replaces such a file
    (a new inode) rather than write it in place, so the same identity is the same text. None
    for a page held in memory, a page of docs/ (the user's file, edited in place) or a file
    that cannot be looked at."""
    if file.abs_src_path is None or file.generated_by != "limkb":
        return None
    try:
        status = os.stat(file.abs_src_path)
    except OSError:
        return None
    return f"{file.src_uri}\0{status.st_dev}\0{status.st_ino}\0{status.st_size}\0{status.st_mtime_ns}"


def lists_files(folder: Path) -> bool:
    """Whether the cache in ``folder`` says what its site holds, so that the site can be updated
    in place (:attr:`HtmlCache.reuse`). The manifest read is kept for the build's cache, which
    reads it next."""
    manifest = _read_manifest(folder)
    if not isinstance(manifest.get("files"), dict):
        return False
    try:
        status = os.stat(folder / MANIFEST)
    except OSError:
        return True
    _LAST_READ.clear()  # one kept at most
    _LAST_READ[(str(folder / MANIFEST), status.st_ino, status.st_size, status.st_mtime_ns)] = manifest
    return True


_LAST_READ: dict[tuple[str, int, int, int], dict[str, Any]] = {}
"""The manifest :func:`lists_files` read last, under its file's path and signature, for the
:class:`HtmlCache` that follows it to take rather than read again."""


def _read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the cache in ``folder``, or an empty one when it is missing, unreadable,
    not sealed on this machine or of another format."""
    path = folder / MANIFEST
    try:
        status = os.stat(path)
    except OSError:
        return {}
    signature = (str(path), status.st_ino, status.st_size, status.st_mtime_ns)
    kept = _LAST_READ.pop(signature, None)
    if kept is not None:
        return kept
    loaded = read_pickle(path)
    return loaded if isinstance(loaded, dict) and loaded.get("format") == FORMAT else {}


def _size(record: Any) -> Any:
    """The size a manifest records for a page (in its record) or a data file (the number)."""
    return record.get("size") if isinstance(record, dict) else record


def _included(file: File) -> bool:
    """Whether MkDocs writes ``file`` in a build (drafts and excluded files are not written)."""
    return bool(file.inclusion.value > InclusionLevel.DRAFT.value)


def _unlink(path: str | Path) -> None:
    """Delete the file ``path`` if it is there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove_empty_folders(site: Path, path: str) -> None:
    """Remove the folders of the site's ``path`` that are now empty (a clean build has none)."""
    folder = posixpath.dirname(path)
    while folder:
        try:
            (site / folder).rmdir()
        except OSError:
            return
        folder = posixpath.dirname(folder)


def _link(source: str | Path, target: str | Path) -> None:
    """``target`` becomes a hard link to ``source`` (a copy where links are not possible).

    The link is tried first; a file already there is replaced and a missing folder made only
    when it fails (most links of a rebuild go into folders that exist, to names that do not).
    """
    try:
        os.link(source, target)
        return
    except FileExistsError:
        os.unlink(target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except OSError:
        pass
    try:
        os.link(source, target)
    except OSError:
        _unlink(target)  # never written through: it may be a link into another version
        shutil.copyfile(source, target)
