"""The pages about many entries at once: agenda, correlations, matrices, bibliography, downloads, graph.

Each ``*_page`` function takes the :class:`limkb.site.context.Site` of a rendering and returns the
Markdown of one page; :func:`plot_files` gives the SVG plots of the analyses and
:func:`graph_data` the script the graph explorer reads. :func:`limkb.site.render.render` puts them
at their site paths.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from limkb.files import write_atomic
from limkb.outputs.exports import description_of
from limkb.schema.ids import is_slug
from limkb.schema.kinds import Dataset, Entry, Property, Question, Reference, Scope, Source, Strategy
from limkb.search import names_of
from limkb.site import sections as _sections
from limkb.site.citing import cite_links
from limkb.site.context import (
    FAMILY_TITLES,
    INTERFACE_TITLES,
    PAGE_TITLES,
    Links,
    Site,
    page_text,
    pieces_html,
    reference_text,
)
from limkb.site.kinds import KIND_COLOURS, KIND_ORDER, KIND_WORDS
from limkb.site.layout import layout
from limkb.site.memo import SvgStore
from limkb.site.sections import Row, by_letter, chunks, rows_within, token_positions
from limkb.site.urls import built_url, relative_url

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.site.memo import Pieces

__all__ = [
    "agenda_page",
    "analysis_view",
    "bibliography_page",
    "cited_by_data",
    "compatibility_page",
    "correlations_page",
    "coverage_page",
    "downloads_page",
    "graph_data",
    "plot_files",
]

log = logging.getLogger(__name__)


_MATRIX_LIMIT = 80
"""Above this many strategies a matrix is replaced by its list of pairs (keeps pages small)."""


# --- analyses ------------------------------------------------------------------------------


def analysis_view(site: Site, analysis_id: str, links: Links) -> dict[str, Any] | None:
    """A computed analysis as its entry page and the correlations page show it; None when not computed."""
    from limkb.analysis.correlations import headline

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
        "spearman_ci": result.spearman_ci,
        "spearman_p": result.spearman_p,
        "method": result.method,
        "symbol": "ρ" if result.method == "spearman" else "r",
        "coefficient": result.coefficient,
        "group_spread": result.group_spread,
        "caption": headline(result),
        "loo": result.loo,
        "reported": reported,
        "difference": result.difference,
        "flags": list(result.flags),
        "caveats": list(result.caveats),
        "expression": {"x": result.x, "y": result.y},
        "by": result.by,
        "groups": [
            {
                "key": g.key,
                "label": site.label(g.key) if g.key in site.by_id else g.key,
                "url": links.entry(g.key) if g.key in site.by_id else None,
                "n": g.stats.n,
                "r": g.stats.r,
                "ci": g.stats.ci,
                "spearman": g.stats.spearman,
                "spearman_ci": g.stats.spearman_ci,
                "coefficient": g.stats.coefficient,
                "coefficient_ci": g.stats.coefficient_ci,
            }
            for g in result.groups
        ],
        "compares": _compared(site, result.id, result.compares, links),
        "datasets": [site.entry_link(d, links) for d in result.datasets],
        "plot": links.to(f"plots/{result.id}.svg"),
        "plot_size": SCATTER_PIXELS,
    }


def _compared(site: Site, analysis_id: str, compares: str | None, links: Links) -> list[dict[str, Any]]:
    """The analyses this one is a variant of, or that are variants of it, with their r and n."""
    ids = {compares} if compares else set()
    ids |= {i for i, r in site.results.items() if r.compares == analysis_id}
    found = []
    for other in sorted(i for i in ids if i in site.results):
        result = site.results[other]
        found.append(
            {
                **site.entry_link(other, links),
                "r": result.coefficient,
                "symbol": "ρ" if result.method == "spearman" else "r",
                "n": result.n,
                "ci": result.coefficient_ci,
                "y": result.y_label or result.y,
            }
        )
    return found


def correlations_page(site: Site, has_figure: bool) -> str:
    """Every computed analysis with its statistics and plot, and the overview figure (its
    panels side by side) when there is one."""
    links = site.links("correlations.md")
    analyses = [analysis_view(site, result_id, links) for result_id in sorted(site.results)]
    panels = figure1_panels(site.results) if has_figure else []
    return page_text(
        "correlations.md",
        PAGE_TITLES["correlations.md"],
        analyses=analyses,
        figure=[_panel_view(i, title, group, links) for i, (title, group) in enumerate(panels)],
        panel_size=FIGURE1_PANEL_PIXELS,
    )


# --- figure 1: its panels, each its own drawing ----------------------------------------------

_PANEL_LETTERS = "cdefghijklmnopqrstuvwxyz"

FIGURE1_PANEL_PIXELS = (403, 442)
"""A panel of figure 1 in CSS pixels (``plots._PANEL_SIZE`` inches at 96 per inch, rounded),
given to its ``<img>`` so the page does not shift; a test holds the two equal."""


def _locator(group: Iterable[AnalysisResult]) -> str | None:
    """The reported locator the series of a panel share ("Fig. 1c"), if they share one."""
    locators = {r.reported.locator for r in group if r.reported is not None and r.reported.locator}
    return locators.pop() if len(locators) == 1 else None


def figure1_panels(results: Mapping[str, AnalysisResult]) -> list[tuple[str, list[AnalysisResult]]]:
    """Figure 1's panels, each its title and its series: the analyses with a reported value
    (by id) grouped by (y, x unit); panels with a locator come first, by it, and are titled by
    it, the others by a letter from their place ("(f)")."""
    groups: dict[tuple[str, str], list[AnalysisResult]] = {}
    for result_id in sorted(results):
        result = results[result_id]
        if result.reported is not None:
            groups.setdefault((result.y, result.x_unit), []).append(result)
    ordered = sorted(groups.values(), key=lambda g: (0, loc) if (loc := _locator(g)) else (1, ""))
    return [
        (_locator(group) or f"({_PANEL_LETTERS[i % len(_PANEL_LETTERS)]})", group)
        for i, group in enumerate(ordered)
    ]


def figure1_file(index: int) -> str:
    """The site path of figure 1's panel at ``index`` (from 0)."""
    return f"plots/figure-1-{index + 1}.svg"


def _panel_view(index: int, title: str, group: list[AnalysisResult], links: Links) -> dict[str, Any]:
    """What the correlations page shows of one panel: its file, its caption and its alt text."""
    xs = ", ".join(r.x_label or r.x for r in group)
    first = group[0]
    alt = (
        f"Figure 1 panel {title}: {first.y_label or first.y} against {xs}, "
        "recomputed correlations next to the reported values"
    )
    return {"src": links.to(figure1_file(index)), "title": title, "alt": alt}


@functools.cache
def _plot_salt() -> bytes:
    """What else a plot depends on besides its results: limkb's code and matplotlib's version
    (read from its installed metadata: importing matplotlib takes half a second, and a rebuild
    whose plots are all cached needs none of it)."""
    from importlib import metadata

    from limkb._version import code_digest

    try:
        version = metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        version = "-"
    return f"{code_digest()}\0{version}\0".encode()


def _plot_key(kind: str, results: Iterable[AnalysisResult]) -> str:
    """A hash of everything a plot is drawn from (results are frozen dataclasses: their repr is complete)."""
    digest = hashlib.sha256(_plot_salt())
    digest.update(kind.encode())
    for result in results:
        digest.update(b"\0" + repr(result).encode())
    return digest.hexdigest()


class PlotCache(SvgStore):
    """Plots drawn by whoever owns this (a :class:`~limkb.site.memo.RenderMemo`), by
    :func:`_plot_key`, in memory and, across processes, in a folder."""

    def __init__(self, limit: int = 2_000) -> None:
        super().__init__(limit)


def _prune_plot_cache(folder: Path, keep: set[str]) -> None:
    """Delete the cached plots of ``folder`` that this rendering did not use (the cache stays small)."""
    with contextlib.suppress(OSError):
        for old in folder.glob("*.svg"):
            if old.stem not in keep:
                old.unlink(missing_ok=True)


SCATTER_PIXELS = (538, 403)
"""A scatter plot's size in CSS pixels (``plots._SCATTER_SIZE`` inches at 96 per inch), given
to its lazily loaded ``<img>`` so the page does not shift when the plot arrives; kept here
so rendering a page does not import matplotlib (a test holds the two equal)."""


def _draw(drawing: str, results: Any) -> str:
    """A plot of :mod:`limkb.site.plots`, imported only when one is drawn: matplotlib takes
    seconds to import, and a rebuild whose plots are all cached draws none."""
    from limkb.site import plots

    svg: str = getattr(plots, drawing)(results)
    return svg


def plot_files(
    results: Mapping[str, AnalysisResult], *, cache_dir: Path | None = None, memory: PlotCache | None = None
) -> dict[str, str]:
    """The scatter plot of every analysis and each panel of the overview figure, as SVG files.

    Plots are deterministic functions of their results, so they are cached by a hash of the
    results (a panel by its title and its series' results alone, so a changed value draws its
    panel again and no other; and of the drawing code and matplotlib version): in this process, and across
    processes in ``cache_dir`` when one is given; ``memory`` keeps them between calls.
    """
    if not results:
        return {}
    memory = memory if memory is not None else PlotCache()
    found: dict[str, str] = {}
    used: set[str] = set()
    for result_id in sorted(results):
        if not is_slug(result_id):
            raise ValueError(f"refusing to make a path of the analysis id {result_id!r}: not a slug")
        result = results[result_id]
        key = _plot_key("scatter", [result])
        used.add(key)
        found[f"plots/{result_id}.svg"] = memory.svg(
            key, functools.partial(_draw, "scatter_svg", result), cache_dir
        )
    for index, panel in enumerate(figure1_panels(results)):
        key = _plot_key(f"figure-1-panel\0{panel[0]}", panel[1])
        used.add(key)
        found[figure1_file(index)] = memory.svg(
            key, functools.partial(_draw, "figure1_panel_svg", panel), cache_dir
        )
    if cache_dir is not None and cache_dir.is_dir():
        _prune_plot_cache(cache_dir, used)
    return found


# --- questions, matrices, references, files -----------------------------------------------


def _question_html(site: Site, question: Question, links: Links) -> tuple[dict[str, Any], str]:
    """A question as the agenda lists it: what its filters and order need, and its block of HTML."""
    interface = question.interface.value if question.interface else None
    family = question.family.value if question.family else None
    item = {
        **site.entry_link(question.id, links),
        "text": question.text,
        "status": question.status.value,
        "theme": question.theme.value,
        "about": [site.entry_link(link.id, links) for link in question.about],
        "answerable_by": [site.entry_link(link.id, links) for link in question.answerable_by],
        "approach": question.approach,
        "interface": interface or "both",
        "family": family or "across",
        "techniques": " ".join(sorted(link.id for link in question.answerable_by)),
    }
    html = pieces_html("question", item) + "\n"
    kept = {k: item[k] for k in ("id", "label", "status", "theme", "interface", "family")}
    kept["answerable_by"] = [{"id": t["id"], "label": t["label"]} for t in item["answerable_by"]]
    return kept, html


def agenda_page(site: Site, pieces: Pieces | None = None) -> str:
    """The questions grouped by interface, then family, open ones first; each question's block
    is a piece that ``pieces`` keeps between renderings."""
    links = site.links("agenda.md")
    groups: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    interfaces = [*INTERFACE_TITLES, None]
    families = [*FAMILY_TITLES, None]
    for question in site.of_kind("question"):
        assert isinstance(question, Question)
        interface = question.interface.value if question.interface else None
        family = question.family.value if question.family else None
        make = functools.partial(_question_html, site, question, links)
        item, html = make() if pieces is None else pieces.piece("agenda.md", question.id, make)
        groups[(interfaces.index(interface), families.index(family))].append({**item, "html": html})
    sections = []
    for i, interface in enumerate(interfaces):
        parts = []
        for j, family in enumerate(families):
            items = groups.get((i, j))
            if items:
                status_order = {"open": 0, "partially-answered": 1, "answered": 2}
                items.sort(key=lambda q: (status_order.get(q["status"], 3), q["label"]))
                parts.append(
                    {
                        "title": FAMILY_TITLES.get(family or "", "Across families"),
                        "html": Markup("".join(q["html"] for q in items)),
                    }
                )
        if parts:
            title = INTERFACE_TITLES.get(interface or "", "Both interfaces")
            sections.append({"title": title, "families": parts})
    counts: dict[str, int] = defaultdict(int)
    facets: dict[str, dict[str, list[Any]]] = {
        f: {} for f in ("status", "theme", "interface", "family", "techniques")
    }
    titles = {
        "interface": {**INTERFACE_TITLES, "both": "Both interfaces"},
        "family": {**FAMILY_TITLES, "across": "Across families"},
    }
    for items in groups.values():
        for item in items:
            counts[item["status"]] += 1
            for facet in ("status", "theme", "interface", "family"):
                value = item[facet]
                facets[facet].setdefault(value, [titles.get(facet, {}).get(value, value), 0])[1] += 1
            for technique in item["answerable_by"]:
                facets["techniques"].setdefault(technique["id"], [technique["label"], 0])[1] += 1
    chips = [
        {
            "facet": facet,
            "title": {"techniques": "could be answered by"}.get(facet, facet),
            "values": [
                {"value": value, "label": label, "count": n}
                for value, (label, n) in sorted(values.items(), key=lambda kv: (-kv[1][1], kv[1][0]))
            ],
        }
        for facet, values in facets.items()
        if len(values) > 1
    ]
    return page_text(
        "agenda.md",
        PAGE_TITLES["agenda.md"],
        sections=sections,
        counts=dict(sorted(counts.items())),
        chips=chips,
        total=sum(counts.values()),
    )


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def compatibility_page(site: Site) -> str:
    """Strategy pairs stated to combine: a matrix (when small enough), counts by family, every pair."""
    links = site.links("compatibility.md")
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for strategy in site.of_kind("strategy"):
        assert isinstance(strategy, Strategy)
        for link in strategy.combines_with:
            if link.id not in site.by_id:
                continue
            pairs[_pair(strategy.id, link.id)].append(
                {
                    "evidence": str(link.evidence.value),
                    "stated_by": strategy.id,
                    "note": link.note,
                    "sources": [site.source(s, links) for s in link.sources],
                }
            )
    verdicts = {pair: _verdict([s["evidence"] for s in stated]) for pair, stated in pairs.items()}
    involved = sorted({i for pair in pairs for i in pair}, key=lambda i: (site.label(i).lower(), i))
    matrix = None
    if involved and len(involved) <= _MATRIX_LIMIT:
        matrix = {
            "heads": [site.entry_link(i, links) for i in involved],
            "rows": [
                {
                    "head": site.entry_link(a, links),
                    "cells": [verdicts.get(_pair(a, b), "same" if a == b else "") for b in involved],
                }
                for a in involved
            ],
        }
    family_counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (a, b), verdict in verdicts.items():
        fa, fb = sorted((_family_of(site, a), _family_of(site, b)))
        family_counts[(fa, fb)][verdict] += 1
    families: list[dict[str, Any]] = []
    for (fa, fb), count in sorted(family_counts.items()):
        families.append(
            {
                "a": FAMILY_TITLES.get(fa, fa),
                "b": FAMILY_TITLES.get(fb, fb),
                **{k: count.get(k, 0) for k in _VERDICTS},
            }
        )
    listed: list[dict[str, Any]] = []
    for (a, b), stated in sorted(pairs.items()):
        listed.append(
            {
                "a": site.entry_link(a, links),
                "b": site.entry_link(b, links),
                "verdict": verdicts[(a, b)],
                "stated": sorted(stated, key=lambda s: (s["stated_by"], s["evidence"])),
            }
        )
    return page_text(
        "compatibility.md",
        PAGE_TITLES["compatibility.md"],
        matrix=matrix,
        pairs=listed,
        families=families,
        limit=_MATRIX_LIMIT,
    )


_VERDICTS = ("compatible", "conflicting", "unknown", "mixed")


def _verdict(evidence: Iterable[str]) -> str:
    found = set(evidence)
    if len(found) == 1:
        return found.pop()
    return (
        "mixed"
        if "compatible" in found and "conflicting" in found
        else ("conflicting" if "conflicting" in found else "compatible")
    )


def _family_of(site: Site, strategy_id: str) -> str:
    entry = site.by_id[strategy_id]
    return entry.family.value if isinstance(entry, Strategy) else ""


_EVIDENCE_MARKS = {"measured": "●", "finding": "▲", "data": "■"}
"""How a coverage cell marks each kind of evidence (legend on the page)."""


def _coverage_evidence(site: Site, descriptor_ids: set[str]) -> dict[str, dict[str, set[str]]]:
    """strategy -> descriptor (or ``family:<slug>``) -> the kinds of evidence for it: relations
    (``measured``, ``improves``), findings, dataset records."""
    from limkb.site.compare import family_of_finding

    known: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for strategy in site.of_kind("strategy"):
        assert isinstance(strategy, Strategy)
        for link in [*strategy.measured, *strategy.improves]:
            if link.id in descriptor_ids:
                known[strategy.id][link.id].add("measured")
        for finding in strategy.findings or []:
            if finding.quantity in descriptor_ids:
                known[strategy.id][finding.quantity].add("finding")
            elif finding.quantity is None:
                known[strategy.id][f"family:{family_of_finding(site, finding).slug}"].add("finding")
    for dataset in site.of_kind("dataset"):
        assert isinstance(dataset, Dataset)
        held = [c for c in dataset.columns if c.property in descriptor_ids]
        about = [link.id for link in dataset.about]
        for record in dataset.records:
            for column in held:
                if record.values.get(column.name) is None or column.property is None:
                    continue
                for strategy_id in record.strategies or about:
                    known[strategy_id][column.property].add("data")
    return known


def _strategy_terms(site: Site, strategy: Strategy) -> str:
    """Words the coverage filter also matches a strategy's row by: its other names and the
    strategies that make it, so "ALD" keeps the coatings ALD makes."""
    return " ".join([*strategy.aliases, *(f"made by {site.label(link.id)}" for link in strategy.made_by)])


def _coverage_row(
    site: Site,
    s: Entry,
    links: Links,
    columns: tuple[list[str], list[dict[str, Any]]],
    found: dict[str, set[str]],
) -> dict[str, Any]:
    """A strategy's row of the coverage matrix and its item of the list shown on a phone (HTML
    after their position attribute), and the columns it has a value in."""
    keys, heads = columns
    cells = [" + ".join(sorted(found.get(key, set()))) for key in keys]
    row = {
        "head": site.entry_link(s.id, links),
        "terms": _strategy_terms(site, s) if isinstance(s, Strategy) else "",
        "family": FAMILY_TITLES.get(_family_of(site, s.id), ""),
        "cells": cells,
        "marks": ["".join(_EVIDENCE_MARKS[k] for k in sorted(found.get(key, set()))) for key in keys],
        "known": [
            {
                "head": heads[i],
                "cell": cell,
                "mark": "".join(_EVIDENCE_MARKS[k] for k in cell.split(" + ")),
            }
            for i, cell in enumerate(cells)
            if cell
        ],
        "count": sum(1 for cell in cells if cell),
    }
    html_row, html_item = pieces_html("coverage_row", row), pieces_html("coverage_item", row)
    return {
        "row": html_row,
        "item": html_item,
        "columns": [i for i, cell in enumerate(cells) if cell],
        "tokens": token_positions(html_row + html_item),
    }


def coverage_page(site: Site, pieces: Pieces | None = None) -> str:
    """Which descriptors (of every scope) are known for each strategy, from relations, findings
    and dataset records; then the values named only in findings, by family. Each strategy's row
    is a piece that ``pieces`` keeps between renderings, for the same columns."""
    from limkb.site.compare import FAMILIES, OTHER

    links = site.links("coverage.md")
    scopes = [scope.value for scope in Scope]
    descriptors = sorted(
        (p for p in site.of_kind("property") if isinstance(p, Property)),
        key=lambda p: (scopes.index(p.scope.value), p.label.lower(), p.id),
    )
    known = _coverage_evidence(site, {p.id for p in descriptors})
    named = {key for found in known.values() for key in found if key.startswith("family:")}
    families = [rule for rule in (*FAMILIES, OTHER) if f"family:{rule.slug}" in named]
    keys = [p.id for p in descriptors] + [f"family:{rule.slug}" for rule in families]
    heads = [site.entry_link(p.id, links) for p in descriptors] + [
        {
            "id": f"family:{rule.slug}",
            "label": f"{rule.title} (named in findings)",
            "kind": "compare",
            "url": links.to(f"compare/{rule.slug}.md"),
        }
        for rule in families
    ]
    strategies = site.of_kind("strategy")
    rows_source = (
        strategies if len(strategies) <= _MATRIX_LIMIT * 3 else [s for s in strategies if s.id in known]
    )
    rows_source = sorted(rows_source, key=lambda s: (_family_of(site, s.id), s.label.lower(), s.id))
    # a row shows the columns' heads: pieces made for other heads are not reused
    group = "coverage.md:" + hashlib.sha256(json.dumps([keys, heads], sort_keys=True).encode()).hexdigest()
    rows: list[dict[str, Any]] = []
    for s in rows_source:
        make = functools.partial(_coverage_row, site, s, links, (keys, heads), known.get(s.id, {}))
        rows.append(make() if pieces is None else pieces.piece(group, s.id, make))

    def join() -> str:
        covered = Counter(i for row in rows for i in row["columns"])
        gaps = [{"head": head, "count": covered[i]} for i, head in enumerate(heads)]
        return page_text(
            "coverage.md",
            PAGE_TITLES["coverage.md"],
            heads=heads,
            rows=rows,
            gaps=gaps,
            marks=_EVIDENCE_MARKS,
            hidden=len(strategies) - len(rows),
            sections=_coverage_sections(site, rows_source, rows, len(heads)),
        )

    if pieces is None:
        return join()
    # besides the rows (and the heads, in the group's name): what the sections show of each
    # strategy, and how many strategies there are
    shown = "\x01".join(f"{_family_of(site, s.id)}\x02{s.label}" for s in rows_source)
    return pieces.joined("coverage.md", group, f"{len(strategies)}\x01{shown}", join)


def _coverage_sections(
    site: Site, strategies: list[Entry], rows: list[dict[str, Any]], columns: int
) -> list[dict[str, Any]] | None:
    """The coverage matrix by strategy family when it is longer than a search section holds
    (:func:`~limkb.site.sections.rows_within`), else None: each family a section (``id``
    ``family-<family>``) of one or more tables of at most so many rows, each table with the
    list shown on phones and its own "Strategies covered" counts. A family in parts gives each
    part a heading naming its first and last strategy."""
    budget = _sections.SECTION_BUDGET
    total = sum(row["tokens"] for row in rows)
    if total <= budget:
        return None
    most = max(1, budget * len(rows) // total)
    families: dict[str, list[tuple[Entry, dict[str, Any]]]] = {}
    for strategy, row in zip(strategies, rows, strict=True):
        families.setdefault(_family_of(site, strategy.id), []).append((strategy, row))
    sections = []
    for family, held in families.items():
        slug, title = family or "none", FAMILY_TITLES.get(family, "No family")
        parts = chunks(held, most)
        sections.append(
            {
                "id": f"family-{slug}",
                "title": title,
                "parts": [
                    _coverage_part(part, (slug, title), n if len(parts) > 1 else None, columns)
                    for n, part in enumerate(parts, start=1)
                ],
            }
        )
    return sections


def _coverage_part(
    held: list[tuple[Entry, dict[str, Any]]], family: tuple[str, str], number: int | None, columns: int
) -> dict[str, Any]:
    """One table of a family's section (``family``: its slug and title; part ``number`` of a
    family in parts): its rows, its ids, its heading, its label and the counts of its columns."""
    covered = Counter(i for _, row in held for i in row["columns"])
    slug, family_title = family
    suffix = slug if number is None else f"{slug}-{number}"
    first, last = held[0][0].label, held[-1][0].label
    title = first if len(held) == 1 else f"{first} – {last}"
    return {
        "id": None if number is None else f"family-{suffix}",
        "title": title,
        "label": family_title if number is None else f"{family_title}, {title}",
        "table": f"limkb-coverage-{suffix}",
        "list": f"limkb-coverage-list-{suffix}",
        "rows": [row for _, row in held],
        "counts": [covered[i] for i in range(columns)],
    }


LONG_CITING = 3
"""A reference cited by more entries than this shows their number on the bibliography, and the
list when opened (read from ``assets/limkb/cited-by-data.js``, loaded on demand)."""
CITED_BY_DATA = "assets/limkb/cited-by-data.js"
"""The long "Cited by" lists of the bibliography, as a script (it loads from file:// too)."""


def _built_link(site: Site, target: str, page: str) -> str:
    """A link from ``page`` to the site path ``target`` as the built site writes it (for
    attributes and scripts, which MkDocs does not rewrite)."""
    style = "directory" if site.options.urls == "md" else site.options.urls
    return relative_url(built_url(target, style), built_url(page, style))


def _plain_link(site: Site, entry_id: str, links: Links) -> dict[str, Any]:
    """An entry's label and link, without the kind class (the bibliography lists hundreds)."""
    return {"label": site.label(entry_id), "url": site.entry_link(entry_id, links)["url"]}


def _bibliography_row(site: Site, r: Reference, links: Links) -> str:
    """A reference's row of the bibliography, as HTML ending in a newline."""
    citing = site.kb.citing(r.id)
    item = {
        "id": r.id,
        "url": links.entry(r.id),
        "label": r.label,
        "text": reference_text(r),
        "doi": r.doi,
        "link": r.url,
        "count": len(citing),
        "citing": [] if len(citing) > LONG_CITING else [_plain_link(site, i, links) for i in citing],
    }
    return pieces_html("bibliography_row", item) + "\n"


BIBLIOGRAPHY_PART = 150
"""A letter of the bibliography holding more references than this is split into parts of at most
this many, each under a heading naming its first and last first author: a search engine that
splits a page at its headings (Zensical) keeps each part a section under its limit of 16,384
token positions (a row of the real kb/ is some 75 of them, counted generously); fewer when the
rows are long (see :func:`limkb.site.sections.rows_within`)."""


def _part_size(rows: list[Row]) -> int:
    """The most references a part of a letter holds: :data:`BIBLIOGRAPHY_PART`, fewer when the
    references are long enough for that many to exceed a search section's budget."""
    return min(BIBLIOGRAPHY_PART, rows_within(rows) or BIBLIOGRAPHY_PART)


def _first_author(r: Reference) -> str:
    """What the bibliography sorts a reference by: its first author, else its title."""
    return r.authors[0] if r.authors else r.title


def _surname(r: Reference) -> str:
    """The first author's surname (before the comma of "Surname, I."), else the title."""
    return _first_author(r).split(",")[0].strip()


def bibliography_page(site: Site, pieces: Pieces | None = None) -> str:
    """Every reference as a table row, with the entries citing it: listed when there are at most
    :data:`LONG_CITING`, otherwise counted, the list opening on demand. Each row is a piece
    that ``pieces`` keeps between renderings. The rows are grouped by the first author's
    initial, each letter a section with a heading (a long letter in parts, see
    :data:`BIBLIOGRAPHY_PART`), and a bar of links to the letters opens the page."""
    links = site.links("bibliography.md")
    refs = [r for r in site.of_kind("reference") if isinstance(r, Reference)]
    refs.sort(key=lambda r: (_first_author(r).lower(), r.year, r.id))
    rows = []
    for r in refs:
        make = functools.partial(_bibliography_row, site, r, links)
        html = make() if pieces is None else pieces.piece("bibliography.md", r.id, make)
        rows.append(Row(_surname(r), html))

    def join() -> str:
        return page_text(
            "bibliography.md",
            PAGE_TITLES["bibliography.md"],
            sections=by_letter(rows, _part_size(rows), "limkb-bibliography"),
            count=len(refs),
            script=_built_link(site, "assets/limkb/bibliography.js", "bibliography.md"),
            data=_built_link(site, CITED_BY_DATA, "bibliography.md"),
        )

    if pieces is None:
        return join()
    return pieces.joined("bibliography.md", "bibliography.md", "\x01".join(row.name for row in rows), join)


def _cited_by_item(site: Site, entry_id: str) -> list[str]:
    """A citing entry as the "Cited by" lists name it: its label and its URL from the
    bibliography page."""
    entry = site.by_id[entry_id]
    return [
        site.label(entry_id),
        _built_link(site, f"entries/{entry.folder}/{entry_id}.md", "bibliography.md"),
    ]


def cited_by_data(site: Site, pieces: Pieces | None = None) -> str:
    """The script holding the bibliography's long "Cited by" lists: each citing entry once
    (``entries``: label and URL from the bibliography page, each a piece ``pieces`` keeps),
    each reference's list by number."""
    entries: list[list[str]] = []
    numbers: dict[str, int] = {}
    lists: dict[str, list[int]] = {}
    for ref in site.of_kind("reference"):
        citing = site.kb.citing(ref.id)
        if len(citing) <= LONG_CITING:
            continue
        for entry_id in citing:
            if entry_id not in numbers and entry_id in site.by_id:
                numbers[entry_id] = len(entries)
                make = functools.partial(_cited_by_item, site, entry_id)
                entries.append(make() if pieces is None else pieces.piece(CITED_BY_DATA, entry_id, make))
        lists[ref.id] = [numbers[i] for i in citing if i in numbers]
    data = json.dumps({"entries": entries, "lists": lists}, ensure_ascii=False, separators=(",", ":"))
    return f"window.LIMKB_CITED = {data};\n"


def downloads_page(site: Site) -> str:
    """The build's data files with their sizes and what each holds."""
    links = site.links("downloads.md")
    files = None
    if site.options.downloads is not None:
        files = []
        for download in sorted(site.options.downloads, key=lambda d: d.path):
            note = description_of(download.path.removeprefix("downloads/"))
            files.append(
                {
                    "name": download.path.removeprefix("downloads/"),
                    "url": links.to(download.path),
                    "size": _size(download.size),
                    "note": note or "",
                }
            )
    return page_text("downloads.md", PAGE_TITLES["downloads.md"], files=files, cite=cite_links(site, links))


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size / 1024 / 1024:.1f} MB"


def _cached_layout(
    ids: list[str], kinds: list[str], edges: list[tuple[str, str]], folder: Path | None
) -> dict[str, tuple[int, int]]:
    """:func:`~limkb.site.layout.layout`, kept in ``folder`` (the plot cache) by a hash of its
    inputs, of limkb's code and of numpy's version: an edit that leaves the graph as it was
    does not lay it out again. Only the latest layout is kept."""
    from importlib import metadata

    from limkb._version import code_digest

    numpy_version = metadata.version("numpy")  # not numpy.__version__: importing it costs 0.1 s
    key = hashlib.sha256(
        json.dumps([ids, kinds, edges, list(KIND_ORDER), code_digest(), numpy_version]).encode()
    ).hexdigest()[:32]
    target = folder / f"layout-{key}.json" if folder is not None else None
    if target is not None and target.is_file():
        try:
            found = json.loads(target.read_text(encoding="utf-8"))
            if isinstance(found, dict) and set(found) == set(ids):
                return {node: (int(x), int(y)) for node, (x, y) in found.items()}
        except (OSError, ValueError, TypeError):
            pass
    where = layout(ids, kinds, edges, KIND_ORDER)
    if target is not None:
        try:
            for old in target.parent.glob("layout-*.json"):
                old.unlink(missing_ok=True)
            write_atomic(target, json.dumps(where, sort_keys=True))
        except OSError:  # a read-only cache: the layout is only not kept
            pass
    return where


def graph_data(site: Site, pieces: Pieces | None = None) -> str:
    """``window.LIMKB_GRAPH = {...};``: nodes (with the names search finds them by and their
    positions, see :mod:`limkb.site.layout`) and edges of the whole graph, sorted: the JSON
    ``json.dumps`` writes with sorted keys, each node's part but its position a piece that
    ``pieces`` keeps."""
    edges = sorted(
        {(s, t, str(k)) for s, t, k in site.kb.graph.edges(keys=True) if s in site.by_id and t in site.by_id}
    )
    where = _cached_layout(
        site.ids,
        [site.by_id[i].kind for i in site.ids],
        [(s, t) for s, t, _ in edges],
        site.options.plot_cache,
    )
    nodes = []
    for i in site.ids:
        make = functools.partial(_node_json, site, i)
        head = make() if pieces is None else pieces.piece(GRAPH_DATA, i, make)
        x, y = where[i]
        nodes.append(f'{head},"x":{int(x)},"y":{int(y)}}}')  # an int's JSON is its str()
    parts = [
        f'"colours":{_json(KIND_COLOURS)}',
        f'"edges":{_json([{"source": s, "target": t, "relation": r} for s, t, r in edges])}',
        f'"nodes":[{",".join(nodes)}]',
        f'"order":{_json(KIND_ORDER)}',
        f'"words":{_json(KIND_WORDS)}',
    ]
    return "window.LIMKB_GRAPH = {" + ",".join(parts) + "};\n"


GRAPH_DATA = "assets/limkb/graph-data.js"
"""The graph explorer's data (:func:`graph_data`), and the group of its nodes' pieces."""


def _json(value: Any) -> str:
    """``value`` as the graph explorer's data writes it: ASCII, sorted keys, no spaces."""
    return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _node_json(site: Site, entry_id: str) -> str:
    """An entry's node in the graph explorer's data, as JSON without its position (``x``,
    ``y``, the keys that sort last) and its closing brace."""
    entry = site.by_id[entry_id]
    names = [n for n in dict.fromkeys(names_of(entry)) if n and n != entry.label]
    node = {
        "id": entry_id,
        "name": site.label(entry_id),
        "kind": entry.kind,
        "url": f"entries/{site.folders[entry_id]}/{entry_id}.md",
        "names": names,
    }
    return _json(node)[:-1]
