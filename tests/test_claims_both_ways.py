"""The real KB weighs claims both ways: issue 28's "at least five claims show evidence for and against"."""

from __future__ import annotations

from typing import Any


def _stances(entry: Any) -> set[str]:
    """The stances a claim's evidence takes (``supports``, ``contradicts``, ``qualifies``)."""
    return {item.stance.value for item in entry.evidence}


def test_at_least_five_claims_have_evidence_for_and_against(real_kb: Any) -> None:
    both = sorted(e.id for e in real_kb.entries("claim") if {"supports", "contradicts"} <= _stances(e))
    assert len(both) >= 5, f"only {both} show evidence both ways; add a contradicting item or a claim"


def test_a_claim_without_contrary_evidence_says_where_it_was_looked_for(real_kb: Any) -> None:
    for entry in real_kb.entries("claim"):
        if "contradicts" not in _stances(entry):
            assert entry.still_missing and "searched" in entry.still_missing.lower(), entry.id
