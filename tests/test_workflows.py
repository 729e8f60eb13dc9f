"""The GitHub workflows and the pre-commit hooks: pinned actions, read-only tokens, and the steps they promise.

The workflows cannot run here, so these tests read them as data (``yaml.safe_load``) and run
the shell and Python they hold where that is possible: the release's version check and the
packing of its files.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import limkb
from kbfactory import minimal, write_kb
from limkb.access import load
from limkb.outputs import write_outputs

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    (step,) = [s for s in _steps(workflow) if s.get("name", "").startswith(name)]
    return step


def _index(workflow: dict[str, Any], predicate: Any) -> int:
    steps = _steps(workflow)
    found = [i for i, step in enumerate(steps) if predicate(step)]
    assert len(found) == 1, found
    return found[0]


def _runs(text: str) -> Any:
    return lambda step: text in step.get("run", "")


def test_the_workflows_are_found() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "drift.yml", "release.yml"}


@pytest.mark.parametrize("path", [p for p in WORKFLOWS if p.name != "pr-label.yml"], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_named(path: Path) -> None:
    """A tag or a branch can be moved to other code; a full commit SHA cannot."""
    workflow = _load(path)
    uses = [step["uses"] for step in _steps(workflow) if "uses" in step]
    uses += [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
    remote = [u for u in uses if not u.startswith("./")]
    assert remote, f"{path.name} uses no action; drop this parametrisation if that is intended"
    for ref in remote:
        assert PINNED.match(ref), (
            f"{path.name}: `uses: {ref}` is not pinned; write `owner/action@<40-hex commit> # vX.Y.Z`"
        )
    lines = [m for line in path.read_text(encoding="utf-8").splitlines() if (m := USES_LINE.match(line))]
    assert len(lines) == len(uses)
    for match in lines:
        if match["ref"].startswith("./"):
            continue
        assert re.fullmatch(r"\s+# v\d+(\.\d+)*", match["rest"]), (
            f"{path.name}: `uses: {match['ref']}` needs the version it pins as a comment (`# v4.2.2`)"
        )


def test_an_action_is_pinned_to_the_same_commit_and_version_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if (match := USES_LINE.match(line)) and "@" in match["ref"]:
                action, _, sha = match["ref"].partition("@")
                pins.setdefault(action, set()).add(f"{sha}{match['rest']}")
    assert pins
    for action, versions in pins.items():
        assert len(versions) == 1, f"{action} is pinned differently: {sorted(versions)}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_drops_its_credentials(path: Path) -> None:
    """With the default, the token stays in .git/config for every later step to read."""
    checkouts = [s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts or path.name == "pr-label.yml", path.name  # the label job checks out nothing
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, (
            f"{path.name}: add `persist-credentials: false` under the checkout's `with:`"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_tokens_are_read_only_except_for_the_release_job(path: Path) -> None:
    workflow = _load(path)
    assert "permissions" in workflow, f"{path.name}: set top-level `permissions:` (read-only)"
    assert all(v in {"read", "none"} for v in (workflow["permissions"] or {}).values()), path.name
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        writes = {k for k, v in granted.items() if v == "write"}
        if path.name == "release.yml" and name == "release":
            assert granted == {"contents": "write"}
        elif path.name == "pr-label.yml" and name == "label":
            assert granted == {"pull-requests": "write"}
        elif path.name == "triage.yml" and name == "pull-request":
            assert granted == {"contents": "write", "pull-requests": "write"}
        else:
            assert not writes, f"{path.name}: job {name} asks for {writes}"


def test_pull_requests_validate_the_changed_entries_first_then_all() -> None:
    pr = _load(ROOT / ".github/workflows/pr.yml")
    pr["jobs"] = {"check": pr["jobs"]["check"]}  # the job that runs a pull request's own code
    checkout = next(s for s in _steps(pr) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "--changed needs the base branch's history"
    changed = _index(pr, _runs("--changed"))
    step = _steps(pr)[changed]
    assert step["run"] == 'limkb validate --changed "origin/$BASE_REF" --format github --strict'
    assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}, (
        "pass the base through env, not into the script"
    )
    assert step["if"] == "github.event_name == 'pull_request'", "base_ref is empty on a push"
    full = _index(pr, lambda s: s.get("run") == "limkb validate --format github --strict")
    assert changed < full < _index(pr, _runs("pytest"))


PR = ROOT / ".github/workflows/pr.yml"


def _scope(tmp_path: Path, changed: list[str]) -> str:
    """Run the scope job's script in a repository whose pull request changes ``changed``."""
    script = next(s["run"] for s in _load(PR)["jobs"]["scope"]["steps"] if s.get("id") == "scope")
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    base = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    for name in changed:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("changed\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "pull request"], check=True)
    output = tmp_path / "output"
    env = {**os.environ, "BASE_SHA": base, "EVENT": "pull_request", "GITHUB_OUTPUT": str(output)}
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=repo, env=env, check=True, capture_output=True
    )
    return output.read_text(encoding="utf-8").strip()


@pytest.mark.parametrize(
    ("changed", "data_only"),
    [
        (["kb/materials/x.yaml", "docs/about.md"], "true"),
        (["kb/materials/x.yaml", "src/limkb/cli.py"], "false"),
        (["mkdocs.yml"], "false"),
        ([".github/workflows/pr.yml"], "false"),
        (["requirements.lock"], "false"),
        (["kbx/evil.py"], "false"),
    ],
)
def test_the_scope_job_tells_data_only_pull_requests_apart(
    tmp_path: Path, changed: list[str], data_only: str
) -> None:
    assert _scope(tmp_path, changed) == f"data_only={data_only}"


def test_a_data_only_pull_request_runs_the_base_branch_s_code() -> None:
    jobs = _load(PR)["jobs"]
    data = jobs["data"]
    assert data["if"] == "github.event_name == 'pull_request' && needs.scope.outputs.data_only == 'true'"
    assert (
        jobs["check"]["if"]
        == "github.event_name != 'pull_request' || needs.scope.outputs.data_only != 'true'"
    )
    base, head = (s for s in data["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}" and "path" not in base["with"]
    assert head["with"] == {
        "ref": "${{ github.event.pull_request.head.sha }}",
        "path": "pull-request",
        "persist-credentials": False,
    }
    copy = _step({"jobs": {"data": data}}, "Take the pull request's kb/ and docs/")
    assert copy["run"].split() == [
        "rm",
        "-rf",
        "kb",
        "docs",
        "cp",
        "-a",
        "pull-request/kb",
        "pull-request/docs",
        ".",
        "rm",
        "-rf",
        "pull-request",
    ]
    text = PR.read_text(encoding="utf-8") + (ROOT / ".github/workflows/pr-label.yml").read_text(
        encoding="utf-8"
    )
    assert "secrets." not in text


def test_the_label_job_runs_nothing_of_the_pull_request() -> None:
    label = _load(ROOT / ".github/workflows/pr-label.yml")
    assert label["on"] == {"pull_request_target": {"types": ["opened", "synchronize", "reopened"]}}
    assert label["permissions"] == {}
    (step,) = label["jobs"]["label"]["steps"]
    assert "uses" not in step  # no checkout, no action
    assert "${{" not in step["run"]  # every value comes through the environment


def test_the_changed_option_the_workflow_uses_exists() -> None:
    from click.testing import CliRunner

    from limkb.cli import cli

    help_text = CliRunner().invoke(cli, ["validate", "--help"]).output
    assert "--changed [BASE]" in help_text and "--format [text|json|github]" in help_text


# The release


RELEASE = ROOT / ".github/workflows/release.yml"


def test_the_release_runs_on_version_tags_only() -> None:
    release = _load(RELEASE)
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}


def test_the_release_checks_the_version_validates_and_builds_strictly_before_packing() -> None:
    release = _load(RELEASE)
    install = _index(release, _runs("pip install -r requirements.lock"))
    version = _index(release, _runs("limkb --version"))
    epoch = _index(release, _runs("SOURCE_DATE_EPOCH="))
    validate = _index(release, lambda s: s.get("run", "").strip() == "limkb validate --strict")
    build = _index(release, lambda s: s.get("run", "").strip() == "limkb build --strict")
    pack = _index(release, _runs("tar --sort=name"))
    publish = _index(release, _runs("gh release create"))
    assert install < version < epoch < validate < build < pack < publish
    assert 'git log -1 --format=%ct "$GITHUB_SHA"' in _steps(release)[epoch]["run"]


def test_the_release_attaches_the_site_the_database_the_data_package_and_the_bibliography(
    tmp_path: Path,
) -> None:
    """The files named are the ones the build writes: the names are checked against an export."""
    release = _load(RELEASE)
    publish = next(s for s in _steps(release) if "gh release create" in s.get("run", ""))
    script = publish["run"]
    listed = script.split("files=(", 1)[1].split(")", 1)[0].split()
    files = [f.strip('"') for f in listed]
    assert 'test -f "$file" || {' in script and "exit 1" in script, "a missing file must fail the release"
    assert '"${files[@]}"' in script.splitlines()[-1]
    assert publish["env"]["TAG"] == "${{ github.ref_name }}"
    assert files[:2] == ["dist/limkb-site-$TAG.tar.gz", "dist/limkb-data-$TAG.zip"]
    copied = {f.removeprefix("dist/") for f in files[2:]} - {"SHA256SUMS"}
    assert copied == {"kb.sqlite", "references.bib", "references.ris", "references.csl.json"}

    kb = load(write_kb(tmp_path, {"materials/fec": minimal("material")}), cache=False)
    written = {p.name for p in write_outputs(kb, {}, tmp_path / "build")}
    assert copied <= written, f"the build no longer writes {sorted(copied - written)}"
    assert "datapackage.json" in written, "the data package zips build/datapackage.json"


def test_the_release_fails_when_the_tag_is_not_the_package_version(tmp_path: Path) -> None:
    script = str(_step(_load(RELEASE), "The tag is the package version")["run"])
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    assert shutil.which("limkb", path=env["PATH"]), "the check runs the installed `limkb --version`"

    def run(tag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=ROOT,
            env={**env, "TAG": tag},
            capture_output=True,
            text=True,
            timeout=60,
        )

    good = run(f"v{limkb.__version__}")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run("v999.0.0")
    assert bad.returncode == 1
    assert f"tag v999.0.0 is not v{limkb.__version__}" in bad.stdout
    # CITATION.cff must be bumped with the version
    (tmp_path / "CITATION.cff").write_text("version: 0.0.1\n", encoding="utf-8")
    stale = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env={**env, "TAG": f"v{limkb.__version__}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stale.returncode == 1 and "CITATION.cff does not say" in stale.stdout


@pytest.mark.skipif(shutil.which("tar") is None or shutil.which("sha256sum") is None, reason="needs GNU tar")
def test_the_release_files_are_packed_reproducibly(tmp_path: Path) -> None:
    """The packing step, run twice on the same outputs with other file times, writes the same bytes."""
    script = str(_step(_load(RELEASE), "Pack the site")["run"])
    kb = load(
        write_kb(
            tmp_path / "project",
            {
                "properties/coulombic-efficiency": minimal("property", "CE", unit="%"),
                "datasets/table-1": minimal(
                    "dataset",
                    "Table 1",
                    columns=[{"name": "ce", "property": "coulombic-efficiency", "unit": "%"}],
                    records=[{"label": "A", "ce": 99.2}],
                ),
            },
        ),
        cache=False,
    )
    sums = []
    for n, mtime in enumerate((1_000_000_000, 1_500_000_000)):
        work = tmp_path / f"run{n}"
        write_outputs(kb, {}, work / "build")
        (work / "site" / "entries").mkdir(parents=True)
        (work / "site" / "index.html").write_text("<p>home</p>\n", encoding="utf-8")
        (work / "site" / "entries" / "fec.html").write_text("<p>FEC</p>\n", encoding="utf-8")
        for path in work.rglob("*"):
            os.utime(path, (mtime, mtime))
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "TAG": "v0.1.0",
            "SOURCE_DATE_EPOCH": "1700000000",
        }
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr
        sums.append((work / "dist" / "SHA256SUMS").read_text(encoding="utf-8"))
    assert sums[0] == sums[1], "the release files depend on more than the build's outputs"

    dist = tmp_path / "run1" / "dist"
    assert sorted(p.name for p in dist.iterdir()) == sorted(
        [
            "limkb-site-v0.1.0.tar.gz",
            "limkb-data-v0.1.0.zip",
            "kb.sqlite",
            "references.bib",
            "references.ris",
            "references.csl.json",
            "SHA256SUMS",
        ]
    )
    with tarfile.open(dist / "limkb-site-v0.1.0.tar.gz") as archive:
        members = archive.getmembers()
    assert {m.name for m in members if m.isfile()} == {"./index.html", "./entries/fec.html"}
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(1700000000, 0, 0, "", "")}
    head = (dist / "limkb-site-v0.1.0.tar.gz").read_bytes()[:10]
    assert head[:2] == b"\x1f\x8b" and not head[3] & 0x08 and head[4:8] == bytes(4), (
        "gzip -n: no name, no time"
    )
    with zipfile.ZipFile(dist / "limkb-data-v0.1.0.zip") as archive:
        assert archive.namelist() == ["datapackage.json", "datasets/table-1.csv", "findings.csv"]
        assert (
            archive.read("datasets/table-1.csv")
            == (tmp_path / "run1/build/datasets/table-1.csv").read_bytes()
        )
    listed = dict(line.split("  ")[::-1] for line in sums[1].splitlines())
    assert listed["kb.sqlite"] == hashlib.sha256((dist / "kb.sqlite").read_bytes()).hexdigest()


# The pre-commit hooks


def _hook(hook_id: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == hook_id]
    return dict(hook)


def _module_path(module: str) -> Path | None:
    base = ROOT / "src" / Path(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported_limkb_modules(start: str) -> set[str]:
    """The limkb modules ``start`` imports at module level, transitively (package inits included).

    Function-local imports are left out: the schema is what the models are when imported.
    """
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        path = _module_path(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(2, len(parts))]  # the packages it sits in
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                todo += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return {m for m in seen if m.startswith("limkb.")}


def test_the_schema_hook_runs_when_any_module_that_shapes_the_schema_changes() -> None:
    """`limkb schema` writes ``KINDS[kind].model_json_schema()`` (commands/scaffold.py, schema_of).

    So the schema is shaped by the models and everything they import, and by schema_of itself;
    the committed schema files are checked when edited by hand.
    """
    hook = _hook("limkb-schema")
    assert hook["entry"] == "limkb schema --check" and hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    shaping = _imported_limkb_modules("limkb.schema.kinds") | {"limkb.commands.scaffold"}
    assert {"limkb.schema.fields", "limkb.schema.vocab", "limkb.schema.units", "limkb.report"} <= shaping
    for module in sorted(shaping):
        path = _module_path(module)
        assert path is not None
        relative = path.relative_to(ROOT).as_posix()
        assert pattern.search(relative), f"the limkb-schema hook's `files` misses {relative}"
    for schema in sorted((ROOT / "schema").glob("*.schema.json")):
        assert pattern.search(schema.relative_to(ROOT).as_posix()), schema
    for other in ("src/limkb/site/render.py", "kb/species/lif.yaml", "tests/test_cli.py"):
        assert not pattern.search(other), other


def test_the_entry_hooks_watch_the_entry_files() -> None:
    for hook_id in ("limkb-fmt", "limkb-validate"):
        pattern = re.compile(_hook(hook_id)["files"])
        assert pattern.search("kb/strategies/fec-additive.yaml"), hook_id
        assert not pattern.search("src/limkb/cli.py"), hook_id


def test_the_readme_says_how_to_cut_a_release() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Releases$(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README.md needs a '## Releases' section"
    section = match[1]
    for needed in ("src/limkb/_version.py", "date-released", "git push origin v", "Zenodo", "release.yml"):
        assert needed in section, needed
    script = _load(RELEASE)["jobs"]["release"]["steps"][-1]["run"]
    for name in script.split("files=(", 1)[1].split(")", 1)[0].split():
        shown = name.strip('"').removeprefix("dist/").replace("$TAG", "<tag>")
        assert f"`{shown}`" in section, f"the README's table of release files lacks {shown}"


def test_the_triage_job_that_can_write_runs_nothing_of_the_export() -> None:
    """limkb reads the fetched works with a read-only token; the job that pushes only commits
    files, and nothing fetched reaches a script through ``${{ }}``."""
    workflow = _load(ROOT / ".github/workflows/triage.yml")
    assert "schedule" in workflow["on"]
    triage, pull_request = workflow["jobs"]["triage"], workflow["jobs"]["pull-request"]
    assert "permissions" not in triage  # the top-level read-only token
    assert pull_request["needs"] == "triage"
    runs = [s["run"] for s in triage["steps"] if "run" in s]
    assert any("curl" in r and "api.openalex.org/works" in r for r in runs)
    assert any("limkb triage works.json" in r and "--stubs" in r for r in runs)
    for step in pull_request["steps"]:
        script = step.get("run", "")
        assert not re.search(r"^\s*(limkb|python|pip)\b", script, re.MULTILINE), script
        assert "pip" not in script and "${{" not in script
    opener = pull_request["steps"][-1]["run"]
    assert "gh pr create --draft" in opener and "--body-file triage-out/report.md" in opener
    assert "GH_TOKEN" in pull_request["steps"][-1]["env"]


def test_the_triage_workflow_runs_the_command_as_documented(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from limkb.cli import cli

    kb = write_kb(tmp_path, {"materials/dme": minimal("material", "DME", roles=["solvent"])})
    out = tmp_path / "triage-out"
    (out / "kb" / "references").mkdir(parents=True)
    export = ROOT / "tests" / "data" / "openalex-works.json"
    done = CliRunner().invoke(
        cli,
        [
            "triage",
            str(export),
            "--kb",
            str(kb),
            "--out",
            str(out / "report.md"),
            "--stubs",
            str(out / "kb" / "references"),
            "--top",
            "25",
        ],
    )
    assert done.exit_code == 0, done.output
    assert (out / "report.md").is_file() and list((out / "kb" / "references").glob("*.yaml"))
