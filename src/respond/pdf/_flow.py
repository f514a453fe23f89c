"""Blocks that flow down the pages, and the pagination that places them.

A block has a fixed height (laid out once for the text width) and draws itself
at a given top-left corner. Blocks are never split: a table is a heading row
and one block per row (or group of rows), so a row never breaks across pages
and the heading row is drawn again at the top of a page a table continues on.
A block that must stay with the next one (a heading, a table's heading row)
moves to the next page with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument

from respond.pdf._text import Canvas, Run, draw_lines, wrap

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Block",
    "BulletBlock",
    "ImageCell",
    "ImageRow",
    "Placed",
    "TextBlock",
    "paginate",
]


class Block:
    """Something drawn in the text column: a paragraph, a table row, a picture row.

    Attributes
    ----------
    height
        Its height in device pixels.
    space_before
        Space above it, dropped at the top of a page.
    keep_with_next
        Move it to the next page rather than leave it last on a page.
    header
        A block drawn above this one when it starts a page (a table's heading).
    """

    height: float = 0.0
    space_before: float = 0.0
    keep_with_next: bool = False
    header: Block | None = None

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw the block with its top-left corner at ``(x, y)``."""
        raise NotImplementedError


class TextBlock(Block):
    """Rich text (a heading, a paragraph, a list item) laid out once."""

    def __init__(
        self,
        document: QTextDocument,
        *,
        space_before: float = 0.0,
        keep_with_next: bool = False,
        indent: float = 0.0,
    ) -> None:
        self.document = document
        self.height = document.size().height()
        self.space_before = space_before
        self.keep_with_next = keep_with_next
        self.indent = indent

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw the document."""
        painter.save()
        painter.translate(x + self.indent, y)
        self.document.drawContents(painter)
        painter.restore()


class BulletBlock(TextBlock):
    """A list item: a bullet, then the rich text indented after it."""

    def __init__(self, canvas: Canvas, document: QTextDocument, indent: float) -> None:
        super().__init__(document, space_before=canvas.px(1.5), indent=indent)
        self.canvas = canvas

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw the bullet, then the text."""
        painter.setFont(self.canvas.font(9))
        painter.setPen(QColor("black"))
        ascent = self.canvas.metrics(9).ascent()
        painter.drawText(
            QPointF(x + self.indent - self.canvas.px(9), y + ascent), "\u2022"
        )
        super().draw(painter, x, y)


@dataclass(frozen=True, slots=True)
class ImageCell:
    """A picture with a caption under it (runs, centred)."""

    image: QImage
    caption: tuple[Run, ...] = ()


class ImageRow(Block):
    """Pictures side by side, each scaled to one column's width, captions below."""

    def __init__(
        self,
        canvas: Canvas,
        cells: Sequence[ImageCell],
        *,
        columns: int,
        width: float,
        caption_size: float = 7.5,
    ) -> None:
        self.canvas = canvas
        self.gap = canvas.px(6)
        self.column = (width - self.gap * (columns - 1)) / columns
        self.size = caption_size
        self.cells = [
            (cell, wrap(canvas, cell.caption, caption_size, self.column))
            for cell in cells
        ]
        self.picture_height = max(
            self.column * c.image.height() / max(c.image.width(), 1) for c in cells
        )
        lines = max(len(lines) for _, lines in self.cells)
        self.height = (
            self.picture_height
            + canvas.px(3)
            + lines * canvas.line_height(caption_size)
        )
        self.space_before = canvas.px(4)

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw every picture and its caption."""
        for number, (cell, lines) in enumerate(self.cells):
            left = x + number * (self.column + self.gap)
            tall = self.column * cell.image.height() / max(cell.image.width(), 1)
            painter.drawImage(QRectF(left, y, self.column, tall), cell.image)
            draw_lines(
                painter,
                self.canvas,
                lines,
                QPointF(left, y + self.picture_height + self.canvas.px(3)),
                self.size,
                align_centre_width=self.column,
            )


class RuleBlock(Block):
    """Lines to write on (a signature block): a label, then a line to its right."""

    def __init__(self, canvas: Canvas, label: str, value: str, *, width: float) -> None:
        self.canvas = canvas
        self.label = label
        self.value = value
        self.width = width
        self.height = canvas.px(22)
        self.space_before = canvas.px(2)

    def draw(self, painter: QPainter, x: float, y: float) -> None:
        """Draw the label, the value if any, and the line to write on."""
        canvas = self.canvas
        base = y + self.height - canvas.px(5)
        painter.setFont(canvas.font(9, bold=True))
        painter.setPen(QColor("black"))
        painter.drawText(QPointF(x, base), self.label)
        start = x + canvas.px(110)
        painter.setFont(canvas.font(9))
        if self.value:
            room = self.width - canvas.px(114)
            shown = canvas.metrics(9).elidedText(
                self.value, Qt.TextElideMode.ElideRight, room
            )
            painter.drawText(QPointF(start + canvas.px(4), base), shown)
        painter.setPen(QColor("#555555"))
        painter.drawLine(
            QPointF(start, base + canvas.px(2)),
            QPointF(x + self.width, base + canvas.px(2)),
        )


@dataclass(frozen=True, slots=True)
class Placed:
    """A block placed on a page, ``y`` from the top of the text column."""

    block: Block
    y: float


def _chain(blocks: Sequence[Block], start: int, limit: float) -> float:
    """Height of ``blocks[start]`` and the blocks it must stay with."""
    total = 0.0
    for number in range(start, len(blocks)):
        block = blocks[number]
        total += block.height + (block.space_before if number > start else 0.0)
        if not block.keep_with_next or total > limit:
            break
    return min(total, limit)


def paginate(blocks: Sequence[Block], height: float) -> list[list[Placed]]:
    """Place blocks on pages of ``height`` pixels; return each page's blocks.

    Blocks flow on from page to page; a block that does not fit (with the
    blocks it must stay with) starts the next page, and a table row starting
    a page gets its table's heading row above it.
    """
    pages: list[list[Placed]] = [[]]
    y = 0.0
    for number, block in enumerate(blocks):
        space = block.space_before if y > 0 else 0.0
        if y > 0 and y + space + _chain(blocks, number, height) > height:
            pages.append([])
            y, space = 0.0, 0.0
        head = block.header
        if (
            y == 0
            and head is not None
            and number > 0
            and blocks[number - 1] is not head
        ):
            pages[-1].append(Placed(head, 0.0))
            y = head.height
        pages[-1].append(Placed(block, y + space))
        y += space + block.height
    return pages
