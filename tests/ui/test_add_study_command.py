"""Undo and redo of an added study keep the read and the store consistent."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack

from respond.criteria.imaging import SeriesFacts, StudyFacts
from respond.session import ReadSession
from respond.session.intake import create_patient
from respond.store import open_store
from respond.ui.commands import AddStudyCommand, IntentCommand, push


def study(uid: str, date: str) -> StudyFacts:
    return StudyFacts(
        "P7",
        "DOE^JO",
        "",
        "",
        uid,
        date,
        "CT",
        (SeriesFacts(f"{uid}.1", 3, "ART", "CT", "arterial", True, 90),),
    )


@pytest.fixture
def setup(qapp, tmp_path: Path):
    store = open_store(tmp_path / "reads.sqlite3")
    create_patient(store, study("1.1", "20260105"), who="dr")
    session = ReadSession(store, "P7", reader="dr")
    reported: list[Exception] = []
    IntentCommand.error_sink = reported.append
    yield store, session, QUndoStack(), reported
    IntentCommand.error_sink = None
    store.close()


def labels(store, session: ReadSession) -> tuple[list[str], list[str]]:
    stored = [tp.label for tp in store.load("P7").timepoints]
    return [tp.label for tp in session.read.timepoints], stored


def test_undo_and_redo_of_a_new_baseline_relabel_in_step(setup) -> None:
    store, session, stack, _ = setup
    push(stack, AddStudyCommand(session, study("1.2", "20260302")))
    command = AddStudyCommand(
        session, study("1.0", "20251201"), confirm_new_baseline=True
    )
    assert push(stack, command)
    assert labels(store, session) == (["BL", "FU1", "FU2"],) * 2
    stack.undo()
    assert labels(store, session) == (["BL", "FU1"],) * 2
    stack.redo()
    assert labels(store, session) == (["BL", "FU1", "FU2"],) * 2
    assert session.read.timepoints[0].uid == command.uid
    assert store.deleted("P7") == []  # the redo restored what the undo removed


def test_redo_is_refused_once_a_later_time_point_is_signed(setup) -> None:
    store, session, stack, reported = setup
    push(stack, AddStudyCommand(session, study("1.2", "20260302")))
    push(
        stack,
        AddStudyCommand(session, study("1.0", "20251201"), confirm_new_baseline=True),
    )
    stack.undo()
    fu1 = session.read.timepoints[1]
    session.sign(fu1.uid)
    stack.redo()
    assert "before signed time point(s) FU1" in str(reported[-1])
    assert labels(store, session) == (["BL", "FU1"],) * 2
    assert store.load("P7").timepoints[1].is_signed
    assert dataclasses.replace(session.read.timepoints[1], signed_at="").uid == fu1.uid
