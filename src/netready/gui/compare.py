"""Compare two scans of the same targets: what got better, what got worse, what is new.

Qt-free and pure, so every verdict is unit-tested without a window. A finding is matched with
its counterpart by (target, check id, subject): the same check of the same thing. Only the
targets both scans share are compared; the others are listed apart, because a target scanned
once only tells nothing about change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from netready.findings import Finding, Status

__all__ = ["Change", "ComparedFinding", "Comparison", "compare_scans"]


class Change(StrEnum):
    """How one check of one subject moved from the older scan to the newer one."""

    WORSE = "worse"  # the status is more severe now
    NEW = "new"  # reported now, not before (a new address, a new check)
    GONE = "gone"  # reported before, not now
    BETTER = "better"  # the status is less severe now
    SAME = "same"


#: The order rows and filters show changes in: what needs attention first.
CHANGES_IN_ORDER: tuple[Change, ...] = tuple(Change)

_Key = tuple[str, str, str]  # target, check id, subject


@dataclass(frozen=True, slots=True)
class ComparedFinding:
    """One check of one subject in both scans; `before`/`after` is None where it is absent."""

    change: Change
    target: str
    check_id: str
    subject: str
    before: Status | None
    after: Status | None
    summary: str  # the newer scan's summary; the older one's when the finding is gone


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of `compare_scans`; rows in target order, then check id, then subject."""

    rows: tuple[ComparedFinding, ...]
    targets: tuple[str, ...]  # compared: in both scans
    only_before: tuple[str, ...]
    only_after: tuple[str, ...]

    def count(self, change: Change) -> int:
        return sum(1 for row in self.rows if row.change is change)


def compare_scans(
    before: Iterable[Finding],
    after: Iterable[Finding],
    *,
    before_targets: Sequence[str],
    after_targets: Sequence[str],
) -> Comparison:
    """Match the findings of two scans and say how each changed.

    `before_targets`/`after_targets` are the scans' targets in their order. When one check
    reports the same subject twice in a scan, the worse of the two counts.
    """
    shared = set(before_targets) & set(after_targets)
    order = {target: position for position, target in enumerate(after_targets)}
    old = _worst_by_key(finding for finding in before if finding.target in shared)
    new = _worst_by_key(finding for finding in after if finding.target in shared)
    rows = [_compared(key, old.get(key), new.get(key)) for key in old.keys() | new.keys()]
    rows.sort(key=lambda row: (order[row.target], row.check_id, row.subject))
    return Comparison(
        rows=tuple(rows),
        targets=tuple(target for target in after_targets if target in shared),
        only_before=tuple(target for target in before_targets if target not in shared),
        only_after=tuple(target for target in after_targets if target not in shared),
    )


def _worst_by_key(findings: Iterable[Finding]) -> dict[_Key, Finding]:
    chosen: dict[_Key, Finding] = {}
    for finding in findings:
        key = (finding.target, finding.check_id, finding.subject)
        kept = chosen.get(key)
        if kept is None or finding.status.severity > kept.status.severity:
            chosen[key] = finding
    return chosen


def _compared(key: _Key, old: Finding | None, new: Finding | None) -> ComparedFinding:
    target, check_id, subject = key
    before = None if old is None else old.status
    after = None if new is None else new.status
    shown = new if new is not None else old
    assert shown is not None  # a key comes from at least one of the scans
    return ComparedFinding(
        change=change_between(before, after),
        target=target,
        check_id=check_id,
        subject=subject,
        before=before,
        after=after,
        summary=shown.summary,
    )


def change_between(before: Status | None, after: Status | None) -> Change:
    """The change from `before` to `after`; None means "not reported"."""
    if before is None and after is None:
        raise ValueError("a change needs a status on at least one side")
    if before is None:
        return Change.NEW
    if after is None:
        return Change.GONE
    if after.severity > before.severity:
        return Change.WORSE
    if after.severity < before.severity:
        return Change.BETTER
    return Change.SAME
