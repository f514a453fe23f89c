"""A 512 x 512 CT in every compressed transfer syntax, cached in ``bench/.data/``.

The slices are the real liver CT's (``../shared/data/dicom/ct_liver_hcc048_pv``,
89 slices, int16 with -2000 padding), repeated forth and back to the wanted
count; without it, the DICOM benchmark's synthetic CT (``_dicom_data``). The
headers are the DICOM benchmark's (CT, 0.7 mm, 2.5 mm spacing, intercept
-1024). Copies, each written by a maintained encoder:

- ``rle``: RLE Lossless (pydicom ``Dataset.compress``, pylibjpeg-rle);
- ``jpeg_ll14``: JPEG Lossless process 14, predictor 6 (libjpeg-turbo through
  imagecodecs: pydicom has no JPEG encoder);
- ``jpeg_sv1``: JPEG Lossless SV1 (SimpleITK's GDCM writer, as the DICOM
  benchmark writes it);
- ``jpegls`` and ``jpegls_near``: JPEG-LS lossless and near-lossless with an
  error of 2 (pydicom with pyjpegls, CharLS);
- ``j2k`` and ``j2k_lossy``: JPEG 2000 lossless and lossy at a 12:1 ratio
  (pydicom with pylibjpeg-openjpeg);
- ``jpeg_baseline``: 8-bit JPEG baseline of the slice windowed at W 400 / L 40,
  slope 1 and intercept 0 (imagecodecs, quality 90);
- ``jpeg_extended``: 12-bit lossy JPEG of HU + 1024 clipped to 0-4095,
  unsigned (imagecodecs, quality 90);
- ``deflate``: Deflated Explicit VR Little Endian (pydicom).

Every file is checked when written: its transfer syntax, and that pydicom
decodes it to the stored values (lossless), within the allowed error
(near-lossless) or at all (lossy). ``complete.json``, written last, records
the files, so an interrupted generation is redone and a complete one reused.
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
from pydicom.encaps import encapsulate
from pydicom.uid import (
    JPEG2000,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)

from bench import _dicom_data

DATA_VERSION = 1
LIVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "dicom"
LIVER = LIVER / "ct_liver_hcc048_pv"
NEAR_LOSSLESS_ERROR = 2
J2K_RATIO = 12
JPEG_QUALITY = 90

SYNTAXES: dict[str, str] = {
    "rle": str(RLELossless),
    "jpeg_ll14": str(JPEGLossless),
    "jpeg_sv1": str(JPEGLosslessSV1),
    "jpegls": str(JPEGLSLossless),
    "jpegls_near": str(JPEGLSNearLossless),
    "j2k": str(JPEG2000Lossless),
    "j2k_lossy": str(JPEG2000),
    "jpeg_baseline": str(JPEGBaseline8Bit),
    "jpeg_extended": str(JPEGExtended12Bit),
    "deflate": str(DeflatedExplicitVRLittleEndian),
}
LABELS = {
    "rle": "RLE Lossless",
    "jpeg_ll14": "JPEG Lossless P14 (predictor 6)",
    "jpeg_sv1": "JPEG Lossless SV1",
    "jpegls": "JPEG-LS Lossless",
    "jpegls_near": "JPEG-LS near-lossless (error 2)",
    "j2k": "JPEG 2000 Lossless",
    "j2k_lossy": "JPEG 2000 lossy (12:1)",
    "jpeg_baseline": "JPEG Baseline 8-bit (lossy)",
    "jpeg_extended": "JPEG Extended 12-bit (lossy)",
    "deflate": "Deflated Explicit VR LE",
}
LOSSLESS = frozenset({"rle", "jpeg_ll14", "jpeg_sv1", "jpegls", "j2k", "deflate"})


@dataclass(frozen=True)
class Copy:
    """A generated copy on disk."""

    key: str
    folder: Path
    transfer_syntax: str
    slices: int
    bytes_on_disk: int


class _Source:
    """Stored int16 slices: the liver CT forth and back, or the phantom."""

    def __init__(self, slices: int) -> None:
        self.files = sorted(LIVER.glob("*.dcm")) if LIVER.is_dir() else []
        self.phantom = None if self.files else _dicom_data._Phantom(slices)
        self._cache: dict[int, np.ndarray] = {}

    @property
    def name(self) -> str:
        return "liver CT" if self.files else "synthetic CT"

    def stored(self, k: int) -> np.ndarray:
        if self.phantom is not None:
            return self.phantom.stored(k)
        period = 2 * (len(self.files) - 1)
        n = k % period
        n = n if n < len(self.files) else period - n
        if n not in self._cache:
            ds = pydicom.dcmread(self.files[n])
            self._cache[n] = np.ascontiguousarray(ds.pixel_array, dtype=np.int16)
        return self._cache[n]


def _header(slices: int, k: int, syntax: str) -> pydicom.Dataset:
    ds = _dicom_data._header(slices, k, syntax)
    ds.SeriesInstanceUID = _dicom_data._uid("codecs-series", slices, syntax)
    ds.SOPInstanceUID = _dicom_data._uid("codecs-image", slices, syntax, k)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def _encapsulated(ds: pydicom.Dataset, code: bytes) -> None:
    ds.PixelData = encapsulate([bytes(code)])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True


def _compressed(slices: int, k: int, key: str, stored: np.ndarray, scratch: Path):
    import imagecodecs

    syntax = SYNTAXES[key]
    ds = _header(slices, k, str(ExplicitVRLittleEndian))
    ds.PixelData = stored.tobytes()
    if key in ("rle", "jpegls", "j2k"):
        ds.compress(syntax, stored, generate_instance_uid=False)
    elif key == "jpegls_near":
        ds.compress(
            syntax, stored, jls_error=NEAR_LOSSLESS_ERROR, generate_instance_uid=False
        )
    elif key == "j2k_lossy":
        ds.compress(syntax, stored, j2k_cr=[J2K_RATIO], generate_instance_uid=False)
    elif key == "deflate":
        ds.file_meta.TransferSyntaxUID = syntax
    else:
        ds = _header(slices, k, syntax)
        if key == "jpeg_sv1":
            code = _dicom_data._jpeg_lossless_fragments(stored, scratch)
            ds.PixelData = code
            ds["PixelData"].VR = "OB"
            ds["PixelData"].is_undefined_length = True
            return ds
        if key == "jpeg_ll14":
            code = imagecodecs.jpeg8_encode(
                stored.view(np.uint16), lossless=True, predictor=6, bitspersample=16
            )
        elif key == "jpeg_extended":
            values = np.clip(stored.astype(np.int32), 0, 4095).astype(np.uint16)
            code = imagecodecs.jpeg8_encode(
                values, level=JPEG_QUALITY, bitspersample=12
            )
            ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
            del ds.PixelPaddingValue
        else:  # jpeg_baseline: the slice as a display would show it
            hu = stored.astype(np.float32) + _dicom_data.INTERCEPT
            values = np.clip((hu - (40 - 200)) * 255 / 400, 0, 255)
            code = imagecodecs.jpeg8_encode(
                np.rint(values).astype(np.uint8), level=JPEG_QUALITY
            )
            ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
            ds.PixelRepresentation = 0
            ds.RescaleIntercept, ds.RescaleSlope = "0", "1"
            del ds.PixelPaddingValue, ds.RescaleType
        _encapsulated(ds, code)
    return ds


def _check(key: str, path: Path, stored: np.ndarray) -> None:
    ds = pydicom.dcmread(path)
    if str(ds.file_meta.TransferSyntaxUID) != SYNTAXES[key]:
        raise RuntimeError(f"{path}: transfer syntax {ds.file_meta.TransferSyntaxUID}")
    values = ds.pixel_array
    if key in LOSSLESS and not np.array_equal(values, stored):
        raise RuntimeError(f"{path}: pydicom decodes other values than were stored")
    if key == "jpegls_near":
        error = np.abs(values.astype(np.int32) - stored).max()
        if error > NEAR_LOSSLESS_ERROR:
            raise RuntimeError(f"{path}: near-lossless error {error}")
    if values.shape != stored.shape:
        raise RuntimeError(f"{path}: decodes to {values.shape}")


def _complete(root: Path, slices: int) -> dict[str, Copy] | None:
    try:
        recorded = json.loads((root / "complete.json").read_text())
    except (OSError, ValueError):
        return None
    if recorded.get("version") != DATA_VERSION:
        return None
    found = {}
    for key, syntax in SYNTAXES.items():
        folder = root / key
        files = sorted(folder.glob("*.dcm")) if folder.is_dir() else []
        size = sum(f.stat().st_size for f in files)
        entry = recorded.get(key, {})
        if len(files) != slices or entry.get("bytes") != size:
            return None
        found[key] = Copy(key, folder, syntax, slices, size)
    return found


def ensure_copies(slices: int, *, log: bool = True) -> dict[str, Copy]:
    """Return the copies of a ``slices``-slice CT, writing them first if needed.

    They live in ``bench/.data/codecs<slices>/<copy>/``; a complete, checked
    set is reused.
    """
    root = _dicom_data.DATA_ROOT / f"codecs{slices}"
    found = _complete(root, slices)
    if found is not None:
        return found
    source = _Source(slices)
    if log:
        print(
            f"  writing a {slices}-slice {source.name} in {len(SYNTAXES)} transfer "
            f"syntaxes into bench/.data/codecs{slices}/ (once; checked and cached) ..."
        )
    start = time.perf_counter()
    _dicom_data.DATA_ROOT.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f"codecs{slices}-", dir=_dicom_data.DATA_ROOT)
    )
    try:
        for key in SYNTAXES:
            (staging / key).mkdir()
        scratch = staging / "scratch.dcm"
        for k in range(slices):
            stored = source.stored(k)
            for key in SYNTAXES:
                ds = _compressed(slices, k, key, stored, scratch)
                path = staging / key / f"IM{k + 1:05d}.dcm"
                ds.save_as(path, enforce_file_format=True)
                _check(key, path, stored)
        scratch.unlink(missing_ok=True)
        record: dict[str, object] = {"version": DATA_VERSION, "source": source.name}
        for key in SYNTAXES:
            files = list((staging / key).glob("*.dcm"))
            record[key] = {
                "files": len(files),
                "bytes": sum(f.stat().st_size for f in files),
                "transfer_syntax": SYNTAXES[key],
            }
        (staging / "complete.json").write_text(json.dumps(record, indent=1))
        if root.exists():
            shutil.rmtree(root)
        staging.chmod(0o755)
        staging.rename(root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    if log:
        print(f"  written and checked in {time.perf_counter() - start:.0f} s")
    found = _complete(root, slices)
    if found is None:
        raise RuntimeError(f"generated copies in {root} are incomplete")
    return found


if __name__ == "__main__":
    import sys

    for key, copy in ensure_copies(
        int(sys.argv[1]) if len(sys.argv) > 1 else 24
    ).items():
        print(key, copy.slices, copy.bytes_on_disk)
