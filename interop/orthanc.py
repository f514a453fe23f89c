"""A real Orthanc (Debian ``orthanc``, ``orthanc-dicomweb``) for tests and benchmarks.

Started on 127.0.0.1 on free ports with a throw-away storage folder, stopped when
the ``with`` block ends. Orthanc 1.10 has no option for the address it listens on,
so it runs with ``loopback.c`` preloaded (compiled once into ``build/interop``):
every socket it binds is bound to the loopback address.

    peers = {"RESPOND": ("RESPOND", "127.0.0.1", 11112)}
    with running_orthanc(tmp_path, modalities=peers) as pacs:
        pacs.dicomweb  # "http://127.0.0.1:PORT/dicom-web"
        pacs.dicom_port, pacs.aet

``orthanc_missing()`` names what is missing (for ``pytest.skip``) or returns None.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ORTHANC = "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "interop"
INSTALL_HINT = "`make test` installs it (Debian packages orthanc and orthanc-dicomweb)"


def orthanc_missing() -> str | None:
    """Why a real Orthanc cannot be started here, or None when it can."""
    if not Path(ORTHANC).is_file():
        return f"Orthanc is not installed ({ORTHANC}): {INSTALL_HINT}"
    if not Path(DICOMWEB_PLUGIN).is_file():
        return (
            f"Orthanc's DICOMweb plugin is not installed ({DICOMWEB_PLUGIN}): "
            f"{INSTALL_HINT}"
        )
    if _loopback_shim() is None:
        return (
            "no C compiler (cc) to build interop/loopback.c, which keeps Orthanc "
            "on 127.0.0.1"
        )
    return None


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Orthanc:
    """A running Orthanc: its ports, AE title, storage folder and process."""

    http_port: int
    dicom_port: int
    aet: str
    storage: Path
    process: subprocess.Popen[bytes]
    log: Path
    users: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Orthanc's HTTP root on 127.0.0.1."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def dicomweb(self) -> str:
        """The DICOMweb root (QIDO-RS, WADO-RS, STOW-RS)."""
        return f"{self.url}/dicom-web"

    def rest(
        self, path: str, data: bytes | None = None, method: str | None = None
    ) -> object:
        """Orthanc's own REST API (JSON), with the first user's credentials if any."""
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if self.users:
            import base64

            user, password = next(iter(self.users.items()))
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def stop(self) -> None:
        """Stop Orthanc (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def kill(self) -> None:
        """Stop Orthanc at once, as a server that dies mid-transfer does."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def running_orthanc(
    folder: Path,
    *,
    aet: str = "ORTHANC",
    modalities: Mapping[str, tuple[str, str, int]] | None = None,
    users: Mapping[str, str] | None = None,
    check_called_aet: bool = True,
    extra: Mapping[str, object] | None = None,
) -> Iterator[Orthanc]:
    """Start Orthanc in ``folder`` (storage, config, log); stop it on exit.

    ``modalities`` are the DICOM peers Orthanc knows (name -> AE title, host, port),
    needed as C-MOVE destinations. Any calling AE title may echo, find, get and
    store; the called AE title must be ``aet`` when ``check_called_aet``. ``users``
    turns on HTTP basic authentication.
    """
    missing = orthanc_missing()
    if missing:
        raise RuntimeError(missing)
    folder.mkdir(parents=True, exist_ok=True)
    storage = folder / "storage"
    storage.mkdir(exist_ok=True)
    http_port, dicom_port = free_port(), free_port()
    config: dict[str, object] = {
        "Name": "respond-test",
        "StorageDirectory": str(storage),
        "IndexDirectory": str(storage),
        "HttpPort": http_port,
        "DicomPort": dicom_port,
        "DicomAet": aet,
        "DicomCheckCalledAet": check_called_aet,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": bool(users),
        "RegisteredUsers": dict(users or {}),
        "DicomAlwaysAllowEcho": True,
        "DicomAlwaysAllowStore": True,
        "DicomAlwaysAllowFind": True,
        "DicomAlwaysAllowGet": True,
        "DicomAlwaysAllowMove": True,
        "DicomModalities": {k: list(v) for k, v in (modalities or {}).items()},
        "Plugins": [DICOMWEB_PLUGIN],
        "DicomWeb": {
            "Enable": True,
            "Root": "/dicom-web/",
            "EnableWado": True,
            "Host": f"127.0.0.1:{http_port}",
        },
        "HttpCompressionEnabled": False,
        "StableAge": 1,
        "ConcurrentJobs": 2,
        "SaveJobs": False,
        "OverwriteInstances": True,
        "StorageCompression": False,
        "MaximumStorageCacheSize": 0,
        "HttpTimeout": 60,
        "DicomScpTimeout": 30,
    }
    config.update(extra or {})
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config, indent=2))
    log = folder / "orthanc.log"
    env = dict(os.environ)
    shim = _loopback_shim()
    assert shim is not None
    env["LD_PRELOAD"] = str(shim)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [ORTHANC, "--no-jobs", str(config_path)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = Orthanc(
        http_port, dicom_port, aet, storage, process, log, dict(users or {})
    )
    try:
        _wait_ready(server)
        yield server
    finally:
        server.stop()


def _wait_ready(server: Orthanc, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Orthanc exited at start: {tail}")
        try:
            server.rest("/system")
            with socket.create_connection(("127.0.0.1", server.dicom_port), timeout=1):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    raise RuntimeError(f"Orthanc did not answer within {timeout:.0f} s: {server.log}")


def _loopback_shim() -> Path | None:
    """Return ``build/interop/libloopback.so``, built from ``loopback.c`` if stale."""
    source = Path(__file__).with_name("loopback.c")
    target = BUILD / "libloopback.so"
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    BUILD.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    result = subprocess.run(
        [compiler, "-shared", "-fPIC", "-O2", "-o", str(partial), str(source), "-ldl"],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    partial.replace(target)
    return target
