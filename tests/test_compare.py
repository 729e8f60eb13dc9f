"""Comparison tables, honest gaps and the coverage matrix, rendered from tiny knowledge bases."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, REFERENCE, SOURCE, minimal, write_kb
from limkb.access import load
from limkb.site.render import RenderOptions, render

CE_PROPERTY = minimal(
    "property", "Coulombic efficiency", unit="%", scope="cell", desired="higher", minimum=0, maximum=100
)


def finding(value: float, unit: str, **fields: Any) -> dict[str, Any]:
    return {
        "value": value,
        "unit": unit,
        "source": SOURCE[0],
        "statement": "A value read in the paper.",
        **fields,
    }


def kb_entries() -> dict[str, Any]:
    return {
        f"references/{REF}": {**REFERENCE, "read": {"status": "abstract"}},
        "properties/coulombic-efficiency": CE_PROPERTY,
        "properties/sei-thickness": minimal(
            "property", "SEI thickness", unit="nm", scope="sei", desired="context-dependent"
        ),
        "properties/fluorine": minimal("property", "SEI fluorine content", unit="%", scope="sei"),
        "materials/dme": minimal("material", "Dimethoxyethane", aliases=["DME"], roles=["solvent"]),
        "materials/lifsi": minimal("material", "LiFSI", roles=["salt"]),
        "strategies/lhce": minimal(
            "strategy",
            "Localized high-concentration electrolytes",
            uses=[{"id": "dme", "sources": SOURCE}],
            findings=[
                finding(
                    99.5,
                    "%",
                    quantity="coulombic-efficiency",
                    electrolyte="1 M LiFSI in DME",
                    conditions={
                        "cell": "Li||Cu",
                        "protocol": "modified Aurbach",
                        "current_density": "0.5 mA cm-2",
                    },
                ),
                finding(98, "%", quantity="coulombic-efficiency", bound=">", high=99),
            ],
        ),
        "strategies/ethers": minimal("strategy", "Weakly solvating ethers"),
        "strategies/coating": minimal(
            "strategy",
            "ALD coating",
            family="artificial-sei",
            findings=[
                finding(20, "nm", what="coating thickness"),
                finding(1.5, "µm", what="coating thickness"),
                finding(3, "1", what="relative lifetime"),
                finding(400, "cycles", quantity="cycle-life"),
            ],
        ),
        "properties/cycle-life": minimal("property", "Cycle life", unit="cycles", scope="cell"),
        "datasets/ce-data": minimal(
            "dataset",
            "CE data",
            columns=[
                {"name": "ce", "property": "coulombic-efficiency", "unit": "%"},
                {"name": "f", "property": "fluorine", "unit": "%"},
            ],
            conditions={"cell": "Li||Cu"},
            records=[
                {"label": "a", "ce": 99.3, "f": 20, "strategies": ["ethers"], "source": SOURCE[0]},
                {"label": "b", "ce": 97.0, "strategies": ["coating"]},
            ],
        ),
    }


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, str | bytes]:
    kb = load(write_kb(tmp_path, kb_entries()), cache=False)
    return render(kb, options=RenderOptions(date="2024-01-02", urls="file"))


def text(pages: dict[str, str | bytes], path: str) -> str:
    found = pages[path]
    assert isinstance(found, str), path
    return found


def data(pages: dict[str, str | bytes], family: str) -> dict[str, Any]:
    script = text(pages, f"compare/{family}-data.js")
    found: dict[str, Any] = json.loads(script[script.index("{") : script.rindex("}") + 1])
    return found


def _digit(char: str) -> int:
    return ord(char) - 35 - (1 if ord(char) > 92 else 0)


def _read(digits: str, width: int) -> list[int]:
    """The numbers written ``width`` characters each, most significant first."""
    numbers = []
    for i in range(0, len(digits), width):
        number = 0
        for char in digits[i : i + width]:
            number = number * 91 + _digit(char)
        numbers.append(number)
    return numbers


def decoded(
    column: Any, count: int | None = None, found: dict[str, Any] | None = None, name: str = ""
) -> list[Any]:
    """A column of a data script as the list of its rows' values, decoded as ``compare.js`` does
    (a packed column needs the whole data, ``found``, and its ``name``)."""
    if isinstance(column, list):
        return column
    if "all" in column:
        return [column["all"]] * (count or 1)
    if "runs" in column:
        runs = column["runs"]
        return [value for value, n in zip(runs[::2], runs[1::2], strict=True) for _ in range(n)]
    if "pack" in column:
        assert found is not None
        pack = found["packs"][column["pack"]]
        below = math.prod(
            len(found["columns"][other]["values"]) for other in pack["names"][: pack["names"].index(name)]
        )
        places = [number // below % len(column["values"]) for number in _read(pack["digits"], pack["width"])]
        return [column["values"][place] for place in places]
    return [column["values"][place] for place in _read(column["digits"], column["width"])]


def step_values(column: dict[str, Any]) -> list[Any]:
    """A column's distinct numbers written as base-36 steps, read as ``compare-table.js`` does."""
    values: list[Any] = [None] if column["null"] else []
    whole = 0
    for step in column["steps"].split(","):
        whole += int(step, 36)
        values.append(whole / 10 ** column["decimals"])
    return values


def columns_of(found: dict[str, Any]) -> dict[str, list[Any]]:
    """Every column of a data script, one value per row."""
    for column in found["columns"].values():
        if isinstance(column, dict) and "steps" in column:
            column["values"] = step_values(column)
    return {name: decoded(column, found["count"], found, name) for name, column in found["columns"].items()}


def entries_of(found: dict[str, Any]) -> list[list[Any]]:
    """The entries as ``compare.js`` reads them: label, url, id, family, more words."""
    return [
        [
            label,
            found["urls"][url].replace("{id}", entry_id) if isinstance(url, int) else url,
            entry_id,
            found["family_ids"][family] if family >= 0 else "",
            terms,
        ]
        for label, entry_id, family, terms, url in found["entries"]
    ]


def rows_of(pages: dict[str, str | bytes], family: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text(pages, f"compare/{family}.csv"))))


def test_families_gather_findings_and_records(pages: dict[str, str | bytes]) -> None:
    assert {"compare/index.md", "compare/coulombic-efficiency.md", "compare/thickness.md"} <= set(pages)
    assert {"compare/cycle-life.md", "compare/other.md", "compare/fluorine.md"} <= set(pages)
    ce = rows_of(pages, "coulombic-efficiency")
    assert sorted(r["value"] for r in ce) == ["97 %", "99.3 %", "99.5 %", "> 98–99 %"]
    lhce = next(r for r in ce if r["value"] == "99.5 %")
    assert lhce["strategy"] == "Localized high-concentration electrolytes"
    assert (lhce["cell"], lhce["protocol"], lhce["current density"]) == (
        "Li||Cu",
        "modified Aurbach",
        "0.5 mA cm-2",
    )
    assert lhce["electrolyte"] == "1 M LiFSI in DME" and lhce["source"] and lhce["doi"] == "10.1000/test.2020"
    record = next(r for r in ce if r["value"] == "99.3 %")
    assert record["recorded in"] == "CE data" and record["record"] == "a" and record["cell"] == "Li||Cu"
    components = data(pages, "coulombic-efficiency")["components"]
    assert components == {"dme": "Dimethoxyethane", "lifsi": "LiFSI"}


def test_units_convert_or_are_never_compared(pages: dict[str, str | bytes]) -> None:
    thickness = rows_of(pages, "thickness")
    by_value = {r["value"]: r for r in thickness}
    assert by_value["1.5 µm"]["value in family unit"] == "1500" and by_value["1.5 µm"]["family unit"] == "nm"
    assert "= 1500 nm" in by_value["1.5 µm"]["note"]
    other = rows_of(pages, "other")
    assert [r["value"] for r in other] == ["3"] and other[0]["value in family unit"] == ""
    assert data(pages, "other")["columns"]["number"] == {"all": None}
    ce = data(pages, "coulombic-efficiency")["columns"]
    assert (
        decoded(ce["value"]).count(-1) == 3
    )  # "99.5 %" is written by the script from 99.5; "> 98–99 %" is kept


def test_pages_load_their_data_and_csv_by_built_urls(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "compare/coulombic-efficiency.md")
    assert 'data-script="coulombic-efficiency-data.js"' in page and "<script" not in page
    assert 'class="limkb-compare-csv" href="coulombic-efficiency.csv"' in page
    entries = entries_of(data(pages, "coulombic-efficiency"))
    assert [
        "Localized high-concentration electrolytes",
        "../entries/strategies/lhce.html",
        "lhce",
        "electrolyte-engineering",
    ] in [entry[:4] for entry in entries]
    landing = text(pages, "compare/index.md")
    assert 'href="coulombic-efficiency.md"' in landing and "Thickness" in landing


def test_strategy_pages_link_their_rows(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "entries/strategies/lhce.md")
    assert "../../compare/coulombic-efficiency.md?strategy=lhce" in page
    assert "../../compare/coulombic-efficiency.md?family=electrolyte-engineering" in page
    assert "compare/" not in text(pages, "entries/materials/dme.md")


def test_ce_above_99_in_findings_or_records_improves_ce(pages: dict[str, str | bytes]) -> None:
    browse = text(pages, "browse/strategies.md")
    rows = {
        m.group(1): m.group(0) for m in re.finditer(r'<tr[^>]*><td><a href="[^"]*/(\w+)\.md".*?</tr>', browse)
    }
    assert "Coulombic efficiency (&gt; 99 % in the data)" in rows["lhce"]
    assert "Coulombic efficiency (&gt; 99 % in the data)" in rows["ethers"]  # from a dataset record
    assert "Coulombic efficiency" not in rows["coating"]  # 97 % only


def test_empty_relation_sections_say_none_recorded(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "entries/strategies/coating.md")
    gaps = page[page.index('class="limkb-relation-list limkb-gaps"') :]
    assert "<dt>fails by</dt>" in gaps and "none recorded" in gaps
    assert "fails&#95;by: &#91;&lt;failure-mode id&gt;&#93;" in gaps and "kb/strategies/coating.yaml" in gaps
    assert "contributing.md#add-a-strategy" in gaps
    assert "questioned by" in gaps and "add this entry's id to <code>about</code> of a question" in gaps
    assert "<dt>uses</dt>" in gaps
    lhce = text(pages, "entries/strategies/lhce.md")
    lhce_gaps = lhce[lhce.index('class="limkb-relation-list limkb-gaps"') :]
    assert "<dt>uses</dt>" not in lhce_gaps and "<dt>fails by</dt>" in lhce_gaps


def test_coverage_counts_findings_records_and_follows_filter(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "coverage.md")
    heads = [
        re.sub("<[^>]+>", "", h)
        for h in re.findall(r'<th class="limkb-rotate"><span>(.*?)</span></th>', page)
    ]
    foot = re.search(r"<tfoot>.*?</tfoot>", page, re.S)
    assert foot is not None
    counts = dict(
        zip(
            heads,
            (int(n) for n in re.findall(r'data-summary-column="\d+">(\d+)<', foot.group(0))),
            strict=True,
        )
    )
    assert counts["Coulombic efficiency"] == 3  # lhce (finding), ethers and coating (records)
    assert counts["Cycle life"] == 1  # a finding
    assert counts["Thickness (named in findings)"] == 1
    coating = re.search(r'<tr data-row="\d+"><td class="limkb-matrix-name"><a[^>]*coating.md">.*?</tr>', page)
    assert coating is not None and coating.group(0).endswith("<td>4</td></tr>")
    assert 'data-list="limkb-coverage-list"' in page and 'class="limkb-coverage-list"' in page


def test_rendering_twice_gives_the_same_compare_files(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path, kb_entries()), cache=False)
    first = render(kb, options=RenderOptions(date="2024-01-02"))
    second = render(kb, options=RenderOptions(date="2024-01-02"))
    compare = [p for p in first if p.startswith("compare/")]
    assert compare and all(first[p] == second[p] for p in compare)


def test_the_benchmark_project_is_a_valid_kb(tmp_path: Path) -> None:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "compare.py"
    spec = importlib.util.spec_from_file_location("bench_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_project(tmp_path, 45, 20)
    kb = load(tmp_path / "kb", cache=False)
    assert sum(len(s.findings or []) for s in kb.entries(kind="strategy")) == 45


def _made_by_ald(tmp_path: Path) -> dict[str, str | bytes]:
    """The tiny KB with an ALD process that makes the coating."""
    entries = kb_entries()
    entries["strategies/ald"] = minimal(
        "strategy", "Atomic layer deposition", aliases=["ALD"], family="artificial-sei"
    )
    entries["strategies/coating"] = {
        **entries["strategies/coating"],
        "name": "Alumina coating",
        "aliases": ["Al2O3 a-SEI"],
        "made_by": [{"id": "ald", "sources": SOURCE}],
    }
    kb = load(write_kb(tmp_path, entries), cache=False)
    return render(kb, options=RenderOptions(date="2024-01-02", urls="file"))


def test_rows_of_a_coating_are_found_by_what_makes_it(tmp_path: Path) -> None:
    pages = _made_by_ald(tmp_path)
    entries = {entry[2]: entry for entry in entries_of(data(pages, "thickness"))}
    assert entries["coating"][4] == "Al2O3 a-SEI; made by Atomic layer deposition"
    assert all(entry[4] == "" for key, entry in entries.items() if key != "coating")
    coverage = text(pages, "coverage.md")
    row = re.search(
        r'<tr data-row="\d+" data-terms="([^"]*)"><td class="limkb-matrix-name"><a[^>]*coating.md"', coverage
    )
    assert row is not None and row.group(1) == "Al2O3 a-SEI made by Atomic layer deposition"


def test_coverage_names_the_descriptors_known_for_no_strategy(pages: dict[str, str | bytes]) -> None:
    page = text(pages, "coverage.md")
    gaps = re.search(
        r'<p class="limkb-coverage-gaps" data-gaps-of="limkb-coverage">.*?<span>(.*?)</span>', page
    )
    assert gaps is not None
    named = gaps.group(1).split("; ")
    assert "SEI thickness" in named  # no strategy has it
    assert "Coulombic efficiency" not in named and "Cycle life" not in named


def test_a_dataset_page_links_its_csv_when_the_build_offers_it(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path, kb_entries()), cache=False)
    offered = render(kb, options=RenderOptions(date="2024-01-02", urls="file", dataset_downloads=True))
    page = text(offered, "entries/datasets/ce-data.md")
    assert '<a href="../../downloads/datasets/ce-data.csv" download>Download the 2 records as CSV</a>' in page
    plain = render(kb, options=RenderOptions(date="2024-01-02", urls="file"))
    assert "downloads/datasets" not in text(plain, "entries/datasets/ce-data.md")


def test_whole_number_columns_are_written_as_characters_and_read_back() -> None:
    from limkb.site.comparison_pages import DIGITS, _column

    assert len(DIGITS) == 91 and "\\" not in DIGITS and '"' not in DIGITS
    few = [3, -1, 3, 7, 250] * 10
    column = _column(few)
    assert column["width"] == 1 and decoded(column) == few
    many = list(range(200)) * 20 + [-1]
    column = _column(many)
    assert column["width"] == 2 and decoded(column) == many
    assert _column([1.5, 2]) == [1.5, 2] and _column([4, 4]) == {"all": 4}  # a list is shorter
    numbers = [99.5, None, 98.25, 99.5] * 50
    column = _column(numbers)
    assert column["values"] == [None, 98.25, 99.5] and decoded(column) == numbers  # null first, ascending


def _rows_read_back(found: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Each row's strategies, value, number (as the CSV writes it) and cell, read from the data
    script as ``compare-table.js`` reads it."""
    columns, entries, strings = columns_of(found), entries_of(found), found["strings"]
    suffix = "" if found["unit"] in ("", "1") else " " + found["unit"]
    rows = []
    for i in range(found["count"]):
        group = columns["strategies"][i]
        members = [columns["entry"][i]] if group == -2 else found["groups"][group]
        number = columns["number"][i]
        value = columns["value"][i]
        rows.append(
            (
                "; ".join(entries[m][0] for m in members)
                + (" (dataset topic)" if columns["topic"][i] else ""),
                f"{number:g}{suffix}" if value == -1 else strings[value],
                "" if number is None else f"{number:.6g}",
                strings[columns["cell"][i]],
            )
        )
    return rows


@pytest.mark.parametrize("family", ["coulombic-efficiency", "thickness", "cycle-life", "other"])
def test_the_data_script_reads_back_to_the_rows_of_the_csv(
    pages: dict[str, str | bytes], family: str
) -> None:
    expected = [
        (r["strategy"], r["value"], r["value in family unit"], r["cell"]) for r in rows_of(pages, family)
    ]
    assert _rows_read_back(data(pages, family)) == expected


def test_a_strategy_recording_its_own_finding_is_not_written_twice(pages: dict[str, str | bytes]) -> None:
    found = data(pages, "coulombic-efficiency")
    columns = columns_of(found)
    own = [i for i, group in enumerate(columns["strategies"]) if group == -2]
    assert own, "the findings of a strategy name it by its entry alone"
    assert all(found["entries"][columns["entry"][i]][1] in {"lhce", "coating"} for i in own)
    assert [i for i in range(found["count"]) if i not in own], "a dataset record keeps its group"


def test_entry_links_are_written_once_per_folder(tmp_path: Path) -> None:
    kb = load(write_kb(tmp_path, kb_entries()), cache=False)
    for urls, expected in (
        ("file", "../entries/strategies/lhce.html"),
        ("directory", "../../entries/strategies/lhce/"),
    ):
        found = data(render(kb, options=RenderOptions(date="2024-01-02", urls=urls)), "coulombic-efficiency")
        assert all(isinstance(entry[4], int) for entry in found["entries"])
        assert "../entries/strategies/{id}.html" in found["urls"] or urls == "directory"
        assert expected in [entry[1] for entry in entries_of(found)]


def test_rows_kept_in_order_are_written_as_runs() -> None:
    from limkb.site.comparison_pages import _column

    ordered = [0] * 20 + [1] * 20 + [5] * 3
    assert _column(ordered) == {"runs": [0, 20, 1, 20, 5, 3]}
    assert decoded(_column(ordered)) == ordered
    mixed = [0, 1] * 30
    assert "runs" not in _column(mixed) and decoded(_column(mixed)) == mixed


def test_columns_written_as_characters_are_packed_and_read_back() -> None:
    from limkb.site.comparison_pages import PACK_LIMIT, _column, _pack

    rows = 3000
    values = {
        "a": [i % 3 for i in range(rows)],
        "b": [(i * 7) % 5 for i in range(rows)],
        "c": [round(80 + (i * 37) % 300 / 10, 1) for i in range(rows)],
        "d": [None if i % 4 == 0 else i % 4 for i in range(rows)],
    }
    columns = {name: _column(column) for name, column in values.items()}
    assert all("digits" in column for column in columns.values())
    packs = _pack(columns)
    assert [pack["names"] for pack in packs] == [["a", "b", "c", "d"]]
    assert packs[0]["width"] == 3 and len(packs[0]["digits"]) == 3 * rows  # 3 * 5 * 300 * 4 values
    found = {"count": rows, "columns": columns, "packs": packs}
    assert columns_of(found) == values
    assert 91**8 == PACK_LIMIT < 2**53  # JavaScript reads every pack exactly


def test_distinct_numbers_are_written_as_exact_steps() -> None:
    from limkb.site.comparison_pages import _steps

    values = [None] + [round(80 + i * 0.01, 2) for i in range(2000)] + [1e6]
    steps = _steps(values)
    assert steps is not None and steps["decimals"] == 2 and steps["null"]
    assert len(steps["steps"]) < len(json.dumps(values)) / 3
    assert step_values(steps) == values  # exactly the numbers written, read back by division
    negative = [-3.5, -1.25, *range(100, 400)]
    assert step_values(_steps(negative) or {}) == negative
    assert _steps([1e20, 1e21] * 20) is None  # too large to be whole numbers JavaScript reads exactly
    assert _steps([0.1 + 0.2, 1.0]) is None  # 0.30000000000000004 has no short exact form
    assert _steps([1.5, 2]) is None  # not shorter
