"""Measurements at scale, timed against baselines in the same run (the machine is noisy).

Three rows, each with its target from the measurements issue:

- parsing and resolving 10,000 formulation strings (target <= 1 s); baseline: splitting the
  same strings on blanks;
- ``limkb import-table`` of 10,000 CSV rows with conditions, in a new process (target <= 5 s);
  baseline: ``python -c 'import limkb'`` plus ``csv.reader`` over the same file;
- computing analyses over 100,000 records in 10 datasets, with an expression variable (LCE)
  and a descriptor computed from each record's electrolyte (target <= 2 s); baseline: scipy's
  Pearson r over arrays of the same size.

Each figure is the median of ``--runs`` runs. Nothing here asserts a time.

    python benchmarks/measurements.py [--runs 3] [--json build/bench-measurements.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FORMULATIONS = [
    "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",
    "1 M LiTFSI in DOL/DME (1:1 vol) + 2 wt% LiNO3",
    "4 M LiFSI in DME",
    "LiFSI-1.2DME-3TTE",
    "0.6 M LiTFSI + 0.4 M LiBOB in EC:EMC (3:7 w/w)",
    "1 M LiClO4 in PC + 5 vol% FEC",
    "1.2 M LiFSI in TEP:BTFE (1:3 mol)",
    "LiFSI-1.2DME-3TFEO",
]
ROOT = Path(__file__).resolve().parent.parent


def _median(times: list[float]) -> float:
    return statistics.median(times)


def _timed(fn: Any, runs: int) -> float:
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        found.append(time.perf_counter() - start)
    return _median(found)


def bench_parse(runs: int) -> dict[str, Any]:
    from limkb.access import load
    from limkb.analysis.formulations import parse, resolve
    from limkb.analysis.inputs import Inputs

    index = Inputs(load(ROOT / "kb")).index
    texts = [
        FORMULATIONS[i % len(FORMULATIONS)].replace("1 M", f"{1 + (i % 97) / 100:g} M", 1)
        for i in range(10_000)
    ]

    def ours() -> None:
        for text in texts:
            resolve(parse(text), index)

    def baseline() -> None:
        for text in texts:
            text.split()

    return {
        "row": "parse 10,000 formulations",
        "seconds": _timed(ours, runs),
        "baseline": _timed(baseline, runs),
        "baseline_what": "str.split of the same strings",
        "target": 1.0,
    }


def _import_project(folder: Path, rows: int) -> Path:
    kb = folder / "kb"
    for sub in ("references", "properties", "datasets"):
        (kb / sub).mkdir(parents=True, exist_ok=True)
    (kb / "references" / "smith2020test.yaml").write_text(
        'title: Test\nauthors: ["Smith, A."]\nyear: 2020\n', encoding="utf-8"
    )
    (kb / "properties" / "coulombic-efficiency.yaml").write_text(
        'name: CE\nunit: "%"\nscope: cell\ndesired: higher\nmaximum: 100\nsources:\n  - {ref: smith2020test, locator: x}\n',
        encoding="utf-8",
    )
    (kb / "datasets" / "big.yaml").write_text(
        'name: Big\ncolumns:\n  - {name: ce, property: coulombic-efficiency, unit: "%"}\nrecords: []\n'
        "sources:\n  - {ref: smith2020test, locator: x}\n",
        encoding="utf-8",
    )
    with (folder / "rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "CE (%)", "Cycle", "Extra"])  # within the 1 MiB an entry may hold
        for i in range(rows):
            # distinct values: rows equal in all but their label are refused as duplicates
            writer.writerow([f"r{i}", f"{90 + i / 10_000:.4f}", "50", "x"])
    return folder


def bench_import(runs: int) -> dict[str, Any]:
    times, base = [], []
    limkb = str(Path(sys.executable).with_name("limkb"))
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = _import_project(Path(tmp), 10_000)
            command = [
                limkb,
                "import-table",
                "rows.csv",
                "--dataset",
                "big",
                "--kb",
                "kb",
                "--map",
                "CE (%)=ce",
                "--map",
                "Cycle=cycles",
                "--skip",
                "Extra",
            ]
            start = time.perf_counter()
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import limkb, csv, sys; sum(1 for _ in csv.reader(open(sys.argv[1])))",
                    str(folder / "rows.csv"),
                ],
                check=True,
            )
            base.append(time.perf_counter() - start)
    return {
        "row": "import-table 10,000 rows (new process)",
        "seconds": _median(times),
        "baseline": _median(base),
        "baseline_what": "import limkb + csv.reader of the file",
        "target": 5.0,
    }


class _KB:
    def __init__(self, entries: dict[str, Any]) -> None:
        self.by_id = entries

    def __getitem__(self, entry_id: str) -> Any:
        return self.by_id[entry_id]

    def entries(self, kind: str | None = None, **_: Any) -> list[Any]:
        return [e for e in self.by_id.values() if kind is None or e.kind == kind]


def bench_analyses(runs: int) -> dict[str, Any]:
    import numpy as np
    from scipy import stats

    from limkb.access import load
    from limkb.analysis.correlations import compute_all
    from limkb.schema.kinds import Analysis, Dataset

    real = load(ROOT / "kb")
    entries = {e.id: e for e in real.entries() if e.kind in ("property", "material", "reference")}
    for d in range(10):
        records = [
            {
                "label": f"r{d}-{i}",
                "ce": 95 + (i * 7919 % 499) / 100,
                "t": 5 + i % 40,
                "electrolyte": FORMULATIONS[i % len(FORMULATIONS)].replace(
                    "1 M", f"{1 + (i % 50) / 100:g} M", 1
                ),
            }
            for i in range(10_000)
        ]
        dataset = Dataset.model_validate(
            {
                "id": f"big-{d}",
                "name": f"Big {d}",
                "sources": [{"ref": "oyakhire2024interfacial", "locator": "x"}],
                "columns": [
                    {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                    {"name": "t", "property": "sei-thickness", "unit": "nm"},
                ],
                "records": records,
            }
        )
        entries[dataset.id] = dataset
    for analysis_id, x, y in (
        ("lce-vs-t", "t", "-log10(1 - ce / 100)"),
        ("ce-vs-frac-f", "frac_f", "ce"),
        ("lce-vs-frac-o", "frac_o_solvent", "-log10(1 - ce / 100)"),
    ):
        entries[analysis_id] = Analysis.model_validate(
            {
                "id": analysis_id,
                "name": analysis_id,
                "x": x,
                "y": y,
                "sources": [{"ref": "oyakhire2024interfacial", "locator": "x"}],
            }
        )
    kb = _KB(entries)
    results = compute_all(kb)
    assert all(r.n == 100_000 for r in results.values()), {k: r.n for k, r in results.items()}
    xs = np.random.default_rng(1).random(100_000)
    ys = xs + np.random.default_rng(2).random(100_000)
    return {
        "row": "3 analyses over 100,000 records (LCE expression, descriptors)",
        "seconds": _timed(lambda: compute_all(kb), runs),
        "baseline": _timed(lambda: [stats.pearsonr(xs, ys) for _ in range(3)], runs),
        "baseline_what": "3 x scipy.stats.pearsonr over 100,000 points",
        "target": 2.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = [bench_parse(args.runs), bench_import(args.runs), bench_analyses(args.runs)]
    print(f"{'row':<62} {'seconds':>8} {'target':>7} {'baseline':>9} {'ratio':>7}")
    for row in rows:
        ratio = row["seconds"] / row["baseline"] if row["baseline"] else float("nan")
        row["ratio"] = ratio
        print(
            f"{row['row']:<62} {row['seconds']:>8.2f} {row['target']:>7.1f} {row['baseline']:>9.3f} {ratio:>7.1f}x"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
