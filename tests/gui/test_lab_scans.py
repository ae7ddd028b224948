"""Real scans from the desktop app, against the lab's real servers (BIND, unbound, nginx).

The pytest process is in the machine's own network namespace, and no scan may leave from
there. So each test starts a second pytest INSIDE the lab's client namespace that runs the
scenarios of lab_scenarios.py: the whole app (window, worker thread, engine) runs there,
offscreen, exactly as a user starts it - nothing is stubbed. This test passes when they do.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lab.lan_topology import LanLab
from tests.lab.netlab import LabHost
from tests.lab.topology import DnsLab
from tests.lab.web_topology import WebLab

pytestmark = pytest.mark.lab

REPOSITORY = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).with_name("lab_scenarios.py")


def run_scenarios(
    client: LabHost, keyword: str, settings: dict[str, object], tmp_path: Path
) -> None:
    argv = [
        sys.executable, "-m", "pytest", str(SCENARIOS), "-k", keyword,
        "-p", "no:cacheprovider", "-q", "-rA", "--basetemp", str(tmp_path / "inner"),
    ]  # fmt: skip
    environment = {
        **os.environ,
        "NETREADY_GUI_LAB": json.dumps(settings),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # QSettings of the app, not the user's
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = client.run(argv, timeout=400, env=environment, cwd=REPOSITORY)
    assert done.returncode == 0, (
        f"the scenarios failed in the lab client:\n{done.stdout}\n{done.stderr}"
    )
    assert " passed" in done.stdout, done.stdout
    assert " failed" not in done.stdout, done.stdout


def test_the_app_scans_the_web_lab_and_compares_scans(web_lab: WebLab, tmp_path: Path) -> None:
    settings = {"resolver": web_lab.resolver_ip, "ca_file": str(web_lab.ca_file)}
    run_scenarios(web_lab.client, "web_lab_scan or history_compares", settings, tmp_path)


def test_the_app_stops_a_real_scan_mid_way(dns_lab: DnsLab, tmp_path: Path) -> None:
    run_scenarios(dns_lab.client, "stop_a_real_scan", {"resolver": dns_lab.resolver_ip}, tmp_path)


def test_the_app_started_with_smoke_scan_scans_the_lab_and_quits(
    web_lab: WebLab, tmp_path: Path
) -> None:
    # Given a config file that points the app at the lab's resolver and CA
    config = tmp_path / "config.toml"
    config.write_text(
        f'[scan]\nresolvers = ["{web_lab.resolver_ip}"]\nca_file = "{web_lab.ca_file}"\n'
        "timeout = 10\n"
    )
    database = tmp_path / "results.db"
    # When the app is started to scan a lab site (window, scan process, TLS workers: all real)
    done = smoke_scan(web_lab.client, tmp_path, "dual.web.test", "--smoke-checks", "dns,tls")
    # Then it reports a completed scan, exits 0, and the findings are in its database
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "netready-gui: scan finished: scan 1 completed, " in done.stdout
    statuses = _statuses(database)
    assert statuses["dns.resolve"] == {"pass"}
    assert statuses["tls.connect"] == {"pass"}, "the scan process ran the TLS workers"


def smoke_scan(host: LabHost, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`netready-gui --smoke-scan ARGS` from the source tree, offscreen, in the lab `host`,
    with tmp_path's config.toml and results.db."""
    argv = [
        sys.executable, "-m", "netready.gui", "--smoke-scan", *args,
        "--db", str(tmp_path / "results.db"), "--config", str(tmp_path / "config.toml"),
    ]  # fmt: skip
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(REPOSITORY / "src"),
    }
    return host.run(argv, timeout=300, env=environment, cwd=REPOSITORY)


def _statuses(database: Path) -> dict[str, set[str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select check_id, status from findings").fetchall()
    statuses: dict[str, set[str]] = {}
    for check_id, status in rows:
        statuses.setdefault(check_id, set()).add(status)
    return statuses


def test_the_app_checks_a_local_network_declared_ipv4_only(lan_lab: LanLab, tmp_path: Path) -> None:
    # Given the settings a user makes: the LAN interface, "this network is IPv4-only", the
    # lab's DNS server
    config = tmp_path / "config.toml"
    config.write_text(
        f'[scan]\nresolvers = ["{lan_lab.resolver_ip}"]\nlan_interface = "eth0"\n'
        "lan_ipv4_only = true\ntimeout = 3\n"
    )
    database = tmp_path / "results.db"
    # When the app scans the local network from the lab's client (radvd, dnsmasq and hosts
    # with IPv6 on the same bridge) with the Local network and exposure families ticked
    done = smoke_scan(lan_lab.lanclient, tmp_path, "--smoke-checks", "lan,exposure")
    # Then it finds what the command line finds: the rogue router, the DHCPv6 server, and
    # ports that only IPv6 leaves open
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    statuses = _statuses(database)
    assert statuses["exposure.lan.router_advertisement"] == {"fail"}
    assert statuses["exposure.lan.dhcpv6"] == {"fail"}
    assert statuses["exposure.lan.ipv6_hosts"] == {"warning"}  # IPv6 on where none was meant
    assert "fail" in statuses["exposure.port_parity"]
    with sqlite3.connect(database) as connection:
        targets = connection.execute("select target, kind from scan_targets").fetchall()
    assert targets == [("lan:eth0", "interface")]
