"""The bibliography for reference managers: BibTeX, RIS and CSL-JSON, whole or per reference.

Every reference entry becomes one record keyed by its limkb id. BibTeX is written so that
``limkb import-bib`` reads it back into the same fields (authors as ``Family, G.``, special
characters escaped for LaTeX); RIS follows the tag list of the RIS format (``TY``, ``AU``,
``TI``, ``T2``, ``PY``, ``VL``, ``IS``, ``SP``, ``DO``, ``UR``, ``ER``); CSL-JSON is the
citation-style-language item format that citeproc processors and Zotero read.

:class:`Work` is what cites limkb itself (the release, or one entry of it) in the same three
formats, with the group author "limkb contributors" kept whole. :func:`short_labels` gives
references that would read alike ("Chen et al. (2017)") a letter each: (2017a), (2017b).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from limkb.schema.kinds import Entry, Reference

__all__ = [
    "Work",
    "bibtex",
    "csl_json",
    "display_labels",
    "plain",
    "ris",
    "short_labels",
    "work_bibtex",
    "work_csl",
    "work_ris",
]

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


def short_labels(references: Iterable[Reference]) -> dict[str, str]:
    """The labels of references that read alike without a name of their own, made distinct by
    a letter after the year in the order of their ids: ``{"chen2017a": "Chen et al. (2017a)",
    "chen2017b": "Chen et al. (2017b)"}``. References that are distinct already are left out."""
    alike: dict[str, list[Reference]] = defaultdict(list)
    for ref in references:
        if not ref.name:
            alike[ref.label].append(ref)
    found: dict[str, str] = {}
    for label, refs in alike.items():
        if len(refs) < 2 or not label.endswith(")"):
            continue
        for at, ref in enumerate(sorted(refs, key=lambda r: r.id)):
            found[ref.id] = f"{label[:-1]}{_letter(at)})"
    return found


def display_labels(entries: Iterable[Entry]) -> dict[str, str]:
    """Every entry's label as pages and exports show it (the SQLite tables, the data package's
    sources, the linked data and the graph files): its own, or for a reference that would read
    like another, its lettered :func:`short_labels` one ("Chen et al. (2017b)")."""
    listed = list(entries)
    lettered = short_labels(e for e in listed if isinstance(e, Reference))
    return {e.id: lettered.get(e.id, e.label) for e in listed}


def _letter(at: int) -> str:
    """a, b, ... z, then aa, ab ...: the suffix of the ``at``-th reference of a year."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[at] if at < len(letters) else _letter(at // len(letters) - 1) + letters[at % len(letters)]


@dataclass(frozen=True)
class Work:
    """limkb itself, or one entry of it, as a work to cite: a dataset by its contributors."""

    key: str
    title: str
    year: int
    version: str
    url: str | None = None
    date: str | None = None
    """The day of the build (``YYYY-MM-DD``), when known."""
    author: str = "limkb contributors"
    container: str | None = None
    """The work this one is part of (the knowledge base, for an entry)."""


def work_bibtex(work: Work) -> str:
    """A BibTeX ``@misc`` record of ``work``; the group author braced so it stays one name."""
    fields = [("title", work.title)]
    if work.container:
        fields.append(("howpublished", work.container))
    fields += [("year", str(work.year)), ("version", work.version)]
    if work.url:
        fields.append(("url", work.url))
    if work.date:
        fields.append(("note", f"Version {work.version}, built {work.date}"))
    body = ",\n".join(
        ["  author = {{" + _bib_text(work.author) + "}}"]
        + [f"  {name} = {_bib_value(value)}" for name, value in fields]
    )
    return f"@misc{{{work.key},\n{body}\n}}\n"


def work_ris(work: Work) -> str:
    """An RIS record (type ``DATA``) of ``work``."""
    lines = ["TY  - DATA", f"ID  - {work.key}", f"AU  - {plain(work.author)}", f"TI  - {plain(work.title)}"]
    if work.container:
        lines.append(f"T2  - {plain(work.container)}")
    lines += [f"PY  - {work.year}", f"ET  - {plain(work.version)}"]
    if work.url:
        lines.append(f"UR  - {plain(work.url)}")
    if work.date:
        lines.append(f"DA  - {work.date.replace('-', '/')}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def work_csl(work: Work) -> str:
    """A CSL-JSON list holding the item of ``work`` (type ``dataset``)."""
    item: dict[str, Any] = {
        "id": work.key,
        "type": "dataset",
        "title": plain(work.title),
        "author": [{"literal": plain(work.author)}],
        "issued": {"date-parts": [[work.year]]},
        "version": plain(work.version),
    }
    if work.container:
        item["container-title"] = plain(work.container)
    if work.url:
        item["URL"] = plain(work.url)
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"
