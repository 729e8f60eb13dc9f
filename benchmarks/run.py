"""Scale benchmarks of limkb on generated and real-like knowledge bases: ratios, ranges, peak memory.

    python benchmarks/run.py                         # 1,000 / 3,000 / 10,000 entries, both contents, 3 rounds
    python benchmarks/run.py --sizes 1000 --runs 5 --only floor,validate --content real
    python benchmarks/run.py --skip-build            # everything but the MkDocs builds

Two kinds of project are measured (``--content``): ``generated`` (generate.py's synthetic KB)
and ``real`` (this project's ``kb/`` replicated, replicate.py, so hub pages, prose and relation
density are the real ones), each at every size.

Every measurement runs in a fresh Python process (so cold and warm mean what they say);
the parent times the process and reads its CPU time and peak RSS from ``os.wait4`` (the
child's own ``getrusage``, its own children included), and the child reports the time of the
operation itself. Runs are interleaved in rounds (every project's floor, validate, ..., then
again) so that load from other work on the machine hits every measurement alike. The table
shows the median and range (min-max) over the rounds; ``build/bench.json`` keeps every run.

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
- ``baseline``: plain ``mkdocs build`` of the same pages already written as Markdown, with
  ``mkdocs.yml``'s plugins but limkb's (the same MkDocs plugins as ``limkb build``: with
  ``search`` on one side it is on both);
- ``serve``: seconds from saving an edited entry to ``limkb serve`` serving the changed page,
  the median of three edits in one server session (see ``serve_latency.py``).

Ratios (validate to the floor, the clean build to the baseline, a rebuild to the clean build)
are taken round by round, each process against its reference in the same round, and shown as
median (min-max) over the rounds, by CPU and by wall time. ``--readme README.md`` writes the table into the README
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
    "baseline",
    "build",
    "rebuild_prose",
    "rebuild_relation",
    "rebuild_record",
    "serve",
)
"""Every measurement, in the order of a round and of the table (plain MkDocs just before the
clean build it is the reference of)."""
REBUILDS = ("rebuild_prose", "rebuild_relation", "rebuild_record")
BUILD_METRICS = ("baseline", "build", *REBUILDS, "serve")
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
    "validate": "<= 1.3x floor",
    "load_warm": "<= 1 s",
    "related": "<= 50 µs",
    "build": "<= 1.1x plain MkDocs, <= 600 MiB",
    "rebuild_prose": "<= 0.05x clean build",
    "rebuild_relation": "<= 0.05x clean build",
    "rebuild_record": "<= 0.05x clean build",
    "serve": "<= 0.5 s",
}
"""Issue #30's targets at 10,000 entries."""


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


def _baseline_key(project: Path) -> str:
    """What the baseline's pages are made from: limkb's code, ``mkdocs.yml`` and the entry files."""
    import hashlib

    from limkb._version import code_digest

    digest = hashlib.sha256(code_digest().encode())
    for path in [project / "mkdocs.yml", *_entry_files(project)]:
        digest.update(path.relative_to(project).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _child_prepare_baseline(project: Path) -> dict[str, Any]:
    """Write the baseline's folder, unless the one there was made from the same code and sources."""
    started = time.perf_counter()
    key = _baseline_key(project)
    marker = project / "baseline" / ".prepared"
    if marker.is_file() and marker.read_text(encoding="utf-8") == key:
        return {"seconds": time.perf_counter() - started, "reused": True}
    prepare_baseline(project)
    marker.write_text(key, encoding="utf-8")
    return {"seconds": time.perf_counter() - started, "reused": False}


def prepare_baseline(project: Path) -> Path:
    """Write the rendered pages plus docs/ as plain Markdown, and a mkdocs.yml without limkb's plugin.

    The baseline is what MkDocs alone costs for the same site: same theme, nav, extensions,
    pages and MkDocs plugins (``mkdocs.yml``'s, limkb's left out: ``search`` runs on both sides
    when ``mkdocs.yml`` enables it, on neither when it does not), but nothing generated at
    build time. An empty list stays empty: MkDocs adds ``search`` only when ``plugins`` is absent.
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


_PENDING: dict[Path, dict[Path, bytes]] = {}
"""Per project, the entry files the rebuilds of this round edited, with their bytes before."""


def _rebuild(
    metric: str, project: Path, env: dict[str, str], *, restore: bool, resync: bool = True
) -> dict[str, Any]:
    """``limkb build`` after one edit of the metric's kind, with the cache of the build before.

    The edits of a round pile up (a relation is removed from a strategy whose summary the
    build before saw edited, so each build still sees one edit); with ``restore`` every edited
    file is put back and, with ``resync``, built once more, unmeasured, so that the next round
    starts in step. Without ``resync`` (the next round starts with a clean build, which makes
    the cache anew) the cache is dropped instead, so that no rebuild can start from it.
    """
    command = [_limkb(), "build", "--project", "."]
    if not (project / "build" / "cache" / "html" / "manifest.pickle").is_file():
        _spawn(command, cwd=project, env=env)  # a cache to start from
    pending = _PENDING.setdefault(project, {})
    try:
        path, original = edit(project, metric.removeprefix("rebuild_"))
        pending.setdefault(path, original)
        result = _spawn(command, cwd=project, env=env)
    except BaseException:
        restore = True
        raise
    finally:
        if restore:
            for edited, before in pending.items():
                edited.write_bytes(before)
            pending.clear()
            if resync:
                _spawn(command, cwd=project, env=env)  # back in step with the sources, unmeasured
            else:
                (project / "build" / "cache" / "html" / "manifest.pickle").unlink(missing_ok=True)
    result["seconds"] = result["wall"]
    found = re.search(r"; (\d+) pages from the cache", result.get("output", ""))
    result["reused"] = int(found.group(1)) if found else 0
    return result


def run_metric(
    metric: str, project: Path, baseline: Path | None, *, restore: bool = True, resync: bool = True
) -> dict[str, Any]:
    """One measurement in a new process; a rebuild with ``restore`` puts its round's edits back
    (and with ``resync`` builds them, see :func:`_rebuild`)."""
    me = [sys.executable, str(Path(__file__).resolve()), "--child", metric, "--project", str(project)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if metric == "validate":
        result = _spawn([_limkb(), "validate", "--kb", "kb"], cwd=project, env=env)
        result["seconds"] = result["wall"]
    elif metric == "build":
        result = _spawn([_limkb(), "build", "--project", ".", "--clean"], cwd=project, env=env)
        result["seconds"] = result["wall"]
    elif metric in REBUILDS:
        result = _rebuild(metric, project, env, restore=restore, resync=resync)
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


REFERENCE = {
    "validate": "floor",
    "build": "baseline",
    "rebuild_prose": "build",
    "rebuild_relation": "build",
    "rebuild_record": "build",
}
"""What each measurement is a ratio to, round by round: validation to the YAML floor, the
clean build to plain MkDocs of the same pages, a one-edit rebuild to the clean build."""
REFERENCE_NAMES = {"floor": "floor", "baseline": "plain MkDocs", "build": "clean build"}


def _ok(run: dict[str, Any], key: str) -> float | None:
    """The run's ``key`` when the run succeeded and has it."""
    value = run.get(key)
    return float(value) if value is not None and "error" not in run else None


def _spread(values: Sequence[float]) -> dict[str, float] | None:
    """Min, median and max of ``values`` (None when there are none)."""
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def round_ratios(
    runs: Sequence[dict[str, Any]], reference: Sequence[dict[str, Any]], key: str
) -> list[float]:
    """``runs[i][key] / reference[i][key]`` for every round ``i`` where both succeeded: each
    ratio is of two processes of the same round, so load from other work cancels as far as it can."""
    ratios = []
    for run, ref in zip(runs, reference, strict=False):
        mine, theirs = _ok(run, key), _ok(ref, key)
        if mine is not None and theirs:
            ratios.append(mine / theirs)
    return ratios


def summarise_runs(metrics: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per measurement of one project: min/median/max of its times, CPU and peak RSS, and of its
    ratios to its reference (``REFERENCE``) round by round, by wall and by CPU time."""
    row: dict[str, dict[str, Any]] = {}
    for metric, runs in metrics.items():
        seconds = [v for r in runs if (v := _ok(r, "seconds")) is not None]
        cpu = [v for r in runs if (v := _ok(r, "cpu")) is not None]
        rss = [v for r in runs if (v := _ok(r, "rss_mib")) is not None]
        data: dict[str, Any] = {
            "median": statistics.median(seconds) if seconds else None,
            "seconds": _spread(seconds),
            "cpu": statistics.median(cpu) if cpu else None,
            "cpu_spread": _spread(cpu),
            "p95": _median(runs, "p95"),
            "rss_mib": max(rss, default=None),
            "rss_spread": _spread(rss),
            "runs": len(runs),
            "errors": sum(1 for r in runs if "error" in r),
        }
        reused = [r["reused"] for r in runs if "reused" in r and "error" not in r]
        if reused:
            data["reused"] = statistics.median(reused)
        row[metric] = data
    for metric, ref in REFERENCE.items():
        if metric not in row or ref not in metrics:
            continue
        wall = _spread(round_ratios(metrics[metric], metrics[ref], "wall"))
        cpu_ratio = _spread(round_ratios(metrics[metric], metrics[ref], "cpu"))
        row[metric]["reference"] = ref
        if wall:
            row[metric]["wall_ratio"] = wall
            row[metric]["ratio"] = wall["median"]
        if cpu_ratio:
            row[metric]["cpu_ratios"] = cpu_ratio
            row[metric]["cpu_ratio"] = cpu_ratio["median"]
    return row


def _median(runs: list[dict[str, Any]], key: str = "seconds") -> float | None:
    values = [v for r in runs if (v := _ok(r, key)) is not None]
    return statistics.median(values) if values else None


def summarise(results: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """:func:`summarise_runs` for every project measured (keyed as ``results`` is)."""
    return {key: summarise_runs(metrics) for key, metrics in results.items()}


def _fmt_spread(spread: dict[str, float] | None, fmt: Callable[[float], str]) -> str:
    """``median (min–max)`` of a spread."""
    if not spread:
        return "–"
    return f"{fmt(spread['median'])} ({fmt(spread['min'])}–{fmt(spread['max'])})"


def _times(value: float) -> str:
    return f"{value:.2f}×"


def _mib(value: float) -> str:
    return f"{value:,.0f}"


def table(row: dict[str, dict[str, Any]], metrics: Sequence[str]) -> str:
    """The Markdown table of one project: one line per measurement with the median and range
    of its time, of its CPU and wall ratios to its reference, and of its peak RSS."""
    head = [
        "measurement",
        "time, median (min–max)",
        "CPU ratio, median (min–max)",
        "wall ratio, median (min–max)",
        "peak RSS MiB, median (min–max)",
        "target",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for metric in metrics:
        data = row.get(metric)
        if data is None:
            continue
        if data["median"] is None:
            lines.append(f"| {LABELS[metric]} | failed | | | | {TARGETS.get(metric, '')} |")
            continue
        time_cell = _fmt_spread(data.get("seconds"), _fmt_time)
        if metric == "related" and data.get("p95"):
            time_cell += f"; p95 {_fmt_time(data['p95'])}"
        if metric == "serve":
            time_cell += " ²"
        if data.get("reused"):
            time_cell += f"; {data['reused']:,.0f} pages reused"
        vs = f" vs {REFERENCE_NAMES[data['reference']]}" if "reference" in data else ""
        cells = [
            LABELS[metric]
            + (f" ({data['runs']} run{'s' if data['runs'] != 1 else ''})" if data["runs"] < 3 else ""),
            time_cell,
            _fmt_spread(data.get("cpu_ratios"), _times) + vs if "cpu_ratios" in data else "",
            _fmt_spread(data.get("wall_ratio"), _times) if "wall_ratio" in data else "",
            _fmt_spread(data.get("rss_spread"), _mib),
            TARGETS.get(metric, ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


START, END = "<!-- bench:start -->", "<!-- bench:end -->"

CONTENT_NAMES = {
    "generated": "generated KB (`benchmarks/generate.py`)",
    "real": "the real `kb/` replicated (`benchmarks/replicate.py`)",
}


def _plugins_line(report: dict[str, Any]) -> str:
    """Which MkDocs plugins each side of the build ratio ran."""
    plugins = report.get("plugins") or {}
    build = ", ".join(plugins.get("build") or []) or "none"
    baseline = ", ".join(plugins.get("baseline") or []) or "none"
    return (
        f"Plugins: `limkb build` ran {build}; plain MkDocs ran {baseline} "
        "(`mkdocs.yml`'s plugins without limkb's, so both sides have the same MkDocs plugins)."
    )


def readme_block(report: dict[str, Any]) -> str:
    """What goes between the README's markers: the machine, the runs, one table per project."""
    machine = report.get("machine", {})
    head = (
        f"Measured by `python benchmarks/run.py` ({report.get('runs')} rounds, every measurement once "
        f"per round in a fresh process, projects and measurements interleaved; Python {machine.get('python')}, "
        f"{machine.get('cpus')} CPUs, load average {_load(machine)} at the end), written here from "
        "`benchmarks/results.json` by `--readme`, not by hand. Ratios are taken round by round (each "
        "process against its reference in the same round), then their median and range shown."
    )
    metrics = [m for m in METRICS if m in report.get("metrics", METRICS)]
    parts = [START, head, "", _plugins_line(report)]
    for column in report["columns"]:
        title = f"**{column['entries']:,} entries: {CONTENT_NAMES[column['content']]}**"
        parts += ["", title, "", table(report["summary"][column["key"]], metrics)]
    notes = [
        "",
        "The time of a process is its wall time; ratios are of wall or CPU time (the process and its children).",
    ]
    if "serve" in metrics:
        notes.append("² the median of three edits in one server session (the server's peak RSS beside it).")
    return "\n".join(parts + notes + [END])


def _load(machine: dict[str, Any]) -> str:
    load = machine.get("load_average")
    return f"{load[0]:.1f}" if load else "?"


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


def plugins_of(project: Path) -> dict[str, list[str]]:
    """The MkDocs plugins of ``limkb build`` (``mkdocs.yml``'s, limkb's included) and of the
    baseline (the same without limkb's), by name."""
    import yaml

    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    names = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins", ["search"])]
    return {"build": names, "baseline": [n for n in names if n != "limkb"]}


def _contents(content: str, sizes: str) -> list[tuple[str, list[int]]]:
    """The content kinds of ``--content`` with their sizes: ``real:10000`` measures the
    replicated KB at 10,000 entries alone, a bare ``real`` at every size of ``--sizes``."""
    found = []
    for item in [c.strip() for c in content.split(",") if c.strip()]:
        name, _, own = item.partition(":")
        found.append((name, [int(s) for s in (own or sizes).replace("+", ",").split(",") if s.strip()]))
    return found


def _columns(
    args: argparse.Namespace, generate: Callable[..., Any], replicate: Callable[[Path, Path, int], int]
) -> list[dict[str, Any]]:
    """The projects measured: one per content kind and size, written (or reused) now."""
    columns = []
    for content, sizes in _contents(args.content, args.sizes):
        for size in sizes:
            project = _project(args.workdir, size, args.seed, content, generate, replicate)
            entries = sum(1 for _ in (project / "kb").glob("*/*.yaml"))
            columns.append(
                {
                    "key": f"{content}-{size}",
                    "content": content,
                    "size": size,
                    "entries": entries,
                    "project": project,
                }
            )
    return columns


def _prepare(project: Path) -> Path:
    """The baseline's folder for ``project``, written in a child (the parent stays small, so
    the children's peak RSS is their own)."""
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
    return project / "baseline"


def measure(
    columns: list[dict[str, Any]],
    metrics: Sequence[str],
    rounds: int,
    after_round: Callable[[dict[str, dict[str, list[dict[str, Any]]]], int], None] | None = None,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every measurement of every project once per round, rounds after one another: load from
    other work on the machine falls on all of them alike. ``after_round`` is handed the runs
    so far after each measurement (a long run keeps what it measured when stopped)."""
    baselines = {c["key"]: _prepare(c["project"]) if "baseline" in metrics else None for c in columns}
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        c["key"]: {m: [] for m in metrics} for c in columns
    }
    last_rebuild = [m for m in metrics if m in REBUILDS][-1:]
    resync = (
        not last_rebuild or "build" not in metrics or metrics.index("build") > metrics.index(last_rebuild[0])
    )
    # (a round that starts with the clean build brings the cache in step itself)
    for run in range(rounds):
        for column in columns:
            for metric in metrics:
                if metric == "serve" and run > 0:
                    continue  # once per project (three edits): it starts a server and waits for a full build
                restore = [metric] == last_rebuild
                result = run_metric(
                    metric, column["project"], baselines[column["key"]], restore=restore, resync=resync
                )
                results[column["key"]][metric].append(result)
                print(
                    f"[{column['key']:>16} round {run + 1}] {metric:<16} {_fmt_time(result.get('seconds')):>10}"
                    f"  cpu {result.get('cpu', 0):7.2f} s  rss {result.get('rss_mib', 0):6.0f} MiB"
                    + (f"  ERROR {result['error'][-300:]!r}" if "error" in result else ""),
                    file=sys.stderr,
                    flush=True,
                )
                if after_round is not None:
                    after_round(results, run + 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="limkb scale benchmarks")
    parser.add_argument("--sizes", default="1000,3000,10000", help="entry counts, comma-separated")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="rounds: every measurement once per round (min/median/max over them)",
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
        default="generated,real",
        help="comma-separated: generated (the generator's synthetic KB), real (this project's kb/ "
        "replicated, replicate.py); each is measured at every size, rounds interleaved; "
        "real:10000,generated:3000 gives each its own sizes (several joined by +)",
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
        if args.keep:
            kept = {k: v for k, v in report.items() if k != "results"}
            args.keep.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if args.readme:
            write_readme(args.readme, report)
        return 0
    unknown_content = sorted({name for name, _ in _contents(args.content, args.sizes)} - set(CONTENT_NAMES))
    if unknown_content:
        parser.error(f"unknown content: {', '.join(unknown_content)} (generated, real)")
    wanted = [m for m in args.only.split(",") if m] or list(METRICS)
    unknown = sorted(set(wanted) - set(METRICS))
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}")
    if args.skip_build:
        wanted = [m for m in wanted if m not in BUILD_METRICS]
    metrics = [m for m in METRICS if m in wanted]

    from generate import generate
    from replicate import replicate

    started = time.time()
    columns = _columns(args, generate, replicate)

    def report_of(results: dict[str, dict[str, list[dict[str, Any]]]], rounds: int) -> dict[str, Any]:
        return {
            "machine": {
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
            },
            "runs": rounds,
            "metrics": metrics,
            "columns": [{k: v for k, v in c.items() if k != "project"} for c in columns],
            "plugins": plugins_of(columns[0]["project"]) if columns else {},
            "seconds_total": time.time() - started,
            "summary": summarise(results),
            "results": results,
        }

    def keep_so_far(results: dict[str, dict[str, list[dict[str, Any]]]], rounds: int) -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report_of(results, rounds), indent=2) + "\n", encoding="utf-8")

    results = measure(columns, metrics, args.runs, keep_so_far)
    report = report_of(results, args.runs)
    print(readme_block(report))
    keep_so_far(results, args.runs)
    print(f"\nwrote {args.out}", file=sys.stderr)
    if args.keep:
        kept = {k: v for k, v in report.items() if k != "results"}
        args.keep.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.readme:
        write_readme(args.readme, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
