"""RECIST 1.1 (Eisenhauer et al. 2009, with the Working Group's Q&A).

Supplies the RECIST-specific parts to the shared time-line: what a target counts
(section 4.3.2), how non-targets are read (4.3.3) and which new findings are new
lesions (4.3.5). Section numbers refer to Eisenhauer et al., Eur J Cancer 2009.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria._arith import (
    NODE_NORMAL_MM,
    RECIST_PD_MIN_INCREASE_MM,
    TOO_SMALL_MM,
    ZERO,
    mm,
)
from respond.criteria._protocol import NewVerdict, NonTargetItem, Valuation
from respond.criteria.categories import Criterion, NonTargetStatus, TargetStatus
from respond.criteria.result import Reason

if TYPE_CHECKING:
    from decimal import Decimal

    from respond.criteria.model import (
        Case,
        Lesion,
        NewLesion,
        TargetMeasurement,
        TimePoint,
    )
    from respond.criteria.result import CaseWarning

__all__ = ["Recist11", "recist_value"]

_NEW = "RECIST1.1 4.3.5"


def recist_value(lesion: Lesion, measurement: TargetMeasurement | None) -> Valuation:
    """Return what a target lesion adds to the RECIST 1.1 sum (section 4.3.2).

    Parameters
    ----------
    lesion
        The target lesion.
    measurement
        Its record at the time point; ``None`` when it was not recorded.

    Returns
    -------
    Valuation
        The value in mm, or ``None`` when the lesion was not evaluated, with a note
        saying how the value was obtained.
    """
    if measurement is None or measurement.status is TargetStatus.NOT_EVALUATED:
        return Valuation(None, f"{lesion.id} not evaluated")
    if measurement.status is TargetStatus.ABSENT:
        return Valuation(ZERO, f"{lesion.id} absent: 0 mm")
    if measurement.status is TargetStatus.TOO_SMALL:
        return Valuation(TOO_SMALL_MM, f"{lesion.id} too small to measure: 5 mm")
    if measurement.merged_into is not None:
        return Valuation(
            ZERO, f"{lesion.id} merged into {measurement.merged_into}: 0 mm"
        )
    if measurement.fragments_mm:
        total = sum(measurement.fragments_mm, ZERO)
        parts = " + ".join(str(f) for f in measurement.fragments_mm)
        return Valuation(total, f"{lesion.id} split: {parts} = {mm(total)}")
    length = measurement.short_axis_mm if lesion.is_node else measurement.long_axis_mm
    if length is None:
        axis = "short axis" if lesion.is_node else "long axis"
        return Valuation(None, f"{lesion.id} has no {axis} recorded")
    return Valuation(length)


def is_gone(lesion: Lesion, value: Decimal) -> bool:
    """Whether a target counts as gone for CR: 0 mm, or a node below 10 mm."""
    if lesion.is_node:
        return value < NODE_NORMAL_MM
    return value == 0


def reader_non_targets(case: Case, tp: TimePoint) -> list[NonTargetItem]:
    """Return the non-targets with the reader's status (missing = not evaluated)."""
    items = []
    for lesion in case.non_targets:
        observation = tp.non_targets.get(lesion.id)
        status = (
            NonTargetStatus.NOT_EVALUATED
            if observation is None
            else (observation.status)
        )
        items.append(NonTargetItem(lesion.id, status))
    return items


def recist_new_verdict(finding: NewLesion) -> NewVerdict:
    """Judge a new finding by RECIST 1.1 section 4.3.5."""
    short = finding.short_axis_mm
    if finding.is_node and short is not None and short < NODE_NORMAL_MM:
        return NewVerdict(
            False,
            False,
            Reason(
                _NEW,
                f"new node {finding.id} short axis {mm(short)} < 10 mm: not "
                "pathological, not a new lesion",
            ),
        )
    if finding.equivocal:
        return NewVerdict(
            False,
            True,
            Reason(
                _NEW,
                f"equivocal new finding {finding.id}: not progression until a later "
                "scan confirms it (then dated back to this scan)",
            ),
        )
    return NewVerdict(
        True, True, Reason(_NEW, f"unequivocal new lesion {finding.id} -> PD")
    )


class Recist11:
    """The RECIST 1.1 rules for the shared time-line."""

    criterion = Criterion.RECIST11
    rule = "RECIST1.1"
    pd_min_increase_mm = RECIST_PD_MIN_INCREASE_MM

    def scope(self, case: Case) -> tuple[tuple[Lesion, ...], list[CaseWarning]]:
        """Return every target lesion: all enter the RECIST sum."""
        return case.targets, []

    def unavailable(self, timepoint: TimePoint) -> Reason | None:
        """RECIST can always be measured on the images read."""
        return None

    def value(
        self, lesion: Lesion, measurement: TargetMeasurement | None, tp: TimePoint
    ) -> Valuation:
        """Return the RECIST value of a target (long axis, or short axis of a node)."""
        return recist_value(lesion, measurement)

    def non_target_items(self, case: Case, tp: TimePoint) -> list[NonTargetItem]:
        """Return the non-targets with the reader's status."""
        return reader_non_targets(case, tp)

    def classify_new(
        self, finding: NewLesion, tp: TimePoint, first: NewLesion | None
    ) -> NewVerdict:
        """Judge a new finding by RECIST 1.1 section 4.3.5."""
        return recist_new_verdict(finding)

    def grown_into_new(self, case: Case, tp: TimePoint) -> list[NewVerdict]:
        """RECIST 1.1 follows every baseline lesion as recorded: none becomes new."""
        return []
