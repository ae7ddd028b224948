"""Every verdict of the https family from made-up responses, and net.http's pure parts.

No network: the evaluate_* functions get `Hop`s built here; the family's `run` is driven by
the real engine with a made-up DNS client and `fetch` replaced by a table of answers.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
from collections.abc import Mapping, Sequence

import httpx
import pytest

from netready.checks import FAMILIES
from netready.checks import https as family_module
from netready.checks.https import (
    AVAILABLE,
    HEADERS,
    HSTS,
    MAX_REDIRECTS,
    REDIRECT,
    Endpoint,
    FetchFailure,
    Hop,
    HstsSyntaxError,
    HttpsFamily,
    evaluate_available,
    evaluate_headers,
    evaluate_hsts,
    evaluate_name,
    evaluate_redirect,
    parse_hsts,
    web_hosts,
)
from netready.config import ScanConfig
from netready.engine import Engine, FindingMade
from netready.findings import Finding, Status
from netready.net import http as http_module
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.http import (
    MAX_HEADER_BYTES,
    HttpError,
    HttpErrorKind,
    HttpResponse,
    pinned_request_parts,
)
from netready.targets import Target, TargetKind

HOST = "example.test"
V4 = Endpoint(HOST, "198.18.1.80")
V6 = Endpoint(HOST, "2001:db8:1::80")
GOOD = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def response(
    url: str,
    status: int = 200,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    location: str | None = None,
) -> HttpResponse:
    pairs = tuple(headers.items()) if isinstance(headers, Mapping) else tuple(headers)
    if location is not None:
        pairs += (("Location", location),)
    return HttpResponse(
        url=url,
        address="198.18.1.80",
        status=status,
        headers=pairs,
        location=location,
        body=b"",
        body_truncated=False,
        http_version="HTTP/1.1",
        elapsed=0.01,
    )


def ok(url: str, headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()) -> Hop:
    return Hop(url, "198.18.1.80", response(url, 200, headers))


def moved(url: str, location: str, status: int = 301) -> Hop:
    return Hop(url, "198.18.1.80", response(url, status, location=location))


def failed(url: str, kind: HttpErrorKind, message: str = "it went wrong") -> Hop:
    return Hop(url, "198.18.1.80", FetchFailure(kind, message))


# --- net.http: the pure parts ---------------------------------------------------------------


def test_a_request_is_pinned_to_the_address_and_keeps_the_name_for_host_and_sni() -> None:
    url, headers, extensions = pinned_request_parts("https://www.example.test/a?b=1", "2001:db8::1")
    assert str(url) == "https://[2001:db8::1]/a?b=1"
    assert url.host == "2001:db8::1"
    assert headers["Host"] == "www.example.test"
    assert extensions == {"sni_hostname": "www.example.test"}
    assert headers["Accept-Encoding"] == "identity"  # a compressed body cannot balloon


def test_an_internationalised_name_goes_out_as_its_a_label() -> None:
    _, headers, extensions = pinned_request_parts("https://bücher.example/", "198.18.1.80")
    assert headers["Host"] == "xn--bcher-kva.example"
    assert extensions == {"sni_hostname": "xn--bcher-kva.example"}


def test_a_non_default_port_stays_in_the_url_and_the_host_header() -> None:
    url, headers, _ = pinned_request_parts("http://example.test:8080/", "198.18.1.80")
    assert str(url) == "http://198.18.1.80:8080/"
    assert headers["Host"] == "example.test:8080"


@pytest.mark.parametrize(
    ("url", "address"),
    [("ftp://example.test/", "198.18.1.80"), ("https:///x", "198.18.1.80"), ("https://a/", "a")],
)
def test_what_cannot_be_requested_is_refused(url: str, address: str) -> None:
    with pytest.raises(ValueError, match=r"not an http|without a host|does not appear"):
        pinned_request_parts(url, address)


def test_fetch_turns_an_unusable_url_into_an_http_error() -> None:
    with pytest.raises(HttpError) as caught:
        asyncio.run(http_module.fetch("gopher://x/", "198.18.1.80", ca_file=None, timeout=1))
    assert caught.value.kind is HttpErrorKind.OTHER


def _wrapped(error: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_wrapped(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), "refused"),
        (
            _wrapped(httpx.ConnectError("x"), OSError(errno.ENETUNREACH, "unreachable")),
            "unreachable",
        ),
        (_wrapped(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "bad cert")), "tls"),
        (httpx.ConnectTimeout("slow"), "timeout"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.RemoteProtocolError("Receive buffer too long"), "too_large_headers"),
        (httpx.RemoteProtocolError("illegal status line"), "protocol"),
        (httpx.ReadError("boom"), "other"),
    ],
)
def test_httpx_errors_map_to_error_kinds(error: httpx.HTTPError, kind: str) -> None:
    assert http_module._classify(error, "198.18.1.80").kind == kind


def test_the_header_limit_error_names_the_limit() -> None:
    error = http_module._classify(httpx.RemoteProtocolError("Receive buffer too long"), "a")
    assert str(MAX_HEADER_BYTES) in error.message


def test_location_is_resolved_against_the_request_url() -> None:
    headers = (("Location", "/next?x=1"),)
    assert (
        http_module._absolute_location("https://a.test/b/c", headers) == "https://a.test/next?x=1"
    )
    assert http_module._absolute_location("https://a.test/", ()) is None


def test_header_values_keep_order_and_duplicates_case_insensitively() -> None:
    answer = response("https://a.test/", headers=[("HSTS", "1"), ("X", "y"), ("hsts", "2")])
    assert answer.header_values("Hsts") == ("1", "2")
    assert answer.header_values("missing") == ()


def test_net_http_public_api() -> None:
    assert set(http_module.__all__) == {
        "MAX_HEADER_BYTES",
        "HttpError",
        "HttpErrorKind",
        "HttpResponse",
        "fetch",
        "pinned_request_parts",
    }


# --- the family -----------------------------------------------------------------------------


def test_the_family_is_registered_with_its_four_checks() -> None:
    assert FAMILIES["https"].checks == HttpsFamily().checks
    assert [spec.check_id for spec in HttpsFamily().checks] == [AVAILABLE, REDIRECT, HSTS, HEADERS]


def test_the_domain_and_its_www_name_are_tested_but_www_is_not_doubled() -> None:
    assert web_hosts("example.test") == ["example.test", "www.example.test"]
    assert web_hosts("www.example.test") == ["www.example.test"]


def test_subjects_name_host_address_and_port() -> None:
    assert V6.subject(443) == "example.test [2001:db8:1::80]:443"
    assert V4.subject(80) == "example.test 198.18.1.80:80"
    assert (V4.family, V6.family) == ("ipv4", "ipv6")


# --- https.available ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 301, 404, 503])
def test_any_https_answer_with_a_valid_certificate_passes(status: int) -> None:
    hop = Hop("https://example.test/", V6.address, response("https://example.test/", status))
    finding = evaluate_available(HOST, V6, hop)
    assert (finding.check_id, finding.status) == (AVAILABLE, Status.PASS)
    assert finding.subject == "example.test [2001:db8:1::80]:443"
    assert finding.evidence["status"] == status
    assert finding.evidence["address_family"] == "ipv6"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (HttpErrorKind.TLS, Status.FAIL),
        (HttpErrorKind.PROTOCOL, Status.FAIL),
        (HttpErrorKind.TOO_LARGE_HEADERS, Status.FAIL),
        (HttpErrorKind.TIMEOUT, Status.ERROR),
        (HttpErrorKind.REFUSED, Status.ERROR),
        (HttpErrorKind.UNREACHABLE, Status.ERROR),
        (HttpErrorKind.OTHER, Status.ERROR),
    ],
)
def test_https_failures_fail_or_are_errors_with_the_reason(
    kind: HttpErrorKind, status: Status
) -> None:
    finding = evaluate_available(HOST, V4, failed("https://example.test/", kind, "the reason"))
    assert finding.status is status
    assert "the reason" in finding.summary
    assert finding.evidence["error_kind"] == kind.value


# --- https.redirect -------------------------------------------------------------------------


def redirect_verdict(*chain: Hop, https_works: bool = True) -> Finding:
    return evaluate_redirect(HOST, V4, chain, https_works=https_works)


def test_a_redirect_to_https_on_the_same_host_passes() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "https://example.test/"), ok("https://example.test/")
    )
    assert (finding.check_id, finding.status) == (REDIRECT, Status.PASS)
    assert finding.subject == "example.test 198.18.1.80:80"
    assert finding.evidence["first_https_url"] == "https://example.test/"
    assert [hop["url"] for hop in finding.evidence["chain"]] == [
        "http://example.test/",
        "https://example.test/",
    ]


def test_a_plain_http_hop_on_the_way_to_same_host_https_still_passes() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "http://example.test/en/", 302),
        moved("http://example.test/en/", "https://example.test/en/", 308),
        ok("https://example.test/en/"),
    )
    assert finding.status is Status.PASS


def test_https_on_the_same_host_then_another_host_passes() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "https://example.test/"),
        moved("https://example.test/", "https://www.example.test/"),
        ok("https://www.example.test/"),
    )
    assert finding.status is Status.PASS


def test_https_on_another_host_first_is_a_warning() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "https://www.example.test/"), ok("https://www.example.test/")
    )
    assert finding.status is Status.WARNING
    assert "another host first" in finding.summary


def test_a_later_https_hop_that_fails_does_not_spoil_a_good_redirect() -> None:
    # whether that HTTPS works is https.available's verdict, not this one's
    finding = redirect_verdict(
        moved("http://example.test/", "https://example.test/"),
        failed("https://example.test/", HttpErrorKind.TLS),
    )
    assert finding.status is Status.PASS


@pytest.mark.parametrize("status", [200, 403, 500])
def test_http_served_without_a_redirect_fails(status: int) -> None:
    finding = redirect_verdict(Hop("http://example.test/", V4.address, response("x", status)))
    assert finding.status is Status.FAIL
    assert "plain HTTP" in finding.summary


def test_a_redirect_status_without_location_fails() -> None:
    finding = redirect_verdict(Hop("http://example.test/", V4.address, response("x", 301)))
    assert finding.status is Status.FAIL
    assert "Location" in finding.summary


def test_a_redirect_loop_fails_with_the_chain() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "https://example.test/"),
        moved("https://example.test/", "http://example.test/"),
    )
    assert finding.status is Status.FAIL
    assert "loop" in finding.summary
    assert len(finding.evidence["chain"]) == 2


def test_more_than_the_redirect_limit_fails() -> None:
    chain = [moved("http://example.test/", "https://example.test/1")]
    chain += [
        moved(f"https://example.test/{n}", f"https://example.test/{n + 1}")
        for n in range(1, MAX_REDIRECTS + 1)
    ]
    finding = redirect_verdict(*chain)
    assert finding.status is Status.FAIL
    assert f"more than {MAX_REDIRECTS}" in finding.summary


def test_a_chain_sent_back_from_https_to_http_fails() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "https://example.test/"),
        moved("https://example.test/", "http://example.test/plain"),
        ok("http://example.test/plain"),
    )
    assert finding.status is Status.FAIL
    assert "back to plain HTTP" in finding.summary


def test_a_chain_that_never_reaches_https_fails() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "http://www.example.test/"), ok("http://www.example.test/")
    )
    assert finding.status is Status.FAIL
    assert "never redirects to HTTPS" in finding.summary


def test_a_chain_broken_before_https_is_an_error() -> None:
    finding = redirect_verdict(
        moved("http://example.test/", "http://www.example.test/"),
        failed("http://www.example.test/", HttpErrorKind.TIMEOUT, "no answer"),
    )
    assert finding.status is Status.ERROR
    assert "no answer" in finding.summary


def test_port_80_refused_while_https_works_is_info() -> None:
    finding = redirect_verdict(failed("http://example.test/", HttpErrorKind.REFUSED))
    assert finding.status is Status.INFO


@pytest.mark.parametrize(
    ("kind", "https_works", "status"),
    [
        (HttpErrorKind.REFUSED, False, Status.ERROR),
        (HttpErrorKind.TIMEOUT, True, Status.ERROR),
        (HttpErrorKind.UNREACHABLE, True, Status.ERROR),
        (HttpErrorKind.PROTOCOL, True, Status.FAIL),
        (HttpErrorKind.TOO_LARGE_HEADERS, True, Status.FAIL),
    ],
)
def test_port_80_failures(kind: HttpErrorKind, https_works: bool, status: Status) -> None:
    finding = redirect_verdict(failed("http://example.test/", kind, "why"), https_works=https_works)
    assert finding.status is status
    assert "why" in finding.summary


# --- https.hsts -----------------------------------------------------------------------------


def hsts_verdict(*values: str) -> Finding:
    headers = [("Strict-Transport-Security", value) for value in values]
    return evaluate_hsts(HOST, V6, ok("https://example.test/", headers))


def test_a_year_of_hsts_passes_and_reports_its_directives() -> None:
    finding = hsts_verdict("max-age=31536000; includeSubDomains; preload")
    assert (finding.check_id, finding.status) == (HSTS, Status.PASS)
    assert finding.evidence["max_age"] == 31536000
    assert finding.evidence["include_subdomains"] is True
    assert finding.evidence["preload"] is True
    assert finding.evidence["headers"] == ["max-age=31536000; includeSubDomains; preload"]


def test_a_short_max_age_is_a_warning() -> None:
    finding = hsts_verdict("max-age=86400")
    assert finding.status is Status.WARNING
    assert finding.evidence["include_subdomains"] is False


def test_no_hsts_fails() -> None:
    assert hsts_verdict().status is Status.FAIL


def test_max_age_zero_fails() -> None:
    assert hsts_verdict("max-age=0").status is Status.FAIL


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("includeSubDomains", "max-age directive is missing"),
        ("max-age=abc", "number of seconds"),
        ("max-age=-1", "number of seconds"),
        ("max-age", "number of seconds"),
        ("max-age=1; max-age=2", "more than once"),
        ("max-age=31536000; includesubdomains; includeSubDomains", "more than once"),
        ('max-age="31536000', "not closed"),
        ("max age=31536000", "not a valid directive name"),
        ("max-age=3 1536000", "not a token"),
    ],
)
def test_a_malformed_header_fails_with_the_reason(value: str, reason: str) -> None:
    finding = hsts_verdict(value)
    assert finding.status is Status.FAIL
    assert reason in finding.summary
    assert reason in finding.evidence["problem"]


def test_only_the_first_of_several_headers_counts() -> None:
    assert hsts_verdict("max-age=31536000", "max-age=0").status is Status.PASS
    finding = hsts_verdict("max-age=bad", "max-age=31536000")
    assert finding.status is Status.FAIL
    assert "only the first counts" in finding.summary
    assert finding.evidence["headers"] == ["max-age=bad", "max-age=31536000"]


def test_hsts_without_an_https_response_is_an_error() -> None:
    hop = failed("https://example.test/", HttpErrorKind.TIMEOUT, "too slow")
    finding = evaluate_hsts(HOST, V6, hop)
    assert finding.status is Status.ERROR
    assert "too slow" in finding.summary


def test_the_hsts_grammar_allows_quotes_case_spaces_and_unknown_directives() -> None:
    policy = parse_hsts(' MAX-AGE = "31536000" ;; INCLUDESUBDOMAINS ; future="a;b" ')
    assert (policy.max_age, policy.include_subdomains, policy.preload) == (31536000, True, False)


def test_the_hsts_parser_refuses_non_ascii_digits() -> None:
    with pytest.raises(HstsSyntaxError):
        parse_hsts("max-age=３１５３６０００")


# --- https.headers --------------------------------------------------------------------------


def headers_verdict(headers: Mapping[str, str] | Sequence[tuple[str, str]]) -> Finding:
    return evaluate_headers(HOST, V4, [ok("https://example.test/", headers)])


def without(*names: str) -> dict[str, str]:
    return {name: value for name, value in GOOD.items() if name not in names}


def test_good_security_headers_pass_with_each_value_as_sent() -> None:
    finding = headers_verdict(GOOD)
    assert (finding.check_id, finding.status) == (HEADERS, Status.PASS)
    assert finding.evidence["headers"]["Content-Security-Policy"] == [
        "default-src 'self'; frame-ancestors 'none'"
    ]
    assert finding.evidence["headers"]["X-Frame-Options"] == ["DENY"]
    assert finding.evidence["problems"] == []


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        (without("X-Content-Type-Options"), "X-Content-Type-Options is missing"),
        ({**GOOD, "X-Content-Type-Options": "sniff-away"}, "not nosniff"),
        (without("Content-Security-Policy"), "Content-Security-Policy is missing"),
        (
            without("Content-Security-Policy", "X-Frame-Options"),
            "neither CSP frame-ancestors nor X-Frame-Options",
        ),
        (
            {**without("Content-Security-Policy"), "X-Frame-Options": "ALLOW-FROM https://a"},
            "browsers honour only DENY or SAMEORIGIN",
        ),
        ({**GOOD, "Referrer-Policy": "unsafe-url"}, "unsafe-url sends addresses"),
        ({**GOOD, "Referrer-Policy": "no-referrer, unsafe-url"}, "unsafe-url"),
        ({**GOOD, "Referrer-Policy": "bogus"}, "names no known policy"),
        (
            {**GOOD, "Content-Security-Policy": "default-src 'self'; frame-ancestors https: *"},
            "lets any site frame the page",
        ),
    ],
)
def test_a_missing_or_weak_header_is_a_warning(headers: dict[str, str], problem: str) -> None:
    finding = headers_verdict(headers)
    assert finding.status is Status.WARNING
    assert any(problem in text for text in finding.evidence["problems"])
    assert problem in finding.summary


def test_frame_ancestors_alone_is_enough_against_framing() -> None:
    assert headers_verdict(without("X-Frame-Options")).status is Status.PASS


def test_sameorigin_framing_is_enough_without_frame_ancestors() -> None:
    headers = {**GOOD, "Content-Security-Policy": "default-src 'self'"}
    headers["X-Frame-Options"] = "sameorigin"
    assert headers_verdict(headers).status is Status.PASS


def test_the_last_known_referrer_policy_wins() -> None:
    headers = {**GOOD, "Referrer-Policy": "unsafe-url, made-up, strict-origin-when-cross-origin"}
    assert headers_verdict(headers).status is Status.PASS


@pytest.mark.parametrize(
    ("headers", "note"),
    [
        (without("Referrer-Policy"), "no Referrer-Policy"),
        (
            {
                **GOOD,
                "Content-Security-Policy": "script-src 'unsafe-inline'; frame-ancestors 'self'",
            },
            "'unsafe-inline'",
        ),
        (
            {
                **GOOD,
                "Content-Security-Policy": "default-src 'unsafe-eval'; frame-ancestors 'self'",
            },
            "'unsafe-eval'",
        ),
        (
            {**GOOD, "Content-Security-Policy": "frame-ancestors 'none'"},
            "does not restrict scripts",
        ),
    ],
)
def test_details_worth_knowing_are_info(headers: dict[str, str], note: str) -> None:
    finding = headers_verdict(headers)
    assert finding.status is Status.INFO
    assert any(note in text for text in finding.evidence["notes"])


def test_headers_are_read_from_the_final_same_host_page() -> None:
    page = [
        moved("https://example.test/", "https://example.test/en/"),
        ok("https://example.test/en/", GOOD),
    ]
    finding = evaluate_headers(HOST, V4, page)
    assert finding.status is Status.PASS
    assert finding.evidence["url"] == "https://example.test/en/"


def test_headers_without_an_https_response_are_an_error() -> None:
    finding = evaluate_headers(HOST, V4, [failed("https://example.test/", HttpErrorKind.TLS)])
    assert finding.status is Status.ERROR


# --- names that cannot be tested ------------------------------------------------------------


def name_answers(
    a: DnsOutcome | tuple[str, ...], aaaa: DnsOutcome | tuple[str, ...]
) -> dict[str, DnsAnswer]:
    def one(rdtype: str, given: DnsOutcome | tuple[str, ...]) -> DnsAnswer:
        if isinstance(given, DnsOutcome):
            return DnsAnswer(HOST, rdtype, given, detail=f"{given.value} detail")
        return DnsAnswer(HOST, rdtype, DnsOutcome.ANSWER, records=given)

    return {"A": one("A", a), "AAAA": one("AAAA", aaaa)}


def test_a_missing_www_name_is_info_and_says_so() -> None:
    answers = name_answers(DnsOutcome.NXDOMAIN, DnsOutcome.NXDOMAIN)
    finding = evaluate_name(HOST, f"www.{HOST}", answers, is_www=True)
    assert finding is not None
    assert (finding.check_id, finding.status) == (AVAILABLE, Status.INFO)
    assert "does not exist" in finding.summary
    assert "www." in finding.summary


def test_a_name_without_addresses_is_info() -> None:
    finding = evaluate_name(
        HOST, HOST, name_answers(DnsOutcome.NODATA, DnsOutcome.NODATA), is_www=False
    )
    assert finding is not None
    assert finding.status is Status.INFO
    assert "no IPv4 or IPv6 address" in finding.summary


def test_a_failed_lookup_is_an_error_even_when_the_other_family_answered() -> None:
    answers = name_answers(("198.18.1.80",), DnsOutcome.TIMEOUT)
    finding = evaluate_name(HOST, HOST, answers, is_www=False)
    assert finding is not None
    assert finding.status is Status.ERROR
    assert "AAAA" in finding.summary


def test_a_name_with_addresses_needs_no_name_finding() -> None:
    answers = name_answers(("198.18.1.80",), DnsOutcome.NODATA)
    assert evaluate_name(HOST, HOST, answers, is_www=False) is None


# --- the family end to end, without a network -----------------------------------------------


class MadeUpDns:
    """Answers A/AAAA from a table; everything else has no data."""

    def __init__(self, table: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
        self.table = table
        self.resolvers = ("198.18.1.53",)

    async def lookup(self, name: str, rdtype: str) -> DnsAnswer:
        records = self.table.get((name, rdtype))
        if records is None:
            return DnsAnswer(name, rdtype, DnsOutcome.NXDOMAIN)
        return DnsAnswer(name, rdtype, DnsOutcome.ANSWER, records=records)


def scan(
    monkeypatch: pytest.MonkeyPatch,
    dns: MadeUpDns,
    answers: Mapping[tuple[str, str], HttpResponse | HttpError],
) -> tuple[list[Finding], list[tuple[str, str]]]:
    requests: list[tuple[str, str]] = []

    async def fake_fetch(url: str, address: str, **_: object) -> HttpResponse:
        requests.append((url, address))
        answer = answers.get((url, address), HttpError(HttpErrorKind.REFUSED, "refused"))
        if isinstance(answer, HttpError):
            raise answer
        return answer

    monkeypatch.setattr(family_module, "fetch", fake_fetch)
    engine = Engine(ScanConfig(timeout=2), families=[HttpsFamily()], dns=dns)  # type: ignore[arg-type]

    async def collect() -> list[Finding]:
        events = [event async for event in engine.scan([Target(TargetKind.DOMAIN, HOST)])]
        return [event.finding for event in events if isinstance(event, FindingMade)]

    return asyncio.run(collect()), requests


def test_each_address_is_tested_on_its_own_and_cross_host_hops_keep_the_family(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given example.test on IPv4 and IPv6, whose HTTP goes to https://www.example.test/,
    # and a www name with an IPv4 and an IPv6 address of its own
    dns = MadeUpDns(
        {
            (HOST, "A"): ("198.18.1.80",),
            (HOST, "AAAA"): ("2001:db8:1::80",),
            (f"www.{HOST}", "A"): ("198.18.1.90",),
            (f"www.{HOST}", "AAAA"): ("2001:db8:1::90",),
        }
    )
    www = "https://www.example.test/"
    answers: dict[tuple[str, str], HttpResponse | HttpError] = {}
    for address in ("198.18.1.80", "2001:db8:1::80"):
        answers[("http://example.test/", address)] = response("x", 301, location=www)
        answers[("https://example.test/", address)] = response("x", 200, GOOD)
    answers[(www, "198.18.1.90")] = response(www, 200, GOOD)
    answers[(www, "2001:db8:1::90")] = response(www, 200, GOOD)
    # When the family runs
    findings, requests = scan(monkeypatch, dns, answers)
    # Then the IPv6 chain followed the redirect to www's IPv6 address, IPv4 to IPv4
    assert (www, "2001:db8:1::90") in requests
    assert (www, "198.18.1.90") in requests
    by_subject = {(f.check_id, f.subject): f.status for f in findings}
    assert by_subject[(REDIRECT, "example.test [2001:db8:1::80]:80")] is Status.WARNING
    assert by_subject[(REDIRECT, "example.test 198.18.1.80:80")] is Status.WARNING
    assert by_subject[(AVAILABLE, "example.test [2001:db8:1::80]:443")] is Status.PASS
    # and the www endpoints, refusing plain HTTP but answering HTTPS, got their own findings
    assert by_subject[(AVAILABLE, "www.example.test 198.18.1.90:443")] is Status.PASS
    assert by_subject[(REDIRECT, "www.example.test [2001:db8:1::90]:80")] is Status.INFO
    assert len(findings) == 4 * 4


def test_a_redirect_to_a_host_without_an_address_in_the_family_stops_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dns = MadeUpDns(
        {(HOST, "AAAA"): ("2001:db8:1::80",), ("v4.example.test", "A"): ("198.18.1.7",)}
    )
    answers: dict[tuple[str, str], HttpResponse | HttpError] = {
        ("http://example.test/", "2001:db8:1::80"): response(
            "x", 301, location="http://v4.example.test/"
        ),
        ("https://example.test/", "2001:db8:1::80"): response("x", 200, GOOD),
    }
    findings, _ = scan(monkeypatch, dns, answers)
    (redirect,) = [f for f in findings if f.check_id == REDIRECT]
    assert redirect.status is Status.ERROR
    assert "no IPv6 (AAAA) address" in redirect.summary
    (www,) = [f for f in findings if f.subject == "www.example.test"]
    assert www.status is Status.INFO
