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
from pathlib import Path

__all__ = ["default_mode", "read_pickle", "signatures", "umask", "write_atomic", "write_pickle"]


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


def read_pickle(path: Path | None) -> object | None:
    """What :func:`write_pickle` kept at ``path`` (a cache limkb wrote itself), or None when
    there is none or it does not load: a missing or damaged cache is only a missed shortcut."""
    import gc
    import logging
    import pickle

    if path is None:
        return None
    enabled = gc.isenabled()
    gc.disable()  # unpickling many objects at once: collecting meanwhile only slows it
    try:
        with path.open("rb") as handle:
            found: object = pickle.load(handle)
        return found
    except FileNotFoundError:
        return None
    except Exception as error:
        logging.getLogger(__name__).info("ignoring cache %s: %s", path, error)
        return None
    finally:
        if enabled:
            gc.enable()


def write_pickle(path: Path, value: object) -> None:
    """Keep ``value`` at ``path``, streamed to a temporary file beside it and renamed onto it."""
    import pickle

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)


def signatures(*places: Path | str) -> dict[str, tuple[int, int]]:
    """Path -> (size, mtime in ns) of every file below the folders ``places`` (or of the file
    itself), hidden names skipped, symbolic links not followed; a place that is gone counts
    as empty. What a cache key or a watcher compares."""
    found: dict[str, tuple[int, int]] = {}
    stack = [str(place) for place in places]
    while stack:
        path = stack.pop()
        try:
            if not os.path.isdir(path):
                status = os.stat(path)
                found[path] = (status.st_size, status.st_mtime_ns)
                continue
            with os.scandir(path) as items:
                for item in items:
                    if item.name.startswith("."):
                        continue
                    if item.is_dir(follow_symlinks=False):
                        stack.append(item.path)
                    else:
                        status = item.stat(follow_symlinks=False)
                        found[item.path] = (status.st_size, status.st_mtime_ns)
        except OSError:
            continue
    return found
