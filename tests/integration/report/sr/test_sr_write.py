"""write_sr: one TID 1500 report per time point, valid, readable by highdicom."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import replace
from typing import TYPE_CHECKING

import highdicom as hd
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    demo_srs_fixture,
    rich_fixture,
    rich_srs_fixture,
    sr_demo_fixture,
)
from tests.integration.report.sr.srtree import (
    CALIPER,
    all_values,
    code_of,
    container,
    identifier,
    items,
    lesion_groups,
    named,
    tracking_uid,
)

import respond.report.sr
from respond.criteria import (
    CaliperKind,
    Criterion,
    LesionId,
    Patient,
    Response,
    assess,
)
from respond.report.images import ImageIndex, ImageNotFoundError
from respond.report.sr import codes as c
from respond.report.sr import write_sr
from respond.report.sr._header import person_name

if TYPE_CHECKING:
    from pathlib import Path

    from tests.integration.report.sr.srbuild import Demo

    from respond.criteria import PatientRead


def test_public_names_resolve() -> None:
    for name in respond.report.sr.__all__:
        assert getattr(respond.report.sr, name) is not None


def test_one_report_per_time_point(sr_demo: Demo, demo_srs: list[Path]) -> None:
    assert len(demo_srs) == len(sr_demo.read.timepoints) == 3
    for path, tp in zip(demo_srs, sr_demo.read.timepoints, strict=True):
        sr = hd.sr.srread(path)
        assert isinstance(sr, hd.sr.Comprehensive3DSR)
        assert sr.StudyInstanceUID == tp.study_uid
        assert sr.StudyDate == tp.date.strftime("%Y%m%d")
        assert sr.PatientID == sr_demo.read.patient.id
        assert isinstance(sr.content, hd.sr.MeasurementReport)


def test_highdicom_finds_each_caliper_as_a_group_with_its_length(
    sr_demo: Demo, demo_srs: list[Path]
) -> None:
    for path, tp in zip(demo_srs, sr_demo.read.timepoints, strict=True):
        report = hd.sr.srread(path).content
        assert isinstance(report, hd.sr.MeasurementReport)
        groups = report.get_image_measurement_groups()
        # the groups a viewer draws: one per caliper at this time point
        expected = sorted(
            (CALIPER + lesion_id, caliper.kind.value)
            for lesion_id, drawn in tp.calipers.items()
            for caliper in drawn
        )
        assert expected
        kinds = {c.key(code): kind for kind, code in c.LENGTHS.items()}
        found = []
        for group in groups:
            (measurement,) = group.get_measurements()
            kind = kinds[(measurement.name.scheme_designator, measurement.name.value)]
            found.append((group.tracking_identifier or "", kind.value))
            lesion_id = LesionId((group.tracking_identifier or "")[len(CALIPER) :])
            lesion_uid = sr_demo.read.tracking_uids.get(
                lesion_id
            ) or tp.new_lesion_uids.get(lesion_id)
            assert group.tracking_uid not in (None, lesion_uid)
            assert [s.value.value for s in group.finding_sites] == [
                codes.SCT.Liver.value
            ]
            assert measurement.unit == codes.UCUM.Millimeter
            assert measurement.referenced_coordinates is not None
            target = tp.target(lesion_id)
            assert target is not None
            recorded = {
                CaliperKind.LONG_AXIS: target.long_axis_mm,
                CaliperKind.VIABLE: target.viable_mm,
            }[kind]
            assert measurement.value == pytest.approx(float(recorded or 0))
        assert sorted(found) == expected


def test_time_point_context(sr_demo: Demo, demo_srs: list[Path]) -> None:
    for order, path in enumerate(demo_srs):
        tp = sr_demo.read.timepoints[order]
        root = dcmread(path)
        (label, *_) = named(root, "C2348792", "UMLS")
        assert label.TextValue == tp.label
        (kind, *_) = named(root, "126072", "DCM")
        expected = c.BASELINE if order == 0 else c.POSTTREATMENT
        assert code_of(kind) == c.key(expected)
        # no Time Point Order: viewers list that NUM as a lesion's measurement
        assert named(root, "126073", "DCM") == []
        (ident, *_) = named(root, "126070", "DCM")
        assert ident.TextValue == tp.uid


def test_the_title_is_imaging_measurement_report(demo_srs: list[Path]) -> None:
    for path in demo_srs:
        root = dcmread(path)
        assert concept_of(root) == ("DCM", "126000")
        assert root.ContentTemplateSequence[0].TemplateIdentifier == "1500"


def concept_of(item: Dataset) -> tuple[str, str]:
    name = item.ConceptNameCodeSequence[0]
    return (name.CodingSchemeDesignator, name.CodeValue)


def _has_scoord(item: Dataset) -> bool:
    return any(i.ValueType in ("SCOORD", "SCOORD3D") for i in items(item))


def test_every_drawn_group_has_a_region_and_the_others_are_set_apart(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    """OHIF's SR loader fails on a measurement group without coordinates."""
    for path, tp in zip(rich_srs, rich.timepoints, strict=True):
        root = dcmread(path)
        drawn = container(root, "126010", "DCM")
        evaluations = container(root, "C0034375", "UMLS")
        assert evaluations is not None
        in_measurements = [] if drawn is None else named(drawn, "125007", "DCM")
        assert all(_has_scoord(g) for g in in_measurements)
        assert all(identifier(g).startswith(CALIPER) for g in in_measurements)
        apart = named(evaluations, "125007", "DCM")
        assert not any(_has_scoord(g) for g in apart)
        # a lesion group for every lesion and new finding, even without content
        every = [les.id for les in rich.lesions]
        every += [n.id for n in tp.timepoint.new_lesions]
        assert [identifier(g) for g in apart] == every
        assert {identifier(g)[len(CALIPER) :] for g in in_measurements} <= set(every)


def test_scoords_map_back_to_caliper_end_points(
    sr_demo: Demo, rich: PatientRead, rich_srs: list[Path]
) -> None:
    checked = 0
    for path, tp in zip(rich_srs, rich.timepoints, strict=True):
        ends = {
            (k.sop_instance_uid, k.start_mm, k.end_mm)
            for drawn in tp.calipers.values()
            for k in drawn
        }
        for item in items(dcmread(path)):
            if item.ValueType != "SCOORD":
                continue
            assert item.RelationshipType == "INFERRED FROM"
            assert item.GraphicType == "POLYLINE"
            (image,) = item.ContentSequence
            assert image.RelationshipType == "SELECTED FROM"
            sop = image.ReferencedSOPSequence[0].ReferencedSOPInstanceUID
            assert image.ReferencedSOPSequence[0].ReferencedSOPClassUID == (
                "1.2.840.10008.5.1.4.1.1.2"
            )
            ref = sr_demo.images.require(sop)
            x0, y0, x1, y1 = (float(v) for v in item.GraphicData)
            start, end = ref.to_patient(x0, y0), ref.to_patient(x1, y1)
            match = [e for e in ends if e[0] == sop and _close(e[1], start)]
            assert match, f"no caliper starts at {start} on {sop}"
            assert any(_close(e[2], end) for e in match)
            checked += 1
    assert checked == sum(
        len(d) for tp in rich.timepoints for d in tp.calipers.values()
    )


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-6


def test_target_without_caliper_is_a_length_without_scoord(
    rich_srs: list[Path],
) -> None:
    root = dcmread(rich_srs[0])
    (group,) = [
        g
        for g in named(root, "125007", "DCM")
        if named(g, "112039", "DCM")[0].TextValue == "T4"
    ]
    (length,) = named(group, *reversed(c.key(codes.SCT.LongAxis)))
    assert float(length.MeasuredValueSequence[0].NumericValue) == 12.5
    assert "ContentSequence" not in length


def test_a_non_target_nodes_short_axis_is_a_length_in_its_group(
    rich_srs: list[Path],
) -> None:
    for path, expected in zip(rich_srs, (22.0, 9.5, None), strict=True):
        (group,) = [
            g
            for g in named(dcmread(path), "125007", "DCM")
            if named(g, "112039", "DCM")[0].TextValue == "N3"
        ]
        lengths = [
            i
            for i in group.ContentSequence
            if i.ValueType == "NUM" and i.RelationshipType == "CONTAINS"
        ]
        if expected is None:
            assert lengths == []
            continue
        (length,) = lengths
        name = length.ConceptNameCodeSequence[0]
        assert (name.CodingSchemeDesignator, name.CodeValue) == c.key(
            codes.SCT.ShortAxis
        )
        assert length.RelationshipType == "CONTAINS"
        measured = length.MeasuredValueSequence[0]
        assert float(measured.NumericValue) == expected
        unit = measured.MeasurementUnitsCodeSequence[0]
        assert (unit.CodingSchemeDesignator, unit.CodeValue) == c.key(c.MM)
        assert "ContentSequence" not in length
        (status,) = named(group, *reversed(c.key(c.NON_TARGET_STATUS)))
        assert code_of(status) == c.key(codes.SCT.Present)


def _method(item: Dataset) -> tuple[str, str]:
    """The criterion a response item was judged by (its one concept modifier)."""
    (modifier,) = item.ContentSequence
    assert modifier.RelationshipType == "HAS CONCEPT MOD"
    assert concept_of(modifier) == ("DCM", "112021")  # Response Evaluation Method
    return code_of(modifier)


def test_categories_are_coded_for_follow_ups(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    assessment = assess(rich.to_case())
    baseline = dcmread(rich_srs[0])
    assert not named(baseline, "112048", "DCM")
    methods = {
        Criterion.RECIST11: ("DCM", "126081"),  # RECIST 1.1 (CID 6147)
        Criterion.MRECIST: (c.PRIVATE, "MRECIST"),
    }
    for path, tp in zip(rich_srs[1:], assessment.timepoints[1:], strict=True):
        root = dcmread(path)
        overall_by_method = {_method(i): i for i in named(root, "112048", "DCM")}
        assert set(overall_by_method) == set(methods.values())
        for criterion, prefix in (
            (Criterion.RECIST11, "RECIST"),
            (Criterion.MRECIST, "MRECIST"),
        ):
            result = tp.results[criterion]
            overall = overall_by_method[methods[criterion]]
            assert result.overall is not None
            assert code_of(overall) == c.key(c.OVERALL_RESPONSES[result.overall])
            (target,) = named(root, f"{prefix}-T", c.PRIVATE)
            assert _method(target) == methods[criterion]
            assert result.target is not None
            assert code_of(target) == c.key(c.TARGET_RESPONSES[result.target])
            (non_target,) = named(root, f"{prefix}-NT", c.PRIVATE)
            assert result.non_target is not None
            expected = c.NON_TARGET_RESPONSES[result.non_target]
            assert code_of(non_target) == c.key(expected)
            (new,) = named(root, f"{prefix}-NEW", c.PRIVATE)
            assert _method(new) == methods[criterion]
            assert code_of(new) == c.key(
                c.NEW_LESIONS_PRESENT[bool(result.new_lesions)]
            )
    fu1 = assessment.timepoints[1].results[Criterion.RECIST11]
    assert fu1.target is Response.SD
    (code,) = named(dcmread(rich_srs[1]), "RECIST-T", c.PRIVATE)
    assert code_of(code) == ("DCM", "112044")  # Target Lesion Stable Disease


NO_DCIODVFY = pytest.mark.skipif(
    shutil.which("dciodvfy") is None,
    reason="dciodvfy (dicom3tools) is not installed: 'make tools' installs it",
)


def _dciodvfy_errors(path: Path) -> list[str]:
    result = subprocess.run(["dciodvfy", str(path)], capture_output=True, check=False)
    output = (result.stdout + result.stderr).decode("latin-1")
    return [line for line in output.splitlines() if line.startswith("Error")]


@NO_DCIODVFY
def test_dciodvfy_finds_no_errors(demo_srs: list[Path], rich_srs: list[Path]) -> None:
    for path in (*demo_srs, *rich_srs):
        errors = _dciodvfy_errors(path)
        assert not errors, f"{path.name}:\n" + "\n".join(errors)


@NO_DCIODVFY
def test_dciodvfy_finds_no_errors_in_deidentified_reports(
    sr_demo: Demo, rich: PatientRead, tmp_path: Path
) -> None:
    paths = write_sr(rich, sr_demo.images, tmp_path, deidentified=True, salt="s")
    for path in paths:
        errors = _dciodvfy_errors(path)
        assert not errors, f"{path.name}:\n" + "\n".join(errors)


def test_names_beyond_ascii_are_utf8(sr_demo: Demo, tmp_path: Path) -> None:
    read = replace(
        sr_demo.read,
        patient=Patient("MRN-1", "Müller^Hans", None),
        reader="Jörg Ærø",
    )
    paths = write_sr(read, sr_demo.images, tmp_path)
    ds = dcmread(paths[0])
    assert ds.SpecificCharacterSet == "ISO_IR 192"
    assert ds.PatientName == "Müller^Hans"
    assert "Müller".encode() in paths[0].read_bytes()
    (back,) = respond.report.sr.import_sr(paths)
    assert back.patient.name == "Müller^Hans"
    assert back.reader == "Jörg Ærø"
    if shutil.which("dciodvfy") is not None:
        assert not _dciodvfy_errors(paths[0])


def test_a_backslash_in_a_name_is_not_a_second_value(
    sr_demo: Demo, tmp_path: Path
) -> None:
    read = replace(
        sr_demo.read,
        patient=Patient("MRN-1", "Doe\\Roe^Jane", None),
        reader="dr\\b",
    )
    paths = write_sr(read, sr_demo.images, tmp_path)
    ds = dcmread(paths[0])
    assert ds.PatientName == "Doe/Roe^Jane"
    (observer,) = named(ds, "121008", "DCM")
    assert observer.PersonName == "dr/b^"


def test_tracking_uids_are_made_once_per_read(sr_demo: Demo, tmp_path: Path) -> None:
    """A lesion without a stored UID gets one, the same in every report."""
    read = replace(sr_demo.read, tracking_uids={})
    paths = write_sr(read, sr_demo.images, tmp_path)
    uids: dict[str, set[str]] = {}
    for path in paths:
        for group in lesion_groups(dcmread(path)):
            uids.setdefault(identifier(group), set()).add(tracking_uid(group))
    lesion_ids = {lesion.id for lesion in read.lesions}
    assert lesion_ids <= set(uids)
    assert all(len(found) == 1 for found in uids.values()), uids
    (back,) = respond.report.sr.import_sr(paths)
    assert {k: {v} for k, v in back.tracking_uids.items()} == {
        k: v for k, v in uids.items() if k in lesion_ids
    }


def test_missing_image_is_named_and_nothing_written(
    sr_demo: Demo, tmp_path: Path
) -> None:
    with pytest.raises(ImageNotFoundError, match="--images") as caught:
        write_sr(sr_demo.read, ImageIndex.empty(), tmp_path / "out")
    first = sr_demo.read.timepoints[0].calipers
    assert any(
        k.sop_instance_uid in str(caught.value) for d in first.values() for k in d
    )
    assert not (tmp_path / "out").exists()


def test_deidentified_reports_hold_no_identifying_values(
    sr_demo: Demo, tmp_path: Path
) -> None:
    identified = replace(
        sr_demo.read,
        patient=Patient("HOSP-77123", "Identifiable^Person", dt.date(1951, 7, 14)),
    )
    paths = write_sr(identified, sr_demo.images, tmp_path, deidentified=True, salt="s")
    secrets = {"HOSP-77123", "Identifiable", "19510714", "1951-07-14"}
    for tp in identified.timepoints:
        secrets |= {tp.date.strftime("%Y%m%d"), tp.date.isoformat()}
        # the original UIDs: studies, series, images, tracking, time points
        secrets |= {tp.study_uid, tp.series_uid, tp.uid}
        secrets |= {k.sop_instance_uid for d in tp.calipers.values() for k in d}
        secrets |= set(tp.new_lesion_uids.values())
    secrets |= set(identified.tracking_uids.values())
    secrets.discard("")
    for path in paths:
        assert "HOSP-77123" not in path.name
        ds = dcmread(path)
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.DeidentificationMethod
        assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
        assert ds.PatientID.startswith("ANON-")
        assert ds.PatientBirthDate == ""
        values = [*all_values(ds), *all_values(ds.file_meta)]
        leaks = {s for s in secrets for v in values if s in v}
        assert not leaks, f"{path.name} holds {leaks}"


def test_deidentified_reports_are_dated_by_their_shifted_study_date(
    sr_demo: Demo, tmp_path: Path
) -> None:
    today = dt.date.today().strftime("%Y%m%d")
    paths = write_sr(sr_demo.read, sr_demo.images, tmp_path, deidentified=True)
    for path in paths:
        ds = dcmread(path)
        assert ds.ContentDate == ds.InstanceCreationDate == ds.StudyDate
        for equipment in ds.get("ContributingEquipmentSequence", []):
            assert str(equipment.ContributionDateTime).startswith(ds.StudyDate)
        assert not [v for v in all_values(ds) if today in v]


def test_patient_and_study_attributes_come_from_the_images(
    sr_demo: Demo, demo_srs: list[Path]
) -> None:
    """A PACS lists the study by what its objects say: the SR agrees with its images."""
    for path, tp in zip(demo_srs, sr_demo.read.timepoints, strict=True):
        sr = dcmread(path)
        image = next(
            dcmread(ref.frame.path, stop_before_pixels=True)
            for drawn in tp.calipers.values()
            for caliper in drawn
            if (ref := sr_demo.images.require(caliper.sop_instance_uid)).study_uid
            == sr.StudyInstanceUID
        )
        for keyword in ("PatientID", "PatientSex", "StudyTime", "StudyID"):
            assert sr.get(keyword) == image.get(keyword), keyword
        assert sr.AccessionNumber == image.AccessionNumber != ""
        # the read's own name stays (what respond shows and imports by)
        assert sr.PatientName == person_name(sr_demo.read.patient.name or "")


def test_the_same_name_is_spelt_as_the_images_spell_it(
    sr_demo: Demo, tmp_path: Path
) -> None:
    """``Demo^Synthetic^`` is the images' ``Demo^Synthetic``: one entry in a PACS."""
    patient = replace(sr_demo.read.patient, name="Demo^Synthetic^")
    (path, *_) = write_sr(
        replace(sr_demo.read, patient=patient), sr_demo.images, tmp_path
    )
    assert dcmread(path).PatientName == "Demo^Synthetic"
    other = replace(sr_demo.read.patient, name="Demo^Other")
    (path, *_) = write_sr(
        replace(sr_demo.read, patient=other), sr_demo.images, tmp_path / "o"
    )
    assert dcmread(path).PatientName == "Demo^Other"


def test_the_best_overall_response_so_far_is_in_every_follow_up(
    rich: PatientRead, rich_srs: list[Path]
) -> None:
    assessment = assess(rich.to_case())
    assert not named(dcmread(rich_srs[0]), "112049", "DCM")
    methods = {
        ("DCM", "126081"): Criterion.RECIST11,
        (c.PRIVATE, "MRECIST"): Criterion.MRECIST,
    }
    last = {
        methods[_method(item)]: code_of(item)
        for item in named(dcmread(rich_srs[-1]), "112049", "DCM")
    }
    expected = {
        criterion: c.key(c.OVERALL_RESPONSES[response])
        for criterion, response in assessment.best_overall.items()
        if response is not None
    }
    assert expected
    assert last == expected  # the last report's is the read's best response
    # each report: the best response of the read as it stood at that time point
    for k, path in enumerate(rich_srs[1:], start=2):
        then = assess(replace(rich, timepoints=rich.timepoints[:k]).to_case())
        got = {
            methods[_method(item)]: code_of(item)
            for item in named(dcmread(path), "112049", "DCM")
        }
        assert got == {
            criterion: c.key(c.OVERALL_RESPONSES[response])
            for criterion, response in then.best_overall.items()
            if response is not None
        }
