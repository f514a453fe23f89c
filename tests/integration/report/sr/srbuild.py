"""Fixtures of the SR tests: the demo read, a richer read on its images, their SRs.

The demo phantom and read come from the report tests' session fixtures
(``demo``, ``demo_read``, ``demo_images`` in tests/integration/report/conftest.py);
test modules import the fixtures below, which write the SRs once per module.
This is a plain module, not a conftest.py, so that ``from conftest import ...`` in
the report tests keeps finding theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from respond.criteria import (
    Caliper,
    CaliperKind,
    Cytology,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    TargetMeasurement,
    TargetStatus,
)
from respond.report.sr import write_sr

if TYPE_CHECKING:
    from pathlib import Path

    from respond.demo import DemoSetup
    from respond.report.images import ImageIndex

D = Decimal
T3, T4, N1, N2 = LesionId("T3"), LesionId("T4"), LesionId("N1"), LesionId("N2")
N3 = LesionId("N3")
BIRTH = dt.date(1951, 7, 14)


@dataclass(frozen=True)
class Demo:
    """The demo's images and read."""

    dicom_root: Path
    images: ImageIndex
    read: PatientRead


@pytest.fixture(scope="module", name="sr_demo")
def sr_demo_fixture(
    demo: DemoSetup, demo_read: PatientRead, demo_images: ImageIndex
) -> Demo:
    return Demo(demo.dicom_root, demo_images, demo_read)


def _on(
    template: Caliper, kind: CaliperKind, x0: float, x1: float, index: int = 0
) -> Caliper:
    """A caliper along x on the image of ``template`` (its plane, exact in float32)."""
    _, y, z = template.start_mm
    return Caliper(
        kind,
        (x0, y + 7.25, z),
        (x1, y + 7.25, z),
        template.series_uid,
        template.sop_instance_uid,
        template.frame,
        index,
    )


def rich_read(read: PatientRead) -> PatientRead:
    """The demo read plus a node, a lung target, three non-targets and a new node.

    Covers short axes (of a non-target node too), fragments, a merge, a target
    measured without a caliper, a caliper without a recorded length, every
    status and cytology.
    """
    bl, fu1, fu2 = read.timepoints
    anchor = {tp.uid: tp.calipers[LesionId("T1")][0] for tp in read.timepoints}
    lesions = (
        *read.lesions,
        Lesion(T3, Role.TARGET, "lymph node", is_node=True, kind=LesionKind.NODE,
               site="porta hepatis", note="hilar node"),
        Lesion(T4, Role.TARGET, "lung", kind=LesionKind.OTHER, typical_hcc=False),
        Lesion(N1, Role.NON_TARGET, "liver", kind=LesionKind.PORTAL_VEIN_THROMBUS),
        Lesion(N2, Role.NON_TARGET, "peritoneum", kind=LesionKind.ASCITES),
        Lesion(N3, Role.NON_TARGET, "lymph node", is_node=True, kind=LesionKind.NODE,
               site="porta hepatis"),
    )  # fmt: skip
    tracking = {**read.tracking_uids, T3: "2.25.3003", T4: "2.25.4004",
                N1: "2.25.1001", N2: "2.25.2002", N3: "2.25.3001"}  # fmt: skip
    plans: dict[str, tuple[Any, Any, Any, Any]] = {
        bl.uid: (
            {
                T3: TargetMeasurement(long_axis_mm=D("24.0"), short_axis_mm=D("18.5")),
                T4: TargetMeasurement(long_axis_mm=D("12.50")),
            },
            {
                N1: NonTargetObservation(NonTargetStatus.PRESENT),
                N2: NonTargetObservation(
                    NonTargetStatus.PRESENT, Cytology.NOT_DONE, "moderate"
                ),
                N3: NonTargetObservation(
                    NonTargetStatus.PRESENT, short_axis_mm=D("22.0")
                ),
            },
            {
                T3: (
                    _on(anchor[bl.uid], CaliperKind.LONG_AXIS, -40.0, -16.0),
                    _on(anchor[bl.uid], CaliperKind.SHORT_AXIS, -40.0, -21.5),
                )
            },
            (),
        ),
        fu1.uid: (
            {
                T3: TargetMeasurement(
                    fragments_mm=(D("6.0"), D("4.5")), note="split in two"
                ),
                T4: TargetMeasurement(TargetStatus.TOO_SMALL),
            },
            {
                N1: NonTargetObservation(
                    NonTargetStatus.UNEQUIVOCAL_PROGRESSION, note="grew into trunk"
                ),
                N2: NonTargetObservation(
                    NonTargetStatus.ABSENT, Cytology.NEGATIVE, "resolved"
                ),
                N3: NonTargetObservation(
                    NonTargetStatus.PRESENT, short_axis_mm=D("9.5")
                ),
            },
            {
                T3: (
                    _on(anchor[fu1.uid], CaliperKind.FRAGMENT, -40.0, -34.0, 0),
                    _on(anchor[fu1.uid], CaliperKind.FRAGMENT, -30.0, -25.5, 1),
                )
            },
            (),
        ),
        fu2.uid: (
            {
                T3: TargetMeasurement(
                    long_axis_mm=D("0.0"), merged_into=LesionId("T1")
                ),
                T4: TargetMeasurement(TargetStatus.ABSENT),
            },
            {N1: NonTargetObservation(NonTargetStatus.NOT_EVALUATED)},
            {
                T3: (_on(anchor[fu2.uid], CaliperKind.VIABLE, -40.0, -37.5),),
                LesionId("X2"): (
                    _on(anchor[fu2.uid], CaliperKind.SHORT_AXIS, -20.0, -8.5),
                ),
            },
            (
                NewLesion(
                    "X2",
                    organ="lymph node",
                    site="celiac",
                    kind=LesionKind.NODE,
                    short_axis_mm=D("11.5"),
                    equivocal=True,
                    cytology=Cytology.POSITIVE,
                    note="new node",
                ),
            ),
        ),
    }
    timepoints = []
    for tp in read.timepoints:
        targets, non_targets, calipers, new = plans[tp.uid]
        timepoints.append(
            replace(
                tp,
                timepoint=replace(
                    tp.timepoint,
                    targets={**tp.timepoint.targets, **targets},
                    non_targets=non_targets,
                    new_lesions=(*tp.timepoint.new_lesions, *new),
                ),
                calipers={**tp.calipers, **calipers},
                new_lesion_uids={
                    **tp.new_lesion_uids,
                    **{finding.id: "2.25.9009" for finding in new},
                },
            )
        )
    return replace(
        read,
        patient=Patient(read.patient.id, "Doe^Jane", BIRTH),
        lesions=lesions,
        tracking_uids=tracking,
        timepoints=tuple(timepoints),
    )


@pytest.fixture(scope="module", name="rich")
def rich_fixture(sr_demo: Demo) -> PatientRead:
    return rich_read(sr_demo.read)


@pytest.fixture(scope="module", name="demo_srs")
def demo_srs_fixture(
    sr_demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    """The demo read's reports, one per time point."""
    return write_sr(sr_demo.read, sr_demo.images, tmp_path_factory.mktemp("demo-sr"))


@pytest.fixture(scope="module", name="rich_srs")
def rich_srs_fixture(
    sr_demo: Demo, rich: PatientRead, tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    """The rich read's reports, one per time point."""
    return write_sr(rich, sr_demo.images, tmp_path_factory.mktemp("rich-sr"))
