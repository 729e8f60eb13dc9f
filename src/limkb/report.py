"""Problems found in a knowledge base, collected into a report instead of raised one by one.

Every problem names its file, line and column, a stable code, what is wrong and how to fix
it. Codes are listed in :data:`CODES` with the rule they enforce; tests, the ``--format
github`` output and the site's "common errors" page all read them from there.

GitHub shows at most 10 annotations of each kind per step, so ``--format github`` annotates
one problem per file and says how many more the file has; :meth:`Report.markdown` lists
every problem for the job summary.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["CODES", "SUMMARY_LIMIT", "Problem", "Report", "Severity", "close_matches"]

SUMMARY_LIMIT = 1_000_000
"""Bytes of Markdown :meth:`Report.markdown` writes at most: GitHub refuses a step summary over 1 MiB."""


def close_matches(word: str, candidates: Iterable[str], *, n: int, cutoff: float = 0.6) -> list[str]:
    """The candidates most like ``word``, best first: the one source of every "did you mean".

    ``cutoff`` (0-1) is how alike a candidate must be; callers choose it by how short and how
    similar their candidates are (unit spellings 0.5, ids and field names 0.6).
    """
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)


class Severity(StrEnum):
    """How bad a problem is: errors fail validation, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, str] = {
    # reading files
    "yaml-syntax": "The file is not valid YAML.",
    "yaml-tab": "A tab is used for indentation; YAML indents with spaces only.",
    "duplicate-key": "A key appears twice in one mapping; the second would silently win.",
    "yaml-tag": "A YAML tag (`!something`) is used; tags can construct objects and are refused.",
    "yaml-anchor": "An anchor (`&name`) is used; anchors and aliases are refused.",
    "yaml-alias": "An alias (`*name`) is used; anchors and aliases are refused.",
    "multiple-documents": "The file holds several YAML documents (`---`); one entry per file.",
    "empty-file": "The file is empty or holds only comments.",
    "not-utf8": "The file is not UTF-8 text.",
    "bom": "The file starts with a byte-order mark; it is ignored.",
    "file-too-large": "The file exceeds the size limit for one entry.",
    "not-a-file": "A path in kb/ is a device, a pipe or a socket, not a file.",
    "unreadable": "The file cannot be opened for reading.",
    "too-deep": "Mappings and lists are nested deeper than any entry needs.",
    "not-a-mapping": "The top level of an entry file must be a mapping of field names.",
    "non-string-key": "A mapping key is not text.",
    # files and ids
    "bad-filename": "The file name is not a lowercase slug ending in `.yaml`.",
    "unknown-folder": "The file is not in one of the kind folders under `kb/`.",
    "duplicate-id": "Two files have the same id (file stem); ids are unique across the KB.",
    "id-in-file": "The file sets `id`; the id is the file name.",
    # schema
    "missing-field": "A required field is missing.",
    "unknown-field": "A field that this kind of entry does not have.",
    "wrong-type": "A value has the wrong type (text where a number is expected, ...).",
    "bad-value": "A value is not one of the allowed ones, or has the wrong form.",
    "out-of-range": "A number is outside the range its field or property allows.",
    "not-finite": "A number is NaN or infinite.",
    "unknown-unit": "A unit limkb does not know.",
    "missing-sources": "The entry cites no source.",
    # across entries
    "unknown-ref": "A relation names an id that is not an entry.",
    "wrong-kind": "A relation points at an entry of the wrong kind.",
    "self-link": "An entry points at itself.",
    "cycle": "`subtype_of` goes round in a circle.",
    "family-mismatch": "A strategy's family differs from the strategy it is a subtype of.",
    "duplicate-doi": "Two references share a DOI.",
    "unknown-column": "A record has a value for a column the dataset does not declare.",
    "column-type": "A record's value does not match its column's type.",
    "duplicate-column": "Two columns of a dataset share a name.",
    "unit-mismatch": "A column's unit cannot be converted to its property's unit.",
    "duplicate-record": "Two records of a dataset have the same label and the same source.",
    "fraction-as-percent": "A percentage column whose values all lie within 0-1: fractions, not percents.",
    "control-character": "Text holds an invisible control character (C0/C1, other than tab and newline).",
    "too-much-markup": "A Markdown field holds more brackets, or nests them deeper, than any text needs.",
    "bad-definition": "A derived property's formula cannot be read, names no other property or cannot be inverted.",
    "typed-twice": "A dataset holds a derived property and the property it is computed from.",
    "composition-sum": "Percentages that are parts of one whole add up to more than 100.",
    "composition-unit": "A composition group names a column that is not in percent.",
    "missing-variable": "An analysis names a variable that no pooled dataset holds (column, property or descriptor).",
    "ambiguous-variable": "An analysis names a property that two columns of one dataset hold.",
    "bad-expression": "An analysis's variable is not a readable expression.",
    "bad-formulation": "An electrolyte cannot be read, or names a material that is not an entry.",
    "unread-source": "A finding cites a reference that is not marked as read here.",
    "same-finding": "Two findings on different entries state one fact (same source, quantity, value, conditions).",
    "stale-evidence-gap": "A strategy says why it has no findings (`evidence_gap`), but it has some.",
    "unknown-child": "An umbrella's `evidence_gap.children` names no other strategy.",
    "children-not-umbrella": "`evidence_gap.children` is given for a reason other than `umbrella`.",
    "duplicate-finding-id": "Two findings share an id; finding ids are unique across the KB.",
    "unknown-finding": "A claim's evidence names a finding id that no finding has.",
    "duplicate-evidence": "A claim weighs the same finding or analysis twice.",
    "bad-export": "A works export for `limkb triage` is not JSON, of another shape, or a work in it lacks what a stub needs.",
    "no-descriptor": "An analysis takes descriptors of an electrolyte whose materials lack a formula or density.",
    "undefined-value": "An analysis variable has no value for some records (a division by zero, a logarithm of a number <= 0, an overflow).",
    "bad-smiles": "A material's SMILES cannot be read by RDKit, or is not a possible molecule.",
    "formula-mismatch": "A material's formula holds other atoms than the formula computed from its SMILES.",
    # formatting and imports
    "misplaced-comment": "A comment inside a value or at a line's end, which `limkb fmt` cannot keep.",
    "csv-header": "A CSV header names no column of the dataset, or a required column is missing.",
    "csv-syntax": "The CSV file cannot be parsed at a line (an unclosed quote, for example).",
    "likely-duplicate": "An imported row equals a record of the dataset in everything but its label.",
    "bad-cell": "A CSV cell cannot be imported (not a number, unknown reference, missing label ...).",
    "bibtex-syntax": "A BibTeX entry cannot be parsed.",
    "bibtex-field": "A BibTeX entry lacks a field a reference needs, or has a malformed one.",
    # warnings
    "missing-locator": "A source names no locator (section, table, figure).",
    "ref-id-convention": "A reference id does not follow `<surname><year><first-title-word>`.",
    "authors-missing": "A reference lists no authors without saying why, or cannot be found by a DOI or URL.",
    "unsourced-relation": "A relation has neither its own `sources:` nor an `editorial:` saying why it needs none.",
    "editorial-and-sources": "A relation has `sources:` and also an `editorial:` saying it needs no source.",
    "missing-density": "A material with a SMILES neither gives its density nor says that none was found.",
}
"""Every problem code and the rule it enforces."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where, how bad, which rule, what is wrong and how to fix it."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str = ""
    entry: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    def format_text(self) -> str:
        """``path:line:col: severity[code]: message`` with the hint on an indented line."""
        head = f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"
        return f"{head}\n    hint: {self.hint}" if self.hint else head

    def format_github(self, *, more: int = 0, summary: bool = False) -> str:
        """A GitHub Actions workflow command that annotates the line in a pull request.

        ``more`` is how many other problems the file has, which the annotation then counts;
        ``summary`` says whether they are also listed in the job summary (else only in the log).
        """
        level = "error" if self.severity is Severity.ERROR else "warning"
        text = f"{self.message} (hint: {self.hint})" if self.hint else self.message
        if more:
            where = "the job summary and the log" if summary else "the log"
            text += f"\n... and {more} more in this file, listed in {where}"
        return (
            f"::{level} file={_gh(self.path, True)},line={self.line},col={self.col},"
            f"title={_gh(self.code, True)}::{_gh(text, False)}"
        )

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--format json``."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def _gh(text: str, property_value: bool) -> str:
    """Escape text for a workflow command: its data, or (``property_value``) a ``key=value``."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


@dataclass
class Report:
    """The problems of one validation run, in file and line order."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(sorted(set(self.problems)))

    def __len__(self) -> int:
        return len(set(self.problems))

    @property
    def errors(self) -> list[Problem]:
        """The problems that fail validation."""
        return [p for p in self if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that fail validation only under ``--strict``."""
        return [p for p in self if p.severity is Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        """True when nothing fails: no errors, and no warnings either when ``strict``."""
        return not self.errors and not (strict and self.warnings)

    def format(self, fmt: str = "text", *, summary: bool = False) -> str:
        """All problems as ``text``, ``json`` or ``github`` annotations (see :meth:`format_github`)."""
        if fmt == "json":
            return json.dumps([p.to_dict() for p in self], indent=2, ensure_ascii=False)
        if fmt == "github":
            return self.format_github(summary=summary)
        return "\n".join(p.format_text() for p in self)

    def format_github(self, *, summary: bool = False) -> str:
        """One annotation per file, then every problem as text in a collapsed log group.

        GitHub shows only 10 annotations of each severity per step, so a file with many
        problems would hide the other files. Each file is annotated once, at its first error
        (its first warning when it has no error), with the count of the others; ``summary``
        says the caller also writes :meth:`markdown` to the job summary.
        """
        by_file: dict[str, list[Problem]] = {}
        for problem in self:
            by_file.setdefault(problem.path, []).append(problem)
        lines = []
        for problems in by_file.values():
            first = next((p for p in problems if p.severity is Severity.ERROR), problems[0])
            lines.append(first.format_github(more=len(problems) - 1, summary=summary))
        if len(lines) < len(self):
            lines.append(f"::group::All {len(self)} problems ({self.summary()})")
            lines.extend(p.format_text() for p in self)
            lines.append("::endgroup::")
        return "\n".join(lines)

    def markdown(self, *, title: str = "limkb validate", limit: int = SUMMARY_LIMIT) -> str:
        """Every problem as a Markdown table (file, line, severity, code, message), for a job summary.

        Cells are escaped so that a name or a message is shown as written and never read as
        Markdown or HTML. Rows that would take the text past ``limit`` bytes are left out, and
        the last line says how many.
        """
        head = f"### {_md(title)}: {self.summary()}\n"
        if not len(self):
            return head
        lines = [head, "| file | line | severity | code | message |", "|---|---:|---|---|---|"]
        size = sum(len(line.encode()) + 1 for line in lines)
        problems = list(self)
        for shown, p in enumerate(problems):
            text = f"{p.message} (hint: {p.hint})" if p.hint else p.message
            row = f"| {_md(p.path)} | {p.line} | {p.severity} | {_md(p.code)} | {_md(text)} |"
            if size + len(row.encode()) + 200 > limit:
                lines.append(
                    f"\n{len(problems) - shown} more problems are not shown (a summary holds at most "
                    f"{limit:,} bytes); run `limkb validate` to see them all."
                )
                break
            lines.append(row)
            size += len(row.encode()) + 1
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """'2 errors, 1 warning' or 'no problems'."""
        if not self.problems:
            return "no problems"
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _md(text: str) -> str:
    """Text for a Markdown table cell: every ASCII punctuation mark backslash-escaped, on one line.

    CommonMark lets any ASCII punctuation be escaped, so nothing in the text can open a link,
    emphasis, a code span, an HTML tag or an entity, or end the cell (``|``).
    """
    return _MD_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))
