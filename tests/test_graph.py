"""The link stage: the graph, relations both ways, search, filters and datasets, on tiny KBs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import REF, SOURCE, minimal, write_kb
from limkb.access import load
from limkb.errors import UnknownEntryError
from limkb.graph import KnowledgeBase, Relation
from limkb.search import normalise


def tiny(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride (LiF)", formula="LiF"),
            "species/li3n": minimal("species", "Lithium nitride", formula="Li3N"),
            "materials/lino3": minimal(
                "material",
                "Lithium nitrate",
                formula="LiNO₃",
                roles=["additive", "salt"],
                decomposes_to=["li3n"],
            ),
            "materials/fec": minimal("material", "Fluoroethylene carbonate", aliases=["FEC"]),
            "strategies/root": minimal("strategy", "Electrolyte engineering"),
            "strategies/additives": minimal("strategy", "Electrolyte additives", subtype_of="root"),
            "strategies/fec-additive": minimal(
                "strategy",
                "FEC additive",
                subtype_of="additives",
                uses=["fec"],
                forms=[{"id": "lif", "sources": [{"ref": REF, "locator": "Fig. 2"}], "note": "mostly"}],
                fails_by=["cracking"],
            ),
            "strategies/lino3-additive": minimal(
                "strategy",
                "LiNO3 additive",
                subtype_of="additives",
                uses=["lino3"],
                forms=["li3n"],
                combines_with=[{"id": "fec-additive", "evidence": "compatible"}],
            ),
            "strategies/coating": minimal(
                "strategy",
                "A coating",
                family="artificial-sei",
                interface="li-current-collector",
                fails_by=["cracking"],
            ),
            "failure-modes/cracking": minimal("failure-mode", "Cracking"),
            "questions/why-lif": minimal("question", "Why LiF?", about=["lif", "fec-additive"]),
        },
    )


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return load(tiny(tmp_path), cache=False)


def test_nodes_carry_kind_and_name_and_edges_carry_inverse_and_sources(kb: KnowledgeBase) -> None:
    assert kb.graph.nodes["lif"] == {"kind": "species", "name": "Lithium fluoride (LiF)"}
    assert kb.graph.number_of_nodes() == len(kb) == 12
    edge = kb.graph.get_edge_data("fec-additive", "lif", key="forms")
    assert edge["inverse"] == "formed by"
    assert edge["sources"] == [{"ref": REF, "locator": "Fig. 2"}]
    assert edge["note"] == "mostly"
    compat = kb.graph.get_edge_data("lino3-additive", "fec-additive", key="combines_with")
    assert compat["evidence"] == "compatible"


def test_related_reads_both_ways_and_by_inverse_name(kb: KnowledgeBase) -> None:
    forming = [e.id for e in kb.related("lif", "forms", direction="in")]
    assert forming == ["fec-additive"]
    assert [e.id for e in kb.related("lif", "formed by")] == forming
    assert [e.id for e in kb.related("fec-additive", "forms")] == ["lif"]
    assert kb.related("fec-additive", "forms", direction="in") == []
    assert [e.id for e in kb.related("lif", direction="both")] == ["fec-additive", "why-lif"]
    assert {e.id for e in kb.related("cracking", "fails_by", direction="in")} == {"coating", "fec-additive"}


def test_related_refuses_unknown_relation_and_ids(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="did you mean 'forms'"):
        kb.related("lif", "form")
    with pytest.raises(UnknownEntryError):
        kb.related("lif2", "forms")


def test_relations_are_typed_and_readable_from_either_end(kb: KnowledgeBase) -> None:
    relations = kb.relations("lif", direction="in")
    forms = next(r for r in relations if r.relation == "forms")
    assert isinstance(forms, Relation)
    assert (forms.source, forms.target, forms.inverse) == ("fec-additive", "lif", "formed by")
    assert forms.sources[0].locator == "Fig. 2"
    assert forms.reading("lif") == ("formed by", "fec-additive")
    assert forms.reading("fec-additive") == ("forms", "lif")
    assert {r.relation for r in kb.relations("fec-additive", direction="out")} == {
        "subtype_of",
        "uses",
        "forms",
        "fails_by",
    }


def test_unknown_id_is_a_key_error_naming_close_matches(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError) as caught:
        kb["fec-aditive"]
    assert isinstance(caught.value, UnknownEntryError)
    assert "fec-additive" in caught.value.suggestions
    assert "did you mean 'fec-additive'" in str(caught.value)
    with pytest.raises(UnknownEntryError) as by_name:
        kb["LiF"]
    assert by_name.value.suggestions[0] == "lif"


def test_mapping_protocol(kb: KnowledgeBase) -> None:
    assert "lif" in kb and "nope" not in kb
    assert list(kb) == sorted(kb)
    assert kb["lif"].name == "Lithium fluoride (LiF)"
    assert kb.get("nope") is None


def test_entries_filter_by_kind_enum_lists_and_relations(kb: KnowledgeBase) -> None:
    assert [e.id for e in kb.entries("species")] == ["li3n", "lif"]
    assert [e.id for e in kb.entries("strategies", family="artificial-sei")] == ["coating"]
    assert [e.id for e in kb.entries("material", roles="salt")] == ["lino3"]
    assert [e.id for e in kb.entries("strategy", forms="lif")] == ["fec-additive"]
    assert [e.id for e in kb.entries(interface="li-current-collector")] == ["coating"]
    assert len(kb.entries()) == len(kb)
    with pytest.raises(ValueError, match="did you mean 'strategy'"):
        kb.entries("stratgy")
    with pytest.raises(ValueError, match="did you mean 'family'"):
        kb.entries("strategy", familly="artificial-sei")


def test_find_ignores_subscripts_case_spaces_and_hyphens(kb: KnowledgeBase) -> None:
    assert kb.find("LiNO3")[0].id == "lino3"
    assert kb.find("lino₃")[0].id == "lino3"
    assert kb.find("fec")[0].id == "fec"  # exact alias before the strategy whose name contains it
    assert [e.id for e in kb.find("FEC")][:2] == ["fec", "fec-additive"]
    assert kb.find("Fluoro-ethylene  Carbonate")[0].id == "fec"
    assert kb.find("") == []
    assert kb.find("zirconium") == []
    assert normalise("Li–Cu") == normalise("li-cu") == "licu"


def test_path_and_neighborhood(kb: KnowledgeBase) -> None:
    path = kb.path("lino3", "lif")
    assert path[0] == "lino3" and path[-1] == "lif"
    assert len(path) == 4  # lino3 <- lino3-additive -> fec-additive -> lif (or via additives)
    near = kb.neighborhood("lif", radius=1)
    assert set(near) == {"lif", "fec-additive", "why-lif"}
    assert near.has_edge("fec-additive", "lif", key="forms")
    assert "fec" in kb.neighborhood("lif", radius=2)


def test_subtree_and_ancestors(kb: KnowledgeBase) -> None:
    assert kb.subtree("root") == ["root", "additives", "fec-additive", "lino3-additive"]
    assert kb.subtree("coating") == ["coating"]
    assert kb.ancestors("fec-additive") == ["additives", "root"]
    threats = {f.id for s in kb.subtree("root") for f in kb.related(s, "fails_by")}
    assert threats == {"cracking"}


def test_citing_indexes_every_source(kb: KnowledgeBase) -> None:
    citing = kb.citing(REF)
    assert "fec-additive" in citing and "lif" in citing and REF not in citing
    assert citing == sorted(citing)


def test_file_and_line_of_a_field(kb: KnowledgeBase) -> None:
    path = kb.file_of("fec-additive")
    assert path == kb.root / "strategies" / "fec-additive.yaml"
    line = kb.line_of("fec-additive", ("forms", 0))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].lstrip().startswith("- id: lif")
    assert kb.line_of("fec-additive") == 1


def test_repeated_links_become_one_edge_with_merged_sources(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "LiF"),
            "strategies/s": minimal("strategy", forms=[{"id": "lif", "sources": SOURCE}, {"id": "lif"}]),
        },
    )
    kb = load(root, cache=False)
    assert kb.graph.number_of_edges("s", "lif") == 1
    assert kb.graph.get_edge_data("s", "lif", key="forms")["sources"] == [{"ref": REF, "locator": "Table 1"}]


def _dataset_kb(tmp_path: Path) -> KnowledgeBase:
    root = write_kb(
        tmp_path,
        {
            "references/jones2021other": {"title": "Other work", "authors": ["Jones, B."], "year": 2021},
            "properties/ce": minimal("property", "CE", unit="%"),
            "datasets/table": minimal(
                "dataset",
                "Table",
                columns=[{"name": "ce", "property": "ce", "unit": "%"}, {"name": "salt", "type": "text"}],
                records=[
                    {"label": "A", "ce": 99.2, "salt": "LiFSI"},
                    {"label": "B", "ce": 97, "source": {"ref": "jones2021other", "locator": "Fig. 3"}},
                ],
            ),
        },
    )
    return load(root, cache=False)


def test_dataset_records_carry_values_units_and_sources(tmp_path: Path) -> None:
    kb = _dataset_kb(tmp_path)
    table = kb.dataset("table")
    assert table.units == {"ce": "%", "salt": None}
    assert [{k: r[k] for k in table.fieldnames} for r in table.records] == [
        {"label": "A", "ce": 99.2, "salt": "LiFSI", "ref": REF, "locator": "Table 1"},
        {"label": "B", "ce": 97, "salt": None, "ref": "jones2021other", "locator": "Fig. 3"},
    ]
    assert all(r["electrolyte"] is None and r["components"] == [] for r in table.records)
    assert len(table) == 2
    with pytest.raises(TypeError, match="not a dataset"):
        kb.dataset("ce")


def test_to_pandas_needs_pandas_only_when_called(tmp_path: Path) -> None:
    table = _dataset_kb(tmp_path).dataset("table")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            table.to_pandas()
    else:
        frame = table.to_pandas()
        assert list(frame.columns)[:5] == ["label", "ce", "salt", "ref", "locator"]
        assert frame["ce"].tolist() == [99.2, 97]


def test_path_breaks_ties_by_sorting_not_by_file_order(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path,
        {
            "species/b": minimal("species", "B"),
            "species/a": minimal("species", "A"),
            "strategies/s1": minimal("strategy", forms=["b", "a"]),
            "strategies/s2": minimal("strategy", forms=["b", "a"]),
        },
    )
    kb = load(root, cache=False)
    assert kb.path("s1", "s2") == ["s1", "a", "s2"]
    assert kb.path("s2", "s1") == ["s2", "a", "s1"]
    assert kb.path("a", "a") == ["a"]
    assert kb.path("a", REF) == []
