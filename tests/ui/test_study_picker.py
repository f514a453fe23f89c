"""The study picker over a real scan: the reader picks a study or one of its series."""

from __future__ import annotations

import dataclasses
import shutil
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from respond.dicom import PhantomTimePoint, ScanResult, scan, write_phantom
from respond.dicom.phantom import PATIENT_ID
from respond.ui.study_picker import KNOWN_MARK, StudyPickerDialog

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def phantom(tmp_path_factory: pytest.TempPathFactory) -> list[PhantomTimePoint]:
    """Baseline and first follow-up (two studies), each arterial and portal."""
    root = tmp_path_factory.mktemp("phantom")
    timepoints = write_phantom(root, seed=0, slices=40)
    shutil.rmtree(root / "FU2")
    return timepoints[:2]


@pytest.fixture(scope="module")
def scanned(phantom: list[PhantomTimePoint]) -> ScanResult:
    return scan(phantom[0].study_folder.parent)


def make_picker(qtbot, result: ScanResult, **kwargs: object) -> StudyPickerDialog:
    dialog = StudyPickerDialog(result, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def item_at(dialog: StudyPickerDialog, *path: int) -> QTreeWidgetItem:
    """The tree item at (patient, study, series) positions."""
    item = dialog.tree.topLevelItem(path[0])
    for number in path[1:]:
        assert item is not None
        item = item.child(number)
    assert item is not None
    return item


def study_item(dialog: StudyPickerDialog, number: int) -> QTreeWidgetItem:
    return item_at(dialog, 0, number)


def click(qtbot, dialog: StudyPickerDialog, item: QTreeWidgetItem) -> None:
    dialog.tree.scrollToItem(item)
    rect = dialog.tree.visualItemRect(item)
    qtbot.mouseClick(
        dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )


def texts(item: QTreeWidgetItem) -> list[str]:
    return [item.text(c) for c in range(item.columnCount())]


def test_lists_patient_studies_and_series(qtbot, scanned: ScanResult) -> None:
    dialog = make_picker(qtbot, scanned)
    assert dialog.tree.topLevelItemCount() == 1
    patient = item_at(dialog, 0)
    assert patient.text(0) == PATIENT_ID
    assert patient.text(1) == "Demo, Synthetic"
    assert KNOWN_MARK not in patient.text(1)
    assert patient.childCount() == 2
    baseline = texts(study_item(dialog, 0))
    assert baseline[0] == "2024-01-08"
    assert baseline[2] == "2 image series"
    assert baseline[3].startswith("arterial: #")
    assert study_item(dialog, 1).text(0) == "2024-03-04"
    series = [texts(item_at(dialog, 0, 0, n)) for n in range(2)]
    assert [s[2] for s in series] == ["40 images", "40 images"]
    assert {s[4] for s in series} == {"ready"}
    assert any("arterial" in s[3] for s in series)
    assert any("portal venous" in s[3] for s in series)


def test_ok_only_once_a_study_is_chosen(qtbot, scanned: ScanResult) -> None:
    dialog = make_picker(qtbot, scanned)
    assert dialog.chosen() is None  # two studies: nothing preselected
    assert not dialog.ok_button.isEnabled()
    click(qtbot, dialog, item_at(dialog, 0))  # the patient row
    assert dialog.chosen() is None
    assert not dialog.ok_button.isEnabled()
    click(qtbot, dialog, study_item(dialog, 1))
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    chosen = dialog.chosen()
    assert chosen is not None
    patient, study, series_uid = chosen
    assert patient.id == PATIENT_ID
    assert study.date == "20240304"
    assert series_uid is None


def test_picking_a_series_chooses_it(
    qtbot, scanned: ScanResult, phantom: list[PhantomTimePoint]
) -> None:
    dialog = make_picker(qtbot, scanned)
    baseline = study_item(dialog, 0)
    portal = next(
        item_at(dialog, 0, 0, n)
        for n in range(baseline.childCount())
        if "portal" in item_at(dialog, 0, 0, n).text(3)
    )
    click(qtbot, dialog, portal)
    assert dialog.ok_button.isEnabled()
    chosen = dialog.chosen()
    assert chosen is not None
    _, study, series_uid = chosen
    assert study.uid == phantom[0].study_uid
    assert series_uid == phantom[0].portal_series_uid


def test_double_click_on_a_study_accepts(
    qtbot, scanned: ScanResult, phantom: list[PhantomTimePoint]
) -> None:
    dialog = make_picker(qtbot, scanned)
    item = study_item(dialog, 0)
    click(qtbot, dialog, item)
    rect = dialog.tree.visualItemRect(item)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseDClick(
            dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    chosen = dialog.chosen()
    assert chosen is not None
    assert chosen[1].uid == phantom[0].study_uid
    assert chosen[2] is None


def test_a_single_study_is_preselected(qtbot, phantom: list[PhantomTimePoint]) -> None:
    one = scan(phantom[0].study_folder)
    dialog = make_picker(qtbot, one, title="Add a time point")
    assert dialog.windowTitle() == "Add a time point"
    assert dialog.ok_button.isEnabled()
    chosen = dialog.chosen()
    assert chosen is not None
    assert chosen[1].uid == phantom[0].study_uid


def test_a_known_patient_is_marked(qtbot, scanned: ScanResult) -> None:
    dialog = make_picker(qtbot, scanned, known_patients={PATIENT_ID})
    assert item_at(dialog, 0).text(1).endswith(KNOWN_MARK)


def test_cancel_leaves_nothing_accepted(qtbot, scanned: ScanResult) -> None:
    dialog = make_picker(qtbot, scanned)
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_an_empty_scan_says_so(qtbot, tmp_path: Path) -> None:
    dialog = make_picker(qtbot, ScanResult(root=tmp_path, patients=()))
    assert "No CT or MR study" in dialog.hint.text()
    assert not dialog.ok_button.isEnabled()


def test_a_localizer_is_greyed_and_cannot_be_picked(qtbot, scanned: ScanResult) -> None:
    patient = scanned.patients[0]
    study = patient.studies[0]
    localizer = dataclasses.replace(study.series[1], is_localizer=True)
    study = dataclasses.replace(study, series=(study.series[0], localizer))
    patient = dataclasses.replace(patient, studies=(study,))
    dialog = make_picker(qtbot, dataclasses.replace(scanned, patients=(patient,)))
    node = study_item(dialog, 0)
    assert node.text(2) == "1 image series (+1 localizer)"
    item = item_at(dialog, 0, 0, 1)
    assert not item.flags() & Qt.ItemFlag.ItemIsSelectable
    assert item.foreground(1).color() != item_at(dialog, 0, 0, 0).foreground(1).color()
    assert dialog.ok_button.isEnabled()  # the only study, preselected
    click(qtbot, dialog, item)
    assert dialog.chosen() is None  # never the localizer
    assert not dialog.ok_button.isEnabled()
