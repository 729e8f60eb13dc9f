"""A running ``limkb serve`` preview of a small project, for the preview's tests (HTTP and browser)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from limkb.commands.preview import Preview

WAIT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Running:
    """The preview and the address it is served at."""

    def __init__(self, preview: Preview, base: str) -> None:
        self.preview, self.base = preview, base

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def state(self) -> dict[str, object]:
        found: dict[str, object] = json.loads(self.get("/__limkb__/state")[1])
        return found

    def until(self, check: Callable[[], bool], what: str) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < WAIT:
            if check():
                return time.perf_counter() - started
            time.sleep(0.05)
        raise AssertionError(f"not within {WAIT} s: {what}")


@contextmanager
def running(project: Path, out: Path) -> Iterator[Running]:
    """Build the preview of ``project`` into ``out``, serve it on 127.0.0.1 and watch its files."""
    preview = Preview(project, out)
    preview.build()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), preview.handler())
    stop = threading.Event()
    threads = [
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True),
        threading.Thread(target=preview.watch, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield Running(preview, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        threads[1].join(timeout=WAIT)
        preview.close()
