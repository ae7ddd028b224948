"""Neighbour priming: make the system learn the link-layer address of hosts on the link."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Iterable

from netready.net.portscan import RateLimiter

# the discard service: a datagram there does nothing, which is all priming needs
_DISCARD_PORT = 9

# --- neighbour priming ----------------------------------------------------------------------


async def prime_neighbours(
    addresses: Iterable[str],
    *,
    limiter: RateLimiter | None = None,
    settle: float = 1.0,
    scope_id: int = 0,
) -> int:
    """Send one empty datagram to the discard port of each address, in turn; wait `settle`.

    Sending makes the operating system resolve each address's link-layer address (ARP for
    IPv4, neighbour discovery for IPv6), so afterwards the neighbour cache lists every host
    that answered, even one whose firewall drops everything. IPv6 link-local addresses need
    the interface's index as `scope_id`. Needs no privileges. Returns how many were sent.
    """
    sent = 0
    sockets: dict[int, socket.socket] = {}
    try:
        for address in addresses:
            if limiter is not None:
                await limiter.acquire()
            ipv6 = ipaddress.ip_address(address).version == 6
            family = socket.AF_INET6 if ipv6 else socket.AF_INET
            sock = sockets.get(family) or sockets.setdefault(family, _datagram_socket(family))
            destination = (
                (address, _DISCARD_PORT, 0, scope_id) if ipv6 else (address, _DISCARD_PORT)
            )
            with contextlib.suppress(OSError):  # EHOSTUNREACH from an earlier failed lookup
                sock.sendto(b"", destination)
                sent += 1
    finally:
        for sock in sockets.values():
            sock.close()
    await asyncio.sleep(settle)
    return sent


def _datagram_socket(family: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setblocking(False)
    return sock
