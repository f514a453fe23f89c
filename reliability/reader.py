"""A reader in its own process, driven line by line (JSON) over stdin/stdout.

``python -m reliability.reader DB NAME`` opens the store and answers commands:

- ``{"op": "open", "patient": ID}``: open a :class:`ReadSession` on the patient;
- ``{"op": KIND, "value": V}``: one edit at the last time point (see
  :data:`FIELDS`), answered with what the session showed before (``seen``), whether
  it landed (``ok``) or the error's type and message;
- ``{"op": "run", "ops": [[KIND, V], ...]}``: the edits one after another, as
  fast as possible (for two readers running at the same time);
- ``{"op": "quit"}``.

Every edit goes through the session's intent methods, as the window's commands do.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import traceback
from decimal import Decimal
from typing import Any

from respond.criteria import (
    Caliper,
    CaliperKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    TargetMeasurement,
)
from respond.errors import RespondError
from respond.session import ReadSession
from respond.store import open_store

FIELDS = {
    "long": ("long",),
    "viable": ("viable",),
    "caliper-long": ("long",),
    "caliper-viable": ("viable",),
    "fhsi8": ("fhsi8",),
    "ecog": ("ecog",),
    "label": ("label",),
    "n1": ("n1",),
    "new": ("new",),
    "refresh": (),
    "sign": ("signed",),
    "decide": ("decision",),
}
"""Each edit kind and the fields of :func:`view` it means to change."""


def view(read: Any) -> dict[str, Any]:
    """The fields the two-reader scenarios follow, at the read's last time point."""
    record = read.timepoints[-1]
    timepoint = record.timepoint
    target = timepoint.targets.get("T1")
    n1 = timepoint.non_targets.get("N1")
    return {
        "long": None
        if target is None or target.long_axis_mm is None
        else str(target.long_axis_mm),
        "viable": None
        if target is None or target.viable_mm is None
        else str(target.viable_mm),
        "fhsi8": timepoint.clinical.fhsi8,
        "ecog": timepoint.clinical.ecog,
        "label": timepoint.label,
        "n1": None if n1 is None else n1.status.value,
        "new": sorted(n.id for n in timepoint.new_lesions),
        "signed": record.signed_by,
        "decision": None if record.decision is None else record.decision.decided_by,
    }


def _caliper(kind: CaliperKind, value: str) -> Caliper:
    return Caliper(
        kind,
        (0.0, 0.0, 10.0),
        (float(value), 0.0, 10.0),
        "1.2.826.0.1.3680043.8.498.1",
        "1.2.826.0.1.3680043.8.498.1.1",
    )


def edit(session: ReadSession, kind: str, value: Any) -> None:
    """Make one edit of ``kind`` at the last time point."""
    uid = session.read.timepoints[-1].uid
    record = session.timepoint(uid)
    target = record.timepoint.targets.get("T1")  # type: ignore[call-overload]
    if kind in ("long", "viable"):
        long_axis = (
            Decimal(value)
            if kind == "long"
            else (target.long_axis_mm if target else None)
        )
        viable = (
            Decimal(value)
            if kind == "viable"
            else (target.viable_mm if target else None)
        )
        session.set_measurement(
            uid, "T1", TargetMeasurement(long_axis_mm=long_axis, viable_mm=viable)
        )
    elif kind == "caliper-long":
        session.set_calipers(uid, "T1", [_caliper(CaliperKind.LONG_AXIS, value)])
    elif kind == "caliper-viable":
        session.set_calipers(uid, "T1", [_caliper(CaliperKind.VIABLE, value)])
    elif kind in ("fhsi8", "ecog"):
        clinical = dataclasses.replace(record.timepoint.clinical, **{kind: int(value)})
        session.set_clinical(uid, clinical)
    elif kind == "label":
        session.update_timepoint(uid, label=value)
    elif kind == "n1":
        session.set_non_target(uid, "N1", NonTargetObservation(NonTargetStatus(value)))
    elif kind == "new":
        session.put_new_lesion(
            uid, NewLesion(value, organ="lung", long_axis_mm=Decimal("8.0"))
        )
    elif kind == "refresh":
        session.refresh_if_changed()
    elif kind == "sign":
        session.sign(uid)
    elif kind == "decide":
        session.record_decision(accept=True)
    else:
        raise ValueError(f"unknown edit {kind}")


def attempt(session: ReadSession, kind: str, value: Any) -> dict[str, Any]:
    """Make an edit; return what was seen before, and how it ended."""
    seen = view(session.read)
    try:
        edit(session, kind, value)
    except Exception as exc:
        error = type(exc).__name__
        answer: dict[str, Any] = {
            "ok": False,
            "error": error,
            "message": str(exc)[:300],
        }
        if not isinstance(exc, RespondError):
            answer["traceback"] = traceback.format_exc()[-1500:]
        answer["seen"] = seen
        return answer
    return {"ok": True, "seen": seen, "after": view(session.read)}


def main(argv: list[str]) -> int:
    db, name = argv[1], argv[2]
    store = open_store(db)
    session: ReadSession | None = None
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "quit":
            break
        if op == "open":
            session = ReadSession(store, command["patient"], reader=name)
            answer: Any = {"ok": True, "seen": view(session.read)}
        elif op == "run":
            assert session is not None
            answer = [attempt(session, kind, value) for kind, value in command["ops"]]
        else:
            assert session is not None
            answer = attempt(session, op, command.get("value"))
        print(json.dumps(answer), flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
