"""A child process that edits one patient through respond's session API.

``python -m reliability.editor DB PATIENT FIRST [COUNT]`` opens the store, opens
a :class:`respond.session.ReadSession` on the patient and makes numbered edits
FIRST, FIRST+1, ... at its last time point, printing one line per edit after
the intent method returned (the edit is committed then):

- ``n % 3 == 0``: target T1's long axis set to :func:`long_value` (viable kept),
  printed ``n long VALUE``;
- ``n % 3 == 1``: new finding ``K<n>`` added, printed ``n new K<n>``;
- ``n % 3 == 2``: FHSI-8 set to ``n % 33``, printed ``n fhsi8 VALUE``.

Without COUNT it runs until killed. A refused edit prints ``n refused MESSAGE``
and the process exits 3.
"""

from __future__ import annotations

import dataclasses
import sys
from decimal import Decimal

from respond.criteria import NewLesion, TargetMeasurement
from respond.errors import RespondError
from respond.session import ReadSession
from respond.store import open_store

READER = "Reliability Editor"


def long_value(n: int) -> Decimal:
    """The long axis edit ``n`` writes (10.0 to 809.9 mm, one decimal)."""
    return Decimal(100 + n % 8000) / 10


def fhsi8_value(n: int) -> int:
    """The FHSI-8 total edit ``n`` writes."""
    return n % 33


def kind_of(n: int) -> str:
    """Which field edit ``n`` changes: ``long``, ``new`` or ``fhsi8``."""
    return ("long", "new", "fhsi8")[n % 3]


def edit(session: ReadSession, uid: str, n: int) -> str:
    """Make edit ``n``; return the line to print."""
    record = session.timepoint(uid)
    kind = kind_of(n)
    if kind == "long":
        seen = record.timepoint.targets.get("T1")  # type: ignore[call-overload]
        value = long_value(n)
        session.set_measurement(
            uid,
            "T1",
            TargetMeasurement(
                long_axis_mm=value, viable_mm=seen.viable_mm if seen else None
            ),
        )
        return f"{n} long {value}"
    if kind == "new":
        finding = NewLesion(f"K{n}", organ="lung", long_axis_mm=Decimal("8.0"))
        session.put_new_lesion(uid, finding)
        return f"{n} new K{n}"
    clinical = dataclasses.replace(record.timepoint.clinical, fhsi8=fhsi8_value(n))
    session.set_clinical(uid, clinical)
    return f"{n} fhsi8 {fhsi8_value(n)}"


def main(argv: list[str]) -> int:
    db, patient, first = argv[1], argv[2], int(argv[3])
    count = int(argv[4]) if len(argv) > 4 else None
    store = open_store(db)
    session = ReadSession(store, patient, reader=READER)
    uid = session.read.timepoints[-1].uid
    print("open", flush=True)
    n = first
    while count is None or n < first + count:
        try:
            line = edit(session, uid, n)
        except RespondError as exc:
            print(f"{n} refused {type(exc).__name__}: {exc}", flush=True)
            return 3
        print(line, flush=True)
        n += 1
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
