"""``limkb descriptors``: the descriptors of a formulation typed at the shell, or of a whole
table column of them, one per line, each parsed or located."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from limkb.analysis.descriptors import DESCRIPTORS, DescriptorError, compute_descriptors
from limkb.analysis.formulations import Conventions, Formulation, FormulationError, parse, resolve
from limkb.analysis.inputs import Inputs

__all__ = ["describe_formulation", "describe_line", "describe_lines", "read_lines"]


def _pointer(text: str, error: FormulationError) -> str:
    """The formulation with a caret line under the mistake."""
    width = max(1, error.end - error.start)
    return f"  {text}\n  {' ' * error.start}{'^' * width}"


def _load(kb_dir: Path) -> tuple[Inputs | None, str]:
    """The KB's materials as formulations read them, or the report of why it does not load."""
    from limkb.access import load
    from limkb.errors import ValidationError

    try:
        kb = load(kb_dir)
    except ValidationError as error:
        return None, error.report.format("text") + "\nfailed: " + error.report.summary()
    return Inputs(kb), ""


def _read(
    text: str, inputs: Inputs, conventions: Conventions | None
) -> tuple[Formulation | None, list[FormulationError]]:
    """The resolved formulation, or every mistake found in it (its grammar's first, else
    each unknown name)."""
    try:
        formulation, errors = resolve(
            parse(text, conventions=conventions, known=inputs.index.knows), inputs.index
        )
    except FormulationError as error:
        return None, [error]
    return (None if errors else formulation), errors


def _components(formulation: Formulation) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "material": c.material,
            "role": c.role.value,
            "amount": c.amount,
            "unit": None if c.unit is None else c.unit.value,
        }
        for c in formulation.components
    ]


def _finite(values: dict[str, float]) -> dict[str, float | None]:
    """Descriptors for JSON: a ratio with nothing to divide by (no carbon) is null, not NaN."""
    return {name: value if math.isfinite(value) else None for name, value in values.items()}


def describe_formulation(
    text: str, kb_dir: Path, *, as_json: bool = False, conventions: Conventions | None = None
) -> tuple[int, str]:
    """(exit code, output): the descriptors as a table or JSON, or the located problems."""
    inputs, failure = _load(kb_dir)
    if inputs is None:
        return 1, failure
    formulation, errors = _read(text, inputs, conventions)
    if errors or formulation is None:
        lines = [f"error: {e.message}\n{_pointer(text, e)}\n    hint: {e.hint}" for e in errors]
        return 1, "\n".join(lines)
    try:
        values = compute_descriptors(formulation, inputs.material_data)
    except DescriptorError as error:
        return 1, f"error: {error.message}\n    hint: {error.hint}"
    components = _components(formulation)
    if as_json:
        return 0, json.dumps(
            {"formulation": text, "components": components, "descriptors": _finite(values)},
            ensure_ascii=False,
        )
    out = [f"formulation: {text}", "components:"]
    for c in components:
        amount = "" if c["amount"] is None else f"  {c['amount']:g} {c['unit']}"
        out.append(f"  {c['material']:<16} {c['role']:<9}{amount}")
    out.append("descriptors (atomic fractions, every atom counted):")
    width = max(len(n) for n in DESCRIPTORS)
    for name, value in values.items():
        out.append(f"  {name:<{width}}  {value:.4f}   {DESCRIPTORS[name]}")
    return 0, "\n".join(out)


def _located(error: FormulationError) -> dict[str, Any]:
    """A formulation's mistake as JSON: code, 1-based columns in the formulation, what, fix."""
    return {
        "code": error.code,
        "column": error.start + 1,
        "end_column": max(error.end, error.start + 1) + 1,
        "message": error.message,
        "hint": error.hint,
    }


def _descriptor_failure(formulation: Formulation, error: DescriptorError) -> dict[str, Any]:
    """A descriptor that cannot be computed, at the first component of the material it names."""
    at = next((c for c in formulation.components if error.material and c.material == error.material), None)
    return {
        "code": "no-descriptor",
        "column": None if at is None else at.end - len(at.name) + 1,
        "end_column": None if at is None else at.end + 1,
        "message": error.message,
        "hint": error.hint,
    }


def describe_line(number: int, text: str, inputs: Inputs, conventions: Conventions | None) -> dict[str, Any]:
    """One line of a file as a JSON object: its components and descriptors, or its mistakes."""
    found: dict[str, Any] = {"line": number, "formulation": text}
    formulation, errors = _read(text, inputs, conventions)
    if errors or formulation is None:
        return found | {"ok": False, "errors": [_located(e) for e in errors]}
    try:
        values = compute_descriptors(formulation, inputs.material_data)
    except DescriptorError as error:
        return found | {"ok": False, "errors": [_descriptor_failure(formulation, error)]}
    return found | {"ok": True, "components": _components(formulation), "descriptors": _finite(values)}


def describe_lines(
    lines: Iterable[tuple[int, str]], kb_dir: Path, *, conventions: Conventions | None = None
) -> tuple[int, list[str], str]:
    """(exit code, one JSON object per formulation, summary): every numbered line read, blank
    lines skipped; the exit code is 1 when any line failed (or the KB does not load)."""
    inputs, failure = _load(kb_dir)
    if inputs is None:
        return 1, [], failure
    out: list[str] = []
    failed = total = 0
    for number, text in lines:
        if not text.strip():
            continue
        total += 1
        found = describe_line(number, text, inputs, conventions)
        failed += not found["ok"]
        out.append(json.dumps(found, ensure_ascii=False))
    summary = f"{total} formulation{'s' if total != 1 else ''} read, {failed} with errors"
    return (1 if failed else 0), out, summary


def read_lines(data: bytes, shown: str) -> tuple[list[tuple[int, str]], str | None]:
    """(numbered lines, None) of a UTF-8 file, or ([], the located reason it cannot be read)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], f"{shown}:{line}: not UTF-8 text (byte {data[error.start]:#04x}): save the file as UTF-8"
    return [(n, line.rstrip("\r")) for n, line in enumerate(text.split("\n"), start=1)], None
