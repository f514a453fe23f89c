"""Pages: the text column, the running patient line and the page numbers.

Every page carries the patient line at the top (name and ID, or the pseudonym
of a de-identified report) and "page N of M" at the bottom, inside the
margins; the blocks flow in the column between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from respond.pdf._flow import paginate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QPdfWriter

    from respond.pdf._flow import Block
    from respond.pdf._text import Canvas
    from respond.report.document import ReportData

__all__ = ["Frame", "frame_of", "patient_line", "render"]

_HEAD_PT = 20.0  # running head: patient line and its rule
_FOOT_PT = 22.0  # running foot: rule and page number, with a gap above
_SIZE = 7.5


@dataclass(frozen=True, slots=True)
class Frame:
    """The printable area and the text column inside it (device pixels)."""

    width: float
    height: float
    top: float
    bottom: float

    @property
    def column_height(self) -> float:
        """Height left for the blocks between the running head and foot."""
        return self.bottom - self.top


def frame_of(writer: QPdfWriter, canvas: Canvas) -> Frame:
    """Return the page's printable area with room for the running head and foot."""
    area = writer.pageLayout().paintRectPixels(writer.resolution())
    return Frame(
        width=float(area.width()),
        height=float(area.height()),
        top=canvas.px(_HEAD_PT),
        bottom=float(area.height()) - canvas.px(_FOOT_PT),
    )


def patient_line(report: ReportData) -> str:
    """Return who the report is about, as every page names it."""
    patient = report.read.patient
    if report.deid is not None:
        return f"Patient {patient.id} (de-identified)"
    born = f", born {patient.birth_date.isoformat()}" if patient.birth_date else ""
    return f"Patient {patient.name or '(no name)'}, ID {patient.id}{born}"


def _text(
    painter: QPainter,
    canvas: Canvas,
    box: QRectF,
    text: str,
    align: Qt.AlignmentFlag,
) -> None:
    metrics = canvas.metrics(_SIZE)
    shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
    painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), shown)


def _decorate(
    painter: QPainter, canvas: Canvas, frame: Frame, lines: tuple[str, str], page: str
) -> None:
    """Draw the running head (patient line) and foot (report line, page N of M)."""
    painter.setFont(canvas.font(_SIZE))
    painter.setPen(QColor("#333333"))
    high = canvas.px(12)
    half = frame.width * 0.62
    head = QRectF(0, 0, half, high)
    _text(painter, canvas, head, lines[0], Qt.AlignmentFlag.AlignLeft)
    right = QRectF(half, 0, frame.width - half, high)
    _text(painter, canvas, right, "Tumour response report", Qt.AlignmentFlag.AlignRight)
    foot = QRectF(0, frame.height - high, frame.width * 0.75, high)
    _text(painter, canvas, foot, lines[1], Qt.AlignmentFlag.AlignLeft)
    number = QRectF(frame.width * 0.75, frame.height - high, frame.width * 0.25, high)
    _text(painter, canvas, number, page, Qt.AlignmentFlag.AlignRight)
    painter.setPen(QPen(QColor("#9fa8da"), canvas.px(0.6)))
    painter.drawLine(
        QPointF(0, high + canvas.px(2)), QPointF(frame.width, high + canvas.px(2))
    )
    y = frame.height - high - canvas.px(2)
    painter.drawLine(QPointF(0, y), QPointF(frame.width, y))


def render(
    writer: QPdfWriter,
    canvas: Canvas,
    frame: Frame,
    blocks: Sequence[Block],
    lines: tuple[str, str],
) -> int:
    """Paginate ``blocks`` and paint every page; return the number of pages.

    ``lines`` are the running head's patient line and the running foot's
    report line.
    """
    pages = paginate(blocks, frame.column_height)
    painter = QPainter(writer)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    try:
        for number, placed in enumerate(pages, start=1):
            if number > 1:
                writer.newPage()
            _decorate(painter, canvas, frame, lines, f"page {number} of {len(pages)}")
            for item in placed:
                item.block.draw(painter, 0.0, frame.top + item.y)
    finally:
        painter.end()
    return len(pages)
