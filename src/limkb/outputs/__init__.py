"""The data products of a build: SQLite, graph formats, dataset CSVs and JSON-LD."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = ["write_outputs"]


def write_outputs(kb: KnowledgeBase, results: Mapping[str, AnalysisResult], out_dir: Path) -> list[Path]:
    """Write the data products into ``out_dir``: kb.sqlite, graph exports, CSVs, analyses.json."""
    from limkb.analysis.correlations import results_json
    from limkb.outputs.formats import export_all
    from limkb.outputs.sqlite import write_sqlite

    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = {key: results[key] for key in sorted(results)}
    written = [write_sqlite(kb, out_dir / "kb.sqlite", results=ordered)]
    written += export_all(kb, out_dir)
    analyses = out_dir / "analyses.json"
    analyses.write_text(results_json(ordered) + "\n", encoding="utf-8")
    written.append(analyses)
    return sorted(written)
