"""DICOMDIRs and Philips DIRFILEs, good and damaged: the scan never escapes.

Each DICOMDIR here is written by pydicom over copies of three slices of the shared
liver CT (``pydicom.fileset.FileSet``), then damaged on purpose: records of the
wrong type, no record sequence, private records in a DIRFILE, entries that lead
outside the folder, stubs that list nothing usable, truncation. Whatever the
damage: ``scan()`` raises nothing, says what it found in a finding, and the images
are found (through the DICOMDIR, or by scanning the folder it is in).
"""

from __future__ import annotations

import importlib
import os
import signal
from typing import TYPE_CHECKING

import pydicom
import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.fileset import FileSet
from pydicom.sequence import Sequence
from tests.integration.dicom.conftest import EDGE, LIVER, copy_files

from respond.dicom import NotDicomError, Readiness, Severity, scan, scan_document
from respond.dicom._dicomdir import MISSING_LISTED
from respond.dicom._series import build_candidates

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from collections.abc import Sequence as SequenceOf
    from pathlib import Path

    from respond.dicom import DicomFinding, ScanResult, SeriesCandidate
    from respond.dicom._header import Header

pytestmark = [
    # damaged records make pydicom warn (invalid VR values): expected here
    pytest.mark.filterwarnings("ignore::UserWarning:pydicom"),
]

# the module, not the function respond.dicom re-exports under its name
scan_module = importlib.import_module("respond.dicom.scan")
SLICES = ("00000001.dcm", "00000002.dcm", "00000003.dcm")
ROOT_OFFSETS = (
    "OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity",
    "OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity",
)
RECORD_OFFSETS = (
    "OffsetOfTheNextDirectoryRecord",
    "OffsetOfReferencedLowerLevelDirectoryEntity",
)
HANG_SECONDS = 60


@pytest.fixture
def media(shared_dicom: Path, tmp_path: Path) -> Path:
    """A folder written by pydicom's FileSet: a DICOMDIR and three CT slices."""
    fileset = FileSet()
    for name in SLICES:
        ds = pydicom.dcmread(shared_dicom / LIVER / name)
        # the STUDY record needs these; the source leaves them empty
        ds.StudyTime = ds.get("StudyTime") or "120000"
        ds.StudyID = ds.get("StudyID") or "1"
        fileset.add(ds)
    folder = tmp_path / "media"
    fileset.write(folder)
    return folder


def liver_uids(shared_dicom: Path) -> set[str]:
    return {
        str(
            pydicom.dcmread(
                shared_dicom / LIVER / n, stop_before_pixels=True
            ).SOPInstanceUID
        )
        for n in SLICES
    }


def image_records(ds: Dataset) -> list[Dataset]:
    return [r for r in ds.DirectoryRecordSequence if r.DirectoryRecordType == "IMAGE"]


def without_offsets(ds: Dataset) -> None:
    """Zero every record offset (as pydicom's DICOMDIR-nooffset has them)."""
    for keyword in ROOT_OFFSETS:
        setattr(ds, keyword, 0)
    for record in ds.DirectoryRecordSequence:
        for keyword in RECORD_OFFSETS:
            if keyword in record:
                setattr(record, keyword, 0)


def rewrite(
    folder: Path,
    damage: Callable[[Dataset], None],
    name: str = "DICOMDIR",
    *,
    keep_offsets: bool = False,
) -> Path:
    """Damage the folder's DICOMDIR and write it back as it is (under ``name``).

    Damage moves records, so their byte offsets are zeroed unless kept.
    """
    ds = pydicom.dcmread(folder / "DICOMDIR")
    if not keep_offsets:
        without_offsets(ds)
    damage(ds)
    (folder / "DICOMDIR").unlink()
    ds.save_as(folder / name, enforce_file_format=False)
    return folder / name


def found_uids(result: ScanResult) -> set[str]:
    return {f.sop_instance_uid for c in result.series for f in c.frames}


def finding(result: ScanResult, code: str) -> DicomFinding:
    matches = [f for f in result.findings if f.code == code]
    assert len(matches) == 1, [f.code for f in result.findings]
    return matches[0]


def every_path(result: ScanResult) -> set[Path]:
    return (
        {f.path for c in result.series for f in c.frames}
        | {n.path for n in result.non_image}
        | {u.path for u in result.unreadable}
        | set(result.dicomdirs)
    )


def assert_stays_inside(result: ScanResult, folder: Path) -> None:
    for path in every_path(result):
        assert path.resolve().is_relative_to(folder.resolve()), path


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Turn a scan that does not return within HANG_SECONDS into a failure."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _fail(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {HANG_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, _fail)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- a good DICOMDIR -----------------------------------------------------------------


def test_a_good_dicomdir_lists_its_three_images(
    media: Path, shared_dicom: Path
) -> None:
    result = scan(media / "DICOMDIR")
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.findings == ()
    assert result.unreadable == ()
    assert result.dicomdirs == (media / "DICOMDIR",)
    assert result.files_seen == 3


def test_a_folder_with_a_dicomdir_counts_its_own_files(
    media: Path, shared_dicom: Path
) -> None:
    result = scan(media)
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.dicomdirs == (media / "DICOMDIR",)
    assert result.findings == ()
    assert result.unreadable == ()


# --- damaged records -----------------------------------------------------------------


def wrong_types(ds: Dataset) -> None:
    first, second, _ = image_records(ds)
    del first.ReferencedFileID
    first.add(DataElement(0x00041500, "US", 7))  # ReferencedFileID as a number
    del second.ReferencedFileID
    second.add(DataElement(0x00041500, "SQ", Sequence([Dataset()])))


def test_records_of_the_wrong_type_are_ignored_with_a_finding(
    media: Path, shared_dicom: Path
) -> None:
    result = scan(rewrite(media, wrong_types))
    ignored = finding(result, "dicomdir_entries_ignored")
    assert ignored.severity is Severity.WARNING
    assert "2 entries ignored" in ignored.message
    assert "not text" in ignored.message
    (kept,) = result.series
    assert kept.image_count == 1
    assert found_uids(result) < liver_uids(shared_dicom)


def no_records(ds: Dataset) -> None:
    del ds.DirectoryRecordSequence


def records_as_text(ds: Dataset) -> None:
    del ds.DirectoryRecordSequence
    ds.add(DataElement(0x00041220, "LO", "NOT A SEQUENCE"))


def no_items(ds: Dataset) -> None:
    ds.DirectoryRecordSequence = Sequence([])


def only_patient_records(ds: Dataset) -> None:
    ds.DirectoryRecordSequence = Sequence(
        [r for r in ds.DirectoryRecordSequence if "ReferencedFileID" not in r]
    )


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        pytest.param(no_records, "no DirectoryRecordSequence", id="no-sequence"),
        pytest.param(records_as_text, "not a sequence", id="not-a-sequence"),
        pytest.param(no_items, "no directory records", id="stub-no-records"),
        pytest.param(only_patient_records, "lists no file", id="stub-no-files"),
    ],
)
def test_a_dicomdir_that_lists_nothing_scans_its_folder(
    media: Path, shared_dicom: Path, damage: Callable[[Dataset], None], words: str
) -> None:
    dicomdir = rewrite(media, damage)
    result = scan(dicomdir)
    unusable = finding(result, "dicomdir_unusable")
    assert words in unusable.message
    assert "folder it is in was scanned instead" in unusable.message
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.dicomdirs == (dicomdir,)
    assert result.unreadable == ()


# --- a Philips DIRFILE with private records -------------------------------------------


def philips_style(ds: Dataset) -> None:
    records = list(ds.DirectoryRecordSequence)
    private = Dataset()
    private.DirectoryRecordType = "PRIVATE"
    private.PrivateRecordUID = "1.3.46.670589.0.0.0.0"
    private.add_new(0x20010010, "LO", "Philips Imaging DD 001")
    private.add_new(0x20011001, "UN", b"\x01\x02\x03\x04")
    private.add_new(0x00041400, "UL", 0)  # an offset to nowhere
    blob = Dataset()
    blob.DirectoryRecordType = "PRIVATE"
    blob.PrivateRecordUID = "1.3.46.670589.0.0.0.1"
    blob.ReferencedFileID = ["XX_0001"]
    absent = Dataset()
    absent.DirectoryRecordType = "IMAGE"
    absent.ReferencedFileID = ["IM_9999"]
    ds.DirectoryRecordSequence = Sequence([private, *records, blob, absent])


def test_a_dirfile_with_private_records_is_followed(
    media: Path, shared_dicom: Path
) -> None:
    (media / "XX_0001").write_bytes(b"Philips private data, not DICOM\n")
    dirfile = rewrite(media, philips_style, name="DIRFILE")
    result = scan(dirfile)
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.dicomdirs == (dirfile,)
    missing = finding(result, "dicomdir_missing_files")
    assert "DIRFILE lists 1 file that is not on disk" in missing.message
    reasons = {u.path.name: u.reason for u in result.unreadable}
    assert reasons["IM_9999"] == "listed in DIRFILE but missing on disk"
    assert "not a DICOM file" in reasons["XX_0001"]


def test_a_dirfile_met_in_a_folder_makes_no_missing_noise(
    media: Path, shared_dicom: Path
) -> None:
    rewrite(media, philips_style, name="DIRFILE")
    result = scan(media)
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.dicomdirs == (media / "DIRFILE",)
    assert not [u for u in result.unreadable if "missing" in u.reason]
    assert not [f for f in result.findings if f.code.startswith("dicomdir")]


def no_sop_class(ds: Dataset) -> None:
    del ds.file_meta.MediaStorageSOPClassUID


def test_a_dirfile_without_its_sop_class_is_known_by_its_name(
    media: Path, shared_dicom: Path
) -> None:
    dirfile = rewrite(media, no_sop_class, name="DIRFILE")
    for path in (dirfile, media):
        result = scan(path)
        assert found_uids(result) == liver_uids(shared_dicom)
        assert result.dicomdirs == (dirfile,)
        assert dirfile not in {f.path for c in result.series for f in c.frames}


# --- entries that lead outside the DICOMDIR's folder ----------------------------------


def leads_outside(ds: Dataset) -> None:
    first, second, _ = image_records(ds)
    first.ReferencedFileID = ["..", "outside.dcm"]
    second.ReferencedFileID = "/etc/passwd"


def test_entries_leading_outside_the_folder_are_never_read(
    media: Path, shared_dicom: Path, tmp_path: Path
) -> None:
    # a real image waits outside, where the '..' entry points
    copy_files([shared_dicom / LIVER / "00000010.dcm"], tmp_path)
    (tmp_path / "00000010.dcm").rename(tmp_path / "outside.dcm")
    result = scan(rewrite(media, leads_outside))
    ignored = finding(result, "dicomdir_entries_ignored")
    assert "'../outside.dcm' leads outside its folder" in ignored.message
    assert "'/etc/passwd' leads outside its folder" in ignored.message
    assert_stays_inside(result, media)
    assert sum(c.image_count for c in result.series) == 1


def everything_outside(ds: Dataset) -> None:
    for record in image_records(ds):
        record.ReferencedFileID = ["..", "..", "..", "etc", "passwd"]


def test_a_dicomdir_pointing_only_outside_scans_its_own_folder(
    media: Path, shared_dicom: Path
) -> None:
    result = scan(rewrite(media, everything_outside))
    assert "entries ignored" in finding(result, "dicomdir_unusable").message
    assert found_uids(result) == liver_uids(shared_dicom)
    assert_stays_inside(result, media)


# --- files a DICOMDIR lists that are not there ----------------------------------------


def many_absent(ds: Dataset) -> None:
    template = image_records(ds)[0]
    extra = []
    for n in range(MISSING_LISTED + 15):
        record = Dataset()
        record.DirectoryRecordType = "IMAGE"
        record.ReferencedFileID = [*template.ReferencedFileID[:-1], f"GONE{n:04d}"]
        extra.append(record)
    ds.DirectoryRecordSequence = Sequence([*ds.DirectoryRecordSequence, *extra])


def test_missing_listed_files_are_one_finding_and_a_bounded_list(
    media: Path, shared_dicom: Path
) -> None:
    result = scan(rewrite(media, many_absent))
    assert found_uids(result) == liver_uids(shared_dicom)
    missing = finding(result, "dicomdir_missing_files")
    assert f"lists {MISSING_LISTED + 15} files that are not on disk" in missing.message
    assert f"the first {MISSING_LISTED}" in missing.message
    assert len(result.unreadable) == MISSING_LISTED
    assert all("missing on disk" in u.reason for u in result.unreadable)


def test_a_folder_whose_dicomdir_lists_absent_files_reports_no_missing(
    media: Path, shared_dicom: Path
) -> None:
    rewrite(media, many_absent)
    result = scan(media)
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.unreadable == ()
    assert not [f for f in result.findings if f.code.startswith("dicomdir")]


def test_a_dicomdir_whose_files_are_all_gone_scans_its_folder(
    media: Path, shared_dicom: Path
) -> None:
    # the images are still here, but renamed (as copying tools do)
    for number, path in enumerate(sorted(media.rglob("IM*"))):
        path.rename(media / f"renamed{number}.dcm")
    result = scan(media / "DICOMDIR")
    unusable = finding(result, "dicomdir_unusable")
    assert "3 missing on disk" in unusable.message
    assert found_uids(result) == liver_uids(shared_dicom)
    assert result.unreadable == ()


def test_a_dicomdir_listing_only_non_images_scans_its_folder(
    media: Path, shared_dicom: Path
) -> None:
    (report,) = copy_files([shared_dicom / EDGE / "test-SR.dcm"], media / "SR")

    def only_the_report(ds: Dataset) -> None:
        record = Dataset()
        record.DirectoryRecordType = "SR DOCUMENT"
        record.ReferencedFileID = ["SR", "test-SR.dcm"]
        ds.DirectoryRecordSequence = Sequence([record])

    result = scan(rewrite(media, only_the_report))
    assert "1 not images" in finding(result, "dicomdir_unusable").message
    assert found_uids(result) == liver_uids(shared_dicom)
    assert [n.path for n in result.non_image] == [report]


# --- damaged beyond parsing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kept", "is_unusable"),
    [
        pytest.param(0.1, True, id="header-only"),
        pytest.param(0.5, True, id="half"),
        pytest.param(0.8, True, id="records-lost"),
        # only the last record's trailing UIDs are lost: its file is still listed
        pytest.param(0.97, False, id="tail"),
    ],
)
def test_a_truncated_dicomdir_loses_no_image(
    media: Path, shared_dicom: Path, kept: float, is_unusable: bool
) -> None:
    dicomdir = media / "DICOMDIR"
    raw = dicomdir.read_bytes()
    dicomdir.write_bytes(raw[: int(len(raw) * kept)])
    result = scan(dicomdir)
    assert ("dicomdir_unusable" in {f.code for f in result.findings}) is is_unusable
    assert found_uids(result) == liver_uids(shared_dicom)
    assert_stays_inside(result, media)


def drop_last_image(ds: Dataset) -> None:
    ds.DirectoryRecordSequence = Sequence(list(ds.DirectoryRecordSequence)[:-1])


def test_records_pointing_to_records_not_there_scan_the_folder(
    media: Path, shared_dicom: Path
) -> None:
    # one record less, the others' offsets kept: what a cut-short copy looks like
    result = scan(rewrite(media, drop_last_image, keep_offsets=True))
    assert "cut short" in finding(result, "dicomdir_unusable").message
    assert found_uids(result) == liver_uids(shared_dicom)


def test_the_same_dicomdir_without_offsets_lists_two_images(media: Path) -> None:
    result = scan(rewrite(media, drop_last_image))
    assert result.findings == ()
    assert sum(c.image_count for c in result.series) == 2


def test_a_dicomdir_that_is_not_dicom_at_all_scans_its_folder(
    media: Path, shared_dicom: Path
) -> None:
    (media / "DICOMDIR").write_bytes(b"\x00garbage, not a directory\n" * 10)
    result = scan(media / "DICOMDIR")
    assert "DICOMDIR" in finding(result, "dicomdir_unusable").message
    assert found_uids(result) == liver_uids(shared_dicom)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_never_opened(media: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(NotDicomError, match="not a file or folder"):
        scan(pipe)

    def lists_a_pipe(ds: Dataset) -> None:
        image_records(ds)[0].ReferencedFileID = ["FIFO"]

    os.mkfifo(media / "FIFO")
    result = scan(rewrite(media, lists_a_pipe))
    assert (media / "FIFO") in {u.path for u in result.unreadable}
    assert sum(c.image_count for c in result.series) == 2


def test_the_json_document_of_a_fallback_scan_has_relative_paths(
    media: Path,
) -> None:
    result = scan(rewrite(media, no_records))
    document = scan_document(result)
    assert document["dicomdirs"] == ["DICOMDIR"]
    assert str(media) not in str(document)


# --- whatever one series holds, the scan goes on --------------------------------------


def test_a_series_that_breaks_the_analysis_is_a_finding_not_a_crash(
    media: Path, shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (other,) = copy_files([shared_dicom / EDGE / "CT_small.dcm"], media / "other")
    broken = str(pydicom.dcmread(other, stop_before_pixels=True).SeriesInstanceUID)

    def fragile(headers: SequenceOf[Header]) -> list[SeriesCandidate]:
        if headers[0].series_uid == broken:
            raise TypeError("an unexpected value in a damaged header")
        return build_candidates(headers)

    monkeypatch.setattr(scan_module, "build_candidates", fragile)
    result = scan(media)
    assert found_uids(result) >= liver_uids(shared_dicom)
    (failed,) = [c for c in result.series if c.series_uid == broken]
    (problem,) = [f for f in failed.findings if f.code == "series_not_examined"]
    assert problem.severity is Severity.ERROR
    assert "CT_small.dcm" in problem.message
    assert "TypeError" in problem.message
    assert failed.readiness is Readiness.NOT_MEASURABLE
    assert [f.path for f in failed.frames] == [other]
    for candidate in result.series:
        if candidate is not failed:
            assert "series_not_examined" not in {f.code for f in candidate.findings}
