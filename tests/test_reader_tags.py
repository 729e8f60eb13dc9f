"""Core tags are accepted only on the kind of node they name: `!!seq` on a list, `!!map` on a
mapping, the scalar tags on plain values. PyYAML refuses the rest; reading them as untagged
would hide the contributor's mistake."""

from __future__ import annotations

import pytest

from limkb.check.reader import load_text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!seq x\n", "tag '!!seq' does not fit a plain value"),
        ("a: !!map x\n", "tag '!!map' does not fit a plain value"),
        ("a: !!str [1]\n", "tag '!!str' does not fit a list"),
        ("a: !!int [1]\n", "tag '!!int' does not fit a list"),
        ("a: !!map [1]\n", "tag '!!map' does not fit a list"),
        ("a: !!seq {b: 1}\n", "tag '!!seq' does not fit a mapping"),
        ("a: !!null {b: 1}\n", "tag '!!null' does not fit a mapping"),
        ("a:\n  - !!seq x\n", "tag '!!seq' does not fit a plain value"),
        ("!!seq\nb: 1\n", "tag '!!seq' does not fit a mapping"),
        ("!!str x: 1\n", None),
        ("!!seq x: 1\n", "tag '!!seq' does not fit a plain value"),
    ],
)
def test_a_tag_of_another_kind_is_refused_where_it_stands(text: str, message: str | None) -> None:
    document, problems = load_text(text, "x.yaml")
    if message is None:
        assert document is not None and problems == []
        return
    assert document is None
    assert [(p.code, p.message) for p in problems] == [("yaml-tag", message)]
    assert problems[0].hint == "remove the tag; the value's own form says what it is"
    line, col = next((n + 1, row.index("!!") + 1) for n, row in enumerate(text.splitlines()) if "!!" in row)
    assert (problems[0].line, problems[0].col) == (line, col)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: !!seq [1, 2]\n", [1, 2]),
        ("a: !!map {b: 1}\n", {"b": 1}),
        ("a: !!str 3\n", "3"),
        ("a: !!int '3'\n", 3),
        ("a: !!float 3\n", 3.0),
        ("a: !!bool true\n", True),
        ("a: !!null ''\n", None),
    ],
)
def test_a_tag_on_its_own_kind_is_read(text: str, value: object) -> None:
    document, problems = load_text(text, "x.yaml")
    assert problems == [] and document is not None
    assert document.data["a"] == value
