"""`--csv`: findings as a spreadsheet-safe CSV file.

Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, or a tab
or carriage return) get a leading apostrophe, so a hostile server's text in a summary or in
evidence cannot run as a formula on the admin's machine (CSV injection).
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from netready.findings import Finding

COLUMNS = ("target", "subject", "check_id", "status", "summary", "evidence")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


class CsvWriter:
    """Writes a header row, then one row per finding; evidence is a JSON cell."""

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self._writer.writerow(COLUMNS)

    def write(self, finding: Finding) -> None:
        row = (
            finding.target,
            finding.subject,
            finding.check_id,
            finding.status.value,
            finding.summary,
            json.dumps(dict(finding.evidence), ensure_ascii=False, sort_keys=True),
        )
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])
