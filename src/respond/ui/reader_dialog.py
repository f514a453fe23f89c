"""The reader's identity: who measures, overrides and signs, asked once and kept.

The name is what the reader types, never the operating-system login: a shared
reading-room account would otherwise sign every read with the same name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

__all__ = [
    "ROLES",
    "ReaderDialog",
    "ReaderIdentity",
    "ask_reader",
    "is_valid_reader_name",
    "reader_identity",
    "stored_reader",
]

NAME_KEY: Final = "reader/name"
ROLE_KEY: Final = "reader/role"
MIN_NAME: Final = 2
MAX_NAME: Final = 80
MAX_ROLE: Final = 80
ROLES: Final = (
    "radiologist",
    "resident",
    "oncologist",
    "hepatologist",
    "research reader",
)
EXPLANATION: Final = (
    "Recorded with every measurement, override and sign-off. Give your name as "
    "it should appear on reports; you can change it later."
)


@dataclass(frozen=True, slots=True)
class ReaderIdentity:
    """Who is reading: a name and a role."""

    name: str
    role: str

    @property
    def label(self) -> str:
        """The identity as recorded, e.g. ``Dr A. Reader (radiologist)``."""
        return f"{self.name} ({self.role})" if self.role else self.name


def is_valid_reader_name(text: str) -> bool:
    """Whether a name, trimmed, has 2-80 characters, all printable."""
    name = text.strip()
    return MIN_NAME <= len(name) <= MAX_NAME and name.isprintable()


def _is_valid_role(text: str) -> bool:
    role = text.strip()
    return len(role) <= MAX_ROLE and role.isprintable()


def stored_reader(settings: QSettings) -> ReaderIdentity | None:
    """Return the identity kept in the settings, None when there is no valid one."""
    name = str(settings.value(NAME_KEY, "") or "").strip()
    role = str(settings.value(ROLE_KEY, "") or "").strip()
    if not is_valid_reader_name(name) or not _is_valid_role(role):
        return None
    return ReaderIdentity(name, role)


class ReaderDialog(QDialog):
    """Asks the reader's name and role; accepting saves them in the settings."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        initial: ReaderIdentity | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is reading?")
        self.setModal(True)
        self._settings = settings
        start = initial or stored_reader(settings)
        self.name_edit = QLineEdit(start.name if start else "")
        self.name_edit.setPlaceholderText("e.g. Dr A. Reader")
        self.name_edit.setMaxLength(MAX_NAME + 20)  # room for stray spaces
        self.role_combo = QComboBox()
        self.role_combo.setEditable(True)
        self.role_combo.addItems(list(ROLES))
        self.role_combo.setCurrentText(start.role if start else ROLES[0])
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Role", self.role_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._on_input_changed)
        self.role_combo.currentTextChanged.connect(self._on_input_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_input_changed()

    @property
    def ok_button(self) -> QPushButton:
        """The OK button (enabled only while the name is valid)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def identity(self) -> ReaderIdentity | None:
        """Return the identity as entered, None while it is not valid."""
        name = self.name_edit.text().strip()
        role = self.role_combo.currentText().strip()
        if not is_valid_reader_name(name) or not _is_valid_role(role):
            return None
        return ReaderIdentity(name, role)

    def accept(self) -> None:
        """Save the identity and close; refused while it is not valid."""
        identity = self.identity()
        if identity is None:
            return
        self._settings.setValue(NAME_KEY, identity.name)
        self._settings.setValue(ROLE_KEY, identity.role)
        self._settings.sync()
        super().accept()

    def _on_input_changed(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            problem = "Your name is required."
        elif not is_valid_reader_name(name):
            problem = (
                f"The name needs {MIN_NAME} to {MAX_NAME} characters, without "
                "tabs or line breaks."
            )
        elif not _is_valid_role(self.role_combo.currentText()):
            problem = f"The role needs at most {MAX_ROLE} printable characters."
        else:
            problem = ""
        self.problem.setText(problem)
        self.ok_button.setEnabled(not problem)


def ask_reader(
    parent: QWidget | None,
    settings: QSettings,
    *,
    initial: ReaderIdentity | None = None,
) -> ReaderIdentity | None:
    """Ask the reader's identity in a modal dialog and save it.

    Parameters
    ----------
    parent
        The window the dialog belongs to.
    settings
        Where the identity is kept (``reader/name``, ``reader/role``).
    initial
        The identity to start from (default: the stored one).

    Returns
    -------
    ReaderIdentity or None
        The identity entered, or None when the reader cancelled.
    """
    dialog = ReaderDialog(settings, parent, initial=initial)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.identity()
    finally:
        dialog.deleteLater()


def reader_identity(
    parent: QWidget | None, settings: QSettings
) -> ReaderIdentity | None:
    """Return the stored identity, or ask for it once (None if cancelled)."""
    return stored_reader(settings) or ask_reader(parent, settings)
