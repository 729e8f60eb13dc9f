"""The analysis and formulation rules of :mod:`limkb.check.rules`, row by row: each row a tiny KB
and every problem it must get (file, line, column, code, message, hint and the entry it names),
and nothing else. The rows follow the checks: an analysis's variables (``_check_analyses``), the
electrolytes it takes descriptors of (``_check_descriptors``), the records its expressions give no
value for (``_check_defined``), and every electrolyte written as text (``_check_formulations``),
with the materials it may name (``_material_index``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, Found, minimal
from kbfactory import located_problems as _problems

_MISSING_HINT = (
    "name a column (`ce`, or `dataset-id.ce`), a property, or a descriptor (`frac_f`); to add a "
    "property see CONTRIBUTING.md, 'Add a property'"
)
_MISSING_CEE = "'cee' is not a column, property or descriptor of any dataset; did you mean 'ce'?"
_UNDEFINED_HINT = "these records are left out of the analysis; check the expression (or the records' values)"
_NO_DOL_DENSITY = (
    "material 'dol' has no density, which a molarity (mol per litre of solvent) needs, so analysis "
    "'a' cannot compute"
)
_DENSITY_HINT = (
    "add `density: {value: ..., unit: g/cm3, source: {ref: ..., locator: ...}}` to "
    "kb/materials/dol.yaml, or write the formulation as a molar ratio"
)
_DMX = "'DMX' is not a material; did you mean 'DME'?"
_DMX_HINT = (
    "write 'DME' if that is the compound meant; otherwise add the material (`limkb new material "
    "<id>`) or this name to an existing material's `aliases:` (CONTRIBUTING.md, 'Electrolyte "
    "formulations')"
)


def _material(name: str, formula: str, role: str, density: float | None = None) -> dict[str, Any]:
    """A material named ``name`` (also its alias), with a formula and, when given, a density."""
    fields: dict[str, Any] = {"aliases": [name], "formula": formula, "roles": [role]}
    if density is not None:
        fields["density"] = {"value": density, "unit": "g/cm3", "source": SOURCE[0]}
    return minimal("material", name, **fields)


BASE: dict[str, dict[str, Any]] = {
    "properties/coulombic-efficiency": minimal("property", "CE", unit="%", scope="cell", maximum=100),
    "materials/lifsi": _material("LiFSI", "LiN(SO2F)2", "salt"),
    "materials/dme": _material("DME", "C4H10O2", "solvent", 0.868),
    "materials/dol": _material("DOL", "C3H6O2", "solvent"),
}
"""A property, a salt, a solvent with a density and one without."""


def ds(records: list[dict[str, Any]], name: str = "D", **extra: Any) -> dict[str, Any]:
    """A dataset with one column ``ce`` (Coulombic efficiency, %) and ``records``."""
    columns = [{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}]
    return minimal("dataset", name, columns=columns, records=records, **extra)


def recs(*ces: float) -> list[dict[str, Any]]:
    """Records r0, r1, ... with these Coulombic efficiencies."""
    return [{"label": f"r{i}", "ce": ce} for i, ce in enumerate(ces)]


def an(x: str, y: str, **extra: Any) -> dict[str, Any]:
    """An analysis of ``y`` against ``x``."""
    return minimal("analysis", "An", x=x, y=y, **extra)


def kb(**entries: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """BASE and ``entries`` (keyword ``datasets__d`` is the entry ``datasets/d``)."""
    return {**BASE, **{key.replace("__", "/"): value for key, value in entries.items()}}


def _at(
    file: str, line: int, col: int, code: str, message: str, hint: str, *, warning: bool = False
) -> Found:
    """A problem in ``kb/<file>.yaml`` naming the entry ``file``'s stem."""
    severity = "warning" if warning else "error"
    return (f"{file}.yaml", line, col, f"{severity}[{code}]", message, hint, file.rsplit("/", 1)[1])


def _undefined(line: int, col: int, message: str) -> Found:
    return _at("analyses/a", line, col, "undefined-value", message, _UNDEFINED_HINT, warning=True)


def _no_descriptor(file: str, line: int, col: int, written: str, computed: str) -> Found:
    message = f"electrolyte {written!r}: {_NO_DOL_DENSITY} {computed}"
    return _at(file, line, col, "no-descriptor", message, _DENSITY_HINT)


def _dmx(line: int, col: int, file: str = "datasets/d", written: str = "1 M LiFSI in DMX") -> Found:
    return _at(file, line, col, "bad-formulation", f"electrolyte {written!r}: {_DMX}", _DMX_HINT)


_LOG = "the logarithm of a number <= 0"
_DOL = "1 M LiFSI in DOL"
_LIST = [{"material": "dol", "role": "solvent"}]
_BROKEN_PROPERTY = {"name": "P", "unit": 3, "scope": "sei", "desired": "higher", "sources": SOURCE}
_ROWS: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "a name no dataset holds is placed at its span in y",
        kb(datasets__d=ds(recs(99)), analyses__a=an("ce", "2 * cee")),
        [_at("analyses/a", 3, 8, "missing-variable", f"y: {_MISSING_CEE}", _MISSING_HINT)],
    ),
    (
        "a name no dataset holds is placed at its span in x, after what comes before it",
        kb(datasets__d=ds(recs(99)), analyses__a=an("1 + cee", "ce")),
        [_at("analyses/a", 2, 8, "missing-variable", f"x: {_MISSING_CEE}", _MISSING_HINT)],
    ),
    (
        "an expression that does not parse is placed where it breaks",
        kb(datasets__d=ds(recs(99)), analyses__a=an("ce +", "ce")),
        [
            _at(
                "analyses/a",
                2,
                8,
                "bad-expression",
                "x: the expression ends where a number or a name should follow",
                "complete it with a number or a name",
            )
        ],
    ),
    (
        "a filter on no variable is placed at its key in `where`, not at the first key",
        kb(datasets__d=ds(recs(99)), analyses__a=an("ce", "ce", where={"protocol": "x", "cex": ">= 3"})),
        [
            _at(
                "analyses/a",
                6,
                3,
                "missing-variable",
                "where: 'cex' is not a condition, column, property or descriptor of any dataset; "
                "did you mean 'ce'?",
                "filter on a condition (cell, protocol, current_density, areal_capacity, temperature, "
                "cycles, source) or a variable: a column (`ce`, or `dataset-id.ce`), a property, or a "
                "descriptor (`frac_f`); to add a property see CONTRIBUTING.md, 'Add a property'",
            )
        ],
    ),
    (
        "an unknown property id is left to the link check, and the next analysis is still checked",
        kb(datasets__d=ds(recs(99)), analyses__a=an("ce", "sei-thick"), analyses__b=an("ce", "cee")),
        [
            _at(
                "analyses/a",
                3,
                4,
                "unknown-ref",
                "'sei-thick' is not an entry",
                "add the property with `limkb new property sei-thick` (CONTRIBUTING.md, 'Add a property')",
            ),
            ("analyses/b.yaml", 3, 4, "error[missing-variable]", f"y: {_MISSING_CEE}", _MISSING_HINT, "b"),
        ],
    ),
    (
        "a known property id keeps the analysis checked",
        kb(datasets__d=ds(recs(99)), analyses__a=an("coulombic-efficiency", "cee")),
        [_at("analyses/a", 3, 4, "missing-variable", f"y: {_MISSING_CEE}", _MISSING_HINT)],
    ),
    (
        "a dataset that fails its schema is not read: the analysis is checked against the others",
        kb(
            datasets__d=ds(recs(99)),
            datasets__e={"name": "E", "columns": 3, "records": [{"label": "r", "cee": 1}], "sources": SOURCE},
            analyses__a=an("ce", "cee"),
        ),
        [
            _at(
                "analyses/a",
                3,
                4,
                "missing-variable",
                f"y: {_MISSING_CEE}",
                _MISSING_HINT,
            ),
            _at(
                "datasets/e",
                2,
                10,
                "wrong-type",
                "columns should be a list, not the number 3",
                "write a list: `[a, b]` or one `- item` per line",
            ),
        ],
    ),
    (
        "nor one without sources, whose records' source would be unknown",
        kb(
            datasets__d=ds(recs(99)),
            datasets__e={
                "name": "E",
                "columns": [{"name": "ce", "unit": "%"}],
                "records": recs(98),
                "sources": 3,
            },
            analyses__a=an("ce", "ce"),
        ),
        [
            _at(
                "datasets/e",
                8,
                10,
                "wrong-type",
                "sources should be a list, not the number 3",
                "write a list: `[a, b]` or one `- item` per line",
            )
        ],
    ),
    (
        "a property that fails its schema is not read either",
        kb(
            properties__p=_BROKEN_PROPERTY,
            datasets__d=minimal("dataset", "D", columns=[{"name": "f", "property": "p", "unit": "%"}]),
            analyses__a=an("p", "p"),
        ),
        [
            _at(
                "properties/p",
                2,
                7,
                "wrong-type",
                "unit should be text, not the number 3",
                "put the value in double quotes to keep it as text",
            )
        ],
    ),
    (
        "a dataset's electrolyte without descriptors is named once, at the dataset, with every "
        "descriptor the analysis takes, sorted",
        kb(datasets__d=ds(recs(99, 98), electrolyte=_DOL), analyses__a=an("frac_o", "frac_f + ce")),
        [_no_descriptor("datasets/d", 11, 14, _DOL, "frac_f, frac_o")],
    ),
    (
        "records' electrolytes are named at the first record of each; records without one, or "
        "with a list, and electrolytes that give descriptors pass",
        kb(
            datasets__d=ds(
                [
                    {"label": "r0", "ce": 99},
                    {"label": "r1", "ce": 99, "electrolyte": _LIST},
                    {"label": "r2", "ce": 99, "electrolyte": _DOL},
                    {"label": "r3", "ce": 98, "electrolyte": _DOL},
                    {"label": "r4", "ce": 97, "electrolyte": "2 M LiFSI in DOL"},
                    {"label": "r5", "ce": 97, "electrolyte": "2 M LiFSI in DME"},
                ]
            ),
            analyses__a=an("frac_f", "ce"),
        ),
        [
            _no_descriptor("datasets/d", 16, 16, _DOL, "frac_f"),
            _no_descriptor("datasets/d", 22, 16, "2 M LiFSI in DOL", "frac_f"),
        ],
    ),
    (
        "the same electrolyte in two datasets is named in each",
        kb(
            datasets__d=ds(recs(99, 98), electrolyte=_DOL),
            datasets__e=ds(recs(99, 98), "E", electrolyte=_DOL),
            analyses__a=an("frac_f", "ce"),
        ),
        [
            _no_descriptor("datasets/d", 11, 14, _DOL, "frac_f"),
            _no_descriptor("datasets/e", 11, 14, _DOL, "frac_f"),
        ],
    ),
    (
        "an electrolyte is read with its dataset's conventions before its descriptors are judged",
        kb(
            datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DOL + 2% DME", conventions={"percent": "wt"}),
            analyses__a=an("frac_f", "ce"),
        ),
        [_no_descriptor("datasets/d", 9, 14, "1 M LiFSI in DOL + 2% DME", "frac_f")],
    ),
    (
        "an analysis without descriptors does not ask for them",
        kb(datasets__d=ds(recs(99, 98), electrolyte=_DOL), analyses__a=an("ce", "ce")),
        [],
    ),
    (
        "records without a value are listed, five of six",
        kb(datasets__d=ds(recs(90, 91, 92, 93, 94, 99)), analyses__a=an("ce", "ln(ce - 98.5)")),
        [
            _undefined(
                3, 4, f"y: `ln(ce - 98.5)` has no value for 5 of 6 records (r0, r1, r2, r3, r4): {_LOG}"
            )
        ],
    ),
    (
        "the first five records without a value are listed and the others counted",
        kb(datasets__d=ds(recs(90, 91, 92, 93, 94, 95, 99)), analyses__a=an("ce", "ln(ce - 98.5)")),
        [
            _undefined(
                3,
                4,
                f"y: `ln(ce - 98.5)` has no value for 6 of 7 records (r0, r1, r2, r3, r4 and 1 more): {_LOG}",
            )
        ],
    ),
    (
        "an analysis left with no point says so, at the part of x without a value",
        kb(datasets__d=ds(recs(90, 91)), analyses__a=an("1 + ln(ce - 98.5)", "ce")),
        [
            _undefined(
                2,
                8,
                f"x: `ln(ce - 98.5)` has no value for every record (2): the analysis has no points: {_LOG}",
            )
        ],
    ),
    (
        "x and y without a value are each named",
        kb(datasets__d=ds(recs(90, 99)), analyses__a=an("ln(ce - 98.5)", "sqrt(ce - 95)")),
        [
            _undefined(2, 4, f"x: `ln(ce - 98.5)` has no value for 1 of 2 records (r0): {_LOG}"),
            _undefined(
                3,
                4,
                "y: `sqrt(ce - 95)` has no value for 1 of 2 records (r0): the square root of a negative number",
            ),
        ],
    ),
    (
        "an electrolyte naming no material is placed at the name, in the dataset and in a record "
        "that writes it again; a list of components is not parsed",
        kb(
            datasets__d=ds(
                [
                    {"label": "r0", "ce": 99, "electrolyte": _LIST},
                    {"label": "r1", "ce": 99, "electrolyte": "1 M LiFSI in DMX"},
                    {"label": "r2", "ce": 98},
                ],
                electrolyte="1 M LiFSI in DMX",
            )
        ),
        [_dmx(14, 29), _dmx(17, 27)],
    ),
    (
        "every unknown name of one electrolyte is named",
        kb(datasets__d=ds(recs(99), electrolyte="1 M LiFSX in DMX")),
        [
            _at(
                "datasets/d",
                9,
                18,
                "bad-formulation",
                "electrolyte '1 M LiFSX in DMX': 'LiFSX' is not a material; did you mean 'LiFSI'?",
                _DMX_HINT.replace("DME", "LiFSI"),
            ),
            _dmx(9, 27, written="1 M LiFSX in DMX"),
        ],
    ),
    (
        "an electrolyte that does not parse is placed where it breaks",
        kb(datasets__d=ds(recs(99), electrolyte="1 M LiFSI in (DME")),
        [
            _at(
                "datasets/d",
                9,
                27,
                "bad-formulation",
                "electrolyte '1 M LiFSI in (DME': '(' is never closed",
                "close it with ')', e.g. 'EC:DMC (1:1 v/v)'",
            )
        ],
    ),
    (
        "the same electrolyte in two datasets is named in each, past entries of other kinds",
        kb(
            analyses__a=an("ce", "ce"),
            datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DMX"),
            datasets__e=ds(recs(99), "E", electrolyte="1 M LiFSI in DMX"),
        ),
        [_dmx(9, 27), _dmx(9, 27, file="datasets/e")],
    ),
    (
        "a material's name with a hyphen is read whole",
        {
            **kb(datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DME + 2 wt% 12-Crown-4")),
            "materials/crown": _material("12-Crown-4", "C8H16O4", "additive"),
        },
        [],
    ),
    (
        "a material that fails its schema still lends its aliases",
        kb(
            materials__dmx={"name": 3, "aliases": ["DMX"], "roles": ["solvent"], "sources": SOURCE},
            datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DMX"),
        ),
        [
            _at(
                "materials/dmx",
                1,
                7,
                "wrong-type",
                "name should be text, not the number 3",
                "put the value in double quotes to keep it as text",
            )
        ],
    ),
    (
        "and its name and id when its roles fail",
        kb(
            materials__dmx={"name": "DMY", "roles": 3, "sources": SOURCE},
            datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DMY"),
            datasets__e=ds(recs(99), "E", electrolyte="1 M LiFSI in dmx"),
        ),
        [
            _at(
                "materials/dmx",
                2,
                8,
                "wrong-type",
                "roles should be a list, not the number 3",
                "write a list: `[a, b]` or one `- item` per line",
            )
        ],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [row[1:] for row in _ROWS], ids=[row[0] for row in _ROWS])
def test_each_analysis_and_formulation_rule_reports_exactly_its_problems(
    tmp_path: Path, entries: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    assert _problems(tmp_path, entries) == expected


def test_a_dataset_convention_reads_a_bare_percent(tmp_path: Path) -> None:
    """Each dataset's formulations are read with its own conventions: a bare `%` is refused in
    the dataset that declares none, and read as wt % in the one that declares it."""
    written = "1 M LiFSI in DME + 2% DOL"
    found = _problems(
        tmp_path,
        kb(
            datasets__d=ds(recs(99), electrolyte=written),
            datasets__e=ds(recs(99), "E", electrolyte=written, conventions={"percent": "wt"}),
        ),
    )
    assert [(file, line, col, code) for file, line, col, code, *_ in found] == [
        ("datasets/d.yaml", 9, 33, "error[bad-formulation]")
    ]
    assert "a bare '%' is ambiguous ('2%')" in found[0][4]


def test_one_electrolyte_written_by_two_datasets_is_reported_in_each(tmp_path: Path) -> None:
    """A text is parsed once per run, and its problem still reported in every dataset writing it."""
    found = _problems(
        tmp_path,
        kb(
            datasets__d=ds(recs(99), electrolyte="1 M LiFSI in DMX"),
            datasets__e=ds(recs(99), "E", electrolyte="1 M LiFSI in DMX"),
        ),
    )
    assert [(file, code) for file, _, _, code, *_ in found] == [
        ("datasets/d.yaml", "error[bad-formulation]"),
        ("datasets/e.yaml", "error[bad-formulation]"),
    ]
