"""A small static SVG of an entry and its direct neighbours, the same bytes on every build.

The entry sits in the middle; its neighbours stand on a circle in a fixed order (by
relation, then id), each a link to its page, the relation written on the spoke. No random
layout, no clock, no floating-point noise beyond one decimal: two builds give equal files.
Every label is XML-escaped; ids are used only inside URLs that the caller built.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from limkb.site.kinds import KIND_COLOURS
from limkb.site.markup import plain

__all__ = ["MAX_NEIGHBOURS", "Neighbour", "neighbourhood_svg"]

MAX_NEIGHBOURS = 24
"""More neighbours than this are summarised as 'and N more' (the page lists them all)."""

_SIZE = 440
_RADIUS = 160
_NODE = 9
_MARGIN = 110
"""Room left and right of the circle for the labels of the outermost neighbours."""


@dataclass(frozen=True)
class Neighbour:
    """One neighbour as drawn: its id, label, kind, the relation read from the centre, its URL."""

    id: str
    label: str
    kind: str
    relation: str
    url: str


def _esc(text: str) -> str:
    return str(plain(text))


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def neighbourhood_svg(label: str, kind: str, neighbours: Sequence[Neighbour], *, title: str = "") -> str:
    """The SVG text of an entry (``label``, ``kind``) and its neighbours."""
    ordered = sorted(neighbours, key=lambda n: (n.relation, n.id))
    shown = ordered[:MAX_NEIGHBOURS]
    hidden = len(ordered) - len(shown)
    centre = _SIZE / 2
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="limkb-neighbourhood" '
        f'viewBox="{-_MARGIN} 0 {_SIZE + 2 * _MARGIN} {_SIZE}" width="{_SIZE + 2 * _MARGIN}" height="{_SIZE}" '
        f'role="group" aria-label="{_esc(title or label)}">',
        f"<title>{_esc(title or label)}</title>",
    ]
    points: list[tuple[float, float]] = []
    for i in range(len(shown)):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(shown), 1)
        points.append((centre + _RADIUS * math.cos(angle), centre + _RADIUS * math.sin(angle)))
    for (x, y), neighbour in zip(points, shown, strict=True):
        parts.append(
            f'<line x1="{_num(centre)}" y1="{_num(centre)}" x2="{_num(x)}" y2="{_num(y)}" '
            'stroke="#b0b0b0" stroke-width="1"/>'
        )
        mx, my = (centre + x) / 2, (centre + y) / 2
        parts.append(
            f'<text x="{_num(mx)}" y="{_num(my)}" font-size="9" fill="#757575" '
            f'text-anchor="middle">{_esc(_short(neighbour.relation, 22))}</text>'
        )
    for (x, y), neighbour in zip(points, shown, strict=True):
        colour = KIND_COLOURS.get(neighbour.kind, "#607d8b")
        anchor = "start" if x > centre + 1 else "end" if x < centre - 1 else "middle"
        dx = 12 if anchor == "start" else -12 if anchor == "end" else 0
        dy = 4 if anchor != "middle" else (-14 if y < centre else 20)
        parts.append(
            f'<a href="{_esc(neighbour.url)}"><title>{_esc(neighbour.label)} ({_esc(neighbour.kind)})</title>'
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_NODE}" fill="{colour}"/>'
            f'<text x="{_num(x + dx)}" y="{_num(y + dy)}" font-size="11" text-anchor="{anchor}" '
            f'fill="currentColor">{_esc(_short(neighbour.label))}</text></a>'
        )
    colour = KIND_COLOURS.get(kind, "#607d8b")
    parts.append(
        f'<circle cx="{_num(centre)}" cy="{_num(centre)}" r="{_NODE + 5}" fill="{colour}" '
        'stroke="#212121" stroke-width="2"/>'
    )
    parts.append(
        f'<text x="{_num(centre)}" y="{_num(centre + 30)}" font-size="12" font-weight="bold" '
        f'text-anchor="middle" fill="currentColor">{_esc(_short(label, 40))}</text>'
    )
    if hidden:
        parts.append(
            f'<text x="{_num(centre)}" y="{_SIZE - 6}" font-size="11" text-anchor="middle" '
            f'fill="#757575">and {hidden} more (listed below)</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
