"""Find the images calipers were drawn on, and map between patient mm and pixels.

A caliper keeps its end points in patient space (LPS, mm) and names its image by
SOP instance UID (and frame). Reports need the image itself (key images) and its
pixel grid (DICOM SR SCOORD). :class:`ImageIndex` scans the folders the reader
names and looks images up by UID; :class:`ImageRef` converts exactly between
patient millimetres and the image's pixel coordinates.

Pixel coordinates follow DICOM SR SCOORD (PS3.3 C.18.6.1.1): ``(column, row)``
with ``(0, 0)`` the top left corner of the top left pixel, so that pixel's centre
is ``(0.5, 0.5)``. Image Position (Patient) is the centre of the first pixel.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from respond.dicom import FrameRef
from respond.errors import RespondError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import numpy as np
    from numpy.typing import NDArray

    from respond.dicom import SeriesCandidate

__all__ = ["ImageIndex", "ImageNotFoundError", "ImageRef", "Point", "sop_class_uid"]

Point = tuple[float, float, float]


class ImageNotFoundError(RespondError):
    """An image a caliper references is not in the folders given."""


def _dot(a: Point, b: Point) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image (or frame) a caliper can be drawn on, with its pixel grid.

    Parameters
    ----------
    frame
        The scan's record of the image (file, frame, geometry, rescale).
    study_uid, series_uid, sop_class_uid, modality, patient_id
        Identity of the image, for references to it.
    """

    frame: FrameRef
    study_uid: str
    series_uid: str
    sop_class_uid: str
    modality: str
    patient_id: str

    @property
    def sop_instance_uid(self) -> str:
        """The image's SOP instance UID."""
        return self.frame.sop_instance_uid

    @property
    def frame_number(self) -> int | None:
        """DICOM's 1-based frame number for multi-frame images, else None."""
        return None if self.frame.frame is None else self.frame.frame + 1

    @property
    def rows(self) -> int:
        """Image rows."""
        return self.frame.rows

    @property
    def columns(self) -> int:
        """Image columns."""
        return self.frame.columns

    @property
    def has_geometry(self) -> bool:
        """Whether position, orientation and pixel spacing are all known."""
        f = self.frame
        return None not in (f.position, f.orientation, f.pixel_spacing)

    def _axes(self) -> tuple[Point, Point, Point, float, float]:
        f = self.frame
        if f.position is None or f.orientation is None or f.pixel_spacing is None:
            raise ImageNotFoundError(
                f"image {f.sop_instance_uid} has no position, orientation or pixel "
                "spacing: its pixels cannot be placed in patient space"
            )
        o = f.orientation
        row_dir = (o[0], o[1], o[2])
        col_dir = (o[3], o[4], o[5])
        # PixelSpacing is (between rows, between columns).
        row_spacing, col_spacing = f.pixel_spacing
        return f.position, row_dir, col_dir, row_spacing, col_spacing

    def to_pixel(self, point: Point) -> tuple[float, float]:
        """Return ``(column, row)`` SCOORD coordinates of a patient point.

        The point is projected onto the image plane (a caliper drawn on the image
        lies in it already).
        """
        origin, row_dir, col_dir, row_spacing, col_spacing = self._axes()
        d = (point[0] - origin[0], point[1] - origin[1], point[2] - origin[2])
        # Least squares on the plane's axes: the exact inverse of to_patient even
        # when the stored direction cosines are not quite orthonormal.
        rr, rc, cc = (
            _dot(row_dir, row_dir),
            _dot(row_dir, col_dir),
            _dot(col_dir, col_dir),
        )
        br, bc = _dot(d, row_dir), _dot(d, col_dir)
        det = rr * cc - rc * rc
        u = (br * cc - bc * rc) / det
        v = (bc * rr - br * rc) / det
        column = u / col_spacing + 0.5
        row = v / row_spacing + 0.5
        return column, row

    def to_patient(self, column: float, row: float) -> Point:
        """Return the patient point (LPS, mm) of SCOORD coordinates."""
        origin, row_dir, col_dir, row_spacing, col_spacing = self._axes()
        u = (column - 0.5) * col_spacing
        v = (row - 0.5) * row_spacing
        return (
            origin[0] + u * row_dir[0] + v * col_dir[0],
            origin[1] + u * row_dir[1] + v * col_dir[1],
            origin[2] + u * row_dir[2] + v * col_dir[2],
        )

    def distance_to_plane(self, point: Point) -> float:
        """Return how far (mm) a patient point lies from the image plane."""
        origin, row_dir, col_dir, _, _ = self._axes()
        normal = (
            row_dir[1] * col_dir[2] - row_dir[2] * col_dir[1],
            row_dir[2] * col_dir[0] - row_dir[0] * col_dir[2],
            row_dir[0] * col_dir[1] - row_dir[1] * col_dir[0],
        )
        norm = math.sqrt(_dot(normal, normal)) or 1.0
        d = (point[0] - origin[0], point[1] - origin[1], point[2] - origin[2])
        return abs(_dot(d, normal)) / norm

    def pixels(self) -> NDArray[np.float32]:
        """Return the image's modality values (HU for CT), rows x columns.

        Raises
        ------
        respond.dicom.SeriesLoadError
            The file cannot be read or decoded any more.
        """
        from respond.dicom.frame import read_frame

        return read_frame(self.frame)


_UID_TEXT = re.compile(r"[0-9]+(\.[0-9]+)*")


@functools.cache
def _class_uids() -> dict[str, str]:
    import pydicom.uid

    return {
        value.name: str(value)
        for value in vars(pydicom.uid).values()
        if isinstance(value, pydicom.uid.UID) and value.type == "SOP Class"
    }


def sop_class_uid(name_or_uid: str) -> str:
    """Return a SOP class UID from the scan's record (a UID, or its name)."""
    if _UID_TEXT.fullmatch(name_or_uid):
        return name_or_uid
    return _class_uids().get(name_or_uid, name_or_uid)


def _refs(candidate: SeriesCandidate) -> Iterable[ImageRef]:
    class_uid = sop_class_uid(candidate.sop_class)
    for frame in candidate.frames:
        yield ImageRef(
            frame=frame,
            study_uid=candidate.study_uid,
            series_uid=candidate.series_uid,
            sop_class_uid=class_uid,
            modality=candidate.modality,
            patient_id=candidate.patient_id,
        )


class ImageIndex:
    """Images found in folders, by SOP instance UID and frame.

    Parameters
    ----------
    images
        ``(sop_instance_uid, frame)`` -> image; ``frame`` is the 0-based frame
        of multi-frame files, None for single-frame files.
    folders
        The folders searched, to name them in messages.
    """

    def __init__(
        self,
        images: Mapping[tuple[str, int | None], ImageRef],
        folders: tuple[Path, ...] = (),
    ) -> None:
        self._images = dict(images)
        self.folders = folders

    @classmethod
    def empty(cls) -> ImageIndex:
        """Return an index with no images (reports then say images are missing)."""
        return cls({})

    @classmethod
    def from_folders(cls, folders: Iterable[str | Path]) -> ImageIndex:
        """Scan folders (recursively; DICOMDIRs followed) and index their images.

        Raises
        ------
        respond.dicom.NotDicomError
            A path does not exist.
        """
        from respond.dicom import scan

        images: dict[tuple[str, int | None], ImageRef] = {}
        paths = tuple(Path(f) for f in folders)
        for folder in paths:
            result = scan(folder)
            for patient in result.patients:
                for study in patient.studies:
                    for candidate in study.series:
                        for ref in _refs(candidate):
                            key = (ref.sop_instance_uid, ref.frame.frame)
                            images.setdefault(key, ref)
        return cls(images, paths)

    def __len__(self) -> int:
        return len(self._images)

    def find(self, sop_instance_uid: str, frame: int | None = None) -> ImageRef | None:
        """Return the image with this UID (and 0-based frame), if indexed."""
        ref = self._images.get((sop_instance_uid, frame))
        if ref is None and frame is None:
            ref = self._images.get((sop_instance_uid, 0))
        return ref

    def require(self, sop_instance_uid: str, frame: int | None = None) -> ImageRef:
        """Return the image, or raise a message saying where it was looked for.

        Raises
        ------
        ImageNotFoundError
            The image is not in the indexed folders.
        """
        ref = self.find(sop_instance_uid, frame)
        if ref is None:
            frame_text = "" if frame is None else f" (frame {frame + 1})"
            if not self.folders:
                raise ImageNotFoundError(
                    f"image {sop_instance_uid}{frame_text} is needed but no image "
                    "folder was given: pass --images with the folder of the series "
                    "it was measured on"
                )
            where = ", ".join(str(f) for f in self.folders)
            raise ImageNotFoundError(
                f"image {sop_instance_uid}{frame_text} is not in {where}: "
                "pass --images with the folder of the series it was measured on"
            )
        return ref
