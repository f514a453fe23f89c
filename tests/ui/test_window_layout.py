"""The viewer gets the space; the window fits laptop screens; panels come and go.

At 1920x1080 the images get at least 60 % of the width; at 1366x768 every
toolbar control and both panels are on screen with the two panes shown; a long
phase warning wraps instead of widening the window; a closed panel stays closed
for the next patient; each open patient has its own panels, deleted on close.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from respond.demo import prepare_demo
from respond.store import open_store
from respond.ui.lesion_panel import LesionPanel
from respond.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return prepare_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def window(qtbot, demo, tmp_path: Path):
    store = open_store(demo.database)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, reader="Dr Layout (radiologist)", settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_patient(demo.patient_id)
    yield window
    window.close()
    store.close()


def settle(qtbot) -> None:
    qtbot.wait(50)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_at_1920_by_1080_the_images_get_most_of_the_width(qtbot, window) -> None:
    window.resize(1920, 1080)
    settle(qtbot)
    window._docks_sized = False
    window._size_docks()
    settle(qtbot)
    assert window.splitter.width() / window.width() >= 0.6


def test_at_1366_by_768_every_control_is_on_screen(qtbot, window) -> None:
    window.compare.setChecked(True)
    window._on_compare_toggled(True)
    window.resize(1366, 768)
    settle(qtbot)
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
    assert (window.width(), window.height()) == (1366, 768)
    bar = window.toolbar
    for action in bar.actions():
        if action.isSeparator():
            continue
        widget = bar.widgetForAction(action)
        assert widget is not None
        assert widget.isVisible(), action.text()
        assert bar.rect().contains(widget.geometry()), action.text()
    for dock in (window.browser_dock, window.read_dock):
        assert dock.isVisible()
        assert window.rect().contains(dock.geometry())
    assert window.current_pane.isVisible()
    assert window.prior_pane.isVisible()


def test_a_long_phase_warning_wraps_and_never_widens_the_window(qtbot, window) -> None:
    window.resize(1366, 768)
    settle(qtbot)
    before = window.minimumSizeHint().width()
    window.banner.setText("⚠ " + "a very long warning about the phase " * 20)
    window.banner.show()
    settle(qtbot)
    assert window.minimumSizeHint().width() == before
    assert window.width() == 1366
    assert window.banner.wordWrap()


def test_a_closed_panel_stays_closed_for_the_next_patient(qtbot, window, demo) -> None:
    toggle = window.read_dock.toggleViewAction()
    toggle.trigger()
    assert not window.read_dock.isVisible()
    window.close_patient()
    window.open_patient(demo.patient_id)
    assert not window.read_dock.isVisible()
    assert window.settings.value("window/read-panel", type=bool) is False
    toggle.trigger()
    assert window.read_dock.isVisible()


def test_each_patient_has_its_own_panels_deleted_on_close(qtbot, window, demo) -> None:
    for _ in range(3):
        window.close_patient()
        settle(qtbot)
        assert window.findChildren(LesionPanel) == []
        window.open_patient(demo.patient_id)
        settle(qtbot)
        assert len(window.findChildren(LesionPanel)) == 1
