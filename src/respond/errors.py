"""The root of respond's error tree.

Every error respond raises on purpose derives from :class:`RespondError`, so the
command line and the desktop app can show it as a message instead of a traceback.
Each layer adds its own errors module::

    RespondError
    ├── criteria.errors.CriteriaError
    │   ├── InvalidMeasurementError   a negative length, a short axis > long axis
    │   └── MissingBaselineError      no baseline, or a target not measured there
    ├── casefile.errors.CaseFileError
    │   ├── CaseReadError             the file is missing, unreadable or not JSON
    │   └── CaseFormatError           the JSON breaks respond-case/1 (names each path)
    ├── dicom.errors.DicomError       (NotDicomError, SeriesLoadError, GeometryError...)
    ├── session.errors.SessionError   (WorkflowError, SignedError, UnknownItemError)
    └── store.errors.StoreError       (CorruptDatabaseError, NewerDatabaseError,
                                       DatabaseBusyError, SignedTimePointError...)

An error keeps the objects involved as attributes (path, lesion id, time point
label) and its message says what failed, for which item, and what to do next.
"""

from __future__ import annotations

__all__ = ["RespondError"]


class RespondError(Exception):
    """Base class of every error respond raises on purpose."""
