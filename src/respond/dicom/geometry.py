"""Slice-stack geometry: sorting, spacing checks and the voxel <-> patient mapping.

Voxels are indexed ``[k, i, j]`` = (slice, row, column); patient coordinates are
DICOM LPS mm. With ``ImageOrientationPatient`` = row direction ``r`` then column
direction ``c``, and ``PixelSpacing`` = (row spacing, column spacing), voxel
``(k, i, j)`` sits at ``IPP[k] + r * PixelSpacing[1] * j + c * PixelSpacing[0] * i``.
:class:`VolumeGeometry` keeps every slice's own position, so distances stay exact
on tilted and unevenly spaced stacks: nothing assumes a constant slice step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal, Self, TypeVar

import numpy as np
import numpy.typing as npt

from respond.dicom.errors import GeometryError

__all__ = [
    "DUPLICATE_TOLERANCE_MM",
    "THICK_SLICE_MM",
    "TILT_THRESHOLD_DEG",
    "GeometryError",
    "GeometryFinding",
    "StackAnalysis",
    "VolumeGeometry",
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


def _off_plane_error(detail: str) -> GeometryError:
    return GeometryError(
        "The volume has one slice: with no slice spacing, points off its plane "
        "cannot be mapped; measure within the slice.",
        detail,
    )


@dataclass(frozen=True, slots=True, eq=False)
class VolumeGeometry:
    """Exact voxel <-> patient mapping of a sorted stack; build with `from_slices`.

    Attributes
    ----------
    positions_mm : numpy.ndarray of float64, shape (N, 3)
        ``ImagePositionPatient`` of each slice, sorted along the normal.
    pixel_spacing_mm : numpy.ndarray of float64, shape (2,)
        ``PixelSpacing`` in DICOM order (row spacing, column spacing).
    rows, columns : int
        Image size in pixels.
    analysis : StackAnalysis
        The stack's analysis; its directions and offsets are the ones used here.
    """

    positions_mm: FloatArray
    pixel_spacing_mm: FloatArray
    rows: int
    columns: int
    analysis: StackAnalysis

    @classmethod
    def from_slices(
        cls,
        positions_sorted: npt.ArrayLike,
        orientation: npt.ArrayLike,
        pixel_spacing: npt.ArrayLike,
        rows: int,
        columns: int,
    ) -> Self:
        """Build the mapping from slices sorted along the normal.

        Parameters
        ----------
        positions_sorted : array_like of float, shape (N, 3)
            ``ImagePositionPatient`` per slice, sorted by `StackAnalysis.order`.
        orientation : array_like of float, shape (6,)
            ``ImageOrientationPatient``.
        pixel_spacing : array_like of float, shape (2,)
            ``PixelSpacing`` (row spacing, column spacing), mm.
        rows, columns : int
            Image size in pixels.

        Returns
        -------
        VolumeGeometry
            The mapping; uneven gaps and tilt are kept exactly.

        Raises
        ------
        GeometryError
            When the geometry is unusable, the slices are not sorted, or two
            slices share a position.
        """
        analysis = analyze_stack(positions_sorted, orientation, pixel_spacing)
        if np.any(analysis.order != np.arange(len(analysis.order))):
            raise GeometryError(
                "The slices are not sorted along the slice normal: sort them by "
                "analyze_stack(...).order, or distances across slices are wrong.",
                f"order = {analysis.order.tolist()}",
            )
        if np.any(analysis.gaps_mm < DUPLICATE_TOLERANCE_MM):
            raise GeometryError(
                "Two slices are at the same position: one plane cannot be two "
                "slices of a volume. Keep one slice per position before measuring.",
                f"gaps = {analysis.gaps_mm.tolist()} mm",
            )
        positions = np.array(positions_sorted, dtype=np.float64)
        spacing = _pixel_spacing(pixel_spacing).copy()
        return cls(_readonly(positions), _readonly(spacing), rows, columns, analysis)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel array shape ``(slices, rows, columns)``."""
        return (len(self.positions_mm), self.rows, self.columns)

    @property
    def direction(self) -> FloatArray:
        """ITK direction, float64 (3, 3): columns row dir, column dir, normal."""
        a = self.analysis
        return np.column_stack((a.row_direction, a.column_direction, a.normal))

    @property
    def origin(self) -> FloatArray:
        """``ImagePositionPatient`` of slice 0, float64 (3,), mm."""
        return np.array(self.positions_mm[0], dtype=np.float64)

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        """ITK (x, y, z) spacing: column spacing, row spacing, median slice gap.

        One slice has no gap: the third value is then ITK's placeholder, 1.0.
        """
        gap = self.analysis.spacing_mm
        row_mm, column_mm = (float(v) for v in self.pixel_spacing_mm)
        return (column_mm, row_mm, 1.0 if gap is None else gap)

    def _in_plane(self) -> tuple[FloatArray, FloatArray]:
        """Patient step of one row (i + 1) and of one column (j + 1)."""
        a, (row_mm, column_mm) = self.analysis, self.pixel_spacing_mm
        return a.column_direction * row_mm, a.row_direction * column_mm

    def indices_to_patient(self, indices: npt.ArrayLike) -> FloatArray:
        """Map voxel indices to patient points.

        A fractional ``k`` interpolates linearly between neighbouring slice
        positions; ``k`` outside ``[0, N - 1]`` extrapolates with the nearest gap.

        Parameters
        ----------
        indices : array_like of float, shape (M, 3)
            ``(k, i, j)`` per point; fractional allowed.

        Returns
        -------
        numpy.ndarray of float64, shape (M, 3)
            Patient points (LPS, mm).

        Raises
        ------
        GeometryError
            For ``k != 0`` on a single-slice volume.
        """
        k, i, j = np.asarray(indices, dtype=np.float64).reshape(-1, 3).T
        positions = self.positions_mm
        if len(positions) == 1:
            if np.any(k != 0):
                raise _off_plane_error(f"slice indices = {k.tolist()}")
            base = np.repeat(positions, len(k), axis=0)
        else:
            below = np.clip(np.floor(k), 0, len(positions) - 2).astype(np.intp)
            step = positions[below + 1] - positions[below]
            base = positions[below] + (k - below)[:, None] * step
        row_step, column_step = self._in_plane()
        points = base + np.outer(i, row_step) + np.outer(j, column_step)
        return np.asarray(points, dtype=np.float64)

    def index_to_patient(self, k: float, i: float, j: float) -> FloatArray:
        """Map one voxel index to its patient point (see `indices_to_patient`).

        Parameters
        ----------
        k, i, j : float
            Slice, row and column index; fractional allowed.

        Returns
        -------
        numpy.ndarray of float64, shape (3,)
            The patient point (LPS, mm).

        Raises
        ------
        GeometryError
            For ``k != 0`` on a single-slice volume.
        """
        return self.indices_to_patient([k, i, j]).reshape(3)

    def patient_to_index(self, point_mm: npt.ArrayLike) -> FloatArray:
        """Map patient points to fractional voxel indices: the exact inverse.

        ``k`` comes from the offset along the normal between the bracketing slices;
        ``i`` and ``j`` from solving within the plane interpolated there.

        Parameters
        ----------
        point_mm : array_like of float, shape (3,) or (M, 3)
            Patient point(s) (LPS, mm).

        Returns
        -------
        numpy.ndarray of float64, shape (3,) or (M, 3)
            Fractional ``(k, i, j)``, shaped like `point_mm`.

        Raises
        ------
        GeometryError
            For a point off the plane of a single-slice volume.
        """
        given = np.asarray(point_mm, dtype=np.float64)
        points = given.reshape(-1, 3)
        a, positions = self.analysis, self.positions_mm
        along = points @ a.normal
        if len(positions) == 1:
            if np.any(np.abs(along - a.offsets_mm[0]) > 1e-6):
                raise _off_plane_error(f"offsets = {along.tolist()} mm")
            k, base = np.zeros(len(points)), np.repeat(positions, len(points), axis=0)
        else:
            below = np.searchsorted(a.offsets_mm, along, side="right") - 1
            below = np.clip(below, 0, len(positions) - 2)
            fraction = (along - a.offsets_mm[below]) / a.gaps_mm[below]
            step = positions[below + 1] - positions[below]
            k, base = below + fraction, positions[below] + fraction[:, None] * step
        basis = np.column_stack((*self._in_plane(), a.normal))
        i, j, _ = np.linalg.solve(basis, (points - base).T)
        return np.column_stack((k, i, j)).reshape(given.shape).astype(np.float64)

    def distance_mm(self, index_a: npt.ArrayLike, index_b: npt.ArrayLike) -> float:
        """Return the patient-space distance between two voxel indices (a caliper).

        Parameters
        ----------
        index_a, index_b : array_like of float, shape (3,)
            ``(k, i, j)`` of the two ends; fractional allowed.

        Returns
        -------
        float
            Euclidean distance in mm.

        Raises
        ------
        GeometryError
            For ``k != 0`` on a single-slice volume.
        """
        ends = self.indices_to_patient(np.vstack([index_a, index_b]))
        return float(np.linalg.norm(ends[1] - ends[0]))

    def affine_lps(self) -> FloatArray:
        """Return the 4x4 affine taking ``(k, i, j, 1)`` to LPS mm.

        Exact only for an evenly spaced, untilted stack; its slice column is the
        mean step from the first to the last slice.

        Returns
        -------
        numpy.ndarray of float64, shape (4, 4)
            Columns: slice step, row step, column step, origin.

        Raises
        ------
        GeometryError
            For one slice, a tilted stack or uneven spacing: use
            `indices_to_patient`, which follows each slice's own position.
        """
        a, positions = self.analysis, self.positions_mm
        if len(positions) == 1:
            raise _off_plane_error("an affine needs a slice step")
        why = ""
        if a.is_tilted:
            why = f"The stack is tilted {a.tilt_deg:.1f} degrees (gantry tilt)"
        elif not a.is_uniform:
            why = "The slices are unevenly spaced (or some are missing)"
        if why:
            raise GeometryError(
                f"{why}: one affine would misplace slices, so use the per-slice "
                "mapping (indices_to_patient) instead.",
                f"tilt {a.tilt_deg:.3f} degrees, gaps {a.min_gap_mm}-{a.max_gap_mm} mm",
            )
        affine = np.eye(4)
        affine[:3, 0] = (positions[-1] - positions[0]) / (len(positions) - 1)
        affine[:3, 1:3] = np.column_stack(self._in_plane())
        affine[:3, 3] = positions[0]
        return affine
