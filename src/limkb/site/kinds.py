"""How each kind of entry is shown: the one table to extend when a kind is added.

A new kind needs its model in :mod:`limkb.schema.kinds` and one row here: its title on the site
(browse page, navigation), its colour (graph explorer, neighbourhood pictures, badges), the
columns of its browse table, the relations its entry page answers first (``verbs``) and how much
the site search favours it (``boost``); and its place in :data:`SEARCH_ORDER`. The order of the
rows is the browsing order, which the graph explorer's legend follows too (it reads titles,
colours and order from the graph data); the site search reads :data:`SEARCH_ORDER` from its
index. ``tests/test_kinds_registry.py`` fails when a kind is missing here or half registered.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DISPLAY",
    "KEY_VERBS",
    "KIND_COLOURS",
    "KIND_ORDER",
    "KIND_TITLES",
    "SEARCH_BOOST",
    "SEARCH_ORDER",
    "KindDisplay",
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


DISPLAY: dict[str, KindDisplay] = {
    "strategy": KindDisplay(
        "Strategies",
        "#0072B2",
        (("Family", "family"), ("Interface", "interface"), ("Subtype of", "subtype_of")),
        (("Forms", "forms"), ("Improves", "improves"), ("Works via", "works via"), ("Fails by", "fails by")),
        verbs=("forms", "improves", "works via", "mitigates", "fails by", "uses", "made by"),
        boost=3,
    ),
    "material": KindDisplay(
        "Materials",
        "#E69F00",
        (("Formula", "formula"), ("Roles", "roles")),
        (("Used by", "used by"), ("Decomposes to", "decomposes to")),
        verbs=("used by", "decomposes to", "involved in"),
        boost=3,
    ),
    "mechanism": KindDisplay(
        "Mechanisms",
        "#009E73",
        (),
        (("Mechanism of", "mechanism of"), ("Involves", "involves")),
        verbs=("mechanism of", "involves", "affects"),
        boost=1.5,
    ),
    "species": KindDisplay(
        "Species",
        "#CC79A7",
        (("Formula", "formula"), ("Class", "species_class")),
        (("Formed by", "formed by"), ("Confers", "confers")),
        verbs=("formed by", "confers", "decomposition product of", "involved in"),
        boost=4,
    ),
    "property": KindDisplay(
        "Properties",
        "#56B4E9",
        (("Symbol", "symbol"), ("Unit", "unit"), ("Scope", "scope"), ("Desired", "desired")),
        (("Measured by", "measured by"),),
        verbs=("improved by", "conferred by", "affected by", "measured by"),
        boost=2,
    ),
    "technique": KindDisplay(
        "Techniques",
        "#882255",
        (("Abbreviation", "abbreviation"), ("Category", "category")),
        (("Measures", "measures"), ("Could answer", "could answer")),
        verbs=("measures", "could answer", "characterises", "detects"),
        boost=3,
    ),
    "failure-mode": KindDisplay(
        "Failure modes",
        "#D55E00",
        (("Category", "category"), ("Interface", "interface")),
        (("Threatens", "threatens"), ("Mitigated by", "mitigated by"), ("Detected by", "detected by")),
        verbs=("threatens", "mitigated by", "caused by", "causes", "detected by"),
        boost=2,
    ),
    "question": KindDisplay(
        "Questions",
        "#F0E442",
        (("Status", "status"), ("Theme", "theme"), ("Interface", "interface"), ("Family", "family")),
        (("About", "about"), ("Answerable by", "answerable by")),
        verbs=("about", "answerable by"),
    ),
    "dataset": KindDisplay("Datasets", "#44AA99", verbs=("about",)),
    "analysis": KindDisplay(
        "Analyses", "#332288", (("x", "x"), ("y", "y")), verbs=("datasets", "compares", "discussed by")
    ),
    "claim": KindDisplay(
        "Claims",
        "#117733",
        (("Proposition", "proposition"),),
        (("About", "about"), ("Evidence", "evidence")),
        verbs=("about", "evidence"),
    ),
    "reference": KindDisplay(
        "References",
        "#999999",
        (("Title", "title"), ("Journal", "journal"), ("Year", "year")),
        verbs=(),
        boost=0.5,
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
