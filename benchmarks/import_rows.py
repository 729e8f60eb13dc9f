"""``limkb import-table`` at the red team's sizes: 5,000, 8,000 and 100,000 rows, timed against a floor.

Each case writes a one-dataset KB and a CSV of N rows (label, two property columns, the row's
own reference and locator, two conditions) to a temporary folder and runs the real
``limkb import-table`` in a new process. 5,000 rows fit the 1 MiB a dataset may hold and are
written (validated first); 8,000 and 100,000 do not, and the figure is the time until the
command refuses them (before a cheap size floor was added, rendering 100,000 rows to find out
took over a minute). The
baseline, run in the same session on the same file, is a new process that imports limkb and
reads every cell with ``csv.reader`` and ``float``: the least any importer does. The table
shows medians and the ratio; nothing here asserts a time.

    python benchmarks/import_rows.py [--runs 3] [--sizes 5000,8000,100000]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PROPERTY = (
    'name: {name}\nunit: "{unit}"\nscope: cell\ndesired: higher\nminimum: 0\n{extra}'
    "sources:\n  - {{ref: smith2020test, locator: x}}\n"
)
_BASELINE = (
    "import limkb, csv, sys\n"
    "rows = csv.reader(open(sys.argv[1], encoding='utf-8'))\n"
    "next(rows)\n"
    "total = sum(float(r[1]) + float(r[2]) for r in rows)\n"
)


def project(folder: Path, rows: int) -> Path:
    """A KB with one dataset and ``rows.csv`` of ``rows`` distinct, valid rows; returns ``folder``."""
    kb = folder / "kb"
    for sub in ("references", "properties", "datasets"):
        (kb / sub).mkdir(parents=True, exist_ok=True)
    (kb / "references" / "smith2020test.yaml").write_text(
        'title: Test\nauthors: ["Smith, A."]\nyear: 2020\ndoi: 10.1000/test.2020\n', encoding="utf-8"
    )
    (kb / "properties" / "coulombic-efficiency.yaml").write_text(
        _PROPERTY.format(name="CE", unit="%", extra="maximum: 100\nrange: {min: 10, max: 100}\n"),
        encoding="utf-8",
    )
    (kb / "properties" / "sei-thickness.yaml").write_text(
        _PROPERTY.format(name="Thickness", unit="nm", extra=""), encoding="utf-8"
    )
    (kb / "datasets" / "big.yaml").write_text(
        "name: Big\ncolumns:\n"
        '  - {name: ce, property: coulombic-efficiency, unit: "%"}\n'
        "  - {name: thickness, property: sei-thickness, unit: nm}\n"
        "conditions: {cell: Li||Cu}\nrecords: []\n"
        "sources:\n  - {ref: smith2020test, locator: x}\n",
        encoding="utf-8",
    )
    with (folder / "rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "ce (%)", "thickness (nm)", "doi", "locator", "cell", "current_density"])
        for i in range(rows):
            writer.writerow(
                [
                    f"r{i}",
                    f"{90 + i / (2 * rows):.7f}",
                    10 + i % 50,
                    "10.1000/test.2020",
                    f"Table {i % 7}",
                    "Li||Cu",
                    "0.5 mA cm-2",
                ]
            )
    return folder


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode


def measure(rows: int, runs: int) -> dict[str, float | int]:
    """Median seconds of the import and of the baseline over ``runs`` interleaved runs."""
    limkb = str(Path(sys.executable).with_name("limkb"))
    times, base, codes = [], [], set()
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = project(Path(tmp), rows)
            seconds, code = _timed(
                [limkb, "import-table", "rows.csv", "--dataset", "big", "--kb", "kb"], folder
            )
            times.append(seconds)
            codes.add(code)
            base.append(_timed([sys.executable, "-c", _BASELINE, "rows.csv"], folder)[0])
    return {
        "rows": rows,
        "seconds": statistics.median(times),
        "baseline": statistics.median(base),
        "exit": max(codes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="5000,8000,100000")
    args = parser.parse_args()
    print(f"{'rows':>8}  {'seconds':>8}  {'baseline':>8}  {'ratio':>6}  exit (0 written, 1 refused)")
    for size in (int(s) for s in args.sizes.split(",")):
        found = measure(size, args.runs)
        ratio = float(found["seconds"]) / float(found["baseline"])
        print(
            f"{size:>8,}  {found['seconds']:>8.2f}  {found['baseline']:>8.2f}  {ratio:>5.1f}x  {found['exit']}"
        )


if __name__ == "__main__":
    main()
