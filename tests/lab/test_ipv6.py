"""The ipv6 family end to end: `netready scan --checks ipv6` in the web lab's clients.

The scanner runs as its own process in the dual-stack client and in the IPv4-only client,
pointed at the lab resolver and CA; the JSON lines it prints are read back with plain `json`.
`ipv6.client` is pointed at a lab address (--ipv6-probe), so the scan never tries to
reach anything outside the lab; one test leaves it unset to show the default (the target's
own IPv6 addresses) works too.

Names and behaviours: tests/lab/web_zones.py and /tmp/specs/web_lab_spec.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from .web_topology import WebLab
from .web_zones import DEAD6, MAIL4ONLY6, MAIL6, WEB6, WEB6ALT

#: A lab server that answers TCP over IPv6: what `ipv6.client` connects to.
PROBE = f"[{WEB6}]:443"
NS1_6, NS3_6, NS4_6 = "2001:db8:1::10", "2001:db8:1::12", "2001:db8:1::14"
CLOSED6 = "2001:db8:1::81"
TIMEOUT = "2"

TARGETS = [
    "dual.web.test",
    "v4only.web.test",
    "deadv6.web.test",
    "refusedv6.web.test",
    "split.web.test",
    "web.test",
    "ns6.test",
    "nsdead6.test",
]
NO_IPV6 = "this network has no IPv6"
REACHABILITY = ("ipv6.web.reachable", "ipv6.web.parity", "ipv6.ns.reachable", "ipv6.mx.reachable")

Findings = list[dict[str, Any]]


def scan(
    web_lab: WebLab,
    targets: Sequence[str],
    tmp: Path,
    *,
    ipv4_only: bool = False,
    probe: str = PROBE,
) -> tuple[Findings, float]:
    """Scan `targets` with the ipv6 checks; the findings and the seconds it took."""
    argv = web_lab.scanner_argv(
        *targets, "--checks", "ipv6", "--json", "-", "--timeout", TIMEOUT, "--db", str(tmp / "r.db")
    )
    if probe:
        argv += ["--ipv6-probe", probe]
    run = web_lab.run_in_client4 if ipv4_only else web_lab.run_in_client
    started = time.monotonic()
    done = run(argv, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], elapsed


def of(findings: Findings, target: str, check_id: str) -> dict[str, str]:
    """subject -> status of one target's findings of one check."""
    return {
        f["subject"]: f["status"]
        for f in findings
        if f["target"] == target and f["check_id"] == check_id
    }


def one(findings: Findings, target: str, check_id: str) -> dict[str, Any]:
    (finding,) = [f for f in findings if f["target"] == target and f["check_id"] == check_id]
    return finding


@pytest.fixture(scope="module")
def dual_stack(web_lab: WebLab, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    findings, elapsed = scan(web_lab, TARGETS, tmp_path_factory.mktemp("ipv6-dual"))
    # every target at once: the dead address costs one timeout, not one per probe
    assert elapsed < 30, f"the scan took {elapsed:.1f} s"
    return findings


@pytest.fixture(scope="module")
def ipv4_only(web_lab: WebLab, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    targets = ["dual.web.test", "v4only.web.test", "deadv6.web.test", "web.test", "ns6.test"]
    findings, _elapsed = scan(web_lab, targets, tmp_path_factory.mktemp("ipv6-v4"), ipv4_only=True)
    return findings


# --- the dual-stack client ------------------------------------------------------------------


def test_this_machine_is_reported_once_with_working_ipv6(dual_stack: Findings) -> None:
    (client,) = [f for f in dual_stack if f["check_id"] == "ipv6.client"]
    assert client["status"] == "pass", client["summary"]
    assert client["subject"] == "this machine"
    assert client["target"] in TARGETS
    assert client["evidence"]["probe"] == "configured"
    assert client["evidence"]["endpoints"] == [PROBE]
    assert client["evidence"]["routes"][0]["source"] == "2001:db8:1::100"


def test_a_dual_stack_site_passes_every_web_and_mail_check(dual_stack: Findings) -> None:
    target = "dual.web.test"
    assert one(dual_stack, target, "ipv6.web.aaaa")["status"] == "pass"
    assert of(dual_stack, target, "ipv6.web.reachable") == {
        f"{name} [{WEB6}]:{port}": "pass"
        for name in (target, f"www.{target}")
        for port in (80, 443)
    }
    assert of(dual_stack, target, "ipv6.web.parity") == {
        f"{name} [198.18.1.80] / [{WEB6}]": "pass" for name in (target, f"www.{target}")
    }
    assert one(dual_stack, target, "ipv6.mx.aaaa")["status"] == "pass"
    assert of(dual_stack, target, "ipv6.mx.reachable") == {f"mail.web.test [{MAIL6}]:25": "pass"}
    evidence = one(dual_stack, target, "ipv6.web.aaaa")["evidence"]["names"]
    assert evidence[f"www.{target}"] == {"a": ["198.18.1.80"], "aaaa": [WEB6]}


def test_the_web_test_zone_has_only_one_name_server_with_ipv6(dual_stack: Findings) -> None:
    # dual.web.test lives in web.test: ns1.web.test has AAAA, ns2.web.test has not
    for target in ("web.test", "dual.web.test"):
        finding = one(dual_stack, target, "ipv6.ns.aaaa")
        assert finding["status"] == "fail", finding["summary"]
        assert finding["subject"] == "web.test"
        assert finding["evidence"]["name_servers"]["ns2.web.test"]["aaaa"] == []
        # the one with AAAA does answer over IPv6
        assert of(dual_stack, target, "ipv6.ns.reachable") == {f"ns1.web.test [{NS1_6}]:53": "pass"}


def test_a_site_without_aaaa_fails_publication(dual_stack: Findings) -> None:
    target = "v4only.web.test"
    assert one(dual_stack, target, "ipv6.web.aaaa")["status"] == "fail"
    assert of(dual_stack, target, "ipv6.web.reachable") == {target: "info"}
    assert of(dual_stack, target, "ipv6.web.parity") == {target: "info"}


def test_a_mail_server_with_aaaa_but_no_smtp_over_ipv6_fails(dual_stack: Findings) -> None:
    # v4only.web.test's MX is mail4.web.test: AAAA published, port 25 refused over IPv6
    target = "v4only.web.test"
    assert one(dual_stack, target, "ipv6.mx.aaaa")["status"] == "pass"
    finding = one(dual_stack, target, "ipv6.mx.reachable")
    assert finding["subject"] == f"mail4.web.test [{MAIL4ONLY6}]:25"
    assert finding["status"] == "fail"
    assert finding["evidence"]["reply"] == "refused"


def test_an_aaaa_that_never_answers_fails_with_a_timeout(dual_stack: Findings) -> None:
    target = "deadv6.web.test"
    assert one(dual_stack, target, "ipv6.web.aaaa")["status"] == "pass"
    reachable = [
        f for f in dual_stack if f["target"] == target and f["check_id"] == "ipv6.web.reachable"
    ]
    assert {f["subject"] for f in reachable} == {
        f"{name} [{DEAD6}]:{port}" for name in (target, f"www.{target}") for port in (80, 443)
    }
    assert {f["status"] for f in reachable} == {"fail"}
    assert {f["evidence"]["reply"] for f in reachable} == {"timeout"}
    # nothing came over IPv6 to compare: parity could not be tested
    assert set(of(dual_stack, target, "ipv6.web.parity").values()) == {"error"}


def test_an_aaaa_where_nothing_listens_fails_as_refused(dual_stack: Findings) -> None:
    target = "refusedv6.web.test"
    reachable = [
        f for f in dual_stack if f["target"] == target and f["check_id"] == "ipv6.web.reachable"
    ]
    assert len(reachable) == 4
    assert {f["status"] for f in reachable} == {"fail"}
    assert {f["evidence"]["reply"] for f in reachable} == {"refused"}
    assert all(CLOSED6 in f["subject"] for f in reachable)


def test_a_different_page_over_ipv6_fails_parity(dual_stack: Findings) -> None:
    target = "split.web.test"
    assert set(of(dual_stack, target, "ipv6.web.reachable").values()) == {"pass"}
    parity = of(dual_stack, target, "ipv6.web.parity")
    assert parity == {
        f"{name} [198.18.1.80] / [{WEB6ALT}]": "fail" for name in (target, f"www.{target}")
    }
    finding = next(
        f for f in dual_stack if f["target"] == target and f["check_id"] == "ipv6.web.parity"
    )
    assert finding["evidence"]["schemes"]["https"]["outcome"] == "different"
    assert "over IPv6" in finding["summary"]


def test_a_zone_whose_name_servers_all_have_ipv6_passes(dual_stack: Findings) -> None:
    target = "ns6.test"
    finding = one(dual_stack, target, "ipv6.ns.aaaa")
    assert finding["status"] == "pass", finding["summary"]
    assert finding["subject"] == "ns6.test"
    assert of(dual_stack, target, "ipv6.ns.reachable") == {
        f"ns1.ns6.test [{NS1_6}]:53": "pass",
        f"ns3.ns6.test [{NS3_6}]:53": "pass",
    }


def test_a_name_server_that_does_not_answer_over_ipv6_fails(dual_stack: Findings) -> None:
    target = "nsdead6.test"
    assert one(dual_stack, target, "ipv6.ns.aaaa")["status"] == "pass"
    assert of(dual_stack, target, "ipv6.ns.reachable") == {
        f"ns1.nsdead6.test [{NS1_6}]:53": "pass",
        f"ns4.nsdead6.test [{NS4_6}]:53": "fail",
    }


def test_domains_without_mail_or_web_say_so(dual_stack: Findings) -> None:
    assert one(dual_stack, "web.test", "ipv6.web.aaaa")["status"] == "info"
    assert one(dual_stack, "deadv6.web.test", "ipv6.mx.aaaa")["status"] == "info"
    assert one(dual_stack, "deadv6.web.test", "ipv6.mx.reachable")["status"] == "info"


# --- the IPv4-only client -------------------------------------------------------------------


def test_an_ipv4_only_machine_fails_the_client_check(ipv4_only: Findings) -> None:
    (client,) = [f for f in ipv4_only if f["check_id"] == "ipv6.client"]
    assert client["status"] == "fail", client["summary"]
    assert "no working IPv6" in client["summary"]
    assert client["evidence"]["connections"] == []  # no route: nothing was tried


def test_an_ipv4_only_machine_reports_reachability_as_errors_never_failures(
    ipv4_only: Findings,
) -> None:
    reachability = [f for f in ipv4_only if f["check_id"] in REACHABILITY]
    tested = [f for f in reachability if f["status"] != "info"]
    assert tested, "dual.web.test alone has addresses to reach"
    assert {f["status"] for f in tested} == {"error"}
    assert all(NO_IPV6 in f["summary"] for f in tested)
    assert of(ipv4_only, "deadv6.web.test", "ipv6.web.reachable") == {
        f"{name} [{DEAD6}]:{port}": "error"
        for name in ("deadv6.web.test", "www.deadv6.web.test")
        for port in (80, 443)
    }


def test_an_ipv4_only_machine_still_grades_publication(ipv4_only: Findings) -> None:
    assert one(ipv4_only, "dual.web.test", "ipv6.web.aaaa")["status"] == "pass"
    assert one(ipv4_only, "v4only.web.test", "ipv6.web.aaaa")["status"] == "fail"
    assert one(ipv4_only, "ns6.test", "ipv6.ns.aaaa")["status"] == "pass"
    assert one(ipv4_only, "web.test", "ipv6.ns.aaaa")["status"] == "fail"
    assert one(ipv4_only, "dual.web.test", "ipv6.mx.aaaa")["status"] == "pass"


# --- the default probe: the target's own addresses ------------------------------------------


def test_without_a_probe_setting_the_targets_own_addresses_are_tried(
    web_lab: WebLab, tmp_path: Path
) -> None:
    # deadv6's web address is dead, but its zone's name server answers over IPv6: this
    # machine's IPv6 is shown to work, so the dead address is the server's failure
    findings, _elapsed = scan(web_lab, ["deadv6.web.test"], tmp_path, probe="")
    client = one(findings, "deadv6.web.test", "ipv6.client")
    assert client["status"] == "pass", client["summary"]
    assert client["evidence"]["probe"] == "targets"
    assert f"[{DEAD6}]:443" in client["evidence"]["endpoints"]
    assert set(of(findings, "deadv6.web.test", "ipv6.web.reachable").values()) == {"fail"}


# --- hostile servers ------------------------------------------------------------------------


def test_hostile_servers_cannot_hold_or_flood_the_checks(web_lab: WebLab, tmp_path: Path) -> None:
    # redirect loops, a 50 MB body, a server that drips a byte a second, 1 MB of headers
    targets = ["loop.web.test", "tohttp.web.test", "bigbody.web.test", "drip.web.test",
               "bigheaders.web.test"]  # fmt: skip
    findings, elapsed = scan(web_lab, targets, tmp_path)
    assert elapsed < 20, f"the scan took {elapsed:.1f} s"
    reachable = {t: set(of(findings, t, "ipv6.web.reachable").values()) for t in targets}
    assert reachable == {
        "loop.web.test": {"pass"},  # a redirect is an HTTP answer; following it is https's job
        "tohttp.web.test": {"pass"},
        "bigbody.web.test": {"pass"},  # read up to the limit, the rest left unread
        "drip.web.test": {"fail"},  # no complete answer within the timeout
        "bigheaders.web.test": {"warning"},  # it answers, but with more header than we read
    }
    parity = {t: set(of(findings, t, "ipv6.web.parity").values()) for t in targets}
    assert parity == {
        "loop.web.test": {"pass"},
        "tohttp.web.test": {"pass"},
        "bigbody.web.test": {"pass"},
        "drip.web.test": {"error"},  # silent on both families: nothing to compare
        "bigheaders.web.test": {"pass"},  # the same too-large answer on both
    }
