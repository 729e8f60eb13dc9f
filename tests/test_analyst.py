"""What an analyst reads: value filters in ``where:``, Spearman throughout, readable plots,
records with their electrolytes, conditions and descriptors (Python, pandas, SQL), and the
README's examples run as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import SOURCE, minimal, write_kb
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
