"""One error reporter for the whole window: every refusal and failure goes here.

Expected problems (a :class:`~respond.errors.RespondError`: a refused edit, a
file that cannot be read, a study of another patient) are shown in the status
bar and in the message line of the reading page, in full, naming the item and
what to do. Anything else is a bug: it is logged with its traceback and shown
as such, never lost and never a crash.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from respond.errors import RespondError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QStatusBar

__all__ = ["ErrorReporter"]

_log = logging.getLogger("respond.ui")
SHOW_MS = 12000
NOTICE_MS = 20000


class ErrorReporter(QObject):
    """Shows errors; ``reported`` carries each message (tests and logs listen)."""

    reported = Signal(str)

    def __init__(self, status: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self._line: QLabel | None = None
        self._notice: QLabel | None = None
        self._hide = QTimer(self)
        self._hide.setSingleShot(True)
        self._hide.timeout.connect(self._hide_notice)
        self.last = ""
        """The last message shown."""

    def set_message_line(self, label: QLabel | None) -> None:
        """Also show messages in this label (the open patient's message line)."""
        self._line = label

    def set_notice(self, label: QLabel) -> None:
        """Also show each message, whole and wrapped, in this label for a while.

        The status bar cuts a long message at the window's width; the notice
        over the images shows all of it (it hides after ``NOTICE_MS``).
        """
        self._notice = label
        label.hide()

    def _hide_notice(self) -> None:
        if self._notice is not None:
            self._notice.hide()

    def report(self, error: BaseException | str) -> None:
        """Show an error (or a plain message) to the reader."""
        if isinstance(error, str):
            text = error
        elif isinstance(error, RespondError):
            text = str(error)
        else:
            _log.error("unexpected error", exc_info=error)
            text = (
                f"Unexpected error ({type(error).__name__}: {error}). Nothing you "
                "measured is lost (every edit is saved as it is made); please "
                "report this to the respond team."
            )
        text = text[:1].upper() + text[1:]
        self.last = text
        self._status.showMessage(text, SHOW_MS)
        if self._line is not None:
            try:
                self._line.setText(text)
            except RuntimeError:  # the patient's panels were closed meanwhile
                self._line = None
        if self._notice is not None:
            self._notice.setText(text)
            self._notice.show()
            self._hide.start(NOTICE_MS)
        self.reported.emit(text)
