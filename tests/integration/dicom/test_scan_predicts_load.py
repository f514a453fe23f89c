"""What the scan calls ready loads: damage it can see is reported before loading.

Each case is a class the fuzz harness found: a series the scan called ready or
caution that then failed to load. The scan now reads what the loader would
refuse (a codestream header that disagrees, fragments in a native syntax, a
NumberOfFrames that is no count, a multi-frame file cut short) and says so;
the loader's refusal names the same reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pydicom
import pytest
from tests.integration.dicom.conftest import EDGE, TRANSFER_SYNTAXES
from tests.integration.dicom.test_load_limits import (
    copy_one,
    damage_j2k_size,
    first_fragment_at,
    jpeg_sof_at,
    patch,
)

from respond.dicom import DicomError, Readiness, load_series, scan

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import SeriesCandidate


def the_series(folder: Path) -> SeriesCandidate:
    (candidate,) = scan(folder).series
    return candidate


def rle_segments(path: Path) -> str:
    start, _ = first_fragment_at(path)
    patch(path, start, "<L", 16)  # the RLE header's number of segments
    return "an RLE header of 16 segments"


def jpeg_without_lines(path: Path) -> str:
    # 0 lines: the size would come later (a DNL marker); decoders then guess
    patch(path, jpeg_sof_at(path, b"\xff\xc3") + 5, ">H", 0)
    return "Rows 384 in the header, 0 in the JPEG data"


def declared_as_jpeg(path: Path) -> str:
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.51"
    ds.save_as(path)
    return "no JPEG start of image"


def jpeg_ls_declared_as_baseline(path: Path) -> str:
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
    ds.save_as(path)
    return "holds a JPEG-LS (SOF55) frame header"


def lossless_declared_as_jpeg_ls(path: Path) -> str:
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.80"
    ds.save_as(path)
    return "holds a lossless JPEG (SOF3) frame header"


def declared_native(path: Path) -> str:
    # in place, as a damaged copy has it: the fragments stay encapsulated
    data = path.read_bytes()
    lossless = b"1.2.840.10008.1.2.4.70"
    assert data.count(lossless) == 1
    path.write_bytes(data.replace(lossless, b"1.2.840.10008.1.2.1\0\0\0"))
    return "stores it uncompressed"


def frames_not_a_count(path: Path) -> str:
    ds = pydicom.dcmread(path)
    ds.NumberOfFrames = "-1"
    ds.save_as(path)
    return "NumberOfFrames '-1' is not a number of frames"


def cut_multi_frame(path: Path) -> str:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return "a multi-frame file cut short"


DAMAGE = [
    pytest.param(f"{TRANSFER_SYNTAXES}/9.dcm", damage_j2k_size, id="j2k-siz"),
    pytest.param(f"{TRANSFER_SYNTAXES}/4.dcm", rle_segments, id="rle-segments"),
    pytest.param(f"{TRANSFER_SYNTAXES}/6.dcm", jpeg_without_lines, id="jpeg-0-lines"),
    pytest.param(f"{TRANSFER_SYNTAXES}/9.dcm", declared_as_jpeg, id="j2k-as-jpeg"),
    pytest.param(f"{TRANSFER_SYNTAXES}/6.dcm", declared_native, id="jpeg-as-native"),
    pytest.param(
        f"{TRANSFER_SYNTAXES}/7.dcm", jpeg_ls_declared_as_baseline, id="jpeg-ls-as-jpeg"
    ),
    pytest.param(
        f"{TRANSFER_SYNTAXES}/6.dcm", lossless_declared_as_jpeg_ls, id="jpeg-as-jpeg-ls"
    ),
    pytest.param(f"{EDGE}/MR_small_RLE.dcm", frames_not_a_count, id="frames-minus-1"),
    pytest.param(f"{EDGE}/eCT_Supplemental.dcm", cut_multi_frame, id="multi-frame-cut"),
]


@pytest.mark.parametrize(("name", "damage"), DAMAGE)
def test_damage_the_loader_would_refuse_is_reported_by_the_scan(
    shared_dicom: Path,
    tmp_path: Path,
    name: str,
    damage: Callable[[Path], str],
) -> None:
    copy = copy_one(shared_dicom, name, tmp_path)
    assert the_series(copy.parent).readiness is not Readiness.NOT_LOADABLE
    reason = damage(copy)
    candidate = the_series(copy.parent)
    assert candidate.readiness is Readiness.NOT_LOADABLE
    errors = " ".join(f.message for f in candidate.findings)
    assert reason in errors
    assert copy.name in errors
    with pytest.raises(DicomError, match=re.escape(reason)):
        load_series(candidate)
