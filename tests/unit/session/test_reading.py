"""The reading rules: which series and lesion may be measured, priors, anchors."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.unit.session.memory_store import MemoryStore

from respond.criteria import Caliper, CaliperKind, LesionId, Role
from respond.criteria.imaging import SeriesFacts, StudyFacts
from respond.session import (
    MeasureRefusedError,
    ReadingController,
    ReadSession,
    ShownSeries,
    WrongStudyError,
)
from respond.session.intake import create_patient


def study(uid: str, date: str) -> StudyFacts:
    return StudyFacts(
        "P9",
        "ROE^RICHARD",
        "",
        "M",
        uid,
        date,
        "CT",
        (SeriesFacts(f"{uid}.1", 2, "ART", "CT", "arterial", True, 80),),
    )


def line(kind: CaliperKind, series: str, z: float = -100.0, n: float = 30) -> Caliper:
    return Caliper(kind, (0.0, 0.0, z), (n, 0.0, z), series, f"{series}.9")


@pytest.fixture
def controller() -> ReadingController:
    store = MemoryStore()
    create_patient(store, study("1.1", "20260105"), who="dr")
    session = ReadSession(store, "P9", reader="dr")
    session.add_study(study("1.2", "20260302"))
    session.add_lesion(Role.TARGET, "liver")
    session.add_lesion(Role.NON_TARGET, "liver")
    return ReadingController(session)


def uids(controller: ReadingController) -> tuple[str, str]:
    bl, fu = controller.session.read.timepoints
    return bl.uid, fu.uid


def test_a_caliper_on_another_time_points_study_is_refused_naming_both(
    controller: ReadingController,
) -> None:
    bl, fu = uids(controller)
    baseline_series = ShownSeries("1.1.1", "1.1", 2, "ART")
    assert controller.check_series(bl, baseline_series).uid == bl
    with pytest.raises(WrongStudyError) as caught:
        controller.check_series(fu, baseline_series)
    message = str(caught.value)
    assert "FU1 (2026-03-02)" in message
    assert "series #2 ART of time point BL (2026-01-05)" in message


def test_a_series_of_no_time_point_is_refused(controller: ReadingController) -> None:
    _, fu = uids(controller)
    with pytest.raises(WrongStudyError, match="not a time point of this patient"):
        controller.check_series(fu, ShownSeries("7.7.1", "7.7", 5, "OTHER"))
    with pytest.raises(MeasureRefusedError, match="no images of time point FU1"):
        controller.check_series(fu, None)


def test_any_series_of_the_time_points_study_may_be_measured(
    controller: ReadingController,
) -> None:
    _, fu = uids(controller)
    venous = ShownSeries("1.2.7", "1.2", 7, "PV")
    assert controller.check_series(fu, venous).uid == fu
    assert controller.owner(venous).uid == fu  # type: ignore[union-attr]


def test_only_targets_are_measured(controller: ReadingController) -> None:
    assert controller.measurable("T1").id == "T1"
    with pytest.raises(MeasureRefusedError, match="non-target"):
        controller.measurable("N1")
    with pytest.raises(MeasureRefusedError, match="select the target lesion"):
        controller.measurable(None)


def test_drawing_replaces_a_kind_and_adds_fragments(
    controller: ReadingController,
) -> None:
    bl, _ = uids(controller)
    session = controller.session
    session.set_calipers(bl, "T1", [line(CaliperKind.LONG_AXIS, "1.1.1")])
    after = controller.after_draw(bl, "T1", line(CaliperKind.LONG_AXIS, "1.1.1", n=40))
    assert [c.length_mm for c in after] == [40]
    frag = controller.after_draw(bl, "T1", line(CaliperKind.FRAGMENT, "1.1.1"))
    assert [c.index for c in frag if c.kind is CaliperKind.FRAGMENT] == [0]
    session.set_calipers(bl, "T1", frag)
    again = controller.after_draw(bl, "T1", line(CaliperKind.FRAGMENT, "1.1.1"))
    assert [c.index for c in again if c.kind is CaliperKind.FRAGMENT] == [0, 1]


def test_a_lesion_not_measured_yet_opens_at_the_priors_position(
    controller: ReadingController,
) -> None:
    bl, fu = uids(controller)
    controller.session.set_calipers(
        bl, "T1", [line(CaliperKind.LONG_AXIS, "1.1.1", z=-120.0)]
    )
    assert controller.anchor(fu, "T1") is None
    found = controller.nearest_anchor(fu, "T1")
    assert found is not None
    assert found.start_mm[2] == -120.0


def test_prior_and_nadir(controller: ReadingController) -> None:
    bl, fu = uids(controller)
    assert controller.prior_uid(bl) == ""
    assert controller.prior_uid(fu) == bl
    assert controller.prior_uid(fu, "nonsense") == bl
    controller.session.set_calipers(bl, "T1", [line(CaliperKind.LONG_AXIS, "1.1.1")])
    assert controller.nadir(fu) == bl
    assert controller.session.read.timepoints[1].date == dt.date(2026, 3, 2)


def test_undoing_a_lesion_removal_is_one_transaction_and_one_assessment() -> None:
    store = MemoryStore()
    create_patient(store, study("1.1", "20260105"), who="dr")
    session = ReadSession(store, "P9", reader="dr")
    bl = session.read.timepoints[0].uid
    session.add_lesion(Role.TARGET, "liver")
    session.set_calipers(bl, "T1", [line(CaliperKind.LONG_AXIS, "1.1.1")])
    removed = session.remove_lesion("T1")
    store.calls.clear()
    assessments: list[None] = []
    session.events.assessment_changed.connect(lambda: assessments.append(None))
    session.restore_removed_lesion(*removed)
    assert store.names() == ["restore_lesion"]
    assert len(assessments) == 1
    restored = session.timepoint(bl)
    assert restored.target(LesionId("T1")) is not None
    assert [c.kind for c in restored.calipers[LesionId("T1")]] == [
        CaliperKind.LONG_AXIS
    ]


def test_a_time_point_without_a_study_takes_only_a_study_of_its_date() -> None:
    """Imported cases have no study: a series of another date is refused."""
    from respond.criteria import Patient, PatientRead, TimePoint, TimePointRecord

    store = MemoryStore()
    records = tuple(
        TimePointRecord(uid=uid, timepoint=TimePoint(label=label, date=date))
        for uid, label, date in (
            ("bl", "BL", dt.date(2026, 1, 5)),
            ("fu", "FU1", dt.date(2026, 3, 2)),
        )
    )
    store.create_patient(PatientRead(Patient("P9"), timepoints=records), who="t")
    controller = ReadingController(ReadSession(store, "P9", reader="dr"))
    baseline_images = ShownSeries("5.5.1", "5.5", 2, "ART", "20260105")
    assert controller.belongs("bl", baseline_images)
    assert not controller.belongs("fu", baseline_images)
    with pytest.raises(WrongStudyError):
        controller.check_series("fu", baseline_images)
    with pytest.raises(WrongStudyError):
        controller.check_series("fu", ShownSeries("5.5.1", "5.5"))  # no date known
