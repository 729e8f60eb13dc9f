"""The parts of ``limkb.analysis.correlations`` around the statistics, case by case: what
:func:`compute` puts in a result, how results are written (JSON, the table, the caption), the
key of the analyses' cache, and the caveats with their exact words. Each test names the
behaviour it protects; the entries are built as models, without files, so the module's
mutation run stays fast. The statistics themselves are pinned by ``test_correlation_options.py``
and ``test_correlation_ranks.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, TypeVar

import pytest

from kbfactory import SOURCE, minimal
from limkb._version import code_digest
from limkb.analysis import correlations as module
from limkb.analysis.correlations import (
    AnalysisResult,
    Correlation,
    GroupResult,
    LeaveOneOut,
    Point,
    analysis_keys,
    collect_points,
    compute,
    compute_all,
    correlate,
    format_table,
    headline,
    results_json,
)
from limkb.errors import LimkbError
from limkb.schema.kinds import Analysis, Dataset, Entry, Property, Reported, Strategy, content_digest

E = TypeVar("E", bound=Entry)


def make(cls: type[E], entry_id: str, kind: str, name: str, **fields: Any) -> E:
    """The entry model ``cls`` of the smallest valid ``kind`` entry (plus ``fields``)."""
    return cls.model_validate({**minimal(kind, name, **fields), "id": entry_id})


class _KB:
    """What :func:`compute` reads of a knowledge base: entries by id and by kind."""

    def __init__(self, *held: Entry) -> None:
        self.held = {e.id: e for e in held}

    def __getitem__(self, entry_id: str) -> Entry:
        return self.held[entry_id]

    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]:
        return [e for e in self.held.values() if kind is None or e.kind == kind]


def prop(entry_id: str, name: str, unit: str, symbol: str | None = None, **extra: Any) -> Property:
    fields = {"symbol": symbol} if symbol else {}
    return make(Property, entry_id, "property", name, unit=unit, scope="sei", **fields, **extra)


CE = prop("coulombic-efficiency", "Coulombic efficiency", "%", "CE", minimum=0, maximum=100)
F = prop("sei-fluorine-content", "SEI fluorine content", "%", "F %")
C = prop("sei-carbon-content", "SEI carbon content", "%", "C")
T = prop("sei-thickness", "SEI thickness", "nm")
PROPS = (CE, F, C, T)


def dataset(entry_id: str, rows: list[dict[str, Any]], **fields: Any) -> Dataset:
    """A dataset with CE, F, C and thickness columns holding ``rows`` (labels E0, E1, ...)."""
    columns = [
        {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        {"name": "f", "property": "sei-fluorine-content", "unit": "%"},
        {"name": "c", "property": "sei-carbon-content", "unit": "%"},
        {"name": "t", "property": "sei-thickness", "unit": "nm"},
    ]
    records = [{"label": f"E{i}", **row} for i, row in enumerate(rows)]
    return make(Dataset, entry_id, "dataset", entry_id.upper(), columns=columns, records=records, **fields)


def analysis(entry_id: str = "a", **fields: Any) -> Analysis:
    base = {"x": "sei-fluorine-content", "y": "coulombic-efficiency"}
    return make(Analysis, entry_id, "analysis", f"Analysis {entry_id}", **{**base, **fields})


ROWS = [
    {"ce": ce, "f": f, "c": c, "t": t}
    for ce, f, c, t in [
        (97.0, 5, 55, 10),
        (97.5, 6, 53, 12),
        (98.0, 9, 61, 15),
        (98.2, 7, 58, 11),
        (98.9, 12, 68, 20),
        (97.1, 15, 55, 30),
    ]
]


OWN = [{**row, "source": SOURCE[0]} for row in ROWS]
"""ROWS, each naming its own source (none is counted under the dataset's)."""


def kb(*entries: Entry, rows: list[dict[str, Any]] = ROWS) -> _KB:
    """A KB of the four properties, one dataset ``d`` of ``rows`` and ``entries``."""
    return _KB(*PROPS, dataset("d", rows), *entries)


# --- compute: what a result holds -------------------------------------------------------------


def test_compute_refuses_an_entry_that_is_not_an_analysis() -> None:
    with pytest.raises(LimkbError, match=r"^'coulombic-efficiency' is a property, not an analysis$"):
        compute(kb(), "coulombic-efficiency")


def test_compute_names_the_axis_message_and_hint_of_an_unresolved_variable() -> None:
    with pytest.raises(LimkbError) as caught:
        compute(kb(analysis(x="nowhere")), "a")
    text = str(caught.value)
    assert text.startswith("analysis 'a': x: ") and text.endswith(")") and " (" in text


def test_a_result_carries_the_analysis_s_fields_and_its_units() -> None:
    reported = {"value": 0.25, "ref": "smith2020test", "locator": "Fig. 2"}
    result = compute(kb(analysis(reported=reported, compares="b")), "a")
    assert (result.id, result.name, result.x, result.y) == (
        "a",
        "Analysis a",
        "sei-fluorine-content",
        "coulombic-efficiency",
    )
    assert (result.x_unit, result.y_unit, result.datasets) == ("%", "%", ("d",))
    assert (result.excluded, result.method, result.by, result.groups, result.compares) == (
        0,
        "pearson",
        None,
        (),
        "b",
    )
    assert result.reported == Reported.model_validate(reported)
    assert result.difference == pytest.approx((result.r or 0.0) - 0.25)
    assert [p.label for p in result.points] == ["E0", "E1", "E2", "E3", "E4", "E5"]
    assert result.points[0] == Point("E0", "d", 5.0, 97.0, "smith2020test", None)
    assert result.stats == correlate(result.points)


def test_records_without_a_value_are_excluded_and_counted() -> None:
    rows: list[dict[str, Any]] = [*ROWS, {"ce": 98.0}, {"f": 3}]
    result = compute(kb(analysis(), rows=rows), "a")
    assert (result.n, result.excluded) == (6, 2)


def test_spearman_results_judge_and_differ_in_rho() -> None:
    reported = {"value": 0.1, "ref": "smith2020test", "locator": "Fig. 2"}
    result = compute(kb(analysis(method="spearman", reported=reported)), "a")
    assert result.method == "spearman"
    assert result.stats.method == "spearman"
    assert result.difference == pytest.approx((result.spearman or 0.0) - 0.1)


def test_no_difference_without_a_reported_value() -> None:
    assert compute(kb(analysis()), "a").difference is None


@pytest.mark.parametrize(
    ("x", "y", "x_label", "y_label"),
    [
        ("sei-fluorine-content", "coulombic-efficiency", "SEI fluorine content", "Coulombic efficiency"),
        ("sei-carbon-content / sei-fluorine-content", "coulombic-efficiency", "C/F", "Coulombic efficiency"),
        (
            "sei-thickness / sei-fluorine-content",
            "sei-carbon-content",
            "SEI thickness / SEI fluorine content",
            "SEI carbon content",
        ),
        (
            "sei-fluorine-content * 2",
            "coulombic-efficiency",
            "sei-fluorine-content * 2",
            "Coulombic efficiency",
        ),
    ],
    ids=["property-name", "ratio-of-symbols", "ratio-without-symbol", "expression"],
)
def test_variables_are_labelled_as_readers_name_them(x: str, y: str, x_label: str, y_label: str) -> None:
    result = compute(kb(analysis(x=x, y=y)), "a")
    assert (result.x_label, result.y_label) == (x_label, y_label)


def test_a_declared_label_wins_over_the_computed_one() -> None:
    result = compute(kb(analysis(x_label="fluorine", y_label="efficiency")), "a")
    assert (result.x_label, result.y_label) == ("fluorine", "efficiency")


@pytest.mark.parametrize(
    ("x", "y", "x_unit", "y_unit"),
    [
        ("sei-thickness", "coulombic-efficiency", "nm", "%"),
        ("sei-carbon-content / sei-fluorine-content", "sei-thickness", "1", "nm"),
        ("sei-thickness / sei-fluorine-content", "coulombic-efficiency", "nm/%", "%"),
    ],
    ids=["name", "same-unit-ratio", "mixed-ratio"],
)
def test_each_axis_has_its_own_unit(x: str, y: str, x_unit: str, y_unit: str) -> None:
    result = compute(kb(analysis(x=x, y=y)), "a")
    assert (result.x_unit, result.y_unit) == (x_unit, y_unit)


def _two_sources() -> _KB:
    other = {"ref": "jones2021test", "locator": "Table 2"}
    rows = [{**row, "source": other} if i % 2 else row for i, row in enumerate(ROWS)]
    e = dataset("e", [{**row, "ce": row["ce"] - 1} for row in ROWS])
    return _KB(*PROPS, dataset("d", rows), e, analysis(by="source"), analysis("b", by="dataset"))


def test_by_source_computes_one_result_per_study_in_key_order() -> None:
    result = compute(_two_sources(), "a")
    assert result.by == "source"
    assert [g.key for g in result.groups] == ["jones2021test", "smith2020test"]
    smith = [p for p in result.points if p.group == "smith2020test"]
    assert len(smith) == 9 and result.groups[1].stats == correlate(smith)


def test_by_dataset_groups_each_dataset_s_records() -> None:
    result = compute(_two_sources(), "b")
    assert result.by == "dataset"
    assert [g.key for g in result.groups] == ["d", "e"]
    assert [g.stats.n for g in result.groups] == [6, 6]


@pytest.mark.parametrize(
    ("by", "conditions", "keys"),
    [
        ("cell", [{"cell": "Li||Cu"}, {"cell": "Li||Li"}, None], ["Li||Cu", "Li||Li"]),
        ("protocol", [{"protocol": "Aurbach"}, None, None], ["Aurbach"]),
    ],
    ids=["cell", "protocol"],
)
def test_by_a_condition_groups_by_its_text_and_leaves_records_without_it_out(
    by: str, conditions: list[Any], keys: list[str]
) -> None:
    rows = [
        {**row, **({"conditions": conditions[i % 3]} if conditions[i % 3] else {})}
        for i, row in enumerate(ROWS)
    ]
    result = compute(kb(analysis(by=by), rows=rows), "a")
    assert [g.key for g in result.groups] == keys
    assert sum(1 for p in result.points if p.group is None) == sum(
        1 for i in range(6) if conditions[i % 3] is None
    )
    assert all(g.stats.method == "pearson" for g in result.groups)


def test_groups_use_the_analysis_s_method() -> None:
    result = compute(_KB(*_two_sources().held.values(), analysis("s", by="source", method="spearman")), "s")
    assert all(g.stats.method == "spearman" for g in result.groups)


def test_compute_all_computes_every_analysis_in_id_order() -> None:
    found = compute_all(_KB(*PROPS, dataset("d", ROWS), analysis("b"), analysis("a", method="spearman")))
    assert list(found) == ["a", "b"]
    assert found["a"].method == "spearman" and found["b"].id == "b"


def test_collect_points_pools_the_datasets_and_counts_the_excluded() -> None:
    data = [dataset("d", [*ROWS, {"ce": 97.0}]), dataset("e", ROWS[:2])]
    points, excluded, used = collect_points(analysis(), data, {p.id: p for p in PROPS})
    assert used == ("d", "e") and excluded == 1
    assert points[0] == Point("E0", "d", 5.0, 97.0, "smith2020test")
    assert [p.dataset for p in points] == ["d"] * 6 + ["e"] * 2


def test_collect_points_names_the_axis_of_a_variable_that_does_not_resolve() -> None:
    with pytest.raises(LimkbError, match=r"^analysis 'a': y: "):
        collect_points(analysis(y="nowhere"), [dataset("d", ROWS)], {p.id: p for p in PROPS})


# --- caveats ------------------------------------------------------------------------------------


def _caveats(*entries: Entry, rows: list[dict[str, Any]] = ROWS, **data: Any) -> list[str]:
    result = compute(_KB(*PROPS, dataset("d", rows, **data), *entries), "a")
    return list(result.caveats)


CLUSTER_ONE = (
    "clustering: the 6 records come from 1 study; records of one study share methods and are not "
    "independent, so the effective sample is smaller than n"
)


def test_clustering_names_the_count_of_records_and_the_single_study() -> None:
    assert [c for c in _caveats(analysis(), rows=OWN) if c.startswith("clustering")] == [CLUSTER_ONE]


def test_clustering_points_to_the_per_source_results_when_grouped_by_source() -> None:
    found = [c for c in _caveats(analysis(by="source"), rows=OWN) if c.startswith("clustering")]
    assert found == [CLUSTER_ONE + " (see the per-source results)"]


def test_clustering_counts_studies_in_the_plural_and_stops_at_half_the_records() -> None:
    two = [
        {**row, "source": {"ref": "jones2021test", "locator": "T"}} if i < 2 else row
        for i, row in enumerate(OWN)
    ]
    found = [c for c in _caveats(analysis(), rows=two) if c.startswith("clustering")]
    assert found == [CLUSTER_ONE.replace("from 1 study", "from 2 studies")]
    three = [{**row, "source": {"ref": f"r{i % 3}", "locator": "T"}} for i, row in enumerate(ROWS)]
    assert not [c for c in _caveats(analysis(), rows=three) if c.startswith("clustering")]


def test_clustering_names_records_counted_under_their_dataset_s_sources() -> None:
    rows = [
        {**row, "source": {"ref": "jones2021test", "locator": "T"}} if i < 2 else row
        for i, row in enumerate(ROWS)
    ]
    found = [c for c in _caveats(analysis(), rows=rows, sources=SOURCE) if c.startswith("clustering")]
    assert found == [
        CLUSTER_ONE.replace("from 1 study", "from 2 studies")
        + "; 4 of them name no source of their own and are counted under their dataset's "
        "(smith2020test): if they come from several papers, give each its own (a `ref` or `doi` "
        "column of import-table)"
    ]


def test_closure_is_named_with_the_parts_the_dataset_and_their_sum() -> None:
    rows = [
        {"ce": ce, "f": f, "c": 100 - f + d}
        for ce, f, d in [(97, 5, 0), (97.5, 6, 2), (98, 9, 1), (98.2, 7, 0)]
    ]
    found = [
        c for c in _caveats(analysis(), rows=rows, composition=[["f", "c"]]) if c.startswith("compositional")
    ]
    assert found == [
        "compositional closure: f + c of d sum to about 100 in every record, so these parts are not "
        "independent variables: when one rises the others must fall, and analyses of them are not "
        "separate findings"
    ]


def test_closure_needs_sums_within_twice_the_spread() -> None:
    rows = [
        {"ce": ce, "f": f, "c": 100 - f + d}
        for ce, f, d in [(97, 5, 0), (97.5, 6, 2.01), (98, 9, 1), (98.2, 7, 0)]
    ]
    assert not [
        c for c in _caveats(analysis(), rows=rows, composition=[["f", "c"]]) if c.startswith("compositional")
    ]


def test_the_ceiling_is_named_on_either_axis() -> None:
    near = [{**row, "ce": ce} for row, ce in zip(ROWS, [99.0, 99.5, 98.0, 98.99, 97.0, 96.0], strict=True)]
    on_x = _caveats(analysis(x="coulombic-efficiency", y="sei-fluorine-content"), rows=near)
    assert [c for c in on_x if c.startswith("ceiling")] == [
        "ceiling: 2 of 6 CE values lie within 1 % of 100 %, where CE compresses large differences in "
        "loss per cycle; analyse the log Coulombic inefficiency LCE = -log10(1 - CE/100) as well"
    ]


def test_no_ceiling_for_a_ratio_over_ce() -> None:
    near = [{**row, "ce": 99.5} for row in ROWS]
    found = _caveats(
        analysis(x="sei-fluorine-content", y="coulombic-efficiency / sei-carbon-content"), rows=near
    )
    assert not [c for c in found if c.startswith("ceiling")]


# --- how results are written --------------------------------------------------------------------


def _stats(**fields: Any) -> Correlation:
    base: dict[str, Any] = dict(
        n=5,
        r=0.5,
        ci=(-0.25, 0.75),
        p=0.04,
        spearman=0.6,
        spearman_p=0.03,
        slope=2.0,
        intercept=-1.0,
        loo=LeaveOneOut(0.1, 0.9, "E2"),
        flags=("n < 10: treat as indicative only",),
        method="pearson",
        spearman_ci=(-0.1, 0.8),
    )
    return Correlation(**{**base, **fields})


def _result(**fields: Any) -> AnalysisResult:
    base: dict[str, Any] = dict(
        id="a",
        name="A",
        x="x-prop",
        y="y-prop",
        x_unit="%",
        y_unit="nm",
        datasets=("d", "e"),
        excluded=0,
        stats=_stats(),
        reported=None,
        difference=None,
        points=(Point("E1", "d", 1.0, 2.0, "smith2020test", "g"),),
    )
    return AnalysisResult(**{**base, **fields})


STATS_DICT = {
    "n": 5,
    "r": 0.5,
    "ci": [-0.25, 0.75],
    "p": 0.04,
    "spearman": 0.6,
    "spearman_p": 0.03,
    "spearman_ci": [-0.1, 0.8],
    "method": "pearson",
    "coefficient": 0.5,
    "slope": 2.0,
    "intercept": -1.0,
    "loo": {"min": 0.1, "max": 0.9, "most_influential": "E2"},
    "flags": ["n < 10: treat as indicative only"],
}


def test_statistics_are_written_with_every_field() -> None:
    assert _stats().to_dict() == STATS_DICT


def test_statistics_without_intervals_or_range_are_written_as_none() -> None:
    written = _stats(ci=None, spearman_ci=None, loo=None, method="spearman").to_dict()
    assert (written["ci"], written["spearman_ci"], written["loo"]) == (None, None, None)
    assert written["coefficient"] == 0.6 and written["method"] == "spearman"


def test_undefined_numbers_are_written_as_none() -> None:
    nan, inf = math.nan, math.inf
    written = _stats(
        r=nan,
        ci=(nan, inf),
        p=inf,
        spearman=nan,
        spearman_p=nan,
        spearman_ci=(inf, nan),
        slope=nan,
        intercept=-inf,
        loo=LeaveOneOut(nan, inf, "E1"),
    ).to_dict()
    assert written["ci"] == [None, None] and written["spearman_ci"] == [None, None]
    assert written["loo"] == {"min": None, "max": None, "most_influential": "E1"}
    for key in ("r", "p", "spearman", "spearman_p", "coefficient", "slope", "intercept"):
        assert written[key] is None, key


def test_a_result_is_written_with_every_field() -> None:
    group = GroupResult("g", _stats(n=3))
    reported = Reported.model_validate({"value": 0.4, "ref": "smith2020test", "locator": "Fig. 2"})
    written = _result(
        groups=(group, GroupResult("h", _stats(r=0.1))),
        reported=reported,
        difference=0.1,
        caveats=("c1",),
        by="source",
        compares="b",
        excluded=2,
    ).to_dict()
    assert written == {
        "id": "a",
        "name": "A",
        "x": "x-prop",
        "y": "y-prop",
        "x_label": "x-prop",
        "y_label": "y-prop",
        "x_unit": "%",
        "y_unit": "nm",
        "datasets": ["d", "e"],
        "excluded": 2,
        "method": "pearson",
        **STATS_DICT,
        "reported": {"value": 0.4, "ref": "smith2020test", "locator": "Fig. 2"},
        "difference": 0.1,
        "caveats": ["c1"],
        "by": "source",
        "groups": [
            {"key": "g", **STATS_DICT, "n": 3},
            {"key": "h", **STATS_DICT, "r": 0.1, "coefficient": 0.1},
        ],
        "group_spread": pytest.approx(0.4),
        "compares": "b",
        "points": [{"label": "E1", "dataset": "d", "x": 1.0, "y": 2.0, "ref": "smith2020test", "group": "g"}],
    }


def test_declared_labels_are_written_and_undefined_values_are_none() -> None:
    written = _result(
        x_label="C/F", y_label="CE", difference=math.nan, points=(Point("E1", "d", math.inf, math.nan),)
    ).to_dict()
    assert (written["x_label"], written["y_label"], written["difference"]) == ("C/F", "CE", None)
    assert written["reported"] is None and written["group_spread"] is None
    assert written["points"] == [
        {"label": "E1", "dataset": "d", "x": None, "y": None, "ref": None, "group": None}
    ]


def test_results_json_is_a_strict_indented_list_that_keeps_non_ascii_text() -> None:
    first, second = _result(name="ρ of Li"), _result(id="b")
    text = results_json({"a": first, "b": second})
    assert text == json.dumps([first.to_dict(), second.to_dict()], indent=2, ensure_ascii=False)
    assert "ρ of Li" in text and text.startswith('[\n  {\n    "id": "a"')
    assert results_json([second]) == json.dumps([second.to_dict()], indent=2, ensure_ascii=False)


def test_results_json_refuses_nan_instead_of_writing_it() -> None:
    class Raw(AnalysisResult):
        def to_dict(self) -> dict[str, Any]:
            return {"r": math.nan}

    with pytest.raises(ValueError):
        results_json([Raw(**{f: getattr(_result(), f) for f in AnalysisResult.__dataclass_fields__})])


@pytest.mark.parametrize(
    ("fields", "caption"),
    [
        ({}, "r = 0.500 (95% CI -0.25 to 0.75), n = 5"),
        ({"stats": _stats(ci=None)}, "r = 0.500, n = 5"),
        ({"stats": _stats(r=None)}, "r undefined, n = 5"),
        (
            {"method": "spearman", "stats": _stats(method="spearman")},
            "Spearman ρ = 0.600 (95% CI -0.10 to 0.80), n = 5, on ranks",
        ),
        (
            {"method": "spearman", "stats": _stats(method="spearman", spearman_ci=None)},
            "Spearman ρ = 0.600, n = 5, on ranks",
        ),
        (
            {"method": "spearman", "stats": _stats(method="spearman", spearman=None)},
            "Spearman ρ undefined, n = 5",
        ),
    ],
    ids=["pearson", "pearson-no-ci", "pearson-undefined", "spearman", "spearman-no-ci", "spearman-undefined"],
)
def test_the_caption_names_the_coefficient_its_interval_and_n(fields: dict[str, Any], caption: str) -> None:
    assert headline(_result(**fields)) == caption


def test_the_table_has_a_header_a_rule_and_one_row_per_result() -> None:
    reported = Reported.model_validate({"value": 0.45, "ref": "smith2020test", "locator": "Fig. 2"})
    table = format_table(
        [_result(reported=reported, difference=0.05), _result(id="longer-id", stats=_stats(loo=None))]
    )
    assert table.splitlines() == [
        "id         n  r [95% CI]            p        rho  LOO range   reported    diff",
        "---------  -  --------------------  -----  -----  ----------  --------  ------",
        "a          5   0.500 [-0.25, 0.75]  0.040   0.60  0.10..0.90      0.45  +0.050",
        "    ! n < 10: treat as indicative only",
        "longer-id  5   0.500 [-0.25, 0.75]  0.040   0.60  -                  -       -",
        "    ! n < 10: treat as indicative only",
    ]


def test_the_table_marks_rho_ranges_and_values_wraps_long_flags_and_marks_caveats() -> None:
    reported = Reported.model_validate({"value": 0.45, "ref": "smith2020test", "locator": "Fig. 2"})
    long_flag = "word " * 30
    result = _result(
        method="spearman",
        reported=reported,
        stats=_stats(method="spearman", ci=None, r=None, p=None, spearman=None, flags=(long_flag.strip(),)),
        caveats=("clustering: few studies",),
        excluded=3,
    )
    assert format_table({"a": result}).splitlines() == [
        "id       n  r [95% CI]  p  rho  LOO range       reported  diff",
        "--  ------  ----------  -  ---  --------------  --------  ----",
        "a   5 (-3)  -           -    -  0.10..0.90 rho  0.45 rho     -",
        "    ! " + " ".join(["word"] * 19),
        "      " + " ".join(["word"] * 11),
        "    ~ clustering: few studies",
        "n (-k): k records of the pooled datasets lack a value and were left out",
    ]


@pytest.mark.parametrize(
    ("p", "text"),
    [(None, "-"), (0.5, "0.500"), (0.001, "0.001"), (0.00099, "1e-03"), (0.00004, "4e-05")],
    ids=["none", "plain", "at-threshold", "below", "tiny"],
)
def test_p_values_below_one_in_a_thousand_are_written_in_exponent_form(p: float | None, text: str) -> None:
    assert module._p(p) == text


def test_numbers_default_to_three_decimals() -> None:
    assert module._num(0.12345) == "0.123" and module._num(None) == "-" and module._num(1.5, "+.1f") == "+1.5"


# --- the key of the analyses' cache -------------------------------------------------------------


def _part(entry: Entry) -> bytes:
    return f"\0{entry.kind}\0{entry.id}\0{content_digest(entry)}".encode()


def test_an_analysis_key_hashes_the_code_properties_materials_the_analysis_and_its_pool_in_id_order() -> None:
    a, b, d, e = analysis(), analysis("b", datasets=["e"]), dataset("d", ROWS), dataset("e", ROWS[:5])
    held = _KB(T, CE, d, e, a, b, make(Strategy, "s", "strategy", "S"))
    shared = hashlib.sha256(code_digest().encode())
    for entry in (CE, T):  # properties in id order; no material here
        shared.update(_part(entry))
    expected = {}
    for entry, pool in ((a, (d, e)), (b, (e,))):
        digest = shared.copy()
        digest.update(_part(entry))
        for member in pool:
            digest.update(_part(member))
        expected[entry.id] = digest.hexdigest()
    assert analysis_keys(held) == expected


def test_a_dataset_edit_changes_the_keys_of_the_analyses_whose_pool_holds_it_only() -> None:
    a, b = analysis(), analysis("b", datasets=["e"])
    base = analysis_keys(_KB(*PROPS, dataset("d", ROWS), dataset("e", ROWS), a, b))
    edited = analysis_keys(_KB(*PROPS, dataset("d", ROWS[:-1]), dataset("e", ROWS), a, b))
    assert edited["a"] != base["a"] and edited["b"] == base["b"]
    both = (dataset("d", ROWS), dataset("e", ROWS))
    assert analysis_keys(_KB(*PROPS, *both, analysis(method="spearman"), b))["a"] != base["a"]
    assert analysis_keys(_KB(*PROPS, *both, a, b, make(Strategy, "s", "strategy", "S"))) == base
    renamed = prop("sei-thickness", "SEI thickness (renamed)", "nm")
    others = [p for p in PROPS if p.id != "sei-thickness"]
    assert (
        analysis_keys(_KB(*others, renamed, dataset("d", ROWS), dataset("e", ROWS), a, b))["b"] != base["b"]
    )


def test_compute_all_takes_known_results_as_they_are_and_computes_the_others() -> None:
    held = kb(analysis(), analysis("b", x="sei-carbon-content"))
    cold = compute_all(held)
    sentinel = cold["a"]
    mixed = compute_all(held, {"a": sentinel})
    assert (
        list(mixed) == ["a", "b"]
        and mixed["a"] is sentinel
        and mixed["b"] == cold["b"]
        and mixed["b"] is not cold["b"]
    )


def test_compute_all_gathers_the_inputs_once_for_every_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    class Counted(module.Inputs):
        def __init__(self, kb: Any) -> None:
            made.append(kb)
            super().__init__(kb)

    monkeypatch.setattr(module, "Inputs", Counted)
    compute_all(_KB(*PROPS, dataset("d", ROWS), analysis("a"), analysis("b"), analysis("c")))
    assert len(made) == 1


def test_a_column_without_a_property_is_labelled_by_its_name() -> None:
    rows = [{**row, "n": i * 1.5} for i, row in enumerate(ROWS)]
    data = dataset("d", rows)
    data = Dataset.model_validate(
        {
            **data.model_dump(exclude_none=True),
            "columns": [*data.model_dump()["columns"], {"name": "n", "unit": "1"}],
        }
    )
    result = compute(_KB(*PROPS, data, analysis(x="n")), "a")
    assert (result.x_label, result.x_unit, result.n) == ("n", "1", 6)
    ratio = compute(_KB(*PROPS, data, analysis(x="n / sei-fluorine-content")), "a")
    assert ratio.x_label == "n / sei-fluorine-content"


def test_a_ratio_written_with_brackets_is_labelled_as_written() -> None:
    x = "(sei-carbon-content) / sei-fluorine-content"
    assert compute(kb(analysis(x=x)), "a").x_label == x


def test_flags_under_a_row_wrap_at_100_characters() -> None:
    flag = " ".join(["word"] * 18 + ["words", "more"])
    lines = format_table([_result(stats=_stats(flags=(flag,)))]).splitlines()
    assert lines[3:] == ["    ! " + " ".join(["word"] * 18), "      words more"]
    assert len(lines[3]) == 95


@pytest.mark.parametrize(
    ("expression", "units", "unit"),
    [
        ("a / b", {"a": "nm"}, "nm/1"),
        ("a / b", {"b": "nm"}, "1/nm"),
        ("a / 2", {"a": "nm"}, "length"),
        ("a * b", {"a": "nm", "b": "s"}, "length time"),
    ],
    ids=[
        "ratio-over-a-dimensionless-name",
        "ratio-of-a-dimensionless-name",
        "ratio-over-a-number",
        "product",
    ],
)
def test_a_ratio_s_unit_takes_a_name_without_unit_as_1_and_other_forms_their_dimension(
    expression: str, units: dict[str, str], unit: str
) -> None:
    from limkb.analysis import expressions as ex

    assert module._unit(ex.parse(expression), units) == unit


def test_records_without_both_values_are_not_counted_as_borrowing_a_source() -> None:
    two = {"ref": "jones2021test", "locator": "T"}
    rows = [{**row, "source": two} if i < 2 else row for i, row in enumerate(ROWS)] + [{"f": 3.0}]
    e = make(
        Dataset,
        "e",
        "dataset",
        "E",
        columns=dataset("x", []).model_dump()["columns"],
        records=[{"label": "e1", "ce": 96.0, "f": 4.0}],
        sources=[{"ref": "brown2022test", "locator": "T"}],
    )
    result = compute(_KB(*PROPS, dataset("d", rows), e, analysis()), "a")
    found = [c for c in result.caveats if c.startswith("clustering")]
    assert found == [
        "clustering: the 7 records come from 3 studies; records of one study share methods and are not "
        "independent, so the effective sample is smaller than n; 5 of them name no source of their own and "
        "are counted under their dataset's (brown2022test, smith2020test): if they come from several "
        "papers, give each its own (a `ref` or `doi` column of import-table)"
    ]


@pytest.mark.parametrize(
    ("r", "clipped"),
    [(1.0 + 2e-16, 1.0), (-1.0 - 2e-16, -1.0), (1.5, 1.0), (-1.5, -1.0), (0.25, 0.25)],
    ids=["an-ulp-above-1", "an-ulp-below-minus-1", "above", "below", "inside"],
)
def test_a_coefficient_that_rounding_pushes_past_one_is_clipped_to_one(r: float, clipped: float) -> None:
    assert module._clip(r) == clipped
