"""``limkb build``: validate, analyse, store, export, render and run MkDocs, atomically.

Everything is produced in a fresh temporary folder beside the targets; only when every step
succeeded are ``build/`` and ``site/`` swapped in by renames. A failed build deletes its
temporary folder and leaves the previous ``build/`` and ``site/`` as they were.

Builds are reproducible: with ``SOURCE_DATE_EPOCH`` set, the same knowledge base gives
byte-identical files (pages, data files, the sitemap and its gzip header, which MkDocs
dates from that variable). Iteration is sorted everywhere and no absolute path of the
build machine reaches the output.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from limkb.errors import BuildError

if TYPE_CHECKING:
    from limkb.analysis import AnalysisResult
    from limkb.graph import KnowledgeBase
    from limkb.plugin import Prepared
    from limkb.render import RenderOptions

__all__ = ["BuildSummary", "build", "render_to", "serve", "write_outputs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    """What a build produced, and how long it took."""

    entries: int
    pages: int
    files: int
    analyses: int
    warnings: int
    seconds: float
    site_dir: Path
    build_dir: Path

    def describe(self) -> str:
        """One line for the CLI."""
        return (
            f"built {self.pages} pages ({self.files} files) for {self.entries} entries and "
            f"{self.analyses} analyses in {self.seconds:.1f} s -> {self.site_dir.name}/, {self.build_dir.name}/"
            + (f" ({self.warnings} warnings)" if self.warnings else "")
        )


def write_outputs(kb: KnowledgeBase, results: Mapping[str, AnalysisResult], out_dir: Path) -> list[Path]:
    """Write the data products into ``out_dir``: kb.sqlite, graph exports, CSVs, analyses.json."""
    from limkb.analysis import results_json
    from limkb.export import export_all
    from limkb.store import write_sqlite

    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = {key: results[key] for key in sorted(results)}
    written = [write_sqlite(kb, out_dir / "kb.sqlite", results=ordered)]
    written += export_all(kb, out_dir)
    analyses = out_dir / "analyses.json"
    analyses.write_text(results_json(ordered) + "\n", encoding="utf-8")
    written.append(analyses)
    return sorted(written)


class _Collect(logging.Handler):
    """Keeps the warnings MkDocs logs, to report them when strict mode aborts the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_mkdocs_warnings() -> Iterator[_Collect]:
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _run_mkdocs(config_file: Path, site_dir: Path, prepared: Prepared) -> None:
    """Run MkDocs (strict) on ``config_file`` into ``site_dir`` with the plugin's inputs prepared.

    The plugin takes the knowledge base out of ``prepared`` when it renders, so the caller
    must not keep its own reference: then the KB is freed before MkDocs writes the HTML.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    from limkb.plugin import LimkbPlugin

    with _collect_mkdocs_warnings() as warnings:
        try:
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            plugin = config.plugins.get("limkb")
            if not isinstance(plugin, LimkbPlugin):
                raise BuildError("mkdocs", f"{config_file.name} does not enable the limkb plugin")
            plugin.prepared = prepared
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
                plugin.prepared = None
        except (MkDocsException, Abort) as error:
            details = "\n".join(warnings.messages)
            raise BuildError("mkdocs", f"{error}\n{details}".rstrip()) from None


def _swap(new: Path, target: Path, trash: Path) -> None:
    """Put ``new`` at ``target`` by renames; the previous ``target`` goes to ``trash``."""
    if target.exists():
        os.replace(target, trash)
    os.replace(new, target)


def build(project: Path, *, strict: bool = True, site_dir: Path | None = None,
          build_dir: Path | None = None) -> BuildSummary:  # fmt: skip
    """Build ``build/`` and ``site/`` of the project folder (the one holding kb/ and mkdocs.yml).

    Raises :class:`~limkb.errors.ValidationError` when the entries have errors (or warnings
    with ``strict``) and :class:`~limkb.errors.BuildError` when a later step fails; in both
    cases nothing of the previous build is touched.
    """
    from limkb.api import load
    from limkb.plugin import Prepared

    started = time.perf_counter()
    project = Path(project).resolve()
    config_file = project / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError("config", f"no mkdocs.yml in {project}")
    site_dir = (site_dir or project / "site").resolve()
    build_dir = (build_dir or project / "build").resolve()
    kb = load(project / "kb", strict=strict, cache=False)
    results = kb.analyses
    entries, analyses, warnings = len(kb), len(results), len(kb.report.warnings)
    work = Path(tempfile.mkdtemp(prefix=".limkb-build-", dir=site_dir.parent))
    try:
        new_build, new_site = work / "build", work / "site"
        try:
            write_outputs(kb, results, new_build)
        except OSError as error:
            raise BuildError("store", str(error)) from error
        old_plots, plots = build_dir / "cache" / "plots", work / "plots"
        if old_plots.is_dir():  # drawn plots are reused; the new set replaces it only on success
            shutil.copytree(old_plots, plots)
        prepared = Prepared(kb, results, new_build, plots)
        del kb, results  # the plugin drops the last references once it has rendered the pages
        _run_mkdocs(config_file, new_site, prepared)
        if not (new_site / "index.html").is_file():
            raise BuildError("mkdocs", "MkDocs wrote no index.html")
        files = [p for p in new_site.rglob("*") if p.is_file()]
        pages = sum(1 for p in files if p.name == "index.html")
        old_cache = build_dir / "cache"
        if old_cache.is_dir():
            os.replace(old_cache, new_build / "cache")
        if plots.is_dir():
            shutil.rmtree(new_build / "cache" / "plots", ignore_errors=True)
            (new_build / "cache").mkdir(exist_ok=True)
            os.replace(plots, new_build / "cache" / "plots")
        _swap(new_build, build_dir, work / "old-build")
        _swap(new_site, site_dir, work / "old-site")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildSummary(
        entries=entries,
        pages=pages,
        files=len(files),
        analyses=analyses,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        site_dir=site_dir,
        build_dir=build_dir,
    )


def render_to(kb_dir: Path, out: Path, *, strict: bool = False, options: RenderOptions | None = None) -> int:
    """Render the pages of ``kb_dir`` into the folder ``out`` (for any site engine); returns the file count."""
    from limkb.api import load
    from limkb.render import render

    kb = load(kb_dir, strict=strict)
    pages = render(kb, options=options)
    out = Path(out)
    for path, content in pages.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return len(pages)


def serve(project: Path, *, dev_addr: str | None = None, dirty: bool = True) -> None:
    """Serve the site with live reload; with ``dirty`` only pages an edit changed are rebuilt."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    config_file = Path(project) / "mkdocs.yml"
    if not config_file.is_file():
        raise BuildError("config", f"no mkdocs.yml in {Path(project).resolve()}")
    # MkDocs warns on every dirty build; under `strict: true` that warning would abort it.
    mkdocs_serve(str(config_file), build_type="dirty" if dirty else None, dev_addr=dev_addr,
                 strict=False if dirty else None)  # fmt: skip
