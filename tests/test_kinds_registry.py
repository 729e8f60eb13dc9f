"""The kinds registry (site/kinds.py): every kind shown, answered, weighted and ordered in one
row, and the site search taking its order from the generated index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from limkb.graph import RELATION_NAMES
from limkb.schema.kinds import KINDS
from limkb.site.kinds import (
    DISPLAY,
    EDITOR_SCHEMAS_MARKERS,
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
    ],
)
def test_the_completeness_check_catches_a_half_registered_kind(shown: KindDisplay | None, lacks: str) -> None:
    assert lacks in incomplete("widget", shown)
    assert "a place in SEARCH_ORDER" in incomplete("widget", KindDisplay("Widgets", "#123456", verbs=()))


def test_the_search_reads_its_kind_order_from_the_index() -> None:
    script = (ASSETS / "search.js").read_text(encoding="utf-8")
    assert "var KIND_ORDER = [];" in script and "KIND_ORDER = data.order || [];" in script
    assert not any(f'"{kind}", "' in script.split("KIND_WORDS")[0] for kind in KINDS)


def test_the_index_carries_the_search_order(tmp_path: Path) -> None:
    import json

    import limkb
    from kbfactory import minimal, write_kb
    from limkb.site.context import Site
    from limkb.site.finder import search_data
    from limkb.site.render import RenderOptions

    kb = limkb.load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    text = search_data(Site(kb, RenderOptions(), {}), lambda entry: entry.label, set())
    data = json.loads(text.removeprefix("window.LIMKB_SEARCH = ").removesuffix(";\n"))
    assert data["order"] == list(SEARCH_ORDER)
    assert [item["kind"] for item in data["pages"]].count("material") == 1


def kind_words(script: str) -> dict[str, list[str]]:
    """The words of a query that keep one kind only, as ``search.js`` lists them."""
    block = script.split("var KIND_WORDS = {", 1)[1].split("};", 1)[0]
    return {
        kind.strip('"'): re.findall(r'"([^"]+)"', words)
        for kind, words in re.findall(r'^\s*("[a-z-]+"|[a-z]+): \[([^\]]*)\]', block, re.MULTILINE)
    }


def test_a_word_of_the_query_names_every_kind() -> None:
    """Typing "claims" or a kind's plural keeps that kind only: search.js must know each kind."""
    words = kind_words((ASSETS / "search.js").read_text(encoding="utf-8"))
    assert sorted(words) == sorted(KINDS), "add the kind's words to KIND_WORDS in search.js"
    assert all(words[kind] for kind in KINDS)


def test_the_kind_word_parser_sees_a_missing_kind() -> None:
    script = 'var KIND_WORDS = {\n    question: ["question"],\n    "failure-mode": ["failure"]\n  };'
    assert kind_words(script) == {"question": ["question"], "failure-mode": ["failure"]}


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
