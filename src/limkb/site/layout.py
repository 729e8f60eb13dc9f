"""Where the graph explorer draws each entry: positions computed at build time.

The browser then only places the nodes (Cytoscape's ``preset`` layout) instead of running a
force simulation on every visit. Entries start on rings by kind (the explorer's legend order),
and a Fruchterman–Reingold refinement, vectorised with numpy, pulls linked entries together.
Positions are rounded to whole pixels of a fixed box, and the computation uses a fixed start,
no random numbers and a fixed number of steps, so a build gives the same positions every time.
Entries with no relation stand in a row under the drawing. Above :data:`REFINE_LIMIT` entries the refinement (quadratic in memory and time) is skipped and
the rings stand as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from limkb._lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")  # imported when first used: a rebuild reuses the kept layout

__all__ = ["REFINE_LIMIT", "layout"]

REFINE_LIMIT = 2500
"""Largest graph refined by forces; larger ones keep the rings by kind."""

_STEPS = 150
_BOX = 1000.0
_SPACING = 110.0
"""Pixels of box side per square root of the node count."""
_GRAVITY = 0.6
"""Pull towards the centre, so that entries with few links stay near the rest."""


def _rings(ids: Sequence[str], kinds: Sequence[str], order: Sequence[str]) -> np.ndarray:
    """Start positions: one ring per kind, the first kind of ``order`` in the middle."""
    rank = {kind: i for i, kind in enumerate(order)}
    by_kind: dict[int, list[int]] = {}
    for index, kind in enumerate(kinds):
        by_kind.setdefault(rank.get(kind, len(order)), []).append(index)
    positions = np.zeros((len(ids), 2))
    radius = 0.0
    for ring, members in sorted(by_kind.items()):
        radius += max(40.0, 12.0 * len(members) / (2 * math.pi)) if ring else 0.0
        for k, index in enumerate(sorted(members, key=lambda i: ids[i])):
            angle = 2 * math.pi * k / len(members) + 0.37 * ring
            r = radius if radius else 20.0 * math.sqrt(k)
            positions[index] = (r * math.cos(angle), r * math.sin(angle))
    return positions


def _refine(positions: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Fruchterman-Reingold steps from ``positions``, pulling the ``edges``' ends together.

    Four n-by-n arrays are filled in place at each step (the offsets on each axis, the
    distances, the forces) rather than a new array made for every operation; a link's pull is
    subtracted at the link's own cells only. The arithmetic is the same, operation by
    operation, so the positions are equal to the bit; the peak memory is about half."""
    n = len(positions)
    linked = np.unique(np.concatenate([edges[:, 0] * n + edges[:, 1], edges[:, 1] * n + edges[:, 0]]))
    span = float(np.ptp(positions, axis=0).max()) or 1.0
    pos = (positions - positions.mean(axis=0)) / span
    x, y = pos[:, 0].copy(), pos[:, 1].copy()  # one n-by-n array per axis: no reduction over an axis of 2
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (_STEPS + 1)
    dx, dy, distance, force = (np.empty((n, n)) for _ in range(4))
    for _ in range(_STEPS):
        np.subtract(x[:, None], x[None, :], out=dx)
        np.subtract(y[:, None], y[None, :], out=dy)
        np.multiply(dx, dx, out=distance)
        np.multiply(dy, dy, out=force)
        np.add(distance, force, out=distance)
        np.sqrt(distance, out=distance)
        np.clip(distance, 0.01, None, out=distance)
        np.multiply(distance, distance, out=force)
        np.divide(k * k, force, out=force)  # repulsion between every pair
        flat = force.reshape(-1)
        flat[linked] -= distance.reshape(-1)[linked] / k  # attraction along each link
        move_x = np.multiply(dx, force, out=dx).sum(axis=1) - _GRAVITY * x
        move_y = np.multiply(dy, force, out=dy).sum(axis=1) - _GRAVITY * y
        length = np.sqrt(move_x * move_x + move_y * move_y)
        np.clip(length, 0.01, None, out=length)
        x = x + move_x * (temperature / length)
        y = y + move_y * (temperature / length)
        temperature -= cooling
    pos = np.stack([x, y], axis=1)
    refined: np.ndarray = np.asarray(pos, dtype=float)
    return refined


def layout(
    ids: Sequence[str], kinds: Sequence[str], edges: Iterable[tuple[str, str]], order: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Whole-pixel positions of the nodes ``ids`` of kinds ``kinds``, in a box 1000 px wide or
    :data:`_SPACING` px per square root of the node count, whichever is larger."""
    if not ids:
        return {}
    index = {node: i for i, node in enumerate(ids)}
    pairs = sorted({(index[a], index[b]) for a, b in edges if a in index and b in index and a != b})
    positions = _rings(ids, kinds, order)
    if 2 < len(ids) <= REFINE_LIMIT:
        positions = _refine(positions, np.array(pairs, dtype=int).reshape(-1, 2))
        linked = {i for pair in pairs for i in pair}
        alone = [i for i in range(len(ids)) if i not in linked]
        if alone and linked:
            # entries with no relation yet: a row under the drawing, not a scatter around it
            rows = positions[sorted(linked)]
            low, high = rows.min(axis=0), rows.max(axis=0)
            step = (high[0] - low[0]) / max(len(alone), 12)
            for k, i in enumerate(sorted(alone, key=lambda i: (kinds[i], ids[i]))):
                per_row = max(int((high[0] - low[0]) / step), 1)
                positions[i] = (low[0] + step * (k % per_row), high[1] + step * (2 + k // per_row))
    low = positions.min(axis=0)
    span = float(np.ptp(positions, axis=0).max()) or 1.0
    box = max(_BOX, _SPACING * math.sqrt(len(ids)))  # room for every node's disc and label
    scaled = np.rint((positions - low) * (box / span))
    return {node: (int(scaled[i, 0]), int(scaled[i, 1])) for node, i in index.items()}
