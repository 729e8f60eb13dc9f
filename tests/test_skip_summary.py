"""A run whose browser tests skipped says so at its end, with the reason (tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_ENV = {**os.environ, "PYTEST_ADDOPTS": ""}
"""The inner run gets none of the outer run's options (CI passes -q and a junit file through it)."""


def test_skipped_browser_tests_are_counted_with_their_reason_at_the_end(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "browser").mkdir(parents=True)
    shutil.copy(HERE / "conftest.py", tests / "conftest.py")
    (tests / "browser" / "test_page.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', [1, 2, 3])\n"
        "def test_page(n):\n"
        "    pytest.skip('browser tests need chromium: /usr/bin/chromium not found')\n",
        encoding="utf-8",
    )
    (tests / "test_other.py").write_text("def test_other():\n    assert True\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_ENV,
    )
    lines = done.stdout.strip().splitlines()
    assert (
        "3 browser tests skipped: browser tests need chromium: /usr/bin/chromium not found (3)" in lines[-2]
    )
    assert "1 passed, 3 skipped" in lines[-1]


def test_a_run_without_skipped_browser_tests_adds_nothing(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(HERE / "conftest.py", tests / "conftest.py")
    (tests / "test_other.py").write_text("def test_other():\n    assert True\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_ENV,
    )
    assert "browser tests skipped" not in done.stdout
