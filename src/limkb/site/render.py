"""Render a knowledge base to site pages: ``KnowledgeBase -> {site path: text or bytes}``.

The pages are Markdown files whose body is mostly HTML blocks, rendered with the Jinja2
templates in ``limkb/site/templates`` (autoescaped, ``StrictUndefined``). Nothing here knows of
MkDocs: the plugin (:mod:`limkb.plugin`) and ``limkb render --out DIR`` both call
:func:`render`. Links between pages are written as paths of the target's Markdown
file relative to the linking one (``../strategies/fec-additive.md``);
:func:`limkb.site.urls.resolve_links` makes them the URLs of the built site, in either of
MkDocs' URL forms.

Entry data reaches a page only as escaped text, as prose that :func:`limkb.site.markup.prose`
sanitised, or as a context value of one of our own templates; it is never template source.
Page titles that come from data go through :func:`limkb.site.markup.text_title`. Ids are checked
slugs before they become paths.

Site layout:

``index.md``                         home: what limkb is, counts by kind, how to read and add
``browse/<folder>.md``               one sortable, filterable table per kind
``entries/<folder>/<id>.md``         one page per entry
``agenda.md``                        open questions by interface and family
``correlations.md`` ``plots/*.svg``  computed analyses with their scatter plots
``compatibility.md``                 strategy x strategy: combined with evidence, conflicting, unknown
``coverage.md``                      which descriptors are known for which strategy
``compare/*``                        one table of values per quantity, with its data and CSV
``bibliography.md``                  references with the entries citing each (the long lists
                                     in ``assets/limkb/cited-by-data.js``, loaded when opened)
``downloads.md``                     the build's data files
``graph.md`` ``assets/limkb/*``      the graph explorer, its scripts and its data as a .js file
``contributing.md``                  CONTRIBUTING.md, when given
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape as html_escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape

from markupsafe import Markup
from pydantic import BaseModel

from limkb.analysis.evidence import GRADE_TITLES, Grade, grade
from limkb.files import BuildCache
from limkb.schema.fields import electrolyte_text
from limkb.schema.kinds import (
    KINDS,
    Analysis,
    Claim,
    ColumnType,
    Dataset,
    Entry,
    Finding,
    Material,
    Property,
    Question,
    Reference,
    Source,
    Strategy,
    relation_fields,
)
from limkb.site.citing import cite_files, cite_links
from limkb.site.claims import claim_view
from limkb.site.combinations import combinations_view
from limkb.site.compare import FamilyTable, compare_links, compare_rows, improves_ce
from limkb.site.comparison_pages import compare_index, family_files
from limkb.site.context import (
    KIND_TITLES,
    PAGE_TITLES,
    Download,
    Links,
    RenderOptions,
    Site,
    build_date,
    display,
    entry_path,
    fmt,
    page_text,
    pieces_html,
    reference_text,
)
from limkb.site.finder import search_data, snippet
from limkb.site.gaps import CONTRIBUTING_HEADINGS, missing_sections
from limkb.site.kinds import DISPLAY, KEY_VERBS, SEARCH_BOOST
from limkb.site.markup import prose, text_title
from limkb.site.memo import KEYED, Bounded, Pieces, Reads, RenderMemo, mentions, still_exact
from limkb.site.neighbourhood import Neighbour, neighbourhood_svg
from limkb.site.overview import (
    agenda_page,
    analysis_view,
    bibliography_page,
    cited_by_data,
    compatibility_page,
    correlations_page,
    coverage_page,
    downloads_page,
    graph_data,
    plot_files,
)
from limkb.site.pages import PAGES, Page, registered, title_of
from limkb.site.sections import Row, by_letter, rows_within
from limkb.site.structures import material_view, structure_folder, structure_svg
from limkb.site.urls import UrlStyle, built_url, relative_url

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase, Relation

__all__ = [
    "KIND_TITLES",
    "MAKERS",
    "PAGE_TITLES",
    "Download",
    "Maker",
    "PageRun",
    "RenderMemo",
    "RenderOptions",
    "build_date",
    "graph_data",
    "page_of",
    "render",
    "render_cached",
    "render_entries",
    "render_entry",
    "render_page",
    "render_spilled",
]

log = logging.getLogger(__name__)


# --- entry pages ---------------------------------------------------------------------------

_PROSE_FIELDS = ("summary", "text", "approach", "missing", "note")
_SKIP_FIELDS = {
    "id",
    "name",
    "aliases",
    "sources",
    "columns",
    "records",
    "composition",
    "conditions",
    "filters",
    "reported",
    "x",
    "y",
    "doi",
    "url",
    "title",
    "authors",
    "doi_printed",
    "cited_in",
    "proposition",
    "evidence",
    "still_missing",
    "smiles",
    "cas",
    "pubchem",
}


def _facts(entry: Entry) -> list[tuple[str, str]]:
    """The short facts of an entry (family, formula, unit ...) as (label, text) pairs."""
    relations = relation_fields(type(entry))
    facts: list[tuple[str, str]] = []
    for name in type(entry).model_fields:
        if name in _SKIP_FIELDS or name in _PROSE_FIELDS or name in relations:
            continue
        shown = display(getattr(entry, name))
        if shown is not None:
            facts.append((name.replace("_", " "), shown))
    return facts


def _property_view(site: Site, entry: Property, links: Links) -> dict[str, Any] | None:
    """A property's plausible range and, for a derived one, the expression defining it."""
    span = entry.range
    unit = "" if entry.unit == "1" else f" {entry.unit}"
    shown = None
    if span is not None and (span.min is not None or span.max is not None):
        low = "" if span.min is None else f"{span.min:g}"
        high = "" if span.max is None else f"{span.max:g}"
        shown = {
            "text": f"{low} to {high}{unit}"
            if low and high
            else (f"at least {low}{unit}" if low else f"at most {high}{unit}"),
            "note": span.note,
        }
    defined = entry.defined_as
    if shown is None and defined is None:
        return None
    return {
        "range": shown,
        "defined_as": None
        if defined is None
        else {"expression": defined.expression, "source": site.source(defined.source, links)},
    }


def _one_formula(
    facts: list[tuple[str, str]], material: Material, view: dict[str, Any] | None
) -> list[tuple[str, str]]:
    """The facts without the declared formula when the SMILES gives one (shown with the
    chemistry); a declared formula that holds other atoms stays, flagged."""
    computed = (view or {}).get("computed")
    if computed is None or material.formula is None:
        return facts
    from limkb.analysis.chemistry import same_atoms

    if same_atoms(material.formula, computed["formula"]):
        return [(label, value) for label, value in facts if label != "formula"]
    flagged = "formula (declared; the SMILES gives another)"
    return [(flagged if label == "formula" else label, value) for label, value in facts]


def _conditions(value: BaseModel | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    found = []
    for name in type(value).model_fields:
        shown = display(getattr(value, name))
        if shown is not None:
            found.append((name.replace("_", " "), shown))
    return found


def _citation(site: Site, entry: Entry, page: str) -> str:
    """A suggested citation of an entry's page."""
    base = (site.options.site_url or "").rstrip("/")
    url = built_url(page, site.options.urls)
    where = f"{base}/{url}" if base else url
    return (
        f"{entry.label}. In: limkb, a knowledge base of interfacial engineering of lithium-metal "
        f"anodes, version {site.options.version} ({site.options.date}). {where}"
    )


DIAGRAM_LIMIT = 12
"""Above this many neighbours an entry page lists them by relation instead of drawing them."""

_GRADE_ORDER = list(Grade)


def _dates(site: Site, entry_id: str) -> dict[str, str] | None:
    change = (site.options.history or {}).get(entry_id)
    return None if change is None else {"added": change.added, "changed": change.changed}


def id_pages(site: Site, pieces: Pieces | None = None) -> dict[str, str]:
    """``id/<id>.html`` for every entry: a page that forwards to the entry's page, so that the
    persistent IRI ``https://w3id.org/limkb/entry/<id>`` needs one redirect rule that knows
    nothing of kinds or folders (README, "Persistent addresses")."""
    found = {}
    # plain HTML files are not rewritten by an engine: with links left as .md paths (another
    # engine's build), they forward to directory URLs, most engines' default
    style = "directory" if site.options.urls == "md" else site.options.urls
    for entry_id in site.ids:
        make = functools.partial(_id_page, site, entry_id, style)
        found[f"id/{entry_id}.html"] = make() if pieces is None else pieces.piece("id", entry_id, make)
    return found


def _id_page(site: Site, entry_id: str, style: UrlStyle) -> str:
    """The page forwarding ``id/<id>.html`` to the entry's page."""
    entry = site.by_id[entry_id]
    target = relative_url(built_url(entry_path(entry), style), f"id/{entry_id}.html")
    label = html_escape(text_title(entry.label))
    href = html_escape(target)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{label}</title>'
        f'<link rel="canonical" href="{href}"><meta http-equiv="refresh" content="0; url={href}">'
        f'</head><body><p><a href="{href}">{label}</a></p></body></html>\n'
    )


FEED_SIZE = 50
"""How many of the latest changes the Atom feed lists."""


def feed(site: Site) -> str:
    """``feed.xml``: the latest added or changed entries as an Atom feed, dated by their commits."""
    history = {i: c for i, c in (site.options.history or {}).items() if i in site.by_id}
    latest = sorted(history, key=lambda i: (history[i].changed_at, i), reverse=True)[:FEED_SIZE]
    base = (site.options.site_url or "").rstrip("/")

    def url(path: str) -> str:
        built = built_url(path, site.options.urls)
        return f"{base}/{built}" if base else built

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>limkb: new and changed entries</title>",
        f'<link href="{escape(url("index.md"))}"/>',
        f'<link rel="self" href="{escape(url("feed.xml"))}"/>',
        "<id>tag:limkb,2024:feed</id>",
        # without history (not a git checkout) the feed is empty, dated by the build
        f"<updated>{escape(history[latest[0]].changed_at if latest else site.options.date + 'T00:00:00+00:00')}</updated>",
        "<author><name>limkb contributors</name></author>",
    ]
    for entry_id in latest:
        entry, change = site.by_id[entry_id], history[entry_id]
        what = "Added" if change.added == change.changed else "Changed"
        text = entry.title if isinstance(entry, Reference) else getattr(entry, "summary", None)
        text = text or getattr(entry, "text", None)
        parts += [
            "<entry>",
            f"<title>{escape(what)}: {escape(text_title(_titled(entry)))}</title>",
            f'<link href="{escape(url(entry_path(entry)))}"/>',
            f"<id>tag:limkb,2024:entries/{escape(entry_id)}</id>",
            f"<updated>{escape(change.changed_at)}</updated>",
            f"<summary>{escape(snippet(text, 300))}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def _source_grade(site: Site, source: Source) -> Grade:
    """The evidence grade of a claim resting on ``source``, from the cited reference's reading status."""
    reference = site.by_id.get(source.ref)
    return grade(source, {source.ref: reference} if isinstance(reference, Reference) else {})


def _link_grade(site: Site, relation: Relation) -> tuple[str, str]:
    """The evidence grade of a relation (the best of its sources') and what it means."""
    grades = [_source_grade(site, s) for s in relation.sources]
    if grades:
        best = min(grades, key=_GRADE_ORDER.index)
        return best.value, GRADE_TITLES[best]
    if relation.editorial:
        return "editorial", f"limkb's own link, no source needed: {relation.editorial}"
    return "unsourced", "no source given for this relation yet"


STRUCTURAL = frozenset(
    {
        "about",
        "subtype_of",
        "made_by",
        "cited_in",
        "component",
        "exemplifies",
        "finding_about",
        "analyses",
        "datasets",
        "compares",
        "column_of",
        "x_variable",
        "y_variable",
    }
)
"""Relations that say how the knowledge base is organised (is-a, made-by, part-of), not a
claim about the chemistry: their pages show them without an evidence badge. ``about`` (what a
claim, question or dataset is about) names a subject, not a finding about it."""

_OTHER_GRADES = {
    "editorial": "limkb's own link, which needs no source",
    "unsourced": "no source given yet",
}


def _grade_summary(grades: Sequence[str | None]) -> list[tuple[str, str, int]]:
    """The evidence grades shown on a page, best first, each with its meaning and how many
    badges carry it: the page's one legend and its summary ("3 primary-data, 12 review")."""
    counts = Counter(g for g in grades if g)
    order = [g.value for g in _GRADE_ORDER] + list(_OTHER_GRADES)
    titles = {**{g.value: GRADE_TITLES[g] for g in _GRADE_ORDER}, **_OTHER_GRADES}
    return [(key, titles[key], counts[key]) for key in order if counts[key]]


def _structural(site: Site, relation: Relation) -> bool:
    """Whether a relation organises the knowledge base rather than states chemistry: one of
    :data:`STRUCTURAL`, or a claim weighing an analysis (computed here from the data, so no
    paper is its source)."""
    if relation.relation in STRUCTURAL:
        return True
    target = site.by_id.get(relation.target)
    return relation.relation == "evidence" and isinstance(target, Analysis)


def _relation_groups(
    site: Site, entry_id: str, relations: Sequence[Relation], links: Links
) -> list[dict[str, Any]]:
    """Relations of an entry grouped by how they read from it, each other end with its sources."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for relation in relations:
        outgoing = relation.source == entry_id
        verb = relation.relation.replace("_", " ") if outgoing else (relation.inverse or relation.relation)
        other = relation.target if outgoing else relation.source
        found, meaning = (None, "") if _structural(site, relation) else _link_grade(site, relation)
        groups[(0 if outgoing else 1, verb)].append(
            {
                **site.entry_link(other, links),
                "sources": [site.source(s, links) for s in relation.sources],
                "note": relation.note,
                "evidence": relation.evidence,
                "grade": found,
                "grade_title": meaning,
            }
        )
    return [
        {
            "verb": verb,
            "outgoing": direction == 0,
            "items": sorted(items, key=lambda i: (i["label"], i["id"])),
        }
        for (direction, verb), items in sorted(groups.items())
    ]


def _entry_page(site: Site, entry: Entry, texts: Bounded[str] | None = None) -> str:
    """The Markdown of an entry's page; with ``texts``, reused from it when the page's whole
    input (its context and neighbours) hashes as a page made before."""
    page = entry_path(entry)
    links = site.links(page)
    relations = site.kb.relations(entry.id, direction="both")
    groups = _relation_groups(site, entry.id, relations, links)
    neighbours = []
    for group in groups:
        for item in group["items"]:
            if item["url"] is not None:
                neighbours.append(
                    Neighbour(item["id"], item["label"], item["kind"], group["verb"], item["url"])
                )
    by_verb = {group["verb"]: group for group in groups}
    key_groups = [by_verb[verb] for verb in KEY_VERBS.get(entry.kind, ()) if verb in by_verb]
    context: dict[str, Any] = {
        "key": key_groups,
        "records": _records_about(site, entry.id, relations, links),
        "legend": sorted({n.kind for n in neighbours} | {entry.kind}),
        "draw": 0 < len(neighbours) <= DIAGRAM_LIMIT,
        "entry": {
            "id": entry.id,
            "kind": entry.kind,
            "label": entry.label,
            "short": _short_name(entry) if not isinstance(entry, Reference) else None,
            "aliases": list(entry.aliases),
            "facts": _facts(entry),
            "prose": [(name, getattr(entry, name)) for name in _PROSE_FIELDS if getattr(entry, name, None)],
            "sources": [site.source(s, links) for s in entry.sources],
        },
        "kind_url": links.browse(entry.kind),
        "boost": SEARCH_BOOST.get(entry.kind),
        # the theme writes it into an attribute unescaped: plain text with no quote or bracket
        # (and no "=", so nothing in it reads as an attribute either: a full-width sign reads the same)
        "description": text_title(
            snippet(entry.title if isinstance(entry, Reference) else getattr(entry, "summary", None), 200)
        ).replace("=", "\uff1d"),
        "groups": groups,
        "edit": site.edit(entry),
        "citation": _citation(site, entry, page),
        "cite": cite_links(site, links, entry),
        "reference": None,
        "dataset": None,
        "analysis": None,
        "claim": None,
        "material": None,
        "combinations": combinations_view(site, entry.id, relations, links)
        if isinstance(entry, Material)
        else None,
        "property": _property_view(site, entry, links) if isinstance(entry, Property) else None,
        "findings": (findings := _findings_shown(site, entry, relations, links)),
        "evidence_gap": _evidence_gap_view(site, entry, links) if not findings else None,
        "grades": _grade_summary(
            [i["grade"] for g in groups for i in g["items"]] + [f["grade"] for f in findings]
        ),
        "discussed": [
            view
            for analysis_id in getattr(entry, "analyses", None) or []
            if (view := analysis_view(site, analysis_id, links)) is not None
        ],
        "home": links.to("index.md"),
        "compare": compare_links(site, entry, page),
        "gaps": missing_sections(
            entry.kind, site.edit(entry)["path"] or "", [(g["outgoing"], g["verb"]) for g in groups], links
        ),
        "history": _dates(site, entry.id),
        "options": {"date": site.options.date, "version": site.options.version},
    }
    if isinstance(entry, Material):
        context["material"] = material_view(site, entry, links)
        context["entry"]["facts"] = _one_formula(context["entry"]["facts"], entry, context["material"])
    if isinstance(entry, Reference):
        context["reference"] = {
            "text": reference_text(entry),
            "doi": entry.doi,
            "url": entry.url,
            "citing": [site.entry_link(i, links) for i in site.kb.citing(entry.id)],
            "bibliography": links.to("bibliography.md") + "#" + entry.id,
            "read": None
            if entry.read is None
            else {"status": entry.read.status, "url": entry.read.url, "note": entry.read.note},
        }
    elif isinstance(entry, Dataset):
        context["dataset"] = _dataset_view(site, entry, links)
    elif isinstance(entry, Analysis):
        context["analysis"] = analysis_view(site, entry.id, links)
    elif isinstance(entry, Claim):
        context["claim"] = claim_view(site, entry, links, _finding_view)
    # the key hashes the page's whole context: worth it only where a store of texts can answer
    # (the preview's); a build writes each page it makes, so it skips the hash
    key = _context_key(entry, context, neighbours) if texts is not None else None
    cached = texts.get(key) if texts is not None and key is not None else None
    if cached is not None:
        return cached
    context["picture"] = (
        Markup(
            neighbourhood_svg(entry.label, entry.kind, neighbours, title=f"{entry.label} and its neighbours")
        )
        if context["draw"]
        else ""
    )
    context["structure"] = (
        Markup(structure_svg(entry, structure_folder(site.options.plot_cache)))
        if isinstance(entry, Material) and entry.smiles
        else ""
    )
    text = page_text("entry.md", _titled(entry), **context)
    if texts is not None and key is not None:
        texts.put(key, text)
    return text


def _context_key(entry: Entry, context: dict[str, Any], neighbours: list[Neighbour]) -> str:
    """A hash of everything an entry page shows (its context and neighbours), for a store of texts."""
    return hashlib.sha256(
        json.dumps(
            [entry.id, context, [n.__dict__ for n in neighbours]], sort_keys=True, default=str
        ).encode()
    ).hexdigest()


def _records_about(
    site: Site, entry_id: str, relations: Sequence[Relation], links: Links
) -> list[dict[str, Any]]:
    """The dataset records that name ``entry_id`` among their strategies, with their values."""
    found = []
    datasets = sorted({r.source for r in relations if r.target == entry_id and r.relation == "exemplifies"})
    for dataset_id in datasets:
        dataset = site.by_id.get(dataset_id)
        if not isinstance(dataset, Dataset):
            continue
        for record in dataset.records:
            if entry_id not in record.strategies:
                continue
            values = [
                f"{_column_label(site, c.property, c.name)}: {_recorded(record.values[c.name])}"
                + ("" if c.unit in (None, "1") else f" {c.unit}")
                for c in dataset.columns
                if record.values.get(c.name) is not None
            ]
            found.append(
                {
                    "dataset": site.entry_link(dataset_id, links),
                    "label": record.label,
                    "values": "; ".join(values),
                    "electrolyte": electrolyte_text(record.electrolyte, roles=True),
                    "source": site.source(record.source, links) if record.source else None,
                }
            )
    return found


def _column_label(site: Site, property_id: str | None, name: str) -> str:
    """A dataset column as a reader knows it: its property's name (``SEI fluorine content``),
    else the column's own name."""
    if property_id is not None and site.by_id.get(property_id) is not None:
        return site.label(property_id)
    return name


def _dataset_view(site: Site, dataset: Dataset, links: Links) -> dict[str, Any]:
    columns = [
        {
            "name": c.name,
            "unit": c.unit,
            "property": site.entry_link(c.property, links) if c.property else None,
        }
        for c in dataset.columns
    ]
    rows = []
    for record in dataset.records:
        values = record.values
        rows.append(
            {
                "label": record.label,
                "values": [
                    "" if values.get(c.name) is None else _recorded(values[c.name]) for c in dataset.columns
                ],
                "text_cells": [c.type is ColumnType.TEXT for c in dataset.columns],
                "electrolyte": electrolyte_text(record.electrolyte, roles=True),
                "conditions": "; ".join(f"{k}: {v}" for k, v in _conditions(record.conditions)),
                "strategies": [site.entry_link(s, links) for s in record.strategies],
                "source": site.source(record.source, links) if record.source else None,
                "note": record.note,
            }
        )
    return {
        "columns": columns,
        "rows": rows,
        "conditions": _conditions(dataset.conditions),
        "electrolyte": electrolyte_text(dataset.electrolyte, roles=True),
        "has_electrolyte": any(r["electrolyte"] for r in rows),
        "has_conditions": any(r["conditions"] for r in rows),
        "has_strategies": any(r["strategies"] for r in rows),
        "long": len(rows) > 50,
        "csv": _dataset_csv(site, dataset, links),
    }


def _dataset_csv(site: Site, dataset: Dataset, links: Links) -> str | None:
    """The link to the dataset's CSV among the build's downloads (None when the build has none)."""
    path = f"downloads/datasets/{dataset.id}.csv"
    downloads = site.options.downloads or ()
    offered = site.options.dataset_downloads or any(d.path == path for d in downloads)
    return links.to(path) if offered else None


SHOWN_DIGITS = 6
"""Significant digits a dataset page shows of a number recorded with more (the page's download keeps all)."""


def _short_name(entry: Entry) -> str | None:
    """The abbreviation or formula readers search by (``LiF``, ``XPS``, ``ALD``), when the
    label does not already hold it."""
    candidates = [getattr(entry, "abbreviation", None), getattr(entry, "formula", None)]
    candidates += [a for a in entry.aliases if len(a) <= 10 and " " not in a]
    for name in candidates:
        if name and name.casefold() not in entry.label.casefold():
            return str(name)
    return None


_TERM = re.compile(r"[\w\u2080-\u2089\u00b2\u00b3+./-]+")
"""A word a row's filter terms may hold: names and formulas, nothing that reads as markup."""


def _terms(entry: Entry) -> list[str]:
    """The short names and aliases a reader may filter a table by (``LiF``, ``XPS``)."""
    short = _short_name(entry)
    return [t for t in (short, *entry.aliases) if t and t.casefold() not in entry.label.casefold()]


def _titled(entry: Entry) -> str:
    """The page title: the label, with the short name readers search by (``Lithium fluoride (LiF)``)."""
    short = _short_name(entry) if not isinstance(entry, Reference) else None
    return f"{entry.label} ({short})" if short else entry.label


def _findings_shown(
    site: Site, entry: Entry, relations: Sequence[Relation], links: Links
) -> list[dict[str, Any]]:
    """The findings an entry's page lists: its own, then those recorded on other entries that
    name it in ``informs:`` (each marked with the entry it is recorded on)."""
    shown = [_finding_view(site, f, links) for f in getattr(entry, "findings", None) or []]
    hosts = sorted({r.source for r in relations if r.relation == "informs" and r.target == entry.id})
    for host in hosts:
        for finding in getattr(site.by_id.get(host), "findings", None) or []:
            if entry.id in finding.informs:
                shown.append(_finding_view(site, finding, links, recorded_on=host))
    return shown


_GAP_REASONS = {
    "umbrella": "This is an umbrella entry: its evidence is recorded on the narrower strategies it covers.",
    "nothing-readable": "No paper on it could be read here, so no finding has been recorded yet.",
}
"""What each ``evidence_gap`` reason means to a reader."""


def _evidence_gap_view(site: Site, entry: Entry, links: Links) -> dict[str, Any] | None:
    """Why a strategy without findings has none (its ``evidence_gap``), how it was searched and,
    for an umbrella, the strategies whose pages hold the evidence (given, else its direct
    subtypes); for a strategy that does not say, the keys that would."""
    if not isinstance(entry, Strategy):
        return None
    gap = entry.evidence_gap
    if gap is None:
        return {"reason": None, "how": links.to("contributing.md") + "#say-why-a-strategy-has-no-findings"}
    children = list(gap.children)
    if gap.reason == "umbrella" and not children:
        children = sorted(
            i for i, e in site.by_id.items() if isinstance(e, Strategy) and e.subtype_of == entry.id
        )
    return {
        "reason": _GAP_REASONS[gap.reason],
        "searched": gap.searched,
        "children": [site.entry_link(child, links) for child in children],
    }


def _finding_view(
    site: Site, finding: Finding, links: Links, *, recorded_on: str | None = None
) -> dict[str, Any]:
    """A finding as an entry page shows it, with its computed evidence grade (and, when it is
    recorded on another entry, a link to that entry)."""
    found = _source_grade(site, finding.source)
    value = {"=": "", ">": "> ", "<": "< ", "~": "~ "}[finding.bound] + _recorded(finding.value)
    if finding.high is not None:
        value += f"–{_recorded(finding.high)}"
    return {
        "quantity": site.entry_link(finding.quantity, links) if finding.quantity else None,
        "what": finding.what,
        "value": value,
        "unit": "" if finding.unit == "1" else finding.unit,
        "electrolyte": electrolyte_text(finding.electrolyte, roles=True) or finding.electrolyte_note or "",
        "conditions": "; ".join(f"{k}: {v}" for k, v in _conditions(finding.conditions)),
        "source": site.source(finding.source, links),
        "statement": finding.statement,
        "id": finding.id,
        "recorded_on": site.entry_link(recorded_on, links) if recorded_on else None,
        "grade": found.value,
        "grade_title": GRADE_TITLES[found],
    }


def _recorded(value: object) -> str:
    """A cell as it was recorded (the shortest text that reads back as the same number), cut to
    :data:`SHOWN_DIGITS` significant digits when it was recorded with more."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        digits = len(text.lstrip("-").split("e")[0].replace(".", "").lstrip("0"))
        return format(value, f".{SHOWN_DIGITS}g") if digits > SHOWN_DIGITS else text
    return str(value)


# --- index pages ---------------------------------------------------------------------------


def _coefficient_text(result: AnalysisResult) -> str:
    """An analysis's coefficient for the browse table: r, or ``ρ 0.83`` when it is Spearman's."""
    if result.coefficient is None:
        return ""
    return fmt(result.coefficient) if result.method != "spearman" else f"ρ {fmt(result.coefficient)}"


def _browse_row(site: Site, entry: Entry, links: Links) -> dict[str, Any]:
    """One row of a browse table: the entry's columns, its relations and the words that find it."""
    kind = entry.kind
    related = DISPLAY[kind].relations
    cells: list[dict[str, Any]] = []
    for _, attr in DISPLAY[kind].columns:
        value = getattr(entry, attr, None)
        if attr == "subtype_of" and value:
            cells.append({"text": site.label(value), "url": links.entry(value)})
        else:
            cells.append({"text": display(value) or "", "url": None})
    if isinstance(entry, Dataset):
        cells += [
            {"text": str(len(entry.records)), "url": None},
            {"text": str(len(entry.columns)), "url": None},
        ]
    elif isinstance(entry, Analysis):
        result = site.results.get(entry.id)
        cells += [
            {"text": str(result.n) if result else "", "url": None},
            {"text": _coefficient_text(result) if result else "", "url": None},
        ]
    relations = site.kb.relations(entry.id, direction="both")
    by_verb: dict[str, list[str]] = defaultdict(list)
    for relation in relations:
        verb, other = relation.reading(entry.id)
        by_verb[verb].append(other)
    terms = {entry.id, *_terms(entry)}
    relation_cells = []
    for _, verb in related:
        others = sorted(set(by_verb.get(verb, [])), key=lambda i: (site.label(i), i))
        relation_cells.append([site.entry_link(other, links) for other in others])
        if verb == "improves" and _improves_ce_in_data(site, entry, others):
            relation_cells[-1].append(
                {**site.entry_link(_CE, links), "label": site.label(_CE) + " (> 99 % in the data)"}
            )
        for other in others:
            if other in site.by_id:
                terms.update(_terms(site.by_id[other]))
    return {
        "label": entry.label,
        "id": entry.id,
        "url": links.entry(entry.id),
        "cells": cells,
        "related": relation_cells,
        "terms": " ".join(sorted({w for t in terms for w in t.split() if _TERM.fullmatch(w)})),
        "links": len(relations),
    }


_CE = "coulombic-efficiency"


def _improves_ce_in_data(site: Site, entry: Entry, stated: list[str]) -> bool:
    """A strategy whose data show a CE above 99 % that its ``improves`` does not already name."""
    return (
        entry.kind == "strategy" and _CE not in stated and _CE in site.by_id and improves_ce(site, entry.id)
    )


def _browse_html(site: Site, entry: Entry, links: Links) -> str:
    """An entry's row of its browse table, as HTML ending in a newline."""
    return pieces_html("browse_row", _browse_row(site, entry, links)) + "\n"


def _link_html(site: Site, entry_id: str, links: Links) -> str:
    """A link to an entry, as HTML with its kind's class."""
    return pieces_html("entry_link", site.entry_link(entry_id, links))


def _index_page(site: Site, kind: str, pieces: Pieces) -> str:
    """A kind's browse table, joined from one row per entry (each kept by ``pieces``); a table
    longer than a search section holds (:func:`rows_within`) is split by the initial of the
    entries' names, each letter a section with its own sortable table(s)."""
    model = KINDS[kind]
    page = f"browse/{model.folder}.md"
    links = site.links(page)
    columns = [header for header, _ in DISPLAY[kind].columns]
    related = DISPLAY[kind].relations
    extra: list[str] = []
    if kind == "dataset":
        extra = ["Records", "Columns"]
    elif kind == "analysis":
        extra = ["n", "r"]
    rows = [
        Row(entry.label, pieces.piece(page, entry.id, functools.partial(_browse_html, site, entry, links)))
        for entry in site.of_kind(kind)
    ]

    def join() -> str:
        most = rows_within(rows)
        return page_text(
            "browse.md",
            KIND_TITLES[kind],
            kind=kind,
            model_doc=prose((model.__doc__ or "").strip()),
            columns=[*columns, *extra],
            relation_columns=[header for header, _ in related],
            rows=Markup("".join(row.html for row in rows)),
            sections=None if most is None else by_letter(rows, most, f"limkb-{model.folder}"),
            count=len(rows),
            table_id=f"limkb-{model.folder}",
        )

    return pieces.joined(page, page, _labels(rows), join)


def _labels(rows: list[Row]) -> str:
    """The labels of a page's rows, in order, as one text: what a page joined from pieces shows
    of them besides the pieces (its letters' headings), for :meth:`Pieces.joined`."""
    return "\x01".join(row.name for row in rows)


def _landing_page(site: Site, page: str, pieces: Pieces, *, entries: bool) -> str:
    """``browse/index.md`` (every kind, with what it is) or ``entries/index.md`` (every entry,
    by kind, each link a piece kept by ``pieces``)."""
    links = site.links(page)

    def items(of_kind: list[Entry]) -> list[Row]:
        return [
            Row(e.label, pieces.piece(page, e.id, functools.partial(_link_html, site, e.id, links)))
            for e in sorted(of_kind, key=lambda e: (e.label, e.id))
        ]

    listed = {kind: site.of_kind(kind) for kind in KIND_TITLES}
    rows = {kind: items(of_kind) if entries else [] for kind, of_kind in listed.items()}

    def join() -> str:
        groups = [
            {
                "kind": kind,
                "title": title,
                "url": links.browse(kind),
                "count": len(listed[kind]),
                "doc": prose((KINDS[kind].__doc__ or "").strip()) if not entries else "",
                "items": Markup(" · ".join(row.html for row in rows[kind])),
                "parts": _landing_parts(kind, rows[kind]),
            }
            for kind, title in KIND_TITLES.items()
        ]
        return page_text("landing.md", title_of(page), groups=groups, intro=intro)

    intro = (
        f"Every one of the {len(site.ids)} entries, by kind; the Browse tables sort and filter them."
        if entries
        else "One table per kind of entry, sortable by any column and filtered by what you type "
        "(names, formulas, abbreviations, and the entries each row links to)."
    )
    if not entries:
        return join()
    shown = "\x02".join(f"{kind}\x01{len(listed[kind])}\x01{_labels(rows[kind])}" for kind in KIND_TITLES)
    return pieces.joined(page, page, f"{intro}\x02{shown}", join)


def _landing_parts(kind: str, rows: list[Row]) -> list[dict[str, Any]] | None:
    """A kind's links on the all-entries page by initial letter (a heading ``<kind>-a`` ...
    each, a long letter in parts ``<kind>-s-2``) when they are too many for one search section
    (:func:`rows_within`); None when they fit."""
    most = rows_within(rows)
    if most is None:
        return None
    return [
        {
            "id": f"{kind}-{(part['id'] or letter['id']).removeprefix('letter-')}",
            "title": letter["letter"] if part["id"] is None else part["title"],
            "items": Markup(" · ".join(row.html for row in part["held"])),
        }
        for letter in by_letter(rows, most, kind)
        for part in letter["parts"]
    ]


def _evidence_counts(site: Site, pieces: Pieces) -> dict[str, Any]:
    """How many references were read (and how far), and the grades of all findings (the
    figures :func:`~limkb.check.stats.count_evidence` gives), summed from each entry's share,
    a piece ``pieces`` keeps."""
    reading: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    for entry_id in site.ids:
        make = functools.partial(_evidence_share, site, dict.__getitem__(site.by_id, entry_id))
        status, found = pieces.piece("index.md:evidence", entry_id, make)
        if status is not None:
            reading[status] += 1
        grades.update(found)
    return {
        "reading": {k: reading.get(k, 0) for k in ("full", "abstract", "none", "unrecorded")},
        "grades": [(GRADE_TITLES[g], g.value, grades[g.value]) for g in Grade if grades[g.value]],
        "findings": sum(grades.values()),
    }


def _evidence_share(site: Site, entry: Entry) -> tuple[str | None, tuple[str, ...]]:
    """An entry's share of the home page's evidence counts: how far it was read when it is a
    reference, and the grade of each of its findings (which reads the reference it cites)."""
    status = None
    if isinstance(entry, Reference):
        status = entry.read.status if entry.read is not None else "unrecorded"
    grades = []
    for finding in getattr(entry, "findings", None) or []:
        reference = site.by_id.get(finding.source.ref)
        cited = {finding.source.ref: reference} if isinstance(reference, Reference) else {}
        grades.append(grade(finding.source, cited).value)
    return status, tuple(grades)


def _entry_url(site: Site, links: Links, entry_id: str) -> str | None:
    return links.entry(entry_id) if entry_id in site.folders else None


def _home_page(site: Site, pieces: Pieces) -> str:
    links = site.links("index.md")
    counts = [
        {"kind": kind, "title": title, "count": len(site.of_kind(kind)), "url": links.browse(kind)}
        for kind, title in KIND_TITLES.items()
    ]
    open_questions = sum(
        1 for q in site.of_kind("question") if isinstance(q, Question) and q.status.value != "answered"
    )
    tasks = [
        {"text": text, "url": url, "how": how}
        for text, url, how in (
            (
                "What forms LiF, and what does it confer?",
                _entry_url(site, links, "lif"),
                "the LiF page, answers first",
            ),
            (
                "Which strategies improve the Coulombic efficiency?",
                links.browse("strategy") + "?q=coulombic",
                "the strategies table, filtered",
            ),
            (
                "Which open questions could XPS answer?",
                links.browse("question") + "?q=XPS",
                "the questions table, filtered",
            ),
            (
                "How robust are the reported correlations?",
                links.to("correlations.md"),
                "recomputed, with confidence intervals and leave-one-out ranges",
            ),
            (
                "How do the strategies compare on Coulombic efficiency?",
                links.to("compare/coulombic-efficiency.md"),
                "every value with its cell, protocol and source, filtered and sorted as you like",
            ),
            ("What is still unknown?", links.to("agenda.md"), "the research agenda, with filters"),
            ("Which strategies have been combined?", links.to("compatibility.md"), ""),
        )
        if url
    ]
    return page_text(
        "index.md",
        "limkb",
        tasks=tasks,
        counts=counts,
        total=len(site.ids),
        open_questions=open_questions,
        evidence=_evidence_counts(site, pieces),
        links=links,
        options=site.options,
        cite=cite_links(site, links),
    )


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
    return _with_linked_headings(body)


_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def heading_anchor(title: str) -> str:
    """The anchor a Markdown engine gives a heading (MkDocs' and Zensical's default: lower case,
    punctuation dropped, spaces as hyphens)."""
    plain = re.sub(r"[^\w\s-]", "", title).strip().lower()
    return re.sub(r"[-\s]+", "-", plain)


def _with_linked_headings(body: str) -> str:
    """``body`` with a short section for every heading the pages link to that it lacks
    (:data:`~limkb.site.gaps.CONTRIBUTING_HEADINGS`), pointing to the whole guide."""
    present = {heading_anchor(title) for title in _HEADING.findall(body)}
    missing = [(anchor, title) for anchor, title in CONTRIBUTING_HEADINGS.items() if anchor not in present]
    if not missing:
        return body
    sections = [
        f"## {title}\n\nSee the repository's CONTRIBUTING.md, section \u201c{title}\u201d.\n"
        for _, title in missing
    ]
    return body.rstrip("\n") + "\n\n" + "\n".join(sections)


def _asset_files() -> dict[str, bytes]:
    """Every file of the package's ``assets/`` folder, at ``assets/limkb/<same path>``.

    Markdown files there (notes on where vendored files come from) are left out: on the site
    they would become pages.
    """
    found: dict[str, bytes] = {}
    root = resources.files("limkb.site") / "assets"

    def walk(folder: Any, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name.startswith(".") or item.name == "__pycache__":
                continue
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif not item.name.endswith(".md"):
                found[f"assets/limkb/{prefix}{item.name}"] = _shipped(item.name, item.read_bytes())

    if root.is_dir():
        walk(root, "")
    return found


def _shipped(name: str, data: bytes) -> bytes:
    """An asset as the site serves it: limkb's own scripts and styles without the indentation
    and trailing spaces of their lines (every page loads them; the lines and their order stay,
    so a line number in a browser's error still points into the source). Vendored and minified
    files are served as they are."""
    if name.endswith((".min.js", ".min.css")) or not name.endswith((".js", ".css")):
        return data
    return b"\n".join(line.strip(b" \t") for line in data.split(b"\n"))


@dataclass(frozen=True)
class PageRun:
    """What the makers of the registered pages share in one rendering."""

    site: Site
    pieces: Pieces
    made: frozenset[str] = frozenset()
    """The files made before the registered pages (entry pages, plots)."""

    @functools.cached_property
    def compare_tables(self) -> dict[str, FamilyTable]:
        """The rows of every compare page, found once for the landing page and the family."""
        return compare_rows(self.site, self.pieces)


Maker = Callable[[PageRun, Page], Mapping[str, str]]
"""What renders a registered page: its text by path, with the data files that go with it."""


def _browse(run: PageRun, page: Page) -> dict[str, str]:
    if page.kind is None:
        raise ValueError(f"the browse page {page.path} names no kind")
    return {page.path: _index_page(run.site, page.kind, run.pieces)}


def _graph(run: PageRun, page: Page) -> dict[str, str]:
    return {
        page.path: _template_page(run, page)[page.path],
        "assets/limkb/graph-data.js": graph_data(run.site, run.pieces),
    }


def _bibliography(run: PageRun, page: Page) -> dict[str, str]:
    return {
        page.path: bibliography_page(run.site, run.pieces),
        "assets/limkb/cited-by-data.js": cited_by_data(run.site, run.pieces),
    }


def _template_page(run: PageRun, page: Page) -> dict[str, str]:
    """A page that is its template filled with the common context: the site, its links from
    the page, and the count of entries."""
    if page.template is None:
        raise ValueError(f"the page {page.path} has neither a maker nor a template")
    site = run.site
    return {
        page.path: page_text(
            page.template, page.title, site=site, links=site.links(page.path), count=len(site.ids)
        )
    }


MAKERS: dict[str, Maker] = {
    "home": lambda run, page: {page.path: _home_page(run.site, run.pieces)},
    "landing": lambda run, page: {page.path: _landing_page(run.site, page.path, run.pieces, entries=False)},
    "browse": _browse,
    "entries": lambda run, page: {page.path: _landing_page(run.site, page.path, run.pieces, entries=True)},
    "agenda": lambda run, page: {page.path: agenda_page(run.site, run.pieces)},
    "compare-index": lambda run, page: {page.path: compare_index(run.site, run.compare_tables)},
    "compare": lambda run, page: family_files(run.site, run.compare_tables, run.pieces),
    "correlations": lambda run, page: {
        page.path: correlations_page(run.site, "plots/figure-1-1.svg" in run.made)
    },
    "compatibility": lambda run, page: {
        page.path: run.pieces.whole(
            page.path, [s.id for s in run.site.of_kind("strategy")], lambda: compatibility_page(run.site)
        )
    },
    "coverage": lambda run, page: {page.path: coverage_page(run.site, run.pieces)},
    "graph": _graph,
    "bibliography": _bibliography,
    "downloads": lambda run, page: {page.path: downloads_page(run.site)},
    "contributing": lambda run, page: {
        page.path: _contributing_page(run.site.options.contributing or _NO_CONTRIBUTING, run.site.options)
    },
}
"""What renders each registered page, by the name its :class:`~limkb.site.pages.Page` row gives."""


def render_page(run: PageRun, page: Page) -> dict[str, str]:
    """The files of one registered page (nothing for a page under ``docs/``, which the site
    engine reads itself); a Markdown page its maker makes that is not registered is refused."""
    if page.origin == "docs":
        return {}
    if page.maker is not None and page.maker not in MAKERS:
        raise ValueError(f"the page {page.path} names the maker {page.maker!r}, which MAKERS does not hold")
    made = dict((MAKERS[page.maker] if page.maker is not None else _template_page)(run, page))
    stray = [path for path in made if path.endswith(".md") and not registered(path)]
    if stray:
        raise ValueError(f"the maker of {page.path} made pages that are not registered: {stray}")
    return made


def page_of(site: Site, path: str) -> str:
    """The text of the registered page at ``path`` alone (the Downloads page, made again once
    the build's data files are listed)."""
    page = next(p for p in PAGES if p.path == path)
    return render_page(PageRun(site, Pieces(site, None, {})), page)[path]


def render(
    kb: KnowledgeBase,
    *,
    results: Mapping[str, AnalysisResult] | None = None,
    options: RenderOptions | None = None,
    memo: RenderMemo | None = None,
) -> dict[str, str | bytes]:
    """Every page and file of the site, by site-relative path, in sorted order.

    ``results`` are the computed analyses (``kb.analyses`` when None). The output depends
    only on the knowledge base, the results and ``options``: the same input gives the same
    bytes. With a ``memo`` of earlier renderings, entry pages that cannot have changed are
    reused from it instead of being rendered again (the output is the same).
    """
    return cast("dict[str, str | bytes]", _render(kb, results, options, memo, None))


def render_spilled(
    kb: KnowledgeBase,
    spill: Path,
    *,
    results: Mapping[str, AnalysisResult] | None = None,
    options: RenderOptions | None = None,
    memo: RenderMemo | None = None,
) -> dict[str, str | bytes | Path]:
    """:func:`render`, with every entry page written below ``spill`` as soon as it is made and
    given as its path: the pages of a large KB are never all in memory at once. With a
    ``memo`` (whose pages are such paths), a reused page is linked from where it was kept."""
    return _render(kb, results, options, memo, spill)


def render_cached(
    kb: KnowledgeBase,
    cache: tuple[Path | None, Path],
    *,
    results: Mapping[str, AnalysisResult] | None = None,
    options: RenderOptions | None = None,
) -> dict[str, str | bytes | Path]:
    """:func:`render_spilled` for ``limkb build``: the memo of the last build is read from
    ``cache[0]`` (None: there is none), the entry pages go to the build cache's markdown folder
    beside ``cache[1]``, and this rendering's memo is written to ``cache[1]``."""
    memo = RenderMemo.read(cache[0])
    pages = render_spilled(
        kb, BuildCache(cache[1].parent).markdown, results=results, options=options, memo=memo
    )
    memo.write(cache[1])
    log.debug("rendered %d entry pages anew, reused the others", memo.rendered)
    return pages


class _Spill:
    """Where the entry pages of one rendering go: kept as text (no folder), or written below
    ``folder`` and given as their files, the subfolders made once. A reused page already in
    place (a reused version folder) costs no file-system call."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._root = None if folder is None else str(folder)
        self._made: set[str] = set()

    def keep(self, path: str, value: str | Path) -> str | Path:
        """An entry page as the caller wants it: its text, or its file below the folder."""
        if self.folder is None:
            return value.read_text(encoding="utf-8") if isinstance(value, Path) else value
        if isinstance(value, Path):
            found = self.reuse(path, value)
            if found is None:
                raise FileNotFoundError(value)
            return found
        target = self.folder / path
        self._parent(path)
        target.unlink(missing_ok=True)  # never written through a link another version shares
        target.write_text(value, encoding="utf-8")
        return target

    def reuse(self, path: str, kept: Path) -> str | Path | None:
        """A page kept in the file ``kept``, as the caller wants it (see :meth:`keep`); None when
        that file is gone. The file is linked below the folder unless it is there already."""
        if self.folder is None:
            try:
                return kept.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        source, target = str(kept), f"{self._root}/{path}"
        if source == target:
            return kept if os.path.isfile(source) else None
        try:
            found = os.stat(source)
        except OSError:
            return None
        try:
            same = os.path.samestat(found, os.stat(target))
        except OSError:
            same = False
            self._parent(path)
        if not same:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        return Path(target)

    def _parent(self, path: str) -> None:
        """Make the folder of ``path`` below the spill folder, once per rendering."""
        parent = path.rpartition("/")[0]
        if parent not in self._made:
            assert self.folder is not None
            (self.folder / path).parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)


def _render(
    kb: KnowledgeBase,
    results: Mapping[str, AnalysisResult] | None,
    options: RenderOptions | None,
    memo: RenderMemo | None,
    spill: Path | None,
) -> dict[str, str | bytes | Path]:
    options = options or RenderOptions()
    if results is None:
        results = kb.analyses
    site = Site(kb, options, results)
    pages: dict[str, str | bytes | Path] = {}
    reuse: set[str] = set()
    digests: dict[str, str] = {}
    if memo is not None:  # what changed since the memo's rendering decides what is made again
        digests = memo.digests_of(site)
        reuse = memo.reusable(site, digests)
        site.by_id = Reads(site.by_id)
    pieces = Pieces(site, memo, digests)
    pages.update(_entry_pages(site, memo, spill, digests, reuse))
    pages.update(plot_files(results, cache_dir=options.plot_cache, memory=memo.plots if memo else None))
    run = PageRun(site, pieces, frozenset(pages))
    for page in PAGES:
        pages.update(render_page(run, page))
    if options.assets:
        pages.update(_asset_files())
    pages["feed.xml"] = feed(site)
    pages.update(id_pages(site, pieces))
    pages.update(cite_files(site, pieces))
    pages["assets/limkb/search-index.js"] = search_data(
        site, _titled, set(pages) | set(options.docs_pages), pieces
    )
    pieces.keep()
    site.by_id = dict(site.by_id)
    log.debug("rendered %d files for %d entries", len(pages), len(site.ids))
    return dict(sorted(pages.items()))


def render_entries(
    kb: KnowledgeBase,
    *,
    results: Mapping[str, AnalysisResult] | None = None,
    options: RenderOptions | None = None,
    memo: RenderMemo,
    spill: Path | None = None,
) -> dict[str, str | Path]:
    """The entry pages alone (what a preview shows first after an edit), by path; ``memo.fresh``
    then names the entries whose page was made anew, the others being reused. With ``spill``
    every page is a file below that folder, as with :func:`render_spilled`."""
    site = Site(kb, options or RenderOptions(), kb.analyses if results is None else results)
    digests = memo.digests_of(site)
    reuse = memo.reusable(site, digests)
    site.by_id = Reads(site.by_id)
    _drop_stale_pieces(site, memo, digests)
    return _entry_pages(site, memo, spill, digests, reuse)


def _drop_stale_pieces(site: Site, memo: RenderMemo, digests: dict[str, str]) -> None:
    """Keep only the hub pages' pieces that the change leaves exact: the next rendering compares
    with what :func:`render_entries` remembers, so it would take a stale piece for current."""
    found = memo.stale(site, digests)
    memo.wholes = (
        {} if found is None else {p: kept for p, kept in memo.wholes.items() if kept[2].isdisjoint(found[0])}
    )
    memo.fragments = (
        {}
        if found is None
        else {
            group: {i: kept[i] for i in still_exact(site, kept, *found, keyed=group in KEYED)}
            for group, kept in memo.fragments.items()
        }
    )


def render_entry(site: Site, entry: Entry) -> str:
    """The page of ``entry`` as it would read in ``site`` (a KB that may hold an older version
    of it): what a preview shows at once after a save, before the KB is linked again."""
    kept = dict.get(site.by_id, entry.id)
    site.by_id[entry.id] = entry
    site.forget_kinds()
    try:
        return _entry_page(site, entry)
    finally:
        if kept is not None:
            site.by_id[entry.id] = kept
        else:
            del site.by_id[entry.id]
        site.forget_kinds()


def _entry_pages(
    site: Site, memo: RenderMemo | None, spill: Path | None, digests: dict[str, str], reuse: set[str]
) -> dict[str, str | Path]:
    """The entry pages; with ``memo``, those in ``reuse`` are taken from it (``site.by_id`` is
    then a :class:`Reads`, which notes what the others look up)."""
    pages: dict[str, str | Path] = {}
    out = _Spill(spill)
    if memo is None:
        for entry_id in site.ids:
            entry = site.by_id[entry_id]
            path = entry_path(entry)
            pages[path] = out.keep(path, _entry_page(site, entry))
        return pages
    recording = site.by_id
    assert isinstance(recording, Reads)
    remembered: dict[str, tuple[str | Path, frozenset[str]]] = {}
    texts = memo.texts if spill is None else None  # spilled pages stay out of memory
    fresh: set[str] = set()
    kept_pages = memo.pages
    for entry_id in site.ids:
        entry = dict.__getitem__(recording, entry_id)
        path = f"entries/{entry.folder}/{entry_id}.md"  # entry_path: site.ids are checked slugs
        kept = kept_pages.get(entry_id) if entry_id in reuse else None
        page = None
        if kept is not None:
            page = out.reuse(path, kept[0]) if isinstance(kept[0], Path) else out.keep(path, kept[0])
            needs = kept[1]
        if page is None:
            recording.reads = {entry_id}
            page = out.keep(path, _entry_page(site, entry, texts))
            needs = frozenset(recording.reads | mentions(entry, site.kb))
            recording.reads = None
            fresh.add(entry_id)
        remembered[entry_id] = (page, needs)
        pages[path] = page
    memo.rendered, memo.fresh = len(fresh), fresh
    memo.remember(site, remembered, digests)
    return pages
