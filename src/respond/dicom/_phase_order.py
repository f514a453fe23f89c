"""Place the series the headers left unknown by their order in the study.

Within one modality, series are ordered by acquisition time, series time or
series number; unknown series before the first contrast series are called
non-contrast, and unknown contrast series take the phases that follow the
known ones before them (or, with no known one, their rank among the contrast
series). Every phase given this way has LOW confidence.
"""

from __future__ import annotations

from dataclasses import replace

from respond.dicom._phase_headers import _TIME_TAGS, DAY_S, MIDNIGHT_WRAP_S, _text
from respond.dicom._phase_model import (
    _BY_RANK,
    _CONTRAST_PHASES,
    _RANK,
    Confidence,
    Phase,
    PhaseCall,
    PhaseInput,
    _label,
)


def _ordinal(n: int) -> str:
    teen = 10 <= n % 100 <= 20
    return f"{n}{'th' if teen else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


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
