"""The bibliography for reference managers: BibTeX, RIS and CSL-JSON, whole or per reference.

Every reference entry becomes one record keyed by its limkb id. BibTeX is written so that
``limkb import-bib`` reads it back into the same fields (authors as ``Family, G.``, special
characters escaped for LaTeX); RIS follows the tag list of the RIS format (``TY``, ``AU``,
``TI``, ``T2``, ``PY``, ``VL``, ``IS``, ``SP``, ``DO``, ``UR``, ``ER``); CSL-JSON is the
citation-style-language item format that citeproc processors and Zotero read.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from limkb.schema.kinds import Reference

__all__ = ["bibtex", "csl_json", "plain", "ris"]

_BIBTEX_TYPES = {
    "article": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "thesis": "phdthesis",
    "preprint": "misc",
    "report": "techreport",
    "dataset": "misc",
}
_RIS_TYPES = {
    "article": "JOUR",
    "review": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "thesis": "THES",
    "preprint": "UNPB",
    "report": "RPRT",
    "dataset": "DATA",
}
_CSL_TYPES = {
    "article": "article-journal",
    "review": "article-journal",
    "book": "book",
    "chapter": "chapter",
    "thesis": "thesis",
    "preprint": "article",
    "report": "report",
    "dataset": "dataset",
}
_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
}


def plain(text: str) -> str:
    """``text`` on one line: every control character (newlines and tabs included) becomes a
    space, so no field can start a line of its own in a line-based format."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def _bib_text(text: str) -> str:
    """``text`` as the inside of a braced BibTeX value that reads back as ``text``.

    BibTeX counts every brace, escaped or not, so braces that pair up are written ``\\{ \\}``
    (balanced, read back by LaTeX-aware parsers as the characters) and a brace without its pair
    as ``\\textbraceleft{}`` or ``\\textbraceright{}``: no title can close its own field and
    inject another (``x}, url = {...``). Backslashes and LaTeX's special characters are escaped.
    """
    text = plain(text)
    paired: set[int] = set()
    opened: list[int] = []
    for at, char in enumerate(text):
        if char == "{":
            opened.append(at)
        elif char == "}" and opened:
            paired.update((opened.pop(), at))
    out = []
    for at, char in enumerate(text):
        if char in "{}":
            if at in paired:
                out.append("\\" + char)
            else:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        else:
            out.append(_LATEX.get(char, char))
    return "".join(out)


def _bib_value(text: str) -> str:
    return "{" + _bib_text(text) + "}"


def _bib_author(author: str) -> str:
    """An author, its own words ``and`` braced so that no name splits into two people."""
    return re.sub(r"(?i)\band\b", lambda m: "{" + m.group(0) + "}", _bib_text(author))


def bibtex(references: Iterable[Reference]) -> str:
    """BibTeX records, one per reference, in the order given."""
    out = []
    for ref in references:
        fields: list[tuple[str, str]] = [("title", ref.title)]
        container = "booktitle" if ref.type.value == "chapter" else "journal"
        if ref.journal:
            fields.append(
                (
                    container if ref.type.value in ("article", "review", "chapter") else "publisher",
                    ref.journal,
                )
            )
        fields.append(("year", str(ref.year)))
        for name in ("volume", "issue", "pages"):
            value = getattr(ref, name)
            if value:
                fields.append(("number" if name == "issue" else name, value))
        if ref.doi:
            fields.append(("doi", ref.doi))
        if ref.url:
            fields.append(("url", ref.url))
        if not ref.authors and ref.note:  # why there are none: import-bib reads it back
            fields.append(("note", ref.note))
        authors = (
            ["  author = {" + " and ".join(_bib_author(a) for a in ref.authors) + "}"] if ref.authors else []
        )
        body = ",\n".join([*authors, *(f"  {name} = {_bib_value(value)}" for name, value in fields)])
        out.append(f"@{_BIBTEX_TYPES[ref.type.value]}{{{ref.id},\n{body}\n}}\n")
    return "\n".join(out)


def ris(references: Iterable[Reference]) -> str:
    """RIS records, one per reference."""
    out = []
    for ref in references:
        lines = [f"TY  - {_RIS_TYPES[ref.type.value]}", f"ID  - {ref.id}"]
        lines += [f"AU  - {plain(author)}" for author in ref.authors]
        lines.append(f"TI  - {plain(ref.title)}")
        if ref.journal:
            lines.append(f"T2  - {plain(ref.journal)}")
        lines.append(f"PY  - {ref.year}")
        for tag, value in (
            ("VL", ref.volume),
            ("IS", ref.issue),
            ("SP", ref.pages),
            ("DO", ref.doi),
            ("UR", ref.url),
        ):
            if value:
                lines.append(f"{tag}  - {plain(value)}")
        lines.append("ER  - ")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def _csl_name(author: str) -> dict[str, str]:
    family, _, given = author.partition(",")
    name = {"family": family.strip()}
    if given.strip():
        name["given"] = given.strip()
    return name


def csl_item(ref: Reference) -> dict[str, Any]:
    """One reference as a CSL-JSON item."""
    item: dict[str, Any] = {
        "id": ref.id,
        "type": _CSL_TYPES[ref.type.value],
        "title": plain(ref.title),
        **({"author": [_csl_name(plain(a)) for a in ref.authors]} if ref.authors else {}),
        "issued": {"date-parts": [[ref.year]]},
    }
    for key, value in (
        ("container-title", ref.journal),
        ("volume", ref.volume),
        ("issue", ref.issue),
        ("page", ref.pages),
        ("DOI", ref.doi),
        ("URL", ref.url),
    ):
        if value:
            item[key] = plain(value)
    return item


def csl_json(references: Iterable[Reference]) -> str:
    """A CSL-JSON list of every reference."""
    return json.dumps([csl_item(r) for r in references], indent=2, ensure_ascii=False) + "\n"
