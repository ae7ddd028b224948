"""The tls family end to end: `netready scan --checks tls` in the TLS lab's client.

One scan of every TLS site (module fixture) is graded against the table in README.md ("The
TLS lab"): each check id and status per name and address family, the grade, and the
address parity of each name. Then mail (STARTTLS on the MX, the optional mail ports), a bare
address, and the hostile endpoints, which must each give `tls.connect` = error in time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from .tls_topology import NAMES, TlsLab

Findings = list[dict[str, Any]]
TIMEOUT = "3"

#: Every check one working endpoint gets, and its status on the modern site.
MODERN: Mapping[str, str] = {
    "tls.connect": "pass",
    "tls.protocol.ssl2": "pass",
    "tls.protocol.ssl3": "pass",
    "tls.protocol.tls1_0": "pass",
    "tls.protocol.tls1_1": "pass",
    "tls.protocol.tls1_2": "pass",
    "tls.protocol.tls1_3": "pass",
    "tls.ciphers": "pass",
    "tls.key_exchange": "pass",
    "tls.cert.trusted": "pass",
    "tls.cert.hostname": "pass",
    "tls.cert.expiry": "pass",
    "tls.cert.key": "pass",
    "tls.cert.signature": "pass",
    "tls.vuln.heartbleed": "pass",
    "tls.vuln.robot": "pass",
    "tls.vuln.ccs_injection": "pass",
    "tls.renegotiation": "pass",
    "tls.compression": "pass",
    "tls.fallback_scsv": "pass",
    "tls.ocsp_stapling": "info",  # nothing in the lab staples OCSP
    "tls.cipher_order": "pass",
    "tls.grade": "pass",
}
#: TLS 1.0/1.1, CBC and RSA key exchange, an RSA 2048 key: grade B.
LEGACY = {
    **MODERN,
    "tls.protocol.tls1_0": "fail",
    "tls.protocol.tls1_1": "fail",
    "tls.protocol.tls1_3": "info",
    "tls.ciphers": "fail",
    "tls.cert.key": "warning",
    "tls.grade": "warning",
}
#: dual.tls.test over IPv6: TLS 1.0-1.2, ECDHE-ECDSA with CBC first, then GCM: grade B.
WEAKER_IPV6 = {**LEGACY, "tls.cert.key": "pass", "tls.cipher_order": "warning"}
ERROR_ONLY = {"tls.connect": "error"}

#: name -> {address family: {check id: status}}.
EXPECTED: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "modern.tls.test": {"ipv4": MODERN, "ipv6": MODERN},
    "legacy.tls.test": {"ipv4": LEGACY, "ipv6": LEGACY},
    "expired.tls.test": {
        f: {**MODERN, "tls.cert.expiry": "fail", "tls.grade": "fail"} for f in ("ipv4", "ipv6")
    },
    "selfsigned.tls.test": {
        f: {**MODERN, "tls.cert.trusted": "fail", "tls.grade": "fail"} for f in ("ipv4", "ipv6")
    },
    "wrongname.tls.test": {
        f: {**MODERN, "tls.cert.hostname": "fail", "tls.grade": "fail"} for f in ("ipv4", "ipv6")
    },
    "incomplete.tls.test": {
        f: {**MODERN, "tls.cert.trusted": "fail", "tls.grade": "fail"} for f in ("ipv4", "ipv6")
    },
    "dual.tls.test": {"ipv4": MODERN, "ipv6": WEAKER_IPV6},
}
GRADES: Mapping[str, Mapping[str, str]] = {
    "modern.tls.test": {"ipv4": "A+", "ipv6": "A+"},
    "legacy.tls.test": {"ipv4": "B", "ipv6": "B"},
    "expired.tls.test": {"ipv4": "F", "ipv6": "F"},
    "selfsigned.tls.test": {"ipv4": "F", "ipv6": "F"},
    "wrongname.tls.test": {"ipv4": "F", "ipv6": "F"},
    "incomplete.tls.test": {"ipv4": "F", "ipv6": "F"},
    "dual.tls.test": {"ipv4": "A+", "ipv6": "B"},
}
PARITY = {name: "pass" for name in EXPECTED} | {"dual.tls.test": "warning"}


def endpoint_statuses(
    findings: Findings, host: str, family: str, port: int = 443
) -> dict[str, str]:
    return {
        f["check_id"]: f["status"]
        for f in findings
        if f["check_id"] != "tls.address_parity"
        and f["evidence"].get("host") == host
        and f["evidence"].get("address_family") == family
        and f["evidence"].get("port") == port
    }


def at(
    findings: Findings, check_id: str, host: str, address: str, port: int = 443
) -> dict[str, Any]:
    """The one finding of `check_id` about `host` at `address`:`port`."""
    (found,) = [
        f
        for f in findings
        if f["check_id"] == check_id
        and (f["evidence"].get("host"), f["evidence"].get("address"), f["evidence"].get("port"))
        == (host, address, port)
    ]
    return found


def parity(findings: Findings, host: str, port: int = 443) -> dict[str, Any]:
    (found,) = [
        f
        for f in findings
        if f["check_id"] == "tls.address_parity" and f["subject"] == f"{host}:{port}"
    ]
    return found


@pytest.fixture(scope="module")
def site_findings(tls_lab: TlsLab) -> Findings:
    return tls_lab.scan(*EXPECTED, "--timeout", TIMEOUT)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_check_of_every_site_and_address(site_findings: Findings, name: str) -> None:
    for family, expected in EXPECTED[name].items():
        got = endpoint_statuses(site_findings, name, family)
        assert got == dict(expected), f"{name} {family}: {_summaries(site_findings, name, family)}"


@pytest.mark.parametrize("name", list(EXPECTED))
def test_grade_and_address_parity_of_every_site(site_findings: Findings, name: str) -> None:
    for family, grade in GRADES[name].items():
        (finding,) = [
            f
            for f in site_findings
            if f["check_id"] == "tls.grade"
            and f["evidence"]["host"] == name
            and f["evidence"]["address_family"] == family
        ]
        assert finding["evidence"]["grade"] == grade, finding
    found = parity(site_findings, name)
    assert found["status"] == PARITY[name], found


def test_each_address_is_tested_separately_with_the_name_as_sni(site_findings: Findings) -> None:
    for family, address in zip(("ipv4", "ipv6"), NAMES["modern.tls.test"], strict=True):
        connect = at(site_findings, "tls.connect", "modern.tls.test", address)
        assert connect["evidence"]["address"] == address
        assert connect["evidence"]["address_family"] == family
        assert connect["evidence"]["server_name"] == "modern.tls.test"
        assert connect["evidence"]["versions"] == ["TLSv1.3", "TLSv1.2"]


def test_the_weaker_ipv6_endpoint_is_shown_beside_the_ipv4_one(site_findings: Findings) -> None:
    found = parity(site_findings, "dual.tls.test")
    ipv4, ipv6 = NAMES["dual.tls.test"]
    assert found["evidence"]["ipv4"][ipv4]["versions"] == ["TLSv1.3", "TLSv1.2"]
    assert found["evidence"]["ipv6"][ipv6]["versions"] == ["TLSv1.2", "TLSv1.1", "TLSv1.0"]
    assert found["evidence"]["ipv6"][ipv6]["grade"] == "B"
    assert any("versions" in difference for difference in found["evidence"]["differences"])


def test_evidence_names_what_to_fix(site_findings: Findings) -> None:
    def ipv4_finding(check_id: str, name: str) -> dict[str, Any]:
        return at(site_findings, check_id, name, NAMES[name].ipv4)

    legacy = ipv4_finding("tls.ciphers", "legacy.tls.test")
    assert "TLS_RSA_WITH_AES_128_CBC_SHA" in legacy["evidence"]["insufficient"]
    incomplete = ipv4_finding("tls.cert.trusted", "incomplete.tls.test")
    assert incomplete["evidence"]["issuer_missing"] is True
    assert "netready TLS lab intermediate" in incomplete["summary"]
    assert ipv4_finding("tls.cert.expiry", "expired.tls.test")["evidence"]["days_left"] < -25
    modern = ipv4_finding("tls.ciphers", "modern.tls.test")
    assert modern["evidence"]["mozilla_profile"] == "intermediate"


def test_a_bare_address_is_tested_without_sni_and_its_certificate_for_the_address(
    tls_lab: TlsLab,
) -> None:
    address = NAMES["modern.tls.test"].ipv4
    findings = tls_lab.scan(address, "--timeout", TIMEOUT)
    statuses = endpoint_statuses(findings, address, "ipv4")
    assert statuses == {**MODERN, "tls.cert.hostname": "fail", "tls.grade": "fail"}
    assert not [f for f in findings if f["check_id"] == "tls.address_parity"]


def test_mail_ports_starttls_on_the_mx_and_optional_ports_on_the_name(tls_lab: TlsLab) -> None:
    findings = tls_lab.scan("maildomain.tls.test", "--ports", "25", "--mail", "--timeout", TIMEOUT)
    ipv4, ipv6 = NAMES["mail.tls.test"]
    by_port: dict[tuple[str, int], str] = {}
    for f in findings:
        if f["check_id"] == "tls.connect":
            by_port[(f["evidence"]["host"], f["evidence"]["port"])] = f["status"]
    assert by_port == {
        ("mail.tls.test", 25): "pass",  # the MX, SMTP STARTTLS
        ("maildomain.tls.test", 587): "info",  # nothing listens: not offered
        ("maildomain.tls.test", 465): "pass",  # implicit TLS
        ("maildomain.tls.test", 143): "info",
        ("maildomain.tls.test", 993): "pass",
        ("maildomain.tls.test", 110): "info",
        ("maildomain.tls.test", 995): "info",
    }
    for address in (ipv4, ipv6):
        connect = at(findings, "tls.connect", "mail.tls.test", address, 25)
        assert connect["evidence"]["starttls"] == "smtp"
        for check_id in ("tls.cert.hostname", "tls.cert.trusted", "tls.protocol.tls1_3"):
            assert at(findings, check_id, "mail.tls.test", address, 25)["status"] == "pass"
    assert parity(findings, "mail.tls.test", 25)["status"] == "pass"


HOSTILE_KINDS = {
    "silent.tls.test": {"timeout"},
    "reset.tls.test": {"reset", "not_tls", "other"},
    "garbage.tls.test": {"not_tls", "other"},
    "dead.tls.test": {"timeout", "unreachable"},
}


def test_hostile_and_dead_endpoints_are_errors_within_the_timeout(tls_lab: TlsLab) -> None:
    timeout = 2.0
    started = time.monotonic()
    findings = tls_lab.scan(*HOSTILE_KINDS, "--timeout", str(timeout))
    elapsed = time.monotonic() - started
    for name, kinds in HOSTILE_KINDS.items():
        for family, address in zip(("ipv4", "ipv6"), NAMES[name], strict=True):
            assert endpoint_statuses(findings, name, family) == ERROR_ONLY, name
            connect = at(findings, "tls.connect", name, address)
            assert connect["evidence"]["error_kind"] in kinds, connect
        assert parity(findings, name)["status"] == "error"
    # all eight endpoints at once: a few timeouts and the start of the program, never a hang
    assert elapsed < 4 * timeout + 8, f"took {elapsed:.1f} s"


def _summaries(findings: Findings, host: str, family: str) -> list[str]:
    return [
        f"{f['check_id']}={f['status']}: {f['summary']}"
        for f in findings
        if f["evidence"].get("host") == host and f["evidence"].get("address_family") == family
    ]
