"""Contrast phase of each series: keywords, bolus timing, order within the study.

mRECIST is measured on the arterial phase, so the loader must say which series
is which phase and why. One table per rule: keywords, bolus timing, contrast
presence, order within the study (with anchors), localizers, robustness.
"""

from __future__ import annotations

import itertools
from typing import Any, cast

import pytest

from respond.dicom.phase import (
    Confidence,
    Phase,
    PhaseCall,
    PhaseInput,
    classify_phases,
    is_arterial,
)

NC, ART, LATE_ART = Phase.NON_CONTRAST, Phase.ARTERIAL, Phase.LATE_ARTERIAL
PV, DEL, UNK = Phase.PORTAL_VENOUS, Phase.DELAYED, Phase.UNKNOWN
HIGH, MEDIUM, LOW, NONE = (
    Confidence.HIGH,
    Confidence.MEDIUM,
    Confidence.LOW,
    Confidence.NONE,
)
START = "100000"  # ContrastBolusStartTime used by the timing tables: 10:00:00


def tm(seconds: float) -> str:
    """DICOM TM for a time of day given in seconds (wrapped to one day)."""
    seconds %= 86400
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}{int(minutes):02d}{secs:09.6f}"


def after_start(delay_s: float) -> str:
    return tm(36000 + delay_s)


def one(**fields: Any) -> PhaseCall:
    """Classify a single CT series built from ``fields``."""
    fields.setdefault("modality", "CT")
    return classify_phases([PhaseInput(key="s", **fields)])["s"]


def study(*rows: dict[str, Any]) -> dict[str, PhaseCall]:
    """Classify a study; each row is PhaseInput fields (modality CT by default)."""
    return classify_phases([PhaseInput(**{"modality": "CT", **row}) for row in rows])


def phases(calls: dict[str, PhaseCall]) -> dict[str, Phase]:
    return {key: call.phase for key, call in calls.items()}


def has(call: PhaseCall, text: str) -> bool:
    return any(text in item for item in call.evidence)


# ---- rule 2: keywords ------------------------------------------------------

KEYWORD_ROWS = [
    # non-contrast
    ("ABD NON CONTRAST", NC),
    ("Abdomen non-contrast 5mm", NC),
    ("NONCONTRAST LIVER", NC),
    ("Unenhanced", NC),
    ("Plain 5.0 B30f", NC),
    ("Native", NC),
    ("Leber nativ", NC),
    ("Pre Contrast", NC),
    ("T1 precontrast", NC),
    ("ABD W/O", NC),
    ("CT abdomen without contrast", NC),
    ("TC abdomen sin contraste", NC),
    ("Abdomen sans injection", NC),
    # arterial
    ("Arterial 3.0", ART),
    ("Leber arteriell", ART),
    ("Phase arterielle", ART),
    ("ART 5mm", ART),
    ("ABD_ART", ART),
    ("Art2 B30f", ART),
    ("Early arterial", ART),
    ("Hepatic arterial phase", ART),
    ("LIVER HA", ART),
    # late arterial: never "late" (delayed) nor plain arterial
    ("Late arterial", LATE_ART),
    ("LATE ART 1.25", LATE_ART),
    ("late-arterial phase", LATE_ART),
    ("Leber spätarteriell", LATE_ART),
    # portal venous
    ("Portal", PV),
    ("Portal venous 3mm", PV),
    ("Leber portalvenös", PV),
    ("PV 5.0", PV),
    ("ABD PVP", PV),
    ("Venous", PV),
    ("Leber venös", PV),
    ("VEN 3mm", PV),
    # delayed
    ("Delayed", DEL),
    ("Delay 3mm", DEL),
    ("Equilibrium phase", DEL),
    ("Late 5mm", DEL),
    ("Spät", DEL),
    ("Transitional", DEL),
    ("Hepatobiliary 20 min", DEL),
    ("VIBE HBP", DEL),
    ("Liver 3 min", DEL),
    ("5 min", DEL),
    ("Abdomen 10 min", DEL),
    # no phase: body regions, phase counts, "art" inside a word, odd minutes
    ("Recon 3: LIVER 2 PHASE (C/A/P)", UNK),
    ("C/A/P 5mm", UNK),
    ("Liver 2 phase", UNK),
    ("Multiphase liver", UNK),
    ("Heart", UNK),
    ("Partial volume", UNK),
    ("Cardiac 13 min", UNK),
    ("", UNK),
    # several phases named in one field: not used
    ("Portal venous delayed", UNK),
]


@pytest.mark.parametrize(("description", "expected"), KEYWORD_ROWS)
def test_keyword_in_series_description(description: str, expected: Phase) -> None:
    call = one(description=description)
    assert call.phase is expected
    if expected is UNK:
        assert call.confidence is NONE
    else:
        assert call.confidence is HIGH
        assert has(call, "SeriesDescription contains '")
        assert call.is_contrast is (expected is not NC)


def test_late_arterial_evidence_names_the_whole_phrase() -> None:
    call = one(description="LATE ART 1.25")
    assert call.evidence[0] == "SeriesDescription contains 'late art'"


@pytest.mark.parametrize(
    ("description", "protocol", "expected", "tag"),
    [
        ("", "Liver arterial", ART, "ProtocolName"),
        ("Recon 2", "ABD PV", PV, "ProtocolName"),
        ("Delayed", "Liver arterial", DEL, "SeriesDescription"),
        # a protocol naming the whole exam's phases gives none
        ("", "LIVER ART PV DELAY", UNK, None),
        ("Arterial", "LIVER ART PV DELAY", ART, "SeriesDescription"),
    ],
)
def test_protocol_name_is_used_when_description_gives_no_single_phase(
    description: str, protocol: str, expected: Phase, tag: str | None
) -> None:
    call = one(description=description, protocol=protocol)
    assert call.phase is expected
    if tag is not None:
        assert has(call, f"{tag} contains")


def test_several_phases_in_a_field_are_reported() -> None:
    call = one(description="LIVER ART PV DELAY")
    assert has(call, "SeriesDescription names several phases")


# ---- rule 3: timing --------------------------------------------------------

TIMING_ROWS = [
    (-20.0, UNK, NONE, "20 s before ContrastBolusStartTime"),
    (0.0, UNK, NONE, "timing not usable"),
    (9.9, UNK, NONE, "timing not usable"),
    (10.0, ART, HIGH, "arterial window 10-30 s"),
    (29.9, ART, HIGH, "acquired 29.9 s after ContrastBolusStartTime"),
    (30.0, LATE_ART, HIGH, "late arterial window 30-45 s"),
    (32.0, LATE_ART, HIGH, "acquired 32 s after ContrastBolusStartTime"),
    (44.9, LATE_ART, HIGH, "late arterial window"),
    (45.0, PV, HIGH, "portal venous window 45-100 s"),
    (99.9, PV, HIGH, "portal venous window"),
    (100.0, DEL, HIGH, "delayed window 100-600 s"),
    (600.0, DEL, HIGH, "delayed window 100-600 s"),
    (600.1, DEL, LOW, "beyond the 600 s delayed window"),
    (1200.0, DEL, LOW, "acquired 1200 s after"),
]


@pytest.mark.parametrize(("delay", "expected", "confidence", "evidence"), TIMING_ROWS)
def test_timing_window(
    delay: float, expected: Phase, confidence: Confidence, evidence: str
) -> None:
    call = one(contrast_start=START, acquisition_time=after_start(delay))
    assert (call.phase, call.confidence) == (expected, confidence)
    assert has(call, evidence), call.evidence
    if expected is not UNK:
        assert call.is_contrast is True


@pytest.mark.parametrize(
    ("fields", "evidence"),
    [
        ({"content_time": "100050"}, "ContentTime is 50 s after"),
        ({"series_time": "100050"}, "SeriesTime is 50 s after"),
        ({"acquisition_time": "100050", "series_time": "100500"}, "acquired 50 s"),
        ({"acquisition_time": "bad", "content_time": "100050"}, "ContentTime is 50"),
    ],
)
def test_timing_falls_back_from_acquisition_to_content_to_series_time(
    fields: dict[str, str], evidence: str
) -> None:
    call = one(contrast_start=START, **fields)
    assert call.phase is PV
    assert has(call, evidence), call.evidence


@pytest.mark.parametrize(
    ("start", "acquired", "expected", "evidence"),
    [
        ("235950", "000030", LATE_ART, "acquired 40 s after"),
        ("235959.5", "000045", PV, "acquired 45.5 s after"),
        ("000010", "235950", UNK, "20 s before ContrastBolusStartTime"),
    ],
)
def test_midnight_wrap(
    start: str, acquired: str, expected: Phase, evidence: str
) -> None:
    call = one(contrast_start=start, acquisition_time=acquired)
    assert call.phase is expected
    assert has(call, evidence), call.evidence


@pytest.mark.parametrize(
    ("start", "acquired"),
    [
        ("10", "100032"),
        ("1000", "100032"),
        ("100000", "100032"),
        ("100000.000000", "100032.0"),
        ("10:00:00", "100032"),
        ("10:00", "10:00:32.000"),
        (" 100000 ", "100032 "),
    ],
)
def test_tm_formats(start: str, acquired: str) -> None:
    call = one(contrast_start=start, acquisition_time=acquired)
    assert call.phase is LATE_ART, call.evidence


@pytest.mark.parametrize(
    ("field", "tag", "value"),
    [
        ("acquisition_time", "AcquisitionTime", "25:99"),
        ("acquisition_time", "AcquisitionTime", "2599"),
        ("acquisition_time", "AcquisitionTime", "106100"),
        ("acquisition_time", "AcquisitionTime", "1000000"),
        ("acquisition_time", "AcquisitionTime", "10.5"),
        ("acquisition_time", "AcquisitionTime", "noon"),
        ("series_time", "SeriesTime", "-10000"),
        ("content_time", "ContentTime", "24"),
        ("contrast_start", "ContrastBolusStartTime", "1O0000"),
    ],
)
def test_malformed_time_is_evidence_not_an_error(
    field: str, tag: str, value: str
) -> None:
    call = one(**{field: value})
    assert f"{tag} '{value}' is not a valid time" in call.evidence
    assert call.phase is UNK


def test_start_time_without_any_valid_time_says_so() -> None:
    call = one(contrast_start=START, acquisition_time="25:99")
    assert has(call, "no valid time to compare")


@pytest.mark.parametrize(
    ("description", "delay", "expected", "confidence"),
    [
        ("Portal venous", 20.0, PV, MEDIUM),
        ("Arterial", 70.0, ART, MEDIUM),
        ("Native", 70.0, NC, MEDIUM),
        ("Delayed", 900.0, DEL, HIGH),
        ("Portal venous", 70.0, PV, HIGH),
        # early and late arterial are both arterial: no conflict
        ("Arterial", 35.0, ART, HIGH),
        ("Late arterial", 20.0, LATE_ART, HIGH),
        # unusable timing never conflicts
        ("Portal venous", 5.0, PV, HIGH),
    ],
)
def test_keyword_kept_over_timing_with_lower_confidence(
    description: str, delay: float, expected: Phase, confidence: Confidence
) -> None:
    call = one(
        description=description,
        contrast_start=START,
        acquisition_time=after_start(delay),
    )
    assert (call.phase, call.confidence) == (expected, confidence)
    assert has(call, "SeriesDescription contains")
    if delay >= 10:
        assert has(call, "after ContrastBolusStartTime")
    assert has(call, "kept over timing") is (confidence is MEDIUM)


# ---- rule 4: contrast presence ---------------------------------------------

CONTRAST_ROWS = [
    ({"contrast_agent": "OMNIPAQUE 350"}, True, "ContrastBolusAgent 'OMNIPAQUE 350'"),
    ({"contrast_route": "IV"}, True, "ContrastBolusRoute 'IV' includes intravenous"),
    ({"contrast_route": "INTRAVENOUS"}, True, "includes intravenous"),
    ({"contrast_route": "i.v."}, True, "includes intravenous"),
    ({"contrast_route": "Oral & IV"}, True, "'Oral & IV' includes intravenous"),
    ({"contrast_agent": "", "contrast_route": ""}, None, "no ContrastBolusAgent"),
    ({"contrast_agent": "  "}, None, "no ContrastBolusAgent"),
    ({}, None, "no ContrastBolusAgent or ContrastBolusRoute"),
    ({"contrast_agent": "NONE"}, None, "names no agent"),
    ({"contrast_route": "ORAL"}, None, "'ORAL' is not intravenous"),
    ({"contrast_route": "DIVERTICULUM"}, None, "is not intravenous"),
    (
        {"contrast_agent": "Gastrografin", "contrast_route": "ORAL"},
        None,
        "ContrastBolusAgent 'Gastrografin' given by ContrastBolusRoute 'ORAL'",
    ),
    ({"contrast_agent": "X", "description": "native"}, False, "overrides"),
    ({"contrast_route": "IV", "description": "Pre contrast"}, False, "overrides"),
    ({"description": "Portal venous"}, True, "SeriesDescription contains"),
    ({"description": "w/o"}, False, "SeriesDescription contains 'w/o'"),
]


@pytest.mark.parametrize(("fields", "expected", "evidence"), CONTRAST_ROWS)
def test_contrast_presence(
    fields: dict[str, str], expected: bool | None, evidence: str
) -> None:
    call = one(**fields)
    assert call.is_contrast is expected
    assert has(call, evidence), call.evidence


def test_real_portal_venous_series_alone_stays_unknown() -> None:
    # ct_liver_hcc048_pv: the only series of its study, no times, empty agent.
    call = one(
        description="Recon 3: LIVER 2 PHASE (C/A/P)",
        contrast_agent="",
        contrast_route="Oral & IV",
        series_number=3,
    )
    assert (call.phase, call.confidence, call.is_contrast) == (UNK, NONE, True)
    assert has(call, "ContrastBolusRoute 'Oral & IV'")
    assert call.evidence[-1] == "contrast given, timing unknown"


# ---- rule 5: order within the study ----------------------------------------

AGENT = "OMNIPAQUE 350"


def ordered(*rows: tuple[str, str | None, bool]) -> dict[str, PhaseCall]:
    """Series (key, acquisition time, contrast agent given) in one CT study."""
    return study(
        *(
            {"key": k, "acquisition_time": t, "contrast_agent": AGENT if c else None}
            for k, t, c in rows
        )
    )


ORDER_ROWS = [
    pytest.param(
        [("a", "100100", True), ("b", "100200", True)],
        {"a": ART, "b": PV},
        id="2 contrast series: arterial, portal venous",
    ),
    pytest.param(
        [("n", "100000", False), ("c", "100100", True)],
        {"n": NC, "c": UNK},
        id="non-contrast then a single contrast series",
    ),
    pytest.param(
        [("c", "100300", True), ("b", "100200", True), ("a", "100100", True)],
        {"a": ART, "b": PV, "c": DEL},
        id="3 contrast series, listed out of order",
    ),
    pytest.param(
        [
            ("n", "100000", False),
            ("a", "100100", True),
            ("p", "100200", True),
            ("d", "100500", True),
        ],
        {"n": NC, "a": ART, "p": PV, "d": DEL},
        id="4 series: non-contrast, arterial, portal venous, delayed",
    ),
    pytest.param(
        [
            ("a", "100100", True),
            ("b", "100200", True),
            ("c", "100300", True),
            ("d", "100400", True),
        ],
        {"a": ART, "b": PV, "c": DEL, "d": DEL},
        id="4 contrast series: later ones all delayed",
    ),
    pytest.param(
        [("c", "100100", True), ("x", "100200", False), ("d", "100300", True)],
        {"c": ART, "x": UNK, "d": PV},
        id="no contrast evidence after the first contrast series stays unknown",
    ),
    pytest.param(
        [("x", "100000", False), ("y", "100100", False)],
        {"x": UNK, "y": UNK},
        id="no contrast evidence at all: nothing ordered",
    ),
    pytest.param(
        [("a", "100100", True), ("r", "100100", True), ("p", "100200", True)],
        {"a": ART, "r": ART, "p": PV},
        id="recon sharing an acquisition time shares its slot",
    ),
    pytest.param(
        [("a", "235900", True), ("p", "000030", True)],
        {"a": ART, "p": PV},
        id="study running past midnight",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), ORDER_ROWS)
def test_order_within_study(
    rows: list[tuple[str, str, bool]], expected: dict[str, Phase]
) -> None:
    calls = ordered(*rows)
    assert phases(calls) == expected
    for call in calls.values():
        assert call.confidence is (NONE if call.phase is UNK else LOW)


def test_order_evidence_names_rank_and_basis() -> None:
    calls = ordered(("a", "100100", True), ("b", "100200", True), ("c", "100300", True))
    assert calls["b"].evidence[-1] == "2nd of 3 contrast series by acquisition time"
    single = ordered(("n", "100000", False), ("c", "100100", True))
    assert single["n"].evidence[-1] == (
        "acquired before the first contrast series by acquisition time"
    )
    assert single["n"].is_contrast is False
    assert single["c"].evidence[-1] == "contrast given, timing unknown"


@pytest.mark.parametrize(
    ("fields", "basis"),
    [
        (
            [{"series_time": "100100"}, {"series_time": "100000"}],
            "series time",
        ),
        ([{"series_number": 5}, {"series_number": 4}], "series number"),
        (
            # acquisition time missing on one series: series number covers both
            [
                {"acquisition_time": "100100", "series_number": 5},
                {"series_number": 4},
            ],
            "series number",
        ),
    ],
)
def test_order_falls_back_to_series_time_then_series_number(
    fields: list[dict[str, Any]], basis: str
) -> None:
    calls = study(
        *(
            {"key": k, "contrast_agent": AGENT, **f}
            for k, f in zip(("late", "early"), fields, strict=True)
        )
    )
    assert phases(calls) == {"late": PV, "early": ART}
    assert calls["early"].evidence[-1] == f"1st of 2 contrast series by {basis}"


def test_no_usable_order_leaves_series_unknown() -> None:
    calls = study(
        {"key": "a", "contrast_agent": AGENT},
        {"key": "b", "contrast_agent": AGENT},
    )
    assert phases(calls) == {"a": UNK, "b": UNK}
    same_time = ordered(("a", "100000", True), ("b", "100000", True))
    assert phases(same_time) == {"a": UNK, "b": UNK}


ANCHOR_ROWS = [
    pytest.param(
        [("n", None), ("u", None), ("pv", "Portal venous")],
        {"n": NC, "u": ART, "pv": PV},
        "after a non-contrast series and before portal venous series 'pv'",
        id="between non-contrast and a known portal venous: arterial",
    ),
    pytest.param(
        [("u", None), ("pv", "Portal venous")],
        {"u": ART, "pv": PV},
        "contrast series before portal venous series 'pv'",
        id="before a known portal venous: arterial",
    ),
    pytest.param(
        [("pv", "PV"), ("u", None)],
        {"pv": PV, "u": DEL},
        "contrast series after portal venous series 'pv' by acquisition time",
        id="after a known portal venous: delayed",
    ),
    pytest.param(
        [("a", "Arterial"), ("u", None), ("d", "Delayed")],
        {"a": ART, "u": PV, "d": DEL},
        "after arterial series 'a' and before delayed series 'd'",
        id="between arterial and delayed: portal venous",
    ),
    pytest.param(
        [("a", "Late arterial"), ("u1", None), ("u2", None)],
        {"a": LATE_ART, "u1": PV, "u2": DEL},
        "2nd unknown contrast series after late arterial series 'a'",
        id="two unknown after a known arterial: portal venous, delayed",
    ),
    pytest.param(
        [("pv", "Portal"), ("u", None), ("d", "HBP")],
        {"pv": PV, "u": DEL, "d": DEL},
        "after portal venous series 'pv' and before delayed series 'd'",
        id="between portal venous and a delayed: delayed may repeat",
    ),
    pytest.param(
        [("a", "Arterial"), ("u", None), ("pv", "Portal venous")],
        {"a": ART, "u": UNK, "pv": PV},
        "order gives no phase",
        id="between arterial and portal venous: no room, unknown",
    ),
]


@pytest.mark.parametrize(("rows", "expected", "evidence"), ANCHOR_ROWS)
def test_anchors_place_unknown_contrast_series(
    rows: list[tuple[str, str | None]], expected: dict[str, Phase], evidence: str
) -> None:
    calls = study(
        *(
            {
                "key": key,
                "description": description or "",
                "acquisition_time": tm(36000 + 60 * n),
                "contrast_agent": AGENT if key != "n" else None,
            }
            for n, (key, description) in enumerate(rows)
        )
    )
    assert phases(calls) == expected
    unknown = next(k for k in calls if k.startswith("u"))
    assert any(evidence in e for c in calls.values() for e in c.evidence), [
        calls[k].evidence for k in calls
    ]
    if calls[unknown].phase is not UNK:
        assert calls[unknown].confidence is LOW


def test_recon_of_a_known_series_shares_its_phase() -> None:
    calls = study(
        {"key": "a", "description": "Arterial", "acquisition_time": "100100"},
        {"key": "r", "acquisition_time": "100100", "contrast_agent": AGENT},
        {"key": "p", "acquisition_time": "100200", "contrast_agent": AGENT},
    )
    assert phases(calls) == {"a": ART, "r": ART, "p": PV}
    assert calls["r"].evidence[-1] == "same acquisition time as arterial series 'a'"


def test_modalities_are_ordered_separately() -> None:
    calls = study(
        {"key": "ct1", "acquisition_time": "090000", "contrast_agent": AGENT},
        {"key": "mr1", "modality": "MR", "acquisition_time": "093000"},
        {"key": "ct2", "acquisition_time": "090100", "contrast_agent": AGENT},
        {"key": "mr2", "modality": "MR", "acquisition_time": "094000"},
    )
    assert phases(calls) == {"ct1": ART, "mr1": UNK, "ct2": PV, "mr2": UNK}


# ---- rule 1: localizers ----------------------------------------------------


@pytest.mark.parametrize(
    "localizer",
    [
        {"is_localizer": True, "description": "Arterial"},
        {"image_type": ("ORIGINAL", "PRIMARY", "LOCALIZER")},
    ],
)
def test_localizer_is_unknown_and_takes_no_part_in_ordering(
    localizer: dict[str, Any],
) -> None:
    calls = study(
        {"key": "loc", "acquisition_time": "095900", "contrast_agent": AGENT}
        | localizer,
        {"key": "n", "acquisition_time": "100000"},
        {"key": "c", "acquisition_time": "100100", "contrast_agent": AGENT},
    )
    assert phases(calls) == {"loc": UNK, "n": NC, "c": UNK}
    assert calls["loc"].evidence[0] == "localizer"
    assert (calls["loc"].confidence, calls["loc"].is_contrast) == (NONE, None)
    assert calls["c"].evidence[-1] == "contrast given, timing unknown"


# ---- realistic HCC studies -------------------------------------------------

# A four-phase liver CT: (key, SeriesNumber, AcquisitionTime); "scout" is the
# localizer. No keywords: only series numbers and times.
HCC_SERIES = [
    ("scout", 1, "101500"),
    ("s2", 2, "101612"),
    ("s3", 3, "101810.5"),
    ("s4", 4, "101845"),
    ("s5", 5, "102120"),
]
HCC_STUDY: list[dict[str, Any]] = [
    {
        "key": key,
        "series_number": number,
        "acquisition_time": time,
        "series_time": time[:4] + "00",
        "is_localizer": key == "scout",
    }
    for key, number, time in HCC_SERIES
]
HCC_EXPECTED = {"scout": UNK, "s2": NC, "s3": ART, "s4": PV, "s5": DEL}


def test_multiphase_hcc_study_by_order_only() -> None:
    # no keywords, no bolus start: the agent is on the three post-contrast series
    rows = [
        row | ({"contrast_agent": "Iomeron 400"} if row["series_number"] > 2 else {})
        for row in HCC_STUDY
    ]
    calls = study(*rows)
    assert phases(calls) == HCC_EXPECTED
    assert {k: c.confidence for k, c in calls.items()} == {
        "scout": NONE,
        "s2": LOW,
        "s3": LOW,
        "s4": LOW,
        "s5": LOW,
    }
    assert calls["s3"].evidence[-1] == "1st of 3 contrast series by acquisition time"


def test_multiphase_hcc_study_by_bolus_timing() -> None:
    # bolus started at 10:17:40; no agent tag and no keywords
    calls = study(*(row | {"contrast_start": "101740"} for row in HCC_STUDY))
    assert phases(calls) == {
        "scout": UNK,
        "s2": NC,
        "s3": LATE_ART,
        "s4": PV,
        "s5": DEL,
    }
    assert calls["s3"].confidence is HIGH
    assert calls["s3"].evidence[-2] == (
        "acquired 30.5 s after ContrastBolusStartTime (late arterial window 30-45 s)"
    )
    assert has(calls["s2"], "88 s before ContrastBolusStartTime: timing not usable")
    assert calls["s2"].confidence is LOW


# ---- rule 6: deterministic, never raises ------------------------------------


def test_input_order_does_not_matter() -> None:
    rows = [
        row | ({"contrast_agent": "Iomeron 400"} if row["series_number"] > 2 else {})
        for row in HCC_STUDY
    ]
    expected = study(*rows)
    for perm in itertools.permutations(rows):
        assert study(*perm) == expected


def test_odd_values_never_raise() -> None:
    odd = cast(Any, PhaseInput)(
        key="x",
        modality=None,
        description=None,
        protocol=b"ART",
        series_number="not a number",
        contrast_agent=3,
        contrast_route=None,
        contrast_start="",
        acquisition_time=123,
        image_type=None,
    )
    calls = classify_phases([odd, PhaseInput(key="y", modality="CT", series_number=2)])
    assert set(calls) == {"x", "y"}
    assert classify_phases([]) == {}


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (NC, False),
        (ART, True),
        (LATE_ART, True),
        (PV, False),
        (DEL, False),
        (UNK, False),
    ],
)
def test_is_arterial(phase: Phase, expected: bool) -> None:
    assert is_arterial(phase) is expected
