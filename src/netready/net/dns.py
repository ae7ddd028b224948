"""DNS lookups through the resolvers a scan is told to use, with a per-scan cache.

Every lookup returns a `DnsAnswer` instead of raising: the outcome (answer, no data,
NXDOMAIN, SERVFAIL, timeout, ...) is itself a fact that checks grade. Identical lookups made
by several targets of one scan (the same MX host, the same zone's NS) go out once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver

from netready.config import ConfigError


class DnsOutcome(StrEnum):
    ANSWER = "answer"  # records of the asked type
    NODATA = "nodata"  # the name exists, but has no records of this type
    NXDOMAIN = "nxdomain"  # the name does not exist
    SERVFAIL = "servfail"  # every resolver failed (SERVFAIL, REFUSED, malformed replies)
    TIMEOUT = "timeout"  # no usable reply within the lifetime
    ERROR = "error"  # anything else (a name that cannot be queried, no resolvers, ...)

    @property
    def is_conclusive(self) -> bool:
        """Answer, no data and NXDOMAIN say something about the name; the rest do not."""
        return self in (DnsOutcome.ANSWER, DnsOutcome.NODATA, DnsOutcome.NXDOMAIN)


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """The result of one lookup.

    `records` are the rdata in presentation form (`198.18.0.80`, `10 mail.example.test.`),
    sorted so that equal answers compare equal. `canonical_name` differs from `name` when
    the name is an alias (CNAME). `detail` explains a non-answer in words.
    """

    name: str
    rdtype: str
    outcome: DnsOutcome
    records: tuple[str, ...] = ()
    canonical_name: str | None = None
    resolver: str | None = None
    detail: str = ""


class DnsClient:
    """Asynchronous lookups via configured resolvers (or the system's when none are given)."""

    def __init__(self, resolvers: Sequence[str] = (), *, timeout: float = 5.0) -> None:
        self._resolver = _make_resolver(resolvers, timeout)
        self._timeout = timeout
        self._cache: dict[tuple[str, str], asyncio.Task[DnsAnswer]] = {}

    @property
    def resolvers(self) -> tuple[str, ...]:
        """The addresses lookups are sent to."""
        return tuple(str(nameserver) for nameserver in self._resolver.nameservers)

    async def lookup(self, name: str, rdtype: str) -> DnsAnswer:
        """Look up `name`/`rdtype`; concurrent and repeated lookups share one query."""
        key = (name.lower().rstrip("."), rdtype.upper())
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._query(*key))
            self._cache[key] = task
        # shield: one caller's cancellation must not cancel the lookup others wait on
        return await asyncio.shield(task)

    async def _query(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            answer = await self._resolver.resolve(
                name, rdtype, raise_on_no_answer=False, search=False, lifetime=self._timeout
            )
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, DnsOutcome.NXDOMAIN, detail="the name does not exist")
        except dns.resolver.LifetimeTimeout:
            return DnsAnswer(
                name, rdtype, DnsOutcome.TIMEOUT, detail=f"no answer within {self._timeout:g} s"
            )
        except dns.resolver.NoNameservers as error:
            return DnsAnswer(name, rdtype, DnsOutcome.SERVFAIL, detail=_servfail_detail(error))
        except (dns.exception.DNSException, ValueError, OSError) as error:
            return DnsAnswer(name, rdtype, DnsOutcome.ERROR, detail=str(error) or repr(error))
        records = tuple(sorted(rdata.to_text() for rdata in answer.rrset or ()))
        return DnsAnswer(
            name,
            rdtype,
            DnsOutcome.ANSWER if records else DnsOutcome.NODATA,
            records=records,
            canonical_name=answer.canonical_name.to_text(omit_final_dot=True),
            resolver=answer.nameserver,
            detail="" if records else f"the name has no {rdtype} records",
        )


def _make_resolver(resolvers: Sequence[str], timeout: float) -> dns.asyncresolver.Resolver:
    if resolvers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = list(resolvers)
    else:
        try:
            resolver = dns.asyncresolver.Resolver(configure=True)  # the system's resolvers
        except dns.resolver.NoResolverConfiguration:
            raise ConfigError(
                "this machine has no DNS resolvers configured; name one with --resolver IP"
            ) from None
    resolver.lifetime = timeout
    resolver.timeout = max(timeout / 3, 0.5)  # allow a retry within the lifetime
    return resolver


def _servfail_detail(error: dns.resolver.NoNameservers) -> str:
    # each entry is (server, tcp, port, failure, response); the failure text says what went wrong
    failures = [f"{entry[0]}: {entry[3]}" for entry in error.kwargs.get("errors", [])]
    return "every resolver failed (" + "; ".join(failures) + ")" if failures else str(error)


#: Seconds before the first retransmission of a UDP query; each later wait doubles, as stub
#: resolvers back off. A lost datagram then costs about a second, not the whole timeout.
FIRST_RETRANSMISSION = 0.8


async def udp_query(
    query: dns.message.Message,
    address: str,
    *,
    timeout: float,
    port: int = 53,
    ignore_unexpected: bool = True,
) -> dns.message.Message:
    """Send `query` over UDP to `address`, retransmitting until an answer or `timeout`.

    Raises `dns.exception.Timeout` when no answer came in time, and whatever dnspython raises
    for a malformed answer. A truncated answer is returned as it is (TC set) for the caller
    to retry over TCP.
    """
    deadline = time.monotonic() + timeout
    wait = FIRST_RETRANSMISSION
    while True:
        remaining = deadline - time.monotonic()
        try:
            return await dns.asyncquery.udp(
                query,
                address,
                timeout=min(wait, remaining),
                port=port,
                ignore_unexpected=ignore_unexpected,
            )
        except dns.exception.Timeout:
            if wait >= remaining:
                raise
            wait *= 2


async def udp_query_with_tcp_fallback(
    query: dns.message.Message, address: str, *, timeout: float, port: int = 53
) -> tuple[dns.message.Message, bool]:
    """`udp_query`, then TCP when the answer is truncated; (answer, whether TCP was used)."""
    deadline = time.monotonic() + timeout
    try:
        answer = await udp_query(query, address, timeout=timeout, port=port)
    except dns.message.Truncated:
        answer = None
    if answer is not None and not answer.flags & dns.flags.TC:
        return answer, False
    remaining = max(deadline - time.monotonic(), 0.1)
    return await dns.asyncquery.tcp(query, address, timeout=remaining, port=port), True
