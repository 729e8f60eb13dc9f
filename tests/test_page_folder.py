"""The preview's page folder (site/page_folder.py) and the data files the site offers
(outputs.download_files): what the plugin hands its work to."""

from __future__ import annotations

import os
from pathlib import Path

from limkb.outputs import download_files
from limkb.site.context import Download
from limkb.site.page_folder import KEPT, PageFolder


def test_materialise_writes_what_changed_and_drops_the_rest(tmp_path: Path) -> None:
    folder, pages = PageFolder(), {"index.md": "# Home", "entries/species/lif.md": "# LiF"}
    folder.materialise(pages, tmp_path)
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "# Home"
    os.utime(tmp_path / "index.md", ns=(1, 1))
    folder.materialise({**pages, "index.md": "# Home"}, tmp_path)  # the same text: not written again
    assert (tmp_path / "index.md").stat().st_mtime_ns == 1
    folder.materialise({"index.md": "# Home, changed"}, tmp_path)
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "# Home, changed"
    assert not (tmp_path / "entries/species/lif.md").exists()
    assert str(tmp_path / "entries/species/lif.md") not in folder.written


def test_an_entry_page_and_small_files_are_kept_and_large_pages_only_hashed(tmp_path: Path) -> None:
    folder, entry, cite = PageFolder(), "# LiF", "@article{lif}"
    large = "# Browse\n" + "| row |\n" * (KEPT // 4)
    written = folder.materialise(
        {"entries/species/lif.md": entry, "cite/lif.bib": cite, "browse/species.md": large}, tmp_path
    )
    assert written == ["entries/species/lif.md", "cite/lif.bib", "browse/species.md"]
    assert folder.written[str(tmp_path / "entries/species/lif.md")][0] is entry
    assert folder.written[str(tmp_path / "cite/lif.bib")][0] is cite
    assert folder.written[str(tmp_path / "browse/species.md")][0] is None
    again = folder.materialise({"cite/lif.bib": cite, "browse/species.md": large + "| new |\n"}, tmp_path)
    assert again == ["browse/species.md"]


def test_materialise_keeps_files_written_by_others_and_may_leave_the_rest(tmp_path: Path) -> None:
    folder = PageFolder()
    (tmp_path / "entries/species").mkdir(parents=True)
    (tmp_path / "entries/species/lif.md").write_text("# LiF", encoding="utf-8")
    (tmp_path / "stale.md").write_text("# Stale", encoding="utf-8")
    folder.materialise({"index.md": "# Home"}, tmp_path, keep=["entries/species/lif.md"], prune=False)
    assert (tmp_path / "stale.md").is_file()
    folder.materialise({"index.md": "# Home"}, tmp_path, keep=["entries/species/lif.md"])
    assert (tmp_path / "entries/species/lif.md").is_file()
    assert not (tmp_path / "stale.md").exists()


def test_write_says_whether_it_wrote(tmp_path: Path) -> None:
    folder = PageFolder()
    assert folder.write(tmp_path, "entries/species/lif.md", "# LiF")
    assert not folder.write(tmp_path, "entries/species/lif.md", "# LiF")
    (tmp_path / "entries/species/lif.md").unlink()
    assert folder.write(tmp_path, "entries/species/lif.md", "# LiF")  # gone from disk: written again


def test_a_banner_that_changes_touches_every_page(tmp_path: Path) -> None:
    folder = PageFolder()
    folder.materialise({"index.md": "# Home"}, tmp_path)
    os.utime(tmp_path / "index.md", ns=(1, 1))
    folder.show_banner(None, tmp_path, ["index.md"])  # none before, none now
    assert (tmp_path / "index.md").stat().st_mtime_ns == 1
    folder.show_banner("<div>problems</div>", tmp_path, ["index.md"])
    assert (tmp_path / "index.md").stat().st_mtime_ns > 1
    assert folder.banner == "<div>problems</div>"


def test_download_files_leave_out_the_cache_and_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache/files.pickle").write_bytes(b"x")
    (tmp_path / ".outputs-failed").write_text("no", encoding="utf-8")
    (tmp_path / "kb.sqlite").write_bytes(b"12345")
    assert download_files(tmp_path) == {"downloads/kb.sqlite": b"12345"}
    kept = download_files(tmp_path, keep=True)
    assert kept == {"downloads/kb.sqlite": tmp_path / "kb.sqlite"}
    assert Download.listing(kept) == (Download("downloads/kb.sqlite", 5),)
    assert Download.listing({"downloads/a.csv": b"abc"}) == (Download("downloads/a.csv", 3),)
