"""The recommendation box of the clinical panel: the action, the dose, the rules.

Every rule that fired is listed in order with its source (seed Table 5, the
sorafenib label, SHARP, EASL 2018, respond default ...) as a muted tag; a rule
that asks for a review is tagged so. All text from the engine is HTML-escaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from respond.criteria import Action
from respond.ui._clinical_common import (
    HINT_STYLE,
    LOWEST_LEVEL,
    MUTED_COLOR,
    REVIEW_TAG_STYLE,
    action_text,
    dose_text,
)

if TYPE_CHECKING:
    from respond.criteria import DoseForm, Reason
    from respond.session import ReadSession

__all__ = ["RecommendationPanel", "rule_html", "rule_text"]


def rule_text(reason: Reason) -> str:
    """Return a fired rule as plain text: ``name [source]: text``."""
    source = f" [{reason.source}]" if reason.source else ""
    return f"{reason.rule}{source}: {reason.text}"


def rule_html(reason: Reason) -> str:
    """Return one fired rule as a list item: name, source, review tag, text.

    The source follows the name in square brackets, as in the reports.
    """
    source = reason.source
    parts = [f"<b>{html.escape(reason.rule)}</b>"]
    if source:
        parts.append(
            f"<span style='color: {MUTED_COLOR};'>[{html.escape(source)}]</span>"
        )
    if reason.effect is Action.REVIEW:
        parts.append(f"<span style='{REVIEW_TAG_STYLE}'>[review]</span>")
    return f"<li>{' '.join(parts)}: {html.escape(reason.text)}</li>"


def current_form(session: ReadSession) -> DoseForm | None:
    """Return the form of level -2 the patient is on, as last recorded."""
    for record in reversed(session.read.timepoints):
        clinical = record.clinical
        if clinical.dose_level is not None:
            return clinical.dose_form if clinical.dose_level == LOWEST_LEVEL else None
    return None


class RecommendationPanel(QGroupBox):
    """Shows the session's recommendation: the action, the dose, rules and notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Recommendation", parent)
        self.action_label = QLabel()
        font = self.action_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.action_label.setFont(font)
        self.dose_label = QLabel()
        self.rules_label = QLabel()
        self.notes_label = QLabel()
        for label in (self.action_label, self.rules_label, self.notes_label):
            label.setWordWrap(True)
        self.footer = QLabel("Decision support \N{EM DASH} the clinician decides.")
        self.footer.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        for widget in (
            self.action_label,
            self.dose_label,
            self.rules_label,
            self.notes_label,
            self.footer,
        ):
            layout.addWidget(widget)

    def show_recommendation(self, session: ReadSession) -> None:
        """Show the recommendation after the latest time point, or why there is none."""
        assessment = session.assessment
        timepoints = session.read.timepoints
        latest = timepoints[-1].label if timepoints else ""
        self.setTitle(f"Recommendation after {latest}" if latest else "Recommendation")
        if assessment is None:
            self.action_label.setText("No recommendation")
            self.dose_label.setText("")
            self.rules_label.setText(html.escape(session.assessment_problem or ""))
            self.notes_label.setText("")
            return
        rec = assessment.recommendation
        # level -2 in the form the patient is on, when it is the level in use
        form = current_form(session) if rec.dose_level == LOWEST_LEVEL else None
        self.action_label.setText(action_text(rec.action, rec.dose_level, form))
        dose = dose_text(rec.dose_level, form) if rec.dose_level is not None else None
        self.dose_label.setText(f"Dose: {dose or 'none (no sorafenib now)'}")
        rules = "".join(rule_html(reason) for reason in rec.rules)
        self.rules_label.setText(f"Rules that fired, in order:<ol>{rules}</ol>")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in rec.notes)
        self.notes_label.setText(f"Notes:<ul>{notes}</ul>" if notes else "")
