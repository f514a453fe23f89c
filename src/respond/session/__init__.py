"""The open read: intent methods, events, autosave through a storage port.

No Qt here: views subscribe to :class:`SessionEvents` (psygnal) and edits go
through :class:`ReadSession`'s intent methods, each committed at once.
"""

from respond.session.caseio import read_from_case
from respond.session.errors import (
    SessionError,
    SignedError,
    UnknownItemError,
    WorkflowError,
)
from respond.session.events import SessionEvents
from respond.session.ids import new_tracking_uid, new_uid, next_lesion_id
from respond.session.intake import (
    ConfirmationNeededError,
    IntakeCheck,
    IntakeError,
    StudyRefusedError,
)
from respond.session.patients import PatientRow, patient_row, patient_rows
from respond.session.ports import (
    AuditEntry,
    ImageCatalog,
    PatientSummary,
    ReadingStore,
    ReadStore,
    Revision,
)
from respond.session.read_session import ReadSession
from respond.session.reading import (
    MeasureRefusedError,
    ReadingController,
    ShownSeries,
    WrongStudyError,
)

__all__ = [
    "AuditEntry",
    "ConfirmationNeededError",
    "ImageCatalog",
    "IntakeCheck",
    "IntakeError",
    "MeasureRefusedError",
    "PatientRow",
    "PatientSummary",
    "ReadSession",
    "ReadStore",
    "ReadingController",
    "ReadingStore",
    "Revision",
    "SessionError",
    "SessionEvents",
    "ShownSeries",
    "SignedError",
    "StudyRefusedError",
    "UnknownItemError",
    "WorkflowError",
    "WrongStudyError",
    "new_tracking_uid",
    "new_uid",
    "next_lesion_id",
    "patient_row",
    "patient_rows",
    "read_from_case",
]
