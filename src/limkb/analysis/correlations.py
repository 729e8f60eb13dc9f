"""Correlations declared by analysis entries, recomputed from the KB's own records.

An analysis names two variables, each a property id or a ratio of two (``x: sei-carbon-content
/ sei-fluorine-content``). :func:`compute` pools the rows of every dataset that holds columns
for all of those properties (or only the datasets the analysis lists), converts each value to
its property's unit, keeps the rows whose conditions match the analysis's filters, and hands
the points to :func:`correlate`, a pure function that knows nothing of the KB.

What a result carries, and the rules behind it:

- ``n`` points; records of a pooled dataset that lack a value (or whose ratio has a zero
  denominator) are left out and counted in ``excluded``, never turned into NaN.
- Pearson ``r`` with its p value (``scipy.stats.pearsonr``) and a 95 % confidence interval
  from Fisher's z transform (only for n > 3); Spearman's rho with its p value; the
  least-squares line (``slope``, ``intercept``) drawn on the plots.
- The leave-one-out range: r over every subset that drops one record (only for n >= 4), and
  the label of the record whose removal moves r most.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy import stats

from limkb.errors import LimkbError
from limkb.schema.kinds import (
    Analysis,
    Conditions,
    Dataset,
    Entry,
    Filters,
    Method,
    Property,
    Record,
    Reported,
)
from limkb.schema.units import UnitError, convert

__all__ = [
    "INFLUENCE_THRESHOLD",
    "MIN_N",
    "SIGN_FLOOR",
    "AnalysisResult",
    "Correlation",
    "LeaveOneOut",
    "Point",
    "collect_points",
    "compute",
    "compute_all",
    "correlate",
    "format_table",
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
    """One record as it enters a correlation: its label, dataset, values and source."""

    label: str
    dataset: str
    x: float
    y: float
    ref: str | None = None


@dataclass(frozen=True)
class LeaveOneOut:
    """The range of r over the subsets that drop one record each."""

    min: float
    max: float
    most_influential: str
    """Label of the record whose removal moves r most."""


@dataclass(frozen=True)
class Correlation:
    """The statistics :func:`correlate` computes from a list of points."""

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


@dataclass(frozen=True)
class AnalysisResult:
    """A computed analysis: the statistics, the points behind them and how far to trust them."""

    id: str
    name: str
    x: str
    y: str
    x_unit: str
    y_unit: str
    datasets: tuple[str, ...]
    n: int
    excluded: int
    r: float | None
    ci: tuple[float, float] | None
    p: float | None
    spearman: float | None
    spearman_p: float | None
    slope: float | None
    intercept: float | None
    loo: LeaveOneOut | None
    reported: Reported | None
    difference: float | None
    flags: tuple[str, ...]
    points: tuple[Point, ...]
    method: str = Method.PEARSON.value
    """The coefficient ``reported`` and ``difference`` refer to (``pearson`` or ``spearman``)."""
    x_label: str = ""
    """How readers name x, e.g. ``C/F`` or ``SEI thickness`` (the expression when empty)."""
    y_label: str = ""
    """How readers name y."""

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
            "n": self.n,
            "excluded": self.excluded,
            "method": self.method,
            "r": _finite(self.r),
            "ci": None if self.ci is None else [_finite(self.ci[0]), _finite(self.ci[1])],
            "p": _finite(self.p),
            "spearman": _finite(self.spearman),
            "spearman_p": _finite(self.spearman_p),
            "slope": _finite(self.slope),
            "intercept": _finite(self.intercept),
            "loo": None
            if self.loo is None
            else {
                "min": _finite(self.loo.min),
                "max": _finite(self.loo.max),
                "most_influential": self.loo.most_influential,
            },
            "reported": None
            if self.reported is None
            else {"value": self.reported.value, "ref": self.reported.ref, "locator": self.reported.locator},
            "difference": _finite(self.difference),
            "flags": list(self.flags),
            "points": [
                {"label": p.label, "dataset": p.dataset, "x": _finite(p.x), "y": _finite(p.y), "ref": p.ref}
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


def correlate(points: Sequence[Point]) -> Correlation:
    """Pearson and Spearman statistics, CI, leave-one-out range and flags for ``points``.

    Needs no knowledge base; the order of ``points`` only matters for breaking exact ties in
    the most influential record.
    """
    n = len(points)
    xs = np.array([p.x for p in points], dtype=float)
    ys = np.array([p.y for p in points], dtype=float)
    flags: list[str] = []
    if n < MIN_N:
        flags.append(f"n < {MIN_N}: treat as indicative only")
    if n < 3:
        flags.append(f"too few records for a correlation (n = {n}, at least 3 are needed)")
        return Correlation(n, None, None, None, None, None, None, None, None, tuple(flags))
    constant = [axis for axis, values in (("x", xs), ("y", ys)) if np.ptp(values) == 0]
    if constant:
        which = " and ".join(constant)
        flags.append(f"no variation in {which}: every record has the same value, so r is undefined")
        return Correlation(n, None, None, None, None, None, None, None, None, tuple(flags))

    pearson = stats.pearsonr(xs, ys)
    r = _clip(float(pearson.statistic))
    p = _finite(float(pearson.pvalue))
    rho_result = stats.spearmanr(xs, ys)
    rho = _finite(float(rho_result.statistic))
    rho_p = _finite(float(rho_result.pvalue)) if rho is not None else None
    fit = stats.linregress(xs, ys)
    slope, intercept = _finite(float(fit.slope)), _finite(float(fit.intercept))
    ci = _fisher_ci(r, n) if n > 3 else None

    loo: LeaveOneOut | None = None
    if n >= 4:
        loo, dropped = _leave_one_out(points, xs, ys, r)
        if dropped is not None:
            label, r_without = dropped
            flags.append(f"rests on one record: without {label!r} r would be {r_without:.2f}")
    return Correlation(n, r, ci, p, rho, rho_p, slope, intercept, loo, tuple(flags))


def _clip(r: float) -> float:
    """r limited to [-1, 1] (rounding can overshoot by an ulp)."""
    return max(-1.0, min(1.0, r))


def _fisher_ci(r: float, n: int) -> tuple[float, float]:
    """95 % confidence interval of r by Fisher's z transform (n > 3)."""
    if abs(r) >= 1.0:
        return (r, r)
    z = math.atanh(r)
    half = _Z95 / math.sqrt(n - 3)
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
        else:
            found.append(_clip(float(cov[i] / math.sqrt(var_x[i] * var_y[i]))))
    return found


_FLAT = 1e-12
"""A variance this small relative to the full one means the remaining values are all equal."""


def _leave_one_out(
    points: Sequence[Point], xs: np.ndarray, ys: np.ndarray, r: float
) -> tuple[LeaveOneOut | None, tuple[str, float] | None]:
    """The leave-one-out range and, if the conclusion rests on one record, that record.

    Each subset's r comes from the sums over all records less the dropped one (on centred
    values, for precision), so the n subsets cost O(n), not n correlations of n - 1 records.
    """
    subsets = [(i, r_i) for i, r_i in enumerate(_leave_one_out_r(xs, ys)) if r_i is not None]
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


# --- pooling records ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Variable:
    """One side of an analysis: its property terms, unit and reader-facing label."""

    expression: str
    terms: tuple[Property, ...]
    unit: str
    label: str

    @classmethod
    def of(cls, expression: str, properties: Mapping[str, Property]) -> _Variable:
        terms = tuple(properties[t] for t in Analysis.terms(expression))
        if len(terms) == 1:
            return cls(expression, terms, terms[0].unit, terms[0].name)
        a, b = terms
        unit = "1" if _same_unit(a.unit, b.unit) else f"{a.unit}/{b.unit}"
        # a ratio of two percentages is named by its parts: C%/F% -> C/F
        label = f"{_bare(a.symbol)}/{_bare(b.symbol)}" if a.symbol and b.symbol else f"{a.name} / {b.name}"
        return cls(expression, terms, unit, label)


def _bare(symbol: str) -> str:
    """A symbol without a trailing percent sign."""
    return symbol.removesuffix("%").rstrip() or symbol


def _same_unit(a: str, b: str) -> bool:
    try:
        return convert(1.0, a, b) == 1.0
    except UnitError:
        return False


@dataclass
class _Pool:
    points: list[Point] = field(default_factory=list)
    excluded: int = 0
    datasets: list[str] = field(default_factory=list)


def collect_points(
    analysis: Analysis, datasets: Iterable[Dataset], properties: Mapping[str, Property]
) -> tuple[list[Point], int, tuple[str, ...]]:
    """The points of ``analysis`` pooled from ``datasets``, the count excluded, the datasets used.

    Only datasets with a column for every property the analysis names take part (and, when the
    analysis lists datasets, only those). Values are converted to their property's unit.
    Records that fail the filters are dropped silently; records that pass but lack a value,
    or whose ratio has a zero denominator, are counted as excluded.
    """
    x = _Variable.of(analysis.x, properties)
    y = _Variable.of(analysis.y, properties)
    wanted = set(analysis.datasets) if analysis.datasets is not None else None
    pool = _Pool()
    for dataset in sorted(datasets, key=lambda d: d.id):
        if wanted is not None and dataset.id not in wanted:
            continue
        columns = _columns_by_property(dataset)
        if not all(t.id in columns for t in (*x.terms, *y.terms)):
            continue
        pool.datasets.append(dataset.id)
        default_ref = dataset.sources[0].ref if dataset.sources else None
        for record in dataset.records:
            if not _matches(analysis.filters, _conditions(dataset, record)):
                continue
            x_value = _value(record, x, columns)
            y_value = _value(record, y, columns)
            if x_value is None or y_value is None:
                pool.excluded += 1
                continue
            ref = record.source.ref if record.source is not None else default_ref
            pool.points.append(Point(record.label, dataset.id, x_value, y_value, ref))
    return pool.points, pool.excluded, tuple(pool.datasets)


def _columns_by_property(dataset: Dataset) -> dict[str, tuple[str, str]]:
    """The first numeric column of each property: property id -> (column name, unit)."""
    found: dict[str, tuple[str, str]] = {}
    for column in dataset.columns:
        if column.property and column.unit is not None and column.property not in found:
            found[column.property] = (column.name, column.unit)
    return found


def _value(record: Record, variable: _Variable, columns: Mapping[str, tuple[str, str]]) -> float | None:
    """The record's value of a variable in its unit; None when missing or undefined."""
    numbers: list[float] = []
    for prop in variable.terms:
        name, unit = columns[prop.id]
        raw = record.values.get(name)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None
        try:
            number = convert(float(raw), unit, prop.unit)
        except UnitError:
            log.warning("cannot convert %s of %r from %r to %r", name, record.label, unit, prop.unit)
            return None
        if not math.isfinite(number):
            return None
        numbers.append(number)
    if len(numbers) == 1:
        return numbers[0]
    if numbers[1] == 0:
        return None
    ratio = numbers[0] / numbers[1]
    return ratio if math.isfinite(ratio) else None


def _conditions(dataset: Dataset, record: Record) -> dict[str, Any]:
    """The record's conditions: the dataset's, with each field the record states overriding."""
    merged: dict[str, Any] = {}
    for conditions in (dataset.conditions, record.conditions):
        if conditions is not None:
            merged.update(
                {
                    k: getattr(conditions, k)
                    for k in Conditions.model_fields
                    if getattr(conditions, k) is not None
                }
            )
    return merged


def _matches(filters: Filters | None, conditions: Mapping[str, Any]) -> bool:
    """Whether conditions satisfy every filter; an unknown condition never matches a filter.

    Cell type and protocol compare case-insensitively (surrounding blanks ignored); current
    density compares after conversion to the filter's unit, to a relative 1e-6.
    """
    if filters is None:
        return True
    for name in ("cell", "protocol"):
        wanted = getattr(filters, name)
        if wanted is None:
            continue
        have = conditions.get(name)
        if have is None or have.strip().casefold() != wanted.strip().casefold():
            return False
    if filters.current_density is not None:
        have = conditions.get("current_density")
        if have is None:
            return False
        try:
            value = convert(have.value, have.unit, filters.current_density.unit)
        except UnitError:
            return False
        if not math.isclose(value, filters.current_density.value, rel_tol=1e-6, abs_tol=1e-12):
            return False
    return True


# --- against a knowledge base -------------------------------------------------------------


def compute(kb: _KB, analysis_id: str) -> AnalysisResult:
    """Compute one analysis of ``kb`` from the records of its datasets."""
    analysis = kb[analysis_id]
    if not isinstance(analysis, Analysis):
        raise LimkbError(f"{analysis_id!r} is a {analysis.kind}, not an analysis")
    properties: dict[str, Property] = {}
    for term in (*Analysis.terms(analysis.x), *Analysis.terms(analysis.y)):
        prop = kb[term]
        if not isinstance(prop, Property):
            raise LimkbError(
                f"analysis {analysis_id!r} names {term!r}, which is a {prop.kind}, not a property"
            )
        properties[term] = prop
    datasets = [d for d in kb.entries(kind="dataset") if isinstance(d, Dataset)]
    points, excluded, used = collect_points(analysis, datasets, properties)
    stats_ = correlate(points)
    x = _Variable.of(analysis.x, properties)
    y = _Variable.of(analysis.y, properties)
    method = Method(analysis.method)
    ours = stats_.spearman if method is Method.SPEARMAN else stats_.r
    reported = analysis.reported
    difference = None if reported is None or ours is None else ours - reported.value
    return AnalysisResult(
        id=analysis.id,
        name=analysis.name,
        x=analysis.x,
        y=analysis.y,
        x_unit=x.unit,
        y_unit=y.unit,
        datasets=used,
        n=stats_.n,
        excluded=excluded,
        r=stats_.r,
        ci=stats_.ci,
        p=stats_.p,
        spearman=stats_.spearman,
        spearman_p=stats_.spearman_p,
        slope=stats_.slope,
        intercept=stats_.intercept,
        loo=stats_.loo,
        reported=reported,
        difference=difference,
        flags=stats_.flags,
        points=tuple(points),
        method=method.value,
        x_label=x.label,
        y_label=y.label,
    )


def compute_all(kb: _KB) -> dict[str, AnalysisResult]:
    """Every analysis of ``kb``, computed, by id in id order."""
    ids = sorted(entry.id for entry in kb.entries(kind="analysis"))
    return {entry_id: compute(kb, entry_id) for entry_id in ids}


# --- presenting results -------------------------------------------------------------------


def results_json(results: Mapping[str, AnalysisResult] | Iterable[AnalysisResult]) -> str:
    """The results as a JSON list (strict JSON: no NaN or infinity)."""
    items = results.values() if isinstance(results, Mapping) else results
    return json.dumps([r.to_dict() for r in items], indent=2, ensure_ascii=False, allow_nan=False)


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
        n_text = str(result.n) + (f" (-{result.excluded})" if result.excluded else "")
        reported = "-" if result.reported is None else f"{result.reported.value:g}"
        if result.reported is not None and result.method != Method.PEARSON.value:
            reported += " rho"
        diff = _num(result.difference, "+.3f")
        row = (result.id, n_text, r_text, _p(result.p), _num(result.spearman, " .2f"), loo, reported, diff)
        rows.append((row, result.flags))
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
        out.extend(f"    ! {flag}" for flag in flags)
    if not items:
        out.append("(no analyses)")
    if any(result.excluded for result in items):
        out.append("n (-k): k records of the pooled datasets lack a value and were left out")
    return "\n".join(out)
