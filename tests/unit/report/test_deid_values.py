"""De-identification values: controlled organs, sites and labels; UIDs; the salt."""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING

import pytest

from respond.report.deid import (
    DamagedSaltError,
    Deidentification,
    organ,
    salt_path,
    site,
    stored_salt,
    timepoint_label,
)

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("liver", "liver"),
        ("  Liver ", "liver"),
        ("Lymph nodes", "lymph node"),
        ("left adrenal gland", "left adrenal gland"),
        ("Right lung", "right lung"),
        ("peritoneum (ascites)", "peritoneum (ascites)"),
        ("liver Testperson MRN-99887766", "other"),
        ("Saint Example Hospital", "other"),
        ("left Testperson", "other"),
        ("", ""),
    ],
)
def test_organs_are_known_ones_or_other(typed: str, kept: str) -> None:
    assert organ(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("segment VI", "segment VI"),
        ("S7/S8", "segment VII/VIII"),
        ("segments 7 and 8", "segment VII/VIII"),
        ("VII/VIII", "segment VII/VIII"),
        ("seg 4a, dome", "segment IVa, dome"),
        ("segment VI near Saint Example Hospital, seen 12.08.2001", "segment VI"),
        ("porta hepatis, Saint Example Hospital", "porta hepatis"),
        ("Para-aortic node of Testperson", "para-aortic"),
        ("coeliac", "celiac"),
        ("right upper lobe", "right upper lobe"),
        # bare numerals in other text are not taken for segments
        ("Testperson I, 8 Main Street", ""),
        ("MRN-99887766 2001-08-12", ""),
        ("Hilary", ""),
        ("", ""),
    ],
)
def test_sites_keep_controlled_terms_only(typed: str, kept: str) -> None:
    assert site(typed) == kept


def test_labels_follow_the_order() -> None:
    assert [timepoint_label(n) for n in range(4)] == ["BL", "FU1", "FU2", "FU3"]


def test_uids_are_consistent_per_salt_and_patient_and_valid() -> None:
    original = "1.2.826.0.1.3680043.8.498.12345678901234567890"
    one = Deidentification.of("MRN-1", "site salt")
    uid = one.uid(original)
    assert re.fullmatch(r"2\.25\.(0|[1-9][0-9]*)", uid)
    assert len(uid) <= 64
    assert original not in uid
    assert Deidentification.of("MRN-1", "site salt").uid(original) == uid
    assert one.uid(original + "1") != uid
    assert Deidentification.of("MRN-2", "site salt").uid(original) != uid
    assert Deidentification.of("MRN-1", "other salt").uid(original) != uid
    # the 128-bit number is a UUID (RFC 9562 version 8, variant 10)
    number = int(uid.removeprefix("2.25."))
    assert (number >> 76) & 0xF == 8
    assert (number >> 62) & 0b11 == 0b10
    assert one.uid("") == ""


def test_readers_get_the_same_pseudonym_for_every_patient() -> None:
    a = Deidentification.of("MRN-1", "salt")
    b = Deidentification.of("MRN-2", "salt")
    assert a.person("Dr Testperson") == b.person("Dr Testperson")
    assert a.person("Dr Testperson").startswith("READER-")
    assert a.person("Dr Testperson") != a.person("Dr Other")
    assert Deidentification.of("MRN-1", "x").person("Dr Testperson") != a.person(
        "Dr Testperson"
    )
    assert a.person("") == ""
    assert "key" not in repr(a).replace("day_shift", "")


def test_the_salt_file_is_made_once_and_private(tmp_path: Path) -> None:
    path = salt_path(tmp_path / "reads.sqlite3")
    assert path.name == "reads.sqlite3.deid-salt"
    mask = os.umask(0o022)
    try:
        salt, made = stored_salt(path)
    finally:
        os.umask(mask)
    assert made
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored_salt(path) == (salt, False)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_damaged_salt_file_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "reads.sqlite3.deid-salt"
    path.write_text("Testperson\n", encoding="ascii")
    with pytest.raises(DamagedSaltError, match="64 hex digits"):
        stored_salt(path)
    assert path.read_text(encoding="ascii") == "Testperson\n"
