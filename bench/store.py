"""SQLite store: open, list, load and assess, and one caliper edit, on a full database.

Goals (issue: store), on 1,000 generated patients x 8 time points x 8 lesions
(5 targets with calipers, nodes among them, and 3 non-targets; new findings,
adverse events, decisions; every time point but the last signed):

- an edit (``put_target`` with 2 calipers, committed) in < 5 ms median;
- opening a patient (``load``, then ``assess(read.to_case())``) in < 50 ms.

Also timed: opening the database (``open_store``) and listing the patients.
Each figure is the median and p95 of >= 50 repetitions, as a ratio to its goal.
Baseline, in the same process and folder: a bare ``BEGIN IMMEDIATE; INSERT;
COMMIT`` into a one-table WAL database with the same ``synchronous`` setting, so
the ratio edit / bare insert says what the store adds to SQLite's own commit.
The edit and the bare insert are measured with synchronous FULL (the store's
setting) and NORMAL (the alternative), which prices the per-commit fsync.
This is a report: a missed goal is printed as MISS and never fails.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from respond.criteria import (
    Action,
    AdverseEvent,
    Caliper,
    CaliperKind,
    Clinical,
    Decision,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    SecondLine,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
    assess,
)
from respond.store import SYNCHRONOUS, open_store

if TYPE_CHECKING:
    from collections.abc import Callable

PATIENTS = 1_000
TIMEPOINTS = 8
TARGETS = 5
NON_TARGETS = 3
REPETITIONS = 60
GOAL_EDIT_MS = 5.0
GOAL_OPEN_PATIENT_MS = 50.0
SERIES = "1.2.826.0.1.3680043.8.498.7"
TENTH = Decimal("0.1")


def _caliper(rng: random.Random, kind: CaliperKind, mm: Decimal, z: float) -> Caliper:
    x, y = rng.uniform(-150, 150), rng.uniform(-200, 50)
    angle = rng.uniform(0, math.pi)
    end = (x + float(mm) * math.cos(angle), y + float(mm) * math.sin(angle), z)
    instance = f"{SERIES}.{rng.randint(1, 400)}"
    return Caliper(kind, (x, y, z), end, SERIES, instance)


def _lesions(rng: random.Random) -> tuple[Lesion, ...]:
    lesions = []
    for i in range(TARGETS):
        node = i == TARGETS - 1 or rng.random() < 0.1
        kind = LesionKind.NODE if node else LesionKind.HCC
        organ = "lymph node" if node else "liver"
        site = "porta hepatis" if node and rng.random() < 0.5 else f"segment {i + 2}"
        lesions.append(
            Lesion(LesionId(f"T{i + 1}"), Role.TARGET, organ, node, kind, site=site)
        )
    kinds = (LesionKind.PORTAL_VEIN_THROMBUS, LesionKind.ASCITES, LesionKind.OTHER)
    for i, kind in enumerate(kinds[:NON_TARGETS]):
        lesions.append(
            Lesion(LesionId(f"N{i + 1}"), Role.NON_TARGET, "liver", kind=kind)
        )
    return tuple(lesions)


def _targets(
    rng: random.Random, lesions: tuple[Lesion, ...], sizes: dict[LesionId, Decimal]
) -> tuple[dict[LesionId, TargetMeasurement], dict[LesionId, tuple[Caliper, ...]]]:
    targets: dict[LesionId, TargetMeasurement] = {}
    calipers: dict[LesionId, tuple[Caliper, ...]] = {}
    z = -rng.uniform(20, 250)
    for lesion in lesions:
        if lesion.role is not Role.TARGET:
            continue
        size = sizes[lesion.id]
        if lesion.is_node:
            long_axis = (size * Decimal("1.4")).quantize(TENTH)
            targets[lesion.id] = TargetMeasurement(
                long_axis_mm=long_axis, short_axis_mm=size, lesion_id=lesion.id
            )
            kinds = ((CaliperKind.LONG_AXIS, long_axis), (CaliperKind.SHORT_AXIS, size))
        else:
            viable = (size * Decimal(str(rng.uniform(0.2, 1.0)))).quantize(TENTH)
            targets[lesion.id] = TargetMeasurement(
                long_axis_mm=size, viable_mm=viable, lesion_id=lesion.id
            )
            kinds = ((CaliperKind.LONG_AXIS, size), (CaliperKind.VIABLE, viable))
        calipers[lesion.id] = tuple(_caliper(rng, k, mm, z) for k, mm in kinds)
        trend = Decimal(str(round(rng.uniform(0.85, 1.12), 3)))
        sizes[lesion.id] = max((size * trend).quantize(TENTH), Decimal("5.0"))
    return targets, calipers


def generate_read(rng: random.Random, number: int) -> PatientRead:
    """Return a plausible patient: 8 lesions x 8 time points, calipers and all."""
    lesions = _lesions(rng)
    sizes = {les.id: Decimal(rng.randint(120, 800)) / 10 for les in lesions}
    start = dt.date(2025, 1, 6) + dt.timedelta(days=rng.randint(0, 300))
    records = []
    for t in range(TIMEPOINTS):
        targets, calipers = _targets(rng, lesions, sizes)
        non_targets = {
            les.id: NonTargetObservation(
                NonTargetStatus.PRESENT
                if rng.random() < 0.9
                else NonTargetStatus.ABSENT
            )
            for les in lesions
            if les.role is Role.NON_TARGET
        }
        new: tuple[NewLesion, ...] = ()
        if t >= 3 and rng.random() < 0.15:
            new = (
                NewLesion(
                    "X1", organ="liver", long_axis_mm=Decimal("8.0"), equivocal=True
                ),
            )
        date = start + dt.timedelta(days=56 * t)
        signed = t < TIMEPOINTS - 1
        stamp = f"{date.isoformat()}T16:00:00+00:00" if signed else ""
        decision = None
        if signed and t:
            decision = Decision(
                Action.CONTINUE, 0, True, Action.CONTINUE, 0, "", "dr-onc", stamp
            )
        clinical = Clinical(
            fhsi8_items=tuple(rng.randint(2, 4) for _ in range(8)),
            ecog=rng.choice((0, 0, 1, 1, 2)),
            child_pugh=rng.choice(("A5", "A6", "B7")),
            dose_level=rng.choice((0, 0, 0, -1)),
            adverse_events=(AdverseEvent("hand_foot_skin_reaction", rng.randint(1, 3)),)
            if rng.random() < 0.3
            else (),
            second_line=SecondLine(rng.random() < 0.6, rng.random() < 0.8),
        )
        records.append(
            TimePointRecord(
                uid=f"2.25.{number}{t:02d}",
                timepoint=TimePoint(
                    "BL" if t == 0 else f"FU{t}",
                    date,
                    arterial_phase=True,
                    slice_thickness_mm=Decimal("2.5"),
                    targets=targets,
                    non_targets=non_targets,
                    new_lesions=new,
                    clinical=clinical,
                ),
                study_uid=f"1.2.840.{number}.{t}",
                series_uid=SERIES,
                calipers=calipers,
                new_lesion_uids={"X1": f"2.25.9{number}"} if new else {},
                signed_by="dr-a" if signed else "",
                signed_at=stamp,
                decision=decision,
            )
        )
    return PatientRead(
        patient=Patient(f"P{number:06d}", f"Bench^{number}"),
        lesions=lesions,
        tracking_uids={les.id: f"2.25.{number}.{i}" for i, les in enumerate(lesions)},
        timepoints=tuple(records),
        reader="dr-a",
    )


def _times_ms(action: Callable[[], object], repetitions: int) -> list[float]:
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _bare_insert_ms(folder: Path, synchronous: str, repetitions: int) -> list[float]:
    path = folder / f"bare-{synchronous.lower()}.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT)")

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (value) VALUES (?)", ("12.5",))
        conn.execute("COMMIT")

    try:
        return _times_ms(insert, repetitions)
    finally:
        conn.close()


def _quick_check_ms(path: Path) -> float:
    """What a full consistency check at every open would cost (it is not done)."""
    conn = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        conn.close()
    print(f"  PRAGMA quick_check ({verdict}): {elapsed:.0f} ms (not run at open)")
    return elapsed


def _edit_ms(
    path: Path,
    targets: list[tuple[str, str, LesionId]],
    repetitions: int,
    synchronous: str,
) -> list[float]:
    """Time ``put_target`` with 2 calipers on random patients' last time point."""
    rng = random.Random(5)
    with open_store(path, synchronous=synchronous) as store:

        def edit() -> None:
            patient_id, uid, lesion_id = rng.choice(targets)
            mm = Decimal(rng.randint(100, 600)) / 10
            calipers = (
                _caliper(rng, CaliperKind.LONG_AXIS, mm, -80.0),
                _caliper(rng, CaliperKind.VIABLE, mm / 2, -80.0),
            )
            measurement = TargetMeasurement(
                long_axis_mm=mm, viable_mm=(mm / 2).quantize(TENTH)
            )
            store.put_target(
                patient_id, uid, lesion_id, measurement, calipers, who="bench"
            )

        _times_ms(edit, 5)  # warm the statement cache
        return _times_ms(edit, repetitions)


def _report(
    name: str, times: list[float], goal: float | None, base: list[float] | None
) -> dict[str, float]:
    median, p95 = statistics.median(times), _p95(times)
    line = f"  {name:<26} median {median:8.2f} ms   p95 {p95:8.2f} ms"
    figures = {f"{name}_median_ms": median, f"{name}_p95_ms": p95}
    if goal is not None:
        verdict = "ok" if median < goal else "MISS"
        line += f"   {median / goal:5.2f} x the {goal:g} ms goal ({verdict})"
        figures[f"{name}_vs_goal"] = median / goal
    if base is not None:
        ratio = median / statistics.median(base)
        line += f"   {ratio:6.1f} x bare insert"
        figures[f"{name}_vs_bare"] = ratio
    print(line)
    return figures


def run(*, quick: bool = False) -> dict[str, float]:
    """Run the store benchmark and print the report; return the figures."""
    patients = 100 if quick else PATIENTS
    repetitions = REPETITIONS
    folder = Path(tempfile.mkdtemp(prefix="respond-bench-store-"))
    path = folder / "respond.sqlite3"
    print(
        f"store: {patients:,} patients x {TIMEPOINTS} time points x "
        f"{TARGETS + NON_TARGETS} lesions, {repetitions} repetitions, "
        f"synchronous {SYNCHRONOUS}"
    )
    try:
        rng = random.Random(20261124)
        ids: list[str] = []
        targets: list[tuple[str, str, LesionId]] = []
        build_s = 0.0
        with open_store(path) as store:
            for number in range(patients):
                read = generate_read(rng, number)
                started = time.perf_counter()
                store.create_patient(read, who="bench")
                build_s += time.perf_counter() - started
                ids.append(read.patient.id)
                targets.append(
                    (read.patient.id, read.timepoints[-1].uid, read.lesions[0].id)
                )
        size_mb = path.stat().st_size / 1e6
        print(
            f"  built in {build_s:.1f} s ({build_s / patients * 1000:.1f} ms per "
            f"patient import), {size_mb:.1f} MB"
        )
        figures: dict[str, float] = {"build_s": build_s, "size_mb": size_mb}
        bare_full = _bare_insert_ms(folder, "FULL", repetitions)
        bare_normal = _bare_insert_ms(folder, "NORMAL", repetitions)
        figures |= _report("bare insert (FULL)", bare_full, None, None)
        figures |= _report("bare insert (NORMAL)", bare_normal, None, None)

        def open_close() -> None:
            open_store(path).close()

        figures |= _report(
            "open database", _times_ms(open_close, repetitions), None, None
        )
        store = open_store(path)
        try:
            figures |= _report(
                "list patients",
                _times_ms(store.list_patients, repetitions),
                None,
                None,
            )
            pick = random.Random(9)
            loaded: list[PatientRead] = []
            load_ms = _times_ms(
                lambda: loaded.append(store.load(pick.choice(ids))), repetitions
            )
            queue = iter(loaded)
            assess_ms = _times_ms(lambda: assess(next(queue).to_case()), repetitions)
            figures |= _report("load patient", load_ms, GOAL_OPEN_PATIENT_MS, None)
            figures |= _report("assess patient", assess_ms, None, None)
            both = [a + b for a, b in zip(load_ms, assess_ms, strict=True)]
            figures |= _report(
                "open patient (load+assess)", both, GOAL_OPEN_PATIENT_MS, None
            )
            figures["quick_check_ms"] = _quick_check_ms(path)
        finally:
            store.close()
        full = _edit_ms(path, targets, repetitions, "FULL")
        figures |= _report("edit (FULL)", full, GOAL_EDIT_MS, bare_full)
        normal = _edit_ms(path, targets, repetitions, "NORMAL")
        figures |= _report("edit (NORMAL)", normal, GOAL_EDIT_MS, bare_normal)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)
