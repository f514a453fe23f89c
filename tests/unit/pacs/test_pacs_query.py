"""Query keys and hits: the same for QIDO-RS JSON and C-FIND identifiers."""

from __future__ import annotations

import datetime as dt

import pytest
from pydicom import Dataset

from respond.pacs import PacsError, SeriesHit, StudyHit, StudyQuery
from respond.pacs import _query as q

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "value"),
    [
        (None, None, ""),
        (D(2024, 1, 2), None, "20240102-"),
        (None, D(2024, 3, 4), "-20240304"),
        (D(2024, 1, 2), D(2024, 3, 4), "20240102-20240304"),
        (D(2024, 1, 2), D(2024, 1, 2), "20240102"),
    ],
)
def test_date_range(start: dt.date | None, end: dt.date | None, value: str) -> None:
    assert q.date_range(start, end) == value


def test_filters_leave_out_empty_keys() -> None:
    query = StudyQuery(patient_name="DOE^J*", modality="ct", date_from=D(2024, 1, 1))
    assert q.study_filters(query) == {
        "PatientName": "DOE^J*",
        "StudyDate": "20240101-",
        "ModalitiesInStudy": "CT",
    }
    assert q.study_filters(StudyQuery()) == {}


def test_a_backwards_range_or_a_backslash_is_refused() -> None:
    with pytest.raises(PacsError, match="ends before it starts"):
        q.study_filters(StudyQuery(date_from=D(2024, 2, 1), date_to=D(2024, 1, 1)))
    with pytest.raises(PacsError, match="PatientID to search for holds a backslash"):
        q.study_filters(StudyQuery(patient_id="A\\B"))


QIDO_STUDY = {
    "0020000D": {"vr": "UI", "Value": ["1.2.3"]},
    "00100020": {"vr": "LO", "Value": ["MRN-1"]},
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]},
    "00100030": {"vr": "DA", "Value": ["19510314"]},
    "00100040": {"vr": "CS", "Value": ["F"]},
    "00080020": {"vr": "DA", "Value": ["20240108"]},
    "00080030": {"vr": "TM", "Value": ["091025"]},
    "00081030": {"vr": "LO", "Value": ["CT LIVER"]},
    "00080050": {"vr": "SH"},
    "00080061": {"vr": "CS", "Value": ["CT", "SR"]},
    "00201206": {"vr": "IS", "Value": [3]},
    "00201208": {"vr": "IS", "Value": [250]},
    "7FE00010": {"vr": "OB"},
    "garbage": {},
}


def test_study_hit_from_qido_json() -> None:
    hit = q.study_hit(q.values_from_json(QIDO_STUDY))
    assert hit == StudyHit(
        study_uid="1.2.3",
        patient_id="MRN-1",
        patient_name="DOE^JANE",
        birth_date=D(1951, 3, 14),
        sex="F",
        study_date=D(2024, 1, 8),
        study_time="091025",
        description="CT LIVER",
        accession="",
        modalities=("CT", "SR"),
        series_count=3,
        instance_count=250,
    )


def test_study_hit_from_a_c_find_identifier() -> None:
    ds = Dataset()
    ds.StudyInstanceUID = "1.2.3"
    ds.PatientName = "DOE^JANE"
    ds.StudyDate = ""
    ds.ModalitiesInStudy = ["CT", "MR"]
    ds.NumberOfStudyRelatedInstances = "12"
    ds.NumberOfStudyRelatedSeries = ""
    hit = q.study_hit(q.values_from_dataset(ds, q.STUDY_FIELDS))
    assert (hit.study_uid, hit.patient_name, hit.study_date) == (
        "1.2.3",
        "DOE^JANE",
        None,
    )
    assert (hit.modalities, hit.instance_count, hit.series_count) == (
        ("CT", "MR"),
        12,
        None,
    )


def test_series_hit_and_sorting() -> None:
    ds = Dataset()
    ds.SeriesInstanceUID = "1.9"
    ds.Modality = "CT"
    ds.SeriesNumber = "6"
    ds.NumberOfSeriesRelatedInstances = "89"
    hit = q.series_hit(q.values_from_dataset(ds, q.SERIES_FIELDS))
    assert hit == SeriesHit("1.9", "CT", 6, "", 89)
    later = SeriesHit("1.8", number=7)
    unnumbered = SeriesHit("1.7")
    assert q.sort_series([unnumbered, later, hit, SeriesHit("")]) == [
        hit,
        later,
        unnumbered,
    ]


def test_studies_newest_first() -> None:
    old = StudyHit("1", study_date=D(2020, 1, 1))
    new = StudyHit("2", study_date=D(2024, 1, 1))
    undated = StudyHit("3")
    assert q.sort_studies([old, undated, new]) == [new, old, undated]


def test_tag_hex() -> None:
    assert q.tag_hex("PatientID") == "00100020"
