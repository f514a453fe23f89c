"""The real desktop app starts on X11 (Qt's xcb platform) at the patient list.

A new user's first ``make run`` on a bare Debian aborted: Qt's xcb platform
needs libxcb-icccm4 and libxcb-keysyms1. ``make`` installs them
(tools/desktop-libs); this starts ``respond`` on a virtual X screen, as
``make run`` does, and waits for its window.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

XVFB, XWININFO = shutil.which("Xvfb"), shutil.which("xwininfo")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (XVFB and XWININFO),
        reason="Xvfb and xwininfo (Debian xvfb, x11-utils) are not installed; "
        "make test installs them where it can",
    ),
]


def _xcb_plugin() -> Path:
    import PySide6

    found = glob.glob(
        os.path.join(
            os.path.dirname(PySide6.__file__),
            "Qt",
            "plugins",
            "platforms",
            "libqxcb.so",
        )
    )
    if not found:
        pytest.skip("this PySide6 has no xcb platform plugin")
    return Path(found[0])


def test_qt_xcb_platform_finds_every_system_library() -> None:
    ldd = subprocess.run(
        ["ldd", str(_xcb_plugin())], capture_output=True, text=True, check=False
    )
    missing = sorted(
        {line.split()[0] for line in ldd.stdout.splitlines() if "not found" in line}
    )
    assert missing == [], (
        f"Qt's xcb platform cannot load {missing}: run tools/desktop-libs "
        "(make run does) to install them"
    )


def _windows(display: str) -> str:
    result = subprocess.run(
        [str(XWININFO), "-root", "-tree"],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        check=False,
    )
    return result.stdout


def test_respond_starts_on_x11_at_the_patient_list(tmp_path: Path) -> None:
    _xcb_plugin()
    number = 90 + os.getpid() % 500
    display = f":{number}"
    screen = subprocess.Popen(
        [str(XVFB), display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = None
    try:
        deadline = time.monotonic() + 20
        while "root window" not in _windows(display).lower():
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "RESPOND_DB": str(tmp_path / "reads.sqlite3"),
            "RESPOND_READER": "Dr Start (radiologist)",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
        app = subprocess.Popen(
            [sys.executable, "-m", "respond"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while "patients" not in _windows(display):
            if app.poll() is not None:
                output = app.stdout.read() if app.stdout else ""
                pytest.fail(f"respond exited with {app.returncode}:\n{output}")
            assert time.monotonic() < deadline, "no respond window after 60 s"
            time.sleep(0.2)
        assert app.poll() is None
    finally:
        if app is not None:
            app.terminate()
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
        screen.terminate()
        screen.wait(timeout=10)
