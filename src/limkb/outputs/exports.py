"""The one registry of the build's data files: each export's file name, writer and description.

:data:`EXPORTS` is what ``limkb build`` writes into ``build/`` (:func:`write_exports`), what
``limkb export`` writes, what the Downloads page says of each file (:func:`description_of`) and
what ``limkb export --help`` and the README's table list (:func:`export_table`). Adding an export
is one :class:`Export` here and its writer (docs/developing.md, *Add an export*); the suite fails
when an export lacks a name, a description or a writer, or writes a file it does not name.

Writers import their modules when they run, so this module stays cheap to import (the CLI
reads the descriptions for its help).

A writer names what its file reads (:meth:`ExportRun.text`: the digests of the entries it
reads, or :attr:`ExportRun.everything`), so that ``limkb build`` links the last build's file
when that is unchanged instead of writing it again; a writer that names too little would let
a stale file through, so when in doubt it names everything. ``tests/test_incremental.py``
checks which files a rebuild links after each kind of edit, and that the result equals a
clean build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from limkb.files import BuildCache, write_atomic

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase
    from limkb.outputs.datapackage import Resource
    from limkb.outputs.graphfiles import GraphFiles
    from limkb.outputs.rows import RowSource
    from limkb.schema.kinds import Dataset, Reference

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
    """One writing of the exports: the KB, the folder, the analyses' results, shared inputs.

    With ``previous`` (the last build's folder), a file whose inputs are unchanged is linked
    from there instead of written (:meth:`text`): each file is kept with the key of what it
    read (:meth:`key`), in ``build/cache/exports`` when ``keep``.
    """

    kb: KnowledgeBase
    out_dir: Path
    results: Mapping[str, AnalysisResult]
    previous: Path | None = None
    keep: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    """Each file written (relative to the folder) -> the key of its inputs."""
    _tables: dict[str, str] = field(default_factory=dict)

    @cached_property
    def tables(self) -> dict[str, str]:
        """Each dataset's CSV text, by dataset id (written once, described by the data package)."""
        from limkb.schema.kinds import Dataset

        return {dataset.id: self.table(dataset.id) for dataset in self.kb.entries(Dataset.kind)}

    def table(self, dataset_id: str) -> str:
        """One dataset's CSV text: as linked from the last build (:meth:`lend_table`), or made."""
        from limkb.outputs.formats import dataset_csv

        if dataset_id not in self._tables:
            self._tables[dataset_id] = dataset_csv(self.kb, dataset_id)
        return self._tables[dataset_id]

    def lend_table(self, dataset_id: str, path: Path) -> None:
        """Take a dataset's CSV text from its file (linked from the last build), not made again."""
        self._tables[dataset_id] = path.read_bytes().decode("utf-8")

    def lend_findings(self, path: Path) -> None:
        """Take ``findings.csv``'s text from its file (linked from the last build), not made again."""
        self.__dict__["findings"] = path.read_bytes().decode("utf-8")

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

    @cached_property
    def digests(self) -> dict[str, str]:
        """Each entry's digest, by id (:func:`~limkb.outputs.rows.entry_digests`: its file's hash
        where the file cache read it, else its content's)."""
        from limkb.outputs.rows import entry_digests

        return entry_digests(self.kb)

    @cached_property
    def code(self) -> str:
        """The digest of limkb's code: another limkb writes every file anew."""
        from limkb._version import code_digest

        return code_digest()

    def key(self, name: str, parts: Iterable[str]) -> str:
        """The key of the file ``name`` made from ``parts`` (what it reads) by this code."""
        digest = hashlib.sha256(f"{self.code}\0{name}".encode())
        for part in parts:
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    @cached_property
    def labels(self) -> dict[str, str]:
        """Each entry's label as the exports show it (:func:`~limkb.outputs.bibliography.display_labels`)."""
        from limkb.outputs.bibliography import display_labels

        return display_labels(self.kb[i] for i in self.kb)

    @cached_property
    def shown(self) -> dict[str, str]:
        """Each entry's file, relative to the project folder where it lies below it."""
        from limkb.outputs.rows import shown_files

        return shown_files(self.kb, self.digests)

    @cached_property
    def rows(self) -> RowSource:
        """What the database's rows read besides each entry (:mod:`limkb.outputs.rows`)."""
        from limkb.outputs.rows import RowSource

        return RowSource(self.kb, self.labels, self.shown, self.digests, code=self.code)

    @cached_property
    def everything(self) -> list[str]:
        """What an export reading the whole KB reads: a digest of every entry's id, kind,
        content and file."""
        digest = hashlib.sha256()
        for entry_id, content in self.digests.items():
            digest.update(
                f"{entry_id}\0{self.kb[entry_id].kind}\0{content}\0{self.shown[entry_id]}\0".encode()
            )
        return [digest.hexdigest()]

    @cached_property
    def _by_kind(self) -> dict[str, list[str]]:
        """The ids of each kind's entries, by id (one pass over the KB)."""
        found: dict[str, list[str]] = {}
        for entry_id in self.digests:
            found.setdefault(self.kb[entry_id].kind, []).append(entry_id)
        return found

    def of_kind(self, *kinds: str) -> list[str]:
        """The ids and digests of the entries of ``kinds`` (what an export reading only them reads)."""
        return [f"{i}\0{self.digests[i]}" for kind in kinds for i in self._by_kind.get(kind, [])]

    @cached_property
    def _kept(self) -> dict[str, str]:
        """The keys of the last build's files (none without ``previous``, or when unreadable)."""
        if self.previous is None:
            return {}
        try:
            kept = json.loads(
                (BuildCache(self.previous / "cache").exports / _KEYS).read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            return {}
        return kept if isinstance(kept, dict) else {}

    def reuse(self, name: str, key: str) -> Path | None:
        """The last build's ``name``, linked into the folder when it was made from the same
        ``key``; None (and nothing changed) when it must be made anew."""
        self.keys[name] = key
        if self.previous is None or self._kept.get(name) != key:
            return None
        target = self.out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}-link.tmp")
        temporary.unlink(missing_ok=True)
        try:
            os.link(self.previous / name, temporary)
            os.replace(temporary, target)
        except OSError:
            temporary.unlink(missing_ok=True)
            return None
        return target

    def text(self, name: str, parts: Iterable[str], make: Callable[[], str]) -> Path:
        """The file ``name``: the last build's when made from the same ``parts``, else ``make()``."""
        return self.reuse(name, self.key(name, parts)) or self.write(name, make())

    @cached_property
    def graph(self) -> GraphFiles:
        """The entries' pieces of the graph files and the JSON-LD (:mod:`limkb.outputs.graphfiles`),
        those of the last build reused where their inputs are unchanged."""
        from limkb.files import read_pickle
        from limkb.outputs.graphfiles import graph_files

        kept = (
            None
            if self.previous is None
            else read_pickle(BuildCache(self.previous / "cache").exports / _PIECES)
        )
        return graph_files(self.kb, self.labels, self.digests, self.rows.edges, self.code, kept)

    def save_keys(self) -> None:
        """Keep what each file was made from, for the next build (with ``keep``)."""
        if self.keep:
            keys = json.dumps(dict(sorted(self.keys.items())), indent=0)
            cache = BuildCache(self.out_dir / "cache").exports
            write_atomic(cache / _KEYS, keys)
            self._save_pieces(cache / _PIECES)

    def _save_pieces(self, path: Path) -> None:
        """Keep the graph files' pieces: those made now, or (none made: the files were linked)
        the last build's, linked."""
        from limkb.files import write_pickle

        if "graph" in self.__dict__:
            write_pickle(path, self.graph.kept)
        else:
            self.carry(_PIECES, path)

    def carry(self, name: str, path: Path) -> None:
        """Link the last build's cache file ``name`` (of the ``exports`` folder) to ``path``;
        nothing when there is none (the next build then makes what it held)."""
        if self.previous is None:
            return
        old = BuildCache(self.previous / "cache").exports / name
        temporary = path.with_name(f".{path.name}-link.tmp")
        temporary.unlink(missing_ok=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.link(old, temporary)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def reuse_with_pieces(self, name: str, key: str, pieces: str) -> Path | None:
        """:meth:`reuse` of a file joined from pieces kept in the cache file ``pieces``: when it
        is reused, the last build's pieces are carried over with it (see :meth:`carry`)."""
        path = self.reuse(name, key)
        if path is not None and self.keep:
            self.carry(pieces, BuildCache(self.out_dir / "cache").exports / pieces)
        return path

    def last_pieces(self, pieces: str) -> dict[str, object]:
        """The last build's pieces in the cache file ``pieces``, by key; none without one."""
        from limkb.files import read_pickle

        if self.previous is None:
            return {}
        kept = read_pickle(BuildCache(self.previous / "cache").exports / pieces)
        return kept if isinstance(kept, dict) else {}

    def keep_pieces(self, pieces: str, kept: Mapping[str, object]) -> None:
        """Write this build's pieces to the cache file ``pieces``, when the cache is kept."""
        from limkb.files import write_pickle

        if self.keep:
            write_pickle(BuildCache(self.out_dir / "cache").exports / pieces, dict(kept))


_KEYS = "keys.json"
"""The file of :attr:`ExportRun.keys` in the build cache's ``exports`` folder."""

_PIECES = "graph.pickle"
"""The graph files' pieces (:attr:`ExportRun.graph`) in the build cache's ``exports`` folder."""


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
    """``kb.sqlite``: linked when no entry changed, else made with the unchanged entries' rows
    copied from the last build's (:mod:`limkb.outputs.sqlfile`)."""
    from limkb.outputs import sqlfile
    from limkb.outputs.rows import meta_values

    name = "kb.sqlite"
    kept = BuildCache(run.previous / "cache").exports / _SQLITE if run.previous is not None else None
    cache = sqlfile.SqliteCache.read(kept, run.code) if kept is not None else None
    schema = cache.schema if cache is not None else sqlfile.schema_of_code()
    path = run.reuse(name, run.key(name, run.everything))
    if path is not None and cache is not None:
        keys = cache.keys  # the same entries: the same rows
    else:
        path = run.out_dir / name
        previous = (run.previous / name, cache) if run.previous is not None and cache is not None else None
        meta = meta_values(run.kb, schema.version)
        keys = sqlfile.assemble(path, run.rows, run.results, meta, schema=schema, previous=previous)
    if run.keep:
        sqlfile.keep(BuildCache(run.out_dir / "cache").exports / _SQLITE, run.code, schema, keys, path)
    return [path]


_SQLITE = "sqlite.json"
"""What the next build's ``kb.sqlite`` copies from, in the build cache's ``exports`` folder."""


def _graph_json(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import GRAPH_ATTRIBUTES
    from limkb.outputs.graphfiles import json_text

    graph = {**run.kb.graph.graph, **GRAPH_ATTRIBUTES}
    return [run.text("graph.json", run.everything, lambda: json_text(graph, run.graph.pieces))]


def _graphml(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import GRAPH_ATTRIBUTES
    from limkb.outputs.graphfiles import graphml_text

    return [
        run.text(
            "graph.graphml",
            run.everything,
            lambda: graphml_text(GRAPH_ATTRIBUTES, run.graph.keys, run.graph.pieces),
        )
    ]


def _jsonld(run: ExportRun) -> list[Path]:
    from limkb.outputs.formats import jsonld_head
    from limkb.outputs.graphfiles import jsonld_text

    return [run.text("kb.jsonld", run.everything, lambda: jsonld_text(jsonld_head(), run.graph.pieces))]


def _datasets(run: ExportRun) -> list[Path]:
    from limkb.schema.kinds import Dataset, Material

    materials = [run.key("materials", run.of_kind(Material.kind))]  # hashed once, not per dataset
    written = []
    for dataset in run.kb.entries(Dataset.kind):
        assert isinstance(dataset, Dataset)
        name = f"datasets/{dataset.id}.csv"
        parts = [dataset.id, run.digests[dataset.id], *materials, *_cited(run, dataset)]
        reused = run.reuse(name, run.key(name, parts))
        if reused is not None:
            run.lend_table(dataset.id, reused)  # the data package hashes its text
        written.append(reused or run.write(name, run.table(dataset.id)))
    return written


def _cited(run: ExportRun, dataset: Dataset) -> list[str]:
    """The references a dataset's records cite, with their digests (its CSV shows their DOIs)."""
    refs = {source.ref for source in dataset.sources}
    refs.update(record.source.ref for record in dataset.records if record.source is not None)
    return [f"{ref}\0{run.digests.get(ref, '')}" for ref in sorted(refs)]


def _finding_parts(run: ExportRun) -> list[str]:
    """What ``findings.csv`` reads: every entry's findings, the references they cite (DOI,
    reading status) and the materials (their electrolytes' components)."""
    from limkb.schema.kinds import Material

    parts = run.of_kind(Material.kind)
    cited: set[str] = set()
    for entry_id in run.digests:
        findings = getattr(run.kb[entry_id], "findings", None)
        if findings:
            digest = hashlib.sha256()
            for finding in findings:
                digest.update(finding.__pydantic_serializer__.to_json(finding) + b"\0")
            parts.append(f"{entry_id}\0{digest.hexdigest()}")
            cited.update(finding.source.ref for finding in findings)
    parts.extend(f"{ref}\0{run.digests.get(ref, '')}" for ref in sorted(cited))
    return parts


def _findings(run: ExportRun) -> list[Path]:
    name = "findings.csv"
    reused = run.reuse(name, run.key(name, _finding_parts(run)))
    if reused is not None:
        run.lend_findings(reused)  # the data package hashes its text
        return [reused]
    return [run.write(name, run.findings)]


def _datapackage(run: ExportRun) -> list[Path]:
    """``datapackage.json``: it describes the datasets (their CSVs' text, their properties'
    names, their references' labels, lettered among all references) and ``findings.csv``."""
    from limkb.outputs.datapackage import datapackage_json, joined_datapackage_json
    from limkb.schema.kinds import Dataset, Property, Reference

    parts = run.of_kind(Dataset.kind, Property.kind, Reference.kind)
    parts += [f"{name}\0{key}" for name, key in sorted(run.keys.items()) if name.startswith("datasets/")]
    parts.append(run.keys.get("findings.csv", ""))
    path = run.reuse_with_pieces("datapackage.json", run.key("datapackage.json", parts), _RESOURCE_TEXTS)
    if path is not None:
        return [path]
    if not run.keep and run.previous is None:  # nothing to keep or reuse: the package at once
        return [run.write("datapackage.json", datapackage_json(run.kb, run.tables, findings=run.findings))]
    resources, kept = _resources(run)
    run.keep_pieces(_RESOURCE_TEXTS, kept)
    return [run.write("datapackage.json", joined_datapackage_json(resources, findings=run.findings))]


def _resources(run: ExportRun) -> tuple[list[Resource], dict[str, Resource]]:
    """Each dataset's resource of ``datapackage.json``, by id: the last build's where what it
    reads is unchanged (the dataset, its CSV's key, the properties and references), the others
    made; and those to keep, by key."""
    from limkb.outputs.datapackage import Resource as Made
    from limkb.outputs.datapackage import dataset_resource
    from limkb.schema.kinds import Dataset, Property, Reference

    old = run.last_pieces(_RESOURCE_TEXTS)
    shared = run.key("datapackage.json#resource", run.of_kind(Property.kind, Reference.kind))
    resources: list[Resource] = []
    keep: dict[str, Resource] = {}
    for dataset_id in sorted(run._by_kind.get(Dataset.kind, [])):
        table_key = run.keys.get(f"datasets/{dataset_id}.csv")
        key = hashlib.sha256(
            f"{shared}\0{dataset_id}\0{run.digests[dataset_id]}\0{table_key}".encode()
        ).hexdigest()
        found = old.get(key) if table_key is not None else None
        if not isinstance(found, Made):  # (the references' labels are lettered among them alone)
            found = dataset_resource(run.kb, dataset_id, run.table(dataset_id), run.labels)
        if table_key is not None:
            keep[key] = found
        resources.append(found)
    return resources, keep


_RESOURCE_TEXTS = "datapackage-resources.pickle"
"""Each dataset's resource of ``datapackage.json`` (:class:`~limkb.outputs.datapackage.Resource`),
by the key of what it reads, in the build cache's ``exports`` folder."""


def _metadata(run: ExportRun) -> list[Path]:
    def make() -> str:
        from limkb.outputs.datasette import metadata_json  # imports SQLAlchemy: only when written

        return metadata_json()

    return [run.text("metadata.json", [], make)]


def _bibliography(run: ExportRun, name: str, make: Callable[[list[Reference]], str]) -> Path:
    """One bibliography file: it reads the references alone."""
    from limkb.schema.kinds import Reference

    return run.text(name, run.of_kind(Reference.kind), lambda: make(run.references))


def _bibtex(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [_bibliography(run, "references.bib", bibliography.bibtex)]


def _ris(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [_bibliography(run, "references.ris", bibliography.ris)]


def _csl_json(run: ExportRun) -> list[Path]:
    from limkb.outputs import bibliography

    return [_bibliography(run, "references.csl.json", bibliography.csl_json)]


def _analyses(run: ExportRun) -> list[Path]:
    """``analyses.json``: linked when no analysis's key changed, else joined from each result's
    text, kept under its analysis's key (:data:`_RESULT_TEXTS`), made for the changed ones only."""
    from limkb.analysis.correlations import analysis_keys

    by_id = analysis_keys(run.kb, run.digests)
    keys = [f"{analysis_id}\0{key}" for analysis_id, key in by_id.items()]
    path = run.reuse_with_pieces("analyses.json", run.key("analyses.json", keys), _RESULT_TEXTS)
    if path is not None:
        return [path]
    texts = _result_texts(run, by_id)
    run.keep_pieces(_RESULT_TEXTS, texts)
    return [run.write("analyses.json", _joined_results(run, by_id, texts))]


def _result_texts(run: ExportRun, keys: Mapping[str, str]) -> dict[str, str]:
    """Each result's text in ``analyses.json`` by its analysis's key: the last build's where
    the key is the same, the others made."""
    from limkb.analysis.correlations import result_json_item

    old = run.last_pieces(_RESULT_TEXTS)
    texts: dict[str, str] = {}
    for analysis_id in sorted(run.results):
        key = keys.get(analysis_id)
        if key is None:  # a result of no analysis of this KB: made, not kept
            continue
        found = old.get(key)
        texts[key] = found if isinstance(found, str) else result_json_item(run.results[analysis_id])
    return texts


def _joined_results(run: ExportRun, keys: Mapping[str, str], texts: Mapping[str, str]) -> str:
    """The text of ``analyses.json``: the results in the order given, each its kept text."""
    from limkb.analysis.correlations import join_results_json, result_json_item

    items = [texts[keys[i]] if i in keys else result_json_item(result) for i, result in run.results.items()]
    return join_results_json(items) + "\n"


_RESULT_TEXTS = "analyses-json.pickle"
"""Each result's text in ``analyses.json``, by its analysis's key, in the build cache's
``exports`` folder."""


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
    previous: Path | None = None,
    keep: bool = False,
) -> list[Path]:
    """Write every export but those named in ``skip`` into ``out_dir``; the paths, in order written.

    ``previous`` (the last build's folder) lends the files whose inputs are unchanged
    (:meth:`ExportRun.reuse`); ``keep`` keeps what each file was made from in the folder's
    build cache, for the next build.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = ExportRun(kb, out_dir, {key: results[key] for key in sorted(results)}, previous=previous, keep=keep)
    written: list[Path] = []
    for export in EXPORTS:
        if export.name not in skip:
            written += export.write(run)
    run.save_keys()
    log.info("exported %d files to %s", len(written), out_dir)
    return written


COMMAND_SKIPS = frozenset(e.name for e in EXPORTS if not e.in_export_command)
"""What ``limkb export`` leaves out (the build writes it)."""
