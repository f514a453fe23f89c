"""TR rows VOLUME and ENHFRAC: click-to-measure's extra figures of a target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from respond.casefile import assessment_document
from respond.criteria import (
    Lesion,
    LesionExtent,
    LesionId,
    Patient,
    PatientRead,
    Role,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
    assess,
)
from respond.report._sdtm_tr import tr_rows

if TYPE_CHECKING:
    from respond.report.document import ReportData

T1, T2 = LesionId("T1"), LesionId("T2")


@dataclass(frozen=True)
class _Report:
    read: PatientRead
    assessment: Mapping[str, object]
    modalities: Mapping[str, str] = field(default_factory=dict)


def _report(extents: Mapping[LesionId, LesionExtent]) -> ReportData:
    targets = {
        T1: TargetMeasurement(long_axis_mm=Decimal("40.0")),
        T2: TargetMeasurement(long_axis_mm=Decimal("20.0")),
    }
    read = PatientRead(
        patient=Patient("P1"),
        lesions=(
            Lesion(T1, Role.TARGET, "liver"),
            Lesion(T2, Role.TARGET, "liver"),
        ),
        timepoints=(
            TimePointRecord(
                uid="bl",
                timepoint=TimePoint("BL", dt.date(2026, 1, 5), targets=targets),
                extents=extents,
            ),
        ),
    )
    report = _Report(read, assessment_document(assess(read.to_case())))
    return cast("ReportData", report)


def _rows(extents: Mapping[LesionId, LesionExtent]) -> list[dict[str, str]]:
    return [dict(row) for row in tr_rows([_report(extents)], study_id="S1")]


def test_volume_and_enhancing_fraction_are_written_for_the_measured_target() -> None:
    rows = _rows({T1: LesionExtent(Decimal("33.51"), Decimal("0.625"))})
    extra = [r for r in rows if r["TRTESTCD"] in ("VOLUME", "ENHFRAC")]
    assert [
        (r["TRLNKID"], r["TRTESTCD"], r["TRTEST"], r["TRORRES"], r["TRORRESU"])
        for r in extra
    ] == [
        ("T1", "VOLUME", "Tumor Volume", "33.51", "mL"),
        ("T1", "ENHFRAC", "Enhancing Fraction", "62.5", "%"),
    ]
    assert all(r["TRSTRESN"] == r["TRORRES"] for r in extra)
    assert all(r["TRGRPID"] == "TARGET" for r in extra)


def test_no_extent_no_row_and_no_fraction_without_an_arterial_phase() -> None:
    assert not [r for r in _rows({}) if r["TRTESTCD"] in ("VOLUME", "ENHFRAC")]
    rows = _rows({T2: LesionExtent(Decimal("4.20"))})
    assert [(r["TRLNKID"], r["TRTESTCD"]) for r in rows if r["TRLNKID"] == "T2"][
        -1
    ] == ("T2", "VOLUME")
    assert not [r for r in rows if r["TRTESTCD"] == "ENHFRAC"]
