"""What the local-network inspection finds (interfaces, neighbours, learned routes), its
errors, and the helpers every platform and probe shares.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

#: Seconds a platform tool may take.
COMMAND_TIMEOUT = 15.0
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


#: Link-local multicast groups: every node, every router.
ALL_NODES = "ff02::1"
ALL_ROUTERS = "ff02::2"
#: The tunnel prefixes an interface's addresses reveal.
TEREDO = ipaddress.IPv6Network("2001::/32")
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")

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


def mac_bytes(mac: str) -> bytes:
    return bytes(int(part, 16) for part in mac.split(":"))


def eui64_address(network: ipaddress.IPv6Network, mac: str) -> str:
    """The SLAAC address (modified EUI-64, RFC 4291 appendix A) of `mac` in a /64 `network`."""
    raw = bytearray(mac_bytes(mac))
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


def attempt(notes: list[str], what: str, read: Callable[[], Any], default: Any) -> Any:
    """Run one read of a snapshot; a failure becomes a note, and the rest carries on."""
    try:
        return read()
    except (LanInspectionError, ValueError, KeyError, TypeError) as error:
        notes.append(f"{what}: {error}")
        return default


# --- shared by the active probes -----------------------------------------------------------


def interface_index(interface: Interface) -> int:
    if interface.index is not None:
        return interface.index
    try:
        return socket.if_nametoindex(interface.name)
    except OSError as error:
        raise ProbeNotPossibleError(
            f"interface {interface.name} has no index: {error}", privileges=False
        ) from None


def not_possible(error: OSError, what: str) -> ProbeNotPossibleError:
    privileges = error.errno in _PRIVILEGE_ERRNOS
    reason = error.strerror or str(error)
    if privileges:
        return ProbeNotPossibleError(
            f"{what} needs administrator rights ({reason})", privileges=True
        )
    return ProbeNotPossibleError(f"{what} is not possible here: {reason}", privileges=False)


def dns_names(data: bytes) -> list[str]:
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
