"""Findings as data (the ``findings`` table, ``kb.findings()``) and one fact, one finding
(``id``, ``informs``, the same-finding check)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import limkb
from kbfactory import REF, REFERENCE, minimal, write_entry, write_kb
from limkb.check.validate import validate_kb
from limkb.outputs.sqlite import write_sqlite

MATERIALS = {
    "lifsi": minimal("material", "LiFSI", formula="LiN(SO2F)2", roles=["salt"]),
    "dme": minimal("material", "DME", formula="C4H10O2", roles=["solvent"]),
}


def ce(value: float, current: str, **fields: Any) -> dict[str, Any]:
    """A Li||Cu CE finding at ``current``."""
    return {
        "quantity": "coulombic-efficiency",
        "value": value,
        "unit": "%",
        "conditions": {"cell": "Li||Cu", "current_density": current, "areal_capacity": "1 mAh cm-2"},
        "source": {"ref": REF, "locator": "Abstract"},
        "statement": f"Li||Cu cells averaged {value} % CE.",
        **fields,
    }


def kb_dir(tmp_path: Path, held: list[dict[str, Any]], **other: Any) -> Path:
    """A KB with one read reference, CE, two materials, a strategy holding the findings ``held`` and a
    second strategy (``other`` adds fields to it)."""
    reference = {**REFERENCE, "read": {"status": "abstract", "url": "https://example.org/paper"}}
    return write_kb(
        tmp_path,
        {
            f"references/{REF}": reference,
            "properties/coulombic-efficiency": minimal("property", "CE", unit="%", scope="cell", maximum=100),
            **{f"materials/{i}": m for i, m in MATERIALS.items()},
            "strategies/hce": minimal("strategy", "High concentration", findings=held),
            "strategies/salts": minimal("strategy", "Salts", **other),
        },
    )


FINDINGS = [
    ce(99.3, "1 mA cm-2", electrolyte="4 M LiFSI in DME", id="hce-ce-4m", informs=["salts"]),
    ce(99.6, "500 µA cm-2", electrolyte="LiFSI-2DME", uncertainty=0.1),
    ce(98.0, "2 mA cm-2", electrolyte_note="not stated in the source read"),
]


def test_the_api_returns_every_finding_as_a_typed_record(tmp_path: Path) -> None:
    kb = limkb.load(kb_dir(tmp_path, FINDINGS), cache=False)
    records = kb.findings(quantity="coulombic-efficiency")
    assert [(r.entry, r.position, r.value) for r in records] == [
        ("hce", 0, 99.3),
        ("hce", 1, 99.6),
        ("hce", 2, 98.0),
    ]
    first, second, _ = records
    assert first.id == "hce-ce-4m" and first.informs == ("salts",)
    assert first.cell == "Li||Cu" and first.current_density == 1.0 and first.areal_capacity == 1.0
    assert second.current_density == pytest.approx(0.5)  # µA cm-2, given in mA cm-2
    assert second.uncertainty == 0.1
    assert first.electrolyte == "4 M LiFSI in DME"
    assert [(c.material, c.role) for c in first.components] == [("lifsi", "salt"), ("dme", "solvent")]
    assert first.read_status == "abstract" and first.read_url == "https://example.org/paper"
    assert [r.position for r in kb.findings(entry="salts")] == [0]
    assert kb.findings(quantity="coulombic-efficiency", ref=REF) == records
    with pytest.raises(limkb.UnknownEntryError):
        kb.findings(quantity="coulombic-efficency")


def test_findings_make_a_data_frame(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    frame = limkb.load(kb_dir(tmp_path, FINDINGS), cache=False).findings().to_pandas()
    assert len(frame) == 3
    assert list(frame.loc[frame["value"] > 99, "electrolyte"]) == ["4 M LiFSI in DME", "LiFSI-2DME"]
    assert frame.loc[0, "components"][0] == {"material": "lifsi", "role": "salt", "amount": 4.0, "unit": "M"}


ROOT = Path(__file__).resolve().parent.parent


def readme_example() -> tuple[str, str]:
    """The Python and the SQL of the README's findings example, as written there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Findings: one table, one query") : text.index("## Licences and citing")]
    python = section.split("```python\n", 1)[1].split("```", 1)[0]
    bash = section.split("```bash\n", 1)[1].split("```", 1)[0]
    sql = bash.split('sqlite3 build/kb.sqlite "', 1)[1].rsplit('"', 1)[0]
    return python, sql


def test_the_readme_query_finds_every_fast_li_cu_ce_above_99(tmp_path: Path) -> None:
    kb = limkb.load(kb_dir(tmp_path, FINDINGS), cache=False)
    path = write_sqlite(kb, tmp_path / "build" / "kb.sqlite")
    _, sql = readme_example()
    with sqlite3.connect(path) as db:
        rows = db.execute(sql).fetchall()
        assert rows == [
            ("hce", 99.3, 1.0, "4 M LiFSI in DME", "10.1000/test.2020", "https://example.org/paper")
        ]
        assert db.execute("SELECT entry, position, informs FROM finding_informs").fetchall() == [
            ("hce", 0, "salts")
        ]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {(r[2], r[3]) for r in db.execute("PRAGMA foreign_key_list(findings)")}
        assert {("entries", "entry"), ("entries", "quantity"), ("bibliography", "ref")} <= fks


def test_the_readme_api_example_prints_the_same_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kb_dir(tmp_path, FINDINGS)
    monkeypatch.chdir(tmp_path)
    python, _ = readme_example()
    exec(compile(python, "README.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == [
        "hce 99.3 1.0 4 M LiFSI in DME smith2020test https://example.org/paper"
    ]


def test_a_finding_informs_other_entries_once_stored(tmp_path: Path) -> None:
    from limkb.site.render import RenderOptions, render

    kb = limkb.load(kb_dir(tmp_path, FINDINGS), cache=False)
    assert [e.id for e in kb.related("salts", "informs", direction="in")] == ["hce"]
    pages = render(kb, options=RenderOptions(date="2024-01-01"))
    salts = str(pages["entries/strategies/salts.md"])
    assert "Findings from the cited papers" in salts and "99.3 %" in salts
    assert "recorded on <a" in salts and 'href="hce.md"' in salts
    assert "99.6" not in salts  # a finding that does not inform it stays on its own entry
    assert 'id="finding-hce-ce-4m"' in str(pages["entries/strategies/hce.md"])


def test_informs_names_entries_that_hold_findings(tmp_path: Path) -> None:
    findings = [ce(99.3, "1 mA cm-2", informs=[REF, "nowhere", "hce"])]
    problems = validate_kb(kb_dir(tmp_path, findings)).report.errors
    assert [p.code for p in problems] == ["wrong-kind", "unknown-ref", "self-link"]
    assert all(p.line > 1 for p in problems)


def test_the_same_finding_on_two_entries_is_flagged(tmp_path: Path) -> None:
    copy = ce(99.3, "1 mA cm-2", electrolyte="4 M LiFSI in DME", statement="Worded otherwise.")
    kb = kb_dir(tmp_path, [ce(99.3, "1 mA cm-2", electrolyte="4 M LiFSI in DME")], findings=[copy])
    report = validate_kb(kb).report
    [problem] = report.warnings
    assert problem.code == "same-finding" and problem.path.endswith("salts.yaml")
    assert "likely the same finding" in problem.message and "finding 1 of 'hce'" in problem.message
    assert "informs:" in problem.hint
    # another value is another finding
    other = ce(99.4, "1 mA cm-2", electrolyte="4 M LiFSI in DME")
    assert validate_kb(kb_dir(tmp_path / "b", [copy], findings=[other])).report.ok(strict=True)


def test_finding_ids_are_unique_across_the_kb(tmp_path: Path) -> None:
    kb = kb_dir(tmp_path, [ce(99.3, "1 mA cm-2", id="same")], findings=[ce(98.0, "1 mA cm-2", id="same")])
    [problem] = validate_kb(kb).report.errors
    assert problem.code == "duplicate-finding-id" and problem.path.endswith("salts.yaml")


def test_validate_stats_counts_distinct_findings_papers_and_addresses(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from limkb.cli import cli

    done = CliRunner().invoke(cli, ["validate", "--stats", "--kb", str(kb_dir(tmp_path, FINDINGS))])
    assert done.exit_code == 0, done.output
    assert (
        "distinct findings: 3 (1 informing other entries), from 1 paper; with a read-at address: 3/3"
        in done.output
    )


def test_the_real_kb_stores_each_finding_once(real_kb: Any) -> None:
    from limkb.analysis.findings import finding_key

    keys = [finding_key(f) for e in real_kb.entries() for f in getattr(e, "findings", None) or []]
    assert len(keys) == len(set(keys))
    assert any(r.informs for r in real_kb.findings())


# --- claims ------------------------------------------------------------------------------


def claim(evidence: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A claim about ``hce`` weighing ``evidence``."""
    return minimal(
        "claim",
        "Concentration raises CE",
        proposition="Concentrated electrolytes raise CE",
        about=["hce"],
        evidence=evidence,
        **fields,
    )


def weigh(what: str, stance: str, grade: str = "moderate", key: str = "finding") -> dict[str, Any]:
    return {key: what, "stance": stance, "grade": grade, "reason": f"{what} {stance} it."}


CONTRARY = ce(97.0, "1 mA cm-2", id="hce-ce-low", statement="A concentrated electrolyte gave only 97 % CE.")


def claim_kb(tmp_path: Path, evidence: list[dict[str, Any]]) -> Path:
    kb = kb_dir(tmp_path, [*FINDINGS, CONTRARY])
    write_entry(kb, "claims/concentration-raises-ce", claim(evidence))
    return kb


def test_a_claim_page_tallies_its_evidence_and_shows_the_strongest_each_way(tmp_path: Path) -> None:
    from limkb.site.render import RenderOptions, render

    kb = limkb.load(
        claim_kb(
            tmp_path,
            [
                weigh("hce-ce-4m", "supports", "strong"),
                weigh("hce-ce-low", "contradicts", "weak"),
            ],
        ),
        cache=False,
    )
    assert [e.id for e in kb.related("concentration-raises-ce", "evidence")] == ["hce"]
    assert "concentration-raises-ce" in [e.id for e in kb.related("hce", direction="in")]
    page = str(
        render(kb, options=RenderOptions(date="2024-01-01"))["entries/claims/concentration-raises-ce.md"]
    )
    assert "Evidence weighed" in page and "Concentrated electrolytes raise CE" in page
    assert (
        'limkb-stance-supports">supports</span> 1' in page
        and 'limkb-stance-contradicts">contradicts</span> 1' in page
    )
    start = page.index("Strongest support")
    strongest = page[start : page.index("</dl>", start)]
    assert "99.3 %" in strongest and "Strongest contrary evidence" in strongest and "97 %" in strongest
    assert 'href="../strategies/hce.md#finding-hce-ce-4m"' in page
    assert "no contrary evidence recorded yet" not in page


def test_a_claim_without_contrary_evidence_says_so(tmp_path: Path) -> None:
    from limkb.site.render import RenderOptions, render

    kb = limkb.load(claim_kb(tmp_path, [weigh("hce-ce-4m", "supports")]), cache=False)
    page = str(
        render(kb, options=RenderOptions(date="2024-01-01"))["entries/claims/concentration-raises-ce.md"]
    )
    assert "no contrary evidence recorded yet" in page


@pytest.mark.parametrize(
    ("evidence", "code"),
    [
        ([weigh("hce-ce-4n", "supports")], "unknown-finding"),
        ([weigh("hce-ce-4m", "supports"), weigh("hce-ce-4m", "qualifies")], "duplicate-evidence"),
        ([weigh("no-such-analysis", "supports", key="analysis")], "unknown-ref"),
        ([{**weigh("hce-ce-4m", "supports"), "analysis": "x"}], "bad-value"),
        ([weigh("hce-ce-4m", "agrees")], "bad-value"),
    ],
)
def test_claim_mistakes_are_located(tmp_path: Path, evidence: list[dict[str, Any]], code: str) -> None:
    report = validate_kb(claim_kb(tmp_path, evidence)).report
    assert [p.code for p in report.errors] == [code]
    [problem] = report.errors
    assert problem.path.endswith("concentration-raises-ce.yaml") and problem.line > 1
    if code == "unknown-finding":
        assert "did you mean 'hce-ce-4m'?" in problem.message


def test_the_real_kb_weighs_five_claims_with_findings_it_holds(real_kb: Any) -> None:
    claims = real_kb.entries("claim")
    assert len(claims) >= 5
    ids = {r.id for r in real_kb.findings() if r.id}
    for entry in claims:
        assert entry.evidence, entry.id
        assert all(item.finding in ids for item in entry.evidence if item.finding), entry.id
    stances = {e.id: {item.stance.value for item in e.evidence} for e in claims}
    assert "contradicts" in stances["lif-rich-sei-raises-ce"]


def test_a_claim_s_subjects_and_evidence_are_not_counted_as_unsourced_relations(tmp_path: Path) -> None:
    from limkb.check.stats import count_evidence

    kb = claim_kb(tmp_path, [weigh("hce-ce-4m", "supports"), weigh("x", "supports", key="analysis")])
    result = validate_kb(kb)
    counts = count_evidence(result.entries)
    assert (counts.relations, counts.bare) == (0, 0)
    assert "unsourced-relation" not in {p.code for p in result.report}


def test_claim_evidence_is_a_table_joined_to_the_findings(tmp_path: Path) -> None:
    kb = limkb.load(
        claim_kb(tmp_path, [weigh("hce-ce-4m", "supports", "strong"), weigh("hce-ce-low", "contradicts")]),
        cache=False,
    )
    path = write_sqlite(kb, tmp_path / "kb.sqlite")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT e.stance, e.grade, f.value FROM claim_evidence e JOIN findings f "
            "ON f.entry = e.finding_entry AND f.position = e.finding_position ORDER BY e.position"
        ).fetchall()
        assert rows == [("supports", "strong", 99.3), ("contradicts", "moderate", 97.0)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
