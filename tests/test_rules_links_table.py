"""The link and reference rules of :mod:`limkb.check.rules`, row by row: each row a tiny KB and
every problem it must get (file, line, column, code, message, hint and the entry it names), and
nothing else. Relations name an entry of the right kind, never the entry itself
(``_check_links``, with the suggestions of ``_suggest``); references have one DOI each, ids that
follow the convention, and authors or a note saying why not (``_check_references``,
``_check_authors_explained``). The rows of ``tests/test_rules_table.py`` pin the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, Found, minimal, write_kb
from kbfactory import located_problems as _problems
from limkb.check.validate import validate_kb

_REFERENCE = {
    "title": "Test of a tiny knowledge base",
    "authors": ["Smith, A."],
    "journal": "J",
    "year": 2020,
}
_READ = {"status": "abstract", "url": "https://example.org/paper"}
_AUTHORS_HINT = (
    'add `authors:` ("Family, Given initials" each); when no text read shows them, leave them out, '
    "say so in `note:` and give the `doi:` (or `url:`)"
)
_NO_AUTHORS = "the reference lists no authors"


def _at(
    file: str, line: int, col: int, code: str, message: str, hint: str, *, warning: bool = False
) -> Found:
    """A problem in ``kb/<file>.yaml`` naming the entry ``file``'s stem."""
    severity = "warning" if warning else "error"
    return (f"{file}.yaml", line, col, f"{severity}[{code}]", message, hint, file.split("/")[1])


def via(*ids: str) -> dict[str, Any]:
    """A strategy working via the mechanisms ``ids`` (each with an editorial note)."""
    return minimal("strategy", "S", works_via=[{"id": i, "editorial": "x"} for i in ids])


def _unknown_in_s(line: int, col: int, target: str, close: str | None, kind: str = "mechanism") -> Found:
    if close is None:
        message, hint = (
            f"{target!r} is not an entry",
            f"create it with `limkb new {kind} {target}`, or fix the id",
        )
    else:
        message, hint = f"{target!r} is not an entry; did you mean {close!r}?", f"replace it with {close!r}"
    return _at("strategies/s", line, col, "unknown-ref", message, hint)


def _ref_id(file: str, convention: str, expected: str) -> Found:
    return _at(
        file,
        1,
        1,
        "ref-id-convention",
        f"reference id {file.split('/')[1]!r} does not follow {convention}",
        f"rename the file to {expected}.yaml (add a letter for a second paper: {expected}b)",
        warning=True,
    )


_WITHOUT_AUTHORS = "<first-title-word><year> (a reference without authors)"
_FIELDS = "strategy or property or species or material or mechanism or failure-mode"
_ROWS: list[tuple[str, dict[str, dict[str, Any]], list[Found]]] = [
    (
        "an unknown id is matched against every entry when none is of the kind wanted",
        {"mechanisms/fec": minimal("mechanism"), "strategies/s": minimal("strategy", "S", uses=["fecc"])},
        [
            _at(
                "strategies/s",
                5,
                3,
                "unknown-ref",
                "'fecc' is not an entry; did you mean 'fec'?",
                "replace it with 'fec'",
            )
        ],
    ),
    (
        "an id as alike as the cutoff is suggested",
        {"mechanisms/abcde": minimal("mechanism"), "strategies/s": via("abcxy")},
        [_unknown_in_s(5, 7, "abcxy", "abcde")],
    ),
    (
        "an id less alike is not; the hint names the relation's kind",
        {"mechanisms/abcde": minimal("mechanism"), "strategies/s": via("abxyz")},
        [_unknown_in_s(5, 7, "abxyz", None)],
    ),
    (
        "of equally close ids the last in order is suggested",
        {
            **{f"mechanisms/abcd{i}": minimal("mechanism") for i in (2, 4, 1, 3)},
            "strategies/s": via("abcd"),
        },
        [_unknown_in_s(5, 7, "abcd", "abcd4")],
    ),
    (
        "an id close only to an entry of another kind gets no suggestion",
        {
            "mechanisms/zzzzz": minimal("mechanism"),
            "materials/abcdf": minimal("material"),
            "strategies/s": via("abcde"),
        },
        [_unknown_in_s(5, 7, "abcde", None)],
    ),
    (
        "a link to an entry that fails its schema is skipped, and the next link is still checked",
        {
            "mechanisms/bad": {"name": 3, "sources": [{"ref": REF, "locator": "T1"}]},
            "strategies/s": via("bad", "zzz"),
        },
        [
            _at(
                "mechanisms/bad",
                1,
                7,
                "wrong-type",
                "name should be text, not the number 3",
                "put the value in double quotes to keep it as text",
            ),
            _unknown_in_s(7, 7, "zzz", None),
        ],
    ),
    (
        "an unknown property is as likely a new quantity as a typo",
        {
            "properties/sei-thickness": minimal("property", "T", unit="nm"),
            "datasets/d": minimal(
                "dataset", "D", columns=[{"name": "t", "property": "sei-thicknes", "unit": "nm"}]
            ),
        },
        [
            _at(
                "datasets/d",
                4,
                13,
                "unknown-ref",
                "'sei-thicknes' is not an entry; did you mean 'sei-thickness'?",
                "if you mean 'sei-thickness', write that; if not, add the property with "
                "`limkb new property sei-thicknes` (CONTRIBUTING.md, 'Add a property')",
            )
        ],
    ),
    (
        "an unknown property close to nothing",
        {"datasets/d": minimal("dataset", "D", columns=[{"name": "t", "property": "zzzz", "unit": "nm"}])},
        [
            _at(
                "datasets/d",
                4,
                13,
                "unknown-ref",
                "'zzzz' is not an entry",
                "add the property with `limkb new property zzzz` (CONTRIBUTING.md, 'Add a property')",
            )
        ],
    ),
    (
        "an entry of the wrong kind when none of the right kind exists",
        {"mechanisms/m": minimal("mechanism"), "strategies/s": minimal("strategy", "S", uses=["m"])},
        [
            _at(
                "strategies/s",
                5,
                3,
                "wrong-kind",
                "uses[0].id must name a material, but 'm' is a mechanism",
                "name a material here, e.g. one of (none yet)",
            )
        ],
    ),
    (
        "an entry of the wrong kind, with the first three of the right kind in order",
        {
            **{f"strategies/s{i}": minimal("strategy") for i in (4, 2, 3, 1)},
            "mechanisms/m": minimal("mechanism"),
            "strategies/x": minimal("strategy", subtype_of="m"),
        },
        [
            _at(
                "strategies/x",
                4,
                13,
                "wrong-kind",
                "subtype_of must name a strategy, but 'm' is a mechanism",
                "name a strategy here, e.g. one of s1, s2, s3",
            )
        ],
    ),
    (
        "a relation to several kinds names them all, and its later items are checked",
        {
            "mechanisms/m": minimal("mechanism"),
            "questions/q": minimal(
                "question", about=[{"id": "m", "editorial": "x"}, {"id": REF, "editorial": "x"}]
            ),
        },
        [
            _at(
                "questions/q",
                8,
                7,
                "wrong-kind",
                f"about[1].id must name a {_FIELDS}, but 'smith2020test' is a reference",
                f"name a {_FIELDS} here, e.g. one of (none yet)",
            )
        ],
    ),
    (
        "a mechanism where a strategy works via itself is of the wrong kind, not a self-link",
        {"mechanisms/m": minimal("mechanism"), "strategies/s": via("m", "s")},
        [
            _at(
                "strategies/s",
                7,
                7,
                "wrong-kind",
                "works_via[1].id must name a mechanism, but 's' is a strategy",
                "name a mechanism here, e.g. one of m",
            )
        ],
    ),
    (
        "a property's finding about the property itself is no self-link",
        {
            "references/smith2020test": {**_REFERENCE, "read": _READ},
            "properties/coulombic-efficiency": minimal(
                "property",
                "CE",
                findings=[
                    {
                        "quantity": "coulombic-efficiency",
                        "value": 99.0,
                        "unit": "%",
                        "source": {"ref": REF, "locator": "T1"},
                        "statement": "S",
                    }
                ],
            ),
        },
        [],
    ),
    (
        "a DOI already given, in any case, names the first reference that gives it",
        {
            "mechanisms/m": minimal("mechanism"),
            "references/smith2020test": {**_REFERENCE, "doi": "10.1000/Test.2020"},
            "references/smith2020testb": {**_REFERENCE, "doi": "10.1000/TEST.2020"},
            "references/smith2020testc": {**_REFERENCE, "doi": "10.1000/test.2020"},
        },
        [
            _at(
                f"references/smith2020test{letter}",
                6,
                6,
                "duplicate-doi",
                f"DOI {doi} is already the reference 'smith2020test'",
                "cite 'smith2020test' instead and delete this file",
            )
            for letter, doi in (("b", "10.1000/TEST.2020"), ("c", "10.1000/test.2020"))
        ],
    ),
    (
        "a reference id from another surname, or from the second author's, is a warning; a "
        "letter after the id is fine, and so is a surname of two words run together",
        {
            "references/smith2020testing": _REFERENCE,
            "references/deluca2020test": {**_REFERENCE, "authors": ["De Luca, A."]},
            "references/jones2020test": _REFERENCE,
            "references/smith2020test": {
                **_REFERENCE,
                "authors": ["Müller-Buschbaum, P.", "Smith, A."],
                "title": "The Test",
            },
        },
        [
            _ref_id("references/jones2020test", "<surname><year><first-title-word>", "smith2020test"),
            _ref_id(
                "references/smith2020test", "<surname><year><first-title-word>", "mullerbuschbaum2020test"
            ),
        ],
    ),
    (
        "a reference without authors says why in its note and gives a DOI or a URL",
        {
            "references/test2020": {
                "title": "Test of",
                "year": 2020,
                "note": "no names",
                "doi": "10.1000/abc",
            },
            "references/test2020b": {"title": "Test of", "year": 2020, "note": "n"},
            "references/test2020c": {"title": "Test of", "year": 2020, "url": "https://x.org"},
            "references/test2020d": {"title": "Test of", "year": 2020},
            "references/test2020e": {"title": "Test of", "year": 2020, "doi": "10.1000/abd"},
            "references/smith2020test": {
                "title": "Test of",
                "year": 2020,
                "note": "n",
                "url": "https://x.org",
            },
        },
        [
            _ref_id("references/smith2020test", _WITHOUT_AUTHORS, "test2020"),
            _at(
                "references/test2020b",
                1,
                1,
                "authors-missing",
                f"{_NO_AUTHORS}, and has no DOI or URL to find it by",
                _AUTHORS_HINT,
            ),
            _at(
                "references/test2020c",
                1,
                1,
                "authors-missing",
                f"{_NO_AUTHORS} and its note does not say why",
                _AUTHORS_HINT,
            ),
            _at(
                "references/test2020d",
                1,
                1,
                "authors-missing",
                f"{_NO_AUTHORS} and its note does not say why, and has no DOI or URL to find it by",
                _AUTHORS_HINT,
            ),
            _at(
                "references/test2020e",
                1,
                1,
                "authors-missing",
                f"{_NO_AUTHORS} and its note does not say why",
                _AUTHORS_HINT,
            ),
        ],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), [row[1:] for row in _ROWS], ids=[row[0] for row in _ROWS])
def test_each_link_and_reference_rule_reports_exactly_its_problems(
    tmp_path: Path, entries: dict[str, dict[str, Any]], expected: list[Found]
) -> None:
    assert _problems(tmp_path, entries) == expected


def test_a_source_in_a_kb_without_references_is_unknown_with_no_suggestion(tmp_path: Path) -> None:
    """With no reference entry at all there is nothing to suggest: the hint says how to add one."""
    kb = write_kb(
        tmp_path,
        {"mechanisms/m": minimal("mechanism", sources=[{"ref": REF, "locator": "T1"}])},
        reference=False,
    )
    found = [(p.line, p.col, p.code, p.message, p.hint) for p in validate_kb(kb).report]
    assert found == [
        (
            3,
            8,
            "unknown-ref",
            "source 'smith2020test' is not a reference entry",
            "add the reference first: `limkb import-bib FILE.bib` or `limkb new reference <id>`",
        )
    ]
