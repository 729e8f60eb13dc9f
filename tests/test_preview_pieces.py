"""After an edit, ``limkb serve`` joins the pages that list many entries (browse tables, the
bibliography, the search index ...) from the pieces of the last rendering, making again only
the pieces the edit touches, and the site still ends as a fresh preview's of the same sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from kbfactory import minimal, write_entry
from limkb.commands.preview import Preview
from limkb.site.memo import Pieces
from sitefactory import folder_files, fresh_preview, write_project

EXTRA = {f"species/extra-{i}": minimal("species", f"Extra species {i}", formula=f"Li{i}O") for i in range(20)}


def _count_pieces(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, tuple[int, int]]]:
    """Group -> (pieces made anew, pieces in all), of every rendering from here on."""
    seen: list[dict[str, tuple[int, int]]] = []
    keep = Pieces.keep

    def counting(self: Pieces) -> None:
        seen.append({group: (self.counts.get(group, 0), len(made)) for group, made in self.made.items()})
        keep(self)

    monkeypatch.setattr(Pieces, "keep", counting)
    return seen


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return write_project(tmp_path / "project", extra=EXTRA)


def test_an_edit_makes_again_only_the_pieces_it_touches(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        pieces = _count_pieces(monkeypatch)
        entry = project / "kb" / "strategies" / "fec-additive.yaml"
        entry.write_text(
            entry.read_text(encoding="utf-8").replace("FEC additive", "FEC additive, renamed"), "utf-8"
        )
        preview.refresh(edited=[entry])
        groups = pieces[-1]
        # the renamed strategy and the few entries it names or that name it, not every entry of
        # every list: of the 21 species only LiF (which the strategy forms) is made again
        assert groups["browse/species.md"] == (1, 21), groups
        # of the 8 comparison families, the two whose rows name the strategy (ce, thickness)
        assert groups.pop("compare-files") == (2, 8), groups
        made, total = (sum(counts) for counts in zip(*groups.values(), strict=True))
        assert made > 0 and made * 3 < total, groups
        assert "FEC additive, renamed" in (preview.out / "browse/strategies.html").read_text("utf-8")
        assert folder_files(preview.out) == fresh_preview(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_a_removed_relation_and_a_removed_entry_leave_no_stale_piece(project: Path, tmp_path: Path) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        kb = project / "kb"
        question = kb / "questions" / "why-lif.yaml"
        question.write_text(
            question.read_text(encoding="utf-8").replace("- id: fec-additive", "- id: lif"), "utf-8"
        )
        preview.refresh(edited=[question])
        (kb / "species" / "extra-3.yaml").unlink()
        write_entry(kb, "species/extra-4", minimal("species", "Extra species four", formula="Li4O"))
        preview.refresh(edited=[kb / "species" / "extra-4.yaml"])
        site = folder_files(preview.out)
        assert "entries/species/extra-3.html" not in site
        assert b"Extra species four" in site["browse/species.html"]
        assert site == fresh_preview(project, tmp_path / "fresh")
    finally:
        preview.close()


def test_a_refresh_compiles_no_template_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = Preview(project, tmp_path / "out")
    try:
        preview.build()
        compiled: list[str | None] = []
        compile_template = jinja2.Environment.compile

        def counting(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any) -> Any:
            compiled.append(name)
            return compile_template(self, source, name, *args)

        monkeypatch.setattr(jinja2.Environment, "compile", counting)
        entry = project / "kb" / "species" / "extra-1.yaml"
        entry.write_text(entry.read_text(encoding="utf-8").replace("Extra species 1", "Extra one"), "utf-8")
        preview.refresh(edited=[entry])
        assert "Extra one" in (preview.out / "browse/species.html").read_text("utf-8")
        assert compiled == []  # MkDocs' theme, made anew by each build, reads the code kept
    finally:
        preview.close()
