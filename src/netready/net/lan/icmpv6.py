"""ICMPv6 on the local link: an echo to all nodes, a router solicitation and its answers."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import secrets
import select
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netready.net.lan.model import (
    ALL_NODES,
    ALL_ROUTERS,
    Interface,
    ProbeNotPossibleError,
    dns_names,
    interface_index,
    mac_bytes,
    normalise_mac,
    not_possible,
)

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


def _icmpv6_socket(kind: int, interface: Interface, hops: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6, kind, socket.IPPROTO_ICMPV6)
    try:
        index = interface_index(interface)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
        # our own packets looped back would make this machine one of its own answers
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    except BaseException:
        sock.close()
        raise
    return sock


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
    failure = not_possible(failures[-1], "an ICMPv6 echo to all nodes")
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
    index = interface_index(interface)
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
        packet += bytes([_OPTION_SOURCE_LINK_ADDRESS, 1]) + mac_bytes(mac)
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
            domains += dns_names(body[6:])
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


async def solicit_routers(
    interface: Interface, *, window: float
) -> tuple[RouterAdvertisement, ...]:
    """Send a router solicitation on `interface`; every advertisement heard within `window`.

    Unsolicited advertisements arriving meanwhile count too. Needs a raw ICMPv6 socket.
    """
    try:
        sock = _icmpv6_socket(socket.SOCK_RAW, interface, hops=255)
    except OSError as error:
        raise not_possible(error, "sending a router solicitation (raw ICMPv6 socket)") from None
    with sock:
        if hasattr(socket, "IPV6_RECVHOPLIMIT"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        return await asyncio.to_thread(_router_exchange, sock, interface, window)


def _router_exchange(
    sock: socket.socket, interface: Interface, window: float
) -> tuple[RouterAdvertisement, ...]:
    index = interface_index(interface)
    try:
        sock.sendto(build_router_solicitation(interface.mac), (ALL_ROUTERS, 0, 0, index))
    except OSError as error:
        raise not_possible(error, f"sending a router solicitation on {interface.name}") from None
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
