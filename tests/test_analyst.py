"""What an analyst reads: value filters in ``where:``, Spearman throughout, readable plots,
records with their electrolytes, conditions and descriptors (Python, pandas, SQL), and the
README's examples run as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scipy import stats

from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.analysis.correlations import compute
from limkb.check.validate import validate_kb

ROOT = Path(__file__).resolve().parent.parent

MATERIALS = {
    "lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
    "dme": minimal(
        "material",
        "DME",
        formula="C4H10O2",
        roles=["solvent"],
        density={"value": 0.868, "unit": "g/cm3", "source": SOURCE[0]},
    ),
    "tte": minimal("material", "TTE", formula="C5H4F8O", roles=["diluent"]),
}

# label, CE %, electrolyte (a molar ratio needs no density), cell
RECORDS = [
    ("E1", 98.0, "LiFSI-1.2DME-3TTE", "Li||Cu"),
    ("E2", 99.2, "LiFSI-1.2DME-1TTE", "Li||Cu"),
    ("E3", 99.5, "LiFSI-2DME", "Li||Cu"),
    ("E4", 97.1, "LiFSI-4DME", "Li||Li"),
    ("E5", 99.6, "LiFSI-1DME-4TTE", "Li||Cu"),
    ("E6", 96.4, "LiFSI-8DME", "Li||Cu"),
]


def _dataset(records: list[tuple[str, float, str, str]] = RECORDS, **extra: Any) -> dict[str, Any]:
    return minimal(
        "dataset",
        "CE of ether electrolytes",
        columns=[
            {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            {"name": "thickness", "property": "sei-thickness", "unit": "nm"},
        ],
        conditions={"cell": "Li||Cu", "current_density": "0.5 mA cm-2", "temperature": "25 °C"},
        records=[
            {
                "label": label,
                "ce": ce,
                "thickness": 10.0 + i * 3.0,
                "electrolyte": electrolyte,
                **({"conditions": {"cell": cell}} if cell != "Li||Cu" else {}),
            }
            for i, (label, ce, electrolyte, cell) in enumerate(records)
        ],
        **extra,
    )


def kb_dir(tmp_path: Path, analyses: dict[str, dict[str, Any]] | None = None, **dataset: Any) -> Path:
    """A KB of six ether electrolytes with CE and SEI thickness, and the given analyses."""
    entries: dict[str, Any] = {
        "properties/coulombic-efficiency": minimal(
            "property", "Coulombic efficiency", unit="%", symbol="CE", scope="cell", maximum=100
        ),
        "properties/sei-thickness": minimal("property", "SEI thickness", unit="nm", desired="lower"),
        **{f"materials/{i}": m for i, m in MATERIALS.items()},
        "datasets/ethers": _dataset(**dataset),
    }
    for analysis_id, fields in (analyses or {}).items():
        entries[f"analyses/{analysis_id}"] = minimal("analysis", analysis_id, **fields)
    return write_kb(tmp_path, entries)


def load(path: Path) -> Any:
    import limkb

    return limkb.load(path, cache=False)


# --- 1. where: values and ranges --------------------------------------------------------------


def test_where_keeps_records_by_a_comparison_on_a_column(tmp_path: Path) -> None:
    kb = load(kb_dir(tmp_path, {"high-ce": {"x": "thickness", "y": "ce", "where": {"ce": ">= 97.5"}}}))
    result = compute(kb, "high-ce")
    assert sorted(p.label for p in result.points) == ["E1", "E2", "E3", "E5"]


def test_where_ranges_include_both_ends_and_combine_with_conditions(tmp_path: Path) -> None:
    analyses = {
        "band": {"x": "thickness", "y": "ce", "where": {"ce": "97.1..99.5", "cell": "Li||Cu"}},
        "strict": {"x": "thickness", "y": "ce", "where": {"ce": "> 97.1", "sei-thickness": "< 25"}},
        "equal": {"x": "thickness", "y": "ce", "where": {"ce": 99.2}},
    }
    kb = load(kb_dir(tmp_path, analyses))
    # E4 (97.1) is in range but measured in Li||Li; E5 (99.6) and E6 (96.4) are outside
    assert sorted(p.label for p in compute(kb, "band").points) == ["E1", "E2", "E3"]
    # thickness 10, 13, 16, 19, 22, 25: E6 (25) fails "< 25", E4 (97.1) fails "> 97.1"
    assert sorted(p.label for p in compute(kb, "strict").points) == ["E1", "E2", "E3", "E5"]
    assert [p.label for p in compute(kb, "equal").points] == ["E2"]


def test_where_filters_the_cycle_number_condition_by_value(tmp_path: Path) -> None:
    path = kb_dir(tmp_path, {"long": {"x": "thickness", "y": "ce", "where": {"cycles": ">= 100"}}})
    dataset = path / "datasets" / "ethers.yaml"
    text = dataset.read_text(encoding="utf-8")
    # the dataset says 50 cycles; E2 and E5 say 200
    text = text.replace("  temperature: 25 °C\n", "  temperature: 25 °C\n  cycles: 50\n", 1)
    for label in ("E2", "E5"):
        text = text.replace(f"- label: {label}\n", f"- label: {label}\n  conditions:\n    cycles: 200\n", 1)
    dataset.write_text(text, encoding="utf-8")
    assert validate_kb(path).report.ok(strict=False), validate_kb(path).report.errors
    assert sorted(p.label for p in compute(load(path), "long").points) == ["E2", "E5"]


def test_where_filters_on_a_computed_descriptor(tmp_path: Path) -> None:
    import limkb
    from limkb.analysis.inputs import Inputs

    path = kb_dir(
        tmp_path,
        {"solvent-o": {"x": "thickness", "y": "ce", "where": {"frac_o_solvent": "0.07..0.11"}}},
    )
    kb = load(path)
    inputs = Inputs(kb)
    dataset = kb["ethers"]
    expected = {
        r.label
        for r in dataset.records
        if 0.07 <= (inputs.descriptors(dataset, r) or {}).get("frac_o_solvent", -1) <= 0.11
    }
    assert expected == {"E2", "E3", "E4"}
    assert {p.label for p in compute(kb, "solvent-o").points} == expected
    assert limkb.load(path).analyses["solvent-o"].n == len(expected)


@pytest.mark.parametrize(
    ("written", "says"),
    [
        (">= ninety", "neither a comparison, a range nor a number"),
        ("0.2..0.05", "the range runs backwards"),
        (">= 90 %", "without their unit"),
        ("0.05-0.2", "two dots"),
        ("=> 90", "the comparisons are"),
        ("", "it is empty"),
    ],
)
def test_a_malformed_filter_is_located_at_its_value(tmp_path: Path, written: str, says: str) -> None:
    path = kb_dir(tmp_path, {"bad": {"x": "thickness", "y": "ce", "where": {"ce": written}}})
    problems = validate_kb(path).report.errors
    assert len(problems) == 1, [p.message for p in problems]
    [problem] = problems
    assert problem.code == "bad-value" and says in problem.message and "`0.05..0.2`" in problem.hint
    line = (path / "analyses" / "bad.yaml").read_text().splitlines()[problem.line - 1]
    assert line.lstrip().startswith("ce:") and problem.col == line.index("ce:") + 5


def test_an_unknown_filter_name_is_located_at_its_key_with_close_matches(tmp_path: Path) -> None:
    path = kb_dir(
        tmp_path,
        {"bad": {"x": "thickness", "y": "ce", "where": {"cell": "Li||Cu", "frac_o_solvnt": "< 0.2"}}},
    )
    [problem] = validate_kb(path).report.errors
    assert problem.code == "missing-variable"
    assert "'frac_o_solvnt' is not a condition, column, property or descriptor" in problem.message
    assert "did you mean 'frac_o_solvent'" in problem.message and "protocol" in problem.hint
    line = (path / "analyses" / "bad.yaml").read_text().splitlines()[problem.line - 1]
    assert line[problem.col - 1 :].startswith("frac_o_solvnt:")


def test_every_bad_filter_is_reported_in_one_run(tmp_path: Path) -> None:
    path = kb_dir(
        tmp_path,
        {
            "one": {"x": "thickness", "y": "ce", "where": {"ce": ">> 1"}},
            "two": {"x": "thickness", "y": "ce", "where": {"nothing_here": "1..2"}},
        },
    )
    problems = validate_kb(path).report.errors
    assert sorted((Path(p.path).stem, p.code) for p in problems) == [
        ("one", "bad-value"),
        ("two", "missing-variable"),
    ]


def test_the_schema_documents_value_filters() -> None:
    from limkb.schema.kinds import Filters

    schema = Filters.model_json_schema()
    extra = schema["additionalProperties"]
    assert {"type": "number"} in extra["anyOf"] and "0.05..0.2" in extra["description"]


# --- 2. method: spearman throughout -----------------------------------------------------------

# Two studies; within each, CE rises with thickness monotonically but not on a line, and one
# record of the first sits far off: Pearson and Spearman disagree, overall and per group.
MONOTONE = [
    ("A1", 1.0, 90.0, "smith2020test"),
    ("A2", 2.0, 96.0, "smith2020test"),
    ("A3", 3.0, 97.5, "smith2020test"),
    ("A4", 4.0, 98.0, "smith2020test"),
    ("A5", 40.0, 98.2, "smith2020test"),
    ("B1", 5.0, 99.0, "jones2021another"),
    ("B2", 6.0, 95.0, "jones2021another"),
    ("B3", 7.0, 99.1, "jones2021another"),
    ("B4", 8.0, 99.2, "jones2021another"),
    ("B5", 9.0, 99.3, "jones2021another"),
]


def spearman_kb(tmp_path: Path, method: str = "spearman") -> Path:
    entries: dict[str, Any] = {
        "references/jones2021another": {"title": "Another test", "authors": ["Jones, B."], "year": 2021},
        "properties/coulombic-efficiency": minimal("property", "Coulombic efficiency", unit="%", maximum=100),
        "properties/sei-thickness": minimal("property", "SEI thickness", unit="nm", desired="lower"),
        "datasets/mono": minimal(
            "dataset",
            "Monotone",
            columns=[
                {"name": "t", "property": "sei-thickness", "unit": "nm"},
                {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
            ],
            records=[
                {"label": label, "t": t, "ce": ce, "source": {"ref": ref, "locator": "Table 1"}}
                for label, t, ce, ref in MONOTONE
            ],
        ),
        "analyses/ce-vs-t": minimal(
            "analysis",
            "CE vs thickness",
            x="t",
            y="ce",
            method=method,
            by="source",
            reported={"value": 0.5, "ref": "smith2020test", "locator": "Fig. 2"},
        ),
    }
    return write_kb(tmp_path, entries)


def _loo_range(xs: list[float], ys: list[float], coefficient: Any) -> tuple[float, float]:
    values = [coefficient(xs[:i] + xs[i + 1 :], ys[:i] + ys[i + 1 :]).statistic for i in range(len(xs))]
    return min(values), max(values)


def test_spearman_judges_the_pooled_result_by_rho(tmp_path: Path) -> None:
    result = compute(load(spearman_kb(tmp_path)), "ce-vs-t")
    xs, ys = [t for _, t, _, _ in MONOTONE], [ce for _, _, ce, _ in MONOTONE]
    rho = stats.spearmanr(xs, ys).statistic
    assert abs(result.r - rho) > 0.1  # the two coefficients really differ here
    # the leave-one-out range is of rho (it was of Pearson's r)
    low, high = _loo_range(xs, ys, stats.spearmanr)
    assert result.loo is not None
    assert (result.loo.min, result.loo.max) == (pytest.approx(low), pytest.approx(high))
    assert result.difference == pytest.approx(rho - 0.5)
    assert result.coefficient == pytest.approx(rho)
    assert result.coefficient_ci is not None and result.coefficient_ci[0] < rho < result.coefficient_ci[1]
    assert all("rests on one record" not in f or " rho would be " in f for f in result.flags)


def test_spearman_groups_and_their_difference_use_rho(tmp_path: Path) -> None:
    result = compute(load(spearman_kb(tmp_path)), "ce-vs-t")
    by_key = {g.key: g.stats for g in result.groups}
    expected = {}
    for key in ("smith2020test", "jones2021another"):
        rows = [(t, ce) for _, t, ce, ref in MONOTONE if ref == key]
        xs, ys = [t for t, _ in rows], [ce for _, ce in rows]
        expected[key] = stats.spearmanr(xs, ys).statistic
        low, high = _loo_range(xs, ys, stats.spearmanr)
        group = by_key[key]
        # each group's leave-one-out range is of rho (it was of Pearson's r)
        assert group.loo is not None
        assert (group.loo.min, group.loo.max) == (pytest.approx(low), pytest.approx(high))
        assert group.coefficient == pytest.approx(expected[key])
    spread = max(expected.values()) - min(expected.values())
    assert result.group_spread == pytest.approx(spread)
    pearson = compute(load(spearman_kb(tmp_path / "p", method="pearson")), "ce-vs-t")
    assert pearson.group_spread == pytest.approx(
        abs(pearson.groups[0].stats.r - pearson.groups[1].stats.r)
    ) and pearson.group_spread != pytest.approx(spread)


def test_spearman_page_leads_with_rho_and_its_plot_shows_ranks_without_a_line(tmp_path: Path) -> None:
    from limkb.site.plots import caption, scatter_svg
    from limkb.site.render import RenderOptions, render

    kb = load(spearman_kb(tmp_path))
    result = kb.analyses["ce-vs-t"]
    assert caption(result).startswith("Spearman ρ = ") and caption(result).endswith("on ranks")
    pages = render(kb, options=RenderOptions())
    page = str(pages["entries/analyses/ce-vs-t.md"])
    assert page.index("<th>Spearman ρ</th>") < page.index("<th>Pearson r</th>")
    assert "ρ from" in page and "The groups' ρ differ by up to" in page
    assert "<th>source</th><th>n</th><th>Spearman ρ</th>" in page
    svg = scatter_svg(result)
    assert "rank of SEI thickness (1 = lowest)" in svg and "Spearman ρ" in svg
    assert "stroke-dasharray" not in svg  # no least-squares line
    pearson = load(spearman_kb(tmp_path / "p", method="pearson")).analyses["ce-vs-t"]
    assert "stroke-dasharray" in scatter_svg(pearson) and "rank of" not in scatter_svg(pearson)
    assert scatter_svg(result) == svg


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_leave_one_out_rho_equals_ranking_every_subset_again(decimals: int) -> None:
    import numpy as np

    from limkb.analysis.correlations import _leave_one_out_rho

    rng = np.random.default_rng(decimals)
    for n in (4, 7, 60):
        xs = np.round(rng.normal(size=n), decimals)  # rounding makes ties, on both axes
        ys = np.round(xs + rng.normal(size=n), decimals)
        fast = _leave_one_out_rho(xs, ys)
        for i, value in enumerate(fast):
            rest_x, rest_y = np.delete(xs, i), np.delete(ys, i)
            if np.ptp(rest_x) == 0 or np.ptp(rest_y) == 0:
                assert value is None
            else:
                assert value == pytest.approx(stats.spearmanr(rest_x, rest_y).statistic, abs=1e-12)


def test_a_spearman_analysis_of_100000_records_never_ranks_a_subset_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Leave-one-out over rho is O(n log n): the records are ranked once per axis for rho and
    once for the subsets, never per subset."""
    import random

    from limkb.analysis import statistics
    from limkb.analysis.correlations import Point, correlate

    calls = {"mid_ranks": 0}
    original = statistics.mid_ranks

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls["mid_ranks"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(statistics, "mid_ranks", counting)
    rng = random.Random(5)
    points = [Point(f"r{i}", "d", float(i % 977), i + rng.gauss(0, 3e4)) for i in range(100_000)]
    result = correlate(points, "spearman")
    assert result.loo is not None and result.n == 100_000
    assert calls["mid_ranks"] <= 4


# --- 3. plots stay readable at n = 150 --------------------------------------------------------


def crowded(n: int = 150, method: str = "pearson") -> Any:
    """An analysis of ``n`` electrolytes with long labels, as a compiled table gives them."""
    import numpy as np

    from limkb.analysis.correlations import AnalysisResult, Point, correlate

    rng = np.random.default_rng(7)
    xs = rng.uniform(0, 0.4, n)
    ys = np.clip(96 + 10 * xs + rng.normal(0, 1.0, n), 80, 99.95)
    points = tuple(
        Point(f"1.2 M LiFSI in DME-TTE (1:{i % 5 + 1} by vol) + 2 wt% LiNO3 #{i}", "d", float(x), float(y))
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )
    s = correlate(points, method) if method != "pearson" else correlate(points)
    return AnalysisResult(
        id="crowded",
        name="Crowded",
        x="frac_f",
        y="ce",
        x_unit="1",
        y_unit="%",
        datasets=("d",),
        excluded=0,
        stats=s,
        reported=None,
        difference=None,
        points=points,
        method=method,
    )


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_a_plot_of_150_points_labels_few_points_without_collisions(method: str) -> None:
    import xml.etree.ElementTree as ET

    from limkb.site import plots

    result = crowded(method=method)
    svg = plots.scatter_svg(result)
    assert svg == plots.scatter_svg(crowded(method=method))  # byte-identical
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    labels = [t for t in texts if "LiFSI" in t]
    assert 1 <= len(labels) <= plots.MAX_LABELS // 2 + 1
    assert all(len(t) <= 32 for t in labels), labels  # long labels are cut; the hover title keeps them
    assert svg.count("<title>") >= 150
    shown = plots._shown(result)
    xs, ys = [p.x for p in shown], [p.y for p in shown]
    limits = (min(xs) - 0.1, max(xs) + 0.1, min(ys) - 0.1, max(ys) + 0.1)
    placed = plots._place_labels(shown, plots._labelled(result, shown), limits, (330.0, 220.0))
    boxes = [label.box for label in placed]
    assert all(not plots._overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert all(b[0] >= 0 and b[2] <= 330 and b[1] >= 0 and b[3] <= 220 for b in boxes)


def test_labels_of_a_crowded_corner_never_overlap_and_some_are_left_off() -> None:
    from limkb.analysis.correlations import Point
    from limkb.site import plots

    points = [Point(f"label number {i}", "d", 1.0 + i * 1e-3, 1.0) for i in range(40)]
    placed = plots._place_labels(points, points, (0.0, 2.0, 0.0, 2.0), (300.0, 200.0))
    boxes = [label.box for label in placed]
    assert 0 < len(placed) < 40
    assert all(not plots._overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


# --- 4. records for the analyst: Python, pandas, SQL, graph ---------------------------------


def test_records_carry_components_merged_conditions_and_descriptors(tmp_path: Path) -> None:
    from limkb.analysis.inputs import Inputs

    kb = load(kb_dir(tmp_path))
    table = kb.dataset("ethers")
    first, fourth = table.records[0], table.records[3]
    assert first["electrolyte"] == "LiFSI-1.2DME-3TTE"
    assert first["components"] == [
        {"material": "lifsi", "role": "salt", "amount": 1.0, "unit": "mol ratio"},
        {"material": "dme", "role": "solvent", "amount": 1.2, "unit": "mol ratio"},
        {"material": "tte", "role": "diluent", "amount": 3.0, "unit": "mol ratio"},
    ]
    # the dataset's conditions, with the record's own cell winning
    assert first["conditions"]["cell"] == "Li||Cu" and fourth["conditions"]["cell"] == "Li||Li"
    assert fourth["conditions"]["current_density"] == {"value": 0.5, "unit": "mA cm-2"}
    assert fourth["conditions"]["temperature"] == {"value": 25.0, "unit": "°C"}
    dataset = kb["ethers"]
    expected = Inputs(kb).descriptors(dataset, dataset.records[0])
    assert expected and first["descriptors"] == pytest.approx(expected)
    assert 0 < first["descriptors"]["frac_f"] < 1
    assert table.column_of("coulombic-efficiency") == "ce" and table.column_of("nothing") is None


def test_to_pandas_spreads_conditions_and_descriptors_into_columns(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    frame = load(kb_dir(tmp_path)).dataset("ethers").to_pandas()
    assert list(frame.columns[:6]) == ["label", "ce", "thickness", "ref", "locator", "electrolyte"]
    assert {"components", "cell", "current_density", "temperature", "frac_f", "frac_o_solvent"} <= set(
        frame.columns
    )
    assert frame["cell"].tolist() == ["Li||Cu", "Li||Cu", "Li||Cu", "Li||Li", "Li||Cu", "Li||Cu"]
    assert frame["current_density"].tolist() == [0.5] * 6
    high = frame[frame["ce"] > 99]
    assert high["label"].tolist() == ["E2", "E3", "E5"]
    assert high["frac_f"].iloc[0] == pytest.approx(
        load(kb_dir(tmp_path / "b")).dataset("ethers").records[1]["descriptors"]["frac_f"]
    )


def test_to_pandas_without_pandas_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    table = load(kb_dir(tmp_path)).dataset("ethers")
    real = importlib.import_module

    def without_pandas(name: str, *args: Any) -> Any:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_pandas)
    with pytest.raises(ImportError, match=r"pip install limkb\[pandas\]"):
        table.to_pandas()


def test_sqlite_holds_components_and_descriptors_with_foreign_keys(tmp_path: Path) -> None:
    import sqlite3

    from limkb.outputs.sqlite import write_sqlite

    kb = load(kb_dir(tmp_path))
    path = write_sqlite(kb, tmp_path / "kb.sqlite", results=kb.analyses)
    db = sqlite3.connect(path)
    try:
        components = db.execute(
            "SELECT row, position, material, role, amount, unit FROM components WHERE dataset = 'ethers' AND row = 0"
        ).fetchall()
        assert components == [
            (0, 0, "lifsi", "salt", 1.0, "mol ratio"),
            (0, 1, "dme", "solvent", 1.2, "mol ratio"),
            (0, 2, "tte", "diluent", 3.0, "mol ratio"),
        ]
        records = kb.dataset("ethers").records
        stored = dict(db.execute("SELECT name, value FROM descriptors WHERE dataset = 'ethers' AND row = 2"))
        assert stored == pytest.approx(records[2]["descriptors"]) and "frac_o_solvent" in stored
        keys = {
            (table, parent, frm)
            for table in ("components", "descriptors")
            for _, _, parent, frm, *_ in db.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert {("components", "entries", "material"), ("components", "dataset_records", "dataset")} <= keys
        assert ("descriptors", "dataset_records", "dataset") in keys
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA user_version").fetchone() == (6,)
    finally:
        db.close()


def test_sqlite_stores_a_spearman_result_by_its_coefficient(tmp_path: Path) -> None:
    import sqlite3

    from limkb.outputs.sqlite import write_sqlite

    kb = load(spearman_kb(tmp_path))
    result = kb.analyses["ce-vs-t"]
    path = write_sqlite(kb, tmp_path / "kb.sqlite", results=kb.analyses)
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT method, coefficient, spearman, loo_min, loo_max, group_spread, difference FROM analysis_results"
        ).fetchone()
    assert row == pytest.approx(
        (
            "spearman",
            result.spearman,
            result.spearman,
            result.loo.min,
            result.loo.max,
            result.group_spread,
            result.spearman - 0.5,
        )
    )


def test_the_graph_links_datasets_to_the_materials_of_their_records(tmp_path: Path) -> None:
    from limkb.site.render import RenderOptions, render

    path = kb_dir(tmp_path)
    write_entry(path, "materials/ec", minimal("material", "EC", formula="C3H4O3", roles=["solvent"]))
    kb = load(path)
    assert sorted(e.id for e in kb.related("ethers", "component")) == ["dme", "lifsi", "tte"]
    assert [e.id for e in kb.related("tte", "component", direction="in")] == ["ethers"]
    assert kb.related("ec", "component", direction="in") == []
    [edge] = kb.graph.get_edge_data("ethers", "tte").values()
    assert edge["inverse"] == "component of" and edge["sources"] == [
        {"ref": "smith2020test", "locator": "Table 1"}
    ]
    page = str(render(kb, options=RenderOptions())["entries/materials/tte.md"])
    assert "component of" in page and "datasets/ethers.md" in page


# --- 5. the README's example, run as written ----------------------------------------------------

README_MATERIALS = {
    "lifsi": ("LiFSI", "LiN(SO2F)2", "salt"),
    "litfsi": ("LiTFSI", "LiN(SO2CF3)2", "salt"),
    "lipf6": ("LiPF6", "LiPF6", "salt"),
    "lino3": ("LiNO3", "LiNO3", "additive"),
    "dme": ("DME", "C4H10O2", "solvent"),
    "dol": ("DOL", "C3H6O2", "solvent"),
    "ec": ("EC", "C3H4O3", "solvent"),
    "dmc": ("DMC", "C3H6O3", "solvent"),
    "tte": ("TTE", "C5H4F8O", "diluent"),
}
README_RECORDS = [
    ("Carbonate baseline", 96.5, "1 M LiPF6 in EC:DMC (1:1 v/v)"),
    ("Ether with nitrate", 99.1, "1 M LiTFSI in DOL/DME (1:1 vol) + 2 wt% LiNO3"),
    ("High concentration", 99.3, "4 M LiFSI in DME"),
    ("LHCE", 99.5, "LiFSI-1.2DME-3TTE"),
    ("Dilute ether", 98.4, "1 M LiFSI in DME"),
]

# label, LCE (CE is computed from it: 2.4 is 99.6 %, 1.5 is 96.84 %), electrolyte
README_LCE_RECORDS = [
    ("Compiled LHCE", 2.4, "LiFSI-1.2DME-3TTE"),
    ("Compiled carbonate", 1.5, "1 M LiPF6 in EC:DMC (1:1 v/v)"),
]


def _readme_blocks(marker: str) -> list[str]:
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"<!-- {marker} -->\n```[a-z]*\n(.*?)^```", text, re.M | re.S)


def readme_project(tmp_path: Path) -> Path:
    """A project whose kb/ holds a Li||Cu CE dataset of five electrolytes and one that reports
    LCE only, built and exported."""
    from click.testing import CliRunner

    from limkb.cli import cli

    entries: dict[str, Any] = {
        "properties/coulombic-efficiency": minimal(
            "property", "Coulombic efficiency", unit="%", symbol="CE", scope="cell", maximum=100
        ),
        **{
            f"materials/{i}": minimal("material", name, formula=formula, roles=[role])
            for i, (name, formula, role) in README_MATERIALS.items()
        },
        "properties/log-coulombic-inefficiency": minimal(
            "property",
            "Log Coulombic inefficiency",
            unit="1",
            scope="cell",
            defined_as={"expression": "-log10(1 - coulombic-efficiency / 100)", "source": SOURCE[0]},
        ),
        "datasets/compiled-lce": minimal(
            "dataset",
            "Li||Cu LCE as a compilation reports it",
            columns=[{"name": "lce", "property": "log-coulombic-inefficiency", "unit": "1"}],
            conditions={"cell": "Li||Cu"},
            records=[{"label": label, "lce": lce, "electrolyte": e} for label, lce, e in README_LCE_RECORDS],
        ),
        "datasets/li-cu-ce": minimal(
            "dataset",
            "Li||Cu CE of five electrolytes",
            columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}],
            conditions={"cell": "Li||Cu"},
            records=[{"label": label, "ce": ce, "electrolyte": e} for label, ce, e in README_RECORDS],
        ),
    }
    project = write_kb(tmp_path, entries).parent
    result = CliRunner().invoke(cli, ["export", "--kb", str(project / "kb"), "--out", str(project / "build")])
    assert result.exit_code == 0, result.output
    return project


def test_the_readme_answers_high_ce_electrolytes_and_their_solvents_as_written(tmp_path: Path) -> None:
    import shutil
    import sqlite3
    import subprocess
    import sys

    python, sql = _readme_blocks("analyst-example")
    [expected] = _readme_blocks("analyst-output")
    project = readme_project(tmp_path)
    ran = subprocess.run(
        [sys.executable, "-c", python], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected, "the README's printed lines are stale:\n" + ran.stdout
    if shutil.which("sqlite3"):
        got = subprocess.run(
            ["bash", "-c", sql], cwd=project, capture_output=True, text=True, timeout=60, check=True
        ).stdout.splitlines()
    else:  # the same query through Python's sqlite3, printed as the command line tool does
        query = sql.split('"', 1)[1].rsplit('"', 1)[0]
        with sqlite3.connect(project / "build" / "kb.sqlite") as db:
            got = ["|".join("" if v is None else str(v) for v in row) for row in db.execute(query)]
    # the same rows as the Python example printed: label|ce|solvents
    assert got == [_as_row(line) for line in expected.splitlines()]
    assert got[0] == "Compiled LHCE|99.6|dme"  # CE computed from the LCE the dataset stores
    assert got[1] == "Ether with nitrate|99.1|dol dme"


def _as_row(line: str) -> str:
    """A line the Python example prints (``label ce ['a', 'b']``) as ``sqlite3`` prints its row."""
    import ast

    head, solvents = line.split(" [", 1)
    label, ce = head.rsplit(" ", 1)
    return f"{label}|{ce}|{' '.join(ast.literal_eval('[' + solvents))}"


def test_the_readme_python_example_runs_on_the_real_kb() -> None:
    import subprocess
    import sys

    python, _ = _readme_blocks("analyst-example")
    ran = subprocess.run(
        [sys.executable, "-c", python], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert all(line.rsplit(" ", 1)[0] for line in ran.stdout.splitlines())


def test_a_few_labels_in_a_crowd_of_150_points_are_left_off_rather_than_overlapping() -> None:
    from limkb.analysis.correlations import Point
    from limkb.site import plots

    crowd = [Point(f"p{i}", "d", (i % 15) / 14, (i // 15) / 9) for i in range(150)]
    unusual = [Point(f"unusual electrolyte {i}", "d", 0.5, 0.5) for i in range(7)]
    placed = plots._place_labels([*crowd, *unusual], unusual, (-0.1, 1.1, -0.1, 1.1), (330.0, 220.0))
    boxes = [label.box for label in placed]
    assert 0 < len(placed) < 7
    assert all(not plots._overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
