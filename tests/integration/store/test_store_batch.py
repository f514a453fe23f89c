"""Several time points in one transaction, confirmations, and the patient list.

put_timepoints relabels a patient's time points (an earlier study becoming the
baseline) all or nothing; record_confirmation keeps what a reader explicitly
agreed to; list_patients shows birth date, sex and which time points are signed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import T1, rich_read, small_read

from respond.casefile import case_document, load_case, parse_case_text
from respond.criteria import (
    LesionId,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    TimePoint,
    TimePointRecord,
)
from respond.session import read_from_case
from respond.store import (
    InvalidReadError,
    LesionNotFoundError,
    PatientNotFoundError,
    SignedTimePointError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from respond.store import SqliteStore

    Change = Callable[[list[TimePointRecord]], list[TimePointRecord]]

P = "P-SMALL"
N7 = LesionId("N7")
PRESENT = NonTargetObservation(NonTargetStatus.PRESENT)


def _relabelled(read: PatientRead, *labels: str) -> list[TimePointRecord]:
    return [
        dataclasses.replace(r, timepoint=dataclasses.replace(r.timepoint, label=label))
        for r, label in zip(read.timepoints, labels, strict=True)
    ]


# -- put_timepoints ------------------------------------------------------------------
def test_put_timepoints_writes_all_with_one_entry_each(small: SqliteStore) -> None:
    earlier = TimePointRecord("tp-0", TimePoint("BL", dt.date(2025, 12, 1)))
    records = [earlier, *_relabelled(small.load(P), "FU1", "FU2")]
    entries = len(small.audit(P))
    small.put_timepoints(P, records, who="dr-a")
    read = small.load(P)
    assert [(r.uid, r.label) for r in read.timepoints] == [
        ("tp-0", "BL"),
        ("tp-1", "FU1"),
        ("tp-2", "FU2"),
    ]
    assert read.timepoints[1].target(T1) == small_read().timepoints[0].target(T1)
    trail = small.audit(P)[entries:]
    assert [(e.key, e.action, e.who) for e in trail] == [
        ("tp-0", "create", "dr-a"),
        ("tp-1", "update", "dr-a"),
        ("tp-2", "update", "dr-a"),
    ]
    assert len({e.at for e in trail}) == 1, "one transaction, one time"


def test_put_timepoints_saves_nothing_when_one_is_signed(small: SqliteStore) -> None:
    small.sign(P, "tp-2", who="dr-a", at="2026-02-17T09:00:00+00:00")
    before, entries = small.load(P), len(small.audit(P))
    records = _relabelled(small_read(), "FU0", "FU9")
    with pytest.raises(SignedTimePointError, match="time point FU1 is signed"):
        small.put_timepoints(P, records, who="dr")
    assert small.load(P) == before
    assert len(small.audit(P)) == entries


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            lambda rs: [dataclasses.replace(rs[0], signed_at="x"), rs[1]],
            InvalidReadError,
            "BL comes signed",
        ),
        (lambda rs: [rs[0], rs[0]], InvalidReadError, "uid tp-1 is given twice"),
        (
            lambda rs: [
                rs[0],
                dataclasses.replace(
                    rs[1],
                    timepoint=dataclasses.replace(
                        rs[1].timepoint, non_targets={N7: PRESENT}
                    ),
                ),
            ],
            LesionNotFoundError,
            "no baseline lesion 'N7'",
        ),
    ],
)
def test_put_timepoints_refuses_what_put_timepoint_refuses(
    small: SqliteStore, change: Change, error: type[Exception], match: str
) -> None:
    before, entries = small.load(P), len(small.audit(P))
    with pytest.raises(error, match=match):
        small.put_timepoints(P, change(list(before.timepoints)), who="dr")
    assert small.load(P) == before
    assert len(small.audit(P)) == entries


def test_put_timepoints_needs_the_patient(store: SqliteStore) -> None:
    with pytest.raises(PatientNotFoundError):
        store.put_timepoints("P-NONE", small_read().timepoints, who="dr")


# -- record_confirmation ---------------------------------------------------------------
def test_a_confirmation_is_one_audit_entry(small: SqliteStore) -> None:
    before = small.load(P)
    details = {"study_uid": "1.2.3", "patient_id_in_study": "P-OTHER"}
    small.record_confirmation(
        P, "1.2.3", "add a study of another PatientID", details, who="dr-a"
    )
    entry = small.audit(P)[-1]
    assert (entry.entity, entry.key, entry.action, entry.who) == (
        "confirmation",
        "1.2.3",
        "confirm",
        "dr-a",
    )
    assert entry.before is None
    assert json.loads(entry.after or "") == {
        "what": "add a study of another PatientID",
        "study_uid": "1.2.3",
        "patient_id_in_study": "P-OTHER",
    }
    assert small.load(P) == before
    assert small.deleted(P) == []


def test_a_confirmation_may_precede_the_patient(store: SqliteStore) -> None:
    store.record_confirmation("P-NEW", "k", "create from a study", {}, who="dr")
    assert [e.entity for e in store.audit("P-NEW")] == ["confirmation"]


@pytest.mark.parametrize(
    ("what", "details", "match"),
    [
        ("", {}, "needs what was confirmed"),
        ("ok", {"what": "x"}, "must not have a key 'what'"),
        ("ok", {"n": 3}, "values must be str"),
    ],
)
def test_a_confirmation_needs_text(
    small: SqliteStore, what: str, details: dict[str, object], match: str
) -> None:
    entries = len(small.audit())
    with pytest.raises(ValueError, match=match):
        small.record_confirmation(P, "k", what, details, who="dr")  # type: ignore[arg-type]
    assert len(small.audit()) == entries


# -- the patient list and the patient's sex -------------------------------------------
def test_the_patient_list_shows_birth_date_sex_and_sign_off(store: SqliteStore) -> None:
    store.create_patient(rich_read("P-1"), who="importer")
    store.create_patient(small_read("P-2"), who="importer")
    first, second = store.list_patients()
    assert (first.birth_date, first.sex) == ("1951-02-28", "F")
    assert first.timepoints == (
        ("BL", "2026-01-05"),
        ("FU1", "2026-03-02"),
        ("FU2", "2026-04-27"),
    )
    assert first.signed == (True, True, False)
    assert (second.birth_date, second.sex, second.signed) == (
        None,
        None,
        (False, False),
    )


@pytest.mark.parametrize("sex", ["F", "M", "O", None])
def test_the_patient_sex_round_trips(store: SqliteStore, sex: str | None) -> None:
    read = PatientRead(Patient("P1", sex=sex))
    store.create_patient(read, who="importer")
    assert store.load("P1") == read
    assert store.list_patients()[0].sex == sex


def test_export_and_import_of_a_case_file_keep_the_sex(store: SqliteStore) -> None:
    # What `respond export-case` and `respond import-case` do, step by step.
    store.create_patient(rich_read("P-1"), who="importer")
    text = json.dumps(case_document(store.load("P-1").to_case()))
    assert json.loads(text)["patient"]["sex"] == "F"
    case = load_case(parse_case_text(text))
    patient = dataclasses.replace(case.patient, id="P-2")
    store.create_patient(
        read_from_case(dataclasses.replace(case, patient=patient)), who="importer"
    )
    assert store.load("P-2").patient == Patient(
        "P-2", "Testperson^Rich", dt.date(1951, 2, 28), "F"
    )
