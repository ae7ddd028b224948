"""TLS on the wire, without a network: the version, suite and group tables, ClientHellos out,
ServerHellos (and SSLv2 SERVER-HELLOs) in.

`netready.net.tls` decides what to send, where and when; here are the tables, the messages
built from them and the reading of a server's first flight from a stream, unit-tested on
their own.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# --- the data: versions, suites, groups ------------------------------------------------------

SSL2, SSL3, TLS10, TLS11, TLS12, TLS13 = 0x0002, 0x0300, 0x0301, 0x0302, 0x0303, 0x0304
VERSION_NAMES = {SSL2: "SSLv2", SSL3: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1",
                  TLS12: "TLSv1.2", TLS13: "TLSv1.3"}  # fmt: skip
VERSION_FLAGS = {SSL3: "s", TLS10: "0", TLS11: "1", TLS12: "2", TLS13: "3"}

# Every suite sslyze 6 tests: (code, IANA name, versions: s=SSLv3 0/1/2/3=TLS 1.0-1.3).
# Generated once from the ClientHellos of sslyze's nassl clients (OpenSSL 1.0.2 and 1.1.1),
# and listed in OpenSSL 3's default order ("ALL:COMPLEMENTOFALL") with 1.0.2's extras after:
# the order offered to servers and the first guess at an order a server enforces.
SUITES: tuple[tuple[int, str, str], ...] = (
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
SSL2_SUITES: tuple[tuple[int, str], ...] = (
    (0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5"),
    (0x060040, "SSL_CK_DES_64_CBC_WITH_MD5"),
    (0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5"),
    (0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5"),
    (0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5"),
    (0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5"),
    (0x010080, "SSL_CK_RC4_128_WITH_MD5"),
)
SUITE_NAMES = {code: name for code, name, _ in SUITES}
_SUITE_CODES = {name: code for code, name, _ in SUITES}
SSL2_NAMES = dict(SSL2_SUITES)
_PRIOR_RANK = {code: rank for rank, (code, _, _) in enumerate(SUITES)}
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
    rest = [code for code, _, _ in SUITES if code not in codes]
    return {code: rank for rank, code in enumerate([*codes, *rest])}


KNOWN_ORDERS: tuple[Mapping[int, int], ...] = (
    _PRIOR_RANK,  # OpenSSL's (and so nginx's, Apache's... with "HIGH", "ALL", "DEFAULT")
    _ranking(_MOZILLA_ORDER),
    _ranking(_SCHANNEL_ORDER),
    {code: -rank for code, rank in _PRIOR_RANK.items()},  # OpenSSL's reversed: weakest first
)
# IANA TLS Supported Groups: EC curves (TLS 1.0-1.3), then groups only TLS 1.3 negotiates.
EC_CURVES: tuple[tuple[int, str], ...] = (
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
GROUP_NAMES: Mapping[int, str] = dict((*EC_CURVES, *_TLS13_ONLY_GROUPS))
# Offered first in every hello, so a server that follows the client's choice picks these.
_PREFERRED_GROUPS = (29, 23, 24, 30, 25)
ALL_EC_CURVES = tuple(
    sorted((code for code, _ in EC_CURVES), key=lambda c: (c not in _PREFERRED_GROUPS, c))
)
ALL_GROUPS = (*ALL_EC_CURVES, *(code for code, _ in _TLS13_ONLY_GROUPS))
# Every signature scheme a server's certificate may need (TLS 1.2 and 1.3).
_SIGNATURE_SCHEMES = (
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081A, 0x081B, 0x081C, 0x0804, 0x0805, 0x0806,
    0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502,
    0x0602, 0x0203, 0x0201, 0x0202,
)  # fmt: skip
_RENEGOTIATION_SCSV = 0x00FF
_X25519 = 29
HELLO_RETRY_RANDOM = bytes.fromhex(
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
        return tuple(name for _, name in SSL2_SUITES)
    code = next(code for code, name in VERSION_NAMES.items() if name == version)
    return tuple(SUITE_NAMES[suite] for suite in suite_candidates(code))


def suite_candidates(version: int) -> tuple[int, ...]:
    flag = VERSION_FLAGS[version]
    return tuple(code for code, _, versions in SUITES if flag in versions)


def is_ecdhe(suite: int) -> bool:
    return SUITE_NAMES.get(suite, "").startswith(("TLS_ECDHE_", "TLS_ECDH_anon_"))


def is_dhe(suite: int) -> bool:
    return SUITE_NAMES.get(suite, "").startswith(("TLS_DHE_", "TLS_DH_anon_"))


def offer_order(suites: Iterable[int]) -> list[int]:
    """OpenSSL's default order, ChaCha20 last: some servers that enforce their own order
    still take ChaCha20 when it is the client's first choice (OpenSSL's PrioritizeChaCha)."""
    return sorted(
        suites, key=lambda s: ("CHACHA20" in SUITE_NAMES.get(s, ""), _PRIOR_RANK.get(s, 1 << 20))
    )


def both_ways(suites: Iterable[int]) -> tuple[list[int], list[int]]:
    """`suites` in OpenSSL's order and reversed, ChaCha20 last both times (`offer_order`)."""
    forward = offer_order(suites)
    chacha = [s for s in forward if "CHACHA20" in SUITE_NAMES.get(s, "")]
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


class NotTlsError(Exception):
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
        raise NotTlsError(f"malformed ServerHello ({error})") from None
    if len(random) != 32:
        raise NotTlsError("malformed ServerHello (short)")
    return ServerHello(version, suite, retry=random == HELLO_RETRY_RANDOM, group=group)


def parse_server_key_exchange(message: bytes, hello: ServerHello) -> ServerHello:
    """Add the named curve (ECDHE) or the DH prime's size (DHE) to `hello`."""
    try:
        if is_ecdhe(hello.suite) and message[0] == 3:  # curve_type named_curve
            (curve,) = struct.unpack_from("!H", message, 1)
            return ServerHello(hello.version, hello.suite, group=curve)
        if is_dhe(hello.suite):
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
    ``"closed"``) when the server declines; raises `NotTlsError` for bytes that are not
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
                raise NotTlsError(f"a short answer: {eof.partial!r}") from None
            return "closed"
        content_type, major, length = header[0], header[1], struct.unpack("!H", header[3:])[0]
        if content_type not in (20, 21, 22, 23) or major != 3 or length > _MAX_RECORD:
            raise NotTlsError(f"an answer that is not TLS: {header!r}")
        fragment = await reader.readexactly(length)
        received += length
        if content_type == 21 and hello is None:
            description = (fragment + b"\x00\x00")[1]  # after the alert's level
            return f"alert {_ALERTS.get(description, str(description))}"
        if content_type != 22:
            if hello is not None:
                return hello
            raise NotTlsError(f"record type {content_type} before the ServerHello")
        buffer += fragment
        while len(buffer) >= 4:
            kind, size = buffer[0], int.from_bytes(buffer[1:4], "big")
            if len(buffer) < 4 + size:
                break
            message, buffer = buffer[4 : 4 + size], buffer[4 + size :]
            if hello is None:
                if kind != 2:
                    raise NotTlsError(f"handshake message {kind} instead of a ServerHello")
                hello = parse_server_hello(message)
                done = hello.version >= TLS13 or hello.retry or not key_exchange
                if done or not (is_ecdhe(hello.suite) or is_dhe(hello.suite)):
                    return hello
            elif kind == 12:  # ServerKeyExchange
                return parse_server_key_exchange(message, hello)
            elif kind == 14:  # ServerHelloDone: no key exchange message came
                return hello
        if received > _MAX_FLIGHT:
            if hello is not None:
                return hello
            raise NotTlsError("a first flight larger than any TLS server sends")


async def read_sslv2_server_hello(reader: asyncio.StreamReader) -> tuple[int, ...] | str:
    """The cipher specs of an SSLv2 SERVER-HELLO, or why there is none."""
    try:
        first = await reader.readexactly(2)
    except asyncio.IncompleteReadError as eof:
        if eof.partial:
            raise NotTlsError(f"a short answer: {eof.partial!r}") from None
        return "closed"
    if first[0] in (21, 22) and first[1] == 3:  # a TLS alert or hello: no SSLv2 here
        return "answered in TLS"
    if not first[0] & 0x80:
        raise NotTlsError(f"an answer that is neither SSLv2 nor TLS: {first!r}")
    length = ((first[0] & 0x7F) << 8) | first[1]
    body = await reader.readexactly(length)
    if not body or body[0] != 4:  # 4: SERVER-HELLO; 0: ERROR
        return "refused"
    try:
        _, _, _, certificate_length, specs_length, _ = struct.unpack_from("!BBHHHH", body, 1)
    except struct.error:
        raise NotTlsError("malformed SSLv2 SERVER-HELLO") from None
    start = 11 + certificate_length
    specs = body[start : start + specs_length]
    return tuple(int.from_bytes(specs[i : i + 3], "big") for i in range(0, len(specs) - 2, 3))
