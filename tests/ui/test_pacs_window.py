"""File > PACS in the window, against a real Orthanc on 127.0.0.1.

Find the shared liver CT's study, retrieve it (DICOMweb and DIMSE): the first
image is shown while the rest arrives, then the study is indexed and shown like
an opened folder, its files bit-identical (DICOMweb). Cancel keeps what came.
A refused association is said in the dialog. The demo's report (the time
point's SR and the PDF as Encapsulated PDF) is sent and found on the PACS.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.integration.pacs.pacsbuild import Pacs, load_liver, orthanc, upload
from tests.ui.readflow import LIVER, ScriptedPrompts, follow_up_copy

from respond.app import pdf_report, sr_report
from respond.demo import prepare_demo
from respond.pacs import StudyQuery, add_node, connect
from respond.store import open_store
from respond.ui.main_window import MainWindow
from respond.ui.pacs_action import open_pacs_dialog, send_reports
from respond.ui.pacs_dialog import PacsDialog, parse_date

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.integration.pacs.pacsbuild import Liver

WAIT_MS = 60000


@pytest.fixture(scope="module")
def liver() -> Liver:
    return load_liver()


@pytest.fixture(scope="module")
def pacs(tmp_path_factory: pytest.TempPathFactory, liver: Liver) -> Iterator[Pacs]:
    with orthanc(tmp_path_factory.mktemp("orthanc")) as running:
        upload(running.server, list(liver.files.values()))
        yield running


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pacs.json and the image cache in tmp_path; returns the cache."""
    monkeypatch.setenv("RESPOND_PACS_CONFIG", str(tmp_path / "pacs.json"))
    monkeypatch.setenv("RESPOND_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    with open_store(tmp_path / "reads.sqlite3") as store:
        window = MainWindow(store, reader="Dr P. Acs (radiologist)")
        window.prompts = ScriptedPrompts(window)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        yield window
        window.close()


def _find(qtbot, dialog: PacsDialog, patient_id: str) -> None:
    dialog.patient_id.setText(patient_id)
    dialog.search()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT_MS)


def _retrieve(qtbot, dialog: PacsDialog, row: int) -> tuple[Path, Any]:
    dialog.table.selectRow(row)
    with qtbot.waitSignal(dialog.retrieved, timeout=WAIT_MS) as done:
        assert dialog.retrieve() is not None
        assert not dialog.retrieve_button.isEnabled()
        assert dialog.cancel_button.isEnabled()
    return done.args[0], done.args[1]


@pytest.mark.parametrize("kind", ["dicomweb", "dimse"])
def test_a_patient_is_read_from_the_pacs_baseline_then_follow_up(
    qtbot,
    window: MainWindow,
    pacs: Pacs,
    liver: Liver,
    env: Path,
    kind: str,
    tmp_path: Path,
) -> None:
    """Retrieve -> new patient; a follow-up arrives on the PACS -> its time point."""
    add_node(pacs.web() if kind == "dicomweb" else pacs.dimse())
    dialog = open_pacs_dialog(window)
    assert dialog.node_box.count() == 1
    _find(qtbot, dialog, liver.patient_id)
    rows = {dialog.table.item(r, 3).text(): r for r in range(dialog.table.rowCount())}
    assert "2001-08-12" in rows, dialog.status.text()
    assert dialog.table.item(rows["2001-08-12"], 0).text() == liver.patient_id
    first: list[Path] = []
    dialog.first_image.connect(first.append)
    prompts = window.prompts
    assert isinstance(prompts, ScriptedPrompts)
    prompts.studies.append(lambda scan: _the_study(scan, liver.study_uid))
    folder, result = _retrieve(qtbot, dialog, rows["2001-08-12"])
    # The first image was shown in the dialog while the rest arrived.
    assert len(first) == 1
    assert first[0].parent.parent == folder
    assert not dialog.preview.pixmap().isNull()
    assert len(result.files) == len(liver.files) == 89
    assert "89 images retrieved into the image cache" in dialog.status.text()
    # No patient was open: the study became one (the intake asked which study).
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    session = window.session
    assert session is not None
    assert session.read.patient.id == liver.patient_id
    assert [tp.study_uid for tp in session.read.timepoints] == [liver.study_uid]
    qtbot.waitUntil(
        lambda: (
            window.loader.series is not None
            and window.loader.series.image_count == 89
            and not window.loader.loading
        ),
        timeout=WAIT_MS,
    )
    assert [i.path for i in window.store.study_images(liver.study_uid)]
    if kind == "dicomweb":
        for path in result.files:
            assert path.read_bytes() == liver.files[path.stem].read_bytes(), path.name
    # The follow-up reaches the PACS; "this patient's studies" finds it.
    follow_up = follow_up_copy(LIVER, tmp_path / "fu", days=56)
    upload(pacs.server, sorted(follow_up.rglob("*.dcm")))
    actions = {a.text(): a for a in window.pacs_menu.actions()}
    actions["Find this patient's studies on the PACS"].trigger()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT_MS)
    rows = {dialog.table.item(r, 3).text(): r for r in range(dialog.table.rowCount())}
    assert dialog.table.item(rows["2001-08-12"], 8).text() == "BL"
    assert dialog.table.item(rows["2001-10-07"], 8).text() == ""
    prompts.studies.append(None)
    _retrieve(qtbot, dialog, rows["2001-10-07"])
    qtbot.waitUntil(lambda: len(session.read.timepoints) == 2, timeout=WAIT_MS)
    assert session.read.timepoints[1].label == "FU1"
    assert window.current_uid == session.read.timepoints[1].uid
    assert dialog.table.item(rows["2001-10-07"], 8).text() == "FU1"


def _the_study(scan: Any, study_uid: str) -> Any:
    for patient in scan.patients:
        for study in patient.studies:
            if study.uid == study_uid:
                return patient, study, None
    raise AssertionError(f"study {study_uid} not in the retrieved folder")


class _CancelAfterFirst:
    """A client whose retrieve is cancelled (as by the button) after one file."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.node = client.node

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def retrieve_study(self, study_uid: str, dest: Path, **options: Any) -> Any:
        progress, cancel = options["progress"], options["cancel"]

        def step(done: Any) -> None:
            progress(done)
            cancel.set()

        return self.client.retrieve_study(study_uid, dest, progress=step, cancel=cancel)


def _cancelled_after_the_first(node: Any) -> Any:
    return _CancelAfterFirst(connect(node))


def test_cancel_keeps_what_came_and_says_so(
    qtbot, window: MainWindow, pacs: Pacs, liver: Liver, env: Path
) -> None:
    dialog = PacsDialog(
        [pacs.web()], connector=_cancelled_after_the_first, cache=env, parent=window
    )
    _find(qtbot, dialog, liver.patient_id)
    dialog.table.selectRow(0)
    assert dialog.retrieve() is not None
    qtbot.waitUntil(lambda: dialog.retrieve_worker is None, timeout=WAIT_MS)
    assert "Retrieve cancelled" in dialog.status.text()
    assert dialog.retrieve_worker is None
    kept = list(env.rglob("*.dcm"))
    assert 1 <= len(kept) < 89
    assert not [p for p in env.rglob("*") if p.is_file() and p.suffix != ".dcm"]
    assert dialog.retrieve_button.isEnabled()  # the row is still selected


def test_a_refused_association_is_said_in_the_dialog(
    qtbot, window: MainWindow, pacs: Pacs, liver: Liver, env: Path
) -> None:
    add_node(pacs.dimse(called_aet="WRONG"))
    dialog = open_pacs_dialog(window)
    _find(qtbot, dialog, liver.patient_id)
    assert dialog.table.rowCount() == 0
    text = dialog.status.text()
    assert "WRONG" in text
    assert "rejected" in text
    assert "Traceback" not in text
    assert dialog.find_button.isEnabled()


def test_without_a_node_the_dialog_says_how_to_add_one(
    qtbot, window: MainWindow, env: Path
) -> None:
    dialog = open_pacs_dialog(window)
    assert "respond pacs add" in dialog.status.text()
    assert not dialog.find_button.isEnabled()
    assert open_pacs_dialog(window) is dialog  # one per window


def test_a_bad_date_names_the_field(qtbot, window: MainWindow, env: Path) -> None:
    with pytest.raises(ValueError, match="Study date from: '2024-13-01'"):
        parse_date("2024-13-01", "Study date from")
    assert parse_date("20240301", "x") == parse_date("2024-03-01", "x")
    dialog = PacsDialog([], parent=window)
    dialog.date_from.setText("yesterday")
    assert dialog.search() is None
    assert "YYYY-MM-DD" in dialog.status.text()


def test_the_open_patients_studies_are_marked_as_time_points(
    qtbot, pacs: Pacs, liver: Liver, env: Path, tmp_path: Path
) -> None:
    setup = prepare_demo(tmp_path / "demo")
    add_node(pacs.web())
    # the demo's images on the PACS too
    upload(pacs.server, sorted(setup.dicom_root.rglob("*.dcm")))
    with open_store(setup.database) as store:
        window = MainWindow(store, reader="Dr P. Acs (radiologist)")
        qtbot.addWidget(window)
        window.show()
        window.open_patient(setup.patient_id)
        action = {a.text(): a for a in window.pacs_menu.actions()}
        action["Find this patient's studies on the PACS"].trigger()
        dialog = window.pacs_dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT_MS)
        labels = [
            dialog.table.item(r, 8).text() for r in range(dialog.table.rowCount())
        ]
        assert sorted(labels) == ["BL", "FU1", "FU2"]
        window.close()


def test_the_time_points_report_is_sent_and_found(
    qtbot, pacs: Pacs, env: Path, tmp_path: Path
) -> None:
    setup = prepare_demo(tmp_path / "demo")
    node = pacs.web()
    with open_store(setup.database) as store:
        window = MainWindow(store, reader="Dr P. Acs (radiologist)")
        window.pdf_export, window.sr_export = pdf_report, sr_report
        qtbot.addWidget(window)
        window.show()
        window.open_patient(setup.patient_id)
        window.open_folder(setup.dicom_root)  # the reader's images, indexed
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=WAIT_MS)
        read = window.session.read  # type: ignore[union-attr]
        fu1 = read.timepoints[1]
        window.set_timepoint(fu1.uid)
        worker = send_reports(window, node)
        assert worker is not None
        qtbot.waitUntil(
            lambda: "Sent to" in window.statusBar().currentMessage(), timeout=WAIT_MS
        )
        assert "2 file(s)" in window.statusBar().currentMessage()
        window.close()
    client = connect(node)
    series = client.find_series(fu1.study_uid)
    assert {"SR", "DOC"} <= {s.modality for s in series}
    hits = client.find_studies(StudyQuery(patient_id=setup.patient_id))
    assert fu1.study_uid in {h.study_uid for h in hits}
