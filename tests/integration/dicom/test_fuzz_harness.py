"""The DICOM fuzz harness itself (``make fuzz`` runs it at scale; this takes seconds).

Cases are the same bytes every time, each kind of damage changes its file, and
the parent classifies what a forked child did: a report, a hang, a crash, a
memory spike, an escape. Bad cases are kept with a description.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from pathlib import Path

import pytest
from fuzz.child import Recorder, pixels_only_changed
from fuzz.mutate import BY_NAME, KINDS, make_case
from fuzz.runner import Body, Limits, keep, run_cases
from fuzz.seeds import SEEDS, copy_seed, seed_sources
from fuzz.target import Target

# A seed each kind applies to (and a file in it that kind can damage).
SEED_FOR_KIND = {
    "truncation": "ct-small",
    "flipped bytes": "mr-big-endian",
    "deleted tags": "enhanced-mr",
    "duplicated tag": "implicit-384",
    "absurd value": "ct-5-slices",
    "number of frames": "enhanced-mr-no-geometry",
    "wrong VR": "cr-slope",
    "transfer syntax swapped": "jpeg-ls",
    "huge length": "rle",
    "deep nesting": "sr",
    "corrupt codestream": "jpeg-2000",
    "modality LUT": "ct-small",
    "pixel data length": "mr-big-endian",
    "one slice unlike the stack": "ct-5-slices",
    "damaged DICOMDIR": "dicomdir",
    "special file": "rle",
    "image declared a DICOMDIR": "jpeg-lossy-12-bit",
}


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 2**26
    }


def test_every_kind_has_a_seed_in_this_test() -> None:
    assert set(SEED_FOR_KIND) == {kind.name for kind in KINDS}
    for kind, seed in SEED_FOR_KIND.items():
        assert BY_NAME[kind].applies(SEEDS[seed]), kind


@pytest.mark.usefixtures("shared_dicom")
@pytest.mark.parametrize("number", [0, 3, 10, 14, 29])
def test_a_case_is_the_same_damage_every_time(tmp_path: Path, number: int) -> None:
    first = make_case(number, tmp_path / "a")
    second = make_case(number, tmp_path / "b")
    assert first == second
    assert first.what
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


@pytest.mark.usefixtures("shared_dicom")
@pytest.mark.parametrize("kind", sorted(SEED_FOR_KIND))
def test_each_kind_of_damage_changes_its_seed(tmp_path: Path, kind: str) -> None:
    seed = SEED_FOR_KIND[kind]
    pristine = tmp_path / "pristine"
    copy_seed(seed, pristine)
    folder = tmp_path / "damaged"
    files = copy_seed(seed, folder)
    path = next((f for f in files if f.name == "DICOMDIR"), files[0])
    target = Target(random.Random(kind), folder, files, SEEDS[seed], path)
    what = BY_NAME[kind].operation(target)
    assert what.strip()
    assert target.touched
    changed = _digest(folder) != _digest(pristine) or any(
        not (pristine / p.relative_to(folder)).exists() for p in target.touched
    )
    assert changed, f"{kind}: {what}"


def _quiet(number: int, home: Path, rec: Recorder) -> None:
    rec.step("nothing")


def _hang(number: int, home: Path, rec: Recorder) -> None:
    rec.step("sleeping")
    time.sleep(60)


def _crash(number: int, home: Path, rec: Recorder) -> None:
    rec.step("aborting")
    os.abort()


def _spike(number: int, home: Path, rec: Recorder) -> None:
    rec.step("touching 160 MiB")
    block = b"\x01" * (160 * 2**20)
    assert block


def _too_big(number: int, home: Path, rec: Recorder) -> None:
    rec.step("allocating past the limit")
    try:
        block = bytearray(4 * 2**30)
        assert block
    except MemoryError as exc:
        rec.exception("allocating", exc)


def _escape(number: int, home: Path, rec: Recorder) -> None:
    rec.exception("scan", KeyError("PixelSpacing"))


def _lie(number: int, home: Path, rec: Recorder) -> None:
    rec.observe("refused", "load", "no decoder", "SeriesLoadError")
    rec.observe("lie", "load", "ready but not loadable", "SeriesLoadError")


@pytest.mark.parametrize(
    ("body", "outcome", "where"),
    [
        (_quiet, "ok", ""),
        (_hang, "hang", "sleeping"),
        (_crash, "crash", "aborting"),
        (_spike, "memory", "touching 160 MiB"),
        (_too_big, "memory", "allocating"),
        (_escape, "escape", "scan"),
        (_lie, "lie", "load"),
    ],
)
def test_the_parent_classifies_what_the_child_did(
    tmp_path: Path, body: Body, outcome: str, where: str
) -> None:
    # A forked child starts with part of this process's memory: the spike line
    # sits 96 MiB above what a child doing nothing peaks at here.
    calm = Limits(timeout_s=10, headroom=2**30, spike=2**40)
    (quiet,) = run_cases([6], tmp_path, workers=1, limits=calm, body=_quiet)
    spike = quiet.peak_bytes + 96 * 2**20
    limits = Limits(timeout_s=1.5, headroom=2**30, spike=spike)
    (result,) = run_cases([7], tmp_path, workers=1, limits=limits, body=body)
    assert (result.outcome, result.where) == (outcome, where), result.line()
    assert result.peak_bytes > 0
    assert result.seconds < 10


@pytest.mark.usefixtures("shared_dicom")
def test_real_cases_run_in_children_and_bad_ones_are_kept(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    results = sorted(run_cases(range(4), work, workers=2), key=lambda r: r.case)
    assert [r.case for r in results] == [0, 1, 2, 3]
    for result in results:
        assert result.outcome != "harness error", result.line()
        assert result.mutation["kind"] in BY_NAME
    kept = keep(results[0], work, tmp_path / "kept")
    description = json.loads((kept / "case.json").read_text())
    assert description["mutation"]["what"] == results[0].mutation["what"]
    assert description["reproduce"].startswith("python -m fuzz --case 0 --seed ")
    assert (kept / "data" / str(results[0].mutation["file"])).is_file()


@pytest.mark.usefixtures("shared_dicom")
def test_damage_behind_an_intact_header_is_told_apart(tmp_path: Path) -> None:
    (copy,) = copy_seed("rle", tmp_path)
    (original,) = seed_sources("rle", tmp_path).values()
    data = bytearray(copy.read_bytes())
    data[-200] ^= 0xFF  # inside the RLE segments
    name = data.index(b"TOSHIBA_MEC")  # Manufacturer: not read to decode
    data[name] ^= 0x20
    copy.write_bytes(bytes(data))
    assert pixels_only_changed(copy, original)
    rows = data.index(b"\x28\x00\x10\x00US\x02\x00") + 8
    data[rows] ^= 0x01  # Rows 64 becomes 65
    copy.write_bytes(bytes(data))
    assert not pixels_only_changed(copy, original)
    assert not pixels_only_changed(copy, None)


@pytest.mark.usefixtures("shared_dicom")
def test_a_ready_series_whose_compressed_data_is_damaged_is_found_by_decoding(
    tmp_path: Path,
) -> None:
    # case 435: eight bytes flipped inside the only RLE fragment; the header
    # and the segment table are intact, so only decoding can see it
    (result,) = run_cases([435], tmp_path, workers=1)
    assert result.mutation["kind"] == "corrupt codestream"
    assert result.outcome == "decode", result.line()
    assert "MR_small_RLE.dcm: pixel data cannot be decoded" in result.message


@pytest.mark.usefixtures("shared_dicom")
def test_damage_in_a_private_value_and_the_pixels_is_found_by_decoding(
    tmp_path: Path,
) -> None:
    # case 120: bytes flipped in a Siemens private header (0029,1020), which
    # respond does not read, and in the JPEG-LS codestream
    (result,) = run_cases([120], tmp_path, workers=1)
    assert result.mutation["kind"] == "flipped bytes"
    assert result.outcome == "decode", result.line()
