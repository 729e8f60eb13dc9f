"""Correlations recomputed from records: the review's values, agreement with scipy, pooling rules."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from kbfactory import SOURCE, minimal, write_kb
from limkb.analysis.correlations import (
    AnalysisResult,
    Point,
    collect_points,
    compute,
    compute_all,
    correlate,
    format_table,
    results_json,
)
from limkb.schema.kinds import Analysis, Dataset, Property

ROOT = Path(__file__).resolve().parent.parent

TABLE1 = [  # CE %, F %, C %, O % (the review's Table 1)
    (97.3, 6.94, 13.94, 79.12),
    (99.2, 8.85, 12.24, 78.91),
    (99.1, 4, 16, 80),
    (99.3, 4, 17.8, 78.22),
    (98.16, 7.69, 53.85, 38.46),
    (99.04, 12.12, 30.3, 57.58),
    (99.02, 13.46, 32.69, 53.85),
    (99.38, 11.11, 44.44, 44.44),
    (95, 4.94, 73.49, 21.57),
    (99.5, 19.77, 39.53, 40.7),
]
TABLE2 = [
    (98.4, 10),
    (99.52, 6),
    (99, 25),
    (99.3, 18),
    (99.3, 16),
    (99.5, 13),
    (99.5, 12),
    (99.5, 10),
    (91.7, 8.8),
    (97.2, 10.2),
    (99, 9.8),
]


def load_kb(kb_dir: Path) -> Any:
    """The knowledge base at ``kb_dir``, failing the test on validation errors."""
    from limkb.access import load

    return load(kb_dir)


# --- tiny knowledge bases -----------------------------------------------------------------


def prop(name: str, unit: str, symbol: str | None = None, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"unit": unit, "scope": "sei", "desired": "higher", **extra}
    if symbol:
        fields["symbol"] = symbol
    return minimal("property", name, **fields)


PROPERTIES = {
    "properties/coulombic-efficiency": prop("Coulombic efficiency", "%", "CE", minimum=0.0, maximum=100.0),
    "properties/sei-fluorine-content": prop("SEI fluorine content", "%", "F"),
    "properties/sei-carbon-content": prop("SEI carbon content", "%", "C"),
    "properties/sei-oxygen-content": prop("SEI oxygen content", "%", "O"),
    "properties/sei-thickness": prop("SEI thickness", "nm", desired="context-dependent"),
}


def table1_dataset(rows: list[tuple[float, ...]] = TABLE1, **extra: Any) -> dict[str, Any]:
    return minimal(
        "dataset",
        "SEI composition vs CE",
        columns=[
            {"name": "study", "type": "text"},
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            {"name": "f_pct", "property": "sei-fluorine-content", "unit": "%"},
            {"name": "c_pct", "property": "sei-carbon-content", "unit": "%"},
            {"name": "o_pct", "property": "sei-oxygen-content", "unit": "%"},
        ],
        records=[
            {"label": f"E{i + 1}", "ce": ce, "f_pct": f, "c_pct": c, "o_pct": o}
            for i, (ce, f, c, o) in enumerate(rows)
        ],
        **extra,
    )


def analysis(x: str, y: str = "coulombic-efficiency", **extra: Any) -> dict[str, Any]:
    return minimal("analysis", f"CE vs {x}", x=x, y=y, **extra)


def table1_kb(tmp_path: Path, rows: list[tuple[float, ...]] = TABLE1) -> Path:
    return write_kb(
        tmp_path,
        {
            **PROPERTIES,
            "datasets/composition": table1_dataset(rows),
            "analyses/ce-vs-f": analysis(
                "sei-fluorine-content", reported={"value": 0.43, "ref": "smith2020test", "locator": "Fig. 1c"}
            ),
            "analyses/ce-vs-c-to-f": analysis("sei-carbon-content / sei-fluorine-content"),
        },
    )


def pts(xs: Any, ys: Any) -> list[Point]:
    return [Point(f"p{i}", "d", float(x), float(y)) for i, (x, y) in enumerate(zip(xs, ys, strict=True))]


# --- the review reproduced from the real kb/ ------------------------------------------------


REVIEW = [
    ("ce-vs-sei-fluorine", 0.43, 10),
    ("ce-vs-sei-c-to-f", -0.83, 10),
    ("ce-vs-sei-c-to-o", -0.78, 10),
    ("ce-vs-sei-thickness", 0.26, 11),
]


@pytest.fixture(scope="module")
def real_results() -> dict[str, AnalysisResult]:
    return compute_all(load_kb(ROOT / "kb"))


@pytest.mark.parametrize(("analysis_id", "value", "n"), REVIEW)
def test_review_values_reproduce_from_kb(
    real_results: dict[str, AnalysisResult], analysis_id: str, value: float, n: int
) -> None:
    assert analysis_id in real_results, f"add kb/analyses/{analysis_id}.yaml (Fig. 1 of the review)"
    result = real_results[analysis_id]
    assert result.n == n, f"{analysis_id}: n = {result.n}, the review used {n}; check the dataset's records"
    assert result.r is not None and abs(result.r - value) <= 0.005, f"{analysis_id}: r = {result.r}"
    assert result.reported is not None and result.reported.value == value
    assert result.difference is not None and abs(result.difference) <= 0.005


def test_review_c_to_f_rests_on_one_record(real_results: dict[str, AnalysisResult]) -> None:
    result = real_results["ce-vs-sei-c-to-f"]
    assert result.loo is not None
    assert result.loo.max > -0.2  # dropping the 95 % CE electrolyte leaves almost no correlation
    assert any(flag.startswith("rests on one record") for flag in result.flags)
    assert result.x_label == "C/F" and result.x_unit == "1"


# --- the pure core agrees with scipy --------------------------------------------------------


def test_correlate_agrees_with_scipy_on_independent_data() -> None:
    rng = np.random.default_rng(20240117)
    xs = rng.normal(size=40)
    ys = 0.6 * xs + rng.normal(scale=0.8, size=40)
    result = correlate(pts(xs, ys))
    pearson = stats.pearsonr(xs, ys)
    spearman = stats.spearmanr(xs, ys)
    ci = pearson.confidence_interval(0.95)
    fit = stats.linregress(xs, ys)
    assert result.n == 40
    assert result.r == pytest.approx(pearson.statistic, abs=1e-12)
    assert result.p == pytest.approx(pearson.pvalue, rel=1e-9)
    assert result.ci is not None
    assert result.ci == pytest.approx((ci.low, ci.high), abs=1e-9)
    assert result.spearman == pytest.approx(spearman.statistic, abs=1e-12)
    assert result.spearman_p == pytest.approx(spearman.pvalue, rel=1e-9)
    assert (result.slope, result.intercept) == pytest.approx((fit.slope, fit.intercept))
    assert result.flags == ()


def test_leave_one_out_is_the_range_over_subsets() -> None:
    xs, ys = [1.0, 2.0, 3.0, 4.0, 5.0, 20.0], [1.1, 1.9, 3.2, 3.9, 5.1, 0.0]
    result = correlate(pts(xs, ys))
    subsets = [stats.pearsonr(np.delete(xs, i), np.delete(ys, i)).statistic for i in range(6)]
    assert result.loo is not None
    assert result.loo.min == pytest.approx(min(subsets))
    assert result.loo.max == pytest.approx(max(subsets))
    assert result.loo.most_influential == "p5"
    assert any("without 'p5' r would be 1.00" in flag for flag in result.flags)
    assert "n < 10: treat as indicative only" in result.flags


def test_small_and_constant_samples_have_no_r() -> None:
    few = correlate(pts([1, 2], [3, 4]))
    assert few.r is None and few.ci is None and few.loo is None
    flat = correlate(pts([1, 2, 3, 4], [5, 5, 5, 5]))
    assert flat.r is None and flat.p is None and flat.spearman is None
    assert any(flag.startswith("no variation in y") for flag in flat.flags)
    three = correlate(pts([1, 2, 3], [1, 3, 2]))
    assert three.r == pytest.approx(0.5) and three.ci is None and three.loo is None


def test_no_flag_for_a_steady_correlation() -> None:
    xs = np.arange(12, dtype=float)
    ys = 2 * xs + np.array([0.3, -0.2, 0.1, 0.4, -0.3, 0.0, 0.2, -0.1, 0.3, -0.4, 0.1, 0.0])
    result = correlate(pts(xs, ys))
    assert result.flags == ()
    assert result.loo is not None and result.loo.max - result.loo.min < 0.01


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
samples = st.lists(st.tuples(finite, finite), min_size=4, max_size=25)


def _varied(pairs: list[tuple[float, float]]) -> bool:
    xs, ys = np.array(pairs).T
    return bool(np.std(xs) > 1e-2 and np.std(ys) > 1e-2)


@settings(max_examples=60, deadline=None)
@given(samples, st.randoms(use_true_random=False))
def test_r_does_not_depend_on_record_order(pairs: list[tuple[float, float]], random: Any) -> None:
    assume(_varied(pairs))
    shuffled = list(pairs)
    random.shuffle(shuffled)
    a, b = correlate(pts(*zip(*pairs, strict=True))), correlate(pts(*zip(*shuffled, strict=True)))
    assert a.r == pytest.approx(b.r, abs=1e-9)
    assert a.spearman == pytest.approx(b.spearman, abs=1e-9)
    assert a.loo is not None and b.loo is not None
    assert (a.loo.min, a.loo.max) == pytest.approx((b.loo.min, b.loo.max), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(samples, st.floats(min_value=0.01, max_value=100), finite, st.booleans())
def test_r_survives_affine_rescaling_of_x(
    pairs: list[tuple[float, float]], scale: float, shift: float, flip: bool
) -> None:
    assume(_varied(pairs))
    xs, ys = zip(*pairs, strict=True)
    factor = -scale if flip else scale
    base = correlate(pts(xs, ys))
    moved = correlate(pts([factor * x + shift for x in xs], ys))
    assert base.r is not None and moved.r is not None
    assert moved.r == pytest.approx(-base.r if flip else base.r, abs=1e-6)
    assert moved.n == base.n


# --- pooling --------------------------------------------------------------------------------


THICKNESS = Property.model_validate(
    {"id": "sei-thickness", "sources": SOURCE, **PROPERTIES["properties/sei-thickness"]}
)
CE = Property.model_validate(
    {"id": "coulombic-efficiency", "sources": SOURCE, **PROPERTIES["properties/coulombic-efficiency"]}
)


def _thickness_dataset(dataset_id: str, unit: str, rows: list[tuple[float, float]]) -> Dataset:
    return Dataset.model_validate(
        {
            "id": dataset_id,
            "name": dataset_id,
            "sources": SOURCE,
            "columns": [
                {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                {"name": "t", "property": "sei-thickness", "unit": unit},
            ],
            "records": [{"label": f"{dataset_id}-{i}", "ce": ce, "t": t} for i, (ce, t) in enumerate(rows)],
        }
    )


rows = st.lists(st.tuples(st.floats(80, 100), st.floats(0.5, 50)), min_size=2, max_size=8)


@settings(max_examples=40, deadline=None)
@given(rows, rows, st.sampled_from([("µm", 1e3), ("Å", 0.1), ("nm", 1.0)]))
def test_pooled_analysis_equals_hand_computation(
    a: list[tuple[float, float]], b: list[tuple[float, float]], unit: tuple[str, float]
) -> None:
    symbol, to_nm = unit
    first = _thickness_dataset("first", "nm", a)
    second = _thickness_dataset("second", symbol, [(ce, t / to_nm) for ce, t in b])
    spec = Analysis.model_validate(
        {"id": "t", "name": "t", "sources": SOURCE, "x": "sei-thickness", "y": "coulombic-efficiency"}
    )
    points, excluded, used = collect_points(
        spec, [second, first], {"sei-thickness": THICKNESS, "coulombic-efficiency": CE}
    )
    assert used == ("first", "second") and excluded == 0
    xs = np.array([t for _, t in a + b])
    ys = np.array([ce for ce, _ in a + b])
    assert [p.x for p in points] == pytest.approx(list(xs), rel=1e-9)
    assume(np.std(xs) > 1e-3 and np.std(ys) > 1e-3)
    result = correlate(points)
    assert result.r == pytest.approx(stats.pearsonr(xs, ys).statistic, abs=1e-9)


def test_records_without_a_value_are_excluded_and_counted(tmp_path: Path) -> None:
    data = table1_dataset()
    data["records"][0].pop("f_pct")
    data["records"][1]["f_pct"] = 0.0  # zero denominator of C/F
    kb = load_kb(
        write_kb(
            tmp_path,
            {
                **PROPERTIES,
                "datasets/composition": data,
                "analyses/ce-vs-c-to-f": analysis("sei-carbon-content / sei-fluorine-content"),
                "analyses/ce-vs-f": analysis("sei-fluorine-content"),
            },
        )
    )
    ratio = compute(kb, "ce-vs-c-to-f")
    assert (ratio.n, ratio.excluded) == (8, 2)
    rows = TABLE1[2:]
    expected = stats.pearsonr([c / f for _, f, c, _ in rows], [ce for ce, *_ in rows]).statistic
    assert ratio.r == pytest.approx(expected)
    assert ratio.x_unit == "1" and ratio.x_label == "C/F"
    single = compute(kb, "ce-vs-f")
    assert (single.n, single.excluded) == (9, 1)
    assert "E1" not in {p.label for p in ratio.points}


def test_filters_use_record_conditions_over_the_dataset_and_convert_units(tmp_path: Path) -> None:
    data = table1_dataset(conditions={"cell": "Li||Cu", "current_density": {"value": 0.5, "unit": "mA cm-2"}})
    data["records"][0]["conditions"] = {"cell": "Li||NMC811"}
    data["records"][1]["conditions"] = {"current_density": {"value": 1.0, "unit": "mA cm-2"}}
    kb = load_kb(
        write_kb(
            tmp_path,
            {
                **PROPERTIES,
                "datasets/composition": data,
                "analyses/li-cu": analysis("sei-fluorine-content", where={"cell": "li||cu"}),
                "analyses/at-5-a-m2": analysis(
                    "sei-fluorine-content",
                    where={"cell": "LI||CU", "current_density": {"value": 5.0, "unit": "A m-2"}},
                ),
                "analyses/by-protocol": analysis("sei-fluorine-content", where={"protocol": "Aurbach"}),
            },
        )
    )
    assert [p.label for p in compute(kb, "li-cu").points] == [f"E{i}" for i in range(2, 11)]
    assert [p.label for p in compute(kb, "at-5-a-m2").points] == [f"E{i}" for i in range(3, 11)]
    nobody = compute(kb, "by-protocol")  # no record states a protocol: none can match
    assert (nobody.n, nobody.excluded, nobody.r) == (0, 0, None)


def test_analysis_pools_only_datasets_it_names_or_that_hold_its_variables(tmp_path: Path) -> None:
    second = table1_dataset([(96.0, 5.0, 40.0, 55.0), (99.0, 15.0, 20.0, 65.0)])
    thickness = minimal(
        "dataset",
        "T",
        columns=[
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            {"name": "t", "property": "sei-thickness", "unit": "nm"},
        ],
        records=[{"label": "T1", "ce": 99.0, "t": 10.0}],
    )
    kb = load_kb(
        write_kb(
            tmp_path,
            {
                **PROPERTIES,
                "datasets/composition": table1_dataset(),
                "datasets/more": second,
                "datasets/thickness": thickness,
                "analyses/pooled": analysis("sei-fluorine-content"),
                "analyses/only-more": analysis("sei-fluorine-content", datasets=["more"]),
            },
        )
    )
    pooled = compute(kb, "pooled")
    assert pooled.datasets == ("composition", "more") and pooled.n == 12
    hand = [*TABLE1, (96.0, 5.0, 40.0, 55.0), (99.0, 15.0, 20.0, 65.0)]
    assert pooled.r == pytest.approx(
        stats.pearsonr([f for _, f, *_ in hand], [ce for ce, *_ in hand]).statistic
    )
    assert {p.dataset for p in pooled.points} == {"composition", "more"}
    only = compute(kb, "only-more")
    assert only.datasets == ("more",) and only.n == 2 and only.r is None


def test_adding_a_record_to_table1_moves_r_to_what_scipy_says(tmp_path: Path) -> None:
    before = compute(load_kb(table1_kb(tmp_path / "a")), "ce-vs-f")
    assert before.r == pytest.approx(0.4263, abs=1e-4) and before.n == 10
    assert before.difference == pytest.approx(before.r - 0.43)
    extra = (92.0, 25.0, 30.0, 45.0)
    after = compute(load_kb(table1_kb(tmp_path / "b", [*TABLE1, extra])), "ce-vs-f")
    rows = [*TABLE1, extra]
    expected = stats.pearsonr([f for _, f, *_ in rows], [ce for ce, *_ in rows]).statistic
    assert after.n == 11
    assert after.r == pytest.approx(expected, abs=1e-12)
    assert after.r != pytest.approx(before.r, abs=0.05)


def test_compute_refuses_an_entry_that_is_not_an_analysis(tmp_path: Path) -> None:
    from limkb.errors import LimkbError

    kb = load_kb(table1_kb(tmp_path))
    with pytest.raises(LimkbError, match="not an analysis"):
        compute(kb, "composition")


# --- output ---------------------------------------------------------------------------------


def test_json_carries_every_field_and_never_nan(tmp_path: Path) -> None:
    data = table1_dataset([(99.0, 5.0, 40.0, 55.0)] * 4)  # constant: r undefined
    kb = load_kb(
        write_kb(
            tmp_path,
            {**PROPERTIES, "datasets/composition": data, "analyses/flat": analysis("sei-fluorine-content")},
        )
    )
    text = results_json(compute_all(kb))
    assert "NaN" not in text and "Infinity" not in text
    (item,) = json.loads(text)
    assert item["r"] is None and item["ci"] is None and item["loo"] is None and item["reported"] is None
    assert any(flag.startswith("no variation") for flag in item["flags"])


def test_cli_analyses_json_and_table(tmp_path: Path) -> None:
    from limkb.cli import cli

    kb_dir = table1_kb(tmp_path)
    runner = CliRunner()
    done = runner.invoke(cli, ["analyses", "--json", "--kb", str(kb_dir)])
    assert done.exit_code == 0, done.output
    items = {item["id"]: item for item in json.loads(done.output)}
    assert set(items) == {"ce-vs-f", "ce-vs-c-to-f"}
    f = items["ce-vs-f"]
    for key in ("id", "x", "y", "n", "r", "ci", "p", "spearman", "loo", "reported"):
        assert key in f
    assert f["n"] == 10 and math.isclose(f["r"], 0.42629, abs_tol=1e-4)
    assert f["ci"][0] < f["r"] < f["ci"][1]
    assert set(f["loo"]) == {"min", "max", "most_influential"}
    assert f["reported"] == {"value": 0.43, "ref": "smith2020test", "locator": "Fig. 1c"}
    assert items["ce-vs-c-to-f"]["reported"] is None

    table = runner.invoke(cli, ["analyses", "--kb", str(kb_dir)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split()[:3] == ["id", "n", "r"]
    row = next(line for line in lines if line.startswith("ce-vs-f "))
    assert "0.426 [" in row and "0.43" in row and "-0.004" in row
    assert "! rests on one record: without 'E9' r would be -0.13" in table.output


def test_cli_analyses_reports_a_broken_kb_without_traceback(tmp_path: Path) -> None:
    from limkb.cli import cli

    kb_dir = table1_kb(tmp_path)
    (kb_dir / "analyses" / "ce-vs-f.yaml").write_text("name: x\nx: no-such-property\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["analyses", "--json", "--kb", str(kb_dir)])
    assert done.exit_code == 1
    assert "ce-vs-f.yaml:2:4: error[unknown-ref]: 'no-such-property' is not an entry" in done.stderr
    assert done.stdout == ""
    assert isinstance(done.exception, SystemExit)


def test_format_table_shows_flags_under_rows() -> None:
    result = correlate(pts([1, 2, 3, 4, 5], [2, 1, 4, 3, 6]))
    assert result.r is not None
    fake = AnalysisResult(
        id="a",
        name="a",
        x="x",
        y="y",
        x_unit="1",
        y_unit="1",
        datasets=("d",),
        excluded=1,
        stats=result,
        reported=None,
        difference=None,
        points=(),
    )
    text = format_table([fake])
    assert "5 (-1)" in text
    assert "    ! n < 10: treat as indicative only" in text


def test_cli_analyses_help_documents_the_command() -> None:
    from limkb.cli import cli

    done = CliRunner().invoke(cli, ["analyses", "--help"])
    assert done.exit_code == 0
    assert "--json" in done.output and "--kb" in done.output and "limkb analyses --json" in done.output
