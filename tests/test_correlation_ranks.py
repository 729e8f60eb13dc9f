"""The counting helpers behind Spearman's leave-one-out, each against its definition.

``_above``, ``_above_on_both``, ``_within_ties`` and ``_dominated`` count, for every record,
the records above it (ties counting a half) in O(n log n); each is compared here with the
O(n^2) count its docstring defines, on a table of samples with and without ties, so a
change to an index, a side of a search or a tie weight fails a named case.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from limkb.analysis.correlations import (
    _above,
    _above_on_both,
    _dominated,
    _leave_one_out_rho,
    _within_ties,
)

SAMPLES: list[tuple[str, list[float], list[float]]] = [
    ("one record", [1.0], [2.0]),
    ("two distinct", [1.0, 2.0], [2.0, 1.0]),
    ("increasing", [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
    ("decreasing", [5, 4, 3, 2, 1], [1, 2, 3, 4, 5]),
    ("ties on x", [1, 1, 2, 2, 3], [3, 1, 2, 5, 4]),
    ("ties on y", [3, 1, 2, 5, 4], [1, 1, 2, 2, 3]),
    ("ties on both", [1, 1, 2, 2, 2, 3], [2, 2, 1, 3, 3, 1]),
    ("same pair twice", [1, 2, 2, 3], [4, 5, 5, 6]),
    ("all equal x", [7, 7, 7, 7], [1, 2, 3, 4]),
    ("negative and fractional", [-1.5, 0.25, -1.5, 3.0, 0.25], [0.1, -0.2, 0.3, 0.1, -0.2]),
    ("unsorted with gaps", [10, 30, 20, 50, 40, 30], [5, 1, 5, 3, 1, 2]),
]
IDS = [name for name, _, _ in SAMPLES]
RANDOM = [
    (f"random {seed}", *(np.random.default_rng(seed).integers(0, 4, size=(2, 9)).astype(float).tolist()))
    for seed in range(6)
]


def _weight(a: float, b: float) -> float:
    """1 when ``b`` is above ``a``, a half when they tie, 0 below."""
    return 1.0 if b > a else 0.5 if b == a else 0.0


def _brute_above(keys: list[float], own: list[float], other: list[float]) -> tuple[list[float], ...]:
    """_above by its definition: over the other records."""
    n = len(keys)
    others = [[j for j in range(n) if j != i] for i in range(n)]
    gt = [float(sum(keys[j] > keys[i] for j in o)) for i, o in enumerate(others)]
    eq = [float(sum(keys[j] == keys[i] for j in o)) for i, o in enumerate(others)]
    own_sum = [sum(_weight(keys[i], keys[j]) * own[j] for j in o) for i, o in enumerate(others)]
    other_sum = [sum(_weight(keys[i], keys[j]) * other[j] for j in o) for i, o in enumerate(others)]
    return gt, eq, own_sum, other_sum


@pytest.mark.parametrize(("name", "xs", "ys"), SAMPLES + RANDOM, ids=IDS + [r[0] for r in RANDOM])
def test_above_counts_and_sums_the_records_above_each(name: str, xs: list[float], ys: list[float]) -> None:
    """How many others lie above each record and tie with it, and the weighted sums over them."""
    rx, ry = stats.rankdata(xs), stats.rankdata(ys)
    found = _above(np.array(xs, float), rx, ry)
    expected = _brute_above(xs, rx.tolist(), ry.tolist())
    for got, want in zip(found, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize(("name", "xs", "ys"), SAMPLES + RANDOM, ids=IDS + [r[0] for r in RANDOM])
def test_above_on_both_weights_ties_by_a_half_on_each_axis(
    name: str, xs: list[float], ys: list[float]
) -> None:
    """The sum over the others of (above on x, a half if tied) times the same on y."""
    n = len(xs)
    expected = [
        sum(_weight(xs[i], xs[j]) * _weight(ys[i], ys[j]) for j in range(n) if j != i) for i in range(n)
    ]
    np.testing.assert_allclose(_above_on_both(np.array(xs, float), np.array(ys, float)), expected, atol=1e-12)


@pytest.mark.parametrize(("name", "xs", "ys"), SAMPLES + RANDOM, ids=IDS + [r[0] for r in RANDOM])
def test_dominated_counts_records_strictly_above_on_both(name: str, xs: list[float], ys: list[float]) -> None:
    """The Fenwick count equals counting the records above on x and on y."""
    kx = np.unique(xs, return_inverse=True)[1].astype(np.int64)
    ky = np.unique(ys, return_inverse=True)[1].astype(np.int64)
    n = len(xs)
    expected = [float(sum(kx[j] > kx[i] and ky[j] > ky[i] for j in range(n))) for i in range(n)]
    assert _dominated(kx, ky, int(ky.max()) + 1).tolist() == expected


@pytest.mark.parametrize(("name", "xs", "ys"), SAMPLES + RANDOM, ids=IDS + [r[0] for r in RANDOM])
def test_within_ties_counts_the_greater_keys_of_a_group(name: str, xs: list[float], ys: list[float]) -> None:
    """Records of the same group with a greater key, for every record."""
    group = np.unique(xs, return_inverse=True)[1].astype(np.int64)
    key = np.unique(ys, return_inverse=True)[1].astype(np.int64)
    n = len(xs)
    expected = [float(sum(group[j] == group[i] and key[j] > key[i] for j in range(n))) for i in range(n)]
    assert _within_ties(group, key, int(key.max()) + 1).tolist() == expected


def test_the_helpers_accept_no_records() -> None:
    """An empty sample gives empty counts (the width falls back to 1)."""
    empty = np.array([], dtype=float)
    assert _above_on_both(empty, empty).tolist() == []
    assert _dominated(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 1).tolist() == []


def _brute_rho(xs: list[float], ys: list[float]) -> list[float | None]:
    """Spearman's rho of every subset without one record, ranked again."""
    found: list[float | None] = []
    for i in range(len(xs)):
        x, y = np.delete(np.array(xs, float), i), np.delete(np.array(ys, float), i)
        found.append(None if np.ptp(x) == 0 or np.ptp(y) == 0 else float(stats.spearmanr(x, y).statistic))
    return found


@pytest.mark.parametrize(
    ("name", "xs", "ys"),
    [s for s in SAMPLES + RANDOM if len(s[1]) >= 4],
    ids=[s[0] for s in SAMPLES + RANDOM if len(s[1]) >= 4],
)
def test_leave_one_out_rho_on_every_tie_pattern(name: str, xs: list[float], ys: list[float]) -> None:
    """The O(n log n) subsets' rho equals ranking every subset again, ties included."""
    found = _leave_one_out_rho(np.array(xs, float), np.array(ys, float))
    expected = _brute_rho(xs, ys)
    assert [v is None for v in found] == [v is None for v in expected]
    np.testing.assert_allclose(
        [v for v in found if v is not None], [v for v in expected if v is not None], atol=1e-9
    )
