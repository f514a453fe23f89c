"""A viewer pane: a caption saying what it shows, the viewer, or why it is empty."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from respond.ui.viewer import SliceView

__all__ = ["ViewerPane"]

_CAPTION_STYLE = (
    "QLabel { background:#1d2330; color:#e8ecf3; padding:3px 6px; font-weight:600; }"
)


class ViewerPane(QWidget):
    """A caption (time point, date, series, phase) over a :class:`SliceView`.

    When the pane has nothing to show (the time point's images are not found,
    say) the view is replaced by a message and, when it helps, a "Locate…"
    button.
    """

    locate_requested = Signal()

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.caption = QLabel(f"{role}: nothing shown")
        self.caption.setObjectName(f"{role.lower()}-caption")
        self.caption.setStyleSheet(_CAPTION_STYLE)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.caption.setWordWrap(False)
        # A long caption is clipped (its tooltip has it all); it never widens
        # the pane, so two panes and the panels fit a 1366-pixel screen.
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.view = SliceView()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color:#c8ccd4; font-size:14px; padding:24px;")
        self.locate = QPushButton("Locate the images…")
        self.locate.clicked.connect(self.locate_requested)
        empty = QWidget()
        empty.setStyleSheet("background:#111417;")
        box = QVBoxLayout(empty)
        box.addStretch(1)
        box.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.locate)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(empty)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.caption)
        column.addWidget(self.stack, 1)
        self.show_message("No series shown.")

    @property
    def showing_images(self) -> bool:
        """Whether the viewer (not a message) is shown."""
        return self.stack.currentWidget() is self.view

    def set_caption(self, text: str) -> None:
        """Say what the pane shows (time point, date, series, phase)."""
        self.caption.setText(text)
        self.caption.setToolTip(text)

    def show_images(self) -> None:
        """Show the viewer."""
        self.stack.setCurrentWidget(self.view)

    def show_message(self, text: str, *, locate: bool = False) -> None:
        """Replace the viewer by a message (and a "Locate…" button)."""
        self.message.setText(text)
        self.locate.setVisible(locate)
        self.stack.setCurrentIndex(1)
