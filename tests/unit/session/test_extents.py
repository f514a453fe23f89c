"""The session keeps a target's click-to-measure extent with its measurement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.unit.session.memory_store import MemoryStore
from tests.unit.session.test_read_session import BL, caliper

from respond.criteria import (
    CaliperKind,
    LesionExtent,
    LesionId,
    LesionKind,
    Patient,
    PatientRead,
    ProposalReview,
    Role,
    TargetStatus,
)
from respond.session import ReadSession

EXTENT = LesionExtent(Decimal("8.20"), Decimal("0.400"))


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.create_patient(PatientRead(Patient("P1")), who="setup")
    return store


@pytest.fixture
def session(store: MemoryStore) -> ReadSession:
    return ReadSession(store, "P1", reader="dr-a")


def _target(session: ReadSession) -> tuple[str, LesionId]:
    uid = session.add_timepoint(BL, arterial_phase=True)
    lesion = session.add_lesion(Role.TARGET, "liver", kind=LesionKind.HCC)
    return uid, LesionId(lesion)


def test_an_accepted_proposal_stores_its_extent_and_review(
    store: MemoryStore, session: ReadSession
) -> None:
    uid, lesion = _target(session)
    line = caliper(CaliperKind.LONG_AXIS, 30.0)
    review = ProposalReview((line,), adjusted=False)
    session.set_calipers(uid, lesion, [line], extent=EXTENT, review=review)
    assert session.timepoint(uid).extents == {lesion: EXTENT}
    call = store.calls[-1]
    assert call[0] == "put_target"
    assert call[-1]["extent"] == EXTENT
    assert call[-1]["review"] == review
    # a hand edit keeps it, and says nothing of an extent or a proposal
    session.set_calipers(uid, lesion, [caliper(CaliperKind.LONG_AXIS, 31.0)])
    assert session.timepoint(uid).extents == {lesion: EXTENT}
    assert set(store.calls[-1][-1]) == {"who"}


def test_a_target_marked_too_small_or_cleared_loses_its_extent(
    session: ReadSession,
) -> None:
    uid, lesion = _target(session)
    line = caliper(CaliperKind.LONG_AXIS, 30.0)
    before = session.set_calipers(uid, lesion, [line], extent=EXTENT)
    session.set_target_status(uid, lesion, TargetStatus.TOO_SMALL)
    assert session.timepoint(uid).extents == {}
    session.set_measurement(uid, lesion, *before, extent=None)
    assert session.timepoint(uid).extents == {}
