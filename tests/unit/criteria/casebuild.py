"""Terse builders for ``respond-case/1`` documents and readers for the output.

The rule tests are black-box: they build a case document, pass it to
``respond.casefile.assess_case_document`` and read the ``respond-assessment/1``
dict that comes back.  Nothing here knows how the engine works.

Shorthand used by :func:`case`:

* lesions are made with :func:`target` / :func:`non_target`;
* a time point is made with :func:`tp`; its ``day`` is the number of days after
  2026-01-05 (the baseline is normally day 0) and its label defaults to ``BL``,
  ``FU1``, ``FU2``, ...;
* a target value may be a number (non-node: ``long_axis_mm``; node:
  ``short_axis_mm``; a liver target also gets the same ``viable_mm``), a pair
  ``(long_axis_mm, viable_mm)`` for a liver target, a status string
  (``"too_small"``, ``"absent"``, ``"not_evaluated"``), a list (the fragments
  of a split lesion), or a dict written out in full;  ``None`` leaves the target
  out of the time point altogether;
* ``decimal=True`` turns every non-integer number into ``decimal.Decimal``, the
  way ``json.loads(..., parse_float=Decimal)`` reads a file.
"""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from typing import Any

BASE_DATE = _dt.date(2026, 1, 5)
RECIST = "RECIST1.1"
MRECIST = "mRECIST"
STATUSES = ("too_small", "absent", "not_evaluated", "measured")

Doc = dict[str, Any]


def day(n: int) -> str:
    """ISO date ``n`` days after the baseline date."""
    return (BASE_DATE + _dt.timedelta(days=n)).isoformat()


# --------------------------------------------------------------------- lesions
def target(
    lid: str,
    organ: str = "lung",
    *,
    node: bool = False,
    kind: str | None = None,
    site: str | None = None,
    typical: bool | None = None,
) -> Doc:
    """A target lesion; ``organ="lymph node"`` or ``node=True`` makes a node."""
    return _lesion(lid, "target", organ, node, kind, site, typical)


def non_target(
    lid: str,
    organ: str = "lung",
    *,
    node: bool = False,
    kind: str | None = None,
    site: str | None = None,
) -> Doc:
    """A non-target lesion."""
    return _lesion(lid, "non_target", organ, node, kind, site, None)


def observed(
    status: str = "present",
    short_axis_mm: float | None = None,
    *,
    note: str | None = None,
    cytology: str | None = None,
) -> Doc:
    """A non-target observation written out in full (the object form)."""
    obs: Doc = {"status": status}
    if short_axis_mm is not None:
        obs["short_axis_mm"] = short_axis_mm
    if note is not None:
        obs["note"] = note
    if cytology is not None:
        obs["cytology"] = cytology
    return obs


def porta_node(lid: str = "P1", role: str = "target") -> Doc:
    """A porta hepatis lymph node, as a target or a non-target (mRECIST A10)."""
    return _lesion(lid, role, "lymph node", True, None, "porta hepatis", None)


def liver(lid: str = "T1", **kw: Any) -> Doc:
    """A typical HCC target in the liver."""
    kw.setdefault("kind", "hcc")
    kw.setdefault("typical", True)
    return target(lid, "liver", **kw)


def node(lid: str = "L1", site: str | None = "para-aortic", **kw: Any) -> Doc:
    """A lymph-node target (short axis counts)."""
    return target(lid, "lymph node", node=True, site=site, **kw)


def _lesion(
    lid: str,
    role: str,
    organ: str,
    is_node: bool,
    kind: str | None,
    site: str | None,
    typical: bool | None,
) -> Doc:
    les: Doc = {"id": lid, "role": role, "organ": organ, "is_node": is_node}
    if organ == "lymph node":
        les["is_node"] = True
    if kind is not None:
        les["kind"] = kind
    if site is not None:
        les["site"] = site
    if typical is not None:
        les["typical_hcc"] = typical
    return les


# ------------------------------------------------------------------ new lesions
def new(
    lid: str,
    organ: str = "lung",
    size: float | None = 12.0,
    *,
    node: bool = False,
    equivocal: bool | None = None,
    typical: bool | None = None,
    site: str | None = None,
    kind: str | None = None,
    cytology: str | None = None,
) -> Doc:
    """A new lesion; ``size`` is the short axis of a node, else the long axis."""
    les: Doc = {"id": lid, "organ": organ, "is_node": node}
    if size is not None:
        les["short_axis_mm" if node else "long_axis_mm"] = size
    if equivocal is not None:
        les["equivocal"] = equivocal
    if typical is not None:
        les["typical_hcc"] = typical
    if site is not None:
        les["site"] = site
    if kind is not None:
        les["kind"] = kind
    if cytology is not None:
        les["cytology"] = cytology
    return les


# ------------------------------------------------------------------ clinical
def ae(term: str, grade: int, occurrence: int = 1, days: int | None = None) -> Doc:
    """An adverse event."""
    ev: Doc = {"term": term, "grade": grade, "occurrence": occurrence}
    if days is not None:
        ev["days_without_improvement"] = days
    return ev


def clinical(
    *,
    fhsi8: int | None = 27,
    ecog: int | None = 1,
    child_pugh: str | None = "A5",
    dose_level: int | None = 0,
    aes: list[Doc] | tuple[Doc, ...] = (),
    second_line: tuple[bool, bool] | None = (False, False),
    **extra: Any,
) -> Doc:
    """Clinical data of one time point; ``second_line`` = (available, eligible)."""
    out: Doc = {"dose_level": dose_level, "adverse_events": list(aes)}
    if fhsi8 is not None:
        out["fhsi8"] = fhsi8
    if ecog is not None:
        out["ecog"] = ecog
    if child_pugh is not None:
        out["child_pugh"] = child_pugh
    if second_line is not None:
        out["second_line"] = {
            "available": second_line[0],
            "eligible": second_line[1],
        }
    out.update(extra)
    return out


# ------------------------------------------------------------------ time points
def tp(
    day_: int,
    targets: dict[str, Any] | None = None,
    nts: dict[str, Any] | None = None,
    new_lesions: list[Doc] | tuple[Doc, ...] = (),
    *,
    clin: Doc | None = None,
    arterial: bool | None = True,
    label: str | None = None,
) -> Doc:
    """A raw time-point spec, resolved by :func:`case`."""
    return {
        "day": day_,
        "targets": dict(targets or {}),
        "nts": dict(nts or {}),
        "new": list(new_lesions),
        "clin": clin,
        "arterial": arterial,
        "label": label,
    }


def _is_liver(les: Doc) -> bool:
    return not les.get("is_node") and (
        les.get("kind") == "hcc" or les.get("organ") == "liver"
    )


def _target_value(les: Doc, value: Any) -> Doc:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str):
        if value not in STATUSES:
            raise ValueError(f"unknown target status {value!r}")
        return {"status": value}
    if isinstance(value, list):
        return {"fragments_mm": list(value)}
    if isinstance(value, tuple):
        long_axis, viable = value
        return {"long_axis_mm": long_axis, "viable_mm": viable}
    if les.get("is_node"):
        return {"short_axis_mm": value}
    if _is_liver(les):
        return {"long_axis_mm": value, "viable_mm": value}
    return {"long_axis_mm": value}


def case(
    lesions: list[Doc],
    *timepoints: Doc,
    settings: Doc | None = None,
    decimal: bool = False,
) -> Doc:
    """Build a ``respond-case/1`` document."""
    by_id = {les["id"]: les for les in lesions}
    tps: list[Doc] = []
    for i, spec in enumerate(timepoints):
        point: Doc = {
            "label": spec["label"] or ("BL" if i == 0 else f"FU{i}"),
            "date": day(spec["day"]),
        }
        if spec["arterial"] is not None:
            point["arterial_phase"] = spec["arterial"]
        point["targets"] = {
            lid: _target_value(by_id[lid], v)
            for lid, v in spec["targets"].items()
            if v is not None
        }
        point["non_targets"] = dict(spec["nts"])
        point["new_lesions"] = [dict(n) for n in spec["new"]]
        if spec["clin"] is not None:
            point["clinical"] = spec["clin"]
        tps.append(point)
    doc: Doc = {
        "format": "respond-case/1",
        "patient": {"id": "RULES-TEST"},
        "lesions": [dict(les) for les in lesions],
        "timepoints": tps,
    }
    if settings:
        doc["settings"] = dict(settings)
    text = json.dumps(doc)
    if decimal:
        return json.loads(text, parse_float=Decimal)
    return json.loads(text)


# ------------------------------------------------------------------ running
def assess(doc: Doc) -> Doc:
    """Run the engine's public entry point on ``doc``."""
    from respond.casefile import assess_case_document

    return assess_case_document(doc)


def block(out: Doc, index: int, criterion: str = RECIST) -> Doc:
    """The per-criterion block of time point ``index`` (0 = baseline)."""
    return out["timepoints"][index][criterion]


def last(out: Doc, criterion: str = RECIST) -> Doc:
    """The per-criterion block of the latest time point."""
    return out["timepoints"][-1][criterion]


def bor(out: Doc, criterion: str = RECIST) -> Any:
    """Best overall response for ``criterion``."""
    return out["best_overall"][criterion]


def progression(out: Doc, criterion: str = RECIST) -> Doc | None:
    """The progression entry (date, label) for ``criterion``, or None."""
    prog = out.get("progression") or {}
    return prog.get(criterion)


def texts(items: list[Any]) -> list[str]:
    """Lower-cased text of rules, reasons or notes (dicts or strings)."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(" ".join(str(v) for v in item.values()).lower())
        else:
            out.append(str(item).lower())
    return out


def mentions(items: list[Any], *keywords: str) -> bool:
    """Whether any item mentions any of ``keywords`` (case-insensitive)."""
    keys = [k.lower() for k in keywords]
    return any(k in t for t in texts(items) for k in keys)


def first_index(items: list[Any], *keywords: str) -> int:
    """Index of the first item mentioning any keyword, or -1."""
    keys = [k.lower() for k in keywords]
    for i, t in enumerate(texts(items)):
        if any(k in t for k in keys):
            return i
    return -1


def num(value: Any) -> Decimal | None:
    """An output number as an exact Decimal (via its shortest repr)."""
    if value is None:
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def check_block(blk: Doc, expect: Doc) -> None:
    """Assert ``expect`` (key -> value) against a criterion block.

    Keys ending in ``_mm`` or ``_pct`` compare exactly as decimals.
    """
    for key, want in expect.items():
        assert key in blk, f"{key} missing from output block {sorted(blk)}"
        got = blk[key]
        if (key.endswith(("_mm", "_pct"))) and want is not None:
            assert got is not None, f"{key}: expected {want}, got None"
            assert num(got) == Decimal(str(want)), f"{key}: expected {want}, got {got}"
        else:
            assert got == want, f"{key}: expected {want!r}, got {got!r}"
