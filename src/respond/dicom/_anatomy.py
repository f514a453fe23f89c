"""The aorta and the liver on one axial CT slice, measured in HU.

Per slice: the body outline, then the vertebral body (the most posterior thick
bone blob near the midline), the liver (the largest soft-tissue region on the
patient's right) and the aorta (a round, homogeneous 10-35 mm region searched
just anterior and to the patient's left of the vertebral body). Sizes are
physical millimetres from the pixel spacing; directions come from the image
orientation (LPS). :mod:`respond.dicom.phase_image` turns the measures of a
few slices into a contrast phase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import SimpleITK as sitk
from numpy.typing import NDArray

if TYPE_CHECKING:
    from respond.dicom.model import FrameRef

__all__ = [
    "AORTA_CONTRAST_MIN_HU",
    "LIVER_LEVEL",
    "LIVER_LEVEL_MIN_MM2",
    "NO_VERTEBRA",
    "SliceGeometry",
    "SliceMeasure",
    "measure_slice",
]

LIVER_LEVEL: Final = 0.65  # slices with this share of the largest liver
LIVER_LEVEL_MIN_MM2: Final = 8000.0  # the liver near its hilum is 100-250 cm2

# Blood below this is unenhanced (the phase thresholds use it too).
AORTA_CONTRAST_MIN_HU: Final = 70.0  # unenhanced blood is 30-50 HU

# Anatomy, in mm and HU. Body, spine and liver are found on a coarse grid; the
# aorta on a fine one, in a region around where it must be.
_COARSE_MM: Final = 3.0
_FINE_MM: Final = 1.4
_HU_RANGE: Final = (-2048.0, 4095.0)
_BODY_MIN_HU: Final = -500.0
_BODY_MIN_AREA_MM2: Final = 10_000.0
_BONE_MIN_HU: Final = 150.0  # cancellous bone of older adults is 100-250 HU
_SPINE_OPEN_MM: Final = 8.0  # the vertebral body is thicker, its arches thinner
_SPINE_MIN_AREA_MM2: Final = 500.0
_SPINE_MAX_OFFSET_MM: Final = 30.0  # from the body's centre, left or right
_SPINE_SEARCH_MM: Final = 30.0  # searched beyond that, for the blob's width
_SPINE_BAND_MM: Final = 10.0  # half-width of the band giving its anterior edge
# Aorta: thresholds tried in turn (enhanced, weakly enhanced, unenhanced blood).
_AORTA_THRESHOLDS_HU: Final = (150.0, 90.0, 0.0)
_AORTA_OPEN_MM: Final = 1.0  # removes specks of noise
_SPLIT_MM: Final = 2.0  # a neck this much thinner than a blob parts it
_AORTA_DIAMETER_MM: Final = (10.0, 35.0)
# Window of the aorta's centre from the vertebral body's anterior edge
# (x: + to the patient's left; y: - anterior), and its usual place.
_AORTA_DX_MM: Final = (-15.0, 55.0)
_AORTA_DY_MM: Final = (-55.0, 15.0)
_AORTA_USUAL_MM: Final = (12.0, -12.0)
_AORTA_ROI_MM: Final = 55.0  # half-size of the region searched
_AORTA_MIN_FILL: Final = 0.6  # area over the disc through its farthest pixel
_AORTA_MAX_IQR_HU: Final = 60.0
_AORTA_CORE: Final = 0.6  # share of the radius measured
_FAT_MAX_HU: Final = -20.0  # unenhanced blood must be ringed by fat
_RING_MM: Final = (2.0, 6.0)
_SOFT_HU: Final = (0.0, 200.0)
_OPEN_LIVER_MM: Final = 6.0
_LIVER_MIN_AREA_MM2: Final = 3000.0
_LIVER_MIN_RIGHT_MM: Final = 20.0  # centroid to the patient's right of the spine

NO_VERTEBRA: Final = "no vertebral body"
_Vec = tuple[float, float, float]
_Box = tuple[slice, slice]


@dataclass(frozen=True, slots=True)
class SliceGeometry:
    """Where one image lies in the patient (LPS, mm).

    Attributes
    ----------
    origin_mm
        Centre of the first pixel.
    row_dir, col_dir
        Unit vectors along a row (increasing column index) and down a column
        (increasing row index).
    spacing_mm
        Distance between rows, then between columns (DICOM PixelSpacing).
    """

    origin_mm: _Vec
    row_dir: _Vec
    col_dir: _Vec
    spacing_mm: tuple[float, float]

    @classmethod
    def of(cls, frame: FrameRef) -> SliceGeometry | None:
        """Return the frame's geometry, or None when its header lacks it."""
        if frame.position is None or frame.orientation is None:
            return None
        if frame.pixel_spacing is None or min(frame.pixel_spacing) <= 0:
            return None
        o = frame.orientation
        return cls(frame.position, o[:3], o[3:], frame.pixel_spacing)

    @property
    def is_axial(self) -> bool:
        """The slice normal is within about 25 degrees of the body axis."""
        normal = np.cross(self.row_dir, self.col_dir)
        length = float(np.linalg.norm(normal))
        return length > 0 and abs(float(normal[2])) / length >= 0.9


@dataclass(frozen=True, slots=True)
class SliceMeasure:
    """The aorta and liver found on one slice (HU medians, sizes in mm)."""

    z_mm: float
    aorta_hu: float
    liver_hu: float
    aorta_diameter_mm: float
    liver_area_mm2: float


@dataclass(frozen=True, slots=True)
class _Grid:
    """Part of a slice, block-averaged, with patient x and y per pixel (mm)."""

    hu: NDArray[np.float32]
    x_mm: NDArray[np.float64]
    y_mm: NDArray[np.float64]
    pixel_mm: tuple[float, float]  # between rows, between columns
    block: tuple[int, int]  # slice pixels per grid pixel, down and across

    @property
    def pixel_area_mm2(self) -> float:
        return self.pixel_mm[0] * self.pixel_mm[1]

    def crop(self, keep: NDArray[np.bool_]) -> tuple[_Grid, _Box] | None:
        """Return the part of the grid bounding ``keep``, and where it lies."""
        rows, cols = np.flatnonzero(keep.any(axis=1)), np.flatnonzero(keep.any(axis=0))
        if rows.size == 0:
            return None
        box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        part = _Grid(
            self.hu[box], self.x_mm[box], self.y_mm[box], self.pixel_mm, self.block
        )
        return part, box

    def radius_px(self, mm: float) -> list[int]:
        """Kernel radius in pixels, x (columns) first as SimpleITK wants it."""
        return [
            max(1, round(mm / self.pixel_mm[1])),
            max(1, round(mm / self.pixel_mm[0])),
        ]


def _grid(
    hu: NDArray[np.float32],
    geometry: SliceGeometry,
    target_mm: float,
    box: _Box = (slice(None), slice(None)),
) -> _Grid:
    """Block-average a slice (or the part of it in ``box``) to ~``target_mm``."""
    dr, dc = geometry.spacing_mm
    fr, fc = (max(1, round(target_mm / s)) for s in (dr, dc))
    part = hu[box]
    rows, cols = part.shape[0] // fr * fr, part.shape[1] // fc * fc
    blocks = part[:rows, :cols].reshape(rows // fr, fr, cols // fc, fc)
    small = blocks.mean(axis=(1, 3), dtype=np.float32)
    r0, c0 = (b.start or 0 for b in box)
    i = (r0 + np.arange(small.shape[0]) * fr + (fr - 1) / 2) * dr
    j = (c0 + np.arange(small.shape[1]) * fc + (fc - 1) / 2) * dc
    (ox, oy, _), rd, cd = geometry.origin_mm, geometry.row_dir, geometry.col_dir
    # patient = origin + j * row_dir + i * col_dir, in mm; x and y only
    x = ox + j[None, :] * rd[0] + i[:, None] * cd[0]
    y = oy + j[None, :] * rd[1] + i[:, None] * cd[1]
    return _Grid(small, x, y, (dr * fr, dc * fc), (fr, fc))


def _as_image(mask: NDArray[np.bool_]) -> sitk.Image:
    return sitk.GetImageFromArray(mask.astype(np.uint8))


def _components(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int32], int]:
    image = sitk.ConnectedComponent(_as_image(mask))  # type: ignore[no-untyped-call]
    labels = sitk.GetArrayFromImage(image).astype(np.int32)
    return labels, int(labels.max(initial=0))


def _opened(mask: NDArray[np.bool_], radius: list[int]) -> NDArray[np.bool_]:
    image = sitk.BinaryMorphologicalOpening(  # type: ignore[no-untyped-call]
        _as_image(mask), radius, sitk.sitkBall
    )
    result: NDArray[np.bool_] = sitk.GetArrayViewFromImage(image) > 0
    return result


def _filled(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    image = sitk.BinaryFillhole(_as_image(mask))  # type: ignore[no-untyped-call]
    result: NDArray[np.bool_] = sitk.GetArrayViewFromImage(image) > 0
    return result


def _eroded(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the mask less its border pixels (4-neighbour erosion)."""
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    inner[:-1, :] &= mask[1:, :]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    inner[[0, -1], :] = False
    inner[:, [0, -1]] = False
    return inner


def _label_stats(
    labels: NDArray[np.int32], count: int, grid: _Grid
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Area (mm2) and centroid x, y (mm) of labels 0..count, at index label."""
    flat = labels.ravel()
    pixels = np.bincount(flat, minlength=count + 1).astype(np.float64)
    safe = np.maximum(pixels, 1.0)
    cx = np.bincount(flat, grid.x_mm.ravel(), count + 1) / safe
    cy = np.bincount(flat, grid.y_mm.ravel(), count + 1) / safe
    return pixels * grid.pixel_area_mm2, cx, cy


def _largest(ok: NDArray[np.bool_], area: NDArray[np.float64]) -> int | None:
    """Return the largest label among those ``ok`` (label 0 excluded)."""
    ok = ok.copy()
    ok[0] = False
    return int(np.argmax(np.where(ok, area, -1.0))) if ok.any() else None


def _body(grid: _Grid) -> NDArray[np.bool_] | None:
    labels, count = _components(grid.hu > _BODY_MIN_HU)
    area, _, _ = _label_stats(labels, count, grid)
    best = _largest(area >= _BODY_MIN_AREA_MM2, area)
    return None if best is None else labels == best


@dataclass(frozen=True, slots=True)
class _Spine:
    x_mm: float  # the vertebral body's midline
    anterior_mm: float  # y of its anterior edge


def _spine(grid: _Grid, body: NDArray[np.bool_]) -> _Spine | None:
    """Find the vertebral body: the most posterior thick bone blob near midline.

    The cortical ring is filled, and an opening removes what is thinner than
    the body (posterior elements, ribs); a slice through a disc has none.
    """
    body_x, body_y = float(grid.x_mm[body].mean()), float(grid.y_mm[body].mean())
    near = np.abs(grid.x_mm - body_x) <= _SPINE_MAX_OFFSET_MM + _SPINE_SEARCH_MM
    cropped = grid.crop(near & (grid.y_mm > body_y) & body)
    if cropped is None:
        return None
    part, box = cropped
    bone = _filled((part.hu >= _BONE_MIN_HU) & body[box])
    labels, count = _components(_opened(bone, part.radius_px(_SPINE_OPEN_MM)))
    area, cx, cy = _label_stats(labels, count, part)
    ok = (area >= _SPINE_MIN_AREA_MM2) & (cy > body_y)
    ok &= np.abs(cx - body_x) <= _SPINE_MAX_OFFSET_MM
    ok[0] = False
    if not ok.any():
        return None
    best = int(np.argmax(np.where(ok, cy, -np.inf)))
    xs, ys = part.x_mm[labels == best], part.y_mm[labels == best]
    x_mid = float(cx[best])
    band = np.abs(xs - x_mid) <= _SPINE_BAND_MM
    return _Spine(x_mid, float((ys[band] if band.any() else ys).min()))


def _liver(
    grid: _Grid, body: NDArray[np.bool_], spine: _Spine
) -> tuple[float, float] | None:
    """Median HU and area of the largest soft-tissue region right of the spine."""
    cropped = grid.crop(body & (grid.x_mm <= spine.x_mm))  # the patient's right
    if cropped is None:
        return None
    part, box = cropped
    soft = (part.hu >= _SOFT_HU[0]) & (part.hu <= _SOFT_HU[1]) & body[box]
    soft &= part.x_mm <= spine.x_mm
    labels, count = _components(_opened(soft, part.radius_px(_OPEN_LIVER_MM)))
    area, cx, _ = _label_stats(labels, count, part)
    ok = (cx <= spine.x_mm - _LIVER_MIN_RIGHT_MM) & (area >= _LIVER_MIN_AREA_MM2)
    best = _largest(ok, area)
    if best is None:
        return None
    region = labels == best
    inner = _eroded(region)
    values = part.hu[inner if inner.any() else region]
    return float(np.median(values)), float(area[best])


def _smoothed(hu: NDArray[np.float32]) -> NDArray[np.float32]:
    """3 x 3 box mean, edges repeated (steadies thresholds against noise)."""
    padded = np.pad(hu, 1, mode="edge")
    total = sum(
        padded[i : i + hu.shape[0], j : j + hu.shape[1]]
        for i in range(3)
        for j in range(3)
    )
    return np.asarray(total, np.float32) / np.float32(9)


def _split(mask: NDArray[np.bool_], grid: _Grid) -> tuple[NDArray[np.int32], int]:
    """Label the mask, parting blobs that touch at a neck (the aorta and vertebra).

    A watershed of the distance to the background: each blob keeps the basin
    around its centre.
    """
    image = _as_image(mask)
    image.SetSpacing((grid.pixel_mm[1], grid.pixel_mm[0]))  # type: ignore[no-untyped-call]
    distance = sitk.SignedMaurerDistanceMap(  # type: ignore[no-untyped-call]
        image, insideIsPositive=False, squaredDistance=False, useImageSpacing=True
    )
    basins = sitk.MorphologicalWatershed(  # type: ignore[no-untyped-call]
        distance, level=_SPLIT_MM, markWatershedLine=False, fullyConnected=False
    )
    labels = np.where(mask, sitk.GetArrayViewFromImage(basins), 0)
    values, flat = np.unique(labels, return_inverse=True)
    return flat.reshape(mask.shape).astype(np.int32), int(values.size - 1)


def _aorta_roi(
    hu: NDArray[np.float32], geometry: SliceGeometry, coarse: _Grid, spine: _Spine
) -> _Grid | None:
    """Return the fine grid over the region where the aorta must be."""
    x, y = spine.x_mm + _AORTA_USUAL_MM[0], spine.anterior_mm + _AORTA_USUAL_MM[1]
    near = np.abs(coarse.x_mm - x) <= _AORTA_ROI_MM
    cropped = coarse.crop(near & (np.abs(coarse.y_mm - y) <= _AORTA_ROI_MM))
    if cropped is None:
        return None
    (rows, cols), (fr, fc) = cropped[1], coarse.block  # in pixels of the slice
    box = (
        slice(rows.start * fr, rows.stop * fr),
        slice(cols.start * fc, cols.stop * fc),
    )
    roi = _grid(hu, geometry, _FINE_MM, box)
    return roi if min(roi.hu.shape) >= 8 else None


def _aorta(roi: _Grid, spine: _Spine) -> tuple[float, float] | None:
    """Median HU and diameter of the aorta, trying each threshold in turn."""
    smooth = _smoothed(roi.hu)
    for threshold in _AORTA_THRESHOLDS_HU:
        mask = _opened(smooth >= threshold, roi.radius_px(_AORTA_OPEN_MM))
        for labelled in (_components, lambda m: _split(m, roi)):
            found = _aorta_in(roi, labelled(mask), spine, threshold)
            if found is not None:
                return found
    return None


def _aorta_in(
    roi: _Grid,
    components: tuple[NDArray[np.int32], int],
    spine: _Spine,
    threshold: float,
) -> tuple[float, float] | None:
    labels, count = components
    area, cx, cy = _label_stats(labels, count, roi)
    dx, dy = cx - spine.x_mm, cy - spine.anterior_mm
    diameter = 2 * np.sqrt(area / math.pi)
    ok = (diameter >= _AORTA_DIAMETER_MM[0]) & (diameter <= _AORTA_DIAMETER_MM[1])
    ok &= (dx >= _AORTA_DX_MM[0]) & (dx <= _AORTA_DX_MM[1])
    ok &= (dy >= _AORTA_DY_MM[0]) & (dy <= _AORTA_DY_MM[1])
    edge = np.unique(
        np.concatenate([labels[[0, -1], :].ravel(), labels[:, [0, -1]].ravel()])
    )
    ok[edge] = False  # cut by the region: its shape is unknown
    ok[0] = False
    far = np.hypot(dx - _AORTA_USUAL_MM[0], dy - _AORTA_USUAL_MM[1])
    for label in np.argsort(np.where(ok, far, np.inf))[: int(ok.sum())]:
        centre = (float(cx[label]), float(cy[label]))
        hu = _vessel_hu(roi, labels == label, centre, threshold)
        if hu is not None:
            return hu, float(diameter[label])
    return None


def _vessel_hu(
    roi: _Grid,
    region: NDArray[np.bool_],
    centre: tuple[float, float],
    threshold: float,
) -> float | None:
    """Median HU of a round, homogeneous region's core, else None."""
    distance = np.hypot(roi.x_mm - centre[0], roi.y_mm - centre[1])
    reach = float(distance[region].max()) + max(roi.pixel_mm) / 2
    area = float(region.sum()) * roi.pixel_area_mm2
    if area / (math.pi * reach**2) < _AORTA_MIN_FILL:
        return None
    radius = math.sqrt(area / math.pi)
    core = roi.hu[region & (distance <= _AORTA_CORE * radius)]
    if core.size == 0:
        return None
    q1, median, q3 = np.percentile(core, (25, 50, 75))
    if q3 - q1 > _AORTA_MAX_IQR_HU:
        return None
    if threshold < AORTA_CONTRAST_MIN_HU:
        ring = (distance >= radius + _RING_MM[0]) & (distance <= radius + _RING_MM[1])
        if float(np.median(roi.hu[ring])) > _FAT_MAX_HU:
            return None
    return float(median)


def measure_slice(
    hu: NDArray[np.float32], geometry: SliceGeometry
) -> SliceMeasure | str:
    """Find the aorta and the liver on one axial CT slice and measure them.

    Parameters
    ----------
    hu
        The slice in Hounsfield units, rows x columns.
    geometry
        Where the slice lies (for millimetres and patient directions).

    Returns
    -------
    SliceMeasure or str
        The measures, or why they could not be taken.
    """
    if hu.ndim != 2 or min(hu.shape) < 16:
        return "image too small"
    if not geometry.is_axial:
        return "not an axial slice"
    # a damaged rescale must not overflow the averages: keep to the CT range
    hu = np.clip(np.nan_to_num(hu.astype(np.float32), nan=-1000.0), *_HU_RANGE)
    coarse = _grid(hu, geometry, _COARSE_MM)
    body = _body(coarse)
    if body is None:
        return "no body outline"
    spine = _spine(coarse, body)
    if spine is None:
        return NO_VERTEBRA
    liver = _liver(coarse, body, spine)
    if liver is None:
        return "no liver"
    if liver[1] < LIVER_LEVEL * LIVER_LEVEL_MIN_MM2:  # never kept: skip the aorta
        return f"liver under {LIVER_LEVEL * LIVER_LEVEL_MIN_MM2 / 100:.0f} cm2"
    roi = _aorta_roi(hu, geometry, coarse, spine)
    aorta = None if roi is None else _aorta(roi, spine)
    if aorta is None:
        return "no aorta"
    z_mm = float(geometry.origin_mm[2])
    return SliceMeasure(z_mm, aorta[0], liver[0], aorta[1], liver[1])
