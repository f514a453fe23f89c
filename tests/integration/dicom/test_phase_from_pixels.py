"""The contrast phase from the pixels, on DICOM files that the scan lists.

The shared liver CT says nothing about its phase in its headers ("C/A/P", no
bolus timing) but is portal venous (MANIFEST.md: aorta about 228 HU, liver
about 100 HU at z = -250 mm). The demo phantom's series are arterial and portal
venous; copies of them lose their keywords and timing, or get the wrong
keyword. Small series written here with pydicom are unenhanced, or described
as arterial while their blood and liver are delayed.
"""

from __future__ import annotations

import dataclasses
import importlib
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid
from tests.integration.dicom.conftest import LIVER, PHILIPS_SAG

from respond.dicom import Phase, Readiness, SeriesCandidate, scan, write_phantom
from respond.dicom import phase_image as phase_image_module
from respond.dicom._series import with_phase
from respond.dicom.frame import read_frame
from respond.dicom.phantom import TISSUE_HU
from respond.dicom.phase import Confidence
from respond.dicom.phase_image import (
    MAX_SLICES,
    SliceGeometry,
    estimate_phase,
    measure_slice,
    refine_phase,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from numpy.typing import NDArray

    from respond.dicom import PhantomTimePoint, ScanResult
    from respond.dicom.model import FrameRef

# the module, not the function of the same name that respond.dicom exports
scan_module = importlib.import_module("respond.dicom.scan")
ARTERIAL, PORTAL = 0, 1  # columns of TISSUE_HU
# The hand measurement in MANIFEST.md, and how far a robust median may be from it.
LIVER_CT_AORTA_HU, LIVER_CT_LIVER_HU, LIVER_CT_Z_MM = 228.0, 100.0, -250.0
AORTA_TOLERANCE_HU, LIVER_TOLERANCE_HU = 25.0, 12.0
PHANTOM_TOLERANCE_HU = 5.0  # noise SD 8 HU, medians over thousands of voxels


def scan_headers(path: Path) -> ScanResult:
    """Scan with the headers alone: the calls the images are then asked about."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan_module, "refine_phase", lambda _, call: call, raising=False)
        return scan(path)


@pytest.fixture
def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[FrameRef]:
    """Record every image the estimator reads."""
    read: list[FrameRef] = []

    def counting(frame: FrameRef) -> NDArray[np.float32]:
        read.append(frame)
        return read_frame(frame)

    monkeypatch.setattr(phase_image_module, "read_frame", counting)
    return read


# ---- the shared liver CT ----------------------------------------------------


@pytest.fixture(scope="module")
def liver_ct(shared_dicom: Path) -> SeriesCandidate:
    (candidate,) = scan_headers(shared_dicom / LIVER).series
    return candidate


def test_liver_ct_reads_portal_venous_from_its_pixels(
    liver_ct: SeriesCandidate,
) -> None:
    call = refine_phase(liver_ct, liver_ct.phase)
    assert call.phase is Phase.PORTAL_VENOUS
    assert call.confidence is Confidence.MEDIUM
    assert call.is_contrast is True
    assert call.image is not None
    assert call.evidence[-1] == call.image.evidence
    assert call.evidence[-1].endswith(": portal venous")
    assert "phase unknown" not in " ".join(call.evidence)


def test_liver_ct_values_match_the_hand_measurement(liver_ct: SeriesCandidate) -> None:
    measures = []
    for frame in liver_ct.frames:
        geometry = SliceGeometry.of(frame)
        assert geometry is not None
        if abs(geometry.origin_mm[2] - LIVER_CT_Z_MM) <= 5.0:
            measures.append(measure_slice(read_frame(frame), geometry))
    found = [m for m in measures if not isinstance(m, str)]
    assert found, measures  # a slice through a disc has no vertebral body
    aorta = float(np.median([m.aorta_hu for m in found]))
    liver = float(np.median([m.liver_hu for m in found]))
    assert aorta == pytest.approx(LIVER_CT_AORTA_HU, abs=AORTA_TOLERANCE_HU)
    assert liver == pytest.approx(LIVER_CT_LIVER_HU, abs=LIVER_TOLERANCE_HU)


def test_estimate_reads_a_few_slices_at_the_liver_level(
    liver_ct: SeriesCandidate, count_reads: list[FrameRef]
) -> None:
    estimate = estimate_phase(liver_ct)
    assert 3 <= len(count_reads) <= MAX_SLICES < len(liver_ct.frames)
    assert estimate.z_mm is not None
    low, high = estimate.z_mm
    # the liver of this study lies in its upper half (z -300..-176 mm)
    assert -310.0 <= low <= high <= -176.0
    assert estimate.slice_count >= 2


def test_mrecist_warning_names_the_phase_read_from_the_pixels(
    liver_ct: SeriesCandidate,
) -> None:
    others = tuple(f for f in liver_ct.findings if f.code != "not_arterial_phase")
    bare = dataclasses.replace(liver_ct, findings=others)
    before = with_phase(bare, liver_ct.phase)
    after = with_phase(bare, refine_phase(liver_ct, liver_ct.phase))
    (said_before,) = [f for f in before.findings if f.code == "not_arterial_phase"]
    (said_after,) = [f for f in after.findings if f.code == "not_arterial_phase"]
    assert said_before.message.startswith("phase not identified")
    assert said_after.message.startswith("phase portal venous")


# ---- the demo phantom --------------------------------------------------------


@pytest.fixture(scope="module")
def phantom(tmp_path_factory: pytest.TempPathFactory) -> list[PhantomTimePoint]:
    return write_phantom(tmp_path_factory.mktemp("phantom"), seed=0, slices=40)


@pytest.fixture(scope="module")
def phantom_scan(phantom: list[PhantomTimePoint]) -> ScanResult:
    return scan_headers(phantom[0].study_folder.parent)


def by_uid(result: ScanResult, uid: str) -> SeriesCandidate:
    return next(c for c in result.series if c.series_uid == uid)


@pytest.mark.parametrize(
    ("column", "expected"),
    [(ARTERIAL, Phase.ARTERIAL), (PORTAL, Phase.PORTAL_VENOUS)],
    ids=["arterial", "portal"],
)
def test_phantom_phases_are_read_from_the_pixels(
    phantom: list[PhantomTimePoint],
    phantom_scan: ScanResult,
    column: int,
    expected: Phase,
) -> None:
    for tp in phantom:
        uid = tp.arterial_series_uid if column == ARTERIAL else tp.portal_series_uid
        estimate = estimate_phase(by_uid(phantom_scan, uid))
        assert (estimate.phase, estimate.confidence) == (expected, Confidence.MEDIUM)
        aorta, liver = TISSUE_HU["aorta"][column], TISSUE_HU["liver"][column]
        assert estimate.aorta_hu == pytest.approx(aorta, abs=PHANTOM_TOLERANCE_HU)
        assert estimate.liver_hu == pytest.approx(liver, abs=PHANTOM_TOLERANCE_HU)


def test_keyword_confirmed_by_timing_reads_no_pixels(
    phantom_scan: ScanResult, count_reads: list[FrameRef]
) -> None:
    for candidate in phantom_scan.series:
        call = candidate.phase
        assert call.is_corroborated
        assert refine_phase(candidate, call) is call
    assert count_reads == []


def relabel(source: Path, target: Path, **tags: str | None) -> Path:
    """Copy a series, setting tags (None deletes one) and a new series UID."""
    target.mkdir(parents=True)
    uid = generate_uid()
    for path in sorted(source.glob("*.dcm")):
        ds = pydicom.dcmread(path)
        ds.SeriesInstanceUID = uid
        for keyword, value in tags.items():
            if value is None:
                if keyword in ds:
                    delattr(ds, keyword)
            else:
                setattr(ds, keyword, value)
        ds.save_as(target / path.name)
    return target


SILENT: dict[str, str | None] = {
    "SeriesDescription": "Recon 3: LIVER 2 PHASE (C/A/P)",
    "ContrastBolusStartTime": None,
    "ContrastBolusAgent": None,
    "ContrastBolusRoute": None,
    "AcquisitionTime": None,
    "SeriesTime": None,
    "ContentTime": None,
}


@pytest.mark.parametrize(
    ("column", "expected"),
    [(ARTERIAL, Phase.ARTERIAL), (PORTAL, Phase.PORTAL_VENOUS)],
    ids=["arterial", "portal"],
)
def test_silent_phantom_series_get_their_phase_from_the_pixels(
    phantom: list[PhantomTimePoint], tmp_path: Path, column: int, expected: Phase
) -> None:
    tp = phantom[0]
    source = tp.arterial_folder if column == ARTERIAL else tp.portal_folder
    (candidate,) = scan_headers(relabel(source, tmp_path / "silent", **SILENT)).series
    call = candidate.phase
    assert call.phase is Phase.UNKNOWN
    refined = refine_phase(candidate, call)
    assert (refined.phase, refined.confidence) == (expected, Confidence.MEDIUM)
    assert refined.evidence[-1].startswith("from the images: aorta ")


def test_description_contradicted_by_the_pixels_keeps_the_keyword_at_medium(
    phantom: list[PhantomTimePoint], tmp_path: Path
) -> None:
    wrong = {**SILENT, "SeriesDescription": "LIVER ARTERIAL"}
    folder = relabel(phantom[0].portal_folder, tmp_path / "wrong", **wrong)
    (candidate,) = scan_headers(folder).series
    call = candidate.phase
    assert (call.phase, call.confidence) == (Phase.ARTERIAL, Confidence.HIGH)
    refined = refine_phase(candidate, call)
    assert (refined.phase, refined.confidence) == (Phase.ARTERIAL, Confidence.MEDIUM)
    assert refined.image is not None
    assert refined.image.phase is Phase.PORTAL_VENOUS
    assert "disagrees with the headers' arterial" in refined.evidence[-1]
    assert refined.is_disputed


# ---- small series written here ------------------------------------------------

PIXEL_MM, MATRIX = 1.5, 256


def draw_body(aorta_hu: float, liver_hu: float, seed: int) -> NDArray[np.int16]:
    """An axial abdomen (LPS mm, centred): stored values, HU + 1024."""
    axis = (np.arange(MATRIX) - (MATRIX - 1) / 2) * PIXEL_MM
    x, y = axis[None, :], axis[:, None]
    hu = np.full((MATRIX, MATRIX), -1000.0)
    for (cx, cy, ax, ay), value in [
        ((0, 0, 160, 115), -100.0),  # subcutaneous fat
        ((0, 0, 150, 105), 50.0),  # muscle
        ((0, 0, 141, 96), -90.0),  # visceral fat
        ((0, 90, 15, 15), 400.0),  # vertebral arch
        ((0, 90, 9, 9), 10.0),  # spinal canal
        ((0, 62, 20, 17), 500.0),  # vertebral body, cortex
        ((0, 62, 17, 14), 200.0),  # and cancellous bone
        ((14, 30, 11, 11), aorta_hu),
        ((-72, -5, 64, 75), liver_hu),
        ((85, 35, 25, 40), liver_hu + 10.0),  # spleen
    ]:
        hu[((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0] = value
    hu += np.random.default_rng(seed).normal(0.0, 10.0, hu.shape)
    stored: NDArray[np.int16] = np.rint(hu + 1024).astype("<i2")
    return stored


def write_series(folder: Path, aorta_hu: float, liver_hu: float, **tags: str) -> Path:
    """Write 12 axial slices 5 mm apart (CT, RescaleIntercept -1024)."""
    folder.mkdir(parents=True)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.Modality = CTImageStorage, "CT"
    ds.PatientID, ds.PatientName = "PHASE-TEST", "Phase^Test"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.SeriesNumber, ds.SeriesDescription = 4, "ABDOMEN"
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [PIXEL_MM, PIXEL_MM], 5.0
    ds.Rows = ds.Columns = MATRIX
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
    for keyword, value in tags.items():
        setattr(ds, keyword, value)
    corner = -(MATRIX - 1) / 2 * PIXEL_MM
    for k in range(12):
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [corner, corner, -5.0 * k]
        ds.PixelData = draw_body(aorta_hu, liver_hu, seed=k).tobytes()
        ds.save_as(folder / f"{k + 1:03d}.dcm", enforce_file_format=True)
    return folder


def test_unenhanced_series_reads_non_contrast(tmp_path: Path) -> None:
    (candidate,) = scan_headers(write_series(tmp_path / "plain", 42.0, 58.0)).series
    call = refine_phase(candidate, candidate.phase)
    assert (call.phase, call.confidence) == (Phase.NON_CONTRAST, Confidence.MEDIUM)
    assert call.is_contrast is False
    assert call.image is not None
    assert call.image.aorta_hu == pytest.approx(42.0, abs=PHANTOM_TOLERANCE_HU)
    # a non-contrast series is no arterial phase for mRECIST either
    assert "not_arterial_phase" in {
        f.code for f in with_phase(candidate, call).findings
    }


def test_contrast_tags_on_unenhanced_pixels_are_flagged(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "tagged", 42.0, 58.0, ContrastBolusRoute="IV")
    (candidate,) = scan_headers(folder).series
    call = refine_phase(candidate, candidate.phase)
    assert (call.phase, call.confidence) == (Phase.NON_CONTRAST, Confidence.LOW)
    assert "contrast tags say contrast was given" in call.evidence[-1]


def test_described_arterial_but_blood_and_liver_are_delayed(tmp_path: Path) -> None:
    folder = write_series(
        tmp_path / "late", 120.0, 110.0, SeriesDescription="ABDOMEN ARTERIAL"
    )
    (candidate,) = scan_headers(folder).series
    call = refine_phase(candidate, candidate.phase)
    assert (call.phase, call.confidence) == (Phase.ARTERIAL, Confidence.MEDIUM)
    assert call.image is not None
    assert call.image.aorta_hu == pytest.approx(120.0, abs=PHANTOM_TOLERANCE_HU)
    assert call.image.liver_hu == pytest.approx(110.0, abs=PHANTOM_TOLERANCE_HU)
    assert f"aorta {call.image.aorta_hu:.0f} HU" in call.evidence[-1]
    assert "delayed, which disagrees with the headers' arterial" in call.evidence[-1]


def test_files_gone_after_the_scan_give_a_reason_not_an_error(tmp_path: Path) -> None:
    folder = write_series(tmp_path / "gone", 180.0, 110.0)
    (candidate,) = scan_headers(folder).series
    shutil.rmtree(folder)
    estimate = estimate_phase(candidate)
    assert estimate.phase is Phase.UNKNOWN
    assert "not readable" in estimate.reason
    call = refine_phase(candidate, candidate.phase)
    assert call.phase is Phase.UNKNOWN
    assert call.evidence[-1].startswith("from the images: no estimate (")


def test_mr_is_not_estimated(
    shared_scan: Callable[[str], ScanResult], count_reads: list[FrameRef]
) -> None:
    candidate = shared_scan(PHILIPS_SAG).series[0]
    estimate = estimate_phase(candidate)
    assert estimate.phase is Phase.UNKNOWN
    assert "only CT" in estimate.reason
    assert refine_phase(candidate, candidate.phase) is candidate.phase
    assert count_reads == []


def test_the_scan_reads_the_shared_liver_ct_as_portal_venous(
    shared_dicom: Path,
) -> None:
    """Headers silent ("C/A/P", no timing): the phase comes from the pixels."""
    (candidate,) = scan(shared_dicom / LIVER).series
    assert candidate.phase.phase is Phase.PORTAL_VENOUS
    assert candidate.phase.image is not None
    assert "from the images: aorta" in candidate.phase.evidence[-1]
    codes = {f.code for f in candidate.findings}
    assert "not_arterial_phase" in codes
    assert "phase_disputed" not in codes


def test_the_scan_warns_when_the_description_and_the_pixels_disagree(
    tmp_path: Path,
) -> None:
    folder = write_series(
        tmp_path / "late", 120.0, 110.0, SeriesDescription="ABDOMEN ARTERIAL"
    )
    (candidate,) = scan(folder).series
    assert candidate.phase.phase is Phase.ARTERIAL  # the keyword still wins
    (disputed,) = [f for f in candidate.findings if f.code == "phase_disputed"]
    assert "the headers say arterial but the images read delayed" in disputed.message
    assert candidate.readiness is Readiness.CAUTION
