"""Text on the PDF's paint device: fonts, measuring, wrapping only at spaces.

Every length here is in device pixels of the paint device (the PDF writer at
300 dpi): :meth:`Canvas.px` converts points. Table cells are lists of
:class:`Run` (text with a weight and a colour); they are wrapped by
:func:`wrap`, which breaks lines only at spaces and at explicit line feeds,
never inside a word ("Non-target" stays whole), and drawn by :func:`draw_lines`.
Prose (paragraphs, list items) is a Qt rich-text document (:meth:`Canvas.rich`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QTextDocument, QTextOption

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QPaintDevice, QPainter

__all__ = ["FAMILY", "Canvas", "Line", "Piece", "Run", "draw_lines", "wrap"]

FAMILY = "DejaVu Sans"
_CSS = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; }
.small { font-size: 7.5pt; color: #444444; }
.pd { color: #b71c1c; font-weight: bold; }
.good { color: #1b5e20; font-weight: bold; }
"""
_SPACES = re.compile(r"(\n| +)")


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text in one style; a line feed in the text breaks the line."""

    text: str
    bold: bool = False
    colour: str = "#000000"


@dataclass(slots=True)
class Piece:
    """Text placed on a line: ``x`` from the line's left edge."""

    x: float
    text: str
    bold: bool
    colour: str


@dataclass(slots=True)
class Line:
    """One wrapped line: its pieces and its width."""

    pieces: list[Piece] = field(default_factory=list)
    width: float = 0.0


class Canvas:
    """Fonts and measures for one paint device (lengths in its pixels).

    Parameters
    ----------
    device
        The device drawn on (its resolution sets the pixel size).
    """

    def __init__(self, device: QPaintDevice) -> None:
        self.device = device
        self.unit = device.logicalDpiY() / 72.0
        self._metrics: dict[tuple[float, bool], QFontMetricsF] = {}

    def px(self, points: float) -> float:
        """Return ``points`` (1/72 inch) in device pixels."""
        return points * self.unit

    def font(self, size: float, *, bold: bool = False) -> QFont:
        """Return the report's font at ``size`` points."""
        font = QFont(FAMILY)
        font.setPointSizeF(size)
        font.setBold(bold)
        return font

    def metrics(self, size: float, *, bold: bool = False) -> QFontMetricsF:
        """Return the metrics of the report's font on this device."""
        key = (size, bold)
        if key not in self._metrics:
            self._metrics[key] = QFontMetricsF(self.font(size, bold=bold), self.device)
        return self._metrics[key]

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        """Return the advance of ``text`` in device pixels."""
        return self.metrics(size, bold=bold).horizontalAdvance(text)

    def line_height(self, size: float) -> float:
        """Return the distance between two lines of text at ``size`` points."""
        return self.metrics(size).lineSpacing()

    def rich(self, html: str, width: float) -> QTextDocument:
        """Return a rich-text document laid out ``width`` pixels wide."""
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.device)
        doc.setDefaultStyleSheet(_CSS)
        doc.setDefaultFont(self.font(9))
        doc.setDocumentMargin(0)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        doc.setDefaultTextOption(option)
        doc.setHtml(f"<html><body>{html}</body></html>")
        doc.setTextWidth(width)
        return doc


_Word = list[tuple[str, Run]]


def _words(runs: Sequence[Run]) -> list[_Word | None]:
    """Split runs into words (a word may span runs); None marks a line feed."""
    words: list[_Word | None] = []
    current: _Word = []
    for run in runs:
        for part in _SPACES.split(run.text):
            if not part:
                continue
            if part.isspace():
                if current:
                    words.append(current)
                current = []
                if "\n" in part:
                    words.append(None)
            else:
                current.append((part, run))
    if current:
        words.append(current)
    return words


def word_widths(canvas: Canvas, runs: Sequence[Run], size: float) -> list[float]:
    """Return the width of every word of ``runs`` (the narrowest a cell can be)."""
    return [
        sum(canvas.width(text, size, bold=run.bold) for text, run in word)
        for word in _words(runs)
        if word is not None
    ]


def _place(line: Line, word: _Word, canvas: Canvas, size: float, gap: float) -> None:
    """Append ``word`` to ``line`` after a space (when the line is not empty)."""
    x = line.width + (gap if line.pieces else 0.0)
    for number, (text, run) in enumerate(word):
        last = line.pieces[-1] if line.pieces else None
        same = last is not None and (last.bold, last.colour) == (run.bold, run.colour)
        if same and number == 0 and last is not None:
            last.text += " " + text  # one string per style: pdftotext keeps spaces
        elif same and last is not None:
            last.text += text
        else:
            line.pieces.append(Piece(x, text, run.bold, run.colour))
        x += canvas.width(text, size, bold=run.bold)
    line.width = x


def _cut_long(word: _Word, canvas: Canvas, size: float, width: float) -> list[_Word]:
    """Cut a word wider than ``width`` (a UID, a path) into pieces that fit."""
    pieces: list[_Word] = []
    current: _Word = []
    used = 0.0
    for text, run in word:
        for char in text:
            advance = canvas.width(char, size, bold=run.bold)
            if current and used + advance > width:
                pieces.append(current)
                current, used = [], 0.0
            if current and current[-1][1] is run:
                current[-1] = (current[-1][0] + char, run)
            else:
                current.append((char, run))
            used += advance
    return [*pieces, current] if current else pieces


def _fitted(
    runs: Sequence[Run], canvas: Canvas, size: float, width: float
) -> list[_Word | None]:
    out: list[_Word | None] = []
    for word in _words(runs):
        extent = (
            0.0
            if word is None
            else sum(canvas.width(t, size, bold=r.bold) for t, r in word)
        )
        if word is not None and extent > width:
            out += _cut_long(word, canvas, size, width)
        else:
            out.append(word)
    return out


def wrap(canvas: Canvas, runs: Sequence[Run], size: float, width: float) -> list[Line]:
    """Break ``runs`` into lines no wider than ``width``, only at spaces.

    Only a word wider than ``width`` on its own is cut (a UID in a message);
    the table layout sizes columns so that no word of a table is.
    """
    gap = canvas.width(" ", size)
    lines = [Line()]
    for word in _fitted(runs, canvas, size, width):
        if word is None:
            lines.append(Line())
            continue
        line = lines[-1]
        extent = sum(canvas.width(t, size, bold=r.bold) for t, r in word)
        if line.pieces and line.width + gap + extent > width + 0.01:
            line = Line()
            lines.append(line)
        _place(line, word, canvas, size, gap)
    return lines


def draw_lines(
    painter: QPainter,
    canvas: Canvas,
    lines: Sequence[Line],
    origin: QPointF,
    size: float,
    align_centre_width: float | None = None,
) -> None:
    """Draw wrapped lines from ``origin`` (top left), centred when a width is given."""
    step = canvas.line_height(size)
    ascent = canvas.metrics(size).ascent()
    for number, line in enumerate(lines):
        shift = 0.0
        if align_centre_width is not None:
            shift = max(0.0, (align_centre_width - line.width) / 2)
        y = origin.y() + number * step + ascent
        for piece in line.pieces:
            painter.setFont(canvas.font(size, bold=piece.bold))
            painter.setPen(QColor(piece.colour))
            painter.drawText(QPointF(origin.x() + shift + piece.x, y), piece.text)
