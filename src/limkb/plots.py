"""Scatter plots of computed analyses, as SVG text that is identical from one build to the next.

Plots are drawn with matplotlib's object API (``Figure``, no pyplot and its global figures),
at a fixed size, with the SVG id salt fixed, no date or creator metadata, and text kept as
text (``svg.fonttype: none``) so the files are small and the numbers on them searchable.
Labels that come from entries are drawn literally: mathtext is switched off for them, so a
``$`` in a record label is a dollar sign, not a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from limkb.analysis import AnalysisResult

__all__ = ["caption", "figure1_svg", "scatter_svg"]

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_PANEL_LETTERS = "cdefghijklmnopqrstuvwxyz"


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "limkb",
            "svg.fonttype": "none",
            "text.parse_math": False,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
            "font.size": 8.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.unicode_minus": False,
        }
    ):
        yield


def _to_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _axis_label(label: str, unit: str) -> str:
    return label if unit in ("1", "") else f"{label} ({unit})"


def caption(result: AnalysisResult) -> str:
    """One line with r, its CI and n (what the plot's caption and alt text say)."""
    if result.r is None:
        return f"r undefined, n = {result.n}"
    text = f"r = {result.r:.3f}"
    if result.ci is not None:
        text += f" (95% CI {result.ci[0]:.2f} to {result.ci[1]:.2f})"
    return f"{text}, n = {result.n}"


def _fit_line(ax: Axes, result: AnalysisResult, colour: str) -> None:
    if result.slope is None or result.intercept is None or not result.points:
        return
    xs = [p.x for p in result.points]
    low, high = min(xs), max(xs)
    ax.plot([low, high], [result.slope * low + result.intercept, result.slope * high + result.intercept],
            color=colour, linewidth=1.0, linestyle="--", zorder=1)  # fmt: skip


def scatter_svg(result: AnalysisResult) -> str:
    """The scatter of one analysis: points labelled by record, the fit line, r and n below."""
    with _style():
        figure = Figure(figsize=(5.6, 4.2))
        ax = figure.add_subplot()
        figure.subplots_adjust(left=0.13, right=0.96, top=0.93, bottom=0.2)
        colour = _COLOURS[0]
        ax.scatter([p.x for p in result.points], [p.y for p in result.points], s=18, color=colour, zorder=2)
        for point in result.points:
            ax.annotate(point.label, (point.x, point.y), xytext=(3, 3), textcoords="offset points",
                        fontsize=5.5, color="#333333", parse_math=False)  # fmt: skip
        _fit_line(ax, result, colour)
        if not result.points:
            ax.text(
                0.5, 0.5, "no records", transform=ax.transAxes, ha="center", va="center", parse_math=False
            )
        ax.set_xlabel(_axis_label(result.x_label or result.x, result.x_unit), parse_math=False)
        ax.set_ylabel(_axis_label(result.y_label or result.y, result.y_unit), parse_math=False)
        ax.set_title(result.name, fontsize=9, parse_math=False)
        lines = [caption(result)]
        if result.reported is not None:
            where = f", {result.reported.locator}" if result.reported.locator else ""
            lines.append(f"reported: {result.reported.value:g} ({result.reported.ref}{where})")
        figure.text(0.5, 0.02, "\n".join(lines), ha="center", va="bottom", fontsize=8, parse_math=False)
        return _to_svg(figure)


def _panels(results: Sequence[AnalysisResult]) -> list[list[AnalysisResult]]:
    """Results grouped into panels: one per (y, x unit), in order of first appearance."""
    groups: dict[tuple[str, str], list[AnalysisResult]] = {}
    for result in results:
        groups.setdefault((result.y, result.x_unit), []).append(result)
    return list(groups.values())


def _panel_title(group: Sequence[AnalysisResult], index: int) -> str:
    locators = {r.reported.locator for r in group if r.reported is not None and r.reported.locator}
    return locators.pop() if len(locators) == 1 else f"({_PANEL_LETTERS[index % len(_PANEL_LETTERS)]})"


def _legend_entry(result: AnalysisResult) -> str:
    ours = "r undefined" if result.r is None else f"r = {result.r:.3f}"
    theirs = f", review {result.reported.value:g}" if result.reported is not None else ""
    return f"{result.x_label or result.x}: {ours}{theirs}, n = {result.n}"


def figure1_svg(results: Sequence[AnalysisResult]) -> str:
    """Panels side by side (Fig. 1c-e of the review): our r next to the reported one per series.

    Results that share y and the unit of x share a panel (the composition percentages, the
    ratios, the thickness); a panel is titled by the reported locator when its series agree on
    one. Each series has its own marker and fit line; the legend gives our r, the review's
    value and n.
    """
    panels = _panels(results)
    with _style():
        figure = Figure(figsize=(4.2 * max(1, len(panels)), 4.6))
        figure.subplots_adjust(left=0.07, right=0.98, top=0.92, bottom=0.3, wspace=0.3)
        axes = figure.subplots(1, max(1, len(panels)), squeeze=False)[0]
        for index, (ax, group) in enumerate(zip(axes, panels, strict=False)):
            for k, result in enumerate(group):
                colour, marker = _COLOURS[k % len(_COLOURS)], _MARKERS[k % len(_MARKERS)]
                ax.scatter([p.x for p in result.points], [p.y for p in result.points], s=14, color=colour,
                           marker=marker, label=_legend_entry(result), zorder=2)  # fmt: skip
                _fit_line(ax, result, colour)
            first = group[0]
            x_label = first.x_label if len(group) == 1 else ", ".join(r.x_label or r.x for r in group)
            ax.set_xlabel(_axis_label(x_label, first.x_unit), parse_math=False)
            ax.set_ylabel(_axis_label(first.y_label or first.y, first.y_unit), parse_math=False)
            ax.set_title(_panel_title(group, index), fontsize=9, loc="left", parse_math=False)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize=6.5, frameon=False)
        if not panels:
            axes[0].text(0.5, 0.5, "no analyses", transform=axes[0].transAxes, ha="center", va="center")
        return _to_svg(figure)
