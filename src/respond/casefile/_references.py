"""Step two of the case check: the cross-references a schema cannot express.

Ids, roles, dates in order, the baseline, merged lesions and sums. These checks
assume the document already matches the JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Final

from respond.casefile._paths import _Found, _Json, _Path, _show
from respond.criteria.vocabulary import lookup, suggest

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["cross_references"]

_NOT_MEASURABLE: Final = ("ascites", "pleural_effusion", "portal_vein_thrombus")
_DEFAULT_CRITERIA: Final = ("RECIST1.1", "mRECIST")
_CHILD_PUGH: Final = (("A", 5, 6), ("B", 7, 9), ("C", 10, 15))


def _at(path: _Path, *text: str) -> _Found:
    return path, "".join(text)


def cross_references(doc: _Json) -> Iterator[_Found]:
    """Check what a document matching the schema refers to.

    Parameters
    ----------
    doc : object
        A parsed document that already matches the ``respond-case/1`` schema.

    Yields
    ------
    tuple
        One ``(path, text)`` finding per problem.
    """
    lesions = doc["lesions"]
    first_index: dict[str, int] = {}
    for index, lesion in enumerate(lesions):
        yield from _check_lesion(index, lesion, first_index)
        first_index.setdefault(lesion["id"], index)
    by_id = {lesion_id: lesions[index] for lesion_id, index in first_index.items()}
    settings = doc.get("settings", {})
    criteria = settings.get("criteria", _DEFAULT_CRITERIA)
    primary = settings.get("primary_criterion")
    if primary is not None and primary not in criteria:
        yield _at(
            ("settings", "primary_criterion"),
            f"must be one of the criteria computed ({', '.join(criteria)}), ",
            f"got {_show(primary)}; add it to settings.criteria or choose one of them",
        )
    timepoints = doc["timepoints"]
    yield from _check_dates(timepoints)
    yield from _check_baseline(timepoints[0], by_id)
    for index, timepoint in enumerate(timepoints):
        yield from _check_timepoint(("timepoints", index), timepoint, by_id)


def _check_lesion(index: int, lesion: _Json, first: dict[str, int]) -> Iterator[_Found]:
    path = ("lesions", index)
    lesion_id, kind = lesion["id"], lesion.get("kind")
    if lesion_id in first:
        yield _at(
            (*path, "id"),
            f"lesion id {_show(lesion_id)} is already used by ",
            f"lesions[{first[lesion_id]}]; give each lesion its own id",
        )
    yield from _check_node_kind(path, lesion)
    if lesion["role"] == "target" and kind in _NOT_MEASURABLE:
        yield _at(
            (*path, "role"),
            f'a lesion of kind "{kind}" is not measurable and cannot be a target; ',
            "make it a non_target",
        )


def _check_node_kind(path: _Path, lesion: _Json) -> Iterator[_Found]:
    if lesion.get("kind") == "node" and lesion.get("is_node") is False:
        yield _at(
            (*path, "is_node"),
            'is false but kind is "node"; set is_node to true (or leave it out), ',
            "or change the kind",
        )


def _check_axes(path: _Path, item: _Json) -> Iterator[_Found]:
    short, long = item.get("short_axis_mm"), item.get("long_axis_mm")
    if short is not None and long is not None and short > long:
        yield _at(
            (*path, "short_axis_mm"),
            f"must not be greater than long_axis_mm ({_show(short)} > {_show(long)})",
            "; the short axis is the longest diameter perpendicular to the long axis",
        )


def _check_dates(timepoints: list[_Json]) -> Iterator[_Found]:
    for index in range(1, len(timepoints)):
        before, date = timepoints[index - 1]["date"], timepoints[index]["date"]
        if dt.date.fromisoformat(date) <= dt.date.fromisoformat(before):
            yield _at(
                ("timepoints", index, "date"),
                f"must be after timepoints[{index - 1}].date ({before}), got {date}; ",
                "list the time points in date order, one date per time point",
            )


def _is_nodal(lesion: _Json) -> bool:
    return lesion.get("is_node") is True or lesion.get("kind") == "node"


def _axis(lesion: _Json) -> str:
    return "short_axis_mm" if _is_nodal(lesion) else "long_axis_mm"


def _check_baseline(baseline: _Json, by_id: dict[str, _Json]) -> Iterator[_Found]:
    path: _Path = ("timepoints", 0)
    targets = baseline.get("targets", {})
    for lesion_id, lesion in by_id.items():
        if lesion["role"] != "target":
            continue
        if lesion_id in targets:
            entry_path = (*path, "targets", lesion_id)
            yield from _check_baseline_entry(entry_path, targets[lesion_id], lesion)
        else:
            yield _at(
                (*path, "targets") if "targets" in baseline else path,
                f"target lesion {_show(lesion_id)} has no baseline measurement; ",
                "measure it at baseline or make it a non_target",
            )
    if baseline.get("new_lesions"):
        yield _at(
            (*path, "new_lesions"),
            "must be empty at baseline: a finding seen at baseline is a baseline ",
            "lesion; add it to lesions",
        )


def _check_baseline_entry(path: _Path, entry: _Json, lesion: _Json) -> Iterator[_Found]:
    status = entry.get("status", "measured")
    if status != "measured":
        yield _at(
            (*path, "status"),
            f'must be "measured" at baseline, got {_show(status)}; a target lesion ',
            "needs a baseline measurement (otherwise make it a non_target)",
        )
    split_or_merged = [key for key in ("fragments_mm", "merged_into") if key in entry]
    for key in split_or_merged:
        yield (*path, key), "is not allowed at baseline; measure the lesion as one"
    axis = _axis(lesion)
    if status != "measured" or split_or_merged:
        return
    if axis not in entry:
        which = "a lymph node target" if _is_nodal(lesion) else "a non-nodal target"
        axis_name = axis.removesuffix("_mm").replace("_", " ")
        yield _at(
            path,
            f'required key "{axis}" is missing: {which} is measured by its ',
            f"{axis_name} at baseline",
        )
    elif entry[axis] <= 0:
        yield _at(
            (*path, axis),
            f"must be > 0 at baseline, got {_show(entry[axis])}; ",
            "a target lesion must be measurable at baseline",
        )


def _check_timepoint(
    path: _Path, timepoint: _Json, by_id: dict[str, _Json]
) -> Iterator[_Found]:
    is_baseline = path[-1] == 0
    targets = timepoint.get("targets", {})
    for lesion_id, entry in targets.items():
        where = (*path, "targets", lesion_id)
        lesion = by_id.get(lesion_id)
        if lesion is None or lesion["role"] != "target":
            yield where, _wrong_role(lesion_id, lesion, "target", "non_targets")
            continue
        yield from _check_measurement(where, entry, lesion, is_baseline)
        if "merged_into" in entry and not is_baseline:
            yield from _check_merge(where, targets, by_id)
    for lesion_id in timepoint.get("non_targets", {}):
        lesion = by_id.get(lesion_id)
        if lesion is None or lesion["role"] != "non_target":
            where = (*path, "non_targets", lesion_id)
            yield where, _wrong_role(lesion_id, lesion, "non_target", "targets")
    yield from _check_new_lesions(path, timepoint.get("new_lesions", []), by_id)
    yield from _check_clinical((*path, "clinical"), timepoint.get("clinical", {}))


def _wrong_role(lesion_id: str, lesion: _Json, role: str, other_key: str) -> str:
    if lesion is None:
        return (
            f"no lesion has id {_show(lesion_id)}; add it to lesions (role {role}) "
            "or correct the id"
        )
    return (
        f"{_show(lesion_id)} is a {lesion['role']} lesion; record it under "
        f"{other_key}, or change its role in lesions"
    )


def _check_measurement(
    path: _Path, entry: _Json, lesion: _Json, is_baseline: bool
) -> Iterator[_Found]:
    status = entry.get("status", "measured")
    if "fragments_mm" in entry and "merged_into" in entry:
        yield _at(
            (*path, "merged_into"),
            "cannot be combined with fragments_mm: a lesion either split (give ",
            "fragments_mm) or coalesced with another (give merged_into)",
        )
    for key in ("fragments_mm", "merged_into"):
        if key in entry and status != "measured":
            yield _at(
                (*path, key),
                f'only goes with status "measured", got status {_show(status)}; ',
                f"remove {key} or the status",
            )
    axis = _axis(lesion)
    has_value = any(key in entry for key in (axis, "fragments_mm", "merged_into"))
    if status == "measured" and not has_value and not is_baseline:
        yield _at(
            path,
            f'status "measured" needs {axis}, fragments_mm or merged_into; ',
            "give the measurement, or set status to too_small, absent or not_evaluated",
        )
    yield from _check_axes(path, entry)


def _check_merge(
    path: _Path, targets: _Json, by_id: dict[str, _Json]
) -> Iterator[_Found]:
    where = (*path, "merged_into")
    into = targets[path[-1]]["merged_into"]
    other, other_entry = by_id.get(into), targets.get(into)
    if into == path[-1]:
        yield where, "cannot name the lesion itself; name the target it coalesced with"
    elif other is None or other["role"] != "target":
        why = "no lesion has that id" if other is None else f"a {other['role']}"
        yield where, f"must name a target lesion, got {_show(into)} ({why})"
    elif other_entry is not None and "merged_into" in other_entry:
        yield _at(
            where,
            f"{_show(into)} is itself merged into {_show(other_entry['merged_into'])}",
            "; name the lesion that carries the merged size",
        )
    elif not _has_value(other_entry, other):
        yield _at(
            where,
            f"target {_show(into)} carries the merged size, so it must be measured ",
            f"at this time point with its {_axis(other)}",
        )


def _has_value(entry: _Json, lesion: _Json) -> bool:
    return (
        entry is not None
        and entry.get("status", "measured") == "measured"
        and _axis(lesion) in entry
    )


def _check_new_lesions(
    path: _Path, new_lesions: list[_Json], by_id: dict[str, _Json]
) -> Iterator[_Found]:
    seen: dict[str, int] = {}
    for index, new in enumerate(new_lesions):
        where = (*path, "new_lesions", index)
        new_id = new["id"]
        if new_id in by_id:
            yield _at(
                (*where, "id"),
                f"{_show(new_id)} is the id of a baseline lesion; ",
                "give the new lesion an id of its own",
            )
        elif new_id in seen:
            yield _at(
                (*where, "id"),
                f"new lesion {_show(new_id)} is already listed at this time point ",
                f"(new_lesions[{seen[new_id]}]); list each new lesion once",
            )
        seen.setdefault(new_id, index)
        yield from _check_node_kind(where, new)
        yield from _check_axes(where, new)


def _check_clinical(path: _Path, clinical: _Json) -> Iterator[_Found]:
    seen: dict[str, int] = {}
    for index, event in enumerate(clinical.get("adverse_events", [])):
        where = (*path, "adverse_events", index, "term")
        term = event["term"]
        found = lookup(term) if term == term.strip() else None
        if found is None:
            yield from _check_term(where, term)
            continue
        if event["grade"] not in found.grades:
            yield _at(
                (*path, "adverse_events", index, "grade"),
                f"{json.dumps(term)} has no grade {event['grade']} in CTCAE v5 ",
                f"(its grades: {_grade_list(found.grades)}); correct the grade",
            )
        first = seen.setdefault(found.canonical, index)
        if first != index:
            before = clinical["adverse_events"][first]["term"]
            yield _at(
                where,
                f"{json.dumps(term)} is the same event as {json.dumps(before)} ",
                f"(adverse_events[{first}]); record each event once, with its ",
                "current grade",
            )
    if "fhsi8" in clinical and "fhsi8_items" in clinical:
        total = sum(clinical["fhsi8_items"])
        if clinical["fhsi8"] != total:
            yield _at(
                (*path, "fhsi8"),
                f"is {_show(clinical['fhsi8'])} but fhsi8_items add up to ",
                f"{_show(total)}; correct one of them, or give only one",
            )
    child_pugh = clinical.get("child_pugh", "")
    if len(child_pugh) > 1:
        score = int(child_pugh[1:])
        fits = next(name for name, low, high in _CHILD_PUGH if low <= score <= high)
        if fits != child_pugh[0]:
            yield _at(
                (*path, "child_pugh"),
                f"score {score} does not fit class {child_pugh[0]} (A is 5-6, ",
                f'B 7-9, C 10-15), got "{child_pugh}"; did you mean "{fits}{score}"?',
            )
    if "dose_form" in clinical and clinical.get("dose_level") != -2:
        yield _at(
            (*path, "dose_form"),
            "says which form of dose level -2 is given, but dose_level is ",
            f"{_show(clinical.get('dose_level'))}; remove dose_form or set ",
            "dose_level -2",
        )


def _check_term(path: _Path, term: str) -> Iterator[_Found]:
    close = suggest(term)
    hint = (
        f"did you mean {' or '.join(json.dumps(t) for t in close)}?"
        if close
        else "see resources/ctcae/adverse-event-terms.csv"
    )
    yield _at(
        path,
        f"{_show(term)} is not a term of respond's CTCAE v5 vocabulary, which ",
        "writes each term in snake_case (e.g. Palmar-plantar erythrodysesthesia ",
        f"syndrome as palmar_plantar_erythrodysesthesia_syndrome); {hint}",
    )


def _grade_list(grades: tuple[int, ...]) -> str:
    if grades == tuple(range(grades[0], grades[-1] + 1)):
        return f"{grades[0]}-{grades[-1]}"
    return ", ".join(str(g) for g in grades)
