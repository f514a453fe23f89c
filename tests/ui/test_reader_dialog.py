"""The reader's identity: asked once, kept in the settings, never the OS login."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from respond.ui.reader_dialog import (
    ReaderDialog,
    ReaderIdentity,
    ask_reader,
    reader_identity,
    stored_reader,
)

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "respond.ini"), QSettings.Format.IniFormat)


def make_dialog(qtbot, settings: QSettings, **kwargs: object) -> ReaderDialog:
    dialog = ReaderDialog(settings, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_label_names_the_role() -> None:
    assert ReaderIdentity("Dr A. Reader", "radiologist").label == (
        "Dr A. Reader (radiologist)"
    )
    assert ReaderIdentity("Dr A. Reader", "").label == "Dr A. Reader"


def test_an_empty_or_short_name_is_refused(qtbot, settings: QSettings) -> None:
    dialog = make_dialog(qtbot, settings)
    assert dialog.name_edit.text() == ""  # no operating-system login guessed
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "   ")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "A")
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem.text()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter does not slip by
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert stored_reader(settings) is None


def test_accepting_saves_name_and_role(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    dialog = make_dialog(qtbot, settings)
    assert "Recorded with every measurement, override and sign-off" in "".join(
        label.text() for label in dialog.findChildren(type(dialog.problem))
    )
    qtbot.keyClicks(dialog.name_edit, "  Dr A. Reader ")
    dialog.role_combo.setCurrentText("")
    qtbot.keyClicks(dialog.role_combo.lineEdit(), "hepatologist")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    expected = ReaderIdentity("Dr A. Reader", "hepatologist")
    assert dialog.identity() == expected
    # Read back from the file, as the next start of respond would.
    again = QSettings(str(tmp_path / "respond.ini"), QSettings.Format.IniFormat)
    assert stored_reader(again) == expected


def test_the_stored_identity_is_not_asked_again(
    qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.setValue("reader/name", "Dr B. Second")
    settings.setValue("reader/role", "resident")

    def fail(self: ReaderDialog) -> int:
        raise AssertionError("asked although an identity is stored")

    monkeypatch.setattr(ReaderDialog, "exec", fail)
    assert reader_identity(None, settings) == ReaderIdentity("Dr B. Second", "resident")


def test_without_a_stored_identity_the_reader_is_asked_once(
    qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[ReaderDialog] = []

    def answer(self: ReaderDialog) -> int:
        asked.append(self)
        qtbot.keyClicks(self.name_edit, "Dr C. Third")
        qtbot.mouseClick(self.ok_button, Qt.MouseButton.LeftButton)
        return int(self.result())

    monkeypatch.setattr(ReaderDialog, "exec", answer)
    first = reader_identity(None, settings)
    assert first == ReaderIdentity("Dr C. Third", "radiologist")
    assert reader_identity(None, settings) == first
    assert len(asked) == 1


def test_cancel_returns_nothing_and_saves_nothing(
    qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancel(self: ReaderDialog) -> int:
        qtbot.keyClicks(self.name_edit, "Dr D. Fourth")
        qtbot.keyClick(self, Qt.Key.Key_Escape)
        return int(self.result())

    monkeypatch.setattr(ReaderDialog, "exec", cancel)
    assert ask_reader(None, settings) is None
    assert stored_reader(settings) is None


def test_changing_the_identity_starts_from_the_current_one(
    qtbot, settings: QSettings
) -> None:
    current = ReaderIdentity("Dr A. Reader", "resident")
    dialog = make_dialog(qtbot, settings, initial=current)
    assert dialog.name_edit.text() == "Dr A. Reader"
    assert dialog.role_combo.currentText() == "resident"
    assert dialog.ok_button.isEnabled()


def test_a_name_with_a_line_break_or_too_long_is_refused(
    qtbot, settings: QSettings
) -> None:
    dialog = make_dialog(qtbot, settings)
    dialog.name_edit.setText("Dr A.\tReader")
    assert not dialog.ok_button.isEnabled()
    dialog.name_edit.setText("x" * 81)
    assert not dialog.ok_button.isEnabled()
    dialog.name_edit.setText("x" * 80)
    assert dialog.ok_button.isEnabled()
