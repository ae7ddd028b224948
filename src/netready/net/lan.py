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
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import json
import os
import re
import secrets
import select
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from netready.net.portscan import RateLimiter

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
    "prime_ipv4_neighbours",
    "run_command",
    "solicit_dhcpv6",
    "solicit_routers",
    "windows_snapshot_script",
    "with_interface_index",
]

ALL_NODES = "ff02::1"
ALL_ROUTERS = "ff02::2"
ALL_DHCP_SERVERS = "ff02::1:2"
DHCPV6_CLIENT_PORT = 546
DHCPV6_SERVER_PORT = 547
#: Seconds a platform tool may take.
COMMAND_TIMEOUT = 15.0
# the discard service: a datagram there does nothing, which is all priming needs
_DISCARD_PORT = 9
_PRIVILEGE_ERRNOS = frozenset({errno.EPERM, errno.EACCES})

CommandRunner = Callable[[Sequence[str]], str]


class LanInspectionError(Exception):
    """A platform tool failed, is missing, or printed something unreadable."""


class ProbeNotPossibleError(Exception):
    """An active probe cannot run on this machine; `reason` says why in words.

    `privileges` is True when administrator (root) rights would make it possible.
    """

    def __init__(self, reason: str, *, privileges: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.privileges = privileges


# --- what the passive inspection finds ------------------------------------------------------


class AddressOrigin(StrEnum):
    MANUAL = "manual"  # set by hand or by a configuration file
    LINK = "link"  # a link-local address the host made itself
    ROUTER_ADVERTISEMENT = "router-advertisement"  # SLAAC, from an advertised prefix
    DHCP = "dhcp"  # DHCP (IPv4) or DHCPv6
    UNKNOWN = "unknown"


class InterfaceKind(StrEnum):
    ETHERNET = "ethernet"  # Ethernet or Wi-Fi: where a LAN is
    LOOPBACK = "loopback"
    TEREDO = "teredo"  # IPv6 in UDP over IPv4 (RFC 4380), through NATs
    SIX_TO_FOUR = "6to4"  # IPv6 in IPv4 to anycast relays (RFC 3056, deprecated by RFC 7526)
    ISATAP = "isatap"  # IPv6 in IPv4 inside a site (RFC 5214)
    TUNNEL = "tunnel"  # another IPv6-in-IPv4 or generic tunnel (6in4, gif, ...)
    PLACEHOLDER = "placeholder"  # a tunnel driver's idle default device (Linux sit0, macOS gif0)
    OTHER = "other"  # VPN tunnels, bridges we cannot classify, ...

    @property
    def is_transition_tunnel(self) -> bool:
        """The three automatic tunnels that carry IPv6 past IPv4 defences on their own."""
        return self in (InterfaceKind.TEREDO, InterfaceKind.SIX_TO_FOUR, InterfaceKind.ISATAP)


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    """One address of an interface: without a `%scope`, with its prefix length and origin."""

    address: str
    prefixlen: int
    origin: AddressOrigin = AddressOrigin.UNKNOWN
    temporary: bool = False

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.address).version

    @property
    def is_link_local(self) -> bool:
        return ipaddress.ip_address(self.address).is_link_local

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_interface(f"{self.address}/{self.prefixlen}").network

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"address": f"{self.address}/{self.prefixlen}"}
        data["origin"] = self.origin.value
        if self.temporary:
            data["temporary"] = True
        return data


@dataclass(frozen=True, slots=True)
class Interface:
    """One network interface of this machine.

    Attributes:
        name: the name the user types (`eth0`, `en0`, the Windows alias `Ethernet 2`).
        index: the interface index (the `%scope` of its link-local addresses), if known.
        mac: the link-layer address, lower-case with colons, or None.
        up: whether it is up (carrier or administratively, as the platform reports).
        kind: what sort of interface it is; tunnels are told apart here.
        detail: how the platform describes it (tunnel mode, adapter description, state).
        addresses: its IPv4 and IPv6 addresses.
    """

    name: str
    index: int | None
    mac: str | None
    up: bool
    kind: InterfaceKind
    detail: str = ""
    addresses: tuple[InterfaceAddress, ...] = ()

    @property
    def ipv4(self) -> tuple[InterfaceAddress, ...]:
        return tuple(a for a in self.addresses if a.version == 4)

    @property
    def ipv6(self) -> tuple[InterfaceAddress, ...]:
        return tuple(a for a in self.addresses if a.version == 6)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "up": self.up,
            "mac": self.mac,
            "detail": self.detail,
            "addresses": [address.to_json() for address in self.addresses],
        }


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An entry of a neighbour cache (ARP for IPv4, neighbour discovery for IPv6)."""

    address: str
    mac: str | None
    interface: str
    router: bool = False
    state: str = ""

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.address).version


@dataclass(frozen=True, slots=True)
class LearnedRoute:
    """An IPv6 route (or on-link prefix) this machine has; `from_advertisement` when an RA
    put it there. `evidence` says how that is known (`proto ra`, `ndp -pn`, ...)."""

    prefix: str
    gateway: str | None
    interface: str
    from_advertisement: bool
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "gateway": self.gateway,
            "interface": self.interface,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class LanSnapshot:
    """Everything the passive inspection found, at one moment.

    `notes` tells what could not be read (one tool failing leaves the rest usable).
    """

    platform: str
    interfaces: tuple[Interface, ...] = ()
    neighbours: tuple[Neighbour, ...] = ()
    routes: tuple[LearnedRoute, ...] = ()
    default_interface: str | None = None
    notes: tuple[str, ...] = ()

    def interface(self, name: str) -> Interface | None:
        """The interface called `name` (Windows aliases compare case-insensitively)."""
        for interface in self.interfaces:
            if interface.name == name:
                return interface
        folded = name.casefold()
        return next((i for i in self.interfaces if i.name.casefold() == folded), None)

    def neighbours_on(self, name: str) -> tuple[Neighbour, ...]:
        return tuple(n for n in self.neighbours if n.interface == name)

    def routes_on(self, name: str) -> tuple[LearnedRoute, ...]:
        return tuple(r for r in self.routes if r.interface == name)


class LanInspector(Protocol):
    """The platform's view of the local network."""

    platform: str

    def snapshot(self) -> LanSnapshot:
        """Read interfaces, neighbours and learned routes now (blocking; run it in a thread)."""
        ...

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        """The system `ping` invocation for an all-nodes echo, or None when there is none."""
        ...


# --- link-layer addresses -------------------------------------------------------------------

_MAC_PARTS = re.compile(r"[0-9A-Fa-f]{1,2}")


def normalise_mac(text: str | None) -> str | None:
    """`00-15-5D-0A-0B-0C`, `0:15:5d:a:b:c` or `0015.5d0a.0b0c` -> `00:15:5d:0a:0b:0c`.

    None for anything that is not a usable 6-byte address (incomplete, all zero, broadcast).
    """
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}", text):
        text = text.replace(".", "")
        parts = [text[i : i + 2] for i in range(0, 12, 2)]
    else:
        parts = re.split(r"[:\-]", text)
    if len(parts) != 6 or not all(_MAC_PARTS.fullmatch(part) for part in parts):
        return None
    mac = ":".join(f"{int(part, 16):02x}" for part in parts)
    if mac in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        return None
    return mac


def _mac_bytes(mac: str) -> bytes:
    return bytes(int(part, 16) for part in mac.split(":"))


def eui64_address(network: ipaddress.IPv6Network, mac: str) -> str:
    """The SLAAC address (modified EUI-64, RFC 4291 appendix A) of `mac` in a /64 `network`."""
    raw = bytearray(_mac_bytes(mac))
    raw[0] ^= 0x02  # the universal/local bit is inverted in the interface identifier
    identifier = bytes(raw[:3]) + b"\xff\xfe" + bytes(raw[3:])
    base = int(network.network_address) & ~((1 << 64) - 1)
    return str(ipaddress.IPv6Address(base | int.from_bytes(identifier, "big")))


def mac_from_eui64(address: str) -> str | None:
    """The link-layer address inside a modified EUI-64 interface identifier, or None."""
    identifier = int(ipaddress.IPv6Address(address.split("%", 1)[0])) & ((1 << 64) - 1)
    raw = identifier.to_bytes(8, "big")
    if raw[3:5] != b"\xff\xfe":
        return None
    first = raw[0] ^ 0x02
    return normalise_mac(":".join(f"{b:02x}" for b in (first, *raw[1:3], *raw[5:8])))


# --- running platform tools -----------------------------------------------------------------


def run_command(argv: Sequence[str]) -> str:
    """Run a platform tool with a time limit; its standard output, or LanInspectionError."""
    program = shutil.which(argv[0]) or shutil.which(
        argv[0], path=os.pathsep.join(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
    )
    if program is None:
        raise LanInspectionError(f"{argv[0]} is not installed or not on PATH")
    try:
        done = subprocess.run(
            [program, *argv[1:]],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
            encoding="utf-8",
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise LanInspectionError(f"{argv[0]} took longer than {COMMAND_TIMEOUT:g} s") from None
    except OSError as error:
        raise LanInspectionError(f"cannot run {argv[0]}: {error}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise LanInspectionError(
            f"{' '.join(argv)} failed ({done.returncode}): {message[-1] if message else ''}"
        )
    return done.stdout


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


def _attempt(notes: list[str], what: str, read: Callable[[], Any], default: Any) -> Any:
    """Run one read of a snapshot; a failure becomes a note, and the rest carries on."""
    try:
        return read()
    except (LanInspectionError, ValueError, KeyError, TypeError) as error:
        notes.append(f"{what}: {error}")
        return default


# --- Linux ----------------------------------------------------------------------------------


@dataclass
class LinuxInspector:
    """iproute2's JSON output (`ip -j`), present on every current distribution."""

    run: CommandRunner = run_command
    platform: str = "linux"

    def snapshot(self) -> LanSnapshot:
        notes: list[str] = []

        def ip_json(*args: str) -> Any:
            return json.loads(self.run(["ip", "-j", *args]) or "[]")

        interfaces = _attempt(
            notes, "interfaces", lambda: parse_ip_addr(ip_json("-d", "addr", "show")), ()
        )
        neighbours = _attempt(notes, "neighbours", lambda: parse_ip_neigh(ip_json("neigh")), ())
        routes = _attempt(
            notes, "IPv6 routes", lambda: parse_ip_routes(ip_json("-6", "route", "show")), ()
        )
        default = _attempt(
            notes,
            "default route",
            lambda: parse_ip_default_route(ip_json("-4", "route", "show", "default")),
            None,
        )
        return LanSnapshot("linux", interfaces, neighbours, routes, default, tuple(notes))

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        # iputils: -w ends it after the window; multicast refuses intervals below 1 s
        seconds = str(max(1, round(window)))
        return ["ping", "-6", "-n", "-c", "2", "-w", seconds, f"{ALL_NODES}%{interface.name}"]


_LINUX_TUNNEL_KINDS = {"ip6tnl", "gre", "ip6gre", "ipip", "vti", "vti6", "ip6ip6"}
_TEREDO = ipaddress.IPv6Network("2001::/32")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def parse_ip_addr(entries: Iterable[Mapping[str, Any]]) -> tuple[Interface, ...]:
    """Interfaces from `ip -j -d addr show`."""
    interfaces = []
    for entry in entries:
        addresses = tuple(
            _linux_address(info)
            for info in entry.get("addr_info", ())
            if info.get("family") in ("inet", "inet6") and info.get("local")
        )
        name = str(entry["ifname"])
        kind, detail = _linux_kind(entry, name, addresses)
        flags = entry.get("flags", ())
        interfaces.append(
            Interface(
                name=name,
                index=int(entry["ifindex"]) if "ifindex" in entry else None,
                mac=normalise_mac(entry.get("address"))
                if entry.get("link_type") == "ether"
                else None,
                up="UP" in flags,
                kind=kind,
                detail=detail,
                addresses=addresses,
            )
        )
    return tuple(interfaces)


def _linux_address(info: Mapping[str, Any]) -> InterfaceAddress:
    address = str(info["local"])
    prefixlen = int(info.get("prefixlen", 128 if info["family"] == "inet6" else 32))
    origin = AddressOrigin.MANUAL
    if info["family"] == "inet6" and info.get("scope") == "link":
        origin = AddressOrigin.LINK
    elif info.get("protocol") == "kernel_ra" or info.get("mngtmpaddr") or info.get("temporary"):
        origin = AddressOrigin.ROUTER_ADVERTISEMENT
    elif info.get("dynamic"):
        # a dynamic IPv6 /128 is a DHCPv6 lease (clients add IA_NA addresses as /128);
        # any other dynamic IPv6 address came from an advertised prefix
        if info["family"] == "inet6" and prefixlen != 128:
            origin = AddressOrigin.ROUTER_ADVERTISEMENT
        else:
            origin = AddressOrigin.DHCP
    return InterfaceAddress(address, prefixlen, origin, bool(info.get("temporary")))


def _linux_kind(
    entry: Mapping[str, Any], name: str, addresses: Sequence[InterfaceAddress]
) -> tuple[InterfaceKind, str]:
    link_type = entry.get("link_type", "")
    linkinfo = entry.get("linkinfo") or {}
    info_kind = str(linkinfo.get("info_kind", ""))
    data = linkinfo.get("info_data") or {}
    if link_type == "loopback":
        return InterfaceKind.LOOPBACK, "loopback"
    if info_kind == "sit" or link_type == "sit":
        return _sit_kind(data, addresses)
    if name.startswith("teredo") or any(
        a.version == 6 and ipaddress.IPv6Address(a.address) in _TEREDO for a in addresses
    ):
        return InterfaceKind.TEREDO, f"{info_kind or link_type} interface {name} (Miredo)"
    if info_kind in _LINUX_TUNNEL_KINDS:
        remote = data.get("remote", "any")
        return InterfaceKind.TUNNEL, f"{info_kind} tunnel, remote {remote}"
    if link_type == "ether":
        return InterfaceKind.ETHERNET, info_kind or "ether"
    return InterfaceKind.OTHER, info_kind or str(link_type)


def _sit_kind(
    data: Mapping[str, Any], addresses: Sequence[InterfaceAddress]
) -> tuple[InterfaceKind, str]:
    remote, local = data.get("remote", "any"), data.get("local", "any")
    detail = f"sit tunnel, local {local}, remote {remote}"
    if data.get("isatap"):
        return InterfaceKind.ISATAP, f"{detail}, isatap"
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in _SIX_TO_FOUR for a in addresses):
        return InterfaceKind.SIX_TO_FOUR, detail
    if remote == "any" and not any(not a.is_link_local for a in addresses if a.version == 6):
        # sit0, the driver's default device, exists whenever the module is loaded
        return InterfaceKind.PLACEHOLDER, detail
    return InterfaceKind.TUNNEL, detail


def parse_ip_neigh(entries: Iterable[Mapping[str, Any]]) -> tuple[Neighbour, ...]:
    """Neighbours from `ip -j neigh` (both families)."""
    neighbours = []
    for entry in entries:
        if "dst" not in entry or "dev" not in entry:
            continue
        state = entry.get("state") or []
        neighbours.append(
            Neighbour(
                address=str(entry["dst"]),
                mac=normalise_mac(entry.get("lladdr")),
                interface=str(entry["dev"]),
                router="router" in entry,  # the key is present (null) for router entries
                state=",".join(str(s) for s in state).lower(),
            )
        )
    return tuple(neighbours)


def parse_ip_routes(entries: Iterable[Mapping[str, Any]]) -> tuple[LearnedRoute, ...]:
    """IPv6 routes from `ip -j -6 route show`.

    Learned from an advertisement: protocol `ra` (default and RIO routes), or a prefix
    route with a lifetime (`expires`), which is how the kernel installs an advertised
    on-link prefix; the link-local prefix and routes set by hand never expire.
    """
    routes = []
    for entry in entries:
        destination = str(entry.get("dst", ""))
        if not destination or "dev" not in entry:
            continue
        prefix = "::/0" if destination == "default" else destination
        if "/" not in prefix:
            prefix += "/128"
        protocol = str(entry.get("protocol", ""))
        expires = entry.get("expires")
        from_ra = protocol == "ra" or (
            expires is not None and not ipaddress.IPv6Network(prefix).is_link_local
        )
        evidence = f"proto {protocol or 'boot'}" + (f", expires in {expires} s" if expires else "")
        routes.append(
            LearnedRoute(prefix, entry.get("gateway"), str(entry["dev"]), from_ra, evidence)
        )
    return tuple(routes)


def parse_ip_default_route(entries: Sequence[Mapping[str, Any]]) -> str | None:
    """The interface of the first IPv4 default route in `ip -j -4 route show default`."""
    for entry in entries:
        if entry.get("dev"):
            return str(entry["dev"])
    return None


# --- macOS ----------------------------------------------------------------------------------


@dataclass
class MacInspector:
    """ifconfig, ndp, arp and netstat, as shipped with every macOS."""

    run: CommandRunner = run_command
    platform: str = "darwin"

    def snapshot(self) -> LanSnapshot:
        notes: list[str] = []
        interfaces = _attempt(
            notes, "interfaces", lambda: parse_ifconfig(self.run(["ifconfig", "-a"])), ()
        )
        neighbours = _attempt(
            notes, "IPv6 neighbours", lambda: parse_ndp_neighbours(self.run(["ndp", "-an"])), ()
        )
        neighbours += _attempt(
            notes, "IPv4 neighbours", lambda: parse_arp(self.run(["arp", "-an"])), ()
        )
        routes = _attempt(
            notes, "default routers", lambda: parse_ndp_routers(self.run(["ndp", "-rn"])), ()
        )
        routes += _attempt(
            notes, "prefixes", lambda: parse_ndp_prefixes(self.run(["ndp", "-pn"])), ()
        )
        default = _attempt(
            notes,
            "default route",
            lambda: parse_netstat_default(self.run(["netstat", "-rn", "-f", "inet"])),
            None,
        )
        return LanSnapshot("darwin", interfaces, neighbours, routes, default, tuple(notes))

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        # ping6 is set-uid root on macOS; -c 2 requests one second apart
        return ["ping6", "-n", "-c", "2", "-I", interface.name, ALL_NODES]


_IFCONFIG_HEADER = re.compile(r"^(?P<name>[^\s:]+): flags=\w+<(?P<flags>[^>]*)>")


def parse_ifconfig(text: str) -> tuple[Interface, ...]:
    """Interfaces from macOS (BSD) `ifconfig -a`."""
    blocks: list[tuple[str, list[str], list[str]]] = []
    for line in text.splitlines():
        header = _IFCONFIG_HEADER.match(line)
        if header:
            blocks.append((header["name"], header["flags"].split(","), []))
        elif blocks and line[:1].isspace():
            blocks[-1][2].append(line.strip())
    return tuple(_bsd_interface(name, flags, lines) for name, flags, lines in blocks)


def _bsd_interface(name: str, flags: list[str], lines: list[str]) -> Interface:
    mac, index = None, None
    addresses: list[InterfaceAddress] = []
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] == "ether" and len(words) > 1:
            mac = normalise_mac(words[1])
        elif words[0] == "inet" and len(words) > 1:
            addresses.append(_bsd_ipv4(words))
        elif words[0] == "inet6" and len(words) > 1:
            address, scope = _bsd_ipv6(words)
            addresses.append(address)
            index = scope if scope is not None else index
    kind = _bsd_kind(name, addresses)
    return Interface(
        name, index, mac, "UP" in flags, kind, f"flags {','.join(flags)}", tuple(addresses)
    )


def _bsd_ipv4(words: list[str]) -> InterfaceAddress:
    prefixlen = 32
    if "netmask" in words:
        mask = words[words.index("netmask") + 1]
        value = int(mask, 16) if mask.startswith("0x") else int(ipaddress.IPv4Address(mask))
        prefixlen = bin(value).count("1")
    # the system's DHCP client marks nothing in ifconfig; `ipconfig getpacket` would say
    return InterfaceAddress(words[1], prefixlen, AddressOrigin.UNKNOWN)


def _bsd_ipv6(words: list[str]) -> tuple[InterfaceAddress, int | None]:
    address = words[1].split("%", 1)[0]
    prefixlen = int(words[words.index("prefixlen") + 1]) if "prefixlen" in words else 128
    scope = None
    if "scopeid" in words:
        scope = int(words[words.index("scopeid") + 1], 0)
    if ipaddress.IPv6Address(address).is_link_local:
        origin = AddressOrigin.LINK
    elif "dynamic" in words:  # macOS marks DHCPv6 leases "dynamic"
        origin = AddressOrigin.DHCP
    elif "autoconf" in words or "temporary" in words:
        origin = AddressOrigin.ROUTER_ADVERTISEMENT
    else:
        origin = AddressOrigin.MANUAL
    return InterfaceAddress(address, prefixlen, origin, "temporary" in words), scope


def _bsd_kind(name: str, addresses: Sequence[InterfaceAddress]) -> InterfaceKind:
    has_global6 = any(a.version == 6 and not a.is_link_local for a in addresses)
    if name.startswith("lo"):
        return InterfaceKind.LOOPBACK
    if name.startswith("stf"):  # "six to four"
        return InterfaceKind.SIX_TO_FOUR if has_global6 else InterfaceKind.PLACEHOLDER
    if name.startswith("teredo") or any(
        a.version == 6 and ipaddress.IPv6Address(a.address) in _TEREDO for a in addresses
    ):
        return InterfaceKind.TEREDO
    if name.startswith("gif"):
        return InterfaceKind.TUNNEL if has_global6 else InterfaceKind.PLACEHOLDER
    if name.startswith(("en", "bridge")):
        return InterfaceKind.ETHERNET
    return InterfaceKind.OTHER


def parse_ndp_neighbours(text: str) -> tuple[Neighbour, ...]:
    """IPv6 neighbours from macOS `ndp -an`: Neighbor, Linklayer Address, Netif, Expire, S,
    Flags."""
    neighbours = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 3 or words[0] == "Neighbor" or ":" not in words[0]:
            continue
        address = words[0].split("%", 1)[0]
        flags = words[5] if len(words) > 5 else ""
        neighbours.append(
            Neighbour(
                address=address,
                mac=normalise_mac(words[1]),
                interface=words[2],
                router="R" in flags,
                state=words[4] if len(words) > 4 else "",
            )
        )
    return tuple(neighbours)


_ARP_LINE = re.compile(r"\((?P<ip>[0-9.]+)\) at (?P<mac>\S+) on (?P<iface>\S+)")


def parse_arp(text: str) -> tuple[Neighbour, ...]:
    """IPv4 neighbours from BSD `arp -an` (`? (192.0.2.1) at 0:1:2:3:4:5 on en0 ...`)."""
    neighbours = []
    for line in text.splitlines():
        match = _ARP_LINE.search(line)
        if match and not match["ip"].endswith(".255"):
            neighbours.append(Neighbour(match["ip"], normalise_mac(match["mac"]), match["iface"]))
    return tuple(neighbours)


def parse_ndp_routers(text: str) -> tuple[LearnedRoute, ...]:
    """Default routers from macOS `ndp -rn` (`fe80::1%en0 if=en0, flags=, pref=medium, ...`);
    only router advertisements put routers on this list."""
    routes = []
    for line in text.splitlines():
        match = re.match(r"^(?P<router>[0-9a-fA-F:]+)(%\S+)?\s+if=(?P<iface>[^,\s]+)", line)
        if match:
            routes.append(
                LearnedRoute(
                    "::/0", match["router"], match["iface"], True, "ndp -rn (default router list)"
                )
            )
    return tuple(routes)


def parse_ndp_prefixes(text: str) -> tuple[LearnedRoute, ...]:
    """Advertised prefixes from macOS `ndp -pn`: a prefix line (`2001:db8::/64 if=en0`), its
    flags, then `advertised by` and the routers, or `No advertising router`."""
    routes: list[LearnedRoute] = []
    current: tuple[str, str] | None = None
    routers: list[str] = []

    def flush() -> None:
        if current and routers:
            for router in routers:
                routes.append(LearnedRoute(current[0], router, current[1], True, "ndp -pn"))

    for line in text.splitlines():
        match = re.match(r"^(?P<prefix>[0-9a-fA-F:]+/\d+)\s+if=(?P<iface>\S+)", line)
        if match:
            flush()
            current, routers = (match["prefix"], match["iface"]), []
            continue
        router = re.match(r"^\s+(?P<router>fe80:[0-9a-fA-F:]+)(%\S+)?", line)
        if current and router:
            routers.append(router["router"])
    flush()
    return tuple(routes)


def parse_netstat_default(text: str) -> str | None:
    """The interface of the IPv4 default route in `netstat -rn -f inet` (column Netif)."""
    column = None
    for line in text.splitlines():
        words = line.split()
        if "Netif" in words:
            column = words.index("Netif")
        elif words and words[0] == "default" and column is not None and len(words) > column:
            return words[column]
    return None


# --- Windows --------------------------------------------------------------------------------

# One PowerShell run for the whole snapshot (PowerShell takes about a second to start). Enum
# values are turned into their names, which do not depend on the display language; a missing
# module (the transition-technology cmdlets) leaves its part empty.
_WINDOWS_QUERIES = {
    "adapters": (
        "Get-NetAdapter -IncludeHidden",
        ("Name", "InterfaceIndex", "MacAddress", "Status", "InterfaceDescription"),
    ),
    "interfaces": (
        "Get-NetIPInterface",
        ("InterfaceAlias", "InterfaceIndex", "AddressFamily", "ConnectionState"),
    ),
    "addresses": (
        "Get-NetIPAddress",
        ("IPAddress", "InterfaceAlias", "InterfaceIndex", "AddressFamily", "PrefixLength",
         "PrefixOrigin", "SuffixOrigin", "AddressState"),
    ),
    "neighbours": (
        "Get-NetNeighbor",
        ("IPAddress", "LinkLayerAddress", "InterfaceAlias", "AddressFamily", "State", "IsRouter"),
    ),
    "routes": (
        "Get-NetRoute",
        ("DestinationPrefix", "NextHop", "InterfaceAlias", "AddressFamily", "Protocol",
         "RouteMetric"),
    ),
    "teredo": ("Get-NetTeredoState", ("Type", "State")),
    "isatap": ("Get-NetIsatapConfiguration", ("State", "Router")),
    "sixtofour": ("Get-Net6to4Configuration", ("State", "RelayName")),
}  # fmt: skip


def windows_snapshot_script() -> str:
    """The PowerShell program that prints the snapshot as one JSON object."""
    names = (
        "function Names($items, $props) { @($items | Select-Object -Property $props | "
        "ForEach-Object { $o = [ordered]@{}; foreach ($p in $_.PSObject.Properties) "
        '{ $o[$p.Name] = "$($p.Value)" }; $o }) }'
    )
    parts = [
        f"  {key} = Names ({command}) @({','.join(repr(p) for p in properties)})"
        for key, (command, properties) in _WINDOWS_QUERIES.items()
    ]
    body = "\n".join(parts)
    return (
        f"$ErrorActionPreference = 'SilentlyContinue'\n{names}\n"
        f"[ordered]@{{\n{body}\n}} | ConvertTo-Json -Depth 4 -Compress\n"
    )


@dataclass
class WindowsInspector:
    """Windows through PowerShell's networking cmdlets (NetTCPIP, NetAdapter, NetworkTransition)."""

    run: CommandRunner = run_command
    platform: str = "win32"

    def snapshot(self) -> LanSnapshot:
        script = windows_snapshot_script()
        argv = ["powershell", "-NoProfile", "-NonInteractive", "-Command", script]
        try:
            data = json.loads(self.run(argv) or "{}")
        except (LanInspectionError, ValueError) as error:
            return LanSnapshot("win32", notes=(f"PowerShell snapshot: {error}",))
        return parse_windows_snapshot(data)

    def ping_command(self, interface: Interface, window: float) -> list[str] | None:
        if interface.index is None:
            return None
        milliseconds = str(max(500, int(window * 500)))
        return ["ping", "-6", "-n", "2", "-w", milliseconds, f"{ALL_NODES}%{interface.index}"]


_WINDOWS_TUNNEL_NAMES = (
    ("teredo", InterfaceKind.TEREDO),
    ("isatap", InterfaceKind.ISATAP),
    ("6to4", InterfaceKind.SIX_TO_FOUR),
)
_WINDOWS_ORIGINS = {
    "manual": AddressOrigin.MANUAL,
    "wellknown": AddressOrigin.LINK,
    "dhcp": AddressOrigin.DHCP,
    "routeradvertisement": AddressOrigin.ROUTER_ADVERTISEMENT,
    # the numeric values of NL_PREFIX_ORIGIN, should a PowerShell print them
    "1": AddressOrigin.MANUAL,
    "2": AddressOrigin.LINK,
    "3": AddressOrigin.DHCP,
    "4": AddressOrigin.ROUTER_ADVERTISEMENT,
}
_IPV6_FAMILY = ("ipv6", "23")


def _list(value: Any) -> list[Mapping[str, Any]]:
    # ConvertTo-Json writes one object, not a list of one, and $null for none
    if value is None:
        return []
    return [
        item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)
    ]


def parse_windows_snapshot(data: Mapping[str, Any]) -> LanSnapshot:
    """A snapshot from the JSON `windows_snapshot_script()` prints."""
    notes: list[str] = []
    states = _windows_transition_states(data)
    interfaces = _attempt(notes, "interfaces", lambda: _windows_interfaces(data, states), ())
    neighbours = _attempt(notes, "neighbours", lambda: _windows_neighbours(data), ())
    routes, default = _attempt(notes, "routes", lambda: _windows_routes(data), ((), None))
    return LanSnapshot("win32", interfaces, neighbours, routes, default, tuple(notes))


def _windows_transition_states(data: Mapping[str, Any]) -> dict[InterfaceKind, str]:
    states = {}
    for key, kind in (
        ("teredo", InterfaceKind.TEREDO),
        ("isatap", InterfaceKind.ISATAP),
        ("sixtofour", InterfaceKind.SIX_TO_FOUR),
    ):
        for item in _list(data.get(key)):
            states[kind] = ", ".join(f"{name} {value}" for name, value in item.items() if value)
    return states


def _windows_interfaces(
    data: Mapping[str, Any], states: Mapping[InterfaceKind, str]
) -> tuple[Interface, ...]:
    adapters = {str(a.get("Name")): a for a in _list(data.get("adapters"))}
    aliases: dict[str, int | None] = {}
    for item in _list(data.get("interfaces")):
        alias = str(item.get("InterfaceAlias", ""))
        aliases.setdefault(alias, _index(item))
    for name, adapter in adapters.items():
        aliases.setdefault(name, _index(adapter))
    addresses: dict[str, list[InterfaceAddress]] = {}
    for item in _list(data.get("addresses")):
        address = str(item.get("IPAddress", "")).split("%", 1)[0]
        if not address:
            continue
        origin = _WINDOWS_ORIGINS.get(
            str(item.get("PrefixOrigin", "")).lower(), AddressOrigin.UNKNOWN
        )
        if (
            str(item.get("SuffixOrigin", "")).lower() in ("link", "2")
            and ipaddress.ip_address(address).is_link_local
        ):
            origin = AddressOrigin.LINK
        temporary = (
            str(item.get("SuffixOrigin", "")).lower() == "random"
            and origin is AddressOrigin.ROUTER_ADVERTISEMENT
        )
        entry = InterfaceAddress(address, int(item.get("PrefixLength") or 0), origin, temporary)
        alias = str(item.get("InterfaceAlias", ""))
        addresses.setdefault(alias, []).append(entry)
        aliases.setdefault(alias, _index(item))
    interfaces = []
    for alias, index in aliases.items():
        adapter = adapters.get(alias, {})
        description = str(adapter.get("InterfaceDescription", ""))
        own = tuple(addresses.get(alias, ()))
        kind = _windows_kind(alias, description, own)
        detail = description or alias
        if kind in states:
            detail = f"{detail}; {states[kind]}"
        status = str(adapter.get("Status", "Up" if own else "")).lower()
        interfaces.append(
            Interface(
                alias,
                index,
                normalise_mac(adapter.get("MacAddress")),
                status == "up",
                kind,
                detail,
                own,
            )
        )
    return tuple(interfaces)


def _index(item: Mapping[str, Any]) -> int | None:
    text = str(item.get("InterfaceIndex", ""))
    return int(text) if text.isdigit() else None


def _windows_kind(
    alias: str, description: str, addresses: Sequence[InterfaceAddress]
) -> InterfaceKind:
    text = f"{alias} {description}".lower()
    if "loopback" in text:
        return InterfaceKind.LOOPBACK
    for marker, kind in _WINDOWS_TUNNEL_NAMES:
        if marker in text:
            return kind
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in _TEREDO for a in addresses):
        return InterfaceKind.TEREDO
    if any(a.version == 6 and ipaddress.IPv6Address(a.address) in _SIX_TO_FOUR for a in addresses):
        return InterfaceKind.SIX_TO_FOUR
    return InterfaceKind.ETHERNET if description else InterfaceKind.OTHER


def _windows_neighbours(data: Mapping[str, Any]) -> tuple[Neighbour, ...]:
    neighbours = []
    for item in _list(data.get("neighbours")):
        address = str(item.get("IPAddress", "")).split("%", 1)[0]
        state = str(item.get("State", "")).lower()
        if not address or state in ("unreachable", "incomplete", "0", "1"):
            continue
        neighbours.append(
            Neighbour(
                address,
                normalise_mac(item.get("LinkLayerAddress")),
                str(item.get("InterfaceAlias", "")),
                router=str(item.get("IsRouter", "")).lower() == "true",
                state=state,
            )
        )
    return tuple(n for n in neighbours if not ipaddress.ip_address(n.address).is_multicast)


def _windows_routes(data: Mapping[str, Any]) -> tuple[tuple[LearnedRoute, ...], str | None]:
    routes = []
    default, best_metric = None, None
    for item in _list(data.get("routes")):
        prefix = str(item.get("DestinationPrefix", ""))
        alias = str(item.get("InterfaceAlias", ""))
        family = str(item.get("AddressFamily", "")).lower()
        if prefix == "0.0.0.0/0":
            metric = int(item.get("RouteMetric") or 0)
            if best_metric is None or metric < best_metric:
                default, best_metric = alias, metric
            continue
        if family not in _IPV6_FAMILY or not prefix:
            continue
        gateway = str(item.get("NextHop", "")) or None
        if gateway == "::":
            gateway = None
        protocol = str(item.get("Protocol", ""))
        # routes from advertisements carry that protocol; a default route through a
        # link-local next hop that nobody set by hand (NetMgmt) came from one too
        from_ra = protocol.lower() in ("routeradvertisement", "ra") or (
            prefix == "::/0"
            and gateway is not None
            and ipaddress.IPv6Address(gateway).is_link_local
            and protocol.lower() not in ("netmgmt", "3")
        )
        routes.append(LearnedRoute(prefix, gateway, alias, from_ra, f"protocol {protocol}"))
    return tuple(routes), default


# --- IPv4 neighbour priming -----------------------------------------------------------------


async def prime_ipv4_neighbours(
    addresses: Iterable[str], *, limiter: RateLimiter, settle: float = 1.0
) -> int:
    """Send one empty datagram to the discard port of each address, in turn; wait `settle`.

    Sending makes the operating system resolve each address's link-layer address (ARP), so
    afterwards the neighbour cache lists every host on the subnet that answers ARP, even one
    whose firewall drops everything. Needs no privileges. Returns how many were sent.
    """
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        for address in addresses:
            await limiter.acquire()
            with contextlib.suppress(OSError):  # EHOSTUNREACH from an earlier failed ARP
                sock.sendto(b"", (address, _DISCARD_PORT))
                sent += 1
    await asyncio.sleep(settle)
    return sent


# --- ICMPv6: all-nodes echo and router solicitation ------------------------------------------

_ECHO_REQUEST, _ECHO_REPLY = 128, 129
_ROUTER_SOLICITATION, _ROUTER_ADVERTISEMENT = 133, 134
_NEIGHBOUR_SOLICITATION = 135
_OPTION_SOURCE_LINK_ADDRESS, _OPTION_PREFIX, _OPTION_MTU = 1, 3, 5
_OPTION_ROUTE, _OPTION_RDNSS, _OPTION_DNSSL = 24, 25, 31


@dataclass(frozen=True, slots=True)
class EchoResult:
    """Who answered an ICMPv6 echo to all nodes: their (link-local) addresses, and the
    link-layer addresses learned on the way (from the neighbour solicitations they sent)."""

    responders: tuple[str, ...]
    macs: Mapping[str, str] = field(default_factory=dict)
    method: str = ""


def _interface_index(interface: Interface) -> int:
    if interface.index is not None:
        return interface.index
    try:
        return socket.if_nametoindex(interface.name)
    except OSError as error:
        raise ProbeNotPossibleError(
            f"interface {interface.name} has no index: {error}", privileges=False
        ) from None


def _icmpv6_socket(kind: int, interface: Interface, hops: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, kind, socket.IPPROTO_ICMPV6)
    try:
        index = _interface_index(interface)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
        # our own packets looped back would make this machine one of its own answers
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    except BaseException:
        sock.close()
        raise
    return sock


def _not_possible(error: OSError, what: str) -> ProbeNotPossibleError:
    privileges = error.errno in _PRIVILEGE_ERRNOS
    reason = error.strerror or str(error)
    if privileges:
        return ProbeNotPossibleError(
            f"{what} needs administrator rights ({reason})", privileges=True
        )
    return ProbeNotPossibleError(f"{what} is not possible here: {reason}", privileges=False)


async def all_nodes_echo(
    interface: Interface, *, window: float, ping_command: list[str] | None = None
) -> EchoResult:
    """Ask every IPv6 node on `interface` to answer (ICMPv6 echo to ff02::1), for `window` s.

    Tries an ICMPv6 datagram socket, then a raw socket, then `ping_command` (the system's
    ping, which may hold the privilege this process lacks). Raises ProbeNotPossibleError
    when none can run. This machine's own addresses are left out of the answer.
    """
    own = {a.address for a in interface.ipv6}
    failures: list[OSError] = []
    for kind, method in (
        (socket.SOCK_DGRAM, "ICMPv6 datagram socket"),
        (socket.SOCK_RAW, "raw ICMPv6 socket"),
    ):
        try:
            sock = _icmpv6_socket(kind, interface, hops=1)
        except OSError as error:
            failures.append(error)
            continue
        with sock:
            result = await asyncio.to_thread(_echo_exchange, sock, interface, window, kind)
        return _without(result, own, method)
    # the raw socket's refusal says most (a datagram socket may simply not exist here)
    failure = _not_possible(failures[-1], "an ICMPv6 echo to all nodes")
    if ping_command:
        result = await _echo_with_ping(ping_command, window, failure)
        return _without(result, own, f"{ping_command[0]} command")
    raise failure


def _without(result: EchoResult, own: set[str], method: str) -> EchoResult:
    responders = tuple(r for r in dict.fromkeys(result.responders) if r not in own)
    return EchoResult(responders, {a: m for a, m in result.macs.items() if a not in own}, method)


def _echo_exchange(
    sock: socket.socket, interface: Interface, window: float, kind: int
) -> EchoResult:
    index = _interface_index(interface)
    identifier = secrets.randbits(16)
    responders: list[str] = []
    macs: dict[str, str] = {}
    deadline = time.monotonic() + window
    sends = [time.monotonic(), time.monotonic() + min(1.0, window / 2)]
    sequence = 0
    while (remaining := deadline - time.monotonic()) > 0:
        if sends and time.monotonic() >= sends[0]:
            sends.pop(0)
            sequence += 1
            packet = struct.pack("!BBHHH", _ECHO_REQUEST, 0, 0, identifier, sequence) + b"netready"
            with contextlib.suppress(OSError):
                sock.sendto(packet, (ALL_NODES, 0, 0, index))
        wait = min(remaining, (sends[0] - time.monotonic()) if sends else remaining)
        if not select.select([sock], [], [], max(0.0, wait))[0]:
            continue
        data, source = sock.recvfrom(4096)
        address = str(source[0]).split("%", 1)[0]
        if len(source) > 3 and source[3] not in (0, index):
            continue  # an answer that arrived on another interface
        if not data:
            continue
        if data[0] == _ECHO_REPLY and (kind == socket.SOCK_DGRAM or _echo_id(data) == identifier):
            responders.append(address)
        elif data[0] == _NEIGHBOUR_SOLICITATION:
            mac = _option_mac(data[24:])
            if mac:
                macs[address] = mac
    return EchoResult(tuple(responders), macs)


def _echo_id(data: bytes) -> int | None:
    return struct.unpack("!H", data[4:6])[0] if len(data) >= 8 else None


async def _echo_with_ping(
    argv: list[str], window: float, failure: ProbeNotPossibleError
) -> EchoResult:
    """The echo through the system's ping; `failure` is why sockets could not do it."""

    def not_possible(why: str) -> ProbeNotPossibleError:
        return ProbeNotPossibleError(f"{failure.reason}; {why}", privileges=failure.privileges)

    def run() -> str:
        try:
            done = subprocess.run(
                [shutil.which(argv[0]) or argv[0], *argv[1:]],
                capture_output=True,
                text=True,
                timeout=window + 5,
                check=False,
                stdin=subprocess.DEVNULL,
                errors="replace",
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise not_possible(f"{argv[0]} could not run: {error}") from None
        if not done.stdout.strip() and done.returncode != 0:
            raise not_possible(f"{argv[0]} failed: {done.stderr.strip()[-200:]}")
        return done.stdout

    return EchoResult(parse_ping_responders(await asyncio.to_thread(run)))


_PING_REPLY = re.compile(r"(?:from|von|de|da)\s+\[?(?P<address>fe80:[0-9a-fA-F:]+)", re.IGNORECASE)


def parse_ping_responders(text: str) -> tuple[str, ...]:
    """The link-local addresses answering in `ping` output (iputils, BSD ping6, Windows)."""
    return tuple(dict.fromkeys(m["address"].lower() for m in _PING_REPLY.finditer(text)))


def _option_mac(options: bytes) -> str | None:
    for option_type, body in _nd_options(options):
        if option_type == _OPTION_SOURCE_LINK_ADDRESS and len(body) >= 6:
            return normalise_mac(":".join(f"{b:02x}" for b in body[:6]))
    return None


def _nd_options(data: bytes) -> list[tuple[int, bytes]]:
    """Neighbour discovery options: (type, body); stops at a malformed one (RFC 4861 4.6)."""
    options = []
    while len(data) >= 2:
        option_type, length = data[0], data[1] * 8
        if length == 0 or length > len(data):
            break
        options.append((option_type, data[2:length]))
        data = data[length:]
    return options


@dataclass(frozen=True, slots=True)
class PrefixInfo:
    """A prefix information option: the prefix, whether hosts may use it on-link (L) and
    make addresses in it themselves (A, SLAAC), and its lifetimes in seconds."""

    prefix: str
    on_link: bool
    autonomous: bool
    valid_lifetime: int
    preferred_lifetime: int

    def to_json(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "on_link": self.on_link,
            "autonomous": self.autonomous,
            "valid_lifetime": self.valid_lifetime,
            "preferred_lifetime": self.preferred_lifetime,
        }


@dataclass(frozen=True, slots=True)
class RouterAdvertisement:
    """One router advertisement (RFC 4861 4.2), decoded.

    `router` is its source (link-local, no scope), `mac` the router's link-layer address
    from its source link-layer option. `router_lifetime` 0 means "not a default router".
    `managed` (M) and `other` (O) send hosts to DHCPv6.
    """

    router: str
    mac: str | None
    hop_limit: int
    managed: bool
    other: bool
    router_lifetime: int
    preference: str
    prefixes: tuple[PrefixInfo, ...] = ()
    dns_servers: tuple[str, ...] = ()
    search_domains: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    mtu: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "router_link_local": self.router,
            "router_mac": self.mac,
            "router_lifetime": self.router_lifetime,
            "default_router": self.router_lifetime > 0,
            "preference": self.preference,
            "managed": self.managed,
            "other_config": self.other,
            "prefixes": [prefix.to_json() for prefix in self.prefixes],
            "dns_servers": list(self.dns_servers),
            "search_domains": list(self.search_domains),
            "routes": list(self.routes),
            "mtu": self.mtu,
            "hop_limit": self.hop_limit,
        }


def build_router_solicitation(mac: str | None) -> bytes:
    """An ICMPv6 router solicitation (checksum left 0: the kernel computes it for ICMPv6)."""
    packet = struct.pack("!BBHI", _ROUTER_SOLICITATION, 0, 0, 0)
    if mac:
        packet += bytes([_OPTION_SOURCE_LINK_ADDRESS, 1]) + _mac_bytes(mac)
    return packet


_PREFERENCES = {0: "medium", 1: "high", 3: "low", 2: "reserved"}


def parse_router_advertisement(data: bytes, source: str) -> RouterAdvertisement:
    """Decode an ICMPv6 router advertisement from `source`; ValueError when it is not one."""
    if len(data) < 16 or data[0] != _ROUTER_ADVERTISEMENT or data[1] != 0:
        raise ValueError("not a router advertisement")
    hop_limit, flags, lifetime = data[4], data[5], struct.unpack("!H", data[6:8])[0]
    prefixes: list[PrefixInfo] = []
    dns: list[str] = []
    domains: list[str] = []
    routes: list[str] = []
    mac, mtu = None, None
    for option_type, body in _nd_options(data[16:]):
        if option_type == _OPTION_SOURCE_LINK_ADDRESS and len(body) >= 6:
            mac = normalise_mac(":".join(f"{b:02x}" for b in body[:6]))
        elif option_type == _OPTION_PREFIX and len(body) >= 30:
            prefixes.append(_prefix_option(body))
        elif option_type == _OPTION_MTU and len(body) >= 6:
            mtu = struct.unpack("!I", body[2:6])[0]
        elif option_type == _OPTION_RDNSS and len(body) >= 22:
            dns += [
                str(ipaddress.IPv6Address(body[i : i + 16])) for i in range(6, len(body) - 15, 16)
            ]
        elif option_type == _OPTION_DNSSL and len(body) > 6:
            domains += _dns_names(body[6:])
        elif option_type == _OPTION_ROUTE and len(body) >= 6:
            routes.append(_route_option(body))
    return RouterAdvertisement(
        router=source.split("%", 1)[0],
        mac=mac,
        hop_limit=hop_limit,
        managed=bool(flags & 0x80),
        other=bool(flags & 0x40),
        router_lifetime=lifetime,
        preference=_PREFERENCES[(flags >> 3) & 0x03],
        prefixes=tuple(prefixes),
        dns_servers=tuple(dns),
        search_domains=tuple(domains),
        routes=tuple(routes),
        mtu=mtu,
    )


def _prefix_option(body: bytes) -> PrefixInfo:
    length, flags = body[0], body[1]
    valid, preferred = struct.unpack("!II", body[2:10])
    network = ipaddress.IPv6Network((body[14:30], min(length, 128)), strict=False)
    return PrefixInfo(str(network), bool(flags & 0x80), bool(flags & 0x40), valid, preferred)


def _route_option(body: bytes) -> str:
    length = min(body[0], 128)
    raw = body[6:].ljust(16, b"\x00")[:16]
    return str(ipaddress.IPv6Network((raw, length), strict=False))


def _dns_names(data: bytes) -> list[str]:
    """Uncompressed DNS names one after another, padded with zeros (RFC 8106)."""
    names: list[str] = []
    labels: list[str] = []
    position = 0
    while position < len(data):
        length = data[position]
        position += 1
        if length == 0:
            if labels:
                names.append(".".join(labels))
            labels = []
            continue
        labels.append(data[position : position + length].decode("ascii", errors="replace"))
        position += length
    return names


async def solicit_routers(
    interface: Interface, *, window: float
) -> tuple[RouterAdvertisement, ...]:
    """Send a router solicitation on `interface`; every advertisement heard within `window`.

    Unsolicited advertisements arriving meanwhile count too. Needs a raw ICMPv6 socket.
    """
    try:
        sock = _icmpv6_socket(socket.SOCK_RAW, interface, hops=255)
    except OSError as error:
        raise _not_possible(error, "sending a router solicitation (raw ICMPv6 socket)") from None
    with sock:
        if hasattr(socket, "IPV6_RECVHOPLIMIT"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        return await asyncio.to_thread(_router_exchange, sock, interface, window)


def _router_exchange(
    sock: socket.socket, interface: Interface, window: float
) -> tuple[RouterAdvertisement, ...]:
    index = _interface_index(interface)
    try:
        sock.sendto(build_router_solicitation(interface.mac), (ALL_ROUTERS, 0, 0, index))
    except OSError as error:
        raise _not_possible(error, f"sending a router solicitation on {interface.name}") from None
    heard: dict[str, RouterAdvertisement] = {}
    deadline = time.monotonic() + window
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([sock], [], [], remaining)[0]:
            break
        data, source, hop_limit = _receive(sock)
        if len(source) > 3 and source[3] not in (0, index):
            continue
        address = str(source[0]).split("%", 1)[0]
        if not data or data[0] != _ROUTER_ADVERTISEMENT:
            continue
        # RFC 4861 6.1.2: an advertisement must come from a link-local address with hop
        # limit 255, proving it was not forwarded from off the link
        if hop_limit not in (None, 255) or not ipaddress.IPv6Address(address).is_link_local:
            continue
        with contextlib.suppress(ValueError):
            heard[address] = parse_router_advertisement(data, address)
    return tuple(heard.values())


def _receive(sock: socket.socket) -> tuple[bytes, Any, int | None]:
    """One datagram, its source, and its hop limit where the platform tells (not Windows)."""
    if not hasattr(sock, "recvmsg"):
        data, source = sock.recvfrom(4096)
        return data, source, None
    data, ancillary, _flags, source = sock.recvmsg(4096, socket.CMSG_SPACE(4))
    hop_limit = None
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IPV6 and kind == getattr(socket, "IPV6_HOPLIMIT", -1):
            hop_limit = int.from_bytes(value[:4], sys.byteorder)
    return data, source, hop_limit


# --- DHCPv6 ---------------------------------------------------------------------------------

_SOLICIT, _ADVERTISE = 1, 2
_OPT_CLIENTID, _OPT_SERVERID, _OPT_IA_NA, _OPT_IAADDR = 1, 2, 3, 5
_OPT_ORO, _OPT_PREFERENCE, _OPT_ELAPSED, _OPT_STATUS = 6, 7, 8, 13
_OPT_DNS_SERVERS, _OPT_DOMAIN_LIST, _OPT_IA_PD, _OPT_IAPREFIX = 23, 24, 25, 26
_DUID_LLT, _DUID_LL, _DUID_UUID = 1, 3, 4


@dataclass(frozen=True, slots=True)
class Dhcpv6Advertise:
    """A DHCPv6 server's answer to a Solicit (RFC 8415 Advertise), decoded.

    `server` is where it came from (link-local), `server_mac` the link-layer address in its
    DUID when the DUID carries one (types LL and LLT).
    """

    server: str
    server_duid: str
    server_mac: str | None
    addresses: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    dns_servers: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    preference: int | None = None
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "server_link_local": self.server,
            "server_mac": self.server_mac,
            "server_duid": self.server_duid,
            "offered_addresses": list(self.addresses),
            "offered_prefixes": list(self.prefixes),
            "dns_servers": list(self.dns_servers),
            "domains": list(self.domains),
            "preference": self.preference,
            "status": self.status,
        }


def _dhcp_option(code: int, body: bytes) -> bytes:
    return struct.pack("!HH", code, len(body)) + body


def build_dhcpv6_solicit(transaction_id: bytes, client_duid: bytes, iaid: int) -> bytes:
    """A Solicit asking for an address (IA_NA) and the DNS options, without rapid commit
    (so no server commits a lease to it)."""
    if len(transaction_id) != 3:
        raise ValueError("a DHCPv6 transaction id is 3 bytes")
    return (
        bytes([_SOLICIT])
        + transaction_id
        + _dhcp_option(_OPT_CLIENTID, client_duid)
        + _dhcp_option(_OPT_ELAPSED, b"\x00\x00")
        + _dhcp_option(_OPT_ORO, struct.pack("!HH", _OPT_DNS_SERVERS, _OPT_DOMAIN_LIST))
        + _dhcp_option(_OPT_IA_NA, struct.pack("!III", iaid, 0, 0))
    )


def _dhcp_options(data: bytes) -> list[tuple[int, bytes]]:
    options = []
    while len(data) >= 4:
        code, length = struct.unpack("!HH", data[:4])
        if length > len(data) - 4:
            break
        options.append((code, data[4 : 4 + length]))
        data = data[4 + length :]
    return options


def parse_dhcpv6_advertise(
    data: bytes, source: str, transaction_id: bytes
) -> Dhcpv6Advertise | None:
    """Decode an Advertise answering `transaction_id`; None for any other message."""
    if len(data) < 4 or data[0] != _ADVERTISE or data[1:4] != transaction_id:
        return None
    duid = b""
    addresses: list[str] = []
    prefixes: list[str] = []
    dns: list[str] = []
    domains: list[str] = []
    preference, status = None, None
    for code, body in _dhcp_options(data[4:]):
        if code == _OPT_SERVERID:
            duid = body
        elif code == _OPT_IA_NA and len(body) >= 12:
            addresses += [
                str(ipaddress.IPv6Address(inner[:16]))
                for inner_code, inner in _dhcp_options(body[12:])
                if inner_code == _OPT_IAADDR and len(inner) >= 16
            ]
        elif code == _OPT_IA_PD and len(body) >= 12:
            prefixes += [
                str(ipaddress.IPv6Network((inner[9:25], min(inner[8], 128)), strict=False))
                for inner_code, inner in _dhcp_options(body[12:])
                if inner_code == _OPT_IAPREFIX and len(inner) >= 25
            ]
        elif code == _OPT_DNS_SERVERS:
            dns += [
                str(ipaddress.IPv6Address(body[i : i + 16])) for i in range(0, len(body) - 15, 16)
            ]
        elif code == _OPT_DOMAIN_LIST:
            domains += _dns_names(body)
        elif code == _OPT_PREFERENCE and body:
            preference = body[0]
        elif code == _OPT_STATUS and len(body) >= 2:
            value = struct.unpack("!H", body[:2])[0]
            if value != 0:
                status = f"{value} {body[2:].decode('utf-8', errors='replace')}".strip()
    return Dhcpv6Advertise(
        server=source.split("%", 1)[0],
        server_duid=duid.hex(),
        server_mac=_duid_mac(duid),
        addresses=tuple(addresses),
        prefixes=tuple(prefixes),
        dns_servers=tuple(dns),
        domains=tuple(domains),
        preference=preference,
        status=status,
    )


def _duid_mac(duid: bytes) -> str | None:
    """The link-layer address in a DUID-LLT or DUID-LL of Ethernet (hardware type 1)."""
    if len(duid) < 4:
        return None
    duid_type, hardware = struct.unpack("!HH", duid[:4])
    if hardware != 1:
        return None
    offset = {_DUID_LLT: 8, _DUID_LL: 4}.get(duid_type)
    if offset is None or len(duid) < offset + 6:
        return None
    return normalise_mac(":".join(f"{b:02x}" for b in duid[offset : offset + 6]))


def _udp6_socket() -> socket.socket:
    return socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)


async def solicit_dhcpv6(interface: Interface, *, window: float) -> tuple[Dhcpv6Advertise, ...]:
    """Solicit every DHCPv6 server on `interface`; the Advertise messages of `window` s.

    The client identity is a random DUID-UUID made for this probe, so no server mistakes it
    for this machine's own DHCPv6 client. Servers answer on port 546, which needs
    administrator rights on Linux and macOS and is held by the DHCP client service on Windows.
    """
    sock = _udp6_socket()
    try:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, _interface_index(interface))
        sock.bind(("::", DHCPV6_CLIENT_PORT))
    except OSError as error:
        sock.close()
        if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise ProbeNotPossibleError(
                "the DHCPv6 client port 546 is in use by this machine's own DHCPv6 client",
                privileges=False,
            ) from None
        raise _not_possible(error, "listening on the DHCPv6 client port 546") from None
    with sock:
        return await asyncio.to_thread(_dhcpv6_exchange, sock, interface, window)


def _dhcpv6_exchange(
    sock: socket.socket, interface: Interface, window: float
) -> tuple[Dhcpv6Advertise, ...]:
    index = _interface_index(interface)
    transaction = secrets.token_bytes(3)
    duid = struct.pack("!H", _DUID_UUID) + secrets.token_bytes(16)
    solicit = build_dhcpv6_solicit(transaction, duid, iaid=secrets.randbits(32))
    heard: dict[str, Dhcpv6Advertise] = {}
    started = time.monotonic()
    deadline = started + window
    # RFC 8415: the first retransmission after about a second
    sends = [started, started + min(1.0, window / 2)]
    while (remaining := deadline - time.monotonic()) > 0:
        if sends and time.monotonic() >= sends[0]:
            sends.pop(0)
            try:
                sock.sendto(solicit, (ALL_DHCP_SERVERS, DHCPV6_SERVER_PORT, 0, index))
            except OSError as error:
                raise _not_possible(
                    error, f"sending a DHCPv6 Solicit on {interface.name}"
                ) from None
        wait = min(remaining, (sends[0] - time.monotonic()) if sends else remaining)
        if not select.select([sock], [], [], max(0.0, wait))[0]:
            continue
        data, source = sock.recvfrom(4096)
        address = str(source[0]).split("%", 1)[0]
        advertise = parse_dhcpv6_advertise(data, address, transaction)
        if advertise is not None:
            heard[advertise.server_duid or address] = advertise
    return tuple(heard.values())


def interface_for_network(
    snapshot: LanSnapshot, network: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> Interface | None:
    """The interface on which `network` (or part of it) is on-link, if any."""
    for interface in snapshot.interfaces:
        for address in interface.addresses:
            if (
                address.version == network.version
                and not address.is_link_local
                and address.network.overlaps(network)
            ):
                return interface
    return None


def with_interface_index(interface: Interface) -> Interface:
    """`interface` with its index filled in from the operating system when it was unknown."""
    if interface.index is not None:
        return interface
    with contextlib.suppress(OSError):
        return replace(interface, index=socket.if_nametoindex(interface.name))
    return interface
