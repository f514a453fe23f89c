"""Building blocks of the report's sections: headings, paragraphs, lists, tables.

A :class:`Composer` knows the device and the text width and turns content into
blocks; the section modules only say what goes in them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from respond.pdf._flow import BulletBlock, TextBlock
from respond.pdf._tables import Table, table_blocks
from respond.pdf._text import Run

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.pdf._flow import Block
    from respond.pdf._text import Canvas

__all__ = ["CRITERIA", "Composer", "Doc", "category", "esc", "pct"]

Doc = Mapping[str, object]
CRITERIA = (("RECIST1.1", "RECIST 1.1"), ("mRECIST", "mRECIST"))
_PD, _GOOD = "#b71c1c", "#1b5e20"
_MARGINS = "margin-top: 0; margin-bottom: 0;"


def esc(value: object) -> str:
    """Return ``value`` as HTML-escaped text ('' for None)."""
    return html.escape("" if value is None else str(value))


def category(value: object) -> Run:
    """Return a response category as a run: PD red, CR and PR green, bold."""
    if value is None:
        return Run("-")
    text = str(value)
    if text == "PD":
        return Run(text, bold=True, colour=_PD)
    if text in ("CR", "PR"):
        return Run(text, bold=True, colour=_GOOD)
    return Run(text)


def pct(value: object) -> str:
    """Return a per cent change as the report prints it (``-38.7 %``)."""
    if value is None:
        return "-"
    number = float(str(value))
    return f"{number:+.1f} %" if number else "0.0 %"


class Composer:
    """Make blocks ``width`` device pixels wide on ``canvas``."""

    def __init__(self, canvas: Canvas, width: float) -> None:
        self.canvas = canvas
        self.width = width

    def title(self, text: str) -> Block:
        """Return the report's title."""
        style = f"{_MARGINS} font-size: 14pt; font-weight: bold;"
        doc = self.canvas.rich(f"<p style='{style}'>{esc(text)}</p>", self.width)
        return TextBlock(doc, keep_with_next=True)

    def heading(self, text: str, *, level: int = 2) -> Block:
        """Return a section (level 2) or sub-section (level 3) heading."""
        size, colour, space = (12, "#1a237e", 12) if level == 2 else (10, "#000000", 6)
        doc = self.canvas.rich(
            f"<p style='{_MARGINS} font-size: {size}pt; font-weight: bold; "
            f"color: {colour};'>{esc(text)}</p>",
            self.width,
        )
        return TextBlock(doc, space_before=self.canvas.px(space), keep_with_next=True)

    def paragraph(self, markup: str, *, small: bool = False) -> Block:
        """Return a paragraph of rich text (``markup`` is already escaped HTML)."""
        kind = " class='small'" if small else ""
        doc = self.canvas.rich(f"<p style='{_MARGINS}'{kind}>{markup}</p>", self.width)
        return TextBlock(doc, space_before=self.canvas.px(3))

    def bullets(self, items: Sequence[str]) -> list[Block]:
        """Return one block per list item (``items`` are escaped HTML)."""
        indent = self.canvas.px(18)
        return [
            BulletBlock(
                self.canvas, self.canvas.rich(item, self.width - indent), indent
            )
            for item in items
        ]

    def table(self, table: Table) -> list[Block]:
        """Return a table's blocks (heading row, then rows)."""
        return table_blocks(self.canvas, table, self.width)
