"""``limkb validate --stats``: how well the knowledge base's claims rest on what was read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from limkb.analysis.evidence import REVIEW, Grade, grade
from limkb.schema.kinds import Entry, Reference, iter_links

__all__ = ["EvidenceCounts", "count_evidence", "evidence_stats"]

_NOT_RELATIONS = {"cited_in", "column_of", "x_variable", "y_variable", "finding_about", "component"}


@dataclass(frozen=True)
class EvidenceCounts:
    """How the claims of a knowledge base rest on what was read."""

    relations: int
    sourced: int
    """Relations with a source of their own."""
    beyond: int
    """Relations citing more than the review."""
    grades: Counter[str]
    """Findings by evidence grade."""
    reading: Counter[str]
    """References by reading status (``unrecorded`` when none is given)."""

    @property
    def findings(self) -> int:
        return sum(self.grades.values())


def count_evidence(entries: Mapping[str, Entry]) -> EvidenceCounts:
    """Relations with their own source, findings by evidence grade, references by reading status."""
    references = {i: e for i, e in entries.items() if isinstance(e, Reference)}
    relations = sourced = beyond = 0
    for entry in entries.values():
        for link in iter_links(entry):
            if link.relation in _NOT_RELATIONS or not hasattr(link, "sources"):
                continue
            relations += 1
            if link.sources:
                sourced += 1
                if any(s.ref != REVIEW for s in link.sources):
                    beyond += 1
    grades: Counter[str] = Counter({g.value: 0 for g in Grade})
    for entry in entries.values():
        for finding in getattr(entry, "findings", None) or []:
            grades[grade(finding.source, references).value] += 1
    reading = Counter(r.read.status if r.read is not None else "unrecorded" for r in references.values())
    return EvidenceCounts(relations, sourced, beyond, grades, reading)


def evidence_stats(entries: Mapping[str, Entry]) -> str:
    """The counts of :func:`count_evidence`, as the lines ``limkb validate --stats`` prints."""
    counts = count_evidence(entries)
    grades, reading = counts.grades, counts.reading
    primary = grades[Grade.PRIMARY_DATA.value] + grades[Grade.PRIMARY_TEXT.value]

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "0/0"

    lines = [
        f"relations with their own source: {share(counts.sourced, counts.relations)}; "
        f"citing more than the review: {share(counts.beyond, counts.relations)}",
        f"findings: {counts.findings}, graded primary: {share(primary, counts.findings)}"
        + "".join(f"; {g.value} {grades[g.value]}" for g in Grade if grades[g.value]),
        "references read here: "
        + ", ".join(f"{k} {reading[k]}" for k in ("full", "abstract", "none", "unrecorded") if reading[k]),
    ]
    return "\n".join(lines)
