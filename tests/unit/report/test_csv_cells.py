"""CSV: text a spreadsheet would run as a formula is escaped; numbers are not."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, cast

import pytest

from respond.casefile import assessment_document
from respond.criteria.assess import assess
from respond.criteria.categories import Role
from respond.criteria.model import (
    Lesion,
    LesionId,
    Patient,
    TargetMeasurement,
    TimePoint,
)
from respond.criteria.record import PatientRead, TimePointRecord
from respond.report.csv_export import (
    csv_cell,
    write_lesions_csv,
    write_response_csv,
)

if TYPE_CHECKING:
    from respond.report.document import ReportData


@dataclass(frozen=True)
class _Report:
    """What the CSV writer reads of a report (the Qt- and numpy-free core run)."""

    read: PatientRead
    assessment: Mapping[str, object]


@pytest.mark.parametrize(
    ("column", "value", "written"),
    [
        ("VISIT", '=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("TULOC", "+1+2", "'+1+2"),
        ("TULAT", "-2+3", "'-2+3"),
        ("TREVALID", "@SUM(A1)", "'@SUM(A1)"),
        ("USUBJID", "\t=1", "'\t=1"),
        ("USUBJID", "\r=1", "'\r=1"),
        ("VISIT", "\uff1d1+1", "'\uff1d1+1"),
        ("VISIT", "BL", "BL"),
        ("VISIT", "", ""),
        ("RSREASON", "a = b", "a = b"),
        # number columns keep their numbers, signs included
        ("PCBSD", "-12.5", "-12.5"),
        ("PCNSD", "-30.0", "-30.0"),
        ("LDIAM", "40.0", "40.0"),
        ("FRAGDIAM", "6.0;4.5", "6.0;4.5"),
        ("VISITNUM", "2", "2"),
        # ... and only numbers: text in a number column is escaped like any text
        ("PCBSD", "-1+cmd", "'-1+cmd"),
        ("LDIAM", "=1", "'=1"),
    ],
)
def test_cells(column: str, value: str, written: str) -> None:
    assert csv_cell(column, value) == written


def _report() -> ReportData:
    t1 = LesionId("T1")
    read = PatientRead(
        patient=Patient("=cmd|' /C calc'!A0", "Doe^Jane"),
        lesions=(Lesion(t1, Role.TARGET, "+liver", site="@segment VI"),),
        timepoints=(
            TimePointRecord(
                "a",
                TimePoint(
                    "-BL", dt.date(2024, 1, 1),
                    targets={t1: TargetMeasurement(long_axis_mm=Decimal("40.0"))},
                ),
            ),
            TimePointRecord(
                "b",
                TimePoint(
                    "=FU1", dt.date(2024, 3, 1),
                    targets={t1: TargetMeasurement(long_axis_mm=Decimal("35.0"))},
                ),
            ),
        ),
        reader="@reader",
    )  # fmt: skip
    report = _Report(read, assessment_document(assess(read.to_case())))
    return cast("ReportData", report)


def test_tables_escape_text_and_keep_negative_numbers() -> None:
    report = _report()
    lesions, responses = io.StringIO(), io.StringIO()
    write_lesions_csv([report], lesions)
    write_response_csv([report], responses)
    rows = list(csv.DictReader(io.StringIO(lesions.getvalue())))
    assert {r["USUBJID"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert [r["VISIT"] for r in rows] == ["'-BL", "'=FU1"]
    assert {r["TULOC"] for r in rows} == {"'+liver"}
    assert {r["TULAT"] for r in rows} == {"'@segment VI"}
    assert {r["TREVALID"] for r in rows} == {"'@reader"}
    assert [r["LDIAM"] for r in rows] == ["40.0", "35.0"]
    changes = [
        r["PCBSD"]
        for r in csv.DictReader(io.StringIO(responses.getvalue()))
        if r["PCBSD"]
    ]
    assert changes
    assert all(c.startswith("-") for c in changes)
    assert float(changes[0]) == pytest.approx(-12.5)
