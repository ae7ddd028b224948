"""The summary CSV: one row per target, with its findings counted per status.

Columns (`COLUMNS`), in this order:

=================  ==========================================================================
scan_id            the scan's number; empty when unknown
scan_started_at    when the scan started, ISO 8601 UTC
target             what was entered, normalised
rating             the traffic light: green, amber, red or grey (see `netready.report.model`)
verdict            the light in words: Good, Should be improved, Action needed, Not fully
                   tested, No findings
passing_percent    passes among pass/warning/fail/error findings, 0-100; empty when none
findings           how many findings the target has
fail, error, warning, info, pass    how many findings have that status
=================  ==========================================================================

The file is written like the findings CSV: UTF-8 with BOM, every cell quoted and defused
against formula injection, `,` or `;` between cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from netready.findings import Finding
from netready.report.csv import spreadsheet_writer
from netready.report.model import STATUS_ORDER, ScanInfo, TargetSummary, iso_utc, summarise

COLUMNS = (
    "scan_id",
    "scan_started_at",
    "target",
    "rating",
    "verdict",
    "passing_percent",
    "findings",
    *(status.value for status in STATUS_ORDER),
)


def write_summary_csv(
    stream: TextIO,
    findings: Iterable[Finding],
    *,
    scan: ScanInfo | None = None,
    delimiter: str = ",",
) -> list[TargetSummary]:
    """Write one row per target; returns the summaries it wrote."""
    scan = scan or ScanInfo()
    summaries = summarise(findings, targets=scan.targets)
    rows = spreadsheet_writer(stream, delimiter=delimiter)
    rows.row(COLUMNS)
    scan_id = "" if scan.scan_id is None else str(scan.scan_id)
    started = iso_utc(scan.started_at)
    for summary in summaries:
        tally = summary.tally
        percent = tally.passing_percent
        rows.row(
            (
                scan_id,
                started,
                summary.target,
                tally.light.value,
                tally.verdict,
                "" if percent is None else percent,
                tally.total,
                *(tally.counts[status] for status in STATUS_ORDER),
            )
        )
    return summaries
