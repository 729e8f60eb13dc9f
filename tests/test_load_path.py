"""One load path: ``limkb.load`` validates, links and checks for the API, ``limkb build`` and
``limkb serve`` alike; build and serve hand it their per-file cache."""

from __future__ import annotations

from pathlib import Path

import pytest

import limkb
from kbfactory import minimal, write_entry, write_kb
from limkb.check.validate import FileCache

SRC = Path(__file__).resolve().parents[1] / "src/limkb"


def test_load_reuses_a_callers_file_cache_and_still_checks(tmp_path: Path) -> None:
    root = write_kb(tmp_path, {"materials/fec": minimal("material", "FEC")})
    files = FileCache()
    first = limkb.load(root, cache=False, files=files)
    assert first["fec"].name == "FEC" and first.root == root
    files.hits = files.misses = 0
    write_entry(root, "materials/dme", minimal("material", "DME"))
    second = limkb.load(root, cache=False, files=files)
    assert sorted(second) == sorted([*first, "dme"])
    assert files.misses == 1 and files.hits >= 1
    write_entry(root, "materials/bad", {"name": "Bad", "no_such_field": 1})
    with pytest.raises(limkb.ValidationError):
        limkb.load(root, cache=False, files=files)


@pytest.mark.parametrize("module", ["plugin.py", "commands/build.py", "commands/preview.py"])
def test_build_serve_and_the_plugin_do_not_validate_or_link_themselves(module: str) -> None:
    source = (SRC / module).read_text(encoding="utf-8")
    assert "validate_kb(" not in source and "link(validate" not in source


def test_one_object_names_the_build_cache(tmp_path: Path) -> None:
    from limkb.access import cache_key
    from limkb.files import CACHE_SEAL, BuildCache

    root = write_kb(tmp_path, {"materials/fec": minimal("material", "FEC")})
    cache = BuildCache.of_project(tmp_path)
    assert cache.folder == tmp_path / "build" / "cache" and cache.files.name == "files.pickle"
    limkb.load(root)
    assert [p.name for p in cache.folder.iterdir()] == [cache.load_pickle(cache_key(root)).name]
    remade = {
        cache.files,
        cache.analyses,
        cache.render,
        cache.render_pieces,
        cache.markdown,
        cache.html,
        cache.plots,
        cache.templates,
        cache.exports,
    }
    assert {p.name for p in remade} | {CACHE_SEAL} == BuildCache.REMADE
    assert cache.load_pickle("k").name not in BuildCache.REMADE  # a build carries the load cache over
