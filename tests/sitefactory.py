"""Tiny projects for the site tests: a KB with every page type, and a copy of mkdocs.yml."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from kbfactory import SOURCE, minimal, write_kb

__all__ = ["HOSTILE", "HOSTILE_NAME", "folder_files", "fresh_preview", "site_kb", "write_project"]

REPO = Path(__file__).resolve().parent.parent

HOSTILE = (
    "Plain start. <script>alert('s')</script> <img src=x onerror=\"alert('i')\">\n\n"
    "[click](javascript:alert('j')) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "[fine](https://example.org/ok)\n\n"
    "{: onclick=\"alert('a')\" }\n\n"
    "| a | b |\n|---|---|\n| <b onmouseover=alert('t')>x</b> | y |\n\n"
    "{{ 7 * 7 }} {% raw %}x{% endraw %}\n\n"
    '<div markdown="1" onclick="alert(\'d\')">*inner*</div>\n'
)
"""A summary that tries every injection the site must neutralise."""

HOSTILE_NAME = "Evil </title><script>alert('n')</script> &lt;/title&gt; {{ 7*7 }} [x](javascript:y)"

EDITORIAL = "A link of the test KB, which no source needs to state."


def site_kb(tmp_path: Path, *, hostile: bool = False, extra: dict[str, Any] | None = None) -> Path:
    """A small KB touching every page: strategies that combine, a question, a dataset, an analysis."""
    summary = HOSTILE if hostile else "Adds **FEC**; see [the paper](https://doi.org/10.1000/test.2020)."
    entries: dict[str, Any] = {
        "strategies/electrolyte": minimal("strategy", "Electrolyte engineering"),
        "strategies/fec-additive": minimal(
            "strategy",
            HOSTILE_NAME if hostile else "FEC additive",
            subtype_of="electrolyte",
            summary=summary,
            uses=[{"id": "fec", "sources": SOURCE, "note": "at 5 vol%"}],
            forms=[{"id": "lif", "editorial": EDITORIAL}],
            measured=[{"id": "sei-thickness", "editorial": EDITORIAL}],
            combines_with=[{"id": "alumina-coating", "evidence": "compatible", "sources": SOURCE}],
        ),
        "strategies/alumina-coating": minimal(
            "strategy",
            "Alumina coating",
            family="artificial-sei",
            combines_with=[{"id": "lithiophilic-cu", "evidence": "unknown", "editorial": EDITORIAL}],
        ),
        "strategies/lithiophilic-cu": minimal(
            "strategy",
            "Lithiophilic Cu",
            family="current-collector-modification",
            interface="li-current-collector",
        ),
        "materials/fec": minimal(
            "material",
            "Fluoroethylene carbonate",
            aliases=["FEC"],
            decomposes_to=[{"id": "lif", "editorial": EDITORIAL}],
        ),
        "species/lif": minimal("species", "Lithium fluoride", formula="LiF"),
        "properties/sei-thickness": minimal(
            "property", "SEI thickness", unit="nm", scope="sei", desired="context-dependent"
        ),
        "properties/ce": minimal(
            "property",
            "Coulombic efficiency",
            unit="%",
            scope="cell",
            desired="higher",
            minimum=0,
            maximum=100,
        ),
        "questions/why-lif": minimal(
            "question",
            "Does LiF matter?",
            text="Does LiF itself passivate, or only mark a good SEI?",
            theme="mechanism",
            interface="li-electrolyte",
            family="electrolyte-engineering",
            about=[{"id": "lif", "editorial": EDITORIAL}, {"id": "fec-additive", "editorial": EDITORIAL}],
        ),
        "datasets/thickness-ce": minimal(
            "dataset",
            "Thickness and CE",
            columns=[
                {"name": "label_only", "type": "text"},
                {"name": "t", "property": "sei-thickness", "unit": "nm"},
                {"name": "ce", "property": "ce", "unit": "%"},
            ],
            records=[
                {"label": f"e{i}", "t": 10.0 + i, "ce": 90.0 + i * (1 if i % 2 else 0.5)} for i in range(5)
            ],
            about=[{"id": "fec-additive", "editorial": EDITORIAL}],
        ),
        "analyses/ce-vs-thickness": minimal(
            "analysis", "CE against SEI thickness", x="sei-thickness", y="ce"
        ),
    }
    entries.update(extra or {})
    return write_kb(tmp_path, entries)


def write_project(tmp_path: Path, **kb_options: Any) -> Path:
    """A project folder: the repository's mkdocs.yml and docs/, plus a tiny KB; returns the folder."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir(exist_ok=True)
    for page in sorted((REPO / "docs").glob("*.md")):
        shutil.copy(page, tmp_path / "docs" / page.name)
    (tmp_path / "CONTRIBUTING.md").write_text(
        "# Contributing\n\nRead [the errors](docs/common-errors.md) and [a file](kb/strategies/x.yaml).\n",
        encoding="utf-8",
    )
    site_kb(tmp_path, **kb_options)
    return tmp_path


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder``, by its relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def fresh_preview(project: Path, out: Path) -> dict[str, bytes]:
    """The site a new preview of ``project`` builds into ``out``, file by file."""
    from limkb.commands.preview import Preview

    fresh = Preview(project, out)
    try:
        fresh.build()
    finally:
        fresh.close()
    return folder_files(out)
