"""The tls family without a network: planning, every verdict, parity, the grade's inputs.

Facts are built by hand (`enumeration`, `endpoint_facts`, `chain_of`); certificates are
made in memory with `cryptography` (`Pki`), so trust, names, dates, keys and signatures
are graded from real X.509 data.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from netready.checks import tls, tls_verdicts
from netready.checks.tls import mx_hosts_of, plan_services, plan_tests, sslyze_request
from netready.checks.tls_grade import Grade, grade_endpoint
from netready.checks.tls_suites import Level, group_level, mozilla_profile, suite_level
from netready.checks.tls_verdicts import (
    EndpointFacts,
    Service,
    Skipped,
    evaluate_addresses,
    evaluate_endpoint,
    evaluate_parity,
    name_matches,
)
from netready.config import ConfigError, ScanConfig
from netready.findings import Finding, Status
from netready.net import tls_sslyze
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.tls import StartTls, TlsEndpoint, TlsEnumeration
from netready.net.tls_sslyze import (
    ChainFacts,
    OcspFacts,
    SslyzeFailure,
    SslyzeOutcome,
    SslyzeTest,
    describe_certificate,
    load_root_store,
    verify_chain,
)
from netready.targets import Target, TargetKind

NOW = datetime.datetime.now(datetime.UTC)  # the in-memory certificates are made around now
DAY = datetime.timedelta(days=1)
NAME = "www.example.test"
V4, V6 = "198.18.8.10", "2001:db8:8::10"
MODERN_SUITES = {
    "TLSv1.3": ("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"),
    "TLSv1.2": (
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
}
LEGACY_SUITES = {
    "TLSv1.2": ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
    "TLSv1.1": ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
    "TLSv1.0": ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
}
WEB = Service(NAME, 443, StartTls.NONE, NAME)


# --- builders -------------------------------------------------------------------------------


def enumeration(
    versions: Mapping[str, Sequence[str]] | None = None,
    *,
    address: str = V4,
    server_name: str | None = NAME,
    order: Mapping[str, bool | None] | None = None,
    groups: Sequence[str] = ("x25519", "secp256r1"),
    dh_bits: int | None = None,
    error: str | None = None,
    error_kind: str | None = None,
) -> TlsEnumeration:
    accepted = {v: tuple(s) for v, s in (MODERN_SUITES if versions is None else versions).items()}
    if error is not None:
        accepted = {}
    return TlsEnumeration(
        endpoint=TlsEndpoint(address, 443, server_name),
        error=error,
        error_kind=error_kind,
        versions=accepted,
        server_enforces_order=(dict(order) if order is not None else {v: True for v in accepted}),
        groups=tuple(groups),
        dh_bits=dh_bits,
        connections=12,
    )


def clean_tests(**changes: object) -> dict[SslyzeTest, object]:
    tests: dict[SslyzeTest, object] = {
        SslyzeTest.HEARTBLEED: Skipped("TLS 1.3"),
        SslyzeTest.CCS_INJECTION: Skipped("TLS 1.3"),
        SslyzeTest.ROBOT: Skipped("no RSA key exchange"),
        SslyzeTest.SECURE_RENEGOTIATION: SslyzeOutcome(SslyzeTest.SECURE_RENEGOTIATION, True),
        SslyzeTest.CLIENT_RENEGOTIATION: SslyzeOutcome(SslyzeTest.CLIENT_RENEGOTIATION, False, "0"),
        SslyzeTest.COMPRESSION: SslyzeOutcome(SslyzeTest.COMPRESSION, False),
        SslyzeTest.FALLBACK_SCSV: Skipped("no older version"),
    }
    for name, value in changes.items():
        tests[SslyzeTest(name)] = value
    return tests


def endpoint_facts(
    enum: TlsEnumeration | None = None,
    *,
    chain: ChainFacts | SslyzeFailure | None = None,
    tests: Mapping[SslyzeTest, object] | None = None,
    service: Service = WEB,
) -> EndpointFacts:
    enum = enum or enumeration()
    if chain is None and enum.error is None:
        chain = PKI.chain_facts()
    return EndpointFacts(
        service,
        enum,
        chain,
        dict(tests if tests is not None else clean_tests()),  # type: ignore[arg-type]
    )


def by_id(findings: Sequence[Finding]) -> dict[str, Finding]:
    return {finding.check_id: finding for finding in findings}


def status_of(facts: EndpointFacts, check_id: str) -> Status:
    return by_id(evaluate_endpoint("example.test", facts, now=NOW))[check_id].status


@dataclass
class Issued:
    certificate: x509.Certificate
    key: Any

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


class Pki:
    """A root, an intermediate and leaf certificates, made in memory."""

    def __init__(self) -> None:
        long_ago = datetime.datetime.now(datetime.UTC) - 400 * DAY
        self.root = self._issue("netready test root", None, ca=True, not_before=long_ago)
        self.intermediate = self._issue(
            "netready test intermediate", self.root, ca=True, not_before=long_ago
        )

    def _issue(
        self,
        common_name: str,
        issuer: Issued | None,
        *,
        ca: bool = False,
        dns_names: Sequence[str] = (),
        ip_addresses: Sequence[str] = (),
        not_before: datetime.datetime | None = None,
        not_after: datetime.datetime | None = None,
        key: Any = None,
        digest: Any = None,
    ) -> Issued:
        key = key or ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer.certificate.subject if issuer else name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - DAY)
            .not_valid_after(not_after or now + 90 * DAY)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
        else:
            sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
            sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
        signer = issuer.key if issuer else key
        certificate = builder.sign(signer, digest or hashes.SHA256())
        return Issued(certificate, key)

    def leaf(self, *names: str, **kwargs: Any) -> Issued:
        return self._issue(
            names[0] if names else "leaf", self.intermediate, dns_names=names, **kwargs
        )

    def store(self, name: str = "--ca-file") -> Any:
        return load_root_store(name, self.root.certificate.public_bytes(serialization.Encoding.PEM))

    def chain_facts(
        self,
        leaf: Issued | None = None,
        *,
        send_intermediate: bool = True,
        ocsp: OcspFacts | None = None,
        extra: Sequence[Issued] = (),
    ) -> ChainFacts:
        leaf = leaf or self.leaf(NAME)
        sent = [leaf] + ([self.intermediate] if send_intermediate else []) + list(extra)
        pems = [issued.pem for issued in sent]
        trust = verify_chain(pems, [self.store()], now=datetime.datetime.now(datetime.UTC))
        return ChainFacts(
            certificates=tuple(describe_certificate(p) for p in pems),
            trust=trust,
            ocsp=ocsp,
            version="TLSv1.3",
            server_name=NAME,
        )


PKI = Pki()


# --- planning -------------------------------------------------------------------------------


def test_a_domain_is_tested_on_port_443_with_its_name() -> None:
    services = plan_services(Target(TargetKind.DOMAIN, NAME), ScanConfig(), None)
    assert services == [Service(NAME, 443, StartTls.NONE, NAME)]


def test_an_address_is_tested_without_a_server_name() -> None:
    services = plan_services(Target(TargetKind.ADDRESS, V6), ScanConfig(), None)
    assert services == [Service(V6, 443, StartTls.NONE, None)]
    assert services[0].endpoint_subject(V6) == f"[{V6}]:443"


def test_named_ports_choose_starttls_and_port_25_means_the_mx_hosts() -> None:
    config = ScanConfig(tls_ports=(443, 25, 587, 143, 110, 993, 8443))
    services = plan_services(
        Target(TargetKind.DOMAIN, "example.test"), config, ["mx1.example.test", "mx2.example.test"]
    )
    assert [(s.host, s.port, s.starttls, s.role, s.optional) for s in services] == [
        ("example.test", 443, StartTls.NONE, "named", False),
        ("mx1.example.test", 25, StartTls.SMTP, "mx", False),
        ("mx2.example.test", 25, StartTls.SMTP, "mx", False),
        ("example.test", 587, StartTls.SMTP, "named", False),
        ("example.test", 143, StartTls.IMAP, "named", False),
        ("example.test", 110, StartTls.POP3, "named", False),
        ("example.test", 993, StartTls.NONE, "named", False),
        ("example.test", 8443, StartTls.NONE, "named", False),
    ]
    assert services[1].server_name == "mx1.example.test"


def test_mail_adds_the_mail_ports_not_named_as_optional() -> None:
    config = ScanConfig(tls_ports=(443, 993), mail=True)
    services = plan_services(Target(TargetKind.DOMAIN, "example.test"), config, ["mx.example.test"])
    assert [(s.host, s.port, s.optional) for s in services] == [
        ("example.test", 443, False),
        ("example.test", 993, False),
        ("mx.example.test", 25, False),
        ("example.test", 587, True),
        ("example.test", 465, True),
        ("example.test", 143, True),
        ("example.test", 110, True),
        ("example.test", 995, True),
    ]


def test_port_25_on_an_address_is_that_address() -> None:
    config = ScanConfig(tls_ports=(25,))
    assert tls.wants_mx(Target(TargetKind.ADDRESS, V4), config) is False
    (service,) = plan_services(Target(TargetKind.ADDRESS, V4), config, None)
    assert (service.host, service.starttls, service.server_name) == (V4, StartTls.SMTP, None)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            DnsAnswer("d.test", "MX", DnsOutcome.ANSWER, ("20 b.d.test.", "10 a.d.test.")),
            ["a.d.test", "b.d.test"],
        ),
        (DnsAnswer("d.test", "MX", DnsOutcome.NODATA), ["d.test"]),
        (DnsAnswer("d.test", "MX", DnsOutcome.ANSWER, ("0 .",)), []),
        (DnsAnswer("d.test", "MX", DnsOutcome.SERVFAIL), None),
    ],
    ids=["sorted-by-preference", "implicit-mx", "null-mx", "lookup-failed"],
)
def test_mx_hosts(answer: DnsAnswer, expected: list[str] | None) -> None:
    assert mx_hosts_of("d.test", answer) == expected


def test_plan_tests_skips_what_cannot_apply_to_a_modern_server() -> None:
    plan = plan_tests(enumeration())
    skipped = {test for test, reason in plan.items() if reason is not None}
    assert skipped == {
        SslyzeTest.HEARTBLEED,
        SslyzeTest.CCS_INJECTION,
        SslyzeTest.ROBOT,
        SslyzeTest.FALLBACK_SCSV,
    }


def test_plan_tests_runs_everything_on_a_legacy_rsa_server() -> None:
    plan = plan_tests(enumeration(LEGACY_SUITES))
    assert all(reason is None for reason in plan.values())


def test_plan_tests_on_tls13_only_and_ssl2_only() -> None:
    tls13 = plan_tests(enumeration({"TLSv1.3": ("TLS_AES_128_GCM_SHA256",)}))
    assert isinstance(tls13[SslyzeTest.SECURE_RENEGOTIATION], Skipped)
    assert isinstance(tls13[SslyzeTest.COMPRESSION], Skipped)
    ssl2 = plan_tests(enumeration({"SSLv2": ("SSL_CK_RC4_128_WITH_MD5",)}))
    assert all(isinstance(reason, Skipped) for reason in ssl2.values())


def test_sslyze_request_carries_the_highest_version_and_its_suites(tmp_path: Any) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    request = sslyze_request(enumeration(LEGACY_SUITES), ScanConfig(ca_file=ca, timeout=3))
    assert request.highest_version == "TLSv1.2"
    assert request.suites == LEGACY_SUITES["TLSv1.2"]
    assert request.lower_versions == ("TLSv1.1", "TLSv1.0")
    assert (request.address, request.server_name, request.ca_file) == (V4, NAME, str(ca))


# --- config ---------------------------------------------------------------------------------


def test_tls_ports_and_mail_from_text_and_lists() -> None:
    config = ScanConfig().with_overrides({"tls_ports": "443, 8443,443", "mail": True})
    assert config.tls_ports == (443, 8443)
    assert config.mail is True
    assert ScanConfig.from_json_dict(config.to_json_dict()) == config


@pytest.mark.parametrize("bad", ["0", "65536", "https", "443,", [True]])
def test_bad_tls_ports_are_refused_with_the_value(bad: object) -> None:
    with pytest.raises(ConfigError, match="port"):
        ScanConfig().with_overrides({"tls_ports": bad})


def test_mail_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError, match="mail"):
        ScanConfig().with_overrides({"mail": "yes"})


# --- suites and levels ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suite", "level", "profile"),
    [
        ("TLS_AES_256_GCM_SHA384", Level.GOOD, "modern"),
        ("TLS_AES_128_GCM_SHA256", Level.SUFFICIENT, "modern"),
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Level.SUFFICIENT, "intermediate"),
        ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", Level.PHASE_OUT, "intermediate"),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Level.PHASE_OUT, None),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Level.INSUFFICIENT, None),
        ("TLS_RSA_WITH_AES_128_GCM_SHA256", Level.INSUFFICIENT, None),
        ("TLS_RSA_WITH_RC4_128_SHA", Level.INSUFFICIENT, None),
    ],
)
def test_suite_levels_follow_ncsc_2025(suite: str, level: Level, profile: str | None) -> None:
    assert suite_level(suite) is level
    assert mozilla_profile(suite) == profile


@pytest.mark.parametrize(
    ("group", "level"),
    [
        ("x25519", Level.GOOD),
        ("X25519MLKEM768", Level.GOOD),
        ("secp224r1", Level.PHASE_OUT),
        ("ffdhe3072", Level.PHASE_OUT),
        ("ffdhe2048", Level.INSUFFICIENT),
        ("secp192r1", Level.INSUFFICIENT),
    ],
)
def test_group_levels(group: str, level: Level) -> None:
    assert group_level(group) is level


# --- tls.connect and names ------------------------------------------------------------------


def test_no_handshake_is_an_error_and_the_only_verdict() -> None:
    facts = endpoint_facts(enumeration(error="connection reset", error_kind="reset"))
    (finding,) = evaluate_endpoint("example.test", facts, now=NOW)
    assert (finding.check_id, finding.status) == ("tls.connect", Status.ERROR)
    assert finding.evidence["error_kind"] == "reset"
    assert finding.subject == f"{NAME} {V4}:443"


def test_refused_on_an_optional_mail_port_is_only_noted() -> None:
    service = Service("example.test", 993, StartTls.NONE, "example.test", optional=True)
    facts = endpoint_facts(enumeration(error="refused", error_kind="refused"), service=service)
    (finding,) = evaluate_endpoint("example.test", facts, now=NOW)
    assert finding.status is Status.INFO


def test_a_working_endpoint_gets_every_verdict_and_connect_passes() -> None:
    findings = evaluate_endpoint("example.test", endpoint_facts(), now=NOW)
    declared = {spec.check_id for spec in tls.TlsFamily().checks} - {"tls.address_parity"}
    assert {f.check_id for f in findings} == declared
    connect = by_id(findings)["tls.connect"]
    assert connect.status is Status.PASS
    assert connect.evidence["versions"] == ["TLSv1.3", "TLSv1.2"]
    assert connect.evidence["address_family"] == "ipv4"


def test_names_without_addresses_and_failed_lookups() -> None:
    answer = DnsAnswer(NAME, "A", DnsOutcome.ANSWER, (V4,))
    nodata = DnsAnswer(NAME, "AAAA", DnsOutcome.NODATA)
    assert evaluate_addresses("t", WEB, {"A": answer, "AAAA": nodata}) == [V4]
    none = evaluate_addresses("t", WEB, {"A": replace(nodata, rdtype="A"), "AAAA": nodata})
    assert isinstance(none, Finding)
    assert none.status is Status.INFO
    timeout = DnsAnswer(NAME, "A", DnsOutcome.TIMEOUT, detail="no answer")
    failed = evaluate_addresses("t", WEB, {"A": timeout, "AAAA": nodata})
    assert isinstance(failed, Finding)
    assert failed.status is Status.ERROR


# --- protocols, suites, key exchange, order -------------------------------------------------


@pytest.mark.parametrize(
    ("versions", "check_id", "status"),
    [
        (LEGACY_SUITES, "tls.protocol.tls1_0", Status.FAIL),
        (LEGACY_SUITES, "tls.protocol.tls1_1", Status.FAIL),
        (LEGACY_SUITES, "tls.protocol.tls1_2", Status.PASS),
        (LEGACY_SUITES, "tls.protocol.tls1_3", Status.INFO),
        (MODERN_SUITES, "tls.protocol.ssl2", Status.PASS),
        (MODERN_SUITES, "tls.protocol.ssl3", Status.PASS),
        (MODERN_SUITES, "tls.protocol.tls1_0", Status.PASS),
        (MODERN_SUITES, "tls.protocol.tls1_3", Status.PASS),
        ({"SSLv3": ("TLS_RSA_WITH_RC4_128_SHA",)}, "tls.protocol.ssl3", Status.FAIL),
        ({"SSLv3": ("TLS_RSA_WITH_RC4_128_SHA",)}, "tls.protocol.tls1_2", Status.FAIL),
        ({"TLSv1.3": ("TLS_AES_128_GCM_SHA256",)}, "tls.protocol.tls1_2", Status.INFO),
    ],
)
def test_protocol_verdicts(
    versions: Mapping[str, Sequence[str]], check_id: str, status: Status
) -> None:
    assert status_of(endpoint_facts(enumeration(versions)), check_id) is status


def test_ciphers_pass_warn_and_fail_by_the_worst_suite() -> None:
    assert status_of(endpoint_facts(), "tls.ciphers") is Status.PASS
    dhe = {**MODERN_SUITES, "TLSv1.2": ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",)}
    assert status_of(endpoint_facts(enumeration(dhe)), "tls.ciphers") is Status.WARNING
    finding = by_id(evaluate_endpoint("t", endpoint_facts(enumeration(LEGACY_SUITES)), now=NOW))[
        "tls.ciphers"
    ]
    assert finding.status is Status.FAIL
    assert "TLS_RSA_WITH_AES_128_CBC_SHA" in finding.evidence["insufficient"]
    assert finding.evidence["suites"]["TLSv1.0"][1] == {
        "suite": "TLS_RSA_WITH_AES_128_CBC_SHA",
        "level": "insufficient",
        "mozilla": None,
    }


def test_the_fitting_mozilla_profile() -> None:
    modern = enumeration({"TLSv1.3": ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384")})
    assert tls_verdicts.fitting_mozilla_profile(modern) == "modern"
    assert tls_verdicts.fitting_mozilla_profile(enumeration()) == "intermediate"
    assert tls_verdicts.fitting_mozilla_profile(enumeration(LEGACY_SUITES)) is None


@pytest.mark.parametrize(
    ("groups", "dh_bits", "versions", "status"),
    [
        (("x25519", "secp256r1"), None, MODERN_SUITES, Status.PASS),
        (("x25519", "ffdhe3072"), None, MODERN_SUITES, Status.WARNING),
        (("x25519", "ffdhe2048"), None, MODERN_SUITES, Status.FAIL),
        (("x25519",), 1024, MODERN_SUITES, Status.FAIL),
        ((), None, MODERN_SUITES, Status.INFO),
        ((), None, {"TLSv1.2": ("TLS_RSA_WITH_AES_128_GCM_SHA256",)}, Status.FAIL),
    ],
    ids=["good", "ffdhe3072", "ffdhe2048", "dh1024", "unknown-groups", "rsa-only"],
)
def test_key_exchange(
    groups: tuple[str, ...], dh_bits: int | None, versions: Any, status: Status
) -> None:
    facts = endpoint_facts(enumeration(versions, groups=groups, dh_bits=dh_bits))
    assert status_of(facts, "tls.key_exchange") is status


GCM128, GCM256 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
RSA_CBC = "TLS_RSA_WITH_AES_128_CBC_SHA"


@pytest.mark.parametrize(
    ("suites", "enforced", "status"),
    [
        ((GCM128, RSA_CBC), True, Status.PASS),
        ((RSA_CBC, GCM128), True, Status.WARNING),
        ((GCM128, RSA_CBC), False, Status.WARNING),
        ((GCM128, GCM256), False, Status.PASS),
        ((GCM128,), None, Status.PASS),
    ],
    ids=["good-order", "weaker-first", "client-chooses", "same-level", "one-suite"],
)  # fmt: skip
def test_cipher_order(suites: tuple[str, ...], enforced: bool | None, status: Status) -> None:
    facts = endpoint_facts(enumeration({"TLSv1.2": suites}, order={"TLSv1.2": enforced}))
    assert status_of(facts, "tls.cipher_order") is status


# --- certificates ---------------------------------------------------------------------------


def test_a_full_chain_from_a_known_root_is_trusted() -> None:
    facts = endpoint_facts()
    finding = by_id(evaluate_endpoint("t", facts, now=NOW))["tls.cert.trusted"]
    assert finding.status is Status.PASS
    assert finding.evidence["trusted_by"] == ["--ca-file"]
    assert len(finding.evidence["path"]) == 3


def test_a_missing_intermediate_is_named() -> None:
    chain = PKI.chain_facts(send_intermediate=False)
    assert chain.trust.issuer_missing
    finding = by_id(evaluate_endpoint("t", endpoint_facts(chain=chain), now=NOW))[
        "tls.cert.trusted"
    ]
    assert finding.status is Status.FAIL
    assert "netready test intermediate" in finding.summary


def test_a_self_signed_certificate_is_not_trusted() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    self_signed = Pki()._issue("self", None, key=key, dns_names=[NAME])
    pem = self_signed.pem
    chain = ChainFacts(
        certificates=(describe_certificate(pem),),
        trust=verify_chain([pem], [PKI.store()], now=NOW),
        ocsp=None,
        version="TLSv1.3",
        server_name=NAME,
    )
    assert not chain.trust.issuer_missing
    finding = by_id(evaluate_endpoint("t", endpoint_facts(chain=chain), now=NOW))[
        "tls.cert.trusted"
    ]
    assert finding.status is Status.FAIL
    assert "self-signed" in finding.summary


def test_an_expired_certificate_is_still_judged_for_trust_separately() -> None:
    now = datetime.datetime.now(datetime.UTC)
    expired = PKI.leaf(NAME, not_before=now - 40 * DAY, not_after=now - 2 * DAY)
    chain = PKI.chain_facts(expired)
    assert chain.trust.trusted
    findings = by_id(evaluate_endpoint("t", endpoint_facts(chain=chain), now=now))
    assert findings["tls.cert.trusted"].status is Status.PASS
    assert findings["tls.cert.expiry"].status is Status.FAIL
    assert findings["tls.grade"].evidence["grade"] == "F"


@pytest.mark.parametrize(
    ("not_before", "not_after", "status"),
    [
        (-10, 90, Status.PASS),
        (-10, 20, Status.WARNING),
        (-90, -1, Status.FAIL),
        (2, 90, Status.FAIL),
    ],
    ids=["valid", "expires-soon", "expired", "not-yet-valid"],
)
def test_expiry(not_before: int, not_after: int, status: Status) -> None:
    now = datetime.datetime.now(datetime.UTC)
    leaf = PKI.leaf(NAME, not_before=now + not_before * DAY, not_after=now + not_after * DAY)
    facts = endpoint_facts(chain=PKI.chain_facts(leaf))
    finding = by_id(evaluate_endpoint("t", facts, now=now))["tls.cert.expiry"]
    assert finding.status is status
    assert "days_left" in finding.evidence


@pytest.mark.parametrize(
    ("name", "patterns", "matches"),
    [
        ("www.example.test", ["www.example.test"], True),
        ("WWW.Example.Test.", ["www.example.test"], True),
        ("www.example.test", ["*.example.test"], True),
        ("example.test", ["*.example.test"], False),
        ("a.b.example.test", ["*.example.test"], False),
        ("www.example.test", ["other.example.test"], False),
        ("www.example.test", ["w*.example.test"], False),
    ],
)
def test_name_matching_follows_rfc_6125(name: str, patterns: list[str], matches: bool) -> None:
    assert name_matches(name, patterns) is matches


def test_a_certificate_for_another_name_fails_the_name_check() -> None:
    chain = PKI.chain_facts(PKI.leaf("other.example.test"))
    finding = by_id(evaluate_endpoint("t", endpoint_facts(chain=chain), now=NOW))[
        "tls.cert.hostname"
    ]
    assert finding.status is Status.FAIL
    assert finding.evidence["dns_names"] == ["other.example.test"]
    assert "other.example.test" in finding.summary


def test_a_bare_address_is_matched_against_the_ip_sans() -> None:
    service = Service(V4, 443, StartTls.NONE, None)
    good = PKI.chain_facts(PKI.leaf(ip_addresses=[V4]))
    bad = PKI.chain_facts(PKI.leaf("www.example.test"))
    enum = enumeration(server_name=None)
    for chain, status in ((good, Status.PASS), (bad, Status.FAIL)):
        facts = endpoint_facts(enum, chain=chain, service=service)
        assert status_of(facts, "tls.cert.hostname") is status


@pytest.mark.parametrize(
    ("key", "status"),
    [
        (lambda: ec.generate_private_key(ec.SECP384R1()), Status.PASS),
        (lambda: rsa.generate_private_key(65537, 3072), Status.PASS),
        (lambda: rsa.generate_private_key(65537, 2048), Status.WARNING),
        (lambda: rsa.generate_private_key(65537, 1024), Status.FAIL),
    ],
    ids=["p384", "rsa3072", "rsa2048", "rsa1024"],
)
def test_certificate_key_strength(key: Any, status: Status) -> None:
    chain = PKI.chain_facts(PKI.leaf(NAME, key=key()))
    assert status_of(endpoint_facts(chain=chain), "tls.cert.key") is status


def test_a_sha1_signature_fails_and_the_root_self_signature_is_ignored() -> None:
    # (this cryptography build refuses to sign with SHA-1, so the parsed facts are altered)
    chain = PKI.chain_facts()
    sha1_leaf = replace(
        chain.leaf, signature_hash="sha1", signature_algorithm="sha1WithRSAEncryption"
    )
    sha1 = replace(chain, certificates=(sha1_leaf, *chain.certificates[1:]))
    assert status_of(endpoint_facts(chain=sha1), "tls.cert.signature") is Status.FAIL
    root = describe_certificate(PKI.root.pem)
    sha1_root = replace(root, signature_hash="sha1")
    with_root = replace(chain, certificates=(*chain.certificates, sha1_root))
    assert status_of(endpoint_facts(chain=with_root), "tls.cert.signature") is Status.PASS


def test_certificate_checks_are_errors_when_the_chain_could_not_be_read() -> None:
    failure = SslyzeFailure("certificate", "timeout", "timed out")
    findings = by_id(evaluate_endpoint("t", endpoint_facts(chain=failure), now=NOW))
    for check_id in (
        "tls.cert.trusted",
        "tls.cert.hostname",
        "tls.cert.expiry",
        "tls.ocsp_stapling",
    ):
        assert findings[check_id].status is Status.ERROR
    assert "certificate trust" in findings["tls.grade"].evidence["untested"]


@pytest.mark.parametrize(
    ("ocsp", "must_staple", "status"),
    [
        (None, False, Status.INFO),
        (None, True, Status.FAIL),
        (OcspFacts("successful", "good", NOW - DAY, NOW + DAY, True), False, Status.PASS),
        (OcspFacts("successful", "revoked", NOW - DAY, NOW + DAY, True), False, Status.FAIL),
        (OcspFacts("successful", "good", NOW - 9 * DAY, NOW - DAY, True), False, Status.WARNING),
        (OcspFacts("successful", "good", NOW - DAY, NOW + DAY, False), False, Status.WARNING),
        (OcspFacts("unauthorized", None, None, None, None), False, Status.WARNING),
    ],
    ids=["none", "must-staple-missing", "good", "revoked", "stale", "untrusted", "unsuccessful"],
)
def test_ocsp_stapling(ocsp: OcspFacts | None, must_staple: bool, status: Status) -> None:
    chain = PKI.chain_facts(ocsp=ocsp)
    if must_staple:
        leaf = replace(chain.leaf, must_staple=True)
        chain = replace(chain, certificates=(leaf, *chain.certificates[1:]))
    assert status_of(endpoint_facts(chain=chain), "tls.ocsp_stapling") is status


# --- sslyze tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "check_id"),
    [
        (SslyzeTest.HEARTBLEED, "tls.vuln.heartbleed"),
        (SslyzeTest.CCS_INJECTION, "tls.vuln.ccs_injection"),
        (SslyzeTest.ROBOT, "tls.vuln.robot"),
    ],
)
def test_vulnerability_verdicts(test: SslyzeTest, check_id: str) -> None:
    cases = [
        (SslyzeOutcome(test, True), Status.FAIL),
        (SslyzeOutcome(test, False), Status.PASS),
        (Skipped("does not apply"), Status.PASS),
        (SslyzeFailure(test.value, "timeout", "timed out"), Status.ERROR),
    ]
    for result, status in cases:
        facts = endpoint_facts(tests=clean_tests(**{test.value: result}))
        assert status_of(facts, check_id) is status, result


def test_inconsistent_robot_results_are_an_error() -> None:
    result = SslyzeOutcome(SslyzeTest.ROBOT, False, "UNKNOWN_INCONSISTENT_RESULTS")
    facts = endpoint_facts(tests=clean_tests(robot=result))
    assert status_of(facts, "tls.vuln.robot") is Status.ERROR


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, Status.PASS),
        ({"secure_renegotiation": SslyzeOutcome(SslyzeTest.SECURE_RENEGOTIATION, False)},
         Status.FAIL),
        ({"client_renegotiation": SslyzeOutcome(SslyzeTest.CLIENT_RENEGOTIATION, True, "10")},
         Status.WARNING),
        ({"client_renegotiation": SslyzeFailure("client_renegotiation", "reset", "reset")},
         Status.ERROR),
        ({"secure_renegotiation": Skipped("TLS 1.3"), "client_renegotiation": Skipped("TLS 1.3")},
         Status.PASS),
    ],
    ids=["good", "insecure", "client-unlimited", "error", "tls13-only"],
)  # fmt: skip
def test_renegotiation(changes: dict[str, object], status: Status) -> None:
    assert status_of(endpoint_facts(tests=clean_tests(**changes)), "tls.renegotiation") is status


def test_compression_and_fallback_scsv() -> None:
    on = SslyzeOutcome(SslyzeTest.COMPRESSION, True)
    assert status_of(endpoint_facts(tests=clean_tests(compression=on)), "tls.compression") is (
        Status.FAIL
    )
    assert status_of(endpoint_facts(), "tls.compression") is Status.PASS
    ignored = SslyzeOutcome(SslyzeTest.FALLBACK_SCSV, False)
    honoured = SslyzeOutcome(SslyzeTest.FALLBACK_SCSV, True)
    assert status_of(
        endpoint_facts(tests=clean_tests(fallback_scsv=ignored)), "tls.fallback_scsv"
    ) is (Status.WARNING)
    assert status_of(
        endpoint_facts(tests=clean_tests(fallback_scsv=honoured)), "tls.fallback_scsv"
    ) is (Status.PASS)
    assert status_of(endpoint_facts(), "tls.fallback_scsv") is Status.PASS


# --- the grade finding ----------------------------------------------------------------------


def test_a_modern_endpoint_is_graded_a_plus() -> None:
    finding = by_id(evaluate_endpoint("t", endpoint_facts(), now=NOW))["tls.grade"]
    assert (finding.status, finding.evidence["grade"]) == (Status.PASS, "A+")


def test_a_legacy_endpoint_is_graded_b_at_best() -> None:
    tests = clean_tests(
        heartbleed=SslyzeOutcome(SslyzeTest.HEARTBLEED, False),
        ccs_injection=SslyzeOutcome(SslyzeTest.CCS_INJECTION, False),
        robot=SslyzeOutcome(SslyzeTest.ROBOT, False, "NOT_VULNERABLE_NO_ORACLE"),
        fallback_scsv=SslyzeOutcome(SslyzeTest.FALLBACK_SCSV, True),
    )
    facts = endpoint_facts(enumeration(LEGACY_SUITES), tests=tests)
    result = grade_endpoint(tls_verdicts.grade_facts(facts, now=NOW))
    assert result.grade is Grade.B
    finding = by_id(evaluate_endpoint("t", facts, now=NOW))["tls.grade"]
    assert finding.status is Status.WARNING
    assert any("TLS 1.0 or TLS 1.1" in reason for reason in finding.evidence["capped_by"])


# --- address parity -------------------------------------------------------------------------


def test_parity_passes_when_every_address_offers_the_same() -> None:
    chain = PKI.chain_facts()
    same = [
        endpoint_facts(enumeration(address=V4), chain=chain),
        endpoint_facts(enumeration(address=V6), chain=chain),
    ]
    finding = evaluate_parity("t", WEB, same, now=NOW)
    assert (finding.check_id, finding.status, finding.subject) == (
        "tls.address_parity",
        Status.PASS,
        f"{NAME}:443",
    )
    assert set(finding.evidence["ipv4"]) == {V4}
    assert set(finding.evidence["ipv6"]) == {V6}


def test_parity_warns_with_both_sides_when_ipv6_is_weaker() -> None:
    chain = PKI.chain_facts()
    weaker = {**MODERN_SUITES, "TLSv1.0": ("TLS_RSA_WITH_AES_128_CBC_SHA",)}
    endpoints = [
        endpoint_facts(enumeration(address=V4), chain=chain),
        endpoint_facts(enumeration(weaker, address=V6), chain=PKI.chain_facts()),
    ]
    finding = evaluate_parity("t", WEB, endpoints, now=NOW)
    assert finding.status is Status.WARNING
    differences = " | ".join(finding.evidence["differences"])
    assert "TLSv1.0" in differences
    assert f"[{V6}]" in differences
    assert "certificate" in differences
    assert finding.evidence["ipv6"][V6]["versions"] == ["TLSv1.3", "TLSv1.2", "TLSv1.0"]


def test_parity_with_one_address_or_a_failed_one() -> None:
    one = evaluate_parity("t", WEB, [endpoint_facts()], now=NOW)
    assert one.status is Status.INFO
    failed = [
        endpoint_facts(enumeration(address=V4)),
        endpoint_facts(enumeration(address=V6, error="timed out", error_kind="timeout")),
    ]
    assert evaluate_parity("t", WEB, failed, now=NOW).status is Status.ERROR


# --- the family end to end, without a network -----------------------------------------------


class MadeUpDns:
    """Answers from a table; anything else has no data (a SERVFAIL for names in `broken`)."""

    def __init__(
        self, table: Mapping[tuple[str, str], tuple[str, ...]], broken: Sequence[str] = ()
    ) -> None:
        self.table = table
        self.broken = set(broken)
        self.resolvers = ("198.18.8.53",)

    async def lookup(self, name: str, rdtype: str) -> DnsAnswer:
        if (name, rdtype) in self.broken:
            return DnsAnswer(name, rdtype, DnsOutcome.SERVFAIL, detail="SERVFAIL")
        records = self.table.get((name, rdtype))
        if records is None:
            return DnsAnswer(name, rdtype, DnsOutcome.NODATA)
        return DnsAnswer(name, rdtype, DnsOutcome.ANSWER, records=records)


class MadeUpPool:
    """Stands in for the TLS worker pool: answers each job from the test's facts."""

    def __init__(self, *, fail_with: BaseException | None = None) -> None:
        self.jobs: list[tuple[str, str, str]] = []
        self.fail_with = fail_with
        self.chains: dict[str, ChainFacts] = {}  # one certificate per name, as a server has

    async def run(self, function: Any, request: Any, *args: Any, timeout: float) -> Any:
        test = args[0].value if args else "certificate"
        self.jobs.append((request.address, str(request.port), test))
        if self.fail_with is not None:
            raise self.fail_with
        if function is tls.fetch_certificate_chain:
            name = request.server_name or "x.test"
            return self.chains.setdefault(name, PKI.chain_facts(PKI.leaf(name)))
        return SslyzeOutcome(args[0], args[0] is SslyzeTest.SECURE_RENEGOTIATION)


def run_family(
    monkeypatch: pytest.MonkeyPatch,
    target: Target,
    dns: MadeUpDns,
    config: ScanConfig,
    *,
    enumerate_tls: Any = None,
    pool: MadeUpPool | None = None,
) -> tuple[list[Finding], MadeUpPool]:
    from netready.engine import Engine, FindingMade

    made_up_pool = pool or MadeUpPool()

    async def worker_pool(context: object) -> MadeUpPool:
        return made_up_pool

    async def modern(endpoint: TlsEndpoint, *, timeout: float) -> TlsEnumeration:
        return replace(enumeration(address=endpoint.address), endpoint=endpoint)

    monkeypatch.setattr(tls, "enumerate_tls", enumerate_tls or modern)
    monkeypatch.setattr(tls, "worker_pool", worker_pool)
    engine = Engine(config, families=[tls.TlsFamily()], dns=dns)  # type: ignore[arg-type]

    async def collect() -> list[Finding]:
        events = [event async for event in engine.scan([target])]
        return [event.finding for event in events if isinstance(event, FindingMade)]

    return asyncio.run(collect()), made_up_pool


DOMAIN = "example.test"
MX_TABLE = {
    (DOMAIN, "A"): (V4,),
    (DOMAIN, "AAAA"): (V6,),
    (DOMAIN, "MX"): ("10 mx.example.test.",),
    ("mx.example.test", "A"): ("198.18.8.25",),
    ("mx.example.test", "AAAA"): ("2001:db8:8::25",),
}


def test_every_address_of_every_service_is_tested_and_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a domain with web and mail on both families, scanned on ports 443 and 25
    config = ScanConfig(tls_ports=(443, 25), timeout=2)
    # When the family runs
    findings, pool = run_family(
        monkeypatch, Target(TargetKind.DOMAIN, DOMAIN), MadeUpDns(MX_TABLE), config
    )
    # Then each of the four endpoints got every verdict, with the right name as SNI
    connects = {f.subject: f for f in findings if f.check_id == "tls.connect"}
    assert set(connects) == {
        f"{DOMAIN} {V4}:443",
        f"{DOMAIN} [{V6}]:443",
        "mx.example.test 198.18.8.25:25",
        "mx.example.test [2001:db8:8::25]:25",
    }
    assert connects["mx.example.test 198.18.8.25:25"].evidence["starttls"] == "smtp"
    assert len(findings) == 4 * 23 + 2
    parity = {f.subject: f.status for f in findings if f.check_id == "tls.address_parity"}
    assert parity == {f"{DOMAIN}:443": Status.PASS, "mx.example.test:25": Status.PASS}
    # and only the sslyze jobs that can apply ran: certificate, renegotiation, compression
    assert {test for _a, _p, test in pool.jobs} == {
        "certificate",
        "secure_renegotiation",
        "client_renegotiation",
        "compression",
    }
    assert len(pool.jobs) == 4 * 4


def test_a_failed_mx_lookup_is_an_error_and_the_rest_is_still_tested(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dns = MadeUpDns(MX_TABLE, broken=[(DOMAIN, "MX")])
    config = ScanConfig(tls_ports=(443, 25), timeout=2)
    findings, _ = run_family(monkeypatch, Target(TargetKind.DOMAIN, DOMAIN), dns, config)
    (mx_error,) = [f for f in findings if f.subject == f"{DOMAIN}:25"]
    assert (mx_error.check_id, mx_error.status) == ("tls.connect", Status.ERROR)
    assert any(f.subject == f"{DOMAIN} {V4}:443" for f in findings)


def test_an_enumeration_that_hangs_is_an_error_within_its_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def hangs(endpoint: TlsEndpoint, *, timeout: float) -> TlsEnumeration:
        await asyncio.sleep(3600)
        raise AssertionError("not reached")

    config = ScanConfig(timeout=0.05)
    findings, pool = run_family(
        monkeypatch,
        Target(TargetKind.ADDRESS, V4),
        MadeUpDns({}),
        config,
        enumerate_tls=hangs,
    )
    (finding,) = findings
    assert (finding.check_id, finding.status) == ("tls.connect", Status.ERROR)
    assert finding.evidence["error_kind"] == "timeout"
    assert pool.jobs == []


def test_worker_failures_become_errors_not_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    from netready.net.tls_worker import WorkerTimeoutError

    pool = MadeUpPool(fail_with=WorkerTimeoutError("too slow"))
    findings, _ = run_family(
        monkeypatch,
        Target(TargetKind.ADDRESS, V4),
        MadeUpDns({}),
        ScanConfig(timeout=2),
        pool=pool,
    )
    statuses = {f.check_id: f.status for f in findings}
    for check_id in ("tls.cert.trusted", "tls.renegotiation", "tls.compression"):
        assert statuses[check_id] is Status.ERROR, check_id
    assert statuses["tls.connect"] is Status.PASS
    assert statuses["tls.vuln.heartbleed"] is Status.PASS  # not applicable, not run


# --- tls_sslyze's pure parts ----------------------------------------------------------------


def test_the_mozilla_store_loads_quietly_and_does_not_know_the_test_root() -> None:
    # (filterwarnings=error: a root with a serial number RFC 5280 forbids must not warn)
    stores = tls_sslyze._stores(None)
    assert [store.name for store in stores] == ["Mozilla"]
    assert len(stores[0].subjects) > 50
    chain = [PKI.leaf(NAME).pem, PKI.intermediate.pem]
    trust = verify_chain(chain, stores, now=NOW)
    assert not trust.trusted
    assert trust.issuer_missing  # the test root is neither sent nor a Mozilla root
    assert "Mozilla" in trust.errors


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectionRefusedError(111, "refused"), "refused"),
        (ConnectionResetError(104, "reset"), "reset"),
        (TimeoutError("timed out"), "timeout"),
        (ValueError("odd"), "other"),
    ],
)
def test_sslyze_failures_are_sorted_by_kind(error: BaseException, kind: str) -> None:
    failure = tls_sslyze._failure("heartbleed", error)
    assert (failure.test, failure.kind) == ("heartbleed", kind)
    assert type(error).__name__ in failure.message


def test_describe_certificate_reads_what_the_verdicts_need() -> None:
    leaf = PKI.leaf(NAME, ip_addresses=[V4], key=rsa.generate_private_key(65537, 2048))
    facts = describe_certificate(leaf.pem)
    assert facts.dns_names == (NAME,)
    assert facts.ip_addresses == (V4,)
    assert (facts.key_type, facts.key_bits, facts.curve) == ("RSA", 2048, None)
    assert facts.signature_hash == "sha256"
    assert facts.issuer == "CN=netready test intermediate"
    assert not facts.is_ca
    assert not facts.self_issued
    assert len(facts.sha256) == 64
