"""The numbers behind the report's spider plot and waterfall, per criterion.

Spider: per cent change from baseline over days on treatment, for each target
lesion (the value it adds to the criterion's sum: RECIST 1.1 diameter or short
axis, mRECIST viable diameter) and for the sum. Waterfall: the best (lowest)
change of each target lesion and of the sum, largest first, as waterfall plots
are read. Changes are computed in Decimal and rounded to 0.1 % for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from respond.criteria.categories import Role
from respond.criteria.mrecist import viable_value
from respond.criteria.recist11 import recist_value

if TYPE_CHECKING:
    from collections.abc import Callable

    from respond.criteria.model import Lesion, TargetMeasurement
    from respond.criteria.record import PatientRead

__all__ = ["CRITERIA", "Curve", "change_curves", "waterfall"]

_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)

CRITERIA: dict[str, Callable[[Lesion, TargetMeasurement | None], object]] = {
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
    valuation = CRITERIA[criterion](lesion, measurement)
    value = getattr(valuation, "value", None)
    return value if isinstance(value, Decimal) else None


def _pct(value: Decimal, base: Decimal) -> float | None:
    if base == 0:
        return None
    return float(((value - base) * _HUNDRED / base).quantize(_TENTH, ROUND_HALF_UP))


def change_curves(read: PatientRead, criterion: str) -> tuple[Curve, ...]:
    """Return each target's curve and the sum's (last) for one criterion."""
    if not read.timepoints:
        return ()
    baseline = read.timepoints[0]
    start = baseline.date
    targets = [les for les in read.lesions if les.role is Role.TARGET]
    curves = []
    sums: list[tuple[int, Decimal | None]] = []
    base_sum = Decimal(0)
    for lesion in targets:
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
        base_sum += base or Decimal(0)
    for tp in read.timepoints:
        values = [_value(criterion, les, tp.target(les.id)) for les in targets]
        known = [v for v in values if v is not None]
        total = sum(known, Decimal(0)) if len(known) == len(values) else None
        sums.append(((tp.date - start).days, total))
    sum_points = tuple(
        (day, pct)
        for day, total in sums
        if total is not None and (pct := _pct(total, base_sum)) is not None
    )
    curves.append(Curve("sum", sum_points, is_sum=True))
    return tuple(curves)


def waterfall(read: PatientRead, criterion: str) -> tuple[tuple[str, float], ...]:
    """Return ``(label, best per cent change)`` of each target and the sum.

    Only follow-up points count (the baseline is 0 % by definition); a lesion
    never measured after baseline has no bar.
    """
    bars = []
    for curve in change_curves(read, criterion):
        follow_ups = [pct for day, pct in curve.points if day > 0]
        if follow_ups:
            bars.append((curve.label, min(follow_ups)))
    bars.sort(key=lambda bar: -bar[1])
    return tuple(bars)
