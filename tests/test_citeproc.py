"""references.csl.json formats with citeproc-py: a CSL processor reads authors, year, title and DOI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from kbfactory import REFERENCE, minimal, write_kb
from limkb.access import load
from limkb.outputs.bibliography import csl_json
from limkb.outputs.formats import export_all

STYLES = ("harvard-cite-them-right", "harvard1")
"""The Harvard style citeproc-py bundles: ``harvard1`` in older releases (the drift job installs
the oldest one pyproject.toml allows), whose layout differs a little, so the checks below ask for
names, year and title rather than exact punctuation."""


def _style() -> CitationStylesStyle:
    for name in STYLES:
        try:
            return CitationStylesStyle(name, validate=False)
        except ValueError:  # not bundled in this release
            continue
    raise AssertionError(f"citeproc-py bundles none of {STYLES}")


def _bibliography(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item formatted as a bibliography entry in the bundled Harvard style, by id."""
    bibliography = CitationStylesBibliography(_style(), CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    formatted = [str(entry) for entry in bibliography.bibliography()]
    assert len(formatted) == len(items)
    # the bibliography is sorted by the style; match entries to ids by their DOI or title
    found = {}
    for item in items:
        key = item.get("DOI") or item["title"]
        (entry,) = [text for text in formatted if key in text]
        found[item["id"]] = entry
    return found


def test_a_tiny_kb_formats_in_harvard_style(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path,
        {
            "references/doe2021two": {
                **REFERENCE,
                "title": "Two authors and a volume",
                "authors": ["Doe, Jane", "Roe, R."],
                "year": 2021,
                "volume": "12",
                "pages": "100-110",
                "doi": "10.1000/two.2021",
            },
            "strategies/s": minimal("strategy", "S"),
        },
    )
    export_all(load(root, cache=False), tmp_path / "build")
    items = json.loads((tmp_path / "build" / "references.csl.json").read_text(encoding="utf-8"))
    entries = _bibliography(items)
    assert entries["smith2020test"].startswith("Smith, A.") and "2020" in entries["smith2020test"]
    assert "Test of a tiny knowledge base" in entries["smith2020test"]
    assert "J. Tests" in entries["smith2020test"]
    assert "https://doi.org/10.1000/test.2020" in entries["smith2020test"]
    two = entries["doe2021two"]
    assert two.startswith("Doe, J.") and "Roe, R." in two and "2021" in two, two
    assert "Two authors and a volume" in two and "12" in two and "100–110" in two


def test_the_review_formats_from_the_real_bibliography(real_kb: Any) -> None:
    references = sorted(real_kb.entries(kind="reference"), key=lambda r: r.id)
    items = json.loads(csl_json(references))
    entries = _bibliography(items)
    review = entries["oyakhire2024interfacial"]
    assert review.startswith("Oyakhire, S.T.") and "Bent, S.F." in review and "2024" in review, review
    assert "Interfacial engineering of lithium metal anodes: what is left to uncover?" in review
    assert "https://doi.org/10.1039/d3ya00470h" in review
    for ref in references:  # every reference gets its family name and year in its entry
        entry = entries[ref.id]
        if ref.authors:
            assert entry.startswith(ref.authors[0].split(",")[0]) and str(ref.year) in entry, (ref.id, entry)
        else:  # (the style puts the journal where the authors would be)
            assert ref.title.split()[0] in entry and str(ref.year) in entry, (ref.id, entry)
