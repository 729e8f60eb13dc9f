"""Scatter plots of computed analyses, as SVG text that is identical from one build to the next.

Plots are drawn with matplotlib's object API (``Figure``, no pyplot and its global figures),
at a fixed size, with the SVG id salt fixed, no date or creator metadata, and text kept as
text (``svg.fonttype: none``) so the files are small and the numbers on them searchable.
Labels that come from entries are drawn literally: mathtext is switched off for them, so a
``$`` in a record label is a dollar sign, not a formula.

An analysis declared with Spearman's ρ is drawn on ranks (mid-ranks for ties): what ρ
measures is how well one ranking follows the other, so the axes show ranks and no straight
line is fitted; each point's hover title still gives its values.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from limkb.analysis.correlations import AnalysisResult, Point, headline

__all__ = ["caption", "figure1_panel_svg", "scatter_svg"]

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


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
    """One line with the analysis's coefficient (r, or Spearman's ρ), its CI and n."""
    return headline(result)


def _on_ranks(result: AnalysisResult) -> bool:
    """Whether the analysis is drawn on ranks (it is judged by Spearman's ρ)."""
    return getattr(result, "method", "pearson") == "spearman"


def _shown(result: AnalysisResult) -> list[Point]:
    """The points as drawn: their values, or their mid-ranks for a Spearman analysis."""
    points = list(result.points)
    if not _on_ranks(result) or not points:
        return points
    from limkb.analysis.statistics import mid_ranks

    xs = mid_ranks([p.x for p in points])
    ys = mid_ranks([p.y for p in points])
    return [replace(p, x=float(x), y=float(y)) for p, x, y in zip(points, xs, ys, strict=True)]


def _fit_line(ax: Axes, result: AnalysisResult, colour: str, *, band: bool = False) -> None:
    """The least-squares line over the data's x range; with ``band``, its 95 % confidence band.

    None for a Spearman analysis: ρ claims a monotone relation, not a straight line.
    """
    if result.slope is None or result.intercept is None or not result.points or _on_ranks(result):
        return
    xs = np.array([p.x for p in result.points], dtype=float)
    ys = np.array([p.y for p in result.points], dtype=float)
    grid = np.linspace(float(xs.min()), float(xs.max()), 50)
    fit = result.slope * grid + result.intercept
    ax.plot(grid, fit, color=colour, linewidth=1.0, linestyle="--", zorder=1)
    n = len(xs)
    sxx = float(((xs - xs.mean()) ** 2).sum())
    if band and n > 2 and sxx > 0:
        from limkb.analysis.statistics import t_quantile

        residual = ys - (result.slope * xs + result.intercept)
        s = math.sqrt(float((residual**2).sum()) / (n - 2))
        half = t_quantile(0.975, n - 2) * s * np.sqrt(1 / n + (grid - xs.mean()) ** 2 / sxx)
        ax.fill_between(grid, fit - half, fit + half, color=colour, alpha=0.12, linewidth=0, zorder=0)


def _limits(ax: Axes, result: AnalysisResult, points: Sequence[Point]) -> None:
    """Axes around the data (not the fit's band), and never past 100 for percentages that stay below it."""
    if not points:
        return
    ranks = _on_ranks(result)
    for axis, values, unit in (
        ("x", [p.x for p in points], "rank" if ranks else result.x_unit),
        ("y", [p.y for p in points], "rank" if ranks else result.y_unit),
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
_LABEL_CHARS = 32
"""Labels longer than this are cut with an ellipsis on the plot (the hover title has them whole)."""
_NEAR = 4.0
"""A label this far from its point (in points, either way) needs no line to it."""
_LABEL_OFFSETS = (
    (3.0, 3.0, "left"),
    (3.0, -8.0, "left"),
    (-3.0, 3.0, "right"),
    (-3.0, -8.0, "right"),
    (12.0, 8.0, "left"),
    (12.0, -16.0, "left"),
    (-12.0, 8.0, "right"),
    (-12.0, -16.0, "right"),
    (0.0, 14.0, "center"),
    (0.0, -22.0, "center"),
)
"""Where a point's label may go, in points from the point (and its alignment), in order of preference."""
_CHAR_WIDTH = 0.7
"""A generous estimate of a character's width, in ems of the label font (DejaVu Sans averages 0.6)."""
_DOT = 3.0
"""Half the side of the box a point's marker covers, in points."""


Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Label:
    """A label placed: its point, text, offset in points, alignment and box on the axes (in points)."""

    point: Point
    text: str
    dx: float
    dy: float
    align: str
    box: Rect


def _short(label: str) -> str:
    """A label cut to :data:`_LABEL_CHARS` characters, with an ellipsis when cut."""
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1].rstrip() + "…"


def _place_labels(
    points: Sequence[Point],
    labelled: Sequence[Point],
    limits: tuple[float, float, float, float],
    area: tuple[float, float],
) -> list[_Label]:
    """Boxes for the labels of ``labelled`` that overlap no other label, stay inside the axes
    and cover as few points as they can; a label with no such place is left off (on a plot of
    more than :data:`MAX_LABELS` points; on a smaller one every point keeps its label, at the
    first offset).

    Greedy and deterministic: labels are placed in the order given (most unusual first), each
    at the offset that covers the fewest points, the earlier offset on a tie. Points and boxes
    sit in grids of cells, so a box meets only its neighbours: O((n + k) * offsets).
    """
    x0, x1, y0, y1 = limits
    width, height = area

    def at(point: Point) -> tuple[float, float]:
        return (
            (point.x - x0) / ((x1 - x0) or 1.0) * width,
            (point.y - y0) / ((y1 - y0) or 1.0) * height,
        )

    dots = _Placed()
    for point in points:
        px, py = at(point)
        dots.add((px - _DOT, py - _DOT, px + _DOT, py + _DOT))
    placed = _Placed()
    found: list[_Label] = []
    for point in labelled:
        px, py = at(point)
        text = _short(point.label)
        text_w, text_h = _CHAR_WIDTH * _LABEL_FONT * len(text), 1.2 * _LABEL_FONT
        best: tuple[int, _Label] | None = None
        for dx, dy, align in _LABEL_OFFSETS:
            shift = {"right": text_w, "center": text_w / 2}.get(align, 0.0)
            left = px + dx - shift
            box = (left, py + dy, left + text_w, py + dy + text_h)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if not inside or placed.overlaps(box):
                continue
            covered = dots.count(box)
            if best is None or covered < best[0]:
                best = (covered, _Label(point, text, dx, dy, align, box))
            if covered == 0:
                break
        if best is None and len(points) <= MAX_LABELS:
            dx, dy, align = _LABEL_OFFSETS[0]
            best = (
                0,
                _Label(point, text, dx, dy, align, (px + dx, py + dy, px + dx + text_w, py + dy + text_h)),
            )
        if best is not None:
            placed.add(best[1].box)
            found.append(best[1])
    return found


def _label_points(
    ax: Axes,
    result: AnalysisResult,
    points: Sequence[Point],
    *,
    size: tuple[float, float],
    box: dict[str, float],
) -> None:
    """Label the unusual points (:func:`_labelled`) where their text collides with nothing.

    A label further than a marker's width from its point is tied to it by a thin line, and
    each labelled point is ringed, so every label names one visible point.
    """
    ax.autoscale_view()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width = size[0] * 72 * (box["right"] - box["left"])
    height = size[1] * 72 * (box["top"] - box["bottom"])
    labels = _place_labels(points, _labelled(result, points), (x0, x1, y0, y1), (width, height))
    if labels and len(points) > MAX_LABELS:
        ax.scatter(
            [label.point.x for label in labels],
            [label.point.y for label in labels],
            s=34,
            facecolors="none",
            edgecolors="#333333",
            linewidths=0.6,
            zorder=3,
        )
    for label in labels:
        far = abs(label.dx) > _NEAR or label.dy > _NEAR or label.dy < -2 * _NEAR
        ax.annotate(
            label.text,
            (label.point.x, label.point.y),
            xytext=(label.dx, label.dy),
            textcoords="offset points",
            ha=label.align,
            va="bottom",
            fontsize=_LABEL_FONT,
            color="#333333",
            parse_math=False,
            arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.4, "shrinkA": 0, "shrinkB": 2}
            if far
            else None,
        )


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


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

    def count(self, rect: Rect) -> int:
        """How many boxes placed so far ``rect`` overlaps."""
        return len(
            {other for key in self._keys(rect) for other in self._cells.get(key, ()) if _overlap(rect, other)}
        )

    def add(self, rect: Rect) -> None:
        for key in self._keys(rect):
            self._cells.setdefault(key, []).append(rect)


MAX_LABELS = 12
"""Above this many points only the most unusual ones are labelled (every point has a hover title)."""


def _labelled(result: AnalysisResult, shown: Sequence[Point] | None = None) -> list[Point]:
    """The points to label: all of them up to :data:`MAX_LABELS`, else the most unusual ones.

    A point is unusual by its distance from the fit line and from the mean of x, each in
    standard deviations (on ranks for a Spearman analysis, from the least-squares line of the
    ranks); ties go by label, so the choice is deterministic.
    """
    points = list(result.points if shown is None else shown)
    if len(points) <= MAX_LABELS:
        return points
    xs = [p.x for p in points]
    mean_x = sum(xs) / len(xs)
    sd_x = (sum((x - mean_x) ** 2 for x in xs) / len(xs)) ** 0.5 or 1.0
    slope, intercept = _line(points) if _on_ranks(result) else (result.slope or 0.0, result.intercept or 0.0)
    residuals = [p.y - (slope * p.x + intercept) for p in points]
    sd_r = (sum(e * e for e in residuals) / len(residuals)) ** 0.5 or 1.0
    score = {id(p): abs(e) / sd_r + abs(p.x - mean_x) / sd_x for p, e in zip(points, residuals, strict=True)}
    ranked = sorted(points, key=lambda p: (-score[id(p)], p.label, p.x, p.y))
    chosen = [p for p in ranked if score[id(p)] >= OUTLYING][: MAX_LABELS // 2]
    loo = getattr(result, "loo", None)
    influential = loo.most_influential if loo is not None else None
    chosen += [p for p in points if p.label == influential and p not in chosen][:1]
    return chosen


def _line(points: Sequence[Point]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line through ``points`` (flat when x is constant)."""
    xs = np.array([p.x for p in points], dtype=float)
    ys = np.array([p.y for p in points], dtype=float)
    sxx = float(((xs - xs.mean()) ** 2).sum())
    if sxx == 0:
        return 0.0, float(ys.mean())
    slope = float(((xs - xs.mean()) * (ys - ys.mean())).sum()) / sxx
    return slope, float(ys.mean()) - slope * float(xs.mean())


OUTLYING = 2.5
"""A point whose distance from the fit plus from the mean x reaches this many standard deviations is labelled."""


def scatter_svg(result: AnalysisResult) -> str:
    """The scatter of one analysis: points labelled by record, the fit line, r and n below."""
    with _style():
        figure = Figure(figsize=_SCATTER_SIZE)
        ax = figure.add_subplot()
        figure.subplots_adjust(**_SCATTER_BOX)
        colour = _COLOURS[0]
        shown = _shown(result)
        size = 18 if len(shown) <= 100 else 8
        dots = ax.scatter([p.x for p in shown], [p.y for p in shown], s=size, color=colour, zorder=2)
        dots.set_gid("limkb-points")
        _limits(ax, result, shown)
        _label_points(ax, result, shown, size=_SCATTER_SIZE, box=_SCATTER_BOX)
        _fit_line(ax, result, colour, band=True)
        if not result.points:
            ax.text(
                0.5, 0.5, "no records", transform=ax.transAxes, ha="center", va="center", parse_math=False
            )
        ax.set_xlabel(_scatter_axis_label(result, "x"), parse_math=False)
        ax.set_ylabel(_scatter_axis_label(result, "y"), parse_math=False)
        ax.set_title(result.name, fontsize=9, parse_math=False)
        lines = [caption(result)]
        if result.reported is not None:
            where = f", {result.reported.locator}" if result.reported.locator else ""
            lines.append(f"reported: {result.reported.value:g} ({result.reported.ref}{where})")
        figure.text(0.5, 0.02, "\n".join(lines), ha="center", va="bottom", fontsize=8, parse_math=False)
        return _with_titles(_to_svg(figure), result)


def _scatter_axis_label(result: AnalysisResult, axis: str) -> str:
    """An axis's title: the variable and its unit, or "rank of" the variable on a Spearman plot."""
    label = getattr(result, f"{axis}_label") or getattr(result, axis)
    if _on_ranks(result):
        return f"rank of {label} (1 = lowest)"
    return _axis_label(label, getattr(result, f"{axis}_unit"))


def _legend_entry(result: AnalysisResult) -> str:
    symbol = "ρ" if _on_ranks(result) else "r"
    ours = f"{symbol} undefined" if result.coefficient is None else f"{symbol} = {result.coefficient:.3f}"
    theirs = f", review {result.reported.value:g}" if result.reported is not None else ""
    return f"{result.x_label or result.x}: {ours}{theirs}, n = {result.n}"


_PANEL_SIZE = (4.2, 4.6)
"""A panel of figure 1, in inches (``overview.FIGURE1_PANEL_PIXELS`` in CSS pixels)."""

_PANEL_BOX = {"left": 0.16, "right": 0.96, "top": 0.92, "bottom": 0.3}


def figure1_panel_svg(panel: tuple[str, Sequence[AnalysisResult]]) -> str:
    """One panel of figure 1 (Fig. 1c-e of the review): our r next to the reported one per series.

    ``panel`` is its title and its series (``overview.figure1_panels``: results that share y
    and the unit of x, titled by the reported locator they agree on). Each series has its own
    marker and fit line; the legend below gives our r, the review's value and n. The page
    shows the panels side by side, each its own drawing, so a changed value draws one again.
    """
    title, group = panel
    with _style():
        figure = Figure(figsize=_PANEL_SIZE)
        figure.subplots_adjust(**_PANEL_BOX)
        ax = figure.add_subplot()
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
        if group:
            first = group[0]
            x_label = first.x_label if len(group) == 1 else ", ".join(r.x_label or r.x for r in group)
            ax.set_xlabel(_axis_label(x_label, first.x_unit), parse_math=False)
            ax.set_ylabel(_axis_label(first.y_label or first.y, first.y_unit), parse_math=False)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize=6.5, frameon=False)
        else:
            ax.text(0.5, 0.5, "no analyses", transform=ax.transAxes, ha="center", va="center")
        ax.set_title(title, fontsize=9, loc="left", parse_math=False)
        return _to_svg(figure)
