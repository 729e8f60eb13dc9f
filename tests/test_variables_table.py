"""How an analysis's names are read in datasets, one row per rule: the resolution order, every
error of :func:`plan` with its place and hint, units, the ``where`` filters and evaluation.

Built from models directly (no KB on disk), so each test is fast and names the rule it protects.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from kbfactory import SOURCE
from limkb.analysis import variables as va
from limkb.schema.kinds import Analysis, Dataset, Filters, Property


def _prop(pid: str, unit: str, defined: str | None = None) -> Property:
    """A property; ``defined`` is its formula over another property."""
    extra: dict[str, Any] = {"defined_as": {"expression": defined, "source": SOURCE[0]}} if defined else {}
    return Property.model_validate(
        {
            "id": pid,
            "name": pid,
            "sources": SOURCE,
            "unit": unit,
            "scope": "sei",
            "desired": "higher",
            **extra,
        }
    )


PROPS = {
    "coulombic-efficiency": _prop("coulombic-efficiency", "%"),
    "lce": _prop("lce", "1", "-log10(1 - coulombic-efficiency / 100)"),
    "sei-thickness": _prop("sei-thickness", "nm"),
}


def _dataset(
    did: str, columns: list[dict[str, Any]], records: list[dict[str, Any]] | None = None, **extra: Any
) -> Dataset:
    """A dataset with these columns and records."""
    return Dataset.model_validate(
        {"id": did, "name": did, "sources": SOURCE, "columns": columns, "records": records or [], **extra}
    )


def _analysis(x: str, y: str, **extra: Any) -> Analysis:
    """An analysis of ``y`` against ``x``."""
    return Analysis.model_validate({"id": "a", "name": "a", "sources": SOURCE, "x": x, "y": y, **extra})


CE = {"name": "ce", "property": "coulombic-efficiency", "unit": "%"}
THICK = {"name": "t", "property": "sei-thickness", "unit": "nm"}
NUM = {"name": "n", "unit": "1"}
TEXT = {"name": "label_text", "type": "text"}


def _plan(x: str, y: str, pool: list[Dataset], **extra: Any) -> tuple[va.Plan | None, list[va.VariableError]]:
    """The plan of ``y`` against ``x`` over ``pool`` (extra fields go to the analysis)."""
    return va.plan(_analysis(x, y, **extra), pool, PROPS)


def _one_error(x: str, y: str, pool: list[Dataset], **extra: Any) -> va.VariableError:
    """The one error planning ``y`` against ``x`` gives."""
    found, errors = _plan(x, y, pool, **extra)
    assert found is None and len(errors) == 1, errors
    return errors[0]


# --- resolution order -------------------------------------------------------------------------


def test_each_way_a_name_resolves() -> None:
    """A dotted column, a column, a property id, a derived property, a descriptor."""
    data = _dataset("d", [CE, THICK, NUM, {"name": "frac_f", "unit": "%"}])
    found, errors = _plan("d.n + n", "coulombic-efficiency + lce + frac_o + frac_f", [data])
    assert errors == [] and found is not None
    bindings = found.datasets[0][1]
    assert bindings["d.n"].column == "n" and bindings["n"].column == "n"
    assert bindings["coulombic-efficiency"].column == "ce"
    assert bindings["lce"].column == "ce" and bindings["lce"].formula is not None
    assert bindings["lce"].formula_of == "coulombic-efficiency"
    assert bindings["frac_o"].column is None and bindings["frac_o"].descriptor == "frac_o"
    assert bindings["frac_f"].column == "frac_f"  # a column wins over a descriptor of that name
    assert found.units == {
        "d.n": "1",
        "n": "1",
        "coulombic-efficiency": "%",
        "lce": "1",
        "frac_o": "1",
        "frac_f": "%",
    }
    assert found.properties == {"coulombic-efficiency": "coulombic-efficiency", "lce": "lce"}
    assert found.names == ["d.n", "n", "coulombic-efficiency", "lce", "frac_o", "frac_f"]


def test_the_inverse_of_a_derived_property() -> None:
    """CE from a dataset that stores LCE: the definition is inverted."""
    data = _dataset(
        "d", [{"name": "l", "property": "lce", "unit": "1"}, NUM], [{"label": "r", "l": 2.0, "n": 1}]
    )
    found, errors = _plan("n", "coulombic-efficiency", [data])
    assert errors == [] and found is not None
    binding = found.datasets[0][1]["coulombic-efficiency"]
    assert (binding.column, binding.formula_of, binding.from_unit, binding.to_unit) == ("l", "lce", "1", "1")
    rows = va.evaluate_plan(found, _analysis("n", "coulombic-efficiency"), lambda d, r: {})
    assert rows.y[0] == pytest.approx(99.0)
    forward = _dataset("e", [CE, NUM], [{"label": "r", "ce": 99.0, "n": 1}])
    found, _ = _plan("n", "lce", [forward])
    assert found is not None
    binding = found.datasets[0][1]["lce"]
    assert (binding.from_unit, binding.to_unit) == ("%", "%")
    rows = va.evaluate_plan(found, _analysis("n", "lce"), lambda d, r: {})
    assert rows.y[0] == pytest.approx(2.0)
    assert va.describe_bindings(found) == {"n": ["e.n"], "lce": ["lce computed from e.ce"]}


def test_a_dotted_name_reads_only_its_own_dataset() -> None:
    """``d.n`` resolves in dataset d only, and only when d has column n."""
    first = _dataset("d", [NUM, CE])
    second = _dataset("e", [NUM, CE])
    found, errors = _plan("d.n", "ce", [second, first])
    assert errors == [] and found is not None
    assert [d.id for d, _ in found.datasets] == ["d"]
    error = _one_error("d.m", "ce", [first])
    assert error.code == "missing-variable"


def test_a_text_column_is_not_a_variable() -> None:
    """A text column of that name does not resolve (it cannot be computed with)."""
    data = _dataset("d", [TEXT, CE, {"name": "n2", "type": "text", "property": "sei-thickness"}])
    error = _one_error("label_text", "ce", [data])
    assert error.message.startswith("'label_text' is not a column, property or descriptor of any dataset")
    error = _one_error("sei-thickness", "ce", [data])
    assert error.message == "no column of any dataset holds the property 'sei-thickness'"


def test_two_columns_of_one_property_are_ambiguous() -> None:
    """A property id held by two columns is an error naming both, with the first as the fix."""
    data = _dataset("d", [CE, {"name": "ce2", "property": "coulombic-efficiency", "unit": "%"}, NUM])
    error = _one_error("n", "coulombic-efficiency", [data])
    assert error.code == "ambiguous-variable"
    assert error.message == "'coulombic-efficiency' could be any of d.ce, d.ce2"
    assert error.hint == "name the column itself, e.g. `d.ce`"
    assert (error.axis, error.start, error.end, error.key) == ("y", 0, 20, None)


def test_a_derived_property_needs_one_column_of_its_base() -> None:
    """Two columns of the base property, or none, bind no derived value."""
    two = _dataset("d", [CE, {"name": "ce2", "property": "coulombic-efficiency", "unit": "%"}, NUM])
    found, errors = _plan("n", "lce", [two])
    assert found is None and errors[0].message == "no column of any dataset holds the property 'lce'"


def test_a_definition_that_does_not_parse_or_uses_two_names_binds_nothing() -> None:
    """A broken or two-name definition is skipped (the validator reports it on the property)."""
    props = {
        **PROPS,
        "bad": _prop("bad", "1", "log10("),
        "two": _prop("two", "1", "coulombic-efficiency / sei-thickness"),
        "orphan": _prop("orphan", "1", "2 * unknown-property"),
        "gone": _prop("gone", "1", "2 * missing-prop"),
    }
    data = _dataset("d", [CE, THICK, NUM, {"name": "m", "property": "missing-prop", "unit": "1"}])
    for name in ("bad", "two", "orphan", "gone"):
        found, errors = va.plan(_analysis("n", name), [data], props)
        assert found is None and errors[0].code == "missing-variable", name


# --- every error of plan ------------------------------------------------------------------------


def test_syntax_errors_of_both_axes_are_reported_together() -> None:
    """A syntax error in x and one in y are both reported, each at its axis and place."""
    found, errors = _plan("a +", "(b", [_dataset("d", [NUM])])
    assert found is None
    assert [(e.axis, e.start, e.end, e.code) for e in errors] == [
        ("x", 3, 3, "bad-expression"),
        ("y", 0, 1, "bad-expression"),
    ]
    assert errors[0].message == "the expression ends where a number or a name should follow"
    assert errors[1].hint == "add the missing ')'"


@pytest.mark.parametrize(
    ("x", "message", "hint_start", "place"),
    [
        (
            "nn",
            "'nn' is not a column, property or descriptor of any dataset; did you mean 'n'?",
            "name a column",
            ("x", 0, 2),
        ),
        (
            "zzz",
            "'zzz' is not a column, property or descriptor of any dataset",
            "name a column (`ce`, or `dataset-id.ce`)",
            ("x", 0, 3),
        ),
        (
            "n + cee-1",
            "'cee-1' is not a column, property or descriptor of any dataset",
            "write subtraction with blanks around the minus (`ce - 1`)",
            ("x", 4, 9),
        ),
        (
            "cee-x",
            "'cee-x' is not a column, property or descriptor of any dataset",
            "name a column",
            ("x", 0, 5),
        ),
    ],
)
def test_each_unknown_name_message(
    x: str, message: str, hint_start: str, place: tuple[str, int, int]
) -> None:
    """An unknown name: what it is not, the closest name, and the fix (the blanks hint for
    ``name-1``, a likely subtraction)."""
    error = _one_error(x, "ce", [_dataset("d", [NUM, CE])])
    assert error.code == "missing-variable"
    assert error.message == message
    assert error.hint.startswith(hint_start)
    assert (error.axis, error.start, error.end) == place
    assert error.key is None


def test_the_unknown_name_hint_points_to_contributing() -> None:
    """The full hint names the forms a variable takes and where to add a property."""
    error = _one_error("zzz", "ce", [_dataset("d", [NUM, CE])])
    assert error.hint == (
        "name a column (`ce`, or `dataset-id.ce`), a property, or a descriptor (`frac_f`); "
        "to add a property see CONTRIBUTING.md, 'Add a property'"
    )


def test_an_unknown_where_key() -> None:
    """A ``where`` key that resolves nowhere: placed at the key, with the conditions offered."""
    error = _one_error("n", "ce", [_dataset("d", [NUM, CE])], where={"protocl-1": "> 1"})
    assert (
        error.message
        == "'protocl-1' is not a condition, column, property or descriptor of any dataset; did you mean 'protocol'?"
    )
    assert error.hint == (
        "filter on a condition (cell, protocol, current_density, areal_capacity, temperature, cycles, source) "
        "or a variable: a column (`ce`, or `dataset-id.ce`), a property, or a descriptor (`frac_f`); "
        "to add a property see CONTRIBUTING.md, 'Add a property'"
    )
    assert (error.axis, error.start, error.end, error.key) == ("where", 0, 9, "protocl-1")


def test_a_property_with_no_column() -> None:
    """A property no dataset holds: say so, and how to add a column for it."""
    error = _one_error("sei-thickness", "ce", [_dataset("d", [CE])])
    assert error.message == "no column of any dataset holds the property 'sei-thickness'"
    assert error.hint == "add a column with `property: sei-thickness` to a dataset, or name another variable"


def test_names_that_never_meet_in_one_dataset() -> None:
    """Each name resolves somewhere, but no dataset holds all: one error per name, naming the scope."""
    found, errors = _plan("n", "t", [_dataset("d", [NUM]), _dataset("e", [THICK])])
    assert found is None
    assert [e.message for e in errors] == [
        "no dataset of any dataset holds every variable together (here 'n')",
        "no dataset of any dataset holds every variable together (here 't')",
    ]
    found, errors = _plan("n", "t", [_dataset("d", [NUM]), _dataset("e", [THICK])], datasets=["d", "e"])
    assert errors[0].message == "no dataset of the datasets d, e holds every variable together (here 'n')"


def test_listed_datasets_limit_the_pool() -> None:
    """``datasets:`` keeps only the listed datasets; names elsewhere do not resolve."""
    error = _one_error("n", "ce", [_dataset("d", [CE]), _dataset("e", [NUM, CE])], datasets=["d"])
    assert error.message == "'n' is not a column, property or descriptor of the datasets d"
    found, _ = _plan("n", "ce", [_dataset("e", [NUM, CE]), _dataset("d", [NUM, CE])])
    assert found is not None and [d.id for d, _ in found.datasets] == ["d", "e"]  # sorted by id


def test_missing_names_beside_an_ambiguous_one_are_reported_too() -> None:
    """An ambiguous name does not hide an unknown one."""
    data = _dataset("d", [CE, {"name": "ce2", "property": "coulombic-efficiency", "unit": "%"}])
    found, errors = _plan("zzz", "coulombic-efficiency", [data])
    assert found is None
    assert [e.code for e in errors] == ["ambiguous-variable", "missing-variable"]


def test_an_ambiguous_name_alone_is_the_only_error() -> None:
    """Ambiguity in one dataset while another resolves everything: still an error."""
    two = _dataset("d", [CE, {"name": "ce2", "property": "coulombic-efficiency", "unit": "%"}, NUM])
    fine = _dataset("e", [CE, NUM])
    found, errors = _plan("n", "coulombic-efficiency", [two, fine])
    assert found is None and [e.code for e in errors] == ["ambiguous-variable"]


# --- units ------------------------------------------------------------------------------------


def test_a_property_is_read_in_its_unit_and_a_column_in_the_first_datasets() -> None:
    """A property id converts every column to the property's unit; a plain column takes its
    unit in the first dataset taking part, and the others are converted to it."""
    first = _dataset(
        "a",
        [{"name": "t", "property": "sei-thickness", "unit": "um"}, NUM],
        [{"label": "r1", "t": 1.0, "n": 1}],
    )
    second = _dataset(
        "b",
        [{"name": "t", "property": "sei-thickness", "unit": "nm"}, NUM],
        [{"label": "r2", "t": 500.0, "n": 2}],
    )
    found, errors = _plan("n", "sei-thickness", [second, first])
    assert errors == [] and found is not None and found.units["sei-thickness"] == "nm"
    rows = va.evaluate_plan(found, _analysis("n", "sei-thickness"), lambda d, r: {})
    assert rows.y.tolist() == pytest.approx([1000.0, 500.0])
    found, _ = _plan("n", "t", [second, first])
    assert found is not None and found.units["t"] == "um" and found.properties["t"] == "sei-thickness"
    rows = va.evaluate_plan(found, _analysis("n", "t"), lambda d, r: {})
    assert rows.y.tolist() == pytest.approx([1.0, 0.5])
    assert va.columns_used(found)[0][0] == "a" and va.columns_used(found)[1][1].name == "t"


def test_a_column_in_two_dimensions_is_a_unit_mismatch() -> None:
    """The same name in units of different kinds across datasets cannot be pooled."""
    first = _dataset("a", [{"name": "v", "unit": "nm"}, NUM])
    second = _dataset("b", [{"name": "v", "unit": "mV"}, NUM])
    error = _one_error("v", "n", [first, second])
    assert error.code == "unit-mismatch"
    assert error.message == "'v' is in 'mV' in 'b' but in 'nm' elsewhere"
    assert error.hint.startswith("state the column in one unit across datasets")
    assert (error.axis, error.start, error.end) == ("x", 0, 1)


def test_a_unit_mistake_in_an_expression() -> None:
    """The axes are checked with the names' units: a log of a length is an error on that axis."""
    error = _one_error("n", "log10(t)", [_dataset("d", [NUM, THICK])])
    assert (error.axis, error.code, error.start, error.end) == ("y", "unit-mismatch", 0, 8)
    assert error.message.startswith("log10() of a quantity in length")


def test_the_composition_groups_a_variable_uses() -> None:
    """A group of percentage columns is noted when an axis uses one of its columns (not a filter)."""
    cols = [{"name": "f", "unit": "%"}, {"name": "o", "unit": "%"}, {"name": "c", "unit": "%"}, NUM]
    data = _dataset("d", cols, composition=[["f", "o"], ["c", "n"]])
    found, _ = _plan("f", "n", [data])
    assert found is not None and found.composition == [("d", ("f", "o")), ("d", ("c", "n"))]
    found, _ = _plan("o", "o", [data], where={"c": "> 1"})
    assert found is not None and found.composition == [("d", ("f", "o"))]


# --- conditions and matches -------------------------------------------------------------------


def _conditions(**fields: Any) -> dict[str, Any]:
    data = _dataset("d", [NUM], [{"label": "r", "n": 1}], conditions=fields)
    return va.conditions_of(data, data.records[0])


def test_record_conditions_override_the_datasets() -> None:
    """Each field the record states wins; the others come from the dataset."""
    data = _dataset(
        "d",
        [NUM],
        [{"label": "r", "n": 1, "conditions": {"cell": "Li||Li"}}, {"label": "s", "n": 1}],
        conditions={"cell": "Li||Cu", "cycles": 100},
    )
    assert va.conditions_of(data, data.records[0]) == {"cell": "Li||Li", "cycles": 100}
    assert va.conditions_of(data, data.records[1]) == {"cell": "Li||Cu", "cycles": 100}
    plain = _dataset("e", [NUM], [{"label": "r", "n": 1}])
    assert va.conditions_of(plain, plain.records[0]) == {}


@pytest.mark.parametrize(
    ("where", "conditions", "source", "kept"),
    [
        (None, {}, None, True),
        ({"cell": "li||cu "}, {"cell": "Li||Cu"}, None, True),
        ({"cell": "Li||Cu"}, {"cell": "Li||Li"}, None, False),
        ({"cell": "Li||Cu"}, {}, None, False),
        ({"protocol": " Aurbach "}, {"protocol": "aurbach"}, None, True),
        ({"protocol": "Aurbach"}, {"protocol": "other"}, None, False),
        ({"current_density": "5 A m-2"}, {"current_density": "0.5 mA cm-2"}, None, True),
        ({"current_density": "1 mA cm-2"}, {"current_density": "0.5 mA cm-2"}, None, False),
        ({"current_density": "1 mA cm-2"}, {"current_density": "1.0000001 mA cm-2"}, None, True),
        ({"current_density": "1 mA cm-2"}, {"current_density": "1.00001 mA cm-2"}, None, False),
        ({"current_density": "1 mA cm-2"}, {}, None, False),
        ({"areal_capacity": "1 mAh cm-2"}, {"areal_capacity": "1 mAh cm-2"}, None, True),
        ({"areal_capacity": "1 mAh cm-2"}, {"areal_capacity": "2 mAh cm-2"}, None, False),
        ({"temperature": "25 °C"}, {"temperature": "298.15 K"}, None, True),
        ({"temperature": "25 °C"}, {"temperature": "30 °C"}, None, False),
        ({"cycles": ">= 50"}, {"cycles": 100}, None, True),
        ({"cycles": ">= 50"}, {"cycles": 10}, None, False),
        ({"cycles": ">= 50"}, {}, None, False),
        ({"source": "ref-a"}, {}, "ref-a", True),
        ({"source": "ref-a"}, {}, "ref-b", False),
        ({"source": "ref-a"}, {}, None, False),
        ({}, {}, "ref-b", True),
    ],
)
def test_each_condition_filter(
    where: dict[str, Any] | None, conditions: dict[str, Any], source: str | None, kept: bool
) -> None:
    """Cell and protocol case- and blank-insensitive; quantities after conversion to 1e-6;
    cycles by its value filter; source exactly; a missing condition never matches."""
    filters = None if where is None else Filters.model_validate(where)
    have = _conditions(**conditions) if conditions else {}
    assert va.matches(filters, have, source) is kept


def test_a_quantity_in_another_dimension_never_matches() -> None:
    """A condition that cannot be converted to the filter's unit does not match."""
    filters = Filters.model_validate({"temperature": "25 °C"})
    have = _conditions(current_density="1 mA cm-2")
    assert va.matches(filters, {"temperature": have["current_density"]}) is False


# --- evaluation -------------------------------------------------------------------------------


def test_evaluation_reads_filters_sources_and_groups() -> None:
    """Records failing the conditions or a value filter are dropped; each kept record has its
    label, dataset, source (its own or the dataset's first) and group; composition sums add the
    numbers of each group."""
    data = _dataset(
        "d",
        [NUM, {"name": "f", "unit": "%"}, {"name": "o", "unit": "%"}],
        [
            {"label": "r1", "n": 1, "f": 10, "o": 20.5},
            {"label": "r2", "n": 2, "f": 30, "o": None, "source": {"ref": "other-ref"}},
            {"label": "r3", "n": 3, "f": 50, "o": 1, "conditions": {"cell": "Li||Li"}},
            {"label": "r4", "n": 4, "f": 0.5, "o": 1},
        ],
        conditions={"cell": "Li||Cu"},
        composition=[["f", "o"]],
    )
    spec = _analysis("n", "f", where={"cell": "Li||Cu", "f": ">= 1"})
    found, errors = va.plan(spec, [data], PROPS)
    assert errors == [] and found is not None
    groups: list[tuple[str, str | None]] = []

    def group_of(dataset: Dataset, record: Any, conditions: Any, ref: str | None) -> str:
        groups.append((record.label, ref))
        return f"g-{record.label}"

    rows = va.evaluate_plan(found, spec, lambda d, r: {}, group_of)
    assert rows.labels == ["r1", "r2"]
    assert rows.datasets == ["d", "d"]
    assert rows.refs == [SOURCE[0]["ref"], "other-ref"]
    assert rows.own_source == [False, True]
    assert rows.groups == ["g-r1", "g-r2"]
    assert rows.x.tolist() == [1.0, 2.0] and rows.y.tolist() == [10.0, 30.0]
    assert [s.tolist() for s in rows.composition_sums] == [[30.5, 30.0]]
    assert rows.raw["n"].tolist() == [1.0, 2.0]
    rows = va.evaluate_plan(found, spec, lambda d, r: {})
    assert rows.groups == [None, None]


def test_values_that_are_not_numbers_are_nan() -> None:
    """A missing value or a text in a number column reads as NaN, and the
    undefined parts of the axes are listed with their records."""
    data = _dataset(
        "d",
        [NUM, {"name": "v", "unit": "1"}],
        [{"label": f"r{i}", "n": 1, "v": v} for i, v in enumerate([2, None, "x", 0])],
    )
    found, _ = _plan("n", "1 / v", [data])
    assert found is not None
    rows = va.evaluate_plan(found, _analysis("n", "1 / v"), lambda d, r: {})
    assert rows.y[0] == 0.5 and all(math.isnan(v) for v in rows.y[1:])
    assert [(axis, item.why) for axis, item in rows.undefined] == [("y", "a division by zero")]
    assert rows.undefined_labels(rows.undefined[0][1]) == ["r3"]


def test_descriptors_are_computed_once_and_only_when_needed() -> None:
    """A descriptor name asks the record's descriptors once; none asked without one; a record
    whose descriptors cannot be computed reads NaN."""
    data = _dataset("d", [NUM], [{"label": "r1", "n": 1}, {"label": "r2", "n": 2}])
    calls: list[str] = []

    def descriptors(dataset: Dataset, record: Any) -> dict[str, float] | None:
        calls.append(record.label)
        return {"frac_f": 0.25, "frac_o": 0.5} if record.label == "r1" else None

    found, _ = _plan("frac_f + frac_o", "n", [data])
    assert found is not None
    rows = va.evaluate_plan(found, _analysis("frac_f + frac_o", "n"), descriptors)
    assert calls == ["r1", "r2"]
    assert rows.x[0] == 0.75 and math.isnan(rows.x[1])
    assert va.describe_bindings(found)["frac_f"] == ["descriptor frac_f"]
    assert va.columns_used(found) == [("d", data.columns[0])]
    calls.clear()
    found, _ = _plan("n", "n", [data])
    assert found is not None
    va.evaluate_plan(found, _analysis("n", "n"), descriptors)
    assert calls == []


def test_an_empty_plan_evaluates_to_no_rows() -> None:
    """A plan whose datasets hold no records gives empty arrays."""
    found, _ = _plan("n", "n", [_dataset("d", [NUM])])
    assert found is not None
    rows = va.evaluate_plan(found, _analysis("n", "n"), lambda d, r: {})
    assert rows.labels == [] and rows.x.shape == (0,) and rows.composition_sums == []
    assert np.asarray(rows.y).size == 0


# --- rows for edges the first table left open ------------------------------------------------


def test_a_where_key_with_two_dots_is_unknown_not_a_crash() -> None:
    """``where`` keys are not parsed as expressions: ``d.n.x`` names no column of d."""
    error = _one_error("n", "n", [_dataset("d", [NUM])], where={"d.n.x": "> 1"})
    assert (error.code, error.key) == ("missing-variable", "d.n.x")


def test_a_skipped_definition_does_not_stop_the_search() -> None:
    """A definition that does not parse, uses two names, derives from another property or has
    no column here is skipped, and a later one still binds (CE from an LCE column)."""
    props = {
        "bad": _prop("bad", "1", "log10("),
        "two": _prop("two", "1", "coulombic-efficiency / sei-thickness"),
        "other": _prop("other", "1", "2 * sei-thickness"),
        "nowhere": _prop("nowhere", "1", "3 * coulombic-efficiency"),
        **PROPS,
    }
    data = _dataset("d", [{"name": "l", "property": "lce", "unit": "1"}, NUM])
    found, errors = va.plan(_analysis("n", "coulombic-efficiency"), [data], props)
    assert errors == [] and found is not None
    assert found.datasets[0][1]["coulombic-efficiency"].formula_of == "lce"


def test_where_errors_name_their_key() -> None:
    """Ambiguous, missing-property and unit errors about a ``where`` key carry that key."""
    two = _dataset("d", [CE, {"name": "ce2", "property": "coulombic-efficiency", "unit": "%"}, NUM])
    error = _one_error("n", "n", [two], where={"coulombic-efficiency": ">= 90"})
    assert (error.code, error.axis, error.key) == ("ambiguous-variable", "where", "coulombic-efficiency")
    error = _one_error("n", "n", [_dataset("d", [NUM])], where={"sei-thickness": "> 1"})
    assert (error.code, error.axis, error.key) == ("missing-variable", "where", "sei-thickness")
    first = _dataset("a", [{"name": "v", "unit": "nm"}, NUM])
    second = _dataset("b", [{"name": "v", "unit": "mV"}, NUM])
    error = _one_error("n", "n", [first, second], where={"v": "> 1"})
    assert (error.code, error.axis, error.key) == ("unit-mismatch", "where", "v")


def test_conditions_are_offered_only_for_where_keys() -> None:
    """An unknown axis name is never told it may mean a condition."""
    error = _one_error("protocl", "ce", [_dataset("d", [NUM, CE])])
    assert "did you mean" not in error.message


def test_every_missing_property_is_reported() -> None:
    """Two properties without a column: two errors."""
    found, errors = _plan("sei-thickness", "coulombic-efficiency", [_dataset("d", [NUM])])
    assert found is None
    assert [e.message for e in errors] == [
        "no column of any dataset holds the property 'sei-thickness'",
        "no column of any dataset holds the property 'coulombic-efficiency'",
    ]


def test_the_blanks_hint_reads_the_last_hyphen() -> None:
    """``a-b-1`` ends in a number after its last hyphen: a likely subtraction."""
    error = _one_error("zz-q-1", "ce", [_dataset("d", [NUM, CE])])
    assert error.hint == "write subtraction with blanks around the minus (`ce - 1`)"


def test_a_dotted_column_keeps_its_own_unit() -> None:
    """``d.t`` is the column as stated, in its unit, even when it holds a property."""
    data = _dataset("d", [{"name": "t", "property": "sei-thickness", "unit": "um"}, NUM])
    found, _ = _plan("d.t", "n", [data])
    assert found is not None and found.units["d.t"] == "um"


def test_every_column_after_a_descriptor_is_converted() -> None:
    """Columns are converted to the common unit whatever name comes before them."""
    first = _dataset("a", [{"name": "t", "unit": "um"}], [{"label": "r1", "t": 1.0}])
    second = _dataset("b", [{"name": "t", "unit": "nm"}], [{"label": "r2", "t": 500.0}])
    found, errors = _plan("frac_o", "t", [first, second])
    assert errors == [] and found is not None
    rows = va.evaluate_plan(found, _analysis("frac_o", "t"), lambda d, r: {"frac_o": 0.1})
    assert rows.y.tolist() == pytest.approx([1.0, 0.5])


def test_every_unit_mismatch_of_a_dataset_is_reported() -> None:
    """Two names in other dimensions in one dataset: two errors."""
    first = _dataset("a", [{"name": "v", "unit": "nm"}, {"name": "w", "unit": "nm"}])
    second = _dataset("b", [{"name": "v", "unit": "mV"}, {"name": "w", "unit": "mV"}])
    found, errors = _plan("v", "w", [first, second])
    assert found is None and [e.message for e in errors] == [
        "'v' is in 'mV' in 'b' but in 'nm' elsewhere",
        "'w' is in 'mV' in 'b' but in 'nm' elsewhere",
    ]


def test_a_unit_error_of_an_axis_keeps_its_hint() -> None:
    """The expression's own hint comes with a unit mistake on an axis."""
    error = _one_error("n", "log10(t)", [_dataset("d", [NUM, THICK])])
    assert error.hint == "divide by a reference value first, e.g. log10(thickness / 1)"


def test_a_temperature_match_near_zero_degrees() -> None:
    """0 °C matches a condition a rounding away from it (an absolute tolerance near zero)."""
    filters = Filters.model_validate({"temperature": "0 °C"})
    assert va.matches(filters, _conditions(temperature="273.1500000005 K")) is True
    assert va.matches(filters, _conditions(temperature="273.16 K")) is False


def test_units_with_an_offset_are_converted() -> None:
    """A column in kelvin pooled with one in degrees Celsius: scale and offset both apply."""
    first = _dataset("a", [{"name": "temp", "unit": "°C"}, NUM], [{"label": "r1", "temp": 25.0, "n": 1}])
    second = _dataset("b", [{"name": "temp", "unit": "K"}, NUM], [{"label": "r2", "temp": 373.15, "n": 2}])
    found, _ = _plan("n", "temp", [first, second])
    assert found is not None
    rows = va.evaluate_plan(found, _analysis("n", "temp"), lambda d, r: {})
    assert rows.y.tolist() == pytest.approx([25.0, 100.0])


def test_filters_go_on_past_a_dropped_record() -> None:
    """A record dropped by its conditions or a value filter does not end the dataset; the
    source filter reads each record's own source; the callbacks get the dataset, the merged
    conditions and the source."""
    data = _dataset(
        "d",
        [NUM],
        [
            {"label": "r1", "n": 1, "conditions": {"cell": "Li||Li"}},
            {"label": "r2", "n": 0},
            {"label": "r3", "n": 3, "source": {"ref": "other-ref"}},
            {"label": "r4", "n": 4},
        ],
        conditions={"cell": "Li||Cu"},
    )
    seen: list[tuple[str, str, Any, str | None]] = []

    def group_of(dataset: Dataset, record: Any, conditions: Any, ref: str | None) -> str:
        seen.append((dataset.id, record.label, conditions, ref))
        return "g"

    asked: list[str] = []

    def descriptors(dataset: Dataset, record: Any) -> dict[str, float]:
        asked.append(dataset.id)
        return {"frac_o": 0.5}

    spec = _analysis("n + frac_o", "n", where={"cell": "Li||Cu", "n": ">= 1"})
    found, _ = va.plan(spec, [data], PROPS)
    assert found is not None
    rows = va.evaluate_plan(found, spec, descriptors, group_of)
    assert rows.labels == ["r3", "r4"]
    assert seen == [
        ("d", "r3", {"cell": "Li||Cu"}, "other-ref"),
        ("d", "r4", {"cell": "Li||Cu"}, SOURCE[0]["ref"]),
    ]
    assert set(asked) == {"d"}
    spec = _analysis("n", "n", where={"source": "other-ref"})
    found, _ = va.plan(spec, [data], PROPS)
    assert found is not None
    assert va.evaluate_plan(found, spec, lambda d, r: {}).labels == ["r3"]


def test_a_value_filter_on_a_missing_value_drops_the_record() -> None:
    """A filtered name without a number (a text, or a descriptor that cannot be computed)
    drops the record quietly."""
    records = [
        {"label": "r1", "n": 1, "v": "x"},
        {"label": "r2", "n": 2, "v": 2},
        {"label": "r3", "n": 3, "v": 3},
    ]
    data = _dataset("d", [NUM, {"name": "v", "unit": "1"}], records)
    spec = _analysis("n", "n", where={"v": "> 0", "frac_o": "> 0"})
    found, _ = va.plan(spec, [data], PROPS)
    assert found is not None
    rows = va.evaluate_plan(found, spec, lambda d, r: {"frac_o": 0.5} if r.label == "r2" else {})
    assert rows.labels == ["r2"]


def test_undefined_parts_name_their_axis() -> None:
    """Each undefined part is listed with the axis it is on."""
    data = _dataset("d", [NUM], [{"label": "r", "n": 0}])
    found, _ = _plan("1 / n", "ln(n)", [data])
    assert found is not None
    rows = va.evaluate_plan(found, _analysis("1 / n", "ln(n)"), lambda d, r: {})
    assert [(axis, item.why) for axis, item in rows.undefined] == [
        ("x", "a division by zero"),
        ("y", "the logarithm of a number <= 0"),
    ]
