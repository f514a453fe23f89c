"""Radiologic progression as the recommendation reads it (RULES 4.3 step 4, A13).

Progression is the documented progression of the primary criterion at any time
point so far, not only the latest category. An mRECIST PD that rests only on a
tiny absolute change (a viable-sum rise under 5 mm, a rise from a viable nadir of
0, or a target recorded only as "too small") stays PD as published (A2), but the
recommendation does not act on it alone: it waits for the next scan (A13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from respond.criteria._arith import TOO_SMALL_MM, ZERO, meets_pd, mm
from respond.criteria.categories import Criterion, Response, TargetStatus
from respond.criteria.mrecist import MRecist

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from respond.criteria.model import Case
    from respond.criteria.result import CriterionResult

__all__ = ["Progression", "documented_progression"]

SOFT_PD_MM = 5


@dataclass(frozen=True, slots=True)
class Progression:
    """The documented progression so far by the primary criterion."""

    index: int | None
    """The first time point with a progression that counts, or None."""
    pending: str | None
    """Why the latest PD rests on a tiny change and awaits confirmation (A13)."""


def _soft(case: Case, results: Sequence[CriterionResult], index: int) -> str | None:
    """Why an mRECIST PD rests only on a tiny absolute change (A13), or None."""
    result = results[index]
    if (
        result.criterion is not Criterion.MRECIST
        or result.target is not Response.PD
        or result.non_target is Response.PD
        or result.new_lesions
        or result.sum_mm is None
        or result.nadir_mm is None
    ):
        return None
    total, nadir = result.sum_mm, result.nadir_mm
    if nadir == ZERO:
        return f"a rise from a viable nadir of 0 mm to {mm(total)}"
    if total - nadir < SOFT_PD_MM:
        rise = mm(total - nadir)
        return f"a viable-sum rise of only {rise} ({mm(nadir)} -> {mm(total)})"
    small = _too_small_share(case, results, index)
    if small is not None:
        share, names = small
        if not meets_pd(total - share, nadir, case.settings.mrecist_pd_min_increase_mm):
            return f"{names} recorded only as too small (counted 5 mm)"
    return None


def _too_small_share(
    case: Case, results: Sequence[CriterionResult], index: int
) -> tuple[Decimal, str] | None:
    nadir = results[index].nadir_mm
    nadir_index = next(
        (i for i in reversed(range(index)) if results[i].sum_mm == nadir), None
    )
    if nadir_index is None:
        return None
    rules = MRecist(case.settings.mrecist_pd_min_increase_mm)
    scope, _ = rules.scope(case)
    tp = case.timepoints[index]
    then = case.timepoints[nadir_index]
    share = ZERO
    names = []
    for lesion in scope:
        measurement = tp.targets.get(lesion.id)
        if (
            measurement is None
            or measurement.status is not TargetStatus.TOO_SMALL
            or measurement.viable_mm is not None
        ):
            continue
        before = rules.value(lesion, then.targets.get(lesion.id), then).value
        if before is not None and before < TOO_SMALL_MM:
            share += TOO_SMALL_MM - before
            names.append(lesion.id)
    if not names:
        return None
    return share, ", ".join(names)


def _name(case: Case, index: int) -> str:
    tp = case.timepoints[index]
    return tp.label or tp.date.isoformat()


def documented_progression(
    case: Case, results: Sequence[CriterionResult]
) -> tuple[Progression, list[str]]:
    """Return the first progression that counts, or the PD awaiting confirmation.

    A PD resting on a tiny change (A13) is confirmed by a PD at the next
    evaluable scan (NE scans in between neither confirm nor refute it) and
    dismissed, with a note, by an evaluable scan without PD.

    Parameters
    ----------
    case
        The case.
    results
        The primary criterion's result at every time point, baseline first.

    Returns
    -------
    tuple
        The progression and the notes to show.
    """
    notes: list[str] = []
    for index in range(1, len(results)):
        if results[index].overall is not Response.PD:
            continue
        why = _soft(case, results, index)
        if why is None:
            return Progression(index, None), notes
        label = _name(case, index)
        following = next(
            (
                i
                for i in range(index + 1, len(results))
                if results[i].overall is not Response.NE
            ),
            None,
        )
        if following is None:
            return Progression(None, why), notes
        if results[following].overall is Response.PD:
            notes.append(
                f"PD at {label} rested on {why}; confirmed at "
                f"{_name(case, following)} (A13)"
            )
            return Progression(index, None), notes
        notes.append(
            f"PD at {label} rested on {why} and was not confirmed at "
            f"{_name(case, following)} (A13): not acted on"
        )
    return Progression(None, None), notes
