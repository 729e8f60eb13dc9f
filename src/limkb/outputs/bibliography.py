"""The bibliography for reference managers: BibTeX, RIS and CSL-JSON, whole or per reference.

Every reference entry becomes one record keyed by its limkb id. BibTeX is written so that
``limkb import-bib`` reads it back into the same fields (authors as ``Family, G.``, special
characters escaped for LaTeX); RIS follows the tag list of the RIS format (``TY``, ``AU``,
``TI``, ``T2``, ``PY``, ``VL``, ``IS``, ``SP``, ``DO``, ``UR``, ``ER``); CSL-JSON is the
citation-style-language item format that citeproc processors and Zotero read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from limkb.schema.kinds import Reference

__all__ = ["bibtex", "csl_json", "ris"]

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
_LATEX = str.maketrans({"{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"})


def _bib_value(text: str) -> str:
    return "{" + text.translate(_LATEX) + "}"


def bibtex(references: Iterable[Reference]) -> str:
    """BibTeX records, one per reference, in the order given."""
    out = []
    for ref in references:
        fields: list[tuple[str, str]] = [
            ("author", " and ".join(ref.authors)),
            ("title", ref.title),
        ]
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
        body = ",\n".join(f"  {name} = {_bib_value(value)}" for name, value in fields)
        out.append(f"@{_BIBTEX_TYPES[ref.type.value]}{{{ref.id},\n{body}\n}}\n")
    return "\n".join(out)


def ris(references: Iterable[Reference]) -> str:
    """RIS records, one per reference."""
    out = []
    for ref in references:
        lines = [f"TY  - {_RIS_TYPES[ref.type.value]}", f"ID  - {ref.id}"]
        lines += [f"AU  - {author}" for author in ref.authors]
        lines.append(f"TI  - {ref.title}")
        if ref.journal:
            lines.append(f"T2  - {ref.journal}")
        lines.append(f"PY  - {ref.year}")
        for tag, value in (
            ("VL", ref.volume),
            ("IS", ref.issue),
            ("SP", ref.pages),
            ("DO", ref.doi),
            ("UR", ref.url),
        ):
            if value:
                lines.append(f"{tag}  - {value}")
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
        "title": ref.title,
        "author": [_csl_name(a) for a in ref.authors],
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
            item[key] = value
    return item


def csl_json(references: Iterable[Reference]) -> str:
    """A CSL-JSON list of every reference."""
    return json.dumps([csl_item(r) for r in references], indent=2, ensure_ascii=False) + "\n"
