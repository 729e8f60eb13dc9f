"""The red team's denial-of-service inputs, timed: each must validate (and build) in seconds.

Each case is a small knowledge base a stranger could send as a pull request. The script writes
it to a temporary folder, runs the real command in a new process and prints the wall time,
next to a baseline in the same run (validating the same KB without the hostile entries), so
the numbers read as ratios on a noisy machine. Nothing here asserts a time: the tests check
the algorithms (``tests/test_scaling_guards.py``) and the refusals (the corpus).

    python benchmarks/dos.py            # every case
    python benchmarks/dos.py --skip-build
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REFERENCE = (
    'title: Test of a tiny knowledge base\nauthors: ["Smith, A."]\njournal: J. Tests\nyear: 2020\n'
    "doi: 10.1000/test.2020\n"
)
SOURCE = "sources:\n  - {ref: smith2020test, locator: Table 1}\n"


def _base(kb: Path) -> None:
    (kb / "references").mkdir(parents=True)
    (kb / "references" / "smith2020test.yaml").write_text(REFERENCE, encoding="utf-8")


def _strategies(kb: Path, n: int, *, cycle: bool) -> None:
    folder = kb / "strategies"
    folder.mkdir()
    for i in range(n):
        parent = f"s{(i + 1) % n}" if cycle else (f"s{i + 1}" if i + 1 < n else None)
        text = f"name: Strategy {i}\nfamily: electrolyte-engineering\ninterface: li-electrolyte\n"
        text += f"subtype_of: {parent}\n" if parent else ""
        (folder / f"s{i}.yaml").write_text(text + SOURCE, encoding="utf-8")


def _prose(kb: Path, text: str) -> None:
    (kb / "mechanisms").mkdir()
    (kb / "mechanisms" / "soup.yaml").write_text(f"name: Soup\nsummary: '{text}'\n{SOURCE}", encoding="utf-8")


def _dataset(kb: Path, n: int) -> None:
    (kb / "properties").mkdir()
    for name in ("px", "py"):
        (kb / "properties" / f"{name}.yaml").write_text(
            f"name: {name}\nunit: nm\nscope: sei\ndesired: lower\n{SOURCE}", encoding="utf-8"
        )
    (kb / "datasets").mkdir()
    per_file = 25_000  # short rows, so that each file stays within the 1 MiB file limit
    for part, start in enumerate(range(0, n, per_file)):
        rows = "".join(
            f"  - {{label: r{i}, x: {i % 997}, y: {(i * 7919) % 1009}}}\n"
            for i in range(start, min(n, start + per_file))
        )
        (kb / "datasets" / f"big-{part}.yaml").write_text(
            "name: Big\ncolumns:\n  - {name: x, property: px, unit: nm}\n  - {name: y, property: py, unit: nm}\n"
            f"records:\n{rows}{SOURCE}",
            encoding="utf-8",
        )
    (kb / "analyses").mkdir()
    (kb / "analyses" / "big-correlation.yaml").write_text(
        f"name: Big\nx: px\ny: py\n{SOURCE}", encoding="utf-8"
    )


CASES: dict[str, Callable[[Path], None]] = {
    "baseline (reference only)": lambda kb: None,
    "subtype_of chain of 4,000": lambda kb: _strategies(kb, 4_000, cycle=False),
    "subtype_of cycle of 10,000": lambda kb: _strategies(kb, 10_000, cycle=True),
    "'[' x 20,000 in prose": lambda kb: _prose(kb, "[" * 20_000),
    "'![' x 10,000 in prose": lambda kb: _prose(kb, "![" * 10_000),
    "'[a](' x 5,000 in prose": lambda kb: _prose(kb, "[a](" * 5_000),
    "dataset of 31,000 records + analysis": lambda kb: _dataset(kb, 31_000),
    "dataset of 100,011 records + analysis": lambda kb: _dataset(kb, 100_011),
}


def _run(command: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-build", action="store_true", help="only validate and analyse")
    args = parser.parse_args(argv)
    repo = Path(__file__).resolve().parent.parent
    limkb = [sys.executable, "-m", "limkb"]
    print(f"{'case':40} {'validate':>18} {'analyses':>18} {'build':>18}")
    baseline: float | None = None
    for name, make in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            kb = project / "kb"
            _base(kb)
            make(kb)
            (project / "mkdocs.yml").write_bytes((repo / "mkdocs.yml").read_bytes())
            (project / "docs").mkdir()
            for page in (repo / "docs").glob("*.md"):
                (project / "docs" / page.name).write_bytes(page.read_bytes())
            cells = []
            for command in (["validate"], ["analyses"], ["build"]):
                if command == ["build"] and args.skip_build:
                    cells.append("-")
                    continue
                seconds, code = _run([*limkb, *command], project)
                if command == ["validate"] and baseline is None:
                    baseline = seconds
                ratio = f" {seconds / baseline:.1f}x" if baseline else ""
                cells.append(f"{seconds:.2f} s{'' if code == 0 else f' (exit {code})'}{ratio}")
        print(f"{name:40} " + " ".join(f"{c:>18}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
