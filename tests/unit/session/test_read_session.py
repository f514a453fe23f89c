"""Every intent method of the reading session: state, autosave, events, undo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.unit.session.memory_store import MemoryStore

from respond.criteria import (
    Action,
    Caliper,
    CaliperKind,
    Clinical,
    Cytology,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Response,
    Role,
    Settings,
    TargetStatus,
)
from respond.session import ReadSession, SignedError, UnknownItemError, WorkflowError

BL = dt.date(2026, 1, 5)
FU = dt.date(2026, 3, 2)


def caliper(kind: CaliperKind, length: float, index: int = 0) -> Caliper:
    return Caliper(
        kind,
        (10.0, 20.0, -300.0),
        (10.0 + length, 20.0, -300.0),
        "1.2.3",
        "1.2.3.4",
        None,
        index,
    )


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.create_patient(PatientRead(Patient("P1", "Test^Patient")), who="setup")
    store.calls.clear()
    return store


@pytest.fixture
def session(store: MemoryStore) -> ReadSession:
    return ReadSession(store, "P1", reader="dr-a")


def events(session: ReadSession) -> list[tuple[str, tuple[object, ...]]]:
    seen: list[tuple[str, tuple[object, ...]]] = []
    session.events.connect(lambda info: seen.append((info.signal.name, info.args)))
    return seen


def baseline_with_target(session: ReadSession) -> tuple[str, str]:
    uid = session.add_timepoint(BL, arterial_phase=True)
    lesion = session.add_lesion(Role.TARGET, "liver", kind=LesionKind.HCC)
    session.set_calipers(
        uid,
        lesion,
        [caliper(CaliperKind.LONG_AXIS, 52.04), caliper(CaliperKind.VIABLE, 44.96)],
    )
    return uid, lesion


def test_a_new_read_has_no_assessment_and_says_why(session: ReadSession) -> None:
    assert session.assessment is None
    assert "no time point" in (session.assessment_problem or "")


def test_add_timepoint_labels_baseline_and_follow_ups(
    session: ReadSession, store: MemoryStore
) -> None:
    seen = events(session)
    bl = session.add_timepoint(BL)
    fu = session.add_timepoint(FU)
    assert [tp.label for tp in session.read.timepoints] == ["BL", "FU1"]
    assert [tp.uid for tp in session.read.timepoints] == [bl, fu]
    assert store.names() == ["put_timepoint", "put_timepoint"]
    assert ("timepoint_added", (bl,)) in seen
    with pytest.raises(WorkflowError, match="already a time point"):
        session.add_timepoint(BL)


def test_calipers_set_lengths_to_a_tenth_of_a_mm(
    session: ReadSession, store: MemoryStore
) -> None:
    uid, lesion = baseline_with_target(session)
    measurement = session.timepoint(uid).target(lesion)
    assert measurement is not None
    assert measurement.long_axis_mm == Decimal("52.0")
    assert measurement.viable_mm == Decimal("45.0")
    assert measurement.status is TargetStatus.MEASURED
    assert len(session.timepoint(uid).calipers[lesion]) == 2
    assert store.names()[-1] == "put_target"
    assert session.assessment is not None
    assert session.assessment.timepoints[0].results  # baseline assessed


def test_assessment_follows_every_edit(session: ReadSession) -> None:
    _, lesion = baseline_with_target(session)
    fu = session.add_timepoint(FU, arterial_phase=True)
    session.set_calipers(
        fu,
        lesion,
        [caliper(CaliperKind.LONG_AXIS, 50.0), caliper(CaliperKind.VIABLE, 20.0)],
    )
    assert session.assessment is not None
    last = session.assessment.timepoints[-1].results
    from respond.criteria import Criterion

    assert last[Criterion.RECIST11].target is Response.SD
    assert last[Criterion.MRECIST].target is Response.PR
    session.set_target_status(fu, lesion, TargetStatus.ABSENT)
    last = session.assessment.timepoints[-1].results
    assert last[Criterion.RECIST11].target is Response.CR
    assert session.timepoint(fu).calipers.get(lesion) is None


def test_set_measurement_returns_what_undo_needs(session: ReadSession) -> None:
    uid, lesion = baseline_with_target(session)
    before = (
        session.timepoint(uid).target(lesion),
        session.timepoint(uid).calipers[lesion],
    )
    previous = session.set_target_status(uid, lesion, TargetStatus.NOT_EVALUATED)
    assert previous == before
    session.set_measurement(uid, lesion, *previous)
    assert session.timepoint(uid).target(lesion) == before[0]
    assert session.timepoint(uid).calipers[lesion] == before[1]


def test_a_non_target_has_a_status_not_a_measurement(session: ReadSession) -> None:
    uid = session.add_timepoint(BL)
    nt = session.add_lesion(Role.NON_TARGET, "peritoneum", kind=LesionKind.ASCITES)
    assert nt == "N1"
    with pytest.raises(WorkflowError, match="non-target"):
        session.set_target_status(uid, nt, TargetStatus.ABSENT)
    obs = NonTargetObservation(NonTargetStatus.PRESENT, Cytology.NEGATIVE, "small")
    assert session.set_non_target(uid, nt, obs) is None
    assert session.timepoint(uid).non_target(nt) == obs
    assert session.set_non_target(uid, nt, None) == obs


def test_lesion_ids_roles_and_removal_with_undo(
    session: ReadSession, store: MemoryStore
) -> None:
    uid, lesion = baseline_with_target(session)
    assert lesion == "T1"
    tracking = session.read.tracking_uids[lesion]
    assert tracking.startswith("2.25.")
    assert session.add_lesion(Role.TARGET, "lung") == "T2"
    old = session.set_role("T2", Role.NON_TARGET)
    assert old.role is Role.TARGET
    assert session.lesion("T2").role is Role.NON_TARGET
    removed = session.remove_lesion(lesion)
    assert session.read.lesion(lesion) is None
    assert session.timepoint(uid).target(lesion) is None
    assert "delete_lesion" in store.names()
    found, uid_back, position, timepoints = removed
    session.restore_lesion(found, uid_back, position)
    for record in timepoints:
        if lesion in record.timepoint.targets:
            session.set_measurement(
                record.uid,
                lesion,
                record.timepoint.targets[lesion],
                record.calipers.get(lesion, ()),
            )
    assert session.read.lesions[0].id == lesion
    assert session.read.tracking_uids[lesion] == tracking
    assert session.timepoint(uid).target(lesion) is not None
    with pytest.raises(UnknownItemError):
        session.lesion("T9")


def test_new_lesions_keep_one_tracking_uid(session: ReadSession) -> None:
    baseline_with_target(session)
    fu1 = session.add_timepoint(FU, arterial_phase=True)
    fu2 = session.add_timepoint(dt.date(2026, 5, 4), arterial_phase=True)
    finding = NewLesion("X1", organ="liver", long_axis_mm=Decimal(12), equivocal=True)
    assert session.put_new_lesion(fu1, finding) is None
    session.put_new_lesion(
        fu2, NewLesion("X1", organ="liver", long_axis_mm=Decimal(15), typical_hcc=True)
    )
    assert (
        session.timepoint(fu1).new_lesion_uids["X1"]
        == session.timepoint(fu2).new_lesion_uids["X1"]
    )
    updated = NewLesion("X1", organ="liver", long_axis_mm=Decimal(13), equivocal=True)
    assert session.put_new_lesion(fu1, updated) == finding
    assert session.remove_new_lesion(fu1, "X1") == updated
    with pytest.raises(UnknownItemError):
        session.remove_new_lesion(fu1, "X1")


def test_back_dated_progression_is_recorded_as_a_revision(
    session: ReadSession, store: MemoryStore
) -> None:
    _, lesion = baseline_with_target(session)
    fu1 = session.add_timepoint(FU, arterial_phase=True)
    session.set_calipers(
        fu1,
        lesion,
        [caliper(CaliperKind.LONG_AXIS, 50.0), caliper(CaliperKind.VIABLE, 40.0)],
    )
    session.put_new_lesion(
        fu1, NewLesion("X1", organ="lung", long_axis_mm=Decimal(8), equivocal=True)
    )
    fu2 = session.add_timepoint(dt.date(2026, 5, 4), arterial_phase=True)
    session.set_calipers(
        fu2,
        lesion,
        [caliper(CaliperKind.LONG_AXIS, 50.0), caliper(CaliperKind.VIABLE, 40.0)],
    )
    assert "record_revision" not in store.names()
    session.put_new_lesion(fu2, NewLesion("X1", organ="lung", long_axis_mm=Decimal(12)))
    revisions = [c for c in store.calls if c[0] == "record_revision"]
    assert {(c[2], c[3], c[4], c[5]) for c in revisions} == {
        (fu1, "RECIST1.1", "SD", "PD"),
        (fu1, "mRECIST", "SD", "PD"),
    }
    session.set_clinical(fu2, Clinical(fhsi8=20))
    assert len([c for c in store.calls if c[0] == "record_revision"]) == 2  # once only


def test_clinical_decision_and_override_need_a_reason(session: ReadSession) -> None:
    uid, lesion = baseline_with_target(session)
    before = session.set_clinical(
        uid, Clinical(fhsi8=27, ecog=1, child_pugh="A5", dose_level=0)
    )
    assert before == Clinical()
    fu = session.add_timepoint(FU, arterial_phase=True)
    session.set_calipers(
        fu,
        lesion,
        [caliper(CaliperKind.LONG_AXIS, 50.0), caliper(CaliperKind.VIABLE, 20.0)],
    )
    decision = session.record_decision(accept=True)
    assert decision.accepted
    assert decision.action is Action.CONTINUE
    assert decision.decided_by == "dr-a"
    assert session.timepoint(fu).decision == decision
    with pytest.raises(WorkflowError, match="reason"):
        session.record_decision(accept=False, action=Action.DISCONTINUE)
    override = session.record_decision(
        accept=False,
        action=Action.INTERRUPT,
        dose_level=-1,
        reason="patient preference",
    )
    assert (override.recommended_action, override.action) == (
        Action.CONTINUE,
        Action.INTERRUPT,
    )


def test_signed_timepoint_is_read_only_until_an_audited_unlock(
    session: ReadSession, store: MemoryStore
) -> None:
    uid, lesion = baseline_with_target(session)
    session.sign(uid)
    assert session.timepoint(uid).is_signed
    with pytest.raises(SignedError, match="signed"):
        session.set_target_status(uid, lesion, TargetStatus.ABSENT)
    with pytest.raises(SignedError):
        session.remove_lesion(lesion)
    # the role decides the signed time point's categories: it is locked too
    with pytest.raises(SignedError):
        session.set_role(lesion, Role.NON_TARGET)
    assert session.lesion(lesion).role is Role.TARGET
    with pytest.raises(WorkflowError, match="reason"):
        session.unlock(uid, " ")
    session.unlock(uid, "typo in the long axis")
    assert (
        "unlock",
        "P1",
        uid,
        {"who": "dr-a", "reason": "typo in the long axis"},
    ) in store.calls
    session.set_target_status(uid, lesion, TargetStatus.MEASURED)


def test_settings_change_reassesses(session: ReadSession) -> None:
    baseline_with_target(session)
    seen = events(session)
    from respond.criteria import Criterion

    previous = session.set_settings(
        Settings(criteria=(Criterion.RECIST11,), primary_criterion=Criterion.RECIST11)
    )
    assert previous == Settings()
    assert session.assessment is not None
    assert set(session.assessment.best_overall) == {Criterion.RECIST11}
    assert ("settings_changed", ()) in seen
    assert ("assessment_changed", ()) in seen


def test_timepoint_update_and_removal(session: ReadSession) -> None:
    uid, _ = baseline_with_target(session)
    fu = session.add_timepoint(FU)
    before = session.update_timepoint(
        fu, label="FU-3m", arterial_phase=True, series_uid="1.2.9"
    )
    assert before.label == "FU1"
    assert session.timepoint(fu).label == "FU-3m"
    assert session.timepoint(fu).series_uid == "1.2.9"
    with pytest.raises(WorkflowError, match="cannot change"):
        session.update_timepoint(fu, colour="red")
    with pytest.raises(WorkflowError, match="already a time point"):
        session.update_timepoint(fu, date=BL)
    removed = session.remove_timepoint(fu)
    assert session.read.timepoint(fu) is None
    session.restore_timepoint(removed)
    assert session.timepoint(fu) == removed
    assert [tp.uid for tp in session.read.timepoints] == [uid, fu]


def test_fragments_from_calipers_are_summed(session: ReadSession) -> None:
    _, lesion = baseline_with_target(session)
    fu = session.add_timepoint(FU, arterial_phase=True)
    session.set_calipers(
        fu,
        lesion,
        [
            caliper(CaliperKind.FRAGMENT, 20.0, 0),
            caliper(CaliperKind.FRAGMENT, 15.04, 1),
            caliper(CaliperKind.VIABLE, 30.0),
        ],
    )
    measurement = session.timepoint(fu).target(lesion)
    assert measurement is not None
    assert measurement.fragments_mm == (Decimal("20.0"), Decimal("15.0"))
    assert session.assessment is not None
    from respond.criteria import Criterion

    assert session.assessment.timepoints[-1].results[
        Criterion.RECIST11
    ].sum_mm == Decimal("35.0")
