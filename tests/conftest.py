"""Suite-wide fixtures and hooks: the real knowledge base once per run; no silent browser skips.

Browser tests skip when Debian's chromium (or Playwright) is missing and ``CI`` is not set; with
``CI`` set they fail instead (see ``browser/sitekit.py``). Either way the run ends by saying how
many browser tests did not run and why, on the line just before pytest's own summary, so a
green run without a browser cannot pass for a full one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Under pytest-xdist (``-n``), send each test file to one worker as a whole, so that its
    module fixtures are built once, and every browser test to the same worker, so that the site
    is built and chromium started once (``--dist loadgroup`` distributes these groups)."""
    for item in items:
        path = Path(str(item.path)).resolve()
        group = "browser" if (REPO / "tests" / "browser") in path.parents else path.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "tests/browser/" in report.nodeid.replace("\\", "/") or report.nodeid.startswith("browser/")
    ]
    if not skipped:
        return
    reasons = Counter(_skip_reason(report) for report in skipped)
    why = "; ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
    terminalreporter.write_sep("!", f"{len(skipped)} browser tests skipped: {why}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def real_kb() -> Any:
    """The repository's ``kb/``, validated and linked once per test session (not cached on disk)."""
    import limkb

    return limkb.load(REPO / "kb", cache=False)
