"""TlsWorkerPool: results, errors, timeouts, cancellation, close and recycling (real processes).

The functions the workers run are top-level here so that the spawned workers can import them.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from dataclasses import dataclass

import pytest

from netready.net.tls_worker import (
    PoolClosedError,
    TlsWorkerPool,
    WorkerCrashedError,
    WorkerTimeoutError,
    pool_for,
)

# Generous for a busy CI machine, far below the 60 s a hung worker would sleep.
PROMPT = 5.0


def add(a: int, b: int) -> int:
    return a + b


def worker_pid() -> int:
    return os.getpid()


def hang(seconds: float = 60.0) -> None:
    time.sleep(seconds)


def fail(message: str) -> None:
    raise ValueError(message)


def die() -> None:
    os._exit(3)


def process_exists(pid: int) -> bool:
    """Whether a process with this PID is still there (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, timeout: float = PROMPT) -> bool:
    deadline = time.monotonic() + timeout
    while process_exists(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to see PIDs")


def test_a_result_comes_back_from_another_process() -> None:
    async def scenario() -> tuple[int, int]:
        pool = TlsWorkerPool(processes=1)
        try:
            return await pool.run(add, 2, 3, timeout=PROMPT), await pool.run(
                worker_pid, timeout=PROMPT
            )
        finally:
            await pool.close()

    total, pid = asyncio.run(scenario())
    assert total == 5
    assert pid != os.getpid()


def test_an_exception_in_the_worker_is_raised_in_the_caller_with_its_traceback() -> None:
    async def scenario() -> None:
        pool = TlsWorkerPool(processes=1)
        try:
            with pytest.raises(ValueError, match="bad endpoint") as raised:
                await pool.run(fail, "bad endpoint", timeout=PROMPT)
            assert "in fail" in str(raised.value.__cause__)
            assert await pool.run(add, 1, 1, timeout=PROMPT) == 2  # the worker survived
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_a_hung_task_is_killed_at_its_timeout_and_the_pool_keeps_working() -> None:
    async def scenario() -> tuple[float, int, int]:
        pool = TlsWorkerPool(processes=1)
        try:
            await pool.run(add, 0, 0, timeout=PROMPT)  # start the worker
            [hung_pid] = pool.worker_pids()
            started = time.monotonic()
            with pytest.raises(WorkerTimeoutError, match="hang"):
                await pool.run(hang, timeout=0.3)
            elapsed = time.monotonic() - started
            after = await pool.run(worker_pid, timeout=PROMPT)
            return elapsed, hung_pid, after
        finally:
            await pool.close()

    elapsed, hung_pid, after = asyncio.run(scenario())
    assert elapsed < 0.3 + 1.0
    assert after != hung_pid
    assert wait_gone(hung_pid)


def test_cancelling_the_caller_kills_the_worker_at_once() -> None:
    async def scenario() -> tuple[float, int]:
        pool = TlsWorkerPool(processes=1)
        try:
            await pool.run(add, 0, 0, timeout=PROMPT)
            [pid] = pool.worker_pids()
            task = asyncio.create_task(pool.run(hang, timeout=60))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - started, pid
        finally:
            await pool.close()

    elapsed, pid = asyncio.run(scenario())
    assert elapsed < 0.5
    assert wait_gone(pid)


def test_close_while_a_task_runs_returns_promptly_and_leaves_no_worker() -> None:
    async def scenario() -> tuple[float, list[int]]:
        pool = TlsWorkerPool(processes=2)
        await asyncio.gather(*(pool.run(add, n, n, timeout=PROMPT) for n in range(2)))
        pids = pool.worker_pids()
        running = [asyncio.create_task(pool.run(hang, timeout=60)) for _ in range(2)]
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await pool.close()
        elapsed = time.monotonic() - started
        for task in running:
            with pytest.raises(PoolClosedError):
                await task
        with pytest.raises(PoolClosedError):
            await pool.run(add, 1, 2, timeout=PROMPT)
        return elapsed, pids

    elapsed, pids = asyncio.run(scenario())
    assert len(pids) == 2
    assert elapsed < 1.0
    # reaped by close(): not even a zombie is left
    assert not any(process_exists(pid) for pid in pids)


def test_a_worker_that_dies_is_reported_and_replaced() -> None:
    async def scenario() -> int:
        pool = TlsWorkerPool(processes=1)
        try:
            with pytest.raises(WorkerCrashedError, match="exit code 3"):
                await pool.run(die, timeout=PROMPT)
            return await pool.run(add, 20, 22, timeout=PROMPT)
        finally:
            await pool.close()

    assert asyncio.run(scenario()) == 42


def test_workers_are_recycled_after_their_share_of_tasks() -> None:
    async def scenario() -> list[int]:
        pool = TlsWorkerPool(processes=1, tasks_per_process=3)
        try:
            return [await pool.run(worker_pid, timeout=PROMPT) for _ in range(7)]
        finally:
            await pool.close()

    pids = asyncio.run(scenario())
    assert [pids.count(pid) for pid in dict.fromkeys(pids)] == [3, 3, 1]
    assert all(wait_gone(pid) for pid in set(pids))


def test_no_more_tasks_run_at_once_than_there_are_processes() -> None:
    async def scenario() -> list[int]:
        pool = TlsWorkerPool(processes=2)
        try:
            return await asyncio.gather(*(pool.run(worker_pid, timeout=PROMPT) for _ in range(8)))
        finally:
            await pool.close()

    assert len(set(asyncio.run(scenario()))) <= 2


def test_a_pool_that_is_never_closed_kills_its_workers_when_collected() -> None:
    async def scenario() -> int:
        pool = TlsWorkerPool(processes=1)
        return await pool.run(worker_pid, timeout=PROMPT)

    pid = asyncio.run(scenario())
    gc.collect()
    assert wait_gone(pid)


def test_pool_for_gives_one_pool_per_scan_context() -> None:
    @dataclass
    class Context:  # a stand-in for the engine's CheckContext: unhashable, like it
        config: object = None

    first, second = Context(), Context()
    assert pool_for(first) is pool_for(first)
    assert pool_for(first) is not pool_for(second)


def test_pool_for_forgets_the_pool_of_a_scan_that_is_gone() -> None:
    @dataclass
    class Context:
        config: object = None

    async def scenario() -> int:
        context = Context()
        pid = await pool_for(context).run(worker_pid, timeout=PROMPT)
        del context  # the scan ends: its pool goes with it, and so do its workers
        return pid

    pid = asyncio.run(scenario())
    gc.collect()
    assert wait_gone(pid)


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="processes"):
        TlsWorkerPool(processes=0)
    with pytest.raises(ValueError, match="tasks_per_process"):
        TlsWorkerPool(tasks_per_process=0)


def child_pids() -> set[int]:
    """The live (non-zombie) child processes of this process, from every /proc/PID/stat.

    (Not /proc/self/task/*/children: a thread that ends between the listing and the read
    takes its file along, and the children it started move to another thread.)
    """
    children: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
        except (FileNotFoundError, ProcessLookupError):  # gone meanwhile
            continue
        if int(parent) == os.getpid() and state != "Z":
            children.add(int(entry))
    return children


def test_cancelling_a_caller_while_its_worker_starts_leaves_no_stray_process() -> None:
    async def scenario() -> None:
        pool = TlsWorkerPool(processes=1)
        task = asyncio.create_task(pool.run(add, 1, 1, timeout=PROMPT))
        await asyncio.sleep(0)  # the worker is starting in its thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.5)  # let the start finish: the pool keeps the worker
        assert await pool.run(add, 2, 2, timeout=PROMPT) == 4
        assert len(pool.worker_pids()) == 1
        await pool.close()

    before = child_pids()
    asyncio.run(scenario())
    assert child_pids() <= before
