"""``respond pacs echo|find|get|send|add|list|remove`` against a real Orthanc."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pydicom
import pytest
from interop.orthanc import free_port
from pacsbuild import Liver, Pacs

from respond.cli import run
from respond.pacs import encapsulate_pdf

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def respond(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), out, err)
    return Result(code, out.getvalue(), err.getvalue())


def dimse_spec(pacs: Pacs, aet: str = "ORTHANC") -> str:
    return f"dimse:{aet}@127.0.0.1:{pacs.server.dicom_port}"


def failed(result: Result) -> str:
    """The message of a failure: exit 2, one message, no traceback."""
    assert result.code == 2, result
    assert "Traceback" not in result.err
    message = result.err[result.err.index("respond: ") :]
    assert message.count("\n") == 1  # one paragraph
    return message


@pytest.mark.usefixtures("pacs_env")
def test_echo_over_both_protocols(pacs: Pacs) -> None:
    web = respond("pacs", "echo", "--pacs", f"dicomweb:{pacs.server.dicomweb}")
    assert web.code == 0, web.err
    assert web.out.startswith(f"PACS DICOMweb {pacs.server.dicomweb} answered in ")
    dimse = respond("pacs", "echo", "--pacs", dimse_spec(pacs), "--aet", "RESPOND")
    assert dimse.code == 0, dimse.err
    assert " ms\n" in dimse.out


@pytest.mark.usefixtures("pacs_env")
def test_echo_with_a_wrong_called_ae_title(pacs: Pacs) -> None:
    message = failed(respond("pacs", "echo", "--pacs", dimse_spec(pacs, "WRONG_AE")))
    assert "association rejected by WRONG_AE at 127.0.0.1:" in message
    assert "called AE title 'WRONG_AE' not recognised" in message


@pytest.mark.usefixtures("pacs_env")
def test_echo_with_nothing_listening() -> None:
    port = free_port()
    message = failed(respond("pacs", "echo", "--pacs", f"dimse:PACS@127.0.0.1:{port}"))
    assert "connection refused" in message
    url = f"http://127.0.0.1:{port}/dicom-web"
    message = failed(respond("pacs", "echo", "--pacs", f"dicomweb:{url}"))
    assert "cannot connect (Connection refused)" in message


def test_find_prints_a_table_or_json(pacs: Pacs, liver: Liver, pacs_env: Path) -> None:
    added = respond("pacs", "add", "local", "--dimse", dimse_spec(pacs)[6:])
    assert added.code == 0, added.err
    table = respond(
        "pacs", "find", "--pacs", "local", "--name", "Pat*", "--from", "2001-08-01",
        "--to", "2001-08-31", "--modality", "CT",
    )  # fmt: skip
    assert table.code == 0, table.err
    header, row, total = table.out.splitlines()
    assert header.split()[:3] == ["date", "patient", "id"]
    assert row.split()[:4] == ["2001-08-12", "Patient_01", "Patient_01", "CT"]
    assert row.endswith(liver.study_uid)
    assert total == "1 study"
    as_json = respond(
        "pacs", "find", "--pacs", f"dicomweb:{pacs.server.dicomweb}",
        "--patient-id", "Patient_01", "--json",
    )  # fmt: skip
    (hit,) = json.loads(as_json.out)
    assert hit["study_uid"] == liver.study_uid
    assert (hit["study_date"], hit["modalities"], hit["instance_count"]) == (
        "2001-08-12",
        ["CT"],
        89,
    )
    none = respond("pacs", "find", "--pacs", "local", "--patient-id", "nobody")
    assert (none.code, none.out) == (0, "no study found\n")


def test_get_into_the_image_cache_then_read_it(
    pacs: Pacs, liver: Liver, pacs_env: Path, tmp_path: Path
) -> None:
    got = respond(
        "pacs", "get", "--pacs", f"dicomweb:{pacs.server.dicomweb}", liver.study_uid
    )
    assert got.code == 0, got.err
    folder = tmp_path / "cache" / "pacs" / liver.study_uid
    assert got.out == f"{folder}\n"
    assert "89/89 instances" in got.err
    assert len(list(folder.rglob("*.dcm"))) == 89
    series = respond("series", str(folder), "--json")
    assert series.code == 0, series.err
    assert '"images": 89' in series.out


@pytest.mark.usefixtures("pacs_env")
def test_get_with_c_move(pacs: Pacs, liver: Liver, tmp_path: Path) -> None:
    got = respond(
        "pacs", "get", "--pacs", dimse_spec(pacs), "--move-port", str(pacs.move_port),
        "--series", liver.series_uid, "--out", str(tmp_path / "out"), liver.study_uid,
    )  # fmt: skip
    assert got.code == 0, got.err
    assert len(list((tmp_path / "out").rglob("*.dcm"))) == 89


@pytest.mark.usefixtures("pacs_env")
def test_get_of_an_unknown_study(pacs: Pacs, tmp_path: Path) -> None:
    message = failed(
        respond(
            "pacs", "get", "--pacs", dimse_spec(pacs), "--out", str(tmp_path), "1.2.3"
        )
    )
    assert "study 1.2.3 was not found" in message


@pytest.mark.usefixtures("pacs_env")
def test_send_a_dicom_file_and_a_pdf_of_its_study(pacs: Pacs, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    like = encapsulate_pdf(pdf, None, tmp_path / "first.dcm")  # a study of its own
    study_uid = str(pydicom.dcmread(like).StudyInstanceUID)
    sent = respond("pacs", "send", "--pacs", dimse_spec(pacs), str(like), str(pdf))
    assert sent.code == 0, sent.err
    assert sent.out == f"stored {like}\nstored {pdf}\n"
    found = respond(
        "pacs", "find", "--pacs", f"dicomweb:{pacs.server.dicomweb}",
        "--modality", "DOC", "--json",
    )  # fmt: skip
    (hit,) = [h for h in json.loads(found.out) if h["study_uid"] == study_uid]
    assert (hit["modalities"], hit["series_count"]) == (["DOC"], 2)


@pytest.mark.usefixtures("pacs_env")
def test_send_a_pdf_without_its_study(pacs: Pacs, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    message = failed(respond("pacs", "send", "--pacs", dimse_spec(pacs), str(pdf)))
    assert "a report PDF needs --like FILE" in message


@pytest.mark.usefixtures("pacs_env")
def test_send_a_file_that_is_not_dicom(pacs: Pacs, tmp_path: Path) -> None:
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"nothing")
    result = respond(
        "pacs", "send", "--pacs", f"dicomweb:{pacs.server.dicomweb}", str(junk)
    )
    assert result.code == 2
    assert f"respond: not stored {junk}: not a readable DICOM file" in result.err
    assert result.err.endswith("respond: 0 of 1 files stored\n")
