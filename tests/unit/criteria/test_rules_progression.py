"""The recommendation after progression, written from RULES.md 4.3 and A13.

- 4.3 step 4: radiologic progression is the documented progression at any time
  point so far, not only the latest category (SHARP stop rule);
- 4.3 step 5: the clinician's second-line ``eligible`` is the answer; a
  contradiction with the usual criteria is flagged, never applied silently;
- 4.3 step 8: a toxicity stop in a progressing patient still says what comes
  next; the action, the rules and the notes never contradict each other;
- A13: an mRECIST PD resting on a tiny absolute change is PD, but the
  recommendation is review, asking for confirmation at the next scan.
"""

from __future__ import annotations

import pytest
from casebuild import MRECIST, ae, assess, case, clinical, last, liver, mentions, tp

BL = {"T1": (40.0, 40.0)}
SYMPTOMS = {"fhsi8": 23}  # baseline 27: a drop of 4


def rec_of(*points, lesions=None):
    out = assess(case(lesions or [liver("T1")], *points))
    return out["recommendation"], out


# -------------------------------------------------------------- SHARP, any time
def test_pd_at_fu1_then_symptoms_at_fu2_stops_even_when_fu2_reads_sd():
    rec, out = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical()),
        tp(112, {"T1": (45.0, 45.0)}, clin=clinical(**SYMPTOMS)),
    )
    assert last(out, MRECIST)["overall"] == "SD"
    assert rec["action"] == "discontinue"
    assert mentions(rec["rules"], "FU1")
    assert mentions(rec["rules"], "SHARP")


def test_pd_at_fu1_then_symptoms_and_eligible_second_line_switches():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical()),
        tp(
            112,
            {"T1": (60.0, 60.0)},
            clin=clinical(**SYMPTOMS, second_line=(True, True)),
        ),
    )
    assert rec["action"] == "switch_second_line"


def test_progression_documented_without_symptoms_continues_beyond_with_board():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical()),
        tp(112, {"T1": (60.0, 60.0)}, clin=clinical()),
    )
    assert rec["action"] == "continue"
    assert any("review" in n for n in rec["notes"])


def test_no_progression_ever_symptoms_only_is_review():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, BL, clin=clinical(**SYMPTOMS)),
    )
    assert rec["action"] == "review"


# -------------------------------------------------------------- A13
def _small(fu1_viable, fu2_viable=None, **kw):
    """Viable 10 mm at baseline: +20 % is 12 mm, but +2 mm is under 5 mm."""
    points = [tp(0, {"T1": (40.0, 10.0)}, clin=clinical())]
    points.append(tp(56, {"T1": (40.0, fu1_viable)}, clin=clinical(**kw)))
    if fu2_viable is not None:
        points.append(tp(112, {"T1": (40.0, fu2_viable)}, clin=clinical(**kw)))
    out = assess(case([liver("T1")], *points))
    return out["recommendation"], out


@pytest.mark.parametrize(
    ("viable", "action"),
    [
        pytest.param(14.9, "review", id="+4.9 mm: PD but review (A13)"),
        pytest.param(15.0, "discontinue", id="+5.0 mm: PD acted on"),
    ],
)
def test_a13_viable_rise_under_5_mm_is_review(viable, action):
    rec, out = _small(viable, **SYMPTOMS, second_line=(True, True))
    assert last(out, MRECIST)["overall"] == "PD"
    if action == "review":
        assert rec["action"] == "review"
        assert mentions(rec["rules"], "next scan")
        assert not mentions(rec["rules"], "switch")
    else:
        assert rec["action"] == "switch_second_line"


def test_a13_confirmed_at_the_next_scan_is_acted_on():
    rec, _ = _small(12.0, 12.5, **SYMPTOMS)
    assert rec["action"] == "discontinue"


def test_a13_not_confirmed_at_the_next_scan_is_not_acted_on():
    rec, out = _small(12.0, 10.0, **SYMPTOMS)
    assert last(out, MRECIST)["overall"] != "PD"
    assert rec["action"] == "review"  # symptoms without documented progression
    assert any("not confirmed" in n for n in rec["notes"])


def test_a13_rise_from_a_viable_nadir_of_0():
    points = [
        tp(0, {"T1": (40.0, 20.0)}, clin=clinical()),
        tp(56, {"T1": (30.0, 0.0)}, clin=clinical()),
        tp(112, {"T1": (30.0, 8.0)}, clin=clinical(**SYMPTOMS)),
    ]
    out = assess(case([liver("T1")], *points))
    assert last(out, MRECIST)["overall"] == "PD"
    rec = out["recommendation"]
    assert rec["action"] == "review"
    assert mentions(rec["rules"], "nadir of 0")


def test_a13_too_small_alone_carries_the_pd():
    lesions = [liver("T1"), liver("T2")]
    points = [
        tp(0, {"T1": (20.0, 10.0), "T2": (30.0, 10.0)}, clin=clinical()),
        tp(56, {"T1": (20.0, 10.0), "T2": (20.0, 0.0)}, clin=clinical()),
        tp(112, {"T1": (20.0, 11.0), "T2": "too_small"}, clin=clinical(**SYMPTOMS)),
    ]
    out = assess(case(lesions, *points))
    assert last(out, MRECIST)["overall"] == "PD"  # 10 -> 16: +60 %, +6 mm
    rec = out["recommendation"]
    assert rec["action"] == "review"
    assert mentions(rec["rules"], "too small")


def test_a13_does_not_soften_a_new_lesion():
    points = [
        tp(0, {"T1": (40.0, 10.0)}, clin=clinical()),
        tp(
            56,
            {"T1": (40.0, 12.0)},
            new_lesions=[{"id": "X1", "organ": "lung", "long_axis_mm": 15.0}],
            clin=clinical(**SYMPTOMS),
        ),
    ]
    out = assess(case([liver("T1")], *points))
    assert out["recommendation"]["action"] == "discontinue"


# -------------------------------------------------------------- second line
def test_toxicity_stop_in_a_progressing_patient_with_eligible_second_line_switches():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(
            56,
            {"T1": (60.0, 60.0)},
            clin=clinical(aes=[ae("gi_perforation", 3)], second_line=(True, True)),
        ),
    )
    assert rec["action"] == "switch_second_line"
    assert any("regorafenib" in n for n in rec["notes"])


def test_toxicity_stop_when_progressing_without_second_line_never_says_continue():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical(aes=[ae("bleeding", 3)])),
    )
    assert rec["action"] == "discontinue"
    assert not mentions(rec["rules"], "defensible")
    assert mentions(rec["rules"], "supportive care")


def test_second_line_eligibility_contradiction_is_flagged_not_applied():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical(ecog=2, second_line=(True, True))),
    )
    assert rec["action"] == "switch_second_line"
    flagged = [r for r in rec["rules"] if r.get("effect") == "review"]
    assert flagged
    assert "ECOG 2" in flagged[0]["text"]


def test_second_line_guidance_is_shown():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical(second_line=(True, True))),
    )
    assert mentions(rec["rules"], "regorafenib")
    assert mentions(rec["rules"], "cabozantinib")
    assert mentions(rec["rules"], "ramucirumab")


def test_every_rule_names_its_source():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(
            56,
            {"T1": (60.0, 60.0)},
            clin=clinical(aes=[ae("hypertension", 3)], child_pugh="B7"),
        ),
    )
    assert all(r.get("source") for r in rec["rules"]), rec["rules"]


# -------------------------------------------------------------- after review
def test_fatal_event_in_a_progressing_patient_never_switches():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(
            56,
            {"T1": (60.0, 60.0)},
            clin=clinical(aes=[ae("hepatic_hemorrhage", 5)], second_line=(True, True)),
        ),
    )
    assert rec["action"] == "discontinue"
    assert not any(r.get("effect") == "switch_second_line" for r in rec["rules"])


@pytest.mark.parametrize("status", [{"child_pugh": "C10"}, {"ecog": 3}], ids=str)
def test_no_systemic_therapy_state_never_switches_but_flags_the_answer(status):
    """RULES 4.1 / 4.3 step 2: Child-Pugh C or ECOG 3-4: best supportive care."""
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical(**status, second_line=(True, True))),
    )
    assert rec["action"] == "discontinue"
    assert mentions(rec["rules"], "supportive care")
    assert any(r.get("effect") == "review" for r in rec["rules"])


def test_a13_an_ne_scan_neither_confirms_nor_dismisses():
    points = [
        tp(0, {"T1": (40.0, 20.0)}, clin=clinical()),
        tp(56, {"T1": (40.0, 10.0)}, clin=clinical()),
        tp(112, {"T1": (40.0, 14.9)}, clin=clinical()),
        tp(168, {"T1": (40.0, 14.9)}, clin=clinical(), arterial=False),
    ]
    out = assess(case([liver("T1")], *points))
    rec = out["recommendation"]
    assert rec["action"] == "review"
    assert mentions(rec["rules"], "next scan")
    assert not any("not confirmed" in n for n in rec["notes"])


def test_a13_review_also_names_symptomatic_progression():
    rec, _ = _small(14.9, **SYMPTOMS)
    assert rec["action"] == "review"
    assert mentions(rec["rules"], "FHSI-8")


def test_under_an_interruption_no_rule_says_continue():
    rec, _ = rec_of(
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical(aes=[ae("diarrhea", 3)])),
    )
    assert rec["action"] == "interrupt"
    assert not any(
        r.get("effect") in ("continue", "continue_reduced_dose") for r in rec["rules"]
    )
    assert not any("continu" in n.lower() for n in rec["notes"])


def test_time_points_without_labels_are_named_by_date():
    doc = case(
        [liver("T1")],
        tp(0, BL, clin=clinical()),
        tp(56, {"T1": (60.0, 60.0)}, clin=clinical()),
    )
    for point in doc["timepoints"]:
        del point["label"]
    rec = assess(doc)["recommendation"]
    assert mentions(rec["rules"], "2026-03-02")
