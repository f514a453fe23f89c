"""A lesion ends above and below; a vessel cut out of its length goes on."""

from __future__ import annotations

import numpy as np
import pytest

from respond.measure import MeasureError, propose
from respond.measure._grid import Box
from respond.measure._parts import Lesion
from respond.measure._work import Work
from respond.measure.phantoms import Ellipsoid, phantom_volume, sphere
from respond.measure.propose import continuation

SHAPE = (12, 30, 30)
BACKGROUND, TISSUE = 110.0, 190.0


def _lesion(mask: np.ndarray, smooth: np.ndarray) -> Lesion:
    work = Work(
        Box((0, 0, 0), SHAPE),
        smooth,
        smooth,
        (6, 15, 15),
        (2.5, 0.7, 0.7),
        noise=2.0,
        floor=10.0,
    )
    edge = smooth - np.float32((BACKGROUND + TISSUE) / 2)  # > 0: the lesion's side
    return Lesion(work, mask, BACKGROUND, (TISSUE,), edge)


def _disc(radius: float) -> np.ndarray:
    i, j = np.indices(SHAPE[1:])
    return np.hypot(i - 15, j - 15) <= radius


def test_a_vessel_goes_on_beyond_both_ends_of_the_part_found():
    smooth = np.full(SHAPE, BACKGROUND, np.float32)
    smooth[:, _disc(6)] = TISSUE  # a vessel along the slices
    mask = np.zeros(SHAPE, bool)
    mask[4:8, _disc(6)] = True  # the part a segmentation kept
    assert continuation(_lesion(mask, smooth)) == (1.0, 1.0)


def test_a_lesion_ends_where_its_slices_end():
    smooth = np.full(SHAPE, BACKGROUND, np.float32)
    mask = np.zeros(SHAPE, bool)
    mask[4:8, _disc(6)] = True
    smooth[mask] = TISSUE
    smooth[3, _disc(2)] = TISSUE  # a vessel under a small part of its first slice
    below, above = continuation(_lesion(mask, smooth))
    assert below == pytest.approx(float(_disc(2).sum()) / float(_disc(6).sum()))
    assert above == 0.0


def test_at_the_edge_of_the_block_it_is_not_known():
    smooth = np.full(SHAPE, TISSUE, np.float32)
    mask = np.zeros(SHAPE, bool)
    mask[0:5, _disc(6)] = True
    assert continuation(_lesion(mask, smooth)) == (None, 1.0)


def test_a_vessel_whose_brightness_drifts_is_refused_and_a_lesion_beside_it_is_not():
    # a vessel at 190 HU in its middle and 172 HU further on (as contrast
    # thins along it), in portal-venous liver: the click's class ends where
    # the brightness drifts, but the vessel goes on; the lesion beside it ends
    far = Ellipsoid((0.0, 12.0, 0.0), (4.0, 4.0, 45.0), 172.0)
    near = Ellipsoid((0.0, 12.0, 0.0), (4.0, 4.0, 20.0), 190.0)
    lesion = sphere((0.0, -10.0, 0.0), 14.0, 40.0)
    volume = phantom_volume((far, near, lesion), noise_sd=10.0, seed=3)
    with pytest.raises(MeasureError) as refused:
        propose(volume, (0.0, 12.0, 0.0))
    assert "goes on above and below the part found" in str(refused.value)
    assert "a vessel" in str(refused.value)
    proposal = propose(volume, (0.0, -10.0, 0.0))
    assert abs(float(proposal.long_axis.length_mm) - 14.0) <= 1.0
