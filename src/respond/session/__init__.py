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
from respond.session.ports import AuditEntry, PatientSummary, ReadStore, Revision
from respond.session.read_session import ReadSession

__all__ = [
    "AuditEntry",
    "PatientSummary",
    "ReadSession",
    "ReadStore",
    "Revision",
    "SessionError",
    "SessionEvents",
    "SignedError",
    "UnknownItemError",
    "WorkflowError",
    "new_tracking_uid",
    "new_uid",
    "next_lesion_id",
    "read_from_case",
]
