"""import_sr refuses damaged files, naming them, rather than lose content or crash."""

from __future__ import annotations

from typing import TYPE_CHECKING

import highdicom as hd
import pytest
from pydicom import dcmread
from pydicom.sr.codedict import codes
from tests.integration.report.sr.srbuild import (  # noqa: F401 (fixtures)
    demo_srs_fixture,
    sr_demo_fixture,
)
from tests.integration.report.sr.srtree import named

from respond.report.sr import SRImportError, import_sr

if TYPE_CHECKING:
    from pathlib import Path


def test_a_file_cut_short_is_refused_wherever_it_is_cut(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    data = demo_srs[2].read_bytes()
    cut = tmp_path / "cut.dcm"
    for size in range(200, len(data), 211):
        cut.write_bytes(data[:size])
        with pytest.raises(SRImportError) as caught:
            import_sr([*demo_srs[:2], cut])
        assert str(cut) in str(caught.value), size


def test_a_file_cut_in_its_content_says_so(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    """Cut in the content tree, pydicom alone would drop the rest of the tree."""
    data = demo_srs[2].read_bytes()
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(data[: len(data) * 53 // 100])
    with pytest.raises(SRImportError, match="is cut short") as caught:
        import_sr([cut])
    assert str(cut) in str(caught.value)


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS:UserWarning")
def test_an_infinite_time_point_order_is_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    # Reports before this version carried a Time Point Order NUM in each group
    ds = dcmread(demo_srs[0])
    order = hd.sr.NumContentItem(
        name=codes.DCM.TimePointOrder,
        value=1,
        unit=codes.UCUM.NoUnits,
        relationship_type=hd.sr.RelationshipTypeValues.HAS_OBS_CONTEXT,
    )
    order.MeasuredValueSequence[0].NumericValue = "Infinity"
    for group in named(ds, "125007", "DCM"):
        group.ContentSequence.insert(0, order)
    path = tmp_path / "odd.dcm"
    ds.save_as(path)
    with pytest.raises(SRImportError, match="Infinity") as caught:
        import_sr([path])
    assert str(path) in str(caught.value)


def test_a_code_item_without_a_code_is_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    ds = dcmread(demo_srs[0])
    (site, *_) = named(ds, "363698007", "SCT")
    site.ConceptCodeSequence = []
    path = tmp_path / "odd.dcm"
    ds.save_as(path)
    with pytest.raises(SRImportError, match="Finding Site' has no coded value") as got:
        import_sr([path])
    assert str(path) in str(got.value)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_garbage_inside_an_element_is_refused(
    demo_srs: list[Path], tmp_path: Path
) -> None:
    data = bytearray(demo_srs[0].read_bytes())
    # the item tags of the content tree, overwritten: the tree cannot be decoded
    start = len(data) // 2
    data[start : start + 64] = b"\xff" * 64
    path = tmp_path / "garbled.dcm"
    path.write_bytes(bytes(data))
    with pytest.raises(SRImportError) as caught:
        import_sr([path])
    assert str(path) in str(caught.value)
