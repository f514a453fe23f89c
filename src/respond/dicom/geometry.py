"""Slice-stack geometry: sorting, spacing checks and the voxel <-> patient mapping.

Voxels are indexed ``[k, i, j]`` = (slice, row, column); patient coordinates are
DICOM LPS mm. With ``ImageOrientationPatient`` = row direction ``r`` then column
direction ``c``, and ``PixelSpacing`` = (row spacing, column spacing), voxel
``(k, i, j)`` sits at ``IPP[k] + r * PixelSpacing[1] * j + c * PixelSpacing[0] * i``.
:class:`VolumeGeometry` keeps every slice's own position, so distances stay exact
on tilted and unevenly spaced stacks: nothing assumes a constant slice step.

The stack analysis (:func:`analyze_stack` and its findings) lives in
:mod:`respond.dicom.stack_geometry` and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from respond.dicom.errors import GeometryError
from respond.dicom.stack_geometry import (
    DUPLICATE_TOLERANCE_MM,
    THICK_SLICE_MM,
    TILT_THRESHOLD_DEG,
    FloatArray,
    GeometryFinding,
    StackAnalysis,
    _pixel_spacing,
    _preview,
    _readonly,
    analyze_stack,
    normal_from_orientation,
    slice_offsets,
)

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
                f"order = {_preview(analysis.order)}",
            )
        if np.any(analysis.gaps_mm < DUPLICATE_TOLERANCE_MM):
            raise GeometryError(
                "Two slices are at the same position: one plane cannot be two "
                "slices of a volume. Keep one slice per position before measuring.",
                f"gaps = {_preview(analysis.gaps_mm)} mm",
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
                raise _off_plane_error(f"slice indices = {_preview(k)}")
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
                raise _off_plane_error(f"offsets = {_preview(along)} mm")
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
            why = (
                "The slices are unevenly spaced (or some are missing or off the stack)"
            )
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
