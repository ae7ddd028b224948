"""DNSSEC: is the target's zone signed, does its chain of trust validate, and how well?

netready validates the chain itself (`checks.dnssec_chain`) and never trusts a resolver's
AD bit: every question goes to the configured resolvers with DO and CD set, so a validating
resolver hands over even bogus data and netready can say what is wrong with it.

Probe, then evaluate: `probe_chain` asks the questions (concurrently, each answer shared by
every target of the scan through `CheckContext.once`); `validate_chain` and the
`evaluate_*` functions are pure.

Verdicts (one finding of each per target, for the target's zone; plus `dnssec.status` for
the zone of each mail host, when it is another zone):

`dnssec.status`
    pass: ``secure`` — the chain validates from the trust anchor to the zone, and the
    zone's SOA, A, AAAA and MX answers (or their denials) are validly signed.
    fail: ``insecure`` — the parent proves with NSEC/NSEC3 that the zone has no DS, or its
    DS records use only algorithms validators do not support. An unsigned zone fails
    DNSSEC *readiness* (as internet.nl grades it): nothing protects its answers.
    fail: ``bogus`` — with the reason: the DS matches no DNSKEY, a signature expired or
    is not yet valid, an RRSIG is missing or does not verify, a denial lacks its proof,
    the root keys do not match the trust anchor, or the zone demands more work than a
    validator should do (KeyTrap). Validating resolvers answer SERVFAIL for such a zone.
    error: ``indeterminate`` — could not decide: timeouts, SERVFAIL, malformed or
    truncated answers, a CNAME loop, a resolver that strips DNSSEC records, an unusable
    trust anchor file.
`dnssec.algorithm` (RFC 8624, sections 3.1 and 3.3)
    fail: a signing algorithm that MUST NOT be used (RSAMD5, DSA, DSA-NSEC3-SHA1,
    ECC-GOST) or a GOST/NULL DS digest. warning: RSASHA1 or RSASHA1-NSEC3-SHA1 (SHA-1, NOT
    RECOMMENDED; some validators already treat them as unsigned), a SHA-1 DS digest (MUST
    NOT be created, still accepted), or an unknown algorithm. info: RSASHA512 (NOT
    RECOMMENDED for signing, as support is thin, though not weak), or an unsigned zone.
    pass: otherwise. error: the keys could not be read.
`dnssec.nsec3` (RFC 9276)
    pass: NSEC, or NSEC3 with 0 extra iterations and no salt. warning: NSEC3 with extra
    iterations (RFC 9276 3.1: MUST be 0) or a salt (SHOULD NOT). fail: more than 150
    iterations, which validators treat as unsigned. info: opt-out in use (reported; fine
    only for zones of many delegations), or the zone is unsigned. error: nothing seen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rcode
from dns.rdatatype import RdataType

from netready.checks.base import PROBE_GRACE_SECONDS, CheckContext, CheckSpec, ProbeTimeoutError
from netready.checks.dnssec_chain import (
    ANSWER_TYPES,
    MAX_NSEC3_ITERATIONS,
    ChainState,
    ChainVerdict,
    DenialInfo,
    Question,
    Reason,
    TrustAnchor,
    TrustAnchorError,
    ZoneLink,
    denial_parameters,
    first_questions,
    guess_zone,
    mx_hosts,
    parse_trust_anchor,
    second_questions,
    validate_chain,
    zone_text,
)
from netready.findings import Finding, Status, worst_status
from netready.net.dnssec import (
    DnssecReply,
    QueryFailure,
    TruncatedAnswerError,
    describe_failure,
    query_dnssec,
)
from netready.resources import ResourceError, resource_path
from netready.targets import Target, TargetKind

STATUS = "dnssec.status"
ALGORITHM = "dnssec.algorithm"
NSEC3 = "dnssec.nsec3"

#: Mail hosts whose zones are validated too, at most (in order of MX preference).
MAX_MAIL_HOSTS = 5
#: The mail hosts' zones need only the status: their SOA and addresses are what is used.
MAIL_ANSWER_TYPES = (RdataType.SOA, RdataType.A, RdataType.AAAA)
#: The shipped IANA root trust anchor (DS records of the root KSKs).
SHIPPED_ANCHOR = ("trust-anchors", "root.ds")
#: A resolver gets no turn with less time than this left; the next question is better off.
MIN_RESOLVER_SHARE_SECONDS = 0.05

_STATUS_OF_STATE = {
    ChainState.SECURE: Status.PASS,
    ChainState.INSECURE: Status.FAIL,
    ChainState.BOGUS: Status.FAIL,
    ChainState.INDETERMINATE: Status.ERROR,
}


@dataclass(frozen=True, slots=True)
class DnssecFamily:
    name: str = "dnssec"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(STATUS, "The zone is signed and its DNSSEC chain of trust validates"),
        CheckSpec(ALGORITHM, "The zone is signed with algorithms fit for use (RFC 8624)"),
        CheckSpec(NSEC3, "NSEC3, if used, has no extra iterations and no salt (RFC 9276)"),
    )
    #: seconds since the epoch, for signature validity (a seam for tests)
    clock: Callable[[], float] = time.time

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DOMAIN

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        anchor = await context.once("dnssec.trust_anchor", lambda: load_trust_anchor(context))
        name = dns.name.from_text(target.value)
        replies = await probe_chain(name, context, ANSWER_TYPES, with_denial=True)
        now = int(self.clock())
        verdict = validate_or_explain(name, replies, anchor, ANSWER_TYPES, now=now)
        denial = denial_parameters(dns.name.from_text(verdict.zone), replies)
        resolvers = context.dns.resolvers
        yield evaluate_status(target.value, verdict, resolvers=resolvers)
        yield evaluate_algorithm(target.value, verdict)
        yield evaluate_nsec3(target.value, verdict, denial)
        mail = await probe_mail_zones(name, replies, anchor, context, now=now, skip={verdict.zone})
        for host, mail_verdict in mail:
            yield evaluate_status(target.value, mail_verdict, resolvers=resolvers, mail_host=host)


# --- probes ---------------------------------------------------------------------------------


async def load_trust_anchor(context: CheckContext) -> TrustAnchor | str:
    """The scan's trust anchor, or why it cannot be used (reported as every verdict)."""
    configured = context.config.trust_anchor
    try:
        path = configured if configured is not None else resource_path(*SHIPPED_ANCHOR)
        text = await asyncio.to_thread(_read_text, path)
        return parse_trust_anchor(text, now=datetime.now(UTC))
    except (OSError, ResourceError, UnicodeDecodeError, TrustAnchorError) as error:
        where = str(configured) if configured is not None else "the shipped root anchor"
        return f"the trust anchor {where} cannot be used: {error}"


def trust_anchor_problem(path: Path) -> str | None:
    """Why the trust anchor file `path` cannot be used, or None: for refusing it up front."""
    try:
        parse_trust_anchor(_read_text(path), now=datetime.now(UTC))
    except (OSError, UnicodeDecodeError, TrustAnchorError) as error:
        return f"the trust anchor {str(path)!r} cannot be used: {error}"
    return None


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


async def probe_chain(
    name: dns.name.Name,
    context: CheckContext,
    answer_types: Sequence[RdataType],
    *,
    with_denial: bool,
) -> dict[Question, DnssecReply]:
    """Ask everything the chain of `name` needs, in two concurrent rounds.

    The first round needs no answer: the root's keys, the DS at every name from the top
    down, and the target's own records. The second fetches the DNSKEY of every zone cut
    the DS answers reveal, and the zone's NSEC3PARAM.
    """
    first = first_questions(name, answer_types)
    replies = dict(zip(first, await _ask_all(first, context), strict=True))
    second = [
        q for q in second_questions(name, replies, with_denial=with_denial) if q not in replies
    ]
    replies.update(zip(second, await _ask_all(second, context), strict=True))
    return replies


async def probe_mail_zones(
    name: dns.name.Name,
    replies: dict[Question, DnssecReply],
    anchor: TrustAnchor | str,
    context: CheckContext,
    *,
    now: int,
    skip: set[str],
) -> list[tuple[str, ChainVerdict]]:
    """The verdict for the zone of each mail host, once per zone, other zones than `skip`."""
    hosts = mx_hosts(name, replies, limit=MAX_MAIL_HOSTS)
    host_replies = await asyncio.gather(
        *(probe_chain(host, context, MAIL_ANSWER_TYPES, with_denial=False) for host in hosts)
    )
    verdicts: list[tuple[str, ChainVerdict]] = []
    seen = set(skip)
    for host, chain_replies in zip(hosts, host_replies, strict=True):
        zone = zone_text(guess_zone(host, chain_replies))
        if zone in seen:
            continue
        seen.add(zone)
        verdict = validate_or_explain(host, chain_replies, anchor, MAIL_ANSWER_TYPES, now=now)
        verdicts.append((zone_text(host), verdict))
    return verdicts


async def _ask_all(questions: Iterable[Question], context: CheckContext) -> list[DnssecReply]:
    return list(await asyncio.gather(*(_ask_once(question, context) for question in questions)))


async def _ask_once(question: Question, context: CheckContext) -> DnssecReply:
    """Every target of the scan shares one answer per question (DS, DNSKEY, ...)."""
    name, rdtype = question
    key = f"dnssec.query.{name.canonicalize().to_text()}/{rdtype.name}"
    return await context.once(key, lambda: ask_resolvers(name, rdtype, context))


async def ask_resolvers(
    name: dns.name.Name, rdtype: RdataType, context: CheckContext
) -> DnssecReply:
    """Ask the scan's resolvers in turn until one answers NOERROR or NXDOMAIN.

    The whole question gets the configured timeout, shared among the resolvers still to
    try, so a dead first resolver leaves time for the next.
    """
    resolvers = context.dns.resolvers
    deadline = time.monotonic() + context.config.timeout
    reply = DnssecReply(name, rdtype, failure=QueryFailure.NETWORK, detail="no resolver")
    for index, resolver in enumerate(resolvers):
        share = (deadline - time.monotonic()) / (len(resolvers) - index)
        if share < MIN_RESOLVER_SHARE_SECONDS:
            break
        reply = await _ask_one(name, rdtype, resolver, share, context)
        if reply.message is not None:
            return reply
    return reply


async def _ask_one(
    name: dns.name.Name,
    rdtype: RdataType,
    resolver: str,
    timeout: float,
    context: CheckContext,
) -> DnssecReply:
    what = f"DNSSEC query {name} {rdtype.name} to {resolver}"

    async def query() -> dns.message.Message:
        return await query_dnssec(name, rdtype, resolver, timeout=timeout)

    try:
        message = await context.probe(what, query, timeout=timeout + PROBE_GRACE_SECONDS)
    except ProbeTimeoutError as error:
        return DnssecReply(name, rdtype, None, resolver, QueryFailure.TIMEOUT, str(error))
    except (
        dns.exception.DNSException,
        OSError,
        EOFError,
        ValueError,
        TruncatedAnswerError,
    ) as error:
        failure, detail = describe_failure(error)
        return DnssecReply(name, rdtype, None, resolver, failure, f"{resolver}: {detail}")
    rcode = message.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        detail = f"{resolver} answered {dns.rcode.to_text(rcode)}"
        return DnssecReply(name, rdtype, None, resolver, QueryFailure.SERVFAIL, detail)
    return DnssecReply(name, rdtype, message, resolver)


def validate_or_explain(
    name: dns.name.Name,
    replies: dict[Question, DnssecReply],
    anchor: TrustAnchor | str,
    answer_types: Sequence[RdataType],
    *,
    now: int,
) -> ChainVerdict:
    """`validate_chain`, or an indeterminate verdict when the trust anchor is unusable."""
    if isinstance(anchor, str):
        return ChainVerdict(
            zone_text(name),
            zone_text(guess_zone(name, replies)),
            ChainState.INDETERMINATE,
            Reason.TRUST_ANCHOR,
            anchor,
        )
    return validate_chain(name, replies, anchor, now=now, answer_types=answer_types)


# --- evaluation -----------------------------------------------------------------------------


def evaluate_status(
    target: str,
    verdict: ChainVerdict,
    *,
    resolvers: Sequence[str] = (),
    mail_host: str | None = None,
) -> Finding:
    """`dnssec.status` for the verdict's zone (see the module docstring)."""
    zone = verdict.zone
    about = f"{zone} (zone of mail host {mail_host})" if mail_host else zone
    summaries = {
        ChainState.SECURE: f"{about} is signed and its DNSSEC chain of trust validates.",
        ChainState.INSECURE: f"{about} is not protected by DNSSEC: {verdict.detail}.",
        ChainState.BOGUS: f"{about} has broken DNSSEC (bogus): {verdict.detail}.",
        ChainState.INDETERMINATE: (
            f"Could not decide the DNSSEC status of {about}: {verdict.detail}."
        ),
    }
    evidence: dict[str, Any] = {
        "state": verdict.state.value,
        "reason": verdict.reason.value,
        "detail": verdict.detail,
        "zone": zone,
        "name": verdict.name,
        "chain": [link.as_evidence() for link in verdict.links],
        "resolvers": list(resolvers),
    }
    if verdict.failed_at:
        evidence["failed_at"] = verdict.failed_at
    if mail_host:
        evidence["mail_host"] = mail_host
    return Finding(
        target=target,
        subject=zone,
        check_id=STATUS,
        status=_STATUS_OF_STATE[verdict.state],
        summary=summaries[verdict.state],
        evidence=evidence,
    )


#: Signing algorithms by number: their name and grade (RFC 8624 section 3.1).
ALGORITHM_GRADES: dict[int, tuple[str, Status, str]] = {
    1: ("RSAMD5", Status.FAIL, "MUST NOT be used"),
    3: ("DSA", Status.FAIL, "MUST NOT be used"),
    5: ("RSASHA1", Status.WARNING, "NOT RECOMMENDED: SHA-1"),
    6: ("DSA-NSEC3-SHA1", Status.FAIL, "MUST NOT be used"),
    7: ("RSASHA1-NSEC3-SHA1", Status.WARNING, "NOT RECOMMENDED: SHA-1"),
    8: ("RSASHA256", Status.PASS, "MUST be supported"),
    10: ("RSASHA512", Status.INFO, "NOT RECOMMENDED for signing: thinly supported"),
    12: ("ECC-GOST", Status.FAIL, "MUST NOT be used for signing"),
    13: ("ECDSAP256SHA256", Status.PASS, "MUST be supported"),
    14: ("ECDSAP384SHA384", Status.PASS, "MAY be used"),
    15: ("ED25519", Status.PASS, "RECOMMENDED"),
    16: ("ED448", Status.PASS, "MAY be used"),
}
#: DS digest types by number: their name and grade (RFC 8624 section 3.3).
DIGEST_GRADES: dict[int, tuple[str, Status, str]] = {
    0: ("NULL", Status.FAIL, "MUST NOT be used"),
    1: ("SHA-1", Status.WARNING, "MUST NOT be used for new DS records"),
    2: ("SHA-256", Status.PASS, "MUST be supported"),
    3: ("GOST R 34.11-94", Status.FAIL, "MUST NOT be used"),
    4: ("SHA-384", Status.PASS, "MAY be used"),
}
_UNKNOWN = ("unknown", Status.WARNING, "unknown to validators, which then ignore it")


@dataclass(frozen=True, slots=True)
class _Grade:
    kind: str  # "algorithm" or "digest"
    number: int
    name: str
    status: Status
    why: str

    def as_evidence(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "grade": self.status.value,
            "rfc8624": self.why,
        }


def evaluate_algorithm(target: str, verdict: ChainVerdict) -> Finding:
    """`dnssec.algorithm`: the zone's signing algorithms and DS digest types, by RFC 8624."""
    zone = verdict.zone
    link = verdict.link(zone)
    algorithms = _zone_algorithms(link)
    if verdict.state is ChainState.INSECURE and verdict.reason is Reason.NO_DS:
        summary = f"{zone} is not signed: there are no DNSSEC algorithms to grade."
        return _finding(target, zone, ALGORITHM, Status.INFO, summary, {})
    if verdict.state is ChainState.INDETERMINATE or link is None or not algorithms:
        summary = f"Could not read the DNSSEC algorithms of {zone}: {verdict.detail}."
        return _finding(target, zone, ALGORITHM, Status.ERROR, summary, {})
    grades = [_Grade("algorithm", n, *ALGORITHM_GRADES.get(n, _UNKNOWN)) for n in algorithms]
    digests = sorted({ds.digest_type for ds in link.ds})
    grades += [_Grade("digest", n, *DIGEST_GRADES.get(n, _UNKNOWN)) for n in digests]
    evidence = {
        "algorithms": [g.as_evidence() for g in grades if g.kind == "algorithm"],
        "digest_types": [g.as_evidence() for g in grades if g.kind == "digest"],
    }
    flagged = [g for g in grades if g.status is not Status.PASS]
    if not flagged:
        used = ", ".join(f"{g.name} ({g.number})" for g in grades if g.kind == "algorithm")
        summary = f"{zone} is signed with {used}, fit for use (RFC 8624)."
        return _finding(target, zone, ALGORITHM, Status.PASS, summary, evidence)
    status = worst_status([g.status for g in flagged]) or Status.WARNING
    problems = "; ".join(f"{g.kind} {g.name} ({g.number}) {g.why}" for g in flagged)
    summary = f"{zone} uses {problems} (RFC 8624)."
    return _finding(target, zone, ALGORITHM, status, summary, evidence)


def _zone_algorithms(link: ZoneLink | None) -> list[int]:
    """The algorithms of the zone's keys, or of its DS records when its keys are unknown."""
    if link is None:
        return []
    zone_keys = [key.algorithm for key in link.dnskeys if key.flags & 0x0100]
    return sorted(set(zone_keys or [ds.algorithm for ds in link.ds]))


def evaluate_nsec3(target: str, verdict: ChainVerdict, denial: Sequence[DenialInfo]) -> Finding:
    """`dnssec.nsec3`: NSEC, or NSEC3 parameters graded by RFC 9276."""
    zone = verdict.zone
    if verdict.state is ChainState.INSECURE and verdict.reason is Reason.NO_DS:
        summary = f"{zone} is not signed: it has no NSEC or NSEC3 records to grade."
        return _finding(target, zone, NSEC3, Status.INFO, summary, {})
    nsec3 = [info for info in denial if info.kind == "nsec3"]
    evidence: dict[str, Any] = {"records": [info.as_evidence() for info in denial]}
    if verdict.state is ChainState.INDETERMINATE or not denial:
        summary = f"Could not see how {zone} denies existence: {verdict.detail}."
        return _finding(target, zone, NSEC3, Status.ERROR, summary, evidence)
    if not nsec3:
        evidence["denial"] = "nsec"
        summary = f"{zone} denies existence with NSEC, which has no parameters to tune."
        return _finding(target, zone, NSEC3, Status.PASS, summary, evidence)
    return _grade_nsec3(target, zone, nsec3, evidence)


def _grade_nsec3(
    target: str, zone: str, nsec3: Sequence[DenialInfo], evidence: dict[str, Any]
) -> Finding:
    iterations = max(info.iterations for info in nsec3)
    salts = sorted({info.salt for info in nsec3 if info.salt})
    opt_out = any(info.opt_out for info in nsec3)
    evidence |= {"denial": "nsec3", "iterations": iterations, "salt": salts, "opt_out": opt_out}
    problems: list[tuple[Status, str]] = []
    if iterations > MAX_NSEC3_ITERATIONS:
        limit = MAX_NSEC3_ITERATIONS
        text = f"{iterations} extra iterations (validators treat over {limit} as unsigned)"
        problems.append((Status.FAIL, text))
    elif iterations > 0:
        problems.append((Status.WARNING, f"{iterations} extra iterations (RFC 9276: use 0)"))
    if salts:
        problems.append((Status.WARNING, f"a salt ({', '.join(salts)}; RFC 9276: use none)"))
    if opt_out:
        problems.append((Status.INFO, "opt-out (RFC 9276: only for zones of many delegations)"))
    if not problems:
        summary = f"{zone} uses NSEC3 with no extra iterations and no salt."
        return _finding(target, zone, NSEC3, Status.PASS, summary, evidence)
    status = worst_status([status for status, _text in problems]) or Status.INFO
    summary = f"{zone} uses NSEC3 with " + ", ".join(text for _s, text in problems) + "."
    return _finding(target, zone, NSEC3, status, summary, evidence)


def _finding(
    target: str, zone: str, check_id: str, status: Status, summary: str, evidence: dict[str, Any]
) -> Finding:
    return Finding(target, zone, check_id, status, summary, evidence)
