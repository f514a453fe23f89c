"""Click-to-measure on the shared real liver CT (HCC-TACE-Seg HCC_048, portal venous).

The series holds no well-defined lesion. The focal finding, a poorly
marginated hypodense area in the caudate region beside the inferior vena cava
(slices 54-57), runs without a border into the tissue around it and must be
refused. The one bounded, lesion-sized, round-ish soft-tissue structure is an
oval of about 80 HU in the fat between the cava and the aorta (slices 33-37),
read by hand as described in docs/measure.md ("On the shared liver CT"). The
kidney click is a smoke test of a large bounded structure; a click on plain
liver must be refused.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.conftest import SHARED

from respond.measure import MeasureError, propose

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"
KIDNEY = (26, 290, 140)  # (k, i, j): the right kidney's parenchyma
PARENCHYMA = (58, 250, 140)  # right lobe of the liver
PIXEL_MM = 0.703125

# Manual long axes of the aortocaval oval, (i, j) end points on each slice where
# it is widest: each end at the half-way level between the oval and the fat
# beyond it on an intensity profile along the line. Slice 36 is the slice of
# largest extent; slice 35 is within 0.2 mm of it.
NODE_CENTRE = (36, 229, 248)
NODE_MANUAL = {
    36: ((227.97, 236.73), (230.04, 260.40)),  # 16.7 mm
    35: ((226.06, 236.87), (228.94, 260.22)),  # 16.5 mm
}
# Clicks well inside the oval (within 70 % of its half short axis of ~6 px).
NODE_CLICKS = ((36, 229, 248), (35, 228, 246), (36, 227, 252), (37, 229, 250))
# A reader's edge on this 170 HU step is reproducible to about half a pixel per
# end; the engine is within one voxel on phantoms. Allow 1.5 pixels per end.
TOLERANCE_PX = 1.5

# The caudate-region hypodense area (slice 56, rows 240-275, columns 215-260).
CAUDATE_CLICKS = ((56, 257, 237), (55, 252, 232), (57, 262, 242), (56, 250, 245))


@pytest.fixture(scope="module")
def volume():
    if not LIVER.is_dir():
        pytest.skip(f"the shared liver CT is not here ({LIVER.name} under SHARED)")
    from respond.dicom import load_series, scan

    return load_series(scan(LIVER).series[0])


def _mm(volume, index):
    return tuple(float(v) for v in volume.geometry.index_to_patient(*index))


def _ends_px(volume, line):
    """Return the line's (i, j) end points on its slice."""
    ends = volume.geometry.patient_to_index(np.array([line.start_mm, line.end_mm]))
    return ends[:, 1:]


def _end_error_px(proposed, manual):
    """Return the larger end-point distance, pairing the ends either way round."""
    manual = np.asarray(manual)
    straight = np.linalg.norm(proposed - manual, axis=1).max()
    swapped = np.linalg.norm(proposed - manual[::-1], axis=1).max()
    return float(min(straight, swapped))


@pytest.mark.xfail(
    strict=True,
    reason="the proposal stops about 2 pixels inside the oval's far end "
    "(14.7-15.4 mm against 16.5-16.7 mm read by hand); docs/measure.md",
)
@pytest.mark.parametrize("click", NODE_CLICKS)
def test_the_aortocaval_oval_matches_the_manual_read(volume, click):
    proposal = propose(volume, _mm(volume, click))
    assert proposal.slice_index in NODE_MANUAL
    manual = NODE_MANUAL[proposal.slice_index]
    manual_px = float(np.linalg.norm(np.subtract(*manual)))
    proposed = _ends_px(volume, proposal.long_axis)
    proposed_px = float(np.linalg.norm(proposed[0] - proposed[1]))
    assert abs(proposed_px - manual_px) <= TOLERANCE_PX
    assert _end_error_px(proposed, manual) <= TOLERANCE_PX


def test_the_aortocaval_oval_is_measured_alike_from_any_click(volume):
    lengths = []
    for click in NODE_CLICKS:
        proposal = propose(volume, _mm(volume, click))
        assert proposal.slice_index in NODE_MANUAL
        lengths.append(float(proposal.long_axis.length_mm))
    # Known today: 2-3 pixels short of the manual read (see the xfail above);
    # this bound catches a proposal that leaks into the cava or the aorta.
    assert all(abs(v - 16.7) <= 4 * PIXEL_MM for v in lengths)
    assert np.std(lengths, ddof=1) / np.mean(lengths) < 0.03


@pytest.mark.parametrize("click", CAUDATE_CLICKS)
def test_a_click_in_the_ill_defined_caudate_area_is_refused(volume, click):
    with pytest.raises(MeasureError, match="no lesion found"):
        propose(volume, _mm(volume, click))


def test_a_click_in_the_kidney_gives_a_plausible_proposal(volume):
    proposal = propose(volume, _mm(volume, KIDNEY))
    assert proposal.short_axis is not None
    assert 50.0 <= float(proposal.long_axis.length_mm) <= 90.0
    assert 20.0 <= float(proposal.short_axis.length_mm) <= 50.0
    assert 30.0 <= proposal.volume_ml <= 200.0
    assert abs(proposal.slice_index - KIDNEY[0]) <= 12
    assert proposal.seed_index == KIDNEY


def test_a_click_on_plain_liver_is_refused(volume):
    with pytest.raises(MeasureError, match="no lesion found"):
        propose(volume, _mm(volume, PARENCHYMA))
