"""The desktop app's responsiveness (issue 7): three figures, each with its goal.

    sudo .venv/bin/python -m benchmarks.gui [--runs 5] [--rtt-ms 0] [--families ...]

1. **Start-up**: from starting the process to the window painted (`netready-gui
   --smoke-test`, offscreen); median and worst of `--runs`. Goal < 1 s.
2. **100,000 findings**: a saved scan of 100,000 findings (5,000 targets) opened in the
   window, from `open_scan` to the table painted with every finding in it; median and worst
   of `--runs`, each in a fresh process. Goal < 1 s.
3. **Event-loop stall during a 500-target scan**: benchmarks/labbench.py's lab (250 domains
   with nginx, BIND, unbound) scanned for the 250 domains and their www names by the app
   itself, running inside the lab's client namespace (offscreen): a precise 5 ms timer on the
   GUI thread records the longest gap between its ticks, minus the 5 ms. The findings table
   is sorted by status, worst first, so every batch is merged into the order. Goal < 50 ms.

The first two need no network; the third builds its own lab (root, Linux) and sends packets
only inside it. `--skip-lab` measures the first two only.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
STALL_TIMER_MS = 5
GOALS = {"startup_s": 1.0, "show_100k_s": 1.0, "longest_stall_ms": 50.0}


def _scratch_dir() -> Path:
    """A temporary directory, removed when this process exits."""
    path = Path(tempfile.mkdtemp(prefix="netready-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _environment(home: Path) -> dict[str, str]:
    (home / "runtime").mkdir(mode=0o700, exist_ok=True)  # Qt wants a private one
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "PYTHONPATH": str(REPOSITORY),
    }


# --- 1. start-up ----------------------------------------------------------------------------


def measure_startup(runs: int, home: Path) -> list[float]:
    from netready.gui.app import SHOWN_MARKER

    seconds = []
    for run in range(runs):
        argv = [
            sys.executable, "-m", "netready.gui", "--smoke-test",
            "--db", str(home / f"startup-{run}.db"), "--config", str(home / "none.toml"),
        ]  # fmt: skip
        started = time.monotonic()
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=60, env=_environment(home)
        )
        line = next(line for line in done.stdout.splitlines() if line.startswith(SHOWN_MARKER))
        seconds.append(float(line.rsplit(" ", 1)[1]) - started)
    return seconds


# --- 2. 100,000 findings ----------------------------------------------------------------------


def make_database(path: Path, findings: int, per_target: int = 20) -> None:
    from netready.findings import Finding, Status
    from netready.store import ScanState, Store

    statuses = list(Status)
    checks = ["https.available", "https.redirect", "https.hsts", "https.headers", "dns.resolve"]
    with Store(path) as store:
        targets = [f"site{index}.example" for index in range(findings // per_target)]
        scan_id = store.create_scan(
            targets=[(target, "domain") for target in targets], families=None, config={}
        )
        rows = [
            Finding(
                target=targets[index // per_target],
                subject=f"www.{targets[index // per_target]} [198.18.5.{index % 250}]:443",
                check_id=checks[index % len(checks)],
                status=statuses[index % len(statuses)],
                summary=f"Finding {index} of {targets[index // per_target]}, as a check says it.",
                evidence={"address": f"198.18.5.{index % 250}", "port": 443, "seen": [1, 2]},
            )
            for index in range(findings)
        ]
        store.record(scan_id, findings=rows, finished_targets=targets)
        store.finish_scan(scan_id, state=ScanState.COMPLETED)


def inner_show(database: Path) -> dict[str, Any]:
    """In a fresh process: open scan 1 in a shown window; time until it is all painted."""
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from netready.gui.app import apply_style
    from netready.gui.main_window import MainWindow
    from netready.gui.preferences import Preferences
    from netready.gui.qt_compat import protect_singletons

    protect_singletons()
    app = QApplication([])
    apply_style(app)
    home = _scratch_dir()
    preferences = Preferences(QSettings(str(home / "p.ini"), QSettings.Format.IniFormat))
    window = MainWindow(database=database, config_path=home / "none.toml", preferences=preferences)
    window.resize(1400, 860)
    window.show()
    window.populate_families()  # the registry is imported, as after start-up
    app.processEvents()
    loaded: list[float] = []
    first_rows: list[float] = []
    window.scan_loaded.connect(lambda _scan_id: loaded.append(time.perf_counter()))
    window.findings.rowsInserted.connect(
        lambda *_args: first_rows.append(time.perf_counter()) if not first_rows else None
    )
    waiting = QEventLoop()
    window.scan_loaded.connect(lambda _scan_id: waiting.quit())
    started = time.perf_counter()
    window.open_scan(1)
    if not loaded:
        waiting.exec()  # sleeps between events, as the app's own loop does
    window.ui.findingsView.viewport().repaint()  # painted, with all of them in the model
    window.ui.targetView.viewport().repaint()
    painted = time.perf_counter()
    assert window.findings.rowCount() == window.findings.finding_count
    result = {
        "findings": window.findings.rowCount(),
        "targets": window.targets.rowCount(),
        "show_s": round(painted - started, 3),
        "first_rows_s": round(first_rows[0] - started, 3),
    }
    window.close()
    return result


def measure_show(runs: int, home: Path, findings: int) -> list[dict[str, Any]]:
    database = home / "100k.db"
    make_database(database, findings)
    results = []
    for _run in range(runs):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.gui", "--inner-show", str(database)],
            capture_output=True,
            text=True,
            timeout=120,
            env=_environment(home),
            cwd=REPOSITORY,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the 100k run failed:\n{done.stderr}")
        results.append(json.loads(done.stdout.splitlines()[-1]))
    return results


# --- 3. event-loop stall during a lab scan ------------------------------------------------------


def inner_stall(args: argparse.Namespace) -> dict[str, Any]:
    """Inside the lab client: scan with the app and watch the GUI thread's timer."""
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from netready.gui.app import apply_style
    from netready.gui.config_file import write_scan_settings
    from netready.gui.main_window import MainWindow
    from netready.gui.models import FindingColumn
    from netready.gui.preferences import Preferences
    from netready.gui.qt_compat import protect_singletons

    protect_singletons()
    app = QApplication([])
    apply_style(app)
    home = _scratch_dir()
    config = home / "config.toml"
    write_scan_settings(
        config,
        {
            "resolvers": [args.resolver],
            "ca_file": args.ca_file,
            "timeout": args.timeout,
            "concurrency": args.concurrency,
        },
    )
    preferences = Preferences(QSettings(str(home / "p.ini"), QSettings.Format.IniFormat))
    window = MainWindow(database=home / "r.db", config_path=config, preferences=preferences)
    window.resize(1400, 860)
    window.show()
    window.populate_families()
    for name, box in window.family_boxes.items():
        box.setChecked(name in args.families.split(","))
    window.ui.findingsView.sortByColumn(FindingColumn.STATUS, Qt.SortOrder.DescendingOrder)
    window.set_targets_text("\n".join(args.targets))
    for _ in range(20):
        app.processEvents()

    gaps: list[float] = []
    gap_ends: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        gap_ends.append(now)
        last[0] = now

    timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=STALL_TIMER_MS)
    timer.timeout.connect(tick)
    batches = [0]
    ended: list[bool] = []
    window.scan_finished.connect(lambda _scan_id, cancelled: ended.append(cancelled))
    window.scan_finished.connect(lambda *_args: QTimer.singleShot(200, app.quit))
    started = time.perf_counter()
    timer.start()
    last[0] = time.perf_counter()
    assert window.start_scan(), window.ui.targetErrorLabel.text()
    start_scan_ms = (time.perf_counter() - last[0]) * 1000
    assert window.worker is not None
    window.worker.events_batched.connect(lambda _batch: batches.__setitem__(0, batches[0] + 1))
    app.exec()
    elapsed = time.perf_counter() - started
    timer.stop()
    stalls = sorted(max(gap * 1000 - STALL_TIMER_MS, 0.0) for gap in gaps)
    worst = sorted(zip(gaps, gap_ends, strict=True), reverse=True)[:5]
    result = {
        "targets": len(args.targets),
        "families": args.families,
        "findings": window.findings.finding_count,
        "counts": {s.value: c for s, c in window.targets.counts().items()},
        "batches": batches[0],
        "scan_s": round(elapsed, 2),
        "ticks": len(gaps),
        "longest_stall_ms": round(stalls[-1], 1),
        "p99_stall_ms": round(stalls[int(len(stalls) * 0.99)], 1),
        "median_gap_ms": round(statistics.median(gaps) * 1000, 2),
        "start_scan_ms": round(start_scan_ms, 1),
        "worst_stalls_at_s": [
            [round(end - gap - started, 2), round(gap * 1000 - STALL_TIMER_MS, 1)]
            for gap, end in worst
        ],
        "completed": ended == [False],
    }
    window.close()
    return result


def measure_stall(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.labbench import bench_lab

    with bench_lab(250, rtt_ms=args.rtt_ms) as bench:
        targets = [name for domain in bench.domains for name in (domain, f"www.{domain}")]
        argv = [
            sys.executable, "-m", "benchmarks.gui", "--inner-stall",
            "--resolver", bench.resolver_ip, "--ca-file", str(bench.ca_file),
            "--families", args.families, "--concurrency", str(args.concurrency),
            "--timeout", str(args.timeout), *targets,
        ]  # fmt: skip
        home = _scratch_dir()
        done = bench.client.run(argv, timeout=900, env=_environment(home), cwd=str(REPOSITORY))
        if done.returncode != 0:
            raise RuntimeError(f"the lab scan failed:\n{done.stdout}\n{done.stderr}")
        result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
        result["rtt_ms"] = args.rtt_ms
        return result


# --- the command ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--rtt-ms", type=float, default=0.0, help="lab round trip (0: none)")
    parser.add_argument("--families", default="dns,dnssec,https,ipv6,tls,exposure")
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--skip-lab", action="store_true")
    parser.add_argument("--inner-show", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inner-stall", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--resolver", help=argparse.SUPPRESS)
    parser.add_argument("--ca-file", help=argparse.SUPPRESS)
    parser.add_argument("targets", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_show:
        print(json.dumps(inner_show(args.inner_show)))
        return
    if args.inner_stall:
        print(json.dumps(inner_stall(args)))
        return
    home = _scratch_dir()
    startup = measure_startup(args.runs, home)
    shows = measure_show(args.runs, home, args.findings)
    report: dict[str, Any] = {
        "startup_s": {
            "median": round(statistics.median(startup), 3),
            "max": round(max(startup), 3),
        },
        "show_100k_s": {
            "median": statistics.median(r["show_s"] for r in shows),
            "max": max(r["show_s"] for r in shows),
            "first_rows_s": statistics.median(r["first_rows_s"] for r in shows),
            "findings": shows[0]["findings"],
        },
    }
    if not args.skip_lab:
        report["lab_scan"] = measure_stall(args)
    print(json.dumps(report, indent=1))
    lines = [
        f"start-up to window painted: median {report['startup_s']['median']} s, "
        f"worst {report['startup_s']['max']} s (goal < {GOALS['startup_s']} s)",
        f"{report['show_100k_s']['findings']:,} findings shown: median "
        f"{report['show_100k_s']['median']} s, worst {report['show_100k_s']['max']} s "
        f"(first rows after {report['show_100k_s']['first_rows_s']} s; goal < 1 s)",
    ]
    if "lab_scan" in report:
        lab = report["lab_scan"]
        lines.append(
            f"longest event-loop stall during a {lab['targets']}-target lab scan "
            f"({lab['findings']:,} findings in {lab['scan_s']} s, {lab['batches']} batches): "
            f"{lab['longest_stall_ms']} ms, 99th percentile {lab['p99_stall_ms']} ms "
            f"(goal < {GOALS['longest_stall_ms']:g} ms)"
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
