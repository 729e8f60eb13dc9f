"""``limkb validate --stats``: how well the knowledge base's claims rest on what was read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from limkb.analysis.evidence import REVIEW, Grade, grade
from limkb.schema.kinds import Entry, Reference, iter_links

__all__ = ["evidence_stats"]

_NOT_RELATIONS = {"cited_in", "column_of", "x_variable", "y_variable", "finding_about", "component"}


def evidence_stats(entries: Mapping[str, Entry]) -> str:
    """Counts, as text: relations with a source of their own (and beyond the review), findings
    by evidence grade, references by reading status."""
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
    grades: Counter[str] = Counter()
    for entry in entries.values():
        for finding in getattr(entry, "findings", None) or []:
            grades[grade(finding.source, references).value] += 1
    reading = Counter(r.read.status if r.read is not None else "unrecorded" for r in references.values())
    total = sum(grades.values())
    primary = grades[Grade.PRIMARY_DATA.value] + grades[Grade.PRIMARY_TEXT.value]

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "0/0"

    lines = [
        f"relations with their own source: {share(sourced, relations)}; citing more than the review: {share(beyond, relations)}",
        f"findings: {total}, graded primary: {share(primary, total)}"
        + "".join(f"; {g.value} {grades[g.value]}" for g in Grade if grades[g.value]),
        "references read here: "
        + ", ".join(f"{k} {reading[k]}" for k in ("full", "abstract", "none", "unrecorded") if reading[k]),
    ]
    return "\n".join(lines)
