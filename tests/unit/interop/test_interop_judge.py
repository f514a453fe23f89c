"""Judging the page's record against the SR's calipers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from interop.dicomweb import multipart_body, parse_answer
from interop.expected import Caliper
from interop.judge import judge_study, points_error
from interop.report import table

IMAGE = "1.2.3.4.5"


def _caliper(
    concept: str = "Long axis",
    length: float = 40.0,
    start: float = -90.0,
    index: int = 0,
    label: str = "T1 Long axis",
) -> Caliper:
    return Caliper(
        label=label,
        tracking_identifier="T1",
        tracking_uid="2.25.1",
        concept=concept,
        length_mm=length,
        sop_instance_uid=IMAGE,
        frame=None,
        points=((0.0, 0.0), (length, 0.0)),
        points_mm=((start, -15.0, 0.0), (-50.0, -15.0, 0.0)),
        group=0,
        index_in_group=index,
    )


def _measurement(
    uid: str, label: str | None, start: float, length: float
) -> dict[str, Any]:
    return {
        "uid": uid,
        "label": label,
        "toolName": "Length",
        "sopInstanceUid": IMAGE,
        "frame": 1,
        "points": [[start, -15.0, 0.0], [-50.0, -15.0, 0.0]],
        "length": length,
    }


def _shown(uid: str) -> dict[str, Any]:
    return {"displayedSop": IMAGE, "line": True, "offsetPx": 0.0, "method": "panel"}


def _hydrated(*measurements: dict[str, Any]) -> dict[str, Any]:
    return {
        "srDisplaySet": {"found": True, "rehydratable": True, "hydrated": True},
        "measurements": list(measurements),
        "rendered": {m["uid"]: _shown(m["uid"]) for m in measurements},
        "srAnnotations": [],
    }


def test_every_caliper_drawn_passes() -> None:
    calipers = [_caliper(), _caliper("Viable", 36.0, -86.0, 1, "T1 Viable")]
    observed = _hydrated(
        _measurement("b", "T1 Viable", -86.0, 36.0),
        _measurement("a", "T1 Long axis", -90.0, 40.0),
    )

    verdict = judge_study("BL", "bl.dcm", calipers, observed)

    assert verdict.ok
    assert verdict.drawn == 2
    assert "ok" in table([verdict])


def test_same_line_two_labels_match_by_label() -> None:
    calipers = [
        _caliper(label="T2 Long axis"),
        _caliper("Viable", 40.0, label="T2 Viable"),
    ]
    observed = _hydrated(
        _measurement("v", "T2 Viable", -90.0, 40.0),
        _measurement("l", "T2 Long axis", -90.0, 40.0),
    )

    assert judge_study("BL", "bl.dcm", calipers, observed).ok


def test_an_sr_ohif_cannot_hydrate_fails_and_says_why() -> None:
    observed = {
        "srDisplaySet": {"found": True, "rehydratable": False, "hydrated": False},
        "measurements": [],
        "srAnnotations": [
            {
                "sopInstanceUid": IMAGE,
                "polylines": [[[-90.0, -15.0, 0.0], [-50.0, -15.0, 0.0]]],
            }
        ],
        "consoleMarkers": ["No measurements found which were rehydratable"],
    }

    verdict = judge_study("BL", "bl.dcm", [_caliper()], observed)

    assert not verdict.ok
    assert verdict.drawn == 0
    assert verdict.read_only == 1
    assert any("did not hydrate" in p for p in verdict.problems)
    assert any("rehydratable" in p for p in verdict.problems)
    assert "read-only" in " ".join(verdict.calipers[0].reasons)


def test_a_second_num_of_a_group_is_named_as_the_cause() -> None:
    calipers = [_caliper(), _caliper("Viable", 36.0, -86.0, 1, "T1 Viable")]
    observed = _hydrated(_measurement("a", "T1 Long axis", -90.0, 40.0))

    verdict = judge_study("BL", "bl.dcm", calipers, observed)

    assert verdict.drawn == 1
    assert any("first NUM" in r for r in verdict.calipers[1].reasons)


def test_wrong_label_length_place_or_rendering_each_fail() -> None:
    cases = [
        (_measurement("a", None, -90.0, 40.0), "labels it None"),
        (_measurement("a", "T1 Long axis", -90.0, 40.3), "length 40.30"),
        (_measurement("a", "T1 Long axis", -89.5, 40.0), "end points are 0.50 mm away"),
    ]
    for measurement, expected in cases:
        verdict = judge_study("BL", "bl.dcm", [_caliper()], _hydrated(measurement))
        assert not verdict.ok
        assert any(expected in r for r in verdict.calipers[0].reasons), expected

    observed = _hydrated(_measurement("a", "T1 Long axis", -90.0, 40.0))
    observed["rendered"]["a"] = {"displayedSop": "9.9", "line": False, "offsetPx": None}
    reasons = judge_study("BL", "bl.dcm", [_caliper()], observed).calipers[0].reasons
    assert any("viewport showed image 9.9" in r for r in reasons)
    assert any("no line" in r for r in reasons)


def test_a_measurement_the_sr_does_not_have_fails() -> None:
    observed = _hydrated(
        _measurement("a", "T1 Long axis", -90.0, 40.0),
        _measurement("x", "extra", -10.0, 40.0),
    )

    verdict = judge_study("BL", "bl.dcm", [_caliper()], observed)

    assert not verdict.ok
    assert any("does not have" in p for p in verdict.problems)


def test_an_sr_without_calipers_or_a_page_error_fails() -> None:
    assert not judge_study("BL", "bl.dcm", [], _hydrated()).ok
    observed = _hydrated(_measurement("a", "T1 Long axis", -90.0, 40.0))
    observed["uiErrors"] = ['page says "Something went wrong"']
    assert not judge_study("BL", "bl.dcm", [_caliper()], observed).ok


def test_points_error_takes_the_better_order() -> None:
    a, b = (0.0, 0.0, 0.0), (10.0, 0.0, 0.0)

    assert points_error([a, b], [b, a]) == 0.0
    assert points_error([a, b], [a]) == float("inf")


def test_stow_body_and_answer() -> None:
    body = multipart_body([b"DICM1", b"DICM2"], "XyZ")

    assert body.count(b"--XyZ\r\nContent-Type: application/dicom\r\n\r\n") == 2
    assert body.endswith(b"--XyZ--\r\n")
    answer = {
        "00081199": {"vr": "SQ", "Value": [{}, {}]},
        "00081198": {
            "vr": "SQ",
            "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.3"]}}],
        },
    }
    result = parse_answer(json.dumps(answer).encode())
    assert (result.stored, result.failed) == (2, ("1.2.3",))
    assert parse_answer(b"").stored == 0


def test_the_lock_file_holds_no_local_path() -> None:
    lock = Path(__file__).resolve().parents[3] / "interop" / "package-lock.json"
    text = lock.read_text()

    assert "file:" not in text
    assert str(Path.home()) not in text
    assert '"/' not in text  # no JSON string is an absolute path
    assert "/tmp/" not in text
