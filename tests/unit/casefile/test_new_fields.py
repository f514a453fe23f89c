"""The case fields added for the recommendation rules, read and written back.

A non-target's ``short_axis_mm`` (RULES A10), ``dose_form`` at level -2 (RULES 4.4)
and the setting ``confirmation_max_ne_between`` (A12).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from tests.unit.casefile.test_validate import EXAMPLE

from respond.casefile import (
    CaseFormatError,
    case_document,
    load_case,
    parse_case_text,
    validate_case,
)
from respond.criteria import DoseForm


def _with_new_fields() -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    doc["settings"] = {"confirmation_max_ne_between": 2}
    follow_up = doc["timepoints"][1]
    lesion = next(iter(follow_up["non_targets"]))
    follow_up["non_targets"][lesion] = {"status": "present", "short_axis_mm": 21.5}
    follow_up.setdefault("clinical", {}).update(
        {"dose_level": -2, "dose_form": "200mg_once_daily"}
    )
    return doc


def test_the_new_fields_are_read_and_written_back() -> None:
    case = load_case(_with_new_fields())
    follow_up = case.timepoints[1]
    observation = next(iter(follow_up.non_targets.values()))
    assert observation.short_axis_mm == Decimal("21.5")
    assert follow_up.clinical.dose_form is DoseForm.ONCE_DAILY_200
    assert case.settings.confirmation_max_ne_between == 2
    text = json.dumps(case_document(case), default=str)
    assert load_case(parse_case_text(text)) == case


def test_old_files_without_them_take_the_defaults() -> None:
    case = load_case(copy.deepcopy(EXAMPLE))
    assert case.settings.confirmation_max_ne_between == 1
    assert all(tp.clinical.dose_form is None for tp in case.timepoints)


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        ("settings", -1, "settings.confirmation_max_ne_between"),
        ("form", "100mg_weekly", "timepoints[1].clinical.dose_form"),
        ("axis", -3, None),
    ],
)
def test_bad_values_are_refused_with_their_path(
    where: str, value: object, path: str | None
) -> None:
    doc = _with_new_fields()
    if where == "settings":
        doc["settings"]["confirmation_max_ne_between"] = value
    elif where == "form":
        doc["timepoints"][1]["clinical"]["dose_form"] = value
    else:
        follow_up = doc["timepoints"][1]
        lesion = next(iter(follow_up["non_targets"]))
        follow_up["non_targets"][lesion]["short_axis_mm"] = value
    with pytest.raises(CaseFormatError) as caught:
        validate_case(doc)
    if path is not None:
        assert any(p.path == path for p in caught.value.problems), caught.value
