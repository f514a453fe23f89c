"""A target's click-to-measure extent: stored with it, audited, cleared with it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from tests.integration.store.readbuild import T1, caliper

from respond.criteria import (
    CaliperKind,
    InvalidMeasurementError,
    LesionExtent,
    ProposalReview,
    TargetMeasurement,
    TargetStatus,
)

if TYPE_CHECKING:
    from respond.store import SqliteStore

P = "P-SMALL"
EXTENT = LesionExtent(Decimal("12.34"), Decimal("0.560"))
LINE = caliper(CaliperKind.LONG_AXIS, 30.0)
MEASURED = TargetMeasurement(long_axis_mm=LINE.length_mm)


def _last_target_entry(store: SqliteStore) -> dict:
    entry = [e for e in store.audit(P) if e.entity == "target"][-1]
    return json.loads(entry.after) if entry.after else {}


def test_an_accepted_proposal_keeps_its_extent_and_says_so_in_the_audit(
    small: SqliteStore,
) -> None:
    review = ProposalReview((LINE,), adjusted=False)
    small.put_target(
        P, "tp-2", T1, MEASURED, (LINE,), who="dr", extent=EXTENT, review=review
    )
    assert small.load(P).timepoint("tp-2").extents == {T1: EXTENT}  # type: ignore[union-attr]
    after = _last_target_entry(small)
    assert after["extent"] == {"volume_ml": "12.34", "enhancing_fraction": "0.560"}
    assert after["proposal"]["method"] == "click-to-measure"
    assert after["proposal"]["outcome"] == "accepted as proposed"
    assert len(after["proposal"]["proposed"]) == 1
    # a hand edit keeps it and is not called a proposal
    small.put_target(P, "tp-2", T1, MEASURED, (LINE,), who="dr")
    assert small.load(P).timepoint("tp-2").extents == {T1: EXTENT}  # type: ignore[union-attr]
    assert "proposal" not in _last_target_entry(small)


def test_an_adjusted_proposal_is_audited_as_adjusted(small: SqliteStore) -> None:
    review = ProposalReview((LINE,), adjusted=True)
    small.put_target(
        P, "tp-2", T1, MEASURED, (LINE,), who="dr", extent=EXTENT, review=review
    )
    assert _last_target_entry(small)["proposal"]["outcome"] == "adjusted"


@pytest.mark.parametrize(
    "measurement",
    [
        None,
        TargetMeasurement(TargetStatus.TOO_SMALL),
        TargetMeasurement(TargetStatus.ABSENT),
    ],
)
def test_a_target_no_longer_measured_keeps_no_extent(
    small: SqliteStore, measurement: TargetMeasurement | None
) -> None:
    small.put_target(P, "tp-2", T1, MEASURED, (LINE,), who="dr", extent=EXTENT)
    small.put_target(P, "tp-2", T1, measurement, (), who="dr")
    assert small.load(P).timepoint("tp-2").extents == {}  # type: ignore[union-attr]


def test_an_extent_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidMeasurementError):
        LesionExtent(Decimal("-1"))
    with pytest.raises(InvalidMeasurementError):
        LesionExtent(Decimal("1"), Decimal("1.5"))
    assert LesionExtent.of(12.345, 0.5555) == LesionExtent(
        Decimal("12.35"), Decimal("0.556")
    )
