"""limkb's version, and a digest of its own code for the caches that outlive a process.

A cache keyed by the version string alone survives a change to a validation rule, a template or
the drawing code while the version stays ``0.1.0``. :func:`code_digest` hashes every file the
package ships (Python modules, templates, assets), so any change to limkb invalidates what
an older limkb derived.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["__version__", "code_digest"]

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_digest() -> str:
    """SHA-256 of limkb's own files (path and bytes, in path order), as hex."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        if path.suffix in {".pyc", ".pyo"}:
            continue
        digest.update(b"\0" + path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
