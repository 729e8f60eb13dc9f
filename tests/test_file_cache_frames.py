"""The file cache on disk: a build that read it writes the frames it read and one frame of what
changed, each sealed; what is read back reports what a cold validation reports, and a frame
that is damaged, foreign or planted makes the whole cache ignored."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.check import cache as cache_module
from limkb.check.validate import FileCache, validate_kb


def _kb(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "materials/fec": minimal("material", "Fluoroethylene carbonate"),
            "species/lif": minimal("species", "Lithium fluoride"),
            "strategies/s": minimal("strategy", "S", uses=[{"id": "fec", "sources": SOURCE}]),
            **{f"species/x{i}": minimal("species", f"X {i}") for i in range(8)},
        },
    )


def _build(kb: Path, old: Path | None, new: Path) -> FileCache:
    """What a build does with the cache: read the last one, validate, write the next."""
    cache = FileCache.read(old)
    validate_kb(kb, cache=cache)
    cache.write(new)
    return cache


def _same_as_cold(kb: Path, cache: FileCache) -> list[str]:
    cached, cold = validate_kb(kb, cache=cache), validate_kb(kb)
    assert cached.report.problems == cold.report.problems
    assert cached.entries == cold.entries and cached.invalid == cold.invalid
    return [f"{p.path}:{p.code}" for p in cold.report.problems]


def test_a_build_after_one_edit_appends_one_frame_to_the_frames_it_read(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    first, second = tmp_path / "1.pickle", tmp_path / "2.pickle"
    _build(kb, None, first)
    write_entry(kb, "species/lif", minimal("species", "LiF, renamed"))
    _build(kb, first, second)
    old, new = first.read_bytes(), second.read_bytes()
    assert new.startswith(old) and len(cache_module._read_frames(second)) == 2
    assert len(new) - len(old) < len(old) / 2, "the frame holds the edit, not the whole cache"
    again = FileCache.read(second)
    assert validate_kb(kb, cache=again).entries["lif"].label == "LiF, renamed"
    assert (again.hits, again.misses) == (len(again.files), 0), "every file comes from the frames"


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_the_frames_read_are_copied_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    """The frames read are carried over by copying the file (in the kernel where it can, else
    through a buffer), and the copy is the file read, byte for byte, with the new frame after it."""
    if not kernel_copy:
        monkeypatch.delattr(cache_module.os, "copy_file_range", raising=False)
    kb = _kb(tmp_path)
    first, second, third = tmp_path / "1.pickle", tmp_path / "2.pickle", tmp_path / "3.pickle"
    _build(kb, None, first)
    write_entry(kb, "species/lif", minimal("species", "LiF, renamed"))
    _build(kb, first, second)
    (kb / "species/x0.yaml").unlink()
    _build(kb, second, third)
    assert third.read_bytes().startswith(second.read_bytes()) and second.read_bytes().startswith(
        first.read_bytes()
    )
    assert len(cache_module._read_frames(third)) == 3
    again = FileCache.read(third)
    assert "x0" not in validate_kb(kb, cache=again).entries
    assert (again.hits, again.misses) == (len(again.files), 0), "every file comes from the frames"
    assert _same_as_cold(kb, again) == []


def test_removed_and_broken_files_read_back_as_a_cold_run_sees_them(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    paths = [tmp_path / f"{i}.pickle" for i in range(5)]
    _build(kb, None, paths[0])
    (kb / "materials/fec.yaml").unlink()  # the strategy now names a missing material
    _build(kb, paths[0], paths[1])
    cache = FileCache.read(paths[1])
    assert all("fec.yaml" not in key[0] for key in cache.files), "a deleted file is forgotten"
    dangling = _same_as_cold(kb, cache)
    assert any("strategies/s.yaml" in p for p in dangling)
    write_entry(kb, "materials/fec", "name: [unclosed\n")
    _build(kb, paths[1], paths[2])
    broken = _same_as_cold(kb, FileCache.read(paths[2]))
    assert broken and all("materials/fec.yaml" in p for p in broken)
    write_entry(kb, "materials/fec", minimal("material", "Back"))
    _build(kb, paths[2], paths[3])
    assert _same_as_cold(kb, FileCache.read(paths[3])) == []
    assert len(cache_module._read_frames(paths[3])) == 4


def test_the_frames_are_written_whole_again_after_many_builds_or_a_large_change(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    old = tmp_path / "0.pickle"
    _build(kb, None, old)
    for i in range(1, cache_module._MAX_FRAMES + 1):
        write_entry(kb, "species/lif", minimal("species", f"LiF {i}"))
        new = tmp_path / f"{i}.pickle"
        _build(kb, old, new)
        old = new
    assert len(cache_module._read_frames(old)) == 1
    for i in range(8):
        write_entry(kb, f"species/x{i}", minimal("species", f"X {i}, edited"))
    whole = tmp_path / "whole.pickle"
    _build(kb, old, whole)
    assert len(cache_module._read_frames(whole)) == 1
    assert _same_as_cold(kb, FileCache.read(whole)) == []


def test_a_damaged_planted_or_cut_frame_makes_the_cache_empty(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    first, second = tmp_path / "1.pickle", tmp_path / "2.pickle"
    _build(kb, None, first)
    write_entry(kb, "species/lif", minimal("species", "LiF, renamed"))
    _build(kb, first, second)
    good = second.read_bytes()
    assert FileCache.read(second).files
    damaged = good[:-1] + bytes([good[-1] ^ 1])
    second.write_bytes(damaged)
    assert FileCache.read(second).files == {}
    second.write_bytes(good[:-3])
    assert FileCache.read(second).files == {}
    planted = pickle.dumps({"versions": cache_module._versions(), "delta": None})
    second.write_bytes(good + len(planted).to_bytes(8, "big") + planted)
    assert FileCache.read(second).files == {}
    second.write_bytes(planted)
    assert FileCache.read(second).files == {}


def test_a_frame_of_other_code_makes_the_cache_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = _kb(tmp_path)
    first, second = tmp_path / "1.pickle", tmp_path / "2.pickle"
    _build(kb, None, first)
    write_entry(kb, "species/lif", minimal("species", "LiF, renamed"))
    cache = FileCache.read(first)
    validate_kb(kb, cache=cache)
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "_versions", lambda: "other code")
        cache.write(second)
    assert FileCache.read(second).files == {}


def test_frames_changed_since_they_were_read_are_not_carried_over(tmp_path: Path) -> None:
    """The frames are read again when the cache is written: if another build replaced them
    meanwhile, the cache is written whole, never as another build's frames plus this one's."""
    kb = _kb(tmp_path)
    first, second = tmp_path / "1.pickle", tmp_path / "2.pickle"
    _build(kb, None, first)
    cache = FileCache.read(first)
    write_entry(kb, "species/lif", minimal("species", "LiF, renamed"))
    _build(kb, first, first)  # another build writes over the frames this one read
    assert len(cache_module._read_frames(first)) == 2
    validate_kb(kb, cache=cache)
    cache.write(second)
    assert len(cache_module._read_frames(second)) == 1
    assert _same_as_cold(kb, FileCache.read(second)) == []


def test_documents_read_back_parse_their_data_again_only_when_asked(tmp_path: Path) -> None:
    """A cached document's plain data is not in the file (its text gives it again): read back,
    it is the data a fresh load gives, and a schema checked again from it reports the same."""
    from limkb.check import reader

    kb = _kb(tmp_path)
    write_entry(kb, "species/x1", {**minimal("species", "X 1"), "formula": 7})  # a schema problem
    _build(kb, None, tmp_path / "1.pickle")
    again = FileCache.read(tmp_path / "1.pickle")
    documents = [document for _, document, _ in again.files.values() if document is not None]
    assert documents and all(d._data is reader._UNREAD for d in documents)
    for (path, _), (_, document, _) in again.files.items():
        fresh, _ = reader.load_file(Path(path))
        assert document is not None and fresh is not None and document.data == fresh.data
    again.schemas.clear()  # every schema checked again, from the documents read back
    problems = _same_as_cold(kb, again)
    assert problems and all("species/x1.yaml" in p for p in problems)
