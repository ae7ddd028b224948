"""What the TLS guidelines say about protocol versions, cipher suites and key exchange groups.

Data, not code. Two sources:

**NCSC-NL** — *ICT-beveiligingsrichtlijnen voor Transport Layer Security (TLS)*, edition
2025-05, published by the Dutch National Cyber Security Centre
(https://www.ncsc.nl/documenten/publicaties/2025/juni/01/ict-beveiligingsrichtlijnen-voor-transport-layer-security-2025-05),
sections 3.3.1 (versions), 3.3.2 (certificate keys), 3.3.3 (key exchange) and appendix B
(cipher suites), exactly as internet.nl applies them since its "NCSC 2025" update (lists in
internetstandards/Internet.nl, ``checks/tasks/tls/tls_constants.py``). Four levels: *good*,
*sufficient*, *phase out* and *insufficient*; anything a list does not name is insufficient.
In this edition TLS 1.0 and 1.1 are insufficient (no phase-out step is left), every suite
without forward secrecy (``TLS_RSA_WITH_*``) and every CBC suite with SHA-1 is insufficient,
and the finite-field DH groups of at least 3072 bits are phase out.

**Mozilla** — *Server Side TLS* guidelines version 5.7
(https://ssl-config.mozilla.org/guidelines/5.7.json): the *modern* profile is TLS 1.3 only
with its three suites; *intermediate* adds TLS 1.2 with nine forward-secret AEAD suites.

Suite names are the IANA names (``TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256``), as
`netready.net.tls` reports them; group names are lowercase (``x25519``, ``secp256r1``,
``ffdhe2048``).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BROKEN_CIPHER_MARKERS",
    "MOZILLA_INTERMEDIATE",
    "MOZILLA_MODERN",
    "NCSC_GROUPS",
    "NCSC_SUITES",
    "NCSC_VERSIONS",
    "Level",
    "dh_bits_level",
    "group_level",
    "is_broken_suite",
    "is_null_anon_or_export",
    "mozilla_profile",
    "suite_level",
    "version_level",
]


class Level(StrEnum):
    """An NCSC-NL verdict on one parameter, best first."""

    GOOD = "good"
    SUFFICIENT = "sufficient"
    PHASE_OUT = "phase_out"
    INSUFFICIENT = "insufficient"

    @property
    def rank(self) -> int:
        """0 for good up to 3 for insufficient: a larger rank is worse."""
        return _RANK[self]


_RANK = {Level.GOOD: 0, Level.SUFFICIENT: 1, Level.PHASE_OUT: 2, Level.INSUFFICIENT: 3}

#: NCSC 3.3.1: TLS 1.3 good, TLS 1.2 sufficient; SSL 2/3 and TLS 1.0/1.1 insufficient.
NCSC_VERSIONS: dict[str, Level] = {
    "TLSv1.3": Level.GOOD,
    "TLSv1.2": Level.SUFFICIENT,
    "TLSv1.1": Level.INSUFFICIENT,
    "TLSv1.0": Level.INSUFFICIENT,
    "SSLv3": Level.INSUFFICIENT,
    "SSLv2": Level.INSUFFICIENT,
}

_GOOD_SUITES = ("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
_SUFFICIENT_SUITES = (
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    # not in appendix B, but they meet its requirements (internet.nl counts them too)
    "TLS_ECDHE_RSA_WITH_AES_256_CCM",
    "TLS_ECDHE_RSA_WITH_AES_128_CCM",
)
_ECDHE_PHASE_OUT_CIPHERS = (
    "CAMELLIA_256_GCM_SHA384", "CAMELLIA_256_CBC_SHA384", "CAMELLIA_128_GCM_SHA256",
    "CAMELLIA_128_CBC_SHA256", "ARIA_256_GCM_SHA384", "ARIA_256_CBC_SHA384",
    "ARIA_128_GCM_SHA256", "ARIA_128_CBC_SHA256", "AES_256_CBC_SHA384", "AES_128_CBC_SHA256",
)  # fmt: skip
_PHASE_OUT_SUITES = (
    *(
        f"TLS_{kex}_WITH_{cipher}"
        for kex in ("ECDHE_ECDSA", "ECDHE_RSA")
        for cipher in _ECDHE_PHASE_OUT_CIPHERS
    ),
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384",
    "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_256_CCM",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CCM",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
)  # fmt: skip

#: NCSC appendix B: suite -> level; a suite not named here is insufficient.
NCSC_SUITES: dict[str, Level] = {
    **dict.fromkeys(_GOOD_SUITES, Level.GOOD),
    **dict.fromkeys(_SUFFICIENT_SUITES, Level.SUFFICIENT),
    **dict.fromkeys(_PHASE_OUT_SUITES, Level.PHASE_OUT),
}

#: NCSC 3.3.3: key exchange groups -> level; a group not named here is insufficient
#: (e.g. ``ffdhe2048``, ``secp192r1``, binary curves). The post-quantum hybrids are
#: X25519/P-256/P-384 plus ML-KEM, so at least as good as their classical half.
NCSC_GROUPS: dict[str, Level] = {
    **dict.fromkeys(
        (
            "x25519", "x448", "secp256r1", "secp384r1", "secp521r1", "brainpoolp256r1",
            "brainpoolp384r1", "brainpoolp512r1", "brainpoolp256r1tls13",
            "brainpoolp384r1tls13", "brainpoolp512r1tls13", "x25519mlkem768",
            "secp256r1mlkem768", "secp384r1mlkem1024", "x25519kyber768draft00",
        ),
        Level.GOOD,
    ),
    "secp224r1": Level.PHASE_OUT,
    **dict.fromkeys(("ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"), Level.PHASE_OUT),
}  # fmt: skip

#: NCSC 3.3.3.1: only the RFC 7919 groups of at least 3072 bits remain (phase out).
MIN_DH_BITS = 3072

#: Mozilla modern (5.7): TLS 1.3 only.
MOZILLA_MODERN: frozenset[str] = frozenset(
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
)
#: Mozilla intermediate (5.7): the modern suites plus these nine for TLS 1.2.
MOZILLA_INTERMEDIATE: frozenset[str] = MOZILLA_MODERN | {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
}

#: Parts of a suite name that mean a broken cipher or MAC (RC4, single and triple DES, RC2,
#: IDEA, MD5): beyond "insufficient", these cap the grade lower (see tls_grade).
BROKEN_CIPHER_MARKERS = ("_RC4_", "_DES_", "_DES40_", "_3DES_", "_RC2_", "_IDEA_", "_MD5")


def version_level(version: str) -> Level:
    """The NCSC level of a protocol version (``"TLSv1.2"`` ...); unknown ones are insufficient."""
    return NCSC_VERSIONS.get(version, Level.INSUFFICIENT)


def suite_level(suite: str) -> Level:
    """The NCSC level of a cipher suite (IANA name)."""
    return NCSC_SUITES.get(suite, Level.INSUFFICIENT)


def group_level(group: str) -> Level:
    """The NCSC level of a key exchange group (case-insensitive name)."""
    return NCSC_GROUPS.get(group.lower(), Level.INSUFFICIENT)


def dh_bits_level(bits: int) -> Level:
    """The NCSC level of a finite-field DH group known only by its size."""
    return Level.PHASE_OUT if bits >= MIN_DH_BITS else Level.INSUFFICIENT


def mozilla_profile(suite: str) -> str | None:
    """``"modern"``, ``"intermediate"`` or None: the strictest Mozilla profile naming `suite`."""
    if suite in MOZILLA_MODERN:
        return "modern"
    if suite in MOZILLA_INTERMEDIATE:
        return "intermediate"
    return None


def is_null_anon_or_export(suite: str) -> bool:
    """A suite without encryption, without server authentication, or export grade."""
    name = suite.upper()
    return "_NULL" in name or "_ANON_" in name or "EXPORT" in name


def is_broken_suite(suite: str) -> bool:
    """A suite with a broken cipher or MAC (RC4, DES, 3DES, RC2, IDEA, MD5)."""
    name = suite.upper()
    return any(marker.upper() in name for marker in BROKEN_CIPHER_MARKERS)
