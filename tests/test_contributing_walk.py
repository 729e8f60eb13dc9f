"""Walk CONTRIBUTING.md literally: run its walk commands in a copy of the project, then look at the site.

A fenced block right after ``<!-- walk -->`` is run with bash; one right after
``<!-- walk-file: PATH -->`` is saved as PATH (the files a contributor would write). Blocks run
in the order the document shows them, in a temporary copy of the project that is a fresh git
repository, with the ``limkb`` of this environment on PATH. So the test breaks when the document
and the tool drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"<!-- walk(?:-file: (?P<path>[^ ]+))? -->\n```(?P<lang>[a-z]*)\n(?P<body>.*?)^```", re.M | re.S
)
COPIED = ("kb", "schema", "docs", "mkdocs.yml", "CONTRIBUTING.md")

pytestmark = pytest.mark.slow


def walk_blocks(text: str) -> list[tuple[str | None, str, str]]:
    """(file path or None for commands, language, body) of every walk block, in order."""
    return [(m.group("path"), m.group("lang"), m.group("body")) for m in BLOCK.finditer(text)]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "limkb"
    root.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "fresh clone")
    return root


def test_the_document_has_a_walk() -> None:
    blocks = walk_blocks((REPO / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    commands = "\n".join(body for path, _, body in blocks if path is None)
    files = [path for path, _, _ in blocks if path]
    for needed in (
        "import-bib",
        "limkb new dataset",
        "import-table",
        "limkb new analysis",
        "limkb validate",
        "limkb fmt --check",
        "limkb build",
    ):
        assert needed in commands
    assert len(files) == 4 and any(f.endswith(".csv") for f in files)


def test_walk_contributing_literally(project: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "Walker",
        "GIT_AUTHOR_EMAIL": "walker@example.org",
        "GIT_COMMITTER_NAME": "Walker",
        "GIT_COMMITTER_EMAIL": "walker@example.org",
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    outputs: list[str] = []
    for path, _lang, body in walk_blocks((project / "CONTRIBUTING.md").read_text(encoding="utf-8")):
        if path is not None:
            target = project / path
            assert project in target.resolve().parents
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            continue
        done = subprocess.run(
            ["bash", "-e", "-c", body], cwd=project, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"$ {body}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
    said = "\n".join(outputs)

    # the references, the dataset with its five rows, the analysis
    assert "3 references created" in said
    for ref in ("okafor2023lithiophilic", "lindqvist2024silver", "tanaka2022nucleation"):
        assert (project / "kb" / "references" / f"{ref}.yaml").is_file()
    assert "appended 5 records to kb/datasets/example-nucleation-ce.yaml" in said
    assert "ok: no problems" in said or "entries checked" in said
    assert ", 0 not canonical" in said

    import limkb

    kb = limkb.load(project / "kb")
    assert len(kb.dataset("example-nucleation-ce").records) == 5
    result = kb.analyses["example-ce-vs-nucleation"]
    assert result.n == 5 and result.r < -0.9

    # the site shows the new pages and the new correlation
    site = project / "site"
    for page in (
        "entries/datasets/example-nucleation-ce",
        "entries/analyses/example-ce-vs-nucleation",
        "entries/references/okafor2023lithiophilic",
    ):
        assert (site / f"{page}.html").is_file(), page
    correlations = (site / "correlations.html").read_text(encoding="utf-8")
    assert "CE vs nucleation overpotential (practice example)" in correlations
    assert "example-ce-vs-nucleation" in correlations
    contributing = (site / "contributing.html").read_text(encoding="utf-8")
    assert "A first walk" in contributing

    # and the branch holds one commit with the new files
    log = subprocess.run(
        ["git", "-C", str(project), "log", "--oneline", "practice-walk"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Add example nucleation-overpotential dataset" in log.splitlines()[0]


def test_yaml_examples_are_canonical() -> None:
    from limkb.check.writer import format_text

    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    examples = re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)
    assert len(examples) >= 4
    for body in examples:
        kind = re.search(r"schema/(\S+)\.schema\.json", body)
        assert kind is not None, body
        assert format_text(body, kind.group(1))[0] == body
