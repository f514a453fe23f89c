"""Choices the engine makes where the published rules are silent (docs/engine.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from respond.casefile import CaseFormatError, assess_case_document, load_case
from respond.criteria import (
    Criterion,
    InvalidMeasurementError,
    InvalidSettingsError,
    Settings,
    TargetMeasurement,
)


def _doc(criteria: list[str] | None = None, **settings: object) -> dict:
    if criteria is not None:
        settings["criteria"] = criteria
    return {
        "format": "respond-case/1",
        "patient": {"id": "P"},
        "settings": settings,
        "lesions": [{"id": "T1", "role": "target", "organ": "lung"}],
        "timepoints": [
            {"date": "2026-01-05", "targets": {"T1": {"long_axis_mm": 30}}},
            {"date": "2026-03-02", "targets": {"T1": {"long_axis_mm": 20}}},
        ],
    }


def test_recist_only_case_takes_recist_as_primary() -> None:
    out = assess_case_document(_doc(["RECIST1.1"]))
    assert set(out["best_overall"]) == {"RECIST1.1"}
    assert "RECIST1.1 PR" in out["recommendation"]["rules"][-1]["text"]
    assert load_case(_doc(["RECIST1.1"])).settings.primary_criterion is (
        Criterion.RECIST11
    )


def test_primary_criterion_outside_the_computed_ones_is_refused() -> None:
    with pytest.raises(CaseFormatError, match="primary_criterion"):
        assess_case_document(_doc(["RECIST1.1"], primary_criterion="mRECIST"))
    with pytest.raises(InvalidSettingsError):
        Settings(criteria=(Criterion.RECIST11,), primary_criterion=Criterion.MRECIST)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"long_axis_mm": Decimal(-1)}, "must be a finite length"),
        ({"long_axis_mm": Decimal("NaN")}, "must be a finite length"),
        (
            {"long_axis_mm": Decimal(10), "short_axis_mm": Decimal(12)},
            "longer than the long axis",
        ),
        ({"fragments_mm": (Decimal(3), Decimal(-2))}, "fragments_mm"),
    ],
)
def test_impossible_measurements_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidMeasurementError, match=message):
        TargetMeasurement(lesion_id="T1", **kwargs)  # type: ignore[arg-type]


def test_values_are_compared_as_written_not_as_binary_floats() -> None:
    # 14.0 -> 9.8 is exactly -30 % (PR); in binary floating point
    # 9.8 <= 0.7 * 14.0 is false, so a naive check says SD.
    doc = _doc(["RECIST1.1"])
    doc["timepoints"][0]["targets"]["T1"]["long_axis_mm"] = Decimal("14.0")
    doc["timepoints"][1]["targets"]["T1"]["long_axis_mm"] = Decimal("9.8")
    out = assess_case_document(doc)
    assert out["timepoints"][1]["RECIST1.1"]["target"] == "PR"
    assert out["timepoints"][1]["RECIST1.1"]["change_from_baseline_pct"] == -30.0
