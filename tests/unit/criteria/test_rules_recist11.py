"""RECIST 1.1 time-point rules, checked black-box against the published definitions.

Sources: Eisenhauer et al. 2009 (RECIST 1.1) and the RECIST Working Group Q&A, as
summarised in RULES.md section 1, and respond's decisions A1, A3, A4, A5, A7, A8
(RULES.md section 3).  Target lesions here are extrahepatic (lung, adrenal, nodes)
so that the mRECIST block does not interfere; only the RECIST 1.1 block is read.
"""

from __future__ import annotations

import pytest
from casebuild import (
    RECIST,
    assess,
    block,
    case,
    check_block,
    day,
    last,
    mentions,
    new,
    node,
    non_target,
    progression,
    target,
    tp,
)

ONE = [target("T1")]
TWO = [target("T1"), target("T2", "adrenal")]
WITH_NODE = [target("T1"), node("L1")]
TWO_NODES = [node("L1"), node("L2", site="mediastinal")]
NT_PD = {"status": "unequivocal_progression", "note": "clear growth of bone lesion"}


def run_last(lesions, tps, settings=None, *, decimal=False):
    out = assess(case(lesions, *tps, settings=settings, decimal=decimal))
    return out, last(out, RECIST)


# --------------------------------------------------------------------------
# 1.3 target categories and 1.2 measurement conventions.
# Each row: lesions, time points, expected values in the latest RECIST block.
# --------------------------------------------------------------------------
TARGET_ROWS = [
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 35.0})],
        {
            "target": "PR",
            "overall": "PR",
            "sum_mm": 35.0,
            "baseline_sum_mm": 50.0,
            "nadir_mm": 50.0,
            "change_from_baseline_pct": -30.0,
            "change_from_nadir_pct": -30.0,
        },
        id="1.3 PR at exactly -30.0% (50.0 -> 35.0)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 35.1})],
        {"target": "SD", "overall": "SD", "change_from_baseline_pct": -29.8},
        id="1.3 SD at -29.8% (50.0 -> 35.1)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 14.0}), tp(56, {"T1": 9.8})],
        {"target": "PR", "sum_mm": 9.8, "change_from_baseline_pct": -30.0},
        id="1.3+A7 PR at exactly -30% where binary floats fail (14.0 -> 9.8)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 23.0}), tp(56, {"T1": 16.1})],
        {"target": "PR"},
        id="1.3+A7 PR at exactly -30% where binary floats fail (23.0 -> 16.1)",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 7.7, "T2": 6.3}), tp(56, {"T1": 4.9, "T2": 4.9})],
        {"target": "PR", "baseline_sum_mm": 14.0, "sum_mm": 9.8},
        id="1.3+A7 PR at exactly -30% on a sum of two targets (14.0 -> 9.8)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 25.0}), tp(112, {"T1": 30.0})],
        {
            "target": "PD",
            "overall": "PD",
            "nadir_mm": 25.0,
            "change_from_nadir_pct": 20.0,
            "change_from_baseline_pct": -40.0,
        },
        id="1.3 PD at exactly +20.0% and +5.0 mm over nadir (25.0 -> 30.0)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 25.0}), tp(112, {"T1": 29.9})],
        {"target": "PR", "overall": "PR", "change_from_nadir_pct": 19.6},
        id="1.3 not PD at +19.6% over nadir (25.0 -> 29.9), still PR",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": 24.0})],
        {"target": "SD", "overall": "SD", "change_from_nadir_pct": 20.0},
        id="1.3 not PD at +20% but only +4.0 mm (20.0 -> 24.0)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 24.75}), tp(56, {"T1": 29.70})],
        {"target": "SD", "sum_mm": 29.7},
        id="1.3+A7 not PD at +20% and +4.95 mm (24.75 -> 29.70)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 24.75}), tp(56, {"T1": 29.75})],
        {"target": "PD", "sum_mm": 29.75},
        id="1.3+A7 PD at +20.2% and exactly +5.00 mm (24.75 -> 29.75)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 29.0}), tp(56, {"T1": 34.8})],
        {"target": "PD", "change_from_nadir_pct": 20.0},
        id="1.3+A7 PD at exactly +20% where binary floats fail (29.0 -> 34.8)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": 35.9})],
        {"target": "SD", "change_from_nadir_pct": 19.7},
        id="1.3 not PD at +5.9 mm but +19.7% (30.0 -> 35.9)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 100.0}), tp(56, {"T1": 60.0}), tp(112, {"T1": 72.0})],
        {"target": "PD", "nadir_mm": 60.0, "change_from_baseline_pct": -28.0},
        id="1.3 PD measured from nadir although below baseline (100 -> 60 -> 72)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 40.0}), tp(56, {"T1": 48.0})],
        {"target": "PD", "nadir_mm": 40.0},
        id="1.3 nadir includes baseline (40 -> 48 is PD)",
    ),
    pytest.param(
        ONE,
        [
            tp(0, {"T1": 50.0}),
            tp(56, {"T1": 40.0}),
            tp(112, {"T1": 45.0}),
            tp(168, {"T1": 48.0}),
        ],
        {"target": "PD", "nadir_mm": 40.0, "change_from_nadir_pct": 20.0},
        id="1.3 nadir is the smallest earlier sum (50, 40, 45 -> 48 is PD)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 40.0}), tp(112, {"T1": 45.0})],
        {"target": "SD", "nadir_mm": 40.0, "change_from_nadir_pct": 12.5},
        id="1.3 nadir from earlier time points only (50, 40 -> 45 is SD)",
    ),
    pytest.param(
        TWO,
        [
            tp(0, {"T1": 30.0, "T2": 30.0}),
            tp(56, {"T1": 10.0, "T2": "not_evaluated"}),
            tp(112, {"T1": 25.0, "T2": 25.0}),
        ],
        {"target": "SD", "nadir_mm": 60.0, "sum_mm": 50.0},
        id="1.3 nadir skips a time point with a missing target",
    ),
    pytest.param(
        WITH_NODE,
        [tp(0, {"T1": 30.0, "L1": 20.0}), tp(56, {"T1": "absent", "L1": 9.9})],
        {"target": "CR", "overall": "CR", "sum_mm": 9.9},
        id="1.3 CR with non-nodal 0 and node 9.9 mm (sum 9.9 > 0)",
    ),
    pytest.param(
        WITH_NODE,
        [tp(0, {"T1": 30.0, "L1": 20.0}), tp(56, {"T1": 0, "L1": 10.0})],
        {"target": "PR", "overall": "PR", "sum_mm": 10.0},
        id="1.3 not CR when a target node is exactly 10.0 mm",
    ),
    pytest.param(
        WITH_NODE,
        [
            tp(0, {"T1": 30.0, "L1": 20.0}),
            tp(56, {"T1": "absent", "L1": "too_small"}),
        ],
        {"target": "CR", "sum_mm": 5.0},
        id="1.2 too_small node counts 5 mm and < 10 mm, so CR",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": "too_small"})],
        {"target": "PR", "sum_mm": 5.0},
        id="1.2 too_small non-nodal target counts 5 mm, not CR",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": 3.0})],
        {"target": "PR", "sum_mm": 3.0},
        id="1.2 a measured value below 5 mm is used as measured (3.0)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": 4.95})],
        {"target": "PR", "sum_mm": 4.95},
        id="1.2+A7 value 4.95 kept exactly",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": 0})],
        {"target": "CR", "overall": "CR", "sum_mm": 0},
        id="1.3 CR when the only non-nodal target is measured 0 mm",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": "absent"})],
        {"target": "CR", "overall": "CR", "sum_mm": 0},
        id="1.2 absent target counts 0 mm, CR",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 30.0}), tp(56, {"T1": [12.3, 8.4]})],
        {"target": "PR", "sum_mm": 20.7, "change_from_baseline_pct": -31.0},
        id="1.2 split lesion: fragments added (12.3 + 8.4 = 20.7)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": [14.0, 21.0]})],
        {"target": "PR", "sum_mm": 35.0},
        id="1.2 split lesion at the -30% boundary (14.0 + 21.0 of 50.0)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 25.0}), tp(56, {"T1": [15.0, 15.0]})],
        {"target": "PD", "sum_mm": 30.0},
        id="1.2 split lesion fragments reaching PD (25.0 -> 15.0 + 15.0)",
    ),
    pytest.param(
        TWO,
        [
            tp(0, {"T1": 30.0, "T2": 20.0}),
            tp(56, {"T1": 40.0, "T2": {"merged_into": "T1"}}),
        ],
        {"target": "SD", "sum_mm": 40.0, "change_from_baseline_pct": -20.0},
        id="1.2 coalesced lesion counts 0, merged mass on the other",
    ),
    pytest.param(
        TWO,
        [
            tp(0, {"T1": 20.0, "T2": 20.0}),
            tp(56, {"T1": 48.0, "T2": {"merged_into": "T1"}}),
        ],
        {"target": "PD", "sum_mm": 48.0},
        id="1.2 coalesced lesions reaching PD on the merged mass",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 30.0, "T2": 30.0}), tp(56, {"T1": 20.0, "T2": "not_evaluated"})],
        {
            "target": "NE",
            "overall": "NE",
            "sum_mm": None,
            "change_from_baseline_pct": None,
            "change_from_nadir_pct": None,
        },
        id="1.2+A4 target not evaluated -> NE, sum None",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 30.0, "T2": 30.0}), tp(56, {"T1": 20.0, "T2": None})],
        {"target": "NE", "overall": "NE", "sum_mm": None},
        id="1.2+A4 target missing from the object -> NE",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 20.0, "T2": 20.0}), tp(56, {"T1": 48.0, "T2": "not_evaluated"})],
        {"target": "PD", "overall": "PD", "sum_mm": None},
        id="A4 target missing but measured ones alone meet PD (+8 mm, +20%) -> PD",
    ),
    pytest.param(
        TWO,
        [
            tp(0, {"T1": 30.0, "T2": 30.0}),
            tp(56, {"T1": 10.0, "T2": 10.0}),
            tp(112, {"T1": 25.0, "T2": "not_evaluated"}),
        ],
        {"target": "PD", "nadir_mm": 20.0, "sum_mm": None},
        id="A4 measured ones alone meet PD against the nadir (20 -> 25 + missing)",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 20.0, "T2": 20.0}), tp(56, {"T1": 47.9, "T2": None})],
        {"target": "NE", "overall": "NE"},
        id="A4 target missing, measured ones alone just short of PD -> NE",
    ),
    pytest.param(
        TWO,
        [tp(0, {"T1": 30.0, "T2": 30.0}), tp(56, {"T1": "absent", "T2": None})],
        {"target": "NE"},
        id="A4 target missing while the other has gone: NE, not CR",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 20.0}), tp(56, {"T1": "absent"}), tp(112, {"T1": 3.0})],
        {"target": "PD", "overall": "PD"},
        id="A3 reappearance after overall CR -> PD (3.0 mm, below the 5 mm rule)",
    ),
    pytest.param(
        [node("L1")],
        [tp(0, {"L1": 20.0}), tp(56, {"L1": 8.0}), tp(112, {"L1": 10.0})],
        {"target": "PD", "overall": "PD"},
        id="A3 target node back to 10.0 mm after overall CR -> PD",
    ),
    pytest.param(
        [node("L1")],
        [tp(0, {"L1": 20.0}), tp(56, {"L1": 8.0}), tp(112, {"L1": 9.9})],
        {"target": "CR", "overall": "CR", "sum_mm": 9.9},
        id="A3 target node at 9.9 mm after CR stays CR",
    ),
    pytest.param(
        [target("T1"), non_target("N1", "bone")],
        [
            tp(0, {"T1": 20.0}, {"N1": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "absent"}),
            tp(112, {"T1": "absent"}, {"N1": "not_evaluated"}),
            tp(168, {"T1": 3.0}, {"N1": "absent"}),
        ],
        {"target": "PD", "overall": "PD"},
        id="A3 reappearance after an overall CR two time points back -> PD",
    ),
    pytest.param(
        [target("T1"), non_target("N1", "bone")],
        [
            tp(0, {"T1": 20.0}, {"N1": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "present"}),
            tp(112, {"T1": 4.0}, {"N1": "present"}),
        ],
        {"target": "PR", "overall": "PR"},
        id="1.8 reappearance without an earlier overall CR is not PD by itself",
    ),
    pytest.param(
        [target("T1"), non_target("N1", "bone")],
        [
            tp(0, {"T1": 20.0}, {"N1": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "present"}),
            tp(112, {"T1": 5.0}, {"N1": "present"}),
        ],
        {"target": "PD", "nadir_mm": 0, "sum_mm": 5.0},
        id="1.3 PD from a nadir of 0: regrowth of exactly +5.0 mm",
    ),
    pytest.param(
        [target("T1"), non_target("N1", "bone")],
        [
            tp(0, {"T1": 20.0}, {"N1": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "present"}),
            tp(112, {"T1": 4.9}, {"N1": "present"}),
        ],
        {"target": "PR", "nadir_mm": 0, "sum_mm": 4.9},
        id="1.3 not PD from a nadir of 0: regrowth of +4.9 mm",
    ),
    pytest.param(
        ONE,
        [
            tp(0, {"T1": 50.0}),
            tp(56, {"T1": {"status": "measured", "long_axis_mm": 35.0}}),
        ],
        {"target": "PR", "sum_mm": 35.0},
        id="1.2 explicit status measured",
    ),
    pytest.param(
        TWO_NODES,
        [
            tp(0, {"L1": 20.0, "L2": 20.0}),
            tp(56, {"L1": 4.0, "L2": 4.0}),
            tp(112, {"L1": 9.0, "L2": 9.0}),
        ],
        {"target": "CR", "overall": "CR", "sum_mm": 18.0},
        id="1.3 order: CR before PD (nodes 4+4 -> 9+9, all < 10 mm)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 50.0}), tp(56, {"T1": 30.0}), tp(112, {"T1": 35.5})],
        {"target": "PR", "overall": "PR", "change_from_baseline_pct": -29.0},
        id="A1 continuing PR (default): regrowth to -29% without PD stays PR",
    ),
    pytest.param(
        TWO,
        [
            tp(0, {"T1": 25.0, "T2": 25.0}),
            tp(56, {"T1": 15.0, "T2": 15.0}),
            tp(112, {"T1": 15.0, "T2": "not_evaluated"}),
            tp(168, {"T1": 17.5, "T2": 18.0}),
        ],
        {"target": "PR", "nadir_mm": 30.0, "change_from_baseline_pct": -29.0},
        id="A1 continuing PR survives an NE time point in between",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 100.0}), tp(56, {"T1": 65.0}), tp(112, {"T1": 78.0})],
        {"target": "PD"},
        id="A1 continuing PR does not hide PD (65 -> 78, +20%)",
    ),
    pytest.param(
        ONE,
        [
            tp(0, {"T1": 100.0}),
            tp(56, {"T1": 65.0}),
            tp(112, {"T1": 78.0}),
            tp(168, {"T1": 75.0}),
        ],
        {"target": "SD", "nadir_mm": 65.0},
        id="A1 no continuing PR after a target PD since the PR (-25% -> SD)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 100.0}), tp(56, {"T1": 75.0}), tp(112, {"T1": 72.0})],
        {"target": "SD"},
        id="A1 continuing PR needs an earlier PR (75 -> 72 stays SD)",
    ),
    pytest.param(
        ONE,
        [tp(0, {"T1": 40.0}), tp(56, {"T1": 40.58})],
        {"target": "SD", "change_from_baseline_pct": 1.5},
        id="A7 percentage rounded half-up to 0.1 (+1.45% -> 1.5)",
    ),
]


@pytest.mark.parametrize(("lesions", "tps", "expect"), TARGET_ROWS)
def test_target_rules(lesions, tps, expect):
    _, blk = run_last(lesions, tps)
    check_block(blk, expect)


@pytest.mark.parametrize(("lesions", "tps", "expect"), TARGET_ROWS)
def test_target_rules_with_decimal_input(lesions, tps, expect):
    """A7: the same rows with numbers given as decimal.Decimal."""
    _, blk = run_last(lesions, tps, decimal=True)
    check_block(blk, expect)


CONTINUING_PR_OFF = [
    pytest.param(
        [50.0, 30.0, 35.5],
        "SD",
        id="A1 continuing_pr false: regrowth to -29% is SD (2009 text)",
    ),
    pytest.param(
        [50.0, 30.0, 35.0],
        "PR",
        id="A1 continuing_pr false: regrowth to exactly -30% is still PR",
    ),
    pytest.param(
        [50.0, 30.0, 36.0],
        "PD",
        id="A1 continuing_pr false: +20% and +6 mm over nadir is PD",
    ),
]


@pytest.mark.parametrize(("values", "want"), CONTINUING_PR_OFF)
def test_continuing_pr_off(values, want):
    tps = [tp(56 * i, {"T1": v}) for i, v in enumerate(values)]
    _, blk = run_last(ONE, tps, {"continuing_pr": False})
    assert blk["target"] == want
    assert blk["overall"] == want


def test_continuing_pr_reason_names_the_reading():
    """A1: the reasons say that the PR continues (working group reading)."""
    _, blk = run_last(
        ONE, [tp(0, {"T1": 50.0}), tp(56, {"T1": 30.0}), tp(112, {"T1": 35.5})]
    )
    assert blk["target"] == "PR"
    assert mentions(blk["reasons"], "continu", "working group", "q&a")


def test_reappearance_reason_says_so():
    """A3: the reasons say 'reappearance after CR'."""
    _, blk = run_last(
        ONE, [tp(0, {"T1": 20.0}), tp(56, {"T1": "absent"}), tp(112, {"T1": 3.0})]
    )
    assert blk["overall"] == "PD"
    assert mentions(blk["reasons"], "reappear")


def test_baseline_block():
    """Output contract: baseline listed first, categories None, sums filled."""
    out = assess(
        case(
            [*WITH_NODE, non_target("N1", "bone")],
            tp(0, {"T1": 30.0, "L1": 18.0}, {"N1": "present"}, label="Baseline"),
            tp(56, {"T1": 20.0, "L1": 12.0}, {"N1": "present"}),
        )
    )
    first = out["timepoints"][0]
    assert first["label"] == "Baseline"
    assert first["date"] == day(0)
    blk = first[RECIST]
    check_block(
        blk,
        {
            "target": None,
            "non_target": None,
            "overall": None,
            "sum_mm": 48.0,
            "baseline_sum_mm": 48.0,
            "nadir_mm": None,
            "change_from_baseline_pct": None,
            "change_from_nadir_pct": None,
        },
    )
    assert out["timepoints"][1]["label"] == "FU1"
    check_block(block(out, 1), {"sum_mm": 32.0, "target": "PR"})


def test_kind_node_implies_is_node():
    """case format: kind node implies is_node, so the short axis counts."""
    lesion = {"id": "L1", "role": "target", "organ": "abdomen", "kind": "node"}
    doc = case(
        [lesion],
        tp(0, {"L1": {"short_axis_mm": 20.0, "long_axis_mm": 30.0}}),
        tp(56, {"L1": {"short_axis_mm": 9.0, "long_axis_mm": 15.0}}),
    )
    out = assess(doc)
    check_block(block(out, 0), {"sum_mm": 20.0})
    check_block(block(out, 1), {"sum_mm": 9.0, "target": "CR"})


def test_node_long_axis_ignored():
    """1.1: a target node enters the sum with its short axis, not its long axis."""
    doc = case(
        [node("L1")],
        tp(0, {"L1": {"short_axis_mm": 20.0, "long_axis_mm": 30.0}}),
        tp(56, {"L1": {"short_axis_mm": 14.0, "long_axis_mm": 30.0}}),
    )
    out = assess(doc)
    check_block(block(out, 0), {"sum_mm": 20.0})
    check_block(block(out, 1), {"sum_mm": 14.0, "target": "PR"})


# --------------------------------------------------------------------------
# 1.4 non-target categories and 1.6 overall table (targets + non-targets)
# Baseline: T1 50.0 (lung), N1 bone present, N2 peritoneum present.
# Each row: T1 value at FU1, non-targets at FU1, expected target, non-target, overall.
# --------------------------------------------------------------------------
NT_LESIONS = [target("T1"), non_target("N1", "bone"), non_target("N2", "peritoneum")]
BOTH_PRESENT = {"N1": "present", "N2": "present"}

NT_ROWS = [
    pytest.param(
        40.0,
        BOTH_PRESENT,
        "SD",
        "NON-CR/NON-PD",
        "SD",
        id="1.6 SD + non-CR/non-PD -> SD",
    ),
    pytest.param(
        30.0,
        BOTH_PRESENT,
        "PR",
        "NON-CR/NON-PD",
        "PR",
        id="1.6 PR + non-CR/non-PD -> PR",
    ),
    pytest.param(
        30.0,
        {"N1": NT_PD, "N2": "present"},
        "PR",
        "PD",
        "PD",
        id="1.4+A5 unequivocal progression (with note) -> NT PD, overall PD despite PR",
    ),
    pytest.param(
        40.0,
        {"N1": "unequivocal_progression", "N2": "present"},
        "SD",
        "PD",
        "PD",
        id="1.4 unequivocal progression as plain status -> PD",
    ),
    pytest.param(
        30.0,
        {"N1": "unequivocal_progression", "N2": "not_evaluated"},
        "PR",
        "PD",
        "PD",
        id="1.4 unequivocal progression beats not evaluated -> PD",
    ),
    pytest.param(
        30.0,
        {"N1": "not_evaluated", "N2": "present"},
        "PR",
        "NE",
        "PR",
        id="1.6 PR + non-target not evaluated -> PR",
    ),
    pytest.param(
        40.0,
        {"N1": "not_evaluated", "N2": "present"},
        "SD",
        "NE",
        "SD",
        id="1.6 SD + non-target not evaluated -> SD",
    ),
    pytest.param(
        40.0,
        {"N1": "present"},
        "SD",
        "NE",
        "SD",
        id="1.4 non-target missing from non_targets at follow-up -> NE",
    ),
    pytest.param(
        "absent",
        {"N1": "absent", "N2": "absent"},
        "CR",
        "CR",
        "CR",
        id="1.6 CR + non-target CR -> CR",
    ),
    pytest.param(
        "absent",
        {"N1": "absent", "N2": "present"},
        "CR",
        "NON-CR/NON-PD",
        "PR",
        id="1.6 CR + non-CR/non-PD -> PR",
    ),
    pytest.param(
        "absent",
        {"N1": "absent", "N2": "not_evaluated"},
        "CR",
        "NE",
        "PR",
        id="1.6 CR + non-target not evaluated -> PR",
    ),
    pytest.param(
        "not_evaluated",
        BOTH_PRESENT,
        "NE",
        "NON-CR/NON-PD",
        "NE",
        id="1.6 target NE + non-PD -> NE",
    ),
    pytest.param(
        "not_evaluated",
        {"N1": NT_PD, "N2": "present"},
        "NE",
        "PD",
        "PD",
        id="1.6 target NE + non-target PD -> PD",
    ),
    pytest.param(
        60.0,
        {"N1": "absent", "N2": "absent"},
        "PD",
        "CR",
        "PD",
        id="1.6 target PD + non-target CR -> PD",
    ),
    pytest.param(
        30.0,
        {"N1": {"status": "present", "note": "stable"}, "N2": "absent"},
        "PR",
        "NON-CR/NON-PD",
        "PR",
        id="1.4 object form of a non-target status",
    ),
]


@pytest.mark.parametrize(("t1", "nts", "want_t", "want_nt", "want_o"), NT_ROWS)
def test_non_target_and_overall_table(t1, nts, want_t, want_nt, want_o):
    tps = [tp(0, {"T1": 50.0}, BOTH_PRESENT), tp(56, {"T1": t1}, nts)]
    _, blk = run_last(NT_LESIONS, tps)
    check_block(
        blk,
        {"target": want_t, "non_target": want_nt, "overall": want_o},
    )
    assert blk["new_lesions"] is False


def test_no_non_targets_gives_none():
    """Output contract: non_target is None when there are no non-target lesions."""
    _, blk = run_last(ONE, [tp(0, {"T1": 50.0}), tp(56, {"T1": 45.0})])
    check_block(blk, {"non_target": None, "target": "SD", "overall": "SD"})


MULTI_NT_ROWS = [
    pytest.param(
        [
            tp(0, {"T1": 20.0}, {"N1": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "absent"}),
            tp(112, {"T1": "absent"}, {"N1": "present"}),
        ],
        ("CR", "PD", "PD"),
        id="A3 absent non-target present again after overall CR -> NT PD",
    ),
    pytest.param(
        [
            tp(0, {"T1": 20.0}, {"N1": "present", "N2": "present"}),
            tp(56, {"T1": "absent"}, {"N1": "absent", "N2": "present"}),
            tp(112, {"T1": "absent"}, {"N1": "present", "N2": "present"}),
        ],
        ("CR", "NON-CR/NON-PD", "PR"),
        id="1.8 non-target back without an earlier overall CR -> not PD",
    ),
]


@pytest.mark.parametrize(("tps", "want"), MULTI_NT_ROWS)
def test_non_target_reappearance(tps, want):
    lesions = [target("T1"), non_target("N1", "bone")]
    if "N2" in tps[0]["nts"]:
        lesions.append(non_target("N2", "peritoneum"))
    _, blk = run_last(lesions, tps)
    assert (blk["target"], blk["non_target"], blk["overall"]) == want


# --------------------------------------------------------------------------
# 1.6 non-target-only disease
# --------------------------------------------------------------------------
NT_ONLY_ROWS = [
    pytest.param(
        {"N1": "absent", "N2": "absent"},
        [],
        "CR",
        "CR",
        id="1.6 non-target only: all gone -> CR",
    ),
    pytest.param(
        {"N1": "absent", "N2": "present"},
        [],
        "NON-CR/NON-PD",
        "NON-CR/NON-PD",
        id="1.6 non-target only: persisting -> NON-CR/NON-PD (not SD)",
    ),
    pytest.param(
        {"N1": "not_evaluated", "N2": "present"},
        [],
        "NE",
        "NE",
        id="1.6 non-target only: not evaluated -> NE",
    ),
    pytest.param(
        {"N1": NT_PD, "N2": "present"},
        [],
        "PD",
        "PD",
        id="1.6 non-target only: unequivocal progression -> PD",
    ),
    pytest.param(
        {"N1": "present", "N2": "present"},
        [new("X1")],
        "NON-CR/NON-PD",
        "PD",
        id="1.6 non-target only: new lesion -> PD",
    ),
]


@pytest.mark.parametrize(("nts", "new_lesions", "want_nt", "want_o"), NT_ONLY_ROWS)
def test_non_target_only_disease(nts, new_lesions, want_nt, want_o):
    lesions = [non_target("N1", "bone"), non_target("N2", "peritoneum")]
    tps = [tp(0, None, BOTH_PRESENT), tp(56, None, nts, new_lesions)]
    _, blk = run_last(lesions, tps)
    assert blk["target"] is None
    assert blk["non_target"] == want_nt
    assert blk["overall"] == want_o


# --------------------------------------------------------------------------
# 1.5 new lesions (single follow-up; baseline T1 50.0 -> FU1 30.0 = target PR)
# --------------------------------------------------------------------------
NEW_ROWS = [
    pytest.param(
        [new("X1")], True, "PD", id="1.5 new lesion (equivocal default false) -> PD"
    ),
    pytest.param(
        [new("X1", equivocal=False)],
        True,
        "PD",
        id="1.5 new lesion, equivocal false -> PD",
    ),
    pytest.param(
        [new("X1", equivocal=True)],
        False,
        "PR",
        id="1.5 equivocal new lesion does not count",
    ),
    pytest.param(
        [new("X1", size=3.0)],
        True,
        "PD",
        id="1.5 no minimum size: 3 mm new lesion -> PD",
    ),
    pytest.param(
        [new("X1", "lymph node", 9.9, node=True)],
        False,
        "PR",
        id="1.5 new node with short axis 9.9 mm is not a new lesion",
    ),
    pytest.param(
        [new("X1", "lymph node", 10.0, node=True)],
        True,
        "PD",
        id="1.5 new node with short axis 10.0 mm -> PD",
    ),
    pytest.param(
        [new("X1", equivocal=True), new("X2", "bone", 8.0)],
        True,
        "PD",
        id="1.5 one unequivocal among equivocal new lesions -> PD",
    ),
    pytest.param([], False, "PR", id="1.5 no new lesions"),
]


@pytest.mark.parametrize(("new_lesions", "want_new", "want_o"), NEW_ROWS)
def test_new_lesions(new_lesions, want_new, want_o):
    tps = [tp(0, {"T1": 50.0}), tp(56, {"T1": 30.0}, None, new_lesions)]
    out, blk = run_last(ONE, tps)
    assert blk["target"] == "PR"
    assert blk["new_lesions"] is want_new
    assert blk["overall"] == want_o
    prog = progression(out, RECIST)
    if want_o == "PD":
        assert prog is not None
        assert (prog["date"], prog["label"]) == (day(56), "FU1")
    else:
        assert prog is None


# --------------------------------------------------------------------------
# 1.5 / A8 equivocal new lesion later confirmed: back-dating
# --------------------------------------------------------------------------
def _three(fu1_new, fu2_new, fu3_new=None):
    tps = [
        tp(0, {"T1": 50.0}),
        tp(56, {"T1": 30.0}, None, fu1_new),
        tp(112, {"T1": 30.0}, None, fu2_new),
    ]
    if fu3_new is not None:
        tps.append(tp(168, {"T1": 30.0}, None, fu3_new))
    return assess(case(ONE, *tps))


def test_equivocal_confirmed_is_back_dated():
    out = _three([new("X1", equivocal=True)], [new("X1", size=15.0, equivocal=False)])
    fu1 = block(out, 1)
    check_block(
        fu1,
        {"target": "PR", "overall": "PD", "new_lesions": True, "revised_from": "PR"},
    )
    check_block(block(out, 2), {"overall": "PD", "new_lesions": True})
    assert block(out, 2)["revised_from"] is None
    assert block(out, 0)["revised_from"] is None
    prog = progression(out, RECIST)
    assert prog is not None
    assert (prog["date"], prog["label"]) == (day(56), "FU1")


def test_equivocal_confirmed_later_back_dates_to_first_sighting():
    out = _three(
        [new("X1", equivocal=True)],
        [new("X1", equivocal=True)],
        [new("X1", equivocal=False)],
    )
    check_block(
        block(out, 1), {"overall": "PD", "new_lesions": True, "revised_from": "PR"}
    )
    # A8: the finding was there at FU2 too, so FU2 is revised as well.
    check_block(
        block(out, 2), {"overall": "PD", "new_lesions": True, "revised_from": "PR"}
    )
    assert block(out, 3)["overall"] == "PD"
    assert block(out, 3)["revised_from"] is None
    prog = progression(out, RECIST)
    assert (prog["date"], prog["label"]) == (day(56), "FU1")


def test_equivocal_never_confirmed_is_not_pd():
    out = _three([new("X1", equivocal=True)], [])
    for i in (1, 2):
        check_block(block(out, i), {"overall": "PR", "new_lesions": False})
        assert block(out, i)["revised_from"] is None
    assert progression(out, RECIST) is None


def test_equivocal_still_equivocal_is_not_pd():
    out = _three([new("X1", equivocal=True)], [new("X1", equivocal=True)])
    assert [block(out, i)["overall"] for i in (1, 2)] == ["PR", "PR"]
    assert progression(out, RECIST) is None


def test_equivocal_confirmed_by_default_equivocal_false():
    """1.5: equivocal defaults to false, so a later listing without it confirms."""
    out = _three([new("X1", equivocal=True)], [new("X1")])
    check_block(block(out, 1), {"overall": "PD", "revised_from": "PR"})
    assert progression(out, RECIST)["label"] == "FU1"


def test_other_new_lesion_does_not_back_date_an_equivocal_one():
    out = _three([new("X1", equivocal=True)], [new("X2", equivocal=False)])
    check_block(block(out, 1), {"overall": "PR", "revised_from": None})
    check_block(block(out, 2), {"overall": "PD", "new_lesions": True})
    prog = progression(out, RECIST)
    assert (prog["date"], prog["label"]) == (day(112), "FU2")


# --------------------------------------------------------------------------
# 1.1 baseline selection rules: reported, never silently accepted
# --------------------------------------------------------------------------
def _warns_or_refuses(doc):
    from respond.casefile import CaseFormatError

    try:
        out = assess(doc)
    except CaseFormatError:
        return True
    return bool(out.get("warnings"))


BASELINE_ROWS = [
    pytest.param(
        [
            target(f"T{i}", organ)
            for i, organ in enumerate(
                ["lung", "lung", "adrenal", "bone", "kidney", "spleen"], 1
            )
        ],
        {f"T{i}": 20.0 for i in range(1, 7)},
        id="1.1 more than 5 targets",
    ),
    pytest.param(
        [target("T1"), target("T2"), target("T3")],
        {"T1": 20.0, "T2": 20.0, "T3": 20.0},
        id="1.1 more than 2 targets in one organ",
    ),
    pytest.param(
        [target("T1")],
        {"T1": 9.9},
        id="1.1 non-nodal target below 10 mm",
    ),
    pytest.param(
        [node("L1")],
        {"L1": 14.9},
        id="1.1 target node short axis below 15 mm",
    ),
]


@pytest.mark.parametrize(("lesions", "values"), BASELINE_ROWS)
def test_baseline_selection_is_flagged(lesions, values):
    doc = case(lesions, tp(0, values), tp(56, values))
    assert _warns_or_refuses(doc)


def test_measurable_at_thresholds_is_not_flagged():
    """1.1: 10.0 mm non-nodal and 15.0 mm node targets are measurable."""
    out = assess(
        case(
            [target("T1"), node("L1")],
            tp(0, {"T1": 10.0, "L1": 15.0}),
            tp(56, {"T1": 10.0, "L1": 15.0}),
        )
    )
    assert not [
        w
        for w in out.get("warnings", [])
        if mentions([w], "measurab", "10 mm", "15 mm", "short axis")
    ]
    check_block(last(out, RECIST), {"target": "SD", "sum_mm": 25.0})


# --------------------------------------------------------------------------
# input contract
# --------------------------------------------------------------------------
BAD_ROWS = [
    pytest.param({"long_axis_mm": -4.0}, id="negative measurement refused"),
    pytest.param({"long_axis_mm": 20.0, "colour": "red"}, id="unknown key refused"),
    pytest.param({"status": "vanished"}, id="unknown status refused"),
]


@pytest.mark.parametrize("value", BAD_ROWS)
def test_invalid_input_raises_case_format_error(value):
    from respond.casefile import CaseFormatError

    doc = case(ONE, tp(0, {"T1": 20.0}), tp(56, {"T1": value}))
    with pytest.raises(CaseFormatError):
        assess(doc)
