"""IPv6 readiness of a domain: published in DNS, reachable over IPv6, the same as over IPv4.

Probe, then evaluate: the family asks DNS for the web names, the zone's name servers and the
mail servers; `probe_reachability` talks to every IPv6 address found, each service as soon
as its names are known; this machine's IPv6 is inspected once per scan (`probe_client`, or
`client_from_attempts`). The `evaluate_*` functions are pure and decide every verdict below,
unit-tested one by one.

Verdicts
========

``ipv6.web.aaaa`` (subject: the domain; evidence: A and AAAA of the domain and ``www.``)
    pass: every web name (the domain and ``www.<domain>``, each only if it has an A or AAAA)
    has AAAA. warning: some do, some do not. fail: none does. info: neither name has any
    address (nothing to serve). error: a lookup failed, or the domain does not exist.
``ipv6.ns.aaaa`` (subject: the zone, the closest enclosing name with NS records)
    pass: at least two of the zone's name servers have AAAA. fail: fewer than two (one
    server is a single point of failure for IPv6-only resolvers). error: the zone or a name
    server's addresses could not be looked up, and that could change the verdict.
``ipv6.mx.aaaa`` (subject: the domain)
    pass: every MX host has AAAA. warning: some do. fail: none does (an MX host that does not
    exist counts as one without AAAA). info: no MX records, or a null MX ("0 ."): the domain
    receives no mail, nothing to check. error: a lookup failed.
``ipv6.web.reachable`` (subject: ``www.example.org [2001:db8::10]:443``, per name, address, port)
    pass: a real HTTP response (any status) came over IPv6 on port 80 (http) or 443 (https).
    warning: TCP worked but TLS failed (certificate or handshake; the tls checks say more),
    or the response header block was too large to read. fail: timeout, refused, unreachable,
    not HTTP. info (subject: the domain): no AAAA, nothing to reach.
``ipv6.ns.reachable`` (subject: ``ns1.example.org [2001:db8::53]:53``)
    pass: an authoritative (AA) answer with the zone's SOA, over UDP to that address, asked
    without recursion. fail: no answer, ICMP refusal, or an answer that is not authoritative
    or not NOERROR (a lame server over IPv6). info (subject: the zone): no name server has AAAA.
``ipv6.mx.reachable`` (subject: ``mail.example.org [2001:db8::25]:25``)
    pass: an SMTP greeting with code 220 (then QUIT). fail: another code, no greeting,
    timeout, refused, unreachable. info: no MX host has AAAA, no MX, or a null MX.
``ipv6.web.parity`` (subject: ``www.example.org [192.0.2.10] / [2001:db8::10]``, per name
    with both families; the first address of each family is compared, over http and https)
    "Essentially the same page", per scheme: the same status code; for a redirect the same
    `Location`; otherwise the same ``<title>`` (or none on both) and bodies at least
    `PAGE_SIMILARITY` (0.8) alike: the share of three-word sequences they have in common,
    after collapsing white space (so a changing token or time stamp, which spoils three of
    them, still matches). pass: both schemes match (a scheme that answered on neither family
    is left out). warning: same status and title, but the bodies differ more than that (a
    dynamic page, or a real difference). fail: status, redirect target or title differ.
    A scheme without a page on either side matches when both gave the same broken answer
    (e.g. TLS failed on both), and differs when only one did. error: one family answered and
    the other was silent (reachability reports why), or neither scheme answered on either
    family. info: no name has both.
    All four: error when a name's AAAA lookup failed (one finding naming it), when the probe
    itself failed here, or when this machine cannot test IPv6 (below).
``ipv6.client`` (subject: "this machine"; once per scan, on the first target that had IPv6
    addresses to reach; a scan without any makes no such finding)
    pass: this machine has an IPv6 stack, a route with a global source address, and an IPv6
    address answered (a configured probe address, or one of the target's; see below). fail:
    no IPv6 stack, no route, no global source address, or no *configured* probe address
    answered: this machine has no working IPv6. error (default probe only): IPv6 is
    configured, but none of the target's own IPv6 addresses answered, so it is not known
    whether they are all down or this network's IPv6 is broken.

How the machine's IPv6 colours the reachability verdicts (the three ``*.reachable`` checks and
parity): with no working IPv6 every IPv6 address gets an ``error``
("this network has no IPv6"), never a ``fail``: a broken client is not the server's fault. When
the machine's IPv6 is unconfirmed (the ``ipv6.client`` error above), a timeout or an
unreachable address is an ``error`` too, while a refusal (the host answered) or a wrong answer
stays a ``fail``. AAAA publication checks only need DNS and are graded on every machine.

How ``ipv6.client`` tests this machine: it needs an IPv6 stack and a route with a global
source address (asked of the operating system; nothing is sent), then one of two probes.
With probe endpoints configured (``ScanConfig.ipv6_probe``, ``--ipv6-probe [2001:db8::1]:443``
or a bare address, meaning port 443; repeatable), a TCP connection to any of them; the test
lab points it at a lab server. Without it (the default), the first
target's own IPv6 attempts above: any address that answered at all, a refusal included,
shows that IPv6 works here. So no third-party host is contacted and nothing is ever sent to
a fixed Internet address, at no cost of extra connections. No address of a target is probed
without a usable route, so a machine without IPv6 sends nothing over it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from netready.checks.base import (
    PROBE_GRACE_SECONDS,
    CheckContext,
    CheckSpec,
    ProbeTimeoutError,
    lookup,
)
from netready.checks.web_fetch import shared_fetch, warm_up
from netready.config import ScanConfig, parse_ipv6_endpoint
from netready.findings import Finding, Status, worst_status
from netready.net import http as http_client
from netready.net import local, tcp
from netready.net.dns import DnsAnswer, DnsOutcome, udp_query
from netready.net.errors import UNREACHABLE_ERRNOS
from netready.targets import Target, TargetKind

__all__ = [
    "CLIENT",
    "MX_AAAA",
    "MX_REACHABLE",
    "NS_AAAA",
    "NS_REACHABLE",
    "PAGE_SIMILARITY",
    "WEB_AAAA",
    "WEB_PARITY",
    "WEB_REACHABLE",
    "Attempt",
    "ClientFacts",
    "ClientState",
    "Connection",
    "DomainFacts",
    "Endpoint",
    "HostAddresses",
    "Ipv6Family",
    "MailFacts",
    "Page",
    "ParityOutcome",
    "ReachFacts",
    "Reply",
    "Transports",
    "WebFacts",
    "WebFetch",
    "ZoneFacts",
    "client_from_attempts",
    "client_state",
    "compare_pages",
    "configured_probe",
    "evaluate_client",
    "evaluate_mx_aaaa",
    "evaluate_mx_reachable",
    "evaluate_ns_aaaa",
    "evaluate_ns_reachable",
    "evaluate_web_aaaa",
    "evaluate_web_parity",
    "evaluate_web_reachable",
    "has_ipv6_addresses",
    "page_similarity",
    "page_title",
    "probe_client",
    "probe_reachability",
]

T = TypeVar("T")

WEB_AAAA = "ipv6.web.aaaa"
WEB_REACHABLE = "ipv6.web.reachable"
WEB_PARITY = "ipv6.web.parity"
NS_AAAA = "ipv6.ns.aaaa"
NS_REACHABLE = "ipv6.ns.reachable"
MX_AAAA = "ipv6.mx.aaaa"
MX_REACHABLE = "ipv6.mx.reachable"
CLIENT = "ipv6.client"

THIS_MACHINE = "this machine"
WEB_SCHEMES = (("http", 80), ("https", 443))
DNS_PORT = 53
SMTP_PORT = 25
MIN_NAME_SERVERS_WITH_AAAA = 2
# three-word sequences: one changed word spoils three, so 0.8 tolerates a few changing
# tokens per hundred words (nonces, dates) while a different page scores far below
PAGE_SIMILARITY = 0.8
_SHINGLE_WORDS = 3
# enough of a page to compare it; a larger body is compared on its first part
_MAX_COMPARED_WORDS = 20_000
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_NO_IPV6 = "this network has no IPv6"


# --- the seams to the network -------------------------------------------------------------


class FetchFunction(Protocol):
    def __call__(
        self,
        url: str,
        address: str,
        *,
        ca_file: Path | None,
        timeout: float,
        max_body: int = ...,
        method: str = ...,
    ) -> Awaitable[http_client.HttpResponse]: ...


class BannerFunction(Protocol):
    def __call__(
        self,
        address: str,
        port: int,
        *,
        timeout: float,
        max_bytes: int = ...,
        farewell: bytes | None = ...,
    ) -> Awaitable[tcp.Banner]: ...


class ConnectFunction(Protocol):
    def __call__(self, address: str, port: int, *, timeout: float) -> Awaitable[float]: ...


class DnsQueryFunction(Protocol):
    def __call__(
        self, query: dns.message.Message, address: str, *, timeout: float
    ) -> Awaitable[dns.message.Message]: ...


async def _udp_query(
    query: dns.message.Message, address: str, *, timeout: float
) -> dns.message.Message:
    # retransmitted: one lost datagram must not make a working name server look dead
    return await udp_query(query, address, timeout=timeout, port=DNS_PORT)


@dataclass(frozen=True, slots=True)
class Transports:
    """The network operations the family uses; tests replace them with in-process stand-ins."""

    fetch: FetchFunction = http_client.fetch
    read_banner: BannerFunction = tcp.read_banner
    connect: ConnectFunction = tcp.connect
    dns_query: DnsQueryFunction = _udp_query
    route_to: Callable[[str], local.Route] = local.route_to
    ipv6_supported: Callable[[], bool] = local.ipv6_supported


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostAddresses:
    """A host name with its A and AAAA answers."""

    name: str
    a: DnsAnswer
    aaaa: DnsAnswer

    @property
    def ipv4(self) -> tuple[str, ...]:
        return self.a.records if self.a.outcome is DnsOutcome.ANSWER else ()

    @property
    def ipv6(self) -> tuple[str, ...]:
        return self.aaaa.records if self.aaaa.outcome is DnsOutcome.ANSWER else ()

    @property
    def missing(self) -> bool:
        """The name does not exist (NXDOMAIN)."""
        return DnsOutcome.NXDOMAIN in (self.a.outcome, self.aaaa.outcome)

    @property
    def conclusive(self) -> bool:
        return self.a.outcome.is_conclusive and self.aaaa.outcome.is_conclusive

    @property
    def ipv6_known(self) -> bool:
        """Whether it is known if the name has AAAA (a missing name has none)."""
        return self.aaaa.outcome.is_conclusive or self.missing

    def failure(self) -> str:
        """Why the lookups were inconclusive, in words ("" when they were not)."""
        return "; ".join(
            f"{answer.rdtype}: {answer.detail or answer.outcome.value}"
            for answer in (self.a, self.aaaa)
            if not answer.outcome.is_conclusive
        )

    def evidence(self) -> dict[str, Any]:
        facts: dict[str, Any] = {"a": list(self.ipv4), "aaaa": list(self.ipv6)}
        if self.missing:
            facts["exists"] = False
        if not self.conclusive:
            facts["lookup_error"] = self.failure()
        return facts


@dataclass(frozen=True, slots=True)
class WebFacts:
    """The domain's web names: the domain itself, then ``www.<domain>`` unless it is one."""

    domain: HostAddresses
    www: HostAddresses | None

    @property
    def names(self) -> tuple[HostAddresses, ...]:
        """The names that may serve the web site (a missing www is left out)."""
        if self.www is None or self.www.missing:
            return (self.domain,)
        return (self.domain, self.www)

    @property
    def serving(self) -> tuple[HostAddresses, ...]:
        """The names with at least one address."""
        return tuple(host for host in self.names if host.ipv4 or host.ipv6)


@dataclass(frozen=True, slots=True)
class ZoneFacts:
    """The domain's zone and its name servers; `zone` None when it could not be found."""

    zone: str | None
    servers: tuple[HostAddresses, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class MailFacts:
    """The domain's MX answer and each MX host's addresses."""

    mx: DnsAnswer
    hosts: tuple[HostAddresses, ...] = ()

    @property
    def null_mx(self) -> bool:
        """RFC 7505: a single MX with the root as its host says "no mail here"."""
        return [_mx_host(record) for record in self.mx.records] == [""]


@dataclass(frozen=True, slots=True)
class DomainFacts:
    target: str
    web: WebFacts
    zone: ZoneFacts
    mail: MailFacts


@dataclass(frozen=True, slots=True, order=True)
class Endpoint:
    address: str
    port: int

    def __str__(self) -> str:
        return (
            f"[{self.address}]:{self.port}"
            if ":" in self.address
            else f"{self.address}:{self.port}"
        )


class ClientState(StrEnum):
    WORKING = "working"  # a connection over IPv6 succeeded
    UNCONFIRMED = "unconfirmed"  # configured, but none of the target's addresses answered
    NONE = "none"  # no stack, no route, no global address, or configured probes failed


@dataclass(frozen=True, slots=True)
class Connection:
    endpoint: Endpoint
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """What `probe_client` found about this machine, for the whole scan.

    Attributes:
        first_target: the target that needed the fact first; its findings carry it.
        configured: the probe endpoints came from configuration, not from the target.
        endpoints: the endpoints meant to be tried.
        supported: the machine can make IPv6 sockets.
        routes: the operating system's route to each probe address.
        connections: the connection attempts that finished (the first success ends them).
    """

    first_target: str
    configured: bool
    endpoints: tuple[Endpoint, ...]
    supported: bool
    routes: tuple[local.Route, ...] = ()
    connections: tuple[Connection, ...] = ()


class Reply(StrEnum):
    """How a service answered one reachability attempt."""

    ANSWERED = "answered"  # as it should: an HTTP response, an authoritative SOA, SMTP 220
    WRONG_ANSWER = "wrong_answer"  # it answered, but not as it should
    TLS_FAILED = "tls_failed"  # TCP worked, the TLS handshake or certificate did not
    TOO_LARGE = "too_large"  # it answered with more header than we read
    TIMEOUT = "timeout"
    REFUSED = "refused"  # the host said nothing listens (TCP reset, ICMP port unreachable)
    UNREACHABLE = "unreachable"  # no route to the address
    ERROR = "error"  # something else went wrong here: could not test


@dataclass(frozen=True, slots=True)
class Attempt:
    """One reachability attempt of `host` at `endpoint`."""

    host: str
    endpoint: Endpoint
    reply: Reply
    detail: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    """The parts of an HTTP response the checks compare."""

    status: int
    location: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class WebFetch:
    """One request for ``<scheme>://<name>/`` to one address: a page, or why there was none."""

    name: str
    endpoint: Endpoint
    scheme: str
    page: Page | None
    reply: Reply
    detail: str


@dataclass(frozen=True, slots=True)
class ReachFacts:
    """Every reachability attempt for one target."""

    web: tuple[WebFetch, ...] = ()
    web_ipv4: tuple[WebFetch, ...] = ()  # the first IPv4 address of each name, for parity
    ns: tuple[Attempt, ...] = ()
    mx: tuple[Attempt, ...] = ()


# --- the family -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ipv6Family:
    """The IPv6 checks of a domain. `probe` overrides the probe endpoints of `ipv6.client`."""

    name: str = "ipv6"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(WEB_AAAA, "The web site publishes IPv6 addresses (AAAA)"),
        CheckSpec(WEB_REACHABLE, "The web site answers HTTP and HTTPS over IPv6"),
        CheckSpec(WEB_PARITY, "The web site serves the same over IPv4 and IPv6"),
        CheckSpec(NS_AAAA, "At least two name servers have IPv6 addresses"),
        CheckSpec(NS_REACHABLE, "The name servers answer over IPv6"),
        CheckSpec(MX_AAAA, "The mail servers have IPv6 addresses"),
        CheckSpec(MX_REACHABLE, "The mail servers accept SMTP over IPv6"),
        CheckSpec(CLIENT, "This machine has working IPv6"),
    )
    probe: tuple[Endpoint, ...] | None = None
    transports: Transports = field(default_factory=Transports)

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DOMAIN

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        warm_up(context)  # load the trusted CAs while the names resolve
        configured = self.probe if self.probe is not None else configured_probe(context.config)
        name = target.value
        web = asyncio.ensure_future(_probe_web_names(name, context))
        zone = asyncio.ensure_future(_probe_zone(name, context))
        mail = asyncio.ensure_future(_probe_mail(name, context))
        # each service is probed as soon as its own names are known, while the other
        # lookups and the check of this machine go on: the slowest service sets the pace
        reach = asyncio.ensure_future(
            probe_reachability(
                web, zone, mail, context=context, transports=self.transports, target=target
            )
        )
        try:
            facts = DomainFacts(name, await web, await zone, await mail)
            yield evaluate_web_aaaa(facts.web, target=name)
            yield evaluate_ns_aaaa(facts.zone, target=name)
            yield evaluate_mx_aaaa(facts.mail, target=name)
            client = await self._client(name, facts, configured, reach, context)
            if client is not None and client.first_target == name:
                yield evaluate_client(client)
            for finding in _evaluate_reachability(facts, await reach, client):
                yield finding
        finally:
            pending = (web, zone, mail, reach)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _client(
        self,
        target: str,
        facts: DomainFacts,
        configured: tuple[Endpoint, ...],
        reach: Awaitable[ReachFacts],
        context: CheckContext,
    ) -> ClientFacts | None:
        """The scan's fact about this machine; None when the target has no IPv6 to reach."""
        if not has_ipv6_addresses(facts):
            return None
        transports = self.transports
        if configured:
            return await context.once(
                CLIENT,
                lambda: probe_client(target, configured, context=context, transports=transports),
            )
        # without a probe address, the first target's own attempts are the test: no extra
        # connection, and no third party
        return await context.once(
            CLIENT, lambda: client_from_attempts(target, reach, transports=transports)
        )


def configured_probe(config: ScanConfig) -> tuple[Endpoint, ...]:
    """The endpoints of `config.ipv6_probe` (validated when the config was made)."""
    return tuple(Endpoint(*parse_ipv6_endpoint(entry)) for entry in config.ipv6_probe)


# --- probing: DNS ---------------------------------------------------------------------------


async def _host_addresses(context: CheckContext, name: str) -> HostAddresses:
    a, aaaa = await asyncio.gather(lookup(context, name, "A"), lookup(context, name, "AAAA"))
    return HostAddresses(name, a, aaaa)


async def _probe_web_names(domain: str, context: CheckContext) -> WebFacts:
    if domain.startswith("www."):
        return WebFacts(await _host_addresses(context, domain), None)
    apex, www = await asyncio.gather(
        _host_addresses(context, domain), _host_addresses(context, f"www.{domain}")
    )
    return WebFacts(apex, www)


async def _probe_zone(domain: str, context: CheckContext) -> ZoneFacts:
    """Find the closest enclosing name with NS records, then its servers' addresses."""
    labels = domain.split(".")
    candidates = [".".join(labels[index:]) for index in range(len(labels))]
    answers = await asyncio.gather(*(lookup(context, name, "NS") for name in candidates))
    zone, servers, error = _closest_zone(answers)
    if zone is None:
        return ZoneFacts(None, error=error)
    hosts = await asyncio.gather(*(_host_addresses(context, server) for server in servers))
    return ZoneFacts(zone, tuple(hosts))


def _closest_zone(answers: Sequence[DnsAnswer]) -> tuple[str | None, tuple[str, ...], str]:
    """(zone, its name servers, "") from NS answers ordered closest first, or (None, (), why)."""
    for answer in answers:
        if answer.outcome is DnsOutcome.ANSWER:
            servers = tuple(sorted({record.rstrip(".").lower() for record in answer.records}))
            return answer.name, servers, ""
        if not answer.outcome.is_conclusive:
            # a closer zone may hide behind this failure: claiming a parent would be a guess
            return (
                None,
                (),
                f"NS lookup for {answer.name} failed ({answer.detail or answer.outcome})",
            )
    return None, (), "no enclosing name has NS records"


async def _probe_mail(domain: str, context: CheckContext) -> MailFacts:
    mx = await lookup(context, domain, "MX")
    names = sorted({host for host in map(_mx_host, mx.records) if host})
    hosts = await asyncio.gather(*(_host_addresses(context, name) for name in names))
    return MailFacts(mx, tuple(hosts))


def _mx_host(record: str) -> str:
    """The host of an MX record in presentation form (``10 mail.example.org.``)."""
    parts = record.split()
    return parts[-1].rstrip(".").lower() if parts else ""


# --- probing: this machine ------------------------------------------------------------------


def has_ipv6_addresses(facts: DomainFacts) -> bool:
    """Whether the target has any IPv6 address to reach (web, name server or mail)."""
    hosts = (*facts.web.names, *facts.zone.servers, *facts.mail.hosts)
    return any(host.ipv6 for host in hosts)


async def probe_client(
    first_target: str,
    endpoints: Sequence[Endpoint],
    *,
    context: CheckContext,
    transports: Transports,
) -> ClientFacts:
    """Inspect this machine's IPv6 with configured probe endpoints: stack, routes, connections."""
    wanted = tuple(endpoints)
    if not transports.ipv6_supported():
        return ClientFacts(first_target, True, wanted, supported=False)
    routes = _routes(transports, (endpoint.address for endpoint in wanted))
    usable = {route.destination for route in routes if local.usable_source(route)}
    reachable = [endpoint for endpoint in wanted if endpoint.address in usable]
    connections = await _first_connection(reachable, context, transports)
    return ClientFacts(first_target, True, wanted, True, routes, connections)


async def client_from_attempts(
    first_target: str, reach: Awaitable[ReachFacts], *, transports: Transports
) -> ClientFacts:
    """Inspect this machine's IPv6 through the first target's own IPv6 attempts.

    An address that answered in any way, a refusal included, shows that packets get there
    and back; the routes are looked up again (nothing is sent) for the evidence.
    """
    facts = await reach
    attempts = [(f.endpoint, f.reply, f.detail) for f in facts.web]
    attempts += [(a.endpoint, a.reply, a.detail) for a in (*facts.ns, *facts.mx)]
    endpoints = tuple(dict.fromkeys(endpoint for endpoint, _reply, _detail in attempts))
    if not transports.ipv6_supported():
        return ClientFacts(first_target, False, endpoints, supported=False)
    routes = _routes(transports, (endpoint.address for endpoint in endpoints))
    connections = tuple(
        Connection(endpoint, reply in _REACHED, detail) for endpoint, reply, detail in attempts
    )
    return ClientFacts(first_target, False, endpoints, True, routes, connections)


def _routes(transports: Transports, addresses: Iterable[str]) -> tuple[local.Route, ...]:
    return tuple(transports.route_to(address) for address in dict.fromkeys(addresses))


async def _first_connection(
    endpoints: Sequence[Endpoint], context: CheckContext, transports: Transports
) -> tuple[Connection, ...]:
    """Try every endpoint at once; stop at the first success. The attempts that finished."""
    tasks = [asyncio.ensure_future(_connect(e, context, transports)) for e in endpoints]
    finished: list[Connection] = []
    try:
        for next_done in asyncio.as_completed(tasks):
            connection = await next_done
            finished.append(connection)
            if connection.ok:
                break
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return tuple(finished)


async def _connect(endpoint: Endpoint, context: CheckContext, transports: Transports) -> Connection:
    timeout = context.config.timeout
    try:
        elapsed = await context.probe(
            f"IPv6 connection to {endpoint}",
            lambda: transports.connect(endpoint.address, endpoint.port, timeout=timeout),
            host=endpoint.address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )
    except tcp.TcpError as error:
        return Connection(endpoint, False, error.message)
    except ProbeTimeoutError as error:
        return Connection(endpoint, False, str(error))
    return Connection(endpoint, True, f"connected in {elapsed:.2f} s")


# --- probing: reachability ------------------------------------------------------------------


async def probe_reachability(
    web: Awaitable[WebFacts],
    zone: Awaitable[ZoneFacts],
    mail: Awaitable[MailFacts],
    *,
    context: CheckContext,
    transports: Transports,
    target: Target,
) -> ReachFacts:
    """Every reachability attempt of a target; each service starts once its names are known.

    Nothing is sent to an IPv6 address this machine has no usable route to (see
    `_unroutable`): on a machine without IPv6 the attempts are made up locally.
    """

    fetch = partial(_fetch, context, transports, target)

    async def web_part() -> tuple[tuple[WebFetch, ...], tuple[WebFetch, ...]]:
        names = await web
        return await asyncio.gather(
            _gather(fetch(*job) for job in _web_jobs(names, ipv6=True)),
            _gather(fetch(*job) for job in _parity_jobs(names, transports)),
        )

    async def ns_part() -> tuple[Attempt, ...]:
        jobs = _ns_jobs(await zone)
        return await _gather(_query_soa(context, transports, *job) for job in jobs)

    async def mx_part() -> tuple[Attempt, ...]:
        jobs = _mx_jobs(await mail)
        return await _gather(_smtp_banner(context, transports, *job) for job in jobs)

    (web6, web4), ns, mx = await asyncio.gather(web_part(), ns_part(), mx_part())
    return ReachFacts(web6, web4, ns, mx)


def _unroutable(endpoint: Endpoint, transports: Transports) -> str | None:
    """Why nothing may be sent to an IPv6 endpoint from here; None when it may (or IPv4).

    The route lookup sends nothing. A published address that no usable source can reach
    (e.g. a unique-local AAAA seen from the Internet) is unreachable for everyone outside.
    """
    if ipaddress.ip_address(endpoint.address).version != 6:
        return None
    route = transports.route_to(endpoint.address)
    if local.usable_source(route):
        return None
    if not route.exists:
        return route.error
    return (
        f"no usable route to {endpoint.address}: the source address would be "
        f"{route.source} ({route.source_scope})"
    )


async def _gather(awaitables: Iterable[Awaitable[T]]) -> tuple[T, ...]:
    return tuple(await asyncio.gather(*awaitables))


def _web_jobs(web: WebFacts, *, ipv6: bool) -> list[tuple[str, Endpoint, str]]:
    """(name, endpoint, scheme): over IPv6 every address; over IPv4 the first, for parity."""
    jobs: list[tuple[str, Endpoint, str]] = []
    for host in web.names:
        if ipv6:
            addresses: tuple[str, ...] = host.ipv6
        else:
            addresses = host.ipv4[:1] if host.ipv6 else ()
        for address in addresses:
            jobs.extend(
                (host.name, Endpoint(address, port), scheme) for scheme, port in WEB_SCHEMES
            )
    return jobs


def _parity_jobs(web: WebFacts, transports: Transports) -> list[tuple[str, Endpoint, str]]:
    """The IPv4 side of parity, for the names whose IPv6 side can be fetched from here."""
    reachable = {
        host.name
        for host in web.names
        if host.ipv6 and _unroutable(Endpoint(host.ipv6[0], 443), transports) is None
    }
    return [job for job in _web_jobs(web, ipv6=False) if job[0] in reachable]


def _ns_jobs(zone: ZoneFacts) -> list[tuple[str, str, Endpoint]]:
    if zone.zone is None:
        return []
    return [
        (zone.zone, server.name, Endpoint(address, DNS_PORT))
        for server in zone.servers
        for address in server.ipv6
    ]


def _mx_jobs(mail: MailFacts) -> list[tuple[str, Endpoint]]:
    return [
        (host.name, Endpoint(address, SMTP_PORT)) for host in mail.hosts for address in host.ipv6
    ]


async def _fetch(
    context: CheckContext,
    transports: Transports,
    target: Target,
    name: str,
    endpoint: Endpoint,
    scheme: str,
) -> WebFetch:
    url = f"{scheme}://{name}/"
    unroutable = _unroutable(endpoint, transports)
    if unroutable is not None:
        return WebFetch(name, endpoint, scheme, None, Reply.UNREACHABLE, unroutable)
    try:
        # shared with the https family: each page is fetched once per target
        response = await shared_fetch(
            context, target, url, endpoint.address, fetch=transports.fetch
        )
    except http_client.HttpError as error:
        return WebFetch(name, endpoint, scheme, None, _HTTP_REPLIES[error.kind], error.message)
    except ProbeTimeoutError as error:
        return WebFetch(name, endpoint, scheme, None, Reply.TIMEOUT, str(error))
    page = Page(response.status, response.location, response.body)
    detail = f"HTTP {response.status}" + (f" -> {page.location}" if page.location else "")
    return WebFetch(name, endpoint, scheme, page, Reply.ANSWERED, detail)


_HTTP_REPLIES: Mapping[http_client.HttpErrorKind, Reply] = {
    http_client.HttpErrorKind.TIMEOUT: Reply.TIMEOUT,
    http_client.HttpErrorKind.REFUSED: Reply.REFUSED,
    http_client.HttpErrorKind.UNREACHABLE: Reply.UNREACHABLE,
    http_client.HttpErrorKind.TLS: Reply.TLS_FAILED,
    http_client.HttpErrorKind.PROTOCOL: Reply.WRONG_ANSWER,
    http_client.HttpErrorKind.TOO_LARGE_HEADERS: Reply.TOO_LARGE,
    http_client.HttpErrorKind.OTHER: Reply.ERROR,
}

_TCP_REPLIES: Mapping[tcp.TcpErrorKind, Reply] = {
    tcp.TcpErrorKind.TIMEOUT: Reply.TIMEOUT,
    tcp.TcpErrorKind.REFUSED: Reply.REFUSED,
    tcp.TcpErrorKind.UNREACHABLE: Reply.UNREACHABLE,
    tcp.TcpErrorKind.RESET: Reply.WRONG_ANSWER,
    tcp.TcpErrorKind.CLOSED: Reply.WRONG_ANSWER,
    tcp.TcpErrorKind.OTHER: Reply.ERROR,
}


async def _query_soa(
    context: CheckContext, transports: Transports, zone: str, server: str, endpoint: Endpoint
) -> Attempt:
    unroutable = _unroutable(endpoint, transports)
    if unroutable is not None:
        return Attempt(server, endpoint, Reply.UNREACHABLE, unroutable)
    timeout = context.config.timeout
    query = dns.message.make_query(zone, dns.rdatatype.SOA)
    query.flags &= ~dns.flags.RD  # ask the server itself, as a resolver would, not via it
    try:
        response = await context.probe(
            f"SOA query for {zone} to {endpoint}",
            lambda: transports.dns_query(query, endpoint.address, timeout=timeout),
            host=endpoint.address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )
    except (dns.exception.Timeout, ProbeTimeoutError):
        return Attempt(server, endpoint, Reply.TIMEOUT, f"no answer within {timeout:g} s")
    except ConnectionRefusedError:
        return Attempt(server, endpoint, Reply.REFUSED, "port 53 is closed (ICMP unreachable)")
    except OSError as error:
        reply = Reply.UNREACHABLE if error.errno in UNREACHABLE_ERRNOS else Reply.ERROR
        return Attempt(server, endpoint, reply, error.strerror or str(error))
    except dns.exception.DNSException as error:
        return Attempt(server, endpoint, Reply.WRONG_ANSWER, f"unusable reply: {error}")
    return _grade_soa_reply(server, endpoint, zone, response)


def _grade_soa_reply(
    server: str, endpoint: Endpoint, zone: str, response: dns.message.Message
) -> Attempt:
    rcode = dns.rcode.to_text(response.rcode())
    authoritative = bool(response.flags & dns.flags.AA)
    has_soa = any(
        rrset.rdtype == dns.rdatatype.SOA
        and rrset.name.to_text(omit_final_dot=True).lower() == zone.lower()
        for rrset in response.answer
    )
    evidence = {"rcode": rcode, "authoritative": authoritative, "soa": has_soa}
    if rcode == "NOERROR" and authoritative and has_soa:
        return Attempt(server, endpoint, Reply.ANSWERED, "authoritative SOA answer", evidence)
    problem = (
        rcode if rcode != "NOERROR" else "not authoritative" if not authoritative else "no SOA"
    )
    return Attempt(server, endpoint, Reply.WRONG_ANSWER, f"answered {problem}", evidence)


async def _smtp_banner(
    context: CheckContext, transports: Transports, host: str, endpoint: Endpoint
) -> Attempt:
    unroutable = _unroutable(endpoint, transports)
    if unroutable is not None:
        return Attempt(host, endpoint, Reply.UNREACHABLE, unroutable)
    timeout = context.config.timeout

    async def greeting() -> tcp.Banner:
        return await context.probe(
            f"SMTP greeting from {endpoint}",
            lambda: transports.read_banner(
                endpoint.address, endpoint.port, timeout=timeout, farewell=b"QUIT\r\n"
            ),
            host=endpoint.address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )

    try:
        # a greeting is a fact about an address, not a domain: hosters' MX hosts serve
        # thousands of domains, so each address is greeted once per scan
        banner = await context.once(f"ipv6.smtp {endpoint}", greeting)
    except tcp.TcpError as error:
        return Attempt(host, endpoint, _TCP_REPLIES[error.kind], error.message)
    except ProbeTimeoutError as error:
        return Attempt(host, endpoint, Reply.TIMEOUT, str(error))
    evidence = {"banner": banner.line}
    if banner.line.startswith("220"):
        return Attempt(host, endpoint, Reply.ANSWERED, f"greeted: {banner.line}", evidence)
    return Attempt(host, endpoint, Reply.WRONG_ANSWER, f"greeted with {banner.line!r}", evidence)


# --- evaluating: publication ----------------------------------------------------------------


def evaluate_web_aaaa(web: WebFacts, *, target: str) -> Finding:
    """Grade the AAAA records of the domain and its www name (rules: module docstring)."""
    looked_up = (web.domain,) if web.www is None else (web.domain, web.www)
    evidence = {"names": {host.name: host.evidence() for host in looked_up}}

    def finding(status: Status, summary: str) -> Finding:
        return Finding(target, target, WEB_AAAA, status, summary, evidence)

    if web.domain.missing:
        return finding(Status.ERROR, f"{target} does not exist in DNS (NXDOMAIN): nothing to test.")
    failed = [host for host in web.names if not host.conclusive]
    if failed:
        return finding(Status.ERROR, _lookup_failed(failed))
    serving = web.serving
    if not serving:
        names = _listing(host.name for host in web.names)
        return finding(
            Status.INFO, f"{names} {_has(web.names)} no IPv4 or IPv6 address: no web site."
        )
    with_ipv6 = [host for host in serving if host.ipv6]
    without = [host for host in serving if not host.ipv6]
    if not without:
        addresses = ", ".join(sorted({a for host in serving for a in host.ipv6}))
        return finding(
            Status.PASS,
            f"{_listing(h.name for h in serving)} {_verb(serving, 'publishes', 'publish')} "
            f"IPv6 addresses (AAAA): {addresses}.",
        )
    if not with_ipv6:
        return finding(
            Status.FAIL,
            f"{_listing(h.name for h in serving)} {_verb(serving, 'publishes', 'publish')} no "
            "IPv6 address (AAAA): visitors on IPv6-only networks cannot reach the web site.",
        )
    return finding(
        Status.WARNING,
        f"{_listing(h.name for h in with_ipv6)} {_verb(with_ipv6, 'publishes', 'publish')} IPv6 "
        f"addresses (AAAA), but {_listing(h.name for h in without)} "
        f"{_verb(without, 'does', 'do')} not.",
    )


def evaluate_ns_aaaa(zone: ZoneFacts, *, target: str) -> Finding:
    """Grade how many of the zone's name servers have AAAA (rules: module docstring)."""
    if zone.zone is None:
        return Finding(
            target,
            target,
            NS_AAAA,
            Status.ERROR,
            f"Could not find the zone of {target}: {zone.error}.",
            {"error": zone.error},
        )
    name = zone.zone
    servers = zone.servers
    evidence = {"zone": name, "name_servers": {s.name: s.evidence() for s in servers}}
    with_ipv6 = [server for server in servers if server.ipv6]
    unknown = [server for server in servers if not server.ipv6_known]
    total = f"{len(servers)} name server{'s' if len(servers) != 1 else ''} of {name}"

    def finding(status: Status, summary: str) -> Finding:
        return Finding(target, name, NS_AAAA, status, summary, evidence)

    if len(with_ipv6) >= MIN_NAME_SERVERS_WITH_AAAA:
        lacking = [server.name for server in servers if not server.ipv6]
        note = f" ({_listing(lacking)} {_verb(lacking, 'has', 'have')} none)" if lacking else ""
        return finding(
            Status.PASS,
            f"{len(with_ipv6)} of the {total} have IPv6 addresses (AAAA){note}.",
        )
    if unknown and len(with_ipv6) + len(unknown) >= MIN_NAME_SERVERS_WITH_AAAA:
        return finding(Status.ERROR, _lookup_failed(unknown))
    if not with_ipv6:
        return finding(
            Status.FAIL,
            f"None of the {total} has an IPv6 address (AAAA): resolvers on IPv6-only "
            "networks cannot reach the zone.",
        )
    return finding(
        Status.FAIL,
        f"Only {with_ipv6[0].name}, of the {total}, has an IPv6 address (AAAA); at least "
        f"{MIN_NAME_SERVERS_WITH_AAAA} should, so that the zone stays reachable over IPv6 "
        "when one server fails.",
    )


def evaluate_mx_aaaa(mail: MailFacts, *, target: str) -> Finding:
    """Grade the AAAA records of the MX hosts (rules: module docstring)."""
    evidence = {
        "mx": list(mail.mx.records),
        "hosts": {host.name: host.evidence() for host in mail.hosts},
    }

    def finding(status: Status, summary: str) -> Finding:
        return Finding(target, target, MX_AAAA, status, summary, evidence)

    not_applicable = _mail_not_applicable(mail, target)
    if not_applicable is not None:
        return finding(*not_applicable)
    hosts = mail.hosts
    unknown = [host for host in hosts if not host.ipv6_known]
    if unknown:
        return finding(Status.ERROR, _lookup_failed(unknown))
    with_ipv6 = [host for host in hosts if host.ipv6]
    without = [host for host in hosts if not host.ipv6]
    if not without:
        return finding(
            Status.PASS,
            f"Every mail server of {target} has an IPv6 address (AAAA): "
            f"{_listing(host.name for host in hosts)}.",
        )
    if not with_ipv6:
        return finding(
            Status.FAIL,
            f"No mail server of {target} has an IPv6 address (AAAA) "
            f"({_listing(host.name for host in hosts)}): mail from IPv6-only servers "
            "cannot be delivered.",
        )
    return finding(
        Status.WARNING,
        f"{_listing(host.name for host in without)} {_verb(without, 'has', 'have')} no IPv6 "
        f"address (AAAA), while {_listing(host.name for host in with_ipv6)} "
        f"{_verb(with_ipv6, 'has', 'have')}: mail over IPv6 depends on fewer servers.",
    )


def _mail_not_applicable(mail: MailFacts, target: str) -> tuple[Status, str] | None:
    """The verdict when there are no mail servers to look at, or None when there are."""
    if mail.mx.outcome is DnsOutcome.NXDOMAIN:
        return Status.ERROR, f"{target} does not exist in DNS (NXDOMAIN): nothing to test."
    if not mail.mx.outcome.is_conclusive:
        reason = mail.mx.detail or mail.mx.outcome.value
        return Status.ERROR, f"Could not look up the MX records of {target} ({reason})."
    if mail.null_mx:
        return (
            Status.INFO,
            f"{target} declares that it receives no mail (null MX): nothing to test.",
        )
    if not mail.hosts:
        return Status.INFO, f"{target} has no MX records: no mail servers to test."
    return None


# --- evaluating: this machine ---------------------------------------------------------------


def client_state(client: ClientFacts) -> tuple[ClientState, str]:
    """Whether this machine has working IPv6, and the reason in words."""
    if not client.supported:
        return ClientState.NONE, "this machine cannot make IPv6 sockets (IPv6 is disabled)"
    routed = [route for route in client.routes if route.exists]
    if not routed:
        first = client.routes[0].error if client.routes else "no address to route to"
        return ClientState.NONE, first
    usable = [route for route in routed if local.usable_source(route)]
    if not usable:
        route = routed[0]
        return ClientState.NONE, (
            f"no global IPv6 address: the route to {route.destination} would send from "
            f"{route.source} ({route.source_scope})"
        )
    success = next((connection for connection in client.connections if connection.ok), None)
    if success is not None:
        source = next((r.source for r in usable if r.destination == success.endpoint.address), None)
        return ClientState.WORKING, f"connected to {success.endpoint} from {source}"
    tried = "; ".join(connection.detail for connection in client.connections)
    tried = tried or "no attempt finished"
    if client.configured:
        return ClientState.NONE, (
            f"IPv6 is configured, but no connection to the probe address succeeded ({tried})"
        )
    return ClientState.UNCONFIRMED, (
        f"IPv6 is configured, but none of the target's IPv6 addresses accepted a connection "
        f"({tried})"
    )


def evaluate_client(client: ClientFacts) -> Finding:
    """Grade this machine's IPv6 (rules: module docstring)."""
    state, reason = client_state(client)
    evidence = {
        "state": state.value,
        "probe": "configured" if client.configured else "targets",
        "endpoints": [str(endpoint) for endpoint in client.endpoints],
        "ipv6_supported": client.supported,
        "routes": [_route_evidence(route) for route in client.routes],
        "connections": [
            {"endpoint": str(c.endpoint), "ok": c.ok, "detail": c.detail}
            for c in client.connections
        ],
    }
    if state is ClientState.WORKING:
        status, summary = Status.PASS, f"This machine has working IPv6: {reason}."
    elif state is ClientState.NONE:
        status = Status.FAIL
        summary = (
            f"This machine has no working IPv6: {reason}. Reachability over IPv6 cannot be "
            "tested from here."
        )
    else:
        status = Status.ERROR
        summary = (
            f"Could not confirm that this machine's IPv6 works: {reason}. Either those "
            "servers are all down or IPv6 beyond this network is broken; name an IPv6 "
            "address that should answer with --ipv6-probe to tell them apart."
        )
    return Finding(client.first_target, THIS_MACHINE, CLIENT, status, summary, evidence)


def _route_evidence(route: local.Route) -> dict[str, Any]:
    return {
        "destination": route.destination,
        "source": route.source,
        "source_scope": route.source_scope.value if route.source_scope else None,
        "error": route.error,
    }


def _state(client: ClientFacts | None) -> tuple[ClientState, str]:
    if client is None:  # only when the target had no IPv6 address to try
        return ClientState.NONE, "this machine's IPv6 was not inspected"
    return client_state(client)


# --- evaluating: reachability ---------------------------------------------------------------


def _reach_status(reply: Reply, state: ClientState) -> Status:
    if reply is Reply.ANSWERED:
        return Status.PASS
    if reply in (Reply.TLS_FAILED, Reply.TOO_LARGE):
        return Status.WARNING
    if reply is Reply.ERROR:
        return Status.ERROR
    # silence is only the server's fault when this machine's IPv6 is known to work; a
    # refusal or a wrong answer came from the server, so it is its fault either way
    if state is ClientState.UNCONFIRMED and reply in (Reply.TIMEOUT, Reply.UNREACHABLE):
        return Status.ERROR
    return Status.FAIL


def _reach_summary(status: Status, subject: str, service: str, detail: str) -> str:
    if status is Status.PASS:
        return f"{subject} answers {service} over IPv6 ({detail})."
    if status is Status.WARNING:
        return f"{subject} accepts {service} connections over IPv6, but: {detail}."
    if status is Status.FAIL:
        return f"{subject} does not answer {service} over IPv6: {detail}."
    return f"Could not test {service} at {subject} over IPv6: {detail}."


def _attempt_finding(
    check_id: str,
    target: str,
    subject: str,
    service: str,
    attempt: tuple[Reply, str, Mapping[str, Any]] | None,
    client: tuple[ClientState, str],
) -> Finding:
    """One reachability finding from one attempt (None: none was made)."""
    state, reason = client
    if state is ClientState.NONE:
        summary = f"Could not test {service} at {subject}: {_NO_IPV6} ({reason})."
        evidence = {"client": state.value, "client_reason": reason}
        return Finding(target, subject, check_id, Status.ERROR, summary, evidence)
    if attempt is None:
        summary = f"Could not test {service} at {subject}: no attempt was made."
        return Finding(target, subject, check_id, Status.ERROR, summary, {})
    reply, detail, facts = attempt
    status = _reach_status(reply, state)
    if status is Status.ERROR and reply is not Reply.ERROR:
        detail = f"{detail}; this machine's IPv6 is unconfirmed ({reason})"
    evidence = {**facts, "reply": reply.value, "detail": detail, "client": state.value}
    summary = _reach_summary(status, subject, service, detail)
    return Finding(target, subject, check_id, status, summary, evidence)


def _unknown_host_findings(
    check_id: str, target: str, hosts: Iterable[HostAddresses]
) -> list[Finding]:
    return [
        Finding(
            target,
            host.name,
            check_id,
            Status.ERROR,
            _lookup_failed([host]),
            {"lookup_error": host.failure()},
        )
        for host in hosts
        if not host.ipv6_known
    ]


def _not_applicable(check_id: str, target: str, subject: str, summary: str) -> Finding:
    return Finding(target, subject, check_id, Status.INFO, summary, {})


def evaluate_web_reachable(
    web: WebFacts, fetches: Sequence[WebFetch], client: ClientFacts | None, *, target: str
) -> list[Finding]:
    """One finding per web name, IPv6 address and port (rules: module docstring)."""
    findings = _unknown_host_findings(WEB_REACHABLE, target, web.names)
    hosts = [host for host in web.names if host.ipv6]
    if not hosts and not findings:
        summary = f"No web name of {target} has an IPv6 address (AAAA): nothing to reach."
        return [_not_applicable(WEB_REACHABLE, target, target, summary)]
    state = _state(client)
    by_key = {(f.name, f.endpoint, f.scheme): f for f in fetches}
    for host in hosts:
        for address in host.ipv6:
            for scheme, port in WEB_SCHEMES:
                endpoint = Endpoint(address, port)
                fetch = by_key.get((host.name, endpoint, scheme))
                attempt = (
                    None if fetch is None else (fetch.reply, fetch.detail, _fetch_facts(fetch))
                )
                subject = f"{host.name} {endpoint}"
                findings.append(
                    _attempt_finding(WEB_REACHABLE, target, subject, scheme.upper(), attempt, state)
                )
    return findings


def _fetch_facts(fetch: WebFetch) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "url": f"{fetch.scheme}://{fetch.name}/",
        "address": fetch.endpoint.address,
    }
    if fetch.page is not None:
        facts["status"] = fetch.page.status
        facts["location"] = fetch.page.location
    return facts


def evaluate_ns_reachable(
    zone: ZoneFacts, attempts: Sequence[Attempt], client: ClientFacts | None, *, target: str
) -> list[Finding]:
    """One finding per name server and IPv6 address (rules: module docstring)."""
    if zone.zone is None:
        summary = f"Could not find the zone of {target}: {zone.error}."
        return [Finding(target, target, NS_REACHABLE, Status.ERROR, summary, {})]
    findings = _unknown_host_findings(NS_REACHABLE, target, zone.servers)
    servers = [server for server in zone.servers if server.ipv6]
    if not servers and not findings:
        summary = f"No name server of {zone.zone} has an IPv6 address (AAAA): nothing to reach."
        return [_not_applicable(NS_REACHABLE, target, zone.zone, summary)]
    return findings + _host_attempt_findings(
        NS_REACHABLE, target, servers, DNS_PORT, attempts, "DNS", _state(client)
    )


def evaluate_mx_reachable(
    mail: MailFacts, attempts: Sequence[Attempt], client: ClientFacts | None, *, target: str
) -> list[Finding]:
    """One finding per MX host and IPv6 address (rules: module docstring)."""
    not_applicable = _mail_not_applicable(mail, target)
    if not_applicable is not None:
        status, summary = not_applicable
        return [Finding(target, target, MX_REACHABLE, status, summary, {})]
    findings = _unknown_host_findings(MX_REACHABLE, target, mail.hosts)
    hosts = [host for host in mail.hosts if host.ipv6]
    if not hosts and not findings:
        summary = f"No mail server of {target} has an IPv6 address (AAAA): nothing to reach."
        return [_not_applicable(MX_REACHABLE, target, target, summary)]
    return findings + _host_attempt_findings(
        MX_REACHABLE, target, hosts, SMTP_PORT, attempts, "SMTP", _state(client)
    )


def _host_attempt_findings(
    check_id: str,
    target: str,
    hosts: Sequence[HostAddresses],
    port: int,
    attempts: Sequence[Attempt],
    service: str,
    client: tuple[ClientState, str],
) -> list[Finding]:
    by_key = {(attempt.host, attempt.endpoint): attempt for attempt in attempts}
    findings = []
    for host in hosts:
        for address in host.ipv6:
            endpoint = Endpoint(address, port)
            found = by_key.get((host.name, endpoint))
            attempt = None if found is None else (found.reply, found.detail, found.evidence)
            subject = f"{host.name} {endpoint}"
            findings.append(_attempt_finding(check_id, target, subject, service, attempt, client))
    return findings


# --- evaluating: parity ---------------------------------------------------------------------


class ParityOutcome(StrEnum):
    SAME = "same"  # essentially the same response
    DISSIMILAR = "dissimilar"  # same status and title, but the bodies differ a lot
    DIFFERENT = "different"  # another status, redirect target or title
    INCOMPARABLE = "incomparable"  # one family answered, the other did not
    ABSENT = "absent"  # neither family answered


_PARITY_STATUS: Mapping[ParityOutcome, Status] = {
    ParityOutcome.SAME: Status.PASS,
    ParityOutcome.DISSIMILAR: Status.WARNING,
    ParityOutcome.DIFFERENT: Status.FAIL,
    ParityOutcome.INCOMPARABLE: Status.ERROR,
}


def page_title(body: bytes) -> str | None:
    """The page's ``<title>``, white space collapsed; None when it has none."""
    match = _TITLE.search(body)
    if match is None:
        return None
    return " ".join(match.group(1).decode("utf-8", errors="replace").split())


def page_similarity(first: bytes, second: bytes) -> float:
    """How alike two bodies are, 0 to 1, white space ignored.

    The weighted Jaccard index of their three-word sequences (shingles): shared over all,
    counting repeats. Linear in the page size, unlike an alignment (difflib takes seconds
    on a page of repeated tags, and this runs on the event loop).
    """
    words_first, words_second = _words(first), _words(second)
    if words_first == words_second:
        return 1.0
    shingles_first, shingles_second = _shingles(words_first), _shingles(words_second)
    union = sum((shingles_first | shingles_second).values())
    return sum((shingles_first & shingles_second).values()) / union if union else 0.0


def _words(body: bytes) -> list[str]:
    return body.decode("utf-8", errors="replace").split()[:_MAX_COMPARED_WORDS]


def _shingles(words: Sequence[str]) -> Counter[tuple[str, ...]]:
    if len(words) < _SHINGLE_WORDS:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(
        tuple(words[index : index + _SHINGLE_WORDS])
        for index in range(len(words) - _SHINGLE_WORDS + 1)
    )


def compare_pages(ipv4: Page, ipv6: Page) -> tuple[ParityOutcome, str]:
    """Whether two responses are essentially the same (the rule: module docstring)."""
    if ipv4.status != ipv6.status:
        return ParityOutcome.DIFFERENT, f"HTTP {ipv4.status} over IPv4, {ipv6.status} over IPv6"
    if 300 <= ipv4.status < 400:
        if ipv4.location != ipv6.location:
            return ParityOutcome.DIFFERENT, (
                f"redirects to {ipv4.location} over IPv4, to {ipv6.location} over IPv6"
            )
        return ParityOutcome.SAME, f"both HTTP {ipv4.status} to {ipv4.location}"
    title4, title6 = page_title(ipv4.body), page_title(ipv6.body)
    if title4 != title6:
        return ParityOutcome.DIFFERENT, f"title {title4!r} over IPv4, {title6!r} over IPv6"
    similarity = page_similarity(ipv4.body, ipv6.body)
    alike = f"HTTP {ipv4.status}, pages {similarity:.0%} alike"
    if similarity >= PAGE_SIMILARITY:
        return ParityOutcome.SAME, alike
    if title4 is not None:
        return ParityOutcome.DISSIMILAR, f"{alike}, though the title is the same"
    return ParityOutcome.DIFFERENT, alike


def _compare_fetches(ipv4: WebFetch | None, ipv6: WebFetch | None) -> tuple[ParityOutcome, str]:
    """Compare one scheme's two fetches: pages, the same broken answer, or silence."""
    page4 = ipv4.page if ipv4 is not None else None
    page6 = ipv6.page if ipv6 is not None else None
    if page4 is not None and page6 is not None:
        return compare_pages(page4, page6)
    reply4 = _comparable_reply(ipv4)
    reply6 = _comparable_reply(ipv6)
    detail = (
        f"IPv4: {ipv4.detail if ipv4 else 'not tried'}; "
        f"IPv6: {ipv6.detail if ipv6 else 'not tried'}"
    )
    if reply4 is None and reply6 is None:
        return ParityOutcome.ABSENT, detail
    if reply4 is None or reply6 is None:
        # one side said nothing: reachability reports why, there is nothing to compare
        return ParityOutcome.INCOMPARABLE, detail
    # both answered, at least one without a page (TLS failed, not HTTP, too large): the
    # same failure on both is parity, a failure on one side only is a difference
    return (ParityOutcome.SAME if reply4 == reply6 else ParityOutcome.DIFFERENT), detail


def _comparable_reply(fetch: WebFetch | None) -> Reply | None:
    """What a host answered (a reply kind), or None when it said nothing."""
    if fetch is None or fetch.reply not in _ANSWERS:
        return None
    return fetch.reply


_ANSWERS = frozenset({Reply.ANSWERED, Reply.TLS_FAILED, Reply.TOO_LARGE, Reply.WRONG_ANSWER})
# replies that show packets reach the address and come back (a refusal is a TCP reset)
_REACHED = _ANSWERS | {Reply.REFUSED}


def evaluate_web_parity(
    web: WebFacts,
    ipv4: Sequence[WebFetch],
    ipv6: Sequence[WebFetch],
    client: ClientFacts | None,
    *,
    target: str,
) -> list[Finding]:
    """One finding per web name with both families (rules: module docstring)."""
    findings = _unknown_host_findings(WEB_PARITY, target, web.names)
    pairs = [host for host in web.names if host.ipv4 and host.ipv6]
    if not pairs and not findings:
        summary = f"No web name of {target} has both IPv4 and IPv6 addresses: nothing to compare."
        return [_not_applicable(WEB_PARITY, target, target, summary)]
    state, reason = _state(client)
    fetched = {(f.name, f.endpoint.address, f.scheme): f for f in (*ipv4, *ipv6)}
    for host in pairs:
        address4, address6 = host.ipv4[0], host.ipv6[0]
        subject = f"{host.name} [{address4}] / [{address6}]"
        if state is ClientState.NONE:
            summary = f"Could not compare {subject}: {_NO_IPV6} ({reason})."
            evidence = {"client": state.value, "client_reason": reason}
            findings.append(Finding(target, subject, WEB_PARITY, Status.ERROR, summary, evidence))
            continue
        outcomes = {
            scheme: _compare_fetches(
                fetched.get((host.name, address4, scheme)),
                fetched.get((host.name, address6, scheme)),
            )
            for scheme, _port in WEB_SCHEMES
        }
        findings.append(_parity_finding(target, host.name, subject, outcomes))
    return findings


def _parity_finding(
    target: str, name: str, subject: str, outcomes: Mapping[str, tuple[ParityOutcome, str]]
) -> Finding:
    evidence = {
        "schemes": {s: {"outcome": o.value, "detail": d} for s, (o, d) in outcomes.items()},
        "similarity_threshold": PAGE_SIMILARITY,
    }
    graded = {
        scheme: _PARITY_STATUS[outcome]
        for scheme, (outcome, _detail) in outcomes.items()
        if outcome is not ParityOutcome.ABSENT
    }
    status = worst_status(list(graded.values()))
    details = "; ".join(f"{scheme}: {outcomes[scheme][1]}" for scheme in outcomes)
    if status is None:
        summary = (
            f"Could not compare {name} over IPv4 and IPv6: neither family answered ({details})."
        )
        return Finding(target, subject, WEB_PARITY, Status.ERROR, summary, evidence)
    worst = "; ".join(
        f"{scheme}: {outcomes[scheme][1]}" for scheme, s in graded.items() if s is status
    )
    summaries = {
        Status.PASS: f"{name} serves the same over IPv4 and IPv6 ({details}).",
        Status.WARNING: f"{name} serves a noticeably different page over IPv6 ({worst}).",
        Status.FAIL: f"{name} serves different content over IPv4 and IPv6 ({worst}).",
        Status.ERROR: f"Could not compare {name} over IPv4 and IPv6 ({worst}).",
    }
    return Finding(target, subject, WEB_PARITY, status, summaries[status], evidence)


# --- wording --------------------------------------------------------------------------------


def _listing(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _verb(items: Sequence[object], one: str, many: str) -> str:
    return one if len(items) == 1 else many


def _has(items: Sequence[object]) -> str:
    return _verb(items, "has", "have")


def _lookup_failed(hosts: Sequence[HostAddresses]) -> str:
    reasons = "; ".join(f"{host.name}: {host.failure()}" for host in hosts)
    return f"Could not look up the addresses of {_listing(h.name for h in hosts)} ({reasons})."


def _evaluate_reachability(
    facts: DomainFacts, reach: ReachFacts, client: ClientFacts | None
) -> list[Finding]:
    target = facts.target
    return [
        *evaluate_web_reachable(facts.web, reach.web, client, target=target),
        *evaluate_web_parity(facts.web, reach.web_ipv4, reach.web, client, target=target),
        *evaluate_ns_reachable(facts.zone, reach.ns, client, target=target),
        *evaluate_mx_reachable(facts.mail, reach.mx, client, target=target),
    ]
