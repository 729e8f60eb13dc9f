"""metadata.json: Datasette opens kb.sqlite with a title, the licence, and every table and column described."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from markupsafe import escape

from kbfactory import SOURCE, minimal, write_kb
from limkb.access import load
from limkb.outputs import write_outputs
from limkb.outputs.datasette import datasette_metadata

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    root = write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride", formula="LiF"),
            "strategies/fec-additive": minimal(
                "strategy", "FEC additive", forms=[{"id": "lif", "sources": SOURCE}]
            ),
            "properties/ce": minimal("property", "CE", unit="%"),
            "datasets/t": minimal(
                "dataset",
                "T",
                columns=[{"name": "ce", "property": "ce", "unit": "%"}],
                records=[{"label": "A", "ce": 99.0}],
            ),
        },
    )
    kb = load(root, cache=False)
    folder = tmp_path / "build"
    write_outputs(kb, kb.analyses, folder)
    return folder


def _tables(path: Path) -> dict[str, list[str]]:
    """Every table a reader sees (FTS5's own shadow tables aside), with its columns."""
    with sqlite3.connect(path) as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        shadow = {f"{n}_{s}" for n in names for s in ("data", "idx", "content", "docsize", "config")}
        return {
            name: [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')]
            for name in names
            if name not in shadow
        }


def _get(ds: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def test_metadata_describes_every_table_and_column(out: Path) -> None:
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata == datasette_metadata()
    described = metadata["databases"]["kb"]["tables"]
    tables = _tables(out / "kb.sqlite")
    assert sorted(described) == sorted(tables)
    for table, columns in tables.items():
        assert described[table]["description"], f"{table} has no description"
        assert sorted(described[table]["columns"]) == sorted(columns), table
        for column, text in described[table]["columns"].items():
            assert text and len(text) > 5, f"{table}.{column} has no description"
    assert metadata["license"] == "CC BY 4.0" and metadata["license_url"] == CC_BY
    assert metadata["title"] and metadata["description"] and metadata["source_url"]


def test_datasette_serves_the_licence_and_the_descriptions(out: Path) -> None:
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    ds = Datasette([str(out / "kb.sqlite")], metadata=metadata)
    table = _get(ds, "/kb/bibliography.json").json()
    assert table["license"] == "CC BY 4.0" and table["license_url"] == CC_BY
    assert table["source_url"] == metadata["source_url"]
    rows = _get(ds, "/kb/bibliography.json?_shape=array").json()
    assert [r["id"] for r in rows] == ["smith2020test"]
    served = _get(ds, "/-/metadata.json").json()
    assert served["databases"]["kb"]["tables"]["entries"]["description"].startswith("One entry")
    for name, described in metadata["databases"]["kb"]["tables"].items():
        html = _get(ds, f"/kb/{name}").text
        assert str(escape(described["description"])) in html, name
        for column, text in described["columns"].items():
            assert str(escape(text)) in html, (name, column)
        assert CC_BY in html, name


def test_datasette_searches_entries_through_the_fts_table(out: Path) -> None:
    ds = Datasette([str(out / "kb.sqlite")], metadata=json.loads((out / "metadata.json").read_text()))
    found = _get(ds, "/kb/entries.json?_search=fluoride&_shape=array").json()
    assert [r["id"] for r in found] == ["lif"]
    found = _get(ds, "/kb/entries.json?_search=FEC&_shape=array").json()
    assert [r["id"] for r in found] == ["fec-additive"]
