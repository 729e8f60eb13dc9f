"""Packaging: the sdist and the wheel as built, the metadata, the one version, declared imports, Zenodo.

The distributions are built by calling the build backend that ``[build-system]`` names
through its PEP 517 hooks (what ``python -m build --no-isolation`` does), in a copy of the
project, so that nothing is written into the working tree and nothing is downloaded.
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterable
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import limkb

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT: dict[str, Any] = PYPROJECT["project"]

# Outputs, caches and environments: never part of a distribution, and not copied to build one.
_NOT_SOURCES = {
    ".git",
    ".limkb-out",
    ".venv",
    "dist",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".import_linter_cache",
    ".cache",
}
_ROOT_OUTPUTS = {"build", "site"}  # at the top only: src/limkb/site/ is a package


def _ignore(directory: str, names: list[str]) -> set[str]:
    ignored = {n for n in names if n in _NOT_SOURCES or n.endswith(".egg-info")}
    if Path(directory).resolve() == ROOT:
        ignored |= _ROOT_OUTPUTS & set(names)
    return ignored


def _hook(project: Path, hook: str, out: Path) -> Path:
    """Run the backend's PEP 517 ``hook`` (build_sdist / build_wheel) in ``project``; the file it wrote."""
    system = PYPROJECT["build-system"]
    for requirement in map(Requirement, system["requires"]):
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(
                f"the build backend needs {requirement} (it is in requirements-test.lock): pip install it"
            )
        assert requirement.specifier.contains(installed, prereleases=True), f"{requirement}: {installed}"
    code = "import importlib, sys; print(getattr(importlib.import_module(sys.argv[1]), sys.argv[2])(sys.argv[3]))"
    done = subprocess.run(
        [sys.executable, "-c", code, system["build-backend"], hook, str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel): the sdist built from a copy of the project, the wheel from the sdist."""
    tmp = tmp_path_factory.mktemp("dists")
    project = tmp / "project"
    shutil.copytree(ROOT, project, ignore=_ignore, symlinks=True)
    sdist = _hook(project, "build_sdist", tmp / "dist")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    wheel = _hook(unpacked, "build_wheel", tmp / "dist")
    return sdist, wheel


def _sdist_names(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
    top = f"limkb-{limkb.__version__}/"
    assert all(n.startswith(top) for n in names), names[:5]
    return {n.removeprefix(top) for n in names}


def _tracked(folder: str) -> set[str]:
    """The files under ``folder`` a checkout holds (outputs and caches left out)."""
    found = set()
    for path in (ROOT / folder).rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.is_file() and not parts & _NOT_SOURCES and path.suffix not in {".pyc", ".pyo"}:
            found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.slow
def test_the_sdist_ships_what_the_tests_and_a_build_need(dists: tuple[Path, Path]) -> None:
    names = _sdist_names(dists[0])
    for name in (
        "pyproject.toml",
        "LICENSE",
        "LICENSE-DATA",
        "README.md",
        "CONTRIBUTING.md",
        "CITATION.cff",
        ".zenodo.json",
        "mkdocs.yml",
        "requirements.lock",
        "requirements-test.lock",
        ".pre-commit-config.yaml",
        "src/limkb/__init__.py",
        "src/limkb/py.typed",
    ):
        assert name in names, f"the sdist lacks {name}: add it to MANIFEST.in"
    for folder in (
        "kb",
        "schema",
        "docs",
        "tests",
        "benchmarks",
        ".ci",
        ".github",
        "src/limkb/site/templates",
    ):
        missing = _tracked(folder) - names
        assert _tracked(folder), folder
        assert not missing, f"the sdist lacks {sorted(missing)[:5]}: graft {folder} in MANIFEST.in"
    stray = sorted(
        n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith(("build/", "site/"))
    )
    assert not stray, stray


@pytest.mark.slow
def test_the_wheel_holds_the_package_its_data_and_both_licences(dists: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(dists[1]) as archive:
        names = set(archive.namelist())
        info = f"limkb-{limkb.__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/LICENSE-DATA"} <= names
    assert {"limkb/__init__.py", "limkb/py.typed", "limkb/cli.py"} <= names
    assert any(n.startswith("limkb/site/templates/") for n in names)
    assert any(n.startswith("limkb/site/assets/") for n in names)
    assert not any(n.startswith(("kb/", "tests/", "docs/", "schema/")) for n in names), (
        "data stays in the sdist"
    )
    assert "limkb = limkb.cli:console" in entry_points and "limkb.plugin:LimkbPlugin" in entry_points
    _check_metadata(metadata)


def _check_metadata(metadata: Message) -> None:
    assert metadata["Version"] == limkb.__version__
    assert metadata["License-Expression"] == "MIT"
    assert sorted(metadata.get_all("License-File") or []) == ["LICENSE", "LICENSE-DATA"]
    classifiers = set(metadata.get_all("Classifier") or [])
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Topic :: Scientific/Engineering :: Chemistry" in classifiers
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= urls.keys()
    assert metadata["Keywords"]


def test_the_urls_name_the_repository_the_site_and_the_citation_name() -> None:
    urls = PROJECT["urls"]
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    repo_url = re.search(r"^repo_url:\s*(\S+)", mkdocs, re.M)
    site_url = re.search(r"^site_url:\s*(\S+)", mkdocs, re.M)
    assert repo_url and site_url
    assert urls["Repository"] == repo_url[1]
    assert urls["Issues"] == f"{repo_url[1]}/issues"
    assert urls["Documentation"] == urls["Homepage"] == site_url[1]
    minors = re.findall(
        r"^Programming Language :: Python :: 3\.(\d+)$", "\n".join(PROJECT["classifiers"]), re.M
    )
    assert PROJECT["requires-python"] == f">=3.{min(map(int, minors))}"


def test_the_version_lives_in_one_place() -> None:
    """Bump ``src/limkb/_version.py`` only: pyproject reads it, CITATION.cff must agree."""
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "limkb._version.__version__"}
    source = (ROOT / "src/limkb/_version.py").read_text(encoding="utf-8")
    assert re.findall(r'^__version__ = "([^"]+)"$', source, re.M) == [limkb.__version__]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(citation["version"]) == limkb.__version__, "bump CITATION.cff's version with the package's"


def test_zenodo_metadata_is_valid_and_agrees_with_the_citation_file() -> None:
    """Zenodo's GitHub integration reads .zenodo.json for every release; an invalid file fails the archive."""
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert zenodo["title"] == citation["title"]
    assert zenodo["upload_type"] == "software"
    assert zenodo["creators"] and all(c.get("name") for c in zenodo["creators"])
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in citation["authors"]]
    assert zenodo["license"] == citation["license"] == PROJECT["license"]
    assert "CC BY 4.0" in zenodo["description"], "say that kb/ and its outputs are CC BY 4.0"
    # Without a version Zenodo takes the tag's name; with one, it must be the package's.
    assert zenodo.get("version", limkb.__version__) == limkb.__version__
    assert set(zenodo["keywords"]) <= set(PROJECT["keywords"])
    for identifier in zenodo.get("related_identifiers", []):
        assert {"identifier", "relation"} <= identifier.keys()


# Declared imports (what deptry checks), without deptry

INDIRECT: dict[str, str] = {
    "mkdocs-material": "the site's theme: MkDocs loads it by the name in mkdocs.yml (theme: material)",
}
"""Declared dependencies that limkb's code never imports, and why they are declared."""


def imported_distributions(files: Iterable[Path]) -> dict[str, set[str]]:
    """Distribution (canonical name, or ``?module`` when none provides it) -> the files importing it.

    Every ``import`` and absolute ``from ... import`` counts, function-local ones too; the
    standard library, ``limkb`` itself and ``__future__`` are left out.
    """
    providers = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top in sys.stdlib_module_names or top in {"limkb", "__future__"}:
                    continue
                for dist in providers.get(top, [f"?{top}"]):
                    found.setdefault(canonicalize_name(dist) if dist[0] != "?" else dist, set()).add(
                        path.name
                    )
    return found


def dependency_problems(files: Iterable[Path], declared: Iterable[str]) -> list[str]:
    """What deptry would say: imported but undeclared, and declared but unused (less :data:`INDIRECT`)."""
    imported = imported_distributions(files)
    names = {canonicalize_name(Requirement(d).name) for d in declared}
    problems = [
        f"{dist} is imported by {', '.join(sorted(where))} but not in [project].dependencies"
        for dist, where in sorted(imported.items())
        if dist not in names
    ]
    problems += [
        f"{dist} is declared but never imported (if it is needed indirectly, add it to INDIRECT with why)"
        for dist in sorted(names - imported.keys() - set(INDIRECT))
    ]
    return problems


def test_every_import_is_declared_and_every_dependency_is_used() -> None:
    files = sorted((ROOT / "src" / "limkb").rglob("*.py"))
    assert len(files) > 20
    assert dependency_problems(files, PROJECT["dependencies"]) == []
    declared = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    assert set(INDIRECT) <= declared, "INDIRECT names a dependency that is no longer declared"


def test_the_dependency_check_finds_an_undeclared_and_an_unused_one(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import os\nimport yaml\n\n\ndef fetch():\n    import requests\n    from pytest import fixture\n",
        encoding="utf-8",
    )
    problems = dependency_problems([module], ["pyyaml>=6", "networkx>=3"])
    assert "pytest is imported by module.py but not in [project].dependencies" in problems
    assert any(p.startswith(("requests is imported", "?requests is imported")) for p in problems), problems
    assert any(p.startswith("networkx is declared but never imported") for p in problems)
    assert not any(p.startswith(("pyyaml", "os")) for p in problems), problems
