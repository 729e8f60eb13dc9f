"""What every page of the site shares: options, titles, paths and links, templates, the site view.

:class:`Site` holds the knowledge base with labels and folders by id; :class:`Links` writes URLs
relative to one page; :func:`page_text` renders one of the package's templates (autoescaped,
``StrictUndefined``). :mod:`limkb.site.render` (entry pages, kind indexes, the whole site) and
:mod:`limkb.site.overview` (the pages about many entries at once) both build on these.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from limkb._version import __version__
from limkb.errors import LimkbError
from limkb.schema.ids import is_slug
from limkb.schema.kinds import KINDS, Entry, Family, Interface, Reference, Source
from limkb.site.history import Change
from limkb.site.kinds import KIND_COLOURS, KIND_TITLES
from limkb.site.markup import plain, prose, text_title
from limkb.site.pages import PAGE_TITLES
from limkb.site.urls import UrlStyle, source_link

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = [
    "FAMILY_TITLES",
    "INTERFACE_TITLES",
    "KIND_TITLES",
    "PAGE_TITLES",
    "Download",
    "Links",
    "RenderOptions",
    "Site",
    "build_date",
    "compiled_with",
    "display",
    "edit_url",
    "entry_path",
    "environment",
    "fmt",
    "page_text",
    "pieces_html",
    "reference_text",
]


FAMILY_TITLES = {
    Family.ELECTROLYTE.value: "Electrolyte engineering",
    Family.ARTIFICIAL_SEI.value: "Artificial SEI",
    Family.CURRENT_COLLECTOR.value: "Current-collector modification",
}
INTERFACE_TITLES = {
    Interface.LI_ELECTROLYTE.value: "Lithium | electrolyte interface",
    Interface.LI_CURRENT_COLLECTOR.value: "Lithium | current-collector interface",
}


@dataclass(frozen=True)
class Download:
    """A data file offered on the downloads page: its site path and size in bytes."""

    path: str
    size: int

    @staticmethod
    def listing(files: Mapping[str, bytes | Path]) -> tuple[Download, ...]:
        """The downloads of ``files`` (site path -> their bytes, or the file holding them)."""
        return tuple(
            Download(path, data.stat().st_size if isinstance(data, Path) else len(data))
            for path, data in files.items()
        )


@dataclass(frozen=True)
class RenderOptions:
    """Settings of a rendering that do not come from the knowledge base."""

    site_url: str | None = None
    """Public URL of the site (for "cite this entry"); relative links work without it."""
    repo_url: str | None = None
    """Repository URL for "edit this entry" links; without it the file path is shown."""
    edit_branch: str = "main"
    history: Mapping[str, Change] | None = None
    """When each entry was added and last changed (:func:`limkb.site.history.entry_history`)."""
    urls: UrlStyle = "directory"
    """The URL form the pages are built with (for "cite this entry" and other absolute links)."""
    kb_dir: str = "kb"
    """The knowledge-base folder as contributors see it, relative to the repository root."""
    date: str = field(default_factory=lambda: build_date())
    version: str = __version__
    downloads: tuple[Download, ...] | None = None
    """Files offered for download, or None when the rendering has none (e.g. while serving)."""
    dataset_downloads: bool = False
    """The build offers each dataset as ``downloads/datasets/<id>.csv`` (linked from its page),
    known before :attr:`downloads` is when ``limkb build`` writes the files meanwhile."""
    contributing: str | None = None
    """The text of CONTRIBUTING.md, shown as the Contributing page (a short note when None)."""
    citation_cff: str | None = None
    """The repository's ``CITATION.cff``, served at the root of the site (None: not served)."""
    docs_pages: frozenset[str] = frozenset()
    """Hand-written pages the site has besides the generated ones (``common-errors.md`` ...)."""
    assets: bool = True
    """Copy the package's scripts and styles to ``assets/limkb/``."""
    plot_cache: Path | None = None
    """A folder where drawn plots are kept across processes (keyed by their inputs), or None."""


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as seconds, None when unset; a clear error when it is not a time.

    MkDocs reads the variable too (and fails with a traceback on a bad value), so every command
    that builds checks it first.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return None
    text = epoch.strip()
    if not text.isdigit() or int(text) > 253402300799:  # up to the year 9999
        raise LimkbError(
            f"SOURCE_DATE_EPOCH is {epoch!r}: it must be a whole number of seconds since 1970-01-01 UTC, "
            "e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct); unset it to date the build by the clock"
        )
    return int(text)


def build_date() -> str:
    """The build date (YYYY-MM-DD): from ``SOURCE_DATE_EPOCH`` when set, else today (UTC)."""
    epoch = source_date_epoch()
    moment = datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d")


# --- paths and links -----------------------------------------------------------------------


def entry_path(entry: Entry) -> str:
    """The page path of an entry; refuses an id that is not a slug."""
    if not is_slug(entry.id):
        raise ValueError(f"refusing to make a path of the id {entry.id!r}: not a slug")
    return f"entries/{entry.folder}/{entry.id}.md"


def edit_url(repo_url: str, branch: str, path: str) -> str:
    """The repository's web editor for the file ``path`` (GitHub's and GitLab's form)."""
    return f"{repo_url.rstrip('/')}/edit/{branch}/{path}"


class Links:
    """Links as written on one page: the target's file path, relative to the page's file.

    The built site's URLs come from :func:`limkb.site.urls.resolve_links`.
    """

    def __init__(self, page: str, folders: Mapping[str, str]) -> None:
        self.page = page
        self._folders = folders

    def to(self, site_path: str) -> str:
        """A site path (``plots/x.svg``) or page (``agenda.md``) as a link from this page."""
        return source_link(site_path, self.page)

    def entry(self, entry_id: str) -> str:
        """The link to an entry's page."""
        return source_link(f"entries/{self._folders[entry_id]}/{entry_id}.md", self.page)

    def browse(self, kind: str) -> str:
        """The link to a kind's index."""
        return source_link(f"browse/{KINDS[kind].folder}.md", self.page)


def _doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


# --- the template environment --------------------------------------------------------------


def _yaml_string(value: str) -> Markup:
    """A double-quoted YAML scalar (JSON is YAML) with no brace or angle bracket left."""
    text = json.dumps(value, ensure_ascii=True)
    for char in "{}<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def fmt(value: float | None, spec: str = ".2f") -> str:
    """A number for a page: a dash when missing, a true minus sign when negative."""
    if value is None:
        return "–"
    return format(value, spec).replace("-", "−")


def _fmt_p(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else format(value, ".3f")


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the page templates (autoescaped, strict, braces escaped)."""
    global _ENV
    if _ENV is None:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("limkb.site", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=plain,
        )
        env.filters["prose"] = prose
        env.filters["yamlstr"] = _yaml_string
        env.filters["fmt"] = fmt
        env.filters["fmt_p"] = _fmt_p
        env.filters["doi_url"] = _doi_url
        env.globals["kind_colours"] = KIND_COLOURS
        env.globals["kind_titles"] = KIND_TITLES
        _ENV = env
    return _ENV


@contextlib.contextmanager
def compiled_with(cache: jinja2.BytecodeCache | None) -> Iterator[None]:
    """Within it, the page templates' compiled code is read from and kept in ``cache`` (see
    :class:`limkb.site.bytecode.SealedTemplates`); nothing changes without one."""
    env = environment()
    before = env.bytecode_cache
    env.bytecode_cache = cache
    try:
        yield
    finally:
        env.bytecode_cache = before


def page_text(template: str, title: str, **context: Any) -> str:
    """One page: a template rendered with its title (made plain text) and context."""
    text: str = environment().get_template(template).render(title=text_title(title), **context)
    return text


def pieces_html(macro: str, *args: Any) -> Markup:
    """One entry's piece of a page listing many entries: a macro of ``templates/_pieces.html``
    (autoescaped), rendered alone so that the incremental build can keep it
    (:class:`limkb.site.memo.Pieces`)."""
    rendered: Markup = getattr(environment().get_template("_pieces.html").module, macro)(*args)
    return rendered


# --- the site and how entries are shown ----------------------------------------------------


def display(value: Any) -> str | None:
    """A scalar field value as display text; None for values not shown in the facts table."""
    if value is None or value == []:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | Enum | int | float) for v in value):
        return ", ".join(str(v.value) if isinstance(v, Enum) else str(v) for v in value)
    if isinstance(value, BaseModel) and set(type(value).model_fields) == {"value", "unit"}:
        return f"{value.value:g} {value.unit}"  # type: ignore[attr-defined]
    return None


class Site:
    """What every page needs: the KB, labels and folders by id, options."""

    def __init__(
        self, kb: KnowledgeBase, options: RenderOptions, results: Mapping[str, AnalysisResult]
    ) -> None:
        self.kb = kb
        self.options = options
        self.results = results
        self.by_id: dict[str, Entry] = {}
        for kind in KINDS:
            for entry in kb.entries(kind=kind):
                if not is_slug(entry.id):
                    raise ValueError(f"entry id {entry.id!r} is not a slug")
                self.by_id[entry.id] = entry
        self._disambiguate()
        self.folders = {entry_id: e.folder for entry_id, e in self.by_id.items()}
        self.ids = sorted(self.by_id)
        self._kinds: dict[str, list[Entry]] | None = None

    def _disambiguate(self) -> None:
        """Give references that would read alike ("Chen et al. (2017)") a letter after the year,
        as their name on every page; the changed name changes the entry's digest, so the
        incremental build renders again every page that shows it."""
        from limkb.outputs.bibliography import short_labels

        references = [e for e in self.by_id.values() if isinstance(e, Reference)]
        for entry_id, label in short_labels(references).items():
            self.by_id[entry_id] = self.by_id[entry_id].model_copy(update={"name": label})

    def links(self, page: str) -> Links:
        return Links(page, self.folders)

    def label(self, entry_id: str) -> str:
        entry = self.by_id.get(entry_id)
        return entry.label if entry is not None else entry_id

    def of_kind(self, kind: str) -> list[Entry]:
        """The entries of ``kind`` by id (a new list each call; every kind is sorted out once,
        from :attr:`by_id` as it is then: :meth:`forget_kinds` after changing it)."""
        if self._kinds is None:
            kinds: dict[str, list[Entry]] = {}
            for entry in sorted(dict.values(self.by_id), key=lambda e: e.id):
                kinds.setdefault(entry.kind, []).append(entry)
            self._kinds = kinds
        return list(self._kinds.get(kind, ()))

    def forget_kinds(self) -> None:
        """Sort the entries out by kind again at the next :meth:`of_kind` (:attr:`by_id` changed)."""
        self._kinds = None

    def source(self, source: Source, links: Links) -> dict[str, Any]:
        """A citation as the templates show it: label, link, locator, DOI."""
        ref = self.by_id.get(source.ref)
        doi = ref.doi if isinstance(ref, Reference) else None
        return {
            "id": source.ref,
            "label": self.label(source.ref),
            "url": links.entry(source.ref) if ref is not None else None,
            "locator": source.locator,
            "doi": doi,
            "via": self._via(ref, source, links),
        }

    def _via(self, ref: Entry | None, source: Source, links: Links) -> dict[str, Any] | None:
        """The review a source is known through ("as cited in ... (ref. N)"): its label, link
        and the number it cites the paper by, so pages show the paper first and the review as
        a note; None for a source read directly."""
        if not isinstance(ref, Reference) or not ref.cited_in:
            return None
        if not (source.locator or "").startswith("as cited in"):
            return None
        review = ref.cited_in[0]
        return {
            "id": review.ref,
            "label": self.label(review.ref),
            "url": links.entry(review.ref) if review.ref in self.folders else None,
            "number": review.locator,
        }

    def entry_link(self, entry_id: str, links: Links) -> dict[str, Any]:
        entry = self.by_id.get(entry_id)
        return {
            "id": entry_id,
            "label": self.label(entry_id),
            "kind": entry.kind if entry is not None else "",
            "url": links.entry(entry_id) if entry is not None else None,
        }

    def edit(self, entry: Entry) -> dict[str, str | None]:
        """Where to edit an entry: the repository path, and a web link when the repo is known."""
        path = f"{self.options.kb_dir}/{entry.folder}/{entry.id}.yaml"
        url = (
            edit_url(self.options.repo_url, self.options.edit_branch, path) if self.options.repo_url else None
        )
        return {"path": path, "url": url}


def reference_text(ref: Reference) -> str:
    """A reference as one line of a reference list: authors (year). Title. Journal volume (issue), pages."""
    authors = ref.authors if len(ref.authors) <= 6 else [*ref.authors[:5], "et al."]
    parts = [
        (", ".join(authors) or "Authors not shown in the text read") + f" ({ref.year}).",
        ref.title.rstrip(".") + ".",
    ]
    venue = " ".join(p for p in (ref.journal, ref.volume) if p)
    if ref.issue:
        venue += f" ({ref.issue})"
    if ref.pages:
        venue += f", {ref.pages}"
    if venue:
        parts.append(venue + ".")
    return " ".join(parts)
