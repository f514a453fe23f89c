"""Slice-stack analysis: sort slices along their normal and check their spacing.

:func:`analyze_stack` sorts ``ImagePositionPatient`` along the slice normal (row
direction x column direction of ``ImageOrientationPatient``) and reports what
matters for measuring: duplicate positions, uneven spacing, missing slices, gantry
tilt, a single slice and thick slices. The orientation and spacing checks here are
shared with the voxel <-> patient mapping in :mod:`respond.dicom.geometry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from respond.dicom.errors import GeometryError

__all__ = [
    "DIRECTION_TOLERANCE",
    "DUPLICATE_TOLERANCE_MM",
    "MISSING_FRACTION",
    "THICK_SLICE_MM",
    "TILT_THRESHOLD_DEG",
    "UNEVEN_FRACTION",
    "FloatArray",
    "GeometryFinding",
    "StackAnalysis",
    "analyze_stack",
    "normal_from_orientation",
    "slice_offsets",
]

FloatArray = npt.NDArray[np.float64]
_ArrayT = TypeVar("_ArrayT", bound="np.ndarray[Any, Any]")

# Orientation: |length - 1| and |row . column| must stay below 1e-3. Gaps: below
# DUPLICATE_TOLERANCE_MM is one position; off the median by more than 1 % and
# 0.01 mm is uneven; within 10 % of the median of a multiple >= 2 is a hole.
DIRECTION_TOLERANCE: Final = 1e-3
DUPLICATE_TOLERANCE_MM: Final = 0.01
UNEVEN_FRACTION: Final = 0.01
MISSING_FRACTION: Final = 0.1
TILT_THRESHOLD_DEG: Final = 0.1
THICK_SLICE_MM: Final = 5.0  # RECIST 1.1 section 3.1.1 assumes CT slices <= 5 mm

_MESSAGES: Final = {
    "duplicate_positions": "Sorted slices {listed} are at the same position, "
    "{offset:.2f} mm along the slice normal (within 0.01 mm): one plane is repeated "
    "(another acquisition, time point or series mixed in). Keep one of them; with "
    "zero slice spacing nothing can be measured across slices.",
    "uneven_spacing": "Slice gaps along the normal are uneven: min {low:.2f} mm, max "
    "{high:.2f} mm, median {typical:.2f} mm. respond keeps each slice's own "
    "position, so distances stay exact, but views that reformat through the stack "
    "(sagittal, coronal) assume even spacing and look distorted.",
    "missing_slices": "{count} missing between sorted slices {k} and {k1}: the gap "
    "there is {gap:.2f} mm, {multiple} times the typical {typical:.2f} mm (expected "
    "at {expected} mm along the normal). Distances stay exact, but a lesion in the "
    "hole may be cut short or missed: check that the series is complete.",
    "gantry_tilt": "The slices are stacked {tilt:.1f} degrees off the slice normal "
    "(gantry tilt): the stack is sheared, not stacked along the normal. respond "
    "maps each slice at its own position, so distances stay exact; a plain voxel "
    "grid would misplace the last slice by {shear:.1f} mm.",
    "single_slice": "The series has one slice: in-plane distances are exact, but "
    "there is no slice spacing, so nothing can be measured across slices.",
    "thick_slices": "Slices are {thickness:.1f} mm thick (over 5 mm): partial volume "
    "blurs lesion edges, and under RECIST 1.1 (section 3.1.1) a lesion must be at "
    "least twice the thickness, {twice:.1f} mm, to be measurable.",
}


@dataclass(frozen=True, slots=True)
class GeometryFinding:
    """A problem (or fact) about a slice stack that matters for measuring.

    Parameters
    ----------
    code : str
        ``duplicate_positions``, ``uneven_spacing``, ``missing_slices``,
        ``gantry_tilt``, ``single_slice`` or ``thick_slices``.
    message : str
        What was found, in mm, and what it means for measuring.
    slices : tuple of int
        Sorted slice indices concerned; empty when it concerns the whole stack.
    severity : {"warning", "info"}
        ``info`` (single slice, thick slices) when measuring is unaffected.
    """

    code: str
    message: str
    slices: tuple[int, ...]
    severity: Literal["info", "warning"] = "warning"


def _finding(code: str, slices: tuple[int, ...], **values: object) -> GeometryFinding:
    severity: Literal["info", "warning"] = "warning"
    if code in {"single_slice", "thick_slices"}:
        severity = "info"
    return GeometryFinding(code, _MESSAGES[code].format(**values), slices, severity)


@dataclass(frozen=True, slots=True, eq=False)
class StackAnalysis:
    """How a set of slices stacks up along the slice normal.

    Attributes
    ----------
    order : numpy.ndarray of numpy.intp, shape (N,)
        Stable argsort along the normal: sorted slices are ``positions[order]``.
    offsets_mm, gaps_mm : numpy.ndarray of float64, shapes (N,) and (N - 1,)
        Sorted slices' positions along the normal, and the gaps between them (mm).
    normal, row_direction, column_direction : numpy.ndarray of float64, shape (3,)
        Unit vectors: row x column, and the normalised orientation.
    findings : tuple of GeometryFinding
        What was found (see :func:`analyze_stack`).
    spacing_mm : float or None
        Typical gap: the (lower) median of the gaps that are not duplicates; None
        when there is none (one slice, or every slice at one position).
    min_gap_mm, max_gap_mm : float or None
        Smallest and largest gap, duplicates included; None for one slice.
    tilt_deg : float
        Angle between the normal and the line through the first and last slice;
        0 when there is no gap to tilt (one slice, or all at one position).
    missing_slice_count : int
        Slices missing in all holes together.
    is_uniform : bool
        At least two slices, evenly spaced: no duplicates, holes or uneven gaps.
    """

    order: npt.NDArray[np.intp]
    offsets_mm: FloatArray
    gaps_mm: FloatArray
    normal: FloatArray
    row_direction: FloatArray
    column_direction: FloatArray
    findings: tuple[GeometryFinding, ...]
    spacing_mm: float | None
    min_gap_mm: float | None
    max_gap_mm: float | None
    tilt_deg: float
    missing_slice_count: int
    is_uniform: bool

    @property
    def is_tilted(self) -> bool:
        """Whether the stack leans more than ``TILT_THRESHOLD_DEG`` off the normal."""
        return self.tilt_deg > TILT_THRESHOLD_DEG


def _readonly(array: _ArrayT) -> _ArrayT:
    array.flags.writeable = False
    return array


def _directions(orientation: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    values = np.asarray(orientation, dtype=np.float64).reshape(-1)
    if values.shape != (6,) or not np.all(np.isfinite(values)):
        raise GeometryError(
            "ImageOrientationPatient must be 6 finite numbers (row then column "
            "direction cosines): without it nothing can be measured in mm.",
            f"ImageOrientationPatient = {values.tolist()}",
        )
    unit = []
    for name, vector in (("row", values[:3]), ("column", values[3:])):
        length = float(np.linalg.norm(vector))
        if abs(length - 1.0) > DIRECTION_TOLERANCE:
            what = "a zero vector" if length == 0.0 else f"of length {length:.4g}"
            raise GeometryError(
                f"The {name} direction of ImageOrientationPatient is {what}, not a "
                "unit vector: the image plane is not reliably defined, so "
                "distances in mm cannot be measured on this series.",
                f"{name} direction = {vector.tolist()}",
            )
        unit.append(vector / length)
    dot = max(-1.0, min(1.0, float(unit[0] @ unit[1])))
    if abs(dot) >= DIRECTION_TOLERANCE:
        raise GeometryError(
            "The row and column directions of ImageOrientationPatient are not "
            f"perpendicular ({math.degrees(math.acos(dot)):.2f} degrees apart): "
            "pixels would be sheared, so distances in mm cannot be measured.",
            f"row . column = {dot:.6g}; orientation = {values.tolist()}",
        )
    return unit[0], unit[1]


def _pixel_spacing(pixel_spacing_mm: npt.ArrayLike) -> FloatArray:
    spacing = np.asarray(pixel_spacing_mm, dtype=np.float64).reshape(-1)
    if spacing.shape != (2,) or not np.all(np.isfinite(spacing) & (spacing > 0)):
        raise GeometryError(
            "PixelSpacing must be two positive numbers (row spacing, column "
            "spacing, mm): without it no length in mm can be measured.",
            f"PixelSpacing = {spacing.tolist()}",
        )
    return spacing


def normal_from_orientation(orientation: npt.ArrayLike) -> FloatArray:
    """Return the unit slice normal, row direction x column direction.

    Parameters
    ----------
    orientation : array_like of float, shape (6,)
        ``ImageOrientationPatient``: row then column direction cosines.

    Returns
    -------
    numpy.ndarray of float64, shape (3,)
        The unit normal (LPS).

    Raises
    ------
    GeometryError
        When the directions are not finite, not unit length or not perpendicular.
    """
    row, column = _directions(orientation)
    normal = np.cross(row, column)
    return np.asarray(normal / np.linalg.norm(normal), dtype=np.float64)


def slice_offsets(positions_mm: npt.ArrayLike, normal: npt.ArrayLike) -> FloatArray:
    """Return each slice's position along the normal.

    Parameters
    ----------
    positions_mm : array_like of float, shape (N, 3)
        ``ImagePositionPatient`` of each slice (mm).
    normal : array_like of float, shape (3,)
        Unit slice normal.

    Returns
    -------
    numpy.ndarray of float64, shape (N,)
        Signed offsets along the normal (mm).
    """
    positions = np.asarray(positions_mm, dtype=np.float64)
    return np.asarray(positions @ np.asarray(normal, dtype=np.float64))


def _duplicates(offsets: FloatArray, gaps: FloatArray) -> list[GeometryFinding]:
    same = np.flatnonzero(gaps < DUPLICATE_TOLERANCE_MM)
    runs = np.split(same, np.flatnonzero(np.diff(same) > 1) + 1) if len(same) else []
    findings = []
    for run in runs:
        slices = tuple(range(int(run[0]), int(run[-1]) + 2))
        text = ", ".join(map(str, slices))
        if len(slices) > 8:
            text = f"{slices[0]} to {slices[-1]}"
        findings.append(
            _finding("duplicate_positions", slices, listed=text, offset=offsets[run[0]])
        )
    return findings


def _spacing(
    offsets: FloatArray, gaps: FloatArray, typical: float
) -> tuple[list[GeometryFinding], int]:
    real = gaps >= DUPLICATE_TOLERANCE_MM
    limit = max(UNEVEN_FRACTION * typical, DUPLICATE_TOLERANCE_MM)
    odd = np.flatnonzero(real & (np.abs(gaps - typical) > limit))
    if not len(odd):
        return [], 0
    low, high = gaps[real].min(), gaps[real].max()
    slices = tuple(int(k) for k in np.union1d(odd, odd + 1))
    findings = [_finding("uneven_spacing", slices, low=low, high=high, typical=typical)]
    missing = 0
    for k in (int(k) for k in odd):
        times = round(float(gaps[k]) / typical)
        if times < 2 or abs(gaps[k] - times * typical) > MISSING_FRACTION * typical:
            continue
        missing += times - 1
        count = f"{times - 1} slice{'s' if times > 2 else ''}"
        at = ", ".join(f"{offsets[k] + typical * m:.2f}" for m in range(1, times))
        values = {"gap": gaps[k], "multiple": times, "typical": typical, "expected": at}
        findings.append(
            _finding("missing_slices", (k, k + 1), count=count, k=k, k1=k + 1, **values)
        )
    return findings, missing


def _tilt(sorted_positions: FloatArray, normal: FloatArray) -> tuple[float, float]:
    line = sorted_positions[-1] - sorted_positions[0]
    along = float(line @ normal)
    across = float(np.linalg.norm(line - along * normal))
    return math.degrees(math.atan2(across, abs(along))), across


def analyze_stack(
    positions_mm: npt.ArrayLike,
    orientation: npt.ArrayLike,
    pixel_spacing_mm: npt.ArrayLike,
    slice_thickness_mm: float | None = None,
) -> StackAnalysis:
    """Sort slices along their normal and check how evenly they are stacked.

    Findings, in this order: ``duplicate_positions`` (sorted slices closer than
    0.01 mm along the normal), ``uneven_spacing`` (a gap off the median gap by more
    than 1 % of it and more than 0.01 mm), ``missing_slices`` (a gap within 10 % of
    the median of a multiple >= 2), ``gantry_tilt`` (over 0.1 degree),
    ``single_slice`` and ``thick_slices`` (info, thicker than 5 mm).

    Parameters
    ----------
    positions_mm : array_like of float, shape (N, 3)
        ``ImagePositionPatient`` of each slice, in any order (LPS, mm).
    orientation : array_like of float, shape (6,)
        ``ImageOrientationPatient`` shared by the slices.
    pixel_spacing_mm : array_like of float, shape (2,)
        ``PixelSpacing`` (row spacing, column spacing); only checked.
    slice_thickness_mm : float, optional
        ``SliceThickness``; only used for the ``thick_slices`` finding.

    Returns
    -------
    StackAnalysis
        Sort order, offsets, gaps, findings and summary numbers.

    Raises
    ------
    GeometryError
        When the orientation, pixel spacing or positions are unusable.
    """
    row, column = _directions(orientation)
    _pixel_spacing(pixel_spacing_mm)
    positions = np.asarray(positions_mm, dtype=np.float64)
    shape = positions.shape
    if len(shape) != 2 or shape[1:] != (3,) or not np.all(np.isfinite(positions)):
        raise GeometryError(
            "Slice positions must be one finite (x, y, z) ImagePositionPatient per "
            "slice: without them nothing can be measured across slices.",
            f"positions (shape {shape}) = {positions.tolist()}",
        )
    normal = normal_from_orientation(orientation)
    order = np.argsort(slice_offsets(positions, normal), kind="stable")
    offsets = slice_offsets(positions[order], normal)
    gaps = np.diff(offsets)
    real = np.sort(gaps[gaps >= DUPLICATE_TOLERANCE_MM])
    typical = float(real[(len(real) - 1) // 2]) if len(real) else None
    findings = _duplicates(offsets, gaps)
    spacing_findings, missing = (
        ([], 0) if typical is None else _spacing(offsets, gaps, typical)
    )
    findings += spacing_findings
    tilt_deg, shear_mm = (
        (0.0, 0.0) if typical is None else _tilt(positions[order], normal)
    )
    if tilt_deg > TILT_THRESHOLD_DEG:
        findings.append(_finding("gantry_tilt", (), tilt=tilt_deg, shear=shear_mm))
    if len(order) == 1:
        findings.append(_finding("single_slice", (0,)))
    if slice_thickness_mm is not None and slice_thickness_mm > THICK_SLICE_MM:
        thick = float(slice_thickness_mm)
        findings.append(_finding("thick_slices", (), thickness=thick, twice=2 * thick))
    uneven = {"duplicate_positions", "uneven_spacing", "missing_slices"}
    return StackAnalysis(
        order=_readonly(order),
        offsets_mm=_readonly(offsets),
        gaps_mm=_readonly(gaps),
        normal=_readonly(normal),
        row_direction=_readonly(row),
        column_direction=_readonly(column),
        findings=tuple(findings),
        spacing_mm=typical,
        min_gap_mm=float(gaps.min()) if len(gaps) else None,
        max_gap_mm=float(gaps.max()) if len(gaps) else None,
        tilt_deg=tilt_deg,
        missing_slice_count=missing,
        is_uniform=typical is not None and not uneven & {f.code for f in findings},
    )
