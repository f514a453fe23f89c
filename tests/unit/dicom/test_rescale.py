"""Slices written into the volume rescaled, exactly, whatever slope and intercept."""

from __future__ import annotations

import numpy as np
import pytest

from respond.dicom._rescale import fits_in_place, modality_float32, write_rescaled

INT16 = np.iinfo(np.int16)


def test_an_intercept_beyond_the_type_is_applied_exactly() -> None:
    # stored values that fit int16 with an intercept that does not: numpy 2
    # refuses to add a Python int out of the array's range (OverflowError)
    plane = np.arange(10_000, 30_000, 20, dtype=np.uint16).reshape(10, 100)
    destination = np.zeros((10, 100), dtype=np.int16)
    write_rescaled(destination, plane, 1, -40_000, INT16, (10_000, 29_980))
    assert np.array_equal(destination, plane.astype(np.int64) - 40_000)


def test_a_slope_beyond_the_type_is_applied_exactly() -> None:
    # an all-zero slice (padding) under a huge slope: the products fit, the
    # slope itself does not
    destination = np.zeros((4, 4), dtype=np.int16)
    write_rescaled(destination, destination, 70_000, 5, INT16, (0, 0), True)
    assert (destination == 5).all()


@pytest.mark.parametrize(
    ("stored", "slope", "intercept", "fits"),
    [
        ((-100, 100), 2, -1024, True),
        ((-32768, 0), -1, -1, False),  # -(-32768) leaves int16 on the way
        ((0, 32767), -1, 0, True),
        ((-100, 100), 1, -40_000, False),
        ((0, 0), 70_000, 0, False),
        ((0, 40_000), 1, -20_000, False),  # the stored values do not fit
    ],
)
def test_in_place_arithmetic_needs_every_step_in_the_type(
    stored: tuple[int, int], slope: int, intercept: int, fits: bool
) -> None:
    assert fits_in_place(INT16, stored, slope, intercept) is fits


def test_a_negative_slope_is_exact_at_both_ends() -> None:
    plane = np.array([[-32768, -5, 0]], dtype=np.int16)
    destination = np.zeros_like(plane)
    write_rescaled(destination, plane, -1, -1, INT16, (-32768, 0))
    assert destination.tolist() == [[32767, 4, -1]]


def test_one_image_becomes_float32_modality_values() -> None:
    plane = np.array([[0, 100]], dtype=np.uint16)
    values = modality_float32(plane, 2.5, -1024.0)
    assert values.dtype == np.float32
    assert values.tolist() == [[-1024.0, -774.0]]
