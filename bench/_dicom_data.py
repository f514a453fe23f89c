"""Generated CT series for the DICOM loading benchmark, cached in ``bench/.data/``.

One synthetic abdominal CT (512 x 512, int16, RescaleIntercept -1024, slope 1,
0.7 mm pixels, 2.5 mm slice spacing, GE-like padding of -2000 outside the
reconstruction circle) is written in four transfer syntaxes:

- ``explicit``: Explicit VR Little Endian (pydicom);
- ``rle``: RLE Lossless (pydicom ``Dataset.compress`` with pylibjpeg-rle);
- ``j2k``: JPEG 2000 Lossless (pydicom ``Dataset.compress`` with
  pylibjpeg-openjpeg);
- ``jpegll``: JPEG Lossless, process 14 SV1 (pydicom cannot encode it: each slice
  is encoded by SimpleITK's GDCM writer, ``SetCompressor("JPEG")``, which writes
  1.2.840.10008.1.2.4.70, and its encapsulated fragments are put into the same
  pydicom header as the other copies).

The body is an ellipse with fat, muscle, liver, spleen, kidneys, aorta, spine,
bowel gas and lung bases, plus Gaussian noise, so the lossless compression
ratios are close to a real CT's. Every copy is checked when it is written: the
transfer syntax of every file, and every slice decodes (pydicom) to the same
stored values as the uncompressed copy; a few slices are also checked with
SimpleITK. A ``complete.json`` written last records the file count and bytes,
so an interrupted generation is redone and a complete one reused.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    CTImageStorage,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLosslessSV1,
    RLELossless,
    generate_uid,
)

DATA_ROOT = Path(__file__).resolve().parent / ".data"
ROWS = COLUMNS = 512
PIXEL_MM = 0.7
SPACING_MM = 2.5
INTERCEPT = -1024
PADDING = -2000
SEED = 20260105
# bump when the generated pixels or headers change: cached copies are then rewritten
DATA_VERSION = 1

SYNTAXES: dict[str, str] = {
    "explicit": str(ExplicitVRLittleEndian),
    "rle": str(RLELossless),
    "j2k": str(JPEG2000Lossless),
    "jpegll": str(JPEGLosslessSV1),
}
LABELS = {
    "explicit": "uncompressed (Explicit VR LE)",
    "rle": "RLE Lossless",
    "j2k": "JPEG 2000 Lossless",
    "jpegll": "JPEG Lossless SV1",
}


@dataclass(frozen=True)
class Series:
    """A generated copy on disk."""

    name: str
    folder: Path
    transfer_syntax: str
    slices: int
    bytes_on_disk: int


def _uid(prefix: str, slices: int, *parts: object) -> str:
    text = f"respond-bench-{prefix}-{slices}-" + "-".join(str(p) for p in parts)
    return str(generate_uid(entropy_srcs=[text]))


class _Phantom:
    """Body-like CT slices in HU, smooth along z, deterministic."""

    def __init__(self, slices: int) -> None:
        self.slices = slices
        half = (COLUMNS - 1) / 2
        j, i = np.meshgrid(np.arange(COLUMNS), np.arange(ROWS))
        # millimetres from the centre; x to the patient's left, y posterior
        self.x = (j - half) * PIXEL_MM
        self.y = (i - half) * PIXEL_MM
        self.fov = (j - half) ** 2 + (i - half) ** 2 <= (ROWS / 2) ** 2
        self.rng = np.random.default_rng(SEED + slices)
        gas = self.rng.uniform(-1, 1, size=(24, 3))
        self.gas = gas * np.array([80.0, 50.0, 1.0]) + [0, 20, 0]

    def _ellipse(
        self, cx: float, cy: float, ax: float, ay: float
    ) -> np.ndarray[tuple[int, int], np.dtype[np.bool_]]:
        if ax <= 0 or ay <= 0:
            return np.zeros_like(self.fov)
        return ((self.x - cx) / ax) ** 2 + ((self.y - cy) / ay) ** 2 <= 1.0

    def hu(self, k: int) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        """Return slice ``k`` (0 = feet) in HU, before noise."""
        t = k / max(1, self.slices - 1)  # 0 pelvis .. 1 lung bases
        image = np.full((ROWS, COLUMNS), -1000.0)
        body_x, body_y = 150 + 12 * np.sin(np.pi * t), 105 + 10 * t
        image[self._ellipse(0, 10, body_x, body_y)] = -100.0  # subcutaneous fat
        image[self._ellipse(0, 10, body_x - 14, body_y - 12)] = 40.0  # muscle, organs
        image[self._ellipse(0, 12, body_x - 40, body_y - 35)] = -60.0  # visceral fat
        liver = max(0.0, np.sin(np.pi * min(1.0, (t - 0.35) / 0.6)))
        image[self._ellipse(-70, 0, 85 * liver, 75 * liver)] = 60.0
        spleen = max(0.0, np.sin(np.pi * min(1.0, max(0.0, t - 0.5) / 0.4)))
        image[self._ellipse(95, 25, 35 * spleen, 45 * spleen)] = 50.0
        kidney = max(0.0, np.sin(np.pi * min(1.0, max(0.0, t - 0.3) / 0.3)))
        for side in (-1, 1):
            image[self._ellipse(side * 60, 55, 28 * kidney, 40 * kidney)] = 160.0
        for cx, cy, phase in self.gas:
            size = 12 * max(0.0, np.sin(np.pi * (t * 3 + phase)))
            image[self._ellipse(cx, cy, size, size * 0.7)] = -900.0
        image[self._ellipse(15, 55, 12, 12)] = 180.0  # aorta (contrast)
        image[self._ellipse(-20, 50, 11, 10)] = 120.0  # inferior vena cava
        image[self._ellipse(0, 85, 22, 18)] = 800.0  # vertebral body cortex
        image[self._ellipse(0, 85, 18, 14)] = 250.0  # cancellous bone
        image[self._ellipse(0, 112, 10, 12)] = 700.0  # spinous process
        lungs = max(0.0, (t - 0.8) / 0.2)
        for side in (-1, 1):
            image[self._ellipse(side * 75, 30, 60 * lungs, 70 * lungs)] = -850.0
        return image

    def stored(self, k: int) -> np.ndarray[tuple[int, int], np.dtype[np.int16]]:
        """Return slice ``k`` as stored values (HU - intercept), padded, int16."""
        image = self.hu(k)
        soft = image > -950
        noise = self.rng.normal(0.0, 1.0, size=image.shape)
        image += np.where(soft, 14.0, 6.0) * noise
        stored = np.clip(np.rint(image - INTERCEPT), 0, 4095).astype(np.int16)
        stored[~self.fov] = PADDING
        return stored


def _header(slices: int, k: int, transfer_syntax: str) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = _uid("image", slices, k)
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20260105"
    ds.StudyTime, ds.SeriesTime = "101500", "102130"
    ds.AcquisitionTime = ds.ContentTime = "102205"
    ds.Modality = "CT"
    ds.Manufacturer = "respond bench"
    ds.StudyDescription = "CT ABDOMEN LIVER 3 PHASE"
    ds.SeriesDescription = "PORTAL VENOUS 2.5mm"
    ds.PatientName = "BENCH^SYNTHETIC"
    ds.PatientID = "BENCH-0001"
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.ContrastBolusAgent = "IOMEPROL 350"
    ds.ContrastBolusRoute = "IV"
    ds.ContrastBolusStartTime = "102100"
    ds.BodyPartExamined = "ABDOMEN"
    ds.SliceThickness = f"{SPACING_MM}"
    ds.KVP = "120"
    ds.ConvolutionKernel = "STANDARD"
    ds.PatientPosition = "FFS"
    ds.GantryDetectorTilt = "0"
    ds.StudyInstanceUID = _uid("study", slices)
    ds.SeriesInstanceUID = _uid("series", slices)
    ds.FrameOfReferenceUID = _uid("frame", slices)
    ds.StudyID = "1"
    ds.SeriesNumber = 4
    ds.AcquisitionNumber = 1
    ds.InstanceNumber = k + 1
    z = -400.0 + k * SPACING_MM
    corner = -(ROWS / 2) * PIXEL_MM + PIXEL_MM / 2
    ds.ImagePositionPatient = [f"{corner:.4f}", f"{corner:.4f}", f"{z:.2f}"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SliceLocation = f"{z:.2f}"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = ROWS, COLUMNS
    ds.PixelSpacing = [f"{PIXEL_MM}", f"{PIXEL_MM}"]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.PixelPaddingValue = PADDING
    ds.WindowCenter, ds.WindowWidth = "40", "400"
    ds.RescaleIntercept = f"{INTERCEPT}"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    return ds


def _jpeg_lossless_fragments(stored: np.ndarray, scratch: Path) -> bytes:
    """Encode one slice as JPEG Lossless SV1 with SimpleITK/GDCM; the PixelData."""
    import SimpleITK as sitk

    writer = sitk.ImageFileWriter()
    writer.SetImageIO("GDCMImageIO")
    writer.SetFileName(str(scratch))
    writer.SetUseCompression(True)
    writer.SetCompressor("JPEG")
    writer.Execute(sitk.GetImageFromArray(stored))
    written = pydicom.dcmread(scratch)
    syntax = str(written.file_meta.TransferSyntaxUID)
    if syntax != str(JPEGLosslessSV1):
        raise RuntimeError(f"SimpleITK wrote {syntax}, not JPEG Lossless SV1")
    if (written.BitsStored, written.PixelRepresentation) != (16, 1):
        raise RuntimeError("SimpleITK changed the pixel format of the JPEG copy")
    return bytes(written.PixelData)


def _write_copies(slices: int, staging: dict[str, Path]) -> None:
    phantom = _Phantom(slices)
    scratch = next(iter(staging.values())).parent / "scratch.dcm"
    for k in range(slices):
        stored = phantom.stored(k)
        name = f"IM{k + 1:05d}.dcm"
        ds = _header(slices, k, SYNTAXES["explicit"])
        ds.PixelData = stored.tobytes()
        ds.save_as(staging["explicit"] / name, enforce_file_format=True)
        for key, plugin in (("rle", "pylibjpeg"), ("j2k", "pylibjpeg")):
            ds = _header(slices, k, SYNTAXES["explicit"])
            ds.PixelData = stored.tobytes()
            ds.compress(
                SYNTAXES[key],
                stored,
                encoding_plugin=plugin,
                generate_instance_uid=False,
            )
            ds.save_as(staging[key] / name, enforce_file_format=True)
        ds = _header(slices, k, SYNTAXES["jpegll"])
        ds.PixelData = _jpeg_lossless_fragments(stored, scratch)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        ds.save_as(staging["jpegll"] / name, enforce_file_format=True)
    scratch.unlink(missing_ok=True)


def _verify(slices: int, staging: dict[str, Path]) -> None:
    """Check every copy's syntax and pixels against the uncompressed copy."""
    import SimpleITK as sitk

    names = sorted(p.name for p in staging["explicit"].iterdir())
    if len(names) != slices:
        raise RuntimeError(f"{len(names)} uncompressed files, expected {slices}")
    sitk_slices = {0, slices // 2, slices - 1, slices // 3}
    for k, name in enumerate(names):
        reference = pydicom.dcmread(staging["explicit"] / name).pixel_array
        for key, folder in staging.items():
            ds = pydicom.dcmread(folder / name)
            if str(ds.file_meta.TransferSyntaxUID) != SYNTAXES[key]:
                raise RuntimeError(
                    f"{key}/{name}: transfer syntax {ds.file_meta.TransferSyntaxUID}"
                )
            if key != "explicit" and not np.array_equal(ds.pixel_array, reference):
                raise RuntimeError(f"{key}/{name}: pixels differ from uncompressed")
            if k in sitk_slices:
                hu = sitk.GetArrayFromImage(sitk.ReadImage(str(folder / name)))
                if not np.array_equal(hu.reshape(reference.shape), reference - 1024):
                    raise RuntimeError(f"{key}/{name}: SimpleITK decodes other HU")


def _complete(root: Path, slices: int) -> dict[str, Series] | None:
    marker = root / "complete.json"
    if not marker.is_file():
        return None
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if recorded.get("version") != DATA_VERSION:
        return None
    found: dict[str, Series] = {}
    for key, syntax in SYNTAXES.items():
        folder = root / key
        files = sorted(folder.glob("*.dcm")) if folder.is_dir() else []
        size = sum(f.stat().st_size for f in files)
        entry = recorded.get(key, {})
        if (
            len(files) != slices
            or entry.get("files") != slices
            or entry.get("bytes") != size
        ):
            return None
        found[key] = Series(key, folder, syntax, slices, size)
    return found


def ensure_series(slices: int, *, log: bool = True) -> dict[str, Series]:
    """Return the generated copies of a ``slices``-slice CT, writing them if needed.

    The files live in ``bench/.data/ct<slices>/<copy>/``; a complete, verified set
    is reused.
    """
    root = DATA_ROOT / f"ct{slices}"
    found = _complete(root, slices)
    if found is not None:
        return found
    if log:
        print(
            f"  generating a {slices}-slice CT series in 4 transfer syntaxes "
            f"into bench/.data/ct{slices}/ (once; verified and cached) ..."
        )
    start = time.perf_counter()
    DATA_ROOT.mkdir(parents=True, exist_ok=True)
    staging_root = Path(tempfile.mkdtemp(prefix=f"ct{slices}-", dir=DATA_ROOT))
    try:
        staging = {key: staging_root / key for key in SYNTAXES}
        for folder in staging.values():
            folder.mkdir()
        _write_copies(slices, staging)
        _verify(slices, staging)
        record: dict[str, object] = {"version": DATA_VERSION}
        for key, folder in staging.items():
            files = list(folder.glob("*.dcm"))
            record[key] = {
                "files": len(files),
                "bytes": sum(f.stat().st_size for f in files),
                "transfer_syntax": SYNTAXES[key],
            }
        (staging_root / "complete.json").write_text(json.dumps(record, indent=1))
        if root.exists():
            shutil.rmtree(root)
        staging_root.chmod(0o755)
        staging_root.rename(root)
    finally:
        if staging_root.exists():
            shutil.rmtree(staging_root)
    if log:
        print(f"  generated and verified in {time.perf_counter() - start:.0f} s")
    found = _complete(root, slices)
    if found is None:
        raise RuntimeError(f"generated series in {root} is incomplete")
    return found


if __name__ == "__main__":
    import sys

    for key, series in ensure_series(
        int(sys.argv[1]) if len(sys.argv) > 1 else 64
    ).items():
        print(key, series.slices, series.bytes_on_disk)
