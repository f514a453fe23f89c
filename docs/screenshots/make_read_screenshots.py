"""Take the README's screenshots of a real read at 1920x1080 and 1366x768.

The shared liver CT (HCC-TACE-Seg, see ../shared/data/dicom/MANIFEST.md) becomes
a patient; a copy of it with new UIDs dated eight weeks later is the follow-up,
in another folder. Run from the repository under a virtual X server at each
size, e.g.::

    xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python \\
        docs/screenshots/make_read_screenshots.py 1920x1080

The screen is grabbed from the X server (what a person sees).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QPointF, QSettings
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
SLICE = 48
NODE = (35, 229, 248)  # (k, i, j): the aortocaval node (docs/measure.md)
"""Illustrative calipers on the shared series (a round structure by the caudate)."""
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))


def settle(app: QApplication, seconds: float) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(app: QApplication, name: str) -> None:
    settle(app, 0.6)
    app.primaryScreen().grabWindow(0).save(str(HERE / name))
    print("saved", name)


def wait(app: QApplication, ready, seconds: float = 60) -> None:  # noqa: ANN001
    deadline = time.time() + seconds
    while time.time() < deadline and not ready():
        settle(app, 0.05)


def draw(window, kind: str, row: float, j0: float, j1: float) -> None:  # noqa: ANN001
    """Measure as the mouse does: the drawn line goes through the window."""
    k = float(window.view.slice_index)
    window.view.caliper_drawn.emit(kind, (k, row, j0), (k, row, j1))


def clinical_screens(app: QApplication, window, size: str) -> None:  # noqa: ANN001
    """The clinical tab at FU1: an adverse event typed in, the rules with sources."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from respond.criteria import Clinical, SecondLine

    session = window.session
    baseline, follow_up = session.read.timepoints[:2]
    session.set_clinical(
        baseline.uid,
        Clinical(fhsi8=27, ecog=0, child_pugh="A5", dose_level=0),
    )
    session.set_clinical(
        follow_up.uid,
        Clinical(
            fhsi8=26,
            ecog=1,
            child_pugh="A6",
            dose_level=0,
            second_line=SecondLine(available=True, eligible=True),
        ),
    )
    window.tabs.setCurrentIndex(2)
    window.clinical.set_timepoint(follow_up.uid)
    events = window.clinical.adverse_events
    events.new_term.setFocus()
    QTest.keyClicks(events.new_term.lineEdit(), "hand foo")
    settle(app, 0.5)
    shoot(app, f"clinical-typeahead-{size}.png")
    popup = events.new_term.completer().popup()
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    settle(app, 0.3)
    events.new_grade.setValue(3)
    events.add_button.click()
    settle(app, 0.5)
    shoot(app, f"clinical-{size}.png")


def reformat_screens(app: QApplication, window, target: str, size: str) -> None:
    """Layout 2 x 2 at the lesion, then the lesion navigator."""
    from respond.app import navigator_images

    window.set_layout("2x2")
    settle(app, 1.0)
    record = window.session.read.timepoint(window.current_uid)
    caliper = record.calipers[target][0]
    middle = [(a + b) / 2 for a, b in zip(caliper.start_mm, caliper.end_mm)]
    window.move_crosshair(middle)
    settle(app, 0.5)
    shoot(app, f"reformats-{size}.png")
    window.set_layout("1x2")
    window.navigator_images = navigator_images
    window.show_navigator()
    wait(
        app,
        lambda: window.navigator.read is not None and not window.navigator.is_loading,
    )
    settle(app, 1.0)
    shoot(app, f"navigator-{size}.png")
    window.tabs.setCurrentIndex(1)


def measure_screens(app: QApplication, window, size: str) -> None:  # noqa: ANN001
    """Click-to-measure on the aortocaval node of the follow-up (1 x 1)."""
    window.set_layout("1x1", remember=False)
    node = window.lesions.add_target("lymph node")
    window.lesions.select(node)
    window.view.set_slice(NODE[0])
    tool = window.measure_tool
    tool.action.setChecked(True)
    window.view.point_picked.emit(NODE)
    wait(app, lambda: tool.is_pending)
    window.view.apply_preset("abdomen")
    window.view.view_box.scaleBy((0.3, 0.3), center=QPointF(NODE[2], NODE[1]))
    window.tabs.setCurrentIndex(0)  # the lesion table, the node selected
    settle(app, 0.5)
    shoot(app, f"measure-{size}.png")
    tool.reject()
    tool.action.setChecked(False)


def main() -> int:
    size = sys.argv[1] if len(sys.argv) > 1 else "1920x1080"
    width, height = (int(v) for v in size.split("x"))
    app = QApplication(sys.argv)
    from tests.ui.readflow import LIVER, ScriptedPrompts, follow_up_copy

    from respond.session.intake import create_patient
    from respond.dicom import scan, study_facts
    from respond.store import open_store
    from respond.ui.application import configure_pyqtgraph
    from respond.ui.main_window import MainWindow

    configure_pyqtgraph()
    from respond.ui.theme import Theme, apply_theme

    apply_theme(app, Theme.DARK)  # the default look, as respond starts
    work = Path(tempfile.mkdtemp())
    follow_up = follow_up_copy(LIVER, work / "pacs-export-2" / "fu", days=56)
    store = open_store(work / "reads.sqlite3")
    others = (("HCC-0107", "EXAMPLE^ANNA", 400), ("HCC-0212", "SAMPLE^BORIS", 800))
    for n, (pid, name, days) in enumerate(others):
        folder = follow_up_copy(
            LIVER,
            work / f"other{n}",
            days=days,
            patient_id=pid,
            patient_name=name,
            remove=84,
        )
        patient = scan(folder).patients[0]
        create_patient(store, study_facts(patient, patient.studies[0]), who="Dr Demo")
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, reader="Dr A. Reader (radiologist)", settings=settings)
    prompts = ScriptedPrompts(window)
    window.prompts = prompts
    window.setGeometry(app.primaryScreen().availableGeometry())
    window.show()
    settle(app, 1.0)
    prompts.folders.append(LIVER)
    prompts.studies.append(None)
    window.new_patient_from_study()
    wait(
        app,
        lambda: (
            window.session is not None
            and window.view.volume is not None
            and not window.loader.loading
        ),
    )
    session = window.session
    window.arterial_action.trigger()
    target = window.lesions.add_target("liver")
    window.lesions.select(target)
    window.view.set_slice(SLICE)
    draw(window, "long_axis", 255.0, 204.0, 238.0)
    draw(window, "viable", 258.0, 210.0, 230.0)
    prompts.folders.append(follow_up)
    prompts.studies.append(None)
    window.add_study_from_folder()
    wait(
        app,
        lambda: (
            len(session.read.timepoints) == 2
            and not window.loader.loading
            and "FU1" in window.current_pane.caption.text()
        ),
    )
    window.arterial_action.trigger()
    window.lesions.select(target)
    window.view.set_slice(SLICE)
    draw(window, "long_axis", 255.0, 207.0, 234.0)
    draw(window, "viable", 258.0, 213.0, 227.0)
    window.view.apply_preset("liver")
    window.view.view_box.scaleBy((0.55, 0.55), center=QPointF(220.0, 255.0))
    shoot(app, f"read-{size}.png")
    window.compare.setChecked(True)
    window._on_compare_toggled(True)
    wait(
        app,
        lambda: (
            window.prior_view.volume is not None and not window.prior_loader.loading
        ),
    )
    window.lesions.select(target)
    settle(app, 0.5)
    window.prior_view.apply_preset("liver")
    window.prior_view.view_box.scaleBy((0.55, 0.55), center=QPointF(220.0, 255.0))
    window.tabs.setCurrentIndex(1)
    shoot(app, f"compare-{size}.png")
    reformat_screens(app, window, target, size)
    measure_screens(app, window, size)
    clinical_screens(app, window, size)
    window.close_patient()
    shoot(app, f"patient-list-{size}.png")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
