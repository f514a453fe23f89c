"""A file padded with gigabytes of zeros is read as fast as the file it pads.

A damaged copy or a sparse file reads, to pydicom, as endless empty elements of
group 0000; the header reader stops there instead of parsing them one by one.
"""

from __future__ import annotations

import shutil
import signal
from typing import TYPE_CHECKING

import pytest
from tests.integration.dicom.conftest import EDGE, TRANSFER_SYNTAXES

from respond.dicom import Readiness, scan

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PADDED_BYTES = 4 * 2**30


@pytest.fixture
def alarm() -> Iterator[None]:
    """Turn a hang into a failure after 60 s."""

    def hung(*_args: object) -> None:
        raise AssertionError("the scan did not finish in 60 s")

    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


@pytest.mark.usefixtures("alarm")
@pytest.mark.parametrize(
    "name",
    [
        f"{TRANSFER_SYNTAXES}/2.dcm",  # implicit VR, read through pydicom
        f"{EDGE}/rtstruct.dcm",  # no preamble
    ],
)
def test_a_file_padded_to_gigabytes_scans_at_once(
    shared_dicom: Path, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "padded"
    folder.mkdir()
    copy = folder / "padded.dcm"
    shutil.copyfile(shared_dicom / name, copy)
    original = scan(folder)
    with copy.open("r+b") as stream:
        stream.truncate(PADDED_BYTES)  # sparse: no disk space taken
    padded = scan(folder)
    assert [c.key for c in padded.series] == [c.key for c in original.series]
    assert [n.kind for n in padded.non_image] == [n.kind for n in original.non_image]
    for candidate in padded.series:
        assert candidate.readiness is not Readiness.NOT_LOADABLE
