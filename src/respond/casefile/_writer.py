"""Write an assessment as the ``respond-assessment/1`` document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria.result import round_display

if TYPE_CHECKING:
    from decimal import Decimal

    from respond.criteria import (
        CaseAssessment,
        CriterionResult,
        Reason,
        Response,
        TimePointRef,
    )

ASSESSMENT_FORMAT = "respond-assessment/1"
JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def _number(value: Decimal | None) -> float | None:
    """Return a Decimal as a JSON number (lengths and percentages are floats)."""
    return None if value is None else float(value)


def _category(value: Response | None) -> str | None:
    return None if value is None else value.value


def _reason(reason: Reason) -> JsonValue:
    doc: dict[str, JsonValue] = {"rule": reason.rule, "text": reason.text}
    if reason.source:
        doc["source"] = reason.source
    if reason.effect is not None:
        doc["effect"] = reason.effect.value
    return doc


def _reasons(reasons: tuple[Reason, ...]) -> list[JsonValue]:
    return [_reason(r) for r in reasons]


def _ref(ref: TimePointRef | None) -> JsonValue:
    return None if ref is None else {"date": ref.date.isoformat(), "label": ref.label}


def criterion_document(result: CriterionResult) -> dict[str, JsonValue]:
    """Return one criterion's block of a time point.

    Parameters
    ----------
    result
        The criterion's result at the time point.

    Returns
    -------
    dict
        Categories, sums, changes (rounded to 0.1 % for display), reasons and
        ``revised_from``.
    """
    return {
        "target": _category(result.target),
        "non_target": _category(result.non_target),
        "new_lesions": result.new_lesions,
        "overall": _category(result.overall),
        "sum_mm": _number(result.sum_mm),
        "baseline_sum_mm": _number(result.baseline_sum_mm),
        "nadir_mm": _number(result.nadir_mm),
        "change_from_baseline_pct": _number(
            round_display(result.change_from_baseline_pct)
        ),
        "change_from_nadir_pct": _number(round_display(result.change_from_nadir_pct)),
        "reasons": _reasons(result.reasons),
        "revised_from": _category(result.revised_from),
    }


def assessment_document(assessment: CaseAssessment) -> dict[str, JsonValue]:
    """Return the ``respond-assessment/1`` document of an assessment.

    Parameters
    ----------
    assessment
        The engine's assessment.

    Returns
    -------
    dict
        JSON-ready: numbers as int or float, dates as ISO strings.
    """
    timepoints: list[JsonValue] = []
    for tp in assessment.timepoints:
        entry: dict[str, JsonValue] = {"label": tp.label, "date": tp.date.isoformat()}
        for criterion, result in tp.results.items():
            entry[criterion.value] = criterion_document(result)
        timepoints.append(entry)
    rec = assessment.recommendation
    return {
        "format": ASSESSMENT_FORMAT,
        "patient": {"id": assessment.patient_id},
        "timepoints": timepoints,
        "best_overall": {
            c.value: _category(r) for c, r in assessment.best_overall.items()
        },
        "best_overall_reasons": {
            c.value: _reasons(r) for c, r in assessment.best_overall_reasons.items()
        },
        "progression": {c.value: _ref(r) for c, r in assessment.progression.items()},
        "recommendation": {
            "action": rec.action.value,
            "dose_level": rec.dose_level,
            "rules": _reasons(rec.rules),
            "notes": list(rec.notes),
        },
        "warnings": [{"code": w.code, "text": w.text} for w in assessment.warnings],
    }
