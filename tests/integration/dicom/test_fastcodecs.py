"""Compressed files decoded by imagecodecs: pydicom's values, bit for bit, or an error.

The fast path must never change what a reader measures: every compressed file
it decodes gives exactly the stored values pydicom gives (same type, same
numbers), for the shared real files and for every pixel format the encoders
write; a damaged codestream is a SeriesLoadError naming the file; without
imagecodecs the engines are the old ones.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import imagecodecs
import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate, generate_frames
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
    MRImageStorage,
    RLELossless,
    generate_uid,
)
from tests.integration.dicom.conftest import EDGE, TRANSFER_SYNTAXES

from respond.dicom import _fastcodecs
from respond.dicom._codecs import Engine, engine_for, fast_engine_for
from respond.dicom._fastcodecs import decode_frames
from respond.dicom.errors import SeriesLoadError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FAST = (
    DeflatedExplicitVRLittleEndian,
    RLELossless,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    JPEG2000Lossless,
    JPEG2000,
)
"""Taken with pydicom's values, bit for bit (lossy JPEG has GDCM's: see below)."""
SHARED_COMPRESSED = [
    f"{TRANSFER_SYNTAXES}/4.dcm",  # RLE
    f"{TRANSFER_SYNTAXES}/5.dcm",  # JPEG Lossless SV1, two encoders
    f"{TRANSFER_SYNTAXES}/6.dcm",
    f"{TRANSFER_SYNTAXES}/7.dcm",  # JPEG-LS Lossless, two encoders
    f"{TRANSFER_SYNTAXES}/8.dcm",
    f"{TRANSFER_SYNTAXES}/9.dcm",  # JPEG 2000 Lossless
    f"{EDGE}/MR_small_RLE.dcm",  # signed 16-bit RLE
    f"{EDGE}/image_dfl.dcm",  # deflate, 8-bit
]
ENCAPSULATED = FAST[1:]
GOLDEN_SUM = 38_036_663  # every copy in mr_transfer_syntaxes (its MANIFEST)


@pytest.fixture
def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a file is handed to pydicom instead of being decoded here."""

    def no_fallback(path: Path, *_args: object) -> object:
        raise AssertionError(f"{path.name} went to pydicom, not to imagecodecs")

    monkeypatch.setattr(_fastcodecs, "_pydicom", no_fallback)


@pytest.fixture
def without_imagecodecs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """imagecodecs not installed: importing it fails."""
    monkeypatch.setitem(sys.modules, "imagecodecs", None)
    _fastcodecs._imagecodecs.cache_clear()
    _fastcodecs.decodes.cache_clear()
    yield
    _fastcodecs._imagecodecs.cache_clear()
    _fastcodecs.decodes.cache_clear()


def pydicom_values(path: Path) -> np.ndarray:
    values = pydicom.dcmread(path).pixel_array
    return values if values.ndim == 3 else values[np.newaxis]


def assert_same_values(path: Path) -> np.ndarray:
    decoded, rescaled = decode_frames(path)
    expected = pydicom_values(path)
    assert not rescaled
    assert decoded.dtype == expected.dtype
    assert decoded.shape == expected.shape
    assert np.array_equal(decoded, expected)
    return decoded


# --- the shared real files ------------------------------------------------------


@pytest.mark.parametrize("name", SHARED_COMPRESSED)
def test_shared_compressed_files_decode_to_pydicoms_values(
    shared_dicom: Path, fast_only: None, name: str
) -> None:
    path = shared_dicom / name
    syntax = str(
        pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID
    )
    assert fast_engine_for(syntax) is Engine.IMAGECODECS
    values = assert_same_values(path)
    if name.startswith(TRANSFER_SYNTAXES):
        assert int(values.sum(dtype=np.int64)) == GOLDEN_SUM


@pytest.mark.parametrize(
    "name", [f"{TRANSFER_SYNTAXES}/1.dcm", f"{TRANSFER_SYNTAXES}/3.dcm"]
)
def test_native_files_keep_their_engines(shared_dicom: Path, name: str) -> None:
    ds = pydicom.dcmread(shared_dicom / name, stop_before_pixels=True)
    syntax = str(ds.file_meta.TransferSyntaxUID)
    assert fast_engine_for(syntax) is engine_for(syntax) is Engine.NATIVE


def _gdcm_values(path: Path) -> np.ndarray:
    import SimpleITK as sitk

    return sitk.GetArrayFromImage(sitk.ReadImage(str(path)))


def test_lossy_jpeg_decodes_as_gdcm_and_pillow_do(shared_dicom: Path) -> None:
    """libjpeg-turbo's inverse DCT: GDCM's (SimpleITK's) values, bit for bit.

    pydicom's plugin (pylibjpeg-libjpeg) rounds differently: one stored unit
    here and there, never more.
    """
    path = shared_dicom / EDGE / "JPGExtended.dcm"
    assert fast_engine_for(JPEGExtended12Bit) is Engine.IMAGECODECS
    values, rescaled = decode_frames(path)
    assert not rescaled
    assert np.array_equal(values[0].astype(np.int32), _gdcm_values(path)[0])
    pydicom_values = pydicom.dcmread(path).pixel_array.astype(np.int32)
    assert np.abs(values[0].astype(np.int32) - pydicom_values).max() <= 1


@pytest.mark.parametrize(
    ("syntax", "bits"), [(JPEGBaseline8Bit, 8), (JPEGExtended12Bit, 12)]
)
def test_generated_lossy_jpeg_decodes_as_gdcm_does(
    tmp_path: Path, syntax: str, bits: int
) -> None:
    rng = np.random.default_rng(11)
    smooth = np.cumsum(rng.integers(-3, 4, (2, 64, 80)), axis=2) + (1 << (bits - 1))
    values = np.clip(smooth, 0, (1 << bits) - 1).astype(
        np.uint8 if bits == 8 else np.uint16
    )
    ds = dataset(values, bits, frames=2)
    if bits == 8:
        ds.BitsAllocated, ds.HighBit = 8, 7
    codes = [
        bytes(imagecodecs.jpeg8_encode(f, level=85, bitspersample=bits)) for f in values
    ]
    ds.PixelData = encapsulate(codes)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = syntax
    path = tmp_path / "lossy.dcm"
    ds.save_as(path, enforce_file_format=True)
    decoded, _ = decode_frames(path)
    assert np.array_equal(decoded.astype(np.int32), _gdcm_values(path).astype(np.int32))
    assert np.abs(decoded.astype(np.int32) - values.astype(np.int32)).max() < 64


def test_the_default_engine_choice_is_unchanged() -> None:
    assert all(engine_for(uid) is not Engine.IMAGECODECS for uid in FAST)
    assert all(fast_engine_for(uid) is Engine.IMAGECODECS for uid in FAST)


# --- every pixel format the encoders write ----------------------------------------


def dataset(values: np.ndarray, bits_stored: int, *, frames: int = 1) -> Dataset:
    """A minimal MR file of stored ``values`` (frames, rows, columns), uncompressed."""
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "MR"
    ds.Rows, ds.Columns = values.shape[-2:]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = values.dtype.itemsize * 8
    ds.BitsStored, ds.HighBit = bits_stored, bits_stored - 1
    ds.PixelRepresentation = int(values.dtype.kind == "i")
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = values.tobytes()
    return ds


def stored_values(
    bits_allocated: int, bits_stored: int, signed: bool, shape: tuple[int, ...]
) -> np.ndarray:
    """Smooth values over nearly the whole stored range (compressible, every bit).

    Three short of each end: pydicom encodes signed near-lossless JPEG-LS only
    where the error cannot wrap the sign.
    """
    low = (-(1 << (bits_stored - 1)) if signed else 0) + 3
    high = ((1 << (bits_stored - 1)) - 1 if signed else (1 << bits_stored) - 1) - 3
    ramp = np.linspace(0.0, 1.0, int(np.prod(shape))).reshape(shape)
    noise = np.random.default_rng(bits_stored).integers(0, 7, size=shape)
    values = np.clip(np.rint(low + ramp * (high - low)) + noise - 3, low, high)
    return values.astype(f"{'i' if signed else 'u'}{bits_allocated // 8}")


def write_jpeg_lossless(
    ds: Dataset, values: np.ndarray, syntax: str, path: Path
) -> None:
    """Encode with libjpeg-turbo (pydicom has no JPEG encoder): unsigned samples."""
    bits = int(ds.BitsStored)
    unsigned = values.view(f"u{values.dtype.itemsize}") & ((1 << bits) - 1)
    predictor = 1 if syntax == JPEGLosslessSV1 else 6
    codes = [
        imagecodecs.jpeg8_encode(
            frame, lossless=True, predictor=predictor, bitspersample=bits
        )
        for frame in unsigned
    ]
    ds.PixelData = encapsulate([bytes(code) for code in codes])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = syntax
    ds.save_as(path, enforce_file_format=True)


def write(path: Path, syntax: str, values: np.ndarray, bits_stored: int) -> Path:
    ds = dataset(values, bits_stored, frames=len(values))
    if syntax == DeflatedExplicitVRLittleEndian:
        ds.file_meta.TransferSyntaxUID = syntax
        ds.save_as(path, enforce_file_format=True)
        return path
    if syntax in (JPEGLossless, JPEGLosslessSV1):
        write_jpeg_lossless(ds, values, syntax, path)
        return path
    options: dict[str, object] = {}
    if syntax == JPEGLSNearLossless:
        options["jls_error"] = 2
    elif syntax == JPEG2000:
        options["j2k_cr"] = [8]
    frames = values if len(values) > 1 else values[0]
    ds.compress(syntax, frames, generate_instance_uid=False, **options)
    ds.save_as(path, enforce_file_format=True)
    return path


FORMATS = [  # bits allocated, bits stored, signed
    (16, 16, True),
    (16, 12, True),
    (16, 15, True),
    (16, 12, False),
    (16, 16, False),
    (8, 8, False),
    (8, 8, True),
]


@pytest.mark.parametrize("syntax", FAST)
@pytest.mark.parametrize(("bits_allocated", "bits_stored", "signed"), FORMATS)
def test_every_pixel_format_decodes_to_pydicoms_values(
    tmp_path: Path,
    fast_only: None,
    syntax: str,
    bits_allocated: int,
    bits_stored: int,
    signed: bool,
) -> None:
    values = stored_values(bits_allocated, bits_stored, signed, (1, 37, 45))
    path = write(tmp_path / "image.dcm", syntax, values, bits_stored)
    assert_same_values(path)


@pytest.mark.parametrize("syntax", FAST)
def test_every_frame_of_a_multiframe_file_and_each_alone_match_pydicom(
    tmp_path: Path, fast_only: None, syntax: str
) -> None:
    values = stored_values(16, 12, True, (4, 40, 36))
    path = write(tmp_path / "frames.dcm", syntax, values, 12)
    every = assert_same_values(path)
    for index in range(4):
        one, _ = decode_frames(path, index=index)
        assert one.shape == (1, 40, 36)
        assert np.array_equal(one[0], every[index])


def test_a_frame_beyond_the_file_is_a_series_load_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "frames.dcm", RLELossless, stored_values(16, 16, True, (2, 8, 8)), 16
    )
    with pytest.raises(
        SeriesLoadError, match=r"frames\.dcm: frame 3 is not in the file"
    ):
        decode_frames(path, index=2)


def test_an_open_file_is_read_from_its_start(tmp_path: Path) -> None:
    path = write(
        tmp_path / "image.dcm",
        JPEGLSLossless,
        stored_values(16, 16, True, (1, 30, 30)),
        16,
    )
    with open(path, "rb") as stream:
        stream.seek(200)
        decoded, _ = decode_frames(path, source_stream=stream)
    assert np.array_equal(decoded, pydicom_values(path))


def j2k_file(tmp_path: Path, values: np.ndarray, *, signed_file: bool) -> Path:
    """A JPEG 2000 codestream whose sign disagrees with Pixel Representation."""
    code = imagecodecs.jpeg2k_encode(
        values, level=0, codecformat="J2K", reversible=True, bitspersample=12
    )
    stored = values.view("i2") if signed_file else values.view("u2")
    ds = dataset(stored[np.newaxis], 12)
    ds.PixelData = encapsulate([bytes(code)])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    path = tmp_path / "j2k.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_unsigned_jpeg2000_samples_in_a_signed_file_are_sign_corrected(
    tmp_path: Path, fast_only: None
) -> None:
    # encoders that know no sign write 12-bit two's complement as unsigned
    signed = stored_values(16, 12, True, (32, 32))
    path = j2k_file(tmp_path, signed.view("u2") & 0x0FFF, signed_file=True)
    decoded = assert_same_values(path)
    assert np.array_equal(decoded[0], signed)


def test_signed_jpeg2000_samples_in_an_unsigned_file_are_corrected(
    tmp_path: Path, fast_only: None
) -> None:
    path = j2k_file(tmp_path, stored_values(16, 12, True, (32, 32)), signed_file=False)
    assert_same_values(path)


def test_a_colour_file_is_left_to_pydicom(tmp_path: Path) -> None:
    rgb = stored_values(8, 8, False, (20, 24, 3))
    ds = dataset(rgb[..., 0][np.newaxis], 8)
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = (
        3,
        "RGB",
        0,
    )
    ds.PixelData = rgb.tobytes()
    ds.compress(RLELossless, rgb, generate_instance_uid=False)
    path = tmp_path / "rgb.dcm"
    ds.save_as(path, enforce_file_format=True)
    decoded, _ = decode_frames(path)
    assert np.array_equal(decoded, pydicom_values(path)[np.newaxis])


# --- damage ---------------------------------------------------------------------------


def damaged(path: Path, how: str) -> Path:
    """Rewrite ``path`` with its (only) codestream truncated or overwritten."""
    ds = pydicom.dcmread(path)
    code = bytearray(next(generate_frames(ds.PixelData, number_of_frames=1)))
    if how == "truncated":
        code = code[: len(code) // 2]
    else:
        code[len(code) // 2 : len(code) // 2 + 64] = bytes(64)
    ds.PixelData = encapsulate([bytes(code) + b"\x00" * (len(code) % 2)])
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize("syntax", ENCAPSULATED)
def test_a_truncated_codestream_is_a_series_load_error_naming_the_file(
    tmp_path: Path, syntax: str
) -> None:
    values = stored_values(16, 16, True, (1, 64, 64))
    path = damaged(write(tmp_path / "cut.dcm", syntax, values, 16), "truncated")
    with pytest.raises(
        SeriesLoadError, match=r"cut\.dcm: pixel data cannot be decoded"
    ):
        decode_frames(path)


@pytest.mark.parametrize("syntax", [JPEGLSLossless, JPEGLSNearLossless, RLELossless])
def test_an_overwritten_codestream_is_a_series_load_error(
    tmp_path: Path, syntax: str
) -> None:
    # pydicom's JPEG-LS plugins decode such data into wrong values silently
    values = stored_values(16, 16, True, (1, 64, 64))
    path = damaged(write(tmp_path / "zeros.dcm", syntax, values, 16), "zeros")
    with pytest.raises(SeriesLoadError, match=r"zeros\.dcm"):
        decode_frames(path)


def test_a_codestream_of_another_size_is_a_series_load_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "size.dcm",
        JPEG2000Lossless,
        stored_values(16, 16, True, (1, 40, 48)),
        16,
    )
    ds = pydicom.dcmread(path)
    ds.Rows, ds.Columns = 48, 40  # the same number of pixels, transposed
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(
        SeriesLoadError, match=r"size\.dcm: pixel data cannot be decoded"
    ):
        decode_frames(path)


def test_a_file_cut_inside_its_pixel_data_is_a_series_load_error(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "short.dcm",
        JPEGLSLossless,
        stored_values(16, 16, True, (1, 64, 64)),
        16,
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])
    with pytest.raises(SeriesLoadError, match=r"short\.dcm"):
        decode_frames(path)


def test_a_cut_deflated_data_set_is_a_series_load_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cut.dcm",
        DeflatedExplicitVRLittleEndian,
        stored_values(16, 16, True, (1, 64, 64)),
        16,
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 500])
    with pytest.raises(SeriesLoadError, match=r"cut\.dcm"):
        decode_frames(path)


def test_a_missing_file_is_a_series_load_error(tmp_path: Path) -> None:
    with pytest.raises(SeriesLoadError, match=r"gone\.dcm: cannot be read"):
        decode_frames(tmp_path / "gone.dcm")


# --- without imagecodecs -----------------------------------------------------------


ALL_SYNTAXES = (
    *FAST,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    "",
)


@pytest.mark.parametrize("syntax", ALL_SYNTAXES)
def test_without_imagecodecs_the_engines_are_the_old_ones(
    without_imagecodecs: None, syntax: str
) -> None:
    assert not _fastcodecs.is_available()
    assert fast_engine_for(syntax) is engine_for(syntax)
    assert fast_engine_for(syntax, has_offset=False) is engine_for(
        syntax, has_offset=False
    )


def test_without_imagecodecs_a_file_still_decodes_with_pydicom(
    shared_dicom: Path, without_imagecodecs: None
) -> None:
    assert_same_values(shared_dicom / TRANSFER_SYNTAXES / "9.dcm")
