"""The reading session autosaving into the real store: memory and disk agree.

After every intent, what the session holds in memory is what a fresh
``load`` returns: nothing the reader did is only in memory.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, cast

import pytest
from tests.integration.store.readbuild import caliper

from respond.criteria import (
    CaliperKind,
    Clinical,
    Cytology,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    TargetStatus,
)
from respond.session import ReadSession, SignedError
from respond.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from respond.session import ReadStore
    from respond.store import SqliteStore

BL, FU1, FU2 = dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 4, 27)


@pytest.fixture
def disk(db_path: Path) -> Iterator[SqliteStore]:
    with open_store(db_path) as store:
        store.create_patient(PatientRead(Patient("P1", "Test^Patient")), who="setup")
        yield store


def _session(disk: SqliteStore) -> ReadSession:
    # ports.py declares PatientSummary and AuditEntry as dataclasses, which the
    # store (below the session) cannot return; its own records have the same
    # fields, so the store fits the port at run time but not for mypy.
    return ReadSession(cast("ReadStore", disk), "P1", reader="dr-a")


def _same(session: ReadSession, disk: SqliteStore) -> None:
    with open_store(disk.path) as fresh:
        assert fresh.load("P1") == session.read


def test_a_whole_read_autosaves_as_it_happens(disk: SqliteStore) -> None:
    session = _session(disk)
    bl = session.add_timepoint(BL, arterial_phase=True)
    t1 = session.add_lesion(Role.TARGET, "liver", kind=LesionKind.HCC)
    t2 = session.add_lesion(
        Role.TARGET, "lymph node", is_node=True, site="porta hepatis"
    )
    n1 = session.add_lesion(Role.NON_TARGET, "peritoneum", kind=LesionKind.ASCITES)
    _same(session, disk)
    session.set_calipers(
        bl,
        t1,
        [caliper(CaliperKind.LONG_AXIS, 52.04), caliper(CaliperKind.VIABLE, 44.96)],
    )
    session.set_calipers(
        bl,
        t2,
        [caliper(CaliperKind.LONG_AXIS, 24.0), caliper(CaliperKind.SHORT_AXIS, 16.0)],
    )
    session.set_non_target(
        bl, n1, NonTargetObservation(NonTargetStatus.PRESENT, Cytology.NOT_DONE)
    )
    session.set_clinical(bl, Clinical(fhsi8=28, ecog=0, child_pugh="A5", dose_level=0))
    _same(session, disk)
    fu1 = session.add_timepoint(FU1, arterial_phase=True)
    session.set_calipers(fu1, t1, [caliper(CaliperKind.LONG_AXIS, 40.0)])
    session.set_target_status(fu1, t2, TargetStatus.TOO_SMALL)
    session.put_new_lesion(
        fu1, NewLesion("X1", organ="liver", long_axis_mm=Decimal("8.0"), equivocal=True)
    )
    session.set_clinical(fu1, Clinical(dose_level=None, is_interrupted=True))
    session.record_decision(accept=True)
    _same(session, disk)
    session.sign(bl)
    session.sign(fu1)
    with pytest.raises(SignedError):
        session.set_target_status(fu1, t1, TargetStatus.ABSENT)
    _same(session, disk)
    fu2 = session.add_timepoint(FU2, arterial_phase=True)
    session.set_calipers(fu2, t1, [caliper(CaliperKind.LONG_AXIS, 45.0)])
    session.put_new_lesion(
        fu2, NewLesion("X1", organ="liver", long_axis_mm=Decimal("14.0"))
    )
    _same(session, disk)
    session.unlock(fu1, "the finding was misread")
    session.remove_new_lesion(fu1, "X1")
    _same(session, disk)
    assert [e.action for e in disk.audit("P1")].count("unlock") == 1


def test_undo_of_removals_restores_the_same_read(disk: SqliteStore) -> None:
    session = _session(disk)
    bl = session.add_timepoint(BL)
    t1 = session.add_lesion(Role.TARGET, "liver")
    session.add_lesion(Role.TARGET, "lung")
    session.set_calipers(bl, t1, [caliper(CaliperKind.LONG_AXIS, 30.0)])
    fu = session.add_timepoint(FU1)
    session.set_calipers(fu, t1, [caliper(CaliperKind.LONG_AXIS, 25.0)])
    before = session.read
    lesion, tracking_uid, position, timepoints = session.remove_lesion(t1)
    _same(session, disk)
    session.restore_lesion(lesion, tracking_uid, position)
    for record in timepoints:
        session.restore_timepoint(record)
    assert session.read == before
    _same(session, disk)
    removed = session.remove_timepoint(fu)
    _same(session, disk)
    session.restore_timepoint(removed)
    assert session.read == before
    _same(session, disk)


def test_a_changed_lesion_and_settings_are_saved(disk: SqliteStore) -> None:
    session = _session(disk)
    session.add_timepoint(BL)
    session.add_lesion(Role.TARGET, "lung")
    session.set_role("T1", Role.NON_TARGET)
    session.update_lesion("T1", site="right lower lobe", note="pleural based")
    _same(session, disk)
