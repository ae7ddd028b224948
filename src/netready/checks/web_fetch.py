"""One fetch of a page per target, shared by the families that look at web sites.

The https family and the ipv6 family ask for the same pages: `http://` and `https://` of the
domain and of `www.`, at every address, and the https family follows the HTTP redirect to
the very page it already asked for. Each (URL, address) is fetched once per target through
`CheckContext.once`, which halves the connections to every web server and takes a whole
request off the redirect check's critical path. The pages are forgotten when the target is
done, so a long scan does not keep them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Protocol

from netready.checks.base import PROBE_GRACE_SECONDS, CheckContext
from netready.net import http as http_client
from netready.net.http import HttpResponse
from netready.targets import Target

__all__ = ["BODY_LIMIT", "FetchFunction", "shared_fetch", "warm_up"]

#: How much of a page is read: enough to compare pages over IPv4 and IPv6 and to read headers.
BODY_LIMIT = 256_000


class FetchFunction(Protocol):
    """`net.http.fetch`'s signature; tests pass in-process stand-ins."""

    def __call__(
        self,
        url: str,
        address: str,
        *,
        ca_file: Path | None,
        timeout: float,
        max_body: int = ...,
        method: str = ...,
    ) -> Awaitable[HttpResponse]: ...


_warming: set[asyncio.Future[None]] = set()


def warm_up(context: CheckContext) -> None:
    """Start loading the trusted CAs in the background (once per scan), while DNS answers."""

    async def load_trust() -> None:
        await http_client.prepare_tls(context.config.ca_file)

    task = asyncio.ensure_future(context.once("web.tls_trust", load_trust))
    _warming.add(task)  # held until done: the event loop keeps only weak references
    task.add_done_callback(_warming.discard)


async def shared_fetch(
    context: CheckContext,
    target: Target,
    url: str,
    address: str,
    *,
    fetch: FetchFunction = http_client.fetch,
) -> HttpResponse:
    """GET `url` at `address` as one probe, once per target however many families ask.

    Raises `HttpError` or `ProbeTimeoutError` like a direct probe would (shared with every
    caller of the same page).
    """
    timeout = context.config.timeout

    async def one_probe() -> HttpResponse:
        return await context.probe(
            f"GET {url} at {address}",
            lambda: fetch(
                url, address, ca_file=context.config.ca_file, timeout=timeout, max_body=BODY_LIMIT
            ),
            host=address,
            timeout=timeout + PROBE_GRACE_SECONDS,
        )

    return await context.once(f"web.fetch {url} @ {address}", one_probe, target=target)
