"""Engine overhead: 10,000 targets through a family that does no I/O.

    .venv/bin/python benchmarks/engine_overhead.py [--targets N] [--mode engine|pipeline]

`engine` runs the engine alone; `pipeline` is what `netready scan` does around it: parse the
targets, create the scan in a fresh SQLite database, stream every finding into it through
the batched writer. Without --mode both run, each in its own process, so that each peak RSS
is its own. Goal (issue 2): < 5 s wall and < 200 MB peak RSS for 10,000 targets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from netready.checks import CheckContext, CheckSpec
from netready.config import ScanConfig
from netready.engine import Engine, FindingMade, TargetFinished
from netready.findings import Finding, Status
from netready.net.dns import DnsClient
from netready.store import FindingWriter, Store
from netready.targets import Target, parse_targets


@dataclass(frozen=True, slots=True)
class NoOpFamily:
    """One finding per target, made without any I/O, through one (instant) probe."""

    name: str = "noop"
    checks: tuple[CheckSpec, ...] = (CheckSpec("noop.check", "does nothing"),)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        await context.probe("nothing", _nothing, host=target.value)
        yield Finding(target.value, target.value, "noop.check", Status.PASS, "nothing to see")


async def _nothing() -> None:
    return None


def _engine(config: ScanConfig) -> Engine:
    # the resolver is never asked: the no-op family makes no lookups
    return Engine(config, families=[NoOpFamily()], dns=DnsClient(("198.18.0.53",)))


async def run_engine_only(texts: list[str]) -> int:
    config = ScanConfig(resolvers=("198.18.0.53",))
    targets = parse_targets(texts)
    findings = 0
    async for event in _engine(config).scan(targets):
        findings += isinstance(event, FindingMade)
    return findings


async def run_pipeline(texts: list[str], database: Path) -> int:
    config = ScanConfig(resolvers=("198.18.0.53",))
    targets = parse_targets(texts)
    with Store(database) as store:
        scan_id = store.create_scan(
            targets=[(t.value, t.kind.value) for t in targets],
            families=["noop"],
            config=config.to_json_dict(),
        )
        writer = FindingWriter(store, scan_id)
        async for event in _engine(config).scan(targets):
            if isinstance(event, FindingMade):
                writer.add(event.finding)
            elif isinstance(event, TargetFinished):
                writer.target_finished(event.target.value)
        writer.close()
        return store.scan(scan_id).finding_count


def measure(mode: str, count: int) -> dict[str, float | int | str]:
    texts = [f"host{i}.bulk.example.test" for i in range(count)]
    started = time.perf_counter()
    if mode == "engine":
        findings = asyncio.run(run_engine_only(texts))
    else:
        with tempfile.TemporaryDirectory() as directory:
            findings = asyncio.run(run_pipeline(texts, Path(directory) / "bench.db"))
    wall = time.perf_counter() - started
    assert findings == count, f"expected {count} findings, got {findings}"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {
        "mode": mode,
        "targets": count,
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--mode", choices=["engine", "pipeline"])
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.targets)))
        return
    for mode in ("engine", "pipeline"):
        command = [sys.executable, __file__, "--mode", mode, "--targets", str(args.targets)]
        result = json.loads(
            subprocess.run(command, check=True, capture_output=True, text=True).stdout
        )
        verdict = "ok" if result["wall_s"] < 5 and result["peak_rss_mb"] < 200 else "OVER GOAL"
        print(
            f"{mode:>8}: {result['targets']} targets in {result['wall_s']} s, "
            f"peak RSS {result['peak_rss_mb']} MB  [{verdict}]"
        )


if __name__ == "__main__":
    main()
