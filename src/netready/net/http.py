"""One HTTP(S) request to one chosen address, bounded in time and size.

    response = await fetch("https://www.example.org/", "2001:db8::10", ca_file=None, timeout=5)

`url` names the host (sent as `Host` and as the TLS server name, and checked against the
certificate), the port and the path; `address` is the IP connected to, so IPv4 and IPv6 are
tested on purpose and nothing is resolved here. Redirects are never followed: the caller sees
each hop (`HttpResponse.location`) and decides.

Bounds: `timeout` limits connecting, each read, and the whole request together (a server that
drips one byte a second cannot hold it longer); the body is read up to `max_body` bytes and
the rest is dropped unread; a response header block over `MAX_HEADER_BYTES` is refused. The
body is asked for without content coding (`Accept-Encoding: identity`) and kept as sent, so a
compressed body cannot expand in memory.

Errors: every failure is one `HttpError` whose `kind` (`HttpErrorKind`) says what went wrong:
timeout, refused, unreachable, tls (handshake or certificate), protocol (not HTTP, or broken
HTTP), too_large_headers, other.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import certifi
import httpcore
import httpx

from netready.net.errors import is_unreachable

__all__ = [
    "MAX_HEADER_BYTES",
    "HttpError",
    "HttpErrorKind",
    "HttpResponse",
    "fetch",
    "pinned_request_parts",
]

# httpcore's HTTP/1.1 connection stops buffering an unfinished header block at this size and
# raises "Receive buffer too long"; it is the limit this module relies on.
MAX_HEADER_BYTES = httpcore.AsyncHTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE
_HEADERS_TOO_LONG = "Receive buffer too long"
_USER_AGENT = "netready"


class HttpErrorKind(StrEnum):
    TIMEOUT = "timeout"  # no complete answer within the time limit
    REFUSED = "refused"  # the address refused the connection (nothing listens)
    UNREACHABLE = "unreachable"  # no route to the address
    TLS = "tls"  # the TLS handshake or the certificate check failed
    PROTOCOL = "protocol"  # the server did not speak valid HTTP
    TOO_LARGE_HEADERS = "too_large_headers"  # the response header block exceeds the limit
    OTHER = "other"


class HttpError(Exception):
    """A request that produced no usable response; `kind` says why, `message` in words."""

    def __init__(self, kind: HttpErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One response, as received.

    Attributes:
        url: the URL asked for (with the host name, not the address).
        address: the IP address connected to.
        status: the HTTP status code.
        headers: every response header as sent: names and values decoded as Latin-1, in
            order, duplicates kept.
        location: the first `Location` header resolved against `url` (absolute), or None.
        body: the body as sent (no content decoding), at most `max_body` bytes.
        body_truncated: the body was longer than `max_body` and was cut.
        http_version: e.g. "HTTP/1.1".
        elapsed: seconds from the start of the request to the end of reading the body.
    """

    url: str
    address: str
    status: int
    headers: tuple[tuple[str, str], ...]
    location: str | None
    body: bytes
    body_truncated: bool
    http_version: str
    elapsed: float

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of header `name` (case-insensitive), in the order sent."""
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key.lower() == wanted)


async def prepare_tls(ca_file: Path | None) -> None:
    """Load the trusted CAs now, in a thread, so the first HTTPS request does not stall.

    Loading certifi's and the system's CAs takes ~50 ms; done on the event loop by the first
    `fetch`, it would hold up every other probe of the scan for that long.
    """
    await asyncio.to_thread(_ssl_context, ca_file)


async def fetch(
    url: str,
    address: str,
    *,
    ca_file: Path | None,
    timeout: float,
    max_body: int = 1_000_000,
    method: str = "GET",
) -> HttpResponse:
    """Send one request for `url` to `address`; raise `HttpError` when there is no response.

    The certificate is verified against certifi's and the system's CAs plus `ca_file`, for
    the host name of `url`. A URL that cannot be requested (not http/https, no host, not
    valid) or an `address` that is not an IP address is an `HttpError` of kind other.
    """
    try:
        async with asyncio.timeout(timeout):
            return await _exchange(
                method, url, address, ca_file=ca_file, timeout=timeout, max_body=max_body
            )
    except TimeoutError:
        raise HttpError(
            HttpErrorKind.TIMEOUT, f"no complete answer from {address} within {timeout:g} s"
        ) from None
    except httpx.HTTPError as error:
        raise _classify(error, address) from None


def pinned_request_parts(
    url: str, address: str
) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL to connect to (host replaced by `address`), the headers and the extensions.

    `Host` keeps the name (with a non-default port), and httpcore's `sni_hostname` extension
    makes TLS send and verify the name instead of the address.
    """
    original = httpx.URL(url)
    if original.scheme not in ("http", "https"):
        raise ValueError(f"not an http or https URL: {url!r}")
    if not original.host:
        raise ValueError(f"URL without a host: {url!r}")
    ipaddress.ip_address(address)  # a ValueError here names the bad address
    host_header = original.netloc.decode("ascii")
    headers = {
        "Host": host_header,
        "User-Agent": _USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "identity",
    }
    # raw_host is the A-label form (xn--...), which is what TLS and certificates use
    server_name = original.raw_host.decode("ascii")
    return original.copy_with(host=address), headers, {"sni_hostname": server_name}


async def _exchange(
    method: str, url: str, address: str, *, ca_file: Path | None, timeout: float, max_body: int
) -> HttpResponse:
    started = time.monotonic()
    try:
        request_url, headers, extensions = pinned_request_parts(url, address)
    except (ValueError, httpx.InvalidURL) as error:
        raise HttpError(HttpErrorKind.OTHER, f"cannot request {url!r}: {error}") from None
    transport = httpx.AsyncHTTPTransport(
        verify=_ssl_context(ca_file), http1=True, http2=False, trust_env=False, retries=0
    )
    # trust_env=False: a proxy from the environment would break the address pinning
    async with httpx.AsyncClient(
        transport=transport, trust_env=False, follow_redirects=False, timeout=timeout
    ) as client:
        request = client.build_request(method, request_url, headers=headers, extensions=extensions)
        response = await client.send(request, stream=True)
        try:
            body, truncated = await _read_body(response, max_body)
        finally:
            await response.aclose()
    raw_headers = tuple(
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw
    )
    return HttpResponse(
        url=url,
        address=address,
        status=response.status_code,
        headers=raw_headers,
        location=_absolute_location(url, raw_headers),
        body=body,
        body_truncated=truncated,
        http_version=response.http_version,
        elapsed=time.monotonic() - started,
    )


async def _read_body(response: httpx.Response, max_body: int) -> tuple[bytes, bool]:
    """Read at most `max_body` bytes; the rest stays unread (the connection is closed)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        room = max_body - size
        if len(chunk) > room:
            chunks.append(chunk[:room])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def _absolute_location(url: str, headers: tuple[tuple[str, str], ...]) -> str | None:
    location = next((value for name, value in headers if name.lower() == "location"), None)
    if location is None:
        return None
    try:
        return str(httpx.URL(url).join(location.strip()))
    except (httpx.InvalidURL, ValueError):
        return location


@lru_cache(maxsize=8)
def _ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """certifi's CAs, the system's, and `ca_file`; made once per CA file (loading is slow)."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.load_default_certs()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def _classify(error: httpx.HTTPError, address: str) -> HttpError:
    """Map httpx's exception (and the OS or TLS error under it) to an `HttpError`."""
    detail = _describe(error)
    causes = list(_cause_chain(error))
    if isinstance(error, httpx.TimeoutException):
        return HttpError(HttpErrorKind.TIMEOUT, f"timed out talking to {address}: {detail}")
    if any(isinstance(cause, ssl.SSLError | ssl.CertificateError) for cause in causes):
        return HttpError(HttpErrorKind.TLS, f"TLS with {address} failed: {detail}")
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return HttpError(HttpErrorKind.REFUSED, f"{address} refused the connection")
    if any(is_unreachable(cause) for cause in causes):
        return HttpError(HttpErrorKind.UNREACHABLE, f"{address} is unreachable: {detail}")
    if isinstance(error, httpx.ConnectError) and "refused" in detail.lower():
        return HttpError(HttpErrorKind.REFUSED, f"{address} refused the connection")
    if any(_HEADERS_TOO_LONG in str(cause) for cause in causes):
        return HttpError(
            HttpErrorKind.TOO_LARGE_HEADERS,
            f"{address} sent a response header block over {MAX_HEADER_BYTES} bytes",
        )
    if isinstance(error, httpx.ProtocolError | httpx.DecodingError):
        return HttpError(HttpErrorKind.PROTOCOL, f"{address} broke HTTP: {detail}")
    return HttpError(HttpErrorKind.OTHER, f"request to {address} failed: {detail}")


def _cause_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe(error: BaseException) -> str:
    """The most specific message in the chain (the OS or TLS error, not the wrapper)."""
    messages = [str(cause) for cause in _cause_chain(error) if str(cause)]
    return messages[-1] if messages else type(error).__name__
