"""Sorafenib continue/stop recommendation (RULES.md section 4, decision A11).

One typical HCC liver target, (40, 40) mm at baseline (day 0), and one follow-up
at day 56 whose response is set by ``RESP`` below.  The recommendation is for the
latest time point; the rules fire in the order toxicity, liver function /
performance status, response.
"""

from __future__ import annotations

import pytest
from casebuild import (
    MRECIST,
    RECIST,
    ae,
    assess,
    case,
    clinical,
    first_index,
    last,
    liver,
    mentions,
    non_target,
    tp,
)

# response -> (latest liver target value (long, viable), arterial phase read)
RESP = {
    "CR": ("absent", True),
    "PR": ((20.0, 20.0), True),
    "SD": ((40.0, 40.0), True),
    "PD": ((60.0, 60.0), True),
    "NE": ("not_evaluated", True),
    "mPR/rSD": ((40.0, 20.0), True),
    "mPD/rSD": ((44.0, 48.0), True),
    "mNE/rSD": ((40.0, 40.0), False),
}
HFSR = "hand_foot_skin_reaction"
K_HFSR = ("hand", "hfsr", "skin")
K_LIVER = ("child", "pugh")
K_ECOG = ("ecog", "performance")
K_SECOND = ("second", "2nd", "regorafenib")
K_SYMPT = ("symptom", "fhsi")
K_BOARD = ("tumour board", "tumor board", "board", "review")
K_RESPONSE = ("continue", "response", "complete", "partial", "stable")
K_IMAGING = ("imag", "evaluab", "repeat", "arterial")
YES = (True, True)


def recommend(resp="SD", now=None, bl=None, settings=None):
    """Assess the standard case; return (recommendation, output)."""
    value, arterial = RESP[resp]
    doc = case(
        [liver("T1")],
        tp(0, {"T1": (40.0, 40.0)}, clin=bl or clinical()),
        tp(56, {"T1": value}, clin=now or clinical(), arterial=arterial),
        settings=settings,
    )
    out = assess(doc)
    return out["recommendation"], out


def test_response_scenarios_are_what_they_claim():
    """Guard for this file: the RESP table gives the intended categories."""
    want = {
        "CR": ("CR", "CR"),
        "PR": ("PR", "PR"),
        "SD": ("SD", "SD"),
        "PD": ("PD", "PD"),
        "NE": ("NE", "NE"),
        "mPR/rSD": ("SD", "PR"),
        "mPD/rSD": ("SD", "PD"),
        "mNE/rSD": ("SD", "NE"),
    }
    for resp, (r, m) in want.items():
        _, out = recommend(resp)
        assert (last(out, RECIST)["overall"], last(out, MRECIST)["overall"]) == (
            r,
            m,
        ), resp


# --------------------------------------------------------------------------
# 4.4 toxicity (response SD, so without toxicity the action is continue at 0)
# Each row: adverse events, current dose level, action, dose level, keywords
# of a rule that must have fired (None: not checked).
# --------------------------------------------------------------------------
TOX_ROWS = [
    pytest.param(
        [ae(HFSR, 1)], 0, "continue", 0, None, id="4.4 HFSR grade 1 -> continue"
    ),
    pytest.param(
        [ae(HFSR, 2, 1)], 0, "continue", 0, None, id="4.4 HFSR grade 2 1st -> continue"
    ),
    pytest.param(
        [ae(HFSR, 2, 1, days=6)],
        0,
        "continue",
        0,
        None,
        id="4.4 HFSR grade 2 1st, 6 days without improvement -> continue",
    ),
    pytest.param(
        [ae(HFSR, 2, 1, days=7)],
        0,
        "interrupt",
        -1,
        K_HFSR,
        id="4.4 HFSR grade 2 1st, 7 days without improvement -> interrupt, restart -1",
    ),
    pytest.param(
        [ae(HFSR, 2, 2)],
        0,
        "interrupt",
        -1,
        K_HFSR,
        id="4.4 HFSR grade 2 2nd -> interrupt, restart -1",
    ),
    pytest.param(
        [ae(HFSR, 2, 3)],
        0,
        "interrupt",
        -1,
        K_HFSR,
        id="4.4 HFSR grade 2 3rd -> interrupt, restart -1",
    ),
    pytest.param(
        [ae(HFSR, 2, 4)],
        0,
        "discontinue",
        None,
        K_HFSR,
        id="4.4 HFSR grade 2 4th -> discontinue",
    ),
    pytest.param(
        [ae(HFSR, 3, 1)],
        0,
        "interrupt",
        -1,
        K_HFSR,
        id="4.4 HFSR grade 3 1st -> interrupt, restart -1",
    ),
    pytest.param(
        [ae(HFSR, 3, 2)],
        0,
        "interrupt",
        -1,
        K_HFSR,
        id="4.4 HFSR grade 3 2nd -> interrupt, restart -1",
    ),
    pytest.param(
        [ae(HFSR, 3, 3)],
        0,
        "discontinue",
        None,
        K_HFSR,
        id="4.4 HFSR grade 3 3rd -> discontinue",
    ),
    pytest.param(
        [ae(HFSR, 3, 1)],
        -1,
        "interrupt",
        -2,
        K_HFSR,
        id="4.4 HFSR grade 3 at level -1 -> restart -2",
    ),
    pytest.param(
        [ae(HFSR, 2, 1, days=7)],
        -1,
        "interrupt",
        -2,
        K_HFSR,
        id="4.4 HFSR grade 2 7 days at level -1 -> restart -2",
    ),
    pytest.param(
        [ae(HFSR, 3, 1)],
        -2,
        "interrupt",
        -2,
        ("lowest", "tumour-board"),
        id="4.4 HFSR grade 3 at level -2: no lower level -> interrupt + review",
    ),
    pytest.param(
        [ae(HFSR, 2, 2)],
        -2,
        "interrupt",
        -2,
        ("lowest", "tumour-board"),
        id="4.4 HFSR grade 2 2nd at level -2: no lower level -> interrupt + review",
    ),
    pytest.param(
        [ae("cardiac_ischemia", 1)],
        0,
        "continue",
        0,
        None,
        id="4.4 cardiac ischaemia grade 1 -> continue",
    ),
    pytest.param(
        [ae("cardiac_ischemia", 2)],
        0,
        "discontinue",
        None,
        ("cardiac", "ischem"),
        id="4.4 cardiac ischaemia grade 2 -> discontinue",
    ),
    pytest.param(
        [ae("bleeding", 1)],
        0,
        "continue",
        0,
        None,
        id="4.4 bleeding grade 1 -> continue",
    ),
    pytest.param(
        [ae("bleeding", 2)],
        0,
        "discontinue",
        None,
        ("bleed", "haemorrh", "hemorrh"),
        id="4.4 bleeding grade 2 -> discontinue",
    ),
    pytest.param(
        [ae("gi_perforation", 1)],
        0,
        "discontinue",
        None,
        ("perforat",),
        id="4.4 GI perforation any grade -> discontinue",
    ),
    pytest.param(
        [ae("hypertension", 3)],
        0,
        "interrupt",
        -1,
        ("hypertens",),
        id="4.4 hypertension grade 3 -> interrupt, restart -1",
    ),
    pytest.param(
        [ae("hypertension", 4)],
        0,
        "discontinue",
        None,
        ("hypertens",),
        id="4.4 hypertension grade 4 -> discontinue",
    ),
    pytest.param(
        [ae("heart_failure", 3)],
        0,
        "interrupt",
        -1,
        ("heart",),
        id="4.4 heart failure grade 3 -> interrupt, restart -1",
    ),
    pytest.param(
        [ae("heart_failure", 4)],
        0,
        "discontinue",
        None,
        ("heart",),
        id="4.4 heart failure grade 4 -> discontinue",
    ),
    pytest.param(
        [ae("diarrhea", 2)],
        0,
        "continue",
        0,
        None,
        id="4.4 other event grade 2 -> continue",
    ),
    pytest.param(
        [ae("diarrhea", 3)],
        0,
        "interrupt",
        -1,
        ("diarrh",),
        id="4.4 other event grade 3 -> interrupt, restart -1",
    ),
    pytest.param(
        [ae("diarrhea", 3)],
        -1,
        "interrupt",
        -2,
        ("diarrh",),
        id="4.4 other event grade 3 at level -1 -> restart -2",
    ),
    pytest.param(
        [ae("diarrhea", 3)],
        -2,
        "interrupt",
        -2,
        ("lowest", "tumour-board"),
        id="4.4 other event grade 3 at level -2 -> interrupt + review",
    ),
    pytest.param(
        [ae("diarrhea", 4)],
        0,
        "interrupt",
        -1,
        ("diarrh", "clinician"),
        id="4.4 grade 4 diarrhea -> interrupt, restart -1, review note",
    ),
    pytest.param(
        [ae("diarrhea", 5)],
        0,
        "discontinue",
        None,
        ("diarrh",),
        id="4.4 other event grade 5 -> discontinue",
    ),
    pytest.param(
        [ae(HFSR, 2, 1), ae("diarrhea", 3)],
        0,
        "interrupt",
        -1,
        ("diarrh",),
        id="4.4 two events: the stronger action wins (interrupt)",
    ),
    pytest.param(
        [ae("diarrhea", 3), ae("bleeding", 2)],
        0,
        "discontinue",
        None,
        ("bleed",),
        id="4.4 two events: the stronger action wins (discontinue)",
    ),
    pytest.param(
        [],
        -1,
        "continue",
        -1,
        None,
        id="4.3.3 no toxicity: continue at the current reduced level",
    ),
]


@pytest.mark.parametrize(("aes", "level", "action", "dose", "keywords"), TOX_ROWS)
def test_toxicity(aes, level, action, dose, keywords):
    rec, _ = recommend("SD", now=clinical(aes=aes, dose_level=level))
    assert rec["action"] == action
    assert rec["dose_level"] == dose
    if keywords:
        assert mentions(rec["rules"], *keywords), rec["rules"]


# --------------------------------------------------------------------------
# 4.3.2 liver function and performance status now (response SD)
# --------------------------------------------------------------------------
LIVER_PS_ROWS = [
    pytest.param(
        {"child_pugh": "C10"},
        "discontinue",
        K_LIVER,
        id="4.3.2 Child-Pugh C now -> discontinue",
    ),
    pytest.param(
        {"child_pugh": "C"},
        "discontinue",
        K_LIVER,
        id="4.3.2 bare class C -> discontinue",
    ),
    pytest.param(
        {"child_pugh": "B7"}, "continue", None, id="4.3.2 Child-Pugh B -> continue"
    ),
    pytest.param({"ecog": 2}, "continue", None, id="4.3.2 ECOG 2 -> continue"),
    pytest.param({"ecog": 3}, "discontinue", K_ECOG, id="4.3.2 ECOG 3 -> discontinue"),
    pytest.param({"ecog": 4}, "discontinue", K_ECOG, id="4.3.2 ECOG 4 -> discontinue"),
]


@pytest.mark.parametrize(("now", "action", "keywords"), LIVER_PS_ROWS)
def test_liver_function_and_performance_status(now, action, keywords):
    rec, _ = recommend("SD", now=clinical(**now))
    assert rec["action"] == action
    if action == "discontinue":
        assert rec["dose_level"] is None
    if keywords:
        assert mentions(rec["rules"], *keywords), rec["rules"]


def test_rules_fire_in_order_toxicity_then_liver_function():
    rec, _ = recommend("SD", now=clinical(aes=[ae("diarrhea", 3)], child_pugh="C11"))
    assert rec["action"] == "discontinue"
    assert rec["dose_level"] is None
    i_tox = first_index(rec["rules"], "diarrh")
    i_liver = first_index(rec["rules"], *K_LIVER)
    assert 0 <= i_tox < i_liver, rec["rules"]


def test_toxicity_applies_whatever_the_response():
    """4.3.1: toxicity can interrupt treatment even with a PR."""
    rec, _ = recommend("PR", now=clinical(aes=[ae(HFSR, 3, 1)]))
    assert (rec["action"], rec["dose_level"]) == ("interrupt", -1)


# --------------------------------------------------------------------------
# 4.3.3-4.3.7 response branches.  Each row: response, clinical now (kwargs),
# action, dose level ("-" = not checked), keywords of a rule that fired,
# whether a tumour-board note is required.
# --------------------------------------------------------------------------
DROP4 = {"fhsi8": 23}  # baseline 27
DROP3 = {"fhsi8": 24}

RESPONSE_ROWS = [
    pytest.param("CR", {}, "continue", 0, K_RESPONSE, False, id="4.3.3 CR -> continue"),
    pytest.param("PR", {}, "continue", 0, K_RESPONSE, False, id="4.3.3 PR -> continue"),
    pytest.param("SD", {}, "continue", 0, K_RESPONSE, False, id="4.3.3 SD -> continue"),
    pytest.param(
        "PD",
        {**DROP4, "second_line": YES},
        "switch_second_line",
        None,
        K_SECOND,
        False,
        id="4.3.4 PD + FHSI-8 drop 4 + second line eligible -> switch",
    ),
    pytest.param(
        "PD",
        {**DROP4, "second_line": (False, False)},
        "discontinue",
        None,
        K_SYMPT,
        False,
        id="4.3.4 PD + FHSI-8 drop 4, no second line -> discontinue",
    ),
    pytest.param(
        "PD",
        {**DROP4, "second_line": (True, False)},
        "discontinue",
        None,
        K_SYMPT,
        False,
        id="4.3.4 PD + FHSI-8 drop 4, second line not eligible -> discontinue",
    ),
    pytest.param(
        "PD",
        {**DROP4, "second_line": YES, "child_pugh": "B7"},
        "switch_second_line",
        None,
        K_SYMPT,
        True,
        id="4.3.4 PD + symptoms, marked eligible but Child-Pugh B -> switch, "
        "contradiction flagged",
    ),
    pytest.param(
        "PD",
        {**DROP4, "second_line": YES, "ecog": 2},
        "switch_second_line",
        None,
        K_SYMPT,
        True,
        id="4.3.4 PD + symptoms, marked eligible but ECOG 2 -> switch, "
        "contradiction flagged",
    ),
    pytest.param(
        "PD",
        {"ecog": 4, "second_line": YES},
        "discontinue",
        None,
        K_ECOG,
        True,
        id="4.2+4.3.2 PD + ECOG 4, marked eligible -> discontinue (no systemic "
        "therapy), the answer flagged for review",
    ),
    pytest.param(
        "PD",
        {**DROP3, "second_line": (False, False)},
        "continue",
        0,
        None,
        True,
        id="4.2 FHSI-8 drop 3 not symptomatic: PD, no second line -> continue + board",
    ),
    pytest.param(
        "PD",
        {"second_line": YES},
        "switch_second_line",
        None,
        K_SECOND,
        False,
        id="4.3.5 PD without symptoms, second line eligible -> switch",
    ),
    pytest.param(
        "PD",
        {**DROP3, "second_line": YES},
        "switch_second_line",
        None,
        K_SECOND,
        False,
        id="4.3.5 PD + FHSI-8 drop 3, second line eligible -> switch",
    ),
    pytest.param(
        "PD",
        {"second_line": (True, False)},
        "continue",
        0,
        None,
        True,
        id="4.3.5 PD without symptoms, second line not eligible -> continue + board",
    ),
    pytest.param(
        "PD",
        {"second_line": (False, False)},
        "continue",
        0,
        None,
        True,
        id="4.3.5 PD without symptoms, no second line -> continue + board",
    ),
    pytest.param(
        "PD",
        {"second_line": (False, True)},
        "continue",
        0,
        None,
        True,
        id="4.3.5 PD without symptoms, eligible but none available -> continue + board",
    ),
    pytest.param(
        "PD",
        {"second_line": YES, "child_pugh": "B7"},
        "switch_second_line",
        None,
        None,
        True,
        id="4.3.5 PD, marked eligible but Child-Pugh B -> switch + board",
    ),
    pytest.param(
        "PD",
        {"second_line": YES, "ecog": 2},
        "switch_second_line",
        None,
        None,
        True,
        id="4.3.5 PD, marked eligible but ECOG 2 -> switch + board",
    ),
    pytest.param(
        "PD",
        {"second_line": (False, False), "dose_level": -1},
        "continue",
        -1,
        None,
        True,
        id="4.3.5 PD, no second line, continue at the current level -1",
    ),
    pytest.param(
        "SD",
        DROP4,
        "review",
        "-",
        K_SYMPT,
        False,
        id="4.3.6 symptomatic progression without PD -> review",
    ),
    pytest.param(
        "SD",
        DROP3,
        "continue",
        0,
        None,
        False,
        id="4.3.6 FHSI-8 drop 3 without PD -> continue",
    ),
    pytest.param(
        "PR",
        DROP4,
        "review",
        "-",
        K_SYMPT,
        False,
        id="4.3.6 symptomatic progression with PR -> review",
    ),
    pytest.param(
        "NE",
        {},
        "repeat_imaging",
        "-",
        K_IMAGING,
        False,
        id="4.3.7 NE -> repeat imaging",
    ),
]


@pytest.mark.parametrize(
    ("resp", "now", "action", "dose", "keywords", "board"), RESPONSE_ROWS
)
def test_response_branches(resp, now, action, dose, keywords, board):
    rec, _ = recommend(resp, now=clinical(**now))
    assert rec["action"] == action, rec
    if dose != "-":
        assert rec["dose_level"] == dose
    if keywords:
        assert mentions(rec["rules"], *keywords), rec["rules"]
    if board:
        assert mentions(rec["notes"], *K_BOARD) or mentions(rec["rules"], *K_BOARD), rec


def test_non_target_only_non_cr_non_pd_continues():
    """4.3.3: NON-CR/NON-PD (non-target disease only) -> continue."""
    doc = case(
        [non_target("N1", "portal vein", kind="portal_vein_thrombus")],
        tp(0, None, {"N1": "present"}, clin=clinical()),
        tp(56, None, {"N1": "present"}, clin=clinical(), arterial=True),
    )
    out = assess(doc)
    assert last(out, MRECIST)["overall"] == "NON-CR/NON-PD"
    assert out["recommendation"]["action"] == "continue"
    assert out["recommendation"]["dose_level"] == 0


# --------------------------------------------------------------------------
# 4.2 symptomatic progression is measured from the baseline time point
# --------------------------------------------------------------------------
def _three(fhsi):
    doc = case(
        [liver("T1")],
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical(fhsi8=fhsi[0])),
        tp(56, {"T1": (40.0, 40.0)}, clin=clinical(fhsi8=fhsi[1])),
        tp(112, {"T1": (60.0, 60.0)}, clin=clinical(fhsi8=fhsi[2])),
    )
    return assess(doc)["recommendation"]


def test_fhsi_drop_from_baseline_not_from_previous():
    rec = _three((27, 25, 23))  # 4 below baseline, 2 below FU1
    assert rec["action"] == "discontinue"
    assert mentions(rec["rules"], *K_SYMPT)


def test_fhsi_drop_from_previous_only_is_not_symptomatic():
    rec = _three((24, 27, 23))  # 1 below baseline, 4 below FU1
    assert rec["action"] == "continue"


def test_fhsi8_items_are_summed():
    """case format: fhsi8_items (eight 0-4 scores) instead of the total."""
    bl = clinical(fhsi8=None, fhsi8_items=[4, 4, 4, 3, 3, 3, 3, 3])  # 27
    now = clinical(fhsi8=None, fhsi8_items=[3, 3, 3, 3, 3, 3, 3, 2])  # 23
    rec, _ = recommend("PD", now=now, bl=bl)
    assert rec["action"] == "discontinue"
    assert mentions(rec["rules"], *K_SYMPT)


def test_recommendation_uses_the_latest_time_point_clinical_data():
    doc = case(
        [liver("T1")],
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical()),
        tp(56, {"T1": (40.0, 40.0)}, clin=clinical(aes=[ae(HFSR, 3, 1)], dose_level=0)),
        tp(112, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=-1)),
    )
    rec = assess(doc)["recommendation"]
    assert (rec["action"], rec["dose_level"]) == ("continue", -1)


# --------------------------------------------------------------------------
# A11 primary criterion and the disagreement note
# --------------------------------------------------------------------------
PRIMARY_ROWS = [
    pytest.param(
        "mPD/rSD",
        None,
        "switch_second_line",
        id="A11 default mRECIST: mRECIST PD drives a switch",
    ),
    pytest.param(
        "mPD/rSD",
        {"primary_criterion": "mRECIST"},
        "switch_second_line",
        id="A11 primary mRECIST explicit",
    ),
    pytest.param(
        "mPD/rSD",
        {"primary_criterion": "RECIST1.1"},
        "continue",
        id="A11 primary RECIST1.1: RECIST SD -> continue",
    ),
    pytest.param(
        "mNE/rSD",
        None,
        "repeat_imaging",
        id="A11+2.1 no arterial phase: mRECIST NE -> repeat imaging",
    ),
    pytest.param(
        "mNE/rSD",
        {"primary_criterion": "RECIST1.1"},
        "continue",
        id="A11 primary RECIST1.1 ignores the missing arterial phase",
    ),
    pytest.param(
        "mPR/rSD", None, "continue", id="A11 mRECIST PR, RECIST SD -> continue"
    ),
]


@pytest.mark.parametrize(("resp", "settings", "action"), PRIMARY_ROWS)
def test_primary_criterion(resp, settings, action):
    rec, _ = recommend(resp, now=clinical(second_line=YES), settings=settings)
    assert rec["action"] == action
    # both criteria differ in every row here: the disagreement is flagged
    assert len(rec["notes"]) > len(
        recommend("SD", now=clinical(second_line=YES))[0]["notes"]
    )


def test_agreeing_criteria_give_no_disagreement_note():
    rec, _ = recommend("PR")
    assert rec["action"] == "continue"
    assert not mentions(rec["notes"], "differ", "disagree", "mismatch")
