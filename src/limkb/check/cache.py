"""The file cache: what validation found for each file, kept between runs.

``limkb serve`` keeps one in memory; ``limkb build`` keeps one in ``build/cache/files.pickle``
for the next build (:meth:`FileCache.read`, :meth:`FileCache.write`). It also keeps what RDKit
made of each SMILES (:func:`smiles_outcome`), keyed by the SMILES's hash, so a rebuild after an
unrelated edit does not parse the materials' structures again.

On disk the cache is a run of frames, each sealed on its own (:func:`limkb.files.seal`): the
whole cache, then what each later build changed (:class:`_Delta`). A build that read the cache
writes the frames it read, byte for byte, and one frame of its changes, so its cost follows
the edit rather than the size of the KB; after :data:`_MAX_FRAMES` frames, or changes to more
than a quarter of the files, it writes the whole cache again in one frame.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from limkb.check.reader import MAX_BYTES, Document, load_file
from limkb.check.schema_errors import validate_schema
from limkb.files import default_mode, seal, unseal_view, write_atomic
from limkb.report import Problem, Report
from limkb.schema.kinds import FOLDERS, Entry

if TYPE_CHECKING:
    from limkb.check.rules import EntryChecks, RuleMemo

__all__ = ["FileCache", "SmilesOutcome", "smiles_outcome", "versions"]

_FORMAT = 4

_MAX_FRAMES = 16
"""Frames a cache file may hold before a build writes it whole again."""

_LENGTH = 8
"""Bytes of the big-endian length before each sealed frame."""

_HEAD = _LENGTH + 64
"""Bytes of a frame that hold its length, its seal's header and its MAC, and so tell it apart."""

SmilesOutcome = tuple[bool, str, str]
"""What RDKit made of a SMILES: (read, formula or message, "" or hint)."""

_K = TypeVar("_K")
_V = TypeVar("_V")
_FileKey = tuple[str, str]
_FileValue = tuple[str, Document | None, list[Problem]]
_SchemaValue = tuple[Document, Entry, bool, list[Problem]]
_StatValue = tuple[tuple[int, int, int, int], int]


@dataclass
class _Delta:
    """What one build changed in a cache it read: entries set anew, keys gone, and the (small)
    structures and rules' memo whole."""

    files: dict[_FileKey, _FileValue]
    files_gone: set[_FileKey]
    schemas: dict[tuple[str, str], _SchemaValue]
    schemas_gone: set[tuple[str, str]]
    stats: dict[_FileKey, _StatValue]
    stats_gone: set[_FileKey]
    structures: dict[str, SmilesOutcome]
    rules: RuleMemo
    entries: dict[str, EntryChecks]
    entries_gone: set[str]

    def size(self) -> int:
        """How many files' and entries' records it sets or drops."""
        return len(self.files) + len(self.files_gone) + len(self.schemas) + len(self.schemas_gone)


@dataclass
class _Base:
    """Where a cache was read from, the head of each of its frames (length, seal and MAC: the
    frames are read again when the cache is written, not kept in memory), and its records as
    they were read (the same objects)."""

    path: Path
    heads: list[bytes]
    files: dict[_FileKey, _FileValue]
    schemas: dict[tuple[str, str], _SchemaValue]
    stats: dict[_FileKey, _StatValue]
    entries: dict[str, EntryChecks]


@dataclass
class FileCache:
    """What validation found for each file, kept between runs of one process (``limkb serve``).

    A file's document and load problems are reused only while its bytes hash the same, and
    its schema outcome only while it is the very same document; a check that spans entries
    runs again unless the entries it reads are unchanged (:data:`rules`). Files that
    disappeared are dropped at the next run.
    """

    files: dict[tuple[str, str], tuple[str, Document | None, list[Problem]]] = field(default_factory=dict)
    """(path, shown path) -> (sha256 of the bytes, document, load problems)."""
    schemas: dict[tuple[str, str], tuple[Document, Entry, bool, list[Problem]]] = field(default_factory=dict)
    """(folder, id) -> (document, entry, complete, schema problems)."""
    stats: dict[tuple[str, str], tuple[tuple[int, int, int, int], int]] = field(default_factory=dict)
    """(path, shown path) -> (size, mtime, ctime, inode) when hashed, and the time it was hashed."""
    structures: dict[str, SmilesOutcome] = field(default_factory=dict)
    """sha256 of a SMILES -> what RDKit made of it (see :func:`smiles_outcome`)."""
    rules: RuleMemo = field(default_factory=dict)
    """What the rules that span entries reported, reused while what they read is the same
    (:func:`limkb.check.rules.check_rules`)."""
    entries: dict[str, EntryChecks] = field(default_factory=dict)
    """What the rules that check one entry at a time found in each entry, reused while the
    entry and the state of the ids it names are the same (:class:`~limkb.check.rules.EntryChecks`)."""
    hits: int = 0
    misses: int = 0

    used: set[str] = field(default_factory=set, repr=False)
    """The structures asked for during the current :meth:`checking`."""
    _base: _Base | None = field(default=None, repr=False, compare=False)
    """The frames this cache was read from (:meth:`read`), never written into a frame."""

    def __getstate__(self) -> dict[str, object]:
        """What a frame keeps: everything but the frames it was read from."""
        return {k: v for k, v in self.__dict__.items() if k != "_base"}

    @contextmanager
    def checking(self) -> Iterator[None]:
        """Within it, :func:`smiles_outcome` reads and fills this cache's structures; after a
        run that ends normally, the structures no material asked for are forgotten."""
        self.used = set()
        token = _ACTIVE.set(self)
        try:
            yield
        finally:
            _ACTIVE.reset(token)
        if self.used:  # a run that reused the material rule's problems asked for none
            self.structures = {k: v for k, v in self.structures.items() if k in self.used}
        self.used = set()

    def _digest(self, key: tuple[str, str], path: str | Path) -> str | None:
        """The file's hash; when its status is what it was at an earlier hash (older than a second), that one."""
        status = os.stat(path)
        signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        known, cached = self.stats.get(key), self.files.get(key)
        # Like git's index: a file changed again within the timestamp's resolution could keep its
        # status, so the status is trusted only when the file was older than a second when hashed.
        if (
            known is not None
            and cached is not None
            and known[0] == signature
            and max(status.st_mtime_ns, status.st_ctime_ns) + 1_000_000_000 < known[1]
        ):
            return cached[0]
        if status.st_size > MAX_BYTES:
            return None
        hashed_at = time.time_ns()
        digest = hashlib.sha256(_read(path)).hexdigest()
        self.stats[key] = (signature, hashed_at)
        return digest

    def load(self, path: str | Path, shown: str) -> tuple[Document | None, list[Problem]]:
        """:func:`limkb.check.reader.load_file`, unless the file's bytes are those loaded last time."""
        key = (os.fspath(path), shown)
        try:
            digest = self._digest(key, path)
        except OSError:
            digest = None
        if digest is None:
            self.stats.pop(key, None)
            return load_file(path, display=shown)
        cached = self.files.get(key)
        if cached is not None and cached[0] == digest:
            self.hits += 1
            return cached[1], list(cached[2])
        self.misses += 1
        document, problems = load_file(path, display=shown)
        try:  # keep it only if the file did not change while it was read
            if hashlib.sha256(_read(path)).hexdigest() == digest:
                if document is not None:
                    document.digest = digest
                self.files[key] = (digest, document, list(problems))
            else:
                self.stats.pop(key, None)
        except OSError:
            self.stats.pop(key, None)
        return document, problems

    def schema(self, folder: str, stem: str, document: Document, report: Report) -> tuple[Entry, bool]:
        """:func:`validate_schema` of ``document``, reused while the document is the same object."""
        cached = self.schemas.get((folder, stem))
        if cached is not None and cached[0] is document:
            report.extend(cached[3])
            return cached[1], cached[2]
        found = Report()
        entry, complete = validate_schema(FOLDERS[folder], stem, document, found)
        self.schemas[(folder, stem)] = (document, entry, complete, list(found.problems))
        report.extend(found.problems)
        return entry, complete

    @classmethod
    def read(cls, path: Path | None) -> FileCache:
        """The cache a build wrote to ``path``; an empty one when there is none, or it was made
        by other code (limkb, pydantic or Python of another version), is not sealed on this
        machine (every frame is checked before a byte of it is unpickled) or does not load."""
        frames = _read_frames(path)
        enabled = gc.isenabled()
        gc.disable()  # unpickling many objects at once: collecting meanwhile only slows it
        try:
            cache = _replay(cls, frames) if frames else None
        except Exception:  # a damaged frame: only a missed shortcut
            cache = None
        finally:
            if enabled:
                gc.enable()
        if cache is None or path is None:
            return cls()
        cache.hits = cache.misses = 0
        cache._base = cache._based_on(path, [bytes(f[:_HEAD]) for f in frames])
        return cache

    def _based_on(self, path: Path, heads: list[bytes]) -> _Base:
        """The base of a cache read from (or written to) ``path`` as frames with these heads."""
        return _Base(
            path,
            heads,
            dict(self.files),
            dict(self.schemas),
            dict(self.stats),
            dict(self.entries),
        )

    def write(self, path: Path) -> None:
        """Keep the cache for the next build: the frames it was read from and one of what
        changed since, or the whole cache in one frame (see the module's notes)."""
        delta = self._delta()
        version = _versions()
        enabled = gc.isenabled()
        gc.disable()  # pickling many objects at once: collecting meanwhile only slows it
        try:
            added = None if delta is None else _frame({"versions": version, "delta": delta})
            whole = None if added is not None else _frame({"versions": version, "cache": self})
        finally:
            if enabled:
                gc.enable()
        if added is not None and self._base is not None and _append(self._base, path, added):
            self._base = self._based_on(path, [*self._base.heads, added[:_HEAD]])
            return
        if whole is None:
            whole = _frame({"versions": version, "cache": self})
        write_atomic(path, whole)
        self._base = self._based_on(path, [whole[:_HEAD]])

    def _delta(self) -> _Delta | None:
        """What changed since :meth:`read`, or None when the cache is better written whole."""
        base = self._base
        if base is None or len(base.heads) >= _MAX_FRAMES:
            return None
        entries, entries_gone = _changes(base.entries, self.entries)
        delta = _Delta(
            *_changes(base.files, self.files),
            *_changes(base.schemas, self.schemas),
            *_changes(base.stats, self.stats),
            structures=self.structures,
            rules=self.rules,
            entries=entries,
            entries_gone=entries_gone,
        )
        return None if delta.size() * 4 > max(len(self.files), 1) else delta

    def _apply(self, delta: _Delta) -> None:
        """Bring the cache up to date with one frame of changes."""
        _update(self.files, delta.files, delta.files_gone)
        _update(self.schemas, delta.schemas, delta.schemas_gone)
        _update(self.stats, delta.stats, delta.stats_gone)
        _update(self.entries, delta.entries, delta.entries_gone)
        self.structures, self.rules = delta.structures, delta.rules

    def keep_only(self, files: set[tuple[str, str]], schemas: set[tuple[str, str]]) -> None:
        """Forget what belongs to files and entries that are gone."""
        self.files = {k: v for k, v in self.files.items() if k in files}
        self.stats = {k: v for k, v in self.stats.items() if k in files}
        self.schemas = {k: v for k, v in self.schemas.items() if k in schemas}


def _read(path: str | Path) -> bytes:
    """The bytes of the file at ``path``."""
    with open(path, "rb") as stream:
        return stream.read()


def _changes(before: dict[_K, _V], now: dict[_K, _V]) -> tuple[dict[_K, _V], set[_K]]:
    """The records of ``now`` that are not the very objects ``before`` held, and the keys gone."""
    changed = {k: v for k, v in now.items() if before.get(k) is not v}
    return changed, {k for k in before if k not in now}


def _update(mine: dict[_K, _V], changed: dict[_K, _V], gone: set[_K]) -> None:
    """``mine`` with the records ``changed`` set and the keys ``gone`` dropped."""
    mine.update(changed)
    for key in gone:
        mine.pop(key, None)


def _frame(payload: object) -> bytes:
    """One sealed frame of ``payload``, behind its length."""
    sealed = seal(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    return len(sealed).to_bytes(_LENGTH, "big") + sealed


def _append(base: _Base, path: Path, frame: bytes) -> bool:
    """Write at ``path`` (atomically) the cache file ``base`` was read from with ``frame`` after
    its frames: the file is copied by the operating system, not read into memory, and then its
    frames' heads are checked to be those read. False, with nothing written, when they are not
    (or the file cannot be copied)."""
    import shutil

    try:
        if base.path.is_symlink():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "r+b") as stream:
            with base.path.open("rb") as source:
                if not _copy_file(source, stream):
                    stream.seek(0)
                    stream.truncate()
                    source.seek(0)
                    shutil.copyfileobj(source, stream)
                    stream.flush()
            if _heads(stream) != base.heads:
                raise OSError("the cache file changed since it was read")
            stream.seek(0, os.SEEK_END)
            stream.write(frame)
        os.chmod(temporary, default_mode())
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return False
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _copy_file(source: BinaryIO, target: BinaryIO) -> bool:
    """Copy ``source`` into ``target`` in the kernel (``os.copy_file_range``); False when it
    cannot, with nothing copied."""
    status = os.fstat(source.fileno())
    if not stat.S_ISREG(status.st_mode) or not hasattr(os, "copy_file_range"):
        return False
    size = status.st_size
    copied = 0
    try:
        while copied < size:
            done = os.copy_file_range(source.fileno(), target.fileno(), size - copied, copied, copied)
            if done == 0:
                break
            copied += done
    except OSError:
        return False
    return copied == size


def _heads(stream: BinaryIO) -> list[bytes]:
    """The head (length, seal and MAC) of each frame of the cache file open as ``stream``;
    none when it is cut short."""
    size = os.fstat(stream.fileno()).st_size
    heads, at = [], 0
    while at < size:
        stream.seek(at)
        head = stream.read(_HEAD)
        length = int.from_bytes(head[:_LENGTH], "big")
        if len(head) < _HEAD or length == 0 or at + _LENGTH + length > size:
            return []
        heads.append(head)
        at += _LENGTH + length
    return heads


def _read_frames(path: Path | None) -> list[memoryview]:
    """The frames of the cache file at ``path``, each whole with its length (views of the file's
    bytes, not copies); none when the file is missing, a link, cut short or holds anything else."""
    if path is None:
        return []
    try:
        if path.is_symlink():
            return []
        blob = memoryview(path.read_bytes())
    except OSError:
        return []
    frames, at = [], 0
    while at < len(blob):
        length = int.from_bytes(blob[at : at + _LENGTH], "big")
        end = at + _LENGTH + length
        if length == 0 or end > len(blob):
            return []
        frames.append(blob[at:end])
        at = end
    return frames


def _replay(cls: type[FileCache], frames: list[memoryview]) -> FileCache | None:
    """The cache the frames hold: the first whole, each later one's changes applied; None
    when a frame is not sealed on this machine or was made by other code."""
    version = _versions()
    payloads = []
    for frame in frames:  # every seal is checked before anything is unpickled
        data = unseal_view(frame[_LENGTH:])
        if data is None:
            return None
        payloads.append(data)
    first = pickle.loads(payloads[0])
    if not (
        isinstance(first, dict) and first.get("versions") == version and isinstance(first.get("cache"), cls)
    ):
        return None
    cache: FileCache = first["cache"]
    for data in payloads[1:]:
        found = pickle.loads(data)
        if not (
            isinstance(found, dict)
            and found.get("versions") == version
            and isinstance(found.get("delta"), _Delta)
        ):
            return None
        cache._apply(found["delta"])
    return cache


_ACTIVE: ContextVar[FileCache | None] = ContextVar("limkb_file_cache", default=None)
"""The cache of the validation running now, if it has one (:meth:`FileCache.checking`)."""


def _smiles_key(smiles: str) -> str:
    return hashlib.sha256(smiles.encode("utf-8", "surrogatepass")).hexdigest()


def smiles_outcome(smiles: str) -> SmilesOutcome:
    """What RDKit makes of ``smiles``: (True, formula, "") or (False, message, hint) when it
    cannot read it. Within :meth:`FileCache.checking`, a SMILES read before is not read again."""
    cache = _ACTIVE.get()
    key = _smiles_key(smiles)
    if cache is not None:
        cache.used.add(key)
        if key in cache.structures:
            return cache.structures[key]
    from limkb.analysis import chemistry

    try:
        outcome: SmilesOutcome = (True, chemistry.formula(smiles), "")
    except chemistry.ChemistryError as error:
        outcome = (False, error.message, error.hint)
    if cache is not None:
        cache.structures[key] = outcome
    return outcome


def versions() -> str:
    """What a document and the entry made of it depend on besides the file's bytes: the cache's
    format, limkb's code, pydantic's, Python's and RDKit's versions (a cache made under others
    is not read)."""
    return _versions()


def _versions() -> str:
    import sys

    import pydantic

    from limkb._version import code_digest

    return f"{_FORMAT} {code_digest()} {pydantic.VERSION} {sys.version} rdkit {_rdkit_version()}"


def _rdkit_version() -> str:
    """RDKit's installed version, read without importing it ("" when it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version("rdkit")
    except metadata.PackageNotFoundError:
        return ""
