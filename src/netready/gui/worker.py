"""The bridge between the scan and the window: Qt signals from a scan in its own process.

    worker = ScanWorker(ScanRequest(targets, config, database))
    worker.scan_started.connect(...)     # (scan id, target values): the scan is saved
    worker.events_batched.connect(...)   # ScanBatch: findings and progress, ~10 a second
    worker.scan_finished.connect(...)    # (scan id, cancelled): the database is final
    worker.scan_failed.connect(...)      # message: the scan could not run (or broke)
    worker.start(); ...; worker.cancel()

The scan runs in a process of its own (`scan_process`: why, and what it promises about the
database). This thread starts it and relays what it says as signals, which Qt delivers on
the GUI thread (queued: the emitting thread is not the receivers'). The scan collects its
events into one `ScanBatch` every `batch_interval` seconds, so a fast scan cannot flood the
event loop with one signal per finding; this thread spends its time blocked on the pipe.
`cancel()` may be called from any thread, at any time; the scan stops new work at once and is
saved as cancelled. Should the scan process die, what it finished is saved and the scan shows
as interrupted in the history (`netready scan --resume ID` finishes it).

`ScanLoader` reads a saved scan's findings in a thread, in slices, for the same window.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from netready.gui.scan_process import (
    CANCEL,
    EngineFactory,
    ScanBatch,
    ScanRequest,
    default_engine,
    run_scan_process,
)
from netready.store import Store, StoreError

__all__ = ["EngineFactory", "ScanBatch", "ScanLoader", "ScanRequest", "ScanWorker"]

#: How long a stopped scan process may take to save and exit before it is killed.
PROCESS_EXIT_WAIT_S = 10.0


class ScanWorker(QThread):
    """Runs one scan (in a process) and relays its events; make a new worker per scan."""

    scan_started = Signal(int, object)  # scan id, tuple of target values in scan order
    events_batched = Signal(object)  # ScanBatch
    scan_finished = Signal(int, bool)  # scan id, cancelled
    scan_failed = Signal(str)  # why the scan could not run or broke off

    def __init__(
        self,
        request: ScanRequest,
        *,
        engine_factory: EngineFactory | None = None,
        batch_interval: float = 0.1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScanWorker")
        self._request = request
        self._engine_factory = engine_factory or default_engine
        self._batch_interval = batch_interval
        self._lock = threading.Lock()
        self._cancel_requested = False
        self._control: Connection | None = None

    def cancel(self) -> None:
        """Stop the scan at once (from any thread); harmless when it is over."""
        with self._lock:
            self._cancel_requested = True
            control = self._control
        if control is not None:
            with contextlib.suppress(OSError):  # the scan process is gone: nothing to stop
                control.send(CANCEL)

    @property
    def cancel_requested(self) -> bool:
        with self._lock:
            return self._cancel_requested

    def run(self) -> None:  # the worker thread
        context = multiprocessing.get_context("spawn")  # the same on every platform
        events, events_end = context.Pipe(duplex=False)
        control_end, control = context.Pipe(duplex=False)
        process = context.Process(
            target=run_scan_process,
            args=(self._request, events_end, control_end, self._engine_factory),
            kwargs={"batch_interval": self._batch_interval},
            name="netready-scan",
        )
        try:
            process.start()
        except Exception as error:  # cannot start a process at all (resources, packaging)
            self.scan_failed.emit(f"the scan could not be started: {error}")
            return
        events_end.close()  # the process holds the other ends now
        control_end.close()
        with self._lock:
            self._control = control
            cancel_now = self._cancel_requested
        if cancel_now:
            self.cancel()
        try:
            self._relay(events, process)
        finally:
            with self._lock:
                self._control = None
            control.close()  # the process takes a closed pipe as a cancel
            events.close()
            process.join(PROCESS_EXIT_WAIT_S)
            if process.is_alive():  # stuck: what it finished is saved, the rest resumable
                process.kill()
                process.join()

    def _relay(self, events: Connection, process: multiprocessing.process.BaseProcess) -> None:
        ended = False
        while True:
            try:
                message = events.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "started":
                self.scan_started.emit(message[1], message[2])
            elif kind == "batch":
                self.events_batched.emit(message[1])
            elif kind == "finished":
                self.scan_finished.emit(message[1], message[2])
                ended = True
            elif kind == "failed":
                self.scan_failed.emit(message[1])
                ended = True
        if not ended:
            process.join(PROCESS_EXIT_WAIT_S)
            self.scan_failed.emit(
                f"the scan process ended unexpectedly (exit code {process.exitcode}); what "
                "it finished is saved, and the scan can be resumed"
            )


class ScanLoader(QThread):
    """Reads a saved scan's findings in a background thread, in slices.

    SQLite reads and JSON parsing take most of the time of opening a large scan; done here,
    they overlap with the window filling its models, and the window stays responsive.
    The loader opens its own `Store` (a store belongs to the thread that opened it).
    """

    findings_loaded = Signal(object)  # a tuple of findings, in recorded order
    loading_finished = Signal(int)  # scan id: every finding was sent
    loading_failed = Signal(str)

    def __init__(
        self, database: Path, scan_id: int, *, slice_size: int = 5000, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScanLoader")
        self._database, self._scan_id, self._slice_size = database, scan_id, slice_size

    def run(self) -> None:  # the loader thread
        try:
            with Store(self._database) as store:
                findings = store.findings(self._scan_id)
                while not self.isInterruptionRequested():
                    batch = tuple(itertools.islice(findings, self._slice_size))
                    if batch:
                        self.findings_loaded.emit(batch)
                    if len(batch) < self._slice_size:
                        self.loading_finished.emit(self._scan_id)
                        return
        except StoreError as error:
            self.loading_failed.emit(str(error))
