"""Bibliography exports: BibTeX that import-bib reads back into the same references, RIS, CSL-JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from limkb.commands.import_bib import import_bib
from limkb.outputs.bibliography import bibtex, csl_json, ris

FIELDS = ("title", "authors", "journal", "year", "volume", "issue", "pages", "doi")


def _references(kb: Any) -> list[Any]:
    return sorted(kb.entries(kind="reference"), key=lambda r: r.id)


def test_bibtex_of_the_kb_round_trips_through_import_bib(real_kb: Any, tmp_path: Path) -> None:
    import limkb

    references = _references(real_kb)
    path = tmp_path / "references.bib"
    path.write_text(bibtex(references), encoding="utf-8")
    empty = tmp_path / "kb"
    (empty / "references").mkdir(parents=True)
    result = import_bib(path, empty)
    assert result.report.ok(strict=False), result.report.format()
    assert len(result.created) == len(references)
    again = {r.id: r for r in limkb.load(empty, cache=False).entries(kind="reference")}
    # import-bib names references by its convention; match them by DOI, else by title
    by_key = {(r.doi or r.title).lower(): r for r in again.values()}
    for ref in references:
        twin = by_key[(ref.doi or ref.title).lower()]
        for name in FIELDS:
            ours, back = getattr(ref, name), getattr(twin, name)
            if name == "authors":  # import-bib writes given names as initials ("Meng, Y. S.")
                ours = [_as_initials(a) for a in ours]
            assert back == ours, (ref.id, name, back, ours)


def _as_initials(author: str) -> str:
    from limkb.commands.import_bib import _initials

    family, _, given = author.partition(", ")
    return f"{family}, {_initials(given)}" if given else family


def test_ris_and_csl_json_carry_every_reference(real_kb: Any) -> None:
    references = _references(real_kb)
    text = ris(references)
    assert text.count("TY  - ") == len(references) == text.count("ER  - ")
    first = references[0]
    assert f"ID  - {first.id}" in text and f"AU  - {first.authors[0]}" in text
    items = json.loads(csl_json(references))
    assert [i["id"] for i in items] == [r.id for r in references]
    item = items[0]
    assert item["issued"] == {"date-parts": [[first.year]]}
    assert item["author"][0]["family"] == first.authors[0].split(",")[0]
    if first.doi:
        assert item["DOI"] == first.doi
