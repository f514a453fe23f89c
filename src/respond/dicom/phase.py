"""Contrast phase of each series of a study, with the evidence for it.

mRECIST measures viable HCC on the arterial phase (Lencioni & Llovet 2010), so
the loader says which series is which phase. Evidence, strongest first:
keywords in SeriesDescription (else ProtocolName); the delay after
ContrastBolusStartTime; the order of the series in the study (LOW confidence).
Contrast presence comes from ContrastBolusAgent and ContrastBolusRoute.
Standard library only: the caller reads the tags.

When the headers are silent or weak, the images can tell:
:mod:`respond.dicom.phase_image` measures the aorta and the liver and gives an
:class:`ImageEstimate`, which :func:`combine` adds to the header call. Keyword
and timing evidence wins where present; an image that disagrees with it
lowers the call to MEDIUM and says so.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "Confidence",
    "ImageEstimate",
    "Phase",
    "PhaseCall",
    "PhaseInput",
    "classify_phases",
    "combine",
    "is_arterial",
    "needs_image",
]

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


class Phase(Enum):
    """Contrast phase of a series."""

    NON_CONTRAST = "non_contrast"
    """Acquired without intravenous contrast."""
    ARTERIAL = "arterial"
    """Arterial phase (early, or not further specified)."""
    LATE_ARTERIAL = "late_arterial"
    """Late arterial phase, the preferred phase for mRECIST."""
    PORTAL_VENOUS = "portal_venous"
    """Portal venous phase."""
    DELAYED = "delayed"
    """Delayed, equilibrium, transitional or hepatobiliary phase."""
    UNKNOWN = "unknown"
    """Phase could not be determined."""


class Confidence(Enum):
    """How much the evidence supports a phase call."""

    HIGH = "high"
    """A keyword, or a delay inside a timing window."""
    MEDIUM = "medium"
    """A keyword contradicted by the timing."""
    LOW = "low"
    """Order within the study, or a very long delay."""
    NONE = "none"
    """No phase was determined."""


@dataclass(frozen=True, slots=True)
class PhaseInput:
    """One series (or stack) of a study, as its DICOM header describes it.

    Times are DICOM TM strings; a missing or empty value counts as absent.
    """

    key: str  # the caller's id for the series
    modality: str  # Modality (0008,0060): "CT", "MR", ...
    description: str = ""  # SeriesDescription (0008,103E)
    protocol: str = ""  # ProtocolName (0018,1030)
    series_number: int | None = None  # SeriesNumber (0020,0011)
    contrast_agent: str | None = None  # ContrastBolusAgent (0018,0010)
    contrast_route: str | None = None  # ContrastBolusRoute (0018,1040)
    contrast_start: str | None = None  # ContrastBolusStartTime (0018,1042)
    acquisition_time: str | None = None  # AcquisitionTime (0008,0032), 1st slice
    series_time: str | None = None  # SeriesTime (0008,0031)
    content_time: str | None = None  # ContentTime (0008,0033)
    image_type: tuple[str, ...] = ()  # ImageType (0008,0008)
    is_localizer: bool = False


@dataclass(frozen=True, slots=True)
class ImageEstimate:
    """What a CT stack's own pixels say about its contrast phase.

    Attenuations are medians over the slices used, in HU. ``phase`` is
    ``Phase.UNKNOWN`` when nothing could be measured (``reason`` says why) or
    when the measured values fit no phase. The confidence is at most MEDIUM.
    """

    phase: Phase
    confidence: Confidence
    reason: str = ""  # why nothing was measured; empty when values were
    aorta_hu: float | None = None
    liver_hu: float | None = None
    z_mm: tuple[float, float] | None = None  # lowest and highest slice used
    slice_count: int = 0
    is_contrast: bool | None = None  # contrast in the aorta; None if unmeasured

    @property
    def has_values(self) -> bool:
        """Both the aorta and the liver were measured."""
        return self.aorta_hu is not None and self.liver_hu is not None

    @property
    def evidence(self) -> str:
        """The estimate as one line of evidence, with its measured values."""
        if self.aorta_hu is None or self.liver_hu is None:
            return f"from the images: no estimate ({self.reason or 'not measured'})"
        where = f"{self.slice_count} slice{'s' * (self.slice_count != 1)}"
        if self.z_mm is not None:
            low, high = (str(round(z)) for z in self.z_mm)
            where += f", z {low} mm" if low == high else f", z {low}..{high} mm"
        values = f"aorta {self.aorta_hu:.0f} HU, liver {self.liver_hu:.0f} HU"
        if self.phase is not Phase.UNKNOWN:
            said = _label(self.phase)
        else:
            said = "contrast-enhanced, " * bool(self.is_contrast) + "fits no phase"
        return f"from the images: {values} ({where}): {said}"


@dataclass(frozen=True, slots=True)
class PhaseCall:
    """The phase given to one series, with the evidence behind it."""

    phase: Phase
    confidence: Confidence
    evidence: tuple[str, ...]  # readable, each naming the tag or keyword used
    is_contrast: bool | None  # intravenous contrast given; None when unknown
    is_corroborated: bool = False  # keyword and bolus timing agree
    image: ImageEstimate | None = None  # what the pixels said, when asked

    @property
    def is_disputed(self) -> bool:
        """The images read another phase, with MEDIUM confidence (see ``image``)."""
        image = self.image
        return (
            image is not None
            and image.confidence is Confidence.MEDIUM
            and _rank(image.phase) != _rank(self.phase)
        )


# Coarse rank of the contrast phases, used to place series between anchors.
_RANK: Final = dict.fromkeys((Phase.ARTERIAL, Phase.LATE_ARTERIAL), 1) | {
    Phase.PORTAL_VENOUS: 2,
    Phase.DELAYED: 3,
}
_CONTRAST_PHASES: Final = tuple(_RANK)
_BY_RANK: Final = {1: Phase.ARTERIAL, 2: Phase.PORTAL_VENOUS, 3: Phase.DELAYED}

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
_UNKNOWN_NOTE: Final = {
    True: "contrast given, timing unknown",
    False: "no contrast evidence: phase unknown",
}


def is_arterial(phase: Phase) -> bool:
    """Tell whether a phase is one mRECIST may be measured on.

    Parameters
    ----------
    phase : Phase
        The phase to test.

    Returns
    -------
    bool
        True for ``Phase.ARTERIAL`` and ``Phase.LATE_ARTERIAL``.
    """
    return phase in (Phase.ARTERIAL, Phase.LATE_ARTERIAL)


def classify_phases(series: Sequence[PhaseInput]) -> dict[str, PhaseCall]:
    """Call the contrast phase of every series of one study.

    Each series is first judged on its own (keywords, then the delay after
    ContrastBolusStartTime); series still unknown are then placed by their
    order among the other series of the same modality. Never raises on odd
    header values: they become evidence.

    Parameters
    ----------
    series : Sequence[PhaseInput]
        All series of one study, localizers included.

    Returns
    -------
    dict[str, PhaseCall]
        One call per ``PhaseInput.key``, in input order (a repeated key keeps
        the last series' call).
    """
    items = list(series)
    times = [_parse_times(item) for item in items]
    calls = [_own_call(item, t, ev) for item, (t, ev) in zip(items, times, strict=True)]
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if not _is_localizer(item):
            groups.setdefault(_text(item.modality).upper(), []).append(i)
    for indices in groups.values():
        _order_group(indices, items, [t for t, _ in times], calls)
    return {
        _text(item.key): _finish(call) for item, call in zip(items, calls, strict=True)
    }


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _is_localizer(item: PhaseInput) -> bool:
    return bool(item.is_localizer) or "LOCALIZER" in (
        _text(v).upper() for v in item.image_type or ()
    )


def _ordinal(n: int) -> str:
    teen = 10 <= n % 100 <= 20
    return f"{n}{'th' if teen else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _label(phase: Phase) -> str:
    return phase.value.replace("_", " ")


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


def _number(value: object) -> float | None:
    try:
        return None if isinstance(value, bool) else float(int(str(value).strip()))
    except (ValueError, OverflowError):
        return None


def _ordered_slots(
    indices: list[int], items: list[PhaseInput], times: list[dict[str, float]]
) -> tuple[str, list[list[int]]] | None:
    """Order by the key that covers most series, acquisition time first.

    Series with equal keys (recons of one acquisition) share a slot.
    """
    keys = {
        "acquisition time": {i: times[i].get(_TIME_TAGS[0]) for i in indices},
        "series time": {i: times[i].get(_TIME_TAGS[2]) for i in indices},
        "series number": {i: _number(items[i].series_number) for i in indices},
    }
    best: tuple[str, dict[int, float]] | None = None
    for by, found in keys.items():
        values = {i: v for i, v in found.items() if v is not None}
        if len(set(values.values())) < 2 or (best and len(values) <= len(best[1])):
            continue
        if (
            by.endswith("time")
            and max(values.values()) - min(values.values()) > MIDNIGHT_WRAP_S
        ):
            # A study running past midnight: early-morning times come last.
            values = {i: v + DAY_S * (v < MIDNIGHT_WRAP_S) for i, v in values.items()}
        best = (by, values)
    if best is None:
        return None
    by, values = best
    slots: dict[float, list[int]] = {}
    for i in sorted(values, key=lambda i: (values[i], _text(items[i].key), i)):
        slots.setdefault(values[i], []).append(i)
    return by, list(slots.values())


def _weak(call: PhaseCall, phase: Phase, note: str) -> PhaseCall:
    evidence, is_contrast = (*call.evidence, note), phase is not Phase.NON_CONTRAST
    return PhaseCall(phase, Confidence.LOW, evidence, is_contrast)


def _order_group(
    indices: list[int],
    items: list[PhaseInput],
    times: list[dict[str, float]],
    calls: list[PhaseCall],
) -> None:
    """Place the series still unknown by their order within one modality."""
    found = _ordered_slots(indices, items, times)
    contrast = (
        [s for s in found[1] if any(calls[i].is_contrast for i in s)] if found else []
    )
    if not found or not contrast:
        return
    by, slots = found
    first = slots.index(contrast[0])
    for i in (i for slot in slots[:first] for i in slot):
        if calls[i].phase is Phase.UNKNOWN and calls[i].is_contrast is None:
            note = f"acquired before the first contrast series by {by}"
            calls[i] = _weak(calls[i], Phase.NON_CONTRAST, note)
    anchors = [_anchor(slot, items, calls, by) for slot in contrast]
    if any(anchors):
        _between_anchors(contrast, anchors, by, calls, has_pre_contrast=first > 0)
    elif len(contrast) >= 2:
        for k, slot in enumerate(contrast, start=1):
            note = f"{_ordinal(k)} of {len(contrast)} contrast series by {by}"
            for i in slot:
                calls[i] = _weak(calls[i], _BY_RANK[min(k, 3)], note)


def _anchor(
    slot: list[int], items: list[PhaseInput], calls: list[PhaseCall], by: str
) -> tuple[Phase, str] | None:
    """Return the known contrast phase of a slot; its unknown members share it."""
    known = [i for i in slot if calls[i].phase in _CONTRAST_PHASES]
    if not known:
        return None
    phase, key = calls[known[0]].phase, _text(items[known[0]].key)
    note = f"same {by} as {_label(phase)} series '{key}'"
    for i in slot:
        if calls[i].phase is Phase.UNKNOWN:
            calls[i] = _weak(calls[i], phase, note)
    return phase, key


def _between_anchors(
    slots: list[list[int]],
    anchors: list[tuple[Phase, str] | None],
    by: str,
    calls: list[PhaseCall],
    *,
    has_pre_contrast: bool,
) -> None:
    """Give unknown contrast slots the phases that follow the anchor before them."""
    rank, after = 0, "after a non-contrast series" if has_pre_contrast else ""
    pending: list[list[int]] = []
    for slot, anchor in [*zip(slots, anchors, strict=True), ([], None)]:
        if anchor is None and slot:
            pending.append(slot)
            continue
        limit = _RANK[anchor[0]] if anchor else 4
        before = f"before {_label(anchor[0])} series '{anchor[1]}'" if anchor else ""
        where = " and ".join(w for w in (after, before) if w)
        for j, unknown in enumerate(pending):
            guess = min(rank + 1 + j, 3)
            which = f"{_ordinal(j + 1)} unknown " if len(pending) > 1 else ""
            note = f"{which}contrast series {where} by {by}"
            # Only delayed may repeat: two arterial or portal guesses need a gap.
            if guess < limit or guess == limit == 3:
                for i in unknown:
                    calls[i] = _weak(calls[i], _BY_RANK[guess], note)
            else:
                for i in unknown:
                    ev = (*calls[i].evidence, f"{note}: order gives no phase")
                    calls[i] = replace(calls[i], evidence=ev)
        if anchor:
            rank, after = _RANK[anchor[0]], before.replace("before", "after", 1)
        pending = []


def _finish(call: PhaseCall) -> PhaseCall:
    if call.phase is not Phase.UNKNOWN or call.evidence[:1] == ("localizer",):
        return call
    note = _UNKNOWN_NOTE[bool(call.is_contrast)]
    return replace(call, evidence=(*call.evidence, note))


def needs_image(call: PhaseCall) -> bool:
    """Tell whether a header call should be checked against the images.

    Calls that are unknown, weak (order in the study), or resting on a single
    header source (a keyword, or the timing, alone) are checked; a keyword
    that the bolus timing confirms is not.

    Parameters
    ----------
    call
        The call from :func:`classify_phases`.

    Returns
    -------
    bool
        True when an image estimate could add or correct something.
    """
    if call.evidence[:1] == ("localizer",):
        return False
    return call.confidence is not Confidence.HIGH or not call.is_corroborated


def combine(call: PhaseCall, estimate: ImageEstimate | None) -> PhaseCall:
    """Add the image estimate to a header call.

    Keyword and timing evidence wins: a HIGH or MEDIUM call keeps its phase,
    and an image that disagrees (with MEDIUM confidence) lowers it to MEDIUM,
    with the disagreement in the evidence. An unknown call takes the image's
    phase; a LOW call (the order in the study) takes it too when they differ,
    and rises to MEDIUM when they agree.

    Parameters
    ----------
    call
        The call from the headers.
    estimate
        What the images said; None when they were not looked at.

    Returns
    -------
    PhaseCall
        The combined call, with the estimate attached as ``image``.
    """
    if estimate is None:
        return call
    note = estimate.evidence
    if estimate.phase is Phase.UNKNOWN:
        contrast = call.is_contrast
        if contrast is None and estimate.has_values:
            contrast = estimate.is_contrast
        return replace(
            call, evidence=(*call.evidence, note), is_contrast=contrast, image=estimate
        )
    if call.phase is Phase.UNKNOWN:
        return _from_image(call, estimate)
    same = _rank(call.phase) == _rank(estimate.phase)
    header = f"the headers' {_label(call.phase)}"
    if call.confidence in (Confidence.LOW, Confidence.NONE):
        if same:
            return replace(
                call,
                confidence=Confidence.MEDIUM,
                evidence=(*call.evidence, f"{note}, agreeing"),
                image=estimate,
            )
        return replace(
            _from_image(call, estimate, f"kept over {header} (order in the study)"),
            confidence=Confidence.LOW,
        )
    if same:
        return replace(
            call, evidence=(*call.evidence, f"{note}, agreeing"), image=estimate
        )
    if estimate.confidence is Confidence.MEDIUM:
        lowered = Confidence.MEDIUM
        note += f", which disagrees with {header}: confidence lowered"
    else:
        lowered = call.confidence
        note += f", which disagrees with {header} (near a threshold: not used)"
    return replace(
        call, confidence=lowered, evidence=(*call.evidence, note), image=estimate
    )


def _rank(phase: Phase) -> int:
    return 0 if phase is Phase.NON_CONTRAST else _RANK.get(phase, -1)


def _from_image(call: PhaseCall, estimate: ImageEstimate, why: str = "") -> PhaseCall:
    """Give a call the image's phase, keeping the header notes that still hold."""
    silent = _UNKNOWN_NOTE[False]
    evidence = [e for e in call.evidence if e != silent]
    note = estimate.evidence + (f", {why}" if why else "")
    confidence = estimate.confidence
    is_contrast = estimate.phase is not Phase.NON_CONTRAST
    if call.is_contrast and not is_contrast:
        note += ", although the contrast tags say contrast was given"
        confidence = Confidence.LOW
    return replace(
        call,
        phase=estimate.phase,
        confidence=confidence,
        evidence=(*evidence, note),
        is_contrast=is_contrast,
        is_corroborated=False,
        image=estimate,
    )
