"""The findings a stack's headers and pixel data give, gathered per stack.

What each frame's header showed (``FrameRef.header_findings``) is gathered into
one finding per code; images without pixel data or cut short, transfer syntaxes
with no decoder or lossy compression, compressed files whose codestream would
not decode, and mixed rescales become findings of the stack too. The
verdict these findings give, and the geometry and kind of the stack, are
decided in :mod:`respond.dicom._series`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from respond.dicom._codecs import engine_for, is_lossy, syntax_name
from respond.dicom._codestream import (
    check_codestream,
    inspect_pixel_data,
    is_encapsulated,
)
from respond.dicom.errors import SeriesLoadError
from respond.dicom.model import DicomFinding, Severity

if TYPE_CHECKING:
    from pathlib import Path

    from respond.dicom._stacks import Stack

# Header findings that _pixel_findings words once for the whole stack.
_STACK_WORDED = frozenset({"truncated_pixel_data", "lossy_compression"})


def _finding(code: str, severity: Severity, message: str, uid: str) -> DicomFinding:
    return DicomFinding(code, severity, message, uid)


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
