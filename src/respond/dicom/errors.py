"""Errors of the DICOM layer (see the tree in :mod:`respond.errors`).

::

    RespondError
    └── DicomError
        ├── NotDicomError            a path that holds no DICOM at all
        ├── SeriesLoadError          a series whose pixels could not be read
        │   └── LoadCancelledError   the reader cancelled the load
        ├── UnsupportedSeriesError   a series respond cannot show as a volume
        └── GeometryError            orientation or spacing that cannot be measured on
"""

from __future__ import annotations

from pathlib import Path

from respond.errors import RespondError

__all__ = [
    "DicomError",
    "GeometryError",
    "LoadCancelledError",
    "NotDicomError",
    "SeriesLoadError",
    "UnsupportedSeriesError",
]


class DicomError(RespondError):
    """Base class of the DICOM layer's errors."""


class NotDicomError(DicomError):
    """A path that does not exist or holds no DICOM file.

    Parameters
    ----------
    path
        The file or folder.
    message
        What was found and what to do.
    """

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)


class SeriesLoadError(DicomError):
    """The pixels of a series could not be read.

    Parameters
    ----------
    message
        What failed, for which file, and what to do.
    series_uid
        The series.
    path
        The file that failed, when one did.
    """

    def __init__(
        self, message: str, *, series_uid: str = "", path: str | Path | None = None
    ) -> None:
        super().__init__(message)
        self.series_uid = series_uid
        self.path = None if path is None else Path(path)


class LoadCancelledError(SeriesLoadError):
    """The load was cancelled before it finished."""


class UnsupportedSeriesError(DicomError):
    """A series that cannot be shown as an image volume (e.g. an SR, a SEG).

    Parameters
    ----------
    message
        Why, and what to do.
    series_uid
        The series.
    """

    def __init__(self, message: str, *, series_uid: str = "") -> None:
        super().__init__(message)
        self.series_uid = series_uid


class GeometryError(DicomError):
    """Orientation or spacing that cannot give measurements in millimetres.

    Parameters
    ----------
    message
        What is wrong and what it means for measuring.
    detail
        Extra detail (the offending values).
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
