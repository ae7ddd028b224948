"""The overall grade of one TLS endpoint, A+ to F: every rule in this one module.

The grade starts at A and every rule that holds caps it; the lowest cap wins. A fact that
could not be tested (None in `GradeFacts`) caps nothing and is listed as untested, so a
grade is never lowered - nor raised - by a probe that failed. The levels (good, sufficient,
phase out, insufficient) are NCSC-NL's, see `netready.checks.tls_suites`.

F - broken: an attacker can read or forge traffic, or clients refuse the certificate
    1. SSL 2.0 accepted
    2. vulnerable to Heartbleed
    3. vulnerable to OpenSSL CCS injection
    4. vulnerable to ROBOT (an RSA padding oracle)
    5. secure renegotiation (RFC 5746) not supported, on a version that renegotiates
    6. the certificate chain is not trusted (Mozilla roots or --ca-file)
    7. the certificate is not valid for the name
    8. the certificate is expired or not yet valid
    9. a suite without encryption or authentication, or export grade (NULL, anon, EXPORT)
    10. a certificate key NCSC rates insufficient (RSA < 2048 bits, DSA, small curves)
C - weak: practical attacks exist
    11. SSL 3.0 accepted
    12. TLS compression enabled (CRIME)
    13. a suite with a broken cipher or MAC (RC4, DES, 3DES, RC2, IDEA, MD5)
    14. a certificate signed with SHA-1 or MD5 (leaf or intermediate)
    15. neither TLS 1.2 nor TLS 1.3 accepted
B - outdated: insufficient by NCSC-NL, no practical attack known
    16. TLS 1.0 or TLS 1.1 accepted
    17. another insufficient suite (no forward secrecy, CBC with SHA-1, ...)
    18. an insufficient key exchange group (finite-field DH under 3072 bits, ffdhe2048,
        curves under 256 bits)
A- - to improve
    19. a phase-out suite accepted (CBC with SHA-2, DHE, Camellia, ARIA)
    20. a phase-out key exchange group (ffdhe3072 and larger, secp224r1)
    21. the server does not enforce its cipher order although it matters, or its order
        prefers a weaker suite
    22. TLS_FALLBACK_SCSV not honoured while a downgrade is possible
    23. TLS 1.3 not accepted
    24. client-initiated renegotiation honoured (a denial-of-service lever)
A+ - an A whose certificate key NCSC rates good (RSA >= 3072 bits, ECDSA P-256/384/521,
    brainpool, Ed25519, Ed448) and that accepts TLS 1.3

Status of the ``tls.grade`` finding: A+, A and A- pass; B is a warning; C and F fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from netready.checks.tls_suites import Level
from netready.findings import Status

__all__ = ["RULES", "Grade", "GradeFacts", "GradeResult", "GradeRule", "grade_endpoint"]


class Grade(StrEnum):
    A_PLUS = "A+"
    A = "A"
    A_MINUS = "A-"
    B = "B"
    C = "C"
    F = "F"

    @property
    def rank(self) -> int:
        """0 for A+ up to 5 for F: a larger rank is worse."""
        return list(Grade).index(self)

    @property
    def status(self) -> Status:
        if self in (Grade.A_PLUS, Grade.A, Grade.A_MINUS):
            return Status.PASS
        return Status.WARNING if self is Grade.B else Status.FAIL


@dataclass(frozen=True, slots=True)
class GradeFacts:
    """What the grade reads about one endpoint; None means "not tested".

    Attributes:
        versions: accepted protocol versions (``"TLSv1.2"``, ...).
        suite_levels: the NCSC levels of the accepted suites, over all versions.
        null_anon_export: a suite without encryption/authentication or export grade.
        broken_suite: a suite with RC4, DES, 3DES, RC2, IDEA or MD5.
        key_exchange: the worst NCSC level of the accepted key exchange groups.
        cert_trusted, cert_name_ok, cert_time_ok: the certificate verdicts.
        cert_key: the worst NCSC level of the certificate keys (leaf and intermediates).
        cert_weak_signature: a leaf or intermediate signed with SHA-1 or MD5.
        heartbleed, ccs_injection, robot: vulnerable.
        secure_renegotiation: RFC 5746 supported (None also when no version renegotiates).
        client_renegotiation: client-initiated renegotiation honoured.
        compression: TLS compression enabled.
        fallback_scsv: honoured (None also when no downgrade is possible).
        cipher_order_ok: the order is enforced where it matters and prefers stronger suites.
    """

    versions: frozenset[str]
    suite_levels: frozenset[Level] = frozenset()
    null_anon_export: bool = False
    broken_suite: bool = False
    key_exchange: Level | None = None
    cert_trusted: bool | None = None
    cert_name_ok: bool | None = None
    cert_time_ok: bool | None = None
    cert_key: Level | None = None
    cert_weak_signature: bool | None = None
    heartbleed: bool | None = None
    ccs_injection: bool | None = None
    robot: bool | None = None
    secure_renegotiation: bool | None = None
    client_renegotiation: bool | None = None
    compression: bool | None = None
    fallback_scsv: bool | None = None
    cipher_order_ok: bool | None = None


@dataclass(frozen=True, slots=True)
class GradeRule:
    """One cap: `holds` says whether it applies (None: the fact was not tested)."""

    number: int
    cap: Grade
    reason: str
    holds: Callable[[GradeFacts], bool | None]


def _negated(value: bool | None) -> bool | None:
    return None if value is None else not value


def _worse_than(level: Level | None, limit: Level) -> bool | None:
    return None if level is None else level.rank > limit.rank


RULES: tuple[GradeRule, ...] = (
    GradeRule(1, Grade.F, "SSL 2.0 is accepted", lambda f: "SSLv2" in f.versions),
    GradeRule(2, Grade.F, "vulnerable to Heartbleed", lambda f: f.heartbleed),
    GradeRule(3, Grade.F, "vulnerable to CCS injection", lambda f: f.ccs_injection),
    GradeRule(4, Grade.F, "vulnerable to ROBOT", lambda f: f.robot),
    GradeRule(
        5,
        Grade.F,
        "secure renegotiation is not supported",
        lambda f: _negated(f.secure_renegotiation),
    ),
    GradeRule(6, Grade.F, "the certificate is not trusted", lambda f: _negated(f.cert_trusted)),
    GradeRule(
        7, Grade.F, "the certificate is not valid for the name", lambda f: _negated(f.cert_name_ok)
    ),
    GradeRule(
        8,
        Grade.F,
        "the certificate is expired or not yet valid",
        lambda f: _negated(f.cert_time_ok),
    ),
    GradeRule(
        9,
        Grade.F,
        "a suite without encryption or authentication, or export grade, is accepted",
        lambda f: f.null_anon_export,
    ),
    GradeRule(
        10,
        Grade.F,
        "a certificate key is too weak",
        lambda f: _worse_than(f.cert_key, Level.PHASE_OUT),
    ),
    GradeRule(11, Grade.C, "SSL 3.0 is accepted", lambda f: "SSLv3" in f.versions),
    GradeRule(12, Grade.C, "TLS compression is enabled (CRIME)", lambda f: f.compression),
    GradeRule(
        13,
        Grade.C,
        "a suite with a broken cipher or MAC (RC4, DES, 3DES, RC2, IDEA, MD5) is accepted",
        lambda f: f.broken_suite,
    ),
    GradeRule(
        14,
        Grade.C,
        "a certificate is signed with SHA-1 or MD5",
        lambda f: f.cert_weak_signature,
    ),
    GradeRule(
        15,
        Grade.C,
        "neither TLS 1.2 nor TLS 1.3 is accepted",
        lambda f: not f.versions & {"TLSv1.2", "TLSv1.3"},
    ),
    GradeRule(
        16,
        Grade.B,
        "TLS 1.0 or TLS 1.1 is accepted",
        lambda f: bool(f.versions & {"TLSv1.0", "TLSv1.1"}),
    ),
    GradeRule(
        17,
        Grade.B,
        "an insufficient cipher suite is accepted",
        lambda f: Level.INSUFFICIENT in f.suite_levels,
    ),
    GradeRule(
        18,
        Grade.B,
        "an insufficient key exchange group is accepted",
        lambda f: _worse_than(f.key_exchange, Level.PHASE_OUT),
    ),
    GradeRule(
        19,
        Grade.A_MINUS,
        "a phase-out cipher suite is accepted",
        lambda f: Level.PHASE_OUT in f.suite_levels,
    ),
    GradeRule(
        20,
        Grade.A_MINUS,
        "a phase-out key exchange group is accepted",
        lambda f: _worse_than(f.key_exchange, Level.SUFFICIENT),
    ),
    GradeRule(
        21,
        Grade.A_MINUS,
        "the server does not enforce a cipher order that prefers stronger suites",
        lambda f: _negated(f.cipher_order_ok),
    ),
    GradeRule(
        22,
        Grade.A_MINUS,
        "TLS_FALLBACK_SCSV is not honoured",
        lambda f: _negated(f.fallback_scsv),
    ),
    GradeRule(23, Grade.A_MINUS, "TLS 1.3 is not accepted", lambda f: "TLSv1.3" not in f.versions),
    GradeRule(
        24,
        Grade.A_MINUS,
        "client-initiated renegotiation is honoured",
        lambda f: f.client_renegotiation,
    ),
)

_UNTESTED_NAMES = {
    "cert_trusted": "certificate trust",
    "cert_name_ok": "certificate name",
    "cert_time_ok": "certificate validity",
    "cert_key": "certificate key",
    "cert_weak_signature": "certificate signature",
    "heartbleed": "Heartbleed",
    "ccs_injection": "CCS injection",
    "robot": "ROBOT",
    "compression": "compression",
    "client_renegotiation": "client-initiated renegotiation",
    "key_exchange": "key exchange",
    "cipher_order_ok": "cipher order",
}


@dataclass(frozen=True, slots=True)
class GradeResult:
    """The grade, the rules that capped it (``"B (rule 16): TLS 1.0 or ..."``), and the facts
    that could not be tested."""

    grade: Grade
    capped_by: tuple[str, ...]
    untested: tuple[str, ...]


def grade_endpoint(facts: GradeFacts) -> GradeResult:
    """Apply `RULES` to one endpoint's facts (see the module docstring)."""
    grade = Grade.A
    capped_by: list[str] = []
    for rule in RULES:
        if rule.holds(facts):
            capped_by.append(f"{rule.cap} (rule {rule.number}): {rule.reason}")
            if rule.cap.rank > grade.rank:
                grade = rule.cap
    if grade is Grade.A and facts.cert_key is Level.GOOD and "TLSv1.3" in facts.versions:
        grade = Grade.A_PLUS
    untested = tuple(
        label for name, label in _UNTESTED_NAMES.items() if getattr(facts, name) is None
    )
    return GradeResult(grade, tuple(capped_by), untested)
