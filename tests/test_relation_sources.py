"""Every relation carries its own sources or says in `editorial:` why it needs none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbfactory import REF, minimal, write_kb
from limkb.check.stats import count_evidence
from limkb.check.validate import validate_kb
from limkb.cli import cli
from limkb.report import Problem

ROOT = Path(__file__).resolve().parent.parent

STRATEGY = f"""name: FEC additive
family: electrolyte-engineering
interface: li-electrolyte
sources:
  - {{ref: {REF}, locator: "Table 1"}}
subtype_of: electrolyte-additives
uses:
  - fec
forms:
  - id: lif
    sources:
      - {{ref: {REF}, locator: "Fig. 2"}}
  - id: li2o
    editorial: Our inference from the decomposition products the paper lists.
  - id: li3n
    note: A qualifier is not a source.
"""
"""Line 8 holds a bare `fec`, line 15 a link with a note only; `subtype_of` is an id-only field."""


def _kb(tmp_path: Path, strategy: str = STRATEGY, **extra: dict[str, Any] | str) -> Path:
    return write_kb(
        tmp_path,
        {
            "materials/fec": minimal("material", "FEC"),
            "species/lif": minimal("species", "LiF"),
            "species/li2o": minimal("species", "Li2O"),
            "species/li3n": minimal("species", "Li3N"),
            "strategies/electrolyte-additives": minimal("strategy", "Additives"),
            "strategies/fec-additive": strategy,
            **extra,
        },
    )


def _found(kb: Path, code: str) -> list[Problem]:
    return [p for p in validate_kb(kb).report if p.code == code]


def test_a_link_without_sources_or_editorial_is_a_warning_at_the_link(tmp_path: Path) -> None:
    found = _found(_kb(tmp_path), "unsourced-relation")
    assert [(Path(p.path).name, p.line, p.col) for p in found] == [
        ("fec-additive.yaml", 8, 5),
        ("fec-additive.yaml", 15, 9),
    ]
    assert all(str(p.severity) == "warning" for p in found)
    assert found[0].message == "uses 'fec' has no source of its own"
    assert "add `sources:` with a locator, or `editorial:` saying why no source is needed" in found[0].hint


def test_sources_or_editorial_silence_it_and_strict_passes(tmp_path: Path) -> None:
    fixed = STRATEGY.replace(
        "  - fec\n", f'  - id: fec\n    sources:\n      - {{ref: {REF}, locator: "Table 2"}}\n'
    ).replace("    note: A qualifier is not a source.\n", "    editorial: Our own grouping.\n")
    report = validate_kb(_kb(tmp_path, fixed)).report
    assert report.ok(strict=True), report.format()


def test_strict_fails_on_an_unsourced_relation(tmp_path: Path) -> None:
    report = validate_kb(_kb(tmp_path)).report
    assert report.ok() and not report.ok(strict=True)


def test_a_link_with_both_sources_and_editorial_is_a_warning(tmp_path: Path) -> None:
    both = STRATEGY.replace(
        '      - {ref: smith2020test, locator: "Fig. 2"}\n',
        '      - {ref: smith2020test, locator: "Fig. 2"}\n    editorial: Needs none.\n',
    )
    [problem] = _found(_kb(tmp_path, both), "editorial-and-sources")
    assert (problem.line, problem.col) == (10, 9)
    assert "forms 'lif'" in problem.message


def test_links_already_in_error_and_id_only_fields_are_left_alone(tmp_path: Path) -> None:
    broken = STRATEGY.replace("  - fec\n", "  - fec2\n").replace(
        "subtype_of: electrolyte-additives", "subtype_of: lif"
    )
    kb = _kb(tmp_path, broken)
    assert [p.line for p in _found(kb, "unsourced-relation")] == [15]
    assert {p.code for p in validate_kb(kb).report.errors} == {"unknown-ref", "wrong-kind"}


def test_stats_count_sourced_editorial_and_bare_relations(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    done = CliRunner().invoke(cli, ["validate", "--stats", "--kb", str(kb)])
    assert done.exit_code == 0, done.output
    assert (
        "relations with their own source: 1/5 (20 %); editorial: 1; "
        "bare ids, which cannot carry a source: 1; citing more than the review: 1/5 (20 %)"
    ) in done.output


def test_a_share_is_rounded_down_so_it_never_reads_as_a_target_met(tmp_path: Path) -> None:
    two_of_three = (
        STRATEGY.replace("subtype_of: electrolyte-additives\n", "")
        .replace("  - fec\n", f'  - id: fec\n    sources:\n      - {{ref: {REF}, locator: "Table 2"}}\n')
        .replace("  - id: li3n\n    note: A qualifier is not a source.\n", "")
    )
    done = CliRunner().invoke(cli, ["validate", "--stats", "--kb", str(_kb(tmp_path, two_of_three))])
    assert "relations with their own source: 2/3 (66 %); editorial: 1; " in done.output, done.output


# --- the real knowledge base ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_validated() -> Any:
    return validate_kb(ROOT / "kb")


def test_every_relation_of_the_real_kb_has_sources_or_says_why_not(real_validated: Any) -> None:
    unsourced = [p.format_text() for p in real_validated.report if p.code == "unsourced-relation"]
    assert not unsourced, "\n".join(unsourced)


def test_at_least_80_percent_of_the_real_kb_relations_that_can_carry_a_source_do(real_validated: Any) -> None:
    counts = count_evidence(real_validated.entries)
    assert counts.sourced + counts.editorial + counts.bare == counts.relations
    can_carry = counts.relations - counts.bare
    assert counts.sourced >= 0.8 * can_carry, (
        f"{counts.sourced}/{can_carry} relations carry their own source: cite the passage that "
        "states a relation (`sources:` with a locator) rather than marking it `editorial:`"
    )
