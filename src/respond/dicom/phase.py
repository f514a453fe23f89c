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

The per-series header evidence and the delay windows live in
:mod:`respond.dicom._phase_headers`, the order within the study in
:mod:`respond.dicom._phase_order` and the types in
:mod:`respond.dicom._phase_model`; their public names are re-exported here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from respond.dicom._phase_headers import ARTERIAL_END_S as ARTERIAL_END_S
from respond.dicom._phase_headers import DAY_S as DAY_S
from respond.dicom._phase_headers import DELAYED_END_S as DELAYED_END_S
from respond.dicom._phase_headers import (
    LATE_ARTERIAL_END_S as LATE_ARTERIAL_END_S,
)
from respond.dicom._phase_headers import MIDNIGHT_WRAP_S as MIDNIGHT_WRAP_S
from respond.dicom._phase_headers import (
    MIN_USABLE_DELAY_S as MIN_USABLE_DELAY_S,
)
from respond.dicom._phase_headers import (
    PORTAL_VENOUS_END_S as PORTAL_VENOUS_END_S,
)
from respond.dicom._phase_headers import (
    _is_localizer,
    _own_call,
    _parse_times,
    _text,
)
from respond.dicom._phase_model import (
    Confidence,
    ImageEstimate,
    Phase,
    PhaseCall,
    PhaseInput,
    _label,
    _rank,
)
from respond.dicom._phase_order import _order_group

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
