"""The contrast phase from the pixels: synthetic slices, the decision, combining.

Slices are drawn in patient coordinates (LPS mm) through their geometry, so the
same body can be imaged mirrored, prone or at another pixel size: a vertebral
body with its arch, the aorta just anterior-left of it, the inferior vena cava,
the liver on the patient's right, the spleen, and sometimes a stomach full of
oral contrast. What the estimator reads back must be what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from respond.dicom.phase import (
    Confidence,
    ImageEstimate,
    Phase,
    PhaseCall,
    PhaseInput,
    classify_phases,
    combine,
    needs_image,
)
from respond.dicom.phase_image import (
    AORTA_CONTRAST_MIN_HU,
    ARTERIAL_GAP_MIN_HU,
    DELAYED_GAP_MAX_HU,
    LIVER_PORTAL_MIN_HU,
    LIVER_UNENHANCED_MAX_HU,
    SliceGeometry,
    decide,
    estimate_from_slices,
    measure_slice,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

NC, ART, PV, DEL, UNK = (
    Phase.NON_CONTRAST,
    Phase.ARTERIAL,
    Phase.PORTAL_VENOUS,
    Phase.DELAYED,
    Phase.UNKNOWN,
)
MEDIUM, LOW = Confidence.MEDIUM, Confidence.LOW
TOLERANCE_HU = 6.0  # drawn value vs median read back (noise SD 12 HU)
AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
MIRRORED = (-1.0, 0.0, 0.0, 0.0, 1.0, 0.0)  # image left is the patient's left
PRONE = (-1.0, 0.0, 0.0, 0.0, -1.0, 0.0)  # also upside down
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)

Shape = tuple[tuple[float, float], tuple[float, float]]  # centre, semi-axes (mm)


@dataclass(frozen=True)
class Body:
    """What to draw, in HU and patient mm (x: + left, y: + posterior)."""

    aorta_hu: float = 180.0
    liver_hu: float = 110.0
    aorta: Shape = ((14.0, 30.0), (11.0, 11.0))
    stomach_hu: float | None = None
    has_liver: bool = True


FAT, MUSCLE, CORTEX, CANCELLOUS = -100.0, 50.0, 500.0, 200.0
VERTEBRA: Shape = ((0.0, 62.0), (20.0, 17.0))  # anterior edge at y = 45


def geometry(
    orientation: tuple[float, ...] = AXIAL,
    spacing: float = 0.75,
    size: int = 512,
    z: float = 0.0,
) -> SliceGeometry:
    """A slice whose centre pixel is at patient (0, 0, z)."""
    row, col = orientation[:3], orientation[3:]
    half = (size - 1) / 2 * spacing
    origin = tuple(-half * (r + c) for r, c in zip(row, col, strict=True))
    return SliceGeometry(
        (origin[0], origin[1], z + origin[2]),
        (row[0], row[1], row[2]),
        (col[0], col[1], col[2]),
        (spacing, spacing),
    )


def patient_xy(geo: SliceGeometry, size: int) -> tuple[NDArray[np.float64], ...]:
    i, j = np.mgrid[0:size, 0:size].astype(np.float64)
    dr, dc = geo.spacing_mm
    x = geo.origin_mm[0] + j * dc * geo.row_dir[0] + i * dr * geo.col_dir[0]
    y = geo.origin_mm[1] + j * dc * geo.row_dir[1] + i * dr * geo.col_dir[1]
    return x, y


def draw(
    body: Body, geo: SliceGeometry, size: int = 512, seed: int = 0
) -> NDArray[np.float32]:
    """Return the slice in HU, rows x columns, with noise of SD 12 HU."""
    x, y = patient_xy(geo, size)

    def inside(shape: Shape) -> NDArray[np.bool_]:
        (cx, cy), (ax, ay) = shape
        return ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0

    hu = np.full(x.shape, -1000.0)
    layers: list[tuple[Shape, float]] = [
        (((0.0, 0.0), (160.0, 115.0)), FAT),
        (((0.0, 0.0), (150.0, 105.0)), MUSCLE),
        (((0.0, 0.0), (141.0, 96.0)), -90.0),  # visceral fat
        (((0.0, 90.0), (15.0, 15.0)), 400.0),  # vertebral arch
        (((0.0, 90.0), (9.0, 9.0)), 10.0),  # spinal canal
        (VERTEBRA, CORTEX),
        ((VERTEBRA[0], (17.0, 14.0)), CANCELLOUS),
        (((-24.0, 22.0), (10.0, 10.0)), (body.aorta_hu + 40.0) / 2),  # IVC
        (body.aorta, body.aorta_hu),
        (((85.0, 35.0), (25.0, 40.0)), body.liver_hu + 10.0),  # spleen
    ]
    if body.has_liver:
        layers.append((((-72.0, -5.0), (64.0, 75.0)), body.liver_hu))
    if body.stomach_hu is not None:
        layers.append((((55.0, -50.0), (35.0, 30.0)), body.stomach_hu))
    for shape, value in layers:
        hu[inside(shape)] = value
    noise = np.random.default_rng(seed).normal(0.0, 12.0, hu.shape)
    return (hu + noise).astype(np.float32)


def slices(
    body: Body, count: int = 3, **geo: Any
) -> list[tuple[NDArray[np.float32], SliceGeometry]]:
    """``count`` slices 10 mm apart, from z = 0 down."""
    out = []
    for k in range(count):
        g = geometry(z=-10.0 * k, **geo)
        out.append((draw(body, g, seed=k), g))
    return out


# ---- the pure estimate on drawn slices -------------------------------------


@pytest.mark.parametrize(
    ("aorta", "liver", "expected"),
    [
        (320.0, 72.0, ART),  # bright aorta, barely enhanced liver
        (175.0, 115.0, PV),  # both enhanced, aorta well above liver
        (125.0, 105.0, DEL),  # aorta close to the liver
        (40.0, 58.0, NC),  # blood and liver unenhanced
    ],
)
def test_drawn_phase_is_read_back(aorta: float, liver: float, expected: Phase) -> None:
    estimate = estimate_from_slices(slices(Body(aorta_hu=aorta, liver_hu=liver)))
    assert estimate.phase is expected
    assert estimate.confidence is MEDIUM
    assert estimate.aorta_hu == pytest.approx(aorta, abs=TOLERANCE_HU)
    assert estimate.liver_hu == pytest.approx(liver, abs=TOLERANCE_HU)
    assert estimate.is_contrast is (expected is not NC)
    assert estimate.slice_count == 3


def test_evidence_lists_the_measured_values_and_slices() -> None:
    estimate = estimate_from_slices(slices(Body()))
    assert estimate.aorta_hu is not None
    assert estimate.liver_hu is not None
    assert estimate.evidence == (
        f"from the images: aorta {estimate.aorta_hu:.0f} HU, liver "
        f"{estimate.liver_hu:.0f} HU (3 slices, z -20..0 mm): portal venous"
    )


@pytest.mark.parametrize("orientation", [MIRRORED, PRONE], ids=["mirrored", "prone"])
def test_patient_directions_come_from_the_orientation(
    orientation: tuple[float, ...],
) -> None:
    upright = estimate_from_slices(slices(Body()))
    turned = estimate_from_slices(slices(Body(), orientation=orientation))
    assert turned.phase is upright.phase is PV
    assert turned.aorta_hu == pytest.approx(upright.aorta_hu, abs=TOLERANCE_HU)
    assert turned.liver_hu == pytest.approx(upright.liver_hu, abs=TOLERANCE_HU)


def test_a_header_that_mirrors_the_pixels_finds_no_liver_on_the_right() -> None:
    # drawn upright, but the header says the image is mirrored: the liver now
    # lies on the patient's left, where the estimator does not look for it
    drawn = [(hu, geometry(MIRRORED, z=g.origin_mm[2])) for hu, g in slices(Body())]
    estimate = estimate_from_slices(drawn)
    assert estimate.phase is UNK
    assert not estimate.has_values
    assert "liver" in estimate.reason


@pytest.mark.parametrize("spacing", [0.6, 0.95])
def test_sizes_are_millimetres_whatever_the_pixel_size(spacing: float) -> None:
    size = round(384 / spacing)
    g = geometry(spacing=spacing, size=size)
    measure = measure_slice(draw(Body(), g, size=size), g)
    assert not isinstance(measure, str), measure
    assert measure.aorta_hu == pytest.approx(180.0, abs=TOLERANCE_HU)
    assert measure.aorta_diameter_mm == pytest.approx(22.0, abs=4.0)


def test_aorta_touching_the_vertebra_is_still_found() -> None:
    touching = Body(aorta_hu=320.0, liver_hu=72.0, aorta=((12.0, 34.5), (11.0, 11.0)))
    estimate = estimate_from_slices(slices(touching))
    assert estimate.phase is ART
    assert estimate.aorta_hu == pytest.approx(320.0, abs=TOLERANCE_HU)


def test_oral_contrast_in_the_stomach_is_not_taken_for_the_aorta() -> None:
    estimate = estimate_from_slices(slices(Body(stomach_hu=450.0)))
    assert estimate.phase is PV
    assert estimate.aorta_hu == pytest.approx(180.0, abs=TOLERANCE_HU)


def test_a_value_near_a_threshold_gives_low_confidence() -> None:
    near = Body(aorta_hu=185.0, liver_hu=LIVER_PORTAL_MIN_HU + 4)
    estimate = estimate_from_slices(slices(near))
    assert estimate.phase is PV
    assert estimate.confidence is LOW


def test_slices_that_disagree_give_low_confidence() -> None:
    drawn = slices(Body()) + slices(Body(aorta_hu=330.0, liver_hu=70.0), count=1)
    estimate = estimate_from_slices(drawn)
    assert estimate.phase is PV
    assert estimate.confidence is LOW


def test_one_slice_gives_low_confidence() -> None:
    estimate = estimate_from_slices(slices(Body(), count=1))
    assert (estimate.phase, estimate.confidence) == (PV, LOW)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (Body(aorta_hu=-90.0), "no aorta"),  # nothing round where the aorta is
        (Body(has_liver=False), "liver"),
    ],
    ids=["no-aorta", "no-liver"],
)
def test_missing_anatomy_gives_no_phase_and_says_why(body: Body, reason: str) -> None:
    estimate = estimate_from_slices(slices(body))
    assert estimate.phase is UNK
    assert estimate.confidence is Confidence.NONE
    assert reason in estimate.reason
    assert estimate.evidence.startswith("from the images: no estimate (")


@pytest.mark.parametrize(
    "hu",
    [
        np.full((512, 512), np.nan, np.float32),
        np.zeros((512, 512), np.float32),
        np.full((512, 512), -1000.0, np.float32),
        np.zeros((4, 4), np.float32),
        np.zeros(512, np.float32),
    ],
    ids=["nan", "water", "air", "tiny", "one-dimensional"],
)
def test_nonsense_images_give_a_reason_not_an_error(hu: NDArray[np.float32]) -> None:
    estimate = estimate_from_slices([(hu, geometry())])
    assert estimate.phase is UNK
    assert estimate.reason


@pytest.mark.parametrize("seed", range(6))
def test_noise_gives_no_phase_and_no_error(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(16, 300, size=2)
    spacing = float(rng.uniform(0.3, 3.0))
    hu = rng.uniform(-3000.0, 3000.0, (rows, cols)).astype(np.float32)
    g = geometry((MIRRORED, PRONE, AXIAL)[seed % 3], spacing, size=int(rows))
    estimate = estimate_from_slices([(hu, g), (hu[::-1], g)])
    assert estimate.phase is UNK
    assert estimate.reason


def test_non_axial_slices_are_not_measured() -> None:
    g = geometry(SAGITTAL)
    assert measure_slice(draw(Body(), geometry()), g) == "not an axial slice"


def test_no_slices_gives_a_reason() -> None:
    assert estimate_from_slices([]).reason


# ---- the decision ------------------------------------------------------------

DECIDE_ROWS = [
    (40.0, 55.0, NC),
    (AORTA_CONTRAST_MIN_HU - 1, LIVER_UNENHANCED_MAX_HU - 1, NC),
    (50.0, 100.0, UNK),  # liver enhanced but blood not: fits nothing
    (AORTA_CONTRAST_MIN_HU, 60.0, UNK),  # faint blood, unenhanced liver
    (300.0, 80.0, ART),
    (80.0 + ARTERIAL_GAP_MIN_HU, 80.0, ART),
    (79.0 + ARTERIAL_GAP_MIN_HU, 80.0, UNK),  # between arterial and portal
    (228.0, 100.0, PV),  # the shared liver CT, as measured by hand
    (180.0, LIVER_PORTAL_MIN_HU, PV),
    (180.0, LIVER_PORTAL_MIN_HU - 1, UNK),
    (100.0 + DELAYED_GAP_MAX_HU, 100.0, PV),
    (99.0 + DELAYED_GAP_MAX_HU, 100.0, DEL),
    (120.0, 110.0, DEL),
    (95.0, 105.0, DEL),  # liver above the blood, late
]


@pytest.mark.parametrize(("aorta", "liver", "expected"), DECIDE_ROWS)
def test_decide(aorta: float, liver: float, expected: Phase) -> None:
    phase, margin = decide(aorta, liver)
    assert phase is expected
    assert margin >= 0
    if expected is UNK:
        assert margin == 0


def test_margin_is_the_distance_to_the_nearest_threshold() -> None:
    _, margin = decide(228.0, 100.0)
    assert margin == pytest.approx(100.0 - LIVER_PORTAL_MIN_HU)


# ---- combining with the header call -----------------------------------------


def estimate(
    phase: Phase,
    confidence: Confidence = MEDIUM,
    aorta: float = 180.0,
    liver: float = 110.0,
) -> ImageEstimate:
    return ImageEstimate(
        phase,
        confidence,
        aorta_hu=aorta,
        liver_hu=liver,
        z_mm=(-20.0, 0.0),
        slice_count=3,
        is_contrast=aorta >= AORTA_CONTRAST_MIN_HU,
    )


def header(**fields: Any) -> PhaseInput:
    return PhaseInput(**{"key": "s", "modality": "CT", **fields})


def call_of(**fields: Any) -> PhaseCall:
    """The header call of one CT series built from PhaseInput ``fields``."""
    return classify_phases([header(**fields)])["s"]


def test_unknown_call_takes_the_image_phase() -> None:
    silent = call_of(description="Recon 3: LIVER 2 PHASE (C/A/P)")
    assert silent.phase is UNK
    combined = combine(silent, estimate(PV))
    assert (combined.phase, combined.confidence) == (PV, MEDIUM)
    assert combined.is_contrast is True
    assert combined.image == estimate(PV)
    assert combined.evidence[-1] == estimate(PV).evidence
    assert "no contrast evidence: phase unknown" not in combined.evidence
    assert not combined.is_disputed


def test_contrast_tags_against_an_unenhanced_image_give_low_confidence() -> None:
    tagged = call_of(description="Abdomen", contrast_route="IV")
    combined = combine(tagged, estimate(NC, aorta=40.0, liver=58.0))
    assert (combined.phase, combined.confidence) == (NC, LOW)
    assert combined.is_contrast is False
    assert "contrast tags say contrast was given" in combined.evidence[-1]


def test_keyword_wins_but_a_disagreeing_image_lowers_it_to_medium() -> None:
    described = call_of(description="LIVER ARTERIAL")
    assert described.confidence is Confidence.HIGH
    combined = combine(described, estimate(DEL, aorta=120.0, liver=110.0))
    assert (combined.phase, combined.confidence) == (ART, MEDIUM)
    assert "aorta 120 HU, liver 110 HU" in combined.evidence[-1]
    assert "disagrees with the headers' arterial" in combined.evidence[-1]
    assert combined.is_disputed


def test_an_image_near_a_threshold_does_not_lower_the_keyword() -> None:
    described = call_of(description="LIVER ARTERIAL")
    combined = combine(described, estimate(PV, LOW))
    assert (combined.phase, combined.confidence) == (ART, Confidence.HIGH)
    assert "near a threshold" in combined.evidence[-1]
    assert not combined.is_disputed


def test_an_agreeing_image_leaves_the_keyword_call_as_it_was() -> None:
    described = call_of(description="Late arterial")
    combined = combine(described, estimate(ART, aorta=320.0, liver=75.0))
    assert (combined.phase, combined.confidence) == (
        Phase.LATE_ARTERIAL,
        Confidence.HIGH,
    )
    assert combined.evidence[-1].endswith(", agreeing")
    assert not combined.is_disputed


def test_the_image_overrules_the_order_in_the_study() -> None:
    ordered = classify_phases(
        [
            header(key="a", series_number=2, contrast_route="IV"),
            header(key="b", series_number=3, contrast_route="IV"),
        ]
    )
    first, second = ordered["a"], ordered["b"]
    assert (first.phase, first.confidence) == (ART, LOW)
    overruled = combine(first, estimate(PV))
    assert (overruled.phase, overruled.confidence) == (PV, LOW)
    assert "kept over the headers' arterial" in overruled.evidence[-1]
    confirmed = combine(second, estimate(PV))
    assert (confirmed.phase, confirmed.confidence) == (PV, MEDIUM)


def test_no_estimate_keeps_the_call_and_tells_why() -> None:
    silent = call_of(description="C/A/P")
    failed = ImageEstimate(UNK, Confidence.NONE, reason="no aorta on the 5 slices")
    combined = combine(silent, failed)
    assert (combined.phase, combined.confidence) == (UNK, Confidence.NONE)
    assert (
        combined.evidence[-1]
        == "from the images: no estimate (no aorta on the 5 slices)"
    )
    assert combine(silent, None) is silent


def test_measured_contrast_that_fits_no_phase_still_says_contrast() -> None:
    silent = call_of(description="C/A/P")
    unclear = replace(estimate(UNK, Confidence.NONE, aorta=160.0, liver=85.0))
    combined = combine(silent, unclear)
    assert combined.phase is UNK
    assert combined.is_contrast is True
    assert combined.evidence[-1].endswith("contrast-enhanced, fits no phase")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"description": "C/A/P"}, True),  # silent
        ({"description": "LIVER ARTERIAL"}, True),  # a keyword alone
        (  # the timing alone
            {"contrast_start": "100000", "acquisition_time": "100025"},
            True,
        ),
        (  # keyword and timing agree
            {
                "description": "LIVER ARTERIAL",
                "contrast_start": "100000",
                "acquisition_time": "100025",
            },
            False,
        ),
        (  # keyword and timing disagree
            {
                "description": "LIVER ARTERIAL",
                "contrast_start": "100000",
                "acquisition_time": "100110",
            },
            True,
        ),
        ({"description": "Scout", "is_localizer": True}, False),
    ],
    ids=["silent", "keyword", "timing", "corroborated", "conflicting", "localizer"],
)
def test_which_calls_the_images_are_asked_about(
    fields: dict[str, object], expected: bool
) -> None:
    assert needs_image(call_of(**fields)) is expected
