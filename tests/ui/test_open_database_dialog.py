"""The app on a database it cannot open: a dialog, never a crash or exit 70.

Corrupt, empty, newer, locked, foreign files and folders each show the dialog
(open another, create a new one, try again, quit); the reader's choice is
scripted. ``respond --db PATH`` starts the app on that database.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from tests.integration.store.readbuild import small_read

from respond import app as composition
from respond.app import DesktopArgs, open_for_app
from respond.store import DatabaseBusyError, SqliteStore, open_store
from respond.ui.open_database_dialog import (
    DatabaseChoice,
    DatabasePrompts,
    OpenDatabaseDialog,
    open_or_ask,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from pytestqt.qtbot import QtBot


def _good(path: Path) -> Path:
    with open_store(path) as store:
        store.create_patient(small_read(), who="importer")
    return path


def _corrupt(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(84) + b"garbage" * 600)


def _empty(path: Path) -> None:
    path.touch()


def _newer(path: Path) -> None:
    _good(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def _not_a_database(path: Path) -> None:
    path.write_text("patient,lesion,mm\nP1,T1,12.5\n")


def _a_folder(path: Path) -> None:
    path.mkdir()


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.commit()
    conn.close()


UNUSABLE: dict[str, Callable[[Path], object]] = {
    "corrupt": _corrupt,
    "zero bytes": _empty,
    "newer schema": _newer,
    "not a database": _not_a_database,
    "a folder": _a_folder,
    "another program's database": _foreign,
}


class Scripted(DatabasePrompts):
    """Answers the questions from a script; records what the dialog showed."""

    def __init__(
        self,
        choices: list[DatabaseChoice],
        existing: Path | None = None,
        new: Path | None = None,
    ) -> None:
        super().__init__(None)
        self.choices = choices
        self.shown: list[tuple[Path, str]] = []
        self.existing_path = existing
        self.new_path = new

    def choose(self, path: Path, message: str) -> DatabaseChoice:
        self.shown.append((path, message))
        return self.choices.pop(0)

    def existing(self, folder: Path) -> Path | None:
        return self.existing_path

    def new(self, folder: Path) -> Path | None:
        return self.new_path


def _close(store: SqliteStore | None) -> None:
    if store is not None:
        store.close()


# -- the dialog ------------------------------------------------------------------
@pytest.mark.parametrize("choice", list(DatabaseChoice))
def test_each_button_is_a_choice(
    qtbot: QtBot, tmp_path: Path, choice: DatabaseChoice
) -> None:
    dialog = OpenDatabaseDialog(tmp_path / "x.sqlite3", "it is damaged; restore it")
    qtbot.addWidget(dialog)
    QTimer.singleShot(0, dialog.buttons[choice].click)
    dialog.exec()
    assert dialog.choice is choice


def test_the_dialog_shows_the_file_and_the_message(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "x.sqlite3"
    dialog = OpenDatabaseDialog(path, "x.sqlite3 is damaged; restore it from a backup")
    qtbot.addWidget(dialog)
    assert "restore it from a backup" in dialog.message.text()
    texts = [b.text() for b in dialog.buttons.values()]
    assert texts == [
        "Open another database…",
        "Create a new database…",
        "Try again",
        "Quit",
    ]


def test_closing_the_dialog_quits(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = OpenDatabaseDialog(tmp_path / "x.sqlite3", "damaged")
    qtbot.addWidget(dialog)
    dialog.choice = DatabaseChoice.RETRY
    QTimer.singleShot(0, dialog.reject)
    dialog.exec()
    assert dialog.choice is DatabaseChoice.QUIT


def test_the_real_prompt_returns_the_clicked_choice(
    qtbot: QtBot, tmp_path: Path
) -> None:
    def click_create() -> None:
        modal = QApplication.activeModalWidget()
        assert isinstance(modal, OpenDatabaseDialog)
        modal.buttons[DatabaseChoice.CREATE_NEW].click()

    QTimer.singleShot(0, click_create)
    choice = DatabasePrompts(None).choose(tmp_path / "x.sqlite3", "damaged")
    assert choice is DatabaseChoice.CREATE_NEW


# -- what the reader can do instead ----------------------------------------------
@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_an_unusable_database_asks_and_quit_opens_nothing(
    qtbot: QtBot, tmp_path: Path, name: str
) -> None:
    path = tmp_path / "respond.sqlite3"
    UNUSABLE[name](path)
    prompts = Scripted([DatabaseChoice.QUIT])
    assert open_or_ask(path, open_for_app, prompts) is None
    ((shown_path, message),) = prompts.shown
    assert shown_path == path
    assert str(path) in message
    assert "internal error" not in message


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_create_a_new_database_instead(qtbot: QtBot, tmp_path: Path, name: str) -> None:
    path = tmp_path / "respond.sqlite3"
    UNUSABLE[name](path)
    new = tmp_path / "fresh" / "new.sqlite3"
    prompts = Scripted([DatabaseChoice.CREATE_NEW], new=new)
    store = open_or_ask(path, open_for_app, prompts)
    try:
        assert store is not None
        assert store.path == new
        assert store.list_patients() == []
    finally:
        _close(store)


def test_open_another_database_instead(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _corrupt(path)
    other = _good(tmp_path / "other.sqlite3")
    prompts = Scripted([DatabaseChoice.OPEN_OTHER], existing=other)
    store = open_or_ask(path, open_for_app, prompts)
    try:
        assert store is not None
        assert [s.patient_id for s in store.list_patients()] == ["P-SMALL"]
    finally:
        _close(store)


def test_a_cancelled_file_dialog_asks_again(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _corrupt(path)
    prompts = Scripted([DatabaseChoice.OPEN_OTHER, DatabaseChoice.QUIT])
    assert open_or_ask(path, open_for_app, prompts) is None
    assert len(prompts.shown) == 2


def test_another_unusable_file_is_explained_in_turn(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "respond.sqlite3"
    _corrupt(path)
    other = tmp_path / "other.sqlite3"
    _newer(other)
    prompts = Scripted([DatabaseChoice.OPEN_OTHER, DatabaseChoice.QUIT], existing=other)
    assert open_or_ask(path, open_for_app, prompts) is None
    assert prompts.shown[1][0] == other
    assert "newer respond" in prompts.shown[1][1]


def test_creating_over_an_existing_database_is_refused(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "respond.sqlite3"
    _corrupt(path)
    existing = _good(tmp_path / "kept.sqlite3")
    prompts = Scripted([DatabaseChoice.CREATE_NEW, DatabaseChoice.QUIT], new=existing)
    assert open_or_ask(path, open_for_app, prompts) is None
    assert "already exists" in prompts.shown[1][1]
    with open_store(existing, read_only=True) as store:
        assert [s.patient_id for s in store.list_patients()] == ["P-SMALL"]


def test_creating_over_an_empty_file_takes_it(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "respond.sqlite3"
    _empty(path)
    prompts = Scripted([DatabaseChoice.CREATE_NEW], new=path)
    store = open_or_ask(path, open_for_app, prompts)
    try:
        assert store is not None
        assert store.path == path
    finally:
        _close(store)
    assert path.stat().st_size > 0


def test_a_locked_database_can_be_tried_again(qtbot: QtBot, tmp_path: Path) -> None:
    path = _good(tmp_path / "respond.sqlite3")
    attempts: list[Path] = []

    def busy_once(target: Path, init: bool) -> SqliteStore:
        attempts.append(target)
        if len(attempts) == 1:
            raise DatabaseBusyError(target, changing=False)
        return open_for_app(target, init)

    prompts = Scripted([DatabaseChoice.RETRY])
    store = open_or_ask(path, busy_once, prompts)
    try:
        assert store is not None
        assert attempts == [path, path]
        assert "another respond is writing" in prompts.shown[0][1]
    finally:
        _close(store)


# -- respond --db PATH -------------------------------------------------------------
def test_respond_db_starts_the_app_on_that_database(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _good(tmp_path / "chosen.sqlite3")
    monkeypatch.setenv("RESPOND_DB", str(tmp_path / "not-this.sqlite3"))
    started: list[SqliteStore] = []

    def fake_run_app(store: SqliteStore, **_: object) -> int:
        started.append(store)
        store.create_patient(small_read("P-NEW"), who="reader")
        return 0

    monkeypatch.setattr("respond.ui.application.run_app", fake_run_app)
    assert composition.main(["--db", str(path)]) == 0
    (store,) = started
    assert store.path == path
    assert not (tmp_path / "not-this.sqlite3").exists()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed at close
    with open_store(path, read_only=True) as reopened:
        assert [s.patient_id for s in reopened.list_patients()] == ["P-NEW", "P-SMALL"]


def test_the_app_checkpoints_the_log_once_edits_stop(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _good(tmp_path / "respond.sqlite3")
    wal = path.with_name(path.name + "-wal")
    monkeypatch.setattr("respond.store.IDLE_CHECKPOINT_S", 0.05)

    def edit_then_idle(store: SqliteStore, **_: object) -> int:
        other = sqlite3.connect(path)  # keeps the file open: no checkpoint on close
        try:
            other.execute("SELECT count(*) FROM patient").fetchone()
            store.create_patient(small_read("P-IDLE"), who="reader")
            assert wal.stat().st_size > 0
            qtbot.waitUntil(lambda: wal.stat().st_size == 0, timeout=5000)
        finally:
            other.close()
        return 0

    monkeypatch.setattr("respond.ui.application.run_app", edit_then_idle)
    assert composition._desktop(DesktopArgs(db=str(path))) == 0


def test_quitting_from_the_dialog_exits_2_with_a_message(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "respond.sqlite3"
    _corrupt(path)
    monkeypatch.setattr(
        DatabasePrompts, "choose", lambda self, p, m: DatabaseChoice.QUIT
    )
    monkeypatch.setattr(
        "respond.ui.application.run_app",
        lambda *a, **k: pytest.fail("the app must not start"),
    )
    assert composition._desktop(DesktopArgs(db=str(path))) == 2
    err = capsys.readouterr().err
    assert "no database was opened" in err
    assert "internal error" not in err
