"""The window follows another reader's changes to the open patient."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import LesionId
from respond.session import read_from_case
from respond.store import open_store
from respond.ui.main_window import FOLLOW_MS, MainWindow

A_WRITES = textwrap.dedent(
    """
    import sys
    from decimal import Decimal
    from respond.criteria import TargetMeasurement
    from respond.session import ReadSession
    from respond.store import open_store

    store = open_store(sys.argv[1])
    a = ReadSession(store, "HCC-0001", reader="Dr A")
    fu1 = a.read.timepoints[1].uid
    value = TargetMeasurement(long_axis_mm=Decimal("82.8"), viable_mm=Decimal("20"))
    a.set_measurement(fu1, "T1", value)
    store.close()
    """
)


def test_the_open_patient_is_reloaded_within_a_second(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "reads.sqlite3"
    store = open_store(db)
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="setup"
    )
    window = MainWindow(store, reader="Dr B")
    qtbot.addWidget(window)
    session = window.open_patient("HCC-0001")
    assert session is not None
    fu1 = session.read.timepoints[1].uid
    subprocess.run([sys.executable, "-c", A_WRITES, str(db)], check=True, timeout=60)

    def reloaded() -> bool:
        target = session.timepoint(fu1).target(LesionId("T1"))
        return target is not None and target.long_axis_mm == Decimal("82.8")

    qtbot.waitUntil(reloaded, timeout=1000 + FOLLOW_MS)
    assert "Another reader" in window.statusBar().currentMessage()
    window.close_patient()
    store.close()
