"""Fixtures for the DICOM integration tests: the shared real data, copied at will.

The real series live outside the repository, in ``../shared/data/dicom`` (see its
MANIFEST.md). They are read-only: tests that break a series copy it into
``tmp_path`` first with ``copy_series`` / ``copy_files``.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from respond.dicom import ScanResult, SeriesCandidate, Volume, load_series, scan

REPO = Path(__file__).resolve().parents[3]
SHARED_DICOM = REPO.parent / "shared" / "data" / "dicom"

LIVER = "ct_liver_hcc048_pv"
HEAD_TILT = "ct_head_ge_tilt_varspacing"
PHILIPS_SAG = "mr_brain_philips_sag_t1"
TRANSFER_SYNTAXES = "mr_transfer_syntaxes"
ENHANCED_XA10 = "mr_enhanced_siemens_xa10"
EDGE = "edge_cases_pydicom"
FILESET = f"{EDGE}/dicomdir_fileset"

CopyFiles = Callable[[Iterable[Path], Path], list[Path]]
CopySeries = Callable[..., Path]


def copy_files(sources: Iterable[Path], folder: Path) -> list[Path]:
    """Copy files into ``folder`` (created), writable, keeping their names."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in sources:
        target = folder / source.name
        shutil.copyfile(source, target)
        target.chmod(target.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR)
        copies.append(target)
    return copies


@pytest.fixture(scope="session")
def shared_dicom() -> Path:
    """The shared real DICOM data; skipped when it is not next to the repository."""
    if not SHARED_DICOM.is_dir():
        pytest.skip(
            "shared DICOM data not found at ../shared/data/dicom (not in a fresh clone)"
        )
    return SHARED_DICOM


@pytest.fixture
def copy_series(shared_dicom: Path, tmp_path: Path) -> CopySeries:
    """Copy one shared folder (its files, not subfolders) into ``tmp_path``.

    ``copy_series(LIVER)`` returns the new folder ``tmp_path / LIVER``; a second
    argument names the folder instead.
    """

    def _copy(relative: str, name: str | None = None) -> Path:
        source = shared_dicom / relative
        folder = tmp_path / (name or Path(relative).name)
        copy_files(sorted(p for p in source.iterdir() if p.is_file()), folder)
        return folder

    return _copy


@pytest.fixture(scope="session")
def shared_scan(shared_dicom: Path) -> Callable[[str], ScanResult]:
    """Scan a shared folder or file once per test session."""
    cache: dict[str, ScanResult] = {}

    def _scan(relative: str) -> ScanResult:
        if relative not in cache:
            cache[relative] = scan(shared_dicom / relative)
        return cache[relative]

    return _scan


@pytest.fixture(scope="session")
def shared_volume(
    shared_scan: Callable[[str], ScanResult],
) -> Callable[[str], tuple[SeriesCandidate, Volume]]:
    """The first (largest) series of a shared folder and its volume, loaded once."""
    cache: dict[str, tuple[SeriesCandidate, Volume]] = {}

    def _load(relative: str) -> tuple[SeriesCandidate, Volume]:
        if relative not in cache:
            candidate = shared_scan(relative).series[0]
            cache[relative] = (candidate, load_series(candidate))
        return cache[relative]

    return _load
