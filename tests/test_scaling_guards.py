"""Small pull requests must not exhaust CI: the algorithms behind validation and the build are linear.

Times are measured in ``benchmarks/dos.py``; here the algorithms are checked for what they
compute and for how much work they do, which a timing on a noisy machine cannot show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from limkb.analysis.correlations import _leave_one_out_r, correlate
from limkb.check.rules import _subtype_cycles
from limkb.schema.fields import MAX_BRACKETS, MAX_NESTING, _bounded_markup
from limkb.site.plots import MAX_LABELS, _labelled, _overlap, _Placed


class _Counting(dict[str, Any]):
    """A dict that counts lookups, to show how much work a walk does."""

    lookups = 0

    def __getitem__(self, key: str) -> Any:
        type(self).lookups += 1
        return super().__getitem__(key)


@pytest.mark.parametrize("n", [1_000, 10_000])
def test_subtype_walk_is_linear_on_a_long_chain_and_a_long_cycle(n: int) -> None:
    chain = _Counting({f"s{i}": (f"s{i + 1}" if i + 1 < n else None) for i in range(n)})
    _Counting.lookups = 0
    assert _subtype_cycles(chain) == []
    assert _Counting.lookups <= 2 * n, "each strategy's parent is looked up about once"

    cycle = _Counting({f"s{i}": f"s{(i + 1) % n}" for i in range(n)})
    _Counting.lookups = 0
    (found,) = _subtype_cycles(cycle)
    assert found[0] == "s0" and len(found) == n and found[1] == "s1"
    assert _Counting.lookups <= 2 * n


def test_subtype_cycles_are_each_found_once_from_their_first_member() -> None:
    parent = {"a": "b", "b": "c", "c": "b", "d": "a", "e": "e", "f": None, "g": "x-unknown"}
    assert _subtype_cycles(parent) == [["b", "c"], ["e"]]


def test_leave_one_out_from_running_sums_matches_the_definition() -> None:
    rng = np.random.default_rng(7)
    for n in (4, 5, 11, 200):
        xs = rng.normal(size=n) * 50 + 1e4
        ys = -0.4 * xs + rng.normal(size=n) * 30
        fast = _leave_one_out_r(xs, ys)
        slow = [float(np.corrcoef(np.delete(xs, i), np.delete(ys, i))[0, 1]) for i in range(n)]
        assert fast == pytest.approx(slow, abs=1e-9)


def test_leave_one_out_is_undefined_where_the_rest_is_constant() -> None:
    xs, ys = np.array([1.0, 1.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0, 4.0])
    values = _leave_one_out_r(xs, ys)
    assert values[3] is None and all(v is not None for v in values[:3])


@dataclass(frozen=True)
class _Point:
    label: str
    x: float
    y: float


def test_correlate_of_100000_records_uses_the_linear_leave_one_out(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"corrcoef": 0}
    original = np.corrcoef

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls["corrcoef"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(np, "corrcoef", counting)
    rng = random.Random(3)
    points = [_Point(f"r{i}", float(i), 2.0 * i + rng.gauss(0, 500)) for i in range(100_000)]
    result = correlate(points)  # type: ignore[arg-type]
    assert result.loo is not None and result.n == 100_000
    assert calls["corrcoef"] <= 1, "no correlation per left-out record"


def test_grid_of_placed_labels_finds_exactly_the_overlaps_a_full_scan_finds() -> None:
    rng = random.Random(11)
    placed, every = _Placed(), []
    for _ in range(2_000):
        x, y = rng.uniform(-50, 600), rng.uniform(-50, 400)
        rect = (x, y, x + rng.uniform(1, 300), y + rng.uniform(1, 20))
        assert placed.overlaps(rect) == any(_overlap(rect, other) for other in every)
        if rng.random() < 0.5:
            placed.add(rect)
            every.append(rect)


@dataclass(frozen=True)
class _Result:
    points: tuple[_Point, ...]
    slope: float | None
    intercept: float | None


def test_only_the_most_unusual_points_are_labelled_on_big_plots() -> None:
    few = _Result(tuple(_Point(f"p{i}", i, i) for i in range(MAX_LABELS)), 1.0, 0.0)
    assert len(_labelled(few)) == MAX_LABELS  # type: ignore[arg-type]
    many = [_Point(f"p{i}", float(i % 100), float(i % 100)) for i in range(4_000)]
    outlier = _Point("outlier", 50.0, 400.0)
    chosen = _labelled(_Result((*many, outlier), 1.0, 0.0))  # type: ignore[arg-type]
    assert (
        chosen[0] == outlier and len(chosen) <= MAX_LABELS // 2 + 1
    )  # the outlying, and the most influential


@pytest.mark.parametrize(
    "text",
    ["[" * 20_000, "![" * 10_000, "[a](" * 5_000, "(" * (MAX_NESTING + 1), "[]" * (MAX_BRACKETS + 1)],
    ids=["open-brackets", "image-openers", "unclosed-links", "deep-parentheses", "many-brackets"],
)
def test_bracket_soup_is_refused_before_it_reaches_markdown(text: str) -> None:
    from pydantic_core import PydanticCustomError

    with pytest.raises(PydanticCustomError) as caught:
        _bounded_markup(text)
    assert caught.value.type == "too-much-markup"


def test_ordinary_markdown_passes_the_bracket_bound() -> None:
    text = "See [Chen et al.](https://doi.org/10.1/x) (ref. 46, Fig. 2(b)) and [the review][1]. " * 50
    assert _bounded_markup(text) == text
