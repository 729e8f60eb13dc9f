"""The graph files and kb.jsonld joined from each entry's pieces are the text networkx and
``json.dumps`` write for the whole graph, escapes included; a piece is made again when what it
reads beyond its entry changes (a reference's lettered label, an edge's note)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import limkb
from kbfactory import REF, REFERENCE, SOURCE, minimal, write_data_files, write_entry, write_kb
from limkb.outputs import formats, graphfiles
from limkb.outputs.bibliography import display_labels

FILES = ("graph.json", "graph.graphml", "kb.jsonld")


def joined(kb: Any) -> dict[str, str]:
    """The three files from pieces made now."""
    labels = display_labels(kb[i] for i in kb)
    keys = graphfiles.graph_keys(kb, formats.GRAPH_ATTRIBUTES, labels)
    pieces = [graphfiles.make_piece(kb, i, labels[i], keys) for i in kb.graph]
    return {
        "graph.json": graphfiles.json_text({**kb.graph.graph, **formats.GRAPH_ATTRIBUTES}, pieces),
        "graph.graphml": graphfiles.graphml_text(formats.GRAPH_ATTRIBUTES, keys, pieces),
        "kb.jsonld": graphfiles.jsonld_text(formats.jsonld_head(), pieces),
    }


def whole(kb: Any) -> dict[str, str]:
    """The three files as networkx and ``json.dumps`` write them for the whole graph."""
    return {
        "graph.json": formats.graph_json(kb),
        "graph.graphml": formats.graph_graphml(kb),
        "kb.jsonld": json.dumps(formats.jsonld(kb), ensure_ascii=False, indent=1) + "\n",
    }


def test_the_real_kb_s_files_from_pieces_equal_networkx_s(real_kb: Any) -> None:
    assert joined(real_kb) == whole(real_kb)


def tricky(tmp_path: Path) -> Path:
    """Notes and names with markup characters, accents, tabs and line breaks."""
    note = 'a & b <c> "d" \u00e9\u2013 tab\there\nCRLF\nsecond line end'
    return write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride & <LiF> \u00e9", formula="LiF"),
            "strategies/s": minimal(
                "strategy",
                'S \u2014 "quoted"',
                family="artificial-sei",
                forms=[{"id": "lif", "sources": SOURCE, "note": note}],
            ),
        },
    )


def test_escapes_and_line_breaks_are_written_as_networkx_writes_them(tmp_path: Path) -> None:
    kb = limkb.load(tricky(tmp_path), cache=False)
    assert joined(kb) == whole(kb)
    assert "&amp; b &lt;c&gt;" in joined(kb)["graph.graphml"]


def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids whose pieces the next writes make."""
    seen: list[str] = []
    original = graphfiles.make_piece

    def noting(kb: Any, entry_id: str, *args: Any) -> Any:
        seen.append(entry_id)
        return original(kb, entry_id, *args)

    monkeypatch.setattr(graphfiles, "make_piece", noting)
    return seen


def assert_same_as_scratch(kb_dir: Path, out: Path, tmp_path: Path) -> None:
    scratch = write_data_files(kb_dir, tmp_path / "scratch")
    assert [name for name in FILES if (out / name).read_bytes() != (scratch / name).read_bytes()] == []


def test_a_reference_s_piece_follows_its_lettered_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second paper by the same authors in the same year letters the first one's label:
    its node changes though its own file did not."""
    kb = tricky(tmp_path)
    first = write_data_files(kb, tmp_path / "b0")
    assert "Smith (2020)" in (first / "graph.json").read_text(encoding="utf-8")
    write_entry(
        kb, "references/smith2020other", {**REFERENCE, "title": "Another test", "doi": "10.1000/other"}
    )
    seen = made(monkeypatch)
    second = write_data_files(kb, tmp_path / "b1", previous=first)
    assert set(seen) == {REF, "smith2020other"}
    assert "Smith (2020a)" in (second / "graph.json").read_text(encoding="utf-8")
    assert_same_as_scratch(kb, second, tmp_path)


def test_only_the_edited_entry_s_pieces_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = tricky(tmp_path)
    first = write_data_files(kb, tmp_path / "b0")
    path = kb / "strategies/s.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("CRLF", "crlf"), encoding="utf-8")
    seen = made(monkeypatch)
    second = write_data_files(kb, tmp_path / "b1", previous=first)
    assert seen == ["s"]
    assert_same_as_scratch(kb, second, tmp_path)
    seen.clear()
    third = write_data_files(kb, tmp_path / "b2", previous=second)  # nothing changed: the files linked
    assert seen == []
    assert (third / "cache/exports/graph.pickle").stat().st_ino == (
        second / "cache/exports/graph.pickle"
    ).stat().st_ino
