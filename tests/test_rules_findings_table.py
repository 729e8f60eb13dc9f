"""The rules of :mod:`limkb.check.rules` on findings, claims and evidence gaps, row by row: each
row a tiny KB and every problem it must get (file, line, column, code, message, hint and the
entry it names), and nothing else. Findings cite a reference read here, with a locator, in a
unit of their property; finding ids are unique; the same finding on two entries is a warning;
a claim's evidence names findings that exist, each once; an evidence gap is stale once the
strategy has findings, and its children are other strategies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, REFERENCE, Found, ce_finding, minimal
from kbfactory import located_problems as _problems

READ = {**REFERENCE, "read": {"status": "abstract", "url": "https://example.org/paper"}}
CE = minimal("property", "CE", unit="%", scope="cell", desired="higher")
SEARCHED = "Crossref for hosts"
_UNREAD_HINT = (
    "record on kb/references/smith2020test.yaml what was read (`read: {status: abstract, url: ...}`), "
    "or remove the finding: findings come only from papers read"
)
_SAME_HINT = (
    "keep one and add `informs:`: delete this one and add `t` to the `informs:` of finding 1 in "
    "kb/strategies/s.yaml"
)
_SAME = "has the source, quantity, value and conditions of finding 1 of 's': likely the same finding"
_NO_ID_HINT = "give the finding an `id:` on the entry that holds it, and name it here (CONTRIBUTING.md, 'Weigh a claim')"
_TWICE_HINT = "keep one item per finding or analysis, with the stance that fits best"
_NO_CHILD_HINT = "name the id of a strategy whose page holds the evidence"


fnd = ce_finding


def strategy(name: str, **fields: Any) -> dict[str, Any]:
    return minimal("strategy", name, **fields)


def weigh(**fields: Any) -> dict[str, Any]:
    """One item of a claim's evidence."""
    return {**fields, "stance": fields.get("stance", "supports"), "grade": "weak", "reason": "R"}


def _at(
    file: str, line: int, col: int, code: str, message: str, hint: str, *, warning: bool = False
) -> Found:
    entry = file.split("/")[1]
    return (f"{file}.yaml", line, col, f"{'warning' if warning else 'error'}[{code}]", message, hint, entry)


_RANGE_HINT = (
    "check the number and the unit against the source; a change or a difference goes under `what:` "
    "(e.g. `what: CE gain`) instead of the property"
)
_BOTH = "cannot be below 0 % and cannot be above 100 %"


def _impossible(n: int, value: str, possible: str) -> str:
    return f"finding {n}: {value} is impossible for 'coulombic-efficiency', which {possible}"


_ROWS: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "a finding citing a reference with no record of what was read",
        {"properties/coulombic-efficiency": CE, "strategies/s": strategy("S", findings=[fnd()])},
        [
            _at(
                "strategies/s",
                9,
                10,
                "unread-source",
                "finding 1 cites 'smith2020test', which is not marked as read here",
                _UNREAD_HINT,
            )
        ],
    ),
    (
        "a finding citing a reference read as 'none'",
        {
            f"references/{REF}": {**REFERENCE, "read": {"status": "none"}},
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd()]),
        },
        [
            _at(
                "strategies/s",
                9,
                10,
                "unread-source",
                "finding 1 cites 'smith2020test', which is not marked as read here",
                _UNREAD_HINT,
            )
        ],
    ),
    (
        "a finding without a locator, and one in a unit its property cannot take",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(source={"ref": REF}), fnd(unit="nm", value=3)]),
        },
        [
            _at(
                "strategies/s",
                9,
                5,
                "missing-locator",
                "finding 1 has no locator",
                'say where in the paper: `locator: "Fig. 2b"` or `Abstract`',
            ),
            _at(
                "strategies/s",
                9,
                5,
                "missing-locator",
                "source 'smith2020test' has no locator",
                'write `{ref: smith2020test, locator: "Table 1"}` with the section, table or figure',
                warning=True,
            ),
            _at(
                "strategies/s",
                13,
                9,
                "unit-mismatch",
                "finding 2 is in 'nm', which cannot be converted to 'coulombic-efficiency''s unit '%'",
                "use `what:` for a different quantity, or state the value in the property's unit",
            ),
        ],
    ),
    (
        "a finding id taken by another entry's finding",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(id="f1")]),
            "strategies/t": strategy("T", findings=[fnd(id="f1", value=98.0)]),
        },
        [
            _at(
                "strategies/t",
                12,
                7,
                "duplicate-finding-id",
                "finding id 'f1' is taken by finding 1 of 's'",
                "give this finding another id (ids of findings are unique across the KB); if it is the "
                "same finding, delete it here and add `t` to the other's `informs:`",
            )
        ],
    ),
    (
        "the same finding on two entries, each later copy named once",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd()]),
            "strategies/t": strategy("T", findings=[fnd(), fnd()]),
        },
        [
            _at("strategies/t", 5, 3, "same-finding", f"finding 1 {_SAME}", _SAME_HINT, warning=True),
            _at("strategies/t", 12, 3, "same-finding", f"finding 2 {_SAME}", _SAME_HINT, warning=True),
        ],
    ),
    (
        "the same finding twice on one entry is not this rule's",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/t": strategy("T", findings=[fnd(), fnd()]),
        },
        [],
    ),
    (
        "a finding without an id does not stop the search for taken ids",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(value=97.0), fnd(id="f1")]),
            "strategies/t": strategy("T", findings=[fnd(id="f1", value=98.0)]),
        },
        [
            _at(
                "strategies/t",
                12,
                7,
                "duplicate-finding-id",
                "finding id 'f1' is taken by finding 2 of 's'",
                "give this finding another id (ids of findings are unique across the KB); if it is the "
                "same finding, delete it here and add `t` to the other's `informs:`",
            )
        ],
    ),
    (
        "a copy on the same entry does not stop the search for copies on other entries",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(value=97.0)]),
            "strategies/t": strategy("T", findings=[fnd(), fnd(), fnd(value=97.0)]),
        },
        [_at("strategies/t", 19, 3, "same-finding", f"finding 3 {_SAME}", _SAME_HINT, warning=True)],
    ),
    (
        "a claim weighing a finding id no finding has",
        {"claims/c": minimal("claim", "C", evidence=[weigh(finding="ce-high")])},
        [_at("claims/c", 4, 12, "unknown-finding", "no finding has the id 'ce-high'", _NO_ID_HINT)],
    ),
    (
        "a claim's unknown findings (with a close match) and items weighed twice",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(id="ce-high")]),
            "datasets/d": minimal(
                "dataset", "D", columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}]
            ),
            "analyses/a": minimal("analysis", "A", x="coulombic-efficiency", y="coulombic-efficiency"),
            "claims/c": minimal(
                "claim",
                "C",
                evidence=[
                    weigh(finding="ce-high"),
                    weigh(finding="ce-hihg"),
                    weigh(finding="zzz"),
                    weigh(finding="ce-high", stance="contradicts"),
                    weigh(analysis="a"),
                    weigh(analysis="a"),
                ],
            ),
        },
        [
            _at(
                "claims/c",
                8,
                12,
                "unknown-finding",
                "no finding has the id 'ce-hihg'; did you mean 'ce-high'?",
                "write 'ce-high'",
            ),
            _at("claims/c", 12, 12, "unknown-finding", "no finding has the id 'zzz'", _NO_ID_HINT),
            _at(
                "claims/c",
                16,
                3,
                "duplicate-evidence",
                "evidence 4 weighs 'ce-high' a second time",
                _TWICE_HINT,
            ),
            _at("claims/c", 24, 3, "duplicate-evidence", "evidence 6 weighs 'a' a second time", _TWICE_HINT),
        ],
    ),
    (
        "an evidence gap of a strategy with findings, children for another reason, children that "
        "are the strategy itself, a near id or nothing like one",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy(
                "S",
                findings=[fnd()],
                evidence_gap={
                    "reason": "nothing-readable",
                    "searched": SEARCHED,
                    "children": ["t", "s", "tt", "qqq"],
                },
            ),
            "strategies/t": strategy("T"),
        },
        [
            _at(
                "strategies/s",
                13,
                3,
                "stale-evidence-gap",
                "`evidence_gap` says this strategy has no findings, but it has",
                "remove `evidence_gap`: the findings are now its evidence",
            ),
            _at(
                "strategies/s",
                16,
                3,
                "children-not-umbrella",
                "`children` is given for reason 'nothing-readable'",
                "use `reason: umbrella`, or remove `children`",
            ),
            _at("strategies/s", 17, 5, "unknown-child", "child 's' is not another strategy", _NO_CHILD_HINT),
            _at(
                "strategies/s",
                18,
                5,
                "unknown-child",
                "child 'tt' is not another strategy",
                "did you mean 't'?",
            ),
            _at(
                "strategies/s", 19, 5, "unknown-child", "child 'qqq' is not another strategy", _NO_CHILD_HINT
            ),
        ],
    ),
    (
        "an unknown child with several near ids names them all, best first",
        {
            "strategies/s": strategy(
                "S", evidence_gap={"reason": "umbrella", "searched": SEARCHED, "children": ["coper-host"]}
            ),
            "strategies/carbon-host": strategy("T"),
            "strategies/copper-host": strategy("T"),
            "strategies/cooper-host": strategy("T"),
        },
        [
            _at(
                "strategies/s",
                8,
                5,
                "unknown-child",
                "child 'coper-host' is not another strategy",
                "did you mean 'copper-host' or 'cooper-host' or 'carbon-host'?",
            )
        ],
    ),
    (
        "a child that is an entry of another kind",
        {
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy(
                "S",
                evidence_gap={
                    "reason": "umbrella",
                    "searched": SEARCHED,
                    "children": ["coulombic-efficiency"],
                },
            ),
        },
        [
            _at(
                "strategies/s",
                8,
                5,
                "unknown-child",
                "child 'coulombic-efficiency' is not another strategy",
                _NO_CHILD_HINT,
            )
        ],
    ),
    (
        "a gap is stale when another entry's finding informs the strategy",
        {
            f"references/{REF}": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", evidence_gap={"reason": "umbrella", "searched": SEARCHED}),
            "strategies/t": strategy("T", findings=[fnd(informs=["s"])]),
        },
        [
            _at(
                "strategies/s",
                5,
                3,
                "stale-evidence-gap",
                "`evidence_gap` says this strategy has no findings, but it has",
                "remove `evidence_gap`: the findings are now its evidence",
            )
        ],
    ),
    (
        "a finding outside its property's possible range, below or above; one at either bound is fine",
        {
            "references/smith2020test": READ,
            "properties/coulombic-efficiency": minimal(
                "property", "CE", unit="%", scope="cell", desired="higher", minimum=0, maximum=100
            ),
            "strategies/s": strategy(
                "S", findings=[fnd(value=100.0), fnd(value=150.0), fnd(value=0.0), fnd(value=-1.0)]
            ),
        },
        [
            _at("strategies/s", 13, 10, "out-of-range", _impossible(2, "150 %", _BOTH), _RANGE_HINT),
            _at("strategies/s", 27, 10, "out-of-range", _impossible(4, "-1 %", _BOTH), _RANGE_HINT),
        ],
    ),
    (
        "the high end of a finding is held to the maximum alone when there is no minimum",
        {
            "references/smith2020test": READ,
            "properties/coulombic-efficiency": minimal(
                "property", "CE", unit="%", scope="cell", desired="higher", maximum=100
            ),
            "strategies/s": strategy("S", findings=[fnd(value=90.0, high=120.0)]),
        },
        [
            _at(
                "strategies/s",
                12,
                9,
                "out-of-range",
                _impossible(1, "120 %", "cannot be above 100 %"),
                _RANGE_HINT,
            )
        ],
    ),
    (
        "a minimum alone",
        {
            "references/smith2020test": READ,
            "properties/coulombic-efficiency": minimal(
                "property", "CE", unit="%", scope="cell", desired="higher", minimum=10
            ),
            "strategies/s": strategy("S", findings=[fnd(value=5.0)]),
        },
        [
            _at(
                "strategies/s",
                6,
                10,
                "out-of-range",
                _impossible(1, "5 %", "cannot be below 10 %"),
                _RANGE_HINT,
            )
        ],
    ),
    (
        "a finding is judged in its property's unit and shown in its own",
        {
            "references/smith2020test": READ,
            "properties/coulombic-efficiency": minimal("property", "T", unit="nm", maximum=100),
            "strategies/s": strategy("S", findings=[fnd(value=0.2, unit="um"), fnd(value=0.05, unit="um")]),
        },
        [
            _at(
                "strategies/s",
                6,
                10,
                "out-of-range",
                _impossible(1, "0.2 um", "cannot be above 100 nm"),
                _RANGE_HINT,
            )
        ],
    ),
    (
        "a property without bounds holds its findings to none",
        {
            "references/smith2020test": READ,
            "properties/coulombic-efficiency": CE,
            "strategies/s": strategy("S", findings=[fnd(value=5000.0)]),
        },
        [],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [row[1:] for row in _ROWS], ids=[row[0] for row in _ROWS])
def test_each_finding_claim_and_gap_rule_reports_exactly_its_problems(
    tmp_path: Path, entries: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    assert _problems(tmp_path, entries) == expected
