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
    report = _run(tmp_path, "--skip-build")
    expected = [m for m in run.METRICS if m not in run.BUILD_METRICS]
    summary = report["summary"]["60"]  # type: ignore[index]
    assert sorted(summary) == sorted(expected)
    for metric in expected:
        assert summary[metric]["errors"] == 0, report["results"]["60"][metric]  # type: ignore[index]
        assert summary[metric]["median"] is not None
        assert summary[metric]["rss_mib"] > 0
    assert "ratio" in summary["validate"]


@pytest.mark.slow
def test_run_py_reports_every_measurement_with_builds_and_serve(tmp_path: Path) -> None:
    run = _module("run")
    report = _run(tmp_path)
    summary = report["summary"]["60"]  # type: ignore[index]
    assert sorted(summary) == sorted(run.METRICS)
    for metric in run.METRICS:
        assert summary[metric]["errors"] == 0, report["results"]["60"][metric]  # type: ignore[index]
        assert summary[metric]["median"] is not None
    assert "ratio" in summary["build"]


def test_the_readme_table_is_written_from_the_kept_results() -> None:
    """The README's performance table is ``run.py --readme`` of benchmarks/results.json, not typed."""
    run = _module("run")
    report = json.loads((BENCHMARKS / "results.json").read_text(encoding="utf-8"))
    readme = (BENCHMARKS.parent / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(run.START), readme.index(run.END) + len(run.END)
    assert readme[start:end] == run.readme_block(report)
    for metric in ("build", "rebuild_prose", "rebuild_relation", "rebuild_record", "baseline", "serve"):
        assert metric in report["metrics"], metric
    assert min(report["summary"][size]["build"]["runs"] for size in report["summary"]) >= 3


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
