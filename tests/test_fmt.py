"""`limkb fmt`: canonical layout that never changes the data, and is idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kbfactory import write_kb
from limkb.check.reader import iter_entry_files, load_file, load_text
from limkb.check.writer import WIDTH, format_text, render
from limkb.cli import cli
from limkb.commands.fmt import format_paths
from limkb.commands.scaffold import scaffold_text
from limkb.schema.kinds import FOLDERS, KINDS

REPO = Path(__file__).resolve().parents[1]


def _data(text: str) -> object:
    document, problems = load_text(text, "t.yaml")
    assert document is not None, problems
    return document.data


TRICKY = [
    "572",
    "1.5",
    "-3",
    "1e5",
    ".5",
    "0x1F",
    "0o17",
    "1_000",
    "12:30:00",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "null",
    "~",
    "",
    " padded ",
    "2024-01-01",
    "- dash",
    "#hash",
    "a: b",
    "a #b",
    "ends:",
    "[x]",
    "{y}",
    "*star",
    "&amp",
    "!bang",
    "|pipe",
    ">fold",
    "'single'",
    '"double"',
    "%pct",
    "@at",
    "`tick`",
    "tab\there",
    "line\nbreak",
    "trailing\n",
    "two\n\n",
    "back\\slash",
    "Müller–Buschbaum σ",
    "\u2028sep",
    "nbsp\u00a0here",
    "=",
    "<<",
    "y",
    "Li||Cu",
    "C/F",
    "LiNO3 (0.1 M)",
]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_text_round_trips(value: str) -> None:
    data = {"name": value, "aliases": [value], "summary": value, "sources": [{"ref": "x", "locator": value}]}
    text = render(data, "strategy")
    assert _data(text) == data
    assert format_text(text, "strategy")[0] == text


@pytest.mark.parametrize("value", ["572", "yes", "on", "2024-01-01", "12:30", "a: b", "a #b", "-x", "1,5e3x"])
def test_text_that_yaml_would_misread_is_quoted(value: str) -> None:
    text = render({"name": value, "sources": []}, "strategy")
    line = next(line for line in text.splitlines() if line.startswith("name:"))
    if value == "1,5e3x":
        assert line == "name: 1,5e3x"
    else:
        assert line.startswith('name: "'), line


def test_plain_where_possible_and_numbers_stay_numbers() -> None:
    data = {
        "title": "Li, Cu and you",
        "authors": ["Fang, C."],
        "year": 2019,
        "volume": "572",
        "pages": "511–515",
        "doi": "10.1038/s41586-019-1481-z",
    }
    text = render(data, "reference")
    assert "  - Fang, C.\n" in text
    assert "year: 2019\n" in text and 'volume: "572"\n' in text
    assert "doi: 10.1038/s41586-019-1481-z\n" in text


def test_key_order_follows_the_model_and_keeps_unknown_keys_last() -> None:
    text = (
        "sources: [{locator: T1, ref: a}]\nzzz: kept\nfamily: artificial-sei\nname: N\n"
        "interface: li-electrolyte\n"
    )
    out, problems = format_text(text, "strategy")
    assert not problems and out is not None
    keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    assert keys == ["name", "sources", "family", "interface", "zzz"]
    assert "  - ref: a\n    locator: T1\n" in out


def test_record_values_follow_the_column_order() -> None:
    data = {
        "name": "D",
        "sources": ["a"],
        "columns": [{"name": "ce", "unit": "%"}, {"name": "f_pct", "unit": "%"}],
        "records": [{"f_pct": 3, "note": "n", "ce": 99.1, "label": "r1", "source": {"ref": "a"}}],
        "composition": [["ce", "f_pct"]],
    }
    text = render(data, "dataset")
    assert "  - label: r1\n    source:\n      ref: a\n    note: n\n    ce: 99.1\n    f_pct: 3\n" in text
    assert "composition:\n  - [ce, f_pct]\n" in text
    assert _data(text) == data


def test_long_prose_is_folded_within_the_width_and_round_trips() -> None:
    words = " ".join(f"word{i}" for i in range(120))
    data = {"name": "N", "summary": words + "\n", "sources": ["a"], "text": ("p1 " * 40).strip() + "\np2\n"}
    text = render(data, "strategy")
    assert "summary: >\n" in text
    assert all(len(line) <= WIDTH for line in text.splitlines())
    assert _data(text) == data


def test_short_lines_keep_their_breaks_as_a_literal_block() -> None:
    data = {"name": "N", "summary": "- one\n- two\n", "sources": ["a"]}
    assert "summary: |\n  - one\n  - two\n" in render(data, "strategy")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_round_trips(value: str) -> None:
    data = {"name": value, "summary": value * 3, "sources": [{"ref": "a", "locator": value}]}
    text = render(data, "strategy")
    assert _data(text) == data
    assert format_text(text, "strategy")[0] == text


def test_schema_line_is_added_and_fixed() -> None:
    out, _ = format_text("name: x\n", "material")
    assert out is not None and out.startswith(
        "# yaml-language-server: $schema=../../schema/material.schema.json\n"
    )
    out2, _ = format_text("# yaml-language-server: $schema=wrong.json\nname: x\n", "material")
    assert out2 == out


def test_comments_move_with_their_field_and_the_header_stays() -> None:
    text = (
        "# about this file\n\n# the family\nfamily: artificial-sei\n# the name\nname: N\n"
        "sources:\n  - a\n# trailing\n"
    )
    out, problems = format_text(text, "strategy")
    assert not problems and out is not None
    body = out.split("\n", 1)[1]
    assert body == (
        "# about this file\n\n# the name\nname: N\nsources:\n  - a\n# the family\n"
        "family: artificial-sei\n# trailing\n"
    )
    assert format_text(out, "strategy")[0] == out


@pytest.mark.parametrize("text", ["name: N  # end of line\n", "sources:\n  # inside\n  - a\nname: N\n"])
def test_comments_that_cannot_be_kept_are_reported_not_lost(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kb" / "strategies" / "s.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    result = format_paths([tmp_path / "kb"])
    assert [p.code for p in result.report] == ["misplaced-comment"]
    assert path.read_text(encoding="utf-8") == text


def test_hash_inside_block_scalar_is_content_not_comment() -> None:
    text = "name: N\nsummary: |\n  # heading\n  text\nsources: [a]\n"
    out, problems = format_text(text, "strategy")
    assert not problems and out is not None and "  # heading\n" in out


def test_broken_file_is_reported_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kb" / "species" / "lif.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("name: [unclosed\n", encoding="utf-8")
    result = format_paths([tmp_path / "kb"])
    assert [p.code for p in result.report] == ["yaml-syntax"]
    assert path.read_text(encoding="utf-8") == "name: [unclosed\n"


def test_cli_check_and_rewrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "kb" / "species" / "lif.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("species_class: inorganic\nname: 'LiF'\nsources: [a]\n", encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(cli, ["fmt", "--check"])
    assert checked.exit_code == 1 and "would reformat kb/species/lif.yaml" in checked.output
    assert runner.invoke(cli, ["fmt"]).exit_code == 0
    assert path.read_text(encoding="utf-8").splitlines()[1:] == [
        "name: LiF",
        "sources:",
        "  - a",
        "species_class: inorganic",
    ]
    assert runner.invoke(cli, ["fmt", "--check"]).exit_code == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffolds_are_canonical(kind: str) -> None:
    text = scaffold_text(kind, "new-entry")
    assert format_text(text, kind)[0] == text


def test_the_real_kb_round_trips_on_a_copy(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "kb", kb)
    before = {p: load_file(p)[0] for p in iter_entry_files(kb) if p.parent.name in FOLDERS}
    result = format_paths([kb])
    assert not result.report.errors, result.report.format()
    for path, document in before.items():
        after, _ = load_file(path)
        assert document is not None and after is not None
        assert after.data == document.data, path
    assert format_paths([kb], check=True).changed == []


def test_fmt_never_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {})
    outside = tmp_path / "outside.yml"
    outside.write_text("name:   Victim\nroles: [salt]\nsources: [{ref: smith2020test, locator: x}]\n")
    before = outside.read_bytes()
    (kb / "materials").mkdir()
    (kb / "materials" / "x.yaml").symlink_to(outside)
    result = format_paths([kb])
    assert outside.read_bytes() == before
    assert [p.code for p in result.report.errors] == ["bad-filename"]
    assert (kb / "materials" / "x.yaml").is_symlink()


def test_fmt_check_reads_at_most_the_size_limit_of_a_device(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {})
    (kb / "materials").mkdir()
    (kb / "materials" / "zero.yaml").symlink_to("/dev/zero")
    result = format_paths([kb / "materials" / "zero.yaml"], check=True)
    assert [p.code for p in result.report.errors] == ["bad-filename"]


def test_a_device_or_pipe_given_by_path_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    from limkb.check.reader import MAX_BYTES, load_file, read_entry_bytes

    fifo = tmp_path / "materials" / "pipe.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    result = format_paths([fifo], check=True)  # would block forever if opened for a blocking read
    assert [p.code for p in result.report.errors] == ["not-a-file"]
    raw, problem = read_entry_bytes(Path("/dev/zero"), "zero")
    assert raw is None and problem is not None and problem.code == "not-a-file"
    big = tmp_path / "materials" / "big.yaml"
    big.write_bytes(b"a" * (MAX_BYTES + 10))
    assert [p.code for p in load_file(big)[1]] == ["file-too-large"]
