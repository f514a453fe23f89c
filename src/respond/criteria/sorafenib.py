"""The sorafenib recommendation: continue, reduce, interrupt, stop or switch.

Decision support for a tumour board (RULES section 4), in this order:

1. toxicity first (the label's adverse-event rules), whatever the response;
2. liver function and performance status (Child-Pugh C or ECOG 3-4: stop);
3. the response by the primary criterion (A11): CR/PR/SD/NON-CR/NON-PD continue;
   PD with symptomatic progression (FHSI-8 down >= 4 points from baseline, or ECOG
   4) stops (SHARP); PD without it switches to second line when available and the
   patient is eligible, otherwise continues with close follow-up flagged for
   review; symptomatic progression without PD goes to review; NE asks for repeat
   imaging;
4. a disagreement between RECIST 1.1 and mRECIST is noted.

Every rule that fired is returned, in that order. The clinician decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from respond.criteria._toxicity import Severity, toxicity_rule
from respond.criteria.categories import Action, Criterion, Response
from respond.criteria.result import Reason, Recommendation

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from respond.criteria.model import Case, Clinical, SecondLine
    from respond.criteria.result import CriterionResult

__all__ = ["recommend"]

FHSI8_DROP = 4
LOWEST_DOSE_LEVEL = -2
_SHARP = "SHARP stop rule (Llovet 2008)"
_EASL = "EASL 2018"
_CONTINUE_ACTIONS = (Action.CONTINUE, Action.CONTINUE_REDUCED_DOSE)


@dataclass(slots=True)
class _Draft:
    rules: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    toxicity: Severity = Severity.CONTINUE
    reduce: bool = False
    stop_liver: bool = False
    response_action: Action = Action.CONTINUE


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
        The action, the dose level (the restart level when interrupting; ``None``
        when stopping), every rule that fired in order, and notes.
    """
    draft = _Draft()
    current = case.timepoints[-1].clinical
    level, interrupted = _dose(case)
    _toxicity(current, draft)
    _liver(case, current, draft)
    _response(case, results, draft)
    _disagreement(case, results, draft)
    action, dose = _decide(draft, level, interrupted)
    return Recommendation(action, dose, tuple(draft.rules), tuple(draft.notes))


def _dose(case: Case) -> tuple[int, bool]:
    """Return the last dose level given (0 when never recorded) and interruption."""
    current = case.timepoints[-1].clinical
    for tp in reversed(case.timepoints):
        if tp.clinical.dose_level is not None:
            return tp.clinical.dose_level, current.is_interrupted
    return 0, current.is_interrupted


def _toxicity(current: Clinical, draft: _Draft) -> None:
    for event in current.adverse_events:
        rule = toxicity_rule(event)
        draft.rules.append(rule.reason)
        draft.toxicity = max(draft.toxicity, rule.severity)
        draft.reduce = draft.reduce or rule.reduce


def _liver(case: Case, current: Clinical, draft: _Draft) -> None:
    child_pugh = current.child_pugh_class
    if child_pugh == "C":
        draft.stop_liver = True
        draft.rules.append(
            Reason(
                "liver function (EASL)",
                f"Child-Pugh {current.child_pugh}: no benefit of systemic therapy "
                "established -> stop, best supportive care (tumour board)",
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
                "performance status (EASL)",
                f"ECOG {current.ecog}: benefit not established -> stop, best "
                "supportive care (tumour board)",
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


def _second_line(case: Case, draft: _Draft) -> bool:
    """Whether a switch to second line is possible, with the rule that says so."""
    offer: SecondLine | None = None
    for tp in reversed(case.timepoints):
        if tp.clinical.second_line is not None:
            offer = tp.clinical.second_line
            break
    if offer is None or not offer.available:
        draft.rules.append(
            Reason("no second-line option", "no second-line therapy or trial available")
        )
        return False
    current = case.timepoints[-1].clinical
    problems = []
    if not offer.eligible:
        problems.append("the patient is not eligible")
    if current.child_pugh_class not in (None, "A"):
        problems.append(f"Child-Pugh {current.child_pugh} (needs A)")
    if current.ecog is not None and current.ecog > 1:
        problems.append(f"ECOG {current.ecog} (needs 0-1)")
    if draft.toxicity is Severity.DISCONTINUE:
        problems.append("sorafenib not tolerated")
    if problems:
        draft.rules.append(
            Reason(f"second line not eligible ({_EASL})", "; ".join(problems))
        )
        return False
    draft.rules.append(
        Reason(
            f"second line available ({_EASL})",
            "second-line therapy available, patient eligible (tolerated sorafenib, "
            "Child-Pugh A, ECOG 0-1)",
        )
    )
    return True


def _response(
    case: Case, results: Mapping[Criterion, Sequence[CriterionResult]], draft: _Draft
) -> None:
    primary = case.settings.primary_criterion
    tp = case.timepoints[-1]
    if len(case.timepoints) == 1:
        draft.rules.append(
            Reason("baseline", "baseline only: no response to judge yet")
        )
        return
    result = results[primary][-1]
    overall = result.overall
    where = f"{primary.value} {overall.value if overall else '-'} at {tp.label}"
    if overall is Response.PD:
        where += f" ({_pd_cause(result)})"
    symptomatic, evidence = symptomatic_progression(case)
    if overall is Response.NE:
        draft.response_action = Action.REPEAT_IMAGING
        draft.rules.append(
            Reason(
                "response not evaluable",
                f"{where}: repeat or complete the imaging (e.g. an arterial phase)",
            )
        )
    elif overall is Response.PD:
        _progression(case, draft, where, symptomatic, evidence)
    elif symptomatic:
        draft.response_action = Action.REVIEW
        draft.rules.append(
            Reason(
                "symptomatic progression without radiologic PD",
                f"{where} but {evidence}: not the SHARP stop rule; look for the "
                "cause (toxicity, decompensation, intercurrent illness), consider "
                "a dose change, tumour board",
            )
        )
    else:
        draft.rules.append(Reason("disease controlled", f"{where} -> continue"))


def _pd_cause(result: CriterionResult) -> str:
    causes = []
    if result.target is Response.PD:
        causes.append("target PD")
    if result.non_target is Response.PD:
        causes.append("non-target PD")
    if result.new_lesions:
        causes.append("new lesion")
    return ", ".join(causes) or "progression"


def _progression(
    case: Case, draft: _Draft, where: str, symptomatic: bool | None, evidence: str
) -> None:
    if symptomatic is None:
        draft.response_action = Action.REVIEW
        draft.rules.append(
            Reason(
                "symptomatic progression unknown",
                f"{where}, but {evidence}: record FHSI-8 to apply the SHARP rule",
            )
        )
        return
    if symptomatic:
        draft.rules.append(
            Reason(
                "radiologic and symptomatic progression",
                f"{where} and {evidence}: {_SHARP} -> stop sorafenib",
            )
        )
        eligible = _second_line(case, draft)
        draft.response_action = (
            Action.SWITCH_SECOND_LINE if eligible else Action.DISCONTINUE
        )
        if not eligible:
            draft.notes.append("best supportive care unless a trial is available")
        return
    draft.rules.append(
        Reason(
            "radiologic progression without symptomatic progression",
            f"{where}; {evidence}: not the SHARP stop rule",
        )
    )
    if _second_line(case, draft):
        draft.response_action = Action.SWITCH_SECOND_LINE
        return
    draft.rules.append(
        Reason(
            "continue beyond progression (SHARP)",
            "no second line: continuing sorafenib is defensible; close follow-up",
        )
    )
    draft.notes.append("flagged for tumour-board review: continued beyond progression")


def _disagreement(
    case: Case, results: Mapping[Criterion, Sequence[CriterionResult]], draft: _Draft
) -> None:
    if len(case.timepoints) == 1:
        return
    recist = results.get(Criterion.RECIST11)
    mrecist = results.get(Criterion.MRECIST)
    if not recist or not mrecist:
        return
    label = case.timepoints[-1].label
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


def _decide(draft: _Draft, level: int, interrupted: bool) -> tuple[Action, int | None]:
    if draft.toxicity is Severity.DISCONTINUE or draft.stop_liver:
        return Action.DISCONTINUE, None
    if draft.response_action in (Action.SWITCH_SECOND_LINE, Action.DISCONTINUE):
        return draft.response_action, None
    if draft.toxicity is Severity.INTERRUPT:
        return _reduced(draft, level, Action.INTERRUPT)
    if draft.response_action in (Action.REVIEW, Action.REPEAT_IMAGING):
        return draft.response_action, None if interrupted else level
    if interrupted:
        draft.rules.append(
            Reason(
                "resume after interruption (sorafenib label)",
                "no adverse event requires the interruption now: resume one dose "
                "level lower",
            )
        )
        draft.reduce = True
        return _reduced(draft, level, Action.CONTINUE_REDUCED_DOSE)
    return Action.CONTINUE, level


def _reduced(draft: _Draft, level: int, action: Action) -> tuple[Action, int | None]:
    if not draft.reduce:
        return action, level
    if level <= LOWEST_DOSE_LEVEL:
        draft.rules.append(
            Reason(
                "no lower dose level (sorafenib label)",
                "already at 400 mg every other day: a further reduction is not "
                "possible -> discontinue",
            )
        )
        return Action.DISCONTINUE, None
    return action, level - 1
