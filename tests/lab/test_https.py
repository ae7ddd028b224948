"""The https family end to end: `netready scan --checks https` in the web lab's client.

One scan of every web name (module fixture) is graded against the table in README.md ("The
web lab"): each check id and status per name, host (the name and its www name) and address
family. The findings are read back as plain JSON lines.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from .web_topology import WebLab
from .web_zones import DEAD6, WEB_NAMES

Findings = list[dict[str, Any]]
CHECKS = ("https.available", "https.redirect", "https.hsts", "https.headers")
TIMEOUT = "3"

ALL_PASS = ("pass", "pass", "pass", "pass")
ALL_ERROR = ("error", "error", "error", "error")
NO_REDIRECT_NO_HEADERS = ("pass", "fail", "fail", "warning")  # hostile names, nohsts

#: name -> {address family: statuses of (available, redirect, hsts, headers)}; the www
#: name has the same. A family that is missing has no address, so no findings at all.
EXPECTED: Mapping[str, Mapping[str, tuple[str, str, str, str]]] = {
    "dual.web.test": {"ipv4": ALL_PASS, "ipv6": ALL_PASS},
    "v4only.web.test": {"ipv4": ALL_PASS},
    "v6only.web.test": {"ipv6": ALL_PASS},
    "deadv6.web.test": {"ipv4": ALL_PASS, "ipv6": ALL_ERROR},
    "refusedv6.web.test": {"ipv4": ALL_PASS, "ipv6": ALL_ERROR},
    "split.web.test": {"ipv4": ALL_PASS, "ipv6": ALL_PASS},
    "nohsts.web.test": {"ipv4": NO_REDIRECT_NO_HEADERS, "ipv6": NO_REDIRECT_NO_HEADERS},
    "shorthsts.web.test": {f: ("pass", "pass", "warning", "pass") for f in ("ipv4", "ipv6")},
    "badredirect.web.test": {f: ("pass", "warning", "pass", "pass") for f in ("ipv4", "ipv6")},
    "badcert.web.test": {f: ("fail", "pass", "error", "error") for f in ("ipv4", "ipv6")},
    "ns6.test": {"ipv4": ALL_PASS, "ipv6": ALL_PASS},
    "nsdead6.test": {"ipv4": ALL_PASS, "ipv6": ALL_PASS},
    "loop.web.test": {f: NO_REDIRECT_NO_HEADERS for f in ("ipv4", "ipv6")},
    "tohttp.web.test": {f: NO_REDIRECT_NO_HEADERS for f in ("ipv4", "ipv6")},
    "chain.web.test": {f: NO_REDIRECT_NO_HEADERS for f in ("ipv4", "ipv6")},
    "bigbody.web.test": {f: NO_REDIRECT_NO_HEADERS for f in ("ipv4", "ipv6")},
    "drip.web.test": {f: ALL_ERROR for f in ("ipv4", "ipv6")},
    "bigheaders.web.test": {f: ("fail", "fail", "error", "error") for f in ("ipv4", "ipv6")},
}


def scan(web_lab: WebLab, db: Path, *targets: str, ipv4_only: bool = False) -> Findings:
    argv = web_lab.scanner_argv(
        *targets, "--checks", "https", "--json", "-", "--db", str(db), "--timeout", TIMEOUT
    )
    run = web_lab.run_in_client4 if ipv4_only else web_lab.run_in_client
    done = run(argv, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def statuses(findings: Findings, host: str, family: str) -> tuple[str, ...]:
    by_check = {
        f["check_id"]: f["status"]
        for f in findings
        if f["evidence"].get("host") == host and f["evidence"].get("address_family") == family
    }
    return tuple(by_check.get(check, "-") for check in CHECKS)


def finding(findings: Findings, check: str, host: str, family: str) -> dict[str, Any]:
    (found,) = [
        f
        for f in findings
        if f["check_id"] == check
        and f["evidence"].get("host") == host
        and f["evidence"].get("address_family") == family
    ]
    return found


@pytest.fixture(scope="module")
def every_name(web_lab: WebLab, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    """One scan of every web name of the table, from the dual-stack client."""
    db = tmp_path_factory.mktemp("https") / "r.db"
    started = time.monotonic()
    findings = scan(web_lab, db, *EXPECTED)
    elapsed = time.monotonic() - started
    # everything runs at once: the slowest endpoint (a timeout) sets the pace, not the sum
    assert elapsed < 20, f"the scan took {elapsed:.1f} s"
    return findings


def test_the_table_covers_every_web_name_of_the_lab() -> None:
    assert set(EXPECTED) == set(WEB_NAMES)


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
@pytest.mark.parametrize("www", [False, True], ids=["name", "www"])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_check_per_name_and_address_family(
    every_name: Findings, name: str, www: bool, family: str
) -> None:
    host = f"www.{name}" if www else name
    expected = EXPECTED[name].get(family, ("-", "-", "-", "-"))
    assert statuses(every_name, host, family) == expected, [
        (f["check_id"], f["subject"], f["status"], f["summary"])
        for f in every_name
        if f["evidence"].get("host") == host
    ]


def test_subjects_name_the_host_address_and_port(every_name: Findings) -> None:
    subjects = {f["subject"] for f in every_name if f["target"] == "dual.web.test"}
    assert "www.dual.web.test [2001:db8:1::80]:443" in subjects
    assert "www.dual.web.test [2001:db8:1::80]:80" in subjects
    assert "dual.web.test 198.18.1.80:443" in subjects


def test_good_hsts_reports_its_directives(every_name: Findings) -> None:
    hsts = finding(every_name, "https.hsts", "dual.web.test", "ipv6")
    assert hsts["evidence"]["max_age"] == 31536000
    assert hsts["evidence"]["include_subdomains"] is True
    assert hsts["evidence"]["preload"] is True


def test_header_evidence_is_exactly_as_sent(every_name: Findings) -> None:
    headers = finding(every_name, "https.headers", "dual.web.test", "ipv4")["evidence"]["headers"]
    assert headers["Content-Security-Policy"] == ["default-src 'self'; frame-ancestors 'none'"]
    assert headers["Referrer-Policy"] == ["no-referrer"]
    assert headers["X-Frame-Options"] == ["DENY"]
    assert headers["X-Content-Type-Options"] == ["nosniff"]


def test_dead_ipv6_is_a_timeout_and_closed_ipv6_is_refused(every_name: Findings) -> None:
    dead = finding(every_name, "https.available", "deadv6.web.test", "ipv6")
    assert dead["evidence"]["address"] == DEAD6
    assert dead["evidence"]["error_kind"] == "timeout"
    refused = finding(every_name, "https.available", "refusedv6.web.test", "ipv6")
    assert "refused" in refused["summary"]
    redirect = finding(every_name, "https.redirect", "refusedv6.web.test", "ipv6")
    assert "refused" in redirect["summary"]


def test_a_redirect_to_another_host_first_names_it(every_name: Findings) -> None:
    redirect = finding(every_name, "https.redirect", "badredirect.web.test", "ipv6")
    assert redirect["evidence"]["first_https_url"] == "https://www.dual.web.test/"
    # the hop to www.dual.web.test went to its IPv6 address: the chain keeps the family
    assert redirect["evidence"]["chain"][1]["address"] == "2001:db8:1::80"


def test_a_bad_certificate_fails_with_the_reason(every_name: Findings) -> None:
    available = finding(every_name, "https.available", "badcert.web.test", "ipv4")
    assert "Hostname mismatch" in available["summary"]


@pytest.mark.parametrize(
    ("name", "reason", "hops"),
    [
        ("loop.web.test", "redirect loop", 2),
        ("tohttp.web.test", "back to plain HTTP", 3),
        ("chain.web.test", "more than 10", 11),
    ],
)
def test_hostile_redirects_fail_with_the_chain_as_evidence(
    every_name: Findings, name: str, reason: str, hops: int
) -> None:
    redirect = finding(every_name, "https.redirect", name, "ipv6")
    assert reason in redirect["summary"]
    assert len(redirect["evidence"]["chain"]) == hops


def test_a_huge_body_is_cut_and_a_huge_header_block_refused(every_name: Findings) -> None:
    body = finding(every_name, "https.available", "bigbody.web.test", "ipv4")
    assert body["evidence"]["body_truncated"] is True
    headers = finding(every_name, "https.available", "bigheaders.web.test", "ipv6")
    assert headers["evidence"]["error_kind"] == "too_large_headers"
    assert "header block" in headers["summary"]


def test_a_dripping_server_is_given_up_on_after_the_timeout(every_name: Findings) -> None:
    for check in CHECKS:
        drip = finding(every_name, check, "drip.web.test", "ipv4")
        assert f"within {TIMEOUT} s" in drip["summary"], drip


def test_a_name_without_www_says_so(web_lab: WebLab, tmp_path: Path) -> None:
    findings = scan(web_lab, tmp_path / "r.db", "mail.web.test")
    (www,) = [f for f in findings if f["subject"] == "www.mail.web.test"]
    assert (www["check_id"], www["status"]) == ("https.available", "info")
    assert "does not exist" in www["summary"]
    # the mail host itself has addresses but no web server: could not test, per family
    assert statuses(findings, "mail.web.test", "ipv6") == ALL_ERROR


def test_an_ipv4_only_client_cannot_test_ipv6(web_lab: WebLab, tmp_path: Path) -> None:
    findings = scan(web_lab, tmp_path / "r.db", "dual.web.test", ipv4_only=True)
    assert statuses(findings, "dual.web.test", "ipv4") == ALL_PASS
    assert statuses(findings, "dual.web.test", "ipv6") == ALL_ERROR
    available = finding(findings, "https.available", "dual.web.test", "ipv6")
    assert available["evidence"]["error_kind"] == "unreachable"


def _peak_memory_kib(web_lab: WebLab, db: Path, target: str) -> int:
    """The scanner's peak resident memory (KiB) scanning `target`, measured by its parent."""
    argv = web_lab.scanner_argv(target, "--checks", "https", "--db", str(db))
    script = (
        "import resource, subprocess, sys\n"
        f"subprocess.run({argv!r}, check=True, capture_output=True, timeout=60)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = web_lab.run_in_client([sys.executable, "-c", script], timeout=90)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def test_a_50_mb_body_costs_no_more_memory_than_a_small_page(
    web_lab: WebLab, tmp_path: Path
) -> None:
    small = _peak_memory_kib(web_lab, tmp_path / "a.db", "dual.web.test")
    big = _peak_memory_kib(web_lab, tmp_path / "b.db", "bigbody.web.test")
    assert big - small < 20 * 1024, (small, big)
