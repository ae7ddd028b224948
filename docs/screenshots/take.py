"""Take the README's screenshots of the desktop app, scanning the web lab for real.

    Xvfb :99 -screen 0 1600x1000x24 &  XVFB=$!
    sudo env DISPLAY=:99 .venv/bin/python -m docs.screenshots.take
    kill $XVFB

Builds the web lab (tests/lab, its own network namespaces), then runs the app inside the lab's
client namespace on the X server in DISPLAY (the xcb platform, as on a desktop; Xvfb's
socket is a file, reachable from any network namespace), scans lab sites and saves:

    01-targets.png    targets entered, families chosen
    02-scanning.png   a scan in progress: queued, scanning and finished targets
    03-results.png    the results: a target's families, a failed check with its advice
    04-history.png    the history comparing a scan before and after a fix
    05-settings.png   the settings dialog
    06-dark.png       the results in the dark scheme
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent
SITES = (
    "dual.web.test nohsts.web.test shorthsts.web.test badredirect.web.test\n"
    "badcert.web.test deadv6.web.test v4only.web.test split.web.test"
)
FAMILIES = ("dns", "https")  # the lab's zones are unsigned and share a v4-only name server
WINDOW_SIZE = (1440, 900)


def _scratch_dir() -> Path:
    """A temporary directory, removed when this process exits."""
    path = Path(tempfile.mkdtemp(prefix="netready-shots-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def inner(settings: dict[str, Any]) -> None:
    """Inside the lab client: drive the app and save each state."""
    from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from netready.findings import Status
    from netready.gui.app import apply_style
    from netready.gui.config_file import write_scan_settings
    from netready.gui.main_window import MainWindow
    from netready.gui.models import FindingColumn
    from netready.gui.preferences import Preferences
    from netready.gui.presentation import icon
    from netready.gui.qt_compat import protect_singletons

    protect_singletons()
    app = QApplication(["netready"])
    app.setApplicationName("netready")
    apply_style(app, "light")
    app.setWindowIcon(icon("netready"))
    home = _scratch_dir()
    config = home / "config.toml"
    preferences = Preferences(QSettings(str(home / "p.ini"), QSettings.Format.IniFormat))

    def wait(milliseconds: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(milliseconds, loop.quit)
        loop.exec()

    def until(condition: Any, limit_s: float = 120) -> None:
        for _ in range(int(limit_s * 20)):
            if condition():
                return
            wait(50)
        raise TimeoutError("the app did not get there in time")

    def save(widget: QWidget, name: str) -> None:
        wait(300)
        widget.grab().save(str(OUTPUT / name))
        print(f"saved {name}", flush=True)

    def scan(window: MainWindow) -> None:
        finished: list[bool] = []
        window.scan_finished.connect(lambda _scan_id, cancelled: finished.append(cancelled))
        assert window.start_scan(), window.ui.targetErrorLabel.text()
        until(lambda: bool(finished) and not window.scanning)

    # scan 1: before the fix - the internal CA is not trusted yet
    write_scan_settings(config, {"resolvers": [settings["resolver"]], "timeout": 3})
    window = MainWindow(database=home / "results.db", config_path=config, preferences=preferences)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.populate_families()
    for name, box in window.family_boxes.items():
        box.setChecked(name in FAMILIES)
    window.set_targets_text("dual.web.test nohsts.web.test")
    scan(window)
    window.close()
    # scan 2, the one shown: the CA configured, a few targets at a time, in a new window
    write_scan_settings(config, {"ca_file": settings["ca_file"], "concurrency": 3})
    window = MainWindow(database=home / "results.db", config_path=config, preferences=preferences)
    window.resize(*WINDOW_SIZE)
    window.show()
    window.populate_families()
    window.set_targets_text(SITES)
    save(window, "01-targets.png")
    finished: list[bool] = []
    window.scan_finished.connect(lambda _scan_id, cancelled: finished.append(cancelled))
    assert window.start_scan()
    until(lambda: 3 <= window.ui.progressBar.value() < 8 and window.findings.finding_count > 60)
    save(window, "02-scanning.png")
    until(lambda: bool(finished) and not window.scanning, limit_s=300)
    # the results: a target's families, and its failed HSTS check with the advice
    target = window.targets.index_of("nohsts.web.test")
    window.ui.targetView.expand(target)
    window.ui.targetView.setCurrentIndex(target)
    window.status_filters[Status.PASS].setChecked(False)
    window.status_filters[Status.INFO].setChecked(False)
    window.ui.findingsView.sortByColumn(FindingColumn.STATUS, Qt.SortOrder.DescendingOrder)
    rows = window.findings
    hsts = next(r for r in range(rows.rowCount()) if rows.finding_at(r).check_id == "https.hsts")
    window.ui.findingsView.selectRow(hsts)
    save(window, "03-results.png")
    # the history: scan 1 and scan 2 compared
    dialog = window.history_dialog()
    dialog.resize(1180, 720)
    dialog.show()
    dialog.select_scans(1, 2)
    dialog.compare_selected()
    save(dialog, "04-history.png")
    dialog.close()
    settings_dialog = window.settings_dialog()
    settings_dialog.show()
    save(settings_dialog, "05-settings.png")
    settings_dialog.close()
    apply_style(app, "dark")
    save(window, "06-dark.png")
    window.close()


def outer() -> None:
    sys.path.insert(0, str(REPOSITORY))
    from tests.lab.netlab import Lab
    from tests.lab.web_topology import build_web_lab

    if not os.environ.get("DISPLAY"):
        raise SystemExit("set DISPLAY to an X server (Xvfb :99 &, then DISPLAY=:99)")
    with Lab() as lab:
        web = build_web_lab(lab)
        settings = {"resolver": web.resolver_ip, "ca_file": str(web.ca_file)}
        home = _scratch_dir()
        environment = {
            **os.environ,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "PYTHONPATH": str(REPOSITORY),
        }
        argv = [sys.executable, "-m", "docs.screenshots.take", "--inner", json.dumps(settings)]
        done = web.client.run(
            argv, timeout=600, env=environment, cwd=str(REPOSITORY), capture_output=False
        )
        if done.returncode != 0:
            raise SystemExit(f"taking the screenshots failed ({done.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(json.loads(args.inner))
    else:
        outer()


if __name__ == "__main__":
    main()
