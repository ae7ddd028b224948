"""Start-up, style and the compiled forms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netready.gui.app import SHOWN_MARKER, apply_style

REPOSITORY = Path(__file__).resolve().parents[2]


def test_compiled_forms_match_their_ui_files() -> None:
    done = subprocess.run(
        [sys.executable, str(REPOSITORY / "ui" / "build_forms.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"run ui/build_forms.py:\n{done.stdout}{done.stderr}"


def test_the_app_shows_its_window_and_quits_in_smoke_test_mode(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "netready.gui",
            "--smoke-test",
            "--color-scheme",
            "dark",
            "--db",
            str(tmp_path / "results.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert done.returncode == 0, done.stderr
    assert SHOWN_MARKER in done.stdout
    noise = "This plugin does not support propagateSizeHints()"
    assert [line for line in done.stderr.splitlines() if line != noise] == []


def test_the_style_follows_a_light_or_dark_scheme(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    try:
        apply_style(app, "dark")
        assert app.style().name().lower() == "fusion"
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 128
        apply_style(app, "light")
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128
    finally:
        app.setPalette(before)
