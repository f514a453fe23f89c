"""Key images: each target lesion at each time point, cropped, with its calipers.

A key image is cut from the image the lesion's long axis (else any caliper) was
drawn on, centred on the calipers, wide enough to show the lesion in its
surroundings (three times the longest caliper, at least 60 mm). The calipers
are given in the crop's pixel coordinates with their lengths, so the renderer
draws exactly what the reader measured. A cell that cannot be shown says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from respond.criteria.categories import Role, TargetStatus
from respond.criteria.record import Caliper, CaliperKind
from respond.errors import RespondError

if TYPE_CHECKING:
    from respond.criteria.model import LesionId, TargetMeasurement
    from respond.criteria.record import PatientRead, TimePointRecord
    from respond.report.images import ImageIndex, ImageRef

__all__ = ["CaliperLine", "KeyImage", "key_images"]

_MIN_FIELD_MM = 60.0
_FIELD_FACTOR = 3.0
_CT_WINDOW = (50.0, 350.0)  # abdomen soft tissue: level, width
_KIND_LABEL = {
    CaliperKind.LONG_AXIS: "LD",
    CaliperKind.SHORT_AXIS: "SA",
    CaliperKind.VIABLE: "viable",
    CaliperKind.FRAGMENT: "frag",
}


@dataclass(frozen=True, slots=True)
class CaliperLine:
    """A caliper in a key image's pixel coordinates (column, row; pixel centres)."""

    kind: CaliperKind
    start: tuple[float, float]
    end: tuple[float, float]
    label: str


@dataclass(frozen=True, slots=True)
class KeyImage:
    """One target lesion at one time point.

    ``pixels`` is None when the image could not be shown; ``missing`` says why.
    """

    lesion_id: str
    timepoint_label: str
    values_text: str
    pixels: NDArray[np.float32] | None = None
    pixel_spacing: tuple[float, float] = (1.0, 1.0)
    window: tuple[float, float] = _CT_WINDOW
    lines: tuple[CaliperLine, ...] = ()
    missing: str = ""
    series_uid: str = ""
    image_path: str = ""


def target_values_text(target: TargetMeasurement | None) -> str:
    """Return a target's recorded values as a reader writes them (PDF, captions)."""
    if target is None:
        return "not recorded"
    parts = [
        f"{label} {value} mm"
        for label, value in (
            ("LD", target.long_axis_mm),
            ("SA", target.short_axis_mm),
            ("viable", target.viable_mm),
        )
        if value is not None
    ]
    if target.fragments_mm:
        parts.append(
            "fragments " + " + ".join(f"{f}" for f in target.fragments_mm) + " mm"
        )
    if target.merged_into:
        parts.append(f"merged into {target.merged_into}")
    if not parts or target.status is not TargetStatus.MEASURED:
        parts.append(target.status.value.replace("_", " "))
    return ", ".join(parts)


def _key_caliper(calipers: tuple[Caliper, ...]) -> Caliper:
    for kind in (CaliperKind.LONG_AXIS, CaliperKind.FRAGMENT, CaliperKind.VIABLE):
        for caliper in calipers:
            if caliper.kind is kind:
                return caliper
    return calipers[0]


def _window(ref: ImageRef, crop: NDArray[np.float32]) -> tuple[float, float]:
    if ref.modality == "CT":
        return _CT_WINDOW
    lo, hi = (float(v) for v in np.percentile(crop, [1.0, 99.0]))
    return (lo + hi) / 2.0, max(hi - lo, 1.0)


def _spacing(ref: ImageRef) -> tuple[float, float]:
    row_mm, col_mm = (float(v) for v in ref.geometry.pixel_spacing_mm)
    return row_mm, col_mm


_Pixels = dict[tuple[str, int | None], "NDArray[np.float32]"]


def _crop(
    ref: ImageRef, on_image: list[Caliper], read_pixels: _Pixels
) -> tuple[NDArray[np.float32], tuple[int, int]]:
    row_mm, col_mm = _spacing(ref)
    points = [ref.to_pixel(p) for c in on_image for p in (c.start_mm, c.end_mm)]
    centre_col = sum(p[0] for p in points) / len(points)
    centre_row = sum(p[1] for p in points) / len(points)
    longest = max(math.dist(c.start_mm, c.end_mm) for c in on_image)
    field_mm = max(_MIN_FIELD_MM, _FIELD_FACTOR * longest)
    half_cols = max(8, round(field_mm / col_mm / 2))
    half_rows = max(8, round(field_mm / row_mm / 2))
    key = (ref.sop_instance_uid, ref.frame.frame)
    if key not in read_pixels:  # two lesions on one image: read it once
        read_pixels[key] = ref.pixels()
    pixels = read_pixels[key]
    rows, cols = pixels.shape
    c0 = max(0, min(cols - 1, math.floor(centre_col) - half_cols))
    r0 = max(0, min(rows - 1, math.floor(centre_row) - half_rows))
    c1 = min(cols, c0 + 2 * half_cols)
    r1 = min(rows, r0 + 2 * half_rows)
    return np.ascontiguousarray(pixels[r0:r1, c0:c1]), (c0, r0)


def _key_image(
    lesion_id: LesionId, tp: TimePointRecord, index: ImageIndex, read_pixels: _Pixels
) -> KeyImage:
    calipers = tuple(tp.calipers.get(lesion_id, ()))
    base = KeyImage(
        lesion_id=lesion_id,
        timepoint_label=tp.label,
        values_text=target_values_text(tp.target(lesion_id)),
    )
    if not calipers:
        return replace(base, missing="no caliper recorded")
    key = _key_caliper(calipers)
    ref = index.find(key.sop_instance_uid, key.frame)
    if ref is None:
        return replace(
            base,
            series_uid=key.series_uid,
            missing=(
                f"image not found in the folders searched (series {key.series_uid}): "
                "open its folder in respond, or pass --images with it"
            ),
        )
    on_image = [
        c
        for c in calipers
        if c.sop_instance_uid == key.sop_instance_uid and c.frame == key.frame
    ]
    try:
        crop, (c0, r0) = _crop(ref, on_image, read_pixels)
    except RespondError:
        # the message of a decoding error names files and folders: not in a report
        return replace(
            base,
            series_uid=ref.series_uid,
            missing="the image could not be read or decoded (moved or damaged?)",
        )
    lines = []
    for caliper in on_image:
        start = ref.to_pixel(caliper.start_mm)
        end = ref.to_pixel(caliper.end_mm)
        # SCOORD (0.5 = first pixel's centre) -> crop pixel-centre coordinates
        lines.append(
            CaliperLine(
                kind=caliper.kind,
                start=(start[0] - 0.5 - c0, start[1] - 0.5 - r0),
                end=(end[0] - 0.5 - c0, end[1] - 0.5 - r0),
                label=f"{_KIND_LABEL[caliper.kind]} {caliper.length_mm} mm",
            )
        )
    return replace(
        base,
        pixels=crop,
        pixel_spacing=_spacing(ref),
        window=_window(ref, crop),
        lines=tuple(lines),
        series_uid=ref.series_uid,
        image_path=str(ref.frame.path),
    )


def key_images(read: PatientRead, index: ImageIndex) -> tuple[KeyImage, ...]:
    """Return every target lesion at every time point, lesion by lesion."""
    targets = [lesion.id for lesion in read.lesions if lesion.role is Role.TARGET]
    read_pixels: _Pixels = {}
    return tuple(
        _key_image(lesion_id, tp, index, read_pixels)
        for lesion_id in targets
        for tp in read.timepoints
    )
