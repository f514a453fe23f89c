"""OHIF's web server: which request goes where, and the proxy to DICOMweb."""

from __future__ import annotations

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest
from interop.web import Route, content_type, forwarded_headers, route, serving

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<html>index</html>")
    (folder / "app.bundle.1234.js").write_text("console.log(1)")
    (folder / "app-config.js").write_text("window.config = 'from the dist';")
    (folder / "assets" / "logo.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not to be served")
    return folder


@pytest.mark.parametrize(
    "path",
    [
        "/dicom-web",
        "/dicom-web/studies",
        "/dicom-web/studies?PatientID=DEMO*&limit=101",
        "/dicom-web/studies/1.2.3/series/4.5/instances/6.7/frames/1",
    ],
)
def test_dicomweb_goes_to_the_proxy_unchanged(dist: Path, path: str) -> None:
    assert route(path, dist) == Route("proxy", path)


def test_the_config_is_the_generated_one_not_the_dists(dist: Path) -> None:
    assert route("/app-config.js", dist).kind == "config"
    assert route("/app-config.js?v=2", dist).kind == "config"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/index.html", "index.html"),
        ("/app.bundle.1234.js", "app.bundle.1234.js"),
        ("/assets/logo.svg", "assets/logo.svg"),
        ("/assets//logo.svg", "assets/logo.svg"),
        ("/assets/logo%2Esvg", "assets/logo.svg"),
    ],
)
def test_dist_files_are_served(dist: Path, path: str, target: str) -> None:
    assert (route(path, dist).kind, route(path, dist).target) == ("file", target)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/viewer",
        "/viewer?StudyInstanceUIDs=1.2.3",
        "/viewer/dicomweb",
        "/dicom-webx",
    ],
)
def test_the_apps_own_paths_get_index_html(dist: Path, path: str) -> None:
    assert route(path, dist).kind == "index"


@pytest.mark.parametrize(
    "path",
    [
        "/missing.js",
        "/assets/missing.png",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/a%00b",
        "/..\\secret.txt",
    ],
)
def test_missing_files_and_escapes_are_not_found(dist: Path, path: str) -> None:
    assert route(path, dist).kind == "missing"


def test_a_link_out_of_the_dist_is_not_served(dist: Path) -> None:
    (dist / "link.txt").symlink_to(dist.parent / "secret.txt")

    assert route("/link.txt", dist).kind == "missing"


def test_hop_by_hop_headers_are_not_passed_on() -> None:
    headers = [
        ("Accept", "multipart/related; type=application/octet-stream"),
        ("Connection", "keep-alive"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "12"),
        ("Host", "127.0.0.1:8080"),
    ]

    assert forwarded_headers(headers) == [
        ("Accept", "multipart/related; type=application/octet-stream"),
        ("Host", "127.0.0.1:8080"),
    ]


def test_content_types() -> None:
    assert content_type("a.wasm") == "application/wasm"
    assert content_type("a.js").startswith("text/javascript")
    assert content_type("a.unknownsuffix") == "application/octet-stream"


class _Upstream(BaseHTTPRequestHandler):
    """A stand-in DICOMweb server that echoes what it was sent."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = (
            f"{self.command} {self.path} host={self.headers['Host']} "
            f"type={self.headers.get('Content-Type')} body={len(body)}"
        ).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/dicom+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = _echo
    do_POST = _echo


@pytest.fixture
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str, data: bytes | None = None, kind: str = "") -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, data=data)
    if kind:
        request.add_header("Content-Type", kind)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read(), response.headers["Content-Type"]


def test_the_server_serves_the_app_and_proxies_dicomweb(
    dist: Path, upstream: str, tmp_path: Path
) -> None:
    with serving(dist, "window.config = {};", tmp_path / "web.log") as web:
        web.proxy_to(upstream)
        assert web.url.startswith("http://127.0.0.1:")
        assert _get(f"{web.url}/viewer?StudyInstanceUIDs=1")[1] == b"<html>index</html>"
        assert _get(f"{web.url}/app-config.js")[1] == b"window.config = {};"
        status, body, kind = _get(f"{web.url}/dicom-web/studies?limit=1")
        assert (status, kind) == (200, "application/dicom+json")
        port = web.url.rsplit(":", 1)[1]
        echoed = (
            f"GET /dicom-web/studies?limit=1 host=127.0.0.1:{port} type=None body=0"
        )
        assert body == echoed.encode()
        status, body, _ = _get(
            f"{web.url}/dicom-web/studies",
            b"x" * 1000,
            'multipart/related; type="application/dicom"',
        )
        assert status == 201
        assert body.endswith(
            b'type=multipart/related; type="application/dicom" body=1000'
        )
    assert "GET /viewer" in (tmp_path / "web.log").read_text()


def test_the_server_wants_a_dist(tmp_path: Path) -> None:
    with (
        pytest.raises(FileNotFoundError, match="make interop-tools"),
        serving(tmp_path, "", tmp_path / "web.log"),
    ):
        pass


def test_a_client_hanging_up_is_no_error_but_a_fault_is_logged(
    dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    log = tmp_path / "web.log"
    with serving(dist, "", log) as web:
        host, port = web.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            sock.send(b"GET /index")  # half a request line, then a reset
        assert _get(f"{web.url}/index.html")[1] == b"<html>index</html>"
        try:
            raise ValueError("boom")
        except ValueError:
            web._server.handle_error(None, ("127.0.0.1", 1))
    assert "Traceback" not in capsys.readouterr().err
    assert "error serving ('127.0.0.1', 1): ValueError('boom')" in log.read_text()
