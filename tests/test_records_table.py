"""Dataset records made whole, field by field: each test names the behaviour of
``limkb.analysis.records`` it protects. The entries are built as models, without files."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import pytest

from kbfactory import REF, SOURCE, minimal
from limkb.analysis import records as module
from limkb.analysis.inputs import Inputs
from limkb.analysis.records import (
    MeasuredRecord,
    computed_values,
    derived_bindings,
    measured_records,
)
from limkb.schema.kinds import Dataset, Entry, Material, Property, Record

DEFINITION = "-log10(1 - coulombic-efficiency / 100)"


def make(cls: Any, entry_id: str, kind: str, name: str, **fields: Any) -> Any:
    """The entry model ``cls`` of the smallest valid ``kind`` entry (plus ``fields``)."""
    return cls.model_validate({**minimal(kind, name, **fields), "id": entry_id})


class _KB:
    """The one method of a knowledge base :class:`Inputs` asks for."""

    def __init__(self, *held: Entry) -> None:
        self.held = held

    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]:
        return [e for e in self.held if kind is None or e.kind == kind]


def properties(definition: str | None = DEFINITION, *, on_ce: bool = False) -> list[Property]:
    """CE and LCE, LCE (or CE, with ``on_ce``) stating ``definition``."""
    stated = {"defined_as": {"expression": definition, "source": SOURCE[0]}} if definition else {}
    ce = make(
        Property,
        "coulombic-efficiency",
        "property",
        "CE",
        unit="%",
        scope="cell",
        maximum=100,
        **(stated if on_ce else {}),
    )
    lce = make(Property, "lce", "property", "LCE", unit="1", scope="cell", **({} if on_ce else stated))
    return [ce, lce]


MATERIALS = [
    make(Material, "lifsi", "material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
    make(Material, "dme", "material", "DME", formula="C4H10O2", roles=["solvent"]),
]


def dataset(records: list[dict[str, Any]], **fields: Any) -> Dataset:
    """A dataset of one LCE column holding ``records``."""
    columns = fields.pop("columns", [{"name": "lce", "property": "lce", "unit": "1"}])
    return make(Dataset, "d", "dataset", "D", columns=columns, records=records, **fields)


def whole(ds: Dataset, *held: Entry) -> list[MeasuredRecord]:
    """The records of ``ds`` made whole against CE, LCE and the materials (or ``held``)."""
    return measured_records(ds, Inputs(_KB(*(held or (*properties(), *MATERIALS)), ds)))


def test_a_record_takes_the_dataset_s_first_source_electrolyte_and_conditions() -> None:
    ds = dataset(
        [{"label": "a", "lce": 1.8, "strategies": [], "note": "n"}],
        electrolyte="LiFSI-2DME",
        conditions={"cell": "Li||Cu", "current_density": "0.5 mA cm-2"},
    )
    (record,) = whole(ds)
    assert (record.dataset, record.row, record.label, record.note) == ("d", 0, "a", "n")
    assert record.values == {"lce": 1.8}
    assert (record.ref, record.locator) == (REF, "Table 1")
    assert record.electrolyte == "LiFSI-2DME"
    assert [(c.material, c.role, c.amount, c.unit) for c in record.components] == [
        ("lifsi", "salt", 1.0, "mol ratio"),
        ("dme", "solvent", 2.0, "mol ratio"),
    ]
    assert record.conditions == {"cell": "Li||Cu", "current_density": {"value": 0.5, "unit": "mA cm-2"}}
    assert record.descriptors["ratio_f_c"] == pytest.approx(0.25)


def test_what_a_record_states_overrides_its_dataset() -> None:
    stated = {
        "label": "b",
        "electrolyte": "LiFSI-2DME",
        "conditions": {"cell": "Li||Li"},
        "source": {"ref": REF, "locator": "Fig. 2"},
    }
    ds = dataset([stated], electrolyte="1 M LiFSI in DME", conditions={"cell": "Li||Cu", "cycles": 10})
    (record,) = whole(ds)
    assert (record.locator, record.electrolyte) == ("Fig. 2", "LiFSI-2DME")
    assert record.conditions == {"cell": "Li||Li", "cycles": 10}
    assert record.values == {"lce": None}  # a column the record leaves empty is None


def test_a_dataset_without_sources_or_electrolyte_leaves_them_empty() -> None:
    ds = dataset([{"label": "a"}])
    object.__setattr__(ds, "sources", [])
    (record,) = whole(ds)
    assert (record.ref, record.locator, record.electrolyte, record.components) == (None, None, None, ())
    assert (record.descriptors, record.conditions) == ({}, {})


def test_records_keep_the_dataset_s_order_and_rows() -> None:
    ds = dataset([{"label": name} for name in ("z", "a", "m")])
    assert [(r.row, r.label) for r in whole(ds)] == [(0, "z"), (1, "a"), (2, "m")]


def test_a_listed_electrolyte_is_sorted_json_and_resolved() -> None:
    listed = [
        {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "M"},
        {"material": "dme", "role": "solvent", "amount": 1.0, "unit": "vol ratio"},
    ]
    (record,) = whole(dataset([{"label": "a", "electrolyte": listed}]))
    assert record.electrolyte is not None and json.loads(record.electrolyte) == listed
    assert record.electrolyte.index('"amount"') < record.electrolyte.index('"material"')
    assert [c.material for c in record.components] == ["lifsi", "dme"]


def test_an_unresolved_electrolyte_keeps_its_text_without_components() -> None:
    (record,) = whole(dataset([{"label": "a", "electrolyte": "1 M LiTFSI in DOL"}]))
    assert (record.electrolyte, record.components, record.descriptors) == ("1 M LiTFSI in DOL", (), {})


def test_an_electrolyte_is_resolved_once_for_every_record_sharing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = module._components

    def counted(written: Any, inputs: Inputs) -> Any:
        calls.append(written)
        return real(written, inputs)

    monkeypatch.setattr(module, "_components", counted)
    found = whole(dataset([{"label": "a"}, {"label": "b"}], electrolyte="LiFSI-2DME"))
    assert calls == ["LiFSI-2DME"]
    assert found[0].components == found[1].components != ()


def test_a_property_defined_by_a_column_s_property_is_computed() -> None:
    (record,) = whole(dataset([{"label": "a", "lce": 2.0}]))
    (value,) = record.computed
    assert (value.property, value.unit, value.column, value.from_property) == (
        "coulombic-efficiency",
        "%",
        "lce",
        "lce",
    )
    assert value.value == pytest.approx(99.0)
    assert value.expression == DEFINITION
    assert record.to_dict()["computed"] == {"coulombic-efficiency": pytest.approx(99.0)}


def test_the_definition_is_found_on_whichever_property_states_it() -> None:
    props = {p.id: p for p in properties()}
    assert module._definition("coulombic-efficiency", "lce", props) == DEFINITION  # the other states it
    assert module._definition("lce", "coulombic-efficiency", props) == DEFINITION  # the first states it
    both = {**props, "coulombic-efficiency": properties("coulombic-efficiency * 1", on_ce=True)[0]}
    assert module._definition("coulombic-efficiency", "lce", both) == "coulombic-efficiency * 1"


def test_the_expression_is_empty_when_neither_property_is_known() -> None:
    assert module._definition("x", "y", {}) == ""


@pytest.mark.parametrize(
    "raw",
    [None, True, "1.8", float("nan")],
    ids=["empty", "boolean", "text", "not-a-number"],
)
def test_nothing_is_computed_from_a_cell_that_is_not_a_finite_number(raw: Any) -> None:
    props = {p.id: p for p in properties()}
    ds = dataset([{"label": "a"}])
    derived = derived_bindings(ds, props)
    assert computed_values(cast(Record, SimpleNamespace(values={"lce": raw})), derived, props) == ()


def test_an_integer_cell_is_computed_like_a_float() -> None:
    props = {p.id: p for p in properties()}
    ds = dataset([{"label": "a"}])
    record = cast(Record, SimpleNamespace(values={"lce": 2}))
    (value,) = computed_values(record, derived_bindings(ds, props), props)
    assert value.value == pytest.approx(99.0)


def test_nothing_is_derived_without_a_definition_or_for_a_held_property() -> None:
    ds = dataset([{"label": "a", "lce": 2.0}])
    assert derived_bindings(ds, {p.id: p for p in properties(None)}) == {}
    both = dataset(
        [{"label": "a"}],
        columns=[
            {"name": "lce", "property": "lce", "unit": "1"},
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        ],
    )
    assert derived_bindings(both, {p.id: p for p in properties()}) == {}


def test_derived_bindings_name_the_computed_property_and_its_column() -> None:
    derived = derived_bindings(dataset([{"label": "a"}]), {p.id: p for p in properties()})
    assert list(derived) == ["coulombic-efficiency"]
    assert derived["coulombic-efficiency"].column == "lce"


def test_to_dict_puts_the_columns_between_label_and_ref() -> None:
    (record,) = whole(dataset([{"label": "a", "lce": 1.0, "strategies": []}], electrolyte="LiFSI-2DME"))
    data = record.to_dict()
    assert list(data)[:3] == ["label", "lce", "ref"]
    assert list(data)[3:] == [
        "locator",
        "electrolyte",
        "components",
        "conditions",
        "descriptors",
        "strategies",
        "computed",
    ]
    assert data["components"][0] == {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "mol ratio"}
    assert data["strategies"] == []


def _derived() -> tuple[dict[str, Property], Any]:
    """CE and LCE, and the binding that computes CE from the LCE column."""
    props = {p.id: p for p in properties()}
    return props, derived_bindings(dataset([{"label": "a"}]), props)["coulombic-efficiency"]


def _lce(value: Any) -> Record:
    return cast(Record, SimpleNamespace(values={"lce": value}))


@pytest.mark.parametrize(
    "skipped",
    [{"column": "missing"}, {"formula": None}, {"from_unit": "nm"}],
    ids=["empty-column", "no-formula", "unit-not-convertible"],
)
def test_a_value_that_cannot_be_computed_does_not_stop_the_next(skipped: dict[str, Any]) -> None:
    props, binding = _derived()
    derived = {"a-first": replace(binding, **skipped), "coulombic-efficiency": binding}
    assert [c.property for c in computed_values(_lce(2.0), derived, props)] == ["coulombic-efficiency"]


def test_a_binding_without_units_computes_in_the_unit_one() -> None:
    props, binding = _derived()
    derived = {"coulombic-efficiency": replace(binding, from_unit=None, to_unit=None)}
    (value,) = computed_values(_lce(2.0), derived, props)
    assert value.value == pytest.approx(99.0)


def test_a_binding_without_a_source_property_has_an_empty_one() -> None:
    props, binding = _derived()
    derived = {"coulombic-efficiency": replace(binding, formula_of=None)}
    (value,) = computed_values(_lce(2.0), derived, props)
    assert (value.from_property, value.expression) == ("", "")


def test_the_computed_property_s_own_definition_comes_first() -> None:
    props, binding = _derived()
    lce = props["lce"]
    assert lce.defined_as is not None
    own = lce.defined_as.model_copy(update={"expression": "own"})
    props["coulombic-efficiency"] = props["coulombic-efficiency"].model_copy(update={"defined_as": own})
    (value,) = computed_values(_lce(2.0), {"coulombic-efficiency": binding}, props)
    assert value.expression == "own"


def test_a_listed_electrolyte_s_text_leaves_out_what_is_not_stated() -> None:
    listed = [
        {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "M"},
        {"material": "dme", "role": "solvent"},
    ]
    written = dataset([{"label": "a", "electrolyte": listed}]).records[0].electrolyte
    assert json.loads(module.written_text(written) or "") == listed


def test_a_listed_component_without_unit_has_none() -> None:
    index = Inputs(_KB(*MATERIALS)).index
    listed = [{"material": "dme", "role": "solvent"}]
    assert [(c.material, c.amount, c.unit) for c in module.measured_components(listed, index)] == [
        ("dme", None, None)
    ]


def test_an_unresolved_electrolyte_is_logged_with_why(caplog: pytest.LogCaptureFixture) -> None:
    index = Inputs(_KB(*MATERIALS)).index
    with caplog.at_level(logging.DEBUG, logger="limkb.analysis.records"):
        assert module.measured_components("1 M LiTFSI in DME", index) == ()
    (message,) = [r.getMessage() for r in caplog.records if r.name == "limkb.analysis.records"]
    assert message.startswith("electrolyte '1 M LiTFSI in DME' does not resolve: 'LiTFSI' is not a material")


def test_a_record_keeps_its_strategies() -> None:
    (record,) = whole(dataset([{"label": "a", "strategies": ["hce", "lhce"]}]))
    assert record.strategies == ("hce", "lhce")
    assert record.to_dict()["strategies"] == ["hce", "lhce"]
