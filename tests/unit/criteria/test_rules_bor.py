"""Best overall response and confirmation (RECIST 1.1 section 1.7, decision A6).

One lung target of 100 mm at baseline (day 0).  Follow-up values used below:
60 -> PR, 90 -> SD, "absent" -> CR, "not_evaluated" -> NE; PD rows say why.
Rows that need a non-target add N1 (bone, present at baseline).
"""

from __future__ import annotations

import pytest
from casebuild import (
    MRECIST,
    RECIST,
    assess,
    block,
    bor,
    case,
    day,
    liver,
    new,
    non_target,
    progression,
    target,
    tp,
)

CONFIRM = {"confirmation_required": True}


def series(points, settings=None):
    """Build and assess a case from (day, T1 value[, N1 status[, new lesions]])."""
    with_nt = any(len(p) > 2 for p in points)
    lesions = [target("T1")] + ([non_target("N1", "bone")] if with_nt else [])
    bl_nts = {"N1": "present"} if with_nt else None
    tps = [tp(0, {"T1": 100.0}, bl_nts)]
    for p in points:
        nts = {"N1": p[2] if len(p) > 2 else "present"} if with_nt else None
        tps.append(tp(p[0], {"T1": p[1]}, nts, p[3] if len(p) > 3 else ()))
    return assess(case(lesions, *tps, settings=settings))


BOR_ROWS = [
    # ---- without confirmation (default)
    pytest.param(
        [(56, 60.0)], None, "PR", id="1.7 PR counts without confirmation (default)"
    ),
    pytest.param(
        [(28, 60.0)], None, "PR", id="1.7 PR at day 28 needs no minimum duration"
    ),
    pytest.param(
        [(56, 60.0), (112, "absent")], None, "CR", id="1.7 best of PR then CR is CR"
    ),
    pytest.param(
        [(56, 60.0), (112, 80.0)],
        None,
        "PR",
        id="1.7 PR then PD (+20 mm over nadir 60): BOR PR",
    ),
    pytest.param(
        [(42, 90.0)], None, "SD", id="A6 SD seen at day 42 counts (sd_min_days 42)"
    ),
    pytest.param(
        [(41, 90.0)], None, "NE", id="A6 SD only at day 41, nothing after -> NE"
    ),
    pytest.param(
        [(41, 90.0), (84, 110.0)], None, "PD", id="A6 early SD (day 41) then PD -> PD"
    ),
    pytest.param(
        [(41, 90.0), (84, "not_evaluated")], None, "NE", id="A6 early SD then NE -> NE"
    ),
    pytest.param(
        [(41, 90.0), (84, 90.0)], None, "SD", id="A6 early SD then SD at day 84 -> SD"
    ),
    pytest.param([(42, 90.0), (84, 60.0)], None, "PR", id="1.7 SD then PR -> PR"),
    pytest.param(
        [(56, 125.0)], None, "PD", id="1.7 PD at first follow-up (+25 mm) -> PD"
    ),
    pytest.param([(56, "not_evaluated")], None, "NE", id="1.7 only NE -> NE"),
    pytest.param(
        [(56, "not_evaluated"), (112, 125.0)],
        None,
        "PD",
        id="1.7 NE then PD -> PD (PD ranks above NE)",
    ),
    pytest.param(
        [(56, "not_evaluated"), (112, "not_evaluated")],
        None,
        "NE",
        id="1.7 NE then NE -> NE",
    ),
    pytest.param(
        [(56, 90.0, "present", [new("X1")]), (112, "absent", "absent")],
        None,
        "PD",
        id="1.7 time points after the first PD are not used (PD then CR -> PD)",
    ),
    pytest.param(
        [(50, 90.0)],
        {"sd_min_days": 56},
        "NE",
        id="A6 sd_min_days 56: SD at day 50 -> NE",
    ),
    pytest.param(
        [(56, 90.0)],
        {"sd_min_days": 56},
        "SD",
        id="A6 sd_min_days 56: SD at day 56 -> SD",
    ),
    pytest.param(
        [(28, 90.0)],
        {"sd_min_days": 28},
        "SD",
        id="A6 sd_min_days 28: SD at day 28 -> SD",
    ),
    pytest.param(
        [(56, "absent", "absent"), (84, "absent", "not_evaluated")],
        None,
        "CR",
        id="1.7 CR then PR without confirmation: CR is best",
    ),
    # ---- with confirmation
    pytest.param(
        [(56, "absent"), (84, "absent")],
        CONFIRM,
        "CR",
        id="A6 CR confirmed after exactly 28 days -> CR",
    ),
    pytest.param(
        [(56, "absent"), (83, "absent")],
        CONFIRM,
        "SD",
        id="A6 CR repeated after 27 days only: unconfirmed, SD minimum met -> SD",
    ),
    pytest.param(
        [(56, "absent"), (83, "absent"), (112, "absent")],
        CONFIRM,
        "CR",
        id="A6 CR confirmed by the first scan at >= 28 days, all CR up to it -> CR",
    ),
    pytest.param(
        [(56, 60.0), (84, 60.0)], CONFIRM, "PR", id="A6 PR then PR after 28 days -> PR"
    ),
    pytest.param(
        [(28, 60.0), (56, 60.0)],
        CONFIRM,
        "PR",
        id="A6 PR at day 28 confirmed at day 56 -> PR",
    ),
    pytest.param([(56, 60.0), (84, "absent")], CONFIRM, "PR", id="A6 PR then CR -> PR"),
    pytest.param(
        [(56, 60.0), (70, "absent"), (84, "absent")],
        CONFIRM,
        "PR",
        id="A6 PR confirmed at day 84 through an intermediate CR (unconfirmed) -> PR",
    ),
    pytest.param(
        [(56, 60.0), (70, 60.0), (84, 60.0)],
        CONFIRM,
        "PR",
        id="A6 PR confirmed at the first scan >= 28 days, intermediate PR -> PR",
    ),
    pytest.param(
        [(28, "absent"), (42, 60.0), (84, 60.0)],
        CONFIRM,
        "PD",
        id="A6 reappearance after an unconfirmed CR at day 28 -> PD",
    ),
    pytest.param(
        [(56, 60.0), (70, "not_evaluated"), (84, 60.0)],
        CONFIRM,
        "PR",
        id="A12 one intermediate NE is bridged (default max 1): confirmed PR -> PR",
    ),
    pytest.param(
        [(56, 60.0), (70, "not_evaluated"), (84, 60.0)],
        {**CONFIRM, "confirmation_max_ne_between": 0},
        "SD",
        id="A12 max 0: an intermediate NE breaks confirmation: unconfirmed PR -> SD",
    ),
    pytest.param(
        [(56, 65.0), (84, 72.0)],
        {**CONFIRM, "continuing_pr": False},
        "SD",
        id="1.7 PR then SD (continuing_pr false) -> SD",
    ),
    pytest.param(
        [(56, 60.0), (84, 80.0)],
        CONFIRM,
        "SD",
        id="1.7 PR then PD, SD minimum met at the PR -> SD",
    ),
    pytest.param(
        [(28, 60.0), (56, 80.0)], CONFIRM, "PD", id="1.7 PR at day 28 then PD -> PD"
    ),
    pytest.param(
        [(56, 60.0), (84, "not_evaluated")],
        CONFIRM,
        "SD",
        id="1.7 PR then NE, SD minimum met -> SD",
    ),
    pytest.param(
        [(28, 60.0), (56, "not_evaluated")],
        CONFIRM,
        "NE",
        id="1.7 PR at day 28 then NE -> NE",
    ),
    pytest.param(
        [(56, 60.0)], CONFIRM, "SD", id="A6 single unconfirmed PR at day 56 -> SD"
    ),
    pytest.param(
        [(28, 60.0)], CONFIRM, "NE", id="A6 single unconfirmed PR at day 28 -> NE"
    ),
    pytest.param(
        [(56, "absent", "absent"), (84, "absent", "not_evaluated")],
        CONFIRM,
        "SD",
        id="1.7 CR then PR: progression after CR, SD minimum met at the CR -> SD",
    ),
    pytest.param(
        [(28, "absent", "absent"), (56, "absent", "not_evaluated")],
        CONFIRM,
        "PD",
        id="1.7 CR at day 28 then PR: progression after CR -> PD",
    ),
    pytest.param(
        [(56, "absent"), (84, "absent"), (140, 12.0)],
        CONFIRM,
        "CR",
        id="A6 confirmed CR then reappearance PD -> CR",
    ),
    pytest.param(
        [(41, 90.0)], CONFIRM, "NE", id="A6 SD minimum applies with confirmation too"
    ),
    pytest.param(
        [(56, 60.0), (84, 60.0)],
        {**CONFIRM, "confirmation_min_days": 56},
        "SD",
        id="A6 confirmation_min_days 56: PR 28 days apart unconfirmed -> SD",
    ),
    pytest.param(
        [(56, 60.0), (112, 60.0)],
        {**CONFIRM, "confirmation_min_days": 56},
        "PR",
        id="A6 confirmation_min_days 56: PR 56 days apart -> PR",
    ),
    pytest.param(
        [(56, 60.0)],
        {"confirmation_required": False},
        "PR",
        id="A6 confirmation_required false: single PR -> PR",
    ),
]


@pytest.mark.parametrize(("points", "settings", "want"), BOR_ROWS)
def test_best_overall_response(points, settings, want):
    out = series(points, settings)
    assert bor(out, RECIST) == want


NT_ONLY_ROWS = [
    pytest.param(
        [(42, "present")], "NON-CR/NON-PD", id="A6 NON-CR/NON-PD at day 42 counts"
    ),
    pytest.param([(41, "present")], "NE", id="A6 NON-CR/NON-PD only at day 41 -> NE"),
    pytest.param(
        [(41, "present"), (84, "unequivocal_progression")],
        "PD",
        id="A6 early NON-CR/NON-PD then PD -> PD",
    ),
    pytest.param(
        [(56, "present"), (112, "absent")], "CR", id="1.7 non-target only: CR is best"
    ),
]


@pytest.mark.parametrize(("points", "want"), NT_ONLY_ROWS)
def test_best_overall_non_target_only(points, want):
    tps = [tp(0, None, {"N1": "present"})]
    tps += [tp(d, None, {"N1": st}) for d, st in points]
    out = assess(case([non_target("N1", "bone")], *tps))
    assert bor(out, RECIST) == want


def test_bor_per_criterion():
    """BOR is reported per criterion: viable PR under mRECIST, SD under RECIST."""
    out = assess(
        case(
            [liver("T1")],
            tp(0, {"T1": (50.0, 40.0)}),
            tp(56, {"T1": (50.0, 20.0)}),
            tp(112, {"T1": (50.0, 30.0)}),
        )
    )
    assert block(out, 2, MRECIST)["overall"] == "PD"
    assert bor(out, MRECIST) == "PR"
    assert bor(out, RECIST) == "SD"
    assert progression(out, MRECIST)["date"] == day(112)
    assert progression(out, RECIST) is None


def test_progression_is_the_first_pd():
    out = series([(56, 60.0), (112, 80.0), (168, 100.0)])
    assert [block(out, i)["overall"] for i in (1, 2, 3)] == ["PR", "PD", "PD"]
    prog = progression(out, RECIST)
    assert (prog["date"], prog["label"]) == (day(112), "FU2")


def test_no_progression_entry_without_pd():
    out = series([(56, 60.0), (112, 60.0)])
    assert progression(out, RECIST) is None


def test_back_dated_pd_changes_bor():
    """A8: a confirmed equivocal lesion back-dates PD, so the PR at FU1 is not used."""
    out = series(
        [
            (56, 60.0, "present", [new("X1", equivocal=True)]),
            (112, 60.0, "present", [new("X1", equivocal=False)]),
        ]
    )
    assert block(out, 1)["revised_from"] == "PR"
    assert bor(out, RECIST) == "PD"
    assert progression(out, RECIST)["date"] == day(56)


def test_back_dated_pd_beats_confirmation():
    """A8 + A6: back-dated PD at FU1: the PR there is neither used nor confirmed."""
    out = series(
        [
            (56, 60.0, "present", [new("X1", equivocal=True)]),
            (84, 60.0, "present", [new("X1")]),
        ],
        CONFIRM,
    )
    assert bor(out, RECIST) == "PD"


def test_back_dating_onto_an_ne_time_point():
    """A8: revised_from keeps an NE category too."""
    out = series(
        [
            (56, "not_evaluated", "present", [new("X1", equivocal=True)]),
            (112, 60.0, "present", [new("X1")]),
        ]
    )
    assert block(out, 1)["overall"] == "PD"
    assert block(out, 1)["revised_from"] == "NE"
    assert progression(out, RECIST)["label"] == "FU1"


def test_no_revision_when_already_pd():
    """A8: a time point that was PD anyway is not marked as revised."""
    out = series(
        [
            (56, 130.0, "present", [new("X1", equivocal=True)]),
            (112, 130.0, "present", [new("X1")]),
        ]
    )
    assert block(out, 1)["overall"] == "PD"
    assert block(out, 1)["revised_from"] is None


def test_confirmed_pr_then_confirmed_cr():
    out = series([(56, 60.0), (84, 60.0), (112, "absent"), (140, "absent")], CONFIRM)
    assert bor(out, RECIST) == "CR"


CONFIRM_NT_ONLY_ROWS = [
    pytest.param(84, "CR", id="A6 non-target only: CR confirmed after 28 days -> CR"),
    pytest.param(
        70, "NON-CR/NON-PD", id="A6 non-target only: unconfirmed CR -> NON-CR/NON-PD"
    ),
]


@pytest.mark.parametrize(("second", "want"), CONFIRM_NT_ONLY_ROWS)
def test_confirmation_non_target_only(second, want):
    out = assess(
        case(
            [non_target("N1", "bone")],
            tp(0, None, {"N1": "present"}),
            tp(56, None, {"N1": "absent"}),
            tp(second, None, {"N1": "absent"}),
            settings=CONFIRM,
        )
    )
    assert bor(out, RECIST) == want


def test_progression_date_from_a_missing_target_pd():
    """A4: PD with a target missing still dates progression."""
    out = assess(
        case(
            [target("T1"), target("T2", "adrenal")],
            tp(0, {"T1": 20.0, "T2": 20.0}),
            tp(56, {"T1": 48.0}),
        )
    )
    assert block(out, 1)["overall"] == "PD"
    assert progression(out, RECIST)["label"] == "FU1"
    assert bor(out, RECIST) == "PD"


def test_unconfirmed_equivocal_keeps_bor():
    out = series([(56, 60.0, "present", [new("X1", equivocal=True)])])
    assert bor(out, RECIST) == "PR"
