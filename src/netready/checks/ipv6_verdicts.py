"""The ipv6 family's verdicts: pure functions from the facts found to findings.

`netready.checks.ipv6` asks DNS, this machine and the servers (its docstring lists every
verdict); the facts it gathers and the functions that judge them live here, unit-tested
without a network.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from netready.findings import Finding, Status, worst_status
from netready.net import local
from netready.net.dns import DnsAnswer, DnsOutcome

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
    "MailFacts",
    "Page",
    "ParityOutcome",
    "ReachFacts",
    "Reply",
    "WebFacts",
    "WebFetch",
    "ZoneFacts",
    "client_state",
    "compare_pages",
    "evaluate_client",
    "evaluate_mx_aaaa",
    "evaluate_mx_reachable",
    "evaluate_ns_aaaa",
    "evaluate_ns_reachable",
    "evaluate_web_aaaa",
    "evaluate_web_parity",
    "evaluate_web_reachable",
    "page_similarity",
    "page_title",
]

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
NO_IPV6 = "this network has no IPv6"


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
        return [mx_host(record) for record in self.mx.records] == [""]


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


def mx_host(record: str) -> str:
    """The host of an MX record in presentation form (``10 mail.example.org.``)."""
    parts = record.split()
    return parts[-1].rstrip(".").lower() if parts else ""


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
        summary = f"Could not test {service} at {subject}: {NO_IPV6} ({reason})."
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
REACHED = _ANSWERS | {Reply.REFUSED}


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
            summary = f"Could not compare {subject}: {NO_IPV6} ({reason})."
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


def evaluate_reachability(
    facts: DomainFacts, reach: ReachFacts, client: ClientFacts | None
) -> list[Finding]:
    target = facts.target
    return [
        *evaluate_web_reachable(facts.web, reach.web, client, target=target),
        *evaluate_web_parity(facts.web, reach.web_ipv4, reach.web, client, target=target),
        *evaluate_ns_reachable(facts.zone, reach.ns, client, target=target),
        *evaluate_mx_reachable(facts.mail, reach.mx, client, target=target),
    ]
