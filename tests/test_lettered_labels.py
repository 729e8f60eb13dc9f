"""Two papers that read alike ("Chen et al. (2017)") carry the same lettered label (2017a, 2017b)
in every export as on the site: kb.sqlite, the data package, the linked data, the graph files
and the cite files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.outputs.bibliography import display_labels
from limkb.outputs.datapackage import datapackage_json
from limkb.outputs.formats import dataset_csv, graph_graphml, graph_json, jsonld
from limkb.outputs.sqlite import write_sqlite
from limkb.site.render import RenderOptions, render

A, B = "Chen et al. (2017a)", "Chen et al. (2017b)"


def _reference(title: str) -> dict[str, Any]:
    return {"title": title, "authors": ["Chen, A.", "Other, B.", "Third, C."], "year": 2017}


def _kb(tmp_path: Path) -> KnowledgeBase:
    entries: dict[str, Any] = {
        "references/chen2017lithium": _reference("Lithium one"),
        "references/chen2017probing": _reference("Probing two"),
        "strategies/hce": minimal("strategy", "High concentration"),
        "datasets/ce-data": minimal(
            "dataset",
            "CE data",
            columns=[{"name": "ce", "type": "number", "unit": "%"}],
            records=[
                {"label": "one", "ce": 99.0, "source": {"ref": "chen2017lithium", "locator": "Fig. 1"}},
                {"label": "two", "ce": 98.0, "source": {"ref": "chen2017probing", "locator": "Fig. 2"}},
            ],
            sources=SOURCE,
        ),
    }
    return load(write_kb(tmp_path, entries), cache=False)


def test_one_function_gives_every_entry_its_shown_label(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    labels = display_labels(kb[i] for i in kb)
    assert (labels["chen2017lithium"], labels["chen2017probing"]) == (A, B)
    assert labels["hce"] == "High concentration"


def test_kb_sqlite_labels_the_references_as_the_site_does(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    with sqlite3.connect(path) as db:
        labels = dict(db.execute("select id, label from bibliography where id like 'chen%'"))
        names = dict(db.execute("select id, name from entries where id like 'chen%'"))
    assert labels == names == {"chen2017lithium": A, "chen2017probing": B}


def test_data_package_linked_data_and_graph_files_use_the_lettered_labels(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    package = json.loads(datapackage_json(kb, {"ce-data": dataset_csv(kb, "ce-data")}))
    titles = [s["title"] for r in package["resources"] for s in r.get("sources", [])]
    assert f"{A}: Lithium one" in titles and f"{B}: Probing two" in titles
    names = {n["@id"]: n["name"] for n in jsonld(kb)["@graph"] if "name" in n}
    assert names["entry:chen2017probing"] == B
    nodes = {n["id"]: n["name"] for n in json.loads(graph_json(kb))["nodes"]}
    assert (nodes["chen2017lithium"], nodes["chen2017probing"]) == (A, B)
    assert B in graph_graphml(kb) and "Chen et al. (2017)<" not in graph_graphml(kb)


def test_cite_files_name_the_reference_by_its_lettered_label(tmp_path: Path) -> None:
    pages = render(_kb(tmp_path), options=RenderOptions(date="2024-01-02"))
    assert B in str(pages["cite/chen2017probing.bib"]) and B in str(pages["cite/chen2017probing.json"])
