"""Every case of the bad-input corpus (``tests/bad_inputs/``) fails cleanly and exactly.

Each case runs through the real CLI (``python -m limkb validate --kb kb`` in a subprocess)
and through the library, and must give: the expected exit code, no traceback, every
expected ``kb/<file>:line:col: severity[code]`` in one run, no error that was not expected,
and no file written anywhere in the project. The committed README of the corpus and the
site page ``docs/common-errors.md`` must match what the corpus produces today.

Regenerate them after adding or changing a case (no CLI needed)::

    python tests/corpus.py tests/bad_inputs > docs/common-errors.md
    python tests/corpus.py --readme tests/bad_inputs > tests/bad_inputs/README.md

A new case is a folder ``tests/bad_inputs/<category>/<case>/`` with ``kb/`` (or
``generate.py`` defining ``generate(kb)``) and ``expect.yaml``.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from corpus import CATEGORIES, Case, errors_page, iter_cases, materialise, readme
from kbfactory import tree_digest
from limkb.check.reader import load_file
from limkb.check.validate import validate_kb
from limkb.cli import cli
from limkb.report import CODES, Problem

CORPUS = Path(__file__).parent / "bad_inputs"
PROJECT = Path(__file__).parent.parent
CASES = iter_cases(CORPUS)
IDS = [case.name for case in CASES]
_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<code>[a-z0-9-]+)\]: "
)


def _printed(output: str) -> list[tuple[str, int, int, str, str]]:
    """The ``(path, line, col, severity, code)`` of every problem line of CLI output."""
    found = []
    for line in output.splitlines():
        match = _LINE.match(line)
        if match:
            found.append(
                (match["path"], int(match["line"]), int(match["col"]), match["severity"], match["code"])
            )
    return found


def _expected_in(case: Case, problem: tuple[str, int, int, str, str]) -> bool:
    path, line, col, severity, code = problem
    return any(
        f"kb/{e.file}" == path
        and e.line == line
        and (e.col is None or e.col == col)
        and e.code == code
        and e.severity == severity
        for e in case.problems
    )


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A project folder holding the case's ``kb/``."""
    case: Case = request.param
    materialise(case, tmp_path / "kb")
    return tmp_path


def test_the_corpus_is_big_enough_and_covers_every_category() -> None:
    counts = Counter(case.category for case in CASES)
    assert len(CASES) >= 40
    assert set(counts) == set(CATEGORIES), "every category needs at least one case"
    for case in CASES:
        assert case.exit == 0 or case.problems, f"{case.name}: a failing case must list its problems"
        for expected in case.problems:
            assert expected.code in CODES, f"{case.name}: unknown code {expected.code!r}"


SUBPROCESS = {next(c.name for c in CASES if c.category == category) for category in CATEGORIES} | {
    "yaml/deep-nesting",
    "yaml/file-of-50-mb",
    "files/symlinked-kind-folder",
    "content/markdown-in-names",
}
"""Cases also run as a real ``limkb validate`` process (the console entry point, its exit code and
stderr); every case runs in-process through the same CLI, which is much quicker."""


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: str
    stderr: str


def _validate_cli(project: Path, *, process: bool, monkeypatch: pytest.MonkeyPatch) -> _Run:
    if process:
        done = subprocess.run(
            [sys.executable, "-m", "limkb", "validate", "--kb", "kb"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        return _Run(done.returncode, done.stdout, done.stderr)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["validate", "--kb", "kb"], catch_exceptions=False)
    return _Run(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("project", "process"),
    [(c, False) for c in CASES] + [(c, True) for c in CASES if c.name in SUBPROCESS],
    ids=[f"{c.name}" for c in CASES] + [f"{c.name}-process" for c in CASES if c.name in SUBPROCESS],
    indirect=["project"],
)
def test_cli_reports_every_expected_problem(
    project: Path, process: bool, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    case: Case = request.node.callspec.params["project"]
    before = tree_digest(project)
    run = _validate_cli(project, process=process, monkeypatch=monkeypatch)
    output = run.stdout + run.stderr
    assert "Traceback" not in output
    assert run.returncode == case.exit, output
    printed = _printed(run.stdout)
    for expected in case.problems:
        assert any(
            p[0] == f"kb/{expected.file}"
            and p[1] == expected.line
            and (expected.col is None or p[2] == expected.col)
            and p[3] == expected.severity
            and p[4] == expected.code
            for p in printed
        ), f"{case.name}: {expected.text()} not in the output:\n{output}"
    unexpected = [p for p in printed if p[3] == "error" and not _expected_in(case, p)]
    assert not unexpected, f"{case.name}: unexpected errors {unexpected}:\n{output}"
    for line in run.stdout.splitlines():
        if _LINE.match(line):
            assert line.split("]: ", 1)[1].strip(), f"empty message: {line}"
    if case.problems:
        assert "    hint: " in run.stdout, "every problem comes with a fix hint"
    assert tree_digest(project) == before, "validation wrote or changed files"


@pytest.mark.parametrize("project", CASES, ids=IDS, indirect=True)
def test_library_reports_exactly_the_expected_problems(
    project: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    case: Case = request.node.callspec.params["project"]
    monkeypatch.chdir(project)
    report = validate_kb(Path("kb")).report
    found = [(p.path, p.line, p.col, str(p.severity), p.code) for p in report]
    for expected in case.problems:
        assert any(
            _expected_in(Case(case.category, case.slug, case.path, "", 1, False, (expected,)), f)
            for f in found
        ), f"{case.name}: {expected.text()} missing from {found}"
    assert [f for f in found if f[3] == "error" and not _expected_in(case, f)] == []
    assert (not report.errors) == (case.exit == 0)
    for problem in report:
        assert isinstance(problem, Problem) and problem.hint, f"{problem.format_text()} has no hint"
    result = CliRunner().invoke(cli, ["validate", "--kb", "kb"])
    assert result.exit_code == case.exit
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_python_tags_construct_nothing(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "yaml/python-object-tag")
    kb = materialise(case, tmp_path / "kb")
    run = subprocess.run(
        [sys.executable, "-m", "limkb", "validate", "--kb", "kb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert not (tmp_path / "limkb-was-here").exists()
    assert not (kb / "limkb-was-here").exists()
    assert "yaml-tag" in run.stdout


def test_yaml_1_1_scalars_stay_text(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "schema/yaml-1-1-scalars-stay-text")
    kb = materialise(case, tmp_path / "kb")
    document, problems = load_file(kb / "materials" / "fec.yaml")
    assert problems == [] and document is not None
    assert document.data["name"] == "NO"
    assert document.data["formula"] == "no"
    assert document.data["aliases"] == ["on", "off", "yes", "0o17", "2024-01-01", "1_000", "0x1F"]


def test_all_problems_of_several_files_come_in_one_run(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "across/many-problems-one-run")
    materialise(case, tmp_path / "kb")
    run = subprocess.run(
        [sys.executable, "-m", "limkb", "validate", "--kb", "kb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    files = {p[0] for p in _printed(run.stdout)}
    assert len(files) >= 3, run.stdout
    assert f"failed: {len(case.problems)} errors" in run.stderr


def test_corpus_readme_is_current() -> None:
    committed = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert committed == readme(CORPUS), (
        "tests/bad_inputs/README.md is stale: run "
        "`python tests/corpus.py --readme tests/bad_inputs > tests/bad_inputs/README.md`"
    )


def test_readme_lists_every_case_with_counts() -> None:
    text = (CORPUS / "README.md").read_text(encoding="utf-8")
    counts = Counter(case.category for case in CASES)
    for category, count in counts.items():
        assert f"| {category} | {count} |" in text
    for case in CASES:
        assert f"`{case.slug}`" in text


def test_common_errors_page_is_current() -> None:
    committed = (PROJECT / "docs" / "common-errors.md").read_text(encoding="utf-8")
    assert committed == errors_page(CORPUS), (
        "docs/common-errors.md is stale: run `python tests/corpus.py tests/bad_inputs > docs/common-errors.md`"
    )


def test_common_errors_page_shows_message_and_fix_for_every_failing_case() -> None:
    page = (PROJECT / "docs" / "common-errors.md").read_text(encoding="utf-8")
    for case in CASES:
        assert f"*Case `{case.name}`*" in page
        for expected in case.problems:
            assert expected.text() in page, f"{case.name}: {expected.text()} missing from the page"
    assert page.count("**Fix:**") == sum(1 for c in CASES if c.exit != 0 or c.problems)
    # payloads appear only inside fenced blocks, never as live HTML of the page itself
    outside = re.sub(r"(?ms)^(`{3,})[a-z]*\n.*?^\1$", "", page)
    outside = re.sub(r"`[^`\n]*`", "", outside)
    assert "<script" not in outside.lower() and "<iframe" not in outside.lower()
    assert "{{" not in outside and "{%" not in outside


# --- content: the rendered site shows payloads as text --------------------------------------

_ACTIVE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "form",
    "input",
    "meta",
    "link",
    "body",
    "animate",
    "base",
    "frame",
    "frameset",
    "applet",
}
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>")
_HANDLER = re.compile(r"(?:^|[\s\"'/])on[a-z]+\s*=", re.IGNORECASE)
_URL_ATTR = re.compile(
    r"""(?:href|src|xlink:href|action|formaction|data)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE
)


def _active_html(page: str, own_tags: Counter[str]) -> list[str]:
    """Fragments of ``page`` that a browser would treat as active content."""
    bad = []
    for match in _TAG.finditer(page):
        name, attributes = match[1].lower(), match[2]
        if name in _ACTIVE_TAGS and own_tags[name] == 0:
            bad.append(match[0])
        if _HANDLER.search(attributes):
            bad.append(match[0])
        for url in _URL_ATTR.findall(attributes):
            scheme = re.sub(r"[\s\x00-\x1f]", "", html.unescape(url)).lower()
            if scheme.startswith(("javascript:", "data:", "vbscript:")):
                bad.append(match[0])
    return bad


def _tags(pages: dict[str, str]) -> Counter[str]:
    return Counter(m[1].lower() for text in pages.values() for m in _TAG.finditer(text))


@pytest.mark.parametrize("case", [c for c in CASES if c.render], ids=[c.name for c in CASES if c.render])
def test_rendered_pages_neutralise_content_payloads(case: Case, tmp_path: Path) -> None:
    render = pytest.importorskip("limkb.site.render")
    import limkb

    kb_dir = materialise(case, tmp_path / "kb")
    kb = limkb.load(kb_dir, cache=False)
    pages = {p: t for p, t in render.render(kb).items() if isinstance(t, str) and p.endswith(".md")}
    # What our own templates emit for an entry without payloads is the baseline.
    clean_dir = tmp_path / "clean" / "kb"
    (clean_dir / "references").mkdir(parents=True)
    (clean_dir / "species").mkdir()
    (clean_dir / "references" / "smith2020test.yaml").write_bytes(
        (kb_dir / "references" / "smith2020test.yaml").read_bytes()
    )
    (clean_dir / "species" / "lif.yaml").write_text(
        "name: Lithium fluoride\nspecies_class: inorganic\nsummary: Plain text.\n"
        'sources:\n  - {ref: smith2020test, locator: "Table 1"}\n',
        encoding="utf-8",
    )
    (clean_dir / "strategies").mkdir()
    (clean_dir / "strategies" / "plain-strategy.yaml").write_text(
        "name: Plain strategy\nfamily: electrolyte-engineering\ninterface: li-electrolyte\nforms: [lif]\n"
        'sources:\n  - {ref: smith2020test, locator: "Table 1"}\n',
        encoding="utf-8",
    )
    own = _tags(
        {p: t for p, t in render.render(limkb.load(clean_dir, cache=False)).items() if isinstance(t, str)}
    )
    assert any(p.startswith("entries/species/") for p in pages)
    commonmark = MarkdownIt("commonmark", {"html": True}).enable("table")
    for path in sorted(pages):
        page = pages[path]
        assert _active_html(page, own) == [], f"{case.name}: active content in {path}"
        assert "49 LiF" not in page and "7777777" not in page, (
            f"{case.name}: a template was evaluated in {path}"
        )
        assert "{{" not in page and "{%" not in page, f"{case.name}: template syntax left live in {path}"
        # MkDocs then runs its Markdown over the page: the result must stay inert too.
        body = re.sub(r"(?s)\A---\n.*?\n---\n", "", page)
        converted = markdown.markdown(body, extensions=["toc", "tables", "fenced_code", "admonition"])
        assert _active_html(converted, own) == [], f"{case.name}: active content in {path} after Markdown"
        assert "<td>x</td>" not in converted, f"{case.name}: entry text made a table row in {path}"
        # A CommonMark engine reading `limkb render --out` (raw HTML allowed, as Zensical and
        # others do) ends an HTML block at a blank line: entry text must stay inert there too.
        other = commonmark.render(body)
        assert _active_html(other, own) == [], f"{case.name}: active content in {path} under CommonMark"
        links = re.findall(r"<a href=\"([^\"]*)\"", other)
        assert not [u for u in links if html.unescape(u).strip().lower().startswith("javascript:")], path
