"""Read entry files into plain data, strictly, keeping the line and column of every value.

The YAML is parsed by libyaml (PyYAML's C parser) into events, and the tree is built here
from those events rather than by PyYAML's constructors, so that:

- nothing is ever constructed from a tag: any tag beyond the plain core types is refused;
- anchors and aliases are refused (no alias bombs, no shared mutable values);
- duplicate keys are refused instead of the last one silently winning;
- scalars resolve by the YAML 1.2 core rules, never YAML 1.1's: ``no``/``on`` stay text,
  ``0o17`` and ``2024-01-01`` stay text, only ``true``/``false`` are booleans;
- nesting depth and file size are bounded; exactly one document per file.

Problems come back as :class:`~limkb.report.Problem` values; nothing here raises for bad
input.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from limkb.report import Problem, Severity

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "Mark",
    "entry_file_parts",
    "iter_entry_files",
    "load_file",
    "load_text",
    "read_entry_bytes",
]

MAX_BYTES = 1_048_576
"""Largest entry file read, in bytes (1 MiB: the largest real dataset is a few kB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted."""

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
_MAX_DIGITS = 4000
"""Longest whole number read (Python refuses to parse much longer ones)."""
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}

# Which core tags a node of each kind may carry: PyYAML would refuse `!!seq` on a plain
# value and `!!str` on a list; reading them as if untagged would hide a mistake.
_NODE_TAGS: dict[type, frozenset[str]] = {
    yaml.ScalarEvent: frozenset(f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null")),
    yaml.SequenceStartEvent: frozenset({f"{_CORE}seq"}),
    yaml.MappingStartEvent: frozenset({f"{_CORE}map"}),
}
_NODE_WORDS = {
    yaml.ScalarEvent: "a plain value",
    yaml.SequenceStartEvent: "a list",
    yaml.MappingStartEvent: "a mapping",
}


def _tag_fits(tag: str, event: Any) -> bool:
    """Whether an allowed core tag names the kind of node it is on."""
    return tag in _NODE_TAGS[type(event)]  # only node events reach check_node


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    col: int


class _Unread:
    """The plain data of a document left out of its pickle (:meth:`Document.__getstate__`)."""

    def __reduce__(self) -> str:
        return "_UNREAD"


_UNREAD = _Unread()


class Document:
    """One file's plain data, with the position of every value and every mapping key.

    Positions are found lazily: a clean file is parsed without them (most files are never
    asked where a value is), and the first call of :meth:`mark` (or read of ``marks``)
    parses the kept text again, recording every position.
    """

    def __init__(
        self,
        path: str,
        data: Any,
        marks: dict[Loc, Mark] | None = None,
        key_marks: dict[Loc, Mark] | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.path = path
        self._data: Any = data
        self._marks = marks
        self._key_marks = key_marks
        self._text = text
        self.digest: str | None = None
        """The SHA-256 of the file's bytes, when a file cache read it (:meth:`FileCache.load
        <limkb.check.cache.FileCache.load>`): two documents of the same path and digest hold
        the same text."""

    def __repr__(self) -> str:
        return f"Document({self.path!r})"

    @property
    def data(self) -> Any:
        """The file's plain data (parsed again from the kept text when it was left out of a
        pickle: see :meth:`__getstate__`)."""
        if self._data is _UNREAD:
            assert self._text is not None
            again, _ = load_text(self._text, self.path)
            self._data = again.data if again is not None else None
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def __getstate__(self) -> dict[str, object]:
        """What a pickle keeps: without the plain data when the text is kept, for the text
        gives it again (the file cache keeps every document, and a later build reads the data
        of only the few whose schema it checks again: unpickling the data of every file cost
        more than a third of reading the cache)."""
        state = dict(self.__dict__)
        if self._text is not None:
            state["_data"] = _UNREAD
        return state

    @property
    def text(self) -> str | None:
        """The file's text this document was read from, when it is kept."""
        return self._text

    def _locate(self) -> None:
        builder = _Builder(self.path)
        if self._text is not None:
            with contextlib.suppress(_Stop, yaml.YAMLError):  # the text parsed before
                _parse_events(self._text, builder)
        self._marks, self._key_marks = builder.marks, builder.key_marks

    @property
    def marks(self) -> dict[Loc, Mark]:
        """The position of every value, by location (``("uses", 0, "id")``)."""
        if self._marks is None:
            self._locate()
        assert self._marks is not None
        return self._marks

    @property
    def key_marks(self) -> dict[Loc, Mark]:
        """The position of the key of every mapping value, by the value's location."""
        if self._key_marks is None:
            self._locate()
        assert self._key_marks is not None
        return self._key_marks

    def mark_in(self, loc: Loc, offset: int) -> Mark:
        """The position of character ``offset`` of the text value at ``loc``.

        Exact for a value on one line, plain or quoted (escapes aside); for a block or folded
        value, or when the text is not kept, the position of the value itself.
        """
        mark = self.mark(loc)
        if self._text is None or loc not in self.marks:
            return mark
        lines = self._text.splitlines()
        if not 0 < mark.line <= len(lines):
            return mark
        line = lines[mark.line - 1]
        start = mark.col - 1
        if start < len(line) and line[start] in "|>":
            return mark
        if start < len(line) and line[start] in "\"'":
            start += 1
        column = start + offset
        return Mark(mark.line, column + 1) if column <= len(line) else mark

    def mark(self, loc: Loc, *, key: bool = False) -> Mark:
        """The position of ``loc`` (or of its key), else of its nearest located ancestor."""
        marks, key_marks = self.marks, self.key_marks
        if key and loc in key_marks:
            return key_marks[loc]
        while loc:
            if loc in marks:
                return marks[loc]
            loc = loc[:-1]
        return marks.get((), Mark(1, 1))


def _mark(event: Any) -> Mark:
    return Mark(event.start_mark.line + 1, event.start_mark.column + 1)


def _resolve_plain(value: str) -> Any:
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    special = _SPECIAL_FLOAT.get(value)
    return value if special is None else special


_TAG_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "bool": bool,
    "null": type(None),
}


def _apply_tag(tag: str, value: str) -> Any:
    """A scalar under an explicit core tag, e.g. ``!!str no``."""
    kind = tag.removeprefix(_CORE)
    if kind == "str":
        return value
    resolved: Any = _resolve_plain(value)
    expected = _TAG_TYPES[kind]
    if isinstance(resolved, expected) and not (kind != "bool" and isinstance(resolved, bool)):
        return float(cast(float, resolved)) if kind == "float" else resolved
    raise ValueError(f"{value!r} is not a valid !!{kind}")


class _Stop(Exception):
    """Abandons building one file after a problem that makes the rest meaningless."""


class _Builder:
    """Builds plain data from libyaml events, recording marks and problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.marks: dict[Loc, Mark] = {}
        self.key_marks: dict[Loc, Mark] = {}

    def problem(self, mark: Mark, code: str, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.col, Severity.ERROR, code, message, hint))

    def check_node(self, event: Any) -> None:
        mark = _mark(event)
        if getattr(event, "anchor", None):
            self.problem(
                mark,
                "yaml-anchor",
                f"anchor '&{event.anchor}' is not allowed",
                "write the value out in full where it is needed; anchors and aliases are refused",
            )
            raise _Stop
        tag = getattr(event, "tag", None)
        if tag and tag not in _ALLOWED_TAGS:
            self.problem(
                mark,
                "yaml-tag",
                f"tag {tag!r} is not allowed",
                "remove the tag; entries hold plain text, numbers, lists and mappings only",
            )
            raise _Stop
        if tag and not _tag_fits(tag, event):
            self.problem(
                mark,
                "yaml-tag",
                f"tag {tag.replace(_CORE, '!!')!r} does not fit {_NODE_WORDS[type(event)]}",
                "remove the tag; the value's own form says what it is",
            )
            raise _Stop

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        # check_node has refused every tag but a core scalar tag by now.
        if not event.style and not tag:
            if len(event.value) > _MAX_DIGITS and _INT.match(event.value):
                self.problem(
                    _mark(event),
                    "out-of-range",
                    f"a whole number of {len(event.value):,} digits is too large",
                    "check the value; put it in double quotes if it is meant as text",
                )
                raise _Stop
            return _resolve_plain(event.value)
        if tag:
            try:
                return _apply_tag(tag, event.value)
            except ValueError as error:
                self.problem(_mark(event), "yaml-tag", str(error), "remove the tag or fix the value")
                raise _Stop from None
        return event.value

    def build(self, events: Iterator[Any]) -> Any:
        """Consume one node's events and return its value (iterative, depth-bounded)."""
        root: list[Any] = []
        # Each frame: (container, loc, pending key or None, key mark, is_mapping)
        stack: list[list[Any]] = [[root, (), None, None, False]]
        for event in events:
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                if len(stack) == 1:
                    return root[0]
                continue
            if isinstance(event, yaml.AliasEvent):
                self.problem(
                    _mark(event),
                    "yaml-alias",
                    f"alias '*{event.anchor}' is not allowed",
                    "write the value out in full; anchors and aliases are refused",
                )
                raise _Stop
            frame = stack[-1]
            container, loc, pending, _key_mark, is_mapping = frame
            if is_mapping and pending is None:
                # This event is a key.
                if not isinstance(event, yaml.ScalarEvent):
                    self.problem(
                        _mark(event),
                        "non-string-key",
                        "a mapping key must be plain text",
                        "write `name: value` with a simple word as the name",
                    )
                    raise _Stop
                self.check_node(event)
                key = self.scalar(event)
                if not isinstance(key, str):
                    self.problem(
                        _mark(event),
                        "non-string-key",
                        f"key {event.value!r} is read as {type(key).__name__}, not text",
                        f'quote the key: "{event.value}"',
                    )
                    raise _Stop
                if key in container:
                    first = self.key_marks[(*loc, key)]
                    self.problem(
                        _mark(event),
                        "duplicate-key",
                        f"key {key!r} appears twice in this mapping (first at line {first.line})",
                        "keep one of the two; YAML would silently use the last",
                    )
                    raise _Stop
                frame[2] = key
                frame[3] = _mark(event)
                continue
            self.check_node(event)
            if len(stack) == 1:
                child_loc: Loc = ()
            elif is_mapping:
                child_loc = (*loc, pending)
            else:
                child_loc = (*loc, len(container))
            mark = _mark(event)
            self.marks[child_loc] = mark
            if is_mapping:
                self.key_marks[child_loc] = frame[3]
            if isinstance(event, yaml.ScalarEvent):
                value = self.scalar(event)
            else:
                if len(stack) > MAX_DEPTH:
                    self.problem(
                        mark,
                        "too-deep",
                        f"nesting deeper than {MAX_DEPTH} levels",
                        "flatten the structure; no entry field nests this deep",
                    )
                    raise _Stop
                value = {} if isinstance(event, yaml.MappingStartEvent) else []
            if is_mapping:
                container[pending] = value
                frame[2] = None
            else:
                container.append(value)
            if isinstance(event, yaml.ScalarEvent):
                if len(stack) == 1:
                    return root[0]
            else:
                stack.append([value, child_loc, None, None, isinstance(value, dict)])
        raise _Stop  # pragma: no cover - libyaml always closes what it opens


def _position(text: str, offset: int) -> Mark:
    line = text.count("\n", 0, offset) + 1
    return Mark(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _syntax_problem(path: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(filter(None, [error.context, error.problem])) or "invalid YAML"
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())] or "'\\t'" in what:
        return Problem(
            path,
            line,
            col,
            Severity.ERROR,
            "yaml-tab",
            "a tab character is used for indentation",
            "indent with spaces (two per level); configure your editor to insert spaces",
        )
    return Problem(
        path,
        line,
        col,
        Severity.ERROR,
        "yaml-syntax",
        f"YAML syntax error: {what}",
        "check indentation, colons after field names, and quotes around text containing ': ' or '#'",
    )


def load_text(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse one entry's YAML text; return the document (or None) and its problems."""
    fast = _fast_data(text)
    if fast is not None:
        return Document(path, fast, text=text), []
    builder = _Builder(path)
    try:
        problems, data = _parse_events(text, builder)
    except _Stop:
        return None, builder.problems
    except yaml.MarkedYAMLError as error:
        deep = _too_deep(text, path)
        if deep is not None:
            return None, deep
        return None, [*builder.problems, _syntax_problem(path, text, error)]
    except yaml.reader.ReaderError as error:
        m = _position(text, min(error.position, len(text)))
        return None, [
            Problem(
                path,
                m.line,
                m.col,
                Severity.ERROR,
                "yaml-syntax",
                f"control character U+{error.character:04X} is not allowed in YAML text"
                if isinstance(error.character, int)
                else f"unreadable character: {error.reason}",
                "remove the invisible character (often pasted from a PDF); write it as text if it is meant",
            )
        ]
    except yaml.YAMLError as error:  # pragma: no cover - libyaml reports marks
        return None, [Problem(path, 1, 1, Severity.ERROR, "yaml-syntax", str(error), "")]
    except RecursionError:  # pragma: no cover - the builder is iterative
        return None, [Problem(path, 1, 1, Severity.ERROR, "too-deep", "nesting too deep", "")]
    problems.extend(builder.problems)
    if problems:
        return None, problems
    if data is None:
        return None, [
            Problem(
                path,
                1,
                1,
                Severity.ERROR,
                "empty-file",
                "the file holds no entry",
                "fill it in, e.g. with `limkb new <kind> <id>`, or delete it",
            )
        ]
    if not isinstance(data, dict):
        m = builder.marks[()]  # set for every document that holds a value
        return None, [
            Problem(
                path,
                m.line,
                m.col,
                Severity.ERROR,
                "not-a-mapping",
                f"the file holds a {type(data).__name__}, not a mapping of fields",
                "start each line at the left margin with `field: value`",
            )
        ]
    return Document(path, data, builder.marks, builder.key_marks, text=text), []


_FLOW_TOKEN = re.compile(r"""[\[\]{}#"']""")


def _flow_prefix(text: str) -> str | None:
    """The text up to the flow bracket that nests deeper than :data:`MAX_DEPTH`, if one does.

    A light scan of flow brackets that skips quoted scalars and comments. It decides nothing
    by itself: it only cuts the text short so that the event reading meets our limit before
    libyaml meets its own (recent libyaml versions stop at 1,000 levels with a syntax error,
    older ones read on).
    """
    depth = 0
    at = 0
    while (match := _FLOW_TOKEN.search(text, at)) is not None:
        char, start = match.group(), match.start()
        before = text[start - 1] if start else "\n"
        at = match.end()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH + 1:
                return text[:at]
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "#":
            if before in " \t\n":
                end = text.find("\n", at)
                at = len(text) if end < 0 else end
        elif before in " \t\n[{,:-?":  # a quoted scalar starts here
            at = _quoted_end(text, at, char)
    return None


def _quoted_end(text: str, at: int, quote: str) -> int:
    """The offset just after the quoted scalar whose opening ``quote`` ends at ``at``."""
    while True:
        end = text.find(quote, at)
        if end < 0:
            return len(text)
        if quote == '"' and (len(text[at:end]) - len(text[at:end].rstrip("\\"))) % 2:
            at = end + 1  # an escaped double quote
        elif quote == "'" and text.startswith("''", end):
            at = end + 2  # a doubled single quote
        else:
            return end + 1


def _too_deep(text: str, path: str) -> list[Problem] | None:
    """``too-deep`` where our limit is crossed, for a text libyaml refused; None if it is not that.

    The text is read again only up to the first flow bracket past the limit, so the event
    builder reports the nesting at its own line and column, whatever limit the installed
    libyaml has.
    """
    prefix = _flow_prefix(text)
    if prefix is None:
        return None
    builder = _Builder(path)
    try:
        _parse_events(prefix, builder)
    except _Stop:
        return builder.problems if any(p.code == "too-deep" for p in builder.problems) else None
    except yaml.YAMLError:
        return None
    return None


def _parse_events(text: str, builder: _Builder) -> tuple[list[Problem], Any]:
    """Parse ``text`` event by event into ``builder``: the problems and the first document's data."""
    problems: list[Problem] = []
    documents = 0
    data: Any = None
    events = iter(yaml.parse(text, Loader=_Parser))
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                m = _mark(event)
                problems.append(
                    Problem(
                        builder.path,
                        m.line,
                        m.col,
                        Severity.ERROR,
                        "multiple-documents",
                        "the file holds more than one YAML document",
                        "one entry per file: remove the '---' line and move the rest to its own file",
                    )
                )
                break
            data = builder.build(events)  # a document always holds a node, if only an empty scalar
    return problems, data


_PROPERTY = re.compile(r"(?:^[ \t]*|[:?\-\[{,][ \t]*)[&*!]", re.MULTILINE)
"""Where an anchor, alias or tag could start a node (prose with `&` or `*` may match too)."""
_FAST_FLOW = 256
_FAST_LINE = 255
_PLAIN_SPECIAL = frozenset("0123456789+-.~nNtTfF")
"""First characters of the plain scalars that are not text (numbers, null, booleans, .inf)."""


_Composer: Any = None
if getattr(yaml, "__with_libyaml__", False):

    class _Composer(yaml.cyaml.CParser):  # type: ignore[misc,no-redef,name-defined]
        """libyaml's parser and composer, without tag resolution (tags are never used here)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

        def descend_resolver(self, parent: Any, index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None


class _Slow(Exception):
    """The fast reading declines a file; the event-by-event reading decides."""


def _fast_data(text: str) -> dict[str, Any] | None:
    """The data of a well-formed entry file, read without positions; None to take the exact path.

    libyaml composes the node tree in C, which is several times faster than building from
    events in Python. It is used only when it cannot differ from :class:`_Builder`: no
    anchor, alias or tag can be present (none of ``& * !`` starts a node), the nesting is
    shallow enough for the composer's recursion (few flow brackets, no long lines bound the
    depth of block nesting), and the walk finds no duplicate or non-text key, no deep
    nesting and no huge number. Anything else, including every error, goes the exact way.
    """
    if (
        _Composer is None
        or (("&" in text or "*" in text or "!" in text) and _PROPERTY.search(text))
        or text.count("[") + text.count("{") > _FAST_FLOW
        or max(map(len, text.splitlines()), default=0) > _FAST_LINE
    ):
        return None
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        composer.dispose()
    if not isinstance(node, yaml.MappingNode):
        return None
    try:
        data = _walk(node, 1)
    except _Slow:
        return None
    return data  # type: ignore[no-any-return]


def _walk(node: Any, depth: int) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        value = node.value
        if node.style or (value and value[0] not in _PLAIN_SPECIAL):
            return value
        if len(value) > _MAX_DIGITS:
            raise _Slow
        return _resolve_plain(value)
    if depth > MAX_DEPTH:
        raise _Slow
    if kind is yaml.MappingNode:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Slow
            key = key_node.value
            if not key_node.style and (not key or key[0] in _PLAIN_SPECIAL):
                key = _resolve_plain(key)
                if not isinstance(key, str):
                    raise _Slow
            if key in out:
                raise _Slow
            out[key] = _walk(value_node, depth + 1)
        return out
    return [_walk(item, depth + 1) for item in node.value]


def read_entry_bytes(path: str | Path, shown: str) -> tuple[bytes | None, Problem | None]:
    """The bytes of an entry file, read safely: (bytes, None), or (None, the problem).

    The file is opened without following a symbolic link and without blocking (a FIFO never
    holds up a run), must be a regular file, and at most :data:`MAX_BYTES` are read even if
    the file says it is smaller (``/dev/zero`` reports size 0). Every command that reads or
    rewrites entries goes through here.
    """
    flags = (
        os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(path):
            return None, Problem(
                shown,
                1,
                1,
                Severity.ERROR,
                "bad-filename",
                "entry files may not be symbolic links",
                "replace the link with the file itself",
            )
        return None, Problem(
            shown,
            1,
            1,
            Severity.ERROR,
            "unreadable",
            f"cannot read the file: {error.strerror}",
            "check that the file exists and is readable",
        )
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(
                shown,
                1,
                1,
                Severity.ERROR,
                "not-a-file",
                "this is not a regular file (a device, a pipe or a socket)",
                "entry files are plain text files; remove this one",
            )
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if max(total, info.st_size) > MAX_BYTES:
        size = f"{info.st_size:,}" if info.st_size > MAX_BYTES else f"more than {MAX_BYTES:,}"
        return None, Problem(
            shown,
            1,
            1,
            Severity.ERROR,
            "file-too-large",
            f"the file is {size} bytes; an entry may be at most {MAX_BYTES:,}",
            "split the data into several entries, or keep large raw data outside kb/",
        )
    return b"".join(chunks), None


def load_file(path: str | Path, *, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse one entry file, checking what it is, its size and encoding first."""
    shown = display or str(path)
    raw, refused = read_entry_bytes(path, shown)
    if raw is None:
        assert refused is not None
        return None, [refused]
    problems: list[Problem] = []
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if bom:
        raw = raw[bom:]
        problems.append(
            Problem(
                shown,
                1,
                1,
                Severity.WARNING,
                "bom",
                "the file starts with a UTF-8 byte-order mark",
                "save the file as UTF-8 without BOM",
            )
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start].decode("utf-8", errors="replace")
        m = _position(prefix, len(prefix))
        return None, [
            *problems,
            Problem(
                shown,
                m.line,
                m.col,
                Severity.ERROR,
                "not-utf8",
                f"byte 0x{raw[error.start]:02x} at offset {bom + error.start} is not valid UTF-8",
                "save the file with UTF-8 encoding",
            ),
        ]
    if "\x00" in text:
        m = _position(text, text.index("\x00"))
        return None, [
            *problems,
            Problem(
                shown,
                m.line,
                m.col,
                Severity.ERROR,
                "not-utf8",
                "the file contains a NUL byte",
                "entry files are plain text; remove the binary content",
            ),
        ]
    document, more = load_text(text, shown)
    return document, problems + more


def iter_entry_files(root: Path) -> Iterator[Path]:
    """Every file below ``root`` in a stable order (that of their paths' parts), hidden files
    and folders skipped; a symbolic link is listed, never followed (the loader refuses it)."""
    for parts, _ in entry_file_parts(root):
        yield root.joinpath(*parts)


def entry_file_parts(root: Path) -> list[tuple[tuple[str, ...], bool]]:
    """The files of :func:`iter_entry_files` as the parts of their paths below ``root``, in
    the same order, each with whether it is a symbolic link (to a file or a folder): told by
    the folder's listing, without a system call per file, and without making a path of each."""
    found: list[tuple[tuple[str, ...], bool]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as listing:
                items = list(listing)
        except OSError:
            continue
        for item in items:
            if item.name.startswith("."):
                continue
            try:
                is_folder = item.is_dir()
            except OSError:
                is_folder = False
            link = item.is_symlink()
            if is_folder and not link:
                folders.append((item.path, (*parts, item.name)))
            else:  # a link to a folder is listed, never followed: the loader reports it
                found.append(((*parts, item.name), link))
    found.sort()
    return found
