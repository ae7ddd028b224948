"""Every verdict of `dns.resolve`, from answers made up in the test (no network)."""

from __future__ import annotations

import pytest

from netready.checks.dns import RECORD_TYPES, evaluate_resolution
from netready.findings import Status
from netready.net.dns import DnsAnswer, DnsOutcome

NAME = "example.test"


def answers(**records: tuple[str, ...] | DnsOutcome) -> dict[str, DnsAnswer]:
    """Answers for every record type: NODATA unless given records or an outcome."""
    result = {}
    for rdtype in RECORD_TYPES:
        given = records.get(rdtype.lower(), ())
        if isinstance(given, DnsOutcome):
            result[rdtype] = DnsAnswer(NAME, rdtype, given, detail=f"{given} detail")
        elif given:
            result[rdtype] = DnsAnswer(NAME, rdtype, DnsOutcome.ANSWER, records=given)
        else:
            result[rdtype] = DnsAnswer(NAME, rdtype, DnsOutcome.NODATA)
    return result


def test_a_name_with_addresses_passes_and_lists_them_as_evidence() -> None:
    finding = evaluate_resolution(
        NAME,
        answers(a=("198.18.0.80",), aaaa=("2001:db8::80",), mx=("10 mail.example.test.",)),
        resolvers=("198.18.0.53",),
    )
    assert finding.status is Status.PASS
    assert finding.check_id == "dns.resolve"
    assert finding.evidence["a"] == ["198.18.0.80"]
    assert finding.evidence["aaaa"] == ["2001:db8::80"]
    assert finding.evidence["mx"] == ["10 mail.example.test."]
    assert finding.evidence["resolvers"] == ["198.18.0.53"]
    assert "1 IPv4 address, 1 IPv6 address, no name servers, 1 mail server" in finding.summary


def test_nxdomain_fails() -> None:
    finding = evaluate_resolution(NAME, answers(a=DnsOutcome.NXDOMAIN, aaaa=DnsOutcome.NXDOMAIN))
    assert finding.status is Status.FAIL
    assert "does not exist" in finding.summary


@pytest.mark.parametrize("outcome", [DnsOutcome.TIMEOUT, DnsOutcome.SERVFAIL, DnsOutcome.ERROR])
def test_an_inconclusive_lookup_is_an_error_never_a_pass(outcome: DnsOutcome) -> None:
    finding = evaluate_resolution(NAME, answers(a=("198.18.0.80",), mx=outcome))
    assert finding.status is Status.ERROR
    assert "MX" in finding.summary
    assert finding.evidence["failures"]["mx"]["outcome"] == outcome.value


def test_mail_only_domain_is_info() -> None:
    finding = evaluate_resolution(NAME, answers(mx=("10 mail.example.test.",)))
    assert finding.status is Status.INFO


def test_a_name_with_nothing_is_a_warning() -> None:
    assert evaluate_resolution(NAME, answers()).status is Status.WARNING


def test_an_alias_reports_its_canonical_name() -> None:
    aliased = {
        rdtype: DnsAnswer(
            "alias.example.test",
            rdtype,
            DnsOutcome.ANSWER if rdtype == "A" else DnsOutcome.NODATA,
            records=("198.18.0.80",) if rdtype == "A" else (),
            canonical_name="www.example.test",
        )
        for rdtype in RECORD_TYPES
    }
    finding = evaluate_resolution("alias.example.test", aliased)
    assert finding.evidence["canonical_name"] == "www.example.test"
