"""The dataset and property rules of :mod:`limkb.check.rules`, row by row: each row a tiny KB and
every problem it must get (file, line, column, code, message, hint and the entry it names), and
nothing else. The rows follow the steps of a dataset's check: its columns, its composition groups,
each record's cells (known column, type, range) and the sum of each record's composition; then
duplicate records, percentages that look like fractions, and a property's own bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import Found, minimal
from kbfactory import located_problems as _problems
from limkb.check.rules import COMPOSITION_TOLERANCE, FRACTION_HINT, fraction_columns
from limkb.schema.kinds import Column

_TYPE_HINT = "write a bare number (no quotes, no unit); leave the cell out when unknown"
_SUM_HINT = "check the values: parts of one composition cannot exceed the whole"
_PART_HINT = "list only columns in `%` (or `at%`, `wt%`, `vol%`, `mol%`) as parts of one whole"
_MISMATCH_HINT = (
    "state the values in '%' (or a unit of the same dimension); atomic, mass, volume and molar "
    "percentages are different quantities"
)
_DUPLICATE_HINT = (
    "delete one of them; if they are two measurements, give each its own label (e.g. the current "
    "density); `limkb import-table --replace` updates rows instead of adding them"
)
_MISMATCH = "column 'f' is in 'nm' (length), which cannot be converted to 'p''s unit '%' (percent)"


def ds(
    columns: list[dict[str, Any]], records: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A dataset entry named D with ``columns`` and ``records``."""
    return minimal("dataset", "D", columns=columns, records=records or [], **extra)


def prop(unit: str = "%", **extra: Any) -> dict[str, Any]:
    """A property entry named P in ``unit``."""
    return minimal("property", "P", unit=unit, scope="sei", desired="higher", **extra)


def _d(line: int, col: int, code: str, message: str, hint: str) -> Found:
    return ("datasets/d.yaml", line, col, f"error[{code}]", message, hint, "d")


def _p(line: int, col: int, message: str, hint: str) -> Found:
    return ("properties/p.yaml", line, col, "error[out-of-range]", message, hint, "p")


TEXT = {"type": "text"}
_ROWS: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "a column declared twice is named at the second",
        {"datasets/d": ds([{"name": "a", **TEXT}, {"name": "a", **TEXT}])},
        [_d(5, 9, "duplicate-column", "column 'a' is declared twice", "rename or remove one")],
    ),
    (
        "a column named like a record's own field",
        {"datasets/d": ds([{"name": "label", **TEXT}])},
        [
            _d(
                3,
                9,
                "bad-value",
                "column name 'label' is reserved: records use `label:` for their own field",
                "rename the column, e.g. to `label_value`",
            )
        ],
    ),
    (
        "columns after one declared twice are still checked",
        {"datasets/d": ds([{"name": "a", **TEXT}, {"name": "a", **TEXT}, {"name": "label", **TEXT}])},
        [
            _d(5, 9, "duplicate-column", "column 'a' is declared twice", "rename or remove one"),
            _d(
                7,
                9,
                "bad-value",
                "column name 'label' is reserved: records use `label:` for their own field",
                "rename the column, e.g. to `label_value`",
            ),
        ],
    ),
    (
        "a group after one that is not summed is still summed",
        {
            "datasets/d": ds(
                [{"name": "a", "unit": "%"}, {"name": "b", "unit": "%"}, {"name": "c", "unit": "nm"}],
                [{"label": "r1", "a": 60, "b": 50}],
                composition=[["a", "c"], ["a", "b"]],
            )
        },
        [
            _d(10, 3, "composition-sum", "a + b of 'r1' add up to 110 %, more than 100 %", _SUM_HINT),
            _d(
                15,
                5,
                "composition-unit",
                "composition names 'c', whose unit is 'nm', not a percentage",
                _PART_HINT,
            ),
        ],
    ),
    (
        "a group naming no column is reported once and not summed",
        {
            "datasets/d": ds(
                [{"name": "a", "unit": "%"}], [{"label": "r1", "a": 60}], composition=[["a", "x"]]
            )
        },
        [_d(10, 5, "unknown-column", "composition names 'x', which is not a column", "use one of: a")],
    ),
    (
        "a column whose unit its property cannot convert",
        {"properties/p": prop(), "datasets/d": ds([{"name": "f", "property": "p", "unit": "nm"}])},
        [_d(5, 9, "unit-mismatch", _MISMATCH, _MISMATCH_HINT)],
    ),
    (
        "a column in another unit of the property's dimension is fine",
        {"properties/p": prop("nm"), "datasets/d": ds([{"name": "f", "property": "p", "unit": "um"}])},
        [],
    ),
    (
        "a composition naming no column, and one naming a column that is not a percentage",
        {
            "properties/p": prop("nm"),
            "datasets/d": ds(
                [{"name": "f", "property": "p", "unit": "nm"}, {"name": "g", "unit": "%"}],
                composition=[["g", "x"], ["f"]],
            ),
        },
        [
            _d(11, 5, "unknown-column", "composition names 'x', which is not a column", "use one of: f, g"),
            _d(
                12,
                5,
                "composition-unit",
                "composition names 'f', whose unit is 'nm', not a percentage",
                _PART_HINT,
            ),
        ],
    ),
    (
        "each cell of the wrong type, and values for columns that do not exist (with a close match)",
        {
            "datasets/d": ds(
                [
                    {"name": "t", **TEXT},
                    {"name": "i", "type": "integer", "unit": "1"},
                    {"name": "n", "unit": "1"},
                ],
                [{"label": "r1", "t": 3, "i": 2.5, "n": "x", "colour": 1, "tt": 2}],
            )
        },
        [
            _d(
                12,
                6,
                "column-type",
                "'t' is a text column, but 'r1' has the number 3",
                "put the value in double quotes",
            ),
            _d(13, 6, "column-type", "'i' holds integers, but 'r1' has the number 2.5", _TYPE_HINT),
            _d(14, 6, "column-type", "'n' holds numbers, but 'r1' has the text 'x'", _TYPE_HINT),
            _d(
                15,
                11,
                "unknown-column",
                "record 'r1' has a value for 'colour', which is not a column",
                "use one of the declared columns: t, i, n",
            ),
            _d(
                16,
                7,
                "unknown-column",
                "record 'r1' has a value for 'tt', which is not a column; did you mean 't'?",
                "use one of the declared columns: t, i, n",
            ),
        ],
    ),
    (
        "empty cells and cells of the right type are fine",
        {
            "datasets/d": ds(
                [
                    {"name": "t", **TEXT},
                    {"name": "i", "type": "integer", "unit": "1"},
                    {"name": "n", "unit": "1"},
                ],
                [
                    {"label": "r1", "t": None, "n": None, "i": None},
                    {"label": "r2", "t": "ok", "i": 3, "n": 2.5},
                ],
            )
        },
        [],
    ),
    (
        "parts of one whole above 100 % plus the tolerance, each record once; a group with a "
        "non-percentage column is not summed",
        {
            "datasets/d": ds(
                [{"name": "a", "unit": "%"}, {"name": "b", "unit": "wt%"}, {"name": "c", "unit": "nm"}],
                [
                    {"label": "r1", "a": 60, "b": 40 + COMPOSITION_TOLERANCE},
                    {"label": "r2", "a": 60, "b": 40.6},
                    {"label": "r3", "a": "x", "b": 101},
                    {"label": "r4"},
                ],
                composition=[["a", "b"], ["a", "c"]],
            )
        },
        [
            _d(13, 3, "composition-sum", "a + b of 'r2' add up to 100.6 %, more than 100 %", _SUM_HINT),
            _d(16, 3, "composition-sum", "a + b of 'r3' add up to 101 %, more than 100 %", _SUM_HINT),
            _d(17, 6, "column-type", "'a' holds numbers, but 'r3' has the text 'x'", _TYPE_HINT),
            _d(
                18,
                6,
                "out-of-range",
                "b = 101 wt% for 'r3' is impossible: values in wt% are 0 to 100",
                "check the value and the column's unit (percentages are 0-100)",
            ),
            _d(
                24,
                5,
                "composition-unit",
                "composition names 'c', whose unit is 'nm', not a percentage",
                _PART_HINT,
            ),
        ],
    ),
    (
        "a value outside its property's range names the property; one outside its unit's names the unit",
        {
            "properties/p": prop("%", minimum=0, maximum=100),
            "datasets/d": ds(
                [{"name": "f", "property": "p", "unit": "%"}, {"name": "n", "unit": "nm"}],
                [{"label": "r1", "f": 120, "n": -1}],
            ),
        },
        [
            _d(
                10,
                6,
                "out-of-range",
                "f = 120 % for 'r1' is outside 'p''s range 0-100 %",
                "check the values and the column's unit (percentages are 0-100)",
            ),
            _d(
                11,
                6,
                "out-of-range",
                "n = -1 nm for 'r1' is impossible: values in nm are 0 or more",
                "check the value and the column's unit",
            ),
        ],
    ),
    (
        "a percentage below 0 without a property",
        {"datasets/d": ds([{"name": "f", "unit": "%"}], [{"label": "r1", "f": -3}])},
        [
            _d(
                7,
                6,
                "out-of-range",
                "f = -3 % for 'r1' is impossible: values in % are 0 to 100",
                "check the value and the column's unit (percentages are 0-100)",
            )
        ],
    ),
    (
        "a value is judged in its property's unit and shown in the column's",
        {
            "properties/p": prop("nm", maximum=100),
            "datasets/d": ds([{"name": "f", "property": "p", "unit": "um"}], [{"label": "r1", "f": 0.2}]),
        },
        [
            _d(
                8,
                6,
                "out-of-range",
                "f = 0.2 um for 'r1' is outside 'p''s range at most 100 nm",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "a percentage property whose range ends below 100 gives no percentage hint",
        {
            "properties/p": prop("%", maximum=50),
            "datasets/d": ds([{"name": "f", "property": "p", "unit": "%"}], [{"label": "r1", "f": 60}]),
        },
        [
            _d(
                8,
                6,
                "out-of-range",
                "f = 60 % for 'r1' is outside 'p''s range at most 50 %",
                "check the values and the column's unit",
            )
        ],
    ),
    (
        "a column its property cannot convert is still held to its own unit's range",
        {
            "properties/p": prop("%"),
            "datasets/d": ds([{"name": "f", "property": "p", "unit": "nm"}], [{"label": "r1", "f": -1}]),
        },
        [
            _d(5, 9, "unit-mismatch", _MISMATCH, _MISMATCH_HINT),
            _d(
                8,
                6,
                "out-of-range",
                "f = -1 nm for 'r1' is impossible: values in nm are 0 or more",
                "check the value and the column's unit",
            ),
        ],
    ),
    (
        "a column its property cannot convert is not held to the property's bounds",
        {
            "properties/p": prop("%", minimum=0, maximum=100),
            "datasets/d": ds([{"name": "f", "property": "p", "unit": "nm"}], [{"label": "r1", "f": -1}]),
        },
        [
            _d(5, 9, "unit-mismatch", _MISMATCH, _MISMATCH_HINT),
            _d(
                8,
                6,
                "out-of-range",
                "f = -1 nm for 'r1' is impossible: values in nm are 0 or more",
                "check the value and the column's unit",
            ),
        ],
    ),
    (
        "values at the very ends of their unit's range are fine",
        {
            "datasets/d": ds(
                [{"name": "n", "unit": "nm"}, {"name": "f", "unit": "%"}], [{"label": "r1", "n": 0, "f": 100}]
            )
        },
        [],
    ),
    (
        "the same label twice is named at the second, with the line of the first",
        {
            "datasets/d": ds(
                [{"name": "n", "unit": "1"}],
                [{"label": "a", "n": 1}, {"label": "b", "n": 1}, {"label": "a", "n": 2}],
            )
        },
        [_d(10, 10, "duplicate-record", "record 'a' is already record 1 (line 6)", _DUPLICATE_HINT)],
    ),
    (
        "the line of the first is its label's, not its record's",
        {"datasets/d": ds([{"name": "n", "unit": "1"}], [{"n": 1, "label": "a"}, {"n": 2, "label": "a"}])},
        [_d(9, 10, "duplicate-record", "record 'a' is already record 1 (line 7)", _DUPLICATE_HINT)],
    ),
    (
        "the same label from the same source names the source",
        {
            "datasets/d": ds(
                [{"name": "n", "unit": "1"}],
                [
                    {"label": "a", "n": 1, "source": {"ref": "smith2020test", "locator": "T"}},
                    {"label": "a", "n": 2, "source": {"ref": "smith2020test", "locator": "T2"}},
                ],
            )
        },
        [
            _d(
                11,
                10,
                "duplicate-record",
                "record 'a' from 'smith2020test' is already record 1 (line 6)",
                _DUPLICATE_HINT,
            )
        ],
    ),
    (
        "a record citing the dataset's first source is the one that cites none",
        {
            "datasets/d": ds(
                [{"name": "n", "unit": "1"}],
                [
                    {"label": "a", "n": 1},
                    {"label": "a", "n": 2, "source": {"ref": "smith2020test", "locator": "T2"}},
                ],
            )
        },
        [
            _d(
                8,
                10,
                "duplicate-record",
                "record 'a' from 'smith2020test' is already record 1 (line 6)",
                _DUPLICATE_HINT,
            )
        ],
    ),
    (
        "the same label from another paper is another measurement",
        {
            "references/jones2021another": {"title": "Another", "authors": ["Jones, B."], "year": 2021},
            "datasets/d": ds(
                [{"name": "n", "unit": "1"}],
                [
                    {"label": "a", "n": 1},
                    {"label": "a", "n": 2, "source": {"ref": "jones2021another", "locator": "T"}},
                ],
            ),
        },
        [],
    ),
    (
        "percentages that all lie within 0-1 look like fractions",
        {
            "datasets/d": ds(
                [{"name": "f", "unit": "%"}],
                [{"label": f"r{i}", "f": v} for i, v in enumerate([0.1, 0.2, 0.5, 0.9])],
            )
        },
        [
            _d(
                4,
                9,
                "fraction-as-percent",
                "column 'f' is in '%', but all its 4 values lie within 0-1 (0.1, 0.2, 0.5, ...)",
                FRACTION_HINT,
            )
        ],
    ),
    (
        "not when the column's property says its percentages stay below 1",
        {
            "properties/p": prop("%", maximum=1),
            "datasets/d": ds(
                [{"name": "f", "property": "p", "unit": "%"}],
                [{"label": f"r{i}", "f": v} for i, v in enumerate([0.1, 0.2, 0.5, 0.9])],
            ),
        },
        [],
    ),
    (
        "a property's minimum above its maximum",
        {"properties/p": prop("%", minimum=5, maximum=3)},
        [_p(5, 10, "minimum 5 is larger than maximum 3", "swap the two values")],
    ),
    (
        "a property's minimum equal to its maximum is fine",
        {"properties/p": prop("%", minimum=5, maximum=5)},
        [],
    ),
    (
        "a property's bounds outside what its unit allows, with the percentage hint",
        {"properties/p": prop("%", minimum=-1, maximum=101)},
        [
            _p(
                5,
                10,
                "minimum -1 % is impossible for a value in %",
                "check the bound (percentages are 0-100)",
            ),
            _p(
                6,
                10,
                "maximum 101 % is impossible for a value in %",
                "check the bound (percentages are 0-100)",
            ),
        ],
    ),
    (
        "a property's bound below its unit's zero, without the percentage hint",
        {"properties/p": prop("K", minimum=-1)},
        [_p(5, 10, "minimum -1 K is impossible for a value in K", "check the bound")],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [row[1:] for row in _ROWS], ids=[row[0] for row in _ROWS])
def test_each_dataset_and_property_rule_reports_exactly_its_problems(
    tmp_path: Path, entries: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    assert _problems(tmp_path, entries) == expected


def _column(name: str = "f", unit: str | None = "%", **extra: Any) -> Column:
    return Column.model_validate({"name": name, "unit": unit, **extra})


FOUR = [0.1, 0.2, 0.5, 0.9]


@pytest.mark.parametrize(
    ("column", "values", "maximum", "flagged"),
    [
        (_column(), FOUR, None, True),
        (_column(unit="at%"), FOUR, None, True),
        (_column(), [0.0, 0.0, 0.0, 1.0], None, True),
        (_column(), FOUR[:3], None, False),
        (_column(), [0.0, 0.0, 0.0, 0.0], None, False),
        (_column(), [0.1, 0.2, 0.5, 1.01], None, False),
        (_column(), [0.1, 0.2, 0.5, -0.01], None, False),
        (_column(), FOUR, 1.0, False),
        (_column(), FOUR, 1.5, True),
        (_column(unit="1"), FOUR, None, False),
        (_column(unit=None, type="text"), FOUR, None, False),
        (_column(type="text", unit="%"), FOUR, None, False),
    ],
    ids=[
        "four-fractions",
        "any-percentage",
        "one-at-one",
        "three-are-too-few",
        "all-zero",
        "one-above-one",
        "one-below-zero",
        "property-maximum-1",
        "property-maximum-above-1",
        "not-a-percentage",
        "text-without-unit",
        "text-column",
    ],
)
def test_a_percentage_column_of_fractions_is_found_from_four_values(
    column: Column, values: list[float], maximum: float | None, flagged: bool
) -> None:
    records: list[dict[str, Any]] = [{"f": v} for v in values]
    found = fraction_columns([_column("g", "1"), column], records, {"f": maximum})
    assert [i for i, _ in found] == ([1] if flagged else [])


def test_fractions_skip_text_and_booleans_and_show_the_first_three_values() -> None:
    records: list[dict[str, Any]] = [{"f": v} for v in [0.25, "x", True, 0.5, 0.75, None, 1]]
    assert fraction_columns([_column()], records, {}) == [
        (0, "column 'f' is in '%', but all its 4 values lie within 0-1 (0.25, 0.5, 0.75, ...)")
    ]


def test_a_column_left_alone_for_its_property_does_not_end_the_search() -> None:
    """A column whose property allows only values up to 1 is skipped, and the next is still judged."""
    records: list[dict[str, Any]] = [{"f": v, "h": v} for v in FOUR]
    found = fraction_columns([_column("f"), _column("h")], records, {"f": 1.0, "h": None})
    assert [i for i, _ in found] == [1]
