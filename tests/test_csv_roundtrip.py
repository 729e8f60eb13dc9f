"""The published CSV of a dataset holds everything its records hold, and imports back into them.

For every dataset of the real ``kb/``: the CSV that ``limkb export`` writes, imported with
``--replace`` into a copy of the KB, leaves every record as it was (every field), and imported
into a copy whose dataset has no records, gives the same records back. The data package
describes the same columns.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

import limkb
from kbfactory import REF, minimal, write_kb
from limkb.check.reader import load_file
from limkb.check.writer import render
from limkb.commands.import_table import import_table
from limkb.outputs.datapackage import datapackage
from limkb.outputs.formats import RECORD_COLUMNS, dataset_csv

KB = Path(__file__).resolve().parents[1] / "kb"
DATASETS = sorted(p.stem for p in (KB / "datasets").glob("*.yaml"))


def _records(kb: Path, dataset_id: str) -> list[dict[str, object]]:
    document, problems = load_file(kb / "datasets" / f"{dataset_id}.yaml")
    assert document is not None, problems
    records = document.data.get("records", [])
    assert isinstance(records, list)
    return records


def _exported(kb: Path, dataset_id: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{dataset_id}.csv"
    path.write_text(dataset_csv(limkb.load(kb, cache=False), dataset_id), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("real") / "kb"
    shutil.copytree(KB, copy)
    return copy


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_replace_with_the_published_csv_changes_no_record(dataset_id: str, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(KB, kb)
    before = _records(kb, dataset_id)
    result = import_table(_exported(kb, dataset_id, tmp_path), dataset_id, kb, replace=True)
    assert result.written, result.report.format("text")
    assert result.replaced == len(before)
    assert _records(kb, dataset_id) == before


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_the_published_csv_fills_an_emptied_copy_with_the_same_records(
    dataset_id: str, tmp_path: Path
) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(KB, kb)
    before = _records(kb, dataset_id)
    exported = _exported(kb, dataset_id, tmp_path)
    path = kb / "datasets" / f"{dataset_id}.yaml"
    document, _ = load_file(path)
    assert document is not None
    path.write_text(render(dict(document.data, records=[]), "dataset"), encoding="utf-8")
    result = import_table(exported, dataset_id, kb)
    assert result.written, result.report.format("text")
    assert _records(kb, dataset_id) == before


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_the_csv_carries_source_doi_conditions_and_electrolyte(dataset_id: str, real: Path) -> None:
    kb = limkb.load(real, cache=False)
    rows = list(csv.DictReader(io.StringIO(dataset_csv(kb, dataset_id))))
    assert set(RECORD_COLUMNS) <= set(rows[0])
    entry = kb[dataset_id]
    for row, record in zip(rows, entry.records, strict=True):
        ref = record.source.ref if record.source else entry.sources[0].ref
        assert row["ref"] == ref and row["doi"] == (kb[ref].doi or "")
        if (
            entry.conditions is not None
            and entry.conditions.cell
            and not (record.conditions and record.conditions.cell)
        ):
            assert row["cell"] == entry.conditions.cell  # the dataset's condition is in force


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_the_data_package_describes_the_same_columns(dataset_id: str, real: Path) -> None:
    kb = limkb.load(real, cache=False)
    text = dataset_csv(kb, dataset_id)
    package = datapackage(kb, {d: dataset_csv(kb, d) for d in DATASETS})
    [resource] = [r for r in package["resources"] if r["name"] == dataset_id]
    header = next(csv.reader(io.StringIO(text)))
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert all(f.get("description") for f in resource["schema"]["fields"][-len(RECORD_COLUMNS) - 2 :])


def test_every_field_of_a_record_survives_the_round_trip(tmp_path: Path) -> None:
    """Fields the real datasets do not use yet: a list electrolyte, the dataset's electrolyte,
    a conditions note, strategies, a record whose condition overrides the dataset's."""
    materials = {
        f"materials/{mid}": minimal("material", name, formula=formula, roles=roles)
        for mid, name, formula, roles in [
            ("lifsi", "LiFSI", "LiN(SO2F)2", ["salt"]),
            ("dme", "DME", "C4H10O2", ["solvent"]),
        ]
    }
    records = [
        {
            "label": "listed",
            "ce": 99.1,
            "electrolyte": [
                {"material": "lifsi", "role": "salt", "amount": 4.0, "unit": "M"},
                {"material": "dme", "role": "solvent"},
            ],
            "strategies": ["fec-additive", "other"],
            "conditions": {"current_density": "1 mA cm-2", "note": "after 10 formation cycles"},
        },
        {"label": "default", "ce": 98.0, "source": {"ref": "jones2021another", "locator": "Fig. 2"}},
        {"label": "own", "ce": 97.5, "electrolyte": "1 M LiFSI in DME", "note": "=1+1 is text"},
    ]
    dataset = minimal(
        "dataset",
        "D",
        columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}],
        electrolyte="4 M LiFSI in DME",
        conditions={"cell": "Li||Cu", "current_density": "0.5 mA cm-2"},
        records=records,
    )
    kb = write_kb(
        tmp_path,
        {
            **materials,
            "properties/coulombic-efficiency": minimal("property", unit="%", maximum=100),
            "references/jones2021another": {"title": "Another", "authors": ["Jones, B."], "year": 2021},
            "strategies/fec-additive": minimal("strategy", "FEC"),
            "strategies/other": minimal("strategy", "Other"),
            "datasets/d": dataset,
        },
    )
    before = _records(kb, "d")
    exported = _exported(kb, "d", tmp_path)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert rows[0]["strategies"] == "fec-additive; other" and rows[0]["conditions_note"]
    assert rows[0]["current_density"] == "1 mA cm-2" and rows[1]["current_density"] == "0.5 mA cm-2"
    assert (
        rows[1]["electrolyte"] == "4 M LiFSI in DME"
        and "lifsi (salt, 4 M)" in rows[1]["electrolyte_components"]
    )
    assert rows[0]["electrolyte"].startswith("[") and rows[2]["note"] == "'=1+1 is text"
    assert (
        rows[1]["ref"] == "jones2021another"
        and rows[0]["ref"] == REF
        and rows[0]["doi"] == "10.1000/test.2020"
    )
    result = import_table(exported, "d", kb, replace=True)
    assert result.written, result.report.format("text")
    assert _records(kb, "d") == before
