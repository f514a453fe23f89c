"""Compare what OHIF's page holds with the calipers the SR asks for.

The browser script (``ohif_check.mjs``) only observes; this decides. A caliper
is drawn when OHIF hydrated a measurement on the caliper's image whose end
points are the caliper's (within 0.1 mm), whose label is the caliper's, whose
length is the caliper's (within 0.1 mm), and which the viewport showed on that
image with its line in the SVG annotation layer. A study passes when every
caliper is drawn, OHIF drew nothing else, and the page showed no error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from interop.expected import Caliper, distance

TOLERANCE_MM = 0.1
TOLERANCE_PX = 3.0

Observed = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CaliperVerdict:
    """Whether one caliper was drawn, and why not."""

    caliper: Caliper
    hydrated: bool
    drawn: bool
    read_only: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StudyVerdict:
    """One study's result."""

    label: str
    sr_name: str
    calipers: tuple[CaliperVerdict, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def drawn(self) -> int:
        """How many calipers OHIF drew as measurements."""
        return sum(v.drawn for v in self.calipers)

    @property
    def read_only(self) -> int:
        """How many calipers only the SR viewport drew (not hydrated)."""
        return sum(v.read_only and not v.hydrated for v in self.calipers)

    @property
    def ok(self) -> bool:
        """Every caliper drawn, nothing else drawn, no error."""
        return (
            bool(self.calipers)
            and not self.problems
            and self.drawn == len(self.calipers)
        )


def points_error(
    expected: Sequence[Sequence[float]], actual: Sequence[Sequence[float]]
) -> float:
    """Return the larger end-point distance (mm), in the better of the two orders."""
    if len(expected) != 2 or len(actual) != 2:
        return float("inf")
    straight = max(distance(expected[0], actual[0]), distance(expected[1], actual[1]))
    crossed = max(distance(expected[0], actual[1]), distance(expected[1], actual[0]))
    return min(straight, crossed)


def _same_image(caliper: Caliper, measurement: Observed) -> bool:
    if measurement.get("sopInstanceUid") != caliper.sop_instance_uid:
        return False
    frame = measurement.get("frame")
    return caliper.frame is None or frame is None or int(frame) == caliper.frame


def _error(caliper: Caliper, measurement: Observed) -> float:
    if caliper.points_mm is None:
        length = measurement.get("length")
        return 0.0 if length is None else abs(float(length) - caliper.length_mm)
    return points_error(caliper.points_mm, measurement.get("points") or [])


def _rendering_problems(rendered: Observed | None, caliper: Caliper) -> list[str]:
    if not rendered:
        return ["its rendering was not checked"]
    problems = []
    if rendered.get("displayedSop") != caliper.sop_instance_uid:
        problems.append(
            f"the viewport showed image {rendered.get('displayedSop')}, not the "
            f"caliper's (after a jump by {rendered.get('method')})"
        )
    if not rendered.get("line"):
        problems.append("no line of it in the viewport's SVG annotation layer")
    offset = rendered.get("offsetPx")
    if offset is not None and float(offset) > TOLERANCE_PX:
        problems.append(
            f"its line is drawn {float(offset):.1f} px away from its end points"
        )
    return problems


def _measurement_problems(
    caliper: Caliper, measurement: Observed, rendered: Observed | None
) -> list[str]:
    problems = []
    error = _error(caliper, measurement)
    if caliper.points_mm is not None and error > TOLERANCE_MM:
        problems.append(f"its end points are {error:.2f} mm away from the SR's")
    label = measurement.get("label")
    if label != caliper.label:
        problems.append(f"OHIF labels it {label!r}, the SR {caliper.label!r}")
    length = measurement.get("length")
    if length is None:
        problems.append("OHIF shows no length for it")
    elif abs(float(length) - caliper.length_mm) > TOLERANCE_MM:
        problems.append(
            f"OHIF's length {float(length):.2f} mm, the SR's {caliper.length_mm:.2f} mm"
        )
    points = measurement.get("points") or []
    if (
        len(points) == 2
        and abs(distance(points[0], points[1]) - caliper.length_mm) > TOLERANCE_MM
    ):
        problems.append(
            f"its end points are {distance(points[0], points[1]):.2f} mm apart, "
            f"the SR says {caliper.length_mm:.2f} mm"
        )
    problems.extend(_rendering_problems(rendered, caliper))
    return problems


def _read_only(caliper: Caliper, observed: Observed) -> bool:
    """Whether OHIF's SR viewport drew the caliper (DICOMSRDisplay, not hydrated)."""
    for annotation in observed.get("srAnnotations") or []:
        if annotation.get("sopInstanceUid") != caliper.sop_instance_uid:
            continue
        for polyline in annotation.get("polylines") or []:
            if (
                caliper.points_mm is None
                or points_error(caliper.points_mm, polyline) <= TOLERANCE_MM
            ):
                return True
    return False


def _why_missing(caliper: Caliper, observed: Observed, read_only: bool) -> list[str]:
    sr = observed.get("srDisplaySet") or {}
    if not sr.get("hydrated"):
        reasons = ["the SR was not hydrated"]
    else:
        reasons = [f"OHIF hydrated no measurement on image {caliper.sop_instance_uid}"]
        if caliper.index_in_group > 0:
            reasons.append(
                f"it is NUM {caliper.index_in_group + 1} of its measurement group: "
                "OHIF's Length adapter reads a group's first NUM only"
            )
    if read_only:
        reasons.append("only OHIF's SR viewport drew it, read-only")
    return reasons


def _hydration_problems(observed: Observed) -> list[str]:
    sr = observed.get("srDisplaySet")
    if not sr or sr.get("hydrated"):
        return []
    if sr.get("rehydratable") is False:
        return [
            (
                "OHIF did not hydrate the SR: none of its measurement groups is "
                "rehydratable (OHIF knows a group by a Cornerstone tracking "
                "identifier, e.g. 'Cornerstone3DTools@^0.1.0:Length', or by the "
                "graphic type of a group-level SCOORD); it showed the SR read-only"
            )
        ]
    return ["OHIF did not hydrate the SR"]


def _pick(caliper: Caliper, candidates: list[Observed]) -> Observed | None:
    on_image = [m for m in candidates if _same_image(caliper, m)]
    if not on_image:
        return None
    # the closest, and among equally close ones (two calipers on the same
    # line) the one with the caliper's label
    return min(
        on_image,
        key=lambda m: (
            _error(caliper, m) > TOLERANCE_MM,
            m.get("label") != caliper.label,
            _error(caliper, m),
        ),
    )


def judge_caliper(
    caliper: Caliper, observed: Observed, unused: list[Observed]
) -> CaliperVerdict:
    """Judge one caliper; the measurement it matches is taken out of ``unused``."""
    read_only = _read_only(caliper, observed)
    measurement = _pick(caliper, unused)
    if measurement is None:
        reasons = tuple(_why_missing(caliper, observed, read_only))
        return CaliperVerdict(caliper, False, False, read_only, reasons)
    unused.remove(measurement)
    rendered = (observed.get("rendered") or {}).get(measurement.get("uid"))
    problems = _measurement_problems(caliper, measurement, rendered)
    return CaliperVerdict(caliper, True, not problems, read_only, tuple(problems))


def _study_problems(observed: Observed, unused: Sequence[Observed]) -> list[str]:
    problems = []
    if observed.get("fatal"):
        problems.append(str(observed["fatal"]))
    problems.extend(_hydration_problems(observed))
    problems.extend(str(e) for e in observed.get("uiErrors") or [])
    problems.extend(f"page error: {e}" for e in observed.get("pageErrors") or [])
    problems.extend(
        f"DICOMweb request failed: {e}" for e in observed.get("httpErrors") or []
    )
    for marker in observed.get("consoleMarkers") or []:
        problems.append(f'OHIF\'s console: "{marker}"')
    for extra in unused:
        problems.append(
            f"OHIF shows a measurement the SR does not have: {extra.get('label')!r} "
            f"on {extra.get('sopInstanceUid')}"
        )
    return problems


def judge_study(
    label: str, sr_name: str, calipers: Sequence[Caliper], observed: Observed
) -> StudyVerdict:
    """Judge one study from the browser script's record of it."""
    unused = list(observed.get("measurements") or [])
    verdicts = tuple(judge_caliper(c, observed, unused) for c in calipers)
    problems = _study_problems(observed, unused)
    if not calipers:
        problems.append("the SR has no caliper to draw (no NUM with a SCOORD)")
    return StudyVerdict(label, sr_name, verdicts, tuple(problems))
