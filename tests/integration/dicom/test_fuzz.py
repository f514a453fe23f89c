"""Damaged copies of real files: the scan and the loader fail only in words.

hypothesis truncates files, flips bytes and deletes tags in copies of real files
(native, big-endian, RLE, JPEG lossless, JPEG-LS, JPEG 2000, lossy JPEG, deflate,
enhanced multi-frame, SR, SEG, RT objects without preamble). Whatever the damage:

* ``scan()`` raises nothing but ``NotDicomError``;
* every file ends up in a series, as a non-image object, as a DICOMDIR, as an
  ignored duplicate, or unreadable with a reason;
* ``load_series()`` of any candidate returns a Volume or raises a DicomError.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.dicom.conftest import (
    EDGE,
    ENHANCED_XA10,
    FILESET,
    LIVER,
    SHARED_DICOM,
    TRANSFER_SYNTAXES,
    copy_files,
)

from respond.dicom import (
    DicomError,
    NotDicomError,
    Readiness,
    Volume,
    load_series,
    scan,
    scan_document,
)

if TYPE_CHECKING:
    from respond.dicom import ScanResult

pytestmark = [
    # damaged values make pydicom warn (invalid UI, early end of file): expected here
    pytest.mark.filterwarnings("ignore::UserWarning:pydicom"),
]

# Each seed is a group of real files copied together; one of them is damaged.
SEEDS: dict[str, tuple[str, ...]] = {
    "ct-5-slices": tuple(
        f"{FILESET}/98892001/CT5N/{name}"
        for name in ("2062", "2392", "2693", "3023", "3353")
    ),
    "liver-3-slices": tuple(f"{LIVER}/0000000{n}.dcm" for n in (1, 2, 3)),
    "ct-small": (f"{EDGE}/CT_small.dcm",),
    "mr-big-endian": (f"{EDGE}/MR_small_bigendian.dcm",),
    "rle": (f"{EDGE}/MR_small_RLE.dcm",),
    "rle-384": (f"{TRANSFER_SYNTAXES}/4.dcm",),
    "jpeg-lossless": (f"{TRANSFER_SYNTAXES}/5.dcm",),
    "jpeg-ls": (f"{TRANSFER_SYNTAXES}/7.dcm",),
    "jpeg-2000": (f"{TRANSFER_SYNTAXES}/9.dcm",),
    "jpeg-lossy-12-bit": (f"{EDGE}/JPGExtended.dcm",),
    "deflate": (f"{EDGE}/image_dfl.dcm",),
    "enhanced-mr": (f"{ENHANCED_XA10}/6_1.dcm",),
    "enhanced-mr-no-geometry": (f"{EDGE}/emri_small.dcm",),
    "seg": (f"{EDGE}/liver_1frame.dcm",),
    "sr": (f"{EDGE}/test-SR.dcm",),
    "rtstruct-no-preamble": (f"{EDGE}/rtstruct.dcm",),
    "rtplan-no-meta": (f"{EDGE}/ExplVR_LitEndNoMeta.dcm",),
}
# The header is where damage matters most: half the flips land in its first bytes.
HEADER_BYTES = 2048
FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

seeds = st.sampled_from(sorted(SEEDS))


@pytest.fixture(scope="module")
def work_root(shared_dicom: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shared_dicom == SHARED_DICOM
    return tmp_path_factory.mktemp("fuzz")


def copy_seed(seed: str, folder: Path) -> list[Path]:
    """Copy a seed's files into ``folder`` (names kept unique by their index)."""
    copies = []
    for index, relative in enumerate(SEEDS[seed]):
        (copy,) = copy_files([SHARED_DICOM / relative], folder / f"{index:02d}")
        copies.append(copy)
    return copies


def check_scan_and_load(folder: Path, files: list[Path]) -> None:
    """The invariants every damaged folder must keep."""
    try:
        result = scan(folder)
    except NotDicomError:
        return
    assert_every_file_is_accounted_for(result, files)
    json.dumps(scan_document(result), allow_nan=False)
    for candidate in result.series:
        assert candidate.image_count >= 1
        assert isinstance(candidate.readiness, Readiness)
        try:
            volume = load_series(candidate, workers=1)
        except DicomError:
            continue
        assert isinstance(volume, Volume)
        assert volume.shape[0] == candidate.image_count
        assert set(volume.unreadable_slices) <= set(range(candidate.image_count))


def assert_every_file_is_accounted_for(result: ScanResult, files: list[Path]) -> None:
    in_series = {f.path for c in result.series for f in c.frames}
    non_image = {item.path for item in result.non_image}
    unreadable = {item.path: item.reason for item in result.unreadable}
    dicomdirs = set(result.dicomdirs)
    duplicates = [f.message for f in result.findings if f.code == "duplicate_instance"]
    for reason in unreadable.values():
        assert isinstance(reason, str)
        assert reason.strip()
    for path in files:
        places = [
            path in in_series,
            path in non_image,
            path in unreadable,
            path in dicomdirs,
        ]
        assert sum(places) == 1 or (
            not any(places) and any(path.name in m for m in duplicates)
        ), f"{path.name}: series/non-image/unreadable/dicomdir = {places}"


@FUZZ
@given(seed=seeds, data=st.data())
def test_truncated_files_fail_only_in_words(
    work_root: Path, seed: str, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory(dir=work_root) as tmp:
        files = copy_seed(seed, Path(tmp))
        target = data.draw(st.sampled_from(files), label="file")
        raw = target.read_bytes()
        keep = data.draw(st.integers(0, len(raw) - 1), label="bytes kept")
        target.write_bytes(raw[:keep])
        check_scan_and_load(Path(tmp), files)


@FUZZ
@given(seed=seeds, data=st.data())
def test_flipped_bytes_fail_only_in_words(
    work_root: Path, seed: str, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory(dir=work_root) as tmp:
        files = copy_seed(seed, Path(tmp))
        target = data.draw(st.sampled_from(files), label="file")
        raw = bytearray(target.read_bytes())
        header = min(len(raw), HEADER_BYTES)
        position = st.one_of(st.integers(0, header - 1), st.integers(0, len(raw) - 1))
        flips = data.draw(
            st.lists(st.tuples(position, st.integers(1, 255)), min_size=1, max_size=8),
            label="flips (offset, xor)",
        )
        for offset, mask in flips:
            raw[offset] ^= mask
        target.write_bytes(bytes(raw))
        check_scan_and_load(Path(tmp), files)


@FUZZ
@given(seed=seeds, data=st.data())
def test_deleted_tags_fail_only_in_words(
    work_root: Path, seed: str, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory(dir=work_root) as tmp:
        files = copy_seed(seed, Path(tmp))
        target = data.draw(st.sampled_from(files), label="file")
        ds = pydicom.dcmread(target, force=True)
        tags = sorted(ds.keys())
        doomed = data.draw(
            st.lists(st.sampled_from(tags), min_size=1, max_size=6, unique=True),
            label="tags deleted",
        )
        for tag in doomed:
            del ds[tag]
        ds.save_as(target)
        check_scan_and_load(Path(tmp), files)
