"""``respond measure``: the demo's DICOM phantom, and the shared liver CT."""

from __future__ import annotations

import io
import json

import pytest
from tests.conftest import SHARED

from respond.cli import run
from respond.dicom import write_phantom

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's three studies written as DICOM; its baseline and first follow-up."""
    root = tmp_path_factory.mktemp("demo")
    return write_phantom(root, slices=40)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _at(point) -> str:
    return "--at=" + ",".join(f"{v:g}" for v in point)


def test_arterial_series_gives_long_axis_and_viable_diameter(demo):
    follow_up = demo[1]
    t1 = follow_up.lesion("T1")
    code, out, err = _run(
        "measure",
        str(follow_up.study_folder),
        "--series",
        follow_up.arterial_series_uid,
        _at(t1.centre_mm),
        "--json",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["long_axis_mm"] == pytest.approx(t1.diameter_mm, abs=1.0)
    assert doc["viable_mm"] == pytest.approx(t1.viable_diameter_mm, abs=1.0)
    assert 0.0 < doc["enhancing_fraction"] < 0.3
    assert doc["series_uid"] == follow_up.arterial_series_uid
    for name in ("long_axis", "short_axis", "viable"):
        line = doc[name]
        assert len(line["start_mm"]) == len(line["end_mm"]) == 3
        assert line["length_mm"] == doc[f"{name}_mm"]
    assert doc["long_axis"]["start_mm"][2] == pytest.approx(t1.centre_mm[2], abs=2.5)


def test_portal_series_with_the_arterial_one(demo):
    baseline = demo[0]
    t2 = baseline.lesion("T2")
    code, out, _ = _run(
        "measure",
        str(baseline.study_folder),
        "--series",
        baseline.portal_series_uid,
        "--arterial-series",
        baseline.arterial_series_uid,
        _at(t2.centre_mm),
    )
    assert code == 0
    assert "long axis" in out
    assert "viable" in out
    assert "no arterial phase" not in out


def test_portal_series_alone_has_no_viable_figure(demo):
    baseline = demo[0]
    t2 = baseline.lesion("T2")
    code, out, _ = _run(
        "measure",
        str(baseline.study_folder),
        "--series",
        baseline.portal_series_uid,
        _at(t2.centre_mm),
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["viable_mm"] is None
    assert doc["viable"] is None
    assert doc["enhancing_fraction"] is None
    # washout in the portal phase: 15 HU under the liver, with 8 HU of noise
    assert doc["long_axis_mm"] == pytest.approx(t2.diameter_mm, abs=2.5)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"folder": "/nonexistent/respond-measure"}, "/nonexistent/respond-measure"),
        ({"series": "1.2.3.4"}, "has no series 1.2.3.4"),
        ({"at": "--at=0,0,900"}, "outside the volume"),
        ({"at": "--at=1,2"}, "is not a point"),
        (
            {"at": "--at=0,-110,0"},
            "no lesion found at (0.0, -110.0, 0.0): the click is on air",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(demo, change, words):
    baseline = demo[0]
    argv = {
        "folder": str(baseline.study_folder),
        "series": baseline.arterial_series_uid,
        "at": _at(baseline.lesion("T1").centre_mm),
    } | change
    code, out, err = _run(
        "measure", argv["folder"], "--series", argv["series"], argv["at"]
    )
    assert code == 2
    assert out == ""
    assert words in err
    assert err.startswith("respond: ")
    assert err.count("\n") == 1


def test_the_shared_liver_ct(tmp_path):
    if not LIVER.is_dir():
        pytest.skip(f"the shared liver CT is not here ({LIVER.name} under SHARED)")
    from respond.dicom import scan

    uid = scan(LIVER).series[0].series_uid
    code, out, err = _run(
        "measure", str(LIVER), "--series", uid, "--at=-81.6,23.9,-331"
    )
    assert (code, err) == (0, "")
    assert "long axis" in out
    assert "no arterial phase" in out


def test_help_lists_measure(capsys):
    with pytest.raises(SystemExit) as done:
        run(["--help"])
    assert done.value.code == 0
    assert "measure" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        run(["measure", "--help"])
    assert done.value.code == 0
    assert "--arterial-series" in capsys.readouterr().out
