"""Key images: each target lesion at each time point, and each new lesion.

A key image is cut from the image the lesion's long axis (else any caliper) was
drawn on, centred on the calipers, wide enough to show the lesion in its
surroundings (three times the longest caliper, at least 60 mm). The calipers
are given in the crop's pixel coordinates with their lengths, so the renderer
draws exactly what the reader measured. A cell that cannot be shown says why.
Each image names where it was cut: series number, image (instance) number and
the slice position (mm along the slice normal), for finding it again at the
workstation. New lesions (findings first seen after baseline) follow the
targets, at every time point a caliper was drawn on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, cast

import numpy as np
from numpy.typing import NDArray

from respond.criteria.categories import Role
from respond.criteria.record import Caliper, CaliperKind
from respond.criteria.wording import target_values_text
from respond.errors import RespondError

if TYPE_CHECKING:
    from respond.criteria.model import LesionId, NewLesion
    from respond.criteria.record import PatientRead, TimePointRecord
    from respond.report.images import ImageIndex, ImageRef

__all__ = [
    "CaliperLine",
    "KeyImage",
    "key_images",
    "new_lesion_text",
    "uncut_new_lesions",
]

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
    """One target (or new) lesion at one time point.

    ``pixels`` is None when the image could not be shown; ``missing`` says why.
    ``series_number``, ``instance_number`` and ``slice_position_mm`` locate the
    image (None when unknown); ``is_new`` marks a new lesion.
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
    series_number: int | None = None
    instance_number: int | None = None
    slice_position_mm: float | None = None
    is_new: bool = False

    @property
    def location_text(self) -> str:
        """Where the image was cut, e.g. ``series 3, image 45, slice -120.0 mm``."""
        parts = []
        if self.series_number is not None:
            parts.append(f"series {self.series_number}")
        if self.instance_number is not None:
            parts.append(f"image {self.instance_number}")
        if self.slice_position_mm is not None:
            parts.append(f"slice {self.slice_position_mm:.1f} mm")
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


@dataclass(slots=True)
class _Reads:
    """What was read from the files once for all key images of a report."""

    pixels: _Pixels = field(default_factory=dict)
    series_numbers: dict[str, int | None] = field(default_factory=dict)


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


def _series_number(ref: ImageRef, reads: _Reads) -> int | None:
    """Return the image's SeriesNumber (read once per series; None if absent)."""
    if ref.series_uid not in reads.series_numbers:
        number = None
        try:
            import pydicom

            header = pydicom.dcmread(
                ref.frame.path, stop_before_pixels=True, specific_tags=["SeriesNumber"]
            )
            value = header.get("SeriesNumber")
            number = None if value in (None, "") else int(value)
        except Exception:  # noqa: BLE001 - a damaged header only loses the number
            number = None
        reads.series_numbers[ref.series_uid] = number
    return reads.series_numbers[ref.series_uid]


def _located(base: KeyImage, ref: ImageRef, reads: _Reads) -> KeyImage:
    """Return ``base`` with the series, image number and slice position of ``ref``."""
    try:
        position: float | None = float(ref.geometry.analysis.offsets_mm[0])
    except RespondError:
        position = None
    return replace(
        base,
        series_uid=ref.series_uid,
        image_path=str(ref.frame.path),
        series_number=_series_number(ref, reads),
        instance_number=ref.frame.instance_number,
        slice_position_mm=position,
    )


def _lines(
    ref: ImageRef, on_image: list[Caliper], origin: tuple[int, int]
) -> tuple[CaliperLine, ...]:
    """Return the calipers in crop pixel-centre coordinates, with their labels."""
    c0, r0 = origin
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
    return tuple(lines)


def _cut(
    base: KeyImage, calipers: tuple[Caliper, ...], index: ImageIndex, reads: _Reads
) -> KeyImage:
    """Return ``base`` cut from the image its key caliper was drawn on."""
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
        crop, origin = _crop(ref, on_image, reads.pixels)
    except RespondError:
        # the message of a decoding error names files and folders: not in a report
        return replace(
            base,
            series_uid=ref.series_uid,
            missing="the image could not be read or decoded (moved or damaged?)",
        )
    return replace(
        _located(base, ref, reads),
        pixels=crop,
        pixel_spacing=_spacing(ref),
        window=_window(ref, crop),
        lines=_lines(ref, on_image, origin),
    )


def _target_image(
    lesion_id: LesionId, tp: TimePointRecord, index: ImageIndex, reads: _Reads
) -> KeyImage:
    calipers = tuple(tp.calipers.get(lesion_id, ()))
    base = KeyImage(
        lesion_id=lesion_id,
        timepoint_label=tp.label,
        values_text=target_values_text(tp.target(lesion_id)),
    )
    if not calipers:
        return replace(base, missing="no caliper recorded")
    return _cut(base, calipers, index, reads)


def new_lesion_text(lesion: NewLesion) -> str:
    """Return a new finding's recorded size as a caption gives it."""
    size = f"{lesion.long_axis_mm} mm" if lesion.long_axis_mm is not None else "present"
    text = f"new lesion, {size}"
    return text + " (equivocal)" if lesion.equivocal else text


def _new_findings(
    read: PatientRead,
) -> dict[str, list[tuple[TimePointRecord, NewLesion]]]:
    """Return each new finding (by id, in order first seen) where it was recorded."""
    found: dict[str, list[tuple[TimePointRecord, NewLesion]]] = {}
    for tp in read.timepoints:
        for lesion in tp.timepoint.new_lesions:
            found.setdefault(lesion.id, []).append((tp, lesion))
    return found


def _new_base(tp: TimePointRecord, lesion: NewLesion) -> KeyImage:
    return KeyImage(
        lesion_id=lesion.id,
        timepoint_label=tp.label,
        values_text=new_lesion_text(lesion),
        is_new=True,
    )


def _new_images(read: PatientRead, index: ImageIndex, reads: _Reads) -> list[KeyImage]:
    """Return each new finding at each time point with a caliper drawn on it."""
    images = []
    for finding_id, seen in _new_findings(read).items():
        for tp, lesion in seen:
            calipers = tuple(tp.calipers.get(cast("LesionId", finding_id), ()))
            if calipers:
                images.append(_cut(_new_base(tp, lesion), calipers, index, reads))
    return images


def uncut_new_lesions(read: PatientRead) -> tuple[KeyImage, ...]:
    """Return the new findings recorded without a caliper, as empty key images.

    They are not in :func:`key_images` (no image to find): a report shows them
    with ``missing`` saying that no caliper was drawn.
    """
    return tuple(
        replace(_new_base(tp, lesion), missing="no caliper drawn")
        for finding_id, seen in _new_findings(read).items()
        for tp, lesion in seen
        if not tp.calipers.get(cast("LesionId", finding_id))
    )


def key_images(read: PatientRead, index: ImageIndex) -> tuple[KeyImage, ...]:
    """Return every target lesion at every time point, then the new lesions.

    Targets come lesion by lesion; new findings follow in the order they were
    first seen, at each time point where a caliper was drawn on them (see
    :func:`uncut_new_lesions` for the others).
    """
    targets = [lesion.id for lesion in read.lesions if lesion.role is Role.TARGET]
    reads = _Reads()
    return (
        *(
            _target_image(lesion_id, tp, index, reads)
            for lesion_id in targets
            for tp in read.timepoints
        ),
        *_new_images(read, index, reads),
    )
