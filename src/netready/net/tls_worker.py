"""A pool of worker processes for blocking TLS work (nassl, sslyze), stoppable at once.

    pool = TlsWorkerPool(processes=2, tasks_per_process=50)
    try:
        info = await pool.run(certificate_info, endpoint, timeout=10)
    finally:
        await pool.close()

Why processes and not threads: sslyze and nassl block, cannot be interrupted, and are
reported to leak memory in long-running processes (sslyze issues #560 and #603). A worker
process can be killed the moment its task is no longer wanted, and is replaced after
`tasks_per_process` tasks, so a 1,000-endpoint scan stays within a bounded memory.

Rules:

* `function` must be a top-level (picklable) function, its arguments and result picklable.
* `run` kills the worker that runs the task when the task times out or the awaiting task is
  cancelled (Stop), so no abandoned work goes on in the background; the pool stays usable
  and starts a fresh worker for the next task.
* `close` kills every worker at once and waits for them to be reaped; `run` after `close`
  raises `PoolClosedError`.
* Workers start on demand with the ``spawn`` method (safe with threads and Qt in the parent,
  the same on Linux, macOS and Windows, and in a frozen build with ``freeze_support``).

Errors: `WorkerTimeoutError` (a `TimeoutError`), `WorkerCrashedError` (the worker died, e.g. a
crash in native code), `PoolClosedError`; an exception raised by `function` is raised again in
the caller, with the worker's traceback as its ``__cause__``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "PoolClosedError",
    "TlsWorkerPool",
    "WorkerCrashedError",
    "WorkerTimeoutError",
    "pool_for",
]

T = TypeVar("T")

#: How long a worker asked to exit (after its last task) may take before it is killed (s).
_RETIRE_GRACE = 2.0
#: How long reaping a killed worker may take (s); SIGKILL makes this milliseconds.
_REAP_TIMEOUT = 5.0


class PoolClosedError(RuntimeError):
    """The pool was closed; it runs nothing more."""


class WorkerTimeoutError(TimeoutError):
    """A task did not finish within its timeout; its worker was killed."""


class WorkerCrashedError(RuntimeError):
    """The worker process died while running a task (killed, or a crash in native code)."""


class _RemoteTracebackError(Exception):
    """The traceback of an exception raised in a worker, as text (its ``__cause__``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _worker_main(connection: multiprocessing.connection.Connection) -> None:
    """A worker's loop: run ``(function, args)`` messages until ``None`` or the pipe closes."""
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except BaseException as error:  # everything goes back to the caller
            reply = ("error", (error, traceback.format_exc()))
        try:
            connection.send(reply)
        except Exception as error:  # the result or the exception did not pickle
            text = traceback.format_exc()
            connection.send(("error", (RuntimeError(f"unpicklable reply: {error}"), text)))


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.SpawnContext) -> None:
        self.connection, child_end = context.Pipe(duplex=True)
        # daemon: multiprocessing kills it at interpreter exit if nobody closed the pool
        self.process = context.Process(
            target=_worker_main, args=(child_end,), name="netready-tls-worker", daemon=True
        )
        self.process.start()
        child_end.close()  # the child holds its own copy; ours would hide the child's death
        self.tasks_done = 0
        self.exit_code: int | None = None

    @property
    def pid(self) -> int | None:
        with contextlib.suppress(ValueError):  # ValueError: reaped and released
            return self.process.pid
        return None

    def kill(self) -> None:
        """SIGKILL (TerminateProcess on Windows): the task stops now, whatever it does."""
        with contextlib.suppress(OSError, ValueError):  # ValueError: reaped already
            self.process.kill()

    def reap(self, timeout: float = _REAP_TIMEOUT) -> int | None:
        """Wait for the (killed or exiting) process, so it leaves no zombie; its exit code."""
        with contextlib.suppress(ValueError):  # ValueError: reaped already
            self.process.join(timeout)
            if self.process.exitcode is None:  # did not exit on its own: end it
                self.kill()
                self.process.join(timeout)
            self.exit_code = self.process.exitcode
            with contextlib.suppress(OSError):
                self.connection.close()
            self.process.close()  # ValueError if still running after all: atexit ends it
        return self.exit_code

    def retire(self) -> None:
        """Ask the worker to exit after its last task, kill it if it does not; reap it."""
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(None)
        self.process.join(_RETIRE_GRACE)
        self.reap()


def _kill_all(workers: set[_Worker]) -> None:
    """Kill the given workers at once; the finaliser of a pool that was never closed."""
    for worker in list(workers):
        worker.kill()
    for worker in list(workers):
        worker.reap()
    workers.clear()


class TlsWorkerPool:
    """At most `processes` worker processes, each replaced after `tasks_per_process` tasks.

    One pool per scan (see `pool_for`). Tasks beyond `processes` wait for a free worker; the
    time they wait does not count against their `timeout`.
    """

    def __init__(self, *, processes: int = 2, tasks_per_process: int = 50) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        if tasks_per_process < 1:
            raise ValueError(f"tasks_per_process must be at least 1, not {tasks_per_process}")
        self.processes = processes
        self.tasks_per_process = tasks_per_process
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()  # idle and busy: what close() must kill
        self._slots: asyncio.Semaphore | None = None  # made on first use, on the running loop
        # one thread per process waits for its reply (portable: no add_reader on Windows)
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=processes + 1, thread_name_prefix="netready-tls-pool"
        )
        self._closed = False
        self._finalizer = weakref.finalize(self, _kill_all, self._all)

    @property
    def closed(self) -> bool:
        return self._closed

    def worker_pids(self) -> list[int]:
        """The PIDs of the live worker processes (for tests and memory measurements)."""
        return sorted(pid for worker in self._all if (pid := worker.pid) is not None)

    async def run(self, function: Callable[..., T], *args: Any, timeout: float) -> T:
        """Run ``function(*args)`` in a worker; its result, or its exception raised here.

        Raises `WorkerTimeoutError` after `timeout` seconds of running (the worker is
        killed), `WorkerCrashedError` if the worker dies, `PoolClosedError` after `close`.
        If the caller is cancelled, the worker is killed before the cancellation goes on.
        """
        if self._closed:
            raise PoolClosedError("the TLS worker pool is closed")
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.processes)
        async with self._slots:
            worker = await self._take_worker()
            return await self._run_on(worker, function, args, timeout)

    async def close(self) -> None:
        """Kill every worker now and wait until they are reaped. Safe to call again."""
        self._closed = True
        workers = list(self._all)
        for worker in workers:
            worker.kill()
        self._idle.clear()
        self._all.clear()
        loop = asyncio.get_running_loop()
        reaped = [loop.run_in_executor(self._threads, worker.reap) for worker in workers]
        await asyncio.gather(*reaped, return_exceptions=True)
        self._threads.shutdown(wait=False)
        self._finalizer.detach()

    async def _take_worker(self) -> _Worker:
        if self._idle:
            return self._idle.pop()
        starting = asyncio.get_running_loop().run_in_executor(self._threads, _Worker, self._context)
        try:
            worker = await asyncio.shield(starting)
        except asyncio.CancelledError:
            # the start goes on in its thread: keep the worker for later, or end it if closed
            starting.add_done_callback(self._adopt)
            raise
        self._all.add(worker)
        if self._closed:  # closed while it was starting
            self._discard(worker)
            raise PoolClosedError("the TLS worker pool is closed")
        return worker

    def _adopt(self, starting: asyncio.Future[_Worker]) -> None:
        """Keep a worker whose caller was cancelled while it started (or end it if closed)."""
        if starting.cancelled() or starting.exception() is not None:
            return
        worker = starting.result()
        self._all.add(worker)
        if self._closed:
            self._discard(worker)
        else:
            self._idle.append(worker)

    async def _run_on(
        self, worker: _Worker, function: Callable[..., T], args: tuple[Any, ...], timeout: float
    ) -> T:
        try:
            worker.connection.send((function, args))  # small messages: does not block
            reply = self._threads.submit(worker.connection.recv)
            async with asyncio.timeout(timeout):
                status, value = await asyncio.wrap_future(reply)
        except TimeoutError:
            self._discard(worker)
            raise WorkerTimeoutError(
                f"{_name(function)} did not finish within {timeout:g} s"
            ) from None
        except (EOFError, OSError) as error:
            if self._closed:
                raise PoolClosedError("the TLS worker pool was closed during the task") from None
            self._all.discard(worker)
            exit_code = await asyncio.get_running_loop().run_in_executor(self._threads, worker.reap)
            raise WorkerCrashedError(
                f"the worker running {_name(function)} died (exit code {exit_code})"
            ) from error
        except BaseException:  # cancelled (Stop), or the call could not be pickled
            self._discard(worker)
            raise
        self._finish(worker)
        if status == "ok":
            result: T = value
            return result
        raised, text = value
        raise raised from _RemoteTracebackError(text)

    def _finish(self, worker: _Worker) -> None:
        """Return a worker after a task, or retire it once it has done its share."""
        worker.tasks_done += 1
        if worker not in self._all:  # close() took it meanwhile
            return
        if worker.tasks_done >= self.tasks_per_process:
            self._all.discard(worker)
            self._threads.submit(worker.retire)
        else:
            self._idle.append(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker whose task is abandoned; it is reaped in the background."""
        worker.kill()
        self._all.discard(worker)
        try:
            self._threads.submit(worker.reap)
        except RuntimeError:  # the executor is shut down (closed pool): reap it all the same
            threading.Thread(target=worker.reap, name="netready-tls-reaper", daemon=True).start()


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function))


# One pool per scan context, found by the context's identity (the engine's context is an
# unhashable dataclass) and forgotten, with its workers killed, when the context goes.
_pools: dict[int, tuple[weakref.ref[Any], TlsWorkerPool]] = {}


def pool_for(context: Any, *, processes: int = 2, tasks_per_process: int = 50) -> TlsWorkerPool:
    """The scan's worker pool: made on first use, shared by every TLS check of the scan.

    The context is held weakly: when the scan's context is dropped, the pool is dropped
    and its finaliser kills any workers left. Starting a pool costs nothing; processes
    start with the first task.
    """
    key = id(context)
    entry = _pools.get(key)
    if entry is not None and entry[0]() is context and not entry[1].closed:
        return entry[1]
    pool = TlsWorkerPool(processes=processes, tasks_per_process=tasks_per_process)

    def forget(reference: weakref.ref[Any]) -> None:
        if _pools.get(key, (None,))[0] is reference:
            del _pools[key]

    _pools[key] = (weakref.ref(context, forget), pool)
    return pool
