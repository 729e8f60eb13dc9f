"""Integrity of the real kb/: what the review holds is all there, sourced, and in our own words.

Each check is parametrised by entry id so a failure names the entry to fix and how.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from limkb.check.validate import Validated, validate_kb
from limkb.schema.kinds import Dataset, Entry, Question, Reference

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT.parent / "shared" / "sources" / "oyakhire-bent-2024-energy-advances.txt"
REVIEW_ID = "oyakhire2024interfacial"
SHARED_WORDS = 6
"""A run of this many words in common with the review counts as repeating its wording."""


@cache
def kb() -> Validated:
    return validate_kb(ROOT / "kb")


def ids(kind: str) -> list[str]:
    return sorted(i for i, e in kb().entries.items() if e.kind == kind)


def test_the_real_kb_validates_strictly() -> None:
    report = kb().report
    assert report.ok(strict=True), report.format()


def test_all_108_references_of_the_review_and_the_review_itself() -> None:
    numbers: dict[int, str] = {}
    for entry_id in ids("reference"):
        entry = kb().entries[entry_id]
        assert isinstance(entry, Reference)
        for citation in entry.cited_in:
            if citation.ref == REVIEW_ID:
                match = re.fullmatch(r"ref\. (\d+)", citation.locator or "")
                assert match, f"{entry_id}: cited_in locator must read 'ref. N'"
                numbers[int(match.group(1))] = entry_id
    assert sorted(numbers) == list(range(1, 109))
    review = kb().entries[REVIEW_ID]
    assert isinstance(review, Reference) and review.doi == "10.1039/d3ya00470h"


def test_reference_74_has_no_doi_and_says_so() -> None:
    (entry,) = [
        e
        for e in kb().entries.values()
        if isinstance(e, Reference) and any(c.locator == "ref. 74" for c in e.cited_in)
    ]
    assert entry.doi is None and entry.note


def test_corrected_dois_keep_the_printed_form_and_explain() -> None:
    corrected = [e for e in kb().entries.values() if isinstance(e, Reference) and e.doi_printed]
    assert corrected, "the review prints mistyped DOIs; their corrections should be recorded"
    for entry in corrected:
        assert entry.doi != entry.doi_printed and entry.note, entry.id


@pytest.mark.parametrize(("dataset", "records"), [("sei-composition-vs-ce", 10), ("sei-thickness-vs-ce", 11)])
def test_tables_1_and_2_are_datasets_with_every_record_sourced(dataset: str, records: int) -> None:
    entry = kb().entries[dataset]
    assert isinstance(entry, Dataset)
    assert len(entry.records) == records
    for record in entry.records:
        assert record.source is not None and record.source.locator, record.label
        assert kb().entries[record.source.ref].kind == "reference"


def test_table_1_footnote_conditions() -> None:
    entry = kb().entries["sei-composition-vs-ce"]
    assert isinstance(entry, Dataset) and entry.conditions is not None
    assert entry.conditions.cell == "Li||Cu"
    assert entry.conditions.current_density is not None
    assert (entry.conditions.current_density.value, entry.conditions.current_density.unit) == (0.5, "mA cm-2")


@pytest.mark.parametrize("question", ids("question"))
def test_every_question_is_open_ended_and_linked(question: str) -> None:
    entry = kb().entries[question]
    assert isinstance(entry, Question)
    assert entry.text.rstrip().endswith("?"), f"{question}: write the question ending with '?'"
    kinds = {kb().entries[link.id].kind for link in entry.about}
    assert kinds & {"strategy", "property"}, f"{question}: link `about` to a strategy or property"
    assert entry.answerable_by, f"{question}: name a technique in `answerable_by`"
    assert entry.missing and len(entry.missing.split()) >= 12, (
        f"{question}: say in `missing` which data limkb lacks to answer it (and link `analyses` that bear on it)"
    )


def test_the_review_s_questions_span_every_family_and_interface() -> None:
    questions = [e for e in kb().entries.values() if isinstance(e, Question)]
    assert len(questions) >= 18
    assert {q.family.value for q in questions if q.family} == {
        "electrolyte-engineering",
        "artificial-sei",
        "current-collector-modification",
    }
    assert {q.interface.value for q in questions if q.interface} == {"li-electrolyte", "li-current-collector"}


def _words(text: str) -> list[str]:
    text = re.sub(r"[\^_{}$\\*]|\[[^\]]*\]\([^)]*\)", " ", text.lower())
    # Single letters and bare numbers are mostly formula fragments (Si-O, Li3N), not wording.
    return [w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1 and not w.isdigit()]


@cache
def _review_ngrams() -> frozenset[tuple[str, ...]]:
    body = REVIEW.read_text(encoding="utf-8").split("\nReferences\n")[0]  # titles are names, not prose
    words = _words(body)
    return frozenset(tuple(words[i : i + SHARED_WORDS]) for i in range(len(words) - SHARED_WORDS + 1))


def _prose(entry: Entry) -> list[str]:
    texts = [entry.summary or ""]
    for name in ("text", "approach", "note"):
        value = getattr(entry, name, None)
        if isinstance(value, str):
            texts.append(value)
    return texts


@pytest.mark.skipif(
    not REVIEW.exists() and not os.environ.get("CI"),
    reason="the review text lives in ../shared beside the checkout (always there in CI)",
)
@pytest.mark.parametrize("entry_id", sorted(kb().entries))
def test_prose_is_in_our_own_words(entry_id: str) -> None:
    entry = kb().entries[entry_id]
    for text in _prose(entry):
        words = _words(text)
        shared = [
            " ".join(words[i : i + SHARED_WORDS])
            for i in range(len(words) - SHARED_WORDS + 1)
            if tuple(words[i : i + SHARED_WORDS]) in _review_ngrams()
        ]
        assert not shared, f"{entry_id}: rewrite in our own words, it repeats the review: {shared[0]!r}"
