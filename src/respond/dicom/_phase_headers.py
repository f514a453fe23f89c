"""What the header of one series says about its contrast phase.

Keywords in SeriesDescription (else ProtocolName), the delay after
ContrastBolusStartTime, and the contrast tags ContrastBolusAgent and
ContrastBolusRoute, each turned into readable evidence; :func:`_own_call`
gives the call one series earns on its own, before the order in the study is
looked at (:mod:`respond.dicom._phase_order`). The delay windows are
re-exported by :mod:`respond.dicom.phase`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Final

from respond.dicom._phase_model import (
    _RANK,
    Confidence,
    Phase,
    PhaseCall,
    PhaseInput,
    _label,
)

# Delay windows after ContrastBolusStartTime, in seconds (lower bound inclusive).
# Under 10 s the start time is not trustworthy enough to place a series; the
# bounds follow the usual liver protocols: bolus-tracked early arterial 10-30 s,
# late arterial 30-45 s (the mRECIST phase of choice), portal venous 45-100 s,
# delayed/equilibrium 100-600 s (600 s inclusive). Later than 10 min (for
# example a hepatobiliary phase) is still called delayed, with LOW confidence.
MIN_USABLE_DELAY_S: Final = 10.0
ARTERIAL_END_S: Final = 30.0
LATE_ARTERIAL_END_S: Final = 45.0
PORTAL_VENOUS_END_S: Final = 100.0
DELAYED_END_S: Final = 600.0
# A time difference beyond half a day is taken to cross midnight.
MIDNIGHT_WRAP_S: Final = 12 * 3600.0
DAY_S: Final = 24 * 3600.0

# Keyword families, most specific first: each match is blanked before the next
# family is searched, so "late arterial" never also reads as "late" (delayed).
# Words must stand alone between non-letters ("art" is not in "heart"); digits
# may touch them ("ART2").
_WORD_L: Final = r"(?<![^\W\d_])"
_WORD_R: Final = r"(?![^\W\d_])"
# One family per line: phase, then regex alternatives separated by spaces (a
# space inside an alternative is written \s). A family may span several lines.
_KEYWORD_TABLE: Final = r"""
late_arterial late[\s-]*art(?:erial)? sp(?:ä|ae)t[\s-]*arteriell(?:en?)?
non_contrast non[\s-]*contrast unenhanced plain native? pre[\s-]*contrast w/o sans
non_contrast without\s+contrast sin\s+contraste ohne\s+(?:km|kontrast\w*)
arterial (?:early|hepatic)[\s-]*arterial arterial arteriell(?:en?)? art[ée]rielle
arterial art ha
portal_venous portal[\s-]*ven(?:ous|(?:ö|oe)s) portale? pvp? venous ven(?:ö|oe)s ven
portal_venous veineu(?:x|se) venosa
delayed delay(?:ed)? equilibri(?:um|o) late sp(?:ä|ae)t(?:phase)? transitional hbp
delayed hepatobiliary tard(?:if|ive|[ií]a) (?<![\d.])(?:3|5|10)\s*min(?:s|utes?)?
"""


def _compile_keywords() -> tuple[tuple[Phase, re.Pattern[str]], ...]:
    families: dict[Phase, list[str]] = {}
    for line in _KEYWORD_TABLE.strip().splitlines():
        name, *words = line.split()
        families.setdefault(Phase(name), []).extend(words)
    return tuple(
        (phase, re.compile(f"{_WORD_L}(?:{'|'.join(words)}){_WORD_R}"))
        for phase, words in families.items()
    )


_KEYWORD_RE: Final = _compile_keywords()
_IV_RE: Final = re.compile(rf"{_WORD_L}(?:i\.?v\.?|intraven\w*){_WORD_R}")
_NO_AGENT: Final = frozenset({"none", "no", "n/a", "na", "nil", "-"})
# DICOM TM: HH, HHMM, HHMMSS, HHMMSS.FFFFFF; or the legacy HH:MM[:SS[.F]] form.
_TM_RE: Final = re.compile(r"(\d\d)(\d\d)?(\d\d)?(\.\d{1,6})?")
_LEGACY_TM_RE: Final = re.compile(r"\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?")
_WINDOWS: Final = (
    (Phase.ARTERIAL, MIN_USABLE_DELAY_S, ARTERIAL_END_S),
    (Phase.LATE_ARTERIAL, ARTERIAL_END_S, LATE_ARTERIAL_END_S),
    (Phase.PORTAL_VENOUS, LATE_ARTERIAL_END_S, PORTAL_VENOUS_END_S),
    (Phase.DELAYED, PORTAL_VENOUS_END_S, DELAYED_END_S),
)
_START: Final = "ContrastBolusStartTime"
_TIME_TAGS: Final = ("AcquisitionTime", "ContentTime", "SeriesTime")
_NAME_TAGS: Final = ("SeriesDescription", "ProtocolName")


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _is_localizer(item: PhaseInput) -> bool:
    return bool(item.is_localizer) or "LOCALIZER" in (
        _text(v).upper() for v in item.image_type or ()
    )


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _parse_tm(raw: str) -> float | None:
    """Seconds since midnight of a DICOM TM value, or None if malformed."""
    if _LEGACY_TM_RE.fullmatch(raw):
        raw = raw.replace(":", "")
    match = _TM_RE.fullmatch(raw)
    if match is None or (match[4] and not match[3]):
        return None
    hours, minutes, secs = (int(g or 0) for g in match.groups()[:3])
    if hours > 23 or minutes > 59 or secs > 60:
        return None
    return hours * 3600 + minutes * 60 + secs + float(match[4] or 0)


def _parse_times(item: PhaseInput) -> tuple[dict[str, float], list[str]]:
    raws = (item.contrast_start, item.acquisition_time, item.content_time)
    fields = zip((_START, *_TIME_TAGS), (*raws, item.series_time), strict=True)
    texts = {tag: text for tag, raw in fields if (text := _text(raw))}
    values = {
        tag: v for tag, text in texts.items() if (v := _parse_tm(text)) is not None
    }
    bad = [
        f"{tag} '{text}' is not a valid time"
        for tag, text in texts.items()
        if tag not in values
    ]
    return values, bad


def _keywords(item: PhaseInput) -> tuple[Phase | None, list[str]]:
    evidence: list[str] = []
    for tag, raw in zip(_NAME_TAGS, (item.description, item.protocol), strict=True):
        text = unicodedata.normalize("NFC", _text(raw)).lower()
        found: dict[Phase, str] = {}
        for phase, pattern in _KEYWORD_RE:
            if match := pattern.search(text):
                found[phase] = match.group()
            text = pattern.sub(lambda m: " " * len(m.group()), text)
        if len(found) == 1:
            ((phase, word),) = found.items()
            return phase, [*evidence, f"{tag} contains '{word}'"]
        if found:
            words = ", ".join(f"'{w}'" for w in found.values())
            evidence.append(f"{tag} names several phases ({words}): not used")
    return None, [*evidence, "no phase keyword in SeriesDescription or ProtocolName"]


def _timing(times: dict[str, float]) -> tuple[Phase | None, Confidence, list[str]]:
    start = times.get(_START)
    tag = next((t for t in _TIME_TAGS if t in times), None)
    if start is None or tag is None:
        note = "ContrastBolusStartTime given but no valid time to compare it with"
        return None, Confidence.NONE, [] if start is None else [note]
    delay = times[tag] - start
    if abs(delay) > MIDNIGHT_WRAP_S:
        delay -= math.copysign(DAY_S, delay)
    said = "acquired" if tag == "AcquisitionTime" else f"{tag} is"
    side = "before" if delay < 0 else "after"
    text = f"{said} {_seconds(abs(delay))} s {side} ContrastBolusStartTime"
    if delay < MIN_USABLE_DELAY_S:
        why = f"under {_seconds(MIN_USABLE_DELAY_S)} s after the bolus start"
        return None, Confidence.NONE, [f"{text}: timing not usable ({why})"]
    for phase, low, high in _WINDOWS:
        if delay < high or delay == high == DELAYED_END_S:
            window = f"{_label(phase)} window {_seconds(low)}-{_seconds(high)} s"
            return phase, Confidence.HIGH, [f"{text} ({window})"]
    beyond = f"{text} (beyond the {_seconds(DELAYED_END_S)} s delayed window)"
    return Phase.DELAYED, Confidence.LOW, [beyond]


def _contrast(item: PhaseInput) -> tuple[bool | None, list[str]]:
    agent, route = _text(item.contrast_agent), _text(item.contrast_route)
    notes: list[str] = []
    if agent.lower() in _NO_AGENT:
        if agent:
            notes.append(f"ContrastBolusAgent '{agent}' names no agent")
        agent = ""
    if route and _IV_RE.search(route.lower()):
        return True, [*notes, f"ContrastBolusRoute '{route}' includes intravenous"]
    if route:
        given = f"ContrastBolusAgent '{agent}' given by " if agent else ""
        return None, [*notes, f"{given}ContrastBolusRoute '{route}' is not intravenous"]
    if agent:
        return True, [*notes, f"ContrastBolusAgent '{agent}' present"]
    return None, [*notes, "no ContrastBolusAgent or ContrastBolusRoute"]


def _own_call(
    item: PhaseInput, times: dict[str, float], time_notes: list[str]
) -> PhaseCall:
    if _is_localizer(item):
        why = () if item.is_localizer else ("ImageType contains 'LOCALIZER'",)
        return PhaseCall(Phase.UNKNOWN, Confidence.NONE, ("localizer", *why), None)
    keyword, evidence = _keywords(item)
    timed, timed_conf, timing_notes = _timing(times)
    is_contrast, contrast_notes = _contrast(item)
    evidence += time_notes + timing_notes
    phase = keyword or timed
    confidence = timed_conf if keyword is None else Confidence.HIGH
    # Early and late arterial share a rank: for mRECIST they do not conflict.
    if keyword and timed and _RANK.get(keyword, 0) != _RANK[timed]:
        confidence = Confidence.MEDIUM
        evidence.append(
            f"keyword ({_label(keyword)}) kept over timing ({_label(timed)})"
        )
    if phase is Phase.NON_CONTRAST:
        if is_contrast:
            contrast_notes.append("non-contrast keyword overrides the contrast tags")
        is_contrast = False
    elif phase is not None:
        is_contrast = True
    evidence += contrast_notes
    agree = bool(keyword and timed and _RANK.get(keyword, 0) == _RANK[timed])
    return PhaseCall(
        phase or Phase.UNKNOWN, confidence, tuple(evidence), is_contrast, agree
    )
