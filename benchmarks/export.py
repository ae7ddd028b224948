"""Export speed: 100,000 findings to CSV, and a 1,000-finding report to PDF.

    .venv/bin/python benchmarks/export.py [--findings N] [--pdf-findings M] [--repeat R]

Findings are made up but shaped like a real scan's: every check id with advice, ten
findings per endpoint, endpoints over IPv4 and IPv6, all five statuses, evidence of a few
hundred bytes (and now and then a formula for the CSV to defuse). Measured, best of
`--repeat` runs (wall time, this process):

- csv:        N findings -> `export_report(..., CSV)` (what the GUI's Export does);
- csv via db: the same findings saved in a scan of a fresh SQLite database, then
              `netready export ID --format csv` in a process of its own (what a user runs);
- summary-csv, json: N findings;
- html, pdf:  M findings (20 targets) -> the full report with advice and handouts.

Goals (issue 8): CSV of 100,000 findings < 2 s; PDF of a 1,000-finding report < 3 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import cycle
from pathlib import Path

from netready.advice import all_advice
from netready.findings import Finding, Status
from netready.report import ExportFormat, ScanInfo, export_report
from netready.store import Store

GOALS = {"csv": 2.0, "pdf": 3.0}
FINDINGS_PER_ENDPOINT = 10
STATUSES = (Status.PASS,) * 6 + (Status.INFO, Status.WARNING, Status.FAIL, Status.ERROR)


def make_findings(count: int, *, targets: int) -> list[Finding]:
    """`count` findings spread evenly over `targets` domains."""
    check_ids = cycle(sorted(all_advice()))
    statuses = cycle(STATUSES)
    made = []
    for number in range(count):
        # like a real scan, several findings per endpoint (a TLS endpoint alone has 24)
        endpoint = number // FINDINGS_PER_ENDPOINT
        target = f"site{endpoint % targets}.example"
        address = f"2001:db8::{endpoint:x}" if endpoint % 2 else f"192.0.2.{endpoint % 250}"
        shown = f"[{address}]" if ":" in address else address
        check_id = next(check_ids)
        made.append(
            Finding(
                target=target,
                subject=f"www.{target} {shown}:443",
                check_id=check_id,
                status=next(statuses),
                summary=f"www.{target} {shown}:443: {check_id} result number {number}.",
                evidence={
                    "host": f"www.{target}",
                    "address": address,
                    "port": 443,
                    "versions": ["TLSv1.2", "TLSv1.3"],
                    "suites": [
                        {"name": "TLS_AES_128_GCM_SHA256", "level": "good"},
                        {"name": "ECDHE-RSA-AES128-GCM-SHA256", "level": "good"},
                    ],
                    "note": "=cmd|' /C calc'!A0" if number % 97 == 0 else "",
                },
            )
        )
    return made


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def export_seconds(
    findings: list[Finding], report_format: ExportFormat, directory: Path, repeat: int
) -> tuple[float, int]:
    path = directory / f"report-{report_format.value}{report_format.suffix}"
    scan = ScanInfo(scan_id=1, targets=tuple(dict.fromkeys(f.target for f in findings)))
    seconds = best_of(
        repeat, lambda: export_report(path, findings, report_format=report_format, scan=scan)
    )
    return seconds, path.stat().st_size


def cli_export_seconds(findings: list[Finding], directory: Path, repeat: int) -> float:
    database = directory / "history.db"
    with Store(database) as store:
        targets = list(dict.fromkeys(finding.target for finding in findings))
        scan_id = store.create_scan(
            targets=[(target, "domain") for target in targets], families=None, config={}
        )
        store.record(scan_id, findings=findings, finished_targets=targets)
    output = directory / "cli.csv"
    argv = [sys.executable, "-m", "netready", "export", str(scan_id), "--db", str(database),
            "--output", str(output)]  # fmt: skip
    return best_of(repeat, lambda: subprocess.run(argv, check=True, timeout=120))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--pdf-findings", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the PDF needs no display
    many = make_findings(args.findings, targets=max(1, args.findings // 50))
    report = make_findings(args.pdf_findings, targets=20)
    results: list[tuple[str, int, float, int | None]] = []
    with tempfile.TemporaryDirectory(prefix="netready-export-") as temporary:
        directory = Path(temporary)
        for report_format in (ExportFormat.CSV, ExportFormat.SUMMARY_CSV, ExportFormat.JSON):
            seconds, size = export_seconds(many, report_format, directory, args.repeat)
            results.append((report_format.value, len(many), seconds, size))
        seconds = cli_export_seconds(many, directory, args.repeat)
        results.append(("csv via db (netready export)", len(many), seconds, None))
        for report_format in (ExportFormat.HTML, ExportFormat.PDF):
            seconds, size = export_seconds(report, report_format, directory, args.repeat)
            results.append((report_format.value, len(report), seconds, size))
    print(f"{'export':<30} {'findings':>9} {'seconds':>8} {'size':>12}  goal")
    for name, count, seconds, size in results:
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"< {goal:g} s {'met' if seconds < goal else 'MISSED'}"
        shown_size = "" if size is None else f"{size:,} B"
        print(f"{name:<30} {count:>9,} {seconds:>8.2f} {shown_size:>12}  {verdict}")
    missed = any(seconds >= GOALS[name] for name, _, seconds, _ in results if name in GOALS)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
