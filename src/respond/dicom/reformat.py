"""Orthogonal reformats: axial, coronal and sagittal planes through a volume.

Planes
    Each orientation has target LPS directions: the coronal plane is normal to
    ``y`` (A-P) with ``+x`` (patient left) to the right and ``-z`` (inferior)
    down; the sagittal plane is normal to ``x`` with ``+y`` (posterior) to the
    right and ``-z`` down; the axial plane is normal to ``z`` with ``+x`` right
    and ``+y`` down (radiological display). Each plane axis is given the
    volume's index axis (slice normal, column direction, row direction) nearest
    to its target, so the three planes are mutually orthogonal and each is a
    plane of the acquisition's own grid. For an axial acquisition without tilt
    they are exactly the LPS planes; for a gantry-tilted or oblique acquisition
    they are the planes perpendicular to the acquired slices nearest to the LPS
    planes (a tilt about ``x`` leaves the sagittal plane exactly ``x``-constant
    and turns the coronal by the tilt angle), so the crosshair of a reformat is
    always a row or column of the acquired slice.

Sampling
    A plane normal to the slice normal is an acquired slice, shown as it is
    (its positions are the slices). A plane along an in-plane axis contains the
    slice normal: on a regular stack (each slice at ``origin + k * step`` with
    the step along the normal) it is a strided slice of the voxels, without
    interpolation or copy, one row per slice. On a tilted or unevenly spaced
    stack its rows are evenly spaced along the normal (the typical gap), each
    at its true patient position, interpolated linearly between the two slices
    around it, and each slice is read bilinearly where the plane cuts it (the
    shear moves that place from slice to slice).

Projection
    A segment (a caliper, in patient mm) is projected perpendicularly onto the
    plane. It lies *on* the plane when both ends are within half the step
    between neighbouring planes, *crosses* it when its ends are on both sides or
    one end is within that distance, and is *away* otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, get_args

import numpy as np

from respond.dicom._reformat_frame import (
    AxisChoice,
    Orientation,
    axis_directions,
    choose_axes,
    grid_count,
    is_regular,
    slice_corners,
)
from respond.dicom._reformat_image import (
    PlaneRelation,
    ProjectedSegment,
    ReformatImage,
    project_segment,
    project_segments,
)
from respond.dicom._reformat_sample import (
    OUTSIDE_VALUE,
    LineGrid,
    sample_lines,
    strided_lines,
    to_modality,
)
from respond.dicom.errors import GeometryError

if TYPE_CHECKING:
    import numpy.typing as npt
    from numpy.typing import NDArray

    from respond.dicom.geometry import VolumeGeometry
    from respond.dicom.stack_geometry import FloatArray
    from respond.dicom.volume import Volume

__all__ = [
    "ORIENTATIONS",
    "OUTSIDE_VALUE",
    "Orientation",
    "PlaneRelation",
    "ProjectedSegment",
    "ReformatImage",
    "Reformatter",
    "project_segment",
    "project_segments",
    "reformat",
]

ORIENTATIONS: Final[tuple[Orientation, ...]] = get_args(Orientation)
# More rows, columns or positions than this along one axis is no useful image.
_GRID_LIMIT: Final = 4096


def _arrange(
    pixels: NDArray[np.generic],
    steps: tuple[FloatArray, FloatArray, FloatArray],
    *,
    is_transposed: bool,
    flips: tuple[bool, bool],
) -> tuple[NDArray[np.generic], FloatArray, FloatArray, FloatArray]:
    """Transpose and flip a canonical image, and move its mapping with it."""
    origin, row_step, column_step = steps
    if is_transposed:
        pixels, row_step, column_step = pixels.T, column_step, row_step
    rows, columns = pixels.shape
    if flips[0]:
        pixels, origin = pixels[::-1], origin + (rows - 1) * row_step
        row_step = -row_step
    if flips[1]:
        pixels, origin = pixels[:, ::-1], origin + (columns - 1) * column_step
        column_step = -column_step
    return pixels, origin, row_step, column_step


def _checked_geometry(volume: Volume) -> VolumeGeometry:
    geometry = volume.geometry
    if geometry is None or geometry.shape[0] < 2:
        detail = "no geometry" if geometry is None else "one slice"
        raise GeometryError(
            "Reformats need a stack of at least two slices with image position "
            "and orientation: read this series on its acquired slices.",
            f"series {volume.series_key or '?'}: {detail}",
        )
    return geometry


class Reformatter:
    """The planes of one orientation through a volume: positions and images.

    Parameters
    ----------
    volume : Volume
        The volume (its voxels may still be filling: images read them when
        asked).
    orientation : {"axial", "coronal", "sagittal"}
        The plane orientation (see the module docstring).

    Raises
    ------
    GeometryError
        When the volume has no geometry or a single slice.
    ValueError
        For an unknown orientation.
    """

    def __init__(self, volume: Volume, orientation: Orientation) -> None:
        if orientation not in ORIENTATIONS:
            raise ValueError(
                f"orientation must be one of {ORIENTATIONS}, got {orientation!r}"
            )
        self._volume = volume
        self._orientation: Orientation = orientation
        self._geometry = _checked_geometry(volume)
        self._directions = axis_directions(self._geometry)
        self._axes: AxisChoice = choose_axes(self._directions, orientation)
        self._is_regular = is_regular(self._geometry)
        self._normal = self._directions[self._axes.normal_axis] * self._axes.normal_sign
        self._low_mm = 0.0
        self._step_mm = 0.0
        self._count = self._geometry.shape[0]
        self._lines: LineGrid | None = None
        if self._axes.normal_axis != 0:
            self._set_up_lines()

    @property
    def orientation(self) -> Orientation:
        """The plane orientation."""
        return self._orientation

    @property
    def position_count(self) -> int:
        """Number of plane positions (the scroll range is ``0 .. count - 1``)."""
        return self._count

    @property
    def normal(self) -> FloatArray:
        """Unit plane normal, towards increasing positions, float64 (3,)."""
        return np.array(self._normal, dtype=np.float64)

    @property
    def is_acquired(self) -> bool:
        """Whether the planes are the acquired slices (normal = slice normal)."""
        return self._axes.normal_axis == 0

    @property
    def is_strided(self) -> bool:
        """Whether images are the stored voxels, without interpolation."""
        return self.is_acquired or self._is_regular

    def _axis_spacing(self, axis: int) -> float:
        row_mm, column_mm = (float(v) for v in self._geometry.pixel_spacing_mm)
        return row_mm if axis == 1 else column_mm

    def _set_up_lines(self) -> None:
        """Plane normal, positions and the line grid of a plane along an axis."""
        axes, geometry = self._axes, self._geometry
        a, corners = geometry.analysis, slice_corners(geometry)
        along = self._directions[3 - axes.normal_axis]
        normal = np.cross(a.normal, along)
        normal /= np.linalg.norm(normal)
        if normal @ self._normal < 0:
            normal = -normal
        self._normal = normal
        across = corners @ normal
        self._step_mm = self._axis_spacing(axes.normal_axis)
        self._low_mm = float(across.min())
        self._count = grid_count(
            self._low_mm, float(across.max()), self._step_mm, _GRID_LIMIT
        )
        offsets, count = a.offsets_mm, geometry.shape[0]
        gap = (offsets[-1] - offsets[0]) / (count - 1)
        if not self._is_regular:
            gap = a.spacing_mm or gap
        lines = grid_count(offsets[0], offsets[-1], gap, _GRID_LIMIT)
        sideways = corners @ along
        step = self._axis_spacing(3 - axes.normal_axis)
        samples = grid_count(sideways.min(), sideways.max(), step, _GRID_LIMIT)
        self._lines = LineGrid(
            plane_mm=np.zeros(3),
            normal=a.normal,
            along=along,
            t_mm=offsets[0] + gap * np.arange(lines),
            h_mm=sideways.min() + step * np.arange(samples),
            axis=axes.normal_axis,
        )

    def offset_mm(self, position: int) -> float:
        """Return the plane's offset along `normal` at ``position`` (mm)."""
        self._check(position)
        if self.is_acquired:
            return float(self._geometry.analysis.offsets_mm[self._slice(position)])
        return self._low_mm + position * self._step_mm

    def _slice(self, position: int) -> int:
        sign = self._axes.normal_sign
        return position if sign > 0 else self._count - 1 - position

    def _check(self, position: int) -> None:
        if not 0 <= position < self._count:
            raise IndexError(
                f"{self._orientation} position {position} is outside "
                f"0..{self._count - 1}"
            )

    def position_of(self, point_mm: npt.ArrayLike) -> int:
        """Return the position of the plane nearest to a patient point (clamped).

        Parameters
        ----------
        point_mm : array_like of float, shape (3,)
            Patient point (LPS, mm).

        Returns
        -------
        int
            The position, ``0 .. position_count - 1``.
        """
        point = np.asarray(point_mm, dtype=np.float64).reshape(3)
        if self.is_acquired:
            offsets = self._geometry.analysis.offsets_mm
            k = int(np.argmin(np.abs(offsets - point @ self._geometry.analysis.normal)))
            return self._slice(k)
        position = round((float(point @ self._normal) - self._low_mm) / self._step_mm)
        return min(max(position, 0), self._count - 1)

    def image(self, position: int, *, interpolate: bool | None = None) -> ReformatImage:
        """Return the plane at ``position``.

        Parameters
        ----------
        position : int
            ``0 .. position_count - 1``.
        interpolate : bool or None
            True samples by interpolation even where a strided slice would do
            (the two agree on regular stacks); None chooses the fast way.

        Returns
        -------
        ReformatImage
            Its pixels and mapping.

        Raises
        ------
        IndexError
            For a position outside the range.
        """
        self._check(position)
        if self.is_acquired:
            return self._acquired(position)
        if self._is_regular and not interpolate:
            return self._strided(position)
        return self._sampled(position)

    def _finish(
        self,
        canonical: NDArray[np.generic],
        steps: tuple[FloatArray, FloatArray, FloatArray],
        position: int,
        rescale: tuple[float, float],
        *,
        is_interpolated: bool,
    ) -> ReformatImage:
        axes = self._axes
        # Canonical rows: slice rows (i) of an acquired plane, else lines (k).
        rows_axis = 1 if self.is_acquired else 0
        pixels, origin, row_step, column_step = _arrange(
            canonical,
            steps,
            is_transposed=axes.down_axis != rows_axis,
            flips=(axes.down_sign < 0, axes.right_sign < 0),
        )
        return ReformatImage(
            pixels=pixels,
            slope=rescale[0],
            intercept=rescale[1],
            orientation=self._orientation,
            position=position,
            origin_mm=origin,
            row_step_mm=row_step,
            column_step_mm=column_step,
            normal=self._normal.copy(),
            half_thickness_mm=self._half_thickness(position),
            is_interpolated=is_interpolated,
        )

    def _half_thickness(self, position: int) -> float:
        if not self.is_acquired:
            return self._step_mm / 2.0
        gaps, k = self._geometry.analysis.gaps_mm, self._slice(position)
        near = gaps[max(k - 1, 0) : k + 1]
        return float(near.min()) / 2.0

    def _acquired(self, position: int) -> ReformatImage:
        geometry, k = self._geometry, self._slice(position)
        a, (row_mm, column_mm) = geometry.analysis, geometry.pixel_spacing_mm
        steps = (
            geometry.positions_mm[k].copy(),
            a.column_direction * row_mm,
            a.row_direction * column_mm,
        )
        volume = self._volume
        rescale = (1.0, 0.0)
        if not volume.is_rescaled:
            rescale = (float(volume.slopes[k]), float(volume.intercepts[k]))
        return self._finish(
            volume.voxels[k], steps, position, rescale, is_interpolated=False
        )

    def _line_steps(self, position: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        grid = self._lines
        assert grid is not None
        plane = self.offset_mm(position) * self._normal
        origin = plane + grid.t_mm[0] * grid.normal + grid.h_mm[0] * grid.along
        gap = grid.t_mm[1] - grid.t_mm[0] if len(grid.t_mm) > 1 else 1.0
        line_step = gap * grid.normal
        sample_step = self._axis_spacing(3 - self._axes.normal_axis) * grid.along
        return origin, line_step, sample_step

    def _strided(self, position: int) -> ReformatImage:
        axis = self._axes.normal_axis
        size = self._geometry.shape[axis]
        sign = self._axes.normal_sign
        index = position if sign > 0 else size - 1 - position
        lines = strided_lines(self._volume, axis, index)
        volume, rescale = self._volume, (1.0, 0.0)
        if not volume.is_rescaled:
            if np.ptp(volume.slopes) == 0 and np.ptp(volume.intercepts) == 0:
                rescale = (float(volume.slopes[0]), float(volume.intercepts[0]))
            else:
                lines = to_modality(volume, lines)
        return self._finish(
            lines, self._line_steps(position), position, rescale, is_interpolated=False
        )

    def _sampled(self, position: int) -> ReformatImage:
        grid = self._lines
        assert grid is not None
        plane = self.offset_mm(position) * self._normal
        values = sample_lines(
            self._volume,
            LineGrid(plane, grid.normal, grid.along, grid.t_mm, grid.h_mm, grid.axis),
        )
        return self._finish(
            values,
            self._line_steps(position),
            position,
            (1.0, 0.0),
            is_interpolated=True,
        )


def reformat(
    volume: Volume, orientation: Orientation, point_mm: npt.ArrayLike
) -> ReformatImage:
    """Return the plane of ``orientation`` nearest to a patient point.

    Parameters
    ----------
    volume : Volume
        The volume.
    orientation : {"axial", "coronal", "sagittal"}
        The plane orientation.
    point_mm : array_like of float, shape (3,)
        A patient point (LPS, mm); the plane passes within half a plane step
        of it.

    Returns
    -------
    ReformatImage
        The plane's pixels, spacing and pixel <-> patient mapping.

    Raises
    ------
    GeometryError
        When the volume has no geometry or a single slice.
    ValueError
        For an unknown orientation.
    """
    planes = Reformatter(volume, orientation)
    return planes.image(planes.position_of(point_mm))
