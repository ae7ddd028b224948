"""The TLS family's verdicts: pure functions from what was found at an endpoint to findings.

`netready.checks.tls` plans the probes and runs them; everything here is a pure function,
unit-tested without a network.

Verdicts (levels: NCSC-NL 2025, see `netready.checks.tls_suites`)
------------------------------------------------------------------
``tls.connect``  pass: a TLS handshake works (evidence: versions, suites, groups, connections).
    error: no handshake (timeout, refused, reset, unreachable, not TLS); on an optional mail
    port, refused is `info` (not offered). When it is not pass, no other verdict is given
    for the endpoint. Also `error`/`info` per name when its addresses cannot be looked up
    or it has none.
``tls.protocol.ssl2`` / ``ssl3`` / ``tls1_0`` / ``tls1_1``  fail: accepted; pass: refused.
``tls.protocol.tls1_2``  pass: accepted. info: refused but TLS 1.3 accepted. fail: neither.
``tls.protocol.tls1_3``  pass: accepted. info: refused (TLS 1.2 alone is sufficient).
``tls.ciphers``  fail: an insufficient suite is accepted; warning: a phase-out suite; pass:
    only good and sufficient suites. Evidence: per version every suite with its NCSC level
    and Mozilla profile, and the strictest Mozilla profile the whole set fits.
``tls.key_exchange``  fail: an insufficient group (or DH size), or no forward-secret key
    exchange at all; warning: a phase-out group; pass: good or sufficient groups only; info:
    forward-secret suites are accepted but the groups could not be told.
``tls.cert.trusted``  pass: a path to a root of the Mozilla store or of ``--ca-file``.
    fail: none (self-signed, intermediate not sent, unknown CA, ...). error: no certificate.
``tls.cert.hostname``  pass: a SAN matches the name (RFC 6125: a wildcard covers exactly one
    leftmost label) or, for a bare address, the address; fail: none does.
``tls.cert.expiry``  fail: expired or not yet valid; warning: fewer than 30 days left;
    pass: otherwise. Evidence: dates and days left.
``tls.cert.key``  fail: a key NCSC rates insufficient (RSA < 2048, DSA, small curves);
    warning: phase out (RSA 2048-3071, secp224r1); pass: good. Leaf and intermediates sent,
    not self-issued roots.
``tls.cert.signature``  fail: signed with MD5 or SHA-1; warning: SHA-224; pass: SHA-256 or
    better, EdDSA. Leaf and intermediates, not the roots' own signature.
``tls.vuln.heartbleed`` / ``tls.vuln.ccs_injection`` / ``tls.vuln.robot``  fail: vulnerable;
    pass: not (or the test does not apply, with the reason); error: the test failed or, for
    ROBOT, gave inconsistent results.
``tls.renegotiation``  fail: secure renegotiation (RFC 5746) is not supported; warning:
    client-initiated renegotiation is honoured without limit (10 of 10 attempts); pass:
    otherwise (also TLS 1.3 only: it has no renegotiation).
``tls.compression``  fail: TLS compression is enabled (CRIME); pass: it is not.
``tls.fallback_scsv``  pass: honoured, or no older version to fall back to; warning: not.
``tls.ocsp_stapling``  pass: a valid, trusted response saying "good" is stapled. info: none
    is stapled. warning: the stapled response is unsuccessful, stale or not trusted. fail:
    it says "revoked", or the certificate demands stapling (must-staple) and none came.
``tls.cipher_order``  warning: the server accepts suites of different levels in a version
    but lets the client choose, or its own order puts a weaker suite before a stronger one.
    pass: otherwise (one suite, one level, or a good order).
``tls.grade``  the grade A+ to F of `netready.checks.tls_grade` (rules there): A+/A/A- pass,
    B warning, C/F fail. Evidence: the grade, the rules that capped it, untested facts.
``tls.address_parity`` (per name and port)  pass: every address offers the same versions,
    suites and certificate. warning: they differ (evidence: each address's profile and the
    differences). info: only one address, nothing to compare. error: an address gave no
    TLS handshake, so they cannot be compared.
"""

from __future__ import annotations

import datetime
import ipaddress
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netready.checks.tls_grade import GradeFacts, GradeResult, grade_endpoint
from netready.checks.tls_suites import (
    Level,
    dh_bits_level,
    group_level,
    is_broken_suite,
    is_null_anon_or_export,
    mozilla_profile,
    suite_level,
    version_level,
)
from netready.findings import Finding, Status
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.tls import StartTls, TlsEnumeration
from netready.net.tls_sslyze import (
    CertificateFacts,
    ChainFacts,
    SslyzeFailure,
    SslyzeOutcome,
    SslyzeTest,
)

CONNECT = "tls.connect"
PROTOCOLS = {
    "SSLv2": "tls.protocol.ssl2",
    "SSLv3": "tls.protocol.ssl3",
    "TLSv1.0": "tls.protocol.tls1_0",
    "TLSv1.1": "tls.protocol.tls1_1",
    "TLSv1.2": "tls.protocol.tls1_2",
    "TLSv1.3": "tls.protocol.tls1_3",
}
CIPHERS = "tls.ciphers"
KEY_EXCHANGE = "tls.key_exchange"
CERT_TRUSTED = "tls.cert.trusted"
CERT_HOSTNAME = "tls.cert.hostname"
CERT_EXPIRY = "tls.cert.expiry"
CERT_KEY = "tls.cert.key"
CERT_SIGNATURE = "tls.cert.signature"
HEARTBLEED = "tls.vuln.heartbleed"
ROBOT = "tls.vuln.robot"
CCS_INJECTION = "tls.vuln.ccs_injection"
RENEGOTIATION = "tls.renegotiation"
COMPRESSION = "tls.compression"
FALLBACK_SCSV = "tls.fallback_scsv"
OCSP_STAPLING = "tls.ocsp_stapling"
CIPHER_ORDER = "tls.cipher_order"
ADDRESS_PARITY = "tls.address_parity"
GRADE = "tls.grade"

VERSIONS = tuple(PROTOCOLS)  # oldest first
EXPIRY_WARNING_DAYS = 30
#: sslyze's client-initiated renegotiation attempts; all honoured = unlimited.
RENEGOTIATION_ATTEMPTS = 10


# --- what is tested and what was found -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Service:
    """One TLS service on one host name (or bare address).

    Attributes:
        host: the name (or address) whose addresses are tested.
        port: the TCP port.
        starttls: the STARTTLS protocol, or NONE for implicit TLS.
        server_name: SNI and the name the certificate must match; None for an address.
        optional: a guessed mail port (``--mail``): nothing listening is only noted.
        role: ``"named"`` (a configured port), ``"mx"`` (a mail server of the domain) or
            ``"mail"`` (a guessed mail port).
    """

    host: str
    port: int
    starttls: StartTls
    server_name: str | None
    optional: bool = False
    role: str = "named"

    @property
    def subject(self) -> str:
        return f"{bracketed(self.host)}:{self.port}"

    def endpoint_subject(self, address: str) -> str:
        if self.server_name is None:
            return f"{bracketed(address)}:{self.port}"
        return f"{self.host} {bracketed(address)}:{self.port}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A test that was not run because it cannot apply; `reason` says why."""

    reason: str


#: What one sslyze test came to: its outcome, its failure, or why it was not run.
TestResult = SslyzeOutcome | SslyzeFailure | Skipped


@dataclass(frozen=True, slots=True)
class EndpointFacts:
    """Everything the probes learnt about one service at one address.

    `chain` and `tests` are empty when the enumeration found no working handshake.
    """

    service: Service
    enumeration: TlsEnumeration
    chain: ChainFacts | SslyzeFailure | None = None
    tests: Mapping[SslyzeTest, TestResult] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return self.enumeration.endpoint.address

    @property
    def subject(self) -> str:
        return self.service.endpoint_subject(self.address)

    @property
    def connected(self) -> bool:
        return self.enumeration.error is None

    def evidence(self) -> dict[str, Any]:
        return {
            "host": self.service.host,
            "address": self.address,
            "address_family": _family(self.address),
            "port": self.service.port,
            "starttls": self.service.starttls.value,
            "server_name": self.service.server_name,
        }


# --- evaluation: names and connection --------------------------------------------------------


def evaluate_addresses(
    target: str, service: Service, answers: Mapping[str, DnsAnswer]
) -> list[str] | Finding:
    """The addresses to test, or a `tls.connect` finding when there are none to test.

    error: a lookup failed and no address was found. info: the name has no address.
    """
    addresses = [
        record
        for rdtype in ("A", "AAAA")
        if answers[rdtype].outcome is DnsOutcome.ANSWER
        for record in answers[rdtype].records
    ]
    if addresses:
        return addresses
    evidence = {
        "host": service.host,
        "port": service.port,
        "dns": {rdtype: answer.outcome.value for rdtype, answer in answers.items()},
    }
    failed = [answer for answer in answers.values() if not answer.outcome.is_conclusive]
    if failed:
        reasons = "; ".join(f"{a.rdtype}: {a.detail or a.outcome.value}" for a in failed)
        summary = f"Could not test TLS on {service.subject}: lookups failed ({reasons})."
        return Finding(target, service.subject, CONNECT, Status.ERROR, summary, evidence)
    summary = (
        f"{service.host} has no IPv4 or IPv6 address, so TLS on port {service.port} was not tested."
    )
    return Finding(target, service.subject, CONNECT, Status.INFO, summary, evidence)


def evaluate_endpoint(
    target: str, facts: EndpointFacts, *, now: datetime.datetime
) -> list[Finding]:
    """Every verdict for one endpoint; only `tls.connect` when no handshake worked."""
    connect = evaluate_connect(target, facts)
    if not facts.connected or not facts.enumeration.versions:
        return [connect]
    findings = [connect]
    findings += [evaluate_protocol(target, facts, version) for version in VERSIONS]
    findings += [
        evaluate_ciphers(target, facts),
        evaluate_key_exchange(target, facts),
        evaluate_cert_trusted(target, facts),
        evaluate_cert_hostname(target, facts),
        evaluate_cert_expiry(target, facts, now=now),
        evaluate_cert_key(target, facts),
        evaluate_cert_signature(target, facts),
        evaluate_vulnerability(target, facts, SslyzeTest.HEARTBLEED),
        evaluate_vulnerability(target, facts, SslyzeTest.CCS_INJECTION),
        evaluate_vulnerability(target, facts, SslyzeTest.ROBOT),
        evaluate_renegotiation(target, facts),
        evaluate_compression(target, facts),
        evaluate_fallback_scsv(target, facts),
        evaluate_ocsp_stapling(target, facts, now=now),
        evaluate_cipher_order(target, facts),
    ]
    findings.append(evaluate_grade(target, facts, grade_endpoint(grade_facts(facts, now=now))))
    return findings


def evaluate_connect(target: str, facts: EndpointFacts) -> Finding:
    enumeration = facts.enumeration
    evidence = facts.evidence()
    verdict = _verdict_for(target, facts, CONNECT, evidence)
    evidence["connections"] = enumeration.connections
    if enumeration.error is not None or not enumeration.versions:
        reason = enumeration.error or "no protocol version was accepted"
        evidence |= {"error": reason, "error_kind": enumeration.error_kind or "other"}
        if facts.service.optional and enumeration.error_kind == "refused":
            return verdict(
                Status.INFO,
                f"Nothing listens on {facts.subject} (connection refused): "
                f"{_protocol_name(facts.service)} is not offered there.",
            )
        return verdict(
            Status.ERROR, f"Could not make a TLS connection to {facts.subject}: {reason}."
        )
    accepted = [v for v in reversed(VERSIONS) if v in enumeration.versions]
    evidence |= {
        "versions": accepted,
        "suites": {v: list(enumeration.versions[v]) for v in accepted},
        "groups": list(enumeration.groups),
        "dh_bits": enumeration.dh_bits,
    }
    suites = len(all_suites(enumeration))
    return verdict(
        Status.PASS,
        f"TLS works on {facts.subject}: {', '.join(accepted)}, {suites} cipher "
        f"suite{'s' if suites != 1 else ''}.",
    )


def _protocol_name(service: Service) -> str:
    if service.starttls is not StartTls.NONE:
        return f"{service.starttls.value.upper()} with STARTTLS"
    return f"TLS on port {service.port}"


# --- evaluation: protocol versions, suites, key exchange, order ------------------------------


_DEPRECATED_BY = {
    "SSLv2": "prohibited by RFC 6176",
    "SSLv3": "deprecated by RFC 7568",
    "TLSv1.0": "deprecated by RFC 8996",
    "TLSv1.1": "deprecated by RFC 8996",
}


def evaluate_protocol(target: str, facts: EndpointFacts, version: str) -> Finding:
    versions = facts.enumeration.versions
    accepted = version in versions
    evidence = facts.evidence() | {
        "version": version,
        "accepted": accepted,
        "level": version_level(version).value,
        "accepted_versions": [v for v in reversed(VERSIONS) if v in versions],
    }
    if accepted:
        evidence["suites"] = list(versions[version])
    verdict = _verdict_for(target, facts, PROTOCOLS[version], evidence)
    name = _version_name(version)
    if version in ("TLSv1.3", "TLSv1.2"):
        if accepted:
            return verdict(Status.PASS, f"{facts.subject} offers {name}.")
        if version == "TLSv1.3":
            return verdict(
                Status.INFO,
                f"{facts.subject} does not offer TLS 1.3; TLS 1.2 alone is sufficient, "
                "TLS 1.3 is better.",
            )
        if "TLSv1.3" in versions:
            return verdict(
                Status.INFO,
                f"{facts.subject} offers TLS 1.3 only; clients without TLS 1.3 cannot connect.",
            )
        return verdict(Status.FAIL, f"{facts.subject} offers neither TLS 1.2 nor TLS 1.3.")
    if accepted:
        return verdict(
            Status.FAIL,
            f"{facts.subject} accepts {name}, which is insecure; switch it off "
            f"(NCSC-NL: insufficient; {_DEPRECATED_BY[version]}).",
        )
    return verdict(Status.PASS, f"{facts.subject} refuses {name}.")


def evaluate_ciphers(target: str, facts: EndpointFacts) -> Finding:
    versions = facts.enumeration.versions
    per_version = {
        version: [
            {
                "suite": suite,
                "level": suite_level(suite).value,
                "mozilla": mozilla_profile(suite),
            }
            for suite in versions[version]
        ]
        for version in reversed(VERSIONS)
        if version in versions
    }
    suites = all_suites(facts.enumeration)
    insufficient = [s for s in suites if suite_level(s) is Level.INSUFFICIENT]
    phase_out = [s for s in suites if suite_level(s) is Level.PHASE_OUT]
    evidence = facts.evidence() | {
        "suites": per_version,
        "insufficient": insufficient,
        "phase_out": phase_out,
        "mozilla_profile": fitting_mozilla_profile(facts.enumeration),
    }
    verdict = _verdict_for(target, facts, CIPHERS, evidence)
    if insufficient:
        return verdict(
            Status.FAIL,
            f"{facts.subject} accepts {len(insufficient)} insufficient cipher "
            f"suite{'s' if len(insufficient) != 1 else ''}: {_some(insufficient)}.",
        )
    if phase_out:
        return verdict(
            Status.WARNING,
            f"{facts.subject} accepts cipher suites to phase out: {_some(phase_out)}.",
        )
    return verdict(
        Status.PASS,
        f"{facts.subject} accepts only good and sufficient cipher suites ({len(suites)}).",
    )


def fitting_mozilla_profile(enumeration: TlsEnumeration) -> str | None:
    """``"modern"`` or ``"intermediate"`` when versions and suites all fit that Mozilla
    profile, else None."""
    versions = set(enumeration.versions)
    profiles = {mozilla_profile(suite) for suite in all_suites(enumeration)}
    if versions == {"TLSv1.3"} and profiles == {"modern"}:
        return "modern"
    if versions <= {"TLSv1.2", "TLSv1.3"} and None not in profiles:
        return "intermediate"
    return None


def key_exchange_levels(enumeration: TlsEnumeration) -> dict[str, Level]:
    """Each accepted group (and a DH size without a group name) -> its NCSC level."""
    levels = {group.lower(): group_level(group) for group in enumeration.groups}
    has_ffdhe_name = any(name.startswith("ffdhe") for name in levels)
    if enumeration.dh_bits is not None and not has_ffdhe_name:
        levels[f"dh{enumeration.dh_bits}"] = dh_bits_level(enumeration.dh_bits)
    return levels


def _forward_secret(suite: str) -> bool:
    # TLS 1.3 suites (TLS_AES_128_GCM_SHA256: no _WITH_) always use (EC)DHE
    tls13 = suite.startswith("TLS_") and "_WITH_" not in suite
    return tls13 or "_DHE_" in suite or "_ECDHE_" in suite


def evaluate_key_exchange(target: str, facts: EndpointFacts) -> Finding:
    levels = key_exchange_levels(facts.enumeration)
    suites = all_suites(facts.enumeration)
    forward_secret = [s for s in suites if _forward_secret(s)]
    evidence = facts.evidence() | {
        "groups": {name: level.value for name, level in levels.items()},
        "dh_bits": facts.enumeration.dh_bits,
        "forward_secret_suites": len(forward_secret),
        "suites": len(suites),
    }
    verdict = _verdict_for(target, facts, KEY_EXCHANGE, evidence)
    if not forward_secret:
        return verdict(
            Status.FAIL,
            f"{facts.subject} has no forward-secret key exchange: recorded traffic can be "
            "decrypted once its key leaks.",
        )
    worst = _worst(levels.values())
    if worst is None:
        return verdict(
            Status.INFO,
            f"{facts.subject} uses forward-secret key exchange, but its groups could not be "
            "determined.",
        )
    bad = [name for name, level in levels.items() if level is worst]
    if worst is Level.INSUFFICIENT:
        return verdict(
            Status.FAIL, f"{facts.subject} accepts insufficient key exchange: {', '.join(bad)}."
        )
    if worst is Level.PHASE_OUT:
        return verdict(
            Status.WARNING,
            f"{facts.subject} accepts key exchange to phase out: {', '.join(bad)}.",
        )
    return verdict(
        Status.PASS, f"{facts.subject} uses strong key exchange groups: {', '.join(levels)}."
    )


def cipher_order_problems(enumeration: TlsEnumeration) -> dict[str, str]:
    """Version -> what is wrong with its cipher order (empty when nothing is)."""
    problems: dict[str, str] = {}
    for version, suites in enumeration.versions.items():
        levels = [suite_level(suite) for suite in suites]
        enforced = enumeration.server_enforces_order.get(version)
        if len(suites) < 2 or enforced is None:
            continue
        if not enforced:
            if len(set(levels)) > 1:
                problems[version] = "the client chooses among suites of different strength"
            continue
        for index, (earlier, later) in enumerate(itertools.pairwise(levels)):
            if later.rank < earlier.rank:
                problems[version] = (
                    f"{suites[index]} is preferred over the stronger {suites[index + 1]}"
                )
                break
    return problems


def evaluate_cipher_order(target: str, facts: EndpointFacts) -> Finding:
    enumeration = facts.enumeration
    problems = cipher_order_problems(enumeration)
    evidence = facts.evidence() | {
        "order": {
            version: {
                "server_enforces_order": enumeration.server_enforces_order.get(version),
                "suites": list(enumeration.versions[version]),
            }
            for version in reversed(VERSIONS)
            if version in enumeration.versions
        },
        "problems": problems,
    }
    verdict = _verdict_for(target, facts, CIPHER_ORDER, evidence)
    if problems:
        text = "; ".join(f"{_version_name(v)}: {why}" for v, why in problems.items())
        return verdict(Status.WARNING, f"Cipher order on {facts.subject}: {text}.")
    return verdict(Status.PASS, f"The cipher order on {facts.subject} prefers stronger suites.")


# --- evaluation: certificate -----------------------------------------------------------------


def name_matches(name: str, patterns: Sequence[str]) -> bool:
    """RFC 6125 matching: case-insensitive; a ``*`` only as the whole leftmost label,
    covering exactly one label (``*.example.org`` matches ``a.example.org`` only)."""
    wanted = name.lower().rstrip(".")
    for pattern in patterns:
        candidate = pattern.lower().rstrip(".")
        if candidate == wanted:
            return True
        if candidate.startswith("*.") and "." in wanted:
            label, rest = wanted.split(".", 1)
            if label and rest == candidate[2:] and "*" not in rest:
                return True
    return False


def _chain_or_verdict(target: str, facts: EndpointFacts, check_id: str) -> ChainFacts | Finding:
    chain = facts.chain
    if isinstance(chain, ChainFacts):
        return chain
    evidence = facts.evidence()
    reason = "it was not fetched"
    if isinstance(chain, SslyzeFailure):
        evidence |= {"error": chain.message, "error_kind": chain.kind}
        reason = chain.message
    return _verdict_for(target, facts, check_id, evidence)(
        Status.ERROR, f"Could not read the certificate of {facts.subject}: {reason}."
    )


def evaluate_cert_trusted(target: str, facts: EndpointFacts) -> Finding:
    chain = _chain_or_verdict(target, facts, CERT_TRUSTED)
    if isinstance(chain, Finding):
        return chain
    trust = chain.trust
    evidence = facts.evidence() | {
        "chain": [_certificate_summary(c) for c in chain.certificates],
        "trusted_by": list(trust.stores),
        "path": list(trust.path),
        "errors": dict(trust.errors),
        "issuer_missing": trust.issuer_missing,
    }
    verdict = _verdict_for(target, facts, CERT_TRUSTED, evidence)
    if trust.trusted:
        return verdict(
            Status.PASS,
            f"The certificate of {facts.subject} is trusted ({', '.join(trust.stores)}).",
        )
    return verdict(
        Status.FAIL,
        f"The certificate of {facts.subject} is not trusted: {untrusted_reason(chain)}.",
    )


def untrusted_reason(chain: ChainFacts) -> str:
    """Why a chain is not trusted, in words a user can act on."""
    leaf = chain.leaf
    if leaf.self_issued and len(chain.certificates) == 1:
        return "it is self-signed"
    if chain.trust.issuer_missing:
        last = chain.certificates[-1]
        return (
            f"the chain the server sends ends at {last.subject!r}, whose issuer "
            f"{last.issuer!r} is neither sent nor a trusted root: the server must send its "
            "intermediate certificate(s), unless that issuer is simply not a trusted CA"
        )
    if chain.certificates[-1].self_issued:
        return f"its root {chain.certificates[-1].subject!r} is not a trusted CA"
    detail = next(iter(chain.trust.errors.values()), "no path to a trusted root")
    return f"no path to a trusted root ({detail})"


def certificate_matches(facts: EndpointFacts, leaf: CertificateFacts) -> bool:
    """The leaf is valid for the name tested (or, for a bare address, the address)."""
    if facts.service.server_name is None:
        wanted = ipaddress.ip_address(facts.address)
        return any(ipaddress.ip_address(a) == wanted for a in leaf.ip_addresses)
    return name_matches(facts.service.server_name, leaf.dns_names)


def evaluate_cert_hostname(target: str, facts: EndpointFacts) -> Finding:
    chain = _chain_or_verdict(target, facts, CERT_HOSTNAME)
    if isinstance(chain, Finding):
        return chain
    leaf = chain.leaf
    name = facts.service.server_name
    evidence = facts.evidence() | {
        "name": name or facts.address,
        "dns_names": list(leaf.dns_names),
        "ip_addresses": list(leaf.ip_addresses),
        "common_names": list(leaf.common_names),
    }
    verdict = _verdict_for(target, facts, CERT_HOSTNAME, evidence)
    shown = name or facts.address
    if certificate_matches(facts, leaf):
        return verdict(Status.PASS, f"The certificate of {facts.subject} is valid for {shown}.")
    names = [*leaf.dns_names, *leaf.ip_addresses] or [f"CN={cn}" for cn in leaf.common_names]
    return verdict(
        Status.FAIL,
        f"The certificate of {facts.subject} is not valid for {shown}; it names "
        f"{_some(names) or 'nothing'}.",
    )


def evaluate_cert_expiry(target: str, facts: EndpointFacts, *, now: datetime.datetime) -> Finding:
    chain = _chain_or_verdict(target, facts, CERT_EXPIRY)
    if isinstance(chain, Finding):
        return chain
    leaf = chain.leaf
    days_left = (leaf.not_after - now).days
    evidence = facts.evidence() | {
        "not_before": leaf.not_before.isoformat(),
        "not_after": leaf.not_after.isoformat(),
        "days_left": days_left,
    }
    verdict = _verdict_for(target, facts, CERT_EXPIRY, evidence)
    if now < leaf.not_before:
        return verdict(
            Status.FAIL,
            f"The certificate of {facts.subject} is not valid before "
            f"{leaf.not_before:%Y-%m-%d %H:%M} UTC.",
        )
    if now > leaf.not_after:
        return verdict(
            Status.FAIL,
            f"The certificate of {facts.subject} expired on {leaf.not_after:%Y-%m-%d} "
            f"({(now - leaf.not_after).days} days ago).",
        )
    expires = f"expires on {leaf.not_after:%Y-%m-%d}, in {days_left} days"
    if days_left < EXPIRY_WARNING_DAYS:
        return verdict(Status.WARNING, f"The certificate of {facts.subject} {expires}; renew it.")
    return verdict(Status.PASS, f"The certificate of {facts.subject} {expires}.")


def _checked_certificates(chain: ChainFacts) -> list[CertificateFacts]:
    """The leaf and the intermediates sent; a self-issued root's own key and signature are
    the trust store's business, not the server's."""
    return [chain.leaf, *(c for c in chain.certificates[1:] if not c.self_issued)]


def certificate_key_level(certificate: CertificateFacts) -> Level:
    """NCSC 3.3.2: RSA >= 3072 good, 2048-3071 phase out; ECDSA on P-256/384/521 or
    brainpool and EdDSA good, secp224r1 phase out; anything else insufficient."""
    if certificate.key_type == "RSA":
        if certificate.key_bits >= 3072:
            return Level.GOOD
        return Level.PHASE_OUT if certificate.key_bits >= 2048 else Level.INSUFFICIENT
    if certificate.key_type == "EC":
        curve = (certificate.curve or "").lower()
        if curve in ("secp256r1", "secp384r1", "secp521r1") or curve.startswith("brainpool"):
            return Level.GOOD
        return Level.PHASE_OUT if curve == "secp224r1" else Level.INSUFFICIENT
    if certificate.key_type in ("Ed25519", "Ed448"):
        return Level.GOOD
    return Level.INSUFFICIENT


def _key_text(certificate: CertificateFacts) -> str:
    size = f" {certificate.curve}" if certificate.curve else f" {certificate.key_bits} bits"
    return f"{certificate.key_type}{size if certificate.key_type in ('RSA', 'EC', 'DSA') else ''}"


def evaluate_cert_key(target: str, facts: EndpointFacts) -> Finding:
    chain = _chain_or_verdict(target, facts, CERT_KEY)
    if isinstance(chain, Finding):
        return chain
    checked = _checked_certificates(chain)
    keys = [
        {
            "subject": c.subject,
            "key_type": c.key_type,
            "key_bits": c.key_bits,
            "curve": c.curve,
            "level": certificate_key_level(c).value,
        }
        for c in checked
    ]
    evidence = facts.evidence() | {"keys": keys}
    verdict = _verdict_for(target, facts, CERT_KEY, evidence)
    worst = _worst(certificate_key_level(c) for c in checked) or Level.GOOD
    weak = [f"{c.subject}: {_key_text(c)}" for c in checked if certificate_key_level(c) is worst]
    if worst is Level.INSUFFICIENT:
        return verdict(
            Status.FAIL, f"A certificate key on {facts.subject} is too weak: {_some(weak)}."
        )
    if worst is Level.PHASE_OUT:
        return verdict(
            Status.WARNING,
            f"A certificate key on {facts.subject} is to be phased out: {_some(weak)}; "
            "use RSA of 3072 bits or more, or ECDSA.",
        )
    return verdict(
        Status.PASS, f"The certificate key of {facts.subject} is strong ({_key_text(chain.leaf)})."
    )


def weak_signature_hash(certificate: CertificateFacts) -> Level:
    """MD5 and SHA-1 insufficient, SHA-224 phase out, SHA-2 256+ and EdDSA good."""
    digest = (certificate.signature_hash or "").lower()
    if digest in ("md5", "sha1", "md2", "md4"):
        return Level.INSUFFICIENT
    if digest == "sha224":
        return Level.PHASE_OUT
    return Level.GOOD


def evaluate_cert_signature(target: str, facts: EndpointFacts) -> Finding:
    chain = _chain_or_verdict(target, facts, CERT_SIGNATURE)
    if isinstance(chain, Finding):
        return chain
    checked = _checked_certificates(chain)
    signatures = [
        {
            "subject": c.subject,
            "signature_algorithm": c.signature_algorithm,
            "level": weak_signature_hash(c).value,
        }
        for c in checked
    ]
    evidence = facts.evidence() | {"signatures": signatures}
    verdict = _verdict_for(target, facts, CERT_SIGNATURE, evidence)
    worst = _worst(weak_signature_hash(c) for c in checked) or Level.GOOD
    weak = [
        f"{c.subject}: {c.signature_algorithm}" for c in checked if weak_signature_hash(c) is worst
    ]
    if worst is Level.INSUFFICIENT:
        return verdict(
            Status.FAIL, f"A certificate on {facts.subject} has a broken signature: {_some(weak)}."
        )
    if worst is Level.PHASE_OUT:
        return verdict(
            Status.WARNING,
            f"A certificate on {facts.subject} is signed with SHA-224: {_some(weak)}.",
        )
    return verdict(
        Status.PASS,
        f"The certificates of {facts.subject} are signed with {chain.leaf.signature_algorithm}.",
    )


def evaluate_ocsp_stapling(target: str, facts: EndpointFacts, *, now: datetime.datetime) -> Finding:
    chain = _chain_or_verdict(target, facts, OCSP_STAPLING)
    if isinstance(chain, Finding):
        return chain
    ocsp = chain.ocsp
    must_staple = chain.leaf.must_staple
    evidence = facts.evidence() | {"must_staple": must_staple, "stapled": ocsp is not None}
    verdict = _verdict_for(target, facts, OCSP_STAPLING, evidence)
    if ocsp is None:
        if must_staple:
            return verdict(
                Status.FAIL,
                f"The certificate of {facts.subject} demands OCSP stapling (must-staple), "
                "but no OCSP response is stapled: browsers refuse it.",
            )
        return verdict(Status.INFO, f"{facts.subject} staples no OCSP response.")
    evidence |= {
        "status": ocsp.status,
        "certificate_status": ocsp.certificate_status,
        "this_update": ocsp.this_update.isoformat() if ocsp.this_update else None,
        "next_update": ocsp.next_update.isoformat() if ocsp.next_update else None,
        "trusted": ocsp.trusted,
    }
    if ocsp.certificate_status == "revoked":
        return verdict(
            Status.FAIL,
            f"The stapled OCSP response says the certificate of {facts.subject} is revoked.",
        )
    problem = None
    if ocsp.status != "successful":
        problem = f"the response is not successful ({ocsp.status})"
    elif ocsp.trusted is False:
        problem = "the response is not signed by the certificate's CA"
    elif ocsp.next_update is not None and ocsp.next_update < now:
        problem = f"the response is stale (next update was {ocsp.next_update:%Y-%m-%d})"
    if problem is not None:
        return verdict(
            Status.WARNING, f"The OCSP response stapled by {facts.subject} is unusable: {problem}."
        )
    return verdict(Status.PASS, f"{facts.subject} staples a valid OCSP response.")


# --- evaluation: sslyze tests ----------------------------------------------------------------


_VULNERABILITIES = {
    SslyzeTest.HEARTBLEED: (HEARTBLEED, "Heartbleed (CVE-2014-0160)"),
    SslyzeTest.CCS_INJECTION: (CCS_INJECTION, "OpenSSL CCS injection (CVE-2014-0224)"),
    SslyzeTest.ROBOT: (ROBOT, "ROBOT (an RSA padding oracle)"),
}


def _test_result(facts: EndpointFacts, test: SslyzeTest) -> TestResult:
    return facts.tests.get(test, SslyzeFailure(test.value, "other", "the test was not run"))


def _test_evidence(result: TestResult) -> dict[str, Any]:
    if isinstance(result, Skipped):
        return {"tested": False, "not_applicable": result.reason}
    if isinstance(result, SslyzeFailure):
        return {"tested": False, "error": result.message, "error_kind": result.kind}
    evidence: dict[str, Any] = {"tested": True, "result": result.positive}
    if result.detail:
        evidence["detail"] = result.detail
    return evidence


def evaluate_vulnerability(target: str, facts: EndpointFacts, test: SslyzeTest) -> Finding:
    check_id, name = _VULNERABILITIES[test]
    result = _test_result(facts, test)
    evidence = facts.evidence() | _test_evidence(result)
    verdict = _verdict_for(target, facts, check_id, evidence)
    if isinstance(result, Skipped):
        return verdict(
            Status.PASS, f"{facts.subject} is not vulnerable to {name}: {result.reason}."
        )
    if isinstance(result, SslyzeFailure):
        return verdict(
            Status.ERROR, f"Could not test {facts.subject} for {name}: {result.message}."
        )
    if result.positive:
        return verdict(Status.FAIL, f"{facts.subject} is vulnerable to {name}.")
    if test is SslyzeTest.ROBOT and result.detail == "UNKNOWN_INCONSISTENT_RESULTS":
        return verdict(
            Status.ERROR,
            f"The ROBOT test of {facts.subject} gave inconsistent results; it may be vulnerable.",
        )
    return verdict(Status.PASS, f"{facts.subject} is not vulnerable to {name}.")


def evaluate_renegotiation(target: str, facts: EndpointFacts) -> Finding:
    secure = _test_result(facts, SslyzeTest.SECURE_RENEGOTIATION)
    client = _test_result(facts, SslyzeTest.CLIENT_RENEGOTIATION)
    evidence = facts.evidence() | {
        "secure_renegotiation": _test_evidence(secure),
        "client_renegotiation": _test_evidence(client),
    }
    verdict = _verdict_for(target, facts, RENEGOTIATION, evidence)
    if isinstance(secure, SslyzeOutcome) and not secure.positive:
        return verdict(
            Status.FAIL,
            f"{facts.subject} does not support secure renegotiation (RFC 5746): it is open "
            "to the renegotiation attack (CVE-2009-3555).",
        )
    if isinstance(client, SslyzeOutcome) and client.positive:
        return verdict(
            Status.WARNING,
            f"{facts.subject} honours client-initiated renegotiation without limit "
            f"({client.detail or RENEGOTIATION_ATTEMPTS} of {RENEGOTIATION_ATTEMPTS} "
            "attempts): a denial-of-service lever.",
        )
    failed = [r for r in (secure, client) if isinstance(r, SslyzeFailure)]
    if failed:
        return verdict(
            Status.ERROR, f"Could not test renegotiation on {facts.subject}: {failed[0].message}."
        )
    if isinstance(secure, Skipped):
        return verdict(Status.PASS, f"{facts.subject}: {secure.reason}.")
    return verdict(
        Status.PASS,
        f"{facts.subject} supports secure renegotiation and refuses unlimited client "
        "renegotiation.",
    )


def evaluate_compression(target: str, facts: EndpointFacts) -> Finding:
    result = _test_result(facts, SslyzeTest.COMPRESSION)
    evidence = facts.evidence() | _test_evidence(result)
    verdict = _verdict_for(target, facts, COMPRESSION, evidence)
    if isinstance(result, SslyzeFailure):
        return verdict(
            Status.ERROR, f"Could not test TLS compression on {facts.subject}: {result.message}."
        )
    if isinstance(result, SslyzeOutcome) and result.positive:
        return verdict(Status.FAIL, f"{facts.subject} enables TLS compression, open to CRIME.")
    return verdict(Status.PASS, f"{facts.subject} does not enable TLS compression.")


def evaluate_fallback_scsv(target: str, facts: EndpointFacts) -> Finding:
    result = _test_result(facts, SslyzeTest.FALLBACK_SCSV)
    evidence = facts.evidence() | _test_evidence(result)
    verdict = _verdict_for(target, facts, FALLBACK_SCSV, evidence)
    if isinstance(result, Skipped):
        return verdict(Status.PASS, f"{facts.subject} cannot be downgraded: {result.reason}.")
    if isinstance(result, SslyzeFailure):
        return verdict(
            Status.ERROR, f"Could not test TLS_FALLBACK_SCSV on {facts.subject}: {result.message}."
        )
    if result.positive:
        return verdict(Status.PASS, f"{facts.subject} refuses downgrades (TLS_FALLBACK_SCSV).")
    return verdict(
        Status.WARNING,
        f"{facts.subject} ignores TLS_FALLBACK_SCSV, so an attacker can push clients to an "
        "older version.",
    )


# --- the grade -------------------------------------------------------------------------------


def _outcome(facts: EndpointFacts, test: SslyzeTest, *, if_skipped: bool | None) -> bool | None:
    result = facts.tests.get(test)
    if isinstance(result, SslyzeOutcome):
        return result.positive
    return if_skipped if isinstance(result, Skipped) else None


def grade_facts(facts: EndpointFacts, *, now: datetime.datetime) -> GradeFacts:
    """The facts `grade_endpoint` reads, derived with the same rules as the verdicts."""
    enumeration = facts.enumeration
    suites = all_suites(enumeration)
    chain = facts.chain if isinstance(facts.chain, ChainFacts) else None
    robot = facts.tests.get(SslyzeTest.ROBOT)
    robot_vulnerable = _outcome(facts, SslyzeTest.ROBOT, if_skipped=False)
    if isinstance(robot, SslyzeOutcome) and robot.detail == "UNKNOWN_INCONSISTENT_RESULTS":
        robot_vulnerable = None
    cert: dict[str, Any] = {}
    if chain is not None:
        checked = _checked_certificates(chain)
        cert = {
            "cert_trusted": chain.trust.trusted,
            "cert_name_ok": certificate_matches(facts, chain.leaf),
            "cert_time_ok": chain.leaf.not_before <= now <= chain.leaf.not_after,
            "cert_key": _worst(certificate_key_level(c) for c in checked),
            "cert_weak_signature": any(
                weak_signature_hash(c) is Level.INSUFFICIENT for c in checked
            ),
        }
    levels = key_exchange_levels(enumeration)
    client = facts.tests.get(SslyzeTest.CLIENT_RENEGOTIATION)
    return GradeFacts(
        versions=frozenset(enumeration.versions),
        suite_levels=frozenset(suite_level(s) for s in suites),
        null_anon_export=any(is_null_anon_or_export(s) for s in suites),
        broken_suite=any(is_broken_suite(s) for s in suites),
        key_exchange=_worst(levels.values()) if levels else None,
        heartbleed=_outcome(facts, SslyzeTest.HEARTBLEED, if_skipped=False),
        ccs_injection=_outcome(facts, SslyzeTest.CCS_INJECTION, if_skipped=False),
        robot=robot_vulnerable,
        secure_renegotiation=_outcome(facts, SslyzeTest.SECURE_RENEGOTIATION, if_skipped=None),
        client_renegotiation=(
            client.positive
            if isinstance(client, SslyzeOutcome)
            else (False if isinstance(client, Skipped) else None)
        ),
        compression=_outcome(facts, SslyzeTest.COMPRESSION, if_skipped=False),
        fallback_scsv=_outcome(facts, SslyzeTest.FALLBACK_SCSV, if_skipped=None),
        cipher_order_ok=not cipher_order_problems(enumeration),
        **cert,
    )


def evaluate_grade(target: str, facts: EndpointFacts, result: GradeResult) -> Finding:
    evidence = facts.evidence() | {
        "grade": result.grade.value,
        "capped_by": list(result.capped_by),
        "untested": list(result.untested),
    }
    verdict = _verdict_for(target, facts, GRADE, evidence)
    why = (
        f": {'; '.join(r.split(': ', 1)[1] for r in result.capped_by)}" if result.capped_by else ""
    )
    return verdict(result.grade.status, f"{facts.subject} is graded {result.grade.value}{why}.")


# --- evaluation: address parity --------------------------------------------------------------


def endpoint_profile(facts: EndpointFacts, *, now: datetime.datetime) -> dict[str, Any]:
    """What parity compares (versions, suites, certificate), and the grade for reference."""
    enumeration = facts.enumeration
    profile: dict[str, Any] = {"address_family": _family(facts.address)}
    if not facts.connected or not enumeration.versions:
        return profile | {"error": enumeration.error or "no protocol version was accepted"}
    chain = facts.chain
    return profile | {
        "versions": [v for v in reversed(VERSIONS) if v in enumeration.versions],
        "suites": {
            v: sorted(enumeration.versions[v])
            for v in reversed(VERSIONS)
            if v in enumeration.versions
        },
        "certificate": chain.leaf.sha256 if isinstance(chain, ChainFacts) else None,
        "grade": grade_endpoint(grade_facts(facts, now=now)).grade.value,
    }


def evaluate_parity(
    target: str, service: Service, endpoints: Sequence[EndpointFacts], *, now: datetime.datetime
) -> Finding:
    """Compare every address of one name and port (see the module docstring)."""
    profiles = {facts.address: endpoint_profile(facts, now=now) for facts in endpoints}
    evidence: dict[str, Any] = {
        "host": service.host,
        "port": service.port,
        "ipv4": {a: p for a, p in profiles.items() if p["address_family"] == "ipv4"},
        "ipv6": {a: p for a, p in profiles.items() if p["address_family"] == "ipv6"},
    }

    def verdict(status: Status, summary: str) -> Finding:
        return Finding(target, service.subject, ADDRESS_PARITY, status, summary, evidence)

    if len(profiles) < 2:
        return verdict(
            Status.INFO,
            f"{service.host} has one address for port {service.port}: nothing to compare.",
        )
    failed = {a: p["error"] for a, p in profiles.items() if "error" in p}
    if failed:
        shown = "; ".join(f"{bracketed(a)}: {why}" for a, why in failed.items())
        return verdict(
            Status.ERROR,
            f"Could not compare TLS on the addresses of {service.subject}: no handshake with "
            f"{shown}.",
        )
    differences = profile_differences(profiles)
    evidence["differences"] = differences
    if differences:
        return verdict(
            Status.WARNING,
            f"The addresses of {service.subject} differ: {'; '.join(differences)}.",
        )
    return verdict(
        Status.PASS,
        f"All {len(profiles)} addresses of {service.subject} offer the same versions, suites "
        "and certificate.",
    )


def profile_differences(profiles: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Sentences naming what differs between the addresses' profiles, with both sides."""
    differences: list[str] = []
    addresses = list(profiles)
    reference = addresses[0]
    for other in addresses[1:]:
        a, b = profiles[reference], profiles[other]
        ra, rb = bracketed(reference), bracketed(other)
        if a["versions"] != b["versions"]:
            differences.append(
                f"versions {ra}: {', '.join(a['versions'])} vs {rb}: {', '.join(b['versions'])}"
            )
        for version in sorted(set(a["suites"]) & set(b["suites"])):
            only_a = sorted(set(a["suites"][version]) - set(b["suites"][version]))
            only_b = sorted(set(b["suites"][version]) - set(a["suites"][version]))
            if only_a or only_b:
                differences.append(
                    f"{_version_name(version)} suites only on {ra}: {_some(only_a) or 'none'}; "
                    f"only on {rb}: {_some(only_b) or 'none'}"
                )
        if a["certificate"] != b["certificate"]:
            differences.append(
                f"certificate {ra}: {_short(a['certificate'])} vs {rb}: {_short(b['certificate'])}"
            )
    return differences


# --- helpers ---------------------------------------------------------------------------------


def all_suites(enumeration: TlsEnumeration) -> list[str]:
    """Every accepted suite over all versions, each once, newest version first."""
    return list(
        dict.fromkeys(
            suite
            for version in reversed(VERSIONS)
            for suite in enumeration.versions.get(version, ())
        )
    )


def highest_version(versions: set[str] | frozenset[str]) -> str:
    return max(versions, key=VERSIONS.index)


def _worst(levels: Any) -> Level | None:
    return max(levels, key=lambda level: level.rank, default=None)


def _version_name(version: str) -> str:
    return {"SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0"}.get(version, version.replace("v", " "))


def _some(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _short(fingerprint: str | None) -> str:
    return f"SHA-256 {fingerprint[:16]}..." if fingerprint else "none"


def _certificate_summary(certificate: CertificateFacts) -> dict[str, Any]:
    return {
        "subject": certificate.subject,
        "issuer": certificate.issuer,
        "sha256": certificate.sha256,
        "not_after": certificate.not_after.isoformat(),
    }


def _family(address: str) -> str:
    return f"ipv{ipaddress.ip_address(address).version}"


def bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


Verdict = Callable[[Status, str], Finding]


def _verdict_for(
    target: str, facts: EndpointFacts, check_id: str, evidence: dict[str, Any]
) -> Verdict:
    def verdict(status: Status, summary: str) -> Finding:
        return Finding(target, facts.subject, check_id, status, summary, evidence)

    return verdict
