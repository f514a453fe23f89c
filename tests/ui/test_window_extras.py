"""Recent folders, cancelling a load, the new-lesion dialog, the prior choice."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSettings

from respond.criteria import Cytology, LesionKind, NewLesion
from respond.store import open_store
from respond.ui import loader
from respond.ui.lesion_panel import ORGANS
from respond.ui.main_window import MainWindow
from respond.ui.new_lesion_dialog import NewLesionDialog
from respond.ui.recent import MAX_RECENT, RecentPaths


def test_recent_paths_newest_first_existing_only(tmp_path: Path) -> None:
    recent = RecentPaths(
        QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    )
    folders = [tmp_path / f"study{n}" for n in range(MAX_RECENT + 2)]
    for folder in folders:
        folder.mkdir()
        recent.add(folder)
    recent.add(folders[3])
    paths = recent.paths()
    assert paths[0] == folders[3].resolve()
    assert len(paths) == MAX_RECENT
    folders[-1].rmdir()
    assert folders[-1].resolve() not in recent.paths()


def test_new_lesion_dialog_round_trip(qtbot) -> None:
    finding = NewLesion(
        "X2",
        organ="liver",
        site="segment II",
        kind=LesionKind.HCC,
        long_axis_mm=Decimal("14.0"),
        equivocal=True,
        typical_hcc=False,
    )
    dialog = NewLesionDialog("X2", ["liver", "lung"], finding)
    qtbot.addWidget(dialog)
    assert dialog.finding() == finding
    dialog.organ.setCurrentText("peritoneum (ascites)")
    dialog.cytology.setCurrentText("positive")
    edited = dialog.finding()
    assert (edited.kind, edited.cytology, edited.typical_hcc) == (
        LesionKind.ASCITES,
        Cytology.POSITIVE,
        None,
    )


def test_ok_on_an_unchanged_finding_keeps_it(qtbot) -> None:
    ascites = NewLesion(
        "X3",
        organ="peritoneum",
        kind=LesionKind.ASCITES,
        cytology=Cytology.NOT_DONE,
        note="tapped 2 l",
    )
    node = NewLesion(
        "X4",
        organ="lymph node",
        site="porta hepatis",
        kind=LesionKind.NODE,
        long_axis_mm=Decimal("21.25"),
        short_axis_mm=Decimal("16.0"),
    )
    for finding in (ascites, node):
        dialog = NewLesionDialog(finding.id, ORGANS, finding)
        qtbot.addWidget(dialog)
        assert dialog.finding() == finding


def test_the_dialog_changes_only_what_the_reader_changed(qtbot) -> None:
    finding = NewLesion(
        "X5",
        organ="liver",
        kind=LesionKind.INFILTRATIVE_HCC,
        long_axis_mm=Decimal("14.0"),
        typical_hcc=None,
        note="ill-defined",
    )
    dialog = NewLesionDialog("X5", ORGANS, finding)
    qtbot.addWidget(dialog)
    dialog.size_mm.setValue(30.0)
    assert dialog.finding() == dataclasses.replace(
        finding, long_axis_mm=Decimal("30.0")
    )


def test_organs_imply_the_same_kind_for_lesions_and_new_findings(qtbot) -> None:
    dialog = NewLesionDialog("X6", ORGANS)
    qtbot.addWidget(dialog)
    dialog.organ.setCurrentText("portal vein")
    assert dialog.finding().kind is LesionKind.PORTAL_VEIN_THROMBUS


def test_prior_choice_and_cancel_on_the_demo(qtbot, tmp_path: Path) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path / "demo")
    with open_store(setup.database) as store:
        window = MainWindow(store, reader="dr-test")
        window.recent = RecentPaths(
            QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        )
        qtbot.addWidget(window)
        window.show()
        session = window.open_patient(setup.patient_id)
        window.open_folder(setup.dicom_root)
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=20_000)
        bl, fu1, _ = (tp.uid for tp in session.read.timepoints)
        # at FU2 the prior box offers BL and FU1; the default is the baseline
        assert [
            window.prior_box.itemData(i) for i in range(window.prior_box.count())
        ] == [bl, fu1]
        assert window._prior_uid() == bl
        window.prior_box.setCurrentIndex(1)
        assert window._prior_uid() == fu1
        # cancelling a load hides the progress and keeps the window usable
        series = window.scan_result.series[0]  # type: ignore[union-attr]
        window.show_series(series)
        window.cancel_load()
        assert "cancelled" not in window.lesions.message.text()  # not an error
        assert not window.progress.isVisible()
        assert not window.cancel_button.isVisible()
        assert window.recent.paths() == [setup.dicom_root.resolve()]


def test_finished_loads_release_their_workers_and_volumes(
    qtbot, tmp_path: Path
) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path / "demo")
    with open_store(setup.database) as store:
        window = MainWindow(store, reader="dr-test")
        qtbot.addWidget(window)
        window.open_patient(setup.patient_id)
        window.open_folder(setup.dicom_root)
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=20_000)
        for series in window.scan_result.series[:4]:  # type: ignore[union-attr]
            window.show_series(series)
            qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=20_000)
        qtbot.waitUntil(lambda: loader.running() == 0, timeout=5_000)
