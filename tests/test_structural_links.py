"""Structural links (what a claim is about, a record's strategy, a finding's quantity) carry no
evidence badge: they organise the knowledge base, they are not claims a source could state."""

from __future__ import annotations

import re
from pathlib import Path

import limkb
from kbfactory import REF, REFERENCE, SOURCE, minimal, write_kb
from limkb.site.render import RenderOptions, render

FINDING = {
    "id": "hce-ce",
    "quantity": "coulombic-efficiency",
    "value": 99.3,
    "unit": "%",
    "source": {"ref": REF, "locator": "Abstract"},
    "statement": "Li||Cu cells averaged 99.3 % CE.",
}


def tiny(tmp_path: Path) -> limkb.KnowledgeBase:
    """A claim about a strategy holding a finding, a dataset whose record exemplifies it, and a
    sourced relation (``improves``) and an unsourced one (``fails_by``) for contrast."""
    kb = write_kb(
        tmp_path,
        {
            f"references/{REF}": {
                **REFERENCE,
                "read": {"status": "abstract", "url": "https://example.org/p"},
            },
            "properties/coulombic-efficiency": minimal("property", "CE", unit="%", scope="cell", maximum=100),
            "failure-modes/dendrites": minimal("failure-mode", "Dendrites"),
            "strategies/hce": minimal(
                "strategy",
                "High concentration",
                findings=[FINDING],
                improves=[{"id": "coulombic-efficiency", "sources": SOURCE}],
                fails_by=[{"id": "dendrites"}],
            ),
            "datasets/ce-data": minimal(
                "dataset",
                "CE data",
                columns=[{"name": "ce", "type": "number", "unit": "%", "property": "coulombic-efficiency"}],
                records=[{"label": "HCE", "ce": 99.3, "strategies": ["hce"], "source": SOURCE[0]}],
            ),
            "analyses/ce-vs-ce": minimal(
                "analysis", "CE against CE", x="coulombic-efficiency", y="coulombic-efficiency"
            ),
            "claims/concentration-raises-ce": minimal(
                "claim",
                "Concentration raises CE",
                proposition="Concentrated electrolytes raise CE",
                about=["hce"],
                evidence=[
                    {"finding": "hce-ce", "stance": "supports", "grade": "strong", "reason": "It does."},
                    {"analysis": "ce-vs-ce", "stance": "qualifies", "grade": "weak", "reason": "Few points."},
                ],
            ),
        },
    )
    return limkb.load(kb, cache=False)


def badges(page: str) -> dict[str, list[str]]:
    """The evidence badges of each relation section of a page, by its heading."""
    relations = page[page.index("## Relations") :]
    found: dict[str, list[str]] = {}
    for block in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", relations, re.S):
        heading = re.sub(r"<.*?>.*", "", block[0]).strip()
        found[heading] = re.findall(r"limkb-grade-([a-z-]+)", block[1])
    return found


def test_structural_links_show_no_badge_and_claims_keep_theirs(tmp_path: Path) -> None:
    kb = tiny(tmp_path)
    pages = render(kb, options=RenderOptions(date="2024-01-01"))
    claim = badges(str(pages["entries/claims/concentration-raises-ce.md"]))
    assert claim["about"] == []
    assert claim["evidence"] == ["primary-text"]  # the finding's holder; the analysis has no badge
    analysis = badges(str(pages["entries/analyses/ce-vs-ce.md"]))
    assert analysis["weighed in claim"] == []
    strategy = badges(str(pages["entries/strategies/hce.md"]))
    assert strategy["subject of claim"] == []
    assert strategy["finding about"] == []
    assert strategy["exemplified by records of"] == []
    assert strategy["improves"] == ["primary-text"]
    assert strategy["fails by"] == ["unsourced"]
    assert "unsourced" not in str(pages["entries/claims/concentration-raises-ce.md"])


def test_every_relation_an_edge_carries_has_a_name(tmp_path: Path) -> None:
    kb = tiny(tmp_path)
    assert [e.id for e in kb.related("ce-data", "exemplifies")] == ["hce"]
    assert [e.id for e in kb.related("hce", "exemplifies", direction="in")] == ["ce-data"]
