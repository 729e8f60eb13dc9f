"""Fuzzing: whatever a contributor's file holds, validation returns located problems, never raises.

Three generators feed :func:`limkb.check.validate.validate_kb`: YAML-ish text built from the tokens
that trip parsers (tags, anchors, tabs, BOMs, control bytes, odd scalars), byte-level
mutations of the real entries in ``kb/``, and random entry mappings of every kind dumped as
YAML into small knowledge bases whose ids point at each other. Each run must give a
:class:`~limkb.report.Report` whose problems all have a registered code, a position in an
existing file and a message.

Examples: 2,000 in all when ``CI`` is set, about 200 locally.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbfactory import minimal
from limkb.check.reader import load_text
from limkb.check.validate import Validated, validate_kb
from limkb.report import CODES, Report
from limkb.schema.kinds import KINDS, relation_fields

CI = bool(os.environ.get("CI"))
BUDGET = (
    {"text": 600, "mutation": 500, "entries": 700, "bytes": 200}
    if CI
    else {"text": 60, "mutation": 50, "entries": 70, "bytes": 20}
)
"""Examples per test: 2,000 in CI."""

PROJECT = Path(__file__).parent.parent
REFERENCE = (
    'title: Test of a tiny knowledge base\nauthors:\n  - "Smith, A."\nyear: 2020\ndoi: 10.1000/test.2020\n'
)


def _settings(name: str) -> settings:
    return settings(
        max_examples=BUDGET[name],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _check(result: Validated, kb: Path) -> None:
    """The invariants every validation run keeps, whatever the input."""
    assert isinstance(result, Validated)
    assert isinstance(result.report, Report)
    for problem in result.report:
        assert problem.code in CODES
        assert problem.line >= 1 and problem.col >= 1
        assert problem.message
        assert Path(problem.path).resolve().is_relative_to(kb.resolve()), problem.path
        problem.format_text()
        problem.format_github()
    result.report.format("json")


def _validate(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="limkb-fuzz-") as tmp:
        kb = Path(tmp) / "kb"
        (kb / "references").mkdir(parents=True)
        (kb / "references" / "smith2020test.yaml").write_text(REFERENCE, encoding="utf-8")
        for relative, data in files.items():
            path = kb / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _check(validate_kb(kb), kb)


# --- YAML-ish text ------------------------------------------------------------------------

TOKENS = [
    "name: ",
    "roles: ",
    "sources: ",
    "summary: ",
    "subtype_of: ",
    "columns: ",
    "records: ",
    "- ",
    ": ",
    "\n",
    "\n  ",
    "  ",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "? ",
    "|\n  ",
    ">-\n  ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: *a",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!binary ",
    "!!set ",
    "!!python/object/apply:os.system ",
    "!local ",
    "! ",
    "%YAML 1.1\n",
    "%TAG !e! tag:e,2000:\n",
    "---\n",
    "...\n",
    "'",
    '"',
    "''",
    "#",
    "\\",
    "~",
    "null",
    "true",
    "no",
    "on",
    "yes",
    ".nan",
    "-.inf",
    "1e999",
    "0x1F",
    "0o17",
    "2024-01-01",
    "1_000",
    "12",
    "-3.5",
    "150",
    "\ufeff",
    "\r\n",
    "\r",
    "\x00",
    "\x1b",
    "\x85",
    "\u2028",
    "é",
    "µm",
    "smith2020test",
    "lif",
    "fec-additive",
    "../x",
    "%2e%2e",
    "{{ 7*7 }}",
    "<script>",
    "x" * 200,
]

yaml_text = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=60).map("".join)
folders = st.sampled_from([model.folder for model in KINDS.values()])
stems = st.one_of(
    st.sampled_from(["lif", "fec", "a", "b", "smith2020test"]),
    st.from_regex(r"[a-zA-Z0-9._ -]{1,12}", fullmatch=True),
)


@_settings("text")
@given(text=yaml_text, folder=folders, stem=stems)
def test_any_yaml_text_gives_a_report(text: str, folder: str, stem: str) -> None:
    document, problems = load_text(text, "x.yaml")
    errors = [p for p in problems if p.severity == "error"]
    assert (document is None) == bool(errors), "a document comes back exactly when nothing failed"
    _validate({f"{folder}/{stem}.yaml": text.encode("utf-8", errors="surrogatepass")})


@_settings("bytes")
@given(data=st.binary(max_size=400), folder=folders)
def test_any_bytes_give_a_report(data: bytes, folder: str) -> None:
    _validate({f"{folder}/x.yaml": data})


# --- mutations of the real entries ---------------------------------------------------------

REAL = sorted((PROJECT / "kb").glob("*/*.yaml"))


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(REAL)) if REAL else None
    data = bytearray(path.read_bytes() if path else b"name: x\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "token"]))
        if action == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "duplicate":
            data[at:at] = data[max(0, at - 40) : at]
        else:
            data[at:at] = draw(st.sampled_from(TOKENS)).encode("utf-8")
    relative = f"{path.parent.name}/{path.name}" if path else "materials/x.yaml"
    return relative, bytes(data)


@_settings("mutation")
@given(case=mutated())
def test_mutated_real_entries_give_a_report(case: tuple[str, bytes]) -> None:
    relative, data = case
    _validate({relative: data})


# --- random entries of every kind ----------------------------------------------------------

POOL = ["a", "b", "lif", "fec", "ce", "d", "smith2020test"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(POOL),
    st.text(max_size=30),
    st.sampled_from(["%", "nm", "at%", "mS/cm", "K", "furlong", "1"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "ref",
                    "locator",
                    "name",
                    "unit",
                    "value",
                    "label",
                    "ce",
                    "type",
                    "property",
                    "evidence",
                    "note",
                    "x",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@st.composite
def entry(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    model = KINDS[kind]
    fields = [f for f in model.model_fields if f != "id"]
    relations = relation_fields(model)
    if kind != "reference" and draw(st.booleans()):
        data: dict[str, Any] = minimal(kind, draw(st.text(min_size=1, max_size=20)))
        if kind == "question":
            data["about"] = [draw(st.sampled_from(POOL))]
    else:
        data = {"name": draw(st.text(min_size=1, max_size=20))}
    for name in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        if name in relations:
            data[name] = draw(
                st.one_of(st.sampled_from(POOL), st.lists(st.sampled_from(POOL), max_size=3), values)
            )
        else:
            data[name] = draw(values)
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=8))] = draw(values)
    if kind == "dataset" and draw(st.booleans()):
        data["columns"] = [{"name": "ce", "property": "ce", "unit": draw(st.sampled_from(["%", "nm", "K"]))}]
        data["records"] = draw(
            st.lists(
                st.fixed_dictionaries({"label": st.text(min_size=1, max_size=5), "ce": scalars}), max_size=4
            )
        )
        data["composition"] = draw(st.sampled_from([[], [["ce"]], [["ce", "x"]]]))
    data.setdefault("sources", [{"ref": "smith2020test", "locator": "Table 1"}])
    return model.folder, data


def _dump(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text.encode("utf-8", errors="surrogatepass")


@_settings("entries")
@given(entries=st.lists(st.tuples(entry(), st.sampled_from(POOL[:-1])), min_size=1, max_size=5))
def test_random_entries_give_a_report(entries: list[tuple[tuple[str, dict[str, Any]], str]]) -> None:
    files = {f"{folder}/{stem}.yaml": _dump(data) for (folder, data), stem in entries}
    _validate(files)


def test_the_generators_reach_the_validator() -> None:
    """A sanity check that the fuzz inputs are not all refused at the first byte."""
    kb_text = "name: x\nroles: [additive]\nsources: [{ref: smith2020test, locator: T}]\n"
    document, problems = load_text(kb_text, "x.yaml")
    assert document is not None and problems == []
    assert REAL, "kb/ holds entries to mutate"
    assert sum(BUDGET.values()) == (2000 if CI else 200)


# --- the fast and the exact reading agree -------------------------------------------------

_NESTING = ["[" * n + "]" * n for n in (1, 31, 32, 33, 40)] + ["{a: " * n + "1" + "}" * n for n in (30, 33)]
_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.sampled_from(["no", "on", "0o17", "2024-01-01", "1e3", "~", ".inf"]),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
_documents = st.tuples(
    st.dictionaries(st.text(min_size=1, max_size=8), _data, min_size=1, max_size=5),
    st.sampled_from([False, True, None]),
    st.integers(20, 120),
).map(
    lambda t: yaml.safe_dump(t[0], default_flow_style=t[1], width=t[2], allow_unicode=True, sort_keys=False)
)
_texts = st.one_of(
    _documents, yaml_text, st.sampled_from(_NESTING).map(lambda t: "name: x\nuses: " + t + "\n")
)


def _both(text: str) -> tuple[Any, Any]:
    import importlib

    module = importlib.import_module("limkb.check.reader")  # the module (``limkb.load`` is the function)
    fast = module._fast_data(text)
    builder = module._Builder("x.yaml")
    try:
        problems, exact = module._parse_events(text, builder)
    except (module._Stop, yaml.YAMLError):
        return fast, "refused"
    if problems or builder.problems:
        return fast, "refused"
    return fast, exact


@settings(
    max_examples=3_000 if CI else 300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=_texts)
def test_fast_and_exact_reading_give_the_same_data_or_both_refuse(text: str) -> None:
    """libyaml's C composer (clean files) and the event-by-event reading never disagree.

    The fast path may decline a file (None), never decide it differently: where it returns data,
    the exact path returns the same data with no problem.
    """
    fast, exact = _both(text)
    if fast is not None:
        assert exact == fast, text


def test_the_differential_reaches_both_outcomes() -> None:
    """The generators give texts the fast path reads and texts it declines."""
    assert _both("name: x\nuses: [a, [b]]\n") == ({"name": "x", "uses": ["a", ["b"]]},) * 2
    assert _both("name: x\nuses: " + "[" * 40 + "]" * 40 + "\n") == (None, "refused")
    assert _both("name: &a x\nb: *a\n") == (None, "refused")
    sample = {"name": "FEC", "aliases": ["a", "no"], "n": 3, "x": 1.5, "nested": {"k": [1, {"j": None}]}}
    for style in (False, True, None):
        text = yaml.safe_dump(sample, default_flow_style=style, sort_keys=False)
        assert _both(text) == (sample, sample), text
