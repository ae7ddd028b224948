"""The exposure and lan families end to end, in the LAN lab (lan_topology.py).

The scanner runs as its own process (`netready scan ... --json -`) in the lab's clients:
`lanclient` for `--lan eth0` (it has learned radvd's prefix on its own), `client` for targets,
`tunclient` for tunnels on this machine. Each finding is checked against the host it names,
by that host's real link-layer and link-local addresses, and the clean hosts must not be
reported: `nov6` (IPv6 off) appears in no finding of a LAN scan, and `clean` (the same ports
over both families) gets nothing but a pass.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

import pytest

from .lan_topology import ADDRESSES, DHCP_RANGE, ISATAP_ADDRESS, PREFIX, ROGUE_WPAD, LanLab

Findings = list[dict[str, Any]]
TIMEOUT = ("--timeout", "3")
#: Hosts with IPv6 on that a scan from lanclient finds on the link.
IPV6_HOSTS = ("dns", "v6port", "router", "dhcp", "clean", "dual", "client", "tunclient")


def of(findings: Findings, check_id: str) -> Findings:
    return [f for f in findings if f["check_id"] == check_id]


def text(finding: dict[str, Any]) -> str:
    return " ".join([finding["subject"], finding["summary"], json.dumps(finding["evidence"])])


def mentioning(findings: Findings, *needles: str) -> Findings:
    return [f for f in findings if any(needle in text(f) for needle in needles)]


def ipv4(host: str) -> str:
    return ADDRESSES[host][0]


def failed_ports(findings: Findings, host: str) -> set[int]:
    return {
        f["evidence"]["port"]
        for f in of(findings, "exposure.port_parity")
        if f["status"] == "fail" and f["evidence"]["ipv4"] == [ipv4(host)]
    }


@pytest.fixture(scope="module")
def ipv4_only_scan(lan_lab: LanLab) -> Findings:
    findings, done = lan_lab.scan(lan_lab.lanclient, "--lan", "eth0", "--lan-ipv4-only", *TIMEOUT)
    assert done.returncode == 0, done.stderr
    return findings


@pytest.fixture(scope="module")
def unprivileged_scan(lan_lab: LanLab) -> Findings:
    findings, done = lan_lab.scan(
        lan_lab.lanclient, "--lan", "eth0", "--lan-ipv4-only", *TIMEOUT, unprivileged=True
    )
    assert done.returncode == 0, done.stderr
    return findings


# --- a network declared IPv4-only -----------------------------------------------------------


def test_the_rogue_router_is_named_by_its_addresses(
    lan_lab: LanLab, ipv4_only_scan: Findings
) -> None:
    (finding,) = of(ipv4_only_scan, "exposure.lan.router_advertisement")
    assert finding["status"] == "fail"
    evidence = finding["evidence"]
    assert evidence["router_mac"] == lan_lab.macs["router"]
    assert evidence["router_link_local"] == lan_lab.link_locals["router"]
    assert [p["prefix"] for p in evidence["prefixes"]] == [PREFIX]
    assert evidence["dns_servers"] == [ADDRESSES["dns"][1]]
    assert evidence["router_lifetime"] == 0
    # lanclient had learned the prefix before the scan asked: the passive view says so too
    assert PREFIX in [route["prefix"] for route in evidence["learned_routes"]]


def test_the_dhcpv6_server_is_named_by_its_addresses(
    lan_lab: LanLab, ipv4_only_scan: Findings
) -> None:
    (finding,) = of(ipv4_only_scan, "exposure.lan.dhcpv6")
    assert finding["status"] == "fail"
    evidence = finding["evidence"]
    assert evidence["server_mac"] == lan_lab.macs["dhcp"]
    assert evidence["server_link_local"] == lan_lab.link_locals["dhcp"]
    (offered,) = evidence["offered_addresses"]
    low, high = (ipaddress.IPv6Address(a) for a in DHCP_RANGE)
    assert low <= ipaddress.IPv6Address(offered) <= high


def test_every_host_with_ipv6_is_found_and_matched_to_its_ipv4(
    lan_lab: LanLab, ipv4_only_scan: Findings
) -> None:
    hosts = of(ipv4_only_scan, "exposure.lan.ipv6_hosts")
    found = {f["evidence"]["mac"]: f for f in hosts}
    for name in IPV6_HOSTS:
        finding = found.pop(lan_lab.macs[name])
        assert finding["evidence"]["ipv4"] == [ipv4(name)], name
        assert lan_lab.link_locals[name] in finding["evidence"]["ipv6"], name
        assert finding["status"] == "warning", name  # IPv6 on where none was meant
    assert found == {}  # nobody else: not nov6, not the scanner itself


def test_ports_open_only_over_ipv6_fail_per_port(lan_lab: LanLab, ipv4_only_scan: Findings) -> None:
    assert failed_ports(ipv4_only_scan, "v6port") == {445}
    assert failed_ports(ipv4_only_scan, "dual") == {22, 3389}
    for name in ("dns", "router", "dhcp", "clean", "client", "tunclient"):
        assert failed_ports(ipv4_only_scan, name) == set(), name
    (exposed,) = [
        f
        for f in of(ipv4_only_scan, "exposure.port_parity")
        if f["status"] == "fail" and f["evidence"]["ipv4"] == [ipv4("v6port")]
    ]
    assert exposed["evidence"]["ipv6_answer"]["state"] == "open"
    assert exposed["evidence"]["ipv6"] == f"{lan_lab.link_locals['v6port']}%eth0"
    assert exposed["evidence"]["ipv4_answer"]["state"] == "filtered"
    assert exposed["evidence"]["mac"] == lan_lab.macs["v6port"]


def test_clean_hosts_are_not_reported(lan_lab: LanLab, ipv4_only_scan: Findings) -> None:
    # IPv6 switched off: invisible to every check
    assert mentioning(ipv4_only_scan, ipv4("nov6"), lan_lab.macs["nov6"]) == []
    # the same ports over both families: one pass, nothing else about its ports
    clean = [
        f
        for f in of(ipv4_only_scan, "exposure.port_parity")
        if f["evidence"]["ipv4"] == [ipv4("clean")]
    ]
    assert [(f["status"], f["evidence"]["open_both"]) for f in clean] == [("pass", [22])]


def test_tunnels_and_names_from_lanclient(ipv4_only_scan: Findings) -> None:
    by_subject = {f["subject"]: f["status"] for f in of(ipv4_only_scan, "exposure.tunnel")}
    assert by_subject == {
        "this machine": "pass",
        "wpad.lan.test": "warning",  # the rogue WPAD name
        "DNS names isatap, wpad": "pass",
    }
    (wpad,) = [f for f in of(ipv4_only_scan, "exposure.tunnel") if f["subject"] == "wpad.lan.test"]
    assert wpad["evidence"]["a"] == [ROGUE_WPAD]


def test_nothing_is_an_error_with_administrator_rights(ipv4_only_scan: Findings) -> None:
    assert [f for f in ipv4_only_scan if f["status"] == "error"] == []


# --- without administrator rights -----------------------------------------------------------


def test_without_privileges_the_passive_view_still_proves_the_advertisement(
    unprivileged_scan: Findings,
) -> None:
    (finding,) = of(unprivileged_scan, "exposure.lan.router_advertisement")
    assert finding["status"] == "fail"
    assert finding["subject"] == "eth0"
    assert "administrator rights" in finding["evidence"]["error"]
    assert PREFIX in [route["prefix"] for route in finding["evidence"]["learned_routes"]]
    slaac = [a["address"] for a in finding["evidence"]["learned_addresses"]]
    assert slaac
    assert all(ipaddress.ip_interface(a).network == ipaddress.IPv6Network(PREFIX) for a in slaac)


def test_without_privileges_dhcpv6_is_an_error_not_a_pass(unprivileged_scan: Findings) -> None:
    (finding,) = of(unprivileged_scan, "exposure.lan.dhcpv6")
    assert finding["status"] == "error"
    assert "546" in finding["evidence"]["error"]
    assert "administrator rights" in finding["evidence"]["error"]


def test_without_privileges_the_system_ping_finds_the_hosts(
    lan_lab: LanLab, unprivileged_scan: Findings
) -> None:
    macs = {f["evidence"]["mac"] for f in of(unprivileged_scan, "exposure.lan.ipv6_hosts")}
    assert macs == {lan_lab.macs[name] for name in IPV6_HOSTS}
    assert failed_ports(unprivileged_scan, "v6port") == {445}
    assert failed_ports(unprivileged_scan, "dual") == {22, 3389}
    errors = [f["check_id"] for f in unprivileged_scan if f["status"] == "error"]
    assert errors == ["exposure.lan.dhcpv6"]


# --- a dual-stack network, and tunnels ------------------------------------------------------


def test_on_a_dual_stack_network_routers_and_servers_are_facts(lan_lab: LanLab) -> None:
    findings, done = lan_lab.scan(lan_lab.client, "--lan", "eth0", *TIMEOUT)
    assert done.returncode == 0, done.stderr
    # (the tunnel names follow the search domains of client's resolv.conf: the machine's own)
    statuses = {
        (f["check_id"], f["status"])
        for f in findings
        if f["check_id"] not in ("exposure.port_parity", "exposure.tunnel")
    }
    assert statuses == {
        ("exposure.lan.router_advertisement", "info"),
        ("exposure.lan.dhcpv6", "info"),
        ("exposure.lan.ipv6_hosts", "info"),
    }
    (machine,) = [f for f in of(findings, "exposure.tunnel") if f["subject"] == "this machine"]
    assert machine["status"] == "pass"
    # a firewall gap is a gap on any network
    assert failed_ports(findings, "dual") == {22, 3389}


def test_tunnels_on_this_machine(lan_lab: LanLab) -> None:
    findings, done = lan_lab.scan(lan_lab.tunclient, "--lan", "eth0", "--checks", "lan", *TIMEOUT)
    assert done.returncode == 0, done.stderr
    tunnel = {f["subject"]: f for f in of(findings, "exposure.tunnel")}
    assert tunnel["tunnel interface teredo"]["status"] == "fail"
    assert tunnel["tunnel interface teredo"]["evidence"]["kind"] == "teredo"
    assert tunnel[f"{ISATAP_ADDRESS} on eth0"]["status"] == "fail"
    assert tunnel[f"{ISATAP_ADDRESS} on eth0"]["evidence"]["kind"] == "isatap"
    assert "this machine" not in tunnel  # no pass beside failures
    assert of(findings, "exposure.port_parity") == []  # --checks lan: the lan family alone


def test_an_interface_the_machine_lacks_is_bad_input(lan_lab: LanLab) -> None:
    _findings, done = lan_lab.scan(lan_lab.client, "--lan", "eth9")
    assert done.returncode == 2
    assert "no interface named 'eth9'" in done.stderr
    assert "eth0" in done.stderr


def test_a_scanner_without_ipv6_reports_errors_not_a_crash(lan_lab: LanLab) -> None:
    findings, done = lan_lab.scan(
        lan_lab.hosts["nov6"], "--lan", "eth0", "--checks", "lan", *TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    statuses = {f["check_id"]: f["status"] for f in findings if f["subject"] == "eth0"}
    assert statuses["exposure.lan.router_advertisement"] == "error"
    assert statuses["exposure.lan.dhcpv6"] == "error"


# --- targets --------------------------------------------------------------------------------


def scan_targets(lan_lab: LanLab, *targets: str, extra: Iterable[str] = ()) -> Findings:
    findings, done = lan_lab.scan(
        lan_lab.client, *targets, "--checks", "exposure", *TIMEOUT, *extra
    )
    assert done.returncode == 0, done.stderr
    return findings


def by_target(findings: Findings, check_id: str) -> dict[str, list[tuple[str, str]]]:
    result: dict[str, list[tuple[str, str]]] = {}
    for f in of(findings, check_id):
        result.setdefault(f["target"], []).append((f["subject"], f["status"]))
    return result


def test_dual_stack_names(lan_lab: LanLab) -> None:
    findings = scan_targets(
        lan_lab, "dual.lan.test", "clean.lan.test", "v6port.lan.test", "v4only.lan.test"
    )
    parity = by_target(findings, "exposure.port_parity")
    assert parity == {
        "dual.lan.test": [
            ("dual.lan.test [198.18.9.80] / [2001:db8:9::80] port 22", "fail"),
            ("dual.lan.test [198.18.9.80] / [2001:db8:9::80] port 3389", "fail"),
        ],
        "clean.lan.test": [("clean.lan.test [198.18.9.30] / [2001:db8:9::30]", "pass")],
        "v6port.lan.test": [("v6port.lan.test [198.18.9.20] / [2001:db8:9::20] port 445", "fail")],
        "v4only.lan.test": [("v4only.lan.test", "info")],
    }


def test_transition_addresses(lan_lab: LanLab) -> None:
    names = ["sixtofour", "teredo", "mapped", "nat64", "nat64other", "dual", "v4only"]
    findings = scan_targets(lan_lab, *(f"{name}.lan.test" for name in names))
    statuses = {
        target: [status for _subject, status in results]
        for target, results in by_target(findings, "exposure.transition_address").items()
    }
    assert statuses == {
        "sixtofour.lan.test": ["fail"],
        "teredo.lan.test": ["fail"],
        "mapped.lan.test": ["fail"],
        "nat64.lan.test": ["info"],  # what a DNS64 resolver makes of 198.18.9.81
        "nat64other.lan.test": ["fail"],
        "dual.lan.test": ["pass"],
        "v4only.lan.test": ["info"],
    }
    # a transition address is not port-scanned: nothing there but relays
    assert [
        status for _s, status in by_target(findings, "exposure.port_parity")["sixtofour.lan.test"]
    ] == ["info"]


def test_addresses_are_paired_by_name_and_by_link_layer_address(lan_lab: LanLab) -> None:
    findings = scan_targets(lan_lab, "198.18.9.80", "198.18.9.21", "2001:db8:9::20")
    parity = by_target(findings, "exposure.port_parity")
    link_local = f"{lan_lab.link_locals['dual']}%eth0"
    assert sorted(parity["198.18.9.80"]) == [
        (f"[198.18.9.80] / [{link_local}] ({lan_lab.macs['dual']}) port 22", "fail"),
        (f"[198.18.9.80] / [{link_local}] ({lan_lab.macs['dual']}) port 3389", "fail"),
        ("dual.lan.test [198.18.9.80] / [2001:db8:9::80] port 22", "fail"),
        ("dual.lan.test [198.18.9.80] / [2001:db8:9::80] port 3389", "fail"),
    ]
    assert parity["198.18.9.21"] == [("198.18.9.21", "info")]  # no IPv6 to compare with
    assert ("v6port.lan.test [198.18.9.20] / [2001:db8:9::20] port 445", "fail") in parity[
        "2001:db8:9::20"
    ]


def test_networks_ipv4_swept_ipv6_hinted(lan_lab: LanLab) -> None:
    findings = scan_targets(
        lan_lab,
        "198.18.9.16/28",
        "2001:db8:9::/120",
        extra=("--sweep-rate", "5000", "--concurrency", "256"),
    )
    summaries = {
        f["target"]: f for f in of(findings, "exposure.port_parity") if f["subject"] == f["target"]
    }
    swept = summaries["198.18.9.16/28"]["evidence"]
    assert swept["addresses_tried"] == 14
    assert sorted(swept["hosts_found"]) == sorted(
        ipv4(h) for h in ("v6port", "nov6", "router", "dhcp", "clean")
    )
    hinted = summaries["2001:db8:9::/120"]["evidence"]
    assert hinted["hints"] == ["low-byte: 255"]  # never a blind sweep of the network
    assert sorted(hinted["hosts_found"]) == sorted(
        ADDRESSES[h][1] or "" for h in ("dns", "v6port", "dhcp", "clean", "dual")
    )
    fails = {
        (f["target"], f["evidence"]["ipv4"][0], f["evidence"]["port"])
        for f in of(findings, "exposure.port_parity")
        if f["status"] == "fail"
    }
    assert fails == {
        ("198.18.9.16/28", ipv4("v6port"), 445),
        ("2001:db8:9::/120", ipv4("v6port"), 445),
        ("2001:db8:9::/120", ipv4("dual"), 22),
        ("2001:db8:9::/120", ipv4("dual"), 3389),
    }
    assert [f for f in findings if f["status"] == "error"] == []
