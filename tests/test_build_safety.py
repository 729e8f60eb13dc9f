"""Builds over hostile input: nothing written outside build/ and site/, nothing lost on failure.

A project is built once from a good KB; then its ``kb/`` is replaced by cases of the
bad-input corpus and ``limkb build`` runs again through the real CLI. A failing case must
exit 1 with located problems and no traceback, leave ``build/`` and ``site/`` byte for byte
as they were and write nothing anywhere else; an accepted content case must build, again
writing only ``build/`` and ``site/``, and its pages must keep every payload inert.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import Case, iter_cases, materialise
from kbfactory import tree_digest
from limkb.commands.build import build
from sitefactory import write_project

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = {case.name: case for case in iter_cases(CORPUS)}
FAILING = [
    "yaml/python-object-tag",
    "yaml/alias-bomb",
    "yaml/file-of-50-mb",
    "files/path-in-id-fields",
    "files/symbolic-link",
    "schema/javascript-url",
    "across/subtype-cycle",
    "across/many-problems-one-run",
]
ACCEPTED = ["content/script-tags", "content/jinja-syntax", "content/attr-list-injection"]
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>")


def _outside(tree: dict[str, str], project: str) -> dict[str, str]:
    """The part of a tree that is not the project's build/ or site/ (links into .limkb-out/)."""
    return {
        p: d
        for p, d in tree.items()
        if not p.startswith((f"{project}/build/", f"{project}/site/", f"{project}/.limkb-out/"))
        and p not in (f"{project}/build", f"{project}/site", f"{project}/.limkb-out")
    }


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a successful build already in place."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project")
    build(project)
    return project


def _swap_kb(project: Path, case: Case) -> None:
    shutil.rmtree(project / "kb")
    materialise(case, project / "kb")


def _cli_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "limkb", "build", "--project", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONIOENCODING": "utf-8"},
    )


def test_a_build_writes_only_build_and_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project")
    before = tree_digest(tmp_path)
    build(project)
    after = tree_digest(tmp_path)
    assert _outside(after, "project") == _outside(before, "project")
    assert (project / "site" / "index.html").is_file() and (project / "build" / "kb.sqlite").is_file()
    assert after["project/site"] == "link:.limkb-out/current/site"


@pytest.mark.slow
@pytest.mark.parametrize("name", FAILING)
def test_a_failed_build_changes_nothing(built: Path, name: str) -> None:
    case = CASES[name]
    _swap_kb(built, case)
    root = built.parent
    before = tree_digest(root)
    run = _cli_build(built)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output
    for expected in case.problems:
        assert f"kb/{expected.file}:{expected.line}:" in output, f"{expected.text()} not reported:\n{output}"
    assert tree_digest(root) == before, "a failed build changed files"
    assert not (built / "limkb-was-here").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", ACCEPTED)
def test_a_build_of_hostile_content_writes_only_outputs_and_keeps_payloads_inert(
    built: Path, name: str
) -> None:
    _swap_kb(built, CASES[name])
    root = built.parent
    before = tree_digest(root)
    run = _cli_build(built)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Traceback" not in output
    assert _outside(tree_digest(root), "project") == _outside(before, "project")
    for page in (built / "site" / "entries").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in _TAG.finditer(text):
            attributes = match[2]
            assert not re.search(r"(?:^|\s)on[a-z]+\s*=", attributes, re.IGNORECASE), f"{page}: {match[0]}"
            assert "javascript:" not in attributes.lower(), f"{page}: {match[0]}"
            assert "data:text" not in attributes.lower(), f"{page}: {match[0]}"
        assert "<script>alert" not in text.lower(), page
        assert "49 LiF" not in text and "7777777" not in text, page
    resolved = (built / "site").resolve()
    assert all(p.resolve().is_relative_to(resolved) for p in (built / "site").rglob("*"))
