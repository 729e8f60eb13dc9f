"""``limkb serve``: a preview that shows an edited entry's page at once, at any size of KB.

MkDocs' own server rebuilds the whole site after every change, which takes seconds at a few
thousand pages. :class:`Preview` builds the site once, in this process, and keeps what MkDocs
and limkb know between builds. When a file below ``kb/`` changes it:

1. validates again (re-reading only the changed files) and re-renders only the entry pages
   the edit can change (see :class:`limkb.site.memo.RenderMemo`); those whose text changed
   are converted to HTML and written at once, and the browser reloads;
2. then builds the rest of the site ("dirty": only pages whose Markdown changed, such as the
   browse tables and the bibliography), and the browser reloads again.

An edit that breaks validation keeps the last good site and shows its located problems in an
overlay on every page; the fix clears it. Pages are served under the path of ``site_url``
(``/limkb/``), as MkDocs does; every HTML page gets a small script that polls
``/__limkb__/state`` for the site's version and the problems.
"""

from __future__ import annotations

import http.server
import json
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from limkb.errors import BuildError
from limkb.files import signatures

if TYPE_CHECKING:
    from limkb.plugin import WarmStart

__all__ = ["Preview"]

log = logging.getLogger("mkdocs.plugins.limkb")

POLL = 0.2
"""Seconds between two looks at the watched files."""

_SCRIPT = """(function () {
  var seen = null, box = null;
  function show(problems) {
    if (!problems.length) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.className = "limkb-overlay";
      box.style.cssText = "position:fixed;left:0;right:0;top:0;z-index:1000;max-height:60vh;overflow:auto;" +
        "background:#fff3f3;color:#5c0000;border-bottom:3px solid #c00;padding:1em 1.5em;font:14px/1.4 monospace";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "Not shown yet: the last edit has problems. This is the last version that validated; fix these and the page reloads.";
    box.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.where + " " + p.severity + "[" + p.code + "]: " + p.message + (p.hint ? " (" + p.hint + ")" : "");
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  function poll() {
    fetch("/__limkb__/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.version !== seen) { location.reload(); return; }
      seen = state.version;
      show(state.problems);
      setTimeout(poll, 300);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""


def _mount(site_url: str | None) -> str:
    path = urlsplit(site_url or "/").path or "/"
    return path if path.endswith("/") else path + "/"


class Preview:
    """The built site of ``project`` in ``out``, kept up to date while files change."""

    def __init__(self, project: Path, out: Path, *, trust_config: bool = False) -> None:
        from mkdocs.config import load_config

        from limkb.commands.config_guard import check_config
        from limkb.plugin import LimkbPlugin

        self.project = Path(project).resolve()
        config_file = self.project / "mkdocs.yml"
        if not config_file.is_file():
            raise BuildError("config", f"no mkdocs.yml in {self.project}")
        check_config(config_file, trust=trust_config)
        self.out = Path(out)
        self.config = load_config(str(config_file), site_dir=str(self.out), strict=False)
        plugin = self.config.plugins.get("limkb")
        if not isinstance(plugin, LimkbPlugin):
            raise BuildError("mkdocs", "mkdocs.yml does not enable the limkb plugin")
        self.plugin = plugin
        self.mount = _mount(self.config.site_url)
        self.version = 0
        self.busy = False
        """True while a refresh runs (the state says so: a benchmark waits for it)."""
        self.lock = threading.Lock()
        self._seen: tuple[dict[str, tuple[int, int, int, int]], dict[str, tuple[int, int, int, int]]] = (
            {},
            {},
        )
        self.timings: list[tuple[str, float]] = []
        """(what, seconds) of the steps of the last refresh, for ``--verbose`` and the benchmarks."""
        self.root = self.out
        """The folder pages are served from: the last ``limkb build``'s site while the preview's
        own first build runs (a warm start), then ``out``."""
        self._html_dir: Path | None = None

    # -- building -----------------------------------------------------------------------

    def build(self, *, dirty: bool = False) -> None:
        """Build the whole site (the first time), or what changed in it (``dirty``).

        The first build of a warm start (:meth:`start_warm`) takes the pages whose inputs are
        unchanged from the last ``limkb build``'s cache instead of building them."""
        from mkdocs.commands.build import build as mkdocs_build

        from limkb.incremental import StaleCache, dirty_warning_filter

        quiet = logging.getLogger("mkdocs.commands.build")
        quiet.addFilter(dirty_warning_filter)
        if not dirty:  # what this build reads: a change from here on is seen by watch()
            kb, others = self._watched()
            self._seen = (self.snapshot([kb]), self.snapshot(others))
        self.plugin.overlay = True
        warm = not dirty and self.plugin.warm is not None
        try:
            self.config.plugins.on_startup(command="serve", dirty=dirty)
            mkdocs_build(self.config, dirty=dirty or warm)
            if not dirty:
                self.plugin.prime_quick()
        except StaleCache as why:  # the cache's menus are not this site's: build every page
            log.info("limkb: the build cache does not fit (%s); building every page", why)
            self.plugin.warm = None
            mkdocs_build(self.config, dirty=False)
        finally:
            quiet.removeFilter(dirty_warning_filter)
            self.plugin.warm = None
            self._drop_html_dir()

    def warm_start(self) -> WarmStart | None:
        """What the last ``limkb build`` cached (pages' HTML, per-file validation, analyses, the
        render memo), for the preview's first build; None when its cache is not this machine's, or the
        pages cannot be taken from it (a plugin besides limkb must see every page)."""
        from limkb.check.cache import FileCache
        from limkb.files import BuildCache, read_pickle, trusted_cache
        from limkb.incremental import HtmlCache
        from limkb.plugin import WarmStart
        from limkb.site.memo import RenderMemo

        cache = BuildCache.of_project(self.project)
        if not trusted_cache(cache.folder) or not HtmlCache.applies(self.config):
            return None
        self._drop_html_dir()
        self._html_dir = Path(tempfile.mkdtemp(prefix="limkb-preview-html-"))
        analyses = read_pickle(cache.analyses)
        return WarmStart(
            HtmlCache(cache.html, self._html_dir),
            FileCache.read(cache.files),
            analyses if isinstance(analyses, tuple) and len(analyses) == 2 else None,
            RenderMemo.read(cache.render),
        )

    def _drop_html_dir(self) -> None:
        """The warm start's scratch cache: the pages it linked are in the site by now."""
        if self._html_dir is not None:
            shutil.rmtree(self._html_dir, ignore_errors=True)
            self._html_dir = None

    def warm_site(self) -> Path | None:
        """The site the last ``limkb build`` published, when it can stand in for the preview
        while the preview's own build runs: limkb's own ``site/`` beside a build cache made on
        this machine, with an ``index.html``. None otherwise (the preview builds first)."""
        from limkb.commands.build import check_places
        from limkb.files import trusted_cache

        site, build = self.project / "site", self.project / "build"
        try:
            check_places(self.project, site, build)
        except BuildError:
            return None
        if not (site / "index.html").is_file() or not trusted_cache(build / "cache"):
            return None
        return site

    def start_warm(self, site: Path, then: Callable[[], None]) -> threading.Thread:
        """Serve ``site`` at once and build the preview in the background; when the build is
        done, serve it (live pages reload if it differs) and call ``then`` (start watching)."""

        def build_then_switch() -> None:
            started = time.perf_counter()
            self.busy = True
            try:
                self.plugin.warm = self.warm_start()
                self.build()
            except Exception as error:  # keep serving the last build's site
                log.error("limkb: the preview could not be built: %s", error)
                return
            finally:
                self.busy = False
            self.root = self.out
            self.version += 1
            log.info("limkb: built the preview in %.1f s", time.perf_counter() - started)
            _trim()
            then()

        self.root = site
        thread = threading.Thread(target=build_then_switch, daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Let the plugin go: MkDocs hands the same plugin object to every config of this process."""
        self.config.plugins.on_shutdown()
        self.plugin.warm = None
        self._drop_html_dir()

    def refresh(
        self, *, kb_changed: bool = True, edited: list[Path] | None = None, others_changed: bool = False
    ) -> None:
        """After a change: the ``edited`` entries' own pages first (each read alone), then every
        entry page the change touches, then the rest of the site: in place when only ``kb/``
        changed (see :meth:`limkb.plugin.LimkbPlugin.refresh_site`), else by a dirty build
        (``others_changed``: ``mkdocs.yml``, ``docs/`` or the Contributing page)."""
        with self.lock:
            self.busy = True
            self.timings = []
            started = time.perf_counter()
            try:
                changed = None
                if kb_changed and edited:
                    if self.plugin.quick_entries(edited):
                        self.version += 1
                    self.timings.append(("edited pages", time.perf_counter() - started))
                if kb_changed:
                    changed = self.plugin.refresh_entries()
                    self.timings.append(("entry pages", time.perf_counter() - started))
                    self.version += 1
                    if changed:
                        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
                        log.info("limkb: rebuilt %s", shown)
                in_place = None
                if changed is not None and not others_changed:
                    try:
                        in_place = self.plugin.refresh_site()
                    except Exception as error:  # the dirty build below makes every page exact
                        log.info("limkb: the rest of the site could not be updated in place: %s", error)
                if in_place is None:
                    self.build(dirty=True)
                self.timings.append(("whole site", time.perf_counter() - started))
            finally:
                self.plugin.forget_loaded()
                self.version += 1
                self.busy = False
            self.plugin.prime_quick()  # for the next save's quick step; the site is done
            _trim()

    def state(self) -> dict[str, Any]:
        report = self.plugin.problems
        problems = [
            {
                "where": f"{p.path}:{p.line}:{p.col}",
                "severity": p.severity.value,
                "code": p.code,
                "message": p.message,
                "hint": p.hint or "",
            }
            for p in (report.problems[:50] if report is not None else [])
        ]
        return {
            "version": self.version,
            "busy": self.busy,
            "problems": problems,
            "timings": [[what, round(seconds, 3)] for what, seconds in self.timings],
        }

    # -- watching -----------------------------------------------------------------------

    def _watched(self) -> tuple[Path, list[Path]]:
        kb = self.project / self.plugin.config.kb
        others = [self.project / "mkdocs.yml", self.project / self.plugin.config.contributing]
        docs = Path(self.config.docs_dir)
        return kb, [*others, docs]

    @staticmethod
    def snapshot(folders: list[Path]) -> dict[str, tuple[int, int, int, int]]:
        """Path -> (size, mtime) of every file below ``folders`` (or the file itself)."""
        return signatures(*folders)

    def watch(self, stop: threading.Event) -> None:
        """Refresh whenever a watched file changes, until ``stop`` is set."""
        kb, others = self._watched()
        last_kb, last_others = self._seen
        while not stop.wait(POLL):
            now_kb, now_others = self.snapshot([kb]), self.snapshot(others)
            if now_kb == last_kb and now_others == last_others:
                continue
            kb_changed = now_kb != last_kb
            edited = sorted(Path(p) for p, s in now_kb.items() if p in last_kb and last_kb[p] != s)
            if not settled(edited, now_kb, stop):
                continue  # still being written: look again at the next poll
            others_changed = now_others != last_others
            last_kb, last_others = now_kb, now_others
            try:
                self.refresh(kb_changed=kb_changed, edited=edited, others_changed=others_changed)
            except Exception as error:  # a broken docs page, say: keep serving what there is
                log.error("limkb: the preview could not be rebuilt: %s", error)
            last_kb, last_others = self.snapshot([kb]), self.snapshot(others)
            if last_kb != now_kb or last_others != now_others:
                last_kb = {}  # changed again meanwhile: look once more at once
            if last_others != now_others:
                last_others = {}  # and build the whole site then

    # -- serving ------------------------------------------------------------------------

    def handler(self, host: str = "127.0.0.1") -> type[http.server.BaseHTTPRequestHandler]:
        """The request handler: only GET and HEAD (alike), only for the bound host or localhost."""
        preview = self
        allowed = allowed_hosts(host)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(preview.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("serve: " + format, *args)

            def _send(self, body: bytes, kind: str, *, head: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _refuse(self, code: int, why: str) -> None:
                body = f"{code} {why}\n".encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(head=False)

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def _answer(self, *, head: bool) -> None:
                if not host_allowed(self.headers.get("Host"), allowed):
                    self._refuse(403, "this preview answers only for its own address (Host header refused)")
                    return
                path = unquote(urlsplit(self.path).path)
                if not well_formed(self.path, path):
                    self._refuse(400, "malformed path")
                    return
                if path == "/__limkb__/state":
                    self._send(json.dumps(preview.state()).encode(), "application/json", head=head)
                    return
                if path == "/__limkb__/live.js":
                    self._send(_SCRIPT.encode(), "text/javascript; charset=utf-8", head=head)
                    return
                if not path.startswith(preview.mount):
                    if path == "/":
                        self.send_response(302)
                        self.send_header("Location", preview.mount)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self.send_error(404)
                    return
                inner = path[len(preview.mount) - 1 :]
                if inner.endswith("/"):
                    inner += "index.html"
                target = Path(self.translate_path(inner))
                if target.suffix == ".html" and target.is_file():
                    html = _read_whole(target)
                    script = b'<script src="/__limkb__/live.js"></script>'
                    html = (
                        html.replace(b"</body>", script + b"</body>", 1)
                        if b"</body>" in html
                        else html + script
                    )
                    self._send(html, "text/html; charset=utf-8", head=head)
                    return
                self.path = inner
                if head:
                    super().do_HEAD()
                else:
                    super().do_GET()

        return Handler

    def serve(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Bind the address (a clear error before any build if it cannot be had), build, then
        serve until interrupted (SIGINT or SIGTERM)."""
        try:
            server = http.server.ThreadingHTTPServer((host, port), self.handler(host))
        except OSError as error:
            raise BuildError("serve", f"cannot serve on {host}:{port}: {error.strerror or error}") from None
        server.daemon_threads = True
        _few_arenas()
        try:
            stop = threading.Event()
            watcher = threading.Thread(target=self.watch, args=(stop,), daemon=True)
            warm = self.warm_site()
            if warm is not None:
                log.info("limkb: serving the last build while the preview builds")
                self.start_warm(warm, watcher.start)
            else:
                started = time.perf_counter()
                self.build()
                log.info("limkb: built the preview in %.1f s", time.perf_counter() - started)
                _trim()
                watcher.start()
            log.info("limkb: serving on http://%s:%d%s", host, server.server_address[1], self.mount)
            try:
                server.serve_forever(poll_interval=0.2)
            finally:
                stop.set()
                self.close()
        finally:
            server.server_close()


ARENAS = 2
"""How many malloc arenas the server's threads share (see :func:`_few_arenas`)."""


def _glibc() -> Any:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def _few_arenas() -> None:
    """Let the server's threads (the first build's, the watcher's, the requests') share
    :data:`ARENAS` malloc arenas instead of one each: memory one thread freed (the first
    build's) is then reused by the next (a refresh's), not held beside it. A
    ``MALLOC_ARENA_MAX`` the user set is left as it is; nothing is done off glibc."""
    import os

    libc = _glibc()
    if libc is not None and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(-8, ARENAS)  # M_ARENA_MAX


def _trim() -> None:
    """Give the memory a build or refresh freed back to the system (glibc's ``malloc_trim``):
    the server then holds what it keeps, not what its largest step needed."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


SETTLE = 0.05
"""Seconds an edited file must keep its size and time before the preview reads it."""


def settled(edited: list[Path], seen: dict[str, tuple[int, int, int, int]], stop: threading.Event) -> bool:
    """Whether the ``edited`` files still have the signatures ``seen`` a moment later: an editor
    (or a script) that truncates a file and then writes it is not caught in between, which would
    show the empty file's problems and validate the whole KB twice."""
    if not edited:
        return True
    if stop.wait(SETTLE):
        return False  # stopping: no refresh
    return signatures(*edited) == {str(path): seen[str(path)] for path in edited}


def _read_whole(page: Path, tries: int = 20) -> bytes:
    """A page's bytes; an empty file is read again a few times, since MkDocs writes a page by
    truncating it first (a request in between would get an empty page)."""
    data = page.read_bytes()
    for _ in range(tries):
        if data:
            break
        time.sleep(0.025)
        data = page.read_bytes()
    return data


def parse_address(address: str | None) -> tuple[str, int]:
    """``IP:PORT`` (or ``[IPv6]:PORT``, or ``localhost:PORT``) as a host and a port number;
    raises ValueError saying what is wrong. The default is 127.0.0.1:8000."""
    import ipaddress

    text = (address or "127.0.0.1:8000").strip()
    host, colon, port_text = text.rpartition(":")
    if not colon:
        raise ValueError(f"{text!r} has no port: write IP:PORT, e.g. 127.0.0.1:8001")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{host!r} is not an IP address: write IP:PORT, e.g. 127.0.0.1:8001") from None
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"{port_text!r} is not a port number (0 to 65535)")
    return host, int(port_text)


def allowed_hosts(host: str) -> frozenset[str]:
    """The names a request's Host header may give: the bound host and localhost's."""
    return frozenset({host.lower(), "localhost", "127.0.0.1", "::1"})


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether a Host header names this preview: an allowed name or an IP address (a DNS name
    that merely resolves here is refused, which stops DNS rebinding)."""
    import ipaddress

    if not header:
        return False
    name = header.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name in allowed:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return "0.0.0.0" in allowed or "::" in allowed  # bound to every address: any of its IPs


def well_formed(raw: str, path: str) -> bool:
    """Whether a request target is a plain absolute path: no NUL or control characters, no
    backslash, no ``..`` segment."""
    if not raw.startswith("/") or not path.startswith("/"):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in path) or "\\" in path:
        return False
    return ".." not in path.split("/")


def serve(project: Path, *, dev_addr: str | None = None, trust_config: bool = False) -> None:
    """``limkb serve``: build into a temporary folder and serve it while files change; the
    folder is removed on every way out, SIGTERM included."""
    import signal

    host, port = parse_address(dev_addr)

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        with tempfile.TemporaryDirectory(prefix="limkb-preview-") as out:
            try:
                Preview(Path(project), Path(out), trust_config=trust_config).serve(host, port)
            except KeyboardInterrupt:
                log.info("limkb: stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
