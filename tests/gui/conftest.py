"""Fixtures for the desktop app's tests (pytest-qt, offscreen).

Qt runs on the offscreen platform: no display needed, nothing appears on screen. Any Qt
warning fails a test (`qt_log_level_fail = WARNING` in pyproject.toml). Each test gets its
own results database, config file and preferences (an INI file) under `tmp_path`, so
nothing touches the user's own.

No test here sends a packet from this (the root) network namespace: scans without the lab
use in-process stand-in families (`tests/gui/fakes.py`); real scans run the whole app in the
lab's client namespace (`test_lab_scans.py`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# before Qt starts: offscreen rendering, and a private runtime directory (Qt warns without one)
os.environ["QT_QPA_PLATFORM"] = "offscreen"
if not os.environ.get("XDG_RUNTIME_DIR"):
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="netready-gui-runtime-")

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from netready.gui.main_window import MainWindow
from netready.gui.preferences import Preferences
from netready.gui.qt_compat import protect_singletons

protect_singletons()  # PySide6 6.12.0 on Python 3.11 (see netready.gui.qt_compat)


@pytest.fixture
def preferences(tmp_path: Path) -> Preferences:
    return Preferences(QSettings(str(tmp_path / "preferences.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "results.db"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


@pytest.fixture
def make_window(
    qtbot: QtBot, database: Path, config_path: Path, preferences: Preferences
) -> Iterator[type[MainWindow]]:
    """Build a MainWindow on the test's own files; closed (scan stopped) at the end."""
    windows: list[MainWindow] = []

    def make(**kwargs: object) -> MainWindow:
        window = MainWindow(
            database=database,
            config_path=config_path,
            preferences=preferences,
            **kwargs,  # type: ignore[arg-type]
        )
        qtbot.addWidget(window)
        window.populate_families()
        windows.append(window)
        return window

    yield make  # type: ignore[misc]
    for window in windows:
        window.close()
