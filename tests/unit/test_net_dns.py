"""DnsClient and UDP queries: sharing lookups, no resolvers, lost datagrams (loopback only).

The resolver library is replaced here by stand-ins (named as such): the lab tests exercise
the real lookups against BIND and unbound.
"""

from __future__ import annotations

import asyncio
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.message
import dns.resolver
import pytest

from netready.config import ConfigError
from netready.net.dns import DnsClient, DnsOutcome, udp_query


def test_concurrent_and_repeated_lookups_share_one_query(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []

    async def stand_in_resolve(self: Any, name: str, rdtype: str, **_: Any) -> Any:
        calls.append((name, rdtype))
        await asyncio.sleep(0.01)
        raise dns.resolver.NXDOMAIN

    monkeypatch.setattr(dns.asyncresolver.Resolver, "resolve", stand_in_resolve)
    client = DnsClient(("198.18.0.53",))

    async def look_up_many_times() -> set[DnsOutcome]:
        first = await asyncio.gather(*(client.lookup("Example.test.", "a") for _ in range(5)))
        again = await client.lookup("example.test", "A")
        return {answer.outcome for answer in (*first, again)}

    assert asyncio.run(look_up_many_times()) == {DnsOutcome.NXDOMAIN}
    assert calls == [("example.test", "A")]


def test_a_machine_without_resolvers_is_told_to_name_one(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_configuration(self: Any, *args: Any, **kwargs: Any) -> None:
        raise dns.resolver.NoResolverConfiguration

    monkeypatch.setattr(dns.resolver.BaseResolver, "read_resolv_conf", no_configuration)
    monkeypatch.setattr(dns.resolver.BaseResolver, "read_registry", no_configuration, raising=False)
    with pytest.raises(ConfigError, match="--resolver IP"):
        DnsClient(())


class DroppingNameServer(asyncio.DatagramProtocol):
    """A name server on loopback that ignores the first `drop` queries, then answers."""

    def __init__(self, drop: int) -> None:
        self.drop = drop
        self.received = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received += 1
        if self.received <= self.drop:
            return  # a lost datagram
        assert self.transport is not None
        response = dns.message.make_response(dns.message.from_wire(data))
        self.transport.sendto(response.to_wire(), addr)


async def query_through(server: DroppingNameServer, *, timeout: float) -> float:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: server, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    started = loop.time()
    try:
        query = dns.message.make_query("example.test", "A")
        await udp_query(query, "127.0.0.1", timeout=timeout, port=port)
    finally:
        transport.close()
    return loop.time() - started


def test_a_lost_datagram_is_retransmitted_instead_of_waiting_out_the_timeout() -> None:
    server = DroppingNameServer(drop=1)
    elapsed = asyncio.run(query_through(server, timeout=5))
    assert server.received == 2
    assert elapsed < 2  # one retransmission interval, not the 5 s timeout


def test_a_silent_server_still_times_out_within_the_timeout() -> None:
    server = DroppingNameServer(drop=1000)
    with pytest.raises(dns.exception.Timeout):
        asyncio.run(query_through(server, timeout=1.5))
    assert 2 <= server.received <= 3  # sent at 0, 0.8 s (and not past the deadline)
