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


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the entries the rules checked entry by entry ran on (rather than reused)."""
    ids: list[str] = []
    original = rules._entry_links

    def counting(result: object, report: object, pools: object, entry_id: str, entry: object) -> None:
        ids.append(entry_id)
        original(result, report, pools, entry_id, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(rules, "_entry_links", counting)
    return ids


def _edges(kb: Path, cache: FileCache) -> list[tuple[str, str, str, dict[str, object]]]:
    """The graph's edges linked from a validation with ``cache``, checked equal to a cold one's."""
    from limkb.graph import link

    cached, cold = link(validate_kb(kb, cache=cache)).graph, link(validate_kb(kb)).graph
    edges = sorted((a, b, k, dict(d)) for a, b, k, d in cached.edges(keys=True, data=True))
    assert edges == sorted((a, b, k, dict(d)) for a, b, k, d in cold.edges(keys=True, data=True))
    assert dict(cached.nodes(data=True)) == dict(cold.nodes(data=True))
    return edges


def test_a_link_left_dangling_by_a_rename_elsewhere_comes_and_goes(
    tmp_path: Path, checked: list[str]
) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    assert _cold_and_cached(kb, cache) == []
    assert ("s", "fec", "uses") in [edge[:3] for edge in _edges(kb, cache)]
    checked.clear()
    (kb / "materials/fec.yaml").rename(kb / "materials/fec-renamed.yaml")  # the strategy is unchanged
    validate_kb(kb, cache=cache)
    assert sorted(checked) == ["fec-renamed", "s"], "only the entry naming the renamed id ran again"
    dangling = _cold_and_cached(kb, cache)
    assert dangling and all(p.endswith("strategies/s.yaml:unknown-ref") for p in dangling)
    assert ("s", "fec", "uses") not in [edge[:3] for edge in _edges(kb, cache)]
    (kb / "materials/fec-renamed.yaml").rename(kb / "materials/fec.yaml")
    assert _cold_and_cached(kb, cache) == []
    assert ("s", "fec", "uses") in [edge[:3] for edge in _edges(kb, cache)]


def test_a_link_to_an_entry_that_changes_kind_or_breaks(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    assert _cold_and_cached(kb, cache) == []
    (kb / "materials/fec.yaml").unlink()
    write_entry(kb, "strategies/fec", minimal("strategy", "Now a strategy"))  # same id, another kind
    wrong = _cold_and_cached(kb, cache)
    assert any(p.endswith("strategies/s.yaml:wrong-kind") for p in wrong)
    (kb / "strategies/fec.yaml").unlink()
    write_entry(kb, "materials/fec", "name: [unclosed\n")  # a broken file: the link is not dangling
    broken = _cold_and_cached(kb, cache)
    assert broken and all("materials/fec.yaml" in p for p in broken)
    write_entry(kb, "materials/fec", minimal("material", "Back"))
    assert _cold_and_cached(kb, cache) == []


def test_a_reference_removed_elsewhere_leaves_its_citations_dangling(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    assert _cold_and_cached(kb, cache) == []
    reference = next((kb / "references").glob("*.yaml"))
    text = reference.read_bytes()
    reference.unlink()
    dangling = _cold_and_cached(kb, cache)
    assert any(p.endswith("strategies/s.yaml:unknown-ref") for p in dangling)
    reference.write_bytes(text)
    assert _cold_and_cached(kb, cache) == []


def test_a_suggestion_follows_the_ids_of_the_kb(tmp_path: Path, checked: list[str]) -> None:
    kb = _kb(tmp_path)
    write_entry(kb, "strategies/s", minimal("strategy", "S", uses=[{"id": "lif", "sources": SOURCE}]))
    cache = FileCache()
    before = validate_kb(kb, cache=cache)
    assert [p.code for p in before.report.problems] == ["unknown-ref"]
    assert "did you mean" not in before.report.problems[0].message
    checked.clear()
    write_entry(kb, "materials/lif2", minimal("material", "Lithium fluoride"))  # a close id appears
    after = validate_kb(kb, cache=cache)
    assert sorted(checked) == ["lif2", "s"], "the entry whose link failed ran again: its hint names ids"
    assert after.report.problems == validate_kb(kb).report.problems
    assert "'lif2'" in after.report.problems[0].message


def test_an_edit_checks_only_the_entries_it_can_change(tmp_path: Path, checked: list[str]) -> None:
    kb = _kb(tmp_path)
    cache = FileCache()
    validate_kb(kb, cache=cache)
    checked.clear()
    write_entry(kb, "strategies/s", minimal("strategy", "S, edited", uses=[{"id": "fec"}]))  # no source
    validate_kb(kb, cache=cache)
    assert checked == ["s"]
    found = _cold_and_cached(kb, cache)
    assert found and all("strategies/s.yaml" in p for p in found)
    _edges(kb, cache)


def test_the_entries_memo_read_back_from_disk(tmp_path: Path, checked: list[str]) -> None:
    kb = _kb(tmp_path)
    first = FileCache()
    validate_kb(kb, cache=first)
    first.write(tmp_path / "files.pickle")
    (kb / "materials/fec.yaml").unlink()
    again = FileCache.read(tmp_path / "files.pickle")
    assert set(again.entries) >= {"s", "d", "fec"}
    checked.clear()
    validate_kb(kb, cache=again)
    assert checked == ["s"], "the memo read back spares the entries that do not name the deleted id"
    missing = _cold_and_cached(kb, again)
    assert any("strategies/s.yaml:unknown-ref" in p for p in missing)
    again.write(tmp_path / "files.pickle")  # a frame of changes after the first
    write_entry(kb, "materials/fec", minimal("material", "Back"))
    third = FileCache.read(tmp_path / "files.pickle")
    assert "fec" not in third.entries
    assert _cold_and_cached(kb, third) == []
    _edges(kb, third)


_CE = minimal("property", "CE", unit="%", scope="cell", maximum=100)
_CE_COLUMN = [{"name": "ce", "property": "ce", "unit": "%"}]


def _analyses_kb(tmp_path: Path) -> Path:
    """Two datasets, an analysis of each (listing it) and one of every dataset (listing none)."""

    def records(*values: float) -> list[dict[str, object]]:
        return [{"label": f"r{i}", "ce": v} for i, v in enumerate(values)]

    return write_kb(
        tmp_path,
        {
            "properties/ce": _CE,
            "datasets/d": minimal("dataset", "D", columns=_CE_COLUMN, records=records(99, 99.5)),
            "datasets/e": minimal("dataset", "E", columns=_CE_COLUMN, records=records(99, 99.5)),
            "analyses/a": minimal("analysis", "A", x="ce", y="ln(ce - 98.5)", datasets=["d"]),
            "analyses/b": minimal("analysis", "B", x="ce", y="ln(ce - 98.5)", datasets=["e"]),
            "analyses/c": minimal("analysis", "C", x="ce", y="ln(ce - 98.5)"),
        },
    )


def _undefined_in(found: list[str]) -> str:
    """The analyses (one letter each) with an undefined-value problem in ``found``."""
    return "".join(p.rsplit("/", 1)[1][0] for p in found if p.endswith(".yaml:undefined-value"))


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the analyses the analyses' check ran on (rather than reused)."""
    ids: list[str] = []
    original = rules._check_analysis

    def counting(
        result: object, shared: object, datasets: object, properties: object, entry_id: str, entry: object
    ) -> None:
        ids.append(entry_id)
        original(result, shared, datasets, properties, entry_id, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(rules, "_check_analysis", counting)
    return ids


def _rerun(kb: Path, cache: FileCache, analysed: list[str]) -> tuple[str, str]:
    """The analyses a validation with ``cache`` ran again and those with an undefined value in
    its report (one letter each), the report checked equal to a cold validation's."""
    analysed.clear()
    cached = validate_kb(kb, cache=cache)
    ran = "".join(sorted(analysed))
    cold = validate_kb(kb)
    assert cached.report.problems == cold.report.problems
    return ran, _undefined_in([f"{p.path}:{p.code}" for p in cold.report.problems])


def _dataset(name: str, *values: float) -> dict[str, object]:
    return minimal(
        "dataset",
        name,
        columns=_CE_COLUMN,
        records=[{"label": f"r{i}", "ce": v} for i, v in enumerate(values)],
    )


def test_a_dataset_value_runs_again_only_the_analyses_that_read_it(
    tmp_path: Path, analysed: list[str]
) -> None:
    kb = _analyses_kb(tmp_path)
    cache = FileCache()
    assert _rerun(kb, cache, analysed) == ("abc", "")
    write_entry(kb, "datasets/d", _dataset("D", 98, 99.5))  # r0 leaves ln() without a value
    assert _rerun(kb, cache, analysed) == ("ac", "ac"), "b does not read d: its problems are reused"
    write_entry(kb, "datasets/e", _dataset("E", 98, 99.5))
    assert _rerun(kb, cache, analysed) == ("bc", "abc"), "a's problem is reused"
    write_entry(kb, "datasets/d", _dataset("D", 99))  # the problem goes
    assert _rerun(kb, cache, analysed) == ("ac", "bc")
    write_entry(kb, "properties/ce", {**_CE, "name": "Coulombic efficiency"})  # every analysis reads it
    assert _rerun(kb, cache, analysed) == ("abc", "bc")
    (kb / "datasets/e.yaml").unlink()  # b's dataset is gone: b reads no dataset now
    assert _rerun(kb, cache, analysed) == ("abc", "")
    assert any(p.endswith("analyses/b.yaml:missing-variable") for p in _cold_and_cached(kb, cache))
    assert _rerun(kb, cache, analysed)[0] == "", "nothing changed: nothing runs again"
    write_entry(kb, "datasets/e", _dataset("E", 98))  # back, with the problem
    assert _rerun(kb, cache, analysed) == ("abc", "bc")


def test_the_analyses_memo_read_back_from_disk(tmp_path: Path, analysed: list[str]) -> None:
    kb = _analyses_kb(tmp_path)
    first = FileCache()
    validate_kb(kb, cache=first)
    first.write(tmp_path / "files.pickle")
    write_entry(
        kb, "datasets/e", minimal("dataset", "E", columns=_CE_COLUMN, records=[{"label": "r0", "ce": 98}])
    )
    again = FileCache.read(tmp_path / "files.pickle")
    analysed.clear()
    validate_kb(kb, cache=again)
    assert sorted(analysed) == ["b", "c"]
    assert _undefined_in(_cold_and_cached(kb, again)) == "bc"
