"""netready's TLS enumeration against real servers, checked against sslyze on the same endpoints.

The lab (tls_bench_lab.py, 198.18.7.0/24 and 2001:db8:7::/64): nginx with a modern and a
legacy configuration, each on a port that enforces the server's order and one that follows
the client's; a Python STARTTLS mail server; hostile listeners; an address nobody holds.
Both tools run in the lab client. Connections are counted by the servers' own nftables
counters (one per SYN), so the enumeration's own count is checked too.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Require
from .netlab import missing_prerequisites
from .tls_bench_lab import (
    ADDRESSES,
    DEAD4,
    DEAD6,
    EC_CURVE_NAMES,
    FILTERED_PORT,
    LEGACY_CIPHERS,
    MAIL_PORTS,
    MODERN_CIPHERS,
    REFUSED_PORT,
    REVERSED_PORT,
    SslyzeResult,
    TlsBenchLab,
    open_tls_lab,
    run_enumeration,
    run_sslyze,
)

PROGRAMS = ("nginx", "openssl", "nft")
TIMEOUT = 2.0  # per connection; the hostile cases must end within it (plus a margin)


@pytest.fixture(scope="module")
def tls_lab(require_prerequisites: Require) -> Iterator[TlsBenchLab]:
    require_prerequisites(missing_prerequisites(PROGRAMS), "TLS enumeration lab tests")
    with open_tls_lab() as lab:
        yield lab
    left = lab.lab.leftovers()
    assert not left, f"TLS lab cleanup failed, still present: {left}"


def enumerate_one(
    lab: TlsBenchLab, host: str, port: int, *, family: int = 4, starttls: str = "none"
) -> dict[str, Any]:
    """Enumerate one lab endpoint; also check its connection count against the server's."""
    address = ADDRESSES[host][0 if family == 4 else 1]
    lab.reset_counters()
    [found] = run_enumeration(lab, [(address, port, starttls)], timeout=TIMEOUT)
    if host in lab.counted_ports:
        assert found["connections"] == lab.connections(host, port)
    return found


def sslyze_one(
    lab: TlsBenchLab, host: str, port: int, *, family: int = 4, starttls: str = "none"
) -> tuple[SslyzeResult, int]:
    address = ADDRESSES[host][0 if family == 4 else 1]
    lab.reset_counters()
    result = run_sslyze(lab, address, port, starttls=starttls)
    return result, lab.connections(host, port)


def openssl_order(cipher_string: str) -> list[str]:
    """The IANA names of a cipher string's TLS 1.2 (and older) suites, in OpenSSL's order."""
    done = subprocess.run(["openssl", "ciphers", "-stdname", cipher_string],
                          capture_output=True, text=True, timeout=30, check=True)  # fmt: skip
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    return [name for name in names if "_WITH_" in name]  # TLS 1.3's are set apart


# --- the same findings as sslyze, with far fewer connections ------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("host", "port", "family", "starttls"),
    [
        ("modern", 443, 4, "none"),
        ("modern", 8443, 6, "none"),
        ("legacy", 443, 4, "none"),
        ("legacy", 8443, 6, "none"),
        ("mail", MAIL_PORTS["smtp"], 4, "smtp"),
    ],
)
def test_versions_suites_and_curves_equal_sslyzes(
    tls_lab: TlsBenchLab, host: str, port: int, family: int, starttls: str
) -> None:
    # Given a real server, When both netready and sslyze enumerate it from the client
    found = enumerate_one(tls_lab, host, port, family=family, starttls=starttls)
    sslyze, sslyze_connections = sslyze_one(tls_lab, host, port, family=family, starttls=starttls)
    # Then they find the same versions, suites and elliptic curves
    assert found["error"] is None
    assert {v: frozenset(s) for v, s in found["versions"].items()} == sslyze.versions
    assert set(found["groups"]) & EC_CURVE_NAMES == sslyze.curves
    # ... with at most half of sslyze's connections
    assert found["connections"] <= sslyze_connections / 2, (
        found["connections"],
        sslyze_connections,
    )


# --- what sslyze does not tell: order, DH size, finite-field groups ---------------------------


def test_modern_server_order_and_groups(tls_lab: TlsBenchLab) -> None:
    follows_client = enumerate_one(tls_lab, "modern", 443)
    enforces = enumerate_one(tls_lab, "modern", 8443, family=6)
    assert follows_client["server_enforces_order"] == {"TLSv1.2": False, "TLSv1.3": False}
    assert enforces["server_enforces_order"] == {"TLSv1.2": True, "TLSv1.3": True}
    # nginx's order is the configured one; TLS 1.3's is OpenSSL's default
    assert enforces["versions"]["TLSv1.2"] == openssl_order(MODERN_CIPHERS)
    assert enforces["versions"]["TLSv1.3"] == [
        "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
    ]  # fmt: skip
    for found in (follows_client, enforces):
        assert found["dh_bits"] == 2048
        assert set(found["groups"]) == {"x25519", "secp256r1", "secp384r1", "secp521r1", "x448",
                                        "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144",
                                        "ffdhe8192"}  # fmt: skip


def test_legacy_server_order_and_dh_size(tls_lab: TlsBenchLab) -> None:
    enforces = enumerate_one(tls_lab, "legacy", 443, family=6)
    follows_client = enumerate_one(tls_lab, "legacy", 8443)
    assert enforces["server_enforces_order"] == dict.fromkeys(
        ("TLSv1.0", "TLSv1.1", "TLSv1.2"), True
    )
    assert follows_client["server_enforces_order"] == dict.fromkeys(
        ("TLSv1.0", "TLSv1.1", "TLSv1.2"), False
    )
    preferred = openssl_order(LEGACY_CIPHERS)
    for version, suites in enforces["versions"].items():
        assert suites == [s for s in preferred if s in suites], version
    assert enforces["dh_bits"] == follows_client["dh_bits"] == 1024
    assert "TLS_RSA_WITH_AES_128_CBC_SHA" in enforces["versions"]["TLSv1.0"]  # no forward secrecy


def test_an_order_unlike_any_guess_is_found_exactly(tls_lab: TlsBenchLab) -> None:
    # Given nginx enforcing OpenSSL's order reversed (the weakest suites first)
    found = enumerate_one(tls_lab, "legacy", REVERSED_PORT)
    # Then each version's suites come back in exactly that order
    preferred = openssl_order(LEGACY_CIPHERS)[::-1]
    assert found["server_enforces_order"] == dict.fromkeys(("TLSv1.0", "TLSv1.1", "TLSv1.2"), True)
    for version, suites in found["versions"].items():
        assert suites == [s for s in preferred if s in suites], version
    assert len(found["versions"]["TLSv1.2"]) == 54


@pytest.mark.parametrize("protocol", ["smtp", "imap", "pop3"])
def test_starttls_endpoints_are_enumerated(tls_lab: TlsBenchLab, protocol: str) -> None:
    found = enumerate_one(tls_lab, "mail", MAIL_PORTS[protocol], family=6, starttls=protocol)
    assert found["error"] is None
    assert list(found["versions"]) == ["TLSv1.2", "TLSv1.3"]
    assert found["server_enforces_order"] == {"TLSv1.2": True, "TLSv1.3": True}
    assert all("ECDHE" in suite for suite in found["versions"]["TLSv1.2"])


def test_starttls_on_the_wrong_protocol_is_not_tls(tls_lab: TlsBenchLab) -> None:
    found = enumerate_one(tls_lab, "mail", MAIL_PORTS["pop3"], starttls="smtp")
    assert found["error_kind"] == "not_tls"
    assert "SMTP greeting" in found["error"]


# --- hostile and dead endpoints: an error with the reason, within the timeout ------------------


@pytest.mark.parametrize(
    ("host", "port", "family", "kind", "words"),
    [
        ("hostile", 443, 4, "timeout", "no answer to the TLS hello"),  # accepts, never speaks
        ("hostile", 444, 6, "reset", "reset"),  # RST at once
        ("hostile", 445, 4, "not_tls", "neither SSLv2 nor TLS"),  # garbage
        ("hostile", 446, 6, "reset", ""),  # FIN at once
        ("hostile", 447, 4, "not_tls", "b'HT'"),  # plain HTTP
        ("hostile", FILTERED_PORT, 6, "timeout", "no connection"),  # SYNs dropped
        ("hostile", REFUSED_PORT, 4, "refused", "refused"),  # nothing listens
        ("dead", 443, 4, "timeout", "no connection"),  # nobody holds the address
        ("dead", 443, 6, "timeout", "no connection"),
    ],
)
def test_hostile_and_dead_endpoints_are_errors_within_the_timeout(
    tls_lab: TlsBenchLab, host: str, port: int, family: int, kind: str, words: str
) -> None:
    address = {4: DEAD4, 6: DEAD6}[family] if host == "dead" else ADDRESSES[host][family // 6]
    [found] = run_enumeration(tls_lab, [(address, port, "none")], timeout=TIMEOUT)
    assert found["error_kind"] == kind
    assert words in found["error"]
    assert found["versions"] == {}
    assert found["seconds"] < TIMEOUT + 1.0
