"""Stacks: never interleave image types, and never depend on file order.

Enhanced multi-frame objects that mix magnitude and phase, ASL label and
control, several stacks or time points are made here from the shared Siemens
XA10 file with pydicom; each kind must become its own stack holding the right
frames. Stack names (``<uid>#<n>``) and their frames must be the same however
the folder is reached: walked, through a DICOMDIR, or as a file list in any
order.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.fileset import FileSet
from pydicom.uid import generate_uid
from tests.integration.dicom.conftest import ENHANCED_XA10, LIVER

from respond.dicom import Readiness, load_series, scan, scan_files

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import ScanResult, SeriesCandidate

UID_PREFIX = "1.2.826.0.1.3680043.8.498."
PHASE = ["ORIGINAL", "PRIMARY", "PHASE", "NONE"]


def xa10(shared_dicom: Path) -> Dataset:
    ds = pydicom.dcmread(shared_dicom / ENHANCED_XA10 / "6_1.dcm")
    assert int(ds.NumberOfFrames) == 6
    return ds


def frame_type(group: Dataset) -> Dataset:
    item: Dataset = group.MRImageFrameTypeSequence[0]
    return item


def make_phase(group: Dataset) -> None:
    frame_type(group).FrameType = PHASE
    frame_type(group).ComplexImageComponent = "PHASE"


def make_asl(context: str) -> Callable[[Dataset], None]:
    def edit(group: Dataset) -> None:
        item = Dataset()
        item.ASLContext = context
        group.MRArterialSpinLabelingSequence = [item]

    return edit


def with_frames(
    ds: Dataset, frames: list[tuple[int, Callable[[Dataset], None] | None]]
) -> Dataset:
    """A copy of ``ds`` whose frames are ``ds``'s frame n, each edited (or not).

    Frame k of the result holds frame n's pixels plus 1000 x k, so every frame
    can be told apart once loaded.
    """
    out = copy.deepcopy(ds)
    pixels = ds.pixel_array
    groups = []
    planes = []
    for k, (n, edit) in enumerate(frames):
        group = copy.deepcopy(ds.PerFrameFunctionalGroupsSequence[n])
        if edit is not None:
            edit(group)
        groups.append(group)
        planes.append(pixels[n] + 1000 * k)
    out.PerFrameFunctionalGroupsSequence = groups
    out.NumberOfFrames = len(frames)
    out.PixelData = np.stack(planes).astype(pixels.dtype).tobytes()
    uid = generate_uid(prefix=UID_PREFIX)
    out.SOPInstanceUID = uid
    out.file_meta.MediaStorageSOPInstanceUID = uid
    return out


def saved(ds: Dataset, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path)
    return path


def frame_numbers(candidate: SeriesCandidate) -> list[int]:
    return sorted(f.frame or 0 for f in candidate.frames)


def assert_loads_its_own_frames(candidate: SeriesCandidate, path: Path) -> None:
    """The volume's slices are the file's frames the candidate lists, in order."""
    stored = pydicom.dcmread(path).pixel_array
    volume = load_series(candidate)
    for k, frame in enumerate(candidate.frames):
        assert np.array_equal(volume.slice_values(k), stored[frame.frame or 0]), k


def test_half_the_frames_phase_are_a_stack_of_their_own(
    shared_dicom: Path, tmp_path: Path
) -> None:
    ds = xa10(shared_dicom)
    mixed = with_frames(ds, [(n, make_phase if n >= 3 else None) for n in range(6)])
    path = saved(mixed, tmp_path / "mixed.dcm")
    result = scan(path)
    assert len(result.series) == 2
    by_type = {c.frames[0].image_type: c for c in result.series}
    magnitude = by_type[("ORIGINAL", "PRIMARY", "M", "NONE", "MAGNITUDE")]
    phase = by_type[(*PHASE, "PHASE")]
    assert frame_numbers(magnitude) == [0, 1, 2]
    assert frame_numbers(phase) == [3, 4, 5]
    for candidate in result.series:
        assert len({f.image_type for f in candidate.frames}) == 1
        assert "image type" in candidate.split_reason
        assert_loads_its_own_frames(candidate, path)


@pytest.mark.parametrize(
    ("first", "second"),
    [(None, make_phase), (make_asl("LABEL"), make_asl("CONTROL"))],
    ids=["magnitude-and-phase", "asl-label-and-control"],
)
def test_interleaved_image_types_at_the_same_places_are_two_volumes(
    shared_dicom: Path,
    tmp_path: Path,
    first: Callable[[Dataset], None] | None,
    second: Callable[[Dataset], None],
) -> None:
    ds = xa10(shared_dicom)
    # frame 2n is one kind, 2n + 1 the other, both at frame n's position
    frames = [(n, edit) for n in range(6) for edit in (first, second)]
    path = saved(with_frames(ds, frames), tmp_path / "interleaved.dcm")
    result = scan(path)
    assert len(result.series) == 2
    numbers = sorted(frame_numbers(c) for c in result.series)
    assert numbers == [[0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9, 11]]
    for candidate in result.series:
        assert candidate.readiness is Readiness.READY
        assert "duplicate_positions" not in {f.code for f in candidate.findings}
        assert candidate.spacing_mm == pytest.approx(2.4, abs=1e-6)
        assert_loads_its_own_frames(candidate, path)


def test_two_stack_ids_at_the_same_places_are_two_volumes(
    shared_dicom: Path, tmp_path: Path
) -> None:
    def stack_two(group: Dataset) -> None:
        group.FrameContentSequence[0].StackID = "2"

    ds = xa10(shared_dicom)
    frames = [(n, None) for n in range(6)] + [(n, stack_two) for n in range(6)]
    result = scan(saved(with_frames(ds, frames), tmp_path / "stacks.dcm"))
    assert sorted(frame_numbers(c) for c in result.series) == [
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10, 11],
    ]
    assert all("stack" in c.split_reason for c in result.series)
    assert {c.frames[0].stack_id for c in result.series} == {"1", "2"}


def test_magnitude_and_phase_at_two_times_are_four_volumes(
    shared_dicom: Path, tmp_path: Path
) -> None:
    def later(group: Dataset) -> None:
        group.FrameContentSequence[0].TemporalPositionIndex = 2

    def later_phase(group: Dataset) -> None:
        later(group)
        make_phase(group)

    ds = xa10(shared_dicom)
    kinds = (None, make_phase, later, later_phase)
    frames = [(n, kind) for n in range(6) for kind in kinds]
    path = saved(with_frames(ds, frames), tmp_path / "four.dcm")
    result = scan(path)
    assert sorted(frame_numbers(c) for c in result.series) == [
        list(range(start, 24, 4)) for start in range(4)
    ]
    for candidate in result.series:
        assert candidate.readiness is Readiness.READY
        assert len({(f.image_type, f.temporal_index) for f in candidate.frames}) == 1


# --- the same names whichever way the folder is reached ------------------------------


def summary(result: ScanResult) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """Each stack's name and its frames (SOP instance, frame), in order."""
    return sorted(
        (c.key, tuple((f.sop_instance_uid, f.frame or 0) for f in c.frames))
        for c in result.series
    )


def series_of_three_stacks(shared_dicom: Path, folder: Path) -> list[Path]:
    """Three axial slices, three coronal ones and a 4-image localizer, one series.

    The two stacks of three tie on size: only their content may order them.
    """
    series_uid = generate_uid(prefix=UID_PREFIX)
    sources = sorted((shared_dicom / LIVER).iterdir())[40:44]
    coronal = [1, 0, 0, 0, 0, -1]
    files = []
    for name, count, edit in (
        ("a", 3, {}),
        ("c", 3, {"ImageOrientationPatient": coronal}),
        ("s", 4, {"ImageType": ["ORIGINAL", "PRIMARY", "LOCALIZER"]}),
    ):
        for index, source in enumerate(sources[:count]):
            ds = pydicom.dcmread(source)
            ds.SeriesInstanceUID = series_uid
            # a DICOMDIR study record needs these
            ds.StudyTime = ds.get("StudyTime") or "120000"
            ds.StudyID = ds.get("StudyID") or "1"
            uid = generate_uid(prefix=UID_PREFIX)
            ds.SOPInstanceUID = uid
            ds.file_meta.MediaStorageSOPInstanceUID = uid
            for keyword, value in edit.items():
                setattr(ds, keyword, value)
            if name == "c":
                ds.ImagePositionPatient = [-180.0, -100.0 + 2.5 * index, -250.0]
            files.append(saved(ds, folder / f"{name}{index}.dcm"))
    return files


def test_stack_names_do_not_depend_on_file_order(
    shared_dicom: Path, tmp_path: Path
) -> None:
    files = series_of_three_stacks(shared_dicom, tmp_path)
    walked = scan(tmp_path)
    assert len(walked.series) == 3
    listed = scan_files(list(reversed(files)), root=tmp_path)
    assert summary(listed) == summary(walked)
    # localizers last, however large
    last = max(walked.series, key=lambda c: c.key)
    assert last.is_localizer
    assert last.image_count == 4


def reverse_file_names(dicomdir: Path) -> None:
    """Give a DICOMDIR's images each other's names, last to first.

    Each record still points to its own image (renamed with it), but the
    DICOMDIR now lists them in the opposite order to a walk of the folder.
    Names keep their length, so record offsets stay right.
    """
    ds = pydicom.dcmread(dicomdir)
    images = [r for r in ds.DirectoryRecordSequence if r.DirectoryRecordType == "IMAGE"]
    ids = [list(r.ReferencedFileID) for r in images]
    for record, new in zip(images, reversed(ids), strict=True):
        record.ReferencedFileID = new
    ds.save_as(dicomdir)
    paths = [dicomdir.parent.joinpath(*parts) for parts in ids]
    for path in paths:
        path.rename(path.with_name(f"{path.name}.old"))
    for path, new in zip(paths, reversed(paths), strict=True):
        path.with_name(f"{path.name}.old").rename(new)


def test_a_dicomdir_listing_the_files_in_another_order_gives_the_same_stacks(
    shared_dicom: Path, tmp_path: Path
) -> None:
    made = series_of_three_stacks(shared_dicom, tmp_path / "made")
    fileset = FileSet()
    for path in made:
        fileset.add(pydicom.dcmread(path))
    fileset.write(tmp_path / "set")
    dicomdir = tmp_path / "set" / "DICOMDIR"
    reverse_file_names(dicomdir)
    through_dicomdir = scan(dicomdir)
    assert through_dicomdir.findings == ()  # the DICOMDIR was used, not bypassed
    assert through_dicomdir.files_seen == len(made)
    walked = scan(tmp_path / "set")
    assert summary(through_dicomdir) == summary(walked)
    assert summary(walked) == summary(scan(tmp_path / "made"))


def test_stacks_of_repeated_positions_keep_one_order(
    shared_dicom: Path, tmp_path: Path
) -> None:
    """Two images at one place: the order within the stack is still fixed."""
    source = sorted((shared_dicom / LIVER).iterdir())[44]
    files = []
    for index in range(3):
        ds = pydicom.dcmread(source)
        uid = generate_uid(prefix=UID_PREFIX)
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.AcquisitionNumber = 1
        files.append(saved(ds, tmp_path / f"{index}.dcm"))
    forward = scan_files(files, root=tmp_path)
    backward = scan_files(list(reversed(files)), root=tmp_path)
    assert summary(forward) == summary(backward)
