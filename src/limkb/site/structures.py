"""A material's chemistry on its page: the structure drawing and the table of its properties.

The drawing is RDKit's SVG of the material's SMILES (:func:`limkb.analysis.chemistry.draw_svg`),
rebuilt here element by element from a short list of SVG elements and attributes, each value
checked against a pattern: nothing of it can run a script, load a resource or break out of
the page, whether it comes from RDKit or from a cache file someone else wrote. The rebuilt
text is deterministic (attributes in a fixed order, numbers as RDKit printed them), so two
builds write the same bytes.

Drawings are kept by a hash of the canonical SMILES, limkb's code and RDKit's version: in
memory for this process and, across builds, in a ``structures`` folder beside the plot cache,
so a rebuild after an unrelated edit does no RDKit work.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from limkb.schema.kinds import Material, Source
from limkb.schema.materials import PROPERTY_UNITS, property_label
from limkb.site.context import Links, Site
from limkb.site.memo import SvgStore

__all__ = ["StructureCache", "clean_svg", "material_view", "structure_svg"]

log = logging.getLogger(__name__)

_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = r"-?\d+(?:\.\d+)?"
_STYLE = re.compile(r"^[a-zA-Z0-9#:;.,%\- ]*$")
_ALLOWED: dict[str, re.Pattern[str]] = {
    "x": re.compile(rf"^{_NUMBER}(px)?$"),
    "y": re.compile(rf"^{_NUMBER}(px)?$"),
    "width": re.compile(rf"^{_NUMBER}(px)?$"),
    "height": re.compile(rf"^{_NUMBER}(px)?$"),
    "cx": re.compile(rf"^{_NUMBER}$"),
    "cy": re.compile(rf"^{_NUMBER}$"),
    "rx": re.compile(rf"^{_NUMBER}$"),
    "ry": re.compile(rf"^{_NUMBER}$"),
    "r": re.compile(rf"^{_NUMBER}$"),
    "viewBox": re.compile(rf"^{_NUMBER} {_NUMBER} {_NUMBER} {_NUMBER}$"),
    "d": re.compile(r"^[MLCQZAHVmlcqzahv0-9., \-]*$"),
    "class": re.compile(r"^[a-z0-9 \-]*$"),
    "style": _STYLE,
}
"""The attributes a drawing may keep, each with the form its value must have."""
_ELEMENTS = {"svg", "rect", "path", "text", "ellipse", "circle", "g"}
"""The SVG elements a drawing may keep (no scripts, links, images, styles or foreign content)."""


def clean_svg(svg: str, *, label: str) -> str:
    """The drawing ``svg`` rebuilt from allowed elements and attributes only, titled ``label``.

    Raises ``ValueError`` when it is not SVG at all (the caller then shows no drawing).
    """
    if "<!DOCTYPE" in svg or "<!ENTITY" in svg:
        raise ValueError("a drawing with a document type or entities")
    root = ElementTree.fromstring(re.sub(r"^<\?xml[^>]*\?>", "", svg.lstrip()))
    if root.tag != f"{_SVG}svg":
        raise ValueError("not an SVG drawing")
    parts: list[str] = []
    _write(root, parts, label)
    return "".join(parts)


def _write(element: ElementTree.Element, parts: list[str], label: str) -> None:
    name = element.tag.removeprefix(_SVG)
    if name not in _ELEMENTS:
        return
    attributes = {
        key: value
        for key, value in sorted(element.attrib.items())
        if key in _ALLOWED and _ALLOWED[key].match(value) and "url" not in value.lower()
    }
    if name == "svg":
        attributes = {k: v for k, v in attributes.items() if k == "viewBox"}
        attributes.update(
            {"xmlns": "http://www.w3.org/2000/svg", "role": "img", "class": "limkb-structure-svg"}
        )
    head = "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())
    parts.append(f"<{name}{head}>")
    if name == "svg":
        parts.append(f"<title>{escape(label)}</title>")
    if name == "text" and element.text:
        parts.append(escape(element.text))
    for child in element:
        _write(child, parts, label)
    parts.append(f"</{name}>")
    if name != "svg":
        parts.append("\n")


@functools.cache
def _salt() -> bytes:
    """What a drawing depends on besides the SMILES: limkb's code and RDKit's version."""
    from limkb._version import code_digest
    from limkb.analysis.chemistry import rdkit_version

    return f"{code_digest()}\0{rdkit_version()}\0".encode()


class StructureCache:
    """Drawings by a hash of what they are drawn from, in memory and in a folder."""

    def __init__(self, limit: int = 5_000) -> None:
        self._store = SvgStore(limit)
        self.drawn = 0
        """How many drawings this cache had RDKit make (the rest were found)."""

    def svg(self, smiles: str, folder: Path | None) -> str:
        """RDKit's drawing of ``smiles`` (raw), from memory, else ``folder``, else drawn."""
        from limkb.analysis.chemistry import draw_svg, structure

        canonical = structure(smiles).smiles
        key = hashlib.sha256(_salt() + canonical.encode()).hexdigest()

        def draw() -> str:
            self.drawn += 1
            return draw_svg(canonical)

        return self._store.svg(key, draw, folder)


CACHE = StructureCache()
"""The drawings of this process."""


def structure_svg(material: Material, folder: Path | None) -> str:
    """The cleaned drawing of ``material`` for its page; "" when it has no readable SMILES."""
    if material.smiles is None:
        return ""
    from limkb.analysis.chemistry import ChemistryError

    try:
        return clean_svg(CACHE.svg(material.smiles, folder), label=f"Structure of {material.name}")
    except (ChemistryError, ValueError, ElementTree.ParseError) as error:
        log.warning("no drawing for %s: %s", material.id, error)
        return ""


def structure_folder(plot_cache: Path | None) -> Path | None:
    """Where drawings are kept across builds: ``structures/`` inside the plot cache."""
    return None if plot_cache is None else plot_cache / "structures"


def _quantity(value: float, unit: str) -> str:
    """A value and its unit; a dimensionless one (unit ``1``) prints without a unit."""
    return f"{value:g}" if unit == "1" else f"{value:g} {unit}"


def _property_row(
    site: Site, links: Links, name: str, stated: Any, value: float, unit: str, source: Source
) -> dict[str, Any]:
    """One row of a material's property table: the density or another physical property, with
    the temperature it holds at, its source and note (``stated`` carries ``temperature`` and ``note``)."""
    return {
        "property": property_label(name),
        "order": list(PROPERTY_UNITS).index(name),
        "value": _quantity(value, unit),
        "temperature": None
        if stated.temperature is None
        else _quantity(stated.temperature.value, stated.temperature.unit),
        "source": site.source(source, links),
        "note": stated.note,
    }


def material_view(site: Site, material: Material, links: Links) -> dict[str, Any] | None:
    """What a material's page shows of its chemistry: computed identifiers, the density and
    the other properties with their sources; None for a material with none of these."""
    computed = None
    if material.smiles is not None:
        from limkb.analysis.chemistry import ChemistryError, rdkit_version, structure

        with contextlib.suppress(ChemistryError):
            found = structure(material.smiles)
            computed = {
                "formula": found.formula,
                "molar_mass": f"{found.molar_mass:.3f} g/mol",
                "inchikey": found.inchikey,
                "smiles": material.smiles,
                "rdkit": rdkit_version(),  # the page (and its cached text) changes with the drawing's maker
            }
    rows: list[dict[str, Any]] = []
    density = material.density
    missing = None
    if density is not None and density.status is not None:
        missing = density.note
    elif density is not None and density.value is not None and density.unit and density.source:
        rows.append(
            _property_row(site, links, "density", density, density.value, density.unit, density.source)
        )
    for item in material.properties:
        rows.append(_property_row(site, links, item.property, item, item.value, item.unit, item.source))
    rows.sort(key=lambda r: (r["order"], r["value"]))
    if computed is None and not rows and missing is None and material.cas is None:
        return None
    return {
        "computed": computed,
        "cas": material.cas,
        "pubchem": material.pubchem,
        "identifiers_source": None
        if material.identifiers_source is None
        else site.source(material.identifiers_source, links),
        "properties": rows,
        "density_missing": missing,
    }
