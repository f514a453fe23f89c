"""Slice-stack analysis: sort slices along their normal and check their spacing.

:func:`analyze_stack` sorts ``ImagePositionPatient`` along the slice normal (row
direction x column direction of ``ImageOrientationPatient``) and reports what
matters for measuring: duplicate positions, slices at a place no scanner reaches
(a damaged position), slices separated from the rest by a gap far beyond the
others, uneven spacing, missing slices, gantry tilt, a single slice and thick
slices. The orientation and spacing checks here are shared with the
voxel <-> patient mapping in :mod:`respond.dicom.geometry`.

Whatever the positions hold, the work and every message stay bounded by the
number of slices, never by the size of a gap: a hole is reported as a count and a
range, and a slice at an absurd distance as displaced or separated, never as
millions of missing slices.

The gap checks live in :mod:`respond.dicom._stack_gaps` and the findings with
their messages in :mod:`respond.dicom._stack_findings`; their public names are
re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt

from respond.dicom._stack_findings import GeometryFinding, _finding, _mm
from respond.dicom._stack_gaps import (
    DUPLICATE_TOLERANCE_MM,
    FAR_GAP_MM,
    FAR_GAP_MULTIPLE,
    MAX_COORDINATE_MM,
    MISSING_FRACTION,
    UNEVEN_FRACTION,
    FloatArray,
    IntArray,
    _duplicates,
    _main_block,
    _outside,
    _spacing,
    _typical,
)
from respond.dicom.errors import GeometryError

__all__ = [
    "DIRECTION_TOLERANCE",
    "DUPLICATE_TOLERANCE_MM",
    "FAR_GAP_MM",
    "FAR_GAP_MULTIPLE",
    "MAX_COORDINATE_MM",
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

_ArrayT = TypeVar("_ArrayT", bound="np.ndarray[Any, Any]")

# Orientation: |length - 1| and |row . column| must stay below 1e-3.
DIRECTION_TOLERANCE: Final = 1e-3
TILT_THRESHOLD_DEG: Final = 0.1
THICK_SLICE_MM: Final = 5.0  # RECIST 1.1 section 3.1.1 assumes CT slices <= 5 mm
# At most this many values of an array are quoted in an error's detail.
_PREVIEW: Final = 6


def _preview(values: npt.ArrayLike) -> str:
    """Quote an array for an error's detail: its first values, never all of them."""
    array = np.atleast_1d(np.asarray(values))
    more = len(array) - _PREVIEW
    head = array[:_PREVIEW].tolist()
    return f"{head} and {more} more" if more > 0 else str(head)


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
        Typical gap: the (lower) median of the gaps that are not duplicates, between
        slices of the largest part of the stack (neither displaced nor separated);
        None when there is none (one slice, or every slice at one position).
    min_gap_mm, max_gap_mm : float or None
        Smallest and largest gap, duplicates included; None for one slice.
    tilt_deg : float
        Angle between the normal and the line through the first and last slice
        of the largest part of the stack; 0 when there is no gap to tilt.
    missing_slice_count : int
        Slices missing in all holes together (a count: holes are never listed
        position by position).
    is_uniform : bool
        At least two slices, evenly spaced: no duplicates, displaced or separated
        slices, holes or uneven gaps.
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


def _tilt(sorted_positions: FloatArray, normal: FloatArray) -> tuple[float, float]:
    line = sorted_positions[-1] - sorted_positions[0]
    along = float(line @ normal)
    across = float(np.linalg.norm(line - along * normal))
    return math.degrees(math.atan2(across, abs(along))), across


def _checked_positions(positions_mm: npt.ArrayLike) -> FloatArray:
    positions = np.asarray(positions_mm, dtype=np.float64)
    shape = positions.shape
    if len(shape) != 2 or shape[1:] != (3,) or not np.all(np.isfinite(positions)):
        raise GeometryError(
            "Slice positions must be one finite (x, y, z) ImagePositionPatient per "
            "slice: without them nothing can be measured across slices.",
            f"positions (shape {shape}) = {_preview(positions)}",
        )
    return positions


def _sorted_offsets(
    positions: FloatArray, normal: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Sort along the normal: order, offsets and gaps, all finite, or an error."""
    with np.errstate(over="ignore", invalid="ignore"):
        order = np.argsort(slice_offsets(positions, normal), kind="stable")
        offsets = slice_offsets(positions[order], normal)
        gaps = np.diff(offsets)
    if not (np.all(np.isfinite(offsets)) and np.all(np.isfinite(gaps))):
        raise GeometryError(
            "Slice positions are too far apart to be computed with (over 1e300 mm): "
            "the positions are damaged, so nothing can be measured across slices.",
            f"positions = {_preview(positions)}",
        )
    return order, offsets, gaps


def analyze_stack(
    positions_mm: npt.ArrayLike,
    orientation: npt.ArrayLike,
    pixel_spacing_mm: npt.ArrayLike,
    slice_thickness_mm: float | None = None,
) -> StackAnalysis:
    """Sort slices along their normal and check how evenly they are stacked.

    Findings, in this order: ``duplicate_positions`` (sorted slices closer than
    0.01 mm along the normal), ``displaced_slices`` (an error: slices at a
    coordinate beyond 100 m, whose position is damaged), ``separated_slices``
    (slices cut off from the largest part of the stack by a gap over 10 typical
    gaps and over 100 mm: missing images between, or damaged positions),
    ``uneven_spacing`` (a gap off the median gap by more than 1 % of it and more
    than 0.01 mm), ``missing_slices`` (a gap within 10 % of the median of a multiple
    >= 2: a count and a range, never a list of positions), ``gantry_tilt`` (over
    0.1 degree), ``single_slice`` and ``thick_slices`` (info, thicker than 5 mm).
    Spacing, holes and tilt are measured on the largest part of the stack only.

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
        When the orientation, pixel spacing or positions are unusable (not
        finite, or too large to compute with).
    """
    row, column = _directions(orientation)
    _pixel_spacing(pixel_spacing_mm)
    positions = _checked_positions(positions_mm)
    normal = normal_from_orientation(orientation)
    order, offsets, gaps = _sorted_offsets(positions, normal)
    is_physical = np.all(np.abs(positions[order]) <= MAX_COORDINATE_MM, axis=1)
    main, typical_all = _main_block(offsets, is_physical)
    main_gaps = np.diff(offsets[main])
    typical = _typical(main_gaps)
    findings = _duplicates(offsets, gaps)
    findings += _outside(offsets, positions[order], main, typical_all)
    spacing_findings, missing = (
        ([], 0)
        if typical is None
        else _spacing(offsets[main], main_gaps, typical, main)
    )
    findings += spacing_findings
    tilt_deg, shear_mm = (
        (0.0, 0.0) if typical is None else _tilt(positions[order][main], normal)
    )
    if tilt_deg > TILT_THRESHOLD_DEG:
        findings.append(
            _finding("gantry_tilt", (), tilt=tilt_deg, shear=_mm(shear_mm, 1))
        )
    if len(order) == 1:
        findings.append(_finding("single_slice", (0,)))
    if slice_thickness_mm is not None and slice_thickness_mm > THICK_SLICE_MM:
        thick = float(slice_thickness_mm)
        findings.append(
            _finding(
                "thick_slices", (), thickness=_mm(thick, 1), twice=_mm(2 * thick, 1)
            )
        )
    uneven = {
        "duplicate_positions",
        "displaced_slices",
        "separated_slices",
        "uneven_spacing",
        "missing_slices",
    }
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
