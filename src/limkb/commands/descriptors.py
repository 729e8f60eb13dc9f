"""``limkb descriptors``: the descriptors of a formulation typed at the shell."""

from __future__ import annotations

import json
from pathlib import Path

from limkb.analysis.descriptors import DESCRIPTORS, DescriptorError, compute_descriptors
from limkb.analysis.formulations import FormulationError, parse, resolve
from limkb.analysis.inputs import Inputs

__all__ = ["describe_formulation"]


def _pointer(text: str, error: FormulationError) -> str:
    """The formulation with a caret line under the mistake."""
    width = max(1, error.end - error.start)
    return f"  {text}\n  {' ' * error.start}{'^' * width}"


def describe_formulation(text: str, kb_dir: Path, *, as_json: bool = False) -> tuple[int, str]:
    """(exit code, output): the descriptors as a table or JSON, or the located problems."""
    from limkb.access import load
    from limkb.errors import ValidationError

    try:
        kb = load(kb_dir)
    except ValidationError as error:
        return 1, error.report.format("text") + "\nfailed: " + error.report.summary()
    inputs = Inputs(kb)
    try:
        formulation, errors = resolve(parse(text), inputs.index)
    except FormulationError as error:
        errors = [error]
        formulation = None
    if errors or formulation is None:
        lines = [f"error: {e.message}\n{_pointer(text, e)}\n    hint: {e.hint}" for e in errors]
        return 1, "\n".join(lines)
    try:
        values = compute_descriptors(formulation, inputs.material_data)
    except DescriptorError as error:
        return 1, f"error: {error.message}\n    hint: {error.hint}"
    components = [
        {
            "name": c.name,
            "material": c.material,
            "role": c.role.value,
            "amount": c.amount,
            "unit": None if c.unit is None else c.unit.value,
        }
        for c in formulation.components
    ]
    if as_json:
        return 0, json.dumps({"formulation": text, "components": components, "descriptors": values})
    out = [f"formulation: {text}", "components:"]
    for c in components:
        amount = "" if c["amount"] is None else f"  {c['amount']:g} {c['unit']}"
        out.append(f"  {c['material']:<16} {c['role']:<9}{amount}")
    out.append("descriptors (atomic fractions, every atom counted):")
    width = max(len(n) for n in DESCRIPTORS)
    for name, value in values.items():
        out.append(f"  {name:<{width}}  {value:.4f}   {DESCRIPTORS[name]}")
    return 0, "\n".join(out)
