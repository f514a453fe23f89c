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
    event_name,
    toxicity_rule,
)
from respond.criteria.categories import Action, DoseForm
from respond.criteria.result import Reason
from respond.criteria.vocabulary import lookup

if TYPE_CHECKING:
    from respond.criteria.model import Case, Clinical, TimePoint

__all__ = [
    "Draft",
    "apply_toxicity",
    "dose_of",
    "form_of",
    "interruption",
    "level_text",
    "reescalation",
    "restart_check",
    "restart_level",
    "resume",
    "tp_name",
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


def tp_name(tp: TimePoint) -> str:
    """Return a time point's label, or its date when it has none."""
    return tp.label or tp.date.isoformat()


@dataclass(slots=True)
class Draft:
    """The recommendation as it is built: rules, notes and what they ask for."""

    rules: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    toxicity: Severity = Severity.CONTINUE
    reduce: bool = False
    stop_liver: bool = False
    response_action: Action = Action.CONTINUE
    resume: list[_Cause] | None = None
    fatal: bool = False

    @property
    def stopping(self) -> bool:
        """Sorafenib stops for toxicity, liver function or performance status."""
        return self.toxicity is Severity.DISCONTINUE or self.stop_liver

    @property
    def holding(self) -> bool:
        """Sorafenib stops or stays interrupted whatever the response says."""
        return self.stopping or self.toxicity is Severity.INTERRUPT


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
    """Apply every current adverse event's row."""
    for event in current.adverse_events:
        rule = toxicity_rule(event)
        draft.rules.append(rule.reason)
        draft.fatal = draft.fatal or event.grade >= 5
        if rule.review:
            draft.rules.append(
                Reason(
                    f"grade {event.grade} event",
                    rule.review,
                    rule.reason.source,
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
                name = f"{event_name(event)} grade {event.grade}"
                causes[key] = _Cause(key, rule, tp_name(tp), name)
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
        return Action.REVIEW, None
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
    source = " / ".join(dict.fromkeys(c.rule.reason.source for c in causes))
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


def _given_levels(case: Case) -> list[int | None]:
    """Return the level given at each time point (None while interrupted)."""
    given: list[int | None] = []
    last: int | None = None
    for tp in case.timepoints:
        if tp.clinical.is_interrupted:
            given.append(None)
            continue
        if tp.clinical.dose_level is not None:
            last = tp.clinical.dose_level
        given.append(last if last is not None else 0)
    return given


def _reduction(case: Case, level: int) -> tuple[int, set[str]] | None:
    """Return where the current level was first given and the events behind it."""
    given = _given_levels(case)
    start = len(given) - 1
    while start > 0 and given[start - 1] in (level, None):
        start -= 1
    higher = start - 1
    while higher > 0 and given[higher] is None:
        higher -= 1
    if higher < 0:
        return None
    restart = next(i for i in range(start, len(given)) if given[i] is not None)
    keys = {
        event_key(event)
        for tp in case.timepoints[higher:restart]
        for event in tp.clinical.adverse_events
        if toxicity_rule(event).reduce
    }
    return (restart, keys) if keys else None


def restart_check(case: Case, draft: Draft, level: int) -> None:
    """Flag a restart after an interruption that did not go one level lower."""
    given = _given_levels(case)
    last = len(given) - 1
    if given[last] is None:
        return
    first = last
    while first > 0 and given[first - 1] == given[last]:
        first -= 1
    if first == 0 or given[first - 1] is not None:
        return
    begin = first - 1
    while begin > 0 and given[begin - 1] is None:
        begin -= 1
    before = given[begin - 1] if begin > 0 else None
    if before is None or level < before:
        return
    causes = [
        event
        for tp in case.timepoints[max(begin - 1, 0) : first]
        for event in tp.clinical.adverse_events
        if toxicity_rule(event).reduce
    ]
    if causes:
        names = ", ".join(dict.fromkeys(event_name(e) for e in causes))
        draft.notes.append(
            f"restarted at level {level} at {tp_name(case.timepoints[first])} after "
            f"the interruption for {names}, whose row asks for one level lower "
            "(review)"
        )


def reescalation(case: Case, draft: Draft, level: int) -> None:
    """Suggest re-escalation after 4 weeks at grade 0-1 of the reduction's causes.

    The 4 weeks count on the reduced level (from the restart), at grade 0-1 of
    every cause; no suggestion while any event is at grade 2 or more now.
    """
    found = _reduction(case, level)
    if found is None:
        return
    restart, keys = found
    timepoints = case.timepoints
    if any(g > RESTART_GRADE for g in _grades(timepoints[-1].clinical).values()):
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
    since = max(bad + 1, restart)
    if since >= len(timepoints):
        return
    days = (timepoints[-1].date - timepoints[since].date).days
    names = ", ".join(sorted(_display(k) for k in keys))
    where = tp_name(timepoints[since])
    if days >= REESCALATION_DAYS:
        draft.rules.append(
            Reason(
                "consider re-escalation",
                f"{names} at grade 0-1 on the reduced level for {days} days (since "
                f"{where}, >= 4 weeks): consider re-escalation to level "
                f"{level_text(level + 1)}; the clinician's choice",
                _BOX1,
            )
        )
    else:
        draft.notes.append(
            f"{names} at grade 0-1 on the reduced level since {where} ({days} "
            "days): re-escalation may be considered after 4 weeks"
        )


def _display(key: str) -> str:
    found = lookup(key)
    if found is not None and found.ctcae_term:
        return found.ctcae_term
    return key.replace("_", " ")
