"""A strategy without findings says why on its page: an umbrella, or nothing readable found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kbfactory import REF, REFERENCE, minimal, write_kb
from limkb.access import load
from limkb.check.validate import validate_kb
from limkb.cli import cli
from limkb.site.render import RenderOptions, render

SEARCHED = "Crossref and OpenAlex for 'artificial SEI <b>alloy</b>', 2015-2026"
FINDING = {
    "what": "capacity retention",
    "value": 80,
    "unit": "%",
    "source": {"ref": REF, "locator": "Abstract"},
    "statement": "Kept 80 % after 90 cycles.",
}


def gap_kb(tmp_path: Path, **fields: Any) -> Path:
    """An umbrella ``hosts`` with two subtypes, one holding a finding; ``fields`` go to ``hosts``."""
    reference = {**REFERENCE, "read": {"status": "abstract", "url": "https://example.org/paper"}}
    return write_kb(
        tmp_path,
        {
            f"references/{REF}": reference,
            "strategies/hosts": minimal("strategy", "3D hosts", **fields),
            "strategies/carbon-host": minimal(
                "strategy", "Carbon host", subtype_of="hosts", findings=[FINDING]
            ),
            "strategies/copper-host": minimal("strategy", "Copper host", subtype_of="hosts"),
        },
    )


def codes(kb: Path) -> list[str]:
    return [p.code for p in validate_kb(kb).report.problems]


def page(kb: Path, entry_id: str) -> str:
    pages = render(load(kb, cache=False), options=RenderOptions(date="2024-01-02"))
    found = pages[f"entries/strategies/{entry_id}.md"]
    assert isinstance(found, str)
    return found


def test_an_umbrella_says_why_and_links_its_children(tmp_path: Path) -> None:
    kb = gap_kb(tmp_path, evidence_gap={"reason": "umbrella", "searched": SEARCHED})
    assert codes(kb) == []
    text = page(kb, "hosts")
    assert "umbrella entry" in text
    assert "How its papers were searched" in text
    assert "&lt;b&gt;alloy&lt;/b&gt;" in text and "<b>alloy" not in text
    # the default children are its direct subtypes, linked
    shown = text.split("umbrella entry")[1].split("</p>")[0]
    assert (
        'href="carbon-host.md">Carbon host</a>' in shown and 'href="copper-host.md">Copper host</a>' in shown
    )


def test_named_children_replace_the_subtypes(tmp_path: Path) -> None:
    kb = gap_kb(
        tmp_path, evidence_gap={"reason": "umbrella", "searched": SEARCHED, "children": ["carbon-host"]}
    )
    shown = page(kb, "hosts").split("umbrella entry")[1].split("</p>")[0]
    assert "Carbon host" in shown and "Copper host" not in shown


def test_nothing_readable_says_how_it_was_searched(tmp_path: Path) -> None:
    kb = gap_kb(tmp_path)
    (kb / "strategies/copper-host.yaml").write_text(
        (kb / "strategies/copper-host.yaml").read_text()
        + "evidence_gap:\n  reason: nothing-readable\n  searched: PMC and arXiv for copper foam lithium\n"
    )
    assert codes(kb) == []
    text = page(kb, "copper-host")
    assert "No paper on it could be read here" in text
    assert "PMC and arXiv for copper foam lithium" in text


def test_a_strategy_that_does_not_say_shows_how_to_add_the_reason(tmp_path: Path) -> None:
    text = page(gap_kb(tmp_path), "copper-host")
    assert "limkb-evidence-gap" in text and "<code>evidence_gap:</code>" in text
    assert "#say-why-a-strategy-has-no-findings" in text


def test_a_stale_gap_is_an_error_even_when_findings_come_by_informs(tmp_path: Path) -> None:
    stale = {"reason": "nothing-readable", "searched": SEARCHED}
    kb = gap_kb(tmp_path)
    own = kb / "strategies/carbon-host.yaml"
    own.write_text(own.read_text() + "evidence_gap:\n  reason: umbrella\n  searched: x\n")
    assert codes(kb) == ["stale-evidence-gap"]
    kb = gap_kb(tmp_path / "informed", evidence_gap=stale)
    carbon = kb / "strategies/carbon-host.yaml"
    carbon.write_text(carbon.read_text().replace("  statement:", "  informs: [hosts]\n  statement:"))
    problems = validate_kb(kb).report.problems
    assert [p.code for p in problems] == ["stale-evidence-gap"]
    assert problems[0].path.endswith("hosts.yaml") and problems[0].line > 0


def test_children_must_be_strategies_of_an_umbrella(tmp_path: Path) -> None:
    kb = gap_kb(
        tmp_path, evidence_gap={"reason": "umbrella", "searched": SEARCHED, "children": ["carbon-hots"]}
    )
    problems = validate_kb(kb).report.problems
    assert [p.code for p in problems] == ["unknown-child"]
    assert "carbon-host" in problems[0].hint
    kb = gap_kb(
        tmp_path / "b",
        evidence_gap={"reason": "nothing-readable", "searched": SEARCHED, "children": ["carbon-host"]},
    )
    assert codes(kb) == ["children-not-umbrella"]


def test_an_unknown_reason_is_located(tmp_path: Path) -> None:
    kb = gap_kb(tmp_path, evidence_gap={"reason": "forgotten", "searched": SEARCHED})
    problems = validate_kb(kb).report.problems
    assert problems and problems[0].line > 0 and "evidence_gap" in problems[0].message


def test_stats_count_strategies_without_findings_and_name_the_files(tmp_path: Path) -> None:
    kb = gap_kb(tmp_path, evidence_gap={"reason": "umbrella", "searched": SEARCHED})
    done = CliRunner().invoke(cli, ["validate", "--strict", "--stats", "--kb", str(kb)])
    assert done.exit_code == 0, done.output
    assert "strategies without findings: 2, of which 1 say why" in done.output
    assert "kb/strategies/copper-host.yaml" in done.output
    assert "kb/strategies/hosts.yaml" not in done.output


def test_stats_name_the_references_of_findings_without_a_read_at_address(tmp_path: Path) -> None:
    kb = gap_kb(tmp_path, evidence_gap={"reason": "umbrella", "searched": SEARCHED})
    path = kb / f"references/{REF}.yaml"
    path.write_text(path.read_text().replace("  url: https://example.org/paper\n", ""))
    done = CliRunner().invoke(cli, ["validate", "--stats", "--kb", str(kb)])
    assert done.exit_code == 0, done.output
    assert (
        f"with a read-at address: 0/1 (0 %); the others cite {REF} (add `read: {{url: ...}}`" in done.output
    )
