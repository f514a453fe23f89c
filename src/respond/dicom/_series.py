"""Turn one series' headers into series candidates with findings and readiness.

The verdict tells the truth from the headers alone: what the header shows the
loader would refuse (a damaged or colour pixel module, an image size the pixel
data does not hold, an absurd rescale, a malformed Modality LUT, no decoder, no
pixels) is ``NOT_LOADABLE``; what would show but measure wrong (a damaged pixel
spacing, broken geometry, localizers, screen captures) is ``NOT_MEASURABLE``.
The findings from the headers and pixel data of each stack are gathered in
:mod:`respond.dicom._series_findings`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.dicom._series_findings import _finding, _header_findings, _pixel_findings
from respond.dicom._stacks import CAPTURE, LOCALIZER, Stack, split_series
from respond.dicom.errors import GeometryError
from respond.dicom.geometry import analyze_stack
from respond.dicom.model import (
    DicomFinding,
    FrameRef,
    Readiness,
    SeriesCandidate,
    Severity,
)
from respond.dicom.phase import Confidence, Phase, PhaseCall, is_arterial

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.dicom._header import Header

__all__ = [
    "NOT_LOADABLE_CODES",
    "build_candidates",
    "capture_reason",
    "readiness",
    "with_phase",
]

UNKNOWN_PHASE = PhaseCall(Phase.UNKNOWN, Confidence.NONE, (), None)

# Geometry findings and how much each matters for measuring.
_GEOMETRY_SEVERITY = {
    "duplicate_positions": Severity.ERROR,
    "uneven_spacing": Severity.WARNING,
    "missing_slices": Severity.WARNING,
    "gantry_tilt": Severity.WARNING,
    "single_slice": Severity.INFO,
    "thick_slices": Severity.INFO,
    "displaced_slices": Severity.ERROR,
    "separated_slices": Severity.WARNING,
}
NOT_LOADABLE_CODES: Final = frozenset(
    {
        "unsupported_transfer_syntax",
        "no_pixel_data",
        "damaged_compressed_data",
        "truncated_pixel_data",
        "no_pixel_module",
        "colour_image",
        "bad_image_size",
        "bad_pixel_format",
        "pixel_data_length",
        "frame_count",
        "bad_rescale",
        "bad_modality_lut",
    }
)
"""Codes whose ERROR finding means the stack cannot be shown (NOT_LOADABLE)."""
# Secondary Capture, and its multi-frame single bit, byte, word and true colour.
_CAPTURE_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.7",
        *(f"1.2.840.10008.5.1.4.1.1.7.{n}" for n in range(1, 5)),
    }
)
_CAPTURE_TYPES = frozenset(
    {"SCREEN SAVE", "SCREENSAVE", "SCREEN_SAVE", "SCREENSHOT", "SCREEN CAPTURE"}
)
_CAPTURE_PHRASES = (
    "EXAM SUMMARY",
    "DOSE REPORT",
    "DOSE INFO",
    "SCREEN SAVE",
    "SCREENSAVE",
    "SCREEN CAPTURE",
    "SCREENSHOT",
    "PATIENT PROTOCOL",
)
# With these, the geometry is not analysed: nothing to measure, or no spacing.
_NO_GEOMETRY = NOT_LOADABLE_CODES | {"bad_pixel_spacing"}


def _orientation_label(frame: FrameRef) -> str:
    if frame.orientation is None:
        return "unknown"
    row = np.asarray(frame.orientation[:3])
    col = np.asarray(frame.orientation[3:])
    normal = np.cross(row, col)
    axis = int(np.argmax(np.abs(normal)))
    label = ("sagittal", "coronal", "axial")[axis]
    if abs(normal[axis]) < 0.95:
        label = f"oblique ({label})"
    return label


def _geometry(stack: Stack, uid: str) -> tuple[list[DicomFinding], float | None]:
    frames = stack.frames
    first = frames[0]
    if first.pixel_spacing is None:
        return [
            _finding(
                "missing_pixel_spacing",
                Severity.ERROR,
                "no PixelSpacing: lengths in mm cannot be measured on this series",
                uid,
            )
        ], None
    if any(f.position is None or f.orientation is None for f in frames):
        # Even one image: the volume then has no geometry to measure with.
        return [
            _finding(
                "missing_geometry",
                Severity.ERROR,
                "image position or orientation missing: the images cannot be "
                "placed in patient space, so lengths in mm cannot be measured on "
                "them",
                uid,
            )
        ], None
    try:
        analysis = analyze_stack(
            np.asarray([f.position for f in frames], dtype=float),
            np.asarray(first.orientation, dtype=float),
            np.asarray(first.pixel_spacing, dtype=float),
            first.slice_thickness,
        )
    except GeometryError as exc:
        return [_finding("bad_geometry", Severity.ERROR, str(exc), uid)], None
    findings = [
        _finding(
            f.code, _GEOMETRY_SEVERITY.get(f.code, Severity.WARNING), f.message, uid
        )
        for f in analysis.findings
    ]
    return findings, analysis.spacing_mm


def readiness(findings: Sequence[DicomFinding]) -> Readiness:
    """Return the verdict a set of findings gives.

    An error whose code is in :data:`NOT_LOADABLE_CODES` means the stack cannot
    be shown; any other error that it cannot be measured on.
    """
    if any(
        f.severity is Severity.ERROR and f.code in NOT_LOADABLE_CODES for f in findings
    ):
        return Readiness.NOT_LOADABLE
    if any(f.severity is Severity.ERROR for f in findings):
        return Readiness.NOT_MEASURABLE
    if any(f.severity is Severity.WARNING for f in findings):
        return Readiness.CAUTION
    return Readiness.READY


def build_candidates(headers: Sequence[Header]) -> list[SeriesCandidate]:
    """Build the candidates (one per stack) of one series.

    Parameters
    ----------
    headers
        The image headers of one SeriesInstanceUID.

    Returns
    -------
    list of SeriesCandidate
        One per stack, phase still unknown (the study decides it).
    """
    first = headers[0]
    uid = first.series_uid
    by_path = {h.path: h for h in headers}
    kinds = {h.path: _kind(h) for h in headers}
    series_numbers = {h.sop_instance_uid: h.series_number for h in headers}
    frames = [frame for h in headers for frame in h.frames]
    stacks = split_series(
        frames,
        lambda f: (
            kinds.get(f.path) or (LOCALIZER if "LOCALIZER" in f.image_type else "")
        ),
        series_numbers,
    )
    candidates = []
    for index, stack in enumerate(stacks):
        header = by_path.get(stack.frames[0].path, first)
        findings = _stack_findings(stack, header, uid)
        spacing = None
        codes = {f.code for f in findings}
        if not stack.is_capture and not codes & _NO_GEOMETRY:
            geometry, spacing = _geometry(stack, uid)
            findings[:0] = geometry
        key = uid if len(stacks) == 1 else f"{uid}#{index + 1}"
        frame = stack.frames[0]
        candidates.append(
            SeriesCandidate(
                key=key,
                series_uid=uid,
                study_uid=header.study_uid,
                patient_id=header.patient_id,
                modality=header.modality,
                description=header.series_description,
                series_number=header.series_number,
                sop_class=header.sop_class_name or header.sop_class,
                sop_class_uid=header.sop_class,
                frame_of_reference_uid=header.frame_of_reference_uid,
                rows=frame.rows,
                columns=frame.columns,
                frames=stack.frames,
                spacing_mm=spacing,
                pixel_spacing=frame.pixel_spacing,
                slice_thickness=frame.slice_thickness,
                orientation_label=_orientation_label(frame),
                phase=UNKNOWN_PHASE,
                findings=tuple(findings),
                readiness=readiness(findings),
                is_localizer=stack.is_localizer,
                split_reason=stack.split_reason,
                transfer_syntaxes=tuple(
                    sorted({f.transfer_syntax for f in stack.frames})
                ),
            )
        )
    return candidates


def capture_reason(header: Header) -> str:
    r"""Return why an image is a capture of a screen, not acquired ("" if not).

    Secondary Capture SOP classes; ImageType naming a screen save; derived
    images whose series is a summary, dose report or screen capture; and
    DERIVED\SECONDARY images without an image plane (reformats have one).
    """
    if header.sop_class in _CAPTURE_CLASSES:
        return f"{header.sop_class_name or 'Secondary Capture'} SOP class"
    is_screen = not _CAPTURE_TYPES.isdisjoint(header.image_type)
    if not is_screen and header.image_type[:1] != ("DERIVED",):
        return ""  # the usual case: an original image
    image_type = "\\".join(header.image_type)
    if is_screen:
        return f"ImageType {image_type}"
    if any(p in header.series_description.upper() for p in _CAPTURE_PHRASES):
        return f'ImageType {image_type}, series "{header.series_description}"'
    first = header.frames[0] if header.frames else None
    if header.image_type[1:2] == ("SECONDARY",) and (
        first is None or first.position is None or first.orientation is None
    ):
        return f"ImageType {image_type} without an image position or orientation"
    return ""


def _kind(header: Header) -> str:
    if capture_reason(header):
        return CAPTURE
    return LOCALIZER if header.is_localizer else ""


def _stack_findings(stack: Stack, header: Header, uid: str) -> list[DicomFinding]:
    """Return what the headers show, and what kind of images these are."""
    findings = _header_findings(stack, uid)
    findings.extend(_pixel_findings(stack, uid))
    if stack.is_localizer:
        findings.append(
            _finding(
                "localizer",
                Severity.ERROR,
                "localizer (scout) images: for planning, not for measuring",
                uid,
            )
        )
    if stack.is_capture:
        findings.append(
            _finding(
                "secondary_capture",
                Severity.ERROR,
                f"screen capture ({capture_reason(header)}): "
                "a picture of a screen, not acquired images; sizes in mm and values "
                "cannot be trusted, so it is not for measuring; measure on the "
                "original series",
                uid,
            )
        )
    return findings


def with_phase(candidate: SeriesCandidate, call: PhaseCall) -> SeriesCandidate:
    """Return the candidate with its phase, and the mRECIST phase finding."""
    findings = list(candidate.findings)
    if (
        candidate.modality in ("CT", "MR")
        and not candidate.is_localizer
        and not is_arterial(call.phase)
        and (call.is_contrast or call.phase is not Phase.UNKNOWN)
    ):
        name = (
            "not identified"
            if call.phase is Phase.UNKNOWN
            else call.phase.value.replace("_", " ")
        )
        findings.append(
            _finding(
                "not_arterial_phase",
                Severity.INFO,
                f"phase {name}: mRECIST measures viable (arterially enhancing) "
                "tumour on the arterial phase; measure viable diameters on the "
                "arterial series",
                candidate.series_uid,
            )
        )
    if call.is_disputed and call.image is not None:
        header = call.phase.value.replace("_", " ")
        image = call.image.phase.value.replace("_", " ")
        findings.append(
            _finding(
                "phase_disputed",
                Severity.WARNING,
                f"the headers say {header} but the images read {image} "
                f"({call.image.evidence.removeprefix('from the images: ')}): check "
                "the phase before measuring viable tumour on this series",
                candidate.series_uid,
            )
        )
    return dataclasses.replace(
        candidate, phase=call, findings=tuple(findings), readiness=readiness(findings)
    )
