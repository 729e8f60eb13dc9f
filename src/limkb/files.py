"""Writing files safely: one atomic writer for every file limkb rewrites or creates.

A file is written to a temporary name beside its target and renamed over it, so a crash or a
full disk leaves the old file or the new one, never half of one, and a symbolic link at the
target is replaced rather than written through. The new file gets the mode of the file it
replaces, or the mode the process's umask gives a new file (read without changing it).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

__all__ = [
    "CACHE_SEAL",
    "BuildCache",
    "UnsafePlace",
    "default_mode",
    "key_file",
    "machine_key",
    "own_folder",
    "read_pickle",
    "seal",
    "seal_cache",
    "signatures",
    "stale_files",
    "trusted_cache",
    "umask",
    "unseal",
    "within",
    "write_atomic",
    "write_pickle",
]


def umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:  # Linux tells the umask without changing it
        status = Path("/proc/self/status").read_text(encoding="ascii")
        found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
        if found:
            return int(found.group(1), 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once (not thread-safe, but brief)
    os.umask(mask)
    return mask


def default_mode() -> int:
    """The mode a plainly created file would get under the current umask."""
    return 0o666 & ~umask()


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text is UTF-8, written as given) to ``path`` atomically; returns ``path``."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = (
            stat.S_IMODE(path.lstat().st_mode) if path.is_file() and not path.is_symlink() else default_mode()
        )
    except OSError:
        mode = default_mode()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


_SEAL = b"limkb-sealed-pickle 1\n"
"""What every cache file limkb writes begins with, before its 32-byte HMAC-SHA256."""

_KEY: bytes | None = None


def key_file() -> Path:
    """Where this machine's cache key lives: outside every project, under the user's cache
    folder (``$LIMKB_KEY_FILE``, else ``$XDG_CACHE_HOME/limkb/cache.key``, else
    ``~/.cache/limkb/cache.key``)."""
    named = os.environ.get("LIMKB_KEY_FILE")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "limkb" / "cache.key"


def machine_key() -> bytes:
    """The secret that authenticates limkb's caches on this machine, made on first use (32
    random bytes, readable by the user only). Where it cannot be kept, a key for this process
    alone: caches are then never trusted across runs, which is safe, only slower."""
    global _KEY
    if _KEY is not None:
        return _KEY
    path = key_file()
    try:
        found = path.read_bytes()
        if len(found) == 32 and not path.is_symlink():
            _KEY = found
            return _KEY
    except OSError:
        pass
    fresh = os.urandom(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache.key-")
        with os.fdopen(handle, "wb") as stream:  # mkstemp's file is 0600 already
            stream.write(fresh)
        try:
            os.link(temporary, path)  # never over a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        found = path.read_bytes()
        _KEY = found if len(found) == 32 else fresh
    except OSError:
        _KEY = fresh
    return _KEY


def seal(data: bytes) -> bytes:
    """``data`` behind a header and an HMAC with this machine's key (see :func:`unseal`)."""
    import hmac

    return _SEAL + hmac.digest(machine_key(), data, "sha256") + data


def unseal(blob: bytes) -> bytes | None:
    """The data :func:`seal` wrapped, or None when ``blob`` was not sealed on this machine
    (planted in the tree, copied from elsewhere, or damaged): nothing in it is ever used."""
    import hmac

    if not blob.startswith(_SEAL) or len(blob) < len(_SEAL) + 32:
        return None
    mac, data = blob[len(_SEAL) : len(_SEAL) + 32], blob[len(_SEAL) + 32 :]
    return data if hmac.compare_digest(mac, hmac.digest(machine_key(), data, "sha256")) else None


def unseal_view(blob: memoryview) -> memoryview | None:
    """:func:`unseal` of a view, giving a view of the data rather than a copy (a cache of tens
    of megabytes is then not copied to be checked and unpickled)."""
    import hmac

    start = len(_SEAL) + 32
    if len(blob) < start or bytes(blob[: len(_SEAL)]) != _SEAL:
        return None
    mac, data = bytes(blob[len(_SEAL) : start]), blob[start:]
    return data if hmac.compare_digest(mac, hmac.digest(machine_key(), data, "sha256")) else None


def read_pickle(path: Path | None) -> object | None:
    """What :func:`write_pickle` kept at ``path``, or None when there is none, it does not load,
    or it was not written by limkb on this machine: a cache file's HMAC is checked before a byte
    of it is unpickled, so a pickle committed to a repository runs nothing. A missing, foreign or
    damaged cache is only a missed shortcut."""
    import gc
    import logging
    import pickle

    if path is None:
        return None
    try:
        if path.is_symlink():
            return None
        blob = path.read_bytes()
    except OSError:
        return None
    data = unseal(blob)
    if data is None:
        logging.getLogger(__name__).info("ignoring cache %s: not sealed by limkb on this machine", path)
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling many objects at once: collecting meanwhile only slows it
    try:
        found: object = pickle.loads(data)
        return found
    except Exception as error:
        logging.getLogger(__name__).info("ignoring cache %s: %s", path, error)
        return None
    finally:
        if enabled:
            gc.enable()


def write_pickle(path: Path, value: object) -> None:
    """Keep ``value`` at ``path``, sealed (:func:`seal`), written atomically."""
    import gc
    import pickle

    enabled = gc.isenabled()
    gc.disable()  # pickling many objects at once: collecting meanwhile only slows it
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        if enabled:
            gc.enable()
    write_atomic(path, seal(data))


CACHE_SEAL = "seal"
"""The file in ``build/cache/`` that says limkb made that cache on this machine."""


@dataclass(frozen=True)
class BuildCache:
    """The layout of a build cache (``build/cache/``): the one place that names its files.

    ``limkb.load`` keeps its pickles there (:meth:`load_pickle`); ``limkb build`` the per-file
    validation cache, the analyses, the render memo, the Markdown it spilled, the HTML pages and
    the drawn plots; the seal says this machine made it (:func:`seal_cache`).
    """

    folder: Path

    RELATIVE: ClassVar[Path] = Path("build") / "cache"
    """Where, relative to the project folder (the parent of ``kb/``), the cache lives."""

    @classmethod
    def of_project(cls, project: Path) -> BuildCache:
        """The cache of the project at ``project`` (the folder holding ``kb/``)."""
        return cls(project / cls.RELATIVE)

    @property
    def files(self) -> Path:
        """What validation found per file (:class:`~limkb.check.cache.FileCache`)."""
        return self.folder / "files.pickle"

    @property
    def analyses(self) -> Path:
        """The analyses' results with the key of their inputs."""
        return self.folder / "analyses.pickle"

    @property
    def render(self) -> Path:
        """The render memo (:class:`~limkb.site.memo.RenderMemo`)."""
        return self.folder / "render.pickle"

    @property
    def render_pieces(self) -> Path:
        """The render memo's pieces of hub pages, one file per page (a page unchanged by a
        build is linked from the last build's, not written)."""
        return self.folder / "render-pieces"

    @property
    def markdown(self) -> Path:
        """The rendered pages, spilled to disk during a build."""
        return self.folder / "markdown"

    @property
    def html(self) -> Path:
        """The HTML pages MkDocs may skip (:class:`~limkb.incremental.HtmlCache`)."""
        return self.folder / "html"

    @property
    def plots(self) -> Path:
        """The drawn plots and graph layouts."""
        return self.folder / "plots"

    @property
    def templates(self) -> Path:
        """The page templates compiled (:class:`~limkb.site.bytecode.SealedTemplates`)."""
        return self.folder / "templates"

    @property
    def exports(self) -> Path:
        """What each data file of ``build/`` was made from (:mod:`limkb.outputs.exports`)."""
        return self.folder / "exports"

    def load_pickle(self, key: str) -> Path:
        """The load cache of the KB whose :func:`~limkb.access.cache_key` is ``key``."""
        return self.folder / f"kb-{key}.pickle"

    LOAD_PICKLES: ClassVar[str] = "kb-*.pickle"
    """The glob of every load cache (only the latest is kept)."""

    REMADE: ClassVar[frozenset[str]] = frozenset(
        {
            "html",
            "markdown",
            "plots",
            "templates",
            "exports",
            "render.pickle",
            "render-pieces",
            "files.pickle",
            "analyses.pickle",
            CACHE_SEAL,
        }
    )
    """What every build writes anew; anything else (the load cache) a build carries over."""


def seal_cache(folder: Path) -> None:
    """Mark ``folder`` (a ``build/cache``) as made by limkb on this machine."""
    write_atomic(folder / CACHE_SEAL, seal(b"limkb build cache"))


def trusted_cache(folder: Path) -> bool:
    """Whether ``folder`` (a ``build/cache``) was sealed by limkb on this machine: a cache
    committed to a repository, or copied from elsewhere, is ignored whole (pages, plots,
    Markdown and pickles)."""
    try:
        return not folder.is_symlink() and unseal((folder / CACHE_SEAL).read_bytes()) == b"limkb build cache"
    except OSError:
        return False


def within(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, is ``root`` or lies below it."""
    return path.resolve().is_relative_to(root.resolve())


class UnsafePlace(ValueError):
    """A folder limkb would write or clean could lead out of the project (a symbolic link, a
    file where a folder belongs, or a folder that holds files limkb did not make)."""


_MADE = ".limkb-made"
"""The marker in a folder limkb made for its own files: only such a folder is ever cleaned."""


def own_folder(project: Path, relative: Path | str) -> Path:
    """``project/relative``, made if missing, after checking that no part of it is a symbolic
    link or a file and that it holds limkb's marker (a folder that exists without it and is not
    empty is someone else's). Raises :class:`UnsafePlace` with what is wrong and how to fix it."""
    path = Path(project)
    for part in Path(relative).parts:
        path = path / part
        if path.is_symlink():
            raise UnsafePlace(
                f"{path} is a symbolic link (to {os.readlink(path)}); limkb writes and deletes in it, "
                "so it must be a real folder of the project: remove the link"
            )
        if path.exists() and not path.is_dir():
            raise UnsafePlace(f"{path} is not a folder; remove it, limkb makes the folder itself")
    marker = path / _MADE
    if path.is_dir() and not marker.is_file() and any(path.iterdir()):
        raise UnsafePlace(
            f"{path} holds files limkb did not make; move them away (limkb deletes what it no "
            "longer needs in this folder)"
        )
    path.mkdir(parents=True, exist_ok=True)
    if not marker.is_file():
        marker.write_bytes(b"made by limkb: its files may be replaced or deleted by limkb\n")
    return path


def stale_files(folder: Path, wanted: set[Path]) -> list[Path]:
    """The files below ``folder`` (links not followed, limkb's marker kept) that are not in
    ``wanted``: what a folder made by :func:`own_folder` may drop."""
    found: list[Path] = []
    for top, folders, names in os.walk(folder, followlinks=False):
        for name in names + [f for f in folders if os.path.islink(os.path.join(top, f))]:
            path = Path(top) / name
            if path not in wanted and not (name == _MADE and Path(top) == folder):
                found.append(path)
    return found


def signatures(*places: Path | str) -> dict[str, tuple[int, int, int, int]]:
    """Path -> (size, mtime, ctime in ns, inode) of every file below the folders ``places`` (or
    of the file itself), hidden names skipped, symbolic links not followed; a place that is gone
    counts as empty. What a cache key or a watcher compares: the change time and the inode move
    with every write or replacement even when the modification time is put back (``cp -p``,
    ``rsync -a``, ``tar``), and no user can set them."""
    found: dict[str, tuple[int, int, int, int]] = {}
    stack = [str(place) for place in places]
    while stack:
        path = stack.pop()
        try:
            if not os.path.isdir(path):
                status = os.stat(path)
                found[path] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
                continue
            with os.scandir(path) as items:
                for item in items:
                    if item.name.startswith("."):
                        continue
                    if item.is_dir(follow_symlinks=False):
                        stack.append(item.path)
                    else:
                        status = item.stat(follow_symlinks=False)
                        found[item.path] = (
                            status.st_size,
                            status.st_mtime_ns,
                            status.st_ctime_ns,
                            status.st_ino,
                        )
        except OSError:
            continue
    return found
