"""Assess a whole case: every time point under every criterion, BOR, decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria._timeline import assess_timeline
from respond.criteria.bor import best_overall_response
from respond.criteria.categories import Criterion, Response
from respond.criteria.conformance import baseline_conformance, reading_warnings
from respond.criteria.mrecist import MRecist
from respond.criteria.recist11 import Recist11
from respond.criteria.result import (
    CaseAssessment,
    CaseWarning,
    TimePointRef,
    TimePointResult,
)
from respond.criteria.sorafenib import recommend

if TYPE_CHECKING:
    from respond.criteria._protocol import CriterionRules
    from respond.criteria.model import Case
    from respond.criteria.result import CriterionResult, Reason

__all__ = ["assess"]

_MRECIST_ONLY = frozenset({"mrecist_no_viable_baseline"})


def _rules(case: Case, criterion: Criterion) -> CriterionRules:
    if criterion is Criterion.RECIST11:
        return Recist11()
    return MRecist(case.settings.mrecist_pd_min_increase_mm)


def assess(case: Case) -> CaseAssessment:
    """Assess a case under every criterion its settings name.

    Parameters
    ----------
    case
        The read: lesions, time points, clinical data and settings.

    Returns
    -------
    CaseAssessment
        Per time point and criterion: categories, sums, reasons; best overall
        response (with its reasons) and date of progression per criterion; the
        sorafenib recommendation; warnings.
    """
    warnings = baseline_conformance(case)
    warnings.extend(
        w
        for w in reading_warnings(case)
        if Criterion.MRECIST in case.settings.criteria or w.code not in _MRECIST_ONLY
    )
    per_criterion: dict[Criterion, list[CriterionResult]] = {}
    for criterion in case.settings.criteria:
        results, criterion_warnings = assess_timeline(case, _rules(case, criterion))
        per_criterion[criterion] = results
        warnings.extend(criterion_warnings)
    if Criterion.MRECIST in per_criterion and not case.baseline.arterial_phase:
        warnings.append(
            CaseWarning(
                "mrecist_no_arterial_baseline",
                "the baseline has no arterial phase: mRECIST cannot be assessed; "
                "read the baseline's arterial series",
            )
        )
    timepoints = tuple(
        TimePointResult(
            tp.label, tp.date, {c: per_criterion[c][i] for c in per_criterion}
        )
        for i, tp in enumerate(case.timepoints)
    )
    best: dict[Criterion, Response | None] = {}
    best_reasons: dict[Criterion, tuple[Reason, ...]] = {}
    progression: dict[Criterion, TimePointRef | None] = {}
    for criterion, results in per_criterion.items():
        follow_ups = [
            (tp.date, tp.label, r.overall)
            for tp, r in zip(case.timepoints[1:], results[1:], strict=True)
            if r.overall is not None
        ]
        best[criterion], reasons = best_overall_response(
            case.baseline.date,
            follow_ups,
            case.settings,
            has_targets=results[0].baseline_sum_mm is not None
            or any(r.target is not None for r in results[1:]),
        )
        best_reasons[criterion] = tuple(reasons)
        progression[criterion] = next(
            (TimePointRef(d, label) for d, label, r in follow_ups if r is Response.PD),
            None,
        )
    return CaseAssessment(
        patient_id=case.patient.id,
        timepoints=timepoints,
        best_overall=best,
        progression=progression,
        recommendation=recommend(case, per_criterion),
        warnings=tuple(warnings),
        best_overall_reasons=best_reasons,
    )
