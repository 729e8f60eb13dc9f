"""The strict YAML loader: hostile forms are refused with located problems, values keep marks."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from limkb.check.reader import MAX_BYTES, Mark, load_file, load_text


def codes(text: str) -> list[tuple[str, int, int]]:
    document, problems = load_text(text, "x.yaml")
    assert document is None or not problems
    return [(p.code, p.line, p.col) for p in problems]


def data(text: str) -> object:
    document, problems = load_text(text, "x.yaml")
    assert not problems, [p.format_text() for p in problems]
    assert document is not None
    return document.data


def test_values_keep_line_and_column() -> None:
    document, _ = load_text("name: FEC\nuses:\n  - lif\n  - {id: li2o, note: x}\n", "x.yaml")
    assert document is not None
    assert document.mark(("name",)) == Mark(1, 7)
    assert document.mark(("uses", 0)) == Mark(3, 5)
    assert document.mark(("uses", 1, "note")) == Mark(4, 22)
    assert document.mark(("uses",), key=True) == Mark(2, 1)
    # An unknown location falls back to its nearest located ancestor.
    assert document.mark(("uses", 1, "missing")) == Mark(4, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: no", "no"),
        ("v: on", "on"),
        ("v: yes", "yes"),
        ("v: 0o17", "0o17"),
        ("v: 2024-01-01", "2024-01-01"),
        ("v: 12:30", "12:30"),
        ("v: 0x1F", "0x1F"),
        ("v: '1e3'", "1e3"),
        ("v: !!str 12", "12"),
        ("v: true", True),
        ("v: 1e3", 1000.0),
        ("v: -4", -4),
        ("v: ~", None),
    ],
)
def test_scalars_follow_yaml_core_rules_not_yaml_1_1(text: str, expected: object) -> None:
    assert data(text) == {"v": expected}


def test_crlf_line_endings_are_accepted() -> None:
    assert data("a: 1\r\nb: two\r\n") == {"a": 1, "b": "two"}


def test_python_tags_construct_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    assert codes(text) == [("yaml-tag", 1, 4)]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate-key", 3),
        ("a: &x [1, 2]\nb: *x\n", "yaml-anchor", 1),
        ("a: !custom 1\n", "yaml-tag", 1),
        ("a: !!binary aGk=\n", "yaml-tag", 1),
        ("a: 1\n---\nb: 2\n", "multiple-documents", 2),
        ("# nothing but a comment\n", "empty-file", 1),
        ("", "empty-file", 1),
        ("a:\n\tb: 1\n", "yaml-tab", 2),
        ("a: [1, 2\nb: 3\n", "yaml-syntax", 2),
        ("- a\n- b\n", "not-a-mapping", 1),
        ("just text\n", "not-a-mapping", 1),
        ("? [a, b]\n: 1\n", "non-string-key", 1),
        ("1: one\n", "non-string-key", 1),
    ],
)
def test_hostile_and_broken_yaml_is_refused_with_a_location(text: str, code: str, line: int) -> None:
    found = codes(text)
    assert [c for c, _, _ in found] == [code]
    assert found[0][1] == line


def test_alias_bomb_is_refused_before_expanding() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(
            f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
    assert codes("\n".join(lines))[0][0] == "yaml-anchor"


def test_pathological_nesting_is_refused() -> None:
    text = "a: " + "[" * 3000 + "]" * 3000 + "\n"
    assert codes(text) == [("too-deep", 1, 35)]


def _nested(shape: str, depth: int) -> str:
    if shape == "list":
        return "name: x\nuses: " + "[" * depth + "]" * depth + "\n"
    if shape == "map":
        return "name: x\nuses: " + "{a: " * depth + "1" + "}" * depth + "\n"
    return "name: x\nuses:\n" + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


# Where our limit of 32 levels (the entry's own mapping is the first) is crossed in each shape.
_CROSSED = {"list": (2, 38), "map": (2, 131), "block": (35, 65)}


@pytest.mark.parametrize("reading", ["fast", "exact", "pure-python"])
@pytest.mark.parametrize(
    ("shape", "depth"),
    [(shape, depth) for shape in ("list", "map") for depth in (33, 100, 999, 1001, 3000)]
    + [("block", 33), ("block", 100)],
)
def test_nesting_limit_is_ours_on_every_reading_path(
    monkeypatch: pytest.MonkeyPatch, reading: str, depth: int, shape: str
) -> None:
    """``too-deep`` at the same place whether libyaml has a nesting limit of its own or none.

    ``fast`` is the ordinary reading (libyaml composes clean files in C), ``exact`` forces the
    event-by-event reading with libyaml (recent versions stop at 1,000 levels) and
    ``pure-python`` uses PyYAML's own parser, which has no limit, as an old libyaml had none.
    """
    import yaml

    load = importlib.import_module("limkb.check.reader")  # the module; limkb.load is the function

    if reading != "fast":
        monkeypatch.setattr(load, "_fast_data", lambda text: None)
    if reading == "pure-python":
        monkeypatch.setattr(load, "_Parser", yaml.SafeLoader)
    line, col = _CROSSED[shape]
    assert codes(_nested(shape, depth)) == [("too-deep", line, col)]


def test_a_syntax_error_before_deep_nesting_is_reported_as_syntax() -> None:
    text = "name: [x\nother: : :\nuses: " + "[" * 2000 + "]" * 2000 + "\n"
    assert codes(text)[0][0] == "yaml-syntax"


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting() -> None:
    quoted = "name: x\nnote: '" + "[" * 2000 + "'\nsee: \"" + "{" * 2000 + '"  # ' + "[" * 2000 + "\n"
    assert data(quoted) == {"name": "x", "note": "[" * 2000, "see": "{" * 2000}


def test_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_BYTES + 1))
    document, problems = load_file(path)
    assert document is None
    assert [p.code for p in problems] == ["file-too-large"]


def test_non_utf8_bytes_are_located(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: ok\nsummary: caf\xe9\n")
    document, problems = load_file(path)
    assert document is None
    assert [(p.code, p.line, p.col) for p in problems] == [("not-utf8", 2, 13)]


def test_bom_is_stripped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: ok\n")
    document, problems = load_file(path)
    assert document is not None and document.data == {"name": "ok"}
    assert [(p.code, str(p.severity)) for p in problems] == [("bom", "warning")]
