"""CSV exports for spreadsheets: one row per finding (`CsvWriter`), one per target (`summary.py`).

Columns of the findings CSV, in this order (`COLUMNS`):

=================  ==========================================================================
scan_id            the scan's number (`netready history`); empty for a live `scan --csv`
scan_started_at    when the scan started, ISO 8601 UTC (`2024-05-01T12:00:00Z`)
target             what was entered, normalised (`example.org`)
family             the check family (`tls`, `https`, `dnssec`, ...)
check_id           the stable check id (`tls.protocol.tls1_0`)
check_title        the check in plain words
subject            what exactly was tested (`www.example.org [2001:db8::10]:443`)
status             pass, info, warning, fail or error (error: could not be tested)
summary            one sentence about the finding
evidence           the facts behind it, as a JSON object
verify_command     a standard command that shows the same fact without netready
=================  ==========================================================================

Made for Excel and LibreOffice: UTF-8 with a byte order mark (so Excel reads the accents),
CRLF line ends, every cell quoted, `,` or `;` (`delimiter`) between cells.

Formula injection (OWASP "CSV Injection"): certificate names, headers and banners come from
servers netready does not trust. A cell whose text starts - after any leading spaces - with
`=`, `+`, `-`, `@`, a tab, CR or LF would be read as a formula by a spreadsheet; such a cell
gets a leading apostrophe, which spreadsheets show as text and never evaluate.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from netready.advice import verify_command
from netready.findings import Finding
from netready.report.model import ScanInfo, check_title, family_of, iso_utc

COLUMNS = (
    "scan_id",
    "scan_started_at",
    "target",
    "family",
    "check_id",
    "check_title",
    "subject",
    "status",
    "summary",
    "evidence",
    "verify_command",
)
DELIMITERS = (",", ";")
BYTE_ORDER_MARK = "\ufeff"
_EVIDENCE_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_FORMULA_STARTS = frozenset("=+-@\t\r\n")


def spreadsheet_safe(cell: str) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    first = cell[:1]
    if first == " ":
        first = cell.lstrip(" ")[:1]
    return "'" + cell if first and first in _FORMULA_STARTS else cell


def spreadsheet_writer(
    stream: TextIO, *, delimiter: str = ",", bom: bool = True
) -> SpreadsheetRows:
    """A CSV writer that quotes every cell and defuses formulas; writes the BOM first."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"the delimiter must be one of {' '.join(DELIMITERS)}, not {delimiter!r}")
    if bom:
        stream.write(BYTE_ORDER_MARK)
    return SpreadsheetRows(stream, delimiter)


class SpreadsheetRows:
    """Rows of spreadsheet-safe cells; numbers are written as they are."""

    def __init__(self, stream: TextIO, delimiter: str) -> None:
        self._writer = csv.writer(
            stream, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
        )

    def row(self, cells: Iterable[str | int]) -> None:
        self._writer.writerow(
            [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells]
        )


class CsvWriter:
    """Writes the header, then one row per finding as it comes (a scan can stream into it).

    `scan` supplies the scan id and start; without it (a live `scan --csv`), the start is the
    moment the writer was made.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        scan: ScanInfo | None = None,
        delimiter: str = ",",
        bom: bool = True,
    ) -> None:
        self._rows = spreadsheet_writer(stream, delimiter=delimiter, bom=bom)
        scan = scan or ScanInfo(started_at=datetime.now(UTC))
        self._scan_id = "" if scan.scan_id is None else str(scan.scan_id)
        self._started = iso_utc(scan.started_at)
        self._titles: dict[str, str] = {}
        self._rows.row(COLUMNS)

    def write(self, finding: Finding) -> None:
        self._rows.row(
            (
                self._scan_id,
                self._started,
                finding.target,
                family_of(finding.check_id),
                finding.check_id,
                self._title(finding.check_id),
                finding.subject,
                finding.status.value,
                finding.summary,
                _evidence_json(finding),
                verify_command(finding),
            )
        )

    def write_all(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.write(finding)

    def _title(self, check_id: str) -> str:
        title = self._titles.get(check_id)
        if title is None:
            title = self._titles[check_id] = check_title(check_id)
        return title


def _evidence_json(finding: Finding) -> str:
    evidence = finding.evidence
    return _EVIDENCE_JSON.encode(evidence if isinstance(evidence, dict) else dict(evidence))
