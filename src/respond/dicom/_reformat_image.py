"""A reformatted plane: its pixels, the pixel <-> patient mapping, projections.

See :mod:`respond.dicom.reformat`, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from respond.dicom._reformat_frame import Orientation
from respond.dicom.stack_geometry import FloatArray

if TYPE_CHECKING:
    import numpy.typing as npt


class PlaneRelation(Enum):
    """Where a segment lies relative to a reformat plane."""

    ON = "on"
    """Both ends within half a plane step: drawn solid."""
    CROSSES = "crosses"
    """Ends on both sides, or one end within half a step: drawn faint."""
    AWAY = "away"
    """Both ends beyond half a step on one side: hidden."""


@dataclass(frozen=True, slots=True, eq=False)
class ReformatImage:
    """One reformatted plane: its pixels and the pixel <-> patient mapping.

    Pixel ``(r, c)`` (row, column; centres on whole numbers) lies at
    ``origin_mm + r * row_step_mm + c * column_step_mm``.

    Attributes
    ----------
    pixels : numpy.ndarray, shape (rows, columns)
        Values; ``pixels * slope + intercept`` are modality values (HU for CT).
        Points outside the volume hold `OUTSIDE_VALUE`. Often a view of the
        voxels: do not write to it.
    slope, intercept : float
        Rescale of `pixels` (1 and 0 once interpolated).
    orientation : {"axial", "coronal", "sagittal"}
        The plane's orientation.
    position : int
        The plane's position, ``0 .. position_count - 1`` of its `Reformatter`.
    origin_mm, row_step_mm, column_step_mm : numpy.ndarray of float64, shape (3,)
        Patient point of pixel (0, 0), and the steps of one row down and one
        column right (LPS, mm).
    normal : numpy.ndarray of float64, shape (3,)
        Unit plane normal, towards increasing positions.
    half_thickness_mm : float
        Half the step to the neighbouring planes: the "on the plane" tolerance.
    is_interpolated : bool
        Whether the pixels were interpolated (False: voxels as stored).
    """

    pixels: NDArray[np.generic]
    slope: float
    intercept: float
    orientation: Orientation
    position: int
    origin_mm: FloatArray
    row_step_mm: FloatArray
    column_step_mm: FloatArray
    normal: FloatArray
    half_thickness_mm: float
    is_interpolated: bool

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        rows, columns = self.pixels.shape
        return int(rows), int(columns)

    @property
    def pixel_spacing_mm(self) -> tuple[float, float]:
        """``(row spacing, column spacing)``: mm per row down and per column right."""
        return (
            float(np.linalg.norm(self.row_step_mm)),
            float(np.linalg.norm(self.column_step_mm)),
        )

    @property
    def offset_mm(self) -> float:
        """The plane's position along `normal` (mm from the patient origin)."""
        return float(self.origin_mm @ self.normal)

    def pixel_to_patient(self, pixels: npt.ArrayLike) -> FloatArray:
        """Map pixel coordinates to patient points.

        Parameters
        ----------
        pixels : array_like of float, shape (2,) or (M, 2)
            ``(row, column)``; fractional allowed.

        Returns
        -------
        numpy.ndarray of float64, shape (3,) or (M, 3)
            Patient points (LPS, mm) on the plane.
        """
        given = np.asarray(pixels, dtype=np.float64)
        rc = given.reshape(-1, 2)
        points = (
            self.origin_mm
            + np.outer(rc[:, 0], self.row_step_mm)
            + np.outer(rc[:, 1], self.column_step_mm)
        )
        return np.asarray(points.reshape(*given.shape[:-1], 3), dtype=np.float64)

    def patient_to_plane(self, points_mm: npt.ArrayLike) -> FloatArray:
        """Map patient points to ``(row, column, distance_mm)``.

        Parameters
        ----------
        points_mm : array_like of float, shape (3,) or (M, 3)
            Patient points (LPS, mm).

        Returns
        -------
        numpy.ndarray of float64, shape (3,) or (M, 3)
            Fractional pixel ``(row, column)`` of the point's perpendicular
            projection, and its signed distance from the plane along `normal`.
        """
        given = np.asarray(points_mm, dtype=np.float64)
        basis = np.column_stack((self.row_step_mm, self.column_step_mm, self.normal))
        solved = np.linalg.solve(basis, (given.reshape(-1, 3) - self.origin_mm).T)
        return np.asarray(solved.T.reshape(given.shape), dtype=np.float64)

    def patient_to_pixel(self, points_mm: npt.ArrayLike) -> FloatArray:
        """Map patient points to the fractional pixel ``(row, column)`` they project to.

        Parameters
        ----------
        points_mm : array_like of float, shape (3,) or (M, 3)
            Patient points (LPS, mm).

        Returns
        -------
        numpy.ndarray of float64, shape (2,) or (M, 2)
            ``(row, column)`` of each point's perpendicular projection.
        """
        return self.patient_to_plane(points_mm)[..., :2]


@dataclass(frozen=True, slots=True)
class ProjectedSegment:
    """A patient-space segment projected onto a reformat plane.

    Attributes
    ----------
    start_px, end_px : tuple of float
        ``(row, column)`` of the projected ends.
    start_distance_mm, end_distance_mm : float
        Signed distance of each end from the plane.
    relation : PlaneRelation
        On, crossing or away from the plane.
    crossing_px : tuple of float or None
        ``(row, column)`` where the segment meets the plane (nearest point of it
        when one end lies within the tolerance without crossing); None unless
        `relation` is CROSSES.
    """

    start_px: tuple[float, float]
    end_px: tuple[float, float]
    start_distance_mm: float
    end_distance_mm: float
    relation: PlaneRelation
    crossing_px: tuple[float, float] | None


def _relation(d0: float, d1: float, half: float) -> PlaneRelation:
    if abs(d0) <= half and abs(d1) <= half:
        return PlaneRelation.ON
    if min(d0, d1) > half or max(d0, d1) < -half:
        return PlaneRelation.AWAY
    return PlaneRelation.CROSSES


def _projected(
    plane: tuple[float, float, float, float, float, float], half: float
) -> ProjectedSegment:
    r0, c0, d0, r1, c1, d1 = plane
    relation = _relation(d0, d1, half)
    crossing = None
    if relation is PlaneRelation.CROSSES:
        fraction = 0.0 if d0 == d1 else min(max(d0 / (d0 - d1), 0.0), 1.0)
        crossing = (r0 + fraction * (r1 - r0), c0 + fraction * (c1 - c0))
    return ProjectedSegment((r0, c0), (r1, c1), d0, d1, relation, crossing)


def project_segment(
    image: ReformatImage, start_mm: npt.ArrayLike, end_mm: npt.ArrayLike
) -> ProjectedSegment:
    """Project a segment (a caliper's ends, LPS mm) onto a reformat plane.

    Parameters
    ----------
    image : ReformatImage
        The plane.
    start_mm, end_mm : array_like of float, shape (3,)
        The segment's ends (LPS, mm).

    Returns
    -------
    ProjectedSegment
        The 2-D line in the image's pixel coordinates and how it lies.
    """
    starts = np.asarray(start_mm, dtype=np.float64).reshape(1, 3)
    ends = np.asarray(end_mm, dtype=np.float64).reshape(1, 3)
    (projected,) = project_segments(image, starts, ends)
    return projected


def project_segments(
    image: ReformatImage, starts_mm: npt.ArrayLike, ends_mm: npt.ArrayLike
) -> list[ProjectedSegment]:
    """Project many segments at once (see `project_segment`).

    Parameters
    ----------
    image : ReformatImage
        The plane.
    starts_mm, ends_mm : array_like of float, shape (M, 3)
        The segments' ends (LPS, mm).

    Returns
    -------
    list of ProjectedSegment
        One per segment, in order.
    """
    starts = np.asarray(starts_mm, dtype=np.float64).reshape(-1, 3)
    ends = np.asarray(ends_mm, dtype=np.float64).reshape(-1, 3)
    if len(starts) == 0:
        return []
    planes = image.patient_to_plane(np.vstack([starts, ends]))
    rows = np.hstack([planes[: len(starts)], planes[len(starts) :]]).tolist()
    half = image.half_thickness_mm
    return [
        _projected((r0, c0, d0, r1, c1, d1), half) for r0, c0, d0, r1, c1, d1 in rows
    ]
