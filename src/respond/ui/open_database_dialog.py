"""When the app's database cannot be opened: say why, and let the reader choose.

A damaged, empty, newer, locked or foreign file (or a folder) given as the
database never ends the app with a crash. :func:`open_or_ask` opens it; when
that fails, :class:`OpenDatabaseDialog` shows the message (which names the file
and what to do) and offers: open another database, create a new one, try again
(a database another respond holds), or quit. It asks again until a database
opens or the reader quits.

The questions go through :class:`DatabasePrompts`, which tests replace with
scripted answers.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DatabaseChoice",
    "DatabasePrompts",
    "OpenDatabaseDialog",
    "open_or_ask",
]

S = TypeVar("S")

_PATTERN = "respond databases (*.sqlite3 *.sqlite *.db);;All files (*)"


class DatabaseChoice(enum.Enum):
    """What the reader chose in :class:`OpenDatabaseDialog`."""

    OPEN_OTHER = "open another"
    CREATE_NEW = "create new"
    RETRY = "try again"
    QUIT = "quit"


class OpenDatabaseDialog(QDialog):
    """Why the database could not be opened, and what to do instead.

    Parameters
    ----------
    path
        The database that could not be opened.
    message
        Why (the error's message: it names the file and what to do).
    parent
        The parent widget.
    """

    def __init__(self, path: Path, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("respond: the database cannot be opened")
        self.choice = DatabaseChoice.QUIT
        heading = QLabel(f"respond cannot open the database\n{path}")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.message = QLabel(message)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.buttons: dict[DatabaseChoice, QPushButton] = {}
        row = QHBoxLayout()
        for choice, text in (
            (DatabaseChoice.OPEN_OTHER, "Open another database…"),
            (DatabaseChoice.CREATE_NEW, "Create a new database…"),
            (DatabaseChoice.RETRY, "Try again"),
            (DatabaseChoice.QUIT, "Quit"),
        ):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            row.addWidget(button)
            self.buttons[choice] = button
        self.buttons[DatabaseChoice.OPEN_OTHER].setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.setMinimumWidth(560)

    def _choose(self, choice: DatabaseChoice) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        """Quit: closing the dialog (Escape) chooses to quit."""
        self.choice = DatabaseChoice.QUIT
        super().reject()


class DatabasePrompts:
    """The questions :func:`open_or_ask` asks (tests replace them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def choose(self, path: Path, message: str) -> DatabaseChoice:
        """Show why ``path`` cannot be opened; return what the reader chose."""
        dialog = OpenDatabaseDialog(path, message, self.parent)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()

    def existing(self, folder: Path) -> Path | None:
        """Ask for an existing database file (None when cancelled)."""
        chosen, _ = QFileDialog.getOpenFileName(
            self.parent, "Open a respond database", str(folder), _PATTERN
        )
        return Path(chosen) if chosen else None

    def new(self, folder: Path) -> Path | None:
        """Ask where to create a new database (None when cancelled)."""
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Create a new respond database",
            str(folder / "respond.sqlite3"),
            _PATTERN,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(chosen) if chosen else None


def _taken(path: Path) -> str:
    """Why a new database cannot be created at ``path`` ("" when it can)."""
    if not path.exists():
        return ""
    if path.is_file() and path.stat().st_size == 0:
        return ""  # an empty file: taken over when the reader creates it here
    return (
        f"{path} already exists, so no new database was created there; choose "
        "another name for a new database, or open it with 'Open another database'."
    )


def open_or_ask(
    path: Path,
    opener: Callable[[Path, bool], S],
    prompts: DatabasePrompts | None = None,
) -> S | None:
    """Open the database at ``path``; when that fails, ask what to do instead.

    Parameters
    ----------
    path
        The database to open.
    opener
        Opens a database: ``opener(path, init)``, where ``init`` takes an
        existing empty file as a new database (when the reader creates one
        there). It raises an error whose message says what is wrong.
    prompts
        The questions (default: dialogs).

    Returns
    -------
    S or None
        What ``opener`` returned, or None when the reader chose to quit.
    """
    prompts = prompts or DatabasePrompts()
    try:
        return opener(path, False)
    except Exception as exc:  # noqa: BLE001 - shown in the dialog, never a crash
        message = str(exc) or type(exc).__name__
    while True:
        choice = prompts.choose(path, message)
        if choice is DatabaseChoice.QUIT:
            return None
        init = choice is DatabaseChoice.CREATE_NEW
        target: Path | None = path
        if choice is DatabaseChoice.OPEN_OTHER:
            target = prompts.existing(path.parent)
        elif choice is DatabaseChoice.CREATE_NEW:
            target = prompts.new(path.parent)
        if target is None:
            continue  # the file dialog was cancelled: back to the choice
        if init and (taken := _taken(target)):
            path, message = target, taken
            continue
        try:
            return opener(target, init)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, never a crash
            path, message = target, str(exc) or type(exc).__name__
