"""The engine's scheduling: limits, timeouts, cancellation, streaming, error containment.

These families are in-process stand-ins written for the test (no network): they measure
what the engine lets them do at once, which a real server could not tell us reliably.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from netready.checks import CheckContext, CheckSpec
from netready.config import ScanConfig
from netready.engine import (
    Engine,
    FindingMade,
    ScanEvent,
    ScanFinished,
    ScanStarted,
    TargetFinished,
    TargetStarted,
    UndeclaredCheckError,
    UnknownFamilyError,
    select_families,
)
from netready.findings import Finding, Status
from netready.net.dns import DnsClient
from netready.targets import Target, TargetKind

CHECK = "test.probe"


def domain(name: str) -> Target:
    return Target(TargetKind.DOMAIN, name)


@dataclass
class CountingFamily:
    """Makes `probes_per_target` probes to `host_of(target)`, recording the peak in flight."""

    probes_per_target: int = 1
    probe_seconds: float = 0.0
    shared_host: str | None = None
    name: str = "test"
    checks: tuple[CheckSpec, ...] = (CheckSpec(CHECK, "a probe"),)
    in_flight: int = 0
    peak: int = 0
    started: list[str] = field(default_factory=list)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        self.started.append(target.value)

        async def one_probe() -> None:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.sleep(self.probe_seconds)
            finally:
                self.in_flight -= 1

        host = self.shared_host or target.value
        await asyncio.gather(
            *(context.probe("sleep", one_probe, host=host) for _ in range(self.probes_per_target))
        )
        yield Finding(target.value, target.value, CHECK, Status.PASS, "probed")


def make_engine(family: object, **config: object) -> Engine:
    return Engine(
        ScanConfig(resolvers=("198.18.0.53",), **config),  # type: ignore[arg-type]
        families=[family],  # type: ignore[list-item]
        dns=DnsClient(("198.18.0.53",)),  # never queried by these families
    )


async def collect(engine: Engine, targets: list[Target]) -> list[ScanEvent]:
    return [event async for event in engine.scan(targets)]


def test_every_target_yields_its_findings_and_progress_adds_up() -> None:
    # Given 20 targets and a family that makes one finding per target
    family = CountingFamily()
    targets = [domain(f"host{i}.example") for i in range(20)]
    # When they are scanned
    events = asyncio.run(collect(make_engine(family), targets))
    # Then the stream starts, has one finding and one TargetFinished per target, and ends
    assert isinstance(events[0], ScanStarted)
    assert events[0].targets_total == 20
    findings = [e.finding for e in events if isinstance(e, FindingMade)]
    assert sorted(f.target for f in findings) == sorted(t.value for t in targets)
    assert isinstance(events[-1], ScanFinished)
    assert events[-1].progress.targets_done == 20
    assert events[-1].progress.findings == 20
    assert not events[-1].cancelled


def test_a_target_finishes_only_after_its_findings_were_streamed() -> None:
    events = asyncio.run(collect(make_engine(CountingFamily()), [domain("a.example")]))
    kinds = [type(e) for e in events]
    assert kinds == [ScanStarted, TargetStarted, FindingMade, TargetFinished, ScanFinished]


def test_global_concurrency_limit_holds() -> None:
    family = CountingFamily(probes_per_target=3, probe_seconds=0.01)
    targets = [domain(f"h{i}.example") for i in range(30)]
    asyncio.run(collect(make_engine(family, concurrency=5, per_host_concurrency=5), targets))
    assert family.peak == 5


def test_per_host_limit_holds_when_every_target_shares_one_host() -> None:
    family = CountingFamily(probes_per_target=4, probe_seconds=0.01, shared_host="198.18.0.80")
    targets = [domain(f"h{i}.example") for i in range(10)]
    asyncio.run(collect(make_engine(family, concurrency=20, per_host_concurrency=2), targets))
    assert family.peak == 2


def test_a_probe_over_its_timeout_becomes_an_error_finding_not_a_hang() -> None:
    family = CountingFamily(probe_seconds=30)
    events = asyncio.run(collect(make_engine(family, timeout=0.05), [domain("slow.example")]))
    findings = [e.finding for e in events if isinstance(e, FindingMade)]
    assert [(f.check_id, f.status) for f in findings] == [(CHECK, Status.ERROR)]
    assert "within 0.05 s" in findings[0].summary


@dataclass
class CrashingFamily:
    name: str = "crashy"
    checks: tuple[CheckSpec, ...] = (CheckSpec("crashy.one", "1"), CheckSpec("crashy.two", "2"))

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        yield Finding(target.value, target.value, "crashy.one", Status.PASS, "fine")
        raise ValueError("boom")


def test_a_crashing_family_reports_errors_for_the_checks_it_did_not_finish() -> None:
    events = asyncio.run(collect(make_engine(CrashingFamily()), [domain("a.example")]))
    findings = [e.finding for e in events if isinstance(e, FindingMade)]
    assert [(f.check_id, f.status) for f in findings] == [
        ("crashy.one", Status.PASS),
        ("crashy.two", Status.ERROR),
    ]
    assert "ValueError: boom" in findings[1].summary
    assert isinstance(events[-1], ScanFinished)
    assert events[-1].progress.targets_done == 1


@dataclass
class UndeclaredFamily:
    name: str = "sloppy"
    checks: tuple[CheckSpec, ...] = (CheckSpec("sloppy.declared", "declared"),)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        yield Finding(target.value, target.value, "sloppy.invented", Status.PASS, "?")


def test_the_engine_refuses_undeclared_check_ids() -> None:
    with pytest.raises(UndeclaredCheckError, match=r"sloppy\.invented"):
        asyncio.run(collect(make_engine(UndeclaredFamily()), [domain("a.example")]))


def test_cancel_stops_new_work_at_once_and_leaves_targets_unfinished() -> None:
    family = CountingFamily(probe_seconds=0.05)
    targets = [domain(f"h{i}.example") for i in range(100)]
    engine = make_engine(family, concurrency=4)

    async def scan_and_cancel_after_first_target() -> list[ScanEvent]:
        events: list[ScanEvent] = []
        async for event in engine.scan(targets):
            events.append(event)
            if isinstance(event, TargetFinished):
                engine.cancel()
        return events

    events = asyncio.run(scan_and_cancel_after_first_target())
    finished = events[-1]
    assert isinstance(finished, ScanFinished)
    assert finished.cancelled
    # only the targets already in progress when cancel was called were ever started
    assert len(family.started) <= 4 + 1
    assert finished.progress.targets_done < 100


def test_families_apply_only_to_their_targets() -> None:
    @dataclass
    class DomainsOnly(CountingFamily):
        def applies_to(self, target: Target) -> bool:
            return target.kind is TargetKind.DOMAIN

    family = DomainsOnly()
    targets = [domain("a.example"), Target(TargetKind.ADDRESS, "198.18.0.1")]
    events = asyncio.run(collect(make_engine(family), targets))
    assert [e.finding.target for e in events if isinstance(e, FindingMade)] == ["a.example"]
    assert isinstance(events[-1], ScanFinished)
    assert events[-1].progress.targets_done == 2


def test_select_families_rejects_unknown_names_and_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFamilyError, match=r"'nope'.*available: dns"):
        select_families(["dns", "nope"])
    assert [family.name for family in select_families(["DNS"])] == ["dns"]


@dataclass
class SharedFactFamily:
    """Every target asks for one scan-wide fact; counts how often it is computed."""

    name: str = "fact"
    checks: tuple[CheckSpec, ...] = (CheckSpec("fact.shared", "a shared fact"),)
    computed: int = 0

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        async def compute() -> str:
            self.computed += 1
            await asyncio.sleep(0.01)
            return "the fact"

        fact = await context.once("fact.shared", compute)
        yield Finding(target.value, target.value, "fact.shared", Status.INFO, fact)


def test_once_computes_a_scan_wide_fact_a_single_time() -> None:
    family = SharedFactFamily()
    targets = [domain(f"h{i}.example") for i in range(20)]
    events = asyncio.run(collect(make_engine(family, concurrency=8), targets))
    assert family.computed == 1
    summaries = {e.finding.summary for e in events if isinstance(e, FindingMade)}
    assert summaries == {"the fact"}


def test_on_request_families_run_only_when_named() -> None:
    registry = {"dns": CountingFamily(name="dns"), "resolver": CountingFamily(name="resolver")}
    by_default = select_families(None, registry)  # type: ignore[arg-type]
    assert [family.name for family in by_default] == ["dns"]
    named = select_families(["resolver"], registry)  # type: ignore[arg-type]
    assert [family.name for family in named] == ["resolver"]


@dataclass
class PerTargetFactFamily:
    """Two checks of one target ask for the same page; the engine keeps it per target."""

    name: str = "page"
    checks: tuple[CheckSpec, ...] = (CheckSpec("page.one", "1"), CheckSpec("page.two", "2"))
    fetched: list[str] = field(default_factory=list)
    contexts: list[CheckContext] = field(default_factory=list)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        self.contexts.append(context)

        async def fetch() -> str:
            self.fetched.append(target.value)
            await asyncio.sleep(0.01)
            return f"page of {target.value}"

        first, second = await asyncio.gather(
            context.once("page", fetch, target=target), context.once("page", fetch, target=target)
        )
        yield Finding(target.value, target.value, "page.one", Status.INFO, first)
        yield Finding(target.value, target.value, "page.two", Status.INFO, second)


def test_a_per_target_fact_is_made_once_per_target_and_forgotten_when_it_is_done() -> None:
    family = PerTargetFactFamily()
    targets = [domain("a.example"), domain("b.example")]
    events = asyncio.run(collect(make_engine(family), targets))
    assert sorted(family.fetched) == ["a.example", "b.example"]  # once each, not per check
    summaries = {e.finding.target: e.finding.summary for e in events if isinstance(e, FindingMade)}
    assert summaries == {"a.example": "page of a.example", "b.example": "page of b.example"}
    assert family.contexts[0]._facts == {}  # type: ignore[attr-defined]  # nothing kept after


@dataclass
class ResourceFamily:
    """Starts one scan-wide resource on first use and asks the engine to end it with the scan."""

    probe_seconds: float = 0.0
    fail_cleanup: bool = False
    name: str = "resource"
    checks: tuple[CheckSpec, ...] = (CheckSpec("resource.used", "uses the resource"),)
    events: list[str] = field(default_factory=list)

    def applies_to(self, target: Target) -> bool:
        return True

    async def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        async def start() -> str:
            self.events.append("started")

            async def close() -> None:
                self.events.append("closed")
                if self.fail_cleanup:
                    raise RuntimeError("the resource would not close")

            context.at_scan_end(close)
            return "resource"

        resource = await context.once("resource.pool", start)
        await asyncio.sleep(self.probe_seconds)
        yield Finding(target.value, target.value, "resource.used", Status.INFO, resource)


def test_a_scan_wide_resource_is_closed_once_when_the_scan_completes() -> None:
    family = ResourceFamily()
    events = asyncio.run(collect(make_engine(family), [domain(f"h{i}.example") for i in range(5)]))
    assert isinstance(events[-1], ScanFinished)
    assert family.events == ["started", "closed"]


def test_a_cancelled_scan_closes_its_resources_too() -> None:
    family = ResourceFamily(probe_seconds=0.05)
    engine = make_engine(family, concurrency=2)

    async def scan_and_cancel() -> None:
        async for event in engine.scan([domain(f"h{i}.example") for i in range(50)]):
            if isinstance(event, TargetFinished):
                engine.cancel()
                assert family.events == ["started"]  # still open while the scan runs

    asyncio.run(scan_and_cancel())
    assert family.events == ["started", "closed"]


def test_a_failing_cleanup_is_logged_and_the_scan_still_ends_normally(
    caplog: pytest.LogCaptureFixture,
) -> None:
    family = ResourceFamily(fail_cleanup=True)
    events = asyncio.run(collect(make_engine(family), [domain("a.example")]))
    assert isinstance(events[-1], ScanFinished)
    assert family.events == ["started", "closed"]
    assert "cleanup at the end of the scan failed" in caplog.text
