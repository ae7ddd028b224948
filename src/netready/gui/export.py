"""The Export menu: the report formats of `netready.report`, as `netready export` writes them.

Text formats are written in a background thread (a large scan takes a second or more); the
PDF is laid out by Qt's text engine, which must run on the GUI thread, so it is written there.
`netready.report` is imported on first use: it brings the check registry with it, which the
window must not wait for at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from netready.findings import Finding
from netready.store import ScanRecord

if TYPE_CHECKING:
    from netready.report import ExportFormat, ScanInfo

__all__ = [
    "ExportWorker",
    "file_filter",
    "format_label",
    "report_format",
    "report_formats",
    "scan_info",
    "write_export",
]


def report_formats() -> list[ExportFormat]:
    """Every format `netready.report` writes, in its order."""
    from netready.report import ExportFormat

    return list(ExportFormat)


def report_format(key: str) -> ExportFormat:
    """The format named `key` (`"csv"`, `"pdf"`, ...)."""
    from netready.report import ExportFormat

    return ExportFormat(key)


def format_label(report_format: ExportFormat) -> str:
    """The menu entry of a format."""
    labels = {
        "csv": QCoreApplication.translate("Export", "&CSV, one row per finding…"),
        "summary-csv": QCoreApplication.translate("Export", "&Summary CSV, one row per target…"),
        "html": QCoreApplication.translate("Export", "&HTML report…"),
        "pdf": QCoreApplication.translate("Export", "&PDF report…"),
        "json": QCoreApplication.translate("Export", "&JSON…"),
    }
    return labels.get(report_format.value, report_format.value)


def file_filter(report_format: ExportFormat) -> str:
    suffix = report_format.suffix
    return QCoreApplication.translate("Export", "{name} files (*{suffix})").format(
        name=report_format.value.upper(), suffix=suffix
    )


def scan_info(scan: ScanRecord | None, targets: Sequence[str]) -> ScanInfo:
    """What a report prints about the scan shown."""
    from netready.report import ScanInfo

    if scan is None:
        return ScanInfo(targets=tuple(targets))
    return ScanInfo(
        scan_id=scan.id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state="interrupted" if scan.interrupted else scan.state.value,
        targets=tuple(targets),
        netready_version=scan.netready_version,
    )


def write_export(
    report_format: ExportFormat, path: Path, findings: Sequence[Finding], scan: ScanInfo
) -> None:
    from netready.report import export_report

    export_report(path, findings, report_format=report_format, scan=scan)


class ExportWorker(QThread):
    """Writes one export; `run_here()` instead of `start()` for the PDF (GUI thread)."""

    export_finished = Signal(str)  # the path written
    export_failed = Signal(str)  # why not

    def __init__(
        self,
        report_format: ExportFormat,
        path: Path,
        findings: Sequence[Finding],
        scan: ScanInfo,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.report_format, self.path = report_format, path
        self._findings, self._scan = tuple(findings), scan

    @property
    def needs_gui_thread(self) -> bool:
        return self.report_format.value == "pdf"

    def run(self) -> None:
        try:
            write_export(self.report_format, self.path, self._findings, self._scan)
        except Exception as error:  # shown to the user; never raised into Qt
            self.export_failed.emit(f"{self.path}: {error}")
        else:
            self.export_finished.emit(str(self.path))
