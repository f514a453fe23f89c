"""Linked scrolling between the current and the prior series, by anatomy in mm."""

from __future__ import annotations

from tests.ui.conftest import make_volume

from respond.ui.prior import LinkedScrolling


def test_prior_follows_by_millimetres_not_slice_numbers(make_view) -> None:
    current = make_view(make_volume())  # 2.5 mm slices
    prior = make_view(make_volume())
    linked = LinkedScrolling(current, prior)
    current.set_slice(10)
    prior.set_slice(4)
    assert linked.link_here()
    current.set_slice(14)  # +10 mm
    assert prior.slice_index == 8
    current.set_slice(6)  # -10 mm from the anchor
    assert prior.slice_index == 0
    linked.unlink()
    current.set_slice(15)
    assert prior.slice_index == 0


def test_unlinked_views_scroll_alone(make_view) -> None:
    current = make_view(make_volume())
    prior = make_view(make_volume())
    linked = LinkedScrolling(current, prior)
    before = prior.slice_index
    current.set_slice(3)
    assert prior.slice_index == before
    assert linked.prior_slice_for(3) is None
