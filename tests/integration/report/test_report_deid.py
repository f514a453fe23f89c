"""De-identification: pseudonym, no birth date, every date shifted the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tests.integration.report.conftest import BIRTH, NAME, PATIENT_ID

from respond.criteria.categories import Action
from respond.criteria.record import Decision, PatientRead
from respond.report.deid import REMOVED, deidentify


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
    assert [tp.label for tp in anonymous.timepoints] == ["BL", "FU1", "FU2"][
        : len(anonymous.timepoints)
    ]
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
    # names of staff are pseudonyms too: the same person, the same pseudonym
    assert last.signed_by.startswith("READER-")
    assert "reader" not in last.signed_by
    assert last.decision is not None
    assert last.decision.decided_by.startswith("READER-")
    assert last.decision.decided_by != last.signed_by
    again, _ = deidentify(read, salt="s")
    other, _ = deidentify(
        replace(read, patient=replace(read.patient, id="X")), salt="s"
    )
    assert again.timepoints[-1].signed_by == other.timepoints[-1].signed_by
    assert last.decision is not None
    assert (
        last.decision.decided_at
        == (dt.date(2024, 5, 3) - dt.timedelta(days=info.day_shift)).isoformat()
    )
    assert NAME not in repr(anonymous)
    assert BIRTH.isoformat() not in repr(anonymous)


def test_free_text_is_removed(identified_read: PatientRead) -> None:
    lesion = replace(
        identified_read.lesions[0], note="seen at Mercy Hospital 2024-01-02"
    )
    tp = identified_read.timepoints[1]
    lesion_id = lesion.id
    target = tp.timepoint.targets[lesion_id]
    point = replace(
        tp.timepoint,
        targets={**tp.timepoint.targets, lesion_id: replace(target, note="call Jane")},
    )
    read = replace(
        identified_read,
        lesions=(lesion, *identified_read.lesions[1:]),
        timepoints=(
            identified_read.timepoints[0],
            replace(tp, timepoint=point),
            *identified_read.timepoints[2:],
        ),
    )
    anonymous, _ = deidentify(read)
    text = repr(anonymous)
    for value in ("Mercy", "Jane", "2024-01-02"):
        assert value not in text
    assert anonymous.lesions[0].note == REMOVED
    assert anonymous.timepoints[1].timepoint.targets[lesion_id].note == REMOVED
    # empty notes stay empty: nothing suggests text where there was none
    assert anonymous.lesions[1].note in ("", REMOVED)
    assert anonymous.timepoints[0].timepoint.targets[lesion_id].note == ""


def test_without_a_salt_the_pseudonym_cannot_be_recomputed(
    identified_read: PatientRead,
) -> None:
    import hashlib

    first, _ = deidentify(identified_read)
    second, _ = deidentify(identified_read)
    assert first.patient.id != second.patient.id
    public = hashlib.sha256(f"\x00{PATIENT_ID}".encode()).digest()[:4].hex().upper()
    assert first.patient.id != f"ANON-{public}"


def test_a_time_that_is_not_a_date_is_dropped(identified_read: PatientRead) -> None:
    _, info = deidentify(identified_read, salt="s")
    assert info.timestamp("last Tuesday, 2024-05-02 ish") == ""
    assert info.timestamp("") == ""
