"""The data products of a build: SQLite, graph formats, dataset CSVs and JSON-LD."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limkb.analysis.correlations import AnalysisResult
    from limkb.graph import KnowledgeBase

__all__ = ["download_files", "write_outputs"]


def write_outputs(
    kb: KnowledgeBase,
    results: Mapping[str, AnalysisResult],
    out_dir: Path,
    *,
    previous: Path | None = None,
    keep: bool = False,
) -> list[Path]:
    """Write the data products into ``out_dir``: every export of :data:`limkb.outputs.exports.EXPORTS`;
    those whose inputs are unchanged since the build in ``previous`` are linked from there,
    and ``keep`` keeps what each was made from for the next build (see
    :func:`~limkb.outputs.exports.write_exports`)."""
    from limkb.outputs.exports import write_exports

    return sorted(write_exports(kb, out_dir, results, previous=previous, keep=keep))


def download_files(folder: Path, *, keep: bool = False) -> dict[str, bytes | Path]:
    """Every file below ``folder`` (except the caches) as ``downloads/<path>``: its bytes, or
    with ``keep`` (the folder outlives the build) its path."""
    found: dict[str, bytes | Path] = {}
    for parts in sorted(_data_files(folder)):
        path = folder.joinpath(*parts)
        found[f"downloads/{'/'.join(parts)}"] = path if keep else path.read_bytes()
    return found


def _data_files(folder: Path) -> list[tuple[str, ...]]:
    """The files below ``folder`` (as path parts), not descending into its ``cache`` folder (the
    build cache holds a file per page of the site), hidden files left out."""
    found: list[tuple[str, ...]] = []
    for top, folders, names in os.walk(folder):
        relative = Path(top).relative_to(folder).parts
        if not relative:
            folders[:] = [name for name in folders if name != "cache"]
            names = [name for name in names if name != "cache"]
        found.extend(
            (*relative, name)
            for name in names
            if not name.startswith(".") and os.path.isfile(os.path.join(top, name))
        )
    return found
