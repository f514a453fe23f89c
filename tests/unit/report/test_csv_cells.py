"""CSV: text a spreadsheet would run as a formula is escaped; numbers are not."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    write_rs_csv,
    write_tr_csv,
    write_tu_csv,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import TextIO

    from respond.report.document import ReportData

    Writer = Callable[[Iterable[ReportData], TextIO], int]


@dataclass(frozen=True)
class _Report:
    """What the CSV writer reads of a report (the Qt- and numpy-free core run)."""

    read: PatientRead
    assessment: Mapping[str, object]
    modalities: Mapping[str, str] = field(default_factory=dict)


@pytest.mark.parametrize(
    ("column", "value", "written"),
    [
        ("VISIT", '=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("TULOC", "+1+2", "'+1+2"),
        ("TULOCDTL", "-2+3", "'-2+3"),
        ("TREVALID", "@SUM(A1)", "'@SUM(A1)"),
        ("USUBJID", "\t=1", "'\t=1"),
        ("USUBJID", "\r=1", "'\r=1"),
        ("VISIT", "\uff1d1+1", "'\uff1d1+1"),
        ("VISIT", "BL", "BL"),
        ("VISIT", "", ""),
        ("TRREASND", "a = b", "a = b"),
        # number columns keep their numbers, signs included
        ("TRSTRESN", "-12.5", "-12.5"),
        ("TRSTRESN", "40.0", "40.0"),
        ("VISITNUM", "2", "2"),
        ("TRSEQ", "12", "12"),
        # ... and only numbers: text in a number column is escaped like any text
        ("TRSTRESN", "-1+cmd", "'-1+cmd"),
        ("RSSEQ", "=1", "'=1"),
        # a text column never keeps a leading minus, even before a number
        ("TRORRES", "-12.5", "'-12.5"),
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


def _table(write: Writer, report: ReportData) -> list[dict[str, str]]:
    out = io.StringIO()
    write([report], out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_tables_escape_text_and_keep_numbers() -> None:
    report = _report()
    tu, tr, rs = (_table(w, report) for w in (write_tu_csv, write_tr_csv, write_rs_csv))
    for rows in (tu, tr, rs):
        assert {r["USUBJID"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert [r["TULOC"] for r in tu] == ["'+LIVER"]
    assert [r["TULOCDTL"] for r in tu] == ["'@segment VI"]
    assert {r["TUEVALID"] for r in tu} == {"'@reader"}
    lengths = [r for r in tr if r["TRTESTCD"] == "LDIAM"]
    assert [r["VISIT"] for r in lengths] == ["'-BL", "'=FU1"]
    assert [r["TRSTRESN"] for r in lengths] == ["40.0", "35.0"]
    assert [r["TRSEQ"] for r in tr] == [str(n) for n in range(1, len(tr) + 1)]
    assert {r["VISIT"] for r in rs} == {"'=FU1"}
    assert {r["RSEVALID"] for r in rs} == {"'@reader"}
