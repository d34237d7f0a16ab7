"""Charts of the staff home page, drawn on the server as SVG.

Pure geometry: a ``Series`` (labelled rows of counts) becomes horizontal,
stacked bars with their numbers written beside them. The template draws it
with presentation attributes and CSS classes only (the site's
Content-Security-Policy allows no inline style and no script), and puts the
same numbers in a table next to it as the text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 230
BAR_WIDTH = 300
LABEL_CHARS = 34  # longer labels are shortened (the table has them whole)
ROW_HEIGHT = 26
BAR_HEIGHT = 18
WIDTH = LABEL_WIDTH + BAR_WIDTH + 50


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    value: int


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    text_y: int
    segments: list[Segment]
    total: int
    total_x: float
    heading: bool = False  # a group's heading row ("Seesaw"), with no bar


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def draw(rows: list[tuple[str, dict[str, int] | None]], keys: list[str]) -> Drawing:
    """Bars scaled to the largest row total; an all-zero chart draws no bars.
    A row whose values are None is a group heading, written from the left
    edge with no bar (the year groups of one service under its name)."""
    largest = max((sum(v.get(k, 0) for k in keys) for _, v in rows if v), default=0)
    scale = BAR_WIDTH / largest if largest else 0
    bars = []
    for i, (label, values) in enumerate(rows):
        y = i * ROW_HEIGHT + 4
        if values is None:
            short = label if len(label) <= 2 * LABEL_CHARS else label[: 2 * LABEL_CHARS - 1] + "…"
            bars.append(Bar(short, y, y + BAR_HEIGHT - 4, [], 0, 0, heading=True))
            continue
        x = float(LABEL_WIDTH)
        segments = []
        for key in keys:
            value = values.get(key, 0)
            width = round(value * scale, 1)
            if value:
                segments.append(Segment(key, x, width, value))
            x += width
        total = sum(values.get(k, 0) for k in keys)
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(Bar(short, y, y + BAR_HEIGHT - 4, segments, total, x + 6))
    return Drawing(WIDTH, len(rows) * ROW_HEIGHT + 8, LABEL_WIDTH - 8, bars)
