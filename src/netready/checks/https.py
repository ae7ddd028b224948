"""HTTPS: is the web site there over HTTPS, does HTTP lead to it, HSTS, security headers.

Tested per host - the domain and ``www.<domain>`` (only names that resolve; an `info` says
when www has no address) - and per address: every A and AAAA address separately, so IPv4 and
IPv6 are each graded (subject ``www.example.org [2001:db8::10]:443``).

Probe, then evaluate: `probe_endpoint` makes the requests (each one connection, one
`CheckContext.probe`, bounded in time and size by `netready.net.http.fetch`); the pure
`evaluate_*` functions grade what came back.

Verdicts
--------
``https.available`` (the response to ``https://host/``)
    pass: HTTPS answers, any HTTP status, with a certificate valid for the name.
    fail: the TLS handshake or certificate fails, or the answer is not usable HTTP (broken
    protocol, a header block over the size limit). error: refused, unreachable, timed out.
``https.redirect`` (``http://host/`` on port 80, redirects followed one hop at a time, at
most `MAX_REDIRECTS`; a hop to another host goes to that host's address of the same family)
    pass: the first HTTPS URL in the chain is on the same host (what HSTS needs) and the
    chain stays on HTTPS. warning: the first HTTPS URL is on another host
    (http://example.org -> https://www.example.org). fail: HTTP answers without a redirect,
    a redirect without Location, no HTTPS in the chain, a redirect from HTTPS back to HTTP, a
    loop, more than `MAX_REDIRECTS` redirects, broken HTTP on port 80. info: port 80 refuses
    connections while HTTPS works (no plain HTTP to redirect). error: port 80 times out or is
    unreachable, or the chain broke before it reached HTTPS.
``https.hsts`` (the ``Strict-Transport-Security`` of the response to ``https://host/``)
    pass: max-age >= `HSTS_MIN_MAX_AGE` (one year). warning: shorter. fail: absent, malformed
    (RFC 6797 grammar: max-age required and numeric, no directive twice), or max-age=0.
    With several headers only the first counts (RFC 6797 section 8.1); all are in evidence.
    error: no HTTPS response to read it from.
``https.headers`` (the final page: ``https://host/`` after same-host HTTPS redirects)
    A problem (warning) each: X-Content-Type-Options not ``nosniff``; neither CSP
    ``frame-ancestors`` nor X-Frame-Options DENY/SAMEORIGIN, or a ``frame-ancestors`` that
    admits any site (``*``, ``https:``); a Referrer-Policy that leaks
    (``unsafe-url``, ``origin``, ``origin-when-cross-origin``, ``no-referrer-when-downgrade``);
    no Content-Security-Policy. A note (info): no Referrer-Policy (browsers default to the
    safe ``strict-origin-when-cross-origin``); a CSP that allows ``'unsafe-inline'`` or
    ``'unsafe-eval'`` scripts or does not restrict scripts at all. pass: no problem, no note.
    Status: warning if any problem, else info if any note, else pass. error: no HTTPS page.
    Evidence: every value of each header exactly as sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from netready.checks.base import (
    CheckContext,
    CheckSpec,
    ProbeTimeoutError,
    as_they_finish,
    lookup,
)
from netready.checks.web_fetch import shared_fetch, warm_up
from netready.findings import Finding, Status
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.net.http import HttpError, HttpErrorKind, HttpResponse, fetch
from netready.targets import Target, TargetKind

AVAILABLE = "https.available"
REDIRECT = "https.redirect"
HSTS = "https.hsts"
HEADERS = "https.headers"

MAX_REDIRECTS = 10
HSTS_MIN_MAX_AGE = 31_536_000  # one year, as the HSTS preload list asks
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_BROKEN_ANSWER = frozenset({HttpErrorKind.PROTOCOL, HttpErrorKind.TOO_LARGE_HEADERS})

Verdict = Callable[[Status, str], Finding]


# --- facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """A request that got no usable response (an `HttpError` as plain data)."""

    kind: HttpErrorKind
    message: str


@dataclass(frozen=True, slots=True)
class Hop:
    """One request: the URL, the address it went to (None: none found) and its outcome."""

    url: str
    address: str | None
    outcome: HttpResponse | FetchFailure

    @property
    def response(self) -> HttpResponse | None:
        return self.outcome if isinstance(self.outcome, HttpResponse) else None

    @property
    def redirect_to(self) -> str | None:
        """The absolute URL this hop redirects to, or None when it is not a redirect."""
        response = self.response
        if response is None or response.status not in REDIRECT_STATUSES:
            return None
        return response.location


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One host name at one of its addresses."""

    host: str
    address: str

    @property
    def family(self) -> str:
        return f"ipv{ipaddress.ip_address(self.address).version}"

    def subject(self, port: int) -> str:
        shown = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.host} {shown}:{port}"

    def evidence(self, port: int) -> dict[str, Any]:
        return {
            "host": self.host,
            "address": self.address,
            "address_family": self.family,
            "port": port,
        }


@dataclass(frozen=True, slots=True)
class EndpointFacts:
    """What the probes found at one endpoint.

    `https`: ``https://host/`` then its same-host HTTPS redirects; `http`: the redirect
    chain from ``http://host/``.
    """

    endpoint: Endpoint
    https: tuple[Hop, ...]
    http: tuple[Hop, ...]


# --- the family -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpsFamily:
    name: str = "https"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(AVAILABLE, "The web site answers over HTTPS with a valid certificate"),
        CheckSpec(REDIRECT, "Plain HTTP redirects to HTTPS on the same host first"),
        CheckSpec(HSTS, "HTTP Strict Transport Security is set for at least a year"),
        CheckSpec(HEADERS, "Security headers: nosniff, framing, referrer policy, CSP"),
    )

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DOMAIN

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        warm_up(context)  # load the trusted CAs while the names resolve
        names = web_hosts(target.value)
        resolved = await asyncio.gather(*(probe_addresses(name, context) for name in names))
        endpoints: list[Endpoint] = []
        for name, answers in zip(names, resolved, strict=True):
            finding = evaluate_name(target.value, name, answers, is_www=name != names[0])
            if finding is not None:
                yield finding
            endpoints += [Endpoint(name, address) for address in addresses_of(answers)]
        probes = (probe_endpoint(endpoint, context, target) for endpoint in endpoints)
        async for facts in as_they_finish(probes):
            for finding in evaluate_endpoint(target.value, facts):
                yield finding


def web_hosts(domain: str) -> list[str]:
    """The host names to test: the domain and its www name (unless it is one already)."""
    if domain.startswith("www."):
        return [domain]
    return [domain, f"www.{domain}"]


def addresses_of(answers: Mapping[str, DnsAnswer]) -> list[str]:
    """The A then AAAA addresses of a name (empty when it has none or a lookup failed)."""
    return [
        record
        for rdtype in ("A", "AAAA")
        if answers[rdtype].outcome is DnsOutcome.ANSWER
        for record in answers[rdtype].records
    ]


# --- probes ---------------------------------------------------------------------------------


async def probe_addresses(name: str, context: CheckContext) -> dict[str, DnsAnswer]:
    """A and AAAA of `name`, looked up at once."""
    a, aaaa = await asyncio.gather(lookup(context, name, "A"), lookup(context, name, "AAAA"))
    return {"A": a, "AAAA": aaaa}


async def probe_endpoint(
    endpoint: Endpoint, context: CheckContext, target: Target
) -> EndpointFacts:
    """The HTTPS page and the HTTP redirect chain of one endpoint, probed concurrently."""
    https, http = await asyncio.gather(
        probe_https_page(endpoint, context, target),
        probe_redirect_chain(endpoint, context, target),
    )
    return EndpointFacts(endpoint, https, http)


async def probe_https_page(
    endpoint: Endpoint, context: CheckContext, target: Target
) -> tuple[Hop, ...]:
    """``https://host/``, then its redirects while they stay on HTTPS on the same host."""
    hops = [await _request(f"https://{endpoint.host}/", endpoint.address, context, target)]
    seen = {hops[0].url}
    while len(hops) <= MAX_REDIRECTS:
        following = hops[-1].redirect_to
        if following is None or following in seen or not _same_https_host(following, endpoint):
            break
        seen.add(following)
        hops.append(await _request(following, endpoint.address, context, target))
    return tuple(hops)


async def probe_redirect_chain(
    endpoint: Endpoint, context: CheckContext, target: Target
) -> tuple[Hop, ...]:
    """``http://host/`` and every redirect after it: at most `MAX_REDIRECTS`, no URL twice.

    A hop to another host goes to that host's first address of the same family as the
    endpoint's, so the chain is followed over IPv4 or IPv6 as the endpoint is.
    """
    hops = [await _request(f"http://{endpoint.host}/", endpoint.address, context, target)]
    seen = {hops[0].url}
    while len(hops) <= MAX_REDIRECTS:
        following = hops[-1].redirect_to
        if following is None or following in seen:
            break
        seen.add(following)
        hops.append(await _follow(following, hops[-1], endpoint, context, target))
    return tuple(hops)


async def _follow(
    url: str, previous: Hop, endpoint: Endpoint, context: CheckContext, target: Target
) -> Hop:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Hop(url, None, FetchFailure(HttpErrorKind.OTHER, f"not an HTTP(S) URL: {url}"))
    host = parts.hostname.rstrip(".").lower()
    if host == _host_of(previous.url) and previous.address is not None:
        return await _request(url, previous.address, context, target)
    address = await _address_in_family(host, endpoint.family, context)
    if address is None:
        family = "IPv4 (A)" if endpoint.family == "ipv4" else "IPv6 (AAAA)"
        message = f"{host} has no {family} address to follow the redirect to"
        return Hop(url, None, FetchFailure(HttpErrorKind.OTHER, message))
    return await _request(url, address, context, target)


async def _address_in_family(host: str, family: str, context: CheckContext) -> str | None:
    if _is_ip(host):
        return host if f"ipv{ipaddress.ip_address(host).version}" == family else None
    answer = await lookup(context, host, "A" if family == "ipv4" else "AAAA")
    if answer.outcome is not DnsOutcome.ANSWER or not answer.records:
        return None
    return answer.records[0]


async def _request(url: str, address: str, context: CheckContext, target: Target) -> Hop:
    """One fetch (shared with the other families of this target); failures become `FetchFailure`."""
    try:
        # `fetch` is looked up here, at call time, so tests can stand in for the network
        response = await shared_fetch(context, target, url, address, fetch=fetch)
    except HttpError as error:
        return Hop(url, address, FetchFailure(error.kind, error.message))
    except ProbeTimeoutError as error:
        return Hop(url, address, FetchFailure(HttpErrorKind.TIMEOUT, str(error)))
    return Hop(url, address, response)


# --- evaluation: names ----------------------------------------------------------------------


def evaluate_name(
    target: str, name: str, answers: Mapping[str, DnsAnswer], *, is_www: bool
) -> Finding | None:
    """A finding when `name` cannot be tested (wholly or in part), else None.

    error: a lookup failed (the addresses of the other family, if any, are still tested).
    info: the name does not exist or has no address (for www: visitors typing it find
    nothing).
    """
    evidence: dict[str, Any] = {
        "host": name,
        "dns": {rdtype: answer.outcome.value for rdtype, answer in answers.items()},
    }
    failed = [answer for answer in answers.values() if not answer.outcome.is_conclusive]
    if failed:
        reasons = "; ".join(f"{a.rdtype}: {a.detail or a.outcome.value}" for a in failed)
        tested = " (the other addresses were tested)" if addresses_of(answers) else ""
        summary = f"Could not test HTTPS on all of {name}: lookups failed ({reasons}){tested}."
        return Finding(target, name, AVAILABLE, Status.ERROR, summary, evidence)
    if addresses_of(answers):
        return None
    if any(answer.outcome is DnsOutcome.NXDOMAIN for answer in answers.values()):
        summary = f"{name} does not exist, so it was not tested."
    else:
        summary = f"{name} has no IPv4 or IPv6 address, so it was not tested."
    if is_www:
        summary += " Visitors who type www. in front of the name will find no site."
    return Finding(target, name, AVAILABLE, Status.INFO, summary, evidence)


def evaluate_endpoint(target: str, facts: EndpointFacts) -> list[Finding]:
    """The four verdicts for one endpoint."""
    https_ok = facts.https[0].response is not None
    return [
        evaluate_available(target, facts.endpoint, facts.https[0]),
        evaluate_redirect(target, facts.endpoint, facts.http, https_works=https_ok),
        evaluate_hsts(target, facts.endpoint, facts.https[0]),
        evaluate_headers(target, facts.endpoint, facts.https),
    ]


# --- evaluation: https.available ------------------------------------------------------------


def evaluate_available(target: str, endpoint: Endpoint, hop: Hop) -> Finding:
    subject = endpoint.subject(443)
    evidence = {**endpoint.evidence(443), "url": hop.url}
    outcome = hop.outcome
    if isinstance(outcome, HttpResponse):
        evidence |= {
            "status": outcome.status,
            "http_version": outcome.http_version,
            "body_truncated": outcome.body_truncated,
        }
        summary = f"HTTPS on {subject} answers (HTTP {outcome.status}) with a valid certificate."
        return Finding(target, subject, AVAILABLE, Status.PASS, summary, evidence)
    evidence |= _failure_evidence(outcome)
    if outcome.kind is HttpErrorKind.TLS:
        summary = f"HTTPS on {subject} fails: {outcome.message}."
        return Finding(target, subject, AVAILABLE, Status.FAIL, summary, evidence)
    if outcome.kind in _BROKEN_ANSWER:
        summary = f"HTTPS on {subject} gives no usable answer: {outcome.message}."
        return Finding(target, subject, AVAILABLE, Status.FAIL, summary, evidence)
    summary = f"Could not test HTTPS on {subject}: {outcome.message}."
    return Finding(target, subject, AVAILABLE, Status.ERROR, summary, evidence)


# --- evaluation: https.redirect -------------------------------------------------------------


def evaluate_redirect(
    target: str, endpoint: Endpoint, chain: Sequence[Hop], *, https_works: bool
) -> Finding:
    """Grade the chain from ``http://host/`` (see the module docstring for the rules)."""
    subject = endpoint.subject(80)
    evidence = {**endpoint.evidence(80), "chain": [_hop_evidence(hop) for hop in chain]}

    def verdict(status: Status, summary: str) -> Finding:
        return Finding(target, subject, REDIRECT, status, summary, evidence)

    first = chain[0]
    if isinstance(first.outcome, FetchFailure):
        return _port_80_failure(first.outcome, subject, https_works, verdict)
    if first.redirect_to is None:
        return verdict(Status.FAIL, _no_redirect(subject, first.outcome))
    first_https = next((hop for hop in chain if _scheme(hop.url) == "https"), None)
    if first_https is not None:
        evidence["first_https_url"] = first_https.url
    last = chain[-1]
    if last.redirect_to is not None and last.redirect_to in {hop.url for hop in chain}:
        path = " -> ".join([*(hop.url for hop in chain), last.redirect_to])
        return verdict(Status.FAIL, f"HTTP on {subject} leads into a redirect loop: {path}.")
    if last.redirect_to is not None:
        return verdict(
            Status.FAIL,
            f"HTTP on {subject} redirects more than {MAX_REDIRECTS} times (stopped at {last.url}).",
        )
    downgrade = _downgrade(chain)
    if downgrade is not None:
        return verdict(
            Status.FAIL,
            f"HTTP on {subject} reaches HTTPS but is sent back to plain HTTP "
            f"({downgrade.url} -> {downgrade.redirect_to}).",
        )
    if first_https is None:
        return _never_https(chain, subject, verdict)
    if _host_of(first_https.url) != endpoint.host:
        return verdict(
            Status.WARNING,
            f"HTTP on {subject} redirects to HTTPS on another host first ({first_https.url}), "
            f"so browsers never see HSTS for {endpoint.host}; redirect to "
            f"https://{endpoint.host}/ first.",
        )
    return verdict(Status.PASS, f"HTTP on {subject} redirects to {first_https.url}.")


def _port_80_failure(
    failure: FetchFailure, subject: str, https_works: bool, verdict: Verdict
) -> Finding:
    if failure.kind is HttpErrorKind.REFUSED and https_works:
        return verdict(
            Status.INFO,
            f"Nothing answers plain HTTP on {subject} (connection refused), so there is "
            "nothing to redirect; HTTPS works.",
        )
    if failure.kind in _BROKEN_ANSWER:
        return verdict(Status.FAIL, f"HTTP on {subject} gives no usable answer: {failure.message}.")
    return verdict(
        Status.ERROR, f"Could not test the HTTP redirect on {subject}: {failure.message}."
    )


def _no_redirect(subject: str, response: HttpResponse) -> str:
    if response.status in REDIRECT_STATUSES:
        return f"HTTP on {subject} answers {response.status} without a usable Location."
    return (
        f"HTTP on {subject} serves the site over plain HTTP (HTTP {response.status}) "
        "instead of redirecting to HTTPS."
    )


def _never_https(chain: Sequence[Hop], subject: str, verdict: Verdict) -> Finding:
    last = chain[-1]
    if isinstance(last.outcome, FetchFailure):
        return verdict(
            Status.ERROR,
            f"Could not follow the redirects from {subject} to their end: {last.url}: "
            f"{last.outcome.message}.",
        )
    return verdict(
        Status.FAIL,
        f"HTTP on {subject} never redirects to HTTPS; it ends at {last.url} "
        f"(HTTP {last.outcome.status}).",
    )


def _downgrade(chain: Sequence[Hop]) -> Hop | None:
    """The first hop that redirects from HTTPS to plain HTTP, if any."""
    for hop in chain:
        following = hop.redirect_to
        if _scheme(hop.url) == "https" and following is not None and _scheme(following) == "http":
            return hop
    return None


def _hop_evidence(hop: Hop) -> dict[str, Any]:
    evidence: dict[str, Any] = {"url": hop.url, "address": hop.address}
    if isinstance(hop.outcome, HttpResponse):
        evidence["status"] = hop.outcome.status
        location = hop.outcome.header_values("location")
        if location:
            evidence["location"] = location[0]
    else:
        evidence |= _failure_evidence(hop.outcome)
    return evidence


# --- evaluation: https.hsts -----------------------------------------------------------------


class HstsSyntaxError(ValueError):
    """A Strict-Transport-Security value that RFC 6797 says to ignore; says why."""


@dataclass(frozen=True, slots=True)
class HstsPolicy:
    max_age: int
    include_subdomains: bool
    preload: bool


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DIGITS = re.compile(r"[0-9]+")


def parse_hsts(value: str) -> HstsPolicy:
    """Parse one Strict-Transport-Security value (RFC 6797 section 6.1).

    Directive names are case-insensitive, values a token or a quoted string; max-age is
    required and is a number of seconds; no directive may appear twice; unknown directives
    are ignored. Raises `HstsSyntaxError` for anything a browser must ignore.
    """
    directives: dict[str, str | None] = {}
    for part in _split_directives(value):
        name, has_value, raw_value = part.partition("=")
        name = name.strip(" \t").lower()
        if not name and not has_value:
            continue  # empty directives (";;") are allowed
        if not _TOKEN.fullmatch(name):
            raise HstsSyntaxError(f"{name!r} is not a valid directive name")
        if name in directives:
            raise HstsSyntaxError(f"the {name} directive appears more than once")
        directives[name] = _directive_value(name, raw_value) if has_value else None
    if "max-age" not in directives:
        raise HstsSyntaxError("the required max-age directive is missing")
    max_age = directives["max-age"]
    if max_age is None or not _DIGITS.fullmatch(max_age):
        raise HstsSyntaxError(f"max-age must be a number of seconds, not {max_age!r}")
    return HstsPolicy(
        max_age=int(max_age),
        include_subdomains="includesubdomains" in directives,
        preload="preload" in directives,
    )


def _split_directives(value: str) -> list[str]:
    """Split at semicolons outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if quoted:
        raise HstsSyntaxError("a quoted string is not closed")
    parts.append("".join(current))
    return parts


def _directive_value(name: str, raw: str) -> str:
    text = raw.strip(" \t")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if not _TOKEN.fullmatch(text):
        raise HstsSyntaxError(f"the value of {name} is not a token or a quoted string: {text!r}")
    return text


def evaluate_hsts(target: str, endpoint: Endpoint, hop: Hop) -> Finding:
    subject = endpoint.subject(443)
    evidence: dict[str, Any] = {**endpoint.evidence(443), "url": hop.url}

    def verdict(status: Status, summary: str) -> Finding:
        return Finding(target, subject, HSTS, status, summary, evidence)

    if isinstance(hop.outcome, FetchFailure):
        evidence |= _failure_evidence(hop.outcome)
        return verdict(
            Status.ERROR,
            f"Could not test HSTS on {subject}: no HTTPS response ({hop.outcome.message}).",
        )
    values = hop.outcome.header_values("strict-transport-security")
    evidence["headers"] = list(values)
    if not values:
        return verdict(
            Status.FAIL, f"HTTPS on {subject} sends no Strict-Transport-Security header."
        )
    several = f" ({len(values)} headers sent; only the first counts)" if len(values) > 1 else ""
    try:
        policy = parse_hsts(values[0])
    except HstsSyntaxError as error:
        evidence["problem"] = str(error)
        return verdict(
            Status.FAIL, f"The HSTS header on {subject} is invalid and ignored: {error}{several}."
        )
    evidence |= {
        "max_age": policy.max_age,
        "include_subdomains": policy.include_subdomains,
        "preload": policy.preload,
    }
    if policy.max_age == 0:
        return verdict(
            Status.FAIL,
            f"HSTS on {subject} has max-age=0, which tells browsers to drop it{several}.",
        )
    if policy.max_age < HSTS_MIN_MAX_AGE:
        return verdict(
            Status.WARNING,
            f"HSTS on {subject} lasts only {policy.max_age} s; use at least "
            f"{HSTS_MIN_MAX_AGE} s (a year){several}.",
        )
    directives = "".join(
        f"; {name}"
        for name, present in (
            ("includeSubDomains", policy.include_subdomains),
            ("preload", policy.preload),
        )
        if present
    )
    return verdict(
        Status.PASS, f"HSTS on {subject}: max-age={policy.max_age}{directives}{several}."
    )


# --- evaluation: https.headers --------------------------------------------------------------

SECURITY_HEADERS = (
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Content-Security-Policy",
    "Referrer-Policy",
    "Strict-Transport-Security",
)
SAFE_REFERRER_POLICIES = frozenset(
    {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
)
LEAKY_REFERRER_POLICIES = frozenset(
    {"unsafe-url", "origin", "origin-when-cross-origin", "no-referrer-when-downgrade"}
)


@dataclass(frozen=True, slots=True)
class HeaderReview:
    """What the security headers of one response lack (`problems`) or are worth a note."""

    problems: tuple[str, ...]
    notes: tuple[str, ...]


def review_security_headers(response: HttpResponse) -> HeaderReview:
    """Grade the four header rules of the module docstring for one response."""
    policies = [
        _csp_directives(value) for value in response.header_values("content-security-policy")
    ]
    problems: list[str] = []
    notes: list[str] = []
    nosniff = response.header_values("x-content-type-options")
    if not nosniff:
        problems.append("X-Content-Type-Options is missing (should be nosniff)")
    elif nosniff[0].strip().lower() != "nosniff":
        problems.append(f"X-Content-Type-Options is {nosniff[0]!r}, not nosniff")
    problems += _framing_problems(policies, response.header_values("x-frame-options"))
    _grade_referrer_policy(response.header_values("referrer-policy"), problems, notes)
    if not policies:
        problems.append("Content-Security-Policy is missing")
    else:
        notes += _csp_notes(policies)
    return HeaderReview(tuple(problems), tuple(notes))


def _framing_problems(
    policies: Sequence[Mapping[str, str]], frame_options: Sequence[str]
) -> list[str]:
    ancestors = [policy["frame-ancestors"] for policy in policies if "frame-ancestors" in policy]
    if ancestors:
        # browsers ignore X-Frame-Options once any policy has frame-ancestors
        if all(_lets_anyone_frame(sources) for sources in ancestors):
            return [f"CSP frame-ancestors {ancestors[0]!r} lets any site frame the page"]
        return []
    if not frame_options:
        return ["neither CSP frame-ancestors nor X-Frame-Options limits framing"]
    if frame_options[0].strip().upper() in ("DENY", "SAMEORIGIN"):
        return []
    return [f"X-Frame-Options is {frame_options[0]!r} (browsers honour only DENY or SAMEORIGIN)"]


def _lets_anyone_frame(sources: str) -> bool:
    """Whether a frame-ancestors source list admits any site: `*` or a bare scheme."""
    return any(source in ("*", "https:", "http:") for source in sources.lower().split())


def _grade_referrer_policy(values: Sequence[str], problems: list[str], notes: list[str]) -> None:
    # the last policy a browser recognises wins (Referrer Policy spec, "parse a referrer policy")
    tokens = [token.strip().lower() for value in values for token in value.split(",")]
    known = [t for t in tokens if t in SAFE_REFERRER_POLICIES | LEAKY_REFERRER_POLICIES]
    if not values:
        notes.append("no Referrer-Policy (browsers default to strict-origin-when-cross-origin)")
    elif not known:
        problems.append(f"Referrer-Policy {', '.join(values)!r} names no known policy")
    elif known[-1] in LEAKY_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {known[-1]} sends addresses to other sites")


def _csp_directives(value: str) -> dict[str, str]:
    """Directive name -> its value; the first of a repeated directive wins (CSP3)."""
    directives: dict[str, str] = {}
    for part in value.split(";"):
        name, *rest = part.split(None, 1) or [""]
        if name:
            directives.setdefault(name.lower(), " ".join(rest))
    return directives


def _csp_notes(policies: Sequence[Mapping[str, str]]) -> list[str]:
    notes = []
    for policy in policies:
        scripts = policy.get("script-src", policy.get("default-src"))
        if scripts is None:
            notes.append(
                "the Content-Security-Policy does not restrict scripts "
                "(no script-src or default-src)"
            )
            continue
        for keyword in ("'unsafe-inline'", "'unsafe-eval'"):
            if keyword in scripts.lower():
                notes.append(f"the Content-Security-Policy allows {keyword} scripts")
    return notes


def evaluate_headers(target: str, endpoint: Endpoint, page: Sequence[Hop]) -> Finding:
    """Grade the security headers of the last HTTPS response in `page`."""
    subject = endpoint.subject(443)
    final = next((hop for hop in reversed(page) if hop.response is not None), page[0])
    evidence: dict[str, Any] = {**endpoint.evidence(443), "url": final.url}

    def verdict(status: Status, summary: str) -> Finding:
        return Finding(target, subject, HEADERS, status, summary, evidence)

    response = final.outcome
    if isinstance(response, FetchFailure):
        evidence |= _failure_evidence(response)
        return verdict(
            Status.ERROR,
            f"Could not test the security headers on {subject}: no HTTPS response "
            f"({response.message}).",
        )
    review = review_security_headers(response)
    evidence |= {
        "status": response.status,
        "headers": {name: list(response.header_values(name)) for name in SECURITY_HEADERS},
        "problems": list(review.problems),
        "notes": list(review.notes),
    }
    if review.problems:
        return verdict(
            Status.WARNING, f"Security headers on {subject}: {'; '.join(review.problems)}."
        )
    if review.notes:
        return verdict(
            Status.INFO, f"Security headers on {subject} are set; note: {'; '.join(review.notes)}."
        )
    return verdict(Status.PASS, f"Security headers on {subject} are set and safe.")


# --- helpers --------------------------------------------------------------------------------


def _failure_evidence(failure: FetchFailure) -> dict[str, str]:
    return {"error": failure.message, "error_kind": failure.kind.value}


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


def _same_https_host(url: str, endpoint: Endpoint) -> bool:
    return _scheme(url) == "https" and _host_of(url) == endpoint.host


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
