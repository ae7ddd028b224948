"""Local network inspection and port probes without a network: parsers of each platform's
tools (on sample outputs), packet builders and parsers, pacing, and loopback-only probes."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import socket
import struct
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from netready.net import lan, portscan
from netready.net.lan import AddressOrigin, InterfaceKind
from netready.net.portscan import PortState, RateLimiter

# --- link-layer addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mac"),
    [
        ("00:15:5D:0A:0B:0C", "00:15:5d:0a:0b:0c"),
        ("00-15-5D-0A-0B-0C", "00:15:5d:0a:0b:0c"),  # Windows
        ("0:15:5d:a:b:c", "00:15:5d:0a:0b:0c"),  # macOS drops leading zeros
        ("0015.5d0a.0b0c", "00:15:5d:0a:0b:0c"),
        ("(incomplete)", None),
        ("00:00:00:00:00:00", None),
        ("ff:ff:ff:ff:ff:ff", None),
        ("", None),
        (None, None),
        ("00:15:5d:0a:0b", None),
    ],
)
def test_normalise_mac(text: str | None, mac: str | None) -> None:
    assert lan.normalise_mac(text) == mac


def test_eui64_address_and_back() -> None:
    network = ipaddress.IPv6Network("2001:db8:9::/64")
    address = lan.eui64_address(network, "52:54:00:12:34:56")
    assert address == "2001:db8:9:0:5054:ff:fe12:3456"  # universal/local bit flipped
    assert lan.mac_from_eui64(address) == "52:54:00:12:34:56"
    assert lan.mac_from_eui64("fe80::5054:ff:fe12:3456%eth0") == "52:54:00:12:34:56"
    assert lan.mac_from_eui64("2001:db8:9::80") is None  # not an EUI-64 identifier


# --- Linux: ip -j ---------------------------------------------------------------------------

LINUX_ADDR = [
    {"ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP"], "link_type": "loopback",
     "address": "00:00:00:00:00:00",
     "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8, "scope": "host"}]},
    {"ifindex": 2, "ifname": "eth0", "flags": ["BROADCAST", "UP", "LOWER_UP"], "link_type": "ether",
     "address": "52:54:00:12:34:56",
     "addr_info": [
         {"family": "inet", "local": "192.0.2.10", "prefixlen": 24, "dynamic": True},
         {"family": "inet6", "local": "2001:db8:9:0:5054:ff:fe12:3456", "prefixlen": 64,
          "scope": "global", "dynamic": True, "mngtmpaddr": True},
         {"family": "inet6", "local": "2001:db8:9::aa:bb", "prefixlen": 64, "scope": "global",
          "dynamic": True, "temporary": True},
         {"family": "inet6", "local": "2001:db8:9::1234", "prefixlen": 128, "scope": "global",
          "dynamic": True},
         {"family": "inet6", "local": "2001:db8:9::100", "prefixlen": 64, "scope": "global"},
         {"family": "inet6", "local": "fe80::5054:ff:fe12:3456", "prefixlen": 64, "scope": "link"},
     ]},
    {"ifindex": 3, "ifname": "sit0", "flags": ["NOARP"], "link_type": "sit",
     "linkinfo": {"info_kind": "sit", "info_data": {"remote": "any", "local": "any"}},
     "addr_info": []},
    {"ifindex": 4, "ifname": "tun6to4", "flags": ["UP"], "link_type": "sit",
     "linkinfo": {"info_kind": "sit", "info_data": {"remote": "any", "local": "192.0.2.10"}},
     "addr_info": [{"family": "inet6", "local": "2002:c000:20a::1", "prefixlen": 16,
                    "scope": "global"}]},
    {"ifindex": 5, "ifname": "is0", "flags": ["UP"], "link_type": "sit",
     "linkinfo": {"info_kind": "sit", "info_data": {"remote": "any", "local": "192.0.2.10",
                                                    "isatap": True}},
     "addr_info": []},
    {"ifindex": 6, "ifname": "teredo", "flags": ["UP", "POINTOPOINT"], "link_type": "none",
     "linkinfo": {"info_kind": "tun"},
     "addr_info": [{"family": "inet6", "local": "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                    "prefixlen": 32, "scope": "global"}]},
    {"ifindex": 7, "ifname": "he-ipv6", "flags": ["UP"], "link_type": "sit",
     "linkinfo": {"info_kind": "sit", "info_data": {"remote": "203.0.113.1", "local": "any"}},
     "addr_info": [{"family": "inet6", "local": "2001:db8:ff::2", "prefixlen": 64,
                    "scope": "global"}]},
]  # fmt: skip


def by_name(interfaces: Sequence[lan.Interface]) -> dict[str, lan.Interface]:
    return {interface.name: interface for interface in interfaces}


def test_linux_interfaces_kinds_and_address_origins() -> None:
    interfaces = by_name(lan.linux.parse_ip_addr(LINUX_ADDR))
    eth0 = interfaces["eth0"]
    assert (eth0.index, eth0.mac, eth0.up, eth0.kind) == (
        2,
        "52:54:00:12:34:56",
        True,
        InterfaceKind.ETHERNET,
    )
    origins = {a.address: (a.origin, a.temporary) for a in eth0.addresses}
    assert origins == {
        "192.0.2.10": (AddressOrigin.DHCP, False),
        "2001:db8:9:0:5054:ff:fe12:3456": (AddressOrigin.ROUTER_ADVERTISEMENT, False),
        "2001:db8:9::aa:bb": (AddressOrigin.ROUTER_ADVERTISEMENT, True),
        "2001:db8:9::1234": (AddressOrigin.DHCP, False),  # a dynamic /128: a DHCPv6 lease
        "2001:db8:9::100": (AddressOrigin.MANUAL, False),
        "fe80::5054:ff:fe12:3456": (AddressOrigin.LINK, False),
    }
    assert interfaces["lo"].kind is InterfaceKind.LOOPBACK
    assert interfaces["lo"].mac is None
    assert interfaces["sit0"].kind is InterfaceKind.PLACEHOLDER  # the driver's idle device
    assert interfaces["tun6to4"].kind is InterfaceKind.SIX_TO_FOUR
    assert interfaces["is0"].kind is InterfaceKind.ISATAP
    assert interfaces["teredo"].kind is InterfaceKind.TEREDO
    assert interfaces["he-ipv6"].kind is InterfaceKind.TUNNEL  # a configured 6in4 tunnel
    assert "203.0.113.1" in interfaces["he-ipv6"].detail


def test_linux_kernel_ra_protocol_marks_slaac() -> None:
    entry = {
        "ifname": "eth0",
        "link_type": "ether",
        "addr_info": [
            {"family": "inet6", "local": "2001:db8::5", "prefixlen": 64, "protocol": "kernel_ra"}
        ],
    }
    (interface,) = lan.linux.parse_ip_addr([entry])
    assert interface.addresses[0].origin is AddressOrigin.ROUTER_ADVERTISEMENT


def test_linux_neighbours_with_router_flag_and_failed_entries() -> None:
    entries = [
        {"dst": "fe80::1", "dev": "eth0", "lladdr": "02:00:00:00:00:01", "router": None,
         "state": ["STALE"]},
        {"dst": "192.0.2.1", "dev": "eth0", "lladdr": "02:00:00:00:00:01", "state": ["REACHABLE"]},
        {"dst": "192.0.2.77", "dev": "eth0", "state": ["FAILED"]},
        {"dev": "eth0"},  # nonsense is skipped
    ]  # fmt: skip
    first, second, failed = lan.linux.parse_ip_neigh(entries)
    assert (first.router, first.mac, first.state, first.version) == (
        True,
        "02:00:00:00:00:01",
        "stale",
        6,
    )
    assert not second.router
    assert failed.mac is None


def test_linux_routes_learned_from_advertisements() -> None:
    entries = [
        {"dst": "default", "gateway": "fe80::1", "dev": "eth0", "protocol": "ra", "expires": 1790},
        {"dst": "2001:db8:9::/64", "dev": "eth0", "protocol": "kernel", "expires": 86398},
        {"dst": "fe80::/64", "dev": "eth0", "protocol": "kernel"},
        {"dst": "2001:db8:77::/64", "dev": "eth0", "protocol": "static"},
        {"dst": "2001:db8:78::1", "dev": "eth0", "protocol": "boot"},
    ]  # fmt: skip
    routes = lan.linux.parse_ip_routes(entries)
    learned = {route.prefix: route.from_advertisement for route in routes}
    assert learned == {
        "::/0": True,
        "2001:db8:9::/64": True,  # an advertised on-link prefix expires
        "fe80::/64": False,
        "2001:db8:77::/64": False,
        "2001:db8:78::1/128": False,
    }
    assert routes[0].gateway == "fe80::1"
    assert "expires in 86398 s" in routes[1].evidence


def test_linux_default_route_interface() -> None:
    assert lan.linux.parse_ip_default_route([{"dst": "default", "dev": "wlan0"}]) == "wlan0"
    assert lan.linux.parse_ip_default_route([]) is None


class FakeTools:
    """A command runner answering from a table (argv joined by spaces)."""

    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs
        self.calls: list[str] = []

    def __call__(self, argv: Sequence[str]) -> str:
        command = " ".join(argv)
        self.calls.append(command)
        if command not in self.outputs:
            raise lan.LanInspectionError(f"{argv[0]} failed (1): not here")
        return self.outputs[command]


def test_linux_snapshot_keeps_what_it_could_read() -> None:
    tools = FakeTools(
        {
            "ip -j -d addr show": json.dumps(LINUX_ADDR),
            "ip -j neigh": "[]",
            "ip -j -4 route show default": json.dumps([{"dst": "default", "dev": "eth0"}]),
        }
    )
    snapshot = lan.LinuxInspector(tools).snapshot()
    assert snapshot.default_interface == "eth0"
    assert snapshot.interface("eth0") is not None
    assert snapshot.routes == ()
    assert snapshot.notes == ("IPv6 routes: ip failed (1): not here",)


def test_inspector_is_chosen_by_platform() -> None:
    assert isinstance(lan.inspector("linux"), lan.LinuxInspector)
    assert isinstance(lan.inspector("darwin"), lan.MacInspector)
    assert isinstance(lan.inspector("win32"), lan.WindowsInspector)
    with pytest.raises(lan.LanInspectionError, match="not available on sunos5"):
        lan.inspector("sunos5")


# --- macOS ----------------------------------------------------------------------------------

IFCONFIG = """\
lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
\tinet6 ::1 prefixlen 128
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1
gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280
stf0: flags=0<> mtu 1280
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\toptions=6463<RXCSUM,TXCSUM,TSO4,TSO6,CHANNEL_IO,PARTIAL_CSUM,ZEROINVERT_CSUM>
\tether a4:83:e7:1:2:3
\tinet6 fe80::1c2d:3e4f:5a6b:7c8d%en0 prefixlen 64 secured scopeid 0x6
\tinet6 2001:db8:1::1c2d:3e4f:5a6b:7c8d prefixlen 64 autoconf secured
\tinet6 2001:db8:1::a1b2:c3d4:e5f6:1234 prefixlen 64 autoconf temporary
\tinet6 2001:db8:1::5 prefixlen 64 dynamic
\tinet 192.168.1.23 netmask 0xffffff00 broadcast 192.168.1.255
\tstatus: active
stf1: flags=1<UP> mtu 1280
\tinet6 2002:c0a8:117::1 prefixlen 16
"""


def test_macos_ifconfig() -> None:
    interfaces = by_name(lan.macos.parse_ifconfig(IFCONFIG))
    en0 = interfaces["en0"]
    assert (en0.mac, en0.up, en0.kind, en0.index) == (
        "a4:83:e7:01:02:03",
        True,
        InterfaceKind.ETHERNET,
        6,
    )
    origins = {a.address: a.origin for a in en0.addresses}
    assert origins["fe80::1c2d:3e4f:5a6b:7c8d"] is AddressOrigin.LINK
    assert origins["2001:db8:1::1c2d:3e4f:5a6b:7c8d"] is AddressOrigin.ROUTER_ADVERTISEMENT
    assert origins["2001:db8:1::5"] is AddressOrigin.DHCP
    assert [a.prefixlen for a in en0.ipv4] == [24]
    assert (
        next(a for a in en0.addresses if a.temporary).address == "2001:db8:1::a1b2:c3d4:e5f6:1234"
    )
    assert interfaces["lo0"].kind is InterfaceKind.LOOPBACK
    assert interfaces["gif0"].kind is InterfaceKind.PLACEHOLDER
    assert interfaces["stf0"].kind is InterfaceKind.PLACEHOLDER
    assert interfaces["stf1"].kind is InterfaceKind.SIX_TO_FOUR


NDP_AN = """\
Neighbor                                Linklayer Address  Netif Expire    St Flgs Prbs
fe80::1%en0                             a4:83:e7:0:0:1       en0 23h59m58s S  R
2001:db8:1::9                           a4:83:e7:0:0:9       en0 permanent R
fe80::99%en0                            (incomplete)         en0 expired   I
"""
ARP_AN = """\
? (192.168.1.1) at a4:83:e7:0:0:1 on en0 ifscope [ethernet]
? (192.168.1.255) at ff:ff:ff:ff:ff:ff on en0 ifscope [ethernet]
? (192.168.1.9) at (incomplete) on en0 ifscope [ethernet]
"""
NDP_RN = "fe80::1%en0 if=en0, flags=, pref=medium, expire=20m14s\n"
NDP_PN = """\
2001:db8:1::/64 if=en0
flags=LAO vltime=2592000, pltime=604800, expire=29d23h57m4s, ref=2
  advertised by
    fe80::1%en0 (reachable)
2001:db8:2::/64 if=en0
flags=LO vltime=infinity, pltime=infinity, expire=Never, ref=0
  No advertising router
"""
NETSTAT = """\
Routing tables

Internet:
Destination        Gateway            Flags               Netif Expire
default            192.168.1.1        UGScg                 en0
127                127.0.0.1          UCS                   lo0
"""


def test_macos_neighbours_routes_and_default_interface() -> None:
    neighbours = lan.macos.parse_ndp_neighbours(NDP_AN) + lan.macos.parse_arp(ARP_AN)
    assert [(n.address, n.mac, n.router) for n in neighbours] == [
        ("fe80::1", "a4:83:e7:00:00:01", True),
        ("2001:db8:1::9", "a4:83:e7:00:00:09", False),
        ("fe80::99", None, False),
        ("192.168.1.1", "a4:83:e7:00:00:01", False),
        ("192.168.1.9", None, False),
    ]
    routers = lan.macos.parse_ndp_routers(NDP_RN)
    assert [(r.prefix, r.gateway, r.interface) for r in routers] == [("::/0", "fe80::1", "en0")]
    prefixes = lan.macos.parse_ndp_prefixes(NDP_PN)
    # only a prefix some router advertised counts
    assert [(p.prefix, p.gateway) for p in prefixes] == [("2001:db8:1::/64", "fe80::1")]
    assert lan.macos.parse_netstat_default(NETSTAT) == "en0"


def test_macos_snapshot_runs_the_standard_tools() -> None:
    tools = FakeTools(
        {
            "ifconfig -a": IFCONFIG,
            "ndp -an": NDP_AN,
            "arp -an": ARP_AN,
            "ndp -rn": NDP_RN,
            "ndp -pn": NDP_PN,
            "netstat -rn -f inet": NETSTAT,
        }
    )
    snapshot = lan.MacInspector(tools).snapshot()
    assert snapshot.default_interface == "en0"
    assert len(snapshot.routes_on("en0")) == 2
    assert snapshot.notes == ()
    assert lan.MacInspector(tools).ping_command(snapshot.interfaces[0], 2.0)[:2] == ["ping6", "-n"]


# --- Windows --------------------------------------------------------------------------------

WINDOWS = {
    "adapters": [
        {"Name": "Ethernet 2", "InterfaceIndex": "12", "MacAddress": "00-15-5D-0A-0B-0C",
         "Status": "Up", "InterfaceDescription": "Intel(R) Ethernet Connection"},
    ],
    "interfaces": [
        {"InterfaceAlias": "Ethernet 2", "InterfaceIndex": "12", "AddressFamily": "IPv6"},
        {"InterfaceAlias": "Teredo Tunneling Pseudo-Interface", "InterfaceIndex": "14",
         "AddressFamily": "IPv6"},
    ],
    "addresses": [
        {"IPAddress": "fe80::1c2d:3e4f:5a6b:7c8d%12", "InterfaceAlias": "Ethernet 2",
         "InterfaceIndex": "12", "AddressFamily": "IPv6", "PrefixLength": "64",
         "PrefixOrigin": "WellKnown", "SuffixOrigin": "Link"},
        {"IPAddress": "2001:db8:1::1c2d", "InterfaceAlias": "Ethernet 2", "InterfaceIndex": "12",
         "AddressFamily": "IPv6", "PrefixLength": "64", "PrefixOrigin": "RouterAdvertisement",
         "SuffixOrigin": "Random"},
        {"IPAddress": "2001:db8:1::77", "InterfaceAlias": "Ethernet 2", "InterfaceIndex": "12",
         "AddressFamily": "IPv6", "PrefixLength": "128", "PrefixOrigin": "3",
         "SuffixOrigin": "3"},
        {"IPAddress": "192.168.1.23", "InterfaceAlias": "Ethernet 2", "InterfaceIndex": "12",
         "AddressFamily": "IPv4", "PrefixLength": "24", "PrefixOrigin": "Dhcp",
         "SuffixOrigin": "Dhcp"},
    ],
    "neighbours": [
        {"IPAddress": "fe80::1", "LinkLayerAddress": "A4-83-E7-00-00-01",
         "InterfaceAlias": "Ethernet 2", "AddressFamily": "IPv6", "State": "Stale",
         "IsRouter": "True"},
        {"IPAddress": "ff02::1", "LinkLayerAddress": "33-33-00-00-00-01",
         "InterfaceAlias": "Ethernet 2", "AddressFamily": "IPv6", "State": "Permanent"},
        {"IPAddress": "192.168.1.9", "LinkLayerAddress": "00-00-00-00-00-00",
         "InterfaceAlias": "Ethernet 2", "AddressFamily": "IPv4", "State": "Unreachable"},
    ],
    "routes": [
        {"DestinationPrefix": "0.0.0.0/0", "NextHop": "192.168.1.1", "InterfaceAlias": "Wi-Fi",
         "AddressFamily": "IPv4", "Protocol": "NetMgmt", "RouteMetric": "50"},
        {"DestinationPrefix": "0.0.0.0/0", "NextHop": "192.168.1.1",
         "InterfaceAlias": "Ethernet 2", "AddressFamily": "IPv4", "Protocol": "Dhcp",
         "RouteMetric": "0"},
        {"DestinationPrefix": "::/0", "NextHop": "fe80::1", "InterfaceAlias": "Ethernet 2",
         "AddressFamily": "IPv6", "Protocol": "Other", "RouteMetric": "256"},
        {"DestinationPrefix": "2001:db8:1::/64", "NextHop": "::", "InterfaceAlias": "Ethernet 2",
         "AddressFamily": "IPv6", "Protocol": "RouterAdvertisement", "RouteMetric": "256"},
        {"DestinationPrefix": "2001:db8:5::/64", "NextHop": "fe80::5",
         "InterfaceAlias": "Ethernet 2", "AddressFamily": "IPv6", "Protocol": "NetMgmt",
         "RouteMetric": "256"},
    ],
    "teredo": {"Type": "Client", "State": "Dormant"},
    "isatap": None,
    "sixtofour": [],
}  # fmt: skip


def test_windows_snapshot() -> None:
    snapshot = lan.windows.parse_windows_snapshot(WINDOWS)
    assert snapshot.default_interface == "Ethernet 2"  # the lowest metric wins
    ethernet = snapshot.interface("ethernet 2")  # aliases compare case-insensitively
    assert ethernet is not None
    assert (ethernet.index, ethernet.mac, ethernet.kind) == (
        12,
        "00:15:5d:0a:0b:0c",
        InterfaceKind.ETHERNET,
    )
    origins = {a.address: (a.origin, a.temporary) for a in ethernet.addresses}
    assert origins == {
        "fe80::1c2d:3e4f:5a6b:7c8d": (AddressOrigin.LINK, False),
        "2001:db8:1::1c2d": (AddressOrigin.ROUTER_ADVERTISEMENT, True),
        "2001:db8:1::77": (AddressOrigin.DHCP, False),
        "192.168.1.23": (AddressOrigin.DHCP, False),
    }
    teredo = snapshot.interface("Teredo Tunneling Pseudo-Interface")
    assert teredo is not None
    assert teredo.kind is InterfaceKind.TEREDO
    assert "State Dormant" in teredo.detail
    assert [(n.address, n.router) for n in snapshot.neighbours] == [("fe80::1", True)]
    learned = {r.prefix: r.from_advertisement for r in snapshot.routes}
    assert learned == {"::/0": True, "2001:db8:1::/64": True, "2001:db8:5::/64": False}


def test_windows_inspector_runs_one_powershell_and_survives_garbage() -> None:
    calls: list[Sequence[str]] = []

    def garbage(argv: Sequence[str]) -> str:
        calls.append(argv)
        return "not json"

    snapshot = lan.WindowsInspector(garbage).snapshot()
    assert calls[0][0] == "powershell"
    assert "Get-NetNeighbor" in calls[0][-1]
    assert snapshot.interfaces == ()
    assert snapshot.notes[0].startswith("PowerShell snapshot:")
    one = dict(WINDOWS, adapters=WINDOWS["adapters"][0])  # ConvertTo-Json of one object
    assert lan.windows.parse_windows_snapshot(one).interface("Ethernet 2") is not None
    interface = lan.Interface("Ethernet 2", 12, None, True, InterfaceKind.ETHERNET)
    assert lan.WindowsInspector(garbage).ping_command(interface, 2.0)[-1] == "ff02::1%12"


# --- neighbour discovery and DHCPv6 packets -------------------------------------------------


def test_router_solicitation_carries_our_link_layer_address() -> None:
    packet = lan.build_router_solicitation("52:54:00:12:34:56")
    assert packet[0] == 133
    assert packet[8:16] == bytes([1, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56])
    assert len(lan.build_router_solicitation(None)) == 8


def router_advertisement() -> bytes:
    header = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0xC8, 1800, 0, 0)  # M, O, pref high
    slla = bytes([1, 1, 2, 0, 0, 0, 0, 1])
    prefix = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0)
    prefix += ipaddress.IPv6Address("2001:db8:9::").packed
    mtu = struct.pack("!BBHI", 5, 1, 0, 1480)
    rdnss = struct.pack("!BBHI", 25, 3, 0, 600) + ipaddress.IPv6Address("2001:db8:9::53").packed
    dnssl_names = b"\x03lan\x04test\x00"
    dnssl = struct.pack("!BBHI", 31, 3, 0, 600) + dnssl_names.ljust(16, b"\x00")
    route = (
        struct.pack("!BBBBI", 24, 2, 48, 0, 600) + ipaddress.IPv6Address("2001:db8:77::").packed[:8]
    )
    return header + slla + prefix + mtu + rdnss + dnssl + route


def test_router_advertisement_is_decoded() -> None:
    ad = lan.parse_router_advertisement(router_advertisement(), "fe80::1%eth0")
    assert (ad.router, ad.mac, ad.hop_limit) == ("fe80::1", "02:00:00:00:00:01", 64)
    assert (ad.managed, ad.other, ad.router_lifetime, ad.preference) == (True, True, 1800, "high")
    assert ad.prefixes == (lan.PrefixInfo("2001:db8:9::/64", True, True, 86400, 14400),)
    assert (ad.mtu, ad.dns_servers, ad.search_domains) == (1480, ("2001:db8:9::53",), ("lan.test",))
    assert ad.routes == ("2001:db8:77::/48",)
    evidence = ad.to_json()
    assert evidence["router_mac"] == "02:00:00:00:00:01"
    assert evidence["default_router"] is True


def test_malformed_router_advertisements() -> None:
    with pytest.raises(ValueError, match="not a router advertisement"):
        lan.parse_router_advertisement(b"\x86\x00", "fe80::1")
    # an option claiming more bytes than there are ends the options, keeping what came before
    truncated = router_advertisement()[:24] + bytes([3, 9, 64])
    assert lan.parse_router_advertisement(truncated, "fe80::1").prefixes == ()


def dhcp_option(code: int, body: bytes) -> bytes:
    return struct.pack("!HH", code, len(body)) + body


def advertise(transaction: bytes, duid: bytes, *, status: int = 0) -> bytes:
    iaaddr = dhcp_option(
        5, ipaddress.IPv6Address("2001:db8:9::1234").packed + struct.pack("!II", 3600, 3600)
    )
    ia_na = dhcp_option(3, struct.pack("!III", 7, 1800, 2880) + iaaddr)
    prefix = dhcp_option(
        26, struct.pack("!IIB", 3600, 3600, 56) + ipaddress.IPv6Address("2001:db8:aa00::").packed
    )
    ia_pd = dhcp_option(25, struct.pack("!III", 8, 0, 0) + prefix)
    return (
        bytes([2])
        + transaction
        + dhcp_option(2, duid)
        + ia_na
        + ia_pd
        + dhcp_option(23, ipaddress.IPv6Address("2001:db8:9::53").packed)
        + dhcp_option(24, b"\x03lan\x04test\x00")
        + dhcp_option(7, b"\xff")
        + dhcp_option(13, struct.pack("!H", status) + (b"no addresses" if status else b""))
    )


def test_dhcpv6_solicit_asks_for_an_address_and_dns() -> None:
    solicit = lan.build_dhcpv6_solicit(b"\x01\x02\x03", b"\x00\x04" + bytes(16), iaid=7)
    assert solicit[:4] == b"\x01\x01\x02\x03"
    codes = []
    rest = solicit[4:]
    while rest:
        code, length = struct.unpack("!HH", rest[:4])
        codes.append(code)
        rest = rest[4 + length :]
    assert codes == [1, 8, 6, 3]  # client id, elapsed time, option request, IA_NA
    with pytest.raises(ValueError, match="3 bytes"):
        lan.build_dhcpv6_solicit(b"\x01", b"", iaid=1)


def test_dhcpv6_advertise_is_decoded() -> None:
    llt = struct.pack("!HHI", 1, 1, 12345) + bytes.fromhex("020000000023")
    parsed = lan.parse_dhcpv6_advertise(advertise(b"abc", llt), "fe80::23%eth0", b"abc")
    assert parsed is not None
    assert (parsed.server, parsed.server_mac) == ("fe80::23", "02:00:00:00:00:23")
    assert parsed.addresses == ("2001:db8:9::1234",)
    assert parsed.prefixes == ("2001:db8:aa00::/56",)
    assert (parsed.dns_servers, parsed.domains, parsed.preference) == (
        ("2001:db8:9::53",),
        ("lan.test",),
        255,
    )
    assert parsed.status is None
    assert parsed.to_json()["offered_addresses"] == ["2001:db8:9::1234"]


def test_dhcpv6_advertise_other_transactions_and_duids() -> None:
    ll = struct.pack("!HH", 3, 1) + bytes.fromhex("020000000024")
    assert lan.parse_dhcpv6_advertise(advertise(b"abc", ll), "fe80::1", b"xyz") is None
    parsed = lan.parse_dhcpv6_advertise(advertise(b"abc", ll, status=2), "fe80::1", b"abc")
    assert parsed is not None
    assert parsed.server_mac == "02:00:00:00:00:24"  # DUID-LL
    assert parsed.status == "2 no addresses"
    enterprise = struct.pack("!HI", 2, 311) + b"opaque"
    parsed = lan.parse_dhcpv6_advertise(advertise(b"abc", enterprise), "fe80::1", b"abc")
    assert parsed is not None
    assert parsed.server_mac is None  # DUID-EN has no MAC


# --- all-nodes echo -------------------------------------------------------------------------

PING_OUTPUTS = {
    "iputils": (
        "PING ff02::1%eth0(ff02::1%eth0) 56 data bytes\n"
        "64 bytes from fe80::b0fd:55ff:fe65:4a21%eth0: icmp_seq=1 ttl=64 time=0.025 ms\n"
        "64 bytes from fe80::34c5:86ff:fe3a:da8d%eth0: icmp_seq=1 ttl=64 time=0.080 ms (DUP!)\n"
    ),
    "bsd": "16 bytes from fe80::1%en0, icmp_seq=0 hlim=64 time=0.462 ms\n",
    "windows": "Reply from fe80::1c2d:3e4f:5a6b:7c8d%12: time<1ms\n",
}


def test_ping_responders_from_each_platform() -> None:
    assert lan.parse_ping_responders(PING_OUTPUTS["iputils"]) == (
        "fe80::b0fd:55ff:fe65:4a21",
        "fe80::34c5:86ff:fe3a:da8d",
    )
    assert lan.parse_ping_responders(PING_OUTPUTS["bsd"]) == ("fe80::1",)
    assert lan.parse_ping_responders(PING_OUTPUTS["windows"]) == ("fe80::1c2d:3e4f:5a6b:7c8d",)


LOOPBACK = lan.Interface("lo", 1, None, True, InterfaceKind.LOOPBACK)


def refuse_sockets(monkeypatch: pytest.MonkeyPatch, code: int = errno.EPERM) -> None:
    def refused(kind: int, interface: lan.Interface, hops: int) -> socket.socket:
        raise PermissionError(code, "Operation not permitted")

    monkeypatch.setattr(lan.icmpv6, "_icmpv6_socket", refused)


def test_echo_without_privileges_and_without_ping_is_not_possible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse_sockets(monkeypatch)
    with pytest.raises(lan.ProbeNotPossibleError, match="needs administrator rights") as raised:
        asyncio.run(lan.all_nodes_echo(LOOPBACK, window=0.1))
    assert raised.value.privileges


def test_echo_falls_back_to_the_system_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_sockets(monkeypatch)
    own = lan.InterfaceAddress("fe80::b0fd:55ff:fe65:4a21", 64, AddressOrigin.LINK)
    interface = lan.Interface("eth0", 2, None, True, InterfaceKind.ETHERNET, addresses=(own,))
    fake_ping = [sys.executable, "-c", f"print({PING_OUTPUTS['iputils']!r})"]
    result = asyncio.run(lan.all_nodes_echo(interface, window=0.5, ping_command=fake_ping))
    # this machine's own answer is left out
    assert result.responders == ("fe80::34c5:86ff:fe3a:da8d",)
    assert result.method.endswith("command")


def test_echo_when_ping_fails_says_both(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_sockets(monkeypatch)
    failing = [sys.executable, "-c", "import sys; sys.exit('ping: no privileges')"]
    with pytest.raises(
        lan.ProbeNotPossibleError, match=r"administrator rights .*; .* failed: ping: no privileges"
    ):
        asyncio.run(lan.all_nodes_echo(LOOPBACK, window=0.2, ping_command=failing))


def test_router_solicitation_without_privileges(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_sockets(monkeypatch)
    with pytest.raises(lan.ProbeNotPossibleError, match="raw ICMPv6 socket") as raised:
        asyncio.run(lan.solicit_routers(LOOPBACK, window=0.1))
    assert raised.value.privileges


class RefusingSocket:
    def __init__(self, code: int) -> None:
        self.code = code

    def setsockopt(self, *args: Any) -> None:
        pass

    def bind(self, address: Any) -> None:
        raise OSError(self.code, "refused")

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("code", "message", "privileges"),
    [
        (errno.EACCES, "needs administrator rights", True),
        (errno.EADDRINUSE, "in use by this machine's own DHCPv6 client", False),
    ],
)
def test_dhcpv6_solicit_when_port_546_cannot_be_had(
    monkeypatch: pytest.MonkeyPatch, code: int, message: str, privileges: bool
) -> None:
    monkeypatch.setattr(lan.dhcpv6, "_udp6_socket", lambda: RefusingSocket(code))
    with pytest.raises(lan.ProbeNotPossibleError, match=message) as raised:
        asyncio.run(lan.solicit_dhcpv6(LOOPBACK, window=0.1))
    assert raised.value.privileges is privileges


def test_priming_sends_one_datagram_per_address_on_loopback() -> None:
    limiter = RateLimiter(10_000)
    sent = asyncio.run(lan.prime_neighbours(["127.0.0.1", "127.0.0.2"], limiter=limiter, settle=0))
    assert sent == 2


def test_priming_reaches_ipv6_addresses_too_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a socket on loopback in place of the discard port (which may be served or blocked)
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as listener:
        listener.bind(("::1", 0))
        listener.settimeout(2)
        monkeypatch.setattr(lan.priming, "_DISCARD_PORT", listener.getsockname()[1])
        # When IPv4 and IPv6 addresses are primed in one call
        sent = asyncio.run(lan.prime_neighbours(["::1", "127.0.0.1"], settle=0))
        # Then both datagrams went out, and the IPv6 one arrived
        assert sent == 2
        data, sender = listener.recvfrom(16)
    assert (data, sender[0]) == (b"", "::1")


def test_interface_for_network() -> None:
    eth0 = by_name(lan.linux.parse_ip_addr(LINUX_ADDR))["eth0"]
    snapshot = lan.LanSnapshot("linux", (eth0,))
    assert lan.interface_for_network(snapshot, ipaddress.ip_network("192.0.2.80/32")) is eth0
    assert lan.interface_for_network(snapshot, ipaddress.ip_network("2001:db8:9::/120")) is eth0
    assert lan.interface_for_network(snapshot, ipaddress.ip_network("198.51.100.0/24")) is None
    assert lan.interface_for_network(snapshot, ipaddress.ip_network("fe80::/64")) is None


# --- port probes and pacing -----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_rate_limiter_keeps_order_rate_and_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, burst=2, clock=clock, sleep=clock.sleep)
    assert limiter.reserve(4) == pytest.approx([100.0, 100.1, 100.2, 100.3])
    clock.now = 110.0  # a quiet period buys a burst of 2, not 100 s worth of events
    assert limiter.reserve(3) == pytest.approx([109.9, 110.0, 110.1])
    asyncio.run(limiter.acquire())
    assert clock.slept == [pytest.approx(0.2)]
    with pytest.raises(ValueError, match="more than 0"):
        RateLimiter(0)


def test_port_scanner_lowers_its_rate_to_fit_its_sockets() -> None:
    scanner = portscan.PortScanner(rate=1000, timeout=2.0, max_in_flight=100)
    # 100 sockets, less a burst of 50, held up to 2 s each: 25 attempts a second
    assert scanner.rate == pytest.approx(25)
    assert portscan.PortScanner(rate=10, timeout=1.0, max_in_flight=100).rate == 10
    # 50 attempts ahead at 25 a second: 2 s of waiting, then at most the port timeout
    assert scanner.worst_case_seconds(50) == pytest.approx(2 + 2 + 1)


def test_descriptor_budget_is_bounded() -> None:
    assert 16 <= portscan.descriptor_budget(10**9) <= 4096
    assert portscan.descriptor_budget(1) == 16


def test_socket_addresses_with_and_without_scope() -> None:
    assert portscan.socket_address("192.0.2.1", 22) == (socket.AF_INET, ("192.0.2.1", 22))
    assert portscan.socket_address("2001:db8::1", 22) == (
        socket.AF_INET6,
        ("2001:db8::1", 22, 0, 0),
    )
    _family, address = portscan.socket_address("fe80::1%7", 22)
    assert address == ("fe80::1", 22, 0, 7)
    index = socket.if_nameindex()[0]
    assert portscan.socket_address(f"fe80::1%{index[1]}", 22)[1][3] == index[0]  # type: ignore[misc]
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        portscan.socket_address("www.example.org", 22)


async def listening_port() -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(lambda reader, writer: writer.close(), "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_connect_probe_open_and_closed_on_loopback() -> None:
    async def probe() -> tuple[portscan.PortAnswer, portscan.PortAnswer]:
        server, port = await listening_port()
        async with server:
            scanner = portscan.PortScanner(rate=1000, timeout=2.0)
            answers = await scanner.scan("127.0.0.1", [port, port])  # duplicates go once
            assert list(answers) == [port]
            unused = socket.socket()
            unused.bind(("127.0.0.1", 0))
            closed_port = unused.getsockname()[1]
            unused.close()
            closed = await scanner.probe("127.0.0.1", closed_port)
            return answers[port], closed

    opened, closed = asyncio.run(probe())
    assert (opened.state, opened.detail) == (PortState.OPEN, "accepted")
    assert closed.state is PortState.CLOSED
    assert portscan.open_ports({1: opened, 2: closed}) == [1]
    assert opened.state.answered
    assert closed.state.answered


def test_connect_probe_without_answer_is_filtered(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(self: Any, sock: socket.socket, address: Any) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio.selector_events.BaseSelectorEventLoop, "sock_connect", never)
    answer = asyncio.run(portscan.connect_probe("127.0.0.1", 9, timeout=0.05))
    assert answer.state is PortState.FILTERED
    assert answer.detail == "no answer within 0.05 s"
    assert not answer.state.answered


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (OSError(errno.EHOSTUNREACH, "No route to host"), PortState.UNREACHABLE),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), PortState.UNREACHABLE),
        (OSError(errno.EMFILE, "Too many open files"), PortState.ERROR),
    ],
)
def test_connect_probe_errors(
    monkeypatch: pytest.MonkeyPatch, error: OSError, state: PortState
) -> None:
    async def failing(self: Any, sock: socket.socket, address: Any) -> None:
        raise error

    monkeypatch.setattr(asyncio.selector_events.BaseSelectorEventLoop, "sock_connect", failing)
    assert asyncio.run(portscan.connect_probe("127.0.0.1", 9, timeout=1)).state is state
    assert (
        asyncio.run(portscan.connect_probe("not an address", 9, timeout=1)).state is PortState.ERROR
    )
