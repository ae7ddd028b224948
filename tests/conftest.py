"""Suite-wide test helpers. Keep this file minimal; the lab's fixtures live in tests/lab/."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import pytest

# the network labs, one instance per session for every test directory
pytest_plugins = ["tests.lab.fixtures"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def require_prerequisites() -> Callable[[Sequence[str], str], None]:
    """Skip a test whose prerequisites are missing - or fail it when the environment has CI=true.

    Call the returned function with what is missing (empty: carry on) and who needs it:
    ``require_prerequisites(["named (not installed)"], "DNS lab tests")``. In CI a missing
    prerequisite means a broken runner, so those tests must fail there, never silently skip.
    """

    def require(missing: Sequence[str], needed_by: str) -> None:
        if not missing:
            return
        reason = f"{needed_by} need: {', '.join(missing)}"
        if _in_ci():
            pytest.fail(f"{reason} (CI=true, where these tests are never skipped)", pytrace=False)
        pytest.skip(reason)

    return require
