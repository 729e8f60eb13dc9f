"""``limkb serve`` in the browser: a broken edit puts its located problems over the page, the
fix clears them and the page reloads with it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import Tab

from previewkit import running
from sitefactory import write_project

pytestmark = pytest.mark.browser


def test_a_broken_edit_shows_its_problems_over_the_page_and_the_fix_clears_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tab: Tab, screenshots: Callable[[Any, str], Path]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project")
    entry = project / "kb/materials/fec.yaml"
    good = entry.read_text(encoding="utf-8")
    with running(project, tmp_path / "out") as served:
        page = tab.page
        page.goto(served.base + "/limkb/entries/materials/fec.html")
        assert page.locator("h1").first.inner_text().startswith("Fluoroethylene carbonate")
        entry.write_text(good + "roles: [additive]\n", encoding="utf-8")  # a key twice
        overlay = page.locator(".limkb-overlay")
        overlay.wait_for(state="visible")
        text = overlay.inner_text()
        assert "materials/fec.yaml:" in text and "duplicate-key" in text
        assert (
            page.locator("h1").first.inner_text().startswith("Fluoroethylene carbonate")
        )  # the last good page
        screenshots(page, "preview-problems")
        entry.write_text(good.replace("name: Fluoroethylene", "name: Fixed fluoroethylene"), encoding="utf-8")
        page.wait_for_function("() => (document.querySelector('h1')?.textContent ?? '').startsWith('Fixed')")
        assert page.locator(".limkb-overlay").count() == 0
