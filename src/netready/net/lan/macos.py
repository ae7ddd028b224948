"""The macOS inspector: `ifconfig`, `ndp`, `arp` and `netstat`."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from netready.net.lan.model import (
    ALL_NODES,
    TEREDO,
    AddressOrigin,
    CommandRunner,
    Interface,
    InterfaceAddress,
    InterfaceKind,
    LanSnapshot,
    LearnedRoute,
    Neighbour,
    attempt,
    normalise_mac,
    run_command,
)

# --- macOS ----------------------------------------------------------------------------------


@dataclass
class MacInspector:
    """ifconfig, ndp, arp and netstat, as shipped with every macOS."""

    run: CommandRunner = run_command
    platform: str = "darwin"

    def snapshot(self) -> LanSnapshot:
        notes: list[str] = []
        interfaces = attempt(
            notes, "interfaces", lambda: parse_ifconfig(self.run(["ifconfig", "-a"])), ()
        )
        neighbours = attempt(
            notes, "IPv6 neighbours", lambda: parse_ndp_neighbours(self.run(["ndp", "-an"])), ()
        )
        neighbours += attempt(
            notes, "IPv4 neighbours", lambda: parse_arp(self.run(["arp", "-an"])), ()
        )
        routes = attempt(
            notes, "default routers", lambda: parse_ndp_routers(self.run(["ndp", "-rn"])), ()
        )
        routes += attempt(
            notes, "prefixes", lambda: parse_ndp_prefixes(self.run(["ndp", "-pn"])), ()
        )
        default = attempt(
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
        a.version == 6 and ipaddress.IPv6Address(a.address) in TEREDO for a in addresses
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
