"""The material rules of :mod:`limkb.check.rules`, row by row: each row a tiny KB and every problem
it must get (file, line, column, code, message, hint and the entry it names), and nothing else.
The rows follow ``_check_materials``: a density's unit, then a SMILES (``_check_smiles``): that
RDKit reads it, that its formula is the declared one (or why the two cannot be compared,
``_unreadable_formula``), that the structure has a source and the material a density statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import Found, minimal
from kbfactory import located_problems as _problems

_IDS = {"ref": "smith2020test", "locator": "T1"}
_DENSITY = {"value": 1.3, "unit": "g/cm3", "source": _IDS}
_EC = "C1COC(=O)O1"
_PF6 = "F[P-](F)(F)(F)(F)F"
_NO_SOURCE = (
    4,
    9,
    "error[missing-field]",
    "a SMILES needs `identifiers_source`: where the structure comes from",
    "add `identifiers_source: {ref: <reference id>, locator: ...}`: the identifier table (e.g. the "
    "`chemicals` library's, by CAS number) or the paper that gives the structure",
)
_NO_DENSITY = (
    4,
    9,
    "warning[missing-density]",
    "'m' has a structure but says nothing of its density",
    "add `density: {value: ..., unit: g/cm3, temperature: 25 °C, source: {ref: ..., locator: ...}}`, "
    "or `density: {status: not found, note: <where it was looked for>}`",
)
_CAPITALS = "check the formula's capitals (e.g. 'Co' is cobalt, 'CO' carbon and oxygen)"


def m(**fields: Any) -> dict[str, dict[str, Any]]:
    """A KB of one material ``m`` with ``fields``."""
    return {"materials/m": minimal("material", "M", **fields)}


def _m(place: tuple[Any, ...]) -> Found:
    """A problem of ``m`` given as (line, col, severity[code], message, hint)."""
    return ("materials/m.yaml", *place, "m")


def _mismatch(line: int, declared: str, smiles: str, computed: str, neutral: str) -> Found:
    return _m(
        (
            line,
            10,
            "error[formula-mismatch]",
            f"formula {declared} disagrees with the SMILES {smiles!r}, which gives {computed}",
            f"write `formula: {neutral}` if the SMILES is right, or correct the SMILES (check both "
            "against the source in `identifiers_source`)",
        )
    )


def _unknown_element(element: str, formula: str) -> Found:
    message = f"{element!r} in the formula {formula!r} is not an element limkb knows"
    return _m((5, 10, "error[formula-mismatch]", message, _CAPITALS))


_ROWS: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "a SMILES RDKit cannot read is the only problem of its structure",
        m(smiles="xx(", formula="CH4"),
        [
            _m(
                (
                    4,
                    9,
                    "error[bad-smiles]",
                    "RDKit cannot read the SMILES 'xx('",
                    "check it for an unclosed ring number, an unbalanced bracket or parenthesis, or an "
                    "element symbol in the wrong case (aromatic atoms are lowercase: c, n, o, s)",
                )
            )
        ],
    ),
    (
        "a formula the SMILES does not give",
        m(smiles=_EC, formula="C3H4O2", identifiers_source=_IDS, density=_DENSITY),
        [_mismatch(5, "C3H4O2", _EC, "C3H4O3", "C3H4O3")],
    ),
    (
        "a formula the SMILES does not give, and neither a source for it nor a density",
        m(smiles=_EC, formula="C3H4O2"),
        [_m(_NO_SOURCE), _m(_NO_DENSITY), _mismatch(5, "C3H4O2", _EC, "C3H4O3", "C3H4O3")],
    ),
    (
        "an ion's formula is suggested without its charge",
        m(smiles=_PF6, formula="PF5", identifiers_source=_IDS, density=_DENSITY),
        [_mismatch(5, "PF5", _PF6, "F6P-", "F6P")],
    ),
    (
        "an ion's formula written without its charge agrees",
        m(smiles=_PF6, formula="PF6", identifiers_source=_IDS, density=_DENSITY),
        [],
    ),
    (
        "a declared formula with an element limkb does not know is said to be unreadable, alone",
        m(smiles="C", formula="Xq"),
        [_unknown_element("Xq", "Xq")],
    ),
    (
        "so is a SMILES's, compared without its charge",
        m(smiles="[Og+]", formula="C"),
        [_unknown_element("Og", "Og")],
    ),
    (
        "a formula that agrees, without a source or a density",
        {"failure-modes/f": minimal("failure-mode"), **m(smiles=_EC, formula="C3H4O3")},
        [_m(_NO_SOURCE), _m(_NO_DENSITY)],
    ),
    (
        "no formula to compare, and a density not found is a density statement",
        m(smiles=_EC, identifiers_source=_IDS, density={"status": "not found", "note": "looked"}),
        [],
    ),
    (
        "a density in a unit of length, with or without a SMILES",
        {
            "failure-modes/f": minimal("failure-mode"),
            **m(density={"value": 1, "unit": "nm", "source": _IDS}),
            "materials/n": minimal(
                "material",
                "N",
                smiles="C",
                formula="CH4",
                identifiers_source=_IDS,
                density={"value": 1, "unit": "m", "source": _IDS},
            ),
        },
        [
            _m(
                (
                    6,
                    9,
                    "error[unit-mismatch]",
                    "density in 'nm', which is not a density",
                    "state it in g/cm3 (= g/mL)",
                )
            ),
            (
                "materials/n.yaml",
                11,
                9,
                "error[unit-mismatch]",
                "density in 'm', which is not a density",
                "state it in g/cm3 (= g/mL)",
                "n",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [row[1:] for row in _ROWS], ids=[row[0] for row in _ROWS])
def test_each_material_rule_reports_exactly_its_problems(
    tmp_path: Path, entries: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    assert _problems(tmp_path, entries) == expected
