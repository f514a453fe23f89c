"""Tests for the respond-case/1 validator and its error messages."""

from __future__ import annotations

import copy
import json
import pickle
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from respond import casefile
from respond.assets import read_text, resource_file
from respond.casefile import (
    CaseFileError,
    CaseFormatError,
    CaseReadError,
    Problem,
    validate_case,
)
from respond.errors import RespondError

# The input example of case-format.md, with real values for its placeholders.
EXAMPLE: dict[str, Any] = {
    "format": "respond-case/1",
    "patient": {"id": "HCC-0001", "name": "Test Patient", "birth_date": "1950-04-01"},
    "reader": "Dr Reader",
    "settings": {
        "criteria": ["RECIST1.1", "mRECIST"],
        "primary_criterion": "mRECIST",
        "confirmation_required": False,
        "confirmation_min_days": 28,
        "sd_min_days": 42,
        "continuing_pr": True,
        "mrecist_pd_min_increase_mm": 0,
    },
    "lesions": [
        {
            "id": "T1",
            "role": "target",
            "organ": "liver",
            "is_node": False,
            "kind": "hcc",
            "typical_hcc": True,
            "site": "segment VIII",
        },
        {
            "id": "T2",
            "role": "target",
            "organ": "lymph node",
            "is_node": True,
            "site": "para-aortic",
        },
        {
            "id": "N1",
            "role": "non_target",
            "organ": "portal vein",
            "kind": "portal_vein_thrombus",
        },
        {"id": "N2", "role": "non_target", "organ": "peritoneum", "kind": "ascites"},
    ],
    "timepoints": [
        {
            "label": "BL",
            "date": "2026-01-05",
            "arterial_phase": True,
            "slice_thickness_mm": 2.5,
            "targets": {
                "T1": {"long_axis_mm": 52.0, "viable_mm": 45.0},
                "T2": {"short_axis_mm": 18.0, "long_axis_mm": 24.0},
            },
            "non_targets": {"N1": "present", "N2": "present"},
            "new_lesions": [],
            "clinical": {
                "fhsi8": 27,
                "ecog": 1,
                "child_pugh": "A6",
                "dose_level": 0,
                "adverse_events": [],
                "second_line": {"available": True, "eligible": True},
            },
        },
        {
            "label": "FU1",
            "date": "2026-03-02",
            "arterial_phase": True,
            "targets": {
                "T1": {"long_axis_mm": 50.0, "viable_mm": 20.0},
                "T2": {"status": "too_small"},
            },
            "non_targets": {"N1": "present", "N2": "absent"},
            "new_lesions": [
                {
                    "id": "X1",
                    "organ": "liver",
                    "is_node": False,
                    "long_axis_mm": 14.0,
                    "equivocal": False,
                    "typical_hcc": True,
                }
            ],
            "clinical": {
                "fhsi8": 22,
                "ecog": 1,
                "child_pugh": "A6",
                "dose_level": 0,
                "adverse_events": [
                    {
                        "term": "hand_foot_skin_reaction",
                        "grade": 2,
                        "occurrence": 1,
                        "days_without_improvement": 8,
                    }
                ],
                "second_line": {"available": False, "eligible": False},
            },
        },
    ],
}


@pytest.fixture
def case() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def problems_of(doc: object) -> list[Problem]:
    with pytest.raises(CaseFormatError) as caught:
        validate_case(doc)
    return list(caught.value.problems)


def only_problem(doc: object) -> Problem:
    problems = problems_of(doc)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(doc: object, path: str, phrase: str) -> None:
    problem = only_problem(doc)
    assert problem.path == path
    assert phrase in problem.text, problem.text


def follow_up(case: dict[str, Any]) -> dict[str, Any]:
    timepoint: dict[str, Any] = case["timepoints"][1]
    return timepoint


# --- valid documents -----------------------------------------------------------


def test_example_case_is_valid(case: dict[str, Any]) -> None:
    validate_case(case)


def test_example_case_parsed_with_decimals_is_valid() -> None:
    doc = json.loads(json.dumps(EXAMPLE), parse_float=Decimal)
    assert isinstance(doc["timepoints"][0]["slice_thickness_mm"], Decimal)
    validate_case(doc)


def test_every_shipped_example_is_valid() -> None:
    examples = [
        item
        for item in resource_file("examples").iterdir()
        if item.name.endswith(".json")
    ]
    assert examples
    for example in examples:
        validate_case(
            json.loads(example.read_text(encoding="utf-8"), parse_float=Decimal)
        )


def test_minimal_case_is_valid() -> None:
    validate_case(
        {
            "format": "respond-case/1",
            "patient": {"id": "P1"},
            "lesions": [{"id": "N1", "role": "non_target"}],
            "timepoints": [{"date": "2026-01-05"}],
        }
    )


def test_decimal_lengths_validate(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T1"] = {"long_axis_mm": Decimal("4.95")}
    validate_case(case)


def test_integral_decimal_counts_as_integer(case: dict[str, Any]) -> None:
    case["timepoints"][0]["clinical"]["ecog"] = Decimal("1.0")
    validate_case(case)


def test_non_target_object_form_is_valid(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N2"] = {
        "status": "unequivocal_progression",
        "cytology": "positive",
        "note": "new malignant ascites",
    }
    validate_case(case)


def test_split_and_merged_targets_are_valid(case: dict[str, Any]) -> None:
    case["lesions"].append({"id": "T3", "role": "target", "kind": "hcc"})
    case["timepoints"][0]["targets"]["T3"] = {"long_axis_mm": 20}
    follow_up(case)["targets"]["T1"] = {"fragments_mm": [12.5, 8]}
    follow_up(case)["targets"]["T2"] = {"short_axis_mm": 30}
    follow_up(case)["targets"]["T3"] = {"merged_into": "T2"}
    validate_case(case)


# --- unknown keys --------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "path", "allowed"),
    [
        ((), "targetz", "format, patient, reader, settings, lesions, timepoints"),
        (("patient",), "patient.targetz", "id, name, birth_date"),
        (("settings",), "settings.targetz", "criteria, primary_criterion"),
        (("lesions", 0), "lesions[0].targetz", "id, role, organ"),
        (("timepoints", 1), "timepoints[1].targetz", "label, date, arterial_phase"),
        (
            ("timepoints", 1, "targets", "T1"),
            "timepoints[1].targets.T1.targetz",
            "status, long_axis_mm, short_axis_mm, viable_mm, fragments_mm",
        ),
        (
            ("timepoints", 1, "new_lesions", 0),
            "timepoints[1].new_lesions[0].targetz",
            "id, organ, site, kind",
        ),
        (
            ("timepoints", 1, "clinical"),
            "timepoints[1].clinical.targetz",
            "fhsi8, fhsi8_items, ecog, child_pugh",
        ),
        (
            ("timepoints", 1, "clinical", "adverse_events", 0),
            "timepoints[1].clinical.adverse_events[0].targetz",
            "term, grade, occurrence, days_without_improvement",
        ),
        (
            ("timepoints", 1, "clinical", "second_line"),
            "timepoints[1].clinical.second_line.targetz",
            "available, eligible",
        ),
    ],
)
def test_unknown_key_is_named_with_its_path(
    case: dict[str, Any], where: tuple[str | int, ...], path: str, allowed: str
) -> None:
    node: Any = case
    for part in where:
        node = node[part]
    node["targetz"] = 1
    problem = only_problem(case)
    assert problem.path == path
    assert problem.text.startswith('unknown key "targetz" (allowed: ' + allowed)


def test_unknown_key_suggests_the_close_key(case: dict[str, Any]) -> None:
    follow_up(case)["targetz"] = follow_up(case).pop("targets")
    problems = problems_of(case)
    assert problems[0].path == "timepoints[1].targetz"
    assert problems[0].text.endswith('did you mean "targets"?')


def test_unknown_key_in_non_target_object_form(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N2"] = {"status": "absent", "why": "drained"}
    assert_problem(
        case,
        "timepoints[1].non_targets.N2.why",
        'unknown key "why" (allowed: status, cytology, short_axis_mm, note)',
    )


# --- required keys -------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "key", "path"),
    [
        ((), "format", "(root)"),
        ((), "patient", "(root)"),
        ((), "lesions", "(root)"),
        ((), "timepoints", "(root)"),
        (("patient",), "id", "patient"),
        (("lesions", 1), "id", "lesions[1]"),
        (("lesions", 1), "role", "lesions[1]"),
        (("timepoints", 1), "date", "timepoints[1]"),
        (("timepoints", 1, "new_lesions", 0), "id", "timepoints[1].new_lesions[0]"),
        (
            ("timepoints", 1, "clinical", "adverse_events", 0),
            "grade",
            "timepoints[1].clinical.adverse_events[0]",
        ),
        (
            ("timepoints", 1, "clinical", "second_line"),
            "eligible",
            "timepoints[1].clinical.second_line",
        ),
    ],
)
def test_missing_required_key_is_named(
    case: dict[str, Any], where: tuple[str | int, ...], key: str, path: str
) -> None:
    node: Any = case
    for part in where:
        node = node[part]
    del node[key]
    assert_problem(case, path, f'required key "{key}" is missing')


def test_non_target_object_form_needs_status(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N2"] = {"cytology": "negative"}
    assert_problem(
        case, "timepoints[1].non_targets.N2", 'required key "status" is missing'
    )


# --- wrong types ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("12", '"12"'), (True, "true"), (None, "null"), ([12], "an array")],
)
def test_length_must_be_a_number(
    case: dict[str, Any], value: object, shown: str
) -> None:
    follow_up(case)["targets"]["T1"]["long_axis_mm"] = value
    assert_problem(
        case, "timepoints[1].targets.T1.long_axis_mm", f"must be a number, got {shown}"
    )


@pytest.mark.parametrize(
    ("where", "value", "path", "text"),
    [
        ((), [], "(root)", "must be an object, got an array"),
        (("lesions",), {}, "lesions", "must be an array, got an object"),
        (("patient", "id"), 7, "patient.id", "must be a string, got 7"),
        (
            ("timepoints", 0, "arterial_phase"),
            "yes",
            "timepoints[0].arterial_phase",
            'must be true or false, got "yes"',
        ),
        (
            ("timepoints", 0, "clinical", "ecog"),
            "1",
            "timepoints[0].clinical.ecog",
            'must be an integer from 0 to 4, got "1"',
        ),
        (
            ("timepoints", 0, "clinical", "ecog"),
            2.5,
            "timepoints[0].clinical.ecog",
            "must be an integer from 0 to 4, got 2.5",
        ),
        (
            ("settings", "sd_min_days"),
            Decimal("42.5"),
            "settings.sd_min_days",
            "must be an integer from 0 to 36500, got 42.5",
        ),
        (
            ("timepoints", 0, "targets"),
            [],
            "timepoints[0].targets",
            "must be an object, got an array",
        ),
    ],
)
def test_wrong_type_is_named(
    case: dict[str, Any],
    where: tuple[str | int, ...],
    value: object,
    path: str,
    text: str,
) -> None:
    if not where:
        assert_problem(value, path, text)
        return
    node: Any = case
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    problems = problems_of(case)
    assert problems[0].path == path
    assert problems[0].text == text


def test_non_finite_number_is_refused(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T1"]["long_axis_mm"] = float("nan")
    assert_problem(
        case, "timepoints[1].targets.T1.long_axis_mm", "must be a number, got NaN"
    )


def test_non_target_of_wrong_type_says_both_forms(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N1"] = 3
    assert_problem(
        case,
        "timepoints[1].non_targets.N1",
        "must be one of present, absent, unequivocal_progression, not_evaluated "
        "or an object with keys status, cytology, short_axis_mm, note, got 3",
    )


# --- numbers out of range ------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path", "text"),
    [
        (
            ("timepoints", 1, "targets", "T1", "long_axis_mm"),
            -4,
            "timepoints[1].targets.T1.long_axis_mm",
            "must be >= 0, got -4",
        ),
        (
            ("timepoints", 1, "targets", "T1", "viable_mm"),
            Decimal("-4.95"),
            "timepoints[1].targets.T1.viable_mm",
            "must be >= 0, got -4.95",
        ),
        (
            ("timepoints", 0, "slice_thickness_mm"),
            0,
            "timepoints[0].slice_thickness_mm",
            "must be > 0, got 0",
        ),
        (
            ("timepoints", 0, "clinical", "ecog"),
            7,
            "timepoints[0].clinical.ecog",
            "must be an integer from 0 to 4, got 7",
        ),
        (
            ("timepoints", 0, "clinical", "fhsi8"),
            33,
            "timepoints[0].clinical.fhsi8",
            "must be an integer from 0 to 32, got 33",
        ),
        (
            ("timepoints", 1, "clinical", "adverse_events", 0, "grade"),
            6,
            "timepoints[1].clinical.adverse_events[0].grade",
            "must be an integer from 1 to 5, got 6",
        ),
        (
            ("timepoints", 1, "clinical", "adverse_events", 0, "occurrence"),
            0,
            "timepoints[1].clinical.adverse_events[0].occurrence",
            "must be an integer from 1 to 100, got 0",
        ),
        (
            (
                "timepoints",
                1,
                "clinical",
                "adverse_events",
                0,
                "days_without_improvement",
            ),
            -1,
            "timepoints[1].clinical.adverse_events[0].days_without_improvement",
            "must be an integer from 0 to 36500, got -1",
        ),
        (
            ("settings", "mrecist_pd_min_increase_mm"),
            -5,
            "settings.mrecist_pd_min_increase_mm",
            "must be >= 0, got -5",
        ),
    ],
)
def test_number_out_of_range_is_named(
    case: dict[str, Any],
    where: tuple[str | int, ...],
    value: object,
    path: str,
    text: str,
) -> None:
    node: Any = case
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    assert_problem(case, path, text)


def test_fhsi8_items_need_eight_scores_from_0_to_4(case: dict[str, Any]) -> None:
    clinical = case["timepoints"][0]["clinical"]
    del clinical["fhsi8"]
    clinical["fhsi8_items"] = [4, 4, 4, 4, 4, 4, 4]
    assert_problem(
        case, "timepoints[0].clinical.fhsi8_items", "must have exactly 8 items, got 7"
    )
    clinical["fhsi8_items"] = [4, 4, 4, 4, 4, 4, 4, 5]
    assert_problem(
        case,
        "timepoints[0].clinical.fhsi8_items[7]",
        "must be an integer from 0 to 4, got 5",
    )


def test_empty_lists_are_refused(case: dict[str, Any]) -> None:
    case["lesions"] = []
    assert_problem(case, "lesions", "must not be empty")


def test_criteria_must_not_repeat(case: dict[str, Any]) -> None:
    case["settings"]["criteria"] = ["mRECIST", "mRECIST"]
    assert_problem(case, "settings.criteria", 'must not list "mRECIST" twice')


def test_empty_patient_id_is_refused(case: dict[str, Any]) -> None:
    case["patient"]["id"] = ""
    assert_problem(case, "patient.id", "must not be empty")


# --- enums, const, patterns ----------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path", "text"),
    [
        (("format",), "respond-case/2", "format", 'must be "respond-case/1"'),
        (
            ("lesions", 0, "role"),
            "nontarget",
            "lesions[0].role",
            'must be one of target, non_target, got "nontarget"',
        ),
        (
            ("lesions", 0, "kind"),
            "cyst",
            "lesions[0].kind",
            (
                "must be one of hcc, node, portal_vein_thrombus, ascites, "
                'pleural_effusion, infiltrative_hcc, other, got "cyst"'
            ),
        ),
        (
            ("timepoints", 1, "targets", "T2", "status"),
            "gone",
            "timepoints[1].targets.T2.status",
            'must be one of measured, too_small, absent, not_evaluated, got "gone"',
        ),
        (
            ("timepoints", 1, "non_targets", "N1"),
            "gone",
            "timepoints[1].non_targets.N1",
            (
                "must be one of present, absent, unequivocal_progression, "
                'not_evaluated, got "gone"'
            ),
        ),
        (
            ("timepoints", 1, "new_lesions", 0, "cytology"),
            "maybe",
            "timepoints[1].new_lesions[0].cytology",
            'must be one of positive, negative, not_done, got "maybe"',
        ),
        (
            ("settings", "primary_criterion"),
            "EASL",
            "settings.primary_criterion",
            'must be one of RECIST1.1, mRECIST, got "EASL"',
        ),
        (
            ("settings", "criteria"),
            ["RECIST 1.1"],
            "settings.criteria[0]",
            'must be one of RECIST1.1, mRECIST, got "RECIST 1.1"',
        ),
        (
            ("timepoints", 0, "clinical", "dose_level"),
            3,
            "timepoints[0].clinical.dose_level",
            "must be one of 0, -1, -2, null, got 3",
        ),
        (
            ("timepoints", 0, "clinical", "child_pugh"),
            "D3",
            "timepoints[0].clinical.child_pugh",
            'such as A5, B7 or C12, or a bare class A, B or C, got "D3"',
        ),
        (
            ("timepoints", 0, "clinical", "child_pugh"),
            "A16",
            "timepoints[0].clinical.child_pugh",
            'got "A16"',
        ),
    ],
)
def test_value_outside_its_vocabulary_is_named(
    case: dict[str, Any],
    where: tuple[str | int, ...],
    value: object,
    path: str,
    text: str,
) -> None:
    node: Any = case
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    problems = problems_of(case)
    assert problems[0].path == path
    assert text in problems[0].text


def test_object_form_status_is_checked(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N2"] = {"status": "gone", "cytology": "maybe"}
    problems = problems_of(case)
    assert [p.path for p in problems] == [
        "timepoints[1].non_targets.N2.status",
        "timepoints[1].non_targets.N2.cytology",
    ]
    assert problems[0].text.startswith("must be one of present, absent")


@pytest.mark.parametrize("child_pugh", ["A", "B", "C", "A5", "B9", "C15"])
def test_child_pugh_forms_are_accepted(case: dict[str, Any], child_pugh: str) -> None:
    case["timepoints"][0]["clinical"]["child_pugh"] = child_pugh
    validate_case(case)


@pytest.mark.parametrize("dose_level", [0, -1, -2, None])
def test_dose_levels_are_accepted(case: dict[str, Any], dose_level: int | None) -> None:
    case["timepoints"][0]["clinical"]["dose_level"] = dose_level
    validate_case(case)


# --- dates ---------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2026-02-30", "05/01/2026", "20260105", "2026-1-5"])
def test_bad_date_is_refused(case: dict[str, Any], date: str) -> None:
    follow_up(case)["date"] = date
    assert_problem(
        case,
        "timepoints[1].date",
        f'must be a real calendar date written YYYY-MM-DD, got "{date}"',
    )


def test_bad_birth_date_is_refused(case: dict[str, Any]) -> None:
    case["patient"]["birth_date"] = "1950-13-01"
    assert_problem(case, "patient.birth_date", "must be a real calendar date")


@pytest.mark.parametrize("date", ["2026-01-05", "2025-12-31"])
def test_time_points_must_be_in_date_order(case: dict[str, Any], date: str) -> None:
    follow_up(case)["date"] = date
    assert_problem(
        case,
        "timepoints[1].date",
        f"must be after timepoints[0].date (2026-01-05), got {date}",
    )


# --- cross-references: lesions -------------------------------------------------


def test_lesion_ids_must_be_unique(case: dict[str, Any]) -> None:
    case["lesions"].append({"id": "N1", "role": "non_target", "kind": "other"})
    assert_problem(
        case, "lesions[4].id", 'lesion id "N1" is already used by lesions[2]'
    )


def test_node_kind_contradicting_is_node(case: dict[str, Any]) -> None:
    case["lesions"][1]["kind"] = "node"
    case["lesions"][1]["is_node"] = False
    problems = problems_of(case)
    assert problems[0].path == "lesions[1].is_node"
    assert 'is false but kind is "node"' in problems[0].text


def test_node_kind_makes_a_node_without_is_node(case: dict[str, Any]) -> None:
    del case["lesions"][1]["is_node"]
    case["lesions"][1]["kind"] = "node"
    validate_case(case)
    case["timepoints"][0]["targets"]["T2"] = {"long_axis_mm": 24.0}
    assert_problem(case, "timepoints[0].targets.T2", 'required key "short_axis_mm"')


@pytest.mark.parametrize(
    "kind", ["ascites", "pleural_effusion", "portal_vein_thrombus"]
)
def test_non_measurable_kind_cannot_be_a_target(
    case: dict[str, Any], kind: str
) -> None:
    case["lesions"][0]["kind"] = kind
    problem = only_problem(case)
    assert problem.path == "lesions[0].role"
    assert f'kind "{kind}" is not measurable' in problem.text
    assert "make it a non_target" in problem.text


def test_target_key_must_be_a_target_lesion(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["N1"] = {"long_axis_mm": 10}
    assert_problem(
        case, "timepoints[1].targets.N1", '"N1" is a non_target lesion; record it under'
    )


def test_target_key_must_be_a_known_lesion(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T9"] = {"long_axis_mm": 10}
    assert_problem(case, "timepoints[1].targets.T9", 'no lesion has id "T9"')


def test_non_target_key_must_be_a_non_target_lesion(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["T1"] = "present"
    assert_problem(
        case, "timepoints[1].non_targets.T1", '"T1" is a target lesion; record it under'
    )


def test_non_target_key_must_be_a_known_lesion(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N9"] = "present"
    assert_problem(case, "timepoints[1].non_targets.N9", 'no lesion has id "N9"')


def test_key_that_is_not_an_identifier_is_quoted(case: dict[str, Any]) -> None:
    follow_up(case)["non_targets"]["N 9"] = "present"
    assert_problem(case, 'timepoints[1].non_targets["N 9"]', 'no lesion has id "N 9"')


# --- cross-references: new lesions ---------------------------------------------


def test_new_lesion_must_not_reuse_a_baseline_id(case: dict[str, Any]) -> None:
    follow_up(case)["new_lesions"][0]["id"] = "T1"
    assert_problem(
        case, "timepoints[1].new_lesions[0].id", '"T1" is the id of a baseline lesion'
    )


def test_new_lesion_listed_once_per_time_point(case: dict[str, Any]) -> None:
    new_lesions = follow_up(case)["new_lesions"]
    new_lesions.append(dict(new_lesions[0]))
    assert_problem(
        case,
        "timepoints[1].new_lesions[1].id",
        'new lesion "X1" is already listed at this time point (new_lesions[0])',
    )


def test_same_new_lesion_at_two_time_points_is_valid(case: dict[str, Any]) -> None:
    later = copy.deepcopy(follow_up(case))
    later["date"] = "2026-05-04"
    case["timepoints"].append(later)
    validate_case(case)


def test_new_lesion_short_axis_longer_than_long_axis(case: dict[str, Any]) -> None:
    follow_up(case)["new_lesions"][0]["short_axis_mm"] = 15
    assert_problem(
        case,
        "timepoints[1].new_lesions[0].short_axis_mm",
        "must not be greater than long_axis_mm (15 > 14.0)",
    )


def test_new_lesion_node_kind_contradicting_is_node(case: dict[str, Any]) -> None:
    follow_up(case)["new_lesions"][0]["kind"] = "node"
    assert_problem(
        case, "timepoints[1].new_lesions[0].is_node", 'is false but kind is "node"'
    )


# --- cross-references: baseline ------------------------------------------------


def test_baseline_must_measure_every_target(case: dict[str, Any]) -> None:
    del case["timepoints"][0]["targets"]["T2"]
    assert_problem(
        case,
        "timepoints[0].targets",
        'target lesion "T2" has no baseline measurement',
    )


def test_baseline_without_targets_object(case: dict[str, Any]) -> None:
    del case["timepoints"][0]["targets"]
    problems = problems_of(case)
    assert [p.path for p in problems] == ["timepoints[0]", "timepoints[0]"]


@pytest.mark.parametrize("status", ["too_small", "absent", "not_evaluated"])
def test_baseline_target_must_be_measured(case: dict[str, Any], status: str) -> None:
    case["timepoints"][0]["targets"]["T1"] = {"status": status}
    assert_problem(
        case,
        "timepoints[0].targets.T1.status",
        f'must be "measured" at baseline, got "{status}"',
    )


def test_baseline_target_needs_a_positive_value(case: dict[str, Any]) -> None:
    case["timepoints"][0]["targets"]["T1"]["long_axis_mm"] = 0
    assert_problem(
        case, "timepoints[0].targets.T1.long_axis_mm", "must be > 0 at baseline, got 0"
    )


def test_baseline_non_nodal_target_needs_long_axis(case: dict[str, Any]) -> None:
    case["timepoints"][0]["targets"]["T1"] = {"viable_mm": 45.0}
    assert_problem(
        case,
        "timepoints[0].targets.T1",
        'required key "long_axis_mm" is missing: a non-nodal target',
    )


def test_baseline_nodal_target_needs_short_axis(case: dict[str, Any]) -> None:
    case["timepoints"][0]["targets"]["T2"] = {"long_axis_mm": 24.0}
    assert_problem(
        case,
        "timepoints[0].targets.T2",
        'required key "short_axis_mm" is missing: a lymph node target',
    )


@pytest.mark.parametrize(
    ("key", "value"), [("fragments_mm", [30, 22]), ("merged_into", "T2")]
)
def test_baseline_target_cannot_be_split_or_merged(
    case: dict[str, Any], key: str, value: object
) -> None:
    case["timepoints"][0]["targets"]["T1"] = {key: value}
    assert_problem(
        case, f"timepoints[0].targets.T1.{key}", "is not allowed at baseline"
    )


def test_baseline_has_no_new_lesions(case: dict[str, Any]) -> None:
    case["timepoints"][0]["new_lesions"] = [{"id": "X0"}]
    assert_problem(case, "timepoints[0].new_lesions", "must be empty at baseline")


# --- cross-references: measurements ---------------------------------------------


def test_measured_target_needs_a_value(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T1"] = {"viable_mm": 20.0}
    assert_problem(
        case,
        "timepoints[1].targets.T1",
        'status "measured" needs long_axis_mm, fragments_mm or merged_into',
    )


def test_measured_node_needs_its_short_axis(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T2"] = {"status": "measured", "long_axis_mm": 9}
    assert_problem(
        case,
        "timepoints[1].targets.T2",
        'status "measured" needs short_axis_mm, fragments_mm or merged_into',
    )


def test_fragments_and_merged_into_exclude_each_other(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T2"] = {"fragments_mm": [5, 4], "merged_into": "T1"}
    problems = problems_of(case)
    assert problems[0].path == "timepoints[1].targets.T2.merged_into"
    assert "cannot be combined with fragments_mm" in problems[0].text


@pytest.mark.parametrize(
    ("key", "value"), [("fragments_mm", [5, 4]), ("merged_into", "T1")]
)
def test_split_or_merged_needs_status_measured(
    case: dict[str, Any], key: str, value: object
) -> None:
    follow_up(case)["targets"]["T2"] = {"status": "absent", key: value}
    assert_problem(
        case,
        f"timepoints[1].targets.T2.{key}",
        'only goes with status "measured", got status "absent"',
    )


def test_short_axis_longer_than_long_axis(case: dict[str, Any]) -> None:
    case["timepoints"][0]["targets"]["T2"]["short_axis_mm"] = Decimal("24.5")
    assert_problem(
        case,
        "timepoints[0].targets.T2.short_axis_mm",
        "must not be greater than long_axis_mm (24.5 > 24.0)",
    )


@pytest.mark.parametrize(
    ("into", "phrase"),
    [
        ("T2", "cannot name the lesion itself"),
        ("T9", 'must name a target lesion, got "T9" (no lesion has that id)'),
        ("N1", 'must name a target lesion, got "N1" (a non_target)'),
    ],
)
def test_merged_into_must_name_another_target(
    case: dict[str, Any], into: str, phrase: str
) -> None:
    follow_up(case)["targets"]["T2"] = {"merged_into": into}
    assert_problem(case, "timepoints[1].targets.T2.merged_into", phrase)


def test_merged_into_target_must_carry_a_value(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T1"] = {"status": "not_evaluated"}
    follow_up(case)["targets"]["T2"] = {"merged_into": "T1"}
    assert_problem(
        case,
        "timepoints[1].targets.T2.merged_into",
        'target "T1" carries the merged size, so it must be measured',
    )


def test_merged_into_target_must_be_at_the_time_point(case: dict[str, Any]) -> None:
    del follow_up(case)["targets"]["T1"]
    follow_up(case)["targets"]["T2"] = {"merged_into": "T1"}
    assert_problem(
        case, "timepoints[1].targets.T2.merged_into", "carries the merged size"
    )


def test_merged_into_target_must_not_be_merged_itself(case: dict[str, Any]) -> None:
    case["lesions"].append({"id": "T3", "role": "target"})
    case["timepoints"][0]["targets"]["T3"] = {"long_axis_mm": 20}
    follow_up(case)["targets"]["T2"] = {"merged_into": "T1"}
    follow_up(case)["targets"]["T1"] = {"merged_into": "T3"}
    follow_up(case)["targets"]["T3"] = {"long_axis_mm": 70}
    assert_problem(
        case, "timepoints[1].targets.T2.merged_into", '"T1" is itself merged into "T3"'
    )


# --- cross-references: clinical and settings -----------------------------------


def test_fhsi8_total_must_match_its_items(case: dict[str, Any]) -> None:
    case["timepoints"][0]["clinical"]["fhsi8_items"] = [4, 4, 4, 4, 3, 3, 2, 1]
    assert_problem(
        case,
        "timepoints[0].clinical.fhsi8",
        "is 27 but fhsi8_items add up to 25",
    )
    case["timepoints"][0]["clinical"]["fhsi8_items"] = [4, 4, 4, 4, 4, 3, 3, 1]
    validate_case(case)


def test_child_pugh_score_must_fit_its_class(case: dict[str, Any]) -> None:
    case["timepoints"][0]["clinical"]["child_pugh"] = "A7"
    assert_problem(
        case,
        "timepoints[0].clinical.child_pugh",
        'score 7 does not fit class A (A is 5-6, B 7-9, C 10-15), got "A7"; '
        'did you mean "B7"?',
    )


def test_primary_criterion_must_be_computed(case: dict[str, Any]) -> None:
    case["settings"]["criteria"] = ["RECIST1.1"]
    assert_problem(
        case,
        "settings.primary_criterion",
        'must be one of the criteria computed (RECIST1.1), got "mRECIST"',
    )


def test_primary_criterion_may_be_left_to_the_default(case: dict[str, Any]) -> None:
    del case["settings"]["primary_criterion"]
    case["settings"]["criteria"] = ["RECIST1.1"]
    validate_case(case)


# --- reporting -----------------------------------------------------------------


def test_all_schema_problems_are_reported_in_document_order(
    case: dict[str, Any],
) -> None:
    follow_up(case)["clinical"]["ecog"] = 9
    case["patient"]["nmae"] = "x"
    case["timepoints"][0]["targets"]["T1"]["long_axis_mm"] = -4
    del follow_up(case)["date"]
    case["lesions"][2]["role"] = "other"
    problems = problems_of(case)
    assert [p.path for p in problems] == [
        "patient.nmae",
        "lesions[2].role",
        "timepoints[0].targets.T1.long_axis_mm",
        "timepoints[1]",
        "timepoints[1].clinical.ecog",
    ]


def test_all_cross_reference_problems_are_reported_together(
    case: dict[str, Any],
) -> None:
    case["lesions"].append({"id": "N1", "role": "non_target"})
    follow_up(case)["date"] = "2026-01-01"
    follow_up(case)["targets"]["T9"] = {"long_axis_mm": 1}
    case["timepoints"][0]["clinical"]["child_pugh"] = "C6"
    problems = problems_of(case)
    assert [p.path for p in problems] == [
        "lesions[4].id",
        "timepoints[0].clinical.child_pugh",
        "timepoints[1].date",
        "timepoints[1].targets.T9",
    ]


def test_cross_references_wait_for_the_schema(case: dict[str, Any]) -> None:
    case["lesions"].append({"id": "N1", "role": "non_target"})
    case["reader"] = 5
    assert_problem(case, "reader", "must be a string, got 5")


def test_problem_list_is_capped(case: dict[str, Any]) -> None:
    case["lesions"] = [{"id": f"N{i}", "role": "none"} for i in range(60)]
    with pytest.raises(CaseFormatError) as caught:
        validate_case(case)
    error = caught.value
    assert len(error.problems) == casefile._validate.MAX_PROBLEMS
    assert error.omitted == 10
    assert str(error).endswith("... and 10 more problems not shown")


def test_error_message_lists_one_problem_per_line(case: dict[str, Any]) -> None:
    follow_up(case)["targets"]["T1"]["long_axis_mm"] = -4
    follow_up(case)["targetz"] = {}
    with pytest.raises(CaseFormatError) as caught:
        validate_case(case)
    lines = str(caught.value).splitlines()
    assert lines[0] == "timepoints[1].targets.T1.long_axis_mm: must be >= 0, got -4"
    assert lines[1].startswith('timepoints[1].targetz: unknown key "targetz"')


def test_decimal_values_print_as_written(case: dict[str, Any]) -> None:
    doc = json.loads(
        json.dumps(EXAMPLE).replace('"long_axis_mm": 50.0', '"long_axis_mm": -4.950'),
        parse_float=Decimal,
    )
    assert_problem(
        doc, "timepoints[1].targets.T1.long_axis_mm", "must be >= 0, got -4.950"
    )


# --- the error classes ---------------------------------------------------------


def test_error_tree() -> None:
    assert issubclass(CaseFileError, RespondError)
    assert issubclass(CaseReadError, CaseFileError)
    assert issubclass(CaseFormatError, CaseFileError)


def test_problem_is_frozen_and_prints_path_first() -> None:
    problem = Problem("timepoints[2].targets.T3.long_axis_mm", "must be >= 0, got -4")
    assert str(problem) == "timepoints[2].targets.T3.long_axis_mm: must be >= 0, got -4"
    with pytest.raises(AttributeError):
        problem.path = "(root)"  # type: ignore[misc]


def test_case_format_error_needs_problems() -> None:
    with pytest.raises(ValueError, match="at least one Problem"):
        CaseFormatError([])


def test_case_errors_survive_pickling() -> None:
    error = CaseFormatError([Problem("(root)", "must be an object, got an array")], 2)
    copied = pickle.loads(pickle.dumps(error))
    assert copied.problems == error.problems
    assert copied.omitted == 2
    read_error = pickle.loads(pickle.dumps(CaseReadError("case.json", "no such file")))
    assert str(read_error) == "case.json: no such file"


def test_case_read_error_keeps_the_path() -> None:
    error = CaseReadError("cases/a.json", "not JSON (line 3, column 5); fix the file")
    assert error.path.name == "a.json"
    assert error.message == "not JSON (line 3, column 5); fix the file"
    assert str(error).endswith("a.json: not JSON (line 3, column 5); fix the file")


def test_public_names() -> None:
    names = {"CaseFileError", "CaseFormatError", "CaseReadError", "Problem"}
    assert names | {"validate_case"} <= set(casefile.__all__)


# --- the schemas and resources -------------------------------------------------


@pytest.mark.parametrize(
    "name", ["respond-case-1.schema.json", "respond-assessment-1.schema.json"]
)
def test_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    assert resource_file("schema", name).is_file()
    Draft202012Validator.check_schema(json.loads(read_text("schema", name)))


def test_resource_file_refuses_nested_or_parent_parts() -> None:
    for parts in [(), ("schema/x.json",), ("..",), ("",)]:
        with pytest.raises(ValueError, match="resource_file"):
            resource_file(*parts)


ASSESSMENT: dict[str, Any] = {
    "format": "respond-assessment/1",
    "patient": {"id": "HCC-0001"},
    "timepoints": [
        {
            "label": "FU1",
            "date": "2026-03-02",
            "RECIST1.1": {
                "target": "SD",
                "non_target": "NON-CR/NON-PD",
                "new_lesions": True,
                "overall": "PD",
                "sum_mm": 55.0,
                "baseline_sum_mm": 70.0,
                "nadir_mm": 70.0,
                "change_from_baseline_pct": -21.4,
                "change_from_nadir_pct": -21.4,
                "reasons": [
                    {"rule": "RECIST1.1 4.3.2 / table 4", "text": "new lesion X1 -> PD"}
                ],
                "revised_from": None,
            },
            "mRECIST": {
                "target": "PR",
                "non_target": "NON-CR/NON-PD",
                "new_lesions": True,
                "overall": "PD",
                "sum_mm": 25.0,
                "baseline_sum_mm": 63.0,
                "nadir_mm": 63.0,
                "change_from_baseline_pct": -60.3,
                "change_from_nadir_pct": -60.3,
                "reasons": [],
                "revised_from": None,
            },
        }
    ],
    "best_overall": {"RECIST1.1": "PD", "mRECIST": "PD"},
    "progression": {
        "RECIST1.1": {"date": "2026-03-02", "label": "FU1"},
        "mRECIST": None,
    },
    "recommendation": {
        "action": "discontinue",
        "dose_level": None,
        "rules": [{"rule": "no second-line option", "text": "best supportive care"}],
        "notes": ["RECIST1.1 target SD but mRECIST target PR at FU1"],
    },
    "warnings": [{"code": "target_count", "text": "..."}],
}


def test_assessment_schema_accepts_the_documented_output() -> None:
    schema = json.loads(read_text("schema", "respond-assessment-1.schema.json"))
    Draft202012Validator(schema).validate(ASSESSMENT)


def test_assessment_schema_refuses_unknown_keys_and_categories() -> None:
    schema = json.loads(read_text("schema", "respond-assessment-1.schema.json"))
    validator = Draft202012Validator(schema)
    bad = copy.deepcopy(ASSESSMENT)
    bad["timepoints"][0]["RECIST1.1"]["overall"] = "MR"
    bad["recommendation"]["extra"] = 1
    bad["best_overall"]["EASL"] = "PR"
    assert len(list(validator.iter_errors(bad))) == 3
