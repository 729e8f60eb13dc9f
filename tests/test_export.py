"""Exports: node-link JSON round trip, GraphML and JSON-LD that parse and name the licence, dataset CSVs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.access import load
from limkb.graph import KnowledgeBase
from limkb.outputs.formats import DOCUMENT_IRI, ENTRY_BASE, GRAPH_ATTRIBUTES, VOCAB_BASE, export_all

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
ENTRY = rdflib.Namespace(ENTRY_BASE)
VOCAB = rdflib.Namespace(VOCAB_BASE)
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CE_MATCH = {
    "predicate": "closeMatch",
    "iri": "echem:electrochemistry_a5962e05_466d_46a4_8951_bea59d7326e5",
    "label": "CoulombicEfficiency",
}


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    root = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride", formula="LiF", aliases=["LiF"]),
            "materials/fec": minimal("material", "FEC", roles=["additive", "solvent"]),
            "strategies/fec-additive": minimal(
                "strategy",
                "FEC additive",
                uses=["fec"],
                forms=[{"id": "lif", "sources": SOURCE, "note": 'with <b>care</b> & "quotes"'}],
                combines_with=[{"id": "other", "evidence": "unknown"}],
            ),
            "strategies/other": minimal("strategy", "Other"),
            "properties/coulombic-efficiency": minimal(
                "property",
                "Coulombic efficiency",
                unit="%",
                matches=[CE_MATCH],
            ),
            "datasets/table-1": minimal(
                "dataset",
                "Table 1",
                columns=[
                    {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                    {"name": "note_text", "type": "text"},
                ],
                records=[{"label": "LiFSI, DME", "ce": 99.2, "note_text": "a, b"}, {"label": "B", "ce": 97}],
            ),
        },
    )
    return load(root, cache=False)


def _edges(graph: nx.MultiDiGraph) -> list[tuple[object, ...]]:
    return sorted(
        (u, v, k, json.dumps(d, sort_keys=True)) for u, v, k, d in graph.edges(keys=True, data=True)
    )


def test_export_all_writes_every_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    out = tmp_path / "build"
    written = export_all(kb, out)
    assert [p.relative_to(out).as_posix() for p in written] == [
        "graph.json",
        "graph.graphml",
        "kb.jsonld",
        "datasets/table-1.csv",
        "findings.csv",
        "datapackage.json",
        "metadata.json",
        "references.bib",
        "references.ris",
        "references.csl.json",
    ]
    assert not list(out.rglob("*.tmp"))


def test_graph_json_round_trips(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path / "build")
    data = json.loads((tmp_path / "build" / "graph.json").read_text(encoding="utf-8"))
    back = nx.node_link_graph(data, edges="links")
    assert isinstance(back, nx.MultiDiGraph)
    assert dict(back.nodes(data=True)) == dict(kb.graph.nodes(data=True))
    assert _edges(back) == _edges(kb.graph)
    assert back.graph == GRAPH_ATTRIBUTES and back.graph["license_url"] == CC_BY
    back.graph.clear()
    assert nx.utils.graphs_equal(back, kb.graph)


def test_graphml_parses_with_networkx(kb: KnowledgeBase, tmp_path: Path) -> None:
    export_all(kb, tmp_path / "build")
    back = nx.read_graphml(tmp_path / "build" / "graph.graphml", force_multigraph=True)
    assert set(back) == set(kb.graph)
    assert back.nodes["lif"] == {"kind": "species", "name": "Lithium fluoride"}
    forms = back.get_edge_data("fec-additive", "lif", key="fec-additive--forms--lif")
    assert forms["relation"] == "forms" and forms["inverse"] == "formed by"
    assert json.loads(forms["sources"]) == [{"ref": REF, "locator": "Table 1"}]
    assert forms["note"] == 'with <b>care</b> & "quotes"'
    assert (
        back.get_edge_data("fec-additive", "other", key="fec-additive--combines_with--other")["evidence"]
        == "unknown"
    )
    assert back.number_of_edges() == kb.graph.number_of_edges()
    assert back.graph["license"] == "CC-BY-4.0" and back.graph["license_url"] == CC_BY
    text = (tmp_path / "build" / "graph.graphml").read_text(encoding="utf-8")
    ids = __import__("re").findall(r'<edge [^>]*id="([^"]+)"', text)
    assert len(ids) == len(set(ids)) == kb.graph.number_of_edges()  # GraphML edge ids are unique


def test_jsonld_parses_with_rdflib_and_maps_to_emmo(kb: KnowledgeBase, tmp_path: Path) -> None:
    """An entry's `matches:` (data in its YAML) and a material's roles become SKOS matches."""
    export_all(kb, tmp_path / "build")
    graph = rdflib.Graph()
    graph.parse(tmp_path / "build" / "kb.jsonld", format="json-ld")
    assert (ENTRY["lif"], rdflib.RDF.type, VOCAB["Species"]) in graph
    assert (ENTRY["fec-additive"], VOCAB["forms"], ENTRY["lif"]) in graph
    assert (ENTRY["fec-additive"], VOCAB["combinesWith"], ENTRY["other"]) in graph
    assert (ENTRY["lif"], SKOS.prefLabel, rdflib.Literal("Lithium fluoride")) in graph
    assert (ENTRY["lif"], SKOS.altLabel, rdflib.Literal("LiF")) in graph
    ce = set(graph.objects(ENTRY["coulombic-efficiency"], SKOS.closeMatch))
    assert ce == {
        rdflib.URIRef(
            "https://w3id.org/emmo/domain/electrochemistry#electrochemistry_a5962e05_466d_46a4_8951_bea59d7326e5"
        )
    }
    broader = {str(o) for o in graph.objects(ENTRY["fec"], SKOS.broadMatch)}
    assert len(broader) == 2 and all(o.startswith("https://w3id.org/emmo/domain/") for o in broader)
    assert (VOCAB["forms"], rdflib.RDFS.label, rdflib.Literal("forms")) in graph
    subjects = {s for s in graph.subjects(rdflib.RDF.type, None) if str(s).startswith(ENTRY_BASE)}
    assert len(subjects) == len(kb)
    document = rdflib.URIRef(DOCUMENT_IRI)
    assert (document, DCTERMS.license, rdflib.URIRef(CC_BY)) in graph
    assert (document, rdflib.RDF.type, DCTERMS.Dataset) in graph


def test_dataset_csv_has_units_in_the_header_and_sources(kb: KnowledgeBase, tmp_path: Path) -> None:
    from limkb.outputs.formats import RECORD_COLUMNS

    export_all(kb, tmp_path / "build")
    with (tmp_path / "build" / "datasets" / "table-1.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    record = ["", "", "", "", "", "", "", "", "", "", ""]  # electrolyte ... strategies: none stated
    assert rows == [
        ["label", "ce [%]", "note_text", *RECORD_COLUMNS, "locator", "note"],
        ["LiFSI, DME", "99.2", "a, b", *record, REF, "10.1000/test.2020", "Table 1", ""],
        ["B", "97", "", *record, REF, "10.1000/test.2020", "Table 1", ""],
    ]


def test_exports_are_byte_identical_between_runs(kb: KnowledgeBase, tmp_path: Path) -> None:
    first = export_all(kb, tmp_path / "a")
    second = export_all(kb, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_dataset_csv_defuses_formulas_and_reimports_unchanged(tmp_path: Path) -> None:
    import csv
    import io

    from limkb.commands.import_table import import_table
    from limkb.outputs.formats import dataset_csv

    payloads = ['=HYPERLINK("https://example.org","x")', "+1+1", "-2+3", "@SUM(A1)", "plain"]
    columns = [
        {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
        {"name": "salt", "type": "text"},
    ]
    records = [{"label": f"row {i}", "ce": 90.0 + i, "salt": text} for i, text in enumerate(payloads)]
    root = write_kb(
        tmp_path / "one",
        {
            "properties/coulombic-efficiency": minimal(
                "property",
                "Coulombic efficiency",
                unit="%",
                matches=[CE_MATCH],
            ),
            "datasets/table": minimal("dataset", "Table", columns=columns, records=records),
            "datasets/empty": minimal("dataset", "Empty copy", columns=columns),
        },
    )
    text = dataset_csv(load(root, cache=False), "table")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + len(payloads)
    salts = [row[2] for row in rows[1:]]
    assert salts[:4] == ["'" + p for p in payloads[:4]] and salts[4] == "plain"
    exported = tmp_path / "table.csv"
    exported.write_text(text, encoding="utf-8")
    result = import_table(exported, "empty", root)
    assert result.written, result.report.format("text")
    again = load(root, cache=False)
    assert again.dataset("empty").records == again.dataset("table").records


def test_a_match_must_name_a_known_vocabulary(tmp_path: Path) -> None:
    from limkb.check.validate import validate_kb

    root = write_kb(
        tmp_path,
        {
            "properties/ce": minimal(
                "property",
                "CE",
                unit="%",
                matches=[{"predicate": "closeMatch", "iri": "https://example.org/x"}],
            ),
        },
    )
    problems = [p for p in validate_kb(root).report.problems if p.severity.value == "error"]
    assert len(problems) == 1 and problems[0].code == "bad-value", problems
    assert "compact IRI" in problems[0].message and "chameo:Spectroscopy" in (problems[0].hint or "")


def test_the_real_kb_keeps_its_emmo_matches_as_data() -> None:
    """The mappings live on the entries; every compact IRI expands in the JSON-LD namespaces."""
    from limkb.access import load
    from limkb.schema.emmo import NAMESPACES

    real = load(Path(__file__).resolve().parents[1] / "kb")
    matched = {e.id: e.matches for e in real.entries() if e.matches}
    assert {"coulombic-efficiency", "xps", "artificial-sei", "dendrite-growth"} <= set(matched)
    for matches in matched.values():
        assert all(m.iri.split(":", 1)[0] in NAMESPACES and m.label for m in matches)
