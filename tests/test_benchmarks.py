"""Smoke tests of the scale benchmarks: the generator writes a valid KB, run.py runs end to end.

No timings are asserted here: timings belong to the benchmark's own table.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from limkb.check.validate import validate_kb
from limkb.schema.kinds import FOLDERS

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    return _module("generate")


def test_generated_kb_has_every_kind_and_passes_validation(generate: ModuleType, tmp_path: Path) -> None:
    counts = generate.generate(tmp_path / "project", 60, seed=0)
    assert sum(counts.values()) == 60
    assert set(counts) == set(FOLDERS), "every kind of entry is generated"
    assert counts["references"] == max(counts.values()), "references are the largest kind, as in kb/"
    result = validate_kb(tmp_path / "project" / "kb")
    assert not result.report.problems, [p.format_text() for p in result.report.problems]
    assert len(result.entries) == 60
    datasets = [e for e in result.entries.values() if e.kind == "dataset"]
    assert datasets and all(10 <= len(d.records) <= 50 for d in datasets)  # type: ignore[attr-defined]
    assert (tmp_path / "project" / "mkdocs.yml").is_file()


def test_generator_is_deterministic(generate: ModuleType, tmp_path: Path) -> None:
    generate.generate(tmp_path / "a", 60, seed=3)
    generate.generate(tmp_path / "b", 60, seed=3)
    generate.generate(tmp_path / "c", 60, seed=4)

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "kb").rglob("*.yaml"))}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def _run(tmp_path: Path, *extra: str) -> dict[str, object]:
    out = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sizes",
            "60",
            "--runs",
            "1",
            "--workdir",
            str(tmp_path / "work"),
            "--out",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "| measurement |" in completed.stdout
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


def test_run_py_reports_every_measurement_without_builds(tmp_path: Path) -> None:
    run = _module("run")
    report = _run(tmp_path, "--skip-build", "--content", "generated")
    expected = [m for m in run.METRICS if m not in run.BUILD_METRICS]
    assert [c["key"] for c in report["columns"]] == ["generated-60"]  # type: ignore[index]
    summary = report["summary"]["generated-60"]  # type: ignore[index]
    assert sorted(summary) == sorted(expected)
    for metric in expected:
        assert summary[metric]["errors"] == 0, report["results"]["generated-60"][metric]  # type: ignore[index]
        assert summary[metric]["median"] is not None
        assert summary[metric]["rss_mib"] > 0
    assert summary["validate"]["reference"] == "floor" and "cpu_ratios" in summary["validate"]


def test_run_py_measures_the_replicated_real_kb_in_interleaved_rounds(tmp_path: Path) -> None:
    """``--content generated,real``: both projects, every round of one before the next round,
    each ratio taken within its round and shown as min/median/max."""
    report = _run(tmp_path, "--content", "generated,real", "--only", "floor,validate", "--runs", "2")
    columns = {c["key"]: c for c in report["columns"]}  # type: ignore[union-attr]
    assert set(columns) == {"generated-60", "real-60"}
    real = sum(1 for _ in (BENCHMARKS.parent / "kb").glob("*/*.yaml"))
    assert columns["real-60"]["entries"] == real, "60 entries ask for one copy of kb/: kb/ itself"
    assert columns["generated-60"]["entries"] == 60
    for key in columns:
        validate = report["summary"][key]["validate"]  # type: ignore[index]
        assert validate["runs"] == 2 and validate["errors"] == 0
        ratios = validate["cpu_ratios"]
        assert ratios["min"] <= ratios["median"] <= ratios["max"]
    text = _module("run").readme_block(report)
    assert "**60 entries: generated KB" in text and f"**{real:,} entries: the real `kb/` replicated" in text


def test_each_content_may_have_its_own_sizes() -> None:
    contents = _module("run")._contents
    assert contents("generated,real", "1000,3000") == [("generated", [1000, 3000]), ("real", [1000, 3000])]
    assert contents("real:10000, generated:3000", "1000") == [("real", [10000]), ("generated", [3000])]
    assert contents("real:1000+3000,generated", "50") == [("real", [1000, 3000]), ("generated", [50])]


@pytest.mark.slow
def test_run_py_reports_every_measurement_with_builds_and_serve(tmp_path: Path) -> None:
    run = _module("run")
    report = _run(tmp_path, "--content", "generated")
    summary = report["summary"]["generated-60"]  # type: ignore[index]
    assert sorted(summary) == sorted(run.METRICS)
    for metric in run.METRICS:
        assert summary[metric]["errors"] == 0, report["results"]["generated-60"][metric]  # type: ignore[index]
        assert summary[metric]["median"] is not None
    assert summary["build"]["reference"] == "baseline" and "cpu_ratios" in summary["build"]
    assert summary["rebuild_record"]["reference"] == "build"


def test_the_readme_table_is_written_from_the_kept_results() -> None:
    """The README's performance tables are ``run.py --readme`` of benchmarks/results.json, not
    typed: both projects, the builds with their ratios, at least three rounds."""
    run = _module("run")
    report = json.loads((BENCHMARKS / "results.json").read_text(encoding="utf-8"))
    readme = (BENCHMARKS.parent / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(run.START), readme.index(run.END) + len(run.END)
    assert readme[start:end] == run.readme_block(report)
    for metric in ("build", "rebuild_prose", "rebuild_relation", "rebuild_record", "baseline"):
        assert metric in report["metrics"], metric
    assert {c["content"] for c in report["columns"]} == {"generated", "real"}
    for column in report["columns"]:
        build = report["summary"][column["key"]]["build"]
        assert build["runs"] >= 3 and build["errors"] == 0, column
        assert build["reference"] == "baseline" and "cpu_ratios" in build
        assert report["summary"][column["key"]]["rebuild_prose"]["reference"] == "build"


def _runs(*pairs: tuple[float, float]) -> list[dict[str, float]]:
    return [{"seconds": wall, "wall": wall, "cpu": cpu, "rss_mib": 100.0} for wall, cpu in pairs]


def test_ratios_are_taken_round_by_round_and_rebuilds_are_against_the_clean_build() -> None:
    run = _module("run")
    metrics = {
        "baseline": _runs((10, 10), (20, 20), (10, 10)),
        "build": _runs((12, 11), (22, 30), (30, 10)),
        "rebuild_prose": _runs((1.2, 1.1), (2, 3), (9, 9)),
    }
    metrics["build"][1]["rss_mib"] = 640.0
    row = run.summarise_runs(metrics)
    # round by round: 1.1, 1.5, 1.0 by CPU (the ratio of medians, 11/10, would be 1.1)
    assert row["build"]["cpu_ratios"] == {"min": 1.0, "median": 1.1, "max": 1.5}
    assert row["build"]["wall_ratio"] == {"min": 1.1, "median": 1.2, "max": 3.0}
    assert row["build"]["reference"] == "baseline"
    assert row["build"]["rss_mib"] == 640.0 and row["build"]["rss_spread"]["median"] == 100.0
    assert row["rebuild_prose"]["reference"] == "build"
    assert row["rebuild_prose"]["cpu_ratios"] == {"min": 0.1, "median": 0.1, "max": 0.9}
    assert "reference" not in row["baseline"]
    failed = {"baseline": _runs((10, 10), (10, 10)), "build": _runs((20, 20), (30, 30))}
    failed["build"][0]["error"] = "boom"
    assert run.summarise_runs(failed)["build"]["cpu_ratios"] == {"min": 3.0, "median": 3.0, "max": 3.0}
    table = run.table(row, ["build", "rebuild_prose", "baseline"])
    assert "1.10× (1.00×–1.50×) vs plain MkDocs" in table
    assert "0.10× (0.10×–0.90×) vs clean build" in table


def _project_with_plugins(tmp_path: Path, plugins: list[object]) -> Path:
    import yaml

    generate = _module("generate")
    project = tmp_path / "project"
    generate.generate(project, 60, seed=0)
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = plugins
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return project


@pytest.mark.parametrize(
    ("plugins", "baseline"),
    [([{"limkb": {"kb": "kb"}}], []), (["search", {"limkb": {"kb": "kb"}}], ["search"])],
)
def test_the_baseline_has_the_mkdocs_plugins_of_the_build_but_limkb(
    tmp_path: Path, plugins: list[object], baseline: list[str]
) -> None:
    """Plain MkDocs runs ``search`` when limkb's build does, and no plugin when it has none
    (an empty list, which MkDocs keeps empty, not an absent key, which means ``search``)."""
    import yaml

    run = _module("run")
    project = _project_with_plugins(tmp_path, plugins)
    folder = run.prepare_baseline(project)
    config = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == baseline
    assert (folder / "docs" / "index.md").is_file()
    assert run.plugins_of(project) == {"build": [*baseline, "limkb"], "baseline": baseline}


def test_the_rebuilds_of_a_round_edit_one_entry_each_and_the_last_puts_every_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate = _module("generate")
    run = _module("run")
    project = tmp_path / "kb"
    generate.generate(project, 300, seed=2)
    (project / "build" / "cache" / "html").mkdir(parents=True)
    (project / "build" / "cache" / "html" / "manifest.pickle").write_text("{}", encoding="utf-8")
    before = {p: p.read_bytes() for p in project.glob("kb/*/*.yaml")}
    seen: list[set[Path]] = []

    def spawn(command: list[str], **_: object) -> dict[str, object]:
        seen.append({p for p, data in before.items() if p.read_bytes() != data})
        return {
            "wall": 1.0,
            "cpu": 1.0,
            "rss_mib": 1.0,
            "returncode": 0,
            "output": "; 7 pages from the cache",
        }

    monkeypatch.setattr(run, "_spawn", spawn)
    for metric in run.REBUILDS:
        result = run.run_metric(metric, project, None, restore=metric == run.REBUILDS[-1])
        assert result["reused"] == 7
    assert {p: p.read_bytes() for p in before} == before, "every edited file is put back"
    assert len(seen) == 4, "three measured builds and one unmeasured, after the files are put back"
    assert len(seen[0]) == 1 and seen[0] <= seen[1] <= seen[2] and seen[3] == set()
    assert len(seen[2]) >= 2, "the dataset edit is another file"
    validated = validate_kb(project / "kb")
    assert not validated.report.problems
    seen.clear()
    for metric in run.REBUILDS:  # the next round starts with a clean build: no build to resync
        run.run_metric(metric, project, None, restore=metric == run.REBUILDS[-1], resync=False)
    assert len(seen) == 3 and {p: p.read_bytes() for p in before} == before
    assert not (project / "build" / "cache" / "html" / "manifest.pickle").exists(), (
        "the stale cache is dropped"
    )


def test_the_replicated_kb_renames_entry_and_finding_ids_and_passes_validation(tmp_path: Path) -> None:
    replicate = _module("replicate")
    count = replicate.replicate(BENCHMARKS.parent, tmp_path / "real", 2)
    real = sum(1 for _ in (BENCHMARKS.parent / "kb").glob("*/*.yaml"))
    assert count == 2 * real
    result = validate_kb(tmp_path / "real" / "kb")
    assert not result.report.problems, [p.format_text() for p in result.report.problems[:5]]
    assert len(result.entries) == 2 * real


def test_an_edit_of_each_kind_keeps_the_generated_kb_valid(tmp_path: Path) -> None:
    generate = _module("generate")
    run = _module("run")
    project = tmp_path / "kb"
    generate.generate(project, 300, seed=2)
    for kind in ("prose", "relation", "record"):
        path, original = run.edit(project, kind)
        assert path.read_bytes() != original
        validated = validate_kb(project / "kb")
        assert not validated.report.problems, (kind, validated.report.problems[:3])
        path.write_bytes(original)


def test_measurements_rows_share_one_timing_and_read_every_printed_notation(tmp_path: Path) -> None:
    """benchmarks/measurements.py: every printed notation resolves against the real kb/, the
    import rows run (at a small size here) and the table shows one line per row."""
    measurements = _module("measurements")
    inputs = measurements._inputs()
    texts = measurements._texts(2 * len(measurements.PRINTED))
    assert len(measurements._resolved(texts, inputs)) == len(texts)
    rows = measurements.bench_import_sizes(1, sizes=(20,))
    assert rows[0]["exit"] == 0 and rows[0]["seconds"] > 0 and rows[0]["baseline"] > 0
    lines = measurements.table(rows).splitlines()
    assert len(lines) == 2 and "import-table 20 rows with sources (written)" in lines[1]
    assert set(measurements.BENCHES) >= {
        "parse",
        "descriptors",
        "import",
        "analyses",
        "structures",
        "rebuild",
    }
    assert not (BENCHMARKS / "notation.py").exists() and not (BENCHMARKS / "import_rows.py").exists()
