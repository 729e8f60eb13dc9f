"""Compiled page templates kept between builds, so that a rebuild does not compile them again.

Jinja2 turns each template into Python code the first time a process uses it: limkb's own page
templates and the theme's (about fifty files, a second of every build, whatever the size of the
KB). :class:`SealedTemplates` keeps that code in ``build/cache/templates/``, one file per
template, each sealed with this machine's key (:func:`limkb.files.seal`): the code is loaded
only from a file limkb wrote here, never from one planted in the tree. A file is named by a hash
of the template, limkb's code and the versions of the packages that compile it, and Jinja2
checks the template's source against the checksum inside; so a changed template, theme or
limkb is compiled anew. The output is the same either way.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from limkb.files import seal, unseal, write_atomic

__all__ = ["SealedTemplates"]

_PACKAGES = ("jinja2", "mkdocs", "mkdocs-material")
"""Whose versions decide the code a template compiles to."""


def _salt() -> bytes:
    """What a compiled template depends on besides its own source: limkb's code (the
    environments' settings and filters) and the versions of the packages compiling it."""
    import sys

    from limkb._version import code_digest

    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    return f"{code_digest()}\0{sys.version}\0{chr(0).join(versions)}".encode()


class SealedTemplates(jinja2.BytecodeCache):
    """Jinja2's compiled templates read from ``read`` (the last build's cache) or ``write`` (this
    build's) and kept in ``write``: every template this build used ends up there, so the folder
    holds what the next build needs and nothing else."""

    def __init__(self, read: Path | None, write: Path) -> None:
        self.read, self.write = read, write
        self._salt = _salt()

    def _name(self, bucket: Bucket) -> str:
        return hashlib.sha256(self._salt + b"\0" + bucket.key.encode()).hexdigest() + ".code"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill ``bucket`` from a sealed file of this build's folder or the last build's, if
        there is one for the template as it is now."""
        name = self._name(bucket)
        for folder in (self.write, self.read):
            if folder is None:
                continue
            try:
                blob = (folder / name).read_bytes()
            except OSError:
                continue
            data = unseal(blob)
            if data is None:
                continue  # not written by limkb on this machine: never loaded
            bucket.bytecode_from_string(data)
            if bucket.code is None:
                continue  # another version of the template: compiled anew
            if folder is self.read:
                self._keep(name, blob)
            return

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a template compiled now for the next build."""
        self._keep(self._name(bucket), seal(bucket.bytecode_to_string()))

    def _keep(self, name: str, blob: bytes) -> None:
        try:
            write_atomic(self.write / name, blob)
        except OSError:  # a cache that cannot be written only loses the shortcut
            return
