"""Evidence grades, one row per rule of :func:`limkb.analysis.evidence.grade`: the review, the
``as cited in`` locator, each reading status and each word that makes a locator a figure or table."""

from __future__ import annotations

from typing import Any

import pytest

from kbfactory import REF, REFERENCE
from limkb.analysis.evidence import GRADE_TITLES, REVIEW, Grade, grade
from limkb.schema.kinds import Reference, Source


def _refs(status: str | None) -> dict[str, Reference]:
    """The references, with REF read to ``status`` (None: no ``read:``)."""
    data: dict[str, Any] = {"id": REF, **REFERENCE}
    if status:
        data["read"] = {"status": status}
    return {REF: Reference.model_validate(data)}


@pytest.mark.parametrize(
    ("locator", "expected"),
    [
        ("Fig. 2b", Grade.PRIMARY_DATA),
        ("fig 3", Grade.PRIMARY_DATA),
        ("Figs. 2-4", Grade.PRIMARY_DATA),
        ("Figure 1", Grade.PRIMARY_DATA),
        ("FIGURES S1-S3", Grade.PRIMARY_DATA),
        ("Table 2", Grade.PRIMARY_DATA),
        ("tables 1 and 2", Grade.PRIMARY_DATA),
        ("the dataset deposited with the paper", Grade.PRIMARY_DATA),
        ("Supplementary Note 4", Grade.PRIMARY_DATA),
        ("p. 5, second paragraph", Grade.PRIMARY_TEXT),
        ("configured cells, section 2", Grade.PRIMARY_TEXT),  # "fig" inside a word is not a figure
        ("timetables", Grade.PRIMARY_TEXT),
        (None, Grade.PRIMARY_TEXT),
    ],
)
def test_a_fully_read_paper_grades_by_its_locator(locator: str | None, expected: Grade) -> None:
    """Read in full: a figure, table, dataset or supplementary locator is primary data."""
    assert grade(Source(ref=REF, locator=locator), _refs("full")) is expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("full", Grade.PRIMARY_DATA),
        ("abstract", Grade.PRIMARY_TEXT),
        ("none", Grade.NOT_READ),
        (None, Grade.NOT_READ),
    ],
)
def test_each_reading_status(status: str | None, expected: Grade) -> None:
    """Only a full reading makes a table primary data; an abstract is primary text; unread is not read."""
    assert grade(Source(ref=REF, locator="Table 1"), _refs(status)) is expected


@pytest.mark.parametrize(
    ("ref", "locator", "expected"),
    [
        (REVIEW, "as cited in itself", Grade.REVIEW),
        (REVIEW, None, Grade.REVIEW),
        (REF, "As Cited In Oyakhire 2024, Table 2", Grade.TITLE_ONLY),
        (REF, "as cited in the review", Grade.TITLE_ONLY),
        (REF, "Table 2, as cited in the review", Grade.PRIMARY_DATA),  # only a locator that starts so
        ("unknown2020ref", "Table 1", Grade.NOT_READ),
    ],
)
def test_the_review_and_citations_through_it(ref: str, locator: str | None, expected: Grade) -> None:
    """The review's own source is ``review``; a locator starting ``as cited in`` is title only,
    whatever the reading; a reference the KB lacks is not read."""
    assert grade(Source(ref=ref, locator=locator), _refs("full")) is expected


def test_every_grade_has_a_title() -> None:
    """Pages show each grade by its title."""
    assert set(GRADE_TITLES) == set(Grade)
