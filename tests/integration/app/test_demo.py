"""The demo: real DICOM phantom plus a measured read that tells the mRECIST story."""

from __future__ import annotations

from pathlib import Path

from respond.criteria import Criterion, Response, assess
from respond.demo import DEMO_PATIENT_NAME, prepare_demo
from respond.dicom import scan
from respond.store import open_store


def test_demo_read_shows_necrosis_without_shrinkage_then_a_new_nodule(
    tmp_path: Path,
) -> None:
    setup = prepare_demo(tmp_path)
    with open_store(setup.database) as store:
        read = store.load(setup.patient_id)
    assert "SYNTHETIC" in (read.patient.name or "")
    assessment = assess(read.to_case())
    _, fu1, fu2 = assessment.timepoints
    assert fu1.results[Criterion.RECIST11].target is Response.SD
    assert fu1.results[Criterion.MRECIST].target is Response.PR
    assert fu2.results[Criterion.RECIST11].overall is Response.PD
    assert fu2.results[Criterion.RECIST11].new_lesions
    # calipers point at real images of the arterial series of each study
    result = scan(setup.dicom_root)
    sops = {f.sop_instance_uid for s in result.series for f in s.frames}
    for record in read.timepoints:
        for calipers in record.calipers.values():
            for caliper in calipers:
                assert caliper.sop_instance_uid in sops
                assert caliper.series_uid == record.series_uid
    assert all(
        "SYNTHETIC" in study.description for p in result.patients for study in p.studies
    )


def test_demo_is_prepared_once_and_again_when_fresh(tmp_path: Path) -> None:
    first = prepare_demo(tmp_path)
    with open_store(first.database) as store:
        audit_before = len(store.audit())
    prepare_demo(tmp_path)
    with open_store(first.database) as store:
        assert len(store.audit()) == audit_before
        assert store.load(first.patient_id).patient.name == DEMO_PATIENT_NAME
    prepare_demo(tmp_path, fresh=True)
    with open_store(first.database) as store:
        assert len(store.list_patients()) == 1


def test_a_prepared_demo_starts_without_rewriting_the_phantom(tmp_path: Path) -> None:
    first = prepare_demo(tmp_path)
    files = sorted(first.dicom_root.rglob("*.dcm"))
    stamps = [f.stat().st_mtime_ns for f in files]
    again = prepare_demo(tmp_path)
    assert again.timepoints == ()
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert not any(p.name.startswith(".") for p in first.dicom_root.rglob("*"))


def test_a_demo_database_with_a_foreign_study_is_rebuilt(tmp_path: Path) -> None:
    import dataclasses
    import datetime as dt

    first = prepare_demo(tmp_path)
    with open_store(first.database) as store:
        read = store.load(first.patient_id)
        extra = dataclasses.replace(
            read.timepoints[0],
            uid="foreign",
            timepoint=dataclasses.replace(
                read.timepoints[0].timepoint, label="FU3", date=dt.date(2001, 8, 12)
            ),
            calipers={},
            study_uid="1.2.3.4",
        )
        store.put_timepoint(
            first.patient_id,
            dataclasses.replace(
                extra,
                timepoint=dataclasses.replace(
                    extra.timepoint, targets={}, non_targets={}
                ),
            ),
            who="old respond",
        )
        assert len(store.load(first.patient_id).timepoints) == 4
    again = prepare_demo(tmp_path)
    with open_store(again.database) as store:
        labels = [tp.label for tp in store.load(again.patient_id).timepoints]
    assert labels == ["BL", "FU1", "FU2"]
