"""``metadata.json``: what Datasette shows about ``kb.sqlite``, made from the table models.

``datasette kb.sqlite --metadata metadata.json`` then shows the title, the description, the
licence (CC BY 4.0, with its URL) and the source on every page, a description of every table
and of every column (the ``description`` of each field in :mod:`limkb.outputs.sqlite`), the
entries' names as the labels of foreign keys, and a search box on ``entries`` backed by the
full-text table ``entries_fts``.
"""

from __future__ import annotations

import json
from typing import Any

from limkb.outputs.provenance import DATA_LICENSE, DESCRIPTION, HOMEPAGE, TITLE
from limkb.outputs.sqlite import FTS_COLUMNS, FTS_TABLE, TABLES

__all__ = ["DATABASE", "LABEL_COLUMNS", "datasette_metadata", "metadata_json"]

DATABASE = "kb"
"""The database's name in Datasette: the stem of ``kb.sqlite``."""

LABEL_COLUMNS = {"entries": "name", "bibliography": "label"}
"""The column Datasette shows for a row that another table's foreign key points to."""


def _first_line(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


def _tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for model in TABLES:
        name = str(model.__tablename__)
        columns = {
            column: _first_line(info.description) for column, info in sorted(model.model_fields.items())
        }
        table: dict[str, Any] = {"description": _first_line(model.__doc__), "columns": columns}
        if name in LABEL_COLUMNS:
            table["label_column"] = LABEL_COLUMNS[name]
        tables[name] = table
    tables["entries"]["fts_table"] = FTS_TABLE
    tables[FTS_TABLE] = {
        "description": "Full-text search (SQLite FTS5) over the entries' ids, names, aliases and summaries: "
        f"`SELECT id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH 'fluoride'`.",
        "columns": dict(sorted(FTS_COLUMNS.items())),
    }
    return tables


def datasette_metadata() -> dict[str, Any]:
    """Datasette's metadata for ``kb.sqlite``: title, licence, source, tables and columns."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": "CC BY 4.0",
        "license_url": DATA_LICENSE["path"],
        "source": "limkb",
        "source_url": HOMEPAGE,
        "databases": {
            DATABASE: {
                "description": "The knowledge base as tables: entries, relations, the bibliography, "
                "citations, dataset columns, records and values, findings, analysis results; `meta` holds "
                "the schema version and the licence.",
                "tables": _tables(),
            }
        },
    }


def metadata_json() -> str:
    """:func:`datasette_metadata` as JSON text: keys sorted, two-space indents, a final newline."""
    return json.dumps(datasette_metadata(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
