"""The ``limkb`` command: a thin layer that parses options, calls the library, prints results.

Exit codes: 0 success, 1 problems in the data (or a failed build), 2 usage errors.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from limkb.errors import LimkbError
from limkb.report import Report
from limkb.schema.kinds import KINDS

__all__ = ["cli", "main"]

DEFAULT_KB = "kb"

kb_option = click.option(
    "--kb",
    "kb_dir",
    default=DEFAULT_KB,
    show_default=True,
    type=click.Path(path_type=Path),
    help="The knowledge-base folder.",
)
"""The ``--kb`` option every command that reads the knowledge base takes."""


def _print_report(report: Report, fmt: str, *, strict: bool, title: str = "limkb validate") -> int:
    """Print a report in the chosen format; return the exit code it implies.

    With ``github``, every problem is also appended as a Markdown table to the file that
    ``GITHUB_STEP_SUMMARY`` names (GitHub Actions sets it for each step), when it is set.
    """
    summary = os.environ.get("GITHUB_STEP_SUMMARY", "") if fmt == "github" else ""
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(report.markdown(title=title) + "\n")
    if fmt == "json":
        click.echo(report.format("json"))
    elif len(report):
        click.echo(report.format(fmt, summary=bool(summary)))
    ok = report.ok(strict=strict)
    if fmt == "text":
        click.echo(("ok: " if ok else "failed: ") + report.summary(), err=not ok)
    return 0 if ok else 1


_AT_ONCE = False
"""Set by :func:`console`, the ``limkb`` program: see :func:`_done`."""


def _done(code: int) -> NoReturn:
    """End a command that wrote nothing (``validate``) with exit status ``code``.

    In the ``limkb`` program the process then ends at once (:func:`os._exit`, once its output
    is flushed), without freeing what it loaded object by object: at 10,275 entries that
    freeing was 0.4 s of the 3.7 s a validation took, for nothing the user sees. Called in a
    process of one's own (``main()``, ``python -m limkb``, a profiler, the tests) it raises
    :class:`SystemExit` as usual.
    """
    if _AT_ONCE:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: the status still counts
                stream.flush()
        os._exit(code)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="limkb")
def cli() -> None:
    """limkb: validate, build and query the lithium-metal interface knowledge base.

    Run the commands from the project folder (the one holding kb/ and mkdocs.yml).
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@kb_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output: text, JSON, or GitHub Actions annotations (one per file, with the count of the "
    "others; every problem goes to the job summary when GITHUB_STEP_SUMMARY is set).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--changed",
    "changed_base",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[BASE]",
    help="Only files changed since git revision BASE (default origin/HEAD, origin/main "
    "or main), uncommitted ones, and the entries that refer to them.",
)
@click.option(
    "--stats",
    is_flag=True,
    help="Also print the evidence: relations with their own source, findings by grade, references read.",
)
def validate(
    paths: tuple[Path, ...], kb_dir: Path, fmt: str, strict: bool, changed_base: str | None, stats: bool
) -> None:
    """Check every entry and report ALL problems, each with file:line:col and a fix.

    With PATHS, only problems in those files (or folders) are shown, but the whole KB is
    read so that references across entries are still checked.

    \b
    Example:
      limkb validate
      limkb validate kb/strategies/fec-additive.yaml --format github
      limkb validate --changed origin/main
    """
    from limkb.check.validate import validate_kb

    if not kb_dir.is_dir():
        raise click.UsageError(f"{kb_dir} is not a folder; run from the project folder or pass --kb")
    result = validate_kb(kb_dir)
    report = result.report
    if paths:
        wanted = [p.resolve() for p in paths]
        kept = [
            p
            for p in report.problems
            if any(Path(p.path).resolve() == w or w in Path(p.path).resolve().parents for w in wanted)
        ]
        report = Report(kept)
    if changed_base is not None:
        from limkb.check.changed import changed_report

        report, changes = changed_report(result, changed_base or None)
        if paths:
            report = Report([p for p in report.problems if p in set(kept)])
        if fmt == "text":
            click.echo(
                f"{len(changes.files)} files changed since {changes.base}, "
                f"{len(changes.referrers)} entries refer to them"
            )
    if fmt == "text" and not len(report):
        click.echo(f"{len(result.entries)} entries checked")
    if stats:
        from limkb.check.stats import evidence_stats

        files = {i: d.path for i, d in result.documents.items()}
        click.echo(evidence_stats(result.entries, files), err=fmt != "text")
    title = "limkb validate" + (f" --changed {changes.base}" if changed_base is not None else "")
    _done(_print_report(report, fmt, strict=strict, title=title))


@cli.command()
@click.option(
    "--out",
    default="schema",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for the <kind>.schema.json files.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file is stale.")
def schema(out: Path, check: bool) -> None:
    """Write the JSON Schema of every entry kind (editors autocomplete with them).

    \b
    Example:
      limkb schema            # rewrite schema/*.schema.json
      limkb schema --check    # in CI: fail when the committed schema is stale
    """
    from limkb.commands.scaffold import write_schemas

    changed = write_schemas(out, check=check)
    for path in changed:
        click.echo(f"{'stale' if check else 'wrote'} {path}")
    if check and changed:
        click.echo("run `limkb schema` and commit the result", err=True)
        sys.exit(1)
    if not changed:
        click.echo(f"{len(KINDS)} schema files up to date")


@cli.command()
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("entry_id", metavar="ID")
@kb_option
def new(kind: str, entry_id: str, kb_dir: Path) -> None:
    """Create a commented scaffold for a new entry; never overwrites.

    \b
    Example:
      limkb new strategy lithium-phosphate-coating
    """
    from limkb.commands.scaffold import write_scaffold

    path = write_scaffold(kb_dir, kind, entry_id)
    click.echo(f"created {path}: fill it in, then run `limkb validate {path}`")


@cli.command()
@kb_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of results instead of a table.")
def analyses(kb_dir: Path, as_json: bool) -> None:
    """Recompute every declared correlation from the KB's records and print it.

    For each analysis: n, Pearson r with its 95 % CI and p, Spearman's rho, the range of r
    when any one record is left out, the value the paper reported and our difference, and
    flags when a number rests on one record or too few. Numbers are null in JSON when they
    are undefined.

    \b
    Example:
      limkb analyses
      limkb analyses --json | jq '.[] | {id, r, ci}'
    """
    from limkb.access import load
    from limkb.analysis.correlations import compute_all, format_table, results_json
    from limkb.errors import ValidationError

    try:
        kb = load(kb_dir)
    except ValidationError as error:  # on stderr, so that stdout stays valid JSON (or empty)
        click.echo(error.report.format("text"), err=True)
        click.echo("failed: " + error.report.summary(), err=True)
        sys.exit(1)
    results = compute_all(kb)
    click.echo(results_json(results) if as_json else format_table(results))


@cli.command()
@click.argument("formulation", metavar='["FORMULATION"]', required=False)
@kb_option
@click.option("--json", "as_json", is_flag=True, help="Print the components and descriptors as JSON.")
@click.option(
    "--file",
    "source",
    type=click.Path(path_type=Path, exists=True, dir_okay=False, allow_dash=True),
    help="Read one formulation per line from this file ('-' for stdin) and print one JSON object per line.",
)
@click.option(
    "--ratio",
    type=click.Choice(["vol", "wt", "mol"]),
    help="The basis of a ratio printed without one, as a dataset's `conventions: {ratio: ...}`.",
)
@click.option(
    "--percent",
    type=click.Choice(["wt", "vol", "mol"]),
    help="What a bare % is, as a dataset's `conventions: {percent: ...}`.",
)
def descriptors(
    formulation: str | None,
    kb_dir: Path,
    as_json: bool,
    source: Path | None,
    ratio: str | None,
    percent: str | None,
) -> None:
    """Print an electrolyte's atomic-fraction descriptors: a chemist's calculator.

    FORMULATION is written as papers write it (see CONTRIBUTING.md, "Electrolyte
    formulations"); names are the KB's materials (ids, names, aliases, formulas), whose
    formulas and densities the computation uses. Every atom counts, H and Li included; each
    element is also split into what the solvents and diluents bring and what the salt anions
    bring. A molarity is mol of salt per litre of solvent.

    With --file, every line is a formulation (a table's column pasted into a file): each
    gives one JSON object, its components and descriptors or its errors with the line and
    the column in the formulation; blank lines are skipped; the exit status is 1 if any
    line failed. A ratio without its basis and a bare % are errors unless --ratio and
    --percent say what they are.

    \b
    Example:
      limkb descriptors "LiFSI-1DME-3TTE"
      limkb descriptors "1 M LiPF6 in EC:DMC (1:1 v/v) + 2 wt% VC" --json
      limkb descriptors --file electrolytes.txt --ratio vol --percent wt
    """
    import json

    from limkb.analysis.formulations import Conventions
    from limkb.commands.descriptors import describe_formulation, describe_lines, read_lines

    if (formulation is None) == (source is None):
        raise click.UsageError('give one "FORMULATION" or --file FILE (not both)')
    conventions = Conventions.of(ratio=ratio, percent=percent)
    if source is not None:
        shown = "<stdin>" if str(source) == "-" else str(source)
        data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
        lines, unreadable = read_lines(data, shown)
        if unreadable:
            click.echo(f"error: {unreadable}", err=True)
            sys.exit(1)
        code, out, summary = describe_lines(lines, kb_dir, conventions=conventions)
        for line in out:
            click.echo(line)
        click.echo(summary, err=True)
        sys.exit(code)
    assert formulation is not None
    code, text = describe_formulation(formulation, kb_dir, as_json=as_json, conventions=conventions)
    if code:
        click.echo(text, err=True)
        sys.exit(code)
    click.echo(text if not as_json else json.dumps(json.loads(text), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("entry_id", metavar="ID")
@kb_option
def show(entry_id: str, kb_dir: Path) -> None:
    """Print one entry: name, kind, file:line, summary, its relations both ways and sources.

    Relations the entry states are listed under "Relations"; those other entries state
    about it under "Referenced by", in their inverse reading ("formed by fec-additive").

    \b
    Example:
      limkb show lif
    """
    from limkb.access import describe, load
    from limkb.errors import UnknownEntryError

    kb = load(kb_dir)
    try:
        click.echo(describe(kb, entry_id))
    except UnknownEntryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


def _export_help() -> str:
    """``limkb export --help``: the files it writes, from the export registry."""
    from limkb.outputs.exports import export_table

    files = "\n".join(f"  {name}: {text}" for name, text in export_table(command=True))
    return (
        "Write the KB for other tools: SQLite, graph JSON and GraphML, CSVs, JSON-LD.\n\n"
        "Writes into OUT, each file replaced atomically:\n\n\b\n"
        f"{files}\n\n\b\nExample:\n  limkb export --out build"
    )


@cli.command(help=_export_help())
@kb_option
@click.option(
    "--out",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the exports into.",
)
def export(kb_dir: Path, out: Path) -> None:
    """Write the KB for other tools (the help is generated from :data:`~limkb.outputs.exports.EXPORTS`)."""
    from limkb.access import load
    from limkb.outputs.exports import COMMAND_SKIPS, write_exports

    kb = load(kb_dir)
    written = write_exports(kb, out, kb.analyses, skip=COMMAND_SKIPS)
    for path in written:
        click.echo(f"wrote {path}")


@cli.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file is not in canonical form.")
def fmt_command(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite entry files in canonical form (key order, quoting, wrapping) so diffs stay small.

    Without PATHS, every file under kb/ is formatted. The data never changes, only its layout.

    \b
    Example:
      limkb fmt kb/strategies/fec-additive.yaml
      limkb fmt --check        # in CI: fail when a file is not canonical
    """
    from limkb.commands.fmt import format_paths

    result = format_paths(paths or [Path(DEFAULT_KB)], check=check)
    if len(result.report):
        click.echo(result.report.format("text"), err=True)
    for path in result.changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    click.echo(
        f"{result.checked} files checked, {len(result.changed)} {'not canonical' if check else 'reformatted'}"
    )
    if check and result.changed:
        click.echo("run `limkb fmt` and commit the result", err=True)
    sys.exit(1 if (check and result.changed) or len(result.report) else 0)


@cli.command("build")
@click.option(
    "--project",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The project folder (holding kb/ and mkdocs.yml).",
)
@click.option("--strict", is_flag=True, help="Fail on validation warnings too (errors always fail).")
@click.option(
    "--clean", is_flag=True, help="Ignore what earlier builds cached in build/cache/ (and cache anew)."
)
@click.option(
    "--trust-config",
    is_flag=True,
    help="Run mkdocs.yml as it is, even if it names hooks, Python tags, custom templates or plugins "
    "outside limkb's allowlist (each of which runs code): only for a configuration you have read.",
)
def build_command(project: Path, strict: bool, clean: bool, trust_config: bool) -> None:
    """Validate, analyse, store, export and render: write build/ and site/ atomically.

    A failed build leaves the previous build/ and site/ untouched. Pages whose inputs did
    not change since the last build are taken from build/cache/; the output is the same as
    with --clean. With SOURCE_DATE_EPOCH set, two builds of the same KB are byte-identical.

    \b
    Example:
      limkb build
      SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) limkb build --strict
    """
    from limkb.commands.build import build
    from limkb.errors import ValidationError

    try:
        summary = build(project, strict=strict, clean=clean, trust_config=trust_config)
    except ValidationError as error:
        click.echo(error.report.format("text"), err=True)
        click.echo("failed: " + error.report.summary(), err=True)
        sys.exit(1)
    click.echo(summary.describe())


@cli.command("render")
@kb_option
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the pages into.",
)
@click.option(
    "--urls",
    type=click.Choice(["directory", "file", "md"]),
    default="directory",
    show_default=True,
    help="How the pages' HTML links are written: `directory` (a/b/: plain MkDocs' default), "
    "`file` (a/b.html: MkDocs with use_directory_urls false, Material's offline plugin, file://), "
    "or `md` (paths of .md files, for engines that convert links in HTML themselves: Zensical).",
)
def render_command(kb_dir: Path, out: Path, urls: str) -> None:
    """Write the site's pages (Markdown, SVG, scripts) to OUT, for any static-site engine.

    Links inside the pages' HTML are written for the URL form the engine will build
    (--urls); links of Markdown syntax stay paths of .md files, which every engine converts.

    \b
    Example:
      limkb render --out /tmp/pages --urls file
    """
    from limkb.commands.build import render_to
    from limkb.site.render import RenderOptions

    count = render_to(kb_dir, out, options=RenderOptions(urls=urls))  # type: ignore[arg-type]
    click.echo(f"wrote {count} files to {out}")


@cli.command("serve")
@click.option(
    "--project",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The project folder (holding kb/ and mkdocs.yml).",
)
@click.option(
    "--dev-addr", default=None, metavar="IP:PORT", help="Address to serve on (default 127.0.0.1:8000)."
)
@click.option(
    "--full",
    is_flag=True,
    help="Use MkDocs' own server, which rebuilds the whole site on each change (slower).",
)
@click.option(
    "--trust-config",
    is_flag=True,
    help="Run mkdocs.yml as it is, even if it names hooks, Python tags, custom templates or plugins "
    "outside limkb's allowlist (each of which runs code): only for a configuration you have read.",
)
def serve_command(project: Path, dev_addr: str | None, full: bool, trust_config: bool) -> None:
    """Preview the site; it follows every change to a file in kb/ (and docs/, mkdocs.yml).

    After an edit, the pages of the entries it changed are rebuilt and shown first (the
    browser reloads by itself), then the rest of the site follows. An edit that breaks
    validation keeps the last good site and shows the located problems over every page.

    \b
    Example:
      limkb serve
      limkb serve --dev-addr 127.0.0.1:8001
    """
    import logging

    from limkb.commands.preview import parse_address

    try:
        host, port = parse_address(dev_addr)  # checked before anything is built
    except ValueError as why:
        raise click.BadParameter(str(why), param_hint="--dev-addr") from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    if full:
        from limkb.commands.build import serve

        serve(project, dev_addr=f"{host}:{port}", dirty=False, trust_config=trust_config)
    else:
        from limkb.commands.preview import serve as preview

        preview(project, dev_addr=f"{host}:{port}", trust_config=trust_config)


@cli.command("import-bib")
@click.argument("bib_file", metavar="FILE.bib", type=click.Path(path_type=Path))
@kb_option
@click.option("--skip-existing", is_flag=True, help="Skip entries whose DOI is already in the KB.")
def import_bib_command(bib_file: Path, kb_dir: Path, skip_existing: bool) -> None:
    """Create reference entries from a BibTeX export (Zotero, Mendeley, JabRef).

    Ids follow <surname><year><first-title-word>. A DOI already in the KB is refused and
    the existing id named; nothing is written unless every entry can be imported.

    \b
    Example:
      limkb import-bib my-papers.bib
    """
    from limkb.commands.import_bib import import_bib

    result = import_bib(bib_file, kb_dir, skip_existing=skip_existing)
    for key, existing in result.skipped:
        click.echo(f"skipped {key}: its DOI is already {existing!r}")
    if result.report.errors:
        click.echo(result.report.format("text"), err=True)
        click.echo(f"failed: {result.report.summary()}; nothing was written", err=True)
        sys.exit(1)
    for item in result.created:
        click.echo(f"created {item.path} (from {item.key}): cite it as {item.id}")
    click.echo(f"{len(result.created)} references created")


@cli.command()
@click.argument("export", metavar="FILE.json", type=click.Path(path_type=Path))
@kb_option
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the Markdown report to this file (default: print it).",
)
@click.option(
    "--stubs",
    "stubs",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write a reference stub (YAML) per ranked work into DIR; never overwrites.",
)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the N best-ranked works.")
def triage(export: Path, kb_dir: Path, out: Path | None, stubs: Path | None, top: int | None) -> None:
    """Rank the new papers of an OpenAlex or Crossref works export for a curator.

    Works whose DOI is already a reference are dropped; the rest are ranked by the
    materials, strategies and techniques their titles and abstracts name. Bad JSON or an
    export of another shape is a located error, and then nothing is written.

    \b
    Example:
      curl -s "https://api.openalex.org/works?search=lithium%20metal%20anode&per-page=50" > works.json
      limkb triage works.json --out triage.md --stubs new-references/
    """
    from limkb.access import load
    from limkb.commands.triage import report_markdown, write_stubs
    from limkb.commands.triage import triage as run_triage

    kb = load(kb_dir)
    result = run_triage(export, kb)
    if result.report.errors:
        click.echo(result.report.format("text"), err=True)
        click.echo(f"failed: {result.report.summary()}; nothing was written", err=True)
        sys.exit(1)
    written = write_stubs(result, stubs, kb, top=top) if stubs is not None else []
    if len(result.report):
        click.echo(result.report.format("text"), err=True)
    text = report_markdown(result, top=top)
    if out is None:
        click.echo(text, nl=False)
    else:
        from limkb.files import write_atomic

        write_atomic(out, text)
        click.echo(
            f"wrote {out}: {len(result.ranked)} works ranked, {len(result.known)} already in the KB", err=True
        )
    if stubs is not None:
        click.echo(f"wrote {len(written)} reference stubs in {stubs}", err=True)


@cli.command("import-table")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.option("--dataset", "dataset_id", required=True, metavar="ID", help="The dataset to append to.")
@kb_option
@click.option(
    "--replace",
    is_flag=True,
    help="Update records that have a row's label and source instead of refusing the row.",
)
@click.option(
    "--clear-empty",
    is_flag=True,
    help="With --replace, let an empty cell delete the stored value (without it, empty cells keep it).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar='"HEADER=COLUMN"',
    help='Read the CSV column HEADER into the dataset column COLUMN (repeatable), e.g. --map "CE (%)=ce".',
)
@click.option(
    "--skip", "skips", multiple=True, metavar="HEADER", help="Leave out the CSV column HEADER (repeatable)."
)
def import_table_command(
    csv_file: Path,
    dataset_id: str,
    kb_dir: Path,
    replace: bool,
    clear_empty: bool,
    maps: tuple[str, ...],
    skips: tuple[str, ...],
) -> None:
    """Append the rows of a CSV file to a dataset as records.

    Headers name the dataset's columns (`ce`, its property id, or `ce (%)`); a `label`
    column is required, `ref` and `locator` give a row's own source, `electrolyte` its
    formulation (the shorthand of CONTRIBUTING.md), and `cell`, `cathode`, `protocol`,
    `current_density [mA cm-2]`, `areal_capacity [mAh cm-2]`, `cycles` and
    `temperature [°C]` its conditions. A spreadsheet's other headers are mapped with
    --map or left out with --skip. Every bad cell is
    reported with its row and column; nothing is written unless all rows are good. A row
    whose label and source the dataset already has is refused (a file imported twice would
    double the data), unless --replace, which updates that record instead: the
    row's cells win, its empty cells keep the stored values (--clear-empty deletes
    them), and fields the CSV has no column for are kept. A `doi` column gives each
    row its own source, `strategies` (ids separated by `;`) what it exemplifies.

    \b
    Example:
      limkb import-table measurements.csv --dataset sei-composition-vs-ce
      limkb import-table table.csv --dataset li-cu-ce --map "CE (%)=ce" --skip Reference
    """
    from limkb.commands.import_table import import_table

    mapping: list[tuple[str, str]] = []
    for item in maps:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise click.BadParameter(f"{item!r} is not HEADER=COLUMN", param_hint="--map")
        mapping.append((header.strip(), target.strip()))
    result = import_table(
        csv_file,
        dataset_id,
        kb_dir,
        replace=replace,
        clear_empty=clear_empty,
        mapping=mapping,
        skip=set(skips),
    )
    if not result.written:
        click.echo(result.report.format("text"), err=True)
        click.echo(f"failed: {result.report.summary()}; nothing was written", err=True)
        sys.exit(1)
    added = len(result.records) - result.replaced
    replaced = f", replaced {result.replaced}" if result.replaced else ""
    click.echo(f"appended {added} records{replaced} to {result.path}")


def console() -> None:
    """The ``limkb`` program: :func:`main`, with a finished read-only command ending its
    process at once (:func:`_done`)."""
    global _AT_ONCE
    _AT_ONCE = True
    main()


def main() -> None:
    """The command line, in-process: library errors become clean messages, exit 1."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(2 if isinstance(error, click.UsageError) else 1)
    except LimkbError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OSError as error:  # a folder that cannot be written, a full disk: say which, no traceback
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"error: {where}{error.strerror or error}", err=True)
        sys.exit(1)
