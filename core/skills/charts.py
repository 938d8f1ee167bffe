"""Chart geometry computed on the server, drawn as inline SVG by the templates (no JS, no CDN).

Every chart has a table beside it with the same numbers: the SVG is for the eyes, the table is
the content. Coordinates are formatted here, so that no locale setting can ever put a decimal
comma into an SVG attribute.
"""

import math
from dataclasses import dataclass

MAX_LEVEL = 4
Point = tuple[float, float]


@dataclass(frozen=True)
class Axis:
    label: str
    x: str  # end of the spoke
    y: str
    label_x: str
    label_y: str
    anchor: str  # text-anchor: start, middle or end


@dataclass(frozen=True)
class Radar:
    width: int
    height: int
    centre_x: str
    centre_y: str
    axes: list[Axis]
    rings: list[str]  # polygons for levels 1..4
    current: str
    target: str
    self_rating: str
    has_self: bool


def _point(centre: Point, radius: float, index: int, count: int) -> Point:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)


def _polygon(centre: Point, radius: float, levels: list[float]) -> str:
    count = len(levels)
    points = (
        _point(centre, radius * level / MAX_LEVEL, i, count) for i, level in enumerate(levels)
    )
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar(rows, *, radius: int = 170) -> Radar | None:
    """Current (reviewer) levels, targets and self-ratings: one spoke a skill, 0 at the centre.
    Wider than tall: skill names sit beside the spokes on the left and right, and take one
    line above and below."""
    count = len(rows)
    if count < 3:
        return None
    width, height = 2 * radius + 260, 2 * radius + 56
    centre = (width / 2, height / 2)
    axes = []
    for i, row in enumerate(rows):
        x, y = _point(centre, radius, i, count)
        label_x, label_y = _point(centre, radius + 10, i, count)
        offset = label_x - centre[0]
        anchor = "middle" if abs(offset) < 10 else ("start" if offset > 0 else "end")
        label_y += 4 + (8 if label_y > centre[1] + radius * 0.9 else 0)
        axes.append(
            Axis(
                label=row.skill.short_name,
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                label_x=f"{label_x:.1f}",
                label_y=f"{label_y:.1f}",
                anchor=anchor,
            )
        )
    return Radar(
        width=width,
        height=height,
        centre_x=f"{centre[0]:.1f}",
        centre_y=f"{centre[1]:.1f}",
        axes=axes,
        rings=[_polygon(centre, radius, [level] * count) for level in range(1, MAX_LEVEL + 1)],
        current=_polygon(centre, radius, [row.current or 0 for row in rows]),
        target=_polygon(centre, radius, [row.target or 0 for row in rows]),
        self_rating=_polygon(centre, radius, [row.self_level or 0 for row in rows]),
        has_self=any(row.self_level is not None for row in rows),
    )


def sparkline(levels: list[int], *, width: int = 60, height: int = 18) -> str:
    """Points of a small line of reviewer levels over time ('' with fewer than two)."""
    if len(levels) < 2:
        return ""
    step = width / (len(levels) - 1)
    usable = height - 4
    return " ".join(
        f"{i * step:.1f},{2 + usable - usable * level / MAX_LEVEL:.1f}"
        for i, level in enumerate(levels)
    )
