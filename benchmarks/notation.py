"""Printed notations at scale, timed against baselines in the same run (the machine is noisy).

Two rows, each with its target from the issue "Published tables go in as printed":

- parsing and resolving 10,000 electrolyte strings as papers print them (every notation
  CONTRIBUTING.md lists, amounts varied so that no two are alike; target <= 1 s); baseline:
  splitting the same strings on blanks;
- computing the descriptors of 10,000 distinct formulations, parsed beforehand (target <= 2 s);
  baseline: the fractions' arithmetic alone, over atom counts already made.

The materials are a small index built here (the notations name some that ``kb/`` may lack).
Each figure is the median of ``--runs`` runs. Nothing here asserts a time.

    python benchmarks/notation.py [--runs 3] [--json build/bench-notation.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from limkb.analysis.descriptors import MaterialData, compute_descriptors
from limkb.analysis.formulations import Conventions, Formulation, MaterialIndex, parse, resolve

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
]
"""The notations of CONTRIBUTING.md; ``{a}`` a concentration, ``{b}`` a ratio's part."""

MATERIALS: dict[str, tuple[str, str, list[str], float | None]] = {
    "lifsi": ("LiFSI", "LiN(SO2F)2", ["salt"], None),
    "litfsi": ("LiTFSI", "LiN(SO2CF3)2", ["salt"], None),
    "lidfob": ("LiDFOB", "LiBF2(C2O4)", ["salt"], None),
    "lipf6": ("LiPF6", "LiPF6", ["salt"], None),
    "liclo4": ("LiClO4", "LiClO4", ["salt"], None),
    "lino3": ("LiNO3", "LiNO3", ["salt", "additive"], None),
    "li2s5": ("Li2S5", "Li2S5", ["salt", "additive"], None),
    "dme": ("DME", "C4H10O2", ["solvent"], 0.868),
    "dol": ("DOL", "C3H6O2", ["solvent"], 1.06),
    "tte": ("TTE", "C5H4F8O", ["diluent"], 1.5323),
    "btfe": ("BTFE", "C4H4F6O", ["diluent"], 1.404),
    "ec": ("EC", "C3H4O3", ["solvent"], 1.32),
    "dmc": ("DMC", "C3H6O3", ["solvent"], 1.07),
    "pc": ("PC", "C4H6O3", ["solvent"], 1.205),
    "sulfolane": ("SL", "C4H8O2S", ["solvent"], 1.261),
    "methf": ("MeTHF", "C5H10O", ["solvent"], 0.854),
    "etfec": ("ETFEC", "C5H7F3O3", ["solvent"], 1.3),
    "fec": ("FEC", "C3H3FO3", ["additive"], 1.45),
    "vc": ("VC", "C3H2O3", ["additive"], 1.35),
}
INDEX = MaterialIndex.of((i, [abbr, formula], roles) for i, (abbr, formula, roles, _) in MATERIALS.items())
DATA = {i: MaterialData(f, d, "salt" in r) for i, (_, f, r, d) in MATERIALS.items()}
CONVENTIONS = Conventions.of(ratio="vol", percent="wt")


def _texts(n: int) -> list[str]:
    """``n`` printed strings, every notation in turn, no two alike."""
    return [
        PRINTED[i % len(PRINTED)].format(
            a=f"{1 + (i // len(PRINTED)) % 97 / 100:g}", b=f"{1 + i % 89 / 10:g}"
        )
        for i in range(n)
    ]


def _timed(fn: Callable[[], Any], runs: int) -> float:
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        found.append(time.perf_counter() - start)
    return statistics.median(found)


def _resolved(text: str) -> Formulation:
    formulation, errors = resolve(parse(text, conventions=CONVENTIONS), INDEX)
    if errors:
        raise SystemExit(f"{text!r}: {errors[0].message}")
    return formulation


def bench_parse(runs: int) -> dict[str, Any]:
    texts = _texts(10_000)

    def ours() -> None:
        for text in texts:
            _resolved(text)

    def baseline() -> None:
        for text in texts:
            text.split()

    return {
        "row": "parse and resolve 10,000 printed formulations",
        "seconds": _timed(ours, runs),
        "baseline": _timed(baseline, runs),
        "baseline_what": "str.split of the same strings",
        "target": 1.0,
    }


def bench_descriptors(runs: int) -> dict[str, Any]:
    formulations = [_resolved(text) for text in _texts(10_000)]
    counts = [
        {"F": 26.0, "O": 9.0, "C": 19.0, "N": 1.0, "S": 2.0, "H": 22.0, "Li": 1.0} for _ in formulations
    ]

    def ours() -> None:
        for formulation in formulations:
            compute_descriptors(formulation, DATA)

    def baseline() -> None:
        for atoms in counts:
            total = sum(atoms.values())
            {element: n / total for element, n in atoms.items()}

    return {
        "row": "descriptors of 10,000 formulations",
        "seconds": _timed(ours, runs),
        "baseline": _timed(baseline, runs),
        "baseline_what": "the fractions' arithmetic over atom counts already made",
        "target": 2.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = [bench_parse(args.runs), bench_descriptors(args.runs)]
    print(f"{'row':<48} {'seconds':>8} {'target':>7} {'baseline':>9} {'ratio':>8}")
    for row in rows:
        ratio = row["seconds"] / row["baseline"] if row["baseline"] else float("nan")
        row["ratio"] = ratio
        print(
            f"{row['row']:<48} {row['seconds']:>8.3f} {row['target']:>7.1f} {row['baseline']:>9.4f} {ratio:>7.1f}x"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
