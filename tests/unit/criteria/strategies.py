"""Hypothesis strategies for valid respond-case/1 documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

LENGTH_TENTHS = st.integers(min_value=0, max_value=1500)
AE_TERMS = (
    "palmar_plantar_erythrodysesthesia_syndrome",
    "hand_foot_skin_reaction",
    "rash_maculo_papular",
    "upper_gastrointestinal_hemorrhage",
    "bleeding",
    "myocardial_infarction",
    "heart_failure",
    "hypertension",
    "colonic_perforation",
    "electrocardiogram_qt_corrected_interval_prolonged",
    "lipase_increased",
    "hypophosphatemia",
    "diarrhea",
    "fatigue",
    "stevens_johnson_syndrome",
)


def tenths(value: int) -> Decimal:
    return Decimal(value) / 10


@st.composite
def lesions(draw: st.DrawFn) -> list[dict]:
    n_targets = draw(st.integers(1, 5))
    out: list[dict] = []
    for i in range(n_targets):
        is_node = draw(st.booleans()) if i else False
        lesion = {"id": f"T{i + 1}", "role": "target", "is_node": is_node}
        lesion["organ"] = (
            "lymph node"
            if is_node
            else draw(st.sampled_from(["liver", "lung", "adrenal"]))
        )
        if not is_node and lesion["organ"] == "liver":
            lesion["kind"] = "hcc"
        out.append(lesion)
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["portal_vein_thrombus", "ascites", "other"]))
        out.append({"id": f"N{i + 1}", "role": "non_target", "kind": kind})
    return out


@st.composite
def target_entry(draw: st.DrawFn, lesion: dict, baseline: bool) -> dict:
    status = "measured"
    if not baseline:
        status = draw(
            st.sampled_from(["measured"] * 6 + ["too_small", "absent", "not_evaluated"])
        )
    entry: dict = {}
    if status != "measured":
        entry["status"] = status
        return entry
    low = 1 if baseline else 0
    value = tenths(draw(st.integers(low, 1500)))
    if lesion["is_node"]:
        entry["short_axis_mm"] = value
        entry["long_axis_mm"] = value + tenths(draw(st.integers(0, 100)))
    else:
        entry["long_axis_mm"] = value
        entry["viable_mm"] = tenths(draw(st.integers(0, int(value * 10))))
    return entry


def _canonical(term: str) -> str:
    from respond.criteria.vocabulary import lookup

    found = lookup(term)
    return term if found is None else found.canonical


def _grades(term: str) -> tuple[int, ...]:
    from respond.criteria.vocabulary import lookup

    found = lookup(term)
    return (1, 2, 3, 4, 5) if found is None else found.grades


@st.composite
def adverse_events(draw: st.DrawFn) -> list[dict]:
    events = []
    chosen = draw(st.lists(st.sampled_from(AE_TERMS), max_size=3, unique_by=_canonical))
    for term in chosen:
        grades = _grades(term)
        event = {
            "term": term,
            "grade": draw(st.sampled_from(grades)),
            "occurrence": draw(st.integers(1, 4)),
        }
        if draw(st.booleans()):
            event["days_without_improvement"] = draw(st.integers(0, 14))
        events.append(event)
    return events


@st.composite
def dosing(draw: st.DrawFn) -> dict:
    level = draw(st.sampled_from([0, -1, -2, None]))
    out: dict = {"dose_level": level}
    if level == -2 and draw(st.booleans()):
        out["dose_form"] = draw(
            st.sampled_from(["400mg_every_other_day", "200mg_once_daily"])
        )
    return out


@st.composite
def case_documents(draw: st.DrawFn, max_followups: int = 4) -> dict:
    lesion_list = draw(lesions())
    n_followups = draw(st.integers(0, max_followups))
    date = dt.date(2026, 1, 5)
    timepoints = []
    baseline_fhsi = draw(st.integers(10, 32))
    for t in range(n_followups + 1):
        targets = {
            les["id"]: draw(target_entry(les, baseline=t == 0))
            for les in lesion_list
            if les["role"] == "target"
        }
        non_targets = {
            les["id"]: "present"
            if t == 0
            else draw(
                st.sampled_from(
                    ["present", "absent", "not_evaluated", "unequivocal_progression"]
                )
            )
            for les in lesion_list
            if les["role"] == "non_target"
        }
        new_lesions = []
        if t and draw(st.integers(0, 5)) == 0:
            new_lesions.append(
                {
                    "id": "X1",
                    "organ": draw(st.sampled_from(["liver", "lung"])),
                    "long_axis_mm": tenths(draw(st.integers(20, 400))),
                    "typical_hcc": draw(st.booleans()),
                    "equivocal": draw(st.booleans()),
                }
            )
        timepoints.append(
            {
                "label": "BL" if t == 0 else f"FU{t}",
                "date": date.isoformat(),
                "arterial_phase": t == 0 or draw(st.integers(0, 9)) > 0,
                "targets": targets,
                "non_targets": non_targets,
                "new_lesions": new_lesions,
                "clinical": {
                    "fhsi8": baseline_fhsi if t == 0 else draw(st.integers(0, 32)),
                    "ecog": draw(st.integers(0, 4)),
                    "child_pugh": draw(st.sampled_from(["A5", "A6", "B7", "C10"])),
                    **draw(dosing()),
                    "adverse_events": draw(adverse_events()),
                    "second_line": {
                        "available": draw(st.booleans()),
                        "eligible": draw(st.booleans()),
                    },
                },
            }
        )
        date += dt.timedelta(days=draw(st.integers(14, 120)))
    settings = {
        "confirmation_required": draw(st.booleans()),
        "continuing_pr": draw(st.booleans()),
    }
    return {
        "format": "respond-case/1",
        "patient": {"id": "P1"},
        "settings": settings,
        "lesions": lesion_list,
        "timepoints": timepoints,
    }
