"""``limkb.load``: the one call analysts need to get a :class:`~limkb.graph.KnowledgeBase`.

Loading validates every file, so a large KB takes a while; the linked result is therefore
cached as a pickle under ``build/cache/`` next to the ``kb/`` folder, sealed with this machine's
key (:func:`limkb.files.seal`: a planted file is never unpickled). The cache key hashes the path,
size, modification and change times and inode of every file below ``kb/`` (a content edit that
puts the modification time back still changes the change time), the working directory
(messages show paths relative to it), the versions of limkb, pydantic and Python, and a
digest of limkb's own code (:func:`limkb._version.code_digest`), so any edit, addition,
removal, upgrade or change to limkb itself makes a fresh load. The cache is written only by this
module into the project's own build folder, and a file that fails to load is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from limkb.check.result import display_path
from limkb.errors import LoadError, ValidationError
from limkb.files import BuildCache, read_pickle, signatures, write_pickle
from limkb.graph import KnowledgeBase, link
from limkb.schema.kinds import Source

if TYPE_CHECKING:
    from limkb.check.validate import FileCache

__all__ = ["CACHE_DIR", "cache_key", "describe", "find_kb", "load"]

log = logging.getLogger(__name__)

CACHE_DIR = BuildCache.RELATIVE
"""Where, relative to the project folder (the parent of ``kb/``), the load cache lives."""

_CACHE_FORMAT = 2


def find_kb(start: Path | None = None) -> Path:
    """The ``kb/`` folder to use: ``./kb``, else the ``kb/`` next to the nearest ``mkdocs.yml`` upwards."""
    here = (start or Path.cwd()).resolve()
    if (here / "kb").is_dir():
        return here / "kb"
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "kb").is_dir():
            return folder / "kb"
    raise LoadError(str(here), "no kb/ folder here or next to an mkdocs.yml above; pass the path to load()")


def _versions() -> str:
    import pydantic

    from limkb._version import __version__, code_digest

    return f"limkb {__version__} ({code_digest()}); pydantic {pydantic.VERSION}; python {sys.version}; format {_CACHE_FORMAT}"


def cache_key(root: Path) -> str:
    """A hash of every file below ``root`` (path, size, mtime) and of the software versions."""
    digest = hashlib.sha256()
    digest.update(_versions().encode())
    digest.update(str(root.resolve()).encode())
    digest.update(os.getcwd().encode())
    for path, signature in sorted(signatures(root).items()):
        digest.update(f"{path}\0{signature}\n".encode())
    return digest.hexdigest()[:32]


def _read_cache(path: Path) -> KnowledgeBase | None:
    kb = read_pickle(path)  # None unless sealed on this machine
    return kb if isinstance(kb, KnowledgeBase) else None


def _write_cache(cache: BuildCache, key: str, kb: KnowledgeBase) -> None:
    try:
        cache.folder.mkdir(parents=True, exist_ok=True)
        for old in cache.folder.glob(BuildCache.LOAD_PICKLES):
            old.unlink(missing_ok=True)
        write_pickle(cache.load_pickle(key), kb)
    except OSError as error:  # read-only checkout: loading still works, only slower
        log.info("could not write the load cache in %s: %s", cache.folder, error)


def load(
    path: str | Path | None = None,
    *,
    strict: bool = False,
    cache: bool = True,
    files: FileCache | None = None,
) -> KnowledgeBase:
    """Load, validate and link a knowledge base: the one place that does (the plugin, ``limkb build``
    and ``limkb serve`` call it too).

    ``path`` is the ``kb/`` folder; by default ``./kb``, or the ``kb/`` next to the nearest
    ``mkdocs.yml`` above the working directory. Raises :class:`~limkb.errors.ValidationError`
    (with the full report) when an entry has errors, or warnings too when ``strict``.
    With ``cache`` (the default), an unchanged KB is read back from ``build/cache/``. ``files`` is a
    per-file validation cache (:class:`~limkb.check.validate.FileCache`) that the caller keeps
    across loads, so only the files that changed are read again (``limkb build``, ``limkb serve``).

    >>> kb = limkb.load()                                   # doctest: +SKIP
    >>> [e.id for e in kb.related("lif", "forms", direction="in")]   # doctest: +SKIP
    """
    if path is not None and not str(path).strip():
        raise LoadError(repr(str(path)), "an empty path; pass the kb/ folder, or nothing for ./kb")
    root = find_kb() if path is None else Path(path)
    if not root.is_dir():
        raise LoadError(str(root), "not a folder; pass the kb/ folder of a project")
    build_cache = BuildCache.of_project(root.resolve().parent)
    key = cache_key(root) if cache else ""
    kb = _read_cache(build_cache.load_pickle(key)) if cache else None
    if kb is None:
        from limkb.check.validate import validate_kb

        kb = link(validate_kb(root, cache=files))
        if kb.report.ok(strict=False) and cache:
            _write_cache(build_cache, key, kb)
    if not kb.report.ok(strict=strict):
        raise ValidationError(kb.report)
    kb.root = root
    return kb


def _cite(sources: tuple[Source, ...] | list[Source]) -> str:
    return "; ".join(f"{s.ref} ({s.locator})" if s.locator else s.ref for s in sources)


def describe(kb: KnowledgeBase, entry_id: str) -> str:
    """A plain-text card of one entry: name, kind, file:line, summary, relations both ways, sources.

    Raises :class:`~limkb.errors.UnknownEntryError` (naming close ids) for an unknown id.
    """
    entry = kb[entry_id]
    lines = [
        f"{entry.label}  [{entry.kind} {entry.id}]",
        f"{display_path(kb.file_of(entry_id))}:{kb.line_of(entry_id)}",
    ]
    if entry.summary:
        lines += ["", entry.summary.strip()]
    sections: tuple[tuple[Literal["out", "in"], str], ...] = (("out", "Relations"), ("in", "Referenced by"))
    for direction, title in sections:
        relations = kb.relations(entry_id, direction=direction)
        if not relations:
            continue
        lines += ["", f"{title}:"]
        for relation in sorted(relations, key=lambda r: (r.reading(entry_id), r.evidence or "")):
            verb, other = relation.reading(entry_id)
            extra = f" ({relation.evidence})" if relation.evidence else ""
            lines.append(f"  {verb} {other}{extra}: {kb[other].label}")
            if relation.sources:
                lines.append(f"      sources: {_cite(relation.sources)}")
    if entry.sources:
        lines += ["", "Sources:"] + [f"  {_cite([s])}" for s in entry.sources]
    return "\n".join(lines)
