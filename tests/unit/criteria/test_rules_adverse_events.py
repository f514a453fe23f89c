"""Adverse events and dosing, written from RULES.md 4.4 (seed Table 5, the label).

One typical HCC liver target, (40, 40) mm at baseline, stable at every follow-up
(so without toxicity the action is continue). Follow-ups are 28 days apart
unless a test says otherwise. Terms are the CTCAE v5 vocabulary's.
"""

from __future__ import annotations

import pytest
from casebuild import ae, assess, case, clinical, liver, mentions, tp

PPE = "palmar_plantar_erythrodysesthesia_syndrome"
HFSR = "hand_foot_skin_reaction"


def run(*clins, days=28):
    """Assess a case whose time points carry these clinical statuses."""
    points = [tp(0, {"T1": (40.0, 40.0)}, clin=clins[0])]
    for i, clin in enumerate(clins[1:], start=1):
        points.append(tp(i * days, {"T1": (40.0, 40.0)}, clin=clin))
    return assess(case([liver("T1")], *points))["recommendation"]


def now(*aes, level=0, **kw):
    """The standard case with one follow-up carrying these events."""
    return run(clinical(), clinical(aes=list(aes), dose_level=level, **kw))


def sources(rec):
    return [r.get("source", "") for r in rec["rules"]]


# ---------------------------------------------------------------- vocabulary rows
@pytest.mark.parametrize(
    ("event", "action", "dose", "source"),
    [
        pytest.param(
            ae("upper_gastrointestinal_hemorrhage", 3),
            "discontinue",
            None,
            "sorafenib label",
            id="CTCAE upper GI hemorrhage grade 3 is bleeding: label stops",
        ),
        pytest.param(
            ae("intracranial_hemorrhage", 2),
            "discontinue",
            None,
            "sorafenib label",
            id="any CTCAE hemorrhage term grade 2 is bleeding: stop",
        ),
        pytest.param(
            ae("epistaxis", 1),
            "continue",
            0,
            "sorafenib label",
            id="bleeding grade 1: no change",
        ),
        pytest.param(
            ae(PPE, 2, 2),
            "interrupt",
            -1,
            "seed Table 5",
            id="second grade-2 PPE under its CTCAE name: Table 5 interrupts",
        ),
        pytest.param(
            ae(PPE, 2, 4),
            "discontinue",
            None,
            "seed Table 5",
            id="fourth grade-2 PPE: discontinue",
        ),
        pytest.param(
            ae("myocardial_infarction", 2),
            "discontinue",
            None,
            "sorafenib label",
            id="myocardial infarction is cardiac ischaemia: grade 2 stops",
        ),
        pytest.param(
            ae("colonic_perforation", 2),
            "discontinue",
            None,
            "sorafenib label",
            id="a CTCAE perforation term is GI perforation: stop",
        ),
        pytest.param(
            ae("diarrhea", 4),
            "interrupt",
            -1,
            "respond default",
            id="grade 4 diarrhea: interrupt and reduce, not discontinue",
        ),
        pytest.param(
            ae("fatigue", 3),
            "interrupt",
            -1,
            "respond default",
            id="generic grade 3: interrupt, restart lower",
        ),
        pytest.param(
            ae("fatigue", 2), "continue", 0, "respond default", id="generic grade 2"
        ),
        pytest.param(
            ae("lipase_increased", 4),
            "review",
            0,
            "respond default",
            id="asymptomatic lipase grade 4: review, no dose change",
        ),
        pytest.param(
            ae("serum_amylase_increased", 3),
            "review",
            0,
            "respond default",
            id="amylase: review",
        ),
        pytest.param(
            ae("hypophosphatemia", 3),
            "review",
            0,
            "respond default",
            id="hypophosphatemia: review",
        ),
        pytest.param(
            ae("stevens_johnson_syndrome", 3),
            "discontinue",
            None,
            "sorafenib label",
            id="Stevens-Johnson syndrome: label stops",
        ),
    ],
)
def test_vocabulary_term_follows_its_row(event, action, dose, source):
    rec = now(event)
    assert (rec["action"], rec["dose_level"]) == (action, dose), rec
    assert source in sources(rec)


def test_grade_4_generic_adds_a_review_note_and_never_discontinues():
    rec = now(ae("vomiting", 4))
    assert rec["action"] == "interrupt"
    assert any(r.get("effect") == "review" for r in rec["rules"])
    assert not any(r.get("effect") == "discontinue" for r in rec["rules"])


@pytest.mark.parametrize(
    ("grade", "action"),
    [(1, "continue"), (2, "continue"), (3, "interrupt"), (4, "interrupt")],
)
def test_qt_prolongation_row(grade, action):
    """RULES 4.4: QTc > 500 ms or +60 ms (CTCAE grade >= 3): interrupt."""
    rec = now(ae("electrocardiogram_qt_corrected_interval_prolonged", grade))
    assert rec["action"] == action
    if action == "interrupt":
        assert rec["dose_level"] == 0, "QT: no automatic reduction"
        assert mentions(rec["rules"], "review")


def test_qt_resolved_resumes_only_after_review():
    qt = "electrocardiogram_qt_corrected_interval_prolonged"
    rec = run(
        clinical(),
        clinical(aes=[ae(qt, 3)]),
        clinical(dose_level=None),
    )
    assert rec["action"] == "review"
    assert rec["dose_level"] == 0
    assert mentions(rec["rules"], "after review")


# ------------------------------------------------------------ interruption
def test_grade_2_hfsr_after_grade_3_interruption_stays_interrupted():
    """Restart only when every event that required it is back to grade 0-1."""
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3)]),
        clinical(dose_level=None, aes=[ae(HFSR, 2)]),
    )
    assert (rec["action"], rec["dose_level"]) == ("interrupt", -1)
    assert mentions(rec["rules"], "restart only when")


def test_synonym_and_ctcae_name_are_one_event_for_the_restart():
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3)]),
        clinical(dose_level=None, aes=[ae(PPE, 2)]),
    )
    assert rec["action"] == "interrupt"


@pytest.mark.parametrize("grade", [1, None])
def test_back_to_grade_0_1_restarts_one_level_lower(grade):
    aes = [] if grade is None else [ae(HFSR, grade)]
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3)]),
        clinical(dose_level=None, aes=aes),
    )
    assert (rec["action"], rec["dose_level"]) == ("continue_reduced_dose", -1)
    assert "seed Table 5" in sources(rec)


def test_every_cause_must_be_back_not_only_one():
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3), ae("hypertension", 3)]),
        clinical(dose_level=None, aes=[ae("hypertension", 2)]),
    )
    assert rec["action"] == "interrupt"
    assert mentions(rec["rules"], "hypertension")


def test_a_cause_seen_during_a_long_interruption_counts():
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3)]),
        clinical(dose_level=None, aes=[ae(HFSR, 1), ae("diarrhea", 3)]),
        clinical(dose_level=None, aes=[ae("diarrhea", 2)]),
    )
    assert rec["action"] == "interrupt"
    assert mentions(rec["rules"], "diarrhea")


def test_interruption_without_a_recorded_cause_is_the_clinicians_call():
    rec = run(clinical(), clinical(dose_level=None))
    assert rec["action"] == "review"


# ------------------------------------------------------------ lowest level
@pytest.mark.parametrize(
    "event", [ae(HFSR, 3), ae(HFSR, 2, 2), ae("diarrhea", 3)], ids=str
)
def test_one_level_lower_at_the_lowest_level_interrupts_for_review(event):
    rec = now(event, level=-2)
    assert (rec["action"], rec["dose_level"]) == ("interrupt", -2)
    assert any(r.get("effect") == "review" for r in rec["rules"])
    assert mentions(rec["rules"], "lowest")


def test_restart_at_the_lowest_level_is_a_review():
    rec = run(
        clinical(dose_level=-2, dose_form="200mg_once_daily"),
        clinical(dose_level=-2, dose_form="200mg_once_daily", aes=[ae(HFSR, 3)]),
        clinical(dose_level=None),
    )
    assert (rec["action"], rec["dose_level"]) == ("review", -2)
    assert mentions(rec["rules"], "200 mg once daily")


def test_restart_at_level_minus_2_names_both_forms():
    rec = now(ae(HFSR, 3), level=-1)
    assert rec["dose_level"] == -2
    assert any("200 mg once daily" in n for n in rec["notes"])


# ------------------------------------------------------------ re-escalation
def _reduced(days_at_grade_1):
    """Interrupted for HFSR 3 at FU1, restarted at -1, grade <= 1 since FU3."""
    return [
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical()),
        tp(28, {"T1": (40.0, 40.0)}, clin=clinical(aes=[ae(HFSR, 3)])),
        tp(42, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=None, aes=[ae(HFSR, 2)])),
        tp(56, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=-1, aes=[ae(HFSR, 1)])),
        tp(
            56 + days_at_grade_1,
            {"T1": (40.0, 40.0)},
            clin=clinical(dose_level=-1),
        ),
    ]


@pytest.mark.parametrize(("days", "suggested"), [(27, False), (28, True), (60, True)])
def test_re_escalation_after_4_weeks_at_grade_0_1(days, suggested):
    rec = assess(case([liver("T1")], *_reduced(days)))["recommendation"]
    assert (rec["action"], rec["dose_level"]) == ("continue", -1)
    assert mentions(rec["rules"], "re-escalation") is suggested


def test_no_re_escalation_while_the_cause_is_back_at_grade_2():
    points = _reduced(60)
    points[-1] = tp(
        116, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=-1, aes=[ae(HFSR, 2)])
    )
    rec = assess(case([liver("T1")], *points))["recommendation"]
    assert not mentions(rec["rules"], "re-escalation")


# ------------------------------------------------------------ case file
def test_unknown_term_is_refused_with_suggestions():
    text = refusal(ae("hand_foot_syndrom", 2))
    assert "hand_foot_syndrom" in text
    assert "hand_foot_syndrome" in text


def test_dose_form_only_at_level_minus_2():
    from respond.casefile import CaseFormatError, validate_case

    doc = case(
        [liver("T1")],
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical(dose_form="200mg_once_daily")),
    )
    with pytest.raises(CaseFormatError, match="dose_form"):
        validate_case(doc)


# ------------------------------------------------------------ label boundaries
@pytest.mark.parametrize(
    ("event", "action"),
    [
        pytest.param(ae("hypertension", 2), "continue", id="HTN 2 1st: treat"),
        pytest.param(ae("hypertension", 2, 2), "interrupt", id="HTN 2 2nd: persistent"),
        pytest.param(ae("hypertension", 2, days=6), "continue", id="HTN 2 6 days"),
        pytest.param(ae("hypertension", 2, days=7), "interrupt", id="HTN 2 7 days"),
        pytest.param(ae("heart_failure", 2), "continue", id="heart failure 2"),
        pytest.param(ae("chest_pain_cardiac", 1), "continue", id="angina grade 1"),
        pytest.param(ae("chest_pain_cardiac", 2), "discontinue", id="angina 2"),
        pytest.param(ae("gi_bleeding", 1), "continue", id="GI bleeding 1"),
        pytest.param(ae("gi_bleeding", 2), "discontinue", id="GI bleeding 2"),
        pytest.param(ae(PPE, 1), "continue", id="PPE 1"),
        pytest.param(ae(PPE, 3, 2), "interrupt", id="PPE 3 2nd"),
        pytest.param(ae(PPE, 3, 3), "discontinue", id="PPE 3 3rd"),
        pytest.param(ae("rash_maculo_papular", 3), "interrupt", id="rash 3: Table 5"),
    ],
)
def test_label_and_table_5_boundaries(event, action):
    assert now(event)["action"] == action


def test_hypertension_interruption_restarts_when_controlled():
    """Controlled blood pressure is CTCAE grade <= 1 (diastolic < 90 mmHg)."""
    held = run(
        clinical(),
        clinical(aes=[ae("hypertension", 3)]),
        clinical(dose_level=None, aes=[ae("hypertension", 2)]),
    )
    assert held["action"] == "interrupt"
    back = run(
        clinical(),
        clinical(aes=[ae("hypertension", 3)]),
        clinical(dose_level=None, aes=[ae("hypertension", 1)]),
    )
    assert (back["action"], back["dose_level"]) == ("continue_reduced_dose", -1)


# ------------------------------------------------------------ after review
def test_re_escalation_counts_only_time_on_the_reduced_level():
    """Grade 1 while still interrupted does not count towards the 4 weeks."""
    points = [
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical()),
        tp(28, {"T1": (40.0, 40.0)}, clin=clinical(aes=[ae(HFSR, 3)])),
        tp(42, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=None, aes=[ae(HFSR, 1)])),
        tp(56, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=-1)),
        tp(71, {"T1": (40.0, 40.0)}, clin=clinical(dose_level=-1)),
    ]
    rec = assess(case([liver("T1")], *points))["recommendation"]
    assert not mentions(rec["rules"], "re-escalation")


def test_no_re_escalation_while_another_event_is_active():
    points = _reduced(60)
    points[-1] = tp(
        116,
        {"T1": (40.0, 40.0)},
        clin=clinical(dose_level=-1, aes=[ae("diarrhea", 2)]),
    )
    rec = assess(case([liver("T1")], *points))["recommendation"]
    assert not mentions(rec["rules"], "re-escalation")


def test_a_restart_that_did_not_go_one_level_lower_is_flagged():
    rec = run(
        clinical(),
        clinical(aes=[ae(HFSR, 3)]),
        clinical(dose_level=None),
        clinical(dose_level=0),
    )
    assert any("one level lower" in n for n in rec["notes"])


def test_liver_tests_grade_3_name_drug_induced_liver_injury():
    rec = now(ae("blood_bilirubin_increased", 4))
    assert rec["action"] == "review"
    assert mentions(rec["rules"], "drug-induced liver injury")


def test_qt_grade_4_adds_a_review_rule():
    rec = now(ae("electrocardiogram_qt_corrected_interval_prolonged", 4))
    assert rec["action"] == "interrupt"
    assert any(r.get("effect") == "review" for r in rec["rules"])


def test_interruption_without_a_cause_gives_no_dose_level():
    rec = run(clinical(), clinical(dose_level=None))
    assert (rec["action"], rec["dose_level"]) == ("review", None)


def test_a_synonym_is_named_by_its_ctcae_term_and_as_recorded():
    rec = now(ae(HFSR, 3))
    names = [r["rule"] for r in rec["rules"]]
    assert any(
        "Palmar-plantar erythrodysesthesia syndrome" in n
        and "recorded as hand foot skin reaction" in n
        for n in names
    ), names


def refusal(*events):
    """The case validator's message for a follow-up with these events."""
    from respond.casefile import CaseFormatError, validate_case

    doc = case(
        [liver("T1")],
        tp(0, {"T1": (40.0, 40.0)}, clin=clinical()),
        tp(28, {"T1": (40.0, 40.0)}, clin=clinical(aes=list(events))),
    )
    with pytest.raises(CaseFormatError) as caught:
        validate_case(doc)
    return str(caught.value)


def test_one_event_recorded_twice_is_refused():
    assert "same event" in refusal(ae("hfsr", 3), ae(PPE, 1))


def test_an_exact_ctcae_name_is_pointed_to_its_key():
    text = refusal(ae("Palmar-plantar erythrodysesthesia syndrome", 2))
    assert '"palmar_plantar_erythrodysesthesia_syndrome"' in text


def test_a_grade_ctcae_does_not_define_for_the_term_is_refused():
    assert "no grade 1 in CTCAE v5" in refusal(ae("myocardial_infarction", 1))
