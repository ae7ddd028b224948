"""The PDF report: Qt lays out the HTML report on A4 pages, headless, one page per handout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from netready.findings import Finding, Status
from netready.report.model import ScanInfo
from netready.report.pdf import pdf_bytes, write_pdf
from netready.store import Store

# pytest-qt's `qapp` (a QApplication, so that GUI tests later in the session find the kind of
# application they need) must not look for a display
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

Require = Callable[[Sequence[str], str], None]
SRC_DIR = Path(__file__).resolve().parents[2] / "src"
HANDOUT_FOOTER = "Each point has configuration examples"


def findings() -> list[Finding]:
    made = []
    for target in ("a.example", "b.example"):
        for address in ("192.0.2.10", "2001:db8::10"):
            subject = f"www.{target} [{address}]:443"
            made += [
                Finding(target, subject, "tls.protocol.tls1_0", Status.FAIL, "TLS 1.0 accepted."),
                Finding(target, subject, "tls.ciphers", Status.WARNING, "3DES offered."),
                Finding(target, subject, "https.hsts", Status.ERROR, "timeout."),
                Finding(target, subject, "https.available", Status.PASS, "works."),
            ]
        made.append(Finding(target, target, "dnssec.status", Status.FAIL, "insecure"))
    return made


SCAN = ScanInfo(scan_id=1, started_at=datetime(2024, 5, 1, tzinfo=UTC), targets=("a.example",))


@pytest.fixture
def poppler(require_prerequisites: Require) -> None:
    missing = [tool for tool in ("pdftotext", "pdfinfo") if shutil.which(tool) is None]
    require_prerequisites(missing and [f"{', '.join(missing)} (poppler-utils)"], "PDF tests")


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    done = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return unicodedata.normalize("NFKC", done.stdout)  # the layout uses ligatures (ﬁ)


def page_count(path: Path) -> int:
    done = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, timeout=30, check=True
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


@pytest.mark.usefixtures("qapp", "poppler")
def test_the_pdf_has_the_cover_sections_and_advice(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    write_pdf(path, findings(), scan=SCAN)
    assert path.read_bytes().startswith(b"%PDF-")
    cover = pdf_text(path, page=1)
    assert "netready report" in cover
    assert "Share passing per family" in cover
    assert "Action needed" in cover
    text = pdf_text(path)
    assert "What to do" in text
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text
    assert "openssl s_client" in text


@pytest.mark.usefixtures("qapp", "poppler")
def test_each_handout_fits_on_one_page(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    write_pdf(path, findings(), scan=SCAN)
    pages = [pdf_text(path, page) for page in range(1, page_count(path) + 1)]
    handouts = [page for page in pages if "Fix these first" in page]
    assert len(handouts) == 2
    for page in handouts:
        assert HANDOUT_FOOTER in page.replace("\n", " ")  # its end is on the same page
    assert pages[-1] is handouts[-1] or HANDOUT_FOOTER in pages[-1]


@pytest.mark.usefixtures("qapp")
def test_an_empty_report_is_a_valid_pdf() -> None:
    assert pdf_bytes([]).startswith(b"%PDF-")


def test_netready_export_makes_a_pdf_headless(tmp_path: Path) -> None:
    """No display and no QT_QPA_PLATFORM: the export makes its own offscreen application."""
    database = tmp_path / "history.db"
    with Store(database) as store:
        scan_id = store.create_scan(targets=[("a.example", "domain")], families=None, config={})
        made = [finding for finding in findings() if finding.target == "a.example"]
        store.record(scan_id, findings=made, finished_targets=["a.example"])
    output = tmp_path / "report.pdf"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    environment["PYTHONPATH"] = str(SRC_DIR)
    done = subprocess.run(
        [sys.executable, "-m", "netready", "export", str(scan_id), "--db", str(database),
         "--format", "pdf", "--output", str(output)],
        capture_output=True, text=True, timeout=120, env=environment,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert output.read_bytes().startswith(b"%PDF-")
    assert "pdf report written" in done.stderr
