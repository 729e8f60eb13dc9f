"""The plausible-range helpers of :mod:`limkb.check.ranges`, row by row.

Each row names the behaviour it protects: which bounds a property accepts (the possible and the
plausible range, the narrower winning), how they read as text, which values fall outside, and
the guess :func:`likely_cause` makes about out-of-range values (a derived property's values, a
fraction in a percent column, a unit 100 or 1000 times off, or nothing better than "check").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_kb
from limkb.check.ranges import bounds, bounds_text, derived_from, likely_cause, outside
from limkb.check.validate import validate_kb
from limkb.schema.kinds import Property

_LCE = "-log10(1 - ce / 100)"


def _prop(prop_id: str = "ce", unit: str = "%", **fields: Any) -> Property:
    """A property ``prop_id`` in ``unit`` with the given fields (``range``, ``minimum`` ...)."""
    if "defined_as" in fields:
        fields["defined_as"] = {"expression": fields["defined_as"], "source": SOURCE[0]}
    data = minimal("property", prop_id.upper(), unit=unit, **fields)
    return Property.model_validate({**data, "id": prop_id})


_BOUNDS: list[tuple[str, dict[str, Any], tuple[float | None, float | None], str]] = [
    ("nothing-is-any-value", {}, (None, None), "any value %"),
    ("possible-only", {"minimum": 0, "maximum": 100}, (0, 100), "0-100 %"),
    ("minimum-only-reads-at-least", {"minimum": 0}, (0, None), "at least 0 %"),
    ("maximum-only-reads-at-most", {"maximum": 5}, (None, 5), "at most 5 %"),
    ("plausible-alone", {"range": {"min": 10, "max": 90}}, (10, 90), "10-90 %"),
    (
        "plausible-narrower-wins",
        {"minimum": 0, "maximum": 100, "range": {"min": 10, "max": 90}},
        (10, 90),
        "10-90 %",
    ),
    (
        "possible-narrower-wins",
        {"minimum": 20, "maximum": 80, "range": {"min": 10, "max": 90}},
        (20, 80),
        "20-80 %",
    ),
    ("plausible-min-only", {"minimum": 0, "maximum": 100, "range": {"min": 50}}, (50, 100), "50-100 %"),
    ("plausible-max-only", {"minimum": 0, "maximum": 100, "range": {"max": 60}}, (0, 60), "0-60 %"),
]


@pytest.mark.parametrize(
    ("fields", "expected", "text"), [r[1:] for r in _BOUNDS], ids=[r[0] for r in _BOUNDS]
)
def test_bounds_take_the_narrower_of_the_possible_and_plausible_range(
    fields: dict[str, Any], expected: tuple[float | None, float | None], text: str
) -> None:
    prop = _prop(**fields)
    assert bounds(prop) == expected
    assert bounds_text(prop) == text


def test_a_dimensionless_property_has_no_unit_in_its_bounds_text() -> None:
    assert bounds_text(_prop("n", "1", minimum=1, maximum=3)) == "1-3"
    assert bounds_text(_prop("n", "1")) == "any value"


_OUTSIDE: list[tuple[str, float, bool]] = [
    ("below-the-low-bound", 9.5, True),
    ("on-the-low-bound", 10.0, False),
    ("inside", 50.0, False),
    ("on-the-high-bound", 90.0, False),
    ("above-the-high-bound", 90.5, True),
]


@pytest.mark.parametrize(("value", "expected"), [r[1:] for r in _OUTSIDE], ids=[r[0] for r in _OUTSIDE])
def test_outside_is_strictly_beyond_a_bound(value: float, expected: bool) -> None:
    assert outside(value, _prop(range={"min": 10, "max": 90})) is expected


def test_one_sided_bounds_leave_the_other_side_open() -> None:
    assert not outside(1e9, _prop(minimum=0))
    assert outside(-1, _prop(minimum=0))
    assert not outside(-1e9, _prop(maximum=5))
    assert outside(6, _prop(maximum=5))


def test_derived_from_finds_formulas_over_exactly_that_property() -> None:
    """Past properties without a formula, with a broken one or over two names: all are read."""
    ce = _prop(minimum=0, maximum=100)
    lce = _prop("lce", "1", defined_as=_LCE, minimum=0)
    two = _prop("two", "1", defined_as="ce / other")
    broken = _prop("broken", "1", defined_as="ce +")
    properties = {"ce": ce, "broken": broken, "two": two, "lce": lce, "other": _prop("other")}
    assert derived_from("ce", properties) == [lce]
    assert derived_from("lce", properties) == []


_CAUSES: list[tuple[str, list[float], str, str]] = [
    ("no-values", [], "", "check the values and the column's unit"),
    (
        "log-inefficiencies-in-a-ce-column",
        [1.5, 2.0],
        "these look like LCE values (1.5 to 2)",
        "map them to a column holding `lce` (the dataset needs one: add it to `columns:` with "
        "`property: lce`); the other is computed from it, never typed twice",
    ),
    ("fractions-in-a-percent-column", [0.5, 0.5], "these look like fractions (0.5)", "multiply them by 100"),
    ("fractions-include-0-and-1", [0.0, 1.0], "these look like fractions (0 to 1)", "multiply them by 100"),
    (
        "a-value-above-1-is-no-fraction",
        [0.5, 1.5],
        "",
        "check the values and the column's unit (reported CE)",
    ),
    (
        "three-values-a-hundred-times-off",
        [5000.0, 6000.0, 7000.0],
        "these would fit multiplied by 0.01 (5000 to 7000)",
        "check the unit of the column (values of `ce` are in %)",
    ),
    (
        "two-values-are-a-typo-not-a-unit",
        [5000.0, 6000.0],
        "",
        "check the values and the column's unit (reported CE)",
    ),
    (
        "values-no-scale-fits",
        [-5.0, 500.0, 5000.0],
        "",
        "check the values and the column's unit (reported CE)",
    ),
]


@pytest.mark.parametrize(("values", "what", "fix"), [r[1:] for r in _CAUSES], ids=[r[0] for r in _CAUSES])
def test_likely_cause_of_out_of_range_values(values: list[float], what: str, fix: str) -> None:
    ce = _prop(minimum=0, maximum=100, range={"min": 10, "max": 100, "note": "reported CE"})
    lce = _prop("lce", "1", defined_as=_LCE, minimum=1, maximum=4)
    assert likely_cause(values, ce, {"ce": ce, "lce": lce}) == (what, fix)


def test_likely_cause_in_a_derived_column_points_at_the_base_property() -> None:
    ce = _prop(minimum=0, maximum=100, range={"min": 50})
    lce = _prop("lce", "1", defined_as=_LCE, minimum=0, maximum=4)
    what, fix = likely_cause([98.0, 99.0], lce, {"ce": ce, "lce": lce})
    assert what == "these look like CE values (98 to 99)"
    assert fix.startswith("map them to a column holding `ce`")


def test_a_derived_column_also_looks_at_properties_derived_from_it() -> None:
    """Values in an LCE column may be of a property computed from LCE, not only of CE."""
    ce = _prop(minimum=0, maximum=100, range={"min": 50})
    lce = _prop("lce", "1", defined_as=_LCE, minimum=0, maximum=4)
    double = _prop("double", "1", defined_as="2 * lce", minimum=5, maximum=8)
    what, _ = likely_cause([6.0, 7.0], lce, {"double": double, "ce": ce, "lce": lce})
    assert what == "these look like DOUBLE values (6 to 7)"


def test_a_related_property_without_bounds_is_no_guess() -> None:
    ce = _prop(range={"min": 10, "max": 100})
    lce = _prop("lce", "1", defined_as=_LCE)
    assert likely_cause([1.5, 2.0, 3.0], ce, {"ce": ce, "lce": lce})[0] == ""


def test_fractions_are_guessed_only_in_a_percent_column() -> None:
    nm = _prop("t", "nm", range={"min": 2, "max": 100})
    assert likely_cause([0.5], nm, {"t": nm}) == ("", "check the values and the column's unit")


@pytest.mark.parametrize(
    ("values", "low", "high", "factor"),
    [
        ([0.2, 0.3, 0.4], 150.0, 500.0, "1000"),
        ([20000.0, 30000.0, 40000.0], 15.0, 50.0, "0.001"),
        ([0.2, 0.3, 0.4], 15.0, 50.0, "100"),
        ([2000.0, 3000.0, 4000.0], 15.0, 50.0, "0.01"),
    ],
    ids=["milli-too-small", "milli-too-large", "percent-too-small", "percent-too-large"],
)
def test_each_scale_is_tried_for_three_values_or_more(
    values: list[float], low: float, high: float, factor: str
) -> None:
    nm = _prop("t", "nm", range={"min": low, "max": high})
    what, _ = likely_cause(values, nm, {"t": nm})
    assert what.startswith(f"these would fit multiplied by {factor} (")


# --- the validator's rules on properties and datasets ---------------------------------------

Found = tuple[str, int, int, str, str, str, str | None]
_CE = minimal("property", "CE", unit="%", minimum=0, maximum=100)
_NARROW = "the plausible range is a part of the possible one: narrow it"
_FRACTIONS = "these look like fractions (0.5 to 0.6): multiply them by 100 (percentages are 0-100)"
_ONE = "a derived property is a formula over exactly one other property id"


def _derived(expression: str, unit: str = "1") -> dict[str, Any]:
    """A property ``lce`` in ``unit`` defined by ``expression``."""
    definition = {"expression": expression, "source": SOURCE[0]}
    return minimal("property", "LCE", unit=unit, minimum=0, defined_as=definition)


def _found(tmp_path: Path, entries: dict[str, Any]) -> list[Found]:
    """Every error of validating a tiny KB: (file name, line, col, code, message, hint, entry)."""
    report = validate_kb(write_kb(tmp_path, entries)).report
    return [(Path(p.path).name, p.line, p.col, p.code, p.message, p.hint, p.entry) for p in report.errors]


_RULES: list[tuple[str, dict[str, Any], list[Found]]] = [
    (
        "a-range-upside-down-and-outside-the-possible-one",
        {
            "properties/p": minimal(
                "property", unit="%", minimum=0, maximum=100, range={"min": 120, "max": -5}
            )
        },
        [
            (
                "p.yaml",
                8,
                8,
                "out-of-range",
                "range min 120 is larger than range max -5",
                "swap the two values",
                "p",
            ),
            (
                "p.yaml",
                8,
                8,
                "out-of-range",
                "range min 120 lies outside the possible values (minimum/maximum)",
                _NARROW,
                "p",
            ),
            (
                "p.yaml",
                9,
                8,
                "out-of-range",
                "range max -5 lies outside the possible values (minimum/maximum)",
                _NARROW,
                "p",
            ),
        ],
    ),
    (
        "a-range-of-one-value-on-the-possible-bounds",
        {
            "properties/p": minimal(
                "property", unit="%", minimum=0, maximum=100, range={"min": 100, "max": 100}
            )
        },
        [],
    ),
    (
        "a-range-below-the-minimum",
        {"properties/p": minimal("property", unit="%", minimum=0, range={"min": -1})},
        [
            (
                "p.yaml",
                7,
                8,
                "out-of-range",
                "range min -1 lies outside the possible values (minimum/maximum)",
                _NARROW,
                "p",
            )
        ],
    ),
    (
        "a-range-max-alone-above-the-maximum",
        {"properties/p": minimal("property", unit="%", maximum=100, range={"max": 101})},
        [
            (
                "p.yaml",
                7,
                8,
                "out-of-range",
                "range max 101 lies outside the possible values (minimum/maximum)",
                _NARROW,
                "p",
            )
        ],
    ),
    ("a-usable-definition", {"properties/ce": _CE, "properties/lce": _derived("-log10(1 - ce / 100)")}, []),
    (  # the hint never offers the property's own id
        "a-definition-over-itself",
        {"properties/ce": _CE, "properties/lce": _derived("-log10(1 - lce / 100)")},
        [
            (
                "lce.yaml",
                7,
                15,
                "bad-definition",
                "'lce' is not another property; did you mean 'ce'?",
                "name the property it is computed from by its id, e.g. `coulombic-efficiency`",
                "lce",
            )
        ],
    ),
    (
        "a-definition-over-a-look-alike",
        {"properties/ce": _CE, "properties/lce": _derived("-log10(1 - cee / 100)")},
        [
            (
                "lce.yaml",
                7,
                15,
                "bad-definition",
                "'cee' is not another property; did you mean 'ce'?",
                "name the property it is computed from by its id, e.g. `coulombic-efficiency`",
                "lce",
            )
        ],
    ),
    (
        "a-definition-over-no-property",
        {"properties/ce": _CE, "properties/lce": _derived("2")},
        [("lce.yaml", 7, 15, "bad-definition", "the formula names 0 quantities (none)", _ONE, "lce")],
    ),
    (
        "a-definition-over-two-properties",
        {
            "properties/ce": _CE,
            "properties/p2": minimal("property", unit="%"),
            "properties/lce": _derived("ce * p2"),
        },
        [("lce.yaml", 7, 15, "bad-definition", "the formula names 2 quantities (ce, p2)", _ONE, "lce")],
    ),
    (
        "a-definition-that-cannot-be-inverted",
        {"properties/ce": _CE, "properties/lce": _derived("abs(ce)")},
        [
            (
                "lce.yaml",
                7,
                15,
                "bad-definition",
                "abs() cannot be inverted",
                "write the formula without it",
                "lce",
            )
        ],
    ),
    (
        "a-definition-in-another-dimension",
        {"properties/ce": _CE, "properties/lce": _derived("ce", "nm")},
        [
            (
                "lce.yaml",
                7,
                15,
                "bad-definition",
                "the formula gives a value in another dimension than 'nm'",
                "check the formula and the units of 'lce' and 'ce'",
                "lce",
            )
        ],
    ),
    (
        "stored-values-outside-the-range-with-their-likely-cause",
        {
            "properties/ce": minimal("property", "CE", unit="%", minimum=0, maximum=100, range={"min": 10}),
            "datasets/d": minimal(
                "dataset",
                "D",
                columns=[
                    {"name": "a", "property": "ce", "unit": "%"},
                    {"name": "t", "property": "ce", "type": "text"},
                ],
                records=[
                    {"label": "r1", "a": 0.5, "t": "x"},
                    {"label": "r2", "a": 0.6},
                    {"label": "r3", "a": 50},
                ],
            ),
        },
        [
            (
                "d.yaml",
                11,
                6,
                "out-of-range",
                "a = 0.5 % for 'r1' is outside 'ce''s range 10-100 %",
                _FRACTIONS,
                "d",
            ),
            (
                "d.yaml",
                14,
                6,
                "out-of-range",
                "a = 0.6 % for 'r2' is outside 'ce''s range 10-100 %",
                _FRACTIONS,
                "d",
            ),
        ],
    ),
    (
        "a-range-starting-on-the-minimum",
        {"properties/p": minimal("property", unit="%", minimum=0, range={"min": 0})},
        [],
    ),
    (
        "a-definition-over-a-name-like-no-property",
        {"properties/ce": _CE, "properties/lce": _derived("-log10(1 - zzzz / 100)")},
        [
            (
                "lce.yaml",
                7,
                15,
                "bad-definition",
                "'zzzz' is not another property",
                "name the property it is computed from by its id, e.g. `coulombic-efficiency`",
                "lce",
            )
        ],
    ),
    (  # columns skipped (text, no property, another dimension) and records without a value do not stop the others
        "each-column-gets-its-own-cause-past-columns-and-records-skipped",
        {
            "properties/ce": minimal("property", "CE", unit="%", minimum=0, maximum=100, range={"min": 10}),
            "datasets/d": minimal(
                "dataset",
                "D",
                columns=[
                    {"name": "t", "property": "ce", "type": "text"},
                    {"name": "n", "unit": "1"},
                    {"name": "f", "property": "ce", "unit": "1"},
                    {"name": "a", "property": "ce", "unit": "%"},
                    {"name": "b", "property": "ce", "unit": "%"},
                ],
                records=[
                    {"label": "r0", "t": "x", "n": 3, "f": 0.5},
                    {"label": "r1", "a": 0.5, "b": 5},
                    {"label": "r2", "a": 0.6},
                ],
            ),
        },
        [
            (
                "d.yaml",
                10,
                9,
                "unit-mismatch",
                "column 'f' is in '1' (dimensionless), which cannot be converted to 'ce''s unit '%' (percent)",
                "state the values in '%' (or a unit of the same dimension); atomic, mass, volume and molar "
                "percentages are different quantities",
                "d",
            ),
            (
                "d.yaml",
                23,
                6,
                "out-of-range",
                "a = 0.5 % for 'r1' is outside 'ce''s range 10-100 %",
                _FRACTIONS,
                "d",
            ),
            (
                "d.yaml",
                24,
                6,
                "out-of-range",
                "b = 5 % for 'r1' is outside 'ce''s range 10-100 %",
                "check the values and the column's unit (percentages are 0-100)",
                "d",
            ),
            (
                "d.yaml",
                26,
                6,
                "out-of-range",
                "a = 0.6 % for 'r2' is outside 'ce''s range 10-100 %",
                _FRACTIONS,
                "d",
            ),
        ],
    ),
    (
        "a-dataset-holding-a-property-and-one-derived-from-it",
        {
            "properties/ce": _CE,
            "properties/p2": minimal("property", unit="%"),
            "properties/lce": _derived("-log10(1 - ce / 100)"),
            "datasets/d": minimal(
                "dataset",
                "D",
                columns=[
                    {"name": "x", "property": "p2", "unit": "%"},
                    {"name": "b", "property": "lce", "unit": "1"},
                    {"name": "a", "property": "ce", "unit": "%"},
                ],
            ),
        },
        [
            (
                "d.yaml",
                10,
                13,
                "typed-twice",
                "columns 'a' (ce) and 'b' (lce) hold one measurement twice: lce is computed from ce",
                "keep the column the source reports and delete the other; analyses compute it",
                "d",
            )
        ],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [r[1:] for r in _RULES], ids=[r[0] for r in _RULES])
def test_the_rules_on_ranges_definitions_and_typed_twice_name_each_problem(
    tmp_path: Path, entries: dict[str, Any], expected: list[Found]
) -> None:
    assert _found(tmp_path, entries) == expected
