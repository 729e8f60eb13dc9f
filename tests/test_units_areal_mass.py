"""Areal mass loading (mg cm-2): how much cathode, host or lithium lies on each square
centimetre, the figure pouch-cell and full-cell papers give beside the areal capacity."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import finding_kb
from limkb.check.validate import validate_kb
from limkb.schema.fields import unit_bounds
from limkb.schema.units import UnitError, convert, parse_unit


@pytest.mark.parametrize("spelling", ["mg/cm2", "mg cm-2", "mg cm^-2"])
def test_every_spelling_of_areal_mass_is_one_unit(spelling: str) -> None:
    unit = parse_unit(spelling)
    assert (unit.symbol, unit.dimension) == ("mg/cm2", "areal-mass")
    assert convert(10.0, spelling, "mg cm-2") == 10.0


def test_grams_per_square_metre_convert_to_milligrams_per_square_centimetre() -> None:
    assert convert(100.0, "g m-2", "mg cm-2") == pytest.approx(10.0)
    assert convert(10.0, "mg/cm2", "g/m2") == pytest.approx(100.0)


@pytest.mark.parametrize("target", ["mAh cm-2", "g/cm3", "mA cm-2", "µm"])
def test_areal_mass_never_converts_into_a_neighbour(target: str) -> None:
    with pytest.raises(UnitError, match="cannot convert"):
        convert(10.0, "mg cm-2", target)


def _kb(tmp_path: Path, value: float, unit: str = "mg cm-2") -> Path:
    """A KB whose one strategy holds a cathode's areal mass loading."""
    statement = "The cathode carried 10 mg of active material per square centimetre."
    return finding_kb(tmp_path, "cathode areal mass loading of the full cell", value, unit, statement)


def test_a_finding_in_mg_per_cm2_validates(tmp_path: Path) -> None:
    report = validate_kb(_kb(tmp_path, 10)).report
    assert report.ok(strict=True), [p.message for p in report.errors + report.warnings]


def test_a_negative_areal_mass_is_refused_at_its_place(tmp_path: Path) -> None:
    assert unit_bounds("mg cm-2") == (0.0, None)
    [problem] = validate_kb(_kb(tmp_path, -10)).report.errors
    assert problem.path.endswith("hce.yaml") and problem.line > 1
    assert problem.code == "out-of-range"
    assert "-10 mg cm-2 is impossible" in problem.message and "cannot be below 0 mg cm-2" in problem.message
