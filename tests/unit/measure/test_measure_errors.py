"""Clicks that cannot be measured: a clear MeasureError, never a wrong proposal."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from respond.errors import RespondError
from respond.measure import MeasureError, propose
from respond.measure.phantoms import Ellipsoid, phantom_volume, sphere, true_diameters

BODY = Ellipsoid((0.0, 0.0, 0.0), (40.0, 40.0, 1000.0), 110.0)
FAT = Ellipsoid((0.0, 0.0, 0.0), (44.0, 44.0, 1000.0), -95.0)
LESION = sphere((0.0, 0.0, 0.0), 20.0, 40.0)


@pytest.fixture(scope="module")
def body():
    """Liver-like tissue in a ring of fat, in air, with one lesion."""
    return phantom_volume(
        (FAT, BODY, LESION), background=-1000.0, noise_sd=8.0, shape=(40, 140, 140)
    )


def test_the_lesion_itself_is_measured(body):
    proposal = propose(body, (0.0, 0.0, 0.0))
    assert float(proposal.long_axis.length_mm) == pytest.approx(20.0, abs=0.7)


def test_a_measure_error_is_a_respond_error():
    assert issubclass(MeasureError, RespondError)


@pytest.mark.parametrize(
    ("point", "words"),
    [
        (
            (42.5, 0.0, 0.0),
            "no lesion found at (42.5, 0.0, 0.0): the click is on fat (",
        ),
        ((0.0, 44.0, 0.0), "the click is on fat"),
        ((0.0, -47.0, 0.0), "on air"),
        ((60.0, 0.0, 0.0), "outside the volume (column"),
        ((0.0, 0.0, 200.0), "outside the volume (slice"),
    ],
)
def test_clicks_on_fat_air_or_outside(body, point, words):
    with pytest.raises(MeasureError) as caught:
        propose(body, point)
    message = str(caught.value)
    assert words in message
    assert "click" in message
    assert "\n" not in message
    assert caught.value.point_mm == point


def test_fat_names_its_hu(body):
    with pytest.raises(MeasureError, match=r"fat \(-\d+ HU\); click inside the lesion"):
        propose(body, (42.5, 0.0, 0.0))


def test_parenchyma_without_a_lesion_is_not_a_lesion(body):
    with pytest.raises(MeasureError, match="reaches more than 30 mm from it"):
        propose(body, (20.0, 20.0, 0.0), max_diameter_mm=30.0)


def test_bad_arguments(body):
    with pytest.raises(MeasureError, match="positive"):
        propose(body, (0.0, 0.0, 0.0), max_diameter_mm=0.0)
    with pytest.raises(MeasureError, match="three finite numbers"):
        propose(body, (0.0, math.nan, 0.0))
    with pytest.raises(MeasureError, match="three finite numbers"):
        propose(body, (0.0, 0.0))


def test_a_speck_is_not_a_lesion():
    # smaller than the click's neighbourhood: the click reads the tissue around
    speck = phantom_volume((sphere((0.0, 0.0, 0.0), 1.2, 40.0),), noise_sd=8.0)
    with pytest.raises(MeasureError, match="no lesion found"):
        propose(speck, (0.0, 0.0, 0.0), max_diameter_mm=30.0)


def test_a_small_lesion_is_measured():
    lesion = (sphere((0.2, 0.3, 0.0), 6.0, 40.0),)
    small = phantom_volume(lesion, noise_sd=8.0)
    proposal = propose(small, (0.2, 0.3, 0.0))
    truth = true_diameters(small, lesion)[0]  # 5.5 mm on the slices 1.25 mm off
    assert float(proposal.long_axis.length_mm) == pytest.approx(truth, abs=0.7)


def test_without_geometry_or_with_one_slice(body):
    with pytest.raises(MeasureError, match="no image position"):
        propose(replace(body, geometry=None), (0.0, 0.0, 0.0))
    flat = phantom_volume((), shape=(1, 64, 64))
    with pytest.raises(MeasureError, match="one slice"):
        propose(flat, (0.0, 0.0, 0.0))


def test_mr_background_and_lesion():
    lesion = sphere((0.0, 0.0, 0.0), 22.0, 900.0)
    organ = Ellipsoid((0.0, 0.0, 0.0), (38.0, 38.0, 1000.0), 400.0)
    mr = phantom_volume((organ, lesion), background=0.0, noise_sd=15.0, modality="MR")
    proposal = propose(mr, (1.0, -1.0, 0.0))
    assert float(proposal.long_axis.length_mm) == pytest.approx(22.0, abs=0.7)
    with pytest.raises(MeasureError, match="on background"):
        propose(mr, (0.0, 42.0, 0.0))


def test_stored_values_with_a_rescale_give_the_same_proposal(body):
    # stored = (HU + 2048) * 2, so HU = stored * 0.5 - 2048, per slice
    stored = ((body.voxels.astype(np.int32) + 2048) * 2).astype(np.uint16)
    raw = replace(
        body,
        voxels=stored,
        is_rescaled=False,
        slopes=np.full(body.shape[0], 0.5),
        intercepts=np.full(body.shape[0], -2048.0),
    )
    assert propose(raw, (1.0, 2.0, 0.0)) == propose(body, (1.0, 2.0, 0.0))
