"""Plots of analyses: deterministic SVG with text kept as text, labels drawn literally."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from limkb.analysis.correlations import AnalysisResult, Point, correlate
from limkb.schema.kinds import Reported
from limkb.site.overview import FIGURE1_PANEL_PIXELS, figure1_panels
from limkb.site.plots import _PANEL_SIZE, caption, figure1_panel_svg, scatter_svg

TABLE1_F = [
    (6.94, 97.3),
    (8.85, 99.2),
    (4, 99.1),
    (4, 99.3),
    (7.69, 98.16),
    (12.12, 99.04),
    (13.46, 99.02),
    (11.11, 99.38),
    (4.94, 95),
    (19.77, 99.5),
]
SVG = "{http://www.w3.org/2000/svg}"


def result_of(
    pairs: list[tuple[float, float]],
    *,
    id: str = "ce-vs-f",
    x: str = "sei-fluorine-content",
    x_label: str = "F",
    x_unit: str = "%",
    labels: list[str] | None = None,
    reported: Reported | None = None,
) -> AnalysisResult:
    names = labels or [f"electrolyte {i + 1}" for i in range(len(pairs))]
    points = tuple(Point(n, "d", px, py, "smith2020test") for n, (px, py) in zip(names, pairs, strict=True))
    s = correlate(points)
    return AnalysisResult(
        id=id,
        name=f"CE vs {x_label}",
        x=x,
        y="coulombic-efficiency",
        x_unit=x_unit,
        y_unit="%",
        datasets=("d",),
        excluded=0,
        stats=s,
        reported=reported,
        difference=None if reported is None or s.r is None else s.r - reported.value,
        points=points,
        x_label=x_label,
        y_label="Coulombic efficiency",
    )


def texts(svg: str) -> list[str]:
    """Every text run of an SVG (matplotlib splits multi-line text into one element per line)."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_scatter_is_byte_identical_and_states_r_and_n() -> None:
    result = result_of(TABLE1_F, reported=Reported(value=0.43, ref="smith2020test", locator="Fig. 1c"))
    first, second = scatter_svg(result), scatter_svg(result)
    assert first == second
    shown = texts(first)
    assert caption(result) == "r = 0.426 (95% CI -0.28 to 0.83), n = 10"
    assert caption(result) in shown
    assert "reported: 0.43 (smith2020test, Fig. 1c)" in shown
    assert {f"electrolyte {i}" for i in range(1, 11)} <= set(shown)
    assert "F (%)" in shown and "Coulombic efficiency (%)" in shown
    assert "<dc:date>" not in first and "<dc:creator>" not in first


def test_scatter_is_identical_in_a_fresh_process(tmp_path: Path) -> None:
    script = tmp_path / "render.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_plots import TABLE1_F, result_of\n"
        "from limkb.site.plots import scatter_svg\n"
        "sys.stdout.write(scatter_svg(result_of(TABLE1_F)))\n",
        encoding="utf-8",
    )
    other = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    assert other == scatter_svg(result_of(TABLE1_F))


def test_labels_from_entries_are_drawn_literally() -> None:
    labels = ["1 M LiPF$_6$ in EC", "<script>alert(1)</script>", "LiFSI & DME", "E4"]
    svg = scatter_svg(result_of([(1, 2), (2, 3), (3, 5), (4, 4)], labels=labels))
    shown = texts(svg)
    assert set(labels) <= set(shown)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_scatter_without_points_says_so() -> None:
    svg = scatter_svg(result_of([]))
    shown = texts(svg)
    assert "no records" in shown and "r undefined, n = 0" in shown


def test_figure1_groups_panels_and_shows_the_review_values_next_to_ours() -> None:
    ratio = [(x / 2, y) for x, y in TABLE1_F]
    thick = [
        (10, 98.4),
        (6, 99.52),
        (25, 99),
        (18, 99.3),
        (16, 99.3),
        (13, 99.5),
        (12, 99.5),
        (10, 99.5),
        (8.8, 91.7),
        (10.2, 97.2),
        (9.8, 99),
    ]

    def rep(value: float, locator: str) -> Reported:
        return Reported(value=value, ref="smith2020test", locator=locator)

    results = [
        result_of(TABLE1_F, reported=rep(0.43, "Fig. 1c")),
        result_of(
            TABLE1_F[::-1], id="ce-vs-o", x="sei-oxygen-content", x_label="O", reported=rep(0.46, "Fig. 1c")
        ),
        result_of(
            ratio, id="ce-vs-c-to-f", x="a / b", x_label="C/F", x_unit="1", reported=rep(-0.83, "Fig. 1d")
        ),
        result_of(
            thick,
            id="ce-vs-t",
            x="sei-thickness",
            x_label="SEI thickness",
            x_unit="nm",
            reported=rep(0.26, "Fig. 1e"),
        ),
    ]
    panels = figure1_panels({r.id: r for r in [results[2], results[0], results[3], results[1]]})
    assert [title for title, _ in panels] == ["Fig. 1c", "Fig. 1d", "Fig. 1e"]
    assert [[r.id for r in group] for _, group in panels] == [
        ["ce-vs-f", "ce-vs-o"],
        ["ce-vs-c-to-f"],
        ["ce-vs-t"],
    ]
    svgs = [figure1_panel_svg(panel) for panel in panels]
    assert svgs == [figure1_panel_svg(panel) for panel in panels]
    shown = [texts(svg) for svg in svgs]
    assert [[t for t in s if t.startswith("Fig. 1")] for s in shown] == [
        ["Fig. 1c"],
        ["Fig. 1d"],
        ["Fig. 1e"],
    ]
    assert "F: r = 0.426, review 0.43, n = 10" in shown[0] and "F, O (%)" in shown[0]
    assert "SEI thickness: r = 0.258, review 0.26, n = 11" in shown[2]
    assert "C/F" in shown[1]


def test_figure1_panels_without_a_locator_are_lettered_after_those_with_one() -> None:
    plain = replace(
        result_of(TABLE1_F, id="a-plain", reported=Reported(value=0.4, ref="smith2020test")), y="other-y"
    )
    located = result_of(
        TABLE1_F, id="z-located", reported=Reported(value=0.4, ref="smith2020test", locator="Fig. 1c")
    )
    unreported = replace(result_of(TABLE1_F, id="m-unreported"), y="third-y")
    panels = figure1_panels({r.id: r for r in (plain, located, unreported)})
    assert [(title, [r.id for r in group]) for title, group in panels] == [
        ("Fig. 1c", ["z-located"]),
        ("(d)", ["a-plain"]),
    ]


def test_a_figure1_panel_is_as_large_as_the_page_says() -> None:
    assert tuple(round(inches * 96) for inches in _PANEL_SIZE) == FIGURE1_PANEL_PIXELS
    svg = figure1_panel_svg(
        ("Fig. 1c", [result_of(TABLE1_F, reported=Reported(value=0.4, ref="smith2020test"))])
    )
    assert f'width="{_PANEL_SIZE[0] * 72:g}pt"' in svg and f'height="{_PANEL_SIZE[1] * 72:g}pt"' in svg


def test_the_page_gives_a_lazy_plot_the_size_it_is_drawn_at() -> None:
    """The ``<img>`` of a scatter plot is loaded lazily; its width and height attributes must
    be the SVG's own (points at 4/3 pixels each) or the page shifts when the plot arrives."""
    import re

    from limkb.site.overview import SCATTER_PIXELS

    root = ET.fromstring(scatter_svg(result_of(TABLE1_F)))
    drawn = tuple(round(float(root.attrib[side].removesuffix("pt")) * 4 / 3) for side in ("width", "height"))
    assert drawn == SCATTER_PIXELS
    template = (Path(__file__).parents[1] / "src/limkb/site/templates/correlations.md").read_text()
    lazy = [tag for tag in re.findall(r"<img [^>]*>", template) if 'loading="lazy"' in tag]
    assert lazy and all('width="{{ a.plot_size[0] }}" height="{{ a.plot_size[1] }}"' in tag for tag in lazy)
