"""Schema errors become problems: pydantic's error list, located and explained.

An entry is checked against the model of its kind; each error becomes one problem at the
line and column of the offending value, with the field's own description as the hint. An
entry that fails is still built from its valid fields (a partial entry) so that the checks
across entries can look at its relations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel

from limkb.check.reader import Document
from limkb.check.result import problem as _problem
from limkb.report import Problem, Report, close_matches
from limkb.schema.fields import OWN_ERRORS, inner_type
from limkb.schema.ids import odd_characters
from limkb.schema.kinds import Entry

__all__ = ["describe_value", "dotted", "validate_schema"]


_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_parsing": "a number",
}


def describe_value(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(entry)"


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class of the mapping at ``loc`` inside ``model``, if there is one."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = inner_type(info.annotation, BaseModel)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_hint(model: type[BaseModel] | None, name: str) -> str:
    if model is None or name not in model.model_fields:
        return ""
    description = model.model_fields[name].description or ""
    return description


def validate_schema(model: type[Entry], stem: str, document: Document, report: Report) -> tuple[Entry, bool]:
    """The typed entry and whether it is complete (False: a partial one, for cross-checks)."""
    data = document.data
    if "id" in data:
        m = document.mark(("id",), key=True)
        report.add(
            _problem(
                document.path,
                m.line,
                m.col,
                "id-in-file",
                "the id is the file name; do not set `id`",
                f"delete the `id:` line (this entry's id is {stem!r})",
                entry=stem,
            )
        )
        data = {k: v for k, v in data.items() if k != "id"}
    try:
        return model.model_validate({**data, "id": stem}), True
    except pydantic.ValidationError as error:
        found: dict[tuple[int, int, str], Problem] = {}
        bad: set[str] = set()
        for item in error.errors(include_url=False):
            if item["loc"]:
                bad.add(str(item["loc"][0]))
            problem = _schema_problem(model, stem, document, item)
            found.setdefault((problem.line, problem.col, problem.code), problem)
        # A value that fails every branch of a union (number, or whole number, or text) gives
        # one error per branch; the specific one (NaN, out of range ...) says what is wrong.
        specific = {(line, col) for (line, col, code) in found if code != "wrong-type"}
        report.extend(
            p for (line, col, code), p in found.items() if code != "wrong-type" or (line, col) not in specific
        )
        return _partial(model, stem, data, bad), False


_ADAPTERS: dict[tuple[type[BaseModel], str], pydantic.TypeAdapter[Any]] = {}


def _partial(model: type[Entry], stem: str, data: dict[str, Any], bad: set[str]) -> Entry:
    """An entry built from the fields that did validate, so that its relations can still be
    checked in the same run. It is never handed to later stages."""
    fields: dict[str, Any] = {"id": stem}
    for name, value in data.items():
        info = model.model_fields.get(name)
        if info is None or name in bad:
            continue
        adapter = _ADAPTERS.get((model, name))
        if adapter is None:
            annotation: Any = info.annotation
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            adapter = _ADAPTERS[(model, name)] = pydantic.TypeAdapter(annotation)
        try:
            fields[name] = adapter.validate_python(value)
        except pydantic.ValidationError:
            continue
    return model.model_construct(**fields)


def _schema_problem(model: type[Entry], stem: str, document: Document, item: Any) -> Problem:
    """pydantic's error ``item`` as a located problem: a missing field, an unknown field, or a
    value that is wrong (:func:`_value_error`)."""
    kind = item["type"]
    loc = _value_loc(document, kind, tuple(item["loc"]))
    if kind == "missing":
        return _missing_problem(model, stem, document, loc)
    if kind == "extra_forbidden":
        return _unknown_field_problem(model, stem, document, loc)
    m = document.mark(loc)
    code, message, hint = _value_error(kind, loc, item)
    return _problem(document.path, m.line, m.col, code, message, hint, entry=stem)


def _value_loc(document: Document, kind: str, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The location of the value an error is about: what pydantic appends past the value itself
    (union branch labels and the like) dropped; a missing or unknown field's location as given."""
    if kind not in ("missing", "extra_forbidden"):
        while loc and loc not in document.marks:
            loc = loc[:-1]
    return loc


def _missing_problem(model: type[Entry], stem: str, document: Document, loc: tuple[Any, ...]) -> Problem:
    """A required field left out, at its parent: the sources of an entry, or any other field."""
    parent = loc[:-1]
    name = str(loc[-1])
    m = document.mark(parent)
    if name == "sources" and not parent:
        return _problem(
            document.path,
            m.line,
            m.col,
            "missing-sources",
            "the entry cites no source",
            'add `sources: [{ref: <reference-id>, locator: "Table 1"}]`',
            entry=stem,
        )
    about = _field_hint(_model_at(model, parent), name)
    return _problem(
        document.path,
        m.line,
        m.col,
        "missing-field",
        f"missing required field {name!r}" + (f" in {dotted(parent)}" if parent else ""),
        f"add `{name}:`" + (f" — {about}" if about else ""),
        entry=stem,
    )


def _unknown_field_problem(
    model: type[Entry], stem: str, document: Document, loc: tuple[Any, ...]
) -> Problem:
    """A field the model does not have, at its key, with the closest field it may have meant."""
    name = str(loc[-1])
    m = document.mark(loc, key=True)
    owner = _model_at(model, loc[:-1])
    fields = [f for f in (owner.model_fields if owner else {}) if f != "id"]
    close = close_matches(name, fields, n=1, cutoff=0.6)
    message = f"unknown field {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    hint = f"rename it to `{close[0]}`" if close else f"remove it; the fields here are: {', '.join(fields)}"
    return _problem(document.path, m.line, m.col, "unknown-field", message, hint, entry=stem)


_BOUNDS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")
"""pydantic's errors of a number past a field's bound."""


def _value_error(kind: str, loc: tuple[Any, ...], item: Any) -> tuple[str, str, str]:
    """The code, message and hint of an error about a value, by the kind of error."""
    where = dotted(loc)
    value = item.get("input")
    if kind in OWN_ERRORS:
        return OWN_ERRORS[kind], f"{where}: {item['msg']}", item["ctx"]["hint"]
    if kind in _TYPE_NAMES:
        return _wrong_type(where, _TYPE_NAMES[kind], value)
    if kind == "finite_number":
        return (
            "not-finite",
            f"{where} is {value!r}; numbers must be finite",
            "give a real number, or leave the value out when unknown",
        )
    if kind == "out_of_range":
        return "out-of-range", f"{where}: {item['msg']}", "check the value and its unit"
    if kind in _BOUNDS:
        return "out-of-range", f"{where}: {item['msg'].lower()}", "check the value and its unit"
    if kind == "too_short" and loc == ("sources",):
        return (
            "missing-sources",
            "the entry cites no source",
            "add at least one `{ref: <reference-id>, locator: ...}`",
        )
    if kind in ("enum", "literal_error"):
        return _not_allowed(where, value, item.get("ctx", {}).get("expected", ""))
    if kind == "string_pattern_mismatch":
        return _wrong_form(where, loc, value)
    msg = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    return "bad-value", f"{where}: {msg}", "fix the value as described"


def _wrong_type(where: str, expected: str, value: Any) -> tuple[str, str, str]:
    """A value of the wrong type, with the fix that type of mistake needs."""
    hint = "use the right type"
    if (expected == "text" and isinstance(value, (bool, int, float))) or value is None:
        hint = (
            "put the value in double quotes to keep it as text"
            if expected == "text"
            else ("give a value, or remove the field")
        )
    elif expected in ("a number", "a whole number") and isinstance(value, str):
        hint = "write the number without quotes or units (units go in the `unit` field)"
    elif expected == "a list":
        hint = "write a list: `[a, b]` or one `- item` per line"
    return "wrong-type", f"{where} should be {expected}, not {describe_value(value)}", hint


def _not_allowed(where: str, value: Any, allowed: str) -> tuple[str, str, str]:
    """A value outside a vocabulary, with the closest allowed one."""
    close = close_matches(str(value), [a.strip(" '") for a in allowed.replace(" or ", ",").split(",")], n=1)
    message = f"{where}: {value!r} is not allowed" + (f"; did you mean {close[0]!r}?" if close else "")
    return "bad-value", message, f"use one of {allowed}"


def _wrong_form(where: str, loc: tuple[Any, ...], value: Any) -> tuple[str, str, str]:
    """Text of the wrong form (an id, a DOI, a URL), and any look-alike letters it holds."""
    hint = "ids are lowercase slugs such as `lif` or `fec-additive`"
    if loc and loc[-1] == "doi":
        hint = "write the DOI alone, e.g. 10.1039/d3ya00470h (no https://doi.org/ prefix)"
    elif loc and loc[-1] == "url":
        hint = "use a full https:// address"
    odd = odd_characters(value) if isinstance(value, str) else []
    if odd:
        hint = "retype it in plain ASCII (a pasted letter from another script only looks the same)"
    message = f"{where}: {describe_value(value)} has the wrong form" + (f": {'; '.join(odd)}" if odd else "")
    return "bad-value", message, hint
