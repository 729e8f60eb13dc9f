"""A reference whose authors no text read shows: allowed when its note says so and a DOI or
URL finds it; labelled by its title; exported without an author field."""

from __future__ import annotations

from pathlib import Path

from kbfactory import write_kb
from limkb.check.validate import validate_kb
from limkb.graph import link
from limkb.outputs.bibliography import bibtex, csl_item, ris

_UNKNOWN = {
    "title": "Weakly solvating ether electrolytes for lithium metal",
    "year": 2023,
    "doi": "10.1000/anon.2023",
    "note": "The abstract page read shows no author list.",
}


def test_a_reference_without_authors_needs_a_note_and_a_doi_or_url(tmp_path: Path) -> None:
    bare = {k: v for k, v in _UNKNOWN.items() if k not in ("note", "doi")}
    kb = write_kb(tmp_path, {"references/weakly2023": bare})
    report = validate_kb(kb).report
    (problem,) = [p for p in report.errors if p.code == "authors-missing"]
    assert "note does not say why" in problem.message and "no DOI or URL" in problem.message


def test_an_explained_reference_without_authors_validates_and_exports(tmp_path: Path) -> None:
    kb = link(validate_kb(write_kb(tmp_path, {"references/weakly2023": _UNKNOWN})))
    assert kb.report.ok(strict=True), kb.report.format()
    ref = kb["weakly2023"]
    assert ref.label == "Weakly solvating ether electrolytes … (2023)"
    assert "author =" not in bibtex([ref]) and "AU  -" not in ris([ref])
    assert "note = {The abstract page read shows no author list.}" in bibtex([ref])
    assert "author" not in csl_item(ref)


def test_its_id_follows_first_title_word_and_year(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"references/anon2023weakly": _UNKNOWN})
    (problem,) = [p for p in validate_kb(kb).report.warnings if p.code == "ref-id-convention"]
    assert "<first-title-word><year>" in problem.message and "weakly2023.yaml" in problem.hint
