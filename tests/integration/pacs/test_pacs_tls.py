"""TLS: DIMSE over TLS with a real Orthanc, and HTTPS certificate checks.

The certificates (a CA, Orthanc's and respond's, for 127.0.0.1) are made with
the openssl command for the module.
"""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pacsbuild import Liver, Pacs, orthanc

from respond.pacs import PacsError, PacsNode, StudyQuery, connect

SUBJECT_ALT_NAME = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed (Debian openssl)")
    folder = tmp_path_factory.mktemp("tls")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.crt", "-days", "2", "-subj", "/CN=respond test CA", cwd=folder,
    )  # fmt: skip
    for who in ("server", "client"):
        (folder / f"{who}.ext").write_text(SUBJECT_ALT_NAME)
        _openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{who}.key",
            "-out", f"{who}.csr", "-subj", "/CN=127.0.0.1", cwd=folder,
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", f"{who}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{who}.crt", "-days", "2",
            "-extfile", f"{who}.ext", cwd=folder,
        )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def tls_pacs(
    tmp_path_factory: pytest.TempPathFactory, certificates: Path, liver: Liver
) -> Iterator[Pacs]:
    """An Orthanc that speaks DICOM over TLS only, and wants respond's certificate."""
    extra = {
        "DicomTlsEnabled": True,
        "DicomTlsCertificate": str(certificates / "server.crt"),
        "DicomTlsPrivateKey": str(certificates / "server.key"),
        "DicomTlsTrustedCertificates": str(certificates / "ca.crt"),
        "DicomTlsRemoteCertificateRequired": True,
    }
    with orthanc(tmp_path_factory.mktemp("orthanc-tls"), extra=extra) as running:
        for path in list(liver.files.values())[:10]:
            running.server.rest("/instances", data=path.read_bytes(), method="POST")
        yield running


def _tls(pacs: Pacs, certificates: Path, **changes: object) -> PacsNode:
    files: dict[str, object] = {
        "tls": True,
        "ca_file": str(certificates / "ca.crt"),
        "cert_file": str(certificates / "client.crt"),
        "key_file": str(certificates / "client.key"),
    }
    return pacs.dimse(**{**files, **changes})


def test_dimse_over_tls(
    tls_pacs: Pacs, certificates: Path, liver: Liver, tmp_path: Path
) -> None:
    client = connect(_tls(tls_pacs, certificates))
    assert client.echo() > 0
    (hit,) = client.find_studies(StudyQuery(patient_id=liver.patient_id))
    assert hit.instance_count == 10
    result = client.retrieve_study(liver.study_uid, tmp_path)
    assert len(result.files) == 10


PLAIN = {"tls": False, "ca_file": None, "cert_file": None, "key_file": None}
MISTAKES = [
    (PLAIN, "and that TLS is on or off on both sides alike"),
    ({"ca_file": None}, "the TLS handshake failed (certificate verify failed)"),
    (
        {"cert_file": None, "key_file": None},
        "the TLS handshake failed (tlsv13 alert certificate required)",
    ),
]


@pytest.mark.parametrize(("changes", "says"), MISTAKES)
def test_tls_mistakes_are_named(
    tls_pacs: Pacs, certificates: Path, changes: dict[str, object], says: str
) -> None:
    node = _tls(tls_pacs, certificates, **changes, timeout=2)
    with pytest.raises(PacsError) as caught:
        connect(node).echo()
    assert says in str(caught.value)


class _Qido(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # an empty QIDO-RS answer
        body = json.dumps([]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/dicom+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_url(certificates: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Qido)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "server.crt", certificates / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/dicom-web"
    finally:
        server.shutdown()
        server.server_close()


def test_https_checks_the_server_certificate(
    https_url: str, certificates: Path
) -> None:
    trusted = PacsNode(
        "web", "dicomweb", url=https_url, ca_file=str(certificates / "ca.crt")
    )
    assert connect(trusted).echo() > 0
    assert connect(trusted).find_studies(StudyQuery()) == []
    unknown = PacsNode("web", "dicomweb", url=https_url)
    with pytest.raises(PacsError) as caught:
        connect(unknown).echo()
    assert "TLS failed (certificate verify failed" in str(caught.value)
    assert "check the URL, the node's ca_file" in str(caught.value)
