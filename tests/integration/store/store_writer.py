"""A respond process that edits one database and reports each committed edit.

Run as ``python store_writer.py DB TAG FIRST [LAST]``: opens the store, makes
sure patient ``P-CRASH`` exists, then performs numbered edits FIRST, FIRST+1,
... and prints ``<number>`` (flushed) after each edit's commit has returned.
Even numbers add new finding ``<TAG><n>`` at the follow-up; odd numbers
re-measure target T1 there as ``<n>.5`` mm with two calipers. Without LAST it
runs until killed. Exits 3 and prints ``busy`` on DatabaseBusyError.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

from respond.criteria import (
    Caliper,
    CaliperKind,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    Patient,
    PatientRead,
    Role,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
)
from respond.store import (
    DatabaseBusyError,
    PatientExistsError,
    PatientNotFoundError,
    SqliteStore,
    open_store,
)

PATIENT = "P-CRASH"
FOLLOW_UP = "tp-fu"
T1 = LesionId("T1")


def crash_read() -> PatientRead:
    """The patient the writers edit: one target, a baseline and a follow-up."""
    baseline = TimePointRecord(
        "tp-bl",
        TimePoint(
            "BL",
            dt.date(2026, 1, 5),
            targets={T1: TargetMeasurement(long_axis_mm=Decimal("30.0"))},
        ),
    )
    follow_up = TimePointRecord(FOLLOW_UP, TimePoint("FU1", dt.date(2026, 3, 2)))
    return PatientRead(
        Patient(PATIENT),
        lesions=(Lesion(T1, Role.TARGET, "liver", kind=LesionKind.HCC),),
        tracking_uids={T1: "2.25.1"},
        timepoints=(baseline, follow_up),
    )


def edit_length(number: int) -> Decimal:
    """The long axis edit ``number`` records: unique, within 0-1000 mm."""
    return Decimal(f"{number}.5") / 100


def edit(store: SqliteStore, tag: str, number: int) -> None:
    """Perform edit ``number``."""
    if number % 2 == 0:
        finding = NewLesion(
            f"{tag}{number}", organ="liver", long_axis_mm=Decimal(number) / 10
        )
        store.put_new_lesion(
            PATIENT, FOLLOW_UP, finding, f"2.25.{number}", who=f"writer-{tag}"
        )
        return
    length = edit_length(number)
    calipers = [
        Caliper(
            CaliperKind.LONG_AXIS,
            (0.0, 0.0, float(number)),
            (float(length), 0.0, float(number)),
            "1.2",
            "1.2.3",
        ),
        Caliper(
            CaliperKind.VIABLE,
            (0.0, 1.0, float(number)),
            (1.5, 1.0, float(number)),
            "1.2",
            "1.2.3",
            2,
        ),
    ]
    measurement = TargetMeasurement(long_axis_mm=length, viable_mm=Decimal("1.5"))
    store.put_target(PATIENT, FOLLOW_UP, T1, measurement, calipers, who=f"writer-{tag}")


def main(argv: list[str]) -> int:
    path, tag, first = Path(argv[1]), argv[2], int(argv[3])
    last = int(argv[4]) if len(argv) > 4 else None
    try:
        with open_store(
            path, busy_timeout_s=float(argv[5]) if len(argv) > 5 else 10.0
        ) as store:
            try:
                store.load(PATIENT)
            except PatientNotFoundError:
                # The other writer may create it first.
                with contextlib.suppress(PatientExistsError):
                    store.create_patient(crash_read(), who=f"writer-{tag}")
            number = first
            while last is None or number <= last:
                edit(store, tag, number)
                print(number, flush=True)
                number += 1
    except DatabaseBusyError as exc:
        print("busy", exc, flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
