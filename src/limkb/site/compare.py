"""Comparison tables: every finding and dataset value of one quantity family, side by side.

A *family* gathers the values readers compare across strategies (Coulombic efficiency, cycle
life, symmetric-cell hours, thickness, ...). A finding joins the family of its ``quantity``
(a property); a ``what:`` finding joins the family whose words its name holds and whose
dimension its unit measures, else "other". A numeric dataset column joins the family of its
property. Each family becomes a page of its own (:mod:`limkb.site.comparison_pages`).
Values are sorted as numbers only within one unit: a row whose unit converts to the family's unit sorts by the converted number (and says
so); one that does not is shown as recorded and sorts last.

Strategy pages link their rows (:func:`compare_links`), and a strategy with a Coulombic
efficiency above 99 % in the data is listed as improving it (:func:`improves_ce`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from limkb.schema.fields import Conditions, electrolyte_text
from limkb.schema.kinds import ColumnType, Dataset, Entry, Finding, Property, Source, Strategy
from limkb.schema.units import UnitError, convert, parse_unit
from limkb.site.context import FAMILY_TITLES, Site

if TYPE_CHECKING:
    from limkb.site.memo import Pieces

__all__ = [
    "FAMILIES",
    "OTHER",
    "CompareRow",
    "FamilyRule",
    "FamilyTable",
    "compare_links",
    "compare_rows",
    "family_of_finding",
    "improves_ce",
]


@dataclass(frozen=True)
class FamilyRule:
    """A quantity family: its page slug, title, the properties it holds and the words and
    dimension a ``what:`` finding must have to join it."""

    slug: str
    title: str
    properties: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()


FAMILIES: tuple[FamilyRule, ...] = (
    FamilyRule(
        "coulombic-efficiency",
        "Coulombic efficiency",
        ("coulombic-efficiency", "log-coulombic-inefficiency"),
        (r"coulombic efficiency", r"\bce\b"),
        ("percent",),
    ),
    FamilyRule("cycle-life", "Cycle life", ("cycle-life",), (r"cycle",), ("count",)),
    FamilyRule(
        "symmetric-cell-hours",
        "Symmetric-cell cycling time",
        ("symmetric-cell-lifetime",),
        (r"cycling time", r"symmetric", r"li\|\|li", r"lifetime"),
        ("time",),
    ),
    FamilyRule("capacity-retention", "Capacity retention", (), (r"capacity retention",), ("percent",)),
    FamilyRule(
        "thickness", "Thickness", ("sei-thickness", "coating-thickness"), (r"thickness",), ("length",)
    ),
    FamilyRule(
        "ionic-conductivity",
        "Ionic conductivity",
        ("ionic-conductivity",),
        (r"ionic conductivity",),
        ("conductivity",),
    ),
    FamilyRule(
        "overpotential", "Overpotential", ("nucleation-overpotential",), (r"overpotential",), ("voltage",)
    ),
)
"""The families with a page of their own whatever the data; other properties get one each."""

OTHER = FamilyRule("other", "Other values")
"""Findings named by ``what:`` that fit no family."""

_BY_PROPERTY = {prop: rule for rule in FAMILIES for prop in rule.properties}
_FIXED = {rule.slug for rule in (*FAMILIES, OTHER)}
_NAMED = {rule.slug: rule for rule in (*FAMILIES, OTHER)}
"""The named families by slug: a rule kept between renderings is taken back as the same object
(``table.rule is OTHER`` decides how a table compares)."""


@dataclass
class CompareRow:
    """One value in a comparison table, as shown and as sorted."""

    strategies: list[str]
    value: str
    number: float | None
    """The value in the family's unit (None when it is not in a unit that converts)."""
    unit: str
    electrolyte: str
    components: list[str]
    cell: str
    protocol: str
    current_density: str
    areal_capacity: str
    entry: str
    """The entry (a strategy ... or the dataset) the value is recorded in."""
    record: str
    """The dataset record's label; empty for a finding."""
    what: str
    source: Source | None
    note: str = ""
    topic: bool = False
    """The strategies are the dataset's ``about`` (the record names none of its own)."""


@dataclass
class FamilyTable:
    """A family's rows and the unit their numbers are compared in."""

    rule: FamilyRule
    rows: list[CompareRow] = field(default_factory=list)
    unit: str = ""


def _dimension(unit: str) -> str | None:
    try:
        return parse_unit(unit).dimension
    except UnitError:
        return None


def _property_rule(site: Site, prop: str) -> FamilyRule:
    """The family of a property: a named one, or one of its own (slug = its id)."""
    rule = _BY_PROPERTY.get(prop)
    if rule is not None:
        return rule
    entry = site.by_id.get(prop)
    slug = prop if prop not in _FIXED else f"{prop}-values"
    return FamilyRule(slug, entry.label if entry is not None else prop, (prop,))


def family_of_finding(site: Site, finding: Finding) -> FamilyRule:
    """The family a finding's value is compared in."""
    if finding.quantity is not None:
        return _property_rule(site, finding.quantity)
    what = (finding.what or "").casefold()
    dimension = _dimension(finding.unit)
    for rule in FAMILIES:
        if dimension in rule.dimensions and any(re.search(word, what) for word in rule.words):
            return rule
    return OTHER


def _bounded(bound: str, value: float, high: float | None, unit: str) -> str:
    """A value as recorded: its bound, the range when there is one, and the unit."""
    text = {"=": "", ">": "> ", "<": "< ", "~": "~ "}.get(bound, "") + f"{value:g}"
    if high is not None:
        text += f"–{high:g}"
    return text + ("" if unit in ("", "1") else f" {unit}")


def _conditions(own: Conditions | None, common: Conditions | None = None) -> dict[str, str]:
    """Cell, protocol, current density and areal capacity, a record's own over its dataset's."""
    found: dict[str, str] = {}
    for name in ("cell", "protocol", "current_density", "areal_capacity"):
        value = None
        for conditions in (own, common):
            if conditions is not None and getattr(conditions, name) is not None:
                value = getattr(conditions, name)
                break
        if value is None:
            found[name] = ""
        elif isinstance(value, str):
            found[name] = value
        else:
            found[name] = f"{value.value:g} {value.unit}"
    if own is not None and own.cathode and found["cell"] and own.cathode not in found["cell"]:
        found["cell"] += f" ({own.cathode})"
    return found


def _components(site: Site, electrolyte: Any) -> list[str]:
    """The materials of an electrolyte (ids when known, else the names as written)."""
    if electrolyte is None:
        return []
    if not isinstance(electrolyte, str):
        return sorted({c.material for c in electrolyte})
    from limkb.analysis.components import Conventions
    from limkb.analysis.formulations import FormulationError, parse, resolve

    index = _material_index(site)
    try:
        parsed = parse(electrolyte, conventions=Conventions.of("vol", "wt"))
    except FormulationError:
        return []
    resolved, _ = resolve(parsed, index)
    return sorted({c.material or c.name for c in resolved.components})


def _material_index(site: Site) -> Any:
    """The material names of the site, built once per site."""
    from limkb.analysis.formulations import MaterialIndex

    found = getattr(site, "_compare_materials", None)
    if found is None:
        found = MaterialIndex.of(
            (m.id, [m.label, *m.aliases, *([f] if (f := getattr(m, "formula", None)) else [])], [])
            for m in site.of_kind("material")
        )
        site._compare_materials = found  # type: ignore[attr-defined]
    return found


def _finding_rows(site: Site, entry: Entry) -> Iterator[tuple[FamilyRule, CompareRow]]:
    """The values of an entry's findings, each with its family."""
    for finding in getattr(entry, "findings", None) or []:
        assert isinstance(finding, Finding)
        conditions = _conditions(finding.conditions)
        electrolyte = electrolyte_text(finding.electrolyte) or finding.electrolyte_note or ""
        yield (
            family_of_finding(site, finding),
            CompareRow(
                strategies=[entry.id] if isinstance(entry, Strategy) else [],
                value=_bounded(finding.bound, finding.value, finding.high, finding.unit),
                number=float(finding.value),
                unit=finding.unit,
                electrolyte=electrolyte,
                components=_components(site, finding.electrolyte),
                cell=conditions["cell"],
                protocol=conditions["protocol"],
                current_density=conditions["current_density"],
                areal_capacity=conditions["areal_capacity"],
                entry=entry.id,
                record="",
                what=finding.what or site.label(finding.quantity or ""),
                source=finding.source,
            ),
        )


def _lce_as_ce(value: float) -> float:
    """CE in percent from the log Coulombic inefficiency, LCE = -log10(1 - CE/100)."""
    return 100.0 * (1.0 - math.pow(10.0, -value))


def _record_rows(site: Site, dataset: Dataset) -> Iterator[tuple[FamilyRule, CompareRow]]:
    """The numeric values of a dataset's records in property columns, each with its family."""
    about = [link.id for link in dataset.about]
    for column in dataset.columns:
        if column.property is None or column.type is ColumnType.TEXT or column.unit is None:
            continue
        rule = _property_rule(site, column.property)
        for record in dataset.records:
            value = record.values.get(column.name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            conditions = _conditions(record.conditions, dataset.conditions)
            written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
            shown, unit, note = _bounded("=", float(value), None, column.unit), column.unit, ""
            if column.property == "log-coulombic-inefficiency" and rule.slug == "coulombic-efficiency":
                ce = _lce_as_ce(float(value))
                note = f"from LCE {value:g}"
                shown, unit = f"{ce:.4g} %", "%"
                value = ce
            yield (
                rule,
                CompareRow(
                    strategies=list(record.strategies) or about,
                    topic=not record.strategies and bool(about),
                    value=shown,
                    number=float(value),
                    unit=unit,
                    electrolyte=electrolyte_text(written),
                    components=_components(site, written),
                    cell=conditions["cell"],
                    protocol=conditions["protocol"],
                    current_density=conditions["current_density"],
                    areal_capacity=conditions["areal_capacity"],
                    entry=dataset.id,
                    record=record.label,
                    what=site.label(column.property),
                    source=record.source or (dataset.sources[0] if dataset.sources else None),
                    note=note,
                ),
            )


def compare_rows(site: Site, pieces: Pieces | None = None) -> dict[str, FamilyTable]:
    """Every comparable value of the site by family slug, each family with its common unit; the
    named families (:data:`FAMILIES`) are there even without a value. With ``pieces``, each
    entry's rows are kept between renderings (:meth:`~limkb.site.memo.Pieces.piece`), in a
    group named after the material names that electrolytes resolve to."""
    tables: dict[str, FamilyTable] = {rule.slug: FamilyTable(rule) for rule in FAMILIES}
    for rule, row in _all_rows(site, pieces):
        if rule == _NAMED.get(rule.slug):
            rule = _NAMED[rule.slug]
        # a copy: the numbers are set in the family's unit below, the kept piece stays as made
        tables.setdefault(rule.slug, FamilyTable(rule)).rows.append(dataclasses.replace(row))
    for table in tables.values():
        _set_numbers(site, table)
    return dict(sorted(tables.items(), key=lambda kv: (kv[0] == "other", _order(kv[0]), kv[1].rule.title)))


def _all_rows(site: Site, pieces: Pieces | None) -> list[tuple[FamilyRule, CompareRow]]:
    """The rows of every entry's findings (in id order), then of every dataset's records."""

    def findings(entry: Entry) -> list[tuple[FamilyRule, CompareRow]]:
        return list(_finding_rows(site, entry))

    def records(dataset: Dataset) -> list[tuple[FamilyRule, CompareRow]]:
        return list(_record_rows(site, dataset))

    with_findings = [e for i in site.ids if getattr(e := dict.__getitem__(site.by_id, i), "findings", None)]
    datasets = [e for e in site.of_kind("dataset") if isinstance(e, Dataset)]
    if pieces is None:
        made = [findings(e) for e in with_findings] + [records(d) for d in datasets]
    else:
        key = _materials_key(site)
        made = [
            pieces.piece(f"compare-findings:{key}", e.id, functools.partial(findings, e))
            for e in with_findings
        ]
        made += [
            pieces.piece(f"compare-records:{key}", d.id, functools.partial(records, d)) for d in datasets
        ]
    return [pair for rows in made for pair in rows]


def _materials_key(site: Site) -> str:
    """A hash of every material's names (what an electrolyte's text resolves to its materials
    by, :func:`_material_index`): the rows' pieces are made anew when it changes."""
    names = [
        (m.id, m.label, list(m.aliases), getattr(m, "formula", None) or "") for m in site.of_kind("material")
    ]
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]


def _order(slug: str) -> int:
    slugs = [rule.slug for rule in FAMILIES]
    return slugs.index(slug) if slug in slugs else len(slugs)


def _set_numbers(site: Site, table: FamilyTable) -> None:
    """The family's unit (its property's, else the commonest) and each row's number in it."""
    if table.rule is OTHER:  # values of different things: never compared as numbers
        for row in table.rows:
            row.number = None
        return
    units = Counter(row.unit for row in table.rows)
    prop = site.by_id.get(table.rule.properties[0]) if table.rule.properties else None
    wanted = prop.unit if isinstance(prop, Property) and prop.unit in units else None
    if not units:
        table.unit = prop.unit if isinstance(prop, Property) else ""
        return
    table.unit = wanted or sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    for row in table.rows:
        raw = row.number
        if raw is None:
            continue
        if row.unit == table.unit:
            continue
        try:
            row.number = convert(raw, row.unit, table.unit)
        except UnitError:
            row.number = None
            row.note = (
                row.note + "; " if row.note else ""
            ) + f"in {row.unit}: not compared with {table.unit}"
            continue
        if table.unit not in ("", "1"):
            row.note = (row.note + "; " if row.note else "") + f"= {row.number:.4g} {table.unit}"


# --- what strategy pages and the strategies table show -------------------------------------


def compare_links(site: Site, entry: Entry, page: str) -> list[dict[str, Any]]:
    """For a strategy's page: each family it has values in, linking its rows and its family's."""
    if not isinstance(entry, Strategy):
        return []
    counts: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for rule, _ in _strategy_rows(site, entry.id):
        counts[rule.slug] += 1
        titles[rule.slug] = rule.title
    links = site.links(page)
    family = entry.family.value
    return [
        {
            "title": titles[slug],
            "count": counts[slug],
            "own": links.to(f"compare/{slug}.md") + f"?strategy={entry.id}",
            "across": links.to(f"compare/{slug}.md") + f"?family={family}",
            "family": FAMILY_TITLES.get(family, family),
        }
        for slug in sorted(counts, key=lambda s: (_order(s), titles[s]))
    ]


def _strategy_rows(
    site: Site, strategy_id: str, *, about: bool = True
) -> Iterator[tuple[FamilyRule, CompareRow]]:
    """The values naming one strategy: its own findings and the dataset records that name it
    (or, with ``about``, that belong to a dataset about it and name no strategy themselves)."""
    entry = site.by_id[strategy_id]
    for finding in getattr(entry, "findings", None) or []:
        if finding.bound != "<":
            yield family_of_finding(site, finding), _stub(finding.value, finding.unit)
    datasets = {
        r.source
        for r in site.kb.relations(strategy_id, direction="in")
        if r.relation in ("exemplifies", "about")
    }
    for dataset_id in sorted(datasets):
        dataset = site.by_id.get(dataset_id)
        if not isinstance(dataset, Dataset):
            continue
        for column in dataset.columns:
            if column.property is None or column.type is ColumnType.TEXT or column.unit is None:
                continue
            rule = _property_rule(site, column.property)
            for record in dataset.records:
                named = record.strategies or ([link.id for link in dataset.about] if about else [])
                value = record.values.get(column.name)
                if strategy_id not in named or not isinstance(value, int | float):
                    continue
                if column.property == "log-coulombic-inefficiency":
                    yield rule, _stub(_lce_as_ce(float(value)), "%")
                else:
                    yield rule, _stub(float(value), column.unit)


def _stub(value: float, unit: str) -> CompareRow:
    return CompareRow([], "", value, unit, "", [], "", "", "", "", "", "", "", None)


CE_THRESHOLD = 99.0
"""A strategy with a Coulombic efficiency above this (%) in the data is listed as improving CE."""


def improves_ce(site: Site, strategy_id: str) -> bool:
    """Whether a finding of the strategy, or a dataset record naming it, has a CE above 99 %."""
    for rule, row in _strategy_rows(site, strategy_id, about=False):
        if rule.slug == "coulombic-efficiency" and row.unit == "%" and (row.number or 0) > CE_THRESHOLD:
            return True
    return False
