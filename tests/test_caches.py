"""Caches that make builds and `limkb serve` quicker: they never change what is produced.

The per-file validation cache (serve), the plot cache (in memory and on disk across builds)
and the release of the knowledge base before MkDocs writes HTML.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from kbfactory import REF, SOURCE, minimal, tree_digest, write_entry, write_kb
from limkb.analysis.correlations import AnalysisResult, Point, correlate
from limkb.check import cache as cache_module
from limkb.check.validate import FileCache, validate_kb
from limkb.commands.build import build
from limkb.graph import KnowledgeBase, link
from limkb.plugin import CACHE_DIR, LimkbPlugin, Prepared
from limkb.schema.kinds import Reported
from limkb.site import overview as pages
from limkb.site import plots
from limkb.site.render import RenderMemo, RenderOptions, render
from sitefactory import site_kb, write_project

# --- per-file validation cache ----------------------------------------------------------------


def _kb(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "strategies/fec-additive": minimal(
                "strategy", "FEC additive", uses=[{"id": "fec", "sources": SOURCE}]
            ),
            "materials/fec": minimal("material", "Fluoroethylene carbonate"),
            "species/lif": minimal("species", "Lithium fluoride"),
        },
    )


def _same(kb: Path, cache: FileCache) -> None:
    """Validation with the cache gives what validation without it gives."""
    cached, fresh = validate_kb(kb, cache=cache), validate_kb(kb)
    assert cached.entries == fresh.entries
    assert list(cached.report) == list(fresh.report)
    assert cached.invalid == fresh.invalid


def test_an_edit_re_reads_only_the_edited_file(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    _same(kb, cache)
    assert (cache.hits, cache.misses) == (0, 4)
    cache.hits = cache.misses = 0
    write_entry(kb, "materials/fec", minimal("material", "FEC, renamed"))
    _same(kb, cache)
    assert (cache.hits, cache.misses) == (3, 1)
    assert validate_kb(kb, cache=cache).entries["fec"].label == "FEC, renamed"


def test_a_reverted_edit_never_serves_the_edited_content(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    original = (kb / "materials/fec.yaml").read_bytes()
    validate_kb(kb, cache=cache)
    write_entry(kb, "materials/fec", minimal("material", "Edited"))
    assert validate_kb(kb, cache=cache).entries["fec"].label == "Edited"
    (kb / "materials/fec.yaml").write_bytes(original)
    assert validate_kb(kb, cache=cache).entries["fec"].label == "Fluoroethylene carbonate"
    _same(kb, cache)


def test_unchanged_old_files_are_not_read_again_and_a_same_size_edit_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    later = time.time_ns() + 10_000_000_000  # as if every file had been written long before it was hashed
    monkeypatch.setattr(cache_module.time, "time_ns", lambda: later)
    validate_kb(kb, cache=cache)
    read: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        read.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    validate_kb(kb, cache=cache)
    assert read == [], "unchanged files were read again"
    path = kb / "materials/fec.yaml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Fluoroethylene carbonate", "Fluoroethylene carbonatX")
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")
    assert validate_kb(kb, cache=cache).entries["fec"].label == "Fluoroethylene carbonatX"


def test_cross_entry_checks_run_again_on_unchanged_files(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    assert validate_kb(kb, cache=cache).report.ok(strict=True)
    (kb / "materials/fec.yaml").unlink()  # the strategy, unchanged, now names a missing entry
    found = validate_kb(kb, cache=cache)
    assert "fec-additive" not in found.entries or not found.report.ok(strict=False)
    assert [p.code for p in found.report] == [p.code for p in validate_kb(kb).report]
    assert all(key[0] != str(kb / "materials/fec.yaml") for key in cache.files), "a deleted file is forgotten"
    write_entry(kb, "materials/fec", "name: [unclosed\n")  # a broken file comes back
    _same(kb, cache)
    assert not validate_kb(kb, cache=cache).report.ok(strict=False)
    write_entry(kb, "materials/fec", minimal("material", "Back"))
    _same(kb, cache)
    assert validate_kb(kb, cache=cache).report.ok(strict=True)


# --- plots --------------------------------------------------------------------------------------


def _result(pairs: list[tuple[float, float]], *, reported: float | None = 0.4) -> AnalysisResult:
    points = tuple(Point(f"e{i}", "d", x, y, "smith2020test") for i, (x, y) in enumerate(pairs))
    s = correlate(points)
    return AnalysisResult(
        id="ce-vs-t",
        name="CE vs t",
        x="t",
        y="ce",
        x_unit="nm",
        y_unit="%",
        datasets=("d",),
        excluded=0,
        stats=s,
        reported=None
        if reported is None
        else Reported(value=reported, ref="smith2020test", locator="Fig. 1c"),
        difference=None,
        points=points,
        x_label="t",
        y_label="CE",
    )


PAIRS = [(1.0, 90.0), (2.0, 92.0), (3.0, 91.5), (4.0, 95.0)]


def test_plots_come_from_the_disk_cache_in_a_new_process_and_equal_fresh_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = {"ce-vs-t": _result(PAIRS)}
    fresh = pages.plot_files(results)
    assert pages.plot_files(results, cache_dir=tmp_path / "plots") == fresh
    assert len(list((tmp_path / "plots").glob("*.svg"))) == 2  # the scatter plot and Fig. 1's panel

    def refuse(*args: object) -> str:
        raise AssertionError("drew a plot that was cached")

    monkeypatch.setattr(plots, "scatter_svg", refuse)
    monkeypatch.setattr(plots, "figure1_panel_svg", refuse)
    assert pages.plot_files(results, cache_dir=tmp_path / "plots") == fresh


def test_changed_results_are_drawn_again_and_unused_plots_pruned(tmp_path: Path) -> None:
    folder = tmp_path / "plots"
    before = pages.plot_files({"ce-vs-t": _result(PAIRS)}, cache_dir=folder)
    changed = {"ce-vs-t": _result([*PAIRS[:-1], (4.0, 80.0)], reported=0.5)}
    after = pages.plot_files(changed, cache_dir=folder)
    assert after["plots/ce-vs-t.svg"] != before["plots/ce-vs-t.svg"]
    assert after["plots/figure-1-1.svg"] != before["plots/figure-1-1.svg"]
    assert after == pages.plot_files(changed)
    assert sorted(p.read_text(encoding="utf-8") for p in folder.glob("*.svg")) == sorted(after.values())


def test_figure_1_is_drawn_once_per_memory_for_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    draw = plots.figure1_panel_svg

    def counted(panel: tuple[str, list[AnalysisResult]]) -> str:
        calls.append(1)
        return draw(panel)

    monkeypatch.setattr(plots, "figure1_panel_svg", counted)
    results = {"ce-vs-t": _result(PAIRS, reported=0.3)}
    memory = pages.PlotCache()
    first = pages.plot_files(results, memory=memory)
    assert pages.plot_files(results, memory=memory) == first
    assert len(calls) == 1
    assert pages.plot_files(results) == first  # without the memory: drawn again, the same
    assert len(calls) == 2


def test_a_changed_value_draws_only_its_panel_of_figure_1_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    draw = plots.figure1_panel_svg

    def counted(panel: tuple[str, list[AnalysisResult]]) -> str:
        drawn.append(panel[0])
        return draw(panel)

    monkeypatch.setattr(plots, "figure1_panel_svg", counted)
    thickness = _result(PAIRS, reported=0.3)
    other = replace(
        _result(PAIRS),
        id="ce-vs-o",
        y="other-y",
        reported=Reported(value=0.5, ref="smith2020test", locator="Fig. 1d"),
    )
    folder = tmp_path / "plots"
    before = pages.plot_files({"ce-vs-t": thickness, "ce-vs-o": other}, cache_dir=folder)
    assert drawn == ["Fig. 1c", "Fig. 1d"] and len(before) == 4
    drawn.clear()
    changed = {"ce-vs-t": _result([*PAIRS[:-1], (4.0, 80.0)], reported=0.3), "ce-vs-o": other}
    after = pages.plot_files(changed, cache_dir=folder)
    assert drawn == ["Fig. 1c"]  # the other panel came from the cache
    assert after["plots/figure-1-1.svg"] != before["plots/figure-1-1.svg"]
    assert after["plots/figure-1-2.svg"] == before["plots/figure-1-2.svg"]
    monkeypatch.setattr(plots, "figure1_panel_svg", draw)
    assert after == pages.plot_files(changed)  # as a clean build draws them


# --- build and serve ------------------------------------------------------------------------------


def test_prepared_inputs_are_taken_once() -> None:
    prepared = Prepared(object(), {}, None)  # type: ignore[arg-type]
    prepared.take()
    assert prepared.kb is None and prepared.results is None
    with pytest.raises(PluginError):
        prepared.take()


def test_a_second_build_reuses_plots_and_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = write_project(tmp_path / "project")
    build(project)
    first = tree_digest(project / "site")
    cached = sorted(p.name for p in (project / "build" / "cache" / "plots").glob("*.svg"))
    assert cached
    monkeypatch.setattr(plots, "scatter_svg", lambda *a: (_ for _ in ()).throw(AssertionError("redrawn")))
    build(project)
    assert tree_digest(project / "site") == first
    assert sorted(p.name for p in (project / "build" / "cache" / "plots").glob("*.svg")) == cached


def _cached_plots(project: Path) -> set[str]:
    return {p.name for p in (project / "build" / "cache" / "plots").glob("*.svg")}


def test_a_rebuild_draws_only_the_panel_of_figure_1_an_edit_changed_and_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    def analysis(name: str, x: str, y: str, value: float, locator: str) -> dict[str, object]:
        reported = {"value": value, "ref": REF, "locator": locator}
        return minimal("analysis", name, x=x, y=y, reported=reported)

    extra = {
        "analyses/ce-vs-thickness": analysis(
            "CE against SEI thickness", "sei-thickness", "ce", 0.4, "Fig. 1c"
        ),
        "analyses/thickness-vs-ce": analysis(
            "SEI thickness against CE", "ce", "sei-thickness", 0.3, "Fig. 1d"
        ),
    }
    projects = [write_project(tmp_path / name, extra=extra) for name in ("project", "fresh")]
    project, fresh = projects
    build(project)
    assert {"figure-1-1.svg", "figure-1-2.svg"} <= {p.name for p in (project / "site" / "plots").iterdir()}
    before = _cached_plots(project)
    for folder in projects:
        path = folder / "kb" / "analyses" / "thickness-vs-ce.yaml"
        text = path.read_text(encoding="utf-8")
        assert "value: 0.3" in text
        path.write_text(text.replace("value: 0.3", "value: 0.35", 1), encoding="utf-8")
    build(project)
    assert len(_cached_plots(project) - before) == 2  # Fig. 1d and that analysis's scatter
    build(fresh, clean=True)
    assert tree_digest(project / "site") == tree_digest(fresh / "site")
    shown = (project / "site" / "plots" / "figure-1-2.svg").read_text(encoding="utf-8")
    assert "review 0.35" in shown and "Fig. 1d" in shown


def test_serve_rebuilds_re_validate_only_the_edited_file_and_show_the_edit(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    site = tmp_path / "served"

    def rebuild() -> LimkbPlugin:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=False)
        plugin = config.plugins["limkb"]
        assert isinstance(plugin, LimkbPlugin)
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
        return plugin

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=False)
    config.plugins.on_startup(command="serve", dirty=True)
    try:
        plugin = rebuild()
        assert plugin._files is not None
        write_entry(
            project / "kb", "materials/fec", minimal("material", "Renamed carbonate", decomposes_to=["lif"])
        )
        plugin = rebuild()
        assert plugin._files is not None
        assert (plugin._files[1].misses, plugin._files[1].hits) == (
            1,
            len(list((project / "kb").rglob("*.yaml"))) - 1,
        )
        page = project / CACHE_DIR / "entries" / "materials" / "fec.md"
        assert "Renamed carbonate" in page.read_text(encoding="utf-8")
        html = site / "entries" / "materials" / "fec.html"
        assert "Renamed carbonate" in html.read_text(encoding="utf-8")
        assert os.path.getmtime(html) >= os.path.getmtime(page)
    finally:
        config.plugins.on_shutdown()


# --- entry pages re-rendered only when their inputs changed (serve) ------------------------------


def _linked(kb: Path, cache: FileCache) -> KnowledgeBase:
    found = link(validate_kb(kb, cache=cache))
    assert found.report.ok(strict=False), found.report.format()
    return found


def test_incremental_rendering_equals_a_full_one_after_every_kind_of_edit(tmp_path: Path) -> None:
    kb = site_kb(tmp_path)
    cache, memo = FileCache(), RenderMemo()
    options = RenderOptions(date="2024-01-01")

    def check(*, at_most: int | None = None) -> None:
        current = _linked(kb, cache)
        incremental = render(current, options=options, memo=memo)
        assert incremental == render(current, options=options)
        if at_most is not None:
            assert memo.rendered <= at_most

    check()
    assert memo.rendered == len(list(kb.rglob("*.yaml")))
    check(at_most=0)  # nothing changed: every entry page reused
    # a rename shows on the pages of its neighbours
    write_entry(
        kb, "materials/fec", minimal("material", "Renamed carbonate", aliases=["FEC"], decomposes_to=["lif"])
    )
    check(at_most=4)
    # a new relation stated by one entry shows on the page at the other end
    write_entry(
        kb,
        "strategies/lithiophilic-cu",
        minimal(
            "strategy",
            "Lithiophilic Cu",
            family="current-collector-modification",
            interface="li-current-collector",
            forms=["lif"],
        ),
    )
    check()
    # the cited reference changes: every page citing it shows its new label
    reference = (kb / "references" / f"{REF}.yaml").read_text(encoding="utf-8")
    (kb / "references" / f"{REF}.yaml").write_text(
        reference.replace("title: ", "title: Retitled "), encoding="utf-8"
    )
    check()
    # a dataset edit changes the computed analysis
    dataset = (kb / "datasets" / "thickness-ce.yaml").read_text(encoding="utf-8")
    (kb / "datasets" / "thickness-ce.yaml").write_text(
        dataset.replace("ce: 90.0", "ce: 80.0"), encoding="utf-8"
    )
    check()
    # an entry disappears (the question about lif and fec-additive)
    (kb / "questions" / "why-lif.yaml").unlink()
    check()
    # other options render everything again
    options = RenderOptions(date="2024-01-02")
    check()
    assert memo.rendered == len(list(kb.rglob("*.yaml")))


def test_serve_keeps_the_last_good_site_and_shows_the_problems_of_a_broken_edit(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    site = tmp_path / "served"
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=False)
    config.plugins.on_startup(command="serve", dirty=True)

    def rebuild() -> None:
        mkdocs_build(config, serve_url="http://127.0.0.1:8000/", dirty=True)

    def page(path: str) -> str:
        return (site / f"{path}.html").read_text(encoding="utf-8")

    try:
        rebuild()
        assert "Fluoroethylene carbonate" in page("entries/materials/fec")
        # an edit that breaks validation: the rebuild does not fail, the old content stays
        (project / "kb" / "materials" / "fec.yaml").write_text("name: [unclosed\n", encoding="utf-8")
        rebuild()
        for path in ("entries/materials/fec", "entries/species/lif", "browse/materials"):
            html = page(path)
            assert "limkb-problems" in html and "materials/fec.yaml:2:1" in html, path
            assert "Fluoroethylene carbonate" in page("entries/materials/fec")
        # the fix clears the banner everywhere
        write_entry(
            project / "kb", "materials/fec", minimal("material", "Fixed carbonate", decomposes_to=["lif"])
        )
        rebuild()
        assert "limkb-problems" not in page("entries/species/lif")
        assert "Fixed carbonate" in page("entries/materials/fec") and "limkb-problems" not in page(
            "entries/materials/fec"
        )
    finally:
        config.plugins.on_shutdown()
