"""Second line: the boxes show what the engine used, so they never contradict it.

The example read is progressing at FU1 with symptoms (SHARP), so the engine
asks whether a second line is available and the patient eligible. Here the
answer was recorded at BL only: FU1 inherits it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import SecondLine
from respond.session import ReadSession, read_from_case
from respond.store import open_store
from respond.ui.clinical_panel import ClinicalPanel

LEFT = Qt.MouseButton.LeftButton
AVAILABLE = "second line available, patient eligible"
NOT_ELIGIBLE = "second line not eligible"
NO_OPTION = "no second-line option"


@pytest.fixture
def session(tmp_path: Path) -> ReadSession:
    """The example read with the second line recorded at BL only."""
    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    session = ReadSession(store, "HCC-0001", reader="dr-a")
    bl, fu1 = session.read.timepoints
    assert bl.clinical.second_line == SecondLine(available=True, eligible=True)
    session.set_clinical(fu1.uid, dataclasses.replace(fu1.clinical, second_line=None))
    return session


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def panel(qtbot, session: ReadSession, stack: QUndoStack) -> ClinicalPanel:
    panel = ClinicalPanel(session, stack)
    qtbot.addWidget(panel)
    panel.resize(1100, 780)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def second_line_rule(session: ReadSession) -> tuple[str, str]:
    """The rule that answered the second-line question (the first to name it)."""
    assert session.assessment is not None
    rules = [
        (r.rule, r.text)
        for r in session.assessment.recommendation.rules
        if "second line" in r.rule or "second-line" in r.rule
    ]
    assert rules
    return rules[0]


def boxes(panel: ClinicalPanel) -> tuple[bool, bool, bool]:
    """(available ticked, eligible ticked, eligible editable)."""
    status = panel.status
    return (
        status.second_line_available.isChecked(),
        status.second_line_eligible.isChecked(),
        status.second_line_eligible.isEnabled(),
    )


def assert_boxes_agree_with_the_rules(panel: ClinicalPanel, session) -> None:
    """The boxes say what the rule that fired says (latest time point)."""
    rule, _text = second_line_rule(session)
    available, eligible, can_tick_eligible = boxes(panel)
    assert can_tick_eligible == available
    if rule == AVAILABLE:
        assert (available, eligible) == (True, True)
    elif rule == NO_OPTION:
        assert (available, eligible) == (False, False)
    else:
        assert rule == NOT_ELIGIBLE
        assert (available, eligible) == (True, False)
    # The rule's verdict is named right under the boxes.
    assert rule in panel.status.second_line_hint.text()


def fu1(session: ReadSession):
    return session.read.timepoints[1]


def test_an_inherited_second_line_is_shown_ticked_and_named(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    assert panel.timepoint_uid == fu1(session).uid
    assert second_line_rule(session)[0] == AVAILABLE
    assert "second line available" in panel.recommendation.rules_label.text()
    assert boxes(panel) == (True, True, True)
    assert_boxes_agree_with_the_rules(panel, session)
    status = panel.status
    assert status.second_line_available.text() == "available (from BL)"
    assert status.second_line_eligible.text() == "patient eligible (from BL)"
    assert status.second_line_available.font().italic()
    assert "Not recorded at FU1: BL's record applies" in status.second_line_hint.text()
    assert not status.second_line_clear.isVisible()


def test_unticking_eligible_records_both_here_and_the_rules_follow(
    qtbot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    status = panel.status
    qtbot.mouseClick(status.second_line_eligible, LEFT)
    assert fu1(session).clinical.second_line == SecondLine(True, False)
    assert stack.count() == 1
    assert stack.text(0) == "Set second line available, not eligible at FU1"
    assert second_line_rule(session)[0] == NOT_ELIGIBLE
    assert boxes(panel) == (True, False, True)
    assert_boxes_agree_with_the_rules(panel, session)
    assert status.second_line_available.text() == "available"  # recorded here now
    assert not status.second_line_available.font().italic()
    assert status.second_line_clear.isVisible()
    stack.undo()
    assert fu1(session).clinical.second_line is None
    assert boxes(panel) == (True, True, True)
    assert_boxes_agree_with_the_rules(panel, session)


def test_without_availability_eligible_is_off_and_locked(
    qtbot, panel: ClinicalPanel, session: ReadSession
) -> None:
    status = panel.status
    qtbot.mouseClick(status.second_line_available, LEFT)
    assert fu1(session).clinical.second_line == SecondLine(False, False)
    assert second_line_rule(session)[0] == NO_OPTION
    assert boxes(panel) == (False, False, False)
    assert_boxes_agree_with_the_rules(panel, session)
    # Ticking "available" again does not bring an old "eligible" back silently.
    qtbot.mouseClick(status.second_line_available, LEFT)
    assert fu1(session).clinical.second_line == SecondLine(True, False)
    assert_boxes_agree_with_the_rules(panel, session)
    qtbot.mouseClick(status.second_line_eligible, LEFT)
    assert fu1(session).clinical.second_line == SecondLine(True, True)
    assert second_line_rule(session)[0] == AVAILABLE
    assert_boxes_agree_with_the_rules(panel, session)


def test_clear_lets_the_earlier_record_apply_again(
    qtbot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    status = panel.status
    qtbot.mouseClick(status.second_line_available, LEFT)
    assert second_line_rule(session)[0] == NO_OPTION
    qtbot.mouseClick(status.second_line_clear, LEFT)
    assert fu1(session).clinical.second_line is None
    assert second_line_rule(session)[0] == AVAILABLE
    assert boxes(panel) == (True, True, True)
    assert status.second_line_available.text() == "available (from BL)"
    assert_boxes_agree_with_the_rules(panel, session)
    assert stack.count() == 2


def test_inconsistent_stored_values_show_as_the_engine_reads_them(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    # Eligible without availability (an old file): the engine sees no option.
    session.set_clinical(
        fu1(session).uid,
        dataclasses.replace(fu1(session).clinical, second_line=SecondLine(False, True)),
    )
    assert second_line_rule(session)[0] == NO_OPTION
    assert boxes(panel) == (False, False, False)
    assert_boxes_agree_with_the_rules(panel, session)
    assert "only when a second line is available" in (
        panel.status.second_line_hint.text()
    )


def test_the_earlier_time_point_shows_its_own_record(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    panel.set_timepoint(session.read.timepoints[0].uid)
    status = panel.status
    assert boxes(panel) == (True, True, True)
    assert status.second_line_available.text() == "available"
    assert "Recorded at BL" in status.second_line_hint.text()
    assert status.second_line_clear.isVisible()


def test_never_recorded_counts_as_not_available(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    bl = session.read.timepoints[0]
    session.set_clinical(bl.uid, dataclasses.replace(bl.clinical, second_line=None))
    assert second_line_rule(session)[0] == NO_OPTION
    assert boxes(panel) == (False, False, False)
    assert "counts as not available" in panel.status.second_line_hint.text()
    assert_boxes_agree_with_the_rules(panel, session)


def test_a_clinical_veto_is_named_beside_a_ticked_eligible(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    """Ticked "eligible" with Child-Pugh B: the hint gives the engine's reason."""
    clinical = dataclasses.replace(fu1(session).clinical, child_pugh="B7")
    session.set_clinical(fu1(session).uid, clinical)
    assert second_line_rule(session)[0] == AVAILABLE
    assert boxes(panel) == (True, True, True)  # the clinician's judgement, inherited
    assert_boxes_agree_with_the_rules(panel, session)
    hint = panel.status.second_line_hint.text()
    assert "second-line eligibility to review" in hint
    assert "Child-Pugh B7 is outside" in hint
