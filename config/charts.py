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


# --- A grid: one row per group, one column per item, a share in each cell ------

GRID_LABEL_WIDTH = 230
GRID_CELL_WIDTH = 50
GRID_HEADER = 22
#: Share answered -> CSS class; each colour light enough for dark text.
GRID_BUCKETS = ((95, "full"), (80, "high"), (50, "mid"), (0, "low"))


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    text_x: int
    text_y: int
    share: int | None  # percent answered; None: this column is not asked
    bucket: str
    title: str


@dataclass(frozen=True)
class GridRow:
    label: str
    text_y: int
    cells: list[Cell]


@dataclass(frozen=True)
class Grid:
    width: int
    height: int
    label_width: int
    columns: list[tuple[str, int]]  # (heading, text x)
    header_y: int
    rows: list[GridRow]
    cell_width: int = GRID_CELL_WIDTH - 4
    cell_height: int = BAR_HEIGHT


def grid(
    rows: list[tuple[str, dict[str, int] | None]], column_order: list[tuple[str, str]]
) -> Grid:
    """Series rows grouped under headings (a service, then its year groups
    with yes / no / missing) as one grid row per heading and one column per
    year group: the share of those asked who have answered (yes or no).
    ``column_order``: (row label, short heading) in the order to draw."""
    groups: list[tuple[str, dict[str, dict[str, int]]]] = []
    for label, values in rows:
        if values is None:
            groups.append((label, {}))
        elif groups:
            groups[-1][1][label] = values
    used = {c for _g, cells in groups for c in cells}
    columns = [c for c, _short in column_order if c in used]
    short = dict(column_order)
    drawn = []
    for i, (label, cells) in enumerate(groups):
        y = GRID_HEADER + i * ROW_HEIGHT + 4
        row_cells = []
        for j, column in enumerate(columns):
            x = GRID_LABEL_WIDTH + j * GRID_CELL_WIDTH
            values = cells.get(column)
            asked = sum(values.values()) if values else 0
            if not asked:
                row_cells.append(Cell(x, y, x + 23, y + 13, None, "none", f"{column}: –"))
                continue
            answered = values.get("yes", 0) + values.get("no", 0)  # type: ignore[union-attr]
            share = round(100 * answered / asked)
            bucket = next(name for floor, name in GRID_BUCKETS if share >= floor)
            title = f"{label}, {column}: {answered} of {asked} ({share}%)"
            row_cells.append(Cell(x, y, x + 23, y + 13, share, bucket, title))
        name = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        drawn.append(GridRow(name, y + 13, row_cells))
    heads = [(short[c], GRID_LABEL_WIDTH + j * GRID_CELL_WIDTH + 23) for j, c in enumerate(columns)]
    width = GRID_LABEL_WIDTH + max(len(columns), 1) * GRID_CELL_WIDTH + 4
    height = GRID_HEADER + len(groups) * ROW_HEIGHT + 8
    return Grid(width, height, GRID_LABEL_WIDTH - 8, heads, GRID_HEADER - 8, drawn)
