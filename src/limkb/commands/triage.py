"""``limkb triage``: which new papers of a works export a curator should read first.

A works export as downloaded from OpenAlex (``{"results": [...]}``, each work with ``doi``,
``title``, ``abstract_inverted_index``, ``publication_year`` and ``authorships``) or from
Crossref (``{"message": {"items": [...]}}``, each with ``DOI``, ``title``, ``abstract``,
``issued`` and ``author``) is read; works whose DOI is already a reference of the KB are
dropped; the rest are ranked by the entries of the KB their title and abstract name
(materials, strategies and techniques, by name, aliases and formula, matched at word
boundaries; a name in the title counts twice). The result is a Markdown report a curator
works through, and on request one reference stub per work (DOI, title, year, authors,
``read: {status: none}``) that passes ``limkb validate`` as it stands.

Bad JSON and an export of neither shape are located errors; nothing is written then.
Matching is O(works x terms) with one compiled pattern per entry.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from limkb.check.writer import render
from limkb.commands.import_bib import id_candidates, normalize_doi
from limkb.errors import LimkbError
from limkb.graph import KnowledgeBase
from limkb.report import Problem, Report, Severity
from limkb.schema.ids import is_slug, reference_id
from limkb.schema.kinds import Reference

__all__ = [
    "GENERIC_TERMS",
    "MATCHED_KINDS",
    "Ranked",
    "Triage",
    "Work",
    "read_works",
    "report_markdown",
    "triage",
    "write_stubs",
]

MATCHED_KINDS = ("material", "strategy", "technique")
"""The kinds whose names a work's title and abstract are searched for."""

GENERIC_TERMS = frozenset(
    {
        "li",
        "lithium",
        "li metal",
        "lithium metal",
        "li-metal",
        "lithium-metal",
        "li metal anode",
        "lithium metal anode",
        "lithium-metal anode",
        "lithium anode",
        "li anode",
        "lma",
        "lmb",
        "lmbs",
        "lithium metal battery",
        "lithium metal batteries",
        "anode",
        "electrolyte",
        "battery",
        "batteries",
    }
)
"""Names too generic to rank by (compared in lower case): nearly every work of this field says
"lithium metal anode", so an entry known only by such names (lithium metal itself) scores no
work, and an entry's generic aliases are left out of its pattern."""

_TAGS = re.compile(r"<[^>]+>")
_BLOCK_TAGS = re.compile(r"</?(?:[a-z]+:)?(?:p|title|sec|abstract|list-item|br)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Work:
    """One work of an export, as triage reads it."""

    doi: str | None
    title: str
    year: int | None
    authors: tuple[str, ...]
    """Each as ``"Family, G."``."""
    abstract: str
    line: int
    """Where the work starts in the export (for messages)."""


@dataclass(frozen=True)
class Ranked:
    """A work with the entries it names and its score (a name in the title counts twice)."""

    work: Work
    score: int
    matches: tuple[tuple[str, str], ...]
    """(entry id, kind), best first."""


@dataclass
class Triage:
    """What triage found: the ranked works, those already in the KB, and the problems."""

    source: str
    format: str
    total: int = 0
    ranked: list[Ranked] = field(default_factory=list)
    known: list[tuple[str, str]] = field(default_factory=list)
    """(DOI, reference id) of works already in the KB."""
    report: Report = field(default_factory=Report)


def _clean(text: Any) -> str:
    """Text without markup (Crossref's JATS tags, escaped or not), entities or runs of blanks.

    A block tag (``<jats:p>``, ``<jats:title>``) parts words; an inline one (``<sub>``,
    ``<jats:italic>``) does not, so ``Li<sub>2</sub>O`` reads ``Li2O``.
    """
    if not isinstance(text, str):
        return ""
    text = html.unescape(text)
    text = _BLOCK_TAGS.sub(" ", text)
    return _SPACE.sub(" ", html.unescape(_TAGS.sub("", text))).strip()


def _inverted(index: Any) -> str:
    """An OpenAlex ``abstract_inverted_index`` ({word: [positions]}) read back as text."""
    if not isinstance(index, dict):
        return ""
    placed = sorted(
        (p, w) for w, ps in index.items() if isinstance(ps, list) for p in ps if isinstance(p, int)
    )
    return " ".join(w for _, w in placed)


def _family_first(given: str, family: str) -> str:
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s\-]+", given) if part and part[0].isalpha())
    return f"{family}, {initials}".strip().rstrip(",")


def _openalex_author(authorship: Any) -> str | None:
    name = _clean(((authorship or {}).get("author") or {}).get("display_name"))
    if not name:
        return None
    parts = name.split()
    return _family_first(" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else name


def _crossref_author(author: Any) -> str | None:
    family = _clean((author or {}).get("family"))
    if not family:
        return _clean((author or {}).get("name")) or None
    return _family_first(_clean(author.get("given")), family)


def _year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1800 <= value <= 2100 else None


def _crossref_year(item: dict[str, Any]) -> int | None:
    for key in ("issued", "published", "published-print", "published-online"):
        parts = (item.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and _year(parts[0][0]) is not None:
            return _year(parts[0][0])
    return None


def _doi(value: Any) -> str | None:
    return normalize_doi(value).lower() if isinstance(value, str) and value.strip() else None


def _line_of(text: str, needle: str | None, after: int) -> tuple[int, int]:
    """The line of ``needle`` in ``text`` at or after offset ``after``, and the offset found."""
    if not needle:
        return text.count("\n", 0, after) + 1, after
    found = text.find(needle, after)
    if found < 0:
        return text.count("\n", 0, after) + 1, after
    return text.count("\n", 0, found) + 1, found


def _openalex_work(item: dict[str, Any], line: int) -> Work:
    title = item.get("title") or item.get("display_name")
    return Work(
        doi=_doi(item.get("doi")),
        title=_clean(title),
        year=_year(item.get("publication_year")),
        authors=tuple(a for a in map(_openalex_author, item.get("authorships") or []) if a),
        abstract=_inverted(item.get("abstract_inverted_index")),
        line=line,
    )


def _crossref_work(item: dict[str, Any], line: int) -> Work:
    titles = item.get("title")
    title = titles[0] if isinstance(titles, list) and titles else titles
    return Work(
        doi=_doi(item.get("DOI")),
        title=_clean(title),
        year=_crossref_year(item),
        authors=tuple(a for a in map(_crossref_author, item.get("author") or []) if a),
        abstract=_clean(item.get("abstract")),
        line=line,
    )


def _shape(data: Any) -> tuple[str, list[Any]] | None:
    """The export's format and its list of works, or None for another shape."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return "openalex", data["results"]
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, dict) and isinstance(message.get("items"), list):
        return "crossref", message["items"]
    return None


def read_works(text: str, *, path: str = "<export>") -> tuple[str, list[Work], Report]:
    """The works of an OpenAlex or Crossref export (format, works, problems); nothing is written."""
    report = Report()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        report.add(
            Problem(
                path,
                error.lineno,
                error.colno,
                Severity.ERROR,
                "bad-export",
                f"not JSON: {error.msg}",
                "download the export again as JSON (OpenAlex: /works?filter=...; Crossref: /works?query=...)",
            )
        )
        return "", [], report
    shape = _shape(data)
    if shape is None:
        keys = ", ".join(sorted(map(str, data))[:5]) if isinstance(data, dict) else type(data).__name__
        report.add(
            Problem(
                path,
                1,
                1,
                Severity.ERROR,
                "bad-export",
                f"neither an OpenAlex nor a Crossref works export (found: {keys or 'nothing'})",
                'give the JSON as downloaded: OpenAlex {"results": [...]} or Crossref {"message": {"items": [...]}}',
            )
        )
        return "", [], report
    fmt, items = shape
    works = []
    offset = 0
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            line, _ = _line_of(text, None, offset)
            report.add(
                Problem(path, line, 1, Severity.WARNING, "bad-export", f"work {number} is not an object", "")
            )
            continue
        raw_doi = item.get("doi") if fmt == "openalex" else item.get("DOI")
        line, offset = _line_of(text, raw_doi if isinstance(raw_doi, str) else None, offset)
        work = (_openalex_work if fmt == "openalex" else _crossref_work)(item, line)
        if not work.title:
            report.add(
                Problem(
                    path,
                    line,
                    1,
                    Severity.WARNING,
                    "bad-export",
                    f"work {number} ({work.doi or 'no DOI'}) has no title and is left out",
                    "",
                )
            )
            continue
        works.append(work)
    return fmt, works, report


def _pattern(term: str) -> str:
    """A term as a regular expression matching it whole (not inside a longer word or formula)."""
    return r"(?<![\w\-])" + re.escape(term) + r"(?![\w\-])"


def _case_matters(term: str) -> bool:
    """Whether a name must match in its own case: a short one, or one with capitals after its
    first letter (an acronym or a formula: ``XPS``, ``LiFSI``, ``LiN(SO2F)2``)."""
    return len(term) <= 5 or any(c.isupper() for c in term[1:])


def _matchers(kb: KnowledgeBase) -> list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]:
    """Per entry of :data:`MATCHED_KINDS`: (id, kind, case-sensitive pattern, case-insensitive one).

    Short names, acronyms and formulas (``Cu``, ``LiF``, ``DME``) must match their case; other
    names ("Weakly solvating ethers") match in any case.
    """
    found = []
    for kind in MATCHED_KINDS:
        for entry in kb.entries(kind):
            formula = getattr(entry, "formula", None)
            terms = {entry.name, *entry.aliases, *([formula] if isinstance(formula, str) else [])}
            terms = {t for t in terms if t.casefold() not in GENERIC_TERMS}
            exact = sorted(t for t in terms if len(t) >= 2 and _case_matters(t))
            loose = sorted(t for t in terms if not _case_matters(t))
            if not exact and not loose:
                continue
            found.append(
                (
                    entry.id,
                    kind,
                    re.compile("|".join(map(_pattern, exact))) if exact else re.compile(r"(?!x)x"),
                    re.compile("|".join(map(_pattern, loose)), re.IGNORECASE) if loose else None,
                )
            )
    return found


def _rank(work: Work, matchers: list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]) -> Ranked:
    scored = []
    for entry_id, kind, exact, loose in matchers:
        points = 0
        for text, weight in ((work.title, 2), (work.abstract, 1)):
            if exact.search(text) or (loose is not None and loose.search(text)):
                points += weight
        if points:
            scored.append((points, entry_id, kind))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return Ranked(work, sum(s[0] for s in scored), tuple((e, k) for _, e, k in scored))


def triage(export: Path | str, kb: KnowledgeBase) -> Triage:
    """Read ``export``, drop the works ``kb`` already holds, rank the rest (best first)."""
    from limkb.check.result import display_path

    export = Path(export)
    if not export.is_file():
        raise LimkbError(f"{export}: no such file")
    shown = display_path(export)
    raw = export.read_bytes().removeprefix(b"\xef\xbb\xbf")
    fmt, works, report = read_works(raw.decode("utf-8", errors="replace"), path=shown)
    result = Triage(shown, fmt, len(works), report=report)
    held = {
        e.doi.lower(): e.id for e in kb.entries("reference") if isinstance(e, Reference) and e.doi is not None
    }
    matchers = _matchers(kb)
    seen: set[str] = set()
    for work in works:
        if work.doi is not None and work.doi in held:
            result.known.append((work.doi, held[work.doi]))
            continue
        if work.doi is not None and work.doi in seen:
            continue
        if work.doi is not None:
            seen.add(work.doi)
        result.ranked.append(_rank(work, matchers))
    result.ranked.sort(key=lambda r: (-r.score, -(r.work.year or 0), r.work.doi or "", r.work.title))
    return result


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: no pipes, no markup, one line."""
    return html.escape(_SPACE.sub(" ", text)).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def report_markdown(result: Triage, *, top: int | None = None) -> str:
    """The report a curator works through: a summary, then one row per work, best first."""
    shown = result.ranked[:top] if top else result.ranked
    lines = [
        "# Literature triage",
        "",
        f"From `{result.source}` ({result.format or 'unread'} export): {result.total} works read, "
        f"{len(result.known)} already in the knowledge base, {len(result.ranked)} ranked"
        + (f", the first {len(shown)} shown" if len(shown) < len(result.ranked) else "")
        + ".",
        "",
        "Ranked by the materials, strategies and techniques of the knowledge base that each title "
        "and abstract names (a name in the title counts twice). Read a paper before recording "
        "anything from it; a stub says only that it exists (`read: {status: none}`).",
        "",
        "| rank | DOI | title | year | score | entries named |",
        "|---:|---|---|---:|---:|---|",
    ]
    for rank, item in enumerate(shown, start=1):
        doi = f"[{_cell(item.work.doi)}](https://doi.org/{item.work.doi})" if item.work.doi else "—"
        named = ", ".join(f"`{entry_id}` ({kind})" for entry_id, kind in item.matches) or "—"
        lines.append(
            f"| {rank} | {doi} | {_cell(item.work.title)} | {item.work.year or '—'} | {item.score} | {named} |"
        )
    if result.known:
        lines += [
            "",
            "Already in the knowledge base: " + ", ".join(f"`{ref}`" for _, ref in result.known) + ".",
        ]
    return "\n".join(lines) + "\n"


def _stub(work: Work) -> dict[str, Any]:
    data: dict[str, Any] = {"title": work.title, "authors": list(work.authors), "year": work.year}
    if work.doi:
        data["doi"] = work.doi
    data["read"] = {"status": "none", "note": "Found by `limkb triage`; not read yet."}
    return data


def write_stubs(
    result: Triage, folder: Path | str, kb: KnowledgeBase, *, top: int | None = None
) -> list[Path]:
    """One reference stub per ranked work (the first ``top``) in ``folder``, in canonical form.

    A work without authors, a year or a DOI gets none (a warning says so). Ids follow the
    reference convention and are free in ``kb`` and ``folder``; an existing file is never
    overwritten: then nothing is written and :class:`LimkbError` says which.
    """
    folder = Path(folder)
    taken = set(kb) | ({p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set())
    planned: list[tuple[Path, str]] = []
    for item in result.ranked[:top] if top else result.ranked:
        work = item.work
        if not work.authors or work.year is None or work.doi is None:
            result.report.add(
                Problem(
                    result.source,
                    work.line,
                    1,
                    Severity.WARNING,
                    "bad-export",
                    f"no stub for {work.doi or work.title!r}: the export gives no "
                    + ("authors" if not work.authors else "year" if work.year is None else "DOI"),
                    "add the reference by hand (`limkb new reference ID`) if it is worth reading",
                )
            )
            continue
        base = reference_id(work.authors[0].split(",")[0], work.year, work.title)
        entry_id = next((c for c in id_candidates(base) if c not in taken and is_slug(c)), None)
        if entry_id is None or not re.match(r"^[a-z]", entry_id):
            continue
        data = _stub(work)
        try:
            Reference.model_validate({**data, "id": entry_id})
        except pydantic.ValidationError as error:
            result.report.add(
                Problem(
                    result.source,
                    work.line,
                    1,
                    Severity.WARNING,
                    "bad-export",
                    f"no stub for {work.doi}: {error.errors()[0]['msg'].lower()}",
                    "add the reference by hand",
                )
            )
            continue
        taken.add(entry_id)
        planned.append((folder / f"{entry_id}.yaml", render(data, "reference")))
    clash = [path for path, _ in planned if path.exists()]
    if clash:
        raise LimkbError(f"{clash[0]} exists; nothing was written (stubs never overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in planned:
        path.write_text(text, encoding="utf-8")
    return [path for path, _ in planned]
