"""`limkb import-bib`: BibTeX exports become reference entries with conventional ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kbfactory import REF, write_kb
from limkb.check.validate import validate_kb
from limkb.check.writer import format_text
from limkb.cli import cli
from limkb.commands.import_bib import import_bib, latex_to_text, normalize_doi, read_bib

BIB = r"""
@article{Fang2019,
  title = {Quantifying Inactive Lithium in {Lithium} Metal Batteries},
  author = {Fang, Chengcheng and Li, Jinxing and M{\"u}ller-Buschbaum, Peter and van der Ven, Anton},
  journal = {Nature}, year = {2019}, volume = {572}, number = {7770}, pages = {511--515},
  doi = {https://doi.org/10.1038/s41586-019-1481-z},
  abstract = {Words that belong to the publisher.},
}
@incollection{chap,
  title = {The {Li$_2$O}-rich interphase of LiNO$_{3}$ on $\mathrm{Cu}$: 99\% done},
  author = {Meng, Ying Shirley and {The SEI Consortium} and Jean-Marie Tarascon},
  booktitle = {Lithium Metal Anodes}, date = {2023-05-01}, doi = {doi:10.1000/chap.1},
}
@misc{pre, title = {Quantifying things again}, author = {Fang, C.}, year = {2019}, eprinttype = {arXiv}}
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path, {})


def test_entries_become_references_with_conventional_ids(kb: Path) -> None:
    result = read_bib(BIB, kb)
    assert not result.report.errors, result.report.format()
    ids = [c.id for c in result.created]
    assert ids == ["fang2019quantifying", "meng2023li2o", "fang2019quantifyingb"]
    fang, chapter, preprint = (c.data for c in result.created)
    assert fang["authors"] == ["Fang, C.", "Li, J.", "Müller-Buschbaum, P.", "van der Ven, A."]
    assert fang["doi"] == "10.1038/s41586-019-1481-z"
    assert fang["pages"] == "511–515" and fang["issue"] == "7770" and fang["volume"] == "572"
    assert fang["title"] == "Quantifying Inactive Lithium in Lithium Metal Batteries"
    assert "abstract" not in fang and "summary" not in fang
    assert chapter["type"] == "chapter" and chapter["year"] == 2023
    assert chapter["title"] == "The Li2O-rich interphase of LiNO3 on Cu: 99% done"
    assert chapter["authors"] == ["Meng, Y. S.", "The SEI Consortium", "Tarascon, J.-M."]
    assert chapter["journal"] == "Lithium Metal Anodes" and chapter["doi"] == "10.1000/chap.1"
    assert preprint["type"] == "preprint"


def test_ids_taken_in_the_kb_get_a_letter(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"species/fang2019quantifying": {"name": "x"}})
    ids = [c.id for c in read_bib(BIB, kb).created]
    assert ids[0] == "fang2019quantifyingb" and ids[2] == "fang2019quantifyingc"


def test_import_writes_canonical_valid_files(kb: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = import_bib(bib, kb)
    assert [c.path.name for c in result.created if c.path] == [
        "fang2019quantifying.yaml",
        "meng2023li2o.yaml",
        "fang2019quantifyingb.yaml",
    ]
    for item in result.created:
        assert item.path is not None
        text = item.path.read_text(encoding="utf-8")
        assert format_text(text, "reference")[0] == text
    report = validate_kb(kb).report
    assert not report.errors, report.format()


def test_a_doi_already_in_the_kb_is_refused_naming_the_entry(kb: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        BIB + "@article{dup, title={Again}, author={Smith, A.}, year={2020}, doi={10.1000/TEST.2020}}\n",
        encoding="utf-8",
    )
    result = import_bib(bib, kb)
    [problem] = result.report.errors
    assert problem.code == "duplicate-doi" and REF in problem.message and problem.line == 15
    assert sorted(p.name for p in (kb / "references").iterdir()) == [f"{REF}.yaml"]
    again = import_bib(bib, kb, skip_existing=True)
    assert again.skipped == [("dup", REF)] and len(again.created) == 3


def test_missing_fields_and_broken_blocks_are_located(kb: Path) -> None:
    text = "@article{a, title={T}, year={2020}}\n\n@article{b, author={X, Y}, title={T}, year={soon}}\n@article{c,\n"
    report = read_bib(text, kb, path="x.bib").report
    found = sorted((p.line, p.code) for p in report)
    assert found == [(1, "bibtex-field"), (3, "bibtex-field"), (4, "bibtex-syntax")]
    assert any("no authors" in p.message for p in report)


def test_helpers() -> None:
    assert normalize_doi(" https://dx.doi.org/10.1/abc ") == "10.1/abc"
    assert normalize_doi("doi:10.1/abc") == "10.1/abc"
    assert latex_to_text(r"Cr{\'e}ation of {\"U}ber Li$^{+}$ fluxes") == "Création of Über Li+ fluxes"


def test_cli(kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(cli, ["import-bib", "refs.bib"])
    assert done.exit_code == 0, done.output
    assert "created kb/references/meng2023li2o.yaml (from chap): cite it as meng2023li2o" in done.output
    again = runner.invoke(cli, ["import-bib", "refs.bib"])
    assert again.exit_code == 1 and "is already the reference 'fang2019quantifying'" in again.output
    assert runner.invoke(cli, ["import-bib", "--help"]).exit_code == 0


def _same_id_entries(count: int) -> str:
    return "\n".join(
        f"@article{{k{i}, author = {{Smith, Ann}}, title = {{Lithium plating number {i}}}, year = {{2020}}}}"
        for i in range(count)
    )


def test_thirty_references_with_one_conventional_id_all_get_ids(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    bib = tmp_path / "refs.bib"
    bib.write_text(_same_id_entries(30), encoding="utf-8")
    result = import_bib(bib, kb)
    assert not result.report.errors
    ids = [item.id for item in result.created]
    assert len(set(ids)) == 30 and ids[:3] == ["smith2020lithium", "smith2020lithiumb", "smith2020lithiumc"]
    assert ids[25] == "smith2020lithiumz" and ids[26] == "smith2020lithiumba"
    assert len(list((kb / "references").glob("*.yaml"))) == 30
    assert validate_kb(kb).report.ok()


def test_an_over_long_title_is_refused_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    bib = tmp_path / "refs.bib"
    long_title = "Long " * 150
    bib.write_text(
        "@article{ok, author = {Doe, Jane}, title = {A fine title}, year = {2021}}\n"
        f"@article{{long,\n  author = {{Doe, Jane}},\n  title = {{{long_title}}},\n  year = {{2021}}\n}}\n",
        encoding="utf-8",
    )
    result = import_bib(bib, kb)
    assert [(p.code, p.line) for p in result.report.errors] == [("bibtex-field", 4)]
    assert "title" in result.report.errors[0].message
    assert not (kb / "references").exists() or not list((kb / "references").iterdir())


def test_a_doi_twice_in_one_file_keeps_the_first_and_names_it(kb: Path) -> None:
    text = (
        "@article{one, title={Dense lithium}, author={Smith, A.}, year={2020}, doi={10.1000/x.1}}\n"
        "@article{two, title={Dense lithium again}, author={Smith, A.}, year={2020},\n  doi={10.1000/X.1}}\n"
    )
    result = read_bib(text, kb, path="x.bib")
    [problem] = result.report.errors
    assert (problem.code, problem.line) == (
        "duplicate-doi",
        3,
    ) and "entry 'one' of this file" in problem.message
    assert [r.key for r in result.created] == ["one"]


def test_an_author_name_no_id_can_be_made_from_is_located(kb: Path) -> None:
    result = read_bib("@article{k, title={Dense lithium}, author={张, 三}, year={2020}}\n", kb, path="x.bib")
    [problem] = result.report.errors
    assert (problem.code, problem.line) == ("bibtex-field", 1) and "cannot make an id" in problem.message
    assert result.created == []
