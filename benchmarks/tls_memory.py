"""Memory of 1,000 TLS endpoint scans: enumeration in the scan, sslyze in the pool (issue 3).

    sudo .venv/bin/python -m benchmarks.tls_memory [--endpoints 1000] [--concurrency 32]
        [--processes 2] [--tasks-per-process 50] [--tests all|none|heartbleed,...]

Builds tests/lab/tls_bench_lab.py's lab (no delay) and runs, in its client namespace, what
the TLS family does per endpoint: `enumerate_tls` in the main process, then through one
`TlsWorkerPool` sslyze's certificate chain job and its vulnerability tests
(`netready.net.tls_sslyze`), for `--endpoints` endpoint scans over the lab's modern and
legacy servers, IPv4 and IPv6, `--concurrency` at a time. Every 0.2 s it samples the
resident memory of the main process and of each live worker (RSS, and PSS, which shares
common pages fairly between processes); it reports the peaks, the main process's own
high-water mark (VmHWM), how many worker processes were used, and the time. Goal: the
main process plus its workers stay under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from netready.net.tls import StartTls, TlsEndpoint, TlsEnumeration, enumerate_tls
from netready.net.tls_sslyze import SslyzeRequest, SslyzeTest, fetch_certificate_chain, run_test
from netready.net.tls_worker import TlsWorkerPool

GOAL_MB = 300
SAMPLE_SECONDS = 0.2
SERVER_NAME = "tls.test"
TARGETS = [  # (address, port): the lab's nginx endpoints, both families
    ("198.18.7.10", 443), ("2001:db8:7::10", 443), ("198.18.7.10", 8443),
    ("198.18.7.20", 443), ("2001:db8:7::20", 8443), ("198.18.7.20", 9443),
]  # fmt: skip


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in kB; (0, 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            fields = dict(line.split(":", 1) for line in rollup if ":" in line)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0, 0
    return int(fields["Rss"].split()[0]), int(fields["Pss"].split()[0])


def high_water_kb() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])


@dataclass
class Peaks:
    main_rss: int = 0
    workers_rss: int = 0
    total_rss: int = 0
    total_pss: int = 0
    worker_pids: set[int] = field(default_factory=set)

    def sample(self, pool: TlsWorkerPool) -> None:
        main_rss, main_pss = memory_kb(os.getpid())
        workers = [(pid, *memory_kb(pid)) for pid in pool.worker_pids()]
        self.worker_pids.update(pid for pid, _, _ in workers)
        workers_rss = sum(rss for _, rss, _ in workers)
        self.main_rss = max(self.main_rss, main_rss)
        self.workers_rss = max(self.workers_rss, workers_rss)
        self.total_rss = max(self.total_rss, main_rss + workers_rss)
        self.total_pss = max(self.total_pss, main_pss + sum(pss for _, _, pss in workers))


async def scan_endpoint(
    pool: TlsWorkerPool, address: str, port: int, tests: list[SslyzeTest]
) -> tuple[TlsEnumeration, int]:
    """One endpoint as the TLS family scans it; the number of sslyze jobs that failed."""
    endpoint = TlsEndpoint(address, port, SERVER_NAME, StartTls.NONE)
    found = await enumerate_tls(endpoint, timeout=5.0)
    if found.error is not None:
        return found, 0
    highest = list(found.versions)[-1]
    request = SslyzeRequest(
        address=address, port=port, server_name=SERVER_NAME, starttls="none", timeout=5.0,
        highest_version=highest, suites=tuple(found.versions[highest]),
        lower_versions=tuple(reversed(list(found.versions)[:-1])),
    )  # fmt: skip
    results: list[object] = [await pool.run(fetch_certificate_chain, request, timeout=60)]
    for test in tests:
        results.append(await pool.run(run_test, request, test, timeout=120))
    failed = sum(type(result).__name__ == "SslyzeFailure" for result in results)
    return found, failed


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tests = [] if args.tests == "none" else (
        list(SslyzeTest) if args.tests == "all" else [SslyzeTest(t) for t in args.tests.split(",")]
    )  # fmt: skip
    pool = TlsWorkerPool(processes=args.processes, tasks_per_process=args.tasks_per_process)
    peaks = Peaks()
    pending = iter(itertools.islice(itertools.cycle(TARGETS), args.endpoints))
    counts = {"scanned": 0, "enumeration_errors": 0, "sslyze_failures": 0, "connections": 0}

    async def worker() -> None:
        for address, port in pending:
            found, failed = await scan_endpoint(pool, address, port, tests)
            counts["scanned"] += 1
            counts["enumeration_errors"] += found.error is not None
            counts["sslyze_failures"] += failed
            counts["connections"] += found.connections

    async def sampler() -> None:
        while True:
            peaks.sample(pool)
            await asyncio.sleep(SAMPLE_SECONDS)

    started = time.monotonic()
    sampling = asyncio.create_task(sampler())
    try:
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    finally:
        peaks.sample(pool)
        sampling.cancel()
        await pool.close()
    return {
        **counts,
        "seconds": round(time.monotonic() - started, 1),
        "sslyze_tests": [str(test) for test in tests],
        "processes": args.processes,
        "tasks_per_process": args.tasks_per_process,
        "worker_processes_used": len(peaks.worker_pids),
        "peak_main_rss_mb": round(peaks.main_rss / 1024, 1),
        "main_vmhwm_mb": round(high_water_kb() / 1024, 1),
        "peak_workers_rss_mb": round(peaks.workers_rss / 1024, 1),
        "peak_total_rss_mb": round(peaks.total_rss / 1024, 1),
        "peak_total_pss_mb": round(peaks.total_pss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--tasks-per-process", type=int, default=50)
    parser.add_argument("--tests", default="all", help="all, none, or sslyze tests by name")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:  # in the lab's client namespace
        print(json.dumps(asyncio.run(run(args))))
        return
    from tests.lab.tls_bench_lab import open_tls_lab

    with open_tls_lab(mail=False, hostile=False) as bench:
        argv = [sys.executable, "-m", "benchmarks.tls_memory", "--inside", *sys.argv[1:]]
        done = bench.run_in_client(argv, timeout=7200)
    if done.returncode != 0:
        sys.exit(f"the benchmark failed ({done.returncode}):\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout)
    print(json.dumps(report, indent=1))
    total = report["peak_total_rss_mb"]
    print(
        f"{report['scanned']} endpoints in {report['seconds']} s: peak main "
        f"{report['peak_main_rss_mb']} MB + workers {report['peak_workers_rss_mb']} MB; "
        f"peak together {total} MB RSS, "
        f"{report['peak_total_pss_mb']} MB PSS (goal < {GOAL_MB} MB); "
        f"{report['worker_processes_used']} worker processes used"
    )
    if total >= GOAL_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
