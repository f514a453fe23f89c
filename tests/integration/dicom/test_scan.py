"""Examining real folders: what the reader is offered, with which warnings.

Every set of ``shared/data/dicom`` (see its MANIFEST.md) is scanned and checked
against what the manifest says it must show; broken variants of the liver series
are made in ``tmp_path``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from tests.integration.dicom.conftest import (
    EDGE,
    ENHANCED_XA10,
    FILESET,
    HEAD_TILT,
    LIVER,
    PHILIPS_SAG,
    TRANSFER_SYNTAXES,
    copy_files,
)

from respond.dicom import (
    NotDicomError,
    Phase,
    Readiness,
    Severity,
    load_series,
    scan,
    scan_document,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import DicomFinding, ScanResult, SeriesCandidate

EXPLICIT_LE = "1.2.840.10008.1.2.1"
ARTERIAL = {Phase.ARTERIAL, Phase.LATE_ARTERIAL}
FINDING_CODES = {
    "duplicate_positions",
    "uneven_spacing",
    "missing_slices",
    "gantry_tilt",
    "single_slice",
    "thick_slices",
    "missing_pixel_spacing",
    "missing_geometry",
    "bad_geometry",
    "unsupported_transfer_syntax",
    "lossy_compression",
    "mixed_rescale",
    "localizer",
    "missing_pixel_data",
    "no_pixel_data",
    "not_arterial_phase",
    "secondary_capture",
    "modality_lut",
    "truncated_pixel_data",
    "no_pixel_module",
    "colour_image",
    "bad_image_size",
    "bad_pixel_format",
    "pixel_data_length",
    "frame_count",
    "bad_rescale",
    "bad_modality_lut",
    "bad_pixel_spacing",
    "displaced_slices",
    "separated_slices",
    "series_not_examined",
    "phase_disputed",
}
DICOMDIR_VARIANTS = [
    "DICOMDIR-bigEnd",
    "DICOMDIR-implicit",
    "DICOMDIR-nooffset",
    "DICOMDIR-reordered",
    "DICOMDIR-nopatient",
]


def codes(candidate: SeriesCandidate) -> set[str]:
    return {f.code for f in candidate.findings}


def finding(candidate: SeriesCandidate, code: str) -> DicomFinding:
    matches = [f for f in candidate.findings if f.code == code]
    assert matches, f"{code} not among {sorted(codes(candidate))}"
    return matches[0]


def offsets_along_normal(candidate: SeriesCandidate) -> np.ndarray:
    """Each frame's position along the normal, computed here from IPP and IOP."""
    orientation = np.asarray(candidate.frames[0].orientation, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    positions = [f.position for f in candidate.frames]
    assert all(p is not None for p in positions)
    return np.asarray(positions, dtype=float) @ normal


def header(path: Path) -> pydicom.Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True, force=True)


def series_summary(result: ScanResult) -> list[tuple[object, ...]]:
    """What the reader is offered, independent of how the files were found."""
    return sorted(
        (
            c.series_uid,
            c.key,
            c.image_count,
            tuple(f.sop_instance_uid for f in c.frames),
            c.readiness,
            tuple(sorted(codes(c))),
        )
        for c in result.series
    )


# --- the liver CT: the reference case -------------------------------------------


def test_liver_folder_is_one_patient_one_study_one_series(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(LIVER)
    assert result.files_seen == 89
    assert result.unreadable == ()
    assert result.non_image == ()
    assert result.findings == ()
    (patient,) = result.patients
    assert (patient.id, patient.name) == ("Patient_01", "Patient_01")
    (study,) = patient.studies
    assert study.date == "20010812"
    (series,) = study.series
    assert series is result.series[0]
    assert series.series_number == 6
    assert series.description == "Recon 3: LIVER 2 PHASE (C/A/P)"
    assert series.modality == "CT"


def test_liver_series_is_89_axial_slices_of_0_703_mm_every_2_5_mm(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(LIVER).series
    assert series.image_count == 89
    assert (series.rows, series.columns) == (512, 512)
    assert series.pixel_spacing == (0.703125, 0.703125)
    assert series.spacing_mm == pytest.approx(2.5, abs=1e-9)
    assert series.slice_thickness == 2.5
    assert series.orientation_label == "axial"
    assert series.transfer_syntaxes == (EXPLICIT_LE,)
    assert series.split_reason == ""
    assert not series.is_localizer
    z = [(f.position or (0.0, 0.0, 0.0))[2] for f in series.frames]
    assert z == pytest.approx(list(np.arange(-396.0, -175.0, 2.5)), abs=1e-6)
    assert len({f.sop_instance_uid for f in series.frames}) == 89
    assert all(f.rescale_slope == 1.0 for f in series.frames)
    assert all(f.rescale_intercept == -1024.0 for f in series.frames)


def test_liver_series_is_ready_with_only_the_phase_note(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(LIVER).series
    assert series.readiness is Readiness.READY
    assert {f.severity for f in series.findings} <= {Severity.INFO}
    assert codes(series) == {"not_arterial_phase"}


def test_liver_portal_venous_series_is_not_offered_as_arterial(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(LIVER).series
    assert series.phase.is_contrast is True
    assert series.phase.phase not in ARTERIAL
    assert series.phase.evidence
    note = finding(series, "not_arterial_phase")
    assert note.severity is Severity.INFO
    assert "arterial" in note.message


# --- the tilted, unevenly spaced head CT ------------------------------------------


def test_tilted_head_ct_warns_of_tilt_and_uneven_spacing(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(HEAD_TILT).series
    assert series.image_count == 28
    assert codes(series) >= {"gantry_tilt", "uneven_spacing"}
    assert not codes(series) & {"duplicate_positions", "missing_slices"}
    assert finding(series, "gantry_tilt").severity is Severity.WARNING
    assert finding(series, "uneven_spacing").severity is Severity.WARNING
    assert "18.5 degrees" in finding(series, "gantry_tilt").message
    # the image plane itself is tilted 18.5 degrees off axial
    assert series.orientation_label in {"axial", "oblique (axial)"}
    assert series.readiness is Readiness.CAUTION
    assert series.pixel_spacing == pytest.approx((0.4882812, 0.4882812))


def test_tilted_head_ct_gaps_come_from_positions_not_slice_thickness(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(HEAD_TILT).series
    offsets = offsets_along_normal(series)
    gaps = np.diff(offsets)
    assert np.all(gaps > 0), "frames are not sorted along the slice normal"
    assert sorted(np.round(gaps, 1)) == [1.1] + [4.0] * 13 + [7.0] * 13
    # the gaps are measured from each file's own header, not from the scan
    for frame in series.frames:
        ds = header(frame.path)
        assert frame.position == pytest.approx(
            [float(v) for v in ds.ImagePositionPatient]
        )
        assert frame.orientation == pytest.approx(
            [float(v) for v in ds.ImageOrientationPatient]
        )
    assert series.slice_thickness == 4.0
    assert series.spacing_mm == pytest.approx(float(np.median(gaps)), abs=1e-6)


# --- the sagittal Philips MR --------------------------------------------------------


def test_philips_sagittal_mr_is_170_slices_1_mm_apart(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (series,) = shared_scan(PHILIPS_SAG).series
    assert series.image_count == 170
    assert series.orientation_label == "sagittal"
    assert series.pixel_spacing == (1.0, 1.0)
    assert series.spacing_mm == pytest.approx(1.0, abs=1e-5)
    assert series.readiness is Readiness.READY
    gaps = np.diff(offsets_along_normal(series))
    assert gaps == pytest.approx(np.ones(169), abs=1e-4)
    slopes = [f.rescale_slope for f in series.frames]
    assert slopes == pytest.approx([2.36166056166056] * 170)


def test_philips_slices_are_sorted_along_the_normal_not_by_file_name(
    shared_scan: Callable[[str], ScanResult], shared_dicom: Path, tmp_path: Path
) -> None:
    original = shared_scan(PHILIPS_SAG).series[0]
    sources = sorted((shared_dicom / PHILIPS_SAG).iterdir())
    assert len(sources) == 170
    folder = tmp_path / "renamed"
    folder.mkdir()
    # reverse the names: file order now runs against the slice order
    for index, source in enumerate(sources):
        (folder / f"{len(sources) - index:04d}.dcm").write_bytes(source.read_bytes())
    (series,) = scan(folder).series
    assert [f.sop_instance_uid for f in series.frames] == [
        f.sop_instance_uid for f in original.frames
    ]
    assert np.all(np.diff(offsets_along_normal(series)) > 0.99)
    names = [f.path.name for f in series.frames]
    assert names == sorted(names, reverse=True)


# --- one slice in nine transfer syntaxes --------------------------------------------


def test_nine_transfer_syntaxes_are_not_stacked_into_a_zero_spacing_volume(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(TRANSFER_SYNTAXES)
    assert len({c.series_uid for c in result.series}) == 1
    assert len(result.series) == 9
    for candidate in result.series:
        assert candidate.image_count == 1
        assert candidate.split_reason
        assert candidate.spacing_mm is None
        assert candidate.readiness is not Readiness.NOT_LOADABLE
    assert sorted(c.series_number or 0 for c in result.series) == list(range(1, 10))
    assert len({c.key for c in result.series}) == 9


def test_each_transfer_syntax_candidate_keeps_its_own_file_and_syntax(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    for candidate in shared_scan(TRANSFER_SYNTAXES).series:
        (frame,) = candidate.frames
        assert frame.path.name == f"{candidate.series_number}.dcm"
        meta = pydicom.dcmread(frame.path, stop_before_pixels=True).file_meta
        assert candidate.transfer_syntaxes == (str(meta.TransferSyntaxUID),)
        assert "unsupported_transfer_syntax" not in codes(candidate)


# --- enhanced multi-frame ------------------------------------------------------------


def test_xa10_four_time_points_are_four_volumes_not_24_slices(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(ENHANCED_XA10)
    assert len(result.series) == 4
    files = set()
    for candidate in result.series:
        assert candidate.image_count == 6
        assert candidate.split_reason
        (path,) = {f.path for f in candidate.frames}
        files.add(path.name)
        assert sorted(f.frame or 0 for f in candidate.frames) == list(range(6))
        assert candidate.readiness is Readiness.READY
        assert "duplicate_positions" not in codes(candidate)
    assert files == {"6_1.dcm", "6_2.dcm", "6_3.dcm", "6_4.dcm"}


def test_xa10_geometry_comes_from_functional_groups_not_a_1_mm_default(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    for candidate in shared_scan(ENHANCED_XA10).series:
        ds = pydicom.dcmread(candidate.frames[0].path, stop_before_pixels=True)
        assert "PixelSpacing" not in ds
        assert "ImagePositionPatient" not in ds
        per_frame = ds.PerFrameFunctionalGroupsSequence
        for frame in candidate.frames:
            group = per_frame[frame.frame]
            ipp = group.PlanePositionSequence[0].ImagePositionPatient
            spacing = group.PixelMeasuresSequence[0].PixelSpacing
            assert frame.position == pytest.approx([float(v) for v in ipp])
            assert frame.pixel_spacing == pytest.approx([float(v) for v in spacing])
        assert candidate.pixel_spacing == pytest.approx((3.375, 3.375))
        assert candidate.spacing_mm == pytest.approx(2.4, abs=1e-6)
        assert candidate.orientation_label == "axial"
        assert np.diff(offsets_along_normal(candidate)) == pytest.approx(
            [2.4] * 5, abs=1e-4
        )


def test_enhanced_ct_frames_are_sorted_with_their_own_positions(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (candidate,) = shared_scan(f"{EDGE}/eCT_Supplemental.dcm").series
    assert candidate.modality == "CT"
    assert candidate.image_count == 2
    assert candidate.pixel_spacing == pytest.approx((0.388672, 0.388672))
    assert candidate.spacing_mm == pytest.approx(10.0)
    assert np.diff(offsets_along_normal(candidate)) == pytest.approx([10.0])
    assert {f.rescale_intercept for f in candidate.frames} == {-1024.0}
    assert "thick_slices" in codes(candidate)
    assert candidate.readiness is Readiness.READY


def test_enhanced_mr_without_geometry_is_not_measurable(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (candidate,) = shared_scan(f"{EDGE}/emri_small.dcm").series
    assert candidate.image_count == 10
    assert candidate.readiness is Readiness.NOT_MEASURABLE
    assert candidate.pixel_spacing is None
    assert candidate.spacing_mm is None
    assert codes(candidate) & {"missing_pixel_spacing", "missing_geometry"}
    errors = [f for f in candidate.findings if f.severity is Severity.ERROR]
    assert errors
    assert "mm" in errors[0].message


# --- DICOMDIR --------------------------------------------------------------------


def test_dicomdir_lists_the_31_referenced_images(
    shared_scan: Callable[[str], ScanResult], shared_dicom: Path
) -> None:
    result = shared_scan(f"{FILESET}/DICOMDIR")
    assert result.dicomdirs == (shared_dicom / FILESET / "DICOMDIR",)
    assert result.files_seen == 31
    assert sum(c.image_count for c in result.series) == 31
    assert result.unreadable == ()
    assert result.findings == ()
    per_series: dict[str, int] = {}
    for candidate in result.series:
        uid = candidate.series_uid
        per_series[uid] = per_series.get(uid, 0) + candidate.image_count
    assert set(per_series.values()) == {1, 2, 3, 4, 5, 7}
    assert all("TINY_ALPHA" not in str(f.path) for c in result.series for f in c.frames)
    patients = {p.id for p in result.patients}
    assert patients == {"77654033", "98890234"}


@pytest.mark.parametrize("variant", DICOMDIR_VARIANTS)
def test_dicomdir_variants_give_the_same_series(
    shared_scan: Callable[[str], ScanResult], variant: str
) -> None:
    reference = series_summary(shared_scan(f"{FILESET}/DICOMDIR"))
    result = shared_scan(f"{FILESET}/{variant}")
    assert result.findings == ()
    assert series_summary(result) == reference


def test_empty_dicomdir_falls_back_to_scanning_its_folder(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(f"{FILESET}/DICOMDIR-empty.dcm")
    (problem,) = [f for f in result.findings if f.code == "dicomdir_unusable"]
    assert problem.severity is Severity.WARNING
    assert "DICOMDIR-empty.dcm" in problem.message
    found = {f.sop_instance_uid for c in result.series for f in c.frames}
    referenced = {
        f.sop_instance_uid
        for c in shared_scan(f"{FILESET}/DICOMDIR").series
        for f in c.frames
    }
    assert referenced <= found
    assert {u.path.name for u in result.unreadable} == {"README.txt", "README"}


def test_dicomdir_entry_missing_on_disk_is_listed_and_the_rest_is_read(
    shared_dicom: Path, tmp_path: Path
) -> None:
    source = shared_dicom / FILESET
    referenced = [
        p
        for p in sorted(source.rglob("*"))
        if p.is_file() and "TINY_ALPHA" not in p.parts and p.parent != source
    ]
    for path in [*referenced, source / "DICOMDIR"]:
        copy_files([path], tmp_path / path.parent.relative_to(source))
    gone = tmp_path / referenced[0].relative_to(source)
    gone.unlink()
    result = scan(tmp_path / "DICOMDIR")
    (missing,) = result.unreadable
    assert missing.path.resolve() == gone.resolve()
    assert "missing" in missing.reason
    assert sum(c.image_count for c in result.series) == 30


def test_header_only_files_are_not_loadable(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (candidate,) = shared_scan(f"{FILESET}/TINY_ALPHA/DICOMDIR").series
    assert candidate.image_count == 50
    assert candidate.readiness is Readiness.NOT_LOADABLE
    problem = finding(candidate, "no_pixel_data")
    assert problem.severity is Severity.ERROR
    assert "50 images" in problem.message
    assert "no pixel data" in problem.message


def test_cr_rescale_other_than_1_and_0_is_read(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    cr = [c for c in shared_scan(f"{FILESET}/DICOMDIR").series if c.modality == "CR"]
    assert len(cr) == 3
    for candidate in cr:
        (frame,) = candidate.frames
        assert (frame.rescale_slope, frame.rescale_intercept) == (0.684, 200.0)


# --- mixed folders: non-image objects, text files, localizers ----------------------


def test_non_image_objects_are_listed_and_never_offered_as_series(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(EDGE)
    kinds = {item.path.name: item.kind for item in result.non_image}
    assert kinds == {
        "liver_1frame.dcm": "SEG",
        "test-SR.dcm": "SR",
        "rtstruct.dcm": "RTSTRUCT",
        "ExplVR_LitEndNoMeta.dcm": "RTPLAN",
    }
    for item in result.non_image:
        assert item.sop_class
    in_series = {f.path.name for c in result.series for f in c.frames}
    assert not in_series & set(kinds)


def test_text_files_are_unreadable_with_a_reason_and_the_rest_is_read(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(EDGE)
    reasons = {u.path.name: u.reason for u in result.unreadable}
    assert set(reasons) == {"README.txt", "README"}
    assert all("not a DICOM" in reason for reason in reasons.values())
    names = {f.path.name for c in result.series for f in c.frames}
    assert {
        "CT_small.dcm",
        "JPGExtended.dcm",
        "image_dfl.dcm",
        "emri_small.dcm",
    } <= names


def test_every_file_of_the_shared_folder_is_accounted_for(
    shared_scan: Callable[[str], ScanResult], shared_dicom: Path
) -> None:
    result = shared_scan(".")
    on_disk = {p.resolve() for p in shared_dicom.rglob("*") if p.is_file()}
    assert result.files_seen == len(on_disk)
    placed = {f.path.resolve() for c in result.series for f in c.frames}
    placed |= {item.path.resolve() for item in result.non_image}
    placed |= {item.path.resolve() for item in result.unreadable}
    placed |= {p.resolve() for p in result.dicomdirs}
    left = on_disk - placed
    duplicates = [f.message for f in result.findings if f.code == "duplicate_instance"]
    for path in left:
        assert any(path.name in message for message in duplicates), path
    for candidate in result.series:
        assert codes(candidate) <= FINDING_CODES
    assert {u.path.name for u in result.unreadable} == {
        "MANIFEST.md",
        "README.txt",
        "README",
    }


def test_the_same_sop_instance_twice_is_reported_once(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(EDGE)
    (duplicate,) = [f for f in result.findings if f.code == "duplicate_instance"]
    assert duplicate.severity is Severity.INFO
    assert "MR_small_bigendian.dcm" in duplicate.message
    assert "MR_small_RLE.dcm" in duplicate.message


def test_ct_scouts_are_flagged_as_localizers(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    result = shared_scan(f"{FILESET}/DICOMDIR")
    scouts = [c for c in result.series if c.description == "Scout"]
    assert len(scouts) == 2
    for scout in scouts:
        assert scout.is_localizer
        # listed, shown, but never offered for measuring
        assert finding(scout, "localizer").severity is Severity.ERROR
        assert scout.readiness is Readiness.NOT_MEASURABLE
        assert scout.phase.phase not in ARTERIAL
    others = [
        c for c in result.series if c.modality == "CT" and c.description != "Scout"
    ]
    assert others
    assert not any(c.is_localizer for c in others)


def test_lossy_jpeg_is_loadable_with_a_warning(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    (candidate,) = shared_scan(f"{EDGE}/JPGExtended.dcm").series
    lossy = finding(candidate, "lossy_compression")
    assert lossy.severity is Severity.WARNING
    assert "76:1" in lossy.message  # its LossyImageCompressionRatio
    # a Secondary Capture: shown, but not measured on
    assert finding(candidate, "secondary_capture").severity is Severity.ERROR
    assert candidate.readiness is Readiness.NOT_MEASURABLE


def test_scan_document_is_json_ready_with_relative_paths(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    text = json.dumps(scan_document(shared_scan(".")), allow_nan=False)
    doc = json.loads(text)
    assert doc["format"] == "respond-series/1"
    assert doc["files_seen"] == shared_scan(".").files_seen
    paths = [item["path"] for item in doc["non_image"] + doc["unreadable"]]
    assert paths
    assert not any(p.startswith("/") for p in paths)
    assert str(shared_scan(".").root.resolve()) not in text


# --- what is not DICOM at all -------------------------------------------------------


def test_missing_path_is_not_dicom(tmp_path: Path) -> None:
    with pytest.raises(NotDicomError) as raised:
        scan(tmp_path / "no-such-folder")
    assert raised.value.path == tmp_path / "no-such-folder"


def test_folder_of_text_files_is_not_dicom(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an image\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "README").write_text("still not\n", encoding="utf-8")
    with pytest.raises(NotDicomError, match="no DICOM"):
        scan(tmp_path)


def test_empty_folder_is_not_dicom(tmp_path: Path) -> None:
    with pytest.raises(NotDicomError):
        scan(tmp_path)


# --- broken copies of the liver series ---------------------------------------------


def test_missing_middle_slice_is_reported_as_a_5_mm_gap(
    shared_scan: Callable[[str], ScanResult], copy_series: Callable[..., Path]
) -> None:
    middle = shared_scan(LIVER).series[0].frames[44]
    folder = copy_series(LIVER)
    (folder / middle.path.name).unlink()
    (series,) = scan(folder).series
    assert series.image_count == 88
    gap = finding(series, "missing_slices")
    assert gap.severity is Severity.WARNING
    assert "5.00 mm" in gap.message
    assert "2.50 mm" in gap.message
    assert series.readiness is Readiness.CAUTION
    assert series.spacing_mm == pytest.approx(2.5)
    assert middle.sop_instance_uid not in {f.sop_instance_uid for f in series.frames}


def test_same_file_under_two_names_counts_once(
    shared_scan: Callable[[str], ScanResult], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    original = shared_scan(LIVER).series[0].frames[30].path.name
    (folder / "copy_of_a_slice.dcm").write_bytes((folder / original).read_bytes())
    result = scan(folder)
    assert result.files_seen == 90
    (series,) = result.series
    assert series.image_count == 89
    assert series.readiness is Readiness.READY
    (duplicate,) = [f for f in result.findings if f.code == "duplicate_instance"]
    assert duplicate.severity is Severity.INFO
    assert "copy_of_a_slice.dcm" in duplicate.message
    assert original in duplicate.message


def test_second_image_at_the_same_position_blocks_measuring(
    shared_scan: Callable[[str], ScanResult], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    original = shared_scan(LIVER).series[0].frames[44]
    ds = pydicom.dcmread(folder / original.path.name)
    uid = pydicom.uid.generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.save_as(folder / "another_image_same_place.dcm")
    result = scan(folder)
    assert not [f for f in result.findings if f.code == "duplicate_instance"]
    assert sum(c.image_count for c in result.series) == 90
    for candidate in result.series:
        uids = {f.sop_instance_uid for f in candidate.frames}
        if {uid, original.sop_instance_uid} <= uids:
            # both in one stack: never measured across slices as if all was well
            problem = finding(candidate, "duplicate_positions")
            assert problem.severity is Severity.ERROR
            assert original.position is not None
            assert f"{original.position[2]:.2f} mm" in problem.message
            assert candidate.readiness is Readiness.NOT_MEASURABLE
        else:
            assert candidate.split_reason or len(result.series) == 1
    assert len(result.series) == 1 or all(c.split_reason for c in result.series)


def test_file_without_pixel_spacing_is_never_given_one(
    shared_scan: Callable[[str], ScanResult], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    broken = shared_scan(LIVER).series[0].frames[10].path.name
    ds = pydicom.dcmread(folder / broken)
    del ds.PixelSpacing
    ds.save_as(folder / broken)
    result = scan(folder)
    assert sum(c.image_count for c in result.series) == 89
    (alone,) = [c for c in result.series if broken in {f.path.name for f in c.frames}]
    assert alone.pixel_spacing is None
    assert "missing_pixel_spacing" in codes(alone)
    assert alone.readiness in {Readiness.NOT_MEASURABLE, Readiness.NOT_LOADABLE}
    for candidate in result.series:
        if candidate is not alone:
            assert candidate.pixel_spacing == (0.703125, 0.703125)
            assert candidate.readiness is not Readiness.NOT_MEASURABLE


@pytest.mark.parametrize(
    ("keyword", "value", "code"),
    [
        ("ImageOrientationPatient", [2, 0, 0, 0, 1, 0], "bad_geometry"),
        ("ImageOrientationPatient", [1, 0, 0, 1, 0, 0], "bad_geometry"),
        ("PixelSpacing", [0, 0], "bad_pixel_spacing"),
        ("PixelSpacing", [-0.703125, 0.703125], "bad_pixel_spacing"),
    ],
    ids=[
        "orientation-not-unit",
        "orientation-not-perpendicular",
        "spacing-zero",
        "spacing-negative",
    ],
)
def test_one_file_with_unusable_geometry_does_not_stop_the_scan(
    shared_scan: Callable[[str], ScanResult],
    copy_series: Callable[..., Path],
    keyword: str,
    value: list[float],
    code: str,
) -> None:
    folder = copy_series(LIVER)
    broken = shared_scan(LIVER).series[0].frames[10].path.name
    ds = pydicom.dcmread(folder / broken)
    setattr(ds, keyword, value)
    ds.save_as(folder / broken)
    result = scan(folder)
    assert sum(c.image_count for c in result.series) == 89
    (alone,) = [c for c in result.series if broken in {f.path.name for f in c.frames}]
    problem = finding(alone, code)
    assert problem.severity is Severity.ERROR
    assert alone.readiness is Readiness.NOT_MEASURABLE
    for candidate in result.series:
        if candidate is not alone:
            # the other 88 slices stay measurable, the hole reported
            assert candidate.readiness is Readiness.CAUTION
            assert "missing_slices" in codes(candidate)


def test_one_slice_without_pixel_data_does_not_block_the_series(
    shared_scan: Callable[[str], ScanResult], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    broken = shared_scan(LIVER).series[0].frames[44].path.name
    ds = pydicom.dcmread(folder / broken)
    del ds.PixelData
    ds.save_as(folder / broken)
    (series,) = scan(folder).series
    assert series.image_count == 89
    assert series.readiness is Readiness.CAUTION
    assert "no_pixel_data" not in codes(series)
    warnings = [f for f in series.findings if f.severity is Severity.WARNING]
    assert any(
        "1 of 89" in f.message and "no pixel data" in f.message for f in warnings
    )
    volume = load_series(series)
    assert volume.shape == (89, 512, 512)
    assert set(volume.unreadable_slices) == {44}
    assert broken in volume.unreadable_slices[44]


def test_localizers_named_in_the_description_are_flagged(
    shared_scan: Callable[[str], ScanResult],
) -> None:
    """GE MR pilots carry ImageType OTHER: the description gives them away."""
    result = shared_scan("edge_cases_pydicom/dicomdir_fileset/DICOMDIR")
    pilots = [
        s
        for s in result.series
        if "LOCALIZER" in s.description.upper() or "PILOT" in s.description.upper()
    ]
    assert pilots
    assert all(s.is_localizer for s in pilots)
    assert all(any(f.code == "localizer" for f in s.findings) for s in pilots)


def test_a_study_is_found_by_its_uid(shared_scan: Callable[[str], ScanResult]) -> None:
    result = shared_scan("edge_cases_pydicom/dicomdir_fileset/DICOMDIR")
    for series in result.series:
        study = result.study(series.study_uid)
        assert study is not None
        assert series in study.series
    assert result.study("1.2.3.nothing") is None
