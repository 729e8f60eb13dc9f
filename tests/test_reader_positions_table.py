"""The reader's helpers around the parser, row by row: offsets to line:col, the light scan that
cuts a too-deeply nested flow text short, and the order entry files are listed in.

Each row names what it protects: the first line break counts, the column runs from the last
break, a bracket past the limit is found however the text starts, a comment hides its brackets
only up to its own line's end, and a folder's parts are split on the path separator only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from limkb.check.reader import MAX_DEPTH, _flow_prefix, _position, iter_entry_files, load_file

_POSITIONS: list[tuple[str, str, int, tuple[int, int]]] = [
    ("the-start", "ab", 0, (1, 1)),
    ("within-the-first-line", "ab", 1, (1, 2)),
    ("a-break-as-the-first-character-counts", "\nab", 1, (2, 1)),
    ("the-column-after-a-leading-break", "\nab", 2, (2, 2)),
    ("the-column-runs-from-the-last-break", "a\nb\ncd", 5, (3, 2)),
]


@pytest.mark.parametrize(
    ("text", "offset", "expected"), [r[1:] for r in _POSITIONS], ids=[r[0] for r in _POSITIONS]
)
def test_an_offset_reads_as_line_and_column_from_one(
    text: str, offset: int, expected: tuple[int, int]
) -> None:
    mark = _position(text, offset)
    assert (mark.line, mark.col) == expected


_DEEP = "[" * (MAX_DEPTH + 2)
"""One flow bracket past the limit the scan cuts at (depth MAX_DEPTH + 2)."""

_PREFIXES: list[tuple[str, str, str | None]] = [
    ("as-deep-as-allowed", "[" * (MAX_DEPTH + 1), None),
    ("one-bracket-deeper-from-the-first-character", _DEEP + "]", _DEEP),
    (
        "a-closed-bracket-lowers-the-depth-by-one",
        "[[]" + "[" * (MAX_DEPTH + 1),
        "[[]" + "[" * (MAX_DEPTH + 1),
    ),
    ("a-comment-at-the-start-hides-its-brackets", "#" + _DEEP + "\nx", None),
    ("a-comment-hides-only-its-own-line", " #x\n" + _DEEP + "\n", " #x\n" + _DEEP),
    ("a-quoted-bracket-is-no-bracket", '["' + _DEEP + '"]', None),
    ("a-hash-inside-a-word-is-no-comment", "X#" + _DEEP, "X#" + _DEEP),
    ("a-quote-inside-a-word-opens-no-scalar", 'X"' + _DEEP, 'X"' + _DEEP),
    ("a-comment-on-the-last-line-ends-the-scan", "[[ #x", None),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in _PREFIXES], ids=[r[0] for r in _PREFIXES])
def test_the_flow_scan_cuts_the_text_at_the_first_bracket_past_the_limit(
    text: str, expected: str | None
) -> None:
    assert _flow_prefix(text) == expected


def test_entry_files_are_listed_by_their_path_parts(tmp_path: Path) -> None:
    """``a/b/x`` before ``a-c/y`` (parts, not text, are compared), and a folder with a space is one part."""
    for name in ("a/b/x.yaml", "a-c/y.yaml", "my dir/z.yaml", ".hidden/h.yaml", "a/.h.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id: x\n", encoding="utf-8")
    listed = [path.relative_to(tmp_path).as_posix() for path in iter_entry_files(tmp_path)]
    assert listed == ["a/b/x.yaml", "a-c/y.yaml", "my dir/z.yaml"]
    assert all(path.is_file() for path in iter_entry_files(tmp_path))


def test_a_nul_byte_is_located_at_the_first_one(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\n\x00\nb: \x00\n")
    document, problems = load_file(path)
    assert document is None
    assert [(p.code, p.line, p.col, p.message) for p in problems] == [
        ("not-utf8", 2, 1, "the file contains a NUL byte")
    ]
