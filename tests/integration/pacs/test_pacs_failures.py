"""Every PACS failure is a PacsError naming the node, what happened and what to do.

Refused associations, nothing listening, a peer that never answers, a server
killed mid-transfer: against a real Orthanc where there is one to test with.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from interop.orthanc import free_port
from pacsbuild import (
    Liver,
    Pacs,
    dataset_bytes,
    defined_length_encoding,
    orthanc,
    upload,
)

from respond.pacs import (
    PacsError,
    PacsNode,
    RetrieveInterrupted,
    RetrieveProgress,
    StudyQuery,
    connect,
)


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts connections (the kernel does) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def test_a_wrong_called_ae_title_is_refused_by_name(pacs: Pacs) -> None:
    node = pacs.dimse(called_aet="NOT_ORTHANC")
    with pytest.raises(PacsError) as caught:
        connect(node).echo()
    port = pacs.server.dicom_port
    assert str(caught.value) == (
        f"PACS node 'orthanc-dimse' (DIMSE NOT_ORTHANC@127.0.0.1:{port}): "
        f"association rejected by NOT_ORTHANC at 127.0.0.1:{port}: called AE "
        "title 'NOT_ORTHANC' not recognised; check the node's AE titles "
        "(called_aet is the PACS's own AE title)"
    )


def test_nothing_listening_dimse() -> None:
    port = free_port()
    node = PacsNode("gone", "dimse", host="127.0.0.1", port=port, called_aet="PACS")
    with pytest.raises(PacsError) as caught:
        connect(node).find_studies(StudyQuery())
    message = str(caught.value)
    assert message.startswith(f"PACS node 'gone' (DIMSE PACS@127.0.0.1:{port}): ")
    assert "connection refused: nothing listens there; is the PACS running" in message


def test_nothing_listening_dicomweb() -> None:
    url = f"http://127.0.0.1:{free_port()}/dicom-web"
    with pytest.raises(PacsError) as caught:
        connect(PacsNode("gone", "dicomweb", url=url)).echo()
    message = str(caught.value)
    assert message.startswith(f"PACS node 'gone' (DICOMweb {url}): echo")
    assert "cannot connect (Connection refused): is the server running" in message


def test_a_dimse_peer_that_never_answers_times_out() -> None:
    with silent_listener() as port:
        node = PacsNode(
            "mute", "dimse", host="127.0.0.1", port=port, called_aet="PACS", timeout=1
        )
        with pytest.raises(PacsError) as caught:
            connect(node).echo()
    assert "did not answer the association request within 1 s" in str(caught.value)


def test_a_dicomweb_server_that_never_answers_times_out() -> None:
    with silent_listener() as port:
        url = f"http://127.0.0.1:{port}/dicom-web"
        node = PacsNode("mute", "dicomweb", url=url, timeout=1)
        with pytest.raises(PacsError) as caught:
            connect(node).find_studies(StudyQuery(patient_id="X"))
    assert "no answer within 1 s: the server is slow or stuck" in str(caught.value)


@pytest.fixture
def doomed(tmp_path: Path, liver: Liver) -> Iterator[Pacs]:
    """An Orthanc of its own, holding the liver CT, for a test that kills it."""
    with orthanc(tmp_path / "orthanc") as running:
        upload(running.server, list(liver.files.values()))
        yield running


@pytest.mark.parametrize("how", ["dicomweb", "c-get"])
def test_a_server_killed_mid_transfer(
    doomed: Pacs, liver: Liver, tmp_path: Path, how: str
) -> None:
    def kill_after_three(step: RetrieveProgress) -> None:
        if step.done == 3:
            doomed.server.kill()

    node = doomed.web() if how == "dicomweb" else doomed.dimse()
    dest = tmp_path / "images"
    with pytest.raises(RetrieveInterrupted) as caught:
        connect(node).retrieve_study(liver.study_uid, dest, progress=kill_after_three)
    message = str(caught.value)
    lost = (
        "the connection was lost during the transfer"
        if how == "dicomweb"
        else "the PACS stopped answering"
    )
    assert lost in message
    assert "instances received before" in message
    received = caught.value.result.files
    assert 3 <= len(received) < 89
    assert sorted(dest.rglob("*")) == sorted(
        {*received, *(p.parent for p in received), *(p.parent.parent for p in received)}
    )
    for path in received:  # whole files only, under their final names
        original = liver.files[path.stem]
        if how == "dicomweb":
            assert path.read_bytes() == original.read_bytes()
        else:
            assert dataset_bytes(path) == defined_length_encoding(original)
