"""The one registry of the build's data files: each export's file name, writer and description.

:data:`EXPORTS` is what ``limkb build`` writes into ``build/`` (:func:`write_exports`), what
``limkb export`` writes, what the Downloads page says of each file (:func:`description_of`) and
what ``limkb export --help`` and the README's table list (:func:`export_table`). Adding an export
is one :class:`Export` here and its writer (docs/developing.md, *Add an export*); the suite fails
when an export lacks a name, a description or a writer, or writes a file it does not name.

Writers import their modules when they run, so this module stays cheap to import (the CLI
reads the descriptions for its help).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from limkb.files import write_atomic

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase
    from limkb.schema.kinds import Reference

__all__ = [
    "COMMAND_SKIPS",
    "EXPORTS",
    "Export",
    "ExportRun",
    "description_of",
    "export_table",
    "write_exports",
]

log = logging.getLogger(__name__)


@dataclass
class ExportRun:
    """One writing of the exports: the KB, the folder, the analyses' results, shared inputs."""

    kb: KnowledgeBase
    out_dir: Path
    results: Mapping[str, AnalysisResult]

    @cached_property
    def tables(self) -> dict[str, str]:
        """Each dataset's CSV text, by dataset id (written once, described by the data package)."""
        from limkb.outputs.formats import dataset_csv
        from limkb.schema.kinds import Dataset

        return {dataset.id: dataset_csv(self.kb, dataset.id) for dataset in self.kb.entries(Dataset.kind)}

    @cached_property
    def findings(self) -> str:
        """The text of ``findings.csv`` (written once, described by the data package)."""
        from limkb.outputs.formats import findings_csv

        return findings_csv(self.kb)

    @cached_property
    def references(self) -> list[Reference]:
        """The references, by id, for the bibliography files."""
        from limkb.schema.kinds import Reference

        return sorted(
            (r for r in self.kb.entries(Reference.kind) if isinstance(r, Reference)), key=lambda r: r.id
        )

    def write(self, name: str, content: str) -> Path:
        """Write ``content`` to ``name`` below the folder, atomically."""
        return write_atomic(self.out_dir / name, content)


Writer = Callable[[ExportRun], list[Path]]


@dataclass(frozen=True)
class Export:
    """One data file of the build (``name`` may hold ``<id>``: one file per dataset)."""

    name: str
    description: str
    """One sentence: the Downloads page, ``limkb export --help`` and the README show it."""
    write: Writer
    in_export_command: bool = True
    """Whether ``limkb export`` writes it too (``analyses.json`` is the build's only)."""

    def matches(self, path: str) -> bool:
        """Whether ``path`` (relative to ``build/``) is a file of this export."""
        return fnmatchcase(path, self.name.replace("<id>", "*"))


def _sqlite(run: ExportRun) -> list[Path]:
    from limkb.outputs.sqlite import write_sqlite

    return [write_sqlite(run.kb, run.out_dir / "kb.sqlite", results=dict(run.results))]


def _graph_json(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import graph_json

    return [run.write("graph.json", graph_json(run.kb))]


def _graphml(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import graph_graphml

    return [run.write("graph.graphml", graph_graphml(run.kb))]


def _jsonld(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import jsonld

    return [run.write("kb.jsonld", json.dumps(jsonld(run.kb), ensure_ascii=False, indent=1) + "\n")]


def _datasets(run: ExportRun) -> list[Path]:
    return [run.write(f"datasets/{dataset_id}.csv", text) for dataset_id, text in run.tables.items()]


def _findings(run: ExportRun) -> list[Path]:
    return [run.write("findings.csv", run.findings)]


def _datapackage(run: ExportRun) -> list[Path]:
    from limkb.outputs.datapackage import datapackage_json

    return [run.write("datapackage.json", datapackage_json(run.kb, run.tables, findings=run.findings))]


def _metadata(run: ExportRun) -> list[Path]:
    from limkb.outputs.datasette import metadata_json

    return [run.write("metadata.json", metadata_json())]


def _bibtex(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [run.write("references.bib", bibliography.bibtex(run.references))]


def _ris(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [run.write("references.ris", bibliography.ris(run.references))]


def _csl_json(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [run.write("references.csl.json", bibliography.csl_json(run.references))]


def _analyses(run: ExportRun) -> list[Path]:
    from limkb.analysis.correlations import results_json

    path = run.out_dir / "analyses.json"
    path.write_text(results_json(dict(run.results)) + "\n", encoding="utf-8")
    return [path]


EXPORTS: tuple[Export, ...] = (
    Export(
        "kb.sqlite",
        "Every entry, relation, citation, dataset record and analysis result as SQLite tables "
        "(entries, relations, bibliography, citations, dataset_columns, dataset_records, dataset_values, "
        "analysis_results, meta), linked by foreign keys, with full-text search in entries_fts.",
        _sqlite,
    ),
    Export("graph.json", "The knowledge graph as node-link JSON (networkx, D3).", _graph_json),
    Export(
        "graph.graphml", "The knowledge graph as GraphML (Gephi, Cytoscape desktop, yEd, networkx).", _graphml
    ),
    Export("kb.jsonld", "Every entry as JSON-LD linked data.", _jsonld),
    Export("datasets/<id>.csv", "A dataset's records as CSV, values in the column units.", _datasets),
    Export(
        "findings.csv",
        "Every finding once: value, unit, electrolyte as printed and parsed, conditions, source, DOI "
        "and locator, as CSV.",
        _findings,
    ),
    Export(
        "datapackage.json",
        "The dataset CSVs and findings.csv as a Frictionless data package: column types, units, sources, licence.",
        _datapackage,
    ),
    Export(
        "metadata.json",
        "Datasette's metadata for kb.sqlite: licence, source, every table and column described.",
        _metadata,
    ),
    Export("references.bib", "The bibliography as BibTeX (limkb import-bib reads it back).", _bibtex),
    Export("references.ris", "The bibliography as RIS (EndNote, Zotero, Mendeley).", _ris),
    Export("references.csl.json", "The bibliography as CSL-JSON (Zotero, citeproc processors).", _csl_json),
    Export(
        "analyses.json", "The computed correlations with their points.", _analyses, in_export_command=False
    ),
)
"""Every data file, in the order written."""


def description_of(path: str) -> str | None:
    """What the export that wrote ``path`` (relative to ``build/``) holds, or None."""
    return next((export.description for export in EXPORTS if export.matches(path)), None)


def export_table(*, command: bool = False) -> list[tuple[str, str]]:
    """(file name, description) of every export (``command``: those ``limkb export`` writes)."""
    return [(e.name, e.description) for e in EXPORTS if e.in_export_command or not command]


def exports_markdown() -> str:
    """The README's table of the build's data files (between ``<!-- exports:start/end -->``)."""
    rows = [f"| `{name}` | {text} |" for name, text in export_table()]
    return "\n".join(["| file | what |", "|---|---|", *rows])


def write_exports(
    kb: KnowledgeBase,
    out_dir: Path,
    results: Mapping[str, AnalysisResult],
    *,
    skip: frozenset[str] = frozenset(),
) -> list[Path]:
    """Write every export but those named in ``skip`` into ``out_dir``; the paths, in order written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = ExportRun(kb, out_dir, {key: results[key] for key in sorted(results)})
    written: list[Path] = []
    for export in EXPORTS:
        if export.name not in skip:
            written += export.write(run)
    log.info("exported %d files to %s", len(written), out_dir)
    return written


COMMAND_SKIPS = frozenset(e.name for e in EXPORTS if not e.in_export_command)
"""What ``limkb export`` leaves out (the build writes it)."""
