"""A synthetic longitudinal liver-cancer CT, written as real DICOM, for the demo.

``respond --demo`` needs data that tell the mRECIST story without a patient: an
HCC that **necroses without shrinking**. Its total diameter stays 40 mm (RECIST
1.1 stable disease) while its arterially enhancing, viable part shrinks from 36
to 18 to 14 mm (mRECIST partial response, Lencioni & Llovet 2010); at the second
follow-up a new 12 mm nodule with the typical HCC pattern (arterial
hyperenhancement, portal-venous washout) appears elsewhere in the liver.

:func:`write_phantom` writes three studies (baseline, day 56, day 112), each with
an arterial and a portal-venous series that :func:`respond.dicom.scan` classifies
by keyword and by bolus timing, and returns the ground truth in patient mm (LPS).
Every study is labelled as synthetic (:data:`SYNTHETIC_LABEL`).

Geometry: axial slices of 256 x 256 voxels of 1 mm, 2.5 mm apart; voxel centres
sit on whole millimetres in x and y and the slice at index ``slices // 2`` is at
z = 0, so the spherical lesions (centres on voxel centres, whole-mm radii) have
exact diameters between extreme voxel centres. The same ``seed`` gives
byte-identical files; the seed only changes the noise and the UIDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, CTImageStorage, ExplicitVRLittleEndian, generate_uid

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

__all__ = [
    "AORTA_SAMPLE_MM",
    "LIVER_SAMPLE_MM",
    "NOISE_SD_HU",
    "PATIENT_ID",
    "PATIENT_NAME",
    "SYNTHETIC_LABEL",
    "TISSUE_HU",
    "PhantomLesion",
    "PhantomTimePoint",
    "write_phantom",
]

SYNTHETIC_LABEL: Final = "SYNTHETIC DEMO - not patient data"
PATIENT_ID: Final = "DEMO-0001"
PATIENT_NAME: Final = "Demo^Synthetic"
NOISE_SD_HU: Final = 8.0
_PIXEL_MM: Final = 1.0
_SLICE_MM: Final = 2.5
_MATRIX: Final = 256
_INTERCEPT: Final = -1024
_MIN_SLICES: Final = 40
_MAX_SLICES: Final = 200
_BASELINE_DATE: Final = date(2024, 1, 8)

# Tissue -> (arterial HU, portal-venous HU). Viable HCC is 100 HU above the
# liver in the arterial phase and washes out (below the liver) in the portal
# phase; necrosis does not enhance.
TISSUE_HU: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "air": (-1000, -1000),
        "fat": (-100, -100),
        "muscle": (45, 55),
        "abdomen": (-40, -40),  # visceral fat and bowel, averaged
        "cortical_bone": (700, 700),
        "cancellous_bone": (250, 250),
        "aorta": (300, 180),
        "spleen": (100, 120),
        "liver": (60, 110),
        "viable_tumour": (160, 95),
        "necrosis": (20, 20),
    }
)
_LABEL: Final = {name: n for n, name in enumerate(TISSUE_HU)}

# Points of plain tissue in every time point (x, y, z in LPS mm).
LIVER_SAMPLE_MM: Final = (-30.0, 15.0, -10.0)
AORTA_SAMPLE_MM: Final = (22.0, 40.0, 0.0)

_Point = tuple[float, float, float]
# (tissue, centre, semi-axes) painted in order; an infinite z semi-axis is a
# cylinder through every slice.
_INF: Final = float("inf")
_ANATOMY: Final[tuple[tuple[str, _Point, _Point], ...]] = (
    ("fat", (0.0, 0.0, 0.0), (125.0, 95.0, _INF)),
    ("muscle", (0.0, 0.0, 0.0), (113.0, 83.0, _INF)),
    ("abdomen", (0.0, 0.0, 0.0), (104.0, 74.0, _INF)),
    ("cortical_bone", (0.0, 68.0, 0.0), (16.0, 14.0, _INF)),
    ("cancellous_bone", (0.0, 68.0, 0.0), (12.0, 10.0, _INF)),
    ("aorta", (22.0, 40.0, 0.0), (11.0, 11.0, _INF)),
    ("spleen", (72.0, 5.0, 10.0), (26.0, 38.0, 45.0)),
    ("liver", (-45.0, -5.0, 0.0), (62.0, 58.0, 55.0)),
)


@dataclass(frozen=True, slots=True)
class _Course:  # a lesion at BL, FU1, FU2 (0 mm: not there yet)
    name: str
    centre_mm: _Point
    diameters_mm: tuple[float, float, float]
    viable_mm: tuple[float, float, float]


# T1 necroses without shrinking; T2 partly; N1 is new at FU2. The viable part
# is a sphere inside the lesion, touching its +x (medial) edge, so a line along
# x through the lesion centre crosses both the whole lesion and its viable part.
_COURSES: Final = (
    _Course("T1", (-70.0, -15.0, 0.0), (40.0, 40.0, 40.0), (36.0, 18.0, 14.0)),
    _Course("T2", (-70.0, 25.0, -20.0), (26.0, 26.0, 26.0), (26.0, 20.0, 18.0)),
    _Course("N1", (-25.0, -35.0, 25.0), (0.0, 0.0, 12.0), (0.0, 0.0, 12.0)),
)
_TIME_POINTS: Final = (("BL", 0), ("FU1", 56), ("FU2", 112))
# Study at 09:00:00, bolus at 09:10:00; per phase: (folder, SeriesDescription,
# SeriesNumber, AcquisitionTime): 25 s and 70 s after the bolus.
_BOLUS_START: Final = "091000"
_PHASES: Final = (
    ("arterial", "LIVER ARTERIAL", 2, "091025"),
    ("portal", "LIVER PORTAL VENOUS", 3, "091110"),
)


@dataclass(frozen=True, slots=True)
class PhantomLesion:
    """Ground truth of one lesion at one time point, in patient mm (LPS).

    Attributes
    ----------
    name
        ``T1``, ``T2`` (targets) or ``N1`` (the new lesion).
    centre_mm
        Centre of the whole lesion.
    diameter_mm
        Longest diameter of the whole lesion (what RECIST 1.1 measures).
    viable_centre_mm
        Centre of the arterially enhancing (viable) part.
    viable_diameter_mm
        Longest diameter of the viable part (what mRECIST measures).
    is_new
        True for a lesion absent at baseline.
    """

    name: str
    centre_mm: _Point
    diameter_mm: float
    viable_centre_mm: _Point
    viable_diameter_mm: float
    is_new: bool


@dataclass(frozen=True, slots=True)
class PhantomTimePoint:
    """One written study (time point) and its ground truth.

    Attributes
    ----------
    label
        ``BL``, ``FU1`` or ``FU2``.
    day
        Days after baseline.
    study_date
        The StudyDate written.
    study_uid
        The StudyInstanceUID written.
    study_folder, arterial_folder, portal_folder
        Where the study and its two series were written.
    arterial_series_uid, portal_series_uid
        The SeriesInstanceUIDs written.
    lesions
        The lesions present at this time point.
    """

    label: str
    day: int
    study_date: date
    study_uid: str
    study_folder: Path
    arterial_folder: Path
    portal_folder: Path
    arterial_series_uid: str
    portal_series_uid: str
    lesions: tuple[PhantomLesion, ...]

    def lesion(self, name: str) -> PhantomLesion:
        """Return the lesion called ``name``.

        Raises
        ------
        KeyError
            No lesion of that name at this time point.
        """
        for lesion in self.lesions:
            if lesion.name == name:
                return lesion
        raise KeyError(f"no lesion {name!r} at {self.label}")

    @property
    def truths(self) -> dict[str, tuple[float, float]]:
        """Lesion name -> (long axis mm, viable long axis mm)."""
        return {le.name: (le.diameter_mm, le.viable_diameter_mm) for le in self.lesions}


def _lesions_at(index: int) -> tuple[PhantomLesion, ...]:
    lesions = []
    for course in _COURSES:
        total, viable = course.diameters_mm[index], course.viable_mm[index]
        if total <= 0:
            continue
        x, y, z = course.centre_mm
        shift = (total - viable) / 2
        lesions.append(
            PhantomLesion(
                name=course.name,
                centre_mm=course.centre_mm,
                diameter_mm=total,
                viable_centre_mm=(x + shift, y, z),
                viable_diameter_mm=viable,
                is_new=course.diameters_mm[0] <= 0,
            )
        )
    return tuple(lesions)


class _Grid:
    """Voxel-centre coordinates (mm) broadcastable to ``(slices, rows, cols)``."""

    def __init__(self, slices: int) -> None:
        first = -(_MATRIX // 2) * _PIXEL_MM
        axis = first + _PIXEL_MM * np.arange(_MATRIX, dtype=np.float64)
        self.x = axis[None, None, :]
        self.y = axis[None, :, None]
        self.z_mm = _SLICE_MM * (np.arange(slices, dtype=np.float64) - slices // 2)
        self.z = self.z_mm[:, None, None]
        self.corner_mm = first

    def ellipsoid(self, centre: _Point, semi: _Point) -> NDArray[np.bool_]:
        """Return the voxels inside an axis-aligned ellipsoid, ``(S, R, C)`` bool."""
        (cx, cy, cz), (ax, ay, az) = centre, semi
        in_plane = ((self.x - cx) / ax) ** 2 + ((self.y - cy) / ay) ** 2
        along = ((self.z - cz) / az) ** 2
        inside: NDArray[np.bool_] = (in_plane + along) <= 1.0
        return inside


def _labels(grid: _Grid, lesions: tuple[PhantomLesion, ...]) -> NDArray[np.uint8]:
    """Return tissue labels (indices into :data:`TISSUE_HU`), ``(S, R, C)`` uint8."""
    shape = (grid.z.shape[0], _MATRIX, _MATRIX)
    labels = np.zeros(shape, np.uint8)
    abdomen = np.broadcast_to(grid.ellipsoid(*_ANATOMY[2][1:]), shape)
    for tissue, centre, semi in _ANATOMY:
        mask = grid.ellipsoid(centre, semi)
        if tissue in ("liver", "spleen"):
            mask = mask & abdomen
        labels[np.broadcast_to(mask, shape)] = _LABEL[tissue]
    for lesion in lesions:
        whole = grid.ellipsoid(lesion.centre_mm, (lesion.diameter_mm / 2,) * 3)
        r_viable = lesion.viable_diameter_mm / 2
        viable = grid.ellipsoid(lesion.viable_centre_mm, (r_viable,) * 3) & whole
        labels[whole] = _LABEL["necrosis"]
        labels[viable] = _LABEL["viable_tumour"]
    return labels


def _stored(
    labels: NDArray[np.uint8], phase: int, rng: np.random.Generator
) -> NDArray[np.int16]:
    """Return stored values (HU - intercept) with noise, ``(S, R, C)`` int16."""
    lut = np.array([hu[phase] for hu in TISSUE_HU.values()], np.float32)
    noise = rng.standard_normal(labels.shape, dtype=np.float32)
    hu = np.rint(lut[labels] + np.float32(NOISE_SD_HU) * noise)
    stored: NDArray[np.int16] = np.clip(hu - _INTERCEPT, 0, 4095).astype("<i2")
    return stored


def _uid(*parts: object) -> UID:
    text = "-".join(("respond-phantom", *map(str, parts)))
    return generate_uid(entropy_srcs=[text])


def _base_dataset(seed: int, label: str, study_date: date) -> Dataset:
    """Return the header shared by every image of a study."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["DERIVED", "SECONDARY", "AXIAL"]
    ds.SOPClassUID = CTImageStorage
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study_date.strftime("%Y%m%d")
    ds.AcquisitionDate = ds.StudyDate
    ds.StudyTime = "090000"
    ds.Modality = "CT"
    ds.Manufacturer = "respond phantom"
    ds.StudyDescription = SYNTHETIC_LABEL
    ds.ImageComments = f"{SYNTHETIC_LABEL}: generated liver phantom, time point {label}"
    ds.PatientName, ds.PatientID = PATIENT_NAME, PATIENT_ID
    ds.PatientBirthDate, ds.PatientSex, ds.PatientIdentityRemoved = "", "O", "YES"
    ds.DeidentificationMethod = "SYNTHETIC: generated, never from a patient"
    ds.StudyInstanceUID = _uid(seed, label, "study")
    ds.FrameOfReferenceUID = _uid(seed, label, "frame")
    ds.StudyID, ds.AccessionNumber = label, f"DEMO-{label}"
    ds.ContrastBolusAgent, ds.ContrastBolusRoute = "Iohexol", "IV"
    ds.ContrastBolusStartTime = _BOLUS_START
    ds.BodyPartExamined, ds.PatientPosition, ds.KVP = "ABDOMEN", "FFS", "120"
    ds.SliceThickness, ds.GantryDetectorTilt = f"{_SLICE_MM}", "0"
    ds.AcquisitionNumber = 1
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows = ds.Columns = _MATRIX
    ds.PixelSpacing = [f"{_PIXEL_MM}", f"{_PIXEL_MM}"]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.WindowCenter, ds.WindowWidth = "60", "400"
    ds.RescaleIntercept, ds.RescaleSlope = f"{_INTERCEPT}", "1"
    ds.RescaleType = "HU"
    return ds


def _write_series(
    ds: Dataset, folder: Path, stored: NDArray[np.int16], grid: _Grid
) -> None:
    """Write one series, one file per slice, ``IMG0001.dcm`` the lowest z."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("IMG*.dcm"):  # an earlier run with more slices
        stale.unlink()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    corner = f"{grid.corner_mm:.1f}"
    for k, z_mm in enumerate(grid.z_mm):
        uid = _uid(ds.SeriesInstanceUID, k)
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = uid
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [corner, corner, f"{z_mm:.2f}"]
        ds.SliceLocation = f"{z_mm:.2f}"
        ds.PixelData = stored[k].tobytes()
        ds.save_as(folder / f"IMG{k + 1:04d}.dcm", enforce_file_format=True)


def write_phantom(
    root: Path, *, seed: int = 0, slices: int = 48
) -> list[PhantomTimePoint]:
    """Write the synthetic three-time-point liver CT under ``root``.

    Files go to ``root/<BL|FU1|FU2>/<arterial|portal>/IMG0001.dcm`` and so on
    (CT Image Storage, Explicit VR Little Endian, int16, RescaleIntercept -1024);
    ``IMG*.dcm`` files already in those six folders are replaced.

    Parameters
    ----------
    root
        Folder to write into (created if needed).
    seed
        Non-negative; fixes the noise and the UIDs, so the same seed writes
        byte-identical files. Anatomy and lesions do not depend on it.
    slices
        Axial slices per series (2.5 mm apart, centred on z = 0), at least 40 so
        every lesion lies inside the volume.

    Returns
    -------
    list of PhantomTimePoint
        Baseline, FU1 and FU2 in date order, with the lesion ground truth.

    Raises
    ------
    ValueError
        ``seed`` is negative or ``slices`` is outside 40-200.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not _MIN_SLICES <= slices <= _MAX_SLICES:
        raise ValueError(
            f"slices must be between {_MIN_SLICES} and {_MAX_SLICES}, got {slices!r}"
        )
    grid = _Grid(slices)
    written = []
    for index, (label, day) in enumerate(_TIME_POINTS):
        study_date = _BASELINE_DATE + timedelta(days=day)
        lesions = _lesions_at(index)
        labels = _labels(grid, lesions)
        ds = _base_dataset(seed, label, study_date)
        folders, uids = [], []
        for phase, (name, description, number, time) in enumerate(_PHASES):
            rng = np.random.default_rng(np.random.SeedSequence([seed, index, phase]))
            ds.SeriesInstanceUID = _uid(seed, label, name, "series")
            ds.SeriesDescription = description
            ds.SeriesNumber = number
            ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = time
            folder = root / label / name
            _write_series(ds, folder, _stored(labels, phase, rng), grid)
            folders.append(folder)
            uids.append(str(ds.SeriesInstanceUID))
        written.append(
            PhantomTimePoint(
                label=label,
                day=day,
                study_date=study_date,
                study_uid=str(ds.StudyInstanceUID),
                study_folder=root / label,
                arterial_folder=folders[0],
                portal_folder=folders[1],
                arterial_series_uid=uids[0],
                portal_series_uid=uids[1],
                lesions=lesions,
            )
        )
    return written
