"""respond's decisions A10, A12 and A14 (RULES section 3), checked black-box.

A10: an mRECIST porta hepatis node is malignant from 20 mm short axis at
baseline and is then followed as a non-target by its short axis (gone below
10 mm; progression at >= +20 % and >= +5 mm over its smallest short axis so far);
below 20 mm at baseline it is not disease until it reaches 20 mm, when it is a
new lesion. RECIST 1.1 treats the same nodes by its own rules.

A14: an equivocal or atypical new intrahepatic nodule is HCC once it is >= 10 mm
and has grown by >= 10 mm since its first sighting at any size, whatever the
equivocal flag; PD is dated to the first time point at which it was >= 10 mm.

A12: with confirmation, at most ``confirmation_max_ne_between`` NE assessments
(default 1) may lie between a CR/PR and the assessment that confirms it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casebuild import (
    MRECIST,
    RECIST,
    assess,
    block,
    bor,
    case,
    check_block,
    last,
    liver,
    mentions,
    new,
    non_target,
    observed,
    porta_node,
    progression,
    target,
    tp,
)

SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "resources"
    / "schema"
    / "respond-assessment-1.schema.json"
)
STABLE = (40.0, 40.0)  # liver T1: long axis 40, viable 40 (mRECIST SD)
GONE = (40.0, 0)  # liver T1: no viable tumour left (mRECIST target CR)


# --------------------------------------------------------------------------
# A10 porta hepatis nodes under mRECIST
# --------------------------------------------------------------------------
def _node_value(form: str, size):
    """P1 at one time point: a number is its short axis; a dict is written out."""
    if isinstance(size, dict) or size is None:
        return size
    if form == "target":
        return size
    return observed("present", size)


def porta_case(form, sizes, liver_values=None, settings=None):
    """Liver target T1 and porta hepatis node P1 (``form``: target or non_target).

    ``sizes[0]`` is P1's baseline short axis, the rest its follow-ups (56 days
    apart); ``liver_values`` gives T1 at each follow-up (default: stable).
    """
    lesions = [liver("T1"), porta_node("P1", form)]
    follow = liver_values or [STABLE] * (len(sizes) - 1)
    points = []
    for index, size in enumerate(sizes):
        value = _node_value(form, size)
        t1 = STABLE if index == 0 else follow[index - 1]
        if form == "target":
            points.append(tp(56 * index, {"T1": t1, "P1": value}))
        else:
            nts = {} if value is None else {"P1": value}
            points.append(tp(56 * index, {"T1": t1}, nts))
    return assess(case(lesions, *points, settings=settings))


FORMS = ("target", "non_target")

A10_ROWS = [
    pytest.param(
        [22.0, 40.0],
        None,
        {"non_target": "PD", "overall": "PD", "sum_mm": 40.0},
        id="A10 22 -> 40 mm: non-target PD -> mRECIST PD",
    ),
    pytest.param(
        [22.0, 18.0],
        [GONE],
        {"target": "CR", "non_target": "NON-CR/NON-PD", "overall": "PR"},
        id="A10 22 -> 18 mm is present (not gone): not CR",
    ),
    pytest.param(
        [22.0, 9.9],
        [GONE],
        {"target": "CR", "non_target": "CR", "overall": "CR"},
        id="A10 22 -> 9.9 mm: gone -> non-target CR",
    ),
    pytest.param(
        [22.0, 10.0],
        [GONE],
        {"non_target": "NON-CR/NON-PD", "overall": "PR"},
        id="A10 22 -> 10.0 mm: present",
    ),
    pytest.param(
        [25.0, 30.0],
        None,
        {"non_target": "PD", "overall": "PD"},
        id="A10 25 -> 30 mm: exactly +5 mm and +20 % -> PD",
    ),
    pytest.param(
        [25.0, 29.9],
        None,
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="A10 25 -> 29.9 mm: +4.9 mm -> not PD",
    ),
    pytest.param(
        [20.0, 24.0],
        None,
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="A10 20 -> 24 mm: +20 % but only +4 mm -> not PD",
    ),
    pytest.param(
        [40.0, 45.0],
        None,
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="A10 40 -> 45 mm: +5 mm but only +12.5 % -> not PD",
    ),
    pytest.param(
        [30.0, 25.0, 30.0],
        None,
        {"non_target": "PD", "overall": "PD"},
        id="A10 smallest so far from an earlier follow-up: 30 -> 25 -> 30 -> PD",
    ),
    pytest.param(
        [30.0, 25.0, 29.9],
        None,
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="A10 30 -> 25 -> 29.9 mm: +4.9 mm over the smallest -> not PD",
    ),
    pytest.param(
        [20.0, 20.0],
        None,
        {"non_target": "NON-CR/NON-PD", "overall": "SD", "baseline_sum_mm": 40.0},
        id="A10 exactly 20.0 mm at baseline is malignant and counts",
    ),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("sizes", "liver_values", "m_exp"), A10_ROWS)
def test_a10_porta_node_followed_by_short_axis(form, sizes, liver_values, m_exp):
    out = porta_case(form, sizes, liver_values)
    check_block(last(out, MRECIST), m_exp)
    reasons = last(out, MRECIST)["reasons"]
    assert mentions(reasons, "(A10)")


def test_a10_regression_target_node_22_to_40_was_sd():
    """A target porta node 22 -> 40 mm: mRECIST PD (non-target), not SD."""
    out = porta_case("target", [22.0, 40.0])
    check_block(
        last(out, MRECIST),
        {"target": "SD", "non_target": "PD", "overall": "PD", "sum_mm": 40.0},
    )
    assert progression(out, MRECIST)["label"] == "FU1"
    assert any(w["code"] == "mrecist_porta_hepatis_node" for w in out["warnings"])


RECIST_ROWS = [
    pytest.param(
        "target",
        [22.0, 40.0],
        {"target": "PD", "non_target": None, "overall": "PD", "sum_mm": 80.0},
        id="RECIST target node 22 -> 40 in the sum: 62 -> 80 -> PD",
    ),
    pytest.param(
        "target",
        [22.0, 18.0],
        {"target": "SD", "overall": "SD", "sum_mm": 58.0},
        id="RECIST target node 22 -> 18 in the sum -> SD",
    ),
    pytest.param(
        "target",
        [19.9, 20.0],
        {"target": "SD", "overall": "SD", "baseline_sum_mm": 59.9},
        id="RECIST target node 19.9 is in the sum and 20.0 is no new lesion",
    ),
    pytest.param(
        "non_target",
        [22.0, 40.0],
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="RECIST non-target node follows the reader (present) -> SD",
    ),
    pytest.param(
        "non_target",
        [22.0, 9.9],
        {"non_target": "NON-CR/NON-PD", "overall": "SD"},
        id="RECIST non-target node 9.9 mm recorded present stays present",
    ),
    pytest.param(
        "non_target",
        [19.9, 20.0],
        {"non_target": "NON-CR/NON-PD", "new_lesions": False, "overall": "SD"},
        id="RECIST non-target node 19.9 -> 20 is neither new nor PD",
    ),
]


@pytest.mark.parametrize(("form", "sizes", "r_exp"), RECIST_ROWS)
def test_a10_recist_keeps_its_own_node_rules(form, sizes, r_exp):
    out = porta_case(form, sizes)
    check_block(last(out, RECIST), r_exp)
    assert not mentions(last(out, RECIST)["reasons"], "A10")


@pytest.mark.parametrize("form", FORMS)
def test_a10_node_below_20_mm_at_baseline_is_not_disease(form):
    """19.9 mm at baseline: not counted (warning), until it reaches 20 mm: new."""
    out = porta_case(form, [19.9, 19.9, 20.0])
    warning = next(
        w for w in out["warnings"] if w["code"] == "mrecist_porta_hepatis_not_disease"
    )
    assert "P1" in warning["text"]
    assert "20 mm" in warning["text"]
    check_block(block(out, 0, MRECIST), {"baseline_sum_mm": 40.0, "non_target": None})
    check_block(
        block(out, 1, MRECIST),
        {"non_target": None, "new_lesions": False, "overall": "SD"},
    )
    check_block(
        block(out, 2, MRECIST),
        {"non_target": None, "new_lesions": True, "overall": "PD"},
    )
    assert mentions(block(out, 2, MRECIST)["reasons"], "new lesion -> pd (a10)")
    assert progression(out, MRECIST)["label"] == "FU2"


def test_a10_node_below_20_mm_not_counted_whatever_the_reader_marks():
    out = porta_case(
        "non_target",
        [
            19.9,
            observed("unequivocal_progression", 19.0, note="looks larger"),
            observed("present"),
        ],
    )
    for index in (1, 2):
        check_block(
            block(out, index, MRECIST),
            {"non_target": None, "new_lesions": False, "overall": "SD"},
        )
    assert block(out, 1, RECIST)["overall"] == "PD"


def test_a10_reader_unequivocal_progression_with_justification_is_kept():
    out = porta_case(
        "non_target",
        [25.0, observed("unequivocal_progression", 26.0, note="new necrotic centre")],
    )
    check_block(last(out, MRECIST), {"non_target": "PD", "overall": "PD"})
    assert mentions(last(out, MRECIST)["reasons"], "reader marks")


NO_SHORT_AXIS_ROWS = [
    pytest.param(
        "non_target",
        observed("present"),
        "NON-CR/NON-PD",
        id="non-target present, no short axis at follow-up -> reader's status",
    ),
    pytest.param(
        "non_target",
        observed("absent"),
        "CR",
        id="non-target absent, no short axis at follow-up -> reader's status",
    ),
    pytest.param(
        "non_target",
        None,
        "NE",
        id="non-target not recorded at follow-up -> not evaluated",
    ),
    pytest.param(
        "target",
        "not_evaluated",
        "NE",
        id="target without a value at follow-up -> not evaluated",
    ),
]


@pytest.mark.parametrize(("form", "follow_up", "m_nt"), NO_SHORT_AXIS_ROWS)
def test_a10_follow_up_without_short_axis(form, follow_up, m_nt):
    out = porta_case(form, [25.0, follow_up], [GONE])
    assert last(out, MRECIST)["non_target"] == m_nt


def test_a10_non_target_without_baseline_short_axis_follows_the_reader():
    out = assess(
        case(
            [liver("T1"), porta_node("P1", "non_target")],
            tp(0, {"T1": STABLE}, {"P1": "present"}),
            tp(56, {"T1": GONE}, {"P1": "present"}),
            tp(112, {"T1": GONE}, {"P1": "absent"}),
        )
    )
    warning = next(
        w for w in out["warnings"] if w["code"] == "mrecist_porta_hepatis_short_axis"
    )
    assert "record its short axis" in warning["text"]
    check_block(block(out, 1, MRECIST), {"non_target": "NON-CR/NON-PD"})
    check_block(block(out, 2, MRECIST), {"non_target": "CR", "overall": "CR"})


@pytest.mark.parametrize("decimal", [False, True])
@pytest.mark.parametrize(
    ("follow_up", "m_nt"),
    [
        pytest.param(30.6, "PD", id="25.5 -> 30.6: exactly +20 %, +5.1 mm -> PD"),
        pytest.param(30.5, "NON-CR/NON-PD", id="25.5 -> 30.5: +19.6 % -> not PD"),
    ],
)
def test_a10_growth_boundary_is_exact(follow_up, m_nt, decimal):
    """A7: the +20 % boundary is compared exactly (floats or Decimal input)."""
    doc = case(
        [liver("T1"), porta_node("P1", "non_target")],
        tp(0, {"T1": STABLE}, {"P1": observed("present", 25.5)}),
        tp(56, {"T1": STABLE}, {"P1": observed("present", follow_up)}),
        decimal=decimal,
    )
    assert last(assess(doc), MRECIST)["non_target"] == m_nt


# --------------------------------------------------------------------------
# A14 equivocal (atypical) new intrahepatic nodule
# --------------------------------------------------------------------------
def nodule_case(sightings, *, equivocal=True, typical=False):
    """Liver target T1 stable; new liver nodule X1 of the given long axes.

    ``sightings`` holds X1's size at FU1, FU2, ... (``None``: not listed).
    """
    points = [tp(0, {"T1": STABLE})]
    for index, size in enumerate(sightings, start=1):
        found = []
        if size is not None:
            found = [new("X1", "liver", size, equivocal=equivocal, typical=typical)]
        points.append(tp(56 * index, {"T1": STABLE}, None, found))
    return assess(case([liver("T1")], *points))


A14_ROWS = [
    pytest.param(
        [12.0, 22.5],
        {"equivocal": True},
        "FU1",
        "FU2",
        id="A14 flagged equivocal 12 -> 22.5 mm: HCC, PD back-dated to FU1",
    ),
    pytest.param(
        [12.0, 22.5],
        {"equivocal": True, "typical": True},
        "FU1",
        "FU2",
        id="A14 typical but flagged equivocal 12 -> 22.5 mm: growth rule -> PD",
    ),
    pytest.param(
        [12.0, 22.0],
        {"equivocal": False},
        "FU1",
        "FU2",
        id="A14 atypical 12 -> 22.0 mm: exactly +10 mm -> PD",
    ),
    pytest.param(
        [12.0, 21.9],
        {"equivocal": True},
        None,
        None,
        id="A14 flagged equivocal 12 -> 21.9 mm: +9.9 mm -> not PD",
    ),
    pytest.param(
        [6.0, 12.0, 16.0],
        {"equivocal": True},
        "FU2",
        "FU3",
        id="A14 first seen 6 mm, 12, then 16 mm: PD back-dated to the 12 mm FU2",
    ),
    pytest.param(
        [9.9, 19.9],
        {"equivocal": True},
        "FU2",
        "FU2",
        id="A14 9.9 -> 19.9 mm: grew exactly 10.0 mm -> PD at FU2, no back-dating",
    ),
    pytest.param(
        [9.9, 19.8],
        {"equivocal": True},
        None,
        None,
        id="A14 9.9 -> 19.8 mm: +9.9 mm -> not PD",
    ),
    pytest.param(
        [5.0, None, 15.0],
        {"equivocal": False},
        "FU3",
        "FU3",
        id="A14 first seen 5 mm, not listed at FU2, 15 mm at FU3 -> PD at FU3",
    ),
    pytest.param(
        [12.0, 9.0, 22.0],
        {"equivocal": True},
        "FU1",
        "FU3",
        id="A14 growth from the first sighting (12 -> 9 -> 22): FU1 and FU2 revised",
    ),
]


@pytest.mark.parametrize(("sizes", "flags", "dated", "confirmed"), A14_ROWS)
def test_a14_atypical_nodule_growth(sizes, flags, dated, confirmed):
    out = nodule_case(sizes, **flags)
    labels = [f"FU{i}" for i in range(1, len(sizes) + 1)]
    prog = progression(out, MRECIST)
    if dated is None:
        assert prog is None
        assert all(block(out, i, MRECIST)["overall"] == "SD" for i in (1, 2))
        return
    assert prog["label"] == dated
    first = labels.index(dated) + 1
    confirm = labels.index(confirmed) + 1
    check_block(block(out, confirm, MRECIST), {"overall": "PD", "new_lesions": True})
    assert mentions(block(out, confirm, MRECIST)["reasons"], "(A14)")
    if first < confirm:
        for index in range(first, confirm):
            check_block(
                block(out, index, MRECIST),
                {"overall": "PD", "new_lesions": True, "revised_from": "SD"},
            )
    else:
        assert block(out, confirm, MRECIST)["revised_from"] is None
    for index in range(1, first):
        check_block(
            block(out, index, MRECIST),
            {"overall": "SD", "new_lesions": False, "revised_from": None},
        )


def test_a14_typical_pattern_rule_is_unchanged():
    out = nodule_case([10.0], equivocal=False, typical=True)
    check_block(last(out, MRECIST), {"overall": "PD", "new_lesions": True})
    out = nodule_case([14.0], equivocal=True, typical=True)
    check_block(last(out, MRECIST), {"overall": "SD", "new_lesions": False})


def test_a14_extrahepatic_equivocal_keeps_the_recist_rule():
    """A8 unchanged: an equivocal lung finding does not count by its growth."""
    points = [tp(0, {"T1": STABLE})]
    for index, size in enumerate((12.0, 30.0), start=1):
        found = [new("X1", "lung", size, equivocal=True)]
        points.append(tp(56 * index, {"T1": STABLE}, None, found))
    out = assess(case([liver("T1")], *points))
    assert progression(out, MRECIST) is None
    assert progression(out, RECIST) is None


# --------------------------------------------------------------------------
# A12 confirmation across NE assessments
# --------------------------------------------------------------------------
PR, SD, CR, NE = 60.0, 71.0, "absent", "not_evaluated"


def confirm_case(values, **settings):
    """Lung target T1 100 mm; follow-ups every 28 days from day 56."""
    points = [tp(0, {"T1": 100.0})]
    for index, value in enumerate(values):
        points.append(tp(56 + 28 * index, {"T1": value}))
    doc_settings = {"confirmation_required": True, "continuing_pr": False}
    doc_settings.update(settings)
    return assess(case([target("T1")], *points, settings=doc_settings))


A12_ROWS = [
    pytest.param([PR, NE, PR], {}, "PR", id="A12 PR, NE, PR (max 1) -> confirmed"),
    pytest.param(
        [PR, NE, NE, PR], {}, "SD", id="A12 PR, NE, NE, PR (max 1) -> not confirmed"
    ),
    pytest.param(
        [PR, NE, NE, PR],
        {"confirmation_max_ne_between": 2},
        "PR",
        id="A12 PR, NE, NE, PR (max 2) -> confirmed",
    ),
    pytest.param(
        [PR, NE, PR],
        {"confirmation_max_ne_between": 0},
        "SD",
        id="A12 PR, NE, PR (max 0) -> not confirmed",
    ),
    pytest.param([PR, SD, PR], {}, "SD", id="A12 PR, SD, PR -> SD breaks it"),
    pytest.param([CR, NE, CR], {}, "CR", id="A12 CR, NE, CR -> confirmed CR"),
    pytest.param([PR, NE, CR], {}, "PR", id="A12 PR, NE, CR -> confirmed PR"),
]


@pytest.mark.parametrize(("values", "settings", "want"), A12_ROWS)
def test_a12_confirmation_across_ne(values, settings, want):
    out = confirm_case(values, **settings)
    assert [block(out, i + 1)["overall"] for i in range(len(values))] == [
        {PR: "PR", SD: "SD", CR: "CR", NE: "NE"}[v] for v in values
    ]
    assert bor(out, RECIST) == want


def test_a12_reasons_name_the_bridged_ne():
    out = confirm_case([PR, NE, PR])
    reasons = out["best_overall_reasons"][RECIST]
    assert mentions(reasons, "pr at fu1 confirmed at fu3 (ne at fu2 bridged, a12)")
    assert out["best_overall_reasons"][MRECIST]


def test_a12_reasons_say_why_not_confirmed():
    out = confirm_case([PR, NE, NE, PR])
    reasons = out["best_overall_reasons"][RECIST]
    assert mentions(reasons, "ne at fu2 and fu3 in between, more than the 1 allowed")


def test_a12_cr_then_pr_across_a_bridged_ne_is_progression_after_cr():
    """1.7 + A12: the PR at the confirming assessment after a CR is progression.

    CR = T1 and N1 gone; PR = T1 gone, N1 not evaluated; NE = T1 not evaluated.
    """
    lesions = [target("T1"), non_target("N1", "bone")]
    points = [
        tp(0, {"T1": 100.0}, {"N1": "present"}),
        tp(28, {"T1": CR}, {"N1": "absent"}),
        tp(42, {"T1": NE}, {"N1": "absent"}),
        tp(98, {"T1": CR}, {"N1": "not_evaluated"}),
    ]
    settings = {"confirmation_required": True}
    out = assess(case(lesions, *points, settings=settings))
    assert [block(out, i)["overall"] for i in (1, 2, 3)] == ["CR", "NE", "PR"]
    assert bor(out, RECIST) == "PD"
    reasons = out["best_overall_reasons"][RECIST]
    assert mentions(reasons, "pr at fu3 after cr at fu1")
    assert mentions(reasons, "ne at fu2 bridged")
    settings["confirmation_max_ne_between"] = 0
    out = assess(case(lesions, *points, settings=settings))
    assert bor(out, RECIST) == "SD"


@pytest.mark.parametrize(("max_ne", "fu4"), [(1, "PD"), (0, "PR")])
def test_a12_reappearance_after_a_cr_confirmed_across_ne(max_ne, fu4):
    """A3 + A12: CR, NE, CR is a confirmed CR, so a lesion back (4 mm) is PD."""
    settings = {"confirmation_required": True, "confirmation_max_ne_between": max_ne}
    points = [tp(0, {"T1": 20.0})]
    for index, value in enumerate((CR, NE, CR, 4.0)):
        points.append(tp(56 + 28 * index, {"T1": value}))
    out = assess(case([target("T1")], *points, settings=settings))
    assert block(out, 4)["overall"] == fu4
    if fu4 == "PD":
        assert mentions(block(out, 4)["reasons"], "reappearance")


def test_a12_without_confirmation_reasons_are_still_given():
    out = confirm_case([PR], confirmation_required=False)
    assert bor(out, RECIST) == "PR"
    assert mentions(out["best_overall_reasons"][RECIST], "best response pr at fu1")


def test_a12_best_overall_reasons_in_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    out = json.loads(json.dumps(confirm_case([PR, NE, PR])))
    validator.validate(out)
    assert list(out)[list(out).index("best_overall") + 1] == "best_overall_reasons"
    del out["best_overall_reasons"]  # an assessment written before the field
    validator.validate(out)
