"""The MkDocs plugin ``limkb``: adds the pages of :func:`limkb.site.render.render` to a MkDocs build.

With ``plugins: [search, limkb]`` in ``mkdocs.yml``, plain ``mkdocs build --strict`` and
``mkdocs serve`` work from a checkout: the plugin validates ``kb/``, renders every page and
adds it as a generated file (entry pages ``NOT_IN_NAV``, so the navigation stays small), adds
the data files for the Downloads page (``mkdocs build`` only), shows ``CONTRIBUTING.md`` as
the Contributing page, and makes ``serve`` rebuild when a file below ``kb/`` changes.
Validation errors fail the build with every located message (warnings too with
``strict: true``).

While serving, rendered pages are kept in ``.cache/limkb/pages`` and rewritten only when
their text changed, so ``mkdocs serve --dirty`` (what ``limkb serve`` runs) rebuilds just the
pages an edit touched.

Options::

    plugins:
      - limkb:
          kb: kb                       # the knowledge-base folder, relative to mkdocs.yml
          contributing: CONTRIBUTING.md
          strict: false                # true: validation warnings fail the build too
          downloads: true              # add the SQLite/GraphML/JSON/CSV files (not while serving)
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import tempfile
import zlib
from collections import UserString
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from limkb._version import __version__
from limkb.errors import LimkbError, ValidationError
from limkb.files import BuildCache, UnsafePlace, own_folder, trusted_cache
from limkb.incremental import CachedFile
from limkb.outputs import download_files, write_outputs
from limkb.report import Report
from limkb.site.bytecode import SealedTemplates
from limkb.site.context import Site, compiled_with, edit_url, entry_path
from limkb.site.history import entry_history
from limkb.site.page_folder import PageFolder
from limkb.site.render import (
    Download,
    RenderMemo,
    RenderOptions,
    page_of,
    render,
    render_cached,
    render_spilled,
)
from limkb.site.urls import UrlStyle, resolve_links

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation

    from limkb.analysis.correlations import AnalysisResult
    from limkb.check.cache import FileCache
    from limkb.graph import KnowledgeBase
    from limkb.incremental import HtmlCache
    from limkb.schema.kinds import Entry

__all__ = ["LimkbConfig", "LimkbPlugin", "Prepared", "WarmStart"]

log = logging.getLogger("mkdocs.plugins.limkb")
"""MkDocs' logger namespace, so messages show in its output (warnings count under --strict)."""

CACHE_DIR = Path(".cache") / "limkb" / "pages"


class LimkbConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs types its base loosely
    """Options of the plugin in ``mkdocs.yml``."""

    kb = c.Type(str, default="kb")
    contributing = c.Type(str, default="CONTRIBUTING.md")
    strict = c.Type(bool, default=False)
    downloads = c.Type(bool, default=True)


@dataclass
class WarmStart:
    """What the preview's first build takes from the last ``limkb build``'s cache: the HTML of
    pages whose inputs are unchanged (linked, not built), the per-file validation and the
    analyses' results. Used once, then dropped."""

    html_cache: HtmlCache
    files: FileCache
    analyses: tuple[dict[str, str], dict[str, AnalysisResult]] | None = None
    memo: RenderMemo | None = None
    """The last build's render memo: its entry pages and hub pages' pieces (see :func:`_preview_memo`)."""


@dataclass
class Prepared:
    """Inputs computed before MkDocs runs (by ``limkb build``), so the plugin does not redo them.

    The plugin :meth:`take` s them once: after rendering, nothing keeps the knowledge base
    alive while MkDocs turns the pages into HTML (the largest part of a build's memory).
    """

    kb: KnowledgeBase | None
    results: Mapping[str, AnalysisResult] | None
    downloads_dir: Path | None
    plot_cache: Path | None = None
    """Where drawn plots are read from and written to (see :func:`limkb.site.overview.plot_files`)."""
    html_cache: HtmlCache | None = None
    """Pages' HTML from earlier builds (see :mod:`limkb.incremental`); MkDocs then runs "dirty"."""
    render_cache: tuple[Path | None, Path] | None = None
    """Where the entry pages of the last build are read from (None: nowhere) and this build's are written."""
    downloads_ready: Callable[[], None] | None = None
    """Waits until the files of ``downloads_dir`` are written (they are made meanwhile)."""

    def take(self) -> tuple[KnowledgeBase, Mapping[str, AnalysisResult]]:
        """The knowledge base and results, dropping this object's references to them."""
        kb, results = self.kb, self.results
        if kb is None or results is None:
            raise PluginError("limkb: the prepared knowledge base was already used")
        self.kb = self.results = None
        return kb, results


def _rendered_everything(prepared: Prepared) -> bool:
    """Whether this build rendered every page (no render memo of a last build to reuse)."""
    cache = prepared.render_cache
    return cache is None or cache[0] is None or not cache[0].exists()


@dataclass
class _Inputs:
    """What one build of the site renders, wherever it came from (see :meth:`LimkbPlugin._inputs`)."""

    kb: KnowledgeBase
    results: Mapping[str, AnalysisResult]
    downloads_dir: Path | None
    """Where the data files are (or are being) written; None: the site offers none."""
    plot_cache: Path | None
    downloads_ready: Callable[[], None] | None = None
    """Waits until the files of ``downloads_dir`` are written (``limkb build`` writes them meanwhile)."""
    render_cache: tuple[Path | None, Path] | None = None
    """The build's render cache (see :attr:`Prepared.render_cache`)."""
    keep_downloads: bool = False
    """Whether ``downloads_dir`` outlives the build (the site then copies its files from there)."""


class LimkbPlugin(BasePlugin[LimkbConfig]):  # type: ignore[no-untyped-call]
    """Adds the knowledge base's pages, data files and Contributing page to the site."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.prepared: Prepared | None = None
        self._serving = False
        self._files: tuple[Path, FileCache] | None = None
        self._memo = RenderMemo()
        self._folder = PageFolder()
        """While serving: what was last written below the page folder."""
        self._last_good: tuple[KnowledgeBase, Mapping[str, AnalysisResult]] | None = None
        self._problems: Report | None = None
        self._html: tuple[HtmlCache, Navigation, Files] | None = None
        """The page cache of this build, with its navigation and files (from ``on_nav``)."""
        self.overlay = False
        """Set by :class:`limkb.commands.preview.Preview`: the problems of a broken edit are shown
        by the preview's own overlay, not by a banner in every page."""
        self._live: dict[str, Any] = {}
        """While serving: what the last build's MkDocs knew (config, files, nav, env) and the
        render options, for :meth:`refresh_entries`."""
        self._analyses: tuple[dict[str, str], dict[str, AnalysisResult]] | None = None
        self._entry_pages: set[str] = set()
        """While serving: the entry pages of the site shown."""
        self._other_files: set[str] = set()
        """While serving: the other generated pages and files of the site shown."""
        self._loaded: tuple[KnowledgeBase, Mapping[str, AnalysisResult]] | None = None
        """While serving: the KB :meth:`refresh_entries` just loaded, for the build that follows it."""
        self._templates: SealedTemplates | None = None
        """With ``limkb build``: the compiled templates of the last build and of this one."""
        self.warm: WarmStart | None = None
        """Set by :class:`limkb.commands.preview.Preview` for its first build: what the last
        ``limkb build`` left in its cache, so that build reuses it (see :class:`WarmStart`)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"

    def on_shutdown(self) -> None:
        # MkDocs reuses plugin instances across configs loaded in one process: inputs that
        # `limkb build` prepared for one run must not leak into the next.
        self.prepared = None
        self._loaded = None
        self._html = None
        self._templates = None
        self.overlay = False
        self._live = {}

    def _html_cache(self, config: MkDocsConfig) -> HtmlCache | None:
        from limkb.incremental import HtmlCache, StaleCache

        if self.prepared is not None:
            cache = self.prepared.html_cache
        else:
            cache = self.warm.html_cache if self._serving and self.warm is not None else None
        if cache is not None and cache.reuse and not HtmlCache.applies(config):
            raise StaleCache("another plugin sees every page: a reused folder cannot be updated in place")
        return cache if cache is not None and HtmlCache.applies(config) else None

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """With the page cache: decide which pages are unchanged (MkDocs then skips them)."""
        if self._serving:
            self._live.update(config=config, files=files, nav=nav)
        cache = self._html_cache(config)
        if cache is not None:
            cache.decide(nav, files)
            self._html = (cache, nav, files)
        return nav

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        """Before pages are written: the unchanged ones are put in place from the cache, and
        with ``limkb build`` the theme's templates are compiled once for later builds."""
        if self._serving:
            self._live["env"] = env
        if self._templates is not None:
            env.bytecode_cache = self._templates
        if self._html is not None:
            cache, nav, files = self._html
            cache.place(nav, files)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self._html is not None:
            cache, nav, files = self._html
            cache.finish(nav, files)
            self._html = None
            if self._serving:  # the preview's warm start: later builds go by the files' times
                _age_sources(files, cache.hits)
                _release_cache(files)
                self.warm = None

    def _project(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path or "mkdocs.yml").resolve().parent

    def _kb_dir(self, config: MkDocsConfig) -> Path:
        return self._project(config) / self.config.kb

    def _load(self, config: MkDocsConfig) -> tuple[KnowledgeBase, Mapping[str, AnalysisResult]]:
        from limkb.access import load

        kb_dir = self._kb_dir(config)
        try:
            kb = self._reload(kb_dir) if self._serving else load(kb_dir, strict=self.config.strict)
        except ValidationError as error:
            if self._serving and self._last_good is not None:
                # Keep serving the last good site; every page shows what the edit broke.
                self._problems = error.report
                log.info(
                    "limkb: the edit has problems (%s); serving the last good version", error.report.summary()
                )
                return self._last_good
            raise PluginError(
                f"limkb: the knowledge base in {self.config.kb}/ has problems "
                f"({error.report.summary()}):\n{error.report.format()}"
            ) from None
        except LimkbError as error:
            raise PluginError(f"limkb: {error}") from None
        for problem in kb.report:
            log.info(problem.format_text())
        if self._serving:
            from limkb.analysis.correlations import analysis_keys

            kept = self._analyses
            if kept is None and self.warm is not None:
                kept = self.warm.analyses
            self._analyses = kb.reuse_analyses(analysis_keys(kb), kept)
            self._last_good, self._problems = (kb, kb.analyses), None
        return kb, kb.analyses

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Put limkb's template overrides (the header's search box) before the theme's own, and
        the version in the footer."""
        overrides = str(resources.files("limkb.site") / "overrides")
        if overrides not in config.theme.dirs:
            config.theme.dirs.insert(0, overrides)
        cache = self.prepared.html_cache if self.prepared is not None else None
        if cache is not None and cache.applies(config):
            _list_theme_from(cache, config)
        stamp = f" This is version {__version__}."
        if config.copyright and stamp not in config.copyright:
            config.copyright = config.copyright.rstrip() + stamp  # the footer says which version to cite
        return config

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Links in the pages' HTML blocks, written as paths of Markdown files, become the
        site's URLs (MkDocs converts only the links of Markdown syntax)."""
        style: UrlStyle = "directory" if config.use_directory_urls else "file"
        return resolve_links(markdown, page.file.src_uri, style)

    def on_page_context(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        """The theme's edit button opens an entry's YAML file; generated pages have none."""
        if page.file.generated_by is None or not config.repo_url:
            return context
        parts = page.file.src_uri.split("/")
        if len(parts) == 3 and parts[0] == "entries" and parts[2].endswith(".md"):
            path = f"{self.config.kb}/{parts[1]}/{parts[2][:-3]}.yaml"
            page.edit_url = edit_url(config.repo_url, self._branch(config), path)
        else:
            page.edit_url = None
        return context

    @staticmethod
    def _branch(config: MkDocsConfig) -> str:
        edit_uri = (config.edit_uri or "").strip("/").split("/")
        return edit_uri[1] if len(edit_uri) > 1 and edit_uri[0] == "edit" else "main"

    def on_page_content(self, html: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """While an edit breaks validation, put its located problems at the top of every page.

        In ``limkb build`` (no other plugin reading pages), a page's Markdown is let go once it
        is HTML: MkDocs would hold it, twice, until the end of the build; and the HTML is held
        packed until MkDocs writes the page (see :class:`PackedHtml`)."""
        if self._html is not None and not self._serving:
            page.markdown = ""  # not None: the page's title still comes from its heading
            page.file.content_string = ""
            return PackedHtml(html)  # type: ignore[return-value]  # reads as the string
        if not self._serving or self._problems is None or self.overlay:
            return html
        return problems_banner(self._problems) + html

    def on_post_page(self, output: str, /, *, page: Any, config: MkDocsConfig) -> str:
        """The graph explorer's scripts go on the graph page only: every other page stays light.
        With the page cache, what the page told MkDocs is noted for the cache."""
        if self._html is not None:
            self._html[0].record(page)
        if self._serving and set(config.plugins) <= {"limkb"}:  # no other plugin reads pages later
            _let_go(page)
        if getattr(page.file, "src_uri", None) != "graph.md":
            return output
        depth = page.url.count("/")  # "graph/" is one folder down; "graph.html" none
        prefix = "../" * depth
        scripts = "".join(
            f'<script src="{prefix}assets/limkb/{name}"></script>'
            for name in ("graph-data.js", "vendor/cytoscape.min.js", "explorer.js")
        )
        return output.replace("</body>", scripts + "</body>", 1)

    def _reload(self, kb_dir: Path) -> KnowledgeBase:
        """Validate and link ``kb_dir`` again while serving, re-reading only the files that changed.

        The per-file cache lives as long as this plugin instance (MkDocs keeps it across
        rebuilds); the checks that span entries and the linking run every time.
        """
        from limkb.access import load
        from limkb.check.validate import FileCache

        if self._files is None or self._files[0] != kb_dir:
            self._files = (kb_dir, self.warm.files if self.warm is not None else FileCache())
        cache = self._files[1]
        cache.hits = cache.misses = 0
        try:
            return load(kb_dir, strict=self.config.strict, cache=False, files=cache)
        finally:
            log.debug("re-read %d changed files, reused %d", cache.misses, cache.hits)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Render the knowledge base and add every page and file it produces."""
        _check_docs(config)
        if self._serving and self._templates is None:
            self._templates = self._preview_templates(config)
        with tempfile.TemporaryDirectory(prefix="limkb-downloads-") as scratch:
            in_memory, on_disk = self._site_files(config, files, Path(scratch))
        if self.prepared is not None and _rendered_everything(self.prepared):
            # `limkb build`: give the knowledge base's memory to MkDocs. The load set what it
            # made apart from collections (gc.freeze), and the few cycles among it hold the rest
            # of the KB: a build that rendered every page hands it back first (83 MiB of a
            # 10,275-entry clean build's peak). A rebuild keeps it apart (walking it again cost
            # 0.45 s of a 9-second rebuild, and its peak is lower) and leaves its few pages'
            # garbage to the collector's next run (a full collection here cost 0.1 s at 10,275
            # entries).
            gc.unfreeze()
            gc.collect()
        folder = self._serve_from_folder(config, in_memory, on_disk) if self._serving else None
        html = self._html_cache(config)
        make = File if html is None else CachedFile  # pages the HTML cache may skip
        if html is not None and self.prepared is not None:
            in_memory = _place_outside(files, html, in_memory)
        _add_generated(files, config, make, in_memory, on_disk, folder)
        return files if html is None else html.prepare(files, config)

    def _inputs(self, config: MkDocsConfig, scratch: Path) -> _Inputs:
        """What this build renders: what ``limkb build`` prepared, what :meth:`refresh_entries`
        loaded just before (serving), or the knowledge base loaded now, with its data files
        written to ``scratch`` (a plain ``mkdocs build``)."""
        if self.prepared is not None:
            kb, results = self.prepared.take()
            prepared = self.prepared
            return _Inputs(
                kb,
                results,
                prepared.downloads_dir,
                prepared.plot_cache,
                prepared.downloads_ready,
                prepared.render_cache,
                keep_downloads=True,
            )
        if self._serving and self._loaded is not None:
            (kb, results), self._loaded = self._loaded, None
            return _Inputs(kb, results, None, self._plot_cache(config))
        kb, results = self._load(config)
        downloads_dir = None
        if self.config.downloads and not self._serving:
            downloads_dir = scratch
            write_outputs(kb, results, downloads_dir)
        return _Inputs(kb, results, downloads_dir, self._plot_cache(config))

    def _site_files(
        self, config: MkDocsConfig, files: Files, scratch: Path
    ) -> tuple[dict[str, str | bytes], dict[str, Path]]:
        """Every page and file of the site: those held in memory, and those read from where they are.

        ``limkb build`` writes its data files meanwhile: the Downloads page is made again once
        they are there. Nothing here keeps the knowledge base once it returns.
        """
        inputs = self._inputs(config, scratch)
        folder, later = inputs.downloads_dir, inputs.downloads_ready
        extra = download_files(folder, keep=inputs.keep_downloads) if folder and later is None else None
        options = self._render_options(
            config, files, extra, inputs.plot_cache, dataset_downloads=bool(folder)
        )
        self._live["options"] = options
        pages = self._render(inputs, options, self._pages_folder(config) if self._serving else None)
        if later is not None and folder is not None:
            later()
            extra = download_files(folder, keep=True)
            listed = dataclasses.replace(options, downloads=Download.listing(extra))
            pages = {
                **pages,
                "downloads.md": page_of(Site(inputs.kb, listed, inputs.results), "downloads.md"),
            }
        made: dict[str, str | bytes | Path] = {**pages, **(extra or {})}
        on_disk = {p: b for p, b in made.items() if isinstance(b, Path)}
        return {p: b for p, b in made.items() if not isinstance(b, Path)}, on_disk

    def _render(
        self, inputs: _Inputs, options: RenderOptions, folder: Path | None = None
    ) -> Mapping[str, str | bytes | Path]:
        """The pages: with the build's render cache (``limkb build``), with this preview's memo
        (serving: the entry pages are written below the page ``folder`` as they are made and
        given as their files, so neither the memo nor the plugin holds their text), or all
        made anew."""
        kept = inputs.render_cache
        if kept is not None and not self._serving:
            # templates compiled by the last build are reused (sealed with this machine's key)
            self._templates = SealedTemplates(
                None if kept[0] is None else BuildCache(kept[0].parent).templates,
                BuildCache(kept[1].parent).templates,
            )
            with compiled_with(self._templates):
                return render_cached(inputs.kb, kept, results=inputs.results, options=options)
        if self._serving and self.warm is not None and self.warm.memo is not None:
            self._memo = _preview_memo(self.warm.memo, options, inputs.kb)
            self.warm.memo = None
        memo = self._memo if self._serving else None
        with compiled_with(self._templates):
            if memo is not None and folder is not None:
                spilled = render_spilled(
                    inputs.kb, folder, results=inputs.results, options=options, memo=memo
                )
                self._folder.forget(folder, (entry_path(inputs.kb[i]) for i in memo.fresh))
                log.debug("rendered %d entry pages anew, reused the others", memo.rendered)
                return spilled
            return render(inputs.kb, results=inputs.results, options=options, memo=memo)

    def _serve_from_folder(
        self, config: MkDocsConfig, pages: Mapping[str, str | bytes], spilled: Mapping[str, Path]
    ) -> Path:
        """While serving: the pages go to the page folder (only those that changed are
        written; the ``spilled`` ones are there already), the pages of entries that are gone
        leave the site; the folder."""
        folder = self._pages_folder(config)
        every = set(pages) | set(spilled)
        entry_pages = {p for p in every if p.startswith("entries/") and p.count("/") == 2}
        self._drop_entry_pages(config, entry_pages)
        self._drop_other_files(config, every - entry_pages)
        self._folder.materialise(pages, folder, keep=spilled)
        banner = None if self._problems is None or self.overlay else problems_banner(self._problems)
        self._folder.show_banner(banner, folder, sorted(every))
        return folder

    def _plot_cache(self, config: MkDocsConfig) -> Path | None:
        """The drawn plots of the last ``limkb build``, when its cache was made on this machine."""
        build_cache = BuildCache.of_project(self._kb_dir(config).resolve().parent)
        return build_cache.plots if trusted_cache(build_cache.folder) else None

    def _render_options(
        self,
        config: MkDocsConfig,
        files: Files,
        extra: Mapping[str, bytes | Path] | None,
        plot_cache: Path | None,
        *,
        dataset_downloads: bool,
    ) -> RenderOptions:
        """What the pages need from MkDocs' config, the project and this plugin's options."""
        contributing_path = self._project(config) / self.config.contributing
        return RenderOptions(
            site_url=config.site_url,
            repo_url=config.repo_url,
            edit_branch=self._branch(config),
            urls="directory" if config.use_directory_urls else "file",
            history=entry_history(self._kb_dir(config)),
            kb_dir=self.config.kb,
            downloads=None if extra is None else Download.listing(extra),
            dataset_downloads=dataset_downloads,
            contributing=contributing_path.read_text(encoding="utf-8")
            if contributing_path.is_file()
            else None,
            docs_pages=frozenset(f.src_uri for f in files if f.src_uri.endswith(".md")),
            citation_cff=_citation_cff(self._project(config)),
            plot_cache=plot_cache,
        )

    @property
    def problems(self) -> Report | None:
        """While serving: the problems of the last edit, when it broke validation."""
        return self._problems

    def refresh_entries(self) -> list[str] | None:
        """While serving, after an edit: validate again and rebuild just the entry pages whose
        text changed, in place (the rest of the site follows with the next full build).

        Returns the paths of the pages rebuilt; None when there is no built site to update
        (or it cannot be updated this way: a full build is needed).
        """
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.pages import Page

        from limkb.site.render import render_entries

        live = self._live
        if not self._serving or not {"config", "files", "nav", "env", "options"} <= set(live):
            return None
        config, files, nav, env = live["config"], live["files"], live["nav"], live["env"]
        live.pop("site", None)  # the last KB's context: made again for the next save (prime_quick)
        try:
            kb, results = self._load(config)
        except PluginError:
            return None
        self._loaded = (kb, results)  # the rest of the site, built next, shows the same KB
        if self._problems is not None:
            return []  # the last good site stays; the overlay shows what the edit broke
        folder = self._pages_folder(config)
        pages = render_entries(kb, results=results, options=live["options"], memo=self._memo, spill=folder)
        changed: list[str] = []
        # the edited entries' own pages first: they are what the editor looks at
        for entry_id in sorted(self._memo.fresh, key=lambda i: (i not in self._memo.changed, i)):
            path = entry_path(kb[entry_id])
            self._folder.forget(folder, [path])  # written anew by the rendering
            file = files.get_file_from_path(path)
            if file is None:  # a new entry
                file = File.generated(
                    config, path, abs_src_path=str(folder / path), inclusion=InclusionLevel.NOT_IN_NAV
                )
                files.append(file)
                Page(None, file, config)
            changed.append(path)
        gone = self._drop_entry_pages(config, set(pages), files)
        doc_files = files.documentation_pages()
        for path in changed:  # in the order above
            found = files.get_file_from_path(path)
            page = found.page if found is not None else None
            if page is None:
                return None
            with _no_anchor_scan():
                _populate_page(page, config, files)
            _build_page(page, config, doc_files, nav, env)
        return changed + gone

    def refresh_site(self) -> list[str] | None:
        """While serving, after :meth:`refresh_entries`: the rest of the site, in place. The
        pages that list entries are joined again from the pieces the edit left exact, and only
        the files whose content changed are written, converted (pages) or copied (other files),
        with the files, navigation and templates of the last build: what MkDocs' dirty build
        would do, without walking every file of the site.

        Returns the paths written; None when this cannot be done so (no built site, a file
        added or gone, another plugin that sees every page): a dirty build is then needed,
        and the KB :meth:`refresh_entries` loaded is left for it.
        """
        from mkdocs.commands.build import _build_page, _populate_page

        from limkb.incremental import HtmlCache

        live, loaded = self._live, self._loaded
        if (
            not self._serving
            or loaded is None
            or not {"config", "files", "nav", "env", "options"} <= set(live)
        ):
            return None
        config, files = live["config"], live["files"]
        if not HtmlCache.applies(config):
            return None
        if self._problems is not None:
            return []  # the last good site stays; the overlay shows what the edit broke
        folder = self._pages_folder(config)
        options = dataclasses.replace(live["options"], history=entry_history(self._kb_dir(config)))
        kb, results = loaded
        with compiled_with(self._templates):
            pages = render_spilled(kb, folder, results=results, options=options, memo=self._memo)
        self._live["options"] = options
        if set(pages) != self._entry_pages | self._other_files:
            return None
        fresh = [entry_path(kb[i]) for i in sorted(self._memo.fresh)]
        self._folder.forget(folder, fresh)
        in_memory = {p: c for p, c in pages.items() if not isinstance(c, Path)}
        written = fresh + self._folder.materialise(in_memory, folder, prune=False)
        made = [files.get_file_from_path(path) for path in written]
        if any(file is None or (file.is_documentation_page() and file.page is None) for file in made):
            return None
        doc_files = files.documentation_pages()
        for file in made:
            if file.is_documentation_page():
                with _no_anchor_scan():
                    _populate_page(file.page, config, files)
                _build_page(file.page, config, doc_files, live["nav"], live["env"])
            else:
                file.copy_file()
        self._loaded = None
        return written

    def forget_loaded(self) -> None:
        """After a refresh: the KB :meth:`refresh_entries` loaded is not to be reused any more."""
        self._loaded = None

    def quick_entries(self, paths: list[Path]) -> list[str]:
        """While serving, at once after a save: the pages of the entries in the edited ``paths``
        (existing entries, not references), each read and checked alone and shown among the
        rest of the last good KB, converted and written before anything else is done. An edit
        that does not check alone is left to :meth:`refresh_entries`, which always follows and
        makes every page exact. Returns the paths of the pages written."""
        from mkdocs.commands.build import _build_page, _populate_page

        from limkb.site.render import render_entry

        live, last = self._live, self._last_good
        if not {"config", "files", "nav", "env", "options"} <= set(live) or last is None:
            return []
        config, files = live["config"], live["files"]
        kb_dir = self._kb_dir(config)
        site = self._quick_site(last[0], last[1], live["options"])
        written: list[str] = []
        for path in paths:
            entry = _entry_alone(kb_dir, path)
            if entry is None or entry.kind == "reference" or dict.get(site.by_id, entry.id) is None:
                continue
            page_path = entry_path(entry)
            found = files.get_file_from_path(page_path)
            if found is None or found.page is None:
                continue
            self._write_page(config, page_path, render_entry(site, entry))
            with _no_anchor_scan():
                _populate_page(found.page, config, files)
            _build_page(found.page, config, files.documentation_pages(), live["nav"], live["env"])
            written.append(page_path)
        return written

    def prime_quick(self) -> None:
        """After a build while serving: make the context :meth:`quick_entries` needs now, so
        the next save does not wait for it."""
        live, last = self._live, self._last_good
        if "options" in live and last is not None:
            self._quick_site(last[0], last[1], live["options"])

    def _quick_site(
        self, kb: KnowledgeBase, results: Mapping[str, AnalysisResult], options: RenderOptions
    ) -> Site:
        """The pages' context of the last good KB, made once per KB (see :meth:`quick_entries`)."""
        kept = self._live.get("site")
        if kept is None or kept[0] is not kb or kept[1] is not options:
            kept = (kb, options, Site(kb, options, results))
            self._live["site"] = kept
        site: Site = kept[2]
        return site

    def _write_page(self, config: MkDocsConfig, path: str, text: str) -> bool:
        """Write a page's Markdown below the page folder unless it is what is there; whether it was written."""
        return self._folder.write(self._pages_folder(config), path, text)

    def _preview_templates(self, config: MkDocsConfig) -> SealedTemplates | None:
        """While serving: the templates' compiled code, read from the last ``limkb build``'s cache
        (when this machine made it) and kept beside the page folder, so neither the first build
        nor a refresh compiles a template again; None when that folder cannot be had."""
        project = self._project(config)
        build_cache = BuildCache.of_project(project)
        try:
            kept = own_folder(project, CACHE_DIR.parent / "templates")
        except UnsafePlace:
            return None
        return SealedTemplates(build_cache.templates if trusted_cache(build_cache.folder) else None, kept)

    def _pages_folder(self, config: MkDocsConfig) -> Path:
        """Where pages are kept while serving: a real folder of the project, checked each time."""
        try:
            return own_folder(self._project(config), CACHE_DIR)
        except UnsafePlace as why:
            raise PluginError(str(why)) from None

    def _drop_entry_pages(
        self, config: MkDocsConfig, pages: set[str], files: Files | None = None
    ) -> list[str]:
        """While serving: the pages of entries that are gone leave the site (a dirty build keeps them)."""
        gone = sorted(self._entry_pages - pages)
        _unlink_built(config, gone, files)
        self._entry_pages = set(pages)
        return gone

    def _drop_other_files(self, config: MkDocsConfig, paths: set[str]) -> None:
        """While serving: the other generated files that are gone (a deleted entry's id page and
        citation files) leave the site too."""
        _unlink_built(config, sorted(self._other_files - paths))
        self._other_files = paths

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when an entry or CONTRIBUTING.md changes."""
        server.watch(str(self._kb_dir(config)))
        contributing = self._project(config) / self.config.contributing
        if contributing.is_file():
            server.watch(str(contributing))
        return server


class PackedHtml(UserString):
    """A page's HTML held compressed from MkDocs' conversion of the page to its writing.

    MkDocs converts every page before it writes any, so a clean build held the HTML of all of
    them at once (about 28 million characters at 2,055 entries of the replicated KB, most of
    them stored two bytes a character). Packed, it takes a few bytes a line; it reads as the
    string it holds wherever the theme uses it (``{{ page.content }}``, ``"<h1" not in
    page.content``), and only the page being written is unpacked at a time."""

    def __init__(self, html: str) -> None:  # not UserString's: no ``data`` is kept
        self._packed = zlib.compress(html.encode("utf-8", "surrogatepass"), 1)

    @property
    def data(self) -> str:  # type: ignore[override]  # UserString's attribute, read-only here
        """The HTML, unpacked (the last page's is kept: its template asks for it twice)."""
        if _UNPACKED and _UNPACKED[0][0] is self:
            return _UNPACKED[0][1]
        text = zlib.decompress(self._packed).decode("utf-8", "surrogatepass")
        _UNPACKED[:] = [(self, text)]
        return text

    def __add__(self, other: object) -> str:  # type: ignore[override]
        return self.data + str(other)

    def __radd__(self, other: object) -> str:  # type: ignore[override]
        return str(other) + self.data


_UNPACKED: list[tuple[PackedHtml, str]] = []
"""The :class:`PackedHtml` unpacked last, with its text."""


def _list_theme_from(cache: HtmlCache, config: MkDocsConfig) -> None:
    """The theme's Jinja environment, with its installed folders' files listed by the page cache
    (:meth:`~limkb.incremental.HtmlCache.theme_files`) when MkDocs adds the theme's files."""
    theme = config.theme
    make = theme.get_env

    def get_env() -> Any:
        env = make()
        cache.theme_files(env)
        return env

    theme.get_env = get_env  # type: ignore[method-assign]


@contextmanager
def _no_anchor_scan() -> Iterator[None]:
    """While serving, converting a page in place: MkDocs' scan of the page's raw HTML for the
    ids links may point to (its ``_RawHTMLPreprocessor``, about half the cost of converting a
    page that lists entries, an HTML parser over the whole table) is skipped. Only a whole
    MkDocs build checks links against those ids, and the preview's in-place steps never do;
    the scan does not change the page, so its HTML is the same. Nothing is skipped with a
    MkDocs that has no such scan."""
    from mkdocs.structure import pages

    scan = getattr(pages, "_RawHTMLPreprocessor", None)
    run = getattr(scan, "run", None)
    if scan is None or run is None:
        yield
        return
    scan.run = _lines_unscanned
    try:
        yield
    finally:
        scan.run = run


def _lines_unscanned(self: Any, lines: list[str]) -> list[str]:
    """The raw-HTML scan's step without the scan: the lines as they are, no ids found."""
    self.present_anchor_ids = set()
    return lines


def _let_go(page: Any) -> None:
    """While serving, once a page is HTML: its Markdown and HTML are not kept (MkDocs would hold
    them on its ``Page`` until the next conversion of that page, the largest pages that list
    entries among them, some MiB each at 10,000 entries). Its title stays what it was: empty
    texts, not None, leave MkDocs' title rule as it was (see ``on_page_content``)."""
    page.markdown = ""
    page.content = ""


def _check_docs(config: MkDocsConfig) -> None:
    """Refuse a ``docs/`` folder with problems, every one located."""
    from limkb.check.validate import check_docs

    refused = check_docs(Path(config.docs_dir))
    if not refused.ok():
        raise PluginError(f"limkb: docs/ has problems ({refused.summary()}):\n{refused.format()}")


def problems_banner(report: Report) -> str:
    """The located problems of a broken edit as an HTML banner (every character escaped)."""
    import html as html_module

    items = "".join(
        f"<li><code>{html_module.escape(p.path)}:{p.line}:{p.col}</code> "
        f"{html_module.escape(p.severity.value)}[{html_module.escape(p.code)}]: {html_module.escape(p.message)}"
        + (f"<br><em>{html_module.escape(p.hint)}</em>" if p.hint else "")
        + "</li>"
        for p in report.problems[:50]
    )
    more = len(report.problems) - 50
    return (
        '<div class="admonition failure limkb-problems" role="alert">'
        f'<p class="admonition-title">Not shown yet: the last edit has problems ({html_module.escape(report.summary())}). '
        "This is the last version that validated; fix these and the page reloads.</p>"
        f"<ul>{items}</ul>"
        + (f"<p>… and {more} more (run <code>limkb validate</code>)</p>" if more > 0 else "")
        + "</div>"
    )


def _entry_alone(kb_dir: Path, path: Path) -> Entry | None:
    """The entry of the file ``path`` below ``kb_dir``, read and checked alone (its schema, not
    the checks across entries); None when it has an error or is not an entry file."""
    from limkb.check.reader import load_file
    from limkb.check.schema_errors import validate_schema
    from limkb.schema.kinds import FOLDERS

    try:
        relative = path.relative_to(kb_dir)
    except ValueError:
        return None
    if len(relative.parts) != 2 or relative.suffix != ".yaml" or relative.parts[0] not in FOLDERS:
        return None
    document, problems = load_file(path, display=relative.as_posix())
    report = Report(problems)
    if document is None or report.errors:
        return None
    entry, complete = validate_schema(FOLDERS[relative.parts[0]], relative.stem, document, report)
    return entry if complete and not report.errors else None


def _preview_memo(memo: RenderMemo, options: RenderOptions, kb: KnowledgeBase) -> RenderMemo:
    """The last ``limkb build``'s render memo (``memo``), for the preview's first rendering with
    ``options``. The build links each dataset page to the dataset's CSV download, which the
    preview does not offer, and that is all its options change: the dataset pages are then made
    again and every other page and piece is reused. A memo of other options is of no use."""
    from limkb.site.memo import _comparable

    shown = _comparable(options)
    if memo.options == shown:
        return memo
    if memo.options != dataclasses.replace(shown, dataset_downloads=True):
        return RenderMemo()
    memo.options = shown
    memo.pages = {i: page for i, page in memo.pages.items() if i in kb and kb[i].kind != "dataset"}
    return memo


def _unlink_built(config: MkDocsConfig, paths: list[str], files: Files | None = None) -> None:
    """Remove the built files of the generated ``paths`` from the site (and from ``files``)."""
    for path in paths:
        file = files.get_file_from_path(path) if files is not None else None
        if files is not None and file is not None:
            files.remove(file)
        Path(File.generated(config, path, content="").abs_dest_path).unlink(missing_ok=True)


def _age_sources(files: Files, hits: set[str]) -> None:
    """Make the source of each page the cache put in place older than that page, so that
    MkDocs' "dirty" builds (which compare the two files' times) skip it until it changes."""
    for src_uri in hits:
        file = files.get_file_from_path(src_uri)
        if file is None or file.abs_src_path is None or file.generated_by != "limkb":
            continue  # a docs/ page is the user's own file: its times are left alone
        try:
            built = os.stat(file.abs_dest_path).st_mtime_ns
            if os.stat(file.abs_src_path).st_mtime_ns >= built:
                os.utime(file.abs_src_path, ns=(built - 1_000_000_000, built - 1_000_000_000))
        except OSError:
            continue


def _release_cache(files: Files) -> None:
    """After the preview's warm start: its files no longer name the page cache, which would
    keep the last build's manifest and this build's keys alive as long as the preview keeps
    the files (about 40 MiB at 10,000 entries). Only that first build asks them whether they
    changed; the refreshes convert the pages they choose, and a dirty build makes new files."""
    for file in files:
        if isinstance(file, CachedFile):
            file.cache = None


def _citation_cff(project: Path) -> str | None:
    """The project's ``CITATION.cff`` as text, to be served with the site; None without one."""
    path = project / "CITATION.cff"
    if not path.is_file() or path.is_symlink():
        return None
    return path.read_text(encoding="utf-8")


def _place_outside(
    files: Files, html: HtmlCache, in_memory: Mapping[str, str | bytes]
) -> dict[str, str | bytes]:
    """With ``limkb build``: hand the generated files under :data:`~limkb.incremental.OUTSIDE`
    to the page cache, which places them itself (tens of thousands of MkDocs objects fewer);
    a docs/ file of the same name leaves the site as it would for any generated file, and a
    file a docs/ page links to in Markdown stays with MkDocs (which checks the link). The
    other files, for MkDocs."""
    from limkb.incremental import OUTSIDE, markdown_targets

    linked: set[str] = set()
    for file in files.documentation_pages():
        if file.abs_src_path is not None and file.generated_by is None:  # a page of docs/
            linked |= markdown_targets(file.src_uri, file.content_string)
    outside: dict[str, bytes] = {}
    rest: dict[str, str | bytes] = {}
    present = files.src_uris
    for path, content in in_memory.items():
        if not path.startswith(OUTSIDE) or path.endswith(".md") or path in linked:
            rest[path] = content
            continue
        existing = present.get(path)
        if existing is not None:
            log.info("the generated %s replaces the file of the same name in docs/", path)
            files.remove(existing)
        outside[path] = content.encode("utf-8") if isinstance(content, str) else content
    html.add_outside(outside)
    return rest


def _add_generated(
    files: Files,
    config: MkDocsConfig,
    make: type[File],
    in_memory: Mapping[str, str | bytes],
    on_disk: Mapping[str, Path],
    cache: Path | None,
) -> None:
    """Add the generated pages and files to MkDocs' ``files``, each replacing a docs/ file of its
    name; entry pages stay out of the navigation. With ``cache`` (serving) pages are read from
    there, else from memory; ``on_disk`` files are read from where they are."""
    present = files.src_uris  # generated paths are POSIX already: looked up without parsing them
    for path, content in in_memory.items():
        existing = present.get(path)
        if existing is not None:
            log.info("the generated %s replaces the file of the same name in docs/", path)
            files.remove(existing)
        inclusion = InclusionLevel.NOT_IN_NAV if path.startswith("entries/") else InclusionLevel.UNDEFINED
        if cache is not None:
            files.append(make.generated(config, path, abs_src_path=str(cache / path), inclusion=inclusion))
        else:
            files.append(make.generated(config, path, content=content, inclusion=inclusion))
    for path, source in on_disk.items():
        existing = present.get(path)
        if existing is not None:
            files.remove(existing)
        inclusion = InclusionLevel.NOT_IN_NAV if path.startswith("entries/") else InclusionLevel.UNDEFINED
        files.append(make.generated(config, path, abs_src_path=str(source), inclusion=inclusion))
    log.debug("added %d generated files", len(in_memory) + len(on_disk))
