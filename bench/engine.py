"""Response engine throughput: generated patients x 6 time points.

Goal (issue: response engine): under 1 ms per patient, and linear in the number
of patients (10k vs 100k). Baseline, in the same process: a bare loop that sums
each time point's diameters in floats and compares them with the 30 % / 20 %
thresholds, with none of the engine's rules, reasons or exact arithmetic. The
ratio engine / bare loop says what the rules cost, whatever the machine.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import statistics
import time
from decimal import Decimal

from respond.criteria import (
    AdverseEvent,
    Case,
    Clinical,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    Role,
    SecondLine,
    TargetMeasurement,
    TargetStatus,
    TimePoint,
    assess,
)

TIMEPOINTS = 6
GOAL_MS_PER_PATIENT = 1.0


def _tenths(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 10, high * 10)) / 10


def generate_patient(rng: random.Random, number: int) -> Case:
    """Return a plausible HCC case: 1-5 targets, 0-3 non-targets, 6 time points."""
    n_targets = rng.randint(1, 5)
    lesions = []
    for i in range(n_targets):
        is_node = i == 4 or (i > 0 and rng.random() < 0.15)
        kind = LesionKind.NODE if is_node else LesionKind.HCC
        organ = "lymph node" if is_node else "liver"
        lesions.append(Lesion(LesionId(f"T{i + 1}"), Role.TARGET, organ, is_node, kind))
    for i in range(rng.randint(0, 3)):
        kind = rng.choice([LesionKind.PORTAL_VEIN_THROMBUS, LesionKind.ASCITES])
        lesions.append(
            Lesion(LesionId(f"N{i + 1}"), Role.NON_TARGET, "liver", kind=kind)
        )
    start = dt.date(2026, 1, 5)
    sizes = {les.id: _tenths(rng, 15, 80) for les in lesions if les.role is Role.TARGET}
    trend = rng.uniform(-0.15, 0.15)
    timepoints = []
    for t in range(TIMEPOINTS):
        targets = {}
        for lesion in lesions:
            if lesion.role is not Role.TARGET:
                continue
            size = sizes[lesion.id] * Decimal(str(round(1 + trend * t, 3)))
            size = max(size.quantize(Decimal("0.1")), Decimal(0))
            status = TargetStatus.MEASURED
            if t and rng.random() < 0.02:
                status = TargetStatus.NOT_EVALUATED
            elif t and rng.random() < 0.03:
                status = TargetStatus.TOO_SMALL
            if lesion.is_node:
                targets[lesion.id] = TargetMeasurement(
                    status,
                    long_axis_mm=size + 5,
                    short_axis_mm=size,
                    lesion_id=lesion.id,
                )
            else:
                viable = (
                    size * Decimal(str(round(rng.uniform(0.2, 1.0), 2)))
                ).quantize(Decimal("0.1"))
                targets[lesion.id] = TargetMeasurement(
                    status, long_axis_mm=size, viable_mm=viable, lesion_id=lesion.id
                )
        non_targets = {
            les.id: NonTargetObservation(
                NonTargetStatus.PRESENT
                if rng.random() < 0.9
                else NonTargetStatus.ABSENT
            )
            for les in lesions
            if les.role is Role.NON_TARGET
        }
        if t == 0:
            non_targets = {
                k: NonTargetObservation(NonTargetStatus.PRESENT) for k in non_targets
            }
        new = ()
        if t >= 3 and rng.random() < 0.1:
            new = (
                NewLesion(
                    "X1",
                    organ="liver",
                    long_axis_mm=_tenths(rng, 5, 25),
                    typical_hcc=rng.random() < 0.5,
                    equivocal=rng.random() < 0.3,
                ),
            )
        events = ()
        if t and rng.random() < 0.2:
            events = (
                AdverseEvent(
                    "hand_foot_skin_reaction", rng.randint(1, 3), rng.randint(1, 3)
                ),
            )
        clinical = Clinical(
            fhsi8=rng.randint(14, 32),
            ecog=rng.choice([0, 0, 1, 1, 2]),
            child_pugh=rng.choice(["A5", "A6", "B7"]),
            dose_level=0,
            adverse_events=events,
            second_line=SecondLine(rng.random() < 0.6, rng.random() < 0.8),
        )
        timepoints.append(
            TimePoint(
                label="BL" if t == 0 else f"FU{t}",
                date=start + dt.timedelta(days=56 * t),
                arterial_phase=rng.random() < 0.97 or t == 0,
                targets=targets,
                non_targets=non_targets,
                new_lesions=new,
                clinical=clinical,
            )
        )
    return Case(Patient(f"P{number:06d}"), tuple(lesions), tuple(timepoints))


def bare_loop(case: Case) -> int:
    """The baseline: float sums and threshold checks, no rules or reasons."""
    flags = 0
    base = nadir = None
    for tp in case.timepoints:
        total = 0.0
        for measurement in tp.targets.values():
            value = measurement.short_axis_mm or measurement.long_axis_mm or 0
            total += float(value)
        if base is None:
            base = nadir = total
            continue
        flags += total <= 0.7 * base
        flags += total >= 1.2 * nadir
        nadir = min(nadir, total)
    return flags


def _time(func, cases) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for case in cases:
            func(case)
        return time.perf_counter() - start
    finally:
        gc.enable()


def run(*, quick: bool = False) -> dict[str, float]:
    """Run the engine benchmark and print the report; return the figures."""
    sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    rng = random.Random(20261124)
    print(
        f"response engine: generating {sizes[-1]:,} patients x {TIMEPOINTS} time points"
    )
    cases = [generate_patient(rng, i) for i in range(sizes[-1])]
    figures: dict[str, float] = {}
    for size in sizes:
        subset = cases[:size]
        engine_runs = [_time(assess, subset) for _ in range(3 if size < 50_000 else 1)]
        bare_runs = [_time(bare_loop, subset) for _ in range(3)]
        engine_s = statistics.median(engine_runs)
        bare_s = statistics.median(bare_runs)
        per_patient_ms = engine_s / size * 1000
        figures[f"ms_per_patient_{size}"] = per_patient_ms
        figures[f"vs_bare_{size}"] = engine_s / bare_s
        goal_ratio = per_patient_ms / GOAL_MS_PER_PATIENT
        print(
            f"  {size:>7,} patients: {engine_s:6.2f} s, "
            f"{size / engine_s:8,.0f} patients/s, {per_patient_ms:.3f} ms/patient "
            f"= {goal_ratio:.2f} x the 1 ms goal; "
            f"{engine_s / bare_s:.1f} x the bare float loop"
        )
    small, large = sizes
    linearity = figures[f"ms_per_patient_{large}"] / figures[f"ms_per_patient_{small}"]
    figures["linearity"] = linearity
    print(
        f"  linearity: per-patient time at {large:,} / at {small:,} = {linearity:.2f} "
        "(1.00 = perfectly linear)"
    )
    return figures
