"""DnsClient behaviour that needs no server: sharing lookups, and a machine without resolvers.

The resolver library is replaced here by stand-ins (named as such): the lab tests exercise
the real lookups against BIND and unbound.
"""

from __future__ import annotations

import asyncio
from typing import Any

import dns.asyncresolver
import dns.resolver
import pytest

from netready.config import ConfigError
from netready.net.dns import DnsClient, DnsOutcome


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
