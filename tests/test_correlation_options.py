"""Every option and threshold of a correlation, pinned at its edge.

Each test names the rule it protects: the method an analysis declares (Pearson or Spearman)
is the one its difference, caption, leave-one-out range and flags use; ``MIN_N``,
``INFLUENCE_THRESHOLD`` and ``SIGN_FLOOR`` flag exactly at their values; the confidence
intervals need n > 3 and the leave-one-out range n >= 4; a subset with no variation left is
skipped, not divided by zero; the caveats (closure, clustering, ceiling) appear at their
thresholds and not below. The fast leave-one-out paths are checked against recomputing every
subset. Tiny KBs are built in ``tmp_path``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from kbfactory import minimal, write_kb
from limkb.analysis.correlations import (
    INFLUENCE_THRESHOLD,
    MIN_N,
    SIGN_FLOOR,
    AnalysisResult,
    Correlation,
    GroupResult,
    LeaveOneOut,
    Point,
    _fisher_ci,
    _leave_one_out,
    _leave_one_out_r,
    _leave_one_out_rho,
    compute,
    correlate,
    format_table,
    headline,
)


def pts(xs: list[float], ys: list[float], refs: list[str | None] | None = None) -> list[Point]:
    refs = refs or [None] * len(xs)
    return [
        Point(f"p{i}", "d", float(x), float(y), refs[i]) for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]


def brute_r(xs: list[float], ys: list[float]) -> list[float | None]:
    """Pearson r of every subset that drops one record, computed directly."""
    found: list[float | None] = []
    for i in range(len(xs)):
        x, y = np.delete(np.array(xs, float), i), np.delete(np.array(ys, float), i)
        found.append(None if np.ptp(x) == 0 or np.ptp(y) == 0 else float(stats.pearsonr(x, y).statistic))
    return found


def brute_rho(xs: list[float], ys: list[float]) -> list[float | None]:
    """Spearman rho of every subset that drops one record, ranked again."""
    found: list[float | None] = []
    for i in range(len(xs)):
        x, y = np.delete(np.array(xs, float), i), np.delete(np.array(ys, float), i)
        found.append(None if np.ptp(x) == 0 or np.ptp(y) == 0 else float(stats.spearmanr(x, y).statistic))
    return found


def same(found: list[float | None], expected: list[float | None]) -> bool:
    return len(found) == len(expected) and all(
        (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))
        for a, b in zip(found, expected, strict=True)
    )


# --- sample size: MIN_N, n >= 3, CI n > 3, leave-one-out n >= 4 --------------------------------

LINE = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
NOISY = [1.2, 1.9, 3.4, 3.9, 5.3, 5.8, 7.4, 7.7, 9.5, 9.8, 11.3]


@pytest.mark.parametrize(("n", "indicative"), [(MIN_N - 1, True), (MIN_N, False), (MIN_N + 1, False)])
def test_fewer_than_min_n_records_are_flagged_indicative(n: int, indicative: bool) -> None:
    result = correlate(pts(LINE[:n], NOISY[:n]))
    assert MIN_N == 10
    assert (f"n < {MIN_N}: treat as indicative only" in result.flags) is indicative


@pytest.mark.parametrize("n", [0, 1, 2])
def test_fewer_than_three_records_have_no_statistics(n: int) -> None:
    result = correlate(pts(LINE[:n], NOISY[:n]))
    assert result.r is None and result.spearman is None and result.loo is None
    assert f"too few records for a correlation (n = {n}, at least 3 are needed)" in result.flags


def test_three_records_have_r_but_no_interval_and_no_leave_one_out() -> None:
    result = correlate(pts(LINE[:3], NOISY[:3]))
    assert result.r is not None and result.spearman is not None
    assert result.ci is None and result.spearman_ci is None and result.loo is None
    assert not any("too few" in flag for flag in result.flags)


def test_four_records_have_both_intervals_and_a_leave_one_out_range() -> None:
    xs, ys = [1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]
    result = correlate(pts(xs, ys))
    assert result.ci is not None and result.spearman_ci is not None and result.loo is not None
    assert result.ci == pytest.approx(_fisher_ci(result.r or 0.0, 4))
    assert result.spearman_ci == pytest.approx(_fisher_ci(result.spearman or 0.0, 4, bonett_wright=True))


def test_fisher_interval_is_the_textbook_one_and_bonett_wright_is_wider() -> None:
    r, n = 0.5, 12
    half = 1.959963984540054 / math.sqrt(n - 3)
    assert _fisher_ci(r, n) == pytest.approx(
        (math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half))
    )
    wide = math.sqrt(1 + r * r / 2) * half
    assert _fisher_ci(r, n, bonett_wright=True) == pytest.approx(
        (math.tanh(math.atanh(r) - wide), math.tanh(math.atanh(r) + wide))
    )
    assert _fisher_ci(1.0, n) == (1.0, 1.0) and _fisher_ci(-1.0, n) == (-1.0, -1.0)


def test_statistics_agree_with_scipy() -> None:
    xs, ys = LINE, [v * v % 7 + v for v in NOISY]
    result = correlate(pts(xs, ys))
    assert result.r == pytest.approx(stats.pearsonr(xs, ys).statistic)
    assert result.p == pytest.approx(stats.pearsonr(xs, ys).pvalue)
    assert result.spearman == pytest.approx(stats.spearmanr(xs, ys).statistic)
    assert result.spearman_p == pytest.approx(stats.spearmanr(xs, ys).pvalue)
    fit = stats.linregress(xs, ys)
    assert (result.slope, result.intercept) == (pytest.approx(fit.slope), pytest.approx(fit.intercept))


@pytest.mark.parametrize(
    ("xs", "ys", "which"),
    [([1, 1, 1, 1], [1, 2, 3, 4], "x"), ([1, 2, 3, 4], [5, 5, 5, 5], "y"), ([2, 2, 2], [3, 3, 3], "x and y")],
)
def test_a_variable_with_no_variation_is_named(xs: list[float], ys: list[float], which: str) -> None:
    for method, symbol in (("pearson", "r"), ("spearman", "rho")):
        result = correlate(pts(xs, ys), method)
        assert result.r is None and result.coefficient is None
        assert (
            f"no variation in {which}: every record has the same value, so {symbol} is undefined"
            in result.flags
        )


# --- the method an analysis declares ------------------------------------------------------------

# y rises with x except one record far out of line: r and rho differ in size and sign of change
XS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
YS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -30.0]


def test_spearman_judges_rho_and_pearson_judges_r() -> None:
    pearson, spearman = correlate(pts(XS, YS)), correlate(pts(XS, YS), "spearman")
    assert pearson.r == spearman.r and pearson.spearman == spearman.spearman
    assert pearson.coefficient == pearson.r and spearman.coefficient == spearman.spearman
    assert pearson.coefficient_ci == pearson.ci and spearman.coefficient_ci == spearman.spearman_ci
    assert pearson.coefficient_p == pearson.p and spearman.coefficient_p == spearman.spearman_p
    assert (pearson.symbol, spearman.symbol) == ("r", "rho")
    assert pearson.loo is not None and spearman.loo is not None
    r_subsets = [v for v in brute_r(XS, YS) if v is not None]
    rho_subsets = [v for v in brute_rho(XS, YS) if v is not None]
    assert (pearson.loo.min, pearson.loo.max) == (
        pytest.approx(min(r_subsets)),
        pytest.approx(max(r_subsets)),
    )
    assert (spearman.loo.min, spearman.loo.max) == (
        pytest.approx(min(rho_subsets)),
        pytest.approx(max(rho_subsets)),
    )
    assert (
        spearman.to_dict()["coefficient"] == spearman.spearman and spearman.to_dict()["method"] == "spearman"
    )
    assert pearson.to_dict()["coefficient"] == pearson.r


def test_the_resting_flag_names_the_record_and_the_methods_symbol() -> None:
    pearson = correlate(pts(XS, YS))
    without = brute_r(XS, YS)[7]
    assert without is not None
    assert f"rests on one record: without 'p7' r would be {without:.2f}" in pearson.flags
    assert pearson.loo is not None and pearson.loo.most_influential == "p7"
    rho_flags = correlate(pts(XS, YS), "spearman").flags
    assert not any(flag.startswith("rests on one record") and " r would" in flag for flag in rho_flags)


# --- INFLUENCE_THRESHOLD and SIGN_FLOOR ---------------------------------------------------------

FOUR = pts([1, 2, 3, 4], [1, 2, 3, 4])


@pytest.mark.parametrize(
    ("r", "without", "rests"),
    [
        (0.5, 0.5 + INFLUENCE_THRESHOLD + 0.01, True),  # |r| moves by more than the threshold
        (0.5, 0.5 + INFLUENCE_THRESHOLD - 0.01, False),  # ... by less
        (0.25, 0.45, False),  # by exactly the threshold: not more
        (-0.5, -0.75, True),  # the size of r counts, whatever its sign
        (0.15, -0.05, True),  # a sign flip of an r at least SIGN_FLOOR
        (SIGN_FLOOR, -0.05, True),  # at exactly SIGN_FLOOR
        (0.09, -0.05, False),  # below SIGN_FLOOR a sign is not a conclusion
        (0.15, 0.0, False),  # zero is no flip
        (-0.15, 0.05, True),
    ],
)
def test_a_conclusion_rests_on_one_record_past_the_thresholds(r: float, without: float, rests: bool) -> None:
    assert (INFLUENCE_THRESHOLD, SIGN_FLOOR) == (0.2, 0.1)
    assert abs(abs(0.45) - abs(0.25)) == INFLUENCE_THRESHOLD
    loo, dropped = _leave_one_out(FOUR, [r, r, without, r], r)
    assert loo == LeaveOneOut(min(r, without), max(r, without), "p2" if without != r else "p0")
    assert (dropped == ("p2", without)) is rests
    assert (dropped is None) is not rests


def test_the_record_that_moves_the_coefficient_most_is_named() -> None:
    loo, dropped = _leave_one_out(FOUR, [0.1, 0.9, -0.6, 0.4], 0.5)
    assert loo == LeaveOneOut(-0.6, 0.9, "p2")
    assert dropped == ("p2", -0.6)


def test_subsets_without_a_coefficient_are_skipped() -> None:
    assert _leave_one_out(FOUR, [None, None, None, None], 0.5) == (None, None)
    loo, dropped = _leave_one_out(FOUR, [None, 0.45, None, 0.52], 0.5)
    assert loo == LeaveOneOut(0.45, 0.52, "p1") and dropped is None


# --- the fast leave-one-out paths equal recomputing every subset ---------------------------------

SAMPLES = [
    ([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]),
    ([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]),
    ([1, 1, 2, 2, 3, 3, 4], [1, 2, 2, 3, 3, 5, 4]),  # ties on both axes
    ([1, 2, 2, 2, 5, 6, 6], [3, 3, 1, 3, 3, 6, 0]),  # ties in x and y, tied pairs
    ([0, 0, 0, 1], [0, 1, 2, 3]),  # dropping the one varied x leaves x flat
    ([1, 2, 3, 4], [0, 0, 0, 1]),  # dropping the last record leaves y flat
    ([0.0, 1e-3, 2e-3, 100.0, 3e-3], [1.0, 3.0, 2.0, 5.0, 4.0]),  # one record holds the variance
    ([5, 3, 9, 1, 7, 3, 8, 2, 6, 4], [2, 8, 5, 5, 1, 9, 3, 7, 4, 6]),
]


@pytest.mark.parametrize(("xs", "ys"), SAMPLES)
def test_leave_one_out_r_equals_recomputing_every_subset(xs: list[float], ys: list[float]) -> None:
    found = _leave_one_out_r(np.array(xs, float), np.array(ys, float))
    assert same(found, brute_r(xs, ys)), (found, brute_r(xs, ys))


@pytest.mark.parametrize(("xs", "ys"), SAMPLES)
def test_leave_one_out_rho_equals_ranking_every_subset_again(xs: list[float], ys: list[float]) -> None:
    found = _leave_one_out_rho(np.array(xs, float), np.array(ys, float))
    assert same(found, brute_rho(xs, ys)), (found, brute_rho(xs, ys))


def test_a_remainder_with_almost_none_of_the_variance_counts_as_flat() -> None:
    """Below 1e-12 of the whole variance the digits left are rounding noise: no r is made of them."""
    xs, ys = [0.0, 1e-3, 2e-3, 1e4, 3e-3], [1.0, 3.0, 2.0, 5.0, 4.0]
    found = _leave_one_out_r(np.array(xs), np.array(ys))
    assert found[3] is None
    assert same(found[:3] + found[4:], [v for i, v in enumerate(brute_r(xs, ys)) if i != 3])


def test_a_flat_y_subset_is_left_out_of_the_range() -> None:
    result = correlate(pts([1, 2, 3, 4], [0, 0, 0, 1]))
    assert result.loo is not None and result.loo.most_influential != "p3"
    assert result.loo.max <= 1.0


# --- against a knowledge base: difference, caption, table, groups, caveats ----------------------


def _prop(name: str, unit: str, symbol: str, **extra: Any) -> dict[str, Any]:
    return minimal("property", name, unit=unit, scope="sei", desired="higher", symbol=symbol, **extra)


def _kb(tmp_path: Path, rows: list[dict[str, Any]], composition: Any = None, **analysis: Any) -> Any:
    from limkb.access import load

    entries = {
        "properties/coulombic-efficiency": _prop(
            "Coulombic efficiency", "%", "CE", minimum=0.0, maximum=100.0
        ),
        "properties/sei-fluorine-content": _prop("SEI fluorine content", "%", "F"),
        "properties/sei-carbon-content": _prop("SEI carbon content", "%", "C"),
        "datasets/d": minimal(
            "dataset",
            "CE and SEI",
            columns=[
                {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                {"name": "f", "property": "sei-fluorine-content", "unit": "%"},
                {"name": "c", "property": "sei-carbon-content", "unit": "%"},
            ],
            records=[{"label": f"E{i}", **row} for i, row in enumerate(rows)],
            **({"composition": composition} if composition else {}),
        ),
        "analyses/a": minimal(
            "analysis", "CE vs F", **{"x": "sei-fluorine-content", "y": "coulombic-efficiency", **analysis}
        ),
    }
    return load(write_kb(tmp_path, entries))


ROWS = [
    {"ce": ce, "f": f, "c": 100 - f - o}
    for ce, f, o in [
        (97.0, 5, 40),
        (97.5, 6, 41),
        (98.0, 9, 30),
        (98.2, 7, 35),
        (98.9, 12, 20),
        (97.1, 15, 30),
    ]
]


def test_spearman_analyses_report_the_difference_and_caption_in_rho(tmp_path: Path) -> None:
    reported = {"value": 0.3, "ref": "smith2020test", "locator": "Fig. 2"}
    result = compute(_kb(tmp_path, ROWS, method="spearman", reported=reported), "a")
    assert result.method == "spearman" and result.coefficient == result.spearman != result.r
    assert result.difference == pytest.approx((result.spearman or 0.0) - 0.3)
    ci = result.spearman_ci
    assert ci is not None
    assert headline(result) == (
        f"Spearman ρ = {result.spearman:.3f} (95% CI {ci[0]:.2f} to {ci[1]:.2f}), n = 6, on ranks"
    )
    table = format_table([result])
    assert " rho" in table.splitlines()[2] and "0.3 rho" in table


def test_pearson_analyses_report_the_difference_and_caption_in_r(tmp_path: Path) -> None:
    reported = {"value": 0.3, "ref": "smith2020test", "locator": "Fig. 2"}
    result = compute(_kb(tmp_path, ROWS, reported=reported), "a")
    assert result.method == "pearson" and result.coefficient == result.r
    assert result.difference == pytest.approx((result.r or 0.0) - 0.3)
    ci = result.ci
    assert ci is not None
    assert headline(result) == f"r = {result.r:.3f} (95% CI {ci[0]:.2f} to {ci[1]:.2f}), n = 6"
    assert " rho" not in format_table([result]).splitlines()[2]


def test_an_undefined_coefficient_has_a_caption_and_no_difference(tmp_path: Path) -> None:
    flat = [{"ce": 98.0, "f": f, "c": 50} for f in (1, 2, 3)]
    reported = {"value": 0.3, "ref": "smith2020test", "locator": "Fig. 2"}
    result = compute(_kb(tmp_path, flat, method="spearman", reported=reported), "a")
    assert result.difference is None
    assert headline(result) == "Spearman ρ undefined, n = 3"


def _result(**fields: Any) -> AnalysisResult:
    stats_ = correlate(pts(LINE[:5], NOISY[:5]))
    base: dict[str, Any] = dict(
        id="a",
        name="A",
        x="x",
        y="y",
        x_unit="1",
        y_unit="1",
        datasets=("d",),
        excluded=0,
        stats=stats_,
        reported=None,
        difference=None,
        points=(),
    )
    return AnalysisResult(**{**base, **fields})


def test_group_spread_is_the_highest_group_coefficient_less_the_lowest() -> None:
    def group(key: str, ys: list[float]) -> GroupResult:
        return GroupResult(key, correlate(pts([1, 2, 3, 4], ys)))

    rising, falling, flat = group("a", [1, 2, 4, 3]), group("b", [4, 3, 1, 2]), group("c", [1, 1, 1, 1])
    assert _result(groups=(rising,)).group_spread is None
    assert _result(groups=(rising, flat)).group_spread is None
    spread = _result(groups=(rising, falling, flat)).group_spread
    assert spread == pytest.approx((rising.stats.r or 0) - (falling.stats.r or 0))


def test_table_marks_excluded_records_and_small_p_values() -> None:
    table = format_table([_result(excluded=2)])
    assert "5 (-2)" in table
    assert "n (-k): k records of the pooled datasets lack a value and were left out" in table
    assert "lack a value" not in format_table([_result()])
    assert format_table([]).splitlines()[-1] == "(no analyses)"
    strong = correlate(pts(LINE, [2 * v + 0.01 * (i % 2) for i, v in enumerate(LINE)]))
    assert strong.p is not None and strong.p < 0.001
    assert f"{strong.p:.0e}" in format_table([_result(stats=strong)])


CLOSED = [{"ce": ce, "f": f, "c": 100 - f} for ce, f in [(97.0, 5), (97.5, 6), (98.0, 9), (98.2, 7)]]


def test_caveats_appear_at_their_thresholds(tmp_path: Path) -> None:
    near = [{**row, "ce": ce} for row, ce in zip(ROWS, [99.0, 99.5, 98.0, 98.99, 97.0, 96.0], strict=True)]
    result = compute(_kb(tmp_path, near), "a")
    ceiling = [c for c in result.caveats if c.startswith("ceiling")]
    assert ceiling == [
        "ceiling: 2 of 6 CE values lie within 1 % of 100 %, where CE compresses large differences in "
        "loss per cycle; analyse the log Coulombic inefficiency LCE = -log10(1 - CE/100) as well"
    ]
    clustering = [c for c in result.caveats if c.startswith("clustering")]
    assert clustering and clustering[0].startswith("clustering: the 6 records come from 1 study;")


def test_no_ceiling_caveat_below_it(tmp_path: Path) -> None:
    result = compute(_kb(tmp_path, ROWS), "a")
    assert not any(c.startswith("ceiling") for c in result.caveats)


def test_correlation_results_never_hold_nan() -> None:
    result: Correlation = correlate(pts([1, 2, 3, 4], [1, 1, 1, 1]))
    assert result.to_dict()["r"] is None and result.to_dict()["loo"] is None


# --- how variables are named and in which unit --------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "units", "unit"),
    [
        ("a", {"a": "nm"}, "nm"),  # a name's own unit
        ("b", {}, "1"),  # a name without one is dimensionless
        ("a / b", {"a": "%", "b": "%"}, "1"),  # a ratio of one unit cancels
        ("a / b", {"a": "nm", "b": "%"}, "nm/%"),
        ("a / b", {"a": "nm", "b": "um"}, "nm/um"),  # convertible is not the same
        ("a * b", {"a": "nm", "b": "nm"}, "length^2"),  # anything else: its dimension
        ("a * 2", {"a": "1"}, "1"),
    ],
)
def test_a_variables_unit(expression: str, units: dict[str, str], unit: str) -> None:
    from limkb.analysis import expressions as ex
    from limkb.analysis.correlations import _unit

    assert _unit(ex.parse(expression), units) == unit


def test_symbols_lose_a_trailing_percent_sign_only() -> None:
    from limkb.analysis.correlations import _bare

    assert (_bare("CE %"), _bare("F%"), _bare("%"), _bare("x")) == ("CE", "F", "%", "x")


def test_variables_are_named_as_readers_name_them(tmp_path: Path) -> None:
    kb = _kb(tmp_path, ROWS, x="sei-carbon-content / sei-fluorine-content")
    result = compute(kb, "a")
    assert (result.x_label, result.y_label, result.x_unit, result.y_unit) == (
        "C/F",
        "Coulombic efficiency",
        "1",
        "%",
    )
    mixed = compute(_kb(tmp_path / "2", ROWS, x="sei-carbon-content * sei-fluorine-content"), "a")
    assert mixed.x_label == "sei-carbon-content * sei-fluorine-content"
    given = compute(_kb(tmp_path / "3", ROWS, x_label="fluorine", y_label="CE"), "a")
    assert (given.x_label, given.y_label) == ("fluorine", "CE")


@pytest.mark.parametrize(("second", "closed"), [(98.0, True), (97.5, False)])
def test_compositional_closure_is_flagged_when_the_parts_sum_to_a_constant(
    tmp_path: Path, second: float, closed: bool
) -> None:
    sums = [99.0, second, 100.0, 99.0]
    rows = [
        {"ce": ce, "f": f, "c": total - f}
        for ce, f, total in zip([97, 98, 97.5, 99], [5, 9, 6, 12], sums, strict=True)
    ]
    result = compute(_kb(tmp_path, rows, composition=[["f", "c"]]), "a")
    closure = [c for c in result.caveats if c.startswith("compositional closure")]
    expected = (
        "compositional closure: f + c of d sum to about 99 in every record, so these parts are not "
        "independent variables: when one rises the others must fall, and analyses of them are not "
        "separate findings"
    )
    assert closure == ([expected] if closed else [])


def test_by_source_groups_records_by_their_study(tmp_path: Path) -> None:
    result = compute(_kb(tmp_path, ROWS, by="source"), "a")
    assert result.by == "source"
    assert [g.key for g in result.groups] == ["smith2020test"]
    assert result.groups[0].stats.n == 6 and result.groups[0].stats.r == pytest.approx(result.r)
    assert result.group_spread is None
    [clustering] = [c for c in result.caveats if c.startswith("clustering")]
    assert "(see the per-source results)" in clustering
    assert clustering.endswith(
        "; 6 of them name no source of their own and are counted under their dataset's (smith2020test): "
        "if they come from several papers, give each its own (a `ref` or `doi` column of import-table)"
    )
    assert result.to_dict()["groups"][0]["key"] == "smith2020test"


def test_by_dataset_groups_records_by_their_dataset(tmp_path: Path) -> None:
    result = compute(_kb(tmp_path, ROWS, by="dataset"), "a")
    assert [g.key for g in result.groups] == ["d"]
    [clustering] = [c for c in result.caveats if c.startswith("clustering")]
    assert "(see the per-source results)" not in clustering


def test_without_by_there_are_no_groups(tmp_path: Path) -> None:
    result = compute(_kb(tmp_path, ROWS), "a")
    assert result.by is None and result.groups == () and result.to_dict()["groups"] == []
    assert {p.group for p in result.points} == {None}


# --- the method reaches every return, and the leave-one-out judges the method's coefficient ------


@pytest.mark.parametrize(
    ("xs", "ys"), [([1, 2], [1, 2]), ([1, 1, 1], [1, 2, 3])], ids=["too few", "constant"]
)
def test_the_method_is_kept_when_no_coefficient_can_be_computed(xs: list[float], ys: list[float]) -> None:
    assert correlate(pts(xs, ys), "spearman").method == "spearman"
    assert correlate(pts(xs, ys)).method == "pearson"


def test_a_steady_rank_order_does_not_rest_on_one_record_under_spearman() -> None:
    ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1000.0]  # ranks never change; r does without the last
    spearman, pearson = correlate(pts(XS, ys), "spearman"), correlate(pts(XS, ys))
    assert spearman.spearman == pytest.approx(1.0)
    assert not any(flag.startswith("rests on one record") for flag in spearman.flags)
    assert any(flag.startswith("rests on one record: without 'p7' r would be") for flag in pearson.flags)


def test_the_record_moving_the_coefficient_most_is_the_one_flagged_first_on_ties() -> None:
    assert _leave_one_out(FOUR, [0.9, 0.5, 0.75, 0.5], 0.5)[1] == ("p0", 0.9)
    assert _leave_one_out(FOUR, [0.8, 0.5, 0.8, 0.5], 0.5)[1] == ("p0", 0.8)


def test_a_remainder_with_little_but_real_variance_is_computed_not_skipped() -> None:
    xs, ys = [1.0, 2.0, 4.0, 3.0], [0.0, 1e-6, 2e-6, 0.1]
    found = _leave_one_out_r(np.array(xs), np.array(ys))
    assert found[3] is not None
    assert same(found, brute_r(xs, ys))


@pytest.mark.parametrize(("n", "clustered"), [(3, False), (4, True)])
def test_clustering_is_flagged_from_four_records(tmp_path: Path, n: int, clustered: bool) -> None:
    result = compute(_kb(tmp_path, ROWS[:n]), "a")
    clustering = [c for c in result.caveats if c.startswith("clustering")]
    expected = (
        f"clustering: the {n} records come from 1 study; records of one study share methods and are not "
        "independent, so the effective sample is smaller than n; "
        f"{n} of them name no source of their own and are counted under their dataset's (smith2020test): "
        "if they come from several papers, give each its own (a `ref` or `doi` column of import-table)"
    )
    assert clustering == ([expected] if clustered else [])


def test_compositional_closure_needs_three_records(tmp_path: Path) -> None:
    rows = [{"ce": ce, "f": f, "c": 100 - f} for ce, f in [(97.0, 5), (98.0, 9), (97.5, 6)]]
    result = compute(_kb(tmp_path, rows, composition=[["f", "c"]]), "a")
    assert any(c.startswith("compositional closure: f + c of d sum to about 100") for c in result.caveats)
