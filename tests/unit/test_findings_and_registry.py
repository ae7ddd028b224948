"""The finding's JSON contract and the registry's guard rails."""

from __future__ import annotations

import json

from netready.checks import FAMILIES, declared_check_ids
from netready.findings import Finding, Status, is_valid_check_id, worst_status

CONTRACT_FIELDS = ["target", "subject", "check_id", "status", "summary", "evidence"]


def test_json_line_has_exactly_the_contract_fields_and_round_trips() -> None:
    finding = Finding(
        "bücher.example",
        "www.xn--bcher-kva.example [2001:db8::10]:443",
        "dns.resolve",
        Status.WARNING,
        "Ünïcode survives",
        {"nested": {"list": [1, "two"]}},
    )
    data = json.loads(finding.to_json_line())
    assert list(data) == CONTRACT_FIELDS
    assert data["status"] == "warning"
    assert Finding.from_json_dict(data) == finding


def test_status_values_are_the_contract_strings() -> None:
    assert [status.value for status in Status] == ["pass", "info", "warning", "fail", "error"]


def test_worst_status_ranks_fail_above_error_above_warning() -> None:
    assert worst_status([Status.PASS, Status.ERROR, Status.WARNING]) is Status.ERROR
    assert worst_status([Status.ERROR, Status.FAIL]) is Status.FAIL
    assert worst_status([]) is None


def test_every_declared_check_id_is_dotted_lowercase_and_unique() -> None:
    ids = [spec.check_id for family in FAMILIES.values() for spec in family.checks]
    assert len(ids) == len(set(ids))
    assert all(is_valid_check_id(check_id) for check_id in ids), ids
    assert declared_check_ids() == set(ids)


def test_family_names_are_the_contract_names() -> None:
    # ids need not start with the family name (the resolver family owns dot.* and doh.*)
    contract_names = {"dns", "dnssec", "resolver", "tls", "https", "ipv6", "exposure", "lan"}
    assert set(FAMILIES) <= contract_names
    assert all(family.name == name for name, family in FAMILIES.items())


def test_check_id_pattern_rejects_bad_ids() -> None:
    assert not is_valid_check_id("TLS.Protocol")
    assert not is_valid_check_id("single")
    assert not is_valid_check_id("tls..x")
    assert is_valid_check_id("tls.protocol.tls1_0")
