"""Turn a BibTeX export (Zotero, Mendeley, JabRef ...) into reference entries.

Each BibTeX entry becomes ``kb/references/<id>.yaml`` with the conventional id
``<surname><year><first-title-word>`` (a ``b``, ``c`` ... suffix when the id is taken), authors
as ``"Family, G. I."``, LaTeX accents and braces turned into Unicode text, chemical formulas
in math mode flattened to ASCII (``Li$_2$O`` -> ``Li2O``) and the DOI stored bare. Abstracts
and keywords are left out: prose in the knowledge base is written in our own words.

A DOI that is already in the knowledge base is refused with the id of the entry that holds
it; nothing is written unless every entry can be imported (or ``skip_existing`` is set, in
which case those entries are skipped and named).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
import pydantic
from bibtexparser import middlewares
from bibtexparser.model import Entry as BibEntry
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from limkb.check.reader import load_file
from limkb.check.writer import render
from limkb.errors import LimkbError
from limkb.report import Problem, Report, Severity
from limkb.schema.ids import is_slug, reference_id, untitled_reference_id
from limkb.schema.kinds import DOI_PATTERN, Reference

__all__ = ["BibImport", "ImportedReference", "import_bib", "latex_to_text", "normalize_doi", "read_bib"]

log = logging.getLogger(__name__)

_TYPES = {
    "article": "article",
    "review": "review",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "unpublished": "preprint",
    "dataset": "dataset",
    "data": "dataset",
    "inproceedings": "article",
    "conference": "article",
    "proceedings": "book",
}
_PREPRINT_HINT = re.compile(r"arxiv|chemrxiv|biorxiv|medrxiv|research square|ssrn|preprint", re.I)
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_DOI = re.compile(DOI_PATTERN)
_MATH = re.compile(r"(?<!\\)\$([^$]*)(?<!\\)\$")
_MATH_WRAPPER = re.compile(r"\\(?:mathrm|text|textrm|mathbf|mathit|rm|bf)\s*")


def _latex_context() -> Any:
    """pylatexenc's macros, and the two that limkb's BibTeX writes for a brace without its pair."""
    from pylatexenc.latex2text import MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category(
        "limkb-braces",
        macros=[
            MacroTextSpec("textbraceleft", simplify_repl="{"),
            MacroTextSpec("textbraceright", simplify_repl="}"),
        ],
        prepend=True,
    )
    return context


_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=True, latex_context=_latex_context())


@dataclass
class ImportedReference:
    """One BibTeX entry turned into a reference entry."""

    key: str
    id: str
    data: dict[str, Any]
    line: int
    path: Path | None = None


@dataclass
class BibImport:
    """What :func:`import_bib` did: the references created, those skipped, the problems."""

    created: list[ImportedReference] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(citekey, id of the entry already holding its DOI) of entries left out."""
    report: Report = field(default_factory=Report)


def normalize_doi(text: str) -> str:
    """The bare DOI: ``https://doi.org/10.1/x`` and ``doi:10.1/x`` become ``10.1/x``."""
    return _DOI_PREFIX.sub("", text).strip()


def _math(content: str) -> str:
    content = _MATH_WRAPPER.sub("", content)
    content = re.sub(r"[_^]", "", content)
    return _LATEX.latex_to_text(content).replace(" ", "") if "\\" in content else content.replace(" ", "")


def latex_to_text(text: str) -> str:
    """LaTeX as BibTeX holds it -> plain Unicode text (accents, dashes, braces, math)."""
    text = _MATH.sub(lambda m: _math(m.group(1)).replace("{", "").replace("}", ""), text)
    plain = _LATEX.latex_to_text(text) if re.search(r"[\\{}~$%]", text) else text
    return re.sub(r"\s+", " ", plain.replace("\u00a0", " ")).strip()


def _initials(given: str) -> str:
    parts: list[str] = []
    for token in re.sub(r"\.(?!-)", ". ", given).split():  # "J.-G." keeps its hyphen
        pieces = [p for p in token.split("-") if p]
        initials = "-".join(f"{p[0].upper()}." for p in pieces if p[0].isalpha())
        if initials:
            parts.append(initials)
    return " ".join(parts)


def _author(name: Any) -> str:
    family = latex_to_text(" ".join([*name.von, *name.last]))
    given = _initials(latex_to_text(" ".join(name.first)))
    text = f"{family}, {given}" if given else family
    if name.jr:
        text += f", {latex_to_text(' '.join(name.jr))}"
    return text


def _field(entry: BibEntry, *names: str) -> str | None:
    fields = {f.key.lower(): f for f in entry.fields}
    for name in names:
        found = fields.get(name)
        if found is not None and isinstance(found.value, str) and found.value.strip():
            return latex_to_text(found.value)
    return None


def _line(entry: BibEntry, name: str) -> int:
    for item in entry.fields:
        if item.key.lower() == name and item.start_line is not None:
            return int(item.start_line) + 1
    return int(entry.start_line or 0) + 1


def _type(entry: BibEntry) -> str:
    kind = entry.entry_type.lower()
    if kind in _TYPES:
        return _TYPES[kind]
    hints = " ".join(
        filter(
            None,
            (
                _field(entry, n)
                for n in (
                    "eprinttype",
                    "archiveprefix",
                    "publisher",
                    "journal",
                    "howpublished",
                    "url",
                    "doi",
                    "note",
                )
            ),
        )
    )
    return "preprint" if _PREPRINT_HINT.search(hints) else "article"


def _existing(kb: Path) -> tuple[set[str], dict[str, str]]:
    """Every id in the KB, and the DOIs of its references (lowercase) -> id."""
    ids = {p.stem for p in kb.glob("*/*.yaml")}
    dois: dict[str, str] = {}
    for path in sorted((kb / Reference.folder).glob("*.yaml")):
        document, _ = load_file(path)
        doi = document.data.get("doi") if document is not None else None
        if isinstance(doi, str):
            dois[normalize_doi(doi).lower()] = path.stem
    return ids, dois


def _convert(entry: BibEntry, shown: str, report: Report) -> tuple[dict[str, Any], str] | None:
    """The reference data of one BibTeX entry and the first author's family name."""
    key = entry.key
    start = int(entry.start_line or 0) + 1

    def problem(line: int, message: str, hint: str) -> None:
        report.add(
            Problem(
                shown,
                line,
                1,
                Severity.ERROR,
                "bibtex-field",
                f"@{entry.entry_type}{{{key}}}: {message}",
                hint,
            )
        )

    title = _field(entry, "title")
    fields = {f.key.lower(): f for f in entry.fields}
    names = (
        fields["author"].value if "author" in fields else fields["editor"].value if "editor" in fields else []
    )
    authors = [_author(n) for n in names] if isinstance(names, list) else []
    year_text = _field(entry, "year") or _field(entry, "date") or ""
    year_match = re.search(r"\b(1[89]\d\d|20\d\d|2100)\b", year_text)
    if not title:
        problem(start, "no title", "add `title = {...}` to the entry")
    note = _field(entry, "note")
    if not authors and not (note and (_field(entry, "doi") or _field(entry, "url"))):
        problem(
            start,
            "no authors",
            "add `author = {Family, Given and Family, Given}`; for a paper whose author list no text "
            "read shows, give `note = {why}` and its `doi` (or `url`) instead",
        )
    if not year_match:
        problem(
            _line(entry, "year") if "year" in fields else start,
            f"no year of publication ({year_text!r})" if year_text else "no year of publication",
            "add `year = {2024}`",
        )
    data: dict[str, Any] = {"type": _type(entry), "title": title, "authors": authors}
    journal = _field(
        entry, "shortjournal", "journal", "journaltitle", "booktitle", "publisher", "school", "institution"
    )
    if journal:
        data["journal"] = journal
    if year_match:
        data["year"] = int(year_match.group(1))
    for target, names_ in (
        ("volume", ("volume",)),
        ("issue", ("number", "issue")),
        ("pages", ("pages", "eid")),
    ):
        value = _field(entry, *names_)
        if value:
            data[target] = value.replace("--", "–")
    doi = _field(entry, "doi")
    if doi:
        doi = normalize_doi(doi)
        if _DOI.match(doi):
            data["doi"] = doi
        else:
            problem(_line(entry, "doi"), f"{doi!r} is not a DOI", "a DOI looks like 10.1039/d3ya00470h")
    url = _field(entry, "url")
    if url and "doi" not in data and url.startswith("https://"):
        data["url"] = url
    if not authors and note:
        data["note"] = note
    if not (title and (authors or "note" in data) and year_match):
        return None
    family = authors[0].split(",")[0] if authors else ""
    return data, family


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def id_candidates(base: str) -> list[str]:
    """The conventional id, then with a letter (b-z), then with two (ba-zz): all or none is free."""
    return [base, *(base + c for c in _LETTERS[1:]), *(base + a + b for a in _LETTERS[1:] for b in _LETTERS)]


def _invalid(data: dict[str, Any], entry_id: str) -> list[tuple[str, str]]:
    """(field, what is wrong) for data the reference schema would refuse, so nothing bad is written."""
    try:
        Reference.model_validate({**data, "id": entry_id})
    except pydantic.ValidationError as error:
        return [(str(e["loc"][0]) if e["loc"] else "entry", str(e["msg"]).lower()) for e in error.errors()]
    return []


def read_bib(text: str, kb: Path | str, *, path: str = "<bib>", skip_existing: bool = False) -> BibImport:
    """Turn BibTeX text into reference data with ids free in ``kb``; nothing is written."""
    result = BibImport()
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    )
    _report_failed_blocks(library.failed_blocks, path, result.report)
    taken, dois = _existing(Path(kb))
    seen_dois: dict[str, str] = {}
    for entry in library.entries:
        converted = _convert(entry, path, result.report)
        if converted is None:
            continue
        data, family = converted
        line = int(entry.start_line or 0) + 1
        doi = str(data.get("doi", "")).lower()
        if doi and doi in dois and skip_existing:
            result.skipped.append((entry.key, dois[doi]))
            continue
        problems = _duplicate_doi(entry, data, dois, seen_dois, path)
        entry_id: str | Problem | None = None
        if not problems:
            entry_id = _free_id(entry, family, data, taken, path, line)
            if isinstance(entry_id, Problem):
                problems = [entry_id]
            else:
                problems = _field_problems(entry, data, entry_id, path)
        for problem in problems:
            result.report.add(problem)
        if problems or not isinstance(entry_id, str):
            continue
        taken.add(entry_id)
        if doi:
            seen_dois[doi] = entry.key
        result.created.append(ImportedReference(entry.key, entry_id, data, line))
    return result


def _report_failed_blocks(blocks: Any, path: str, report: Report) -> None:
    """One located problem for each BibTeX block the parser could not read."""
    for block in blocks:
        error = getattr(block, "error", None)
        report.add(
            Problem(
                path,
                int(block.start_line or 0) + 1,
                1,
                Severity.ERROR,
                "bibtex-syntax",
                f"this BibTeX block cannot be read ({type(error).__name__ if error else 'parse error'})",
                "check its braces and commas, or export the entry again from your reference manager",
            )
        )


def _duplicate_doi(
    entry: BibEntry, data: dict[str, Any], dois: dict[str, str], seen_dois: dict[str, str], path: str
) -> list[Problem]:
    """The entry's DOI when it is already a reference of the KB or an earlier entry of the file."""
    doi = str(data.get("doi", "")).lower()
    if not doi:
        return []
    if doi in dois:
        said = f"is already the reference {dois[doi]!r}"
        fix = f"cite {dois[doi]!r} and remove this entry from the file (or use --skip-existing)"
    elif doi in seen_dois:
        said, fix = f"is also entry {seen_dois[doi]!r} of this file", "keep one of the two entries"
    else:
        return []
    where = _line(entry, "doi")
    head = f"@{entry.entry_type}{{{entry.key}}}: DOI {data['doi']}"
    return [Problem(path, where, 1, Severity.ERROR, "duplicate-doi", f"{head} {said}", fix)]


def _free_id(
    entry: BibEntry, family: str | None, data: dict[str, Any], taken: set[str], path: str, line: int
) -> str | Problem:
    """The first id made from first author, year and title that is free, or why there is none."""
    base = (
        reference_id(family, data["year"], data["title"])
        if family
        else untitled_reference_id(data["year"], data["title"])
    )
    if not is_slug(base) or not re.match(r"^[a-z]", base):
        return Problem(
            path,
            line,
            1,
            Severity.ERROR,
            "bibtex-field",
            f"@{entry.entry_type}{{{entry.key}}}: cannot make an id from {family!r}",
            "write the first author's family name in Latin letters (e.g. {Zhang}) and import again",
        )
    entry_id = next((c for c in id_candidates(base) if c not in taken and is_slug(c)), None)
    if entry_id is None:
        return Problem(
            path,
            line,
            1,
            Severity.ERROR,
            "bibtex-field",
            f"@{entry.entry_type}{{{entry.key}}}: every id from {base!r} to {base}zz is taken",
            "give this reference an id of your own: import it alone and rename the file",
        )
    return entry_id


def _field_problems(entry: BibEntry, data: dict[str, Any], entry_id: str, path: str) -> list[Problem]:
    """A located problem for each field the reference would not validate with."""
    return [
        Problem(
            path,
            _line(entry, field_name),
            1,
            Severity.ERROR,
            "bibtex-field",
            f"@{entry.entry_type}{{{entry.key}}}: {field_name} {message}",
            "shorten or correct the field in the .bib file and import again",
        )
        for field_name, message in _invalid(data, entry_id)
    ]


def import_bib(bib: Path | str, kb: Path | str, *, skip_existing: bool = False) -> BibImport:
    """Create one reference entry per BibTeX entry of ``bib``; all or nothing.

    Files are written in canonical form (``limkb fmt``) and never overwrite; when the report
    has errors nothing is written.
    """
    from limkb.check.result import display_path

    bib, kb = Path(bib), Path(kb)
    if not bib.is_file():
        raise LimkbError(f"{bib}: no such file")
    if not kb.is_dir():
        raise LimkbError(f"{kb} is not a folder; run from the project folder or pass --kb")
    raw = bib.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    result = read_bib(text, kb, path=display_path(bib), skip_existing=skip_existing)
    if result.report.errors:
        return result
    folder = kb / Reference.folder
    folder.mkdir(parents=True, exist_ok=True)
    for item in result.created:
        item.path = folder / f"{item.id}.yaml"
    clash = [item.path for item in result.created if item.path is not None and os.path.lexists(item.path)]
    if clash:  # created since read_bib looked: write nothing
        raise LimkbError(f"{clash[0]} appeared while importing; nothing was written, run the import again")
    written: list[Path] = []
    try:
        for item in result.created:
            assert item.path is not None
            with item.path.open("x", encoding="utf-8", newline="\n") as handle:
                written.append(item.path)
                handle.write(render(item.data, Reference.kind))
            log.info("created %s from %s", item.path, item.key)
    except BaseException:
        for path in written:  # all or nothing, also on a full disk
            path.unlink(missing_ok=True)
        raise
    return result
