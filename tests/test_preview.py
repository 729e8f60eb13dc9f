"""``limkb serve``: an edit's page is served at once, a broken edit shows its problems over the
last good site and the fix clears them; new and deleted entries; the rest of the site follows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbfactory import minimal, write_entry
from limkb.commands.preview import SETTLE, Preview, settled
from limkb.files import signatures
from previewkit import Running
from previewkit import running as start
from sitefactory import write_project


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with start(write_project(tmp_path / "project"), tmp_path / "out") as served:
        yield served


PAGE = "/limkb/entries/strategies/fec-additive.html"


def test_pages_are_served_under_the_site_path_with_the_live_script(running: Running) -> None:
    status, html = running.get(PAGE)
    assert status == 200 and "FEC additive" in html
    assert '<script src="/__limkb__/live.js"></script></body>' in html
    assert running.get("/__limkb__/live.js")[0] == 200
    assert running.get("/limkb/no-such-page.html")[0] == 404
    assert running.state()["problems"] == []


def test_an_edit_is_served_and_the_rest_of_the_site_follows(running: Running) -> None:
    kb = running.preview.project / "kb"
    version = running.state()["version"]
    write_entry(kb, "materials/fec", minimal("material", "Fluoroethylene carbonate, edited", aliases=["FEC"]))
    running.until(lambda: "edited" in running.get("/limkb/entries/materials/fec.html")[1], "the edited page")
    # the strategy that uses it names it by its new name, and so does the browse table, later
    running.until(lambda: "carbonate, edited" in running.get(PAGE)[1], "the neighbour's page")
    running.until(lambda: "carbonate, edited" in running.get("/limkb/browse/materials.html")[1], "the table")
    assert running.state()["version"] != version


def test_a_broken_edit_keeps_the_last_good_site_and_its_fix_clears_the_problems(running: Running) -> None:
    kb = running.preview.project / "kb"
    good = (kb / "materials/fec.yaml").read_text(encoding="utf-8")
    (kb / "materials/fec.yaml").write_text(good + "roles: [not-a-role]\n", encoding="utf-8")
    running.until(lambda: bool(running.state()["problems"]), "the problems")
    problems = running.state()["problems"]
    assert isinstance(problems, list)
    where = [p["where"] for p in problems]
    assert any(w.endswith(".yaml:" + w.split(":")[-2] + ":" + w.split(":")[-1]) for w in where)
    assert any("fec.yaml" in w for w in where)
    assert "Fluoroethylene carbonate" in running.get("/limkb/entries/materials/fec.html")[1]
    (kb / "materials/fec.yaml").write_text(
        good.replace("Fluoroethylene", "Fixed fluoroethylene"), encoding="utf-8"
    )
    running.until(lambda: running.state()["problems"] == [], "the problems cleared")
    running.until(
        lambda: "Fixed fluoroethylene" in running.get("/limkb/entries/materials/fec.html")[1], "the fix"
    )


def test_a_new_entry_gets_its_page_and_a_deleted_one_loses_it(running: Running) -> None:
    kb = running.preview.project / "kb"
    write_entry(kb, "species/li2o", minimal("species", "Lithium oxide", formula="Li2O"))
    running.until(lambda: running.get("/limkb/entries/species/li2o.html")[0] == 200, "the new page")
    assert "Lithium oxide" in running.get("/limkb/entries/species/li2o.html")[1]
    (kb / "species/li2o.yaml").unlink()
    running.until(lambda: running.get("/limkb/entries/species/li2o.html")[0] == 404, "the page gone")


def test_refresh_rebuilds_just_the_pages_the_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project")
    preview = Preview(project, tmp_path / "out")
    preview.build()
    untouched = tmp_path / "out/entries/properties/ce.html"
    before = untouched.stat().st_mtime_ns
    write_entry(project / "kb", "species/lif", minimal("species", "Lithium fluoride (edited)", formula="LiF"))
    changed = preview.plugin.refresh_entries()
    assert changed is not None and "entries/species/lif.md" in changed
    assert "properties/ce" not in " ".join(changed)
    assert "(edited)" in (tmp_path / "out/entries/species/lif.html").read_text(encoding="utf-8")
    assert untouched.stat().st_mtime_ns == before
    preview.close()


def test_a_file_still_being_written_is_read_once_it_settles(tmp_path: Path) -> None:
    entry = tmp_path / "lif.yaml"
    entry.write_text("", encoding="utf-8")  # truncated by the editor, not yet written
    seen = signatures(entry)
    stop = threading.Event()
    assert settled([entry], seen, stop)  # unchanged for a moment: read it
    writer = threading.Timer(SETTLE / 5, lambda: entry.write_text("name: LiF\n", encoding="utf-8"))
    writer.start()
    writer.join()
    assert not settled([entry], seen, stop)  # written meanwhile: wait for the next look
    assert settled([], {}, stop)
    stop.set()
    assert not settled([entry], signatures(entry), stop)  # stopping: no refresh
