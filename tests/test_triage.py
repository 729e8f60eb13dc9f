"""``limkb triage``: works exports from OpenAlex and Crossref, ranked against a tiny KB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import limkb
from kbfactory import REF, minimal, tree_digest, write_kb
from limkb.check.validate import validate_kb
from limkb.cli import cli
from limkb.commands.triage import read_works, report_markdown, triage, write_stubs

DATA = Path(__file__).parent / "data"
OPENALEX = DATA / "openalex-works.json"
CROSSREF = DATA / "crossref-works.json"


def kb_dir(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "materials/lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
            "materials/dme": minimal("material", "DME", aliases=["1,2-dimethoxyethane"], roles=["solvent"]),
            "materials/fec": minimal(
                "material", "Fluoroethylene carbonate", aliases=["FEC"], roles=["additive"]
            ),
            "strategies/weakly-solvating-ethers": minimal("strategy", "Weakly solvating ethers"),
            "techniques/xps": minimal("technique", "X-ray photoelectron spectroscopy", aliases=["XPS"]),
        },
    )


def test_an_openalex_export_is_read_ranked_and_known_works_dropped(tmp_path: Path) -> None:
    kb = limkb.load(kb_dir(tmp_path), cache=False)
    result = triage(OPENALEX, kb)
    assert result.format == "openalex" and result.total == 4
    assert result.known == [("10.1000/test.2020", REF)]
    first, second, third = result.ranked
    assert first.work.doi == "10.1000/ether.2024.7"
    assert first.work.authors == ("Zhang, W.", "Garcia-Lopez, M.")
    assert first.work.abstract == "LiFSI in DME was studied by XPS."
    assert first.matches[0] == ("weakly-solvating-ethers", "strategy")  # named in the title: counts twice
    assert set(first.matches) == {
        ("weakly-solvating-ethers", "strategy"),
        ("lifsi", "material"),
        ("dme", "material"),
        ("xps", "technique"),
    }
    assert first.score == 5
    # DME in the title; DMEX and lidme in the abstract are other words
    assert (second.work.doi, second.matches, second.score) == (
        "10.1000/dme.2022.3",
        (("dme", "material"),),
        2,
    )
    assert (third.score, third.matches) == (0, ())


def test_a_crossref_export_reads_the_same_work_the_same_way(tmp_path: Path) -> None:
    kb = limkb.load(kb_dir(tmp_path), cache=False)
    result = triage(CROSSREF, kb)
    assert result.format == "crossref" and not result.known
    by_doi = {r.work.doi: r for r in result.ranked}
    ether = by_doi["10.1000/ether.2024.7"]
    assert ether.work.abstract == "LiFSI in DME was studied by XPS."
    assert ether.score == 5 and ether.work.year == 2024
    fec = by_doi["10.1000/fec.2021.5"]
    assert fec.work.title == "Fluoroethylene carbonate in Li2O-rich interphases"
    assert fec.matches == (("fec", "material"),) and fec.work.year == 2021
    # a long name matches in any case; an acronym only in its own ("fec" would not)
    assert by_doi["10.1000/noauthor.2020.9"].matches == (("weakly-solvating-ethers", "strategy"),)


def test_the_report_lists_rank_doi_title_year_and_entries(tmp_path: Path) -> None:
    result = triage(OPENALEX, limkb.load(kb_dir(tmp_path), cache=False))
    text = report_markdown(result)
    assert "4 works read, 1 already in the knowledge base, 3 ranked" in text
    row = next(line for line in text.splitlines() if line.startswith("| 1 |"))
    assert "[10.1000/ether.2024.7](https://doi.org/10.1000/ether.2024.7)" in row and "| 2024 |" in row
    assert "`weakly-solvating-ethers` (strategy)" in row
    assert "Sulfide solid electrolytes \\| a review" in text  # a pipe in a title stays in its cell
    assert "Already in the knowledge base: `smith2020test`." in text
    assert report_markdown(result, top=1).count("\n| ") == 2  # header and one row


def test_stubs_validate_and_never_overwrite(tmp_path: Path) -> None:
    kb_path = kb_dir(tmp_path)
    kb = limkb.load(kb_path, cache=False)
    result = triage(CROSSREF, kb)
    written = write_stubs(result, tmp_path / "stubs", kb)
    assert sorted(p.name for p in written) == ["doe2021fluoroethylene.yaml", "zhang2024weakly.yaml"]
    assert any("no stub for '10.1000/noauthor.2020.9'" in p.message for p in result.report.warnings)
    text = (tmp_path / "stubs" / "zhang2024weakly.yaml").read_text()
    assert "doi: 10.1000/ether.2024.7" in text and "status: none" in text and "Garcia-Lopez, M." in text
    for path in written:
        shutil.copy(path, kb_path / "references" / path.name)
    assert validate_kb(kb_path).report.ok(strict=True)
    before = tree_digest(tmp_path / "stubs")
    again = write_stubs(triage(CROSSREF, kb), tmp_path / "stubs", kb)
    assert sorted(p.name for p in again) == ["doe2021fluoroethyleneb.yaml", "zhang2024weaklyb.yaml"]
    assert {k: v for k, v in tree_digest(tmp_path / "stubs").items() if k in before} == before


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ('{"results": [\n  {"doi": "x",}\n]}', ":2:15:", "not JSON"),
        ('{"data": []}', ":1:1:", "neither an OpenAlex nor a Crossref works export (found: data)"),
        ("[1, 2]", ":1:1:", "neither an OpenAlex nor a Crossref works export (found: list)"),
    ],
)
def test_bad_exports_are_located_errors_and_write_nothing(
    tmp_path: Path, text: str, where: str, what: str
) -> None:
    kb = kb_dir(tmp_path)
    export = tmp_path / "works.json"
    export.write_text(text)
    before = tree_digest(kb)
    done = CliRunner().invoke(
        cli,
        [
            "triage",
            str(export),
            "--kb",
            str(kb),
            "--out",
            str(tmp_path / "r.md"),
            "--stubs",
            str(tmp_path / "s"),
        ],
    )
    assert done.exit_code == 1
    assert f"works.json{where} error[bad-export]: {what}" in done.output
    assert "Traceback" not in done.output
    assert tree_digest(kb) == before
    assert not (tmp_path / "r.md").exists() and not (tmp_path / "s").exists()


def test_the_command_writes_the_report_and_stubs(tmp_path: Path) -> None:
    kb = kb_dir(tmp_path)
    done = CliRunner().invoke(
        cli,
        [
            "triage",
            str(OPENALEX),
            "--kb",
            str(kb),
            "--out",
            str(tmp_path / "r.md"),
            "--stubs",
            str(tmp_path / "s"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "3 works ranked, 1 already in the KB" in done.output
    assert "wrote 3 reference stubs" in done.output
    assert (tmp_path / "r.md").read_text().startswith("# Literature triage")
    printed = CliRunner().invoke(cli, ["triage", str(OPENALEX), "--kb", str(kb), "--top", "1"])
    assert printed.exit_code == 0 and printed.output.count("\n| ") == 2


def test_read_works_reconstructs_an_inverted_abstract() -> None:
    fmt, works, report = read_works(
        '{"results": [{"doi": null, "title": "T", "abstract_inverted_index": {"b": [1], "a": [0, 2]}}]}'
    )
    assert fmt == "openalex" and works[0].abstract == "a b a" and works[0].doi is None and not report.errors


def test_generic_names_score_no_work(tmp_path: Path) -> None:
    """Lithium metal's names ("Li", "lithium metal anode", "LMA") are in nearly every work of the
    field: they rank nothing, while a specific name in the same abstract still does."""
    from limkb.commands.triage import GENERIC_TERMS

    assert {"li", "lithium metal anode", "lma"} <= GENERIC_TERMS
    kb = kb_dir(tmp_path)
    lithium = minimal(
        "material",
        "Lithium metal",
        aliases=["Li", "lithium", "lithium metal anode", "Li metal", "LMA"],
        formula="Li",
        roles=["additive"],
    )
    (kb / "materials/lithium-metal.yaml").write_text(yaml.safe_dump(lithium), encoding="utf-8")
    export = tmp_path / "works.json"
    export.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "doi": "https://doi.org/10.1000/generic.1",
                        "title": "A stable lithium metal anode",
                        "abstract_inverted_index": {"Li": [0], "metal": [1], "LMA": [2], "cycling.": [3]},
                        "publication_year": 2024,
                    },
                    {
                        "doi": "https://doi.org/10.1000/specific.2",
                        "title": "Lithium metal anodes with FEC",
                        "abstract_inverted_index": {"Li": [0], "metal.": [1]},
                        "publication_year": 2020,
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = triage(export, limkb.load(kb, cache=False))
    first, second = result.ranked
    assert (first.work.doi, first.matches, first.score) == ("10.1000/specific.2", (("fec", "material"),), 2)
    assert (second.work.doi, second.matches, second.score) == ("10.1000/generic.1", (), 0)
