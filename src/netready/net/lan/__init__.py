"""The local network, as this machine sees it and as it answers when asked.

Two halves:

**Passive** (`LanInspector.snapshot()`): this machine's interfaces and their addresses (with
where each address came from: set by hand, a router advertisement, DHCP), its neighbour
caches (IPv4 ARP and IPv6 neighbour discovery, with link-layer addresses), and the IPv6 routes
it learned from router advertisements. One interface, three implementations chosen by
`inspector()` from the platform, each through the platform's standard tools:

    Linux     ip -j -d addr / ip -j neigh / ip -j -6 route / ip -j route show default
    macOS     ifconfig -a / ndp -an / arp -an / ndp -rn / ndp -pn / netstat -rn -f inet
    Windows   one PowerShell call: Get-NetAdapter, Get-NetIPInterface, Get-NetIPAddress,
              Get-NetNeighbor, Get-NetRoute, Get-NetTeredoState, Get-NetIsatapConfiguration,
              Get-Net6to4Configuration, as JSON

None of them needs administrator rights. The parsers are pure functions, unit-tested on
sample outputs.

**Active** (sockets, the same code on every platform): an ICMPv6 echo to all nodes
(`ff02::1%iface`), a router solicitation to all routers (`ff02::2%iface`) with a listen window,
a DHCPv6 Solicit to all DHCP servers (`ff02::1:2%iface`, port 547), and IPv4 "neighbour
priming" (one datagram to the discard port of each address of a subnet, so the operating
system resolves, and caches, the link-layer address of every host that is there).

Privileges: the echo uses an ICMPv6 datagram ("ping") socket where the system allows it to
anyone (macOS; Linux with `net.ipv4.ping_group_range`), else a raw socket (administrator),
else the system's `ping` program (set-uid or with a capability on Linux and macOS, allowed for
everyone on Windows). The router solicitation needs a raw socket, the DHCPv6 Solicit the
privileged UDP port 546. What cannot be done raises `ProbeNotPossibleError` saying why; the
caller then reports the passive result. Everything is bounded by its listen window.

Errors::

    Exception
     +-- LanInspectionError     a platform tool failed or printed what we cannot read
     +-- ProbeNotPossibleError  an active probe cannot run here (`privileges`: whether
                                administrator rights would help)

The modules: `model` (what a snapshot holds, errors, shared helpers), `linux`, `macos`,
`windows` (the inspectors and their parsers), `priming`, `icmpv6`, `dhcpv6` (the active
probes). Import from this package; the names below are its interface.
"""

from __future__ import annotations

import sys

from netready.net.lan.dhcpv6 import (
    ALL_DHCP_SERVERS,
    Dhcpv6Advertise,
    build_dhcpv6_solicit,
    parse_dhcpv6_advertise,
    solicit_dhcpv6,
)
from netready.net.lan.icmpv6 import (
    EchoResult,
    PrefixInfo,
    RouterAdvertisement,
    all_nodes_echo,
    build_router_solicitation,
    parse_ping_responders,
    parse_router_advertisement,
    solicit_routers,
)
from netready.net.lan.linux import LinuxInspector
from netready.net.lan.macos import MacInspector
from netready.net.lan.model import (
    ALL_NODES,
    ALL_ROUTERS,
    AddressOrigin,
    CommandRunner,
    Interface,
    InterfaceAddress,
    InterfaceKind,
    LanInspectionError,
    LanInspector,
    LanSnapshot,
    LearnedRoute,
    Neighbour,
    ProbeNotPossibleError,
    eui64_address,
    interface_for_network,
    mac_from_eui64,
    normalise_mac,
    run_command,
    with_interface_index,
)
from netready.net.lan.priming import prime_neighbours
from netready.net.lan.windows import WindowsInspector

__all__ = [
    "ALL_DHCP_SERVERS",
    "ALL_NODES",
    "ALL_ROUTERS",
    "AddressOrigin",
    "CommandRunner",
    "Dhcpv6Advertise",
    "EchoResult",
    "Interface",
    "InterfaceAddress",
    "InterfaceKind",
    "LanInspectionError",
    "LanInspector",
    "LanSnapshot",
    "LearnedRoute",
    "LinuxInspector",
    "MacInspector",
    "Neighbour",
    "PrefixInfo",
    "ProbeNotPossibleError",
    "RouterAdvertisement",
    "WindowsInspector",
    "all_nodes_echo",
    "build_dhcpv6_solicit",
    "build_router_solicitation",
    "eui64_address",
    "inspector",
    "interface_for_network",
    "mac_from_eui64",
    "normalise_mac",
    "parse_dhcpv6_advertise",
    "parse_ping_responders",
    "parse_router_advertisement",
    "prime_neighbours",
    "run_command",
    "solicit_dhcpv6",
    "solicit_routers",
    "with_interface_index",
]


def inspector(platform: str | None = None, run: CommandRunner = run_command) -> LanInspector:
    """The inspector for `platform` (default: this one), running tools through `run`."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        return LinuxInspector(run)
    if platform == "darwin":
        return MacInspector(run)
    if platform in ("win32", "cygwin"):
        return WindowsInspector(run)
    raise LanInspectionError(f"local network inspection is not available on {platform}")
