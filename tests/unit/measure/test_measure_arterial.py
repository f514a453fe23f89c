"""mRECIST: the viable part from an arterial volume of another geometry."""

from __future__ import annotations

import pytest

from respond.measure import propose
from respond.measure.phantoms import ARTERIAL_LIVER_HU, phantom_volume, sphere

# portal venous: a hypodense 36 mm mass; arterial: a 16 mm viable part at its
# edge, the rest necrotic, on 0.8 mm pixels and 3 mm slices
PORTAL = phantom_volume((sphere((0.0, 0.0, 0.0), 36.0, 40.0),), noise_sd=10.0)
ARTERIAL = phantom_volume(
    (sphere((0.0, 0.0, 0.0), 36.0, 20.0), sphere((10.0, 0.0, 0.0), 16.0, 160.0)),
    background=ARTERIAL_LIVER_HU,
    noise_sd=10.0,
    shape=(30, 110, 110),
    spacing_mm=(3.0, 0.8, 0.8),
    seed=3,
)


@pytest.mark.parametrize("click", [(-5.0, 0.0, 0.0), (10.0, 0.0, 0.0), (0.0, 5.0, 3.0)])
def test_viable_diameter_and_enhancing_fraction(click):
    proposal = propose(PORTAL, click, arterial=ARTERIAL)
    assert float(proposal.long_axis.length_mm) == pytest.approx(36.0, abs=0.7)
    assert proposal.viable is not None
    assert float(proposal.viable.length_mm) == pytest.approx(16.0, abs=0.8)
    assert proposal.enhancing_fraction == pytest.approx((16 / 36) ** 3, abs=0.02)
    # the viable line is on the measured volume's slice, like the others
    assert proposal.viable.start_mm[2] == proposal.long_axis.start_mm[2]


def test_without_arterial_there_is_no_viable_figure():
    proposal = propose(PORTAL, (0.0, 0.0, 0.0))
    assert proposal.viable is None
    assert proposal.enhancing_fraction is None


def test_a_lesion_without_necrosis_enhances_whole():
    viable = phantom_volume(
        (sphere((0.0, 0.0, 0.0), 20.0, 160.0),), background=ARTERIAL_LIVER_HU
    )
    proposal = propose(viable, (0.0, 0.0, 0.0), arterial=viable)
    assert proposal.enhancing_fraction == pytest.approx(1.0)
    assert proposal.viable is not None
    assert proposal.viable.length_mm == proposal.long_axis.length_mm


def test_a_necrotic_lesion_has_no_viable_diameter():
    dead = phantom_volume((sphere((0.0, 0.0, 0.0), 20.0, 20.0),), background=110.0)
    dead_arterial = phantom_volume(
        (sphere((0.0, 0.0, 0.0), 20.0, 20.0),), background=ARTERIAL_LIVER_HU
    )
    proposal = propose(dead, (0.0, 0.0, 0.0), arterial=dead_arterial)
    assert proposal.viable is None
    assert proposal.enhancing_fraction == pytest.approx(0.0, abs=0.02)
