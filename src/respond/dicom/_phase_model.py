"""The types of the contrast phase calls: phases, confidences and evidence.

:class:`Phase` and :class:`Confidence` name a call, :class:`PhaseInput` is
what the headers of one series say, :class:`ImageEstimate` what its pixels
say and :class:`PhaseCall` the call with its evidence. The coarse rank of the
contrast phases, used both to order series and to combine evidence, is kept
here too. The public types are re-exported by :mod:`respond.dicom.phase`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final


class Phase(Enum):
    """Contrast phase of a series."""

    NON_CONTRAST = "non_contrast"
    """Acquired without intravenous contrast."""
    ARTERIAL = "arterial"
    """Arterial phase (early, or not further specified)."""
    LATE_ARTERIAL = "late_arterial"
    """Late arterial phase, the preferred phase for mRECIST."""
    PORTAL_VENOUS = "portal_venous"
    """Portal venous phase."""
    DELAYED = "delayed"
    """Delayed, equilibrium, transitional or hepatobiliary phase."""
    UNKNOWN = "unknown"
    """Phase could not be determined."""


class Confidence(Enum):
    """How much the evidence supports a phase call."""

    HIGH = "high"
    """A keyword, or a delay inside a timing window."""
    MEDIUM = "medium"
    """A keyword contradicted by the timing."""
    LOW = "low"
    """Order within the study, or a very long delay."""
    NONE = "none"
    """No phase was determined."""


@dataclass(frozen=True, slots=True)
class PhaseInput:
    """One series (or stack) of a study, as its DICOM header describes it.

    Times are DICOM TM strings; a missing or empty value counts as absent.
    """

    key: str  # the caller's id for the series
    modality: str  # Modality (0008,0060): "CT", "MR", ...
    description: str = ""  # SeriesDescription (0008,103E)
    protocol: str = ""  # ProtocolName (0018,1030)
    series_number: int | None = None  # SeriesNumber (0020,0011)
    contrast_agent: str | None = None  # ContrastBolusAgent (0018,0010)
    contrast_route: str | None = None  # ContrastBolusRoute (0018,1040)
    contrast_start: str | None = None  # ContrastBolusStartTime (0018,1042)
    acquisition_time: str | None = None  # AcquisitionTime (0008,0032), 1st slice
    series_time: str | None = None  # SeriesTime (0008,0031)
    content_time: str | None = None  # ContentTime (0008,0033)
    image_type: tuple[str, ...] = ()  # ImageType (0008,0008)
    is_localizer: bool = False


@dataclass(frozen=True, slots=True)
class ImageEstimate:
    """What a CT stack's own pixels say about its contrast phase.

    Attenuations are medians over the slices used, in HU. ``phase`` is
    ``Phase.UNKNOWN`` when nothing could be measured (``reason`` says why) or
    when the measured values fit no phase. The confidence is at most MEDIUM.
    """

    phase: Phase
    confidence: Confidence
    reason: str = ""  # why nothing was measured; empty when values were
    aorta_hu: float | None = None
    liver_hu: float | None = None
    z_mm: tuple[float, float] | None = None  # lowest and highest slice used
    slice_count: int = 0
    is_contrast: bool | None = None  # contrast in the aorta; None if unmeasured

    @property
    def has_values(self) -> bool:
        """Both the aorta and the liver were measured."""
        return self.aorta_hu is not None and self.liver_hu is not None

    @property
    def evidence(self) -> str:
        """The estimate as one line of evidence, with its measured values."""
        if self.aorta_hu is None or self.liver_hu is None:
            return f"from the images: no estimate ({self.reason or 'not measured'})"
        where = f"{self.slice_count} slice{'s' * (self.slice_count != 1)}"
        if self.z_mm is not None:
            low, high = (str(round(z)) for z in self.z_mm)
            where += f", z {low} mm" if low == high else f", z {low}..{high} mm"
        values = f"aorta {self.aorta_hu:.0f} HU, liver {self.liver_hu:.0f} HU"
        if self.phase is not Phase.UNKNOWN:
            said = _label(self.phase)
        else:
            said = "contrast-enhanced, " * bool(self.is_contrast) + "fits no phase"
        return f"from the images: {values} ({where}): {said}"


@dataclass(frozen=True, slots=True)
class PhaseCall:
    """The phase given to one series, with the evidence behind it."""

    phase: Phase
    confidence: Confidence
    evidence: tuple[str, ...]  # readable, each naming the tag or keyword used
    is_contrast: bool | None  # intravenous contrast given; None when unknown
    is_corroborated: bool = False  # keyword and bolus timing agree
    image: ImageEstimate | None = None  # what the pixels said, when asked

    @property
    def is_disputed(self) -> bool:
        """The images read another phase, with MEDIUM confidence (see ``image``)."""
        image = self.image
        return (
            image is not None
            and image.confidence is Confidence.MEDIUM
            and _rank(image.phase) != _rank(self.phase)
        )


# Coarse rank of the contrast phases, used to place series between anchors.
_RANK: Final = dict.fromkeys((Phase.ARTERIAL, Phase.LATE_ARTERIAL), 1) | {
    Phase.PORTAL_VENOUS: 2,
    Phase.DELAYED: 3,
}
_CONTRAST_PHASES: Final = tuple(_RANK)
_BY_RANK: Final = {1: Phase.ARTERIAL, 2: Phase.PORTAL_VENOUS, 3: Phase.DELAYED}


def _label(phase: Phase) -> str:
    return phase.value.replace("_", " ")


def _rank(phase: Phase) -> int:
    return 0 if phase is Phase.NON_CONTRAST else _RANK.get(phase, -1)
