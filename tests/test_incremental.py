"""Incremental ``limkb build``: after any edit the output equals a clean build's, and the
cache is used, bounded, untouched by a failed build and ignored by ``--clean``."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbfactory import SOURCE, minimal, tree_digest, write_entry
from limkb import incremental as incremental_module
from limkb.analysis import correlations
from limkb.check import cache as cache_module
from limkb.cli import cli
from limkb.commands.build import build
from limkb.errors import BuildError
from limkb.files import read_pickle, write_pickle
from limkb.incremental import OUTSIDE, HtmlCache
from limkb.schema.kinds import Entry
from limkb.site import memo as memo_module
from limkb.site import overview
from limkb.site import render as render_module
from limkb.site.context import entry_path
from sitefactory import write_project


def snapshot(folder: Path, *, skip: str | None = None) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (skip is None or p.relative_to(folder).parts[0] != skip)
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project")


def clean_copy(project: Path) -> Path:
    """The same sources in a folder of their own, built without any cache."""
    fresh = project.parent / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    for name in ("kb", "docs"):
        shutil.copytree(project / name, fresh / name)
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(project / name, fresh / name)
    build(fresh, clean=True)
    return fresh


def assert_same_as_clean(project: Path) -> None:
    fresh = clean_copy(project)
    built, expected = snapshot(project / "site"), snapshot(fresh / "site")
    assert sorted(built) == sorted(expected)
    assert [path for path in expected if built[path] != expected[path]] == []
    assert snapshot(project / "build", skip="cache") == snapshot(fresh / "build", skip="cache")


def calls(
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    name: str,
    noted: Callable[..., object] = lambda *a, **k: 1,
) -> list[object]:
    """Replace ``module.name`` by a wrapper noting ``noted(*arguments)`` for every call; returns the notes."""
    seen: list[object] = []
    original = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        seen.append(noted(*args, **kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return seen


def _prose(kb: Path) -> None:
    path = kb / "strategies/fec-additive.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Adds **FEC**", "Adds a little **FEC**"), encoding="utf-8"
    )


def _relation(kb: Path) -> None:
    write_entry(
        kb,
        "strategies/alumina-coating",
        minimal(
            "strategy",
            "Alumina coating",
            family="artificial-sei",
            forms=[{"id": "lif", "sources": SOURCE}],
            combines_with=[{"id": "lithiophilic-cu", "evidence": "unknown", "editorial": "Test link."}],
        ),
    )


def _record(kb: Path) -> None:
    path = kb / "datasets/thickness-ce.yaml"
    text = path.read_text(encoding="utf-8")
    assert "t: 10.0" in text
    path.write_text(text.replace("t: 10.0", "t: 12.5", 1), encoding="utf-8")


def _finding(kb: Path) -> None:
    """A CE finding on a strategy: its comparison rows, its page and its browse row change."""
    path = kb / "references/smith2020test.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "read:\n  status: abstract\n", encoding="utf-8")
    path = kb / "strategies/alumina-coating.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "findings:\n- quantity: ce\n  value: 99.5\n  unit: '%'\n  conditions:\n    cell: Li||Cu\n"
        + "  source:\n    ref: smith2020test\n    locator: Table 2\n  statement: A CE read in the paper.\n",
        encoding="utf-8",
    )


def _rename(kb: Path) -> None:
    (kb / "strategies/lithiophilic-cu.yaml").rename(kb / "strategies/lithiophilic-copper.yaml")
    for path in (kb / "strategies").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("lithiophilic-cu\n", "lithiophilic-copper\n"), encoding="utf-8")


def _deletion(kb: Path) -> None:
    (kb / "questions/why-lif.yaml").unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "prose": _prose,
    "relation": _relation,
    "dataset record": _record,
    "finding": _finding,
    "rename": _rename,
    "deletion": _deletion,
}


def test_after_every_kind_of_edit_the_site_equals_a_clean_build(project: Path) -> None:
    first = build(project)
    assert first.reused == 0
    again = build(project)
    assert again.reused == again.pages  # nothing changed: every page from the cache
    store = project / ".limkb-out"
    for name, edit in EDITS.items():
        edit(project / "kb")
        replaced = os.readlink(store / "previous")
        summary = build(project)
        assert 0 < summary.reused < summary.pages, name  # the edit rebuilt some pages, not all
        assert os.readlink(store / "current") == replaced, name  # the version before updated in place
        assert_same_as_clean(project)


def test_forwarding_and_citation_files_are_placed_by_limkb_not_by_mkdocs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = calls(monkeypatch, HtmlCache, "prepare", lambda cache, files, config: [f.src_uri for f in files])
    build(project)
    names = seen[0]
    assert isinstance(names, list) and "index.md" in names
    assert [name for name in names if name.startswith(OUTSIDE)] == []
    forwarding = project / "site/id/fec.html"
    citation = project / "site/cite/fec.bib"
    assert forwarding.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert citation.is_file()
    before = forwarding.stat().st_ino, citation.stat().st_ino
    _prose(project / "kb")
    build(project)  # into a fresh version folder: linked from the cache, not written again
    assert (forwarding.stat().st_ino, citation.stat().st_ino) == before
    _deletion(project / "kb")
    build(project)  # into the first version folder, updated in place
    assert not (project / "site/id/why-lif.html").exists()
    assert not (project / "site/cite/why-lif.bib").exists()
    assert (forwarding.stat().st_ino, citation.stat().st_ino) == before
    assert_same_as_clean(project)


def test_a_file_a_docs_page_links_to_in_markdown_stays_with_mkdocs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "docs/citing-fec.md").write_text("# Citing FEC\n\n[BibTeX](cite/fec.bib)\n", encoding="utf-8")
    seen = calls(monkeypatch, HtmlCache, "prepare", lambda cache, files, config: [f.src_uri for f in files])
    build(project)  # strict: a link MkDocs could not find would fail the build
    names = seen[0]
    assert isinstance(names, list) and "cite/fec.bib" in names and "cite/fec.ris" not in names
    html = (project / "site/citing-fec.html").read_text(encoding="utf-8")
    assert 'href="cite/fec.bib"' in html
    assert_same_as_clean(project)


def test_what_a_reused_folder_holds_in_place_is_neither_looked_at_nor_linked_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    build(project)  # into a fresh folder; the next build updates the first one in place
    looked = calls(monkeypatch, HtmlCache, "_cached")
    linked = calls(monkeypatch, incremental_module, "_link")
    summary = build(project)
    assert summary.reused == summary.pages
    assert (looked, linked) == ([], [])  # the manifest said every file was there already
    _prose(project / "kb")
    build(project)  # into the other folder: only the pages the edit changed are new there
    assert looked == [] and 0 < len(linked) < 20  # each page built now goes into the cache
    assert_same_as_clean(project)


def test_an_edited_entry_page_is_built_again_and_the_others_are_linked_from_the_cache(project: Path) -> None:
    build(project)
    untouched = project / "site/entries/materials/fec.html"
    before = untouched.stat().st_ino
    _prose(project / "kb")
    build(project)
    assert b"a little" in (project / "site/entries/strategies/fec-additive.html").read_bytes()
    assert untouched.stat().st_ino == before  # the same file: linked, not built again


def test_a_later_build_renders_only_the_entry_pages_an_edit_can_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    rendered = calls(monkeypatch, render_module, "_entry_page", lambda site, entry, *rest: entry.id)
    _prose(project / "kb")
    build(project)
    assert "fec-additive" in rendered  # the edited entry
    assert "fec" in rendered  # it names fec: fec's page lists it
    assert "lithiophilic-cu" not in rendered and "ce" not in rendered
    assert_same_as_clean(project)


def test_a_later_build_makes_again_only_the_browse_rows_an_edit_can_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    made = calls(monkeypatch, render_module, "_browse_row", lambda site, entry, links: entry.id)
    _prose(project / "kb")
    build(project)
    assert "fec-additive" in made
    assert "lithiophilic-cu" not in made and "ce" not in made
    assert_same_as_clean(project)


def test_a_later_build_reads_only_the_files_that_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    read = calls(monkeypatch, cache_module, "load_file", lambda path, **options: Path(path).name)
    _prose(project / "kb")
    build(project)
    assert read == ["fec-additive.yaml"]
    assert_same_as_clean(project)


def _other_dataset() -> dict[str, Any]:
    """A second dataset, and an analysis that reads it alone (the other analyses pool every
    dataset)."""
    return {
        "datasets/other-ce": minimal(
            "dataset",
            "Other thickness and CE",
            columns=[
                {"name": "t", "property": "sei-thickness", "unit": "nm"},
                {"name": "ce", "property": "ce", "unit": "%"},
            ],
            records=[{"label": f"o{i}", "t": 20.0 + i, "ce": 95.0 - i * 0.7} for i in range(5)],
        ),
        "analyses/other-ce-vs-thickness": minimal(
            "analysis",
            "CE against SEI thickness, other set",
            x="sei-thickness",
            y="ce",
            datasets=["other-ce"],
        ),
    }


def test_analyses_are_computed_again_only_when_their_inputs_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project", extra=_other_dataset())
    build(project)
    runs = calls(monkeypatch, correlations, "compute", lambda kb, analysis_id, inputs=None: analysis_id)
    _prose(project / "kb")  # a strategy: no analysis reads it
    build(project)
    assert runs == []
    _record(project / "kb")  # a record of thickness-ce: the analysis pooling every dataset reads it
    build(project)
    assert runs == ["ce-vs-thickness"]
    assert_same_as_clean(project)


def test_the_graph_is_laid_out_again_only_when_it_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    runs = calls(monkeypatch, overview, "layout")
    _prose(project / "kb")  # the graph is the same
    build(project)
    assert runs == []
    _relation(project / "kb")  # a new edge
    build(project)
    assert runs == [1]
    assert len(list((project / "build/cache/plots").glob("layout-*.json"))) == 1
    assert_same_as_clean(project)


def test_the_cache_holds_the_pages_of_the_last_build_only(project: Path) -> None:
    build(project)
    _deletion(project / "kb")
    _prose(project / "kb")
    build(project)
    manifest = read_pickle(project / "build/cache/html" / incremental_module.MANIFEST)
    assert isinstance(manifest, dict)
    cached = [p for p in (project / "build/cache/html").rglob("*.html")]
    pages = [p for p in (project / "site").rglob("*.html") if p.parent.name != "id" and p.name != "404.html"]
    assert len(cached) == len(manifest["pages"]) == len(pages)
    assert not (project / "site/entries/questions/why-lif.html").exists()


def test_a_failed_build_leaves_the_cache_as_it_was(project: Path) -> None:
    build(project)
    before = tree_digest(project / "build")
    _prose(project / "kb")
    (project / "docs/about.md").write_text("# About\n\n[gone](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(project)
    assert tree_digest(project / "build") == before


def test_clean_ignores_the_cache(project: Path) -> None:
    build(project)
    for path in (project / "build/cache/html").rglob("*.html"):
        size = path.stat().st_size
        path.unlink()  # the site's file is a link to the same data: break the link first
        path.write_bytes(b"x" * size)  # same size: the cache cannot tell
    summary = build(project, clean=True)
    assert summary.reused == 0
    assert b"x" * 200 not in (project / "site/index.html").read_bytes()
    assert_same_as_clean(project)


def test_a_navigation_the_cache_did_not_expect_makes_a_full_build(project: Path) -> None:
    build(project)
    manifest_path = project / "build/cache/html" / incremental_module.MANIFEST
    manifest = read_pickle(manifest_path)
    assert isinstance(manifest, dict)
    manifest["titles"][0][1] = "Not the title"
    manifest_path.unlink()
    write_pickle(manifest_path, manifest)
    _prose(project / "kb")
    summary = build(project)
    assert summary.reused == 0
    assert_same_as_clean(project)


def test_cli_build_clean(project: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--project", str(project)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["build", "--project", str(project)])
    assert second.exit_code == 0 and "from the cache" in second.output
    third = runner.invoke(cli, ["build", "--project", str(project), "--clean"])
    assert third.exit_code == 0 and "from the cache" not in third.output


def _combination(kb: Path) -> None:
    """A strategy using FEC is combined with another: FEC's "combinations" block changes."""
    path = kb / "strategies/fec-additive.yaml"
    text = path.read_text(encoding="utf-8")
    assert "id: alumina-coating" in text
    path.write_text(text.replace("id: alumina-coating", "id: lithiophilic-cu", 1), encoding="utf-8")


def _new_user(kb: Path) -> None:
    """A strategy that did not use FEC starts to, combined with another."""
    path = kb / "strategies/alumina-coating.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "uses:\n- id: fec\n  editorial: Test link.\n", encoding="utf-8"
    )


def _combined_renamed(kb: Path) -> None:
    """The strategy a user of FEC is combined with is renamed (its label, not its id)."""
    path = kb / "strategies/lithiophilic-cu.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Lithiophilic Cu", "name: Lithiophilic copper", 1), encoding="utf-8")


def _shorthand_electrolyte(kb: Path) -> None:
    """A record's electrolyte, written as shorthand, now names FEC: FEC's page lists it."""
    path = kb / "datasets/thickness-ce.yaml"
    text = path.read_text(encoding="utf-8")
    assert "label: e0\n" in text
    path.write_text(text.replace("label: e0\n", "label: e0\n  electrolyte: FEC\n", 1), encoding="utf-8")


def test_a_material_page_s_combinations_follow_edits_of_the_strategies_using_it(project: Path) -> None:
    build(project)
    page = project / "site/entries/materials/fec.html"
    assert b"Alumina coating" in page.read_bytes()
    _combination(project / "kb")
    build(project)
    shown = page.read_bytes()
    assert b"Lithiophilic Cu" in shown and b"Alumina coating" not in shown
    assert_same_as_clean(project)
    for edit in (_new_user, _combined_renamed, _shorthand_electrolyte):
        edit(project / "kb")
        build(project)
        assert_same_as_clean(project)
    assert b"Lithiophilic copper" in page.read_bytes()
    assert b"Thickness and CE" in page.read_bytes().split(b"limkb-combinations", 1)[1]


def test_analyses_json_makes_again_only_the_results_of_the_analyses_an_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a dataset value, ``analyses.json`` holds the analysis's new result (a stale text
    kept for it would fail the comparison with a clean build) and the other analysis's kept one."""
    import json

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project", extra=_other_dataset())
    build(project)
    _data_files_in_this_process(monkeypatch)  # so that the calls below are seen
    before = json.loads((project / "build/analyses.json").read_text(encoding="utf-8"))
    made = calls(monkeypatch, correlations, "result_json_item", lambda result: result.id)
    _record(project / "kb")  # a record of thickness-ce: the analysis pooling every dataset reads it
    build(project)
    assert made == ["ce-vs-thickness"]
    after = json.loads((project / "build/analyses.json").read_text(encoding="utf-8"))
    assert (
        [r["id"] for r in after] == [r["id"] for r in before] == ["ce-vs-thickness", "other-ce-vs-thickness"]
    )
    assert after[0] != before[0] and after[1] == before[1]
    assert 12.5 in [point["x"] for point in after[0]["points"]]
    assert_same_as_clean(project)
    made.clear()  # (the clean build made every text)
    _prose(project / "kb")  # analyses.json linked: its texts are carried to the next build
    build(project)
    assert made == []
    (project / "kb/analyses/other-ce-vs-thickness.yaml").write_text(
        (project / "kb/analyses/other-ce-vs-thickness.yaml")
        .read_text(encoding="utf-8")
        .replace("CE against SEI thickness, other set", "CE against SEI thickness, the other set"),
        encoding="utf-8",
    )
    build(project)
    assert made == ["other-ce-vs-thickness"]
    assert_same_as_clean(project)


def _data_files_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds write their data files in this process, not a forked one (as where there is no
    ``fork``), so that a test sees the calls they make."""
    import sys
    from types import SimpleNamespace

    from limkb.commands import build as build_module

    here = SimpleNamespace(
        platform="elsewhere", stdout=sys.stdout, stderr=sys.stderr, executable=sys.executable
    )
    monkeypatch.setattr(build_module, "sys", here)


def _inodes(build_dir: Path) -> dict[str, int]:
    """Each data file of ``build/`` (not its cache) by path, with its inode."""
    return {
        p.relative_to(build_dir).as_posix(): p.stat().st_ino
        for p in sorted(build_dir.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(build_dir).parts
    }


def _doi(kb: Path) -> None:
    path = kb / "references/smith2020test.yaml"
    text = path.read_text(encoding="utf-8")
    assert "10.1000/test.2020" in text
    path.write_text(text.replace("10.1000/test.2020", "10.1000/test.2021"), encoding="utf-8")


def _summary_in_sqlite(project: Path, entry_id: str) -> str:
    import sqlite3

    with contextlib.closing(sqlite3.connect(project / "build/kb.sqlite")) as db:
        return str(db.execute("SELECT summary FROM entries WHERE id = ?", (entry_id,)).fetchone()[0])


def test_a_rebuild_links_the_data_files_whose_inputs_are_unchanged_and_makes_the_others(
    project: Path,
) -> None:
    build(project)
    before = _inodes(project / "build")
    _prose(project / "kb")  # a strategy's summary: no dataset, reference or analysis reads it
    build(project)
    after = _inodes(project / "build")
    kept = {name for name in after if before.get(name) == after[name]}
    assert kept == {
        "analyses.json",
        "datapackage.json",
        "datasets/thickness-ce.csv",
        "findings.csv",
        "metadata.json",
        "references.bib",
        "references.csl.json",
        "references.ris",
    }
    assert "a little **FEC**" in _summary_in_sqlite(project, "fec-additive")  # not the old database
    assert_same_as_clean(project)

    before = after
    _record(project / "kb")  # the dataset's CSV and the analysis over it change, not the references
    build(project)
    after = _inodes(project / "build")
    assert before["datasets/thickness-ce.csv"] != after["datasets/thickness-ce.csv"]
    assert before["analyses.json"] != after["analyses.json"]
    assert before["references.bib"] == after["references.bib"]
    assert "12.5" in (project / "build/datasets/thickness-ce.csv").read_text(encoding="utf-8")
    assert_same_as_clean(project)

    before = after
    _doi(project / "kb")  # the reference: its files and the CSV showing its DOI are made again
    build(project)
    after = _inodes(project / "build")
    # (no finding cites the reference: findings.csv, which shows the DOIs it cites, stays)
    assert {n for n in after if before.get(n) == after[n]} == {
        "analyses.json",
        "findings.csv",
        "metadata.json",
    }
    assert "10.1000/test.2021" in (project / "build/datasets/thickness-ce.csv").read_text(encoding="utf-8")
    assert_same_as_clean(project)


def test_a_clean_build_writes_every_data_file_anew(project: Path) -> None:
    build(project)
    before = _inodes(project / "build")
    build(project, clean=True)
    after = _inodes(project / "build")
    assert sorted(before) == sorted(after)
    assert [name for name in after if before[name] == after[name]] == []


def test_a_rebuild_searches_only_the_page_texts_it_has_not_seen_for_links(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    searched = calls(monkeypatch, incremental_module, "markdown_targets", lambda src_uri, markdown: src_uri)
    _prose(project / "kb")
    summary = build(project)
    assert "entries/strategies/fec-additive.md" in searched  # its text changed
    assert 0 < len(searched) < summary.pages // 2  # the others' links are taken from the manifest
    assert "entries/materials/lif.md" not in searched
    assert_same_as_clean(project)


def test_entry_pages_outside_the_navigation_are_listed_pages_with_mkdocs_urls(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = calls(
        monkeypatch,
        HtmlCache,
        "finish",
        lambda cache, nav, files: {
            f.src_uri: type(f.page).__name__ for f in files.documentation_pages() if f.page is not None
        },
    )
    build(project)
    kinds = seen[0]
    assert isinstance(kinds, dict)
    assert kinds["entries/strategies/fec-additive.md"] == "ListedPage"
    assert kinds["index.md"] == "Page"  # in the navigation: made by MkDocs, with its title
    sitemap = (project / "site/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://limkb.github.io/limkb/entries/strategies/fec-additive.html</loc>" in sitemap


def test_a_rebuild_reads_only_the_entry_pages_whose_files_are_new(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    read = calls(monkeypatch, incremental_module, "_read_text", lambda file: file.src_uri)
    rendered = calls(monkeypatch, render_module, "_entry_page", lambda site, entry, *rest: entry_path(entry))
    _prose(project / "kb")
    summary = build(project)
    entries = {path for path in read if isinstance(path, str) and path.count("/") == 2}
    assert "entries/strategies/fec-additive.md" in entries  # its text changed: a new file
    assert "entries/materials/lif.md" not in entries  # the same file as the last build's
    assert entries == set(rendered)  # only the pages rendered again, written anew, are read
    assert len(entries) < summary.pages // 2
    assert_same_as_clean(project)


def test_a_rebuild_hashes_again_only_the_entries_of_changed_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render memo keeps each entry's digest under its file's key in the file cache: after a
    summary edit only the edited entry is hashed again, and the site is still a clean build's."""
    build(project)
    hashed: list[str] = []
    real = memo_module.digest

    def noting(entry: Entry, history: object = None) -> str:
        hashed.append(entry.id)
        return real(entry, history)

    _prose(project / "kb")
    with monkeypatch.context() as patch:  # not undo(): the fixture's SOURCE_DATE_EPOCH stays
        patch.setattr(memo_module, "digest", noting)
        build(project)
    assert hashed == ["fec-additive"]
    assert_same_as_clean(project)
