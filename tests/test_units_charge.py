"""Charge (mAh), current (mA) and the electrolyte a lean cell holds per capacity (g Ah-1,
µL mAh-1): the figures full-cell and symmetric-cell papers print beside the areal ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import finding_kb
from limkb.check.validate import validate_kb
from limkb.schema.fields import unit_bounds
from limkb.schema.units import UnitError, convert, parse_unit


@pytest.mark.parametrize(
    ("spelling", "symbol", "dimension"),
    [
        ("mAh", "mAh", "charge"),
        ("mA h", "mAh", "charge"),
        ("Ah", "Ah", "charge"),
        ("A h", "Ah", "charge"),
        ("µAh", "µAh", "charge"),
        ("uAh", "µAh", "charge"),
        ("mA", "mA", "current"),
        ("A", "A", "current"),
        ("uA", "µA", "current"),
        ("g Ah-1", "g/Ah", "electrolyte-per-capacity"),
        ("g Ah^-1", "g/Ah", "electrolyte-per-capacity"),
        ("µL mAh-1", "µL/mAh", "electrolyte-volume-per-capacity"),
        ("uL/mAh", "µL/mAh", "electrolyte-volume-per-capacity"),
        ("mL Ah-1", "mL/Ah", "electrolyte-volume-per-capacity"),
    ],
)
def test_every_spelling_is_one_unit(spelling: str, symbol: str, dimension: str) -> None:
    unit = parse_unit(spelling)
    assert (unit.symbol, unit.dimension) == (symbol, dimension)


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (1.0, "Ah", "mAh", 1000.0),
        (500.0, "µAh", "mAh", 0.5),
        (2.0, "A", "mA", 2000.0),
        (250.0, "µA", "mA", 0.25),
        (3.0, "µL mAh-1", "mL Ah-1", 3.0),
        (2.3, "g Ah-1", "g/Ah", 2.3),
    ],
)
def test_units_of_one_dimension_convert(value: float, unit: str, target: str, expected: float) -> None:
    assert convert(value, unit, target) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("unit", "neighbour"),
    [
        ("mAh", "mAh cm-2"),
        ("mAh", "mAh g-1"),
        ("mA", "mA cm-2"),
        ("mA", "mAh"),
        ("g Ah-1", "µL mAh-1"),
        ("g Ah-1", "mg cm-2"),
    ],
)
def test_a_quantity_never_converts_into_its_neighbour(unit: str, neighbour: str) -> None:
    with pytest.raises(UnitError, match="cannot convert"):
        convert(1.0, unit, neighbour)
    with pytest.raises(UnitError, match="cannot convert"):
        convert(1.0, neighbour, unit)


def test_charges_and_electrolyte_amounts_cannot_be_negative_but_a_current_can() -> None:
    assert unit_bounds("mAh") == (0.0, None)
    assert unit_bounds("g Ah-1") == (0.0, None)
    assert unit_bounds("µL mAh-1") == (0.0, None)
    assert unit_bounds("mA") == (None, None)


def _kb(tmp_path: Path, value: float) -> Path:
    statement = "The pouch cell held 2.3 g of electrolyte per ampere-hour of capacity."
    return finding_kb(tmp_path, "electrolyte per capacity of the lean pouch cell", value, "g Ah-1", statement)


def test_a_lean_cells_electrolyte_amount_validates(tmp_path: Path) -> None:
    report = validate_kb(_kb(tmp_path, 2.3)).report
    assert report.ok(strict=True), [p.message for p in report.errors + report.warnings]


def test_a_negative_electrolyte_amount_is_refused_at_its_place(tmp_path: Path) -> None:
    [problem] = validate_kb(_kb(tmp_path, -2.3)).report.errors
    assert problem.path.endswith("hce.yaml") and problem.line > 1
    assert problem.code == "out-of-range"
    assert "-2.3 g Ah-1 is impossible" in problem.message
