"""The desktop app against real servers: run INSIDE a lab's client namespace only.

This file is not collected by a normal run (its name does not start with `test_`): the lab
tests in test_lab_scans.py start `pytest tests/gui/lab_scenarios.py -k ...` inside the lab's
client network namespace, so the whole app - window, worker thread, engine - runs exactly as
a user starts it, and every packet it sends leaves from the lab client, never from the
machine's own namespace. The lab's resolver and CA file arrive in NETREADY_GUI_LAB (JSON).
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from netready.findings import Status
from netready.gui.compare import Change
from netready.gui.config_file import write_scan_settings
from netready.gui.main_window import MainWindow
from netready.gui.models import FINDING_ROLE, FindingColumn, TargetColumn
from netready.report import ExportFormat

MakeWindow = Callable[..., MainWindow]
SCAN_TIMEOUT_MS = 120_000


@pytest.fixture
def lab() -> dict[str, Any]:
    settings = os.environ.get("NETREADY_GUI_LAB")
    if not settings:
        pytest.fail("run these through tests/gui/test_lab_scans.py (inside a lab client)")
    result: dict[str, Any] = json.loads(settings)
    return result


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def choose_families(window: MainWindow, *names: str) -> None:
    for name, box in window.family_boxes.items():
        box.setChecked(name in names)


def scan(qtbot: QtBot, window: MainWindow, text: str) -> list[Any]:
    window.set_targets_text(text)
    with qtbot.waitSignal(window.scan_finished, timeout=SCAN_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.ui.scanButton, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.scanning, timeout=10_000)
    return finished.args or []


def tree_statuses(window: MainWindow) -> dict[str, str]:
    model = window.targets
    return {
        model.index(row, TargetColumn.NAME).data(): model.index(row, TargetColumn.STATUS).data()
        for row in range(model.rowCount())
    }


def family_statuses(window: MainWindow, target: str) -> dict[str, str]:
    model = window.targets
    parent = model.index_of(target)
    return {
        model.index(row, TargetColumn.NAME, parent).data(): model.index(
            row, TargetColumn.STATUS, parent
        ).data()
        for row in range(model.rowCount(parent))
    }


def test_web_lab_scan_shows_each_target_its_findings_and_their_details(
    qtbot: QtBot,
    make_window: MakeWindow,
    lab: dict[str, Any],
    config_path: Path,
    database: Path,
    tmp_path: Path,
) -> None:
    # Given the app pointed at the lab's resolver and CA, as a user does in Settings
    write_scan_settings(
        config_path, {"resolvers": [lab["resolver"]], "ca_file": lab["ca_file"], "timeout": 3}
    )
    window = make_window()
    window.show()
    choose_families(window, "dns", "https", "ipv6")
    # When four of the lab's sites are scanned
    assert scan(qtbot, window, "dual.web.test nohsts.web.test\nbadcert.web.test, deadv6.web.test")
    # Then each target shows its worst status
    assert tree_statuses(window) == dict.fromkeys(
        ["dual.web.test", "nohsts.web.test", "badcert.web.test", "deadv6.web.test"], "Fail"
    )
    # And each family its own: dual.web.test's site is fine, but only one of the zone's two
    # name servers has an IPv6 address (ipv6.ns.aaaa); nohsts.web.test's site is not
    assert family_statuses(window, "dual.web.test") == {
        "DNS": "Pass",
        "HTTPS": "Pass",
        "IPv6": "Fail",
    }
    assert family_statuses(window, "nohsts.web.test")["HTTPS"] == "Fail"
    # And the filters find the failed HTTPS checks: no redirect and no HSTS (two names, two
    # address families each), and the bad certificate
    for status, button in window.status_filters.items():
        button.setChecked(status is Status.FAIL)
    window.ui.familyFilter.setCurrentIndex(window.ui.familyFilter.findData("https"))
    failed = {(f.target, f.check_id) for f in window.findings.visible_findings()}
    assert failed == {
        ("nohsts.web.test", "https.redirect"),
        ("nohsts.web.test", "https.hsts"),
        ("badcert.web.test", "https.available"),
    }
    assert window.findings.rowCount() == 12
    # And the details pane shows what was tested and why it failed
    window.ui.searchEdit.setText("www.badcert.web.test [2001:db8:1::80]")
    qtbot.waitUntil(lambda: window.findings.rowCount() == 1, timeout=2000)
    window.ui.findingsView.setCurrentIndex(window.findings.index(0, FindingColumn.SUMMARY))
    shown = window.ui.findingsView.currentIndex().data(FINDING_ROLE)
    details = window.ui.detailsView.toPlainText()
    assert "Subject: www.badcert.web.test [2001:db8:1::80]:443" in details
    assert shown.summary.split(":")[0] in details
    assert "certificate" in details.lower()
    # And the database holds every finding shown, and the scan is complete
    assert rows(database, "select count(*) from findings") == [(window.findings.finding_count,)]
    assert rows(database, "select state from scans") == [("completed",)]
    # And the CSV export has every finding, whatever the filter
    path = tmp_path / "scan.csv"
    exporter = window.export(ExportFormat.CSV, path)
    with qtbot.waitSignal(exporter.export_finished, timeout=10_000):
        pass
    with path.open(newline="", encoding="utf-8-sig") as stream:
        assert len(list(csv.DictReader(stream))) == window.findings.finding_count


def test_history_compares_a_scan_before_and_after_a_fix(
    qtbot: QtBot, make_window: MakeWindow, lab: dict[str, Any], config_path: Path
) -> None:
    # Given a scan made before the lab's CA was trusted (every certificate fails)
    write_scan_settings(config_path, {"resolvers": [lab["resolver"]], "timeout": 3})
    window = make_window()
    choose_families(window, "https")
    scan(qtbot, window, "dual.web.test")
    assert tree_statuses(window) == {"dual.web.test": "Fail"}
    # And one after (the fix: the internal CA is configured)
    write_scan_settings(config_path, {"ca_file": lab["ca_file"]})
    scan(qtbot, window, "dual.web.test")
    assert tree_statuses(window) == {"dual.web.test": "Pass"}
    # When the two are compared in the history
    dialog = window.history_dialog()
    qtbot.addWidget(dialog)
    dialog.select_scans(1, 2)
    dialog.ui.compareButton.click()
    # Then the certificate checks got better, and the redirects stayed as they were
    comparison = dialog.comparison
    assert comparison is not None
    better = {
        (row.check_id, row.before, row.after)
        for row in comparison.rows
        if row.change is Change.BETTER
    }
    assert better == {
        ("https.available", Status.FAIL, Status.PASS),
        ("https.hsts", Status.ERROR, Status.PASS),
        ("https.headers", Status.ERROR, Status.PASS),
    }
    same = {row.check_id for row in comparison.rows if row.change is Change.SAME}
    assert same == {"https.redirect"}
    assert comparison.count(Change.WORSE) == 0
    assert dialog.changes.rowCount() == 12  # 3 checks x 2 names x 2 address families
    # And the older scan can be opened again
    dialog.select_scans(1)
    dialog.scan_opened.connect(window.open_scan)
    with qtbot.waitSignal(window.scan_loaded, timeout=10_000):
        dialog.ui.openButton.click()
    assert tree_statuses(window) == {"dual.web.test": "Fail"}


def test_stop_a_real_scan_mid_way(
    qtbot: QtBot, make_window: MakeWindow, lab: dict[str, Any], config_path: Path, database: Path
) -> None:
    # Given a long scan: 1500 names resolved one at a time
    write_scan_settings(
        config_path, {"resolvers": [lab["resolver"]], "timeout": 1, "concurrency": 1}
    )
    window = make_window()
    window.show()
    choose_families(window, "dns")
    window.set_targets_text("\n".join(f"host{i}.bulk.example.test" for i in range(1500)))
    assert window.start_scan()
    qtbot.waitUntil(lambda: window.ui.progressBar.value() >= 20, timeout=60_000)
    # When Stop is pressed
    with qtbot.waitSignal(window.scan_finished, timeout=5000) as finished:
        stopped_at = time.monotonic()
        qtbot.mouseClick(window.ui.stopButton, Qt.MouseButton.LeftButton)
    took = time.monotonic() - stopped_at
    qtbot.waitUntil(lambda: not window.scanning, timeout=5000)
    # Then the scan ends at once, saved as cancelled, with what it finished complete
    assert finished.args == [1, True]
    assert took < 2, f"stopping took {took:.2f} s"
    done = window.ui.progressBar.value()
    assert 20 <= done < 1500
    assert rows(database, "select state from scans") == [("cancelled",)]
    saved = rows(
        database,
        "select t.target, count(f.id) from scan_targets t left join findings f "
        "on f.scan_id = t.scan_id and f.target = t.target "
        "where t.finished_at is not null group by t.target",
    )
    assert len(saved) == done
    assert {count for _target, count in saved} == {1}  # dns.resolve, once per name
    statuses = tree_statuses(window)
    assert sum(status == "Pass" for status in statuses.values()) == done
    assert "Not finished" in statuses.values()
