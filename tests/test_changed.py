"""`limkb validate --changed`: only what a branch changed, and what refers to it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbfactory import minimal, write_entry, write_kb
from limkb.check.changed import changed_files, changed_report
from limkb.check.validate import validate_kb
from limkb.cli import cli


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kb = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species"),
            "species/li2o": minimal("species"),
            "strategies/fec-additive": minimal("strategy", forms=["lif"]),
            "strategies/other": minimal("strategy", forms=["li2o"], aliases=[""]),
        },
    )
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "topic")
    monkeypatch.chdir(tmp_path)
    return kb


def test_committed_staged_and_untracked_changes_are_found(repo: Path) -> None:
    write_entry(repo, "species/lif", minimal("species", name="Lithium fluoride"))
    _git(repo.parent, "commit", "-qam", "edit lif")
    write_entry(repo, "species/li3n", minimal("species"))
    base, files = changed_files(repo, "main")
    assert base == "main"
    assert sorted(p.name for p in files) == ["li3n.yaml", "lif.yaml"]


def test_referrers_of_a_deleted_entry_are_checked_and_others_are_not(repo: Path) -> None:
    (repo / "species" / "lif.yaml").unlink()
    _git(repo.parent, "commit", "-qam", "remove lif")
    full = validate_kb(repo)
    assert {p.entry for p in full.report.errors} == {"fec-additive", "other"}
    report, changes = changed_report(full, "main")
    assert changes.ids == {"lif"} and changes.referrers == {"fec-additive"}
    assert [(p.code, p.entry) for p in report.errors] == [("unknown-ref", "fec-additive")]


def test_default_base_and_cli(repo: Path) -> None:
    write_entry(repo, "species/lif", minimal("species", species_class="metal"))
    runner = CliRunner()
    done = runner.invoke(cli, ["validate", "--changed"])
    assert done.exit_code == 1
    assert "1 files changed since main, 1 entries refer to them" in done.output
    assert "kb/species/lif.yaml" in done.output and "other.yaml" not in done.output
    github = runner.invoke(cli, ["validate", "--changed", "main", "--format", "github"])
    assert github.output.startswith("::error file=kb/species/lif.yaml")
    bad = runner.invoke(cli, ["validate", "--changed", "no-such-branch"])
    assert bad.exit_code != 0 and "is not a git revision" in str(bad.exception)


@pytest.mark.parametrize(
    "name", ["lіf", "with\nnewline", "tab\there", 'quote"d'], ids=["cyrillic", "newline", "tab", "quote"]
)
def test_files_whose_names_git_would_quote_are_found(repo: Path, name: str) -> None:
    """A committed file with an unusual name is checked by --changed, as a full run checks it."""
    (repo / "materials").mkdir(exist_ok=True)
    (repo / "materials" / f"{name}.yaml").write_text(
        "name: X\nroles: [salt]\nsources: [{ref: smith2020test, locator: x}]\n", encoding="utf-8"
    )
    _git(repo.parent, "add", "-A")
    _git(repo.parent, "commit", "-qm", "odd name")
    _, files = changed_files(repo, "main")
    assert (repo / "materials" / f"{name}.yaml").resolve() in files
    result = validate_kb(repo)
    assert not result.report.ok()
    report, _ = changed_report(result, "main")
    assert [p.code for p in report.errors] == ["bad-filename"]
    out = CliRunner().invoke(cli, ["validate", "--kb", str(repo), "--changed", "main"])
    assert out.exit_code == 1, out.output
