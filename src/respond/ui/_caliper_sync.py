"""Between the session's calipers (patient mm) and the viewer's (voxel indices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.criteria import Caliper, CaliperKind

if TYPE_CHECKING:
    from respond.criteria import TimePointRecord
    from respond.dicom import Volume
    from respond.ui.viewer import IndexPoint, SliceView

__all__ = ["caliper_from_indices", "parse_key", "show_calipers"]


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
    """Return a caliper in patient space from two voxel indices on one slice."""
    assert volume.geometry is not None
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
    """Show a time point's calipers drawn on the viewed series (others hidden)."""
    for key in list(view.calipers()):
        view.remove_caliper(key)
    volume = view.volume
    if record is None or volume is None or volume.geometry is None:
        return
    geometry = volume.geometry
    for lesion_id, calipers in record.calipers.items():
        long_keys: dict[int, str] = {}
        ordered = sorted(calipers, key=lambda c: c.kind is CaliperKind.SHORT_AXIS)
        for caliper in ordered:
            if caliper.series_uid != series_uid:
                continue
            start = tuple(float(v) for v in geometry.patient_to_index(caliper.start_mm))
            end = tuple(float(v) for v in geometry.patient_to_index(caliper.end_mm))
            k = round(start[0])
            start = (float(k), start[1], start[2])
            end = (float(k), end[1], end[2])
            link = long_keys.get(k) if caliper.kind is CaliperKind.SHORT_AXIS else None
            key = key_of(lesion_id, caliper)
            view.add_caliper(key, caliper.kind.value, start, end, long_axis_key=link)
            if caliper.kind is CaliperKind.LONG_AXIS:
                long_keys[k] = key
