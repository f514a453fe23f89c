"""Click repeatability: 20 clicks anywhere inside a lesion give the same long axis."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from respond.measure import propose
from respond.measure.phantoms import phantom_cases

CASES = {c.name: c for c in phantom_cases(seed=1)}
CLICKS = 20
MAX_CV = 0.03


@pytest.mark.parametrize(
    "name", ["lobulated", "low contrast (20 HU)", "necrosis, click on necrosis"]
)
def test_twenty_clicks_inside_a_lesion_agree(name: str):
    case = CASES[name]
    outline = case.lesion[0]
    centre = np.asarray(outline.centre_mm)
    semi = np.asarray(outline.semi_axes_mm)
    rng = np.random.default_rng(20)
    lengths: list[float] = []
    while len(lengths) < CLICKS:
        offset = rng.uniform(-0.7, 0.7, 3) * semi
        if np.sum((offset / semi) ** 2) > 0.49:  # inside 70 % of the lesion
            continue
        arterial = case.volume if case.arterial else None
        proposal = propose(case.volume, tuple(centre + offset), arterial=arterial)
        lengths.append(float(proposal.long_axis.length_mm))
    cv = statistics.pstdev(lengths) / statistics.fmean(lengths)
    print(
        f"{name}: {CLICKS} clicks, long axis {min(lengths)}-{max(lengths)} mm, "
        f"mean {statistics.fmean(lengths):.2f} mm, CV {cv:.2%}"
    )
    assert cv < MAX_CV
