"""import_sr: read -> write_sr -> import_sr gives the read back; bad files say why."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    demo_srs_fixture,
    rich_fixture,
    rich_srs_fixture,
    sr_demo_fixture,
)
from tests.integration.report.sr.srtree import lesion_groups, named

from respond.criteria import Clinical, PatientRead
from respond.report.deid import REMOVED
from respond.report.sr import SRImportError, import_sr, write_sr
from respond.report.sr import codes as c

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.report.sr.srbuild import Demo


def _without_clinical(read: PatientRead) -> PatientRead:
    """The SR carries imaging, not the clinical status, sign-off or decision."""
    return replace(
        read,
        timepoints=tuple(
            replace(
                tp,
                timepoint=replace(tp.timepoint, clinical=Clinical()),
                signed_by="",
                signed_at="",
                decision=None,
            )
            for tp in read.timepoints
        ),
    )


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-6


def _assert_same(back: PatientRead, read: PatientRead, *, calipers: bool) -> None:
    expected = _without_clinical(read)
    assert back.patient == expected.patient
    assert back.reader == expected.reader
    assert back.lesions == expected.lesions
    assert dict(back.tracking_uids) == dict(expected.tracking_uids)
    assert len(back.timepoints) == len(expected.timepoints)
    for got, want in zip(back.timepoints, expected.timepoints, strict=True):
        assert got.uid == want.uid
        assert got.study_uid == want.study_uid
        assert got.series_uid == want.series_uid
        assert got.timepoint == want.timepoint
        assert dict(got.new_lesion_uids) == dict(want.new_lesion_uids)
        if not calipers:
            assert not got.calipers
            continue
        assert set(got.calipers) == set(want.calipers)
        for lesion_id, drawn in want.calipers.items():
            restored = got.calipers[lesion_id]
            assert len(restored) == len(drawn)
            for k, w in zip(restored, drawn, strict=True):
                assert (k.kind, k.series_uid, k.sop_instance_uid, k.frame, k.index) == (
                    w.kind, w.series_uid, w.sop_instance_uid, w.frame, w.index
                )  # fmt: skip
                assert _close(k.start_mm, w.start_mm)
                assert _close(k.end_mm, w.end_mm)
                assert k.length_mm == w.length_mm


def test_demo_round_trip_is_exact(sr_demo: Demo, demo_srs: list[Path]) -> None:
    (back,) = import_sr(reversed(demo_srs), sr_demo.images)
    _assert_same(back, sr_demo.read, calipers=True)


def test_rich_round_trip_is_exact(
    sr_demo: Demo, rich: PatientRead, rich_srs: list[Path]
) -> None:
    (back,) = import_sr(rich_srs, sr_demo.images)
    _assert_same(back, rich, calipers=True)


def test_without_images_only_the_lengths_come_back(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    (back,) = import_sr(rich_srs)
    _assert_same(back, rich, calipers=False)


def test_deidentified_round_trip_keeps_lesions_and_intervals(
    sr_demo: Demo, rich: PatientRead, tmp_path: Path
) -> None:
    paths = write_sr(rich, sr_demo.images, tmp_path, deidentified=True)
    (back,) = import_sr(paths, sr_demo.images)
    assert back.patient.id.startswith("ANON-")
    assert back.patient.name is None
    assert back.patient.birth_date is None
    # identities and values survive; free-text notes do not (deidentify scrubs them)
    assert back.lesions == tuple(
        replace(les, note=REMOVED if les.note else "") for les in rich.lesions
    )
    shift = rich.timepoints[0].date - back.timepoints[0].date
    assert shift.days >= 30
    for got, want in zip(back.timepoints, rich.timepoints, strict=True):
        assert want.date - got.date == shift
        assert got.timepoint.targets == {
            k: replace(v, note=REMOVED if v.note else "")
            for k, v in want.timepoint.targets.items()
        }


def test_patients_are_grouped(
    sr_demo: Demo, demo_srs: list[Path], rich_srs: list[Path], tmp_path: Path
) -> None:
    other = write_sr(sr_demo.read, sr_demo.images, tmp_path, deidentified=True)
    reads = import_sr([*demo_srs, *other], sr_demo.images)
    assert [r.patient.id for r in reads] == [
        sr_demo.read.patient.id,
        reads[1].patient.id,
    ]
    assert reads[1].patient.id.startswith("ANON-")
    assert all(len(r.timepoints) == 3 for r in reads)


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not DICOM\n", encoding="utf-8")
    with pytest.raises(SRImportError, match="cannot be read as DICOM") as caught:
        import_sr([path])
    assert str(path) in str(caught.value)


def test_an_image_is_not_an_sr(sr_demo: Demo) -> None:
    image = next(sr_demo.dicom_root.rglob("*.dcm"))
    with pytest.raises(SRImportError, match=r"is not a DICOM SR \(CT Image Storage\)"):
        import_sr([image])


def test_an_sr_that_is_not_tid_1500_is_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    ds = dcmread(demo_srs[0])
    del ds.ContentTemplateSequence
    ds.ConceptNameCodeSequence[0].CodeValue = "18748-4"
    ds.ConceptNameCodeSequence[0].CodingSchemeDesignator = "LN"
    path = tmp_path / "other.dcm"
    ds.save_as(path)
    with pytest.raises(SRImportError, match="not a TID 1500 measurement report"):
        import_sr([path])


def test_an_unknown_private_code_is_named(demo_srs: list[Path], tmp_path: Path) -> None:
    ds = dcmread(demo_srs[0])
    for item in ds.iterall():
        if item.keyword == "CodeValue" and item.value == "TARGET-STATUS":
            item.value = "TARGET-MOOD"
    path = tmp_path / "odd.dcm"
    ds.save_as(path)
    with pytest.raises(SRImportError, match="TARGET-MOOD") as caught:
        import_sr([path])
    assert str(path) in str(caught.value)


def test_an_unknown_coded_value_is_named(demo_srs: list[Path], tmp_path: Path) -> None:
    ds = dcmread(demo_srs[0])
    for item in ds.iterall():
        if (
            item.keyword == "CodeValue"
            and item.value == c.TARGET_STATUSES[next(iter(c.TARGET_STATUSES))].value
        ):
            item.value = "SOMETIMES"
    path = tmp_path / "odd.dcm"
    ds.save_as(path)
    with pytest.raises(SRImportError, match="SOMETIMES"):
        import_sr([path])


def test_a_repeated_time_point_is_refused(demo_srs: list[Path]) -> None:
    with pytest.raises(SRImportError, match="repeats time point BL"):
        import_sr([demo_srs[0], demo_srs[0]])


def test_two_time_points_on_one_date_are_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    baseline = dcmread(demo_srs[0])
    follow_up = dcmread(demo_srs[1])
    follow_up.StudyDate = baseline.StudyDate
    path = tmp_path / "same-day.dcm"
    follow_up.save_as(path)
    with pytest.raises(SRImportError, match="one time point per date") as caught:
        import_sr([demo_srs[0], path])
    assert str(path) in str(caught.value)
    assert str(demo_srs[0]) in str(caught.value)


def test_a_tracking_identifier_twice_in_one_report_is_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    ds = dcmread(demo_srs[0])
    # the lesion groups (a lesion's calipers share its id, in their own groups)
    first, second, *_ = (named(g, "112039", "DCM")[0] for g in lesion_groups(ds))
    second.TextValue = first.TextValue
    path = tmp_path / "twice.dcm"
    ds.save_as(path)
    with pytest.raises(
        SRImportError, match=f"tracking identifier {first.TextValue} names two"
    ) as caught:
        import_sr([path])
    assert str(path) in str(caught.value)


def test_organ_text_wins_over_the_finding_site_in_any_order(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    ds = dcmread(demo_srs[0])
    group = lesion_groups(ds)[0]
    (organ,) = named(group, "ORGAN", c.PRIVATE)
    organ.TextValue = "liver, left lobe"
    content = group.ContentSequence
    # the ORGAN text before the finding site, as another writer may put it
    content.remove(organ)
    content.insert(0, organ)
    path = tmp_path / "organ.dcm"
    ds.save_as(path)
    (back,) = import_sr([path])
    assert back.lesions[0].organ == "liver, left lobe"
