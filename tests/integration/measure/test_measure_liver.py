"""Click-to-measure on the shared real liver CT (HCC-TACE-Seg HCC_048, portal venous).

The only focal finding on this series is a poorly marginated hypodense area
beside the inferior vena cava (slices 54-57) that runs without a border into
the soft tissue around it and is refused (docs/measure.md, "On the shared
liver CT"), so the smoke test measures the right kidney: a bounded,
enhancing structure the size of a large lesion. A click on plain liver must
be refused.
"""

from __future__ import annotations

import time

import pytest
from tests.conftest import SHARED

from respond.measure import MeasureError, propose

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"
KIDNEY = (26, 290, 140)  # (k, i, j): the right kidney's parenchyma
PARENCHYMA = (58, 250, 140)  # right lobe of the liver


@pytest.fixture(scope="module")
def volume():
    if not LIVER.is_dir():
        pytest.skip(f"the shared liver CT is not here ({LIVER.name} under SHARED)")
    from respond.dicom import load_series, scan

    return load_series(scan(LIVER).series[0])


def _mm(volume, index):
    return tuple(float(v) for v in volume.geometry.index_to_patient(*index))


def test_a_click_in_the_kidney_gives_a_plausible_proposal(volume):
    started = time.perf_counter()
    proposal = propose(volume, _mm(volume, KIDNEY))
    elapsed = time.perf_counter() - started
    assert proposal.short_axis is not None
    long_mm = float(proposal.long_axis.length_mm)
    short_mm = float(proposal.short_axis.length_mm)
    print(
        f"right kidney: long axis {long_mm} mm, short axis {short_mm} mm, "
        f"{proposal.volume_ml:.1f} mL on slice {proposal.slice_index}, "
        f"{elapsed * 1000:.0f} ms"
    )
    assert 50.0 <= long_mm <= 90.0
    assert 20.0 <= short_mm <= 50.0
    assert 30.0 <= proposal.volume_ml <= 200.0
    assert abs(proposal.slice_index - KIDNEY[0]) <= 12
    assert proposal.seed_index == KIDNEY


def test_a_click_on_plain_liver_is_refused(volume):
    with pytest.raises(MeasureError, match="no lesion found"):
        propose(volume, _mm(volume, PARENCHYMA))
