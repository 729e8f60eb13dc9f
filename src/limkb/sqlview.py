"""The SQL view of a loaded KB: what ``kb.engine`` and ``kb.session()`` return.

:class:`~limkb.graph.KnowledgeBase` sits below :mod:`limkb.outputs`, so it cannot build the
SQLite database itself; this module, above the outputs layer, builds it and is handed to the
knowledge base as its SQL view when the ``limkb`` package is imported
(:func:`limkb.graph.use_sql_view`). The engine is built on first use and kept with the KB's other
derived data (never pickled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from limkb.graph import KnowledgeBase

__all__ = ["memory_view"]


def memory_view(kb: KnowledgeBase) -> Engine:
    """An engine over an in-memory database like ``build/kb.sqlite``, analysis results included."""
    from limkb.outputs.sqlite import memory_engine

    return memory_engine(kb, results=kb.analyses)
