"""The few statistics the analyses and their plots need, without importing ``scipy.stats``.

``scipy.stats`` takes about 0.7 s of CPU and 48 MiB to import (it loads every distribution
and test it has), and a build that computes one analysis again (a dataset value edited) paid
it for Pearson's and Spearman's coefficients, their p values, a least-squares line, a t
quantile and mid-ranks. These are the same formulas ``scipy.stats`` uses (``pearsonr``,
``spearmanr``, ``linregress``, ``t.ppf``, ``rankdata``), on numpy, with the incomplete beta
and Student's t functions of ``scipy.special`` (about 0.2 s to import), which ``scipy.stats``
calls for them too. ``tests/test_statistics.py`` compares each with ``scipy.stats``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from limkb._lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported when first used, like the analyses' modules

__all__ = ["linear_fit", "mid_ranks", "pearson", "spearman", "t_quantile"]


def mid_ranks(values: Any) -> np.ndarray:
    """The ranks of ``values`` from 1, tied values sharing the mean of their ranks
    (``scipy.stats.rankdata``'s ``average``)."""
    data = np.asarray(values, dtype=float).ravel()
    order = np.argsort(data, kind="mergesort")
    inverse = np.empty(data.size, dtype=np.intp)
    inverse[order] = np.arange(data.size, dtype=np.intp)
    ordered = data[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = starts.cumsum()[inverse]
    bounds = np.r_[np.nonzero(starts)[0], starts.size]
    return np.asarray(0.5 * (bounds[dense] + bounds[dense - 1] + 1), dtype=float)


def pearson(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Pearson's r of two non-constant samples (n >= 3) and its two-sided p value: r follows a
    beta distribution on (-1, 1) with a = b = n/2 - 1 when the variables are independent."""
    from scipy import special

    r = _clip(float(np.vecdot(_unit(xs), _unit(ys))))
    half = len(xs) / 2 - 1
    return r, float(2 * special.betaincc(half, half, (abs(r) + 1) / 2))


def _unit(values: np.ndarray) -> np.ndarray:
    """``values`` centred and scaled to length 1 (scaled by their largest size first, so that
    the length neither overflows nor underflows), summed in the order ``scipy.stats`` sums
    them: the same r to the last bit."""
    centred = values - values.mean()
    largest = np.abs(centred).max()
    return np.asarray(centred / (largest * np.linalg.norm(centred / largest, axis=-1)), dtype=float)


def spearman(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Spearman's rho (Pearson's r of the mid-ranks) and its two-sided p value from Student's
    t with n - 2 degrees of freedom; NaN when a sample's ranks are constant."""
    from scipy import special

    ranks = np.column_stack((mid_ranks(xs), mid_ranks(ys)))  # laid out as scipy lays them out
    rho = float(np.corrcoef(ranks, rowvar=False)[1, 0])
    freedom = len(xs) - 2
    t = rho * math.sqrt(max(freedom / ((rho + 1.0) * (1.0 - rho)), 0.0)) if abs(rho) < 1 else math.inf
    return rho, float(2 * special.stdtr(freedom, -abs(t)))


def linear_fit(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """The least-squares line's slope and intercept (x not constant)."""
    sxx, sxy, _, _ = np.cov(xs, ys, bias=True).flat
    slope = float(sxy / sxx)
    return slope, float(np.mean(ys) - slope * np.mean(xs))


def t_quantile(probability: float, freedom: int) -> float:
    """The ``probability`` quantile of Student's t with ``freedom`` degrees of freedom."""
    from scipy import special

    return float(special.stdtrit(freedom, probability))


def _clip(r: float) -> float:
    """r limited to [-1, 1] (rounding can overshoot by an ulp)."""
    return max(-1.0, min(1.0, r))
