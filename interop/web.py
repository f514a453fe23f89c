"""Serve OHIF Viewer's built ``dist/`` and proxy ``/dicom-web/`` to Orthanc.

OHIF and its DICOMweb server then share one origin (no CORS). The server is
threaded (OHIF fetches many files at once), listens on 127.0.0.1 on a free
port, serves ``/app-config.js`` from memory in place of the dist's one, and
answers ``index.html`` for the single-page app's own paths (``/viewer``, ...).
"""

from __future__ import annotations

import contextlib
import http.client
import mimetypes
import shutil
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

PROXY_ROOT = "/dicom-web"
CONFIG_PATH = "/app-config.js"
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
# served with these headers, as OHIF's own server does (SharedArrayBuffer)
ISOLATION = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
)
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".map": "application/json",
}

RouteKind = Literal["proxy", "config", "file", "index", "missing"]


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request goes: the proxy, the config, a dist file, index.html, 404."""

    kind: RouteKind
    target: str = ""


def route(raw_path: str, dist: Path) -> Route:
    """Decide what answers ``raw_path`` (the request target, with its query).

    ``/dicom-web`` and below go to the proxy unchanged (query included);
    ``/app-config.js`` is the generated config; a file of ``dist`` is served as
    is; a path that would leave ``dist`` is refused; other paths with a file
    extension are missing (404) and the rest are the app's routes (index.html).
    """
    parts = urllib.parse.urlsplit(raw_path)
    path = parts.path or "/"
    if path == PROXY_ROOT or path.startswith(PROXY_ROOT + "/"):
        return Route("proxy", raw_path)
    decoded = urllib.parse.unquote(path)
    segments = [s for s in decoded.split("/") if s]
    if "\x00" in decoded or ".." in segments or "\\" in decoded:
        return Route("missing")
    if decoded == CONFIG_PATH:
        return Route("config")
    if not segments:
        return Route("index")
    relative = "/".join(segments)
    candidate = dist / relative
    if candidate.is_file() and candidate.resolve().is_relative_to(dist.resolve()):
        return Route("file", relative)
    if "." in segments[-1]:
        return Route("missing")
    return Route("index")


def forwarded_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the headers a proxy passes on (no hop-by-hop ones, no length)."""
    return [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]


def content_type(path: str) -> str:
    """Return the Content-Type of a dist file."""
    suffix = Path(path).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, dist: Path, config_js: bytes, log: IO[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.dist = dist
        self.config_js = config_js
        self.upstream: tuple[str, int] | None = None
        self.log = log
        self.log_lock = threading.Lock()

    def write_log(self, line: str) -> None:
        with self.log_lock:
            self.log.write(line + "\n")
            self.log.flush()

    def handle_error(self, request: object, client_address: object) -> None:
        """Log a failed request to the log file; a browser hanging up is no error."""
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
            return
        self.write_log(f"error serving {client_address}: {error!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        self.server.write_log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def do_OPTIONS(self) -> None:
        self._answer()

    def _answer(self) -> None:
        try:
            target = route(self.path, self.server.dist)
            if target.kind == "proxy":
                self._proxy(target.target)
            elif self.command not in ("GET", "HEAD"):
                self._send(405, b"method not allowed\n", "text/plain")
            elif target.kind == "config":
                self._send(200, self.server.config_js, _TYPES[".js"])
            elif target.kind == "file":
                self._file(self.server.dist / target.target)
            elif target.kind == "index":
                self._file(self.server.dist / "index.html")
            else:
                self._send(404, b"not found\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser gave up on it

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in ISOLATION:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _file(self, path: Path) -> None:
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", content_type(path.name))
        self.send_header("Content-Length", str(size))
        for name, value in ISOLATION:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            with path.open("rb") as handle:
                shutil.copyfileobj(handle, self.wfile, 1 << 20)

    def _request_body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _proxy(self, target: str) -> None:
        body = self._request_body()
        upstream = self.server.upstream
        if upstream is None:
            self._send(503, b"no DICOMweb server yet\n", "text/plain")
            return
        connection = http.client.HTTPConnection(*upstream, timeout=120)
        try:
            connection.request(
                self.command,
                target,
                body=body,
                headers=dict(forwarded_headers(self.headers.items())),
            )
            response = connection.getresponse()
            payload = response.read()
        except OSError as exc:
            message = f"DICOMweb server unreachable: {exc}\n".encode()
            self._send(502, message, "text/plain")
            return
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for name, value in forwarded_headers(response.getheaders()):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in ISOLATION:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


@dataclass
class WebServer:
    """The running server: its URL; ``proxy_to`` points ``/dicom-web`` somewhere."""

    _server: _Server

    @property
    def port(self) -> int:
        """The port it listens on (127.0.0.1)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Its root URL."""
        return f"http://127.0.0.1:{self.port}"

    def proxy_to(self, base_url: str) -> None:
        """Send ``/dicom-web/...`` to ``base_url`` (``http://127.0.0.1:PORT``)."""
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"not an http://HOST:PORT URL: {base_url}")
        self._server.upstream = (parts.hostname, parts.port)


@contextlib.contextmanager
def serving(dist: Path, config_js: str, log: Path) -> Iterator[WebServer]:
    """Serve ``dist`` (and the proxy) on 127.0.0.1 until the block ends."""
    if not (dist / "index.html").is_file():
        raise FileNotFoundError(f"no index.html in {dist}: run `make interop-tools`")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as log_file:
        server = _Server(dist, config_js.encode(), log_file)
        thread = threading.Thread(
            target=server.serve_forever, name="ohif-web", daemon=True
        )
        thread.start()
        try:
            yield WebServer(server)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
