"""The scan's verdict tells the truth: what the header shows is never "ready".

Each class of damage the header reveals (pixel module, image size, pixel data
length, frame count, rescale, pixel spacing, Modality LUT, lossy compression,
localizers, screen captures) is made here in a copy of a real file with
pydicom, and the scan must give it a finding with a stable code and the verdict
the loader then keeps: ``NOT_LOADABLE`` is refused by the loader before any
pixel is read, ``NOT_MEASURABLE`` loads but gives no millimetres. Both header
readers (the fast path and pydicom) must agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import RLELossless, generate_uid
from tests.integration.dicom.conftest import EDGE, LIVER, copy_files

import respond.dicom._header as header_module
from respond.dicom import (
    DicomError,
    GeometryError,
    Readiness,
    Severity,
    UnsupportedSeriesError,
    load_series,
    scan,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from respond.dicom import DicomFinding, SeriesCandidate

pytestmark = [
    # values written on purpose that DICOM does not allow (nan, inf): expected
    pytest.mark.filterwarnings("ignore:Invalid value for VR DS:UserWarning"),
]

CT_SMALL = f"{EDGE}/CT_small.dcm"
RLE_SMALL = f"{EDGE}/MR_small_RLE.dcm"
UID_PREFIX = "1.2.826.0.1.3680043.8.498."
Edit = Callable[[Dataset], None]


@pytest.fixture(params=["fast", "pydicom"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with each header reader: the fast path, and pydicom alone."""
    if request.param == "pydicom":
        monkeypatch.setattr(header_module, "read_fast_from", lambda *_args: None)
    return str(request.param)


def edited(source: Path, target: Path, edit: Edit) -> Path:
    """Save ``source`` as ``target`` after ``edit`` changed its dataset."""
    ds = pydicom.dcmread(source)
    edit(ds)
    target.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(target)
    return target


def only_series(path: Path) -> SeriesCandidate:
    (candidate,) = scan(path).series
    return candidate


def codes(candidate: SeriesCandidate) -> set[str]:
    return {f.code for f in candidate.findings}


def finding(candidate: SeriesCandidate, code: str) -> DicomFinding:
    matches = [f for f in candidate.findings if f.code == code]
    assert matches, f"{code} not among {sorted(codes(candidate))}"
    (match,) = matches
    return match


def set_values(**values: Any) -> Edit:
    def edit(ds: Dataset) -> None:
        for keyword, value in values.items():
            if value is None:
                delattr(ds, keyword)
            else:
                setattr(ds, keyword, value)

    return edit


def set_raw(keyword: str, vr: str, text: str) -> Edit:
    """Write a value as text, even one pydicom would not make (``nan``)."""

    def edit(ds: Dataset) -> None:
        tag = pydicom.datadict.tag_for_keyword(keyword)
        ds[tag] = pydicom.DataElement(tag, vr, text.encode("ascii"))

    return edit


# --- what the pixel module shows: not loadable --------------------------------------

NOT_LOADABLE_HEADERS = [
    pytest.param(set_values(BitsAllocated=1), "bad_pixel_format", id="1-bit"),
    pytest.param(set_values(BitsAllocated=12), "bad_pixel_format", id="12-bit"),
    pytest.param(set_values(BitsStored=0), "bad_pixel_format", id="0-bits-stored"),
    pytest.param(
        set_values(BitsStored=17, HighBit=16), "bad_pixel_format", id="17-of-16-bits"
    ),
    # BitsStored 16 but HighBit 11: one such file decoded to an all-zero image
    pytest.param(set_values(HighBit=11), "bad_pixel_format", id="high-bit-11-of-16"),
    pytest.param(
        set_values(PixelRepresentation=2), "bad_pixel_format", id="representation-2"
    ),
    pytest.param(set_values(Rows=0), "bad_image_size", id="rows-0"),
    pytest.param(set_values(Columns=None), "bad_image_size", id="columns-missing"),
    pytest.param(set_values(Rows=65535), "bad_image_size", id="rows-65535"),
    pytest.param(set_values(BitsAllocated=None), "no_pixel_module", id="no-bits"),
    pytest.param(
        set_values(PhotometricInterpretation=None),
        "no_pixel_module",
        id="no-photometric",
    ),
    pytest.param(
        set_values(SamplesPerPixel=3, PhotometricInterpretation="RGB"),
        "colour_image",
        id="rgb",
    ),
    pytest.param(
        set_values(PhotometricInterpretation="PALETTE COLOR"),
        "colour_image",
        id="palette",
    ),
    pytest.param(set_values(RescaleSlope="1e300"), "bad_rescale", id="slope-1e300"),
    pytest.param(
        set_values(RescaleIntercept="-2e9"), "bad_rescale", id="intercept-2e9"
    ),
    pytest.param(set_raw("RescaleSlope", "DS", "nan "), "bad_rescale", id="slope-nan"),
    pytest.param(
        set_raw("RescaleIntercept", "DS", "inf "), "bad_rescale", id="intercept-inf"
    ),
]


@pytest.mark.parametrize(("edit", "code"), NOT_LOADABLE_HEADERS)
def test_a_header_the_loader_would_refuse_is_not_loadable(
    shared_dicom: Path, tmp_path: Path, reader: str, edit: Edit, code: str
) -> None:
    path = edited(shared_dicom / CT_SMALL, tmp_path / "damaged.dcm", edit)
    candidate = only_series(path)
    problem = finding(candidate, code)
    assert problem.severity is Severity.ERROR
    assert "damaged.dcm" in problem.message
    assert "cannot be shown" in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE
    with pytest.raises(UnsupportedSeriesError):
        load_series(candidate)


def test_the_untouched_file_is_ready_both_ways(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    (path,) = copy_files([shared_dicom / CT_SMALL], tmp_path)
    candidate = only_series(path)
    assert candidate.readiness is Readiness.READY
    assert not [f for f in candidate.findings if f.severity is not Severity.INFO]
    assert load_series(candidate).shape == (1, 128, 128)


def test_a_series_with_rows_missing_is_never_512_by_0_ready(
    shared_scan: Callable[[str], Any], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    for frame in shared_scan(LIVER).series[0].frames[40:43]:
        edited(frame.path, folder / frame.path.name, set_values(Columns=None))
    result = scan(folder)
    (broken,) = [c for c in result.series if c.columns == 0]
    assert broken.image_count == 3
    assert broken.readiness is Readiness.NOT_LOADABLE
    assert "Columns None" in finding(broken, "bad_image_size").message
    assert "and 2 more images alike" in finding(broken, "bad_image_size").message
    # the 86 sound slices stay measurable, the hole they leave reported
    (rest,) = [c for c in result.series if c is not broken]
    assert rest.image_count == 86
    assert rest.readiness is Readiness.CAUTION
    assert "missing_slices" in codes(rest)


# --- pixel spacing: shown, but not measured on ---------------------------------------


@pytest.mark.parametrize(
    "spacing",
    ["1e308\\1e308", "0\\0", "-0.7\\0.7", "inf\\inf", "60\\60", "0.7"],
    ids=["1e308", "zero", "negative", "inf", "60-mm", "one-value"],
)
def test_an_absurd_pixel_spacing_shows_but_never_measures(
    shared_dicom: Path, tmp_path: Path, reader: str, spacing: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "spacing.dcm",
        set_raw("PixelSpacing", "DS", spacing),
    )
    candidate = only_series(path)
    problem = finding(candidate, "bad_pixel_spacing")
    assert problem.severity is Severity.ERROR
    assert "lengths in mm would be wrong" in problem.message
    assert "missing_pixel_spacing" not in codes(candidate)  # it is there, not usable
    assert candidate.readiness is Readiness.NOT_MEASURABLE
    assert candidate.pixel_spacing is None
    volume = load_series(candidate)  # the image still shows
    assert volume.shape == (1, 128, 128)
    with pytest.raises(GeometryError):
        volume.distance_mm((0, 0, 0), (0, 0, 100))  # never "inf mm"


def test_a_plausible_pixel_spacing_is_kept(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "spacing.dcm",
        set_values(PixelSpacing=[4.5, 4.5]),
    )
    candidate = only_series(path)
    assert candidate.pixel_spacing == (4.5, 4.5)
    assert candidate.readiness is Readiness.READY


def test_one_image_without_an_orientation_is_not_measurable(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "flat.dcm",
        set_values(ImageOrientationPatient=None),
    )
    candidate = only_series(path)
    assert finding(candidate, "missing_geometry").severity is Severity.ERROR
    assert candidate.readiness is Readiness.NOT_MEASURABLE
    volume = load_series(candidate)
    with pytest.raises(GeometryError):
        volume.distance_mm((0, 0, 0), (0, 0, 100))


# --- pixel data that does not hold what the header says -----------------------------


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("Rows", 256), ("Columns", 511), ("NumberOfFrames", 2)],
)
def test_a_size_the_pixel_data_does_not_hold_is_refused_with_the_numbers(
    shared_scan: Callable[[str], Any],
    copy_series: Callable[..., Path],
    keyword: str,
    value: int,
) -> None:
    folder = copy_series(LIVER)
    frame = shared_scan(LIVER).series[0].frames[40]
    edited(frame.path, folder / frame.path.name, set_values(**{keyword: value}))
    result = scan(folder)
    (broken,) = [
        c for c in result.series if frame.path.name in {f.path.name for f in c.frames}
    ]
    problem = finding(broken, "pixel_data_length")
    assert problem.severity is Severity.ERROR
    assert frame.path.name in problem.message
    assert "524,288 bytes" in problem.message  # what the file holds: 512 x 512 x 2
    assert broken.readiness is Readiness.NOT_LOADABLE
    assert broken.image_count == 1
    others = [c for c in result.series if c is not broken]
    assert sum(c.image_count for c in others) == 88
    assert all(c.readiness is not Readiness.NOT_LOADABLE for c in others)


def test_20000_frames_claimed_in_a_small_file_are_not_20000_frames(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "frames.dcm",
        set_values(NumberOfFrames=20000),
    )
    candidate = only_series(path)
    assert candidate.image_count == 1
    problem = finding(candidate, "pixel_data_length")
    assert "20000 frame(s)" in problem.message
    assert "32,768 bytes" in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE
    with pytest.raises(UnsupportedSeriesError):
        load_series(candidate)  # refused before allocating anything


def rle_frames(source: Path, target: Path, frames: int, claimed: int) -> Path:
    """An RLE file holding ``frames`` compressed frames, claiming ``claimed``."""
    ds = pydicom.dcmread(source)
    plane = ds.pixel_array
    ds.PixelData = np.stack([plane + k for k in range(frames)]).tobytes()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.NumberOfFrames = frames
    ds.compress(RLELossless)
    ds.NumberOfFrames = claimed
    target.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(target)
    return target


def test_compressed_frames_are_counted_in_the_fragments(
    shared_dicom: Path, tmp_path: Path
) -> None:
    sound = rle_frames(shared_dicom / RLE_SMALL, tmp_path / "a" / "three.dcm", 3, 3)
    candidate = only_series(sound)
    assert candidate.image_count == 3
    assert not codes(candidate) & {"frame_count", "pixel_data_length"}
    assert candidate.readiness is not Readiness.NOT_LOADABLE
    claimed = rle_frames(shared_dicom / RLE_SMALL, tmp_path / "b" / "four.dcm", 3, 4)
    candidate = only_series(claimed)
    problem = finding(candidate, "frame_count")
    assert "NumberOfFrames 4" in problem.message
    assert "3 fragment(s)" in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE
    assert candidate.image_count == 1


def test_20000_compressed_frames_claimed_in_one_fragment_are_refused(
    shared_dicom: Path, tmp_path: Path
) -> None:
    path = edited(
        shared_dicom / RLE_SMALL, tmp_path / "rle.dcm", set_values(NumberOfFrames=20000)
    )
    candidate = only_series(path)
    assert candidate.image_count == 1
    assert "1 fragment(s)" in finding(candidate, "frame_count").message
    assert candidate.readiness is Readiness.NOT_LOADABLE


def test_compressed_pixel_data_with_a_length_is_not_loadable(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    """A compressed syntax keeps pixels in fragments; a length means damage."""
    (path,) = copy_files([shared_dicom / RLE_SMALL], tmp_path)
    data = path.read_bytes()
    header = b"\xe0\x7f\x10\x00OB\x00\x00"
    at = data.index(header + b"\xff\xff\xff\xff")
    length = len(data) - at - 12
    path.write_bytes(data[: at + 8] + length.to_bytes(4, "little") + data[at + 12 :])
    candidate = only_series(path)
    problem = finding(candidate, "pixel_data_length")
    assert f"({length:,} bytes)" in problem.message
    assert "RLE Lossless" in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE


def test_a_file_cut_inside_its_pixels_is_not_ready(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    (path,) = copy_files([shared_dicom / CT_SMALL], tmp_path)
    (frame,) = only_series(path).frames
    assert frame.pixel_offset is not None
    data = path.read_bytes()
    path.write_bytes(data[: frame.pixel_offset + 20_000])
    candidate = only_series(path)
    problem = finding(candidate, "truncated_pixel_data")
    assert problem.severity is Severity.ERROR
    assert f"{128 * 128 * 2 - 20_000:,} bytes" in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE


def test_one_cut_slice_is_a_warning_for_the_series(
    shared_scan: Callable[[str], Any], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    cut = folder / shared_scan(LIVER).series[0].frames[60].path.name
    cut.write_bytes(cut.read_bytes()[:-100_000])
    (series,) = scan(folder).series
    problem = finding(series, "truncated_pixel_data")
    assert problem.severity is Severity.WARNING
    assert "1 of 89" in problem.message
    assert cut.name in problem.message
    assert series.readiness is Readiness.CAUTION


# --- Modality LUT --------------------------------------------------------------------


def lut_item(entries: int = 4096, bits: int = 16, data: int | None = None) -> Dataset:
    item = Dataset()
    item.add_new(0x00283002, "US", [entries % 65536, 0, bits])
    item.ModalityLUTType = "HU"
    item.add_new(0x00283006, "US", [v % 65536 for v in range(data or entries)])
    return item


def with_lut(item: Dataset | None) -> Edit:
    def edit(ds: Dataset) -> None:
        ds.ModalityLUTSequence = [] if item is None else [item]
        del ds.RescaleSlope
        del ds.RescaleIntercept

    return edit


def test_a_modality_lut_is_flagged_on_each_frame(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(shared_dicom / CT_SMALL, tmp_path / "lut.dcm", with_lut(lut_item()))
    candidate = only_series(path)
    assert all(f.modality_lut for f in candidate.frames)
    note = finding(candidate, "modality_lut")
    assert note.severity is Severity.INFO
    assert "Modality LUT" in note.message
    assert candidate.readiness is Readiness.READY


def test_frames_without_a_modality_lut_are_not_flagged(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    (path,) = copy_files([shared_dicom / CT_SMALL], tmp_path)
    candidate = only_series(path)
    assert not any(f.modality_lut for f in candidate.frames)
    assert "modality_lut" not in codes(candidate)


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (lut_item(data=100), "LUTData of 200 bytes"),
        (lut_item(bits=12), "8 or 16 bits"),
        (None, "empty sequence"),
    ],
    ids=["data-too-short", "12-bit-entries", "empty"],
)
def test_a_malformed_modality_lut_is_not_loadable(
    shared_dicom: Path, tmp_path: Path, reader: str, item: Dataset | None, words: str
) -> None:
    path = edited(shared_dicom / CT_SMALL, tmp_path / "lut.dcm", with_lut(item))
    candidate = only_series(path)
    problem = finding(candidate, "bad_modality_lut")
    assert words in problem.message
    assert candidate.readiness is Readiness.NOT_LOADABLE


def test_a_descriptor_of_two_values_is_malformed(
    shared_dicom: Path, tmp_path: Path
) -> None:
    item = lut_item()
    item.add_new(0x00283002, "US", [4096, 16])
    path = edited(shared_dicom / CT_SMALL, tmp_path / "lut.dcm", with_lut(item))
    assert "[4096, 16]" in finding(only_series(path), "bad_modality_lut").message


def test_a_modality_lut_in_the_functional_groups_flags_enhanced_frames(
    shared_dicom: Path, tmp_path: Path
) -> None:
    def edit(ds: Dataset) -> None:
        for group in ds.PerFrameFunctionalGroupsSequence[:3]:
            group.PixelValueTransformationSequence[0].ModalityLUTSequence = [lut_item()]

    path = edited(
        shared_dicom / "mr_enhanced_siemens_xa10" / "6_1.dcm",
        tmp_path / "lut.dcm",
        edit,
    )
    frames = sorted(
        (f for c in scan(path).series for f in c.frames), key=lambda f: f.frame or 0
    )
    assert [f.modality_lut for f in frames] == [True] * 3 + [False] * 3


# --- lossy compression ---------------------------------------------------------------


def test_lossy_compression_in_the_past_is_a_warning(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "lossy.dcm",
        set_values(
            LossyImageCompression="01",
            LossyImageCompressionRatio=12.5,
            LossyImageCompressionMethod="ISO_10918_1",
        ),
    )
    candidate = only_series(path)
    lossy = finding(candidate, "lossy_compression")
    assert lossy.severity is Severity.WARNING
    assert "12.5:1" in lossy.message
    assert "ISO_10918_1" in lossy.message
    assert candidate.readiness is Readiness.CAUTION


def test_lossy_compression_00_is_no_warning(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    path = edited(
        shared_dicom / CT_SMALL,
        tmp_path / "lossless.dcm",
        set_values(LossyImageCompression="00"),
    )
    assert "lossy_compression" not in codes(only_series(path))


# --- localizers and screen captures ---------------------------------------------


def new_instance(ds: Dataset) -> None:
    uid = generate_uid(prefix=UID_PREFIX)
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid


def liver_files(shared_scan: Callable[[str], Any], count: int) -> Iterator[Path]:
    frames = shared_scan(LIVER).series[0].frames
    return (f.path for f in frames[40 : 40 + count])


def copies_as(
    sources: Iterator[Path], folder: Path, edit: Edit, series_uid: str
) -> list[Path]:
    def both(ds: Dataset) -> None:
        new_instance(ds)
        ds.SeriesInstanceUID = series_uid
        edit(ds)

    return [edited(s, folder / s.name, both) for s in sources]


def test_localizer_images_are_listed_but_not_measurable(
    shared_scan: Callable[[str], Any], tmp_path: Path
) -> None:
    series_uid = generate_uid(prefix=UID_PREFIX)
    copies_as(
        liver_files(shared_scan, 3),
        tmp_path,
        set_values(ImageType=["ORIGINAL", "PRIMARY", "LOCALIZER"]),
        series_uid,
    )
    candidate = only_series(tmp_path)
    assert candidate.is_localizer
    assert candidate.image_count == 3
    problem = finding(candidate, "localizer")
    assert (
        problem.message == "localizer (scout) images: for planning, not for measuring"
    )
    assert problem.severity is Severity.ERROR
    assert candidate.readiness is Readiness.NOT_MEASURABLE


SC_CLASSES = ["1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.7.3"]


@pytest.mark.parametrize("sop_class", SC_CLASSES, ids=["sc", "multi-frame-word-sc"])
def test_a_secondary_capture_is_not_measurable(
    shared_dicom: Path, tmp_path: Path, reader: str, sop_class: str
) -> None:
    def edit(ds: Dataset) -> None:
        ds.SOPClassUID = sop_class
        ds.file_meta.MediaStorageSOPClassUID = sop_class

    path = edited(shared_dicom / CT_SMALL, tmp_path / "sc.dcm", edit)
    candidate = only_series(path)
    problem = finding(candidate, "secondary_capture")
    assert problem.severity is Severity.ERROR
    assert "a picture of a screen, not acquired images" in problem.message
    assert candidate.readiness is Readiness.NOT_MEASURABLE


def test_an_exam_summary_capture_gives_the_capture_reason_not_geometry_errors(
    shared_scan: Callable[[str], Any], tmp_path: Path
) -> None:
    """Two screen pages at one place: not "duplicate positions", a capture."""
    series_uid = generate_uid(prefix=UID_PREFIX)
    source = next(liver_files(shared_scan, 1))
    for page in range(2):

        def edit(ds: Dataset) -> None:
            new_instance(ds)
            ds.SeriesInstanceUID = series_uid
            ds.SeriesDescription = "Exam Summary"
            ds.ImageType = ["DERIVED", "SECONDARY"]

        edited(source, tmp_path / f"page{page}.dcm", edit)
    candidate = only_series(tmp_path)
    assert candidate.image_count == 2
    assert "Exam Summary" in finding(candidate, "secondary_capture").message
    assert not codes(candidate) & {
        "duplicate_positions",
        "missing_geometry",
        "bad_geometry",
        "missing_pixel_spacing",
    }
    assert candidate.readiness is Readiness.NOT_MEASURABLE


def test_a_screen_save_without_geometry_is_a_capture(
    shared_dicom: Path, tmp_path: Path, reader: str
) -> None:
    def edit(ds: Dataset) -> None:
        ds.ImageType = ["DERIVED", "SECONDARY"]
        del ds.ImagePositionPatient
        del ds.ImageOrientationPatient

    path = edited(shared_dicom / CT_SMALL, tmp_path / "screen.dcm", edit)
    candidate = only_series(path)
    assert (
        "without an image position" in finding(candidate, "secondary_capture").message
    )
    assert "missing_geometry" not in codes(candidate)


def test_a_derived_reformat_with_geometry_stays_measurable(
    shared_scan: Callable[[str], Any], tmp_path: Path
) -> None:
    """DERIVED\\SECONDARY reformats have an image plane: they are measured on."""
    series_uid = generate_uid(prefix=UID_PREFIX)
    copies_as(
        liver_files(shared_scan, 4),
        tmp_path,
        set_values(ImageType=["DERIVED", "SECONDARY", "REFORMATTED"]),
        series_uid,
    )
    candidate = only_series(tmp_path)
    assert "secondary_capture" not in codes(candidate)
    assert candidate.readiness is Readiness.READY
    assert candidate.spacing_mm == pytest.approx(2.5)


# --- the verdict the loader keeps ------------------------------------------------


def test_every_not_loadable_verdict_is_refused_and_the_rest_loads(
    shared_dicom: Path, tmp_path: Path
) -> None:
    """One folder of many damaged files: each verdict is what the load does."""
    source = shared_dicom / CT_SMALL
    for index, param in enumerate(NOT_LOADABLE_HEADERS):
        edit, _code = param.values

        def with_series(ds: Dataset, edit: Edit = edit) -> None:
            ds.SeriesInstanceUID = generate_uid(prefix=UID_PREFIX)
            new_instance(ds)
            edit(ds)

        edited(source, tmp_path / f"{index:02d}.dcm", with_series)
    (tmp_path / "sound.dcm").write_bytes(source.read_bytes())
    result = scan(tmp_path)
    assert len(result.series) == len(NOT_LOADABLE_HEADERS) + 1
    for candidate in result.series:
        try:
            volume = load_series(candidate, workers=1)
        except DicomError:
            assert candidate.readiness is Readiness.NOT_LOADABLE, candidate.findings
            continue
        assert candidate.readiness is not Readiness.NOT_LOADABLE
        assert not volume.unreadable_slices
        assert math.isfinite(float(volume.voxels.max()))
