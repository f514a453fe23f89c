"""The wheel carries the resources (schemas, examples) the program reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_contains_resources(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("respond-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in (REPO / "resources").rglob("*"):
        if resource.is_file():
            relative = resource.relative_to(REPO).as_posix()
            assert f"respond/{relative}" in names
    assert "respond/criteria/recist11.py" in names
