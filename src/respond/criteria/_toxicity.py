"""Sorafenib dose changes for one adverse event (RULES 4.4).

The event's term is looked up in the CTCAE v5 vocabulary
(``resources/ctcae/adverse-event-terms.csv``), which names the rule it follows:

- ``skin``: the seed's Table 5 (hand-foot skin reaction, rash);
- ``severe_cutaneous_reaction``, ``bleeding``, ``cardiac_ischemia``,
  ``heart_failure``, ``hypertension``, ``gi_perforation``, ``qt_prolongation``:
  the sorafenib label's rows;
- ``laboratory`` (asymptomatic laboratory abnormalities) and ``generic`` (every
  other clinical event): respond's defaults, shown as such. A generic grade 3-4
  event interrupts and restarts one level lower (grade 4 adds a review note);
  respond never discontinues on a generic row.

Each event gives a :class:`ToxicityRule`: how strongly it acts, whether the
restart is one dose level lower, the grade the event must be back to before a
restart (or a review), and the reason with its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from respond.criteria.categories import Action
from respond.criteria.result import Reason
from respond.criteria.vocabulary import ToxicityRuleKey, lookup, suggest

if TYPE_CHECKING:
    from respond.criteria.model import AdverseEvent

__all__ = [
    "DEFAULT",
    "LABEL",
    "SEED",
    "Severity",
    "ToxicityRule",
    "event_key",
    "event_name",
    "toxicity_rule",
]

SEED = "seed Table 5"
LABEL = "sorafenib label"
DEFAULT = "respond default"
CTCAE = "CTCAE v5"
NO_IMPROVEMENT_DAYS = 7
RESTART_GRADE = 1
"""Grade 0-1: the grade an interrupting event must be back to (skin, generic,
heart failure; hypertension grade <= 1 is diastolic < 90 mmHg)."""


class Severity(IntEnum):
    """How strongly a toxicity rule acts; the strongest one wins."""

    CONTINUE = 0
    REVIEW = 1
    INTERRUPT = 2
    DISCONTINUE = 3


@dataclass(frozen=True, slots=True)
class ToxicityRule:
    """One adverse event's rule.

    Parameters
    ----------
    severity
        What the event asks for on its own.
    reduce
        The restart after the interruption is one dose level lower.
    restart_grade
        The highest grade at which treatment may restart; ``None`` when the
        restart needs a clinical review instead (QT prolongation).
    reason
        The rule that fired, with its source and effect.
    review
        A review note the rule adds (grade 4 on a generic row).
    """

    severity: Severity
    reduce: bool
    restart_grade: int | None
    reason: Reason
    review: str = ""


def event_key(event: AdverseEvent) -> str:
    """Return the key that identifies an event across time points.

    Synonyms share their CTCAE term's key (``hand_foot_skin_reaction`` and
    ``palmar_plantar_erythrodysesthesia_syndrome`` are one event); an unknown
    term is its own key.
    """
    term = event.term.strip()
    found = lookup(term)
    return term if found is None else found.canonical


_LIVER_TESTS = frozenset(
    {
        "alanine_aminotransferase_increased",
        "aspartate_aminotransferase_increased",
        "blood_bilirubin_increased",
        "transaminases_increased",
    }
)
_BLOOD_COUNTS = frozenset(
    {
        "platelet_count_decreased",
        "neutrophil_count_decreased",
        "white_blood_cell_decreased",
        "lymphocyte_count_decreased",
    }
)


def event_name(event: AdverseEvent) -> str:
    """Return the event as a reader names it: the CTCAE term, and what was typed.

    ``hand_foot_skin_reaction`` reads "Palmar-plantar erythrodysesthesia
    syndrome (recorded as hand foot skin reaction)"; a respond short name such as
    ``bleeding`` reads "bleeding".
    """
    term = event.term.strip()
    typed = term.replace("_", " ")
    found = lookup(term)
    if found is None or not found.ctcae_term:
        return typed
    if found.synonym_of is None:
        return found.ctcae_term
    return f"{found.ctcae_term} (recorded as {typed})"


def _name(event: AdverseEvent) -> str:
    return f"{event_name(event)} grade {event.grade}"


def _ordinal(n: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")
    return f"{n}{suffix}"


def _reason(
    event: AdverseEvent, source: str, text: str, effect: Action | None
) -> Reason:
    return Reason(_name(event), text, source, effect)


def _stop(event: AdverseEvent, source: str, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.DISCONTINUE,
        False,
        None,
        _reason(event, source, text, Action.DISCONTINUE),
    )


def _interrupt(
    event: AdverseEvent,
    source: str,
    text: str,
    *,
    reduce: bool = True,
    restart_grade: int | None = RESTART_GRADE,
    review: str = "",
) -> ToxicityRule:
    return ToxicityRule(
        Severity.INTERRUPT,
        reduce,
        restart_grade,
        _reason(event, source, text, Action.INTERRUPT),
        review,
    )


def _keep(event: AdverseEvent, source: str, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.CONTINUE, False, None, _reason(event, source, text, None)
    )


def _review(event: AdverseEvent, source: str, text: str) -> ToxicityRule:
    return ToxicityRule(
        Severity.REVIEW, False, None, _reason(event, source, text, Action.REVIEW)
    )


def toxicity_rule(event: AdverseEvent) -> ToxicityRule:
    """Return the rule one adverse event follows.

    Parameters
    ----------
    event
        The CTCAE-graded event.

    Returns
    -------
    ToxicityRule
        What it asks for, whether the restart is one dose level lower, and the
        grade it must be back to before a restart.
    """
    if event.grade >= 5:
        return _stop(event, CTCAE, "grade 5 is death related to the event")
    found = lookup(event.term.strip())
    if found is None:
        close = ", ".join(suggest(event.term)) or "none close"
        return _review(
            event,
            DEFAULT,
            f"'{event.term}' is not a CTCAE v5 term respond knows (closest: "
            f"{close}): record it under its CTCAE term; no rule can be applied",
        )
    rule = found.rule
    if rule is ToxicityRuleKey.SKIN:
        return _skin(event)
    if rule is ToxicityRuleKey.SEVERE_CUTANEOUS_REACTION:
        return _stop(
            event,
            LABEL,
            "suspected Stevens-Johnson syndrome or toxic epidermal "
            "necrolysis: discontinue",
        )
    if rule is ToxicityRuleKey.BLEEDING:
        return _bleeding(event)
    if rule is ToxicityRuleKey.CARDIAC_ISCHEMIA:
        return _cardiac_ischemia(event)
    if rule is ToxicityRuleKey.HEART_FAILURE:
        return _heart_failure(event)
    if rule is ToxicityRuleKey.HYPERTENSION:
        return _hypertension(event)
    if rule is ToxicityRuleKey.GI_PERFORATION:
        return _stop(event, LABEL, "gastrointestinal perforation: discontinue")
    if rule is ToxicityRuleKey.QT_PROLONGATION:
        return _qt(event)
    if rule is ToxicityRuleKey.LABORATORY:
        return _laboratory(event, found.canonical)
    return _generic(event)


def _laboratory(event: AdverseEvent, key: str) -> ToxicityRule:
    if key in _LIVER_TESTS and event.grade >= 3:
        return _review(
            event,
            LABEL,
            "liver test grade >= 3: exclude drug-induced liver injury (the label "
            "stops sorafenib for it) and decompensation; review, no automatic "
            "dose change",
        )
    if key in _BLOOD_COUNTS and event.grade >= 3:
        return _review(
            event,
            DEFAULT,
            "blood count grade >= 3: bleeding or infection risk in cirrhosis; "
            "review, no automatic dose change",
        )
    return _review(
        event,
        DEFAULT,
        "laboratory abnormality: review its clinical significance and monitor; "
        "no automatic dose change",
    )


def _skin(event: AdverseEvent) -> ToxicityRule:
    grade, occurrence = event.grade, event.occurrence
    nth = f"{_ordinal(occurrence)} occurrence"
    restart = "interrupt until grade 0-1, then restart one dose level lower"
    if grade <= 1:
        return _keep(event, SEED, "no dose change; topical symptomatic care")
    if grade == 2:
        if occurrence >= 4:
            return _stop(event, SEED, f"{nth}: discontinue")
        if occurrence >= 2:
            return _interrupt(event, SEED, f"{nth}: {restart}")
        days = event.days_without_improvement
        if days is not None and days >= NO_IMPROVEMENT_DAYS:
            return _interrupt(
                event, SEED, f"no improvement in {days} days (>= 7): {restart}"
            )
        return _keep(
            event,
            SEED,
            "1st occurrence: no dose change, topical care; interrupt if no "
            "improvement within 7 days",
        )
    if grade == 3:
        if occurrence >= 3:
            return _stop(event, SEED, f"{nth}: discontinue")
        return _interrupt(event, SEED, f"{nth}: {restart}")
    return _generic(event)


def _bleeding(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 2:
        return _stop(
            event,
            LABEL,
            "bleeding needing medical intervention (CTCAE grade >= 2): discontinue",
        )
    return _keep(event, LABEL, "grade 1 bleeding: no dose change; monitor")


def _cardiac_ischemia(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 2:
        return _stop(
            event, LABEL, "cardiac ischaemia or infarction grade >= 2: discontinue"
        )
    return _keep(event, LABEL, "grade 1: no dose change; cardiac monitoring")


def _heart_failure(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 4:
        return _stop(event, LABEL, "heart failure grade 4: discontinue")
    if event.grade == 3:
        return _interrupt(
            event,
            LABEL,
            "heart failure grade 3: interrupt until grade <= 1, then resume one "
            "dose level lower",
        )
    return _keep(event, LABEL, "grade 1-2: no dose change; treat and monitor")


def _hypertension(event: AdverseEvent) -> ToxicityRule:
    persistent = event.occurrence >= 2 or (
        event.days_without_improvement is not None
        and event.days_without_improvement >= NO_IMPROVEMENT_DAYS
    )
    if event.grade >= 4:
        return _stop(event, LABEL, "hypertension grade 4: discontinue")
    if event.grade == 3 or (event.grade == 2 and persistent):
        return _interrupt(
            event,
            LABEL,
            "hypertension grade 3, or grade 2 persistent: interrupt until "
            "controlled (grade <= 1: diastolic < 90 mmHg), then resume one dose "
            "level lower",
        )
    return _keep(
        event, LABEL, "antihypertensive treatment; no dose change; monitor weekly"
    )


def _qt(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 3:
        review = ""
        if event.grade >= 4:
            review = (
                f"{_name(event)}: life-threatening arrhythmia; whether to stop is "
                "the clinician's call (tumour board)"
            )
        return _interrupt(
            event,
            LABEL,
            "QTc > 500 ms or > 60 ms above baseline (grade >= 3): interrupt, "
            "correct electrolytes; resume only after review",
            reduce=False,
            restart_grade=None,
            review=review,
        )
    return _keep(
        event, LABEL, "grade 1-2: no dose change; monitor ECG and electrolytes"
    )


def _generic(event: AdverseEvent) -> ToxicityRule:
    if event.grade >= 3:
        review = ""
        text = (
            f"grade {event.grade} event: interrupt until grade <= 1, then restart "
            "one dose level lower"
        )
        if event.grade >= 4:
            review = (
                f"{_name(event)}: grade 4 event; discontinuation is the "
                "clinician's call (tumour board)"
            )
            text += "; grade 4: review"
        return _interrupt(event, DEFAULT, text, review=review)
    return _keep(event, DEFAULT, "grade 1-2: no dose change; symptomatic care")
