"""How long after saving an edited entry does ``limkb serve`` serve the changed page?

    python benchmarks/serve_latency.py /tmp/limkb-bench/kb-10000-seed0
    python benchmarks/serve_latency.py PROJECT --command mkdocs   # plain `mkdocs serve` (full rebuilds)

Starts the server on 127.0.0.1 (a free port) in the project folder, waits for the first
build to be served, renames one entry (a strategy in the middle of the KB) to a unique
text, and polls that entry's page until the new name appears; with ``--edits N`` it does so
N times (waiting for the server to finish each rebuild before the next edit) and reports
the median. It prints the seconds from the save to the first response holding the new name,
from the save to the end of the rebuild of the rest of the site (the preview's state is no
longer busy), from the start to the first page and to a preview ready for edits, the
server's resident memory (its largest, ``VmHWM``, and at the end; Linux only), the server's
CPU seconds from each save to the end of its rebuild (Linux only: on a busy machine the wall
times stretch, the CPU does not) and the server's own timing of each step of each refresh
(the edited page, the entry pages, the whole site) — with ``--json``, also as one JSON line.
Every wait is bounded; the server (its whole process group) is always stopped and the
entry file restored.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _mount(project: Path) -> str:
    """The path MkDocs serves the site under: that of ``site_url`` in mkdocs.yml (``/limkb/``)."""
    import re
    from urllib.parse import urlsplit

    found = re.search(r"^site_url:\s*(\S+)", (project / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    path = urlsplit(found.group(1).strip("'\"")).path if found else "/"
    return path if path.endswith("/") else path + "/"


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
            return body.decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def _memory(pid: int) -> dict[str, float]:
    """The resident memory of process ``pid`` in MiB: now and its peak (empty off Linux)."""
    found: dict[str, float] = {}
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return found
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _cpu(pid: int) -> float | None:
    """The CPU seconds (user and system) process ``pid`` has used so far (None off Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ready(address: str, timeout: float) -> None:
    """Wait until limkb's preview is not busy (its first build or check done)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        body = _get(f"http://{address}/__limkb__/state")
        if body is None or not json.loads(body).get("busy"):
            return
        time.sleep(0.2)


def _pick_entry(project: Path) -> Path:
    strategies = sorted((project / "kb" / "strategies").glob("*.yaml"))
    if not strategies:
        raise SystemExit(f"no strategies in {project / 'kb'}")
    return strategies[len(strategies) // 2]


def measure(
    project: Path,
    *,
    command: str = "limkb",
    startup_timeout: float = 900.0,
    change_timeout: float = 300.0,
    poll: float = 0.05,
    edits: int = 1,
) -> dict[str, Any]:
    """Start the server, edit one entry ``edits`` times, and time until its page shows each edit."""
    project = project.resolve()
    port = _free_port()
    address = f"127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    if command == "limkb":
        argv = [str(bin_dir / "limkb"), "serve", "--project", ".", "--dev-addr", address]
    else:
        argv = [str(bin_dir / "mkdocs"), "serve", "--dev-addr", address]
    entry = _pick_entry(project)
    url = f"http://{address}{_mount(project)}entries/strategies/{entry.stem}.html"
    original = entry.read_bytes()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    started = time.perf_counter()
    server = subprocess.Popen(argv, cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        first = None
        while time.perf_counter() - started < startup_timeout:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the server stopped: {log.read()[-2000:].decode(errors='replace')}")
            first = _get(url)
            if first is not None:
                break
            time.sleep(0.5)
        if first is None:
            raise RuntimeError(f"no page at {url} after {startup_timeout:.0f} s")
        startup = time.perf_counter() - started
        _ready(address, startup_timeout)
        ready = time.perf_counter() - started
        time.sleep(2.0)  # let the watcher settle after the first build
        latencies: list[float] = []
        rest: list[float] = []
        cpu: list[float] = []
        steps: list[Any] = []
        for _ in range(edits):
            token = f"Edited name {int(time.time() * 1000)}"
            text = original.decode("utf-8")
            lines = [f'name: "{token}"' if line.startswith("name:") else line for line in text.split("\n")]
            before = _cpu(server.pid)
            saved = time.perf_counter()
            entry.write_text("\n".join(lines), encoding="utf-8")
            latency = None
            while time.perf_counter() - saved < change_timeout:
                body = _get(url)
                if body is not None and token in body:
                    latency = time.perf_counter() - saved
                    break
                time.sleep(poll)
            if latency is None:
                raise RuntimeError(f"the edit did not show at {url} within {change_timeout:.0f} s")
            latencies.append(latency)
            rest.append(_settle(address, change_timeout) - saved)
            after = _cpu(server.pid)
            if before is not None and after is not None:
                cpu.append(after - before)
            state = _get(f"http://{address}/__limkb__/state")
            steps.append(json.loads(state).get("timings") if state else None)
        memory = _memory(server.pid)
        return {
            "seconds": statistics.median(latencies),
            "latencies": latencies,
            "rest": rest,
            "rest_median": statistics.median(rest),
            "server_cpu": cpu,  # not "cpu": run.py keeps that name for the CPU of the whole process
            "steps": steps,
            "startup": startup,
            "ready": ready,
            "rss_mib": memory.get("VmRSS"),
            "peak_rss_mib": memory.get("VmHWM"),
            "command": command,
            "url": url,
        }
    finally:
        entry.write_bytes(original)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=20)
        log.close()


def _settle(address: str, timeout: float) -> float:
    """Wait until limkb's preview has finished rebuilding (its version stops moving); the
    ``perf_counter`` time the rebuild was last seen going on (or moving)."""
    last, since, started = None, time.perf_counter(), time.perf_counter()
    while time.perf_counter() - started < timeout:
        body = _get(f"http://{address}/__limkb__/state")
        if body is None:  # plain MkDocs: no state to ask; give it time
            time.sleep(3.0)
            return time.perf_counter()
        state = json.loads(body)
        version = state.get("version")
        if version != last or state.get("busy"):
            last, since = version, time.perf_counter()
        elif time.perf_counter() - since > 1.0:
            return since
        time.sleep(0.05)
    return time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("project", type=Path, help="a project folder holding kb/ and mkdocs.yml")
    parser.add_argument(
        "--command",
        choices=["limkb", "mkdocs"],
        default="limkb",
        help="limkb serve (rebuilds only changed pages) or plain mkdocs serve",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--edits", type=int, default=1, help="edits in one server session (median)")
    args = parser.parse_args(argv)
    result = measure(args.project, command=args.command, edits=args.edits)
    print(
        f"{args.command} serve: first page after {result['startup']:.1f} s, ready after "
        f"{result['ready']:.1f} s; edited page served {result['seconds']:.2f} s after the save "
        f"(median of {len(result['latencies'])}), rest of the site {result['rest_median']:.1f} s; "
        f"server RSS {result['rss_mib'] or 0:.0f} MiB, peak {result['peak_rss_mib'] or 0:.0f} MiB",
        file=sys.stderr,
    )
    if result["server_cpu"]:
        shown = ", ".join(f"{seconds:.2f}" for seconds in result["server_cpu"])
        print(f"server CPU from each save to the end of its rebuild: {shown} s", file=sys.stderr)
    for number, steps in enumerate(result["steps"], 1):
        if steps:
            shown = ", ".join(f"{what} {seconds:.2f} s" for what, seconds in steps)
            print(f"edit {number}, the server's steps (from the save's refresh): {shown}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
