"""limkb: a curated, citable knowledge base of interfacial engineering of lithium-metal anodes.

The primary interface is :func:`load`, which returns a :class:`KnowledgeBase`::

    import limkb
    kb = limkb.load()            # the kb/ of this checkout, or limkb.load("path/to/kb")
    kb["lif"]                    # a typed entry
    kb.related("lif", "forms", direction="in")
"""

from __future__ import annotations

from limkb._version import __version__
from limkb.api import load
from limkb.errors import BuildError, LimkbError, LoadError, UnknownEntryError, ValidationError
from limkb.graph import KnowledgeBase, Relation
from limkb.report import Problem, Report, Severity
from limkb.validate import Validated, validate_kb

__all__ = [
    "BuildError",
    "KnowledgeBase",
    "LimkbError",
    "LoadError",
    "Problem",
    "Relation",
    "Report",
    "Severity",
    "UnknownEntryError",
    "Validated",
    "ValidationError",
    "__version__",
    "load",
    "validate_kb",
]
