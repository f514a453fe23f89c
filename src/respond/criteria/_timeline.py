"""The time-line both criteria share: sums, nadir, categories, in date order.

The skeleton is RECIST 1.1's (sections 4.3-4.4); a criterion supplies its values,
non-targets and new-lesion rules through :class:`CriterionRules`. Categories are
decided in the order NE check, CR, reappearance after CR, PD, PR, continuing PR,
SD (RULES 1.3 and section 3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria._arith import ZERO, meets_pd, meets_pr, mm, pct
from respond.criteria._newlesions import NewLesionTimeline, new_lesion_timeline
from respond.criteria.bor import confirmation
from respond.criteria.categories import NonTargetStatus, Response
from respond.criteria.overall import overall_response
from respond.criteria.recist11 import is_gone
from respond.criteria.result import CriterionResult, Reason

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from respond.criteria._protocol import CriterionRules, NonTargetItem, Valuation
    from respond.criteria.model import Case, Lesion, LesionId, Settings, TimePoint
    from respond.criteria.result import CaseWarning


@dataclass(slots=True)
class _State:
    """What earlier time points leave for the next one."""

    baseline_sum: Decimal | None
    complete_sums: list[Decimal] = field(default_factory=list)
    had_response: bool = False
    overalls: list[tuple[dt.date, str, Response]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _TargetOutcome:
    category: Response | None
    sum_mm: Decimal | None
    reasons: list[Reason]


def assess_timeline(
    case: Case, rules: CriterionRules
) -> tuple[list[CriterionResult], list[CaseWarning]]:
    """Assess every time point of a case under one criterion.

    Parameters
    ----------
    case
        The case.
    rules
        The criterion's rules.

    Returns
    -------
    tuple
        One result per time point (baseline first) and the criterion's warnings.
    """
    scope, warnings = rules.scope(case)
    news = new_lesion_timeline(case, rules)
    baseline = _baseline(case, rules, scope)
    state = _State(baseline.sum_mm)
    if baseline.sum_mm is not None:
        state.complete_sums.append(baseline.sum_mm)
    results = [baseline]
    for index, tp in enumerate(case.timepoints[1:], start=1):
        results.append(_follow_up(case, rules, scope, tp, index, news, state))
    _apply_backdates(results, news, rules)
    return results, warnings


def _cite(rules: CriterionRules, topic: str) -> str:
    return f"{rules.rule} {CITATIONS[rules.rule][topic]}"


CITATIONS: Mapping[str, Mapping[str, str]] = {
    "RECIST1.1": {
        "baseline": "4.2",
        "target": "4.3.1",
        "values": "4.3.2",
        "missing": "4.4.2 (A4)",
        "reappear": "WG Q&A: reappearance after CR (A3)",
        "continuing": "WG Q&A: continuing PR (A1)",
        "non_target": "4.3.3",
        "nt_progression": "4.3.4 (A5)",
        "backdate": "4.3.5 (A8)",
    },
    "mRECIST": {
        "baseline": "target lesions: viable sum",
        "target": "target lesions",
        "values": "target lesions / RECIST1.1 4.3.2",
        "missing": "target lesions / RECIST1.1 4.4.2 (A4)",
        "reappear": "/ RECIST WG Q&A: reappearance after CR (A3)",
        "continuing": "/ RECIST WG Q&A: continuing PR (A1)",
        "non_target": "non-target lesions",
        "nt_progression": "non-target lesions (A5)",
        "backdate": "new lesion, back-dated (A8)",
    },
}


def _values(
    rules: CriterionRules, scope: Sequence[Lesion], tp: TimePoint
) -> dict[LesionId, Valuation]:
    return {
        lesion.id: rules.value(lesion, tp.targets.get(lesion.id), tp)
        for lesion in scope
    }


def _breakdown(values: Mapping[LesionId, Valuation]) -> str:
    return "; ".join(v.note for v in values.values() if v.note)


def _baseline(
    case: Case, rules: CriterionRules, scope: Sequence[Lesion]
) -> CriterionResult:
    tp = case.baseline
    reasons: list[Reason] = []
    total: Decimal | None = None
    unavailable = rules.unavailable(tp)
    if not scope:
        reasons.append(Reason(_cite(rules, "baseline"), "no target lesion"))
    elif unavailable is not None:
        reasons.append(
            Reason(unavailable.rule, f"baseline: {unavailable.text} for every visit")
        )
    else:
        values = _values(rules, scope, tp)
        missing = [v.note for v in values.values() if v.value is None]
        if missing:
            text = "baseline sum incomplete (" + "; ".join(missing) + ") -> NE"
            reasons.append(Reason(_cite(rules, "baseline"), text))
        else:
            total = sum((v.value for v in values.values() if v.value is not None), ZERO)
            parts = ", ".join(f"{k} {v.value}" for k, v in values.items())
            text = f"baseline sum {mm(total)} ({parts})"
            reasons.append(Reason(_cite(rules, "baseline"), text))
    return CriterionResult(
        rules.criterion,
        None,
        None,
        None,
        None,
        total,
        total,
        None,
        tuple(reasons),
        is_baseline=True,
    )


def _follow_up(
    case: Case,
    rules: CriterionRules,
    scope: Sequence[Lesion],
    tp: TimePoint,
    index: int,
    news: NewLesionTimeline,
    state: _State,
) -> CriterionResult:
    settings = case.settings
    cr_before = _cr_definitive(state.overalls, settings)
    nadir = min(state.complete_sums) if state.complete_sums else None
    target = _target(rules, scope, tp, state, nadir, cr_before, settings)
    items = rules.non_target_items(case, tp)
    non_target, nt_reasons = _non_target(rules, items, cr_before)
    has_new = news.counts[index]
    overall, overall_reason = overall_response(target.category, non_target, has_new)
    if rules.rule != "RECIST1.1":
        overall_reason = Reason(
            f"{rules.rule} overall ({overall_reason.rule})", overall_reason.text
        )
    reasons = [*target.reasons, *nt_reasons, *news.reasons[index], overall_reason]
    _advance(state, target, overall, tp)
    return CriterionResult(
        criterion=rules.criterion,
        target=target.category,
        non_target=non_target,
        new_lesions=has_new,
        overall=overall,
        sum_mm=target.sum_mm,
        baseline_sum_mm=state.baseline_sum,
        nadir_mm=nadir,
        reasons=tuple(reasons),
    )


def _advance(
    state: _State, target: _TargetOutcome, overall: Response, tp: TimePoint
) -> None:
    if target.sum_mm is not None:
        state.complete_sums.append(target.sum_mm)
    if target.category in (Response.CR, Response.PR):
        state.had_response = True
    elif target.category is Response.PD:
        state.had_response = False
    state.overalls.append((tp.date, tp.label, overall))


def _cr_definitive(
    overalls: Sequence[tuple[dt.date, str, Response]], settings: Settings
) -> bool:
    """Whether an overall CR was assigned (and confirmed, if required) before.

    Confirmation is the best response's (A6, A12): a later CR at least
    ``confirmation_min_days`` after it, with at most
    ``confirmation_max_ne_between`` NE time points in between.
    """
    if not settings.confirmation_required:
        return any(r is Response.CR for _, _, r in overalls)
    return any(
        response is Response.CR
        and confirmation(overalls, index, settings).confirmed_at is not None
        for index, (_, _, response) in enumerate(overalls)
    )


def _target(
    rules: CriterionRules,
    scope: Sequence[Lesion],
    tp: TimePoint,
    state: _State,
    nadir: Decimal | None,
    cr_before: bool,
    settings: Settings,
) -> _TargetOutcome:
    if not scope:
        return _TargetOutcome(None, None, [])
    baseline = state.baseline_sum
    unavailable = rules.unavailable(tp)
    if unavailable is not None:
        return _TargetOutcome(Response.NE, None, [unavailable])
    if baseline is None or nadir is None:
        text = "no complete baseline sum to compare with -> NE"
        return _TargetOutcome(Response.NE, None, [Reason(_cite(rules, "target"), text)])
    values = _values(rules, scope, tp)
    reasons = []
    if _breakdown(values):
        reasons.append(Reason(_cite(rules, "values"), _breakdown(values)))
    if any(v.value is None for v in values.values()):
        return _missing(rules, values, nadir, reasons)
    total = sum((v.value for v in values.values() if v.value is not None), ZERO)
    category, text, topic = _categorise(
        rules, scope, values, total, baseline, nadir, cr_before, state, settings
    )
    reasons.append(Reason(_cite(rules, topic), text))
    return _TargetOutcome(category, total, reasons)


def _missing(
    rules: CriterionRules,
    values: Mapping[LesionId, Valuation],
    nadir: Decimal,
    reasons: list[Reason],
) -> _TargetOutcome:
    partial = sum((v.value for v in values.values() if v.value is not None), ZERO)
    missing = ", ".join(k for k, v in values.items() if v.value is None)
    if meets_pd(partial, nadir, rules.pd_min_increase_mm):
        text = (
            f"{missing} not evaluated, but the measured targets alone sum "
            f"{mm(partial)}, {pct(partial, nadir)} from nadir {mm(nadir)}: PD "
            "whatever the missing values -> PD"
        )
        category = Response.PD
    else:
        text = f"{missing} not evaluated: the target sum is unknown -> NE"
        category = Response.NE
    reasons.append(Reason(_cite(rules, "missing"), text))
    return _TargetOutcome(category, None, reasons)


def _categorise(
    rules: CriterionRules,
    scope: Sequence[Lesion],
    values: Mapping[LesionId, Valuation],
    total: Decimal,
    baseline: Decimal,
    nadir: Decimal,
    cr_before: bool,
    state: _State,
    settings: Settings,
) -> tuple[Response, str, str]:
    by_id = {lesion.id: lesion for lesion in scope}
    gone = [
        is_gone(by_id[k], v.value) for k, v in values.items() if v.value is not None
    ]
    if all(gone):
        text = "every non-nodal target gone and every target node < 10 mm -> CR"
        if rules.rule == "mRECIST":
            text = "no arterial enhancement left in any target -> CR"
        return Response.CR, f"sum {mm(total)}: {text}", "target"
    if cr_before:
        back = [k for k, g in zip(values, gone, strict=True) if not g]
        text = f"{', '.join(back)} back after an overall CR: reappearance -> PD"
        return Response.PD, text, "reappear"
    from_nadir = f"{pct(total, nadir)} from nadir {mm(nadir)}"
    if meets_pd(total, nadir, rules.pd_min_increase_mm):
        needs = ">= +20 %"
        if rules.pd_min_increase_mm > 0:
            needs += f" and >= +{mm(rules.pd_min_increase_mm)}"
        text = (
            f"sum {mm(total)} is {from_nadir} (+{mm(total - nadir)}): PD needs "
            f"{needs} -> PD"
        )
        return Response.PD, text, "target"
    from_base = (
        f"sum {mm(total)} is {pct(total, baseline)} from baseline {mm(baseline)}"
    )
    if meets_pr(total, baseline):
        return Response.PR, f"{from_base}: PR needs <= -30 % -> PR", "target"
    if state.had_response and settings.continuing_pr:
        text = f"{from_base}, not PD ({from_nadir}): a PR continues until PD -> PR"
        return Response.PR, text, "continuing"
    text = f"{from_base}, {from_nadir}: neither PR nor PD -> SD"
    if state.had_response:
        text += " (continuing_pr off: the 2009 text compares PR with baseline)"
    return Response.SD, text, "target"


def _non_target(
    rules: CriterionRules, items: Sequence[NonTargetItem], cr_before: bool
) -> tuple[Response | None, list[Reason]]:
    if not items:
        return None, []
    reasons = [item.reason for item in items if item.reason is not None]
    progressed = [
        i.lesion_id
        for i in items
        if i.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION
    ]
    returned = [i.lesion_id for i in items if i.status is NonTargetStatus.PRESENT]
    if progressed:
        text = f"unequivocal progression of {', '.join(progressed)} -> non-target PD"
        reasons.append(Reason(_cite(rules, "nt_progression"), text))
        return Response.PD, reasons
    if cr_before and returned:
        text = f"{', '.join(returned)} back after an overall CR -> non-target PD"
        reasons.append(Reason(_cite(rules, "reappear"), text))
        return Response.PD, reasons
    missing = [i.lesion_id for i in items if i.status is NonTargetStatus.NOT_EVALUATED]
    if missing:
        text = f"{', '.join(missing)} not evaluated -> non-target NE"
        reasons.append(Reason(_cite(rules, "non_target"), text))
        return Response.NE, reasons
    if all(i.status is NonTargetStatus.ABSENT for i in items):
        reasons.append(Reason(_cite(rules, "non_target"), "all non-targets gone -> CR"))
        return Response.CR, reasons
    text = f"{', '.join(returned)} present -> non-target NON-CR/NON-PD"
    reasons.append(Reason(_cite(rules, "non_target"), text))
    return Response.NON_CR_NON_PD, reasons


def _apply_backdates(
    results: list[CriterionResult], news: NewLesionTimeline, rules: CriterionRules
) -> None:
    for backdate in news.backdates:
        for index in backdate.sightings or (backdate.first_index,):
            result = results[index]
            text = (
                f"equivocal finding {backdate.lesion_id} seen at "
                f"{backdate.first_label} (the first time point it could count) was "
                f"confirmed at {backdate.confirm_label}: progression is dated to "
                f"{backdate.first_label}"
            )
            revised_from = result.revised_from or (
                None if result.overall is Response.PD else result.overall
            )
            results[index] = dataclasses.replace(
                result,
                overall=Response.PD,
                new_lesions=True,
                revised_from=revised_from,
                reasons=(*result.reasons, Reason(_cite(rules, "backdate"), text)),
            )
