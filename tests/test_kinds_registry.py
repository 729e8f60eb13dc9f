"""The kinds registry (site/kinds.py): every kind shown, answered, weighted and ordered in one
row, and the site search taking its order from the generated index."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from limkb.graph import RELATION_NAMES
from limkb.schema.kinds import KINDS
from limkb.site.kinds import (
    DISPLAY,
    EDITOR_SCHEMAS_MARKERS,
    KIND_WORDS,
    KINDS_MARKERS,
    SEARCH_ORDER,
    KindDisplay,
    editor_schemas,
    kinds_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "src/limkb/site/assets"

READINGS = {name.replace("_", " ") for name in RELATION_NAMES} | set(RELATION_NAMES.values())
"""Every way a relation reads, from either end."""


def incomplete(kind: str, shown: KindDisplay | None) -> list[str]:
    """What a kind lacks in the registry."""
    if shown is None:
        return ["a DISPLAY row"]
    missing = []
    if not shown.title or not shown.colour.startswith("#"):
        missing.append("a title and colour")
    if shown.verbs is None:
        missing.append("verbs (its key relations; () for none)")
    missing += [f"a relation named {verb!r}" for verb in shown.verbs or () if verb not in READINGS]
    if not shown.holds:
        missing.append("holds (what an entry holds, for the README)")
    if kind not in SEARCH_ORDER:
        missing.append("a place in SEARCH_ORDER")
    if not shown.words:
        missing.append("words (those of a query that keep only this kind)")
    return missing


def test_every_kind_is_registered_whole() -> None:
    assert {k: incomplete(k, DISPLAY.get(k)) for k in KINDS if incomplete(k, DISPLAY.get(k))} == {}
    assert set(DISPLAY) == set(KINDS)
    assert sorted(SEARCH_ORDER) == sorted([*KINDS, "page"])


@pytest.mark.parametrize(
    ("shown", "lacks"),
    [
        (None, "a DISPLAY row"),
        (KindDisplay("Widgets", "#123456"), "verbs (its key relations; () for none)"),
        (KindDisplay("Widgets", "#123456", verbs=("frobnicates",)), "a relation named 'frobnicates'"),
        (KindDisplay("Widgets", "#123456", verbs=()), "holds (what an entry holds, for the README)"),
        (
            KindDisplay("Widgets", "#123456", verbs=(), holds="a widget"),
            "words (those of a query that keep only this kind)",
        ),
    ],
)
def test_the_completeness_check_catches_a_half_registered_kind(shown: KindDisplay | None, lacks: str) -> None:
    assert lacks in incomplete("widget", shown)
    assert "a place in SEARCH_ORDER" in incomplete("widget", KindDisplay("Widgets", "#123456", verbs=()))
    whole = KindDisplay("Widgets", "#123456", verbs=(), holds="a widget", words=("widget", "widgets"))
    assert incomplete("strategy", whole) == []


def test_the_scripts_name_no_kind() -> None:
    """search.js and the graph explorer take the kinds' order and words from their data files."""
    search = (ASSETS / "search.js").read_text(encoding="utf-8")
    assert "var KIND_ORDER = [];" in search and "KIND_ORDER = data.order || [];" in search
    assert "var KIND_WORDS = {};" in search and "KIND_WORDS = data.words || {};" in search
    explorer = (ASSETS / "explorer.js").read_text(encoding="utf-8")
    assert "KIND_WORDS = data.words || {};" in explorer and "rank(query, items, KIND_WORDS)" in explorer
    code = [re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL) for script in (search, explorer)]
    named = {kind for kind in KINDS for script in code if re.search(rf'["\']{re.escape(kind)}["\']', script)}
    assert named <= {"reference"}, (
        f"a kind named in a script: {sorted(named)}"
    )  # the explorer hides references at first


def index_of(tmp_path: Path) -> dict[str, Any]:
    """The search index of a one-material KB, as the browser reads it."""
    import json

    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.finder import search_data
    from limkb.site.render import RenderOptions

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    text = search_data(Site(kb, RenderOptions(), {}), lambda entry: entry.label, set())
    found: dict[str, Any] = json.loads(text.removeprefix("window.LIMKB_SEARCH = ").removesuffix(";\n"))
    return found


def test_the_index_carries_the_search_order(tmp_path: Path) -> None:
    data = index_of(tmp_path)
    assert data["order"] == list(SEARCH_ORDER)
    assert [item["kind"] for item in data["pages"]].count("material") == 1


def test_the_index_and_the_graph_data_carry_the_kind_words(tmp_path: Path) -> None:
    """Typing "claims" or a kind's plural keeps that kind only: the words come with the data."""
    data = index_of(tmp_path)
    assert data["words"] == {kind: list(words) for kind, words in KIND_WORDS.items()}
    assert sorted(data["words"]) == sorted(KINDS) and all(data["words"].values())
    assert data["words"]["claim"] == ["claim", "claims"] and "papers" in data["words"]["reference"]
    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.overview import graph_data
    from limkb.site.render import RenderOptions

    kb = limkb.load(write_kb(tmp_path / "g", {"materials/fec": minimal("material")}), cache=False)
    graph = json.loads(
        graph_data(Site(kb, RenderOptions(), {})).removeprefix("window.LIMKB_GRAPH = ").removesuffix(";\n")
    )
    assert graph["words"] == data["words"]


def test_no_word_keeps_two_kinds() -> None:
    """A word naming two kinds would keep whichever the script met first."""
    owners: dict[str, list[str]] = {}
    for kind, words in KIND_WORDS.items():
        for word in words:
            owners.setdefault(word, []).append(kind)
    assert {w: k for w, k in owners.items() if len(k) > 1} == {}
    assert all(word == word.lower() and " " not in word for word in owners)  # as search.js splits a query


def between(text: str, markers: tuple[str, str]) -> str:
    """The text between a pair of markers."""
    return text.split(markers[0] + "\n", 1)[1].split("\n" + markers[1], 1)[0]


def test_the_readme_and_contributing_list_every_kind() -> None:
    """The README's table of kinds and CONTRIBUTING's editor settings are the registry's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert between(readme, KINDS_MARKERS) == kinds_markdown(), "paste kinds_markdown() into README.md"
    assert between(contributing, EDITOR_SCHEMAS_MARKERS) == editor_schemas(), (
        "paste editor_schemas() into CONTRIBUTING.md"
    )
    for kind, model in KINDS.items():
        assert f"| {kind} | `{model.folder}` |" in kinds_markdown()
        assert f'"./schema/{kind}.schema.json": "kb/{model.folder}/*.yaml"' in editor_schemas()
