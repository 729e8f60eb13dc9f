"""The code itself: ruff and mypy (strict, pydantic plugin) pass on the package, tests and benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted_by_ruff() -> None:
    result = run("ruff", "format", "--check", "src", "tests", "benchmarks")
    assert result.returncode == 0, "run `ruff format src tests benchmarks`:\n" + result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_layers_hold() -> None:
    """schema -> check -> analysis -> graph -> access -> outputs/site -> plugin -> commands -> cli.

    The contract is in pyproject.toml (``[tool.importlinter]``); it counts imports inside
    functions too.
    """
    script = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(script), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_import_contract_ignores_no_import() -> None:
    """Every layer holds as written: the contract lists no ``ignore_imports`` exception."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert contracts and all(not contract.get("ignore_imports") for contract in contracts)


def test_the_sql_view_is_handed_down_from_above_the_outputs_layer() -> None:
    """graph.py never imports outputs/; ``kb.engine`` is built by limkb.sqlview via the hook."""
    import limkb.graph
    from limkb.sqlview import memory_view

    source = (ROOT / "src/limkb/graph.py").read_text(encoding="utf-8")
    assert "from limkb.outputs" not in source and "import limkb.outputs" not in source
    assert len(limkb.graph._SQL_VIEW) == 1
    assert limkb.graph._SQL_VIEW[0] is memory_view
