"""TLS: versions, cipher suites, key exchange, certificate and known flaws, per address.

What is tested
--------------
Every A and AAAA address of a name is tested on its own, with the name as SNI, so a weak
IPv6 endpoint cannot hide behind a good IPv4 one (subject
``www.example.org [2001:db8::10]:443``). A bare address target is tested without SNI and
its certificate is checked for the address.

Ports: ``ScanConfig.tls_ports`` (default 443). A named port 25 or 587 speaks SMTP STARTTLS,
143 IMAP STARTTLS, 110 POP3 STARTTLS; every other port (465, 993, 995, 8443, ...) implicit
TLS. Port 25 of a domain means its mail servers: the MX hosts (the name itself when it has no
MX, none for a null MX). ``ScanConfig.mail`` adds the mail ports that are not named: 25 on the
MX hosts, and 587, 465, 143, 993, 110 and 995 on the name itself, where nothing listening is
only noted (`info`), because few hosts serve every mail protocol.

Probe, then evaluate: `netready.net.tls.enumerate_tls` finds the accepted versions, suites,
groups and cipher order; the certificate chain and the vulnerability tests are sslyze jobs
(`netready.net.tls_sslyze`) run in the scan's TLS worker pool, each one probe under the
per-host limit. Tests that cannot apply are not run (`plan_tests`): Heartbleed and CCS
injection on a server that speaks TLS 1.3 (sslyze's own rule: such an OpenSSL is far newer
than the bugs), ROBOT without RSA key exchange, renegotiation and compression without a
version below TLS 1.3, TLS_FALLBACK_SCSV without an older version to fall back to. The pure
`evaluate_*` functions grade the facts.

The verdicts are pure functions in `netready.checks.tls_verdicts`, which lists them.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from netready.checks.base import (
    CheckContext,
    CheckSpec,
    ProbeTimeoutError,
    as_they_finish,
    lookup,
)
from netready.checks.tls_verdicts import (
    ADDRESS_PARITY,
    CCS_INJECTION,
    CERT_EXPIRY,
    CERT_HOSTNAME,
    CERT_KEY,
    CERT_SIGNATURE,
    CERT_TRUSTED,
    CIPHER_ORDER,
    CIPHERS,
    COMPRESSION,
    CONNECT,
    FALLBACK_SCSV,
    GRADE,
    HEARTBLEED,
    KEY_EXCHANGE,
    OCSP_STAPLING,
    PROTOCOLS,
    RENEGOTIATION,
    ROBOT,
    VERSIONS,
    EndpointFacts,
    Service,
    Skipped,
    TestResult,
    all_suites,
    bracketed,
    evaluate_addresses,
    evaluate_endpoint,
    evaluate_parity,
    highest_version,
)
from netready.config import ScanConfig
from netready.findings import Finding, Status
from netready.net import tls_worker
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.tls import StartTls, TlsEndpoint, TlsEnumeration, enumerate_tls
from netready.net.tls_sslyze import (
    SslyzeFailure,
    SslyzeRequest,
    SslyzeTest,
    fetch_certificate_chain,
    run_test,
)
from netready.net.tls_worker import WorkerCrashedError, WorkerTimeoutError
from netready.targets import Target, TargetKind

T = TypeVar("T")
#: Mail ports in the order they are tested, and the STARTTLS protocol each speaks.
MAIL_PORTS: Mapping[int, StartTls] = {
    25: StartTls.SMTP,
    587: StartTls.SMTP,
    465: StartTls.NONE,
    143: StartTls.IMAP,
    993: StartTls.NONE,
    110: StartTls.POP3,
    995: StartTls.NONE,
}
SMTP_PORT = 25
#: The enumeration makes many connections, several at once; its probe may take this many
#: times the configured (per-connection) timeout before it counts as hung.
ENUMERATION_TIMEOUT_FACTOR = 6.0
#: An sslyze connection makes several reads, each bounded by the timeout.
READS_PER_CONNECTION = 3
#: Connections each sslyze test makes at most (ROBOT: 3 runs of about 6).
TEST_CONNECTIONS = {SslyzeTest.ROBOT: 18}
#: How long a test may wait for a free worker process before it counts as hung.
POOL_QUEUE_SECONDS = 600.0
#: Worker processes for the sslyze jobs of a scan (about 50 MB each).
WORKER_PROCESSES = 2


# --- what to test ----------------------------------------------------------------------------


def starttls_for_port(port: int) -> StartTls:
    """The STARTTLS protocol a port speaks by convention (NONE: implicit TLS)."""
    if port in (MAIL_PORTS.keys() - {465, 993, 995}):
        return MAIL_PORTS[port]
    return StartTls.NONE


def plan_services(
    target: Target, config: ScanConfig, mx_hosts: Sequence[str] | None
) -> list[Service]:
    """The services to test on `target` (see the module docstring).

    `mx_hosts` are the domain's mail servers, best first (the domain itself when it has no
    MX); None when port 25 is not wanted or the MX lookup failed (no port-25 service then).
    """
    is_domain = target.kind is TargetKind.DOMAIN
    name = target.value
    server_name = name if is_domain else None
    named = list(dict.fromkeys(config.tls_ports))
    guessed = [port for port in MAIL_PORTS if config.mail and port not in named]
    services: list[Service] = []
    for port in [*named, *guessed]:
        starttls = starttls_for_port(port)
        if port == SMTP_PORT and is_domain:
            services += [Service(host, port, starttls, host, role="mx") for host in mx_hosts or ()]
            continue
        optional = port in guessed
        role = "mail" if optional else "named"
        services.append(Service(name, port, starttls, server_name, optional, role))
    return services


def wants_mx(target: Target, config: ScanConfig) -> bool:
    return target.kind is TargetKind.DOMAIN and (SMTP_PORT in config.tls_ports or config.mail)


def mx_hosts_of(domain: str, answer: DnsAnswer) -> list[str] | None:
    """The mail servers of `domain`, best first; None when the lookup failed.

    No MX records: the domain itself (RFC 5321 section 5.1). A null MX (``0 .``, RFC 7505):
    none.
    """
    if answer.outcome in (DnsOutcome.NODATA, DnsOutcome.NXDOMAIN):
        return [domain]
    if answer.outcome is not DnsOutcome.ANSWER:
        return None
    preferences: list[tuple[int, str]] = []
    for record in answer.records:
        preference, _, host = record.partition(" ")
        host = host.strip().rstrip(".").lower()
        if host:
            preferences.append((int(preference), host))
    return list(dict.fromkeys(host for _preference, host in sorted(preferences)))


def plan_tests(enumeration: TlsEnumeration) -> dict[SslyzeTest, Skipped | None]:
    """For each sslyze test: None to run it, or why it cannot apply (nothing is sent)."""
    versions = set(enumeration.versions)
    below_13 = versions - {"TLSv1.3"}
    plan: dict[SslyzeTest, Skipped | None] = dict.fromkeys(SslyzeTest)
    if "TLSv1.3" in versions:
        reason = Skipped("the server speaks TLS 1.3, so its TLS library is newer than the bug")
        plan[SslyzeTest.HEARTBLEED] = plan[SslyzeTest.CCS_INJECTION] = reason
    if not any(suite.startswith("TLS_RSA_WITH_") for suite in all_suites(enumeration)):
        plan[SslyzeTest.ROBOT] = Skipped("no suite with RSA key exchange is accepted")
    if not below_13 - {"SSLv2"}:
        no_renegotiation = Skipped("only TLS 1.3 is accepted, which has no renegotiation")
        plan[SslyzeTest.SECURE_RENEGOTIATION] = no_renegotiation
        plan[SslyzeTest.CLIENT_RENEGOTIATION] = no_renegotiation
        plan[SslyzeTest.COMPRESSION] = Skipped("only TLS 1.3 is accepted, which has no compression")
    base = "TLSv1.2" if "TLSv1.3" in versions else highest_version(versions)
    if not any(VERSIONS.index(v) < VERSIONS.index(base) for v in versions - {"SSLv2"}):
        plan[SslyzeTest.FALLBACK_SCSV] = Skipped("no older version to fall back to is accepted")
    if highest_version(versions) == "SSLv2":
        plan = dict.fromkeys(SslyzeTest, Skipped("only SSL 2.0 is accepted"))
    return plan


def sslyze_request(enumeration: TlsEnumeration, config: ScanConfig) -> SslyzeRequest:
    """What the sslyze jobs need to know about an endpoint that accepts a handshake."""
    endpoint = enumeration.endpoint
    highest = highest_version(set(enumeration.versions))
    lower = tuple(v for v in reversed(VERSIONS) if v in enumeration.versions and v != highest)
    return SslyzeRequest(
        address=endpoint.address,
        port=endpoint.port,
        server_name=endpoint.server_name,
        starttls=endpoint.starttls.value,
        timeout=config.timeout,
        highest_version=highest,
        suites=tuple(enumeration.versions[highest]),
        ca_file=str(config.ca_file) if config.ca_file is not None else None,
        lower_versions=lower,
    )


# --- the family ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TlsFamily:
    name: str = "tls"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(CONNECT, "A TLS handshake works"),
        CheckSpec(PROTOCOLS["SSLv2"], "SSL 2.0 is refused"),
        CheckSpec(PROTOCOLS["SSLv3"], "SSL 3.0 is refused"),
        CheckSpec(PROTOCOLS["TLSv1.0"], "TLS 1.0 is refused"),
        CheckSpec(PROTOCOLS["TLSv1.1"], "TLS 1.1 is refused"),
        CheckSpec(PROTOCOLS["TLSv1.2"], "TLS 1.2 is offered"),
        CheckSpec(PROTOCOLS["TLSv1.3"], "TLS 1.3 is offered"),
        CheckSpec(CIPHERS, "Only good and sufficient cipher suites (NCSC-NL)"),
        CheckSpec(KEY_EXCHANGE, "Forward-secret key exchange with strong groups"),
        CheckSpec(CERT_TRUSTED, "The certificate chain leads to a trusted root"),
        CheckSpec(CERT_HOSTNAME, "The certificate is valid for the name"),
        CheckSpec(CERT_EXPIRY, "The certificate is valid for at least 30 more days"),
        CheckSpec(CERT_KEY, "The certificate keys are strong enough"),
        CheckSpec(CERT_SIGNATURE, "The certificates are signed with SHA-256 or better"),
        CheckSpec(HEARTBLEED, "Not vulnerable to Heartbleed"),
        CheckSpec(ROBOT, "Not vulnerable to ROBOT"),
        CheckSpec(CCS_INJECTION, "Not vulnerable to OpenSSL CCS injection"),
        CheckSpec(RENEGOTIATION, "Secure renegotiation; no unlimited client renegotiation"),
        CheckSpec(COMPRESSION, "TLS compression is off"),
        CheckSpec(FALLBACK_SCSV, "Downgrades are refused (TLS_FALLBACK_SCSV)"),
        CheckSpec(OCSP_STAPLING, "A valid OCSP response is stapled"),
        CheckSpec(CIPHER_ORDER, "The server enforces an order that prefers stronger suites"),
        CheckSpec(ADDRESS_PARITY, "Every address of a name offers the same TLS"),
        CheckSpec(GRADE, "The overall grade of the endpoint, A+ to F"),
    )

    def applies_to(self, target: Target) -> bool:
        return target.kind in (TargetKind.DOMAIN, TargetKind.ADDRESS)

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        services, problems = await _plan(target, context)
        for finding in problems:
            yield finding
        resolved = await asyncio.gather(*(_addresses(s, target, context) for s in services))
        endpoints: list[tuple[Service, str]] = []
        for service, found in zip(services, resolved, strict=True):
            if isinstance(found, Finding):
                yield found
            else:
                endpoints += [(service, address) for address in found]
        by_service: dict[Service, list[EndpointFacts]] = {}
        probes = (probe_endpoint(service, address, context) for service, address in endpoints)
        async for facts in as_they_finish(probes):
            by_service.setdefault(facts.service, []).append(facts)
            now = datetime.datetime.now(datetime.UTC)
            for finding in evaluate_endpoint(target.value, facts, now=now):
                yield finding
        now = datetime.datetime.now(datetime.UTC)
        for service, facts_list in by_service.items():
            if service.server_name is not None:
                yield evaluate_parity(target.value, service, facts_list, now=now)


# --- probes ----------------------------------------------------------------------------------


async def _plan(target: Target, context: CheckContext) -> tuple[list[Service], list[Finding]]:
    """The services to test, and a `tls.connect` error when the MX lookup failed."""
    if not wants_mx(target, context.config):
        return plan_services(target, context.config, None), []
    answer = await lookup(context, target.value, "MX")
    mx_hosts = mx_hosts_of(target.value, answer)
    services = plan_services(target, context.config, mx_hosts)
    if mx_hosts is not None:
        return services, []
    problem = Finding(
        target=target.value,
        subject=f"{target.value}:{SMTP_PORT}",
        check_id=CONNECT,
        status=Status.ERROR,
        summary=f"Could not look up the mail servers (MX) of {target.value}: "
        f"{answer.detail or answer.outcome.value}; port {SMTP_PORT} was not tested.",
        evidence={"host": target.value, "port": SMTP_PORT, "mx": answer.outcome.value},
    )
    return services, [problem]


async def _addresses(
    service: Service, target: Target, context: CheckContext
) -> list[str] | Finding:
    """The addresses of the service's host (A, then AAAA), or why there are none."""
    if target.kind is TargetKind.ADDRESS and service.host == target.value:
        return [target.value]
    a, aaaa = await asyncio.gather(
        lookup(context, service.host, "A"), lookup(context, service.host, "AAAA")
    )
    return evaluate_addresses(target.value, service, {"A": a, "AAAA": aaaa})


async def probe_endpoint(service: Service, address: str, context: CheckContext) -> EndpointFacts:
    """Enumerate one endpoint; when it speaks TLS, fetch its chain and run the tests."""
    endpoint = TlsEndpoint(address, service.port, service.server_name, service.starttls)
    enumeration = await _enumerate(endpoint, context)
    if enumeration.error is not None or not enumeration.versions:
        return EndpointFacts(service, enumeration)
    request = sslyze_request(enumeration, context.config)
    plan = plan_tests(enumeration)
    to_run = [test for test, skipped in plan.items() if skipped is None]
    subject = service.endpoint_subject(address)
    chain_task = _in_pool(
        context, f"certificate of {subject}", address, "certificate", 1,
        fetch_certificate_chain, request,
    )  # fmt: skip
    test_tasks = [
        _in_pool(
            context, f"{test.value} test of {subject}", address, test.value,
            TEST_CONNECTIONS.get(test, 1), run_test, request, test,
        )
        for test in to_run
    ]  # fmt: skip
    chain, results = await asyncio.gather(chain_task, asyncio.gather(*test_tasks))
    tests: dict[SslyzeTest, TestResult] = {
        test: skipped for test, skipped in plan.items() if skipped is not None
    }
    tests.update(zip(to_run, results, strict=True))
    return EndpointFacts(service, enumeration, chain, tests)


async def _enumerate(endpoint: TlsEndpoint, context: CheckContext) -> TlsEnumeration:
    timeout = context.config.timeout
    where = f"{bracketed(endpoint.address)}:{endpoint.port}"
    try:
        return await context.probe(
            f"TLS enumeration of {where}",
            lambda: enumerate_tls(endpoint, timeout=timeout),
            host=endpoint.address,
            timeout=timeout * ENUMERATION_TIMEOUT_FACTOR,
        )
    except ProbeTimeoutError as error:
        return TlsEnumeration(
            endpoint=endpoint,
            error=str(error),
            error_kind="timeout",
            versions={},
            server_enforces_order={},
            groups=(),
            dh_bits=None,
            connections=0,
        )


async def worker_pool(context: CheckContext) -> tls_worker.TlsWorkerPool:
    """The scan's TLS worker pool, made on first use and shared by every target.

    Held as a scan-wide fact (`CheckContext.once`) and closed when the scan ends
    (`CheckContext.at_scan_end`): its worker processes live no longer than the scan.
    """

    async def start() -> tls_worker.TlsWorkerPool:
        pool = tls_worker.TlsWorkerPool(processes=WORKER_PROCESSES)
        context.at_scan_end(pool.close)
        return pool

    return await context.once("tls.pool", start)


async def _in_pool(
    context: CheckContext,
    what: str,
    address: str,
    test: str,
    connections: int,
    function: Callable[..., T],
    *args: Any,
) -> T | SslyzeFailure:
    """Run a tls_sslyze job in the scan's worker pool, as one probe against `address`."""
    budget = connections * READS_PER_CONNECTION * context.config.timeout + 1.0
    pool = await worker_pool(context)

    def work() -> Awaitable[T]:
        return pool.run(function, *args, timeout=budget)

    try:
        # the pool bounds the running time; the probe's limit adds the wait for a worker
        return await context.probe(what, work, host=address, timeout=budget + POOL_QUEUE_SECONDS)
    except (ProbeTimeoutError, WorkerTimeoutError) as error:
        return SslyzeFailure(test, "timeout", str(error))
    except WorkerCrashedError as error:
        return SslyzeFailure(test, "other", str(error))
