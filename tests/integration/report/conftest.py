"""Fixtures for the report tests: the demo read with its phantom images.

``prepare_demo`` writes a synthetic three-time-point HCC read (calipers on real
DICOM files of a generated phantom) into a temporary folder; it is made once per
session and never modified (tests that change a read copy it with ``replace``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from respond.criteria.model import Patient
from respond.criteria.record import PatientRead
from respond.demo import DemoSetup, prepare_demo
from respond.report.images import ImageIndex
from respond.store import open_store

REPO = Path(__file__).resolve().parents[3]
SHARED_DICOM = REPO.parent / "shared" / "data" / "dicom"
LIVER = SHARED_DICOM / "ct_liver_hcc048_pv"

NAME = "Doe^Jane Quinn"
PATIENT_ID = "MRN-774411"
BIRTH = dt.date(1951, 3, 17)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSetup:
    return prepare_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_read(demo: DemoSetup) -> PatientRead:
    with open_store(demo.database) as store:
        return store.load(demo.patient_id)


@pytest.fixture(scope="session")
def demo_images(demo: DemoSetup) -> ImageIndex:
    return ImageIndex.from_folders([demo.dicom_root])


@pytest.fixture
def identified_read(demo_read: PatientRead) -> PatientRead:
    """The demo read under a realistic name, ID and birth date."""
    return replace(
        demo_read, patient=Patient(id=PATIENT_ID, name=NAME, birth_date=BIRTH)
    )


def which(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(
            f"{tool} is not installed (Debian poppler-utils); 'make test' installs it"
        )
    return path
