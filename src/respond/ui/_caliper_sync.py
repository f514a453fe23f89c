"""Between the session's calipers (patient mm) and the viewer's (voxel indices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria import Caliper, CaliperKind
from respond.dicom import GeometryError

if TYPE_CHECKING:
    from respond.criteria import TimePointRecord
    from respond.dicom import Volume
    from respond.ui.viewer import CaliperKind as ViewKind
    from respond.ui.viewer import IndexPoint, SliceView

__all__ = ["caliper_from_indices", "parse_key", "show_calipers"]

_VIEW_KINDS: dict[CaliperKind, ViewKind] = {
    CaliperKind.LONG_AXIS: "long_axis",
    CaliperKind.SHORT_AXIS: "short_axis",
    CaliperKind.VIABLE: "viable",
    CaliperKind.FRAGMENT: "fragment",
}


def key_of(lesion_id: str, caliper: Caliper) -> str:
    """Return the viewer key of a caliper: ``lesion|kind|index``."""
    return f"{lesion_id}|{caliper.kind.value}|{caliper.index}"


def parse_key(key: str) -> tuple[str, CaliperKind, int]:
    """Split a viewer key into lesion id, kind and fragment index."""
    lesion_id, kind, index = key.split("|")
    return lesion_id, CaliperKind(kind), int(index)


def caliper_from_indices(
    volume: Volume,
    kind: CaliperKind,
    start: IndexPoint,
    end: IndexPoint,
    index: int = 0,
) -> Caliper:
    """Return a caliper in patient space from two voxel indices on one slice.

    Raises
    ------
    GeometryError
        When the volume has no geometry (no millimetres to measure in).
    """
    if volume.geometry is None:
        raise GeometryError(
            "this series has no consistent slice geometry, so it cannot be "
            "measured in mm: measure on another series"
        )
    first = volume.geometry.index_to_patient(*start)
    second = volume.geometry.index_to_patient(*end)
    k = round(start[0])
    frame = volume.frames[k]
    return Caliper(
        kind,
        (float(first[0]), float(first[1]), float(first[2])),
        (float(second[0]), float(second[1]), float(second[2])),
        series_uid=volume.series_uid,
        sop_instance_uid=frame.sop_instance_uid,
        frame=frame.frame,
        index=index,
    )


def show_calipers(
    view: SliceView, record: TimePointRecord | None, series_uid: str
) -> None:
    """Show a time point's calipers drawn on the viewed series (others hidden).

    Calipers already shown are moved in place, not rebuilt: this runs while a
    dragged caliper reports its edit, and that item must outlive its own signal.
    """
    wanted = _wanted(view, record, series_uid)
    for key in list(view.calipers()):
        if key not in wanted:
            view.remove_caliper(key)
    for key, (kind, start, end, link) in wanted.items():
        if key in view.calipers():
            if view.caliper_link(key) == link:
                view.move_caliper(key, start, end)
                continue
            view.remove_caliper(key)
        view.add_caliper(key, kind, start, end, long_axis_key=link)


def _wanted(
    view: SliceView, record: TimePointRecord | None, series_uid: str
) -> dict[str, tuple[ViewKind, IndexPoint, IndexPoint, str | None]]:
    """Return the calipers to show by key, long axes before their short axes."""
    volume = view.volume
    if record is None or volume is None or volume.geometry is None:
        return {}
    geometry = volume.geometry
    wanted: dict[str, tuple[ViewKind, IndexPoint, IndexPoint, str | None]] = {}
    for lesion_id, calipers in record.calipers.items():
        long_keys: dict[int, str] = {}
        ordered = sorted(calipers, key=lambda c: c.kind is CaliperKind.SHORT_AXIS)
        for caliper in ordered:
            if caliper.series_uid != series_uid:
                continue
            first = geometry.patient_to_index(caliper.start_mm)
            second = geometry.patient_to_index(caliper.end_mm)
            k = round(float(first[0]))
            start = (float(k), float(first[1]), float(first[2]))
            end = (float(k), float(second[1]), float(second[2]))
            link = long_keys.get(k) if caliper.kind is CaliperKind.SHORT_AXIS else None
            key = key_of(lesion_id, caliper)
            wanted[key] = (_VIEW_KINDS[caliper.kind], start, end, link)
            if caliper.kind is CaliperKind.LONG_AXIS:
                long_keys[k] = key
    return wanted
