"""Every refusal and every scalar rule of the strict YAML reader, table by table.

Each row names one behaviour of :mod:`limkb.check.reader` and pins it exactly: the value a
scalar reads as, or the code, line, column, message and hint of the problem a file gets. The
tables run on both reading paths (``fast``: libyaml composes a clean file in C; ``exact``:
the event-by-event builder every refused file goes through), which must agree.
"""

from __future__ import annotations

import importlib
import math
import os
import re
from pathlib import Path

import pytest
import yaml

from limkb.check.reader import (
    MAX_BYTES,
    MAX_DEPTH,
    Document,
    Mark,
    iter_entry_files,
    load_file,
    load_text,
    read_entry_bytes,
)

reader = importlib.import_module("limkb.check.reader")


@pytest.fixture(params=["fast", "exact"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which reading path the test uses; ``exact`` turns the fast composer off."""
    if request.param == "exact":
        monkeypatch.setattr(reader, "_fast_data", lambda text: None)
    return str(request.param)


def _data(text: str) -> object:
    document, problems = load_text(text, "x.yaml")
    assert not problems, [p.format_text() for p in problems]
    assert document is not None
    return document.data


def _refusal(text: str) -> tuple[str, int, int, str, str]:
    """(code, line, col, message, hint) of the one problem of ``text``; no document."""
    document, problems = load_text(text, "x.yaml")
    assert document is None
    assert len(problems) == 1, [p.format_text() for p in problems]
    p = problems[0]
    assert p.path == "x.yaml"
    assert str(p.severity) == "error"
    return (p.code, p.line, p.col, p.message, p.hint)


# --- scalars -------------------------------------------------------------------------------

_SCALARS = [
    # nulls: the YAML 1.2 core spellings only
    ("", None),
    ("~", None),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("nULL", "nULL"),
    ("none", "none"),
    # booleans: true/false in three casings, never yes/no/on/off
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    ("tRUE", "tRUE"),
    ("fALSE", "fALSE"),
    ("off", "off"),
    ("n", "n"),
    ("y", "y"),
    # whole numbers, signed, leading zeros read in base ten
    ("0", 0),
    ("42", 42),
    ("+7", 7),
    ("-4", -4),
    ("007", 7),
    ("1_000", "1_000"),
    ("0b101", "0b101"),
    ("4 2", "4 2"),
    # floats
    ("1.5", 1.5),
    (".5", 0.5),
    ("-.5", -0.5),
    ("5.", 5.0),
    ("1e3", 1000.0),
    ("1E-2", 0.01),
    ("+1.5e+3", 1500.0),
    ("1.5e", "1.5e"),
    ("e3", "e3"),
    ("1.2.3", "1.2.3"),
    (".", "."),
    ("+", "+"),
    ("1e3x", "1e3x"),
    ("x1e3", "x1e3"),
    ("12x", "12x"),
    ("x12", "x12"),
    # the special floats
    (".inf", math.inf),
    (".Inf", math.inf),
    (".INF", math.inf),
    ("+.inf", math.inf),
    ("+.Inf", math.inf),
    ("+.INF", math.inf),
    ("-.inf", -math.inf),
    ("-.Inf", -math.inf),
    ("-.INF", -math.inf),
    ("inf", "inf"),
    (".iNF", ".iNF"),
    ("nan", "nan"),
    # quoted and block scalars are always text
    ("'12'", "12"),
    ('"true"', "true"),
    ("'~'", "~"),
    ("''", ""),
    ('"1e3"', "1e3"),
    ("'.inf'", ".inf"),
    # explicit core tags
    ("!!str 12", "12"),
    ("!!str true", "true"),
    ("!!str", ""),
    ("!!int 12", 12),
    ("!!int -3", -3),
    ("!!float 3", 3.0),
    ("!!float 2.5", 2.5),
    ("!!float .inf", math.inf),
    ("!!bool true", True),
    ("!!bool FALSE", False),
    ("!!null ~", None),
    ("!!null", None),
    ("!!int '12'", 12),
]


def _slug(text: str) -> str:
    """A test id of plain characters (mutmut passes ids on a command line)."""
    return re.sub(r"[^A-Za-z0-9.+~-]+", "_", text) or "empty"


@pytest.mark.parametrize(("plain", "expected"), _SCALARS, ids=[_slug(p) for p, _ in _SCALARS])
def test_a_scalar_reads_by_the_yaml_1_2_core_rules(reading: str, plain: str, expected: object) -> None:
    """Each spelling reads as the one value (and type) of the YAML 1.2 core schema."""
    value = _data(f"v: {plain}\n")
    assert isinstance(value, dict)
    assert value == {"v": expected}
    assert type(value["v"]) is type(expected)


def test_nan_reads_as_a_float_nan_in_every_spelling(reading: str) -> None:
    """``.nan``, ``.NaN`` and ``.NAN`` are NaN; ``NaN`` without the dot is text."""
    found = _data("a: .nan\nb: .NaN\nc: .NAN\nd: NaN\n")
    assert isinstance(found, dict)
    assert all(isinstance(found[k], float) and math.isnan(found[k]) for k in "abc")
    assert found["d"] == "NaN"


def test_a_float_tag_gives_a_float_even_for_a_whole_number(reading: str) -> None:
    """``!!float 3`` is the float 3.0, not the int 3."""
    value = _data("v: !!float 3\n")
    assert isinstance(value, dict) and type(value["v"]) is float


def test_a_long_whole_number_is_read_up_to_its_limit(reading: str) -> None:
    """4,000 digits still read as a number; quoted, any length is text."""
    digits = "9" * 4000
    assert _data(f"v: {digits}\n") == {"v": int(digits)}
    assert _data(f"v: '{'9' * 5000}'\n") == {"v": "9" * 5000}
    assert _data(f"v: -{digits[1:]}\n") == {"v": -int(digits[1:])}


def test_a_key_that_reads_as_text_is_kept_as_written(reading: str) -> None:
    """Keys that look special but are text stay text; quoted keys always do."""
    assert _data("'1': a\n\"true\": b\n.x: c\nn: d\n!!str 2: e\n") == {
        "1": "a",
        "true": "b",
        ".x": "c",
        "n": "d",
        "2": "e",
    }


def test_tagged_collections_of_the_core_schema_are_plain(reading: str) -> None:
    """``!!seq`` and ``!!map`` give the plain list and mapping."""
    assert _data("a: !!seq [1, x]\nb: !!map {c: 1}\n") == {"a": [1, "x"], "b": {"c": 1}}


def test_a_collection_tag_on_a_scalar_is_refused(reading: str) -> None:
    """``!!seq x`` names a list but stands on text: refused where it stands (PyYAML refuses it
    too), never read as the untagged text (tests/test_reader_tags.py has every kind)."""
    hint = "remove the tag; the value's own form says what it is"
    assert _refusal("a: !!seq x\n") == ("yaml-tag", 1, 4, "tag '!!seq' does not fit a plain value", hint)
    assert _refusal("a: 1\nb: !!map 12\n") == (
        "yaml-tag",
        2,
        4,
        "tag '!!map' does not fit a plain value",
        hint,
    )


@pytest.mark.parametrize("text", ['a: ! "x"\n', "a: ! x\n", "! a: 1\n"], ids=["quoted", "plain", "key"])
def test_the_non_specific_tag_is_refused_by_either_parser(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """``!`` alone is a tag like any other, with libyaml and with PyYAML's own parser."""

    for parser in (reader._Parser, yaml.SafeLoader):
        monkeypatch.setattr(reader, "_Parser", parser)
        code, _, _, message, _ = _refusal(text)
        assert (code, message) == ("yaml-tag", "tag '!' is not allowed")


# --- refusals ------------------------------------------------------------------------------

_TAG_HINT = "remove the tag; entries hold plain text, numbers, lists and mappings only"
_VALUE_HINT = "remove the tag or fix the value"
_ANCHOR_HINT = "write the value out in full where it is needed; anchors and aliases are refused"
_ALIAS_HINT = "write the value out in full; anchors and aliases are refused"
_DUP_HINT = "keep one of the two; YAML would silently use the last"
_KEY_HINT = "write `name: value` with a simple word as the name"
_SYNTAX_HINT = "check indentation, colons after field names, and quotes around text containing ': ' or '#'"

_REFUSALS = [
    # tags beyond the plain core types, on values, keys and collections
    ("a: !custom 1\n", ("yaml-tag", 1, 4, "tag '!custom' is not allowed", _TAG_HINT)),
    ("a: !!binary aGk=\n", ("yaml-tag", 1, 4, "tag 'tag:yaml.org,2002:binary' is not allowed", _TAG_HINT)),
    ("a: ! 12\n", ("yaml-tag", 1, 4, "tag '!' is not allowed", _TAG_HINT)),
    ("a: !!set {b}\n", ("yaml-tag", 1, 4, "tag 'tag:yaml.org,2002:set' is not allowed", _TAG_HINT)),
    ("a:\n  - !x [1]\n", ("yaml-tag", 2, 5, "tag '!x' is not allowed", _TAG_HINT)),
    ("!x a: 1\n", ("yaml-tag", 1, 1, "tag '!x' is not allowed", _TAG_HINT)),
    ("!x {a: 1}\n", ("yaml-tag", 1, 1, "tag '!x' is not allowed", _TAG_HINT)),
    # core tags on a value they cannot read
    ("a: !!int x\n", ("yaml-tag", 1, 4, "'x' is not a valid !!int", _VALUE_HINT)),
    ("a: !!int true\n", ("yaml-tag", 1, 4, "'true' is not a valid !!int", _VALUE_HINT)),
    ("a: !!int 1.5\n", ("yaml-tag", 1, 4, "'1.5' is not a valid !!int", _VALUE_HINT)),
    ("a: !!float true\n", ("yaml-tag", 1, 4, "'true' is not a valid !!float", _VALUE_HINT)),
    ("a: !!float x\n", ("yaml-tag", 1, 4, "'x' is not a valid !!float", _VALUE_HINT)),
    ("a: !!bool 1\n", ("yaml-tag", 1, 4, "'1' is not a valid !!bool", _VALUE_HINT)),
    ("a: !!bool yes\n", ("yaml-tag", 1, 4, "'yes' is not a valid !!bool", _VALUE_HINT)),
    ("a: !!null x\n", ("yaml-tag", 1, 4, "'x' is not a valid !!null", _VALUE_HINT)),
    ("a: !!null false\n", ("yaml-tag", 1, 4, "'false' is not a valid !!null", _VALUE_HINT)),
    # anchors and aliases, wherever they are
    ("a: &x 1\n", ("yaml-anchor", 1, 4, "anchor '&x' is not allowed", _ANCHOR_HINT)),
    ("a: &big [1, 2]\nb: *big\n", ("yaml-anchor", 1, 4, "anchor '&big' is not allowed", _ANCHOR_HINT)),
    ("a: 1\nb: *nowhere\n", ("yaml-alias", 2, 4, "alias '*nowhere' is not allowed", _ALIAS_HINT)),
    ("a:\n  - 1\n  - *x\n", ("yaml-alias", 3, 5, "alias '*x' is not allowed", _ALIAS_HINT)),
    ("&k a: 1\n", ("yaml-anchor", 1, 1, "anchor '&k' is not allowed", _ANCHOR_HINT)),
    # duplicate keys, at the top and nested, located at the second with the first's line
    (
        "a: 1\nb: 2\na: 3\n",
        ("duplicate-key", 3, 1, "key 'a' appears twice in this mapping (first at line 1)", _DUP_HINT),
    ),
    (
        "x:\n  y: 1\n  z: 2\n  y: 3\n",
        ("duplicate-key", 4, 3, "key 'y' appears twice in this mapping (first at line 2)", _DUP_HINT),
    ),
    (
        "a: {b: 1, b: 2}\n",
        ("duplicate-key", 1, 11, "key 'b' appears twice in this mapping (first at line 1)", _DUP_HINT),
    ),
    (
        "l:\n  - k: 1\n  - k: 2\n    j: 0\n    k: 3\n",
        ("duplicate-key", 5, 5, "key 'k' appears twice in this mapping (first at line 3)", _DUP_HINT),
    ),
    (
        "'a': 1\n\"a\": 2\n",
        ("duplicate-key", 2, 1, "key 'a' appears twice in this mapping (first at line 1)", _DUP_HINT),
    ),
    # keys that are not text
    ("? [a, b]\n: 1\n", ("non-string-key", 1, 3, "a mapping key must be plain text", _KEY_HINT)),
    ("? {a: 1}\n: 1\n", ("non-string-key", 1, 3, "a mapping key must be plain text", _KEY_HINT)),
    ("1: one\n", ("non-string-key", 1, 1, "key '1' is read as int, not text", 'quote the key: "1"')),
    (
        "b: 0\n2.5: x\n",
        ("non-string-key", 2, 1, "key '2.5' is read as float, not text", 'quote the key: "2.5"'),
    ),
    ("true: 1\n", ("non-string-key", 1, 1, "key 'true' is read as bool, not text", 'quote the key: "true"')),
    ("~: 1\n", ("non-string-key", 1, 1, "key '~' is read as NoneType, not text", 'quote the key: "~"')),
    ("?\n: 1\n", ("non-string-key", 1, 2, "key '' is read as NoneType, not text", 'quote the key: ""')),
    (
        "a:\n  null: 1\n",
        ("non-string-key", 2, 3, "key 'null' is read as NoneType, not text", 'quote the key: "null"'),
    ),
    # the shape of the file
    (
        "a: 1\n---\nb: 2\n",
        (
            "multiple-documents",
            2,
            1,
            "the file holds more than one YAML document",
            "one entry per file: remove the '---' line and move the rest to its own file",
        ),
    ),
    (
        "---\n...\n---\na: 1\n",
        (
            "multiple-documents",
            3,
            1,
            "the file holds more than one YAML document",
            "one entry per file: remove the '---' line and move the rest to its own file",
        ),
    ),
    (
        "# nothing but a comment\n",
        (
            "empty-file",
            1,
            1,
            "the file holds no entry",
            "fill it in, e.g. with `limkb new <kind> <id>`, or delete it",
        ),
    ),
    (
        "",
        (
            "empty-file",
            1,
            1,
            "the file holds no entry",
            "fill it in, e.g. with `limkb new <kind> <id>`, or delete it",
        ),
    ),
    (
        "---\n...\n",
        (
            "empty-file",
            1,
            1,
            "the file holds no entry",
            "fill it in, e.g. with `limkb new <kind> <id>`, or delete it",
        ),
    ),
    (
        "- a\n- b\n",
        (
            "not-a-mapping",
            1,
            1,
            "the file holds a list, not a mapping of fields",
            "start each line at the left margin with `field: value`",
        ),
    ),
    (
        "\n\n  just text\n",
        (
            "not-a-mapping",
            3,
            3,
            "the file holds a str, not a mapping of fields",
            "start each line at the left margin with `field: value`",
        ),
    ),
    (
        "12\n",
        (
            "not-a-mapping",
            1,
            1,
            "the file holds a int, not a mapping of fields",
            "start each line at the left margin with `field: value`",
        ),
    ),
    # syntax, tabs, control characters and huge numbers
    (
        "a:\n\tb: 1\n",
        (
            "yaml-tab",
            2,
            1,
            "a tab character is used for indentation",
            "indent with spaces (two per level); configure your editor to insert spaces",
        ),
    ),
    (
        "a: [1, 2\nb: 3\n",
        (
            "yaml-syntax",
            2,
            2,
            "YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'",
            _SYNTAX_HINT,
        ),
    ),
    (
        'a: "x\x07"\n',
        (
            "yaml-syntax",
            1,
            6,
            "control character U+0007 is not allowed in YAML text",
            "remove the invisible character (often pasted from a PDF); write it as text if it is meant",
        ),
    ),
    # libyaml's own flow limit (1,000 brackets) is reported as ours, where ours is crossed
    (
        "a: " + "[" * 2000 + "]" * 2000 + "\n",
        (
            "too-deep",
            1,
            4 + MAX_DEPTH - 1,
            f"nesting deeper than {MAX_DEPTH} levels",
            "flatten the structure; no entry field nests this deep",
        ),
    ),
    (
        "a: 1\nb: " + "1" * 4001 + "\n",
        (
            "out-of-range",
            2,
            4,
            "a whole number of 4,001 digits is too large",
            "check the value; put it in double quotes if it is meant as text",
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), _REFUSALS, ids=[f"{e[0]}-{i}" for i, (_, e) in enumerate(_REFUSALS)]
)
def test_every_yaml_refusal_is_located_and_explained(
    reading: str, text: str, expected: tuple[str, int, int, str, str]
) -> None:
    """A refused file gets exactly one problem: its code, line:col, message and hint."""
    assert _refusal(text) == expected


def test_problems_after_the_first_document_are_reported_with_it() -> None:
    """Several documents: one problem at the second ``---``, none of the later text read."""
    code, line, col, _, _ = _refusal("a: 1\n--- \nb: !x 2\n---\nc: 3\n")
    assert (code, line, col) == ("multiple-documents", 2, 1)


def test_a_mapping_of_the_nesting_limit_reads_and_one_more_is_refused(reading: str) -> None:
    """``MAX_DEPTH`` levels (the entry's own mapping is the first) read; one more is refused."""
    brackets = MAX_DEPTH - 1
    inside = "[" * brackets + "]" * brackets
    assert _data(f"a: {inside}\n") == {"a": _nested_list(brackets)}
    deeper = "[" * (brackets + 1) + "]" * (brackets + 1)
    assert _refusal(f"a: {deeper}\n") == (
        "too-deep",
        1,
        4 + brackets,
        f"nesting deeper than {MAX_DEPTH} levels",
        "flatten the structure; no entry field nests this deep",
    )


def _nested_list(depth: int) -> object:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_a_deep_block_mapping_is_refused_at_the_key_past_the_limit(reading: str) -> None:
    """Block nesting (no brackets) has the same limit, at the mapping that crosses it."""
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH)) + "  " * MAX_DEPTH + "v: 1\n"
    code, line, col, _, _ = _refusal(text)
    assert (code, line, col) == ("too-deep", MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)
    shallower = (
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH - 1)) + "  " * (MAX_DEPTH - 1) + "v: 1\n"
    )
    assert _data(shallower) is not None


def test_flow_brackets_inside_quotes_escapes_and_comments_are_not_nesting() -> None:
    """Only real brackets count towards the pre-scan's depth: quoted text, escaped and doubled
    quotes, and comments are skipped; a ``#`` inside a word is no comment."""
    many = "[" * 40
    text = (
        f'a: "{many} \\" {many}"\n'
        f"b: '{many} '' {many}'\n"
        f"d: 1  # {many}\n"
        f'e: "{many}\\\\"\n'
        "f: [\"x\", 'y']\n"
    )
    assert reader._flow_prefix(text) is None
    assert reader._flow_prefix(f"c: x#{many}\n") is not None
    deep = "g: " + "[" * (MAX_DEPTH + 2)
    assert reader._flow_prefix(deep) == "g: " + "[" * (MAX_DEPTH + 2)
    assert reader._flow_prefix("g: " + "[" * (MAX_DEPTH + 1) + "]") is None
    closed = "g: " + "[]" * 100 + "[" * (MAX_DEPTH + 2)
    assert reader._flow_prefix(closed) == closed
    assert reader._flow_prefix("a: ']'\nb: " + "]" * 5 + "[" * (MAX_DEPTH + 2)) is not None


def test_the_quoted_scan_ends_after_its_closing_quote() -> None:
    """``_quoted_end``: past escaped double quotes and doubled single quotes; the end if open."""
    assert reader._quoted_end('ab"cd', 0, '"') == 3
    assert reader._quoted_end('a\\"b"c', 0, '"') == 5
    assert reader._quoted_end('a\\\\"b', 0, '"') == 4
    assert reader._quoted_end("a''b'c", 0, "'") == 5
    assert reader._quoted_end("abc", 0, "'") == 3
    assert reader._quoted_end('x"ab"', 2, '"') == 5
    assert reader._quoted_end('a"b"c', 0, '"') == 2  # the first closing quote, not the last
    assert reader._quoted_end('"rest', 0, '"') == 1  # a closing quote right at the start
    assert reader._quoted_end("'rest", 0, "'") == 1
    assert reader._quoted_end("a'''x", 0, "'") == 4  # a doubled quote right before the closing one
    assert reader._quoted_end('\\""x', 0, '"') == 3  # an escaped quote right before the closing one


def test_too_deep_declines_a_text_that_is_not_deep() -> None:
    """A syntax error with no deep brackets is not reported as nesting."""
    assert reader._too_deep("a: [1\n", "x.yaml") is None
    assert reader._too_deep("a: '" + "[" * 50 + "\n", "x.yaml") is None
    deep = reader._too_deep("a: " + "[" * 50 + "\n", "x.yaml")
    assert deep is not None and [(p.code, p.line, p.col) for p in deep] == [("too-deep", 1, 35)]
    assert reader._too_deep("a: !x " + "[" * 50 + "\n", "x.yaml") is None
    assert reader._too_deep("a: " + "[" * 30 + "}" + "[" * 50, "x.yaml") is None


# --- positions -----------------------------------------------------------------------------


def test_the_fast_reading_locates_values_like_the_exact_one(reading: str) -> None:
    """Marks are found lazily after the fast reading and equal the exact reading's."""
    text = "name: FEC\nuses:\n  - lif\n  - {id: li2o, note: x}\nmap:\n  deep: 'q'\n"
    document, _ = load_text(text, "x.yaml")
    assert document is not None
    assert document.marks == {
        (): Mark(1, 1),
        ("name",): Mark(1, 7),
        ("uses",): Mark(3, 3),
        ("uses", 0): Mark(3, 5),
        ("uses", 1): Mark(4, 5),
        ("uses", 1, "id"): Mark(4, 10),
        ("uses", 1, "note"): Mark(4, 22),
        ("map",): Mark(6, 3),
        ("map", "deep"): Mark(6, 9),
    }
    assert document.key_marks == {
        ("name",): Mark(1, 1),
        ("uses",): Mark(2, 1),
        ("uses", 1, "id"): Mark(4, 6),
        ("uses", 1, "note"): Mark(4, 16),
        ("map",): Mark(5, 1),
        ("map", "deep"): Mark(6, 3),
    }
    assert repr(document) == "Document('x.yaml')"


def test_a_mark_falls_back_to_the_nearest_located_ancestor() -> None:
    """An unknown location gives its parent's mark, a key its key's mark, and (1, 1) at worst."""
    document, _ = load_text("a:\n  b: 1\n", "x.yaml")
    assert document is not None
    assert document.mark(("a", "b", "c", 0)) == Mark(2, 6)
    assert document.mark(("a", "b"), key=True) == Mark(2, 3)
    assert document.mark(("a", "zz"), key=True) == Mark(2, 3)
    assert document.mark(("zz",), key=True) == Mark(1, 1)
    bare = Document("y.yaml", {"a": 1})
    assert bare.mark(("a",)) == Mark(1, 1)
    assert bare.mark_in(("a",), 3) == Mark(1, 1)
    assert Document("z.yaml", {}, {(): Mark(4, 2)}, {}).mark(("q",)) == Mark(4, 2)


_OFFSETS = [
    # (text, offset, expected mark): plain, quoted, block and out-of-line values
    ("v: abcdef\n", 0, Mark(1, 4)),
    ("v: abcdef\n", 3, Mark(1, 7)),
    ("v: abcdef\n", 6, Mark(1, 10)),
    ("v: abcdef\n", 7, Mark(1, 4)),
    ("v: 'abc'\n", 1, Mark(1, 6)),
    ('v: "abc"\n', 2, Mark(1, 7)),
    ("v: |\n  abc\n", 1, Mark(1, 4)),
    ("v: >\n  abc\n", 1, Mark(1, 4)),
    ("v: Xyz\n", 1, Mark(1, 5)),
    ("v:\nw: 1\n", 0, Mark(1, 3)),
]


@pytest.mark.parametrize(
    ("text", "offset", "expected"), _OFFSETS, ids=[f"offset-{i}" for i in range(len(_OFFSETS))]
)
def test_a_character_of_a_value_is_located_on_its_line(
    reading: str, text: str, offset: int, expected: Mark
) -> None:
    """``mark_in``: exact inside a one-line value (past an opening quote), else the value's mark."""
    document, _ = load_text(text, "x.yaml")
    assert document is not None
    assert document.mark_in(("v",), offset) == expected


def test_a_character_of_an_unlocated_value_is_its_ancestors_mark() -> None:
    """A location with no mark of its own is not offset: the ancestor's mark comes back as is."""
    document, _ = load_text("v: abc\n", "x.yaml")
    assert document is not None
    assert document.mark_in(("v", 0), 2) == Mark(1, 4)
    odd = Document("x.yaml", {"v": "a"}, {("v",): Mark(9, 1)}, {}, text="v: a\n")
    assert odd.mark_in(("v",), 1) == Mark(9, 1)
    empty = Document("x.yaml", {"v": ""}, {("v",): Mark(1, 4)}, {}, text="v:")
    assert empty.mark_in(("v",), 0) == Mark(1, 4)
    line_zero = Document("x.yaml", {"v": "a"}, {("v",): Mark(0, 1)}, {}, text="v: a\nw: bcd\n")
    assert line_zero.mark_in(("v",), 2) == Mark(0, 1)


# --- files ---------------------------------------------------------------------------------


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    """A file that is not there: ``unreadable`` with the system's reason, shown by its name."""
    raw, problem = read_entry_bytes(tmp_path / "gone.yaml", "kb/gone.yaml")
    assert raw is None and problem is not None
    assert (problem.path, problem.line, problem.col, problem.code) == ("kb/gone.yaml", 1, 1, "unreadable")
    assert problem.message == "cannot read the file: No such file or directory"
    assert problem.hint == "check that the file exists and is readable"


def test_a_symbolic_link_is_refused_even_to_a_good_file(tmp_path: Path) -> None:
    """Entry files may not be links; the name shown is the one given."""
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    raw, problem = read_entry_bytes(tmp_path / "link.yaml", "shown.yaml")
    assert raw is None and problem is not None
    assert (problem.path, problem.code, problem.message, problem.hint) == (
        "shown.yaml",
        "bad-filename",
        "entry files may not be symbolic links",
        "replace the link with the file itself",
    )
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    _, dangling = read_entry_bytes(tmp_path / "dangling.yaml", "d.yaml")
    assert dangling is not None and dangling.code == "bad-filename"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_pipe_or_a_folder_is_not_a_file(tmp_path: Path) -> None:
    """A FIFO (never blocking) and a folder are refused as ``not-a-file``."""
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "folder.yaml").mkdir()
    for name in ("pipe.yaml", "folder.yaml"):
        raw, problem = read_entry_bytes(tmp_path / name, name)
        assert raw is None and problem is not None
        assert (problem.path, problem.line, problem.col, problem.code) == (name, 1, 1, "not-a-file")
        assert problem.message == "this is not a regular file (a device, a pipe or a socket)"
        assert problem.hint == "entry files are plain text files; remove this one"


def test_a_file_of_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    """Exactly ``MAX_BYTES`` bytes are read whole; one more is ``file-too-large`` with both sizes."""
    fits = tmp_path / "fits.yaml"
    fits.write_bytes(b"a: " + b"x" * (MAX_BYTES - 4) + b"\n")
    raw, problem = read_entry_bytes(fits, "fits.yaml")
    assert problem is None and raw is not None and len(raw) == MAX_BYTES
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES - 2))
    raw, problem = read_entry_bytes(big, "big.yaml")
    assert raw is None and problem is not None
    assert (problem.path, problem.line, problem.col, problem.code) == ("big.yaml", 1, 1, "file-too-large")
    assert problem.message == "the file is 1,048,577 bytes; an entry may be at most 1,048,576"
    assert problem.hint == "split the data into several entries, or keep large raw data outside kb/"


def _report_size(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """``os.fstat`` in the reader reports ``size`` bytes for any file, whatever it holds."""
    real_fstat = os.fstat

    class _Reported:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode = info.st_mode
            self.st_size = size

    monkeypatch.setattr(reader.os, "fstat", lambda fd: _Reported(real_fstat(fd)))


def test_a_file_that_grows_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose reported size is small but whose content is not (``/dev/zero``) is cut off."""
    path = tmp_path / "liar.yaml"
    path.write_bytes(b"a" * (MAX_BYTES + 10))
    _report_size(monkeypatch, 10)
    raw, problem = read_entry_bytes(path, "liar.yaml")
    assert raw is None and problem is not None
    assert problem.code == "file-too-large"
    assert problem.message == "the file is more than 1,048,576 bytes; an entry may be at most 1,048,576"


def test_the_bytes_of_a_small_file_come_back_whole(tmp_path: Path) -> None:
    """A good file's bytes, unchanged (including an empty file)."""
    (tmp_path / "ok.yaml").write_bytes(b"a: 1\n")
    assert read_entry_bytes(tmp_path / "ok.yaml", "ok.yaml") == (b"a: 1\n", None)
    (tmp_path / "empty.yaml").write_bytes(b"")
    assert read_entry_bytes(tmp_path / "empty.yaml", "empty.yaml") == (b"", None)


_UTF8_HINT = "save the file with UTF-8 encoding"
_NUL_HINT = "entry files are plain text; remove the binary content"
_FILE_REFUSALS = [
    (
        b"name: ok\nsummary: caf\xe9\n",
        ("not-utf8", 2, 13, "byte 0xe9 at offset 21 is not valid UTF-8", _UTF8_HINT),
    ),
    (b"\xff", ("not-utf8", 1, 1, "byte 0xff at offset 0 is not valid UTF-8", _UTF8_HINT)),
    (b"a: 1\nb: x\x00y\n", ("not-utf8", 2, 5, "the file contains a NUL byte", _NUL_HINT)),
    (b"\x00", ("not-utf8", 1, 1, "the file contains a NUL byte", _NUL_HINT)),
    # after a BOM: its warning first; the column counts from the text, the offset from the file
    (b"\xef\xbb\xbfa: \xe9\n", ("not-utf8", 1, 4, "byte 0xe9 at offset 6 is not valid UTF-8", _UTF8_HINT)),
    (b"\xef\xbb\xbfa: 1\nb: \x00\n", ("not-utf8", 2, 4, "the file contains a NUL byte", _NUL_HINT)),
]


@pytest.mark.parametrize(
    ("raw", "expected"), _FILE_REFUSALS, ids=[f"bytes-{i}" for i in range(len(_FILE_REFUSALS))]
)
def test_bytes_that_are_not_text_are_located(
    tmp_path: Path, raw: bytes, expected: tuple[str, int, int, str, str]
) -> None:
    """Invalid UTF-8 and NUL bytes: an error located at the byte, with its value and offset."""
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    document, problems = load_file(path, display="kb/bad.yaml")
    assert document is None
    found = [(p.path, str(p.severity), p.code, p.line, p.col, p.message, p.hint) for p in problems]
    assert found[-1:] == [("kb/bad.yaml", "error", *expected)]
    assert [p.code for p in problems[:-1]] == (["bom"] if raw.startswith(b"\xef\xbb\xbf") else [])


def test_a_bom_is_warned_about_and_the_entry_still_read_or_refused(tmp_path: Path) -> None:
    """The BOM warning comes with the entry, or before the file's own problems."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    document, problems = load_file(path)
    assert document is not None and document.data == {"a": 1}
    assert [(p.path, p.line, p.col, str(p.severity), p.code, p.message, p.hint) for p in problems] == [
        (
            str(path),
            1,
            1,
            "warning",
            "bom",
            "the file starts with a UTF-8 byte-order mark",
            "save the file as UTF-8 without BOM",
        )
    ]
    path.write_bytes(b"\xef\xbb\xbfa: 1\na: 2\n")
    document, problems = load_file(path)
    assert document is None
    assert [(p.path, p.code, p.line) for p in problems] == [
        (str(path), "bom", 1),
        (str(path), "duplicate-key", 2),
    ]


def test_a_refused_file_is_one_problem_from_load_file(tmp_path: Path) -> None:
    """``load_file`` passes on the reading refusal, with the display name."""
    document, problems = load_file(tmp_path / "none.yaml", display="kb/none.yaml")
    assert document is None
    assert [(p.path, p.code) for p in problems] == [("kb/none.yaml", "unreadable")]


def test_entry_files_are_listed_in_path_order_without_hidden_ones(tmp_path: Path) -> None:
    """Sorted by path parts, hidden files and folders skipped, a linked folder listed not entered."""
    for name in ("b/z.yaml", "b/a.yaml", "a.yaml", "a-b.yaml", ".hidden.yaml", ".git/x.yaml", "b/.h/y.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: 1\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "in.yaml").write_text("a: 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "c")
    (tmp_path / ".hidden-link").symlink_to(tmp_path / "c")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_entry_files(tmp_path)]
    assert found == ["a-b.yaml", "a.yaml", "b/a.yaml", "b/z.yaml", "c/in.yaml", "link"]


# --- what a path is: every refusal of read_entry_bytes, as a table ---------------------------

_LINK_HINT = "replace the link with the file itself"
_NOT_FILE = "this is not a regular file (a device, a pipe or a socket)"
_NOT_FILE_HINT = "entry files are plain text files; remove this one"
_LARGE_HINT = "split the data into several entries, or keep large raw data outside kb/"


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "gone.yaml"


def _link_to_a_good_file(tmp_path: Path) -> Path:
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "e.yaml").symlink_to(tmp_path / "real.yaml")
    return tmp_path / "e.yaml"


def _dangling_link(tmp_path: Path) -> Path:
    (tmp_path / "e.yaml").symlink_to(tmp_path / "nowhere.yaml")
    return tmp_path / "e.yaml"


def _under_a_looping_link(tmp_path: Path) -> Path:
    """A folder that links to itself: opening a file in it fails with ELOOP, though the path's
    own last part is no link (``is_symlink`` is False)."""
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return tmp_path / "loop" / "e.yaml"


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "e.yaml")
    return tmp_path / "e.yaml"


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "e.yaml").mkdir()
    return tmp_path / "e.yaml"


def _one_byte_too_large(tmp_path: Path) -> Path:
    (tmp_path / "e.yaml").write_bytes(b"a: " + b"x" * (MAX_BYTES - 2))
    return tmp_path / "e.yaml"


_PATH_REFUSALS = [
    (
        _missing,
        (
            "unreadable",
            "cannot read the file: No such file or directory",
            "check that the file exists and is readable",
        ),
    ),
    (_link_to_a_good_file, ("bad-filename", "entry files may not be symbolic links", _LINK_HINT)),
    (_dangling_link, ("bad-filename", "entry files may not be symbolic links", _LINK_HINT)),
    (_under_a_looping_link, ("bad-filename", "entry files may not be symbolic links", _LINK_HINT)),
    (_fifo, ("not-a-file", _NOT_FILE, _NOT_FILE_HINT)),
    (_folder, ("not-a-file", _NOT_FILE, _NOT_FILE_HINT)),
    (
        _one_byte_too_large,
        ("file-too-large", "the file is 1,048,577 bytes; an entry may be at most 1,048,576", _LARGE_HINT),
    ),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
@pytest.mark.parametrize(
    ("make", "expected"), _PATH_REFUSALS, ids=[make.__name__.strip("_") for make, _ in _PATH_REFUSALS]
)
def test_a_path_that_is_no_plain_entry_file_is_refused_at_1_1(
    tmp_path: Path, make: object, expected: tuple[str, str, str]
) -> None:
    """Each refusal of what a path is: one error at 1:1 under the name shown, no bytes; and
    ``load_file`` passes on that one problem alone."""
    assert callable(make)
    path = make(tmp_path)
    raw, problem = read_entry_bytes(path, "kb/shown.yaml")
    assert raw is None and problem is not None
    found = (
        problem.path,
        problem.line,
        problem.col,
        str(problem.severity),
        problem.code,
        problem.message,
        problem.hint,
    )
    assert found == ("kb/shown.yaml", 1, 1, "error", *expected)
    document, problems = load_file(path, display="kb/shown.yaml")
    assert document is None and problems == [problem]


def _pieces(monkeypatch: pytest.MonkeyPatch, size: int) -> list[int]:
    """Make ``os.read`` give at most ``size`` bytes a call, as a pipe or a network file may;
    the list it returns collects how many bytes each call gave."""
    real_read = os.read
    given: list[int] = []

    def read(fd: int, wanted: int) -> bytes:
        chunk = real_read(fd, min(wanted, size))
        given.append(len(chunk))
        return chunk

    monkeypatch.setattr(reader.os, "read", read)
    return given


def test_a_file_read_in_pieces_comes_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pieces are joined as they came, nothing between them."""
    path = tmp_path / "ok.yaml"
    path.write_bytes(b"name: lif\nsummary: x\n")
    given = _pieces(monkeypatch, 4)
    assert read_entry_bytes(path, "ok.yaml") == (b"name: lif\nsummary: x\n", None)
    assert given == [4, 4, 4, 4, 4, 1, 0]


def test_a_large_file_read_in_pieces_stops_one_byte_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never more than ``MAX_BYTES + 1`` bytes are read, however the file gives them; the size
    shown is the one the file reports."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a" * (MAX_BYTES + 500_000))
    given = _pieces(monkeypatch, 300_000)
    raw, problem = read_entry_bytes(path, "big.yaml")
    assert raw is None and problem is not None
    assert sum(given) == MAX_BYTES + 1
    assert given == [300_000, 300_000, 300_000, MAX_BYTES + 1 - 900_000]
    assert problem.message == "the file is 1,548,576 bytes; an entry may be at most 1,048,576"


def test_a_file_reporting_exactly_the_limit_but_holding_more_says_more_than(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reported size of exactly ``MAX_BYTES`` is not the true size of a file that gave more."""
    path = tmp_path / "liar.yaml"
    path.write_bytes(b"a" * (MAX_BYTES + 10))
    _report_size(monkeypatch, MAX_BYTES)
    _, problem = read_entry_bytes(path, "liar.yaml")
    assert problem is not None and (problem.code, str(problem.severity)) == ("file-too-large", "error")
    assert problem.message == "the file is more than 1,048,576 bytes; an entry may be at most 1,048,576"


# --- load_text: which reading, and errors the parsers do not raise today ------------------------


def test_a_clean_file_is_composed_by_libyaml_without_the_event_builder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast reading takes a clean file: the Python event builder is never made for it."""

    def no_builder(path: str) -> None:
        raise AssertionError("the event builder was used for a clean file")

    monkeypatch.setattr(reader, "_Builder", no_builder)
    document, problems = load_text("name: lif\nuses: [a, b]\n", "x.yaml")
    assert problems == [] and document is not None
    assert document.data == {"name": "lif", "uses": ["a", "b"]}


def test_the_exact_reading_keeps_its_marks_and_never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read event by event keeps the marks it found, the keys' marks and its text: asking
    where a value is parses nothing a second time."""
    monkeypatch.setattr(reader, "_fast_data", lambda text: None)
    document, problems = load_text("a: xyz\nb:\n  c: 1\n", "x.yaml")
    assert problems == [] and document is not None

    def no_parse(text: str, builder: object) -> None:
        raise AssertionError("the text was parsed a second time")

    monkeypatch.setattr(reader, "_parse_events", no_parse)
    assert document.marks == {(): Mark(1, 1), ("a",): Mark(1, 4), ("b",): Mark(3, 3), ("b", "c"): Mark(3, 6)}
    assert document.key_marks == {("a",): Mark(1, 1), ("b",): Mark(2, 1), ("b", "c"): Mark(3, 3)}
    assert document.mark_in(("a",), 2) == Mark(1, 6)


_UNREADABLE_HINT = "remove the invisible character (often pasted from a PDF); write it as text if it is meant"
_LIBRARY_ERRORS = [
    # a YAML error without a place (neither parser raises one while reading text today)
    (yaml.YAMLError("the parser gave up"), ("yaml-syntax", 1, 1, "the parser gave up", "")),
    # a reading error about bytes rather than a character (PyYAML's reader of bytes input)
    (
        yaml.reader.ReaderError("x.yaml", 3, b"\xff", "utf-8", "invalid start byte"),
        ("yaml-syntax", 1, 4, "unreadable character: invalid start byte", _UNREADABLE_HINT),
    ),
    # a reading error placed past the end of the text is placed at its end
    (
        yaml.reader.ReaderError("x.yaml", 99, 7, "unicode", "special characters are not allowed"),
        ("yaml-syntax", 2, 1, "control character U+0007 is not allowed in YAML text", _UNREADABLE_HINT),
    ),
    # recursion (the builder is iterative; a future recursive step must still not raise)
    (RecursionError("maximum recursion depth exceeded"), ("too-deep", 1, 1, "nesting too deep", "")),
]


@pytest.mark.parametrize(
    ("error", "expected"), _LIBRARY_ERRORS, ids=[type(e).__name__ for e, _ in _LIBRARY_ERRORS]
)
def test_an_error_the_parser_raises_unexpectedly_is_a_problem_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, error: Exception, expected: tuple[str, int, int, str, str]
) -> None:
    """Whatever the YAML library raises while reading becomes one located error of the file."""

    def fail(text: str, builder: object) -> None:
        raise error

    monkeypatch.setattr(reader, "_fast_data", lambda text: None)
    monkeypatch.setattr(reader, "_parse_events", fail)
    assert _refusal("a: b\n") == expected


def test_a_file_giving_exactly_the_limit_then_more_is_refused_whatever_size_it_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After exactly ``MAX_BYTES`` bytes one more is asked for: a file that reports a small size
    but has more to give is refused, not cut short at the limit and read as a whole entry."""
    path = tmp_path / "liar.yaml"
    path.write_bytes(b"a" * (MAX_BYTES + 1))
    _report_size(monkeypatch, 10)
    given = _pieces(monkeypatch, MAX_BYTES // 4)
    raw, problem = read_entry_bytes(path, "liar.yaml")
    assert given == [MAX_BYTES // 4] * 4 + [1]
    assert raw is None and problem is not None and problem.code == "file-too-large"


# --- _syntax_problem: where a parser's error is placed and whether it is a tab --------------------

_TAB_MESSAGE = "a tab character is used for indentation"


def _marked(
    line: int | None, col: int = 0, *, context_line: int | None = None, problem: str | None = None
) -> yaml.MarkedYAMLError:
    """A parser error with a problem mark at 0-based ``line``/``col`` (None: no mark), an
    optional context mark, and the problem's text."""

    def mark(at: int | None, column: int) -> yaml.Mark | None:
        return None if at is None else yaml.Mark("x.yaml", 0, at, column, None, None)

    return yaml.MarkedYAMLError(
        context_mark=mark(context_line, 2), problem=problem, problem_mark=mark(line, col)
    )


_SYNTAX_ERRORS = [
    # no mark at all: the first line's first column, and a text saying only that the YAML is invalid
    ("a: [\n", _marked(None), ("yaml-syntax", 1, 1, "YAML syntax error: invalid YAML")),
    # no problem mark: the context's
    ("a: [\nb: c\n", _marked(None, context_line=1), ("yaml-syntax", 2, 3, "YAML syntax error: invalid YAML")),
    # a mark past the last line has no line to look at: a syntax error, not a tab
    ("a: [\n", _marked(5, 1, problem="oops"), ("yaml-syntax", 6, 2, "YAML syntax error: oops")),
    # a tab indenting the first line, and one indenting a later line
    ("\ta: 1\n", _marked(0, problem="oops"), ("yaml-tab", 1, 1, _TAB_MESSAGE)),
    ("a: 1\n\tb: 2\n", _marked(1, problem="oops"), ("yaml-tab", 2, 1, _TAB_MESSAGE)),
    # a tab after the indentation is no indentation
    ("a: b\tc: [\n", _marked(0, 6, problem="oops"), ("yaml-syntax", 1, 7, "YAML syntax error: oops")),
    # a parser that names the tab character itself, wherever it is
    (
        "a: [\n",
        _marked(0, 3, problem="found character '\\t' that cannot start any token"),
        ("yaml-tab", 1, 4, _TAB_MESSAGE),
    ),
]


@pytest.mark.parametrize(
    ("text", "error", "expected"), _SYNTAX_ERRORS, ids=[f"syntax-{i}" for i in range(len(_SYNTAX_ERRORS))]
)
def test_a_parser_error_is_placed_and_told_apart_from_a_tab(
    text: str, error: yaml.MarkedYAMLError, expected: tuple[str, int, int, str]
) -> None:
    """``_syntax_problem``: the problem's mark, else the context's, else 1:1; a tab when the
    line's indentation holds one or the parser names the tab character."""
    problem = reader._syntax_problem("x.yaml", text, error)
    assert (problem.code, problem.line, problem.col, problem.message) == expected
    assert (problem.path, str(problem.severity)) == ("x.yaml", "error")


def test_positions_of_a_text_that_stops_parsing_are_those_found_before() -> None:
    """Marks asked of a document whose kept text no longer parses (an anchor the builder refuses,
    a bracket never closed): the values located before the stop, never an exception."""
    anchored = Document("x.yaml", {}, text="a: 1\nb: &x 2\n")
    assert anchored.marks == {(): Mark(1, 1), ("a",): Mark(1, 4)}
    assert anchored.key_marks == {("a",): Mark(1, 1)}
    broken = Document("x.yaml", {}, text="a: 1\nb: [\n")
    assert broken.marks == {(): Mark(1, 1), ("a",): Mark(1, 4), ("b",): Mark(2, 4)}
    assert broken.key_marks == {("a",): Mark(1, 1), ("b",): Mark(2, 1)}


# --- which reading a text takes: the fast composer's limits ----------------------------------


def _digits_over_lines(length: int) -> str:
    """A plain scalar starting with a digit, folded from short lines into ``length`` characters."""
    parts = ["1" * 249] * 15 + ["1" * (length - 15 * 249 - 15)]
    return "a: " + "\n  ".join(parts) + "\n"


_READINGS = [
    # (text, True when libyaml's composer reads it without the event builder)
    ("a:\n" + "  - []\n" * 256, True),
    ("a:\n" + "  - []\n" * 257, False),
    ("a:\n" + "  - {}\n" * 257, False),
    ("a:\n" + "  - {}\n" * 200 + "  - []\n" * 57, False),
    ("a: " + "x" * 252 + "\n", True),
    ("a: " + "x" * 253 + "\n", False),
    ("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", True),
    ("a:\n  - - - x\n", True),
    (_digits_over_lines(4000), True),
    (_digits_over_lines(4001), False),
    ("'1': a\n", True),
    ("a: 1\n1: b\n", False),
]


@pytest.mark.parametrize(("text", "fast"), _READINGS, ids=[f"reading-{i}" for i in range(len(_READINGS))])
def test_the_fast_composer_takes_a_text_up_to_its_limits(
    monkeypatch: pytest.MonkeyPatch, text: str, fast: bool
) -> None:
    """At most 256 flow brackets and 255 characters a line, the nesting limit itself, a plain
    scalar of 4,000 characters, a quoted key: composed in C; one past any limit goes the exact way,
    with the same result."""
    made: list[str] = []
    real_builder = reader._Builder

    def counted(path: str) -> object:
        made.append(path)
        return real_builder(path)

    exact = load_text(text, "x.yaml")
    monkeypatch.setattr(reader, "_Builder", counted)
    document, problems = load_text(text, "x.yaml")
    assert (made == []) is fast
    assert (document.data if document else None, problems) == (exact[0].data if exact[0] else None, exact[1])
