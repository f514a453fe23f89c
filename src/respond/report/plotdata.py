"""The numbers behind the report's spider plot and waterfall, per criterion.

Spider: per cent change from baseline over days on treatment, for each target
lesion (the value it adds to the criterion's sum: RECIST 1.1 diameter or short
axis, mRECIST viable diameter) and for the sum (the engine's own change of
the sum: lesions a criterion does not count stay out). Waterfall: the best (lowest)
change of each target lesion and of the sum, largest first, as waterfall plots
are read. Changes are computed in Decimal and rounded to 0.1 % for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from respond.casefile import assessment_document
from respond.criteria.assess import assess
from respond.criteria.categories import Role
from respond.criteria.mrecist import viable_value
from respond.criteria.recist11 import recist_value
from respond.criteria.result import percent_change, round_display

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from decimal import Decimal

    from respond.criteria._protocol import Valuation
    from respond.criteria.model import Lesion, TargetMeasurement
    from respond.criteria.record import PatientRead

__all__ = ["CRITERIA", "Curve", "change_curves", "waterfall"]

CRITERIA: dict[str, Callable[[Lesion, TargetMeasurement | None], Valuation]] = {
    "RECIST1.1": recist_value,
    "mRECIST": viable_value,
}


@dataclass(frozen=True, slots=True)
class Curve:
    """One line of the spider plot: ``(day, per cent change)`` points."""

    label: str
    points: tuple[tuple[int, float], ...]
    is_sum: bool = False


def _value(
    criterion: str, lesion: Lesion, measurement: TargetMeasurement | None
) -> Decimal | None:
    return CRITERIA[criterion](lesion, measurement).value


def _pct(value: Decimal, base: Decimal) -> float | None:
    change = round_display(percent_change(value, base))
    return None if change is None else float(change)


def _sum_points(
    read: PatientRead, criterion: str, assessment: Mapping[str, object]
) -> tuple[tuple[int, float], ...]:
    # the engine's own changes: its sum leaves out what the criterion does not
    # count (e.g. mRECIST's porta hepatis nodes), so it is not re-added here
    start = read.timepoints[0].date
    points = []
    timepoints = cast("Sequence[Mapping[str, object]]", assessment["timepoints"])
    for tp, record in zip(timepoints, read.timepoints, strict=True):
        block = cast("Mapping[str, object] | None", tp.get(criterion))
        if block is None or block.get("sum_mm") is None:
            continue
        change = block.get("change_from_baseline_pct")
        day = (record.date - start).days
        if day == 0:
            points.append((0, 0.0))
        elif change is not None:
            points.append((day, float(cast("float", change))))
    return tuple(points)


def change_curves(
    read: PatientRead, criterion: str, assessment: Mapping[str, object] | None = None
) -> tuple[Curve, ...]:
    """Return each target's curve and the sum's (last) for one criterion.

    ``assessment`` is the read's ``respond-assessment/1`` document (computed
    when not given); the sum's curve is its change from baseline.
    """
    if not read.timepoints:
        return ()
    if assessment is None:
        assessment = assessment_document(assess(read.to_case()))
    baseline = read.timepoints[0]
    start = baseline.date
    curves = []
    for lesion in (les for les in read.lesions if les.role is Role.TARGET):
        base = _value(criterion, lesion, baseline.target(lesion.id))
        points = []
        for tp in read.timepoints:
            value = _value(criterion, lesion, tp.target(lesion.id))
            if base is None or value is None:
                continue
            pct = _pct(value, base)
            if pct is not None:
                points.append(((tp.date - start).days, pct))
        curves.append(Curve(lesion.id, tuple(points)))
    curves.append(Curve("sum", _sum_points(read, criterion, assessment), is_sum=True))
    return tuple(curves)


def waterfall(
    read: PatientRead, criterion: str, assessment: Mapping[str, object] | None = None
) -> tuple[tuple[str, float], ...]:
    """Return ``(label, best per cent change)`` of each target and the sum.

    Only follow-up points count (the baseline is 0 % by definition); a lesion
    never measured after baseline has no bar.
    """
    bars = []
    for curve in change_curves(read, criterion, assessment):
        follow_ups = [pct for day, pct in curve.points if day > 0]
        if follow_ups:
            bars.append((curve.label, min(follow_ups)))
    bars.sort(key=lambda bar: -bar[1])
    return tuple(bars)
