"""A claim's page: the tally of its evidence, the strongest evidence each way, and every item.

Each item is a finding (found by its ``id`` on whichever entry records it, and shown as that
entry's page shows it, with a link to it) or an analysis (its recomputed coefficient and n).
The strongest item of a stance is the one with the highest curator's grade (``strong`` first),
then the best computed grade of its source (primary data first); an analysis counts as primary
data, since it is recomputed from the records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from limkb.analysis.evidence import Grade
from limkb.schema.kinds import Claim, Evidence, EvidenceWeight, Finding, Stance
from limkb.site.overview import analysis_view

if TYPE_CHECKING:
    from limkb.site.context import Links, Site

__all__ = ["claim_view"]

FindingView = Callable[..., dict[str, Any]]
"""How an entry page shows a finding: ``(site, finding, links, *, recorded_on=...) -> dict``."""

_WEIGHTS = list(EvidenceWeight)
_STRONGEST = {
    Stance.SUPPORTS: "Strongest support",
    Stance.CONTRADICTS: "Strongest contrary evidence",
    Stance.QUALIFIES: "Strongest qualification",
}
_GRADES = [g.value for g in Grade]


def _holders(site: Site) -> dict[str, tuple[str, int]]:
    """Where each finding with an id is recorded: id -> (entry id, position)."""
    return {r.id: (r.entry, r.position) for r in site.kb.findings() if r.id is not None}


def _item(
    site: Site, item: Evidence, links: Links, holders: dict[str, tuple[str, int]], finding_view: FindingView
) -> dict[str, Any]:
    """One evidence item as the claim's page shows it."""
    shown: dict[str, Any] = {
        "stance": item.stance.value,
        "weight": item.grade.value,
        "reason": item.reason,
        "finding": None,
        "analysis": None,
    }
    if item.finding is not None and item.finding in holders:
        holder, position = holders[item.finding]
        entry = site.by_id.get(holder)  # read through the site, so an edit there re-renders the claim
        findings: list[Finding] = list(getattr(entry, "findings", None) or [])
        if position < len(findings):
            view = finding_view(site, findings[position], links, recorded_on=holder)
            view["anchor"] = f"{links.entry(holder)}#finding-{item.finding}"
            shown["finding"] = view
    elif item.analysis is not None:
        shown["analysis"] = analysis_view(site, item.analysis, links) or {
            "id": item.analysis,
            "url": links.entry(item.analysis),
            "name": site.label(item.analysis),
            "n": None,
        }
    return shown


def _rank(shown: dict[str, Any]) -> tuple[int, int]:
    grade = shown["finding"]["grade"] if shown["finding"] else Grade.PRIMARY_DATA.value
    return _WEIGHTS.index(EvidenceWeight(shown["weight"])), _GRADES.index(grade)


def claim_view(site: Site, claim: Claim, links: Links, finding_view: FindingView) -> dict[str, Any]:
    """What a claim's page shows: the tally by stance, the strongest item each way, every item."""
    holders = _holders(site)
    items = [_item(site, item, links, holders, finding_view) for item in claim.evidence]
    tally = {stance.value: sum(1 for i in items if i["stance"] == stance.value) for stance in Stance}
    strongest = [
        (title, best)
        for stance, title in _STRONGEST.items()
        if (best := min((i for i in items if i["stance"] == stance.value), key=_rank, default=None))
    ]
    return {
        "proposition": claim.proposition,
        "tally": tally,
        "strongest": strongest,
        "items": sorted(items, key=lambda i: (list(tally).index(i["stance"]), _rank(i))),
        "still_missing": claim.still_missing,
        "unopposed": tally[Stance.CONTRADICTS.value] == 0,
    }
