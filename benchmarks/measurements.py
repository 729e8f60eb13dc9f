"""Measurements at scale, timed against baselines in the same run (the machine is noisy).

One table, every row with its target from the issues it answers, each beside a baseline run in
the same session with the same timing helper:

- ``parse``: parsing and resolving 10,000 electrolyte strings as papers print them (every
  notation CONTRIBUTING.md lists, amounts varied so that no two are alike), against the real
  ``kb/`` (target <= 1 s); baseline: splitting the same strings on blanks;
- ``descriptors``: the descriptors of those 10,000 formulations, parsed beforehand, from the
  real materials (target <= 2 s); baseline: the fractions' arithmetic over atom counts made;
- ``import``: ``limkb import-table`` of 10,000 CSV rows with conditions, in a new process
  (target <= 5 s); baseline: ``python -c 'import limkb'`` plus ``csv.reader`` over the file;
- ``import_sizes``: ``limkb import-table`` at the red team's sizes, 5,000 rows (written),
  8,000 and 100,000 (over the 1 MiB a dataset holds: the time until the refusal); baseline:
  a new process that imports limkb and reads every cell with ``csv.reader`` and ``float``;
- ``analyses``: analyses over 100,000 records in 10 datasets, with an expression variable
  (LCE) and a descriptor from each record's electrolyte (target <= 2 s); baseline: scipy's
  Pearson r over arrays of the same size;
- ``structures``: RDKit's identifiers (formula, molar mass, InChIKey) and drawing of every
  material of ``kb/`` with a SMILES; baseline: ``Chem.MolFromSmiles`` of the same SMILES;
- ``rebuild``: ``limkb build`` of a copy of the project after an edit unrelated to chemistry
  (a strategy's summary), with the cache of the build before, in a new process that reports
  how many SMILES RDKit read and how many structures it drew (both 0: the cache hit); baseline:
  the first, cold build of the same copy, with its counts.

Each figure is the median of ``--runs`` runs (the rebuild: of its runs after one cold build),
or with ``--stat min`` the fastest of them (the least disturbed on a loaded machine). Nothing
here asserts a time.

    python benchmarks/measurements.py [--runs 3] [--stat min] [--only parse,rebuild] [--json build/bench-measurements.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
"""Electrolytes of the analyses' synthetic records."""
PRINTED = [
    "{a} M LiPF6 EC-DMC (1:1 v) 2% VC",
    "{a}M LiFSI DMC-BTFE (1:{b} mol)",
    "{a}M LiTFSI 2M LiDFOB DME",
    "LiFSI SL (1:{b} molar)",
    "LiFSI DME-TTE (1:{b}:3)",
    "{a} M LiFSI MeTHF-TTE (1:1 vol)",
    "{a} M LiClO4-PC + 5% FEC",
    "{a} M LiFSI/EC-ETFEC (3:7 vol)",
    "0.1 M Li2S5 + 5% LiNO3 in {a} M LiTFSI in DOL/DME (1:1 vol)",
    "{a} M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC",
    "LiFSI-{b}DME-3TTE",
    "{a} mol/kg LiFSI in EC:DMC (1:{b} w/w)",
    "{a} M LiPF6 FEC-DMC (1:1 v) 0.5wt% 12-Crown-4",
    "{a}M LiFSI EC/DEC (v 1:{b})",
    "{a}M LiTFSI 1-4 (EA-DCM vol)",
    "{a}M LiFSI TEP (= 1:2 MR)",
    "LiFSI-TEP 1:{b} molar",
]
"""The notations of CONTRIBUTING.md; ``{a}`` a concentration, ``{b}`` a ratio's part."""
ROOT = Path(__file__).resolve().parent.parent
LIMKB = str(Path(sys.executable).with_name("limkb"))


STAT: Callable[[list[float]], float] = statistics.median
"""How a row's runs become its figure: the median, or with ``--stat min`` the fastest run
(on a loaded machine the least disturbed one)."""


def _timed(fn: Callable[[], Any], runs: int) -> float:
    """The wall time of ``runs`` calls of ``fn`` (their :data:`STAT`): the one timing of every row."""
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        found.append(time.perf_counter() - start)
    return STAT(found)


def _row(
    row: str, seconds: float, baseline: float, what: str, target: float | None, **extra: Any
) -> dict[str, Any]:
    return {
        "row": row,
        "seconds": seconds,
        "baseline": baseline,
        "baseline_what": what,
        "target": target,
        **extra,
    }


# --- formulations -----------------------------------------------------------------------


def _texts(n: int) -> list[str]:
    """``n`` printed strings, every notation in turn, no two alike."""
    return [
        PRINTED[i % len(PRINTED)].format(
            a=f"{1 + (i // len(PRINTED)) % 97 / 100:g}", b=f"{1 + i % 89 / 10:g}"
        )
        for i in range(n)
    ]


def _inputs() -> Any:
    from limkb.access import load
    from limkb.analysis.inputs import Inputs

    return Inputs(load(ROOT / "kb"))


def _resolved(texts: list[str], inputs: Any) -> list[Any]:
    from limkb.analysis.formulations import Conventions, parse, resolve

    conventions = Conventions.of(ratio="vol", percent="wt")
    found = []
    for text in texts:
        formulation, errors = resolve(
            parse(text, conventions=conventions, known=inputs.index.knows), inputs.index
        )
        if errors:
            raise SystemExit(f"{text!r}: {errors[0].message}")
        found.append(formulation)
    return found


def bench_parse(runs: int) -> list[dict[str, Any]]:
    inputs, texts = _inputs(), _texts(10_000)
    seconds = _timed(lambda: _resolved(texts, inputs), runs)
    baseline = _timed(lambda: [text.split() for text in texts], runs)
    return [_row("parse and resolve 10,000 printed formulations", seconds, baseline, "str.split", 1.0)]


def bench_descriptors(runs: int) -> list[dict[str, Any]]:
    from limkb.analysis.descriptors import compute_descriptors

    inputs = _inputs()
    formulations = _resolved(_texts(10_000), inputs)
    counts = [
        {"F": 26.0, "O": 9.0, "C": 19.0, "N": 1.0, "S": 2.0, "H": 22.0, "Li": 1.0} for _ in formulations
    ]

    def ours() -> None:
        for formulation in formulations:
            compute_descriptors(formulation, inputs.material_data)

    def baseline() -> None:
        for atoms in counts:
            total = sum(atoms.values())
            {element: n / total for element, n in atoms.items()}

    return [
        _row(
            "descriptors of 10,000 formulations",
            _timed(ours, runs),
            _timed(baseline, runs),
            "fractions of counts",
            2.0,
        )
    ]


# --- import-table -----------------------------------------------------------------------

_PROPERTY = (
    'name: {name}\nunit: "{unit}"\nscope: cell\ndesired: higher\nminimum: 0\n{extra}'
    "sources:\n  - {{ref: smith2020test, locator: x}}\n"
)
_BASELINE = (
    "import limkb, csv, sys\n"
    "rows = csv.reader(open(sys.argv[1], encoding='utf-8'))\n"
    "next(rows)\n"
    "total = sum(float(r[1]) for r in rows)\n"
)


def _import_project(folder: Path, rows: int, *, rich: bool) -> Path:
    """A KB with one dataset and ``rows.csv`` of ``rows`` distinct, valid rows; returns ``folder``.

    ``rich`` rows carry two property columns, the row's own DOI and locator and two conditions
    (the red team's table); the others a CE, a cycle number and a skipped column."""
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
        if rich:
            writer.writerow(
                ["label", "ce (%)", "thickness (nm)", "doi", "locator", "cell", "current_density"]
            )
            for i in range(rows):
                ce = f"{90 + i / (2 * rows):.7f}"
                writer.writerow(
                    [f"r{i}", ce, 10 + i % 50, "10.1000/test.2020", f"Table {i % 7}", "Li||Cu", "0.5 mA cm-2"]
                )
        else:
            writer.writerow(["label", "CE (%)", "Cycle", "Extra"])  # within the 1 MiB an entry may hold
            for i in range(rows):  # distinct values: rows equal in all but their label are refused
                writer.writerow([f"r{i}", f"{90 + i / 10_000:.4f}", "50", "x"])
    return folder


def _import_times(rows: int, runs: int, *, rich: bool) -> tuple[float, float, int]:
    """Median seconds of the import and of the baseline (each in a new process), and the worst exit."""
    arguments = [] if rich else ["--map", "CE (%)=ce", "--map", "Cycle=cycles", "--skip", "Extra"]
    codes: set[int] = set()
    with tempfile.TemporaryDirectory() as tmp:
        folder = _import_project(Path(tmp), rows, rich=rich)
        pristine = (folder / "kb" / "datasets" / "big.yaml").read_bytes()

        def ours() -> None:
            (folder / "kb" / "datasets" / "big.yaml").write_bytes(
                pristine
            )  # each run imports into the empty dataset
            command = [LIMKB, "import-table", "rows.csv", "--dataset", "big", "--kb", "kb", *arguments]
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
            codes.add(done.returncode)

        def baseline() -> None:
            subprocess.run([sys.executable, "-c", _BASELINE, "rows.csv"], cwd=folder, check=True)

        seconds, base = _timed(ours, runs), _timed(baseline, runs)
    return seconds, base, max(codes)


def bench_import(runs: int) -> list[dict[str, Any]]:
    seconds, base, code = _import_times(10_000, runs, rich=False)
    if code != 0:
        raise SystemExit("import-table refused the 10,000 rows it should write")
    return [_row("import-table 10,000 rows (new process)", seconds, base, "import limkb + csv.reader", 5.0)]


def bench_import_sizes(runs: int, sizes: tuple[int, ...] = (5_000, 8_000, 100_000)) -> list[dict[str, Any]]:
    found = []
    for size in sizes:
        seconds, base, code = _import_times(size, runs, rich=True)
        what = "written" if code == 0 else "refused"
        found.append(
            _row(
                f"import-table {size:,} rows with sources ({what})",
                seconds,
                base,
                "import limkb + csv floats",
                None,
                exit=code,
            )
        )
    return found


# --- analyses ---------------------------------------------------------------------------


class _KB:
    def __init__(self, entries: dict[str, Any]) -> None:
        self.by_id = entries

    def __getitem__(self, entry_id: str) -> Any:
        return self.by_id[entry_id]

    def entries(self, kind: str | None = None, **_: Any) -> list[Any]:
        return [e for e in self.by_id.values() if kind is None or e.kind == kind]


def bench_analyses(runs: int) -> list[dict[str, Any]]:
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
    seconds = _timed(lambda: compute_all(kb), runs)
    baseline = _timed(lambda: [stats.pearsonr(xs, ys) for _ in range(3)], runs)
    return [
        _row(
            "3 analyses over 100,000 records (LCE, descriptors)", seconds, baseline, "3 x scipy pearsonr", 2.0
        )
    ]


# --- chemistry (RDKit) ------------------------------------------------------------------


def bench_structures(runs: int) -> list[dict[str, Any]]:
    from rdkit import Chem

    from limkb.access import load
    from limkb.analysis.chemistry import draw_svg, structure

    smiles = [m.smiles for m in load(ROOT / "kb").entries(kind="material") if getattr(m, "smiles", None)]

    def ours() -> None:
        structure.cache_clear()  # each run does RDKit's work anew
        for s in smiles:
            structure(s)
            draw_svg(s)

    seconds = _timed(ours, runs)
    baseline = _timed(lambda: [Chem.MolFromSmiles(s) for s in smiles], runs)
    return [
        _row(
            f"RDKit identifiers and drawings of {len(smiles)} materials",
            seconds,
            baseline,
            "MolFromSmiles",
            None,
        )
    ]


_COUNTED_BUILD = """
import json, sys, time
from pathlib import Path
from limkb.analysis import chemistry
from limkb.commands.build import build
from limkb.site import structures
start = time.perf_counter()
build(Path(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - start, "parsed": chemistry.formula.cache_info().misses,
                  "drawn": structures.CACHE.drawn}))
"""


def _counted_build(project: Path) -> dict[str, Any]:
    """A ``limkb build`` of ``project`` in a new process: its seconds, and how many SMILES RDKit
    read and how many structures it drew."""
    done = subprocess.run(
        [sys.executable, "-c", _COUNTED_BUILD, str(project)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _project_copy(folder: Path) -> Path:
    """The project (kb/, docs/, mkdocs.yml, the Markdown it includes) copied to ``folder``."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "build", "site", ".limkb-out", "__pycache__", "benchmarks", "tests"
    )
    shutil.copytree(ROOT, folder, ignore=ignore, symlinks=False)
    return folder


def bench_rebuild(runs: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project_copy(Path(tmp) / "project")
        cold = _counted_build(project)
        summary = project / "kb" / "strategies" / "fec-additive.yaml"
        original = summary.read_text(encoding="utf-8")
        rebuilds = []
        for i in range(runs):
            summary.write_text(original.replace("summary: ", f"summary: (edit {i}) ", 1), encoding="utf-8")
            rebuilds.append(_counted_build(project))
    median = STAT([r["seconds"] for r in rebuilds])
    parsed, drawn = max(r["parsed"] for r in rebuilds), max(r["drawn"] for r in rebuilds)
    return [
        _row(
            f"rebuild after an unrelated edit: RDKit read {parsed} SMILES, drew {drawn} (cold: {cold['parsed']}, {cold['drawn']})",
            median,
            cold["seconds"],
            "the cold build",
            None,
            rdkit={
                "rebuild": {"parsed": parsed, "drawn": drawn},
                "cold": {"parsed": cold["parsed"], "drawn": cold["drawn"]},
            },
        )
    ]


BENCHES: dict[str, Callable[[int], list[dict[str, Any]]]] = {
    "parse": bench_parse,
    "descriptors": bench_descriptors,
    "import": bench_import,
    "import_sizes": bench_import_sizes,
    "analyses": bench_analyses,
    "structures": bench_structures,
    "rebuild": bench_rebuild,
}


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as the text table the README shows."""
    lines = [f"{'row':<76} {'seconds':>8} {'target':>7} {'baseline':>9} {'ratio':>8}"]
    for row in rows:
        ratio = row["seconds"] / row["baseline"] if row["baseline"] else float("nan")
        row["ratio"] = ratio
        target = "-" if row["target"] is None else f"{row['target']:.1f}"
        lines.append(
            f"{row['row']:<76} {row['seconds']:>8.3f} {target:>7} {row['baseline']:>9.4f} {ratio:>7.2f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(BENCHES), help=f"rows to run, of {', '.join(BENCHES)}")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--stat",
        choices=("median", "min"),
        default="median",
        help="a row's figure: the median or the fastest run",
    )
    args = parser.parse_args(argv)
    global STAT
    STAT = min if args.stat == "min" else statistics.median
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"unknown rows {', '.join(unknown)}: choose from {', '.join(BENCHES)}")
    rows = [row for name in chosen for row in BENCHES[name](args.runs)]
    print(table(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
