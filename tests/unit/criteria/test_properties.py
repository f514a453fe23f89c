"""Invariants of the engine over generated cases (hypothesis)."""

from __future__ import annotations

import copy
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.criteria.strategies import case_documents

from respond.casefile import assess_case_document

RANK = {"CR": 5, "PR": 4, "SD": 3, "NON-CR/NON-PD": 3, "NE": 1, "PD": 0}
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def essentials(assessment: dict) -> dict:
    """What must not depend on the order lesions are listed in."""
    keep = (
        "target",
        "non_target",
        "new_lesions",
        "overall",
        "sum_mm",
        "baseline_sum_mm",
        "nadir_mm",
        "change_from_baseline_pct",
        "change_from_nadir_pct",
        "revised_from",
    )
    return {
        "timepoints": [
            {c: {k: tp[c][k] for k in keep} for c in ("RECIST1.1", "mRECIST")}
            for tp in assessment["timepoints"]
        ],
        "best": assessment["best_overall"],
        "progression": assessment["progression"],
        "action": assessment["recommendation"]["action"],
        "dose": assessment["recommendation"]["dose_level"],
        "warnings": sorted(w["code"] for w in assessment["warnings"]),
    }


def shuffled(doc: dict, seed: int) -> dict:
    rng = random.Random(seed)
    doc = copy.deepcopy(doc)
    rng.shuffle(doc["lesions"])
    for tp in doc["timepoints"]:
        for key in ("targets", "non_targets"):
            items = list(tp[key].items())
            rng.shuffle(items)
            tp[key] = dict(items)
        rng.shuffle(tp["new_lesions"])
    return doc


@SETTINGS
@given(case_documents(), st.integers(0, 2**32 - 1))
def test_lesion_order_does_not_matter(doc: dict, seed: int) -> None:
    assert essentials(assess_case_document(shuffled(doc, seed))) == essentials(
        assess_case_document(doc)
    )


@SETTINGS
@given(case_documents())
def test_same_case_same_assessment(doc: dict) -> None:
    first = assess_case_document(copy.deepcopy(doc))
    assert assess_case_document(copy.deepcopy(doc)) == first


@SETTINGS
@given(case_documents(max_followups=3), st.data())
def test_adding_a_new_lesion_never_improves_the_response(
    doc: dict, data: st.DataObject
) -> None:
    if len(doc["timepoints"]) < 2:
        return
    before = assess_case_document(copy.deepcopy(doc))
    index = data.draw(st.integers(1, len(doc["timepoints"]) - 1))
    changed = copy.deepcopy(doc)
    changed["timepoints"][index]["new_lesions"].append(
        {"id": "NEW-LUNG", "organ": "lung", "long_axis_mm": 12, "equivocal": False}
    )
    after = assess_case_document(changed)
    # Up to the time point of the new lesion; after a PD the later categories
    # no longer count (best response stops at PD) and may differ either way (a
    # CR replaced by PD no longer makes a returning non-target "reappearance
    # after CR").
    shown = index + 1
    for criterion in ("RECIST1.1", "mRECIST"):
        pairs = zip(
            before["timepoints"][:shown], after["timepoints"][:shown], strict=True
        )
        for old, new in pairs:
            old_overall, new_overall = (
                old[criterion]["overall"],
                new[criterion]["overall"],
            )
            if old_overall is not None:
                assert RANK[new_overall] <= RANK[old_overall]
        assert after["timepoints"][index][criterion]["overall"] == "PD"
        old_best = before["best_overall"][criterion]
        new_best = after["best_overall"][criterion]
        assert RANK[new_best] <= RANK[old_best]


@SETTINGS
@given(case_documents())
def test_sums_and_nadir_are_consistent(doc: dict) -> None:
    assessment = assess_case_document(doc)
    for criterion in ("RECIST1.1", "mRECIST"):
        blocks = [tp[criterion] for tp in assessment["timepoints"]]
        seen = []
        for block in blocks:
            if block["nadir_mm"] is not None:
                assert block["nadir_mm"] == min(seen)
            if block["sum_mm"] is not None:
                seen.append(block["sum_mm"])
            if block["overall"] == "PR":
                assert block["target"] in ("PR", "CR")


STOPPING = ("discontinue", "switch_second_line")
CONTINUING = ("continue", "continue_reduced_dose")


def disagreements(rec: dict) -> list[str]:
    """Where the action, the rules and the notes contradict (RULES 4.3 step 8)."""
    action = rec["action"]
    found = []
    if not any(r.get("effect") == action for r in rec["rules"]):
        found.append(f"no fired rule asks for {action}")
    for rule in rec["rules"]:
        effect = rule.get("effect")
        if (
            (effect in CONTINUING and action in STOPPING)
            or (effect == "discontinue" and action not in STOPPING)
            or (effect == "switch_second_line" and action != effect)
            or (effect == "interrupt" and action in CONTINUING)
        ):
            found.append(f"{rule['rule']} asks for {effect} under {action}")
        if not rule.get("source"):
            found.append(f"{rule['rule']} names no source")
    if action in STOPPING:
        found.extend(n for n in rec["notes"] if "continu" in n.lower())
        found.extend(
            r["text"] for r in rec["rules"] if "defensible" in r["text"].lower()
        )
    if action in STOPPING and rec["dose_level"] is not None:
        found.append("a dose level with a stop")
    return found


@SETTINGS
@given(case_documents())
def test_recommendation_never_contradicts_its_rules(doc):
    """No generated case gives an action its listed rules or notes contradict."""
    rec = assess_case_document(doc)["recommendation"]
    assert disagreements(rec) == [], rec


@SETTINGS
@given(case_documents())
def test_engine_consistency_check_agrees(doc):
    """The engine's own check finds nothing in what it recommends."""
    from respond.casefile import build_case, validate_case
    from respond.criteria import assess
    from respond.criteria.sorafenib import contradictions

    validate_case(doc)
    assessment = assess(build_case(doc))
    assert contradictions(assessment.recommendation) == []
