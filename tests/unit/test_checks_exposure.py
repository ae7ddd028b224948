"""The exposure and lan families: every verdict of the pure evaluations, and whole runs on a
fake context (answers from tables, no network)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from netready.checks import FAMILIES, ON_REQUEST_FAMILIES
from netready.checks import exposure as ex
from netready.checks import lan as lan_checks
from netready.config import DEFAULT_EXPOSURE_PORTS, ScanConfig
from netready.findings import Finding, Status
from netready.net import lan
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.lan import AddressOrigin, InterfaceKind
from netready.net.portscan import PortAnswer, PortState
from netready.targets import Target, TargetKind, parse_target

T = TypeVar("T")
OPEN, CLOSED, FILTERED, UNREACHABLE, ERROR = (
    PortState.OPEN,
    PortState.CLOSED,
    PortState.FILTERED,
    PortState.UNREACHABLE,
    PortState.ERROR,
)
MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"


def statuses(findings: Sequence[Finding]) -> list[tuple[str, str, Status]]:
    return [(f.check_id, f.subject, f.status) for f in findings]


# --- registry -------------------------------------------------------------------------------


def test_families_are_registered_with_the_contract_ids() -> None:
    ids = {spec.check_id for spec in FAMILIES["exposure"].checks}
    ids |= {spec.check_id for spec in FAMILIES["lan"].checks}
    assert ids == {
        "exposure.port_parity",
        "exposure.lan.ipv6_hosts",
        "exposure.lan.router_advertisement",
        "exposure.lan.dhcpv6",
        "exposure.tunnel",
        "exposure.transition_address",
    }
    assert "lan" in ON_REQUEST_FAMILIES
    assert "exposure" in ON_REQUEST_FAMILIES  # port scans run only when asked for
    interface = parse_target("lan:eth0")
    assert FAMILIES["lan"].applies_to(interface)
    assert not FAMILIES["lan"].applies_to(parse_target("example.org"))
    # the exposure family compares ports everywhere, the local network included
    assert all(
        FAMILIES["exposure"].applies_to(parse_target(t)) for t in ("a.org", "192.0.2.1", "lan:eth0")
    )


def test_default_ports_are_about_thirty_commonly_filtered_ones() -> None:
    assert len(DEFAULT_EXPOSURE_PORTS) == 30
    assert {
        22,
        23,
        135,
        139,
        445,
        1433,
        3306,
        3389,
        5432,
        5900,
        5985,
        6379,
        8080,
        9200,
        27017,
    } <= set(DEFAULT_EXPOSURE_PORTS)


# --- transition addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind", "ipv4"),
    [
        ("2002:c612:950::1", ex.TransitionKind.SIX_TO_FOUR, "198.18.9.80"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ex.TransitionKind.TEREDO, "192.0.2.45"),
        ("::ffff:198.18.9.80", ex.TransitionKind.IPV4_MAPPED, "198.18.9.80"),
        ("64:ff9b::c612:951", ex.TransitionKind.NAT64, "198.18.9.81"),
        ("64:ff9b:1::c612:951", ex.TransitionKind.NAT64, "198.18.9.81"),
        ("2001:db8:9::5efe:c612:966", ex.TransitionKind.ISATAP, "198.18.9.102"),
        ("fe80::200:5efe:c000:201%eth0", ex.TransitionKind.ISATAP, "192.0.2.1"),
        ("2001:db8::1", None, None),
        ("2001:db8::5efe", None, None),
    ],
)
def test_transition_kinds(address: str, kind: ex.TransitionKind | None, ipv4: str | None) -> None:
    assert ex.transition_kind(address) is kind
    assert ex.embedded_ipv4(address) == ipv4


def answer(name: str, rdtype: str, *records: str, outcome: DnsOutcome | None = None) -> DnsAnswer:
    if outcome is None:
        outcome = DnsOutcome.ANSWER if records else DnsOutcome.NODATA
    return DnsAnswer(name, rdtype, outcome, tuple(records), detail="" if records else "none")


def test_native_aaaa_passes() -> None:
    (finding,) = ex.evaluate_transition_addresses(
        "a.test", answer("a.test", "AAAA", "2001:db8::1"), answer("a.test", "A", "192.0.2.1")
    )
    assert (finding.subject, finding.status) == ("a.test", Status.PASS)


def test_each_transition_aaaa_fails_on_its_own() -> None:
    aaaa = answer("a.test", "AAAA", "2001:db8::1", "2002:c000:201::1", "::ffff:192.0.2.1")
    findings = ex.evaluate_transition_addresses("a.test", aaaa, answer("a.test", "A"))
    assert statuses(findings) == [
        ("exposure.transition_address", "a.test [2002:c000:201::1]", Status.FAIL),
        ("exposure.transition_address", "a.test [::ffff:192.0.2.1]", Status.FAIL),
    ]
    assert findings[0].evidence["embedded_ipv4"] == "192.0.2.1"
    assert "6to4" in findings[0].summary


def test_nat64_made_from_the_names_own_ipv4_is_information() -> None:
    a = answer("a.test", "A", "192.0.2.1")
    synthesised = ex.evaluate_transition_addresses(
        "a.test", answer("a.test", "AAAA", "64:ff9b::c000:201"), a
    )
    other = ex.evaluate_transition_addresses(
        "a.test", answer("a.test", "AAAA", "64:ff9b::c000:202"), a
    )
    assert [f.status for f in synthesised] == [Status.INFO]
    assert "DNS64" in synthesised[0].summary
    assert [f.status for f in other] == [Status.FAIL]


def test_no_aaaa_failed_lookup_and_nxdomain() -> None:
    (info,) = ex.evaluate_transition_addresses("a.test", answer("a.test", "AAAA"))
    assert info.status is Status.INFO
    timeout = answer("a.test", "AAAA", outcome=DnsOutcome.TIMEOUT)
    (error,) = ex.evaluate_transition_addresses("a.test", timeout)
    assert error.status is Status.ERROR
    nxdomain = answer("a.test", "AAAA", outcome=DnsOutcome.NXDOMAIN)
    assert ex.evaluate_transition_addresses("a.test", nxdomain) == []


def test_transition_address_targets() -> None:
    assert ex.evaluate_transition_address("2002:c000:201::1").status is Status.FAIL
    assert ex.evaluate_transition_address("2001:db8::1").status is Status.PASS


# --- port parity verdicts -------------------------------------------------------------------


def answers(address: str, states: Mapping[int, PortState]) -> dict[int, PortAnswer]:
    details = {OPEN: "accepted", CLOSED: "refused (reset)", FILTERED: "no answer within 1.5 s"}
    return {
        port: PortAnswer(address, port, state, 0.05, details.get(state, state.value))
        for port, state in states.items()
    }


PAIR = ex.HostPair(("192.0.2.10",), "2001:db8::10", "www.a.test", None, "dns")


def facts(
    ipv4: Mapping[str, Mapping[int, PortState]],
    ipv6: Mapping[int, PortState],
    pair: ex.HostPair = PAIR,
) -> ex.ParityFacts:
    ports = tuple(ipv6)
    return ex.ParityFacts(
        pair,
        ports,
        ipv4={address: answers(address, states) for address, states in ipv4.items()},
        ipv6=answers(pair.ipv6, ipv6),
    )


def test_a_port_open_only_over_ipv6_fails_with_both_answers() -> None:
    parity = facts(
        {"192.0.2.10": {22: FILTERED, 3389: CLOSED, 445: UNREACHABLE, 80: OPEN}},
        {22: OPEN, 3389: OPEN, 445: OPEN, 80: OPEN},
    )
    findings = ex.evaluate_port_parity("www.a.test", parity)
    assert statuses(findings) == [
        ("exposure.port_parity", "www.a.test [192.0.2.10] / [2001:db8::10] port 22", Status.FAIL),
        ("exposure.port_parity", "www.a.test [192.0.2.10] / [2001:db8::10] port 3389", Status.FAIL),
        ("exposure.port_parity", "www.a.test [192.0.2.10] / [2001:db8::10] port 445", Status.FAIL),
    ]
    evidence = findings[0].evidence
    assert evidence["ipv6_answer"] == {
        "address": "2001:db8::10",
        "state": "open",
        "detail": "accepted",
    }
    assert evidence["ipv4_answer"]["state"] == "filtered"
    assert evidence["ipv4_answers"] == {
        "192.0.2.10": {
            "address": "192.0.2.10",
            "state": "filtered",
            "detail": "no answer within 1.5 s",
        }
    }
    assert "filtered over IPv4" in findings[0].summary


def test_same_answers_pass() -> None:
    parity = facts(
        {"192.0.2.10": {22: OPEN, 23: CLOSED, 445: FILTERED}}, {22: OPEN, 23: CLOSED, 445: CLOSED}
    )
    (finding,) = ex.evaluate_port_parity("www.a.test", parity)
    assert finding.status is Status.PASS
    assert finding.subject == "www.a.test [192.0.2.10] / [2001:db8::10]"
    assert finding.evidence["open_both"] == [22]


def test_open_on_any_ipv4_address_is_open_over_ipv4() -> None:
    pair = ex.HostPair(("192.0.2.10", "192.0.2.11"), "2001:db8::10", "www.a.test")
    parity = facts({"192.0.2.10": {22: FILTERED}, "192.0.2.11": {22: OPEN}}, {22: OPEN}, pair)
    assert [f.status for f in ex.evaluate_port_parity("www.a.test", parity)] == [Status.PASS]


def test_open_only_over_ipv4_is_no_failure() -> None:
    parity = facts({"192.0.2.10": {22: OPEN, 23: CLOSED}}, {22: FILTERED, 23: CLOSED})
    (finding,) = ex.evaluate_port_parity("t", parity)
    assert finding.status is Status.PASS
    assert finding.evidence["open_ipv4_only"] == [22]


def test_unreachable_ipv6_address_is_an_error() -> None:
    parity = facts({"192.0.2.10": {22: OPEN}}, {22: UNREACHABLE, 23: FILTERED})
    (finding,) = ex.evaluate_port_parity("t", parity)
    assert finding.status is Status.ERROR
    assert "Could not reach 2001:db8::10 over IPv6" in finding.summary


def test_silence_on_every_ipv6_port_means_none_is_open() -> None:
    parity = facts({"192.0.2.10": {22: OPEN}}, {22: FILTERED, 23: FILTERED})
    (finding,) = ex.evaluate_port_parity("t", parity)
    assert finding.status is Status.INFO
    assert finding.evidence["ipv6_answers"] == ["filtered"]


def test_local_errors_are_reported_beside_failures() -> None:
    parity = facts({"192.0.2.10": {22: FILTERED, 23: ERROR}}, {22: OPEN, 23: CLOSED})
    findings = ex.evaluate_port_parity("t", parity)
    assert [f.status for f in findings] == [Status.FAIL, Status.ERROR]
    assert findings[1].evidence["untested"] == [23]


def test_unfinished_probe_is_an_error() -> None:
    parity = ex.ParityFacts(
        PAIR, (22,), error="port scan of 2001:db8::10 did not finish within 3 s"
    )
    (finding,) = ex.evaluate_port_parity("t", parity)
    assert finding.status is Status.ERROR


def test_host_labels() -> None:
    assert PAIR.label == "www.a.test [192.0.2.10] / [2001:db8::10]"
    local = ex.HostPair(("192.0.2.10",), "fe80::1%eth0", None, MAC_A, "mac")
    assert local.label == f"[192.0.2.10] / [fe80::1%eth0] ({MAC_A})"


def test_transition_addresses_are_not_port_scanned() -> None:
    assert ex.native("2001:db8::1")
    assert ex.native("2001:db8::5efe:c000:201")  # ISATAP-format addresses are on-link
    assert not any(ex.native(a) for a in ("2002:c000:201::1", "::ffff:192.0.2.1", "64:ff9b::1"))


# --- the local network view -----------------------------------------------------------------

LL_A, LL_B, LL_C = "fe80::a", "fe80::b", "fe80::c"


def eth0(*addresses: lan.InterfaceAddress) -> lan.Interface:
    base = (
        lan.InterfaceAddress("192.0.2.100", 24, AddressOrigin.MANUAL),
        lan.InterfaceAddress("fe80::100", 64, AddressOrigin.LINK),
        lan.InterfaceAddress("2001:db8::100", 64, AddressOrigin.MANUAL),
    )
    return lan.Interface(
        "eth0", 2, "02:00:00:00:01:00", True, InterfaceKind.ETHERNET, "", base + addresses
    )


def view(
    neighbours: Sequence[lan.Neighbour], responders: Sequence[str] = (), *, error: str | None = None
) -> ex.LanView:
    snapshot = lan.LanSnapshot("linux", (eth0(),), tuple(neighbours))
    echo = None if error else lan.EchoResult(tuple(responders), {LL_C: MAC_B}, "raw ICMPv6 socket")
    return ex.LanView(eth0(), snapshot, echo, error, error is not None, primed=254)


NEIGHBOURS = (
    lan.Neighbour("192.0.2.10", MAC_A, "eth0"),
    lan.Neighbour("192.0.2.11", MAC_B, "eth0"),
    lan.Neighbour("192.0.2.12", "02:00:00:00:00:0c", "eth0"),  # IPv4 only
    lan.Neighbour(LL_A, MAC_A, "eth0", router=True),
    lan.Neighbour("2001:db8::10", MAC_A, "eth0"),
    lan.Neighbour("fe80::100", "02:00:00:00:01:00", "eth0"),  # ourselves
    lan.Neighbour("192.0.2.99", None, "eth0", state="failed"),
    lan.Neighbour("fe80::dd", "02:00:00:00:00:dd", "wlan0"),  # another link
)


def test_hosts_are_grouped_by_link_layer_address_and_matched_to_ipv4() -> None:
    neighbours = (*NEIGHBOURS, lan.Neighbour("fe80::ee", None, "eth0", state="failed"))
    hosts = ex.hosts_from_view(view(neighbours, responders=[LL_A, LL_C]))
    assert hosts == (
        ex.LanHost(MAC_A, (LL_A, "2001:db8::10"), ("192.0.2.10",), ("echo", "neighbour cache")),
        ex.LanHost(MAC_B, (LL_C,), ("192.0.2.11",), ("echo",)),  # MAC from its solicitation
    )
    assert hosts[0].label("eth0") == f"192.0.2.10 / fe80::a%eth0 ({MAC_A})"
    assert hosts[0].routable_ipv6 == ("2001:db8::10",)
    pairs = ex.host_pairs(hosts, "eth0")
    assert [(p.ipv4, p.ipv6, p.mac) for p in pairs] == [
        (("192.0.2.10",), "fe80::a%eth0", MAC_A),
        (("192.0.2.10",), "2001:db8::10", MAC_A),
        (("192.0.2.11",), "fe80::c%eth0", MAC_B),
    ]


def test_partners_by_link_layer_address() -> None:
    lan_view = view(NEIGHBOURS, responders=[LL_A])
    by_ipv4 = ex.mac_partners(lan_view, ["192.0.2.10"])
    assert [p.ipv6 for p in by_ipv4] == ["2001:db8::10", "fe80::a%eth0"]  # routable first
    by_ipv6 = ex.mac_partners(lan_view, ["2001:db8::10"])
    assert [(p.ipv4, p.ipv6) for p in by_ipv6] == [(("192.0.2.10",), "2001:db8::10")]
    eui64 = lan.eui64_address(ipaddress.IPv6Network("2001:db8::/64"), MAC_B)
    assert [p.ipv4 for p in ex.mac_partners(lan_view, [eui64])] == [("192.0.2.11",)]
    assert ex.mac_partners(lan_view, ["192.0.2.12"]) == []  # no IPv6 with its MAC


# --- lan verdicts ---------------------------------------------------------------------------


def advert(
    router: str = "fe80::1", mac: str | None = MAC_A, lifetime: int = 0
) -> lan.RouterAdvertisement:
    return lan.RouterAdvertisement(
        router, mac, 64, False, False, lifetime, "medium",
        prefixes=(lan.PrefixInfo("2001:db8:9::/64", True, True, 86400, 14400),),
        dns_servers=("2001:db8:9::53",),
    )  # fmt: skip


LEARNED_ROUTE = lan.LearnedRoute(
    "2001:db8:9::/64", None, "eth0", True, "proto kernel, expires in 86398 s"
)


def routers(**changes: Any) -> lan_checks.RouterFacts:
    values: dict[str, Any] = {
        "interface": "eth0",
        "ipv4_only": True,
        "advertisements": (),
        "window": 2.0,
    }
    return lan_checks.RouterFacts(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"advertisements": (advert(),)},
            [("router fe80::1%eth0 (02:00:00:00:00:0a)", Status.FAIL)],
        ),
        (
            {"advertisements": (advert(),), "ipv4_only": False},
            [("router fe80::1%eth0 (02:00:00:00:00:0a)", Status.INFO)],
        ),
        (
            {"advertisements": (advert(), advert("fe80::2", None)), "ipv4_only": False},
            [
                ("router fe80::1%eth0 (02:00:00:00:00:0a)", Status.WARNING),
                ("router fe80::2%eth0 (MAC unknown)", Status.WARNING),
            ],
        ),
        ({}, [("eth0", Status.PASS)]),
        ({"learned_routes": (LEARNED_ROUTE,)}, [("eth0", Status.FAIL)]),
        ({"learned_routes": (LEARNED_ROUTE,), "ipv4_only": False}, [("eth0", Status.INFO)]),
        ({"advertisements": None, "error": "needs administrator rights"}, [("eth0", Status.ERROR)]),
        (
            {
                "advertisements": None,
                "error": "needs administrator rights",
                "learned_routes": (LEARNED_ROUTE,),
            },
            [("eth0", Status.FAIL)],
        ),
    ],
)
def test_router_advertisement_verdicts(
    changes: dict[str, Any], expected: list[tuple[str, Status]]
) -> None:
    findings = lan_checks.evaluate_router_advertisement("lan:eth0", routers(**changes))
    assert [(f.subject, f.status) for f in findings] == expected
    assert {f.check_id for f in findings} == {"exposure.lan.router_advertisement"}


def test_router_evidence_names_mac_link_local_and_prefixes() -> None:
    (finding,) = lan_checks.evaluate_router_advertisement(
        "lan:eth0", routers(advertisements=(advert(),))
    )
    assert finding.evidence["router_mac"] == MAC_A
    assert finding.evidence["router_link_local"] == "fe80::1"
    assert finding.evidence["prefixes"][0]["prefix"] == "2001:db8:9::/64"
    assert "advertises 2001:db8:9::/64" in finding.summary
    passive = routers(
        advertisements=None, error="needs administrator rights", learned_routes=(LEARNED_ROUTE,)
    )
    (learned,) = lan_checks.evaluate_router_advertisement("lan:eth0", passive)
    assert "could be solicited (needs administrator rights)" in learned.summary
    assert learned.evidence["learned_routes"][0]["prefix"] == "2001:db8:9::/64"


SERVER = lan.Dhcpv6Advertise(
    "fe80::23", "000100...", MAC_B, ("2001:db8:9::1234",), dns_servers=("2001:db8:9::53",)
)
DHCP_ADDRESS = lan.InterfaceAddress("2001:db8:9::1234", 128, AddressOrigin.DHCP)


@pytest.mark.parametrize(
    ("servers", "ipv4_only", "error", "learned", "expected"),
    [
        (
            (SERVER,),
            True,
            None,
            (),
            [("DHCPv6 server fe80::23%eth0 (02:00:00:00:00:0b)", Status.FAIL)],
        ),
        (
            (SERVER,),
            False,
            None,
            (),
            [("DHCPv6 server fe80::23%eth0 (02:00:00:00:00:0b)", Status.INFO)],
        ),
        ((SERVER, SERVER), False, None, (), [(None, Status.WARNING), (None, Status.WARNING)]),
        ((), True, None, (), [("eth0", Status.PASS)]),
        (None, True, "needs administrator rights", (), [("eth0", Status.ERROR)]),
        (None, True, "needs administrator rights", (DHCP_ADDRESS,), [("eth0", Status.FAIL)]),
        ((), False, None, (DHCP_ADDRESS,), [("eth0", Status.INFO)]),
    ],
)
def test_dhcpv6_verdicts(
    servers: tuple[lan.Dhcpv6Advertise, ...] | None,
    ipv4_only: bool,
    error: str | None,
    learned: tuple[lan.InterfaceAddress, ...],
    expected: list[tuple[str | None, Status]],
) -> None:
    dhcp = lan_checks.Dhcpv6Facts("eth0", ipv4_only, servers, learned, error, 2.0)
    findings = lan_checks.evaluate_dhcpv6("lan:eth0", dhcp)
    assert [
        (subject and f.subject, f.status)
        for f, (subject, _) in zip(findings, expected, strict=True)
    ] == expected
    if servers:
        assert findings[0].evidence["offered_addresses"] == ["2001:db8:9::1234"]
        assert findings[0].evidence["server_mac"] == MAC_B


def test_ipv6_host_verdicts() -> None:
    hosts = ex.hosts_from_view(view(NEIGHBOURS, responders=[LL_A, LL_C]))
    declared = lan_checks.HostsFacts("eth0", True, hosts)
    assert [f.status for f in lan_checks.evaluate_ipv6_hosts("lan:eth0", declared)] == [
        Status.FAIL,  # a global address on a network declared IPv4-only
        Status.WARNING,  # IPv6 on, link-local only
    ]
    dual = lan_checks.HostsFacts("eth0", False, hosts)
    assert [f.status for f in lan_checks.evaluate_ipv6_hosts("lan:eth0", dual)] == [
        Status.INFO,
        Status.INFO,
    ]
    cache_only = lan_checks.HostsFacts("eth0", False, ex.hosts_from_view(view(NEIGHBOURS)))
    (seen,) = lan_checks.evaluate_ipv6_hosts("lan:eth0", cache_only)
    assert "has spoken IPv6 on this link" in seen.summary
    (nobody,) = lan_checks.evaluate_ipv6_hosts("lan:eth0", lan_checks.HostsFacts("eth0", True, ()))
    assert (nobody.subject, nobody.status) == ("eth0", Status.PASS)


def test_ipv6_hosts_without_an_echo_is_an_error_with_the_passive_hosts() -> None:
    hosts = ex.hosts_from_view(view(NEIGHBOURS, error="needs administrator rights"))
    findings = lan_checks.evaluate_ipv6_hosts(
        "lan:eth0",
        lan_checks.HostsFacts("eth0", True, hosts, echo_error="needs administrator rights"),
    )
    assert [f.status for f in findings] == [Status.FAIL, Status.ERROR]
    assert "has spoken IPv6 on this link" not in findings[0].summary  # it has a global address
    assert findings[-1].subject == "eth0"
    assert findings[-1].evidence["hosts"] == [hosts[0].label("eth0")]
    assert "neighbour cache" in findings[-1].summary


def interface(name: str, kind: InterfaceKind, *addresses: str, up: bool = True) -> lan.Interface:
    return lan.Interface(
        name, 9, None, up, kind, "detail",
        tuple(lan.InterfaceAddress(a, 64, AddressOrigin.MANUAL) for a in addresses),
    )  # fmt: skip


def names(**resolving: str) -> dict[str, tuple[DnsAnswer, DnsAnswer]]:
    result = {}
    for name in ("isatap", "wpad", "isatap.lan.test", "wpad.lan.test"):
        key = name.replace(".", "_")
        result[name] = (
            answer(name, "A", *([resolving[key]] if key in resolving else [])),
            answer(name, "AAAA"),
        )
    return result


def tunnels(*interfaces: lan.Interface, ipv4_only: bool = False, **resolving: str) -> list[Finding]:
    facts = lan_checks.TunnelFacts(ipv4_only, interfaces, names(**resolving), ("lan.test",))
    return lan_checks.evaluate_tunnel("lan:eth0", facts)


def test_tunnel_verdicts() -> None:
    clean = tunnels(eth0(), interface("sit0", InterfaceKind.PLACEHOLDER))
    assert statuses(clean) == [
        ("exposure.tunnel", "this machine", Status.PASS),
        ("exposure.tunnel", "DNS names isatap, wpad", Status.PASS),
    ]
    active = tunnels(
        interface("teredo", InterfaceKind.TEREDO, "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
        interface("tun6to4", InterfaceKind.SIX_TO_FOUR, "2002:c000:201::1"),
        interface("Teredo Tunneling Pseudo-Interface", InterfaceKind.TEREDO, up=False),
        interface("he-ipv6", InterfaceKind.TUNNEL, "2001:db8:ff::2"),
        interface("eth1", InterfaceKind.ETHERNET, "2001:db8::5efe:c000:201"),
    )
    assert statuses(active)[:5] == [
        ("exposure.tunnel", "tunnel interface teredo", Status.FAIL),
        ("exposure.tunnel", "tunnel interface tun6to4", Status.FAIL),
        ("exposure.tunnel", "tunnel interface Teredo Tunneling Pseudo-Interface", Status.INFO),
        ("exposure.tunnel", "tunnel interface he-ipv6", Status.WARNING),
        ("exposure.tunnel", "2001:db8::5efe:c000:201 on eth1", Status.FAIL),
    ]
    only_dormant = tunnels(
        interface("Teredo Tunneling Pseudo-Interface", InterfaceKind.TEREDO, up=False)
    )
    assert [f.status for f in only_dormant] == [Status.INFO, Status.PASS, Status.PASS]


def test_isatap_and_wpad_names() -> None:
    findings = tunnels(eth0(), isatap_lan_test="192.0.2.9", wpad="192.0.2.66")
    assert statuses(findings)[1:] == [
        ("exposure.tunnel", "wpad", Status.WARNING),
        ("exposure.tunnel", "isatap.lan.test", Status.WARNING),
        ("exposure.tunnel", "DNS names isatap, wpad", Status.PASS),
    ]
    assert "mitm6" in findings[1].summary
    declared = tunnels(eth0(), ipv4_only=True, isatap="192.0.2.9")
    assert [f.status for f in declared if f.subject == "isatap"] == [Status.FAIL]
    broken = lan_checks.TunnelFacts(
        False,
        (eth0(),),
        {"wpad": (answer("wpad", "A", outcome=DnsOutcome.TIMEOUT), answer("wpad", "AAAA"))},
    )
    assert statuses(lan_checks.evaluate_tunnel("lan:eth0", broken))[-1] == (
        "exposure.tunnel",
        "wpad",
        Status.ERROR,
    )
    assert lan_checks.tunnel_names(["lan.test", "corp.example"]) == [
        "isatap", "wpad", "isatap.lan.test", "wpad.lan.test",
        "isatap.corp.example", "wpad.corp.example",
    ]  # fmt: skip


# --- whole runs on a fake context -----------------------------------------------------------


class FakeDns:
    def __init__(
        self, records: Mapping[tuple[str, str], Sequence[str]], failing: Sequence[str] = ()
    ) -> None:
        self.records = records
        self.failing = set(failing)
        self.resolvers = ("192.0.2.53",)

    async def lookup(self, name: str, rdtype: str) -> DnsAnswer:
        if name in self.failing:
            return answer(name, rdtype, outcome=DnsOutcome.TIMEOUT)
        if not any(owner == name for owner, _ in self.records):
            return answer(name, rdtype, outcome=DnsOutcome.NXDOMAIN)
        return answer(name, rdtype, *self.records.get((name, rdtype), ()))


class FakeScanner:
    """Answers from a table: address -> {port: state}; anything else is closed (or, for an
    address not in the table, filtered: nobody there)."""

    def __init__(self, table: Mapping[str, Mapping[int, PortState]]) -> None:
        self.table = table
        self.scanned: list[str] = []

    def reserve(self, attempts: int) -> list[float]:
        return [0.0] * attempts

    def worst_case_seconds(self, attempts_ahead: int) -> float:
        return 5.0

    async def scan(self, address: str, ports: Sequence[int]) -> dict[int, PortAnswer]:
        self.scanned.append(address)
        default = CLOSED if address in self.table else FILTERED
        states = {port: self.table.get(address, {}).get(port, default) for port in ports}
        return answers(address, states)


@dataclass
class FakeContext:
    config: ScanConfig
    dns: FakeDns
    facts: dict[str, Any] = field(default_factory=dict)

    async def probe(
        self,
        what: str,
        operation: Callable[[], Awaitable[T]],
        *,
        host: str | None = None,
        timeout: float | None = None,
    ) -> T:
        return await operation()

    async def once(
        self, key: str, operation: Callable[[], Awaitable[T]], *, target: Target | None = None
    ) -> T:
        if key not in self.facts:
            self.facts[key] = await operation()
        result: T = self.facts[key]
        return result


def context(
    records: Mapping[tuple[str, str], Sequence[str]],
    table: Mapping[str, Mapping[int, PortState]],
    *,
    snapshot: lan.LanSnapshot | None = None,
    failing: Sequence[str] = (),
    **config: Any,
) -> FakeContext:
    settings = {"resolvers": ("192.0.2.53",), "exposure_ports": (22, 445, 3389)} | config
    fake = FakeContext(ScanConfig(**settings), FakeDns(records, failing))
    fake.facts["exposure.port_scanner"] = FakeScanner(table)
    fake.facts["lan.snapshot"] = snapshot or lan.LanSnapshot("linux")
    return fake


def run(family: Any, target: Target, fake: FakeContext) -> list[Finding]:
    async def collect() -> list[Finding]:
        return [finding async for finding in family.run(target, fake)]

    return asyncio.run(collect())


DUAL = {("dual.test", "A"): ["192.0.2.80"], ("dual.test", "AAAA"): ["2001:db8::80"]}
DUAL_FIREWALL = {
    "192.0.2.80": {22: FILTERED, 3389: FILTERED},
    "2001:db8::80": {22: OPEN, 3389: OPEN},
}


def test_domain_with_ports_open_only_over_ipv6() -> None:
    findings = run(ex.ExposureFamily(), parse_target("dual.test"), context(DUAL, DUAL_FIREWALL))
    assert statuses(findings) == [
        ("exposure.transition_address", "dual.test", Status.PASS),
        ("exposure.port_parity", "dual.test [192.0.2.80] / [2001:db8::80] port 22", Status.FAIL),
        ("exposure.port_parity", "dual.test [192.0.2.80] / [2001:db8::80] port 3389", Status.FAIL),
    ]


def test_domain_without_native_ipv6_is_not_port_scanned() -> None:
    records = {("m.test", "A"): ["192.0.2.80"], ("m.test", "AAAA"): ["::ffff:192.0.2.80"]}
    fake = context(records, {})
    findings = run(ex.ExposureFamily(), parse_target("m.test"), fake)
    assert [(f.check_id, f.status) for f in findings] == [
        ("exposure.transition_address", Status.FAIL),
        ("exposure.port_parity", Status.INFO),
    ]
    assert fake.facts["exposure.port_scanner"].scanned == []


def test_domain_whose_lookups_fail() -> None:
    findings = run(
        ex.ExposureFamily(), parse_target("slow.test"), context({}, {}, failing=["slow.test"])
    )
    assert [(f.check_id, f.status) for f in findings] == [
        ("exposure.transition_address", Status.ERROR),
        ("exposure.port_parity", Status.ERROR),
    ]
    assert run(ex.ExposureFamily(), parse_target("gone.test"), context({}, {})) == []


def test_address_paired_through_its_forward_confirmed_ptr_name() -> None:
    records = {
        **DUAL,
        ("80.2.0.192.in-addr.arpa", "PTR"): ["dual.test."],
        ("81.2.0.192.in-addr.arpa", "PTR"): ["dual.test."],  # the name does not point back
    }
    findings = run(ex.ExposureFamily(), parse_target("192.0.2.80"), context(records, DUAL_FIREWALL))
    assert [f.status for f in findings] == [Status.FAIL, Status.FAIL]
    assert findings[0].evidence["paired_by"] == "ptr dual.test"
    (lonely,) = run(
        ex.ExposureFamily(), parse_target("192.0.2.81"), context(records, DUAL_FIREWALL)
    )
    assert lonely.status is Status.INFO
    assert "not on a local network" in lonely.summary


def test_ipv6_address_target_gets_a_transition_finding_too() -> None:
    records = {
        **DUAL,
        ("0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR"): [
            "dual.test."
        ],
    }
    findings = run(
        ex.ExposureFamily(), parse_target("2001:db8::80"), context(records, DUAL_FIREWALL)
    )
    assert [(f.check_id, f.status) for f in findings] == [
        ("exposure.transition_address", Status.PASS),
        ("exposure.port_parity", Status.FAIL),
        ("exposure.port_parity", Status.FAIL),
    ]


def test_ipv4_network_is_swept_and_hosts_paired_by_name() -> None:
    records = {**DUAL, ("2.2.0.192.in-addr.arpa", "PTR"): ["dual.test."]}
    records[("dual.test", "A")] = ["192.0.2.2"]
    table = {"192.0.2.2": {}, "192.0.2.1": {}, "2001:db8::80": {22: OPEN}}
    fake = context(records, table)
    findings = run(ex.ExposureFamily(), parse_target("192.0.2.0/30"), fake)
    summary, *rest = findings
    assert (summary.subject, summary.status) == ("192.0.2.0/30", Status.INFO)
    assert summary.evidence["hosts_found"] == ["192.0.2.1", "192.0.2.2"]
    assert [(f.subject, f.status) for f in rest] == [
        ("dual.test [192.0.2.2] / [2001:db8::80] port 22", Status.FAIL)
    ]
    scanned = fake.facts["exposure.port_scanner"].scanned
    assert scanned.count("192.0.2.2") == 1  # the sweep's answers are reused, not asked again


def test_ipv6_network_is_tried_at_hinted_addresses_only() -> None:
    records = {
        ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR"): [
            "h.test."
        ],
        ("h.test", "A"): ["192.0.2.7"],
        ("h.test", "AAAA"): ["2001:db8::1"],
    }
    table = {"2001:db8::1": {445: OPEN}, "192.0.2.7": {445: FILTERED}}
    fake = context(records, table)
    network = Target(TargetKind.NETWORK, "2001:db8::/120")
    summary, finding = run(ex.ExposureFamily(), network, fake)
    assert summary.evidence["hints"] == ["low-byte: 255"]
    assert summary.evidence["addresses_tried"] == 255
    assert (finding.subject, finding.status) == (
        "h.test [192.0.2.7] / [2001:db8::1] port 445",
        Status.FAIL,
    )


def test_ipv6_hints_from_the_local_network() -> None:
    neighbours = (
        lan.Neighbour("192.0.2.10", MAC_A, "eth0"),
        lan.Neighbour("2001:db8:0:1::1:77", MAC_B, "eth0"),  # not a low-byte address
    )
    fake = context({}, {})
    lan_view = ex.LanView(eth0(), lan.LanSnapshot("linux", (eth0(),), neighbours), None)
    candidates, sources = asyncio.run(
        ex.ipv6_hints(fake, ipaddress.IPv6Network("2001:db8:0:1::/64"), lan_view)
    )
    assert sources == ["low-byte: 255", "neighbours: 1", "EUI-64 of link-layer addresses: 2"]
    assert lan.eui64_address(ipaddress.IPv6Network("2001:db8:0:1::/64"), MAC_A) in candidates
    assert len(candidates) == 258


def test_local_network_parity_runs_on_the_hosts_found() -> None:
    lan_view = view(NEIGHBOURS, responders=[LL_A])
    fake = context(
        {}, {"fe80::a%eth0": {445: OPEN}, "2001:db8::10": {}, "192.0.2.10": {445: FILTERED}}
    )
    fake.facts["lan.snapshot"] = lan_view.snapshot
    fake.facts["lan.view:eth0"] = lan_view
    findings = run(ex.ExposureFamily(), parse_target("lan:eth0"), fake)
    assert sorted(statuses(findings)) == [
        ("exposure.port_parity", f"[192.0.2.10] / [2001:db8::10] ({MAC_A})", Status.PASS),
        ("exposure.port_parity", f"[192.0.2.10] / [fe80::a%eth0] ({MAC_A}) port 445", Status.FAIL),
    ]
    (missing,) = run(ex.ExposureFamily(), parse_target("lan:eth9"), fake)
    assert missing.status is Status.ERROR
    assert "no interface named 'eth9'" in missing.summary


def test_lan_family_run(monkeypatch: pytest.MonkeyPatch) -> None:
    async def routers_answer(
        interface: lan.Interface, *, window: float
    ) -> tuple[lan.RouterAdvertisement, ...]:
        return (advert(),)

    async def no_dhcp(
        interface: lan.Interface, *, window: float
    ) -> tuple[lan.Dhcpv6Advertise, ...]:
        raise lan.ProbeNotPossibleError(
            "listening on port 546 needs administrator rights", privileges=True
        )

    monkeypatch.setattr(lan, "solicit_routers", routers_answer)
    monkeypatch.setattr(lan, "solicit_dhcpv6", no_dhcp)
    monkeypatch.setattr(lan_checks, "search_domains", lambda: ("lan.test",))
    lan_view = view(NEIGHBOURS, responders=[LL_A])
    fake = context({("wpad.lan.test", "A"): ["192.0.2.66"]}, {}, lan_ipv4_only=True)
    fake.facts["lan.snapshot"] = lan_view.snapshot
    fake.facts["lan.view:eth0"] = lan_view
    findings = run(lan_checks.LanFamily(), parse_target("lan:eth0"), fake)
    assert [(f.check_id, f.status) for f in findings] == [
        ("exposure.lan.router_advertisement", Status.FAIL),
        ("exposure.lan.dhcpv6", Status.ERROR),
        ("exposure.lan.ipv6_hosts", Status.FAIL),
        ("exposure.tunnel", Status.PASS),
        ("exposure.tunnel", Status.WARNING),
        ("exposure.tunnel", Status.PASS),
    ]
    missing = run(lan_checks.LanFamily(), parse_target("lan:eth9"), fake)
    assert [f.status for f in missing] == [Status.ERROR] * 4


# --- settings, targets and the command line -------------------------------------------------


def test_exposure_settings_are_coerced_and_checked() -> None:
    config = ScanConfig().with_overrides(
        {"exposure_ports": "22, 8000-8002,22", "sweep_rate": "250", "lan_ipv4_only": True}
    )
    assert config.exposure_ports == (22, 8000, 8001, 8002)
    assert (config.sweep_rate, config.lan_ipv4_only) == (250, True)
    assert ScanConfig.from_json_dict(config.to_json_dict()) == config
    bad_settings: list[dict[str, Any]] = [
        {"exposure_ports": "22,http"},
        {"exposure_ports": "0"},
        {"exposure_ports": "9-1"},
        {"exposure_ports": "1-5000"},
        {"sweep_rate": 0},
        {"lan_ipv4_only": "yes"},
        {"port_probe_timeout": 0},
        {"lan_listen_seconds": 600},
        {"lan_interface": " "},
    ]
    for bad in bad_settings:
        with pytest.raises(ValueError, match=r"exposure|sweep|lan_|port probe|LAN|interface"):
            ScanConfig().with_overrides(bad)


def test_local_network_targets() -> None:
    target = parse_target("lan:Ethernet 2")
    assert (target.kind, target.value, target.interface, target.ip_version) == (
        TargetKind.INTERFACE, "lan:Ethernet 2", "Ethernet 2", None
    )  # fmt: skip
    with pytest.raises(ValueError, match="interface name is needed"):
        parse_target("lan:")
    with pytest.raises(ValueError, match="not a local network"):
        _ = parse_target("example.org").interface


def test_lan_ipv4_only_needs_lan(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    from netready import cli

    status = cli.main(["scan", "example.org", "--lan-ipv4-only", "--db", str(tmp_path / "r.db")])
    assert status == cli.EXIT_BAD_INPUT
    assert "--lan-ipv4-only describes the network that --lan checks" in capsys.readouterr().err


# --- IPv6 neighbour priming after the echo (stand-ins for the system: nothing is sent) ------


@dataclass
class SnapshotsInTurn:
    """A stand-in inspector: each snapshot() is the next of `snapshots` (the last repeats)."""

    snapshots: list[lan.LanSnapshot]

    def snapshot(self) -> lan.LanSnapshot:
        return self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]

    def ping_command(self, interface: lan.Interface, window: float) -> list[str]:
        raise lan.LanInspectionError("no ping here")


def link_only() -> lan.Interface:
    address = lan.InterfaceAddress("fe80::100", 64, AddressOrigin.LINK)
    return lan.Interface(
        "eth0", 2, "02:00:00:00:01:00", True, InterfaceKind.ETHERNET, "", (address,)
    )


def primed_view(
    monkeypatch: pytest.MonkeyPatch, before: Sequence[lan.Neighbour], after: Sequence[lan.Neighbour]
) -> tuple[ex.LanView, list[tuple[list[str], int]]]:
    interface = link_only()
    snapshots = [lan.LanSnapshot("linux", (interface,), tuple(n)) for n in (before, after)]
    primed: list[tuple[list[str], int]] = []

    async def echo(_interface: lan.Interface, **_options: Any) -> lan.EchoResult:
        return lan.EchoResult((LL_B,), {}, "raw ICMPv6 socket")  # it sent no solicitation

    async def prime(addresses: Any, *, settle: float, scope_id: int, **_options: Any) -> int:
        primed.append((list(addresses), scope_id))
        return len(primed[-1][0])

    monkeypatch.setattr(lan, "inspector", lambda: SnapshotsInTurn(snapshots))
    monkeypatch.setattr(lan, "all_nodes_echo", echo)
    monkeypatch.setattr(lan, "prime_neighbours", prime)
    return asyncio.run(ex.lan_view(context({}, {}), interface)), primed


def test_a_responder_without_a_known_mac_is_primed_and_then_matched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a host that answered the echo but whose link-layer address nothing here learned
    ipv4 = lan.Neighbour("192.0.2.11", MAC_B, "eth0")
    learned = lan.Neighbour(LL_B, MAC_B, "eth0")
    # When the view is made, and the system learns the address once a datagram is sent
    lan_view, primed = primed_view(monkeypatch, [ipv4], [ipv4, learned])
    # Then exactly that responder was primed, on the interface's scope, and it is matched
    assert primed == [([LL_B], 2)]
    assert ex.hosts_from_view(lan_view) == (ex.LanHost(MAC_B, (LL_B,), ("192.0.2.11",), ("echo",)),)


def test_nothing_is_primed_when_every_responder_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    known = [lan.Neighbour(LL_B, MAC_B, "eth0")]
    lan_view, primed = primed_view(monkeypatch, known, known)
    assert primed == []
    assert lan_view.ipv6_neighbours() == {LL_B: MAC_B}
