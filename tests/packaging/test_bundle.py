"""The built bundle works on its own: its version, a real scan in the lab, the window.

These run the bundle's programs (NETREADY_BUNDLE, see conftest.py) as a user would, with no
Python variables in their environment: what they need must be inside the bundle. The scan
runs in the web lab's client namespace against real BIND, unbound and nginx, through the lab
resolver and with the lab CA given explicitly; its TLS checks run sslyze in worker processes
the frozen program starts from itself, and grade the certificate against sslyze's bundled
Mozilla trust store as well as the lab CA (the trust-store trap of sslyze issue #607).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from netready import __version__
from netready.gui.app import SHOWN_MARKER
from tests.lab.web_topology import WebLab

#: What the offscreen platform says on its own (not a problem of the app); anything else on
#: the GUI's stderr is.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints()"
#: The issue's goal for the onedir bundle (measured: packaging/README.md)
BUNDLE_SIZE_GOAL = 200_000_000


def run(argv: list[str], environment: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=dict(environment), capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("program", ["netready", "netready-gui"])
def test_both_programs_report_the_package_version(
    bundle: Path, bundle_environment: Mapping[str, str], program: str
) -> None:
    # When a program of the bundle is asked for its version
    done = run([str(bundle / program), "--version"], bundle_environment)
    # Then it is netready.__version__, the one place the version is written
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"netready {__version__}\n"


def test_the_window_shows_offscreen_and_the_app_quits_cleanly(
    bundle: Path, bundle_environment: Mapping[str, str], tmp_path: Path
) -> None:
    # Given the offscreen platform (no display) and files of the test's own
    environment = {**bundle_environment, "QT_QPA_PLATFORM": "offscreen"}
    argv = [
        str(bundle / "netready-gui"), "--smoke-test",
        "--db", str(tmp_path / "results.db"), "--config", str(tmp_path / "config.toml"),
    ]  # fmt: skip
    # When the app starts in smoke-test mode
    done = run(argv, environment)
    # Then the window is painted, the app quits with status 0, and nothing went wrong
    assert done.returncode == 0, done.stderr
    assert SHOWN_MARKER in done.stdout
    complaints = [line for line in done.stderr.splitlines() if line.strip() != OFFSCREEN_NOTICE]
    assert not complaints, done.stderr


def test_the_bundle_stays_below_200_mb(bundle: Path) -> None:
    # Given the onedir bundle (PyInstaller's analysis pulls in whatever a hook asks for)
    # When its files are counted as `du` counts them
    size = sum(
        path.lstat().st_blocks * 512
        for path in [bundle, *bundle.rglob("*")]
        if not path.is_symlink()
    )
    # Then it stays below the goal: only the Qt plugins the app uses, no QtQuick or WebEngine
    assert size < BUNDLE_SIZE_GOAL, f"the bundle holds {size / 1e6:.0f} MB"


@pytest.mark.lab
def test_the_command_line_scans_the_web_lab_as_the_source_does(
    bundle: Path, bundle_environment: Mapping[str, str], web_lab: WebLab, tmp_path: Path
) -> None:
    # Given the lab's dual-stack site, scanned by every family that applies to a web site
    scan = ["dual.web.test", "--checks", "dns,dnssec,https,tls", "--timeout", "3", "--json", "-"]
    scan_from_source = web_lab.scanner_argv(*scan, "--db", str(tmp_path / "source.db"))
    from_bundle = web_lab.scanner_argv(*scan, "--db", str(tmp_path / "bundle.db"))
    assert from_bundle[:3] == [sys.executable, "-m", "netready"]
    scan_from_bundle = [str(bundle / "netready"), *from_bundle[3:]]
    # When the bundle's command line scans it in the lab's client
    started = time.monotonic()
    done = web_lab.client.run(scan_from_bundle, timeout=180, env=dict(bundle_environment))
    elapsed = time.monotonic() - started
    # Then the scan completes with real findings of every family asked for
    assert done.returncode == 0, done.stderr
    findings = [json.loads(line) for line in done.stdout.splitlines()]
    by_check = _statuses(findings)
    assert by_check["dns.resolve"] == {"pass"}, findings
    assert by_check["https.available"] == {"pass"}
    assert "error" not in by_check["dnssec.status"], "the bundled root trust anchor was read"
    assert by_check["tls.connect"] == {"pass"}, "sslyze's worker processes ran from the bundle"
    # And the certificate is trusted: the lab CA and sslyze's bundled trust stores both loaded
    assert by_check["tls.cert.trusted"] == {"pass"}
    # And the bundle finds exactly what the source tree finds, finding by finding
    source = web_lab.run_in_client(scan_from_source, timeout=180)
    assert source.returncode == 0, source.stderr
    assert _verdicts(findings) == _verdicts(json.loads(line) for line in source.stdout.splitlines())
    print(f"bundle: lab scan of dual.web.test in {elapsed:.1f} s, {len(findings)} findings")


def _statuses(findings: list[dict[str, Any]]) -> dict[str, set[str]]:
    statuses: dict[str, set[str]] = {}
    for finding in findings:
        statuses.setdefault(finding["check_id"], set()).add(finding["status"])
    return statuses


def _verdicts(findings: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    return {(f["target"], f["subject"], f["check_id"]): f["status"] for f in findings}


@pytest.mark.lab
def test_the_window_scans_the_web_lab_through_its_own_scan_process(
    bundle: Path, bundle_environment: Mapping[str, str], web_lab: WebLab, tmp_path: Path
) -> None:
    # Given a config file that points the app at the lab's resolver and CA
    config = tmp_path / "config.toml"
    config.write_text(
        f'[scan]\nresolvers = ["{web_lab.resolver_ip}"]\nca_file = "{web_lab.ca_file}"\n'
        "timeout = 10\n"
    )
    database = tmp_path / "results.db"
    argv = [
        str(bundle / "netready-gui"), "--smoke-scan", "dual.web.test", "--smoke-checks",
        "dns,tls", "--db", str(database), "--config", str(config),
    ]  # fmt: skip
    environment = {**bundle_environment, "QT_QPA_PLATFORM": "offscreen"}
    # When the frozen app scans as a click on Scan would: the window starts its scan process
    # from its own executable, and that process starts the TLS worker processes in turn
    done = web_lab.client.run(argv, timeout=300, env=environment)
    # Then the scan completes and its findings are saved
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "netready-gui: scan finished: scan 1 completed, " in done.stdout
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select check_id, status from findings").fetchall()
    statuses = _statuses([{"check_id": check, "status": status} for check, status in rows])
    assert statuses["dns.resolve"] == {"pass"}
    assert statuses["tls.connect"] == {"pass"}, "the frozen scan process ran the TLS workers"


def test_the_bundle_carries_the_licences_of_what_it_holds(bundle: Path) -> None:
    internal = bundle / "_internal"
    # netready's own licence, and a folder per bundled distribution, none of them empty
    assert "GNU GENERAL PUBLIC LICENSE" in (internal / "LICENSE").read_text()
    folders = {path.name: path for path in (internal / "licenses").iterdir()}
    assert {"sslyze", "nassl", "cryptography", "httpx", "PySide6_Essentials"} <= set(folders)
    assert all(any(folder.iterdir()) for folder in folders.values())
    # Qt for Python ships no licence text in its wheel: the LGPL-3.0 is added
    assert (
        "LESSER GENERAL PUBLIC LICENSE"
        in (folders["PySide6_Essentials"] / "LGPL-3.0.txt").read_text()
    )
    # and no build tool is among them
    assert not {"pyinstaller", "pip", "setuptools"} & {name.lower() for name in folders}
