"""The command line end to end: exit codes, output formats, schema and scaffolds."""

from __future__ import annotations

import html as htmlmod
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from kbfactory import REF, minimal, write_kb
from limkb.cli import cli
from limkb.commands.scaffold import SCHEMA_DIR, write_schemas
from limkb.report import Problem, Report, Severity

ROOT = Path(__file__).resolve().parents[1]


def limkb(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "limkb", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_kb(tmp_path, {"strategies/s": minimal("strategy"), "materials/fec": minimal("material")})
    return tmp_path


def test_validate_clean_exits_zero(project: Path) -> None:
    run = limkb("validate", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 entries checked" in run.stdout


def test_validate_problems_exit_one_with_located_lines_and_no_traceback(project: Path) -> None:
    (project / "kb/strategies/s.yaml").write_text(
        "name: S\nfamily: electrolyte-engineering\n"
        "interface: li-electrolyte\nuses: [lif2]\ncolor: red\n"
        f"sources: [{{ref: {REF}, locator: x}}]\n"
    )
    run = limkb("validate", cwd=project)
    assert run.returncode == 1
    assert "kb/strategies/s.yaml:4:8: error[unknown-ref]: 'lif2' is not an entry" in run.stdout
    assert "kb/strategies/s.yaml:5:1: error[unknown-field]: unknown field 'color'" in run.stdout
    assert "failed: 2 errors, 0 warnings" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_validate_json_and_github_formats(project: Path) -> None:
    (project / "kb/materials/fec.yaml").write_text("name: FEC\nroles: [solvent]\n")
    run = limkb("validate", "--format", "json", cwd=project)
    assert run.returncode == 1
    (problem,) = json.loads(run.stdout)
    assert problem["code"] == "missing-sources"
    assert problem["path"] == "kb/materials/fec.yaml"
    assert {"line", "col", "severity", "message", "hint"} <= problem.keys()
    run = limkb("validate", "--format", "github", cwd=project)
    assert run.stdout.startswith("::error file=kb/materials/fec.yaml,line=1,col=1,title=missing-sources::")


SOURCE_TEXT = f"{{ref: {REF}, locator: x}}"
"""A source with a locator, as flow YAML."""


def _many_problems(project: Path) -> None:
    """Four errors in one file (two unknown ids, two unknown fields) and one in another."""
    (project / "kb/strategies/s.yaml").write_text(
        "name: S\nfamily: electrolyte-engineering\ninterface: li-electrolyte\n"
        "uses: [lif2, lif3]\ncolor: red\nshade: blue\n"
        f"sources: [{SOURCE_TEXT}]\n"
    )
    (project / "kb/materials/fec.yaml").write_text("name: FEC\nroles: [solvent]\n")


def _annotations(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("::error", "::warning"))]


def test_github_format_annotates_each_file_once_and_summarises_every_problem(
    project: Path, tmp_path: Path
) -> None:
    """GitHub shows 10 annotations per step: one per file, the rest counted, all in the summary."""
    _many_problems(project)
    summary = tmp_path / "step-summary.md"
    summary.write_text("an earlier step's summary\n", encoding="utf-8")
    run = limkb("validate", "--format", "github", cwd=project, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.returncode == 1, run.stdout + run.stderr
    annotations = _annotations(run.stdout)
    assert [a.split(",")[0] for a in annotations] == [
        "::error file=kb/materials/fec.yaml",
        "::error file=kb/strategies/s.yaml",
    ]
    assert "title=unknown-ref::'lif2' is not an entry" in annotations[1]
    assert annotations[1].endswith("%0A... and 3 more in this file, listed in the job summary and the log")
    assert "more in this file" not in annotations[0]
    # the log still holds every problem, folded in a group
    assert "::group::All 5 problems (5 errors, 0 warnings)" in run.stdout
    assert "kb/strategies/s.yaml:6:1: error[unknown-field]: unknown field 'shade'" in run.stdout

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("an earlier step's summary\n"), "the summary is appended to, not replaced"
    rows = [line for line in text.splitlines() if line.startswith("| kb")]
    assert [tuple(cell.strip() for cell in row.split(" | ")[:4]) for row in rows] == [
        ("| kb\\/materials\\/fec\\.yaml", "1", "error", "missing\\-sources"),
        ("| kb\\/strategies\\/s\\.yaml", "4", "error", "unknown\\-ref"),
        ("| kb\\/strategies\\/s\\.yaml", "4", "error", "unknown\\-ref"),
        ("| kb\\/strategies\\/s\\.yaml", "5", "error", "unknown\\-field"),
        ("| kb\\/strategies\\/s\\.yaml", "6", "error", "unknown\\-field"),
    ]
    assert "### limkb validate: 5 errors, 0 warnings" in text
    assert "\\'lif3\\' is not an entry" in text


def test_github_format_without_a_step_summary_points_to_the_log(project: Path) -> None:
    _many_problems(project)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    run = subprocess.run(
        [sys.executable, "-m", "limkb", "validate", "--format", "github"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    annotations = _annotations(run.stdout)
    assert len(annotations) == 2
    assert annotations[1].endswith("... and 3 more in this file, listed in the log")


def test_github_format_annotates_a_file_at_its_first_error_and_a_clean_run_says_so(
    project: Path, tmp_path: Path
) -> None:
    # a warning (no locator) on line 3 comes before the error (unknown field) on line 4
    (project / "kb/materials/fec.yaml").write_text(
        f"name: FEC\nroles: [solvent]\nsources: [{REF}]\ncolor: red\n"
    )
    run = limkb("validate", "--format", "github", cwd=project)
    (annotation,) = _annotations(run.stdout)
    assert annotation.startswith("::error file=kb/materials/fec.yaml,line=4,col=1,title=unknown-field::")
    assert annotation.endswith("... and 1 more in this file, listed in the log")
    (project / "kb/materials/fec.yaml").write_text(f"name: FEC\nroles: [solvent]\nsources: [{SOURCE_TEXT}]\n")
    summary = tmp_path / "clean.md"
    run = limkb("validate", "--format", "github", cwd=project, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.returncode == 0 and run.stdout == ""
    assert summary.read_text(encoding="utf-8") == "### limkb validate: no problems\n\n"


def test_summary_cells_are_text_and_the_table_stays_under_the_size_limit() -> None:
    """A message is shown as written: no link, emphasis, tag or cell break comes out of it."""
    hostile = "x | y [click](javascript:alert(1)) <img src=x> *bold* `code` &amp;\nnext"
    report = Report([Problem("kb/a.yaml", 2, 1, Severity.ERROR, "bad-value", hostile)])
    html = MarkdownIt("commonmark").enable("table").render(report.markdown())
    assert html.count("<td") == 5, "the message must stay in its cell"
    assert not any(tag in html for tag in ("<a", "<img", "<em", "<strong", "<code")), html
    (cell,) = re.findall(r"<td>([^<]*x \| y[^<]*)</td>", html)
    assert htmlmod.unescape(cell) == " ".join(hostile.split())
    many = Report(
        [Problem(f"kb/f{i:04}.yaml", 1, 1, Severity.ERROR, "bad-value", "m" * 80) for i in range(300)]
    )
    text = many.markdown(limit=5_000)
    assert len(text.encode()) <= 5_000
    shown = sum(line.startswith("| kb") for line in text.splitlines())
    assert 0 < shown < 300
    assert f"{300 - shown} more problems are not shown" in text


def test_validate_paths_filter_the_report(project: Path) -> None:
    (project / "kb/materials/fec.yaml").write_text("name: FEC\nroles: [solvent]\n")
    assert limkb("validate", "kb/strategies", cwd=project).returncode == 0
    assert limkb("validate", "kb/materials/fec.yaml", cwd=project).returncode == 1


def test_strict_promotes_warnings(project: Path) -> None:
    (project / "kb/materials/fec.yaml").write_text(f"name: FEC\nroles: [solvent]\nsources: [{REF}]\n")
    assert limkb("validate", cwd=project).returncode == 0
    run = limkb("validate", "--strict", cwd=project)
    assert run.returncode == 1
    assert "warning[missing-locator]" in run.stdout


def test_usage_errors_exit_two(project: Path) -> None:
    assert limkb("validate", "--format", "xml", cwd=project).returncode == 2
    assert limkb("no-such-command", cwd=project).returncode == 2
    assert limkb("validate", "--kb", "nowhere", cwd=project).returncode == 2


def test_committed_schema_is_up_to_date() -> None:
    stale = write_schemas(ROOT / SCHEMA_DIR, check=True)
    assert not stale, f"run `limkb schema` and commit: {[p.name for p in stale]}"


def test_schema_check_detects_drift(tmp_path: Path) -> None:
    write_schemas(tmp_path / "schema")
    assert write_schemas(tmp_path / "schema", check=True) == []
    (tmp_path / "schema" / "strategy.schema.json").write_text("{}")
    run = limkb("schema", "--check", "--out", "schema", cwd=tmp_path)
    assert run.returncode == 1
    assert "stale schema/strategy.schema.json" in run.stdout


def test_new_writes_a_scaffold_that_validates_once_filled_and_never_overwrites(project: Path) -> None:
    run = limkb("new", "material", "lino3", cwd=project)
    assert run.returncode == 0, run.stderr
    path = project / "kb/materials/lino3.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/material.schema.json\n")
    assert limkb("validate", cwd=project).returncode == 1  # placeholders must be filled in
    data = yaml.safe_load(text)
    data.update(name="Lithium nitrate", roles=["additive"], sources=[{"ref": REF, "locator": "p. 1"}])
    path.write_text(yaml.safe_dump(data))
    assert limkb("validate", cwd=project).returncode == 0
    again = limkb("new", "material", "lino3", cwd=project)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert yaml.safe_load(path.read_text())["name"] == "Lithium nitrate"
    clash = limkb("new", "species", "lino3", cwd=project)
    assert clash.returncode == 1 and "already exists" in clash.stderr


def test_new_refuses_ids_that_are_not_slugs(project: Path) -> None:
    run = limkb("new", "strategy", "../../etc/passwd", cwd=project)
    assert run.returncode == 1
    assert "not a valid id" in run.stderr
    assert not list(project.rglob("passwd*"))


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`limkb {command} --help` shows no example"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`limkb {command}" in readme, f"add `limkb {command}` to the README's command table"


_TYPE_ERRORS = frozenset(
    {
        "float_type",
        "int_type",
        "bool_type",
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "enum",
        "literal_error",
        "int_from_float",
        "float_parsing",
        "int_parsing",
        "bool_parsing",
    }
)


@pytest.mark.parametrize("kind", sorted(__import__("limkb.schema.kinds", fromlist=["KINDS"]).KINDS))
def test_every_scaffold_placeholder_has_its_fields_type(kind: str) -> None:
    """Placeholders may be empty (so a required field fails until filled), never of another type."""
    from pydantic import TypeAdapter, ValidationError

    from limkb.commands.scaffold import _example
    from limkb.schema.kinds import KINDS

    wrong = []
    for name, info in KINDS[kind].model_fields.items():
        if name == "id":
            continue
        for required in (True, False):
            value = _example(name, info, required=required)
            try:
                TypeAdapter(info.annotation).validate_python(value)
            except ValidationError as error:
                types = {e["type"] for e in error.errors()} & _TYPE_ERRORS
                if types:
                    wrong.append(
                        f"{kind}.{name} ({'required' if required else 'optional'}): {value!r} {types}"
                    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("entry_id", ["abc\n", "index", "con", "com1", "nul"])
def test_new_refuses_ids_with_a_trailing_newline_or_reserved_names_and_writes_nothing(
    project: Path, entry_id: str
) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    run = limkb("new", "material", entry_id, cwd=project)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "cannot be an id" in run.stderr or "not a valid id" in run.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_is_slug_matches_the_whole_text() -> None:
    from limkb.schema.ids import is_slug

    assert is_slug("fec-additive") and not is_slug("fec-additive\n") and not is_slug("fec\nadditive")


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.5", "99999999999999"])
def test_a_bad_source_date_epoch_is_one_clear_error(project: Path, value: str) -> None:
    (project / "mkdocs.yml").write_text("site_name: x\nplugins: [limkb]\n")
    for command in (["build"], ["render", "--out", str(project / "pages")]):
        run = limkb(*command, cwd=project, env={"SOURCE_DATE_EPOCH": value})
        assert run.returncode == 1, run.stderr
        assert "SOURCE_DATE_EPOCH" in run.stderr and "Traceback" not in run.stderr
    assert not (project / "site").exists() and not (project / "pages").exists()


def test_render_refuses_a_folder_that_holds_other_things(project: Path) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    for out in (".", "kb", "kb/materials"):
        run = limkb("render", "--out", out, cwd=project)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before
    pages = project / "pages"
    assert limkb("render", "--out", str(pages), cwd=project).returncode == 0
    assert limkb("render", "--out", str(pages), cwd=project).returncode == 0, (
        "a folder of pages may be rendered into again"
    )


def test_export_to_a_file_or_an_impossible_folder_is_a_clear_error(project: Path) -> None:
    (project / "afile").write_text("x")
    run = limkb("export", "--out", "afile", cwd=project)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    run = limkb("export", "--out", "afile/sub", cwd=project)
    assert run.returncode == 1 and "Traceback" not in run.stderr and "afile" in run.stderr
    assert (project / "afile").read_text() == "x"


def _program(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``console()``, as the installed ``limkb`` program runs it, with an exit hook that prints
    when the interpreter shuts down as usual."""
    script = (
        "import atexit, sys\nfrom limkb.cli import console\n"
        "atexit.register(lambda: print('shut down as usual'))\n"
        f"sys.argv = ['limkb', *{list(args)!r}]\nconsole()\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, env=env, timeout=120
    )


def test_the_program_ends_a_validation_at_once_with_its_whole_report_and_status(tmp_path: Path) -> None:
    write_kb(tmp_path, {"strategies/s": minimal("strategy"), "materials/fec": minimal("material")})
    clean = _program(tmp_path, "validate")
    assert clean.returncode == 0
    assert clean.stdout.splitlines() == ["3 entries checked", "ok: no problems"]  # no exit hook ran

    write_kb(tmp_path, {"strategies/t": minimal("strategy", colour="red")})
    broken = _program(tmp_path, "validate", "--format", "json")
    assert broken.returncode == 1
    assert "shut down as usual" not in broken.stdout
    assert [problem["path"].endswith("t.yaml") for problem in json.loads(broken.stdout)] == [True]


def test_in_process_a_validation_exits_as_usual(project: Path) -> None:
    run = limkb("validate", cwd=project)  # python -m limkb: main(), not the program
    assert run.returncode == 0
    script = (
        "import atexit, sys\nfrom limkb.cli import main\n"
        "atexit.register(lambda: print('shut down as usual'))\n"
        "sys.argv = ['limkb', 'validate']\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "shut down as usual"
