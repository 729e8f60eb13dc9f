"""Exports of the knowledge base for other tools: graph files, dataset CSVs and JSON-LD.

- ``graph.json``: the graph in networkx node-link form (``nx.node_link_graph(data,
  edges="links")`` reads it back; d3 reads it as is);
- ``graph.graphml``: the same graph for Gephi, Cytoscape or yEd; GraphML holds only scalars,
  so each edge's ``sources`` is a JSON string there and absent notes are left out;
- ``datasets/<id>.csv``: one file per dataset (text cells that a spreadsheet would read as a
  formula, starting with ``= + - @``, get a leading ``'``): ``label``, the columns (headed ``name [unit]``
  for numbers), then everything else a record holds (:func:`csv_fields`);
- ``kb.jsonld``: every entry as linked data, typed by its kind, with its relations and SKOS
  matches to EMMO / BattINFO terms (see :mod:`limkb.schema.emmo`);
- ``findings.csv``: every finding stored in the KB, once, one row each (:data:`FINDING_FIELDS`);
- ``datapackage.json``: the dataset CSVs and ``findings.csv`` as a Frictionless data package (see
  :mod:`limkb.outputs.datapackage`);
- ``metadata.json``: Datasette's metadata for ``kb.sqlite`` (see :mod:`limkb.outputs.datasette`).

The graph files and the JSON-LD name the data licence (CC BY 4.0) and where the data comes
from (:mod:`limkb.outputs.provenance`), as the graph's attributes and as a node describing the
document.

Every file is written next to its final name and renamed into place, in a fixed order, with
the same bytes for the same KB.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

import networkx as nx

from limkb.files import write_atomic
from limkb.graph import RELATION_NAMES, KnowledgeBase
from limkb.outputs import bibliography
from limkb.outputs.provenance import DATA_LICENSE, HOMEPAGE, TITLE
from limkb.schema.emmo import NAMESPACES, matches_of
from limkb.schema.ids import is_slug
from limkb.schema.kinds import KINDS, Column, ColumnType, Dataset, Record, Reference

__all__ = [
    "CONDITION_COLUMNS",
    "DOCUMENT_IRI",
    "ENTRY_BASE",
    "FINDING_FIELDS",
    "GRAPH_ATTRIBUTES",
    "RECORD_COLUMNS",
    "VOCAB_BASE",
    "csv_fields",
    "dataset_csv",
    "export_all",
    "findings_csv",
    "graph_graphml",
    "graph_json",
    "jsonld",
    "jsonld_head",
    "jsonld_node",
]

log = logging.getLogger(__name__)

ENTRY_BASE = "https://w3id.org/limkb/entry/"
"""IRI prefix of entries in the JSON-LD export."""
VOCAB_BASE = "https://w3id.org/limkb/vocab#"
"""IRI prefix of limkb's own classes (kinds) and properties (relations)."""
DOCUMENT_IRI = "https://w3id.org/limkb/kb"
"""IRI of the knowledge base as a whole, the node of the JSON-LD that names its licence."""


GRAPH_ATTRIBUTES: dict[str, str] = {
    "title": TITLE,
    "license": DATA_LICENSE["name"],
    "license_title": DATA_LICENSE["title"],
    "license_url": DATA_LICENSE["path"],
    "source_url": HOMEPAGE,
}
"""What the graph files say about themselves, as graph attributes."""


def _write(path: Path, content: str) -> Path:
    return write_atomic(path, content)


def graph_json(kb: KnowledgeBase) -> str:
    """The graph as node-link JSON (nodes with ``kind``/``name``, links with ``key`` and data).

    The ``graph`` object holds :data:`GRAPH_ATTRIBUTES` (title, licence, source).
    """
    data = nx.node_link_data(kb.graph, edges="links")
    labels = bibliography.display_labels(kb[i] for i in kb)
    for node in data["nodes"]:
        node["name"] = labels.get(node["id"], node.get("name"))
    data["graph"] = {**data.get("graph", {}), **GRAPH_ATTRIBUTES}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def graph_graphml(kb: KnowledgeBase) -> str:
    """The graph as GraphML text; lists become JSON strings, missing values are left out."""
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    flat.graph.update(GRAPH_ATTRIBUTES)
    labels = bibliography.display_labels(kb[i] for i in kb)
    for node, data in kb.graph.nodes(data=True):
        shown = {**data, "name": labels.get(node, data.get("name"))}
        flat.add_node(node, **{k: v for k, v in shown.items() if v is not None})
    for source, target, key, data in kb.graph.edges(keys=True, data=True):
        attrs: dict[str, Any] = {"relation": key}
        for name, value in data.items():
            if value is None:
                continue
            attrs[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
        # GraphML edge ids must be unique in the file: the relation alone repeats across edges
        flat.add_edge(source, target, key=f"{source}--{key}--{target}", **attrs)
    return "\n".join(nx.generate_graphml(flat)) + "\n"


def dataset_csv(kb: KnowledgeBase, dataset_id: str) -> str:
    """One dataset as CSV text: everything each record holds, numbers in their column units.

    The columns are :func:`csv_fields`: the label, the values (headed ``name [unit]``), the
    electrolyte in force as written (the record's, else the dataset's; a list of components
    as JSON) and its components as limkb reads them, the conditions in force (the dataset's
    merged with the record's), the strategies (ids joined by ``; ``), the source as reference
    id, DOI and locator, and the note. ``limkb import-table --replace`` reads the file back
    into the same records: what equals the dataset's own electrolyte or conditions is not
    stored again, and the components column is computed, so it is read past.
    """
    entry = kb[dataset_id]
    assert isinstance(entry, Dataset)
    index = _material_index(kb)
    default = entry.sources[0] if entry.sources else None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header for header, _, _ in csv_fields(entry)])
    for record in entry.records:
        writer.writerow([_cell(v) for v in _row(kb, entry, record, default, index)])
    return buffer.getvalue()


CONDITION_COLUMNS = (
    "cell",
    "cathode",
    "protocol",
    "current_density",
    "areal_capacity",
    "cycles",
    "temperature",
    "conditions_note",
)
"""The conditions in force, one CSV column each (``conditions_note`` is the conditions' ``note``)."""

RECORD_COLUMNS = ("electrolyte", "electrolyte_components", *CONDITION_COLUMNS, "strategies", "ref", "doi")
"""The CSV columns after the dataset's own, before ``locator`` and ``note``."""


def csv_fields(entry: Dataset) -> list[tuple[str, str, Column | None]]:
    """The columns of a dataset's CSV, in order: ``(header, name, dataset column or None)``.

    ``label``, the dataset's columns (headed ``name [unit]`` for numbers), then
    :data:`RECORD_COLUMNS`, ``locator`` and ``note``: the same columns for every dataset, so a
    reader finds each field where it expects it. The data package describes the CSV from the
    same list.
    """
    fields: list[tuple[str, str, Column | None]] = [("label", "label", None)]
    for column in entry.columns:
        numeric = column.type is not ColumnType.TEXT and column.unit is not None
        fields.append((f"{column.name} [{column.unit}]" if numeric else column.name, column.name, column))
    fields += [(name, name, None) for name in [*RECORD_COLUMNS, "locator", "note"]]
    return fields


def _material_index(kb: KnowledgeBase) -> Any:
    """Every name of every material, made once per KB (:attr:`KnowledgeBase.inputs`), not once
    per dataset."""
    return kb.inputs.index


def _electrolyte(written: Any) -> str | None:
    """An electrolyte as written: the shorthand, or a list of components as JSON."""
    if written is None:
        return None
    if isinstance(written, str):
        return written
    return json.dumps([c.model_dump(exclude_none=True, mode="json") for c in written], ensure_ascii=False)


def _components(written: Any, index: Any) -> str | None:
    """The components limkb reads from an electrolyte: ``lifsi (salt, 4 M); dme (solvent)``."""
    from limkb.analysis.formulations import FormulationError
    from limkb.analysis.inputs import formulation_of

    if written is None:
        return None
    try:
        return str(formulation_of(written, index).describe())
    except FormulationError:
        return None


def _quantity(value: Any) -> str:
    """A condition's quantity as a cell, ``0.5 mA cm-2``, its number written back exactly."""
    number = value.value
    return f"{number:g} {value.unit}" if number == float(f"{number:g}") else f"{number!r} {value.unit}"


def _in_force(entry: Dataset, record: Record) -> dict[str, Any]:
    """The record's conditions: the dataset's, each field the record states overriding."""
    found: dict[str, Any] = {}
    for conditions in (entry.conditions, record.conditions):
        if conditions is not None:
            found.update(
                {k: v for k in type(conditions).model_fields if (v := getattr(conditions, k)) is not None}
            )
    return found


def _row(kb: KnowledgeBase, entry: Dataset, record: Record, default: Any, index: Any) -> list[object]:
    """The cells of one record, in the order of :func:`csv_fields`."""
    values = record.values
    cells: list[object] = [record.label, *(values.get(c.name) for c in entry.columns)]
    written = record.electrolyte if record.electrolyte is not None else entry.electrolyte
    cells += [_electrolyte(written), _components(written, index)]
    in_force = _in_force(entry, record)
    for name in CONDITION_COLUMNS:
        value = in_force.get("note" if name == "conditions_note" else name)
        cells.append(_quantity(value) if hasattr(value, "unit") else value)
    source = record.source or default
    reference = kb.get(source.ref) if source is not None else None
    cells += [
        "; ".join(record.strategies) or None,
        source.ref if source is not None else None,
        reference.doi if isinstance(reference, Reference) else None,
        source.locator if source is not None else None,
        record.note,
    ]
    return cells


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def _cell(value: object) -> object:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe.

    This is OWASP's advice for CSV injection; ``limkb import-table`` takes the apostrophe off
    again, so an exported file re-imports unchanged. Numbers are written as they are.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


FINDING_FIELDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("entry", "string", "The entry the finding is recorded on (a limkb id).", None),
    ("position", "integer", "Its position in that entry's `findings`, from 0.", None),
    ("id", "string", "The finding's own id, when it has one; claims cite it.", None),
    ("informs", "string", "Other entries the finding bears on, joined by `; `.", None),
    ("quantity", "string", "The property measured (a limkb id), when the KB has one.", None),
    ("what", "string", "What was measured, when no property fits.", None),
    ("value", "number", "The value (the lower end of a range), in `unit`.", None),
    ("high", "number", "The upper end of a range, in `unit`.", None),
    (
        "bound",
        "string",
        "Empty when the value is as stated; `>` (at least), `<` (at most) or `~` (about).",
        None,
    ),
    ("unit", "string", "The unit of `value`, `high` and `uncertainty`.", None),
    ("uncertainty", "number", "The ± the source gives, in `unit`.", None),
    ("electrolyte", "string", "The electrolyte as printed: the shorthand, or the components as JSON.", None),
    (
        "electrolyte_note",
        "string",
        "What the source says of the electrolyte when no formulation is given.",
        None,
    ),
    (
        "electrolyte_components",
        "string",
        "The electrolyte as limkb parses it: material id (role, amount unit), joined by `; `.",
        None,
    ),
    ("cell", "string", "The cell: `Li||Cu`, `Li||Li`, `anode-free` or `Li-metal full cell`.", None),
    ("cathode", "string", "The cathode of a full cell.", None),
    ("protocol", "string", "How the value was measured.", None),
    ("current_density", "number", "Current density.", "mA cm-2"),
    ("areal_capacity", "number", "Areal capacity cycled.", "mAh cm-2"),
    ("cycles", "integer", "The cycle number the value refers to.", None),
    ("temperature", "number", "Temperature.", "°C"),
    ("conditions_note", "string", "Other conditions, in words.", None),
    ("ref", "string", "The reference the finding comes from (a limkb reference id).", None),
    ("doi", "string", "The DOI of that reference, when it has one.", None),
    ("locator", "string", "Where in that reference (`Abstract`, `Fig. 2b`, `Table 1`).", None),
    ("read_status", "string", "How far that reference was read here: `full`, `abstract` or `none`.", None),
    ("read_url", "string", "The address the reference was read at.", None),
    ("statement", "string", "The finding in our own words, Markdown.", None),
)
"""The columns of ``findings.csv``: name, Table Schema type, description and unit (when fixed)."""


def _parsed(components: Any) -> str | None:
    """A finding's resolved components: ``lifsi (salt, 4 M); dme (solvent)``, or None."""
    parts = []
    for c in components:
        amount = f", {c.amount:g} {c.unit}" if c.amount is not None and c.unit else ""
        parts.append(f"{c.material} ({c.role}{amount})")
    return "; ".join(parts) or None


def _finding_cells(kb: KnowledgeBase, record: Any) -> list[object]:
    """The cells of one finding, in the order of :data:`FINDING_FIELDS`."""
    data = record.to_dict()
    data["informs"] = "; ".join(record.informs) or None
    data["electrolyte_components"] = _parsed(record.components)
    reference = kb.get(record.ref)
    data["doi"] = reference.doi if isinstance(reference, Reference) else None
    data["bound"] = None if record.bound == "=" else record.bound  # a lone `=` is a formula to a spreadsheet
    return [_cell(data[name]) for name, _type, _text, _unit in FINDING_FIELDS]


def findings_csv(kb: KnowledgeBase) -> str:
    """Every finding stored in the KB, once, by entry then position, as CSV (:data:`FINDING_FIELDS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _type, _text, _unit in FINDING_FIELDS])
    for record in kb.findings():
        writer.writerow(_finding_cells(kb, record))
    return buffer.getvalue()


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("-"))


def _relation_term(relation: str) -> str:
    head, *rest = relation.split("_")
    return "limkb:" + head + "".join(part.capitalize() for part in rest)


def jsonld_head() -> dict[str, Any]:
    """The JSON-LD document without the entries: its ``@context``, then in ``@graph`` the
    node describing the document and limkb's vocabulary (kinds as classes, relations as properties)."""
    context: dict[str, Any] = {
        "@base": ENTRY_BASE,
        "limkb": VOCAB_BASE,
        "entry": ENTRY_BASE,
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        **NAMESPACES,
        "name": "skos:prefLabel",
        "aliases": {"@id": "skos:altLabel"},
        "summary": "dcterms:description",
        "cites": {"@id": "dcterms:references", "@type": "@id"},
        "bibo": "http://purl.org/ontology/bibo/",
        "doi": "bibo:doi",
        "inverseLabel": "limkb:inverseLabel",
    }
    for match in ("exactMatch", "closeMatch", "broadMatch", "relatedMatch"):
        context[match] = {"@id": f"skos:{match}", "@type": "@id"}
    vocabulary: list[dict[str, Any]] = []
    for kind, model in KINDS.items():
        doc = (model.__doc__ or "").strip().splitlines()
        vocabulary.append(
            {
                "@id": f"limkb:{_camel(kind)}",
                "@type": "rdfs:Class",
                "rdfs:label": kind,
                **({"rdfs:comment": doc[0]} if doc else {}),
            }
        )
    for relation in sorted(RELATION_NAMES):
        vocabulary.append(
            {
                "@id": _relation_term(relation),
                "@type": "rdf:Property",
                "rdfs:label": relation.replace("_", " "),
                "inverseLabel": RELATION_NAMES[relation],
            }
        )
    document = {
        "@id": DOCUMENT_IRI,
        "@type": "dcterms:Dataset",
        "dcterms:title": TITLE,
        "dcterms:license": {"@id": DATA_LICENSE["path"]},
        "dcterms:source": {"@id": HOMEPAGE},
    }
    return {"@context": context, "@graph": [document, *vocabulary]}


def jsonld_node(kb: KnowledgeBase, entry_id: str, label: str) -> dict[str, Any] | None:
    """One entry's JSON-LD node (its label ``label``), or None for an id that is not a slug."""
    entry = kb[entry_id]
    if not is_slug(entry_id):  # ids are checked slugs; never build an IRI from anything else
        return None
    node: dict[str, Any] = {
        "@id": f"entry:{entry_id}",
        "@type": f"limkb:{_camel(entry.kind)}",
        "name": label,
    }
    if entry.aliases:
        node["aliases"] = list(entry.aliases)
    if entry.summary:
        node["summary"] = entry.summary
    if isinstance(entry, Reference) and entry.doi:
        node["doi"] = entry.doi
        node["rdfs:seeAlso"] = {"@id": f"https://doi.org/{entry.doi}"}
    refs = sorted({source.ref for source in entry.sources})
    if refs:
        node["cites"] = [f"entry:{ref}" for ref in refs]
    targets: dict[str, list[str]] = {}
    for _, target, key in sorted(kb.graph.out_edges(entry_id, keys=True), key=lambda e: (e[2], e[1])):
        targets.setdefault(_relation_term(key), []).append(f"entry:{target}")
    for term, ids in targets.items():
        node[term] = [{"@id": i} for i in ids]
    for predicate, iri in matches_of(entry):
        node.setdefault(predicate, []).append(iri)
    return node


def jsonld(kb: KnowledgeBase) -> dict[str, Any]:
    """The KB as a JSON-LD document: kinds as classes, relations as properties, entries as nodes."""
    document = jsonld_head()
    labels = bibliography.display_labels(kb[i] for i in kb)
    for entry_id in sorted(kb):
        node = jsonld_node(kb, entry_id, labels[entry_id])
        if node is not None:
            document["@graph"].append(node)
    return document


def export_all(kb: KnowledgeBase, out_dir: Path) -> list[Path]:
    """Write every export but ``kb.sqlite`` and ``analyses.json`` into ``out_dir`` (the registry,
    :data:`~limkb.outputs.exports.EXPORTS`); the paths written, in order."""
    from limkb.outputs.exports import write_exports

    return write_exports(kb, out_dir, {}, skip=frozenset({"kb.sqlite", "analyses.json"}))
