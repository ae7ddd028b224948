"""Every verdict of the resolver family, from facts made up in the test (no network).

Also the pure parts of `netready.net.dot` the verdicts rest on: certificate facts and
identity matching, the probe query, and reading padding and keepalive from a reply.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from netready.checks import FAMILIES, ON_REQUEST_FAMILIES
from netready.checks.resolver import (
    DEFAULT_BOGUS_NAME,
    DEFAULT_DOH_PATH,
    DEFAULT_SECURE_NAME,
    DOH_AVAILABLE,
    DOT_AVAILABLE,
    DOT_CERTIFICATE,
    VALIDATING,
    DohResult,
    DotProbe,
    ResolverFamily,
    ValidationAnswer,
    evaluate_doh,
    evaluate_dot_available,
    evaluate_dot_certificate,
    evaluate_validation,
    resolver_settings,
)
from netready.config import ScanConfig
from netready.findings import Status
from netready.net.dot import (
    QUERY_PADDING_BLOCK,
    CertificateFacts,
    DnsReply,
    DohExchange,
    DotExchange,
    TlsFacts,
    TransportError,
    TransportErrorKind,
    _dns_reply,
    _doh_reply,
    _doh_url,
    describe_certificate,
    make_probe_query,
)
from netready.targets import parse_target

ADDRESS = "198.18.3.53"
ADDRESS6 = "2001:db8:3::53"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SECURE, BOGUS = "secure.test", "expired.test"

# --- builders -------------------------------------------------------------------------------


def certificate(**changes: Any) -> CertificateFacts:
    facts = CertificateFacts(
        subject="CN=dotres.resolver-lab.test",
        issuer="CN=netready resolver lab CA",
        dns_names=("dotres.resolver-lab.test",),
        ip_addresses=(ADDRESS, ADDRESS6),
        not_before=NOW - timedelta(days=10),
        not_after=NOW + timedelta(days=80),
    )
    return dataclasses.replace(facts, **changes)


def reply(**changes: Any) -> DnsReply:
    facts = DnsReply(
        rcode="NOERROR",
        authenticated=False,
        answers=(". NS ns1.lab-root.",),
        size=468,
        padding=400,
        keepalive=1200,
    )
    return dataclasses.replace(facts, **changes)


def tls(**changes: Any) -> TlsFacts:
    facts = TlsFacts("TLSv1.3", "TLS_AES_256_GCM_SHA384", None, True, certificate())
    return dataclasses.replace(facts, **changes)


def dot_exchange(
    *,
    tls_facts: TlsFacts | None = None,
    dns_reply: DnsReply | None = None,
    failure: TransportError | None = None,
    no_reply: bool = False,
) -> DotExchange:
    answer = None if no_reply else (dns_reply or reply())
    return DotExchange(ADDRESS, 853, tls_facts or tls(), answer, failure, 0.05)


def dot_probe(
    exchange: DotExchange | None = None,
    *,
    verify_error: str | None = None,
    failure: TransportError | None = None,
) -> DotProbe:
    return DotProbe(exchange, verify_error, failure)


def error(kind: TransportErrorKind, message: str = "it went wrong") -> TransportError:
    return TransportError(kind, message)


def doh_exchange(method: str, **changes: Any) -> DohExchange:
    exchange = DohExchange(
        url=f"https://{ADDRESS}/dns-query",
        address=ADDRESS,
        method=method,
        status=200,
        content_type="application/dns-message",
        http_version="HTTP/2",
        tls=tls(),
        reply=reply(keepalive=None),
        problem=None,
        elapsed=0.05,
    )
    return dataclasses.replace(exchange, **changes)


def both_methods(**changes: Any) -> dict[str, DohResult]:
    return {"POST": doh_exchange("POST", **changes), "GET": doh_exchange("GET", **changes)}


# --- the family -----------------------------------------------------------------------------


def test_the_family_is_registered_on_request_and_declares_the_design_ids() -> None:
    family = FAMILIES["resolver"]
    assert isinstance(family, ResolverFamily)
    assert "resolver" in ON_REQUEST_FAMILIES
    # DESIGN.md's ids, spelled out: a renamed constant must not rename a released id
    assert [spec.check_id for spec in family.checks] == [
        "dns.resolver.validating",
        "dot.available",
        "dot.certificate",
        "doh.available",
    ]


@pytest.mark.parametrize(
    ("text", "applies"),
    [("198.18.3.53", True), ("2001:db8:3::53", True), ("example.test", False),
     ("198.18.3.0/28", False)],
)  # fmt: skip
def test_the_family_applies_to_addresses_only(text: str, applies: bool) -> None:
    assert ResolverFamily().applies_to(parse_target(text)) is applies


def test_settings_default_to_the_module_defaults() -> None:
    assert resolver_settings(ScanConfig()) == (
        DEFAULT_SECURE_NAME,
        DEFAULT_BOGUS_NAME,
        DEFAULT_DOH_PATH,
    )


def test_settings_come_from_the_config_once_it_has_them() -> None:
    config = SimpleNamespace(
        validation_secure_name="secure.test", validation_bogus_name="expired.test", doh_path="/q"
    )
    assert resolver_settings(config) == ("secure.test", "expired.test", "/q")  # type: ignore[arg-type]


# --- dns.resolver.validating ----------------------------------------------------------------


def answer(
    name: str, rcode: str | None, *, ad: bool = False, records: tuple[str, ...] = ()
) -> ValidationAnswer:
    error_text = "no reply within 2 s" if rcode is None else ""
    return ValidationAnswer(name, rcode, authenticated=ad, records=records, error=error_text)


def test_servfail_for_bogus_and_ad_for_secure_is_a_validating_resolver() -> None:
    finding = evaluate_validation(
        ADDRESS,
        answer(SECURE, "NOERROR", ad=True, records=("198.18.3.80",)),
        answer(BOGUS, "SERVFAIL"),
    )
    assert finding.status is Status.PASS
    assert finding.check_id == VALIDATING
    assert (finding.target, finding.subject) == (ADDRESS, ADDRESS)
    assert finding.evidence["secure"] == {
        "rcode": "NOERROR",
        "ad": True,
        "records": ["198.18.3.80"],
        "error": None,
    }
    assert finding.evidence["bogus_name"] == BOGUS


@pytest.mark.parametrize("secure_ad", [True, False])
def test_returning_the_bogus_data_fails_whatever_the_secure_answer(secure_ad: bool) -> None:
    finding = evaluate_validation(
        ADDRESS,
        answer(SECURE, "NOERROR", ad=secure_ad),
        answer(BOGUS, "NOERROR", records=("198.18.3.81",)),
    )
    assert finding.status is Status.FAIL
    assert "198.18.3.81" in finding.summary
    assert "does not validate" in finding.summary


def test_refusing_bogus_data_without_setting_ad_is_a_warning() -> None:
    finding = evaluate_validation(ADDRESS, answer(SECURE, "NOERROR"), answer(BOGUS, "SERVFAIL"))
    assert finding.status is Status.WARNING
    assert "AD" in finding.summary


@pytest.mark.parametrize(
    ("secure", "bogus"),
    [
        (answer(SECURE, "NOERROR", ad=True), answer(BOGUS, None)),  # no reply for bogus
        (answer(SECURE, "NOERROR", ad=True), answer(BOGUS, "NXDOMAIN")),  # wrong test name
        (answer(SECURE, "REFUSED"), answer(BOGUS, "REFUSED")),  # not open to us
        (answer(SECURE, "SERVFAIL"), answer(BOGUS, "SERVFAIL")),  # fails everything
        (answer(SECURE, None), answer(BOGUS, "SERVFAIL")),  # no reply for secure
        (answer(SECURE, "NXDOMAIN"), answer(BOGUS, "SERVFAIL")),
    ],
)
def test_anything_else_is_an_error_never_a_verdict(
    secure: ValidationAnswer, bogus: ValidationAnswer
) -> None:
    finding = evaluate_validation(ADDRESS, secure, bogus)
    assert finding.status is Status.ERROR
    assert finding.summary.startswith("Could not tell")


def test_no_reply_is_explained_in_the_summary() -> None:
    finding = evaluate_validation(ADDRESS, answer(SECURE, None), answer(BOGUS, None))
    assert "no reply within 2 s" in finding.summary


# --- dot.available --------------------------------------------------------------------------


def test_an_answer_over_authenticated_tls_passes() -> None:
    finding = evaluate_dot_available(ADDRESS, dot_probe(dot_exchange()))
    assert finding.status is Status.PASS
    assert finding.check_id == DOT_AVAILABLE
    assert finding.subject == f"{ADDRESS}:853"
    assert finding.evidence["authenticated"] is True
    assert finding.evidence["tls_version"] == "TLSv1.3"
    assert finding.evidence["rcode"] == "NOERROR"
    assert "certificate verified" in finding.summary


def test_an_answer_over_unauthenticated_tls_still_passes_and_says_so() -> None:
    probe = dot_probe(dot_exchange(tls_facts=tls(verified=False)), verify_error="self-signed")
    finding = evaluate_dot_available(ADDRESS, probe)
    assert finding.status is Status.PASS
    assert finding.evidence["authenticated"] is False
    assert "NOT verified" in finding.summary


def test_an_ipv6_subject_is_bracketed() -> None:
    finding = evaluate_dot_available(ADDRESS6, dot_probe(dot_exchange()))
    assert finding.subject == f"[{ADDRESS6}]:853"


@pytest.mark.parametrize(("rcode", "status"), [("SERVFAIL", Status.WARNING),
                                               ("REFUSED", Status.FAIL)])  # fmt: skip
def test_an_answer_other_than_noerror(rcode: str, status: Status) -> None:
    finding = evaluate_dot_available(ADDRESS, dot_probe(dot_exchange(dns_reply=reply(rcode=rcode))))
    assert finding.status is status
    assert rcode in finding.summary


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TransportErrorKind.REFUSED, Status.FAIL),
        (TransportErrorKind.TLS, Status.FAIL),
        (TransportErrorKind.PROTOCOL, Status.FAIL),
        (TransportErrorKind.TIMEOUT, Status.ERROR),
        (TransportErrorKind.UNREACHABLE, Status.ERROR),
        (TransportErrorKind.OTHER, Status.ERROR),
    ],
)
def test_no_tls_session(kind: TransportErrorKind, status: Status) -> None:
    finding = evaluate_dot_available(ADDRESS, dot_probe(failure=error(kind, "the reason")))
    assert finding.status is status
    assert finding.evidence["error"] == {"kind": kind.value, "message": "the reason"}
    if status is Status.ERROR:
        assert finding.summary.startswith("Could not test")


@pytest.mark.parametrize(
    ("kind", "status"),
    [(TransportErrorKind.TIMEOUT, Status.ERROR), (TransportErrorKind.PROTOCOL, Status.FAIL)],
)
def test_a_session_without_a_dns_answer(kind: TransportErrorKind, status: Status) -> None:
    exchange = dot_exchange(no_reply=True, failure=error(kind, "no DNS answer came"))
    finding = evaluate_dot_available(ADDRESS, dot_probe(exchange))
    assert finding.status is status
    assert "no DNS answer came" in finding.summary


# --- dot.certificate ------------------------------------------------------------------------


def grade_certificate(
    exchange: DotExchange | None = None,
    *,
    verify_error: str | None = None,
    failure: TransportError | None = None,
    names: tuple[str, ...] = (),
    address: str = ADDRESS,
) -> Any:
    probe = dot_probe(exchange, verify_error=verify_error, failure=failure)
    return evaluate_dot_certificate(address, probe, names=names, now=NOW)


def test_a_trusted_certificate_for_the_address_with_a_good_session_passes() -> None:
    finding = grade_certificate(dot_exchange())
    assert finding.status is Status.PASS
    assert finding.check_id == DOT_CERTIFICATE
    evidence = finding.evidence
    assert evidence["strict_validation"] is True
    assert evidence["valid_for"] == ADDRESS
    assert evidence["days_left"] == 80
    assert evidence["tls_version"] == "TLSv1.3"
    assert evidence["padding"] is True
    assert evidence["padding_length"] == 400
    assert evidence["keepalive"] is True
    assert evidence["keepalive_timeout_ms"] == 120_000
    assert evidence["not_after"] == (NOW + timedelta(days=80)).isoformat()
    assert "80 days" in finding.summary


def test_the_ipv6_address_is_matched_too() -> None:
    finding = grade_certificate(dot_exchange(), address=ADDRESS6)
    assert finding.status is Status.PASS
    assert finding.evidence["valid_for"] == ADDRESS6


def test_a_certificate_for_the_resolvers_ptr_name_passes() -> None:
    named_only = tls(certificate=certificate(ip_addresses=(), dns_names=("*.resolver.test",)))
    finding = grade_certificate(dot_exchange(tls_facts=named_only), names=("dns1.resolver.test",))
    assert finding.status is Status.PASS
    assert finding.evidence["valid_for"] == "dns1.resolver.test"


def test_a_trusted_certificate_for_other_names_only_is_a_warning() -> None:
    other = tls(certificate=certificate(ip_addresses=(), dns_names=("dns.example.test",)))
    finding = grade_certificate(dot_exchange(tls_facts=other), names=("ptr.example.test",))
    assert finding.status is Status.WARNING
    assert finding.evidence["strict_validation"] is False
    assert "dns.example.test" in finding.summary
    assert f"{ADDRESS} or ptr.example.test" in finding.summary


def test_an_untrusted_certificate_fails_and_keeps_the_session_facts() -> None:
    exchange = dot_exchange(tls_facts=tls(verified=False))
    finding = grade_certificate(exchange, verify_error="self-signed certificate")
    assert finding.status is Status.FAIL
    assert finding.evidence["trusted"] is False
    assert finding.evidence["strict_validation"] is False
    assert finding.evidence["tls_version"] == "TLSv1.3"
    assert "self-signed certificate" in finding.summary


def test_an_untrusted_certificate_with_no_session_at_all_still_fails() -> None:
    finding = grade_certificate(
        verify_error="unable to get local issuer certificate",
        failure=error(TransportErrorKind.TIMEOUT),
    )
    assert finding.status is Status.FAIL
    assert "unable to get local issuer certificate" in finding.summary


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"not_after": NOW - timedelta(days=1)}, "expired on"),
        ({"not_before": NOW + timedelta(days=1)}, "valid only from"),
    ],
)
def test_a_certificate_outside_its_validity_fails(changes: dict[str, Any], words: str) -> None:
    exchange = dot_exchange(tls_facts=tls(certificate=certificate(**changes)))
    finding = grade_certificate(exchange)
    assert finding.status is Status.FAIL
    assert words in finding.summary


def test_no_readable_certificate_fails() -> None:
    finding = grade_certificate(dot_exchange(tls_facts=tls(certificate=None)))
    assert finding.status is Status.FAIL
    assert "no readable certificate" in finding.summary


@pytest.mark.parametrize(("days", "status"), [(29, Status.WARNING), (30, Status.PASS)])
def test_expiry_within_30_days_is_a_warning(days: int, status: Status) -> None:
    soon = tls(certificate=certificate(not_after=NOW + timedelta(days=days, hours=1)))
    finding = grade_certificate(dot_exchange(tls_facts=soon))
    assert finding.status is status
    assert finding.evidence["days_left"] == days


@pytest.mark.parametrize(
    ("version", "status"),
    [("TLSv1.3", Status.PASS), ("TLSv1.2", Status.INFO), ("TLSv1.1", Status.WARNING)],
)
def test_the_tls_version(version: str, status: Status) -> None:
    finding = grade_certificate(dot_exchange(tls_facts=tls(version=version)))
    assert finding.status is status
    assert finding.evidence["tls_version"] == version


def test_unpadded_replies_are_a_warning() -> None:
    finding = grade_certificate(dot_exchange(dns_reply=reply(padding=None)))
    assert finding.status is Status.WARNING
    assert finding.evidence["padding"] is False
    assert "RFC 8467" in finding.summary


def test_no_keepalive_is_info() -> None:
    finding = grade_certificate(dot_exchange(dns_reply=reply(keepalive=None)))
    assert finding.status is Status.INFO
    assert finding.evidence["keepalive"] is False
    assert "RFC 7828" in finding.summary


def test_without_an_answer_padding_and_keepalive_are_unknown_not_missing() -> None:
    exchange = dot_exchange(no_reply=True, failure=error(TransportErrorKind.TIMEOUT))
    finding = grade_certificate(exchange)
    assert finding.status is Status.INFO
    assert finding.evidence["padding"] is None
    assert finding.evidence["keepalive"] is None


def test_the_worst_problem_decides_and_comes_first_in_the_summary() -> None:
    exchange = dot_exchange(
        tls_facts=tls(version="TLSv1.2", verified=False),
        dns_reply=reply(padding=None, keepalive=None),
    )
    finding = grade_certificate(exchange, verify_error="self-signed certificate")
    assert finding.status is Status.FAIL
    summary = finding.summary
    assert summary.index("not trusted") < summary.index("not padded") < summary.index("TLS 1.2")


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TransportErrorKind.REFUSED, Status.INFO),
        (TransportErrorKind.TLS, Status.INFO),
        (TransportErrorKind.TIMEOUT, Status.ERROR),
        (TransportErrorKind.UNREACHABLE, Status.ERROR),
    ],
)
def test_without_a_dot_service(kind: TransportErrorKind, status: Status) -> None:
    finding = grade_certificate(failure=error(kind))
    assert finding.status is status


# --- doh.available --------------------------------------------------------------------------


def test_both_methods_answering_with_a_matching_certificate_passes() -> None:
    finding = evaluate_doh(ADDRESS, both_methods())
    assert finding.status is Status.PASS
    assert finding.check_id == DOH_AVAILABLE
    assert finding.subject == f"https://{ADDRESS}/dns-query"
    assert finding.evidence["valid_for"] == ADDRESS
    assert finding.evidence["tls_version"] == "TLSv1.3"
    assert finding.evidence["methods"]["GET"] == {
        "outcome": "works",
        "status": 200,
        "content_type": "application/dns-message",
        "http_version": "HTTP/2",
        "rcode": "NOERROR",
        "padding": True,
        "problem": None,
    }


def test_the_configured_path_and_an_ipv6_address_make_the_subject() -> None:
    finding = evaluate_doh(ADDRESS6, both_methods(), path="/resolve")
    assert finding.subject == f"https://[{ADDRESS6}]/resolve"


@pytest.mark.parametrize(
    "broken",
    [
        dict(status=404, reply=None, problem="HTTP status 404"),
        dict(content_type="text/html", reply=None, problem="the response is text/html"),
        dict(reply=reply(rcode="REFUSED")),
    ],
)
def test_one_method_failing_is_a_warning(broken: dict[str, Any]) -> None:
    results: dict[str, DohResult] = {
        "POST": doh_exchange("POST"),
        "GET": doh_exchange("GET", **broken),
    }
    finding = evaluate_doh(ADDRESS, results)
    assert finding.status is Status.WARNING
    assert "GET fails" in finding.summary
    assert "RFC 8484" in finding.summary


def test_one_method_untested_is_info() -> None:
    results: dict[str, DohResult] = {
        "POST": doh_exchange("POST"),
        "GET": error(TransportErrorKind.TIMEOUT, "timed out"),
    }
    finding = evaluate_doh(ADDRESS, results)
    assert finding.status is Status.INFO
    assert "GET could not be tested" in finding.summary


def test_a_certificate_for_other_names_is_a_warning() -> None:
    other = tls(certificate=certificate(ip_addresses=(), dns_names=("doh.example.test",)))
    finding = evaluate_doh(ADDRESS, both_methods(tls=other))
    assert finding.status is Status.WARNING
    assert finding.evidence["valid_for"] is None
    assert "not valid for" in finding.summary


def test_a_certificate_for_the_ptr_name_passes() -> None:
    named = tls(certificate=certificate(ip_addresses=(), dns_names=("doh.example.test",)))
    finding = evaluate_doh(ADDRESS, both_methods(tls=named), names=("doh.example.test",))
    assert finding.status is Status.PASS


def test_servfail_answers_are_a_warning() -> None:
    finding = evaluate_doh(ADDRESS, both_methods(reply=reply(rcode="SERVFAIL")))
    assert finding.status is Status.WARNING
    assert "SERVFAIL" in finding.summary


@pytest.mark.parametrize(
    "result",
    [
        error(TransportErrorKind.REFUSED, "refused the connection"),
        error(TransportErrorKind.CERTIFICATE, "did not verify: self-signed certificate"),
        error(TransportErrorKind.TLS, "TLS failed"),
        error(TransportErrorKind.PROTOCOL, "broke HTTP"),
    ],
)
def test_a_transport_failure_of_post_fails(result: TransportError) -> None:
    finding = evaluate_doh(ADDRESS, {"POST": result})  # GET is not tried after it
    assert finding.status is Status.FAIL
    assert result.message in finding.summary
    assert finding.evidence["methods"]["POST"]["error"]["kind"] == result.kind.value


def test_http_errors_for_both_methods_fail() -> None:
    finding = evaluate_doh(ADDRESS, both_methods(status=404, reply=None, problem="HTTP status 404"))
    assert finding.status is Status.FAIL
    assert "HTTP status 404" in finding.summary


@pytest.mark.parametrize("kind", [TransportErrorKind.TIMEOUT, TransportErrorKind.UNREACHABLE])
def test_doh_that_cannot_be_tested_is_an_error(kind: TransportErrorKind) -> None:
    finding = evaluate_doh(ADDRESS, {"POST": error(kind, "no answer within 2 s")})
    assert finding.status is Status.ERROR
    assert "no answer within 2 s" in finding.summary


# --- net.dot: certificates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identity", "valid"),
    [
        (ADDRESS, True),
        ("2001:0db8:0003:0000:0000:0000:0000:0053", True),  # any spelling of the address
        ("198.18.3.54", False),
        ("dotres.resolver-lab.test", True),
        ("DOTRES.Resolver-Lab.test.", True),
        ("other.resolver-lab.test", False),
    ],
)
def test_valid_for_matches_addresses_and_names(identity: str, valid: bool) -> None:
    assert certificate().valid_for(identity) is valid


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("dns.example.test", True),
        ("a.dns.example.test", False),  # a wildcard stands for one label only
        ("example.test", False),  # and for exactly one
    ],
)
def test_a_wildcard_covers_exactly_one_left_most_label(name: str, valid: bool) -> None:
    assert certificate(dns_names=("*.example.test",)).valid_for(name) is valid


def test_a_dns_name_that_looks_like_an_address_is_not_an_address() -> None:
    facts = certificate(dns_names=(ADDRESS,), ip_addresses=())
    assert facts.valid_for(ADDRESS) is False


def test_describe_certificate_reads_a_real_certificate() -> None:
    der = _make_certificate(
        names=["dns.example.test"],
        addresses=[ADDRESS, ADDRESS6],
        not_after=NOW + timedelta(days=90),
    )
    facts = describe_certificate(der)
    assert facts is not None
    assert facts.subject == "CN=dns.example.test"
    assert facts.dns_names == ("dns.example.test",)
    assert facts.ip_addresses == (ADDRESS, ADDRESS6)
    assert facts.not_after == NOW + timedelta(days=90)
    assert facts.valid_for(ADDRESS6)


def test_describe_certificate_without_san_names_nothing() -> None:
    facts = describe_certificate(_make_certificate(names=[], addresses=[], not_after=NOW))
    assert facts is not None
    assert (facts.dns_names, facts.ip_addresses) == ((), ())
    assert not facts.valid_for("dns.example.test")  # the CN alone does not count


def test_describe_certificate_of_garbage_is_none() -> None:
    assert describe_certificate(b"not a certificate") is None


def _make_certificate(*, names: list[str], addresses: list[str], not_after: datetime) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dns.example.test")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(not_after)
    )
    entries: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    entries += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
    if entries:
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


# --- net.dot: queries and replies -----------------------------------------------------------


def _option_types(message: dns.message.Message) -> list[int]:
    # as sent: dnspython adds the padding option only when it writes the wire form
    return [int(option.otype) for option in dns.message.from_wire(message.to_wire()).options]


def test_the_dot_query_is_padded_and_asks_for_keepalive() -> None:
    query = make_probe_query()
    assert len(query.to_wire()) % QUERY_PADDING_BLOCK == 0
    assert dns.edns.OptionType.KEEPALIVE in _option_types(query)
    assert dns.edns.OptionType.PADDING in _option_types(query)


def test_the_doh_query_has_id_0_and_no_keepalive() -> None:
    query = make_probe_query(for_doh=True)
    assert query.id == 0
    assert dns.edns.OptionType.KEEPALIVE not in _option_types(query)
    assert len(query.to_wire()) % QUERY_PADDING_BLOCK == 0


def _reply_to(query: dns.message.Message, options: list[dns.edns.Option]) -> bytes:
    response = dns.message.make_response(query)
    response.use_edns(0, options=options)
    response.flags |= dns.flags.AD
    return response.to_wire()


def test_a_reply_reports_padding_and_keepalive() -> None:
    query = make_probe_query()
    wire = _reply_to(
        query,
        [
            dns.edns.GenericOption(dns.edns.OptionType.KEEPALIVE, (1200).to_bytes(2, "big")),
            dns.edns.GenericOption(dns.edns.OptionType.PADDING, b"\0" * 100),
        ],
    )
    parsed = _dns_reply(query, wire)
    assert parsed.rcode == "NOERROR"
    assert parsed.authenticated is True
    assert (parsed.padding, parsed.keepalive) == (100, 1200)
    assert parsed.size == len(wire)


def test_a_reply_without_options_has_neither() -> None:
    query = make_probe_query()
    parsed = _dns_reply(query, _reply_to(query, []))
    assert (parsed.padding, parsed.keepalive) == (None, None)


def test_a_reply_to_another_question_is_refused() -> None:
    query = make_probe_query()
    other = dns.message.make_query("example.test.", "A")
    with pytest.raises(ValueError, match="does not match"):
        _dns_reply(query, _reply_to(other, []))
    with pytest.raises(ValueError, match="not a DNS message"):
        _dns_reply(query, b"\x00\x01garbage")


@pytest.mark.parametrize(
    ("status", "content_type", "problem"),
    [
        (404, "application/dns-message", "HTTP status 404"),
        (200, "text/html; charset=utf-8", "text/html, not application/dns-message"),
        (200, "", "untyped"),
    ],
)
def test_a_doh_response_that_is_not_an_answer(status: int, content_type: str, problem: str) -> None:
    query = make_probe_query(for_doh=True)
    parsed, found = _doh_reply(query, status, content_type, _reply_to(query, []))
    assert parsed is None
    assert found is not None
    assert problem in found


def test_a_doh_answer_with_parameters_in_its_content_type_is_read() -> None:
    query = make_probe_query(for_doh=True)
    parsed, problem = _doh_reply(query, 200, "Application/DNS-Message; q=1", _reply_to(query, []))
    assert problem is None
    assert parsed is not None
    assert parsed.rcode == dns.rcode.to_text(dns.rcode.NOERROR)


@pytest.mark.parametrize(
    ("address", "path", "url"),
    [
        ("198.18.3.53", "/dns-query", "https://198.18.3.53/dns-query"),
        ("2001:db8:3::53", "dns-query", "https://[2001:db8:3::53]/dns-query"),
    ],
)
def test_the_doh_url_names_the_address(address: str, path: str, url: str) -> None:
    assert _doh_url(address, path) == url
