"""How a navigator cell is painted: the thumbnail (or why none), values below.

Dark, as a reading room wants it: grey cells on a near-black table, light
text, the current time point's column in a blue-grey, the focused cell framed
in light blue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from respond.ui._navigator_model import CURRENT_ROLE, REASON_ROLE
from respond.ui._navigator_thumbnail import THUMBNAIL_PX

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

__all__ = [
    "CELL_COLOUR",
    "CURRENT_COLOUR",
    "FOCUS_COLOUR",
    "TABLE_COLOUR",
    "TEXT_COLOUR",
    "CellDelegate",
    "cell_size",
]

TABLE_COLOUR: Final = "#111417"
CELL_COLOUR: Final = "#22262c"
CURRENT_COLOUR: Final = "#1d2f45"
EMPTY_COLOUR: Final = "#0b0d10"
TEXT_COLOUR: Final = "#e8ecf3"
DIM_COLOUR: Final = "#9aa3b0"
FOCUS_COLOUR: Final = "#4fc3f7"
_PAD: Final = 6
_TEXT_LINES: Final = 3
_LINE_PX: Final = 15


def cell_size() -> QSize:
    """Return the size of every cell: the thumbnail, three lines of text, margins."""
    return QSize(
        THUMBNAIL_PX + 4 * _PAD, THUMBNAIL_PX + 3 * _PAD + _TEXT_LINES * _LINE_PX
    )


class CellDelegate(QStyledItemDelegate):
    """Paints the NavigatorTableModel's cells."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Qt override: every cell has the same size."""
        return cell_size()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Qt override: background, thumbnail or reason, values, focus frame."""
        rect: QRect = option.rect
        state = option.state
        painter.save()
        try:
            current = bool(index.data(CURRENT_ROLE))
            painter.fillRect(rect, QColor(CURRENT_COLOUR if current else CELL_COLOUR))
            thumb = QRect(
                rect.left() + (rect.width() - THUMBNAIL_PX) // 2,
                rect.top() + _PAD,
                THUMBNAIL_PX,
                THUMBNAIL_PX,
            )
            self._paint_picture(painter, thumb, index)
            text_rect = QRect(
                rect.left() + _PAD,
                thumb.bottom() + _PAD,
                rect.width() - 2 * _PAD,
                rect.bottom() - thumb.bottom() - _PAD,
            )
            painter.setPen(QColor(TEXT_COLOUR))
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignHCenter
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWordWrap,
                str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            )
            if state & (
                QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_Selected
            ):
                painter.setPen(QPen(QColor(FOCUS_COLOUR), 2))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
        finally:
            painter.restore()

    def _paint_picture(
        self,
        painter: QPainter,
        thumb: QRect,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            painter.drawPixmap(thumb, pixmap)
            return
        painter.fillRect(thumb, QColor(EMPTY_COLOUR))
        painter.setPen(QColor(DIM_COLOUR))
        painter.drawText(
            thumb.adjusted(_PAD, _PAD, -_PAD, -_PAD),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            str(index.data(REASON_ROLE) or ""),
        )
