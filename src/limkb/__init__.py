"""limkb: a curated, citable knowledge base of interfacial engineering of lithium-metal anodes.

The primary interface is :func:`load`, which returns a :class:`KnowledgeBase`::

    import limkb
    kb = limkb.load()            # the kb/ of this checkout, or limkb.load("path/to/kb")
    kb["lif"]                    # a typed entry
    kb.related("lif", "forms", direction="in")

The package is laid out as the pipeline, each subpackage a stage importing only those before
it: ``schema`` (what an entry is) -> ``analysis`` (formulations, descriptors, expressions,
correlations) -> ``check`` (strict reading and validation, which uses analysis's parsers) and
``search`` (text search) -> ``graph`` (the KnowledgeBase) -> ``access`` (``load`` and its cache) ->
``outputs`` (SQLite, graph formats, CSV, JSON-LD) -> ``site`` (pages, plots, templates) and
``sqlview`` (``kb.engine``, handed to ``graph`` below) ->
``plugin`` (MkDocs) -> ``commands`` (build, serve, fmt, new, import-bib, import-table) -> ``cli``.
``report``, ``errors``, ``files`` and ``_version`` are shared by all of them.
"""

from __future__ import annotations

from limkb._version import __version__
from limkb.access import load
from limkb.check.validate import Validated, validate_kb
from limkb.errors import BuildError, LimkbError, LoadError, UnknownEntryError, ValidationError
from limkb.graph import KnowledgeBase, Relation, use_sql_view
from limkb.report import Problem, Report, Severity
from limkb.sqlview import memory_view

use_sql_view(memory_view)  # kb.engine / kb.session(): built above the outputs layer

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
