"""The `resolver` family end to end: `netready scan ADDRESS --checks resolver` in the lab client.

The scanner is a separate process pointed at lab addresses only: targets are the lab's
resolvers, ``--resolver`` is dotres, ``--ca-file`` the lab CA. The no-target tests run in
hosts whose /etc/netns resolv.conf the lab wrote (see resolver_topology.py).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from .resolver_topology import BOGUS_ADDRESS, NO_HOST4, ResolverLab

RESOLVER_CHECKS = ["dns.resolver.validating", "dot.available", "dot.certificate", "doh.available"]
TIMEOUT = 2.0

Findings = dict[tuple[str, str], dict[str, Any]]  # (target, check_id) -> finding


def scan(
    resolver_lab: ResolverLab, tmp_path: Path, *targets: str, timeout: float = TIMEOUT
) -> tuple[Findings, float]:
    """Scan `targets` with the resolver family from the client; findings and seconds taken."""
    argv = resolver_lab.scanner_argv(
        *targets, "--checks", "resolver", "--timeout", f"{timeout:g}",
        "--json", "-", "--db", str(tmp_path / "results.db"),
    )  # fmt: skip
    started = time.monotonic()
    done = resolver_lab.run_in(resolver_lab.client, argv, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return by_target_and_check(done.stdout), elapsed


def by_target_and_check(stdout: str) -> Findings:
    findings = [json.loads(line) for line in stdout.splitlines()]
    return {(finding["target"], finding["check_id"]): finding for finding in findings}


def statuses(findings: Mapping[tuple[str, str], Mapping[str, Any]], target: str) -> list[str]:
    return [findings[target, check_id]["status"] for check_id in RESOLVER_CHECKS]


@pytest.fixture(scope="module")
def lab_scan(resolver_lab: ResolverLab, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    """One scan of the lab's working resolvers, shared by the tests that read it."""
    targets = [
        resolver_lab.ipv4("dotres"),
        resolver_lab.ipv6("dotres"),
        resolver_lab.ipv4("plainres"),
        resolver_lab.ipv4("badcert"),
    ]
    findings, _elapsed = scan(resolver_lab, tmp_path_factory.mktemp("lab_scan"), *targets)
    assert {target for target, _check in findings} == set(targets)
    return findings


@pytest.mark.parametrize("family", [4, 6])
def test_a_validating_resolver_with_dot_and_doh_passes_every_check(
    resolver_lab: ResolverLab, lab_scan: Findings, family: int
) -> None:
    # Given dotres: validating unbound with DoT and DoH, certificate from the lab CA
    address = resolver_lab.ipv4("dotres") if family == 4 else resolver_lab.ipv6("dotres")
    # Then every resolver check passes, over IPv4 and over IPv6
    assert statuses(lab_scan, address) == ["pass"] * 4, [
        lab_scan[address, check]["summary"] for check in RESOLVER_CHECKS
    ]
    validating = lab_scan[address, "dns.resolver.validating"]["evidence"]
    assert validating["secure"]["ad"] is True
    assert validating["bogus"]["rcode"] == "SERVFAIL"
    # And the certificate evidence holds what DNS-privacy monitors report
    certificate = lab_scan[address, "dot.certificate"]["evidence"]
    assert certificate["strict_validation"] is True
    assert certificate["valid_for"] == address
    assert certificate["tls_version"] == "TLSv1.3"
    assert certificate["issuer"] == "CN=netready resolver lab CA"
    assert certificate["days_left"] >= 30
    assert certificate["padding"] is True
    assert certificate["response_size"] % 468 == 0  # RFC 8467 block padding
    assert certificate["keepalive"] is True
    assert certificate["keepalive_timeout_ms"] > 0
    doh = lab_scan[address, "doh.available"]["evidence"]
    assert {method: entry["outcome"] for method, entry in doh["methods"].items()} == {
        "POST": "works",
        "GET": "works",
    }
    assert doh["methods"]["POST"]["http_version"] == "HTTP/2"


def test_a_plain_resolver_does_not_validate_and_offers_no_encrypted_dns(
    resolver_lab: ResolverLab, lab_scan: Findings
) -> None:
    # Given plainres: unbound without validation, DNS on port 53 only
    address = resolver_lab.ipv4("plainres")
    # Then validation fails (the bogus name's address comes back), DoT and DoH fail
    assert statuses(lab_scan, address) == ["fail", "fail", "info", "fail"]
    validating = lab_scan[address, "dns.resolver.validating"]
    assert validating["evidence"]["bogus"]["records"] == [BOGUS_ADDRESS]
    assert resolver_lab.bogus_name in validating["summary"]
    assert lab_scan[address, "dot.available"]["evidence"]["error"]["kind"] == "refused"
    assert "offers no DNS over TLS" in lab_scan[address, "dot.certificate"]["summary"]
    doh = lab_scan[address, "doh.available"]["evidence"]
    assert doh["methods"]["POST"]["error"]["kind"] == "refused"


def test_a_self_signed_dot_certificate_fails_while_dot_still_answers(
    resolver_lab: ResolverLab, lab_scan: Findings
) -> None:
    # Given badcert: DoT with a self-signed certificate for its addresses
    address = resolver_lab.ipv4("badcert")
    # Then DoT answers (an opportunistic client is served), but not authenticated
    dot = lab_scan[address, "dot.available"]
    assert dot["status"] == "pass"
    assert dot["evidence"]["authenticated"] is False
    # And the certificate fails: strict clients cannot authenticate it
    certificate = lab_scan[address, "dot.certificate"]
    assert certificate["status"] == "fail"
    assert "self-signed" in certificate["evidence"]["verify_error"]
    assert certificate["evidence"]["strict_validation"] is False
    assert certificate["evidence"]["tls_version"] == "TLSv1.3"  # session facts still reported


def test_a_port_853_that_accepts_and_never_speaks_is_an_error_within_the_timeout(
    resolver_lab: ResolverLab, tmp_path: Path
) -> None:
    # Given silent: TCP 853 and 443 accept connections and never send a byte
    address = resolver_lab.ipv4("silent")
    findings, elapsed = scan(resolver_lab, tmp_path, address)
    # Then DoT, its certificate and DoH are errors that say why, within the timeout
    dot = findings[address, "dot.available"]
    assert dot["status"] == "error"
    assert "TLS handshake did not finish" in dot["summary"]
    assert findings[address, "dot.certificate"]["status"] == "error"
    assert findings[address, "doh.available"]["status"] == "error"
    assert findings[address, "dns.resolver.validating"]["status"] == "error"
    assert elapsed < 3 * TIMEOUT + 5, "one timeout per probe, in parallel; never a hang"


def test_a_resolver_that_never_answers_gives_errors_within_the_timeout(
    resolver_lab: ResolverLab, tmp_path: Path
) -> None:
    # Given an address in the lab subnet that no host holds
    findings, elapsed = scan(resolver_lab, tmp_path, NO_HOST4)
    # Then every check is an error (could not test), never a pass or a fail
    assert statuses(findings, NO_HOST4) == ["error"] * 4
    assert "no reply" in findings[NO_HOST4, "dns.resolver.validating"]["summary"]
    assert elapsed < 3 * TIMEOUT + 5


def test_the_client_sees_the_lab_resolv_conf_not_the_machines(resolver_lab: ResolverLab) -> None:
    # Guards the no-target tests: they must never read the machine's own resolvers
    client = resolver_lab.run_in(resolver_lab.client, ["cat", "/etc/resolv.conf"], timeout=10)
    assert client.stdout.splitlines()[:2] == [
        "# netready resolver lab",
        f"nameserver {resolver_lab.ipv4('dotres')}",
    ]
    bare = resolver_lab.run_in(resolver_lab.bare, ["cat", "/etc/resolv.conf"], timeout=10)
    assert "nameserver" not in bare.stdout
    assert bare.stdout.startswith("# netready resolver lab")


def test_without_targets_the_machines_own_resolvers_are_checked(
    resolver_lab: ResolverLab, tmp_path: Path
) -> None:
    # Given the client, whose resolv.conf names dotres, and no target and no --resolver
    argv = resolver_lab.bare_scanner_argv(
        "--checks", "resolver", "--timeout", f"{TIMEOUT:g}", "--json", "-",
        "--db", str(tmp_path / "results.db"),
    )  # fmt: skip
    done = resolver_lab.run_in(resolver_lab.client, argv, timeout=60)
    # Then dotres is the one target, and it passes every check
    assert done.returncode == 0, done.stderr
    findings = by_target_and_check(done.stdout)
    dotres = resolver_lab.ipv4("dotres")
    assert {target for target, _check in findings} == {dotres}
    assert statuses(findings, dotres) == ["pass"] * 4


def test_without_targets_on_a_machine_without_resolvers_exits_2(
    resolver_lab: ResolverLab, tmp_path: Path
) -> None:
    # Given bare, whose resolv.conf names no resolver
    argv = resolver_lab.bare_scanner_argv(
        "--checks", "resolver", "--db", str(tmp_path / "results.db")
    )
    done = resolver_lab.run_in(resolver_lab.bare, argv, timeout=60)
    # Then it is a usage error that says what to do, and no scan is saved
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no resolvers of its own to check" in done.stderr
    assert "--checks resolver" in done.stderr
    db = tmp_path / "results.db"
    if db.exists():
        with sqlite3.connect(db) as connection:
            assert connection.execute("select count(*) from scans").fetchone() == (0,)
