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


HOSTILE = [
    # (title, authors, journal)
    ('x}, url = "https://evil.example", note = x', ["Smith, A."], "J. Tests"),
    ("{unbalanced open and a stray close}} here", ["Curly, B. {"], "J. {Braces}"),
    ("back\\slash \\end{document} 100 % & $5 #1 a_b ~x", ["Back\\slash, C."], "J. \\relax"),
    ("two\nlines and a tab\there", ["Smith and Jones, D."], "J. Tests\nER  - \nTY  - JOUR\nTI  - injected"),
    ("@article{evil, title={x}}", ["Anderson, E.", "Sand, F."], "}}}"),
]


def _hostile_references() -> list[Any]:
    from limkb.schema.kinds import Reference

    return [
        Reference(
            id=f"hostile{i}",
            type="article",
            title=title,
            authors=authors,
            journal=journal,
            year=2020 + i,
            doi=f"10.1000/hostile.{i}",
        )
        for i, (title, authors, journal) in enumerate(HOSTILE)
    ]


def test_bibtex_keeps_hostile_fields_inside_their_records() -> None:
    import bibtexparser
    from pybtex.database import parse_string

    from limkb.commands.import_bib import latex_to_text
    from limkb.outputs.bibliography import plain

    references = _hostile_references()
    text = bibtex(references)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [r.id for r in references]
    parsed = parse_string(text, "bibtex")
    assert list(parsed.entries) == [r.id for r in references]
    for ref, entry in zip(references, library.entries, strict=True):
        assert set(entry.fields_dict) == {"author", "title", "journal", "year", "doi"}, entry.fields_dict
        for name in ("title", "journal"):  # LaTeX reads a run of spaces as one
            assert latex_to_text(entry.fields_dict[name].value) == " ".join(plain(getattr(ref, name)).split())
        assert entry.fields_dict["doi"].value == ref.doi
        twin = parsed.entries[ref.id]
        assert set(twin.fields) == {"title", "journal", "year", "doi"}
        assert len(twin.persons["author"]) == len(ref.authors)


def test_bibtex_hostile_titles_round_trip_through_import_bib(tmp_path: Path) -> None:
    import limkb
    from limkb.outputs.bibliography import plain

    references = _hostile_references()
    path = tmp_path / "hostile.bib"
    path.write_text(bibtex(references), encoding="utf-8")
    empty = tmp_path / "kb"
    (empty / "references").mkdir(parents=True)
    result = import_bib(path, empty)
    assert len(result.created) == len(references), result.report.format()
    back = {r.doi: r for r in limkb.load(empty, cache=False).entries(kind="reference")}
    for ref in references:
        assert back[ref.doi].title == " ".join(plain(ref.title).split()), back[ref.doi].title


def test_ris_and_csl_keep_one_record_per_reference_whatever_the_text() -> None:
    import rispy

    from limkb.outputs.bibliography import plain

    references = _hostile_references()
    records = rispy.loads(ris(references))
    assert len(records) == len(references)
    for ref, record in zip(references, records, strict=True):
        assert record["title"] == plain(ref.title)
        assert record["secondary_title"] == plain(ref.journal)
        assert len(record["authors"]) == len(ref.authors)
    items = json.loads(csl_json(references))
    assert [i["id"] for i in items] == [r.id for r in references]
    assert all("\n" not in i["title"] and "\n" not in i["container-title"] for i in items)
