"""``datapackage.json``: the dataset CSVs of an export as a Frictionless (tabular) data package.

One resource per ``datasets/<id>.csv``, named by the dataset's id, with its title and summary,
its size and SHA-256, the sources its records come from, and a Table Schema whose fields are
the CSV's columns in order (:func:`~limkb.outputs.formats.csv_fields`): each typed
(``number``, ``integer``, ``string``), with its unit in ``unit`` and in the description, and
the property it holds as ``rdfType`` (the property's IRI in the JSON-LD export). The package
names the data licence, CC BY 4.0 (:mod:`limkb.outputs.provenance`).

The descriptor is written as Data Package v1 (``tabular-data-package``), which v2 readers
accept too. It holds no date: the same knowledge base gives the same bytes.

When the export writes ``findings.csv`` (every finding once), the package describes it too: one
more resource, ``findings``, its fields from :data:`~limkb.outputs.formats.FINDING_FIELDS`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from limkb._version import __version__
from limkb.graph import KnowledgeBase
from limkb.outputs.bibliography import display_labels
from limkb.outputs.formats import ENTRY_BASE, FINDING_FIELDS, csv_fields
from limkb.outputs.provenance import DATA_LICENSE, DESCRIPTION, HOMEPAGE, TITLE
from limkb.schema.kinds import Column, ColumnType, Dataset, Reference

__all__ = ["datapackage", "datapackage_json"]

_TYPES = {ColumnType.NUMBER: "number", ColumnType.INTEGER: "integer", ColumnType.TEXT: "string"}

_EXTRA_FIELDS: dict[str, tuple[str, str]] = {
    "label": ("string", "How the record is named on plots, e.g. its electrolyte."),
    "electrolyte": (
        "string",
        "The electrolyte in force, as written: the record's own, else the dataset's; the shorthand "
        "papers use, or a list of components as JSON.",
    ),
    "electrolyte_components": (
        "string",
        "The electrolyte's components as limkb reads them: material id (role, amount), joined by `; ` "
        "(computed; import-table reads past it).",
    ),
    "cell": ("string", "The cell in force: `Li||Cu`, `Li||Li`, `anode-free` or `Li-metal full cell`."),
    "cathode": ("string", "Cathode material of a full cell."),
    "protocol": ("string", "How the value was measured."),
    "current_density": ("string", "Current density, with its unit (e.g. `0.5 mA cm-2`)."),
    "areal_capacity": ("string", "Areal capacity cycled, with its unit (e.g. `1 mAh cm-2`)."),
    "cycles": ("integer", "Cycle number the value refers to (or cycles averaged over)."),
    "temperature": ("string", "Temperature, with its unit (e.g. `25 °C`)."),
    "conditions_note": ("string", "Other conditions, in words."),
    "strategies": ("string", "Ids of the strategies the record is an example of, joined by `; `."),
    "ref": (
        "string",
        "The reference the record comes from (a limkb reference id): its own, else the dataset's first.",
    ),
    "doi": ("string", "The DOI of that reference, when it has one."),
    "locator": ("string", "Where in that reference (`Table 1`, `Fig. 3b`)."),
    "note": ("string", "Remarks on the record."),
}
"""Type and description of the CSV columns that are not dataset columns."""


def _field(header: str, name: str, column: Column | None, kb: KnowledgeBase) -> dict[str, Any]:
    if column is None:
        kind, text = _EXTRA_FIELDS[name]
        return {"name": header, "type": kind, "description": text}
    field: dict[str, Any] = {"name": header, "type": _TYPES[column.type]}
    parts = [column.description] if column.description else []
    if column.property is not None and column.property in kb:
        parts.append(f"Property: {kb[column.property].label}")
        field["rdfType"] = f"{ENTRY_BASE}{column.property}"
    if column.unit is not None:
        field["unit"] = column.unit
        parts.append(f"Unit: {column.unit}.")
    if parts:
        field["description"] = " ".join(p if p.endswith(".") else f"{p}." for p in parts)
    return field


def _source(ref: Reference, label: str) -> dict[str, str]:
    source = {"title": f"{label}: {ref.title}"}
    if ref.doi:
        source["path"] = f"https://doi.org/{ref.doi}"
    elif ref.url:
        source["path"] = ref.url
    return source


def _refs(entry: Dataset) -> list[str]:
    """The references of a dataset: its own sources, then its records', each once."""
    found = [s.ref for s in entry.sources] + [r.source.ref for r in entry.records if r.source is not None]
    return list(dict.fromkeys(found))


def _resource(kb: KnowledgeBase, entry: Dataset, text: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """The resource of one dataset's CSV (its ``text``); ``labels`` are the references' shown labels."""
    data = text.encode("utf-8")
    resource: dict[str, Any] = {
        "name": entry.id,
        "path": f"datasets/{entry.id}.csv",
        "profile": "tabular-data-resource",
        "title": entry.label,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": {
            "fields": [_field(header, name, column, kb) for header, name, column in csv_fields(entry)],
            "missingValues": [""],
        },
    }
    if entry.summary:
        resource["description"] = entry.summary
    sources = [
        _source(ref, labels[ref.id])
        for ref_id in _refs(entry)
        if isinstance(ref := kb.get(ref_id), Reference)
    ]
    if sources:
        resource["sources"] = sources
    return resource


def _findings_resource(text: str) -> dict[str, Any]:
    """The resource of ``findings.csv`` (its CSV text)."""
    data = text.encode("utf-8")
    fields: list[dict[str, Any]] = []
    for name, kind, description, unit in FINDING_FIELDS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if unit is not None:
            field["unit"] = unit
            field["description"] = f"{description} Unit: {unit}."
        fields.append(field)
    return {
        "name": "findings",
        "path": "findings.csv",
        "profile": "tabular-data-resource",
        "title": "Findings",
        "description": "Every finding stored in the knowledge base, once: what was measured, its value "
        "and unit, the electrolyte as printed and as parsed, each condition, and the source it was read in.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": {"fields": fields, "missingValues": [""]},
    }


def datapackage(
    kb: KnowledgeBase, tables: Mapping[str, str], *, findings: str | None = None
) -> dict[str, Any]:
    """The data package describing the dataset CSVs ``tables`` (dataset id -> CSV text) and, when
    given, ``findings.csv`` (its text).

    Linear in the size of the datasets (each CSV is hashed once).
    """
    datasets = [entry for entry in kb.entries(Dataset.kind) if isinstance(entry, Dataset)]
    labels = display_labels(kb.entries(kind="reference"))  # once, not once per dataset
    resources = [
        _resource(kb, entry, tables[entry.id], labels) for entry in sorted(datasets, key=lambda e: e.id)
    ]
    if findings is not None:
        resources.append(_findings_resource(findings))
    sources: dict[str, dict[str, str]] = {}
    for resource in resources:
        for source in resource.get("sources", []):
            sources.setdefault(source["title"], source)
    return {**datapackage_head(list(sources.values())), "resources": resources}


def datapackage_json(kb: KnowledgeBase, tables: Mapping[str, str], *, findings: str | None = None) -> str:
    """:func:`datapackage` as JSON text: keys sorted, two-space indents, a final newline."""
    return (
        json.dumps(datapackage(kb, tables, findings=findings), ensure_ascii=False, indent=2, sort_keys=True)
        + "\n"
    )


class Resource(NamedTuple):
    """One dataset's resource of the package: its text in ``datapackage.json`` (indented as
    it stands in the list of resources) and its sources (for the package's own list)."""

    text: str
    sources: list[dict[str, str]]


def dataset_resource(kb: KnowledgeBase, dataset_id: str, table: str, labels: Mapping[str, str]) -> Resource:
    """The resource of ``dataset_id`` whose CSV text is ``table`` (``labels``: the references'
    shown labels, :func:`~limkb.outputs.bibliography.display_labels`)."""
    entry = kb[dataset_id]
    assert isinstance(entry, Dataset)
    resource = _resource(kb, entry, table, labels)
    return Resource(_item_text(resource), list(resource.get("sources", [])))


def _item_text(value: dict[str, Any]) -> str:
    """``value`` as :func:`datapackage_json` writes an item of the list of resources (JSON
    strings hold no raw line breaks: every line is indented alike)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return "    " + text.replace("\n", "\n    ")


def joined_datapackage_json(resources: list[Resource], *, findings: str | None = None) -> str:
    """:func:`datapackage_json` of the package whose dataset resources are ``resources`` (in
    the order of their ids), without serialising them again."""
    items = list(resources)
    if findings is not None:
        resource = _findings_resource(findings)
        items.append(Resource(_item_text(resource), []))
    sources: dict[str, dict[str, str]] = {}
    for item in items:
        for source in item.sources:
            sources.setdefault(source["title"], source)
    package = datapackage_head(list(sources.values()))
    text = json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True)
    listed = "[\n" + ",\n".join(item.text for item in items) + "\n  ]" if items else "[]"
    return text.replace(_RESOURCES, f'"resources": {listed}', 1) + "\n"


_RESOURCES = '"resources": []'
"""Where the resources' texts go in the package's text (a key, with its quotes, in no string)."""


def datapackage_head(sources: list[dict[str, str]]) -> dict[str, Any]:
    """The package without its resources (an empty list), with ``sources``."""
    return {
        "profile": "tabular-data-package",
        "name": "limkb",
        "title": TITLE,
        "description": DESCRIPTION,
        "homepage": HOMEPAGE,
        "version": __version__,
        "licenses": [dict(DATA_LICENSE)],
        "contributors": [{"title": "limkb contributors", "role": "author", "path": HOMEPAGE}],
        "keywords": ["lithium metal anode", "solid electrolyte interphase", "electrolyte design"],
        "sources": sources,
        "resources": [],
    }
