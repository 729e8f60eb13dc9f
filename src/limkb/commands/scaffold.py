"""Scaffolds for new entries and the committed JSON Schema, both generated from the models."""

from __future__ import annotations

import json
import textwrap
from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from limkb.check.writer import WIDTH, Comments, render, render_value
from limkb.errors import LimkbError
from limkb.schema.fields import inner_type
from limkb.schema.ids import is_slug, reserved_reason
from limkb.schema.kinds import KINDS, Column, Entry, Rel

__all__ = ["SCHEMA_DIR", "scaffold_text", "schema_of", "write_scaffold", "write_schemas"]

SCHEMA_DIR = "schema"
_SCHEMA_BASE = "https://w3id.org/limkb/schema/"


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of one entry kind, as editors and the site show it."""
    model = KINDS[kind]
    schema = model.model_json_schema(mode="validation")
    schema["properties"].pop("id", None)
    schema["required"] = [r for r in schema.get("required", []) if r != "id"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{_SCHEMA_BASE}{kind}.schema.json"
    schema["title"] = f"limkb {kind} entry"
    return schema


def _schema_text(kind: str) -> str:
    return json.dumps(schema_of(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(directory: Path | str = SCHEMA_DIR, *, check: bool = False) -> list[Path]:
    """Write ``<kind>.schema.json`` for every kind; return the files that changed.

    With ``check`` nothing is written: the returned files are those that are stale.
    """
    directory = Path(directory)
    changed: list[Path] = []
    if not check:
        directory.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        path = directory / f"{kind}.schema.json"
        text = _schema_text(kind)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    return changed


_PROSE_FIELDS = frozenset({"summary", "note", "approach", "description", "text"})
_EXAMPLE_SOURCE = {"ref": "oyakhire2024interfacial", "locator": ""}


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


def _list_of_lists(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return any(_is_list(a) for a in get_args(annotation))
    return any(_list_of_lists(a) for a in get_args(annotation))


def _takes_bare_id(model: type[BaseModel]) -> bool:
    """Whether a relation's item may be written as a bare id (``- lif``) instead of a mapping."""
    try:
        model.model_validate("an-id")
    except ValidationError as error:
        return not any(e["type"] == "model_type" for e in error.errors())
    return True


def _example(name: str, info: FieldInfo, *, required: bool) -> Any:
    """A placeholder for a field: required ones must be filled in to pass validation."""
    annotation = info.annotation
    rel = next((m for m in info.metadata if isinstance(m, Rel)), None)
    if name == "sources":
        return [dict(_EXAMPLE_SOURCE)]
    if rel is not None:
        item: Any = f"<id of a {' or '.join(rel.targets)}>" if not required else ""
        link = inner_type(annotation, BaseModel)
        if link is not None and not _takes_bare_id(link):  # e.g. combines_with: {id, evidence}
            item = {**_model_example(link), "id": item}
        return [item] if _is_list(annotation) else item
    enum = inner_type(annotation, Enum)
    if enum is not None:
        first = next(iter(enum)).value
        return [first] if _is_list(annotation) else first
    choices = _literal(annotation)
    if choices:
        return choices[0]
    if name == "electrolyte":  # text or a list of components: the text form is the usual one
        return "1 M LiPF6 in EC:DMC (1:1 v/v)"
    model = inner_type(annotation, BaseModel)
    if model is not None:
        value = _model_example(model)
        return [value] if _is_list(annotation) else value
    if _is_list(annotation):
        item = "" if required else "..."
        return [[item]] if _list_of_lists(annotation) else [item]
    if inner_type(annotation, str) is None:  # a number or a flag: a value of that type
        if inner_type(annotation, bool) is not None:
            return False
        if inner_type(annotation, int) is not None:
            return 2024 if name == "year" else 1
        if inner_type(annotation, float) is not None:
            return 0.0
    if not required and name in _PROSE_FIELDS:
        return "In our own words ..."
    return "" if required else "..."


def _literal(annotation: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` inside ``X | None`` or ``Annotated[X, ...]``."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    for arg in get_args(annotation):
        found = _literal(arg)
        if found:
            return found
    return ()


def _model_example(model: type[BaseModel]) -> dict[str, Any]:
    fields = {n: i for n, i in model.model_fields.items() if n not in ("id",)}
    chosen = [n for n, i in fields.items() if i.is_required()] or list(fields)[:2]
    if model is Column:
        chosen = ["name", "property", "unit"]
    return {n: _example(n, fields[n], required=True) for n in chosen}


def _describe_field(name: str, info: FieldInfo, *, required: bool) -> list[str]:
    description = (info.description or "").replace("\n", " ").strip()
    enum = inner_type(info.annotation, Enum)
    if enum is not None:
        description += " One of: " + ", ".join(m.value for m in enum) + "."
    words = f"{name} ({'required' if required else 'optional'}): {description}"
    return ["# " + line for line in textwrap.wrap(words, WIDTH - 2, break_on_hyphens=False)]


def scaffold_text(kind: str, entry_id: str) -> str:
    """A commented YAML skeleton of one entry kind, already in canonical (`limkb fmt`) form.

    Required fields hold placeholders that fail validation until filled in (empty text,
    an empty locator), so a forgotten field cannot slip through; optional fields are shown
    commented out with an example; every field is explained by its description.
    """
    model: type[BaseModel] = KINDS[kind]
    folder = KINDS[kind].folder
    comments = Comments(
        header=[
            f"# New {kind} entry `{entry_id}`. Fill in the fields, then run",
            f"#   limkb validate kb/{folder}/{entry_id}.yaml",
            "# Prose is Markdown in our own words; every claim cites a source with a locator.",
            "# Optional fields are commented out: delete the `# ` in front of a line to use it.",
        ]
    )
    data: dict[str, Any] = {}
    pending: list[str] = []
    for name, info in model.model_fields.items():
        if name == "id" or (kind == "reference" and name == "sources"):
            continue
        required = info.is_required()
        pending.extend(_describe_field(name, info, required=required))
        value = _example(name, info, required=required)
        if required:
            data[name] = value
            comments.before[name] = pending
            pending = []
        else:
            shown = render_value(name, value)
            pending.extend("# " + line for line in shown)
    comments.footer = pending
    return render(data, kind, comments=comments)


def write_scaffold(kb: Path | str, kind: str, entry_id: str) -> Path:
    """Create ``kb/<folder>/<id>.yaml`` from the scaffold; never overwrites an existing file."""
    if kind not in KINDS:
        raise LimkbError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    if not is_slug(entry_id):
        reserved = reserved_reason(entry_id)
        raise LimkbError(
            f"{entry_id!r} cannot be an id: {reserved}"
            if reserved
            else f"{entry_id!r} is not a valid id: use lowercase letters, digits and single hyphens"
        )
    model: type[Entry] = KINDS[kind]
    kb = Path(kb)
    for existing in kb.glob(f"*/{entry_id}.yaml"):
        raise LimkbError(f"{existing} already exists; ids are unique across the knowledge base")
    path = kb / model.folder / f"{entry_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(scaffold_text(kind, entry_id))
    return path
