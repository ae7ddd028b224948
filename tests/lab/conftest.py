"""Lab tests: every test in this directory is marked ``lab`` (see README.md).

Lab tests need root, Linux and the servers' programs; without them they are skipped with the
reason, except under CI=true, where they fail. The lab fixtures themselves (`dns_lab`,
`web_lab`, ...) are in fixtures.py, a plugin of the whole suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .fixtures import Require

__all__ = ["Require"]

_LAB_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marking here rather than per module: a new lab test module cannot forget the marker.
    for item in items:
        if item.path.is_relative_to(_LAB_DIR):
            item.add_marker(pytest.mark.lab)
