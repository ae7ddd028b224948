"""The TLS grade: each rule of netready.checks.tls_grade caps the grade as its docstring says."""

from __future__ import annotations

import dataclasses
import re

import pytest

from netready.checks import tls_grade
from netready.checks.tls_grade import RULES, Grade, GradeFacts, grade_endpoint
from netready.checks.tls_suites import Level
from netready.findings import Status

#: A modern endpoint: TLS 1.2 + 1.3, good suites and groups, every test clean, EC key.
PERFECT = GradeFacts(
    versions=frozenset({"TLSv1.2", "TLSv1.3"}),
    suite_levels=frozenset({Level.GOOD, Level.SUFFICIENT}),
    key_exchange=Level.GOOD,
    cert_trusted=True,
    cert_name_ok=True,
    cert_time_ok=True,
    cert_key=Level.GOOD,
    cert_weak_signature=False,
    heartbleed=False,
    ccs_injection=False,
    robot=False,
    secure_renegotiation=True,
    client_renegotiation=False,
    compression=False,
    fallback_scsv=None,
    cipher_order_ok=True,
)

#: Rule number -> a change to PERFECT that makes (only) that rule hold.
BREAKERS: dict[int, dict[str, object]] = {
    1: {"versions": frozenset({"SSLv2", "TLSv1.2", "TLSv1.3"})},
    2: {"heartbleed": True},
    3: {"ccs_injection": True},
    4: {"robot": True},
    5: {"secure_renegotiation": False},
    6: {"cert_trusted": False},
    7: {"cert_name_ok": False},
    8: {"cert_time_ok": False},
    9: {"null_anon_export": True},
    10: {"cert_key": Level.INSUFFICIENT},
    11: {"versions": frozenset({"SSLv3", "TLSv1.2", "TLSv1.3"})},
    12: {"compression": True},
    13: {"broken_suite": True},
    14: {"cert_weak_signature": True},
    15: {"versions": frozenset({"TLSv1.1"})},
    16: {"versions": frozenset({"TLSv1.0", "TLSv1.2", "TLSv1.3"})},
    17: {"suite_levels": frozenset({Level.GOOD, Level.INSUFFICIENT})},
    18: {"key_exchange": Level.INSUFFICIENT},
    19: {"suite_levels": frozenset({Level.GOOD, Level.PHASE_OUT})},
    20: {"key_exchange": Level.PHASE_OUT},
    21: {"cipher_order_ok": False},
    22: {"fallback_scsv": False},
    23: {"versions": frozenset({"TLSv1.2"})},
    24: {"client_renegotiation": True},
}


def test_a_perfect_endpoint_gets_a_plus_and_passes() -> None:
    # Given an endpoint with nothing wrong and a good certificate key
    # When it is graded
    result = grade_endpoint(PERFECT)
    # Then it gets A+, nothing capped it, and the finding passes
    assert result.grade is Grade.A_PLUS
    assert result.capped_by == ()
    assert result.untested == ()
    assert result.grade.status is Status.PASS


def test_a_phase_out_certificate_key_keeps_an_a_but_not_the_plus() -> None:
    result = grade_endpoint(dataclasses.replace(PERFECT, cert_key=Level.PHASE_OUT))
    assert result.grade is Grade.A
    assert result.capped_by == ()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"rule{rule.number}")
def test_each_rule_caps_the_grade_at_its_level(rule: tls_grade.GradeRule) -> None:
    # Given a perfect endpoint with exactly this rule's flaw
    facts = dataclasses.replace(PERFECT, **BREAKERS[rule.number])  # type: ignore[arg-type]
    # When it is graded
    result = grade_endpoint(facts)
    # Then the grade is the rule's cap and the rule is named among the reasons
    assert result.grade is rule.cap
    assert any(f"(rule {rule.number})" in reason for reason in result.capped_by)


def test_every_rule_has_a_breaker_and_is_written_in_the_docstring() -> None:
    assert set(BREAKERS) == {rule.number for rule in RULES}
    documented = {int(n) for n in re.findall(r"^\s+(\d+)\. ", tls_grade.__doc__ or "", re.M)}
    assert documented == {rule.number for rule in RULES}


def test_the_lowest_cap_wins_and_every_reason_is_listed() -> None:
    facts = dataclasses.replace(
        PERFECT,
        versions=frozenset({"TLSv1.0", "TLSv1.2"}),  # B (16) and A- (23)
        heartbleed=True,  # F (2)
    )
    result = grade_endpoint(facts)
    assert result.grade is Grade.F
    assert [reason.split(" ", 1)[0] for reason in result.capped_by] == ["F", "B", "A-"]


def test_untested_facts_cap_nothing_and_are_listed() -> None:
    # Given an endpoint whose certificate and vulnerability tests all failed to run
    facts = GradeFacts(
        versions=frozenset({"TLSv1.3"}),
        suite_levels=frozenset({Level.GOOD}),
        key_exchange=Level.GOOD,
        cipher_order_ok=True,
    )
    # When it is graded
    result = grade_endpoint(facts)
    # Then it is an A (no A+ without a known good key) and the untested facts are named
    assert result.grade is Grade.A
    assert "certificate trust" in result.untested
    assert "Heartbleed" in result.untested


@pytest.mark.parametrize(
    ("grade", "status"),
    [
        (Grade.A_PLUS, Status.PASS),
        (Grade.A, Status.PASS),
        (Grade.A_MINUS, Status.PASS),
        (Grade.B, Status.WARNING),
        (Grade.C, Status.FAIL),
        (Grade.F, Status.FAIL),
    ],
)
def test_grade_to_status(grade: Grade, status: Status) -> None:
    assert grade.status is status
