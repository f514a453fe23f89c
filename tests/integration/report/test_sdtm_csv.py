"""The SDTM TU, TR and RS tables, read back with the CDISC column rules.

The demo patient's tables (and a variant with a too-small target, a target not
evaluated and a nodal non-target) are written to files as ``respond report
--csv`` writes them, read back as a statistician's program would, checked
against SDTM's rules for the columns and against the engine's own results.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, cast

import pytest

from respond.criteria import (
    Lesion,
    LesionId,
    LesionKind,
    NonTargetObservation,
    NonTargetStatus,
    Role,
    TargetMeasurement,
    TargetStatus,
)
from respond.report.csv_export import (
    CsvWriteError,
    write_csv_files,
)
from respond.report.document import build_report

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from respond.criteria.record import PatientRead
    from respond.report.document import ReportData
    from respond.report.images import ImageIndex

Rows = list[dict[str, str]]

# the SDTMIG variables of each domain, in SDTMIG order (those respond can fill)
SDTMIG = {
    "TU": (
        "STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TUGRPID", "TUREFID", "TUSPID",
        "TULNKID", "TULNKGRP", "TUTESTCD", "TUTEST", "TUORRES", "TUSTRESC",
        "TUNAM", "TULOC", "TULAT", "TUDIR", "TUPORTOT", "TUMETHOD", "TULOBXFL",
        "TUBLFL", "TUEVAL", "TUEVALID", "TUACPTFL", "VISITNUM", "VISIT",
        "VISITDY", "TAETORD", "EPOCH", "TUDTC", "TUDY",
    ),
    "TR": (
        "STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRGRPID", "TRREFID", "TRSPID",
        "TRLNKGRP", "TRLNKID", "TRTESTCD", "TRTEST", "TRORRES", "TRORRESU",
        "TRSTRESC", "TRSTRESN", "TRSTRESU", "TRSTAT", "TRREASND", "TRNAM",
        "TRMETHOD", "TRLOBXFL", "TRBLFL", "TREVAL", "TREVALID", "TRACPTFL",
        "VISITNUM", "VISIT", "VISITDY", "TAETORD", "EPOCH", "TRDTC", "TRDY",
    ),
    "RS": (
        "STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSGRPID", "RSREFID", "RSSPID",
        "RSLNKID", "RSLNKGRP", "RSTESTCD", "RSTEST", "RSCAT", "RSSCAT",
        "RSORRES", "RSORRESU", "RSSTRESC", "RSSTRESN", "RSSTRESU", "RSSTAT",
        "RSREASND", "RSNAM", "RSEVAL", "RSEVALID", "RSACPTFL", "VISITNUM",
        "VISIT", "VISITDY", "TAETORD", "EPOCH", "RSDTC", "RSDY",
    ),
}  # fmt: skip
REQUIRED = {
    "TU": ("STUDYID", "DOMAIN", "USUBJID", "TUSEQ", "TULNKID", "TUTESTCD",
           "TUTEST", "TUORRES", "TUSTRESC", "TULOC", "TUEVAL", "VISITNUM", "VISIT",
           "TUDTC"),
    "TR": ("STUDYID", "DOMAIN", "USUBJID", "TRSEQ", "TRGRPID", "TRLNKID",
           "TRTESTCD", "TRTEST", "TRORRES", "TRORRESU", "TRSTRESC", "TRSTRESN",
           "TRSTRESU", "TRSTAT", "TRREASND", "TREVAL", "VISITNUM", "VISIT",
           "TRDTC"),
    "RS": ("STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSTESTCD", "RSTEST",
           "RSCAT", "RSORRES", "RSSTRESC", "RSEVAL", "VISITNUM", "VISIT", "RSDTC"),
}  # fmt: skip
# columns whose values are CDISC controlled terms (upper case)
CONTROLLED = {
    "TU": ("TUTESTCD", "TUORRES", "TUSTRESC", "TULOC", "TUEVAL", "TUKIND"),
    "TR": ("TRTESTCD", "TRGRPID", "TRSTAT", "TRREASND", "TREVAL"),
    "RS": ("RSTESTCD", "RSORRES", "RSSTRESC", "RSSTAT", "RSEVAL"),
}
LENGTH_TESTS = {"LDIAM", "LPERP", "VLDIAM", "SUMDIAM", "SUMVDIAM"}
TESTCD = re.compile(r"[A-Z][A-Z0-9]{0,7}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
CRITERIA = {"RECIST 1.1": "RECIST1.1", "mRECIST": "mRECIST"}


def _write(reports: Sequence[ReportData], folder: Path) -> dict[str, Rows]:
    """Write the tables as `respond report --csv` does; read them back."""
    tables: dict[str, Rows] = {}
    for table in write_csv_files(reports, folder / "out.csv", study_id="HCC-01"):
        assert table.path == folder / f"out-{table.domain.lower()}.csv"
        with table.path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            tables[table.domain] = list(reader)
            assert tuple(reader.fieldnames or ()) == tuple(tables[table.domain][0])
        assert table.rows == len(tables[table.domain])
    assert list(tables) == ["TU", "TR", "RS"]
    assert not (folder / "out.csv").exists()
    return tables


def _variant(read: PatientRead) -> PatientRead:
    """The demo read with T1 too small at FU1, T2 not evaluated at FU2 and a node.

    The nodal non-target N9 is present at baseline (short axis 22.0 mm), not
    recorded at FU1 and absent at FU2.
    """
    node = Lesion(
        LesionId("N9"), Role.NON_TARGET, "lymph node", is_node=True,
        kind=LesionKind.NODE, site="hilum",
    )  # fmt: skip
    bl, fu1, fu2 = read.timepoints
    t1, t2 = (lesion.id for lesion in read.lesions)
    small = TargetMeasurement(status=TargetStatus.TOO_SMALL, lesion_id=t1)
    skipped = TargetMeasurement(status=TargetStatus.NOT_EVALUATED, lesion_id=t2)
    seen = NonTargetObservation(NonTargetStatus.PRESENT, short_axis_mm=Decimal("22.0"))
    gone = NonTargetObservation(NonTargetStatus.ABSENT)

    def changed(tp, targets, non_targets):  # type: ignore[no-untyped-def]
        point = tp.timepoint
        return replace(
            tp,
            timepoint=replace(
                point,
                targets={**point.targets, **targets},
                non_targets=non_targets,
            ),
        )

    timepoints = (
        changed(bl, {}, {node.id: seen}),
        changed(fu1, {t1: small}, {}),
        changed(fu2, {t2: skipped}, {node.id: gone}),
    )
    return replace(read, lesions=(*read.lesions, node), timepoints=timepoints)


@pytest.fixture
def demo_tables(demo_read: PatientRead, tmp_path: Path) -> dict[str, Rows]:
    return _write([build_report(demo_read)], tmp_path)


@pytest.fixture
def variant(demo_read: PatientRead) -> ReportData:
    return build_report(_variant(demo_read))


@pytest.fixture
def variant_tables(variant: ReportData, tmp_path: Path) -> dict[str, Rows]:
    return _write([variant], tmp_path)


def _check_columns(domain: str, header: Sequence[str]) -> None:
    standard = [c for c in header if c in SDTMIG[domain]]
    assert set(REQUIRED[domain]) <= set(header), domain
    # SDTMIG order, and respond's supplemental qualifiers only after them
    assert standard == sorted(standard, key=SDTMIG[domain].index), domain
    assert list(header[: len(standard)]) == standard, domain
    assert all(len(c) <= 8 and c == c.upper() for c in header), domain


def _check_rows(domain: str, rows: Rows) -> None:
    for row in rows:
        assert row["DOMAIN"] == domain
        assert row["STUDYID"] == "HCC-01"
        assert TESTCD.fullmatch(row[f"{domain}TESTCD"]), row
        assert 0 < len(row[f"{domain}TEST"]) <= 40, row
        assert ISO_DATE.fullmatch(row[f"{domain}DTC"]), row
        dt.date.fromisoformat(row[f"{domain}DTC"])
        assert int(row["VISITNUM"]) >= 1
        for column in CONTROLLED[domain]:
            assert row[column] == row[column].upper(), (column, row)
    sequence = Counter((r["USUBJID"], r[f"{domain}SEQ"]) for r in rows)
    assert set(sequence.values()) == {1}  # --SEQ unique per subject
    for subject in {r["USUBJID"] for r in rows}:
        numbers = [int(r[f"{domain}SEQ"]) for r in rows if r["USUBJID"] == subject]
        assert numbers == list(range(1, len(numbers) + 1))


def _check_results(rows: Rows) -> None:
    """TR: numbers where the standard result is one, mm, NOT DONE with reasons."""
    for row in rows:
        if row["TRSTAT"] == "NOT DONE":
            assert row["TRREASND"], row
            assert row["TRORRES"] == row["TRSTRESC"] == row["TRSTRESN"] == "", row
            continue
        assert row["TRREASND"] == "", row
        assert row["TRSTRESC"], row
        if NUMBER.fullmatch(row["TRSTRESC"]):
            assert Decimal(row["TRSTRESN"]) == Decimal(row["TRSTRESC"]), row
        else:
            assert row["TRSTRESN"] == "", row
        if row["TRTESTCD"] in LENGTH_TESTS:
            assert row["TRSTRESU"] == "mm", row
            assert row["TRORRESU"] == ("mm" if NUMBER.fullmatch(row["TRORRES"]) else "")
        else:
            assert row["TRSTRESU"] == row["TRORRESU"] == "", row


def _check_links(tables: Mapping[str, Rows]) -> None:
    identified = {(r["USUBJID"], r["TULNKID"]) for r in tables["TU"]}
    assert len(identified) == len(tables["TU"])  # one identification per lesion
    linked = {(r["USUBJID"], r["TRLNKID"]) for r in tables["TR"] if r["TRLNKID"]}
    assert linked <= identified
    groups = {(r["USUBJID"], r["TRLNKGRP"]) for r in tables["TR"]}
    overall = [r for r in tables["RS"] if r["RSTESTCD"] == "OVRLRESP"]
    assert {(r["USUBJID"], r["RSLNKGRP"]) for r in overall} <= groups
    assert all(r["RSLNKGRP"] == "" for r in tables["RS"] if r not in overall)


def _check_responses(report: ReportData, rows: Rows) -> None:
    """RS: every follow-up visit has each criterion's tests, as the engine said."""
    doc = report.assessment
    timepoints = cast("Sequence[Mapping[str, object]]", doc["timepoints"])
    for number, tp in enumerate(timepoints[1:], start=2):
        for category, key in CRITERIA.items():
            block = cast("Mapping[str, object]", tp[key])
            here = {
                r["RSTESTCD"]: r
                for r in rows
                if r["VISITNUM"] == str(number) and r["RSCAT"] == category
            }
            assert here["OVRLRESP"]["RSSTRESC"] == block["overall"]
            assert here["OVRLRESP"]["VISIT"] == tp["label"]
            assert here["OVRLRESP"]["RSDTC"] == tp["date"]
            for code, name in (("TRGRESP", "target"), ("NTRGRESP", "non_target")):
                expected = block[name]
                assert (here[code]["RSSTRESC"] if code in here else None) == expected
            new = here.get("NEWLPROG", {}).get("RSSTRESC")
            assert (new == "UNEQUIVOCAL") is bool(block["new_lesions"])
    assert {r["VISITNUM"] for r in rows} == {
        str(n) for n in range(2, len(timepoints) + 1)
    }


def _sums(report: ReportData, tr: Rows) -> None:
    """TR: SUMDIAM and SUMVDIAM are the engine's sums, and add up the lesions."""
    timepoints = cast("Sequence[Mapping[str, object]]", report.assessment["timepoints"])
    for number, tp in enumerate(timepoints, start=1):
        rows = [r for r in tr if r["VISITNUM"] == str(number)]
        for code, key, parts in (
            ("SUMDIAM", "RECIST1.1", {"LDIAM"}),
            ("SUMVDIAM", "mRECIST", {"VLDIAM"}),
        ):
            total = cast("Mapping[str, object]", tp[key])["sum_mm"]
            (row,) = (r for r in rows if r["TRTESTCD"] == code)
            assert row["TRGRPID"] == "TARGET"
            assert row["TRLNKID"] == ""
            if total is None:
                assert row["TRSTAT"] == "NOT DONE"
                continue
            assert Decimal(row["TRSTRESN"]) == Decimal(str(total))
            lesions = [
                Decimal(r["TRSTRESN"])
                for r in rows
                if r["TRTESTCD"] in parts and r["TRGRPID"] == "TARGET"
            ]
            assert sum(lesions, Decimal(0)) == Decimal(row["TRSTRESN"])


def test_the_demo_tables_follow_the_cdisc_rules(
    demo_read: PatientRead, demo_tables: dict[str, Rows]
) -> None:
    for domain, rows in demo_tables.items():
        assert rows, domain
        _check_columns(domain, tuple(rows[0]))
        _check_rows(domain, rows)
    _check_results(demo_tables["TR"])
    _check_links(demo_tables)
    _check_responses(build_report(demo_read), demo_tables["RS"])
    _sums(build_report(demo_read), demo_tables["TR"])


def test_the_variant_tables_follow_the_cdisc_rules(
    variant: ReportData, variant_tables: dict[str, Rows]
) -> None:
    for domain, rows in variant_tables.items():
        _check_columns(domain, tuple(rows[0]))
        _check_rows(domain, rows)
    _check_results(variant_tables["TR"])
    _check_links(variant_tables)
    _check_responses(variant, variant_tables["RS"])
    _sums(variant, variant_tables["TR"])


def test_tu_identifies_each_lesion_once(
    demo_read: PatientRead, demo_tables: dict[str, Rows]
) -> None:
    tu = demo_tables["TU"]
    baseline = demo_read.timepoints[0]
    expected = [(lesion.id, "TARGET", "1") for lesion in demo_read.lesions]
    for number, tp in enumerate(demo_read.timepoints, start=1):
        expected += [(n.id, "NEW", str(number)) for n in tp.timepoint.new_lesions]
    assert [(r["TULNKID"], r["TUORRES"], r["VISITNUM"]) for r in tu] == expected
    for row in tu:
        assert row["TUTESTCD"] == "TUMIDENT"
        assert row["TUTEST"] == "Tumor Identification"
        assert row["TUSTRESC"] == row["TUORRES"]
        assert row["TULOC"] == "LIVER"
        assert row["TUEVAL"] == "INDEPENDENT ASSESSOR"
        assert row["TUEVALID"] == demo_read.reader
    first = tu[0]
    assert first["TUDTC"] == baseline.date.isoformat()
    assert first["TUREFID"] == demo_read.tracking_uids[demo_read.lesions[0].id]
    assert first["TULOCDTL"] == demo_read.lesions[0].site
    assert first["TUKIND"] == "HCC"


def test_tr_writes_lengths_exactly_as_recorded(
    demo_read: PatientRead, demo_tables: dict[str, Rows]
) -> None:
    tr = demo_tables["TR"]
    for number, tp in enumerate(demo_read.timepoints, start=1):
        for lesion in demo_read.lesions:
            target = tp.target(lesion.id)
            assert target is not None
            rows = {
                r["TRTESTCD"]: r
                for r in tr
                if r["TRLNKID"] == lesion.id and r["VISITNUM"] == str(number)
            }
            assert set(rows) == {"LDIAM", "VLDIAM"}
            # the text recorded ("40.0"), not a float's ("40.0" from 40 -> "40")
            assert rows["LDIAM"]["TRORRES"] == str(target.long_axis_mm)
            assert rows["LDIAM"]["TRSTRESN"] == str(target.long_axis_mm)
            assert rows["VLDIAM"]["TRSTRESN"] == str(target.viable_mm)
            assert rows["LDIAM"]["TRDTC"] == tp.date.isoformat()
            assert rows["LDIAM"]["TRLNKGRP"] == f"A{number}"
    new = [r for r in tr if r["TRGRPID"] == "NEW"]
    assert [(r["TRTESTCD"], r["TRORRES"]) for r in new] == [
        ("TUMSTATE", "UNEQUIVOCAL"),
        ("LDIAM", "12.0"),
    ]


def test_rs_has_every_test_of_each_criterion(demo_tables: dict[str, Rows]) -> None:
    rs = demo_tables["RS"]
    assert [(r["VISIT"], r["RSCAT"], r["RSTESTCD"], r["RSORRES"]) for r in rs] == [
        ("FU1", "RECIST 1.1", "TRGRESP", "SD"),
        ("FU1", "RECIST 1.1", "OVRLRESP", "SD"),
        ("FU1", "mRECIST", "TRGRESP", "PR"),
        ("FU1", "mRECIST", "OVRLRESP", "PR"),
        ("FU2", "RECIST 1.1", "TRGRESP", "SD"),
        ("FU2", "RECIST 1.1", "NEWLPROG", "UNEQUIVOCAL"),
        ("FU2", "RECIST 1.1", "OVRLRESP", "PD"),
        ("FU2", "mRECIST", "TRGRESP", "PR"),
        ("FU2", "mRECIST", "NEWLPROG", "UNEQUIVOCAL"),
        ("FU2", "mRECIST", "OVRLRESP", "PD"),
    ]
    assert {r["RSTEST"] for r in rs if r["RSTESTCD"] == "OVRLRESP"} == {
        "Overall Response"
    }


def test_too_small_counts_5_mm_and_not_done_gives_a_reason(
    variant_tables: dict[str, Rows],
) -> None:
    tr = variant_tables["TR"]

    def at(visit: str, lesion: str, code: str) -> dict[str, str]:
        (row,) = (
            r
            for r in tr
            if (r["VISIT"], r["TRLNKID"], r["TRTESTCD"]) == (visit, lesion, code)
        )
        return row

    for code in ("LDIAM", "VLDIAM"):
        small = at("FU1", "T1", code)
        assert small["TRORRES"] == "TOO SMALL TO MEASURE"
        assert (small["TRSTRESC"], small["TRSTRESN"], small["TRSTRESU"]) == (
            "5",
            "5",
            "mm",
        )
        assert small["TRORRESU"] == ""
        skipped = at("FU2", "T2", code)
        assert (skipped["TRSTAT"], skipped["TRREASND"]) == ("NOT DONE", "NOT EVALUABLE")
    # the engine counted the 5 mm: the sum is T2's length plus 5
    t2 = Decimal(at("FU1", "T2", "LDIAM")["TRSTRESN"])
    assert Decimal(at("FU1", "", "SUMDIAM")["TRSTRESN"]) == t2 + 5
    assert [at(v, "N9", "TUMSTATE")["TRSTRESC"] for v in ("BL", "FU2")] == [
        "PRESENT",
        "ABSENT",
    ]
    missing = at("FU1", "N9", "TUMSTATE")
    assert (missing["TRSTAT"], missing["TRREASND"]) == ("NOT DONE", "NOT RECORDED")
    node = at("BL", "N9", "LPERP")
    assert (node["TRGRPID"], node["TRORRES"], node["TRSTRESN"]) == (
        "NON-TARGET",
        "22.0",
        "22.0",
    )
    (identified,) = (r for r in variant_tables["TU"] if r["TULNKID"] == "N9")
    assert (identified["TUORRES"], identified["TULOC"], identified["TULOCDTL"]) == (
        "NON-TARGET",
        "LYMPH NODE",
        "hilum",
    )
    assert "NTRGRESP" in {r["RSTESTCD"] for r in variant_tables["RS"]}


def test_sequence_numbers_restart_for_each_subject(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    other = replace(demo_read, patient=replace(demo_read.patient, id="DEMO-0002"))
    tables = _write([build_report(demo_read), build_report(other)], tmp_path)
    for domain, rows in tables.items():
        _check_rows(domain, rows)
        subjects = [r["USUBJID"] for r in rows]
        assert subjects == sorted(subjects)  # one subject after the other
        assert Counter(subjects)["DEMO-0001"] == Counter(subjects)["DEMO-0002"]


def test_a_folder_that_cannot_be_written_names_the_file(
    demo_read: PatientRead, tmp_path: Path
) -> None:
    with pytest.raises(CsvWriteError, match=r"missing[/\\]out-tu\.csv"):
        write_csv_files([build_report(demo_read)], tmp_path / "missing" / "out.csv")
    assert not (tmp_path / "missing").exists()


def test_method_is_the_modality_of_each_visits_images(
    demo_read: PatientRead, demo_images: ImageIndex, tmp_path: Path
) -> None:
    """TUMETHOD/TRMETHOD say CT SCAN when the CT images were found, else empty."""
    with_images = _write([build_report(demo_read, images=demo_images)], tmp_path)
    assert {row["TUMETHOD"] for row in with_images["TU"]} == {"CT SCAN"}
    assert {row["TRMETHOD"] for row in with_images["TR"]} == {"CT SCAN"}
    (tmp_path / "none").mkdir()
    without = _write([build_report(demo_read)], tmp_path / "none")
    assert {row["TUMETHOD"] for row in without["TU"]} == {""}
    assert {row["TRMETHOD"] for row in without["TR"]} == {""}
