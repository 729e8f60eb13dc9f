"""limkb's own statistics (:mod:`limkb.analysis.statistics`) give what ``scipy.stats`` gives,
and computing an analysis does not import ``scipy.stats``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from limkb.analysis import statistics

SAMPLES = [
    ([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0]),
    ([1.0, 1.0, 2.0, 2.0, 3.0, 7.5], [9.0, 3.0, 3.0, 1.0, 0.5, 0.5]),
    ([1e-9, 2e-9, 3.5e-9, 4e-9], [1e9, 3e9, 2e9, 8e9]),
    ([5.0, 4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
    (list(np.random.default_rng(3).normal(size=200)), list(np.random.default_rng(4).normal(size=200))),
]


@pytest.mark.parametrize(("xs", "ys"), SAMPLES)
def test_coefficients_and_p_values_agree_with_scipy(xs: list[float], ys: list[float]) -> None:
    x, y = np.array(xs), np.array(ys)
    r, p = statistics.pearson(x, y)
    expected = stats.pearsonr(x, y)
    assert r == pytest.approx(float(expected.statistic), abs=1e-14)
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-300)
    rho, rho_p = statistics.spearman(x, y)
    expected = stats.spearmanr(x, y)
    assert rho == pytest.approx(float(expected.statistic), abs=1e-14)
    assert rho_p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-300)
    slope, intercept = statistics.linear_fit(x, y)
    fit = stats.linregress(x, y)
    assert slope == pytest.approx(float(fit.slope), rel=1e-12)
    assert intercept == pytest.approx(float(fit.intercept), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("values", [[3, 1, 2], [2, 2, 1, 3, 3, 3], [0.5] * 4, [7, -1, 7, 7, -1]])
def test_mid_ranks_are_scipys_average_ranks(values: list[float]) -> None:
    assert statistics.mid_ranks(values).tolist() == stats.rankdata(values).tolist()


@pytest.mark.parametrize("freedom", [1, 2, 7, 40])
def test_t_quantile_agrees_with_scipy(freedom: int) -> None:
    assert statistics.t_quantile(0.975, freedom) == pytest.approx(
        float(stats.t.ppf(0.975, freedom)), rel=1e-12
    )


def test_a_perfect_rank_agreement_has_p_zero_like_scipy() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 4.0, 9.0, 16.0])
    rho, p = statistics.spearman(x, y)
    assert rho == pytest.approx(1.0) and p == float(stats.spearmanr(x, y).pvalue) == 0.0


def test_correlating_and_plotting_do_not_import_scipy_stats() -> None:
    """``scipy.stats`` costs 0.7 s and 48 MiB to import: an analysis computed again (a dataset
    value edited) and its plot must not pay it."""
    code = (
        "import sys\n"
        "from limkb.analysis.correlations import Point, correlate\n"
        "from limkb.site.plots import _shown\n"
        "points = [Point(f'r{i}', 'd', float(i), float(i * i % 7)) for i in range(12)]\n"
        "for method in ('pearson', 'spearman'):\n"
        "    assert correlate(points, method).p is not None\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
