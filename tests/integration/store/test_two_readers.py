"""Two readers on one database, in two real processes: nothing is lost.

Reader B works in this process on a read it loaded; reader A edits the same
patient meanwhile in a separate Python process. Every write B makes is checked
against what B showed: an edit of another field is merged (A's change stays), an
edit of the same field is refused naming A, a sign-off or decision on content B
never saw is refused, and B's read follows A's changes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import (
    Caliper,
    CaliperKind,
    Clinical,
    LesionId,
    TargetMeasurement,
)
from respond.errors import StaleEditError
from respond.session import ReadSession, read_from_case
from respond.store import open_store

PATIENT = "HCC-0001"
T1 = LesionId("T1")


def other_reader(db: Path, code: str) -> None:
    """Run ``code`` as reader A ("Dr A") in a separate process on ``db``."""
    script = (
        textwrap.dedent(
            """
        import sys
        from decimal import Decimal
        from respond.criteria import Caliper, CaliperKind, Clinical, LesionId
        from respond.session import ReadSession
        from respond.store import open_store

        store = open_store(sys.argv[1])
        a = ReadSession(store, "HCC-0001", reader="Dr A")
        fu1 = a.read.timepoints[1].uid
        """
        )
        + textwrap.dedent(code)
        + "\nstore.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "reads.sqlite3"
    store = open_store(path)
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="setup"
    )
    store.close()
    return path


@pytest.fixture
def reader_b(db: Path):
    store = open_store(db)
    yield ReadSession(store, PATIENT, reader="Dr B")
    store.close()


def stored(db: Path) -> ReadSession:
    return ReadSession(open_store(db), PATIENT, reader="check")


def fu1_of(session: ReadSession) -> str:
    return session.read.timepoints[1].uid


def caliper(kind: CaliperKind, length: float) -> Caliper:
    return Caliper(kind, (0.0, 0.0, 10.0), (length, 0.0, 10.0), "1.2.3", "1.2.3.4")


A_LONG_AXIS = """
a.set_measurement(fu1, "T1", a.timepoint(fu1).target(LesionId("T1")).__class__(
    long_axis_mm=Decimal("82.8"), viable_mm=Decimal("20.0")))
"""


def test_an_edit_of_another_field_keeps_the_other_readers_value(
    db: Path, reader_b: ReadSession
) -> None:
    """B records only a viable diameter after A's long axis: both stay."""
    fu1 = fu1_of(reader_b)
    seen = reader_b.timepoint(fu1).target(T1)
    assert seen is not None
    other_reader(db, A_LONG_AXIS)
    reader_b.set_measurement(
        fu1,
        "T1",
        TargetMeasurement(long_axis_mm=seen.long_axis_mm, viable_mm=Decimal("12.5")),
    )
    now = stored(db).timepoint(fu1).target(T1)
    assert now is not None
    assert (now.long_axis_mm, now.viable_mm) == (Decimal("82.8"), Decimal("12.5"))
    shown = reader_b.timepoint(fu1).target(T1)
    assert shown is not None
    assert shown.long_axis_mm == Decimal("82.8"), "B's window follows A's change"


def test_the_same_field_edited_by_both_is_refused_naming_the_other_reader(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(db, A_LONG_AXIS)
    with pytest.raises(StaleEditError, match="Dr A") as caught:
        reader_b.set_measurement(
            fu1,
            "T1",
            TargetMeasurement(long_axis_mm=Decimal("40.0"), viable_mm=Decimal("20.0")),
        )
    assert "not saved" in str(caught.value)
    now = stored(db).timepoint(fu1).target(T1)
    assert now is not None
    assert now.long_axis_mm == Decimal("82.8")
    shown = reader_b.timepoint(fu1).target(T1)
    assert shown is not None
    assert shown.long_axis_mm == Decimal("82.8"), "B was reloaded"


def test_the_same_caliper_drawn_by_both_is_refused(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(
        db,
        'a.set_calipers(fu1, "T1", [Caliper(CaliperKind.LONG_AXIS, (0.0, 0.0, 10.0), '
        '(61.0, 0.0, 10.0), "1.2.3", "1.2.3.4")])',
    )
    with pytest.raises(StaleEditError):
        reader_b.set_calipers(fu1, "T1", [caliper(CaliperKind.LONG_AXIS, 45.0)])
    now = stored(db).timepoint(fu1).target(T1)
    assert now is not None
    assert now.long_axis_mm == Decimal("61.0")


def test_a_caliper_of_another_kind_is_merged(db: Path, reader_b: ReadSession) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(
        db,
        'a.set_calipers(fu1, "T1", [Caliper(CaliperKind.LONG_AXIS, (0.0, 0.0, 10.0), '
        '(61.0, 0.0, 10.0), "1.2.3", "1.2.3.4")])',
    )
    reader_b.set_calipers(fu1, "T1", [caliper(CaliperKind.VIABLE, 14.0)])
    record = stored(db).timepoint(fu1)
    kinds = sorted(c.kind.value for c in record.calipers[T1])
    assert kinds == ["long_axis", "viable"]
    now = record.target(T1)
    assert now is not None
    assert (now.long_axis_mm, now.viable_mm) == (Decimal("61.0"), Decimal("14.0"))


def test_relabelling_a_time_point_keeps_the_other_readers_measurement(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(db, A_LONG_AXIS)
    reader_b.update_timepoint(fu1, label="FU1 (week 8)")
    record = stored(db).timepoint(fu1)
    assert record.label == "FU1 (week 8)"
    target = record.target(T1)
    assert target is not None
    assert target.long_axis_mm == Decimal("82.8")


def test_clinical_fields_merge_and_conflicts_are_refused(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    before = reader_b.timepoint(fu1).clinical
    other_reader(
        db,
        "import dataclasses\n"
        "a.set_clinical(fu1, dataclasses.replace(a.timepoint(fu1).clinical, ecog=2))",
    )
    import dataclasses

    reader_b.set_clinical(fu1, dataclasses.replace(before, fhsi8=20))
    merged = stored(db).timepoint(fu1).clinical
    assert (merged.ecog, merged.fhsi8) == (2, 20)
    other_reader(
        db,
        "import dataclasses\n"
        "a.set_clinical(fu1, dataclasses.replace(a.timepoint(fu1).clinical, fhsi8=25))",
    )
    with pytest.raises(StaleEditError):
        reader_b.set_clinical(
            fu1, dataclasses.replace(reader_b.timepoint(fu1).clinical, fhsi8=18)
        )
    assert stored(db).timepoint(fu1).clinical.fhsi8 == 25


def test_sign_off_on_content_not_shown_is_refused_until_reloaded(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(db, A_LONG_AXIS)
    with pytest.raises(StaleEditError, match="Dr A"):
        reader_b.sign(fu1)
    assert not stored(db).timepoint(fu1).is_signed
    # the refusal reloaded B's read: B now sees A's value and may sign it
    target = reader_b.timepoint(fu1).target(T1)
    assert target is not None
    assert target.long_axis_mm == Decimal("82.8")
    reader_b.sign(fu1)
    assert stored(db).timepoint(fu1).is_signed


def test_a_decision_on_content_not_shown_is_refused(
    db: Path, reader_b: ReadSession
) -> None:
    other_reader(db, A_LONG_AXIS)
    with pytest.raises(StaleEditError):
        reader_b.record_decision(accept=True)
    assert stored(db).read.timepoints[-1].decision is None
    reader_b.record_decision(accept=True)
    assert stored(db).read.timepoints[-1].decision is not None


def test_the_read_follows_another_process(db: Path, reader_b: ReadSession) -> None:
    fu1 = fu1_of(reader_b)
    assert reader_b.refresh_if_changed() is False
    changed: list[str] = []
    reader_b.events.measurement_changed.connect(lambda uid, lid: changed.append(lid))
    other_reader(db, A_LONG_AXIS)
    assert reader_b.refresh_if_changed() is True
    target = reader_b.timepoint(fu1).target(T1)
    assert target is not None
    assert target.long_axis_mm == Decimal("82.8")
    assert changed == ["T1"]
    assert reader_b.refresh_if_changed() is False


def test_a_command_line_import_meanwhile_is_followed(
    db: Path, reader_b: ReadSession
) -> None:
    """A write without a seen value (the command line) is still noticed."""
    other_reader(db, "a.update_lesion('T1', note='checked by A')")
    assert reader_b.refresh_if_changed() is True
    assert reader_b.lesion("T1").note == "checked by A"
    assert isinstance(reader_b.timepoint(fu1_of(reader_b)).clinical, Clinical)


def test_removing_a_lesion_another_reader_just_measured_is_refused(
    db: Path, reader_b: ReadSession
) -> None:
    """B's removal would take A's new long axis with it: refused, B reloads."""
    fu1 = fu1_of(reader_b)
    other_reader(db, A_LONG_AXIS)
    with pytest.raises(StaleEditError, match="Dr A"):
        reader_b.remove_lesion("T1")
    target = stored(db).timepoint(fu1).target(T1)
    assert target is not None
    assert target.long_axis_mm == Decimal("82.8"), "A's measurement kept"
    shown = reader_b.timepoint(fu1).target(T1)
    assert shown is not None
    assert shown.long_axis_mm == Decimal("82.8"), "B was reloaded"
    # now that B has seen it, B may remove it
    reader_b.remove_lesion("T1")
    assert stored(db).read.lesion(T1) is None


def test_removing_a_lesion_is_not_refused_for_another_lesions_change(
    db: Path, reader_b: ReadSession
) -> None:
    other_reader(
        db,
        'a.set_measurement(fu1, "T2", a.timepoint(fu1).target(LesionId("T2"))'
        '.__class__(long_axis_mm=Decimal("33.3")))',
    )
    reader_b.remove_lesion("T1")
    now = stored(db)
    assert now.read.lesion(T1) is None
    target = now.timepoint(fu1_of(now)).target(LesionId("T2"))
    assert target is not None
    assert target.long_axis_mm == Decimal("33.3")


def test_removing_a_time_point_changed_since_it_was_shown_is_refused(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(db, A_LONG_AXIS)
    with pytest.raises(StaleEditError, match="Dr A"):
        reader_b.remove_timepoint(fu1)
    record = stored(db).timepoint(fu1)
    target = record.target(T1)
    assert target is not None
    assert target.long_axis_mm == Decimal("82.8")
    reader_b.remove_timepoint(fu1)
    assert stored(db).read.timepoint(fu1) is None


def test_removing_a_new_lesion_changed_since_it_was_shown_is_refused(
    db: Path, reader_b: ReadSession
) -> None:
    fu1 = fu1_of(reader_b)
    other_reader(
        db,
        "import dataclasses\n"
        "x1 = a.timepoint(fu1).new_lesion('X1')\n"
        "a.put_new_lesion(fu1, dataclasses.replace(x1, long_axis_mm=Decimal('21.0')))",
    )
    with pytest.raises(StaleEditError, match="Dr A"):
        reader_b.remove_new_lesion(fu1, "X1")
    finding = stored(db).timepoint(fu1).new_lesion("X1")
    assert finding is not None
    assert finding.long_axis_mm == Decimal("21.0")
    reader_b.remove_new_lesion(fu1, "X1")
    assert stored(db).timepoint(fu1).new_lesion("X1") is None
