"""`netready-gui`: start the desktop app.

    netready-gui [--db PATH] [--config FILE] [--color-scheme system|light|dark] [--smoke-test]
                 [--smoke-scan TARGET [--smoke-checks FAMILY,...]]

The window shows before the check families are imported (they take a moment): a background
thread imports them, then the family check boxes appear. `--smoke-test` prints when the
window is painted and quits (for packaging checks and `benchmarks/gui.py`). `--smoke-scan`
scans TARGET through the window as a click on Scan would - the scan process, and the TLS
worker processes it starts, included - prints the outcome and quits: how a frozen build
proves its scans run (tests/packaging).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import multiprocessing
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from netready import __version__
from netready.config import default_config_path
from netready.gui.main_window import MainWindow
from netready.gui.presentation import FamilyCatalogue, family_catalogue, icon
from netready.gui.qt_compat import protect_singletons
from netready.store import default_database_path

__all__ = ["SHOWN_MARKER", "apply_style", "build_parser", "main"]

#: What `--smoke-test` prints once the window is painted.
SHOWN_MARKER = "netready-gui: window shown"
#: What `--smoke-scan` prints when its scan has ended.
SCANNED_MARKER = "netready-gui: scan finished"
#: How long the app, quitting, waits for the background imports to finish.
PRELOAD_JOIN_SECONDS = 30.0
#: How long `--smoke-scan` waits for its scan before it gives up.
SMOKE_SCAN_SECONDS = 300


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netready-gui", description="The netready desktop app.")
    parser.add_argument("--version", action="version", version=f"netready {__version__}")
    parser.add_argument("--db", type=Path, metavar="PATH", help="results database")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file ([scan] table)")
    parser.add_argument(
        "--color-scheme",
        choices=("system", "light", "dark"),
        default="system",
        help="follow the system's light or dark scheme (default), or choose one",
    )
    parser.add_argument(
        "--smoke-test", action="store_true", help="show the window, print when painted, quit"
    )
    parser.add_argument(
        "--smoke-scan",
        action="append",
        nargs="?",
        const="",
        metavar="TARGET",
        help="scan TARGET (repeatable; none with the lan family) as the Scan button would, "
        "print the outcome, quit",
    )
    parser.add_argument(
        "--smoke-checks",
        default="dns,tls",
        metavar="FAMILY,...",
        help="the families --smoke-scan ticks (default: dns,tls)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen build's worker processes (the TLS checks)
    args = build_parser().parse_args(argv)
    protect_singletons()  # PySide6 6.12.0 on Python 3.11; see qt_compat
    QApplication.setApplicationName("netready")
    QApplication.setOrganizationName("netready")
    QApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("netready")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app, args.color_scheme)
    app.setWindowIcon(icon("netready"))
    window = MainWindow(
        database=args.db or default_database_path(),
        config_path=args.config or default_config_path(),
    )
    window.show()
    if args.smoke_scan is not None:
        _scan_then_quit(app, window, args.smoke_scan, args.smoke_checks.split(","))
    preloading = preload_in_background(window)
    if args.smoke_test:
        _quit_when_painted(app, window)
    status = app.exec()
    # a thread still importing modules while the interpreter shuts down can crash it (the
    # smoke test quits right after the first paint, often before the imports are done)
    preloading.join(PRELOAD_JOIN_SECONDS)
    return status


# --- start-up work off the GUI thread ----------------------------------------------------------


class _Preloader(QObject):
    catalogue_loaded = Signal(object)  # FamilyCatalogue

    def run(self) -> None:  # a plain Python thread; the signal reaches the GUI thread queued
        catalogue = family_catalogue()
        try:
            self.catalogue_loaded.emit(catalogue)
        except RuntimeError:  # the window closed first (its children are gone)
            return
        # the worker needs the engine for the first scan, the details pane the advice
        importlib.import_module("netready.engine")
        with contextlib.suppress(ImportError):  # the advice knowledge base is optional
            importlib.import_module("netready.advice")


def preload_in_background(window: MainWindow) -> threading.Thread:
    """Import the check families in a thread, then give the window its family check boxes."""
    preloader = _Preloader(window)

    def loaded(catalogue: FamilyCatalogue) -> None:
        window.populate_families(catalogue)

    preloader.catalogue_loaded.connect(loaded, Qt.ConnectionType.QueuedConnection)
    thread = threading.Thread(target=preloader.run, name="netready-preload", daemon=True)
    thread.start()
    return thread


def _quit_when_painted(app: QApplication, window: MainWindow) -> None:
    class PaintWatcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                print(f"{SHOWN_MARKER} at {time.monotonic():.6f}", flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = PaintWatcher(window)
    window.installEventFilter(watcher)


def _scan_then_quit(
    app: QApplication, window: MainWindow, targets: Sequence[str], families: Sequence[str]
) -> None:
    """`--smoke-scan`: once the families are known, scan; print the outcome; exit 0 only for
    a completed scan with findings (1 otherwise, 2 for an unknown family)."""

    def quit_with(status: int) -> None:
        # as the user's Quit does: closing the window lets the scan's thread end first (a
        # QThread destroyed while it runs aborts the process), then the loop ends
        def close_and_exit() -> None:
            window.close()
            app.exit(status)

        QTimer.singleShot(0, close_and_exit)

    def start() -> None:
        unknown = sorted(set(families) - set(window.family_boxes))
        if unknown:
            print(f"netready-gui: unknown families: {', '.join(unknown)}", file=sys.stderr)
            quit_with(2)
            return
        for name, box in window.family_boxes.items():
            box.setChecked(name in families)
        window.set_targets_text("\n".join(target for target in targets if target))
        if not window.start_scan():
            reason = window.ui.progressLabel.text() or window.ui.targetErrorLabel.text()
            print(f"netready-gui: the scan did not start: {reason}", file=sys.stderr)
            quit_with(1)
        elif window.worker is not None:
            window.worker.scan_failed.connect(failed)

    def failed(message: str) -> None:
        print(f"netready-gui: the scan failed: {message}", file=sys.stderr)
        quit_with(1)

    def finished(scan_id: int, cancelled: bool) -> None:
        count = window.findings.finding_count
        state = "cancelled" if cancelled else "completed"
        print(f"{SCANNED_MARKER}: scan {scan_id} {state}, {count} findings", flush=True)
        quit_with(0 if count and not cancelled else 1)

    def give_up() -> None:
        print(f"netready-gui: no result within {SMOKE_SCAN_SECONDS} s", file=sys.stderr)
        quit_with(1)

    window.families_ready.connect(start, Qt.ConnectionType.QueuedConnection)
    window.scan_finished.connect(finished)
    QTimer.singleShot(SMOKE_SCAN_SECONDS * 1000, give_up)


# --- style --------------------------------------------------------------------------------------


def apply_style(app: QApplication, scheme: str = "system") -> None:
    """Fusion, in the system's light or dark scheme, following it when it changes."""
    app.setStyle("Fusion")
    platform_palette = QPalette(app.palette())
    hints = app.styleHints()

    def follow(color_scheme: Qt.ColorScheme) -> None:
        wants_dark = color_scheme == Qt.ColorScheme.Dark
        if scheme != "system":
            wants_dark = scheme == "dark"
        if wants_dark and not _is_dark(platform_palette):
            app.setPalette(dark_palette())
        elif not wants_dark and _is_dark(platform_palette):
            app.setPalette(app.style().standardPalette())
        else:
            app.setPalette(platform_palette)

    follow(hints.colorScheme())
    hints.colorSchemeChanged.connect(follow)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """Fusion's colours for a dark scheme, where the platform offers none."""
    palette = QPalette()
    text, disabled = QColor("#e6e6e6"), QColor("#7f7f7f")
    colours = {
        QPalette.ColorRole.Window: QColor("#2b2b2b"),
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: QColor("#1f1f1f"),
        QPalette.ColorRole.AlternateBase: QColor("#282828"),
        QPalette.ColorRole.ToolTipBase: QColor("#333333"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: QColor("#8c8c8c"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#353535"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Light: QColor("#4a4a4a"),
        QPalette.ColorRole.Midlight: QColor("#3e3e3e"),
        QPalette.ColorRole.Mid: QColor("#2f2f2f"),
        QPalette.ColorRole.Dark: QColor("#1a1a1a"),
        QPalette.ColorRole.Shadow: QColor("#0d0d0d"),
        QPalette.ColorRole.Link: QColor("#7ab8ff"),
        QPalette.ColorRole.LinkVisited: QColor("#c79bff"),
        QPalette.ColorRole.Highlight: QColor("#2f6fd1"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor("#3d3d3d"))
    return palette
