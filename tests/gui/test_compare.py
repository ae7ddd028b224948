"""Comparing two scans: every kind of change, matched by target, check and subject."""

from __future__ import annotations

import pytest

from netready.findings import Finding, Status
from netready.gui.compare import Change, change_between, compare_scans


def finding(target: str, check: str, status: Status, subject: str | None = None) -> Finding:
    return Finding(target, subject or target, check, status, f"{check} is {status.value}")


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (Status.FAIL, Status.PASS, Change.BETTER),
        (Status.ERROR, Status.WARNING, Change.BETTER),  # could not test -> known, smaller issue
        (Status.PASS, Status.ERROR, Change.WORSE),  # could not test is never a pass
        (Status.INFO, Status.FAIL, Change.WORSE),
        (Status.WARNING, Status.WARNING, Change.SAME),
        (None, Status.PASS, Change.NEW),
        (Status.FAIL, None, Change.GONE),
    ],
)
def test_change_between_two_statuses(
    before: Status | None, after: Status | None, change: Change
) -> None:
    assert change_between(before, after) is change


def test_a_change_needs_a_status_on_one_side() -> None:
    with pytest.raises(ValueError, match="at least one side"):
        change_between(None, None)


def test_scans_are_matched_by_target_check_and_subject() -> None:
    # Given an older and a newer scan of the same two targets
    before = [
        finding("a.example", "https.hsts", Status.FAIL),
        finding("a.example", "tls.protocol.tls1_0", Status.WARNING, "a.example [198.18.0.1]:443"),
        finding("b.example", "dns.resolve", Status.PASS),
        finding("b.example", "ipv6.web.aaaa", Status.INFO),
    ]
    after = [
        finding("a.example", "https.hsts", Status.PASS),
        finding("a.example", "tls.protocol.tls1_0", Status.WARNING, "a.example [198.18.0.1]:443"),
        finding("a.example", "tls.protocol.tls1_0", Status.FAIL, "a.example [2001:db8::1]:443"),
        finding("b.example", "dns.resolve", Status.ERROR),
    ]
    # When they are compared
    comparison = compare_scans(
        before,
        after,
        before_targets=["a.example", "b.example"],
        after_targets=["a.example", "b.example"],
    )
    # Then each check of each subject says how it moved, in target order
    rows = [(row.target, row.check_id, row.subject, row.change) for row in comparison.rows]
    assert rows == [
        ("a.example", "https.hsts", "a.example", Change.BETTER),
        ("a.example", "tls.protocol.tls1_0", "a.example [198.18.0.1]:443", Change.SAME),
        ("a.example", "tls.protocol.tls1_0", "a.example [2001:db8::1]:443", Change.NEW),
        ("b.example", "dns.resolve", "b.example", Change.WORSE),
        ("b.example", "ipv6.web.aaaa", "b.example", Change.GONE),
    ]
    gone = comparison.rows[-1]
    assert (gone.before, gone.after, gone.summary) == (Status.INFO, None, "ipv6.web.aaaa is info")
    assert {change: comparison.count(change) for change in Change} == {
        Change.WORSE: 1,
        Change.NEW: 1,
        Change.GONE: 1,
        Change.BETTER: 1,
        Change.SAME: 1,
    }


def test_only_targets_of_both_scans_are_compared() -> None:
    before = [
        finding("old.example", "dns.resolve", Status.FAIL),
        finding("x.example", "dns.resolve", Status.PASS),
    ]
    after = [
        finding("new.example", "dns.resolve", Status.PASS),
        finding("x.example", "dns.resolve", Status.PASS),
    ]
    comparison = compare_scans(
        before,
        after,
        before_targets=["old.example", "x.example"],
        after_targets=["x.example", "new.example"],
    )
    assert [row.target for row in comparison.rows] == ["x.example"]
    assert comparison.targets == ("x.example",)
    assert comparison.only_before == ("old.example",)
    assert comparison.only_after == ("new.example",)


def test_a_subject_reported_twice_counts_with_its_worse_status() -> None:
    twice = [
        finding("a.example", "https.headers", Status.PASS),
        finding("a.example", "https.headers", Status.FAIL),
    ]
    once = [finding("a.example", "https.headers", Status.WARNING)]
    comparison = compare_scans(
        twice, once, before_targets=["a.example"], after_targets=["a.example"]
    )
    (row,) = comparison.rows
    assert (row.before, row.after, row.change) == (Status.FAIL, Status.WARNING, Change.BETTER)
