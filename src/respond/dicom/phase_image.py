"""The contrast phase of a CT stack from its own pixels, when headers are silent.

Many series carry no bolus timing and a description such as "C/A/P". The
blood and the liver then tell the phase: the aorta is bright and the liver
barely enhanced in the arterial phase; both are enhanced, the aorta still
clearly above the liver, in the portal venous phase; the two approach each
other in the delayed phase; neither is enhanced without contrast.

A few axial slices (at most :data:`MAX_SLICES`) are read at the liver's level.
On each, the vertebral body (the large bone blob at the posterior midline)
anchors the search for the aorta (a round, homogeneous 10-35 mm region just
anterior and to the patient's left of it), and the liver is the largest soft
tissue region on the patient's right. Sizes are physical millimetres; left,
right, anterior and posterior come from the image orientation (LPS). The
medians over the slices are compared with the thresholds below (their sources
are in docs/dicom.md). Nothing here raises: a stack that cannot be measured
gives an estimate with no phase and the reason.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.dicom._anatomy import (
    AORTA_CONTRAST_MIN_HU,
    LIVER_LEVEL,
    LIVER_LEVEL_MIN_MM2,
    NO_VERTEBRA,
    SliceGeometry,
    SliceMeasure,
    measure_slice,
)
from respond.dicom.errors import DicomError
from respond.dicom.frame import read_frame
from respond.dicom.model import Readiness
from respond.dicom.phase import (
    Confidence,
    ImageEstimate,
    Phase,
    PhaseCall,
    combine,
    needs_image,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from respond.dicom.model import FrameRef, SeriesCandidate

__all__ = [
    "AORTA_CONTRAST_MIN_HU",
    "ARTERIAL_GAP_MIN_HU",
    "CLOSE_HU",
    "DELAYED_GAP_MAX_HU",
    "LIVER_PORTAL_MIN_HU",
    "LIVER_UNENHANCED_MAX_HU",
    "MAX_SLICES",
    "SliceGeometry",
    "SliceMeasure",
    "decide",
    "estimate_from_slices",
    "estimate_phase",
    "measure_slice",
    "refine_phase",
]

# Decision thresholds, HU; docs/dicom.md ("Contrast phase from the images") cites
# their sources.
LIVER_UNENHANCED_MAX_HU: Final = 75.0  # unenhanced liver is 50-70 HU
LIVER_PORTAL_MIN_HU: Final = 90.0  # arterial liver is at most ~30 HU above baseline
ARTERIAL_GAP_MIN_HU: Final = 120.0  # aorta minus liver, arterial at least
DELAYED_GAP_MAX_HU: Final = 40.0  # aorta minus liver, delayed under
CLOSE_HU: Final = 10.0  # a value this near a threshold makes the call LOW

MAX_SLICES: Final = 10  # read at most, per stack
_COARSE_SLICES: Final = 5
_REFINE_MM: Final = 12.0  # the extra slices lie this far apart around the best
_DISC_MM: Final = 8.0  # past an intervertebral disc

_READ_ERRORS: Final = (DicomError, OSError, ValueError, RuntimeError, MemoryError)


def decide(aorta_hu: float, liver_hu: float) -> tuple[Phase, float]:
    """Return the phase the two attenuations fit, and the margin to its limits.

    Parameters
    ----------
    aorta_hu, liver_hu
        Medians of the aortic lumen and the liver parenchyma, in HU.

    Returns
    -------
    tuple of Phase and float
        ``Phase.UNKNOWN`` (margin 0) when the values fit no phase; else the
        phase and the distance (HU) to the nearest threshold that defines it.
    """
    gap = aorta_hu - liver_hu
    if aorta_hu < AORTA_CONTRAST_MIN_HU:
        if liver_hu < LIVER_UNENHANCED_MAX_HU:
            margin = min(
                AORTA_CONTRAST_MIN_HU - aorta_hu, LIVER_UNENHANCED_MAX_HU - liver_hu
            )
            return Phase.NON_CONTRAST, margin
        return Phase.UNKNOWN, 0.0
    above = aorta_hu - AORTA_CONTRAST_MIN_HU
    if gap < DELAYED_GAP_MAX_HU:
        if liver_hu >= LIVER_UNENHANCED_MAX_HU:
            margin = min(
                above, DELAYED_GAP_MAX_HU - gap, liver_hu - LIVER_UNENHANCED_MAX_HU
            )
            return Phase.DELAYED, margin
        return Phase.UNKNOWN, 0.0
    if liver_hu >= LIVER_PORTAL_MIN_HU:
        return Phase.PORTAL_VENOUS, min(
            above, gap - DELAYED_GAP_MAX_HU, liver_hu - LIVER_PORTAL_MIN_HU
        )
    if gap >= ARTERIAL_GAP_MIN_HU:
        return Phase.ARTERIAL, min(
            gap - ARTERIAL_GAP_MIN_HU, LIVER_PORTAL_MIN_HU - liver_hu
        )
    return Phase.UNKNOWN, 0.0


def _no_estimate(reason: str) -> ImageEstimate:
    return ImageEstimate(Phase.UNKNOWN, Confidence.NONE, reason=reason)


def _summarise(measures: Sequence[SliceMeasure | str]) -> ImageEstimate:
    found = [m for m in measures if isinstance(m, SliceMeasure)]
    if not found:
        reasons = Counter(m for m in measures if isinstance(m, str))
        why = reasons.most_common(1)[0][0] if reasons else "no slice to measure"
        return _no_estimate(f"{why} on the {len(measures)} slices looked at")
    largest = max(m.liver_area_mm2 for m in found)
    if largest < LIVER_LEVEL_MIN_MM2:
        cm2 = f"{largest / 100:.0f} cm2"
        return _no_estimate(f"no slice at the liver's level (largest liver {cm2})")
    kept = sorted(
        (m for m in found if m.liver_area_mm2 >= LIVER_LEVEL * largest),
        key=lambda m: m.z_mm,
    )
    aorta = statistics.median(m.aorta_hu for m in kept)
    liver = statistics.median(m.liver_hu for m in kept)
    phase, margin = decide(aorta, liver)
    agree = all(decide(m.aorta_hu, m.liver_hu)[0] is phase for m in kept)
    if phase is Phase.UNKNOWN:
        confidence = Confidence.NONE
    elif margin >= CLOSE_HU and agree and len(kept) >= 2:
        confidence = Confidence.MEDIUM
    else:
        confidence = Confidence.LOW
    return ImageEstimate(
        phase,
        confidence,
        aorta_hu=aorta,
        liver_hu=liver,
        z_mm=(kept[0].z_mm, kept[-1].z_mm),
        slice_count=len(kept),
        is_contrast=aorta >= AORTA_CONTRAST_MIN_HU,
    )


def estimate_from_slices(
    slices: Sequence[tuple[NDArray[np.float32], SliceGeometry]],
) -> ImageEstimate:
    """Estimate the phase from axial CT slices in HU (a pure function).

    Parameters
    ----------
    slices
        (HU rows x columns, geometry) per slice; those at the liver's level
        (the largest liver areas found) are used.

    Returns
    -------
    ImageEstimate
        The phase with the measured values, or no phase and the reason.
    """
    return _summarise([measure_slice(hu, geometry) for hu, geometry in slices])


def _unsuitable(candidate: SeriesCandidate) -> str:
    if candidate.modality != "CT":
        return f"{candidate.modality or 'unknown'} modality: only CT is estimated"
    if candidate.is_localizer:
        return "localizer"
    if candidate.readiness is Readiness.NOT_LOADABLE:
        return "images not loadable"
    if not candidate.frames:
        return "no images"
    geometry = SliceGeometry.of(candidate.frames[0])
    if geometry is None:
        return "no image position, orientation or pixel spacing"
    if not geometry.is_axial:
        return f"{candidate.orientation_label or 'non-axial'} slices: needs axial"
    return ""


def _coarse(count: int) -> list[int]:
    if count <= _COARSE_SLICES:
        return list(range(count))
    picks = np.linspace(0.1, 0.9, _COARSE_SLICES) * (count - 1)
    return sorted({round(float(p)) for p in picks})


def _measure_frame(frame: FrameRef) -> SliceMeasure | str:
    geometry = SliceGeometry.of(frame)
    if geometry is None:
        return "no image geometry"
    try:
        hu = read_frame(frame)
    except _READ_ERRORS as exc:
        return f"image not readable ({exc})"
    return measure_slice(hu, geometry)


class _Sampler:
    """Measures slices of a stack, reading at most :data:`MAX_SLICES` of them."""

    def __init__(self, frames: Sequence[FrameRef]) -> None:
        self.frames = frames
        self.gap_mm = _slice_gap_mm(frames)
        self.measured: dict[int, SliceMeasure | str] = {}

    def take(self, index: int) -> None:
        """Measure a slice; one through a disc gives way to the next vertebra."""
        self._measure(index)
        if self.measured.get(index) == NO_VERTEBRA:
            self._measure(index + max(1, round(_DISC_MM / self.gap_mm)))

    def _measure(self, index: int) -> None:
        if len(self.measured) >= MAX_SLICES or index in self.measured:
            return
        if 0 <= index < len(self.frames):
            self.measured[index] = _measure_frame(self.frames[index])

    def best(self) -> int | None:
        """Return the slice with the largest liver so far."""
        found = {i: m for i, m in self.measured.items() if isinstance(m, SliceMeasure)}
        return max(found, key=lambda i: found[i].liver_area_mm2) if found else None


def _measure_stack(frames: Sequence[FrameRef]) -> list[SliceMeasure | str]:
    """Measure a coarse spread of slices, then more near the liver's widest."""
    sampler = _Sampler(frames)
    for index in _coarse(len(frames)):
        sampler.take(index)
    best = sampler.best()
    if best is not None:
        step = max(1, round(_REFINE_MM / sampler.gap_mm))
        for k in (-1, 1, -2, 2):
            sampler.take(best + k * step)
    return list(sampler.measured.values())


def _slice_gap_mm(frames: Sequence[FrameRef]) -> float:
    """Return the mean gap between slices along z, at least 0.5 mm."""
    first, last = frames[0].position, frames[-1].position
    if first is None or last is None or len(frames) < 2:
        return 1.0
    return max(0.5, abs(last[2] - first[2]) / (len(frames) - 1))


def estimate_phase(candidate: SeriesCandidate) -> ImageEstimate:
    """Estimate a CT stack's contrast phase from a few of its slices.

    Reads at most :data:`MAX_SLICES` images (never the volume). Never raises:
    anything that stops the estimate gives no phase, with the reason.

    Parameters
    ----------
    candidate
        The stack, as the scan listed it.

    Returns
    -------
    ImageEstimate
        The phase with its measured values and confidence (at most MEDIUM),
        or ``Phase.UNKNOWN`` with ``reason`` set.
    """
    why = _unsuitable(candidate)
    if why:
        return _no_estimate(why)
    try:
        return _summarise(_measure_stack(candidate.frames))
    except (*_READ_ERRORS, ArithmeticError, LookupError, TypeError) as exc:
        return _no_estimate(f"measuring failed ({type(exc).__name__}: {exc})")


def refine_phase(candidate: SeriesCandidate, call: PhaseCall) -> PhaseCall:
    """Return the header call, with the image estimate where it needs one.

    Only CT stacks whose call is weak or rests on one header source are
    estimated (:func:`respond.dicom.phase.needs_image`).

    Parameters
    ----------
    candidate
        The stack.
    call
        Its phase from the headers (:func:`respond.dicom.phase.classify_phases`).

    Returns
    -------
    PhaseCall
        The call, combined with the image estimate when one was made.
    """
    if call.image is not None or not needs_image(call):
        return call
    if candidate.modality != "CT" or candidate.is_localizer:
        return call
    return combine(call, estimate_phase(candidate))
