"""The main window, driven as a user would: enter targets, scan, filter, read, stop, export.

Scans here run in-process stand-in families (fakes.py) through the real engine and worker:
no network. The real scans against the lab's servers are in test_lab_scans.py.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from netready.config import load_config_file
from netready.findings import Finding, Status
from netready.gui.config_file import SCAN_FIELDS
from netready.gui.main_window import MainWindow
from netready.gui.models import FINDING_ROLE, FindingColumn, TargetColumn
from netready.gui.preferences import Preferences
from netready.gui.settings_dialog import LAN_INTERFACE_FIELD
from netready.report import ExportFormat
from netready.resources import resources_dir
from netready.store import ScanState, Store

from .fakes import CHECKS, FakeFamily, engine_factory

MakeWindow = Callable[..., MainWindow]
SCAN_TIMEOUT_MS = 20_000


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def scan(qtbot: QtBot, window: MainWindow, text: str) -> list[object]:
    """Type `text` into the targets box, press Scan, wait for the end; the signal's args."""
    window.set_targets_text(text)
    with qtbot.waitSignal(window.scan_finished, timeout=SCAN_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.ui.scanButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.scanning, timeout=5000)
    return finished.args or []


def tree_rows(window: MainWindow) -> list[list[str]]:
    model = window.targets
    return [
        [model.index(row, column).data() for column in TargetColumn]
        for row in range(model.rowCount())
    ]


def test_pasted_targets_are_scanned_and_grouped_by_target(
    qtbot: QtBot, make_window: MakeWindow, database: Path, preferences: Preferences
) -> None:
    window = make_window(engine_factory=engine_factory())
    window.show()
    # When a list is pasted, separated by commas, spaces and lines, and Scan is pressed
    assert scan(qtbot, window, "a.example, bad.example\nhttps://C.Example/page") == [1, False]
    # Then each target has its row with its worst status and a summary per status
    assert tree_rows(window) == [
        ["a.example", "Warning", "1 warning · 1 info · 2 pass"],
        ["bad.example", "Fail", "1 fail · 1 error · 1 warning · 1 info"],
        ["c.example", "Warning", "1 warning · 1 info · 2 pass"],
    ]
    # And one family row under each target
    first = window.targets.index(0, 0)
    assert window.targets.index(0, 0, first).data() == "fake"
    # And the findings table has every finding, the progress says the scan is complete
    assert window.findings.rowCount() == 3 * len(CHECKS)
    assert window.ui.progressBar.value() == window.ui.progressBar.maximum() == 3
    assert window.ui.progressLabel.text().startswith("Scan 1 complete: 3 targets")
    assert window.windowTitle() == "netready — scan 1"
    assert rows(database, "select state from scans") == [("completed",)]
    assert preferences.recent_targets() == ["a.example", "bad.example", "c.example"]
    assert window.ui.scanButton.isEnabled()
    assert not window.ui.stopButton.isEnabled()


def test_bad_targets_are_named_with_their_line_and_nothing_starts(
    make_window: MakeWindow, database: Path
) -> None:
    window = make_window(engine_factory=engine_factory())
    window.set_targets_text("example.org\nexa..mple.org\n198.18.0.5/24")
    assert window.start_scan() is False
    problems = window.ui.targetErrorLabel.text().splitlines()
    assert problems[0].startswith("line 2: 'exa..mple.org' is not a valid target")
    assert problems[1].startswith("line 3: '198.18.0.5/24' is not a valid target")
    assert "did you mean the network 198.18.0.0/24" in problems[1]
    assert not window.ui.targetErrorLabel.isHidden()
    assert window.worker is None
    assert not database.exists() or rows(database, "select count(*) from scans") == [(0,)]
    # an empty box and no family chosen are explained too
    window.set_targets_text("")
    assert window.start_scan() is False
    assert "Enter the domains" in window.ui.targetErrorLabel.text()
    for box in window.family_boxes.values():
        box.setChecked(False)
    window.set_targets_text("example.org")
    assert window.start_scan() is False
    assert window.ui.targetErrorLabel.text() == "Choose at least one family of checks."


def test_a_sweep_above_the_limit_asks_first_naming_the_addresses(
    qtbot: QtBot,
    make_window: MakeWindow,
    config_path: Path,
    database: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config_path.write_text("[scan]\nmax_network_addresses = 16\n")
    window = make_window(engine_factory=engine_factory())
    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton) -> Callable[..., QMessageBox.StandardButton]:
        def question(_parent: QWidget, title: str, text: str) -> QMessageBox.StandardButton:
            asked.append(f"{title} {text}")
            return reply

        return question

    # a network within the limit needs no question
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    window.set_targets_text("198.18.0.0/28 198.18.1.0/24 198.18.2.0/25")
    assert window.start_scan() is False  # declined
    assert asked == [
        "Sweep 384 addresses? This scan sweeps 384 addresses: 198.18.1.0/24 (256), "
        "198.18.2.0/25 (128). That is more than the largest network you scan without "
        "asking. Sweep them?"
    ]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(window.scan_finished, timeout=SCAN_TIMEOUT_MS):
        assert window.start_scan() is True
    (config,) = rows(database, "select config from scans")[0]
    assert '"max_network_addresses": 256' in str(config)


def test_filters_search_and_the_target_tree_narrow_the_findings(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(engine_factory=engine_factory())
    window.show()
    scan(qtbot, window, "a.example bad.example c.example")
    findings = window.findings
    # status buttons
    window.status_filters[Status.PASS].click()
    window.status_filters[Status.INFO].click()
    assert {f.status for f in findings.visible_findings()} == {
        Status.FAIL,
        Status.ERROR,
        Status.WARNING,
    }
    # search, after the typing pause
    qtbot.keyClicks(window.ui.searchEdit, "BAD.example")
    qtbot.waitUntil(lambda: findings.rowCount() == 3, timeout=2000)
    assert {f.target for f in findings.visible_findings()} == {"bad.example"}
    window.ui.searchEdit.clear()
    qtbot.waitUntil(lambda: findings.rowCount() == 5, timeout=2000)
    # a target chosen in the tree
    tree = window.ui.targetView
    tree.setCurrentIndex(window.targets.index(2, 0))
    assert {f.target for f in findings.visible_findings()} == {"c.example"}
    assert window.ui.scopeLabel.text() == "c.example: 1 of 12 findings shown"
    window.ui.showAllButton.click()
    assert window.ui.scopeLabel.text() == "All targets: 5 of 12 findings shown"
    # the family filter
    window.ui.familyFilter.setCurrentIndex(window.ui.familyFilter.findData("dns"))
    assert findings.rowCount() == 0  # the stand-in family is not dns


def test_the_details_pane_shows_subject_evidence_and_the_verdict(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(engine_factory=engine_factory())
    scan(qtbot, window, "bad.example")
    view = window.ui.findingsView
    view.sortByColumn(FindingColumn.STATUS, Qt.SortOrder.DescendingOrder)
    view.setCurrentIndex(window.findings.index(0, FindingColumn.SUMMARY))
    shown = window.findings.index(0, 0).data(FINDING_ROLE)
    assert shown.status is Status.FAIL
    text = window.ui.detailsView.toPlainText()
    assert "Status: Fail — Insecure or broken: fix it." in text
    assert "Subject: bad.example [198.18.0.80]:443" in text
    assert "fake.encrypted of bad.example is fail" in text
    assert '"check": "fake.encrypted"' in text  # the evidence
    # a new order keeps the same finding selected and shown
    view.sortByColumn(FindingColumn.CHECK, Qt.SortOrder.AscendingOrder)
    assert view.currentIndex().data(FINDING_ROLE) is shown


def test_stop_ends_a_running_scan_at_once_and_keeps_what_finished(
    qtbot: QtBot, make_window: MakeWindow, config_path: Path, database: Path
) -> None:
    config_path.write_text("[scan]\nconcurrency = 4\n")
    window = make_window(engine_factory=engine_factory(FakeFamily(seconds=0.2)))
    window.show()
    window.set_targets_text("\n".join(f"host{i}.example" for i in range(200)))
    assert window.start_scan()
    assert window.ui.stopButton.isEnabled()
    assert not window.ui.scanButton.isEnabled()
    qtbot.waitUntil(lambda: window.ui.progressBar.value() >= 8, timeout=10_000)
    with qtbot.waitSignal(window.scan_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.ui.stopButton, Qt.MouseButton.LeftButton)
        assert window.ui.progressLabel.text() == "Stopping…"
    assert finished.args == [1, True]
    qtbot.waitUntil(lambda: window.ui.scanButton.isEnabled(), timeout=5000)
    done = window.ui.progressBar.value()
    assert window.ui.progressLabel.text().startswith(f"Scan 1 stopped: {done} of 200 targets")
    statuses = [row[1] for row in tree_rows(window)]
    assert statuses.count("Warning") == done
    assert "Not finished" in statuses
    finished_in_db = rows(database, "select count(*) from scan_targets where finished_at not null")
    assert finished_in_db == [(done,)]
    assert rows(database, "select state from scans") == [("cancelled",)]


def test_closing_the_window_mid_scan_saves_the_scan_as_stopped(
    qtbot: QtBot, make_window: MakeWindow, database: Path
) -> None:
    window = make_window(engine_factory=engine_factory(FakeFamily(seconds=0.5)))
    window.set_targets_text("\n".join(f"host{i}.example" for i in range(100)))
    with qtbot.waitSignal(window.ui.progressBar.valueChanged, timeout=10_000):
        window.start_scan()
    window.close()
    assert window.worker is None or not window.worker.isRunning()
    assert rows(database, "select state from scans") == [("cancelled",)]


def test_keyboard_only_scan(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window(engine_factory=engine_factory())
    with qtbot.waitActive(window):  # shortcuts reach only the active window
        window.show()
        window.activateWindow()
    window.ui.targetsEdit.setFocus()
    qtbot.keyClicks(window.ui.targetsEdit, "a.example")
    with qtbot.waitSignal(window.scan_finished, timeout=SCAN_TIMEOUT_MS):
        qtbot.keyClick(window.ui.targetsEdit, Qt.Key.Key_F5)
    assert window.findings.rowCount() == len(CHECKS)


def test_import_a_file_and_add_recent_targets(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path, preferences: Preferences
) -> None:
    window = make_window(engine_factory=engine_factory())
    targets_file = tmp_path / "targets.txt"
    targets_file.write_text("# office\nexample.org\nwww.example.org  # the shop\n")
    window.set_targets_text("first.example")
    assert window.import_targets_file(targets_file)
    assert window.targets_text() == "first.example\nexample.org\nwww.example.org\n"
    assert not window.import_targets_file(tmp_path / "missing.txt")
    assert "cannot read the file" in window.ui.targetErrorLabel.text()
    preferences.remember_targets(["old.example", "older.example"])
    menu = window.ui.recentButton.menu()
    menu.aboutToShow.emit()
    labels = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert labels == ["old.example", "older.example", "Add all", "Clear recent targets"]
    window.set_targets_text("")
    menu.actions()[0].trigger()
    assert window.targets_text() == "old.example\n"


def test_history_opens_a_scan_and_compares_two(
    qtbot: QtBot, make_window: MakeWindow, database: Path
) -> None:
    # Given two saved scans of the same targets: the second fixed one thing, broke another
    with Store(database) as store:
        for statuses in ((Status.FAIL, Status.PASS), (Status.PASS, Status.ERROR)):
            scan_id = store.create_scan(
                targets=[("a.example", "domain"), ("b.example", "domain")],
                families=None,
                config={},
            )
            store.record(
                scan_id,
                findings=[
                    _finding("a.example", "https.hsts", statuses[0]),
                    _finding("b.example", "dns.resolve", statuses[1]),
                ],
                finished_targets=["a.example", "b.example"],
            )
            store.finish_scan(scan_id, state=ScanState.COMPLETED)
    window = make_window(engine_factory=engine_factory())
    # When the history lists them and both are compared
    dialog = window.history_dialog()
    qtbot.addWidget(dialog)
    assert dialog.scans.rowCount() == 2
    dialog.select_scans(1, 2)
    assert dialog.ui.compareButton.isEnabled()
    assert not dialog.ui.openButton.isEnabled()
    dialog.ui.compareButton.click()
    # Then what got better and what got worse is listed
    changes = [
        (dialog.changes.index(row, 0).data(), dialog.changes.index(row, 1).data())
        for row in range(dialog.changes.rowCount())
    ]
    assert changes == [("Worse", "b.example"), ("Better", "a.example")]
    assert dialog.ui.comparisonSummary.text() == ("1 worse, 0 new, 0 gone, 1 better, 0 unchanged")
    assert dialog.ui.comparisonBox.title() == "Comparison: scan 1 → scan 2"
    # And one scan opens in the main window
    dialog.select_scans(1)
    dialog.scan_opened.connect(window.open_scan)
    with qtbot.waitSignal(window.scan_loaded, timeout=5000):
        dialog.ui.openButton.click()
    assert tree_rows(window) == [
        ["a.example", "Fail", "1 fail"],
        ["b.example", "Pass", "1 pass"],
    ]
    assert window.windowTitle().startswith("netready — scan 1 of ")


def _finding(target: str, check: str, status: Status) -> Finding:
    return Finding(target, target, check, status, f"{check}: {status.value}", {"seen": True})


def test_export_writes_every_finding_as_csv(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window(engine_factory=engine_factory())
    assert not window.ui.actionExportCsv.isEnabled()  # nothing to export yet
    scan(qtbot, window, "a.example bad.example")
    assert window.ui.actionExportCsv.isEnabled()
    window.status_filters[Status.PASS].click()  # the filter does not narrow the export
    path = tmp_path / "findings.csv"
    exporter = window.export(ExportFormat.CSV, path)
    with qtbot.waitSignal(exporter.export_finished, timeout=5000) as written:
        pass
    assert written.args == [str(path)]
    with path.open(newline="", encoding="utf-8-sig") as stream:
        records = list(csv.DictReader(stream))
    assert len(records) == 2 * len(CHECKS)
    assert {"target", "subject", "check_id", "status", "summary"} <= records[0].keys()
    assert {record["target"] for record in records} == {"a.example", "bad.example"}
    # the menu offers every report format
    menu = window.ui.menuExport
    menu.aboutToShow.emit()
    assert [action.text() for action in menu.actions()] == [
        "&CSV, one row per finding…",
        "&Summary CSV, one row per target…",
        "&HTML report…",
        "&PDF report…",
        "&JSON…",
    ]
    # the PDF is laid out on the GUI thread, once the event loop runs again
    pdf = tmp_path / "report.pdf"
    exporter = window.export(ExportFormat.PDF, pdf)
    with qtbot.waitSignal(exporter.export_finished, timeout=10_000):
        pass
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_settings_are_saved_in_the_scan_table_the_cli_reads(
    qtbot: QtBot, make_window: MakeWindow, config_path: Path, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    window = make_window(engine_factory=engine_factory())
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    ui = dialog.ui
    assert ui.timeoutSpin.value() == 10.0  # the defaults, with no config file yet
    ui.resolversEdit.setText("198.18.0.53, 2001:db8::53")
    ui.caFileEdit.setText(str(ca_file))
    ui.timeoutSpin.setValue(2.5)
    ui.concurrencySpin.setValue(16)
    ui.maxNetworkSpin.setValue(256)
    ui.lanInterfaceCombo.setCurrentText("eth1")
    ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    expected = {
        "ca_file": str(ca_file),
        "concurrency": 16,
        "max_network_addresses": 256,
        "resolvers": ["198.18.0.53", "2001:db8::53"],
        "timeout": 2.5,
    }
    if LAN_INTERFACE_FIELD in SCAN_FIELDS:  # the scan configuration has the field: [scan]
        expected[LAN_INTERFACE_FIELD] = "eth1"
    else:  # not yet: the app's preferences
        assert window.preferences.lan_interface() == "eth1"
    assert load_config_file(config_path) == expected
    # reopened, it shows what was saved; a bad value is refused and the dialog stays
    again = window.settings_dialog()
    qtbot.addWidget(again)
    assert again.ui.resolversEdit.text() == "198.18.0.53 2001:db8::53"
    assert again.ui.lanInterfaceCombo.currentText() == "eth1"
    again.show()
    again.ui.resolversEdit.setText("resolver.example")
    again.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "not an IP address" in again.ui.errorLabel.text()
    assert again.isVisible()
    assert load_config_file(config_path)["resolvers"] == ["198.18.0.53", "2001:db8::53"]
    again.ui.buttonBox.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert again.ui.resolversEdit.text() == ""
    assert again.ui.concurrencySpin.value() == 64


def test_standard_shortcuts_and_accessible_names(make_window: MakeWindow) -> None:
    window = make_window(engine_factory=engine_factory())
    ui = window.ui
    shortcuts = {
        action.objectName(): [sequence.toString() for sequence in action.shortcuts()][:2]
        for action in (
            ui.actionScan,
            ui.actionStop,
            ui.actionImport,
            ui.actionExportCsv,
            ui.actionHistory,
            ui.actionFocusSearch,
            ui.actionQuit,
        )
    }
    assert shortcuts == {
        "actionScan": ["F5", "Ctrl+Return"],
        "actionStop": ["Esc"],
        "actionImport": ["Ctrl+O", "Open"],  # Qt adds the Open key of some keyboards
        "actionExportCsv": ["Ctrl+E"],
        "actionHistory": ["Ctrl+H"],
        "actionFocusSearch": ["Ctrl+F", "Find"],
        "actionQuit": ["Ctrl+Q"],
    }
    assert window.status_filters[Status.FAIL].shortcut().toString() == "Ctrl+1"
    # every control a keyboard or a screen reader reaches has a name to announce
    controls = (
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QAbstractItemView,
        QPlainTextEdit,
        QTextBrowser,
    )
    unnamed = [
        widget.objectName()
        for widget in window.findChildren(QWidget)
        if isinstance(widget, controls)
        and widget.window() is window  # not the list inside a combo box's popup
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not (widget.accessibleName() or _visible_text(widget) or _labelled(window, widget))
    ]
    assert unnamed == []


def _visible_text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, QAbstractButton) else ""


def _labelled(window: MainWindow, widget: QWidget) -> bool:
    return any(label.buddy() is widget for label in window.findChildren(QLabel))


def test_the_tree_selection_survives_new_findings(qtbot: QtBot, make_window: MakeWindow) -> None:
    window = make_window(engine_factory=engine_factory())
    scan(qtbot, window, "a.example b.example")
    tree = window.ui.targetView
    tree.selectionModel().setCurrentIndex(
        window.targets.index(1, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    tree.sortByColumn(TargetColumn.NAME, Qt.SortOrder.DescendingOrder)
    assert tree.currentIndex().row() == 0
    assert window.findings.filter.target == "b.example"


def test_the_local_network_family_scans_the_configured_interface(
    qtbot: QtBot, make_window: MakeWindow, config_path: Path, database: Path
) -> None:
    # the stand-in family runs instead of the LAN probes: nothing is sent
    window = make_window(engine_factory=engine_factory())
    for name, box in window.family_boxes.items():
        box.setChecked(name == "lan")
    config_path.write_text('[scan]\nlan_interface = "no-such-interface0"\n')
    assert window.start_scan() is False
    assert "no interface named no-such-interface0" in window.ui.targetErrorLabel.text()
    config_path.write_text('[scan]\nlan_interface = "lo"\n')
    window.set_targets_text("")  # the interface is the target; nothing else is needed
    with qtbot.waitSignal(window.scan_finished, timeout=SCAN_TIMEOUT_MS):
        assert window.start_scan() is True
    assert rows(database, "select target, kind from scan_targets") == [("lan:lo", "interface")]


def test_the_workshop_sample_opens_from_the_menu_as_a_copy(
    qtbot: QtBot, make_window: MakeWindow, database: Path
) -> None:
    shipped = resources_dir() / "sample" / "workshop.db"
    shipped_bytes = shipped.read_bytes()
    window = make_window(engine_factory=engine_factory())
    assert not window.ui.actionOwnResults.isEnabled()
    # When the trainer opens the sample from the File menu
    with qtbot.waitSignal(window.scan_loaded, timeout=10_000):
        window.ui.actionOpenSample.trigger()
    # Then its largest scan is shown, from a copy beside the user's own database
    assert window.database == database.parent / "workshop-sample.db"
    assert window.database.exists()
    assert window.findings.finding_count > 100
    assert {row[0] for row in tree_rows(window)} >= {"dual.web.test", "badcert.web.test"}
    assert shipped.read_bytes() == shipped_bytes  # the shipped file is never written
    # And "Back to my results" returns to the user's own, empty, database
    assert window.ui.actionOwnResults.isEnabled()
    window.ui.actionOwnResults.trigger()
    assert window.database == database
    assert window.findings.finding_count == 0
    assert tree_rows(window) == []
    assert not window.ui.actionOwnResults.isEnabled()
    assert window.windowTitle() == "netready"


def test_a_file_that_is_not_a_results_database_is_refused_and_nothing_changes(
    qtbot: QtBot, make_window: MakeWindow, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    not_a_database = database.parent / "notes.db"
    not_a_database.write_text("these are my notes, not SQLite\n" * 100)
    window = make_window(engine_factory=engine_factory())
    assert not window.open_database(not_a_database)
    assert window.database == database
    assert len(warnings) == 1
    assert "notes.db" in warnings[0]
    assert not_a_database.read_text().startswith("these are my notes")


def test_a_new_window_lists_the_worst_findings_first(make_window: MakeWindow) -> None:
    window = make_window(engine_factory=engine_factory())
    window.findings.add_findings(
        [
            _finding("a.example", "dns.resolve", Status.PASS),
            _finding("a.example", "https.hsts", Status.FAIL),
            _finding("b.example", "https.headers", Status.WARNING),
            _finding("b.example", "dns.resolve", Status.ERROR),
        ]
    )
    shown = [
        window.findings.index(row, FindingColumn.STATUS).data()
        for row in range(window.findings.rowCount())
    ]
    assert shown == ["Fail", "Error", "Warning", "Pass"]


def test_an_export_waits_for_the_event_loop_so_its_signals_cannot_be_missed(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    # Given an export so small that a thread would finish it at once
    window = make_window(engine_factory=engine_factory())
    path = tmp_path / "empty.csv"
    exporter = window.export(ExportFormat.CSV, path)
    # When the caller is slow to start listening (here: 0.3 s before it waits)
    time.sleep(0.3)
    assert not path.exists()  # nothing ran yet: the export starts with the event loop
    # Then it still hears the export finish
    with qtbot.waitSignal(exporter.export_finished, timeout=5000) as written:
        pass
    assert written.args == [str(path)]
