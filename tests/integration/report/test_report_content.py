"""Key images and plot data, against the engine's assessment (CSV: test_sdtm_csv)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.integration.report.conftest import LIVER

from respond.criteria.record import Caliper, CaliperKind, PatientRead
from respond.report.document import build_report, image_attributions
from respond.report.images import ImageIndex
from respond.report.plotdata import change_curves, waterfall


def test_key_image_for_every_target_at_every_time_point(
    demo_read: PatientRead, demo_images: ImageIndex
) -> None:
    report = build_report(demo_read, images=demo_images)
    targets = [les.id for les in demo_read.lesions if les.role.value == "target"]
    assert [(k.lesion_id, k.timepoint_label) for k in report.key_images] == [
        (lesion, tp.label) for lesion in targets for tp in demo_read.timepoints
    ]
    for key in report.key_images:
        assert key.pixels is not None, key.missing
        assert key.lines
        rows, cols = key.pixels.shape
        for line in key.lines:
            for col, row in (line.start, line.end):
                assert 0 <= col <= cols - 1
                assert 0 <= row <= rows - 1
        # the caliper crosses the lesion: the phantom tumour is brighter than liver
        long_axis = next(li for li in key.lines if li.kind is CaliperKind.LONG_AXIS)
        mid_col = round((long_axis.start[0] + long_axis.end[0]) / 2)
        mid_row = round((long_axis.start[1] + long_axis.end[1]) / 2)
        centre = float(key.pixels[mid_row, mid_col])
        corner = float(np.median(key.pixels[:5, :5]))
        assert centre != corner


def test_key_image_values_are_the_recorded_lengths(
    demo_read: PatientRead, demo_images: ImageIndex
) -> None:
    report = build_report(demo_read, images=demo_images)
    first = report.key_images[0]
    tp = demo_read.timepoints[0]
    target = tp.target(demo_read.lesions[0].id)
    assert target is not None
    assert f"LD {target.long_axis_mm} mm" in first.values_text
    labels = {line.label for line in first.lines}
    assert f"LD {target.long_axis_mm} mm" in labels


def test_missing_images_are_said_not_hidden(demo_read: PatientRead) -> None:
    report = build_report(demo_read)
    assert report.key_images
    assert all(k.pixels is None for k in report.key_images)
    assert all("pass --images" in k.missing for k in report.key_images)


def test_spider_and_waterfall_follow_the_viable_sum(demo_read: PatientRead) -> None:
    curves = {c.label: c for c in change_curves(demo_read, "mRECIST")}
    report = build_report(demo_read)
    fu1 = report.assessment["timepoints"][1]["mRECIST"]  # type: ignore[index]
    assert curves["sum"].points[1][1] == fu1["change_from_baseline_pct"]
    assert curves["sum"].is_sum
    bars = dict(waterfall(demo_read, "mRECIST"))
    assert bars["sum"] == min(p for d, p in curves["sum"].points if d > 0)
    assert list(bars.values()) == sorted(bars.values(), reverse=True)


def test_attribution_found_in_tcia_images(demo_read: PatientRead) -> None:
    if not LIVER.is_dir():
        pytest.skip("../shared/data/dicom is absent")
    index = ImageIndex.from_folders([LIVER])
    ref = next(iter(index._images.values()))
    assert "HCC-TACE-Seg" in image_attributions([str(ref.frame.path)])[0]
    # a caliper drawn on that image brings the attribution into the report
    position = ref.frame.position
    assert position is not None
    end = (position[0] + 30.0, position[1], position[2])
    tp = demo_read.timepoints[0]
    lesion = demo_read.lesions[0].id
    caliper = Caliper(
        CaliperKind.LONG_AXIS, position, end, ref.series_uid, ref.sop_instance_uid
    )
    moved = replace(tp, calipers={**tp.calipers, lesion: (caliper,)})
    read = replace(demo_read, timepoints=(moved, *demo_read.timepoints[1:]))
    report = build_report(read, images=index)
    assert any("doi:10.7937/TCIA.5FNA-0924" in text for text in report.attributions)
    assert image_attributions([]) == ()


def test_each_image_is_read_once(
    demo_read: PatientRead, demo_images: ImageIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom.frame as frame_module

    reads: list[str] = []
    real = frame_module.read_frame

    def counting(frame):  # type: ignore[no-untyped-def]
        reads.append(frame.sop_instance_uid)
        return real(frame)

    monkeypatch.setattr(frame_module, "read_frame", counting)
    # both targets drawn on one image: it is read once for the two key images
    tp = demo_read.timepoints[0]
    t1, t2 = (les.id for les in demo_read.lesions[:2])
    shared = tp.calipers[t1][0]
    moved = replace(
        tp,
        calipers={
            **tp.calipers,
            t2: tuple(
                replace(
                    c,
                    sop_instance_uid=shared.sop_instance_uid,
                    start_mm=(c.start_mm[0], c.start_mm[1], shared.start_mm[2]),
                    end_mm=(c.end_mm[0], c.end_mm[1], shared.start_mm[2]),
                )
                for c in tp.calipers[t2]
            ),
        },
    )
    read = replace(demo_read, timepoints=(moved, *demo_read.timepoints[1:]))
    report = build_report(read, images=demo_images)
    assert all(k.pixels is not None for k in report.key_images)
    assert len(reads) == len(set(reads))
    assert reads.count(shared.sop_instance_uid) == 1


def test_index_for_read_scans_folders_only_while_images_are_missing(
    demo_read: PatientRead,
    demo_images: ImageIndex,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import respond.report.images as images_module
    from respond.dicom import scan

    root = demo_images.folders[0]
    scanned = scan(root)
    calls: list[object] = []
    real = images_module._scan

    def counting(folder):  # type: ignore[no-untyped-def]
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(images_module, "_scan", counting)
    # everything is in the scan the window made already: no folder is scanned
    index = ImageIndex.for_read(demo_read, [scanned], [tmp_path / "gone", root])
    assert calls == []
    first = demo_read.timepoints[0].calipers[demo_read.lesions[0].id][0]
    assert index.find(first.sop_instance_uid, first.frame) is not None
    # nothing scanned yet: a missing folder is passed over, the next one scanned
    index = ImageIndex.for_read(demo_read, [], [tmp_path / "gone", root, root])
    assert calls == [root]
    assert index.find(first.sop_instance_uid, first.frame) is not None


def test_plots_use_the_engines_sum_and_skip_a_criterion_without_baseline(
    demo_read: PatientRead,
) -> None:
    baseline = demo_read.timepoints[0]
    no_arterial = replace(
        baseline, timepoint=replace(baseline.timepoint, arterial_phase=False)
    )
    read = replace(demo_read, timepoints=(no_arterial, *demo_read.timepoints[1:]))
    report = build_report(read)
    mrecist_baseline = report.assessment["timepoints"][0]["mRECIST"]  # type: ignore[index]
    assert mrecist_baseline["sum_mm"] is None
    curves = {c.label: c for c in change_curves(read, "mRECIST", report.assessment)}
    assert curves["sum"].points == ()  # no mRECIST sum to follow: no line
    recist = {c.label: c for c in change_curves(read, "RECIST1.1")}
    doc_changes = [
        tp["RECIST1.1"]["change_from_baseline_pct"] or 0.0
        for tp in report.assessment["timepoints"]  # type: ignore[attr-defined]
    ]
    assert [p for _, p in recist["sum"].points] == doc_changes
