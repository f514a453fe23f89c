"""De-identified reports: no name, ID or birth date; dates shifted consistently.

:func:`deidentify` returns a copy of a read for export: the patient is named by
a pseudonym derived from the ID (the same patient always gets the same one), the
birth date is dropped, and every date and time (imaging dates, sign-off,
decision) moves back by the same number of days, so intervals and the order of
events are kept. Free text (lesion and measurement notes, the reason of a
clinician's decision) can hold anything, so it is replaced by a marker. Readers'
and clinicians' names are staff, not patient data, and stay. DICOM UIDs stay
too, so an SR still references its images; share the images themselves through
a DICOM de-identifier that maps UIDs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from respond.criteria.model import Patient

if TYPE_CHECKING:
    from respond.criteria.record import PatientRead

__all__ = ["REMOVED", "Deidentification", "deidentify"]

REMOVED = "(free text removed)"
_MIN_SHIFT, _SPAN = 30, 335  # shift 30..364 days: dates cannot be guessed by +/- a week


@dataclass(frozen=True, slots=True)
class Deidentification:
    """How a read was de-identified.

    Parameters
    ----------
    pseudonym
        The patient ID written instead of the real one.
    day_shift
        Days every date was moved back.
    """

    pseudonym: str
    day_shift: int

    def date(self, value: dt.date) -> dt.date:
        """Return a date shifted back."""
        return value - dt.timedelta(days=self.day_shift)

    def timestamp(self, text: str) -> str:
        """Return an ISO 8601 date or date-time shifted back.

        Text that is not a date cannot be shifted and could reveal one: it
        becomes empty.
        """
        if not text:
            return text
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return self.date(dt.date.fromisoformat(text)).isoformat()
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return ""
        return (moment - dt.timedelta(days=self.day_shift)).isoformat()


def _scrub(text: str) -> str:
    return REMOVED if text else text


def _digest(patient_id: str, salt: str) -> bytes:
    return hashlib.sha256(f"{salt}\x00{patient_id}".encode()).digest()


def deidentify(
    read: PatientRead, *, salt: str = ""
) -> tuple[PatientRead, Deidentification]:
    """Return the read without identifying values, and how it was changed.

    Parameters
    ----------
    read
        The patient's read.
    salt
        Site secret mixed into the pseudonym and the shift; with the same salt
        the same patient always gets the same pseudonym and shift. Without one
        a random salt is drawn: a hash of the ID alone could be recomputed by
        anyone who guesses the ID, so the pseudonym then differs per export.
    """
    digest = _digest(read.patient.id, salt or secrets.token_hex(16))
    info = Deidentification(
        pseudonym=f"ANON-{digest[:4].hex().upper()}",
        day_shift=_MIN_SHIFT + int.from_bytes(digest[4:6], "big") % _SPAN,
    )
    timepoints = []
    for tp in read.timepoints:
        decision = tp.decision
        if decision is not None:
            decision = replace(
                decision,
                decided_at=info.timestamp(decision.decided_at),
                reason=_scrub(decision.reason),
            )
        point = tp.timepoint
        point = replace(
            point,
            date=info.date(point.date),
            targets={
                k: replace(v, note=_scrub(v.note)) for k, v in point.targets.items()
            },
            non_targets={
                k: replace(v, note=_scrub(v.note)) for k, v in point.non_targets.items()
            },
            new_lesions=tuple(
                replace(n, note=_scrub(n.note)) for n in point.new_lesions
            ),
        )
        timepoints.append(
            replace(
                tp,
                timepoint=point,
                signed_at=info.timestamp(tp.signed_at),
                decision=decision,
            )
        )
    anonymous = replace(
        read,
        patient=Patient(id=info.pseudonym, name=None, birth_date=None),
        lesions=tuple(replace(les, note=_scrub(les.note)) for les in read.lesions),
        timepoints=tuple(timepoints),
    )
    return anonymous, info
