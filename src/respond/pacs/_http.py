"""HTTP for DICOMweb: the requests session (TLS, sign-in, timeout) and the errors.

Every failure of requests becomes a :class:`PacsError` naming the node by name
and URL, what happened and what to do; the secret is never part of a message.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth

from respond.pacs.errors import PacsError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from respond.pacs.nodes import PacsNode

_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_STATUS_ADVICE = {
    400: "the server did not accept the request: check the search values",
    403: "the user may not do this on that server: ask its administrator for access",
    404: (
        "nothing at that address: check the node's URL (the DICOMweb root, "
        "e.g. http://host:8042/dicom-web) and that the study exists"
    ),
    406: "the server cannot send DICOM as asked (application/dicom)",
    409: "the server refused the data (a conflict, e.g. a different patient)",
    413: "the server refused the data as too large",
    415: "the server does not take this kind of data",
}


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that puts the node's timeout and ca_file on every request.

    It retries nothing. The node's ca_file wins over REQUESTS_CA_BUNDLE, which
    requests would otherwise take from the environment.
    """

    def __init__(self, timeout: float, ca_file: str | None) -> None:
        super().__init__(max_retries=0)
        self._timeout = timeout
        self._ca_file = ca_file

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        request.url = _wildcards_unescaped(request.url)
        return super().send(
            request,
            stream=stream,
            timeout=self._timeout,
            verify=self._ca_file or verify,
            cert=cert,
            proxies=proxies,
        )


class _Bearer(AuthBase):
    """A bearer token (an auth object, so no .netrc login replaces it)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_Bearer('***')"


def _wildcards_unescaped(url: str | None) -> str | None:
    """Return the URL with ``*`` and ``?`` in its query unescaped.

    dicomweb-client percent-encodes them (``%2A``, ``%3F``); Orthanc's QIDO-RS
    then matches them as plain characters, not as wildcards. Both are allowed
    unescaped in a query (RFC 3986).
    """
    if url is None or "?" not in url:
        return url
    path, _, query = url.partition("?")
    query = query.replace("%2A", "*").replace("%2a", "*")
    return f"{path}?{query.replace('%3F', '?').replace('%3f', '?')}"


def build_session(node: PacsNode) -> requests.Session:
    """Return a session for ``node``: its timeout, TLS files and sign-in.

    Raises
    ------
    PacsConfigError
        The secret cannot be read.
    """
    session = requests.Session()
    adapter = _TimeoutAdapter(node.timeout, node.ca_file)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.verify = node.ca_file or True
    if node.cert_file:
        session.cert = (
            (node.cert_file, node.key_file) if node.key_file else node.cert_file
        )
    secret = node.resolve_secret()
    if node.auth == "basic" and secret is not None:
        session.auth = HTTPBasicAuth(node.username, secret)
    elif node.auth == "bearer" and secret is not None:
        session.auth = _Bearer(secret)
    return session


def _reason(exc: BaseException) -> str:
    """Return the operating system's words for a network failure, if any."""
    match = _ERRNO.search(str(exc))
    if match:
        return match.group(1).strip()
    return type(exc).__name__


def _login_advice(node: PacsNode) -> str:
    if node.auth == "none":
        return (
            "the server asks for a login: set the node's auth ('basic' or "
            "'bearer'), username and secret_env or secret_file"
        )
    source = (
        f"the environment variable {node.secret_env}"
        if node.secret_env
        else f"the file {node.secret_file}"
        if node.secret_file
        else "the secret given"
    )
    who = f"user '{node.username}', " if node.auth == "basic" else ""
    return (
        f"check the user name and secret ({who}secret from {source}); "
        "the secret itself is never shown"
    )


def status_failure(node: PacsNode, action: str, status: int, reason: str) -> PacsError:
    """Return the error of an HTTP status the server answered."""
    if status == 401:
        advice = _login_advice(node)
    elif status >= 500:
        advice = "the server failed: try again later, or look at its log"
    else:
        advice = _STATUS_ADVICE.get(status, "the server refused the request")
    text = f"HTTP {status} {reason}".rstrip()
    return PacsError(f"{node.label}: {action} failed: {text}: {advice}", node=node.name)


def http_failure(node: PacsNode, action: str, exc: BaseException) -> PacsError:
    """Return the :class:`PacsError` of a failure of requests or of the answer."""
    where = f"{node.label}: {action} failed"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        response = exc.response
        return status_failure(node, action, response.status_code, response.reason or "")
    if isinstance(exc, requests.exceptions.SSLError):
        message = (
            f"{where}: TLS failed ({_tls_reason(exc)}): check the URL, the "
            "node's ca_file (the certificate authority of the server) and the "
            "server's certificate"
        )
    elif isinstance(exc, requests.exceptions.ConnectTimeout):
        message = (
            f"{where}: no connection within {node.timeout:g} s: check the "
            "host and port in the URL, and the network"
        )
    elif isinstance(exc, requests.exceptions.Timeout):
        message = (
            f"{where}: no answer within {node.timeout:g} s: the server is slow "
            "or stuck; try again, or raise the node's timeout"
        )
    elif isinstance(exc, requests.exceptions.ChunkedEncodingError):
        message = f"{where}: {_LOST}"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        message = f"{where}: {_connection_text(exc)}"
    elif isinstance(exc, OSError) and not isinstance(exc, requests.RequestException):
        message = (
            f"{where}: {_short(exc)}: check the node's ca_file, cert_file and key_file"
        )
    else:
        message = f"{where}: the server's answer could not be read ({_short(exc)})"
    return PacsError(message, node=node.name)


_LOST = (
    "the connection was lost during the transfer (the server stopped or the "
    "network failed); try again"
)


def _connection_text(exc: BaseException) -> str:
    reason = _reason(exc)
    if "refused" in reason.lower() or "NewConnectionError" in str(exc):
        return (
            f"cannot connect ({reason}): is the server running, and are the "
            "host and port in the URL right?"
        )
    if "Name or service not known" in reason or "nodename" in reason:
        return f"unknown host ({reason}): check the host name in the URL"
    return _LOST


def _tls_reason(exc: BaseException) -> str:
    match = re.search(r"\[SSL[^\]]*\] ([^(')\"]+)", str(exc))
    return match.group(1).strip() if match else "handshake failed"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


@contextlib.contextmanager
def http_errors(node: PacsNode, action: str) -> Iterator[None]:
    """Turn the failures of requests (and of reading the answer) into PacsError."""
    try:
        yield
    except PacsError:
        raise
    except (requests.RequestException, ValueError, KeyError, OSError) as exc:
        raise http_failure(node, action, exc) from None
