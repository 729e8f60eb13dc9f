"""A property's page shows its plausible range and, for a derived property, its definition."""

from __future__ import annotations

from pathlib import Path

from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render

LCE = minimal(
    "property",
    "Log Coulombic inefficiency",
    unit="1",
    scope="cell",
    desired="higher",
    range={"min": 0.04, "max": 5, "note": "LCE 0.04 is 10 % CE"},
    defined_as={"expression": "-log10(1 - coulombic-efficiency / 100)", "source": SOURCE[0]},
)
CE = minimal("property", "Coulombic efficiency", unit="%", scope="cell", range={"min": 10})
THICKNESS = minimal("property", "SEI thickness", unit="nm", scope="sei")


def _pages(tmp_path: Path) -> dict[str, str]:
    entries = {
        "properties/log-coulombic-inefficiency": LCE,
        "properties/coulombic-efficiency": CE,
        "properties/sei-thickness": THICKNESS,
    }
    kb = load(write_kb(tmp_path, entries), cache=False)
    pages = render(kb, options=RenderOptions(date="2024-01-02"))
    return {path: text for path, text in pages.items() if isinstance(text, str) and "properties/" in path}


def _row(page: str, label: str) -> str:
    start = page.index(f"<th>{label}</th>")
    return page[start : page.index("</tr>", start)]


def test_a_derived_property_shows_its_range_and_definition_with_its_source(tmp_path: Path) -> None:
    page = _pages(tmp_path)["entries/properties/log-coulombic-inefficiency.md"]
    assert "0.04 to 5 <" in _row(page, "plausible range")  # a dimensionless unit prints nothing
    assert "LCE 0.04 is 10 % CE" in _row(page, "plausible range")
    defined = _row(page, "defined as")
    assert "<code>-log10(1 - coulombic-efficiency / 100)</code>" in defined
    assert "Table 1" in defined  # the definition's locator


def test_a_one_sided_range_and_a_property_without_either(tmp_path: Path) -> None:
    pages = _pages(tmp_path)
    ce = pages["entries/properties/coulombic-efficiency.md"]
    assert "at least 10 %" in _row(ce, "plausible range") and "defined as" not in ce
    thickness = pages["entries/properties/sei-thickness.md"]
    assert "plausible range" not in thickness and "defined as" not in thickness


DME = minimal(
    "material",
    "1,2-Dimethoxyethane",
    aliases=["DME"],
    roles=["solvent"],
    formula="C4H10O2",
    smiles="COCCOC",
    identifiers_source=SOURCE[0],
    density={"value": 0.868, "unit": "g/cm3", "source": SOURCE[0]},
    properties=[
        {
            "property": "dielectric-constant",
            "value": 7.3,
            "unit": "1",
            "temperature": "25 °C",
            "source": SOURCE[0],
        }
    ],
)


def test_a_material_page_shows_its_formula_once_and_a_dimensionless_value_alone(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path, {"materials/dme": DME}), cache=False)
    page = render(kb, options=RenderOptions(date="2024-01-02"))["entries/materials/dme.md"]
    assert isinstance(page, str)
    assert page.count("<td>C4H10O2</td>") == 1 and "<th>formula (from the SMILES)</th>" in page
    assert "<th>formula</th>" not in page
    assert ">7.3<" in page and "7.3 1" not in page
    assert ">0.868 g/cm3<" in page
