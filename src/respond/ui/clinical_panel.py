"""The clinical panel: clinical status, the sorafenib recommendation, the decision.

Edits of the clinical status are undo commands (one per change, each carrying the
whole new :class:`~respond.criteria.Clinical`); the decision and the sign-off are
not undoable: they call the session directly, which audits them. The panel follows
the session's events and never polls.
"""

from __future__ import annotations

import html
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from respond.criteria import Action
from respond.errors import RespondError
from respond.session import SignedError
from respond.ui._adverse_events import AdverseEventPanel
from respond.ui._clinical_common import (
    WARNING_STYLE,
    Change,
    action_text,
    dose_text,
    format_when,
)
from respond.ui._clinical_widgets import Fhsi8Panel, SecondLineSource, StatusPanel
from respond.ui._recommendation import RecommendationPanel, rule_text
from respond.ui.commands import SetClinicalCommand, push

if TYPE_CHECKING:
    from collections.abc import Callable

    from psygnal import SignalInstance
    from PySide6.QtGui import QResizeEvent, QUndoStack

    from respond.criteria import TimePointRecord
    from respond.session import ReadSession

__all__ = ["ClinicalPanel", "RecommendationPanel"]

_BANNER_STYLE = (
    "background: #fff3e0; color: #4e342e; border: 1px solid #ffb74d;"
    " border-radius: 3px; padding: 6px;"
)
_OVERRIDE_DOSES: tuple[int | None, ...] = (0, -1, -2, None)


class ClinicalPanel(QWidget):
    """Edits a time point's clinical status; shows the recommendation and decision."""

    def __init__(
        self,
        session: ReadSession,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session, self._stack = session, undo_stack
        self._uid: str | None = None
        self._follows_latest = True
        self.title = QLabel()
        self.signed_banner = QLabel()
        self.signed_banner.setStyleSheet(_BANNER_STYLE)
        self.signed_banner.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(WARNING_STYLE)
        self.error_label.setWordWrap(True)
        self.fhsi8 = Fhsi8Panel()
        self.status = StatusPanel()
        self.adverse_events = AdverseEventPanel()
        self.recommendation = RecommendationPanel()
        self._build_decision()
        self._build_sign_off()
        self._build_layout()
        for editor in (self.fhsi8, self.status, self.adverse_events):
            editor.edited.connect(self._on_editor_edited)
        self._connect_session()
        self._retarget(reset=True)

    # -- building ----------------------------------------------------------------
    def _build_decision(self) -> None:
        self.decision_box = QGroupBox("Decision")
        self.decision_label = QLabel()
        self.decision_label.setWordWrap(True)
        self.accept_button = QPushButton("Accept")
        self.override_button = QPushButton("Override\N{HORIZONTAL ELLIPSIS}")
        self.override_button.setCheckable(True)
        self.override_action = QComboBox()
        self.override_action.addItems([action_text(a, None) for a in Action])
        self.override_dose = QComboBox()
        self.override_dose.addItems([dose_text(d) for d in _OVERRIDE_DOSES])
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("Reason (required)")
        self.record_override_button = QPushButton("Record override")
        self.record_override_button.setEnabled(False)
        self.override_form = QWidget()
        form = QFormLayout(self.override_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Action", self.override_action)
        form.addRow("Dose", self.override_dose)
        form.addRow("Reason", self.override_reason)
        form.addRow("", self.record_override_button)
        self.override_form.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self.decision_box)
        layout.addLayout(buttons)
        layout.addWidget(self.override_form)
        layout.addWidget(self.decision_label)
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.override_button.toggled.connect(self._on_override_button_toggled)
        self.override_reason.textChanged.connect(self._sync_buttons)
        self.record_override_button.clicked.connect(
            self._on_record_override_button_clicked
        )

    def _build_sign_off(self) -> None:
        self.sign_off_box = QGroupBox("Sign-off")
        self.sign_button = QPushButton("Sign time point")
        self.unlock_reason = QLineEdit()
        self.unlock_reason.setPlaceholderText("Reason for unlocking (audited)")
        self.unlock_button = QPushButton("Unlock\N{HORIZONTAL ELLIPSIS}")
        layout = QGridLayout(self.sign_off_box)
        layout.addWidget(self.sign_button, 0, 0)
        layout.addWidget(self.unlock_reason, 1, 0, 1, 2)
        layout.addWidget(self.unlock_button, 1, 2)
        layout.setColumnStretch(1, 1)
        self.sign_button.clicked.connect(self._on_sign_button_clicked)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.unlock_reason.textChanged.connect(self._sync_buttons)

    def _build_layout(self) -> None:
        content = QWidget()
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, content)
        self._columns = columns
        for boxes in (
            (self.fhsi8, self.status, self.adverse_events),
            (self.recommendation, self.decision_box, self.sign_off_box),
        ):
            column = QVBoxLayout()
            for box in boxes:
                column.addWidget(box)
            column.addStretch(1)
            columns.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.signed_banner, self.error_label):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        self._show_error("")

    TWO_COLUMNS_MIN_WIDTH = 860
    """Narrower than this, the two columns stack (the panel never forces width)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Two columns side by side when there is room, else one above the other."""
        wide = event.size().width() >= self.TWO_COLUMNS_MIN_WIDTH
        direction = (
            QBoxLayout.Direction.LeftToRight
            if wide
            else QBoxLayout.Direction.TopToBottom
        )
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
        super().resizeEvent(event)

    def _connect_session(self) -> None:
        events = self._session.events
        connections: list[tuple[SignalInstance, Callable[..., None]]] = [
            (events.clinical_changed, self._on_session_clinical_changed),
            (events.assessment_changed, self._on_session_assessment_changed),
            (events.decision_recorded, self._on_session_decision_recorded),
            (events.timepoint_signed, self._on_session_timepoint_signed),
            (events.timepoint_unlocked, self._on_session_timepoint_signed),
            (events.timepoint_added, self._on_session_timepoint_added),
            (events.timepoint_removed, self._on_session_timepoint_added),
            (events.timepoint_changed, self._on_session_timepoint_added),
        ]
        for signal, slot in connections:
            signal.connect(slot)
        # psygnal holds the slots; let go of them when the widget is destroyed
        self.destroyed.connect(partial(_disconnect, connections))

    # -- public API ----------------------------------------------------------------
    @property
    def timepoint_uid(self) -> str | None:
        """The time point whose clinical status is edited (None: no time point)."""
        return self._uid

    def set_timepoint(self, uid: str | None) -> None:
        """Edit the clinical status of this time point (None: follow the latest).

        Raises UnknownItemError for a uid that is not in the read.
        """
        if uid is not None:
            self._session.timepoint(uid)
        self._follows_latest = uid is None
        self._uid = uid
        self._retarget(reset=True)

    # -- syncing from the session ------------------------------------------------
    def _record(self) -> TimePointRecord | None:
        return None if self._uid is None else self._session.timepoint(self._uid)

    def _retarget(self, *, reset: bool = False) -> None:
        timepoints = self._session.read.timepoints
        uids = [tp.uid for tp in timepoints]
        before = self._uid
        if self._follows_latest or self._uid not in uids:
            self._uid = uids[-1] if uids else None
        self._sync_editors(reset=reset or self._uid != before)
        self._sync_recommendation()

    def _sync_editors(self, *, reset: bool = False) -> None:
        record = self._record()
        for editor in (self.fhsi8, self.status, self.adverse_events):
            editor.setEnabled(record is not None)
        if record is None:
            self.title.setText("Clinical status: no time point yet")
            self._sync_lock()
            return
        read = self._session.read
        baseline = read.timepoints[0]
        self.title.setText(
            f"Clinical status at {record.label} ({record.date.isoformat()})"
        )
        self.fhsi8.show_clinical(
            record.clinical,
            baseline.clinical.fhsi8_total,
            is_baseline=record.uid == baseline.uid,
            reset=reset,
        )
        self.status.show_clinical(record.clinical, self._second_line_source(record))
        self.adverse_events.show_events(record.clinical.adverse_events, reset=reset)
        self._sync_lock()

    def _second_line_source(self, record: TimePointRecord) -> SecondLineSource:
        """Return the second-line record the engine takes at ``record``, and verdict.

        As the sorafenib rules do: the latest record at or before the time
        point, in the read's order.
        """
        timepoints = self._session.read.timepoints
        uids = [tp.uid for tp in timepoints]
        upto = timepoints[: uids.index(record.uid) + 1]
        is_latest = record.uid == uids[-1]
        verdict = self._second_line_verdict() if is_latest else ""
        for tp in reversed(upto):
            offer = tp.clinical.second_line
            if offer is not None:
                return SecondLineSource(
                    record.label, offer, tp.label, tp.uid == record.uid, verdict
                )
        return SecondLineSource(record.label, verdict=verdict)

    def _second_line_verdict(self) -> str:
        """Return the recommendation's second-line rule (after the latest).

        The first rule about the second line answers the question; a review the
        engine asks about the answer (eligible, but outside the usual regimens)
        follows it.
        """
        assessment = self._session.assessment
        if assessment is None:
            return ""
        found = [
            reason
            for reason in assessment.recommendation.rules
            if "second line" in reason.rule or "second-line" in reason.rule
        ]
        reviews = [r for r in found[1:] if r.effect is Action.REVIEW]
        return "; ".join(rule_text(reason) for reason in found[:1] + reviews)

    def _sync_second_line(self) -> None:
        record = self._record()
        if record is not None:
            self.status.show_second_line(self._second_line_source(record))

    def _sync_recommendation(self) -> None:
        self.recommendation.show_recommendation(self._session)
        self._sync_decision()

    def _sync_decision(self) -> None:
        timepoints = self._session.read.timepoints
        latest = timepoints[-1] if timepoints else None
        self.decision_box.setTitle(
            f"Decision at {latest.label}" if latest else "Decision"
        )
        decision = latest.decision if latest else None
        if latest is None or decision is None:
            self.decision_label.setText("No decision recorded yet.")
            self._sync_buttons()
            return
        verb = "Accepted" if decision.accepted else "Overridden"
        who = html.escape(decision.decided_by)
        decided = action_text(decision.action, decision.dose_level)
        lines = [
            f"<b>{verb}</b> by {who} at {format_when(decision.decided_at)}",
            f"Decision: {decided}; dose {dose_text(decision.dose_level)}",
        ]
        if not decision.accepted:
            recommended = action_text(
                decision.recommended_action, decision.recommended_dose
            )
            lines.append(f"Recommended: {recommended}")
            lines.append(f"Reason: {html.escape(decision.reason)}")
        assessment = self._session.assessment
        if assessment is not None:
            rec = assessment.recommendation
            if (rec.action, rec.dose_level) != (
                decision.recommended_action,
                decision.recommended_dose,
            ):
                lines.append(
                    f"<span style='{WARNING_STYLE}'>The recommendation has changed "
                    "since: decide again.</span>"
                )
        self.decision_label.setText("<br>".join(lines))
        self._sync_buttons()

    def _sync_lock(self) -> None:
        record = self._record()
        is_signed = record is not None and record.is_signed
        for editor in (self.fhsi8, self.status, self.adverse_events):
            editor.setEnabled(record is not None and not is_signed)
        if record is not None and is_signed:
            self.signed_banner.setText(
                f"Signed by {record.signed_by} at {format_when(record.signed_at)}. "
                f"{record.label} is read-only; unlocking needs a reason, kept in "
                "the audit trail."
            )
        self.signed_banner.setVisible(is_signed)
        self.unlock_reason.setVisible(is_signed)
        self.unlock_button.setVisible(is_signed)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        record = self._record()
        timepoints = self._session.read.timepoints
        can_decide = (
            self._session.assessment is not None
            and bool(timepoints)
            and not timepoints[-1].is_signed
        )
        self.accept_button.setEnabled(can_decide)
        self.override_button.setEnabled(can_decide)
        self.record_override_button.setEnabled(
            can_decide and bool(self.override_reason.text().strip())
        )
        is_signed = record is not None and record.is_signed
        self.sign_button.setEnabled(record is not None and not is_signed)
        self.unlock_button.setEnabled(
            is_signed and bool(self.unlock_reason.text().strip())
        )

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text[:1].upper() + text[1:])
        self.error_label.setVisible(bool(text))

    # -- session events ------------------------------------------------------------
    def _on_session_clinical_changed(self, uid: str) -> None:
        self._sync_editors()

    def _on_session_assessment_changed(self) -> None:
        self._sync_recommendation()
        self._sync_second_line()

    def _on_session_decision_recorded(self, uid: str) -> None:
        self._sync_decision()

    def _on_session_timepoint_signed(self, uid: str) -> None:
        self._sync_lock()

    def _on_session_timepoint_added(self, uid: str) -> None:
        self._retarget()

    # -- edits (undoable) ----------------------------------------------------------
    def _on_editor_edited(self, text: str, change: Change) -> None:
        record = self._record()
        if record is None:
            return
        if record.is_signed:
            self._show_error(str(SignedError(record.label)))
            self._sync_editors()
            return
        clinical = change(record.clinical)
        if clinical == record.clinical:
            return
        command = SetClinicalCommand(self._session, record.uid, clinical)
        command.setText(f"{text} at {record.label}")
        if push(self._stack, command):
            self._show_error("")
        else:
            self._show_error(f"the edit at {record.label} was refused: {text}")
            self._sync_editors()

    # -- decision and sign-off (audited, not undoable) -------------------------
    def _call(self, intent: Callable[[], object]) -> bool:
        try:
            intent()
        except RespondError as exc:
            self._show_error(str(exc))
            return False
        self._show_error("")
        return True

    def _on_accept_button_clicked(self) -> None:
        self._call(partial(self._session.record_decision, accept=True))

    def _on_override_button_toggled(self, checked: bool) -> None:
        self.override_form.setVisible(checked)
        assessment = self._session.assessment
        if checked and assessment is not None:
            rec = assessment.recommendation
            self.override_action.setCurrentIndex(list(Action).index(rec.action))
            self.override_dose.setCurrentIndex(_OVERRIDE_DOSES.index(rec.dose_level))

    def _on_record_override_button_clicked(self) -> None:
        recorded = self._call(
            partial(
                self._session.record_decision,
                accept=False,
                action=list(Action)[self.override_action.currentIndex()],
                dose_level=_OVERRIDE_DOSES[self.override_dose.currentIndex()],
                reason=self.override_reason.text(),
            )
        )
        if recorded:
            self.override_reason.clear()
            self.override_button.setChecked(False)

    def _on_sign_button_clicked(self) -> None:
        if self._uid is not None:
            self._call(partial(self._session.sign, self._uid))

    def _on_unlock_button_clicked(self) -> None:
        uid = self._uid
        if uid is not None and self._call(
            partial(self._session.unlock, uid, self.unlock_reason.text())
        ):
            self.unlock_reason.clear()


def _disconnect(connections: list[tuple[SignalInstance, Callable[..., None]]]) -> None:
    for signal, slot in connections:
        signal.disconnect(slot)
