"""This machine's IPv6: is there a stack, a route to an address, and a global source address?

Nothing here sends a packet. `route_to` asks the operating system which route and which
source address it would use for `address`: connecting a UDP socket makes the kernel look up
the route and choose the source address (RFC 6724), but a datagram socket sends nothing
until it is written to. The same call works on Linux, macOS and Windows, unlike parsing the
output of `ip`, `ifconfig` or `netsh`.

The addresses this module reports are therefore the ones that matter for a scan: the source
address the machine would really use towards each destination, rather than a list of every
interface address (which would need a platform-specific API and would include addresses
that no route uses).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AddressScope",
    "Route",
    "SocketFactory",
    "address_scope",
    "ipv6_supported",
    "route_to",
    "routes_to",
    "usable_source",
]

SocketFactory = Callable[[int, int], socket.socket]

# Any port will do: connect() on a UDP socket only records it. 9 (discard) is never a service
# the scan would disturb, should a caller ever write to such a socket by mistake.
_ROUTE_LOOKUP_PORT = 9
_NO_ROUTE_ERRNOS = frozenset(
    code
    for code in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        getattr(errno, "WSAENETUNREACH", None),
        getattr(errno, "WSAEHOSTUNREACH", None),
    )
    if code is not None
)
_NO_SOURCE_ERRNOS = frozenset(
    code
    for code in (
        errno.EADDRNOTAVAIL,
        errno.EAFNOSUPPORT,
        getattr(errno, "WSAEADDRNOTAVAIL", None),
        getattr(errno, "WSAEAFNOSUPPORT", None),
    )
    if code is not None
)


class AddressScope(StrEnum):
    """How far an IPv6 address reaches (RFC 4291, RFC 4193)."""

    GLOBAL = "global"  # 2000::/3: global unicast, reachable across the Internet
    UNIQUE_LOCAL = "unique-local"  # fc00::/7: private to a site
    LINK_LOCAL = "link-local"  # fe80::/10: one link only
    LOOPBACK = "loopback"  # ::1
    OTHER = "other"  # unspecified, multicast, IPv4-mapped, reserved


@dataclass(frozen=True, slots=True)
class Route:
    """What the operating system would do with a packet to `destination`.

    Attributes:
        destination: the IPv6 address asked about.
        source: the local address it would send from, or None when there is no route.
        error: why there is no route, in words ("" when there is one).
    """

    destination: str
    source: str | None
    error: str = ""

    @property
    def exists(self) -> bool:
        return self.source is not None

    @property
    def source_scope(self) -> AddressScope | None:
        return address_scope(self.source) if self.source is not None else None


def address_scope(address: str) -> AddressScope:
    """The scope of an IPv6 address; an IPv4 address or other text raises ValueError."""
    parsed = ipaddress.IPv6Address(address.split("%", 1)[0])
    # documentation (2001:db8::/32) and the like are global unicast by their format, though
    # `ipaddress` calls them private; the scope is about the format, which is what RFC 6724
    # source selection uses too
    if parsed.is_loopback:
        return AddressScope.LOOPBACK
    if parsed.is_link_local:
        return AddressScope.LINK_LOCAL
    if parsed in _UNIQUE_LOCAL:
        return AddressScope.UNIQUE_LOCAL
    if parsed in _GLOBAL_UNICAST:
        return AddressScope.GLOBAL
    return AddressScope.OTHER


_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def usable_source(route: Route) -> bool:
    """Whether the route's source address can talk to its destination beyond this link.

    A global destination needs a global source: a unique-local or link-local source would
    be dropped or never answered on the Internet. A unique-local destination (an internal
    network) is reachable from a global or a unique-local source.
    """
    if route.source is None:
        return False
    source = address_scope(route.source)
    destination = address_scope(route.destination)
    if destination is AddressScope.GLOBAL:
        return source is AddressScope.GLOBAL
    if destination is AddressScope.UNIQUE_LOCAL:
        return source in (AddressScope.GLOBAL, AddressScope.UNIQUE_LOCAL)
    return source is destination  # loopback to loopback, link-local to link-local


def ipv6_supported(socket_factory: SocketFactory = socket.socket) -> bool:
    """Whether this machine can make IPv6 sockets at all (IPv6 may be disabled)."""
    if not socket.has_ipv6:
        return False
    try:
        socket_factory(socket.AF_INET6, socket.SOCK_DGRAM).close()
    except OSError:
        return False
    return True


def route_to(address: str, *, socket_factory: SocketFactory = socket.socket) -> Route:
    """Ask the operating system for its route to IPv6 `address`; sends nothing."""
    ipaddress.IPv6Address(address)  # a ValueError here names the bad address
    try:
        probe = socket_factory(socket.AF_INET6, socket.SOCK_DGRAM)
    except OSError as error:
        return Route(address, None, f"this machine cannot make IPv6 sockets: {_reason(error)}")
    with probe:
        try:
            probe.connect((address, _ROUTE_LOOKUP_PORT))
            source = str(probe.getsockname()[0])
        except OSError as error:
            return Route(address, None, _no_route(address, error))
    # Windows may accept the connect without a route and leave the socket unbound
    if ipaddress.IPv6Address(source.split("%", 1)[0]).is_unspecified:
        return Route(address, None, f"no route to {address}: no source address was chosen")
    return Route(address, source.split("%", 1)[0])


def routes_to(
    addresses: Iterable[str], *, socket_factory: SocketFactory = socket.socket
) -> tuple[Route, ...]:
    """`route_to` for each distinct address, in the order given."""
    return tuple(
        route_to(address, socket_factory=socket_factory) for address in dict.fromkeys(addresses)
    )


def _no_route(address: str, error: OSError) -> str:
    reason = _reason(error)
    if error.errno in _NO_SOURCE_ERRNOS:
        # e.g. Linux with IPv6 switched off: a route may exist, but no address to send from
        return f"no IPv6 address on this machine can reach {address}: {reason}"
    if error.errno in _NO_ROUTE_ERRNOS:
        return f"no route to {address}: {reason}"
    return f"route lookup for {address} failed: {reason}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__
