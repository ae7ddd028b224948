"""Run one scan through the engine and print its timing as one JSON line.

Run by the benchmarks inside a lab namespace (not on its own): it times the engine alone,
from the first probe to the last finding, so that Python's start-up is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import resource
import time
from pathlib import Path

from netready import engine as engine_module
from netready.config import ScanConfig
from netready.engine import Engine, FindingMade, TargetFinished
from netready.targets import parse_targets


async def timed_scan(config: ScanConfig, texts: list[str]) -> dict[str, object]:
    targets = parse_targets(texts)
    statuses: collections.Counter[str] = collections.Counter()
    by_check: collections.Counter[str] = collections.Counter()
    per_target: list[float] = []
    error_samples: list[str] = []
    started = time.perf_counter()
    async for event in Engine(config).scan(targets):
        if isinstance(event, FindingMade):
            statuses[event.finding.status.value] += 1
            by_check[f"{event.finding.check_id}:{event.finding.status.value}"] += 1
            if event.finding.status.value == "error" and len(error_samples) < 3:
                error_samples.append(f"{event.finding.subject}: {event.finding.summary}")
        elif isinstance(event, TargetFinished):
            per_target.append(time.perf_counter() - started)
    wall = time.perf_counter() - started
    return {
        "targets": len(targets),
        "wall_s": round(wall, 3),
        "first_target_s": round(min(per_target), 3) if per_target else None,
        "statuses": dict(statuses),
        "by_check": dict(sorted(by_check.items())),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "error_samples": error_samples,
    }


def trace_probes(started: float, timeline: list[tuple[float, float, str, str]]) -> None:
    """Record every probe's start and end (seconds since `started`): the critical path."""
    original = engine_module._ScanContext.probe

    async def traced(self, what, operation, *, host=None, timeout=None):  # type: ignore[no-untyped-def]
        begin = time.perf_counter() - started
        try:
            return await original(self, what, operation, host=host, timeout=timeout)
        finally:
            timeline.append((begin, time.perf_counter() - started, what, str(host)))

    engine_module._ScanContext.probe = traced  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resolver", required=True)
    parser.add_argument("--ca-file", type=Path)
    parser.add_argument("--trust-anchor", type=Path)
    parser.add_argument("--families", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--trace", action="store_true", help="print each probe's timing")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    config = ScanConfig(
        resolvers=(args.resolver,),
        ca_file=args.ca_file,
        trust_anchor=args.trust_anchor,
        families=tuple(args.families.split(",")),
        concurrency=args.concurrency,
        timeout=args.timeout,
    )
    timeline: list[tuple[float, float, str, str]] = []
    if args.trace:
        trace_probes(time.perf_counter(), timeline)
    result = asyncio.run(timed_scan(config, args.targets))
    for begin, end, what, host in sorted(timeline):
        print(f"{begin * 1000:7.1f} {end * 1000:7.1f} ms  {what}  [{host}]")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
