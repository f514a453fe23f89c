"""Echo and find against a real Orthanc, over DICOMweb (QIDO-RS) and DIMSE (C-FIND)."""

from __future__ import annotations

import datetime as dt

import pytest
from pacsbuild import Liver, Pacs

from respond.pacs import PacsClient, StudyQuery, connect


@pytest.fixture(params=["dicomweb", "dimse"])
def client(request: pytest.FixtureRequest, pacs: Pacs) -> PacsClient:
    node = pacs.web() if request.param == "dicomweb" else pacs.dimse()
    return connect(node)


def test_echo_answers_with_a_round_trip(client: PacsClient) -> None:
    elapsed = client.echo()
    assert 0 < elapsed < 10_000


def test_find_by_patient_id(client: PacsClient, liver: Liver) -> None:
    (hit,) = client.find_studies(StudyQuery(patient_id=liver.patient_id))
    assert hit.study_uid == liver.study_uid
    assert hit.patient_name == "Patient_01"
    assert hit.study_date == dt.date(2001, 8, 12)
    assert hit.description == "CT C/A/P LIVER PR"
    assert hit.modalities == ("CT",)
    assert (hit.series_count, hit.instance_count) == (1, 89)


def test_find_by_name_with_a_wildcard(client: PacsClient, liver: Liver) -> None:
    hits = client.find_studies(StudyQuery(patient_name="Pat*01"))
    assert [h.study_uid for h in hits] == [liver.study_uid]
    assert client.find_studies(StudyQuery(patient_name="Nobody*")) == []


def test_find_by_date_range_and_modality(client: PacsClient, liver: Liver) -> None:
    august = StudyQuery(
        date_from=dt.date(2001, 8, 1), date_to=dt.date(2001, 8, 31), modality="CT"
    )
    assert [h.study_uid for h in client.find_studies(august)] == [liver.study_uid]
    open_end = StudyQuery(date_from=dt.date(2001, 8, 12), patient_id=liver.patient_id)
    assert len(client.find_studies(open_end)) == 1
    later = StudyQuery(date_from=dt.date(2001, 8, 13), patient_id=liver.patient_id)
    assert client.find_studies(later) == []
    mr = StudyQuery(modality="MR", patient_id=liver.patient_id)
    assert client.find_studies(mr) == []


def test_find_series(client: PacsClient, liver: Liver) -> None:
    (series,) = client.find_series(liver.study_uid)
    assert series.series_uid == liver.series_uid
    assert (series.modality, series.number) == ("CT", 6)
    assert series.description == "Recon 3: LIVER 2 PHASE (C/A/P)"
    assert series.instance_count == 89
    assert client.find_series("1.2.3.4.5.6.7") == []
