"""Click to measure: a lesion's calipers proposed from one click (Qt-free).

Reader variability of hand-drawn calipers is the largest error in RECIST 1.1 and
mRECIST. Given a loaded volume and a point inside a lesion, :func:`propose`
segments the lesion in 3-D around the point and proposes, on the acquired
slice where the lesion is longest, the calipers a reader would draw::

    from respond.measure import MeasureError, propose

    proposal = propose(volume, (x, y, z), arterial=arterial_volume)
    proposal.long_axis.length_mm  # Decimal, 0.1 mm, as a caliper records it
    proposal.long_axis.start_mm, proposal.long_axis.end_mm  # patient LPS mm

API
---
``propose(volume, point_mm, *, arterial=None, max_diameter_mm=100.0) -> Proposal``
    ``volume`` is a :class:`respond.dicom.Volume` (CT or MR, any orientation,
    gantry tilt, uneven slices); ``point_mm`` the click in patient LPS mm.
    ``arterial`` is an arterial-phase volume of the same study, or the measured
    volume itself when it is arterial: it adds the viable diameter (mRECIST)
    and the enhancing fraction. ``max_diameter_mm`` is the largest lesion
    looked for.
``Proposal(long_axis, short_axis, viable, volume_ml, enhancing_fraction, ...)``
    Fields, in order: ``long_axis, short_axis, viable, volume_ml,
    enhancing_fraction, slice_index, seed_index, mask_voxels``.
    ``long_axis``: longest diameter on slice ``slice_index`` (the slice of
    largest extent); ``short_axis``: longest diameter perpendicular to it on
    that slice (RECIST's short axis of nodes); ``viable``: longest diameter of
    the largest enhancing part on that slice (None without ``arterial``);
    ``volume_ml`` and ``enhancing_fraction`` are extra figures, not used by
    the criteria; ``seed_index`` is the clicked voxel ``(k, i, j)`` and
    ``mask_voxels`` the size of the lesion's mask.
``Line(start_mm, end_mm, length_mm)``
    End points in patient mm on one acquired slice; ``length_mm`` is a
    ``Decimal`` rounded half up to 0.1 mm by :func:`respond.criteria.length_mm`,
    exactly what a caliper between the same points records.
``MeasureError(RespondError)``
    The click is outside the volume, on air, fat or background, or nothing
    lesion-like is there; the message names the point, what is there and what
    to do ("no lesion found at (x, y, z): the click is on fat (-95 HU); click
    inside the lesion").

Method (docs/measure.md has the details and the accuracy figures)
-----------------------------------------------------------------
1. The click's tissue class, grown on the clicked slice and on the plane
   across the slices through it, sizes a box; within it the volume is lightly
   smoothed (about a 1 mm Gaussian per axis; thick slices are not smoothed
   across).
2. The click's class (its level +/- 4 noise sd, at least 10 HU) is grown from
   the click in 3-D (the seed first moves off a blurred seam to the flattest
   voxel within 2 mm); when it reaches the box it is opened by a ball of 15 %
   of its size (0.75-4 mm: cuts bridges into vessels) and the box grows, up
   to ``max_diameter_mm`` from the click.
3. Other parts of the lesion (an enhancing rim around necrosis, a viable
   nodule beside necrosis) are added when bounded and surrounding or touching
   it; the class around it all is the background. Holes are filled
   (necrosis is part of the lesion for RECIST).
4. The edge is moved to the half-way level between the lesion and the
   background (an edge field, > 0 inside, places it between voxels), the mask
   opened once more (vessels touching it) and its holes filled slice by slice.
5. The long axis per slice is the maximum Feret diameter of the outline: the
   largest distance between two edge points, each where the edge field
   crosses zero between an outer pixel and its outside neighbour (half-way
   between their centres without a field: a row of 10 pixels measures 10
   pixels). Only true edges count (background for 2 mm beyond them: not the
   seam to a vessel as bright as the lesion), and a noisy edge is first
   fitted to the lesion's surface over the neighbouring slices. The short
   axis is the longest chord perpendicular to it inside the mask. The slice
   is the one where the long axis is longest.
6. With an arterial volume, voxels of the lesion enhance when at least
   half-way from its darkest tissue up to the parenchyma around it (and up to
   its enhancing tissue); the viable diameter is the longest diameter of the
   largest enhancing part on the slice (necrosis is left out, holes are not
   filled).

Everything here is numpy and SimpleITK: no Qt, no pydicom, no database. The
desktop draws a proposal as calipers for the reader to accept or adjust.
"""

from respond.measure.errors import MeasureError
from respond.measure.model import Index, Line, Point, Proposal
from respond.measure.propose import propose

__all__ = ["Index", "Line", "MeasureError", "Point", "Proposal", "propose"]
