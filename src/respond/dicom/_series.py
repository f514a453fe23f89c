"""Turn one series' headers into series candidates with findings and readiness.

The verdict tells the truth from the headers alone: what the header shows the
loader would refuse (a damaged or colour pixel module, an image size the pixel
data does not hold, an absurd rescale, a malformed Modality LUT, no decoder, no
pixels) is ``NOT_LOADABLE``; what would show but measure wrong (a damaged pixel
spacing, broken geometry, localizers, screen captures) is ``NOT_MEASURABLE``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.dicom._codecs import engine_for, is_lossy, syntax_name
from respond.dicom._codestream import (
    check_codestream,
    inspect_pixel_data,
    is_encapsulated,
)
from respond.dicom._stacks import CAPTURE, LOCALIZER, Stack, split_series
from respond.dicom.errors import GeometryError, SeriesLoadError
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
    from pathlib import Path

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
# Header findings that _pixel_findings words once for the whole stack.
_STACK_WORDED = frozenset({"truncated_pixel_data", "lossy_compression"})
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


def _header_findings(stack: Stack, uid: str) -> list[DicomFinding]:
    """Gather the frames' header findings: one per code, with how many more."""
    gathered: dict[str, dict[str, DicomFinding]] = {}
    for frame in stack.frames:
        for found in frame.header_findings:
            if found.code not in _STACK_WORDED:
                gathered.setdefault(found.code, {}).setdefault(found.message, found)
    findings = []
    for code, by_message in gathered.items():
        first, *others = by_message.values()
        more = len(others)
        message = first.message + (
            f" (and {more} more image{'s' if more > 1 else ''} alike)" if more else ""
        )
        findings.append(_finding(code, first.severity, message, uid))
    return findings


def _with_code(stack: Stack, code: str) -> list[DicomFinding]:
    return [
        f for frame in stack.frames for f in frame.header_findings if f.code == code
    ]


def _unreadable_findings(stack: Stack, uid: str) -> list[DicomFinding]:
    """Report images with no pixel data or cut short: blank slices, or nothing."""
    total = len(stack.frames)
    missing = sum(1 for f in stack.frames if not f.has_pixels)
    cut = _with_code(stack, "truncated_pixel_data")
    if missing == total:
        return [
            _finding(
                "no_pixel_data",
                Severity.ERROR,
                f"the {missing} images have a header but no pixel data: nothing to "
                "show; the images must be sent again in full",
                uid,
            )
        ]
    cut_files = {
        frame.path
        for frame in stack.frames
        if frame.frame is not None
        and any(f.code == "truncated_pixel_data" for f in frame.header_findings)
    }
    if cut_files:  # the loader reads a multi-frame file whole or not at all
        name = min(cut_files).name
        return [
            _finding(
                "truncated_pixel_data",
                Severity.ERROR,
                f"{name}: a multi-frame file cut short (its last frames are not in "
                "the file): nothing is loaded from it; copy it again from its source",
                uid,
            )
        ]
    if missing + len(cut) == total:
        return [
            _finding(
                "truncated_pixel_data",
                Severity.ERROR,
                f"none of the {total} images can be read ({cut[0].message}"
                + (f"; {missing} have no pixel data" if missing else "")
                + "): nothing to show; copy the files again from their source",
                uid,
            )
        ]
    findings = []
    if missing:
        findings.append(
            _finding(
                "missing_pixel_data",
                Severity.WARNING,
                f"{missing} of {total} images have no pixel data: those "
                "slices show blank; measure elsewhere or have them sent again",
                uid,
            )
        )
    if cut:
        findings.append(
            _finding(
                "truncated_pixel_data",
                Severity.WARNING,
                f"{len(cut)} of {total} images are cut short ({cut[0].message}): "
                "those slices show blank; measure elsewhere or copy the files again",
                uid,
            )
        )
    return findings


def _pixel_findings(stack: Stack, uid: str) -> list[DicomFinding]:
    findings = _unreadable_findings(stack, uid)
    if any(f.severity is Severity.ERROR for f in findings):
        return findings
    lossy = [f.message for f in _with_code(stack, "lossy_compression")][:1]
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
            lossy.insert(
                0,
                f"{syntax_name(tsyntax)}: lossy compression may blur lesion edges; "
                "prefer the original images for measuring",
            )
    if lossy:
        findings.append(
            _finding("lossy_compression", Severity.WARNING, "; ".join(lossy), uid)
        )
    if not any(f.severity is Severity.ERROR for f in findings):
        findings.extend(_codestream_findings(stack, uid))
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


def _codestream_problem(path: Path) -> str:
    """Return why a compressed file's first frame cannot be decoded ("" if it can).

    Its items must end inside the file and hold the frames declared, and the
    first frame's codestream header (JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ,
    RLE) must match the DICOM header: a few hundred bytes read, no decoding.
    """
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            pixels = inspect_pixel_data(stream, path, size)
            check_codestream(stream, path, pixels, [0])
    except SeriesLoadError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path.name}: cannot be read ({exc.strerror or exc})"
    return ""


def _codestream_findings(stack: Stack, uid: str) -> list[DicomFinding]:
    """Check every compressed file of a stack as the loader will, before it does."""
    files = list(
        dict.fromkeys(
            f.path for f in stack.frames if is_encapsulated(f.transfer_syntax)
        )
    )
    problems = [p for p in map(_codestream_problem, files) if p]
    if not problems:
        return []
    if len(problems) == len(files) == len({f.path for f in stack.frames}):
        severity, effect = Severity.ERROR, "nothing can be shown"
    else:
        severity, effect = Severity.WARNING, "those images will show blank"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return [
        _finding(
            "damaged_compressed_data",
            severity,
            f"{len(problems)} of {len(files)} compressed files cannot be decoded: "
            f"{problems[0]}{more}; {effect}",
            uid,
        )
    ]


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
