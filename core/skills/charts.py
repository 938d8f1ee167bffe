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
    lines: tuple[str, ...]  # the label on one or two lines
    first_dy: str  # where the first line's baseline sits from label_y, in em


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
    line_height: str = ""  # between a label's lines, in em


# The labels' size in the SVG's own units on a phone, where the chart is drawn smallest (the
# stylesheet's `.radar__labels text`; wider screens draw them smaller in these units). The room
# beside the spokes is measured with it, so that the labels stay inside the drawing at any width.
LABEL_FONT = 14
CHAR_WIDTH = 0.6  # of the font size: a generous average for sans-serif letters
LINE_HEIGHT = 1.15  # em
ASCENT = 0.8  # em: from the top of a line to its baseline
LABEL_GAP = 10


def _point(centre: Point, radius: float, index: int, count: int) -> Point:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)


def _polygon(centre: Point, radius: float, levels: list[float]) -> str:
    count = len(levels)
    points = (
        _point(centre, radius * level / MAX_LEVEL, i, count) for i, level in enumerate(levels)
    )
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def label_lines(label: str) -> tuple[str, ...]:
    """A label on two lines, split at the space that makes the longer line shortest (on one
    when it has a single word)."""
    words = label.split(" ")
    if len(words) < 2:
        return (label,)
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    # A line does not start with a sign ("/ CI-CD", "& security") when it can be helped.
    return min(splits, key=lambda pair: (not pair[1][0].isalnum(), max(map(len, pair))))


@dataclass(frozen=True)
class _Label:
    across: float  # where its spoke points: -1 (left) … 1 (right)
    down: float  # -1 (up) … 1 (down)
    lines: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return "middle" if abs(self.across) < 0.05 else ("start" if self.across > 0 else "end")

    def reach(self, distance: float) -> float:
        """How far from the centre the label reaches sideways."""
        width = max(len(line) for line in self.lines) * CHAR_WIDTH * LABEL_FONT
        return distance * abs(self.across) + width / (2 if self.anchor == "middle" else 1)

    @property
    def shift(self) -> float:
        """From the label's point to the top of its lines, in lines: above a spoke that points
        straight up, below one that points down, centred on the point otherwise."""
        if self.anchor != "middle":
            return -len(self.lines) / 2
        return -len(self.lines) if self.down < 0 else 0

    def extent(self, distance: float) -> float:
        """How far from the centre the label reaches up or down."""
        top = distance * self.down + self.shift * LINE_HEIGHT * LABEL_FONT
        return max(-top, top + len(self.lines) * LINE_HEIGHT * LABEL_FONT)


def radar(rows, *, radius: int = 90) -> Radar | None:
    """Current (reviewer) levels, targets and self-ratings: one spoke a skill, 0 at the centre.
    The skill names sit beside the spokes; the drawing is as wide as its widest label needs
    (a skill name of one long word), and a name that would need more goes on two lines. The
    drawing scales to its box, and its labels stay readable on a phone."""
    count = len(rows)
    if count < 3:
        return None
    distance = radius + LABEL_GAP
    spokes = [_point((0, 0), 1, i, count) for i in range(count)]
    names = [row.skill.short_name for row in rows]
    wrapped = [_Label(x, y, label_lines(name)) for (x, y), name in zip(spokes, names, strict=True)]
    half_width = max(radius, *(label.reach(distance) for label in wrapped))
    labels = []
    for (x, y), name, short in zip(spokes, names, wrapped, strict=True):
        one_line = _Label(x, y, (name,))
        labels.append(one_line if one_line.reach(distance) <= half_width else short)
    half_width = math.ceil(half_width) + 2
    half_height = math.ceil(max(radius, *(label.extent(distance) for label in labels))) + 2
    centre = (half_width, half_height)
    axes = []
    for i, (row, label) in enumerate(zip(rows, labels, strict=True)):
        x, y = _point(centre, radius, i, count)
        label_x, label_y = _point(centre, distance, i, count)
        axes.append(
            Axis(
                label=row.skill.short_name,
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                label_x=f"{label_x:.1f}",
                label_y=f"{label_y:.1f}",
                anchor=label.anchor,
                lines=label.lines,
                first_dy=f"{label.shift * LINE_HEIGHT + ASCENT:.2f}em",
            )
        )
    return Radar(
        width=2 * half_width,
        height=2 * half_height,
        centre_x=f"{centre[0]:.1f}",
        centre_y=f"{centre[1]:.1f}",
        axes=axes,
        rings=[_polygon(centre, radius, [level] * count) for level in range(1, MAX_LEVEL + 1)],
        current=_polygon(centre, radius, [row.current or 0 for row in rows]),
        target=_polygon(centre, radius, [row.target or 0 for row in rows]),
        self_rating=_polygon(centre, radius, [row.self_level or 0 for row in rows]),
        has_self=any(row.self_level is not None for row in rows),
        line_height=f"{LINE_HEIGHT}em",
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
