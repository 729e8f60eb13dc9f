"""Correlations declared by analysis entries, recomputed from the KB's own records.

An analysis names two variables, each a property id or a ratio of two (``x: sei-carbon-content
/ sei-fluorine-content``). :func:`compute` pools the rows of every dataset that holds columns
for all of those properties (or only the datasets the analysis lists), converts each value to
its property's unit, keeps the rows whose conditions match the analysis's filters, and hands
the points to :func:`correlate`, a pure function that knows nothing of the KB.

What a result carries, and the rules behind it:

- ``n`` points; records of a pooled dataset that lack a value (or whose ratio has a zero
  denominator) are left out and counted in ``excluded``, never turned into NaN.
- Pearson ``r`` with its p value (``scipy.stats.pearsonr``'s formula, :mod:`limkb.analysis.statistics`) and a 95 % confidence interval
  from Fisher's z transform (only for n > 3); Spearman's rho with its p value and a 95 %
  interval from the same transform with Bonett and Wright's standard error
  (sqrt((1 + rho^2/2)/(n - 3)), Psychometrika 65, 2000); the least-squares line (``slope``,
  ``intercept``), drawn on the plots of Pearson analyses only.
- The analysis's ``method`` names its coefficient (``coefficient``: r for ``pearson``, rho
  for ``spearman``); everything that judges the correlation uses that one: the leave-one-out
  range (the coefficient over every subset that drops one record, only for n >= 4, and the
  record whose removal moves it most), the flag of a conclusion resting on one record, each
  group's statistics with ``by:`` and the spread between groups (``group_spread``).
- ``reported``: the value a paper gave, and ``difference`` = ours - reported, where "ours" is
  the coefficient the analysis's ``method`` names.
- ``flags``, in plain language, when a number can bear little weight:
  ``n < 10`` (treat as indicative only); a conclusion that rests on one record, meaning that
  dropping that record moves |r| by more than :data:`INFLUENCE_THRESHOLD` or flips the sign of
  an r whose size is at least :data:`SIGN_FLOOR` (below that, r is indistinguishable from no
  correlation and its sign is not a conclusion); a variable with no variation (r undefined);
  fewer than three records.

Undefined numbers are ``None``; nothing in a result is NaN or infinite.
"""

from __future__ import annotations

import json
import logging
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from limkb._lazy import lazy_module
from limkb.analysis import expressions as ex
from limkb.analysis import statistics
from limkb.analysis.inputs import Inputs
from limkb.analysis.variables import Plan, Rows, evaluate_plan, plan
from limkb.errors import LimkbError
from limkb.schema.kinds import (
    Analysis,
    Dataset,
    Entry,
    GroupBy,
    Method,
    Property,
    Record,
    Reported,
)
from limkb.schema.units import UnitError, convert

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported when first used: a rebuild may need none of it

__all__ = [
    "INFLUENCE_THRESHOLD",
    "MIN_N",
    "SIGN_FLOOR",
    "AnalysisResult",
    "Correlation",
    "GroupResult",
    "Inputs",
    "LeaveOneOut",
    "Point",
    "analysis_keys",
    "collect_points",
    "compute",
    "compute_all",
    "correlate",
    "format_table",
    "headline",
    "results_json",
]

log = logging.getLogger(__name__)

MIN_N = 10
"""Below this many records a correlation is flagged as indicative only."""

INFLUENCE_THRESHOLD = 0.2
"""A record whose removal moves |r| by more than this is one the conclusion rests on."""

SIGN_FLOOR = 0.1
"""A sign flip only counts as resting on one record when |r| is at least this large."""

_Z95 = 1.959963984540054  # two-sided 97.5 % quantile of the standard normal


class _KB(Protocol):
    """What :func:`compute` needs of a knowledge base."""

    def __getitem__(self, entry_id: str) -> Entry: ...

    def entries(self, kind: str | None = None, **filters: Any) -> list[Entry]: ...


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One record as it enters a correlation: its label, dataset, values, source and group."""

    label: str
    dataset: str
    x: float
    y: float
    ref: str | None = None
    group: str | None = None
    """The record's group when the analysis has ``by:`` (its source, dataset, cell or protocol)."""


@dataclass(frozen=True)
class LeaveOneOut:
    """The range of the analysis's coefficient (r or rho) over the subsets that drop one record each."""

    min: float
    max: float
    most_influential: str
    """Label of the record whose removal moves the coefficient most."""


SYMBOLS = {Method.PEARSON.value: "r", Method.SPEARMAN.value: "rho"}
"""How each method's coefficient is written in flags and tables."""


@dataclass(frozen=True)
class Correlation:
    """The statistics :func:`correlate` computes from a list of points.

    ``loo`` and the flags judge the coefficient ``method`` names (``coefficient``); both r
    and rho are always computed.
    """

    n: int
    r: float | None
    ci: tuple[float, float] | None
    p: float | None
    spearman: float | None
    spearman_p: float | None
    slope: float | None
    intercept: float | None
    loo: LeaveOneOut | None
    flags: tuple[str, ...]
    method: str = Method.PEARSON.value
    spearman_ci: tuple[float, float] | None = None
    """95 % interval of rho (Fisher's z with Bonett and Wright's standard error; n > 3)."""

    @property
    def coefficient(self) -> float | None:
        """The coefficient ``method`` names: r for ``pearson``, rho for ``spearman``."""
        return self.spearman if self.method == Method.SPEARMAN.value else self.r

    @property
    def coefficient_ci(self) -> tuple[float, float] | None:
        """The 95 % interval of :attr:`coefficient`."""
        return self.spearman_ci if self.method == Method.SPEARMAN.value else self.ci

    @property
    def coefficient_p(self) -> float | None:
        """The p value of :attr:`coefficient`."""
        return self.spearman_p if self.method == Method.SPEARMAN.value else self.p

    @property
    def symbol(self) -> str:
        """How the coefficient is written: ``r`` or ``rho``."""
        return SYMBOLS[self.method]

    def to_dict(self) -> dict[str, Any]:
        """The statistics as JSON-ready data (no NaN or infinity)."""
        return {
            "n": self.n,
            "r": _finite(self.r),
            "ci": None if self.ci is None else [_finite(self.ci[0]), _finite(self.ci[1])],
            "p": _finite(self.p),
            "spearman": _finite(self.spearman),
            "spearman_p": _finite(self.spearman_p),
            "spearman_ci": None
            if self.spearman_ci is None
            else [_finite(self.spearman_ci[0]), _finite(self.spearman_ci[1])],
            "method": self.method,
            "coefficient": _finite(self.coefficient),
            "slope": _finite(self.slope),
            "intercept": _finite(self.intercept),
            "loo": None
            if self.loo is None
            else {
                "min": _finite(self.loo.min),
                "max": _finite(self.loo.max),
                "most_influential": self.loo.most_influential,
            },
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class GroupResult:
    """The statistics of one group of an analysis with ``by:`` (e.g. one source study)."""

    key: str
    stats: Correlation


@dataclass(frozen=True)
class AnalysisResult:
    """A computed analysis: the statistics, the points behind them and how far to trust them.

    ``stats`` holds the pooled statistics; ``n``, ``r``, ``ci``, ``p``, ``spearman``,
    ``spearman_p``, ``slope``, ``intercept``, ``loo`` and ``flags`` read through to it.
    """

    id: str
    name: str
    x: str
    y: str
    x_unit: str
    y_unit: str
    datasets: tuple[str, ...]
    excluded: int
    stats: Correlation
    reported: Reported | None
    difference: float | None
    points: tuple[Point, ...]
    method: str = Method.PEARSON.value
    """The coefficient ``reported`` and ``difference`` refer to (``pearson`` or ``spearman``)."""
    x_label: str = ""
    """How readers name x, e.g. ``C/F`` or ``SEI thickness`` (the expression when empty)."""
    y_label: str = ""
    """How readers name y."""
    by: str | None = None
    """What ``groups`` are groups of (``source``, ``dataset``, ``cell``, ``protocol``)."""
    groups: tuple[GroupResult, ...] = ()
    caveats: tuple[str, ...] = ()
    """Computed warnings about what the data can show: closure, clustering, a ceiling."""
    compares: str | None = None
    """The analysis this one is a variant of (e.g. the CE one of an LCE analysis)."""

    n = property(lambda self: self.stats.n)
    r = property(lambda self: self.stats.r)
    ci = property(lambda self: self.stats.ci)
    p = property(lambda self: self.stats.p)
    spearman = property(lambda self: self.stats.spearman)
    spearman_p = property(lambda self: self.stats.spearman_p)
    slope = property(lambda self: self.stats.slope)
    intercept = property(lambda self: self.stats.intercept)
    loo = property(lambda self: self.stats.loo)
    flags = property(lambda self: self.stats.flags)
    spearman_ci = property(lambda self: self.stats.spearman_ci)
    coefficient = property(lambda self: self.stats.coefficient)
    coefficient_ci = property(lambda self: self.stats.coefficient_ci)
    coefficient_p = property(lambda self: self.stats.coefficient_p)
    symbol = property(lambda self: self.stats.symbol)

    @property
    def group_spread(self) -> float | None:
        """How far the groups of ``by:`` differ: the highest group coefficient less the lowest
        (of the analysis's method; None with fewer than two groups that have one)."""
        values = [g.stats.coefficient for g in self.groups if g.stats.coefficient is not None]
        return max(values) - min(values) if len(values) >= 2 else None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (the objects ``limkb analyses --json`` prints)."""
        return {
            "id": self.id,
            "name": self.name,
            "x": self.x,
            "y": self.y,
            "x_label": self.x_label or self.x,
            "y_label": self.y_label or self.y,
            "x_unit": self.x_unit,
            "y_unit": self.y_unit,
            "datasets": list(self.datasets),
            "excluded": self.excluded,
            "method": self.method,
            **self.stats.to_dict(),
            "reported": None
            if self.reported is None
            else {"value": self.reported.value, "ref": self.reported.ref, "locator": self.reported.locator},
            "difference": _finite(self.difference),
            "caveats": list(self.caveats),
            "by": self.by,
            "groups": [{"key": g.key, **g.stats.to_dict()} for g in self.groups],
            "group_spread": _finite(self.group_spread),
            "compares": self.compares,
            "points": [
                {
                    "label": p.label,
                    "dataset": p.dataset,
                    "x": _finite(p.x),
                    "y": _finite(p.y),
                    "ref": p.ref,
                    "group": p.group,
                }
                for p in self.points
            ],
        }


def _finite(value: float | None) -> float | None:
    """``value`` as a plain float, or None when it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# --- the pure core ------------------------------------------------------------------------


def correlate(points: Sequence[Point], method: Method | str = Method.PEARSON) -> Correlation:
    """Pearson and Spearman statistics, CIs, leave-one-out range and flags for ``points``.

    The leave-one-out range and the flag of a conclusion resting on one record judge the
    coefficient ``method`` names. Needs no knowledge base; the order of ``points`` only matters
    for breaking exact ties in the most influential record.
    """
    method = Method(method)
    n = len(points)
    xs = np.array([p.x for p in points], dtype=float)
    ys = np.array([p.y for p in points], dtype=float)
    flags: list[str] = []
    if n < MIN_N:
        flags.append(f"n < {MIN_N}: treat as indicative only")
    if n < 3:
        flags.append(f"too few records for a correlation (n = {n}, at least 3 are needed)")
        return Correlation(n, None, None, None, None, None, None, None, None, tuple(flags), method.value)
    constant = [axis for axis, values in (("x", xs), ("y", ys)) if np.ptp(values) == 0]
    if constant:
        which = " and ".join(constant)
        flags.append(
            f"no variation in {which}: every record has the same value, so {SYMBOLS[method.value]} is undefined"
        )
        return Correlation(n, None, None, None, None, None, None, None, None, tuple(flags), method.value)

    r, pearson_p = statistics.pearson(xs, ys)
    p = _finite(pearson_p)
    rho_value, spearman_p = statistics.spearman(xs, ys)
    rho = _finite(rho_value)
    rho_p = _finite(spearman_p) if rho is not None else None
    fitted = statistics.linear_fit(xs, ys)
    slope, intercept = _finite(fitted[0]), _finite(fitted[1])
    ci = _fisher_ci(r, n) if n > 3 else None
    rho_ci = _fisher_ci(rho, n, bonett_wright=True) if n > 3 and rho is not None else None

    loo: LeaveOneOut | None = None
    ours = rho if method is Method.SPEARMAN else r
    if n >= 4 and ours is not None:
        subsets = _leave_one_out_rho(xs, ys) if method is Method.SPEARMAN else _leave_one_out_r(xs, ys)
        loo, dropped = _leave_one_out(points, subsets, ours)
        if dropped is not None:
            label, without = dropped
            flags.append(
                f"rests on one record: without {label!r} {SYMBOLS[method.value]} would be {without:.2f}"
            )
    return Correlation(n, r, ci, p, rho, rho_p, slope, intercept, loo, tuple(flags), method.value, rho_ci)


def _clip(r: float) -> float:
    """r limited to [-1, 1] (rounding can overshoot by an ulp)."""
    return max(-1.0, min(1.0, r))


def _fisher_ci(r: float, n: int, *, bonett_wright: bool = False) -> tuple[float, float]:
    """95 % confidence interval of r by Fisher's z transform (n > 3); of Spearman's rho with
    ``bonett_wright``, whose standard error sqrt((1 + rho^2/2)/(n - 3)) widens it."""
    if abs(r) >= 1.0:
        return (r, r)
    z = math.atanh(r)
    half = _Z95 * math.sqrt((1 + r * r / 2 if bonett_wright else 1.0) / (n - 3))
    return (math.tanh(z - half), math.tanh(z + half))


def _leave_one_out_r(xs: np.ndarray, ys: np.ndarray) -> list[float | None]:
    """Pearson r of the records without record i, for every i (None where a variable is constant)."""
    n = len(xs)
    dx, dy = xs - xs.mean(), ys - ys.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    # Without record i the remaining centred values sum to -dx[i]; the sums of squares and
    # products about the remaining mean follow from the full ones.
    var_x = (sxx - dx * dx) - dx * dx / (n - 1)
    var_y = (syy - dy * dy) - dy * dy / (n - 1)
    cov = (sxy - dx * dy) - dx * dy / (n - 1)
    found: list[float | None] = []
    for i in range(n):
        if var_x[i] <= _FLAT * sxx or var_y[i] <= _FLAT * syy:
            found.append(None)
        elif var_x[i] <= _RECOMPUTE * sxx or var_y[i] <= _RECOMPUTE * syy:
            # the subtraction above lost most digits (one record held nearly all the variance):
            # compute this subset directly
            keep = np.arange(n) != i
            rx, ry = xs[keep] - xs[keep].mean(), ys[keep] - ys[keep].mean()
            found.append(_clip(float(rx @ ry / math.sqrt(float(rx @ rx) * float(ry @ ry)))))
        else:
            found.append(_clip(float(cov[i] / math.sqrt(var_x[i] * var_y[i]))))
    return found


_RECOMPUTE = 1e-4
"""Below this share of the full variance a subset's r is computed directly, not from the sums."""


_FLAT = 1e-12
"""A variance this small relative to the full one means the remaining values are all equal."""


def _leave_one_out_rho(xs: np.ndarray, ys: np.ndarray) -> list[float | None]:
    """Spearman's rho of the records without record i, for every i (None where a variable is constant).

    Without record i, another record's mid-rank drops by one if i's value was below it and by
    a half if they tied. The sums that make rho follow from the full ones less what i took
    away: sums over the records above i (sorting once, O(n log n)) and the count of records
    above i on both axes (a Fenwick tree, O(n log n)); no subset is ranked again.
    """
    n = len(xs)
    rx, ry = statistics.mid_ranks(xs), statistics.mid_ranks(ys)
    gt_x, eq_x, rx_above_x, ry_above_x = _above(xs, rx, ry)
    gt_y, eq_y, ry_above_y, rx_above_y = _above(ys, ry, rx)
    both = _above_on_both(xs, ys)
    mean_sq = (n - 1) * (n / 2) ** 2  # the n - 1 mid-ranks always sum to (n - 1) n / 2
    sxx = (rx @ rx - rx * rx) - 2 * rx_above_x + (gt_x + eq_x / 4) - mean_sq
    syy = (ry @ ry - ry * ry) - 2 * ry_above_y + (gt_y + eq_y / 4) - mean_sq
    sxy = (rx @ ry - rx * ry) - ry_above_x - rx_above_y + both - mean_sq
    flat = _FLAT * n**3
    return [
        None if a <= flat or b <= flat else _clip(float(c / math.sqrt(a * b)))
        for a, b, c in zip(sxx, syy, sxy, strict=True)
    ]


def _above(
    keys: np.ndarray, own: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every record i: how many others lie above it on ``keys`` and tie with it, and the
    sums of ``own`` and ``other`` over them, each tie counting a half."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    low = np.searchsorted(ordered, keys, side="left")
    high = np.searchsorted(ordered, keys, side="right")
    n = len(keys)
    sums = []
    for values in (own, other):
        cumulative = np.concatenate(([0.0], np.cumsum(values[order])))
        above = cumulative[n] - cumulative[high]
        tied = cumulative[high] - cumulative[low] - values
        sums.append(above + tied / 2)
    return (n - high).astype(float), (high - low - 1).astype(float), sums[0], sums[1]


def _above_on_both(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """For every record i, the sum over the others of (1 if above i on x, 1/2 if tied) times
    the same on y: how much i's removal takes from the products of the others' ranks."""
    kx = np.unique(xs, return_inverse=True)[1].astype(np.int64)
    ky = np.unique(ys, return_inverse=True)[1].astype(np.int64)
    width = int(ky.max()) + 1 if len(ky) else 1
    height = int(kx.max()) + 1 if len(kx) else 1
    strictly = _dominated(kx, ky, width)
    tie_y_above_x = _within_ties(ky, kx, height)  # same y, greater x
    tie_x_above_y = _within_ties(kx, ky, width)  # same x, greater y
    pairs = kx * width + ky
    ordered = np.sort(pairs)
    same = np.searchsorted(ordered, pairs, side="right") - np.searchsorted(ordered, pairs, side="left") - 1
    found: np.ndarray = strictly + (tie_y_above_x + tie_x_above_y) / 2 + same / 4
    return found


def _within_ties(group: np.ndarray, key: np.ndarray, width: int) -> np.ndarray:
    """For every record, how many records share its ``group`` and have a greater ``key``."""
    combined = group * width + key
    ordered = np.sort(combined)
    end_of_group = np.searchsorted(ordered, group * width + (width - 1), side="right")
    found: np.ndarray = (end_of_group - np.searchsorted(ordered, combined, side="right")).astype(float)
    return found


def _dominated(kx: np.ndarray, ky: np.ndarray, width: int) -> np.ndarray:
    """For every record, how many records are above it on both x and y (dense ranks), by a
    Fenwick tree over y filled from the highest x down: O(n log n)."""
    n = len(kx)
    tree = [0] * (width + 1)
    found = np.zeros(n, dtype=float)
    order = np.argsort(-kx, kind="stable")
    inserted = 0
    start = 0
    while start < n:
        stop = start
        while stop < n and kx[order[stop]] == kx[order[start]]:
            stop += 1
        for i in order[start:stop]:  # those above on x are all in the tree; count those above on y
            at, below = int(ky[i]) + 1, 0
            while at > 0:
                below += tree[at]
                at -= at & -at
            found[i] = inserted - below
        for i in order[start:stop]:
            at = int(ky[i]) + 1
            while at <= width:
                tree[at] += 1
                at += at & -at
        inserted += stop - start
        start = stop
    return found


def _leave_one_out(
    points: Sequence[Point], without: Sequence[float | None], r: float
) -> tuple[LeaveOneOut | None, tuple[str, float] | None]:
    """The leave-one-out range and, if the conclusion rests on one record, that record.

    ``without[i]`` is the coefficient without record i. Pearson's subsets come from the sums
    over all records less the dropped one (on centred values, for precision), so the n subsets
    cost O(n), not n correlations of n - 1 records; Spearman's O(n log n) (see
    :func:`_leave_one_out_rho`).
    """
    subsets = [(i, r_i) for i, r_i in enumerate(without) if r_i is not None]
    if not subsets:
        return None, None
    values = [r_i for _, r_i in subsets]
    shift = [abs(r_i - r) for _, r_i in subsets]
    top = int(np.argmax(shift))
    loo = LeaveOneOut(min(values), max(values), points[subsets[top][0]].label)
    resting = [
        (abs(r_i - r), i, r_i)
        for i, r_i in subsets
        if abs(abs(r_i) - abs(r)) > INFLUENCE_THRESHOLD or (abs(r) >= SIGN_FLOOR and r_i * r < 0)
    ]
    if not resting:
        return loo, None
    _, i, r_i = max(resting, key=lambda t: t[0])
    return loo, (points[i].label, r_i)


# --- against a knowledge base -------------------------------------------------------------

CEILING = 1.0
"""CE within this many percentage points of 100 % is near the ceiling (LCE is suggested)."""


def collect_points(
    analysis: Analysis, datasets: Iterable[Dataset], properties: Mapping[str, Property]
) -> tuple[list[Point], int, tuple[str, ...]]:
    """The points of ``analysis`` pooled from ``datasets``, the count excluded, the datasets used.

    Only datasets in which every variable resolves take part (and, when the analysis lists
    datasets, only those). Records that fail ``where`` are dropped silently; records that pass
    but lack a value, or whose expression is undefined (a zero denominator, a log of zero),
    are counted as excluded. Descriptors are not computed here (see :class:`Inputs`).
    """
    the_plan, errors = plan(analysis, datasets, properties)
    if the_plan is None:
        raise LimkbError(f"analysis {analysis.id!r}: {errors[0].axis}: {errors[0].message}")
    rows = evaluate_plan(the_plan, analysis, lambda dataset, record: None)
    keep = np.isfinite(rows.x) & np.isfinite(rows.y)
    points = [
        Point(rows.labels[i], rows.datasets[i], float(rows.x[i]), float(rows.y[i]), rows.refs[i])
        for i in np.flatnonzero(keep)
    ]
    return points, len(rows.labels) - len(points), tuple(d.id for d, _ in the_plan.datasets)


def _group(by: GroupBy | None) -> Any:
    if by is None:
        return None

    def group_of(
        dataset: Dataset, record: Record, conditions: Mapping[str, Any], ref: str | None
    ) -> str | None:
        if by is GroupBy.SOURCE:
            return ref
        if by is GroupBy.DATASET:
            return dataset.id
        value = conditions.get(by.value)
        return None if value is None else str(value)

    return group_of


def _label(
    expression: str,
    names: Sequence[str],
    properties: Mapping[str, Property],
    name_properties: Mapping[str, str],
) -> str:
    """How readers name a variable: a property's name, a ratio of symbols, or the expression."""
    stripped = expression.strip()
    if len(names) == 1 and stripped == names[0]:
        prop = properties.get(name_properties.get(names[0], ""))
        return prop.name if prop is not None else names[0]
    parts = [p.strip() for p in stripped.split("/")]
    if len(names) == 2 and len(parts) == 2 and parts == list(names):
        a, b = (properties.get(name_properties.get(n, "")) for n in names)
        if a is not None and b is not None:
            if a.symbol and b.symbol:
                return f"{_bare(a.symbol)}/{_bare(b.symbol)}"
            return f"{a.name} / {b.name}"
    return stripped


def _bare(symbol: str) -> str:
    """A symbol without a trailing percent sign."""
    return symbol.removesuffix("%").rstrip() or symbol


def _unit(expression: ex.Expression, units: Mapping[str, str]) -> str:
    """The unit a variable's values are in: a name's own unit, else '1' when dimensionless."""
    if isinstance(expression, ex.Name):
        return units.get(expression.name, "1")
    if isinstance(expression, ex.Operation) and expression.op == "/":
        left, right = expression.left, expression.right
        if isinstance(left, ex.Name) and isinstance(right, ex.Name):
            a, b = units.get(left.name, "1"), units.get(right.name, "1")
            return "1" if _same_unit(a, b) else f"{a}/{b}"
    dimension = ex.check_units(expression, units)
    return "1" if not dimension else " ".join(k if v == 1 else f"{k}^{v:g}" for k, v in dimension)


def _same_unit(a: str, b: str) -> bool:
    try:
        return convert(1.0, a, b) == 1.0
    except UnitError:
        return False


def _caveats(analysis: Analysis, the_plan: Plan, rows: Rows, points: Sequence[Point]) -> list[str]:
    caveats: list[str] = []
    n = len(points)
    # compositional closure: parts of one whole that sum to a constant
    for (dataset_id, group), sums in zip(the_plan.composition, rows.composition_sums, strict=False):
        values = sums[np.isfinite(sums)]
        if len(values) >= 3 and float(np.ptp(values)) <= 2 * COMPOSITION_SPREAD:
            caveats.append(
                f"compositional closure: {' + '.join(group)} of {dataset_id} sum to about "
                f"{float(np.median(values)):.0f} in every record, so these parts are not independent "
                "variables: when one rises the others must fall, and analyses of them are not separate findings"
            )
    # clustering: few studies behind many records, counted by each record's own source
    sources = {p.ref for p in points if p.ref is not None}
    if n >= 4 and len(sources) < n / 2:
        kept = np.flatnonzero(np.isfinite(rows.x) & np.isfinite(rows.y))
        borrowed = sorted({str(rows.refs[i]) for i in kept if not rows.own_source[i] and rows.refs[i]})
        unattributed = sum(1 for i in kept if not rows.own_source[i])
        caveats.append(
            f"clustering: the {n} records come from {len(sources)} "
            f"{'study' if len(sources) == 1 else 'studies'}; records of one study share methods and "
            "are not independent, so the effective sample is smaller than n"
            + (" (see the per-source results)" if analysis.by is GroupBy.SOURCE else "")
            + (
                f"; {unattributed} of them name no source of their own and are counted under their "
                f"dataset's ({', '.join(borrowed)}): if they come from several papers, give each its "
                "own (a `ref` or `doi` column of import-table)"
                if unattributed
                else ""
            )
        )
    # the ceiling of CE
    for axis in ("x", "y"):
        expression = getattr(the_plan, axis)
        if (
            isinstance(expression, ex.Name)
            and the_plan.properties.get(expression.name) == "coulombic-efficiency"
        ):
            values = np.array([getattr(p, axis) for p in points], dtype=float)
            near = int(np.sum(values >= 100 - CEILING))
            if near:
                caveats.append(
                    f"ceiling: {near} of {n} CE values lie within {CEILING:g} % of 100 %, where CE "
                    "compresses large differences in loss per cycle; analyse the log Coulombic "
                    "inefficiency LCE = -log10(1 - CE/100) as well"
                )
    return caveats


COMPOSITION_SPREAD = 1.0
"""Sums of a composition's parts within this many units of each other count as constant."""


def compute(kb: _KB, analysis_id: str, inputs: Inputs | None = None) -> AnalysisResult:
    """Compute one analysis of ``kb`` from the records of its datasets."""
    analysis = kb[analysis_id]
    if not isinstance(analysis, Analysis):
        raise LimkbError(f"{analysis_id!r} is a {analysis.kind}, not an analysis")
    inputs = inputs or Inputs(kb)
    the_plan, errors = plan(analysis, inputs.datasets, inputs.properties)
    if the_plan is None:
        first = errors[0]
        raise LimkbError(f"analysis {analysis_id!r}: {first.axis}: {first.message} ({first.hint})")
    rows = evaluate_plan(the_plan, analysis, inputs.descriptors, _group(analysis.by))
    keep = np.isfinite(rows.x) & np.isfinite(rows.y)
    points = tuple(
        Point(
            rows.labels[i], rows.datasets[i], float(rows.x[i]), float(rows.y[i]), rows.refs[i], rows.groups[i]
        )
        for i in np.flatnonzero(keep)
    )
    excluded = int(len(rows.labels) - len(points))
    method = Method(analysis.method)
    pooled = correlate(points, method)
    groups: list[GroupResult] = []
    if analysis.by is not None:
        keys = sorted({p.group for p in points if p.group is not None})
        groups = [GroupResult(k, correlate([p for p in points if p.group == k], method)) for k in keys]
    ours = pooled.coefficient
    reported = analysis.reported
    difference = None if reported is None or ours is None else ours - reported.value
    x_names = [n.name for n in ex.names(the_plan.x)]
    y_names = [n.name for n in ex.names(the_plan.y)]
    return AnalysisResult(
        id=analysis.id,
        name=analysis.name,
        x=analysis.x,
        y=analysis.y,
        x_unit=_unit(the_plan.x, the_plan.units),
        y_unit=_unit(the_plan.y, the_plan.units),
        datasets=tuple(d.id for d, _ in the_plan.datasets),
        excluded=excluded,
        stats=pooled,
        reported=reported,
        difference=difference,
        points=points,
        method=method.value,
        x_label=analysis.x_label or _label(analysis.x, x_names, inputs.properties, the_plan.properties),
        y_label=analysis.y_label or _label(analysis.y, y_names, inputs.properties, the_plan.properties),
        by=None if analysis.by is None else analysis.by.value,
        groups=tuple(groups),
        caveats=tuple(_caveats(analysis, the_plan, rows, points)),
        compares=analysis.compares,
    )


def analysis_keys(kb: _KB, digests: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each analysis's key, by id: a hash of what :func:`compute` reads for it, and of limkb's
    code. Equal keys, equal results. ``digests`` (each entry's
    :func:`~limkb.schema.kinds.content_digest`, by id), when the caller has them, spares
    serialising the entries again.

    An analysis reads its own entry, every property and material (units, labels, the names and
    atoms behind its descriptors) and the datasets of its pool: those it lists under
    ``datasets:``, or all of them. An edit of one dataset therefore changes the keys of the
    analyses that may read it, and no other.
    """
    import hashlib

    from limkb._version import code_digest
    from limkb.schema.kinds import content_digest

    def part(entry: Entry) -> bytes:
        digest = digests[entry.id] if digests is not None else content_digest(entry)
        return f"\0{entry.kind}\0{entry.id}\0{digest}".encode()

    shared = hashlib.sha256(code_digest().encode())
    for kind in ("property", "material"):
        for entry in sorted(kb.entries(kind=kind), key=lambda e: e.id):
            shared.update(part(entry))
    datasets = {d.id: part(d) for d in kb.entries(kind="dataset")}
    keys: dict[str, str] = {}
    for entry in sorted(kb.entries(kind="analysis"), key=lambda e: e.id):
        digest = shared.copy()
        digest.update(part(entry))
        listed = entry.datasets if isinstance(entry, Analysis) else None
        for dataset_id in sorted(datasets if listed is None else set(listed) & set(datasets)):
            digest.update(datasets[dataset_id])
        keys[entry.id] = digest.hexdigest()
    return keys


def compute_all(kb: _KB, known: Mapping[str, AnalysisResult] | None = None) -> dict[str, AnalysisResult]:
    """Every analysis of ``kb``, by id in id order: those in ``known`` as they are there, the
    others computed (with the KB's inputs gathered once, and only if one is computed)."""
    ids = sorted(entry.id for entry in kb.entries(kind="analysis"))
    known = known or {}
    inputs: Inputs | None = None
    results: dict[str, AnalysisResult] = {}
    for entry_id in ids:
        if entry_id in known:
            results[entry_id] = known[entry_id]
            continue
        inputs = inputs or Inputs(kb)
        results[entry_id] = compute(kb, entry_id, inputs)
    return results


# --- presenting results -------------------------------------------------------------------


def results_json(results: Mapping[str, AnalysisResult] | Iterable[AnalysisResult]) -> str:
    """The results as a JSON list (strict JSON: no NaN or infinity)."""
    items = results.values() if isinstance(results, Mapping) else results
    return json.dumps([r.to_dict() for r in items], indent=2, ensure_ascii=False, allow_nan=False)


def result_json_item(result: AnalysisResult) -> str:
    """One result as :func:`results_json` writes it inside its list (indented by one level),
    so that the list can be joined from items kept per analysis (:func:`join_results_json`)."""
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    return "  " + text.replace("\n", "\n  ")  # JSON strings hold no raw line breaks


def join_results_json(items: Sequence[str]) -> str:
    """:func:`results_json` of the results whose :func:`result_json_item` are ``items``."""
    return "[\n" + ",\n".join(items) + "\n]" if items else "[]"


def headline(result: AnalysisResult) -> str:
    """One line with the analysis's coefficient, its 95 % CI and n, as plots and pages caption it.

    ``r = 0.426 (95% CI -0.28 to 0.83), n = 10`` for Pearson; for Spearman
    ``Spearman ρ = 0.612 (95% CI 0.01 to 0.89), n = 10, on ranks``.
    """
    spearman = result.method == Method.SPEARMAN.value
    name = "Spearman ρ" if spearman else "r"
    value, ci = result.coefficient, result.coefficient_ci
    if value is None:
        return f"{name} undefined, n = {result.n}"
    text = f"{name} = {value:.3f}"
    if ci is not None:
        text += f" (95% CI {ci[0]:.2f} to {ci[1]:.2f})"
    return f"{text}, n = {result.n}" + (", on ranks" if spearman else "")


def _num(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.0e}"


def format_table(results: Mapping[str, AnalysisResult] | Iterable[AnalysisResult]) -> str:
    """A plain-text table of results that fits in 100 columns; flags go on lines below a row."""
    items = list(results.values() if isinstance(results, Mapping) else results)
    head: tuple[str, ...] = ("id", "n", "r [95% CI]", "p", "rho", "LOO range", "reported", "diff")
    rows: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for result in items:
        r_text = _num(result.r, " .3f")
        if result.ci is not None:
            r_text += f" [{result.ci[0]:.2f}, {result.ci[1]:.2f}]"
        loo = "-" if result.loo is None else f"{result.loo.min:.2f}..{result.loo.max:.2f}"
        if result.loo is not None and result.method != Method.PEARSON.value:
            loo += " rho"
        n_text = str(result.n) + (f" (-{result.excluded})" if result.excluded else "")
        reported = "-" if result.reported is None else f"{result.reported.value:g}"
        if result.reported is not None and result.method != Method.PEARSON.value:
            reported += " rho"
        diff = _num(result.difference, "+.3f")
        row = (result.id, n_text, r_text, _p(result.p), _num(result.spearman, " .2f"), loo, reported, diff)
        rows.append((row, (*result.flags, *(f"~{c}" for c in result.caveats))))
    widths = [max(len(h), *(len(c[i]) for c, _ in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {1, 4, 6, 7}

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    for cells, flags in rows:
        out.append(line(cells))
        for flag in flags:
            mark, text = ("~", flag[1:]) if flag.startswith("~") else ("!", flag)
            out.extend(textwrap.wrap(text, 100, initial_indent=f"    {mark} ", subsequent_indent="      "))
    if not items:
        out.append("(no analyses)")
    if any(result.excluded for result in items):
        out.append("n (-k): k records of the pooled datasets lack a value and were left out")
    return "\n".join(out)
