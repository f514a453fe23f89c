"""The patient's sex in a case file: optional F, M or O, read and written back."""

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
from respond.criteria import CriteriaError, Patient


def _with_sex(sex: object) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    doc["patient"]["sex"] = sex
    return doc


@pytest.mark.parametrize("sex", ["F", "M", "O"])
def test_a_known_sex_is_read_and_written_back(sex: str) -> None:
    case = load_case(_with_sex(sex))
    assert case.patient.sex == sex
    written = case_document(case)
    assert written["patient"] == {**EXAMPLE["patient"], "sex": sex}
    text = json.dumps(written)
    assert load_case(parse_case_text(text)) == case


def test_an_unknown_sex_is_left_out() -> None:
    case = load_case(copy.deepcopy(EXAMPLE))
    assert case.patient.sex is None
    assert "sex" not in case_document(case)["patient"]  # type: ignore[operator]


@pytest.mark.parametrize("sex", ["X", "f", "", "female", 1, None])
def test_a_sex_outside_the_vocabulary_is_refused(sex: object) -> None:
    with pytest.raises(CaseFormatError) as caught:
        validate_case(_with_sex(sex))
    (problem,) = caught.value.problems
    assert problem.path == "patient.sex"
    assert "F, M, O" in problem.text, problem.text


def test_the_example_parsed_with_decimals_keeps_the_sex() -> None:
    doc = json.loads(json.dumps(_with_sex("O")), parse_float=Decimal)
    assert load_case(doc).patient.sex == "O"


@pytest.mark.parametrize("sex", ["X", "", "female"])
def test_the_domain_refuses_another_sex(sex: str) -> None:
    with pytest.raises(CriteriaError, match="sex must be F, M or O"):
        Patient("P1", sex=sex)
