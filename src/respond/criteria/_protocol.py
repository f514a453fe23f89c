"""The shared shape of a criteria set, and the small values it passes around."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from respond.criteria.categories import NonTargetStatus
from respond.criteria.model import (
    LesionId,
)
from respond.criteria.result import Reason

if TYPE_CHECKING:
    from respond.criteria.categories import Criterion
    from respond.criteria.model import (
        Case,
        Lesion,
        NewLesion,
        TargetMeasurement,
        TimePoint,
    )
    from respond.criteria.result import CaseWarning


@dataclass(frozen=True, slots=True)
class Valuation:
    """A target's contribution to the sum; ``value`` None means missing."""

    value: Decimal | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class NonTargetItem:
    """A non-target as a criterion sees it at one time point."""

    lesion_id: LesionId
    status: NonTargetStatus
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class NewVerdict:
    """How a criterion counts one new finding at one time point.

    ``counts``: it is an unequivocal new lesion now. ``candidate``: it is a finding
    that a later time point may confirm (progression is then back-dated to it).
    """

    counts: bool
    candidate: bool
    reason: Reason


class CriterionRules(Protocol):
    """What RECIST 1.1 and mRECIST each supply to the shared time-line."""

    criterion: Criterion
    rule: str
    pd_min_increase_mm: Decimal

    def scope(self, case: Case) -> tuple[tuple[Lesion, ...], list[CaseWarning]]:
        """Return the target lesions that enter the sum, and warnings."""
        ...

    def unavailable(self, timepoint: TimePoint) -> Reason | None:
        """Return why no target can be measured at this time point, if so."""
        ...

    def value(
        self, lesion: Lesion, measurement: TargetMeasurement | None, tp: TimePoint
    ) -> Valuation:
        """Return a target's value at a time point."""
        ...

    def non_target_items(self, case: Case, tp: TimePoint) -> list[NonTargetItem]:
        """Return the non-targets at a time point, as this criterion counts them."""
        ...

    def classify_new(
        self, finding: NewLesion, tp: TimePoint, first: NewLesion | None
    ) -> NewVerdict:
        """Judge a new finding; ``first`` is its first sighting, at any size."""
        ...

    def grown_into_new(self, case: Case, tp: TimePoint) -> list[NewVerdict]:
        """Return baseline lesions that count as new lesions at a time point.

        A baseline lesion the criterion does not count as disease may become a new
        lesion later (mRECIST: a porta hepatis node reaching 20 mm, RULES A10).
        """
        ...
