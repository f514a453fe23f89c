"""mRECIST for HCC, checked black-box against Lencioni & Llovet 2010.

RULES.md section 2 and respond's decisions A2, A9, A10 (section 3), plus the
interpretations fixed for respond: viable diameters for liver targets, RECIST
values for nodes and other extrahepatic targets, arterial phase required, porta
hepatis nodes, infiltrative HCC, ascites and effusion cytology, and the
intrahepatic new-lesion rule with back-dating.
"""

from __future__ import annotations

import pytest
from casebuild import (
    MRECIST,
    RECIST,
    assess,
    block,
    case,
    check_block,
    day,
    last,
    liver,
    new,
    node,
    non_target,
    progression,
    target,
    tp,
)

LIV = [liver("T1")]
LIV2 = [liver("T1"), liver("T2")]
LIV_LUNG = [liver("T1"), target("T2", "lung")]
LIV_NODE = [liver("T1"), node("L1")]
PLAIN_LIVER = [target("T1", "liver")]
A2_FIVE = {"mrecist_pd_min_increase_mm": 5}


def _run(lesions, tps, settings=None, *, decimal=False):
    out = assess(case(lesions, *tps, settings=settings, decimal=decimal))
    return out, last(out, MRECIST), last(out, RECIST)


# --------------------------------------------------------------------------
# 2.3 / 2.4 target categories on viable sums.  Each row: lesions, time points,
# settings, expected mRECIST values, expected RECIST values (latest time point).
# --------------------------------------------------------------------------
TARGET_ROWS = [
    pytest.param(
        LIV,
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (50.0, 28.0)})],
        None,
        {
            "target": "PR",
            "overall": "PR",
            "sum_mm": 28.0,
            "baseline_sum_mm": 40.0,
            "nadir_mm": 40.0,
            "change_from_baseline_pct": -30.0,
        },
        {"target": "SD", "sum_mm": 50.0, "baseline_sum_mm": 50.0},
        id="2.4 PR at exactly -30% of the viable sum (40.0 -> 28.0), RECIST SD",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (50.0, 28.1)})],
        None,
        {"target": "SD", "sum_mm": 28.1},
        {"target": "SD"},
        id="2.4 SD just above -30% of the viable sum (40.0 -> 28.1)",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": (30.0, 14.0)}), tp(56, {"T1": (30.0, 9.8)})],
        None,
        {"target": "PR", "sum_mm": 9.8},
        {"target": "SD"},
        id="2.4+A7 viable PR at exactly -30% where binary floats fail (14.0 -> 9.8)",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (30.0, 0)})],
        None,
        {"target": "CR", "overall": "CR", "sum_mm": 0},
        {"target": "PR", "sum_mm": 30.0},
        id="2.4 CR: no viable tumour left in a 30 mm lesion, RECIST PR",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": 24.0})],
        None,
        {"target": "PD", "overall": "PD", "change_from_nadir_pct": 20.0},
        {"target": "SD"},
        id="A2 mRECIST PD at +20% with +4 mm (no 5 mm minimum), RECIST SD",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": 23.9})],
        None,
        {"target": "SD"},
        {"target": "SD"},
        id="2.4 not PD at +19.5% (20.0 -> 23.9)",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 24.75}), tp(56, {"T1": 29.70})],
        None,
        {"target": "PD", "sum_mm": 29.7},
        {"target": "SD"},
        id="A2+A7 +4.95 mm at exactly +20%: mRECIST PD, RECIST SD",
    ),
    pytest.param(
        LIV,
        [
            tp(0, {"T1": (50.0, 40.0)}),
            tp(56, {"T1": (50.0, 10.0)}),
            tp(112, {"T1": (50.0, 12.0)}),
        ],
        None,
        {"target": "PD", "nadir_mm": 10.0, "sum_mm": 12.0},
        {"target": "SD"},
        id="2.4 PD from the viable nadir (10.0 -> 12.0), RECIST SD",
    ),
    pytest.param(
        LIV,
        [
            tp(0, {"T1": (40.0, 40.0)}),
            tp(56, {"T1": (30.0, 0)}),
            tp(112, {"T1": (30.0, 3.0)}),
        ],
        None,
        {"target": "PD", "overall": "PD", "sum_mm": 3.0},
        {"target": "SD"},
        id="A3 viable tumour reappears after an mRECIST CR (0 -> 3 mm) -> PD",
    ),
    pytest.param(
        LIV,
        [
            tp(0, {"T1": (40.0, 40.0)}),
            tp(56, {"T1": (40.0, 25.0)}),
            tp(112, {"T1": (40.0, 29.5)}),
        ],
        None,
        {"target": "PR", "nadir_mm": 25.0},
        {"target": "SD"},
        id="A1 continuing PR on the viable sum (25 -> 29.5, -26%) stays PR",
    ),
    pytest.param(
        LIV,
        [
            tp(0, {"T1": (40.0, 40.0)}),
            tp(56, {"T1": (40.0, 25.0)}),
            tp(112, {"T1": (40.0, 29.5)}),
        ],
        {"continuing_pr": False},
        {"target": "SD"},
        {"target": "SD"},
        id="A1 continuing_pr false on the viable sum -> SD",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": 24.0})],
        A2_FIVE,
        {"target": "SD"},
        {"target": "SD"},
        id="A2 setting 5 mm: +20% with +4 mm is not PD",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": 25.0})],
        A2_FIVE,
        {"target": "PD"},
        {"target": "PD"},
        id="A2 setting 5 mm: +25% with exactly +5.0 mm is PD",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 24.75}), tp(56, {"T1": 29.70})],
        A2_FIVE,
        {"target": "SD"},
        {"target": "SD"},
        id="A2+A7 setting 5 mm: +4.95 mm is not PD",
    ),
    pytest.param(
        PLAIN_LIVER,
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (50.0, 28.0)})],
        None,
        {"target": "PR", "sum_mm": 28.0},
        {"target": "SD"},
        id="2.3 organ liver (kind other) is measured by its viable diameter",
    ),
    pytest.param(
        [target("T1", "abdomen", kind="hcc")],
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (50.0, 28.0)})],
        None,
        {"target": "PR", "sum_mm": 28.0},
        {"target": "SD"},
        id="2.3 kind hcc is measured by its viable diameter whatever the organ",
    ),
    pytest.param(
        LIV_LUNG,
        [
            tp(0, {"T1": (50.0, 40.0), "T2": 20.0}),
            tp(56, {"T1": (50.0, 22.0), "T2": 20.0}),
        ],
        None,
        {"target": "PR", "baseline_sum_mm": 60.0, "sum_mm": 42.0},
        {"target": "SD", "baseline_sum_mm": 70.0},
        id="2.3 extrahepatic target enters the viable sum with its RECIST value",
    ),
    pytest.param(
        LIV_NODE,
        [
            tp(0, {"T1": (40.0, 30.0), "L1": 20.0}),
            tp(56, {"T1": (40.0, 0), "L1": 9.9}),
        ],
        None,
        {"target": "CR", "sum_mm": 9.9, "baseline_sum_mm": 50.0},
        {"target": "SD", "sum_mm": 49.9},
        id="2.4 CR: liver viable 0 and target node 9.9 mm (short axis)",
    ),
    pytest.param(
        LIV_NODE,
        [
            tp(0, {"T1": (40.0, 30.0), "L1": 20.0}),
            tp(56, {"T1": (40.0, 0), "L1": 10.0}),
        ],
        None,
        {"target": "PR", "sum_mm": 10.0},
        {"target": "SD"},
        id="2.4 not CR: liver viable 0 but target node 10.0 mm",
    ),
    pytest.param(
        LIV_LUNG,
        [
            tp(0, {"T1": (50.0, 40.0), "T2": 20.0}),
            tp(56, {"T1": (30.0, 0), "T2": 5.0}),
        ],
        None,
        {"target": "PR", "sum_mm": 5.0},
        {"target": "PR"},
        id="2.4 not CR while an extrahepatic target is still 5 mm",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": {"long_axis_mm": 50.0}})],
        None,
        {"target": "NE", "overall": "NE", "sum_mm": None},
        {"target": "SD", "sum_mm": 50.0},
        id="2.4 viable diameter missing at follow-up -> mRECIST NE, RECIST SD",
    ),
    pytest.param(
        LIV2,
        [
            tp(0, {"T1": (30.0, 20.0), "T2": (30.0, 20.0)}),
            tp(56, {"T1": (50.0, 48.0), "T2": {"long_axis_mm": 30.0}}),
        ],
        None,
        {"target": "PD", "overall": "PD"},
        {"target": "PD"},
        id="A4 viable missing but the measured viable sum alone meets PD -> PD",
    ),
    pytest.param(
        LIV2,
        [
            tp(0, {"T1": (30.0, 20.0), "T2": (30.0, 20.0)}),
            tp(56, {"T1": (30.0, 20.0), "T2": "not_evaluated"}),
        ],
        None,
        {"target": "NE"},
        {"target": "NE"},
        id="A4 target not evaluated -> NE in both criteria",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": "too_small"})],
        None,
        {"target": "PR", "sum_mm": 5.0},
        {"target": "PR", "sum_mm": 5.0},
        id="1.2 too_small liver target counts 5 mm viable too",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": {"status": "too_small", "viable_mm": 0}})],
        None,
        {"target": "CR", "sum_mm": 0},
        {"target": "PR", "sum_mm": 5.0},
        id="1.2 too_small with viable_mm 0 given: mRECIST CR, RECIST 5 mm",
    ),
    pytest.param(
        LIV,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": "absent"})],
        None,
        {"target": "CR", "overall": "CR", "sum_mm": 0},
        {"target": "CR"},
        id="1.2 absent liver target counts 0 viable",
    ),
]


@pytest.mark.parametrize(("lesions", "tps", "settings", "m_exp", "r_exp"), TARGET_ROWS)
def test_mrecist_target_rules(lesions, tps, settings, m_exp, r_exp):
    _, mblk, rblk = _run(lesions, tps, settings)
    check_block(mblk, m_exp)
    check_block(rblk, r_exp)


@pytest.mark.parametrize(("lesions", "tps", "settings", "m_exp", "r_exp"), TARGET_ROWS)
def test_mrecist_target_rules_with_decimal_input(lesions, tps, settings, m_exp, r_exp):
    """A7: the same rows with numbers given as decimal.Decimal."""
    _, mblk, rblk = _run(lesions, tps, settings, decimal=True)
    check_block(mblk, m_exp)
    check_block(rblk, r_exp)


def test_mrecist_pd_from_a_viable_nadir_of_zero():
    """2.4 + A2: after all viable tumour has gone (non-target left), any regrowth
    is PD under mRECIST (no 5 mm minimum); RECIST sees a shrunken lesion."""
    lesions = [
        liver("T1"),
        non_target("N1", "portal vein", kind="portal_vein_thrombus"),
    ]
    out = assess(
        case(
            lesions,
            tp(0, {"T1": (40.0, 40.0)}, {"N1": "present"}),
            tp(56, {"T1": (30.0, 0)}, {"N1": "present"}),
            tp(112, {"T1": (30.0, 0.5)}, {"N1": "present"}),
        )
    )
    check_block(block(out, 1, MRECIST), {"target": "CR", "overall": "PR"})
    check_block(block(out, 2, MRECIST), {"target": "PD", "nadir_mm": 0})
    check_block(block(out, 2, RECIST), {"target": "SD"})


def test_mrecist_baseline_block_uses_viable_sum():
    out = assess(case(LIV_LUNG, tp(0, {"T1": (50.0, 40.0), "T2": 20.0})))
    check_block(
        block(out, 0, MRECIST),
        {"target": None, "overall": None, "sum_mm": 60.0, "nadir_mm": None},
    )


# --------------------------------------------------------------------------
# 2.1 arterial phase required
# --------------------------------------------------------------------------
PVT = non_target("N1", "portal vein", kind="portal_vein_thrombus")

ARTERIAL_ROWS = [
    pytest.param(
        False,
        {"N1": "present"},
        [],
        "NE",
        "NE",
        "SD",
        id="2.1 arterial_phase false -> mRECIST NE",
    ),
    pytest.param(
        None,
        {"N1": "present"},
        [],
        "NE",
        "NE",
        "SD",
        id="2.1 arterial_phase missing -> mRECIST NE",
    ),
    pytest.param(
        False,
        {"N1": {"status": "unequivocal_progression", "note": "thrombus extends"}},
        [],
        "NE",
        "PD",
        "PD",
        id="2.1 no arterial phase but tumour-thrombus progression -> PD",
    ),
    pytest.param(
        False,
        {"N1": "present"},
        [new("X1", "lung", 8.0)],
        "NE",
        "PD",
        "PD",
        id="2.1 no arterial phase but new extrahepatic lesion -> PD",
    ),
    pytest.param(
        True,
        {"N1": "present"},
        [],
        "SD",
        "SD",
        "SD",
        id="2.1 arterial phase read -> evaluable",
    ),
]


@pytest.mark.parametrize(
    ("arterial", "nts", "new_lesions", "m_target", "m_overall", "r_overall"),
    ARTERIAL_ROWS,
)
def test_arterial_phase(arterial, nts, new_lesions, m_target, m_overall, r_overall):
    tps = [
        tp(0, {"T1": (50.0, 40.0)}, {"N1": "present"}),
        tp(56, {"T1": (50.0, 40.0)}, nts, new_lesions, arterial=arterial),
    ]
    _, mblk, rblk = _run([liver("T1"), PVT], tps)
    assert mblk["target"] == m_target
    assert mblk["overall"] == m_overall
    assert rblk["overall"] == r_overall


# --------------------------------------------------------------------------
# 2.5 / A10 porta hepatis nodes and 2.2 infiltrative HCC
# Each row: node site, baseline node value, follow-up values, expected mRECIST
# target / non-target / overall / sums, and RECIST sum.
# --------------------------------------------------------------------------
PORTA_ROWS = [
    pytest.param(
        "porta hepatis",
        25.0,
        (40.0, 40.0),
        25.0,
        {
            "target": "SD",
            "non_target": "NON-CR/NON-PD",
            "overall": "SD",
            "baseline_sum_mm": 40.0,
            "sum_mm": 40.0,
        },
        {"non_target": None, "sum_mm": 65.0},
        id="A10 porta hepatis node 25 mm: mRECIST non-target, not in the viable sum",
    ),
    pytest.param(
        "Porta Hepatis (hilar)",
        25.0,
        (40.0, 40.0),
        25.0,
        {"non_target": "NON-CR/NON-PD", "sum_mm": 40.0},
        {"sum_mm": 65.0},
        id="A10 porta hepatis matched case-insensitively",
    ),
    pytest.param(
        "porta hepatis",
        20.0,
        (40.0, 40.0),
        20.0,
        {"non_target": "NON-CR/NON-PD", "baseline_sum_mm": 40.0},
        {"sum_mm": 60.0},
        id="A10 porta hepatis node exactly 20.0 mm is malignant (present)",
    ),
    pytest.param(
        "porta hepatis",
        25.0,
        (40.0, 0),
        19.9,
        {"target": "CR", "non_target": "NON-CR/NON-PD", "overall": "PR"},
        {"target": "SD", "sum_mm": 59.9},
        id="A10 malignant porta hepatis node shrunk to 19.9 mm is still present",
    ),
    pytest.param(
        "porta hepatis",
        25.0,
        (40.0, 0),
        9.9,
        {"target": "CR", "non_target": "CR", "overall": "CR"},
        {"target": "SD", "sum_mm": 49.9},
        id="A10 porta hepatis node below 10 mm counts as gone: mRECIST CR",
    ),
    pytest.param(
        "porta hepatis",
        19.9,
        (40.0, 0),
        19.9,
        {"target": "CR", "non_target": None, "overall": "CR", "baseline_sum_mm": 40.0},
        {"baseline_sum_mm": 59.9},
        id="A10 porta hepatis node below 20 mm at baseline is not disease",
    ),
    pytest.param(
        "porta hepatis",
        25.0,
        (40.0, 40.0),
        "not_evaluated",
        {"target": "SD", "non_target": "NE", "overall": "SD", "sum_mm": 40.0},
        {"target": "NE", "sum_mm": None},
        id="A10 porta hepatis non-target not evaluated -> mRECIST non-target NE",
    ),
    pytest.param(
        "para-aortic",
        25.0,
        (40.0, 0),
        9.9,
        {"target": "CR", "non_target": None, "baseline_sum_mm": 65.0, "sum_mm": 9.9},
        {"sum_mm": 49.9},
        id="2.5 node elsewhere stays an mRECIST target (RECIST rules)",
    ),
]


@pytest.mark.parametrize(
    ("site", "bl", "fu_liver", "fu_node", "m_exp", "r_exp"), PORTA_ROWS
)
def test_porta_hepatis_nodes(site, bl, fu_liver, fu_node, m_exp, r_exp):
    lesions = [liver("T1"), node("L1", site=site)]
    tps = [
        tp(0, {"T1": (40.0, 40.0), "L1": bl}),
        tp(56, {"T1": fu_liver, "L1": fu_node}),
    ]
    _, mblk, rblk = _run(lesions, tps)
    check_block(mblk, m_exp)
    check_block(rblk, r_exp)


INFILTRATIVE_ROWS = [
    pytest.param(
        (60.0, 50.0),
        (40.0, 40.0),
        {
            "target": "SD",
            "non_target": "NON-CR/NON-PD",
            "baseline_sum_mm": 40.0,
            "sum_mm": 40.0,
        },
        {"sum_mm": 100.0},
        id="2.2 infiltrative HCC target is an mRECIST non-target (present)",
    ),
    pytest.param(
        "absent",
        (40.0, 0),
        {"target": "CR", "non_target": "CR", "overall": "CR"},
        {"sum_mm": 40.0},
        id="2.2 infiltrative HCC gone -> mRECIST non-target CR",
    ),
    pytest.param(
        "not_evaluated",
        (40.0, 40.0),
        {"target": "SD", "non_target": "NE", "overall": "SD"},
        {"target": "NE"},
        id="2.2 infiltrative HCC not evaluated -> mRECIST non-target NE",
    ),
]


@pytest.mark.parametrize(("t2", "t1", "m_exp", "r_exp"), INFILTRATIVE_ROWS)
def test_infiltrative_hcc(t2, t1, m_exp, r_exp):
    lesions = [liver("T1"), target("T2", "liver", kind="infiltrative_hcc")]
    tps = [
        tp(0, {"T1": (40.0, 40.0), "T2": (60.0, 50.0)}),
        tp(56, {"T1": t1, "T2": t2}),
    ]
    _, mblk, rblk = _run(lesions, tps)
    check_block(mblk, m_exp)
    check_block(rblk, r_exp)


# --------------------------------------------------------------------------
# 2.5 ascites, pleural effusion, portal-vein thrombus as non-targets
# --------------------------------------------------------------------------
def _up(cytology=None):
    st = {"status": "unequivocal_progression", "note": "more fluid"}
    if cytology is not None:
        st["cytology"] = cytology
    return st


FLUID_ROWS = [
    pytest.param(
        "ascites",
        _up(),
        "NON-CR/NON-PD",
        "SD",
        "PD",
        id="2.5 ascites growth without cytology: mRECIST present, RECIST PD",
    ),
    pytest.param(
        "ascites",
        _up("positive"),
        "PD",
        "PD",
        "PD",
        id="2.5 ascites growth with positive cytology -> mRECIST PD",
    ),
    pytest.param(
        "ascites",
        _up("negative"),
        "NON-CR/NON-PD",
        "SD",
        "PD",
        id="2.5 ascites growth with negative cytology: not mRECIST PD",
    ),
    pytest.param(
        "pleural_effusion",
        _up("not_done"),
        "NON-CR/NON-PD",
        "SD",
        "PD",
        id="2.5 effusion growth, cytology not done: not mRECIST PD",
    ),
    pytest.param(
        "pleural_effusion",
        _up("positive"),
        "PD",
        "PD",
        "PD",
        id="2.5 effusion growth with positive cytology -> mRECIST PD",
    ),
    pytest.param(
        "portal_vein_thrombus",
        _up(),
        "PD",
        "PD",
        "PD",
        id="2.5 tumour-thrombus progression -> PD in both",
    ),
    pytest.param(
        "ascites",
        "present",
        "NON-CR/NON-PD",
        "SD",
        "SD",
        id="2.5 ascites persisting -> non-CR/non-PD",
    ),
    pytest.param(
        "ascites", "absent", "CR", "SD", "SD", id="2.5 ascites gone -> non-target CR"
    ),
]


@pytest.mark.parametrize(
    ("kind", "status", "m_nt", "m_overall", "r_overall"), FLUID_ROWS
)
def test_fluid_and_thrombus_non_targets(kind, status, m_nt, m_overall, r_overall):
    organ = {"ascites": "peritoneum", "pleural_effusion": "pleura"}.get(
        kind, "portal vein"
    )
    lesions = [liver("T1"), non_target("N1", organ, kind=kind)]
    tps = [
        tp(0, {"T1": (50.0, 40.0)}, {"N1": "present"}),
        tp(56, {"T1": (50.0, 40.0)}, {"N1": status}),
    ]
    _, mblk, rblk = _run(lesions, tps)
    assert mblk["target"] == "SD"
    assert mblk["non_target"] == m_nt
    assert mblk["overall"] == m_overall
    assert rblk["overall"] == r_overall


# --------------------------------------------------------------------------
# 2.5 new lesions under mRECIST (baseline T1 (50, 40) -> FU1 unchanged = SD)
# --------------------------------------------------------------------------
NEW_ROWS = [
    pytest.param(
        new("X1", "liver", 10.0, typical=True),
        True,
        "PD",
        "PD",
        id="2.5 new typical intrahepatic 10.0 mm -> PD",
    ),
    pytest.param(
        new("X1", "liver", 9.9, typical=True),
        False,
        "SD",
        "PD",
        id="2.5 new typical intrahepatic 9.9 mm not counted (RECIST: any size)",
    ),
    pytest.param(
        new("X1", "liver", 15.0, typical=False),
        False,
        "SD",
        "PD",
        id="2.5 new atypical intrahepatic 15 mm is equivocal",
    ),
    pytest.param(
        new("X1", "liver", 15.0),
        False,
        "SD",
        "PD",
        id="2.5 new intrahepatic without typical_hcc is not typical",
    ),
    pytest.param(
        new("X1", "liver", 15.0, typical=True, equivocal=True),
        False,
        "SD",
        "SD",
        id="2.5 new typical lesion marked equivocal -> not PD",
    ),
    pytest.param(
        new("X1", "lung", 4.0),
        True,
        "PD",
        "PD",
        id="2.5 new extrahepatic lesion follows RECIST (4 mm -> PD)",
    ),
    pytest.param(
        new("X1", "lymph node", 10.0, node=True, site="para-aortic"),
        True,
        "PD",
        "PD",
        id="2.5 new node 10.0 mm elsewhere -> PD",
    ),
    pytest.param(
        new("X1", "lymph node", 9.9, node=True, site="para-aortic"),
        False,
        "SD",
        "SD",
        id="2.5 new node 9.9 mm elsewhere not counted",
    ),
    pytest.param(
        new("X1", "lymph node", 19.9, node=True, site="porta hepatis"),
        False,
        "SD",
        "PD",
        id="A10 new porta hepatis node 19.9 mm not counted (RECIST PD)",
    ),
    pytest.param(
        new("X1", "lymph node", 20.0, node=True, site="porta hepatis"),
        True,
        "PD",
        "PD",
        id="A10 new porta hepatis node 20.0 mm -> PD",
    ),
    pytest.param(
        new("X1", "peritoneum", None, kind="ascites"),
        False,
        "SD",
        None,
        id="2.5 new ascites without cytology not counted",
    ),
    pytest.param(
        new("X1", "peritoneum", None, kind="ascites", cytology="negative"),
        False,
        "SD",
        None,
        id="2.5 new ascites with negative cytology not counted",
    ),
    pytest.param(
        new("X1", "peritoneum", None, kind="ascites", cytology="positive"),
        True,
        "PD",
        None,
        id="2.5 new ascites with positive cytology -> PD",
    ),
    pytest.param(
        new("X1", "pleura", None, kind="pleural_effusion", cytology="positive"),
        True,
        "PD",
        None,
        id="2.5 new effusion with positive cytology -> PD",
    ),
]


@pytest.mark.parametrize(("lesion", "m_new", "m_overall", "r_overall"), NEW_ROWS)
def test_mrecist_new_lesions(lesion, m_new, m_overall, r_overall):
    tps = [tp(0, {"T1": (50.0, 40.0)}), tp(56, {"T1": (50.0, 40.0)}, None, [lesion])]
    out, mblk, rblk = _run(LIV, tps)
    assert mblk["new_lesions"] is m_new
    assert mblk["overall"] == m_overall
    if r_overall is not None:
        assert rblk["overall"] == r_overall
    prog = progression(out, MRECIST)
    if m_overall == "PD":
        assert (prog["date"], prog["label"]) == (day(56), "FU1")
    else:
        assert prog is None


# --------------------------------------------------------------------------
# 2.5 / A8 equivocal (atypical) intrahepatic nodule confirmed later: back-dating
# --------------------------------------------------------------------------
BACKDATE_ROWS = [
    pytest.param(
        new("X1", "liver", 22.0, typical=False),
        True,
        id="2.5 atypical nodule grew by exactly 10 mm (12 -> 22) -> PD back-dated",
    ),
    pytest.param(
        new("X1", "liver", 21.9, typical=False),
        False,
        id="2.5 atypical nodule grew by 9.9 mm -> still equivocal",
    ),
    pytest.param(
        new("X1", "liver", 13.0, typical=True),
        True,
        id="2.5 atypical nodule shows the typical pattern later -> PD back-dated",
    ),
    pytest.param(
        new("X1", "liver", 12.0, typical=False),
        False,
        id="2.5 atypical nodule unchanged -> no PD",
    ),
]


@pytest.mark.parametrize(("fu2_lesion", "back_dated"), BACKDATE_ROWS)
def test_atypical_nodule_back_dating(fu2_lesion, back_dated):
    tps = [
        tp(0, {"T1": (50.0, 40.0)}),
        tp(56, {"T1": (50.0, 40.0)}, None, [new("X1", "liver", 12.0, typical=False)]),
        tp(112, {"T1": (50.0, 40.0)}, None, [fu2_lesion]),
    ]
    out = assess(case(LIV, *tps))
    fu1, fu2 = block(out, 1, MRECIST), block(out, 2, MRECIST)
    prog = progression(out, MRECIST)
    if back_dated:
        check_block(fu1, {"overall": "PD", "new_lesions": True, "revised_from": "SD"})
        assert fu2["overall"] == "PD"
        assert (prog["date"], prog["label"]) == (day(56), "FU1")
    else:
        check_block(fu1, {"overall": "SD", "new_lesions": False, "revised_from": None})
        assert fu2["overall"] == "SD"
        assert prog is None


def test_atypical_nodule_growth_counted_from_first_sighting():
    """2.5: growth by >= 10 mm is measured from the first detection (12 -> 17 -> 22)."""
    tps = [tp(0, {"T1": (50.0, 40.0)})]
    for d, size in ((56, 12.0), (112, 17.0), (168, 22.0)):
        lesion = new("X1", "liver", size, typical=False)
        tps.append(tp(d, {"T1": (50.0, 40.0)}, None, [lesion]))
    out = assess(case(LIV, *tps))
    check_block(block(out, 1, MRECIST), {"overall": "PD", "revised_from": "SD"})
    assert block(out, 3, MRECIST)["overall"] == "PD"
    assert progression(out, MRECIST)["label"] == "FU1"


REAPPEAR_NT_ROWS = [
    pytest.param(
        node("L1", site="porta hepatis"),
        (9.0, 12.0),
        id="A3+A10 porta hepatis node back to >= 10 mm after mRECIST CR -> PD",
    ),
    pytest.param(
        target("L1", "liver", kind="infiltrative_hcc"),
        ("absent", (30.0, 10.0)),
        id="A3+2.2 infiltrative HCC back after mRECIST CR -> PD",
    ),
]


@pytest.mark.parametrize(("lesion", "values"), REAPPEAR_NT_ROWS)
def test_mrecist_non_target_back_after_cr(lesion, values):
    tps = [
        tp(
            0,
            {"T1": (40.0, 40.0), "L1": (30.0, 25.0) if values[0] == "absent" else 25.0},
        ),
        tp(56, {"T1": (40.0, 0), "L1": values[0]}),
        tp(112, {"T1": (40.0, 0), "L1": values[1]}),
    ]
    out = assess(case([liver("T1"), lesion], *tps))
    check_block(block(out, 1, MRECIST), {"non_target": "CR", "overall": "CR"})
    check_block(block(out, 2, MRECIST), {"non_target": "PD", "overall": "PD"})


def test_reader_equivocal_intrahepatic_confirmed_is_back_dated():
    """A8 under mRECIST: a typical nodule first marked equivocal, then confirmed."""
    tps = [
        tp(0, {"T1": (50.0, 40.0)}),
        tp(
            56,
            {"T1": (50.0, 28.0)},
            None,
            [new("X1", "liver", 14.0, typical=True, equivocal=True)],
        ),
        tp(
            112,
            {"T1": (50.0, 28.0)},
            None,
            [new("X1", "liver", 15.0, typical=True, equivocal=False)],
        ),
    ]
    out = assess(case(LIV, *tps))
    check_block(
        block(out, 1, MRECIST),
        {"target": "PR", "overall": "PD", "new_lesions": True, "revised_from": "PR"},
    )
    prog = progression(out, MRECIST)
    assert (prog["date"], prog["label"]) == (day(56), "FU1")


def test_both_criteria_reported_with_their_own_sums():
    """2.5 / A11: both criteria are always computed and shown."""
    out = assess(
        case(
            LIV,
            tp(0, {"T1": (50.0, 40.0)}),
            tp(56, {"T1": (48.0, 12.0)}),
        )
    )
    check_block(last(out, RECIST), {"target": "SD", "sum_mm": 48.0})
    check_block(last(out, MRECIST), {"target": "PR", "sum_mm": 12.0})
    assert set(out["best_overall"]) >= {RECIST, MRECIST}
