"""Every electrolyte a published table prints that limkb cannot read names the real reason.

One row of :data:`REFUSED` per refused form, taken from the rows of Dataset S01 (Kim et al.
2023) that stay out of ``kb/``: what the message and the hint must say, and the piece of the
formulation the error points at. Each is checked through ``limkb descriptors --file`` (the
column in the formulation) and through ``import-table`` into a copy of ``kb/`` (the row and
the CSV column of the electrolyte, nothing written).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbfactory import tree_digest
from limkb.cli import cli
from limkb.commands.import_table import import_table

ROOT = Path(__file__).resolve().parents[1]

# (formulation, code, words of the message, words of the hint, the text the error points at)
REFUSED: list[tuple[str, str, tuple[str, ...], tuple[str, ...], str]] = [
    (  # a bare %: the percent convention is undeclared
        "1 M LiClO4-PC + 5% FEC",
        "bad-formulation",
        ("bare '%'", "weight, volume or moles"),
        ("wt%, vol% or mol%", "`percent: wt`", "`conventions:`", "--percent"),
        "5%",
    ),
    (
        "1.8 M LiFSI/DME (1 : 1) with HFME at 50% concentration",
        "bad-formulation",
        ("bare '%'",),
        ("`percent: wt`", "--percent"),
        "50%",
    ),
    (  # a ratio without its basis: the ratio convention is undeclared
        "1M LiTFSI DME-DOL (1:1) 3% LiNO3",
        "bad-formulation",
        ("the ratio (1:1) has no basis", "volume, weight or moles"),
        ("'(1:1 v/v)'", "'(1:1 w/w)'", "'(1:1 mol)'", "`ratio: vol`", "--ratio"),
        "(1:1)",
    ),
    (  # solvents printed without their ratio: no convention can supply the numbers
        "3 M LiFNSI in DOL/DME",
        "bad-formulation",
        ("the solvents DOL:DME have no ratio", "no convention"),
        ("'DOL:DME (1:1 v/v)'",),
        "DOL/DME",
    ),
    (
        "1.28M LiFSI FEC-FEMC-D2",
        "bad-formulation",
        ("the solvents FEC:FEMC:D2 have no ratio",),
        ("'FEC:FEMC:D2 (1:1:1 v/v)'",),
        "FEC-FEMC-D2",
    ),
    (
        "1 M LiPF6 in EC/DEC + 0.15M LiDFP",
        "bad-formulation",
        ("the solvents EC:DEC have no ratio",),
        ("'EC:DEC (1:1 v/v)'",),
        "EC/DEC",
    ),
    (  # a misprinted compound: an unknown material, the candidates and how to add it
        "1 M LiFSI 1,4-Dioxolane",
        "unknown-material",
        ("'1,4-Dioxolane' is not a material", "'1,3-Dioxolane'", "'1,4-Dioxane'"),
        ("limkb new material", "`aliases:`"),
        "1,4-Dioxolane",
    ),
    (  # a second electrolyte mixed in without the amounts of its parts
        "1 M LiPF6 EC-DMC (1:1 v), 0.5 M LiNO3 TEGDME, 70%",
        "bad-formulation",
        ("'TEGDME' has no amount", "second electrolyte mixed in"),
        ("with their amounts",),
        "TEGDME",
    ),
    (  # a zero coefficient of a ratio form, said grammatically
        "0LiFSI-1DME",
        "bad-formulation",
        ("a molar ratio's parts must be positive",),
        ("no share",),
        "0",
    ),
    (  # a one-number ratio is a ratio, not a solvent named '(1)'
        "LiFSI DME (1)",
        "bad-formulation",
        ("1 salt without a concentration and 1 solvent, but a ratio of 1 number (1)",),
        ("count the salt first in the molar ratio", "'1 M LiFSI in DME'"),
        "(1)",
    ),
    (
        "1 M LiFSI DME (1)",
        "bad-formulation",
        ("the ratio (1) has one number",),
        ("a single solvent needs no ratio",),
        "(1)",
    ),
    (
        "1 M LiFSI DME-TTE (1)",
        "bad-formulation",
        ("2 solvents but a ratio of 1 number (1)",),
        ("one number per solvent",),
        "(1)",
    ),
]


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    """The JSON line ``limkb descriptors --file`` prints for each refused form, on kb/."""
    column = tmp_path_factory.mktemp("column") / "electrolytes.txt"
    column.write_text("".join(text + "\n" for text, *_ in REFUSED), encoding="utf-8")
    done = CliRunner().invoke(cli, ["descriptors", "--file", str(column), "--kb", str(ROOT / "kb")])
    assert done.exit_code == 1 and "Traceback" not in done.output, done.output
    assert f"{len(REFUSED)} formulations read, {len(REFUSED)} with errors" in done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize(("index", "row"), list(enumerate(REFUSED)), ids=[r[0] for r in REFUSED])
def test_descriptors_names_the_reason_and_the_fix_at_its_place(
    described: list[dict[str, object]],
    index: int,
    row: tuple[str, str, tuple[str, ...], tuple[str, ...], str],
) -> None:
    text, code, said, hinted, at = row
    found = described[index]
    assert found["line"] == index + 1 and found["ok"] is False
    errors = found["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    [error] = errors
    assert error["code"] == code
    for words in said:
        assert words in error["message"], error["message"]
    for words in hinted:
        assert words in error["hint"], error["hint"]
    start = error["column"] - 1
    assert text[start : error["end_column"] - 1] == at, (text, error)


def test_import_table_refuses_each_row_at_its_electrolyte_cell_and_writes_nothing(tmp_path: Path) -> None:
    kb_dir = shutil.copytree(ROOT / "kb", tmp_path / "kb")
    table = tmp_path / "sheet.csv"
    with table.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["label", "electrolyte", "lce"])
        for i, (text, *_) in enumerate(REFUSED):
            writer.writerow([f"refused_{i}", text, "1.5"])
    before = tree_digest(kb_dir)
    done = import_table(table, "kim2023-li-cu-ce", kb_dir)
    assert not done.written
    assert tree_digest(kb_dir) == before
    errors = sorted(done.report.errors, key=lambda p: p.line)
    assert [(p.line, p.col) for p in errors] == [(i + 2, 2) for i in range(len(REFUSED))]
    for problem, (text, _, said, hinted, _at) in zip(errors, REFUSED, strict=True):
        assert text in problem.message
        assert all(words in problem.message for words in said), problem.message
        assert all(words in problem.hint for words in hinted), problem.hint
