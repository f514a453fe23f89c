"""The sorafenib recommendation: continue, reduce, interrupt, stop or switch.

Decision support for a tumour board (RULES section 4), in this order:

1. toxicity first (4.4): every current adverse event's row, and for a patient
   whose treatment is interrupted, whether every event that required the
   interruption is back to the grade its row asks for;
2. liver function and performance status (Child-Pugh C or ECOG 3-4: stop);
3. the response by the primary criterion (A11). Radiologic progression is the
   documented progression at any time point so far, not only the latest
   category (4.3 step 4). With symptomatic progression (FHSI-8 down >= 4 points
   from baseline, or ECOG 4) sorafenib stops (SHARP); without it the patient
   switches when the clinician marks a second line eligible, otherwise continues
   with close follow-up flagged for review. An mRECIST progression that rests on
   a tiny absolute change asks for confirmation at the next scan (A13).
   Symptomatic progression without radiologic PD goes to review; NE asks for
   repeat imaging; otherwise continue;
4. a disagreement between RECIST 1.1 and mRECIST is noted;
5. on a reduced level whose causes have been at grade 0-1 for at least 4 weeks,
   re-escalation is suggested (seed Box 1 and Table 5).

Every rule that fired is returned in that order with its source and the action
it asks for on its own (:attr:`Reason.effect`); :func:`contradictions` checks
that the action, the rules and the notes agree. The clinician decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria._dosing import (
    Draft,
    apply_toxicity,
    dose_of,
    form_of,
    interruption,
    reescalation,
    restart_check,
    restart_level,
    resume,
    tp_name,
)
from respond.criteria._progression import documented_progression
from respond.criteria._toxicity import DEFAULT, Severity
from respond.criteria.categories import Action, Criterion, DoseForm, Response
from respond.criteria.result import Reason, Recommendation

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from respond.criteria.model import Case, Clinical, SecondLine
    from respond.criteria.result import CriterionResult

__all__ = ["contradictions", "recommend", "symptomatic_progression"]

FHSI8_DROP = 4
_SHARP = "SHARP (Llovet 2008)"
_EASL = "EASL 2018"
_EASL_LIVER = "EASL-EORTC 2012 / EASL 2018"
_A13 = "respond default (RULES A13)"
_GUIDANCE = (
    "usual criteria: regorafenib (tolerated sorafenib, Child-Pugh A, ECOG 0-1), "
    "cabozantinib (Child-Pugh A, ECOG 0-1), ramucirumab (AFP >= 400 ng/mL)"
)
_STOPPING = (Action.DISCONTINUE, Action.SWITCH_SECOND_LINE)
_HOLDING = (*_STOPPING, Action.INTERRUPT)
_CONTINUING = (Action.CONTINUE, Action.CONTINUE_REDUCED_DOSE)


def recommend(
    case: Case, results: Mapping[Criterion, Sequence[CriterionResult]]
) -> Recommendation:
    """Recommend what to do with sorafenib after the latest time point.

    Parameters
    ----------
    case
        The case; its last time point is the one decided on.
    results
        Per criterion, the results of every time point (baseline first).

    Returns
    -------
    Recommendation
        The action, the dose level (the restart level when interrupting;
        ``None`` when stopping), every rule that fired in order, and notes.
    """
    draft = Draft()
    current = case.timepoints[-1].clinical
    level, interrupted = dose_of(case)
    apply_toxicity(current, draft)
    if interrupted:
        interruption(case, draft)
    _liver(current, draft)
    _response(case, results, draft)
    _disagreement(case, results, draft)
    action, dose = _decide(draft, level, interrupted, form_of(case))
    if action in _CONTINUING and not interrupted:
        restart_check(case, draft, level)
    if action is Action.CONTINUE and level < 0:
        reescalation(case, draft, level)
    return Recommendation(action, dose, tuple(draft.rules), tuple(draft.notes))


def contradictions(recommendation: Recommendation) -> list[str]:
    """Return every way the action, the rules and the notes disagree.

    Parameters
    ----------
    recommendation
        A recommendation.

    Returns
    -------
    list of str
        Empty when they agree: some rule asks for the action itself; no rule asks
        to continue while sorafenib stops or is interrupted, to stop or
        interrupt while it continues, or to switch while it does not; no note
        speaks of continuing while sorafenib stops or is interrupted.
    """
    action = recommendation.action
    found = []
    effects = [r.effect for r in recommendation.rules]
    if action not in effects:
        found.append(f"no rule asks for {action.value}")
    for rule in recommendation.rules:
        effect = rule.effect
        clash = (
            (effect in _CONTINUING and action in _HOLDING)
            or (effect is Action.DISCONTINUE and action not in _STOPPING)
            or (effect is Action.SWITCH_SECOND_LINE and action is not effect)
            or (effect is Action.INTERRUPT and action in _CONTINUING)
        )
        if clash and effect is not None:
            found.append(
                f"rule '{rule.rule}' asks for {effect.value} under {action.value}"
            )
    if action in _HOLDING:
        found.extend(
            f"note '{note}' speaks of continuing under {action.value}"
            for note in recommendation.notes
            if "continu" in note.lower()
        )
    return found


def _liver(current: Clinical, draft: Draft) -> None:
    child_pugh = current.child_pugh_class
    if child_pugh == "C":
        draft.stop_liver = True
        draft.rules.append(
            Reason(
                "liver function",
                f"Child-Pugh {current.child_pugh}: no benefit of systemic therapy "
                "established -> stop sorafenib (tumour board)",
                _EASL_LIVER,
                Action.DISCONTINUE,
            )
        )
    elif child_pugh == "B":
        draft.notes.append(
            f"Child-Pugh {current.child_pugh}: benefit of sorafenib limited and "
            "uncertain; decide case by case"
        )
    if current.ecog is not None and current.ecog >= 3:
        draft.stop_liver = True
        draft.rules.append(
            Reason(
                "performance status",
                f"ECOG {current.ecog}: benefit not established -> stop sorafenib "
                "(tumour board)",
                _EASL_LIVER,
                Action.DISCONTINUE,
            )
        )


def symptomatic_progression(case: Case) -> tuple[bool | None, str]:
    """Return whether symptoms progressed (SHARP), and the evidence.

    Parameters
    ----------
    case
        The case; baseline and latest clinical status are compared.

    Returns
    -------
    tuple
        ``True``/``False``, or ``None`` when it cannot be judged, with the text.
    """
    base = case.baseline.clinical.fhsi8_total
    current = case.timepoints[-1].clinical
    now = current.fhsi8_total
    if current.ecog == 4:
        return True, "ECOG 4"
    if base is None or now is None:
        return None, "FHSI-8 missing at baseline or now"
    drop = base - now
    text = f"FHSI-8 {base} -> {now} ({'-' if drop > 0 else '+'}{abs(drop)} points)"
    if drop >= FHSI8_DROP:
        return True, f"FHSI-8 fell {drop} points from baseline ({base} -> {now})"
    return False, text


# --- the response ------------------------------------------------------------


def _response(
    case: Case, results: Mapping[Criterion, Sequence[CriterionResult]], draft: Draft
) -> None:
    primary = case.settings.primary_criterion
    tp = case.timepoints[-1]
    if len(case.timepoints) == 1:
        draft.rules.append(
            Reason(
                "baseline",
                "baseline only: no response to judge yet",
                DEFAULT,
                None if draft.holding else Action.CONTINUE,
            )
        )
        return
    series = results[primary]
    overall = series[-1].overall
    where = f"{primary.value} {overall.value if overall else '-'} at {tp_name(tp)}"
    progression, notes = documented_progression(case, series)
    draft.notes.extend(notes)
    symptomatic, evidence = symptomatic_progression(case)
    if progression.index is not None:
        first = tp_name(case.timepoints[progression.index])
        documented = f"{primary.value} progression documented at {first}"
        if progression.index != len(series) - 1:
            documented += f" ({where})"
        else:
            documented += f" ({_pd_cause(series[-1])})"
        _progressed(case, draft, documented, symptomatic, evidence)
    elif progression.pending is not None:
        draft.response_action = Action.REVIEW
        also = ""
        if symptomatic:
            also = f"; {evidence} as well: look for its cause (RULES 4.3 step 6)"
        draft.rules.append(
            Reason(
                "mRECIST PD on a tiny change (A13)",
                f"{where} rests on {progression.pending}: PD as published, but not "
                f"acted on alone; confirm at the next scan (tumour board){also}",
                _A13,
                Action.REVIEW,
            )
        )
    elif overall is Response.NE:
        draft.response_action = Action.REPEAT_IMAGING
        draft.rules.append(
            Reason(
                "response not evaluable",
                f"{where}: repeat or complete the imaging (e.g. an arterial phase)",
                DEFAULT,
                Action.REPEAT_IMAGING,
            )
        )
    elif symptomatic:
        draft.response_action = Action.REVIEW
        draft.rules.append(
            Reason(
                "symptomatic progression without radiologic PD",
                f"{where} but {evidence}: not the SHARP stop rule; look for the "
                "cause (toxicity, decompensation, intercurrent illness), consider "
                "a dose change, tumour board",
                _SHARP,
                Action.REVIEW,
            )
        )
    elif draft.holding:
        draft.rules.append(
            Reason(
                "disease controlled",
                f"{where}: the response alone would not change treatment",
                DEFAULT,
            )
        )
    else:
        draft.rules.append(
            Reason(
                "disease controlled", f"{where} -> continue", DEFAULT, Action.CONTINUE
            )
        )


def _pd_cause(result: CriterionResult) -> str:
    causes = []
    if result.target is Response.PD:
        causes.append("target PD")
    if result.non_target is Response.PD:
        causes.append("non-target PD")
    if result.new_lesions:
        causes.append("new lesion")
    return ", ".join(causes) or "progression"


def _progressed(
    case: Case, draft: Draft, where: str, symptomatic: bool | None, evidence: str
) -> None:
    if symptomatic:
        draft.rules.append(
            Reason(
                "radiologic and symptomatic progression",
                f"{where} and {evidence}: SHARP stop rule -> stop sorafenib",
                _SHARP,
                Action.DISCONTINUE,
            )
        )
        _next_line(case, draft)
        return
    if draft.stopping:
        draft.rules.append(
            Reason(
                "radiologic progression",
                f"{where}; sorafenib stops (above): what comes next",
                _SHARP,
            )
        )
        _next_line(case, draft)
        return
    if symptomatic is None:
        draft.response_action = Action.REVIEW
        draft.rules.append(
            Reason(
                "symptomatic progression unknown",
                f"{where}, but {evidence}: record FHSI-8 to apply the SHARP rule",
                _SHARP,
                Action.REVIEW,
            )
        )
        return
    draft.rules.append(
        Reason(
            "radiologic progression without symptomatic progression",
            f"{where}; {evidence}: not the SHARP stop rule",
            _SHARP,
        )
    )
    if _second_line(case, draft):
        draft.response_action = Action.SWITCH_SECOND_LINE
        return
    if draft.holding:
        draft.rules.append(
            Reason(
                "treatment beyond progression",
                "no eligible second line: sorafenib beyond progression is "
                "defensible once the interruption ends; close follow-up",
                _SHARP,
            )
        )
    else:
        draft.rules.append(
            Reason(
                "continue beyond progression",
                "no eligible second line: continuing sorafenib is defensible; close "
                "follow-up",
                _SHARP,
                Action.CONTINUE,
            )
        )
    draft.notes.append("flagged for tumour-board review: treatment beyond progression")


def _next_line(case: Case, draft: Draft) -> None:
    if draft.fatal:
        return
    if draft.stop_liver:
        _no_systemic_therapy(case, draft)
        return
    if _second_line(case, draft):
        draft.response_action = Action.SWITCH_SECOND_LINE
        return
    draft.response_action = Action.DISCONTINUE
    draft.rules.append(
        Reason(
            "no eligible second line",
            "best supportive care unless a trial is available",
            _EASL,
            Action.DISCONTINUE,
        )
    )


def _no_systemic_therapy(case: Case, draft: Draft) -> None:
    draft.response_action = Action.DISCONTINUE
    draft.rules.append(
        Reason(
            "no further systemic therapy",
            "liver function or performance status rule out systemic therapy: best "
            "supportive care (tumour board)",
            _EASL_LIVER,
            Action.DISCONTINUE,
        )
    )
    offer = _offer(case)
    if offer is not None and offer.available and offer.eligible:
        draft.rules.append(
            Reason(
                "second-line eligibility to review",
                "the clinician marked the patient eligible for a second line, but "
                "Child-Pugh C or ECOG 3-4 rule out systemic therapy: review; the "
                "answer is shown, not applied",
                _EASL_LIVER,
                Action.REVIEW,
            )
        )


def _offer(case: Case) -> SecondLine | None:
    for tp in reversed(case.timepoints):
        if tp.clinical.second_line is not None:
            return tp.clinical.second_line
    return None


def _second_line(case: Case, draft: Draft) -> bool:
    """Whether the clinician marked a second line eligible; flags contradictions."""
    offer = _offer(case)
    if offer is None or not offer.available:
        draft.rules.append(
            Reason(
                "no second-line option",
                "no second-line therapy or trial available",
                _EASL,
            )
        )
        return False
    if not offer.eligible:
        draft.rules.append(
            Reason(
                "second line not eligible",
                f"the clinician marked the patient not eligible ({_GUIDANCE})",
                _EASL,
            )
        )
        return False
    draft.rules.append(
        Reason(
            "second line available, patient eligible",
            f"the clinician marked the patient eligible -> switch ({_GUIDANCE})",
            _EASL,
            Action.SWITCH_SECOND_LINE,
        )
    )
    current = case.timepoints[-1].clinical
    problems = []
    if current.child_pugh_class not in (None, "A"):
        problems.append(f"Child-Pugh {current.child_pugh}")
    if current.ecog is not None and current.ecog > 1:
        problems.append(f"ECOG {current.ecog}")
    if problems:
        draft.rules.append(
            Reason(
                "second-line eligibility to review",
                f"marked eligible, but {' and '.join(problems)} is outside every "
                "usual second-line regimen (Child-Pugh A, ECOG 0-1): review; the "
                "clinician's answer stands",
                _EASL,
                Action.REVIEW,
            )
        )
    if draft.toxicity is Severity.DISCONTINUE:
        draft.notes.append(
            "sorafenib not tolerated: regorafenib needs tolerance of sorafenib; "
            "cabozantinib or ramucirumab (AFP >= 400 ng/mL) do not"
        )
    return True


def _disagreement(
    case: Case, results: Mapping[Criterion, Sequence[CriterionResult]], draft: Draft
) -> None:
    if len(case.timepoints) == 1:
        return
    recist = results.get(Criterion.RECIST11)
    mrecist = results.get(Criterion.MRECIST)
    if not recist or not mrecist:
        return
    label = tp_name(case.timepoints[-1])
    a, b = recist[-1], mrecist[-1]
    if a.target is not None and b.target is not None and a.target is not b.target:
        why = ""
        if a.target is Response.SD and b.target in (Response.PR, Response.CR):
            why = ": necrosis without shrinkage"
        draft.notes.append(
            f"RECIST1.1 target {a.target.value} but mRECIST target "
            f"{b.target.value} at {label}{why}"
        )
    if a.overall is not b.overall and a.overall is not None and b.overall is not None:
        draft.notes.append(
            f"RECIST1.1 overall {a.overall.value} but mRECIST overall "
            f"{b.overall.value} at {label}: review"
        )


# --- the action ------------------------------------------------------------------


def _decide(
    draft: Draft, level: int, interrupted: bool, form: DoseForm | None
) -> tuple[Action, int | None]:
    if draft.response_action is Action.SWITCH_SECOND_LINE:
        return Action.SWITCH_SECOND_LINE, None
    if draft.stopping or draft.response_action is Action.DISCONTINUE:
        return Action.DISCONTINUE, None
    if draft.toxicity is Severity.INTERRUPT:
        return Action.INTERRUPT, restart_level(draft, level, form)[0]
    if interrupted:
        return resume(draft, level, form)
    if draft.response_action in (Action.REVIEW, Action.REPEAT_IMAGING):
        return draft.response_action, level
    if draft.toxicity is Severity.REVIEW:
        return Action.REVIEW, level
    return draft.response_action, level
