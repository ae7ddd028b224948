"""Fixtures for the tests of a built bundle (packaging/README.md).

The tests run the programs of a PyInstaller bundle, never this checkout's code: point
NETREADY_BUNDLE at the bundle's directory (`dist/netready` after `bash packaging/build-linux.sh`).
Without it they are skipped, under CI=true as well: the README's test command runs before any
bundle is built, and `.ci/run` runs these tests itself once it has built one. The lab fixtures
(`web_lab`) come from tests/lab/fixtures.py, a plugin of the whole suite.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

__all__ = ["bundle", "bundle_environment"]

BUNDLE_VARIABLE = "NETREADY_BUNDLE"


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The bundle's directory (holding `netready` and `netready-gui`), from NETREADY_BUNDLE."""
    location = os.environ.get(BUNDLE_VARIABLE, "").strip()
    if not location:
        pytest.skip(
            f"{BUNDLE_VARIABLE} is not set: these tests run a built bundle "
            f"(bash packaging/build-linux.sh, then {BUNDLE_VARIABLE}=dist/netready)"
        )
    path = Path(location).resolve()
    missing = [name for name in ("netready", "netready-gui") if not (path / name).is_file()]
    assert not missing, f"{BUNDLE_VARIABLE}={location} holds no {' or '.join(missing)}"
    return path


@pytest.fixture
def bundle_environment(tmp_path: Path) -> Mapping[str, str]:
    """Our environment without Python's own variables (the bundle must need none), and with
    the user's directories (config, data, QSettings, Qt's runtime) moved under `tmp_path`."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("PYTHON")
    }
    for variable, directory in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_RUNTIME_DIR", "runtime"),
    ):
        path = tmp_path / directory
        path.mkdir(mode=0o700)
        environment[variable] = str(path)
    return environment
