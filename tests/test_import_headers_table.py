"""How one header cell of an imported CSV is read, row by row (:mod:`limkb.commands.table_headers`).

Each row is a header cell and the (field, unit, error) it must give against a small dataset's
columns: a reserved field (``label``, ``current_density (mA cm-2)``), a column by its name or its
property id, a unit in brackets checked against the column's, or nothing (``None``: the caller
reports unmatched headers together).
"""

from __future__ import annotations

import pytest

from kbfactory import minimal
from limkb.commands.table_headers import _match_header, _norm, _property_hints
from limkb.schema.kinds import Column, Property

_COLUMNS = [
    Column.model_validate({"name": "ce", "property": "coulombic-efficiency", "unit": "%"}),
    Column.model_validate({"name": "j", "unit": "mA cm-2"}),
    Column.model_validate({"name": "temperature", "unit": "K"}),
    Column.model_validate({"name": "salt", "type": "text"}),
]

_MISMATCH = (
    "the column 'ce' is in '%', but the header says 'mA'; "
    "convert the values to % and write the header as `ce (%)`"
)

Matched = tuple[str | None, str | None, str | None]

_HEADERS: list[tuple[str, str, Matched]] = [
    ("a-reserved-field", "label", ("label", None, None)),
    ("a-reserved-field-in-capitals-and-spaces", "  Label ", ("label", None, None)),
    ("a-hyphen-or-space-reads-as-underscore", "Areal capacity", ("areal_capacity", None, None)),
    ("a-reserved-quantity-with-its-unit", "current-density (mA cm-2)", ("current_density", "mA cm-2", None)),
    ("a-reserved-field-with-a-unit-is-no-field", "note (x)", (None, "x", None)),
    ("a-column-by-name", "CE", ("ce", None, None)),
    ("a-column-by-its-property-id", " Coulombic-Efficiency ", ("ce", None, None)),
    ("a-column-with-its-unit-in-parentheses", "ce (%)", ("ce", "%", None)),
    ("a-column-with-its-unit-in-square-brackets", "ce [%]", ("ce", "%", None)),
    ("no-space-before-the-bracket", "ce(%)", ("ce", "%", None)),
    ("spaces-inside-the-brackets-are-stripped", "ce (  %  )", ("ce", "%", None)),
    ("a-unit-spelled-without-spaces", "j (mAcm-2)", ("j", "mAcm-2", None)),
    ("a-property-id-with-its-unit", "coulombic-efficiency (%)", ("ce", "%", None)),
    ("a-column-with-another-unit", "ce (mA)", ("ce", "mA", _MISMATCH)),
    (
        "a-column-named-like-a-field-is-the-column",
        "temperature (°C)",
        (
            "temperature",
            "°C",
            "the column 'temperature' is in 'K', but the header says '°C'; "
            "convert the values to K and write the header as `temperature (K)`",
        ),
    ),
    ("a-column-without-unit-takes-any", "salt (mol)", ("salt", "mol", None)),
    ("brackets-alone-are-no-unit", "(%)", (None, None, None)),
    ("an-unknown-header", "efficiency", (None, None, None)),
    ("an-unknown-header-keeps-its-unit", "efficiency (%)", (None, "%", None)),
]


@pytest.mark.parametrize(("cell", "expected"), [r[1:] for r in _HEADERS], ids=[r[0] for r in _HEADERS])
def test_a_header_cell_names_a_field_or_a_column(cell: str, expected: Matched) -> None:
    assert _match_header(cell, _COLUMNS) == expected


@pytest.mark.parametrize(
    ("text", "normal"),
    [("Label", "label"), (" a b ", "a_b"), ("a - b", "a_b"), ("a\t-\nb", "a_b"), ("a__b", "a__b")],
    ids=["lower-case", "inner-space", "hyphen-run", "whitespace-run", "underscores-kept"],
)
def test_a_header_is_compared_lower_case_with_runs_of_space_and_hyphens_as_one_underscore(
    text: str, normal: str
) -> None:
    assert _norm(text) == normal


def _property(prop_id: str, name: str, symbol: str | None, aliases: list[str]) -> Property:
    """A percent property with the given name, symbol and aliases."""
    data = minimal("property", name, unit="%", symbol=symbol, aliases=aliases)
    return Property.model_validate({**data, "id": prop_id})


_PROPERTIES = {
    "coulombic-efficiency": _property("coulombic-efficiency", "Coulombic efficiency", "CE", ["LCE"]),
    "capacity-retention": _property("capacity-retention", "Capacity retention", "CR", ["CE"]),
    "other": _property("other", "Other", None, []),
}
_HELD = "'{h}' is Coulombic efficiency: --map \"{h}=ce\""
_NOT_HELD = (
    "'{h}' is Capacity retention (`capacity-retention`), which no column of the dataset holds: "
    "add a column with `property: capacity-retention` to map it to, or --skip it"
)

_HINTS: list[tuple[str, str, str | None]] = [
    ("a-symbol-of-a-held-property", "CE", _HELD),
    ("an-alias-of-a-held-property", "LCE", _HELD),
    ("a-property-name-in-other-case", "coulombic EFFICIENCY", _HELD),
    ("a-symbol-with-a-unit", "LCE (%)", _HELD),
    ("a-symbol-with-spaces-around", " LCE ", _HELD),
    ("a-symbol-no-column-holds", "CR", _NOT_HELD),
    ("the-first-property-to-claim-a-name-keeps-it", "ce", _HELD),
    ("a-property-without-symbol-claims-no-empty-name", "", None),
    ("not-a-property-name", "thickness", None),
]


@pytest.mark.parametrize(("header", "hint"), [r[1:] for r in _HINTS], ids=[r[0] for r in _HINTS])
def test_a_header_that_is_a_property_symbol_or_alias_is_named_as_that_property(
    header: str, hint: str | None
) -> None:
    found = _property_hints([header], _COLUMNS, _PROPERTIES)
    assert found == ([] if hint is None else [(header, hint.format(h=header))])


def test_property_hints_keep_the_order_of_the_headers() -> None:
    found = _property_hints(["CR", "x", "CE"], _COLUMNS, _PROPERTIES)
    assert [header for header, _ in found] == ["CR", "CE"]
