"""Scale benchmarks of limkb on generated knowledge bases: medians, ratios, peak memory.

    python benchmarks/run.py                         # 1,000 / 3,000 / 10,000 entries, 3 runs
    python benchmarks/run.py --sizes 1000 --runs 5 --only floor,validate
    python benchmarks/run.py --skip-build            # everything but the MkDocs builds

Every measurement runs in a fresh Python process (so cold and warm mean what they say);
the parent times the process and reads its CPU time and peak RSS from ``os.wait4`` (the
child's own ``getrusage``), and the child reports the time of the operation itself. Runs
are interleaved (floor, validate, ..., floor, validate, ...) so that load from other work
on the machine hits every measurement alike. The table shows medians; ``build/bench.json``
keeps every run.

Measurements (the keys of the JSON):

- ``floor``: read every entry file and parse it with ``yaml.load(..., CSafeLoader)``;
- ``validate``: the ``limkb validate`` command, as a contributor runs it;
- ``link``: ``limkb.load(cache=False)``, i.e. load + validate + link as the API does;
- ``load_cold`` / ``load_warm``: ``limkb.load()`` without, then with, its cache in build/;
- ``related`` / ``path``: latency of ``kb.related(id)`` and ``kb.path(a, b)`` per call;
- ``analyses``, ``store``, ``render``: :func:`compute_all`, :func:`write_sqlite`, :func:`render`;
- ``build``: ``limkb build --clean`` (validate, analyse, store, export, render, MkDocs; no cache);
- ``rebuild_prose``, ``rebuild_relation``, ``rebuild_record``: ``limkb build`` after one edit
  (a strategy's summary; one relation of a strategy removed; one value of a dataset record),
  with the cache of the build before it; the edit is then undone and built once more, unmeasured;
- ``baseline``: plain ``mkdocs build`` of the same pages already written as Markdown;
- ``serve``: seconds from saving an edited entry to ``limkb serve`` serving the changed page,
  the median of three edits in one server session (see ``serve_latency.py``).

Ratios (validate to the floor; build and rebuilds to the baseline) are of medians of runs
interleaved in the same session. ``--readme README.md`` writes the table into the README
between its ``bench:start`` and ``bench:end`` markers, from the JSON (``--from`` reads a JSON
written before instead of measuring).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

METRICS = (
    "floor",
    "validate",
    "link",
    "load_cold",
    "load_warm",
    "related",
    "path",
    "analyses",
    "store",
    "render",
    "build",
    "rebuild_prose",
    "rebuild_relation",
    "rebuild_record",
    "baseline",
    "serve",
)
"""Every measurement, in the order of the table."""
REBUILDS = ("rebuild_prose", "rebuild_relation", "rebuild_record")
BUILD_METRICS = ("build", *REBUILDS, "baseline", "serve")
"""The MkDocs builds, left out by ``--skip-build``."""

LABELS = {
    "floor": "floor: read + `yaml.load` (CSafeLoader)",
    "validate": "`limkb validate` (process)",
    "link": "load + validate + link (`limkb.load(cache=False)`)",
    "load_cold": "`limkb.load()` cold (writes the cache)",
    "load_warm": "`limkb.load()` warm (process)",
    "related": "`kb.related(id)` per call (median / p95)",
    "path": "`kb.path(a, b)` per call (median)",
    "analyses": "analyses (`compute_all`)",
    "store": "store (`write_sqlite`)",
    "render": "render (`render()`, all pages)",
    "build": "`limkb build --clean` (process)",
    "rebuild_prose": "`limkb build` after editing a summary",
    "rebuild_relation": "`limkb build` after removing a relation",
    "rebuild_record": "`limkb build` after editing a dataset value",
    "baseline": "plain `mkdocs build` of the rendered pages",
    "serve": "`limkb serve`: edit -> changed page served",
}
TARGETS = {
    "validate": "<= 1.5x floor",
    "load_warm": "<= 1 s",
    "related": "<= 50 µs",
    "build": "<= 1.1x baseline, <= 700 MiB",
    "rebuild_prose": "<= 0.25x baseline",
    "rebuild_relation": "<= 0.25x baseline",
    "rebuild_record": "<= 0.25x baseline",
    "serve": "<= 2 s",
}


# --- the child: one measurement in a fresh process -------------------------------------------


def _kb(project: Path) -> Any:
    import limkb

    return limkb.load(project / "kb")


def _entry_files(project: Path) -> list[Path]:
    return sorted((project / "kb").glob("*/*.yaml"))


def _child_floor(project: Path) -> dict[str, Any]:
    import yaml

    started = time.perf_counter()
    for path in _entry_files(project):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return {"seconds": time.perf_counter() - started}


def _child_link(project: Path) -> dict[str, Any]:
    import limkb

    started = time.perf_counter()
    kb = limkb.load(project / "kb", cache=False)
    return {
        "seconds": time.perf_counter() - started,
        "entries": len(kb),
        "relations": kb.graph.number_of_edges(),
    }


def _child_load_cold(project: Path) -> dict[str, Any]:
    import limkb
    from limkb.access import CACHE_DIR

    shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
    started = time.perf_counter()
    limkb.load(project / "kb")
    return {"seconds": time.perf_counter() - started}


def _child_load_warm(project: Path) -> dict[str, Any]:
    import limkb

    started = time.perf_counter()
    limkb.load(project / "kb")
    return {"seconds": time.perf_counter() - started}


def _child_related(project: Path) -> dict[str, Any]:
    kb = _kb(project)
    rng = random.Random(0)
    ids = list(kb)
    sample = [rng.choice(ids) for _ in range(5000)]
    times = []
    clock = time.perf_counter_ns
    for entry_id in sample:
        started = clock()
        kb.related(entry_id)
        times.append(clock() - started)
    times.sort()
    return {
        "seconds": statistics.median(times) / 1e9,
        "p95": times[int(len(times) * 0.95)] / 1e9,
        "mean": sum(times) / len(times) / 1e9,
    }


def _child_path(project: Path) -> dict[str, Any]:
    kb = _kb(project)
    rng = random.Random(1)
    ids = list(kb)
    times = []
    for _ in range(200):
        a, b = rng.choice(ids), rng.choice(ids)
        started = time.perf_counter()
        kb.path(a, b)
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "p95": sorted(times)[int(len(times) * 0.95)]}


def _child_analyses(project: Path) -> dict[str, Any]:
    from limkb.analysis.correlations import compute_all

    kb = _kb(project)
    started = time.perf_counter()
    results = compute_all(kb)
    return {"seconds": time.perf_counter() - started, "analyses": len(results)}


def _child_store(project: Path) -> dict[str, Any]:
    from limkb.outputs.sqlite import write_sqlite

    kb = _kb(project)
    results = kb.analyses
    target = project / "build" / "bench.sqlite"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    write_sqlite(kb, target, results=results)
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {"seconds": seconds}


def _child_render(project: Path) -> dict[str, Any]:
    from limkb.site.render import render

    kb = _kb(project)
    results = kb.analyses
    started = time.perf_counter()
    pages = render(kb, results=results)
    return {
        "seconds": time.perf_counter() - started,
        "files": len(pages),
        "bytes": sum(len(p) for p in pages.values()),
    }


# --- the edits the rebuilds measure -------------------------------------------------------------


def _yaml_edit(path: Path, change: Callable[[dict[str, Any]], None]) -> bytes:
    """Apply ``change`` to the entry at ``path`` (as YAML data); returns the bytes before."""
    import yaml

    original = path.read_bytes()
    data = yaml.safe_load(original)
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return original


def _pick(project: Path, folder: str, wanted: Callable[[dict[str, Any]], bool]) -> Path:
    import yaml

    files = sorted((project / "kb" / folder).glob("*.yaml"))
    for path in files[len(files) // 3 :] + files[: len(files) // 3]:
        if wanted(yaml.safe_load(path.read_bytes())):
            return path
    raise SystemExit(f"no entry in kb/{folder} to edit")


def _relations(data: dict[str, Any]) -> list[str]:
    return [
        k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[-1], dict) and "id" in v[-1]
    ]


def edit(project: Path, kind: str) -> tuple[Path, bytes]:
    """Make one edit of ``kind`` (prose, relation, record) in the project; returns what to restore."""
    if kind == "prose":
        path = _pick(project, "strategies", lambda d: bool(d.get("summary")))

        def change(d: dict[str, Any]) -> None:
            d["summary"] = str(d["summary"]).rstrip() + " Edited for the benchmark."
    elif kind == "relation":
        path = _pick(project, "strategies", lambda d: bool(_relations(d)))

        def change(d: dict[str, Any]) -> None:
            name = _relations(d)[0]
            d[name].pop()
            if not d[name]:
                del d[name]
    elif kind == "record":
        path = _pick(project, "datasets", lambda d: len(d.get("records") or []) >= 2)

        def change(d: dict[str, Any]) -> None:
            first, second = d["records"][0], d["records"][1]
            for key, value in first.items():
                other = second.get(key)
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                if numeric and isinstance(other, (int, float)) and other != value:
                    first[key] = round((value + other) / 2, 6)  # between two valid values: valid
                    return
            raise SystemExit(f"no value to edit in {path}")
    else:
        raise ValueError(kind)
    return path, _yaml_edit(path, change)


# --- the parent: processes, medians, the table --------------------------------------------------


def _spawn(
    command: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600.0
) -> dict[str, Any]:
    """Run ``command`` and read its own rusage with ``os.wait4``: wall, CPU and peak RSS of that child."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=err, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    result: dict[str, Any] = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "returncode": process.returncode,
    }
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        with contextlib.suppress(ValueError):
            result.update(json.loads(lines[-1]))
    result["output"] = stdout[-2000:]
    if process.returncode != 0:
        result["error"] = (stderr or stdout)[-3000:]
    return result


def _limkb() -> str:
    found = Path(sys.executable).with_name("limkb")
    return str(found) if found.exists() else "limkb"


def _mkdocs() -> str:
    found = Path(sys.executable).with_name("mkdocs")
    return str(found) if found.exists() else "mkdocs"


def _child_prepare_baseline(project: Path) -> dict[str, Any]:
    started = time.perf_counter()
    prepare_baseline(project)
    return {"seconds": time.perf_counter() - started}


def prepare_baseline(project: Path) -> Path:
    """Write the rendered pages plus docs/ as plain Markdown, and a mkdocs.yml without the plugin.

    The baseline is what MkDocs alone costs for the same site: same theme, nav, extensions
    and pages, but nothing generated at build time.
    """
    import yaml

    from limkb.commands.build import render_to
    from limkb.site.render import RenderOptions

    folder = project / "baseline"
    shutil.rmtree(folder, ignore_errors=True)
    docs = folder / "docs"
    if (project / "docs").is_dir():
        shutil.copytree(project / "docs", docs)
    contributing = project / "CONTRIBUTING.md"
    options = RenderOptions(
        contributing=contributing.read_text(encoding="utf-8") if contributing.is_file() else None,
        docs_pages=frozenset(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
        if docs.is_dir()
        else frozenset(),
    )
    render_to(project / "kb", docs, options=options)
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [
        p for p in config.get("plugins", []) if not (p == "limkb" or (isinstance(p, dict) and "limkb" in p))
    ]
    config.update(plugins=plugins, docs_dir="docs", site_dir="site", strict=False)
    (folder / "mkdocs.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return folder


CHILDREN: dict[str, Callable[[Path], dict[str, Any]]] = {
    "floor": _child_floor,
    "link": _child_link,
    "load_cold": _child_load_cold,
    "load_warm": _child_load_warm,
    "related": _child_related,
    "path": _child_path,
    "analyses": _child_analyses,
    "store": _child_store,
    "render": _child_render,
    "prepare_baseline": _child_prepare_baseline,
}


def child_main(metric: str, project: Path) -> int:
    result = CHILDREN[metric](project)
    print(json.dumps(result))
    return 0


def run_metric(metric: str, project: Path, baseline: Path | None) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child", metric, "--project", str(project)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if metric == "validate":
        result = _spawn([_limkb(), "validate", "--kb", "kb"], cwd=project, env=env)
        result["seconds"] = result["wall"]
    elif metric == "build":
        result = _spawn([_limkb(), "build", "--project", ".", "--clean"], cwd=project, env=env)
        result["seconds"] = result["wall"]
    elif metric in REBUILDS:
        command = [_limkb(), "build", "--project", "."]
        if not (project / "build" / "cache" / "html" / "manifest.json").is_file():
            _spawn(command, cwd=project, env=env)  # a cache to start from
        path, original = edit(project, metric.removeprefix("rebuild_"))
        try:
            result = _spawn(command, cwd=project, env=env)
        finally:
            path.write_bytes(original)
            _spawn(command, cwd=project, env=env)  # back in step with the sources, unmeasured
        result["seconds"] = result["wall"]
        found = re.search(r"; (\d+) pages from the cache", result.get("output", ""))
        result["reused"] = int(found.group(1)) if found else 0
    elif metric == "baseline":
        assert baseline is not None
        result = _spawn([_mkdocs(), "build", "--quiet", "-f", "mkdocs.yml"], cwd=baseline, env=env)
        result["seconds"] = result["wall"]
    elif metric == "serve":
        result = _spawn(
            [sys.executable, str(HERE / "serve_latency.py"), str(project), "--json", "--edits", "3"],
            cwd=project,
            env=env,
            timeout=3600,
        )
    elif metric == "load_warm":
        if not (project / "build" / "cache").is_dir():
            _spawn([*me[:3], "load_cold", *me[4:]], cwd=project, env=env)
        result = _spawn(me, cwd=project, env=env)
        result["op_seconds"] = result.get("seconds")
        result["seconds"] = result["wall"]  # what a new Python session waits for, imports included
    else:
        result = _spawn(me, cwd=project, env=env)
    return result


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def _median(runs: list[dict[str, Any]], key: str = "seconds") -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None and "error" not in r]
    return statistics.median(values) if values else None


def summarise(results: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Medians per size and metric, with the ratios the targets are stated in."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for size, metrics in results.items():
        row: dict[str, dict[str, Any]] = {}
        for metric, runs in metrics.items():
            row[metric] = {
                "median": _median(runs),
                "p95": _median(runs, "p95"),
                "cpu": _median(runs, "cpu"),
                "rss_mib": max((r.get("rss_mib", 0.0) for r in runs), default=None),
                "runs": len(runs),
                "errors": sum(1 for r in runs if "error" in r),
            }
        floor, baseline = row.get("floor", {}).get("median"), row.get("baseline", {}).get("median")
        if floor and row.get("validate", {}).get("median"):
            row["validate"]["ratio"] = row["validate"]["median"] / floor
            if row.get("floor", {}).get("cpu") and row["validate"].get("cpu"):
                row["validate"]["cpu_ratio"] = row["validate"]["cpu"] / row["floor"]["cpu"]
        for name in ("build", *REBUILDS):
            if baseline and row.get(name, {}).get("median"):
                row[name]["ratio"] = row[name]["median"] / baseline
                if row["baseline"].get("cpu") and row[name].get("cpu"):
                    row[name]["cpu_ratio"] = row[name]["cpu"] / row["baseline"]["cpu"]
        summary[size] = row
    return summary


def table(summary: dict[str, dict[str, dict[str, Any]]], metrics: Sequence[str]) -> str:
    """The Markdown table: one row per measurement, one column per size, then targets."""
    sizes = sorted(summary, key=int)
    head = ["measurement", *(f"{int(s):,} entries" for s in sizes), "peak RSS (largest)", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    single = edits = False
    for metric in metrics:
        if not any(metric in summary[s] for s in sizes):
            continue
        cells = [LABELS[metric]]
        for size in sizes:
            data = summary[size].get(metric)
            if data is None or data["median"] is None:
                cells.append("failed" if data and data["errors"] else "–")
                continue
            text = _fmt_time(data["median"])
            if metric == "related" and data.get("p95"):
                text += f" / {_fmt_time(data['p95'])}"
            if "ratio" in data:
                text += f" ({data['ratio']:.2f}×"
                text += f", CPU {data['cpu_ratio']:.2f}×)" if "cpu_ratio" in data else ")"
            if metric == "serve":
                text += " ²"  # one server session per size, three edits in it
                edits = True
            elif data["runs"] == 1:
                text += " ¹"
                single = True
            cells.append(text)
        largest = summary[sizes[-1]].get(metric) or {}
        rss = largest.get("rss_mib")
        cells.append(f"{rss:,.0f} MiB" if rss else "–")
        cells.append(TARGETS.get(metric, ""))
        lines.append("| " + " | ".join(cells) + " |")
    notes = [
        "",
        "Medians of the runs; ratios are to the floor (validate) or the baseline (build), "
        "by wall time and by CPU time of the process.",
    ]
    if single:
        notes.append("¹ a single run.")
    if edits:
        notes.append("² the median of three edits in one server session (the server's peak RSS beside it).")
    return "\n".join(lines + notes)


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def readme_block(report: dict[str, Any]) -> str:
    """What goes between the README's markers: the machine, the runs, the table."""
    machine = report.get("machine", {})
    sizes = ", ".join(f"{int(s):,}" for s in report.get("sizes", []))
    head = (
        f"Measured by `python benchmarks/run.py` ({report.get('runs')} runs of each measurement, interleaved; "
        f"sizes {sizes}; Python {machine.get('python')}, {machine.get('cpus')} CPUs), "
        "written here from `benchmarks/results.json` by `--readme`, not by hand."
    )
    body = table(report["summary"], [m for m in METRICS if m in report.get("metrics", METRICS)])
    return f"{START}\n{head}\n\n{body}\n{END}"


def write_readme(readme: Path, report: dict[str, Any]) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme} has no {START} ... {END} block to fill")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(before + readme_block(report) + after, encoding="utf-8")


def _project(
    workdir: Path,
    size: int,
    seed: int,
    content: str,
    generate: Callable[..., Any],
    replicate: Callable[[Path, Path, int], int],
) -> Path:
    """The project measured at ``size`` entries, written once and reused: generated word salad,
    or the real kb/ replicated ``ceil(size / entries in kb/)`` times."""
    if content == "real":
        real = sum(1 for _ in (ROOT / "kb").glob("*/*.yaml"))
        copies = max(1, -(-size // real))
        project = workdir / f"real-x{copies}"
    else:
        project = workdir / f"kb-{size}-seed{seed}"
    marker = project / ".generated"
    if not marker.is_file():
        shutil.rmtree(project, ignore_errors=True)
        if content == "real":
            counts: Any = {"entries": replicate(ROOT, project, copies)}
        else:
            counts = generate(project, size, seed=seed)
        marker.write_text(json.dumps(counts), encoding="utf-8")
    return project


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="limkb scale benchmarks")
    parser.add_argument("--sizes", default="1000,3000,10000", help="entry counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the table shows medians)")
    parser.add_argument(
        "--big-runs",
        type=int,
        default=None,
        help="runs at the largest size (default: --runs); 1 keeps a 10,000-entry run short",
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {','.join(METRICS)}")
    parser.add_argument("--skip-build", action="store_true", help="leave out build, baseline and serve")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/limkb-bench"),
        help="where the generated projects live (reused when already generated)",
    )
    parser.add_argument("--out", type=Path, default=Path("build/bench.json"), help="JSON output")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--content",
        choices=("generated", "real"),
        default="generated",
        help="generated: the generator's synthetic KB; real: this project's kb/ replicated (replicate.py)",
    )
    parser.add_argument("--from", dest="source", type=Path, help="a JSON written before: no measuring")
    parser.add_argument("--readme", type=Path, help="write the table into this README (between its markers)")
    parser.add_argument(
        "--keep",
        type=Path,
        help="also keep the summary (without every run) here, e.g. benchmarks/results.json",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.project)
    if args.source:
        report = json.loads(args.source.read_text(encoding="utf-8"))
        print(readme_block(report))
        if args.readme:
            write_readme(args.readme, report)
        return 0

    from generate import generate
    from replicate import replicate

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    wanted = [m for m in args.only.split(",") if m] or list(METRICS)
    unknown = sorted(set(wanted) - set(METRICS))
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}")
    if args.skip_build:
        wanted = [m for m in wanted if m not in BUILD_METRICS]
    metrics = [m for m in METRICS if m in wanted]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    started = time.time()
    for size in sizes:
        project = _project(args.workdir, size, args.seed, args.content, generate, replicate)
        baseline = None
        if "baseline" in metrics:  # in a child: the parent stays small, so children's peak RSS is their own
            me = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                "prepare_baseline",
                "--project",
                str(project),
            ]
            prepared = _spawn(me, cwd=project)
            if "error" in prepared:
                raise SystemExit(f"could not prepare the baseline: {prepared['error']}")
            baseline = project / "baseline"
        per: dict[str, list[dict[str, Any]]] = {m: [] for m in metrics}
        runs = args.big_runs if args.big_runs is not None and size == sizes[-1] else args.runs
        for run in range(runs):
            for metric in metrics:
                if metric == "serve" and run > 0:
                    continue  # once per size (three edits): it starts a server and waits for a full build
                result = run_metric(metric, project, baseline)
                per[metric].append(result)
                shown = _fmt_time(result.get("seconds"))
                print(
                    f"[{size:>6} run {run + 1}] {metric:<10} {shown:>10}  rss {result.get('rss_mib', 0):6.0f} MiB"
                    + (f"  ERROR {result['error'][-300:]!r}" if "error" in result else ""),
                    file=sys.stderr,
                    flush=True,
                )
        results[str(size)] = per
    summary = summarise(results)
    text = table(summary, metrics)
    print(text)
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "sizes": sizes,
        "runs": args.runs,
        "metrics": metrics,
        "seconds_total": time.time() - started,
        "summary": summary,
        "results": results,
        "table": text,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}", file=sys.stderr)
    if args.keep:
        kept = {k: v for k, v in report.items() if k != "results"}
        args.keep.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.readme:
        write_readme(args.readme, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
