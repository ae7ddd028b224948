"""In-process stand-ins for check families: the window and the worker without any network.

`FakeFamily` makes a fixed set of findings per target after an optional pause, like a
family whose probes take that long; `engine_factory` builds a real `Engine` around it, so
scheduling, cancellation and streaming are the engine's own. The factory is picklable: the
scan runs in its own process (netready.gui.scan_process), which imports this module.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from netready.checks import CheckContext, CheckSpec
from netready.config import ConfigError, ScanConfig
from netready.engine import Engine
from netready.findings import Finding, Status
from netready.net.dns import DnsClient
from netready.targets import Target

# an address of the lab range that no test ever queries: the fakes make no DNS lookups
UNUSED_RESOLVER = "198.18.0.53"

#: check id -> the status a target gets; targets named "bad*" fail the first two
CHECKS: dict[str, Status] = {
    "fake.reachable": Status.PASS,
    "fake.encrypted": Status.PASS,
    "fake.modern": Status.WARNING,
    "fake.note": Status.INFO,
}


@dataclass
class FakeFamily:
    """Yields one finding per check for each target, after `seconds` of "probing"."""

    seconds: float = 0.0
    name: str = "fake"
    checks: tuple[CheckSpec, ...] = tuple(CheckSpec(check, check) for check in CHECKS)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        await asyncio.sleep(self.seconds)
        for check, status in CHECKS.items():
            if target.value.startswith("bad") and check in ("fake.reachable", "fake.encrypted"):
                status = Status.FAIL if check == "fake.encrypted" else Status.ERROR
            yield Finding(
                target=target.value,
                subject=f"{target.value} [198.18.0.80]:443",
                check_id=check,
                status=status,
                summary=f"{check} of {target.value} is {status.value}",
                evidence={"target": target.value, "check": check, "ports": [80, 443]},
            )


@dataclass(frozen=True)
class FakeEngineFactory:
    """Builds an engine that runs `family` only. Picklable: it crosses into the scan process."""

    family: FakeFamily

    def __call__(self, config: ScanConfig) -> Engine:
        return Engine(config, families=[self.family], dns=DnsClient((UNUSED_RESOLVER,)))


def engine_factory(family: FakeFamily | None = None) -> Callable[[ScanConfig], Engine]:
    """An engine factory for `ScanWorker`/`MainWindow` that runs `family` only."""
    return FakeEngineFactory(family or FakeFamily())


def family_of(check_id: str) -> str:
    return check_id.partition(".")[0]


def no_resolvers(config: ScanConfig) -> Engine:
    """An engine factory failing as on a machine without resolvers."""
    raise ConfigError("this machine has no DNS resolvers; give one with --resolver")


@dataclass
class CrashingFamily(FakeFamily):
    """Like FakeFamily, but the whole scan process dies (exit code 3) at `crash.example`."""

    def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        if target.value == "crash.example":
            os._exit(3)
        return super().run(target, context)
