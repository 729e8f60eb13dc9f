"""``limkb build`` runs the cyclic garbage collector rarely, and restores it afterwards (thresholds, and
what the load set apart from collection)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from limkb.commands import build as build_module
from limkb.incremental import StaleCache
from sitefactory import write_project


def test_a_build_raises_the_collector_s_thresholds_and_restores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "project")
    seen: list[tuple[int, ...]] = []

    def fake_build(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        gc.freeze()  # as a load does
        if len(seen) == 1:
            raise StaleCache("the second attempt, without the cache, runs the same way")
        return "built"

    monkeypatch.setattr(build_module, "_build", fake_build)
    before = gc.get_threshold()
    assert build_module.build(project, trust_config=True) == "built"
    assert seen == [build_module.GC_THRESHOLD] * 2
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0  # what the load set apart is the collector's again


def test_a_failed_build_restores_the_collector_s_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "project")

    def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("failed")

    monkeypatch.setattr(build_module, "_build", failing)
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        build_module.build(project, trust_config=True)
    assert gc.get_threshold() == before


def test_the_knowledge_base_is_handed_back_to_the_collector_before_mkdocs_converts_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load freezes what it made (gc.freeze); once every page is rendered, the plugin
    unfreezes it, so that the collection it makes there frees the KB's cycles for MkDocs."""
    import limkb.plugin as plugin_module

    project = write_project(tmp_path / "project")
    frozen: list[int] = []
    add = plugin_module._add_generated

    def spy(*args: object, **kwargs: object) -> object:
        frozen.append(gc.get_freeze_count())
        return add(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plugin_module, "_add_generated", spy)
    loaded: list[int] = []
    kept_apart = build_module._kept_apart_from_collection

    @contextmanager
    def watched() -> Iterator[None]:
        with kept_apart():
            yield
        loaded.append(gc.get_freeze_count())

    monkeypatch.setattr(build_module, "_kept_apart_from_collection", watched)
    build_module.build(project, trust_config=True)
    assert loaded and loaded[0] > 0  # the load froze what it made
    assert frozen == [0]  # and a first build, which rendered every page, handed it back
    build_module.build(project, trust_config=True)
    assert frozen[1] > 0  # a rebuild keeps it apart: walking it again costs more than it frees
