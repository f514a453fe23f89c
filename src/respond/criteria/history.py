"""A read's history and listing: patient summaries, audit entries, revisions.

Plain records the store returns besides reads; the session's storage port uses
the same classes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AuditEntry", "PatientSummary", "Revision"]


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """A patient as the patient list shows it.

    Parameters
    ----------
    patient_id, name
        The patient.
    timepoints
        ``(label, ISO date)`` of each time point, in date order.
    updated_at
        When the patient's read last changed (UTC, ISO 8601).
    birth_date
        Date of birth (ISO), when known.
    sex
        ``F``, ``M`` or ``O``, when known.
    signed
        Whether each time point is signed, aligned with ``timepoints`` (empty
        when not given).
    """

    patient_id: str
    name: str | None
    timepoints: tuple[tuple[str, str], ...]
    updated_at: str
    birth_date: str | None = None
    sex: str | None = None
    signed: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who, when, what, before and after.

    Parameters
    ----------
    id
        Increasing number; the trail's order.
    at
        When (UTC, ISO 8601).
    who
        The reader's identity.
    patient_id
        The patient changed.
    entity, key
        What changed: ``patient``, ``settings``, ``lesion``, ``timepoint``,
        ``target``, ``non_target``, ``new_lesion``, ``clinical``, ``decision``,
        ``signoff``, ``revision`` or ``confirmation``; the key names the item
        (``T1``, the time point uid, ``<uid>/T1``; for a confirmation, what it
        is about).
    action
        ``create``, ``update``, ``delete``, ``restore`` (a removed patient, time
        point or lesion put back), ``sign``, ``unlock``, ``revise`` or
        ``confirm`` (a decision the reader confirmed explicitly).
    before, after
        The item before and after, as JSON text (None when absent).
    """

    id: int
    at: str
    who: str
    patient_id: str
    entity: str
    key: str
    action: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Revision:
    """A revised category: the earlier read stays, the revision is added.

    Parameters
    ----------
    id
        Increasing number.
    patient_id, uid
        The patient and the time point whose category was revised.
    criterion
        The criterion (``RECIST1.1``, ``mRECIST``).
    before, after
        The category first reported (None if none) and the revised one.
    reason
        Why (e.g. an equivocal finding confirmed later back-dates PD).
    who, at
        Who recorded it and when (UTC, ISO 8601).
    """

    id: int
    patient_id: str
    uid: str
    criterion: str
    before: str | None
    after: str
    reason: str
    who: str
    at: str
