"""The findings of the slice-stack analysis and the messages that word them.

:class:`GeometryFinding` is one problem (or fact) about a stack, with its
severity; :func:`_finding` words it from a fixed message per code, and the
helpers here write lengths and slice lists so that every message stays short
whatever the positions hold. :class:`GeometryFinding` is re-exported by
:mod:`respond.dicom.stack_geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

# Values above this are written with 3 significant digits in messages.
_FIXED_LIMIT_MM: Final = 1e6

_MESSAGES: Final = {
    "duplicate_positions": "Sorted slices {listed} are at the same position, "
    "{offset} mm along the slice normal (within 0.01 mm): one plane is repeated "
    "(another acquisition, time point or series mixed in). Keep one of them; with "
    "zero slice spacing nothing can be measured across slices.",
    "displaced_slices": "{subject} {lie} at {at} mm from the scanner's origin, "
    "farther than any scanner reaches: {whose} damaged. respond cannot tell where "
    "{they}, so distances across slices and views through the stack would "
    "be wrong; measure on another series, or leave the damaged images out (or have "
    "the series sent again) and scan again.",
    "separated_slices": "{subject} {lie} {distance} mm away from the rest of the "
    "stack, {multiple} times its typical gap of {typical} mm: the images in between "
    "are missing, or {whose} damaged. Measure within one part of the stack only: "
    "distances across the gap and views through the stack would be wrong.",
    "uneven_spacing": "Slice gaps along the normal are uneven: min {low} mm, max "
    "{high} mm, median {typical} mm. respond keeps each slice's own "
    "position, so distances stay exact and the coronal and sagittal views place "
    "each slice where it lies; a plane between two distant slices is blended "
    "from them.",
    "missing_slices": "{count} missing between sorted slices {k} and {k1}: the gap "
    "there is {gap} mm, {multiple} times the typical {typical} mm (expected "
    "{expected} along the normal). Distances stay exact, but a lesion in the "
    "hole may be cut short or missed: check that the series is complete.",
    "gantry_tilt": "The slices are stacked {tilt:.1f} degrees off the slice normal "
    "(gantry tilt): the stack is sheared, not stacked along the normal. respond "
    "maps each slice at its own position, so distances stay exact; a plain voxel "
    "grid would misplace the last slice by {shear} mm.",
    "single_slice": "The series has one slice: in-plane distances are exact, but "
    "there is no slice spacing, so nothing can be measured across slices.",
    "thick_slices": "Slices are {thickness} mm thick (over 5 mm): partial volume "
    "blurs lesion edges, and under RECIST 1.1 (section 3.1.1) a lesion must be at "
    "least twice the thickness, {twice} mm, to be measurable.",
}


@dataclass(frozen=True, slots=True)
class GeometryFinding:
    """A problem (or fact) about a slice stack that matters for measuring.

    Parameters
    ----------
    code : str
        ``duplicate_positions``, ``displaced_slices``, ``separated_slices``,
        ``uneven_spacing``, ``missing_slices``, ``gantry_tilt``, ``single_slice``
        or ``thick_slices``.
    message : str
        What was found, in mm, and what it means for measuring; its length is
        bounded whatever the positions hold.
    slices : tuple of int
        Sorted slice indices concerned; empty when it concerns the whole stack.
    severity : {"error", "warning", "info"}
        ``error`` (displaced slices) when the stack cannot be measured across as
        it is; ``info`` (single slice, thick slices) when measuring is unaffected.
    """

    code: str
    message: str
    slices: tuple[int, ...]
    severity: Literal["info", "warning", "error"] = "warning"


_SEVERITY: Final[dict[str, Literal["info", "warning", "error"]]] = {
    "displaced_slices": "error",
    "single_slice": "info",
    "thick_slices": "info",
}


def _finding(code: str, slices: tuple[int, ...], **values: object) -> GeometryFinding:
    severity = _SEVERITY.get(code, "warning")
    return GeometryFinding(code, _MESSAGES[code].format(**values), slices, severity)


def _mm(value: float, decimals: int = 2) -> str:
    """Write a length for a message: fixed decimals, 3 digits when it is huge."""
    if abs(value) < _FIXED_LIMIT_MM:
        return f"{value:.{decimals}f}"
    return f"{value:.3g}"


def _listed(slices: npt.ArrayLike) -> str:
    """Name sorted slice indices briefly: a few of them, or the first to the last."""
    indices = [int(k) for k in np.asarray(slices).reshape(-1)]
    if len(indices) > 8:
        return f"{indices[0]} to {indices[-1]}"
    return ", ".join(map(str, indices))
