"""The file cache: what validation found for each file, kept between runs.

``limkb serve`` keeps one in memory; ``limkb build`` keeps one in ``build/cache/files.pickle``
for the next build (:meth:`FileCache.read`, :meth:`FileCache.write`). It also keeps what RDKit
made of each SMILES (:func:`smiles_outcome`), keyed by the SMILES's hash, so a rebuild after an
unrelated edit does not parse the materials' structures again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from limkb.check.reader import MAX_BYTES, Document, load_file
from limkb.check.schema_errors import validate_schema
from limkb.files import read_pickle, write_pickle
from limkb.report import Problem, Report
from limkb.schema.kinds import FOLDERS, Entry

if TYPE_CHECKING:
    from limkb.check.rules import RuleMemo

__all__ = ["FileCache", "SmilesOutcome", "smiles_outcome"]

_FORMAT = 3

SmilesOutcome = tuple[bool, str, str]
"""What RDKit made of a SMILES: (read, formula or message, "" or hint)."""


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
    hits: int = 0
    misses: int = 0

    used: set[str] = field(default_factory=set, repr=False)
    """The structures asked for during the current :meth:`checking`."""

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

    def _digest(self, key: tuple[str, str], path: Path) -> str | None:
        """The file's hash; when its status is what it was at an earlier hash (older than a second), that one."""
        status = path.stat()
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
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.stats[key] = (signature, hashed_at)
        return digest

    def load(self, path: Path, shown: str) -> tuple[Document | None, list[Problem]]:
        """:func:`limkb.check.reader.load_file`, unless the file's bytes are those loaded last time."""
        key = (str(path), shown)
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
            if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
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
        by other code (limkb, pydantic or Python of another version) or does not load."""
        found = read_pickle(path)
        if (
            isinstance(found, dict)
            and found.get("versions") == _versions()
            and isinstance(found.get("cache"), cls)
        ):
            cache: FileCache = found["cache"]
            cache.hits = cache.misses = 0
            return cache
        return cls()

    def write(self, path: Path) -> None:
        """Keep the cache for the next build."""
        write_pickle(path, {"versions": _versions(), "cache": self})

    def keep_only(self, files: set[tuple[str, str]], schemas: set[tuple[str, str]]) -> None:
        """Forget what belongs to files and entries that are gone."""
        self.files = {k: v for k, v in self.files.items() if k in files}
        self.stats = {k: v for k, v in self.stats.items() if k in files}
        self.schemas = {k: v for k, v in self.schemas.items() if k in schemas}


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
