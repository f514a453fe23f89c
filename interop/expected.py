"""The calipers a TID 1500 SR asks a viewer to draw, read with pydicom.

A caliper is a NUM of a measurement group in "Imaging Measurements" (126010,
DCM) that is INFERRED FROM a two-point SCOORD POLYLINE, which is SELECTED FROM
one image. Its label is the group's Comment (121106, DCM) when there is one,
else its Tracking Identifier (112039, DCM). The end points are also given in
patient coordinates (mm) when the referenced image's geometry is known, so that
the page's annotations can be compared with them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pydicom

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    from pydicom.dataset import Dataset

IMAGING_MEASUREMENTS = ("DCM", "126010")
MEASUREMENT_GROUP = ("DCM", "125007")
TRACKING_IDENTIFIER = ("DCM", "112039")
TRACKING_UID = ("DCM", "112040")
COMMENT = ("DCM", "121106")

Point = tuple[float, float]
Point3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class ImagePlane:
    """Where one image (or frame) lies: DICOM's image plane module."""

    position: Point3
    row_direction: Point3
    column_direction: Point3
    row_spacing: float
    column_spacing: float

    @classmethod
    def of(cls, image: Dataset) -> ImagePlane | None:
        """Return the plane of a single-frame image, or None without one."""
        try:
            ipp = [float(v) for v in image.ImagePositionPatient]
            iop = [float(v) for v in image.ImageOrientationPatient]
            row_spacing, column_spacing = (float(v) for v in image.PixelSpacing)
        except (AttributeError, TypeError, ValueError):
            return None
        if len(ipp) != 3 or len(iop) != 6:
            return None
        return cls(
            (ipp[0], ipp[1], ipp[2]),
            (iop[0], iop[1], iop[2]),
            (iop[3], iop[4], iop[5]),
            row_spacing,
            column_spacing,
        )

    def to_patient(self, point: Point) -> Point3:
        """Map a SCOORD (column, row; (0, 0): the first pixel's outer corner) to mm."""
        column, row = point
        # the centre of the first pixel is (0.5, 0.5) and lies at ImagePositionPatient
        across = self.column_spacing * (column - 0.5)
        down = self.row_spacing * (row - 0.5)
        return (
            self.position[0]
            + self.row_direction[0] * across
            + self.column_direction[0] * down,
            self.position[1]
            + self.row_direction[1] * across
            + self.column_direction[1] * down,
            self.position[2]
            + self.row_direction[2] * across
            + self.column_direction[2] * down,
        )


@dataclass(frozen=True, slots=True)
class Caliper:
    """One caliper the SR asks to be drawn."""

    label: str
    tracking_identifier: str
    tracking_uid: str
    concept: str
    length_mm: float
    sop_instance_uid: str
    frame: int | None
    points: tuple[Point, Point]
    points_mm: tuple[Point3, Point3] | None
    group: int
    index_in_group: int

    def as_json(self) -> dict[str, object]:
        """Return the caliper as plain JSON values (for the browser script)."""
        return asdict(self)

    @property
    def name(self) -> str:
        """A short name for messages: ``T1 Long axis``."""
        base = self.label or self.tracking_identifier
        return base if self.concept in base else f"{base} {self.concept}".strip()


def _code(item: Dataset, sequence: str = "ConceptNameCodeSequence") -> tuple[str, str]:
    codes = item.get(sequence)
    if not codes:
        return ("", "")
    return (
        str(codes[0].get("CodingSchemeDesignator", "")),
        str(codes[0].get("CodeValue", "")),
    )


def _meaning(item: Dataset) -> str:
    codes = item.get("ConceptNameCodeSequence")
    return str(codes[0].get("CodeMeaning", "")) if codes else ""


def _children(item: Dataset) -> Sequence[Dataset]:
    return item.get("ContentSequence") or []


def _find(items: Sequence[Dataset], code: tuple[str, str]) -> Dataset | None:
    return next((item for item in items if _code(item) == code), None)


def measurement_groups(sr: Dataset) -> list[Dataset]:
    """Return the measurement groups of "Imaging Measurements" (none without it)."""
    container = _find(_children(sr), IMAGING_MEASUREMENTS)
    if container is None:
        return []
    return [item for item in _children(container) if _code(item) == MEASUREMENT_GROUP]


def _text(items: Sequence[Dataset], code: tuple[str, str]) -> str:
    item = _find(items, code)
    return "" if item is None else str(item.get("TextValue", ""))


def _numeric(num: Dataset) -> float | None:
    values = num.get("MeasuredValueSequence")
    if not values or "NumericValue" not in values[0]:
        return None
    return float(values[0].NumericValue)


def _two_points(scoord: Dataset) -> tuple[Point, Point] | None:
    data = [float(v) for v in scoord.get("GraphicData", [])]
    if scoord.get("GraphicType") != "POLYLINE" or len(data) != 4:
        return None
    return ((data[0], data[1]), (data[2], data[3]))


def _image_reference(scoord: Dataset) -> tuple[str, int | None] | None:
    image = next((i for i in _children(scoord) if i.get("ValueType") == "IMAGE"), None)
    if image is None or not image.get("ReferencedSOPSequence"):
        return None
    reference = image.ReferencedSOPSequence[0]
    frames = reference.get("ReferencedFrameNumber")
    if frames is None or frames == "":
        frame = None
    elif isinstance(frames, int | str):
        frame = int(frames)
    else:
        frame = int(next(iter(frames)))
    return str(reference.ReferencedSOPInstanceUID), frame


def _calipers_of_group(
    group: Dataset, number: int, planes: Mapping[str, ImagePlane]
) -> Iterator[Caliper]:
    items = _children(group)
    tracking_identifier = _text(items, TRACKING_IDENTIFIER)
    uid_item = _find(items, TRACKING_UID)
    tracking_uid = "" if uid_item is None else str(uid_item.get("UID", ""))
    label = _text(items, COMMENT) or tracking_identifier
    nums = [item for item in items if item.get("ValueType") == "NUM"]
    for index, num in enumerate(nums):
        scoord = next(
            (i for i in _children(num) if i.get("ValueType") == "SCOORD"), None
        )
        length = _numeric(num)
        points = None if scoord is None else _two_points(scoord)
        reference = None if scoord is None else _image_reference(scoord)
        if length is None or points is None or reference is None:
            continue
        plane = planes.get(reference[0])
        points_mm = (
            None
            if plane is None
            else (plane.to_patient(points[0]), plane.to_patient(points[1]))
        )
        yield Caliper(
            label=label,
            tracking_identifier=tracking_identifier,
            tracking_uid=tracking_uid,
            concept=_meaning(num),
            length_mm=length,
            sop_instance_uid=reference[0],
            frame=reference[1],
            points=points,
            points_mm=points_mm,
            group=number,
            index_in_group=index,
        )


def expected_calipers(
    sr: Dataset, planes: Mapping[str, ImagePlane] | None = None
) -> list[Caliper]:
    """Return every caliper of an SR, in the order of its groups and NUMs.

    Parameters
    ----------
    sr
        A TID 1500 measurement report.
    planes
        The referenced images' planes by SOP Instance UID (for the end points
        in mm); a caliper on an image not in it has ``points_mm`` None.
    """
    known = planes or {}
    return [
        caliper
        for number, group in enumerate(measurement_groups(sr))
        for caliper in _calipers_of_group(group, number, known)
    ]


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the Euclidean distance of two points."""
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def image_planes(files: Sequence[Path]) -> dict[str, ImagePlane]:
    """Return the plane of every single-frame image among ``files``, by SOP UID."""
    planes: dict[str, ImagePlane] = {}
    for path in files:
        image = pydicom.dcmread(path, stop_before_pixels=True)
        plane = ImagePlane.of(image)
        if plane is not None:
            planes[str(image.SOPInstanceUID)] = plane
    return planes
