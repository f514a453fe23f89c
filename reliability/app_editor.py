"""A child process that runs respond's main window and edits through it.

``python -m reliability.app_editor DB PATIENT FIRST SETTINGS.ini`` builds the
desktop app's :class:`MainWindow` (offscreen), opens the patient and, from a Qt
timer, pushes the same numbered edits as :mod:`reliability.editor` through the
window's undo stack (the commands the panels and the viewer push): a long-axis
caliper on T1, a new finding, the FHSI-8 total. Each applied edit is printed
after ``push`` returned (``n long VALUE`` with the value the session now
shows); a refused one prints ``n refused``. It runs until killed.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from decimal import Decimal

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from reliability.editor import READER, fhsi8_value, kind_of, long_value
from respond.criteria import Caliper, CaliperKind, NewLesion
from respond.store import open_store
from respond.ui.application import configure_pyqtgraph
from respond.ui.commands import (
    PutNewLesionCommand,
    SetCalipersCommand,
    SetClinicalCommand,
    push,
)
from respond.ui.main_window import MainWindow


def main(argv: list[str]) -> int:
    db, patient, first, ini = argv[1], argv[2], int(argv[3]), argv[4]
    app = QApplication([])
    configure_pyqtgraph()
    store = open_store(db)
    window = MainWindow(
        store,
        reader=READER,
        settings=QSettings(ini, QSettings.Format.IniFormat),
    )
    window.show()
    session = window.open_patient(patient)
    if session is None:
        print("open-failed", flush=True)
        return 3
    uid = session.read.timepoints[-1].uid
    print("open", flush=True)
    state = {"n": first}

    def step() -> None:
        n = state["n"]
        state["n"] += 1
        record = session.timepoint(uid)
        kind = kind_of(n)
        if kind == "long":
            length = float(long_value(n))
            caliper = Caliper(
                CaliperKind.LONG_AXIS,
                (0.0, 0.0, 10.0),
                (length, 0.0, 10.0),
                "1.2.826.0.1.3680043.8.498.1",
                "1.2.826.0.1.3680043.8.498.1.1",
            )
            ok = push(window.stack, SetCalipersCommand(session, uid, "T1", [caliper]))
            shown = session.timepoint(uid).timepoint.targets.get("T1")  # type: ignore[call-overload]
            line = f"{n} long {shown.long_axis_mm if shown else None}"
        elif kind == "new":
            finding = NewLesion(f"K{n}", organ="lung", long_axis_mm=Decimal("8.0"))
            ok = push(window.stack, PutNewLesionCommand(session, uid, finding))
            line = f"{n} new K{n}"
        else:
            clinical = dataclasses.replace(
                record.timepoint.clinical, fhsi8=fhsi8_value(n)
            )
            ok = push(window.stack, SetClinicalCommand(session, uid, clinical))
            line = f"{n} fhsi8 {fhsi8_value(n)}"
        print(line if ok else f"{n} refused", flush=True)

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(5)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
