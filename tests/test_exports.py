"""The export registry (outputs/exports.py): every data file registered whole, the README table
and ``limkb export --help`` made from it, and its first new export, ``findings.csv``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import limkb
from limkb.cli import cli
from limkb.outputs import write_outputs
from limkb.outputs.exports import (
    EXPORTS,
    Export,
    description_of,
    export_table,
    exports_markdown,
    write_exports,
)
from limkb.outputs.formats import FINDING_FIELDS, findings_csv
from test_findings import FINDINGS, kb_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kb(tmp_path: Path) -> limkb.KnowledgeBase:
    """The findings KB of test_findings: three CE findings on a strategy, one informing another."""
    return limkb.load(kb_dir(tmp_path / "src", FINDINGS), cache=False)


def incomplete(export: Export) -> list[str]:
    """What an export lacks: a file name, a one-sentence description, a writer."""
    missing = []
    if not re.fullmatch(r"[a-z0-9_.<>/-]+\.[a-z]+", export.name):
        missing.append("a file name")
    if not export.description.strip() or not export.description.endswith("."):
        missing.append("a description (one sentence, ending in a full stop)")
    if not callable(export.write):
        missing.append("a writer")
    return missing


def test_every_export_is_registered_whole_and_once() -> None:
    assert {e.name: incomplete(e) for e in EXPORTS if incomplete(e)} == {}
    names = [e.name for e in EXPORTS]
    assert len(names) == len(set(names))


def test_the_completeness_check_catches_a_half_registered_export() -> None:
    assert incomplete(Export("findings.csv", "", lambda run: [])) == [
        "a description (one sentence, ending in a full stop)"
    ]
    assert incomplete(Export("", "Something.", lambda run: [])) == ["a file name"]


def test_the_build_writes_exactly_the_registered_files(kb: limkb.KnowledgeBase, tmp_path: Path) -> None:
    out = tmp_path / "build"
    written = [p.relative_to(out).as_posix() for p in write_outputs(kb, kb.analyses, out)]
    unregistered = [path for path in written if description_of(path) is None]
    assert unregistered == [], "register these in outputs/exports.py EXPORTS"
    silent = [
        e.name for e in EXPORTS if e.name != "datasets/<id>.csv" and not any(e.matches(p) for p in written)
    ]
    assert silent == []
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == written


def test_limkb_export_writes_all_but_the_build_only_files(kb: limkb.KnowledgeBase, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--kb", str(kb.root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "findings.csv").is_file() and (tmp_path / "out" / "kb.sqlite").is_file()
    assert not (tmp_path / "out" / "analyses.json").exists()


def test_the_readme_table_is_generated_from_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- exports:start -->\n", 1)[1].split("\n<!-- exports:end -->", 1)[0]
    assert block == exports_markdown(), "paste exports_markdown() between the exports markers"
    assert all(f"| `{name}` |" in block for name, _ in export_table())


def test_the_cli_help_lists_every_file_limkb_export_writes() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["export", "--help"], terminal_width=400).output.split())
    for name, text in export_table(command=True):
        assert f"{name}: {' '.join(text.split())}" in shown
    assert "analyses.json" not in shown


def test_the_downloads_page_describes_a_file_by_its_export() -> None:
    assert description_of("datasets/cycling.csv") == description_of("datasets/<id>.csv")
    assert description_of("findings.csv") is not None and "finding" in str(description_of("findings.csv"))
    assert description_of("unknown.bin") is None


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_findings_csv_holds_every_finding_once_with_its_source(kb: limkb.KnowledgeBase) -> None:
    text = findings_csv(kb)
    assert text.splitlines()[0].split(",") == [name for name, *_ in FINDING_FIELDS]
    table = rows(text)
    assert [(r["entry"], r["position"], r["value"]) for r in table] == [
        ("hce", "0", "99.3"),
        ("hce", "1", "99.6"),
        ("hce", "2", "98.0"),
    ]
    first, second, third = table
    assert (
        first["id"] == "hce-ce-4m"
        and first["informs"] == "salts"
        and first["quantity"] == "coulombic-efficiency"
    )
    assert first["electrolyte"] == "4 M LiFSI in DME"
    assert first["electrolyte_components"].startswith("lifsi (salt, 4 M); dme (solvent")
    assert (
        first["cell"] == "Li||Cu" and first["current_density"] == "1.0" and first["areal_capacity"] == "1.0"
    )
    assert second["current_density"] == "0.5" and second["uncertainty"] == "0.1" and second["informs"] == ""
    assert third["electrolyte"] == "" and third["electrolyte_note"] == "not stated in the source read"
    assert {r["ref"] for r in table} == {"smith2020test"} and {r["doi"] for r in table} == {
        "10.1000/test.2020"
    }
    assert first["locator"] == "Abstract" and first["read_status"] == "abstract"
    assert first["read_url"] == "https://example.org/paper"
    assert first["statement"] == "Li||Cu cells averaged 99.3 % CE."
    assert {r["bound"] for r in table} == {""}  # `=` is left out: a spreadsheet would run it


def test_the_data_package_describes_findings_csv(kb: limkb.KnowledgeBase, tmp_path: Path) -> None:
    write_exports(kb, tmp_path, {}, skip=frozenset({"kb.sqlite"}))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "findings")
    data = (tmp_path / "findings.csv").read_bytes()
    assert resource["path"] == "findings.csv" and resource["bytes"] == len(data)
    assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
    header = data.decode().splitlines()[0].split(",")
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    units = {f["name"]: f.get("unit") for f in resource["schema"]["fields"]}
    assert units["current_density"] == "mA cm-2" and units["temperature"] == "°C" and units["value"] is None


def test_the_findings_package_is_valid_frictionless(kb: limkb.KnowledgeBase, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    write_exports(kb, tmp_path, {}, skip=frozenset({"kb.sqlite"}))
    report = frictionless.Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
