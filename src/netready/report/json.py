"""The JSON report: the scan, a summary per target, and every finding with its fields.

One JSON document (UTF-8, not ASCII-escaped), written as it goes so that 100,000 findings
never sit in memory as one string::

    {
      "format": "netready-report", "format_version": 1,
      "generated_at": "2024-05-01T12:00:00Z",
      "netready_version": "0.1.0",
      "scan": {"id": 3, "started_at": "...Z", "finished_at": "...Z", "state": "completed"},
      "targets": [{"target": "example.org", "rating": "amber", "verdict": "...",
                   "passing_percent": 80, "counts": {"fail": 0, ..., "pass": 8}}],
      "findings": [{"target": ..., "subject": ..., "check_id": ..., "status": ...,
                    "summary": ..., "evidence": {...},
                    "family": "tls", "title": "...", "verify_command": "..."}]
    }

Each finding holds the fields of DESIGN.md's output contract (`Finding.to_json_dict`) plus
`family`, `title` and `verify_command`; fields are only ever added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from netready.advice import verify_command
from netready.findings import Finding
from netready.report.model import (
    STATUS_ORDER,
    ScanInfo,
    TargetSummary,
    check_title,
    family_of,
    iso_utc,
    summarise,
)

FORMAT = "netready-report"
FORMAT_VERSION = 1


def write_json(
    stream: TextIO, findings: Sequence[Finding], *, scan: ScanInfo | None = None
) -> None:
    """Write the report; `findings` is read twice (summary first, then the findings)."""
    scan = scan or ScanInfo()
    head = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": iso_utc(datetime.now(UTC)),
        "netready_version": scan.netready_version,
        "scan": _scan_json(scan),
        "targets": [_target_json(summary) for summary in summarise(findings, targets=scan.targets)],
    }
    opening = _dumps(head)[:-1]  # the object without its closing brace
    stream.write(opening + ', "findings": [')
    _write_findings(stream, findings)
    stream.write("]}\n")


def _write_findings(stream: TextIO, findings: Iterable[Finding]) -> None:
    titles: dict[str, str] = {}
    separator = "\n"
    for finding in findings:
        data = finding.to_json_dict()
        title = titles.get(finding.check_id)
        if title is None:
            title = titles[finding.check_id] = check_title(finding.check_id)
        data |= {
            "family": family_of(finding.check_id),
            "title": title,
            "verify_command": verify_command(finding),
        }
        stream.write(separator + _dumps(data))
        separator = ",\n"
    stream.write("\n")


def _scan_json(scan: ScanInfo) -> dict[str, Any] | None:
    if scan.scan_id is None and scan.started_at is None:
        return None
    return {
        "id": scan.scan_id,
        "started_at": iso_utc(scan.started_at) or None,
        "finished_at": iso_utc(scan.finished_at) or None,
        "state": scan.state,
    }


def _target_json(summary: TargetSummary) -> dict[str, Any]:
    tally = summary.tally
    return {
        "target": summary.target,
        "rating": tally.light.value,
        "verdict": tally.verdict,
        "passing_percent": tally.passing_percent,
        "counts": {status.value: tally.counts[status] for status in STATUS_ORDER},
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
