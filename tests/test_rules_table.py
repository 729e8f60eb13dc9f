"""The rules across entries, table by table: each row a tiny KB and every problem it must get.

Each row pins a rule of :mod:`limkb.check.rules` exactly: the file, line, column, code,
message and hint of every problem, and that no other problem is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import minimal, write_kb
from limkb.check.rules import _subtype_cycles
from limkb.check.validate import validate_kb

Found = tuple[str, int, int, str, str, str]

_DENSITY_SOURCE = {"ref": "smith2020test", "locator": "T1"}
_CYCLE_HINT = "one strategy in the circle must be the broader one: remove its `subtype_of`"


def _problems(tmp_path: Path, entries: dict[str, dict[str, Any]]) -> list[Found]:
    """(file under kb/, line, col, severity[code], message, hint) of every problem of ``entries``."""
    kb = write_kb(tmp_path, entries)
    found = []
    for p in validate_kb(kb).report:
        shown = Path(p.path).resolve().relative_to(kb.resolve()).as_posix()
        found.append((shown, p.line, p.col, f"{p.severity}[{p.code}]", p.message, p.hint))
    return found


def _ring(size: int) -> dict[str, dict[str, Any]]:
    """``size`` strategies s00 -> s01 -> ... -> s00."""
    return {
        f"strategies/s{i:02d}": minimal("strategy", subtype_of=f"s{(i + 1) % size:02d}") for i in range(size)
    }


_RULES: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "a circle of two",
        {
            "strategies/a": minimal("strategy", subtype_of="b"),
            "strategies/b": minimal("strategy", subtype_of="a"),
        },
        [
            (
                "strategies/a.yaml",
                4,
                13,
                "error[cycle]",
                "`subtype_of` goes round in a circle: a -> b -> a",
                _CYCLE_HINT,
            )
        ],
    ),
    (
        "a circle of three is given once, from its first member, with a branch into it",
        {
            "strategies/c": minimal("strategy", subtype_of="a"),
            "strategies/b": minimal("strategy", subtype_of="c"),
            "strategies/a": minimal("strategy", subtype_of="b"),
            "strategies/d": minimal("strategy", subtype_of="a"),
        },
        [
            (
                "strategies/a.yaml",
                4,
                13,
                "error[cycle]",
                "`subtype_of` goes round in a circle: a -> b -> c -> a",
                _CYCLE_HINT,
            )
        ],
    ),
    (
        "a circle of twelve is shown whole",
        _ring(12),
        [
            (
                "strategies/s00.yaml",
                4,
                13,
                "error[cycle]",
                "`subtype_of` goes round in a circle: "
                + " -> ".join([f"s{i:02d}" for i in range(12)] + ["s00"]),
                _CYCLE_HINT,
            )
        ],
    ),
    (
        "a circle of thirteen is shortened and counted",
        _ring(13),
        [
            (
                "strategies/s00.yaml",
                4,
                13,
                "error[cycle]",
                "`subtype_of` goes round in a circle: s00 -> s01 -> s02 -> s03 -> s04 -> ... (3 more) ... "
                "-> s08 -> s09 -> s10 -> s11 -> s12 -> s00 (13 strategies)",
                _CYCLE_HINT,
            )
        ],
    ),
    (
        "a strategy that is its own subtype is a self-link, not a circle",
        {"strategies/a": minimal("strategy", subtype_of="a")},
        [
            (
                "strategies/a.yaml",
                4,
                13,
                "error[self-link]",
                "subtype_of names the entry itself",
                "remove this item",
            )
        ],
    ),
    (
        "a chain without a circle is fine",
        {
            "strategies/a": minimal("strategy", subtype_of="b"),
            "strategies/b": minimal("strategy", subtype_of="c"),
            "strategies/c": minimal("strategy"),
        },
        [],
    ),
    (
        "a subtype of another family",
        {
            "strategies/p": minimal("strategy"),
            "strategies/c": minimal("strategy", subtype_of="p", family="artificial-sei"),
        },
        [
            (
                "strategies/c.yaml",
                2,
                9,
                "error[family-mismatch]",
                "family 'artificial-sei' differs from 'p''s 'electrolyte-engineering'",
                "set `family: electrolyte-engineering` or choose another `subtype_of`",
            )
        ],
    ),
    (
        "an unknown id close to one of the right kind",
        {
            "strategies/fec-additive": minimal("strategy"),
            "strategies/b": minimal("strategy", subtype_of="fec-additiv"),
        },
        [
            (
                "strategies/b.yaml",
                4,
                13,
                "error[unknown-ref]",
                "'fec-additiv' is not an entry; did you mean 'fec-additive'?",
                "replace it with 'fec-additive'",
            )
        ],
    ),
    (
        "an unknown id close to nothing",
        {"strategies/b": minimal("strategy", subtype_of="qqqq")},
        [
            (
                "strategies/b.yaml",
                4,
                13,
                "error[unknown-ref]",
                "'qqqq' is not an entry",
                "create it with `limkb new strategy qqqq`, or fix the id",
            )
        ],
    ),
    (
        "an id of the wrong kind, with examples of the right one",
        {"mechanisms/m": minimal("mechanism"), "strategies/s": minimal("strategy", subtype_of="m")},
        [
            (
                "strategies/s.yaml",
                4,
                13,
                "error[wrong-kind]",
                "subtype_of must name a strategy, but 'm' is a mechanism",
                "name a strategy here, e.g. one of s",
            )
        ],
    ),
    (
        "a source close to a reference",
        {"mechanisms/m": minimal("mechanism", sources=[{"ref": "smith2020tset", "locator": "T1"}])},
        [
            (
                "mechanisms/m.yaml",
                3,
                8,
                "error[unknown-ref]",
                "source 'smith2020tset' is not a reference entry; did you mean 'smith2020test'?",
                "replace it with 'smith2020test'",
            )
        ],
    ),
    (
        "a source close to nothing",
        {"mechanisms/n": minimal("mechanism", sources=[{"ref": "zzzzqq", "locator": "T1"}])},
        [
            (
                "mechanisms/n.yaml",
                3,
                8,
                "error[unknown-ref]",
                "source 'zzzzqq' is not a reference entry",
                "add the reference first: `limkb import-bib FILE.bib` or `limkb new reference <id>`",
            )
        ],
    ),
    (
        "a source that is not a reference",
        {
            "mechanisms/m": minimal("mechanism"),
            "mechanisms/o": minimal("mechanism", sources=[{"ref": "m", "locator": "T1"}]),
        },
        [
            (
                "mechanisms/o.yaml",
                3,
                8,
                "error[wrong-kind]",
                "source 'm' is a mechanism, not a reference",
                "sources name reference entries (kb/references/)",
            )
        ],
    ),
    (
        "a density in a unit that is not one of density",
        {"materials/m": minimal("material", density={"value": 1.2, "unit": "nm", "source": _DENSITY_SOURCE})},
        [
            (
                "materials/m.yaml",
                6,
                9,
                "error[unit-mismatch]",
                "density in 'nm', which is not a density",
                "state it in g/cm3 (= g/mL)",
            )
        ],
    ),
    (
        "a density in kg/m3 converts",
        {
            "materials/m": minimal(
                "material", density={"value": 1200, "unit": "kg/m3", "source": _DENSITY_SOURCE}
            )
        },
        [],
    ),
    (
        "an unknown source written as a bare id is located at its item",
        {"mechanisms/m": minimal("mechanism", sources=["smith2020tset"])},
        [
            (
                "mechanisms/m.yaml",
                3,
                3,
                "error[unknown-ref]",
                "source 'smith2020tset' is not a reference entry; did you mean 'smith2020test'?",
                "replace it with 'smith2020test'",
            ),
            (
                "mechanisms/m.yaml",
                3,
                3,
                "warning[missing-locator]",
                "source 'smith2020tset' has no locator",
                'write `{ref: smith2020tset, locator: "Table 1"}` with the section, table or figure',
            ),
        ],
    ),
    (
        "a density in g/mL",
        {
            "materials/m": minimal(
                "material", density={"value": 1.2, "unit": "g/mL", "source": _DENSITY_SOURCE}
            )
        },
        [],
    ),
    (
        "a source without a locator",
        {"mechanisms/m": minimal("mechanism", sources=[{"ref": "smith2020test"}])},
        [
            (
                "mechanisms/m.yaml",
                3,
                3,
                "warning[missing-locator]",
                "source 'smith2020test' has no locator",
                'write `{ref: smith2020test, locator: "Table 1"}` with the section, table or figure',
            )
        ],
    ),
    (
        "a relation without a source of its own",
        {"questions/q": minimal("question", about=["m"]), "mechanisms/m": minimal("mechanism")},
        [
            (
                "questions/q.yaml",
                6,
                3,
                "warning[unsourced-relation]",
                "about 'm' has no source of its own",
                "add `sources:` with a locator, or `editorial:` saying why no source is needed "
                '(`- id: m` then `sources: [{ref: ..., locator: "..."}]`)',
            )
        ],
    ),
    (
        "a relation with sources and an editorial note",
        {
            "questions/q": minimal(
                "question",
                about=[
                    {
                        "id": "m",
                        "editorial": "obvious",
                        "sources": [{"ref": "smith2020test", "locator": "T1"}],
                    }
                ],
            ),
            "mechanisms/m": minimal("mechanism"),
        },
        [
            (
                "questions/q.yaml",
                6,
                7,
                "warning[editorial-and-sources]",
                "about 'm' has sources and also an `editorial:` saying it needs none",
                "keep `sources:` and delete `editorial:`; a qualifier of a sourced link goes in `note:`",
            )
        ],
    ),
    (
        "a relation with an editorial note only",
        {
            "questions/q": minimal("question", about=[{"id": "m", "editorial": "obvious"}]),
            "mechanisms/m": minimal("mechanism"),
        },
        [],
    ),
    (
        "a relation to a missing entry gets only the unknown-ref",
        {"questions/q": minimal("question", about=[{"id": "zz"}])},
        [
            (
                "questions/q.yaml",
                6,
                7,
                "error[unknown-ref]",
                "'zz' is not an entry",
                "create it with `limkb new strategy zz`, or fix the id",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("kb", "expected"),
    [(kb, e) for _, kb, e in _RULES],
    ids=[n.replace(" ", "-").replace(",", "") for n, _, _ in _RULES],
)
def test_every_rule_reports_its_message_at_its_place(
    tmp_path: Path, kb: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    """Each tiny KB gets exactly the problems of its row, nothing else, each naming its entry."""
    assert _problems(tmp_path, kb) == expected
    for problem in validate_kb(tmp_path / "kb").report:
        assert problem.entry == Path(problem.path).stem


def test_a_link_to_an_invalid_entry_is_not_reported_again(tmp_path: Path) -> None:
    """The invalid entry has its own problems; the links and sources to it get none."""
    found = _problems(
        tmp_path,
        {
            "strategies/a": minimal("strategy", subtype_of="b"),
            "strategies/b": {"name": 3},
            "references/bad": {"title": 3},
            "mechanisms/m": minimal("mechanism", sources=[{"ref": "bad", "locator": "T1"}]),
        },
    )
    assert {file for file, *_ in found} == {"strategies/b.yaml", "references/bad.yaml"}


_CYCLES: list[tuple[dict[str, str | None], list[list[str]]]] = [
    ({}, []),
    ({"a": None}, []),
    ({"a": "b", "b": None}, []),
    ({"a": "x"}, []),
    ({"a": "a"}, [["a"]]),
    ({"a": "b", "b": "a"}, [["a", "b"]]),
    ({"b": "a", "a": "b"}, [["b", "a"]]),
    ({"c": "a", "a": "b", "b": "c"}, [["c", "a", "b"]]),
    ({"x": "a", "a": "b", "b": "a"}, [["a", "b"]]),
    ({"b": "c", "a": "b", "c": "b"}, [["b", "c"]]),
    ({"x": "b", "a": "b", "b": "a"}, [["a", "b"]]),  # entered at b, given from a (listed first)
    ({"a": "b", "b": "a", "c": "d", "d": "c", "e": "c"}, [["a", "b"], ["c", "d"]]),
]


@pytest.mark.parametrize(("parent", "expected"), _CYCLES, ids=[f"parents-{i}" for i in range(len(_CYCLES))])
def test_each_subtype_circle_is_found_once_from_its_first_member(
    parent: dict[str, str | None], expected: list[list[str]]
) -> None:
    """``_subtype_cycles``: every circle once, rotated to start at its member listed first."""
    assert _subtype_cycles(parent) == expected
