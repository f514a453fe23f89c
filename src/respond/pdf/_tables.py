"""Tables as blocks: columns sized from their content, rows never split.

Every column is at least as wide as its widest word, and as wide as its
heading on one line when the table fits that way; otherwise headings wrap at
spaces only, and if even that does not fit the font gets smaller (down to
6 pt). Words are never cut. Each row (or group of rows, e.g. both criteria of
one time point) is one block, so it moves to the next page whole, where the
heading row is drawn again; a table of up to five rows stays on one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from respond.pdf._flow import Block
from respond.pdf._text import Canvas, Line, Run, draw_lines, word_widths, wrap

__all__ = ["Cell", "Table", "cell", "table_blocks"]

Cell = tuple[Run, ...]
_HEAD_FILL = "#e8eaf6"
_MIN_SIZE = 6.0
_SMALL = 6  # blocks (heading row included) of a table kept on one page


def cell(*parts: str | Run) -> Cell:
    """Return a cell from plain strings and runs."""
    return tuple(Run(p) if isinstance(p, str) else p for p in parts)


@dataclass(frozen=True, slots=True)
class Table:
    """A table to lay out.

    Parameters
    ----------
    header
        The column headings (None for a table without a heading row).
    rows
        Rows of cells; a None cell continues the cell above it (row span,
        only inside a group).
    groups
        How many rows each block holds (kept on one page); default one each.
    grid
        Draw cell borders.
    size
        Font size (points); smaller when the columns do not fit otherwise.
    stretch
        Widen the columns to the full text width.
    """

    header: Sequence[str] | None
    rows: Sequence[Sequence[Cell | None]]
    groups: Sequence[int] = field(default_factory=tuple)
    grid: bool = True
    size: float = 8.0
    stretch: bool = True


@dataclass(slots=True)
class _Measure:
    """A column's narrowest and natural widths (without padding)."""

    least: float = 0.0
    natural: float = 0.0


def _measure(
    canvas: Canvas, table: Table, size: float, head_whole: bool
) -> list[_Measure]:
    """Measure every column at ``size``; headings whole or wrapped at spaces."""
    count = len(table.header) if table.header else len(table.rows[0])
    columns = [_Measure() for _ in range(count)]
    for number, text in enumerate(table.header or ()):
        heading = (Run(text, bold=True),)
        whole = wrap(canvas, heading, size, 1e9)[0].width
        words = word_widths(canvas, heading, size)
        column = columns[number]
        column.least = max(column.least, whole if head_whole else max(words))
        column.natural = max(column.natural, whole)
    for row in table.rows:
        for number, runs in enumerate(row):
            if runs is None:
                continue
            column = columns[number]
            column.least = max([column.least, *word_widths(canvas, runs, size)])
            lines = wrap(canvas, runs, size, 1e9)
            column.natural = max([column.natural, *(li.width for li in lines)])
    return columns


def _capped(columns: list[_Measure], cap: float) -> float:
    return sum(max(c.least, min(c.natural, cap)) for c in columns)


def _widths(columns: list[_Measure], space: float, stretch: bool) -> list[float]:
    """Share ``space`` among columns: natural widths if they fit.

    Otherwise the widest columns are narrowed first, to a common cap (never
    below their widest word), so short columns keep their text on one line.
    """
    natural = sum(c.natural for c in columns)
    if natural <= space:
        extra = (space - natural) if stretch else 0.0
        return [c.natural + extra * c.natural / max(natural, 1.0) for c in columns]
    low, high = 0.0, max(c.natural for c in columns)
    for _ in range(40):  # bisect the cap: the widths then fill the space
        cap = (low + high) / 2
        low, high = (cap, high) if _capped(columns, cap) < space else (low, cap)
    return [max(c.least, min(c.natural, low)) for c in columns]


def _fit(
    canvas: Canvas, table: Table, width: float, pad: float
) -> tuple[float, list[float]]:
    """Return the font size and the column widths (padding included)."""
    size = table.size
    while True:
        for head_whole in (True, False):
            columns = _measure(canvas, table, size, head_whole)
            space = width - 2 * pad * len(columns)
            if sum(c.least for c in columns) <= space or size <= _MIN_SIZE:
                inner = _widths(columns, space, table.stretch)
                return size, [w + 2 * pad for w in inner]
        size -= 0.5


class RowGroup(Block):
    """Rows of a table kept together on one page (a None cell spans from above)."""

    def __init__(
        self,
        canvas: Canvas,
        rows: Sequence[Sequence[Cell | None]],
        widths: Sequence[float],
        *,
        size: float,
        style: _Style,
    ) -> None:
        self.canvas, self.widths, self.size, self.style = canvas, widths, size, style
        pad = style.pad
        self.cells: list[list[list[Line] | None]] = [
            [
                None if runs is None else wrap(canvas, runs, size, w - 2 * pad)
                for runs, w in zip(row, widths, strict=True)
            ]
            for row in rows
        ]
        self.heights = self._row_heights()
        self.height = sum(self.heights)

    def _span(self, row: int, column: int) -> int:
        """How many rows the cell at ``(row, column)`` covers."""
        span = 1
        while row + span < len(self.cells) and self.cells[row + span][column] is None:
            span += 1
        return span

    def _row_heights(self) -> list[float]:
        """Each row's height: its tallest cell; spanning cells stretch the last row."""
        step = self.canvas.line_height(self.size)
        one = step + 2 * self.style.pad_v
        heights = [one] * len(self.cells)
        spans = []
        for r, row in enumerate(self.cells):
            for c, lines in enumerate(row):
                if lines is None:
                    continue
                need = len(lines) * step + 2 * self.style.pad_v
                span = self._span(r, c)
                if span == 1:
                    heights[r] = max(heights[r], need)
                else:
                    spans.append((r, span, need))
        for r, span, need in spans:
            short = need - sum(heights[r : r + span])
            if short > 0:
                heights[r + span - 1] += short
        return heights

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw the cells, their borders and the heading fill."""
        tops = [y + sum(self.heights[:r]) for r in range(len(self.cells))]
        for r, row in enumerate(self.cells):
            left = x
            for c, lines in enumerate(row):
                width = self.widths[c]
                if lines is not None:
                    span = self._span(r, c)
                    box = QRectF(left, tops[r], width, sum(self.heights[r : r + span]))
                    self._cell(painter, box, lines)
                left += width

    def _cell(self, painter: QPainter, box: QRectF, lines: list[Line]) -> None:
        style = self.style
        if style.fill:
            painter.fillRect(box, QColor(style.fill))
        if style.grid:
            painter.setPen(QPen(QColor("#888888"), self.canvas.px(0.5)))
            painter.drawRect(box)
        origin = QPointF(box.left() + style.pad, box.top() + style.pad_v)
        draw_lines(painter, self.canvas, lines, origin, self.size)


@dataclass(frozen=True, slots=True)
class _Style:
    pad: float
    pad_v: float
    grid: bool
    fill: str = ""


def _groups(table: Table) -> list[Sequence[Sequence[Cell | None]]]:
    sizes = list(table.groups) or [1] * len(table.rows)
    out, start = [], 0
    for size in sizes:
        out.append(table.rows[start : start + size])
        start += size
    return out


def table_blocks(canvas: Canvas, table: Table, width: float) -> list[Block]:
    """Return the table as blocks: the heading row, then one block per row group."""
    pad = canvas.px(3)
    size, widths = _fit(canvas, table, width, pad)
    body = _Style(pad, canvas.px(1.5), table.grid)
    blocks: list[Block] = []
    head: Block | None = None
    if table.header:
        row = [cell(Run(t, bold=True)) for t in table.header]
        head = RowGroup(
            canvas,
            [row],
            widths,
            size=size,
            style=_Style(pad, canvas.px(1.5), True, _HEAD_FILL),
        )
        head.keep_with_next = True
        head.space_before = canvas.px(3)
        blocks.append(head)
    for rows in _groups(table):
        group = RowGroup(canvas, rows, widths, size=size, style=body)
        group.header = head
        blocks.append(group)
    if head is None and blocks:
        blocks[0].space_before = canvas.px(3)
    if len(blocks) <= _SMALL:  # a small table is not split at all
        for block in blocks[:-1]:
            block.keep_with_next = True
    return blocks
