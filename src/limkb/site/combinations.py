"""What a material is combined with, on its page: the strategies that use it and the electrolytes
of the measurements it is part of.

A reader who looks up LiNO3 asks what it goes with: the strategies that use it, the other
materials each of those uses beside it (LiTFSI, DOL, DME) and the strategies each is combined
with; then the recorded electrolytes that hold it, with their other components. Every other
entry is looked up through ``site.by_id``, so the incremental build knows the page read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from limkb.schema.fields import electrolyte_text
from limkb.schema.kinds import Dataset, Strategy

if TYPE_CHECKING:
    from limkb.graph import Relation
    from limkb.site.context import Links, Site

__all__ = ["MAX_ELECTROLYTES", "combinations_view"]

MAX_ELECTROLYTES = 40
"""At most this many recorded electrolytes are listed (the datasets' pages have them all)."""


def combinations_view(
    site: Site, material_id: str, relations: Sequence[Relation], links: Links
) -> dict[str, Any] | None:
    """The strategies using ``material_id`` with what they combine it with, and the recorded
    electrolytes holding it; None when there is neither."""
    strategies = _strategies(site, material_id, relations, links)
    electrolytes = _electrolytes(site, material_id, relations, links)
    if not strategies and not electrolytes:
        return None
    return {
        "strategies": strategies,
        "electrolytes": electrolytes[:MAX_ELECTROLYTES],
        "more": max(0, len(electrolytes) - MAX_ELECTROLYTES),
    }


def _strategies(
    site: Site, material_id: str, relations: Sequence[Relation], links: Links
) -> list[dict[str, Any]]:
    """Each strategy that uses the material: the other materials it uses and the strategies it
    is combined with (with the evidence for the combination)."""
    users = sorted({r.source for r in relations if r.target == material_id and r.relation == "uses"})
    found = []
    for strategy_id in users:
        strategy = site.by_id.get(strategy_id)
        if not isinstance(strategy, Strategy):
            continue
        found.append(
            {
                "strategy": site.entry_link(strategy_id, links),
                "with": [site.entry_link(link.id, links) for link in strategy.uses if link.id != material_id],
                "combined": [
                    {**site.entry_link(link.id, links), "evidence": str(link.evidence.value)}
                    for link in strategy.combines_with
                ],
            }
        )
    return found


def _electrolytes(
    site: Site, material_id: str, relations: Sequence[Relation], links: Links
) -> list[dict[str, Any]]:
    """The distinct recorded electrolytes (as written) that hold the material, per dataset,
    with their other components."""
    from limkb.analysis.formulations import FormulationError
    from limkb.analysis.inputs import conventions_of

    datasets = sorted({r.source for r in relations if r.target == material_id and r.relation == "component"})
    found: list[dict[str, Any]] = []
    for dataset_id in datasets:
        dataset = site.by_id.get(dataset_id)
        if not isinstance(dataset, Dataset):
            continue
        seen: set[str] = set()
        for record in dataset.records:
            written = record.electrolyte if record.electrolyte is not None else dataset.electrolyte
            text = electrolyte_text(written) if written is not None else ""
            if not text or text in seen:
                continue
            seen.add(text)
            try:
                formulation = site.kb.inputs.formulation(written or "", conventions_of(dataset))
            except FormulationError:
                continue
            materials = list(dict.fromkeys(c.material for c in formulation.components if c.material))
            if material_id not in materials:
                continue
            found.append(
                {
                    "dataset": site.entry_link(dataset_id, links),
                    "label": record.label,
                    "electrolyte": text,
                    "others": [
                        site.entry_link(m, links) for m in materials if m != material_id and m in site.by_id
                    ],
                }
            )
    return found
