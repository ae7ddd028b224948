"""Which TLS versions, cipher suites and key-exchange groups one TLS endpoint accepts.

    endpoint = TlsEndpoint("2001:db8::10", 443, "www.example.org")
    found = await enumerate_tls(endpoint, timeout=5)
    found.versions["TLSv1.2"]  # ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ...)

How, and why it is fast: a probe is one TCP connection (after STARTTLS where asked) that
sends one ClientHello and reads the server's first flight: the ServerHello names the
suite the server chose among those offered (and, for (EC)DHE suites, the ServerKeyExchange
names the curve or the DH size). No key is ever computed: TLS 1.3 probes carry at most a
random x25519 share, and the server answers with a ServerHello or a HelloRetryRequest that
names its suite and group.
That makes a probe one round trip after the TCP handshake and lets any suite be offered,
whatever this machine's OpenSSL can do.

* Round 1, all in parallel: an SSLv2 hello, and for SSLv3 ... TLS 1.3 two hellos offering
  every suite sslyze tests for that version, in opposite orders. The same choice both times
  means the server enforces its own order (or accepts one suite); different choices mean it
  follows the client's.
* Accepted suites by elimination: the rest of a version's suites are split into chunks of
  about six, all worked in parallel: offer the chunk, record the choice, remove it, repeat
  until the server refuses — a chunk with k accepted suites costs k + 1 hellos. Once a
  chunk has given one suite, its next connection is opened while the current hello is out.
* The server's order, when it enforces one: each choice shows that the suite beats those
  offered with it. The rest is guessed — the known order (OpenSSL's, Mozilla's, Windows',
  ...) that agrees best with what was seen — and checked: one hello per place of the guess,
  all at once, offering the suites from that place on. A right guess is confirmed in one
  round (OpenSSL's order, which nginx and Apache keep for "HIGH" or "ALL", is the usual
  case); a wrong one is corrected and checked again, at least one more suite placed per
  round. For that, enforcing servers are chunked in runs of OpenSSL's order rather than
  interleaved, so that most neighbour pairs come back ordered from the elimination itself.
* Groups: TLS 1.3 groups (EC, finite-field, hybrid post-quantum) by elimination, named by
  ServerHellos and HelloRetryRequests; without TLS 1.3, the ECDHE curves of the highest
  version below it (as sslyze does). `dh_bits` comes from a DHE ServerKeyExchange seen on
  the way.

Connections: about (accepted suites + chunks) per accepted version, plus the order checks
when the server enforces an order; at most `max_parallel` at once. Measured against the lab
(benchmarks/tls_scan.py): 80-200 where sslyze's equivalent scan makes 565, in under a tenth
of its time at 50 ms round-trip time.

The suites offered are the ones sslyze tests (its OpenSSL 1.0.2 and 1.1.1 clients' lists),
with their IANA names, so the results can be compared with sslyze's one for one.

Errors: when no probe gets a ServerHello, `TlsEnumeration.error` says why and `error_kind`
is one of `ERROR_KINDS`: timeout (no connection, or no answer to the hello, within
`timeout`), refused, unreachable, not_tls (bytes that are not TLS, or a STARTTLS dialogue
that fails), reset (the connection was reset or closed without an answer), other (e.g. the
server refused every version and suite with a TLS alert). Every probe is bounded by
`timeout`, every read by a size limit; a dead or hostile endpoint ends the enumeration
after the first round, so within about `timeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import struct
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from netready.net.errors import UNREACHABLE_ERRNOS

__all__ = [
    "DEFAULT_MAX_PARALLEL",
    "DEFAULT_MAX_PARALLEL_STARTTLS",
    "ERROR_KINDS",
    "GROUP_NAMES",
    "TLS_VERSIONS",
    "StartTls",
    "TlsEndpoint",
    "TlsEnumeration",
    "cipher_suites_for",
    "enumerate_tls",
]

#: Version names, oldest first, as keys of `TlsEnumeration.versions`.
TLS_VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
ERROR_KINDS = ("timeout", "refused", "unreachable", "not_tls", "reset", "other")
#: At most this many connections to one endpoint at once (sslyze: 5, a browser: 6); mail
#: servers get fewer, as many limit the connections one client may hold.
DEFAULT_MAX_PARALLEL = 32
DEFAULT_MAX_PARALLEL_STARTTLS = 8


class StartTls(StrEnum):
    NONE = "none"
    SMTP = "smtp"
    IMAP = "imap"
    POP3 = "pop3"


@dataclass(frozen=True, slots=True)
class TlsEndpoint:
    """Where to connect: one address (IPv4 or IPv6) and port, the SNI, and STARTTLS if any."""

    address: str
    port: int
    server_name: str | None  # SNI; None for bare-IP targets (an IP is never sent as SNI)
    starttls: StartTls = StartTls.NONE


@dataclass(frozen=True, slots=True)
class TlsEnumeration:
    """What one endpoint accepts.

    Attributes:
        endpoint: what was probed.
        error: None when at least one handshake got a ServerHello; else why not, in words.
        error_kind: one of `ERROR_KINDS`, None without error.
        versions: accepted version -> accepted suites (IANA names), in the server's order
            when it enforces one, else in the order found; absent versions were refused.
        server_enforces_order: per accepted version; None when it cannot be told (one
            suite, or SSLv2, where the server sends its whole list).
        groups: accepted key-exchange groups (IANA names: "x25519", "secp256r1",
            "ffdhe2048", "X25519MLKEM768", ...), in the order found: TLS 1.3 groups when
            TLS 1.3 is accepted, else the ECDHE curves of the highest version.
        dh_bits: size of the finite-field DH group of a DHE suite, when one is accepted.
        connections: TCP connections this enumeration made.
    """

    endpoint: TlsEndpoint
    error: str | None
    error_kind: str | None
    versions: Mapping[str, tuple[str, ...]]
    server_enforces_order: Mapping[str, bool | None]
    groups: tuple[str, ...]
    dh_bits: int | None
    connections: int


# --- the data: versions, suites, groups ------------------------------------------------------

SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
_VERSION_NAMES = {SSL2: "SSLv2", SSL3: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1",
                  TLS12: "TLSv1.2", TLS13: "TLSv1.3"}  # fmt: skip
_VERSION_FLAGS = {SSL3: "s", TLS10: "0", TLS11: "1", TLS12: "2", TLS13: "3"}

# Every suite sslyze 6 tests: (code, IANA name, versions: s=SSLv3 0/1/2/3=TLS 1.0-1.3).
# Generated once from the ClientHellos of sslyze's nassl clients (OpenSSL 1.0.2 and 1.1.1),
# and listed in OpenSSL 3's default order ("ALL:COMPLEMENTOFALL") with 1.0.2's extras after:
# the order offered to servers and the first guess at an order a server enforces.
_SUITES: tuple[tuple[int, str, str], ...] = (
    (0x1302, "TLS_AES_256_GCM_SHA384", "3"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256", "3"),
    (0x1301, "TLS_AES_128_GCM_SHA256", "3"),
    (0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "2"),
    (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "2"),
    (0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "2"),
    (0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "2"),
    (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "2"),
    (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "2"),
    (0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "2"),
    (0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "2"),
    (0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "2"),
    (0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "2"),
    (0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "2"),
    (0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "2"),
    (0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "2"),
    (0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "2"),
    (0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "2"),
    (0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "2"),
    (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "2"),
    (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "2"),
    (0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "2"),
    (0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "2"),
    (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "2"),
    (0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "2"),
    (0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "2"),
    (0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "2"),
    (0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "2"),
    (0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "2"),
    (0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "2"),
    (0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "2"),
    (0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "2"),
    (0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "2"),
    (0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "2"),
    (0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "2"),
    (0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "2"),
    (0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "2"),
    (0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "2"),
    (0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "2"),
    (0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "2"),
    (0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "2"),
    (0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "2"),
    (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "2"),
    (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "2"),
    (0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "2"),
    (0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "2"),
    (0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "2"),
    (0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "2"),
    (0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "2"),
    (0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "2"),
    (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "s012"),
    (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "s012"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "s012"),
    (0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "s012"),
    (0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "s012"),
    (0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "s012"),
    (0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "s012"),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "s012"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "s012"),
    (0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "s012"),
    (0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "s012"),
    (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "s012"),
    (0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "2"),
    (0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "2"),
    (0xC09D, "TLS_RSA_WITH_AES_256_CCM", "2"),
    (0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "2"),
    (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "2"),
    (0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "2"),
    (0xC09C, "TLS_RSA_WITH_AES_128_CCM", "2"),
    (0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "2"),
    (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "2"),
    (0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "2"),
    (0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "2"),
    (0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "2"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "s012"),
    (0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "s012"),
    (0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "s012"),
    (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "s012"),
    (0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "s012"),
    (0x003B, "TLS_RSA_WITH_NULL_SHA256", "2"),
    (0x0002, "TLS_RSA_WITH_NULL_SHA", "s012"),
    (0x0001, "TLS_RSA_WITH_NULL_MD5", "s012"),
    (0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "2"),
    (0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "2"),
    (0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "2"),
    (0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "2"),
    (0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "s012"),
    (0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "s012"),
    (0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "s012"),
    (0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "2"),
    (0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "2"),
    (0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "2"),
    (0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "2"),
    (0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "s012"),
    (0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "s012"),
    (0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "2"),
    (0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "2"),
    (0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "2"),
    (0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "2"),
    (0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "s012"),
    (0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "s012"),
    (0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "s012"),
    (0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "s012"),
    (0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "s012"),
    (0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "s012"),
    (0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "s012"),
    (0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "s012"),
    (0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "2"),
    (0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "2"),
    (0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "2"),
    (0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "2"),
    (0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "s012"),
    (0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "s012"),
    (0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "s012"),
    (0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "s012"),
    (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "s012"),
    (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "s012"),
    (0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "s012"),
    (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "s012"),
    (0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "s012"),
    (0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "s012"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", "s012"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", "s012"),
    (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "s012"),
    (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "s012"),
    (0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "s012"),
    (0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "s012"),
    (0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "s012"),
    (0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "s012"),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "s012"),
    (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "s012"),
    (0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "s012"),
    (0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "s012"),
    (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "s012"),
    (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "s012"),
    (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "s012"),
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "s012"),
    (0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "s012"),
    (0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "s012"),
    (0x1305, "TLS_AES_128_CCM_8_SHA256", "3"),
    (0x1304, "TLS_AES_128_CCM_SHA256", "3"),
)
# SSLv2 cipher specs (three bytes each), as sslyze names them.
_SSL2_SUITES: tuple[tuple[int, str], ...] = (
    (0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"),
    (0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"),
    (0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"),
    (0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"),
    (0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"),
    (0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"),
    (0x010080, "SSL_CK_RC4_128_WITH_MD5"),
)

_SUITE_NAMES = {code: name for code, name, _ in _SUITES}
_SUITE_CODES = {name: code for code, name, _ in _SUITES}
_SSL2_NAMES = dict(_SSL2_SUITES)
_PRIOR_RANK = {code: rank for rank, (code, _, _) in enumerate(_SUITES)}

# Orders servers often enforce, for guessing an enforced order before checking it: first
# suites named here, in this order, then the rest in OpenSSL's order.
_MOZILLA_ORDER = (  # ssl-config.mozilla.org "intermediate", then what "old" adds
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
)  # fmt: skip
_SCHANNEL_ORDER = (  # Windows Server 2016-2022 defaults
    "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
)  # fmt: skip


def _ranking(first: Sequence[str]) -> dict[int, int]:
    codes = [_SUITE_CODES[name] for name in first]
    rest = [code for code, _, _ in _SUITES if code not in codes]
    return {code: rank for rank, code in enumerate([*codes, *rest])}


_KNOWN_ORDERS: tuple[Mapping[int, int], ...] = (
    _PRIOR_RANK,  # OpenSSL's (and so nginx's, Apache's... with "HIGH", "ALL", "DEFAULT")
    _ranking(_MOZILLA_ORDER),
    _ranking(_SCHANNEL_ORDER),
    {code: -rank for code, rank in _PRIOR_RANK.items()},  # OpenSSL's reversed: weakest first
)

# IANA TLS Supported Groups: EC curves (TLS 1.0-1.3), then groups only TLS 1.3 negotiates.
_EC_CURVES: tuple[tuple[int, str], ...] = (
    (1, "sect163k1"), (2, "sect163r1"), (3, "sect163r2"), (4, "sect193r1"), (5, "sect193r2"),
    (6, "sect233k1"), (7, "sect233r1"), (8, "sect239k1"), (9, "sect283k1"), (10, "sect283r1"),
    (11, "sect409k1"), (12, "sect409r1"), (13, "sect571k1"), (14, "sect571r1"),
    (15, "secp160k1"), (16, "secp160r1"), (17, "secp160r2"), (18, "secp192k1"),
    (19, "secp192r1"), (20, "secp224k1"), (21, "secp224r1"), (22, "secp256k1"),
    (23, "secp256r1"), (24, "secp384r1"), (25, "secp521r1"), (26, "brainpoolP256r1"),
    (27, "brainpoolP384r1"), (28, "brainpoolP512r1"), (29, "x25519"), (30, "x448"),
)  # fmt: skip
_TLS13_ONLY_GROUPS: tuple[tuple[int, str], ...] = (
    (31, "brainpoolP256r1tls13"), (32, "brainpoolP384r1tls13"), (33, "brainpoolP512r1tls13"),
    (34, "GC256A"), (35, "GC256B"), (36, "GC256C"), (37, "GC256D"), (38, "GC512A"),
    (39, "GC512B"), (40, "GC512C"), (41, "curveSM2"),
    (256, "ffdhe2048"), (257, "ffdhe3072"), (258, "ffdhe4096"), (259, "ffdhe6144"),
    (260, "ffdhe8192"), (0x0200, "MLKEM512"), (0x0201, "MLKEM768"), (0x0202, "MLKEM1024"),
    (0x11EB, "SecP256r1MLKEM768"), (0x11EC, "X25519MLKEM768"), (0x11ED, "SecP384r1MLKEM1024"),
    (0x6399, "X25519Kyber768Draft00"),
)  # fmt: skip
GROUP_NAMES: Mapping[int, str] = dict((*_EC_CURVES, *_TLS13_ONLY_GROUPS))
# Offered first in every hello, so a server that follows the client's choice picks these.
_PREFERRED_GROUPS = (29, 23, 24, 30, 25)
_ALL_EC_CURVES = tuple(
    sorted((code for code, _ in _EC_CURVES), key=lambda c: (c not in _PREFERRED_GROUPS, c))
)
_ALL_GROUPS = (*_ALL_EC_CURVES, *(code for code, _ in _TLS13_ONLY_GROUPS))

# Every signature scheme a server's certificate may need (TLS 1.2 and 1.3).
_SIGNATURE_SCHEMES = (
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081A, 0x081B, 0x081C, 0x0804, 0x0805, 0x0806,
    0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502,
    0x0602, 0x0203, 0x0201, 0x0202,
)  # fmt: skip
_RENEGOTIATION_SCSV = 0x00FF
_X25519 = 29
_HELLO_RETRY_RANDOM = bytes.fromhex(
    "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
)
_ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
    22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure",
    41: "no_certificate", 42: "bad_certificate", 43: "unsupported_certificate",
    47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error", 51: "decrypt_error",
    70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
    110: "unsupported_extension", 112: "unrecognized_name", 120: "no_application_protocol",
}  # fmt: skip


def cipher_suites_for(version: str) -> tuple[str, ...]:
    """The IANA names of the suites offered for `version` (one of `TLS_VERSIONS`)."""
    if version == "SSLv2":
        return tuple(name for _, name in _SSL2_SUITES)
    code = next(code for code, name in _VERSION_NAMES.items() if name == version)
    return tuple(_SUITE_NAMES[suite] for suite in _candidates(code))


def _candidates(version: int) -> tuple[int, ...]:
    flag = _VERSION_FLAGS[version]
    return tuple(code for code, _, versions in _SUITES if flag in versions)


def _is_ecdhe(suite: int) -> bool:
    return _SUITE_NAMES.get(suite, "").startswith(("TLS_ECDHE_", "TLS_ECDH_anon_"))


def _is_dhe(suite: int) -> bool:
    return _SUITE_NAMES.get(suite, "").startswith(("TLS_DHE_", "TLS_DH_anon_"))


def _offer_order(suites: Iterable[int]) -> list[int]:
    """OpenSSL's default order, ChaCha20 last: some servers that enforce their own order
    still take ChaCha20 when it is the client's first choice (OpenSSL's PrioritizeChaCha)."""
    return sorted(
        suites, key=lambda s: ("CHACHA20" in _SUITE_NAMES.get(s, ""), _PRIOR_RANK.get(s, 1 << 20))
    )


def _both_ways(suites: Iterable[int]) -> tuple[list[int], list[int]]:
    """`suites` in OpenSSL's order and reversed, ChaCha20 last both times (`_offer_order`)."""
    forward = _offer_order(suites)
    chacha = [s for s in forward if "CHACHA20" in _SUITE_NAMES.get(s, "")]
    backward = [s for s in reversed(forward) if s not in chacha] + chacha
    return forward, backward


# --- the wire: hellos out, first flights in -------------------------------------------------


def _vector(data: bytes, length_bytes: int) -> bytes:
    return len(data).to_bytes(length_bytes, "big") + data


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!H", kind) + _vector(body, 2)


def _sni(server_name: str | None) -> bytes | None:
    """The host name to send as SNI: an A-label name, never an IP address (RFC 6066)."""
    if not server_name:
        return None
    name = server_name.rstrip(".")
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    try:
        return name.encode("ascii") if name.isascii() else name.encode("idna")
    except UnicodeError:  # not a name a server could have a certificate for
        return None


def client_hello(
    version: int, suites: Sequence[int], *, server_name: str | None, groups: Sequence[int]
) -> bytes:
    """One TLS record with a ClientHello for `version` offering `suites` and `groups`.

    TLS 1.3 hellos carry ``supported_versions`` and an empty key share; older ones name
    the version in ``client_version`` and add the renegotiation SCSV. SSLv3 hellos have
    no extensions. A hello between 256 and 511 bytes long is padded to 512 (RFC 7685),
    which some old load balancers need.
    """
    legacy_version = min(version, TLS12)
    session_id = os.urandom(32) if version == TLS13 else b""
    offered = list(suites) if version == TLS13 else [*suites, _RENEGOTIATION_SCSV]
    body = (
        struct.pack("!H", legacy_version)
        + os.urandom(32)
        + _vector(session_id, 1)
        + _vector(b"".join(struct.pack("!H", suite) for suite in offered), 2)
        + _vector(b"\x00", 1)  # compression: null only
    )
    if version != SSL3:
        extensions = _hello_extensions(version, server_name, groups)
        padding = 512 - (len(body) + 4 + 2 + len(extensions))  # +4: handshake header
        if 0 < padding <= 256:
            extensions += _extension(21, bytes(max(0, padding - 4)))
        body += _vector(extensions, 2)
    handshake = b"\x01" + _vector(body, 3)
    record_version = SSL3 if version == SSL3 else TLS10
    return struct.pack("!BH", 22, record_version) + _vector(handshake, 2)


def _hello_extensions(version: int, server_name: str | None, groups: Sequence[int]) -> bytes:
    extensions = b""
    host = _sni(server_name)
    if host is not None:
        extensions += _extension(0, _vector(b"\x00" + _vector(host, 2), 2))
    extensions += _extension(10, _vector(b"".join(struct.pack("!H", g) for g in groups), 2))
    extensions += _extension(11, _vector(b"\x00", 1))  # EC point formats: uncompressed
    if version >= TLS12:
        schemes = b"".join(struct.pack("!H", s) for s in _SIGNATURE_SCHEMES)
        extensions += _extension(13, _vector(schemes, 2))
    if version == TLS13:
        extensions += _extension(43, _vector(struct.pack("!H", TLS13), 1))
        extensions += _extension(51, _vector(_key_shares(groups), 2))
    return extensions


def _key_shares(groups: Sequence[int]) -> bytes:
    """An x25519 share when x25519 is offered, else none (the server asks for one).

    Any 32 bytes are a valid x25519 public key, so random bytes do: the probe never
    finishes the handshake, so no private key is needed. A server that takes x25519 answers
    with a ServerHello, one that prefers another group (or lacks x25519) with a
    HelloRetryRequest naming it; some servers mishandle a hello with no share at all.
    """
    if _X25519 not in groups:
        return b""
    return struct.pack("!H", _X25519) + _vector(os.urandom(32), 2)


def sslv2_client_hello(specs: Sequence[int]) -> bytes:
    """An SSLv2 CLIENT-HELLO offering `specs` (three-byte cipher specs)."""
    challenge = os.urandom(16)
    cipher_specs = b"".join(spec.to_bytes(3, "big") for spec in specs)
    body = (
        b"\x01"
        + struct.pack("!HHHH", SSL2, len(cipher_specs), 0, len(challenge))
        + cipher_specs
        + challenge
    )
    return struct.pack("!H", 0x8000 | len(body)) + body


class _NotTlsError(Exception):
    """The peer sent bytes that are not the TLS (or SSLv2) answer a hello calls for."""


@dataclass(frozen=True, slots=True)
class ServerHello:
    """What a server's first flight says (the fields a probe needs)."""

    version: int  # negotiated: supported_versions for TLS 1.3, else server_version
    suite: int
    retry: bool = False  # a HelloRetryRequest (TLS 1.3)
    group: int | None = None  # key share group (TLS 1.3), named curve (ECDHE ≤ 1.2)
    dh_bits: int | None = None  # DHE ≤ 1.2: size of the prime


def parse_server_hello(message: bytes) -> ServerHello:
    """Parse a ServerHello handshake body (without its 4-byte header)."""
    try:
        (version,) = struct.unpack_from("!H", message, 0)
        random = message[2:34]
        session_length = message[34]
        offset = 35 + session_length
        (suite,) = struct.unpack_from("!H", message, offset)
        offset += 3  # suite, compression method
        group = None
        if offset < len(message):
            (extensions_length,) = struct.unpack_from("!H", message, offset)
            offset += 2
            end = offset + extensions_length
            while offset + 4 <= end:
                kind, length = struct.unpack_from("!HH", message, offset)
                data = message[offset + 4 : offset + 4 + length]
                offset += 4 + length
                if kind == 43 and length == 2:  # supported_versions
                    (version,) = struct.unpack("!H", data)
                elif kind == 51 and length >= 2:  # key_share: the group comes first
                    (group,) = struct.unpack_from("!H", data, 0)
    except (struct.error, IndexError) as error:
        raise _NotTlsError(f"malformed ServerHello ({error})") from None
    if len(random) != 32:
        raise _NotTlsError("malformed ServerHello (short)")
    return ServerHello(version, suite, retry=random == _HELLO_RETRY_RANDOM, group=group)


def parse_server_key_exchange(message: bytes, hello: ServerHello) -> ServerHello:
    """Add the named curve (ECDHE) or the DH prime's size (DHE) to `hello`."""
    try:
        if _is_ecdhe(hello.suite) and message[0] == 3:  # curve_type named_curve
            (curve,) = struct.unpack_from("!H", message, 1)
            return ServerHello(hello.version, hello.suite, group=curve)
        if _is_dhe(hello.suite):
            (prime_length,) = struct.unpack_from("!H", message, 0)
            prime = message[2 : 2 + prime_length]
            bits = int.from_bytes(prime, "big").bit_length()
            return ServerHello(hello.version, hello.suite, dh_bits=bits)
    except (struct.error, IndexError):
        pass
    return hello


_MAX_RECORD = (1 << 14) + 2048
_MAX_FLIGHT = 256 * 1024  # certificate chains can be long; more than this is not a flight


async def read_server_hello(
    reader: asyncio.StreamReader, *, key_exchange: bool
) -> ServerHello | str:
    """Read the server's answer to a ClientHello: its ServerHello, or why there is none.

    With `key_exchange`, an (EC)DHE ServerHello is followed to its ServerKeyExchange (same
    flight, no extra round trip). Returns a refusal reason (``"alert handshake_failure"``,
    ``"closed"``) when the server declines; raises `_NotTlsError` for bytes that are not
    TLS, and `ConnectionResetError` / `asyncio.IncompleteReadError` as the socket does.
    """
    buffer = b""
    hello: ServerHello | None = None
    received = 0
    while True:
        try:
            header = await reader.readexactly(5)
        except asyncio.IncompleteReadError as eof:
            if hello is not None:
                return hello
            if eof.partial:
                raise _NotTlsError(f"a short answer: {eof.partial!r}") from None
            return "closed"
        content_type, major, length = header[0], header[1], struct.unpack("!H", header[3:])[0]
        if content_type not in (20, 21, 22, 23) or major != 3 or length > _MAX_RECORD:
            raise _NotTlsError(f"an answer that is not TLS: {header!r}")
        fragment = await reader.readexactly(length)
        received += length
        if content_type == 21 and hello is None:
            description = (fragment + b"\x00\x00")[1]  # after the alert's level
            return f"alert {_ALERTS.get(description, str(description))}"
        if content_type != 22:
            if hello is not None:
                return hello
            raise _NotTlsError(f"record type {content_type} before the ServerHello")
        buffer += fragment
        while len(buffer) >= 4:
            kind, size = buffer[0], int.from_bytes(buffer[1:4], "big")
            if len(buffer) < 4 + size:
                break
            message, buffer = buffer[4 : 4 + size], buffer[4 + size :]
            if hello is None:
                if kind != 2:
                    raise _NotTlsError(f"handshake message {kind} instead of a ServerHello")
                hello = parse_server_hello(message)
                done = hello.version >= TLS13 or hello.retry or not key_exchange
                if done or not (_is_ecdhe(hello.suite) or _is_dhe(hello.suite)):
                    return hello
            elif kind == 12:  # ServerKeyExchange
                return parse_server_key_exchange(message, hello)
            elif kind == 14:  # ServerHelloDone: no key exchange message came
                return hello
        if received > _MAX_FLIGHT:
            if hello is not None:
                return hello
            raise _NotTlsError("a first flight larger than any TLS server sends")


async def read_sslv2_server_hello(reader: asyncio.StreamReader) -> tuple[int, ...] | str:
    """The cipher specs of an SSLv2 SERVER-HELLO, or why there is none."""
    try:
        first = await reader.readexactly(2)
    except asyncio.IncompleteReadError as eof:
        if eof.partial:
            raise _NotTlsError(f"a short answer: {eof.partial!r}") from None
        return "closed"
    if first[0] in (21, 22) and first[1] == 3:  # a TLS alert or hello: no SSLv2 here
        return "answered in TLS"
    if not first[0] & 0x80:
        raise _NotTlsError(f"an answer that is neither SSLv2 nor TLS: {first!r}")
    length = ((first[0] & 0x7F) << 8) | first[1]
    body = await reader.readexactly(length)
    if not body or body[0] != 4:  # 4: SERVER-HELLO; 0: ERROR
        return "refused"
    try:
        _, _, _, certificate_length, specs_length, _ = struct.unpack_from("!BBHHHH", body, 1)
    except struct.error:
        raise _NotTlsError("malformed SSLv2 SERVER-HELLO") from None
    start = 11 + certificate_length
    specs = body[start : start + specs_length]
    return tuple(int.from_bytes(specs[i : i + 3], "big") for i in range(0, len(specs) - 2, 3))


# --- connections: TCP, STARTTLS, limits, counting ------------------------------------------

_LINE_LIMIT = 4096  # a STARTTLS dialogue line longer than this is not a mail server's
_MAX_REPLY_LINES = 64


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why a probe got no answer at all: one of `ERROR_KINDS` and a sentence."""

    kind: str
    message: str


class _FailedError(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True, slots=True)
class _Answer:
    """One probe's outcome: a ServerHello, a refusal (alert, close), or a failure."""

    hello: ServerHello | None = None
    refusal: str | None = None
    failure: _Failure | None = None
    ssl2_specs: tuple[int, ...] = ()


def _where(endpoint: TlsEndpoint) -> str:
    address = endpoint.address
    return f"[{address}]:{endpoint.port}" if ":" in address else f"{address}:{endpoint.port}"


class _Connection:
    """One open connection (TCP, and STARTTLS done): it holds a slot of the endpoint's limit."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        limit: asyncio.Semaphore,
    ) -> None:
        self.reader, self.writer, self._limit = reader, writer, limit
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.writer.transport.abort()  # no FIN handshake to wait for, no TIME_WAIT
            self._limit.release()


@dataclass
class _Connections:
    """Opens the probes' connections to one endpoint: counted, limited, bounded in time."""

    endpoint: TlsEndpoint
    timeout: float
    limit: asyncio.Semaphore
    count: int = 0

    async def open(self) -> _Connection:
        """Connect (and STARTTLS) within the timeout; `_FailedError` says why not."""
        await self.limit.acquire()
        self.count += 1
        writer: asyncio.StreamWriter | None = None
        phase = "connect"
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await self._connect()
                phase = "starttls"
                await _starttls(self.endpoint.starttls, reader, writer)
            return _Connection(reader, writer, self.limit)
        except BaseException as error:
            if writer is not None:
                writer.transport.abort()
            self.limit.release()
            if isinstance(error, Exception):
                raise _FailedError(self._failure(error, phase)) from None
            raise

    def prefetch(self) -> asyncio.Task[_Connection]:
        """Start opening the next connection of a chain while its current hello is out."""
        return asyncio.ensure_future(self.open())

    async def exchange(
        self,
        hello: bytes,
        read: Callable[[asyncio.StreamReader], Awaitable[_Answer]],
        *,
        connection: Awaitable[_Connection] | None = None,
    ) -> _Answer:
        """Send `hello` on `connection` (or a new one), read the answer with `read`, close.

        Never raises for network trouble: that comes back as `_Answer.failure`.
        """
        try:
            opened = await (connection if connection is not None else self.open())
        except _FailedError as error:
            return _Answer(failure=error.failure)
        try:
            async with asyncio.timeout(self.timeout):
                opened.writer.write(hello)
                await opened.writer.drain()
                return await read(opened.reader)
        except Exception as error:  # classified; a bug still surfaces in _failure
            return _Answer(failure=self._failure(error, "hello"))
        finally:
            opened.close()

    def _failure(self, error: Exception, phase: str) -> _Failure:
        where = _where(self.endpoint)
        if isinstance(error, TimeoutError):
            waited = {"connect": "no connection", "starttls": "no STARTTLS"}.get(
                phase, "no answer to the TLS hello"
            )
            return _Failure("timeout", f"{waited} from {where} within {self.timeout:g} s")
        if isinstance(error, _NotTlsError):
            return _Failure("not_tls", f"{where} answered with {error}")
        if isinstance(error, ConnectionRefusedError):
            return _Failure("refused", f"{where} refused the connection")
        if isinstance(error, ConnectionResetError | BrokenPipeError):
            return _Failure("reset", f"{where} reset the connection")
        if isinstance(error, asyncio.IncompleteReadError):
            return _Failure("reset", f"{where} closed the connection in the middle of a message")
        if isinstance(error, OSError):
            reason = error.strerror or str(error) or type(error).__name__
            if error.errno in UNREACHABLE_ERRNOS:
                return _Failure("unreachable", f"{where} is unreachable: {reason}")
            return _Failure("other", f"connection to {where} failed: {reason}")
        raise error

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        address = self.endpoint.address
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (address, self.endpoint.port))
            return await asyncio.open_connection(sock=sock, limit=_LINE_LIMIT)
        except BaseException:
            sock.close()
            raise


_Pending = Awaitable[_Connection] | None  # a prefetched connection, or None: open one


async def _discard(spare: asyncio.Task[_Connection] | None) -> None:
    """Close a prefetched connection a chain did not need (or stop it opening)."""
    if spare is None:
        return
    spare.cancel()
    with contextlib.suppress(asyncio.CancelledError, _FailedError):
        (await spare).close()


async def _starttls(
    protocol: StartTls, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """The plain-text dialogue that switches a mail connection to TLS (raises `_NotTlsError`)."""
    if protocol == StartTls.SMTP:
        await _expect(reader, "SMTP greeting", _smtp_reply(reader), b"220")
        writer.write(b"EHLO netready.invalid\r\n")
        features = await _expect(reader, "SMTP EHLO", _smtp_reply(reader), b"250")
        if b"STARTTLS" not in features.upper():
            raise _NotTlsError("an SMTP server that does not offer STARTTLS")
        writer.write(b"STARTTLS\r\n")
        await _expect(reader, "SMTP STARTTLS", _smtp_reply(reader), b"220")
    elif protocol == StartTls.IMAP:
        await _expect(reader, "IMAP greeting", _line(reader), b"* OK")
        writer.write(b"a STARTTLS\r\n")
        await _expect(reader, "IMAP STARTTLS", _tagged_reply(reader, b"a "), b"a OK")
    elif protocol == StartTls.POP3:
        await _expect(reader, "POP3 greeting", _line(reader), b"+OK")
        writer.write(b"STLS\r\n")
        await _expect(reader, "POP3 STLS", _line(reader), b"+OK")


async def _expect(
    reader: asyncio.StreamReader, what: str, reply: Awaitable[bytes], start: bytes
) -> bytes:
    del reader
    text = await reply
    if not text.upper().startswith(start.upper()):
        raise _NotTlsError(f"an unexpected {what} reply {text[:80]!r}")
    return text


async def _line(reader: asyncio.StreamReader) -> bytes:
    try:
        line = await reader.readline()
    except (ValueError, asyncio.LimitOverrunError):
        raise _NotTlsError("a line longer than any mail server sends") from None
    if not line.endswith(b"\n"):
        raise asyncio.IncompleteReadError(line, None)
    return line.rstrip(b"\r\n")


async def _smtp_reply(reader: asyncio.StreamReader) -> bytes:
    """A whole (multi-line) SMTP reply: ``250-...`` lines up to the ``250 ...`` one."""
    lines = []
    for _ in range(_MAX_REPLY_LINES):
        line = await _line(reader)
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return b"\n".join(lines)
    raise _NotTlsError("an SMTP reply without an end")


async def _tagged_reply(reader: asyncio.StreamReader, tag: bytes) -> bytes:
    """The IMAP reply tagged `tag`, after any untagged lines."""
    for _ in range(_MAX_REPLY_LINES):
        line = await _line(reader)
        if line.startswith(tag):
            return line
    raise _NotTlsError("an IMAP server that never answered the command")


# --- the enumeration -------------------------------------------------------------------------

_SUITE_CHUNK = 6  # suites per elimination chunk: k accepted in a chunk cost k + 1 connections
_GROUP_CHUNK = 4
_PREFETCH_AFTER = 1  # successes in a chain before the next connection is opened early
_ORDER_PROBES_PER_SUITE = 3  # parallel order checks allowed per accepted suite, then one at a time


async def enumerate_tls(
    endpoint: TlsEndpoint, *, timeout: float, max_parallel: int | None = None
) -> TlsEnumeration:
    """Find the versions, suites, order and groups `endpoint` accepts (see the module doc).

    `timeout` bounds each connection (connect, STARTTLS, hello and answer); `max_parallel`
    the connections open to the endpoint at once (default: `DEFAULT_MAX_PARALLEL`, or
    `DEFAULT_MAX_PARALLEL_STARTTLS` with STARTTLS). Never raises for network trouble.
    """
    if max_parallel is None:
        starttls = endpoint.starttls != StartTls.NONE
        max_parallel = DEFAULT_MAX_PARALLEL_STARTTLS if starttls else DEFAULT_MAX_PARALLEL
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if max_parallel < 1:
        raise ValueError(f"max_parallel must be at least 1, not {max_parallel!r}")
    return await _Enumeration(endpoint, timeout, max_parallel).run()


@dataclass
class _Relations:
    """What the server's choices showed: `beaten[a]` = suites offered with `a` when it chose `a`.

    When the server enforces its order, `a` is preferred to each of them.
    """

    beaten: dict[int, set[int]] = field(default_factory=dict)

    def record(self, chosen: int, offered: Iterable[int]) -> None:
        self.beaten.setdefault(chosen, set()).update(s for s in offered if s != chosen)

    def closure(self, members: Sequence[int]) -> dict[int, set[int]]:
        """For each member, every member it is (transitively) preferred to."""
        inside = set(members)
        direct = {m: self.beaten.get(m, set()) & inside for m in members}
        reach: dict[int, set[int]] = {}
        for start in members:
            seen: set[int] = set()
            stack = list(direct[start])
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(direct[node] - seen)
            reach[start] = seen - {start}
        return reach

    def best_order(self, members: Sequence[int]) -> list[int]:
        """An order that honours every recorded preference; ties broken by the known order
        (`_KNOWN_ORDERS`) that agrees best with the preferences seen."""
        rank = self._likeliest_order(members)
        remaining = sorted(members, key=lambda s: rank.get(s, 1 << 20))
        inside = set(members)
        order = []
        while remaining:
            beaten_by_others = set().union(*(self.beaten.get(m, set()) & inside for m in remaining))
            sources = [m for m in remaining if m not in beaten_by_others] or remaining
            order.append(sources[0])  # an inconsistent server (a cycle): the known order
            remaining.remove(sources[0])
            inside.discard(sources[0])
        return order

    def _likeliest_order(self, members: Sequence[int]) -> Mapping[int, int]:
        inside = set(members)
        seen = [(a, b) for a in inside for b in self.beaten.get(a, set()) & inside]

        def agreement(rank: Mapping[int, int]) -> int:
            return sum(rank.get(a, 1 << 20) < rank.get(b, 1 << 20) for a, b in seen)

        return max(_KNOWN_ORDERS, key=agreement)  # the first (OpenSSL's) on a tie


def _leading_confirmed(order: Sequence[int], reach: Mapping[int, set[int]]) -> int:
    """How many suites at the head of `order` are known to beat every suite after them."""
    for position, suite in enumerate(order):
        if not reach[suite] >= set(order[position + 1 :]):
            return position
    return len(order)


def _order_checks(
    rest: Sequence[int], reach: Mapping[int, set[int]], window: int
) -> list[list[int]]:
    """The hellos that check a guessed order `rest`: at most `window` offers.

    When few pairs are unordered, one per pair; else the head (all of `rest`: its answer is
    the next suite for certain), then each neighbour pair of unknown order, offering the
    suites from it on (a right guess is then settled whole).
    """
    unordered = [
        [a, b]
        for i, a in enumerate(rest)
        for b in rest[i + 1 :]
        if b not in reach[a] and a not in reach[b]
    ]
    if len(unordered) <= window:
        return unordered
    gaps = [0, *(j for j in range(1, len(rest) - 1) if rest[j + 1] not in reach[rest[j]])]
    return [list(rest[j:]) for j in gaps[:window]]


def _chunks(items: Sequence[int], size: int, *, interleaved: bool = True) -> list[list[int]]:
    """Chunks of about `size` items. Interleaved: neighbours in OpenSSL's order, which a
    server often accepts all together, land in different chunks, eliminated in parallel."""
    count = max(1, -(-len(items) // size))
    if interleaved:
        return [list(items[start::count]) for start in range(count) if items[start::count]]
    step = -(-len(items) // count)
    return [list(items[start : start + step]) for start in range(0, len(items), step)]


class _Enumeration:
    """One endpoint's enumeration: the probes, what they found, the connections made."""

    def __init__(self, endpoint: TlsEndpoint, timeout: float, max_parallel: int) -> None:
        self.endpoint = endpoint
        self.max_parallel = max_parallel
        self.connections = _Connections(endpoint, timeout, asyncio.Semaphore(max_parallel))
        self.first_answers: list[_Answer] = []
        self.dh_bits: int | None = None

    # -- probes

    async def probe(
        self,
        version: int,
        suites: Sequence[int],
        *,
        groups: Sequence[int] = _ALL_GROUPS,
        key_exchange: bool = True,
        connection: Awaitable[_Connection] | None = None,
    ) -> _Answer:
        hello = client_hello(version, suites, server_name=self.endpoint.server_name, groups=groups)

        async def read(reader: asyncio.StreamReader) -> _Answer:
            answer = await read_server_hello(reader, key_exchange=key_exchange)
            return _Answer(refusal=answer) if isinstance(answer, str) else _Answer(hello=answer)

        return await self.connections.exchange(hello, read, connection=connection)

    async def probe_sslv2(self) -> _Answer:
        async def read(reader: asyncio.StreamReader) -> _Answer:
            answer = await read_sslv2_server_hello(reader)
            if isinstance(answer, str):
                return _Answer(refusal=answer)
            return _Answer(ssl2_specs=answer) if answer else _Answer(refusal="no cipher spec")

        return await self.connections.exchange(
            sslv2_client_hello([spec for spec, _ in _SSL2_SUITES]), read
        )

    def chosen(self, answer: _Answer, version: int, offered: Sequence[int]) -> int | None:
        """The suite the server chose, if it took `version` and one of the suites offered."""
        hello = answer.hello
        if hello is None or hello.version != version or hello.suite not in offered:
            return None
        if hello.dh_bits is not None and self.dh_bits is None:
            self.dh_bits = hello.dh_bits
        return hello.suite

    # -- the plan

    async def run(self) -> TlsEnumeration:
        first_rounds = {v: asyncio.ensure_future(self.first_round(v)) for v in _VERSION_FLAGS}
        try:
            ssl2, found, groups = await asyncio.gather(
                self.ssl2(),
                asyncio.gather(*(self.version(v, first_rounds[v]) for v in _VERSION_FLAGS)),
                self.groups(first_rounds),
            )
        finally:
            for task in first_rounds.values():
                task.cancel()
        versions: dict[str, tuple[str, ...]] = {}
        enforced: dict[str, bool | None] = {}
        if ssl2:
            versions["SSLv2"], enforced["SSLv2"] = tuple(_SSL2_NAMES[s] for s in ssl2), None
        for version, (suites, order) in zip(_VERSION_FLAGS, found, strict=True):
            if suites:
                name = _VERSION_NAMES[version]
                versions[name] = tuple(_SUITE_NAMES[s] for s in suites)
                enforced[name] = order
        error, kind = (None, None) if versions else self.why_no_handshake()
        return TlsEnumeration(
            endpoint=self.endpoint,
            error=error,
            error_kind=kind,
            versions={name: versions[name] for name in TLS_VERSIONS if name in versions},
            server_enforces_order={n: enforced[n] for n in TLS_VERSIONS if n in enforced},
            groups=tuple(GROUP_NAMES[g] for g in groups) if versions else (),
            dh_bits=self.dh_bits if versions else None,
            connections=self.connections.count,
        )

    async def ssl2(self) -> list[int]:
        answer = await self.probe_sslv2()
        self.first_answers.append(answer)
        return [spec for spec in answer.ssl2_specs if spec in _SSL2_NAMES]

    async def first_round(self, version: int) -> tuple[_Answer, _Answer]:
        """Every suite of `version` offered twice, in opposite orders."""
        forward, backward = _both_ways(_candidates(version))
        answers = await asyncio.gather(self.probe(version, forward), self.probe(version, backward))
        self.first_answers.extend(answers)
        return answers[0], answers[1]

    async def version(
        self, version: int, first_round: Awaitable[tuple[_Answer, _Answer]]
    ) -> tuple[list[int], bool | None]:
        """The suites `version` accepts, in the server's order if it enforces one; and whether."""
        candidates = _offer_order(_candidates(version))
        forward, backward = await first_round
        first = [self.chosen(answer, version, candidates) for answer in (forward, backward)]
        known = list(dict.fromkeys(s for s in first if s is not None))
        if not known:
            return [], None
        relations = _Relations()
        for suite in known:
            relations.record(suite, candidates)
        rest = [s for s in candidates if s not in known]
        # a server that seems to enforce its order: runs of OpenSSL's order, which most
        # servers keep, come back ordered from one chain, leaving few pairs to check
        ordered_runs = len(known) == 1 and None not in first
        chunks = await asyncio.gather(
            *(
                self.eliminate(version, chunk, relations)
                for chunk in _chunks(rest, _SUITE_CHUNK, interleaved=not ordered_runs)
            )
        )
        accepted = known + [suite for chunk in chunks for suite in chunk]
        if len(accepted) == 1:
            return accepted, None
        if None in first:  # one first-round probe failed: ask again, on the accepted suites
            first = await self.choices_both_ways(version, accepted)
        if first[0] != first[1]:
            return _offer_order(accepted), False
        return await self.server_order(version, accepted, relations), True

    async def eliminate(
        self, version: int, offer: Sequence[int], relations: _Relations
    ) -> list[int]:
        """The suites of `offer` the server accepts: offer, remove its choice, repeat."""

        async def choose(remaining: list[int], connection: _Pending) -> int | None:
            answer = await self.probe(version, remaining, connection=connection)
            chosen = self.chosen(answer, version, remaining)
            if chosen is not None:
                relations.record(chosen, remaining)
            return chosen

        return await _eliminate(offer, choose, self.connections)

    async def choices_both_ways(self, version: int, suites: Sequence[int]) -> list[int | None]:
        answers = await asyncio.gather(
            *(self.probe(version, offer, key_exchange=False) for offer in _both_ways(suites))
        )
        return [self.chosen(answer, version, suites) for answer in answers]

    async def server_order(
        self, version: int, accepted: Sequence[int], relations: _Relations
    ) -> list[int]:
        """The server's order of `accepted`: known from the top down, guessed ahead.

        Each round guesses the order of the suites not yet placed (honouring every
        preference seen, OpenSSL's order breaking ties) and checks the guess with one hello
        per position, all at once: the suites from that position on. The first check offers
        all unplaced suites, so its answer is the next suite for certain; every later check
        whose answer matches the guess places one more. When few pairs are left unordered,
        a two-suite hello per pair settles them all in one round. At least one suite is
        placed per round; a right guess (a server keeping OpenSSL's order) places all in
        one. The window of checks shrinks when guesses miss, so a server with an unusual
        order costs about one hello per suite.
        """
        placed: list[int] = []
        rest = list(accepted)
        window = self.max_parallel
        spare: asyncio.Task[_Connection] | None = None
        try:
            for _ in range(2 * len(accepted)):
                guess = relations.best_order(rest)
                reach = relations.closure(guess)
                lead = _leading_confirmed(guess, reach)
                placed += guess[:lead]
                rest = guess[lead:]
                if len(rest) <= 1:
                    break
                offers = _order_checks(rest, reach, window)
                # guesses missing: the next round will come, so open its first connection now
                first, spare = (
                    spare,
                    (self.connections.prefetch() if window < self.max_parallel else None),
                )
                answers = await asyncio.gather(
                    *(
                        self.probe(
                            version,
                            _offer_order(offer),
                            key_exchange=False,
                            connection=first if number == 0 else None,
                        )
                        for number, offer in enumerate(offers)
                    )
                )
                for offer, answer in zip(offers, answers, strict=True):
                    chosen = self.chosen(answer, version, offer)
                    if chosen is not None:
                        relations.record(chosen, offer)
                guess = relations.best_order(rest)
                hits = _leading_confirmed(guess, relations.closure(guess))
                window = max(1, min(self.max_parallel, 2 * hits))
        finally:
            await _discard(spare)
        return placed + relations.best_order(rest)

    async def groups(
        self, first_rounds: Mapping[int, Awaitable[tuple[_Answer, _Answer]]]
    ) -> list[int]:
        """TLS 1.3 groups if TLS 1.3 is accepted, else the highest version's ECDHE curves."""
        for version in (TLS13, TLS12, TLS11, TLS10, SSL3):
            forward, backward = await first_rounds[version]
            candidates = _candidates(version)
            if not any(self.chosen(a, version, candidates) for a in (forward, backward)):
                continue
            if version == TLS13:
                return await self.tls13_groups(forward, candidates)
            return await self.ec_curves(version)
        return []

    async def tls13_groups(self, first: _Answer, suites: Sequence[int]) -> list[int]:
        group = first.hello.group if first.hello is not None else None
        known = [group] if group is not None and group in GROUP_NAMES else []
        rest = [g for g in _ALL_GROUPS if g not in known]

        async def chosen(offer: Sequence[int], connection: _Pending = None) -> int | None:
            answer = await self.probe(TLS13, suites, groups=offer, connection=connection)
            hello = answer.hello
            return hello.group if hello is not None and hello.version == TLS13 else None

        found = await asyncio.gather(
            *(_eliminate(chunk, chosen, self.connections) for chunk in _chunks(rest, _GROUP_CHUNK))
        )
        return known + [group for chunk in found for group in chunk]

    async def ec_curves(self, version: int) -> list[int]:
        ecdhe = [s for s in _offer_order(_candidates(version)) if _is_ecdhe(s)]

        async def chosen(offer: Sequence[int], connection: _Pending = None) -> int | None:
            answer = await self.probe(version, ecdhe, groups=offer, connection=connection)
            return (
                answer.hello.group if self.chosen(answer, version, ecdhe) and answer.hello else None
            )

        first = await chosen(_ALL_EC_CURVES)
        if first is None:  # no ECDHE suite accepted
            return []
        rest = [c for c in _ALL_EC_CURVES if c != first]
        found = await asyncio.gather(
            *(_eliminate(chunk, chosen, self.connections) for chunk in _chunks(rest, _GROUP_CHUNK))
        )
        return [first] + [curve for chunk in found for curve in chunk]

    def why_no_handshake(self) -> tuple[str, str]:
        """The error of an endpoint where no probe got a ServerHello: the most telling one."""
        where = _where(self.endpoint)
        answers = self.first_answers
        alerts = Counter(a.refusal for a in answers if a.refusal and a.refusal.startswith("alert"))
        if alerts or any(a.hello for a in answers):
            reason = f" ({alerts.most_common(1)[0][0]})" if alerts else ""
            return (f"{where} accepted none of the TLS versions and cipher suites offered{reason}",
                    "other")  # fmt: skip
        failures = [a.failure for a in answers if a.failure is not None]
        if failures:
            kind, _ = Counter(f.kind for f in failures).most_common(1)[0]
            return next(f.message for f in failures if f.kind == kind), kind
        return f"{where} closed the connection without answering the TLS hello", "reset"


async def _eliminate(
    offer: Sequence[int],
    choose: Callable[[list[int], _Pending], Awaitable[int | None]],
    connections: _Connections,
) -> list[int]:
    """Offer, remove the server's choice, repeat until it refuses: k accepted, k + 1 hellos.

    Once a chain has found something it will likely go on, so from then on the next
    connection is opened while the current hello is out: one round trip saved per step,
    for one connection left unused at the end.
    """
    remaining, found = list(offer), list[int]()
    spare: asyncio.Task[_Connection] | None = None
    try:
        while remaining:
            prefetch = len(found) >= _PREFETCH_AFTER
            current, spare = spare, (connections.prefetch() if prefetch else None)
            chosen = await choose(remaining, current)
            if chosen is None or chosen not in remaining:
                break
            found.append(chosen)
            remaining.remove(chosen)
    finally:
        await _discard(spare)
    return found
