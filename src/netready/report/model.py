"""What every report shares: the scan's facts, per-target tallies, traffic lights, families.

Pure functions of findings; no I/O. The traffic light of a target (`Light`) is the report's
one-word verdict, always shown with an icon and a word, never by colour alone:

- red, "Action needed": at least one finding is a fail;
- amber, "Should be improved": no fail, at least one warning;
- grey, "Not fully tested": no fail or warning, but a check could not run (error) - never
  green, since an error may hide a problem;
- green, "Good": only passes and infos;
- grey, "No findings": nothing was tested.

The share passing (`passing_percent`) counts passes among the graded findings: pass, warning,
fail and error (an error is not a pass); infos are neither good nor bad and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from netready import __version__
from netready.advice import advice_for
from netready.checks import FAMILIES
from netready.findings import Finding, Status

# Worst first: the order of columns, sections and sorting everywhere in the reports.
STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.WARNING,
    Status.INFO,
    Status.PASS,
)
STATUS_LABELS: Mapping[Status, str] = {
    Status.FAIL: "Fail",
    Status.ERROR: "Not tested",
    Status.WARNING: "Warning",
    Status.INFO: "Info",
    Status.PASS: "Pass",
}
STATUS_ICONS: Mapping[Status, str] = {
    Status.FAIL: "\u2716",  # heavy multiplication x
    Status.ERROR: "?",
    Status.WARNING: "\u25b2",  # black up-pointing triangle
    Status.INFO: "i",
    Status.PASS: "\u2714",  # heavy check mark
}
_GRADED = (Status.PASS, Status.WARNING, Status.FAIL, Status.ERROR)


class Light(StrEnum):
    """A target's traffic light; the value is stable in CSV and JSON."""

    RED = "red"
    AMBER = "amber"
    GREY = "grey"
    GREEN = "green"

    @property
    def icon(self) -> str:
        return _LIGHT_ICONS[self]


_LIGHT_ICONS = {
    Light.RED: "\u2716",
    Light.AMBER: "\u25b2",
    Light.GREY: "?",
    Light.GREEN: "\u2714",
}


@dataclass(frozen=True, slots=True)
class ScanInfo:
    """The facts about a scan a report prints; every field may be unknown.

    `targets` lists the scan's targets in the order given, so that a target without any
    finding still appears (as "No findings").
    """

    scan_id: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    state: str | None = None
    targets: tuple[str, ...] = ()
    netready_version: str = __version__


@dataclass(slots=True)
class Tally:
    """Findings counted per status."""

    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))

    def add(self, status: Status) -> None:
        self.counts[status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def graded(self) -> int:
        return sum(self.counts[status] for status in _GRADED)

    @property
    def passing_percent(self) -> int | None:
        """Passes among pass/warning/fail/error, rounded; None when nothing was graded."""
        graded = self.graded
        return None if graded == 0 else round(100 * self.counts[Status.PASS] / graded)

    @property
    def light(self) -> Light:
        counts = self.counts
        if counts[Status.FAIL]:
            return Light.RED
        if counts[Status.WARNING]:
            return Light.AMBER
        if counts[Status.ERROR] or self.total == 0:
            return Light.GREY
        return Light.GREEN

    @property
    def verdict(self) -> str:
        """The light in words, as the reports print it next to the icon."""
        if self.total == 0:
            return "No findings"
        return _LIGHT_WORDS[self.light]


_LIGHT_WORDS = {
    Light.RED: "Action needed",
    Light.AMBER: "Should be improved",
    Light.GREY: "Not fully tested",
    Light.GREEN: "Good",
}


@dataclass(slots=True)
class TargetSummary:
    """One target's findings, tallied overall and per check family."""

    target: str
    tally: Tally = field(default_factory=Tally)
    families: dict[str, Tally] = field(default_factory=dict)


def summarise(findings: Iterable[Finding], *, targets: Iterable[str] = ()) -> list[TargetSummary]:
    """Per-target tallies, in the order of `targets` and then of first appearance."""
    summaries = {target: TargetSummary(target) for target in targets}
    for finding in findings:
        summary = summaries.get(finding.target)
        if summary is None:
            summary = summaries[finding.target] = TargetSummary(finding.target)
        summary.tally.add(finding.status)
        family = family_of(finding.check_id)
        summary.families.setdefault(family, Tally()).add(finding.status)
    return list(summaries.values())


def family_totals(summaries: Iterable[TargetSummary]) -> dict[str, Tally]:
    """Every family's tally over all targets, in registry order, then by name."""
    totals: dict[str, Tally] = {}
    for summary in summaries:
        for family, tally in summary.families.items():
            total = totals.setdefault(family, Tally())
            for status, count in tally.counts.items():
                total.counts[status] += count
    order = {name: position for position, name in enumerate(FAMILIES)}
    return dict(sorted(totals.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _family_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for family in FAMILIES.values():
        for spec in family.checks:  # an id two families share counts for the first
            index.setdefault(spec.check_id, family.name)
    return index


_FAMILY_OF_ID: dict[str, str] = _family_index()


def family_of(check_id: str) -> str:
    """The family that declares a check id; for ids of unregistered families, the id's prefix."""
    return _FAMILY_OF_ID.get(check_id) or check_id.split(".", 1)[0]


def check_title(check_id: str) -> str:
    """A check's plain-language title: its advice title, else its declared title, else its id."""
    advice = advice_for(check_id)
    if advice is not None:
        return advice.title
    for family in FAMILIES.values():
        for spec in family.checks:
            if spec.check_id == check_id:
                return spec.title
    return check_id


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC with a `Z`, to the second (`2024-05-01T12:00:00Z`); "" when unknown."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # the store writes UTC; a naive time is taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sort_key(finding: Finding) -> tuple[int, str, str]:
    """Worst first, then by check id and subject."""
    return (STATUS_ORDER.index(finding.status), finding.check_id, finding.subject)
