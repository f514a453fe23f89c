"""The read as the engine sees it: lesions, time points, measurements, clinical data.

Values are frozen dataclasses. Lengths are millimetres held as :class:`decimal.Decimal`
exactly as recorded, so the 30 %, 20 % and 5 mm thresholds are compared without
binary floating point (RULES A7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NewType

from respond.criteria.categories import (
    Criterion,
    Cytology,
    DoseForm,
    LesionKind,
    NonTargetStatus,
    Role,
    TargetStatus,
)
from respond.criteria.errors import (
    CriteriaError,
    InvalidMeasurementError,
    InvalidSettingsError,
    MissingBaselineError,
)

__all__ = [
    "AdverseEvent",
    "Case",
    "Clinical",
    "Lesion",
    "LesionId",
    "NewLesion",
    "NonTargetObservation",
    "Patient",
    "SecondLine",
    "Settings",
    "TargetMeasurement",
    "TimePoint",
]

LesionId = NewType("LesionId", str)

_LIVER_KINDS = frozenset({LesionKind.HCC, LesionKind.INFILTRATIVE_HCC})


def _check_length(name: str, value: Decimal | None, lesion_id: str) -> None:
    if value is None:
        return
    if not value.is_finite() or value < 0:
        raise InvalidMeasurementError(
            f"lesion {lesion_id}: {name} must be a finite length >= 0 mm, got {value}",
            lesion_id=lesion_id,
        )


@dataclass(frozen=True, slots=True)
class Lesion:
    """A lesion chosen at baseline, with one identity across every time point.

    Parameters
    ----------
    id
        The lesion's stable identifier (``T1``, ``N2``).
    role
        Target or non-target.
    organ
        Organ, free text; all lymph nodes count as one organ.
    is_node
        Lymph node: its short axis is what counts.
    kind
        What the lesion is (HCC, portal vein thrombus, ascites, ...).
    typical_hcc
        Arterial hyperenhancement with washout, when known.
    site
        Free-text site; ``porta hepatis`` matters for mRECIST nodes.
    note
        Free text kept with the lesion.
    """

    id: LesionId
    role: Role
    organ: str = ""
    is_node: bool = False
    kind: LesionKind = LesionKind.OTHER
    typical_hcc: bool | None = None
    site: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.role is Role.NEW:
            raise InvalidMeasurementError(
                f"lesion {self.id}: a baseline lesion is a target or a non-target; "
                "record new lesions at the time point they appear",
                lesion_id=self.id,
            )
        if self.kind is LesionKind.NODE and not self.is_node:
            object.__setattr__(self, "is_node", True)

    @property
    def is_liver(self) -> bool:
        """Whether this is a liver tumour (mRECIST measures its viable part)."""
        if self.is_node:
            return False
        return self.kind in _LIVER_KINDS or self.organ.strip().lower() == "liver"

    @property
    def is_porta_hepatis_node(self) -> bool:
        """Whether this is a lymph node at the porta hepatis (mRECIST rule)."""
        return self.is_node and "porta hepatis" in self.site.lower()


@dataclass(frozen=True, slots=True)
class TargetMeasurement:
    """A target lesion at one time point.

    Parameters
    ----------
    status
        Measured, too small, absent or not evaluated.
    long_axis_mm
        Longest diameter (non-nodal lesions).
    short_axis_mm
        Short axis (lymph nodes), perpendicular to the long axis.
    viable_mm
        Longest diameter of arterially enhancing tumour (mRECIST).
    fragments_mm
        Lengths of the fragments of a lesion that split; they are added.
    merged_into
        The lesion this one coalesced with; it then counts 0 mm.
    note
        Free text.

    Raises
    ------
    InvalidMeasurementError
        A length that is negative or not finite, or a short axis longer than the
        long axis.
    """

    status: TargetStatus = TargetStatus.MEASURED
    long_axis_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None
    viable_mm: Decimal | None = None
    fragments_mm: tuple[Decimal, ...] = ()
    merged_into: LesionId | None = None
    note: str = ""
    lesion_id: str = field(default="?", compare=False)

    def __post_init__(self) -> None:
        for name in ("long_axis_mm", "short_axis_mm", "viable_mm"):
            _check_length(name, getattr(self, name), self.lesion_id)
        for fragment in self.fragments_mm:
            _check_length("fragments_mm", fragment, self.lesion_id)
        if (
            self.long_axis_mm is not None
            and self.short_axis_mm is not None
            and self.short_axis_mm > self.long_axis_mm
        ):
            raise InvalidMeasurementError(
                f"lesion {self.lesion_id}: short axis {self.short_axis_mm} mm is "
                f"longer than the long axis {self.long_axis_mm} mm; swap or re-measure",
                lesion_id=self.lesion_id,
            )


@dataclass(frozen=True, slots=True)
class NonTargetObservation:
    """A non-target lesion at one time point.

    Parameters
    ----------
    status
        Present, absent, unequivocal progression or not evaluated.
    cytology
        For ascites and effusions: whether cytology proved malignancy.
    note
        The reader's justification (required in practice for progression).
    short_axis_mm
        The short axis of a nodal non-target, when measured (a porta hepatis
        node is followed by it under mRECIST, RULES A10).
    """

    status: NonTargetStatus
    cytology: Cytology | None = None
    note: str = ""
    short_axis_mm: Decimal | None = None

    def __post_init__(self) -> None:
        _check_length("short_axis_mm", self.short_axis_mm, "non-target")


@dataclass(frozen=True, slots=True)
class NewLesion:
    """A finding first seen after baseline.

    Parameters
    ----------
    id
        Identifier; the same id at a later time point is the same finding.
    organ, site, kind, is_node
        Where and what it is.
    long_axis_mm, short_axis_mm
        Its size, when measured.
    equivocal
        True while the reader is not sure it is tumour.
    typical_hcc
        Arterial hyperenhancement with washout (mRECIST new intrahepatic lesion).
    cytology
        For a new effusion or ascites.
    note
        Free text.
    """

    id: str
    organ: str = ""
    site: str = ""
    kind: LesionKind = LesionKind.OTHER
    is_node: bool = False
    long_axis_mm: Decimal | None = None
    short_axis_mm: Decimal | None = None
    equivocal: bool = False
    typical_hcc: bool | None = None
    cytology: Cytology | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _check_length("long_axis_mm", self.long_axis_mm, self.id)
        _check_length("short_axis_mm", self.short_axis_mm, self.id)
        if self.kind is LesionKind.NODE and not self.is_node:
            object.__setattr__(self, "is_node", True)

    @property
    def is_intrahepatic(self) -> bool:
        """Whether the finding lies in the liver."""
        if self.is_node:
            return False
        return self.kind in _LIVER_KINDS or self.organ.strip().lower() == "liver"

    @property
    def is_porta_hepatis_node(self) -> bool:
        """Whether this is a lymph node at the porta hepatis."""
        return self.is_node and "porta hepatis" in self.site.lower()

    @property
    def is_effusion(self) -> bool:
        """Whether this is ascites or a pleural effusion."""
        return self.kind in (LesionKind.ASCITES, LesionKind.PLEURAL_EFFUSION)


@dataclass(frozen=True, slots=True)
class AdverseEvent:
    """An adverse event graded with CTCAE.

    Parameters
    ----------
    term
        The event, e.g. ``hand_foot_skin_reaction``, ``hypertension``.
    grade
        CTCAE grade 1-5.
    occurrence
        1 the first time this term reached this grade, 2 the second, ...
    days_without_improvement
        Days the event has lasted without improving, when known.
    """

    term: str
    grade: int
    occurrence: int = 1
    days_without_improvement: int | None = None


@dataclass(frozen=True, slots=True)
class SecondLine:
    """Whether a second-line therapy or trial is available and the patient eligible."""

    available: bool
    eligible: bool


@dataclass(frozen=True, slots=True)
class Clinical:
    """The clinical status at one time point (all optional).

    Parameters
    ----------
    fhsi8
        FHSI-8 total, 0-32 (higher = fewer symptoms).
    fhsi8_items
        The eight item scores, 0-4 each.
    ecog
        ECOG performance status, 0-4.
    child_pugh
        Child-Pugh class and score, e.g. ``A5``.
    dose_level
        0 = 400 mg twice daily, -1 = 400 mg once daily, -2 = 400 mg every other
        day or 200 mg once daily; ``None`` with ``is_interrupted`` = treatment
        interrupted.
    dose_form
        At level -2, which of the label's two forms is given.
    is_interrupted
        Treatment is interrupted at this time point.
    adverse_events
        CTCAE-graded adverse events.
    second_line
        Second-line availability and eligibility.
    """

    fhsi8: int | None = None
    fhsi8_items: tuple[int, ...] | None = None
    ecog: int | None = None
    child_pugh: str | None = None
    dose_level: int | None = None
    is_interrupted: bool = False
    dose_form: DoseForm | None = None
    adverse_events: tuple[AdverseEvent, ...] = ()
    second_line: SecondLine | None = None

    @property
    def fhsi8_total(self) -> int | None:
        """The FHSI-8 total, from the total or the eight items."""
        if self.fhsi8 is not None:
            return self.fhsi8
        if self.fhsi8_items is not None:
            return sum(self.fhsi8_items)
        return None

    @property
    def child_pugh_class(self) -> str | None:
        """The Child-Pugh class letter (``A``, ``B``, ``C``), when recorded."""
        return self.child_pugh[0].upper() if self.child_pugh else None


@dataclass(frozen=True, slots=True)
class TimePoint:
    """One imaging time point; the first of a case is the baseline.

    Parameters
    ----------
    label
        Free text (``BL``, ``FU1``).
    date
        Date of the imaging.
    arterial_phase
        A usable arterial phase was read (mRECIST needs it).
    slice_thickness_mm
        Reconstruction thickness, for the measurability check.
    targets
        Measurement per target lesion id; a missing target is not evaluated.
    non_targets
        Observation per non-target lesion id.
    new_lesions
        Findings not present at baseline.
    clinical
        Clinical status at this time point.
    """

    label: str
    date: dt.date
    arterial_phase: bool = False
    slice_thickness_mm: Decimal | None = None
    targets: Mapping[LesionId, TargetMeasurement] = field(default_factory=dict)
    non_targets: Mapping[LesionId, NonTargetObservation] = field(default_factory=dict)
    new_lesions: tuple[NewLesion, ...] = ()
    clinical: Clinical = field(default_factory=Clinical)


@dataclass(frozen=True, slots=True)
class Settings:
    """Assessment settings; the defaults are respond's (RULES section 3).

    Parameters
    ----------
    criteria
        The criteria to compute.
    primary_criterion
        The criterion that drives the recommendation (A11).
    confirmation_required
        CR/PR must be confirmed (A6).
    confirmation_min_days
        Days between a response and its confirmation.
    sd_min_days
        Days after baseline before SD counts as best response.
    continuing_pr
        After a PR, a regrowth short of PD stays PR (A1).
    mrecist_pd_min_increase_mm
        Absolute increase mRECIST PD needs besides +20 % (A2).
    confirmation_max_ne_between
        How many NE assessments may lie between a CR/PR and the assessment that
        confirms it (A12).
    """

    criteria: tuple[Criterion, ...] = (Criterion.RECIST11, Criterion.MRECIST)
    primary_criterion: Criterion = Criterion.MRECIST
    confirmation_required: bool = False
    confirmation_min_days: int = 28
    sd_min_days: int = 42
    continuing_pr: bool = True
    mrecist_pd_min_increase_mm: Decimal = Decimal(0)
    confirmation_max_ne_between: int = 1

    def __post_init__(self) -> None:
        if self.confirmation_max_ne_between < 0:
            raise InvalidSettingsError(
                "settings: confirmation_max_ne_between must be 0 or more, got "
                f"{self.confirmation_max_ne_between}"
            )
        if not self.criteria:
            raise InvalidSettingsError("settings: name at least one criterion")
        if self.primary_criterion not in self.criteria:
            raise InvalidSettingsError(
                f"settings: the primary criterion {self.primary_criterion.value} "
                "must be one of the criteria computed"
            )


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient a case belongs to.

    Parameters
    ----------
    id
        The patient identifier.
    name
        The name (DICOM ``^`` separated), when known.
    birth_date
        Date of birth, when known.
    sex
        ``F``, ``M`` or ``O`` (other) as DICOM PatientSex writes it; None when
        unknown.

    Raises
    ------
    CriteriaError
        ``sex`` is none of ``F``, ``M``, ``O`` or None.
    """

    id: str
    name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None

    def __post_init__(self) -> None:
        if self.sex not in (None, "F", "M", "O"):
            raise CriteriaError(
                f"patient {self.id}: sex must be F, M or O (or unknown), got "
                f"{self.sex!r}; leave it empty when not known"
            )


@dataclass(frozen=True, slots=True)
class Case:
    """One patient's read: lesions, time points in date order, settings.

    Raises
    ------
    MissingBaselineError
        No time point, or a target lesion without a baseline measurement.
    """

    patient: Patient
    lesions: tuple[Lesion, ...]
    timepoints: tuple[TimePoint, ...]
    settings: Settings = field(default_factory=Settings)
    reader: str | None = None

    def __post_init__(self) -> None:
        if not self.timepoints:
            raise MissingBaselineError(
                f"patient {self.patient.id}: the case has no time point; "
                "add the baseline imaging first"
            )
        baseline = self.timepoints[0]
        for lesion in self.targets:
            measurement = baseline.targets.get(lesion.id)
            if measurement is None or measurement.status is not TargetStatus.MEASURED:
                raise MissingBaselineError(
                    f"target {lesion.id} has no baseline measurement; measure it at "
                    f"{baseline.label or 'baseline'} or make it a non-target",
                    lesion_id=lesion.id,
                )

    @property
    def baseline(self) -> TimePoint:
        """The first time point."""
        return self.timepoints[0]

    @property
    def targets(self) -> tuple[Lesion, ...]:
        """The target lesions, in the order recorded."""
        return tuple(lesion for lesion in self.lesions if lesion.role is Role.TARGET)

    @property
    def non_targets(self) -> tuple[Lesion, ...]:
        """The non-target lesions, in the order recorded."""
        return tuple(l for l in self.lesions if l.role is Role.NON_TARGET)  # noqa: E741
