"""Accuracy on phantoms of known shape: the long axis within one voxel of the truth."""

from __future__ import annotations

import math

import pytest

from respond.measure import propose
from respond.measure.phantoms import (
    CASE_NAMES,
    PhantomCase,
    phantom_cases,
    true_diameters,
)

CASES = phantom_cases(seed=0)


def _voxel_mm(case: PhantomCase) -> float:
    geometry = case.volume.geometry
    assert geometry is not None
    return float(max(geometry.pixel_spacing_mm))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_long_axis_is_within_one_voxel_of_the_truth(case: PhantomCase):
    arterial = case.volume if case.arterial else None
    proposal = propose(case.volume, case.click_mm, arterial=arterial)
    truth, short, _ = true_diameters(case.volume, case.lesion)
    voxel = _voxel_mm(case)
    error = (float(proposal.long_axis.length_mm) - truth) / voxel
    print(
        f"{case.name}: truth {truth:.1f} mm, proposed {proposal.long_axis.length_mm} mm"
        f" ({error:+.2f} voxel)"
    )
    assert abs(error) <= 1.0
    assert proposal.short_axis is not None
    assert float(proposal.short_axis.length_mm) <= float(proposal.long_axis.length_mm)
    if not math.isnan(short):
        assert abs(float(proposal.short_axis.length_mm) - short) <= 2 * voxel
    if case.viable_mm is not None:
        assert proposal.viable is not None
        assert abs(float(proposal.viable.length_mm) - case.viable_mm) <= voxel
    assert (proposal.enhancing_fraction is None) is (arterial is None)


def test_the_lines_are_on_one_acquired_slice_in_patient_mm():
    case = CASES[1]  # the turned ellipsoid
    proposal = propose(case.volume, case.click_mm)
    geometry = case.volume.geometry
    assert geometry is not None
    lines = [proposal.long_axis, proposal.short_axis]
    for line in lines:
        assert line is not None
        for point in (line.start_mm, line.end_mm):
            k, _, _ = geometry.patient_to_index(point)
            assert k == pytest.approx(proposal.slice_index, abs=1e-6)
    assert proposal.seed_index[0] in range(case.volume.shape[0])


def test_volume_and_enhancing_fraction():
    sphere_case = CASES[0]
    proposal = propose(sphere_case.volume, sphere_case.click_mm)
    radius = sphere_case.lesion[0].semi_axes_mm[0]
    assert proposal.volume_ml == pytest.approx(
        4 / 3 * math.pi * radius**3 / 1000, rel=0.1
    )
    assert proposal.mask_voxels > 0
    necrotic = next(c for c in CASES if c.viable_mm is not None)
    proposal = propose(necrotic.volume, necrotic.click_mm, arterial=necrotic.volume)
    expected = (necrotic.viable_mm / 36.0) ** 3  # viable sphere in a 36 mm lesion
    assert proposal.enhancing_fraction == pytest.approx(expected, abs=0.03)


def test_the_rim_and_its_necrotic_centre_are_one_lesion():
    rim = next(c for c in CASES if c.name == "rim around necrosis")
    proposal = propose(rim.volume, rim.click_mm, arterial=rim.volume)
    # a complete rim: its longest diameter spans the necrosis (documented)
    assert proposal.viable is not None
    assert float(proposal.viable.length_mm) == pytest.approx(32.0, abs=1.0)
    assert 0.4 < (proposal.enhancing_fraction or 0) < 0.8


HARD = ("low contrast (20 HU)", "vessel as bright as the lesion")
SEEDS = range(10)


@pytest.fixture(scope="module")
def hard_cases() -> dict[tuple[str, int], PhantomCase]:
    return {
        (case.name, seed): case
        for seed in SEEDS
        for case in phantom_cases(seed=seed, names=HARD)
    }


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", HARD)
def test_noise_and_a_bright_vessel_do_not_lengthen_the_long_axis(
    hard_cases: dict[tuple[str, int], PhantomCase], name: str, seed: int
):
    # noise voxels at a 20 HU edge and the seam to a tangent vessel as bright
    # as the lesion once made these up to 1.5 voxels too long
    case = hard_cases[(name, seed)]
    arterial = case.volume if case.arterial else None
    proposal = propose(case.volume, case.click_mm, arterial=arterial)
    truth = true_diameters(case.volume, case.lesion)[0]
    error = (float(proposal.long_axis.length_mm) - truth) / _voxel_mm(case)
    assert abs(error) <= 1.0


def test_the_set_names_every_case_and_builds_only_those_asked_for():
    assert tuple(case.name for case in CASES) == CASE_NAMES
    chosen = phantom_cases(seed=0, names=HARD)
    assert tuple(case.name for case in chosen) == HARD
    assert chosen[0].volume.voxels.tobytes() == CASES[4].volume.voxels.tobytes()
    with pytest.raises(ValueError, match="no phantom case named"):
        phantom_cases(names=("a sphere of cheese",))
