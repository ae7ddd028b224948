"""TCP probes to one chosen address: connect, and read a service's greeting line.

    elapsed = await connect("2001:db8::25", 25, timeout=5)
    banner = await read_banner("2001:db8::25", 25, timeout=5, farewell=b"QUIT\\r\\n")

The socket's address family is taken from `address` (an IP literal; nothing is resolved), so
IPv4 and IPv6 are tested on purpose. Bounds: `timeout` limits connecting and reading
together, and a banner is read up to `max_bytes` (a peer that never sends a line end, or
sends a megabyte, cannot hold or fill memory).

Errors: every failure is one `TcpError` whose `kind` (`TcpErrorKind`) says what went wrong:
timeout, refused, unreachable, reset, closed (the peer hung up before sending a line),
other.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from netready.net.errors import UNREACHABLE_ERRNOS

__all__ = [
    "DEFAULT_MAX_BANNER_BYTES",
    "Banner",
    "TcpError",
    "TcpErrorKind",
    "connect",
    "read_banner",
]

T = TypeVar("T")
DEFAULT_MAX_BANNER_BYTES = 1024


class TcpErrorKind(StrEnum):
    TIMEOUT = "timeout"  # no connection, or no line, within the time limit
    REFUSED = "refused"  # nothing listens on the port (TCP reset to the SYN)
    UNREACHABLE = "unreachable"  # no route to the address, or the family is not available
    RESET = "reset"  # the connection was reset after it was made
    CLOSED = "closed"  # the peer closed the connection before sending a line
    OTHER = "other"


class TcpError(Exception):
    """A probe that failed; `kind` says why, `message` in words."""

    def __init__(self, kind: TcpErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class Banner:
    """The first line a service sent.

    Attributes:
        address, port: where it came from.
        line: the line without its line end, decoded as ASCII (other bytes replaced).
        truncated: no line end came within `max_bytes`; `line` is what came.
        elapsed: seconds from the start of connecting to the end of the line.
    """

    address: str
    port: int
    line: str
    truncated: bool
    elapsed: float


async def connect(address: str, port: int, *, timeout: float) -> float:
    """Open a TCP connection to `address`:`port` and close it; return the seconds it took."""
    started = time.monotonic()
    writer = await _guarded(address, port, timeout, _open(address, port))
    await _close(writer)
    return time.monotonic() - started


async def read_banner(
    address: str,
    port: int,
    *,
    timeout: float,
    max_bytes: int = DEFAULT_MAX_BANNER_BYTES,
    farewell: bytes | None = None,
) -> Banner:
    """Connect, read the first line the service sends, send `farewell` (if any), close."""
    started = time.monotonic()

    async def exchange() -> Banner:
        writer, reader = await _open_stream(address, port)
        try:
            data, truncated = await _read_line(reader, max_bytes)
            if farewell is not None:
                # a polite goodbye (SMTP QUIT) so the server logs no aborted session
                writer.write(farewell)
                await writer.drain()
        finally:
            await _close(writer)
        if not data:
            raise TcpError(
                TcpErrorKind.CLOSED, f"{_where(address, port)} closed the connection silently"
            )
        line = data.rstrip(b"\r\n").decode("ascii", errors="replace")
        return Banner(address, port, line, truncated, time.monotonic() - started)

    return await _guarded(address, port, timeout, exchange())


async def _open(address: str, port: int) -> asyncio.StreamWriter:
    writer, _reader = await _open_stream(address, port)
    return writer


async def _open_stream(
    address: str, port: int
) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
    # the socket is made by hand so its family follows the address and no name is resolved
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (address, port))
    except BaseException:
        sock.close()
        raise
    reader, writer = await asyncio.open_connection(sock=sock)
    return writer, reader


async def _read_line(reader: asyncio.StreamReader, max_bytes: int) -> tuple[bytes, bool]:
    """Read up to the first line end, or `max_bytes`; True when no line end came in time."""
    data = b""
    while b"\n" not in data and len(data) < max_bytes:
        chunk = await reader.read(max_bytes - len(data))
        if not chunk:
            return data, False
        data += chunk
    end = data.find(b"\n")
    if end == -1:
        return data, True
    return data[: end + 1], False


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    # a reset while closing changes nothing about the answer already read
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def _guarded(address: str, port: int, timeout: float, work: Awaitable[T]) -> T:
    """Run `work` within `timeout`, turning every failure into a `TcpError`."""
    where = _where(address, port)
    try:
        async with asyncio.timeout(timeout):
            return await work
    except TimeoutError:
        raise TcpError(
            TcpErrorKind.TIMEOUT, f"no answer from {where} within {timeout:g} s"
        ) from None
    except ConnectionRefusedError:
        raise TcpError(TcpErrorKind.REFUSED, f"{where} refused the connection") from None
    except ConnectionResetError:
        raise TcpError(TcpErrorKind.RESET, f"{where} reset the connection") from None
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        if error.errno in UNREACHABLE_ERRNOS:
            raise TcpError(TcpErrorKind.UNREACHABLE, f"{where} is unreachable: {reason}") from None
        raise TcpError(TcpErrorKind.OTHER, f"connection to {where} failed: {reason}") from None


def _where(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
