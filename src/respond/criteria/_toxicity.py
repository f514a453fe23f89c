"""Sorafenib dose changes for adverse events (Nexavar label; RULES 4.4).

Each event gives an action (continue, interrupt, discontinue), whether the restart
is one dose level lower, and the reason, citing the label's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from respond.criteria.result import Reason

if TYPE_CHECKING:
    from respond.criteria.model import AdverseEvent

LABEL = "sorafenib label"
HFSR_TERMS = frozenset(
    {
        "hand_foot_skin_reaction",
        "hand_foot_syndrome",
        "palmar_plantar_erythrodysesthesia",
        "skin_toxicity",
    }
)
CARDIAC_ISCHEMIA_TERMS = frozenset(
    {"cardiac_ischemia", "cardiac_ischaemia", "myocardial_infarction"}
)
BLEEDING_TERMS = frozenset({"bleeding", "hemorrhage", "haemorrhage"})
PERFORATION_TERMS = frozenset({"gi_perforation", "gastrointestinal_perforation"})
NO_IMPROVEMENT_DAYS = 7


class Severity(IntEnum):
    """How strongly a toxicity rule acts; the strongest one wins."""

    CONTINUE = 0
    INTERRUPT = 1
    DISCONTINUE = 2


@dataclass(frozen=True, slots=True)
class ToxicityRule:
    """One adverse event's rule: the action, a one-level reduction, the reason."""

    severity: Severity
    reduce: bool
    reason: Reason


def _name(event: AdverseEvent) -> str:
    return f"{event.term.replace('_', ' ')} grade {event.grade}"


def _ordinal(n: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")
    return f"{n}{suffix}"


def toxicity_rule(event: AdverseEvent) -> ToxicityRule:
    """Return the label's rule for one adverse event.

    Parameters
    ----------
    event
        The CTCAE-graded event.

    Returns
    -------
    ToxicityRule
        The action it asks for, and whether to restart one dose level lower.
    """
    term = event.term.strip().lower()
    if term in HFSR_TERMS:
        return _hfsr(event)
    if term in CARDIAC_ISCHEMIA_TERMS and event.grade >= 2:
        return _stop(event, "cardiac ischaemia or infarction grade >= 2: stop")
    if term in BLEEDING_TERMS and event.grade >= 2:
        return _stop(event, "bleeding needing medical intervention: stop")
    if term in PERFORATION_TERMS:
        return _stop(event, "gastrointestinal perforation: stop")
    if term == "heart_failure":
        return _graded(event, 3, "heart failure")
    if term == "hypertension":
        return _hypertension(event)
    return _other(event)


def _stop(event: AdverseEvent, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.DISCONTINUE, False, Reason(f"{LABEL}: {_name(event)}", text)
    )


def _interrupt(event: AdverseEvent, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.INTERRUPT, True, Reason(f"{LABEL}: {_name(event)}", text)
    )


def _keep(event: AdverseEvent, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.CONTINUE, False, Reason(f"{LABEL}: {_name(event)}", text)
    )


def _hfsr(event: AdverseEvent) -> ToxicityRule:
    grade, occurrence = event.grade, event.occurrence
    nth = f"{_ordinal(occurrence)} occurrence"
    restart = "interrupt until grade 0-1, then restart one dose level lower"
    if grade <= 1:
        return _keep(event, "continue; topical symptomatic care")
    if grade == 2:
        if occurrence >= 4:
            return _stop(event, f"{nth}: discontinue")
        if occurrence >= 2:
            return _interrupt(event, f"{nth}: {restart}")
        days = event.days_without_improvement
        if days is not None and days >= NO_IMPROVEMENT_DAYS:
            return _interrupt(event, f"no improvement in {days} days (>= 7): {restart}")
        return _keep(
            event,
            "1st occurrence: continue with topical care; interrupt if no "
            "improvement within 7 days",
        )
    if grade == 3:
        if occurrence >= 3:
            return _stop(event, f"{nth}: discontinue")
        return _interrupt(event, f"{nth}: {restart}")
    return _stop(event, "grade 4 or higher: discontinue")


def _graded(event: AdverseEvent, interrupt_grade: int, what: str) -> ToxicityRule:
    if event.grade >= interrupt_grade + 1:
        return _stop(event, f"{what} grade {event.grade}: stop")
    if event.grade == interrupt_grade:
        return _interrupt(
            event,
            f"{what} grade {interrupt_grade}: interrupt until grade <= 1, then "
            "resume one dose level lower",
        )
    return _keep(
        event, f"{what} grade {event.grade}: no dose change; treat and monitor"
    )


def _hypertension(event: AdverseEvent) -> ToxicityRule:
    persistent = event.occurrence >= 2 or (
        event.days_without_improvement is not None
        and event.days_without_improvement >= NO_IMPROVEMENT_DAYS
    )
    if event.grade >= 4:
        return _stop(event, "hypertension grade 4: stop")
    if event.grade == 3 or (event.grade == 2 and persistent):
        return _interrupt(
            event,
            "hypertension grade 3, or grade 2 persistent: interrupt until "
            "controlled (diastolic < 90 mmHg), then resume one dose level lower",
        )
    return _keep(event, "hypertension: antihypertensive treatment; no dose change")


def _other(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 4:
        return _stop(event, "grade 4 or higher adverse event: discontinue")
    if event.grade == 3:
        return _interrupt(
            event,
            "grade 3 adverse event: interrupt until grade <= 1, then resume one "
            "dose level lower",
        )
    return _keep(event, "grade 1-2: no dose change; symptomatic care")
