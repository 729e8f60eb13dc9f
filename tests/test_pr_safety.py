"""What a stranger's pull request can commit must not run code, reach outside the project, or
publish the build's secrets.

Each test plants what an attacker would commit — a cache pickle that runs a command, a symbolic
link out of the project beside a sentinel file, a hostile ``mkdocs.yml``, a link in ``docs/`` —
and checks that nothing ran, the sentinel survived untouched and the build said why it refused.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from kbfactory import tree_digest
from limkb.access import CACHE_DIR, cache_key, load
from limkb.commands import build as build_module
from limkb.commands.build import OUT_DIR, PREVIOUS, build
from limkb.commands.config_guard import check_config
from limkb.commands.preview import Preview
from limkb.errors import BuildError
from limkb.files import read_pickle, seal, write_pickle
from sitefactory import write_project


class Payload:
    """A pickle that, when loaded, writes ``marker``: what a planted cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.write_text, (self.marker, "ran"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project with a sentinel file and a version-like folder in it."""
    folder = tmp_path / "outside"
    (folder / "v-old").mkdir(parents=True)
    (folder / "sentinel.txt").write_text("keep me", encoding="utf-8")
    (folder / "v-old" / "sentinel.txt").write_text("keep me too", encoding="utf-8")
    (folder / "current").symlink_to("v-old")
    return folder


def test_the_payload_would_run_if_unpickled(tmp_path: Path) -> None:
    """The control: the planted payload does run under plain pickle, so the tests below can fail."""
    marker = tmp_path / "marker"
    pickle.loads(pickle.dumps(Payload(marker)))
    assert marker.read_text(encoding="utf-8") == "ran"


@pytest.mark.parametrize("name", ["files.pickle", "analyses.pickle", "render.pickle"])
def test_a_committed_cache_pickle_runs_nothing(project: Path, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "marker"
    cache = project / "build" / "cache"
    cache.mkdir(parents=True)
    (cache / name).write_bytes(pickle.dumps(Payload(marker)))
    (cache / "seal").write_bytes(b"limkb-sealed-pickle 1\n" + b"\0" * 32 + b"limkb build cache")  # forged
    summary = build(project)
    assert summary.pages > 0
    assert not marker.exists()


def test_a_pickle_planted_in_a_real_cache_runs_nothing(project: Path, tmp_path: Path) -> None:
    """Even inside a cache limkb sealed, a file it did not seal itself is never unpickled."""
    build(project)
    marker = tmp_path / "marker"
    for name in ("files.pickle", "analyses.pickle", "render.pickle"):
        (project / "build" / "cache" / name).write_bytes(pickle.dumps(Payload(marker)))
    build(project)
    assert not marker.exists()


def test_the_load_cache_runs_nothing_planted(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    kb = project / "kb"
    folder = project / CACHE_DIR
    folder.mkdir(parents=True)
    (folder / f"kb-{cache_key(kb)}.pickle").write_bytes(pickle.dumps(Payload(marker)))
    assert len(load(kb)) > 0
    assert not marker.exists()


def test_a_forged_seal_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    good = tmp_path / "good.pickle"
    write_pickle(good, {"a": 1})
    assert read_pickle(good) == {"a": 1}
    blob = good.read_bytes()
    forged = blob[: -len(pickle.dumps({"a": 1}))] + pickle.dumps(Payload(marker))  # a kept MAC
    good.write_bytes(forged)
    assert read_pickle(good) is None
    assert not marker.exists()
    assert seal(b"x") != seal(b"y")


def test_the_key_lives_outside_the_project(tmp_path: Path) -> None:
    from limkb.files import key_file

    assert key_file().is_file()
    assert Path.cwd().resolve() not in key_file().resolve().parents
    assert key_file().stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda p, o: (p / OUT_DIR).symlink_to(o), id="out-store"),
        pytest.param(lambda p, o: (p / "build").symlink_to(o), id="build"),
        pytest.param(lambda p, o: (p / "site").symlink_to(o), id="site"),
        pytest.param(
            lambda p, o: ((p / "build").mkdir(), (p / "build" / "cache").symlink_to(o)), id="build-cache"
        ),
        pytest.param(
            lambda p, o: ((p / OUT_DIR).mkdir(), (p / OUT_DIR / "current").symlink_to(o)), id="current"
        ),
    ],
)
def test_a_build_never_writes_or_deletes_through_a_planted_link(
    project: Path, outside: Path, plant: object
) -> None:
    before = tree_digest(outside)
    plant(project, outside)  # type: ignore[operator]
    with pytest.raises(BuildError, match=r"symbolic link|points to|outside the project"):
        build(project)
    assert tree_digest(outside) == before
    assert (outside / "v-old" / "sentinel.txt").read_text(encoding="utf-8") == "keep me too"


def test_stale_cleanup_deletes_only_limkb_s_own_versions(project: Path) -> None:
    build(project)
    build(project)  # a current and a previous version, both kept
    store = project / OUT_DIR
    foreign = store / "v-foreign"
    foreign.mkdir()
    (foreign / "sentinel.txt").write_text("not limkb's", encoding="utf-8")
    stale = build_module._Version(store)  # left by a killed build: limkb's, neither linked
    stale.release()
    build(project)
    assert (foreign / "sentinel.txt").is_file()
    assert not stale.path.exists()  # limkb's own stale version was retired
    linked = {os.readlink(store / "current"), os.readlink(store / PREVIOUS)}
    assert {p.name for p in store.glob("v-*") if p != foreign} == linked


@pytest.mark.parametrize("link", [".cache", ".cache/limkb", ".cache/limkb/pages"])
def test_the_preview_never_writes_or_deletes_through_a_planted_link(
    project: Path, outside: Path, tmp_path: Path, link: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = tree_digest(outside)
    place = project / link
    place.parent.mkdir(parents=True, exist_ok=True)
    place.symlink_to(outside)
    preview = Preview(project, tmp_path / "out")
    try:
        with pytest.raises(Abort):
            preview.build()
    finally:
        preview.close()
    assert "is a symbolic link" in caplog.text
    assert tree_digest(outside) == before


def test_the_preview_keeps_out_of_a_folder_it_did_not_make(
    project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = project / ".cache" / "limkb" / "pages"
    pages.mkdir(parents=True)
    (pages / "mine.txt").write_text("someone's", encoding="utf-8")
    preview = Preview(project, tmp_path / "out")
    try:
        with pytest.raises(Abort):
            preview.build()
    finally:
        preview.close()
    assert "holds files limkb did not make" in caplog.text
    assert (pages / "mine.txt").read_text(encoding="utf-8") == "someone's"


def test_docs_links_and_special_files_are_refused_and_never_published(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("TOKEN=hunter2", encoding="utf-8")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key.txt").write_text("TOKEN=hunter2", encoding="utf-8")
    (project / "docs" / "env.txt").symlink_to("/proc/self/environ")
    (project / "docs" / "leak.txt").symlink_to(secret)
    (project / "docs" / "linked").symlink_to(tmp_path / "secrets")
    os.mkfifo(project / "docs" / "pipe")
    result = subprocess.run(
        [sys.executable, "-m", "limkb", "build"], cwd=project, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name in ("env.txt", "leak.txt", "linked", "pipe"):
        assert f"docs/{name}:1:1: error[bad-filename]" in result.stderr
    assert not (project / "site").exists()


HOSTILE_CONFIGS = {
    "hooks": "hooks:\n  - evil.py\n",
    "python-tag": "extra:\n  x: !!python/object/apply:os.system ['touch {marker}']\n",
    "python-name": "extra:\n  x: !!python/name:os.system\n",
    "plugin": "plugins:\n  - limkb\n  - macros\n",
    "extension": "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: /\n",
    "custom-dir": "theme:\n  name: material\n  custom_dir: overrides\n",
    "extra-templates": "extra_templates:\n  - evil.html\n",
    "inherit": "INHERIT: ../elsewhere.yml\n",
    "docs-outside": "docs_dir: /etc\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CONFIGS))
def test_a_hostile_mkdocs_yml_runs_nothing_without_trust(project: Path, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "marker"
    (project / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    addition = HOSTILE_CONFIGS[name].format(marker=marker)
    for key in ("plugins:", "markdown_extensions:", "theme:"):
        if addition.startswith(key):  # replace the section rather than repeat the key
            text = text.replace(key, f"old_{key.rstrip(':')}:", 1)
    config.write_text(text + "\n" + addition, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "limkb", "build"], cwd=project, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr
    assert "--trust-config" in result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()


def test_the_real_mkdocs_yml_passes_the_check() -> None:
    check_config(Path(__file__).parents[1] / "mkdocs.yml")


def test_trust_config_lets_a_maintainer_build_it(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    (project / "hook.py").write_text(
        f"def on_startup(**kwargs):\n    open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8"
    )
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as stream:
        stream.write("\nhooks:\n  - hook.py\n")
    with pytest.raises(BuildError, match="hooks"):
        build(project)
    assert not marker.exists()
    build(project, trust_config=True)
    assert marker.read_text(encoding="utf-8") == "ran"


def _raw(base: str, request: bytes) -> bytes:
    """Send ``request`` as it is to the server at ``base`` and return the whole answer."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(base)
    with socket.create_connection((where.hostname, where.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_the_preview_is_a_careful_server(project: Path, tmp_path: Path) -> None:
    from previewkit import running

    with running(project, tmp_path / "out") as live:
        host = live.base.split("//")[1]

        def status(target: bytes, host_header: bytes = host.encode(), method: bytes = b"GET") -> bytes:
            answer = _raw(
                live.base,
                method
                + b" "
                + target
                + b" HTTP/1.1\r\nHost: "
                + host_header
                + b"\r\nConnection: close\r\n\r\n",
            )
            return answer.split(b"\r\n", 1)[0]

        assert b" 200 " in status(b"/limkb/index.html")
        assert b" 400 " in status(b"/limkb/index%00.html")
        assert b" 400 " in status(b"/limkb/%2e%2e/%2e%2e/etc/passwd")
        assert b" 400 " in status(b"limkb/index.html")
        assert b" 403 " in status(b"/__limkb__/state", b"evil.example:8000")
        assert b" 403 " in status(b"/limkb/index.html", b"rebind.attacker.test")
        assert b" 200 " in status(b"/limkb/index.html", b"localhost")
        get = _raw(
            live.base, f"GET /limkb/index.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        head = _raw(
            live.base,
            f"HEAD /limkb/index.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
        )
        assert head.split(b"\r\n", 1)[0] == get.split(b"\r\n", 1)[0]
        assert head.endswith(b"\r\n\r\n")  # headers only
        for path in (b"/limkb/assets/limkb/limkb.css", b"/__limkb__/state", b"/limkb/no-such-page.html"):
            assert status(path, method=b"HEAD") == status(path)


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1:99999", "example.com:8000", "127.0.0.1:http"])
def test_a_bad_dev_addr_is_refused_before_building(project: Path, address: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "limkb", "serve", "--dev-addr", address],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--dev-addr" in result.stderr and "Traceback" not in result.stderr
    assert not (project / ".cache").exists()  # nothing was built


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_the_preview_removes_its_folder_on_sigterm_and_sigint(
    project: Path, tmp_path: Path, signum: str
) -> None:
    import signal
    import time

    from previewkit import free_port

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "limkb", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = time.monotonic()
        while not any(scratch.glob("limkb-preview-*")) and time.monotonic() - started < 60:
            time.sleep(0.1)
        assert any(scratch.glob("limkb-preview-*"))
        time.sleep(1.0)
        process.send_signal(getattr(signal, signum))
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert "Traceback" not in output
    assert not any(scratch.glob("limkb-preview-*")), list(scratch.iterdir())


def test_a_port_in_use_is_refused_before_building(project: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "limkb", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "cannot serve on" in result.stderr and "Traceback" not in result.stderr


def _edit_keeping_stamp(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (of the same length) and put the modification time back, as
    ``cp -p``, ``rsync -a`` and ``tar`` do."""
    assert len(old) == len(new)
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns


def test_load_sees_an_edit_that_keeps_size_and_mtime(project: Path) -> None:
    kb = project / "kb"
    first = load(kb)
    assert first["fec"].name == "Fluoroethylene carbonate"
    _edit_keeping_stamp(kb / "materials" / "fec.yaml", "Fluoroethylene carbonate", "Fluoroethylene carbonatX")
    assert load(kb)["fec"].name == "Fluoroethylene carbonatX"


def test_build_sees_an_edit_that_keeps_size_and_mtime(project: Path) -> None:
    build(project)
    _edit_keeping_stamp(
        project / "kb" / "materials" / "fec.yaml", "Fluoroethylene carbonate", "Fluoroethylene carbonatX"
    )
    build(project)
    page = (project / "site" / "entries" / "materials" / "fec.html").read_text(encoding="utf-8")
    assert "Fluoroethylene carbonatX" in page


def test_the_preview_sees_an_edit_that_keeps_size_and_mtime(project: Path, tmp_path: Path) -> None:
    from previewkit import running

    with running(project, tmp_path / "out") as live:
        _edit_keeping_stamp(
            project / "kb" / "materials" / "fec.yaml", "Fluoroethylene carbonate", "Fluoroethylene carbonatX"
        )
        live.until(lambda: "carbonatX" in live.get("/limkb/entries/materials/fec.html")[1], "the edited page")
