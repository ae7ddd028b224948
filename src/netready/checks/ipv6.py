"""IPv6 readiness of a domain: published in DNS, reachable over IPv6, the same as over IPv4.

Probe, then evaluate: the family asks DNS for the web names, the zone's name servers and the
mail servers; `probe_reachability` talks to every IPv6 address found, each service as soon
as its names are known; this machine's IPv6 is inspected once per scan (`probe_client`, or
`client_from_attempts`). The `evaluate_*` functions are pure and decide every verdict below,
unit-tested one by one; they and the facts they judge are in `netready.checks.ipv6_verdicts`.

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
import contextlib
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

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
    as_they_finish,
    lookup,
)
from netready.checks.ipv6_verdicts import (
    CLIENT,
    DNS_PORT,
    MX_AAAA,
    MX_REACHABLE,
    NS_AAAA,
    NS_REACHABLE,
    REACHED,
    SMTP_PORT,
    WEB_AAAA,
    WEB_PARITY,
    WEB_REACHABLE,
    WEB_SCHEMES,
    Attempt,
    ClientFacts,
    Connection,
    DomainFacts,
    Endpoint,
    HostAddresses,
    MailFacts,
    Page,
    ReachFacts,
    Reply,
    WebFacts,
    WebFetch,
    ZoneFacts,
    evaluate_client,
    evaluate_mx_aaaa,
    evaluate_ns_aaaa,
    evaluate_reachability,
    evaluate_web_aaaa,
    mx_host,
)
from netready.checks.web_fetch import shared_fetch, warm_up
from netready.config import ScanConfig, parse_ipv6_endpoint
from netready.findings import Finding
from netready.net import http as http_client
from netready.net import local, tcp
from netready.net.dns import DnsAnswer, DnsOutcome, udp_query
from netready.net.errors import UNREACHABLE_ERRNOS
from netready.targets import Target, TargetKind

__all__ = [
    "Ipv6Family",
    "Transports",
    "client_from_attempts",
    "configured_probe",
    "has_ipv6_addresses",
    "probe_client",
    "probe_reachability",
]
T = TypeVar("T")


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
            for finding in evaluate_reachability(facts, await reach, client):
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
    names = sorted({host for host in map(mx_host, mx.records) if host})
    hosts = await asyncio.gather(*(_host_addresses(context, name) for name in names))
    return MailFacts(mx, tuple(hosts))


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
        Connection(endpoint, reply in REACHED, detail) for endpoint, reply, detail in attempts
    )
    return ClientFacts(first_target, False, endpoints, True, routes, connections)


def _routes(transports: Transports, addresses: Iterable[str]) -> tuple[local.Route, ...]:
    return tuple(transports.route_to(address) for address in dict.fromkeys(addresses))


async def _first_connection(
    endpoints: Sequence[Endpoint], context: CheckContext, transports: Transports
) -> tuple[Connection, ...]:
    """Try every endpoint at once; stop at the first success. The attempts that finished."""
    finished: list[Connection] = []
    attempts = as_they_finish(_connect(e, context, transports) for e in endpoints)
    async with contextlib.aclosing(attempts):  # the others are cancelled at the first success
        async for connection in attempts:
            finished.append(connection)
            if connection.ok:
                break
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
