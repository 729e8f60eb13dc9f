"""The rules that span entries reuse what they reported while the entries they read are the
same (:func:`limkb.check.rules.check_rules` with a memo, kept in the file cache): a validation
with the cache, after any edit, reports exactly what a validation without it reports, and the
cache kept on disk between builds gives the same as the one kept in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.check import rules
from limkb.check.validate import FileCache, validate_kb

_PROPERTY = minimal("property", "P", unit="%", scope="sei", desired="higher")
_COLUMN = {"name": "f", "property": "p", "unit": "%"}


def _kb(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "properties/p": _PROPERTY,
            "datasets/d": minimal("dataset", "D", columns=[_COLUMN], records=[{"label": "r1", "f": 50}]),
            "materials/fec": minimal("material", "Fluoroethylene carbonate"),
            "strategies/s": minimal("strategy", "S", uses=[{"id": "fec", "sources": SOURCE}]),
        },
    )


def _cold_and_cached(kb: Path, cache: FileCache) -> list[str]:
    """The report with ``cache``, checked equal (problems, order, entries) to one without it."""
    cached, cold = validate_kb(kb, cache=cache), validate_kb(kb)
    assert cached.report.problems == cold.report.problems
    assert cached.entries == cold.entries and cached.invalid == cold.invalid
    return [f"{p.path}:{p.code}" for p in cold.report.problems]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the memoised rules that ran (rather than being reused), in order."""
    names: list[str] = []
    for name in rules._READS:
        original = getattr(rules, name)

        def counting(*args: object, _name: str = name, _original: object = original) -> None:
            names.append(_name)
            _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(rules, name, counting)
    return names


def test_a_problem_in_another_file_comes_and_goes_with_the_edit(tmp_path: Path, ran: list[str]) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    assert _cold_and_cached(kb, cache) == []
    write_entry(kb, "properties/p", {**_PROPERTY, "unit": "nm"})  # the dataset's column no longer fits
    mismatch = _cold_and_cached(kb, cache)
    assert mismatch and all(p.endswith("datasets/d.yaml:unit-mismatch") for p in mismatch)
    write_entry(kb, "properties/p", _PROPERTY)  # fixed in the property's file
    assert _cold_and_cached(kb, cache) == []
    (kb / "properties/p.yaml").unlink()  # the column names a property that is gone
    gone = _cold_and_cached(kb, cache)
    assert gone and all("datasets/d.yaml" in p for p in gone)
    write_entry(kb, "properties/p", _PROPERTY)
    assert _cold_and_cached(kb, cache) == []
    assert "_check_datasets" in ran


def test_an_edit_elsewhere_reuses_the_rules_that_do_not_read_it(tmp_path: Path, ran: list[str]) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    validate_kb(kb, cache=cache)
    ran.clear()
    write_entry(
        kb, "strategies/s", {**minimal("strategy", "S, edited"), "uses": [{"id": "fec", "sources": SOURCE}]}
    )
    validate_kb(kb, cache=cache)
    assert ran == [], "a strategy's edit ran rules that read no strategy"
    write_entry(kb, "materials/fec", minimal("material", "FEC, renamed"))
    validate_kb(kb, cache=cache)
    assert set(ran) == {"_check_analyses", "_check_formulations", "_check_materials"}
    ran.clear()
    write_entry(kb, "strategies/t", minimal("strategy", "T"))  # a new id: the index every rule sees
    validate_kb(kb, cache=cache)
    assert set(ran) == set(rules._READS)


def test_a_dangling_relation_introduced_and_fixed_in_another_file(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    (kb / "materials/fec.yaml").unlink()  # the strategy, unchanged, names a missing material
    missing = _cold_and_cached(kb, cache)
    assert any("strategies/s.yaml" in p for p in missing)
    write_entry(kb, "materials/fec", minimal("material", "Back"))
    assert _cold_and_cached(kb, cache) == []
    write_entry(kb, "materials/fec", "name: [unclosed\n")  # a broken file: the link is not dangling
    broken = _cold_and_cached(kb, cache)
    assert broken and all("materials/fec.yaml" in p for p in broken)


def test_the_cache_read_back_from_disk_reports_what_a_cold_run_reports(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    first = FileCache()
    validate_kb(kb, cache=first)
    first.write(tmp_path / "files.pickle")
    write_entry(kb, "properties/p", {**_PROPERTY, "unit": "nm"})
    again = FileCache.read(tmp_path / "files.pickle")
    assert again.rules, "the rules' problems are kept with the cache"
    found = _cold_and_cached(kb, again)
    assert found and all("datasets/d.yaml:unit-mismatch" in p for p in found)


def test_a_document_without_its_text_runs_every_rule(tmp_path: Path, ran: list[str]) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    validate_kb(kb, cache=cache)
    ran.clear()
    for _, document, _ in cache.files.values():
        if document is not None:
            document._text = None
    validate_kb(kb, cache=cache)
    assert set(ran) == set(rules._READS)
