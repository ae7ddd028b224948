"""The scan worker: the engine in its own thread, batched signals, stop, a consistent database.

The families are in-process stand-ins (fakes.py): no network. The database is read back with
plain sqlite3, so a bug in the store cannot hide a bug in the worker.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from netready.config import ScanConfig
from netready.gui.worker import ScanBatch, ScanRequest, ScanWorker
from netready.targets import Target, TargetKind

from .fakes import CHECKS, CrashingFamily, FakeFamily, engine_factory, no_resolvers


def targets(count: int) -> tuple[Target, ...]:
    return tuple(Target(TargetKind.DOMAIN, f"host{i}.example") for i in range(count))


def rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def start(
    qtbot: QtBot, request: ScanRequest, family: FakeFamily
) -> tuple[ScanWorker, list[ScanBatch]]:
    worker = ScanWorker(request, engine_factory=engine_factory(family))
    batches: list[ScanBatch] = []
    worker.events_batched.connect(batches.append)
    worker.start()
    return worker, batches


def test_findings_arrive_in_batches_and_every_one_is_saved(qtbot: QtBot, tmp_path: Path) -> None:
    # Given 40 targets whose checks take 50 ms each, four at a time (about half a second)
    db = tmp_path / "r.db"
    request = ScanRequest(targets(40), ScanConfig(concurrency=4), db)
    started: list[tuple[int, tuple[str, ...]]] = []
    # When the worker scans them
    began = time.monotonic()
    worker = ScanWorker(request, engine_factory=engine_factory(FakeFamily(seconds=0.05)))
    batches: list[ScanBatch] = []
    worker.scan_started.connect(lambda scan_id, values: started.append((scan_id, values)))
    worker.events_batched.connect(batches.append)
    with qtbot.waitSignal(worker.scan_finished, timeout=20_000) as finished:
        worker.start()
    elapsed = time.monotonic() - began
    assert worker.wait(5000)
    # Then the window heard of the scan first, then of every finding, in few batches
    assert finished.args == [1, False]
    assert started == [(1, tuple(target.value for target in request.targets))]
    findings = [f for batch in batches for f in batch.findings]
    assert len(findings) == 40 * len(CHECKS)
    assert sorted(v for batch in batches for v in batch.finished) == sorted(
        t.value for t in request.targets
    )
    assert len(batches) <= elapsed / 0.1 + 3, f"{len(batches)} batches in {elapsed:.2f} s"
    assert batches[-1].progress is not None
    assert batches[-1].progress.targets_done == 40
    # And the database holds the same, the scan completed
    assert rows(db, "select count(*) from findings") == [(40 * len(CHECKS),)]
    assert rows(db, "select state from scans") == [("completed",)]
    assert rows(db, "select count(*) from scan_targets where finished_at is null") == [(0,)]


def test_stop_ends_the_scan_at_once_and_keeps_what_finished(qtbot: QtBot, tmp_path: Path) -> None:
    # Given a long scan: 200 targets of 200 ms each, four at a time (10 s)
    db = tmp_path / "r.db"
    worker, batches = start(
        qtbot, ScanRequest(targets(200), ScanConfig(concurrency=4), db), FakeFamily(seconds=0.2)
    )
    done = lambda: sum(len(batch.finished) for batch in batches)  # noqa: E731
    qtbot.waitUntil(lambda: done() >= 8, timeout=10_000)
    # When it is stopped
    with qtbot.waitSignal(worker.scan_finished, timeout=5000) as finished:
        stopped_at = time.monotonic()
        worker.cancel()
    stop_took = time.monotonic() - stopped_at
    assert worker.wait(5000)
    # Then it ends within a moment, saved as cancelled
    assert finished.args == [1, True]
    assert stop_took < 1.0, f"stopping took {stop_took:.2f} s"
    assert rows(db, "select state from scans") == [("cancelled",)]
    # And every target the window saw finish is saved finished, with all its findings
    seen = {value for batch in batches for value in batch.finished}
    saved = {
        value
        for (value,) in rows(db, "select target from scan_targets where finished_at is not null")
    }
    assert saved == seen
    assert 8 <= len(saved) < 100
    per_target: dict[object, object] = dict(
        rows(db, "select target, count(*) from findings group by target")  # type: ignore[arg-type]
    )
    assert all(per_target[target] == len(CHECKS) for target in saved)


def test_stop_before_the_scan_starts_saves_an_empty_cancelled_scan(
    qtbot: QtBot, tmp_path: Path
) -> None:
    db = tmp_path / "r.db"
    worker = ScanWorker(ScanRequest(targets(5), ScanConfig(), db), engine_factory=engine_factory())
    worker.cancel()
    with qtbot.waitSignal(worker.scan_finished, timeout=5000) as finished:
        worker.start()
    assert worker.wait(5000)
    assert finished.args == [1, True]
    assert rows(db, "select state, (select count(*) from findings) from scans") == [
        ("cancelled", 0)
    ]


def test_a_scan_that_cannot_start_says_why_and_saves_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    worker = ScanWorker(ScanRequest(targets(1), ScanConfig(), db), engine_factory=no_resolvers)
    with qtbot.waitSignal(worker.scan_failed, timeout=5000) as failed:
        worker.start()
    assert worker.wait(5000)
    assert failed.args == ["this machine has no DNS resolvers; give one with --resolver"]
    assert rows(db, "select count(*) from scans") == [(0,)]


def test_a_crashed_scan_process_is_reported_and_what_finished_is_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # Given a scan whose process dies at its third target (as a crash in native code would)
    db = tmp_path / "r.db"
    request = ScanRequest(
        (*targets(2), Target(TargetKind.DOMAIN, "crash.example")),
        ScanConfig(concurrency=1),
        db,
    )
    worker = ScanWorker(request, engine_factory=engine_factory(CrashingFamily(seconds=0.3)))
    # When it runs
    with qtbot.waitSignal(worker.scan_failed, timeout=20_000) as failed:
        worker.start()
    assert worker.wait(5000)
    # Then the window hears why
    assert failed.args == [
        "the scan process ended unexpectedly (exit code 3); what it finished is saved, "
        "and the scan can be resumed"
    ]
    # And every target saved as finished has all its findings (the last one may have died
    # with the writer's buffer: a resume runs it again)
    finished = {
        t for (t,) in rows(db, "select target from scan_targets where finished_at not null")
    }
    assert "host0.example" in finished
    assert finished <= {"host0.example", "host1.example"}
    counts = dict(rows(db, "select target, count(*) from findings group by target"))
    assert all(counts[target] == len(CHECKS) for target in finished)
    assert rows(db, "select state from scans") == [("running",)]  # shown as interrupted
