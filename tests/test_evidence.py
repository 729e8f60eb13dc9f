"""Findings from cited papers, reading status per reference, and evidence grades computed from both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbfactory import REF, REFERENCE, minimal, write_kb
from limkb.analysis.evidence import Grade, grade
from limkb.check.validate import validate_kb
from limkb.schema.kinds import Reference, Source

ROOT = Path(__file__).resolve().parent.parent


def _ref(status: str | None) -> Reference:
    data: dict[str, Any] = {"id": "smith2020test", **REFERENCE}
    if status:
        data["read"] = {"status": status}
    return Reference.model_validate(data)


@pytest.mark.parametrize(
    ("ref", "locator", "status", "expected"),
    [
        ("oyakhire2024interfacial", "Table 1", None, Grade.REVIEW),
        (REF, "as cited in Oyakhire & Bent 2024, Table 2 (ref. 33)", "abstract", Grade.TITLE_ONLY),
        (REF, "Fig. 2b", "full", Grade.PRIMARY_DATA),
        (REF, "Table 1", "abstract", Grade.PRIMARY_TEXT),  # an abstract has no figures
        (REF, "Abstract", "abstract", Grade.PRIMARY_TEXT),
        (REF, "Abstract", "none", Grade.NOT_READ),
        (REF, "Abstract", None, Grade.NOT_READ),
    ],
)
def test_grades_follow_from_the_source_and_the_reading_status(
    ref: str, locator: str, status: str | None, expected: Grade
) -> None:
    assert grade(Source(ref=ref, locator=locator), {REF: _ref(status)}) is expected


def _finding(**fields: Any) -> dict[str, Any]:
    return {
        "quantity": "coulombic-efficiency",
        "value": 98.0,
        "unit": "%",
        "conditions": {"cell": "Li||Cu", "cycles": 100},
        "source": {"ref": REF, "locator": "Abstract"},
        "statement": "Li||Cu cells held 98 % CE over 100 cycles.",
        **fields,
    }


def _kb(tmp_path: Path, read: str | None, finding: dict[str, Any]) -> Path:
    reference = dict(REFERENCE)
    if read:
        reference["read"] = {"status": read, "url": "https://example.org/abstract"}
    return write_kb(
        tmp_path,
        {
            f"references/{REF}": reference,
            "properties/coulombic-efficiency": minimal("property", "CE", unit="%", scope="cell"),
            "strategies/fec-additive": minimal("strategy", "FEC additive", findings=[finding]),
        },
    )


def test_a_finding_must_cite_a_reference_read_here(tmp_path: Path) -> None:
    report = validate_kb(_kb(tmp_path, None, _finding())).report
    [problem] = report.errors
    assert problem.code == "unread-source" and "not marked as read" in problem.message
    assert validate_kb(_kb(tmp_path / "b", "abstract", _finding())).report.ok(strict=True)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"unit": "nm"}, "unit-mismatch"),
        ({"quantity": None}, "missing-field"),
        ({"unit": "furlong"}, "unknown-unit"),
        ({"conditions": {"current_density": "1 mAh cm-2"}}, "unit-mismatch"),
    ],
)
def test_finding_mistakes_are_located(tmp_path: Path, change: dict[str, Any], code: str) -> None:
    finding = {k: v for k, v in _finding(**change).items() if v is not None}
    codes = [p.code for p in validate_kb(_kb(tmp_path, "abstract", finding)).report.errors]
    assert codes == [code]


def test_entry_pages_show_findings_with_their_grade_and_the_home_page_counts(tmp_path: Path) -> None:
    import limkb
    from limkb.site.render import RenderOptions, render

    kb = limkb.load(_kb(tmp_path, "abstract", _finding()))
    pages = render(kb, options=RenderOptions(date="2024-01-01"))
    page = str(pages["entries/strategies/fec-additive.md"])
    assert "Findings from the cited papers" in page
    assert "limkb-grade-primary-text" in page and "98 %" in page and "cycles: 100" in page
    home = str(pages["index.md"])
    assert "0 read in full by the curators, 1 from the abstract only, 0 known only from the review" in home
    assert "Findings from the cited papers: 1" in home
    ref_page = str(pages[f"entries/references/{REF}.md"])
    assert "Read for this knowledge base:" in ref_page and "the abstract" in ref_page


def test_every_finding_of_the_kb_cites_a_reference_read_here(real_kb: Any) -> None:
    references = {r.id: r for r in real_kb.entries(kind="reference")}
    findings = [(e.id, f) for e in real_kb.entries() for f in getattr(e, "findings", None) or []]
    assert len(findings) >= 24
    for entry_id, finding in findings:
        assert grade(finding.source, references) in (Grade.PRIMARY_DATA, Grade.PRIMARY_TEXT), entry_id
    assert all(r.read is not None for r in references.values())


def test_prose_never_types_a_correlation_coefficient(real_kb: Any) -> None:
    import re

    typed = re.compile(r"\b[rρ]\s*=\s*[-−]?\d|\([-−]?0\.\d{2}\)")
    offenders = []
    for entry in real_kb.entries():
        for name in ("summary", "text", "approach", "note"):
            value = getattr(entry, name, None)
            if isinstance(value, str) and typed.search(value):
                offenders.append(f"{entry.id}.{name}")
    assert not offenders, offenders


def test_an_entry_that_discusses_an_analysis_shows_its_recomputed_statistics(real_kb: Any) -> None:
    from limkb.site.render import RenderOptions, render

    pages = render(real_kb, options=RenderOptions(date="2024-01-01"))
    page = str(pages["entries/properties/sei-fluorine-content.md"])
    result = real_kb.analyses["ce-vs-sei-fluorine"]
    assert "Correlations discussed here, recomputed from the data" in page
    assert f"{result.r:.2f}" in page and f"<td>{result.n}</td>" in page


def test_validate_stats_counts_sourced_relations_findings_and_reading(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from limkb.cli import cli

    kb = _kb(tmp_path, "abstract", _finding())
    done = CliRunner().invoke(cli, ["validate", "--stats", "--kb", str(kb)])
    assert done.exit_code == 0, done.output
    assert "findings: 1, graded primary: 1/1 (100 %); primary-text 1" in done.output
    assert "references read here: abstract 1" in done.output
    assert "relations with their own source: 0/0" in done.output
