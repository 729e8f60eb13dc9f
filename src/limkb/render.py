"""Render a knowledge base to site pages: ``KnowledgeBase -> {site path: text or bytes}``.

The pages are Markdown files whose body is mostly HTML blocks, rendered with the Jinja2
templates in ``limkb/templates`` (autoescaped, ``StrictUndefined``). Nothing here knows of
MkDocs: the plugin (:mod:`limkb.plugin`) and ``limkb render --out DIR`` both call
:func:`render`. Links between pages are written as relative directory URLs
(``../../entries/strategies/fec-additive/``), the form MkDocs produces with
``use_directory_urls``.

Entry data reaches a page only as escaped text, as prose that :func:`limkb.markup.prose`
sanitised, or as a context value of one of our own templates; it is never template source.
Page titles that come from data go through :func:`limkb.markup.text_title`. Ids are checked
slugs before they become paths.

Site layout:

``index.md``                         home: what limkb is, counts by kind, how to read and add
``browse/<folder>.md``               one sortable, filterable table per kind
``entries/<folder>/<id>.md``         one page per entry
``agenda.md``                        open questions by interface and family
``correlations.md`` ``plots/*.svg``  computed analyses with their scatter plots
``compatibility.md``                 strategy x strategy: combined with evidence, conflicting, unknown
``coverage.md``                      which SEI descriptors are known for which strategy
``bibliography.md``                  references with the entries citing each
``downloads.md``                     the build's data files
``graph.md`` ``assets/limkb/*``      the graph explorer, its scripts and its data as a .js file
``contributing.md``                  CONTRIBUTING.md, when given
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from limkb import __version__
from limkb.ids import is_slug
from limkb.markup import plain, prose, text_title
from limkb.models import (
    KINDS,
    Analysis,
    Dataset,
    Entry,
    Family,
    Interface,
    Property,
    Question,
    Reference,
    Source,
    Strategy,
    relation_fields,
)
from limkb.neighbourhood import KIND_COLOURS, Neighbour, neighbourhood_svg

if TYPE_CHECKING:
    from limkb.analysis import AnalysisResult
    from limkb.graph import KnowledgeBase, Relation

__all__ = ["KIND_TITLES", "PAGE_TITLES", "Download", "RenderOptions", "build_date", "render"]

log = logging.getLogger(__name__)

KIND_TITLES: dict[str, str] = {
    "strategy": "Strategies",
    "material": "Materials",
    "mechanism": "Mechanisms",
    "species": "Species",
    "property": "Properties",
    "technique": "Techniques",
    "failure-mode": "Failure modes",
    "question": "Questions",
    "dataset": "Datasets",
    "analysis": "Analyses",
    "reference": "References",
}
"""How each kind is titled on the site, in browsing order."""

PAGE_TITLES: dict[str, str] = {
    "agenda.md": "Open questions",
    "correlations.md": "Correlations",
    "compatibility.md": "Strategy compatibility",
    "coverage.md": "Descriptor coverage",
    "bibliography.md": "Bibliography",
    "downloads.md": "Downloads",
    "graph.md": "Graph",
    "contributing.md": "Contributing",
}

_FAMILY_TITLES = {
    Family.ELECTROLYTE.value: "Electrolyte engineering",
    Family.ARTIFICIAL_SEI.value: "Artificial SEI",
    Family.CURRENT_COLLECTOR.value: "Current-collector modification",
}
_INTERFACE_TITLES = {
    Interface.LI_ELECTROLYTE.value: "Lithium | electrolyte interface",
    Interface.LI_CURRENT_COLLECTOR.value: "Lithium | current-collector interface",
}
_PROSE_FIELDS = ("summary", "text", "approach", "note")
_SKIP_FIELDS = {"id", "name", "aliases", "sources", "columns", "records", "composition",
                "conditions", "filters", "reported", "x", "y", "doi", "url", "title", "authors",
                "doi_printed", "cited_in"}  # fmt: skip
_MATRIX_LIMIT = 80
"""Above this many strategies a matrix is replaced by its list of pairs (keeps pages small)."""


@dataclass(frozen=True)
class Download:
    """A data file offered on the downloads page: its site path and size in bytes."""

    path: str
    size: int


@dataclass(frozen=True)
class RenderOptions:
    """Settings of a rendering that do not come from the knowledge base."""

    site_url: str | None = None
    """Public URL of the site (for "cite this entry"); relative links work without it."""
    repo_url: str | None = None
    """Repository URL for "edit this entry" links; without it the file path is shown."""
    edit_branch: str = "main"
    kb_dir: str = "kb"
    """The knowledge-base folder as contributors see it, relative to the repository root."""
    date: str = field(default_factory=lambda: build_date())
    version: str = __version__
    downloads: tuple[Download, ...] | None = None
    """Files offered for download, or None when the rendering has none (e.g. while serving)."""
    contributing: str | None = None
    """The text of CONTRIBUTING.md, shown as the Contributing page (a short note when None)."""
    docs_pages: frozenset[str] = frozenset()
    """Hand-written pages the site has besides the generated ones (``common-errors.md`` ...)."""
    assets: bool = True
    """Copy the package's scripts and styles to ``assets/limkb/``."""


def build_date() -> str:
    """The build date (YYYY-MM-DD): from ``SOURCE_DATE_EPOCH`` when set, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d")


# --- paths and links -----------------------------------------------------------------------


def page_url(path: str) -> str:
    """The site URL (directory form, relative to the root) of a page path: ``a/b.md`` -> ``a/b/``."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def _entry_path(entry: Entry) -> str:
    if not is_slug(entry.id):
        raise ValueError(f"refusing to make a path of the id {entry.id!r}: not a slug")
    return f"entries/{entry.folder}/{entry.id}.md"


class _Links:
    """URLs as seen from one page; every target is relative to that page."""

    def __init__(self, page: str, folders: Mapping[str, str]) -> None:
        self.root = "../" * page_url(page).count("/")
        self._folders = folders

    def to(self, site_path: str) -> str:
        """A site path (``plots/x.svg``) or page (``agenda.md``) as a relative URL."""
        return self.root + page_url(site_path) or "./"

    def entry(self, entry_id: str) -> str:
        """The URL of an entry's page."""
        return f"{self.root}entries/{self._folders[entry_id]}/{entry_id}/"

    def browse(self, kind: str) -> str:
        """The URL of a kind's index."""
        return f"{self.root}browse/{KINDS[kind].folder}/"


def _doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


# --- the template environment --------------------------------------------------------------


def _yaml_string(value: str) -> Markup:
    """A double-quoted YAML scalar (JSON is YAML) with no brace or angle bracket left."""
    text = json.dumps(value, ensure_ascii=True)
    for char in "{}<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def _fmt(value: float | None, spec: str = ".2f") -> str:
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
            loader=jinja2.PackageLoader("limkb", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=plain,
        )
        env.filters["prose"] = prose
        env.filters["yamlstr"] = _yaml_string
        env.filters["fmt"] = _fmt
        env.filters["fmt_p"] = _fmt_p
        env.filters["doi_url"] = _doi_url
        env.globals["kind_colours"] = KIND_COLOURS
        env.globals["kind_titles"] = KIND_TITLES
        _ENV = env
    return _ENV


def _page(template: str, title: str, **context: Any) -> str:
    text: str = environment().get_template(template).render(title=text_title(title), **context)
    return text


# --- views of entries ----------------------------------------------------------------------


def _display(value: Any) -> str | None:
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


def _facts(entry: Entry) -> list[tuple[str, str]]:
    """The short facts of an entry (family, formula, unit ...) as (label, text) pairs."""
    relations = relation_fields(type(entry))
    facts: list[tuple[str, str]] = []
    for name in type(entry).model_fields:
        if name in _SKIP_FIELDS or name in _PROSE_FIELDS or name in relations:
            continue
        shown = _display(getattr(entry, name))
        if shown is not None:
            facts.append((name.replace("_", " "), shown))
    return facts


def _conditions(value: BaseModel | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    found = []
    for name in type(value).model_fields:
        shown = _display(getattr(value, name))
        if shown is not None:
            found.append((name.replace("_", " "), shown))
    return found


class _Site:
    """What every page needs: the KB, labels and folders by id, options."""

    def __init__(self, kb: KnowledgeBase, options: RenderOptions,
                 results: Mapping[str, AnalysisResult]) -> None:  # fmt: skip
        self.kb = kb
        self.options = options
        self.results = results
        self.by_id: dict[str, Entry] = {}
        for kind in KINDS:
            for entry in kb.entries(kind=kind):
                if not is_slug(entry.id):
                    raise ValueError(f"entry id {entry.id!r} is not a slug")
                self.by_id[entry.id] = entry
        self.folders = {entry_id: e.folder for entry_id, e in self.by_id.items()}
        self.ids = sorted(self.by_id)

    def links(self, page: str) -> _Links:
        return _Links(page, self.folders)

    def label(self, entry_id: str) -> str:
        entry = self.by_id.get(entry_id)
        return entry.label if entry is not None else entry_id

    def of_kind(self, kind: str) -> list[Entry]:
        return sorted((e for e in self.by_id.values() if e.kind == kind), key=lambda e: e.id)

    def source(self, source: Source, links: _Links) -> dict[str, Any]:
        """A citation as the templates show it: label, link, locator, DOI."""
        ref = self.by_id.get(source.ref)
        doi = ref.doi if isinstance(ref, Reference) else None
        return {
            "id": source.ref,
            "label": self.label(source.ref),
            "url": links.entry(source.ref) if ref is not None else None,
            "locator": source.locator,
            "doi": doi,
        }

    def entry_link(self, entry_id: str, links: _Links) -> dict[str, Any]:
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
        url = None
        if self.options.repo_url:
            url = f"{self.options.repo_url.rstrip('/')}/edit/{self.options.edit_branch}/{path}"
        return {"path": path, "url": url}


def _citation(site: _Site, entry: Entry, page: str) -> str:
    """A suggested citation of an entry's page."""
    base = (site.options.site_url or "").rstrip("/")
    where = f"{base}/{page_url(page)}" if base else page_url(page)
    return (
        f"{entry.label}. In: limkb, a knowledge base of interfacial engineering of lithium-metal "
        f"anodes, version {site.options.version} ({site.options.date}). {where}"
    )


def _reference_text(ref: Reference) -> str:
    authors = ref.authors if len(ref.authors) <= 6 else [*ref.authors[:5], "et al."]
    parts = [", ".join(authors) + f" ({ref.year}).", ref.title.rstrip(".") + "."]
    venue = " ".join(p for p in (ref.journal, ref.volume) if p)
    if ref.issue:
        venue += f" ({ref.issue})"
    if ref.pages:
        venue += f", {ref.pages}"
    if venue:
        parts.append(venue + ".")
    return " ".join(parts)


def _relation_groups(site: _Site, entry_id: str, relations: Sequence[Relation],
                     links: _Links) -> list[dict[str, Any]]:  # fmt: skip
    """Relations of an entry grouped by how they read from it, each other end with its sources."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for relation in relations:
        outgoing = relation.source == entry_id
        verb = relation.relation.replace("_", " ") if outgoing else (relation.inverse or relation.relation)
        other = relation.target if outgoing else relation.source
        groups[(0 if outgoing else 1, verb)].append(
            {
                **site.entry_link(other, links),
                "sources": [site.source(s, links) for s in relation.sources],
                "note": relation.note,
                "evidence": relation.evidence,
            }
        )
    return [
        {"verb": verb, "outgoing": direction == 0, "items": sorted(items, key=lambda i: (i["label"], i["id"]))}
        for (direction, verb), items in sorted(groups.items())
    ]


_ENTRY_CACHE: dict[str, str] = {}
_ENTRY_CACHE_LIMIT = 50_000


def _entry_page(site: _Site, entry: Entry) -> str:
    page = _entry_path(entry)
    links = site.links(page)
    relations = site.kb.relations(entry.id, direction="both")
    groups = _relation_groups(site, entry.id, relations, links)
    neighbours = []
    for group in groups:
        for item in group["items"]:
            if item["url"] is not None:
                neighbours.append(Neighbour(item["id"], item["label"], item["kind"], group["verb"], item["url"]))
    context: dict[str, Any] = {
        "entry": {
            "id": entry.id,
            "kind": entry.kind,
            "label": entry.label,
            "aliases": list(entry.aliases),
            "facts": _facts(entry),
            "prose": [(name, getattr(entry, name)) for name in _PROSE_FIELDS if getattr(entry, name, None)],
            "sources": [site.source(s, links) for s in entry.sources],
        },
        "kind_url": links.browse(entry.kind),
        "groups": groups,
        "edit": site.edit(entry),
        "citation": _citation(site, entry, page),
        "reference": None,
        "dataset": None,
        "analysis": None,
        "home": links.to("index.md"),
        "options": {"date": site.options.date, "version": site.options.version},
    }
    if isinstance(entry, Reference):
        context["reference"] = {
            "text": _reference_text(entry),
            "doi": entry.doi,
            "url": entry.url,
            "citing": [site.entry_link(i, links) for i in site.kb.citing(entry.id)],
            "bibliography": links.to("bibliography.md") + "#" + entry.id,
        }
    elif isinstance(entry, Dataset):
        context["dataset"] = _dataset_view(site, entry, links)
    elif isinstance(entry, Analysis):
        context["analysis"] = _analysis_view(site, entry.id, links)
    key = hashlib.sha256(
        json.dumps([entry.id, context, [n.__dict__ for n in neighbours]], sort_keys=True, default=str).encode()
    ).hexdigest()
    cached = _ENTRY_CACHE.get(key)
    if cached is not None:
        return cached
    context["picture"] = Markup(neighbourhood_svg(entry.label, entry.kind, neighbours,
                                                  title=f"{entry.label} and its neighbours"))  # fmt: skip
    text = _page("entry.md", entry.label, **context)
    if len(_ENTRY_CACHE) >= _ENTRY_CACHE_LIMIT:
        _ENTRY_CACHE.clear()
    _ENTRY_CACHE[key] = text
    return text


def _dataset_view(site: _Site, dataset: Dataset, links: _Links) -> dict[str, Any]:
    columns = [
        {"name": c.name, "unit": c.unit, "property": site.entry_link(c.property, links) if c.property else None}
        for c in dataset.columns
    ]
    rows = []
    for record in dataset.records:
        values = record.values
        rows.append(
            {
                "label": record.label,
                "values": ["" if values.get(c.name) is None else f"{values[c.name]}" for c in dataset.columns],
                "source": site.source(record.source, links) if record.source else None,
                "note": record.note,
            }
        )
    return {"columns": columns, "rows": rows, "conditions": _conditions(dataset.conditions)}


def _analysis_view(site: _Site, analysis_id: str, links: _Links) -> dict[str, Any] | None:
    result = site.results.get(analysis_id)
    if result is None:
        return None
    reported = None
    if result.reported is not None:
        reported = {
            "value": result.reported.value,
            "source": site.source(Source(ref=result.reported.ref, locator=result.reported.locator), links),
        }
    return {
        "id": result.id,
        "url": links.entry(result.id),
        "name": result.name,
        "x": result.x_label or result.x,
        "y": result.y_label or result.y,
        "x_unit": result.x_unit,
        "y_unit": result.y_unit,
        "n": result.n,
        "excluded": result.excluded,
        "r": result.r,
        "ci": result.ci,
        "p": result.p,
        "spearman": result.spearman,
        "method": getattr(result, "method", "pearson"),
        "loo": result.loo,
        "reported": reported,
        "difference": result.difference,
        "flags": list(result.flags),
        "datasets": [site.entry_link(d, links) for d in result.datasets],
        "plot": links.to(f"plots/{result.id}.svg"),
    }


# --- index pages ---------------------------------------------------------------------------

_INDEX_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "reference": [("Title", "title"), ("Journal", "journal"), ("Year", "year")],
    "strategy": [("Family", "family"), ("Interface", "interface"), ("Subtype of", "subtype_of")],
    "material": [("Formula", "formula"), ("Roles", "roles")],
    "mechanism": [],
    "species": [("Formula", "formula"), ("Class", "species_class")],
    "property": [("Symbol", "symbol"), ("Unit", "unit"), ("Scope", "scope"), ("Desired", "desired")],
    "technique": [("Abbreviation", "abbreviation"), ("Category", "category")],
    "failure-mode": [("Category", "category"), ("Interface", "interface")],
    "question": [("Status", "status"), ("Theme", "theme"), ("Interface", "interface"), ("Family", "family")],
    "dataset": [],
    "analysis": [("x", "x"), ("y", "y")],
}


def _index_page(site: _Site, kind: str) -> str:
    model = KINDS[kind]
    page = f"browse/{model.folder}.md"
    links = site.links(page)
    columns = [header for header, _ in _INDEX_COLUMNS[kind]]
    extra: list[str] = []
    if kind == "dataset":
        extra = ["Records", "Columns"]
    elif kind == "analysis":
        extra = ["n", "r"]
    rows = []
    for entry in site.of_kind(kind):
        cells: list[dict[str, Any]] = []
        for _, attr in _INDEX_COLUMNS[kind]:
            value = getattr(entry, attr, None)
            if attr == "subtype_of" and value:
                cells.append({"text": site.label(value), "url": links.entry(value)})
            else:
                cells.append({"text": _display(value) or "", "url": None})
        if isinstance(entry, Dataset):
            cells += [{"text": str(len(entry.records)), "url": None}, {"text": str(len(entry.columns)), "url": None}]
        elif isinstance(entry, Analysis):
            result = site.results.get(entry.id)
            cells += [
                {"text": str(result.n) if result else "", "url": None},
                {"text": _fmt(result.r) if result and result.r is not None else "", "url": None},
            ]
        links_count = len(site.kb.relations(entry.id, direction="both"))
        rows.append({"label": entry.label, "id": entry.id, "url": links.entry(entry.id),
                     "cells": cells, "links": links_count})  # fmt: skip
    return _page("browse.md", KIND_TITLES[kind], kind=kind, model_doc=(model.__doc__ or "").strip(),
                 columns=[*columns, *extra], rows=rows, table_id=f"limkb-{model.folder}")  # fmt: skip


def _home_page(site: _Site) -> str:
    links = site.links("index.md")
    counts = [
        {"kind": kind, "title": title, "count": len(site.of_kind(kind)), "url": links.browse(kind)}
        for kind, title in KIND_TITLES.items()
    ]
    open_questions = sum(
        1 for q in site.of_kind("question") if isinstance(q, Question) and q.status.value != "answered"
    )
    return _page("index.md", "limkb", counts=counts, total=len(site.ids), open_questions=open_questions,
                 links=links, options=site.options)  # fmt: skip


def _agenda_page(site: _Site) -> str:
    links = site.links("agenda.md")
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    interfaces = [*_INTERFACE_TITLES, None]
    families = [*_FAMILY_TITLES, None]
    for question in site.of_kind("question"):
        assert isinstance(question, Question)
        interface = question.interface.value if question.interface else None
        family = question.family.value if question.family else None
        about = [site.entry_link(link.id, links) for link in question.about]
        groups[(interfaces.index(interface), families.index(family))].append(
            {
                **site.entry_link(question.id, links),
                "text": question.text,
                "status": question.status.value,
                "theme": question.theme.value,
                "about": about,
                "answerable_by": [site.entry_link(link.id, links) for link in question.answerable_by],
                "approach": question.approach,
            }
        )
    sections = []
    for i, interface in enumerate(interfaces):
        parts = []
        for j, family in enumerate(families):
            items = groups.get((i, j))
            if items:
                status_order = {"open": 0, "partially-answered": 1, "answered": 2}
                items.sort(key=lambda q: (status_order.get(q["status"], 3), q["label"]))
                parts.append({"title": _FAMILY_TITLES.get(family or "", "Across families"), "questions": items})
        if parts:
            title = _INTERFACE_TITLES.get(interface or "", "Both interfaces")
            sections.append({"title": title, "families": parts})
    counts: dict[str, int] = defaultdict(int)
    for items in groups.values():
        for item in items:
            counts[item["status"]] += 1
    return _page("agenda.md", PAGE_TITLES["agenda.md"], sections=sections, counts=dict(sorted(counts.items())))


def _correlations_page(site: _Site, has_figure: bool) -> str:
    links = site.links("correlations.md")
    analyses = [_analysis_view(site, result_id, links) for result_id in sorted(site.results)]
    return _page("correlations.md", PAGE_TITLES["correlations.md"], analyses=analyses,
                 figure=links.to("plots/figure-1.svg") if has_figure else None)  # fmt: skip


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _compatibility_page(site: _Site) -> str:
    links = site.links("compatibility.md")
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for strategy in site.of_kind("strategy"):
        assert isinstance(strategy, Strategy)
        for link in strategy.combines_with:
            if link.id not in site.by_id:
                continue
            pairs[_pair(strategy.id, link.id)].append(
                {"evidence": str(link.evidence.value), "stated_by": strategy.id, "note": link.note,
                 "sources": [site.source(s, links) for s in link.sources]}
            )
    verdicts = {pair: _verdict([s["evidence"] for s in stated]) for pair, stated in pairs.items()}
    involved = sorted({i for pair in pairs for i in pair}, key=lambda i: (site.label(i).lower(), i))
    matrix = None
    if involved and len(involved) <= _MATRIX_LIMIT:
        matrix = {
            "heads": [site.entry_link(i, links) for i in involved],
            "rows": [
                {"head": site.entry_link(a, links),
                 "cells": [verdicts.get(_pair(a, b), "same" if a == b else "") for b in involved]}
                for a in involved
            ],
        }
    family_counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (a, b), verdict in verdicts.items():
        fa, fb = sorted((_family_of(site, a), _family_of(site, b)))
        family_counts[(fa, fb)][verdict] += 1
    families: list[dict[str, Any]] = []
    for (fa, fb), count in sorted(family_counts.items()):
        families.append({"a": _FAMILY_TITLES.get(fa, fa), "b": _FAMILY_TITLES.get(fb, fb),
                         **{k: count.get(k, 0) for k in _VERDICTS}})  # fmt: skip
    listed: list[dict[str, Any]] = []
    for (a, b), stated in sorted(pairs.items()):
        listed.append({"a": site.entry_link(a, links), "b": site.entry_link(b, links), "verdict": verdicts[(a, b)],
                       "stated": sorted(stated, key=lambda s: (s["stated_by"], s["evidence"]))})  # fmt: skip
    return _page("compatibility.md", PAGE_TITLES["compatibility.md"], matrix=matrix, pairs=listed,
                 families=families, limit=_MATRIX_LIMIT)  # fmt: skip


_VERDICTS = ("compatible", "conflicting", "unknown", "mixed")


def _verdict(evidence: Iterable[str]) -> str:
    found = set(evidence)
    if len(found) == 1:
        return found.pop()
    return "mixed" if "compatible" in found and "conflicting" in found else (
        "conflicting" if "conflicting" in found else "compatible")  # fmt: skip


def _family_of(site: _Site, strategy_id: str) -> str:
    entry = site.by_id[strategy_id]
    return entry.family.value if isinstance(entry, Strategy) else ""


def _coverage_page(site: _Site) -> str:
    links = site.links("coverage.md")
    descriptors = [p for p in site.of_kind("property") if isinstance(p, Property) and p.scope.value in ("sei", "layer")]
    descriptor_ids = {p.id for p in descriptors}
    known: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for strategy in site.of_kind("strategy"):
        assert isinstance(strategy, Strategy)
        for link in strategy.measured:
            if link.id in descriptor_ids:
                known[strategy.id][link.id].add("measured")
    for dataset in site.of_kind("dataset"):
        assert isinstance(dataset, Dataset)
        held = {c.property for c in dataset.columns if c.property in descriptor_ids}
        for link in dataset.about:
            for prop in held:
                if prop is not None:
                    known[link.id][prop].add("data")
    strategies = site.of_kind("strategy")
    rows_source = strategies if len(strategies) <= _MATRIX_LIMIT * 3 else [s for s in strategies if s.id in known]
    rows_source = sorted(rows_source, key=lambda s: (_family_of(site, s.id), s.label.lower(), s.id))
    rows: list[dict[str, Any]] = []
    for s in rows_source:
        cells = [" + ".join(sorted(known[s.id].get(p.id, set()))) for p in descriptors]
        rows.append({"head": site.entry_link(s.id, links), "family": _FAMILY_TITLES.get(_family_of(site, s.id), ""),
                     "cells": cells, "count": len(known[s.id])})  # fmt: skip
    heads = [site.entry_link(p.id, links) for p in descriptors]
    gaps = [
        {"head": head, "count": sum(1 for row in rows if row["cells"][i])} for i, head in enumerate(heads)
    ]
    return _page("coverage.md", PAGE_TITLES["coverage.md"], heads=heads, rows=rows, gaps=gaps,
                 hidden=len(strategies) - len(rows))  # fmt: skip


def _bibliography_page(site: _Site) -> str:
    links = site.links("bibliography.md")
    refs = [r for r in site.of_kind("reference") if isinstance(r, Reference)]
    refs.sort(key=lambda r: (r.authors[0].lower(), r.year, r.id))
    items = [
        {
            "id": r.id,
            "url": links.entry(r.id),
            "label": r.label,
            "text": _reference_text(r),
            "doi": r.doi,
            "link": r.url,
            "citing": [site.entry_link(i, links) for i in site.kb.citing(r.id)],
        }
        for r in refs
    ]
    return _page("bibliography.md", PAGE_TITLES["bibliography.md"], items=items)


_DOWNLOAD_NOTES = {
    "kb.sqlite": "Every entry, relation, citation, dataset record and analysis result as SQLite tables.",
    "graph.graphml": "The knowledge graph as GraphML (Gephi, Cytoscape desktop, yEd, networkx).",
    "graph.json": "The knowledge graph as node-link JSON (networkx, D3).",
    "kb.jsonld": "Every entry as JSON-LD linked data.",
    "analyses.json": "The computed correlations with their points.",
}


def _downloads_page(site: _Site) -> str:
    links = site.links("downloads.md")
    files = None
    if site.options.downloads is not None:
        files = []
        for download in sorted(site.options.downloads, key=lambda d: d.path):
            name = download.path.rsplit("/", 1)[-1]
            note = _DOWNLOAD_NOTES.get(name)
            if note is None and download.path.endswith(".csv"):
                note = "A dataset's records as CSV, values in the column units."
            files.append({"name": download.path.removeprefix("downloads/"), "url": links.to(download.path),
                          "size": _size(download.size), "note": note or ""})  # fmt: skip
    return _page("downloads.md", PAGE_TITLES["downloads.md"], files=files)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.1f} MB"


def graph_data(site: _Site) -> str:
    """``window.LIMKB_GRAPH = {...};``: nodes and edges of the whole graph, sorted."""
    nodes = [
        {"id": i, "name": site.label(i), "kind": site.by_id[i].kind, "url": f"entries/{site.folders[i]}/{i}/"}
        for i in site.ids
    ]
    edges = sorted(
        {(s, t, str(k)) for s, t, k in site.kb.graph.edges(keys=True) if s in site.by_id and t in site.by_id}
    )
    data = {
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "relation": r} for s, t, r in edges],
        "colours": KIND_COLOURS,
    }
    return "window.LIMKB_GRAPH = " + json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":")) + ";\n"


_NO_CONTRIBUTING = """# Contributing

Entries are YAML files under `kb/` in the repository, one file per entry. Create one with
`limkb new <kind> <id>`, fill it in, check it with `limkb validate`, preview the site with
`limkb serve`, and open a pull request.
"""

_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def _contributing_page(text: str, options: RenderOptions) -> str:
    """CONTRIBUTING.md for the site: links to pages of the site kept, other repository paths made absolute.

    Without a repository URL, a link to a file that is not a page becomes a link to the top.
    """

    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        clean = target.removeprefix("./")
        page = clean.removeprefix("docs/").split("#")[0]
        if clean.startswith("docs/") and (page in options.docs_pages or page in PAGE_TITLES):
            return f"{match.group(1)}{clean.removeprefix('docs/')}{match.group(3)}"
        if options.repo_url:
            return f"{match.group(1)}{options.repo_url.rstrip('/')}/blob/{options.edit_branch}/{clean}{match.group(3)}"
        return f"{match.group(1)}#{match.group(3)}"

    body = _LINK.sub(fix, text)
    if "common-errors.md" in options.docs_pages and "](common-errors.md" not in body:
        body = body.rstrip("\n") + (
            "\n\n## Common errors\n\nWhat each validation message means and how to fix it: "
            "[common errors](common-errors.md).\n"
        )
    return body


def _asset_files() -> dict[str, bytes]:
    """Every file of the package's ``assets/`` folder, at ``assets/limkb/<same path>``.

    Markdown files there (notes on where vendored files come from) are left out: on the site
    they would become pages.
    """
    found: dict[str, bytes] = {}
    root = resources.files("limkb") / "assets"

    def walk(folder: Any, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name.startswith(".") or item.name == "__pycache__":
                continue
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif not item.name.endswith(".md"):
                found[f"assets/limkb/{prefix}{item.name}"] = item.read_bytes()

    if root.is_dir():
        walk(root, "")
    return found


def render(kb: KnowledgeBase, *, results: Mapping[str, AnalysisResult] | None = None,
           options: RenderOptions | None = None) -> dict[str, str | bytes]:  # fmt: skip
    """Every page and file of the site, by site-relative path, in sorted order.

    ``results`` are the computed analyses (``kb.analyses`` when None). The output depends
    only on the knowledge base, the results and ``options``: the same input gives the same
    bytes.
    """
    options = options or RenderOptions()
    if results is None:
        results = kb.analyses
    site = _Site(kb, options, results)
    pages: dict[str, str | bytes] = {}
    pages["index.md"] = _home_page(site)
    for kind in KIND_TITLES:
        pages[f"browse/{KINDS[kind].folder}.md"] = _index_page(site, kind)
    for entry_id in site.ids:
        entry = site.by_id[entry_id]
        pages[_entry_path(entry)] = _entry_page(site, entry)
    pages.update(_plots(results))
    pages["agenda.md"] = _agenda_page(site)
    pages["correlations.md"] = _correlations_page(site, "plots/figure-1.svg" in pages)
    pages["compatibility.md"] = _compatibility_page(site)
    pages["coverage.md"] = _coverage_page(site)
    pages["bibliography.md"] = _bibliography_page(site)
    pages["downloads.md"] = _downloads_page(site)
    pages["graph.md"] = _page("graph.md", PAGE_TITLES["graph.md"], counts=len(site.ids))
    pages["assets/limkb/graph-data.js"] = graph_data(site)
    pages["contributing.md"] = _contributing_page(options.contributing or _NO_CONTRIBUTING, options)
    if options.assets:
        pages.update(_asset_files())
    log.debug("rendered %d files for %d entries", len(pages), len(site.ids))
    return dict(sorted(pages.items()))


_PLOT_CACHE: dict[str, str] = {}


def _plots(results: Mapping[str, AnalysisResult]) -> dict[str, str]:
    """The scatter plot of every analysis and the overview figure, as SVG files."""
    if not results:
        return {}
    from limkb import plots

    found: dict[str, str] = {}
    for result_id in sorted(results):
        if not is_slug(result_id):
            raise ValueError(f"refusing to make a path of the analysis id {result_id!r}: not a slug")
        result = results[result_id]
        key = hashlib.sha256(json.dumps(result.to_dict(), sort_keys=True).encode()).hexdigest()
        svg = _PLOT_CACHE.get(key)
        if svg is None:
            svg = _PLOT_CACHE[key] = plots.scatter_svg(result)
        found[f"plots/{result_id}.svg"] = svg
    ordered = [results[i] for i in sorted(results)]
    if any(r.reported is not None for r in ordered):
        found["plots/figure-1.svg"] = plots.figure1_svg([r for r in ordered if r.reported is not None])
    return found
