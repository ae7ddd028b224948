"""DNS basics: does the name resolve, and to what (A, AAAA, NS, MX)?

Probe, then evaluate: `probe_resolution` asks the scan's resolvers; `evaluate_resolution` is a
pure function from the answers to the verdict, unit-tested for every outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from netready.checks.base import CheckContext, CheckSpec, lookup
from netready.findings import Finding, Status
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.targets import Target, TargetKind

RESOLVE = "dns.resolve"
RECORD_TYPES = ("A", "AAAA", "NS", "MX")


@dataclass(frozen=True, slots=True)
class DnsFamily:
    name: str = "dns"
    checks: tuple[CheckSpec, ...] = (
        CheckSpec(RESOLVE, "The name resolves to addresses, name servers and mail servers"),
    )

    def applies_to(self, target: Target) -> bool:
        return target.kind is TargetKind.DOMAIN

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        answers = await probe_resolution(target.value, context)
        yield evaluate_resolution(target.value, answers, resolvers=context.dns.resolvers)


async def probe_resolution(name: str, context: CheckContext) -> dict[str, DnsAnswer]:
    """Look up every record type of `RECORD_TYPES` at once, keyed by type."""

    answers = await asyncio.gather(*(lookup(context, name, rdtype) for rdtype in RECORD_TYPES))
    return dict(zip(RECORD_TYPES, answers, strict=True))


def evaluate_resolution(
    name: str, answers: Mapping[str, DnsAnswer], *, resolvers: tuple[str, ...] = ()
) -> Finding:
    """Grade the answers for one name.

    fail: the name does not exist. error: a lookup could not be completed, so nothing is
    claimed about it. pass: it has an IPv4 or IPv6 address. info: it exists and has name or
    mail servers but no address. warning: it exists but has none of the four record types.
    """
    evidence = _evidence(answers, resolvers)
    if any(answer.outcome is DnsOutcome.NXDOMAIN for answer in answers.values()):
        return _finding(name, Status.FAIL, f"{name} does not exist in DNS (NXDOMAIN).", evidence)
    failed = {
        rdtype: answer for rdtype, answer in answers.items() if not answer.outcome.is_conclusive
    }
    if failed:
        return _finding(name, Status.ERROR, _could_not_resolve(name, failed), evidence)
    return _grade_records(name, answers, evidence)


def _grade_records(
    name: str, answers: Mapping[str, DnsAnswer], evidence: dict[str, Any]
) -> Finding:
    counts = {rdtype: len(answer.records) for rdtype, answer in answers.items()}
    found = _describe_counts(counts)
    if counts["A"] or counts["AAAA"]:
        return _finding(name, Status.PASS, f"{name} resolves: {found}.", evidence)
    if counts["NS"] or counts["MX"]:
        return _finding(
            name, Status.INFO, f"{name} has no IPv4 or IPv6 address; {found}.", evidence
        )
    return _finding(
        name, Status.WARNING, f"{name} exists but has no A, AAAA, NS or MX records.", evidence
    )


def _describe_counts(counts: Mapping[str, int]) -> str:
    parts = [
        _plural(counts["A"], "IPv4 address", "IPv4 addresses"),
        _plural(counts["AAAA"], "IPv6 address", "IPv6 addresses"),
        _plural(counts["NS"], "name server", "name servers"),
        _plural(counts["MX"], "mail server", "mail servers"),
    ]
    return ", ".join(parts)


def _plural(count: int, one: str, many: str) -> str:
    if count == 0:
        return f"no {many}"
    return f"{count} {one if count == 1 else many}"


def _could_not_resolve(name: str, failed: Mapping[str, DnsAnswer]) -> str:
    reasons = "; ".join(
        f"{rdtype}: {answer.detail or answer.outcome}" for rdtype, answer in failed.items()
    )
    return f"Could not look up {name} ({reasons})."


def _evidence(answers: Mapping[str, DnsAnswer], resolvers: tuple[str, ...]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"resolvers": list(resolvers)}
    for rdtype, answer in answers.items():
        evidence[rdtype.lower()] = list(answer.records)
        if not answer.outcome.is_conclusive or answer.outcome is DnsOutcome.NXDOMAIN:
            evidence.setdefault("failures", {})[rdtype.lower()] = {
                "outcome": answer.outcome.value,
                "detail": answer.detail,
            }
    aliases = {
        answer.canonical_name
        for answer in answers.values()
        if answer.canonical_name and answer.canonical_name != answer.name
    }
    if aliases:
        evidence["canonical_name"] = sorted(aliases)[0]
    return evidence


def _finding(name: str, status: Status, summary: str, evidence: dict[str, Any]) -> Finding:
    return Finding(
        target=name,
        subject=name,
        check_id=RESOLVE,
        status=status,
        summary=summary,
        evidence=evidence,
    )
