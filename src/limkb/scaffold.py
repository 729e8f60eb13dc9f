"""Scaffolds for new entries and the committed JSON Schema, both generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from limkb.errors import LimkbError
from limkb.ids import is_slug
from limkb.models import KINDS, Entry

__all__ = ["schema_of", "write_schemas", "scaffold_text", "write_scaffold", "SCHEMA_DIR"]

SCHEMA_DIR = "schema"
_SCHEMA_BASE = "https://limkb.org/schema/"


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


def _placeholder(annotation: Any, name: str) -> str:
    text = repr(annotation)
    if name == "sources":
        return '\n  - ref: oyakhire2024interfacial\n    locator: "Section, table or figure"'
    if "list[" in text or "List[" in text:
        return "[]"
    for arg in (annotation, *get_args(annotation)):
        values = getattr(arg, "__members__", None)
        if values:
            return next(iter(values.values())).value  # type: ignore[no-any-return]
    if "int" in text and "str" not in text:
        return "2024"
    if "float" in text and "str" not in text:
        return "0"
    return '""'


def scaffold_text(kind: str, entry_id: str, *, kb_depth: int = 2) -> str:
    """A commented YAML skeleton of one entry kind: required fields filled with placeholders,
    optional ones commented out, every field explained by its description."""
    model: type[BaseModel] = KINDS[kind]
    up = "../" * kb_depth
    lines = [
        f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{kind}.schema.json",
        f"# {kind} entry {entry_id!r}: fill in the fields, then run `limkb validate`.",
        "# Prose is Markdown in our own words; every claim cites a source with a locator.",
    ]
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        description = (info.description or "").replace("\n", " ")
        required = info.is_required()
        lines.append(f"# {name}: {description}" + ("" if required else " (optional)"))
        value = _placeholder(info.annotation, name)
        sep = "" if value.startswith("\n") else " "
        if required:
            lines.append(f"{name}:{sep}{value}")
        else:
            first, *rest = f"{name}:{sep}{value}".split("\n")
            lines.append(f"# {first}")
            lines.extend(f"# {r}" for r in rest)
    return "\n".join(lines) + "\n"


def write_scaffold(kb: Path | str, kind: str, entry_id: str) -> Path:
    """Create ``kb/<folder>/<id>.yaml`` from the scaffold; never overwrites an existing file."""
    if kind not in KINDS:
        raise LimkbError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    if not is_slug(entry_id):
        raise LimkbError(
            f"{entry_id!r} is not a valid id: use lowercase letters, digits and single hyphens"
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
