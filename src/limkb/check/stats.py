"""``limkb validate --stats``: how well the knowledge base's claims rest on what was read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from limkb.analysis.evidence import REVIEW, Grade, grade
from limkb.analysis.findings import with_findings
from limkb.schema.fields import Link
from limkb.schema.kinds import Claim, Entry, LinkRef, Reference, Strategy, iter_links

__all__ = ["EvidenceCounts", "count_evidence", "evidence_stats", "iter_relations"]

_NOT_RELATIONS = {
    "cited_in",
    "column_of",
    "x_variable",
    "y_variable",
    "finding_about",
    "component",
    "informs",
    "evidence",
}


_LISTED = 5
"""How many strategies that say nothing of their missing findings ``--stats`` names."""


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
    papers: int = 0
    """Distinct references the findings come from."""
    addressed: int = 0
    """Findings whose reference records the address it was read at (``read: {url: ...}``)."""
    informing: int = 0
    """Findings that also inform entries other than the one they are recorded on."""
    editorial: int = 0
    """Relations without a source that say why limkb makes them (``editorial:``)."""
    bare: int = 0
    """Relations written in a field that holds only ids (``subtype_of``, ``analyses``, a
    record's ``strategies`` ...), which cannot carry a source or an ``editorial:``."""
    unexplained: tuple[str, ...] = ()
    """Strategies with no findings (their own or informing them) and no ``evidence_gap:``."""
    explained: int = 0
    """Strategies with no findings whose ``evidence_gap:`` says why."""
    unaddressed: tuple[str, ...] = ()
    """The references cited by findings that record no read-at address, each once, by id."""

    @property
    def findings(self) -> int:
        return sum(self.grades.values())


def iter_relations(entry: Entry, links: list[LinkRef] | None = None) -> Iterator[tuple[LinkRef, Link | None]]:
    """The relations of ``entry`` that the evidence counts, each with the :class:`Link` that
    states it, or None when it is written in an id-only field and so cannot carry a source.

    Citations, a dataset's column properties, an analysis's variables, a finding's quantity and
    what it informs, an electrolyte's components, a claim's evidence and what a claim is about
    are not counted: they are not claims that a source could state (a claim's own ``sources``
    say where it is asserted; its evidence is weighed item by item). ``links`` is
    :func:`iter_links` of ``entry`` when the caller has it already.
    """
    for link in iter_links(entry) if links is None else links:
        if link.relation in _NOT_RELATIONS or (isinstance(entry, Claim) and link.relation == "about"):
            continue
        yield link, _link_model(entry, link)


def _link_model(entry: Entry, link: LinkRef) -> Link | None:
    # iter_links locates a Link by its id, (field, index, "id"); every other shape is a bare id
    if len(link.loc) != 3 or link.loc[2] != "id":
        return None
    field, index, _ = link.loc
    items = getattr(entry, str(field), None)
    item = items[index] if isinstance(items, list) and isinstance(index, int) else None
    return item if isinstance(item, Link) else None


def count_evidence(entries: Mapping[str, Entry]) -> EvidenceCounts:
    """Relations with their own source, findings by evidence grade, references by reading status."""
    references = {i: e for i, e in entries.items() if isinstance(e, Reference)}
    relations = sourced = beyond = editorial = bare = 0
    for entry in entries.values():
        for link, model in iter_relations(entry):
            relations += 1
            if link.sources:
                sourced += 1
                if any(s.ref != REVIEW for s in link.sources):
                    beyond += 1
            elif model is None:
                bare += 1
            elif model.editorial:
                editorial += 1
    grades: Counter[str] = Counter({g.value: 0 for g in Grade})
    papers: set[str] = set()
    addressed = informing = 0
    unaddressed: set[str] = set()
    # each finding is stored once (the same-finding check sees to it), so these count distinct findings
    for entry in entries.values():
        for finding in getattr(entry, "findings", None) or []:
            grades[grade(finding.source, references).value] += 1
            papers.add(finding.source.ref)
            read = references[finding.source.ref].read if finding.source.ref in references else None
            addressed += read is not None and read.url is not None
            if read is None or read.url is None:
                unaddressed.add(finding.source.ref)
            informing += bool(finding.informs)
    reading = Counter(r.read.status if r.read is not None else "unrecorded" for r in references.values())
    has_findings = with_findings(entries)
    without = sorted(i for i, e in entries.items() if isinstance(e, Strategy) and i not in has_findings)
    unexplained = tuple(i for i in without if getattr(entries[i], "evidence_gap", None) is None)
    return EvidenceCounts(
        relations,
        sourced,
        beyond,
        grades,
        reading,
        len(papers),
        addressed,
        informing,
        editorial,
        bare,
        unexplained,
        len(without) - len(unexplained),
        tuple(sorted(unaddressed)),
    )


def evidence_stats(entries: Mapping[str, Entry], files: Mapping[str, str] | None = None) -> str:
    """The counts of :func:`count_evidence`, as the lines ``limkb validate --stats`` prints;
    ``files`` gives the file of each entry as shown (else ``kb/<folder>/<id>.yaml``)."""
    counts = count_evidence(entries)
    grades, reading = counts.grades, counts.reading
    primary = grades[Grade.PRIMARY_DATA.value] + grades[Grade.PRIMARY_TEXT.value]

    def share(part: int, whole: int) -> str:
        # rounded down, so that a share short of a target never reads as reaching it
        return f"{part}/{whole} ({100 * part // whole} %)" if whole else "0/0"

    lines = [
        f"relations with their own source: {share(counts.sourced, counts.relations)}; "
        f"editorial: {counts.editorial}; bare ids, which cannot carry a source: {counts.bare}; "
        f"citing more than the review: {share(counts.beyond, counts.relations)}",
        f"findings: {counts.findings}, graded primary: {share(primary, counts.findings)}"
        + "".join(f"; {g.value} {grades[g.value]}" for g in Grade if grades[g.value]),
        f"distinct findings: {counts.findings} ({counts.informing} informing other entries), "
        f"from {counts.papers} paper{'' if counts.papers == 1 else 's'}; "
        f"with a read-at address: {share(counts.addressed, counts.findings)}"
        + (
            f"; the others cite {', '.join(counts.unaddressed[:_LISTED])}"
            + (f" and {len(counts.unaddressed) - _LISTED} more" if len(counts.unaddressed) > _LISTED else "")
            + " (add `read: {url: ...}` where it was read)"
            if counts.unaddressed
            else ""
        ),
        f"strategies without findings: {len(counts.unexplained) + counts.explained}, "
        f"of which {counts.explained} say why (`evidence_gap:`)"
        + (
            "; add `evidence_gap: {reason: umbrella | nothing-readable, searched: ...}` to "
            + ", ".join((files or {}).get(i, f"kb/strategies/{i}.yaml") for i in counts.unexplained[:_LISTED])
            + (f" and {len(counts.unexplained) - _LISTED} more" if len(counts.unexplained) > _LISTED else "")
            if counts.unexplained
            else ""
        ),
        "references read here: "
        + ", ".join(f"{k} {reading[k]}" for k in ("full", "abstract", "none", "unrecorded") if reading[k]),
    ]
    return "\n".join(lines)
