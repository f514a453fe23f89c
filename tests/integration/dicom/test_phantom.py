"""The demo phantom: real DICOM that the scanner, phase detector and loader accept.

The phantom is written once per module (seed 0), scanned and loaded, and then
measured the way a reader would: HU in small regions, and diameters along x
between the extreme voxels of a thresholded run through the lesion, in mm from
the volume's own geometry.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest

from respond.dicom import Phase, Readiness, Volume, load_series, scan
from respond.dicom.phantom import (
    AORTA_SAMPLE_MM,
    LIVER_SAMPLE_MM,
    NOISE_SD_HU,
    PATIENT_ID,
    SYNTHETIC_LABEL,
    TISSUE_HU,
    PhantomTimePoint,
    write_phantom,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import ScanResult

    Point = tuple[float, float, float]

ARTERIAL, PORTAL = 0, 1
DIAMETER_TOLERANCE_MM = 2.0
# A run along x may cross this many voxels that miss the threshold (noise).
MAX_GAP_VOXELS = 1


@pytest.fixture(scope="module")
def phantom(tmp_path_factory: pytest.TempPathFactory) -> list[PhantomTimePoint]:
    return write_phantom(tmp_path_factory.mktemp("phantom"), seed=0)


@pytest.fixture(scope="module")
def scanned(phantom: list[PhantomTimePoint]) -> ScanResult:
    return scan(phantom[0].study_folder.parent)


@pytest.fixture(scope="module")
def volumes(scanned: ScanResult) -> dict[str, Volume]:
    """Every series' volume, by SeriesInstanceUID."""
    return {c.series_uid: load_series(c) for c in scanned.series}


def volume_of(volumes: dict[str, Volume], tp: PhantomTimePoint, phase: int) -> Volume:
    return volumes[
        tp.arterial_series_uid if phase == ARTERIAL else tp.portal_series_uid
    ]


def index_of(volume: Volume, point_mm: Point) -> tuple[int, int, int]:
    assert volume.geometry is not None
    k, i, j = volume.geometry.patient_to_index(np.asarray(point_mm, float))
    assert np.allclose((k, i, j), np.round((k, i, j)), atol=1e-6), "off voxel centre"
    return round(k), round(i), round(j)


def mean_hu(volume: Volume, point_mm: Point, half: int = 1) -> float:
    """Mean HU of the (3, 2 half + 1, 2 half + 1) voxels around a point."""
    k, i, j = index_of(volume, point_mm)
    block = volume.voxels[
        k - 1 : k + 2, i - half : i + half + 1, j - half : j + half + 1
    ]
    return float(block.mean())


def hu(tissue: str, phase: int) -> int:
    return TISSUE_HU[tissue][phase]


def diameter_x_mm(
    volume: Volume, centre_mm: Point, is_inside: Callable[[np.ndarray], np.ndarray]
) -> float:
    """Length along x of the thresholded run through a point, extreme to extreme."""
    k, i, j = index_of(volume, centre_mm)
    profile = volume.voxels[k, i].astype(np.float64)
    # a 3-voxel median along the line drops lone noisy voxels, keeps the edges
    padded = np.pad(profile, 1, mode="edge")
    flags = is_inside(np.median([padded[:-2], padded[1:-1], padded[2:]], axis=0))
    assert flags[j - 1 : j + 2].any(), "the start point is not inside the region"
    ends = []
    for step in (-1, 1):
        end, gap, n = j, 0, j + step
        while 0 <= n < flags.size and gap <= MAX_GAP_VOXELS:
            end, gap = (n, 0) if flags[n] else (end, gap + 1)
            n += step
        ends.append(end)
    return volume.distance_mm((k, i, ends[0]), (k, i, ends[1]))


def is_enhancing(values: np.ndarray) -> np.ndarray:
    """Arterial hyperenhancement: at least 50 HU above the arterial liver."""
    result: np.ndarray = values > hu("liver", ARTERIAL) + 50
    return result


def is_lesion(values: np.ndarray) -> np.ndarray:
    """Whole lesion on the arterial phase: enhancing, or 20+ HU below the liver."""
    result: np.ndarray = is_enhancing(values) | (values < hu("liver", ARTERIAL) - 20)
    return result


def test_scan_finds_one_patient_three_studies_in_date_order(
    phantom: list[PhantomTimePoint], scanned: ScanResult
) -> None:
    assert not scanned.unreadable
    assert [p.id for p in scanned.patients] == [PATIENT_ID]
    patient = scanned.patients[0]
    assert patient.name == "Demo^Synthetic"
    assert [s.uid for s in patient.studies] == [tp.study_uid for tp in phantom]
    dates = [date.fromisoformat(s.date) for s in patient.studies]
    assert [(d - dates[0]).days for d in dates] == [0, 56, 112]
    assert [tp.day for tp in phantom] == [0, 56, 112]
    assert all(s.description == SYNTHETIC_LABEL for s in patient.studies)


def test_each_study_has_an_arterial_and_a_portal_series_ready_to_measure(
    phantom: list[PhantomTimePoint], scanned: ScanResult
) -> None:
    for tp, study in zip(phantom, scanned.patients[0].studies, strict=True):
        phases = {c.series_uid: c.phase.phase for c in study.series}
        assert phases == {
            tp.arterial_series_uid: Phase.ARTERIAL,
            tp.portal_series_uid: Phase.PORTAL_VENOUS,
        }
        for candidate in study.series:
            assert candidate.readiness is Readiness.READY
            assert candidate.image_count == 48
            assert candidate.spacing_mm == pytest.approx(2.5)
            assert candidate.pixel_spacing == pytest.approx((1.0, 1.0))


def test_headers_say_synthetic_and_deidentified(
    phantom: list[PhantomTimePoint],
) -> None:
    first = sorted(phantom[0].arterial_folder.iterdir())[0]
    assert first.name == "IMG0001.dcm"
    ds = pydicom.dcmread(first)
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.SOPClassUID == pydicom.uid.CTImageStorage
    assert ds.PatientIdentityRemoved == "YES"
    assert "SYNTHETIC" in ds.ImageComments
    assert (ds.ContrastBolusAgent, ds.ContrastBolusRoute) == ("Iohexol", "IV")
    assert (ds.RescaleIntercept, ds.RescaleSlope) == (-1024, 1)


def test_volumes_are_int16_hu_of_the_written_shape(volumes: dict[str, Volume]) -> None:
    assert len(volumes) == 6
    for volume in volumes.values():
        assert volume.voxels.dtype == np.int16
        assert volume.shape == (48, 256, 256)
        assert volume.is_rescaled
        assert int(volume.voxels[0, 0, 0]) == pytest.approx(-1000, abs=5 * NOISE_SD_HU)


@pytest.mark.parametrize("phase", [ARTERIAL, PORTAL], ids=["arterial", "portal"])
def test_liver_and_aorta_have_the_phase_hu(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume], phase: int
) -> None:
    for tp in phantom:
        volume = volume_of(volumes, tp, phase)
        liver = mean_hu(volume, LIVER_SAMPLE_MM, half=2)
        aorta = mean_hu(volume, AORTA_SAMPLE_MM, half=2)
        assert liver == pytest.approx(hu("liver", phase), abs=4)
        assert aorta == pytest.approx(hu("aorta", phase), abs=4)


def test_viable_tumour_enhances_arterially_and_washes_out(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume]
) -> None:
    for tp in phantom:
        for lesion in tp.lesions:
            viable, liver = [], []
            for phase in (ARTERIAL, PORTAL):
                volume = volume_of(volumes, tp, phase)
                viable.append(mean_hu(volume, lesion.viable_centre_mm))
                liver.append(mean_hu(volume, LIVER_SAMPLE_MM))
                assert viable[phase] == pytest.approx(hu("viable_tumour", phase), abs=6)
            assert viable[ARTERIAL] > liver[ARTERIAL] + 80  # hyperenhancement
            assert viable[PORTAL] < liver[PORTAL] - 5  # washout


@pytest.mark.parametrize("label", ["FU1", "FU2"])
def test_necrotic_core_does_not_enhance(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume], label: str
) -> None:
    tp = next(t for t in phantom if t.label == label)
    t1 = tp.lesion("T1")
    x, y, z = t1.centre_mm
    core = (x - t1.diameter_mm / 4, y, z)
    for phase in (ARTERIAL, PORTAL):
        assert mean_hu(volume_of(volumes, tp, phase), core) == pytest.approx(
            hu("necrosis", phase), abs=6
        )


def test_measured_diameters_match_the_ground_truth(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume]
) -> None:
    for tp in phantom:
        arterial = volume_of(volumes, tp, ARTERIAL)
        for lesion in tp.lesions:
            total = diameter_x_mm(arterial, lesion.centre_mm, is_lesion)
            viable = diameter_x_mm(arterial, lesion.viable_centre_mm, is_enhancing)
            truth = tp.truths[lesion.name]
            assert total == pytest.approx(truth[0], abs=DIAMETER_TOLERANCE_MM)
            assert viable == pytest.approx(truth[1], abs=DIAMETER_TOLERANCE_MM)


def test_t1_necroses_without_shrinking(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume]
) -> None:
    totals, viables = [], []
    for tp in phantom:
        arterial = volume_of(volumes, tp, ARTERIAL)
        t1 = tp.lesion("T1")
        totals.append(diameter_x_mm(arterial, t1.centre_mm, is_lesion))
        viables.append(diameter_x_mm(arterial, t1.viable_centre_mm, is_enhancing))
    assert max(totals) - min(totals) <= DIAMETER_TOLERANCE_MM
    assert totals[0] == pytest.approx(40.0, abs=DIAMETER_TOLERANCE_MM)
    assert viables[0] > viables[1] > viables[2]
    # mRECIST partial response (>= 30 % decrease) while RECIST 1.1 stays stable
    assert viables[1] <= 0.7 * viables[0]


def test_new_nodule_appears_only_at_fu2(
    phantom: list[PhantomTimePoint], volumes: dict[str, Volume]
) -> None:
    assert [("N1" in tp.truths) for tp in phantom] == [False, False, True]
    nodule = phantom[2].lesion("N1")
    assert nodule.is_new
    assert nodule.diameter_mm == pytest.approx(12.0)
    assert not any(le.is_new for tp in phantom[:2] for le in tp.lesions)
    for tp in phantom:
        for phase in (ARTERIAL, PORTAL):
            expected = "viable_tumour" if tp.label == "FU2" else "liver"
            measured = mean_hu(volume_of(volumes, tp, phase), nodule.centre_mm)
            assert measured == pytest.approx(hu(expected, phase), abs=6)


def pixel_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): pydicom.dcmread(path).PixelData
        for path in sorted(root.rglob("*.dcm"))
    }


def test_same_seed_writes_identical_files_and_another_seed_other_noise(
    tmp_path: Path,
) -> None:
    first = write_phantom(tmp_path / "a", seed=7, slices=40)
    again = write_phantom(tmp_path / "b", seed=7, slices=40)
    other = write_phantom(tmp_path / "c", seed=8, slices=40)
    files_a = sorted((tmp_path / "a").rglob("*.dcm"))
    assert len(files_a) == 6 * 40
    for path in files_a:
        assert (
            path.read_bytes()
            == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
        )
    assert [tp.truths for tp in first] == [tp.truths for tp in again]
    assert [tp.truths for tp in first] == [tp.truths for tp in other]
    pixels_a, pixels_c = pixel_bytes(tmp_path / "a"), pixel_bytes(tmp_path / "c")
    assert pixels_a.keys() == pixels_c.keys()
    name = "FU1/arterial/IMG0020.dcm"
    a = np.frombuffer(pixels_a[name], "<i2").astype(float)
    c = np.frombuffer(pixels_c[name], "<i2").astype(float)
    # only the noise differs: the difference of two N(0, sd) draws
    assert np.std(a - c) == pytest.approx(np.sqrt(2) * NOISE_SD_HU, rel=0.1)
    assert first[0].study_uid != other[0].study_uid


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"seed": -1}, "seed"), ({"slices": 39}, "slices")]
)
def test_bad_arguments_are_refused(
    tmp_path: Path, kwargs: dict[str, int], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        write_phantom(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


def test_rewriting_with_fewer_slices_leaves_no_stale_files(tmp_path: Path) -> None:
    write_phantom(tmp_path, slices=44)
    write_phantom(tmp_path, slices=40)
    assert len(list(tmp_path.rglob("*.dcm"))) == 6 * 40
    result = scan(tmp_path)
    assert [c.image_count for c in result.series] == [40] * 6
    assert all(c.readiness is Readiness.READY for c in result.series)
