"""Scatter plots of computed analyses, as SVG text that is identical from one build to the next.

Plots are drawn with matplotlib's object API (``Figure``, no pyplot and its global figures),
at a fixed size, with the SVG id salt fixed, no date or creator metadata, and text kept as
text (``svg.fonttype: none``) so the files are small and the numbers on them searchable.
Labels that come from entries are drawn literally: mathtext is switched off for them, so a
``$`` in a record label is a dollar sign, not a formula.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from limkb.analysis.correlations import AnalysisResult

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


def _fit_line(ax: Axes, result: AnalysisResult, colour: str, *, band: bool = False) -> None:
    """The least-squares line over the data's x range; with ``band``, its 95 % confidence band."""
    if result.slope is None or result.intercept is None or not result.points:
        return
    xs = np.array([p.x for p in result.points], dtype=float)
    ys = np.array([p.y for p in result.points], dtype=float)
    grid = np.linspace(float(xs.min()), float(xs.max()), 50)
    fit = result.slope * grid + result.intercept
    ax.plot(grid, fit, color=colour, linewidth=1.0, linestyle="--", zorder=1)
    n = len(xs)
    sxx = float(((xs - xs.mean()) ** 2).sum())
    if band and n > 2 and sxx > 0:
        from scipy import stats

        residual = ys - (result.slope * xs + result.intercept)
        s = math.sqrt(float((residual**2).sum()) / (n - 2))
        half = float(stats.t.ppf(0.975, n - 2)) * s * np.sqrt(1 / n + (grid - xs.mean()) ** 2 / sxx)
        ax.fill_between(grid, fit - half, fit + half, color=colour, alpha=0.12, linewidth=0, zorder=0)


def _limits(ax: Axes, result: AnalysisResult) -> None:
    """Axes around the data (not the fit's band), and never past 100 for percentages that stay below it."""
    if not result.points:
        return
    for axis, values, unit in (
        ("x", [p.x for p in result.points], result.x_unit),
        ("y", [p.y for p in result.points], result.y_unit),
    ):
        low, high = min(values), max(values)
        pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
        top = high + pad
        if unit == "%" and high <= 100:
            top = min(top, 100.0 + pad * 0.25)
        (ax.set_xlim if axis == "x" else ax.set_ylim)(low - pad, top)


def _with_titles(svg: str, result: AnalysisResult) -> str:
    """Every point of the scatter gets an SVG ``<title>``: its label and values, shown on hover."""
    start = svg.find('<g id="limkb-points">')
    if start < 0:
        return svg
    end = svg.find("</g>", start)
    block = svg[start:end]
    points = iter(result.points)

    def titled(match: re.Match[str]) -> str:
        point = next(points, None)
        if point is None:
            return match.group(0)
        x = f"{result.x_label or result.x} = {_value(point.x)} {_unit(result.x_unit)}".rstrip()
        y = f"{result.y_label or result.y} = {_value(point.y)} {_unit(result.y_unit)}".rstrip()
        text = html.escape(f"{point.label}: {x}, {y}")
        return match.group(0)[:-2] + f"><title>{text}</title></use>"

    return svg[:start] + re.sub(r"<use [^>]*/>", titled, block) + svg[end:]


def _value(number: float) -> str:
    return f"{number:.4g}"


def _unit(unit: str) -> str:
    return "" if unit in ("1", "") else unit


_SCATTER_SIZE = (5.6, 4.2)
_SCATTER_BOX = {"left": 0.13, "right": 0.96, "top": 0.93, "bottom": 0.2}
_LABEL_FONT = 5.5
_LABEL_OFFSETS = (
    (3, 3, "left"),
    (3, -8, "left"),
    (-3, 3, "right"),
    (-3, -8, "right"),
    (3, 10, "left"),
    (3, -15, "left"),
    (-3, 10, "right"),
    (-3, -15, "right"),
)
"""Where a point's label may go, in points from the point (and its alignment), in order of preference."""


def _label_points(
    ax: Axes, result: AnalysisResult, *, size: tuple[float, float], box: dict[str, float]
) -> None:
    """Label each point with its record, choosing offsets so that labels neither collide nor leave the plot.

    Greedy and deterministic: points are placed top to bottom, each at the first offset whose
    estimated text box overlaps no label placed before and stays inside the axes; when none
    fits, the first offset is used.
    """
    ax.autoscale_view()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width = size[0] * 72 * (box["right"] - box["left"])
    height = size[1] * 72 * (box["top"] - box["bottom"])
    placed = _Placed()
    order = sorted(_labelled(result), key=lambda p: (-p.y, p.x, p.label))
    for point in order:
        px = (point.x - x0) / ((x1 - x0) or 1.0) * width
        py = (point.y - y0) / ((y1 - y0) or 1.0) * height
        text_w, text_h = 0.6 * _LABEL_FONT * len(point.label), 1.2 * _LABEL_FONT
        chosen = _LABEL_OFFSETS[0]
        for dx, dy, align in _LABEL_OFFSETS:
            left = px + dx - (text_w if align == "right" else 0.0)
            rect = (left, py + dy, left + text_w, py + dy + text_h)
            inside = rect[0] >= 0 and rect[2] <= width and rect[1] >= 0 and rect[3] <= height
            if inside and not placed.overlaps(rect):
                chosen = (dx, dy, align)
                break
        dx, dy, align = chosen
        left = px + dx - (text_w if align == "right" else 0.0)
        placed.add((left, py + dy, left + text_w, py + dy + text_h))
        ax.annotate(
            point.label,
            (point.x, point.y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=align,
            va="bottom",
            fontsize=_LABEL_FONT,
            color="#333333",
            parse_math=False,
        )


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


Rect = tuple[float, float, float, float]


class _Placed:
    """The label boxes placed so far, bucketed on a grid so a new box meets only its neighbours."""

    CELL = 24.0
    """Grid spacing in points (about two label heights)."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[Rect]] = {}

    def _keys(self, rect: Rect) -> Iterator[tuple[int, int]]:
        for gx in range(int(rect[0] // self.CELL), int(rect[2] // self.CELL) + 1):
            for gy in range(int(rect[1] // self.CELL), int(rect[3] // self.CELL) + 1):
                yield gx, gy

    def overlaps(self, rect: Rect) -> bool:
        return any(_overlap(rect, other) for key in self._keys(rect) for other in self._cells.get(key, ()))

    def add(self, rect: Rect) -> None:
        for key in self._keys(rect):
            self._cells.setdefault(key, []).append(rect)


MAX_LABELS = 12
"""Above this many points only the most unusual ones are labelled (every point has a hover title)."""


def _labelled(result: AnalysisResult) -> list[Any]:
    """The points to label: all of them up to :data:`MAX_LABELS`, else the most unusual ones.

    A point is unusual by its distance from the fit line and from the mean of x, each in
    standard deviations; ties go by label, so the choice is deterministic.
    """
    points = list(result.points)
    if len(points) <= MAX_LABELS:
        return points
    xs = [p.x for p in points]
    mean_x = sum(xs) / len(xs)
    sd_x = (sum((x - mean_x) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0
    slope, intercept = result.slope or 0.0, result.intercept or 0.0
    residuals = [p.y - (slope * p.x + intercept) for p in points]
    sd_r = (sum(e * e for e in residuals) / len(residuals)) ** 0.5 or 1.0
    score = {id(p): abs(e) / sd_r + abs(p.x - mean_x) / sd_x for p, e in zip(points, residuals, strict=True)}
    ranked = sorted(points, key=lambda p: (-score[id(p)], p.label, p.x, p.y))
    chosen = [p for p in ranked if score[id(p)] >= OUTLYING][: MAX_LABELS // 2]
    loo = getattr(result, "loo", None)
    influential = loo.most_influential if loo is not None else None
    chosen += [p for p in points if p.label == influential and p not in chosen][:1]
    return chosen


OUTLYING = 2.5
"""A point whose distance from the fit plus from the mean x reaches this many standard deviations is labelled."""


def scatter_svg(result: AnalysisResult) -> str:
    """The scatter of one analysis: points labelled by record, the fit line, r and n below."""
    with _style():
        figure = Figure(figsize=_SCATTER_SIZE)
        ax = figure.add_subplot()
        figure.subplots_adjust(**_SCATTER_BOX)
        colour = _COLOURS[0]
        size = 18 if len(result.points) <= 100 else 8
        dots = ax.scatter(
            [p.x for p in result.points], [p.y for p in result.points], s=size, color=colour, zorder=2
        )
        dots.set_gid("limkb-points")
        _limits(ax, result)
        _label_points(ax, result, size=_SCATTER_SIZE, box=_SCATTER_BOX)
        _fit_line(ax, result, colour, band=True)
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
        return _with_titles(_to_svg(figure), result)


def _locator(group: Sequence[AnalysisResult]) -> str | None:
    """The reported locator the series of a panel share ("Fig. 1c"), if they share one."""
    locators = {r.reported.locator for r in group if r.reported is not None and r.reported.locator}
    return locators.pop() if len(locators) == 1 else None


def _panels(results: Sequence[AnalysisResult]) -> list[list[AnalysisResult]]:
    """Results grouped into panels, one per (y, x unit); panels with a locator come first, by it."""
    groups: dict[tuple[str, str], list[AnalysisResult]] = {}
    for result in results:
        groups.setdefault((result.y, result.x_unit), []).append(result)
    return sorted(groups.values(), key=lambda g: (0, loc) if (loc := _locator(g)) else (1, ""))


def _panel_title(group: Sequence[AnalysisResult], index: int) -> str:
    return _locator(group) or f"({_PANEL_LETTERS[index % len(_PANEL_LETTERS)]})"


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
                ax.scatter(
                    [p.x for p in result.points],
                    [p.y for p in result.points],
                    s=14,
                    color=colour,
                    marker=marker,
                    label=_legend_entry(result),
                    zorder=2,
                )
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
