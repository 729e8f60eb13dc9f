"""Findings as flat records, field by field: each test names the behaviour of
``limkb.analysis.findings`` it protects (what a mutation of that module would break)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from kbfactory import REF, REFERENCE, ce_finding, minimal
from limkb.analysis import findings as module
from limkb.analysis.findings import (
    FindingRecord,
    finding_key,
    finding_records,
    iter_findings,
    with_findings,
)
from limkb.analysis.formulations import MaterialIndex
from limkb.schema.fields import Finding
from limkb.schema.kinds import Entry, Reference, Strategy

INDEX = MaterialIndex.of([("lifsi", ["LiFSI"], ["salt"]), ("dme", ["DME"], ["solvent"])])


finding = ce_finding


def strategy(entry_id: str, *held: dict[str, Any], **other: Any) -> Strategy:
    """A strategy entry ``entry_id`` holding the findings ``held``."""
    data = {**minimal("strategy", entry_id.title(), findings=list(held), **other), "id": entry_id}
    return Strategy.model_validate(data)


def reference(read: dict[str, Any] | None = None) -> Reference:
    """The reference :data:`REF`, read as ``read`` (unrecorded when None)."""
    data = {**REFERENCE, "id": REF, **({"read": read} if read else {})}
    return Reference.model_validate(data)


def records(*entries: Entry) -> list[FindingRecord]:
    """The finding records of ``entries``."""
    return list(finding_records({e.id: e for e in entries}, INDEX))


def test_a_finding_becomes_one_record_with_every_field_of_its_own() -> None:
    held = finding(
        id="ce-4m",
        what="CE",
        value=98.5,
        high=99.5,
        bound="~",
        uncertainty=0.2,
        electrolyte="4 M LiFSI in DME",
        electrolyte_note="as stated",
        conditions={
            "cell": "Li-metal full cell",
            "cathode": "NMC811",
            "protocol": "first cycle",
            "current_density": "500 µA cm-2",
            "areal_capacity": "1 mAh cm-2",
            "cycles": 100,
            "temperature": "30 °C",
            "note": "flooded",
        },
        informs=["other"],
    )
    (record,) = records(strategy("hce", held), reference({"status": "full", "url": "https://x.org/p"}))
    expected = {
        "entry": "hce",
        "position": 0,
        "id": "ce-4m",
        "quantity": "coulombic-efficiency",
        "what": "CE",
        "value": 98.5,
        "high": 99.5,
        "bound": "~",
        "unit": "%",
        "uncertainty": 0.2,
        "electrolyte": "4 M LiFSI in DME",
        "electrolyte_note": "as stated",
        "cell": "Li-metal full cell",
        "cathode": "NMC811",
        "protocol": "first cycle",
        "current_density": pytest.approx(0.5),
        "areal_capacity": pytest.approx(1.0),
        "cycles": 100,
        "temperature": pytest.approx(30.0),
        "conditions_note": "flooded",
        "ref": REF,
        "locator": "Table 1",
        "read_status": "full",
        "read_url": "https://x.org/p",
        "statement": "The cells averaged 99 % CE.",
        "informs": ["other"],
    }
    data = record.to_dict()
    components = data.pop("components")
    assert data == expected
    assert [(c["material"], c["role"], c["unit"]) for c in components] == [
        ("lifsi", "salt", "M"),
        ("dme", "solvent", "vol ratio"),
    ]
    assert components[0]["amount"] == 4.0


def test_a_finding_without_conditions_or_electrolyte_has_empty_columns() -> None:
    (record,) = records(strategy("hce", finding()), reference())
    assert (record.cell, record.cathode, record.protocol, record.cycles, record.conditions_note) == (
        None,
    ) * 5
    assert (record.current_density, record.areal_capacity, record.temperature) == (None, None, None)
    assert (record.electrolyte, record.components) == (None, ())
    assert (record.read_status, record.read_url) == (None, None)
    assert (record.id, record.high, record.uncertainty, record.informs) == (None, None, None, ())


def test_a_source_that_is_not_a_reference_entry_has_no_read_status() -> None:
    other = strategy(REF)  # an entry of the cited id, but not a reference
    (record,) = records(strategy("hce", finding()), other)
    assert (record.read_status, record.read_url) == (None, None)


def test_a_listed_electrolyte_is_written_as_sorted_json_and_resolved() -> None:
    listed = [
        {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "M"},
        {"material": "dme", "role": "solvent"},
    ]
    (record,) = records(strategy("hce", finding(electrolyte=listed)), reference())
    assert record.electrolyte is not None
    assert json.loads(record.electrolyte) == listed
    assert record.electrolyte.index('"amount"') < record.electrolyte.index('"material"')  # keys sorted
    assert '"unit"' not in record.electrolyte.split("}")[1]  # unset fields left out
    assert [c.material for c in record.components] == ["lifsi", "dme"]


def test_an_electrolyte_is_resolved_once_however_many_findings_share_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []
    real = module.measured_components

    def counted(written: Any, index: MaterialIndex) -> Any:
        calls.append(written)
        return real(written, index)

    monkeypatch.setattr(module, "measured_components", counted)
    shared = finding(electrolyte="1 M LiFSI in DME")
    found = records(strategy("a", shared, shared), strategy("b", shared), reference())
    assert calls == ["1 M LiFSI in DME"]
    assert all(r.components == found[0].components and r.components for r in found)


def test_an_unresolved_electrolyte_keeps_its_text_and_has_no_components() -> None:
    (record,) = records(strategy("hce", finding(electrolyte="1 M LiTFSI in DOL")), reference())
    assert (record.electrolyte, record.components) == ("1 M LiTFSI in DOL", ())


def test_records_come_by_entry_id_then_position() -> None:
    found = records(
        strategy("zeta", finding(value=1.0), finding(value=2.0)),
        strategy("alpha", finding(value=3.0)),
        reference(),
    )
    assert [(r.entry, r.position, r.value) for r in found] == [
        ("alpha", 0, 3.0),
        ("zeta", 0, 1.0),
        ("zeta", 1, 2.0),
    ]


def test_iter_findings_skips_entries_without_findings() -> None:
    entries = {"hce": strategy("hce", finding()), REF: reference(), "none": strategy("none")}
    assert [(e, p) for e, p, _ in iter_findings(entries)] == [("hce", 0)]


def test_with_findings_names_the_holder_and_every_entry_informed() -> None:
    entries = {"hce": strategy("hce", finding(informs=["salts", "dme"])), "salts": strategy("salts")}
    assert with_findings(entries) == {"hce", "salts", "dme"}


def test_with_findings_is_empty_without_findings() -> None:
    assert with_findings({"salts": strategy("salts")}) == set()


def _key(**fields: Any) -> str:
    return finding_key(Finding.model_validate(finding(**fields)))


BASE = {"value": 99.0, "conditions": {"cell": "Li||Cu", "note": "a"}}


@pytest.mark.parametrize(
    "change",
    [
        {"source": {"ref": "other2020"}},
        {"quantity": "cycle-life"},
        {"value": 98.0},
        {"high": 99.5},
        {"bound": ">"},
        {"unit": "mV"},
        {"conditions": {"cell": "Li||Li", "note": "a"}},
    ],
    ids=["ref", "quantity", "value", "high", "bound", "unit", "conditions"],
)
def test_finding_key_tells_apart_findings_that_differ_in(change: dict[str, Any]) -> None:
    assert _key(**BASE) != _key(**{**BASE, **change})


@pytest.mark.parametrize(
    "change",
    [
        {"source": {"ref": REF, "locator": "Fig. 2"}},
        {"statement": "Said otherwise."},
        {"what": "CE of Li||Cu"},
        {"conditions": {"cell": "Li||Cu", "note": "b"}},
        {"id": "named"},
    ],
    ids=["locator", "statement", "what", "conditions-note", "id"],
)
def test_finding_key_is_the_same_for_findings_that_differ_only_in(change: dict[str, Any]) -> None:
    assert _key(**BASE) == _key(**{**BASE, **change})


def test_finding_key_holds_only_the_conditions_stated() -> None:
    key = json.loads(_key(conditions={"cell": "Li||Cu", "cycles": 10}))
    assert key[-1] == {"cell": "Li||Cu", "cycles": 10}


def test_finding_key_without_conditions_is_the_one_with_empty_conditions() -> None:
    key = json.loads(_key())
    assert key == [REF, "coulombic-efficiency", 99.0, None, "=", "%", {}]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (None, None),
        (SimpleNamespace(), None),
        (SimpleNamespace(temperature=None), None),
        (SimpleNamespace(temperature=SimpleNamespace(value=300.0, unit="K")), pytest.approx(26.85)),
        (SimpleNamespace(temperature=SimpleNamespace(value=5.0, unit="nm")), None),
    ],
    ids=["no-conditions", "absent", "none", "converted", "unconvertible"],
)
def test_a_quantity_condition_is_a_number_in_its_column_unit(conditions: Any, expected: Any) -> None:
    assert module._number(conditions, "temperature") == expected


def test_the_data_frame_has_one_column_per_field_in_order() -> None:
    table = finding_records({"hce": strategy("hce", finding(electrolyte="1 M LiFSI in DME"))}, INDEX)
    frame = table.to_pandas()
    assert list(frame.columns) == list(FindingRecord.__dataclass_fields__)
    assert frame.loc[0, "components"][0]["material"] == "lifsi"
    assert len(frame) == 1


def test_the_data_frame_without_pandas_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(module.importlib, "import_module", missing)
    with pytest.raises(ImportError) as raised:
        module.FindingTable().to_pandas()
    assert str(raised.value) == (
        "FindingTable.to_pandas() needs pandas, an optional extra of limkb: "
        "pip install limkb[pandas] (or pip install pandas)"
    )


def test_an_empty_data_frame_still_has_every_column() -> None:
    frame = module.FindingTable().to_pandas()
    assert list(frame.columns) == list(FindingRecord.__dataclass_fields__)
    assert len(frame) == 0
