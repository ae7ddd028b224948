"""The scan itself, in a process of its own: the engine, its asyncio loop, the history writer.

Why a process and not a thread of the app: Python runs one thread at a time (the GIL). The
engine keeps its thread busy with Python code for seconds on end during a large scan, and
every call Qt makes into the app's models and widgets must wait for its turn at the GIL:
measured, a batch of findings that takes 25 ms with the engine idle took 2.4 s beside a busy
engine thread, and the window froze for up to 0.8 s (benchmarks/gui.py). A separate process
has its own interpreter, so the window's thread never waits for the engine's.

This module is Qt-free: the scan process never loads Qt. It talks to the app through two
one-way pipes (`multiprocessing.Pipe`):

    events  (scan -> app)   ("started", scan id, target values)
                            ("batch", ScanBatch)         every `batch_interval` s at most
                            ("finished", scan id, cancelled)
                            ("failed", message)          the scan could not run, or broke
    control (app -> scan)   "cancel"; the pipe closing (the app is gone) means the same

The history database is opened here, in the thread that runs the scan, which writes it
(a `Store` belongs to the thread that opened it), through `FindingWriter` exactly as the CLI
does: after a stop, a crash or a kill, every target marked finished has all its findings.
A cancel hands `Engine.cancel` to the scan's loop (`call_soon_threadsafe`), which stops new
work at once; the scan is then saved as cancelled and can be resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netready.config import ConfigError, ScanConfig
from netready.findings import Finding
from netready.store import FindingWriter, ScanState, Store, StoreError
from netready.targets import Target

if TYPE_CHECKING:
    from netready.engine import Engine, Progress

__all__ = [
    "CANCEL",
    "EngineFactory",
    "ScanBatch",
    "ScanRequest",
    "default_engine",
    "run_scan_process",
]

logger = logging.getLogger(__name__)

#: What an engine factory is: ScanConfig -> Engine. It crosses into the scan process, so it
#: must be picklable: a module-level function or an instance of a module-level class.
EngineFactory = Callable[[ScanConfig], "Engine"]
CANCEL = "cancel"
#: How much lower the scan process's CPU priority is than the window's (Unix `nice`).
SCAN_NICENESS = 5


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What to scan, how, and where to save it."""

    targets: tuple[Target, ...]
    config: ScanConfig
    database: Path


@dataclass(frozen=True, slots=True)
class ScanBatch:
    """What happened since the last batch, in order within each field."""

    findings: tuple[Finding, ...] = ()
    started: tuple[str, ...] = ()  # targets begun
    finished: tuple[str, ...] = ()  # targets whose findings are all made (and saved soon)
    progress: Progress | None = None  # the latest counters, when a target finished


@dataclass
class _Pending:
    findings: list[Finding] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    progress: Progress | None = None

    def take(self) -> ScanBatch | None:
        if not (self.findings or self.started or self.finished):
            return None
        batch = ScanBatch(
            tuple(self.findings), tuple(self.started), tuple(self.finished), self.progress
        )
        self.findings, self.started, self.finished = [], [], []
        self.progress = None
        return batch


def default_engine(config: ScanConfig) -> Engine:
    from netready.engine import Engine

    return Engine(config)


class _Canceller:
    """Listens on the control pipe (its own thread) and cancels the engine when told to."""

    def __init__(self, control: Connection) -> None:
        self._control = control
        self._lock = threading.Lock()
        self._requested = False
        self._target: tuple[asyncio.AbstractEventLoop, Engine] | None = None

    def listen(self) -> None:
        with contextlib.suppress(EOFError, OSError):
            while self._control.recv() != CANCEL:
                pass
        self.cancel()  # told to, or the app is gone

    def watch(self, loop: asyncio.AbstractEventLoop, engine: Engine) -> None:
        with self._lock:
            self._target = (loop, engine)
            requested = self._requested
        if requested:
            engine.cancel()

    def cancel(self) -> None:
        with self._lock:
            self._requested = True
            target = self._target
        if target is not None:
            loop, engine = target
            with contextlib.suppress(RuntimeError):  # the loop is closed: the scan is over
                loop.call_soon_threadsafe(engine.cancel)


def run_scan_process(
    request: ScanRequest,
    events: Connection,
    control: Connection,
    engine_factory: EngineFactory = default_engine,
    batch_interval: float = 0.1,
) -> None:
    """The scan process's main function (started by `ScanWorker` with "spawn")."""
    # Ctrl+C in the app's terminal reaches the whole process group: the app decides
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # background work: on a busy machine the window is scheduled first (the TLS workers
    # this process starts inherit it); os.nice is missing on Windows, which keeps the default
    with contextlib.suppress(AttributeError, OSError):
        os.nice(SCAN_NICENESS)
    canceller = _Canceller(control)
    threading.Thread(target=canceller.listen, name="netready-cancel", daemon=True).start()
    scan = _Scan(request, events, canceller, engine_factory, batch_interval)
    try:
        asyncio.run(scan.run())
    except (ConfigError, StoreError) as error:  # the user can act on these
        _send(events, ("failed", str(error)))
    except Exception as error:  # a bug: reported to the window
        logger.exception("the scan broke off")
        _send(events, ("failed", f"internal error ({type(error).__name__}: {error})"))
    finally:
        events.close()


def _send(events: Connection, message: Any) -> None:
    with contextlib.suppress(OSError):  # the app is gone: nobody to tell
        events.send(message)


class _Scan:
    def __init__(
        self,
        request: ScanRequest,
        events: Connection,
        canceller: _Canceller,
        engine_factory: EngineFactory,
        batch_interval: float,
    ) -> None:
        self._request = request
        self._events = events
        self._canceller = canceller
        self._engine_factory = engine_factory
        self._batch_interval = batch_interval
        self._pending = _Pending()

    async def run(self) -> None:
        request = self._request
        with Store(request.database) as store:
            # made before the scan is saved: a machine without resolvers, or an unknown
            # family, is refused with nothing left behind in the history
            engine = self._engine_factory(request.config)
            scan_id = store.create_scan(
                targets=[(target.value, target.kind.value) for target in request.targets],
                families=request.config.families,
                config=request.config.to_json_dict(),
            )
            values = tuple(target.value for target in request.targets)
            _send(self._events, ("started", scan_id, values))
            self._canceller.watch(asyncio.get_running_loop(), engine)
            await self._drive(store, scan_id, engine)

    async def _drive(self, store: Store, scan_id: int, engine: Engine) -> None:
        from netready.engine import FindingMade, ScanFinished, TargetFinished, TargetStarted

        writer = FindingWriter(store, scan_id)
        sender = asyncio.create_task(self._send_periodically(writer))
        state = ScanState.CANCELLED  # unless the scan runs to its end
        try:
            async for event in engine.scan(self._request.targets):
                if isinstance(event, FindingMade):
                    writer.add(event.finding)
                    self._pending.findings.append(event.finding)
                elif isinstance(event, TargetStarted):
                    self._pending.started.append(event.target.value)
                elif isinstance(event, TargetFinished):
                    writer.target_finished(event.target.value)
                    self._pending.finished.append(event.target.value)
                    self._pending.progress = event.progress
                elif isinstance(event, ScanFinished) and not event.cancelled:
                    state = ScanState.COMPLETED
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            writer.close()
            store.finish_scan(scan_id, state=state)
            self._send_batch()
            _send(self._events, ("finished", scan_id, state is ScanState.CANCELLED))

    async def _send_periodically(self, writer: FindingWriter) -> None:
        while True:
            await asyncio.sleep(self._batch_interval)
            self._send_batch()
            writer.flush_if_due()  # findings reach the disk even when no target finishes

    def _send_batch(self) -> None:
        batch = self._pending.take()
        if batch is not None:
            _send(self._events, ("batch", batch))
