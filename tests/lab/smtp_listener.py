"""A minimal SMTP banner listener for the web lab's mail hosts.

Run as a program in a lab namespace (the lab starts it; see web_servers.start_smtp)::

    python smtp_listener.py --banner "mail6.web.test ESMTP netready-lab" --address 198.18.1.25

On port 25 at each address it greets with ``220 <banner>``, answers ``EHLO``/``HELO`` with
250, ``NOOP``/``RSET`` with 250, ``QUIT`` with 221 (and closes), anything else with 502. It
never accepts mail. Idle clients are dropped after 30 seconds; lines are at most 1000 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Awaitable, Callable

LINE_LIMIT = 1000
IDLE_TIMEOUT = 30.0


def reply(line: str, domain: str) -> tuple[str, bool]:
    """The reply to one command line, and whether to close the connection after it."""
    verb = line.strip().split(" ", 1)[0].upper()
    if verb == "EHLO":
        return f"250-{domain} greets you\r\n250-8BITMIME\r\n250 HELP\r\n", False
    if verb == "HELO":
        return f"250 {domain}\r\n", False
    if verb in ("NOOP", "RSET"):
        return "250 2.0.0 OK\r\n", False
    if verb == "QUIT":
        return "221 2.0.0 Bye\r\n", True
    return "502 5.5.2 Command not implemented\r\n", False


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def handler(banner: str) -> Handler:
    domain = banner.split(" ", 1)[0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(f"220 {banner}\r\n".encode())
            await writer.drain()
            closing = False
            while not closing:
                async with asyncio.timeout(IDLE_TIMEOUT):
                    line = await reader.readline()
                if not line:
                    break
                text, closing = reply(line.decode("latin-1"), domain)
                writer.write(text.encode())
                await writer.drain()
        except (OSError, TimeoutError, ValueError, asyncio.LimitOverrunError):
            pass  # the client went away, idled or sent an overlong line
        finally:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(2):
                    await writer.wait_closed()

    return handle


async def serve(addresses: list[str], port: int, banner: str) -> None:
    server = await asyncio.start_server(handler(banner), addresses, port, limit=LINE_LIMIT)
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--address", action="append", required=True)
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--banner", required=True)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.address, args.port, args.banner))


if __name__ == "__main__":
    main()
