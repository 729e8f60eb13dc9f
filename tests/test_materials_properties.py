"""The properties a chemist chooses an electrolyte material by: donor number, the measured ends
of the electrochemical stability window and computed orbital energies as kinds of their own,
each refusing a unit of another kind and a value without its conditions at the value's line,
and shown on the material's page with its unit, its reference electrode and its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.check.validate import validate_kb
from limkb.schema.materials import PROPERTY_UNITS, property_label
from limkb.schema.units import convert
from limkb.site.render import RenderOptions, render

DENSITY = {"value": 0.868, "unit": "g/cm3", "temperature": "25 °C", "source": SOURCE[0]}
LSV = "LSV at 1 mV/s on Pt, 1 M LiFSI"


def _kb(tmp_path: Path, *items: dict[str, Any]) -> Path:
    """A KB of one material (DME) with ``items`` as its properties, each citing the test reference."""
    properties = [{**item, "source": SOURCE[0]} for item in items]
    dme = minimal(
        "material",
        "DME",
        identifiers_source=SOURCE[0],
        smiles="COCCOC",
        formula="C4H10O2",
        density=DENSITY,
        properties=properties,
    )
    return write_kb(tmp_path, {"materials/dme": dme})


def _problems(kb: Path) -> list[tuple[str, int, str]]:
    """Every problem as (file name, line, code)."""
    return [(Path(p.path).name, p.line, p.code) for p in validate_kb(kb).report.problems]


@pytest.mark.parametrize(
    "item",
    [
        {"property": "donor-number", "value": 20, "unit": "kcal/mol", "note": "Gutmann, calorimetric"},
        {"property": "donor-number", "value": 83.7, "unit": "kJ/mol", "note": "Gutmann, calorimetric"},
        {"property": "oxidation-limit", "value": 4.2, "unit": "V", "note": LSV},
        {"property": "reduction-limit", "value": 0.5, "unit": "V", "note": "LSV on Cu"},
        {"property": "homo-energy", "value": -7.1, "unit": "eV", "note": "DFT, B3LYP/6-311+G(d,p)"},
        {"property": "lumo-energy", "value": 0.9, "unit": "eV", "note": "DFT, B3LYP/6-311+G(d,p)"},
    ],
)
def test_new_property_kinds_validate_in_their_units(tmp_path: Path, item: dict[str, Any]) -> None:
    assert _problems(_kb(tmp_path, item)) == []


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"property": "donor-number", "value": 20, "unit": "V", "note": "Gutmann"}, "unit-mismatch"),
        ({"property": "oxidation-limit", "value": 4.2, "unit": "eV", "note": LSV}, "unit-mismatch"),
        ({"property": "oxidation-limit", "value": 4.2, "unit": "kcal/mol", "note": LSV}, "unit-mismatch"),
        ({"property": "homo-energy", "value": -7.1, "unit": "V", "note": "DFT"}, "unit-mismatch"),
        ({"property": "reduction-limit", "value": 0.5, "unit": "mPa s", "note": "LSV"}, "unit-mismatch"),
        ({"property": "oxidation-limit", "value": 4.2, "unit": "V"}, "missing-field"),  # no conditions
        ({"property": "lumo-energy", "value": 0.9, "unit": "eV"}, "missing-field"),  # no level of theory
        ({"property": "donor-number", "value": 20, "unit": "kcal/mol"}, "missing-field"),  # no method
    ],
)
def test_a_unit_of_another_kind_or_missing_conditions_is_a_located_error(
    tmp_path: Path, item: dict[str, Any], code: str
) -> None:
    kb = _kb(tmp_path, {"property": "boiling-point", "value": 85, "unit": "°C"}, item)
    found = _problems(kb)
    assert [c for _, _, c in found] == [code]
    name, line, _ = found[0]
    text = (kb / "materials" / "dme.yaml").read_text(encoding="utf-8").splitlines()
    assert name == "dme.yaml" and line > 0
    assert item["property"] in "\n".join(text[line - 1 : line + 6]), "the problem points at the property"


def test_every_bad_property_is_reported_in_one_run(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {"property": "oxidation-limit", "value": 4.2, "unit": "eV", "note": LSV},
        {"property": "reduction-limit", "value": 0.1, "unit": "V"},
        {"property": "donor-number", "value": 20, "unit": "°C", "note": "Gutmann"},
    )
    assert sorted(c for _, _, c in _problems(kb)) == ["missing-field", "unit-mismatch", "unit-mismatch"]


def test_the_message_says_what_to_write() -> None:
    from limkb.schema.materials import MaterialProperty

    with pytest.raises(ValueError, match="needs a `note` saying how it was measured"):
        MaterialProperty.model_validate(
            {"property": "oxidation-limit", "value": 4.2, "unit": "V", "source": SOURCE[0]}
        )
    with pytest.raises(ValueError, match="'eV' is not a unit of oxidation limit"):
        MaterialProperty.model_validate(
            {"property": "oxidation-limit", "value": 4.2, "unit": "eV", "source": SOURCE[0], "note": LSV}
        )


def test_kcal_per_mol_converts_to_kj_per_mol() -> None:
    assert convert(20.0, "kcal/mol", "kJ/mol") == pytest.approx(83.68)


def test_measured_limits_and_computed_orbitals_are_distinct_kinds() -> None:
    assert PROPERTY_UNITS["oxidation-limit"][0] == "potential"
    assert PROPERTY_UNITS["homo-energy"][0] == "energy"
    assert property_label("oxidation-limit") == "oxidation limit (vs Li/Li⁺)"
    assert property_label("homo-energy") == "HOMO energy (computed)"
    assert property_label("boiling-point") == "boiling point"


def test_material_page_shows_new_properties_with_units_reference_and_source(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        {"property": "boiling-point", "value": 85, "unit": "°C"},
        {"property": "oxidation-limit", "value": 4.2, "unit": "V", "note": LSV},
        {"property": "donor-number", "value": 20, "unit": "kcal/mol", "note": "Gutmann, calorimetric"},
        {"property": "homo-energy", "value": -7.1, "unit": "eV", "note": "DFT"},
    )
    page = render(load(kb, cache=False), options=RenderOptions(date="2024-01-02"))["entries/materials/dme.md"]
    assert isinstance(page, str)
    assert '<td>oxidation limit (vs Li/Li⁺)</td><td class="limkb-number">4.2 V</td>' in page
    assert '<td>donor number</td><td class="limkb-number">20 kcal/mol</td>' in page
    assert '<td>HOMO energy (computed)</td><td class="limkb-number">-7.1 eV</td>' in page
    assert LSV in page and "Table 1" in page  # the conditions and the source's locator
    order = [
        page.index(t)
        for t in (
            "<td>density</td>",
            "<td>donor number",
            "<td>oxidation limit",
            "<td>HOMO",
            "<td>boiling point",
        )
    ]
    assert order == sorted(order), "rows follow the order of PROPERTY_UNITS"


# --- the real kb/ and its documentation -----------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
TABLE_REFS = {
    "haynes2014crc",
    "green2008perry",
    "vdigvc2010vdi",
    "viswanath1989databook",
    "bradley2014jeanclaude",
    "yaws2014thermophysical",
    "iec2010explosive",
    "serat2017nonlinear",
}


def test_contributing_names_every_property_kind() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text[text.index("### Add a material") :]
    missing = [name for name in PROPERTY_UNITS if f"`{name}`" not in section]
    assert not missing, f"document these property kinds in CONTRIBUTING's material section: {missing}"


def test_every_table_value_in_kb_names_the_library_table_and_correlations_say_so() -> None:
    from limkb.schema.kinds import Material

    kb = load(REPO / "kb", cache=False)
    bad = []
    for entry in kb.entries(kind="material"):
        assert isinstance(entry, Material)
        for item in entry.properties:
            locator = item.source.locator or ""
            if item.source.ref in TABLE_REFS and "chemicals 1.5.2" not in locator:
                bad.append(
                    f"{entry.id}: {item.property} cites {item.source.ref} without naming the chemicals table"
                )
            computed = "mu_data_Dutt_Prasad" in locator or "mu_data_VN3" in locator
            if computed and (item.note is None or "correlation" not in item.note):
                bad.append(f"{entry.id}: {item.property} is computed from a correlation; say so in `note`")
    assert not bad, "\n".join(bad)


def test_property_value_converts_units_and_prefers_room_temperature() -> None:
    from limkb.schema.materials import MaterialProperty, property_value
    from limkb.schema.units import UnitError

    def item(**fields: Any) -> MaterialProperty:
        return MaterialProperty.model_validate({"source": SOURCE[0], **fields})

    items = [
        item(property="dielectric-constant", value=6.0, unit="1", temperature="60 °C"),
        item(property="dielectric-constant", value=7.2, unit="1", temperature="298 K"),
        item(property="donor-number", value=83.68, unit="kJ/mol", note="Gutmann"),
    ]
    assert property_value(items, "dielectric-constant", "1") == pytest.approx(7.2)
    assert property_value(items, "donor-number", "kcal/mol") == pytest.approx(20.0)
    assert property_value(items, "viscosity", "mPa s") is None
    with pytest.raises(UnitError):
        property_value(items, "donor-number", "V")
