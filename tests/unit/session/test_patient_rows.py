"""The patient list lists every patient, whatever the engine makes of one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import pytest
from tests.unit.session.memory_store import MemoryStore

from respond.criteria import Patient, PatientRead, TimePoint, TimePointRecord
from respond.session import ReadSession, patient_rows
from respond.session import patients as patient_list


def store_with(*ids: str) -> MemoryStore:
    store = MemoryStore()
    for patient_id in ids:
        timepoint = TimePoint(label="BL", date=dt.date(2026, 1, 5))
        read = PatientRead(
            Patient(patient_id), timepoints=(TimePointRecord("uid-1", timepoint),)
        )
        store.create_patient(read, who="setup")
    return store


def test_a_read_the_engine_cannot_compute_is_named_and_the_others_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = patient_list.assess

    def assess(case):  # type: ignore[no-untyped-def]
        if case.patient.id == "P2":
            raise InvalidOperation([Decimal])
        return real(case)

    monkeypatch.setattr(patient_list, "assess", assess)
    rows = patient_rows(store_with("P1", "P2", "P3"))
    assert [r.patient_id for r in rows] == ["P1", "P2", "P3"]
    broken = rows[1]
    assert "cannot be assessed" in broken.problem
    assert "InvalidOperation" in broken.problem
    assert "re-import" in broken.problem
    assert "cannot be assessed" not in rows[0].problem


def test_an_open_read_the_engine_cannot_compute_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import respond.session.read_session as module

    def assess(case):  # type: ignore[no-untyped-def]
        raise ArithmeticError("overflow")

    monkeypatch.setattr(module, "assess", assess)
    session = ReadSession(store_with("P1"), "P1", reader="dr-a")
    assert session.assessment is None
    assert session.assessment_problem is not None
    assert "ArithmeticError" in session.assessment_problem
