"""Errors of the DICOM SR export and import.

::

    RespondError
    └── SRError
        ├── SRExportError   a read that cannot be written as TID 1500
        └── SRImportError   a file that is not a readable TID 1500 report

A caliper whose image is not in the folders given raises
:class:`respond.report.images.ImageNotFoundError` (also a ``RespondError``).
"""

from __future__ import annotations

from pathlib import Path

from respond.errors import RespondError

__all__ = ["SRError", "SRExportError", "SRImportError"]


class SRError(RespondError):
    """Base class of the DICOM SR errors."""


class SRExportError(SRError):
    """A read cannot be written as a DICOM SR.

    Parameters
    ----------
    message
        What failed and what to do.
    patient_id
        The patient whose read was exported.
    """

    def __init__(self, message: str, *, patient_id: str = "") -> None:
        super().__init__(message)
        self.patient_id = patient_id


class SRImportError(SRError):
    """A file is not a DICOM SR measurement report respond can read.

    Parameters
    ----------
    path
        The file.
    problem
        What is wrong with it.
    hint
        What the user can do.
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        hint: str = "pass the SR files 'respond report --sr' wrote",
    ) -> None:
        super().__init__(f"{path}: {problem}; {hint}")
        self.path = Path(path)
        self.problem = problem
