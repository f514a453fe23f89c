"""Turn one series' headers into series candidates with findings and readiness."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom._codecs import engine_for, is_lossy, syntax_name
from respond.dicom._stacks import Stack, split_series
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

__all__ = ["build_candidates", "with_phase"]

UNKNOWN_PHASE = PhaseCall(Phase.UNKNOWN, Confidence.NONE, (), None)

# Geometry findings and how much each matters for measuring.
_GEOMETRY_SEVERITY = {
    "duplicate_positions": Severity.ERROR,
    "uneven_spacing": Severity.WARNING,
    "missing_slices": Severity.WARNING,
    "gantry_tilt": Severity.WARNING,
    "single_slice": Severity.INFO,
    "thick_slices": Severity.INFO,
}


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


def _finding(code: str, severity: Severity, message: str, uid: str) -> DicomFinding:
    return DicomFinding(code, severity, message, uid)


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
        severity = Severity.INFO if len(frames) == 1 else Severity.ERROR
        return [
            _finding(
                "missing_geometry",
                severity,
                "image position or orientation missing: slices cannot be placed in "
                "patient space, so only in-plane lengths are valid",
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


def _pixel_findings(stack: Stack, uid: str) -> list[DicomFinding]:
    missing = sum(1 for f in stack.frames if not f.has_pixels)
    if missing == len(stack.frames):
        return [
            _finding(
                "no_pixel_data",
                Severity.ERROR,
                f"the {missing} images have a header but no pixel data: nothing to "
                "show; the images must be sent again in full",
                uid,
            )
        ]
    findings = []
    if missing:
        findings.append(
            _finding(
                "missing_pixel_data",
                Severity.WARNING,
                f"{missing} of {len(stack.frames)} images have no pixel data: those "
                "slices show blank; measure elsewhere or have them sent again",
                uid,
            )
        )
    syntaxes = sorted({f.transfer_syntax for f in stack.frames})
    for tsyntax in syntaxes:
        has_offset = all(
            f.pixel_offset is not None
            for f in stack.frames
            if f.transfer_syntax == tsyntax
        )
        if engine_for(tsyntax, has_offset=has_offset) is None:
            findings.append(
                _finding(
                    "unsupported_transfer_syntax",
                    Severity.ERROR,
                    f"{syntax_name(tsyntax)}: no decoder installed; ask for the "
                    "series uncompressed or in a standard lossless syntax",
                    uid,
                )
            )
        elif is_lossy(tsyntax):
            findings.append(
                _finding(
                    "lossy_compression",
                    Severity.WARNING,
                    f"{syntax_name(tsyntax)}: lossy compression may blur lesion "
                    "edges; prefer the original images for measuring",
                    uid,
                )
            )
    rescales = {(f.rescale_slope, f.rescale_intercept) for f in stack.frames}
    if len(rescales) > 1:
        findings.append(
            _finding(
                "mixed_rescale",
                Severity.INFO,
                f"{len(rescales)} different rescale slope/intercept pairs: each image "
                "is converted with its own, so values stay correct",
                uid,
            )
        )
    return findings


def readiness(findings: Sequence[DicomFinding]) -> Readiness:
    """Return the verdict a set of findings gives."""
    codes = {f.code for f in findings}
    if codes & {"unsupported_transfer_syntax", "no_pixel_data"}:
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
    localizers = {h.sop_instance_uid for h in headers if h.is_localizer}
    series_numbers = {h.sop_instance_uid: h.series_number for h in headers}
    frames = [frame for h in headers for frame in h.frames]
    stacks = split_series(
        frames, lambda f: f.sop_instance_uid in localizers, series_numbers
    )
    by_path = {h.path: h for h in headers}
    candidates = []
    for index, stack in enumerate(stacks):
        header = by_path.get(stack.frames[0].path, first)
        findings, spacing = _geometry(stack, uid)
        findings.extend(_pixel_findings(stack, uid))
        if stack.is_localizer:
            findings.append(
                _finding(
                    "localizer",
                    Severity.INFO,
                    "localizer (scout) images: for planning, not for measuring",
                    uid,
                )
            )
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
    return dataclasses.replace(
        candidate, phase=call, findings=tuple(findings), readiness=readiness(findings)
    )
