"""What a check family is, and what the engine gives it.

A family declares its check ids once (`checks`), says which targets it applies to, and
yields findings for one target. All of its network I/O goes through `CheckContext.probe`, so
the engine's global and per-host limits and the per-probe timeout hold for every family.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from netready.config import ScanConfig
from netready.net.dns import DnsAnswer, DnsOutcome
from netready.targets import Target

if TYPE_CHECKING:
    from netready.findings import Finding
    from netready.net.dns import DnsClient

T = TypeVar("T")

#: Added to a probe's time limit when the operation keeps its own (the DNS client, httpx):
#: the operation then times out first and says why; the probe's limit only catches a hang.
PROBE_GRACE_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One declared check: its stable id and a short title for lists and reports."""

    check_id: str
    title: str


class ProbeTimeoutError(TimeoutError):
    """A probe took longer than the configured timeout."""

    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(f"{what} did not finish within {seconds:g} s")
        self.what = what
        self.seconds = seconds


class CheckContext(Protocol):
    """The engine's services for a family, valid for one scan."""

    @property
    def config(self) -> ScanConfig: ...

    @property
    def dns(self) -> DnsClient:
        """The scan's DNS client: the configured resolvers, answers cached for the scan."""
        ...

    async def probe(
        self,
        what: str,
        operation: Callable[[], Awaitable[T]],
        *,
        host: str | None = None,
        timeout: float | None = None,
    ) -> T:
        """Run one network operation (at most one connection) under the scan's limits.

        `host` (an IP address or name) puts the probe under the per-host limit too; None
        counts only against the global limit (e.g. DNS lookups through the resolver).
        Raises `ProbeTimeoutError` after `timeout` (default: the configured timeout).
        """
        ...

    async def once(
        self, key: str, operation: Callable[[], Awaitable[T]], *, target: Target | None = None
    ) -> T:
        """Run `operation` once and share its result with every caller asking for `key`.

        Without `target`, once per scan: for facts about the scan rather than a target, such
        as whether this machine has working IPv6 (prefix the key with the family name,
        `ipv6.client`). With `target`, once per target, forgotten when the target is done:
        for work several families of one target share, such as fetching the same page.
        Concurrent callers wait for the one run; an exception is shared too.
        """
        ...

    def at_scan_end(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Await `cleanup` when the scan ends - completed, cancelled or failed.

        For scan-wide resources a family starts on first use (the TLS worker processes), so
        they end with the scan rather than whenever the context is garbage-collected.
        """
        ...


class CheckFamily(Protocol):
    """A family of checks: one module under `netready.checks`."""

    @property
    def name(self) -> str:
        """The family name used by `--checks` (stable, lowercase)."""
        ...

    @property
    def checks(self) -> tuple[CheckSpec, ...]:
        """Every check id this family may emit; the engine refuses any other."""
        ...

    def applies_to(self, target: Target) -> bool:
        """Whether the family has anything to test on this target."""
        ...

    def run(self, target: Target, context: CheckContext) -> AsyncIterator[Finding]:
        """Test one target, yielding findings as they are made."""
        ...


async def lookup(context: CheckContext, name: str, rdtype: str) -> DnsAnswer:
    """One DNS lookup through the scan's resolvers, under the scan's limits.

    Never raises for the network: a lookup that hangs past the probe's limit becomes a
    `TIMEOUT` answer, which the families report as `error` (could not test).
    """
    try:
        return await context.probe(
            f"DNS lookup {name} {rdtype}",
            lambda: context.dns.lookup(name, rdtype),
            timeout=context.config.timeout + PROBE_GRACE_SECONDS,
        )
    except ProbeTimeoutError as error:
        return DnsAnswer(name, rdtype, DnsOutcome.TIMEOUT, detail=str(error))


async def as_they_finish(operations: Iterable[Awaitable[T]]) -> AsyncGenerator[T, None]:
    """Run `operations` at once and yield each result as soon as it is in.

    The rest are cancelled, and awaited, when the caller stops or fails: use it in
    ``async with contextlib.aclosing(...)`` where the caller may stop early (``break``), so
    that happens at once rather than when the generator is collected.
    """
    tasks = [asyncio.ensure_future(operation) for operation in operations]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
