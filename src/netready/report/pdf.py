"""The PDF report: the HTML report laid out by Qt's QTextDocument and printed by QPdfWriter.

The one module outside `netready.gui` that imports PySide6 (QtGui only, no widgets), so the
PDF needs no extra dependency; the import-linter contract names this exception. Nothing else
in `netready.report` imports it, so CSV, HTML and JSON exports never load Qt.

It works headless: without a running Qt application it makes a `QGuiApplication`, on Linux
with the `offscreen` platform when there is no display (and QT_QPA_PLATFORM is not set), as
in CI and on servers. In the GUI it uses the running application, and must then be called
on the GUI thread (Qt's text layout is not thread-safe).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from netready.findings import Finding
from netready.report.html import ReportOptions, render_html
from netready.report.model import ScanInfo

__all__ = ["PAGE_MARGINS_MM", "RESOLUTION_DPI", "html_to_pdf", "pdf_bytes", "write_pdf"]

# QTextDocument.print_ lays the text out 2 cm inside the page and numbers the pages in that
# margin; a margin of the writer's own would add to it
PAGE_MARGINS_MM = 0.0
RESOLUTION_DPI = 300

_application: QGuiApplication | None = None  # made here; kept so Qt is not torn down


def write_pdf(
    path: Path,
    findings: Iterable[Finding],
    *,
    scan: ScanInfo | None = None,
    options: ReportOptions | None = None,
) -> None:
    """Write the report as an A4 PDF file."""
    options = options or ReportOptions()
    html = render_html(findings, scan=scan, options=options)
    path.write_bytes(html_to_pdf(html, title=options.title))


def pdf_bytes(
    findings: Iterable[Finding],
    *,
    scan: ScanInfo | None = None,
    options: ReportOptions | None = None,
) -> bytes:
    """The report as PDF bytes (for stdout, or for the GUI to save where it likes)."""
    options = options or ReportOptions()
    return html_to_pdf(render_html(findings, scan=scan, options=options), title=options.title)


def html_to_pdf(html: str, *, title: str = "netready report") -> bytes:
    """Lay out `html` on A4 pages and return the PDF; pages are numbered at the bottom."""
    _ensure_application()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("netready")
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(PAGE_MARGINS_MM, PAGE_MARGINS_MM, PAGE_MARGINS_MM, PAGE_MARGINS_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setHtml(html)
    # print_ paginates to the writer's page and numbers the pages, since the document
    # has no page size of its own
    document.setPageSize(QSizeF())
    document.print_(writer)
    del writer  # finishes the PDF into the buffer
    buffer.close()
    data: QByteArray = buffer.data()
    return bytes(data.data())


def _ensure_application() -> None:
    global _application
    if QGuiApplication.instance() is not None:
        return
    arguments = ["netready"]
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        arguments += ["-platform", "offscreen"]
    _application = QGuiApplication(arguments)
