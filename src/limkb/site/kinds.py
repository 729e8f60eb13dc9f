"""How each kind of entry is shown: the one table to extend when a kind is added.

A new kind needs its model in :mod:`limkb.schema.kinds` and one row here: its title on the site
(browse page, navigation), its colour (graph explorer, neighbourhood pictures, badges), the
columns of its browse table, the relations its entry page answers first (``verbs``) and how much
the site search favours it (``boost``), the words of a query that keep only it (``words``); and
its place in :data:`SEARCH_ORDER`. The order of the
rows is the browsing order, which the graph explorer's legend follows too (it reads titles,
colours, order and words from the graph data); the site search reads :data:`SEARCH_ORDER` and
:data:`KIND_WORDS` from its index. The README's table of kinds (:func:`kinds_markdown`) and CONTRIBUTING's editor settings
(:func:`editor_schemas`) are generated from the rows. ``tests/test_kinds_registry.py`` fails when a
kind is missing here or half registered, or when those two texts are stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from limkb.schema.kinds import KINDS

__all__ = [
    "DISPLAY",
    "EDITOR_SCHEMAS_MARKERS",
    "KEY_VERBS",
    "KINDS_MARKERS",
    "KIND_COLOURS",
    "KIND_ORDER",
    "KIND_TITLES",
    "KIND_WORDS",
    "SEARCH_BOOST",
    "SEARCH_ORDER",
    "KindDisplay",
    "editor_schemas",
    "kinds_markdown",
]


@dataclass(frozen=True)
class KindDisplay:
    """How one kind is shown."""

    title: str
    """Plural title of its browse page, e.g. ``Strategies``."""
    colour: str
    """Its colour, the same everywhere (colour-blind safe palette)."""
    columns: tuple[tuple[str, str], ...] = ()
    """Browse-table columns after the name: (header, field of the entry)."""
    relations: tuple[tuple[str, str], ...] = ()
    """Browse-table columns of related entries: (header, relation as read from the entry)."""
    verbs: tuple[str, ...] | None = None
    """The relations its entry page answers first, in the key-facts block (``()``: none)."""
    boost: float | None = None
    """How much the site search favours its pages (None: not at all)."""
    holds: str = ""
    """What one entry of it holds, for the README's table of kinds."""
    words: tuple[str, ...] = ()
    """The words of a search query that keep only this kind ("questions", "papers"): its name,
    its plural and what readers call it."""


DISPLAY: dict[str, KindDisplay] = {
    "strategy": KindDisplay(
        "Strategies",
        "#0072B2",
        (("Family", "family"), ("Interface", "interface"), ("Subtype of", "subtype_of")),
        (("Forms", "forms"), ("Improves", "improves"), ("Works via", "works via"), ("Fails by", "fails by")),
        verbs=("forms", "improves", "works via", "mitigates", "fails by", "uses", "made by"),
        boost=3,
        holds="an interfacial-engineering approach; a tree through `subtype_of`",
        words=("strategy", "strategies", "approach", "approaches"),
    ),
    "material": KindDisplay(
        "Materials",
        "#E69F00",
        (("Formula", "formula"), ("Roles", "roles")),
        (("Used by", "used by"), ("Decomposes to", "decomposes to")),
        verbs=("used by", "decomposes to", "involved in"),
        boost=3,
        holds="a chemical or material, its formula, roles and aliases",
        words=("material", "materials"),
    ),
    "mechanism": KindDisplay(
        "Mechanisms",
        "#009E73",
        (),
        (("Mechanism of", "mechanism of"), ("Involves", "involves")),
        verbs=("mechanism of", "involves", "affects"),
        boost=1.5,
        holds="how a strategy acts",
        words=("mechanism", "mechanisms"),
    ),
    "species": KindDisplay(
        "Species",
        "#CC79A7",
        (("Formula", "formula"), ("Class", "species_class")),
        (("Formed by", "formed by"), ("Confers", "confers")),
        verbs=("formed by", "confers", "decomposition product of", "involved in"),
        boost=4,
        holds="an interphase species and the properties it confers",
        words=("species",),
    ),
    "property": KindDisplay(
        "Properties",
        "#56B4E9",
        (("Symbol", "symbol"), ("Unit", "unit"), ("Scope", "scope"), ("Desired", "desired")),
        (("Measured by", "measured by"),),
        verbs=("improved by", "conferred by", "affected by", "measured by"),
        boost=2,
        holds="an SEI or interface descriptor, with its unit and range",
        words=("property", "properties", "descriptor", "descriptors"),
    ),
    "technique": KindDisplay(
        "Techniques",
        "#882255",
        (("Abbreviation", "abbreviation"), ("Category", "category")),
        (("Measures", "measures"), ("Could answer", "could answer")),
        verbs=("measures", "could answer", "characterises", "detects"),
        boost=3,
        holds="a characterisation method and what it measures",
        words=("technique", "techniques", "method", "methods"),
    ),
    "failure-mode": KindDisplay(
        "Failure modes",
        "#D55E00",
        (("Category", "category"), ("Interface", "interface")),
        (("Threatens", "threatens"), ("Mitigated by", "mitigated by"), ("Detected by", "detected by")),
        verbs=("threatens", "mitigated by", "caused by", "causes", "detected by"),
        boost=2,
        holds="how an approach fails",
        words=("failure", "failures"),
    ),
    "question": KindDisplay(
        "Questions",
        "#F0E442",
        (("Status", "status"), ("Theme", "theme"), ("Interface", "interface"), ("Family", "family")),
        (("About", "about"), ("Answerable by", "answerable by")),
        verbs=("about", "answerable by"),
        holds="an open question, what it is about and what could answer it",
        words=("question", "questions"),
    ),
    "dataset": KindDisplay(
        "Datasets",
        "#44AA99",
        verbs=("about",),
        holds="a table of measurements, columns typed by property and unit",
        words=("dataset", "datasets"),
    ),
    "analysis": KindDisplay(
        "Analyses",
        "#332288",
        (("x", "x"), ("y", "y")),
        verbs=("datasets", "compares", "discussed by"),
        holds="a declared correlation over dataset variables, with the value a paper reported",
        words=("analysis", "analyses", "correlation", "correlations"),
    ),
    "claim": KindDisplay(
        "Claims",
        "#117733",
        (("Proposition", "proposition"),),
        (("About", "about"), ("Evidence", "evidence")),
        verbs=("about", "evidence"),
        holds="a claim the field argues about, where it is asserted, and the findings and analyses that support, contradict or qualify it, each graded",
        words=("claim", "claims"),
    ),
    "reference": KindDisplay(
        "References",
        "#999999",
        (("Title", "title"), ("Journal", "journal"), ("Year", "year")),
        verbs=(),
        boost=0.5,
        holds="a publication: authors, title, journal, year, volume, pages, DOI",
        words=("reference", "references", "paper", "papers"),
    ),
}
"""Every kind, in browsing order."""

KIND_TITLES: dict[str, str] = {kind: shown.title for kind, shown in DISPLAY.items()}
KIND_COLOURS: dict[str, str] = {kind: shown.colour for kind, shown in DISPLAY.items()}
KIND_ORDER: list[str] = list(DISPLAY)

KEY_VERBS: dict[str, tuple[str, ...]] = {kind: shown.verbs or () for kind, shown in DISPLAY.items()}
"""The relations an entry page answers first, in its key-facts block, by the entry's kind."""
SEARCH_BOOST: dict[str, float] = {
    kind: shown.boost for kind, shown in DISPLAY.items() if shown.boost is not None
}
"""How much the site search favours an entry page by its kind: a reader typing "LiF" or "XPS"
wants the species or the technique before the questions and analyses that mention it."""

KIND_WORDS: dict[str, tuple[str, ...]] = {kind: shown.words for kind, shown in DISPLAY.items()}
"""The words of a query that keep one kind only, by kind; the site search and the graph
explorer read them from their data files (``search.js`` knows no kind)."""

SEARCH_ORDER: tuple[str, ...] = (
    "species",
    "strategy",
    "material",
    "technique",
    "property",
    "failure-mode",
    "mechanism",
    "question",
    "analysis",
    "dataset",
    "page",
    "reference",
    "claim",
)
"""How the site search orders results of equal match, by kind (``page``: the pages that are not
entries); ``search.js`` reads it from the index. Every kind is in it."""


KINDS_MARKERS = ("<!-- kinds:start -->", "<!-- kinds:end -->")
"""Where the README's table of kinds (:func:`kinds_markdown`) sits."""
EDITOR_SCHEMAS_MARKERS = ("<!-- editor-schemas:start -->", "<!-- editor-schemas:end -->")
"""Where CONTRIBUTING's editor settings (:func:`editor_schemas`) sit."""


def kinds_markdown() -> str:
    """The README's table of kinds: each kind, its folder under ``kb/`` and what it holds."""
    rows = [f"| {kind} | `{KINDS[kind].folder}` | {shown.holds} |" for kind, shown in DISPLAY.items()]
    return "\n".join(["| kind | folder | holds |", "|---|---|---|", *rows])


def editor_schemas() -> str:
    """CONTRIBUTING's VS Code settings: the JSON Schema of each kind mapped to its folder."""
    schemas = {f"./schema/{kind}.schema.json": f"kb/{KINDS[kind].folder}/*.yaml" for kind in DISPLAY}
    settings = {"yaml.schemas": schemas, "editor.insertSpaces": True, "[yaml]": {"editor.tabSize": 2}}
    return "```json\n" + json.dumps(settings, indent=2, ensure_ascii=False) + "\n```"
