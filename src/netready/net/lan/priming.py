"""IPv4 neighbour priming: make the system learn the link-layer address of every host."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable

from netready.net.portscan import RateLimiter

# the discard service: a datagram there does nothing, which is all priming needs
_DISCARD_PORT = 9

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
