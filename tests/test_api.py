"""``limkb.load``, its cache, ``limkb show`` / ``limkb export``, and the questions analysts ask."""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import limkb
import limkb._version
import limkb.access as api
from kbfactory import SOURCE, minimal, write_entry, write_kb
from limkb.cli import cli
from limkb.errors import LoadError, ValidationError

ROOT = Path(__file__).resolve().parent.parent


def small(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        {
            "species/lif": minimal("species", "Lithium fluoride", formula="LiF", summary="A salt."),
            "strategies/fec-additive": minimal(
                "strategy", "FEC additive", forms=[{"id": "lif", "sources": SOURCE}]
            ),
        },
    )


def test_public_api_is_explicit() -> None:
    assert {"load", "KnowledgeBase", "Relation"} <= set(limkb.__all__)
    assert callable(limkb.load)
    assert all(hasattr(limkb, name) for name in limkb.__all__)


def test_load_returns_a_linked_kb(tmp_path: Path) -> None:
    kb = limkb.load(small(tmp_path), cache=False)
    assert isinstance(kb, limkb.KnowledgeBase)
    assert [e.id for e in kb.related("lif", "forms", direction="in")] == ["fec-additive"]


def test_load_raises_with_the_full_report(tmp_path: Path) -> None:
    root = small(tmp_path)
    write_entry(root, "strategies/broken", minimal("strategy", forms=["lif2"], family="nonsense"))
    with pytest.raises(ValidationError) as caught:
        limkb.load(root, cache=False)
    codes = {p.code for p in caught.value.report.errors}
    assert {"unknown-ref", "bad-value"} <= codes


def test_strict_load_fails_on_warnings(tmp_path: Path) -> None:
    root = small(tmp_path)
    write_entry(root, "species/li2o", minimal("species", "Li2O", sources=["smith2020test"]))
    kb = limkb.load(root, cache=False)
    assert [p.code for p in kb.report.warnings] == ["missing-locator"]
    with pytest.raises(ValidationError):
        limkb.load(root, strict=True, cache=False)


def test_default_path_is_kb_here_or_next_to_mkdocs_yml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    deeper = tmp_path / "docs" / "sub"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert api.find_kb() == (tmp_path / "kb").resolve()
    assert "lif" in limkb.load(cache=False)
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(LoadError):
        api.find_kb(Path(os.sep))


def test_cache_is_used_when_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = small(tmp_path)
    first = limkb.load(root)
    assert len(list((tmp_path / "build" / "cache").glob("kb-*.pickle"))) == 1

    def refuse(_: Path) -> None:
        raise AssertionError("validated again although nothing changed")

    monkeypatch.setattr("limkb.check.validate.validate_kb", refuse)
    again = limkb.load(root)
    assert list(again) == list(first)
    assert again.graph.edges(keys=True) == first.graph.edges(keys=True)
    assert again.find("LiF")[0].id == "lif"
    assert again.line_of("fec-additive", ("forms", 0)) == first.line_of("fec-additive", ("forms", 0))


def test_editing_one_file_invalidates_the_cache(tmp_path: Path) -> None:
    root = small(tmp_path)
    assert limkb.load(root)["lif"].name == "Lithium fluoride"
    path = root / "species" / "lif.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Lithium fluoride", "LiF!"), encoding="utf-8")
    assert limkb.load(root)["lif"].name == "LiF!"
    assert len(list((tmp_path / "build" / "cache").glob("kb-*.pickle"))) == 1
    (root / "species" / "lif.yaml").unlink()
    with pytest.raises(ValidationError):  # fec-additive now points at nothing
        limkb.load(root)


def test_cache_key_changes_with_version_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = small(tmp_path)
    key = api.cache_key(root)
    assert api.cache_key(root) == key
    monkeypatch.setattr(limkb._version, "__version__", "99.0")
    assert api.cache_key(root) != key
    monkeypatch.undo()
    monkeypatch.setattr(limkb._version, "code_digest", lambda: "another limkb")
    assert api.cache_key(root) != key
    monkeypatch.undo()
    write_entry(root, "species/li2o", minimal("species", "Li2O"))
    assert api.cache_key(root) != key


def test_a_changed_validation_rule_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    """A cached load made by one limkb is not returned by a limkb whose rules differ (same version)."""
    import shutil
    import subprocess
    import sys

    package = tmp_path / "code"
    shutil.copytree(ROOT / "src" / "limkb", package / "limkb", ignore=shutil.ignore_patterns("__pycache__"))
    root = write_kb(
        tmp_path / "project",
        {"references/odd": {"title": "An oddly named reference", "authors": ["Doe, J."], "year": 2020}},
        reference=False,
    )
    script = "import limkb, sys; kb = limkb.load(sys.argv[1]); print(sorted(p.message for p in kb.report.warnings))"

    def warnings() -> str:
        env = {**os.environ, "PYTHONPATH": str(package)}
        done = subprocess.run(
            [sys.executable, "-c", script, str(root)], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "does not follow" in warnings()
    assert any((tmp_path / "project" / "build" / "cache").glob("kb-*.pickle")), (
        "the first load wrote no cache"
    )
    rule = package / "limkb" / "check" / "rules.py"
    rule.write_text(rule.read_text(encoding="utf-8").replace("does not follow", "breaks the convention"))
    assert "breaks the convention" in warnings()


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    root = small(tmp_path)
    limkb.load(root)
    (cache,) = (tmp_path / "build" / "cache").glob("kb-*.pickle")
    cache.write_bytes(b"not a pickle")
    assert "lif" in limkb.load(root)


# --- the command line -----------------------------------------------------------------------


def test_show_prints_entry_relations_both_ways_and_sources(tmp_path: Path) -> None:
    root = small(tmp_path)
    result = CliRunner().invoke(cli, ["show", "lif", "--kb", str(root)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Lithium fluoride  [species lif]")
    assert "lif.yaml:1" in out
    assert "A salt." in out
    assert "formed by fec-additive: FEC additive" in out
    assert "sources: smith2020test (Table 1)" in out
    outgoing = CliRunner().invoke(cli, ["show", "fec-additive", "--kb", str(root)]).output
    assert "forms lif: Lithium fluoride" in outgoing


def test_show_unknown_id_names_close_matches_and_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "fec-aditive", "--kb", str(small(tmp_path))])
    assert result.exit_code == 1
    assert "did you mean 'fec-additive'" in result.output
    assert "Traceback" not in result.output


def test_export_writes_and_lists_every_file(tmp_path: Path) -> None:
    root = small(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", "--kb", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("kb.sqlite", "graph.json", "graph.graphml", "kb.jsonld"):
        assert (out / name).is_file()
        assert f"wrote {out / name}" in result.output


# --- the questions of the README and the tutorial, on the real kb/ --------------------------


@pytest.fixture
def real(real_kb: limkb.KnowledgeBase) -> limkb.KnowledgeBase:
    return real_kb


def test_which_strategies_form_lif(real: limkb.KnowledgeBase) -> None:
    answer = {e.id for e in real.related("lif", "forms", direction="in")}
    # The review: FEC and fluorinated solvents decompose to LiF; imide salts (LiFSI, LiTFSI)
    # give LiF-rich SEIs by anion decomposition; LiNO3 gives Li3N and Li2O instead.
    assert {"fec-additive", "imide-salts", "fluorinated-ether-solvents"} <= answer, (
        f"strategies forming LiF: {sorted(answer)}; add `forms: [lif]` (with a source) to the missing ones"
    )
    assert "lino3-additive" not in answer
    assert all(real[i].kind == "strategy" for i in answer)


def test_which_failure_modes_threaten_artificial_seis(real: limkb.KnowledgeBase) -> None:
    answer = {f.id for s in real.subtree("artificial-sei") for f in real.related(s, "fails_by")}
    # The review: a-SEIs delaminate, are corroded chemically, dissolve and cross over, and fracture.
    assert {"delamination", "chemical-corrosion", "dissolution-crossover", "fracture"} <= answer, (
        f"failure modes of a-SEIs: {sorted(answer)}; add `fails_by:` to the artificial-SEI strategies"
    )
    assert all(real[i].kind == "failure-mode" for i in answer)


def test_which_open_questions_concern_the_li_cu_interface(real: limkb.KnowledgeBase) -> None:
    answer = [q.id for q in real.entries("question", interface="li-current-collector")]
    assert len(answer) >= 2, f"questions on the Li-Cu interface: {answer}"
    collector = set(real.subtree("current-collector-modification"))
    assert any(
        link.id in collector
        for q in answer
        for link in real[q].about  # type: ignore[attr-defined]
    ), "at least one Li-Cu question should be about a current-collector strategy"


def test_the_tutorial_shows_real_outputs() -> None:
    """Every ``>>>`` example of docs/tutorial.md, run on the real kb/, prints what the page says."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    examples = "\n".join(re.findall(r"```pycon\n(.*?)```", text, re.S))
    test = doctest.DocTestParser().get_doctest(examples, {}, "tutorial", "docs/tutorial.md", 0)
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        runner.run(test, out=out.append)
    finally:
        os.chdir(cwd)
    assert runner.failures == 0, (
        "docs/tutorial.md is stale; rerun its examples and paste the outputs:\n" + "".join(out)
    )
    assert runner.tries >= 15


def test_load_of_an_empty_path_is_refused_instead_of_reading_the_working_folder() -> None:
    with pytest.raises(LoadError, match="empty path"):
        limkb.load("")


def test_a_project_folder_or_a_linked_kb_is_one_clear_problem(tmp_path: Path) -> None:
    kb = small(tmp_path / "project")
    (tmp_path / "project" / "mkdocs.yml").write_text("site_name: x\n")
    report = limkb.validate_kb(tmp_path / "project").report
    assert [p.code for p in report.errors] == ["unknown-folder"]
    assert "is a project folder, not its kb/ folder" in report.errors[0].message
    link = tmp_path / "linked-kb"
    link.symlink_to(kb, target_is_directory=True)
    assert [p.code for p in limkb.validate_kb(link).report.errors] == ["bad-filename"]
