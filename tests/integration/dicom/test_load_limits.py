"""Damaged headers and codestreams never blow up memory and never escape.

Each class of damage is made here with pydicom or a few patched bytes, from a
copy of the shared data: a NumberOfFrames the file cannot hold, a codestream
header (JPEG 2000 SIZ, JPEG SOF, JPEG-LS SOF55) that disagrees with the DICOM
header, a codestream cut short, a fragment of garbage, images of Rows 0, a frame
beyond the end of its file, a volume beyond the memory budget. Loading
(``load_series``, ``LoadJob``) and reading one image (``read_frame``) must end
in a DicomError whose message names the file and the numbers, before any large
allocation.
"""

from __future__ import annotations

import dataclasses
import re
import struct
import threading
import tracemalloc
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.encaps import generate_frames
from tests.integration.dicom.conftest import EDGE, LIVER, TRANSFER_SYNTAXES, copy_files

import respond.dicom._rescale as planning
from respond.dicom import (
    DicomError,
    LoadJob,
    SeriesLoadError,
    Volume,
    load_series,
    scan,
)
from respond.dicom.frame import read_frame

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import FrameRef, ScanResult, SeriesCandidate

    ScanShared = Callable[[str], ScanResult]

WAIT_S = 30.0
# A damaged file may cost a little memory, never its declared size.
SMALL_PEAK_BYTES = 40 * 2**20


def load_on_the_calling_thread(candidate: SeriesCandidate) -> Volume:
    return load_series(candidate)


def load_in_the_background(candidate: SeriesCandidate) -> Volume:
    try:
        return LoadJob(candidate).start().result(timeout=WAIT_S)
    finally:
        for thread in threading.enumerate():
            if thread.name == "respond-load":
                thread.join(WAIT_S)


LOADS = [load_on_the_calling_thread, load_in_the_background]


def only_series(path: Path) -> SeriesCandidate:
    (candidate,) = scan(path).series
    return candidate


def load_error(
    load: Callable[[SeriesCandidate], Volume], candidate: SeriesCandidate
) -> tuple[DicomError, int]:
    """The DicomError a load ends with, and the peak memory it took meanwhile."""
    tracemalloc.start()
    try:
        outcome: Volume | DicomError = load(candidate)
    except DicomError as exc:
        outcome = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert isinstance(outcome, DicomError), "the damaged file was loaded"
    return outcome, peak


def copy_one(shared_dicom: Path, relative: str, folder: Path) -> Path:
    (copy,) = copy_files([shared_dicom / relative], folder)
    return copy


def first_fragment_at(path: Path) -> tuple[int, int]:
    """File offset and length of the first frame's first fragment."""
    ds = pydicom.dcmread(path)
    fragment = next(generate_frames(ds.PixelData, number_of_frames=1))
    start = path.read_bytes().find(fragment[:64])
    assert start > 0
    return start, len(fragment)


def patch(path: Path, offset: int, fmt: str, *values: int) -> None:
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, *values)
    path.write_bytes(bytes(data))


def no_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any decode fail the test: the checks must refuse first."""
    import SimpleITK

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("the damaged codestream reached a decoder")

    monkeypatch.setattr(SimpleITK, "ReadImage", refuse)
    monkeypatch.setattr(pydicom.Dataset, "pixel_array", property(refuse))
    monkeypatch.setattr("pydicom.pixels.utils.pixel_array", refuse)


# --- declared sizes against the bytes present ------------------------------------


def unstamped(candidate: SeriesCandidate) -> SeriesCandidate:
    """The stack as if scanned from the damaged file, though the scan was earlier.

    The scan now finds some damage itself; these tests check that the loader
    does not rely on it (a file can change after the scan). Without the scan's
    file stamp, a frame is read as listed, its header not compared again.
    """
    frames = tuple(dataclasses.replace(f, file_stamp=None) for f in candidate.frames)
    return dataclasses.replace(candidate, frames=frames)


def declaring(candidate: SeriesCandidate, count: int) -> SeriesCandidate:
    """The stack as a scan of its file would give it, had the header declared
    ``count`` frames (the file changed after the scan, or the scan missed it)."""
    frames = candidate.frames
    forged = tuple(
        dataclasses.replace(frames[n % len(frames)], frame=n) for n in range(count)
    )
    return dataclasses.replace(candidate, frames=forged)


@pytest.mark.parametrize("load", LOADS)
def test_twenty_thousand_frames_in_a_small_file_are_refused_before_allocating(
    shared_dicom: Path, tmp_path: Path, load: Callable[[SeriesCandidate], Volume]
) -> None:
    copy = copy_one(shared_dicom, f"{EDGE}/emri_small.dcm", tmp_path)
    candidate = declaring(only_series(copy), 20000)
    error, peak = load_error(load, candidate)
    assert isinstance(error, SeriesLoadError)
    message = str(error)
    assert copy.name in message
    assert "declares 20000 frames of 64 x 64 x 16 bits" in message
    assert f"holds {planning.human_bytes(10 * 64 * 64 * 2)} of pixel data" in message
    assert "damaged" in message
    assert peak < SMALL_PEAK_BYTES


@pytest.mark.parametrize("load", LOADS)
def test_compressed_file_too_small_for_its_frames_is_refused_before_allocating(
    shared_dicom: Path, tmp_path: Path, load: Callable[[SeriesCandidate], Volume]
) -> None:
    copy = copy_one(shared_dicom, f"{TRANSFER_SYNTAXES}/9.dcm", tmp_path)
    candidate = declaring(only_series(copy), 20000)
    error, peak = load_error(load, candidate)
    assert isinstance(error, SeriesLoadError)
    assert copy.name in str(error)
    assert "declares 20000 frames of 384 x 384 x 16 bits" in str(error)
    assert "not even 32 bytes per compressed frame" in str(error)
    assert peak < SMALL_PEAK_BYTES


def test_compressed_file_declaring_more_frames_than_fragments_is_refused(
    shared_dicom: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_one(shared_dicom, f"{TRANSFER_SYNTAXES}/9.dcm", tmp_path)
    frame = only_series(copy).frames[0]
    ds = pydicom.dcmread(copy)
    ds.NumberOfFrames = 3  # small enough to pass the size bound; one fragment held
    ds.save_as(copy)
    no_decoder(monkeypatch)
    with pytest.raises(SeriesLoadError, match=r"declares 3 frames .* only 1 frag"):
        read_frame(dataclasses.replace(frame, frame=0, file_stamp=None))


def test_volume_beyond_the_memory_budget_is_refused_with_the_numbers(
    shared_scan: ScanShared, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = scan_liver(shared_scan)
    monkeypatch.setattr(planning, "physical_memory", lambda: 64 * 10**6)
    with pytest.raises(SeriesLoadError) as caught:
        LoadJob(candidate)
    message = str(caught.value)
    assert "89 images of 512 x 512" in message
    assert planning.human_bytes(89 * 512 * 512 * 2) in message
    assert "50% of this computer's 64.0 MB of memory" in message


def scan_liver(shared_scan: ScanShared) -> SeriesCandidate:
    (candidate,) = shared_scan(LIVER).series
    return candidate


def test_memory_error_while_allocating_is_a_series_load_error(
    shared_scan: ScanShared, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = scan_liver(shared_scan)

    def no_memory(*_args: object, **_kwargs: object) -> object:
        raise MemoryError("Unable to allocate 44.5 MiB")

    monkeypatch.setattr(np, "zeros", no_memory)
    with pytest.raises(SeriesLoadError, match="not free now"):
        LoadJob(candidate)


def test_a_decode_beyond_the_memory_budget_is_refused_before_decoding(
    shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = only_series(shared_dicom / TRANSFER_SYNTAXES / "9.dcm")
    no_decoder(monkeypatch)
    monkeypatch.setattr(planning, "physical_memory", lambda: 512 * 10**3)
    with pytest.raises(SeriesLoadError, match=r"decoding 1 frame of 384 x 384"):
        read_frame(candidate.frames[0])


# --- codestream headers against the DICOM header ---------------------------------


def j2k_siz_at(path: Path) -> int:
    start, _ = first_fragment_at(path)
    data = path.read_bytes()
    siz = data.find(b"\xff\x4f\xff\x51", start)
    assert siz == start
    return siz


def jpeg_sof_at(path: Path, marker: bytes) -> int:
    start, _ = first_fragment_at(path)
    sof = path.read_bytes().find(marker, start)
    assert sof > start
    return sof


def damage_j2k_size(path: Path) -> str:
    siz = j2k_siz_at(path)
    patch(path, siz + 8, ">2L", 60000, 60000)  # Xsiz, Ysiz (offsets are 0)
    return "Rows 384 in the header, 60000 in the JPEG 2000 data"


def damage_j2k_precision(path: Path) -> str:
    siz = j2k_siz_at(path)
    patch(path, siz + 42, ">B", 23)  # Ssiz: 24-bit samples do not fit 16 bits
    return "BitsStored 12 (of 16 allocated) in the header, 24-bit samples"


def damage_jpeg_lines(path: Path) -> str:
    sof = jpeg_sof_at(path, b"\xff\xc3")
    patch(path, sof + 5, ">H", 40000)  # the frame header's number of lines
    return "Rows 384 in the header, 40000 in the JPEG data"


def damage_jpeg_ls_components(path: Path) -> str:
    sof = jpeg_sof_at(path, b"\xff\xf7")
    patch(path, sof + 9, ">B", 3)  # the frame header's number of components
    return "SamplesPerPixel 1 in the header, 3 in the JPEG-LS data"


CODESTREAM_DAMAGE = [
    pytest.param("9.dcm", damage_j2k_size, id="j2k-siz-60000"),
    pytest.param("9.dcm", damage_j2k_precision, id="j2k-24-bit"),
    pytest.param("6.dcm", damage_jpeg_lines, id="jpeg-lossless-lines"),
    pytest.param("7.dcm", damage_jpeg_ls_components, id="jpeg-ls-components"),
]


@pytest.mark.parametrize(("name", "damage"), CODESTREAM_DAMAGE)
@pytest.mark.parametrize("load", LOADS)
def test_codestream_header_that_disagrees_is_refused_before_decoding(
    shared_dicom: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    damage: Callable[[Path], str],
    load: Callable[[SeriesCandidate], Volume],
) -> None:
    copy = copy_one(shared_dicom, f"{TRANSFER_SYNTAXES}/{name}", tmp_path)
    candidate = unstamped(only_series(copy))
    expected = damage(copy)
    no_decoder(monkeypatch)
    error, peak = load_error(load, candidate)
    assert copy.name in str(error)
    assert expected in str(error)
    assert peak < SMALL_PEAK_BYTES
    with pytest.raises(SeriesLoadError, match=re.escape(expected)):
        read_frame(candidate.frames[0])


def cut_inside_the_pixel_data(path: Path) -> None:
    start, length = first_fragment_at(path)
    path.write_bytes(path.read_bytes()[: start + length // 2])


def garbage_fragment(path: Path) -> None:
    start, length = first_fragment_at(path)
    rng = np.random.default_rng(13)
    data = bytearray(path.read_bytes())
    data[start : start + length] = rng.integers(0, 256, length, np.uint8).tobytes()
    path.write_bytes(bytes(data))


BROKEN_FILES = [
    pytest.param("9.dcm", cut_inside_the_pixel_data, "cut short", id="j2k-cut"),
    pytest.param("5.dcm", cut_inside_the_pixel_data, "cut short", id="jpeg-cut"),
    pytest.param("4.dcm", cut_inside_the_pixel_data, "cut short", id="rle-cut"),
    pytest.param("9.dcm", garbage_fragment, "no JPEG 2000 SOC", id="j2k-garbage"),
    pytest.param("7.dcm", garbage_fragment, "no JPEG start of image", id="ls-garbage"),
    pytest.param("4.dcm", garbage_fragment, "RLE", id="rle-garbage"),
]


@pytest.mark.parametrize(("name", "damage", "reason"), BROKEN_FILES)
@pytest.mark.parametrize("load", LOADS)
def test_cut_or_garbage_codestream_is_a_series_load_error_naming_the_file(
    shared_dicom: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    damage: Callable[[Path], None],
    reason: str,
    load: Callable[[SeriesCandidate], Volume],
) -> None:
    copy = copy_one(shared_dicom, f"{TRANSFER_SYNTAXES}/{name}", tmp_path)
    candidate = unstamped(only_series(copy))
    damage(copy)
    no_decoder(monkeypatch)
    error, _ = load_error(load, candidate)
    assert copy.name in str(error)
    assert reason in str(error)
    with pytest.raises(SeriesLoadError, match=reason):
        read_frame(candidate.frames[0])


def test_a_decoder_that_returns_another_shape_is_refused(
    shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom._decode as decode

    candidate = only_series(shared_dicom / EDGE / "MR_small_RLE.dcm")
    monkeypatch.setattr(
        decode, "pydicom_frames", lambda *_args: np.zeros((1, 32, 32), np.uint16)
    )
    monkeypatch.setattr(
        decode,
        "decode_frames",
        lambda *_args, **_kwargs: (np.zeros((1, 32, 32), np.uint16), False),
    )
    with pytest.raises(SeriesLoadError, match=r"shape \(1, 32, 32\).*\(1, 64, 64\)"):
        read_frame(candidate.frames[0])
    with pytest.raises(SeriesLoadError, match=r"shape \(1, 32, 32\)"):
        load_series(candidate)


# --- damaged FrameRefs: read_frame and load_series say what is wrong -------------


@pytest.fixture(scope="module")
def liver_slice(shared_dicom: Path) -> FrameRef:
    return only_series(shared_dicom / LIVER / "00000045.dcm").frames[0]


DAMAGED_FRAMES = [
    pytest.param({"rows": 0}, "Rows 0 x Columns 512", id="rows-0"),
    pytest.param({"columns": 0}, "Rows 512 x Columns 0", id="columns-0"),
    pytest.param({"frame": 7}, "frame 8 is not in the file", id="frame-beyond"),
    pytest.param({"pixel_format": None}, "no pixel format", id="no-format"),
    pytest.param(
        {"transfer_syntax": "1.2.3.4.5"}, "no installed decoder", id="unknown-syntax"
    ),
]


@pytest.mark.parametrize(("changes", "reason"), DAMAGED_FRAMES)
def test_read_frame_of_a_damaged_frame_ref_is_a_series_load_error(
    liver_slice: FrameRef, changes: dict[str, object], reason: str
) -> None:
    frame = dataclasses.replace(liver_slice, **changes)  # type: ignore[arg-type]
    with pytest.raises(SeriesLoadError, match=reason) as caught:
        read_frame(frame)
    assert liver_slice.path.name in str(caught.value)


def test_read_frame_turns_an_unexpected_failure_into_a_series_load_error(
    liver_slice: FrameRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom.frame as frame_module

    def broken(_frame: object) -> object:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")

    monkeypatch.setattr(frame_module, "empty_plane", broken)
    with pytest.raises(SeriesLoadError, match="TypeError") as caught:
        read_frame(liver_slice)
    assert liver_slice.path.name in str(caught.value)


@pytest.mark.parametrize("load", LOADS)
def test_load_of_images_with_rows_0_is_a_series_load_error(
    liver_slice: FrameRef,
    shared_scan: ScanShared,
    load: Callable[[SeriesCandidate], Volume],
) -> None:
    candidate = scan_liver(shared_scan)
    broken = dataclasses.replace(
        candidate,
        rows=0,
        frames=tuple(dataclasses.replace(f, rows=0) for f in candidate.frames),
    )
    with pytest.raises(SeriesLoadError, match="Rows 0 x Columns 512"):
        load(broken)


@pytest.mark.parametrize("load", LOADS)
def test_frame_index_beyond_its_file_refuses_the_load_before_allocating(
    shared_scan: ScanShared, load: Callable[[SeriesCandidate], Volume]
) -> None:
    candidate = scan_liver(shared_scan)
    frames = list(candidate.frames)
    frames[10] = dataclasses.replace(frames[10], frame=4)
    with pytest.raises(SeriesLoadError) as caught:
        load(dataclasses.replace(candidate, frames=tuple(frames)))
    message = str(caught.value)
    assert frames[10].path.name in message
    assert "declares 5 frames of 512 x 512 x 16 bits" in message
