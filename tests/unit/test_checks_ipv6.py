"""Every verdict of the ipv6 family, from facts made up in the test (no network).

The first part grades facts with the pure `evaluate_*` functions, verdict by verdict. The
second part runs the whole family against an in-process stand-in context (DNS answers from a
dict) and stand-in transports (named as such), to check the wiring: what is probed, the
once-per-scan client fact, and that a machine without IPv6 makes errors, never failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from netready.checks import FAMILIES
from netready.checks.ipv6 import (
    Ipv6Family,
    Transports,
    client_from_attempts,
    configured_probe,
    has_ipv6_addresses,
)
from netready.checks.ipv6_verdicts import (
    CLIENT,
    MX_AAAA,
    MX_REACHABLE,
    NS_AAAA,
    NS_REACHABLE,
    WEB_AAAA,
    WEB_PARITY,
    WEB_REACHABLE,
    Attempt,
    ClientFacts,
    ClientState,
    Connection,
    DomainFacts,
    Endpoint,
    HostAddresses,
    MailFacts,
    Page,
    ParityOutcome,
    ReachFacts,
    Reply,
    WebFacts,
    WebFetch,
    ZoneFacts,
    client_state,
    compare_pages,
    evaluate_client,
    evaluate_mx_aaaa,
    evaluate_mx_reachable,
    evaluate_ns_aaaa,
    evaluate_ns_reachable,
    evaluate_web_aaaa,
    evaluate_web_parity,
    evaluate_web_reachable,
    page_similarity,
    page_title,
)
from netready.config import ConfigError, ScanConfig
from netready.findings import Finding, Status
from netready.net import http as http_client
from netready.net import tcp
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.local import Route
from netready.targets import Target, TargetKind

T = TypeVar("T")
TARGET = "example.test"
WEB6 = "2001:db8::80"
WEB4 = "198.18.0.80"


def answer(name: str, rdtype: str, records: Sequence[str] | DnsOutcome = ()) -> DnsAnswer:
    if isinstance(records, DnsOutcome):
        return DnsAnswer(name, rdtype, records, detail=f"{records.value} for {name}")
    outcome = DnsOutcome.ANSWER if records else DnsOutcome.NODATA
    return DnsAnswer(name, rdtype, outcome, records=tuple(records))


def host(
    name: str,
    a: Sequence[str] | DnsOutcome = (),
    aaaa: Sequence[str] | DnsOutcome = (),
) -> HostAddresses:
    return HostAddresses(name, answer(name, "A", a), answer(name, "AAAA", aaaa))


def missing(name: str) -> HostAddresses:
    return host(name, DnsOutcome.NXDOMAIN, DnsOutcome.NXDOMAIN)


def web(apex: HostAddresses, www: HostAddresses | None = None) -> WebFacts:
    return WebFacts(apex, www if www is not None else missing(f"www.{apex.name}"))


def working_client(first_target: str = TARGET) -> ClientFacts:
    endpoint = Endpoint("2001:db8::53", 53)
    return ClientFacts(
        first_target,
        configured=True,
        endpoints=(endpoint,),
        supported=True,
        routes=(Route("2001:db8::53", "2001:db8::100"),),
        connections=(Connection(endpoint, True, "connected in 0.01 s"),),
    )


def no_route_client() -> ClientFacts:
    return ClientFacts(
        TARGET,
        configured=True,
        endpoints=(Endpoint("2001:db8::53", 53),),
        supported=True,
        routes=(Route("2001:db8::53", None, "no route to 2001:db8::53: Network is unreachable"),),
    )


def unconfirmed_client() -> ClientFacts:
    endpoint = Endpoint(WEB6, 443)
    return ClientFacts(
        TARGET,
        configured=False,
        endpoints=(endpoint,),
        supported=True,
        routes=(Route(WEB6, "2001:db8::100"),),
        connections=(Connection(endpoint, False, "no answer within 2 s"),),
    )


def statuses(findings: Sequence[Finding]) -> dict[str, Status]:
    return {finding.subject: finding.status for finding in findings}


# --- ipv6.web.aaaa --------------------------------------------------------------------------


def test_web_aaaa_passes_when_the_domain_and_www_have_aaaa() -> None:
    finding = evaluate_web_aaaa(
        web(host(TARGET, [WEB4], [WEB6]), host(f"www.{TARGET}", [WEB4], [WEB6])), target=TARGET
    )
    assert finding.status is Status.PASS
    assert finding.check_id == WEB_AAAA
    assert finding.subject == TARGET
    assert finding.evidence["names"] == {
        TARGET: {"a": [WEB4], "aaaa": [WEB6]},
        f"www.{TARGET}": {"a": [WEB4], "aaaa": [WEB6]},
    }
    assert WEB6 in finding.summary


def test_web_aaaa_passes_without_www_and_says_www_does_not_exist() -> None:
    finding = evaluate_web_aaaa(web(host(TARGET, [WEB4], [WEB6])), target=TARGET)
    assert finding.status is Status.PASS
    assert finding.evidence["names"][f"www.{TARGET}"]["exists"] is False


def test_web_aaaa_fails_when_no_web_name_has_aaaa() -> None:
    finding = evaluate_web_aaaa(
        web(host(TARGET, [WEB4]), host(f"www.{TARGET}", [WEB4])), target=TARGET
    )
    assert finding.status is Status.FAIL
    assert "IPv6-only" in finding.summary
    assert finding.evidence["names"][TARGET] == {"a": [WEB4], "aaaa": []}


def test_web_aaaa_warns_when_only_one_of_the_names_has_aaaa() -> None:
    finding = evaluate_web_aaaa(
        web(host(TARGET, [WEB4], [WEB6]), host(f"www.{TARGET}", [WEB4])), target=TARGET
    )
    assert finding.status is Status.WARNING
    assert f"www.{TARGET} does not" in finding.summary


def test_web_aaaa_ignores_a_www_name_without_addresses() -> None:
    # www exists (e.g. only TXT) but serves nothing: the domain alone decides
    finding = evaluate_web_aaaa(
        web(host(TARGET, [WEB4], [WEB6]), host(f"www.{TARGET}")), target=TARGET
    )
    assert finding.status is Status.PASS


def test_web_aaaa_is_info_when_nothing_serves_the_web() -> None:
    finding = evaluate_web_aaaa(web(host(TARGET)), target=TARGET)
    assert finding.status is Status.INFO
    assert "no web site" in finding.summary


def test_web_aaaa_is_an_error_when_the_domain_does_not_exist() -> None:
    finding = evaluate_web_aaaa(web(missing(TARGET)), target=TARGET)
    assert finding.status is Status.ERROR
    assert "NXDOMAIN" in finding.summary


@pytest.mark.parametrize("outcome", [DnsOutcome.TIMEOUT, DnsOutcome.SERVFAIL, DnsOutcome.ERROR])
def test_web_aaaa_is_an_error_when_a_lookup_fails(outcome: DnsOutcome) -> None:
    finding = evaluate_web_aaaa(
        web(host(TARGET, [WEB4], [WEB6]), host(f"www.{TARGET}", [WEB4], outcome)), target=TARGET
    )
    assert finding.status is Status.ERROR
    assert f"www.{TARGET}" in finding.summary
    assert finding.evidence["names"][f"www.{TARGET}"]["lookup_error"]


def test_a_www_target_is_not_given_another_www() -> None:
    facts = WebFacts(host(f"www.{TARGET}", [WEB4], [WEB6]), None)
    finding = evaluate_web_aaaa(facts, target=f"www.{TARGET}")
    assert finding.status is Status.PASS
    assert list(finding.evidence["names"]) == [f"www.{TARGET}"]


# --- ipv6.ns.aaaa ---------------------------------------------------------------------------


def zone(*servers: HostAddresses, name: str = TARGET) -> ZoneFacts:
    return ZoneFacts(name, servers)


NS1 = host("ns1.example.test", ["198.18.0.10"], ["2001:db8::10"])
NS2 = host("ns2.example.test", ["198.18.0.11"], ["2001:db8::11"])
NS2_V4 = host("ns2.example.test", ["198.18.0.11"])


def test_ns_aaaa_passes_with_two_name_servers_with_aaaa() -> None:
    finding = evaluate_ns_aaaa(zone(NS1, NS2), target=f"www.{TARGET}")
    assert finding.status is Status.PASS
    assert finding.subject == TARGET  # the zone
    assert finding.target == f"www.{TARGET}"
    assert finding.evidence["name_servers"]["ns1.example.test"]["aaaa"] == ["2001:db8::10"]


def test_ns_aaaa_passes_with_two_of_three_and_names_the_one_without() -> None:
    finding = evaluate_ns_aaaa(
        zone(NS1, NS2, host("ns3.example.test", ["198.18.0.12"])), target=TARGET
    )
    assert finding.status is Status.PASS
    assert "ns3.example.test has none" in finding.summary


def test_ns_aaaa_fails_with_only_one_name_server_with_aaaa() -> None:
    finding = evaluate_ns_aaaa(zone(NS1, NS2_V4), target=TARGET)
    assert finding.status is Status.FAIL
    assert "Only ns1.example.test" in finding.summary


def test_ns_aaaa_fails_with_a_single_name_server_even_with_aaaa() -> None:
    assert evaluate_ns_aaaa(zone(NS1), target=TARGET).status is Status.FAIL


def test_ns_aaaa_fails_when_no_name_server_has_aaaa() -> None:
    finding = evaluate_ns_aaaa(
        zone(host("ns1.example.test", ["198.18.0.10"]), NS2_V4), target=TARGET
    )
    assert finding.status is Status.FAIL
    assert "None of the 2 name servers" in finding.summary


def test_ns_aaaa_counts_a_missing_name_server_as_one_without_aaaa() -> None:
    finding = evaluate_ns_aaaa(zone(NS1, missing("ns2.example.test")), target=TARGET)
    assert finding.status is Status.FAIL


def test_ns_aaaa_is_an_error_when_a_failed_lookup_could_change_the_verdict() -> None:
    unknown = host("ns2.example.test", ["198.18.0.11"], DnsOutcome.TIMEOUT)
    finding = evaluate_ns_aaaa(zone(NS1, unknown), target=TARGET)
    assert finding.status is Status.ERROR
    assert "ns2.example.test" in finding.summary


def test_ns_aaaa_passes_despite_a_failed_lookup_that_cannot_change_it() -> None:
    unknown = host("ns3.example.test", ["198.18.0.12"], DnsOutcome.TIMEOUT)
    assert evaluate_ns_aaaa(zone(NS1, NS2, unknown), target=TARGET).status is Status.PASS


def test_ns_aaaa_is_an_error_when_the_zone_is_not_found() -> None:
    finding = evaluate_ns_aaaa(ZoneFacts(None, error="NS lookup for x failed"), target=TARGET)
    assert finding.status is Status.ERROR
    assert finding.subject == TARGET
    assert "NS lookup for x failed" in finding.summary


# --- ipv6.mx.aaaa ---------------------------------------------------------------------------

MAIL = host("mail.example.test", ["198.18.0.25"], ["2001:db8::25"])
MAIL4 = host("mail4.example.test", ["198.18.0.26"])


def mail(*hosts: HostAddresses, records: Sequence[str] | DnsOutcome | None = None) -> MailFacts:
    if records is None:
        records = [f"{10 * (i + 1)} {h.name}." for i, h in enumerate(hosts)]
    return MailFacts(answer(TARGET, "MX", records), hosts)


def test_mx_aaaa_passes_when_every_mx_host_has_aaaa() -> None:
    finding = evaluate_mx_aaaa(mail(MAIL), target=TARGET)
    assert finding.status is Status.PASS
    assert finding.evidence["mx"] == ["10 mail.example.test."]
    assert finding.evidence["hosts"]["mail.example.test"]["aaaa"] == ["2001:db8::25"]


def test_mx_aaaa_fails_when_no_mx_host_has_aaaa() -> None:
    finding = evaluate_mx_aaaa(mail(MAIL4), target=TARGET)
    assert finding.status is Status.FAIL
    assert "mail4.example.test" in finding.summary


def test_mx_aaaa_warns_when_some_mx_hosts_have_aaaa() -> None:
    finding = evaluate_mx_aaaa(mail(MAIL, MAIL4), target=TARGET)
    assert finding.status is Status.WARNING
    assert finding.summary.startswith("mail4.example.test has no IPv6")


def test_mx_aaaa_counts_a_missing_mx_host_as_one_without_aaaa() -> None:
    assert evaluate_mx_aaaa(mail(missing("gone.example.test")), target=TARGET).status is Status.FAIL


def test_mx_aaaa_is_info_without_mx_records() -> None:
    finding = evaluate_mx_aaaa(mail(records=[]), target=TARGET)
    assert finding.status is Status.INFO
    assert "no MX records" in finding.summary


def test_mx_aaaa_is_info_for_a_null_mx() -> None:
    finding = evaluate_mx_aaaa(mail(records=["0 ."]), target=TARGET)
    assert finding.status is Status.INFO
    assert "null MX" in finding.summary


@pytest.mark.parametrize("outcome", [DnsOutcome.TIMEOUT, DnsOutcome.NXDOMAIN])
def test_mx_aaaa_is_an_error_when_the_mx_lookup_fails_or_the_domain_is_missing(
    outcome: DnsOutcome,
) -> None:
    assert evaluate_mx_aaaa(mail(records=outcome), target=TARGET).status is Status.ERROR


def test_mx_aaaa_is_an_error_when_an_mx_host_lookup_fails() -> None:
    unknown = host("mail2.example.test", ["198.18.0.27"], DnsOutcome.SERVFAIL)
    assert evaluate_mx_aaaa(mail(MAIL, unknown), target=TARGET).status is Status.ERROR


# --- ipv6.client ----------------------------------------------------------------------------


def test_client_passes_with_a_global_source_and_a_connection() -> None:
    finding = evaluate_client(working_client())
    assert finding.status is Status.PASS
    assert finding.check_id == CLIENT
    assert finding.subject == "this machine"
    assert finding.target == TARGET
    assert finding.evidence["state"] == "working"
    assert finding.evidence["probe"] == "configured"
    assert finding.evidence["routes"] == [
        {
            "destination": "2001:db8::53",
            "source": "2001:db8::100",
            "source_scope": "global",
            "error": "",
        }
    ]
    assert "from 2001:db8::100" in finding.summary


def test_client_fails_without_an_ipv6_stack() -> None:
    facts = ClientFacts(TARGET, False, (Endpoint(WEB6, 443),), supported=False)
    finding = evaluate_client(facts)
    assert finding.status is Status.FAIL
    assert "cannot make IPv6 sockets" in finding.summary


def test_client_fails_without_a_route() -> None:
    finding = evaluate_client(no_route_client())
    assert finding.status is Status.FAIL
    assert "no route to 2001:db8::53" in finding.summary


@pytest.mark.parametrize("source", ["fd00::2", "fe80::1"])
def test_client_fails_without_a_global_source_address(source: str) -> None:
    facts = ClientFacts(TARGET, False, (Endpoint(WEB6, 443),), True, routes=(Route(WEB6, source),))
    finding = evaluate_client(facts)
    assert finding.status is Status.FAIL
    assert f"no global IPv6 address: the route to {WEB6} would send from {source}" in (
        finding.summary
    )


def test_client_fails_when_a_configured_probe_address_does_not_answer() -> None:
    endpoint = Endpoint("2001:db8::53", 53)
    facts = ClientFacts(
        TARGET,
        configured=True,
        endpoints=(endpoint,),
        supported=True,
        routes=(Route("2001:db8::53", "2001:db8::100"),),
        connections=(Connection(endpoint, False, "no answer within 2 s"),),
    )
    assert client_state(facts)[0] is ClientState.NONE
    assert evaluate_client(facts).status is Status.FAIL


def test_client_is_an_error_when_none_of_the_targets_addresses_answers() -> None:
    facts = unconfirmed_client()
    assert client_state(facts)[0] is ClientState.UNCONFIRMED
    finding = evaluate_client(facts)
    assert finding.status is Status.ERROR
    assert "--ipv6-probe" in finding.summary
    assert finding.evidence["probe"] == "targets"


def test_a_target_needs_the_client_fact_only_with_ipv6_addresses() -> None:
    with_mail6 = DomainFacts(TARGET, web(host(TARGET, [WEB4])), zone(NS2_V4), mail(MAIL))
    assert has_ipv6_addresses(with_mail6)
    without = DomainFacts(TARGET, web(host(TARGET, [WEB4])), zone(NS2_V4), mail(MAIL4))
    assert not has_ipv6_addresses(without)


def attempts_of(*replies: tuple[str, Reply]) -> ReachFacts:
    return ReachFacts(ns=tuple(attempt("ns.example.test", a, 53, reply) for a, reply in replies))


@pytest.mark.parametrize(
    ("replies", "state"),
    [
        ((("2001:db8::10", Reply.TIMEOUT), ("2001:db8::11", Reply.ANSWERED)), ClientState.WORKING),
        ((("2001:db8::10", Reply.REFUSED),), ClientState.WORKING),  # a reset came back
        ((("2001:db8::10", Reply.WRONG_ANSWER),), ClientState.WORKING),
        (
            (("2001:db8::10", Reply.TIMEOUT), ("2001:db8::11", Reply.UNREACHABLE)),
            ClientState.UNCONFIRMED,
        ),
    ],
)
def test_the_client_fact_from_the_first_targets_attempts(
    replies: tuple[tuple[str, Reply], ...], state: ClientState
) -> None:
    network = StandInNetwork()

    async def reach() -> ReachFacts:
        return attempts_of(*replies)

    facts = asyncio.run(client_from_attempts(TARGET, reach(), transports=network.transports()))
    assert client_state(facts)[0] is state
    assert not facts.configured
    assert [str(e) for e in facts.endpoints] == [f"[{a}]:53" for a, _reply in replies]
    assert network.calls == []  # nothing extra is sent


def test_the_client_fact_from_attempts_without_a_route() -> None:
    network = StandInNetwork(has_ipv6=False)

    async def reach() -> ReachFacts:
        return attempts_of(("2001:db8::10", Reply.UNREACHABLE))

    facts = asyncio.run(client_from_attempts(TARGET, reach(), transports=network.transports()))
    state, reason = client_state(facts)
    assert state is ClientState.NONE
    assert reason == "no route to 2001:db8::10: Network is unreachable"


@pytest.mark.parametrize(
    ("text", "endpoints"),
    [
        ((), ()),
        (("[2001:db8::53]:53",), (Endpoint("2001:db8::53", 53),)),
        (("2001:db8::80",), (Endpoint("2001:db8::80", 443),)),
        (
            ("[2001:DB8:0::1]", "[2001:db8::2]:25"),
            (Endpoint("2001:db8::1", 443), Endpoint("2001:db8::2", 25)),
        ),
    ],
)
def test_probe_endpoints_are_parsed(text: tuple[str, ...], endpoints: tuple[Endpoint, ...]) -> None:
    assert configured_probe(ScanConfig(ipv6_probe=text)) == endpoints


@pytest.mark.parametrize(
    "text", ["198.18.0.1", "example.org", "[2001:db8::1]:x", "[2001:db8::1]:0"]
)
def test_bad_probe_endpoints_are_refused_by_name(text: str) -> None:
    with pytest.raises(ConfigError, match=r"is not|no valid port"):
        ScanConfig(ipv6_probe=(text,))


# --- ipv6.web.reachable ---------------------------------------------------------------------

DUAL = web(host(TARGET, [WEB4], [WEB6]))


def fetch(
    reply: Reply = Reply.ANSWERED,
    *,
    scheme: str = "https",
    address: str = WEB6,
    name: str = TARGET,
    page: Page | None = None,
    detail: str = "",
) -> WebFetch:
    port = 443 if scheme == "https" else 80
    if page is None and reply is Reply.ANSWERED:
        page = Page(200, None, b"<title>Home</title> hello")
    return WebFetch(name, Endpoint(address, port), scheme, page, reply, detail or reply.value)


def test_web_reachable_passes_per_address_and_port_on_a_real_response() -> None:
    findings = evaluate_web_reachable(
        DUAL,
        [fetch(scheme="http", detail="HTTP 301"), fetch(detail="HTTP 200")],
        working_client(),
        target=TARGET,
    )
    assert statuses(findings) == {
        f"{TARGET} [{WEB6}]:80": Status.PASS,
        f"{TARGET} [{WEB6}]:443": Status.PASS,
    }
    assert findings[1].evidence["url"] == f"https://{TARGET}/"
    assert findings[1].evidence["status"] == 200
    assert "answers HTTPS over IPv6" in findings[1].summary


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (Reply.TIMEOUT, Status.FAIL),
        (Reply.REFUSED, Status.FAIL),
        (Reply.UNREACHABLE, Status.FAIL),
        (Reply.WRONG_ANSWER, Status.FAIL),
        (Reply.TLS_FAILED, Status.WARNING),
        (Reply.TOO_LARGE, Status.WARNING),
        (Reply.ERROR, Status.ERROR),
    ],
)
def test_web_reachable_grades_each_failure(reply: Reply, status: Status) -> None:
    findings = evaluate_web_reachable(
        DUAL, [fetch(scheme="http"), fetch(reply)], working_client(), target=TARGET
    )
    assert findings[1].status is status
    assert findings[1].evidence["reply"] == reply.value


def test_web_reachable_is_an_error_not_a_failure_when_this_network_has_no_ipv6() -> None:
    findings = evaluate_web_reachable(DUAL, [], no_route_client(), target=TARGET)
    assert [f.status for f in findings] == [Status.ERROR, Status.ERROR]
    assert all("this network has no IPv6" in f.summary for f in findings)
    assert findings[0].subject == f"{TARGET} [{WEB6}]:80"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (Reply.TIMEOUT, Status.ERROR),  # silence proves nothing when our IPv6 is unconfirmed
        (Reply.UNREACHABLE, Status.ERROR),
        (Reply.REFUSED, Status.FAIL),  # the host answered: the path works, nothing listens
        (Reply.WRONG_ANSWER, Status.FAIL),
        (Reply.ANSWERED, Status.PASS),
    ],
)
def test_web_reachable_with_unconfirmed_ipv6(reply: Reply, status: Status) -> None:
    findings = evaluate_web_reachable(
        DUAL, [fetch(reply, scheme="http"), fetch(reply)], unconfirmed_client(), target=TARGET
    )
    assert {f.status for f in findings} == {status}
    if status is Status.ERROR:
        assert "unconfirmed" in findings[0].summary


def test_web_reachable_is_info_without_aaaa() -> None:
    (finding,) = evaluate_web_reachable(web(host(TARGET, [WEB4])), [], None, target=TARGET)
    assert finding.status is Status.INFO
    assert finding.subject == TARGET


def test_web_reachable_reports_a_name_whose_aaaa_lookup_failed() -> None:
    facts = web(host(TARGET, [WEB4], [WEB6]), host(f"www.{TARGET}", [WEB4], DnsOutcome.TIMEOUT))
    findings = evaluate_web_reachable(
        facts, [fetch(scheme="http"), fetch()], working_client(), target=TARGET
    )
    assert statuses(findings)[f"www.{TARGET}"] is Status.ERROR
    assert statuses(findings)[f"{TARGET} [{WEB6}]:443"] is Status.PASS


def test_web_reachable_never_passes_an_address_that_was_not_tried() -> None:
    findings = evaluate_web_reachable(DUAL, [fetch()], working_client(), target=TARGET)
    assert statuses(findings)[f"{TARGET} [{WEB6}]:80"] is Status.ERROR


# --- ipv6.ns.reachable and ipv6.mx.reachable ------------------------------------------------


def attempt(host_name: str, address: str, port: int, reply: Reply = Reply.ANSWERED) -> Attempt:
    return Attempt(host_name, Endpoint(address, port), reply, reply.value, {"x": 1})


def test_ns_reachable_grades_each_address_of_each_name_server() -> None:
    attempts = [
        attempt("ns1.example.test", "2001:db8::10", 53),
        attempt("ns2.example.test", "2001:db8::11", 53, Reply.TIMEOUT),
    ]
    findings = evaluate_ns_reachable(
        zone(NS1, NS2, NS2_V4), attempts, working_client(), target=TARGET
    )
    assert statuses(findings) == {
        "ns1.example.test [2001:db8::10]:53": Status.PASS,
        "ns2.example.test [2001:db8::11]:53": Status.FAIL,
    }
    assert findings[0].evidence["x"] == 1


def test_ns_reachable_fails_a_lame_answer() -> None:
    attempts = [attempt("ns1.example.test", "2001:db8::10", 53, Reply.WRONG_ANSWER)]
    (finding,) = evaluate_ns_reachable(zone(NS1), attempts, working_client(), target=TARGET)
    assert finding.status is Status.FAIL
    assert "does not answer DNS over IPv6" in finding.summary


def test_ns_reachable_is_info_when_no_name_server_has_aaaa() -> None:
    (finding,) = evaluate_ns_reachable(zone(NS2_V4), [], None, target=TARGET)
    assert finding.status is Status.INFO
    assert finding.subject == TARGET


def test_ns_reachable_is_an_error_without_ipv6_here_or_without_a_zone() -> None:
    findings = evaluate_ns_reachable(zone(NS1, NS2), [], no_route_client(), target=TARGET)
    assert [f.status for f in findings] == [Status.ERROR, Status.ERROR]
    assert all("this network has no IPv6" in f.summary for f in findings)
    (finding,) = evaluate_ns_reachable(ZoneFacts(None, error="x"), [], None, target=TARGET)
    assert finding.status is Status.ERROR


def test_mx_reachable_passes_a_220_greeting_and_fails_a_refusal() -> None:
    mail2 = host("mail2.example.test", [], ["2001:db8::26"])
    attempts = [
        attempt("mail.example.test", "2001:db8::25", 25),
        attempt("mail2.example.test", "2001:db8::26", 25, Reply.REFUSED),
    ]
    findings = evaluate_mx_reachable(mail(MAIL, mail2), attempts, working_client(), target=TARGET)
    assert statuses(findings) == {
        "mail.example.test [2001:db8::25]:25": Status.PASS,
        "mail2.example.test [2001:db8::26]:25": Status.FAIL,
    }


def test_mx_reachable_fails_a_wrong_greeting() -> None:
    attempts = [attempt("mail.example.test", "2001:db8::25", 25, Reply.WRONG_ANSWER)]
    (finding,) = evaluate_mx_reachable(mail(MAIL), attempts, working_client(), target=TARGET)
    assert finding.status is Status.FAIL


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (mail(records=[]), Status.INFO),
        (mail(records=["0 ."]), Status.INFO),
        (mail(MAIL4), Status.INFO),
        (mail(records=DnsOutcome.SERVFAIL), Status.ERROR),
    ],
)
def test_mx_reachable_without_ipv6_mail_servers(facts: MailFacts, status: Status) -> None:
    (finding,) = evaluate_mx_reachable(facts, [], None, target=TARGET)
    assert finding.status is status


def test_mx_reachable_is_an_error_when_this_network_has_no_ipv6() -> None:
    (finding,) = evaluate_mx_reachable(mail(MAIL), [], no_route_client(), target=TARGET)
    assert finding.status is Status.ERROR
    assert "this network has no IPv6" in finding.summary


# --- ipv6.web.parity ------------------------------------------------------------------------

PAGE = (
    b"<html><head><title>Example  Home</title></head><body>"
    + b" ".join(b"word%d" % i for i in range(200))
    + b"</body></html>"
)


def test_page_title_collapses_white_space() -> None:
    assert page_title(b"<HTML><Title lang=en>\n Example\n  Home </TITLE>") == "Example Home"
    assert page_title(b"<html>no title</html>") is None


def test_page_similarity_ignores_white_space_and_measures_words() -> None:
    assert page_similarity(b"a  b\n c", b"a b c") == 1.0
    assert page_similarity(b"a b c d", b"w x y z") == 0.0
    assert 0.9 < page_similarity(PAGE, PAGE.replace(b"word7 ", b"nonce42 ")) < 1.0


def test_same_redirects_are_the_same() -> None:
    moved = Page(301, "https://example.test/", b"")
    assert compare_pages(moved, moved)[0] is ParityOutcome.SAME


@pytest.mark.parametrize(
    ("ipv4", "ipv6", "outcome"),
    [
        (Page(200, None, PAGE), Page(200, None, PAGE), ParityOutcome.SAME),
        (
            Page(200, None, PAGE),
            Page(200, None, PAGE.replace(b"word7 ", b"tok ")),
            ParityOutcome.SAME,
        ),
        (Page(200, None, PAGE), Page(404, None, PAGE), ParityOutcome.DIFFERENT),
        (
            Page(301, "https://example.test/", b""),
            Page(301, "https://www.example.test/", b""),
            ParityOutcome.DIFFERENT,
        ),
        (
            Page(200, None, PAGE),
            Page(200, None, PAGE.replace(b"Example", b"Other")),
            ParityOutcome.DIFFERENT,
        ),
        (
            Page(200, None, PAGE),
            Page(200, None, b"<title>Example Home</title> other"),
            ParityOutcome.DISSIMILAR,
        ),
        (Page(200, None, b"a b c d"), Page(200, None, b"w x y z"), ParityOutcome.DIFFERENT),
    ],
)
def test_compare_pages(ipv4: Page, ipv6: Page, outcome: ParityOutcome) -> None:
    assert compare_pages(ipv4, ipv6)[0] is outcome


def parity_fetches(
    page4: Page | None, page6: Page | None, *, scheme: str = "https"
) -> tuple[list[WebFetch], list[WebFetch]]:
    def one(page: Page | None, address: str) -> WebFetch:
        reply = Reply.ANSWERED if page is not None else Reply.TIMEOUT
        return fetch(reply, scheme=scheme, address=address, page=page)

    redirect = Page(301, f"https://{TARGET}/", b"")
    return (
        [fetch(scheme="http", address=WEB4, page=redirect), one(page4, WEB4)],
        [fetch(scheme="http", address=WEB6, page=redirect), one(page6, WEB6)],
    )


@pytest.mark.parametrize(
    ("page4", "page6", "status"),
    [
        (Page(200, None, PAGE), Page(200, None, PAGE), Status.PASS),
        (Page(200, None, PAGE), Page(200, None, b"<title>Example Home</title> x"), Status.WARNING),
        (Page(200, None, PAGE), Page(200, None, b"<title>Other</title>"), Status.FAIL),
        (Page(200, None, PAGE), None, Status.ERROR),  # IPv6 did not answer: reachability says why
        (None, Page(200, None, PAGE), Status.ERROR),
    ],
)
def test_web_parity_grades_the_worst_scheme(
    page4: Page | None, page6: Page | None, status: Status
) -> None:
    ipv4, ipv6 = parity_fetches(page4, page6)
    (finding,) = evaluate_web_parity(DUAL, ipv4, ipv6, working_client(), target=TARGET)
    assert finding.status is status
    assert finding.subject == f"{TARGET} [{WEB4}] / [{WEB6}]"
    assert finding.evidence["schemes"]["http"]["outcome"] == "same"


def test_web_parity_leaves_out_a_scheme_that_answered_on_neither_family() -> None:
    ipv4 = [fetch(Reply.REFUSED, scheme="http", address=WEB4), fetch(address=WEB4)]
    ipv6 = [fetch(Reply.REFUSED, scheme="http", address=WEB6), fetch()]
    (finding,) = evaluate_web_parity(DUAL, ipv4, ipv6, working_client(), target=TARGET)
    assert finding.status is Status.PASS
    assert finding.evidence["schemes"]["http"]["outcome"] == "absent"


@pytest.mark.parametrize(
    ("reply4", "reply6", "status"),
    [
        (Reply.TLS_FAILED, Reply.TLS_FAILED, Status.PASS),  # the same broken answer on both
        (Reply.ANSWERED, Reply.TLS_FAILED, Status.FAIL),  # IPv6 users get a broken page
        (Reply.TOO_LARGE, Reply.WRONG_ANSWER, Status.FAIL),
        (Reply.TLS_FAILED, Reply.TIMEOUT, Status.ERROR),  # silence: nothing to compare
    ],
)
def test_web_parity_compares_broken_answers(reply4: Reply, reply6: Reply, status: Status) -> None:
    redirect = Page(301, f"https://{TARGET}/", b"")
    ipv4 = [fetch(scheme="http", address=WEB4, page=redirect), fetch(reply4, address=WEB4)]
    ipv6 = [fetch(scheme="http", page=redirect), fetch(reply6)]
    (finding,) = evaluate_web_parity(DUAL, ipv4, ipv6, working_client(), target=TARGET)
    assert finding.status is status


def test_web_parity_is_an_error_when_nothing_answered() -> None:
    ipv4 = [fetch(Reply.TIMEOUT, scheme=s, address=WEB4) for s in ("http", "https")]
    ipv6 = [fetch(Reply.TIMEOUT, scheme=s) for s in ("http", "https")]
    (finding,) = evaluate_web_parity(DUAL, ipv4, ipv6, working_client(), target=TARGET)
    assert finding.status is Status.ERROR


def test_web_parity_is_an_error_when_this_network_has_no_ipv6() -> None:
    (finding,) = evaluate_web_parity(DUAL, [], [], no_route_client(), target=TARGET)
    assert finding.status is Status.ERROR
    assert "this network has no IPv6" in finding.summary


def test_web_parity_is_info_without_a_dual_stack_name() -> None:
    facts = web(host(TARGET, [WEB4]), host(f"www.{TARGET}", [], [WEB6]))
    (finding,) = evaluate_web_parity(facts, [], [], working_client(), target=TARGET)
    assert finding.status is Status.INFO


# --- the family end to end, with stand-ins --------------------------------------------------

ZONE_DATA: Mapping[str, Mapping[str, Sequence[str]]] = {
    "test": {"NS": ["ns.test."]},
    "dual.test": {
        "A": [WEB4],
        "AAAA": [WEB6],
        "NS": ["ns1.dual.test.", "ns2.dual.test."],
        "MX": ["10 mail.dual.test."],
    },
    "www.dual.test": {"A": [WEB4], "AAAA": [WEB6]},
    "ns1.dual.test": {"A": ["198.18.0.10"], "AAAA": ["2001:db8::10"]},
    "ns2.dual.test": {"A": ["198.18.0.11"], "AAAA": ["2001:db8::11"]},
    "mail.dual.test": {"A": ["198.18.0.25"], "AAAA": ["2001:db8::25"]},
    "sub.dual.test": {"A": [WEB4], "AAAA": [WEB6]},
}


class StandInDns:
    """Answers from ZONE_DATA (and `extra`): records, NODATA for a known name, else NXDOMAIN."""

    resolvers = ("198.18.0.53",)

    def __init__(self, extra: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> None:
        self.data = {**ZONE_DATA, **(extra or {})}
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rdtype: str) -> DnsAnswer:
        self.asked.append((name, rdtype))
        if name not in self.data:
            return answer(name, rdtype, DnsOutcome.NXDOMAIN)
        return answer(name, rdtype, self.data[name].get(rdtype, ()))


@dataclass
class StandInContext:
    """A CheckContext without limits; `once` shares one run per key like the engine's."""

    config: ScanConfig = field(default_factory=lambda: ScanConfig(timeout=2))
    dns: Any = field(default_factory=StandInDns)
    facts: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    probed_hosts: list[str | None] = field(default_factory=list)

    async def probe(
        self,
        what: str,
        operation: Callable[[], Awaitable[T]],
        *,
        host: str | None = None,
        timeout: float | None = None,
    ) -> T:
        self.probed_hosts.append(host)
        return await operation()

    async def once(
        self, key: str, operation: Callable[[], Awaitable[T]], *, target: Target | None = None
    ) -> T:
        key = key if target is None else f"{target.value} {key}"
        if key not in self.facts:
            self.facts[key] = asyncio.ensure_future(operation())
        result: T = await asyncio.shield(self.facts[key])
        return result


@dataclass
class StandInNetwork:
    """Stand-in transports: every IPv6 service answers unless its address is `dead`.

    `odd` makes the service at an address misbehave: "tls" (web: the handshake fails),
    "554" (mail: a refusing greeting), "lame" (DNS: no AA flag), "refused" (DNS: rcode
    REFUSED), "icmp" (DNS: port unreachable).
    """

    has_ipv6: bool = True
    dead: frozenset[str] = frozenset()
    odd: Mapping[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def transports(self) -> Transports:
        return Transports(
            fetch=self.fetch,
            read_banner=self.read_banner,
            connect=self.connect,
            dns_query=self.dns_query,
            route_to=self.route_to,
            ipv6_supported=lambda: True,
        )

    def route_to(self, address: str) -> Route:
        if not self.has_ipv6:
            return Route(address, None, f"no route to {address}: Network is unreachable")
        return Route(address, "2001:db8::100")

    def _check(self, address: str) -> None:
        if address in self.dead:
            raise tcp.TcpError(tcp.TcpErrorKind.TIMEOUT, f"no answer from [{address}] within 2 s")

    async def connect(self, address: str, port: int, *, timeout: float) -> float:
        self.calls.append(f"connect [{address}]:{port}")
        self._check(address)
        return 0.01

    async def fetch(
        self,
        url: str,
        address: str,
        *,
        ca_file: Path | None,
        timeout: float,
        max_body: int = 1_000_000,
        method: str = "GET",
    ) -> http_client.HttpResponse:
        self.calls.append(f"fetch {url} {address}")
        if address in self.dead:
            raise http_client.HttpError(http_client.HttpErrorKind.TIMEOUT, "no complete answer")
        if self.odd.get(address) == "tls":
            raise http_client.HttpError(http_client.HttpErrorKind.TLS, "certificate expired")
        body = b"<title>Dual</title> welcome" if url.startswith("https") else b""
        status, location = (200, None) if url.startswith("https") else (301, "https://x/")
        return http_client.HttpResponse(
            url, address, status, (), location, body, False, "HTTP/1.1", 0.01
        )

    async def read_banner(
        self,
        address: str,
        port: int,
        *,
        timeout: float,
        max_bytes: int = 1024,
        farewell: bytes | None = None,
    ) -> tcp.Banner:
        self.calls.append(f"banner [{address}]:{port}")
        self._check(address)
        if self.odd.get(address) == "554":
            return tcp.Banner(address, port, "554 no service here", False, 0.01)
        return tcp.Banner(address, port, "220 mail.dual.test ESMTP", False, 0.01)

    async def dns_query(
        self, query: dns.message.Message, address: str, *, timeout: float
    ) -> dns.message.Message:
        self.calls.append(f"dns {address}")
        if address in self.dead:
            raise dns.exception.Timeout
        if self.odd.get(address) == "icmp":
            raise ConnectionRefusedError
        assert not query.flags & dns.flags.RD, "an authoritative server is asked directly"
        response = dns.message.make_response(query)
        if self.odd.get(address) == "refused":
            response.set_rcode(dns.rcode.REFUSED)
            return response
        if self.odd.get(address) != "lame":
            response.flags |= dns.flags.AA
        response.answer.append(
            dns.rrset.from_text("dual.test.", 300, "IN", "SOA", "ns1.dual.test. h. 1 2 3 4 5")
        )
        return response


def run_family(
    family: Ipv6Family, names: Sequence[str], context: StandInContext | None = None
) -> list[Finding]:
    context = context or StandInContext()

    async def scan_one(name: str) -> list[Finding]:
        return [f async for f in family.run(Target(TargetKind.DOMAIN, name), context)]

    async def scan() -> list[Finding]:
        results = await asyncio.gather(*(scan_one(name) for name in names))
        return [finding for findings in results for finding in findings]

    return asyncio.run(scan())


def by_check(findings: Sequence[Finding]) -> dict[str, list[Status]]:
    grouped: dict[str, list[Status]] = {}
    for finding in findings:
        grouped.setdefault(finding.check_id, []).append(finding.status)
    return grouped


def test_the_family_is_registered_with_its_catalogue_ids() -> None:
    family = FAMILIES["ipv6"]
    assert [spec.check_id for spec in family.checks] == [
        WEB_AAAA,
        WEB_REACHABLE,
        WEB_PARITY,
        NS_AAAA,
        NS_REACHABLE,
        MX_AAAA,
        MX_REACHABLE,
        CLIENT,
    ]
    assert family.applies_to(Target(TargetKind.DOMAIN, TARGET))
    assert not family.applies_to(Target(TargetKind.ADDRESS, WEB6))


def test_a_dual_stack_domain_passes_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    network = StandInNetwork()
    context = StandInContext()
    findings = run_family(Ipv6Family(transports=network.transports()), ["dual.test"], context)
    assert by_check(findings) == {
        WEB_AAAA: [Status.PASS],
        NS_AAAA: [Status.PASS],
        MX_AAAA: [Status.PASS],
        CLIENT: [Status.PASS],
        WEB_REACHABLE: [Status.PASS] * 4,  # two names, one address, two ports
        WEB_PARITY: [Status.PASS] * 2,
        NS_REACHABLE: [Status.PASS] * 2,
        MX_REACHABLE: [Status.PASS],
    }
    # the client fact came from the target's own attempts, without a connection of its own
    client = next(f for f in findings if f.check_id == CLIENT)
    assert client.evidence["probe"] == "targets"
    assert f"[{WEB6}]:443" in client.evidence["endpoints"]
    assert not [call for call in network.calls if call.startswith("connect")]
    assert "fetch https://www.dual.test/ 198.18.0.80" in network.calls  # parity over IPv4
    assert all(host is not None for host in context.probed_hosts[-len(network.calls) :])


def test_a_name_below_the_zone_uses_the_enclosing_zones_name_servers() -> None:
    findings = run_family(Ipv6Family(transports=StandInNetwork().transports()), ["sub.dual.test"])
    ns = next(f for f in findings if f.check_id == NS_AAAA)
    assert ns.subject == "dual.test"
    assert ns.status is Status.PASS


def test_the_client_finding_is_made_once_per_scan_on_the_first_target() -> None:
    network = StandInNetwork()
    family = Ipv6Family(probe=(Endpoint("2001:db8::53", 53),), transports=network.transports())
    findings = run_family(family, ["dual.test", "www.dual.test", "sub.dual.test"])
    clients = [f for f in findings if f.check_id == CLIENT]
    assert len(clients) == 1
    assert clients[0].target == "dual.test"
    assert [call for call in network.calls if call.startswith("connect")] == [
        "connect [2001:db8::53]:53"
    ]


def test_without_ipv6_here_reachability_is_an_error_and_publication_still_graded() -> None:
    network = StandInNetwork(has_ipv6=False)
    findings = run_family(Ipv6Family(transports=network.transports()), ["dual.test"])
    grouped = by_check(findings)
    assert grouped[WEB_AAAA] == [Status.PASS]
    assert grouped[NS_AAAA] == [Status.PASS]
    assert grouped[MX_AAAA] == [Status.PASS]
    assert grouped[CLIENT] == [Status.FAIL]
    for check_id in (WEB_REACHABLE, WEB_PARITY, NS_REACHABLE, MX_REACHABLE):
        assert set(grouped[check_id]) == {Status.ERROR}, check_id
    assert all(
        "this network has no IPv6" in f.summary
        for f in findings
        if f.check_id in (WEB_REACHABLE, WEB_PARITY, NS_REACHABLE, MX_REACHABLE)
    )
    assert network.calls == []  # nothing was sent: no route


def test_a_configured_probe_address_is_used_instead_of_the_targets() -> None:
    network = StandInNetwork(dead=frozenset({"2001:db8::99"}))
    context = StandInContext(config=ScanConfig(timeout=2, ipv6_probe=("[2001:db8::99]:53",)))
    findings = run_family(Ipv6Family(transports=network.transports()), ["dual.test"], context)
    grouped = by_check(findings)
    assert grouped[CLIENT] == [Status.FAIL]  # the configured address did not answer
    assert set(grouped[WEB_REACHABLE]) == {Status.ERROR}
    assert [c for c in network.calls if c.startswith("connect")] == ["connect [2001:db8::99]:53"]


def test_the_family_probe_setting_overrides_the_configuration() -> None:
    network = StandInNetwork()
    family = Ipv6Family(probe=(Endpoint("2001:db8::53", 53),), transports=network.transports())
    context = StandInContext(config=ScanConfig(timeout=2, ipv6_probe=("[2001:db8::99]:53",)))
    findings = run_family(family, ["dual.test"], context)
    assert by_check(findings)[CLIENT] == [Status.PASS]
    assert [call for call in network.calls if call.startswith("connect")] == [
        "connect [2001:db8::53]:53"
    ]


def test_a_dead_web_address_fails_reachability_when_this_machine_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the web address is dead, but the name server answers: this machine's IPv6 works
    network = StandInNetwork(dead=frozenset({WEB6}))
    findings = run_family(Ipv6Family(transports=network.transports()), ["dual.test"])
    grouped = by_check(findings)
    assert grouped[CLIENT] == [Status.PASS]
    assert set(grouped[WEB_REACHABLE]) == {Status.FAIL}
    assert set(grouped[WEB_PARITY]) == {Status.ERROR}  # nothing over IPv6 to compare


def test_when_every_address_of_the_target_is_dead_nothing_is_claimed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = frozenset({WEB6, "2001:db8::10", "2001:db8::11", "2001:db8::25"})
    findings = run_family(
        Ipv6Family(transports=StandInNetwork(dead=dead).transports()), ["dual.test"]
    )
    grouped = by_check(findings)
    assert grouped[CLIENT] == [Status.ERROR]
    for check_id in (WEB_REACHABLE, NS_REACHABLE, MX_REACHABLE):
        assert set(grouped[check_id]) == {Status.ERROR}, check_id


def test_a_domain_without_ipv6_needs_no_client_fact() -> None:
    network = StandInNetwork()
    context = StandInContext()
    findings = run_family(Ipv6Family(transports=network.transports()), ["missing.test"], context)
    assert CLIENT not in by_check(findings)
    assert "ipv6.client" not in context.facts
    assert network.calls == []


@pytest.mark.parametrize(
    ("address", "behaviour", "check_id", "status", "reply"),
    [
        (WEB6, "tls", WEB_REACHABLE, Status.WARNING, "tls_failed"),
        ("2001:db8::25", "554", MX_REACHABLE, Status.FAIL, "wrong_answer"),
        ("2001:db8::10", "lame", NS_REACHABLE, Status.FAIL, "wrong_answer"),
        ("2001:db8::10", "refused", NS_REACHABLE, Status.FAIL, "wrong_answer"),
        ("2001:db8::10", "icmp", NS_REACHABLE, Status.FAIL, "refused"),
    ],
)
def test_services_that_answer_wrongly_over_ipv6(
    address: str, behaviour: str, check_id: str, status: Status, reply: str
) -> None:
    network = StandInNetwork(odd={address: behaviour})
    family = Ipv6Family(probe=(Endpoint("2001:db8::53", 53),), transports=network.transports())
    findings = [f for f in run_family(family, ["dual.test"]) if f.check_id == check_id]
    odd = [f for f in findings if address in f.subject]
    assert odd
    assert {f.status for f in odd} == {status}
    assert {f.evidence["reply"] for f in odd} == {reply}
    # the other addresses of the same check are not affected
    assert {f.status for f in findings if address not in f.subject} <= {Status.PASS}


def test_a_lame_name_server_says_why_in_its_evidence() -> None:
    network = StandInNetwork(odd={"2001:db8::10": "lame", "2001:db8::11": "refused"})
    family = Ipv6Family(probe=(Endpoint("2001:db8::53", 53),), transports=network.transports())
    findings = {
        f.subject: f for f in run_family(family, ["dual.test"]) if f.check_id == NS_REACHABLE
    }
    lame = findings["ns1.dual.test [2001:db8::10]:53"]
    assert lame.evidence["authoritative"] is False
    assert "not authoritative" in lame.summary
    assert "REFUSED" in findings["ns2.dual.test [2001:db8::11]:53"].summary


def test_a_published_address_without_a_usable_route_is_never_contacted() -> None:
    # a link-local AAAA in public DNS: no global source can reach it, nothing is sent
    network = StandInNetwork()
    context = StandInContext(
        dns=StandInDns({"linklocal.test": {"A": [WEB4], "AAAA": ["fe80::80"]}})
    )
    family = Ipv6Family(probe=(Endpoint("2001:db8::53", 53),), transports=network.transports())
    findings = run_family(family, ["linklocal.test"], context)
    reachable = [f for f in findings if f.check_id == WEB_REACHABLE]
    assert {f.status for f in reachable} == {Status.FAIL}
    assert all("no usable route to fe80::80" in f.summary for f in reachable)
    assert not [call for call in network.calls if "fe80::80" in call]
