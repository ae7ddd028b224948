"""The dnssec family end to end: `netready scan --checks dnssec` in the DNSSEC lab's client.

The lab (dnssec_topology.py, dnssec_zones.py) is a signed lab root with TLDs and zones
signed by BIND's own tools, each broken in one way. Every scan names its resolver and the
lab trust anchor explicitly. Each verdict is checked three ways: against the table below,
against itself through a resolver that does not validate (netready sets CD, so the
resolver's own validation must change nothing), and against delv, BIND's validator.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from .dnssec_topology import NOBODY, DnssecLab, verdict_of_delv

#: target -> (status, reason, zone, algorithm status, nsec3 status)
EXPECTED: dict[str, tuple[str, str, str, str, str]] = {
    "secure.test": ("pass", "validated", "secure.test", "pass", "pass"),
    "www.secure.test": ("pass", "validated", "secure.test", "pass", "pass"),  # below the apex
    "v4only.secure.test": ("pass", "validated", "secure.test", "pass", "pass"),  # NODATA AAAA
    "missing.secure.test": ("pass", "validated", "secure.test", "pass", "pass"),  # NXDOMAIN
    "unsigned.test": ("fail", "no-ds", "unsigned.test", "info", "info"),
    "www.unsigned.test": ("fail", "no-ds", "unsigned.test", "info", "info"),
    "dsmismatch.test": ("fail", "ds-mismatch", "dsmismatch.test", "pass", "pass"),
    "expired.test": ("fail", "signature-expired", "expired.test", "pass", "pass"),
    "rsasha1.test": ("pass", "validated", "rsasha1.test", "warning", "pass"),
    "nsec3iter.test": ("pass", "validated", "nsec3iter.test", "pass", "warning"),
    "nsec3tld": ("pass", "validated", "nsec3tld", "pass", "pass"),
    "secure.nsec3tld": ("pass", "validated", "secure.nsec3tld", "pass", "pass"),
    "unsigned.nsec3tld": ("fail", "no-ds", "unsigned.nsec3tld", "info", "info"),
    "optout": ("pass", "validated", "optout", "pass", "info"),
    "www.unsigned.optout": ("fail", "no-ds", "unsigned.optout", "info", "info"),
    "manykeys.test": ("fail", "too-many-keys", "manykeys.test", "pass", "pass"),
}
STATE_OF_REASON = {"validated": "secure", "no-ds": "insecure"}
Findings = dict[str, dict[str, dict[str, Any]]]  # target -> check id -> finding (own zone)


def by_target(findings: list[dict[str, Any]]) -> Findings:
    """The findings about each target's own zone (mail zones are looked at separately)."""
    result: Findings = {}
    for finding in findings:
        if "mail_host" not in finding["evidence"]:
            result.setdefault(finding["target"], {})[finding["check_id"]] = finding
    return result


@pytest.fixture(scope="module")
def scans(dnssec_lab: DnssecLab) -> dict[str, list[dict[str, Any]]]:
    """Every table target scanned once through each lab resolver (both unbound)."""
    started = time.monotonic()
    validating = dnssec_lab.scan(*EXPECTED, resolver=dnssec_lab.validating)
    cold = time.monotonic() - started
    print(f"\n{len(EXPECTED)} targets, resolver cache cold: {cold:.2f} s (CLI start included)")
    plain = dnssec_lab.scan(*EXPECTED, resolver=dnssec_lab.plain)
    return {"validating": validating, "plain": plain}


@pytest.mark.parametrize("resolver", ["validating", "plain"])
@pytest.mark.parametrize("target", list(EXPECTED))
def test_each_zone_gets_its_verdict(
    scans: dict[str, list[dict[str, Any]]], resolver: str, target: str
) -> None:
    # Given the target scanned through a validating and a non-validating resolver
    found = by_target(scans[resolver])[target]
    status, reason, zone, algorithm, nsec3 = EXPECTED[target]
    # Then each check of its zone has the expected verdict, with the reason in the evidence
    verdict = found["dnssec.status"]
    assert (verdict["status"], verdict["evidence"]["reason"], verdict["subject"]) == (
        status,
        reason,
        zone,
    ), verdict["summary"]
    assert found["dnssec.algorithm"]["status"] == algorithm, found["dnssec.algorithm"]
    assert found["dnssec.nsec3"]["status"] == nsec3, found["dnssec.nsec3"]
    assert {f["subject"] for f in found.values()} == {zone}


def test_the_verdicts_do_not_depend_on_the_resolver_validating(
    scans: dict[str, list[dict[str, Any]]],
) -> None:
    def verdicts(findings: list[dict[str, Any]]) -> set[tuple[str, ...]]:
        return {
            (f["target"], f["check_id"], f["subject"], f["status"], f["summary"]) for f in findings
        }

    assert verdicts(scans["validating"]) == verdicts(scans["plain"])


def test_the_evidence_shows_the_chain_and_the_reasons(
    scans: dict[str, list[dict[str, Any]]],
) -> None:
    found = by_target(scans["validating"])
    secure = found["www.secure.test"]["dnssec.status"]["evidence"]
    assert [link["zone"] for link in secure["chain"]] == [".", "test", "secure.test"]
    zone = secure["chain"][2]
    assert zone["ds"][0]["algorithm"] == 13
    assert zone["ds"][0]["digest_type"] == 2
    assert any(key["secure_entry"] and key["flags"] == 257 for key in zone["dnskeys"])
    signed = {signature["rrset"] for signature in zone["signatures"]}
    assert {"secure.test. DNSKEY", "www.secure.test. A", "secure.test. SOA"} <= signed
    assert all(s["inception"] < s["expiration"] for s in zone["signatures"])

    mismatch = found["dsmismatch.test"]["dnssec.status"]
    assert "match none of its DNSKEYs" in mismatch["summary"]
    expired = found["expired.test"]["dnssec.status"]
    assert "expired at 2020-02-01T00:00:00Z" in expired["summary"]
    proofs = {
        target: found[target]["dnssec.status"]["evidence"]["chain"][-1].get("no_ds_proof")
        for target in ("unsigned.test", "unsigned.nsec3tld", "www.unsigned.optout")
    }
    assert proofs == {
        "unsigned.test": "nsec",
        "unsigned.nsec3tld": "nsec3",
        "www.unsigned.optout": "nsec3-opt-out",
    }
    assert found["rsasha1.test"]["dnssec.algorithm"]["evidence"]["algorithms"][0]["number"] == 5
    iterations = found["nsec3iter.test"]["dnssec.nsec3"]["evidence"]
    assert (iterations["iterations"], iterations["salt"]) == (10, ["abcdef"])
    assert found["optout"]["dnssec.nsec3"]["evidence"]["opt_out"] is True
    assert (
        "301 keys of manykeys.test share one key tag"
        in (found["manykeys.test"]["dnssec.status"]["summary"])
    )


def test_the_mail_hosts_zone_is_validated_too(scans: dict[str, list[dict[str, Any]]]) -> None:
    mail = [
        f
        for f in scans["validating"]
        if f["target"] == "secure.test" and "mail_host" in f["evidence"]
    ]
    assert [(f["check_id"], f["subject"], f["status"]) for f in mail] == [
        ("dnssec.status", "mailzone.test", "pass")
    ]
    assert mail[0]["evidence"]["mail_host"] == "mx1.mailzone.test"


# manykeys.test is left out: delv (BIND 9.18.49) tries the 301 keys sharing a tag until one
# verifies and calls the zone secure; netready refuses to try more than 4 (KeyTrap).
@pytest.mark.parametrize("target", [t for t in EXPECTED if t != "manykeys.test"])
def test_delv_agrees(
    dnssec_lab: DnssecLab, scans: dict[str, list[dict[str, Any]]], target: str
) -> None:
    rdtype = "SOA" if target.count(".") <= 1 else "A"
    output = dnssec_lab.delv(target, rdtype, resolver=dnssec_lab.plain)
    status = by_target(scans["validating"])[target]["dnssec.status"]["evidence"]
    assert verdict_of_delv(output) == status["state"], output


# --- hostile answers: bounded, reasoned errors ----------------------------------------------


@pytest.mark.parametrize("target", ["tc.test", "garbage.test", "silent.test", "a.loop.test"])
def test_hostile_zones_behind_a_resolver_are_errors_within_the_timeout(
    dnssec_lab: DnssecLab, target: str
) -> None:
    # Given a zone whose server truncates, garbles, never answers or loops, behind unbound
    started = time.monotonic()
    findings = dnssec_lab.scan(target, resolver=dnssec_lab.validating, timeout=3)
    elapsed = time.monotonic() - started
    # Then netready gets SERVFAIL from the resolver and says it could not decide
    assert [f["status"] for f in findings] == ["error"] * 3
    assert findings[0]["evidence"]["reason"] == "servfail"
    assert elapsed < 20


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("tc.test", "truncated"),  # TC over UDP, the TCP connection closed unanswered
        ("garbage.test", "malformed"),  # an answer that breaks off mid-record
        ("silent.test", "timeout"),  # no answer at all
        ("a.loop.test", "cname-loop"),  # a -> b -> a
    ],
)
def test_a_hostile_resolver_gives_errors_with_the_reason(
    dnssec_lab: DnssecLab, target: str, reason: str
) -> None:
    # Given the hostile server as the resolver itself (other names relayed to unbound)
    started = time.monotonic()
    findings = dnssec_lab.scan(target, resolver=dnssec_lab.hostile, timeout=2)
    elapsed = time.monotonic() - started
    # Then each check is an error with the reason, within about one timeout
    assert [f["status"] for f in findings] == ["error"] * 3
    assert findings[0]["evidence"]["reason"] == reason, findings[0]["summary"]
    assert elapsed < 15


def test_a_huge_dnskey_set_from_the_hostile_resolver_is_refused(dnssec_lab: DnssecLab) -> None:
    started = time.monotonic()
    findings = dnssec_lab.scan("manykeys.test", "secure.test", resolver=dnssec_lab.hostile)
    elapsed = time.monotonic() - started
    status = {f["target"]: f for f in by_target_status(findings)}
    assert status["manykeys.test"]["evidence"]["reason"] == "too-many-keys"
    assert status["secure.test"]["status"] == "pass"  # relayed names still validate
    assert elapsed < 15


def by_target_status(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        f for f in findings if f["check_id"] == "dnssec.status" and "mail_host" not in f["evidence"]
    ]


def test_a_resolver_that_never_answers_costs_one_timeout(dnssec_lab: DnssecLab) -> None:
    started = time.monotonic()
    findings = dnssec_lab.scan("www.secure.test", resolver=NOBODY, timeout=2)
    elapsed = time.monotonic() - started
    assert [f["status"] for f in findings] == ["error"] * 3
    assert findings[0]["evidence"]["reason"] == "timeout"
    assert findings[0]["subject"] == "www.secure.test"  # no answer said which zone it is in
    assert elapsed < 10


# --- the trust anchor, the transport, the time it takes -----------------------------------


def test_without_the_lab_anchor_the_lab_root_is_not_trusted(dnssec_lab: DnssecLab) -> None:
    # Given no --trust-anchor: the shipped IANA root keys, which the lab root does not have
    findings = dnssec_lab.scan("secure.test", resolver=dnssec_lab.validating, anchor=False)
    status = by_target_status(findings)[0]
    assert (status["status"], status["evidence"]["reason"]) == ("fail", "anchor-mismatch")
    assert "20326" in status["summary"]


def test_the_resolver_can_be_reached_over_ipv6(dnssec_lab: DnssecLab) -> None:
    ipv6_resolver = dnssec_lab.hosts["resolver"].ipv6
    assert ipv6_resolver is not None
    findings = dnssec_lab.scan("www.secure.test", resolver=ipv6_resolver)
    assert by_target_status(findings)[0]["status"] == "pass"


def test_validating_one_zone_is_quick(dnssec_lab: DnssecLab) -> None:
    # Python's start-up is most of it: a scan of nothing but a dead resolver shows how much
    started = time.monotonic()
    dnssec_lab.scan("rsasha1.test", resolver=dnssec_lab.plain)
    one_zone = time.monotonic() - started
    started = time.monotonic()
    dnssec_lab.scan("secure.test", "rsasha1.test", "nsec3iter.test", resolver=dnssec_lab.plain)
    three_zones = time.monotonic() - started
    print(f"\none zone: {one_zone:.2f} s, three zones: {three_zones:.2f} s (CLI start included)")
    assert one_zone < 10
