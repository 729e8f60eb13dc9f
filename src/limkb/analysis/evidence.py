"""Evidence grades: how directly a claim rests on what was read.

A grade is computed, never typed: from the claim's source (which reference, which locator)
and from that reference's reading status (``read:`` on the reference entry).

=================  ===========================================================================
``primary-data``   the cited paper was read here, and the locator is a figure or table of it
``primary-text``   the cited paper was read here (its text or abstract), the locator elsewhere
``review``         the claim rests on the review the KB starts from (its own statement)
``title-only``     the cited paper is known only as the review cites it (``as cited in ...``)
``not-read``       the cited paper could not be read here and the locator does not say how it
                   is known
=================  ===========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from limkb.schema.kinds import Reference, Source

__all__ = ["GRADE_TITLES", "REVIEW", "Grade", "grade"]

REVIEW = "oyakhire2024interfacial"
"""The review the knowledge base was first built from."""


class Grade(StrEnum):
    PRIMARY_DATA = "primary-data"
    PRIMARY_TEXT = "primary-text"
    REVIEW = "review"
    TITLE_ONLY = "title-only"
    NOT_READ = "not-read"


GRADE_TITLES: dict[Grade, str] = {
    Grade.PRIMARY_DATA: "primary data (a figure or table of the paper, read here)",
    Grade.PRIMARY_TEXT: "primary text (the paper's text or abstract, read here)",
    Grade.REVIEW: "the review's statement",
    Grade.TITLE_ONLY: "known from the review's citation only",
    Grade.NOT_READ: "the passage is not in what could be read here",
}

_DATA = re.compile(r"\b(fig(ure)?s?|tables?|dataset|supplementary)\b", re.IGNORECASE)


def grade(source: Source, references: Mapping[str, Reference]) -> Grade:
    """The grade of a claim resting on ``source``."""
    locator = source.locator or ""
    if source.ref == REVIEW:
        return Grade.REVIEW
    if locator.lower().startswith("as cited in"):
        return Grade.TITLE_ONLY
    reference = references.get(source.ref)
    status = reference.read.status if reference is not None and reference.read is not None else None
    if status in ("full", "abstract"):
        if status == "full" and _DATA.search(locator):
            return Grade.PRIMARY_DATA
        return Grade.PRIMARY_TEXT
    return Grade.NOT_READ
