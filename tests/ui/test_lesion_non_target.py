"""Non-target entries in the lesion panel keep what was recorded with them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import Cytology, LesionId, NonTargetObservation, NonTargetStatus
from respond.session import ReadSession, read_from_case
from respond.store import open_store
from respond.ui.commands import SetNonTargetCommand
from respond.ui.lesion_panel import LesionPanel


@pytest.fixture
def session(tmp_path: Path) -> ReadSession:
    """The example read: N1 portal vein, N2 peritoneum (non-targets)."""
    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    return ReadSession(store, "HCC-0001", reader="dr-a")


@pytest.fixture
def panel(qtbot, session: ReadSession) -> LesionPanel:
    stack = QUndoStack()
    panel = LesionPanel(session, stack)
    panel._test_stack = stack  # type: ignore[attr-defined]
    qtbot.addWidget(panel)
    uid = session.read.timepoints[1].uid
    panel.set_timepoint(uid)
    panel.select("N2")
    return panel


def observation(session: ReadSession) -> NonTargetObservation | None:
    return session.timepoint(session.read.timepoints[1].uid).non_target(LesionId("N2"))


def test_changing_the_status_keeps_cytology_short_axis_and_note(
    panel: LesionPanel, session: ReadSession
) -> None:
    uid = session.read.timepoints[1].uid
    recorded = NonTargetObservation(
        NonTargetStatus.PRESENT,
        cytology=Cytology.NEGATIVE,
        note="tapped 2 l",
        short_axis_mm=Decimal("22.0"),
    )
    SetNonTargetCommand(session, uid, "N2", recorded).redo()
    panel.set_non_target(NonTargetStatus.ABSENT)
    after = observation(session)
    assert after is not None
    assert after.status is NonTargetStatus.ABSENT
    assert (after.cytology, after.short_axis_mm, after.note) == (
        Cytology.NEGATIVE,
        Decimal("22.0"),
        "tapped 2 l",
    )


def test_short_axis_is_recorded_shown_and_undone(
    panel: LesionPanel, session: ReadSession
) -> None:
    panel.set_non_target_short_axis(Decimal("18.5"))
    after = observation(session)
    assert after is not None
    assert after.short_axis_mm == Decimal("18.5")
    assert after.status is NonTargetStatus.ABSENT  # the example's FU1 status
    shown = [
        panel.model.data(panel.model.index(row, col))
        for row in range(panel.model.rowCount())
        for col in range(panel.model.columnCount())
    ]
    assert any("SA 18.5" in str(text) for text in shown)
    panel._test_stack.undo()  # type: ignore[attr-defined]
    undone = observation(session)
    assert undone is not None
    assert undone.short_axis_mm is None
