"""Mutation testing of one limkb module with only the tests that protect it (mutmut, one worker).

Usage, from the project folder, with the dev extra installed (``pip install -r requirements-dev.lock``)::

    python scripts/mutate.py notation            # mutate src/limkb/analysis/notation.py
    python scripts/mutate.py notation --survivors  # also print the diff of every surviving mutant
    python scripts/mutate.py notation --only '*x__check_amount*'  # one function's mutants only
    python scripts/mutate.py --list              # the modules this script knows, with their tests

Each module is mutated in a scratch copy of the project under ``.mutation/<module>/`` (git-ignored),
so the working tree is never touched; ``mutmut`` runs there with one child process (the machine is
shared) and only the test files listed below for that module. The score printed at the end is
``killed / (total - equivalent)``, where the equivalent mutants (changes no test can see, because
the behaviour is the same) are listed with their reason in ``scripts/mutation-equivalent.txt``.
This is a developer tool: it is not part of CI's time budget (see docs/developing.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".mutation"
EQUIVALENT = REPO / "scripts" / "mutation-equivalent.txt"
#: What the selected tests read beside src/ and tests/ (copied into the scratch project).
_ALSO_COPY = ("kb", "schema", "docs", "mkdocs.yml", "README.md", "CONTRIBUTING.md")
_KILLED = {1, 3, 24, -24, 36, 152, 255, 37}
#: The exit codes of ``_KILLED`` that mean mutmut stopped the tests for taking too long. They
#: count as killed (a mutant that makes the tests hang is caught), but they are reported apart:
#: on a loaded machine a slow, unchanged run can time out too, so a run with many of them
#: should be repeated with the timeouts checked one by one (``MUTANT_UNDER_TEST=<name>``).
_TIMED_OUT = {24, -24, 36, 152, 255}
_SURVIVED = {0}
_NO_TESTS = {5, 33}


@dataclass(frozen=True)
class Target:
    """A module to mutate and the test files that protect it."""

    path: str
    tests: tuple[str, ...]


_GRAMMAR_TESTS = ("tests/test_notation.py", "tests/test_grammar_table.py")
_IMPORT_TESTS = (
    "tests/test_import_rows_table.py",
    "tests/test_import_headers_table.py",
    "tests/test_import_table_refusals.py",
    "tests/test_tables.py",
    "tests/test_import_safety.py",
    "tests/test_csv_roundtrip.py",
)
TARGETS: dict[str, Target] = {
    "notation": Target("src/limkb/analysis/notation.py", _GRAMMAR_TESTS),
    "components": Target("src/limkb/analysis/components.py", _GRAMMAR_TESTS),
    "formulations": Target(
        "src/limkb/analysis/formulations.py", ("tests/test_formulations_table.py", *_GRAMMAR_TESTS)
    ),
    "descriptors": Target(
        "src/limkb/analysis/descriptors.py",
        ("tests/test_descriptor_units.py", "tests/test_notation.py"),
    ),
    "correlations": Target(
        "src/limkb/analysis/correlations.py",
        (
            "tests/test_correlations_whole_table.py",
            "tests/test_correlation_ranks.py",
            "tests/test_correlation_options.py",
            "tests/test_analysis.py",
        ),
    ),
    # the grammar's table alone: fast, and every row names the rule it protects
    "expressions": Target("src/limkb/analysis/expressions.py", ("tests/test_expressions_table.py",)),
    "variables": Target("src/limkb/analysis/variables.py", ("tests/test_variables_table.py",)),
    "evidence": Target(
        "src/limkb/analysis/evidence.py", ("tests/test_evidence_table.py", "tests/test_evidence.py")
    ),
    "records": Target(
        "src/limkb/analysis/records.py",
        ("tests/test_records_table.py", "tests/test_computed_values.py", "tests/test_store.py"),
    ),
    "findings": Target(
        "src/limkb/analysis/findings.py", ("tests/test_findings_table.py", "tests/test_findings.py")
    ),
    "inputs": Target(
        "src/limkb/analysis/inputs.py",
        ("tests/test_inputs_table.py", "tests/test_measurements.py", "tests/test_analyst.py"),
    ),
    "chemistry": Target(
        "src/limkb/analysis/chemistry.py",
        ("tests/test_chemistry_table.py",),
    ),
    "rules": Target(
        "src/limkb/check/rules.py",
        (
            "tests/test_rules_table.py",
            "tests/test_rules_datasets_table.py",
            "tests/test_rules_findings_table.py",
            "tests/test_rules_analyses_table.py",
            "tests/test_rules_materials_table.py",
            "tests/test_rules_links_table.py",
            "tests/test_validate.py",
            "tests/test_relation_sources.py",
        ),
    ),
    "reader": Target(
        "src/limkb/check/reader.py",
        (
            "tests/test_reader_table.py",
            "tests/test_reader_positions_table.py",
            "tests/test_reader_tags.py",
            "tests/test_load.py",
            "tests/test_bad_inputs.py",
        ),
    ),
    # reader's file functions (read_entry_bytes, load_text) with the fast table alone:
    # test_load and test_bad_inputs read whole KBs and make a run of every mutant slow
    "reader_files": Target("src/limkb/check/reader.py", ("tests/test_reader_table.py",)),
    # the whole reader with its two fast tables (no whole-KB test): for the functions no row
    # of the scores table names yet (Document, _syntax_problem, _parse_events, _fast_data, _walk)
    "reader_tables": Target(
        "src/limkb/check/reader.py",
        ("tests/test_reader_table.py", "tests/test_reader_positions_table.py", "tests/test_reader_tags.py"),
    ),
    "ranges": Target(
        "src/limkb/check/ranges.py",
        (
            "tests/test_ranges_table.py",
            "tests/test_import_table_refusals.py",
            "tests/test_import_safety.py",
            "tests/test_validate.py",
        ),
    ),
    "import_table": Target("src/limkb/commands/import_table.py", _IMPORT_TESTS),
    "table_rows": Target("src/limkb/commands/table_rows.py", _IMPORT_TESTS),
    "table_headers": Target("src/limkb/commands/table_headers.py", _IMPORT_TESTS),
    # the import path with its fast tables alone (rows read in memory; tiny KBs in tmp_path):
    # test_tables, test_csv_roundtrip and test_import_safety make a run of every mutant slow
    "table_rows_fast": Target("src/limkb/commands/table_rows.py", ("tests/test_import_rows_table.py",)),
    "import_table_fast": Target("src/limkb/commands/import_table.py", ("tests/test_import_table_table.py",)),
}


def _mutmut_config(target: Target) -> str:
    """The ``[tool.mutmut]`` table of the scratch project: one module, its tests, the pytest options."""
    tests = [test for test in target.tests if (REPO / test).exists()]
    lines = [
        "",
        "[tool.mutmut]",
        'source_paths = ["src"]',
        f"only_mutate = [{json.dumps(target.path)}]",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-n", "0"]',
        f"also_copy = {json.dumps(list(_ALSO_COPY))}",
        # A cached verdict of an older source must never count: every run starts from nothing.
        "use_git_change_detection = false",
    ]
    return "\n".join(lines) + "\n"


def prepare(name: str, target: Target) -> Path:
    """A fresh scratch copy of the project for one module, with the mutmut config appended."""
    where = SCRATCH / name
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(REPO / "src", where / "src", ignore=ignore)
    shutil.copytree(REPO / "tests", where / "tests", ignore=ignore)
    for extra in _ALSO_COPY:
        source = REPO / extra
        if source.is_dir():
            shutil.copytree(source, where / extra, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, where / extra)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    (where / "pyproject.toml").write_text(pyproject + _mutmut_config(target), encoding="utf-8")
    return where


def run_mutmut(where: Path, only: list[str]) -> int:
    """Run mutmut with one child process in the scratch project (only the mutants matching
    the globs of ``only``, when given); its exit code."""
    command = [sys.executable, "-c", "from mutmut.__main__ import cli; cli()", "run", "--max-children", "1"]
    return subprocess.run([*command, *only], cwd=where, check=False).returncode


def verdicts(where: Path, target: Target) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code for every mutant it ran, from the meta file it wrote."""
    meta = where / "mutants" / (target.path + ".meta")
    data = json.loads(meta.read_text(encoding="utf-8"))
    return {name: code for name, code in data["exit_code_by_key"].items() if code is not None}


def equivalent_names() -> dict[str, str]:
    """Mutant name -> why it is equivalent, from scripts/mutation-equivalent.txt (``name  # reason``)."""
    found: dict[str, str] = {}
    if not EQUIVALENT.exists():
        return found
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            found[name.strip()] = reason.strip()
    return found


def summarise(codes: dict[str, int | None], equivalent: dict[str, str]) -> dict[str, object]:
    """Counts of killed, survived, untested and equivalent mutants, and the score."""
    survivors = sorted(name for name, code in codes.items() if code in _SURVIVED)
    untested = sorted(name for name, code in codes.items() if code in _NO_TESTS)
    killed = sum(1 for code in codes.values() if code in _KILLED)
    alive = survivors + untested
    equivalents = [name for name in alive if name in equivalent]
    live = [name for name in alive if name not in equivalent]
    other = Counter(code for code in codes.values() if code not in _KILLED | _SURVIVED | _NO_TESTS)
    counted = len(codes) - len(equivalents)
    return {
        "total": len(codes),
        "killed": killed,
        "timed_out": sum(1 for code in codes.values() if code in _TIMED_OUT),
        "survived": len(survivors),
        "no_tests": len(untested),
        "equivalent": len(equivalents),
        "other": dict(other),
        "score": round(100.0 * killed / counted, 1) if counted else 100.0,
        "alive": live,
    }


def show(where: Path, names: list[str]) -> None:
    """Print mutmut's diff of each named mutant."""
    for name in names:
        command = [sys.executable, "-c", "from mutmut.__main__ import cli; cli()", "show", name]
        subprocess.run(command, cwd=where, check=False)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, mutate one module, print its score; exit 1 when mutmut could not run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", nargs="?", choices=sorted(TARGETS), help="the module to mutate")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--survivors", action="store_true", help="print the diff of every live mutant")
    parser.add_argument("--json", type=Path, help="also write the counts to this JSON file")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="mutate only the functions whose mutant names match, e.g. '*x__check_amount*' (repeatable)",
    )
    options = parser.parse_args(argv)
    if options.list or options.module is None:
        for name, target in TARGETS.items():
            print(f"{name:13} {target.path}  <- {' '.join(target.tests)}")
        return 0
    target = TARGETS[options.module]
    started = time.monotonic()
    where = prepare(options.module, target)
    code = run_mutmut(where, options.only)
    if code != 0:
        print(f"mutmut stopped with exit code {code}; see the output above", file=sys.stderr)
        return 1
    result = summarise(verdicts(where, target), equivalent_names())
    result.update(module=target.path, seconds=round(time.monotonic() - started))
    alive = result.pop("alive")
    print(json.dumps(result))
    print(f"{target.path}: {result['score']} % of non-equivalent mutants killed")
    if result["timed_out"]:
        print(f"  of the killed, {result['timed_out']} by a timeout: check them if the machine was loaded")
    if options.json:
        options.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    assert isinstance(alive, list)
    if options.survivors:
        show(where, alive)
    else:
        for name in alive:
            print("  alive:", name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
