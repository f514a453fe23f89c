"""Image lookup and the exact patient-mm <-> SCOORD pixel mapping."""

from __future__ import annotations

import math

import pytest
from tests.integration.report.conftest import SHARED_DICOM

from respond.criteria.record import PatientRead
from respond.report.images import ImageIndex, ImageNotFoundError


def test_every_caliper_image_of_the_demo_is_found(
    demo_read: PatientRead, demo_images: ImageIndex
) -> None:
    calipers = [
        c for tp in demo_read.timepoints for cs in tp.calipers.values() for c in cs
    ]
    assert calipers
    for caliper in calipers:
        ref = demo_images.require(caliper.sop_instance_uid, caliper.frame)
        assert ref.series_uid == caliper.series_uid
        # a caliper drawn on an image lies in its plane
        assert ref.distance_to_plane(caliper.start_mm) < 1e-6
        assert ref.distance_to_plane(caliper.end_mm) < 1e-6


def test_first_pixel_centre_is_half_a_pixel_in(demo_images: ImageIndex) -> None:
    ref = next(iter(demo_images._images.values()))
    position = ref.frame.position
    assert position is not None
    assert ref.to_pixel(position) == pytest.approx((0.5, 0.5), abs=1e-12)
    spacing = ref.frame.pixel_spacing
    assert spacing is not None
    orientation = ref.frame.orientation
    assert orientation is not None
    # one column to the right: along the row direction by the column spacing
    step = tuple(position[i] + orientation[i] * spacing[1] for i in range(3))
    assert ref.to_pixel(step) == pytest.approx((1.5, 0.5), abs=1e-9)


def test_unknown_image_says_where_it_looked(demo_images: ImageIndex) -> None:
    with pytest.raises(ImageNotFoundError, match="pass --images"):
        demo_images.require("1.2.3.4.5.6.7")
    with pytest.raises(ImageNotFoundError, match="no image folder was given"):
        ImageIndex.empty().require("1.2.3")


@pytest.mark.skipif(not SHARED_DICOM.is_dir(), reason="../shared/data/dicom is absent")
def test_tilted_ct_round_trips_to_a_micrometre() -> None:
    index = ImageIndex.from_folders([SHARED_DICOM / "ct_head_ge_tilt_varspacing"])
    assert len(index) > 0
    for ref in list(index._images.values())[:5]:
        for column, row in ((0.5, 0.5), (100.25, 37.75), (511.5, 511.5)):
            point = ref.to_patient(column, row)
            assert ref.distance_to_plane(point) < 1e-6
            back = ref.to_pixel(point)
            assert math.isclose(back[0], column, abs_tol=1e-6)
            assert math.isclose(back[1], row, abs_tol=1e-6)


def test_image_references_carry_the_files_sop_class_uid(
    demo_images: ImageIndex,
) -> None:
    import pydicom

    for ref in list(demo_images._images.values())[:3]:
        ds = pydicom.dcmread(ref.frame.path, stop_before_pixels=True)
        assert ref.sop_class_uid == ds.SOPClassUID
