"""How soon the graph explorer is interactive in Chromium, and how long a search takes.

Usage: ``python benchmarks/explorer.py SITE_DIR [--runs 3] [--json]`` where SITE_DIR is a built
site (``limkb build`` of a project from ``generate.py``, or the real one). Each run opens
``graph.html`` from the disk in a fresh page of Debian's chromium and reports, in milliseconds
since navigation started, when the explorer's Cytoscape instance holds its nodes (the drawing
follows in the same frame), and how long a search for "copper" takes. Prints the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def measure(site: Path, runs: int = 3) -> dict[str, float | int]:
    from playwright.sync_api import sync_playwright

    ready: list[float] = []
    searched: list[float] = []
    nodes = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto((site / "graph.html").resolve().as_uri())
                page.wait_for_function(
                    "() => window.limkbExplorer && window.limkbExplorer.cy.nodes().length > 0",
                    timeout=120_000,
                )
                ready.append(page.evaluate("() => performance.now()"))
                nodes = page.evaluate("() => window.limkbExplorer.cy.nodes().length")
                started = time.perf_counter()
                page.fill(".limkb-graph-search", "copper")
                page.press(".limkb-graph-search", "Enter")
                page.wait_for_function(
                    "() => document.querySelector('.limkb-graph-status').textContent !== ''"
                )
                searched.append(1000 * (time.perf_counter() - started))
                page.close()
        finally:
            browser.close()
    return {
        "ready_ms": round(statistics.median(ready)),
        "search_ms": round(statistics.median(searched)),
        "drawn_nodes": nodes,
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.site, args.runs)
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
