"""The YAML writer, beside :mod:`limkb.check.reader`: entries in one canonical form, so that diffs show only what changed in substance.

The canonical form of an entry file is:

- the first line is ``# yaml-language-server: $schema=../../schema/<kind>.schema.json`` (so
  editors autocomplete), put in when missing;
- keys in the order of the model's fields (a dataset record: ``label``, ``source``,
  ``conditions``, ``note``, then its values in the order of the dataset's columns); keys the model
  does not know keep their order after the known ones, so that nothing is lost before the
  validator has had its say;
- block style throughout, two spaces per level, list items indented under their key; only a
  list inside a list (a dataset's ``composition`` groups) is written ``[a, b, c]`` on one line;
- text plain where YAML reads it back as the same text in every common reader, double-quoted
  otherwise: numbers-as-text (``"572"``), ``yes``/``no``/``on``/``off``, dates, leading
  indicator characters, ``: `` and `` #``;
- prose that does not fit on its line within :data:`WIDTH` columns as a folded block scalar
  (``>``/``>-``) wrapped at spaces, text whose lines fit as a literal block (``|``).

Comments on their own line are kept: those above a top-level field move with it, a header
block (separated from the first field by a blank line) and trailing comments stay where they
are. A comment inside a value or at the end of a line cannot be kept in place, so such a file
is reported and left alone rather than silently losing it.

Formatting never changes the data: the result is read back and compared, type by type, with
what was read; a difference is a bug and raises. The output depends only on the data and the
comments, so formatting is idempotent.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from limkb.check.reader import load_text
from limkb.report import Problem, Severity
from limkb.schema.fields import inner_type
from limkb.schema.kinds import KINDS, Record

__all__ = [
    "WIDTH",
    "Comments",
    "format_text",
    "read_comments",
    "render",
    "render_value",
    "schema_comment",
]


WIDTH = 88
"""Column at which prose is wrapped."""

_INDENT = 2
_SCHEMA_MARK = "# yaml-language-server:"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML11 = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_YAML11_EXTRA = frozenset({"~"})
_FLOW_UNSAFE = frozenset(",[]{}")
_SPLIT = re.compile(r"(?<=\S) (?=\S)")


def schema_comment(kind: str) -> str:
    """The first line of an entry file of ``kind``: the editor's pointer to its JSON Schema."""
    return f"{_SCHEMA_MARK} $schema=../../schema/{kind}.schema.json"


# --- comments -----------------------------------------------------------------------------


@dataclass
class Comments:
    """The comments of one file that the canonical form keeps, and those it cannot."""

    header: list[str] = field(default_factory=list)
    before: dict[str, list[str]] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    misplaced: list[tuple[int, int, str]] = field(default_factory=list)
    """(line, column, why) of comments inside values or at the end of a line."""


_SKIPPED_TOKENS = (
    yaml.BlockEndToken,
    yaml.BlockMappingStartToken,
    yaml.DocumentStartToken,
    yaml.DocumentEndToken,
    yaml.StreamStartToken,
)


def read_comments(text: str) -> Comments:
    """Find the comments of a (syntactically valid) YAML text and where each belongs."""
    tokens = list(yaml.scan(text, Loader=_Loader))
    found: list[tuple[int, str, bool]] = []  # (index, text, on its own line)
    previous_end = 0
    for token in tokens:
        start = token.start_mark.index
        if start > previous_end:
            _comments_in(text, previous_end, start, found)
        previous_end = max(previous_end, token.end_mark.index)
    if previous_end < len(text):
        _comments_in(text, previous_end, len(text), found)

    significant: list[tuple[int, Any]] = [
        (t.start_mark.index, t) for t in tokens if not isinstance(t, _SKIPPED_TOKENS)
    ]
    starts = [s for s, _ in significant]
    position_of = {id(t): i for i, t in enumerate(tokens)}
    root_column = next((t.start_mark.column for _, t in significant if isinstance(t, yaml.KeyToken)), 0)
    first_key_index = next((s for s, t in significant if isinstance(t, yaml.KeyToken)), len(text))

    comments = Comments()
    pending_header: list[tuple[int, str]] = []
    for index, line_text, own_line in found:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        if line_text.startswith(_SCHEMA_MARK):
            continue
        if not own_line:
            comments.misplaced.append((line, column, "at the end of a line"))
            continue
        position = bisect.bisect_left(starts, index)
        if position >= len(significant):
            comments.footer.append(line_text)
            continue
        token = significant[position][1]
        if isinstance(token, yaml.StreamEndToken):
            comments.footer.append(line_text)
        elif isinstance(token, yaml.KeyToken) and token.start_mark.column == root_column:
            key_token = tokens[position_of[id(token)] + 1]
            key = key_token.value if isinstance(key_token, yaml.ScalarToken) else ""
            if index < first_key_index:
                pending_header.append((line, line_text))
            comments.before.setdefault(key, []).append(line_text)
        else:
            comments.misplaced.append((line, column, "inside a value"))
    if pending_header:
        _split_header(text, pending_header, first_key_index, comments)
    return comments


def _comments_in(text: str, start: int, end: int, found: list[tuple[int, str, bool]]) -> None:
    """Collect the comments in a stretch of text between two tokens."""
    position = start
    while position < end:
        hash_at = text.find("#", position, end)
        if hash_at < 0:
            return
        line_end = text.find("\n", hash_at, end)
        line_end = end if line_end < 0 else line_end
        line_start = text.rfind("\n", 0, hash_at) + 1
        own_line = not text[line_start:hash_at].strip()
        found.append((hash_at, text[hash_at:line_end].rstrip(), own_line))
        position = line_end + 1


def _split_header(text: str, pending: list[tuple[int, str]], first_key: int, comments: Comments) -> None:
    """Comments before the first field form a header when a blank line parts them from it."""
    lines = text.split("\n")
    first_key_line = text.count("\n", 0, first_key) + 1
    blank_lines = [n for n in range(pending[0][0], first_key_line) if not lines[n - 1].strip()]
    if not blank_lines:
        return
    last_blank = blank_lines[-1]
    header = [t for line, t in pending if line < last_blank]
    if not header:
        return
    attached = next(iter(comments.before))
    comments.before[attached] = comments.before[attached][len(header) :]
    if not comments.before[attached]:
        del comments.before[attached]
    comments.header = header


# --- scalars ------------------------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    """True when ``text`` can be written unquoted and is read back as the same text."""
    if not text or text != text.strip() or not text.isprintable():
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if text in _YAML11_EXTRA:
        return False
    document, _ = load_text(f"k: {text}\n", "<scalar>")
    if document is None or document.data.get("k") != text:
        return False
    return bool(_YAML11.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG)  # type: ignore[no-untyped-call]


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable():
            code = ord(char)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _text(value: str) -> str:
    return value if _plain_ok(value) else _double_quoted(value)


def _float_text(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            text = f"{mantissa}.0e{exponent}"
    return text


def _block(value: str, indent: int) -> list[str] | None:
    """``value`` as a folded or literal block scalar (header line first), or None."""
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    if not body or body.startswith((" ", "\n")) or not body.replace("\n", "").isprintable():
        return None
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    parts = body.split("\n")
    room = WIDTH - indent
    pad = " " * indent
    foldable = all(p == p.strip() for p in parts)
    fits = all(len(p) <= room for p in parts)
    if ("\n" in body and fits) or not foldable:
        lines = [f"|{chomp}"] + [pad + p if p else "" for p in parts]
    else:
        lines = [f">{chomp}"]
        for i, part in enumerate(parts):
            if i:
                lines.append("")
            if part:
                lines.extend(pad + line for line in _wrap(part, room))
    lines.extend([""] * (trailing - 1))
    document, _ = load_text("k: " + "\n".join(lines) + "\n", "<scalar>")
    if document is None or document.data.get("k") != value:
        return None
    return lines


def _wrap(text: str, room: int) -> list[str]:
    """Greedy wrap at single spaces between non-spaces (where YAML folding restores a space)."""
    lines: list[str] = []
    current = ""
    for piece in _SPLIT.split(text):
        if current and len(current) + 1 + len(piece) > room:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    lines.append(current)
    return lines


def _flow(items: list[Any]) -> str | None:
    """A list of short plain words as ``[a, b]``, used for lists inside lists (compositions)."""
    words: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            return None
        if isinstance(item, str) and (not _plain_ok(item) or _FLOW_UNSAFE & set(item)):
            return None
        words.append(item if isinstance(item, str) else _scalar_lines("", item, 0)[0].strip())
    return "[" + ", ".join(words) + "]"


def _scalar_lines(prefix: str, value: Any, indent: int) -> list[str]:
    if value is None:
        return [f"{prefix} null"]
    if isinstance(value, bool):
        return [f"{prefix} {'true' if value else 'false'}"]
    if isinstance(value, int):
        return [f"{prefix} {value}"]
    if isinstance(value, float):
        return [f"{prefix} {_float_text(value)}"]
    inline = _text(value)
    if "\n" not in value and len(prefix) + 1 + len(inline) <= WIDTH:
        return [f"{prefix} {inline}"]
    block = _block(value, indent)
    if block is None:
        return [f"{prefix} {inline}"]
    return [f"{prefix} {block[0]}", *block[1:]]


# --- structure ----------------------------------------------------------------------------


def _child_model(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    if model is None or key not in model.model_fields:
        return None
    return inner_type(model.model_fields[key].annotation, BaseModel)


def _ordered_keys(data: dict[str, Any], model: type[BaseModel] | None, columns: Sequence[str]) -> list[str]:
    fields = list(model.model_fields) if model is not None else []
    if model is Record:
        values = [c for c in columns if c in data and c not in fields]
        order = [f for f in fields if f in data] + values
        return order + [k for k in data if k not in order]
    known = [f for f in fields if f in data]
    return known + [k for k in data if k not in fields]


def _node_lines(
    prefix: str, value: Any, model: type[BaseModel] | None, indent: int, columns: Sequence[str] = ()
) -> list[str]:
    """Lines for ``value`` after ``prefix`` ("key:" or "-"); children go at ``indent``."""
    if isinstance(value, dict):
        if not value:
            return [f"{prefix} {{}}"]
        body = _mapping_lines(value, model, indent, columns)
    elif isinstance(value, list):
        if not value:
            return [f"{prefix} []"]
        flow = _flow(value) if prefix.endswith("-") else None
        if flow is not None and len(prefix) + 1 + len(flow) <= WIDTH:
            return [f"{prefix} {flow}"]
        body = []
        for item in value:
            body.extend(_node_lines(" " * indent + "-", item, model, indent + _INDENT, columns))
    else:
        return _scalar_lines(prefix, value, indent)
    if prefix.endswith("-"):
        return [prefix + " " + body[0][indent:], *body[1:]]
    return [prefix, *body]


def _mapping_lines(
    data: dict[str, Any], model: type[BaseModel] | None, indent: int, columns: Sequence[str] = ()
) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key in _ordered_keys(data, model, columns):
        child = _child_model(model, key)
        value = data[key]
        names: Sequence[str] = ()
        if key == "records" and isinstance(data.get("columns"), list):
            names = [
                c["name"] for c in data["columns"] if isinstance(c, dict) and isinstance(c.get("name"), str)
            ]
        lines.extend(_node_lines(f"{pad}{_text(key)}:", value, child, indent + _INDENT, names))
    return lines


def render_value(key: str, value: Any) -> list[str]:
    """The canonical lines of one top-level field (used for commented-out examples)."""
    return _node_lines(f"{_text(key)}:", value, None, _INDENT)


def render(data: dict[str, Any], kind: str, *, comments: Comments | None = None) -> str:
    """The canonical text of an entry of ``kind`` holding ``data`` (plain YAML data)."""
    model = KINDS[kind]
    comments = comments or Comments()
    lines = [schema_comment(kind)]
    if comments.header:
        lines.extend([*comments.header, ""])
    for key in _ordered_keys(data, model, ()):
        lines.extend(comments.before.get(key, []))
        names: Sequence[str] = ()
        if key == "records" and isinstance(data.get("columns"), list):
            names = [
                c["name"] for c in data["columns"] if isinstance(c, dict) and isinstance(c.get("name"), str)
            ]
        lines.extend(_node_lines(f"{_text(key)}:", data[key], _child_model(model, key), _INDENT, names))
    lines.extend(comments.footer)
    text = "\n".join(lines) + "\n"
    document, problems = load_text(text, "<formatted>")
    if document is None or not _same(document.data, data):
        raise RuntimeError(f"formatting would change the data ({problems or 'values differ'}); this is a bug")
    return text


def _same(a: Any, b: Any) -> bool:
    """Deep equality that tells 1, 1.0 and True apart and treats NaN as equal to itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b)


# --- files --------------------------------------------------------------------------------


def _misplaced_problems(path: str, comments: Comments) -> list[Problem]:
    return [
        Problem(
            path,
            line,
            column,
            Severity.ERROR,
            "misplaced-comment",
            f"`limkb fmt` cannot keep this comment {why}",
            "move it onto its own line just above the top-level field it explains",
        )
        for line, column, why in comments.misplaced
    ]


def format_text(text: str, kind: str, *, path: str = "<text>") -> tuple[str | None, list[Problem]]:
    """The canonical form of one entry's text, or None and the problems that prevent it."""
    document, problems = load_text(text, path)
    if document is None:
        return None, problems
    comments = read_comments(text)
    if comments.misplaced:
        return None, _misplaced_problems(path, comments)
    data = {k: v for k, v in document.data.items()}
    out = render(data, kind, comments=_keyed(comments, data))
    return out, []


def _keyed(comments: Comments, data: dict[str, Any]) -> Comments:
    """Comments attached to keys that are not top-level fields (never expected) go on top."""
    stray = [c for key, lines in comments.before.items() if key not in data for c in lines]
    if not stray:
        return comments
    before = {k: v for k, v in comments.before.items() if k in data}
    return Comments([*comments.header, *stray], before, comments.footer, comments.misplaced)
