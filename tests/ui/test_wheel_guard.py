"""Scrolling over the Clinical tab never changes a value the reader did not pick."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox

from respond.demo import prepare_demo
from respond.store import open_store
from respond.ui.main_window import MainWindow


def wheel(widget, steps: int = -3) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_box_leaves_its_value(
    qtbot, tmp_path: Path
) -> None:
    setup = prepare_demo(tmp_path / "demo")
    with open_store(setup.database) as store:
        window = MainWindow(store, reader="Dr Wheel (radiologist)")
        qtbot.addWidget(window)
        window.show()
        window.open_patient(setup.patient_id)
        window.tabs.setCurrentWidget(window.clinical)
        boxes = [b for b in window.clinical.findChildren(QComboBox) if b.count() > 2]
        assert boxes
        box = boxes[0]
        before = box.currentIndex()
        window.view.setFocus()
        wheel(box)
        assert box.currentIndex() == before
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        wheel(box)
        assert box.currentIndex() != before  # a focused box takes the wheel
        window.close()
