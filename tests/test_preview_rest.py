"""After an edit of ``kb/``, ``limkb serve`` updates the rest of the site in place (no MkDocs
build: only the files whose content changed are written and converted), falls back to a dirty
build when a file comes or goes or ``docs/`` changed, and the site then equals a fresh
preview's; the preview keeps no entry page's text in memory (its pages are files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import minimal, write_entry
from limkb.commands.preview import Preview
from limkb.plugin import LimkbPlugin
from sitefactory import folder_files, fresh_preview, write_project

EXTRA = {f"species/extra-{i}": minimal("species", f"Extra species {i}", formula=f"Li{i}O") for i in range(8)}


def _count_builds(preview: Preview, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``dirty`` flag of every MkDocs build the preview runs from here on."""
    builds: list[bool] = []
    build = preview.build

    def counting(*, dirty: bool = False) -> None:
        builds.append(dirty)
        build(dirty=dirty)

    monkeypatch.setattr(preview, "build", counting)
    return builds


def _in_place(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """What every :meth:`LimkbPlugin.refresh_site` returns from here on."""
    seen: list[list[str] | None] = []
    refresh_site = LimkbPlugin.refresh_site

    def recording(self: LimkbPlugin) -> list[str] | None:
        seen.append(refresh_site(self))
        return seen[-1]

    monkeypatch.setattr(LimkbPlugin, "refresh_site", recording)
    return seen


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project", extra=EXTRA)


def test_an_edit_updates_the_rest_in_place_and_equals_a_fresh_preview(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        builds, in_place = _count_builds(preview, monkeypatch), _in_place(monkeypatch)
        entry = project / "kb" / "strategies" / "fec-additive.yaml"
        entry.write_text(
            entry.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, renamed"), "utf-8"
        )
        preview.refresh(edited=[entry])
        assert builds == []  # no MkDocs build: the files that changed were converted alone
        written = in_place[-1]
        assert written is not None and "browse/strategies.md" in written, written
        # what lists no strategy's name is left alone, and so are other entries' files
        assert "bibliography.md" not in written and "index.md" not in written, written
        assert [p for p in written if p.startswith(("cite/", "id/"))] == [
            "cite/fec-additive.bib",
            "cite/fec-additive.json",
            "cite/fec-additive.ris",
            "id/fec-additive.html",
        ]
        assert "FEC additive, renamed" in (preview.out / "browse/strategies.html").read_text("utf-8")
        assert folder_files(preview.out) == fresh_preview(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_an_entry_added_or_docs_changed_take_a_dirty_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        builds, in_place = _count_builds(preview, monkeypatch), _in_place(monkeypatch)
        added = write_entry(
            project / "kb", "species/extra-9", minimal("species", "Extra nine", formula="Li9O")
        )
        preview.refresh(edited=[added])
        assert in_place == [None] and builds == [True]  # new files: MkDocs must know them
        assert b"Extra nine" in folder_files(preview.out)["browse/species.html"]
        home = project / "docs" / "about.md"
        home.write_text(home.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
        preview.refresh(kb_changed=False, others_changed=True)
        assert builds == [True, True] and in_place == [None]
        assert folder_files(preview.out) == fresh_preview(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_the_preview_holds_no_entry_page_text(project: Path, tmp_path: Path) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        entry = project / "kb" / "species" / "extra-1.yaml"
        entry.write_text(entry.read_text(encoding="utf-8").replace("Extra species 1", "Extra one"), "utf-8")
        preview.refresh(edited=[entry])
        plugin = preview.plugin
        memo = plugin._memo
        assert len(memo.pages) >= len(EXTRA)
        assert all(isinstance(page, Path) and page.is_file() for page, _ in memo.pages.values())
        assert len(memo.texts) == 0
        held = [
            key
            for key, (kept, _) in plugin._folder.written.items()
            if Path(key).parent.parent.name == "entries" and kept is not None
        ]
        assert held == []  # neither the pages rendered nor the edited one written first
        page = project / ".cache/limkb/pages/entries/species/extra-1.md"
        assert "Extra one" in page.read_text(encoding="utf-8")
    finally:
        preview.close()


def test_pages_converted_in_place_are_not_scanned_for_anchors(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.structure import pages

    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        scanned: list[int] = []
        scan = pages._RawHTMLPreprocessor.run

        def counting(self: object, lines: list[str]) -> list[str]:
            scanned.append(len(lines))
            return scan(self, lines)  # type: ignore[arg-type]

        monkeypatch.setattr(pages._RawHTMLPreprocessor, "run", counting)
        in_place = _in_place(monkeypatch)
        entry = project / "kb" / "strategies" / "fec-additive.yaml"
        entry.write_text(
            entry.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, unscanned"), "utf-8"
        )
        preview.refresh(edited=[entry])
        written = in_place[-1]
        assert written is not None and "browse/strategies.md" in written, written
        assert scanned == []  # neither the edited page nor the pages listing it were scanned
        assert pages._RawHTMLPreprocessor.run is counting  # and MkDocs' own is back afterwards
        assert "FEC additive, unscanned" in (preview.out / "browse/strategies.html").read_text("utf-8")
        assert folder_files(preview.out) == fresh_preview(project, tmp_path / "fresh")
    finally:
        preview.close()
