"""The corpus of bad inputs: small knowledge bases that each hold one kind of mistake.

Every case is a folder ``<corpus>/<category>/<case>/`` with ``expect.yaml`` (its title, the
exit code and the problems limkb must report) and either a ``kb/`` tree or a ``generate.py``
whose ``generate(kb)`` writes the tree at run time (for a 50 MB file, an alias bomb, bytes
that are not UTF-8 ...). The test suite runs every case through the validator; this module
also turns the corpus into the site's "Common errors and their fixes" page and the corpus's
own README, both by running the validator over each case, so that they cannot drift from what
limkb really prints.

Regenerate the committed outputs with::

    python tests/corpus.py tests/bad_inputs > docs/common-errors.md
    python tests/corpus.py --readme tests/bad_inputs > tests/bad_inputs/README.md
"""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from limkb.check.reader import load_file
from limkb.check.validate import display_path, validate_kb
from limkb.report import Problem, Report

__all__ = ["CATEGORIES", "Case", "Expected", "errors_page", "iter_cases", "materialise", "readme", "run_case"]

CATEGORIES: dict[str, tuple[str, str]] = {
    "yaml": (
        "Reading the YAML",
        "limkb reads YAML strictly: one plain mapping per file, no tags, anchors or duplicate "
        "keys, UTF-8 text of a sensible size.",
    ),
    "files": (
        "File names and ids",
        "The id of an entry is its file name; it must be a lowercase slug, unique across the "
        "knowledge base, in the folder of its kind.",
    ),
    "schema": (
        "Fields and values",
        "Every kind has a fixed set of fields with types, vocabularies, units and ranges; "
        "nothing is converted silently.",
    ),
    "across": (
        "Across entries",
        "Relations must name existing entries of the right kind, and datasets, analyses and "
        "references must agree with each other.",
    ),
    "content": (
        "Content shown as text",
        "Prose fields are Markdown. HTML, scripts, template syntax and table-breaking text are "
        "accepted by the validator and shown to readers as plain text: nothing in an entry "
        "runs in the browser or in a template.",
    ),
}
"""The corpus categories in page order: folder name -> (heading, introduction)."""

_SNIPPET_BYTES = 4096
_SNIPPET_LINE = 100
_CONTEXT = 2


@dataclass(frozen=True)
class Expected:
    """One problem a case must produce (``col`` None: any column)."""

    file: str
    line: int
    col: int | None
    code: str
    severity: str

    def matches(self, problem: Problem, kb_prefix: str = "kb/") -> bool:
        """True when ``problem`` (with a path starting ``kb_prefix``) is this one."""
        return (
            problem.path == kb_prefix + self.file
            and problem.line == self.line
            and (self.col is None or problem.col == self.col)
            and problem.code == self.code
            and str(problem.severity) == self.severity
        )

    def text(self) -> str:
        """``kb/<file>:line:col: severity[code]`` as the CLI prints it."""
        col = "" if self.col is None else f"{self.col}:"
        return f"kb/{self.file}:{self.line}:{col} {self.severity}[{self.code}]"


@dataclass(frozen=True)
class Case:
    """One case of the corpus."""

    category: str
    slug: str
    path: Path
    title: str
    exit: int
    render: bool
    problems: tuple[Expected, ...] = field(default=())

    @property
    def name(self) -> str:
        """``<category>/<slug>``."""
        return f"{self.category}/{self.slug}"


def _read_expect(path: Path) -> dict[str, Any]:
    document, problems = load_file(path)
    if document is None or problems:
        raise ValueError(f"{path}: unreadable: {Report(problems).format()}")
    data: dict[str, Any] = document.data
    return data


def iter_cases(corpus_dir: Path | str) -> list[Case]:
    """Every case below ``corpus_dir``, in category order, then by name."""
    corpus = Path(corpus_dir)
    cases: list[Case] = []
    order = list(CATEGORIES)
    for expect in sorted(corpus.glob("*/*/expect.yaml")):
        folder = expect.parent
        category = folder.parent.name
        if category not in CATEGORIES:
            raise ValueError(f"{folder}: unknown category {category!r}; use one of {', '.join(order)}")
        data = _read_expect(expect)
        problems = tuple(
            Expected(p["file"], p["line"], p.get("col"), p["code"], p.get("severity", "error"))
            for p in data.get("problems") or []
        )
        cases.append(
            Case(
                category,
                folder.name,
                folder,
                data["title"],
                int(data.get("exit", 1)),
                bool(data.get("render", False)),
                problems,
            )
        )
    cases.sort(key=lambda c: (order.index(c.category), c.slug))
    return cases


STANDARD_REFERENCE_ID = "smith2020test"
STANDARD_REFERENCE = """title: Test of a tiny knowledge base
authors:
  - "Smith, A."
journal: J. Tests
year: 2020
doi: 10.1000/test.2020
"""
"""The reference every generated case can cite, written before the case's ``generate(kb)``."""


def materialise(case: Case, kb: Path) -> Path:
    """Write the case's knowledge base into ``kb`` (which must not exist yet); return it."""
    generator = case.path / "generate.py"
    if generator.exists():
        (kb / "references").mkdir(parents=True)
        (kb / "references" / f"{STANDARD_REFERENCE_ID}.yaml").write_text(STANDARD_REFERENCE, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"_limkb_case_{case.slug.replace('-', '_')}", generator)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
            raise ValueError(f"{generator}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.generate(kb)
    else:
        shutil.copytree(case.path / "kb", kb, symlinks=True)
    return kb


def _relative(problem: Problem, kb: Path) -> Problem:
    """The problem with its path (and any path in its text) written as ``kb/...``."""
    shown = display_path(kb) + "/"

    def fix(text: str) -> str:
        return text.replace(shown, "kb/").replace(f"{kb}/", "kb/")

    return Problem(
        fix(problem.path),
        problem.line,
        problem.col,
        problem.severity,
        problem.code,
        fix(problem.message),
        fix(problem.hint),
        problem.entry,
    )


def run_case(case: Case, workdir: Path) -> Report:
    """Materialise the case in ``workdir/kb`` and validate it; paths read ``kb/...``."""
    kb = materialise(case, workdir / "kb")
    report = validate_kb(kb).report
    return Report([_relative(p, kb) for p in report])


# --- pages -------------------------------------------------------------------------------


def _inline(text: str) -> str:
    """Markdown inline text with HTML escaped outside code spans."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return html.escape(text, quote=False).replace("`", "&#96;")
    return "`".join(p if i % 2 else html.escape(p, quote=False) for i, p in enumerate(parts))


def _fence(body: str, info: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+|~+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def _visible(line: str) -> str:
    """A line with control characters shown as escapes and cut to a readable length."""
    shown = "".join(
        c if c.isprintable() or c == "\t" else (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        for c in line
    ).replace("\t", "\\t")
    return shown if len(shown) <= _SNIPPET_LINE else shown[: _SNIPPET_LINE - 1] + "…"


def _snippet(kb: Path, relative: str, line: int) -> str:
    """The lines around ``line`` of one file, made safe to show."""
    path = kb / relative.removeprefix("kb/")
    if path.is_symlink():
        return f"# {relative} is a symbolic link (to {path.readlink()})"
    if not path.is_file():
        return f"# {relative}"
    with path.open("rb") as handle:
        raw = handle.read(_SNIPPET_BYTES)
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = "\\ufeff" + text[1:]
    lines = re.split(r"\r?\n", text)
    if len(raw) == _SNIPPET_BYTES:
        lines = [*lines[:-1], lines[-1][:_SNIPPET_LINE] + " …"] if lines else lines
    if raw.endswith(b"\n"):
        lines = lines[:-1]
    if not lines or lines == [""]:
        return f"# {relative} (empty)"
    first = max(1, line - _CONTEXT)
    last = min(len(lines), line + _CONTEXT)
    shown = [f"{n:>3} | {_visible(lines[n - 1])}" for n in range(first, last + 1)]
    crlf = " (CRLF line endings)" if b"\r\n" in raw else ""
    return f"# {relative}{crlf}\n" + "\n".join(shown)


def _case_section(case: Case) -> list[str]:
    out = [f"### {_inline(case.title)}", ""]
    with tempfile.TemporaryDirectory(prefix="limkb-case-") as tmp:
        work = Path(tmp)
        report = run_case(case, work)
        kb = work / "kb"
        problems = list(report)
        if problems:
            places: dict[str, int] = {}
            for p in problems:
                places.setdefault(p.path, p.line)
            snippets = [_snippet(kb, path, line) for path, line in list(places.items())[:3]]
        else:
            first = next(iter(sorted(p for p in kb.rglob("*.yaml") if "references" not in p.parts)), None)
            snippets = [_snippet(kb, "kb/" + first.relative_to(kb).as_posix(), 3)] if first else []
    out += [_fence("\n\n".join(snippets), "yaml"), ""]
    if problems:
        out += ["limkb prints:", "", _fence(report.format(), "text"), ""]
        hints = list(dict.fromkeys(p.hint for p in problems if p.hint))
        if hints:
            out += ["**Fix:** " + _inline(hints[0]), ""]
    else:
        out += [
            "limkb accepts this entry: the text is shown to readers as text, and nothing in it "
            "runs or is evaluated.",
            "",
        ]
    out += [f"*Case `{case.name}`*", ""]
    return out


def errors_page(corpus_dir: Path | str) -> str:
    """The Markdown page "Common errors and their fixes", made by validating every case."""
    cases = iter_cases(corpus_dir)
    out = [
        "---",
        "toc_depth: 2  # the contents list the sections, not each of the many cases",
        "---",
        "",
        "# Common errors and their fixes",
        "",
        "Every example below is a case of the test corpus in `tests/bad_inputs/`: a small knowledge "
        "base with one kind of mistake, the message `limkb validate` prints for it, and how to fix "
        "it. Each message names the file, line and column, a stable code in brackets and a hint. "
        "The page is generated by running the validator over the corpus "
        "(`python tests/corpus.py tests/bad_inputs > docs/common-errors.md`), so it shows exactly "
        "what limkb says.",
        "",
    ]
    counts = Counter(c.category for c in cases)
    for category, (heading, intro) in CATEGORIES.items():
        if not counts[category]:
            continue
        out += [f"## {heading}", "", intro, ""]
        for case in cases:
            if case.category == category:
                out += _case_section(case)
    return "\n".join(out).rstrip() + "\n"


def readme(corpus_dir: Path | str) -> str:
    """The corpus README: what a case is, and the cases by category with counts."""
    cases = iter_cases(corpus_dir)
    counts = Counter(c.category for c in cases)
    out = [
        "# Bad inputs",
        "",
        "A corpus of broken and hostile knowledge bases. Each folder `<category>/<case>/` holds a "
        "small `kb/` tree (or a `generate.py` that writes it at test time, for cases too large or "
        "too binary to commit) and `expect.yaml`: the case's title, the exit code (1 unless given) "
        "and every problem `limkb validate` must report, as `{file, line, col, code, severity}` "
        "with `file` relative to `kb/`. `tests/test_bad_inputs.py` runs every case through the "
        "CLI and the library; `docs/common-errors.md` is generated from it.",
        "",
        "This file is generated: `python tests/corpus.py --readme tests/bad_inputs > tests/bad_inputs/README.md`.",
        "",
        f"{len(cases)} cases.",
        "",
        "| category | cases |",
        "|---|---:|",
    ]
    out += [f"| {category} | {counts[category]} |" for category in CATEGORIES if counts[category]]
    out.append("")
    for category, (heading, _intro) in CATEGORIES.items():
        if not counts[category]:
            continue
        out += [f"## {category}: {heading} ({counts[category]})", ""]
        for case in cases:
            if case.category == category:
                codes = sorted({p.code for p in case.problems})
                what = ", ".join(f"`{c}`" for c in codes) if codes else "accepted, shown as text"
                out.append(f"- `{case.slug}`: {_inline(case.title)} ({what})")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--readme"]
    if len(args) != 1:
        sys.stderr.write("usage: python tests/corpus.py [--readme] CORPUS_DIR\n")
        return 2
    text = readme(args[0]) if "--readme" in argv else errors_page(args[0])
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
