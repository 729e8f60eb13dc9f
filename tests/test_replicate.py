"""The real-like scale KB: a project's kb/ replicated with renamed ids validates as cleanly as
the original, each copy a closed world linked like the original."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml

from limkb.check.validate import validate_kb
from limkb.graph import link
from sitefactory import write_project

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _replicate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_replicate", BENCHMARKS / "replicate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_three_copies_validate_and_link_among_themselves(tmp_path: Path) -> None:
    source = write_project(tmp_path / "project")
    original = link(validate_kb(source / "kb"))
    count = _replicate().replicate(source, tmp_path / "x3", 3)
    assert count == 3 * len(original)
    kb = link(validate_kb(tmp_path / "x3" / "kb"))
    assert kb.report.ok(strict=True), kb.report.format()
    assert kb.graph.number_of_edges() == 3 * original.graph.number_of_edges()
    for a, b in kb.graph.edges():  # a copy names only entries of its own copy
        assert a.rsplit("-r", 1)[-1] == b.rsplit("-r", 1)[-1] or ("-r" not in a and "-r" not in b)


def test_dois_are_made_unique_and_vocabulary_is_kept(tmp_path: Path) -> None:
    source = write_project(tmp_path / "project")
    _replicate().replicate(source, tmp_path / "x2", 2)
    for path in (tmp_path / "x2" / "kb" / "strategies").glob("*-r1.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not data["family"].endswith("-r1")  # a vocabulary word, not an id
    for path in (tmp_path / "x2" / "kb" / "references").glob("*-r1.yaml"):
        doi = yaml.safe_load(path.read_text(encoding="utf-8")).get("doi")
        assert doi is None or doi.endswith(".r1")
