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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from respond.dicom import FrameRef
from respond.errors import RespondError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from numpy.typing import NDArray

    from respond.criteria.record import PatientRead
    from respond.dicom import ScanResult, SeriesCandidate
    from respond.dicom.geometry import VolumeGeometry

__all__ = ["ImageIndex", "ImageNotFoundError", "ImageRef", "Point"]

Point = tuple[float, float, float]


class ImageNotFoundError(RespondError):
    """An image a caliper references is not in the folders given."""


@dataclass(frozen=True)
class ImageRef:
    """One image (or frame) a caliper can be drawn on, with its pixel grid.

    Parameters
    ----------
    frame
        The scan's record of the image (file, frame, geometry, rescale).
    study_uid, series_uid, sop_class_uid, modality
        Identity of the image, for references to it.
    """

    frame: FrameRef
    study_uid: str
    series_uid: str
    sop_class_uid: str
    modality: str

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

    @functools.cached_property
    def geometry(self) -> VolumeGeometry:
        """The image's pixel grid in patient space (a one-slice volume).

        Raises
        ------
        ImageNotFoundError
            The image has no position, orientation or pixel spacing.
        respond.dicom.GeometryError
            Its orientation is unusable.
        """
        from respond.dicom.geometry import VolumeGeometry

        f = self.frame
        if f.position is None or f.orientation is None or f.pixel_spacing is None:
            raise ImageNotFoundError(
                f"image {f.sop_instance_uid} has no position, orientation or pixel "
                "spacing: its pixels cannot be placed in patient space"
            )
        return VolumeGeometry.from_slices(
            [f.position], f.orientation, f.pixel_spacing, f.rows, f.columns
        )

    def to_pixel(self, point: Point) -> tuple[float, float]:
        """Return ``(column, row)`` SCOORD coordinates of a patient point.

        Raises
        ------
        respond.dicom.GeometryError
            The point is not on the image's plane.
        """
        _, i, j = self.geometry.patient_to_index(point)
        return float(j) + 0.5, float(i) + 0.5

    def to_patient(self, column: float, row: float) -> Point:
        """Return the patient point (LPS, mm) of SCOORD coordinates."""
        x, y, z = self.geometry.index_to_patient(0.0, row - 0.5, column - 0.5)
        return float(x), float(y), float(z)

    def distance_to_plane(self, point: Point) -> float:
        """Return how far (mm) a patient point lies from the image plane."""
        analysis = self.geometry.analysis
        offset = float(np.dot(point, analysis.normal))
        return abs(offset - float(analysis.offsets_mm[0]))

    def pixels(self) -> NDArray[np.float32]:
        """Return the image's modality values (HU for CT), rows x columns.

        Raises
        ------
        respond.dicom.SeriesLoadError
            The file cannot be read or decoded any more.
        """
        from respond.dicom.frame import read_frame

        return read_frame(self.frame)


def _scan(folder: Path) -> ScanResult:
    from respond.dicom import scan

    return scan(folder)


def _refs(candidate: SeriesCandidate) -> Iterable[ImageRef]:
    for frame in candidate.frames:
        yield ImageRef(
            frame=frame,
            study_uid=candidate.study_uid,
            series_uid=candidate.series_uid,
            sop_class_uid=candidate.sop_class_uid,
            modality=candidate.modality,
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
    def from_scans(
        cls, results: Iterable[ScanResult], folders: tuple[Path, ...] = ()
    ) -> ImageIndex:
        """Index the images of scans already made (no file is read)."""
        images: dict[tuple[str, int | None], ImageRef] = {}
        for result in results:
            for candidate in result.series:
                for ref in _refs(candidate):
                    images.setdefault((ref.sop_instance_uid, ref.frame.frame), ref)
        return cls(images, folders or tuple(Path(r.root) for r in results))

    @classmethod
    def from_folders(cls, folders: Iterable[str | Path]) -> ImageIndex:
        """Scan folders (recursively; DICOMDIRs followed) and index their images.

        Raises
        ------
        respond.dicom.NotDicomError
            A path does not exist.
        """
        from respond.dicom import scan

        paths = tuple(Path(f) for f in folders)
        return cls.from_scans([scan(folder) for folder in paths], paths)

    @classmethod
    def for_read(
        cls,
        read: PatientRead,
        scans: Iterable[ScanResult] = (),
        folders: Iterable[str | Path] = (),
    ) -> ImageIndex:
        """Index what a read's calipers need: scans made already, then folders.

        The folders are scanned one at a time, in order, only while an image a
        caliper references is still missing; folders (or DICOMDIRs) that no
        longer exist are passed over.
        """
        scanned = list(scans)
        index = cls.from_scans(scanned)
        needed = {
            (c.sop_instance_uid, c.frame)
            for tp in read.timepoints
            for drawn in tp.calipers.values()
            for c in drawn
        }
        seen = {Path(r.root).resolve() for r in scanned}
        for folder in map(Path, folders):
            if all(index.find(*key) is not None for key in needed):
                break
            if not folder.exists() or folder.resolve() in seen:
                continue
            seen.add(folder.resolve())
            scanned.append(_scan(folder))
            index = cls.from_scans(scanned)
        return index

    def __len__(self) -> int:
        return len(self._images)

    def renamed(self, uid: Callable[[str], str]) -> ImageIndex:
        """Return the same images under other UIDs (e.g. de-identified ones).

        Every Study, Series and SOP Instance UID is passed through ``uid``; the
        files, frames and geometry stay, so pixels and SCOORDs are unchanged.
        """
        images: dict[tuple[str, int | None], ImageRef] = {}
        for (sop_instance_uid, frame), ref in self._images.items():
            renamed = ImageRef(
                frame=replace(ref.frame, sop_instance_uid=uid(sop_instance_uid)),
                study_uid=uid(ref.study_uid),
                series_uid=uid(ref.series_uid),
                sop_class_uid=ref.sop_class_uid,
                modality=ref.modality,
            )
            images[(renamed.sop_instance_uid, frame)] = renamed
        return ImageIndex(images, self.folders)

    def series_modality(self, series_uid: str) -> str | None:
        """Return the Modality of an indexed series (``CT``, ``MR``...), if any."""
        return next(
            (r.modality for r in self._images.values() if r.series_uid == series_uid),
            None,
        )

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
