"""Dose levels, interruptions, restarts and re-escalation (RULES 4.4).

An interrupted patient restarts only when every event that required the
interruption is back to the grade its row asks for (grade 0-1). At the lowest
level (-2) a row that asks for one level lower gives a review (resume at the
lowest level or stop), never an automatic discontinuation. On a reduced level
whose causes have been at grade 0-1 for at least 4 weeks, re-escalation is
suggested (seed Box 1 and Table 5); the clinician chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from respond.criteria._toxicity import (
    DEFAULT,
    LABEL,
    RESTART_GRADE,
    Severity,
    ToxicityRule,
    event_key,
    toxicity_rule,
)
from respond.criteria.categories import Action, DoseForm
from respond.criteria.result import Reason

if TYPE_CHECKING:
    import datetime as dt

    from respond.criteria.model import Case, Clinical

__all__ = [
    "Draft",
    "apply_toxicity",
    "dose_of",
    "form_of",
    "interruption",
    "level_text",
    "reescalation",
    "restart_level",
    "resume",
]

LOWEST_DOSE_LEVEL = -2
REESCALATION_DAYS = 28
_BOX1 = "seed Box 1 and Table 5"
_LEVELS = {0: "400 mg twice daily", -1: "400 mg once daily"}
_FORMS = {
    DoseForm.EVERY_OTHER_DAY_400: "400 mg every other day",
    DoseForm.ONCE_DAILY_200: "200 mg once daily",
}


@dataclass(frozen=True, slots=True)
class _Cause:
    """An adverse event that required the current interruption."""

    key: str
    rule: ToxicityRule
    label: str
    name: str


@dataclass(slots=True)
class Draft:
    rules: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    toxicity: Severity = Severity.CONTINUE
    reduce: bool = False
    stop_liver: bool = False
    response_action: Action = Action.CONTINUE
    resume: list[_Cause] | None = None

    @property
    def stopping(self) -> bool:
        return self.toxicity is Severity.DISCONTINUE or self.stop_liver


def level_text(level: int, form: DoseForm | None = None) -> str:
    """Describe a dose level, e.g. ``-1 (400 mg once daily)``.

    Parameters
    ----------
    level
        0, -1 or -2.
    form
        At level -2, the form given, when recorded.

    Returns
    -------
    str
        The level with its dose; level -2 names the form, or both forms.
    """
    if level in _LEVELS:
        return f"{level} ({_LEVELS[level]})"
    if form is not None:
        return f"{level} ({_FORMS[form]})"
    return f"{level} (400 mg every other day or 200 mg once daily; record which)"


def dose_of(case: Case) -> tuple[int, bool]:
    """Return the last dose level given (0 when never recorded) and interruption."""
    current = case.timepoints[-1].clinical
    for tp in reversed(case.timepoints):
        if tp.clinical.dose_level is not None:
            return tp.clinical.dose_level, current.is_interrupted
    return 0, current.is_interrupted


def form_of(case: Case) -> DoseForm | None:
    for tp in reversed(case.timepoints):
        if tp.clinical.dose_level is not None:
            return tp.clinical.dose_form
    return None


def apply_toxicity(current: Clinical, draft: Draft) -> None:
    for event in current.adverse_events:
        rule = toxicity_rule(event)
        draft.rules.append(rule.reason)
        if rule.review:
            draft.rules.append(
                Reason(
                    "grade 4 event (respond default)",
                    rule.review,
                    DEFAULT,
                    Action.REVIEW,
                )
            )
        draft.toxicity = max(draft.toxicity, rule.severity)
        draft.reduce = draft.reduce or rule.reduce


def _grades(clinical: Clinical) -> dict[str, int]:
    grades: dict[str, int] = {}
    for event in clinical.adverse_events:
        key = event_key(event)
        grades[key] = max(grades.get(key, 0), event.grade)
    return grades


def interruption(case: Case, draft: Draft) -> None:
    """Keep the interruption until every event that required it is back down."""
    timepoints = case.timepoints
    start = len(timepoints) - 1
    while start > 0 and timepoints[start - 1].clinical.is_interrupted:
        start -= 1
    causes: dict[str, _Cause] = {}
    for tp in timepoints[max(start - 1, 0) : -1]:
        for event in tp.clinical.adverse_events:
            rule = toxicity_rule(event)
            if rule.severity is Severity.INTERRUPT:
                key = event_key(event)
                name = f"{event.term.replace('_', ' ')} grade {event.grade}"
                causes[key] = _Cause(key, rule, tp.label, name)
    now = _grades(timepoints[-1].clinical)
    pending = [c for c in causes.values() if now.get(c.key, 0) > RESTART_GRADE]
    for cause in pending:
        grade = now[cause.key]
        draft.rules.append(
            Reason(
                f"interrupted for {cause.name} at {cause.label}",
                f"restart only when it is back to grade 0-1; now grade {grade} -> "
                "keep the interruption",
                cause.rule.reason.source,
                Action.INTERRUPT,
            )
        )
        draft.toxicity = max(draft.toxicity, Severity.INTERRUPT)
        draft.reduce = draft.reduce or cause.rule.reduce
    if not pending:
        draft.resume = list(causes.values())


def restart_level(draft: Draft, level: int, form: DoseForm | None) -> tuple[int, bool]:
    """Return the restart level, and whether no lower level was left."""
    if not draft.reduce:
        return level, False
    if level <= LOWEST_DOSE_LEVEL:
        draft.rules.append(
            Reason(
                "no lower dose level",
                f"already at level {level_text(LOWEST_DOSE_LEVEL, form)}: resume at "
                "the lowest level or stop, a tumour-board decision",
                LABEL,
                Action.REVIEW,
            )
        )
        return LOWEST_DOSE_LEVEL, True
    target = level - 1
    if target == LOWEST_DOSE_LEVEL:
        draft.notes.append(f"restart at level {level_text(target)}")
    return target, False


def resume(
    draft: Draft, level: int, form: DoseForm | None
) -> tuple[Action, int | None]:
    causes = draft.resume
    if not causes:
        draft.rules.append(
            Reason(
                "resume after interruption",
                "no recorded adverse event required the interruption: when and at "
                "which level to resume is the clinician's call",
                DEFAULT,
                Action.REVIEW,
            )
        )
        return Action.REVIEW, level
    names = ", ".join(f"{c.name} at {c.label}" for c in causes)
    draft.reduce = any(c.rule.reduce for c in causes)
    target, floor = restart_level(draft, level, form)
    if floor:
        return Action.REVIEW, target
    if any(c.rule.restart_grade is None for c in causes):
        draft.rules.append(
            Reason(
                "resume after interruption",
                f"{names} back to grade 0-1: resume only after review (ECG and "
                f"electrolytes), at level {level_text(target, form)}",
                LABEL,
                Action.REVIEW,
            )
        )
        return Action.REVIEW, target
    if draft.response_action in (Action.REVIEW, Action.REPEAT_IMAGING):
        return draft.response_action, target
    source = causes[0].rule.reason.source
    action = Action.CONTINUE_REDUCED_DOSE if draft.reduce else Action.CONTINUE
    how = "one dose level lower" if draft.reduce else "at the same level"
    draft.rules.append(
        Reason(
            "resume after interruption",
            f"{names} back to grade 0-1: resume {how}, level "
            f"{level_text(target, form)}",
            source,
            action,
        )
    )
    if draft.toxicity is Severity.REVIEW:
        return Action.REVIEW, target
    return action, target


def reescalation(case: Case, draft: Draft, level: int) -> None:
    """Suggest re-escalation after 4 weeks at grade 0-1 of the reduction's causes."""
    timepoints = case.timepoints
    given: list[int | None] = []
    last: int | None = None
    for tp in timepoints:
        if tp.clinical.is_interrupted:
            given.append(None)
            continue
        if tp.clinical.dose_level is not None:
            last = tp.clinical.dose_level
        given.append(last if last is not None else 0)
    start = len(timepoints) - 1
    while start > 0 and given[start - 1] in (level, None):
        start -= 1
    higher = start - 1
    while higher > 0 and given[higher] is None:
        higher -= 1
    keys = {
        event_key(event)
        for tp in timepoints[max(higher, 0) : start]
        for event in tp.clinical.adverse_events
        if toxicity_rule(event).reduce
    }
    if not keys or higher < 0:
        return
    bad = max(
        (
            i
            for i, tp in enumerate(timepoints)
            if any(
                g > RESTART_GRADE for k, g in _grades(tp.clinical).items() if k in keys
            )
        ),
        default=-1,
    )
    if bad == len(timepoints) - 1:
        return
    since: dt.date = timepoints[bad + 1].date
    days = (timepoints[-1].date - since).days
    names = ", ".join(sorted(k.replace("_", " ") for k in keys))
    if days >= REESCALATION_DAYS:
        draft.rules.append(
            Reason(
                "consider re-escalation",
                f"{names} at grade 0-1 for {days} days (since "
                f"{timepoints[bad + 1].label}, >= 4 weeks): consider re-escalation "
                f"to level {level_text(level + 1)}; the clinician's choice",
                _BOX1,
            )
        )
    else:
        draft.notes.append(
            f"{names} at grade 0-1 for {days} days: re-escalation may be "
            "considered after 4 weeks"
        )
