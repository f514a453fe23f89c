"""Synthetic volumes with lesions of known shape, for the tests and the bench.

:func:`phantom_volume` paints shapes (ellipsoids, spheres, vessels) into a
volume of the given size, spacing and orientation (gantry tilt included), in
patient millimetres through the same :class:`VolumeGeometry` the loader
builds. Within its slice a voxel takes a shape's value in proportion to the
share of it inside the shape (3 x 3 samples: partial volume); across slices
it is sampled at the slice's plane. Later shapes paint over earlier ones.
A light blur stands for the scanner's resolution,
then Gaussian noise is added. :func:`true_diameters` gives the longest
diameter and its perpendicular on the slice where the lesion is longest,
computed from the shapes themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from respond.dicom.geometry import VolumeGeometry
from respond.dicom.model import FrameRef
from respond.dicom.volume import Volume
from respond.measure._image import binomial

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from numpy.typing import NDArray

__all__ = [
    "ARTERIAL_LIVER_HU",
    "AXIAL",
    "PV_LIVER_HU",
    "Ellipsoid",
    "PhantomCase",
    "Tube",
    "phantom_cases",
    "phantom_volume",
    "sphere",
    "true_diameters",
]

AXIAL: Final = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
_UID_ROOT: Final = "1.2.826.0.1.3680043.8.498.77"
SUBSAMPLES: Final = 3  # per pixel side: partial volume within the slice


@dataclass(frozen=True, slots=True)
class Ellipsoid:
    """Semi-axes along x and y turned ``angle_deg`` about z, and along z."""

    centre_mm: tuple[float, float, float]
    semi_axes_mm: tuple[float, float, float]
    value: float
    angle_deg: float = 0.0

    def inside(self, points: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which patient points (rows) are inside."""
        d = points - np.asarray(self.centre_mm)
        t = math.radians(self.angle_deg)
        u = d[:, 0] * math.cos(t) + d[:, 1] * math.sin(t)
        v = -d[:, 0] * math.sin(t) + d[:, 1] * math.cos(t)
        a, b, c = self.semi_axes_mm
        result: NDArray[np.bool_] = (u / a) ** 2 + (v / b) ** 2 + (
            d[:, 2] / c
        ) ** 2 <= 1
        return result

    def reach_mm(self) -> float:
        """Radius of a ball holding the shape."""
        return max(self.semi_axes_mm)

    @property
    def is_sphere(self) -> bool:
        """Whether all three semi-axes are equal."""
        return len(set(self.semi_axes_mm)) == 1


def sphere(centre_mm: Sequence[float], diameter_mm: float, value: float) -> Ellipsoid:
    """Return a sphere of ``diameter_mm``."""
    r = diameter_mm / 2.0
    x, y, z = (float(v) for v in centre_mm)
    return Ellipsoid((x, y, z), (r, r, r), value)


@dataclass(frozen=True, slots=True)
class Tube:
    """A vessel: an infinite cylinder through ``point_mm`` along ``direction``."""

    point_mm: tuple[float, float, float]
    direction: tuple[float, float, float]
    radius_mm: float
    value: float

    def inside(self, points: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which patient points (rows) are inside."""
        axis = np.asarray(self.direction, dtype=np.float64)
        axis /= np.linalg.norm(axis)
        d = points - np.asarray(self.point_mm)
        across = d - np.outer(d @ axis, axis)
        result: NDArray[np.bool_] = (
            np.einsum("ij,ij->i", across, across) <= self.radius_mm**2
        )
        return result

    def reach_mm(self) -> float:
        """Unbounded."""
        return math.inf


Shape = Ellipsoid | Tube


def _geometry(
    shape: tuple[int, int, int],
    spacing_mm: tuple[float, float, float],
    orientation: Sequence[float],
    tilt_deg: float,
    centre_mm: Sequence[float],
) -> VolumeGeometry:
    gap, row_mm, column_mm = spacing_mm
    if tilt_deg:
        t = math.radians(tilt_deg)
        orientation = (1.0, 0.0, 0.0, 0.0, math.cos(t), math.sin(t))
    row_dir = np.asarray(orientation[:3], dtype=np.float64)
    column_dir = np.asarray(orientation[3:], dtype=np.float64)
    normal = np.cross(row_dir, column_dir)
    # gantry tilt: the table moves along z; the gap along the normal stays `gap`
    stack = (
        np.array([0.0, 0.0, gap / math.cos(math.radians(tilt_deg))])
        if tilt_deg
        else normal * gap
    )
    slices, rows, columns = shape
    middle = (
        stack * (slices - 1) / 2
        + column_dir * row_mm * (rows - 1) / 2
        + row_dir * column_mm * (columns - 1) / 2
    )
    origin = np.asarray(centre_mm, dtype=np.float64) - middle
    positions = [origin + stack * k for k in range(slices)]
    return VolumeGeometry.from_slices(
        positions, orientation, (row_mm, column_mm), rows, columns
    )


def _paint(volume: NDArray[np.float32], geometry: VolumeGeometry, shape: Shape) -> None:
    reach = shape.reach_mm()
    sizes = volume.shape
    if math.isinf(reach):
        low, high = np.zeros(3, int), np.asarray(sizes)
    else:
        centre = np.asarray(shape.centre_mm)  # type: ignore[union-attr]
        corners = centre + reach * np.array(list(np.ndindex(2, 2, 2))) * 2 - reach
        index = geometry.patient_to_index(corners)
        low = np.clip(np.floor(index.min(axis=0)).astype(int) - 1, 0, sizes)
        high = np.clip(np.ceil(index.max(axis=0)).astype(int) + 2, 0, sizes)
    offsets = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES - 0.5
    for k in range(int(low[0]), int(high[0])):
        i, j = np.meshgrid(
            np.arange(low[1], high[1]), np.arange(low[2], high[2]), indexing="ij"
        )
        share = np.zeros(i.shape)
        for di in offsets:
            for dj in offsets:
                index = np.column_stack(
                    (np.full(i.size, k), i.ravel() + di, j.ravel() + dj)
                )
                inside = shape.inside(geometry.indices_to_patient(index))
                share += inside.reshape(i.shape)
        share /= SUBSAMPLES**2
        plane = volume[k, low[1] : high[1], low[2] : high[2]]
        plane += (share * (shape.value - plane)).astype(np.float32)


def _frames(
    geometry: VolumeGeometry, orientation: Sequence[float], thickness: float
) -> tuple[FrameRef, ...]:
    row_mm, column_mm = (float(v) for v in geometry.pixel_spacing_mm)
    o = tuple(float(v) for v in orientation)
    return tuple(
        FrameRef(
            path=Path(f"phantom/{n + 1:04d}.dcm"),
            frame=None,
            sop_instance_uid=f"{_UID_ROOT}.{n + 1}",
            position=(float(p[0]), float(p[1]), float(p[2])),
            orientation=(o[0], o[1], o[2], o[3], o[4], o[5]),
            pixel_spacing=(row_mm, column_mm),
            slice_thickness=thickness,
            rescale_slope=1.0,
            rescale_intercept=0.0,
            instance_number=n + 1,
            acquisition_number=1,
            temporal_index=None,
            transfer_syntax="1.2.840.10008.1.2.1",
            rows=geometry.rows,
            columns=geometry.columns,
        )
        for n, p in enumerate(geometry.positions_mm)
    )


def phantom_volume(
    shapes: Sequence[Shape],
    *,
    shape: tuple[int, int, int] = (40, 128, 128),
    spacing_mm: tuple[float, float, float] = (2.5, 0.7, 0.7),
    background: float = 110.0,
    noise_sd: float = 0.0,
    blur: bool = True,
    orientation: Sequence[float] = AXIAL,
    tilt_deg: float = 0.0,
    centre_mm: Sequence[float] = (0.0, 0.0, 0.0),
    seed: int = 0,
    modality: str = "CT",
) -> Volume:
    """Return a volume of ``background`` with ``shapes`` painted in.

    Parameters
    ----------
    shapes
        Painted in order, each over the ones before.
    shape, spacing_mm
        ``(slices, rows, columns)`` and (gap along the normal, row, column) mm.
    noise_sd
        Gaussian noise added after the blur (HU for CT), rounded to int16.
    blur
        Smooth within each slice first, like a scanner's resolution (a
        binomial [1 2 1]/4 along rows and columns: sigma 0.7 pixel).
    orientation, tilt_deg
        Row and column directions; a gantry tilt (degrees about x) instead
        stacks tilted slices along z.
    centre_mm
        Patient position of the volume's centre.
    """
    geometry = _geometry(shape, spacing_mm, orientation, tilt_deg, centre_mm)
    values = np.full(shape, background, np.float32)
    for item in shapes:
        _paint(values, geometry, item)
    if blur:
        values = binomial(binomial(values, 1, 1), 2, 1)
    rng = np.random.default_rng(seed)
    for k in range(shape[0]):
        if noise_sd:
            values[k] += rng.normal(0.0, noise_sd, shape[1:]).astype(np.float32)
    voxels = np.clip(np.rint(values), -32768, 32767).astype(np.int16)
    used = (
        orientation
        if not tilt_deg
        else tuple(
            float(v)
            for v in np.concatenate(
                (geometry.analysis.row_direction, geometry.analysis.column_direction)
            )
        )
    )
    return Volume(
        voxels=voxels,
        geometry=geometry,
        is_rescaled=True,
        slopes=np.ones(shape[0]),
        intercepts=np.zeros(shape[0]),
        frames=_frames(geometry, used, spacing_mm[0]),
        series_key=f"{_UID_ROOT}.0",
        modality=modality,
    )


def _discs(
    geometry: VolumeGeometry, k: int, spheres: Sequence[Ellipsoid]
) -> list[tuple[NDArray[np.float64], float]]:
    normal = geometry.analysis.normal
    origin = geometry.positions_mm[k]
    discs = []
    for s in spheres:
        centre = np.asarray(s.centre_mm)
        d = float((centre - origin) @ normal)
        r = s.semi_axes_mm[0]
        if abs(d) < r:
            discs.append((centre - d * normal, math.sqrt(r * r - d * d)))
    return discs


def _union_feret(discs: list[tuple[NDArray[np.float64], float]]) -> float:
    return max(
        float(np.linalg.norm(a - b)) + ra + rb for a, ra in discs for b, rb in discs
    )


def true_diameters(
    volume: Volume, lesion: Sequence[Ellipsoid]
) -> tuple[float, float, int]:
    """Longest diameter, its perpendicular and the slice, from the shapes.

    For a union of spheres on any slice orientation (the longest diameter of
    a union of discs is the largest ``|c_a - c_b| + r_a + r_b``; the
    perpendicular is then given for one sphere only, else NaN), or for one
    ellipsoid on axial slices.
    """
    geometry = volume.geometry
    assert geometry is not None
    best = (0.0, math.nan, -1)
    for k in range(volume.shape[0]):
        if all(s.is_sphere for s in lesion):
            discs = _discs(geometry, k, lesion)
            if not discs:
                continue
            long = _union_feret(discs)
            short = 2 * discs[0][1] if len(discs) == 1 else math.nan
        else:
            (one,) = lesion
            dz = float(geometry.positions_mm[k][2] - one.centre_mm[2])
            a, b, c = one.semi_axes_mm
            if abs(dz) >= c:
                continue
            scale = math.sqrt(1 - (dz / c) ** 2)
            long, short = 2 * max(a, b) * scale, 2 * min(a, b) * scale
        if long > best[0]:
            best = (long, short, k)
    return best


@dataclass(frozen=True, slots=True)
class PhantomCase:
    """One lesion of known shape in its volume, and where to click on it."""

    name: str
    volume: Volume
    lesion: tuple[Ellipsoid, ...]
    click_mm: tuple[float, float, float]
    arterial: bool = False
    """Measured with the volume as its own arterial phase."""
    viable_mm: float | None = None
    """The viable part's true longest diameter, when the case has one."""


def _rotated(angle_z_deg: float, angle_x_deg: float) -> tuple[float, ...]:
    """Axial row/column directions turned about z, then about x."""
    z, x = math.radians(angle_z_deg), math.radians(angle_x_deg)
    cz, sz, cx, sx = math.cos(z), math.sin(z), math.cos(x), math.sin(x)
    turn_z = np.array([[cz, -sz, 0.0], [sz, cz, 0.0], [0.0, 0.0, 1.0]])
    turn_x = np.array([[1.0, 0.0, 0.0], [0.0, cx, -sx], [0.0, sx, cx]])
    m = turn_x @ turn_z
    return (*(float(v) for v in m[:, 0]), *(float(v) for v in m[:, 1]))


NODE_CASE: Final = "small oval node in fat"
CASE_NAMES: Final = (
    "sphere 30 mm",
    "ellipsoid 40 x 24 x 20 mm",
    "lobulated",
    "touching a vessel",
    "low contrast (20 HU)",
    "anisotropic 0.7 x 0.7 x 5 mm",
    "gantry tilt 20 degrees",
    "oblique slices",
    NODE_CASE,
    "necrosis, click on necrosis",
    "necrosis, click on the viable part",
    "rim around necrosis",
    "vessel as bright as the lesion",
)
"""The accuracy set's cases, in its order."""
FAT_HU: Final = -70.0  # retroperitoneal fat
PV_LIVER_HU: Final = 110.0  # portal-venous liver; hypodense lesions are 40 HU
ARTERIAL_LIVER_HU: Final = 60.0  # arterial liver; viable 160 HU, necrosis 20 HU


def _portal_cases(
    seed: int, noise_sd: float, wanted: Callable[[str], bool]
) -> list[PhantomCase]:
    """Hypodense lesions in portal-venous liver, about shape, contrast and voxels."""
    ball = (sphere((0.0, 0.0, 1.0), 24.0, 40.0),)
    lobes = (
        sphere((0.0, 0.0, 0.0), 24.0, 40.0),
        sphere((12.0, 1.0, 0.0), 14.0, 40.0),
        sphere((-7.0, 10.0, 0.0), 12.0, 40.0),
        sphere((-5.0, -11.0, 2.0), 12.0, 40.0),
    )
    vessel = Tube((15.5, 0.0, 0.0), (0.0, 1.0, 0.2), 2.5, 190.0)
    thick = {"shape": (16, 128, 128), "spacing_mm": (5.0, 0.7, 0.7)}
    table: list[
        tuple[str, tuple[Ellipsoid, ...], tuple[Shape, ...], dict[str, Any]]
    ] = [
        ("sphere 30 mm", (sphere((0.3, -0.4, 0.0), 30.0, 40.0),), (), {}),
        (
            "ellipsoid 40 x 24 x 20 mm",
            (Ellipsoid((0.0, 0.0, 0.0), (20.0, 12.0, 10.0), 40.0, 30.0),),
            (),
            {},
        ),
        ("lobulated", lobes, (), {}),
        ("touching a vessel", (sphere((0.0, 0.0, 0.0), 26.0, 40.0),), (vessel,), {}),
        ("low contrast (20 HU)", (sphere((0.0, 0.0, 0.0), 25.0, 90.0),), (), {}),
        ("anisotropic 0.7 x 0.7 x 5 mm", ball, (), thick),
        ("gantry tilt 20 degrees", ball, (), {"tilt_deg": 20.0}),
        ("oblique slices", ball, (), {"orientation": _rotated(30.0, 25.0)}),
    ]
    cases = [
        PhantomCase(
            name,
            phantom_volume(
                lesion + extra,
                noise_sd=noise_sd,
                seed=seed,
                background=PV_LIVER_HU,
                **options,
            ),
            lesion,
            lesion[0].centre_mm,
        )
        for name, lesion, extra, options in table
        if wanted(name)
    ]
    if not wanted(NODE_CASE):
        return cases
    # a small oval node in fat, soft tissue along its sides (as between the
    # cava and the aorta): sharp ends, and two backgrounds around it
    node = Ellipsoid((0.0, 0.0, 0.0), (8.5, 4.0, 5.0), 80.0)
    sides = (
        Ellipsoid((0.0, -16.0, 0.0), (14.0, 10.0, 30.0), 10.0),
        Ellipsoid((-2.0, 16.0, 0.0), (14.0, 10.0, 30.0), 20.0),
    )
    fat = phantom_volume(
        (*sides, node), noise_sd=noise_sd, seed=seed, background=FAT_HU
    )
    cases.append(PhantomCase(NODE_CASE, fat, (node,), node.centre_mm))
    return cases


def _arterial_cases(
    seed: int, noise_sd: float, wanted: Callable[[str], bool]
) -> list[PhantomCase]:
    """Enhancing lesions in arterial liver: necrosis, a rim, a bright vessel."""

    def volume(*shapes: Shape) -> Volume:
        return phantom_volume(
            shapes, background=ARTERIAL_LIVER_HU, noise_sd=noise_sd, seed=seed
        )

    necrotic = sphere((0.0, 0.0, 0.0), 36.0, 20.0)
    viable = sphere((10.0, 0.0, 0.0), 16.0, 160.0)
    rim = (sphere((0.0, 0.0, 0.0), 32.0, 160.0), sphere((0.0, 0.0, 0.0), 24.0, 20.0))
    bright = sphere((0.0, 0.0, 0.0), 25.0, 160.0)
    same = Tube((14.5, 0.0, 0.0), (0.0, 1.0, 0.0), 2.0, 160.0)
    centre, into_necrosis, into_viable = (
        (0.0, 0.0, 0.0),
        (-6.0, 2.0, 0.0),
        (10.0, 1.0, 0.0),
    )
    both = (necrotic, viable)
    table: list[
        tuple[
            str,
            tuple[Shape, ...],
            tuple[Ellipsoid, ...],
            tuple[float, float, float],
            float,
        ]
    ] = [
        ("necrosis, click on necrosis", both, (necrotic,), into_necrosis, 16.0),
        ("necrosis, click on the viable part", both, (necrotic,), into_viable, 16.0),
        ("rim around necrosis", rim, (rim[0],), centre, math.nan),
        ("vessel as bright as the lesion", (bright, same), (bright,), centre, math.nan),
    ]
    volumes: dict[tuple[Shape, ...], Volume] = {}  # one volume per set of shapes
    cases = []
    for name, shapes, lesion, click, viable_mm in table:
        if not wanted(name):
            continue
        if shapes not in volumes:
            volumes[shapes] = volume(*shapes)
        cases.append(
            PhantomCase(
                name,
                volumes[shapes],
                lesion,
                click,
                True,
                None if math.isnan(viable_mm) else viable_mm,
            )
        )
    return cases


def phantom_cases(
    seed: int = 0, noise_sd: float = 10.0, *, names: Collection[str] | None = None
) -> tuple[PhantomCase, ...]:
    """Return the accuracy set: lesions of known size in liver-like backgrounds.

    Portal-venous liver (110 HU) with hypodense lesions (40 HU; 90 HU for low
    contrast), a small node (80 HU) in fat (-70 HU) with soft tissue (10 and
    20 HU) along its sides, and arterial liver (60 HU) with viable tumour
    (160 HU) and necrosis (20 HU); voxels 0.7 x 0.7 x 2.5 mm unless the case
    is about voxels; Gaussian noise of ``noise_sd`` HU. Arterial cases are
    measured with the volume as its own arterial phase. ``names`` builds only
    those cases (in the set's order); a name not in the set is an error.
    """
    if names is not None:
        unknown = set(names) - set(CASE_NAMES)
        if unknown:
            msg = f"no phantom case named {sorted(unknown)}; the set: {CASE_NAMES}"
            raise ValueError(msg)

    def wanted(name: str) -> bool:
        return names is None or name in names

    return tuple(
        _portal_cases(seed, noise_sd, wanted) + _arterial_cases(seed, noise_sd, wanted)
    )
