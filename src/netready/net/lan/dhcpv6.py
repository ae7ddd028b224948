"""DHCPv6: a Solicit to all DHCP servers on the link, and their Advertise messages."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import secrets
import select
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

from netready.net.lan.model import (
    Interface,
    ProbeNotPossibleError,
    dns_names,
    interface_index,
    normalise_mac,
    not_possible,
)

ALL_DHCP_SERVERS = "ff02::1:2"
DHCPV6_CLIENT_PORT = 546
DHCPV6_SERVER_PORT = 547

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
            domains += dns_names(body)
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
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, interface_index(interface))
        sock.bind(("::", DHCPV6_CLIENT_PORT))
    except OSError as error:
        sock.close()
        if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise ProbeNotPossibleError(
                "the DHCPv6 client port 546 is in use by this machine's own DHCPv6 client",
                privileges=False,
            ) from None
        raise not_possible(error, "listening on the DHCPv6 client port 546") from None
    with sock:
        return await asyncio.to_thread(_dhcpv6_exchange, sock, interface, window)


def _dhcpv6_exchange(
    sock: socket.socket, interface: Interface, window: float
) -> tuple[Dhcpv6Advertise, ...]:
    index = interface_index(interface)
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
                raise not_possible(error, f"sending a DHCPv6 Solicit on {interface.name}") from None
        wait = min(remaining, (sends[0] - time.monotonic()) if sends else remaining)
        if not select.select([sock], [], [], max(0.0, wait))[0]:
            continue
        data, source = sock.recvfrom(4096)
        address = str(source[0]).split("%", 1)[0]
        advertise = parse_dhcpv6_advertise(data, address, transaction)
        if advertise is not None:
            heard[advertise.server_duid or address] = advertise
    return tuple(heard.values())
