"""How each kind of entry is shown: the one table to extend when a kind is added.

A new kind needs its model in :mod:`limkb.schema.kinds` and one row here: its title on the site
(browse page, navigation), its colour (graph explorer, neighbourhood pictures, badges) and the
columns of its browse table. The order of the rows is the browsing order, which the graph
explorer's legend follows too (it reads titles, colours and order from the graph data).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DISPLAY", "KIND_COLOURS", "KIND_ORDER", "KIND_TITLES", "KindDisplay"]


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


DISPLAY: dict[str, KindDisplay] = {
    "strategy": KindDisplay(
        "Strategies",
        "#0072B2",
        (("Family", "family"), ("Interface", "interface"), ("Subtype of", "subtype_of")),
        (("Forms", "forms"), ("Improves", "improves"), ("Works via", "works via"), ("Fails by", "fails by")),
    ),
    "material": KindDisplay(
        "Materials",
        "#E69F00",
        (("Formula", "formula"), ("Roles", "roles")),
        (("Used by", "used by"), ("Decomposes to", "decomposes to")),
    ),
    "mechanism": KindDisplay(
        "Mechanisms", "#009E73", (), (("Mechanism of", "mechanism of"), ("Involves", "involves"))
    ),
    "species": KindDisplay(
        "Species",
        "#CC79A7",
        (("Formula", "formula"), ("Class", "species_class")),
        (("Formed by", "formed by"), ("Confers", "confers")),
    ),
    "property": KindDisplay(
        "Properties",
        "#56B4E9",
        (("Symbol", "symbol"), ("Unit", "unit"), ("Scope", "scope"), ("Desired", "desired")),
        (("Measured by", "measured by"),),
    ),
    "technique": KindDisplay(
        "Techniques",
        "#882255",
        (("Abbreviation", "abbreviation"), ("Category", "category")),
        (("Measures", "measures"), ("Could answer", "could answer")),
    ),
    "failure-mode": KindDisplay(
        "Failure modes",
        "#D55E00",
        (("Category", "category"), ("Interface", "interface")),
        (("Threatens", "threatens"), ("Mitigated by", "mitigated by"), ("Detected by", "detected by")),
    ),
    "question": KindDisplay(
        "Questions",
        "#F0E442",
        (("Status", "status"), ("Theme", "theme"), ("Interface", "interface"), ("Family", "family")),
        (("About", "about"), ("Answerable by", "answerable by")),
    ),
    "dataset": KindDisplay("Datasets", "#44AA99"),
    "analysis": KindDisplay("Analyses", "#332288", (("x", "x"), ("y", "y"))),
    "claim": KindDisplay(
        "Claims", "#117733", (("Proposition", "proposition"),), (("About", "about"), ("Evidence", "evidence"))
    ),
    "reference": KindDisplay(
        "References", "#999999", (("Title", "title"), ("Journal", "journal"), ("Year", "year"))
    ),
}
"""Every kind, in browsing order."""

KIND_TITLES: dict[str, str] = {kind: shown.title for kind, shown in DISPLAY.items()}
KIND_COLOURS: dict[str, str] = {kind: shown.colour for kind, shown in DISPLAY.items()}
KIND_ORDER: list[str] = list(DISPLAY)
