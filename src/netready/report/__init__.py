"""Exports of findings: CSV, summary CSV, HTML, PDF and JSON reports (and `--json` lines).

One entry point for `netready export` and the GUI's Export menu::

    export_report(path, findings, report_format=ExportFormat.PDF, scan=ScanInfo(...))
    write_report(binary_stream, findings, report_format=..., scan=..., delimiter=";")

The formats, one module each: `csv` (one row per finding), `summary` (one row per target),
`html` (cover, a section per target, handouts), `pdf` (that HTML through Qt; the only module
here that imports PySide6, and only when a PDF is asked for), `json`. What they share - the
scan's facts, per-target tallies and traffic lights - is in `model`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from netready.findings import Finding
from netready.report.csv import CsvWriter
from netready.report.html import write_html
from netready.report.json import write_json
from netready.report.model import Light, ScanInfo
from netready.report.summary import write_summary_csv

__all__ = ["ExportFormat", "Light", "ScanInfo", "export_report", "write_report"]


class ExportFormat(StrEnum):
    """The formats of `netready export --format` and of the GUI's Export menu."""

    CSV = "csv"
    SUMMARY_CSV = "summary-csv"
    HTML = "html"
    PDF = "pdf"
    JSON = "json"

    @property
    def suffix(self) -> str:
        """The usual file name ending, for save dialogs."""
        return {"summary-csv": ".csv"}.get(self.value, f".{self.value}")

    @property
    def binary(self) -> bool:
        return self is ExportFormat.PDF


def export_report(
    path: Path,
    findings: Iterable[Finding],
    *,
    report_format: ExportFormat,
    scan: ScanInfo | None = None,
    delimiter: str = ",",
) -> None:
    """Write a report file; it appears complete or not at all (written aside, then renamed)."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as stream:
            write_report(
                stream, findings, report_format=report_format, scan=scan, delimiter=delimiter
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_report(
    stream: BinaryIO,
    findings: Iterable[Finding],
    *,
    report_format: ExportFormat,
    scan: ScanInfo | None = None,
    delimiter: str = ",",
) -> None:
    """Write a report to a binary stream (a file, or stdout's buffer); text is UTF-8."""
    if report_format is ExportFormat.PDF:
        from netready.report.pdf import pdf_bytes  # loads Qt: only when a PDF is asked for

        stream.write(pdf_bytes(findings, scan=scan))
        return
    # newline="": the CSV writers end rows with CRLF themselves, on every platform
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        _write_text(text, findings, report_format, scan, delimiter)
    finally:
        text.flush()
        text.detach()  # the caller owns `stream`


def _write_text(
    text: io.TextIOWrapper,
    findings: Iterable[Finding],
    report_format: ExportFormat,
    scan: ScanInfo | None,
    delimiter: str,
) -> None:
    if report_format is ExportFormat.CSV:
        CsvWriter(text, scan=scan, delimiter=delimiter).write_all(findings)
    elif report_format is ExportFormat.SUMMARY_CSV:
        write_summary_csv(text, findings, scan=scan, delimiter=delimiter)
    elif report_format is ExportFormat.HTML:
        write_html(text, findings, scan=scan)
    else:
        write_json(text, list(findings), scan=scan)
