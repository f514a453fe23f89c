"""The read as it is kept: what the engine needs, plus where it was measured.

A :class:`PatientRead` is one patient's read over time: lesions with one stable
identity (and a DICOM tracking UID) across every time point, each time point's
measurements with the calipers they came from (two end points in patient
coordinates, on a named series, SOP instance and frame), clinical status,
sign-off and the clinician's decision. :meth:`PatientRead.to_case` gives the
engine's :class:`~respond.criteria.model.Case`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import TYPE_CHECKING

from respond.criteria.categories import Action
from respond.criteria.errors import InvalidMeasurementError
from respond.criteria.model import (
    Case,
    Clinical,
    Lesion,
    LesionId,
    NewLesion,
    NonTargetObservation,
    Patient,
    Settings,
    TargetMeasurement,
    TimePoint,
)

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "PROPOSAL_METHOD",
    "Caliper",
    "CaliperKind",
    "Decision",
    "LesionExtent",
    "PatientRead",
    "ProposalReview",
    "TimePointRecord",
    "length_mm",
]

Point = tuple[float, float, float]
_TENTH = Decimal("0.1")


def length_mm(start: Point, end: Point) -> Decimal:
    """Return the distance between two patient points, to 0.1 mm (half up).

    Parameters
    ----------
    start, end
        Points in patient coordinates (LPS, mm).

    Returns
    -------
    Decimal
        The Euclidean distance rounded half-up to one decimal, as recorded.
    """
    distance = math.dist(start, end)
    return Decimal(repr(distance)).quantize(_TENTH, rounding=ROUND_HALF_UP)


class CaliperKind(Enum):
    """What a caliper measures."""

    LONG_AXIS = "long_axis"
    """Longest diameter (non-nodal lesions; nodes' long axis)."""
    SHORT_AXIS = "short_axis"
    """Short axis, perpendicular to the long axis (nodes)."""
    VIABLE = "viable"
    """Longest diameter of arterially enhancing tumour (mRECIST)."""
    FRAGMENT = "fragment"
    """Long axis of one fragment of a split lesion."""


@dataclass(frozen=True, slots=True)
class Caliper:
    """A line the reader drew, in patient space, on one image.

    Parameters
    ----------
    kind
        What it measures.
    start_mm, end_mm
        End points in patient coordinates (LPS, mm).
    series_uid, sop_instance_uid, frame
        The image it was drawn on (frame for multi-frame images, else None).
    index
        Fragment number for split lesions (0 otherwise).
    """

    kind: CaliperKind
    start_mm: Point
    end_mm: Point
    series_uid: str
    sop_instance_uid: str
    frame: int | None = None
    index: int = 0

    @property
    def length_mm(self) -> Decimal:
        """The caliper's length to 0.1 mm."""
        return length_mm(self.start_mm, self.end_mm)


PROPOSAL_METHOD = "click-to-measure"
"""How proposed calipers were made (the audit trail names it)."""


@dataclass(frozen=True, slots=True)
class LesionExtent:
    """What click-to-measure found of a lesion besides its lines.

    Extra figures kept with a target's measurement at one time point; neither
    RECIST 1.1 nor mRECIST uses them.

    Parameters
    ----------
    volume_ml
        The lesion's volume (necrosis included), mL to 0.01.
    enhancing_fraction
        Share of that volume that enhances in the arterial phase, 0-1 to
        0.001; None when no arterial phase was measured.

    Raises
    ------
    InvalidMeasurementError
        A volume that is negative or not finite, or a fraction outside 0-1.
    """

    volume_ml: Decimal
    enhancing_fraction: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.volume_ml.is_finite() or self.volume_ml < 0:
            raise InvalidMeasurementError(
                f"a lesion volume is a finite number of mL >= 0, got {self.volume_ml}"
            )
        fraction = self.enhancing_fraction
        if fraction is not None and not (fraction.is_finite() and 0 <= fraction <= 1):
            raise InvalidMeasurementError(
                f"an enhancing fraction lies between 0 and 1, got {fraction}"
            )

    @classmethod
    def of(cls, volume_ml: float, enhancing_fraction: float | None) -> LesionExtent:
        """Return the extent of measured figures, rounded half up (0.01 mL, 0.001).

        Raises
        ------
        InvalidMeasurementError
            As the constructor.
        """
        volume = Decimal(repr(float(volume_ml))).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        fraction = (
            None
            if enhancing_fraction is None
            else Decimal(repr(float(enhancing_fraction))).quantize(
                Decimal("0.001"), rounding=ROUND_HALF_UP
            )
        )
        return cls(volume, fraction)


@dataclass(frozen=True, slots=True)
class ProposalReview:
    """How the reader took calipers proposed by click-to-measure (for the audit).

    Parameters
    ----------
    proposed
        The lines as they were proposed.
    adjusted
        Whether the reader moved any of them before accepting.
    """

    proposed: tuple[Caliper, ...]
    adjusted: bool

    @property
    def outcome(self) -> str:
        """``accepted as proposed`` or ``adjusted``, as the audit trail says it."""
        return "adjusted" if self.adjusted else "accepted as proposed"


@dataclass(frozen=True, slots=True)
class Decision:
    """The clinician's decision on a recommendation.

    Parameters
    ----------
    recommended_action, recommended_dose
        What respond recommended.
    accepted
        Whether the clinician accepted it.
    action, dose_level
        What the clinician decided.
    reason
        Why, required when overriding.
    decided_by, decided_at
        Who and when (ISO 8601).
    """

    recommended_action: Action
    recommended_dose: int | None
    accepted: bool
    action: Action
    dose_level: int | None
    reason: str
    decided_by: str
    decided_at: str


@dataclass(frozen=True, slots=True)
class TimePointRecord:
    """One time point of a read, with its calipers, sign-off and decision."""

    uid: str
    timepoint: TimePoint
    study_uid: str = ""
    series_uid: str = ""
    calipers: Mapping[LesionId, tuple[Caliper, ...]] = field(default_factory=dict)
    new_lesion_uids: Mapping[str, str] = field(default_factory=dict)
    signed_by: str = ""
    signed_at: str = ""
    decision: Decision | None = None
    extents: Mapping[LesionId, LesionExtent] = field(default_factory=dict)
    """Targets' extra figures from click-to-measure (not used by the criteria)."""

    @property
    def is_signed(self) -> bool:
        """Signed time points are read-only until an audited unlock."""
        return bool(self.signed_at)

    @property
    def date(self) -> dt.date:
        """The imaging date."""
        return self.timepoint.date

    @property
    def label(self) -> str:
        """The time point's label."""
        return self.timepoint.label

    def target(self, lesion_id: LesionId) -> TargetMeasurement | None:
        """Return a target's measurement here, if recorded."""
        return self.timepoint.targets.get(lesion_id)

    def non_target(self, lesion_id: LesionId) -> NonTargetObservation | None:
        """Return a non-target's observation here, if recorded."""
        return self.timepoint.non_targets.get(lesion_id)

    def new_lesion(self, finding_id: str) -> NewLesion | None:
        """Return a new finding here by id, if recorded."""
        return next((n for n in self.timepoint.new_lesions if n.id == finding_id), None)

    @property
    def clinical(self) -> Clinical:
        """The clinical status at this time point."""
        return self.timepoint.clinical


@dataclass(frozen=True, slots=True)
class PatientRead:
    """One patient's read across every time point."""

    patient: Patient
    lesions: tuple[Lesion, ...] = ()
    tracking_uids: Mapping[LesionId, str] = field(default_factory=dict)
    timepoints: tuple[TimePointRecord, ...] = ()
    settings: Settings = field(default_factory=Settings)
    reader: str | None = None

    def lesion(self, lesion_id: LesionId) -> Lesion | None:
        """Return a baseline lesion by id."""
        return next((les for les in self.lesions if les.id == lesion_id), None)

    def timepoint(self, uid: str) -> TimePointRecord | None:
        """Return a time point by its stable uid."""
        return next((tp for tp in self.timepoints if tp.uid == uid), None)

    def to_case(self) -> Case:
        """Return the engine's case.

        Raises
        ------
        MissingBaselineError
            No time point yet, or a target not measured at baseline.
        """
        return Case(
            patient=self.patient,
            lesions=self.lesions,
            timepoints=tuple(tp.timepoint for tp in self.timepoints),
            settings=self.settings,
            reader=self.reader,
        )


class Unseen:
    """The type of :data:`UNSEEN`."""

    def __repr__(self) -> str:
        return "UNSEEN"


UNSEEN = Unseen()
"""An edit's ``seen`` when the writer shows nothing to check against (the
command line): the store writes the edit as it is."""
