"""Energy-density units: a cell's energy per mass (Wh kg-1) and per volume (Wh L-1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, REFERENCE, finding_kb, minimal, write_kb
from limkb.check.validate import validate_kb
from limkb.schema.units import UnitError, convert, parse_unit


@pytest.mark.parametrize("spelling", ["Wh/kg", "Wh kg-1", "W h kg-1", "Wh kg^-1"])
def test_every_spelling_of_energy_per_mass_is_one_unit(spelling: str) -> None:
    unit = parse_unit(spelling)
    assert (unit.symbol, unit.dimension) == ("Wh/kg", "specific-energy")
    assert convert(679.0, spelling, "Wh kg-1") == 679.0


@pytest.mark.parametrize("spelling", ["Wh/L", "Wh L-1", "W h L-1", "Wh L^-1", "Wh/l"])
def test_every_spelling_of_energy_per_volume_is_one_unit(spelling: str) -> None:
    unit = parse_unit(spelling)
    assert (unit.symbol, unit.dimension) == ("Wh/L", "energy-density")
    assert convert(1024.0, spelling, "Wh L-1") == 1024.0


@pytest.mark.parametrize(
    ("source", "target"),
    [("Wh kg-1", "Wh L-1"), ("Wh L-1", "Wh kg-1"), ("Wh kg-1", "mAh g-1"), ("Wh L-1", "g/cm3")],
)
def test_energy_per_mass_and_per_volume_never_convert(source: str, target: str) -> None:
    with pytest.raises(UnitError, match="cannot convert"):
        convert(500.0, source, target)


def test_a_misspelt_energy_unit_names_the_known_ones() -> None:
    with pytest.raises(UnitError, match="did you mean 'Wh kg-1'"):
        parse_unit("Wh kg-2")


def _kb(tmp_path: Path, unit: str) -> Path:
    """A KB whose one strategy holds a full cell's energy per mass in ``unit``."""
    return finding_kb(
        tmp_path, "cell-level energy per mass", 679, unit, "The full cell stored 679 Wh per kg of cell."
    )


def test_a_finding_in_wh_per_kg_validates(tmp_path: Path) -> None:
    report = validate_kb(_kb(tmp_path, "Wh kg-1")).report
    assert report.ok(strict=True), [p.message for p in report.errors + report.warnings]


def test_a_finding_in_an_unknown_energy_unit_is_located(tmp_path: Path) -> None:
    [problem] = validate_kb(_kb(tmp_path, "Wh per kg")).report.errors
    assert problem.path.endswith("hce.yaml") and problem.line > 1
    assert "'Wh per kg'" in problem.message


def test_a_negative_energy_density_is_refused(tmp_path: Path) -> None:
    from limkb.schema.fields import unit_bounds

    assert unit_bounds("Wh kg-1") == (0.0, None)
    assert unit_bounds("Wh L-1") == (0.0, None)
    kb = _kb(tmp_path, "Wh kg-1")
    strategy = kb / "strategies" / "hce.yaml"
    strategy.write_text(strategy.read_text().replace("value: 679", "value: -679"))
    [problem] = validate_kb(kb).report.errors
    assert problem.code == "out-of-range"
    assert "-679 Wh kg-1 is impossible" in problem.message and "cannot be below 0" in problem.message


def _finding_kb(tmp_path: Path, **finding: Any) -> Path:
    """A KB whose strategy holds one finding (given fields over a CE finding's)."""
    base: dict[str, Any] = {
        "unit": "%",
        "electrolyte_note": "not stated in the source read",
        "source": {"ref": REF, "locator": "Abstract"},
        "statement": "A number from the paper.",
    }
    reference = {**REFERENCE, "read": {"status": "abstract", "url": "https://example.org/paper"}}
    properties = {
        "properties/coulombic-efficiency": minimal(
            "property", "Coulombic efficiency", unit="%", minimum=0, maximum=100
        )
    }
    return write_kb(
        tmp_path,
        {
            f"references/{REF}": reference,
            **properties,
            "strategies/hce": minimal("strategy", "HCE", findings=[{**base, **finding}]),
        },
    )


@pytest.mark.parametrize(
    ("finding", "refused"),
    [
        ({"quantity": "coulombic-efficiency", "value": 99.5}, None),
        ({"quantity": "coulombic-efficiency", "value": 100}, None),
        ({"quantity": "coulombic-efficiency", "value": 150}, "value"),
        ({"quantity": "coulombic-efficiency", "value": 98, "high": 101}, "high"),
        ({"quantity": "coulombic-efficiency", "value": -1}, "value"),
        ({"what": "volume expansion on lithiation", "value": 380}, None),
        ({"what": "capacity change", "value": -12}, None),
    ],
)
def test_a_finding_of_a_property_lies_in_its_possible_range(
    tmp_path: Path, finding: dict[str, Any], refused: str | None
) -> None:
    errors = validate_kb(_finding_kb(tmp_path, **finding)).report.errors
    if refused is None:
        assert errors == [], [p.message for p in errors]
        return
    [problem] = errors
    assert problem.code == "out-of-range" and problem.path.endswith("hce.yaml")
    value = finding[refused]
    assert f"finding 1: {value:g} % is impossible for 'coulombic-efficiency'" in problem.message
    assert "cannot be below 0 %" in problem.message and "cannot be above 100 %" in problem.message
