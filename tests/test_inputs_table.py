"""What analyses read of a knowledge base, case by case: each test names the behaviour of
``limkb.analysis.inputs`` it protects. The entries are built as models, without files."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from kbfactory import SOURCE, minimal
from limkb.analysis import inputs as module
from limkb.analysis.components import Amount, Conventions, FormulationError
from limkb.analysis.descriptors import DescriptorError, MaterialData
from limkb.analysis.inputs import Inputs, conventions_of, formulation_of, material_index
from limkb.schema.kinds import Dataset, Entry, Material, Property, Strategy

DENSITY = {"value": 0.868, "unit": "g/cm3", "source": SOURCE[0]}


def make(cls: Any, entry_id: str, kind: str, name: str, **fields: Any) -> Any:
    """The entry model ``cls`` of the smallest valid ``kind`` entry (plus ``fields``)."""
    return cls.model_validate({**minimal(kind, name, **fields), "id": entry_id})


class _KB:
    """The one method of a knowledge base :class:`Inputs` asks for; it hands back every entry
    of a kind, and also the entries of another class filed under it (which Inputs must skip)."""

    def __init__(self, *held: Entry, stray: Entry | None = None) -> None:
        self.held = held
        self.stray = stray

    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]:
        found = [e for e in self.held if kind is None or e.kind == kind]
        return found + ([self.stray] if self.stray is not None else [])


LIFSI = make(
    Material, "lifsi", "material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"], aliases=["FSI salt"]
)
DME = make(Material, "dme", "material", "DME", formula="C4H10O2", roles=["solvent"], density=DENSITY)
TTE = make(
    Material,
    "tte",
    "material",
    "TTE",
    roles=["diluent"],
    density={"status": "not found", "note": "Searched the CRC handbook."},
)
CE = make(Property, "ce", "property", "CE", unit="%", scope="cell", maximum=100)
STRAY = make(Strategy, "stray", "strategy", "Stray")


def dataset(records: list[dict[str, Any]], **fields: Any) -> Dataset:
    """A dataset of one CE column holding ``records``."""
    columns = [{"name": "ce", "property": "ce", "unit": "%"}]
    return make(Dataset, "d", "dataset", "D", columns=columns, records=records, **fields)


def inputs(*extra: Entry) -> Inputs:
    """The inputs of a KB of LiFSI, DME, TTE, CE and ``extra``, with a strategy handed back for every kind."""
    return Inputs(_KB(LIFSI, DME, TTE, CE, *extra, stray=STRAY))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("lifsi", "lifsi"), ("LiFSI", "lifsi"), ("FSI salt", "lifsi"), ("LiN(SO2F)2", "lifsi"), ("tte", "tte")],
    ids=["id", "name", "alias", "formula", "no-formula"],
)
def test_a_material_is_found_by_its_id_name_alias_and_formula(name: str, expected: str) -> None:
    assert material_index([LIFSI, TTE]).find(name) == expected


def test_the_index_keeps_each_material_s_roles() -> None:
    assert material_index([LIFSI, TTE]).roles == {"lifsi": frozenset({"salt"}), "tte": frozenset({"diluent"})}


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (None, Conventions()),
        ({"ratio": "wt"}, Conventions.of(ratio="wt")),
        ({"percent": "vol"}, Conventions.of(percent="vol")),
        ({"ratio": "mol", "percent": "wt"}, Conventions.of(ratio="mol", percent="wt")),
    ],
    ids=["none", "ratio", "percent", "both"],
)
def test_a_dataset_s_conventions_are_what_it_declares(declared: Any, expected: Conventions) -> None:
    fields = {"conventions": declared} if declared else {}
    assert conventions_of(dataset([{"label": "a"}], **fields)) == expected


def test_inputs_keep_only_entries_of_the_kind_asked_for() -> None:
    ds = dataset([{"label": "a"}])
    found = inputs(ds)
    assert found.properties == {"ce": CE}
    assert found.datasets == [ds]
    assert found.index.find("stray") is None


def test_each_material_s_data_says_formula_density_salt_and_density_not_found() -> None:
    data = inputs().material_data
    assert data["lifsi"] == MaterialData("LiN(SO2F)2", None, True, False)
    assert data["dme"] == MaterialData("C4H10O2", pytest.approx(0.868), False, False)
    assert data["tte"] == MaterialData(None, None, False, True)


def test_a_record_s_descriptors_come_from_its_electrolyte_else_its_dataset_s() -> None:
    ds = dataset([{"label": "a"}, {"label": "b", "electrolyte": "LiFSI-1DME"}], electrolyte="LiFSI-2DME")
    found = inputs(ds)
    own = found.descriptors(ds, ds.records[1])
    inherited = found.descriptors(ds, ds.records[0])
    assert own is not None and inherited is not None
    assert own["ratio_f_c"] == pytest.approx(0.5)
    assert inherited["ratio_f_c"] == pytest.approx(0.25)


def test_a_record_without_any_electrolyte_has_no_descriptors() -> None:
    ds = dataset([{"label": "a"}])
    assert inputs(ds).descriptors(ds, ds.records[0]) is None


@pytest.mark.parametrize(
    "electrolyte",
    ["1 M LiTFSI in DME", "LiFSI-2TTE"],
    ids=["formulation-error", "descriptor-error"],
)
def test_an_electrolyte_that_gives_no_descriptors_gives_none(electrolyte: str) -> None:
    ds = dataset([{"label": "a"}], electrolyte=electrolyte)
    assert inputs(ds).descriptors(ds, ds.records[0]) is None


def test_descriptors_are_computed_once_per_electrolyte_and_conventions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []
    real = module.compute_descriptors

    def counted(formulation: Any, data: Any) -> Any:
        calls.append(formulation.text)
        return real(formulation, data)

    monkeypatch.setattr(module, "compute_descriptors", counted)
    ds = dataset([{"label": "a"}, {"label": "b"}], electrolyte="LiFSI-2DME")
    wt = dataset([{"label": "c"}], electrolyte="LiFSI-2DME", conventions={"ratio": "wt"})
    found = inputs(ds)
    first = found.descriptors(ds, ds.records[0])
    assert found.descriptors(ds, ds.records[1]) is first
    found.descriptors(wt, wt.records[0])
    assert calls == ["LiFSI-2DME", "LiFSI-2DME"]  # the second under other conventions


def test_a_listed_electrolyte_gives_descriptors_and_is_cached_by_its_items() -> None:
    listed = [
        {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "mol ratio"},
        {"material": "dme", "role": "solvent", "amount": 2.0, "unit": "mol ratio"},
    ]
    ds = dataset([{"label": "a", "electrolyte": listed}])
    found = inputs(ds)
    got = found.descriptors(ds, ds.records[0])
    assert got is not None and got["ratio_f_c"] == pytest.approx(0.25)
    assert list(found._formulations) == [repr(ds.records[0].electrolyte)]


def test_descriptor_error_says_why_an_electrolyte_gives_no_descriptors() -> None:
    found = inputs()
    error = found.descriptor_error("LiFSI-2TTE", Conventions())
    assert isinstance(error, DescriptorError)
    assert found.descriptor_error("LiFSI-2TTE", Conventions()) is error  # computed once


@pytest.mark.parametrize(
    "written",
    ["LiFSI-2DME", "1 M LiTFSI in DME"],
    ids=["descriptors-computed", "formulation-error-reported-elsewhere"],
)
def test_descriptor_error_is_none_when_descriptors_come_or_the_formulation_fails(written: str) -> None:
    found = inputs()
    assert found.descriptor_error(written, Conventions()) is None
    assert (written, str(Conventions())) in found._descriptor_errors


def test_descriptor_error_reads_the_electrolyte_with_the_conventions_given() -> None:
    found = inputs()
    assert found.descriptor_error("1 M LiFSI in DME:TTE (1:2)", Conventions()) is None
    assert isinstance(
        found.descriptor_error("1 M LiFSI in DME:TTE (1:2)", Conventions.of(ratio="vol")), DescriptorError
    )


def test_formulation_of_text_raises_the_first_unknown_name() -> None:
    with pytest.raises(FormulationError, match="'LiTFSI' is not a material"):
        formulation_of("1 M LiTFSI in DOL", material_index([LIFSI, DME]))


def test_formulation_of_text_uses_the_conventions_given() -> None:
    index = material_index([LIFSI, DME, TTE])
    read = formulation_of("1 M LiFSI in DME:TTE (1:2)", index, conventions=Conventions.of(ratio="wt"))
    assert read.components[1].unit is Amount.RATIO_WT


def test_formulation_of_reads_plain_dicts_and_models_alike() -> None:
    items = [{"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "M"}]
    ds = dataset([{"label": "a", "electrolyte": [*items, {"material": "dme", "role": "solvent"}]}])
    models = ds.records[0].electrolyte
    assert isinstance(models, list)
    index = material_index([LIFSI, DME])
    assert formulation_of(items, index).components[0] == formulation_of(models, index).components[0]
    assert [c.material for c in formulation_of(models, index).components] == ["lifsi", "dme"]


def test_formulation_of_text_reads_a_hyphenated_material_name_whole() -> None:
    crown = make(Material, "12-crown-4", "material", "12-Crown-4", formula="C8H16O4", roles=["additive"])
    read = formulation_of("1 M LiFSI in DME + 5 wt% 12-Crown-4", material_index([LIFSI, DME, crown]))
    assert [c.material for c in read.components] == ["lifsi", "dme", "12-crown-4"]


def test_a_record_s_descriptors_read_its_electrolyte_with_the_dataset_s_conventions() -> None:
    dol = make(Material, "dol", "material", "DOL", formula="C3H6O2", roles=["solvent"])
    written = "1 mol/kg LiFSI in DME:DOL (1:1)"  # a ratio without basis: read by weight only when declared
    declared = dataset([{"label": "a"}], electrolyte=written, conventions={"ratio": "wt"})
    assert inputs(dol, declared).descriptors(declared, declared.records[0]) is not None
    plain = dataset([{"label": "a"}], electrolyte=written)
    assert inputs(dol, plain).descriptors(plain, plain.records[0]) is None


def test_an_electrolyte_without_descriptors_is_logged_with_why(caplog: pytest.LogCaptureFixture) -> None:
    ds = dataset([{"label": "a"}], electrolyte="1 M LiTFSI in DME")
    with caplog.at_level(logging.DEBUG, logger="limkb.analysis.inputs"):
        assert inputs(ds).descriptors(ds, ds.records[0]) is None
    (message,) = [r.getMessage() for r in caplog.records if r.name == "limkb.analysis.inputs"]
    assert message.startswith("no descriptors for '1 M LiTFSI in DME\\x00")
    assert ": 'LiTFSI' is not a material" in message


def test_a_written_formulation_is_parsed_once_per_text_and_conventions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``Inputs.formulation``: the material pages that each list an electrolyte read it from
    here, parsed once; another text or other conventions are parsed anew, and a failure is
    raised again each time it is asked for."""
    calls: list[str] = []
    real = module.parse_formulation

    def counted(text: str, **options: Any) -> Any:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr(module, "parse_formulation", counted)
    found = inputs()
    first = found.formulation("1 M LiFSI in DME:TTE (1:2)", Conventions.of(ratio="wt"))
    assert found.formulation("1 M LiFSI in DME:TTE (1:2)", Conventions.of(ratio="wt")) is first
    assert first.components[1].unit is Amount.RATIO_WT
    other = found.formulation("1 M LiFSI in DME:TTE (1:2)", Conventions.of(ratio="vol"))
    assert other.components[1].unit is Amount.RATIO_VOL
    for _ in range(2):
        with pytest.raises(FormulationError, match="'LiTFSI' is not a material"):
            found.formulation("1 M LiTFSI in DME", Conventions())
    assert calls == ["1 M LiFSI in DME:TTE (1:2)", "1 M LiFSI in DME:TTE (1:2)", "1 M LiTFSI in DME"]
    listed = [{"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "M"}]
    assert [c.material for c in found.formulation(listed, Conventions()).components] == ["lifsi"]
