"""The clinical panel: one undo command per edit, and it follows the session."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox, QToolButton
from pytestqt.qtbot import QtBot
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import Action, Clinical, Patient, PatientRead
from respond.session import ReadSession, read_from_case
from respond.store import open_store
from respond.ui.clinical_panel import ClinicalPanel

TIMEOUT_MS = 2000


@pytest.fixture
def session(tmp_path: Path) -> ReadSession:
    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    return ReadSession(store, "HCC-0001", reader="dr-a")


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def panel(qtbot: QtBot, session: ReadSession, stack: QUndoStack) -> ClinicalPanel:
    panel = ClinicalPanel(session, stack)
    qtbot.addWidget(panel)
    panel.resize(1100, 780)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def fu1_clinical(session: ReadSession) -> Clinical:
    return session.read.timepoints[1].clinical


def rule_names(session: ReadSession) -> list[str]:
    assert session.assessment is not None
    return [reason.rule for reason in session.assessment.recommendation.rules]


def fired(session: ReadSession, start: str) -> bool:
    """Whether a rule whose name starts so fired (names may add the source)."""
    return any(rule.startswith(start) for rule in rule_names(session))


def test_the_panel_shows_the_engines_recommendation(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    assert panel.timepoint_uid == session.read.timepoints[1].uid  # the latest
    assert panel.recommendation.action_label.text() == "Discontinue sorafenib"
    rules = panel.recommendation.rules_label.text()
    assert "<ol>" in rules
    first = rules.index("radiologic and symptomatic progression")
    assert first < rules.index("no second-line option")
    assert panel.recommendation.footer.text().startswith("Decision support")
    # the FHSI-8 fall from baseline is shown and highlighted (SHARP)
    total = panel.fhsi8.total_label
    assert "27 \N{RIGHTWARDS ARROW} 22 (\N{MINUS SIGN}5)" in total.text()
    assert total.styleSheet()
    assert panel.status.ecog.currentIndex() == 2  # ECOG 1
    assert panel.status.child_pugh_class.currentText() == "A"
    assert panel.status.child_pugh_score.value() == 6
    assert panel.adverse_events.table.rowCount() == 1


def test_fhsi8_items_push_one_command_per_edit_and_change_the_recommendation(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    items = panel.fhsi8.items
    scores = [3, 3, 3, 3, 3, 3, 2, 2]  # 22, as the total recorded at FU1
    for spin, score in zip(items[:7], scores[:7], strict=True):
        spin.setValue(score)
    # seven of eight items: nothing stored yet, the recorded total stays
    assert stack.count() == 0
    assert fu1_clinical(session).fhsi8_items is None
    assert "7 of 8" in panel.fhsi8.hint.text()
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        items[7].setValue(scores[7])
    assert stack.count() == 1
    assert fu1_clinical(session).fhsi8_items == tuple(scores)
    assert fu1_clinical(session).fhsi8 == 22
    # back up to the baseline's 27, one command per item changed
    for index, score in ((6, 4), (7, 4), (0, 4)):
        with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
            items[index].setValue(score)
    assert stack.count() == 4
    assert fu1_clinical(session).fhsi8 == 27
    assert "27 \N{RIGHTWARDS ARROW} 27" in panel.fhsi8.total_label.text()
    assert not panel.fhsi8.total_label.styleSheet()
    assert "radiologic and symptomatic progression" not in rule_names(session)
    qtbot.waitUntil(
        lambda: (
            panel.recommendation.action_label.text()
            == "Interrupt, restart at 400 mg once daily"
        ),
        timeout=TIMEOUT_MS,
    )


def test_undo_restores_the_widgets_without_echo_edits(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    panel.fhsi8.total_only.setValue(27)
    assert stack.count() == 1
    assert session.assessment is not None
    assert session.assessment.recommendation.action is Action.INTERRUPT
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        stack.undo()
    assert panel.fhsi8.total_only.value() == 22
    assert fu1_clinical(session).fhsi8 == 22
    assert panel.fhsi8.total_label.styleSheet()  # highlighted again
    assert panel.recommendation.action_label.text() == "Discontinue sorafenib"
    assert (stack.count(), stack.index()) == (1, 0)  # the sync pushed nothing
    stack.redo()
    assert panel.fhsi8.total_only.value() == 27


def test_an_added_adverse_event_changes_the_rules(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    events.new_term.setCurrentText("Hypertension")
    events.new_grade.setValue(3)
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        events.add_button.click()
    assert [e.term for e in fu1_clinical(session).adverse_events] == [
        "hand_foot_skin_reaction",
        "hypertension",
    ]
    assert fired(session, "Hypertension grade 3")
    assert "Hypertension grade 3" in panel.recommendation.rules_label.text()
    assert events.table.rowCount() == 2
    # editing a row's grade is one command
    grade = events.table.cellWidget(0, 1)
    assert isinstance(grade, QSpinBox)
    grade.setValue(3)
    assert stack.count() == 2
    assert fired(
        session,
        "Palmar-plantar erythrodysesthesia syndrome (recorded as hand foot skin "
        "reaction) grade 3",
    )
    # remove the hypertension row again
    remove = events.table.cellWidget(1, 4)
    assert isinstance(remove, QToolButton)
    remove.click()
    qtbot.waitUntil(lambda: events.table.rowCount() == 1, timeout=TIMEOUT_MS)
    assert not fired(session, "hypertension")
    assert stack.count() == 3


def test_a_typed_adverse_event_term_is_stored_as_a_term(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    panel.adverse_events.new_term.setCurrentText("GI perforation")
    panel.adverse_events.add_button.click()
    assert fu1_clinical(session).adverse_events[-1].term == "gi_perforation"
    assert fired(session, "gi perforation grade 1")


def test_status_edits_store_consistent_values(
    panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    panel.status.child_pugh_score.setValue(8)  # the score sets the class
    assert fu1_clinical(session).child_pugh == "B8"
    assert panel.status.child_pugh_class.currentText() == "B"
    panel.status.child_pugh_class.setCurrentText("C")  # 8 is not a C score
    assert fu1_clinical(session).child_pugh == "C"
    dose = panel.status.dose
    dose.setCurrentIndex(dose.findText("interrupted"))
    assert fu1_clinical(session).is_interrupted
    assert fu1_clinical(session).dose_level is None
    panel.status.second_line_available.setChecked(True)
    assert fu1_clinical(session).second_line is not None
    assert stack.count() == 4
    assert stack.text(0) == "Set Child-Pugh B8 at FU1"


def test_a_half_entered_fhsi8_survives_another_edit(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    for spin in panel.fhsi8.items[:3]:
        spin.setValue(4)
    panel.status.ecog.setCurrentIndex(3)  # ECOG 2
    assert fu1_clinical(session).ecog == 2
    assert [s.value() for s in panel.fhsi8.items[:3]] == [4, 4, 4]


def test_the_panel_follows_edits_made_elsewhere(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    fu1 = session.read.timepoints[1].uid
    session.set_clinical(fu1, dataclasses.replace(fu1_clinical(session), ecog=3))
    assert panel.status.ecog.currentIndex() == 4
    assert "performance status" in panel.recommendation.rules_label.text()
    panel.set_timepoint(session.read.timepoints[0].uid)
    assert panel.fhsi8.total_label.text() == "Total 27 (baseline)"
    assert panel.title.text().startswith("Clinical status at BL")


def test_accept_records_a_decision_equal_to_the_recommendation(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    assert session.assessment is not None
    recommendation = session.assessment.recommendation
    panel.accept_button.click()
    decision = session.read.timepoints[-1].decision
    assert decision is not None
    assert decision.accepted
    assert (decision.action, decision.dose_level) == (
        recommendation.action,
        recommendation.dose_level,
    )
    qtbot.waitUntil(
        lambda: "Accepted</b> by dr-a" in panel.decision_label.text(),
        timeout=TIMEOUT_MS,
    )
    assert stack.count() == 0  # audited, not undoable


def test_override_needs_a_reason(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession
) -> None:
    panel.override_button.click()
    assert panel.override_form.isVisible()
    assert not panel.record_override_button.isEnabled()
    QTest.keyClicks(panel.override_reason, "   ")
    assert not panel.record_override_button.isEnabled()
    panel.override_action.setCurrentIndex(list(Action).index(Action.CONTINUE))
    panel.override_dose.setCurrentIndex(1)  # 400 mg once daily
    panel.override_reason.clear()
    QTest.keyClicks(panel.override_reason, "tumour board: continue, close follow-up")
    assert panel.record_override_button.isEnabled()
    panel.record_override_button.click()
    decision = session.read.timepoints[-1].decision
    assert decision is not None
    assert not decision.accepted
    assert (decision.action, decision.dose_level) == (Action.CONTINUE, -1)
    assert decision.reason == "tumour board: continue, close follow-up"
    assert decision.recommended_action is Action.DISCONTINUE
    qtbot.waitUntil(
        lambda: "Overridden</b> by dr-a" in panel.decision_label.text(),
        timeout=TIMEOUT_MS,
    )
    text = panel.decision_label.text()
    assert "Reason: tumour board" in text
    assert not panel.override_form.isVisible()


def test_sign_makes_the_editors_read_only_and_unlock_needs_a_reason(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    panel.sign_button.click()
    assert session.read.timepoints[1].is_signed
    assert not panel.fhsi8.isEnabled()
    assert not panel.status.ecog.isEnabled()
    assert not panel.adverse_events.add_button.isEnabled()
    assert not panel.accept_button.isEnabled()
    assert panel.signed_banner.isVisible()
    assert panel.signed_banner.text().startswith("Signed by dr-a at ")
    # an edit attempt changes nothing and says why
    panel.status.ecog.setCurrentIndex(4)
    assert stack.count() == 0
    assert fu1_clinical(session).ecog == 1
    assert panel.status.ecog.currentIndex() == 2
    assert panel.error_label.isVisible()
    assert "signed" in panel.error_label.text()
    # unlocking needs a reason
    assert not panel.unlock_button.isEnabled()
    QTest.keyClicks(panel.unlock_reason, "FHSI-8 questionnaire arrived late")
    panel.unlock_button.click()
    qtbot.waitUntil(lambda: panel.status.ecog.isEnabled(), timeout=TIMEOUT_MS)
    assert not session.read.timepoints[1].is_signed
    assert not panel.signed_banner.isVisible()
    panel.status.ecog.setCurrentIndex(4)
    assert fu1_clinical(session).ecog == 3
    assert stack.count() == 1


def test_a_sign_off_made_elsewhere_locks_the_panel(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    session.sign(session.read.timepoints[1].uid)
    assert not panel.fhsi8.isEnabled()
    assert not panel.sign_button.isEnabled()
    assert panel.signed_banner.isVisible()


def test_an_empty_read_has_no_recommendation_and_the_panel_follows_the_first(
    qtbot: QtBot, tmp_path: Path, stack: QUndoStack
) -> None:
    store = open_store(tmp_path / "empty.sqlite3")
    store.create_patient(PatientRead(Patient("P1")), who="t")
    session = ReadSession(store, "P1", reader="dr-a")
    panel = ClinicalPanel(session, stack)
    qtbot.addWidget(panel)
    assert panel.timepoint_uid is None
    assert not panel.fhsi8.isEnabled()
    assert panel.recommendation.action_label.text() == "No recommendation"
    assert not panel.accept_button.isEnabled()
    uid = session.add_timepoint(dt.date(2026, 1, 5))
    qtbot.waitUntil(lambda: panel.timepoint_uid == uid, timeout=TIMEOUT_MS)
    assert panel.fhsi8.isEnabled()
    panel.status.ecog.setCurrentIndex(1)
    assert session.read.timepoints[0].clinical.ecog == 0
