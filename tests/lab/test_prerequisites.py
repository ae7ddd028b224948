"""The CI-aware skip helper: lab tests skip on a bare machine, but never silently in CI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

Require = Callable[[Sequence[str], str], None]


@pytest.mark.parametrize("ci", ["", "false", "1"])
def test_missing_prerequisite_skips_outside_ci(
    require_prerequisites: Require, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"DNS lab tests need: named \(not installed\)"):
        require_prerequisites(["named (not installed)"], "DNS lab tests")


@pytest.mark.parametrize("ci", ["true", "True"])
def test_missing_prerequisite_fails_in_ci(
    require_prerequisites: Require, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"need: root .*never skipped"):
        require_prerequisites(["root (running as uid 1000)"], "lab tests")


def test_nothing_missing_lets_the_test_run(
    require_prerequisites: Require, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    require_prerequisites([], "lab tests")
