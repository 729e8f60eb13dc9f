"""``limkb serve`` shows an edited entry's page before the KB is checked and linked again: the
page of the saved file, read alone, is served first; the full refresh follows and the site
ends as a fresh preview's of the same sources."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from limkb.commands.preview import Preview
from previewkit import WAIT, Running
from previewkit import running as start
from sitefactory import folder_files, write_project

PAGE = "/limkb/entries/strategies/fec-additive.html"


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with start(write_project(tmp_path / "project"), tmp_path / "out") as served:
        yield served


def _held_refresh(preview: Preview) -> tuple[threading.Event, threading.Event]:
    """Hold the full refresh (validation of the whole KB) until released; (entered, release)."""
    plugin = preview.plugin
    full, entered, release = plugin.refresh_entries, threading.Event(), threading.Event()

    def held() -> list[str] | None:
        entered.set()
        assert release.wait(WAIT)
        return full()

    plugin.refresh_entries = held  # type: ignore[method-assign]
    return entered, release


def test_the_edited_page_is_served_before_the_full_refresh(running: Running, tmp_path: Path) -> None:
    preview = running.preview
    entry = preview.project / "kb" / "strategies" / "fec-additive.yaml"
    entered, release = _held_refresh(preview)
    version = running.state()["version"]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, quick"), "utf-8"
    )
    try:
        running.until(lambda: "FEC additive, quick" in running.get(PAGE)[1], "the edited page")
        assert entered.wait(WAIT)
        state = running.state()
        assert state["busy"] is True and state["version"] != version  # open pages reload at once
        # the rest of the site is not rebuilt yet: the browse table still shows the old name
        assert "FEC additive, quick" not in running.get("/limkb/browse/strategies.html")[1]
    finally:
        release.set()
    running.until(
        lambda: "FEC additive, quick" in running.get("/limkb/browse/strategies.html")[1], "the rest"
    )
    running.until(lambda: running.state()["busy"] is False, "the end of the refresh")
    fresh = Preview(preview.project, tmp_path / "fresh")
    try:
        fresh.build()
    finally:
        fresh.close()
    assert folder_files(preview.out) == folder_files(fresh.out)


def test_an_edit_that_does_not_check_alone_waits_for_the_full_refresh(running: Running) -> None:
    preview = running.preview
    entry = preview.project / "kb" / "strategies" / "fec-additive.yaml"
    good = entry.read_text(encoding="utf-8")
    entered, release = _held_refresh(preview)
    entry.write_text(good.replace("FEC additive", "FEC additive, broken") + "not_a_field: 1\n", "utf-8")
    try:
        assert entered.wait(WAIT)
        assert "FEC additive, broken" not in running.get(PAGE)[1]  # never shown: the file has an error
    finally:
        release.set()
    running.until(lambda: bool(running.state()["problems"]), "the problems")
    assert "FEC additive, broken" not in running.get(PAGE)[1]
    entry.write_text(good, "utf-8")
    running.until(lambda: not running.state()["problems"], "the fix")
