"""Retrieve the shared liver CT from a real Orthanc: every file as the PACS holds it.

DICOMweb (WADO-RS, transfer-syntax=*) gives back the stored part-10 files byte
for byte. DIMSE (C-GET and C-MOVE) carries no file meta, and Orthanc's DCMTK
writes sequences with explicit lengths: there every byte of the received data
set equals the original data set so encoded, and the file meta names the same
SOP class, instance and transfer syntax.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pydicom
import pytest
from pacsbuild import Liver, Pacs, dataset_bytes, defined_length_encoding

from respond.pacs import PacsError, RetrieveInterrupted, RetrieveProgress, connect

if TYPE_CHECKING:
    from pathlib import Path

    from respond.pacs import PacsNode, RetrieveResult


def _node(pacs: Pacs, how: str) -> PacsNode:
    return {"dicomweb": pacs.web, "c-get": pacs.dimse, "c-move": pacs.move}[how]()


def _check_files(result: RetrieveResult, liver: Liver, dest: Path, how: str) -> None:
    for path in result.files:
        assert path.parent.parent == dest / liver.study_uid
        assert path.parent.name == liver.series_uid
        original = liver.files[path.stem]
        if how == "dicomweb":
            assert path.read_bytes() == original.read_bytes(), path.name
        else:
            assert dataset_bytes(path) == defined_length_encoding(original), path.name
            meta = pydicom.dcmread(path, stop_before_pixels=True).file_meta
            source = pydicom.dcmread(original, stop_before_pixels=True).file_meta
            for key in (
                "MediaStorageSOPClassUID",
                "MediaStorageSOPInstanceUID",
                "TransferSyntaxUID",
            ):
                assert meta[key].value == source[key].value


def _leftovers(dest: Path) -> list[Path]:
    return [p for p in dest.rglob("*") if p.is_file() and p.suffix != ".dcm"]


@pytest.mark.parametrize("how", ["dicomweb", "c-get", "c-move"])
def test_retrieve_writes_every_instance_as_the_pacs_holds_it(
    pacs: Pacs, liver: Liver, tmp_path: Path, how: str
) -> None:
    seen: list[RetrieveProgress] = []

    def progress(step: RetrieveProgress) -> None:
        assert step.last_path is not None
        assert step.last_path.is_file()
        if not seen:  # the first slice can be shown while the rest comes
            assert pydicom.dcmread(step.last_path).pixel_array.shape == (512, 512)
        seen.append(step)

    result = connect(_node(pacs, how)).retrieve_study(
        liver.study_uid, tmp_path, progress=progress
    )
    assert len(result.files) == len(liver.files) == 89
    assert {p.stem for p in result.files} == set(liver.files)
    assert (result.failed, result.cancelled) == (0, False)
    assert result.folder == tmp_path / liver.study_uid
    _check_files(result, liver, tmp_path, how)
    assert seen[-1].done == 89
    assert seen[-1].total == 89
    assert seen[-1].bytes_received == result.bytes_received > 40_000_000
    assert [s.done for s in seen] == sorted(s.done for s in seen)
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize("how", ["dicomweb", "c-get", "c-move"])
def test_cancel_stops_promptly_and_keeps_whole_files(
    pacs: Pacs, liver: Liver, tmp_path: Path, how: str
) -> None:
    cancel = threading.Event()

    def progress(step: RetrieveProgress) -> None:
        if step.done >= 5:
            cancel.set()

    result = connect(_node(pacs, how)).retrieve_study(
        liver.study_uid, tmp_path, progress=progress, cancel=cancel
    )
    assert result.cancelled
    assert 5 <= len(result.files) < 89
    on_disk = sorted(tmp_path.rglob("*.dcm"))
    assert on_disk == sorted(result.files)
    _check_files(result, liver, tmp_path, how)
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize("how", ["dicomweb", "c-get"])
def test_retrieve_of_one_series(
    pacs: Pacs, liver: Liver, tmp_path: Path, how: str
) -> None:
    client = connect(_node(pacs, how))
    result = client.retrieve_study(
        liver.study_uid, tmp_path, series_uids=[liver.series_uid]
    )
    assert len(result.files) == 89


@pytest.mark.parametrize("how", ["dicomweb", "c-get", "c-move"])
def test_an_unknown_study_is_an_error(pacs: Pacs, tmp_path: Path, how: str) -> None:
    with pytest.raises(PacsError, match=r"study 1\.2\.3\.999 was not found"):
        connect(_node(pacs, how)).retrieve_study("1.2.3.999", tmp_path)
    assert not list(tmp_path.rglob("*.dcm"))


def test_an_unknown_series_is_an_error(
    pacs: Pacs, liver: Liver, tmp_path: Path
) -> None:
    with pytest.raises(PacsError, match=r"has no series 1\.2\.3\.4"):
        connect(pacs.web()).retrieve_study(
            liver.study_uid, tmp_path, series_uids=["1.2.3.4"]
        )


def test_c_move_to_a_destination_the_pacs_does_not_know(
    pacs: Pacs, liver: Liver, tmp_path: Path
) -> None:
    node = pacs.move(calling_aet="STRANGER")
    with pytest.raises(PacsError) as caught:
        connect(node).retrieve_study(liver.study_uid, tmp_path)
    message = str(caught.value)
    # Orthanc 1.10 answers 0xC000 (unable to process), not 0xA801
    assert "failed: unable to process (status 0xC000)" in message
    assert "may not know 'STRANGER' as a C-MOVE destination" in message
    assert f"port {pacs.move_port} to the PACS's modalities" in message


@pytest.mark.parametrize("how", ["dicomweb", "c-get"])
def test_a_folder_that_cannot_be_written(
    pacs: Pacs, liver: Liver, tmp_path: Path, how: str
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    with pytest.raises(RetrieveInterrupted) as caught:
        connect(_node(pacs, how)).retrieve_study(liver.study_uid, blocked)
    assert f"cannot write the retrieved files under {blocked} (" in str(caught.value)
    assert "free disk space, or choose another folder" in str(caught.value)
    assert caught.value.result.files == ()
