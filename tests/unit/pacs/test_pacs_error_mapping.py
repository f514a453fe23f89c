"""What each HTTP and DIMSE failure says: the node, what happened, what to do."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import requests

from respond.pacs import PacsNode
from respond.pacs._dimse_assoc import rejection_error, status_text
from respond.pacs._http import _wildcards_unescaped, http_failure, status_failure

SECRET = "never-say-it"
WEB = PacsNode(
    "web",
    "dicomweb",
    url="http://h:8042/dicom-web",
    auth="basic",
    username="reader",
    secret_env="RESPOND_PW",
)
DIMSE = PacsNode("pacs", "dimse", host="10.0.0.5", port=104, called_aet="PACS")


UNAUTHORIZED = (
    "HTTP 401 Unauthorized: check the user name and secret "
    "(user 'reader', secret from the environment variable RESPOND_PW)"
)
NOT_FOUND = "HTTP 404 Not Found: nothing at that address: check the node's URL"


@pytest.mark.parametrize(
    ("status", "reason", "says"),
    [
        (401, "Unauthorized", UNAUTHORIZED),
        (403, "Forbidden", "HTTP 403 Forbidden: the user may not do this"),
        (404, "Not Found", NOT_FOUND),
        (500, "Server Error", "HTTP 500 Server Error: the server failed"),
        (503, "Service Unavailable", "try again later"),
        (418, "I'm a teapot", "HTTP 418 I'm a teapot: the server refused the request"),
    ],
)
def test_http_status(status: int, reason: str, says: str) -> None:
    error = status_failure(WEB, "the study search", status, reason)
    message = str(error)
    assert message.startswith(
        "PACS node 'web' (DICOMweb http://h:8042/dicom-web): the study search failed: "
    )
    assert says in message
    assert error.node == "web"


def test_401_without_a_login_says_to_set_one() -> None:
    node = PacsNode("open", "dicomweb", url="http://h/dicom-web")
    message = str(status_failure(node, "echo", 401, "Unauthorized"))
    assert "the server asks for a login: set the node's auth" in message


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response.reason = "Unauthorized"
    return requests.HTTPError("401 Client Error", response=response)


SSL_TEXT = (
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
    "self-signed certificate (_ssl.c:1006)"
)
REFUSED_TEXT = (
    "Max retries exceeded (Caused by NewConnectionError("
    "'[Errno 111] Connection refused'))"
)
FAILURES = [
    (_http_error(401), "HTTP 401 Unauthorized"),
    (
        requests.exceptions.SSLError(SSL_TEXT),
        "TLS failed (certificate verify failed: self-signed certificate): check",
    ),
    (requests.exceptions.ConnectTimeout("timed out"), "no connection within 30 s"),
    (requests.exceptions.ReadTimeout("read timed out"), "no answer within 30 s"),
    (
        requests.exceptions.ConnectionError(REFUSED_TEXT),
        "cannot connect (Connection refused): is the server running",
    ),
    (
        requests.exceptions.ConnectionError("[Errno -2] Name or service not known"),
        "unknown host (Name or service not known)",
    ),
    (
        requests.exceptions.ChunkedEncodingError("Connection broken"),
        "the connection was lost during the transfer",
    ),
    (
        OSError("Could not find a suitable TLS CA certificate bundle, invalid path: x"),
        "invalid path: x: check the node's ca_file, cert_file and key_file",
    ),
    (
        ValueError("Unexpected media type"),
        "the server's answer could not be read (Unexpected media type)",
    ),
]


@pytest.mark.parametrize(("exc", "says"), FAILURES)
def test_requests_failures(exc: BaseException, says: str) -> None:
    message = str(http_failure(WEB, "echo", exc))
    assert says in message
    assert SECRET not in message


def test_wildcards_go_unescaped_in_the_query_only() -> None:
    url = "http://h/dicom-web%2A/studies?PatientName=DOE%5EJ%2A&PatientID=A%3F1"
    assert _wildcards_unescaped(url) == (
        "http://h/dicom-web%2A/studies?PatientName=DOE%5EJ*&PatientID=A?1"
    )
    assert _wildcards_unescaped("http://h/studies") == "http://h/studies"


def _rejected(source: int, diagnostic: int) -> Any:
    primitive = SimpleNamespace(result=1, result_source=source, diagnostic=diagnostic)
    return SimpleNamespace(acceptor=SimpleNamespace(primitive=primitive))


@pytest.mark.parametrize(
    ("source", "diagnostic", "says"),
    [
        (1, 7, "called AE title 'PACS' not recognised; check the node's AE titles"),
        (1, 3, "calling AE title 'RESPOND' not recognised; the PACS must know"),
        (1, 2, "application context name not supported"),
        (3, 1, "the PACS is busy"),
        (3, 2, "too many associations"),
        (1, 1, "no reason given; check the node's AE titles"),
    ],
)
def test_association_rejections(source: int, diagnostic: int, says: str) -> None:
    message = str(rejection_error(DIMSE, _rejected(source, diagnostic)))
    assert message.startswith(
        "PACS node 'pacs' (DIMSE PACS@10.0.0.5:104): association rejected by "
        "PACS at 10.0.0.5:104: "
    )
    assert says in message


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0xA801, "move destination unknown (status 0xA801)"),
        (0xA7FE, "out of resources (status 0xA7FE)"),
        (0xC123, "unable to process (status 0xC123)"),
        (0x0124, "not authorised (status 0x0124)"),
        (0x1234, "failed (status 0x1234)"),
    ],
)
def test_dimse_status_text(code: int, text: str) -> None:
    assert status_text(code) == text
