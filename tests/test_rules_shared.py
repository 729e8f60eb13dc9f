"""The cross-entry rules gather what several of them read of the materials once per run, and
the result is the same as gathering it for each: a formulation naming a material whose entry
is incomplete still finds it, and an unknown name is still reported where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_kb
from limkb.analysis import inputs as inputs_module
from limkb.check import rules
from limkb.check.validate import validate_kb


def _project(tmp_path: Path, electrolyte: str, *, dme: dict[str, Any] | None = None) -> Path:
    """A dataset written with ``electrolyte``, materials LiFSI and DME (``dme`` replaces DME's
    fields), and an analysis of the dataset's two columns."""
    records = [{"label": f"R{i}", "ce": 98.0 + i / 10, "t": 10.0 + i} for i in range(5)]
    return write_kb(
        tmp_path,
        {
            "properties/coulombic-efficiency": minimal(
                "property", "Coulombic efficiency", unit="%", maximum=100
            ),
            "properties/sei-thickness": minimal("property", "SEI thickness", unit="nm"),
            "materials/lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
            "materials/dme": dme or minimal("material", "DME", formula="C4H10O2", roles=["solvent"]),
            "datasets/ce-t": minimal(
                "dataset",
                "CE and thickness",
                electrolyte=electrolyte,
                columns=[
                    {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                    {"name": "t", "property": "sei-thickness", "unit": "nm"},
                ],
                records=[{**r, "source": SOURCE[0]} for r in records],
            ),
            "analyses/ce-vs-t": minimal("analysis", "CE against thickness", x="t", y="ce"),
        },
    )


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many material indexes the rules build (both ways they build one), in a list."""
    built: list[int] = []
    real = inputs_module.material_index

    def counted(materials: Any) -> Any:
        built.append(len(materials))
        return real(materials)

    monkeypatch.setattr(inputs_module, "material_index", counted)
    monkeypatch.setattr(rules, "material_index", counted)
    return built


def test_a_valid_kb_indexes_its_materials_once_for_the_formulations_and_the_analyses(
    tmp_path: Path, indexed: list[int]
) -> None:
    kb = _project(tmp_path, "1 M LiFSI in DME")
    assert validate_kb(kb).report.problems == []
    assert indexed == [2]


def test_an_unknown_name_is_still_found_at_its_place(tmp_path: Path, indexed: list[int]) -> None:
    kb = _project(tmp_path, "1 M LiFSI in DMX")
    [problem] = validate_kb(kb).report.errors
    assert (
        problem.code == "bad-formulation" and "'DMX' is not a material; did you mean 'DME'" in problem.message
    )
    line = (kb / "datasets" / "ce-t.yaml").read_text().splitlines()[problem.line - 1]
    assert line[problem.col - 1 :].startswith("DMX"), line
    assert indexed == [2]


def test_a_material_with_a_schema_error_still_names_its_formulations(
    tmp_path: Path, indexed: list[int]
) -> None:
    """An incomplete material is left out of the analyses' inputs but a formulation naming it
    is not an unknown name: its problem is the material's own, reported once, at the material."""
    broken = minimal("material", "DME", formula="C4H10O2", roles=["solvent"], density="heavy")
    kb = _project(tmp_path, "1 M LiFSI in DME", dme=broken)
    problems = validate_kb(kb).report.errors
    assert [Path(p.path).name for p in problems] == ["dme.yaml"], [p.message for p in problems]
    assert problems[0].code != "bad-formulation"
    assert sorted(indexed) == [1, 2]  # the analyses' index without DME, the formulations' with it
