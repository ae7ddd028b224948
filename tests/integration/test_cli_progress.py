"""The progress bar is drawn on a terminal only, and cleared before findings are printed."""

from __future__ import annotations

import argparse
import io

import pytest

from netready.cli import _Outputs
from netready.findings import Finding, Status


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def outputs_for(monkeypatch: pytest.MonkeyPatch, stderr: io.StringIO, **flags: object) -> _Outputs:
    monkeypatch.setattr("sys.stderr", stderr)
    args = argparse.Namespace(json=None, csv=None, quiet=False, no_progress=False, **flags)
    with _Outputs.open(args, stdout_is_findings=False) as outputs:
        return outputs


def test_progress_is_drawn_on_a_terminal_and_cleared_for_a_finding(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    outputs = outputs_for(monkeypatch, terminal)
    outputs.progress(3, 10, 7)
    assert "[#########---------------------] 3/10 targets, 7 findings" in terminal.getvalue()
    outputs.finding(Finding("a.example", "a.example", "dns.resolve", Status.PASS, "fine"))
    assert terminal.getvalue().endswith("\r\033[K")  # cleared before the finding's line


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    outputs = outputs_for(monkeypatch, pipe)
    outputs.progress(3, 10, 7)
    assert pipe.getvalue() == ""


def test_no_progress_when_asked_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    args = argparse.Namespace(json=None, csv=None, quiet=False, no_progress=True)
    with _Outputs.open(args, stdout_is_findings=False) as outputs:
        outputs.progress(3, 10, 7)
    assert terminal.getvalue() == ""
