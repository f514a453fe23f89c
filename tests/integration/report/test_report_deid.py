"""De-identification: pseudonym, no birth date, every date shifted the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tests.integration.report.conftest import BIRTH, NAME, PATIENT_ID

from respond.criteria.categories import Action
from respond.criteria.record import Decision, PatientRead
from respond.report.deid import deidentify


def test_identity_replaced_by_a_stable_pseudonym(identified_read: PatientRead) -> None:
    anonymous, info = deidentify(identified_read, salt="site-a")
    assert anonymous.patient.id == info.pseudonym
    assert anonymous.patient.id.startswith("ANON-")
    assert PATIENT_ID not in anonymous.patient.id
    assert anonymous.patient.name is None
    assert anonymous.patient.birth_date is None
    again, info_again = deidentify(identified_read, salt="site-a")
    assert (again.patient.id, info_again.day_shift) == (info.pseudonym, info.day_shift)
    other, _ = deidentify(identified_read, salt="site-b")
    assert other.patient.id != anonymous.patient.id


def test_every_date_moves_by_the_same_days(identified_read: PatientRead) -> None:
    anonymous, info = deidentify(identified_read)
    assert 30 <= info.day_shift < 365
    for before, after in zip(
        identified_read.timepoints, anonymous.timepoints, strict=True
    ):
        assert (before.date - after.date).days == info.day_shift
        assert after.label == before.label
    intervals = [
        (b.date - a.date).days
        for a, b in zip(anonymous.timepoints, anonymous.timepoints[1:], strict=False)
    ]
    original = [
        (b.date - a.date).days
        for a, b in zip(
            identified_read.timepoints, identified_read.timepoints[1:], strict=False
        )
    ]
    assert intervals == original


def test_sign_off_and_decision_times_shift_too(identified_read: PatientRead) -> None:
    tp = identified_read.timepoints[-1]
    decided = replace(
        tp,
        signed_by="dr reader",
        signed_at="2024-05-02T10:15:00+02:00",
        decision=Decision(
            recommended_action=Action.CONTINUE,
            recommended_dose=0,
            accepted=True,
            action=Action.CONTINUE,
            dose_level=0,
            reason="",
            decided_by="dr oncologist",
            decided_at="2024-05-03",
        ),
    )
    read = replace(
        identified_read, timepoints=(*identified_read.timepoints[:-1], decided)
    )
    anonymous, info = deidentify(read)
    last = anonymous.timepoints[-1]
    shifted = dt.datetime.fromisoformat("2024-05-02T10:15:00+02:00") - dt.timedelta(
        days=info.day_shift
    )
    assert last.signed_at == shifted.isoformat()
    assert last.signed_by == "dr reader"  # staff, not patient data
    assert last.decision is not None
    assert (
        last.decision.decided_at
        == (dt.date(2024, 5, 3) - dt.timedelta(days=info.day_shift)).isoformat()
    )
    assert NAME not in repr(anonymous)
    assert BIRTH.isoformat() not in repr(anonymous)
