"""datapackage.json: the dataset CSVs as a Frictionless data package that frictionless validates."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import frictionless
import pytest

from kbfactory import REF, REFERENCE, minimal, write_kb
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.outputs.formats import export_all

OTHER = {
    **REFERENCE,
    "title": "Another test",
    "authors": ["Doe, J."],
    "doi": "10.1000/other.2021",
    "year": 2021,
}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    root = write_kb(
        tmp_path,
        {
            "references/doe2021other": OTHER,
            "properties/coulombic-efficiency": minimal("property", "Coulombic efficiency", unit="%"),
            "properties/sei-thickness": minimal(
                "property", "SEI thickness", unit="nm", scope="sei", desired="lower"
            ),
            "properties/cycle-life": minimal("property", "Cycle life", unit="1", scope="cell"),
            "datasets/ce-table": minimal(
                "dataset",
                "CE and thickness",
                summary="Coulombic efficiencies and SEI thicknesses of two electrolytes.",
                columns=[
                    {
                        "name": "ce",
                        "property": "coulombic-efficiency",
                        "unit": "%",
                        "description": "Average CE.",
                    },
                    {"name": "d", "property": "sei-thickness", "unit": "nm"},
                    {"name": "n", "property": "cycle-life", "unit": "1", "type": "integer"},
                    {"name": "salt", "type": "text"},
                ],
                records=[
                    {"label": "LiFSI, DME", "ce": 99.2, "d": 1.5e-2, "n": 300, "salt": "=LiFSI"},
                    {
                        "label": "B",
                        "ce": 97,
                        "conditions": {"current_density": "0.5 mA cm-2", "cycles": 50},
                        "note": "from the other paper",
                        "source": {"ref": "doe2021other", "locator": "Fig. 2"},
                    },
                ],
            ),
            "datasets/empty": minimal("dataset", "No rows yet"),
        },
    )
    return load(root, cache=False)


def _package(out: Path) -> dict[str, Any]:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _errors(report: frictionless.Report) -> list[str]:
    return [str(e) for e in report.flatten(["type", "note"])]


def test_the_package_is_valid(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, _errors(report)
    assert len(report.tasks) == 3  # both dataset CSVs were read, the empty one too, and findings.csv


def test_the_package_describes_every_csv_as_written(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path)
    package = _package(tmp_path)
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert [r["path"] for r in package["resources"]] == [
        *sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "datasets").glob("*.csv")),
        "findings.csv",
    ]
    resource = next(r for r in package["resources"] if r["name"] == "ce-table")
    assert resource["title"] == "CE and thickness"
    assert resource["description"].startswith("Coulombic efficiencies")
    with (tmp_path / resource["path"]).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == header
    by_name = {f["name"]: f for f in fields}
    assert by_name["ce [%]"]["type"] == "number" and by_name["ce [%]"]["unit"] == "%"
    assert by_name["ce [%]"]["description"] == "Average CE. Property: Coulombic efficiency. Unit: %."
    assert by_name["ce [%]"]["rdfType"] == "https://w3id.org/limkb/entry/coulombic-efficiency"
    assert by_name["d [nm]"]["unit"] == "nm" and "Unit: nm." in by_name["d [nm]"]["description"]
    assert by_name["n [1]"]["type"] == "integer"
    assert by_name["salt"]["type"] == "string" and "unit" not in by_name["salt"]
    assert by_name["cycles"]["type"] == "integer"
    assert by_name["current_density"]["type"] == "string"
    assert {f["name"] for f in fields} >= {"label", "note", "ref", "locator"}
    assert resource["sources"] == [
        {
            "title": "Smith (2020): Test of a tiny knowledge base",
            "path": "https://doi.org/10.1000/test.2020",
        },
        {"title": "Doe (2021): Another test", "path": "https://doi.org/10.1000/other.2021"},
    ]
    assert resource["bytes"] == (tmp_path / resource["path"]).stat().st_size
    assert {s["path"] for s in package["sources"]} == {s["path"] for s in resource["sources"]}


def test_a_wrong_cell_makes_the_package_invalid(kb: KnowledgeBase, tmp_path: Path) -> None:
    """The check can fail: a number that is not one, or a changed file, is caught."""
    export_all(kb, tmp_path)
    table = tmp_path / "datasets" / "ce-table.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("99.2", "high"), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    kinds = {e[0] for e in report.flatten(["type"])}
    assert "type-error" in kinds, kinds
    assert "hash-count" in kinds or "byte-count" in kinds, kinds


def test_a_renamed_column_makes_the_package_invalid(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path)
    package = _package(tmp_path)
    resource = next(r for r in package["resources"] if r["name"] == "ce-table")
    resource["schema"]["fields"][1]["name"] = "ce"
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "incorrect-label" in {e[0] for e in report.flatten(["type"])}


def test_the_package_of_the_real_kb_is_valid(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(real_kb, tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, _errors(report)
    package = _package(tmp_path)
    datasets = sorted(e.id for e in real_kb.entries("dataset"))
    assert [r["name"] for r in package["resources"]] == [*datasets, "findings"]
    for resource in package["resources"][:-1]:
        entry = real_kb[resource["name"]]
        assert resource["title"] == entry.label
        assert resource["sources"], f"{resource['name']}: no sources"
        units = {f["unit"] for f in resource["schema"]["fields"] if "unit" in f}
        assert units, f"{resource['name']}: no field has a unit"


def test_the_package_is_deterministic(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path / "a")
    export_all(kb, tmp_path / "b")
    first = (tmp_path / "a" / "datapackage.json").read_text(encoding="utf-8")
    assert first == (tmp_path / "b" / "datapackage.json").read_text(encoding="utf-8")
    assert json.dumps(json.loads(first), ensure_ascii=False, indent=2, sort_keys=True) + "\n" == first
    assert "created" not in json.loads(first)  # no date: the same KB gives the same bytes


def test_the_default_reference_is_the_datasets_source(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path)
    empty = next(r for r in _package(tmp_path)["resources"] if r["name"] == "empty")
    assert [s["title"].split(":")[0] for s in empty["sources"]] == ["Smith (2020)"]
    assert REF in (tmp_path / "datasets" / "ce-table.csv").read_text(encoding="utf-8")
