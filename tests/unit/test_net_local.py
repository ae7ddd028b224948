"""This machine's IPv6 (`net.local`) and the TCP probes (`net.tcp`), on loopback only.

Route lookups send nothing, but these tests still only ask about ::1; a machine without a
route is played by a stand-in socket (named as such) that fails the way operating systems do.
The TCP probes talk to listeners the tests start on ::1 (or 127.0.0.1 where IPv6 is off).
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from netready.net import local, tcp
from netready.net.local import AddressScope, Route

LOOPBACK6_WORKS = local.ipv6_supported() and local.route_to("::1").exists
LOOPBACK = "::1" if LOOPBACK6_WORKS else "127.0.0.1"


# --- scopes and usable sources --------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "scope"),
    [
        ("2001:db8::1", AddressScope.GLOBAL),  # documentation, but global unicast by format
        ("2a00:1450::1", AddressScope.GLOBAL),
        ("fd00::2", AddressScope.UNIQUE_LOCAL),
        ("fe80::1", AddressScope.LINK_LOCAL),
        ("fe80::1%eth0", AddressScope.LINK_LOCAL),
        ("::1", AddressScope.LOOPBACK),
        ("::", AddressScope.OTHER),
        ("ff02::1", AddressScope.OTHER),
        ("::ffff:198.18.0.1", AddressScope.OTHER),
    ],
)
def test_address_scope(address: str, scope: AddressScope) -> None:
    assert local.address_scope(address) is scope


def test_address_scope_refuses_ipv4() -> None:
    with pytest.raises(ValueError, match=r"198\.18\.0\.1"):
        local.address_scope("198.18.0.1")


@pytest.mark.parametrize(
    ("destination", "source", "usable"),
    [
        ("2001:db8::80", "2001:db8::100", True),
        ("2001:db8::80", "fd00::2", False),  # a ULA source is never answered from the Internet
        ("2001:db8::80", "fe80::1", False),
        ("2001:db8::80", None, False),
        ("fd00::80", "fd00::2", True),  # an internal network
        ("fd00::80", "2001:db8::100", True),
        ("fd00::80", "fe80::1", False),
        ("::1", "::1", True),
    ],
)
def test_usable_source(destination: str, source: str | None, usable: bool) -> None:
    assert local.usable_source(Route(destination, source)) is usable


# --- route lookups --------------------------------------------------------------------------


@pytest.mark.skipif(not LOOPBACK6_WORKS, reason="this machine has no IPv6 loopback")
def test_the_route_to_loopback_is_found_with_its_source() -> None:
    route = local.route_to("::1")
    assert route == Route("::1", "::1")
    assert route.exists
    assert route.source_scope is AddressScope.LOOPBACK


class StandInSocket:
    """Plays a UDP socket whose connect() fails or succeeds like a given operating system."""

    def __init__(self, *, connect_error: int | None = None, source: str = "::1") -> None:
        self.connect_error = connect_error
        self.source = source
        self.sent = False
        self.closed = False

    def connect(self, address: tuple[str, int]) -> None:
        if self.connect_error is not None:
            raise OSError(self.connect_error, "Network is unreachable")

    def getsockname(self) -> tuple[str, int, int, int]:
        return (self.source, 40000, 0, 0)

    def send(self, data: bytes) -> int:  # pragma: no cover - must never be called
        self.sent = True
        return len(data)

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> StandInSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def factory_of(stand_in: StandInSocket) -> Callable[[int, int], Any]:
    def make(family: int, kind: int) -> StandInSocket:
        assert (family, kind) == (socket.AF_INET6, socket.SOCK_DGRAM)
        return stand_in

    return make


def test_no_route_is_reported_with_the_reason_and_nothing_is_sent() -> None:
    stand_in = StandInSocket(connect_error=errno.ENETUNREACH)
    route = local.route_to("2001:db8::80", socket_factory=factory_of(stand_in))
    assert not route.exists
    assert route.source is None
    assert "no route to 2001:db8::80" in route.error
    assert "unreachable" in route.error
    assert stand_in.closed
    assert not stand_in.sent


def test_no_source_address_is_told_apart_from_no_route() -> None:
    # Linux with IPv6 switched off on every interface answers connect() this way
    stand_in = StandInSocket(connect_error=errno.EADDRNOTAVAIL)
    route = local.route_to("2001:db8::80", socket_factory=factory_of(stand_in))
    assert not route.exists
    assert route.error.startswith("no IPv6 address on this machine can reach 2001:db8::80: ")


def test_an_unexpected_route_error_says_the_lookup_failed() -> None:
    stand_in = StandInSocket(connect_error=errno.EPERM)
    route = local.route_to("2001:db8::80", socket_factory=factory_of(stand_in))
    assert not route.exists
    assert "route lookup for 2001:db8::80 failed" in route.error


def test_a_connect_that_chooses_no_source_is_no_route() -> None:
    # Windows may accept connect() without a route and leave the socket bound to ::
    stand_in = StandInSocket(source="::")
    route = local.route_to("2001:db8::80", socket_factory=factory_of(stand_in))
    assert not route.exists
    assert "no source address" in route.error


def test_the_chosen_source_is_reported_without_a_zone() -> None:
    stand_in = StandInSocket(source="fe80::1%eth0")
    route = local.route_to("fe80::2", socket_factory=factory_of(stand_in))
    assert route == Route("fe80::2", "fe80::1")


def test_a_machine_without_ipv6_sockets() -> None:
    def no_ipv6(family: int, kind: int) -> socket.socket:
        raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")

    assert local.ipv6_supported(no_ipv6) is False
    route = local.route_to("2001:db8::80", socket_factory=no_ipv6)
    assert not route.exists
    assert "cannot make IPv6 sockets" in route.error


def test_route_to_refuses_what_is_not_an_ipv6_address() -> None:
    with pytest.raises(ValueError, match=r"198\.18\.0\.80"):
        local.route_to("198.18.0.80")


def test_routes_to_asks_once_per_distinct_address() -> None:
    asked: list[str] = []

    def counting(family: int, kind: int) -> Any:
        class Counting(StandInSocket):
            def connect(self, address: tuple[str, int]) -> None:
                asked.append(address[0])

        return Counting()

    routes = local.routes_to(["2001:db8::1", "2001:db8::2", "2001:db8::1"], socket_factory=counting)
    assert [route.destination for route in routes] == ["2001:db8::1", "2001:db8::2"]
    assert asked == ["2001:db8::1", "2001:db8::2"]


# --- TCP probes on loopback -----------------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def listener(handler: Handler) -> AsyncIterator[int]:
    """A TCP server on loopback running `handler` per connection; yields its port."""
    server = await asyncio.start_server(handler, LOOPBACK, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    family = socket.AF_INET6 if ":" in LOOPBACK else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
    return port


def test_connect_reports_the_time_it_took() -> None:
    async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def scenario() -> float:
        async with listener(idle) as port:
            return await tcp.connect(LOOPBACK, port, timeout=5)

    assert 0 <= asyncio.run(scenario()) < 5


def test_connect_to_a_closed_port_is_refused() -> None:
    with pytest.raises(tcp.TcpError) as caught:
        asyncio.run(tcp.connect(LOOPBACK, closed_port(), timeout=5))
    assert caught.value.kind is tcp.TcpErrorKind.REFUSED
    assert "refused" in caught.value.message


def test_a_banner_is_read_and_the_farewell_sent() -> None:
    received: list[bytes] = []

    async def smtp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220-mail.example.test ESMTP\r\n220 more\r\n")
        await writer.drain()
        received.append(await reader.readline())
        writer.close()

    async def scenario() -> tcp.Banner:
        async with listener(smtp) as port:
            banner = await tcp.read_banner(LOOPBACK, port, timeout=5, farewell=b"QUIT\r\n")
            await asyncio.sleep(0.05)  # let the server read the farewell
            return banner

    banner = asyncio.run(scenario())
    assert banner.line == "220-mail.example.test ESMTP"
    assert not banner.truncated
    assert received == [b"QUIT\r\n"]


def test_a_banner_without_a_line_end_is_cut_at_the_limit() -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"x" * 5000)
        await writer.drain()
        await reader.read()
        writer.close()

    async def scenario() -> tcp.Banner:
        async with listener(endless) as port:
            return await tcp.read_banner(LOOPBACK, port, timeout=5, max_bytes=100)

    banner = asyncio.run(scenario())
    assert banner.line == "x" * 100
    assert banner.truncated


def test_a_silent_service_times_out_within_the_limit() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # says nothing until the prober gives up and hangs up
        writer.close()

    async def scenario() -> None:
        async with listener(silent) as port:
            await tcp.read_banner(LOOPBACK, port, timeout=0.3)

    with pytest.raises(tcp.TcpError) as caught:
        asyncio.run(scenario())
    assert caught.value.kind is tcp.TcpErrorKind.TIMEOUT
    assert "0.3 s" in caught.value.message


def test_a_service_that_hangs_up_at_once_is_closed() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def scenario() -> None:
        async with listener(hang_up) as port:
            await tcp.read_banner(LOOPBACK, port, timeout=5)

    with pytest.raises(tcp.TcpError) as caught:
        asyncio.run(scenario())
    assert caught.value.kind in (tcp.TcpErrorKind.CLOSED, tcp.TcpErrorKind.RESET)


def test_the_socket_family_follows_the_address() -> None:
    # an IPv4 literal never goes out over IPv6 and vice versa: nothing is resolved
    with pytest.raises(tcp.TcpError) as caught:
        asyncio.run(tcp.connect("127.0.0.1", closed_port_v4(), timeout=5))
    assert caught.value.kind is tcp.TcpErrorKind.REFUSED


def closed_port_v4() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
