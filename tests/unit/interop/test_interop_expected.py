"""The calipers read from an SR: what OHIF is expected to draw."""

from __future__ import annotations

import pytest
from interop.expected import Caliper, ImagePlane, expected_calipers
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

IMAGE = "1.2.3.4.5"
OTHER = "1.2.3.4.6"


def _code(value: str, scheme: str = "DCM", meaning: str = "") -> Dataset:
    code = Dataset()
    code.CodeValue = value
    code.CodingSchemeDesignator = scheme
    code.CodeMeaning = meaning or value
    return code


def _item(value_type: str, concept: Dataset, relation: str = "CONTAINS") -> Dataset:
    item = Dataset()
    item.RelationshipType = relation
    item.ValueType = value_type
    item.ConceptNameCodeSequence = Sequence([concept])
    return item


def _text(value: str, meaning: str, text: str) -> Dataset:
    item = _item("TEXT", _code(value, meaning=meaning), "HAS OBS CONTEXT")
    item.TextValue = text
    return item


def _scoord(points: list[float], sop: str, frame: int | None = None) -> Dataset:
    image = _item("IMAGE", _code("260753009", "SCT", "Source"), "SELECTED FROM")
    reference = Dataset()
    reference.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    reference.ReferencedSOPInstanceUID = sop
    if frame is not None:
        reference.ReferencedFrameNumber = frame
    image.ReferencedSOPSequence = Sequence([reference])
    scoord = _item("SCOORD", _code("260753009", "SCT", "Source"), "INFERRED FROM")
    scoord.GraphicType = "POLYLINE"
    scoord.GraphicData = points
    scoord.ContentSequence = Sequence([image])
    return scoord


def _num(meaning: str, value: float, scoord: Dataset | None) -> Dataset:
    num = _item("NUM", _code(meaning.upper().replace(" ", "-"), "99TEST", meaning))
    measured = Dataset()
    measured.NumericValue = value
    measured.MeasurementUnitsCodeSequence = Sequence([_code("mm", "UCUM", "mm")])
    num.MeasuredValueSequence = Sequence([measured])
    if scoord is not None:
        num.ContentSequence = Sequence([scoord])
    return num


def _group(lesion: str, *children: Dataset, comment: str = "") -> Dataset:
    group = _item("CONTAINER", _code("125007", meaning="Measurement Group"))
    items = [
        _text("112039", "Tracking Identifier", lesion),
        _item("UIDREF", _code("112040", meaning="Tracking Unique Identifier")),
    ]
    items[1].UID = f"2.25.{sum(map(ord, lesion))}"
    if comment:
        items.append(_text("121106", "Comment", comment))
    group.ContentSequence = Sequence(items + list(children))
    return group


def _report(*containers: Dataset) -> Dataset:
    sr = Dataset()
    sr.ContentSequence = Sequence(list(containers))
    return sr


def _container(value: str, meaning: str, *groups: Dataset) -> Dataset:
    container = _item("CONTAINER", _code(value, meaning=meaning))
    container.ContentSequence = Sequence(list(groups))
    return container


def _demo_like() -> Dataset:
    t1 = _group(
        "T1",
        _num("Long axis", 40.0, _scoord([38.5, 113.5, 78.5, 113.5], IMAGE)),
        _num("Viable", 36.0, _scoord([42.5, 113.5, 78.5, 113.5], IMAGE)),
        _num("Short axis", 12.0, None),  # a length without a caliper
    )
    t2 = _group(
        "T2",
        _num("Long axis", 26.0, _scoord([1.0, 2.0, 27.0, 2.0], OTHER, frame=3)),
        comment="T2 long",
    )
    elsewhere = _group("X1", _num("Long axis", 12.0, _scoord([0, 0, 12, 0], IMAGE)))
    return _report(
        _container("126010", "Imaging Measurements", t1, t2),
        _container("C0034375", "Qualitative Evaluations", elsewhere),
    )


def test_every_num_with_a_scoord_is_a_caliper_in_order() -> None:
    calipers = expected_calipers(_demo_like())

    assert [(c.tracking_identifier, c.concept, c.length_mm) for c in calipers] == [
        ("T1", "Long axis", 40.0),
        ("T1", "Viable", 36.0),
        ("T2", "Long axis", 26.0),
    ]
    assert [(c.group, c.index_in_group) for c in calipers] == [(0, 0), (0, 1), (1, 0)]


def test_label_is_the_comment_else_the_tracking_identifier() -> None:
    t1, _, t2 = expected_calipers(_demo_like())

    assert t1.label == "T1"
    assert t2.label == "T2 long"
    assert t1.name == "T1 Long axis"
    assert t2.name == "T2 long Long axis"


def test_image_points_and_frame_come_from_the_scoord() -> None:
    t1, _, t2 = expected_calipers(_demo_like())

    assert t1.sop_instance_uid == IMAGE
    assert t1.frame is None
    assert t1.points == ((38.5, 113.5), (78.5, 113.5))
    assert t2.sop_instance_uid == OTHER
    assert t2.frame == 3
    assert t1.tracking_uid.startswith("2.25.")


def test_groups_outside_imaging_measurements_are_not_expected() -> None:
    calipers = expected_calipers(_demo_like())

    assert "X1" not in {c.tracking_identifier for c in calipers}
    assert expected_calipers(_report()) == []


def _plane() -> ImagePlane:
    image = Dataset()
    image.ImagePositionPatient = [-127.0, -128.5, 0.0]
    image.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    image.PixelSpacing = [1.0, 1.0]
    plane = ImagePlane.of(image)
    assert plane is not None
    return plane


def test_the_first_pixel_centre_is_the_image_position() -> None:
    plane = _plane()

    assert plane.to_patient((0.5, 0.5)) == (-127.0, -128.5, 0.0)
    assert plane.to_patient((38.5, 113.5)) == (-89.0, -15.5, 0.0)


def test_end_points_in_mm_when_the_image_is_known() -> None:
    t1, _, t2 = expected_calipers(_demo_like(), {IMAGE: _plane()})

    assert t1.points_mm == ((-89.0, -15.5, 0.0), (-49.0, -15.5, 0.0))
    assert t2.points_mm is None


def test_anisotropic_spacing_uses_column_spacing_across() -> None:
    image = Dataset()
    image.ImagePositionPatient = [0.0, 0.0, 5.0]
    image.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    image.PixelSpacing = [2.0, 0.5]  # row spacing (down), column spacing (across)
    plane = ImagePlane.of(image)
    assert plane is not None

    assert plane.to_patient((2.5, 1.5)) == (1.0, 2.0, 5.0)


def test_an_image_without_geometry_has_no_plane() -> None:
    assert ImagePlane.of(Dataset()) is None


def test_caliper_json_is_plain() -> None:
    (caliper, *_) = expected_calipers(_demo_like())

    data = caliper.as_json()

    assert data["label"] == "T1"
    assert data["points"] == ((38.5, 113.5), (78.5, 113.5))
    assert isinstance(caliper, Caliper)


@pytest.mark.parametrize("graphic", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
def test_scoords_that_are_not_two_points_are_not_calipers(graphic: list[float]) -> None:
    group = _group("T9", _num("Long axis", 5.0, _scoord(graphic, IMAGE)))
    sr = _report(_container("126010", "Imaging Measurements", group))

    assert expected_calipers(sr) == []
