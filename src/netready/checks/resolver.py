"""Resolver checks: does a resolver validate DNSSEC, and does it offer encrypted DNS?

The family applies to ADDRESS targets (a resolver's IP) and runs only when named:
``netready scan 192.0.2.53 --checks resolver``; without targets the CLI checks the machine's
own resolvers. Every question goes to the target itself; only the lookup of its name (PTR,
used to match certificates) goes through the scan's resolvers.

Probe, then evaluate: `probe_*` functions do the I/O (through `context.probe`, under the
per-host limit of the resolver's address); `evaluate_*` are pure functions from the facts to
a finding, unit-tested for every verdict.

Verdicts
--------

``dns.resolver.validating`` — the resolver is asked, on port 53 with DO and AD set, for a name
in a correctly signed zone (`DEFAULT_SECURE_NAME`) and for one whose signatures are broken on
purpose (`DEFAULT_BOGUS_NAME`):

- pass: SERVFAIL for the bogus name and the AD flag (authenticated data) for the secure one;
- fail: the bogus name's data comes back: the resolver does not validate, so a forged answer
  is passed on as readily as a real one;
- warning: SERVFAIL for the bogus name but no AD for the secure one: bogus data is refused,
  but clients cannot see that answers were validated (e.g. a forwarder that clears AD);
- error: anything else — no reply, REFUSED, SERVFAIL for the secure name too, NXDOMAIN for
  the bogus one: whether it validates cannot be told.

``dot.available`` — one query (``. NS``) over TLS to port 853 (RFC 7858):

- pass: a NOERROR answer, whether or not the certificate verifies (opportunistic clients
  use it either way; whether strict clients can is ``dot.certificate``'s verdict);
- warning: it answers, but with another rcode (e.g. SERVFAIL): the service runs but cannot
  resolve;
- fail: no DNS over TLS: port 853 refuses the connection, does not speak TLS, refuses the
  query (REFUSED) or sends no valid DNS answer;
- error: could not test (no answer in time, unreachable).

``dot.certificate`` — the certificate and the session, as DNS-privacy monitors report them;
the verdict is the worst of these, and every fact is evidence:

- fail: the chain is not trusted (the system's CAs, certifi's and ``--ca-file``), or the
  certificate has expired or is not yet valid: strict (authenticated, RFC 8310) clients
  refuse the resolver;
- warning: trusted, but valid neither for the address nor for the resolver's name (its
  PTR), so a client that knows only those cannot authenticate it; expires within
  `EXPIRY_WARNING_DAYS` days; replies to padded queries are not padded (RFC 8467: their
  sizes reveal what was asked); a TLS version other than 1.2 or 1.3 (in practice the
  handshake fails first: like current clients, the scanner refuses TLS 1.0 and 1.1, which
  makes ``dot.available`` fail);
- info: TLS 1.2 rather than 1.3; no TCP keepalive offered (RFC 7828; costs only speed);
  no DNS over TLS at all (nothing to check);
- pass: none of the above;
- error: DNS over TLS could not be tested.

``doh.available`` — RFC 8484 GET (``?dns=``) and POST to ``https://ADDRESS/dns-query``
(`DEFAULT_DOH_PATH`), HTTP/2 or HTTP/1.1; the chain must be trusted, as browsers require.
POST goes first; GET is skipped when POST got no HTTP response at all:

- pass: both methods answer NOERROR with ``application/dns-message``, and the certificate
  is valid for the address or the resolver's name;
- warning: only one method works and the other fails (RFC 8484 requires both); the
  certificate is trusted but valid neither for the address nor the resolver's name; the
  answers are not NOERROR (e.g. SERVFAIL);
- info: one method works and the other could not be tested;
- fail: no method works: refused, TLS or certificate failure, an HTTP error status, a body
  that is not a DNS message, REFUSED;
- error: could not test (no answer in time, unreachable).

Settings: the test names and the DoH path come from the scan configuration
(``validation_secure_name``, ``validation_bogus_name``, ``doh_path``; defaults in config.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.reversename

from netready.checks.base import PROBE_GRACE_SECONDS, CheckContext, CheckSpec, ProbeTimeoutError
from netready.config import (
    DEFAULT_DOH_PATH,
    DEFAULT_VALIDATION_BOGUS_NAME,
    DEFAULT_VALIDATION_SECURE_NAME,
    ScanConfig,
)
from netready.findings import Finding, Status
from netready.net.dns import DnsOutcome, udp_query_with_tcp_fallback
from netready.net.dot import (
    DOT_PORT,
    CertificateFacts,
    DohExchange,
    DotExchange,
    TransportError,
    TransportErrorKind,
    make_probe_query,
    query_doh,
    query_dot,
)
from netready.targets import Target, TargetKind

VALIDATING = "dns.resolver.validating"
DOT_AVAILABLE = "dot.available"
DOT_CERTIFICATE = "dot.certificate"
DOH_AVAILABLE = "doh.available"

# the defaults of the test names and the DoH path live with the other settings
DEFAULT_SECURE_NAME = DEFAULT_VALIDATION_SECURE_NAME
DEFAULT_BOGUS_NAME = DEFAULT_VALIDATION_BOGUS_NAME
#: A certificate that expires sooner than this is a warning.
EXPIRY_WARNING_DAYS = 30
DOH_METHODS = ("POST", "GET")

_TRANSPORT_UNKNOWN = frozenset(
    {TransportErrorKind.TIMEOUT, TransportErrorKind.UNREACHABLE, TransportErrorKind.OTHER}
)


@dataclass(frozen=True, slots=True)
class ResolverFamily:
    name: str = "resolver"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(VALIDATING, "The resolver validates DNSSEC"),
        CheckSpec(DOT_AVAILABLE, "The resolver answers DNS over TLS (port 853)"),
        CheckSpec(DOT_CERTIFICATE, "The DNS-over-TLS certificate lets clients authenticate"),
        CheckSpec(DOH_AVAILABLE, "The resolver answers DNS over HTTPS (RFC 8484)"),
    )

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.ADDRESS

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        address = target.value
        secure_name, bogus_name, doh_path = resolver_settings(context.config)
        secure, bogus, dot, doh, names = await asyncio.gather(
            probe_validation_answer(address, secure_name, context),
            probe_validation_answer(address, bogus_name, context),
            probe_dot(address, context),
            probe_doh(address, doh_path, context),
            probe_resolver_names(address, context),
        )
        now = datetime.now(UTC)
        yield evaluate_validation(address, secure, bogus)
        yield evaluate_dot_available(address, dot)
        yield evaluate_dot_certificate(address, dot, names=names, now=now)
        yield evaluate_doh(address, doh, path=doh_path, names=names)


def resolver_settings(config: ScanConfig) -> tuple[str, str, str]:
    """The secure and bogus test names and the DoH path of this scan."""
    return config.validation_secure_name, config.validation_bogus_name, config.doh_path


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidationAnswer:
    """The resolver's reply to `name` A (DO and AD set). `rcode` None: no reply (`error` says
    why); `authenticated`: the AD flag; `records`: the A records in the answer."""

    name: str
    rcode: str | None
    authenticated: bool = False
    records: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class DotProbe:
    """What DNS over TLS gave.

    `exchange` is the session with its answer (authenticated if `verify_error` is None, else
    the opportunistic retry); `verify_error` says why the certificate did not verify;
    `failure` why there is no session at all.
    """

    exchange: DotExchange | None
    verify_error: str | None = None
    failure: TransportError | None = None


DohResult = DohExchange | TransportError


# --- probes ---------------------------------------------------------------------------------


async def probe_validation_answer(
    address: str, name: str, context: CheckContext
) -> ValidationAnswer:
    """Ask the resolver at `address` for `name` A, with DO and AD set, over UDP (TCP if cut)."""
    timeout = context.config.timeout
    try:
        return await context.probe(
            f"DNSSEC validation query {name} to {address}",
            lambda: _ask_validating(address, name, timeout),
            host=address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )
    except ProbeTimeoutError as error:
        return ValidationAnswer(name, None, error=str(error))


async def _ask_validating(address: str, name: str, timeout: float) -> ValidationAnswer:
    # AD in the query asks for the AD bit in the reply (RFC 6840 §5.7); DO asks for
    # signatures, which some resolvers need before they say anything about validation
    query = dns.message.make_query(name, "A", want_dnssec=True, flags=dns.flags.RD | dns.flags.AD)
    try:
        reply, _used_tcp = await udp_query_with_tcp_fallback(query, address, timeout=timeout)
    except dns.exception.Timeout:
        return ValidationAnswer(name, None, error=f"no reply within {timeout:g} s")
    except ConnectionRefusedError:
        return ValidationAnswer(name, None, error="port 53 is closed (ICMP port unreachable)")
    except OSError as error:
        return ValidationAnswer(name, None, error=f"cannot reach it: {error.strerror or error}")
    except dns.exception.DNSException as error:
        return ValidationAnswer(name, None, error=f"invalid reply: {error}")
    records = tuple(
        sorted(
            rdata.to_text()
            for rrset in reply.answer
            if rrset.rdtype == dns.rdatatype.A
            for rdata in rrset
        )
    )
    return ValidationAnswer(
        name,
        dns.rcode.to_text(reply.rcode()),
        authenticated=bool(reply.flags & dns.flags.AD),
        records=records,
    )


async def probe_dot(address: str, context: CheckContext) -> DotProbe:
    """DNS over TLS, authenticated; if the certificate does not verify, once more without."""
    try:
        return DotProbe(await _dot_probe(address, context, verify=True))
    except TransportError as error:
        if error.kind is not TransportErrorKind.CERTIFICATE:
            return DotProbe(None, failure=error)
        verify_error = error.reason
    # what an opportunistic client (RFC 8310) gets: the session facts still matter
    try:
        return DotProbe(await _dot_probe(address, context, verify=False), verify_error)
    except TransportError as error:
        return DotProbe(None, verify_error, error)


async def _dot_probe(address: str, context: CheckContext, *, verify: bool) -> DotExchange:
    timeout = context.config.timeout
    query = make_probe_query()
    try:
        return await context.probe(
            f"DNS over TLS to {address}",
            lambda: query_dot(
                address, query, ca_file=context.config.ca_file, verify=verify, timeout=timeout
            ),
            host=address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )
    except ProbeTimeoutError as error:
        raise TransportError(TransportErrorKind.TIMEOUT, str(error)) from None


async def probe_doh(address: str, path: str, context: CheckContext) -> dict[str, DohResult]:
    """RFC 8484 with POST, then GET; GET is skipped when POST got no HTTP response at all
    (the same port would fail the same way, and a silent server would cost a second timeout).
    """
    results: dict[str, DohResult] = {}
    for method in DOH_METHODS:
        results[method] = await _doh_probe(address, path, method, context)
        if isinstance(results[method], TransportError):
            break
    return results


async def _doh_probe(address: str, path: str, method: str, context: CheckContext) -> DohResult:
    timeout = context.config.timeout
    query = make_probe_query(for_doh=True)
    try:
        return await context.probe(
            f"DNS over HTTPS ({method}) to {address}",
            lambda: query_doh(
                address,
                query,
                path=path,
                method=method,
                ca_file=context.config.ca_file,
                timeout=timeout,
            ),
            host=address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )
    except TransportError as error:
        return error
    except ProbeTimeoutError as error:
        return TransportError(TransportErrorKind.TIMEOUT, str(error))


async def probe_resolver_names(address: str, context: CheckContext) -> tuple[str, ...]:
    """The resolver's names from its PTR records (best effort: none when the lookup fails)."""
    reverse = dns.reversename.from_address(address).to_text()
    try:
        answer = await context.probe(
            f"DNS lookup {reverse} PTR",
            lambda: context.dns.lookup(reverse, "PTR"),
            timeout=context.config.timeout + PROBE_GRACE_SECONDS,
        )
    except ProbeTimeoutError:
        return ()
    if answer.outcome is not DnsOutcome.ANSWER:
        return ()
    return tuple(record.rstrip(".").lower() for record in answer.records)


# --- dns.resolver.validating ----------------------------------------------------------------


def evaluate_validation(address: str, secure: ValidationAnswer, bogus: ValidationAnswer) -> Finding:
    """Grade DNSSEC validation from the answers for the secure and the bogus name."""
    evidence = {
        "secure_name": secure.name,
        "bogus_name": bogus.name,
        "secure": _answer_evidence(secure),
        "bogus": _answer_evidence(bogus),
    }
    status, summary = _validation_verdict(address, secure, bogus)
    return Finding(address, address, VALIDATING, status, summary, evidence)


def _validation_verdict(
    address: str, secure: ValidationAnswer, bogus: ValidationAnswer
) -> tuple[Status, str]:
    if bogus.rcode == "NOERROR":
        data = ", ".join(bogus.records) or "an empty answer"
        return Status.FAIL, (
            f"{address} does not validate DNSSEC: it returned {data} for {bogus.name}, "
            "whose signatures are broken, instead of SERVFAIL."
        )
    if bogus.rcode != "SERVFAIL":
        return Status.ERROR, (
            f"Could not tell whether {address} validates DNSSEC: for the bogus name "
            f"{bogus.name} it gave {_outcome_text(bogus)}."
        )
    if secure.rcode == "NOERROR" and secure.authenticated:
        return Status.PASS, (
            f"{address} validates DNSSEC: SERVFAIL for the bogus {bogus.name}, "
            f"authenticated data (AD) for {secure.name}."
        )
    if secure.rcode == "NOERROR":
        return Status.WARNING, (
            f"{address} refuses the bogus {bogus.name} (SERVFAIL), but did not mark "
            f"{secure.name} as authenticated (no AD flag): clients cannot see that its "
            "answers were validated."
        )
    return Status.ERROR, (
        f"Could not tell whether {address} validates DNSSEC: it gave SERVFAIL for the bogus "
        f"{bogus.name}, and {_outcome_text(secure)} for the signed {secure.name}."
    )


def _outcome_text(answer: ValidationAnswer) -> str:
    if answer.rcode is None:
        return f"no reply ({answer.error})"
    return answer.rcode


def _answer_evidence(answer: ValidationAnswer) -> dict[str, Any]:
    return {
        "rcode": answer.rcode,
        "ad": answer.authenticated,
        "records": list(answer.records),
        "error": answer.error or None,
    }


# --- dot.available --------------------------------------------------------------------------


def evaluate_dot_available(address: str, dot: DotProbe) -> Finding:
    """Grade whether the resolver answers DNS over TLS on port 853."""
    subject = _dot_subject(address)
    evidence = _dot_evidence(dot)
    exchange = dot.exchange
    if exchange is None:
        status, summary = _no_dot_session(subject, dot.failure)
    elif exchange.reply is None:
        failure = exchange.failure
        unknown = failure is not None and failure.kind in _TRANSPORT_UNKNOWN
        reason = failure.message if failure is not None else "no answer"
        status = Status.ERROR if unknown else Status.FAIL
        summary = (
            f"Could not test DNS over TLS at {subject}: {reason}."
            if unknown
            else f"{subject} speaks TLS but sends no valid DNS answer: {reason}."
        )
    else:
        status, summary = _dot_rcode_verdict(subject, exchange, dot.verify_error is None)
    return Finding(address, subject, DOT_AVAILABLE, status, summary, evidence)


def _no_dot_session(subject: str, failure: TransportError | None) -> tuple[Status, str]:
    if failure is None or failure.kind in _TRANSPORT_UNKNOWN:
        reason = failure.message if failure is not None else "no result"
        return Status.ERROR, f"Could not test DNS over TLS at {subject}: {reason}."
    if failure.kind is TransportErrorKind.REFUSED:
        return Status.FAIL, f"No DNS over TLS: {subject} refuses connections."
    return Status.FAIL, f"No DNS over TLS at {subject}: {failure.message}."


def _dot_rcode_verdict(
    subject: str, exchange: DotExchange, authenticated: bool
) -> tuple[Status, str]:
    assert exchange.reply is not None
    rcode = exchange.reply.rcode
    how = f"{_tls_name(exchange.tls.version)}, " + (
        "certificate verified" if authenticated else "certificate NOT verified"
    )
    if rcode == "NOERROR":
        return Status.PASS, f"{subject} answers DNS over TLS ({how})."
    if rcode == "REFUSED":
        return Status.FAIL, f"{subject} speaks DNS over TLS but refuses our queries (REFUSED)."
    return Status.WARNING, f"{subject} answers DNS over TLS, but with {rcode} ({how})."


def _dot_evidence(dot: DotProbe) -> dict[str, Any]:
    evidence: dict[str, Any] = {"port": DOT_PORT, "authenticated": dot.verify_error is None}
    exchange = dot.exchange
    if exchange is None:
        evidence["authenticated"] = False
        if dot.failure is not None:
            evidence["error"] = {"kind": dot.failure.kind.value, "message": dot.failure.message}
        return evidence
    evidence["tls_version"] = exchange.tls.version
    evidence["elapsed_ms"] = round(exchange.elapsed * 1000)
    if exchange.reply is not None:
        evidence["rcode"] = exchange.reply.rcode
        evidence["answers"] = len(exchange.reply.answers)
    if exchange.failure is not None:
        evidence["error"] = {
            "kind": exchange.failure.kind.value,
            "message": exchange.failure.message,
        }
    return evidence


# --- dot.certificate ------------------------------------------------------------------------


#: One thing found about the certificate or the session, with how much it weighs.
Problem = tuple[Status, str]


def evaluate_dot_certificate(
    address: str, dot: DotProbe, *, names: Sequence[str] = (), now: datetime
) -> Finding:
    """Grade the DoT certificate and session (see the module docstring for the rules)."""
    subject = _dot_subject(address)
    exchange = dot.exchange
    if exchange is None:
        status, summary = _no_session_certificate(subject, dot)
        evidence = {"trusted": False, "verify_error": dot.verify_error, **_dot_evidence(dot)}
        return Finding(address, subject, DOT_CERTIFICATE, status, summary, evidence)
    certificate = exchange.tls.certificate
    identity = _identity(certificate, address, names)
    problems = [
        *_trust_problems(dot.verify_error, certificate, address, identity, names, now),
        *_session_problems(exchange),
    ]
    evidence = _certificate_evidence(dot, exchange, identity, names, now)
    evidence["strict_validation"] = not any(kind is Status.FAIL for kind, _ in problems) and (
        identity is not None
    )
    if not problems:
        assert certificate is not None  # a missing certificate is a problem of its own
        summary = _certificate_pass_summary(subject, exchange, certificate, identity, now)
        return Finding(address, subject, DOT_CERTIFICATE, Status.PASS, summary, evidence)
    ordered = sorted(problems, key=lambda problem: -problem[0].severity)
    summary = f"DNS over TLS at {subject}: " + "; ".join(text for _, text in ordered) + "."
    status = ordered[0][0]
    return Finding(address, subject, DOT_CERTIFICATE, status, summary, evidence)


def _no_session_certificate(subject: str, dot: DotProbe) -> tuple[Status, str]:
    if dot.verify_error is not None:
        return Status.FAIL, f"The certificate of {subject} is not trusted: {dot.verify_error}."
    failure = dot.failure
    if failure is not None and failure.kind not in _TRANSPORT_UNKNOWN:
        return Status.INFO, f"No certificate to check: {subject} offers no DNS over TLS."
    reason = failure.message if failure is not None else "no result"
    return Status.ERROR, f"Could not test the DNS-over-TLS certificate of {subject}: {reason}."


def _identity(
    certificate: CertificateFacts | None, address: str, names: Sequence[str]
) -> str | None:
    """The address, or else the first of the resolver's names, that the certificate covers."""
    if certificate is None:
        return None
    return next(
        (identity for identity in (address, *names) if certificate.valid_for(identity)), None
    )


def _trust_problems(
    verify_error: str | None,
    certificate: CertificateFacts | None,
    address: str,
    identity: str | None,
    names: Sequence[str],
    now: datetime,
) -> list[Problem]:
    problems: list[Problem] = []
    if verify_error is not None:
        problems.append((Status.FAIL, f"the certificate is not trusted ({verify_error})"))
    if certificate is None:
        problems.append((Status.FAIL, "no readable certificate was sent"))
        return problems
    problems += _validity_problems(certificate, now)
    if identity is None:
        known = " or ".join([address, *names])
        listed = ", ".join([*certificate.ip_addresses, *certificate.dns_names]) or "nothing"
        problems.append(
            (
                Status.WARNING,
                f"the certificate is not valid for {known} (it names {listed}), so clients "
                "that know the resolver by that cannot authenticate it",
            )
        )
    return problems


def _validity_problems(certificate: CertificateFacts, now: datetime) -> list[Problem]:
    if now > certificate.not_after:
        return [(Status.FAIL, f"the certificate expired on {_date(certificate.not_after)}")]
    if now < certificate.not_before:
        return [
            (Status.FAIL, f"the certificate is valid only from {_date(certificate.not_before)}")
        ]
    days_left = (certificate.not_after - now).days
    if days_left < EXPIRY_WARNING_DAYS:
        return [
            (
                Status.WARNING,
                f"the certificate expires in {days_left} days ({_date(certificate.not_after)})",
            )
        ]
    return []


def _session_problems(exchange: DotExchange) -> list[Problem]:
    problems: list[Problem] = []
    version = exchange.tls.version
    if version == "TLSv1.2":
        problems.append((Status.INFO, "TLS 1.2 was negotiated, not TLS 1.3"))
    elif version != "TLSv1.3":
        problems.append((Status.WARNING, f"{_tls_name(version)} was negotiated"))
    reply = exchange.reply
    if reply is None:  # padding and keepalive are unknown, not missing
        problems.append((Status.INFO, "no DNS answer came, so padding and keepalive are unknown"))
        return problems
    if reply.padding is None:
        problems.append(
            (
                Status.WARNING,
                "replies are not padded (RFC 8467), so their sizes can reveal the names asked",
            )
        )
    if reply.keepalive is None:
        problems.append((Status.INFO, "no TCP keepalive is offered (RFC 7828)"))
    return problems


def _certificate_pass_summary(
    subject: str,
    exchange: DotExchange,
    certificate: CertificateFacts,
    identity: str | None,
    now: datetime,
) -> str:
    days_left = (certificate.not_after - now).days
    return (
        f"{subject} has a trusted certificate valid for {identity} until "
        f"{_date(certificate.not_after)} ({days_left} days); {_tls_name(exchange.tls.version)}, "
        "padded replies, TCP keepalive offered."
    )


def _certificate_evidence(
    dot: DotProbe,
    exchange: DotExchange,
    identity: str | None,
    names: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    tls = exchange.tls
    evidence: dict[str, Any] = {
        "trusted": dot.verify_error is None,
        "verify_error": dot.verify_error,
        "valid_for": identity,
        "resolver_names": list(names),
        "tls_version": tls.version,
        "cipher": tls.cipher,
        "alpn": tls.alpn,
    }
    certificate = tls.certificate
    if certificate is not None:
        evidence |= {
            "subject": certificate.subject,
            "issuer": certificate.issuer,
            "dns_names": list(certificate.dns_names),
            "ip_addresses": list(certificate.ip_addresses),
            "not_before": certificate.not_before.isoformat(),
            "not_after": certificate.not_after.isoformat(),
            "days_left": (certificate.not_after - now).days,
        }
    reply = exchange.reply
    evidence |= {
        "padding": None if reply is None else reply.padding is not None,
        "padding_length": None if reply is None else reply.padding,
        "response_size": None if reply is None else reply.size,
        "keepalive": None if reply is None else reply.keepalive is not None,
        "keepalive_timeout_ms": (
            None if reply is None or reply.keepalive is None else reply.keepalive * 100
        ),
    }
    return evidence


# --- doh.available --------------------------------------------------------------------------


class _Outcome(Enum):
    WORKS = "works"  # a NOERROR DNS answer
    DEGRADED = "degraded"  # a DNS answer, but SERVFAIL or the like
    BROKEN = "broken"  # definitely no usable DoH this way
    UNKNOWN = "unknown"  # could not be tested


def evaluate_doh(
    address: str,
    results: Mapping[str, DohResult],
    *,
    path: str = DEFAULT_DOH_PATH,
    names: Sequence[str] = (),
) -> Finding:
    """Grade DNS over HTTPS from the POST and GET results (see the module docstring)."""
    subject = f"https://{_host_in_url(address)}/{path.lstrip('/')}"
    outcomes = {method: _doh_outcome(result) for method, result in results.items()}
    evidence = _doh_evidence(results, outcomes)
    working = [results[m] for m, (outcome, _) in outcomes.items() if outcome is _Outcome.WORKS]
    if working:
        exchange = working[0]
        assert isinstance(exchange, DohExchange)
        identity = _identity(exchange.tls.certificate if exchange.tls else None, address, names)
        evidence["valid_for"] = identity
        status, summary = _doh_working_verdict(subject, address, outcomes, identity, names)
    else:
        status, summary = _doh_failed_verdict(subject, outcomes)
    return Finding(address, subject, DOH_AVAILABLE, status, summary, evidence)


def _doh_outcome(result: DohResult) -> tuple[_Outcome, str]:
    if isinstance(result, TransportError):
        if result.kind in _TRANSPORT_UNKNOWN:
            return _Outcome.UNKNOWN, result.message
        return _Outcome.BROKEN, result.message
    if result.reply is None:
        return _Outcome.BROKEN, result.problem or "no DNS answer"
    rcode = result.reply.rcode
    if rcode == "NOERROR":
        return _Outcome.WORKS, "answers"
    if rcode == "REFUSED":
        return _Outcome.BROKEN, "the query was refused (REFUSED)"
    return _Outcome.DEGRADED, f"answers {rcode}"


def _doh_working_verdict(
    subject: str,
    address: str,
    outcomes: Mapping[str, tuple[_Outcome, str]],
    identity: str | None,
    names: Sequence[str],
) -> tuple[Status, str]:
    works = [m for m, (outcome, _) in outcomes.items() if outcome is _Outcome.WORKS]
    missing = [m for m in DOH_METHODS if m not in outcomes]
    others = {m: o for m, o in outcomes.items() if o[0] is not _Outcome.WORKS}
    problems: list[Problem] = []
    for method, (outcome, reason) in others.items():
        if outcome is _Outcome.UNKNOWN:
            problems.append((Status.INFO, f"{method} could not be tested ({reason})"))
        else:
            problems.append((Status.WARNING, f"{method} fails ({reason}); RFC 8484 needs both"))
    problems += [(Status.INFO, f"{method} was not tried") for method in missing]
    if identity is None:
        known = " or ".join([address, *names])
        problems.append((Status.WARNING, f"the certificate is not valid for {known}"))
    if not problems:
        return Status.PASS, f"{subject} answers DNS over HTTPS ({' and '.join(works)})."
    problems.sort(key=lambda problem: -problem[0].severity)
    text = "; ".join(reason for _, reason in problems)
    return problems[0][0], f"{subject} answers DNS over HTTPS ({' and '.join(works)}), but {text}."


def _doh_failed_verdict(
    subject: str, outcomes: Mapping[str, tuple[_Outcome, str]]
) -> tuple[Status, str]:
    by_outcome: dict[_Outcome, list[str]] = {}
    for method, (outcome, reason) in outcomes.items():
        by_outcome.setdefault(outcome, []).append(f"{method}: {reason}")
    if _Outcome.DEGRADED in by_outcome:
        reasons = "; ".join(by_outcome[_Outcome.DEGRADED])
        return Status.WARNING, f"{subject} speaks DNS over HTTPS but cannot resolve ({reasons})."
    if _Outcome.BROKEN in by_outcome:
        reasons = "; ".join(by_outcome[_Outcome.BROKEN])
        return Status.FAIL, f"No usable DNS over HTTPS at {subject} ({reasons})."
    reasons = "; ".join(by_outcome.get(_Outcome.UNKNOWN, ["no result"]))
    return Status.ERROR, f"Could not test DNS over HTTPS at {subject} ({reasons})."


def _doh_evidence(
    results: Mapping[str, DohResult], outcomes: Mapping[str, tuple[_Outcome, str]]
) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    tls_version = None
    for method, result in results.items():
        entry: dict[str, Any] = {"outcome": outcomes[method][0].value}
        if isinstance(result, TransportError):
            entry["error"] = {"kind": result.kind.value, "message": result.message}
        else:
            entry |= {
                "status": result.status,
                "content_type": result.content_type,
                "http_version": result.http_version,
                "rcode": result.reply.rcode if result.reply else None,
                "padding": result.reply.padding is not None if result.reply else None,
                "problem": result.problem,
            }
            tls_version = tls_version or (result.tls.version if result.tls else None)
        methods[method] = entry
    return {"methods": methods, "tls_version": tls_version}


# --- shared ---------------------------------------------------------------------------------


def _dot_subject(address: str) -> str:
    return f"{_host_in_url(address)}:{DOT_PORT}"


def _host_in_url(address: str) -> str:
    return f"[{address}]" if ipaddress.ip_address(address).version == 6 else address


def _tls_name(version: str) -> str:
    return version.replace("TLSv", "TLS ") if version.startswith("TLSv") else version


def _date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
