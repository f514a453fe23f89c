"""Clinical panel: CTCAE v5 terms only, the two forms of dose level -2, rule sources.

Adverse-event terms come from the vocabulary with type-ahead; typed text that is
no term is never recorded. Level -2 is chosen in the form given. Each fired rule
names its source; a rule that asks for a review is tagged so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox
from pytestqt.qtbot import QtBot
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import AdverseEvent, Clinical, DoseForm
from respond.session import ReadSession, read_from_case
from respond.store import SqliteStore, open_store
from respond.ui.clinical_panel import ClinicalPanel

TIMEOUT_MS = 2000
PATIENT = "HCC-0001"
# the offscreen platform cannot raise a popup or grab the keyboard for it
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with open_store(tmp_path / "reads.sqlite3") as store:
        store.create_patient(
            read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
        )
        yield store


@pytest.fixture
def session(store: SqliteStore) -> ReadSession:
    return ReadSession(store, PATIENT, reader="dr-a")


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


def open_panel(qtbot: QtBot, session: ReadSession, stack: QUndoStack) -> ClinicalPanel:
    panel = ClinicalPanel(session, stack)
    qtbot.addWidget(panel)
    panel.resize(1100, 780)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def panel(qtbot: QtBot, session: ReadSession, stack: QUndoStack) -> ClinicalPanel:
    return open_panel(qtbot, session, stack)


def fu1_clinical(session: ReadSession) -> Clinical:
    return session.read.timepoints[1].clinical


def plain(rich_text: str) -> str:
    """Return rich text as the reader sees it."""
    document = QTextDocument()
    document.setHtml(rich_text)
    return document.toPlainText().replace("\N{NO-BREAK SPACE}", " ")


def rules_shown(panel: ClinicalPanel) -> list[str]:
    """The lines of the "Rules that fired" list, as shown."""
    return plain(panel.recommendation.rules_label.text()).splitlines()


def rule_head(panel: ClinicalPanel, start: str) -> str:
    """The part before the colon of the rule shown that starts so, spaces folded."""
    line = next(t for t in rules_shown(panel) if t.startswith(start))
    return " ".join(line.split(":")[0].split())


def type_into(qtbot: QtBot, combo, text: str) -> None:
    """Give the combo the focus, clear it, and type as a reader does."""
    line = combo.lineEdit()
    combo.setFocus()
    qtbot.waitUntil(line.hasFocus, timeout=TIMEOUT_MS)
    line.selectAll()
    QTest.keyClick(line, Qt.Key.Key_Backspace)
    QTest.keyClicks(line, text)


def offered(combo) -> list[str]:
    """The terms the type-ahead offers for what was typed."""
    completions = combo.completer().completionModel()
    return [completions.index(row, 0).data() for row in range(completions.rowCount())]


# -- adverse-event terms ---------------------------------------------------------
def test_the_drop_down_lists_frequent_sorafenib_terms_first_with_their_category(
    panel: ClinicalPanel,
) -> None:
    combo = panel.adverse_events.new_term
    first = [combo.itemText(row) for row in range(12)]
    assert first[0] == "Frequent with sorafenib"
    assert first[1].startswith("hand foot skin reaction (Palmar-plantar")
    for term in ("Diarrhea", "Hypertension", "Fatigue", "Anorexia", "bleeding"):
        assert term in first
    assert "Rash maculo-papular" in first
    # every CTCAE v5 term follows, A-Z, each with its category as a tooltip
    assert combo.count() > 800
    row = combo.findText("Hypertension")
    assert "Vascular disorders" in combo.itemData(row, Qt.ItemDataRole.ToolTipRole)


def test_typing_part_of_a_term_offers_it_and_the_key_is_stored(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    type_into(qtbot, events.new_term, "hand foo")
    popup = events.new_term.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT_MS)
    terms = offered(events.new_term)
    assert any(t.startswith("hand foot skin reaction (Palmar-plantar") for t in terms)
    assert any(t.startswith("hand foot syndrome") for t in terms)
    # Enter on the first offer completes the field; Add records its key
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert events.new_term.currentText().startswith("hand foot skin reaction")
    events.new_grade.setValue(2)
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        events.add_button.click()
    added = fu1_clinical(session).adverse_events[-1]
    assert (added.term, added.grade) == ("hand_foot_skin_reaction", 2)
    assert stack.text(0).startswith("Add hand foot skin reaction")
    assert not events.message.isVisible()


def test_keys_and_any_case_are_offered_too(qtbot: QtBot, panel: ClinicalPanel) -> None:
    combo = panel.adverse_events.new_term
    type_into(qtbot, combo, "LIPASE")
    assert "Lipase increased" in offered(combo)
    type_into(qtbot, combo, "upper_gastro")
    assert "Upper gastrointestinal hemorrhage" in offered(combo)


def test_an_unknown_term_is_refused_with_suggestions_and_nothing_is_added(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    before = fu1_clinical(session).adverse_events
    type_into(qtbot, events.new_term, "hypertensoin")
    events.new_grade.setValue(3)
    events.add_button.click()
    assert stack.count() == 0
    assert fu1_clinical(session).adverse_events == before
    assert events.message.isVisible()
    said = plain(events.message.text())
    assert said.startswith(
        "\N{LEFT SINGLE QUOTATION MARK}hypertensoin\N{RIGHT SINGLE QUOTATION MARK} "
        "is not a CTCAE v5 term; did you mean: Hypertension"
    )
    # what the reader entered is kept
    assert events.new_term.currentText() == "hypertensoin"
    assert events.new_grade.value() == 3
    # a suggestion is a link: following it fills the field, Add records it
    events.message.linkActivated.emit("hypertension")
    assert events.new_term.currentText() == "Hypertension"
    assert not events.message.isVisible()
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        events.add_button.click()
    added = fu1_clinical(session).adverse_events[-1]
    assert (added.term, added.grade) == ("hypertension", 3)


def test_a_grade_ctcae_does_not_define_for_the_term_is_refused(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    before = fu1_clinical(session).adverse_events
    type_into(qtbot, events.new_term, "Myocardial infarction")
    events.new_grade.setValue(1)
    events.add_button.click()
    assert stack.count() == 0
    assert fu1_clinical(session).adverse_events == before
    assert "no grade 1 in CTCAE v5" in plain(events.message.text())
    events.new_grade.setValue(2)
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        events.add_button.click()
    added = fu1_clinical(session).adverse_events[-1]
    assert (added.term, added.grade) == ("myocardial_infarction", 2)


def test_the_refusal_shows_typed_markup_as_text(
    qtbot: QtBot, panel: ClinicalPanel, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    type_into(qtbot, events.new_term, "<b>rash</b>")
    events.add_button.click()
    assert stack.count() == 0
    assert "<b>rash</b>" in plain(events.message.text())


def test_a_row_term_typed_wrong_is_not_recorded_and_a_term_is(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    combo = events.term_combo(0)
    assert combo.currentText().startswith("hand foot skin reaction")
    type_into(qtbot, combo, "xyzzy")
    QTest.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    assert stack.count() == 0
    assert fu1_clinical(session).adverse_events[0].term == "hand_foot_skin_reaction"
    assert "is not a CTCAE v5 term" in plain(events.message.text())
    assert combo.currentText() == "xyzzy"  # kept for the reader to correct
    type_into(qtbot, combo, "diarr")
    popup = combo.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=TIMEOUT_MS)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
        QTest.keyClick(popup, Qt.Key.Key_Return)
    assert fu1_clinical(session).adverse_events[0].term == "diarrhea"
    assert combo.currentText() == "Diarrhea"
    assert not events.message.isVisible()


def test_an_old_term_that_is_no_ctcae_term_is_shown_marked_and_kept(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    fu1 = session.read.timepoints[1].uid
    old = AdverseEvent(term="skin_peeling", grade=2)
    session.set_clinical(
        fu1, dataclasses.replace(fu1_clinical(session), adverse_events=(old,))
    )
    combo = panel.adverse_events.term_combo(0)
    assert combo.currentText() == "skin_peeling"
    assert "not a CTCAE v5 term: choose one" in combo.toolTip()
    # leaving the field or editing the grade never changes the term
    combo.setFocus()
    qtbot.waitUntil(combo.lineEdit().hasFocus, timeout=TIMEOUT_MS)
    QTest.keyClick(combo.lineEdit(), Qt.Key.Key_Return)
    grade = panel.adverse_events.table.cellWidget(0, 1)
    assert isinstance(grade, QSpinBox)
    grade.setValue(3)
    assert fu1_clinical(session).adverse_events == (
        AdverseEvent(term="skin_peeling", grade=3),
    )
    assert stack.count() == 1
    assert combo.currentText() == "skin_peeling"
    assert "not a CTCAE v5 term" in combo.toolTip()
    # the engine asks for a review of it, and the rules list says so
    head = rule_head(panel, "skin peeling grade 3")
    assert head == "skin peeling grade 3 [respond default] [review]"


# -- dose level -2 ---------------------------------------------------------------
def test_dose_level_minus_two_is_chosen_in_its_form_and_shown_again(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    dose = panel.status.dose
    entries = [dose.itemText(row) for row in range(dose.count())]
    assert "400 mg every other day (level \N{MINUS SIGN}2)" in entries
    assert "200 mg once daily (level \N{MINUS SIGN}2)" in entries
    dose.setCurrentIndex(dose.findText("200 mg once daily (level \N{MINUS SIGN}2)"))
    clinical = fu1_clinical(session)
    assert (clinical.dose_level, clinical.dose_form) == (-2, DoseForm.ONCE_DAILY_200)
    assert stack.text(0).startswith("Set dose 200 mg once daily")
    # reopened, the panel shows the form stored
    again = ReadSession(session.store, PATIENT, reader="dr-a")
    reopened = open_panel(qtbot, again, QUndoStack())
    assert reopened.status.dose.currentText() == (
        "200 mg once daily (level \N{MINUS SIGN}2)"
    )
    # the other form, then another level: the form goes with level -2
    dose.setCurrentIndex(
        dose.findText("400 mg every other day (level \N{MINUS SIGN}2)")
    )
    assert fu1_clinical(session).dose_form is DoseForm.EVERY_OTHER_DAY_400
    dose.setCurrentIndex(dose.findText("400 mg once daily (level \N{MINUS SIGN}1)"))
    clinical = fu1_clinical(session)
    assert (clinical.dose_level, clinical.dose_form) == (-1, None)
    stack.undo()
    assert dose.currentText() == "400 mg every other day (level \N{MINUS SIGN}2)"


def test_level_minus_two_without_a_form_asks_for_one(
    panel: ClinicalPanel, session: ReadSession
) -> None:
    fu1 = session.read.timepoints[1].uid
    session.set_clinical(
        fu1,
        dataclasses.replace(fu1_clinical(session), dose_level=-2, is_interrupted=False),
    )
    dose = panel.status.dose
    assert dose.currentIndex() == -1  # no entry claims a form not recorded
    assert dose.placeholderText() == (
        "level \N{MINUS SIGN}2, form not recorded: choose one"
    )
    assert fu1_clinical(session).dose_form is None


# -- the rules that fired --------------------------------------------------------
def test_each_rule_names_its_source_and_reviews_are_tagged(
    qtbot: QtBot, panel: ClinicalPanel, session: ReadSession, stack: QUndoStack
) -> None:
    events = panel.adverse_events
    for term, grade in (("Hypertension", 3), ("Lipase increased", 3)):
        type_into(qtbot, events.new_term, term)
        events.new_grade.setValue(grade)
        with qtbot.waitSignal(stack.indexChanged, timeout=TIMEOUT_MS):
            events.add_button.click()
    assert rule_head(panel, "Hypertension grade 3") == (
        "Hypertension grade 3 [sorafenib label]"
    )
    assert rule_head(panel, "Lipase increased grade 3") == (
        "Lipase increased grade 3 [respond default] [review]"
    )
    assert rule_head(panel, "Palmar-plantar") == (
        "Palmar-plantar erythrodysesthesia syndrome (recorded as hand foot skin "
        "reaction) grade 2 [seed Table 5]"
    )
    assert rule_head(panel, "radiologic and symptomatic progression") == (
        "radiologic and symptomatic progression [SHARP (Llovet 2008)]"
    )
