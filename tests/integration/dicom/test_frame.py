"""One image read on its own (``read_frame``), the way the loader reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.uid import RLELossless
from tests.integration.dicom.conftest import EDGE, LIVER

from respond.dicom import SeriesLoadError, scan
from respond.dicom import frame as frame_module
from respond.dicom._codecs import Engine, engine_for, fast_engine_for
from respond.dicom.frame import read_frame

if TYPE_CHECKING:
    from pathlib import Path


def modality_values(path: Path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return np.asarray(ds.pixel_array.astype(np.float32) * slope + intercept)


@pytest.mark.parametrize("name", [f"{LIVER}/00000045.dcm", f"{EDGE}/MR_small_RLE.dcm"])
def test_one_image_reads_as_float32_modality_values(
    shared_dicom: Path, name: str
) -> None:
    (candidate,) = scan(shared_dicom / name).series
    values = read_frame(candidate.frames[0])
    assert values.dtype == np.float32
    assert np.array_equal(values, modality_values(shared_dicom / name))


@pytest.fixture
def rle_multiframe(shared_dicom: Path, tmp_path: Path) -> Path:
    ds = pydicom.dcmread(shared_dicom / EDGE / "emri_small.dcm")
    ds.compress(RLELossless)
    path = tmp_path / "emri_small_rle.dcm"
    ds.save_as(path)
    return path


def test_one_frame_of_a_compressed_multiframe_file_decodes_that_frame_only(
    rle_multiframe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = pydicom.dcmread(rle_multiframe).pixel_array
    (candidate,) = scan(rle_multiframe).series
    frame = next(f for f in candidate.frames if f.frame == 3)

    def whole_file(_ds: object) -> object:
        raise AssertionError("the whole multi-frame file was decoded")

    monkeypatch.setattr(pydicom.Dataset, "pixel_array", property(whole_file))
    values = read_frame(frame)
    assert np.array_equal(values, expected[3].astype(np.float32))


class _Panic(BaseException):
    """What a Rust decoder's panic looks like from Python (pyo3)."""


def test_a_decoder_panic_is_a_series_load_error(
    shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (candidate,) = scan(shared_dicom / EDGE / "MR_small_RLE.dcm").series

    def panic(_ds: object) -> object:
        raise _Panic("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(pydicom.Dataset, "pixel_array", property(panic))
    monkeypatch.setattr(pydicom.pixels.utils, "pixel_array", panic)
    # pydicom's decoders (the fallback where imagecodecs is not installed)
    monkeypatch.setattr(frame_module, "fast_engine_for", engine_for)
    with pytest.raises(SeriesLoadError, match="cannot be decoded"):
        read_frame(candidate.frames[0])


def test_an_imagecodecs_failure_is_a_series_load_error(
    shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imagecodecs = pytest.importorskip("imagecodecs")
    (candidate,) = scan(shared_dicom / EDGE / "MR_small_RLE.dcm").series
    assert fast_engine_for(candidate.frames[0].transfer_syntax) is Engine.IMAGECODECS

    def failing(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("DICOMRLE decode error")

    monkeypatch.setattr(imagecodecs, "dicomrle_decode", failing)
    with pytest.raises(SeriesLoadError, match="cannot be decoded"):
        read_frame(candidate.frames[0])
