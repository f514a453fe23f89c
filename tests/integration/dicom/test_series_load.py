"""``respond series PATH --load``: is every stack in a folder readable, and how?

Run through a real subprocess on copies of three shared liver CT slices. The
value range and checksum are recomputed here from pydicom alone: the slices in
Hounsfield units (stored value plus RescaleIntercept) as int16, sorted along
the slice normal, little-endian, SHA-256, first 16 hex digits.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from tests.integration.dicom.conftest import LIVER, SHARED_DICOM, copy_files

if TYPE_CHECKING:
    from pathlib import Path

SLICES = ("00000044.dcm", "00000045.dcm", "00000046.dcm")


def respond(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "respond", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def three_slices(tmp_path: Path) -> list[Path]:
    if not SHARED_DICOM.is_dir():
        pytest.skip("shared DICOM data not found at ../shared/data/dicom")
    return copy_files([SHARED_DICOM / LIVER / name for name in SLICES], tmp_path)


def hounsfield(path: Path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return np.asarray(ds.pixel_array.astype(np.int64) + int(ds.RescaleIntercept))


def along_the_normal(paths: list[Path]) -> list[Path]:
    def position(path: Path) -> float:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        iop = np.asarray(ds.ImageOrientationPatient, dtype=float)
        normal = np.cross(iop[:3], iop[3:])
        return float(np.dot(np.asarray(ds.ImagePositionPatient, dtype=float), normal))

    return sorted(paths, key=position)


def checksum(paths: list[Path]) -> str:
    volume = np.stack([hounsfield(p) for p in along_the_normal(paths)])
    return hashlib.sha256(volume.astype("<i2").tobytes()).hexdigest()[:16]


def value_range(paths: list[Path]) -> tuple[int, int]:
    values = np.stack([hounsfield(p) for p in paths])
    return int(values.min()), int(values.max())


def test_three_readable_slices_exit_0_with_range_and_checksum(
    three_slices: list[Path],
) -> None:
    result = respond("series", three_slices[0].parent, "--load")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    low, high = value_range(three_slices)
    (line,) = [row for row in result.stdout.splitlines() if "(3 images):" in row]
    assert "Recon 3: LIVER 2 PHASE" in line
    assert line.endswith(
        f": loaded, values {low} to {high}, sha256 {checksum(three_slices)} (int16)"
    )
    assert "load check: 1 of 1 loadable stacks loaded whole" in result.stdout


def test_json_reports_each_stack_with_range_and_checksum(
    three_slices: list[Path],
) -> None:
    result = respond("series", three_slices[0].parent, "--load", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "respond-series/1"
    load = doc["load"]
    assert (load["loaded"], load["not_loaded"]) == (1, 0)
    (stack,) = load["stacks"]
    (series,) = [
        s for p in doc["patients"] for st in p["studies"] for s in st["series"]
    ]
    assert stack["key"] == series["key"]
    assert stack["status"] == "loaded"
    assert stack["problems"] == []
    assert (stack["min"], stack["max"]) == value_range(three_slices)
    assert stack["sha256"] == checksum(three_slices)
    assert stack["dtype"] == "int16"
    assert stack["images"] == 3


def test_without_load_nothing_is_loaded(three_slices: list[Path]) -> None:
    result = respond("series", three_slices[0].parent, "--json")
    assert result.returncode == 0, result.stderr
    assert "load" not in json.loads(result.stdout)


def test_a_folder_with_one_damaged_file_exits_2_naming_it(
    three_slices: list[Path],
) -> None:
    broken = three_slices[1]
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) - 100_000])
    result = respond("series", broken.parent, "--load")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (reason,) = result.stderr.splitlines()
    assert reason.startswith("respond: ")
    assert "not loaded whole" in reason
    assert broken.name in reason
    assert "truncated" in reason
    intact = [p for p in three_slices if p != broken]
    low, high = value_range(intact)
    assert f": incomplete, values {low} to {high}, sha256" in result.stdout
    assert "load check: 0 of 1 loadable stacks loaded whole" in result.stdout
    doc = json.loads(respond("series", broken.parent, "--load", "--json").stdout)
    (stack,) = doc["load"]["stacks"]
    assert stack["status"] == "incomplete"
    assert any(broken.name in problem for problem in stack["problems"])
