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
    ├── measure.errors.MeasureError   no lesion around the click, or it leaves the box
    ├── pacs.errors.PacsError         (PacsConfigError, RetrieveInterrupted,
    │                                  CacheError): refused, timed out, HTTP
    │                                  4xx/5xx, a wrong AE title, a cache unread
    ├── session.errors.SessionError   (WorkflowError, SignedError, UnknownItemError)
    └── store.errors.StoreError       (CorruptDatabaseError, NewerDatabaseError,
                                       DatabaseBusyError, SignedTimePointError...)

An error keeps the objects involved as attributes (path, lesion id, time point
label) and its message says what failed, for which item, and what to do next.
"""

from __future__ import annotations

__all__ = ["RespondError", "StaleEditError"]


class RespondError(Exception):
    """Base class of every error respond raises on purpose."""


class StaleEditError(RespondError):
    """An edit made on content another reader has changed since it was shown.

    The store raises it instead of writing (nothing is lost: the other reader's
    change stays); the session reloads the patient and passes it on, so the
    window can show what changed, by whom and when.

    Parameters
    ----------
    patient_id
        The patient.
    what
        What the edit would have changed (``T1 at FU1``, ``clinical at FU1``,
        ``the read``).
    who, at
        Who changed it meanwhile, and when (from the audit trail); empty when
        unknown.
    """

    def __init__(self, patient_id: str, what: str, who: str = "", at: str = "") -> None:
        by = f" by {who}" if who else ""
        when = f" at {at}" if at else ""
        super().__init__(
            f"{what} of patient {patient_id} was changed{by}{when} since it was "
            "shown; your edit was not saved and the patient has been reloaded: "
            "check the new values and redo the edit if it is still needed"
        )
        self.patient_id = patient_id
        self.what = what
        self.who = who
        self.at = at
