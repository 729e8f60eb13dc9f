"""The comparison tables at scale: first paint, filtering and weight of a page of 10,000 findings.

Usage: ``python benchmarks/compare.py [--findings 10000] [--per-strategy 20] [--runs 3] [--json]
[--workdir DIR]``. It writes a project of ``findings / per-strategy`` strategies (500 by default,
so the knowledge base stays near 500 entries) whose findings are all Coulombic efficiencies
with varied electrolytes, cells, protocols and current densities, builds it with ``limkb build``
(kept in ``--workdir`` and reused), then opens ``compare/coulombic-efficiency.html`` from the
disk in Debian's chromium, ``--runs`` times, and reports medians (and, under
``min_median_max``, the minimum, median and maximum of each time over the runs, with the
machine's load average at the end, since other work may share the machine):

- ``first_paint_ms``: first contentful paint, since navigation started;
- ``ready_ms``: when the table is drawn (facets built, first rows in the page), from the
  page's own ``limkb-compare-ready`` mark;
- ``loaded_bytes``: every file the page loaded (theme, scripts, styles, data), uncompressed;
- ``filter_ms``: choosing a cell in the facet until the rows are drawn again (in the page's
  own clock, so Playwright's round trips are left out);
- ``sort_ms``: sorting by value;
- the bytes of the page, its data script and the CSV, and the ratio of each time to its
  target (paint 1 s, filter 100 ms) and of the page's weight to 500 KB.

Nothing is asserted: the numbers are for the README's table and for comparing changes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PAGE = "compare/coulombic-efficiency.html"
TARGETS = {"first_paint_ms": 1000.0, "filter_ms": 100.0, "page_bytes": 500_000}

CELLS = ["Li||Cu", "Li||Li", "anode-free", "Li||NMC811", None]
PROTOCOLS = ["modified Aurbach", "average over cycles 10-100", "first cycle", None]
SALTS = ["LiFSI", "LiTFSI", "LiPF6", "LiDFOB"]
SOLVENTS = ["DME", "DOL", "EC", "DMC", "FEC"]
FAMILIES = ["electrolyte-engineering", "artificial-sei", "current-collector-modification"]


class _Dumper(yaml.SafeDumper):
    """Writes shared values out in full: limkb refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def write_project(out: Path, findings: int, per_strategy: int, seed: int = 0) -> None:
    """A project whose strategies hold ``findings`` CE findings, ``per_strategy`` each."""
    rng = random.Random(seed)
    kb = out / "kb"
    source = [{"ref": "bench2024values", "locator": "Table 1"}]
    _dump(
        kb / "references/bench2024values.yaml",
        {
            "title": "Values for a benchmark",
            "authors": ["Bench, A."],
            "journal": "J. Bench",
            "year": 2024,
            "doi": "10.1000/bench.2024",
            "read": {"status": "abstract"},
        },
    )
    _dump(
        kb / "properties/coulombic-efficiency.yaml",
        {
            "name": "Coulombic efficiency",
            "unit": "%",
            "scope": "cell",
            "desired": "higher",
            "minimum": 0,
            "maximum": 100,
            "sources": source,
        },
    )
    for name in SALTS + SOLVENTS:
        role = "salt" if name in SALTS else "solvent"
        _dump(kb / f"materials/{name.lower()}.yaml", {"name": name, "roles": [role], "sources": source})
    for s in range((findings + per_strategy - 1) // per_strategy):
        family = FAMILIES[s % 3]
        items = []
        for _ in range(min(per_strategy, findings - s * per_strategy)):
            conditions: dict[str, Any] = {}
            cell, protocol = rng.choice(CELLS), rng.choice(PROTOCOLS)
            if cell:
                conditions["cell"] = cell
            if protocol:
                conditions["protocol"] = protocol
            conditions["current_density"] = f"{rng.choice([0.5, 1, 2, 3])} mA cm-2"
            conditions["areal_capacity"] = f"{rng.choice([0.5, 1, 3])} mAh cm-2"
            items.append(
                {
                    "quantity": "coulombic-efficiency",
                    "value": round(rng.uniform(80, 99.9), 2),
                    "unit": "%",
                    "electrolyte": f"1 M {rng.choice(SALTS)} in {rng.choice(SOLVENTS)}",
                    "conditions": conditions,
                    "source": source[0],
                    "statement": "A CE read for the benchmark.",
                }
            )
        _dump(
            kb / f"strategies/bench-strategy-{s:04d}.yaml",
            {
                "name": f"Benchmark strategy {s}",
                "family": family,
                "interface": "li-current-collector" if family == FAMILIES[2] else "li-electrolyte",
                "sources": source,
                "findings": items,
            },
        )
    shutil.copy(REPO / "mkdocs.yml", out / "mkdocs.yml")
    (out / "docs").mkdir(exist_ok=True)
    for page in sorted((REPO / "docs").glob("*.md")):
        shutil.copy(page, out / "docs" / page.name)


def build(out: Path) -> Path:
    site = out / "site"
    if not (site / PAGE).is_file():
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        subprocess.run([sys.executable, "-m", "limkb", "build"], cwd=out, check=True, env=env)
    return site


_FILTER = """async () => {
  const select = document.getElementById('limkb-compare-cell');
  const started = performance.now();
  select.value = 'Li||Cu';
  select.dispatchEvent(new Event('change'));
  const rows = document.querySelectorAll('#limkb-compare-table tbody tr').length;
  return [performance.now() - started, rows];
}"""

_SORT = """async () => {
  const button = document.querySelector("th[data-key='value'] button");
  const started = performance.now();
  button.click();
  return performance.now() - started;
}"""


def _bytes_of(urls: list[str]) -> int:
    """The size of every file a page loaded (from the disk: what a server would send, uncompressed)."""
    from urllib.parse import unquote, urlsplit

    paths = {Path(unquote(urlsplit(url).path)) for url in urls if url.startswith("file:")}
    return sum(path.stat().st_size for path in paths if path.is_file())


def measure(site: Path, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    found: dict[str, list[float]] = {
        "first_paint_ms": [],
        "ready_ms": [],
        "filter_ms": [],
        "sort_ms": [],
        "loaded_bytes": [],
    }
    rows = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requested: list[str] = []
                page.on("request", lambda request, seen=requested: seen.append(request.url))
                page.goto((site / PAGE).resolve().as_uri())
                page.wait_for_selector("#limkb-compare[data-ready='1']", timeout=120_000)
                found["ready_ms"].append(
                    page.evaluate("() => performance.getEntriesByName('limkb-compare-ready')[0].startTime")
                )
                found["loaded_bytes"].append(_bytes_of(requested))
                paint = page.evaluate(
                    "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
                )
                found["first_paint_ms"].append(paint or float("nan"))
                took, rows = page.evaluate(_FILTER)
                found["filter_ms"].append(took)
                found["sort_ms"].append(page.evaluate(_SORT))
                page.close()
        finally:
            browser.close()
    result: dict[str, Any] = {k: round(statistics.median(v), 1) for k, v in found.items()}
    result["min_median_max"] = {
        k: [round(min(v), 1), round(statistics.median(v), 1), round(max(v), 1)]
        for k, v in found.items()
        if k != "loaded_bytes"
    }
    result["runs"] = runs
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["rows_after_filter"] = rows
    result["page_bytes"] = (site / PAGE).stat().st_size
    result["data_bytes"] = (site / "compare/coulombic-efficiency-data.js").stat().st_size
    result["csv_bytes"] = (site / "compare/coulombic-efficiency.csv").stat().st_size
    result["ratios"] = {
        "first_paint_ms": round(result["first_paint_ms"] / TARGETS["first_paint_ms"], 3),
        "filter_ms": round(result["filter_ms"] / TARGETS["filter_ms"], 3),
        "page_bytes": round(result["page_bytes"] / TARGETS["page_bytes"], 3),
        "page_and_data_bytes": round(
            (result["page_bytes"] + result["data_bytes"]) / TARGETS["page_bytes"], 3
        ),
        "loaded_bytes": round(result["loaded_bytes"] / TARGETS["page_bytes"], 3),
        "ready_ms": round(result["ready_ms"] / TARGETS["first_paint_ms"], 3),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--per-strategy", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/limkb-bench"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = args.workdir / f"compare-{args.findings}-{args.per_strategy}"
    if not (out / "kb").is_dir():
        write_project(out, args.findings, args.per_strategy)
    result = measure(build(out), args.runs)
    result["findings"] = args.findings
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
