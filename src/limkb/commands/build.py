"""``limkb build``: validate, analyse, store, export, render and run MkDocs, atomically.

Everything is produced in a version folder, ``.limkb-out/v-*/{build,site}`` beside the
targets, that no reader sees; only when every step succeeded is it published, by one atomic
rename of the symbolic link ``.limkb-out/current``. ``build`` and ``site`` are links into
``current``, so both change in the same instant: a reader, or a build killed at any point,
sees the old pair or the new pair, never one of each.

Two versions are kept: ``current`` and the one it replaced, ``.limkb-out/previous``. A build
goes into ``previous`` and updates it in place to the new output, touching only the files
that differ (see :mod:`limkb.incremental`: the files both versions share are hard links to
the same data, and no write goes through one), so publishing costs what changed since that
version was built, not the size of the site, and no version is deleted after an edit. Only a
version sealed as complete (``.limkb-complete``, removed before its update starts) is reused;
a first build, ``--clean``, a project with other MkDocs plugins, or a ``previous`` that a
killed or failed build left half-updated gets a fresh folder instead, and the folders no
longer needed are renamed aside at once and deleted by a process of their own (what a
stopped deleter left is handed to a new one by the next build). A failed build leaves
``current``, and so the previous ``build/`` and ``site/``, as they were. A project whose
``build/`` and ``site/`` are still real folders is moved to this layout once, at its first
build.

Builds are reproducible: with ``SOURCE_DATE_EPOCH`` set, the same knowledge base gives
byte-identical files (pages, data files, the sitemap and its gzip header, which MkDocs
dates from that variable). Iteration is sorted everywhere and no absolute path of the
build machine reaches the output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import posixpath
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from limkb.errors import BuildError
from limkb.files import (
    BuildCache,
    read_pickle,
    seal,
    seal_cache,
    trusted_cache,
    unseal,
    within,
    write_atomic,
    write_pickle,
)
from limkb.files import umask as _umask
from limkb.outputs import write_outputs

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.check.validate import FileCache
    from limkb.graph import KnowledgeBase
    from limkb.incremental import HtmlCache
    from limkb.plugin import Prepared
    from limkb.site.render import RenderOptions

__all__ = ["BuildSummary", "build", "render_to", "serve"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What a build produced, and how long it took."""

    entries: int
    pages: int
    files: int
    analyses: int
    warnings: int
    seconds: float
    site_dir: Path
    build_dir: Path
    reused: int = 0
    """Pages whose HTML came from the cache of an earlier build."""

    def describe(self) -> str:
        """One line for the CLI."""
        return (
            f"built {self.pages} pages ({self.files} files) for {self.entries} entries and "
            f"{self.analyses} analyses in {self.seconds:.1f} s -> {self.site_dir.name}/, {self.build_dir.name}/"
            + (f"; {self.reused} pages from the cache" if self.reused else "")
            + (f" ({self.warnings} warnings)" if self.warnings else "")
        )


class _Collect(logging.Handler):
    """Keeps the warnings MkDocs logs, to report them when strict mode aborts the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_mkdocs_warnings() -> Iterator[_Collect]:
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _run_mkdocs(config_file: Path, site_dir: Path, prepared: Prepared) -> None:
    """Run MkDocs (strict) on ``config_file`` into ``site_dir`` with the plugin's inputs prepared.

    The plugin takes the knowledge base out of ``prepared`` when it renders, so the caller
    must not keep its own reference: then the KB is freed before MkDocs writes the HTML.
    With an HTML cache in ``prepared``, MkDocs runs in its "dirty" mode (into the fresh
    ``site_dir``), so that it skips the pages the cache puts there.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    from limkb.incremental import dirty_warning_filter
    from limkb.plugin import LimkbPlugin

    quiet = logging.getLogger("mkdocs.commands.build")
    quiet.addFilter(dirty_warning_filter)
    with _collect_mkdocs_warnings() as warnings:
        try:
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            plugin = config.plugins.get("limkb")
            if not isinstance(plugin, LimkbPlugin):
                raise BuildError("mkdocs", f"{config_file.name} does not enable the limkb plugin")
            plugin.prepared = prepared
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config, dirty=prepared.html_cache is not None)
            finally:
                config.plugins.on_shutdown()
                plugin.prepared = None
        except (MkDocsException, Abort) as error:
            details = "\n".join(warnings.messages)
            raise BuildError("mkdocs", f"{error}\n{details}".rstrip()) from None
        finally:
            quiet.removeFilter(dirty_warning_filter)


class _Outputs:
    """:func:`~limkb.outputs.write_outputs` in a forked child on Linux, so that the SQLite
    database and the exports are written on the second core while the pages render; elsewhere
    (no ``fork``, or one that is unsafe, as on macOS) at once, in this process.

    :meth:`wait` raises the child's error as a :class:`~limkb.errors.BuildError`; the files
    are the same either way.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        results: Mapping[str, AnalysisResult],
        folder: Path,
        previous: Path | None = None,
    ) -> None:
        self.folder = folder
        self.previous = previous
        """The last build's folder: the files whose inputs are unchanged are linked from there."""
        self.pid: int | None = None
        self._failure = folder.parent / ".outputs-failed"
        if not sys.platform.startswith("linux"):
            self._write(kb, results)
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:  # the child: write, say how it went, and leave without running any cleanup
            code = 0
            try:
                write_outputs(kb, results, folder, previous=previous, keep=True)
            except BaseException as error:
                code = 1
                with contextlib.suppress(BaseException):
                    self._failure.write_text(f"{type(error).__name__}: {error}", encoding="utf-8")
            finally:
                os._exit(code)
        self.pid = pid

    def _write(self, kb: KnowledgeBase, results: Mapping[str, AnalysisResult]) -> None:
        try:
            write_outputs(kb, results, self.folder, previous=self.previous, keep=True)
        except OSError as error:
            raise BuildError("store", str(error)) from error

    def wait(self) -> None:
        """Until the files are written; raises what went wrong."""
        if self.pid is None:
            return
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            try:
                why = self._failure.read_text(encoding="utf-8")
            except OSError:
                why = f"the process writing them ended with status {os.waitstatus_to_exitcode(status)}"
            raise BuildError("store", why)

    def cancel(self) -> None:
        """Stop the child of a build that failed meanwhile."""
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = None


OUT_DIR = ".limkb-out"
"""Where, beside ``site/``, the built versions live (``v-*``) and ``current`` points."""


class _Version:
    """A version folder in the out store, locked while its build runs: a fresh one, or
    (:meth:`spare`) the previous version, to be updated in place (``reused``)."""

    def __init__(self, store: Path, *, reuse: tuple[Path, int] | None = None) -> None:
        self.reused = reuse is not None
        self._lock: int | None
        if reuse is not None:
            self.path, self._lock = reuse[0], reuse[1]
            return
        store.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="v-", dir=store))
        os.chmod(self.path, 0o777 & ~_umask())  # readable as a plainly made folder would be
        self._lock = _lock(self.path)
        (self.path / _MARKER).write_bytes(seal(_marked(self.path)))  # a fresh folder: no rename needed

    @classmethod
    def spare(cls, store: Path) -> _Version | None:
        """The previous version, locked and no longer marked complete (so that a build killed
        while it changes the folder leaves one that is never reused), or None when there is
        none that can be updated in place."""
        name = _current(store, PREVIOUS)
        if name is None or name == _current(store):
            return None
        from limkb.incremental import lists_files

        folder = store / name
        if not _made_here(folder) or not _complete(folder):
            return None
        if not lists_files(BuildCache(folder / "build" / "cache").html):
            return None  # its cache was damaged: a fresh folder, filled from the current cache
        fd = _lock(folder, wait=False)
        if fd is None:
            return None  # another build is using it
        if not _complete(folder):  # finished meanwhile by a build that held the lock
            os.close(fd)
            return None
        (folder / _COMPLETE).unlink()
        _clear_outputs(folder / "build")
        return cls(store, reuse=(folder, fd))

    def complete(self) -> None:
        """Seal the folder as holding exactly what its build listed: it may be reused."""
        write_atomic(self.path / _COMPLETE, seal(_finished(self.path)))

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


_MARKER = ".limkb-version"
"""The sealed file that says limkb made a version folder: only such folders are ever deleted."""

_COMPLETE = ".limkb-complete"
"""The sealed file that says a version folder holds exactly what its build wrote and listed
(:attr:`limkb.incremental.HtmlCache.listing`): only such a folder is updated in place."""

PREVIOUS = "previous"
"""The link in the out store to the version ``current`` replaced: the next build's folder."""


def _finished(folder: Path) -> bytes:
    return f"limkb complete version {folder.name}".encode()


def _complete(folder: Path) -> bool:
    """Whether ``folder`` is sealed as complete (see :data:`_COMPLETE`)."""
    try:
        return unseal((folder / _COMPLETE).read_bytes()) == _finished(folder)
    except OSError:
        return False


def _clear_outputs(build: Path) -> None:
    """Delete what a reused version's ``build/`` holds besides its cache: the data products
    are all written again (a few dozen files, whatever the KB's size), and none may remain
    that the new build would not make."""
    if build.is_symlink() or not build.is_dir():
        return
    for item in build.iterdir():
        if item.name == "cache":
            continue
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item)
        else:
            item.unlink()


def _marked(folder: Path) -> bytes:
    return f"limkb version folder {folder.name}".encode()


def _made_here(folder: Path, name: str | None = None) -> bool:
    """Whether ``folder`` is a real folder limkb made on this machine (its sealed marker), made
    under ``name`` (its own name unless it was retired under another)."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return False
        return unseal((folder / _MARKER).read_bytes()) == _marked(folder.with_name(name or folder.name))
    except OSError:
        return False


_GONE = ".gone-"
"""The prefix a retired version folder is renamed with, until it is deleted in the background."""

_DELETE = "import shutil, sys\nfor path in sys.argv[1:]:\n    shutil.rmtree(path, ignore_errors=True)\n"
"""The program of the background process that deletes retired folders."""


def _retire(store: Path, folder: Path) -> Path | None:
    """Rename a version folder limkb made out of the way (one rename, whatever its size);
    the retired path, or None when it is not limkb's or cannot be moved."""
    if not _made_here(folder):
        return None
    gone = store / f"{_GONE}{folder.name}"
    try:
        os.replace(folder, gone)
    except OSError:
        return None
    return gone


def _delete_in_background(folders: list[Path]) -> None:
    """Delete ``folders`` in a process of their own, so that no build or preview waits for
    the removal of a whole site (the folders were renamed out of the way first); what a
    killed deleter leaves is found and deleted again by the next build."""
    if not folders:
        return
    import subprocess

    try:
        subprocess.Popen(  # this interpreter, a fixed program, paths limkb made
            [sys.executable, "-c", _DELETE, *map(str, folders)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
        )
    except OSError:
        for folder in folders:  # no process to spare: delete here
            shutil.rmtree(folder, ignore_errors=True)


def check_places(project: Path, *folders: Path) -> None:
    """Refuse to build when a folder limkb writes, cleans or reads its cache from could lead out
    of the project: ``.limkb-out`` and ``build/cache`` must be real folders (or absent),
    ``.limkb-out/current`` a link to one of its own versions, and ``site/`` and ``build/`` either
    real folders (adopted on the first build) or limkb's own links into ``.limkb-out``."""
    for folder in folders:
        parent = folder.parent
        store = parent / OUT_DIR
        expected = _link(folder, store, folder.name)
        problems = [
            _outside(project, store, "the out store"),
            _outside(project, parent, "the folder of the outputs"),
        ]
        if store.is_symlink():
            problems.append(f"{store} is a symbolic link; limkb keeps its versions in a real folder there")
        for link in (store / "current", store / PREVIOUS):
            if link.is_symlink():
                target = os.readlink(link)
                if not re.fullmatch(r"v-[A-Za-z0-9_]+", target):
                    problems.append(f"{link} points to {target!r}, not to one of limkb's version folders")
            elif link.exists():
                problems.append(f"{link} is not limkb's link to a version")
        if folder.is_symlink() and os.readlink(folder) != expected:
            problems.append(
                f"{folder} is a symbolic link to {os.readlink(folder)!r}, not limkb's link {expected!r}"
            )
        elif folder.is_dir() and not folder.is_symlink() and (folder / "cache").is_symlink():
            problems.append(f"{folder / 'cache'} is a symbolic link")
        for problem in filter(None, problems):
            raise BuildError(
                "places",
                f"{problem}. limkb never writes or deletes through a link that could lead out of the "
                "project: remove it (a build makes its own) and build again",
            )


def _outside(project: Path, path: Path, what: str) -> str | None:
    """Why ``path`` (resolved) is not inside ``project``, or None."""
    if within(project, path):
        return None
    return f"{what} {path} resolves to {path.resolve()}, outside the project {project}"


def _lock(folder: Path, *, wait: bool = True) -> int | None:
    """An exclusive lock on ``folder/.lock`` (the file descriptor), or None if another holds it."""
    fd = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        import fcntl
    except ImportError:  # no advisory locks here: treat the folder as ours
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


def _current(store: Path, link: str = "current") -> str | None:
    """The version the store's ``link`` (``current`` or ``previous``) names, or None."""
    try:
        return os.readlink(store / link)
    except OSError:
        return None


def _clean_stale(store: Path, site_parent: Path) -> None:
    """Retire version folders that are neither current, nor a complete previous version, nor
    being built (left by killed or failed builds), and have them and earlier retired ones
    deleted in the background."""
    current, previous = _current(store), _current(store, PREVIOUS)
    real_store = store.is_dir() and not store.is_symlink()
    doomed: list[Path] = []
    for folder in sorted(store.glob("v-*")) if real_store else []:
        if folder.name == current or not _made_here(folder):
            continue  # only what limkb made here is ever deleted
        if folder.name == previous and _complete(folder):
            continue  # the next build's folder
        fd = _lock(folder, wait=False) if (folder / ".lock").exists() else None
        if fd is None and (folder / ".lock").exists():
            continue  # a build is running in it
        gone = _retire(store, folder)
        if fd is not None:
            os.close(fd)
        if gone is not None:
            doomed.append(gone)
    for gone in sorted(store.glob(f"{_GONE}v-*")) if real_store else []:  # a deleter was stopped
        if gone not in doomed and _made_here(gone, gone.name.removeprefix(_GONE)):
            doomed.append(gone)
    for old in site_parent.glob(".limkb-build-*"):  # the temporary folders of earlier versions
        if _made_here(old) and time.time() - old.stat().st_mtime > 3600:
            doomed.append(old)
    _delete_in_background(doomed)


def _link(target: Path, store: Path, name: str) -> str:
    return os.path.relpath(store / "current" / name, target.parent)


def _point(store: Path, version: Path, link: str = "current") -> None:
    """Make ``store/link`` name ``version``, in one atomic rename."""
    temporary = store / f".{link}-{version.name}"
    temporary.unlink(missing_ok=True)
    os.symlink(version.name, temporary)
    os.replace(temporary, store / link)


def _adopt(targets: dict[str, Path], store: Path) -> None:
    """Turn real ``build/`` and ``site/`` folders into links into ``store``, keeping their content.

    Done once per project. Both folders are first moved into a version folder of their own (if
    the second move fails, the first is moved back and nothing has changed), which becomes
    ``current``; then the links are made.
    """
    wanted = {name: _link(target, store, name) for name, target in targets.items()}
    if all(t.is_symlink() and os.readlink(t) == wanted[n] for n, t in targets.items()):
        return
    adopted = _Version(store)
    moved: list[tuple[Path, Path]] = []
    try:
        for name, target in targets.items():
            if target.is_symlink():
                target.unlink()
            elif target.exists():
                os.replace(target, adopted.path / name)
                moved.append((adopted.path / name, target))
            else:
                (adopted.path / name).mkdir()
    except OSError as error:
        for source, target in reversed(moved):
            os.replace(source, target)
        adopted.release()
        shutil.rmtree(adopted.path, ignore_errors=True)
        raise BuildError(
            "publish", f"cannot replace {target}: {error.strerror or error}; nothing was changed"
        ) from None
    if _current(store) is None:
        _point(store, adopted.path)
    for name, target in targets.items():
        os.symlink(wanted[name], target, target_is_directory=True)
    adopted.release()


def _absolute(path: Path) -> Path:
    return Path(path).parent.resolve() / Path(path).name


def _publish(version: Path, site_dir: Path, build_dir: Path, store: Path) -> list[str]:
    """Make ``version`` the one ``build/`` and ``site/`` show, in one atomic step; the version
    shown before becomes ``previous`` (the next build's folder).

    Returns the names of the versions no longer used: the one ``previous`` named before
    (unless it was ``version`` itself, updated in place), and the one shown before when it is
    not complete (an adopted folder, or one of a build with other plugins).
    """
    _adopt({"site": site_dir, "build": build_dir}, store)
    shown, unused = _current(store), [_current(store, PREVIOUS)]
    _point(store, version)
    if shown is not None and shown != version.name:
        if _complete(store / shown):
            _point(store, store / shown, PREVIOUS)  # killed before this: the next build retires it
        else:
            unused.append(shown)
    return [name for name in unused if name is not None and name != version.name]


def build(
    project: Path,
    *,
    strict: bool = True,
    site_dir: Path | None = None,
    build_dir: Path | None = None,
    clean: bool = False,
    trust_config: bool = False,
) -> BuildSummary:
    """Build ``build/`` and ``site/`` of the project folder (the one holding kb/ and mkdocs.yml).

    What a previous build derived is reused from ``build/cache/`` (see
    :mod:`limkb.incremental`), and the output is the same as without it; ``clean``
    ignores the cache (and writes a new one). ``mkdocs.yml`` is checked first
    (:func:`~limkb.commands.config_guard.check_config`) unless ``trust_config``. Raises :class:`~limkb.errors.ValidationError`
    when the entries have errors (or warnings with ``strict``) and
    :class:`~limkb.errors.BuildError` when a later step fails; in both cases nothing of the
    previous build is touched, its cache included.
    """
    from limkb.commands.config_guard import check_config
    from limkb.incremental import StaleCache

    check_config(Path(project) / "mkdocs.yml", trust=trust_config)
    with _rare_collections():
        try:
            return _build(project, strict=strict, site_dir=site_dir, build_dir=build_dir, clean=clean)
        except StaleCache as why:
            log.info("limkb: the page cache does not fit (%s); building every page", why)
            return _build(project, strict=strict, site_dir=site_dir, build_dir=build_dir, clean=True)


GC_THRESHOLD = (50_000, 20, 20)
"""The cyclic garbage collector's thresholds during a build (Python's are 700, 10, 10)."""


@contextmanager
def _rare_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector rarely while building (:data:`GC_THRESHOLD`), and
    as before afterwards.

    A build holds hundreds of thousands of long-lived objects (the knowledge base, the caches
    it read, MkDocs' files and pages) and allocates millions more: with Python's thresholds
    the collector ran about 420 times in a 2,055-entry rebuild and scanned the loaded KB again
    and again, 0.6-0.8 s of its 3.3-4.5 s of CPU; with these, 5 times and 0.2 s. Memory is
    freed by reference counting as before, and the knowledge base by the collection the
    plugin makes once the pages are rendered; the data files' process, forked meanwhile,
    inherits the thresholds. What the load set apart from collections (``gc.freeze``, see
    :func:`_kept_apart_from_collection`) is handed back to the collector at the end, so that a
    process running many builds (the tests, an editor's plugin) frees the cycles among them.
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _load_checked(root: Path, files_cache: FileCache, *, strict: bool) -> KnowledgeBase:
    """:func:`limkb.load` of the KB at ``root``, reusing ``files_cache`` (never the load cache)."""
    from limkb.access import load

    return load(root, strict=strict, cache=False, files=files_cache)


def _count_pages(files: list[str]) -> int:
    """The HTML pages among the site's files (POSIX paths in the site): not the 404 page, not
    the id/ forwarders. Strings, not :class:`~pathlib.Path` objects: a site has tens of
    thousands of files, and a rebuild should not spend a second making paths to count them."""
    return sum(1 for p in files if p.endswith(".html") and _is_page(*p.rpartition("/")[::2]))


def _is_page(folder: str, name: str) -> bool:
    """Whether the site's file ``name`` in ``folder`` counts as a page (see :func:`_count_pages`)."""
    return name != "404.html" and folder.rpartition("/")[2] != "id" and posixpath.splitext(name)[1] == ".html"


def _carry_over_cache(old_cache: Path, new_cache: Path) -> None:
    """Move what this build did not make anew (the load cache) from the old cache to the new."""
    new_cache.mkdir(exist_ok=True)
    for item in old_cache.iterdir():
        if item.name not in BuildCache.REMADE and not (new_cache / item.name).exists():
            os.replace(item, new_cache / item.name)


def _link_tree(source: Path, target: Path) -> None:
    """``target`` becomes a copy of the folder ``source`` whose files are hard links (plots are
    only ever replaced by a rename, never written in place), or plain copies where links fail."""
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except (OSError, shutil.Error):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def _install_plots(plots: Path, new_cache: Path) -> None:
    """The drawn plots of this build become the plot cache of the next."""
    if plots.is_dir():
        shutil.rmtree(BuildCache(new_cache).plots, ignore_errors=True)
        new_cache.mkdir(exist_ok=True)
        os.replace(plots, BuildCache(new_cache).plots)


def _retire_previous(store: Path, unused: list[str]) -> None:
    """Delete the versions no link names any more, in the background, unless a running build
    uses them."""
    doomed: list[Path] = []
    for name in unused:
        if name in (_current(store), _current(store, PREVIOUS)):
            continue
        old = store / name
        fd = _lock(old, wait=False) if old.is_dir() else None
        if fd is not None:  # not in use by a running build: out of the way, deleted aside
            gone = _retire(store, old)
            os.close(fd)
            doomed.extend([gone] if gone is not None else [])
    _delete_in_background(doomed)


def _build(
    project: Path, *, strict: bool, site_dir: Path | None, build_dir: Path | None, clean: bool
) -> BuildSummary:
    """:func:`build` in its steps: the places, the load (with the last build's cache), a version
    folder, the caches, MkDocs with the prepared inputs, the new cache, and the publication."""
    from limkb.site.context import source_date_epoch

    source_date_epoch()  # a bad value is refused before anything runs
    started = time.perf_counter()
    project, config_file, site_dir, build_dir = _places(project, site_dir, build_dir)
    old = BuildCache(build_dir / "cache")
    clean = clean or not _cache_usable(old.folder)
    files_cache, kb, computed = _load_reusing(project / "kb", old, clean=clean, strict=strict)
    entries, analyses, warnings = len(kb), len(kb.analyses), len(kb.report.warnings)
    store = site_dir.parent / OUT_DIR
    version = _version_for(store, config_file, clean=clean)
    work = version.path
    outputs: _Outputs | None = None
    published = False
    try:
        new_build, new_site = work / "build", work / "site"
        _write_load_cache(BuildCache(new_build / "cache"), files_cache, computed)
        del files_cache  # the documents it holds are not needed any more
        # on the other core while the pages render, reusing the last build's unchanged files
        outputs = _Outputs(kb, kb.analyses, new_build, None if clean else old.folder.parent)
        prepared, html_cache = _prepare(kb, old, version, outputs, clean=clean)
        del kb  # the plugin drops the last references once it has rendered the pages
        _run_mkdocs(config_file, new_site, prepared)
        outputs.wait()  # (the plugin waited already, unless MkDocs never asked for the files)
        files = _built_files(new_site, html_cache)
        _next_cache(old.folder, new_build, work / "plots", clean=clean)
        if html_cache.listing is not None:
            version.complete()
        previous = _publish_or_fail(work, site_dir, build_dir, store)
        published = True
        _retire_previous(store, previous)
    finally:
        _end_version(version, store, outputs, published=published)
    return BuildSummary(
        entries=entries,
        pages=_count_pages(files),
        files=len(files),
        analyses=analyses,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        site_dir=site_dir,
        build_dir=build_dir,
        reused=len(html_cache.hits),
    )


def _places(project: Path, site_dir: Path | None, build_dir: Path | None) -> tuple[Path, Path, Path, Path]:
    """The project, its ``mkdocs.yml`` and the ``site/`` and ``build/`` to write, checked
    (:func:`check_places`); the two folders are links into the out store, so only their parents
    are resolved."""
    project = Path(project).resolve()
    config_file = project / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError("config", f"no mkdocs.yml in {project}")
    site_dir = _absolute(site_dir or project / "site")
    build_dir = _absolute(build_dir or project / "build")
    check_places(project, site_dir, build_dir)
    return project, config_file, site_dir, build_dir


def _cache_usable(old_cache: Path) -> bool:
    """Whether the last build's cache may be read: absent, or sealed by limkb on this machine."""
    if old_cache.is_dir() and not trusted_cache(old_cache):
        log.info("limkb: %s was not made by limkb on this machine; building without it", old_cache)
        return False
    return True


def _load_reusing(
    kb_dir: Path, old: BuildCache, *, clean: bool, strict: bool
) -> tuple[FileCache, KnowledgeBase, object]:
    """The knowledge base, loaded with the per-file validation of the last build and its
    analyses reused when their inputs are unchanged (neither with ``clean``); also the file
    cache and the analyses' results, for the next build's cache."""
    from limkb.analysis.correlations import analysis_keys
    from limkb.check.validate import FileCache

    with _kept_apart_from_collection():
        files_cache = FileCache.read(None if clean else old.files)
        kb = _load_checked(kb_dir, files_cache, strict=strict)
        kept = read_pickle(None if clean else old.analyses)
        computed = kb.reuse_analyses(analysis_keys(kb), kept)
    return files_cache, kb, computed


@contextmanager
def _kept_apart_from_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the knowledge base loads, and what the
    load made then set aside from later collections (:func:`gc.freeze`).

    A load makes millions of objects (the file cache, the entries, the graph) that live until
    the build drops them; each collection after the load would walk them all again (1.6 of
    3.2 s of CPU of a load at 10,275 entries). They hold almost no reference cycles (28
    objects at that size once the build lets them go), so reference counting frees them all the
    same; the collector stays on for what the build makes after them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _version_for(store: Path, config_file: Path, *, clean: bool) -> _Version:
    """The version folder this build writes: the previous version, updated in place, when it
    can be (not with ``clean`` or with other MkDocs plugins), else a fresh one."""
    from limkb.commands.config_guard import only_limkb_plugin

    try:
        _clean_stale(store, store.parent)
        spare = None if clean or not only_limkb_plugin(config_file) else _Version.spare(store)
        return spare or _Version(store)
    except OSError as error:
        raise BuildError("publish", f"cannot write in {store}: {error.strerror or error}") from None


def _write_load_cache(new: BuildCache, files_cache: FileCache, computed: object) -> None:
    """The per-file validation and the analyses' results, for the next build."""
    try:
        files_cache.write(new.files)
        write_pickle(new.analyses, computed)
    except OSError as error:
        raise BuildError("store", str(error)) from error


def _prepare(
    kb: KnowledgeBase, old: BuildCache, version: _Version, outputs: _Outputs, *, clean: bool
) -> tuple[Prepared, HtmlCache]:
    """What the plugin renders from (see :class:`~limkb.plugin.Prepared`), with the page caches
    of the last build (none with ``clean``): its drawn plots, linked into the version folder
    (the new set replaces them only on success), its pages' HTML and its render memo."""
    from limkb.incremental import HtmlCache
    from limkb.plugin import Prepared

    new = BuildCache(version.path / "build" / "cache")
    plots = version.path / "plots"
    if old.plots.is_dir() and not clean:
        _link_tree(old.plots, plots)
    html_cache = HtmlCache(None if clean else old.html, new.html, reuse=version.reused)
    prepared = Prepared(
        kb,
        kb.analyses,
        version.path / "build",
        plots,
        html_cache=html_cache,
        render_cache=(None if clean else old.render, new.render),
        downloads_ready=outputs.wait,
    )
    return prepared, html_cache


def _built_files(site: Path, html_cache: HtmlCache) -> list[str]:
    """The files of the built site as POSIX paths in it: as the page cache listed them, or found
    on disk. Strings, not paths: a site has tens of thousands of files."""
    if not (site / "index.html").is_file():
        raise BuildError("mkdocs", "MkDocs wrote no index.html")
    listed = html_cache.listing
    return (
        list(listed)
        if listed is not None
        else [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    )


def _next_cache(old_cache: Path, new_build: Path, plots: Path, *, clean: bool) -> None:
    """The new build's cache made whole (what it did not make anew carried over, the plots it
    drew installed) and sealed."""
    if not clean and old_cache.is_dir():
        _carry_over_cache(old_cache, new_build / "cache")
    _install_plots(plots, new_build / "cache")
    seal_cache(new_build / "cache")


def _publish_or_fail(work: Path, site_dir: Path, build_dir: Path, store: Path) -> list[str]:
    """:func:`_publish`, its failure a :class:`~limkb.errors.BuildError` that leaves the previous build."""
    try:
        return _publish(work, site_dir, build_dir, store)
    except OSError as error:
        raise BuildError("publish", f"{error.strerror or error}; the previous build stays") from None


def _end_version(version: _Version, store: Path, outputs: _Outputs | None, *, published: bool) -> None:
    """After a build, published or not: the data files' writer stopped, the folder unlocked, and
    an unpublished folder removed (a half-updated reused one out of the way, deleted aside)."""
    if outputs is not None:
        outputs.cancel()
    version.release()
    if not published and _current(store) == version.path.name:
        return  # shown already (a failure after the switch, naming `previous`): it stays
    if not published and version.reused:
        gone = _retire(store, version.path)
        _delete_in_background([gone] if gone is not None else [])
    elif not published:
        shutil.rmtree(version.path, ignore_errors=True)


_PROJECT_MARKERS = ("kb", "mkdocs.yml", "pyproject.toml", ".git")
"""What a project folder holds; pages are never rendered into one (they go into a docs folder)."""


def _check_render_target(out: Path, kb_dir: Path) -> None:
    """Refuse to render into the knowledge base, a folder holding it, or a project folder.

    A docs folder with hand-written pages is a fine target (the pages are added beside them).
    """
    if out.exists() and not out.is_dir():
        raise BuildError("render", f"{out} is a file; give a folder for the pages")
    resolved, kb = out.resolve(), kb_dir.resolve()
    if resolved == kb or resolved in kb.parents or kb in resolved.parents:
        raise BuildError("render", f"{out} holds or is inside the knowledge base; give a folder of its own")
    found = [name for name in _PROJECT_MARKERS if (out / name).exists()]
    if found:
        raise BuildError(
            "render",
            f"{out} is a project folder (it holds {found[0]}); "
            "give the folder the pages go in, e.g. --out docs-generated",
        )


def render_to(kb_dir: Path, out: Path, *, strict: bool = False, options: RenderOptions | None = None) -> int:
    """Render the pages of ``kb_dir`` into the folder ``out`` (for any site engine); returns the
    file count. The contributing page is the project's CONTRIBUTING.md (beside ``kb_dir``) when
    there is one, as in ``limkb build``."""
    from limkb.access import load
    from limkb.site.context import source_date_epoch
    from limkb.site.render import RenderOptions, render
    from limkb.site.urls import resolve_links

    source_date_epoch()
    out = Path(out)
    _check_render_target(out, Path(kb_dir))
    kb = load(kb_dir, strict=strict)
    options = options or RenderOptions()
    guide = Path(kb_dir).resolve().parent / "CONTRIBUTING.md"
    if options.contributing is None and guide.is_file():
        options = dataclasses.replace(options, contributing=guide.read_text(encoding="utf-8"))
    pages = render(kb, options=options)
    style = options.urls
    pages = {
        path: resolve_links(content, path, style)
        if isinstance(content, str) and path.endswith(".md")
        else content
        for path, content in pages.items()
    }
    out.mkdir(parents=True, exist_ok=True)
    for path, content in pages.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return len(pages)


def serve(
    project: Path, *, dev_addr: str | None = None, dirty: bool = True, trust_config: bool = False
) -> None:
    """Serve the site with live reload; with ``dirty`` only pages an edit changed are rebuilt."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from limkb.commands.config_guard import check_config

    config_file = Path(project) / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError("config", f"no mkdocs.yml in {Path(project).resolve()}")
    check_config(config_file, trust=trust_config)
    # MkDocs warns on every dirty build; under `strict: true` that warning would abort it.
    mkdocs_serve(
        str(config_file),
        build_type="dirty" if dirty else None,
        dev_addr=dev_addr,
        strict=False if dirty else None,
    )
