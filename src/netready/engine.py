"""The engine: runs check families over targets, concurrently and within limits.

    engine = Engine(config)
    async for event in engine.scan(targets):
        ...  # ScanStarted, TargetStarted, FindingMade, TargetFinished, ScanFinished

Limits: at most `config.concurrency` targets are worked on at once, and at most as many
probes (network operations of at most one connection each) are in flight over the whole
scan; at most `config.per_host_concurrency` probes go to one host. Every probe has the
configured timeout. `cancel()` stops new work at once: no target is started after it, and
the targets in progress are abandoned unfinished (a resume runs them again).

Findings are streamed out the moment a family yields them. A target is reported finished
only after all of its findings were handed out, which is what lets the store promise that a
finished target's findings are complete.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from netready.checks import FAMILIES, ON_REQUEST_FAMILIES, CheckFamily, ProbeTimeoutError
from netready.config import ScanConfig
from netready.findings import Finding, Status
from netready.net.dns import DnsClient
from netready.targets import Target

__all__ = [
    "Engine",
    "FindingMade",
    "Progress",
    "ScanEvent",
    "ScanFinished",
    "ScanStarted",
    "TargetFinished",
    "TargetStarted",
    "UndeclaredCheckError",
    "UnknownFamilyError",
    "select_families",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class UnknownFamilyError(ValueError):
    """A family name that is not in the registry."""


class UndeclaredCheckError(RuntimeError):
    """A family emitted a check id it did not declare: a programming error, never hidden."""


@dataclass(frozen=True, slots=True)
class Progress:
    targets_total: int
    targets_done: int
    findings: int


@dataclass(frozen=True, slots=True)
class ScanStarted:
    targets_total: int
    families: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TargetStarted:
    target: Target


@dataclass(frozen=True, slots=True)
class FindingMade:
    finding: Finding


@dataclass(frozen=True, slots=True)
class TargetFinished:
    target: Target
    progress: Progress


@dataclass(frozen=True, slots=True)
class ScanFinished:
    progress: Progress
    cancelled: bool


ScanEvent = ScanStarted | TargetStarted | FindingMade | TargetFinished | ScanFinished


def select_families(
    names: Iterable[str] | None, registry: Mapping[str, CheckFamily] = FAMILIES
) -> tuple[CheckFamily, ...]:
    """The families named, in registry order; without names, all but the on-request ones."""
    if names is None:
        return tuple(f for name, f in registry.items() if name not in ON_REQUEST_FAMILIES)
    wanted = [name.strip().lower() for name in names if name.strip()]
    unknown = [name for name in wanted if name not in registry]
    if unknown:
        raise UnknownFamilyError(
            f"unknown check family {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(registry)}"
        )
    return tuple(family for name, family in registry.items() if name in wanted)


class Engine:
    """Runs a scan; one `Engine` per scan."""

    def __init__(
        self,
        config: ScanConfig,
        *,
        families: Iterable[CheckFamily] | None = None,
        dns: DnsClient | None = None,
    ) -> None:
        self.config = config
        self.families = (
            tuple(families) if families is not None else select_families(config.families)
        )
        self._declared = {
            family.name: frozenset(spec.check_id for spec in family.checks)
            for family in self.families
        }
        # made now, so that a machine without resolvers is refused before a scan starts
        self._dns = dns or DnsClient(config.resolvers, timeout=config.timeout)
        self._cancel_requested = False
        self._workers: list[asyncio.Task[None]] = []

    def cancel(self) -> None:
        """Stop new work at once. Call on the engine's event loop (or via call_soon_threadsafe)."""
        self._cancel_requested = True
        for worker in self._workers:
            worker.cancel()

    async def scan(self, targets: Iterable[Target]) -> AsyncIterator[ScanEvent]:
        """Scan `targets`, yielding events as they happen; ends with `ScanFinished`."""
        target_list = list(targets)
        run = _ScanRun(self, target_list)
        yield ScanStarted(len(target_list), tuple(family.name for family in self.families))
        async for event in run.events():
            yield event
        yield ScanFinished(run.progress(), cancelled=self._cancel_requested)


class _ScanRun:
    """The state of one running scan: counters, the event queue and the workers."""

    def __init__(self, engine: Engine, targets: list[Target]) -> None:
        self.engine = engine
        self.targets = targets
        self.context = _ScanContext(engine.config, engine._dns)
        # bounded, so a slow consumer holds the workers back instead of growing memory
        self.queue: asyncio.Queue[ScanEvent | BaseException | None] = asyncio.Queue(maxsize=1024)
        self.targets_done = 0
        self.findings = 0

    def progress(self) -> Progress:
        return Progress(len(self.targets), self.targets_done, self.findings)

    async def events(self) -> AsyncIterator[ScanEvent]:
        pending = iter(self.targets)
        worker_count = min(self.engine.config.concurrency, len(self.targets))
        workers = [asyncio.create_task(self._work(pending)) for _ in range(worker_count)]
        self.engine._workers = workers
        closer = asyncio.create_task(self._close_when_done(workers))
        try:
            while (event := await self.queue.get()) is not None:
                if isinstance(event, BaseException):
                    raise event
                yield event
        finally:
            for task in (*workers, closer):
                task.cancel()
            await asyncio.gather(*workers, closer, return_exceptions=True)
            await self.context.close()

    async def _close_when_done(self, workers: list[asyncio.Task[None]]) -> None:
        results = await asyncio.gather(*workers, return_exceptions=True)
        failure = next(
            (
                result
                for result in results
                if isinstance(result, BaseException)
                and not isinstance(result, asyncio.CancelledError)
            ),
            None,
        )
        if failure is not None:
            await self.queue.put(failure)
        await self.queue.put(None)

    async def _work(self, pending: Iterator[Target]) -> None:
        # the workers share one iterator: each takes the next target when it is free
        for target in pending:
            if self.engine._cancel_requested:
                return
            await self._scan_target(target)

    async def _scan_target(self, target: Target) -> None:
        await self.queue.put(TargetStarted(target))
        families = [family for family in self.engine.families if family.applies_to(target)]
        try:
            await asyncio.gather(*(self._run_family(family, target) for family in families))
        finally:
            self.context.forget_target(target)
        self.targets_done += 1
        await self.queue.put(TargetFinished(target, self.progress()))

    async def _run_family(self, family: CheckFamily, target: Target) -> None:
        declared = self.engine._declared[family.name]
        reported: set[str] = set()
        try:
            async for finding in family.run(target, self.context):
                if finding.check_id not in declared:
                    raise UndeclaredCheckError(
                        f"the {family.name} family emitted undeclared check id {finding.check_id!r}"
                    )
                reported.add(finding.check_id)
                await self._emit(finding)
        except (asyncio.CancelledError, UndeclaredCheckError):
            raise
        except Exception as error:  # one failing family must not sink the scan
            logger.exception("the %s checks failed on %s", family.name, target)
            for finding in _unfinished_check_errors(family, target, reported, error):
                await self._emit(finding)

    async def _emit(self, finding: Finding) -> None:
        self.findings += 1
        await self.queue.put(FindingMade(finding))


def _unfinished_check_errors(
    family: CheckFamily, target: Target, reported: set[str], error: Exception
) -> Iterator[Finding]:
    """An `error` finding for each declared check the family did not get to report."""
    if isinstance(error, ProbeTimeoutError):
        reason = str(error)
    else:
        reason = f"internal error in the {family.name} checks ({type(error).__name__}: {error})"
    for spec in family.checks:
        if spec.check_id not in reported:
            yield Finding(
                target=target.value,
                subject=target.value,
                check_id=spec.check_id,
                status=Status.ERROR,
                summary=f"Could not test: {reason}.",
                evidence={"error": reason},
            )


@dataclass
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0


@dataclass(eq=False)  # one context per scan: compared and hashed by identity
class _ScanContext:
    """The `CheckContext` the engine gives families: limits, timeouts, the DNS client."""

    config: ScanConfig
    dns: DnsClient
    _global: asyncio.Semaphore = field(init=False)
    _hosts: dict[str, _HostSlot] = field(init=False, default_factory=dict)
    _facts: dict[tuple[str, str], asyncio.Task[Any]] = field(init=False, default_factory=dict)
    _target_facts: dict[str, list[tuple[str, str]]] = field(init=False, default_factory=dict)
    _cleanups: list[Callable[[], Awaitable[None]]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._global = asyncio.Semaphore(self.config.concurrency)

    async def probe(
        self,
        what: str,
        operation: Callable[[], Awaitable[T]],
        *,
        host: str | None = None,
        timeout: float | None = None,
    ) -> T:
        seconds = timeout if timeout is not None else self.config.timeout
        async with self._host_slot(host), self._global:
            try:
                async with asyncio.timeout(seconds):
                    return await operation()
            except TimeoutError:
                raise ProbeTimeoutError(what, seconds) from None

    async def once(
        self, key: str, operation: Callable[[], Awaitable[T]], *, target: Target | None = None
    ) -> T:
        scope = "" if target is None else target.value
        task = self._facts.get((scope, key))
        if task is None:
            task = self._facts[(scope, key)] = asyncio.ensure_future(operation())
            if target is not None:
                self._target_facts.setdefault(scope, []).append((scope, key))
        # shield: one caller's cancellation must not cancel the fact others wait on
        result: T = await asyncio.shield(task)
        return result

    def at_scan_end(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        self._cleanups.append(cleanup)

    async def close(self) -> None:
        """End the scan: cancel facts still running, then run every cleanup, newest first.

        A failing cleanup is logged, not raised: the scan's findings are already out, and the
        other cleanups must still run.
        """
        for task in self._facts.values():
            task.cancel()
        await asyncio.gather(*self._facts.values(), return_exceptions=True)
        self._facts.clear()
        while self._cleanups:
            cleanup = self._cleanups.pop()
            try:
                await cleanup()
            except Exception:
                logger.exception("a cleanup at the end of the scan failed")

    def forget_target(self, target: Target) -> None:
        """Drop the facts kept for `target` (its pages, ...): it is done, memory stays flat."""
        for fact in self._target_facts.pop(target.value, ()):
            task = self._facts.pop(fact)
            if not task.done():
                task.cancel()

    @asynccontextmanager
    async def _host_slot(self, host: str | None) -> AsyncIterator[None]:
        if host is None:
            yield
            return
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(
                asyncio.Semaphore(self.config.per_host_concurrency)
            )
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:  # forget idle hosts, so a sweep of many hosts stays small
                del self._hosts[host]
