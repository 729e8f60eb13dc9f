"""The data products of a build: SQLite, graph formats, dataset CSVs and JSON-LD."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = ["download_files", "write_outputs"]


def write_outputs(kb: KnowledgeBase, results: Mapping[str, AnalysisResult], out_dir: Path) -> list[Path]:
    """Write the data products into ``out_dir``: every export of :data:`limkb.outputs.exports.EXPORTS`."""
    from limkb.outputs.exports import write_exports

    return sorted(write_exports(kb, out_dir, results))


def download_files(folder: Path, *, keep: bool = False) -> dict[str, bytes | Path]:
    """Every file below ``folder`` (except the caches) as ``downloads/<path>``: its bytes, or
    with ``keep`` (the folder outlives the build) its path."""
    found: dict[str, bytes | Path] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and relative.parts[0] != "cache" and not path.name.startswith("."):
            found[f"downloads/{relative.as_posix()}"] = path if keep else path.read_bytes()
    return found
