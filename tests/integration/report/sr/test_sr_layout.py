"""The report's layout for viewers: one group per caliper, one lesion group per lesion.

OHIF Viewer 3.13 draws a measurement group when its Tracking Identifier starts
with ``Cornerstone3DTools@^0.1.0:Length``, reads only its first NUM, labels it
by its Comment and places each tracking UID on one image (docs/sr.md). The
lesion group ties the calipers to the lesion; import reads both this layout
and the one before it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

import highdicom as hd
from pydicom import dcmread
from tests.integration.report.sr.oldlayout import old_layout
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    T3,
    demo_srs_fixture,
    rich_fixture,
    rich_srs_fixture,
    sr_demo_fixture,
)
from tests.integration.report.sr.srtree import (
    CALIPER,
    caliper_groups,
    container,
    identifier,
    items,
    lesion_groups,
    named,
    tracking_uid,
)

from respond.criteria import CaliperKind, LesionId
from respond.report.sr import codes as c
from respond.report.sr import import_sr, write_sr

if TYPE_CHECKING:
    from pathlib import Path

    from pydicom.dataset import Dataset
    from tests.integration.report.sr.srbuild import Demo

    from respond.criteria import PatientRead

KIND_WORDS = {
    CaliperKind.LONG_AXIS: "long axis",
    CaliperKind.SHORT_AXIS: "short axis",
    CaliperKind.VIABLE: "viable",
    CaliperKind.FRAGMENT: "fragment",
}


def comment(group: Dataset) -> str:
    (label,) = [
        i
        for i in group.ContentSequence
        if i.ValueType == "TEXT" and i.ConceptNameCodeSequence[0].CodeValue == "121106"
    ]
    assert label.RelationshipType == "CONTAINS"
    assert label.ConceptNameCodeSequence[0].CodingSchemeDesignator == "DCM"
    return str(label.TextValue)


def kind_of(num: Dataset) -> CaliperKind:
    name = num.ConceptNameCodeSequence[0]
    return c.KIND_OF_LENGTH[(name.CodingSchemeDesignator, name.CodeValue)]


def test_every_caliper_is_a_group_of_its_own_with_one_length_and_line(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    for path, tp in zip(rich_srs, rich.timepoints, strict=True):
        root = dcmread(path)
        groups = caliper_groups(root)
        assert len(groups) == sum(len(d) for d in tp.calipers.values())
        found: Counter[tuple[str, CaliperKind]] = Counter()
        for group in groups:
            (num,) = [i for i in group.ContentSequence if i.ValueType == "NUM"]
            assert num.RelationshipType == "CONTAINS"
            (scoord,) = [i for i in items(group) if i.ValueType == "SCOORD"]
            assert scoord in num.ContentSequence
            assert scoord.GraphicType == "POLYLINE"
            assert len(scoord.GraphicData) == 4
            # the tracking identifier OHIF's Length tool claims, with the lesion id
            lesion_id = identifier(group).removeprefix(CALIPER)
            assert identifier(group) == CALIPER + lesion_id
            assert tp.calipers.get(LesionId(lesion_id))
            found[(lesion_id, kind_of(num))] += 1
            assert comment(group).startswith(f"{lesion_id} {KIND_WORDS[kind_of(num)]}")
            # the same time point context as the lesion group
            (point,) = named(group, "C2348792", "UMLS")
            assert point.TextValue == tp.label
        assert found == Counter(
            (str(lesion_id), k.kind) for lesion_id, d in tp.calipers.items() for k in d
        )


def test_labels_name_the_lesion_and_the_caliper(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    labels = [{comment(g) for g in caliper_groups(dcmread(p))} for p in rich_srs]
    for found in labels:
        assert {"T1 long axis", "T1 viable", "T2 long axis", "T2 viable"} <= found
    assert {"T3 long axis", "T3 short axis"} <= labels[0]
    assert {"T3 fragment 1", "T3 fragment 2"} <= labels[1]
    assert {"T3 viable", "X2 short axis"} <= labels[2]
    assert all(re.fullmatch(r"[TNX]\d+ [a-z ]+( \d+)?", k) for s in labels for k in s)


def test_caliper_uids_are_unique_in_a_report_and_stable_across_reports(
    rich: PatientRead, rich_srs: list[Path], sr_demo: Demo, tmp_path: Path
) -> None:
    by_label: dict[str, set[str]] = {}
    for path in rich_srs:
        root = dcmread(path)
        drawn = [tracking_uid(g) for g in caliper_groups(root)]
        lesions = {tracking_uid(g) for g in lesion_groups(root)}
        assert len(set(drawn)) == len(drawn)
        assert not lesions & set(drawn)
        for group in caliper_groups(root):
            by_label.setdefault(comment(group), set()).add(tracking_uid(group))
        assert all(re.fullmatch(r"2\.25\.\d{1,39}", uid) for uid in drawn)
    # the same caliper role has the same UID in every report
    assert all(len(uids) == 1 for uids in by_label.values()), by_label
    assert len({uid for uids in by_label.values() for uid in uids}) == len(by_label)
    # and in another export of the same read
    again = write_sr(rich, sr_demo.images, tmp_path)
    for first, second in zip(rich_srs, again, strict=True):
        assert [tracking_uid(g) for g in caliper_groups(dcmread(first))] == [
            tracking_uid(g) for g in caliper_groups(dcmread(second))
        ]


def test_each_lesion_group_carries_the_lesions_uid_and_no_line(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    for path, tp in zip(rich_srs, rich.timepoints, strict=True):
        root = dcmread(path)
        evaluations = container(root, "C0034375", "UMLS")
        assert evaluations is not None
        groups = named(evaluations, "125007", "DCM")
        assert groups == lesion_groups(root)
        expected = {str(k): v for k, v in rich.tracking_uids.items()}
        expected |= {n.id: tp.new_lesion_uids[n.id] for n in tp.timepoint.new_lesions}
        assert {identifier(g): tracking_uid(g) for g in groups} == expected
        assert not [i for g in groups for i in items(g) if i.ValueType == "SCOORD"]
    # N2 is not recorded at FU2: its group holds its identity only
    (n2,) = [g for g in lesion_groups(dcmread(rich_srs[2])) if identifier(g) == "N2"]
    assert not named(n2, "NONTARGET-STATUS", c.PRIVATE)
    assert not [i for i in n2.ContentSequence if i.ValueType == "NUM"]


def test_highdicom_reads_the_reports(rich: PatientRead, rich_srs: list[Path]) -> None:
    for path, tp in zip(rich_srs, rich.timepoints, strict=True):
        sr = hd.sr.Comprehensive3DSR.from_dataset(dcmread(path))
        report = sr.content
        assert isinstance(report, hd.sr.MeasurementReport)
        groups = report.get_image_measurement_groups()
        assert len(groups) == sum(len(d) for d in tp.calipers.values())
        for group in groups:
            assert (group.tracking_identifier or "").startswith(CALIPER)
            (measurement,) = group.get_measurements()
            assert measurement.referenced_coordinates is not None


def test_reports_of_the_old_layout_import_as_before(
    sr_demo: Demo, rich_srs: list[Path], demo_srs: list[Path], tmp_path: Path
) -> None:
    for name, written in (("demo", demo_srs), ("rich", rich_srs)):
        old = []
        for path in written:
            converted = old_layout(dcmread(path))
            assert not [
                g for g in named(converted, "125007", "DCM") if CALIPER in identifier(g)
            ]
            old.append(tmp_path / f"{name}-{path.name}")
            converted.save_as(old[-1])
        assert import_sr(old, sr_demo.images) == import_sr(written, sr_demo.images)
        assert import_sr(old) == import_sr(written)


def _split_t3(rich: PatientRead) -> PatientRead:
    """FU1's T3 with its first fragment drawn and its second typed without a line."""
    fu1 = rich.timepoints[1]
    first = fu1.calipers[T3][0]
    assert first.kind is CaliperKind.FRAGMENT
    assert first.index == 0
    changed = replace(fu1, calipers={**fu1.calipers, T3: (first,)})
    return replace(rich, timepoints=(rich.timepoints[0], changed, rich.timepoints[2]))


def test_a_fragment_drawn_keeps_its_place_among_those_typed(
    sr_demo: Demo, rich: PatientRead, tmp_path: Path
) -> None:
    read = _split_t3(rich)
    paths = write_sr(read, sr_demo.images, tmp_path)
    (back,) = import_sr(paths, sr_demo.images)
    want, got = read.timepoints[1], back.timepoints[1]
    recorded = want.target(T3)
    assert recorded is not None
    assert recorded.fragments_mm == (Decimal("6.0"), Decimal("4.5"))
    assert got.target(T3) == recorded
    assert got.calipers[T3] == want.calipers[T3]
    fu1 = dcmread(paths[1])
    (t3,) = [g for g in lesion_groups(fu1) if identifier(g) == "T3"]
    (typed,) = [i for i in t3.ContentSequence if i.ValueType == "NUM"]
    assert float(typed.MeasuredValueSequence[0].NumericValue) == 4.5
    # UIDs not respond's (replaced by another tool): typed lengths come first
    for group in caliper_groups(fu1):
        (uid,) = named(group, "112040", "DCM")
        uid.UID = f"{uid.UID}1"
    fu1.save_as(paths[1])
    (other,) = import_sr(paths, sr_demo.images)
    target = other.timepoints[1].target(T3)
    assert target is not None
    assert target.fragments_mm == (Decimal("4.5"), Decimal("6.0"))


def test_calipers_without_their_lesion_group_still_import(
    sr_demo: Demo, demo_srs: list[Path], tmp_path: Path
) -> None:
    ds = dcmread(demo_srs[0])
    evaluations = container(ds, "C0034375", "UMLS")
    assert evaluations is not None
    evaluations.ContentSequence = [
        i
        for i in evaluations.ContentSequence
        if i.ValueType != "CONTAINER" or identifier(i) != "T1"
    ]
    path = tmp_path / "no-t1.dcm"
    ds.save_as(path)
    (back,) = import_sr([path], sr_demo.images)
    want, got = sr_demo.read.timepoints[0], back.timepoints[0]
    assert got.calipers[LesionId("T1")] == want.calipers[LesionId("T1")]
    target, recorded = got.target(LesionId("T1")), want.target(LesionId("T1"))
    assert target is not None
    assert recorded is not None
    assert (target.long_axis_mm, target.viable_mm) == (
        recorded.long_axis_mm,
        recorded.viable_mm,
    )
    assert "T1" in {lesion.id for lesion in back.lesions}
