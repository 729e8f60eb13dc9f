"""The graph explorer's force refinement fills its arrays in place: the positions are those of
the plain formulation (kept here as the reference), equal to the bit, for any set of links."""

from __future__ import annotations

import math

import numpy as np
import pytest

from limkb.site import layout


def _reference(positions: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The refinement written one new array per operation, with a dense adjacency matrix."""
    n = len(positions)
    adjacency = np.zeros((n, n))
    if len(edges):
        adjacency[edges[:, 0], edges[:, 1]] = 1.0
        adjacency[edges[:, 1], edges[:, 0]] = 1.0
    span = float(np.ptp(positions, axis=0).max()) or 1.0
    pos = (positions - positions.mean(axis=0)) / span
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (layout._STEPS + 1)
    for _ in range(layout._STEPS):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        distance = np.sqrt(dx * dx + dy * dy)
        np.clip(distance, 0.01, None, out=distance)
        force = k * k / (distance * distance) - adjacency * distance / k
        move_x = (dx * force).sum(axis=1) - layout._GRAVITY * x
        move_y = (dy * force).sum(axis=1) - layout._GRAVITY * y
        length = np.sqrt(move_x * move_x + move_y * move_y)
        np.clip(length, 0.01, None, out=length)
        x = x + move_x * (temperature / length)
        y = y + move_y * (temperature / length)
        temperature -= cooling
    return np.stack([x, y], axis=1)


@pytest.mark.parametrize(
    ("n", "links", "both_ways"), [(3, 0, False), (4, 3, False), (60, 150, True), (300, 900, True)]
)
def test_the_refinement_gives_the_reference_positions_to_the_bit(n: int, links: int, both_ways: bool) -> None:
    rng = np.random.default_rng(n)
    positions = rng.normal(size=(n, 2)) * 100
    drawn = rng.integers(0, n, size=(links, 2))
    pairs = {(int(a), int(b)) for a, b in drawn if a != b}
    if both_ways:  # a link stated from both ends, as two entries naming each other
        pairs |= {(b, a) for a, b in list(pairs)[: len(pairs) // 3]}
    edges = np.array(sorted(pairs), dtype=int).reshape(-1, 2)
    found = layout._refine(positions.copy(), edges)
    assert found.tobytes() == _reference(positions.copy(), edges).tobytes()


def test_a_linked_pair_ends_closer_than_an_unlinked_one() -> None:
    """The pull along a link is applied (a refinement that dropped it would still be deterministic)."""
    positions = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0], [100.0, 100.0]])
    found = layout._refine(positions, np.array([[0, 3]]))
    assert np.linalg.norm(found[0] - found[3]) < np.linalg.norm(found[1] - found[2])
