"""The pages of a preview, kept in a folder and rewritten only when their text changed.

While serving, the site engine reads the rendered pages from a real folder of the project
(``.cache/limkb/pages``): with ``mkdocs serve --dirty``, what ``limkb serve`` runs, a page whose
file was not touched is not built again. :class:`PageFolder` writes the pages there, remembers
what it wrote so an unchanged page is not even hashed twice, drops the files no rendering made,
and touches every page when the problems banner they show came, changed or went.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from limkb.files import stale_files, write_atomic

__all__ = ["PageFolder"]


KEPT = 64 * 1024
"""Content up to this size is remembered as the object written (see :func:`_kept`)."""


def _kept(path: str, content: str | bytes) -> str | bytes | None:
    """What :meth:`PageFolder.materialise` keeps of a page's content: an entry page's own text,
    or a small file's (an id page, a citation file: the renderer's memo holds the same object
    while it reuses it, so keeping it costs nothing and spares hashing it again), else nothing
    (a page listing many entries is made anew by every rendering)."""
    if (path.startswith("entries/") and path.count("/") == 2) or len(content) <= KEPT:
        return content
    return None


class PageFolder:
    """What was last written below a preview's page folder, kept between builds."""

    def __init__(self) -> None:
        self.written: dict[str, tuple[str | bytes | None, str]] = {}
        """The content last written below the folder, by path: its hash, and for an entry page
        the content itself (see :meth:`materialise`)."""
        self.banner: str | None = None
        """The problems banner the pages showed when last touched."""

    def write(self, folder: Path, path: str, text: str) -> bool:
        """Write one page's Markdown below ``folder`` unless it is what is there; whether it was written."""
        target = folder / path
        key = str(target)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        last = self.written.get(key)
        if last is not None and last[1] == digest and target.is_file():
            return False
        write_atomic(target, text)
        self.written[key] = (None, digest)  # the text is on disk: only its hash is kept
        return True

    def materialise(
        self,
        pages: Mapping[str, str | bytes],
        folder: Path,
        *,
        keep: Iterable[str] = (),
        prune: bool = True,
    ) -> list[str]:
        """Write ``pages`` below ``folder``, touching only files whose content changed; drop the
        rest (but the files ``keep`` names, written there by someone else), unless not ``prune``.
        Returns the paths written.

        Content that is the very object written last time (an entry page the renderer reused)
        is not even hashed again. Other pages are made anew by every rendering, so their text
        is not kept (it would only hold memory: the browse tables and the bibliography are
        large).
        """
        root = str(folder)
        wanted = {f"{root}/{path}" for path in keep} if prune else None
        written: list[str] = []
        for path, content in pages.items():
            key = f"{root}/{path}"  # str(folder / path), without making a Path of every file
            if wanted is not None:
                wanted.add(key)
            last = self.written.get(key)
            if last is not None and last[0] is content and os.path.isfile(key):
                continue
            target = Path(key)
            data = content.encode("utf-8") if isinstance(content, str) else content
            digest = hashlib.sha256(data).hexdigest()
            if last is not None and last[1] == digest and target.is_file():
                self.written[key] = (_kept(path, content), digest)
                continue
            if not (target.is_file() and target.read_bytes() == data):
                write_atomic(target, data)
                written.append(path)
            self.written[key] = (_kept(path, content), digest)
        if wanted is not None and folder.is_dir():
            for stale in stale_files(folder, {Path(key) for key in wanted}):
                stale.unlink()
                self.written.pop(str(stale), None)
        return written

    def forget(self, folder: Path, paths: Iterable[str]) -> None:
        """Forget what was written at ``paths``: someone else wrote them since."""
        for path in paths:
            self.written.pop(str(folder / path), None)

    def show_banner(self, banner: str | None, folder: Path, paths: Iterable[str]) -> None:
        """When the problems banner came, changed or went, touch every page: each shows it."""
        if banner == self.banner:
            return
        now = time.time()
        for path in paths:
            with contextlib.suppress(OSError):
                os.utime(folder / path, (now, now))
        self.banner = banner
